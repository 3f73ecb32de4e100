/* alpr-match: match read records against hotlists and raise alerts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alpr.h"

#define MAXRUNNING 16	/* -x commands running at once */

struct spec {
	const char *path;
	int maxdiff;
	const char *columns;	/* --columns, or NULL: it has a header */
};

static int aflag, qflag;
static const char *cf, *Lopt, *xcmd;
static struct spec *specs;
static size_t nspecs;
static struct alpr_hlpolicy *pol;
static struct alpr_hotlist *hl;
static struct alpr_log *logp;
static size_t loaded;
static time_t stale_at;		/* when a list loaded fresh grows stale */
static char *stale_name;
static int running;
static volatile sig_atomic_t hup;
static sigset_t waitmask;	/* the signals when waiting for input */

static void
usage(const char *why)
{
	alpr_usage(why, "[-aq] [-C config] [-L logdir] [-x command]\n"
	    "                  [[-e | -d N] [--columns names] -l hotlist] ... "
	    "[file ...]");
}

static int
log_load(const char *path, const struct alpr_hlstats *st, const char *by)
{
	char *real = realpath(path, NULL);
	json_t *e;
	int r;

	e = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
	    "action", "hotlist-load", "list", st->name,
	    "file", real ? real : path,
	    "entries", (json_int_t)st->entries,
	    "rejected", (json_int_t)st->rejected,
	    "expired", (json_int_t)st->expired, "sha256", st->sha256);
	if (!e)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	if (by)
		json_object_set_new(e, "signed_by", json_string(by));
	r = alpr_log_append(logp, e);
	json_decref(e);
	free(real);
	return r;
}

/*
 * The signature of the list at path (path.sig) by one of the policy's
 * hotlist_key: NULL and who signed it and when, or why it is refused.
 * The list's hash is that of the bytes alpr_hotlist_read parsed, so that
 * a list changed after it was checked is not loaded; and a signature
 * older than max_age_days is refused, so that a list signed once is not
 * loaded for ever (the file's own time is the officer's to set).
 */
static const char *
signed_by(const struct alpr_hlpolicy *p, const char *path,
    const struct alpr_hlstats *st, char *by, size_t bn, time_t *when,
    char *why, size_t wn)
{
	unsigned char *sig;
	const char *e = NULL;
	char *sp;
	size_t n, i;

	if (asprintf(&sp, "%s.sig", path) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	if (alpr_read_file(sp, &sig, &n) < 0) {
		snprintf(why, wn, "no signature %s (hotlist_key asks for one: "
		    "one supervisor asks for the list with alpr-store "
		    "hotlist ask, another signs it)", sp);
		free(sp);
		return why;
	}
	for (i = 0; i < p->nkeys; i++)
		if (!(e = alpr_hlsig_check((char *)sig, n, p->keys[i],
		    st->name, st->sha256, by, bn, when, why, wn)))
			break;
	free(sig);
	free(sp);
	if (!e && time(NULL) - *when > p->max_age_days * 86400L) {
		snprintf(why, wn, "signed %ld days ago (max_age_days is %ld): "
		    "the list is asked for and signed again", (long)((time(NULL) -
		    *when) / 86400), p->max_age_days);
		e = why;
	}
	return e;
}

/* A list refused for its signature, in the access log: its name, file,
 * hash and why. */
static int
log_refused(const char *path, const struct alpr_hlstats *st, const char *why)
{
	char *real = realpath(path, NULL);
	json_t *e;
	int r;

	/* names and why are UTF-8: alpr_hotlist_read refused others */
	e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "action",
	    "hotlist-load", "list", st->name, "file", real ? real : path,
	    "sha256", st->sha256, "outcome", "denied", "refusal", why);
	if (!e)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	r = alpr_log_append(logp, e);
	json_decref(e);
	free(real);
	return r;
}

static void
load_file(struct alpr_hotlist *h, const struct alpr_hlpolicy *p,
    const char *path, int maxdiff)
{
	struct alpr_hlstats st;
	time_t now = time(NULL), max = p->max_age_days * 86400L;
	char by[64], why[300];
	const char *e;

	if (alpr_hotlist_read(h, path, NULL, maxdiff, now, logp || p->nkeys,
	    &st) < 0) {
		alpr_fail("%s: hotlist not loaded", path);
		return;
	}
	if (p->nkeys && (e = signed_by(p, path, &st, by, sizeof by,
	    &st.mtime, why, sizeof why))) {
		alpr_fail("%s: hotlist not loaded: %s", path, e);
		/* the attempt is on the record: a list edited, or one of
		 * an officer's own, named on the car (before the list's
		 * name goes with it) */
		if (logp && log_refused(path, &st, e) < 0)
			alpr_fail_sys("%s: unable to write the refusal to the "
			    "access log:", path);
		alpr_hotlist_drop(h);
		return;
	}
	if (logp && log_load(path, &st, p->nkeys ? by : NULL) < 0) {
		alpr_hotlist_drop(h);
		alpr_fail_sys("%s: hotlist not loaded: unable to write its "
		    "access log entry:", path);
		return;
	}
	alpr_hotlist_commit(h);
	loaded++;
	if (!qflag) {
		fprintf(stderr, "%s: %s: %lu entries loaded, %lu rejected, "
		    "%lu expired", alpr_progname, path, st.entries,
		    st.rejected, st.expired);
		if (st.later)
			fprintf(stderr, ", %lu not yet effective", st.later);
		fputc('\n', stderr);
	}
	if (now - st.mtime > max)
		alpr_warn("warning: %s is %ld days old (max_age_days is %ld): "
		    "get a fresh list", path, (long)((now - st.mtime) / 86400),
		    p->max_age_days);
	else if (!stale_at || st.mtime + max < stale_at) {
		stale_at = st.mtime + max;
		free(stale_name);
		stale_name = alpr_strdup(path);
	}
}

static int
listfile(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	return d->d_name[0] != '.' && dot && (!strcasecmp(dot, ".csv") ||
	    !strcasecmp(dot, ".tsv") || !strcasecmp(dot, ".txt") ||
	    !strcasecmp(dot, ".psv"));
}

static void
load(struct alpr_hotlist *h, const struct alpr_hlpolicy *pl,
    const struct spec *s)
{
	struct dirent **d;
	struct stat sb;
	char *p;
	int i, n;

	/* a list is signed as its header names its columns: read by other
	 * names, its lines are other entries (the header one among them) */
	if (pl->nkeys && s->columns) {
		alpr_fail("%s: hotlist not loaded: hotlist_key asks for a "
		    "signed list, and a list is signed as its header line "
		    "names its columns, not as --columns does", s->path);
		return;
	}
	alpr_hotlist_columns(h, s->columns);
	if (stat(s->path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		load_file(h, pl, s->path, s->maxdiff);
		return;
	}
	if ((n = scandir(s->path, &d, listfile, alphasort)) < 0) {
		alpr_fail_sys("unable to read hotlist folder %s:",
		    s->path);
		return;
	}
	if (n == 0)
		alpr_fail("%s: no hotlist (*.csv, *.tsv, *.txt) in the folder",
		    s->path);
	for (i = 0; i < n; i++) {
		if (asprintf(&p, "%s/%s", s->path, d[i]->d_name) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
		load_file(h, pl, p, s->maxdiff);
		free(p);
		free(d[i]);
	}
	free(d);
}

/*
 * The config and every list, each list logged before it is used, into a
 * new hl and pol. At start a failure is fatal; on SIGHUP (start 0) it is
 * said, and the lists in use stay in use. 0, or -1.
 */
static int
load_all(int start)
{
	struct alpr_hlpolicy *p = alpr_malloc(sizeof *p);
	struct alpr_hotlist *h = NULL;
	time_t was_stale_at = stale_at;	/* of the lists in use */
	char *was_stale = stale_name ? alpr_strdup(stale_name) : NULL;
	const char *dir;
	char why[512];
	int status;
	size_t i;

	alpr_hlpolicy_init(p);
	if (cf && *cf && alpr_hlpolicy_read(p, cf) < 0) {
		status = ALPR_EXIT_USAGE;
		snprintf(why, sizeof why, "bad config %s", cf);
		goto fail;
	}
	if ((dir = alpr_log_dir(Lopt)) && !(logp = alpr_log_open(dir))) {
		status = ALPR_EXIT_SYS;
		snprintf(why, sizeof why, "the access log %s cannot be "
		    "written: no hotlist is loaded without its log entry", dir);
		goto fail;
	}
	h = alpr_hotlist_new(p);
	loaded = 0;
	stale_at = 0;
	for (i = 0; i < nspecs; i++)
		load(h, p, &specs[i]);
	if (logp) {
		alpr_log_close(logp);
		logp = NULL;
	}
	if (loaded == 0) {
		status = alpr_status > ALPR_EXIT_FAIL ? alpr_status :
		    ALPR_EXIT_FAIL;
		snprintf(why, sizeof why, "no hotlist loaded");
		goto fail;
	}
	alpr_hotlist_index(h);
	if (hl) {
		alpr_hotlist_free(hl);
		alpr_hlpolicy_free(pol);
		free(pol);
	}
	hl = h;
	pol = p;
	free(was_stale);
	return 0;
fail:
	alpr_hotlist_free(h);
	alpr_hlpolicy_free(p);
	free(p);
	stale_at = was_stale_at;
	free(stale_name);
	stale_name = was_stale;
	if (start)
		alpr_die(status, "fatal: %s", why);
	if (alpr_status < status)
		alpr_status = status;
	alpr_warn("%s: the hotlists loaded before stay in use", why);
	return -1;
}

static void
onhup(int sig)
{
	hup = 1;
}

/* On SIGHUP, the lists again as at start. */
static void
reload(void)
{
	hup = 0;
	if (!qflag)
		alpr_warn("SIGHUP: loading the hotlists again");
	if (load_all(0) == 0 && !qflag)
		alpr_warn("hotlists loaded again: %zu in use", loaded);
}

static void
reap(int block)
{
	pid_t pid;
	int st;

	while (running > 0 && (pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		running--;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (WIFEXITED(st))
			alpr_fail("-x command exited %d", WEXITSTATUS(st));
		else
			alpr_fail("-x command killed by signal %d",
			    WTERMSIG(st));
	}
}

static void
setenv_hit(const char *name, json_t *hit, const char *key)
{
	json_t *v = json_object_get(hit, key);
	char buf[32];

	if (json_is_string(v))
		setenv(name, json_string_value(v), 1);
	else if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		setenv(name, buf, 1);
	}
}

/* Run -x with the alert on its stdin, its stdout on our stderr (it must
 * not mix into the record stream), without waiting for it. */
static void
run(const char *text, size_t n, json_t *hit)
{
	size_t off;
	ssize_t w;
	int fd[2];
	pid_t pid;

	while (running >= MAXRUNNING)
		reap(1);
	if (pipe2(fd, O_CLOEXEC) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to make a pipe:");
	fflush(NULL);
	if ((pid = fork()) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to fork:");
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &waitmask, NULL);
		if (dup2(fd[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(126);
		setenv_hit("ALPR_PLATE", hit, "matched");
		setenv_hit("ALPR_ENTRY", hit, "entry");
		setenv_hit("ALPR_LIST", hit, "list");
		setenv_hit("ALPR_CATEGORY", hit, "category");
		setenv_hit("ALPR_REASON", hit, "reason");
		setenv_hit("ALPR_PRIORITY", hit, "priority");
		setenv_hit("ALPR_MATCH", hit, "match");
		execl("/bin/sh", "sh", "-c", xcmd, (char *)NULL);
		_exit(127);
	}
	running++;
	close(fd[0]);
	for (off = 0; off < n; off += w)
		if ((w = write(fd[1], text + off, n - off)) < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			if (errno != EPIPE)
				alpr_warn("unable to write the alert to -x:");
			break;
		}
	close(fd[1]);
}

static void
out(const char *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write record:");
}

static void
flush(void)
{
	if (fflush(stdout) == EOF)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write record:");
}

/* The alert record: the read as it came, and the text of its hits. */
static void
alert(const char *read, size_t n, const char *hits)
{
	char now[ALPR_TIME_LEN], *a;
	json_t *h;
	int len;

	alpr_time_now(now);
	if ((len = asprintf(&a, "{\"type\":\"alert\",\"v\":%d,\"time\":\"%s\","
	    "\"read\":%.*s,\"hits\":%s}\n", ALPR_RECORD_VERSION, now, (int)n,
	    read, hits)) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	if (aflag) {
		out(a, len);
		flush();
	}
	if (xcmd) {
		h = json_loads(hits, 0, NULL);
		run(a, len, json_array_get(h, 0));
		json_decref(h);
	}
	free(a);
}

/*
 * A read with hits, a valid JSON object without a "hits" member: it passes
 * as it came but for "hits" added as its last member, and raises an alert.
 */
static void
hit(const char *line, size_t n, const char *hits)
{
	const char *end = memrchr(line, '}', n);

	alert(line, n, hits);
	if (aflag)
		return;
	out(line, end - line);
	out(",\"hits\":", 8);
	out(hits, strlen(hits));
	out(end, n - (end - line));
	out("\n", 1);
	flush();
}

/* A read that already has hits (from an alpr-match before this one):
 * they are kept, and the new ones follow. */
static void
more_hits(json_t *rec, const char *line, size_t n, const char *hits)
{
	json_t *old = json_object_get(rec, "hits"), *h;

	alert(line, n, hits);
	if (aflag)
		return;
	if (!(h = json_loads(hits, 0, NULL)))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to parse hits");
	if (json_is_array(old))
		json_array_extend(old, h);
	else
		json_object_set(rec, "hits", h);
	json_decref(h);
	alpr_write_record(stdout, rec);
}

static const char *
match_rec(json_t *rec)
{
	json_t *cands = json_object_get(rec, "candidates"), *c;
	const char **plates, *hits;
	size_t i;
	int np = 0;

	/* every candidate, however many (alpr-ocr -n gives up to 64) */
	plates = alpr_malloc((json_array_size(cands) + 1) * sizeof *plates);
	if (alpr_rec_str(rec, "plate"))
		plates[np++] = alpr_rec_str(rec, "plate");
	json_array_foreach(cands, i, c)
		if (alpr_rec_str(c, "plate"))
			plates[np++] = alpr_rec_str(c, "plate");
	hits = alpr_hotlist_match(hl, plates, np, time(NULL));
	free(plates);
	return hits;
}

/* A line the scan was not sure of: parsed and checked as lib/rec.c does. */
static void
slow(struct alpr_reader *r, const char *line, size_t n)
{
	const char *msg, *hits = NULL;
	json_error_t err;
	json_t *rec;

	if (!(rec = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err))) {
		alpr_rec_fail(r, "bad JSON at column %d: %s", err.column,
		    err.text);
		return;
	}
	if ((msg = alpr_record_check(rec))) {
		alpr_rec_fail(r, "%s", msg);
		json_decref(rec);
		return;
	}
	if (!strcmp(alpr_rec_str(rec, "type"), "read"))
		hits = match_rec(rec);
	if (hits && json_object_get(rec, "hits"))
		more_hits(rec, line, n, hits);
	else if (hits)
		hit(line, n, hits);
	else if (!aflag) {
		out(line, n);
		out("\n", 1);
	}
	json_decref(rec);
}

static void
match(struct alpr_reader *r, const char *line, size_t n)
{
	char buf[ALPR_JSCAN_PLATES][64];
	const char *plates[ALPR_JSCAN_PLATES], *hits;
	struct alpr_jscan_rec sc;
	int i, np;

	/* unsure, hits already, or plates past those the scan keeps */
	if (!alpr_jscan_record(line, n, &sc) || sc.hits || sc.dropped) {
		slow(r, line, n);
		return;
	}
	if (sc.ntype == 4 && !memcmp(sc.type, "read", 4)) {
		for (i = np = 0; i < sc.nplates; i++) {
			if (sc.nplate[i] >= sizeof buf[i])
				continue;	/* no plate is that long */
			memcpy(buf[np], sc.plate[i], sc.nplate[i]);
			buf[np][sc.nplate[i]] = '\0';
			plates[np] = buf[np];
			np++;
		}
		if ((hits = alpr_hotlist_match(hl, plates, np, time(NULL)))) {
			hit(line, n, hits);
			return;
		}
	}
	if (!aflag) {
		out(line, n);
		out("\n", 1);
	}
}

/*
 * Records are read by lines from fd, and output is flushed whenever no
 * more input is waiting, so a record never waits in a buffer for the next
 * one; a hit is flushed at once.
 */
static void
stream(int fd, const char *name)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct alpr_reader r;
	char *buf = NULL, *nl;
	size_t cap = 1 << 16, start = 0, end = 0, n;
	ssize_t got;
	int eof = 0, skip = 0;

	alpr_reader_init(&r, NULL, name);
	buf = alpr_malloc(cap);
	for (;;) {
		nl = memchr(buf + start, '\n', end - start);
		if (skip && nl) {	/* the end of a line too long */
			start = nl - buf + 1;
			skip = 0;
			continue;
		}
		if (!nl && !eof) {
			if (start > 0) {
				memmove(buf, buf + start, end - start);
				end -= start;
				start = 0;
			}
			if (end == cap && cap > ALPR_RECORD_MAX) {
				if (!skip) {
					r.line++;
					alpr_rec_fail(&r, "line longer than %d "
					    "bytes: skipped", ALPR_RECORD_MAX);
				}
				skip = 1;
				end = 0;
			}
			if (end == cap)
				buf = alpr_realloc(buf, cap *= 2);
			flush();
			if (hup)
				reload();
			/* SIGHUP is blocked but while waiting here, so one
			 * that comes before the wait cuts it too */
			if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
				if (errno == EINTR)
					continue;
				alpr_die(ALPR_EXIT_SYS, "fatal: poll:");
			}
			if ((got = read(fd, buf + end, cap - end)) < 0) {
				if (errno == EINTR)
					continue;
				alpr_die(ALPR_EXIT_SYS, "fatal: unable to read "
				    "%s:", r.name);
			}
			if (got == 0)
				eof = 1;
			end += got;
			continue;
		}
		if (!nl && (start == end || skip))
			break;
		n = nl ? (size_t)(nl - (buf + start)) : end - start;
		r.line++;
		if (hup)
			reload();
		if (stale_at && time(NULL) > stale_at) {
			alpr_warn("warning: %s is now older than max_age_days "
			    "(%ld): get a fresh list", stale_name,
			    pol->max_age_days);
			stale_at = 0;
		}
		if (running)
			reap(0);
		while (n > 0 && buf[start + n - 1] == '\r')
			n--;
		if (n > ALPR_RECORD_MAX)
			alpr_rec_fail(&r, "line longer than %d bytes: skipped",
			    ALPR_RECORD_MAX);
		else if (n > 0)
			match(&r, buf + start, n);
		start = nl ? (size_t)(nl - buf) + 1 : end;
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "columns", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	sigset_t hupset;
	const char *columns = NULL, *Copt = NULL;
	int c, i, fd, maxdiff = 1, modeset = 0;

	alpr_setprogname(argv[0]);
	while ((c = alpr_getopt(argc, argv, "aC:d:el:L:qx:", lo, usage)) != -1)
		switch (c) {
		case 'a': aflag = 1; break;
		case 'c': columns = *optarg ? optarg : NULL; modeset = 1; break;
		case 'C': Copt = optarg; break;
		case 'd': maxdiff = alpr_strtonum(optarg, 0, 3, "-d"); modeset = 1; break;
		case 'e': maxdiff = -1; modeset = 1; break;
		case 'l':
			specs = alpr_realloc(specs, (nspecs + 1) * sizeof *specs);
			specs[nspecs++] = (struct spec){ optarg, maxdiff,
			    columns };
			modeset = 0;
			break;
		case 'L': Lopt = optarg; break;
		case 'q': qflag = 1; break;
		case 'x': xcmd = optarg; break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (nspecs == 0)
		usage("no hotlist: give one or more with -l");
	if (modeset)
		usage("-e, -d or --columns after the last -l: it applies to "
		    "the -l options that follow it");

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onhup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&hupset);
	sigaddset(&hupset, SIGHUP);
	sigprocmask(SIG_BLOCK, &hupset, &waitmask);
	sigdelset(&waitmask, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	cf = Copt ? Copt : getenv("ALPR_CONFIG");
	load_all(1);

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc == 0)
		stream(0, "-");
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			stream(0, "-");
			continue;
		}
		if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) < 0) {
			alpr_fail_sys("unable to open %s:", argv[i]);
			continue;
		}
		stream(fd, argv[i]);
		close(fd);
	}
	reap(1);
	alpr_fshut(stdout, "standard output");
	alpr_hotlist_free(hl);
	alpr_hlpolicy_free(pol);
	free(pol);
	free(specs);
	free(stale_name);
	return alpr_status;
}
