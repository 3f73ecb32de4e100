/*
 * purge.c: removing what is past its retention (alpr-purge).
 *
 * A day whose reads are all past their retention is destroyed: its reads,
 * its index keys, its filter and its wrapped key are deleted and its
 * frames unlinked.
 * A day of which only the reads with hits, or only those without, are
 * past it is given a new key: the reads that stay are sealed, indexed and
 * their frames written again under it, the others deleted, and the old key
 * with them. Held reads have copies of their own (hold.c) and are only
 * counted. Then the key file gets a new key, under which every surviving
 * day key, account and hold is wrapped anew, so that a copy of the home
 * taken before the purge opens nothing with any key that exists after it;
 * and the environment is compacted (a compacting copy, then the link db
 * moved to it), so that what was deleted is not even left as noise in
 * free pages.
 *
 * Each run, whether or not anything is past its retention, first checks
 * the days' filters (filter.c) against their index, and builds any that
 * small batches left out or that lacks a key.
 *
 * One run writes one access log entry, before anything is removed. Each
 * day is its own transaction, so a purge cut short is finished by the
 * next run; HOME/purge.owed says that the key file's new key and the
 * compaction are still to come, so that the next run does them though no
 * day is left to remove. HOME/purge.lock keeps two purges apart.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

enum { KEEP, DESTROY, REKEY };

struct plan {
	int day, what;
	int keephits, keepplain;	/* the reads with, without hits stay */
	int keepunsent;		/* those the server has not stored stay */
	long reads, kept;	/* all reads of the day, those that stay */
	long unsent;		/* those that stay for the server alone */
};

static int
postcmp6(const void *a, const void *b)
{
	return memcmp(a, b, ST_POST);
}

/* The postings of one term on a day, as a sorted array of read keys'
 * last 6 bytes. */
static size_t
term_posts(struct alpr_store *s, MDB_txn *txn, int d, const struct st_day *k,
    int kind, unsigned char **out)
{
	unsigned char ik[ST_IKEY], tk[16];
	MDB_cursor *c;
	MDB_val key = { ST_IKEY, ik }, v;
	size_t n = 0, cap = 0, i;
	int rc;

	*out = NULL;
	st_ikey(ik, d, k, kind, "", 0);
	st_post_key(k, ik, tk);
	mdb_cursor_open(txn, s->idx, &c);
	if (mdb_cursor_get(c, &key, &v, MDB_SET) == 0)
		for (rc = mdb_cursor_get(c, &key, &v, MDB_GET_MULTIPLE); rc == 0;
		    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT_MULTIPLE)) {
			if (n + v.mv_size > cap) {
				cap = (n + v.mv_size) * 2;
				*out = alpr_realloc(*out, cap);
			}
			for (i = 0; i + ST_POST <= v.mv_size; i += ST_POST)
				st_post_open(tk, (unsigned char *)v.mv_data + i,
				    *out + n + i);
			n += v.mv_size;
		}
	mdb_cursor_close(c);
	if (n > ST_POST)
		qsort(*out, n / ST_POST, ST_POST, postcmp6);
	return n / ST_POST;
}

static int
has_post(const unsigned char *p, size_t n, const unsigned char *post)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = memcmp(p + mid * ST_POST, post, ST_POST);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static long
day_reads(struct alpr_store *s, MDB_txn *txn, int d)
{
	unsigned char kb[ST_RKEY] = { 0 };
	MDB_cursor *c;
	MDB_val k = { ST_RKEY, kb }, v;
	long n = 0;
	int rc;

	st_put16(kb, d);
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    st_get16(k.mv_data) == (unsigned)d; rc = mdb_cursor_get(c, &k, &v,
	    MDB_NEXT))
		n++;
	mdb_cursor_close(c);
	return n;
}

/* Does a read stay? (unsent: counted when it stays for the server.) */
static int
stays(struct alpr_store *s, MDB_txn *txn, const struct plan *p,
    const unsigned char *kb, const unsigned char *hits, size_t nh,
    long *unsent)
{
	MDB_val k = { ST_RKEY, (void *)kb }, v;

	if (p->keephits != p->keepplain ? has_post(hits, nh, kb + 2) ?
	    p->keephits : p->keepplain : p->keephits)
		return 1;
	if (p->keepunsent && mdb_get(txn, s->pushed, &k, &v) != 0) {
		if (unsent)
			(*unsent)++;
		return 1;
	}
	return 0;
}

/* A plan's day: which of its reads stay. */
static int
plan_day(struct alpr_store *s, MDB_txn *txn, struct plan *p)
{
	unsigned char kb[ST_RKEY] = { 0 }, *hits = NULL;
	const struct st_day *dk;
	MDB_cursor *c;
	MDB_val k = { ST_RKEY, kb }, v;
	size_t nh = 0;
	int rc;

	p->reads = p->kept = p->unsent = 0;
	if (p->keephits != p->keepplain) {
		if (!(dk = st_day(s, txn, p->day, 0)))
			return -1;
		nh = term_posts(s, txn, p->day, dk, T_HIT, &hits);
	}
	st_put16(kb, p->day);
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    st_get16(k.mv_data) == (unsigned)p->day;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		p->reads++;
		p->kept += stays(s, txn, p, k.mv_data, hits, nh, &p->unsent);
	}
	mdb_cursor_close(c);
	free(hits);
	p->what = p->kept == p->reads ? KEEP : p->kept ? REKEY : DESTROY;
	return 0;
}

/* What becomes of each day; the number of days that change. */
static int
make_plan(struct alpr_store *s, time_t cut_plain, time_t cut_hit,
    struct plan **out, size_t *np)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	struct plan *p = NULL;
	size_t n = 0;
	time_t end;
	int rc, d, pe, he, pushing;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	/* a car that pushes keeps what its server has not stored */
	pushing = st_meta_get(s, txn, "push_to", &v) == 0;
	mdb_cursor_open(txn, s->keys, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		d = st_get16(k.mv_data);
		end = (time_t)(d + 1) * 86400;
		pe = end <= cut_plain;
		he = end <= cut_hit;
		if (!pe && !he)
			break;	/* days come in order: the rest are younger */
		p = alpr_realloc(p, (n + 1) * sizeof *p);
		memset(&p[n], 0, sizeof *p);
		p[n].day = d;
		p[n].keephits = !he;
		p[n].keepplain = !pe;
		p[n].keepunsent = pushing;
		if (pe && he && !pushing) {
			p[n].what = DESTROY;	/* no read stays */
			p[n].reads = day_reads(s, txn, d);
		} else if (plan_day(s, txn, &p[n]) < 0) {
			rc = -1;
			break;
		}
		n++;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	*out = p;
	*np = n;
	return rc == -1 ? -1 : 0;
}

/* The held reads of the days a plan removes reads of. */
static long
held_count(struct alpr_store *s, const struct plan *p, size_t np)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	json_t *h, *r;
	char id[40], buf[32];
	struct timespec t;
	size_t i, j;
	long n = 0;
	int rc, d;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return 0;
	mdb_cursor_open(txn, s->holds, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(id, sizeof id, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (!(h = st_hold_get(s, txn, id)))
			continue;
		if (!strcmp(json_string_value(json_object_get(h, "state")),
		    "active"))
			json_array_foreach(json_object_get(h, "reads"), i, r) {
				const char *rid = json_string_value(r);
				if (!rid || strlen(rid) < 19)
					continue;
				snprintf(buf, sizeof buf, "%.4s-%.2s-%.2sT00:00:"
				    "00Z", rid, rid + 4, rid + 6);
				if (alpr_time_parse(buf, &t) < 0)
					continue;
				d = t.tv_sec / 86400;
				for (j = 0; j < np; j++)
					if (p[j].day == d && p[j].what != KEEP)
						n++;
			}
		json_decref(h);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return n;
}

/* Delete every key of a day in a database. */
static int
del_day(MDB_txn *txn, MDB_dbi db, int d, unsigned flags)
{
	unsigned char kb[ST_RKEY] = { 0 };
	MDB_cursor *c;
	MDB_val k = { 2, kb }, v;
	int rc;

	st_put16(kb, d);
	mdb_cursor_open(txn, db, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    k.mv_size >= 2 && st_get16(k.mv_data) == (unsigned)d;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_del(c, flags)) != 0)
			break;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static char *
day_dir(struct alpr_store *s, int d)
{
	char sub[16];

	snprintf(sub, sizeof sub, "%05d", d);
	return alpr_path(s->spool, sub);
}

static int
destroy_day(struct alpr_store *s, int d, long *frames)
{
	unsigned char kb[2];
	MDB_val k = { 2, kb };
	MDB_txn *txn;
	char *dir;
	int rc;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	st_put16(kb, d);
	if ((rc = del_day(txn, s->reads, d, 0)) != 0 ||
	    (rc = del_day(txn, s->idx, d, MDB_NODUPDATA)) != 0 ||
	    (rc = del_day(txn, s->pushed, d, 0)) != 0 ||
	    (rc = st_filter_del(s, txn, d)) != 0 ||
	    ((rc = mdb_del(txn, s->keys, &k, NULL)) != 0 &&
	    rc != MDB_NOTFOUND)) {
		st_mdb_warn(rc, "unable to purge a day");
		st_wend(s, txn, 0);
		return -1;
	}
	if (st_wend(s, txn, 1) != 0)
		return -1;
	st_day_drop(s, d);
	dir = day_dir(s, d);
	*frames += st_count_files(dir);
	st_rmtree(dir);
	free(dir);
	return 0;
}

struct newpost {
	unsigned char b[ST_IKEY + ST_POST];
	size_t who;		/* its read, in the kept ones */
};

struct kept {			/* a read that stays, to be stored again */
	unsigned char key[ST_RKEY];	/* DAY CS, then its new key */
	unsigned char *plain;
	size_t n;
	char rid[200];
	char pushed;		/* its mark in "pushed", or 0 */
	char drop;		/* a second copy of a read kept before it */
};

static int
postcmp(const void *a, const void *b)
{
	return memcmp(a, b, ST_IKEY + ST_POST);
}

/* Kept reads by id, then in key order. */
static const struct kept *kbase;
static int
keptcmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(kbase[x].rid, kbase[y].rid);

	return c ? c : (x > y) - (x < y);
}

/*
 * Mark the second copies among the kept reads: a read of the same id and
 * the same record but for who stored it, stored twice by an add that did
 * not find the first (before the keys a purge gives, st_read_key0). The
 * first copy takes a push mark the other had ('S' the server has it
 * before 'R' it refused it). Two of one id whose records differ are both
 * kept: which is the read is not for the purge to say. Returns how many.
 */
static long
drop_copies(struct kept *kp, size_t n)
{
	size_t *ix, i, j;
	long dropped = 0;

	if (n < 2)
		return 0;
	ix = alpr_malloc(n * sizeof *ix);
	for (i = 0; i < n; i++)
		ix[i] = i;
	kbase = kp;
	qsort(ix, n, sizeof *ix, keptcmp);
	for (i = 0; i < n; i = j) {
		struct kept *a = &kp[ix[i]];
		for (j = i + 1; j < n && !strcmp(kp[ix[j]].rid, a->rid); j++) {
			struct kept *b = &kp[ix[j]];
			if (!st_same_read((char *)a->plain, a->n,
			    (char *)b->plain, b->n))
				continue;
			b->drop = 1;
			dropped++;
			if (b->pushed == 'S' || (b->pushed && !a->pushed))
				a->pushed = b->pushed;
		}
	}
	free(ix);
	return dropped;
}

/*
 * Keep the reads of a day that stay under a new key. Each is stored again
 * under the key an add would give it under the new key (st_read_key0),
 * so that an add of it again finds it stored: its postings and its mark
 * in "pushed" go with it.
 */
static int
rekey_day(struct alpr_store *s, const struct plan *pl, long *frames,
    long *dropped)
{
	int d = pl->day;
	const struct st_day *ok;
	struct st_day *nk = NULL;
	struct st_terms *t = alpr_malloc(sizeof *t);
	struct st_fields f;
	struct newpost *np = NULL;
	struct kept *kp = NULL;
	unsigned char kb[ST_RKEY] = { 0 }, *hits, *plain = NULL, *sealed = NULL;
	unsigned char dk[ST_KEY], *fr, ik[ST_IKEY];
	char folds[ST_MAXFOLDS][ALPR_PLATE_MAX + 1], fbuf[ST_MAXFOLDS * 16];
	char label[8], cam[80], img[80], *path, *dir;
	size_t nh, n, nnp = 0, cap = 0, nf, i, off, nkp = 0, kcap = 0, x;
	long ndrop = 0;
	size_t pn = 0;		/* plain's size */
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, data[2];
	json_t *j, *keep = json_object();
	MDB_val pk;
	int rc = 0, nfold, ti;

	if (st_wbegin(s, &txn) != 0) {
		free(t);
		return -1;
	}
	if (!(ok = st_day(s, txn, d, 0))) {
		st_wend(s, txn, 0);
		free(t);
		return -1;
	}
	nh = term_posts(s, txn, d, ok, T_HIT, &hits);
	randombytes_buf(dk, sizeof dk);
	nk = st_day_make(dk);
	st_day_label(label, d);
	st_put16(kb, d);
	k.mv_size = ST_RKEY;
	k.mv_data = kb;
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    st_get16(k.mv_data) == (unsigned)d;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		memcpy(kb, k.mv_data, ST_RKEY);
		/* every read of the day is taken out (its push mark goes
		 * with the day's, below); those that stay come back */
		if (!stays(s, txn, pl, kb, hits, nh, NULL)) {
			if ((rc = mdb_cursor_del(c, 0)) != 0)
				break;
			continue;
		}
		n = v.mv_size < ST_SEALED(0) ? 0 : v.mv_size - ST_SEALED(0);
		if (plain)
			sodium_memzero(plain, pn);
		plain = alpr_realloc(plain, pn = n + 1);
		if (v.mv_size < ST_SEALED(0) || st_open(plain, v.mv_data,
		    v.mv_size, kb, ST_RKEY, ok->seal) < 0 ||
		    st_fields_read((char *)plain, n, &f, &j)) {
			alpr_warn("a read of day %d does not open: not purging "
			    "that day", d);
			rc = -1;
			break;
		}
		/* kept (its text, which f points into, with it), to be
		 * stored again under its new key, indexed again, its frame
		 * written again */
		if (nkp == kcap)
			kp = alpr_realloc(kp, (kcap = kcap ? kcap * 2 : 64) *
			    sizeof *kp);
		memcpy(kp[nkp].key, kb, ST_RKEY);
		kp[nkp].plain = plain;
		kp[nkp].n = n;
		kp[nkp].drop = 0;
		plain = NULL;
		st_rid(kp[nkp].rid, f.id, f.nid, f.box);
		pk.mv_size = ST_RKEY;
		pk.mv_data = kb;
		kp[nkp].pushed = mdb_get(txn, s->pushed, &pk, &v) == 0 &&
		    v.mv_size == 1 ? *(char *)v.mv_data : 0;
		nkp++;
		if ((rc = mdb_cursor_del(c, 0)) != 0) {
			json_decref(j);
			break;
		}
		nfold = st_fields_folds(&f, folds, ST_MAXFOLDS);
		for (i = 0, off = 0; i < (size_t)nfold; i++)
			off += snprintf(fbuf + off, sizeof fbuf - off, "%s%c",
			    folds[i], 0);
		snprintf(cam, sizeof cam, "%.*s", (int)f.ncamera, f.camera ?
		    f.camera : "");
		st_read_terms(t, fbuf, nfold, f.camera ? cam : NULL, f.pos > 0,
		    f.lat, f.lon, f.hit > 0);
		for (ti = 0; ti < t->n; ti++) {
			if (nnp == cap)
				np = alpr_realloc(np, (cap = cap ? cap * 2 :
				    1024) * sizeof *np);
			st_ikey(np[nnp].b, d, nk, t->kind[ti], t->term[ti],
			    t->len[ti]);
			np[nnp++].who = nkp - 1;
		}
		if (f.image && f.nimage == 64) {
			snprintf(img, sizeof img, "%.64s", f.image);
			path = st_frame_path(s, d, ok, img);
			if (st_frame_get(path, label, ok->frame, &fr, &nf) == 0) {
				free(path);
				path = st_frame_path(s, d, nk, img);
				if (st_frame_put(path, label, fr, nf,
				    nk->frame) < 0)
					rc = -1;
				json_object_set_new(keep, strrchr(path, '/') +
				    1, json_true());
				sodium_memzero(fr, nf);
				free(fr);
			}
			free(path);
		}
		json_decref(j);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	/* the day's push marks go (those of the reads kept come back
	 * with them), none left at a key a kept read may take now */
	if (rc == 0)
		rc = del_day(txn, s->pushed, d, 0);
	/* the reads that stay, under their new keys, once each */
	if (rc == 0)
		ndrop = drop_copies(kp, nkp);
	for (i = 0; i < nkp && rc == 0; i++) {
		if (kp[i].drop)
			continue;
		st_read_key0(kb, d, st_get32(kp[i].key + 2), nk, kp[i].rid);
		for (x = 0; x < 65536; x++) {
			st_put16(kb + 6, (st_get16(kb + 6) + (x > 0)) & 0xffff);
			k.mv_size = ST_RKEY;
			k.mv_data = kb;
			if ((rc = mdb_get(txn, s->reads, &k, &v)) == MDB_NOTFOUND)
				break;
		}
		if (rc != MDB_NOTFOUND) {
			rc = rc ? rc : MDB_KEYEXIST;
			break;
		}
		memcpy(kp[i].key, kb, ST_RKEY);
		sealed = alpr_realloc(sealed, ST_SEALED(kp[i].n));
		st_seal(sealed, kp[i].plain, kp[i].n, kb, ST_RKEY, nk->seal);
		v.mv_size = ST_SEALED(kp[i].n);
		v.mv_data = sealed;
		if ((rc = mdb_put(txn, s->reads, &k, &v, MDB_NOOVERWRITE)) != 0)
			break;
		if (kp[i].pushed) {
			v.mv_size = 1;
			v.mv_data = &kp[i].pushed;
			if ((rc = mdb_put(txn, s->pushed, &k, &v, 0)) != 0)
				break;
		}
	}
	for (i = 0, x = 0; i < nnp; i++)
		if (!kp[np[i].who].drop) {
			np[x] = np[i];
			memcpy(np[x++].b + ST_IKEY, kp[np[i].who].key + 2,
			    ST_POST);
		}
	nnp = x;
	/* the old index goes, the new one comes, the new key with it */
	if (rc == 0)
		rc = del_day(txn, s->idx, d, MDB_NODUPDATA);
	if (rc == 0 && nnp > 0) {
		qsort(np, nnp, sizeof *np, postcmp);
		mdb_cursor_open(txn, s->idx, &c);
		for (i = 0; i < nnp && rc == 0; i += n) {
			for (n = 1; i + n < nnp && !memcmp(np[i + n].b,
			    np[i].b, ST_IKEY); n++)
				;
			unsigned char *g = alpr_malloc(n * ST_POST), tk[16];
			st_post_key(nk, np[i].b, tk);
			for (nf = 0; nf < n; nf++)
				st_post_seal(tk, np[i + nf].b + ST_IKEY, g +
				    nf * ST_POST);
			memcpy(ik, np[i].b, ST_IKEY);
			k.mv_size = ST_IKEY;
			k.mv_data = ik;
			data[0].mv_size = ST_POST;
			data[0].mv_data = g;
			data[1].mv_size = n;
			rc = mdb_cursor_put(c, &k, data, MDB_MULTIPLE);
			free(g);
		}
		mdb_cursor_close(c);
	}
	if (rc == 0)
		rc = st_filter_build(s, txn, d);
	if (rc == 0)
		rc = st_day_store(s, txn, d, dk);
	if (rc != 0)
		st_mdb_warn(rc, "unable to give a day a new key");
	if (st_wend(s, txn, rc == 0) != 0)
		rc = -1;
	sodium_memzero(dk, sizeof dk);
	if (rc == 0) {
		*dropped += ndrop;
		/* frames under the old key go */
		st_day_drop(s, d);
		dir = day_dir(s, d);
		*frames += st_remove_except(dir, keep);
		free(dir);
	}
	sodium_memzero(nk, sizeof *nk);
	free(nk);
	for (i = 0; i < nkp; i++) {
		sodium_memzero(kp[i].plain, kp[i].n + 1);
		free(kp[i].plain);
	}
	free(kp);
	free(np);
	free(hits);
	free(sealed);
	if (plain)
		sodium_memzero(plain, pn);
	free(plain);
	sodium_memzero(t, sizeof *t);	/* a read's plates */
	free(t);
	json_decref(keep);
	return rc == 0 ? 0 : -1;
}

/*
 * Is the read at kb, of id rid, where an add looks for it? An add looks at
 * the key its id hashes to under its day's keys (st_read_key0), then at
 * each next serial while that one is taken. 1 or 0.
 */
static int
placed(struct alpr_store *s, MDB_txn *txn, const struct st_day *k,
    const unsigned char *kb, const char *rid)
{
	unsigned char at[ST_RKEY];
	MDB_val key = { ST_RKEY, at }, v;
	unsigned x;

	st_read_key0(at, st_get16(kb), st_get32(kb + 2), k, rid);
	for (x = 0; x < 65536; x++) {
		if (!memcmp(at, kb, ST_RKEY))
			return 1;
		if (mdb_get(txn, s->reads, &key, &v) != 0)
			return 0;	/* the add stops here */
		st_put16(at + 6, (st_get16(at + 6) + 1) & 0xffff);
	}
	return 0;
}

/* A 64-bit hash of a read id, to count the ids a day holds twice. */
static uint64_t
rid_hash(const char *rid)
{
	uint64_t h = 14695981039346656037u;	/* FNV-1a */

	for (; *rid; rid++)
		h = (h ^ (unsigned char)*rid) * 1099511628211u;
	return h;
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Put every read where an add looks for it, once a store. A purge before
 * 2 December 2026 that kept some of a day's reads under a new key left
 * them under their old record keys, whose serials hash their ids under
 * the day's old key: an add of such a read again did not find it and
 * stored it a second time. Each read is opened and checked (placed()); a
 * day with one out of place is given a new key with every read kept
 * (rekey_day, as a purge does), which stores each where an add looks and
 * a second copy of a read not at all. Days this run purges (p, np: the
 * plan) are left to it. The days moved, and the copies to go, are written
 * to the access log first. A day that cannot be checked or moved (a read
 * or its key does not open) is said and left, the purge goes on, and the
 * next run checks again. Returns 1 when every day was checked and moved
 * (the store may be marked: mark_placed()), else 0.
 */
static int
place_reads(struct alpr_store *s, const struct plan *p, size_t np,
    int progress, struct alpr_purge_stats *st)
{
	unsigned char kb[ST_RKEY], *plain = NULL;
	const struct st_day *k;
	struct alpr_progress pr;
	struct plan pl;
	MDB_txn *txn;
	MDB_cursor *c, *rc_;
	MDB_val key, v, rk;
	uint64_t *ids = NULL;
	size_t cap = 0, n, ndays = 0, i, j, nids, idcap = 0;
	long frames = 0, reads = 0, copies = 0, dup, nd = 0;
	int *days = NULL, ok = 1, rc, r, d, bad, opened;
	char rid[200], label[ALPR_TIME_LEN];
	json_t *e, *dl;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return 0;
	if (st_meta_get(s, txn, "serials", &v) == 0) {
		mdb_txn_abort(txn);
		return 0;
	}
	alpr_progress_start(&pr, progress);
	mdb_cursor_open(txn, s->keys, &c);
	for (rc = mdb_cursor_get(c, &key, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT))
		ndays++;
	mdb_cursor_open(txn, s->reads, &rc_);
	for (rc = mdb_cursor_get(c, &key, &v, MDB_FIRST), i = 0; rc == 0;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT), i++) {
		d = st_get16(key.mv_data);
		alpr_progress(&pr, 0, "checking where reads are kept: %zu of "
		    "%zu days", i, ndays);
		for (j = 0; j < np && p[j].day != d; j++)
			;
		if (j < np && p[j].what != KEEP)
			continue;	/* this purge stores them anew */
		if (!(k = st_day(s, txn, d, 0))) {
			ok = 0;		/* said */
			continue;
		}
		memset(kb, 0, sizeof kb);
		st_put16(kb, d);
		rk.mv_size = ST_RKEY;
		rk.mv_data = kb;
		bad = 0;
		opened = 1;
		nids = 0;
		for (r = mdb_cursor_get(rc_, &rk, &v, MDB_SET_RANGE); r == 0 &&
		    st_get16(rk.mv_data) == (unsigned)d;
		    r = mdb_cursor_get(rc_, &rk, &v, MDB_NEXT)) {
			n = v.mv_size < ST_SEALED(0) ? 0 : v.mv_size -
			    ST_SEALED(0);
			if (n + 1 > cap) {
				if (plain)
					sodium_memzero(plain, cap);
				free(plain);
				plain = alpr_malloc(cap = n + 1);
			}
			st->checked++;
			if (v.mv_size < ST_SEALED(0) || st_open(plain, v.mv_data,
			    v.mv_size, rk.mv_data, ST_RKEY, k->seal) < 0) {
				opened = 0;
				break;
			}
			/* one with no id is check's and a search's to report:
			 * an add cannot have stored it twice */
			if (st_stored_rid((char *)plain, n, rid) < 0)
				continue;
			if (!placed(s, txn, k, rk.mv_data, rid))
				bad = 1;
			if (nids == idcap)
				ids = alpr_realloc(ids, (idcap = idcap ? idcap *
				    2 : 1024) * sizeof *ids);
			ids[nids++] = rid_hash(rid);
		}
		if (!opened) {
			alpr_warn("a read of day %d does not open: its reads are "
			    "not checked (the store is damaged: see store-"
			    "poke check)", d);
			ok = 0;
			continue;
		}
		if (!bad)
			continue;
		qsort(ids, nids, sizeof *ids, u64cmp);
		for (j = 1, dup = 0; j < nids; j++)
			dup += ids[j] == ids[j - 1];
		days = alpr_realloc(days, (nd + 1) * sizeof *days);
		days[nd++] = d;
		reads += nids;
		copies += dup;
	}
	mdb_cursor_close(rc_);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (plain)
		sodium_memzero(plain, cap);
	free(plain);
	free(ids);
	alpr_progress(&pr, 1, "checked where %ld reads of %zu days are kept: "
	    "%ld days to move", st->checked, ndays, nd);
	if (nd) {
		dl = json_array();
		for (i = 0; i < (size_t)nd; i++) {
			struct timespec t = { (time_t)days[i] * 86400, 0 };
			alpr_time_fmt(&t, label);
			label[10] = '\0';	/* the date */
			json_array_append_new(dl, json_string(label));
		}
		e = json_pack("{s:s,s:s,s:{s:o,s:I,s:s},s:I,s:s}", "action",
		    "rekey", "user", s->actor.user[0] ? s->actor.user : "-",
		    "data", "days", dl, "duplicate_ids", (json_int_t)copies, "why",
		    "reads put where an add finds them", "count",
		    (json_int_t)reads, "outcome", "ok");
		rc = alpr_store_logentry(s, e);
		json_decref(e);
		if (rc < 0) {
			alpr_warn("unable to write to the access log, so no day "
			    "is given a new key for its reads' places:");
			free(days);
			return 0;
		}
	}
	memset(&pl, 0, sizeof pl);
	pl.keephits = pl.keepplain = 1;
	for (i = 0; i < (size_t)nd; i++) {
		pl.day = days[i];
		if (rekey_day(s, &pl, &frames, &st->copies) == 0)
			st->moved++;
		else
			ok = 0;		/* said; the next run checks again */
	}
	free(days);
	return ok;
}

/* Every read of the store is where an add looks for it: no purge looks
 * again. */
static void
mark_placed(struct alpr_store *s)
{
	MDB_txn *txn;
	int rc;

	if (st_wbegin(s, &txn) != 0)
		return;
	if ((rc = st_meta_put(s, txn, "serials", "1", 1)) != 0)
		st_mdb_warn(rc, "unable to mark the store's reads checked");
	st_wend(s, txn, rc == 0);
}

/* Remove every environment folder of the home but keep (db.N), and a
 * db.link a rename left: those of compactions a crash cut short keep
 * what was purged since. -1 if one stays. */
static int
old_envs(struct alpr_store *s, const char *keep)
{
	DIR *d = opendir(s->home);
	struct dirent *e;
	char *p;
	int n, left = 0;

	if (!d) {
		alpr_warn("unable to read %s:", s->home);
		return -1;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, "db.link") && (sscanf(e->d_name,
		    "db.%d", &n) != 1 || !strcmp(e->d_name, keep)))
			continue;
		p = alpr_path(s->home, e->d_name);
		st_rmtree(p);
		if (access(p, F_OK) == 0 || errno != ENOENT) {
			alpr_warn("unable to remove %s, which holds what was "
			    "purged (the next purge tries again):", p);
			left = -1;
		}
		free(p);
	}
	closedir(d);
	return left;
}

/* Compact: a compacting copy into db.N+1, the link moved to it. */
static int
compact(struct alpr_store *s, int wait, struct alpr_purge_stats *st)
{
	char *link = s->dbdir, target[64], newdir[64], *p, *q;
	struct stat sb;
	int n, rc, waited;
	ssize_t len;

	for (waited = 0; flock(s->lockfd, LOCK_EX | LOCK_NB) < 0; waited++) {
		if (errno != EWOULDBLOCK || waited >= wait * 10) {
			alpr_warn("compaction not done: the store has been "
			    "busy for %d seconds (run the purge again)", wait);
			return 1;
		}
		usleep(100000);
	}
	if ((len = readlink(link, target, sizeof target - 1)) < 0 ||
	    sscanf((target[len] = '\0', target), "db.%d", &n) != 1) {
		alpr_warn("%s is not the link alpr-store init made", link);
		flock(s->lockfd, LOCK_UN);
		return -1;
	}
	snprintf(newdir, sizeof newdir, "db.%d", n + 1);
	p = alpr_path(s->home, newdir);
	q = alpr_path(p, "data.mdb");
	st_rmtree(p);
	rc = -1;
	if (alpr_mkdirs(p, 0700) < 0)
		alpr_warn("unable to make %s:", p);
	else if ((rc = mdb_env_copy2(s->env, p, MDB_CP_COMPACT)) != 0) {
		alpr_warn("unable to compact into %s: %s", p, mdb_strerror(rc));
		rc = -1;
	} else if ((rc = st_fsync_file(q)) < 0)
		alpr_warn("unable to flush %s:", q);
	if (rc == 0) {
		char *tmp = alpr_path(s->home, "db.link");
		unlink(tmp);
		if (symlink(newdir, tmp) < 0 || rename(tmp, link) < 0) {
			alpr_warn("unable to move the link %s:", link);
			rc = -1;
		}
		free(tmp);
	}
	if (rc == 0) {
		st_fsync_file(s->home);
		if (stat(q, &sb) == 0)
			st->bytes_after = sb.st_size;
		/* the old one, and any a crash left: readers that have one
		 * open keep it */
		rc = old_envs(s, newdir);
		st->compacted = 1;
	} else
		st_rmtree(p);
	flock(s->lockfd, LOCK_UN);
	free(p);
	free(q);
	return rc;
}

/*
 * HOME/purge.owed: made before the first day is removed, gone once the key
 * file has a new key and the environment is compacted. A purge killed in
 * between, or whose compaction the store's writers kept off, leaves it,
 * and the next run finishes the work though nothing else is past its
 * retention: without it, the removed days would stay readable in a copy
 * of the home taken before, and in the environment's free pages.
 */
static char *
owed_path(struct alpr_store *s)
{
	return alpr_path(s->home, "purge.owed");
}

static int
owe(struct alpr_store *s)
{
	char *p = owed_path(s);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), r = 0;

	if (fd < 0 || fsync(fd) < 0 || st_fsync_file(s->home) < 0) {
		alpr_warn("unable to make %s, so nothing is purged:", p);
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	free(p);
	return r;
}

static void
paid(struct alpr_store *s)
{
	char *p = owed_path(s);

	if (unlink(p) < 0 && errno != ENOENT)
		alpr_warn("unable to remove %s (the next purge compacts "
		    "again):", p);
	st_fsync_file(s->home);
	free(p);
}

/* The days' filters that are missing or lack a key: a failure to build
 * them is said, and is not the purge's. */
static void
filters(struct alpr_store *s, int progress)
{
	if (st_filters_complete(s, progress) < 0)
		alpr_warn("the days without a filter are searched in their "
		    "index: the next purge builds their filters");
}

int
alpr_purge(struct alpr_store *s, const struct alpr_purge_opt *o,
    struct alpr_purge_stats *st)
{
	struct plan *p = NULL;
	size_t np = 0, i;
	char c1[ALPR_TIME_LEN], c2[ALPR_TIME_LEN], *lp, *dbf;
	struct timespec tp, th;
	double t0;
	struct alpr_progress pr;
	struct stat sb;
	json_t *e;
	time_t now = time(NULL), min;
	int lock, plock, r = -1, failed = 0, waited, placed = 0;

	memset(st, 0, sizeof *st);
	lp = alpr_path(s->home, "purge.lock");
	lock = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lp);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		alpr_warn("another purge of %s is running", s->home);
		if (lock >= 0)
			close(lock);
		return 1;
	}
	/* a push (push.c) reads days this purge gives new keys: it finishes
	 * first, within the time the purge waits for the store's writers */
	lp = alpr_path(s->home, "push.lock");
	plock = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lp);
	for (waited = 0; plock >= 0 && flock(plock, LOCK_EX | LOCK_NB) < 0;
	    waited++) {
		if (waited >= o->wait) {
			alpr_warn("a push of %s is running: purge again later",
			    s->home);
			close(plock);
			plock = -1;
			r = 1;
			goto out;
		}
		sleep(1);
	}
	st->cut_plain = now - s->conf.retention_days * 86400;
	st->cut_hit = now - s->conf.retention_hit_days * 86400;
	if (o->before) {
		min = st->cut_plain < st->cut_hit ? st->cut_plain : st->cut_hit;
		if (o->before > min) {
			alpr_warn("--before is later than the retention allows "
			    "(retention_days, retention_hit_days): to purge "
			    "younger reads, shorten the retention in alpr.conf");
			st->cut_plain = st->cut_hit = 0;	/* no plan */
			r = 1;
			goto out;
		}
		st->cut_plain = st->cut_hit = o->before;
	}
	if (make_plan(s, st->cut_plain, st->cut_hit, &p, &np) < 0)
		goto out;
	for (i = 0; i < np; i++) {
		st->kept_unsent += p[i].unsent;
		if (p[i].what == KEEP)
			continue;
		st->days += p[i].what == DESTROY;
		st->rekeyed += p[i].what == REKEY;
		st->reads += p[i].reads - p[i].kept;
		st->kept_hit += p[i].what == REKEY && p[i].keephits ?
		    p[i].kept - p[i].unsent : 0;
	}
	st->held = held_count(s, p, np);
	dbf = alpr_path(s->dbdir, "data.mdb");
	if (stat(dbf, &sb) == 0)
		st->bytes_before = st->bytes_after = sb.st_size;
	free(dbf);
	/* first the filters as they stand (a purge's new keys then keep
	 * each day's filter whole in the same transaction) */
	if (!o->dry) {
		filters(s, o->progress);
		placed = place_reads(s, p, np, o->progress, st);
	}
	lp = owed_path(s);
	st->owed = access(lp, F_OK) == 0;
	free(lp);
	if (o->dry || (st->days + st->rekeyed == 0 && !st->owed)) {
		r = 0;
		goto out;
	}
	if (st_kek_writable(s) < 0)
		goto out;
	if (st->days + st->rekeyed == 0) {
		alpr_warn("an earlier purge was cut short before the key file "
		    "had a new key and the store was compacted: finishing it");
		e = json_pack("{s:s,s:s,s:{s:s},s:i,s:s}", "action", "purge",
		    "user", s->actor.user[0] ? s->actor.user : "-", "data",
		    "finishing", "the new key file and the compaction an "
		    "earlier purge owed", "count", 0, "outcome", "ok");
	} else {
		tp.tv_sec = st->cut_plain;
		th.tv_sec = st->cut_hit;
		tp.tv_nsec = th.tv_nsec = 0;
		alpr_time_fmt(&tp, c1);
		alpr_time_fmt(&th, c2);
		e = json_pack("{s:s,s:s,s:{s:s,s:s,s:I,s:I,s:I,s:I,s:I},s:s}",
		    "action", "purge", "user", s->actor.user[0] ?
		    s->actor.user : "-", "data", "cut_off", c1,
		    "cut_off_hits", c2, "days", (json_int_t)st->days,
		    "days_rekeyed", (json_int_t)st->rekeyed, "kept_for_hits",
		    (json_int_t)st->kept_hit, "kept_by_hold",
		    (json_int_t)st->held, "retention_days",
		    (json_int_t)s->conf.retention_days, "outcome", "ok");
		json_object_set_new(e, "count", json_integer(st->reads));
		if (st->kept_unsent)
			json_object_set_new(json_object_get(e, "data"),
			    "kept_until_pushed", json_integer(st->kept_unsent));
	}
	r = alpr_store_logentry(s, e);
	json_decref(e);
	if (r < 0) {
		alpr_warn("unable to write the purge to the access log, so "
		    "nothing is purged:");
		goto out;
	}
	if (st->days + st->rekeyed == 0)
		goto rotate;	/* only what is owed */
	if ((r = owe(s)) < 0)
		goto out;
	t0 = alpr_mono();
	alpr_progress_start(&pr, o->progress);
	/* a day that cannot be purged is said and left; the others go */
	for (i = 0; i < np && r == 0; i++) {
		if (p[i].what == DESTROY && destroy_day(s, p[i].day,
		    &st->frames) < 0)
			failed++;
		else if (p[i].what == REKEY && rekey_day(s, &p[i],
		    &st->frames, &st->copies) < 0)
			failed++;
		alpr_progress(&pr, i + 1 == np, "%zu of %zu days", i + 1, np);
	}
	st->seconds_purge = alpr_mono() - t0;
rotate:
	t0 = alpr_mono();
	if (r == 0 && (r = st_kek_rotate(s)) == 0)
		st->rotated = 1;
	st->seconds_purge += alpr_mono() - t0;
	if (r == 0) {
		t0 = alpr_mono();
		r = compact(s, o->wait, st);
		st->seconds_compact = alpr_mono() - t0;
	}
	if (r == 0)	/* the key file rotated, the store compacted */
		paid(s);
	if (failed) {
		alpr_warn("%d of %zu days could not be purged (said above): "
		    "the others were", failed, np);
		r = -1;
	}
out:
	/* the purge's days too are where an add looks for their reads */
	if (placed && r == 0 && !failed)
		mark_placed(s);
	free(p);
	if (plock >= 0)
		close(plock);
	flock(lock, LOCK_UN);
	close(lock);
	return r;
}
