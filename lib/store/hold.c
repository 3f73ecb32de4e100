/*
 * hold.c: evidence holds (alpr-store hold). A hold keeps reads of a case
 * past their retention: each held read is sealed again under the hold's
 * own key into the held database, and its frame into spool/held/ID/, so
 * that a purge may destroy the read's day key and the hold still opens.
 * The hold's key lives inside its record, which is sealed under the key
 * file's hold key, so that a new key file (a purge's) wraps it anew and
 * an old copy of the home cannot open it with the new one. Releasing a
 * hold removes its copies and forgets its key; its record stays, for the
 * history of the case.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

json_t *
st_hold_get(struct alpr_store *s, MDB_txn *txn, const char *id)
{
	return st_record_get(txn, s->holds, "hold", id, s->holdk);
}

int
st_hold_put(struct alpr_store *s, MDB_txn *txn, const char *id, json_t *h)
{
	return st_record_put(txn, s->holds, "hold", id, h, s->holdk);
}

/* A hold's own key, from its record. */
static int
hold_key(json_t *h, unsigned char key[ST_KEY])
{
	const char *b = json_string_value(json_object_get(h, "key"));
	size_t n;

	return b && alpr_unb64(key, ST_KEY, b, strlen(b), &n) == 0 &&
	    n == ST_KEY ? 0 : -1;
}

/* The held database's key of a read: ID NUL READ-ID. */
static size_t
held_key(unsigned char *out, const char *id, const char *rid)
{
	size_t a = strlen(id) + 1, b = strlen(rid);

	memcpy(out, id, a);
	memcpy(out + a, rid, b);
	return a + b;
}

static char *
held_dir(struct alpr_store *s, const char *id)
{
	char sub[64];

	snprintf(sub, sizeof sub, "held/%s", id);
	return alpr_path(s->spool, sub);
}

/* The record as it came, without what a search added to it. */
static char *
as_stored(json_t *r)
{
	json_t *c = json_copy(r);
	char *text;

	json_object_del(c, "read_id");
	json_object_del(c, "hotlist_hits");
	json_object_del(c, "distance_m");
	text = json_dumps(c, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(c);
	return text;
}

/* Seal one read, and its frame, under the hold. */
static int
hold_one(struct alpr_store *s, MDB_txn *txn, const char *id,
    const unsigned char key[ST_KEY], json_t *r)
{
	unsigned char hk[256], *sealed, *frame;
	const char *rid = alpr_rec_str(r, "read_id");
	const char *image = alpr_rec_str(r, "image");
	char *text = as_stored(r), *dir, *path;
	size_t n = strlen(text), kn, nf;
	MDB_val k, v;
	int rc;

	if (!rid || strlen(rid) > 200) {
		free(text);
		return -1;
	}
	kn = held_key(hk, id, rid);
	sealed = alpr_malloc(ST_SEALED(n));
	st_seal(sealed, text, n, hk, kn, key);
	k.mv_size = kn;
	k.mv_data = hk;
	v.mv_size = ST_SEALED(n);
	v.mv_data = sealed;
	rc = mdb_put(txn, s->held, &k, &v, 0);
	free(sealed);
	sodium_memzero(text, n);
	free(text);
	if (rc != 0) {
		st_mdb_warn(rc, "unable to hold a read");
		return rc;
	}
	if (!image || alpr_store_get(s, rid, &r, &frame, &nf) != 0 || !frame)
		return 0;	/* no frame to hold */
	json_decref(r);
	dir = held_dir(s, id);
	path = st_frame_name(dir, ".", key, image);
	rc = st_frame_put(path, id, frame, nf, key);
	sodium_memzero(frame, nf);
	free(frame);
	free(path);
	free(dir);
	return rc;
}

int
alpr_hold_add(struct alpr_store *s, const struct alpr_justification *j,
    json_t *terms, json_t **reads, size_t n, char *id, size_t idn)
{
	const char *kase = j->kase, *reason = j->reason;
	unsigned char key[ST_KEY];
	char b64[64], tm[ALPR_TIME_LEN];
	MDB_txn *txn;
	MDB_val v;
	json_t *h, *list, *e;
	unsigned long seq = 0;
	size_t i;
	int r = -1;

	if (n == 0) {
		alpr_store_deny(s, "hold", NULL, "no reads to hold");
		return 1;
	}
	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (st_meta_get(s, txn, "hold_seq", &v) == 0 && v.mv_size == 4)
		seq = st_get32(v.mv_data);
	seq++;
	snprintf(id, idn, "H%lu", seq);
	randombytes_buf(key, sizeof key);
	alpr_b64(b64, sizeof b64, key, sizeof key);
	alpr_time_now(tm);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(alpr_rec_str(reads[i],
		    "read_id")));
	h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id", id, "case",
	    kase, "reason", reason, "by", s->actor.user, "placed", tm,
	    "state", "active", "key", b64, "reads", list);
	e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:I,s:s}", "action", "hold",
	    "target", id, "purpose", j->purpose ? j->purpose : "evidence",
	    "case", kase, "reason", reason, "data", terms,
	    "count", (json_int_t)n, "outcome", "ok");
	json_object_set_new(e, "change", json_pack("{s:s}", "op", "add"));
	for (i = 0; i < n; i++)
		if (hold_one(s, txn, id, key, reads[i]) != 0)
			goto out;
	st_put32((unsigned char *)b64, seq);
	if (st_hold_put(s, txn, id, h) < 0 || st_meta_put(s, txn, "hold_seq",
	    b64, 4) != 0)
		goto out;
	if (alpr_store_logentry(s, e) < 0) {
		alpr_warn("unable to write the hold to the access log, so it is "
		    "not placed:");
		goto out;
	}
	r = 0;
out:
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	if (r != 0) {	/* frames sealed for a hold never placed */
		char *dir = held_dir(s, id);
		st_rmtree(dir);
		free(dir);
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(b64, sizeof b64);
	json_decref(h);
	json_decref(e);
	return r;
}

int
alpr_hold_release(struct alpr_store *s, const char *id, const char *reason)
{
	unsigned char hk[64];
	char tm[ALPR_TIME_LEN], why[400], *dir;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	json_t *h, *e;
	size_t kn;
	int r = -1, rc;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(h = st_hold_get(s, txn, id))) {
		st_wend(s, txn, 0);
		return alpr_store_deny(s, "hold", id, "no such hold");
	}
	if (strcmp(json_string_value(json_object_get(h, "state")), "active")) {
		st_wend(s, txn, 0);
		json_decref(h);
		return alpr_store_deny(s, "hold", id, "released already");
	}
	/* evidence let go is said for, as a hold placed is */
	if (alpr_store_reason_check(s, reason, why, sizeof why)) {
		st_wend(s, txn, 0);
		json_decref(h);
		return alpr_store_deny(s, "hold", id, "a hold is released with "
		    "a reason: say with -R, in words of your own, why the "
		    "evidence need not be kept");
	}
	e = json_pack("{s:s,s:s,s:O,s:s,s:{s:s}}", "action", "hold", "target",
	    id, "case", json_object_get(h, "case"), "outcome", "ok", "change",
	    "op", "release");
	if (reason)
		json_object_set_new(e, "reason", json_string(reason));
	/* the held copies go; the hold's key is forgotten */
	kn = strlen(id) + 1;
	memcpy(hk, id, kn);
	mdb_cursor_open(txn, s->held, &c);
	k.mv_size = kn;
	k.mv_data = hk;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    k.mv_size >= kn && !memcmp(k.mv_data, hk, kn);
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	mdb_cursor_close(c);
	alpr_time_now(tm);
	json_object_del(h, "key");
	json_object_set_new(h, "state", json_string("released"));
	json_object_set_new(h, "released", json_string(tm));
	json_object_set_new(h, "released_by", json_string(s->actor.user));
	if (reason)
		json_object_set_new(h, "release_reason", json_string(reason));
	if ((rc == 0 || rc == MDB_NOTFOUND) && st_hold_put(s, txn, id, h) == 0) {
		if (alpr_store_logentry(s, e) < 0)
			alpr_warn("unable to write the release to the access "
			    "log, so the hold stands:");
		else
			r = 0;
	}
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	if (r == 0) {
		dir = held_dir(s, id);
		st_rmtree(dir);
		free(dir);
	}
	json_decref(h);
	json_decref(e);
	return r;
}

int
alpr_hold_list(struct alpr_store *s, void (*fn)(json_t *hold, void *arg),
    void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	char id[40];
	json_t *h, *e;
	int rc;

	e = json_pack("{s:s,s:s,s:{s:s}}", "action", "hold", "outcome", "ok",
	    "change", "op", "list");
	if (alpr_store_log_access(s, e) < 0)
		return -1;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, s->holds, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(id, sizeof id, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (!(h = st_hold_get(s, txn, id)))
			continue;
		json_object_del(h, "key");
		json_object_set_new(h, "count", json_integer(json_array_size(
		    json_object_get(h, "reads"))));
		fn(h, arg);
		json_decref(h);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return 0;
}

/* The active holds of a case, each with its own key: fn(hold, id, key)
 * until it returns non-zero (which is returned). */
static int
case_holds(struct alpr_store *s, MDB_txn *txn, const char *kase,
    int (*fn)(json_t *h, const char *id, const unsigned char *key,
    void *arg), void *arg)
{
	unsigned char key[ST_KEY];
	MDB_cursor *c;
	MDB_val k, v;
	json_t *h;
	char id[40];
	int rc, r = 0;

	mdb_cursor_open(txn, s->holds, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && r == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(id, sizeof id, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (!(h = st_hold_get(s, txn, id)))
			continue;
		if (!strcmp(json_string_value(json_object_get(h, "state")),
		    "active") && !strcmp(json_string_value(json_object_get(h,
		    "case")), kase) && hold_key(h, key) == 0)
			r = fn(h, id, key, arg);
		sodium_memzero(key, sizeof key);
		json_decref(h);
	}
	mdb_cursor_close(c);
	return r;
}

static int
add_ids(json_t *h, const char *id, const unsigned char *key, void *arg)
{
	json_t *rid;
	size_t i;

	json_array_foreach(json_object_get(h, "reads"), i, rid)
		json_object_set_new(arg, json_string_value(rid), json_true());
	return 0;
}

json_t *
alpr_hold_ids(struct alpr_store *s, const char *kase)
{
	json_t *ids = json_object();
	MDB_txn *txn;

	if (st_txn(s, MDB_RDONLY, &txn) != 0) {
		json_decref(ids);
		return NULL;
	}
	case_holds(s, txn, kase, add_ids, ids);
	mdb_txn_abort(txn);
	return ids;
}

struct heldreads {
	struct alpr_store *s;
	MDB_txn *txn;
	json_t *only, *seen;
	int (*fn)(json_t *, json_t *, const unsigned char *, size_t, void *);
	void *arg;
	long n;
};

/* Each read of a hold, once, opened with the hold's key: 0, or -1. */
static int
hold_reads(json_t *h, const char *id, const unsigned char *key, void *arg)
{
	struct heldreads *x = arg;
	struct alpr_store *s = x->s;
	unsigned char hk[256], *plain, *frame;
	MDB_val k, hv;
	json_t *rid, *r;
	char *dir = held_dir(s, id), *path;
	const char *ridtext;
	size_t i, kn, nf;
	int bad = 0;

	json_array_foreach(json_object_get(h, "reads"), i, rid) {
		ridtext = json_string_value(rid);
		if (!ridtext || strlen(ridtext) > 200 || json_object_get(x->seen,
		    ridtext) || (x->only && !json_object_get(x->only, ridtext)))
			continue;
		json_object_set_new(x->seen, ridtext, json_true());
		kn = held_key(hk, id, ridtext);
		k.mv_size = kn;
		k.mv_data = hk;
		if (mdb_get(x->txn, s->held, &k, &hv) != 0 ||
		    hv.mv_size < ST_SEALED(0)) {
			alpr_warn("hold %s: read %s is missing", id, ridtext);
			bad = 1;
			break;
		}
		plain = alpr_malloc(hv.mv_size - ST_SEALED(0) + 1);
		if (st_open(plain, hv.mv_data, hv.mv_size, hk, kn, key) < 0 ||
		    !(r = json_loadb((char *)plain, hv.mv_size - ST_SEALED(0),
		    0, NULL))) {
			alpr_warn("hold %s: read %s does not open", id, ridtext);
			free(plain);
			bad = 1;
			break;
		}
		sodium_memzero(plain, hv.mv_size - ST_SEALED(0));
		free(plain);
		json_object_set(r, "read_id", rid);
		frame = NULL;
		nf = 0;
		if (alpr_rec_str(r, "image")) {
			path = st_frame_name(dir, ".", key, alpr_rec_str(r,
			    "image"));
			if (st_frame_get(path, id, key, &frame, &nf) < 0) {
				alpr_warn("hold %s: the frame of read %s does not "
				    "open", id, ridtext);
				bad = 1;
			}
			free(path);
		}
		if (!bad && x->fn(h, r, frame, nf, x->arg) < 0)
			bad = 1;
		x->n++;
		if (frame) {
			sodium_memzero(frame, nf);
			free(frame);
		}
		json_decref(r);
		if (bad)
			break;
	}
	free(dir);
	return bad ? -1 : 0;
}

long
alpr_hold_reads(struct alpr_store *s, const char *kase, json_t *only,
    int (*fn)(json_t *hold, json_t *read, const unsigned char *frame,
    size_t n, void *arg), void *arg)
{
	struct heldreads x = { s, NULL, only, json_object(), fn, arg, 0 };
	int r;

	if (st_txn(s, MDB_RDONLY, &x.txn) != 0) {
		json_decref(x.seen);
		return -1;
	}
	r = case_holds(s, x.txn, kase, hold_reads, &x);
	mdb_txn_abort(x.txn);
	json_decref(x.seen);
	return r < 0 ? -1 : x.n;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
st_rmtree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

long
st_count_files(const char *dir)
{
	return st_remove_except(dir, NULL);
}

long
st_remove_except(const char *dir, json_t *keep)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char *p;
	long n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (keep && json_object_get(keep,
		    e->d_name)))
			continue;
		n++;
		if (keep) {
			p = alpr_path(dir, e->d_name);
			unlink(p);
			free(p);
		}
	}
	closedir(d);
	return n;
}

int
st_fsync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}
