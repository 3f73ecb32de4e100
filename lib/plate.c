/*
 * plate.c: decode per-position alternatives (struct alpr_chars, from either
 * recognition engine) into ranked plate strings, using the plate formats of
 * US states as a prior: a reader who knows that California plates look like
 * 1ABC234 reads an O in a digit position as 0.
 *
 * A candidate's score is the sum of the log probabilities of its characters,
 * plus a penalty for each confusion-class substitution (0/O/D/Q, 1/I, 2/Z,
 * 5/S, 8/B, 6/G) and for a skipped position (a bolt or frame edge read as a
 * character: the engine's probability that the box holds none), plus a
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
#define CONFUSE_P	0.12	/* a confusion-class substitute, times source p */
#define SKIP_LOGP	-3.0	/* dropping a position, when the engine has no
				 * noise probability (Tesseract) */
#define SKIP_MINP	0.005	/* the least probability of dropping one */
#define MAX_SKIP	1	/* positions dropped, guesses aside */
#define NOFMT_LOGP	-2.5	/* matching no format */
#define BEAM		48
#define FMT_KEEP	8	/* candidates kept per format */

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

static const char *confuse[] = { "0ODQ", "1I", "2Z", "5S", "8B", "6G", NULL };

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
	int opt;		/* dropping it is no skip */
};

static void
expand(const struct alpr_glyph *g, struct alts *a)
{
	int i, k, j, have;
	const char *cl, *q;
	double lp, keep, pn;

	/*
	 * Dropping a position costs the probability that it holds no
	 * character; a guess (a window search's find) is dropped for at
	 * least ALPR_GUESS_MINP, and keeping it costs the rest.
	 */
	a->n = 0;
	a->opt = g->opt;
	a->skip = SKIP_LOGP;
	keep = 0;
	if (g->opt) {
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

struct hyp {
	char s[ALPR_MAX_CHARS + 1];
	int len, skips;
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

/*
 * Beam search over c's positions; mask, when not NULL, constrains every
 * character's class and the length. The best keep final hypotheses are
 * appended to out (at most cap).
 */
static void
beam(const struct alts *a, int n, const char *mask, int keep,
    struct hyp *out, int *nout, int cap)
{
	struct hyp cur[BEAM], nxt[BEAM * (ALPR_MAX_ALTS * 4 + 1)], h;
	int ncur = 1, nnxt, i, j, k, mlen = mask ? (int)strlen(mask) : 0;

	memset(&cur[0], 0, sizeof cur[0]);
	for (i = 0; i < n; i++) {
		nnxt = 0;
		for (j = 0; j < ncur; j++) {
			for (k = 0; k < a[i].n; k++) {
				h = cur[j];
				if (h.len >= ALPR_MAX_CHARS)
					break;
				if (mask && (h.len >= mlen ||
				    !fits(mask[h.len], a[i].ch[k])))
					continue;
				h.s[h.len++] = a[i].ch[k];
				h.s[h.len] = '\0';
				h.score += a[i].lp[k];
				nxt[nnxt++] = h;
			}
			h = cur[j];
			if ((a[i].opt || h.skips < MAX_SKIP) && n > 1) {
				h.skips += !a[i].opt;
				h.score += a[i].skip;
				nxt[nnxt++] = h;
			}
		}
		/* Keep the best of what can still reach the mask's length. */
		for (k = 0, j = 0; j < nnxt; j++)
			if (!mask || nxt[j].len + (n - i - 1) >= mlen)
				nxt[k++] = nxt[j];
		ncur = best_of(nxt, k, BEAM);
		memcpy(cur, nxt, ncur * sizeof *cur);
	}
	for (j = 0, k = 0; j < ncur && k < keep && *nout < cap; j++)
		if (cur[j].len > 0 && (!mask || cur[j].len == mlen))
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

int
alpr_plate_decode(const struct alpr_patterns *pt, const struct alpr_chars *c,
    struct alpr_cand *out, int max)
{
	struct alts a[ALPR_MAX_CHARS];
	struct hyp *all;
	struct alpr_cand *cand;
	const struct fmt *f;
	int i, j, n = c->n, nall = 0, ncand = 0, cap, nopt;
	double score;

	if (n <= 0 || max <= 0)
		return 0;
	if (n > ALPR_MAX_CHARS)
		n = ALPR_MAX_CHARS;
	for (i = nopt = 0; i < n; i++) {
		expand(&c->g[i], &a[i]);
		nopt += a[i].opt;
	}
	cap = BEAM + FMT_KEEP * (pt ? pt->n : 0);
	all = alpr_calloc(cap, sizeof *all);
	beam(a, n, NULL, BEAM, all, &nall, cap);
	for (i = 0; pt && i < pt->n; i++) {
		j = (int)strlen(pt->f[i].mask);
		if (j <= n && j >= n - MAX_SKIP - nopt)
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
 * region is that of the read most confident of it.
 */
int
alpr_plate_merge(const struct alpr_cand *const *lists, const int *n,
    int nlists, struct alpr_cand *out, int max)
{
	struct alpr_cand *all;
	int i, j, k, nall = 0, tot = 0;
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
	if (nall > max)
		nall = max;
	memcpy(out, all, nall * sizeof *out);
	free(all);
	return nall;
}
