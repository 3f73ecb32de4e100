/*
 * filter.c: each day's filter of its index keys, so that a search passes
 * over the days that cannot hold a term without reading their index.
 *
 *	filt	DAY(2) -> 'F' 0(3) COUNT(4) NBLOCKS(4) 0(4) BLOCKS(64 bytes
 *		each)
 *
 * A blocked Bloom filter (Putze, Sanders and Singler, 2007): an index
 * key's hash (its last 8 bytes, SipHash under the day's index key) picks
 * one of the NBLOCKS blocks of 512 bits by its top 32 bits and sets four
 * bits in it by double hashing on its lowest 18, so that a probe reads
 * one cache line. Built with 24 bits a key, filled to 12: under 1% of
 * absent terms pass.
 *
 * A filter holds every key of its day's index, or the day has none: a
 * day without one (a store older than the filters, a filter being
 * rebuilt) is searched in its index. Ingest adds a batch's keys to the
 * filter of each of its days, in its write transaction. A day new to the
 * index gets one made of the batch's keys, sized for the day before's
 * (so that a day arriving in batches seldom outgrows it); a day with an
 * index and no filter (a store of format 1) one built from its whole
 * index, which then holds the batch's keys too; a filter past its
 * capacity is built again from the index. A batch small beside a day's
 * filter (fewer postings than a 64th of its bytes: a live pipeline's few
 * reads, on a busy day some 280) deletes it instead: rewriting a filter
 * of some hundred kilobytes for each read more than doubled the bytes a
 * live ingest wrote. A purge deletes a destroyed day's filter and builds
 * a new one for a day given a new key; and every alpr-purge builds the
 * filters of the days that have none, and again those that lack a key of
 * their index (which a program of format 1 still running when the store
 * was upgraded leaves). Like the index keys it is made of, a filter tells
 * nothing without its day's key.
 *
 * Why: over a year of 10 million reads, an exact search is 365 lookups
 * in the index, nearly all for a term the day does not have, and they
 * were half its instructions and most of its cache misses.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define HDR 16
#define BLOCK 64
#define BITS_PER_KEY 12		/* at most; built with twice as many */
#define MINBLOCKS 16
#define MAXBLOCKS (1 << 24)
#define SMALL 64		/* a batch with fewer postings than its
				 * filter has bytes / SMALL is small */

static uint64_t
hash_of(const unsigned char *ik)
{
	uint64_t h = 0;
	int i;

	for (i = 2; i < ST_IKEY; i++)
		h = h << 8 | ik[i];
	return h;
}

static size_t
capacity(uint32_t nblocks)
{
	return (size_t)nblocks * BLOCK * 8 / BITS_PER_KEY;
}

static size_t
block(uint32_t nblocks, uint64_t h)
{
	return ((h >> 32) * nblocks >> 32) * BLOCK;
}

/* Set a key's bits: 1 if any was clear (a key new to the filter). */
static int
set(unsigned char *f, uint32_t nblocks, uint64_t h)
{
	unsigned char *b = f + HDR + block(nblocks, h);
	unsigned a = h & 511, step = (h >> 9 & 511) | 1, p, i;
	int any = 0;

	for (i = 0; i < 4; i++, a += step) {
		p = a & 511;
		any |= !(b[p >> 3] & 1 << (p & 7));
		b[p >> 3] |= 1 << (p & 7);
	}
	return any;
}

static int
test(const unsigned char *f, uint32_t nblocks, uint64_t h)
{
	const unsigned char *b = f + HDR + block(nblocks, h);
	unsigned a = h & 511, step = (h >> 9 & 511) | 1, p, i;

	for (i = 0; i < 4; i++, a += step) {
		p = a & 511;
		if (!(b[p >> 3] & 1 << (p & 7)))
			return 0;
	}
	return 1;
}

static int
well_formed(const MDB_val *v)
{
	const unsigned char *f = v->mv_data;

	return v->mv_size >= HDR && f[0] == 'F' && st_get32(f + 8) > 0 &&
	    st_get32(f + 8) <= MAXBLOCKS &&
	    v->mv_size == HDR + (size_t)st_get32(f + 8) * BLOCK;
}

/* A filter's blocks, by its size: a search reads no header, which would
 * be a page more to fault in for each day a search opens. 0: none. */
static uint32_t
blocks_of(const MDB_val *v)
{
	if (!v->mv_data || v->mv_size < HDR + BLOCK ||
	    (v->mv_size - HDR) % BLOCK || (v->mv_size - HDR) / BLOCK >
	    MAXBLOCKS)
		return 0;
	return (v->mv_size - HDR) / BLOCK;
}

int
st_filter_may(const MDB_val *v, const unsigned char ik[ST_IKEY])
{
	uint32_t nb = blocks_of(v);

	return nb == 0 || test(v->mv_data, nb, hash_of(ik));
}

void
st_filter_prefetch(const MDB_val *v, const unsigned char ik[ST_IKEY])
{
	uint32_t nb = blocks_of(v);

	if (nb > 0)
		__builtin_prefetch((const unsigned char *)v->mv_data + HDR +
		    block(nb, hash_of(ik)));
}

/* Write filter f (nblocks, count) as day d's. */
static int
put(MDB_txn *txn, MDB_dbi db, int d, unsigned char *f, uint32_t nblocks,
    uint32_t count)
{
	unsigned char kb[2];
	MDB_val k = { 2, kb }, v = { HDR + (size_t)nblocks * BLOCK, f };

	memset(f, 0, HDR);
	f[0] = 'F';
	st_put32(f + 4, count);
	st_put32(f + 8, nblocks);
	st_put16(kb, d);
	return mdb_put(txn, db, &k, &v, 0);
}

/*
 * Blocks for n keys and as many again, or for a quarter more than the
 * day before had (days are alike: a day's reads arriving in batches do
 * not outgrow its filter again and again).
 */
static uint32_t
size_for(struct alpr_store *s, MDB_txn *txn, int d, size_t n)
{
	unsigned char kb[2];
	MDB_cursor *c;
	MDB_val k = { 2, kb }, v;
	size_t want = 2 * n, prev;

	st_put16(kb, d);
	mdb_cursor_open(txn, s->filt, &c);
	if ((mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) == 0 ?
	    mdb_cursor_get(c, &k, &v, MDB_PREV) :
	    mdb_cursor_get(c, &k, &v, MDB_LAST)) == 0 && well_formed(&v) &&
	    st_get16(k.mv_data) < (unsigned)d) {
		prev = st_get32((unsigned char *)v.mv_data + 4);
		if (prev + prev / 4 > want)
			want = prev + prev / 4;
	}
	mdb_cursor_close(c);
	want = (want * BITS_PER_KEY + BLOCK * 8 - 1) / (BLOCK * 8);
	return want < MINBLOCKS ? MINBLOCKS : want > MAXBLOCKS ? MAXBLOCKS :
	    want;
}

/* A new filter of n keys (every stride bytes) as day d's. */
static int
make(struct alpr_store *s, MDB_txn *txn, int d, const unsigned char *keys,
    size_t stride, size_t n)
{
	uint32_t nblocks = size_for(s, txn, d, n), count = 0;
	unsigned char *f = alpr_calloc(1, HDR + (size_t)nblocks * BLOCK);
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		count += set(f, nblocks, hash_of(keys + i * stride));
	rc = put(txn, s->filt, d, f, nblocks, count);
	free(f);
	return rc;
}

int
st_filter_fresh(struct alpr_store *s, MDB_txn *txn, int d)
{
	unsigned char kb[ST_IKEY] = { 0 };
	MDB_cursor *c;
	MDB_val k = { ST_IKEY, kb }, v;
	int fresh;

	st_put16(kb, d);
	mdb_cursor_open(txn, s->idx, &c);
	fresh = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) != 0 ||
	    k.mv_size != ST_IKEY || st_get16(k.mv_data) != (unsigned)d;
	mdb_cursor_close(c);
	return fresh;
}

int
st_filter_build(struct alpr_store *s, MDB_txn *txn, int d)
{
	unsigned char kb[ST_IKEY] = { 0 }, (*keys)[ST_IKEY] = NULL;
	size_t n = 0, cap = 0;
	MDB_cursor *c;
	MDB_val k = { ST_IKEY, kb }, v;
	int rc;

	st_put16(kb, d);
	mdb_cursor_open(txn, s->idx, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    k.mv_size == ST_IKEY && st_get16(k.mv_data) == (unsigned)d;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		if (n == cap)
			keys = alpr_realloc(keys, (cap = cap ? cap * 2 : 4096) *
			    sizeof *keys);
		memcpy(keys[n++], k.mv_data, ST_IKEY);
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND || rc == 0) {
		/* a day without an index has no filter */
		rc = n > 0 ? make(s, txn, d, *keys, ST_IKEY, n) :
		    st_filter_del(s, txn, d);
	}
	free(keys);
	return rc;
}

int
st_filter_add(struct alpr_store *s, MDB_txn *txn, int d,
    const unsigned char *keys, size_t stride, size_t n, int fresh)
{
	unsigned char kb[2], *f;
	MDB_val k = { 2, kb }, v;
	uint32_t count, nblocks;
	size_t i;
	int rc, have;

	st_put16(kb, d);
	if ((rc = mdb_get(txn, s->filt, &k, &v)) != 0 && rc != MDB_NOTFOUND)
		return rc;
	have = rc == 0 && well_formed(&v);
	nblocks = have ? st_get32((unsigned char *)v.mv_data + 8) :
	    size_for(s, txn, d, n);
	if (n * SMALL < (size_t)nblocks * BLOCK)
		return rc == 0 ? st_filter_del(s, txn, d) : 0;
	if (!have)
		return fresh ? make(s, txn, d, keys, stride, n) :
		    st_filter_build(s, txn, d);
	count = st_get32((unsigned char *)v.mv_data + 4);
	f = alpr_malloc(v.mv_size);
	memcpy(f, v.mv_data, v.mv_size);
	for (i = 0; i < n; i++)
		count += set(f, nblocks, hash_of(keys + i * stride));
	if (count > capacity(nblocks) && nblocks < MAXBLOCKS)
		rc = st_filter_build(s, txn, d);
	else
		rc = put(txn, s->filt, d, f, nblocks, count);
	free(f);
	return rc;
}

int
st_filter_del(struct alpr_store *s, MDB_txn *txn, int d)
{
	unsigned char kb[2];
	MDB_val k = { 2, kb };
	int rc;

	st_put16(kb, d);
	rc = mdb_del(txn, s->filt, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
st_filters_complete(struct alpr_store *s, int progress)
{
	unsigned char fb[2];
	struct alpr_progress pr;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, fk = { 2, fb }, f = { 0, NULL };
	int *days = NULL, n = 0, i, rc, r = 0, d, cur = -1, bad = 0, nd = 0;

	/* every index key against its day's filter, a day at a time */
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	alpr_progress_start(&pr, progress);
	mdb_cursor_open(txn, s->idx, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); ; rc =
	    mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		d = rc == 0 && k.mv_size == ST_IKEY ? (int)st_get16(k.mv_data) :
		    -1;
		if (d != cur || d < 0) {
			if (cur >= 0 && bad) {
				days = alpr_realloc(days, (n + 1) *
				    sizeof *days);
				days[n++] = cur;
			}
			alpr_progress(&pr, d < 0, "filters: %d days checked, "
			    "%d to build", nd, n);
			if ((cur = d) < 0)	/* the end, or an empty index */
				break;
			nd++;
			st_put16(fb, d);
			bad = mdb_get(txn, s->filt, &fk, &f) != 0;
		}
		if (!bad && !st_filter_may(&f, k.mv_data))
			bad = 1;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	for (i = 0; i < n && r == 0; i++) {
		if (st_wbegin(s, &txn) != 0) {
			r = -1;
			break;
		}
		if ((rc = st_filter_build(s, txn, days[i])) != 0)
			st_mdb_warn(rc, "unable to build a day's filter");
		if (st_wend(s, txn, rc == 0) != 0 || rc != 0)
			r = -1;
	}
	free(days);
	return r;
}
