/* logverify.c: checking the access log from its files and one public key:
 * the key chain, every checkpoint, every entry, the tree. Nothing in the
 * files is trusted: every line is parsed strictly and bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

static void
bad(struct alpr_logverify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
bad(struct alpr_logverify *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", alpr_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	v->bad++;
}

static int
sigok(const char *msg, const char *b64, const unsigned char pk[ALPR_PK])
{
	unsigned char sig[64];
	size_t n;

	if (!b64 || alpr_unb64(sig, sizeof sig, b64, strlen(b64), &n) < 0 ||
	    n != sizeof sig)
		return 0;
	return crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), pk) == 0;
}

/* The records of a file of the log (keys, checkpoints), read whole. */
struct lines {
	char *path;
	unsigned char *buf;
	size_t n, pos;
	unsigned long line;
};

static int
lines_open(struct lines *ls, const char *dir, const char *name)
{
	memset(ls, 0, sizeof *ls);
	ls->path = alpr_path(dir, name);
	if (alpr_read_file(ls->path, &ls->buf, &ls->n) < 0) {
		alpr_warn("unable to read %s:", ls->path);
		free(ls->path);
		return -1;
	}
	return 0;
}

static void
lines_close(struct lines *ls)
{
	free(ls->path);
	free(ls->buf);
}

/*
 * The next record: 1, or 0 at the end. A line that is not a valid record
 * (JSON object, type, version) is bad, and so is an incomplete last line:
 * a crash during an append leaves one, which the next writer removes and
 * logs, but until then the file is not as any writer left it.
 */
static int
next_record(struct alpr_logverify *v, struct lines *ls, json_t **rec)
{
	json_error_t err;
	char *p, *nl;
	json_t *j;

	for (;;) {
		if (ls->pos >= ls->n)
			return 0;
		p = (char *)ls->buf + ls->pos;
		ls->line++;
		if (!(nl = memchr(p, '\n', ls->n - ls->pos))) {
			bad(v, "%s:%lu: incomplete last record of %zu bytes: a "
			    "writer crashed during an append (the next writer "
			    "removes it and logs that), or the file was cut",
			    ls->path, ls->line, ls->n - ls->pos);
			ls->pos = ls->n;
			return 0;
		}
		ls->pos = nl + 1 - (char *)ls->buf;
		if (!(j = json_loadb(p, nl - p, JSON_REJECT_DUPLICATES, &err))) {
			bad(v, "%s:%lu: bad JSON at column %d: %s", ls->path,
			    ls->line, err.column, err.text);
			continue;
		}
		/* each kind's version is checked where it is read */
		if (!json_is_object(j) || !alpr_rec_str(j, "type") ||
		    !json_is_integer(json_object_get(j, "v"))) {
			bad(v, "%s:%lu: not a record with \"type\" and \"v\"",
			    ls->path, ls->line);
			json_decref(j);
			continue;
		}
		*rec = j;
		return 1;
	}
}

/* A key record's "size" and "root" (version 2). */
static const char *
key_pin(json_t *rec, uint64_t *size, unsigned char root[ALPR_HASH])
{
	json_t *s = json_object_get(rec, "size");
	const char *r = alpr_rec_str(rec, "root");
	size_t n;

	if (!json_is_integer(s) || json_integer_value(s) < 0 || !r ||
	    alpr_unb64(root, ALPR_HASH, r, strlen(r), &n) < 0 ||
	    n != ALPR_HASH)
		return "a version 2 key record wants \"size\" and \"root\"";
	*size = json_integer_value(s);
	return NULL;
}

/* Check one record of the key chain as record k->n; NULL or what is wrong.
 * pk gets its key. */
static const char *
key_record(struct alpr_logkeys *k, json_t *rec, const unsigned char *anchor,
    const char *name, unsigned char pk[ALPR_PK], uint64_t *size,
    unsigned char root[ALPR_HASH], int *pinned, char *why, size_t wn)
{
	const char *key = alpr_rec_str(rec, "key"), *epoch, *type, *e = NULL;
	long v = json_integer_value(json_object_get(rec, "v"));
	char rb64[64] = "", *kn = NULL, *msg;
	struct timespec t;
	json_t *w;
	int ok;

	type = alpr_rec_str(rec, "type");
	*pinned = 0;
	if (!key || alpr_note_vkey_parse(key, &kn, pk))
		return "no valid \"key\"";
	if (k->n == 0) {
		epoch = alpr_rec_str(rec, "epoch");
		w = json_object_get(rec, "window");
		if (strcmp(type, "log-genesis") || v != 1 ||
		    !alpr_rec_str(rec, "origin") || !epoch ||
		    alpr_time_parse(epoch, &t) < 0 || !json_is_integer(w) ||
		    json_integer_value(w) < 1 ||
		    json_integer_value(w) > ALPR_LOG_WINDOW_MAX)
			e = "the first record is not a log-genesis record";
		else if (memcmp(pk, anchor, ALPR_PK) || strcmp(kn, name))
			e = "the log's initial key is not the public key given: "
			    "wrong key, or the log was made anew with other keys";
		else {
			k->origin = alpr_strdup(alpr_rec_str(rec, "origin"));
			k->epoch = t.tv_sec;
			k->window = json_integer_value(w);
			msg = alpr_log_genesis_msg(k->origin, epoch, k->window,
			    key);
			ok = !strcmp(kn, k->origin) && sigok(msg,
			    alpr_rec_str(rec, "sig"), pk);
			free(msg);
			e = ok ? NULL : "genesis record is not signed by the "
			    "initial key";
		}
		free(kn);
		return e;
	}
	w = json_object_get(rec, "window");
	if (strcmp(type, "log-key") || !json_is_integer(w) ||
	    json_integer_value(w) != k->n) {
		snprintf(why, wn, "want the log-key record for window %ld: "
		    "keys removed or out of order", k->n);
		e = why;
	} else if (v == 2) {
		if (!(e = key_pin(rec, size, root))) {
			*pinned = 1;
			alpr_b64(rb64, sizeof rb64, root, ALPR_HASH);
		}
	} else if (v != 1)
		e = "key record version not supported";
	else if (k->n > 1 && k->pinned[k->n - 1])
		e = "a version 1 key record after version 2 ones";
	if (!e) {
		msg = alpr_log_key_msg(v, k->origin, k->n, key, *size, rb64);
		if (strcmp(kn, k->origin) || !sigok(msg, alpr_rec_str(rec,
		    "sig"), k->pk[k->n - 1])) {
			snprintf(why, wn, "key of window %ld is not certified by "
			    "the key of window %ld", k->n, k->n - 1);
			e = why;
		} else if (*pinned && k->n > 1 && k->pinned[k->n - 1] &&
		    *size < k->size[k->n - 1]) {
			snprintf(why, wn, "key record of window %ld pins %llu "
			    "entries, fewer than window %ld's %llu", k->n,
			    (unsigned long long)*size, k->n - 1,
			    (unsigned long long)k->size[k->n - 1]);
			e = why;
		}
		free(msg);
	}
	free(kn);
	return e;
}

/* Read the whole key chain: genesis signed by the initial key, then each
 * window's key certified by the one before. */
int
alpr_logkeys_load(struct alpr_logverify *v)
{
	struct alpr_logkeys *k = &v->keys;
	unsigned char anchor[ALPR_PK], pk[ALPR_PK], root[ALPR_HASH];
	char *p, *name = NULL, *vk = NULL, why[200];
	const char *e;
	struct lines ls;
	uint64_t size = 0;
	json_t *rec;
	long cap = 0;
	int pinned;

	memset(k, 0, sizeof *k);
	if (!v->vkey) {
		unsigned char *buf;
		size_t n;
		p = alpr_path(v->dir, ALPR_LOG_PUBKEY);
		if (alpr_read_file_max(p, &buf, &n, 4096) < 0) {
			alpr_warn("unable to read %s:", p);
			free(p);
			return -1;
		}
		vk = (char *)buf;
		free(p);
	}
	if ((e = alpr_note_vkey_parse(v->vkey ? v->vkey : vk, &name, anchor))) {
		bad(v, "%s: %s", v->vkey ? "public key" : ALPR_LOG_PUBKEY, e);
		free(vk);
		return -1;
	}
	free(vk);
	if (lines_open(&ls, v->dir, ALPR_LOG_KEYS) < 0) {
		free(name);
		return -1;
	}
	while (next_record(v, &ls, &rec) > 0) {
		e = key_record(k, rec, anchor, name, pk, &size, root, &pinned,
		    why, sizeof why);
		json_decref(rec);
		if (e) {
			bad(v, "%s:%lu: %s", ls.path, ls.line, e);
			break;
		}
		if (k->n == cap) {
			cap = cap ? cap * 2 : 64;
			k->pk = alpr_realloc(k->pk, cap * sizeof *k->pk);
			k->id = alpr_realloc(k->id, cap * sizeof *k->id);
			k->pinned = alpr_realloc(k->pinned, cap * sizeof *k->pinned);
			k->size = alpr_realloc(k->size, cap * sizeof *k->size);
			k->root = alpr_realloc(k->root, cap * sizeof *k->root);
			k->line = alpr_realloc(k->line, cap * sizeof *k->line);
		}
		memcpy(k->pk[k->n], pk, ALPR_PK);
		alpr_note_keyid(k->id[k->n], k->origin, pk);
		k->pinned[k->n] = pinned;
		k->size[k->n] = pinned ? size : 0;
		memcpy(k->root[k->n], root, ALPR_HASH);
		k->line[k->n] = ls.line;
		k->nv1 += k->n > 0 && !pinned;
		k->n++;
	}
	lines_close(&ls);
	free(name);
	if (k->n == 0) {
		if (!v->bad)
			bad(v, "%s/%s: no genesis record", v->dir, ALPR_LOG_KEYS);
		return -1;
	}
	return v->bad ? -1 : 0;
}

void
alpr_logkeys_free(struct alpr_logkeys *k)
{
	free(k->origin);
	free(k->pk);
	free(k->id);
	free(k->pinned);
	free(k->size);
	free(k->root);
	free(k->line);
	memset(k, 0, sizeof *k);
}

long
alpr_logkeys_window(const struct alpr_logkeys *k, const struct timespec *t)
{
	if (t->tv_sec < k->epoch)
		return -1;
	return (t->tv_sec - k->epoch) / k->window;
}

/* Is c signed by this log with the key of the window its time claims? */
const char *
alpr_logkeys_check(const struct alpr_logkeys *k, const struct alpr_checkpoint *c,
    long *win, char *why, size_t n)
{
	long cw = alpr_logkeys_window(k, &c->time), w;
	int i;

	if (strcmp(c->origin, k->origin)) {
		snprintf(why, n, "checkpoint is for the log \"%s\", not \"%s\"",
		    c->origin, k->origin);
		return why;
	}
	if (cw < 0) {
		snprintf(why, n, "checkpoint is dated before the log began");
		return why;
	}
	*win = cw;
	for (i = 0; i < c->nsig; i++)
		if (cw < k->n && alpr_checkpoint_check(c, i, k->origin,
		    k->pk[cw]))
			return NULL;
	/* Which key did sign it, if any of ours? */
	for (i = 0; i < c->nsig; i++)
		for (w = 0; w < k->n; w++)
			if (w != cw && alpr_checkpoint_check(c, i, k->origin,
			    k->pk[w])) {
				snprintf(why, n, "checkpoint claims window %ld "
				    "but is signed with the key of window %ld%s",
				    cw, w, w > cw ? ": forged with a later "
				    "(stolen) key" : ": the key had not evolved");
				return why;
			}
	if (cw >= k->n)
		snprintf(why, n, "checkpoint claims window %ld, but the key "
		    "chain ends at window %ld: keys removed, or the log "
		    "rolled back", cw, k->n - 1);
	else
		snprintf(why, n, "checkpoint signature does not verify with "
		    "the log's keys");
	return why;
}

struct cp {
	uint64_t size;
	unsigned char root[ALPR_HASH];
	struct timespec time;
	long win;
	unsigned long line;
};

/* Is t more than ALPR_LOG_SKEW past the verifier's clock? */
static int
future(const struct timespec *t, const struct timespec *now)
{
	return t->tv_sec > now->tv_sec + ALPR_LOG_SKEW;
}

/* A checkpoint that opens window w must start from the size its key record
 * pins, and the last one of window w - 1 must have closed with it. */
static int
window_pins(struct alpr_logverify *v, const char *path, unsigned long line,
    const struct cp *prev, uint64_t size, long w)
{
	const struct alpr_logkeys *k = &v->keys;

	if (!prev || w != prev->win + 1 || w >= k->n || !k->pinned[w])
		return 0;
	if (prev->size != k->size[w]) {
		bad(v, "%s:%lu: the last checkpoint of window %ld has %llu "
		    "entries, but the window closed with %llu (%s:%lu): "
		    "checkpoints removed", path, prev->line, prev->win,
		    (unsigned long long)prev->size,
		    (unsigned long long)k->size[w], ALPR_LOG_KEYS, k->line[w]);
		return -1;
	}
	if (size != k->size[w]) {
		bad(v, "%s:%lu: the first checkpoint of window %ld has %llu "
		    "entries, not the %llu its key record pins (%s:%lu)", path,
		    line, w, (unsigned long long)size,
		    (unsigned long long)k->size[w], ALPR_LOG_KEYS, k->line[w]);
		return -1;
	}
	return 0;
}

static int
load_checkpoints(struct alpr_logverify *v, struct cp **out, size_t *np)
{
	struct alpr_checkpoint c;
	struct timespec now;
	struct lines ls;
	struct cp *cps = NULL, *prev;
	size_t n = 0, cap = 0;
	char why[200], tm[ALPR_TIME_LEN], tn[ALPR_TIME_LEN];
	const char *e, *note;
	json_t *rec;
	long w;

	if (lines_open(&ls, v->dir, ALPR_LOG_CHECKPOINTS) < 0)
		return -1;
	alpr_log_now(&now);
	while (next_record(v, &ls, &rec) > 0) {
		note = alpr_rec_str(rec, "note");
		if (strcmp(alpr_rec_str(rec, "type"), "checkpoint") || !note ||
		    json_integer_value(json_object_get(rec, "v")) != 1) {
			bad(v, "%s:%lu: not a checkpoint record", ls.path, ls.line);
			json_decref(rec);
			continue;
		}
		if ((e = alpr_checkpoint_parse(note, strlen(note), &c)) ||
		    (e = alpr_logkeys_check(&v->keys, &c, &w, why,
		    sizeof why))) {
			bad(v, "%s:%lu: %s", ls.path, ls.line, e);
			alpr_checkpoint_free(&c);
			json_decref(rec);
			continue;
		}
		json_decref(rec);
		prev = n ? &cps[n - 1] : NULL;
		if (future(&c.time, &now)) {
			alpr_time_fmt(&c.time, tm);
			alpr_time_fmt(&now, tn);
			bad(v, "%s:%lu: checkpoint is dated %s, after this "
			    "machine's clock (%s): the log's clock ran ahead, or "
			    "this one is behind", ls.path, ls.line, tm, tn);
		}
		if (!prev && w != 0)
			bad(v, "%s:%lu: the first checkpoint is from window %ld, "
			    "not 0: earlier checkpoints removed", ls.path, ls.line,
			    w);
		else if (prev && alpr_time_cmp(&c.time, &prev->time) < 0)
			bad(v, "%s:%lu: checkpoint is dated before the one on "
			    "line %lu", ls.path, ls.line, prev->line);
		else if (prev && w > prev->win + 1)
			bad(v, "%s:%lu: no checkpoint for windows %ld to %ld: "
			    "checkpoints removed", ls.path, ls.line,
			    prev->win + 1, w - 1);
		else if (prev && c.size < prev->size)
			bad(v, "%s:%lu: checkpoint has %llu entries, fewer than "
			    "the %llu of line %lu: the log was rolled back",
			    ls.path, ls.line, (unsigned long long)c.size,
			    (unsigned long long)prev->size, prev->line);
		else if (window_pins(v, ls.path, ls.line, prev, c.size, w) == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				cps = alpr_realloc(cps, cap * sizeof *cps);
			}
			cps[n].size = c.size;
			memcpy(cps[n].root, c.root, ALPR_HASH);
			cps[n].time = c.time;
			cps[n].win = w;
			cps[n].line = ls.line;
			n++;
			if (v->last.text)
				alpr_checkpoint_free(&v->last);
			v->last = c;
			continue;
		}
		alpr_checkpoint_free(&c);
	}
	lines_close(&ls);
	*out = cps;
	*np = n;
	return 0;
}

/* Check one entry line; NULL or what is wrong. */
static const char *
check_entry(const char *s, size_t n, uint64_t seq, struct timespec *t,
    char *why, size_t wn)
{
	struct alpr_jscan_member m[] = { { "type", 0, 0 }, { "v", 0, 0 },
	    { "seq", 0, 0 },
	    { "time", 0, 0 }, { "user", 0, 0 }, { "action", 0, 0 } };
	char raw[ALPR_TIME_LEN], want[24];
	const char *e;

	if ((e = alpr_jscan_object(s, n, m, 6))) {
		snprintf(why, wn, "not a valid JSON object: %s", e);
		return why;
	}
	if (!m[0].val || m[0].len != 8 || memcmp(m[0].val, "\"access\"", 8))
		return "not an access entry (\"type\":\"access\")";
	if (!m[1].val || m[1].len != 1 || *m[1].val != '1')
		return "no \"v\":1";
	snprintf(want, sizeof want, "%llu", (unsigned long long)seq);
	if (!m[2].val)
		return "no \"seq\"";
	if (m[2].len != strlen(want) || memcmp(m[2].val, want, m[2].len)) {
		snprintf(why, wn, "has seq %.*s where %s belongs: entries "
		    "deleted, duplicated or reordered",
		    (int)(m[2].len > 24 ? 24 : m[2].len), m[2].val, want);
		return why;
	}
	if (!m[3].val || m[3].len < 3 || m[3].len >= sizeof raw ||
	    *m[3].val != '"' || memchr(m[3].val, '\\', m[3].len))
		return "no canonical \"time\"";
	memcpy(raw, m[3].val + 1, m[3].len - 2);
	raw[m[3].len - 2] = '\0';
	if (alpr_time_parse_exact(raw, m[3].len - 2, t) < 0)
		return "no canonical \"time\"";
	if (!m[4].val || *m[4].val != '"' || !m[5].val || *m[5].val != '"')
		return "no \"user\" or \"action\" string";
	return NULL;
}

static void
progress(struct alpr_logverify *v, uint64_t i, int done)
{
	if (done || (i & 0xffff) == 0)
		alpr_progress(&v->pr, done, "verified %llu entries",
		    (unsigned long long)i);
}

/* State of the pass over the entries. */
struct pass {
	struct alpr_logverify *v;
	const char *path;
	struct alpr_merkle m;
	const struct cp *cps;
	size_t ncp, ci;
	long pw;		/* the next key record whose pin is due */
	struct timespec prevt, now;
	size_t lcap;
	int future;
};

/* Roots due at the pass's size: the checkpoints' and the key records'. */
static int
roots(struct pass *ps)
{
	struct alpr_logverify *v = ps->v;
	const struct alpr_logkeys *k = &v->keys;
	unsigned char root[ALPR_HASH];
	uint64_t seq = ps->m.size;

	if (!(ps->ci < ps->ncp && ps->cps[ps->ci].size == seq) &&
	    !(ps->pw < k->n && (!k->pinned[ps->pw] || k->size[ps->pw] == seq)))
		return 0;	/* no root due: the common case, kept cheap */
	alpr_merkle_root(&ps->m, root);
	for (; ps->ci < ps->ncp && ps->cps[ps->ci].size == seq; ps->ci++)
		if (memcmp(root, ps->cps[ps->ci].root, ALPR_HASH)) {
			bad(v, "%s:%llu: entries %llu to %llu do not match the "
			    "signed checkpoint %s:%lu: an entry was changed, "
			    "removed or inserted", ps->path,
			    (unsigned long long)(ps->ci ?
			    ps->cps[ps->ci - 1].size : 0) + 1,
			    (unsigned long long)(ps->ci ?
			    ps->cps[ps->ci - 1].size : 0),
			    (unsigned long long)seq - 1, ALPR_LOG_CHECKPOINTS,
			    ps->cps[ps->ci].line);
			return -1;
		}
	for (; ps->pw < k->n && (!k->pinned[ps->pw] ||
	    k->size[ps->pw] == seq); ps->pw++)
		if (k->pinned[ps->pw] && memcmp(root, k->root[ps->pw],
		    ALPR_HASH)) {
			bad(v, "%s: entries 0 to %llu do not match the tree the "
			    "key record of window %ld (%s:%lu) pins as window "
			    "%ld closed: an entry of a closed window was changed, "
			    "removed or inserted", ps->path,
			    (unsigned long long)seq - 1, ps->pw, ALPR_LOG_KEYS,
			    k->line[ps->pw], ps->pw - 1);
			return -1;
		}
	return 0;
}

/* Check entry seq = ps->m.size, the line s[0..n); 0, or -1 to stop. */
static int
entry(struct pass *ps, const char *s, size_t n)
{
	struct alpr_logverify *v = ps->v;
	const struct alpr_logkeys *k = &v->keys;
	unsigned char leaf[ALPR_HASH];
	unsigned long long seq = ps->m.size, ln = seq + 1;
	char why[200], tm[ALPR_TIME_LEN];
	struct timespec t;
	const char *e;
	long w;

	if (n > ALPR_LOG_ENTRY_MAX) {
		bad(v, "%s:%llu: entry %llu is longer than %d bytes",
		    ps->path, ln, seq, ALPR_LOG_ENTRY_MAX);
		return -1;
	}
	if ((e = check_entry(s, n, seq, &t, why, sizeof why))) {
		bad(v, "%s:%llu: entry %llu: %s", ps->path, ln, seq, e);
		return -1;
	}
	if (alpr_time_cmp(&t, &ps->prevt) < 0) {
		bad(v, "%s:%llu: entry %llu: dated before the entry above it: "
		    "backdated or reordered", ps->path, ln, seq);
		return -1;
	}
	if (ps->ci > 0 && alpr_time_cmp(&t, &ps->cps[ps->ci - 1].time) < 0) {
		bad(v, "%s:%llu: entry %llu: dated before checkpoint %s:%lu "
		    "that precedes it: backdated", ps->path, ln, seq,
		    ALPR_LOG_CHECKPOINTS, ps->cps[ps->ci - 1].line);
		return -1;
	}
	if (ps->ci < ps->ncp && alpr_time_cmp(&t, &ps->cps[ps->ci].time) > 0) {
		bad(v, "%s:%llu: entry %llu: dated after checkpoint %s:%lu "
		    "that covers it", ps->path, ln, seq, ALPR_LOG_CHECKPOINTS,
		    ps->cps[ps->ci].line);
		return -1;
	}
	if ((w = alpr_logkeys_window(k, &t)) < 0 || w >= k->n) {
		bad(v, "%s:%llu: entry %llu: dated in window %ld, for which "
		    "the key chain has no key", ps->path, ln, seq, w);
		return -1;
	}
	if (k->pinned[w] && seq < k->size[w]) {
		bad(v, "%s:%llu: entry %llu: dated in window %ld, but window "
		    "%ld closed after it (%s:%lu): re-dated", ps->path, ln, seq,
		    w, w - 1, ALPR_LOG_KEYS, k->line[w]);
		return -1;
	}
	if (w + 1 < k->n && k->pinned[w + 1] && seq >= k->size[w + 1]) {
		bad(v, "%s:%llu: entry %llu: dated in window %ld, which closed "
		    "with %llu entries (%s:%lu): added to a closed window",
		    ps->path, ln, seq, w, (unsigned long long)k->size[w + 1],
		    ALPR_LOG_KEYS, k->line[w + 1]);
		return -1;
	}
	if (!ps->future && future(&t, &ps->now)) {
		alpr_time_fmt(&t, tm);
		bad(v, "%s:%llu: entry %llu: dated %s, after this machine's "
		    "clock", ps->path, ln, seq, tm);
		ps->future = 1;
	}
	ps->prevt = t;
	alpr_merkle_leaf(leaf, s, n);
	alpr_merkle_push(&ps->m, leaf);
	if (v->keep_leaves) {
		if (seq == ps->lcap) {
			ps->lcap = ps->lcap ? ps->lcap * 2 : 1024;
			v->leaves = alpr_realloc(v->leaves, ps->lcap * ALPR_HASH);
		}
		memcpy(v->leaves[seq], leaf, ALPR_HASH);
	}
	progress(v, seq + 1, 0);
	return roots(ps);
}

/*
 * The entries of log.ndjson, line by line. A line longer than the buffer
 * is read on to its end: with no newline it is the torn tail a crash
 * leaves; else an entry too long.
 */
static int
entries(struct pass *ps, int fd, size_t *torn)
{
	static char buf[ALPR_LOG_LINE_MAX];
	size_t have = 0, start, i;
	ssize_t n;
	char *nl;

	*torn = 0;
	for (;;) {
		n = read(fd, buf + have, sizeof buf - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		have += n;
		for (start = 0; (nl = memchr(buf + start, '\n', have - start));
		    start = i + 1) {
			i = nl - buf;
			if (entry(ps, buf + start, i - start) < 0)
				return 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == sizeof buf) {
			while ((n = read(fd, buf, sizeof buf)) > 0 &&
			    !memchr(buf, '\n', n))
				have += n;
			if (n < 0)
				return -1;
			if (n > 0) {
				bad(ps->v, "%s:%llu: entry %llu is longer than "
				    "%d bytes", ps->path,
				    (unsigned long long)ps->m.size + 1,
				    (unsigned long long)ps->m.size,
				    ALPR_LOG_ENTRY_MAX);
				return 1;
			}
			break;
		}
	}
	*torn = have;
	return 0;
}

int
alpr_log_verify(struct alpr_logverify *v)
{
	const struct alpr_logkeys *k = &v->keys;
	struct pass ps;
	struct cp *cps = NULL;
	size_t ncp = 0, torn = 0;
	char tm[ALPR_TIME_LEN];
	char *p;
	int fd, r;
	long nw;

	alpr_progress_start(&v->pr, v->progress);
	v->bad = 0;
	v->size = 0;
	if (alpr_logkeys_load(v) < 0)
		return v->bad ? 1 : -1;
	if (k->nv1 > 0)
		alpr_warn("%s/%s: windows 0 to %ld were closed by key records "
		    "of version 1, which do not pin their entries: a key stolen "
		    "later could have rewritten them unseen; only a checkpoint "
		    "kept off the machine (verify -s) vouches for them", v->dir,
		    ALPR_LOG_KEYS, k->nv1 - 1);
	if (load_checkpoints(v, &cps, &ncp) < 0)
		return -1;
	p = alpr_path(v->dir, ALPR_LOG_ENTRIES);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
		alpr_warn("unable to open %s:", p);
		free(p);
		free(cps);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.v = v;
	ps.path = p;
	ps.cps = cps;
	ps.ncp = ncp;
	ps.pw = 1;
	alpr_log_now(&ps.now);
	alpr_merkle_init(&ps.m);
	if ((r = roots(&ps)) == 0)
		r = entries(&ps, fd, &torn);
	close(fd);
	if (r < 0) {
		alpr_warn("unable to read %s:", p);
		free(p);
		free(cps);
		return -1;
	}
	progress(v, ps.m.size, 1);
	v->size = ps.m.size;
	if (r == 0 && torn > 0)
		alpr_warn("%s:%llu: incomplete last entry of %zu bytes (a "
		    "writer crashed during an append; the next append repairs "
		    "it)", p, (unsigned long long)v->size + 1, torn);
	if (r == 0 && ps.ci < ncp)
		bad(v, "%s: the log has %llu entries but checkpoint %s:%lu "
		    "signed %llu: entries were removed (truncated or rolled "
		    "back)", p, (unsigned long long)v->size, ALPR_LOG_CHECKPOINTS,
		    cps[ps.ci].line, (unsigned long long)cps[ps.ci].size);
	else if (r == 0 && ps.pw < k->n)
		bad(v, "%s: the log has %llu entries but the key record of "
		    "window %ld (%s:%lu) pins %llu: entries were removed", p,
		    (unsigned long long)v->size, ps.pw, ALPR_LOG_KEYS,
		    k->line[ps.pw], (unsigned long long)k->size[ps.pw]);
	if (ncp == 0 && !v->bad)
		bad(v, "%s/%s: no valid checkpoint", v->dir,
		    ALPR_LOG_CHECKPOINTS);
	else if (ncp > 0 && r == 0) {
		nw = alpr_logkeys_window(k, &ps.now);
		alpr_time_fmt(&cps[ncp - 1].time, tm);
		if (nw > cps[ncp - 1].win + 1)
			bad(v, "%s/%s: the last checkpoint is from %s, %ld "
			    "windows ago: later checkpoints were removed, or "
			    "nothing runs alpr-audit checkpoint each window",
			    v->dir, ALPR_LOG_CHECKPOINTS, tm,
			    nw - cps[ncp - 1].win);
		if (!v->bad && v->size > cps[ncp - 1].size)
			alpr_warn("%s: entries %llu to %llu are not yet "
			    "covered by a signed checkpoint", p,
			    (unsigned long long)cps[ncp - 1].size,
			    (unsigned long long)v->size - 1);
		v->covered = cps[ncp - 1].size;
	}
	free(p);
	free(cps);
	return v->bad ? 1 : 0;
}

void
alpr_logverify_free(struct alpr_logverify *v)
{
	alpr_logkeys_free(&v->keys);
	if (v->last.text)
		alpr_checkpoint_free(&v->last);
	free(v->leaves);
	v->leaves = NULL;
}
