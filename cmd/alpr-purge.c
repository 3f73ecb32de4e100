/*
 * alpr-purge: remove the reads of a store that are past their retention,
 * unless an evidence hold keeps them; built for cron.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alpr.h"

static void
usage(const char *why)
{
	alpr_usage(why, "[-nv] [-H home] [-K keyfile] [-w seconds] "
	    "[--before date]");
}

static void
report(FILE *f, const struct alpr_purge_stats *st, int dry)
{
	char a[ALPR_TIME_LEN], b[ALPR_TIME_LEN];
	struct timespec t = { st->cut_plain, 0 };

	alpr_time_fmt(&t, a);
	t.tv_sec = st->cut_hit;
	alpr_time_fmt(&t, b);
	fprintf(f, "cut-off: %s (reads with hits: %s)\n", a, b);
	fprintf(f, "%s: %ld reads of %ld days%s", dry ? "would purge" :
	    "purged", st->reads, st->days + st->rekeyed, st->rekeyed ? "" :
	    "\n");
	if (st->rekeyed)
		fprintf(f, " (%ld days kept in part: %ld reads with hits "
		    "kept)\n", st->rekeyed, st->kept_hit);
	fprintf(f, "kept by evidence holds: %ld reads\n", st->held);
	if (st->kept_unsent)
		fprintf(f, "kept until pushed: %ld reads the server has not "
		    "stored\n", st->kept_unsent);
	if (st->owed)
		fprintf(f, "owed by an earlier purge cut short: a new key file "
		    "and a compaction\n");
	if (dry)
		return;
	if (st->checked)
		fprintf(f, "reads checked to be where an add finds them: %ld "
		    "(once a store)\n", st->checked);
	if (st->moved)
		fprintf(f, "given a new key to put their reads there: %ld "
		    "days\n", st->moved);
	if (st->copies)
		fprintf(f, "second copies of reads removed: %ld\n", st->copies);
	fprintf(f, "frames removed: %ld\n", st->frames);
	fprintf(f, "key file: %s\n", st->rotated ? "a new key, the old one "
	    "gone" : "unchanged");
	fprintf(f, "purge: %.2f s; compaction: %s, %.1f MiB to %.1f MiB in "
	    "%.2f s\n", st->seconds_purge, st->compacted ? "done" : "not done",
	    st->bytes_before / 1048576.0, st->bytes_after / 1048576.0,
	    st->seconds_compact);
}

int
main(int argc, char **argv)
{
	static struct option lo[] = {
		{ "before", required_argument, 0, 'b' },
		{ "dry-run", no_argument, 0, 'n' },
		{ "home", required_argument, 0, 'H' },
		{ "key-file", required_argument, 0, 'K' },
		{ "verbose", no_argument, 0, 'v' },
		{ 0, 0, 0, 0 } };
	struct alpr_purge_opt o = { 0, 0, 600, 0 };
	struct alpr_purge_stats st;
	const char *home = NULL, *keyfile = NULL;
	struct alpr_store *s;
	struct timespec t;
	char buf[64];
	int c, v = 0, r;

	alpr_setprogname(argv[0]);
	umask(077);
	while ((c = alpr_getopt(argc, argv, "b:H:K:nvw:", lo, usage)) != -1)
		switch (c) {
		case 'b':
			if (strlen(optarg) == 10) {
				snprintf(buf, sizeof buf, "%sT00:00:00Z", optarg);
				optarg = buf;
			}
			if (alpr_time_parse(optarg, &t) < 0)
				usage("--before: want YYYY-MM-DD or an RFC 3339 "
				    "time");
			o.before = t.tv_sec;
			break;
		case 'H': home = optarg; break;
		case 'K': keyfile = optarg; break;
		case 'n': o.dry = 1; break;
		case 'v': v = 1; break;
		case 'w': o.wait = alpr_strtonum(optarg, 0, 86400,
		    "seconds to wait"); break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("alpr-purge takes no operands");
	o.progress = isatty(2) && !o.dry;
	s = alpr_store_need(home, keyfile);
	r = alpr_purge(s, &o, &st);
	/* a purge refused before it planned has no figures to give */
	if (r >= 0 && st.cut_plain && (o.dry || v))
		report(stdout, &st, o.dry);
	alpr_store_close(s);
	alpr_fshut(stdout, "<stdout>");
	return alpr_exit_status(r);
}
