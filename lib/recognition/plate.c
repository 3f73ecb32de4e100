/*
 * plate.c: decode per-position alternatives (struct alpr_chars, from either
 * recognition engine) into ranked plate strings, using the plate formats of
 * US states as a prior: a reader who knows that California plates look like
 * 1ABC234 reads an O in a digit position as 0.
 *
 * A candidate's score is the sum of the log probabilities of its characters,
 * plus a penalty for each confusion-class substitution (0/O/D/Q, 1/I, 2/Z,
 * 5/S, 8/B, 6/G, and 5/B, which only the reader uses) and for a skipped
 * position (a bolt or frame edge read as a character: the engine's
 * probability that the box holds none), plus a
 * penalty when the string matches no format. A position the engine marks
 * as a guess may be dropped without counting as a skip. Beam search
 * runs once without constraint and once per format of the right length, so
 * the best string of every format is among the candidates.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

#define LOGP_MIN	-7.0	/* floor of a character's log probability */
#define CONFUSE_P	0.07	/* a confusion-class substitute, times source p
				 * (on the bench's tuning half 0.06 and 0.08 read
				 * a plate more than 0.045, 0.1 and the 0.12
				 * of before) */
#define SKIP_LOGP	-3.0	/* dropping a position, when the engine has no
				 * noise probability (Tesseract) */
#define SKIP_MINP	0.005	/* the least probability of dropping one */
#define MAX_SKIP	1	/* positions dropped, guesses aside */
#define NOFMT_LOGP	-2.5	/* matching no format */
#define BEAM		48
#define FMT_KEEP	8	/* candidates kept per format */
/*
 * A pooled candidate shorter than the best string, from the third on,
 * times SHORT_F for each character it lacks. Every position the reader
 * may drop (a window search's guess, a box likelier noise) doubles the
 * strings a read gives, and those variants of the best string, a
 * character or two short, filled the list ahead of other readings of its
 * length (at the truth boxes of the bench's tuning half L781601 ranked
 * 12th behind L81601, L18161, 181601, L8161 ...). The best two strings
 * keep their places and confidences, so the read, its lead over the
 * second and its calibrated confidence are as before. Tuning half at the
 * truth boxes (scripts/bench-ocr -H tune): the right string among the
 * candidates for 53 of 57 at 0.7 to 0.9, 51 at 1 (none); held-out
 * training plates read by alpr-ocr (as scripts/fit-calibration reads
 * them), in the top 10: 1069 of 1248 at 1 and 0.9, 1071 at 0.85, 1070 at
 * 0.8, 1066 at 0.7.
 */
#define SHORT_F		0.85
#define SHORT_FROM	2	/* the candidates before it never move */

struct fmt {
	char mask[ALPR_MAX_CHARS + 1];	/* L letter, 9 digit */
	char region[ALPR_MAX_CHARS + 1];/* the state, or the mask if several */
	char top[ALPR_MAX_CHARS + 1];	/* the state with most plates */
	int topcount, count;
};
struct alpr_patterns {
	struct fmt *f;
	int n;
};

/* The search's classes (platecmp.c) and 5/B, whose glyphs differ only by
 * the left of the top in many plate fonts (on the bench's tuning half it
 * put one more plate among the candidates, 50 of 57, and moved no read;
 * on the held-out training plates it changed nothing). */
static const char *confuse[] = { "0ODQ", "1I", "2Z", "5S", "8B", "6G", "5B",
    NULL };

static struct fmt *
find_mask(struct alpr_patterns *pt, const char *mask)
{
	int i;

	for (i = 0; i < pt->n; i++)
		if (!strcmp(pt->f[i].mask, mask))
			return &pt->f[i];
	return NULL;
}

struct alpr_patterns *
alpr_patterns_load(const char *path, char *err, size_t errlen)
{
	struct alpr_patterns *pt;
	struct fmt *f;
	char line[256], st[ALPR_MAX_CHARS + 1], mask[64], *p;
	unsigned long ln = 0;
	int count, k;
	FILE *fp;

	if (!(fp = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	pt = alpr_calloc(1, sizeof *pt);
	while (fgets(line, sizeof line, fp)) {
		ln++;
		if ((p = strchr(line, '#')))
			*p = '\0';
		if (sscanf(line, " %12s", st) != 1)
			continue;
		if (sscanf(line, " %12s %63s %d %n", st, mask, &count, &k) != 3 ||
		    line[k] || strlen(mask) > ALPR_MAX_CHARS ||
		    strspn(mask, "L9") != strlen(mask) || count < 0) {
			snprintf(err, errlen, "%s:%lu: want STATE MASK COUNT, "
			    "MASK of L and 9 of at most %d", path, ln,
			    ALPR_MAX_CHARS);
			fclose(fp);
			alpr_patterns_free(pt);
			return NULL;
		}
		for (p = st; *p; p++)
			*p = tolower((unsigned char)*p);
		if (!(f = find_mask(pt, mask))) {
			pt->f = alpr_realloc(pt->f, (pt->n + 1) * sizeof *pt->f);
			f = &pt->f[pt->n++];
			memset(f, 0, sizeof *f);
			snprintf(f->mask, sizeof f->mask, "%s", mask);
			f->topcount = -1;
		}
		if (count > f->topcount) {
			snprintf(f->top, sizeof f->top, "%s", st);
			f->topcount = count;
		}
		f->count += count;
		/* Several states: the mask, unless one has 3/4 of the plates. */
		if (strcmp(f->top, st) || f->region[0])
			snprintf(f->region, sizeof f->region, "%s", mask);
		else
			snprintf(f->region, sizeof f->region, "%s", st);
	}
	for (k = 0; k < pt->n; k++)
		if (pt->f[k].topcount * 4 >= pt->f[k].count * 3 &&
		    pt->f[k].topcount > 0)
			snprintf(pt->f[k].region, sizeof pt->f[k].region, "%s",
			    pt->f[k].top);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		alpr_patterns_free(pt);
		return NULL;
	}
	fclose(fp);
	return pt;
}

void
alpr_patterns_free(struct alpr_patterns *pt)
{
	if (!pt)
		return;
	free(pt->f);
	free(pt);
}

static int
fits(char mc, char c)
{
	return mc == '9' ? isdigit((unsigned char)c) : isupper((unsigned char)c);
}

/* The format s matches, or NULL. */
static const struct fmt *
match(const struct alpr_patterns *pt, const char *s)
{
	int i, j;

	for (i = 0; pt && i < pt->n; i++) {
		for (j = 0; s[j] && pt->f[i].mask[j] && fits(pt->f[i].mask[j], s[j]); j++)
			;
		if (!s[j] && !pt->f[i].mask[j])
			return &pt->f[i];
	}
	return NULL;
}

/* One position's alternatives with confusion-class substitutes added. */
struct alts {
	int n;
	char ch[ALPR_MAX_ALTS * 4];
	double lp[ALPR_MAX_ALTS * 4];
	double skip;		/* log probability of dropping the position */
	int free;		/* dropping it is no skip */
	int cut;		/* an alternative cut */
	int x0, x1;		/* its extent in x; x1 <= x0 when not known */
};

static void
expand(const struct alpr_glyph *g, struct alts *a)
{
	int i, k, j, have;
	const char *cl, *q;
	double lp, keep, pn;

	/*
	 * Dropping a position costs the probability that it holds no
	 * character; a guess (a window search's find) or an alternative cut
	 * is dropped for at least ALPR_GUESS_MINP, and keeping it costs the
	 * rest.
	 */
	a->n = 0;
	a->free = g->kind != ALPR_GLYPH_SEG;
	a->cut = g->kind == ALPR_GLYPH_CUT;
	a->skip = SKIP_LOGP;
	a->x0 = g->box[0];
	a->x1 = g->box[2] > 0 ? g->box[0] + g->box[2] : g->box[0];
	keep = 0;
	if (a->free) {
		pn = fmin(fmax(g->noise, ALPR_GUESS_MINP), 0.9);
		a->skip = log(pn);
		keep = log(1 - pn);
	} else if (g->noise > 0)
		a->skip = log(fmax(g->noise, SKIP_MINP));
	for (i = 0; i < g->nalt; i++) {
		a->ch[a->n] = g->ch[i];
		a->lp[a->n++] = fmax(log(g->p[i]), LOGP_MIN) + keep;
	}
	/* A substitute that the engine also named keeps the likelier of
	 * the engine's probability and the confusion class's. */
	for (i = 0; i < g->nalt; i++)
		for (k = 0; (cl = confuse[k]); k++) {
			if (!strchr(cl, g->ch[i]))
				continue;
			for (q = cl; *q; q++) {
				lp = fmax(log(g->p[i] * CONFUSE_P), LOGP_MIN) + keep;
				for (have = 0, j = 0; j < a->n && !have; j++)
					if ((have = a->ch[j] == *q))
						a->lp[j] = fmax(a->lp[j], lp);
				if (have || a->n >= (int)sizeof a->ch)
					continue;
				a->ch[a->n] = *q;
				a->lp[a->n++] = lp;
			}
		}
}

/* Are two positions, one of them an alternative cut, two cuts of one
 * stretch of the line (overlapping by half the narrower or more), of
 * which a reading takes one? */
static int
covers(const struct alts *a, const struct alts *b)
{
	int wa = a->x1 - a->x0, wb = b->x1 - b->x0;
	int o = (a->x1 < b->x1 ? a->x1 : b->x1) -
	    (a->x0 > b->x0 ? a->x0 : b->x0);

	return (a->cut || b->cut) && wa > 0 && wb > 0 &&
	    2 * o >= (wa < wb ? wa : wb);
}

#define NPEND 4
struct hyp {
	char s[ALPR_MAX_CHARS + 1];
	int len, skips, last;
	int npend;		/* dropped positions that a later glyph taken
				 * may still cover, refunding the drop */
	int pend[NPEND];
	double score;
};

static int
hyp_cmp(const void *a, const void *b)
{
	double d = ((const struct hyp *)b)->score - ((const struct hyp *)a)->score;

	return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/* Move the best k of the n hypotheses in h to its front, best first;
 * returns how many that is. A selection, then a sort of those alone: the
 * beam's candidates outnumber what it keeps twentyfold. */
static int
best_of(struct hyp *h, int n, int k)
{
	int lo = 0, hi = n - 1, i, j;
	struct hyp t;
	double piv;

	if (n <= k) {
		qsort(h, n, sizeof *h, hyp_cmp);
		return n;
	}
	while (lo < hi) {	/* Hoare's selection of the k best */
		piv = h[lo + (hi - lo) / 2].score;
		for (i = lo, j = hi; i <= j;) {
			while (h[i].score > piv)
				i++;
			while (h[j].score < piv)
				j--;
			if (i <= j) {
				t = h[i], h[i] = h[j], h[j] = t;
				i++, j--;
			}
		}
		if (k - 1 <= j)
			hi = j;
		else if (k - 1 >= i)
			lo = i;
		else
			break;
	}
	qsort(h, k, sizeof *h, hyp_cmp);
	return k;
}

/* Skips of h that no later glyph can take back. */
static int
lasting_skips(const struct alts *a, const struct hyp *h)
{
	int k, n = h->skips;

	for (k = 0; k < h->npend; k++)
		n -= !a[h->pend[k]].free;
	return n;
}

/*
 * Beam search over c's positions in the order of their left edges; mask,
 * when not NULL, constrains every character's class and the length. A
 * position is taken (one of its alternatives appended), or left out:
 * free when the glyph taken last covers it (another cut of the same
 * stretch), else dropped at its cost, which a later glyph taken that
 * covers it refunds. The best keep final hypotheses are appended to out
 * (at most cap).
 */
static void
beam(const struct alts *a, int n, const char *mask, int keep,
    struct hyp *out, int *nout, int cap)
{
	struct hyp cur[BEAM], nxt[BEAM * (ALPR_MAX_ALTS * 4 + 1)], h, t;
	int ncur = 1, nnxt, i, j, k, p, covered;
	int mlen = mask ? (int)strlen(mask) : 0;

	memset(&cur[0], 0, sizeof cur[0]);
	cur[0].last = -1;
	for (i = 0; i < n; i++) {
		nnxt = 0;
		for (j = 0; j < ncur; j++) {
			h = cur[j];
			/* Drops that end before this glyph stay dropped. */
			for (k = p = 0; k < h.npend; k++)
				if (a[h.pend[k]].x1 > a[i].x0)
					h.pend[p++] = h.pend[k];
			h.npend = p;
			covered = h.last >= 0 && covers(&a[h.last], &a[i]);
			if (!covered && h.len < ALPR_MAX_CHARS) {
				t = h;
				t.last = i;
				for (k = p = 0; k < h.npend; k++)
					if (covers(&a[h.pend[k]], &a[i])) {
						t.score -= a[h.pend[k]].skip;
						t.skips -= !a[h.pend[k]].free;
					} else
						t.pend[p++] = h.pend[k];
				t.npend = p;
				for (k = 0; k < a[i].n; k++) {
					if (mask && (t.len >= mlen ||
					    !fits(mask[t.len], a[i].ch[k])))
						continue;
					nxt[nnxt] = t;
					nxt[nnxt].s[t.len] = a[i].ch[k];
					nxt[nnxt].s[t.len + 1] = '\0';
					nxt[nnxt].len++;
					nxt[nnxt].score += a[i].lp[k];
					nnxt++;
				}
			}
			if (covered) {
				nxt[nnxt++] = h;
				continue;
			}
			if (n < 2)
				continue;
			h.score += a[i].skip;
			h.skips += !a[i].free;
			if (h.npend < NPEND && a[i].x1 > a[i].x0)
				h.pend[h.npend++] = i;
			if (lasting_skips(a, &h) <= MAX_SKIP)
				nxt[nnxt++] = h;
		}
		/* Keep the best of what can still reach the mask's length. */
		for (k = 0, j = 0; j < nnxt; j++)
			if (!mask || nxt[j].len + (n - i - 1) >= mlen)
				nxt[k++] = nxt[j];
		ncur = best_of(nxt, k, BEAM);
		memcpy(cur, nxt, ncur * sizeof *cur);
	}
	for (j = 0, k = 0; j < ncur && k < keep && *nout < cap; j++)
		if (cur[j].len > 0 && cur[j].skips <= MAX_SKIP &&
		    (!mask || cur[j].len == mlen))
			out[(*nout)++] = cur[j], k++;
}

static int
cand_cmp(const void *a, const void *b)
{
	double d = ((const struct alpr_cand *)b)->conf -
	    ((const struct alpr_cand *)a)->conf;

	return d > 0 ? 1 : d < 0 ? -1 : strcmp(((const struct alpr_cand *)a)->plate,
	    ((const struct alpr_cand *)b)->plate);
}

/* Positions in the order of their left edges, a wider one first. */
static int
pos_cmp(const void *x, const void *y)
{
	const struct alts *a = x, *b = y;

	if (a->x0 != b->x0)
		return a->x0 < b->x0 ? -1 : 1;
	return (b->x1 > a->x1) - (b->x1 < a->x1);
}

int
alpr_plate_decode(const struct alpr_patterns *pt, const struct alpr_chars *c,
    struct alpr_cand *out, int max)
{
	struct alts a[ALPR_MAX_GLYPHS];
	struct hyp *all;
	struct alpr_cand *cand;
	const struct fmt *f;
	int i, j, n = c->n, nall = 0, ncand = 0, cap, nseg, ncut, boxes;
	double score;

	if (n <= 0 || max <= 0)
		return 0;
	if (n > ALPR_MAX_GLYPHS)
		n = ALPR_MAX_GLYPHS;
	for (i = nseg = ncut = boxes = 0; i < n; i++) {
		expand(&c->g[i], &a[i]);
		nseg += c->g[i].kind == ALPR_GLYPH_SEG;
		ncut += c->g[i].kind == ALPR_GLYPH_CUT;
		boxes += a[i].x1 > a[i].x0;
	}
	if (boxes == n)
		qsort(a, n, sizeof *a, pos_cmp);
	else	/* without boxes, positions are in order and never overlap */
		for (i = 0; i < n; i++)
			a[i].x0 = a[i].x1 = 0;
	cap = BEAM + FMT_KEEP * (pt ? pt->n : 0);
	all = alpr_calloc(cap, sizeof *all);
	beam(a, n, NULL, BEAM, all, &nall, cap);
	for (i = 0; pt && i < pt->n; i++) {
		j = (int)strlen(pt->f[i].mask);
		if (j <= n && j >= nseg - MAX_SKIP - ncut)
			beam(a, n, pt->f[i].mask, FMT_KEEP, all, &nall, cap);
	}
	cand = alpr_calloc(nall + 1, sizeof *cand);
	for (i = 0; i < nall; i++) {
		f = match(pt, all[i].s);
		score = all[i].score + (f ? 0 : NOFMT_LOGP);
		/* The same string by another path: keep the better. */
		for (j = 0; j < ncand && strcmp(cand[j].plate, all[i].s); j++)
			;
		if (j < ncand && cand[j].conf >= score)
			continue;
		if (j == ncand)
			ncand++;
		snprintf(cand[j].plate, sizeof cand[j].plate, "%s", all[i].s);
		snprintf(cand[j].region, sizeof cand[j].region, "%s",
		    f ? f->region : "");
		cand[j].conf = score;
	}
	/* The geometric mean over the positions that are no alternative. */
	n = n - ncut > 0 ? n - ncut : 1;
	for (i = 0; i < ncand; i++)
		cand[i].conf = fmin(100, 100 * exp(cand[i].conf / n));
	qsort(cand, ncand, sizeof *cand, cand_cmp);
	if (ncand > max)
		ncand = max;
	memcpy(out, cand, ncand * sizeof *out);
	free(cand);
	free(all);
	return ncand;
}

/*
 * Several reads of one plate (crops with other margins) pooled: a string's
 * region is that of the read most confident of it; from the third on,
 * strings shorter than the best rank lower (SHORT_F).
 */
int
alpr_plate_merge(const struct alpr_cand *const *lists, const int *n,
    int nlists, struct alpr_cand *out, int max)
{
	struct alpr_cand *all;
	int i, j, k, d, len, nall = 0, tot = 0;
	double *sum;

	for (i = 0; i < nlists; i++)
		tot += n[i];
	if (tot == 0 || max <= 0)
		return 0;
	all = alpr_calloc(tot, sizeof *all);
	sum = alpr_calloc(tot, sizeof *sum);
	for (i = 0; i < nlists; i++)
		for (j = 0; j < n[i]; j++) {
			for (k = 0; k < nall &&
			    strcmp(all[k].plate, lists[i][j].plate); k++)
				;
			sum[k] += lists[i][j].conf;
			if (k == nall)
				all[nall++] = lists[i][j];
			else if (lists[i][j].conf > all[k].conf)
				all[k] = lists[i][j];
		}
	/* The best read's confidence, pulled down by the reads that lack
	 * the string: one crop's guess ranks below what several agree on. */
	for (k = 0; k < nall; k++)
		all[k].conf = (all[k].conf + sum[k] / nlists) / 2;
	free(sum);
	qsort(all, nall, sizeof *all, cand_cmp);
	/* Strings short of the best give way to others (SHORT_F), after
	 * the best two. */
	len = strlen(all[0].plate);
	for (k = SHORT_FROM, d = 0; k < nall; k++)
		if ((int)strlen(all[k].plate) < len) {
			all[k].conf *= pow(SHORT_F, len - (int)strlen(all[k].plate));
			d = 1;
		}
	if (d)
		qsort(all + SHORT_FROM, nall - SHORT_FROM, sizeof *all, cand_cmp);
	if (nall > max)
		nall = max;
	memcpy(out, all, nall * sizeof *out);
	free(all);
	return nall;
}
