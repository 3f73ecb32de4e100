/*
 * log.c: the signed, append-only access log (alpr-audit(1), alpr-records(5)).
 *
 * DIR/log.ndjson holds the entries, one JSON line each, leaf i of an RFC 6962
 * Merkle tree. DIR/checkpoints.ndjson holds signed checkpoints, DIR/keys.ndjson
 * the key chain (a genesis record signed by the initial key, then one record
 * per window certifying that window's key with the previous one), and
 * DIR/secret/key the current window's seed. Every writer holds flock on
 * DIR/lock while it appends.
 *
 * Each window's key is fresh randomness. Moving to the next window, the
 * writer signs a checkpoint that covers every entry of the window, then
 * certifies the next key with this one in a record that also names the
 * tree's size and root at that moment, and forgets this key: so the key of
 * window w pins the entries dated before window w+1, and no later key can
 * change them. The next window's first checkpoint starts from that size.
 * The new seed is written to DIR/secret/next before its record, and renamed
 * over DIR/secret/key after it, so that a crash anywhere leaves either the
 * old key or the new one, never a certified key without its seed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
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
	json_t *repairs;		/* repair entries not yet logged */
	long max_ahead;			/* seconds the clock may jump ahead */
	const char *jump;		/* a clock jump allowed, and why */
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

/* Append one line durably; on failure cut the file back. */
static int
append_line(int fd, const char *buf, size_t n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	int e;

	if (end < 0)
		return -1;
	if (alpr_write_all(fd, buf, n) < 0 || fsync(fd) < 0) {
		e = errno;
		if (ftruncate(fd, end) == 0)
			fsync(fd);
		errno = e;
		return -1;
	}
	return 0;
}

/* Key chain messages, signed by the key they name (genesis) or the
 * previous window's key. Version 2 of a key record also pins the tree as
 * the previous window closed; version 1 (older logs) does not. */
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
alpr_log_key_msg(int v, const char *origin, long w, const char *vkey,
    uint64_t size, const char *root)
{
	size_t n = strlen(origin) + strlen(vkey) + strlen(root) + 96;
	char *s = alpr_malloc(n);

	if (v == 1)
		snprintf(s, n, "alpr-log key\n%s\n%ld\n%s\n", origin, w, vkey);
	else
		snprintf(s, n, "alpr-log key 2\n%s\n%ld\n%s\n%llu\n%s\n", origin,
		    w, vkey, (unsigned long long)size, root);
	return s;
}

/* Write DIR/secret/NAME: window w's seed, durably (temp file, fsync,
 * rename, fsync of the directory). */
static int
write_secret(const char *dir, const char *name, long w,
    const unsigned char *seed)
{
	char b64[64], buf[128], *p;
	int r;

	alpr_b64(b64, sizeof b64, seed, 32);
	snprintf(buf, sizeof buf, "alpr-log secret\n%ld\n%s\n", w, b64);
	p = alpr_path(dir, name);
	r = alpr_write_atomic_mode(p, buf, strlen(buf), 0600);
	sodium_memzero(buf, sizeof buf);
	sodium_memzero(b64, sizeof b64);
	free(p);
	return r;
}

/* Read DIR/NAME (a secret file) into seed; its window, or -1 (errno). */
static long
read_secret(const char *dir, const char *name, unsigned char *seed)
{
	unsigned char *buf;
	char *p = alpr_path(dir, name), *s, *nl;
	size_t n, got;
	long w = -1;

	if (alpr_read_file_max(p, &buf, &n, 4096) < 0) {
		free(p);
		return -1;
	}
	s = (char *)buf;
	if (strncmp(s, "alpr-log secret\n", 16) == 0) {
		s += 16;
		errno = 0;
		w = strtol(s, &nl, 10);
		if (nl == s || *nl != '\n' || w < 0 || errno)
			w = -1;
		else if (!(s = strchr(nl + 1, '\n')) ||
		    alpr_unb64(seed, 32, nl + 1, s - nl - 1, &got) < 0 ||
		    got != 32)
			w = -1;
	}
	if (w < 0)
		errno = EINVAL;
	sodium_memzero(buf, n);
	free(buf);
	free(p);
	return w;
}

static int
load_secret(struct alpr_log *l)
{
	unsigned char pk[ALPR_PK];
	long w;

	if ((w = read_secret(l->dir, ALPR_LOG_SECRET, l->seed)) < 0) {
		alpr_warn(errno == EINVAL ? "%s/%s: not a log signing key" :
		    "unable to read the signing key %s/%s:", l->dir,
		    ALPR_LOG_SECRET);
		return -1;
	}
	l->kw = w;
	crypto_sign_seed_keypair(pk, l->sk, l->seed);
	return 0;
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
		if (alpr_write_all(fd, s, strlen(s)) == 0 && close(fd) == 0)
			rename(tmp, p);
		else
			unlink(tmp);
	}
	free(s);
	free(p);
	free(tmp);
}

/* Is off the start of a line of log.ndjson? */
static int
line_start(struct alpr_log *l, json_int_t off)
{
	unsigned char nl;

	return off == 0 || (off > 0 && pread(l->fd, &nl, 1, off - 1) == 1 &&
	    nl == '\n');
}

static void
load_state(struct alpr_log *l)
{
	unsigned char *buf, root[ALPR_HASH];
	char *p = alpr_path(l->dir, "state");
	struct alpr_merkle m;
	struct timespec t;
	json_int_t off, lastoff;
	json_t *j = NULL, *st, *h;
	size_t i, got, n;

	if (alpr_read_file_max(p, &buf, &n, 1 << 16) == 0) {
		j = json_loadb((char *)buf, n, 0, NULL);
		free(buf);
	}
	free(p);
	if (!j)
		return;
	st = json_object_get(j, "stack");
	off = json_integer_value(json_object_get(j, "offset"));
	lastoff = json_integer_value(json_object_get(j, "lastoff"));
	alpr_merkle_init(&m);
	m.size = json_integer_value(json_object_get(j, "size"));
	if (!json_is_array(st) || json_array_size(st) > 64 || !alpr_rec_str(j,
	    "last") || alpr_time_parse(alpr_rec_str(j, "last"), &t) < 0 ||
	    m.size != l->cpsize || !line_start(l, off) ||
	    !line_start(l, lastoff) || lastoff > off ||
	    (m.size > 0 && (lastoff == off || off - lastoff > ALPR_LOG_LINE_MAX)))
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
	l->lastoff = lastoff;
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

/* Remember a repair, to be logged as an entry by the next append. */
static void
note_repair(struct alpr_log *l, const char *what, const char *file,
    off_t at, uint64_t n, const char *hex)
{
	char why[256];

	snprintf(why, sizeof why, "incomplete %s of %llu bytes at offset %lld "
	    "of %s removed (a writer crashed during an append)", what,
	    (unsigned long long)n, (long long)at, file);
	json_array_append_new(l->repairs, json_pack("{s:s,s:s,s:s,s:s}",
	    "action", "repair", "outcome", "ok", "reason", why,
	    "removed_sha256", hex));
}

/* Cut fd back to at, the end of its last whole line; the SHA-256 of what
 * is removed in hex. */
static int
cut_tail(int fd, off_t at, off_t end, char hex[ALPR_SHA256_HEX])
{
	crypto_hash_sha256_state st;
	unsigned char buf[1 << 16], h[crypto_hash_sha256_BYTES];
	ssize_t n;
	off_t o;

	crypto_hash_sha256_init(&st);
	for (o = at; o < end; o += n) {
		n = pread(fd, buf, end - o < (off_t)sizeof buf ? (size_t)(end - o) :
		    sizeof buf, o);
		if (n <= 0)
			return n < 0 ? -1 : (errno = EIO, -1);
		crypto_hash_sha256_update(&st, buf, n);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, ALPR_SHA256_HEX, h, sizeof h);
	if (ftruncate(fd, at) < 0 || fsync(fd) < 0)
		return -1;
	return 0;
}

/* The offset just after the last newline of fd before end (0 if none). */
static off_t
last_newline(int fd, off_t end)
{
	char buf[4096];
	off_t o = end;
	size_t k;

	while (o > 0) {
		k = o < (off_t)sizeof buf ? (size_t)o : sizeof buf;
		o -= k;
		if (pread(fd, buf, k, o) != (ssize_t)k)
			return -1;
		while (k > 0)
			if (buf[--k] == '\n')
				return o + k + 1;
	}
	return 0;
}

/* A torn last line of checkpoints.ndjson or keys.ndjson is cut off at
 * once (a record must never be glued to it) and logged by the next append. */
static int
repair_tail(struct alpr_log *l, int fd, const char *file, const char *what)
{
	char hex[ALPR_SHA256_HEX], c;
	off_t end = lseek(fd, 0, SEEK_END), at;

	if (end < 0)
		return -1;
	if (end == 0 || (pread(fd, &c, 1, end - 1) == 1 && c == '\n'))
		return 0;
	if ((at = last_newline(fd, end)) < 0 || cut_tail(fd, at, end, hex) < 0)
		return -1;
	note_repair(l, what, file, at, end - at, hex);
	return 0;
}

/* The last line of fd (a key record), NUL-terminated, in buf. */
static int
last_line(int fd, char *buf, size_t n)
{
	off_t end = lseek(fd, 0, SEEK_END), at;
	ssize_t got;

	if (end <= 0 || (at = last_newline(fd, end - 1)) < 0)
		return -1;
	if (end - at > (off_t)n - 1)
		return errno = EFBIG, -1;
	if ((got = pread(fd, buf, end - at, at)) != end - at)
		return -1;
	buf[got] = '\0';
	return 0;
}

/* The window and key of the last record of keys.ndjson (genesis: 0). */
static long
last_key(struct alpr_log *l, char *vkey, size_t n)
{
	char buf[4096];
	json_t *j;
	long w = -1;

	if (last_line(l->keysfd, buf, sizeof buf) < 0)
		return -1;
	if ((j = json_loads(buf, 0, NULL)) && alpr_rec_str(j, "key") &&
	    strlen(alpr_rec_str(j, "key")) < n) {
		if (!strcmp(alpr_rec_str(j, "type") ? alpr_rec_str(j, "type") :
		    "", "log-genesis"))
			w = 0;
		else if (json_is_integer(json_object_get(j, "window")))
			w = json_integer_value(json_object_get(j, "window"));
		snprintf(vkey, n, "%s", alpr_rec_str(j, "key"));
	}
	json_decref(j);
	return w < 0 ? (errno = EINVAL, -1) : w;
}

/*
 * Finish or undo a move to the next window that a crash interrupted: with
 * secret/next for window kw+1 and its key certified, the move is done; with
 * no record yet, it is undone (the next move draws a new key).
 */
static int
finish_evolve(struct alpr_log *l)
{
	unsigned char *seed, pk[ALPR_PK], sk[64];
	char *next = alpr_path(l->dir, ALPR_LOG_SECRET_NEXT), *key, *vk;
	char last[512];
	long w, lw;
	int r = -1;

	if (access(next, F_OK) < 0) {
		free(next);
		return 0;
	}
	seed = sodium_malloc(32);
	if (!seed)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	key = alpr_path(l->dir, ALPR_LOG_SECRET);
	w = read_secret(l->dir, ALPR_LOG_SECRET_NEXT, seed);
	lw = last_key(l, last, sizeof last);
	if (w == l->kw + 1 && lw == l->kw) {
		r = unlink(next);	/* the key was never certified */
	} else if (w == l->kw + 1 && lw == w) {
		crypto_sign_seed_keypair(pk, sk, seed);
		vk = alpr_note_vkey(l->origin, pk);
		if (!strcmp(vk, last) && (r = rename(next, key)) == 0)
			r = load_secret(l);
		else if (r == -1)
			errno = EINVAL;
		free(vk);
		sodium_memzero(sk, sizeof sk);
	} else
		errno = EINVAL;
	if (r < 0)
		alpr_warn("%s does not finish the move from window %ld to the "
		    "next: the log cannot sign:", next, l->kw);
	sodium_free(seed);
	free(key);
	free(next);
	return r;
}

/* Move to the next window: a fresh key, certified by this one together
 * with the tree as this window closes; then this one is forgotten. */
static int
evolve(struct alpr_log *l)
{
	unsigned char next[32], nsk[64], pk[ALPR_PK], sig[64], root[ALPR_HASH];
	char b64[128], rb64[64], last[512], *vkey, *msg, *line, *p, *q;
	json_t *rec;
	int r;

	if (last_key(l, last, sizeof last) != l->kw) {
		alpr_warn("%s/%s does not end with the key of window %ld, the "
		    "signing key's: the log cannot sign", l->dir, ALPR_LOG_KEYS,
		    l->kw);
		return errno = EINVAL, -1;
	}
	randombytes_buf(next, sizeof next);
	crypto_sign_seed_keypair(pk, nsk, next);
	vkey = alpr_note_vkey(l->origin, pk);
	alpr_merkle_root(&l->tree, root);
	alpr_b64(rb64, sizeof rb64, root, ALPR_HASH);
	msg = alpr_log_key_msg(2, l->origin, l->kw + 1, vkey, l->tree.size,
	    rb64);
	crypto_sign_detached(sig, NULL, (unsigned char *)msg, strlen(msg),
	    l->sk);
	free(msg);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	rec = json_pack("{s:s,s:i,s:I,s:s,s:I,s:s,s:s}", "type", "log-key",
	    "v", 2, "window", (json_int_t)(l->kw + 1), "key", vkey, "size",
	    (json_int_t)l->tree.size, "root", rb64, "sig", b64);
	line = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	line = alpr_realloc(line, strlen(line) + 2);
	strcat(line, "\n");
	p = alpr_path(l->dir, ALPR_LOG_SECRET_NEXT);
	q = alpr_path(l->dir, ALPR_LOG_SECRET);
	if ((r = write_secret(l->dir, ALPR_LOG_SECRET_NEXT, l->kw + 1,
	    next)) == 0 && (r = append_line(l->keysfd, line, strlen(line))) < 0)
		unlink(p);
	if (r == 0 && (r = rename(p, q)) == 0)
		r = alpr_fsync_dir(q);
	if (r == 0) {
		memcpy(l->seed, next, 32);
		memcpy(l->sk, nsk, 64);
		l->kw++;
	}
	free(p);
	free(q);
	free(line);
	free(vkey);
	sodium_memzero(next, sizeof next);
	sodium_memzero(nsk, sizeof nsk);
	return r;
}

/*
 * Hash the entries other writers appended since we last looked; note an
 * incomplete tail. An entry is at most ALPR_LOG_ENTRY_MAX bytes when
 * written; a line longer than the buffer that is not the torn tail was
 * put there by hand, and the writer stops (alpr-audit verify names it).
 */
static int
catch_up(struct alpr_log *l)
{
	static char buf[ALPR_LOG_LINE_MAX];
	unsigned char h[ALPR_HASH];
	off_t base = l->off, pos;
	ssize_t n;
	size_t have = 0, i, start;
	json_t *j;
	char *nl;

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
			if (!(nl = memchr(buf + i, '\n', have - i)))
				break;
			i = nl - buf;
			alpr_merkle_leaf(h, buf + start, i - start);
			alpr_merkle_push(&l->tree, h);
			l->lastoff = base + start;
			start = i + 1;
		}
		if (start == 0 && have == sizeof buf) {
			/* no newline in a whole buffer: a torn tail, or not */
			for (pos = base + have; (n = pread(l->fd, buf,
			    sizeof buf, pos)) > 0; pos += n)
				if (memchr(buf, '\n', n)) {
					alpr_warn("%s/%s: entry %llu is longer "
					    "than %d bytes: run alpr-audit "
					    "verify", l->dir, ALPR_LOG_ENTRIES,
					    (unsigned long long)l->tree.size,
					    ALPR_LOG_LINE_MAX);
					return errno = EFBIG, -1;
				}
			if (n < 0)
				return -1;
			break;
		}
		memmove(buf, buf + start, have - start);
		base += start;
		have -= start;
	}
	l->off = base;
	if (have > 0)
		l->torn = base;
	/* The last entry's time keeps times in order. */
	if (l->tree.size > 0 && l->off - l->lastoff > 1 &&
	    l->off - l->lastoff <= ALPR_LOG_LINE_MAX) {
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

/* Read the checkpoints other writers signed since we last looked: the
 * newest that parses is the one the tree is checked against. */
static int
catch_up_checkpoints(struct alpr_log *l)
{
	struct alpr_checkpoint c;
	off_t end = lseek(l->cpfd, 0, SEEK_END);
	char *buf, *p, *q;
	const char *note;
	json_t *j;

	if (end < 0)
		return -1;
	if (end <= l->cpoff)
		return 0;
	buf = alpr_malloc(end - l->cpoff + 1);
	if (pread(l->cpfd, buf, end - l->cpoff, l->cpoff) != end - l->cpoff) {
		free(buf);
		return -1;
	}
	buf[end - l->cpoff] = '\0';
	for (p = buf; (q = memchr(p, '\n', buf + (end - l->cpoff) - p));
	    p = q + 1) {
		if (!(j = json_loadb(p, q - p, 0, NULL)))
			continue;
		if ((note = alpr_rec_str(j, "note"))) {
			if (!alpr_checkpoint_parse(note, strlen(note), &c) &&
			    !strcmp(c.origin, l->origin)) {
				l->cpsize = c.size;
				memcpy(l->cproot, c.root, ALPR_HASH);
				l->cpwin = window_of(l, &c.time);
				if (alpr_time_cmp(&c.time, &l->last) > 0)
					l->last = c.time;
			}
			alpr_checkpoint_free(&c);
		}
		json_decref(j);
	}
	l->cpoff += p - buf;
	free(buf);
	return 0;
}

static int
lock(struct alpr_log *l)
{
	while (flock(l->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -1;
	if (repair_tail(l, l->cpfd, ALPR_LOG_CHECKPOINTS,
	    "checkpoint record") < 0 ||
	    repair_tail(l, l->keysfd, ALPR_LOG_KEYS, "key record") < 0 ||
	    catch_up(l) < 0 || catch_up_checkpoints(l) < 0 ||
	    load_secret(l) < 0 || finish_evolve(l) < 0) {
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

/* t, or the log's latest time if that is later. */
static struct timespec
not_before_last(const struct alpr_log *l, struct timespec t)
{
	return alpr_time_cmp(&t, &l->last) < 0 ? l->last : t;
}

/*
 * Under the lock: bring the key and checkpoints to now's window. Each
 * window opens with a checkpoint (the size the last one closed with) and
 * closes with one that covers all its entries, empty windows too; then
 * evolve() certifies the next key. A clock more than max_ahead past the
 * log's latest time is refused unless l->jump allows it.
 */
static int
advance(struct alpr_log *l, struct timespec *now)
{
	char t0[ALPR_TIME_LEN], t1[ALPR_TIME_LEN];
	struct timespec t;
	long cw;

	alpr_log_now(now);
	if (now->tv_sec - l->last.tv_sec > l->max_ahead && !l->jump) {
		alpr_time_fmt(&l->last, t0);
		alpr_time_fmt(now, t1);
		alpr_warn("the clock says %s, more than %ld seconds after the "
		    "log's latest time %s: not signing; if the clock is right, "
		    "run alpr-audit checkpoint -c reason", t1, l->max_ahead, t0);
		return errno = ERANGE, -1;
	}
	*now = not_before_last(l, *now);
	t = window_start(l, l->kw);
	if (alpr_time_cmp(now, &t) < 0)
		*now = t;
	cw = window_of(l, now);
	if (cw - l->kw > l->max_ahead / l->window + 1 && !l->jump) {
		alpr_warn("the clock is in window %ld, the signing key's is %ld: "
		    "not signing for so many windows at once; if the clock is "
		    "right, run alpr-audit checkpoint -c reason", cw, l->kw);
		return errno = ERANGE, -1;
	}
	for (;;) {
		t = not_before_last(l, window_start(l, l->kw));
		if (l->cpwin < l->kw && write_checkpoint(l, &t, NULL) < 0)
			return -1;
		if (l->kw >= cw)
			return 0;
		if (l->tree.size > l->cpsize && write_checkpoint(l, &t, NULL) < 0)
			return -1;
		if (evolve(l) < 0)
			return -1;
	}
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
	unsigned char *buf;
	json_t *j;
	size_t n;

	if (alpr_read_file_max(p, &buf, &n, 1 << 20) < 0) {
		alpr_warn("unable to read %s:", p);
		return NULL;
	}
	if (!(j = json_loadb((char *)buf, n, JSON_REJECT_DUPLICATES, &err)))
		alpr_warn("%s:%d: %s", p, err.line, err.text);
	free(buf);
	return j;
}

/* A whole number from min to max, or def when absent; -1 when bad. */
static long
config_num(json_t *j, const char *key, long min, long max, long def)
{
	json_t *v = json_object_get(j, key);

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return -1;
	return json_integer_value(v);
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
	    (l->window = config_num(j, "window", ALPR_LOG_WINDOW_MIN,
	    ALPR_LOG_WINDOW_MAX, -1)) < 0 || (l->every = config_num(j,
	    "every", 1, 1000000000, -1)) < 0 || (l->max_ahead = config_num(j,
	    "max_ahead", 1, l->window * ALPR_LOG_AHEAD_WINDOWS,
	    l->window > 43200 ? l->window : 43200)) < 0) {
		alpr_warn("%s: wants origin, epoch, window (%ld to %ld "
		    "seconds), every (1 to 10^9 entries), and max_ahead if any "
		    "(1 second to %d windows)", p, ALPR_LOG_WINDOW_MIN,
		    ALPR_LOG_WINDOW_MAX, ALPR_LOG_AHEAD_WINDOWS);
		goto out;
	}
	l->origin = alpr_strdup(alpr_rec_str(j, "origin"));
	l->org = alpr_rec_str(j, "org") ? alpr_strdup(alpr_rec_str(j, "org")) :
	    NULL;
	l->role = alpr_rec_str(j, "role") ? alpr_strdup(alpr_rec_str(j,
	    "role")) : NULL;
	l->epoch = t.tv_sec;
	l->last.tv_sec = t.tv_sec;	/* nothing is older than the log */
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

/*
 * A log that cannot be written alerts the agency's officials, not only
 * the one whose action it stopped (CJIS: alert on an audit failure): a
 * syslog message, facility authpriv, priority alert, naming the folder,
 * what failed and why, which the agency routes to them (alpr-store(1)
 * DEPLOYMENT). Never an entry's content: it may hold a plate. An entry
 * refused as too long (EMSGSIZE, said to the caller) or malformed
 * (EINVAL) is its caller's fault, not the log's, and raises none: else
 * anyone who can make a long entry could flood the officials with alerts
 * the log does not explain.
 */
void
alpr_log_alert(const char *dir, const char *what, const char *why)
{
	int e = errno;

	syslog(LOG_AUTHPRIV | LOG_ALERT, "access log %s: %s failed: %s",
	    dir, what, why);
	errno = e;
}

static void
alert(const char *dir, const char *what, int err)
{
	alpr_log_alert(dir, what, strerror(err));
	errno = err;
}

/* Is dir a log of the account running (its config there, its own)? A
 * log that does not open alerts only then: anyone may name any folder. */
static int
ours(const char *dir)
{
	char *p = alpr_path(dir, ALPR_LOG_CONFIG);
	struct stat sb;
	int r = stat(dir, &sb) == 0 && sb.st_uid == geteuid() &&
	    access(p, F_OK) == 0;

	free(p);
	return r;
}

struct alpr_log *
alpr_log_open(const char *dir)
{
	struct alpr_log *l;
	int e;

	alpr_crypto_init();
	l = alpr_calloc(1, sizeof *l);
	l->dir = alpr_strdup(dir);
	l->fd = l->cpfd = l->keysfd = l->lockfd = -1;
	l->cpwin = -1;
	l->repairs = json_array();
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
	e = errno;
	alpr_log_close(l);
	if (ours(dir))		/* not a folder mistyped, nor another's */
		alert(dir, "opening it", e);
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
    const struct timespec *t)
{
	json_t *e = entry(l, in, l->tree.size, t);
	char *s = json_dumps(e, JSON_COMPACT | JSON_ENSURE_ASCII);
	unsigned char leaf[ALPR_HASH];
	size_t n;

	json_decref(e);
	if (!s)
		return errno = ENOMEM, -1;
	if ((n = strlen(s)) > ALPR_LOG_ENTRY_MAX) {
		alpr_warn("an entry of %zu bytes is longer than the access log's "
		    "limit of %d: not logged", n, ALPR_LOG_ENTRY_MAX);
		free(s);
		return errno = EMSGSIZE, -1;
	}
	alpr_merkle_leaf(leaf, s, n);
	alpr_merkle_push(&l->tree, leaf);
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

/* Cut off an incomplete entry left by a crash; it is logged as repaired. */
static int
repair(struct alpr_log *l)
{
	char hex[ALPR_SHA256_HEX];
	off_t end = lseek(l->fd, 0, SEEK_END);

	if (end < 0 || cut_tail(l->fd, l->torn, end, hex) < 0)
		return -1;
	note_repair(l, "entry", ALPR_LOG_ENTRIES, l->torn, end - l->torn, hex);
	l->torn = -1;
	return 0;
}

/* Under the lock, after advance: append the pending repair entries and
 * in[0..n), all in one write, and a checkpoint when the size crosses a
 * multiple of every. On failure nothing was appended. */
static int
append_locked(struct alpr_log *l, const struct timespec *now, json_t **in,
    size_t n)
{
	struct alpr_merkle saved = l->tree;
	uint64_t before = l->tree.size;
	char *buf = NULL, *nl;
	size_t len = 0, cap = 0, i;
	json_t *fix;
	int e;

	if (l->torn >= 0 && repair(l) < 0)
		return -1;
	json_array_foreach(l->repairs, i, fix)
		if (add(l, &buf, &len, &cap, fix, now) < 0)
			goto fail;
	for (i = 0; i < n; i++)
		if (add(l, &buf, &len, &cap, in[i], now) < 0)
			goto fail;
	if (len == 0)
		return 0;
	if (append_line(l->fd, buf, len) < 0)
		goto fail;
	json_array_clear(l->repairs);
	nl = len > 1 ? memrchr(buf, '\n', len - 1) : NULL;
	l->lastoff = l->off + (nl ? nl + 1 - buf : 0);
	l->off += len;
	l->last = *now;
	l->dirty = 1;
	free(buf);
	if (l->tree.size / l->every != before / l->every &&
	    write_checkpoint(l, now, NULL) < 0) {
		e = errno;
		alpr_warn("unable to write a checkpoint:");
		alert(l->dir, "a checkpoint", e);
	}
	return 0;
fail:
	e = errno;
	l->tree = saved;
	free(buf);
	errno = e;
	return -1;
}

int
alpr_log_append_batch(struct alpr_log *l, json_t **in, size_t n)
{
	struct timespec now;
	size_t i;
	int r = -1, e;

	for (i = 0; i < n; i++)
		if (!json_is_object(in[i]) || !alpr_rec_str(in[i], "action") ||
		    !*alpr_rec_str(in[i], "action"))
			return errno = EINVAL, -1;	/* the caller's fault */
	if (lock(l) < 0) {
		alert(l->dir, "an entry's append", errno);
		return -1;
	}
	if (advance(l, &now) == 0)
		r = append_locked(l, &now, in, n);
	e = errno;
	unlock(l);
	if (r < 0 && e != EMSGSIZE)
		alert(l->dir, "an entry's append", e);
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

	if (lock(l) < 0) {
		alert(l->dir, "a checkpoint", errno);
		return -1;
	}
	if (advance(l, &now) == 0 && append_locked(l, &now, NULL, 0) == 0)
		r = write_checkpoint(l, &now, note);
	e = errno;
	unlock(l);
	if (r < 0)
		alert(l->dir, "a checkpoint", e);
	errno = e;
	return r;
}

int
alpr_log_jump(struct alpr_log *l, const char *reason, char **note)
{
	char from[ALPR_TIME_LEN], to[ALPR_TIME_LEN];
	struct timespec now;
	json_t *e;
	int r = -1, err;

	if (lock(l) < 0) {
		alert(l->dir, "a clock jump's entry", errno);
		return -1;
	}
	alpr_time_fmt(&l->last, from);
	l->jump = reason;
	if (advance(l, &now) == 0) {
		alpr_time_fmt(&now, to);
		e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", "clock-jump",
		    "outcome", "ok", "reason", reason, "from", from, "to", to);
		if ((r = append_locked(l, &now, &e, 1)) == 0)
			r = write_checkpoint(l, &now, note);
		json_decref(e);
	}
	l->jump = NULL;
	err = errno;
	unlock(l);
	if (r < 0)
		alert(l->dir, "a clock jump's entry", err);
	errno = err;
	return r;
}

long
alpr_log_window(const struct alpr_log *l)
{
	return l->window;
}

void
alpr_log_close(struct alpr_log *l)
{
	struct timespec now;

	if (!l)
		return;
	if (l->dirty && lock(l) < 0)
		alert(l->dir, "a checkpoint", errno);
	else if (l->dirty) {
		if (advance(l, &now) < 0 || (l->tree.size > l->cpsize &&
		    write_checkpoint(l, &now, NULL) < 0)) {
			int e = errno;

			alpr_warn("unable to write a checkpoint:");
			alert(l->dir, "a checkpoint", e);
		}
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
	json_decref(l->repairs);
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
	int r;

	alpr_crypto_init();
	if (!alpr_note_name_ok(cf->origin, strlen(cf->origin))) {
		alpr_warn("bad origin '%s': want a name without spaces or '+'",
		    cf->origin);
		return NULL;
	}
	p = alpr_path(dir, ALPR_LOG_ENTRIES);
	if (stat(p, &st) == 0) {
		alpr_fail("%s already exists: a log is never made twice", p);
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
	if (write_secret(dir, ALPR_LOG_SECRET, 0, seed) < 0) {
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
	/* The first checkpoint: the empty tree at the start of window 0. */
	if (!(l = alpr_log_open(dir)))
		goto fail;
	if ((r = lock(l)) == 0) {
		r = advance(l, &now);
		unlock(l);
	}
	if (r < 0) {
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
