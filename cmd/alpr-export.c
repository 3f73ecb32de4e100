/*
 * alpr-export: evidence bundles of a store's reads (the held reads of a
 * case, or what a search finds), signed with the agency's key and sealed
 * under a passphrase for media that leave the building; releases to other
 * agencies on a request another supervisor approved; and, for the
 * receiving agency, verify and open. Every export, request and decision
 * is written to the access log before it takes effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

enum { OPT_SSH = 199, OPT_ENCRYPT = 200, OPT_PASSFILE, OPT_RELEASE, OPT_AGENCY, OPT_STATE,
	OPT_REQUESTER, OPT_PURPOSE, OPT_ID };

static const char *home;	/* -H, --home */
static const char *keyfile;	/* -K, --key-file */

static void
usage(const char *why)
{
	alpr_usage(why, "[-H home] [-K keyfile] [--encrypt "
	    "[--passphrase-file file]]\n"
	    "           -C case -R reason [-P purpose] [search] dir|file|-\n"
	    "       alpr-export [-H home] [-K keyfile] [--encrypt ...] "
	    "--release id dir|file|-\n"
	    "       alpr-export [-H home] [-K keyfile] request --agency name "
	    "--agency-state st\n"
	    "           --requester name --purpose text -C case [--id "
	    "read-id ...]\n"
	    "       alpr-export [-H home] [-K keyfile] approve id | "
	    "deny -R reason id |\n"
	    "           revoke -R reason id\n"
	    "       alpr-export [-H home] [-K keyfile] requests [-j] | key\n"
	    "       alpr-export verify -k key dir\n"
	    "       alpr-export open [--passphrase-file file] file|- dir");
}

/* A passphrase: line 1 of file ("-": of standard input), else asked on
 * the terminal (twice for a new one). Standard input serves through an
 * SSH forced command, where no file is named and a sealed bundle goes to
 * standard output, which ssh -t would make a terminal. */
static void
passphrase(const char *file, int twice, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r;
	char c;

	if (!file || strcmp(file, "-")) {
		alpr_caller_secret(file, 1, "passphrase: ", twice,
		    "--passphrase-file", buf, n);
		return;
	}
	for (;;) {	/* byte by byte: nothing past the line is taken */
		if ((r = read(0, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (r < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read the "
			    "passphrase from standard input:");
		if (r == 0 || c == '\n')
			break;
		if (len + 1 < n)
			buf[len++] = c;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
}

/* Files a person reads and writes as themselves: never as the store's
 * account. */
static void
as_oneself(const char *cmd)
{
	if (alpr_store_delegated())
		alpr_die(ALPR_EXIT_USAGE, "%s needs no store: run it as "
		    "yourself, not through sudo or SSH", cmd);
}

/* Progress on a terminal, for exports large enough to wait for. */
static void
progress(struct alpr_progress *p, long done, long total, int end)
{
	alpr_progress(p, end, "%ld of %ld reads (%d%%)", done, total,
	    total ? (int)(100 * done / total) : 100);
}

struct job {
	struct alpr_export *x;
	struct alpr_progress pr;
	long done, total;
};

static int
add_held(json_t *hold, json_t *read, const unsigned char *frame, size_t n,
    void *arg)
{
	struct job *j = arg;

	if (alpr_export_read(j->x, read, frame, n) < 0)
		return -1;
	progress(&j->pr, ++j->done, j->total, 0);
	return 0;
}

/* Reads by id (or as a search found them), each with its frame. */
static int
add_reads(struct alpr_store *s, struct job *j, json_t **recs, json_t *ids,
    size_t n)
{
	unsigned char *frame;
	const char *rid;
	json_t *rec;
	size_t i, nf;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		rid = recs ? alpr_rec_str(recs[i], "read_id") :
		    json_string_value(json_array_get(ids, i));
		if ((r = alpr_store_get(s, rid, &rec, &frame, &nf)) != 0) {
			alpr_warn("%s: %s", rid, r > 0 ? "no longer in the "
			    "store" : "unreadable");
			return -1;
		}
		r = alpr_export_read(j->x, recs ? recs[i] : rec, frame, nf);
		if (frame) {
			sodium_memzero(frame, nf);
			free(frame);
		}
		json_decref(rec);
		progress(&j->pr, ++j->done, j->total, 0);
	}
	return r;
}

/* Undo a destination made before the log entry that failed. */
static void
unmake(const char *out, int dir)
{
	if (strcmp(out, "-"))
		(dir ? rmdir : unlink)(out);
}

/*
 * An export: the held reads of a case, what a search finds, or what an
 * approved request asks for. Checked, then its destination made (a new
 * folder, or a new file, or standard output), then written to the access
 * log, and only then written.
 */
static int
cmd_export(struct alpr_search *x, const char *release, int sealed,
    const char *passfile, char **ops, int nops)
{
	struct alpr_justification *jj = &x->j;
	struct alpr_result res = { 0 };
	struct alpr_store *s;
	struct job job = { 0 };
	const char *out, *e;
	char pass[1100], why[400];
	json_t *terms, *req = NULL, *taken = NULL, *ids = NULL, *held = NULL;
	json_t *custody, *ent, *rel;
	json_t *v;
	struct stat sb;
	size_t i;
	long n = 0;
	int r, fd = -1, search, err;

	if (nops < 1 || nops > 2)
		usage(nops ? "an export takes at most a plate or pattern and "
		    "its destination" : "give the bundle's folder, or with "
		    "--encrypt its file (- for standard output)");
	out = ops[nops - 1];
	if (x->fmt || x->nids)
		usage(x->fmt ? "-c and -t are for alpr-store find" : "--id is "
		    "for a request");
	alpr_search_end(x, nops == 2 ? ops[0] : NULL, usage);
	search = alpr_search_names(x);
	if (!search && json_object_size(x->terms))
		usage("a search names a plate, a pattern, a hotlist or a place; "
		    "time and camera only narrow it");
	if (release && (search || jj->kase || jj->reason || jj->purpose))
		usage("--release takes no case, reason or search: the request "
		    "states them");
	if (!release && !search && !jj->kase)
		usage("an export names what it exports: the held reads of a "
		    "case (-C case), a search, or a release (--release id)");
	if (passfile && !sealed)
		usage("--passphrase-file is for --encrypt");
	if (!strcmp(out, "-") && (!sealed || isatty(1)))
		usage(sealed ? "a sealed bundle is not written to a terminal" :
		    "only a sealed bundle (--encrypt) goes to standard output");
	if (strcmp(out, "-") && lstat(out, &sb) == 0)
		alpr_die(ALPR_EXIT_FAIL, "%s exists: an export never writes "
		    "over anything", out);

	s = alpr_store_need(home, keyfile);
	terms = json_deep_copy(x->terms);
	if (release)
		json_object_set_new(terms, "release", json_string(release));
	else if (!search)
		json_object_set_new(terms, "holds_of_case",
		    json_string(jj->kase));
	if ((r = alpr_session_resume(s, ALPR_MAY_EXPORT)) != 0)
		goto out;
	if (search && !alpr_role_may(alpr_store_actor(s)->role,
	    alpr_search_perm(x))) {
		r = alpr_store_refuse(s, "export", terms, jj, "the role may not "
		    "search by pattern, fuzzy, place, camera or hotlist");
		goto out;
	}
	/* a search states its purpose; the held reads of a case go out as
	 * its evidence, unless another is stated: the purpose the log
	 * records (Civil Code 1798.90.52) and the custody record states */
	if (!release && (r = search ? alpr_store_justified(s, "export", terms,
	    jj) : alpr_store_justified_evidence(s, "export", terms, jj)) != 0)
		goto out;

	/* what goes out, counted before anything is written */
	if (release) {
		if ((r = alpr_release_get(s, release, &req)) != 0) {
			if (r > 0)
				alpr_store_deny(s, "release", release,
				    "no such request");
			goto out;
		}
		if (!(e = alpr_rec_str(req, "state")) || strcmp(e,
		    "approved")) {
			snprintf(why, sizeof why, !e || strcmp(e, "releasing") ?
			    "the request is %s: only an approved request is "
			    "released, once" : "the request is %s: its release "
			    "was cut short, and its bundle may be whole; another "
			    "supervisor approves it again (alpr-export approve), "
			    "or revokes it", e ? e : "-");
			r = alpr_store_deny(s, "release", release, why);
			goto out;
		}
		ids = json_object_get(req, "read_ids");
		n = json_array_size(ids);
		if (alpr_release_of_holds(req)) {
			/* the reads the case's holds held when it was filed */
			if (!(held = alpr_hold_ids(s, alpr_rec_str(req, "case")))) {
				r = -1;
				goto out;
			}
			json_array_foreach(ids, i, v)
				if (!json_object_get(held, json_string_value(v))) {
					r = alpr_store_deny(s, "release", release,
					    "a read the request asks for is no "
					    "longer held: file it again");
					goto out;
				}
		}
	} else if (search) {
		if ((r = alpr_search_run(s, x, "export", &res)) != 0)
			goto out;
		if (res.more || res.n == 0) {
			r = alpr_store_refuse(s, "export", terms, jj, res.n ?
			    "the search finds more reads than max_results: "
			    "narrow it" : "the search finds no reads");
			goto out;
		}
		n = res.n;
	} else {
		if (!(held = alpr_hold_ids(s, jj->kase))) {
			r = -1;
			goto out;
		}
		if (!(n = json_object_size(held))) {
			r = alpr_store_refuse(s, "export", terms, jj, "no hold "
			    "keeps reads of the case: hold them first "
			    "(alpr-store hold add)");
			goto out;
		}
	}
	if (sealed) {
		passphrase(passfile, 1, pass, sizeof pass);
		if ((e = alpr_password_rules(alpr_store_conf(s),
		    alpr_store_actor(s)->user, pass, why, sizeof why))) {
			alpr_warn("passphrase refused: %s", e);
			r = 1;
			goto out;
		}
	}

	/* the destination, made only where the caller may have it */
	fd = strcmp(out, "-") ? alpr_caller_create(out, !sealed) : 1;
	if (fd < 0) {
		err = errno;
		snprintf(why, sizeof why, "unable to make %s: %s", out,
		    strerror(err));
		r = alpr_store_refuse(s, "export", terms, jj, why);
		if (err != EPERM && err != EACCES && err != EEXIST)
			r = -1;
		goto out;
	}
	/* the log entry, before any file */
	if (release && (r = alpr_release_take(s, release, &taken)) != 0) {
		unmake(out, !sealed);
		goto out;
	}
	ent = alpr_store_access("export", NULL, terms, jj, n, 0);
	json_object_set_new(ent, "output", json_string(out));
	json_object_set_new(ent, "sealed", json_boolean(sealed));
	if (release) {
		json_object_set_new(ent, "target", json_string(release));
		json_object_set(ent, "case", json_object_get(req, "case"));
		json_object_set(ent, "reason", json_object_get(req, "purpose"));
		json_object_set(ent, "agency", json_object_get(req, "agency"));
	}
	if (alpr_store_log_access(s, ent) < 0) {
		unmake(out, !sealed);
		r = -1;
		goto out;
	}

	custody = json_pack("{s:s,s:i}", "type", "custody", "v", 1);
	if (release) {
		json_object_set(custody, "case", json_object_get(req, "case"));
		json_object_set(custody, "purpose", json_object_get(req,
		    "purpose"));
		/* what the bundle is once whole */
		rel = json_deep_copy(taken);
		json_object_set_new(rel, "state", json_string("released"));
		json_object_set_new(custody, "release", rel);
	} else {
		json_object_set_new(custody, "case", json_string(jj->kase));
		json_object_set_new(custody, "purpose", json_string(
		    jj->purpose));
		json_object_set_new(custody, "reason", json_string(jj->reason));
		if (search)
			json_object_set(custody, "search", x->terms);
	}
	job.x = alpr_export_begin(s, fd, out, sealed ? pass : NULL, custody);
	json_decref(custody);
	if (!job.x) {
		if (fd != 1)
			close(fd);
		r = -1;
		goto out;
	}
	job.total = n;
	alpr_progress_start(&job.pr, n >= 100);
	/* reads by id are read by id, not through the case's holds */
	if (release && alpr_release_of_holds(req)) {
		json_object_clear(held);
		json_array_foreach(ids, i, v)
			json_object_set_new(held, json_string_value(v),
			    json_true());
		r = alpr_hold_reads(s, alpr_rec_str(req, "case"), held,
		    add_held, &job) == n ? 0 : -1;
	} else if (release)
		r = add_reads(s, &job, NULL, ids, n);
	else if (search)
		r = add_reads(s, &job, alpr_result_json(&res), NULL, n);
	else
		r = alpr_hold_reads(s, jj->kase, NULL, add_held, &job) == n ?
		    0 : -1;
	if (r == 0)
		r = alpr_export_end(job.x);
	progress(&job.pr, job.done, job.total, 1);
	if (r != 0)
		alpr_warn("%s is incomplete: it does not verify; remove it and "
		    "%s", out, release ? "have another supervisor approve the "
		    "request again (it stays releasing)" : "export again");
	else if (release && alpr_release_done(s, release) != 0) {
		alpr_warn("%s is whole, but request %s could not be marked "
		    "released: it stays releasing", out, release);
		r = -1;
	} else if (isatty(2))
		fprintf(stderr, "%s: %s: %ld reads, signed by the agency's key%s\n",
		    alpr_progname, out, alpr_export_count(job.x), sealed ?
		    ", sealed" : "");
	alpr_export_free(job.x);
out:
	sodium_memzero(pass, sizeof pass);
	alpr_result_free(&res);
	json_decref(req);
	json_decref(taken);
	json_decref(held);
	json_decref(terms);
	alpr_search_free(x);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_verify(int argc, char **argv)
{
	const char *kfile = NULL;
	char *vkey;
	json_t *about;
	int c, r;

	as_oneself("verify");
	while ((c = alpr_getopt(argc, argv, "k:", NULL, usage)) != -1)
		switch (c) {
		case 'k': kfile = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc - 1)
		usage("verify wants one bundle folder");
	if (!kfile)
		usage("verify wants the agency's verifier key: -k key");
	vkey = alpr_note_vkey_read(kfile);
	r = alpr_export_verify(argv[optind], vkey, &about);
	free(vkey);
	if (r == 0)
		printf("%s: good: %lld files, signed by %s's key; case %s, %s "
		    "reads, exported %s\n", argv[optind],
		    json_integer_value(json_object_get(about, "files")),
		    alpr_rec_str(about, "agency"), alpr_rec_str(about, "case"),
		    alpr_rec_str(about, "reads"), alpr_rec_str(about,
		    "exported"));
	json_decref(about);
	alpr_fshut(stdout, "<stdout>");
	return alpr_exit_status(r);
}

static int
cmd_open(int argc, char **argv)
{
	static struct option lo[] = {
		{ "passphrase-file", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 } };
	const char *passfile = NULL;
	char pass[1100];
	long n;
	int c;

	as_oneself("open");
	while ((c = alpr_getopt(argc, argv, "p:", lo, usage)) != -1)
		switch (c) {
		case 'p': passfile = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc - 2)
		usage("open wants a sealed bundle and a new folder");
	if (passfile && !strcmp(passfile, "-") && !strcmp(argv[optind], "-"))
		usage("the bundle and its passphrase do not both come from "
		    "standard input");
	passphrase(passfile, 0, pass, sizeof pass);
	n = alpr_export_open(argv[optind], pass, argv[optind + 1]);
	sodium_memzero(pass, sizeof pass);
	if (n < 0)
		return n == -2 ? ALPR_EXIT_FAIL : ALPR_EXIT_SYS;
	if (isatty(2))
		fprintf(stderr, "%s: %s: %ld files; check them with %s verify "
		    "-k KEY %s\n", alpr_progname, argv[optind + 1], n,
		    alpr_progname, argv[optind + 1]);
	return 0;
}

static int
cmd_request(int argc, char **argv)
{
	static struct option lo[] = {
		{ "agency", required_argument, 0, OPT_AGENCY },
		{ "agency-state", required_argument, 0, OPT_STATE },
		{ "requester", required_argument, 0, OPT_REQUESTER },
		{ "purpose", required_argument, 0, OPT_PURPOSE },
		{ "case", required_argument, 0, 'C' },
		{ "id", required_argument, 0, OPT_ID },
		{ 0, 0, 0, 0 } };
	struct alpr_store *s;
	json_t *req = json_object(), *ids = json_array();
	char id[40];
	int c, r;

	while ((c = alpr_getopt(argc, argv, "C:", lo, usage)) != -1)
		switch (c) {
		case OPT_AGENCY: json_object_set_new(req, "agency",
		    json_string(optarg)); break;
		case OPT_STATE: json_object_set_new(req, "agency_state",
		    json_string(optarg)); break;
		case OPT_REQUESTER: json_object_set_new(req, "requester",
		    json_string(optarg)); break;
		case OPT_PURPOSE: json_object_set_new(req, "purpose",
		    json_string(optarg)); break;
		case 'C': json_object_set_new(req, "case",
		    json_string(optarg)); break;
		case OPT_ID: json_array_append_new(ids, json_string(optarg));
		    break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("request takes options only");
	if (json_array_size(ids))
		json_object_set(req, "read_ids", ids);
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_EXPORT)) == 0 &&
	    (r = alpr_release_file(s, req, id, sizeof id)) == 0)
		printf("%s %zu\n", id, json_array_size(json_object_get(req,
		    "read_ids")));
	json_decref(req);
	json_decref(ids);
	alpr_store_close(s);
	alpr_fshut(stdout, "<stdout>");
	return alpr_exit_status(r);
}

static int
cmd_decide(int argc, char **argv)
{
	struct alpr_store *s;
	const char *reason = NULL;
	int c, r, deny = !strcmp(argv[0], "deny");
	int revoke = !strcmp(argv[0], "revoke");

	while ((c = alpr_getopt(argc, argv, "R:", NULL, usage)) != -1)
		switch (c) {
		case 'R': reason = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc - 1)
		usage("approve, deny and revoke want a request id");
	if (reason && !deny && !revoke)
		usage("-R is for deny and revoke");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_EXPORT)) == 0)
		r = deny ? alpr_release_deny(s, argv[optind], reason) : revoke ?
		    alpr_release_revoke(s, argv[optind], reason) :
		    alpr_release_approve(s, argv[optind]);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static void
print_request(json_t *q, void *arg)
{
	int *j = arg;
	const char *kase = alpr_rec_str(q, "case");
	json_t *v;
	size_t i;

	if (*j) {
		alpr_write_record(stdout, q);
		return;
	}
	printf("%-6s %-9s %-12s %5zu %-2s %-32s %-20s %-12s %s",
	    alpr_rec_str(q, "id"), alpr_rec_str(q, "state"), kase ? kase : "-",
	    json_array_size(json_object_get(q, "read_ids")),
	    alpr_rec_str(q, "agency_state"), alpr_rec_str(q, "agency"),
	    alpr_rec_str(q, "requester"), alpr_rec_str(q, "filed_by"),
	    alpr_rec_str(q, "purpose"));
	/* reads by id: their plates, for the one who decides */
	json_array_foreach(json_object_get(q, "plates"), i, v)
		printf("%s%s", i ? "," : "  plates ", json_string_value(v));
	putchar('\n');
}

static int
cmd_requests(int argc, char **argv)
{
	struct alpr_store *s;
	struct alpr_actor *a;
	int c, r, j = 0;

	while ((c = alpr_getopt(argc, argv, "j", NULL, usage)) != -1)
		switch (c) {
		case 'j': j = 1; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("requests takes no operands");
	s = alpr_store_need(home, keyfile);
	a = alpr_store_actor(s);
	if ((r = alpr_session_resume(s, ALPR_MAY_NONE)) == 0) {
		if (!alpr_role_may(a->role, ALPR_MAY_EXPORT) &&
		    !alpr_role_may(a->role, ALPR_MAY_AUDIT))
			r = alpr_store_deny(s, "release", NULL, "only a "
			    "supervisor or an auditor lists requests");
		else
			r = alpr_release_list(s, print_request, &j);
	}
	alpr_store_close(s);
	alpr_fshut(stdout, "<stdout>");
	return alpr_exit_status(r);
}

static int
cmd_key(int argc, char **argv)
{
	struct alpr_store *s;
	char *vkey;
	int r;

	alpr_no_operands(argc, argv, "key takes no operands", usage);
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_NONE)) == 0) {
		if ((vkey = alpr_export_vkey(s))) {
			printf("%s\n", vkey);
			free(vkey);
		} else
			r = -1;
	}
	alpr_store_close(s);
	alpr_fshut(stdout, "<stdout>");
	return alpr_exit_status(r);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "verify", cmd_verify }, { "open", cmd_open },
	{ "request", cmd_request }, { "approve", cmd_decide },
	{ "deny", cmd_decide }, { "revoke", cmd_decide },
	{ "requests", cmd_requests },
	{ "key", cmd_key },
};

int
main(int argc, char **argv)
{
	static const struct option own[] = {
		{ "home", required_argument, 0, 'H' },
		{ "key-file", required_argument, 0, 'K' },
		{ "encrypt", no_argument, 0, OPT_ENCRYPT },
		{ "passphrase-file", required_argument, 0, OPT_PASSFILE },
		{ "release", required_argument, 0, OPT_RELEASE },
		{ "ssh", required_argument, 0, OPT_SSH } };
	struct option lo[32];
	const struct option *so = alpr_search_longopts();
	struct alpr_search x;
	const char *release = NULL, *passfile = NULL, *prog;
	char *ops[3];
	int c, i, n = 0, nops = 0, sealed = 0, exportopts = 0, ssh = 0;
	size_t k;

	alpr_setprogname(argv[0]);
	umask(077);
	alpr_crypto_init();
	for (k = 0; k < sizeof own / sizeof *own; k++)
		lo[n++] = own[k];
	for (; so->name; so++)
		lo[n++] = *so;
	memset(&lo[n], 0, sizeof lo[n]);
	alpr_search_init(&x);
	/* options and operands in any order, but a command comes first,
	 * after -H and -K only */
	for (;;) {
		while ((c = alpr_getopt(argc, argv, "+H:K:" ALPR_SEARCH_OPTS,
		    lo, usage)) != -1) {
			switch (c) {
			case 'H':
			case 'K':
				if (ssh)
					alpr_die(ALPR_EXIT_USAGE, "the home and "
					    "key file are set by the forced "
					    "command, not by the caller");
				*(c == 'H' ? &home : &keyfile) = optarg;
				continue;
			case OPT_SSH:
				/* alpr-store --ssh NAME runs us so for a
				 * command of ours: read it again, as NAME's */
				if (ssh || exportopts || nops)
					usage("--ssh comes first, alone");
				argv = alpr_ssh_args(optarg, &argc, &prog);
				if (!prog || strcmp(prog, "alpr-export"))
					alpr_die(ALPR_EXIT_USAGE, "--ssh runs a "
					    "command of alpr-export's only");
				ssh = 1;
				optind = 0;
				continue;
			case OPT_ENCRYPT: sealed = 1; break;
			case OPT_PASSFILE: passfile = optarg; break;
			case OPT_RELEASE: release = optarg; break;
			default:
				if (!alpr_search_opt(&x, c, optarg, usage))
					usage(NULL);
			}
			exportopts = 1;
		}
		if (optind >= argc)
			break;
		if (!nops && !exportopts)
			for (i = 0; i < (int)(sizeof cmds / sizeof *cmds); i++)
				if (!strcmp(argv[optind], cmds[i].name)) {
					argc -= optind;
					argv += optind;
					optind = 0;
					return cmds[i].fn(argc, argv);
				}
		if (nops == 3)
			usage("too many operands");
		if (!strcmp(argv[optind - 1], "--")) {
			while (optind < argc && nops < 3)
				ops[nops++] = argv[optind++];
			if (optind < argc)
				usage("too many operands");
			break;
		}
		ops[nops++] = argv[optind++];
	}
	if (!nops && !exportopts)
		usage(NULL);
	return cmd_export(&x, release, sealed, passfile, ops, nops);
}
