/*
 * alpr-store: keep reads sealed in a store, and reach them only as a
 * logged-in, trained user with a stated purpose, case and reason; every
 * access written to the access log first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

static const char *home;	/* -H, --home */
static const char *keyfile;	/* -K, --key-file */
static int device_key;		/* --device: a device's SSH forced command */

static void
usage(const char *why)
{
	alpr_usage(why, "[-H home] [-K keyfile] command [options]\n"
	    "  init [-a agency] [-o origin] [-u admin] [--password-file file]\n"
	    "       [--totp-file file] [-n every] [-w seconds] [--cipher name]\n"
	    "  add [-D device] [-s spool] [file ...]\n"
	    "  login [-u user] [-c code] [--password-file file]\n"
	    "        [--new-password-file file] [--totp-file file]\n"
	    "  logout | whoami | roles\n"
	    "  passwd [--password-file file]\n"
	    "  user add name -r role [--password-file file]\n"
	    "  user approve|enable|unlock|show name\n"
	    "  user disable name [-R reason]\n"
	    "  user role name role\n"
	    "  user passwd name [--password-file file]\n"
	    "  user totp name\n"
	    "  user train name [-c date] [-e date]\n"
	    "  user list [-j]\n"
	    "  find -P purpose -C case -R reason [-ct] [-f[N]] [--from time]\n"
	    "       [--to time] [--camera name] [--near lat,lon --radius m]\n"
	    "       [--hotlist file [-e | -d n]] [--limit n] [plate]\n"
	    "  show -P purpose -C case -R reason [-o file] read-id\n"
	    "  hold add -C case -R reason [--id read-id ...] [find options]\n"
	    "  hold release -R reason id | hold list [-j]\n"
	    "  case open case [-d days] [-A] [-a lat,lon,m] [-p plate] -R reason "
	    "user ...\n"
	    "  case add|drop case -R reason user ...\n"
	    "  case widen case [-A] [-a lat,lon,m] [-p plate] -R reason\n"
	    "  case renew case [-d days] -R reason | case close case -R reason\n"
	    "  case list [-j] | case show [-j] case\n"
	    "  hotlist ask -R reason [-n name] list | hotlist sign -R reason ask\n"
	    "  push [-v] [-e ssh-command] [user@]host\n"
	    "  policy [--html]");
}

/* A secret from line lineno of file, else asked on the terminal. */
static void
secret(const char *file, int lineno, const char *prompt, char *buf, size_t n)
{
	alpr_caller_secret(file, lineno, prompt, 0, "--password-file", buf, n);
}

/* A new password, asked twice on the terminal. */
static void
new_password(const char *file, int lineno, char *buf, size_t n)
{
	alpr_caller_secret(file, lineno, "new password: ", 1,
	    "--password-file", buf, n);
}

/* Show a new second factor: to a file, or as a QR code on a terminal. */
static void
enrol(struct alpr_store *s, const char *user, const char *sec,
    const char *file)
{
	const struct alpr_storeconf *c = alpr_store_conf(s);
	char *uri = alpr_totp_uri(c->agency, user, sec), *text;
	size_t n;
	int fd;

	if (file) {
		n = strlen(sec) + strlen(uri) + 3;
		text = alpr_malloc(n);
		snprintf(text, n, "%s\n%s\n", sec, uri);
		fd = strcmp(file, "-") ? alpr_caller_create(file, 0) : 1;
		if (fd < 0 ||
		    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
		    (fd != 1 && close(fd) < 0))
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to write a new "
			    "file %s:", file);
		sodium_memzero(text, n);
		free(text);
	} else {
		if (isatty(1)) {
			printf("Scan this with the authenticator app of %s's "
			    "phone:\n", user);
			alpr_totp_qr(stdout, uri);
		}
		printf("%s\n", uri);
	}
	sodium_memzero(uri, strlen(uri));
	free(uri);
}

static int
cmd_init(int argc, char **argv)
{
	static struct option lo[] = {
		{ "password-file", required_argument, 0, 'p' },
		{ "totp-file", required_argument, 0, 't' },
		{ "cipher", required_argument, 0, 'C' },
		{ 0, 0, 0, 0 } };
	struct alpr_store_initopt o = { NULL, "alpr-access-log", NULL, 0, 0,
	    NULL };
	struct alpr_storeconf def;
	struct alpr_store *s;
	const char *admin = "admin", *pwfile = NULL, *totpfile = NULL, *e;
	char pw[1100], why[200], *vkey, *sec;
	int c, r;

	while ((c = alpr_getopt(argc, argv, "a:n:o:p:t:u:w:", lo, usage)) != -1)
		switch (c) {
		case 'a': o.agency = optarg; break;
		case 'C': o.cipher = optarg; break;
		case 'n': o.every = alpr_strtonum(optarg, 1, 1000000000,
		    "checkpoint interval"); break;
		case 'o': o.origin = optarg; break;
		case 'p': pwfile = optarg; break;
		case 't': totpfile = optarg; break;
		case 'u': admin = optarg; break;
		case 'w': o.window = alpr_strtonum(optarg, 60, 366 * 86400,
		    "window"); break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("init takes no operands");
	if (alpr_store_delegated())
		alpr_die(ALPR_EXIT_USAGE, "init is run by the store's own "
		    "account, not through sudo or SSH");
	if (!alpr_user_name_ok(admin))
		usage("bad admin account name");
	if (!(o.cipher = alpr_store_cipher(o.cipher)))
		return ALPR_EXIT_USAGE;
	o.keyfile = keyfile;
	if (!keyfile && !alpr_store_keyfile(NULL, NULL))
		usage("no key file: give --key-file or set ALPR_KEY_FILE");
	/* the first admin's password is checked before anything is made */
	new_password(pwfile, 1, pw, sizeof pw);
	alpr_storeconf_init(&def);
	if (o.agency) {
		free(def.agency);
		def.agency = alpr_strdup(o.agency);
	}
	e = alpr_password_rules(&def, admin, pw, why, sizeof why);
	alpr_storeconf_free(&def);
	if (e)
		alpr_die(ALPR_EXIT_FAIL, "%s: password refused: %s", admin, e);
	/* a home made already is a refusal (alpr_fail), anything else a
	 * system error */
	if (!(vkey = alpr_store_create(alpr_store_home(home), &o)))
		return alpr_status == ALPR_EXIT_FAIL ? ALPR_EXIT_FAIL :
		    ALPR_EXIT_SYS;
	s = alpr_store_need(home, keyfile);
	r = alpr_user_bootstrap(s, admin, pw, &sec);
	sodium_memzero(pw, sizeof pw);
	if (r != 0) {
		alpr_store_close(s);
		return alpr_exit_status(r);
	}
	printf("%s\n", vkey);
	if (isatty(2))
		fprintf(stderr, "%s: the line above is the access log's public "
		    "key: keep it away from this machine; alpr-audit -d %s "
		    "verify -k checks the log against it\n", alpr_progname,
		    alpr_store_logdir(s));
	enrol(s, admin, sec, totpfile);
	free(sec);
	free(vkey);
	alpr_store_close(s);
	return 0;
}

static void
add_file(struct alpr_ingest *g, const char *name, int *r)
{
	char *p = strcmp(name, "-") ? alpr_caller_file(name, 0) : NULL;
	int fd;
	struct stat sb;

	if (!p && strcmp(name, "-")) {
		/* said; not the caller's is a refusal, a file that does not
		 * open a system error (alpr(7)) */
		alpr_status_raise(errno == EPERM ? ALPR_EXIT_FAIL :
		    ALPR_EXIT_SYS);
		return;
	}
	fd = p ? open(p, O_RDONLY | O_CLOEXEC) : 0;
	free(p);
	if (fd < 0) {
		/* missing or unreadable: a system error (alpr(7)) */
		alpr_fail_sys("unable to open %s:", name);
		return;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		alpr_fail("%s: is a folder", name);
		close(fd);
		return;
	}
	if (alpr_ingest_fd(g, fd, strcmp(name, "-") ? name : "<stdin>") < 0)
		*r = -1;
	if (fd != 0)
		close(fd);
}

/* Ingest as a device account: a device never logs in; it is the store's
 * own account that runs it (a pipeline, an SSH forced command), never a
 * person through sudo. A device's SSH key is a credential, and one unused
 * for inactive_days is disabled (alpr_device_use); the service account's
 * own pipeline holds the key file already, and refusing it would only
 * lose the reads of a car back from the shop. */
static int
as_device(struct alpr_store *s, const char *dev)
{
	struct alpr_actor *a = alpr_store_actor(s);
	json_t *acct = NULL;
	int r = 1;

	if (alpr_store_delegated() && !device_key)
		return alpr_store_deny(s, "add", dev, "a device account is not "
		    "used through sudo or a person's SSH key: people add reads "
		    "only as an admin, logged in");
	if (alpr_user_lookup(s, dev, &acct) < 0)
		return -1;
	if (!acct)
		return alpr_store_deny(s, "add", dev, "no such account");
	if (alpr_user_role(acct) != ALPR_ROLE_DEVICE)
		alpr_store_deny(s, "add", dev, "not a device account");
	else if (strcmp(json_string_value(json_object_get(acct, "status")),
	    "active"))
		alpr_store_deny(s, "add", dev, "the device account is not "
		    "approved and active");
	else if (!device_key || (r = alpr_device_use(s, dev)) == 0) {
		snprintf(a->user, sizeof a->user, "%s", dev);
		a->role = ALPR_ROLE_DEVICE;
		r = 0;
	}
	json_decref(acct);
	return r;
}

/* What a car's push is told after each batch (push.c): the lines from
 * the one after the last answer through this batch's last. */
static void
answer(unsigned long through, const unsigned long *refused, size_t n,
    void *arg)
{
	static unsigned long last;
	size_t i;

	printf("{\"type\":\"stored\",\"v\":1,\"from\":%lu,\"through\":%lu,"
	    "\"refused\":[", last + 1, through);
	last = through;
	for (i = 0; i < n; i++)
		printf("%s%lu", i ? "," : "", refused[i]);
	printf("]}\n");
	fflush(stdout);
}

static int
cmd_add(int argc, char **argv)
{
	struct alpr_ingest_stats st;
	struct alpr_ingest *g;
	struct alpr_store *s;
	const char *dev = NULL, *spool = NULL;
	struct stat o, e;
	int c, r = 0, i;

	while ((c = alpr_getopt(argc, argv, "D:s:", NULL, usage)) != -1)
		switch (c) {
		case 'D': dev = optarg; break;
		case 's': spool = optarg; break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(0))
		usage("add reads records from files or standard input");
	s = alpr_store_need(home, keyfile);
	r = dev ? as_device(s, dev) : alpr_session_resume(s, ALPR_MAY_ADD);
	if (r != 0) {
		alpr_store_close(s);
		return alpr_exit_status(r);
	}
	if (alpr_store_delegated() == 'H') {
		if (spool)
			usage("no spool through SSH: frames come with the reads");
	} else {
		spool = alpr_spool_dir(spool);
		if (alpr_store_delegated() &&
		    !(spool = alpr_caller_file(spool, 1)))
			exit(ALPR_EXIT_FAIL);
	}
	g = alpr_ingest_new(s, spool);
	if (device_key) {
		/* the car's push waits for these */
		alpr_ingest_ack(g, answer, NULL);
		/* and what is said on standard error goes to a car that may
		 * not read it: it must never stall a write transaction that
		 * holds the store, so what does not fit is dropped (unless
		 * it is standard output too, whose answers must all go) */
		if (fstat(1, &o) < 0 || fstat(2, &e) < 0 ||
		    o.st_dev != e.st_dev || o.st_ino != e.st_ino)
			fcntl(2, F_SETFL, fcntl(2, F_GETFL) | O_NONBLOCK);
	}
	if (argc == 0)
		add_file(g, "-", &r);
	for (i = 0; i < argc && r == 0; i++)
		add_file(g, argv[i], &r);
	if ((c = alpr_ingest_end(g, &st)) != 0)
		r = c;
	alpr_store_close(s);
	/* the worse of the store's answer and the records' */
	c = alpr_exit_status(r);
	return c > alpr_status ? c : alpr_status;
}

static int
cmd_login(int argc, char **argv)
{
	static struct option lo[] = {
		{ "password-file", required_argument, 0, 'p' },
		{ "new-password-file", required_argument, 0, 'N' },
		{ "totp-file", required_argument, 0, 't' },
		{ 0, 0, 0, 0 } };
	struct alpr_store *s;
	const char *user = NULL, *code = NULL, *pwfile = NULL, *newfile = NULL;
	const char *totpfile = NULL;
	char ubuf[64], pw[1100], cbuf[32], npw[1100], *sec;
	int c, r, must;

	while ((c = alpr_getopt(argc, argv, "c:N:p:t:u:", lo, usage)) != -1)
		switch (c) {
		case 'c': code = optarg; break;
		case 'N': newfile = optarg; break;
		case 'p': pwfile = optarg; break;
		case 't': totpfile = optarg; break;
		case 'u': user = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("login takes no operands");
	if (!user) {
		if (alpr_ask("user: ", 1, ubuf, sizeof ubuf) < 0)
			usage("no terminal: give -u user");
		user = ubuf;
	}
	secret(pwfile, 1, "password: ", pw, sizeof pw);
	if (!code) {
		if (alpr_ask("code from the authenticator app (at the first "
		    "login, none: Enter): ", 1, cbuf, sizeof cbuf) < 0)
			cbuf[0] = '\0';
		code = cbuf;
	}
	s = alpr_store_need(home, keyfile);
	r = alpr_login(s, user, pw, code, &must, &sec);
	if (r == 2) {
		/* the first login: the second factor, shown to its owner */
		enrol(s, user, sec, totpfile);
		fprintf(stderr, "%s: %s: second factor enrolled: log in again "
		    "with a code from the app\n", alpr_progname, user);
		sodium_memzero(sec, strlen(sec));
		free(sec);
		r = 1;
	}
	if (r == 0)
		r = alpr_session_start(s);
	if (r == 0 && must) {
		/* until this succeeds, the session does nothing but passwd */
		fprintf(stderr, "%s: %s: the password was set by an admin: "
		    "choose your own now\n", alpr_progname, user);
		new_password(newfile, 1, npw, sizeof npw);
		if ((r = alpr_user_passwd(s, user, pw, npw)) == 0)
			r = alpr_session_start(s);
		sodium_memzero(npw, sizeof npw);
	}
	sodium_memzero(pw, sizeof pw);
	if (r == 0 && isatty(2))
		fprintf(stderr, "%s: logged in as %s (%s); the session ends "
		    "after %ld minutes idle or %ld hours\n", alpr_progname,
		    user, alpr_role_name(alpr_store_actor(s)->role),
		    alpr_store_conf(s)->session_idle_minutes,
		    alpr_store_conf(s)->session_max_hours);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_logout(int argc, char **argv)
{
	struct alpr_store *s;
	int r;

	alpr_no_operands(argc, argv, "logout takes no operands", usage);
	s = alpr_store_need(home, keyfile);
	r = alpr_session_logout(s);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_whoami(int argc, char **argv)
{
	struct alpr_store *s;
	struct alpr_actor *a;
	int r;

	alpr_no_operands(argc, argv, "whoami takes no operands", usage);
	s = alpr_store_need(home, keyfile);
	a = alpr_store_actor(s);
	if ((r = alpr_session_resume(s, ALPR_MAY_NONE)) == 0)
		printf("%s %s %s\n", a->user, alpr_role_name(a->role),
		    a->client);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_passwd(int argc, char **argv)
{
	static struct option lo[] = {
		{ "password-file", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 } };
	struct alpr_store *s;
	const char *pwfile = NULL;
	char old[1100], pw[1100];
	int c, r;

	while ((c = alpr_getopt(argc, argv, "p:", lo, usage)) != -1)
		switch (c) {
		case 'p': pwfile = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("passwd takes no operands");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_NONE)) == 0) {
		secret(pwfile, 1, "current password: ", old, sizeof old);
		new_password(pwfile, 2, pw, sizeof pw);
		r = alpr_user_passwd(s, alpr_store_actor(s)->user, old, pw);
		if (r == 0)
			r = alpr_session_start(s);
	}
	sodium_memzero(old, sizeof old);
	sodium_memzero(pw, sizeof pw);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static void
print_account(json_t *u, void *arg)
{
	int *j = arg;
	json_t *t = json_object_get(u, "training");
	const char *v, *used;

	if (*j) {
		alpr_write_record(stdout, u);
		return;
	}
	v = json_string_value(json_object_get(u, "status"));
	/* a person's last login, a device's last add */
	used = json_string_value(json_object_get(u, alpr_user_role(u) ==
	    ALPR_ROLE_DEVICE ? "last_used" : "last_login"));
	printf("%-16s %-10s %-9s%s %-10s %-10s %s\n",
	    json_string_value(json_object_get(u, "name")),
	    json_string_value(json_object_get(u, "role")), v,
	    json_is_true(json_object_get(u, "locked")) ? "*" : " ",
	    json_string_value(json_object_get(t, "expires")) ?
	    json_string_value(json_object_get(t, "expires")) : "-",
	    json_string_value(json_object_get(u, "approved_by")) ?
	    json_string_value(json_object_get(u, "approved_by")) : "-",
	    used ? used : "never");
}

static int
cmd_user(int argc, char **argv)
{
	static struct option lo[] = {
		{ "password-file", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 } };
	struct alpr_store *s;
	const char *op, *name, *role = NULL, *pwfile = NULL;
	const char *reason = NULL, *completed = NULL, *expires = NULL;
	char pw[1100], tm[ALPR_TIME_LEN];
	int c, r, j = 0, perm;

	if (argc < 2)
		usage("user wants an operation");
	op = argv[1];
	argc--;
	argv++;
	while ((c = alpr_getopt(argc, argv, "c:e:jp:R:r:", lo, usage)) != -1)
		switch (c) {
		case 'c': completed = optarg; break;
		case 'e': expires = optarg; break;
		case 'j': j = 1; break;
		case 'p': pwfile = optarg; break;
		case 'R': reason = optarg; break;
		case 'r': role = optarg; break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (!strcmp(op, "list")) {
		if (argc != 0)
			usage("user list takes no operands");
		name = NULL;
	} else if (!strcmp(op, "role")) {
		if (argc != 2)
			usage("user role wants an account and a role");
		name = argv[0];
		role = argv[1];
	} else if (argc != 1)
		usage("user wants one account name");
	else
		name = argv[0];
	perm = !strcmp(op, "list") || !strcmp(op, "show") ? ALPR_MAY_LIST :
	    !strcmp(op, "approve") ? ALPR_MAY_ANY :
	    !strcmp(op, "train") ? ALPR_MAY_TRAIN : ALPR_MAY_ACCOUNTS;
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, perm)) != 0)
		goto out;
	if (!strcmp(op, "add")) {
		if (!role)
			usage("user add wants -r role");
		if (alpr_role_parse(role) != ALPR_ROLE_DEVICE)
			new_password(pwfile, 1, pw, sizeof pw);
		else
			pw[0] = '\0';
		r = alpr_user_add(s, name, alpr_role_parse(role), pw);
		sodium_memzero(pw, sizeof pw);
	} else if (!strcmp(op, "approve"))
		r = alpr_user_approve(s, name);
	else if (!strcmp(op, "disable"))
		r = alpr_user_disable(s, name, reason);
	else if (!strcmp(op, "enable"))
		r = alpr_user_enable(s, name);
	else if (!strcmp(op, "unlock"))
		r = alpr_user_unlock(s, name);
	else if (!strcmp(op, "role"))
		r = alpr_user_setrole(s, name, alpr_role_parse(role));
	else if (!strcmp(op, "passwd")) {
		new_password(pwfile, 1, pw, sizeof pw);
		r = alpr_user_passwd(s, name, NULL, pw);
		sodium_memzero(pw, sizeof pw);
	} else if (!strcmp(op, "totp"))
		r = alpr_user_totp_reset(s, name);
	else if (!strcmp(op, "train")) {
		if (!completed) {
			alpr_time_now(tm);
			tm[10] = '\0';
			completed = tm;
		}
		r = alpr_user_train(s, name, completed, expires);
	} else if (!strcmp(op, "list") || !strcmp(op, "show")) {
		if (!j && isatty(1))
			printf("%-16s %-10s %-10s %-10s %-10s %s\n", "account",
			    "role", "status", "trained to", "approver",
			    "last login");
		r = alpr_user_list(s, name, print_account, &j);
	} else
		usage("unknown user operation");
out:
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static void
output(struct alpr_result *res, int fmt)
{
	const char *const *head = alpr_column_names;
	char f[ALPR_NCOLUMNS][96];
	size_t i;
	int k;

	if (fmt == 'c')
		for (k = 0; k < ALPR_NCOLUMNS; k++)
			alpr_csv_field(stdout, head[k], k == ALPR_NCOLUMNS - 1);
	else if (fmt == 't')
		printf("%-23s %-12s %-9s %5s %10s %11s %-16s %s\n", head[0],
		    head[1], head[2], head[3], head[4], head[5], head[6],
		    head[7]);
	for (i = 0; i < res->n; i++) {
		if (!fmt) {
			alpr_result_write(stdout, res, i);
			continue;
		}
		alpr_read_columns(alpr_result_rec(res, i), f);
		if (fmt == 'c')
			for (k = 0; k < ALPR_NCOLUMNS; k++)
				alpr_csv_field(stdout, f[k],
				    k == ALPR_NCOLUMNS - 1);
		else
			printf("%-23s %-12s %-9s %5s %10s %11s %-16s %s\n", f[0],
			    f[1], f[2], f[3], f[4], f[5], f[6][0] ? f[6] : "-",
			    f[7]);
	}
	alpr_fshut(stdout, "<stdout>");	/* a full disk is an error */
}

/* The access entry, written and flushed before anything is shown. */
static int
log_access(struct alpr_store *s, const char *action, const char *plate,
    json_t *terms, const struct alpr_justification *j, long count, int more)
{
	return alpr_store_log_access(s, alpr_store_access(action, plate, terms,
	    j, count, more));
}

/* A search as the command line gives it: find's, and hold add's. */
static void
search_args(int argc, char **argv, struct alpr_search *x, const char *cmd)
{
	int c;

	alpr_search_init(x);
	while ((c = alpr_getopt(argc, argv, ALPR_SEARCH_OPTS,
	    alpr_search_longopts(), usage)) != -1)
		if (!alpr_search_opt(x, c, optarg, usage))
			usage(NULL);
	if (x->nids && strcmp(cmd, "hold"))
		usage("--id is for hold add");
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage("a search takes at most one plate or pattern");
	alpr_search_end(x, argc ? argv[0] : NULL, usage);
}

static int
cmd_find(int argc, char **argv)
{
	struct alpr_search x;
	struct alpr_result res;
	struct alpr_store *s;
	int r;

	search_args(argc, argv, &x, "find");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, alpr_search_perm(&x))) != 0 ||
	    (r = alpr_store_justified(s, "search", x.terms, &x.j)) != 0 ||
	    (r = alpr_search_run(s, &x, "search", &res)) != 0)
		goto out;
	if (log_access(s, "search", x.q.plate && !alpr_is_pattern(x.q.plate) ?
	    x.q.plate : NULL, x.terms, &x.j, res.n, res.more) < 0)
		r = -1;
	else {
		output(&res, x.fmt);
		if (res.more)
			alpr_warn("more than %ld reads match: narrow the search "
			    "(time, camera) or raise --limit", x.q.limit);
		if (res.n == 0)
			r = 1;
	}
	alpr_result_free(&res);
out:
	alpr_search_free(&x);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static void
print_hold(json_t *h, void *arg)
{
	int *j = arg;

	if (*j) {
		alpr_write_record(stdout, h);
		return;
	}
	printf("%-6s %-12s %-9s %6lld %-12s %-23s %s\n",
	    json_string_value(json_object_get(h, "id")),
	    json_string_value(json_object_get(h, "case")),
	    json_string_value(json_object_get(h, "state")),
	    json_integer_value(json_object_get(h, "count")),
	    json_string_value(json_object_get(h, "by")),
	    json_string_value(json_object_get(h, "placed")),
	    json_string_value(json_object_get(h, "reason")));
}

static int
cmd_hold(int argc, char **argv)
{
	struct alpr_result res = { 0 };
	struct alpr_search x;
	struct alpr_store *s;
	char id[32];
	const char *op;
	json_t *r1;
	int r, i, c, j = 0;

	if (argc < 2)
		usage("hold wants add, release or list");
	op = argv[1];
	argc--;
	argv++;
	if (!strcmp(op, "list") || !strcmp(op, "release")) {
		const char *reason = NULL;
		while ((c = alpr_getopt(argc, argv, "jR:", NULL, usage)) != -1)
			switch (c) {
			case 'j': j = 1; break;
			case 'R': reason = optarg; break;
			default: usage(NULL);
			}
		if (!strcmp(op, "release") ? optind != argc - 1 :
		    optind != argc)
			usage(!strcmp(op, "release") ? "hold release wants a "
			    "hold id" : "hold list takes no operands");
		s = alpr_store_need(home, keyfile);
		if ((r = alpr_session_resume(s, !strcmp(op, "list") ?
		    ALPR_MAY_NONE : ALPR_MAY_HOLD)) == 0) {
			struct alpr_actor *a = alpr_store_actor(s);
			if (!strcmp(op, "release"))
				r = alpr_hold_release(s, argv[optind], reason);
			else if (!alpr_role_may(a->role, ALPR_MAY_HOLD) &&
			    !alpr_role_may(a->role, ALPR_MAY_AUDIT))
				r = alpr_store_deny(s, "hold", NULL, "only a "
				    "supervisor or an auditor lists holds");
			else
				r = alpr_hold_list(s, print_hold, &j);
		}
		alpr_store_close(s);
		return alpr_exit_status(r);
	}
	if (strcmp(op, "add"))
		usage("hold wants add, release or list");
	search_args(argc, argv, &x, "hold");
	if (!x.nids && !alpr_search_names(&x))
		usage("hold add wants reads: --id read-id, or a search");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_HOLD)) != 0)
		goto out;
	/* the purpose the log records (Civil Code 1798.90.52): the one
	 * stated, or "evidence", what a hold keeps reads for */
	if ((r = alpr_store_justified_evidence(s, "hold", x.terms, &x.j)) != 0)
		goto out;
	if (alpr_search_names(&x)) {
		if ((r = alpr_search_run(s, &x, "hold", &res)) != 0)
			goto out;
		if (res.more) {
			r = alpr_store_refuse(s, "hold", x.terms, &x.j, "the "
			    "search finds more reads than max_results: narrow "
			    "it");
			goto out;
		}
	}
	for (i = 0; i < x.nids; i++) {
		if ((r = alpr_store_get(s, x.ids[i], &r1, NULL, NULL)) != 0) {
			if (r > 0)
				alpr_store_refuse(s, "hold", x.terms, &x.j,
				    "no such read");
			goto out;
		}
		if ((r = alpr_store_covered(s, "hold", x.terms, &x.j, r1))) {
			json_decref(r1);
			goto out;
		}
		if (res.n == res.cap) {
			res.cap = res.cap ? res.cap * 2 : 16;
			res.rec = alpr_realloc(res.rec, res.cap *
			    sizeof *res.rec);
			res.raw = alpr_realloc(res.raw, res.cap *
			    sizeof *res.raw);
		}
		res.raw[res.n] = NULL;
		res.rec[res.n++] = r1;
	}
	if ((r = alpr_hold_add(s, &x.j, x.terms,
	    alpr_result_json(&res), res.n, id, sizeof id)) == 0)
		printf("%s %zu\n", id, res.n);
out:
	alpr_result_free(&res);
	alpr_search_free(&x);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static void
print_case(json_t *c, void *arg)
{
	int *j = arg;
	json_t *m, *sc, *plates, *areas;
	size_t i;

	if (*j) {
		alpr_write_record(stdout, c);
		return;
	}
	printf("%-16s %-8s %-23s %-12s %-23s ",
	    json_string_value(json_object_get(c, "case")),
	    json_string_value(json_object_get(c, "state")),
	    json_string_value(json_object_get(c, "expires")),
	    json_string_value(json_object_get(c, "opened_by")),
	    json_string_value(json_object_get(c, "opened")));
	/* what it searches, a word: every read, or its plates and places
	 * (@LAT,LON,METRESm) */
	sc = json_object_get(c, "scope");
	plates = json_object_get(sc, "plates");
	areas = json_object_get(sc, "areas");
	if (json_is_true(json_object_get(sc, "any")))
		printf("every-read");
	else if (!json_array_size(plates) && !json_array_size(areas))
		printf("nothing");
	else {
		json_array_foreach(plates, i, m)
			printf("%s%s", i ? "," : "", json_string_value(m));
		json_array_foreach(areas, i, m)
			printf("%s@%.5f,%.5f,%.0fm", i ||
			    json_array_size(plates) ? "," : "",
			    json_real_value(json_object_get(m, "lat")),
			    json_real_value(json_object_get(m, "lon")),
			    json_real_value(json_object_get(m, "radius_m")));
	}
	json_array_foreach(json_object_get(c, "members"), i, m)
		printf("%s%s", i ? "," : " ", json_string_value(
		    json_object_get(m, "user")));
	printf("\n");
}

static int
cmd_case(int argc, char **argv)
{
	struct alpr_case_scope sc = { 0 };
	struct alpr_store *s;
	const char *op, *reason = NULL;
	char *end, extra;
	long days = 0;
	int r, c, j = 0;

	if (argc < 2)
		usage("case wants open, add, drop, widen, renew, close, list or "
		    "show");
	op = argv[1];
	argc--;
	argv++;
	while ((c = alpr_getopt(argc, argv, "Aa:d:jp:R:", NULL, usage)) != -1)
		switch (c) {
		case 'A': sc.any = 1; break;
		case 'a':
			sc.areas = alpr_realloc(sc.areas, (sc.nareas + 1) *
			    sizeof *sc.areas);
			if (sscanf(optarg, "%lf,%lf,%lf%c",
			    &sc.areas[sc.nareas][0], &sc.areas[sc.nareas][1],
			    &sc.areas[sc.nareas][2], &extra) != 3)
				usage("-a wants LAT,LON,METRES");
			sc.nareas++;
			break;
		case 'd':
			days = strtol(optarg, &end, 10);
			if (*end || end == optarg || days < 1 || days > 3660)
				usage("-d wants a number of days");
			break;
		case 'j': j = 1; break;
		case 'p':
			sc.plates = alpr_realloc(sc.plates, (sc.nplates + 1) *
			    sizeof *sc.plates);
			sc.plates[sc.nplates++] = optarg;
			break;
		case 'R': reason = optarg; break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (!strcmp(op, "list") || !strcmp(op, "show")) {
		if (!strcmp(op, "list") ? argc != 0 : argc != 1)
			usage(!strcmp(op, "list") ? "case list takes no "
			    "operands" : "case show wants a case");
		if (reason || days)
			usage("-R and -d are for changes to a case");
	} else if (!strcmp(op, "open") || !strcmp(op, "add") ||
	    !strcmp(op, "drop")) {
		if (argc < 2)
			usage("the case, then the accounts it names");
	} else if (!strcmp(op, "widen") || !strcmp(op, "renew") ||
	    !strcmp(op, "close")) {
		if (argc != 1)
			usage("case widen, renew and close want a case");
	} else
		usage("case wants open, add, drop, widen, renew, close, list or "
		    "show");
	if (days && strcmp(op, "open") && strcmp(op, "renew"))
		usage("-d is for case open and case renew");
	if ((sc.nplates || sc.nareas || sc.any) && strcmp(op, "open") &&
	    strcmp(op, "widen"))
		usage("-p, -a and -A are for case open and case widen");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_NONE)) == 0) {
		if (!strcmp(op, "list") || !strcmp(op, "show")) {
			r = alpr_case_list(s, argc ? argv[0] : NULL,
			    print_case, &j);
			alpr_fshut(stdout, "<stdout>");
		} else
			r = alpr_case_change(s, op, argv[0], argv + 1,
			    argc - 1, days, &sc, reason);
	}
	free(sc.plates);
	free(sc.areas);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

/* hotlist ask LIST | sign ASK: the ask (the list in it), or the list's
 * signature, goes to standard output, for LIST.ask or LIST.sig. */
static int
cmd_hotlist(int argc, char **argv)
{
	struct alpr_store *s;
	const char *reason = NULL, *name = NULL;
	char *out = NULL;
	int r, c, sign;

	if (argc < 2 || (strcmp(argv[1], "ask") && strcmp(argv[1], "sign")))
		usage("hotlist wants ask or sign");
	sign = !strcmp(argv[1], "sign");
	argc--;
	argv++;
	while ((c = alpr_getopt(argc, argv, sign ? "R:" : "n:R:", NULL,
	    usage)) != -1)
		switch (c) {
		case 'n': name = optarg; break;
		case 'R': reason = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc - 1)
		usage(sign ? "hotlist sign wants one ask (LIST.ask, made by "
		    "another supervisor's alpr-store hotlist ask)" : "hotlist "
		    "ask wants one list");
	if (!sign && !name && !strcmp(argv[optind], "-"))
		usage("a list on standard input is named with -n (its file's "
		    "name on the cars, which name it so in their alerts)");
	if (isatty(1))
		usage(sign ? "the signature goes to a file: alpr-store hotlist "
		    "sign -R reason LIST.ask >LIST.sig" : "the ask goes to a "
		    "file: alpr-store hotlist ask -R reason LIST >LIST.ask");
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_HOTLISTS)) == 0 &&
	    (r = sign ? alpr_hotlist_sign(s, argv[optind], reason, &out) :
	    alpr_hotlist_ask(s, argv[optind], name, reason, &out)) == 0) {
		fputs(out, stdout);
		alpr_fshut(stdout, "<stdout>");
	}
	free(out);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_show(int argc, char **argv)
{
	static struct option lo[] = {
		{ "purpose", required_argument, 0, 'P' },
		{ "case", required_argument, 0, 'C' },
		{ "reason", required_argument, 0, 'R' },
		{ 0, 0, 0, 0 } };
	struct alpr_justification j = { NULL, NULL, NULL };
	struct alpr_store *s;
	const char *out = NULL;
	unsigned char *frame = NULL;
	size_t nframe = 0;
	json_t *terms, *rec = NULL;
	struct stat sb;
	char why[PATH_MAX + 128];
	int c, r, fd = -1, err;

	while ((c = alpr_getopt(argc, argv, "C:o:P:R:", lo, usage)) != -1)
		switch (c) {
		case 'C': j.kase = optarg; break;
		case 'o': out = optarg; break;
		case 'P': j.purpose = optarg; break;
		case 'R': j.reason = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc - 1)
		usage("show wants one read id");
	if (out && !strcmp(out, "-") && isatty(1))
		usage("a frame is not written to a terminal: give -o file");
	/* refused before anything is read, the read with a frame or not */
	if (out && strcmp(out, "-") && alpr_store_delegated() == 'H')
		usage("no files through SSH: give -o - for the frame on "
		    "standard output");
	if (out && strcmp(out, "-") && lstat(out, &sb) == 0)
		alpr_die(ALPR_EXIT_FAIL, "%s exists: show writes a frame only "
		    "to a new file", out);
	terms = json_pack("{s:s,s:b}", "read_id", argv[optind], "frame",
	    out != NULL);
	s = alpr_store_need(home, keyfile);
	if ((r = alpr_session_resume(s, ALPR_MAY_FIND)) != 0 ||
	    (r = alpr_store_justified(s, "show", terms, &j)) != 0)
		goto done;
	r = alpr_store_get(s, argv[optind], &rec, out ? &frame : NULL,
	    &nframe);
	if (r > 0)
		alpr_store_refuse(s, "show", terms, &j, "no such read");
	if (r != 0 || (r = alpr_store_covered(s, "show", terms, &j, rec)))
		goto done;
	/* the frame's file, made before anything is logged or shown, only
	 * where the caller may have it (as alpr-export makes a bundle's) */
	if (out && frame && (fd = strcmp(out, "-") ?
	    alpr_caller_create(out, 0) : 1) < 0) {
		err = errno;
		snprintf(why, sizeof why, "unable to make %s: %s", out,
		    strerror(err));
		r = alpr_store_refuse(s, "show", terms, &j, why);
		if (err != EPERM && err != EACCES && err != EEXIST)
			r = -1;
		goto done;
	}
	if (log_access(s, "show", NULL, terms, &j, 1, 0) < 0) {
		r = -1;
		goto done;
	}
	if (!out || strcmp(out, "-"))	/* -o -: the frame alone */
		alpr_write_record(stdout, rec);
	if (out && !frame)
		alpr_warn("%s: the read has no frame in the store",
		    argv[optind]);
	else if (out) {
		if (write(fd, frame, nframe) != (ssize_t)nframe ||
		    (fd != 1 && close(fd) < 0))
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to write the "
			    "frame to %s:", out);
		fd = -1;
	}
done:
	if (fd > 1) {		/* made, and nothing written to it */
		struct stat made;
		/* only the file this run made: run for a caller, the path
		 * is theirs, and a folder of it swapped for a link since
		 * would have the store's account unlink another file */
		if (fstat(fd, &made) == 0 && lstat(out, &sb) == 0 &&
		    sb.st_dev == made.st_dev && sb.st_ino == made.st_ino)
			unlink(out);
		close(fd);
	}
	if (frame) {
		sodium_memzero(frame, nframe);
		free(frame);
	}
	json_decref(rec);
	json_decref(terms);
	alpr_store_close(s);
	return alpr_exit_status(r);
}

static int
cmd_policy(int argc, char **argv)
{
	static struct option lo[] = {
		{ "html", no_argument, 0, 'W' },
		{ 0, 0, 0, 0 } };
	struct alpr_store *s;
	int c, html = 0;

	while ((c = alpr_getopt(argc, argv, "", lo, usage)) != -1)
		switch (c) {
		case 'W': html = 1; break;
		default: usage(NULL);
		}
	if (optind != argc)
		usage("policy takes no operands");
	s = alpr_store_need(home, keyfile);
	alpr_policy(s, stdout, html);
	alpr_store_close(s);
	alpr_fshut(stdout, "<stdout>");
	return 0;
}

/*
 * An SSH forced command: command="alpr-store [-H home] --ssh NAME" in the
 * store account's authorized_keys for NAME's key. The command NAME asked
 * for is in SSH_ORIGINAL_COMMAND (alpr_ssh_args); one of alpr-export's
 * runs alpr-export, beside this program, with the same home and key file
 * and --ssh NAME, which reads the command again.
 */
static char **
ssh_args(const char *name, int *argc)
{
	const char *prog;
	char **av = alpr_ssh_args(name, argc, &prog), *dir, *path;
	char *ev[8];
	int n = 0;

	if (prog && !strcmp(prog, "alpr-export")) {
		dir = alpr_self_dir();
		path = alpr_path(dir, "alpr-export");
		ev[n++] = path;
		if (home) {
			ev[n++] = "-H";
			ev[n++] = (char *)home;
		}
		if (keyfile) {
			ev[n++] = "-K";
			ev[n++] = (char *)keyfile;
		}
		ev[n++] = "--ssh";
		ev[n++] = (char *)name;
		ev[n] = NULL;
		execv(path, ev);
		alpr_die(ALPR_EXIT_SYS, "unable to run %s:", path);
	}
	if (prog && strcmp(prog, "alpr-store"))
		alpr_die(ALPR_EXIT_USAGE, "%s: not a command this key runs "
		    "(alpr-store or alpr-export)", prog);
	if (*argc > 1 && av[1][0] == '-')
		alpr_die(ALPR_EXIT_USAGE, "options before the command are set "
		    "by the forced command, not by the caller");
	return av;
}

static int
cmd_push(int argc, char **argv)
{
	struct alpr_push_opt o = { NULL, NULL, 0 };
	struct alpr_push_stats st;
	struct alpr_store *s;
	int c, r, v = 0;

	while ((c = alpr_getopt(argc, argv, "e:v", NULL, usage)) != -1)
		switch (c) {
		case 'e': o.ssh = optarg; break;
		case 'v': v = 1; break;
		default: usage(NULL);
		}
	if (optind != argc - 1 || argv[optind][0] == '-' || !argv[optind][0])
		usage("push wants the server: [user@]host");
	o.host = argv[optind];
	o.progress = isatty(2);
	s = alpr_store_need(home, keyfile);
	if (alpr_store_delegated()) {
		r = alpr_store_deny(s, "push", o.host, "a push is the store's "
		    "own (its cron job or timer): not through sudo or SSH");
		alpr_store_close(s);
		return alpr_exit_status(r);
	}
	r = alpr_push(s, &o, &st);
	if (v || r != 0)
		fprintf(stderr, "%s: %s: %ld reads and %ld frames sent, %ld "
		    "stored and %ld refused by the server; %ld not stored "
		    "there yet%s\n", alpr_progname, o.host, st.sent,
		    st.frames, st.confirmed, st.refused, st.left,
		    st.unsendable ? "; some reads do not open here" : "");
	alpr_store_close(s);
	return alpr_exit_status(r);
}

/*
 * A device's SSH forced command: command="alpr-store [-H home] --device
 * NAME" in the store account's authorized_keys for a car's key. The key
 * is the device's credential: it adds reads from standard input as NAME,
 * and does nothing else.
 */
static char **
device_args(const char *name, int *argc)
{
	const char *cmd = getenv("SSH_ORIGINAL_COMMAND");
	static char *av[4];

	if (getenv("SUDO_USER") || !getenv("SSH_CONNECTION"))
		alpr_die(ALPR_EXIT_USAGE, "--device is for a device's SSH "
		    "forced command only");
	if (cmd && *cmd && strcmp(cmd, "add") && strcmp(cmd, "alpr-store add"))
		alpr_die(ALPR_EXIT_USAGE, "a device's key only adds reads from "
		    "standard input (alpr-store add)");
	alpr_store_set_client(name);
	device_key = 1;
	av[0] = "alpr-store";
	av[1] = "add";
	av[2] = "-D";
	av[3] = (char *)name;
	*argc = 4;
	return av;
}

int
main(int argc, char **argv)
{
	static struct option lo[] = {
		{ "ssh", required_argument, 0, 'S' },
		{ "home", required_argument, 0, 'H' },
		{ "key-file", required_argument, 0, 'K' },
		{ "device", required_argument, 0, 'E' },
		{ 0, 0, 0, 0 } };
	const char *cmd;
	int c;

	alpr_setprogname(argv[0]);
	umask(077);
	while ((c = alpr_getopt(argc, argv, "+H:K:", lo, usage)) != -1)
		switch (c) {
		case 'H': home = optarg; break;
		case 'K': keyfile = optarg; break;
		case 'S':
			argv = ssh_args(optarg, &argc);
			optind = 1;
			goto run;
		case 'E':
			argv = device_args(optarg, &argc);
			goto run;
		default: usage(NULL);
		}
	argc -= optind - 1;
	argv += optind - 1;
run:
	if (argc < 2)
		usage(NULL);
	cmd = argv[1];
	argc--;
	argv++;
	optind = 0;	/* getopt anew, in the command's own order */
	alpr_crypto_init();
	if (!strcmp(cmd, "init"))
		return cmd_init(argc, argv);
	if (!strcmp(cmd, "add"))
		return cmd_add(argc, argv);
	if (!strcmp(cmd, "login"))
		return cmd_login(argc, argv);
	if (!strcmp(cmd, "logout"))
		return cmd_logout(argc, argv);
	if (!strcmp(cmd, "whoami"))
		return cmd_whoami(argc, argv);
	if (!strcmp(cmd, "passwd"))
		return cmd_passwd(argc, argv);
	if (!strcmp(cmd, "user"))
		return cmd_user(argc, argv);
	if (!strcmp(cmd, "find"))
		return cmd_find(argc, argv);
	if (!strcmp(cmd, "show"))
		return cmd_show(argc, argv);
	if (!strcmp(cmd, "push"))
		return cmd_push(argc, argv);
	if (!strcmp(cmd, "hold"))
		return cmd_hold(argc, argv);
	if (!strcmp(cmd, "case"))
		return cmd_case(argc, argv);
	if (!strcmp(cmd, "hotlist"))
		return cmd_hotlist(argc, argv);
	if (!strcmp(cmd, "policy"))
		return cmd_policy(argc, argv);
	if (!strcmp(cmd, "roles")) {
		alpr_no_operands(argc, argv, "roles takes no operands", usage);
		alpr_roles_table(stdout);
		alpr_fshut(stdout, "<stdout>");
		return 0;
	}
	usage("unknown command");
}
