/*
 * hlmatch.c: the plate indexes of hotlist entries, and matching a read's
 * strings against them (alpr-match(1) Matching).
 *
 * Two hash indexes answer a read without scanning the entries: the exact
 * one is keyed by the plate, the lenient one by every variant of the
 * confusion-class-folded plate with up to N characters deleted (symmetric
 * deletion: two strings within N edits share such a variant), each
 * candidate then checked by a bounded edit distance. Wildcard entries are
 * few and are tried one by one.
 */
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

struct entry {
	char plate[ALPR_PLATE_MAX + 1];
	int64_t from, until;	/* valid from, valid before */
	uint8_t len, wild;
	int8_t maxdiff;		/* -1 exact, else lenient with N differences */
};

struct index {
	uint32_t mask;
	uint32_t *start;	/* mask + 1 offsets into keys */
	uint64_t *keys;		/* entry id, and the key's hash above */
};

struct wild {
	char fpat[ALPR_PLATE_MAX + 1];	/* folded pattern */
	uint32_t id;
	uint8_t len, star;		/* characters but *, has a * */
	uint16_t anchor;		/* first char, 256 + last, or 512 */
};

#define MAXCANDS (1 + 64)	/* the plate and as many candidates as alpr-ocr
				 * gives at most (-n 64) */

struct q {
	uint64_t h;
	uint32_t lo, hi;
	uint8_t cand, lenient;
};

/* What a read is matched with: its strings, the probes, the hits. */
struct probe {
	time_t now;
	char cand[MAXCANDS][ALPR_PLATE_MAX + 1];
	char fq[MAXCANDS][ALPR_PLATE_MAX + 1];
	uint8_t len[MAXCANDS];
	int ncand, cur;
	struct q *q;
	size_t nq, qcap;
	struct alpr_hlhit *hits;
	size_t nhits, cap;
};

struct alpr_hlmatch {
	struct entry *e;
	size_t ne, cap;
	struct wild *wild;	/* by anchor: first, last literal, none */
	size_t nwild, woff[514];
	struct index exact, lenient;
	int maxdiff;		/* largest of the lenient entries, or -1 */
	struct probe pr;
};


/* A plate folded by OCR's confusion classes (platecmp.c). */
static void
folds(const char *s, char *out)
{
	alpr_fold_plate(s, out, ALPR_PLATE_MAX + 1);
}

#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* FNV-1a with a final mix: the buckets take its top bits. */
static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = FNV_BASIS;

	while (n--)
		h = (h ^ (unsigned char)*s++) * FNV_PRIME;
	return finish(h);
}

/* Call fn with the hash of s and of every string made by deleting up to k
 * of its characters at positions from on. */
typedef void (*variant_fn)(uint64_t h, void *arg);

static void
variants(char *s, size_t n, size_t from, int k, variant_fn fn, void *arg)
{
	char buf[ALPR_PLATE_MAX + 1];
	uint64_t hp, h;
	size_t i, j;

	fn(hash(s, n), arg);
	if (k == 0 || n <= 1)
		return;
	if (k == 1) {
		/* the common case: hash each deletion from a running prefix */
		for (i = 0, hp = FNV_BASIS; i < n; i++) {
			if (i == 0 || s[i] != s[i - 1]) {
				for (h = hp, j = i + 1; j < n; j++)
					h = (h ^ (unsigned char)s[j]) *
					    FNV_PRIME;
				fn(finish(h), arg);
			}
			hp = (hp ^ (unsigned char)s[i]) * FNV_PRIME;
		}
		return;
	}
	for (i = from; i < n; i++) {
		if (i > from && s[i] == s[i - 1])
			continue;	/* same string as deleting s[i-1] */
		memcpy(buf, s, i);
		memcpy(buf + i, s + i + 1, n - i - 1);
		variants(buf, n - 1, i, k - 1, fn, arg);
	}
}

/*
 * Index building. A first pass over the entries counts the keys that fall
 * in each chunk of buckets, a second stores (bucket, id) pairs grouped by
 * chunk, and each chunk, small enough for the cache, is then counting-sorted
 * into keys; start[k] begins bucket k and start[k + 1] ends it.
 */
#define CHUNK_BITS 12

struct build {
	struct index *ix;
	uint64_t *pairs;
	size_t *at;		/* per chunk: count, then fill cursor */
	uint32_t id;
	int shift, fill;
};

/* A key's bucket: the top bits of its hash, which the key keeps. */
#define BUCKET(ix, h) ((uint32_t)((h) >> 32) & (ix)->mask)
#define ID(key) ((uint32_t)(key))
#define SAME(key, h) (((key) ^ (h)) >> 32 == 0)

static void
build_one(uint64_t h, void *arg)
{
	struct build *b = arg;
	uint32_t k = BUCKET(b->ix, h);

	if (b->fill)
		b->pairs[b->at[k >> b->shift]++] = (h & ~(uint64_t)UINT32_MAX) |
		    b->id;
	else
		b->at[k >> b->shift]++;
}

static void
build_lenient(uint64_t h, void *arg)
{
	build_one(h | 1, arg);
}

static void
index_free(struct index *ix)
{
	free(ix->start);
	free(ix->keys);
	memset(ix, 0, sizeof *ix);
}

static void
index_pass(struct alpr_hlmatch *m, struct build *b, int lenient)
{
	char f[ALPR_PLATE_MAX + 1];
	struct entry *e;
	size_t i;
	int k;

	for (i = 0; i < m->ne; i++) {
		e = &m->e[i];
		k = e->maxdiff;
		if (e->wild || (lenient && k < 0))
			continue;
		b->id = i;
		if (!lenient) {
			build_one(hash(e->plate, e->len) & ~(uint64_t)1, b);
			continue;
		}
		folds(e->plate, f);
		variants(f, e->len, 0, k, build_lenient, b);
	}
}

/* Keys an entry of n characters has with up to k deletions, at most. */
static size_t
nvariants(size_t n, int k)
{
	size_t c = 1, sum = 1;
	int j;

	for (j = 1; j <= k && (size_t)j <= n; j++) {
		c = c * (n - j + 1) / j;
		sum += c;
	}
	return k < 0 ? 0 : sum;
}

static void
index_build(struct alpr_hlmatch *m, struct index *ix, int lenient)
{
	struct build b = { ix, NULL, NULL, 0, 0, 0 };
	size_t i, n = 0, size = 1, nchunks, c, lo, hi, total, end;
	int bits = 0;
	uint32_t k;

	index_free(ix);
	for (i = 0; i < m->ne; i++)
		if (!m->e[i].wild)
			n += lenient ? nvariants(m->e[i].len,
			    m->e[i].maxdiff) : 1;
	while (size < n)
		size <<= 1, bits++;
	ix->mask = size - 1;
	b.shift = bits > CHUNK_BITS ? bits - CHUNK_BITS : 0;
	nchunks = size >> b.shift;
	b.at = alpr_calloc(nchunks + 1, sizeof *b.at);
	index_pass(m, &b, lenient);
	for (c = 0, total = 0; c < nchunks; c++) {
		n = b.at[c];
		b.at[c] = total;
		total += n;
	}
	b.pairs = alpr_malloc(total * sizeof *b.pairs);
	b.fill = 1;
	index_pass(m, &b, lenient);
	ix->start = alpr_calloc(size + 1, sizeof *ix->start);
	ix->keys = alpr_malloc((total + 1) * sizeof *ix->keys);
	for (c = 0, lo = 0; c < nchunks; c++, lo = hi) {
		hi = b.at[c];	/* the fill cursor ended at the chunk's end */
		for (i = lo; i < hi; i++)
			ix->start[BUCKET(ix, b.pairs[i])]++;
		end = lo;
		for (k = c << b.shift; k < (c + 1) << b.shift; k++)
			ix->start[k] = end += ix->start[k];
		for (i = lo; i < hi; i++)
			ix->keys[--ix->start[BUCKET(ix, b.pairs[i])]] =
			    b.pairs[i];
	}
	ix->start[size] = total;
	free(b.pairs);
	free(b.at);
}

/*
 * Matching. The probes of a read (each candidate's plate in the exact
 * index, its deletion variants in the lenient one) are gathered first and
 * then walked in stages, each prefetching what the next will touch, so that
 * the cache misses of a large index overlap instead of queueing.
 */

static int
valid(const struct entry *e, time_t now)
{
	return e->from <= (int64_t)now && (int64_t)now < e->until;
}

static void
add_hit(struct probe *pr, uint32_t id, int lenient, int diff, int cand)
{
	struct alpr_hlhit *h;
	size_t i;

	for (i = 0; i < pr->nhits; i++) {
		h = &pr->hits[i];
		if (h->id != id)
			continue;
		if (lenient < h->lenient || (lenient == h->lenient &&
		    diff < h->diff)) {
			h->lenient = lenient;
			h->diff = diff;
			h->cand = cand;
		}
		return;
	}
	if (pr->nhits == pr->cap) {
		pr->cap = pr->cap ? pr->cap * 2 : 8;
		pr->hits = alpr_realloc(pr->hits, pr->cap * sizeof *pr->hits);
	}
	pr->hits[pr->nhits++] = (struct alpr_hlhit){ id, lenient, diff, cand };
}

/* Within 1 edit, for the usual lenient lists: 0, 1, or 2 when further. */
static int
within1(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (na == nb)
		return i == na ? 0 : strcmp(a + i + 1, b + i + 1) ? 2 : 1;
	if (na + 1 == nb)
		return strcmp(a + i, b + i + 1) ? 2 : 1;
	if (nb + 1 == na)
		return strcmp(a + i + 1, b + i) ? 2 : 1;
	return 2;
}

static void
queue(uint64_t h, void *arg)
{
	struct probe *pr = arg;
	size_t i;

	for (i = pr->nq; i-- > 0 && pr->q[i].cand == pr->cur; )
		if (pr->q[i].h == h)
			return;	/* the same variant, by another deletion */
	if (pr->nq == pr->qcap) {
		pr->qcap = pr->qcap ? pr->qcap * 2 : 256;
		pr->q = alpr_realloc(pr->q, pr->qcap * sizeof *pr->q);
	}
	pr->q[pr->nq++] = (struct q){ h, 0, 0, pr->cur, h & 1 };
}

static void
queue_lenient(uint64_t h, void *arg)
{
	queue(h | 1, arg);
}

static void
wildcards(struct alpr_hlmatch *m, int c)
{
	struct probe *pr = &m->pr;
	const char *q = pr->cand[c], *fq = pr->fq[c];
	size_t n = pr->len[c], i, j;
	struct entry *e;
	struct wild *w;
	int a[3];

	a[0] = (unsigned char)fq[0];
	a[1] = 256 + (unsigned char)fq[n - 1];
	a[2] = 512;
	for (j = 0; j < 3; j++)
		for (i = m->woff[a[j]]; i < m->woff[a[j] + 1]; i++) {
			w = &m->wild[i];
			if ((w->star ? n < w->len : n != w->len) ||
			    !alpr_glob(w->fpat, fq))
				continue;
			e = &m->e[w->id];
			if (!valid(e, pr->now))
				continue;
			if (alpr_glob(e->plate, q))
				add_hit(pr, w->id, 0, 0, c);
			else if (e->maxdiff >= 0)
				add_hit(pr, w->id, 1, 0, c);
		}
}

static void
check(struct alpr_hlmatch *m, const struct q *q, uint32_t id)
{
	const struct entry *e = &m->e[id];
	struct probe *pr = &m->pr;
	char f[ALPR_PLATE_MAX + 1];
	int max, d;

	if (!valid(e, pr->now))
		return;
	if (!q->lenient) {
		if (!strcmp(e->plate, pr->cand[q->cand]))
			add_hit(pr, id, 0, 0, q->cand);
		return;
	}
	max = e->maxdiff;
	folds(e->plate, f);
	if (max == 1)
		d = within1(pr->fq[q->cand], pr->len[q->cand], f, e->len);
	else
		d = alpr_edit_distance(pr->fq[q->cand], pr->len[q->cand], f,
		    e->len, max);
	if (d <= max)
		add_hit(pr, id, 1, d, q->cand);
}

static void
probe_all(struct alpr_hlmatch *m)
{
	struct probe *pr = &m->pr;
	struct index *ix;
	struct q *q;
	size_t i;
	uint32_t j;

	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &m->lenient : &m->exact;
		__builtin_prefetch(&ix->start[BUCKET(ix, q->h)]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &m->lenient : &m->exact;
		q->lo = ix->start[BUCKET(ix, q->h)];
		q->hi = ix->start[BUCKET(ix, q->h) + 1];
		__builtin_prefetch(&ix->keys[q->lo]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &m->lenient : &m->exact;
		for (j = q->lo; j < q->hi; j++)
			if (SAME(ix->keys[j], q->h))
				__builtin_prefetch(&m->e[ID(ix->keys[j])]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &m->lenient : &m->exact;
		for (j = q->lo; j < q->hi; j++)
			if (SAME(ix->keys[j], q->h))
				check(m, q, ID(ix->keys[j]));
	}
}

static int
hitcmp(const void *a, const void *b)
{
	const struct alpr_hlhit *x = a, *y = b;

	if (x->lenient != y->lenient)
		return x->lenient - y->lenient;
	if (x->diff != y->diff)
		return x->diff - y->diff;
	return x->id < y->id ? -1 : x->id > y->id;
}


struct alpr_hlmatch *
alpr_hlmatch_new(void)
{
	struct alpr_hlmatch *m = alpr_calloc(1, sizeof *m);

	m->maxdiff = -1;
	return m;
}

void
alpr_hlmatch_free(struct alpr_hlmatch *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->wild);
	index_free(&m->exact);
	index_free(&m->lenient);
	free(m->pr.q);
	free(m->pr.hits);
	free(m);
}

uint32_t
alpr_hlmatch_add(struct alpr_hlmatch *m, const char *plate, int maxdiff,
    int64_t from, int64_t until)
{
	struct entry *e;

	if (m->ne == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->e = alpr_realloc(m->e, m->cap * sizeof *m->e);
	}
	e = &m->e[m->ne];
	e->len = strnlen(plate, ALPR_PLATE_MAX);
	memcpy(e->plate, plate, e->len);
	memset(e->plate + e->len, 0, sizeof e->plate - e->len);
	e->wild = strpbrk(e->plate, "?*") != NULL;
	e->maxdiff = maxdiff;
	e->from = from;
	e->until = until;
	return m->ne++;
}

size_t
alpr_hlmatch_count(const struct alpr_hlmatch *m)
{
	return m->ne;
}

void
alpr_hlmatch_truncate(struct alpr_hlmatch *m, size_t n)
{
	if (n < m->ne)
		m->ne = n;
}

const char *
alpr_hlmatch_plate(const struct alpr_hlmatch *m, uint32_t id)
{
	return m->e[id].plate;
}

void
alpr_hlmatch_foreach(const struct alpr_hlmatch *m, time_t now,
    void (*fn)(const char *plate, int maxdiff, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < m->ne; i++)
		if (!now || valid(&m->e[i], now))
			fn(m->e[i].plate, m->e[i].maxdiff, arg);
}

static size_t
count(const char *s, int c)
{
	size_t n = 0;

	while ((s = strchr(s, c)))
		n++, s++;
	return n;
}

static int
wildcmp(const void *a, const void *b)
{
	const struct wild *x = a, *y = b;

	return x->anchor != y->anchor ? x->anchor - y->anchor :
	    x->id < y->id ? -1 : 1;
}

void
alpr_hlmatch_index(struct alpr_hlmatch *m)
{
	struct wild *w;
	size_t i, n;
	char *p;

	free(m->wild);
	m->wild = NULL;
	m->nwild = 0;
	m->maxdiff = -1;
	for (i = 0; i < m->ne; i++) {
		if (m->e[i].maxdiff > m->maxdiff)
			m->maxdiff = m->e[i].maxdiff;
		if (!m->e[i].wild)
			continue;
		m->wild = alpr_realloc(m->wild, (m->nwild + 1) *
		    sizeof *m->wild);
		w = &m->wild[m->nwild++];
		folds(m->e[i].plate, w->fpat);
		w->id = i;
		n = strlen(w->fpat);
		w->len = n - count(w->fpat, '*');
		w->star = w->len < n;
		p = w->fpat;
		w->anchor = !strchr("?*", p[0]) ? (unsigned char)p[0] :
		    !strchr("?*", p[n - 1]) ? 256 + (unsigned char)p[n - 1] :
		    512;
	}
	if (m->nwild)
		qsort(m->wild, m->nwild, sizeof *m->wild, wildcmp);
	memset(m->woff, 0, sizeof m->woff);
	for (i = 0; i < m->nwild; i++)
		m->woff[m->wild[i].anchor + 1]++;
	for (i = 1; i < 514; i++)
		m->woff[i] += m->woff[i - 1];
	index_build(m, &m->exact, 0);
	if (m->maxdiff >= 0)
		index_build(m, &m->lenient, 1);
}

size_t
alpr_hlmatch_find(struct alpr_hlmatch *m, const char *const *plates,
    int nplates, time_t now, const struct alpr_hlhit **hits)
{
	struct probe *pr = &m->pr;
	char buf[ALPR_PLATE_MAX + 1];
	int i, c;

	pr->now = now;
	pr->nhits = pr->nq = 0;
	pr->ncand = 0;
	for (i = 0; i < nplates && pr->ncand < MAXCANDS; i++) {
		if (alpr_hotlist_plate(plates[i], buf, 0) < 0)
			continue;
		for (c = 0; c < pr->ncand && strcmp(pr->cand[c], buf); c++)
			;
		if (c < pr->ncand)
			continue;
		memcpy(pr->cand[c], buf, sizeof buf);
		folds(buf, pr->fq[c]);
		pr->len[c] = strlen(buf);
		pr->cur = pr->ncand++;
		queue(hash(buf, pr->len[c]) & ~(uint64_t)1, pr);
		if (m->maxdiff >= 0)
			variants(pr->fq[c], pr->len[c], 0, m->maxdiff,
			    queue_lenient, pr);
		if (m->nwild)
			wildcards(m, c);
	}
	probe_all(m);
	if (pr->nhits > 1)
		qsort(pr->hits, pr->nhits, sizeof *pr->hits, hitcmp);
	*hits = pr->hits;
	return pr->nhits;
}

const char *
alpr_hlmatch_cand(const struct alpr_hlmatch *m, int cand)
{
	return m->pr.cand[cand];
}
