/*
 * query.c: searching the store (alpr-store find). Day by day, over the days
 * the store holds in the range asked: the postings of the query's terms
 * give candidate reads, which are opened and checked against the query
 * itself, so that a term's hash colliding, a bigram out of place or a
 * confusion folded too far never returns a read that does not match.
 *
 *	plate	exact: the folded string's postings; the read's plate or one
 *		of its candidates must equal the plate.
 *	pattern	(? one character, * any run) the bigrams the pattern fixes,
 *		all of them; the read's plate must match the pattern.
 *	fuzzy N	the bigrams of ^plate$ folded, at least as many as N edits
 *		can leave (each edit breaks at most two), taken from the
 *		rarest first; the folded plates within N edits.
 *	hotlist	each entry in effect as one of the above, then alpr-match's
 *		own matching of the read's plate and candidates.
 *	near	the position cells covering the circle; the distance.
 * Camera and time narrow what the terms found.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static void
vpush(struct vec *a, uint64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = alpr_realloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = x;
}

static uint64_t
post_val(const unsigned char *p)
{
	return (uint64_t)st_get32(p) << 16 | st_get16(p + 4);
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Sort postings (48-bit values) ascending: LSD radix, a byte a pass, a
 * pass skipped where every value agrees in that byte (the top byte of a
 * day's centiseconds, mostly); qsort for short lists. Over a year of 10
 * million reads, qsort took a quarter of a pattern search's instructions.
 */
static void
vsort(struct vec *a)
{
	uint64_t *src = a->v, *dst, *t;
	size_t cnt[256], i, sum, c;
	int b;

	if (a->n < 64) {
		if (a->n > 1)
			qsort(a->v, a->n, sizeof *a->v, u64cmp);
		return;
	}
	dst = alpr_malloc(a->n * sizeof *dst);
	for (b = 0; b < 48; b += 8) {
		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < a->n; i++)
			cnt[src[i] >> b & 0xff]++;
		if (cnt[src[0] >> b & 0xff] == a->n)
			continue;
		for (i = 0, sum = 0; i < 256; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < a->n; i++)
			dst[cnt[src[i] >> b & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a->v) {
		memcpy(a->v, src, a->n * sizeof *src);
		free(src);
	} else
		free(dst);
}

struct ctx {
	struct alpr_store *s;
	const struct alpr_query *q;
	struct alpr_result *res;
	MDB_txn *txn;
	MDB_cursor *ic;
	MDB_val filt;			/* the day's filter (filter.c) */
	struct probe *pr;
	int npr;
	char fq[ALPR_PLATE_MAX + 1];	/* the query's plate, folded */
	char uq[ALPR_PLATE_MAX + 1];	/* and upper case */
	struct vec lists[ALPR_PLATE_MAX + 3], cand, tmp, acc;
	int64_t t0, t1;			/* centiseconds since 1970, or -1 */
	int geokind;			/* the cells of a --near search */
	time_t now;
	unsigned char (*ik)[ST_IKEY];	/* index keys of a probe's terms */
	size_t nik;
	size_t dayfrom;			/* res->n when the day began */
	int full;			/* the day found limit reads */
	pthread_mutex_t *hlmu;		/* the hotlist's matcher is shared */
	int err;
};

/* Put the cursor on index key ik, unless the day's filter says it has no
 * such key: 0, or MDB_NOTFOUND. */
static int
seek(struct ctx *x, const unsigned char ik[ST_IKEY], MDB_val *v)
{
	MDB_val key = { ST_IKEY, (void *)ik };

	if (!st_filter_may(&x->filt, ik))
		return MDB_NOTFOUND;
	return mdb_cursor_get(x->ic, &key, v, MDB_SET);
}

/* The postings under index key ik, ascending. */
static void
posts_of(struct ctx *x, const struct st_day *k, const unsigned char *ik,
    struct vec *out)
{
	unsigned char tk[16], p[ST_POST];
	MDB_cursor *c = x->ic;
	MDB_val key, v;
	size_t i;
	int rc;

	out->n = 0;
	if (seek(x, ik, &v) != 0)
		return;
	st_post_key(k, ik, tk);
	for (rc = mdb_cursor_get(c, &key, &v, MDB_GET_MULTIPLE); rc == 0;
	    rc = mdb_cursor_get(c, &key, &v, MDB_NEXT_MULTIPLE))
		for (i = 0; i + ST_POST <= v.mv_size; i += ST_POST) {
			st_post_open(tk, (unsigned char *)v.mv_data + i, p);
			vpush(out, post_val(p));
		}
	/* enciphered, they come in no order */
	vsort(out);
}

/* The postings of one term on a day, ascending. */
static void
postings(struct ctx *x, int d, const struct st_day *k, int kind,
    const char *term, size_t n, struct vec *out)
{
	unsigned char ik[ST_IKEY];

	st_ikey(ik, d, k, kind, term, n);
	posts_of(x, k, ik, out);
}

static int
has(const struct vec *a, uint64_t x)
{
	size_t lo = 0, hi = a->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->v[lo] == x;
}

/* The bigrams of a pattern that it fixes: both characters literal. */
static int
pattern_grams(const char *pat, char (*g)[3], int max)
{
	char pad[ALPR_PLATE_MAX + 8];
	size_t n = strlen(pat), i;
	int ng = 0, k;

	snprintf(pad, sizeof pad, "^%s$", pat);
	for (i = 0; i + 1 < n + 2 && ng < max; i++) {
		if (strchr("?*", pad[i]) || strchr("?*", pad[i + 1]))
			continue;
		g[ng][0] = alpr_fold_char(pad[i]);
		g[ng][1] = alpr_fold_char(pad[i + 1]);
		g[ng][2] = '\0';
		for (k = 0; k < ng && strcmp(g[k], g[ng]); k++)
			;
		if (k == ng)
			ng++;
	}
	return ng;
}

static int
plate_grams(const char *folded, char (*g)[3], int max)
{
	char pad[ALPR_PLATE_MAX + 8];
	size_t n = strlen(folded), i;
	int ng = 0, k;

	snprintf(pad, sizeof pad, "^%s$", folded);
	for (i = 0; i + 1 < n + 2 && ng < max; i++) {
		memcpy(g[ng], pad + i, 2);
		g[ng][2] = '\0';
		for (k = 0; k < ng && strcmp(g[k], g[ng]); k++)
			;
		if (k == ng)
			ng++;
	}
	return ng;
}

/* One way of finding candidates: grams, at least t of them, or terms. */
struct probe {
	int kind;		/* T_FOLD: the term, or its variants if any;
				 * T_GRAM: grams */
	char term[ALPR_PLATE_MAX + 1];
	char (*var)[ALPR_PLATE_MAX + 2];	/* malloc'd */
	int nvar;
	char g[ALPR_PLATE_MAX + 3][3];
	int ng, t;
};

static int
strcmp_v(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The strings one edit or none away from folded string f, over the
 * folded alphabet (a character replaced, taken out or put in): for a
 * plate of 7, some 400. A search for a plate with one difference looks
 * each up as a folded term, what an exact search does, and the day
 * filters pass over nearly all of them without reading the index: over a
 * year of 10 million reads, 18-19 ms on one core where the bigrams that
 * two or more differences need took 113. (The folded terms are the
 * plates' and their candidates'; a read found by a candidate is then
 * judged by its plate, as the bigrams find it.) A hotlist's thousands of
 * lenient entries stay on the bigrams: 400 lookups an entry and a day
 * took a list of 200 entries from 0.47 to 2.03 s.
 */
static int
variants(const char *f, char (**out)[ALPR_PLATE_MAX + 2])
{
	char abc[37], (*v)[ALPR_PLATE_MAX + 2];
	size_t n = strlen(f), i, j, na = 0;
	int c, nv = 0, k;

	for (c = 0; c < 36; c++) {
		int ch = alpr_fold_char(c < 10 ? '0' + c : 'A' + c - 10);
		if (!memchr(abc, ch, na))
			abc[na++] = ch;
	}
	v = alpr_malloc((1 + n * na + (n + 1) * na + n) * sizeof *v);
	snprintf(v[nv++], sizeof *v, "%s", f);
	for (i = 0; i < n; i++)	/* replaced */
		for (j = 0; j < na; j++)
			if (abc[j] != f[i]) {
				snprintf(v[nv], sizeof *v, "%s", f);
				v[nv++][i] = abc[j];
			}
	for (i = 0; i <= n && n < ALPR_PLATE_MAX; i++)	/* put in */
		for (j = 0; j < na; j++)
			snprintf(v[nv++], sizeof *v, "%.*s%c%s", (int)i, f,
			    abc[j], f + i);
	for (i = 0; i < n && n > 1; i++)	/* taken out */
		snprintf(v[nv++], sizeof *v, "%.*s%s", (int)i, f, f + i + 1);
	qsort(v, nv, sizeof *v, strcmp_v);
	for (i = 0, k = 0; i < (size_t)nv; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]))
			memmove(v[k++], v[i], sizeof *v);
	*out = v;
	return k;
}

/* Probes for a plate, pattern or fuzzy plate (one difference by the
 * fold's variants if byvar, else by bigrams); NULL or why not. */
static const char *
make_probes(const char *plate, int fuzzy, int byvar, struct probe *pr,
    int *n)
{
	char f[ALPR_PLATE_MAX + 1];

	if (alpr_is_pattern(plate)) {
		memset(&pr[*n], 0, sizeof *pr);
		pr[*n].kind = T_GRAM;
		pr[*n].ng = pattern_grams(plate, pr[*n].g, ALPR_PLATE_MAX + 3);
		pr[*n].t = pr[*n].ng;
		if (!alpr_glob_narrow(plate))	/* so a bigram, at least */
			return "pattern too vague: give at least three "
			    "characters, two of them side by side or at either "
			    "end";
		(*n)++;
		return NULL;
	}
	alpr_fold_plate(plate, f, sizeof f);
	memset(&pr[*n], 0, sizeof *pr);
	pr[*n].kind = T_FOLD;
	snprintf(pr[*n].term, sizeof pr[*n].term, "%s", f);
	if (fuzzy > 0 && plate_grams(f, pr[*n].g, ALPR_PLATE_MAX + 3) -
	    2 * fuzzy < 2)
		return "too many differences for a plate this short: "
		    "every plate would be a candidate";
	if (fuzzy == 1 && byvar)
		pr[*n].nvar = variants(f, &pr[*n].var);
	(*n)++;
	if (fuzzy > 0 && !pr[*n - 1].nvar) {
		memset(&pr[*n], 0, sizeof *pr);
		pr[*n].kind = T_GRAM;
		pr[*n].ng = plate_grams(f, pr[*n].g, ALPR_PLATE_MAX + 3);
		pr[*n].t = pr[*n].ng - 2 * fuzzy;
		(*n)++;
	}
	return NULL;
}

static void
probes_free(struct probe *pr, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(pr[i].var);
}

static void
vmerge(struct vec *acc, const struct vec *add)
{
	size_t i;

	for (i = 0; i < add->n; i++)
		vpush(acc, add->v[i]);
}

/*
 * The reads with at least p->t of the grams of p. The m - t + 1 shortest
 * lists are opened whole (a read that qualifies is in one of them); each
 * read found there is then looked for in the longer lists by its own
 * posting, enciphered under that list's key (LMDB keeps a list's
 * postings sorted), unless the list is shorter than the reads to look
 * for, when it is opened whole too. Over a year of 10 million reads a
 * pattern's lists hold about 1,300 postings a day, of which the shortest
 * about 200: opening every list was four fifths of a pattern search.
 */
static void
grams(struct ctx *x, int d, const struct st_day *k, const struct probe *p,
    struct vec *out)
{
	struct gl {
		unsigned char ik[ST_IKEY];
		size_t n;
		int g;
	} gl[ALPR_PLATE_MAX + 3], t;
	unsigned char tk[16], plain[ST_POST], enc[ST_POST];
	MDB_val key, v;
	size_t i, j, u, c;
	int l, m = p->ng, first = p->ng - p->t + 1, *have;

	out->n = 0;
	for (l = 0; l < m; l++) {
		st_ikey(gl[l].ik, d, k, T_GRAM, p->g[l], 2);
		gl[l].g = l;
		gl[l].n = 0;
		if (seek(x, gl[l].ik, &v) == 0 &&
		    mdb_cursor_count(x->ic, &c) == 0)
			gl[l].n = c;
	}
	for (l = 1; l < m; l++)	/* shortest first */
		for (j = l; j > 0 && gl[j - 1].n > gl[j].n; j--) {
			t = gl[j];
			gl[j] = gl[j - 1];
			gl[j - 1] = t;
		}
	for (l = 0; l < first; l++) {
		postings(x, d, k, T_GRAM, p->g[gl[l].g], 2, &x->lists[0]);
		vmerge(out, &x->lists[0]);
	}
	vsort(out);
	/* each read once, with how many of the lists so far have it */
	have = alpr_malloc((out->n + 1) * sizeof *have);
	for (i = 0, u = 0; i < out->n; i = j) {
		for (j = i + 1; j < out->n && out->v[j] == out->v[i]; j++)
			;
		have[u] = j - i;
		out->v[u++] = out->v[i];
	}
	out->n = u;
	for (l = first; l < m; l++) {
		if (gl[l].n == 0)
			continue;
		if (gl[l].n <= out->n) {	/* opened whole */
			postings(x, d, k, T_GRAM, p->g[gl[l].g], 2,
			    &x->lists[0]);
			for (i = 0; i < out->n; i++)
				have[i] += has(&x->lists[0], out->v[i]);
			continue;
		}
		st_post_key(k, gl[l].ik, tk);
		for (i = 0; i < out->n; i++) {
			/* one that cannot reach t any more is not looked for */
			if (have[i] >= p->t || have[i] + (m - l) < p->t)
				continue;
			st_put32(plain, out->v[i] >> 16);
			st_put16(plain + 4, out->v[i] & 0xffff);
			st_post_seal(tk, plain, enc);
			key.mv_size = ST_IKEY;
			key.mv_data = gl[l].ik;
			v.mv_size = ST_POST;
			v.mv_data = enc;
			have[i] += mdb_cursor_get(x->ic, &key, &v,
			    MDB_GET_BOTH) == 0;
		}
	}
	for (i = 0, u = 0; i < out->n; i++)
		if (have[i] >= p->t)
			out->v[u++] = out->v[i];
	out->n = u;
	free(have);
}

static void
run_probe(struct ctx *x, int d, const struct st_day *k, const struct probe *p,
    struct vec *out)
{
	int i;

	if (p->kind == T_FOLD && p->nvar > 0) {
		/* the keys first, their filter blocks fetched together:
		 * one cache miss at a time was three fifths of the work */
		if (x->nik < (size_t)p->nvar)
			x->ik = alpr_realloc(x->ik, (x->nik = p->nvar) *
			    sizeof *x->ik);
		for (i = 0; i < p->nvar; i++) {
			st_ikey(x->ik[i], d, k, T_FOLD, p->var[i],
			    strlen(p->var[i]));
			st_filter_prefetch(&x->filt, x->ik[i]);
		}
		out->n = 0;
		for (i = 0; i < p->nvar; i++) {
			posts_of(x, k, x->ik[i], &x->lists[0]);
			vmerge(out, &x->lists[0]);
		}
	} else if (p->kind == T_FOLD)
		postings(x, d, k, T_FOLD, p->term, strlen(p->term), out);
	else
		grams(x, d, k, p, out);
}

static void
vuniq(struct vec *a)
{
	size_t i, u;

	vsort(a);
	for (i = 0, u = 0; i < a->n; i++)
		if (u == 0 || a->v[u - 1] != a->v[i])
			a->v[u++] = a->v[i];
	a->n = u;
}

/* Does the opened read answer the query? Adds what the output shows. */
static int
matches(struct ctx *x, json_t *r)
{
	const struct alpr_query *q = x->q;
	const char *plate = alpr_rec_str(r, "plate"), *cam, *plates[33];
	json_t *c = json_object_get(r, "candidates"), *v;
	char f[ALPR_PLATE_MAX + 1];
	const char *hits;
	size_t i;
	int n = 0, ok;

	if (!plate)
		return 0;
	if (q->camera && (!(cam = alpr_rec_str(r, "camera")) ||
	    strcmp(cam, q->camera)))
		return 0;
	if (q->near) {
		if (!json_is_number(json_object_get(r, "lat")) ||
		    st_geo_dist(q->lat, q->lon, alpr_rec_num(r, "lat", 0),
		    alpr_rec_num(r, "lon", 0)) > q->radius)
			return 0;
		json_object_set_new(r, "distance_m", json_real(round(
		    st_geo_dist(q->lat, q->lon, alpr_rec_num(r, "lat", 0),
		    alpr_rec_num(r, "lon", 0)))));
	}
	if (q->plate) {
		if (alpr_is_pattern(x->uq))
			ok = alpr_glob(x->uq, plate);
		else if (q->fuzzy >= 0) {
			alpr_fold_plate(plate, f, sizeof f);
			ok = alpr_edit_distance(x->fq, strlen(x->fq), f,
			    strlen(f), q->fuzzy) <= q->fuzzy;
		} else {
			ok = !strcmp(plate, x->uq);
			json_array_foreach(c, i, v)
				if (!ok && alpr_rec_str(v, "plate") &&
				    !strcmp(alpr_rec_str(v, "plate"), x->uq))
					ok = 1;
		}
		if (!ok)
			return 0;
	}
	if (q->hl) {
		plates[n++] = plate;
		json_array_foreach(c, i, v)
			if (n < 33 && alpr_rec_str(v, "plate"))
				plates[n++] = alpr_rec_str(v, "plate");
		pthread_mutex_lock(x->hlmu);
		if ((hits = alpr_hotlist_match(q->hl, plates, n, x->now)))
			v = json_loads(hits, 0, NULL);
		pthread_mutex_unlock(x->hlmu);
		if (!hits)
			return 0;
		json_object_set_new(r, "hotlist_hits", v);
		if (q->hlfile)	/* the list as the caller named it */
			json_array_foreach(v, i, c) {
				json_object_set_new(c, "file",
				    json_string(q->hlfile));
				json_object_set_new(c, "list",
				    json_string(q->hlname));
			}
	}
	return 1;
}

static void
res_push(struct alpr_result *res, json_t *rec, char *raw)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 64;
		res->rec = alpr_realloc(res->rec, res->cap * sizeof *res->rec);
		res->raw = alpr_realloc(res->raw, res->cap * sizeof *res->raw);
	}
	res->rec[res->n] = rec;
	res->raw[res->n++] = raw;
}

/* Keep a read found: r, or else its text (n bytes, with rid added). */
static void
keep(struct ctx *x, json_t *r, const char *text, size_t n, const char *rid)
{
	struct alpr_result *res = x->res;
	char *t = NULL;

	if (res->n - x->dayfrom >= (size_t)x->q->limit) {
		x->full = 1;
		json_decref(r);
		return;
	}
	if (!r) {	/* the object's closing brace, then the id */
		while (n > 0 && text[n - 1] != '}')
			n--;
		t = alpr_malloc(n + strlen(rid) + 16);
		memcpy(t, text, n - 1);
		sprintf(t + n - 1, ",\"read_id\":\"%s\"}", rid);
	}
	res_push(res, r, t);
}

/* A JSON string's raw text (quotes included) as plain text, when it has
 * no escapes and fits: 0, else -1. */
static int
raw_str(const char *v, size_t len, char *out, size_t cap)
{
	if (!v || len < 2 || *v != '"' || len - 2 >= cap ||
	    memchr(v, '\\', len))
		return -1;
	memcpy(out, v + 1, len - 2);
	out[len - 2] = '\0';
	return 0;
}

/* The first two integers of a raw array ("box"), as jansson would give
 * them (0 for none): 0, or -1 for anything but plain integers. */
static int
raw_box(const char *v, size_t len, long long xy[2])
{
	const char *p = v, *e = v + len;
	char *end;
	int i;

	xy[0] = xy[1] = 0;
	if (!v)
		return 0;
	if (*p++ != '[')
		return -1;
	for (i = 0; i < 2; i++) {
		while (p < e && strchr(" \t\r\n", *p))
			p++;
		if (p < e && *p == ']')
			return 0;
		if (p >= e || !(*p == '-' || (*p >= '0' && *p <= '9')))
			return -1;
		errno = 0;
		xy[i] = strtoll(p, &end, 10);
		if (errno || end >= e || strchr(".eE", *end))
			return -1;
		for (p = end; p < e && strchr(" \t\r\n", *p); p++)
			;
		if (p < e && *p == ',')
			p++;
	}
	return 0;
}

/*
 * Does the opened read (text, n bytes) answer a search by plate, time and
 * camera, judged from its text without a tree (alpr_jscan_record_ex)?
 * 1 and its read_id, 0 no, -1 unsure: let jansson and matches() judge.
 */
static int
matches_text(struct ctx *x, const char *text, size_t n, char *rid, size_t rn)
{
	struct alpr_jscan_member m[4] = { { "id", 0, 0 }, { "box", 0, 0 },
	    { "camera", 0, 0 }, { "read_id", 0, 0 } };
	struct alpr_jscan_rec jr;
	char plate[ALPR_PLATE_MAX + 1], f[ALPR_PLATE_MAX + 1], id[160];
	char cam[128];
	long long xy[2];
	long box[4] = { 0 };
	size_t k;
	int i, ok = 0;

	/* unsure: plates the scanner did not keep, a "read_id" of its own
	 * (the store's replaces it), bytes past ASCII (written escaped) */
	if (alpr_jscan_record_ex(text, n, &jr, m, 4) != 1 || !jr.own ||
	    jr.dropped || m[3].val || jr.nplate[0] > ALPR_PLATE_MAX)
		return -1;
	for (k = 0; k + 8 <= n; k += 8) {	/* 8 bytes a step: 7% */
		uint64_t w;
		memcpy(&w, text + k, 8);
		if (w & UINT64_C(0x8080808080808080))
			return -1;
	}
	for (; k < n; k++)
		if ((unsigned char)text[k] >= 0x80)
			return -1;
	if (x->q->camera && (!m[2].val || raw_str(m[2].val, m[2].len, cam,
	    sizeof cam) < 0))
		return m[2].val ? -1 : 0;
	if (x->q->camera && strcmp(cam, x->q->camera))
		return 0;
	memcpy(plate, jr.plate[0], jr.nplate[0]);
	plate[jr.nplate[0]] = '\0';
	if (alpr_is_pattern(x->uq))
		ok = alpr_glob(x->uq, plate);
	else if (x->q->fuzzy >= 0) {
		alpr_fold_plate(plate, f, sizeof f);
		ok = alpr_edit_distance(x->fq, strlen(x->fq), f, strlen(f),
		    x->q->fuzzy) <= x->q->fuzzy;
	} else {
		ok = !strcmp(plate, x->uq);
		for (i = 1; i < jr.nplates && !ok; i++)
			ok = jr.nplate[i] == strlen(x->uq) &&
			    !memcmp(jr.plate[i], x->uq, jr.nplate[i]);
	}
	if (!ok)
		return 0;
	if (m[0].val && raw_str(m[0].val, m[0].len, id, sizeof id) < 0)
		return -1;
	if (!m[0].val)
		id[0] = '\0';
	if (raw_box(m[1].val, m[1].len, xy) < 0 || xy[0] < 0 || xy[1] < 0 ||
	    xy[0] != (long)xy[0] || xy[1] != (long)xy[1])
		return -1;
	box[0] = xy[0];
	box[1] = xy[1];
	if (strlen(id) + 2 * 21 + 3 > rn)
		return -1;
	st_rid(rid, id, strlen(id), box);	/* snprintf was 3% */
	return 1;
}

static void
check_cands(struct ctx *x, int d, const struct st_day *k, struct vec *cand)
{
	unsigned char rk[ST_RKEY], *plain = NULL;
	MDB_val key = { ST_RKEY, rk }, v;
	size_t i, cap = 0, n;
	int64_t when;
	json_t *r, *b;
	char rid[200];
	int m;

	for (i = 0; i < cand->n && !x->full; i++) {
		when = (int64_t)d * 8640000 + (int64_t)(cand->v[i] >> 16);
		if ((x->t0 >= 0 && when < x->t0) || (x->t1 >= 0 && when > x->t1))
			continue;
		st_put16(rk, d);
		st_put32(rk + 2, cand->v[i] >> 16);
		st_put16(rk + 6, cand->v[i] & 0xffff);
		if (mdb_get(x->txn, x->s->reads, &key, &v) != 0 ||
		    v.mv_size < ST_SEALED(0))
			continue;
		n = v.mv_size - ST_SEALED(0);
		if (n + 1 > cap) {
			cap = (n + 1) * 2;
			plain = alpr_realloc(plain, cap);
		}
		if (st_open(plain, v.mv_data, v.mv_size, rk, ST_RKEY,
		    k->seal) < 0) {
			alpr_warn("a read of day %d does not open: the store is "
			    "damaged or was tampered with", d);
			x->err = 1;
			continue;
		}
		/* a search by plate alone is judged on the text, and its
		 * reads kept as text */
		if (x->q->plate && !x->q->near && !x->q->hl &&
		    (m = matches_text(x, (char *)plain, n, rid,
		    sizeof rid)) >= 0) {
			if (m)
				keep(x, NULL, (char *)plain, n, rid);
			sodium_memzero(plain, n);
			continue;
		}
		r = json_loadb((char *)plain, n, 0, NULL);
		sodium_memzero(plain, n);
		if (!r)
			continue;
		if (!matches(x, r)) {
			json_decref(r);
			continue;
		}
		b = json_object_get(r, "box");
		snprintf(rid, sizeof rid, "%s/%lld,%lld", alpr_rec_str(r, "id") ?
		    alpr_rec_str(r, "id") : "", json_integer_value(
		    json_array_get(b, 0)), json_integer_value(json_array_get(b,
		    1)));
		json_object_set_new(r, "read_id", json_string(rid));
		keep(x, r, NULL, 0, NULL);
	}
	free(plain);
}

struct hlctx {
	struct probe *pr;
	int n, cap;
	const char *why;
};

static void
hl_entry(const char *plate, int maxdiff, void *arg)
{
	struct hlctx *h = arg;
	const char *e;

	if (h->n + 2 > h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->pr = alpr_realloc(h->pr, h->cap * sizeof *h->pr);
	}
	/* lenient entries: the confusions are folded already; with
	 * differences allowed, the bigram count too (the variants of
	 * thousands of entries cost five times the bigrams) */
	e = make_probes(plate, alpr_is_pattern(plate) ? -1 : maxdiff, 0, h->pr,
	    &h->n);
	if (e && !h->why)
		h->why = e;
}

static void
search_day(struct ctx *x, int d)
{
	const struct st_day *k;
	char cells[64][32];
	unsigned char kb[2];
	MDB_val key = { 2, kb };
	int i, nc, kind;

	if (!(k = st_day(x->s, x->txn, d, 0)))
		return;
	st_put16(kb, d);
	if (mdb_get(x->txn, x->s->filt, &key, &x->filt) != 0)
		x->filt.mv_data = NULL;
	x->acc.n = 0;
	if (x->npr > 0) {
		for (i = 0; i < x->npr; i++) {
			run_probe(x, d, k, &x->pr[i], &x->tmp);
			vmerge(&x->acc, &x->tmp);
		}
		vuniq(&x->acc);
	} else if (x->q->near) {
		kind = x->geokind;
		nc = st_geo_cover(kind, x->q->lat, x->q->lon, x->q->radius,
		    cells, 64);
		for (i = 0; i < nc; i++) {
			postings(x, d, k, kind, cells[i], strlen(cells[i]),
			    &x->tmp);
			vmerge(&x->acc, &x->tmp);
		}
		vuniq(&x->acc);
	}
	check_cands(x, d, k, &x->acc);
}

/*
 * The days of a search, shared by its workers: each takes the next day no
 * one has taken, so that the days taken are always the first of the list,
 * and none is taken once those done have found more than the limit. Each
 * day's reads are kept by the worker that searched it, and put in day
 * order at the end. The search begins on one core; one that is still
 * going after SPAWN_AFTER takes the others (one a core, at most
 * MAXWORKERS): a second thread costs a short search more than it saves
 * (an exact search takes half a millisecond, and on a busy machine waits
 * for the thread to be run); over a year of 10 million reads, two took a
 * pattern search from 51-64 ms to 29-40 (medians of runs on a machine not
 * quite idle). alpr.conf's search_threads, when set, is the number of
 * threads every search takes from its first day.
 */
#define MAXWORKERS 4
#define SPAWN_AFTER 0.002	/* seconds */

struct worker;

struct days {
	int *d;
	size_t n;
	size_t next, found;	/* atomic: the next day to take, the reads
				 * found (a day past the limit counts one
				 * more) */
	size_t limit;
	struct dayres {
		struct ctx *x;
		size_t from, n;
		int full;
	} *r;
	struct worker *k;	/* k[0] is the caller's thread */
	int nk, started;
	double t0;		/* alpr_mono() at the start */
	double after;		/* seconds before the others start */
};

struct worker {
	struct ctx x;
	struct alpr_result res;
	struct days *w;
	pthread_t tid;
};

static void *work(void *);

/* The other workers, each in a read transaction of its own; those that
 * cannot start leave their days to the others. */
static void
spawn(struct days *w)
{
	struct worker *k;

	for (; w->started < w->nk; w->started++) {
		k = &w->k[w->started];
		k->x = w->k[0].x;
		k->x.res = &k->res;
		memset(k->x.lists, 0, sizeof k->x.lists);
		memset(&k->x.cand, 0, sizeof k->x.cand);
		memset(&k->x.tmp, 0, sizeof k->x.tmp);
		memset(&k->x.acc, 0, sizeof k->x.acc);
		k->x.ik = NULL;
		k->x.nik = 0;
		if (mdb_txn_begin(k->x.s->env, NULL, MDB_RDONLY, &k->x.txn))
			break;
		mdb_cursor_open(k->x.txn, k->x.s->idx, &k->x.ic);
		if (pthread_create(&k->tid, NULL, work, k)) {
			mdb_cursor_close(k->x.ic);
			mdb_txn_abort(k->x.txn);
			break;
		}
	}
	w->nk = w->started;
}

static void *
work(void *arg)
{
	struct worker *k = arg;
	struct ctx *x = &k->x;
	struct days *w = k->w;
	size_t i;

	for (;;) {
		if (__atomic_load_n(&w->found, __ATOMIC_ACQUIRE) > w->limit)
			break;
		if ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_ACQ_REL)) >=
		    w->n)
			break;
		x->dayfrom = x->res->n;
		x->full = 0;
		search_day(x, w->d[i]);
		w->r[i] = (struct dayres){ x, x->dayfrom, x->res->n -
		    x->dayfrom, x->full };
		__atomic_add_fetch(&w->found, w->r[i].n + x->full,
		    __ATOMIC_ACQ_REL);
		if (k == w->k && w->started < w->nk &&
		    alpr_mono() - w->t0 > w->after)
			spawn(w);
	}
	return NULL;
}

static void
ctx_free(struct ctx *x)
{
	size_t i;

	for (i = 0; i < sizeof x->lists / sizeof *x->lists; i++)
		free(x->lists[i].v);
	free(x->cand.v);
	free(x->tmp.v);
	free(x->acc.v);
	free(x->ik);
}

/* Search the days from d0 to d1 that the store holds, as x asks, into
 * x->res: 0, or -1. */
static int
search_days(struct alpr_store *s, struct ctx *x, int d0, int d1)
{
	static pthread_mutex_t hlmu = PTHREAD_MUTEX_INITIALIZER;
	struct alpr_result *res = x->res;
	struct days w;
	MDB_cursor *kc;
	MDB_val key, v;
	unsigned char kb[2];
	size_t i, j, cap = 0;
	long ncpu = s->conf.search_threads > 0 ? s->conf.search_threads :
	    sysconf(_SC_NPROCESSORS_ONLN);
	int rc, err = 0;

	memset(&w, 0, sizeof w);
	w.t0 = alpr_mono();
	w.after = s->conf.search_threads > 0 ? 0 : SPAWN_AFTER;
	w.nk = ncpu < 1 ? 1 : s->conf.search_threads > 0 ? ncpu :
	    ncpu > MAXWORKERS ? MAXWORKERS : ncpu;
	w.k = alpr_calloc(w.nk, sizeof *w.k);
	w.k[0].x = *x;
	w.k[0].x.res = &w.k[0].res;
	w.k[0].x.hlmu = &hlmu;
	for (i = 0; i < (size_t)w.nk; i++)
		w.k[i].w = &w;
	w.started = 1;
	if (st_txn(s, MDB_RDONLY, &w.k[0].x.txn) != 0) {
		free(w.k);
		return -1;
	}
	mdb_cursor_open(w.k[0].x.txn, s->keys, &kc);
	st_put16(kb, d0);
	key.mv_size = 2;
	key.mv_data = kb;
	for (rc = mdb_cursor_get(kc, &key, &v, MDB_SET_RANGE); rc == 0 &&
	    (int)st_get16(key.mv_data) <= d1;
	    rc = mdb_cursor_get(kc, &key, &v, MDB_NEXT)) {
		if (w.n == cap)
			w.d = alpr_realloc(w.d, (cap = cap ? cap * 2 : 512) *
			    sizeof *w.d);
		w.d[w.n++] = st_get16(key.mv_data);
	}
	mdb_cursor_close(kc);
	w.limit = x->q->limit;
	w.r = alpr_calloc(w.n + 1, sizeof *w.r);
	mdb_cursor_open(w.k[0].x.txn, s->idx, &w.k[0].x.ic);
	work(&w.k[0]);
	for (i = 1; i < (size_t)w.started; i++)
		pthread_join(w.k[i].tid, NULL);
	/* the days taken, in order, up to the limit */
	for (i = 0; i < w.n && i < w.next; i++) {
		struct dayres *r = &w.r[i];
		for (j = r->from; j < r->from + r->n; j++) {
			struct alpr_result *o = r->x->res;
			if (res->n < w.limit) {
				res_push(res, o->rec[j], o->raw[j]);
				o->rec[j] = NULL;
				o->raw[j] = NULL;
			} else
				res->more = 1;
		}
		res->more |= r->full;
	}
	for (i = 0; i < (size_t)w.started; i++) {
		alpr_result_free(&w.k[i].res);
		mdb_cursor_close(w.k[i].x.ic);
		mdb_txn_abort(w.k[i].x.txn);
		err |= w.k[i].x.err;
		ctx_free(&w.k[i].x);
	}
	free(w.k);
	free(w.d);
	free(w.r);
	return err ? -1 : 0;
}

static int64_t
cs_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 100 + t->tv_nsec / 10000000;
}

int
alpr_store_find(struct alpr_store *s, const struct alpr_query *q,
    struct alpr_result *res, char *why, size_t wn)
{
	struct ctx x;
	struct hlctx h = { NULL, 0, 0, NULL };
	struct probe one[2];
	const char *e;
	size_t i;
	int r, d0 = 0, d1 = ST_NDAYS - 1, nprobe = 0;

	memset(res, 0, sizeof *res);
	memset(&x, 0, sizeof x);
	x.s = s;
	x.q = q;
	x.res = res;
	x.now = time(NULL);
	x.t0 = q->has_from ? cs_of(&q->from) : -1;
	x.t1 = q->has_to ? cs_of(&q->to) : -1;
	if (!q->plate && !q->hl && !q->near) {
		snprintf(why, wn, "a search names what it looks for: a plate, "
		    "a pattern, a hotlist or a place (--near); time and camera "
		    "only narrow it");
		return 1;
	}
	if (q->near && (q->radius <= 0 || q->radius > s->conf.max_radius)) {
		snprintf(why, wn, "radius: want 1 to %ld metres (max_radius_m)",
		    s->conf.max_radius);
		return 1;
	}
	if (q->near) {
		/* the finer cells when 64 of them cover the circle, else the
		 * coarser; a circle that needs more (far north or south) is
		 * refused, not searched in part */
		char cells[64][32];
		x.geokind = st_geo_cover(T_GEO1, q->lat, q->lon, q->radius,
		    cells, 64) >= 0 ? T_GEO1 : T_GEO2;
		if (st_geo_cover(x.geokind, q->lat, q->lon, q->radius, cells,
		    64) < 0) {
			snprintf(why, wn, "a circle that wide this far from the "
			    "equator: search a smaller radius");
			return 1;
		}
	}
	if (q->plate) {
		if (strlen(q->plate) > ALPR_PLATE_MAX) {
			snprintf(why, wn, "plate longer than %d characters",
			    ALPR_PLATE_MAX);
			return 1;
		}
		for (i = 0; q->plate[i]; i++) {
			if (!isalnum((unsigned char)q->plate[i]) &&
			    !strchr("?*", q->plate[i])) {
				snprintf(why, wn, "plate: want letters, digits, "
				    "? and *");
				return 1;
			}
			x.uq[i] = toupper((unsigned char)q->plate[i]);
		}
		x.uq[i] = '\0';
		if (alpr_is_pattern(x.uq) && q->fuzzy >= 0) {
			snprintf(why, wn, "a pattern is not searched fuzzily");
			return 1;
		}
		alpr_fold_plate(x.uq, x.fq, sizeof x.fq);
		if ((e = make_probes(x.uq, q->fuzzy, 1, one, &nprobe))) {
			snprintf(why, wn, "%s", e);
			return 1;
		}
		/* a fuzzy search finds by bigrams; its fold is for exact */
		x.pr = q->fuzzy > 1 ? one + 1 : one;
		x.npr = q->fuzzy > 1 ? 1 : nprobe;
	} else if (q->hl) {
		alpr_hotlist_foreach(q->hl, x.now, hl_entry, &h);
		if (h.why) {
			snprintf(why, wn, "hotlist entry: %s", h.why);
			probes_free(h.pr, h.n);
			free(h.pr);
			return 1;
		}
		x.pr = h.pr;
		x.npr = h.n;
	}
	if (q->has_from && st_day_of(&q->from, &d0, &(uint32_t){0}) < 0)
		d0 = 0;
	if (q->has_to && st_day_of(&q->to, &d1, &(uint32_t){0}) < 0)
		d1 = ST_NDAYS - 1;
	r = search_days(s, &x, d0, d1);
	probes_free(one, nprobe);
	probes_free(h.pr, h.n);
	free(h.pr);
	return r;
}

json_t *
alpr_result_rec(struct alpr_result *r, size_t i)
{
	json_error_t e;

	if (!r->rec[i]) {
		if (!(r->rec[i] = json_loads(r->raw[i], 0, &e)))
			alpr_die(ALPR_EXIT_SYS, "a read found does not parse: "
			    "%s", e.text);
		sodium_memzero(r->raw[i], strlen(r->raw[i]));
		free(r->raw[i]);
		r->raw[i] = NULL;
	}
	return r->rec[i];
}

json_t **
alpr_result_json(struct alpr_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		alpr_result_rec(r, i);
	return r->rec;
}

void
alpr_result_write(FILE *out, struct alpr_result *r, size_t i)
{
	if (r->rec[i]) {
		alpr_write_record(out, r->rec[i]);
		return;
	}
	if (fputs(r->raw[i], out) == EOF || putc('\n', out) == EOF)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write record:");
}

void
alpr_result_free(struct alpr_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		json_decref(r->rec[i]);
		if (r->raw && r->raw[i]) {
			sodium_memzero(r->raw[i], strlen(r->raw[i]));
			free(r->raw[i]);
		}
	}
	free(r->rec);
	free(r->raw);
	memset(r, 0, sizeof *r);
}

/* Open the sealed frame of day d: 0, 1 when there is none, -1 if it
 * does not open. */
static int
open_frame(struct alpr_store *s, int d, const struct st_day *k,
    const char *image, unsigned char **out, size_t *n)
{
	char *path = st_frame_path(s, d, k, image), label[8];
	int r;

	st_day_label(label, d);
	r = st_frame_get(path, label, k->frame, out, n);
	free(path);
	return r;
}

/* The time a read id begins with (YYYYMMDDTHHMMSS.CCZ): 0, or -1. */
static int
rid_time(const char *rid, struct timespec *t)
{
	char buf[32];

	if (strlen(rid) < 19 || rid[8] != 'T' || rid[15] != '.' ||
	    rid[18] != 'Z')
		return -1;
	snprintf(buf, sizeof buf, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%.2sZ", rid,
	    rid + 4, rid + 6, rid + 9, rid + 11, rid + 13, rid + 16);
	return alpr_time_parse(buf, t);
}

int
alpr_store_get(struct alpr_store *s, const char *rid, json_t **rec,
    unsigned char **frame, size_t *nframe)
{
	struct ctx x;
	struct alpr_query q;
	struct alpr_result res;
	const struct st_day *k;
	struct timespec t;
	unsigned char want[ST_RKEY];
	MDB_cursor *c;
	MDB_val key, v;
	uint32_t cs;
	int rc, d, r = 1;

	*rec = NULL;
	if (frame)
		*frame = NULL;
	if (rid_time(rid, &t) < 0 || st_day_of(&t, &d, &cs) < 0)
		return 1;
	memset(&x, 0, sizeof x);
	memset(&q, 0, sizeof q);
	memset(&res, 0, sizeof res);
	q.fuzzy = -1;
	q.limit = 1;
	x.s = s;
	x.q = &q;
	x.res = &res;
	x.t0 = x.t1 = -1;
	if (st_txn(s, MDB_RDONLY, &x.txn) != 0)
		return -1;
	if (!(k = st_day(s, x.txn, d, 0))) {
		mdb_txn_abort(x.txn);
		return 1;
	}
	/* the reads of that centisecond: one, nearly always */
	st_put16(want, d);
	st_put32(want + 2, cs);
	st_put16(want + 6, 0);
	key.mv_size = ST_RKEY;
	key.mv_data = want;
	mdb_cursor_open(x.txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); rc == 0 &&
	    key.mv_size == ST_RKEY && !memcmp(key.mv_data, want, 6) &&
	    res.n == 0; rc = mdb_cursor_get(c, &key, &v, MDB_NEXT))
		vpush(&x.acc, post_val((unsigned char *)key.mv_data + 2));
	mdb_cursor_close(c);
	for (size_t i = 0; i < x.acc.n && res.n == 0; i++) {
		struct vec one = { &x.acc.v[i], 1, 1 };
		check_cands(&x, d, k, &one);
		if (res.n == 1 && strcmp(alpr_rec_str(alpr_result_rec(&res,
		    0), "read_id"), rid)) {
			alpr_result_free(&res);
			x.full = 0;
		}
	}
	if (res.n == 1) {
		r = 0;
		if (frame && alpr_rec_str(res.rec[0], "image"))
			r = open_frame(s, d, k, alpr_rec_str(res.rec[0],
			    "image"), frame, nframe) < 0 ? -1 : 0;
		*rec = json_incref(res.rec[0]);
		alpr_result_free(&res);
	}
	mdb_txn_abort(x.txn);
	free(x.acc.v);
	return x.err ? -1 : r;
}
