/*
 * log.c: the signed, append-only access log (alpr-audit(1), alpr-records(5)).
 *
 * DIR/log.ndjson holds the entries, one JSON line each, leaf i of an RFC 6962
 * Merkle tree. DIR/checkpoints.ndjson holds signed checkpoints, DIR/keys.ndjson
 * the key chain (a genesis record signed by the initial key, then one record
 * per window certifying that window's key with the previous one), and
 * DIR/secret/key the current window's seed. Every writer holds flock on
 * DIR/lock while it appends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

struct alpr_log {
	char *dir;
	int fd, cpfd, keysfd, lockfd;
	char *origin, *org, *role, *user;
	json_t *users;
	long every, window;
	time_t epoch;
	off_t off;			/* entries hashed into tree so far */
	off_t lastoff;			/* start of the last entry */
	struct alpr_merkle tree;
	struct timespec last;		/* latest entry or checkpoint time */
	off_t cpoff;
	uint64_t cpsize;		/* the latest checkpoint's size */
	unsigned char cproot[ALPR_HASH];	/* and root */
	long cpwin;			/* and its window */
	long kw;			/* window of the key in sk */
	unsigned char *sk;		/* sodium_malloc'd, 64 bytes */
	unsigned char *seed;		/* sodium_malloc'd, 32 bytes */
	off_t torn;			/* offset of an incomplete tail, or -1 */
	int dirty;
};

const char *
alpr_log_dir(const char *opt)
{
	const char *e;

	if (opt && *opt)
		return opt;
	if ((e = getenv("ALPR_LOG")) && *e)
		return e;
	return NULL;
}

void
alpr_log_now(struct timespec *ts)
{
	const char *e = getenv("ALPR_LOG_NOW");

	if (e && *e && alpr_time_parse(e, ts) == 0)
		return;
	clock_gettime(CLOCK_REALTIME, ts);
}

static long
window_of(const struct alpr_log *l, const struct timespec *t)
{
	if (t->tv_sec < l->epoch)
		return 0;
	return (t->tv_sec - l->epoch) / l->window;
}

static int
writeall(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= w;
	}
	return 0;
}

/* Append one line durably; on failure cut the file back. */
static int
append_line(int fd, const char *buf, size_t n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	int e;

	if (end < 0)
		return -1;
	if (writeall(fd, buf, n) < 0 || fsync(fd) < 0) {
		e = errno;
		if (ftruncate(fd, end) == 0)
			fsync(fd);
		errno = e;
		return -1;
	}
	return 0;
}

/* Key chain messages, signed by the key they name (genesis) or the
 * previous window's key. */
char *
alpr_log_genesis_msg(const char *origin, const char *epoch, long window,
    const char *vkey)
{
	size_t n = strlen(origin) + strlen(epoch) + strlen(vkey) + 64;
	char *s = alpr_malloc(n);

	snprintf(s, n, "alpr-log genesis\n%s\n%s\n%ld\n%s\n", origin, epoch,
	    window, vkey);
	return s;
}

char *
alpr_log_key_msg(const char *origin, long w, const char *vkey)
{
	size_t n = strlen(origin) + strlen(vkey) + 64;
	char *s = alpr_malloc(n);

	snprintf(s, n, "alpr-log key\n%s\n%ld\n%s\n", origin, w, vkey);
	return s;
}

static void
seed_keys(struct alpr_log *l)
{
	unsigned char pk[ALPR_PK];

	crypto_sign_seed_keypair(pk, l->sk, l->seed);
}

/* The next window's seed: SHA-256 of a label and this one. */
static void
evolve_seed(unsigned char next[32], const unsigned char *seed)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"alpr-log evolve",
	    15);
	crypto_hash_sha256_update(&st, seed, 32);
	crypto_hash_sha256_final(&st, next);
}

static int
write_secret(const char *dir, long w, const unsigned char *seed)
{
	char b64[64], buf[128], *p, *tmp;
	int fd, r, e;

	alpr_b64(b64, sizeof b64, seed, 32);
	snprintf(buf, sizeof buf, "alpr-log secret\n%ld\n%s\n", w, b64);
	p = alpr_path(dir, ALPR_LOG_SECRET);
	tmp = alpr_path(dir, ALPR_LOG_SECRET ".tmp");
	r = -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >=
	    0) {
		r = writeall(fd, buf, strlen(buf)) < 0 || fsync(fd) < 0 ? -1 : 0;
		e = errno;
		close(fd);
		if (r == 0 && rename(tmp, p) < 0)
			r = -1;
		if (r < 0) {
			e = errno;
			unlink(tmp);
		}
		errno = e;
	}
	sodium_memzero(buf, sizeof buf);
	sodium_memzero(b64, sizeof b64);
	free(p);
	free(tmp);
	return r;
}

static int
load_secret(struct alpr_log *l)
{
	unsigned char *buf;
	char *p = alpr_path(l->dir, ALPR_LOG_SECRET), *s, *nl;
	size_t n, got;
	long w;
	int r = -1;

	if (alpr_read_file(p, &buf, &n) < 0) {
		alpr_warn("unable to read the signing key %s:", p);
		free(p);
		return -1;
	}
	buf = alpr_realloc(buf, n + 1);
	buf[n] = '\0';
	s = (char *)buf;
	if (strncmp(s, "alpr-log secret\n", 16) != 0)
		goto bad;
	s += 16;
	w = strtol(s, &nl, 10);
	if (*nl != '\n' || w < 0)
		goto bad;
	s = nl + 1;
	if (!(nl = strchr(s, '\n')) || alpr_unb64(l->seed, 32, s, nl - s,
	    &got) < 0 || got != 32)
		goto bad;
	l->kw = w;
	seed_keys(l);
	r = 0;
bad:
	if (r < 0) {
		errno = EINVAL;
		alpr_warn("%s: not a log signing key", p);
	}
	sodium_memzero(buf, n);
	free(buf);
	free(p);
	return r;
}

/*
 * DIR/state caches the tree as of the latest checkpoint (size, byte offset,
 * compact range), so that opening a log of millions of entries does not
 * hash them all again. It is only a cache: it is trusted only when its root
 * is the root the latest checkpoint signed, else the log is read whole; and
 * it is written without fsync (a torn one is simply not trusted).
 */
static void
save_state(struct alpr_log *l)
{
	char b64[64], tm[ALPR_TIME_LEN], *s, *p, *tmp;
	json_t *j, *st;
	int i, fd;

	st = json_array();
	for (i = 0; i < l->tree.top; i++) {
		alpr_b64(b64, sizeof b64, l->tree.stack[i], ALPR_HASH);
		json_array_append_new(st, json_string(b64));
	}
	alpr_time_fmt(&l->last, tm);
	j = json_pack("{s:s,s:i,s:I,s:I,s:I,s:s,s:o}", "type", "log-state",
	    "v", 1, "size", (json_int_t)l->tree.size, "offset",
	    (json_int_t)l->off, "lastoff", (json_int_t)l->lastoff, "last", tm,
	    "stack", st);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	p = alpr_path(l->dir, "state");
	tmp = alpr_path(l->dir, "state.tmp");
	if (s && (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) >= 0) {
		if (writeall(fd, s, strlen(s)) == 0 && close(fd) == 0)
			rename(tmp, p);
		else
			unlink(tmp);
	}
	free(s);
	free(p);
	free(tmp);
}

static void
load_state(struct alpr_log *l)
{
	char *p = alpr_path(l->dir, "state");
	struct alpr_merkle m;
	unsigned char root[ALPR_HASH], nl;
	struct timespec t;
	json_t *j, *st, *h;
	size_t i, got;
	off_t off;

	j = json_load_file(p, 0, NULL);
	free(p);
	if (!j)
		return;
	st = json_object_get(j, "stack");
	off = json_integer_value(json_object_get(j, "offset"));
	alpr_merkle_init(&m);
	m.size = json_integer_value(json_object_get(j, "size"));
	if (!json_is_array(st) || json_array_size(st) > 64 || !alpr_rec_str(j,
	    "last") || alpr_time_parse(alpr_rec_str(j, "last"), &t) < 0 ||
	    m.size != l->cpsize || off < 0 || (off > 0 && (pread(l->fd, &nl,
	    1, off - 1) != 1 || nl != '\n')))
		goto out;
	json_array_foreach(st, i, h) {
		const char *b = json_string_value(h);
		if (!b || alpr_unb64(m.stack[i], ALPR_HASH, b, strlen(b),
		    &got) < 0 || got != ALPR_HASH)
			goto out;
	}
	m.top = json_array_size(st);
	if ((int)__builtin_popcountll(m.size) != m.top)
		goto out;
	alpr_merkle_root(&m, root);
	if (memcmp(root, l->cproot, ALPR_HASH) != 0)
		goto out;
	l->tree = m;
	l->off = off;
	l->lastoff = json_integer_value(json_object_get(j, "lastoff"));
	if (alpr_time_cmp(&t, &l->last) > 0)
		l->last = t;
out:
	json_decref(j);
}

static int
write_checkpoint(struct alpr_log *l, const struct timespec *t, char **note)
{
	unsigned char root[ALPR_HASH];
	char *body, *signed_, *line;
	json_t *rec;
	int r;

	alpr_merkle_root(&l->tree, root);
	body = alpr_checkpoint_body(l->origin, l->tree.size, root, t);
	signed_ = alpr_note_sign(body, l->origin, l->sk);
	rec = json_pack("{s:s,s:i,s:s}", "type", "checkpoint", "v", 1,
	    "note", signed_);
	line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rec);
	free(body);
	if (!line) {
		free(signed_);
		return errno = ENOMEM, -1;
	}
	line = alpr_realloc(line, strlen(line) + 2);
	strcat(line, "\n");
	r = append_line(l->cpfd, line, strlen(line));
	if (r == 0) {
		l->cpoff = lseek(l->cpfd, 0, SEEK_END);
		l->cpsize = l->tree.size;
		memcpy(l->cproot, root, ALPR_HASH);
		l->cpwin = window_of(l, t);
		if (alpr_time_cmp(t, &l->last) > 0)
			l->last = *t;
		save_state(l);
	}
	free(line);
	if (r == 0 && note)
		*note = signed_;
	else
		free(signed_);
	return r;
}

/* Does keys.ndjson already end with the record for window w (a crash
 * between certifying a key and storing it)? */
static int
have_key(struct alpr_log *l, long w)
{
	unsigned char *buf;
	char *p = alpr_path(l->dir, ALPR_LOG_KEYS), *last;
	json_t *j;
	size_t n;
	int r = 0;

	if (alpr_read_file(p, &buf, &n) < 0) {
		free(p);
		return -1;
	}
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf = alpr_realloc(buf, n + 1);
	buf[n] = '\0';
	last = strrchr((char *)buf, '\n');
	last = last ? last + 1 : (char *)buf;
	if ((j = json_loads(last, 0, NULL))) {
		r = json_integer_value(json_object_get(j, "window")) == w &&
		    !strcmp(alpr_rec_str(j, "type") ? alpr_rec_str(j, "type") :
		    "", "log-key");
		json_decref(j);
	}
	free(buf);
	free(p);
	return r;
}

/* Move to the next window: certify its key with this one, then forget
 * this one. */
static int
evolve(struct alpr_log *l)
{
	unsigned char next[32], nsk[64], pk[ALPR_PK], sig[64];
	char b64[128], *vkey, *msg, *line;
	json_t *rec;
	int r;

	evolve_seed(next, l->seed);
	crypto_sign_seed_keypair(pk, nsk, next);
	vkey = alpr_note_vkey(l->origin, pk);
	r = have_key(l, l->kw + 1);
	if (r == 0) {
		msg = alpr_log_key_msg(l->origin, l->kw + 1, vkey);
		crypto_sign_detached(sig, NULL, (unsigned char *)msg,
		    strlen(msg), l->sk);
		free(msg);
		alpr_b64(b64, sizeof b64, sig, sizeof sig);
		rec = json_pack("{s:s,s:i,s:I,s:s,s:s}", "type", "log-key",
		    "v", 1, "window", (json_int_t)(l->kw + 1), "key", vkey,
		    "sig", b64);
		line = json_dumps(rec, JSON_COMPACT);
		json_decref(rec);
		line = alpr_realloc(line, strlen(line) + 2);
		strcat(line, "\n");
		r = append_line(l->keysfd, line, strlen(line));
		free(line);
	} else if (r > 0)
		r = 0;
	free(vkey);
	if (r == 0)
		r = write_secret(l->dir, l->kw + 1, next);
	if (r == 0) {
		memcpy(l->seed, next, 32);
		memcpy(l->sk, nsk, 64);
		l->kw++;
	}
	sodium_memzero(next, sizeof next);
	sodium_memzero(nsk, sizeof nsk);
	return r;
}

/* Hash the entries other writers appended since we last looked; note an
 * incomplete tail. */
static int
catch_up(struct alpr_log *l)
{
	static char buf[1 << 20];
	unsigned char h[ALPR_HASH];
	off_t base = l->off, pos;
	ssize_t n;
	size_t have = 0, i, start;
	json_t *j;

	l->torn = -1;
	for (;;) {
		n = pread(l->fd, buf + have, sizeof buf - have, base + have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		have += n;
		start = 0;
		for (i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			alpr_merkle_leaf(h, buf + start, i - start);
			alpr_merkle_push(&l->tree, h);
			l->lastoff = base + start;
			start = i + 1;
		}
		if (start == 0 && have == sizeof buf)
			return errno = EFBIG, -1;	/* a 1 MiB entry */
		memmove(buf, buf + start, have - start);
		base += start;
		have -= start;
	}
	l->off = base;
	if (have > 0)
		l->torn = base;
	/* The last entry's time keeps times in order. */
	if (l->tree.size > 0 && l->off - l->lastoff > 1) {
		char *line = alpr_malloc(l->off - l->lastoff);
		struct timespec t;
		pos = l->lastoff;
		if (pread(l->fd, line, l->off - pos, pos) == l->off - pos &&
		    (j = json_loadb(line, l->off - pos - 1, 0, NULL))) {
			const char *s = alpr_rec_str(j, "time");
			if (s && alpr_time_parse(s, &t) == 0 &&
			    alpr_time_cmp(&t, &l->last) > 0)
				l->last = t;
			json_decref(j);
		}
		free(line);
	}
	return 0;
}

/* Read the checkpoints other writers signed since we last looked. */
static int
catch_up_checkpoints(struct alpr_log *l)
{
	struct alpr_checkpoint c;
	off_t end = lseek(l->cpfd, 0, SEEK_END);
	char *buf, *p, *q;
	json_t *j;
	const char *note;

	if (end < 0)
		return -1;
	if (end == l->cpoff)
		return 0;
	buf = alpr_malloc(end - l->cpoff + 1);
	if (pread(l->cpfd, buf, end - l->cpoff, l->cpoff) != end - l->cpoff) {
		free(buf);
		return -1;
	}
	buf[end - l->cpoff] = '\0';
	if (!(q = strrchr(buf, '\n'))) {
		free(buf);
		return 0;
	}
	*q = '\0';
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	if ((j = json_loads(p, 0, NULL)) && (note = alpr_rec_str(j, "note")) &&
	    !alpr_checkpoint_parse(note, strlen(note), &c)) {
		l->cpsize = c.size;
		memcpy(l->cproot, c.root, ALPR_HASH);
		l->cpwin = window_of(l, &c.time);
		if (alpr_time_cmp(&c.time, &l->last) > 0)
			l->last = c.time;
	}
	alpr_checkpoint_free(&c);
	json_decref(j);
	l->cpoff += q + 1 - buf;
	free(buf);
	return 0;
}

static int
lock(struct alpr_log *l)
{
	while (flock(l->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -1;
	if (catch_up(l) < 0 || catch_up_checkpoints(l) < 0 ||
	    load_secret(l) < 0) {
		flock(l->lockfd, LOCK_UN);
		return -1;
	}
	return 0;
}

static void
unlock(struct alpr_log *l)
{
	flock(l->lockfd, LOCK_UN);
}

static struct timespec
window_start(const struct alpr_log *l, long w)
{
	struct timespec t = { l->epoch + (time_t)w * l->window, 0 };

	return t;
}

/* Under the lock: bring the key and checkpoints to now's window, signing
 * the entries of each window with its own key and each empty window too. */
static int
advance(struct alpr_log *l, struct timespec *now)
{
	struct timespec t;
	long cw;

	alpr_log_now(now);
	if (alpr_time_cmp(now, &l->last) < 0)
		*now = l->last;
	t = window_start(l, l->kw);
	if (alpr_time_cmp(now, &t) < 0)
		*now = t;
	cw = window_of(l, now);
	while (l->kw < cw) {
		if (l->tree.size > l->cpsize || l->cpwin < l->kw) {
			t = window_start(l, l->kw);
			if (alpr_time_cmp(&t, &l->last) < 0)
				t = l->last;
			if (write_checkpoint(l, &t, NULL) < 0)
				return -1;
		}
		if (evolve(l) < 0)
			return -1;
		t = window_start(l, l->kw);
		if (write_checkpoint(l, &t, NULL) < 0)
			return -1;
	}
	return 0;
}

static const char *
login_name(void)
{
	const char *e = getenv("ALPR_USER");
	struct passwd *pw;
	static char buf[32];

	if (e && *e)
		return e;
	if ((pw = getpwuid(geteuid())))
		return pw->pw_name;
	snprintf(buf, sizeof buf, "uid:%ld", (long)geteuid());
	return buf;
}

/*
 * The account the process really runs as, from the real uid: recorded in
 * every entry beside "user", which the environment or a caller names, so
 * that an entry written in someone else's name still says who wrote it.
 */
static const char *
os_account(void)
{
	static char buf[64];
	struct passwd *pw;

	if (!buf[0]) {
		if ((pw = getpwuid(getuid())))
			snprintf(buf, sizeof buf, "%s", pw->pw_name);
		else
			snprintf(buf, sizeof buf, "uid:%ld", (long)getuid());
	}
	return buf;
}

static json_t *
load_json(const char *p)
{
	json_error_t err;
	json_t *j = json_load_file(p, JSON_REJECT_DUPLICATES, &err);

	if (!j)
		alpr_warn("%s:%d: %s", p, err.line, err.text);
	return j;
}

static int
read_config(struct alpr_log *l)
{
	char *p = alpr_path(l->dir, ALPR_LOG_CONFIG);
	json_t *j = load_json(p), *v;
	struct timespec t;
	int r = -1;

	if (!j)
		goto out;
	if (!alpr_rec_str(j, "origin") || !alpr_rec_str(j, "epoch") ||
	    alpr_time_parse(alpr_rec_str(j, "epoch"), &t) < 0 ||
	    alpr_rec_num(j, "window", 0) < 1 ||
	    alpr_rec_num(j, "every", 0) < 1) {
		alpr_warn("%s: wants origin, epoch, window and every", p);
		goto out;
	}
	l->origin = alpr_strdup(alpr_rec_str(j, "origin"));
	l->org = alpr_rec_str(j, "org") ? alpr_strdup(alpr_rec_str(j, "org")) :
	    NULL;
	l->role = alpr_rec_str(j, "role") ? alpr_strdup(alpr_rec_str(j,
	    "role")) : NULL;
	l->window = alpr_rec_num(j, "window", 3600);
	l->every = alpr_rec_num(j, "every", 1000);
	l->epoch = t.tv_sec;
	if ((v = json_object_get(j, "users")) && json_is_object(v))
		l->users = json_incref(v);
	r = 0;
out:
	json_decref(j);
	free(p);
	return r;
}

static int
open_file(struct alpr_log *l, const char *name, int flags)
{
	char *p = alpr_path(l->dir, name);
	int fd = open(p, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		alpr_warn("unable to open %s:", p);
	free(p);
	return fd;
}

struct alpr_log *
alpr_log_open(const char *dir)
{
	struct alpr_log *l;

	alpr_crypto_init();
	l = alpr_calloc(1, sizeof *l);
	l->dir = alpr_strdup(dir);
	l->fd = l->cpfd = l->keysfd = l->lockfd = -1;
	l->cpwin = -1;
	l->sk = sodium_malloc(64);
	l->seed = sodium_malloc(32);
	if (!l->sk || !l->seed)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	alpr_merkle_init(&l->tree);
	if (read_config(l) < 0 ||
	    (l->lockfd = open_file(l, ALPR_LOG_LOCK, O_RDWR | O_CREAT)) < 0 ||
	    (l->fd = open_file(l, ALPR_LOG_ENTRIES, O_RDWR | O_APPEND)) < 0 ||
	    (l->cpfd = open_file(l, ALPR_LOG_CHECKPOINTS, O_RDWR | O_APPEND)) <
	    0 || (l->keysfd = open_file(l, ALPR_LOG_KEYS, O_RDWR | O_APPEND)) <
	    0)
		goto fail;
	while (flock(l->lockfd, LOCK_EX) < 0)
		if (errno != EINTR) {
			alpr_warn("unable to lock the log in %s:", dir);
			goto fail;
		}
	if (catch_up_checkpoints(l) == 0)
		load_state(l);
	flock(l->lockfd, LOCK_UN);
	if (lock(l) < 0) {
		alpr_warn("unable to read the log in %s:", dir);
		goto fail;
	}
	unlock(l);
	l->user = alpr_strdup(login_name());
	return l;
fail:
	alpr_log_close(l);
	return NULL;
}

static const char *
role_of(struct alpr_log *l, const char *user)
{
	json_t *u = l->users ? json_object_get(l->users, user) : NULL;

	if (json_is_string(u))
		return json_string_value(u);
	if (json_is_object(u) && alpr_rec_str(u, "role"))
		return alpr_rec_str(u, "role");
	return l->role;
}

/* The stored entry: our fields first, then the caller's in its order. */
static json_t *
entry(struct alpr_log *l, json_t *in, uint64_t seq, const struct timespec *t)
{
	static const char *ours[] = { "type", "v", "seq", "time", "user",
	    "os_user", "org", "role" };
	char tm[ALPR_TIME_LEN];
	const char *user, *org, *role, *k;
	json_t *e, *v;
	size_t i;

	alpr_time_fmt(t, tm);
	user = alpr_rec_str(in, "user") ? alpr_rec_str(in, "user") : l->user;
	org = alpr_rec_str(in, "org") ? alpr_rec_str(in, "org") : l->org;
	role = alpr_rec_str(in, "role") ? alpr_rec_str(in, "role") :
	    role_of(l, user);
	e = json_pack("{s:s,s:i,s:I,s:s,s:s,s:s}", "type", "access", "v", 1,
	    "seq", (json_int_t)seq, "time", tm, "user", user,
	    "os_user", os_account());
	if (org)
		json_object_set_new(e, "org", json_string(org));
	if (role)
		json_object_set_new(e, "role", json_string(role));
	json_object_foreach(in, k, v) {
		for (i = 0; i < sizeof ours / sizeof *ours; i++)
			if (!strcmp(k, ours[i]))
				break;
		if (i == sizeof ours / sizeof *ours)
			json_object_set(e, k, v);
	}
	return e;
}

static int
add(struct alpr_log *l, char **buf, size_t *len, size_t *cap, json_t *in,
    const struct timespec *t, unsigned char (*leaf)[ALPR_HASH])
{
	json_t *e = entry(l, in, l->tree.size, t);
	char *s = json_dumps(e, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t n;

	json_decref(e);
	if (!s)
		return errno = ENOMEM, -1;
	n = strlen(s);
	alpr_merkle_leaf(*leaf, s, n);
	alpr_merkle_push(&l->tree, *leaf);
	while (*len + n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		*buf = alpr_realloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	free(s);
	return 0;
}

/* Cut off an incomplete entry left by a crash, and say so in the log. */
static json_t *
repair(struct alpr_log *l)
{
	char hex[ALPR_SHA256_HEX], why[160];
	off_t end = lseek(l->fd, 0, SEEK_END);
	size_t n = end - l->torn;
	char *junk = alpr_malloc(n + 1);

	if (pread(l->fd, junk, n, l->torn) != (ssize_t)n) {
		free(junk);
		return NULL;
	}
	alpr_sha256_hex(junk, n, hex);
	free(junk);
	if (ftruncate(l->fd, l->torn) < 0 || fsync(l->fd) < 0)
		return NULL;
	snprintf(why, sizeof why, "incomplete entry of %zu bytes at offset "
	    "%lld removed (a writer crashed during an append)", n,
	    (long long)l->torn);
	l->torn = -1;
	return json_pack("{s:s,s:s,s:s,s:s}", "action", "repair", "outcome",
	    "ok", "reason", why, "removed_sha256", hex);
}

int
alpr_log_append_batch(struct alpr_log *l, json_t **in, size_t n)
{
	struct alpr_merkle saved;
	struct timespec now;
	unsigned char leaf[ALPR_HASH];
	char *buf = NULL, *nl;
	size_t len = 0, cap = 0, i;
	json_t *fix = NULL;
	uint64_t before;
	int r = -1, e;

	for (i = 0; i < n; i++)
		if (!json_is_object(in[i]) || !alpr_rec_str(in[i], "action") ||
		    !*alpr_rec_str(in[i], "action"))
			return errno = EINVAL, -1;
	if (lock(l) < 0)
		return -1;
	if (advance(l, &now) < 0)
		goto out;
	saved = l->tree;
	before = l->tree.size;
	if (l->torn >= 0) {
		if (!(fix = repair(l)))
			goto out;
		add(l, &buf, &len, &cap, fix, &now, &leaf);
		json_decref(fix);
	}
	for (i = 0; i < n; i++)
		if (add(l, &buf, &len, &cap, in[i], &now, &leaf) < 0) {
			l->tree = saved;
			goto out;
		}
	if (append_line(l->fd, buf, len) < 0) {
		l->tree = saved;
		goto out;
	}
	nl = len > 1 ? memrchr(buf, '\n', len - 1) : NULL;
	l->lastoff = l->off + (nl ? nl + 1 - buf : 0);
	l->off += len;
	l->last = now;
	l->dirty = 1;
	r = 0;
	/* Checkpoint when the size crossed a multiple of every. */
	if (l->tree.size / l->every != before / l->every &&
	    write_checkpoint(l, &now, NULL) < 0)
		alpr_warn("unable to write a checkpoint:");
out:
	e = errno;
	free(buf);
	unlock(l);
	errno = e;
	return r;
}

int
alpr_log_append(struct alpr_log *l, json_t *e)
{
	return alpr_log_append_batch(l, &e, 1);
}

int
alpr_log_checkpoint(struct alpr_log *l, char **note)
{
	struct timespec now;
	int r = -1, e;

	if (lock(l) < 0)
		return -1;
	if (advance(l, &now) == 0)
		r = write_checkpoint(l, &now, note);
	e = errno;
	unlock(l);
	errno = e;
	return r;
}

void
alpr_log_close(struct alpr_log *l)
{
	struct timespec now;

	if (!l)
		return;
	if (l->dirty && lock(l) == 0) {
		if (advance(l, &now) < 0 || (l->tree.size > l->cpsize &&
		    write_checkpoint(l, &now, NULL) < 0))
			alpr_warn("unable to write a checkpoint:");
		unlock(l);
	}
	if (l->fd >= 0)
		close(l->fd);
	if (l->cpfd >= 0)
		close(l->cpfd);
	if (l->keysfd >= 0)
		close(l->keysfd);
	if (l->lockfd >= 0)
		close(l->lockfd);
	sodium_free(l->sk);
	sodium_free(l->seed);
	json_decref(l->users);
	free(l->origin);
	free(l->org);
	free(l->role);
	free(l->user);
	free(l->dir);
	free(l);
}

static int
put(const char *dir, const char *name, const char *s)
{
	char *p = alpr_path(dir, name);
	int r = alpr_write_atomic(p, s, strlen(s));

	if (r < 0)
		alpr_warn("unable to write %s:", p);
	free(p);
	return r;
}

char *
alpr_log_init(const char *dir, const struct alpr_log_config *cf)
{
	unsigned char seed[32], sk[64], pk[ALPR_PK], sig[64];
	char epoch[ALPR_TIME_LEN], b64[128], *vkey, *msg, *s, *p;
	struct timespec now, ep;
	struct alpr_log *l;
	json_t *j;
	struct stat st;

	alpr_crypto_init();
	if (!alpr_note_name_ok(cf->origin, strlen(cf->origin))) {
		alpr_warn("bad origin '%s': want a name without spaces or '+'",
		    cf->origin);
		return NULL;
	}
	p = alpr_path(dir, ALPR_LOG_ENTRIES);
	if (stat(p, &st) == 0) {
		alpr_warn("%s already exists: a log is never made twice", p);
		free(p);
		return NULL;
	}
	free(p);
	p = alpr_path(dir, "secret");
	if (alpr_mkdirs(dir, 0755) < 0 || alpr_mkdirs(p, 0700) < 0 ||
	    chmod(p, 0700) < 0) {
		alpr_warn("unable to make %s:", p);
		free(p);
		return NULL;
	}
	free(p);
	alpr_log_now(&now);
	ep.tv_sec = now.tv_sec - now.tv_sec % cf->window;
	ep.tv_nsec = 0;
	alpr_time_fmt(&ep, epoch);
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	vkey = alpr_note_vkey(cf->origin, pk);
	msg = alpr_log_genesis_msg(cf->origin, epoch, cf->window, vkey);
	crypto_sign_detached(sig, NULL, (unsigned char *)msg, strlen(msg), sk);
	free(msg);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	sodium_memzero(sk, sizeof sk);
	if (write_secret(dir, 0, seed) < 0) {
		alpr_warn("unable to write the signing key:");
		goto fail;
	}
	sodium_memzero(seed, sizeof seed);
	j = json_pack("{s:s,s:i,s:s,s:s,s:I,s:s,s:s}", "type", "log-genesis",
	    "v", 1, "origin", cf->origin, "epoch", epoch, "window",
	    (json_int_t)cf->window, "key", vkey, "sig", b64);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	s = alpr_realloc(s, strlen(s) + 2);
	strcat(s, "\n");
	if (put(dir, ALPR_LOG_KEYS, s) < 0) {
		free(s);
		goto fail;
	}
	free(s);
	j = json_pack("{s:s,s:i,s:s,s:s,s:I,s:I}", "type", "log-config", "v", 1,
	    "origin", cf->origin, "epoch", epoch, "window",
	    (json_int_t)cf->window, "every", (json_int_t)cf->every);
	if (cf->org)
		json_object_set_new(j, "org", json_string(cf->org));
	if (cf->role)
		json_object_set_new(j, "role", json_string(cf->role));
	json_object_set_new(j, "users", json_object());
	s = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	s = alpr_realloc(s, strlen(s) + 2);
	strcat(s, "\n");
	if (put(dir, ALPR_LOG_CONFIG, s) < 0 ||
	    put(dir, ALPR_LOG_CHECKPOINTS, "") < 0 ||
	    put(dir, ALPR_LOG_ENTRIES, "") < 0) {
		free(s);
		goto fail;
	}
	free(s);
	s = alpr_malloc(strlen(vkey) + 2);
	sprintf(s, "%s\n", vkey);
	if (put(dir, ALPR_LOG_PUBKEY, s) < 0) {
		free(s);
		goto fail;
	}
	free(s);
	/* The first checkpoint: the empty tree, signed in window 0. */
	if (!(l = alpr_log_open(dir)))
		goto fail;
	if (alpr_log_checkpoint(l, NULL) < 0) {
		alpr_warn("unable to write the first checkpoint:");
		alpr_log_close(l);
		goto fail;
	}
	alpr_log_close(l);
	return vkey;
fail:
	sodium_memzero(seed, sizeof seed);
	free(vkey);
	return NULL;
}
