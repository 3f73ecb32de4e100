/* alpr-audit: make, check, search and review the signed access log. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

static const char *dir;		/* -d */
static const char *vkey;	/* -k, the kept public key */
static int jflag;		/* -j */

static void
usage(const char *why)
{
	alpr_usage(why,
	    "[-d dir] init [-n every] [-O org] [-o origin] "
	    "[-r role] [-w seconds]\n"
	    "       alpr-audit [-d dir] verify [-k key] [-s checkpoint]\n"
	    "       alpr-audit [-d dir] checkpoint [-c reason]\n"
	    "       alpr-audit [-d dir] prove [-k key] seq\n"
	    "       alpr-audit [-d dir] verify-proof [-k key] [file]\n"
	    "       alpr-audit [-d dir] append [-b] [file ...]\n"
	    "       alpr-audit [-d dir] show [-a action] [-c case] [-e until] "
	    "[-p plate] [-R reason] [-s since] [-u user]\n"
	    "       alpr-audit [-d dir] report [-j] [-H hours] [-r repeats] "
	    "[-s since]");
}

static const char *
need_dir(void)
{
	const char *d = alpr_log_dir(dir);

	if (!d)
		usage("no log: give -d dir or set ALPR_LOG");
	return d;
}

/* A date or an RFC 3339 time. */
static time_t
parse_when(const char *s)
{
	struct timespec ts;
	char buf[64];

	if (strlen(s) == 10) {
		snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
		s = buf;
	}
	if (alpr_time_parse(s, &ts) < 0)
		usage("bad time: want YYYY-MM-DD or an RFC 3339 time");
	return ts.tv_sec;
}

/* Log that the log itself is read, before anything is shown. */
static void
log_read(const char *d, json_t *what)
{
	struct alpr_log *l;
	json_t *e;

	if (!(l = alpr_log_open(d)))
		exit(ALPR_EXIT_SYS);
	e = json_pack("{s:s}", "action", "log-read");
	json_object_update(e, what);
	json_decref(what);
	/* the person behind a run through sudo (the auditor), whom the
	 * entry's user, the service account's name, does not say */
	json_object_set_new(e, "client", json_string(alpr_store_client()));
	if (alpr_log_append(l, e) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to log this reading of "
		    "the log, so nothing is shown:");
	alpr_log_close(l);
	json_decref(e);
}

static int
cmd_init(int argc, char **argv)
{
	struct alpr_log_config cf = { "alpr-access-log", NULL, NULL, 1000,
	    3600 };
	char *k;
	int c;

	while ((c = alpr_getopt(argc, argv, "n:O:o:r:w:", NULL, usage)) != -1)
		switch (c) {
		case 'n': cf.every = alpr_strtonum(optarg, 1, 1000000000,
		    "checkpoint interval"); break;
		case 'O': cf.org = optarg; break;
		case 'o': cf.origin = optarg; break;
		case 'r': cf.role = optarg; break;
		case 'w': cf.window = alpr_strtonum(optarg,
		    ALPR_LOG_WINDOW_MIN, ALPR_LOG_WINDOW_MAX, "window"); break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("init takes no operands");
	/* a log made already is a refusal (alpr_fail), else a system error */
	if (!(k = alpr_log_init(need_dir(), &cf)))
		return alpr_status == ALPR_EXIT_FAIL ? ALPR_EXIT_FAIL :
		    ALPR_EXIT_SYS;
	printf("%s\n", k);
	if (isatty(1))
		fprintf(stderr, "%s: keep this public key away from this "
		    "machine; verify with -k to check the log against it\n",
		    alpr_progname);
	free(k);
	return 0;
}

static int
load_checkpoint(const char *file, struct alpr_checkpoint *c)
{
	unsigned char *buf;
	const char *e;
	size_t n;

	if (alpr_read_file(file, &buf, &n) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:", file);
	e = alpr_checkpoint_parse((char *)buf, n, c);
	free(buf);
	if (e) {
		alpr_warn("%s: %s", file, e);
		alpr_checkpoint_free(c);
		return -1;
	}
	return 0;
}

/* Is the saved checkpoint a prefix of the log as verified? */
static int
since(struct alpr_logverify *v, const char *file, struct alpr_checkpoint *s)
{
	unsigned char root[ALPR_HASH], proof[64][ALPR_HASH];
	const unsigned char (*lv)[ALPR_HASH] =
	    (const unsigned char (*)[ALPR_HASH])v->leaves;
	char tm[ALPR_TIME_LEN];
	struct alpr_mtree t;
	const char *e;
	size_t np;

	alpr_time_fmt(&s->time, tm);
	if (s->size > v->size) {
		alpr_warn("%s: saved checkpoint of %s signed %llu entries, the "
		    "log has %llu: it was truncated or rolled back", file, tm,
		    (unsigned long long)s->size, (unsigned long long)v->size);
		return -1;
	}
	alpr_merkle_range_root(lv, v->size, root);
	alpr_mtree_build(&t, lv, v->size);
	if (s->size == 0) {
		alpr_merkle_range_root(lv, 0, proof[0]);
		e = memcmp(proof[0], s->root, ALPR_HASH) ?
		    "root of the empty tree is wrong" : NULL;
		np = 0;
	} else {
		np = alpr_merkle_consistency(&t, s->size, v->size, proof);
		e = alpr_merkle_verify_consistency(s->size, v->size, s->root,
		    ALPR_HASH, root, ALPR_HASH,
		    (const unsigned char (*)[ALPR_HASH])proof, np);
	}
	alpr_mtree_free(&t);
	if (e) {
		alpr_warn("%s: the log is not consistent with the saved "
		    "checkpoint of %s (%llu entries): %s: the log was rewritten "
		    "or forked", file, tm, (unsigned long long)s->size, e);
		return -1;
	}
	printf("consistent with the saved checkpoint of %s: %llu entries then, "
	    "%llu now, proof of %zu hashes\n", tm, (unsigned long long)s->size,
	    (unsigned long long)v->size, np);
	return 0;
}

static int
cmd_verify(int argc, char **argv)
{
	static struct option lo[] = { { "since", required_argument, 0, 's' },
	    { 0, 0, 0, 0 } };
	struct alpr_logverify v;
	struct alpr_checkpoint s;
	const char *sfile = NULL, *e;
	char tm[ALPR_TIME_LEN], why[200];
	long w;
	int c, r;

	while ((c = alpr_getopt(argc, argv, "k:s:", lo, usage)) != -1)
		switch (c) {
		case 'k': vkey = alpr_note_vkey_read(optarg); break;
		case 's': sfile = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("verify takes no operands");
	memset(&v, 0, sizeof v);
	v.dir = need_dir();
	v.vkey = vkey;
	v.progress = isatty(2);
	v.keep_leaves = sfile != NULL;
	if (!vkey)
		alpr_warn("note: checking against the log's own %s/%s; give -k "
		    "with the key kept elsewhere to catch a log made anew",
		    v.dir, ALPR_LOG_PUBKEY);
	if (sfile && load_checkpoint(sfile, &s) < 0)
		return ALPR_EXIT_FAIL;
	r = alpr_log_verify(&v);
	if (r < 0)
		return ALPR_EXIT_SYS;
	if (r >= 0 && sfile && v.keys.n > 0) {
		if ((e = alpr_logkeys_check(&v.keys, &s, &w, why, sizeof why))) {
			alpr_warn("%s: %s", sfile, e);
			r = 1;
		} else if (since(&v, sfile, &s) < 0)
			r = 1;
	}
	if (sfile)
		alpr_checkpoint_free(&s);
	if (r == 0) {
		alpr_time_fmt(&v.last.time, tm);
		printf("good: %llu entries, the last signed checkpoint %s covers "
		    "%llu, keys through window %ld\n",
		    (unsigned long long)v.size, tm,
		    (unsigned long long)v.last.size, v.keys.n - 1);
	}
	alpr_logverify_free(&v);
	return r ? ALPR_EXIT_FAIL : 0;
}

static int
cmd_checkpoint(int argc, char **argv)
{
	const char *jump = NULL;
	struct alpr_log *l;
	char *note;
	int c;

	while ((c = alpr_getopt(argc, argv, "c:", NULL, usage)) != -1)
		switch (c) {
		case 'c': jump = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("checkpoint takes no operands");
	if (jump && strlen(jump) < 12)
		usage("-c wants a reason of 12 characters or more");
	if (!(l = alpr_log_open(need_dir())))
		return ALPR_EXIT_SYS;
	if ((jump ? alpr_log_jump(l, jump, &note) :
	    alpr_log_checkpoint(l, &note)) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to sign a checkpoint:");
	alpr_log_close(l);
	fputs(note, stdout);
	free(note);
	return 0;
}

/* Line seq of the log, malloc'd without its newline. */
static char *
entry_line(const char *d, uint64_t seq)
{
	char p[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t i = 0;
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", d, ALPR_LOG_ENTRIES);
	if (!(f = fopen(p, "r")))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to open %s:", p);
	while ((n = getline(&line, &cap, f)) > 0)
		if (i++ == seq) {
			line[n - 1] = '\0';
			fclose(f);
			return line;
		}
	alpr_die(ALPR_EXIT_SYS, "fatal: %s: entry %llu vanished", p,
	    (unsigned long long)seq);
}

static int
cmd_prove(int argc, char **argv)
{
	unsigned char proof[64][ALPR_HASH];
	struct alpr_logverify v;
	struct alpr_mtree t;
	char b64[64], *line;
	json_t *arr, *out;
	uint64_t seq;
	size_t np, i;
	int c;

	while ((c = alpr_getopt(argc, argv, "k:", NULL, usage)) != -1)
		switch (c) {
		case 'k': vkey = alpr_note_vkey_read(optarg); break;
		default: usage(NULL);
		}
	if (optind != argc - 1)
		usage("prove wants one entry number");
	seq = alpr_strtonum(argv[optind], 0, INT64_MAX, "entry number");
	memset(&v, 0, sizeof v);
	v.dir = need_dir();
	v.vkey = vkey;
	v.progress = isatty(2);
	v.keep_leaves = 1;
	if ((c = alpr_log_verify(&v)) != 0)
		alpr_die(c < 0 ? ALPR_EXIT_SYS : ALPR_EXIT_FAIL, "the log does "
		    "not verify: no proof");
	if (seq >= v.last.size)
		alpr_die(ALPR_EXIT_FAIL, "entry %llu is not under a signed "
		    "checkpoint (%llu entries): run alpr-audit checkpoint",
		    (unsigned long long)seq, (unsigned long long)v.last.size);
	log_read(v.dir, json_pack("{s:s,s:s,s:I}", "purpose", "audit", "data",
	    "inclusion proof", "entry", (json_int_t)seq));
	alpr_mtree_build(&t, (const unsigned char (*)[ALPR_HASH])v.leaves,
	    v.last.size);
	np = alpr_merkle_inclusion(&t, v.last.size, seq, proof);
	alpr_mtree_free(&t);
	arr = json_array();
	for (i = 0; i < np; i++) {
		alpr_b64(b64, sizeof b64, proof[i], ALPR_HASH);
		json_array_append_new(arr, json_string(b64));
	}
	line = entry_line(v.dir, seq);
	out = json_pack("{s:s,s:i,s:I,s:I,s:s,s:o,s:s}", "type",
	    "inclusion-proof", "v", 1, "seq", (json_int_t)seq, "size",
	    (json_int_t)v.last.size, "entry", line, "proof", arr,
	    "checkpoint", v.last.text);
	alpr_write_record(stdout, out);
	json_decref(out);
	free(line);
	alpr_logverify_free(&v);
	return 0;
}

static const char *
check_proof(struct alpr_logverify *v, json_t *rec, struct alpr_checkpoint *c)
{
	static char why[256];
	unsigned char proof[64][ALPR_HASH], leaf[ALPR_HASH];
	const char *note = alpr_rec_str(rec, "note"), *entry, *e;
	json_t *arr = json_object_get(rec, "proof"), *seq, *ej;
	size_t i, n;
	long w;

	note = alpr_rec_str(rec, "checkpoint");
	entry = alpr_rec_str(rec, "entry");
	seq = json_object_get(rec, "seq");
	if (strcmp(alpr_rec_str(rec, "type"), "inclusion-proof") || !note ||
	    !entry || !json_is_integer(seq) || !json_is_array(arr) ||
	    json_array_size(arr) > 64)
		return "not an inclusion proof";
	if ((e = alpr_checkpoint_parse(note, strlen(note), c)))
		return e;
	if ((e = alpr_logkeys_check(&v->keys, c, &w, why, sizeof why)))
		return e;
	if (json_integer_value(json_object_get(rec, "size")) !=
	    (json_int_t)c->size)
		return "proof size is not the checkpoint's size";
	if (!(ej = json_loads(entry, JSON_REJECT_DUPLICATES, NULL)))
		return "entry is not JSON";
	i = json_integer_value(json_object_get(ej, "seq")) !=
	    json_integer_value(seq);
	json_decref(ej);
	if (i)
		return "entry's seq is not the proof's";
	for (i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!s || alpr_unb64(proof[i], ALPR_HASH, s, strlen(s), &n) < 0 ||
		    n != ALPR_HASH)
			return "proof hash is not 32 bytes of base64";
	}
	alpr_merkle_leaf(leaf, entry, strlen(entry));
	return alpr_merkle_verify_inclusion(json_integer_value(seq), c->size,
	    leaf, (const unsigned char (*)[ALPR_HASH])proof,
	    json_array_size(arr), c->root, ALPR_HASH);
}

static int
cmd_verify_proof(int argc, char **argv)
{
	struct alpr_logverify v;
	struct alpr_checkpoint c;
	struct alpr_reader r;
	char tm[ALPR_TIME_LEN];
	const char *e, *name;
	json_t *rec;
	FILE *f;
	int ch;

	while ((ch = alpr_getopt(argc, argv, "k:", NULL, usage)) != -1)
		switch (ch) {
		case 'k': vkey = alpr_note_vkey_read(optarg); break;
		default: usage(NULL);
		}
	if (argc - optind > 1)
		usage("verify-proof wants at most one file");
	name = optind < argc ? argv[optind] : "-";
	memset(&v, 0, sizeof v);
	v.dir = need_dir();
	v.vkey = vkey;
	if (alpr_logkeys_load(&v) < 0)
		return v.bad ? ALPR_EXIT_FAIL : ALPR_EXIT_SYS;
	if (!(f = strcmp(name, "-") ? fopen(name, "r") : stdin))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to open %s:", name);
	alpr_reader_init(&r, f, name);
	while (alpr_read_record(&r, &rec) > 0) {
		memset(&c, 0, sizeof c);
		if ((e = check_proof(&v, rec, &c)))
			alpr_rec_fail(&r, "proof rejected: %s", e);
		else {
			alpr_time_fmt(&c.time, tm);
			printf("good: entry %lld is in the log of %llu entries "
			    "signed at %s\n", (long long)json_integer_value(
			    json_object_get(rec, "seq")),
			    (unsigned long long)c.size, tm);
		}
		alpr_checkpoint_free(&c);
		json_decref(rec);
	}
	if (r.line == 0)
		alpr_fail("%s: no proof", r.name);
	alpr_reader_free(&r);
	alpr_logkeys_free(&v.keys);
	return alpr_status;
}

static int
cmd_append(int argc, char **argv)
{
	struct alpr_reader r;
	struct alpr_log *l;
	json_t *rec, **batch = NULL;
	size_t n = 0, cap = 0, i;
	int c, bflag = 0, k;
	FILE *f;

	while ((c = alpr_getopt(argc, argv, "b", NULL, usage)) != -1)
		switch (c) {
		case 'b': bflag = 1; break;
		default: usage(NULL);
		}
	if (!(l = alpr_log_open(need_dir())))
		return ALPR_EXIT_SYS;
	for (k = optind; k < argc || k == optind; k++) {
		const char *name = k < argc ? argv[k] : "-";
		if (!(f = strcmp(name, "-") ? fopen(name, "r") : stdin)) {
			alpr_fail_sys("unable to open %s:", name);
			continue;
		}
		alpr_reader_init(&r, f, name);
		while (alpr_read_record(&r, &rec) > 0) {
			if (strcmp(alpr_rec_str(rec, "type"), "access") ||
			    !alpr_rec_str(rec, "action")) {
				alpr_rec_fail(&r, "not an access record with "
				    "an \"action\"");
				json_decref(rec);
				continue;
			}
			if (!bflag) {
				if (alpr_log_append(l, rec) < 0) {
					if (errno != EMSGSIZE)
						alpr_die(ALPR_EXIT_SYS, "fatal: "
						    "%s:%lu: unable to log:",
						    r.name, r.line);
					alpr_rec_fail(&r, "entry too long: not "
					    "logged");
				}
				json_decref(rec);
				continue;
			}
			if (n == cap)
				batch = alpr_realloc(batch, (cap = cap ? 2 * cap :
				    1024) * sizeof *batch);
			batch[n++] = rec;
		}
		alpr_reader_free(&r);
		if (f != stdin)
			fclose(f);
		if (k >= argc)
			break;
	}
	if (n > 0 && alpr_log_append_batch(l, batch, n) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to log %zu entries:", n);
	for (i = 0; i < n; i++)
		json_decref(batch[i]);
	free(batch);
	alpr_log_close(l);
	return alpr_status;
}

/* The plate an entry used: "plate", or "data"."plate". */
static const char *
plate_of(json_t *e)
{
	const char *p = alpr_rec_str(e, "plate");

	if (!p)
		p = alpr_rec_str(json_object_get(e, "data"), "plate");
	return p;
}

static off_t
log_size(const char *d)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", d, ALPR_LOG_ENTRIES);
	if (stat(p, &st) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:", p);
	return st.st_size;
}

typedef int (*entry_fn)(json_t *e, const char *line, size_t n, void *arg);

/* Call fn for each entry of the log at or after t0 and before t1, among
 * the first upto bytes (the log before our own log-read entry). */
static void
each_entry(const char *d, off_t upto, time_t t0, time_t t1, entry_fn fn,
    void *arg)
{
	struct timespec ts;
	char p[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long ln = 0;
	json_t *e;
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", d, ALPR_LOG_ENTRIES);
	if (!(f = fopen(p, "r")))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to open %s:", p);
	while ((n = getline(&line, &cap, f)) > 0 && ftello(f) <= upto) {
		ln++;
		if (line[n - 1] != '\n')
			break;	/* an incomplete last entry */
		if (!(e = json_loadb(line, n - 1, 0, NULL)) ||
		    !alpr_rec_str(e, "time") ||
		    alpr_time_parse(alpr_rec_str(e, "time"), &ts) < 0) {
			alpr_fail("%s:%lu: not a log entry (run alpr-audit "
			    "verify)", p, ln);
			json_decref(e);
			continue;
		}
		if (ts.tv_sec >= t0 && ts.tv_sec < t1)
			fn(e, line, n, arg);
		json_decref(e);
	}
	if (ferror(f))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:", p);
	free(line);
	fclose(f);
}

struct filter {
	const char *user, *action, *plate, *kase;
	long shown;
};

static int
show_one(json_t *e, const char *line, size_t n, void *arg)
{
	struct filter *f = arg;
	const char *s;

	if (f->user && (!(s = alpr_rec_str(e, "user")) || strcmp(s, f->user)))
		return 0;
	if (f->action && (!(s = alpr_rec_str(e, "action")) ||
	    strcmp(s, f->action)))
		return 0;
	if (f->plate && (!(s = plate_of(e)) || strcasecmp(s, f->plate)))
		return 0;
	if (f->kase && (!(s = alpr_rec_str(e, "case")) || strcmp(s, f->kase)))
		return 0;
	if (fwrite(line, 1, n, stdout) != n)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write:");
	f->shown++;
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	struct filter f = { 0 };
	const char *reason = NULL, *d = need_dir();
	time_t t0 = 0, t1 = (time_t)1 << 62;
	off_t upto;
	json_t *q, *what;
	int c;

	q = json_array();
	while ((c = alpr_getopt(argc, argv, "a:c:e:p:R:s:u:", NULL, usage)) !=
	    -1)
		switch (c) {
		case 'a': f.action = optarg; break;
		case 'c': f.kase = optarg; break;
		case 'e': t1 = parse_when(optarg); break;
		case 'p': f.plate = optarg; break;
		case 'R': reason = optarg; break;
		case 's': t0 = parse_when(optarg); break;
		case 'u': f.user = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("show takes options only");
	for (c = 1; c < optind; c++)
		json_array_append_new(q, json_string(argv[c]));
	what = json_pack("{s:s,s:o}", "purpose", "audit", "data", q);
	if (f.plate)
		json_object_set_new(what, "plate", json_string(f.plate));
	if (f.kase)
		json_object_set_new(what, "case", json_string(f.kase));
	if (reason)
		json_object_set_new(what, "reason", json_string(reason));
	upto = log_size(d);
	log_read(d, what);
	each_entry(d, upto, t0, t1, show_one, &f);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status ? alpr_status : f.shown ? 0 : ALPR_EXIT_FAIL;
}

/* report: counters keyed by strings, in a jansson object. */
struct report {
	json_t *per;		/* "user\tpurpose" -> searches */
	json_t *plates;		/* "user\tplate" -> {n, cases{}} */
	json_t *odd, *thin, *failed, *accounts, *releases;
	json_t *cases;		/* cases opened, changed, closed */
	json_t *hotlists;	/* hotlists signed for the cars */
	json_t *selfcase;	/* cases widened or renewed by a member */
	json_t *refused;	/* reads asked for and refused */
	json_t *released;	/* request id -> [its releases] */
	json_t *taken;		/* request id -> [its releasing steps] */
	int h0, h1;		/* usual hours, local time [h0, h1) */
	long repeats;
};

static void
bump(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	json_object_set_new(o, k, json_integer(json_integer_value(v) + 1));
}

static int
thin(const char *r)
{
	static const char *boiler[] = { "investigation", "invest", "inv",
	    "test", "testing", "n/a", "na", "none", "check", "checking",
	    "official", "official business", "work", "case", "lookup",
	    "query", "search", "-", ".", "?", "x" };
	size_t i;

	if (!r || strlen(r) < 12)
		return 1;
	for (i = 0; i < sizeof boiler / sizeof *boiler; i++)
		if (!strcasecmp(r, boiler[i]))
			return 1;
	return 0;
}

static json_t *
brief(json_t *e)
{
	static const char *keep[] = { "seq", "time", "user", "action", "plate",
	    "case", "purpose", "reason", "outcome", "count", "target",
	    "refusal" };
	json_t *b = json_object(), *v;
	size_t i;

	for (i = 0; i < sizeof keep / sizeof *keep; i++)
		if ((v = json_object_get(e, keep[i])))
			json_object_set(b, keep[i], v);
	if (!json_object_get(b, "plate") && plate_of(e))
		json_object_set_new(b, "plate", json_string(plate_of(e)));
	return b;
}

/* Does the array of strings a hold s? */
static int
names(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (s && json_string_value(v) && !strcmp(json_string_value(v),
		    s))
			return 1;
	return 0;
}

/* Is s (a member that may be missing) want? */
static int
is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static int
report_one(json_t *e, const char *line, size_t n, void *arg)
{
	struct report *r = arg;
	const char *a = alpr_rec_str(e, "action"), *u = alpr_rec_str(e, "user");
	const char *pl = plate_of(e), *k = alpr_rec_str(e, "case");
	const char *pu = alpr_rec_str(e, "purpose");
	char key[1024];
	struct timespec ts;
	struct tm tm;
	time_t t;
	json_t *p;
	int release, listing, unreasoned;

	if (!a || !u)
		return 0;
	if (!strcmp(a, "search")) {
		snprintf(key, sizeof key, "%s\t%s", u, pu ? pu : "(none)");
		bump(r->per, key);
		if (pl) {
			char *q;
			snprintf(key, sizeof key, "%s\t%s", u, pl);
			for (q = strchr(key, '\t'); *q; q++)
				*q = toupper((unsigned char)*q);
			if (!(p = json_object_get(r->plates, key))) {
				p = json_pack("{s:i,s:{},s:[]}", "n", 0, "cases",
				    "seqs");
				json_object_set_new(r->plates, key, p);
			}
			bump(p, "n");
			bump(json_object_get(p, "cases"), k ? k : "(none)");
			json_array_append(json_object_get(p, "seqs"),
			    json_object_get(e, "seq"));
		}
		alpr_time_parse(alpr_rec_str(e, "time"), &ts);
		t = ts.tv_sec;
		localtime_r(&t, &tm);
		if (tm.tm_hour < r->h0 || tm.tm_hour >= r->h1)
			json_array_append_new(r->odd, brief(e));
	}
	/* the store's listing of requests, and a decision or release it
	 * refused, release nothing and state no reason of their own */
	release = !strcmp(a, "release");
	listing = release && (p = json_object_get(e, "change")) &&
	    is(alpr_rec_str(p, "op"), "list");
	unreasoned = release && is(alpr_rec_str(e, "outcome"), "denied") &&
	    !json_object_get(e, "reason");
	if ((!strcmp(a, "search") || !strcmp(a, "export") ||
	    (release && !listing && !unreasoned)) &&
	    thin(alpr_rec_str(e, "reason")))
		json_array_append_new(r->thin, brief(e));
	if (!strcmp(a, "login-failed") || !strcmp(a, "lockout"))
		json_array_append_new(r->failed, brief(e));
	if (!strcmp(a, "user-change"))
		json_array_append_new(r->accounts, brief(e));
	if (!strcmp(a, "case") && !((p = json_object_get(e, "change")) &&
	    (is(alpr_rec_str(p, "op"), "list") ||
	    is(alpr_rec_str(p, "op"), "show")))) {
		/* with what was asked: the members named, the plates and
		 * places a case was opened or widened to */
		json_t *b = brief(e);
		if (p)
			json_object_set(b, "change", p);
		if (!json_object_get(b, "case") && alpr_rec_str(e, "target"))
			json_object_set(b, "case", json_object_get(e, "target"));
		/* a member who widens or renews their own case names
		 * themselves, and searches nothing under it alone, but
		 * asked to: for the auditor to see beside the others */
		if (p && is(alpr_rec_str(e, "outcome"), "ok") &&
		    (is(alpr_rec_str(p, "op"), "widen") ||
		    is(alpr_rec_str(p, "op"), "renew")) &&
		    names(json_object_get(p, "members"), alpr_rec_str(e,
		    "user")))
			json_array_append(r->selfcase, b);
		json_array_append_new(r->cases, b);
	}
	/* a list signed for the cars: its name, entries and plates (in
	 * parts, for a long one: each part a finding) */
	if (!strcmp(a, "hotlist-sign") && is(alpr_rec_str(e, "outcome"), "ok")) {
		json_t *b = brief(e);
		json_object_set(b, "data", json_object_get(e, "data"));
		json_array_append_new(r->hotlists, b);
	}
	/* a search, show, hold or export refused: under a case that does
	 * not name the one asking, or with no reason, is how misuse shows */
	if ((!strcmp(a, "search") || !strcmp(a, "show") ||
	    !strcmp(a, "hold") || !strcmp(a, "export") ||
	    !strcmp(a, "hotlist-ask") || !strcmp(a, "hotlist-sign")) &&
	    is(alpr_rec_str(e, "outcome"), "denied"))
		json_array_append_new(r->refused, brief(e));
	if ((release && !listing) || !strcmp(a, "purge") ||
	    !strcmp(a, "export"))
		json_array_append_new(r->releases, brief(e));
	/* a request is released once: twice means the store was turned
	 * back (an old copy of its records put in place) */
	if (release && alpr_rec_str(e, "target") &&
	    (p = json_object_get(e, "change")) && alpr_rec_str(p, "op") &&
	    (!strcmp(alpr_rec_str(p, "op"), "released") ||
	    !strcmp(alpr_rec_str(p, "op"), "releasing"))) {
		json_t *by = !strcmp(alpr_rec_str(p, "op"), "released") ?
		    r->released : r->taken;
		if (!(p = json_object_get(by, alpr_rec_str(e, "target"))))
			json_object_set_new(by, alpr_rec_str(e, "target"),
			    p = json_array());
		json_array_append_new(p, brief(e));
	}
	return 0;
}

static void
finding(const char *kind, json_t *rec)
{
	json_t *o = json_pack("{s:s,s:i,s:s}", "type", "audit-finding", "v", 1,
	    "kind", kind);

	json_object_update(o, rec);
	alpr_write_record(stdout, o);
	json_decref(o);
	json_decref(rec);
}

static void
list(const char *title, const char *kind, json_t *arr)
{
	size_t i;
	json_t *e;

	if (jflag) {
		json_array_foreach(arr, i, e)
			finding(kind, json_incref(e));
		return;
	}
	printf("\n%s: %zu\n", title, json_array_size(arr));
	json_array_foreach(arr, i, e) {
		const char *pl = alpr_rec_str(e, "plate");
		const char *k = alpr_rec_str(e, "case");
		const char *why = alpr_rec_str(e, "reason");
		const char *act = alpr_rec_str(e, "action");
		json_t *ch = json_object_get(e, "change"), *v;
		char what[64] = "", op[24];
		size_t j, n = 0;

		json_t *d = json_object_get(e, "data");

		/* a list signed: its name and how many plates */
		if ((is(act, "hotlist-sign") || is(act, "hotlist-ask")) &&
		    alpr_rec_str(d, "list")) {
			snprintf(what, sizeof what, "%.40s:%lld",
			    alpr_rec_str(d, "list"), (long long)
			    json_integer_value(json_object_get(d, "entries")));
			pl = what;
		}
		/* a case's change: its operation, and the plates named
		 * (every-read for -A) */
		if (ch && alpr_rec_str(ch, "op")) {
			snprintf(op, sizeof op, "%s %s", is(alpr_rec_str(e,
			    "outcome"), "denied") ? "refused" : "case",
			    alpr_rec_str(ch, "op"));
			act = op;
			json_array_foreach(json_object_get(ch, "plates"), j, v)
				if (n < sizeof what - 1)
					n += snprintf(what + n, sizeof what - n,
					    "%s%s", j ? "," : "",
					    json_string_value(v));
			if (json_is_true(json_object_get(ch, "any")))
				snprintf(what, sizeof what, "every-read");
			else if (!n && json_array_size(json_object_get(ch,
			    "areas")))
				snprintf(what, sizeof what, "a place");
			if (*what)
				pl = what;
		}
		printf("  %6lld %s %-10s %-12s %-9s %-10s %s%.40s%s\n",
		    (long long)json_integer_value(json_object_get(e, "seq")),
		    alpr_rec_str(e, "time"), alpr_rec_str(e, "user"),
		    act, pl ? pl : "-", k ? k : "-",
		    why ? "\"" : "", why ? why : "", why ? "\"" : "");
	}
}

/* The steps of the requests (id -> [steps]) that took a step more than
 * once, as one list. */
static json_t *
repeated(json_t *byid)
{
	json_t *out = json_array(), *v;
	const char *k;

	json_object_foreach(byid, k, v)
		if (json_array_size(v) > 1)
			json_array_extend(out, v);
	return out;
}

static void
report_print(struct report *r, const char *since_s)
{
	const char *k;
	json_t *v, *again;
	char *tab;

	if (!jflag)
		printf("access log review since %s\n\nsearches by user and "
		    "purpose:\n  %-16s %-24s %8s\n", since_s, "user", "purpose",
		    "searches");
	json_object_foreach(r->per, k, v) {
		tab = strchr(k, '\t');
		if (jflag)
			finding("searches", json_pack("{s:s%,s:s,s:I}", "user",
			    k, (size_t)(tab - k), "purpose", tab + 1, "count",
			    json_integer_value(v)));
		else
			printf("  %-16.*s %-24s %8lld\n", (int)(tab - k), k,
			    tab + 1, (long long)json_integer_value(v));
	}
	if (!jflag)
		printf("\nthe same plate searched again by one user "
		    "(%ld or more times, or under more than one case):\n",
		    r->repeats);
	json_object_foreach(r->plates, k, v) {
		long n = json_integer_value(json_object_get(v, "n"));
		size_t nc = json_object_size(json_object_get(v, "cases"));
		if (n < r->repeats && nc < 2)
			continue;
		tab = strchr(k, '\t');
		if (jflag)
			finding(nc > 1 ? "plate-across-cases" : "plate-repeated",
			    json_pack("{s:s%,s:s,s:i,s:O,s:O}", "user", k,
			    (size_t)(tab - k), "plate", tab + 1, "count", (int)n,
			    "cases", json_object_get(v, "cases"), "seqs",
			    json_object_get(v, "seqs")));
		else {
			const char *c;
			json_t *cv;
			printf("  %-16.*s %-10s %3ld searches, cases:",
			    (int)(tab - k), k, tab + 1, n);
			json_object_foreach(json_object_get(v, "cases"), c, cv)
				printf(" %s", c);
			printf("%s\n", nc > 1 ? "  <- across cases" : "");
		}
	}
	list("searches at unusual hours", "unusual-hour", r->odd);
	list("searches, exports and releases with thin reasons", "thin-reason",
	    r->thin);
	list("failed logins and lockouts", "login-failed", r->failed);
	list("account changes", "account-change", r->accounts);
	list("cases opened, changed and closed", "case-change", r->cases);
	list("cases widened or renewed by one of their members",
	    "case-self-change", r->selfcase);
	list("hotlists signed for the patrol cars", "hotlist-sign",
	    r->hotlists);
	list("searches, shows, holds, exports, asks and signings refused",
	    "refused", r->refused);
	list("releases, exports and purges", "release", r->releases);
	list("requests released more than once (the store turned back?)",
	    "released-twice", again = repeated(r->released));
	json_decref(again);
	list("releases made again after one was cut short (was its first "
	    "bundle destroyed?)", "release-retried", again =
	    repeated(r->taken));
	json_decref(again);
}

static int
cmd_report(int argc, char **argv)
{
	struct report r = { 0 };
	const char *d = need_dir(), *s0 = "the beginning";
	time_t t0 = 0;
	off_t upto;
	char *dash;
	int c;

	r.h0 = 7;
	r.h1 = 19;
	r.repeats = 3;
	while ((c = alpr_getopt(argc, argv, "H:jr:s:", NULL, usage)) != -1)
		switch (c) {
		case 'H':
			if (!(dash = strchr(optarg, '-')))
				usage("bad -H: want START-END hours, as 7-19");
			r.h1 = alpr_strtonum(dash + 1, 0, 24, "end hour");
			*dash = '\0';
			r.h0 = alpr_strtonum(optarg, 0, 24, "start hour");
			break;
		case 'j': jflag = 1; break;
		case 'r': r.repeats = alpr_strtonum(optarg, 2, 1000000,
		    "repeats"); break;
		case 's': t0 = parse_when(optarg); s0 = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("report takes options only");
	upto = log_size(d);
	log_read(d, json_pack("{s:s,s:s}", "purpose", "audit", "data",
	    "report"));
	r.per = json_object();
	r.plates = json_object();
	r.odd = json_array();
	r.thin = json_array();
	r.failed = json_array();
	r.accounts = json_array();
	r.cases = json_array();
	r.hotlists = json_array();
	r.selfcase = json_array();
	r.refused = json_array();
	r.releases = json_array();
	r.released = json_object();
	r.taken = json_object();
	each_entry(d, upto, t0, (time_t)1 << 62, report_one, &r);
	report_print(&r, s0);
	json_decref(r.per);
	json_decref(r.plates);
	json_decref(r.odd);
	json_decref(r.thin);
	json_decref(r.failed);
	json_decref(r.accounts);
	json_decref(r.cases);
	json_decref(r.hotlists);
	json_decref(r.selfcase);
	json_decref(r.refused);
	json_decref(r.releases);
	json_decref(r.released);
	json_decref(r.taken);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "init", cmd_init }, { "verify", cmd_verify },
		{ "checkpoint", cmd_checkpoint }, { "prove", cmd_prove },
		{ "verify-proof", cmd_verify_proof }, { "append", cmd_append },
		{ "show", cmd_show }, { "report", cmd_report },
	};
	size_t i;
	int c;

	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	while ((c = alpr_getopt(argc, argv, "+d:", NULL, usage)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage("no command given");
	for (i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (!strcmp(argv[0], cmds[i].name)) {
			optind = 0;
			return cmds[i].fn(argc, argv);
		}
	usage("unknown command");
}
