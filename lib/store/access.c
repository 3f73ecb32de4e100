/*
 * access.c: who is acting on the store, what each role may do, what a
 * search must state, and the access log entry that goes before every
 * access (Civil Code 1798.90.52: date and time, the data queried, the user
 * and organisation, the purpose).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static const char *rolenames[ALPR_NROLES] = {
	"device", "operator", "analyst", "supervisor", "auditor", "admin",
};

/* The role table of alpr-store(1): what each role may do. */
static const struct {
	const char *name, *what;
	unsigned char may[ALPR_NROLES];	/* device .. admin */
	int data;			/* needs current training */
} perms[ALPR_NPERMS] = {
	[ALPR_MAY_ADD] = { "add", "ingest reads (alpr-store add)",
	    { 1, 0, 0, 0, 0, 1 }, 0 },
	[ALPR_MAY_FIND] = { "find", "search by plate, show a read",
	    { 0, 1, 1, 1, 0, 0 }, 1 },
	[ALPR_MAY_FIND_WIDE] = { "find-wide",
	    "search by pattern, fuzzy, place, camera or hotlist",
	    { 0, 0, 1, 1, 0, 0 }, 1 },
	[ALPR_MAY_HOLD] = { "hold", "place and release evidence holds",
	    { 0, 0, 0, 1, 0, 0 }, 1 },
	[ALPR_MAY_EXPORT] = { "export",
	    "export evidence; file and decide release requests",
	    { 0, 0, 0, 1, 0, 0 }, 1 },
	[ALPR_MAY_ACCOUNTS] = { "accounts",
	    "add, disable, enable, unlock accounts; set roles and passwords",
	    { 0, 0, 0, 0, 0, 1 }, 0 },
	[ALPR_MAY_APPROVE] = { "approve", "approve accounts and role changes",
	    { 0, 0, 0, 1, 0, 0 }, 0 },
	[ALPR_MAY_TRAIN] = { "train", "record training",
	    { 0, 0, 0, 1, 0, 1 }, 0 },
	[ALPR_MAY_LIST] = { "list", "list and show accounts",
	    { 0, 0, 0, 1, 1, 1 }, 0 },
	[ALPR_MAY_AUDIT] = { "audit", "review the access log",
	    { 0, 0, 0, 1, 1, 0 }, 0 },
	[ALPR_MAY_CASES] = { "cases",
	    "open, renew and close cases; name who searches under them",
	    { 0, 0, 0, 1, 0, 0 }, 0 },
	[ALPR_MAY_HOTLISTS] = { "hotlists",
	    "ask for, or sign, the hotlists patrol cars load",
	    { 0, 0, 0, 1, 0, 0 }, 1 },
};

const char *
alpr_role_name(int role)
{
	return role >= 0 && role < ALPR_NROLES ? rolenames[role] : "-";
}

int
alpr_role_parse(const char *s)
{
	int i;

	for (i = 0; i < ALPR_NROLES; i++)
		if (!strcmp(s, rolenames[i]))
			return i;
	return -1;
}

int
alpr_role_may(int role, int perm)
{
	return role >= 0 && role < ALPR_NROLES && perm >= 0 &&
	    perm < ALPR_NPERMS && perms[perm].may[role];
}

const char *
alpr_perm_what(int perm)
{
	return perm >= 0 && perm < ALPR_NPERMS ? perms[perm].what : "-";
}

int
alpr_perm_needs_training(int perm)
{
	return perm >= 0 && perm < ALPR_NPERMS && perms[perm].data;
}

void
alpr_roles_table(FILE *f)
{
	int p, r;

	fprintf(f, "%-10s", "");
	for (r = 0; r < ALPR_NROLES; r++)
		fprintf(f, " %-10s", rolenames[r]);
	fprintf(f, " %s\n", "what");
	for (p = 0; p < ALPR_NPERMS; p++) {
		fprintf(f, "%-10s", perms[p].name);
		for (r = 0; r < ALPR_NROLES; r++)
			fprintf(f, " %-10s", perms[p].may[r] ? "yes" : "-");
		fprintf(f, " %s%s\n", perms[p].what, perms[p].data ?
		    " (needs training)" : "");
	}
}

static char client_set[65];

char **
alpr_ssh_args(const char *name, int *argc, const char **prog)
{
	/* the words stay for the run (and where LeakSanitizer sees them) */
	static char *av[64];
	const char *cmd = getenv("SSH_ORIGINAL_COMMAND"), *p;
	char *w;
	int n = 0, q;
	size_t len;

	if (getenv("SUDO_USER") || !getenv("SSH_CONNECTION"))
		alpr_die(ALPR_EXIT_USAGE, "--ssh is for an SSH forced command "
		    "only");
	if (!cmd || !*cmd)
		alpr_die(ALPR_EXIT_USAGE, "give a command: ssh -t HOST "
		    "alpr-store login (interactive logins need -t)");
	alpr_store_set_client(name);
	*prog = NULL;
	av[n++] = NULL;		/* the program, av[0] */
	for (p = cmd; *p && n < 63;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		w = alpr_malloc(strlen(p) + 1);
		len = 0;
		for (q = 0; *p && (q || (*p != ' ' && *p != '\t')); p++) {
			if (!q && (*p == '\'' || *p == '"'))
				q = *p;
			else if (q && *p == q)
				q = 0;
			else if (*p == '\\' && q != '\'' && p[1])
				w[len++] = *++p;
			else
				w[len++] = *p;
		}
		w[len] = '\0';
		if (n == 1 && !*prog && !strncmp(w, "alpr-", 5)) {
			*prog = w;
			continue;
		}
		av[n++] = w;
	}
	av[0] = (char *)(*prog ? *prog : "alpr-store");
	*argc = n;
	return av;
}

void
alpr_store_set_client(const char *name)
{
	snprintf(client_set, sizeof client_set, "%s", name);
}

int
alpr_store_delegated(void)
{
	if (client_set[0])
		return 'H';	/* an SSH forced command */
	if (getenv("SUDO_USER"))
		return 'S';
	return 0;
}

/* The uid of the one sudo runs us for, or -1. */
static long
sudo_uid(void)
{
	const char *e = getenv("SUDO_UID");
	char *end;
	long v;

	if (!e || !*e)
		return -1;
	v = strtol(e, &end, 10);
	return *end || v < 0 ? -1 : v;
}

/*
 * Files a caller names. Run directly, a path is used as it is. Run for
 * someone else, the store's account must not read or write for them what
 * they could not themselves: through sudo a file must be the caller's own
 * (owned by SUDO_UID, not reached through a link at its last step), and a
 * new one is made only in a folder of theirs; through an SSH forced
 * command no file is named at all (standard input and output serve). The
 * file is opened once and used through /proc/self/fd, so that it cannot
 * be swapped between the check and the use.
 */
static int
caller_may(const char *path, const char *what)
{
	if (alpr_store_delegated() == 'H') {
		alpr_warn("%s: no files through SSH: give - for standard %s",
		    path, strcmp(what, "read") ? "output" : "input");
		return 0;
	}
	if (alpr_store_delegated() == 'S' && sudo_uid() < 0) {
		alpr_warn("%s: run through sudo without SUDO_UID: no files", path);
		return 0;
	}
	return 1;
}

static int
caller_owns(int fd, const char *path, int dir)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0 || (dir ? !S_ISDIR(sb.st_mode) :
	    !S_ISREG(sb.st_mode)) || (long)sb.st_uid != sudo_uid()) {
		alpr_warn("%s: not a %s of yours: the store's account reads "
		    "and writes for you only what is yours", path, dir ?
		    "folder" : "file");
		return 0;
	}
	return 1;
}

/*
 * "-": standard input, which the caller's own shell opened (a redirection)
 * or which SSH carries, read once into a file in memory of its own (at
 * most ALPR_FILE_MAX bytes), so that it is read as a regular file is, and
 * given again to a second "-" of the same run.
 */
static char *
caller_stdin(void)
{
	static int mfd = -1;
	unsigned char buf[65536];
	char path[64];
	size_t total = 0;
	ssize_t r;

	if (mfd < 0) {
		if ((mfd = memfd_create("alpr-stdin", MFD_CLOEXEC)) < 0) {
			alpr_warn("standard input: unable to take it in:");
			return NULL;
		}
		while ((r = read(0, buf, sizeof buf)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || (total += r) > ALPR_FILE_MAX ||
			    alpr_write_all(mfd, buf, r) < 0) {
				if (r > 0 && total > ALPR_FILE_MAX)
					errno = EFBIG;
				alpr_warn("standard input: unable to read it:");
				close(mfd);
				mfd = -1;
				return NULL;
			}
		}
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
	return alpr_strdup(path);
}

char *
alpr_caller_file(const char *path, int dir)
{
	char buf[64];
	int fd;

	if (!dir && !strcmp(path, "-"))
		return caller_stdin();
	if (!alpr_store_delegated())
		return alpr_strdup(path);
	if (!caller_may(path, "read"))
		return errno = EPERM, NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | (dir ? O_DIRECTORY :
	    0))) < 0) {
		alpr_warn("unable to open %s:", path);
		return NULL;		/* errno: why */
	}
	if (!caller_owns(fd, path, dir)) {
		close(fd);
		return errno = EPERM, NULL;
	}
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	return alpr_strdup(buf);	/* the fd stays open until exit */
}

int
alpr_caller_create(const char *path, int dir)
{
	char *copy, *slash, *base;
	int dfd, fd;

	if (!alpr_store_delegated()) {
		if (dir)
			return mkdir(path, 0700) < 0 ? -1 : open(path,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	}
	if (!caller_may(path, "write"))
		return errno = EPERM, -1;
	copy = alpr_strdup(path);
	slash = strrchr(copy, '/');
	base = slash ? slash + 1 : copy;
	if (slash)
		*(slash == copy ? slash + 1 : slash) = '\0';
	dfd = open(slash ? (*copy ? copy : "/") : ".", O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = -1;
	if (dfd >= 0 && caller_owns(dfd, slash ? copy : ".", 1)) {
		if (dir)
			fd = mkdirat(dfd, base, 0700) < 0 ? -1 : openat(dfd,
			    base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		else
			fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EACCES)
			alpr_warn("%s: the store's account may not write in "
			    "that folder: give - and redirect standard output",
			    path);
	} else if (dfd >= 0)
		errno = EPERM;
	if (dfd >= 0)
		close(dfd);
	free(copy);
	return fd;
}

void
alpr_caller_secret(const char *file, int lineno, const char *prompt,
    int twice, const char *opt, char *buf, size_t n)
{
	char again[1100], p2[128], *p;

	if (file) {
		if (!(p = alpr_caller_file(file, 0)))
			exit(ALPR_EXIT_FAIL);
		if (alpr_read_secret(p, lineno, buf, n) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read line %d "
			    "of %s:", lineno, file);
		free(p);
		return;
	}
	snprintf(p2, sizeof p2, "%.*s again: ", (int)strcspn(prompt, ":"),
	    prompt);
	if (alpr_ask(prompt, 0, buf, n) < 0 || (twice && alpr_ask(p2, 0,
	    again, sizeof again) < 0))
		alpr_die(ALPR_EXIT_USAGE, "no terminal to ask on: give the "
		    "secret in a file (%s)", opt);
	if (twice && strcmp(buf, again))
		alpr_die(ALPR_EXIT_FAIL, "the two answers differ");
	sodium_memzero(again, sizeof again);
}

/*
 * The OS user behind this run: the one an SSH forced command names, else
 * the one sudo ran us for, else the real user.
 */
const char *
alpr_store_client(void)
{
	static char buf[65];
	struct passwd *pw;
	const char *e;

	if (client_set[0])
		return client_set;
	if ((e = getenv("SUDO_USER")) && *e) {
		snprintf(buf, sizeof buf, "%s", e);
		return buf;
	}
	if ((pw = getpwuid(getuid())))
		snprintf(buf, sizeof buf, "%s", pw->pw_name);
	else
		snprintf(buf, sizeof buf, "uid%ld", (long)getuid());
	return buf;
}

void
alpr_store_actor_init(struct alpr_actor *a)
{
	memset(a, 0, sizeof *a);
	a->role = -1;
	snprintf(a->client, sizeof a->client, "%s", alpr_store_client());
}

struct alpr_actor *
alpr_store_actor(struct alpr_store *s)
{
	return &s->actor;
}

int
st_same_person(const struct alpr_store *s, const char *by,
    const char *client)
{
	return !by || !strcmp(by, s->actor.user) || (client &&
	    !strcmp(client, s->actor.client));
}

json_t *
st_logtext(const char *t, size_t max)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t n = strlen(t), i = 0, o = 0;
	char *b;
	json_t *j;
	int k;

	if (n <= max && alpr_utf8_valid(p, n) == n)
		return json_string(t);
	b = alpr_malloc(4 * (n < max ? n : max) + 8);
	while (i < n && i < max) {
		if ((k = alpr_utf8_seq(p + i, n - i)) > 0) {
			memcpy(b + o, p + i, k);
			o += k;
			i += k;
		} else
			o += sprintf(b + o, "\\x%02x", p[i++]);
	}
	if (i < n)
		o += sprintf(b + o, "...");
	j = json_stringn(b, o);
	free(b);
	return j;
}

int
alpr_store_logentry(struct alpr_store *s, json_t *e)
{
	json_t *x;
	int r;

	if (!e) {	/* json_pack or json_string refused a value */
		alpr_warn("an access-log entry could not be made of what was "
		    "given");
		return -1;
	}
	x = json_deep_copy(e);

	if (!json_object_get(x, "user"))
		json_object_set_new(x, "user", json_string(s->actor.user[0] ?
		    s->actor.user : "-"));
	if (s->actor.role >= 0 && !json_object_get(x, "role"))
		json_object_set_new(x, "role",
		    json_string(alpr_role_name(s->actor.role)));
	json_object_set_new(x, "org", json_string(s->conf.agency));
	json_object_set_new(x, "client", json_string(s->actor.client));
	r = alpr_log_append(s->log, x);
	json_decref(x);
	return r;
}

const char alpr_store_broken[] = "the store could not be read (said above), "
    "so nothing is done";

int
alpr_store_deny(struct alpr_store *s, const char *action, const char *target,
    const char *why)
{
	json_t *e = json_pack("{s:s,s:o,s:s,s:o}", "action", action, "target",
	    st_logtext(target ? target : "-", 200), "outcome", "denied",
	    "refusal", st_logtext(why, 1000));

	alpr_warn("%s: %s", target ? target : action, why);
	if (alpr_store_logentry(s, e) < 0)
		alpr_warn("unable to write the refusal to the access log:");
	json_decref(e);
	return why == alpr_store_broken ? -1 : 1;
}

static int
boiler(const char *w, size_t n)
{
	static const char *words[] = { "investigation", "investigating",
	    "invest", "inv", "test", "testing", "na", "none", "check",
	    "checking", "official", "business", "work", "case", "lookup",
	    "query", "search", "searching", "police", "law", "enforcement",
	    "purpose", "purposes", "reason", "plate", "info", "information",
	    "request", "routine", "general", "ongoing", "follow", "up",
	    "followup", "the", "a", "an", "for", "of", "to", "and", "on", "in",
	    "re", "per", "as", "needed", "other", "misc", "data" };
	size_t i;

	for (i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && !strncasecmp(w, words[i], n))
			return 1;
	return 0;
}

/*
 * Is a reason too thin to explain an access? Shorter than minlen, or fewer
 * than three different words of two letters or more that are not
 * boilerplate ("investigation", "official business", "case lookup", ...).
 */
int
alpr_reason_thin(const char *r, size_t minlen)
{
	const char *w[64], *p;
	size_t wn[64], n, i;
	int nw = 0, distinct = 0, letters;

	if (!r || strlen(r) < minlen)
		return 1;
	for (p = r; *p && nw < 64;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		for (n = 0, letters = 0; isalnum((unsigned char)p[n]); n++)
			letters += isalpha((unsigned char)p[n]) != 0;
		if (n == 0)
			break;
		if (letters >= 2 && !boiler(p, n)) {
			for (i = 0; i < (size_t)nw; i++)
				if (wn[i] == n && !strncasecmp(w[i], p, n))
					break;
			if (i == (size_t)nw)
				distinct++;
			w[nw] = p;
			wn[nw++] = n;
		}
		p += n;
	}
	return distinct < 3;
}

const char *
alpr_store_justify(const struct alpr_store *s, const char *purpose,
    const char *kase, const char *reason, char *why, size_t n)
{
	size_t i;

	if (!purpose || !*purpose) {
		snprintf(why, n, "no purpose: give --purpose, one of:");
		for (i = 0; i < s->conf.npurposes; i++)
			snprintf(why + strlen(why), n - strlen(why), " %s",
			    s->conf.purposes[i]);
		return why;
	}
	if (!alpr_storeconf_purpose(&s->conf, purpose)) {
		snprintf(why, n, "purpose '%s' is not one of this agency's "
		    "(alpr.conf purposes):", purpose);
		for (i = 0; i < s->conf.npurposes; i++)
			snprintf(why + strlen(why), n - strlen(why), " %s",
			    s->conf.purposes[i]);
		return why;
	}
	return alpr_store_justify_case(s, kase, reason, why, n);
}

const char *
alpr_store_justify_case(const struct alpr_store *s, const char *kase,
    const char *reason, char *why, size_t n)
{
	const char *e;

	if ((e = st_case_number(s, kase, why, n)))
		return e;
	return alpr_store_reason_check(s, reason, why, n);
}

const char *
st_case_number(const struct alpr_store *s, const char *kase, char *why,
    size_t n)
{
	const char *p;

	if (!kase || !*kase)
		return "no case: give --case with the case or incident number";
	for (p = kase; *p && !isdigit((unsigned char)*p); p++)
		;
	if (strlen(kase) < (size_t)s->conf.case_min || !*p ||
	    strlen(kase) > 64) {
		snprintf(why, n, "case '%s' is not a case number: want %ld to "
		    "64 characters with a digit", kase, s->conf.case_min);
		return why;
	}
	for (p = kase; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./:#", *p))
			return "case number: want letters, digits and - _ . / : #";
	return NULL;
}

/* The bytes a valid UTF-8 text takes in an access-log entry, measured
 * by the encoder the log writes with (log.c: in ASCII, a character past
 * it as \uXXXX, or two of them), less the quotes. */
static size_t
logged_len(const char *t)
{
	json_t *j = json_string(t);
	size_t n = j ? json_dumpb(j, NULL, 0, JSON_ENCODE_ANY |
	    JSON_COMPACT | JSON_ENSURE_ASCII) : 0;

	json_decref(j);
	return n > 2 ? n - 2 : 0;
}

const char *
alpr_store_reason_check(const struct alpr_store *s, const char *reason,
    char *why, size_t n)
{
	const char *p;

	if (!reason || !*reason)
		return "no reason: give --reason, in words, why this "
		    "access serves the case";
	for (p = reason; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "reason: control characters are not words";
	if (alpr_utf8_valid((const unsigned char *)reason, strlen(reason)) !=
	    strlen(reason))
		return "reason: not UTF-8 text (the access log keeps it as "
		    "written)";
	if (alpr_reason_thin(reason, s->conf.reason_min)) {
		snprintf(why, n, "reason too thin: say in at least %ld "
		    "characters and three words of your own why this access "
		    "serves the case (\"investigation\" or \"official "
		    "business\" alone is refused)", s->conf.reason_min);
		return why;
	}
	if (logged_len(reason) > ALPR_REASON_MAX) {
		snprintf(why, n, "reason of %zu bytes: say it in at most %d "
		    "(it goes into one access-log entry, where a character "
		    "past ASCII takes 6 or 12)", logged_len(reason),
		    ALPR_REASON_MAX);
		return why;
	}
	return NULL;
}
