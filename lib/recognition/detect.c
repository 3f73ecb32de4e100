/*
 * detect.c: plate localisation.
 *
 * On a grey image find rows of character-like blobs; a large frame is
 * searched at half size, and again at full size for small plates, whose
 * characters run together at half size. Pixels darker (and, at the strong
 * margin, lighter) than the mean of their 9x9 neighbourhood by a margin
 * form a mask, at two margins (a strong one, and a weak one for plates in
 * shadow); long horizontal runs (plate frames, bumper edges) are taken out
 * of it so that characters touching a frame come loose; its connected
 * components (Leptonica) of character size and shape are each linked to
 * the nearest neighbour on their right of similar height and line, and
 * chains of three or more are text lines. A line is grown into a
 * plate-shaped box (US plates are 2:1; the characters fill about 0.45 of
 * the plate's height and sit a little below its middle), scored on how
 * much it looks like a row of plate characters, and suppressed by better
 * boxes it overlaps.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

/* Plate geometry (US plates: 12x6 in, characters about 2.75 in tall). */
#define PLATE_ASPECT	2.0	/* width / height */
#define CHAR_FILL	0.43	/* character height / plate height */
#define LINE_FILL	0.80	/* line of characters width / plate width */
#define LINE_DROP	0.13	/* characters' centre below the plate's, of
				 * their height (room for the state name) */
#define MIN_CHARS	3
#define MAX_CHARS	10
#define MAX_GAP		2.0	/* widest gap within a line, of char height */
#define MEAN_HALF	4	/* half size of the local mean window */
#define STRONG		10	/* margins: grey levels above the local mean, */
#define WEAK		4	/* plus a sixteenth of it */
#define RULE_LEN	20	/* horizontal runs this long are rules, not
				 * characters: plate frames and borders */
#define FINE_W		1000	/* frames given at full size this wide are */
#define FINE_MAXW	110	/* searched at half size, and at full size for
				 * plates narrower than this (on the bench's
				 * tuning half 90 loses a plate's candidates,
				 * 130 a top 1, none 2 plates found) */
#define NPASS(a)	(int)(sizeof(a) / sizeof((a)[0]))
#define NMS_IOU		0.3	/* a box overlapping a better one this much
				 * is the same plate */

struct blob {
	int x, y, w, h;
	int next;		/* index of the linked right neighbour, or -1 */
};

struct cand {
	double box[4];
	double score;
	int keep;
};

struct pass {
	int sign;		/* 1: dark characters, -1: light ones */
	int margin;
	double minw, maxw;	/* plate width limits in this image's pixels */
};

static int
cmp_blob_x(const void *a, const void *b)
{
	const struct blob *p = a, *q = b;

	return (p->x > q->x) - (p->x < q->x);
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *p = a, *q = b;

	return (p->score < q->score) - (p->score > q->score);
}

/*
 * The marks of 4 pixels: the bytes of a word of grey levels v (of an 8 bpp
 * image) darker (sign 1) or lighter than the bytes of a word of local means
 * m by more than t plus a sixteenth of the mean, as 4 bits in pixel order.
 * Two bytes at a time in 16-bit lanes: (b | 0x8000) - a keeps bit 15 if
 * b >= a. The bits are then gathered by a multiplication: byte lanes 3 to 0
 * (the pixels in order, whatever the byte order) to bits 27 to 24.
 */
static l_uint32
mark4(l_uint32 v, l_uint32 m, int sign, l_uint32 t1)
{
	const l_uint32 lo = 0x00FF00FF, hi = 0x80008000, q = 0x000F000F;
	l_uint32 ve = v & lo, vo = v >> 8 & lo, me = m & lo, mo = m >> 8 & lo;
	l_uint32 fe, fo;

	if (sign > 0) {
		fe = ((me | hi) - (ve + t1 + (me >> 4 & q))) & hi;
		fo = ((mo | hi) - (vo + t1 + (mo >> 4 & q))) & hi;
	} else {
		fe = ((ve | hi) - (me + t1 + (me >> 4 & q))) & hi;
		fo = ((vo | hi) - (mo + t1 + (mo >> 4 & q))) & hi;
	}
	return ((fe >> 15 | fo >> 7) * 0x01020408u) >> 24 & 0xF;
}

/* 1 bpp image of the pixels darker (sign 1) or lighter (sign -1) than the
 * local mean (an image of the same size) by more than the margin. */
static PIX *
contrast_mask(PIX *g, PIX *mean, const struct pass *ps)
{
	int w = pixGetWidth(g), h = pixGetHeight(g), wpl = pixGetWpl(g);
	int wplm = pixGetWpl(mean), wplb, i, j, n, y;
	l_uint32 *lg, *lm, *lb, word, t1 = (ps->margin + 1) * 0x00010001u;
	PIX *b;

	b = pixCreate(w, h, 1);
	wplb = pixGetWpl(b);
	for (y = 0; y < h; y++) {
		lg = pixGetData(g) + y * wpl;
		lm = pixGetData(mean) + y * wplm;
		lb = pixGetData(b) + y * wplb;
		for (i = 0; i < wplb; i++) {
			n = wpl - 8 * i < 8 ? wpl - 8 * i : 8;
			word = 0;
			for (j = 0; j < n; j++)
				word |= mark4(lg[8 * i + j], lm[8 * i + j],
				    ps->sign, t1) << (28 - 4 * j);
			lb[i] = word;
		}
		/* Pixels past the width are not marked. */
		if (w % 32)
			lb[wplb - 1] &= ~0u << (32 - w % 32);
	}
	return b;
}

/* Can b follow a on a line of characters? */
static int
compatible(const struct blob *a, const struct blob *b)
{
	int hmax = a->h > b->h ? a->h : b->h;
	int hmin = a->h < b->h ? a->h : b->h;
	int gap = b->x - (a->x + a->w);
	int dy = (2 * a->y + a->h) - (2 * b->y + b->h);

	if (10 * hmin < 7 * hmax)
		return 0;
	if (abs(dy) > hmax * 2 / 3)
		return 0;
	if (abs(a->y - b->y) > hmax / 3 + 1)
		return 0;
	return gap >= -hmax / 5 && gap <= hmax * MAX_GAP;
}

/* Link each blob (sorted by x) to its nearest compatible right neighbour. */
static void
link_blobs(struct blob *bl, int n)
{
	int i, j, best, bestd, d;

	for (i = 0; i < n; i++) {
		best = -1;
		bestd = 1 << 30;
		for (j = i + 1; j < n && bl[j].x <= bl[i].x + bl[i].w +
		    bl[i].h * MAX_GAP; j++) {
			if (!compatible(&bl[i], &bl[j]))
				continue;
			d = bl[j].x - (bl[i].x + bl[i].w) +
			    abs(bl[j].y - bl[i].y) + abs(bl[j].h - bl[i].h);
			if (d < bestd) {
				bestd = d;
				best = j;
			}
		}
		bl[i].next = best;
	}
}

/*
 * How much a chain of m blobs (indices ix) with median height hc looks like
 * the characters of a plate: several of them, of even height, tops and
 * bottoms in line, close and evenly spaced, few very thin ones (fences,
 * grilles) and narrow rather than square (plate fonts are condensed);
 * dark characters and a strong contrast count a little. A logistic model
 * fitted on labelled candidates; 0 to 1.
 */
static double
line_score(const struct blob *bl, const int *ix, int m, double hc,
    const struct pass *ps)
{
	double top = 0, bot = 0, hdev = 0, edev = 0, gap = 0, gap2 = 0;
	double thin = 0, wr = 0, g, z;
	int k;

	for (k = 0; k < m; k++) {
		top += bl[ix[k]].y;
		bot += bl[ix[k]].y + bl[ix[k]].h;
	}
	top /= m;
	bot /= m;
	for (k = 0; k < m; k++) {
		const struct blob *q = &bl[ix[k]];

		hdev += fabs(q->h - hc);
		edev += fabs(q->y - top) + fabs(q->y + q->h - bot);
		thin += 4 * q->w < q->h;
		wr += (double)q->w / q->h;
		if (k) {
			g = q->x - (bl[ix[k - 1]].x + bl[ix[k - 1]].w);
			gap += g;
			gap2 += g * g;
		}
	}
	gap /= m - 1;
	gap2 = sqrt(fmax(gap2 / (m - 1) - gap * gap, 0));
	z = 3.15 + 1.8 * (m > 7 ? 14 - m : m) / 7.0
	    - 1.5 * hdev / (m * hc) - 4.2 * edev / (m * hc)
	    - 2.5 * gap / hc - 0.4 * gap2 / hc
	    - 3.7 * thin / m - 6.0 * wr / m
	    + 0.8 * (ps->sign > 0) + 0.3 * (ps->margin == STRONG);
	return 1 / (1 + exp(-z));
}

/* Chains of linked blobs become candidate plates. */
static int
chains(struct blob *bl, int n, const struct pass *ps, struct cand *cv,
    int ncv, int maxcv)
{
	int i, j, m, x0, x1, hs[MAX_CHARS + 1], ix[MAX_CHARS + 1];
	double hc, cy, pw, ph, lw;
	char *seen;

	seen = alpr_calloc(n ? n : 1, 1);
	for (i = 0; i < n; i++)
		if (bl[i].next >= 0)
			seen[bl[i].next] = 1;
	for (i = 0; i < n && ncv < maxcv; i++) {
		if (seen[i] || bl[i].next < 0)
			continue;	/* not the head of a chain */
		m = 0;
		x0 = x1 = bl[i].x;
		cy = 0;
		for (j = i; j >= 0 && m <= MAX_CHARS; j = bl[j].next) {
			ix[m] = j;
			hs[m++] = bl[j].h;
			cy += bl[j].y + bl[j].h / 2.0;
			if (bl[j].x + bl[j].w > x1)
				x1 = bl[j].x + bl[j].w;
		}
		if (m < MIN_CHARS || m > MAX_CHARS)
			continue;
		cy /= m;
		qsort(hs, m, sizeof *hs, alpr_intcmp);
		hc = hs[m / 2];
		lw = x1 - x0;
		if (lw < 1.2 * hc)
			continue;
		/* The plate: from the characters' height, or wider if the
		 * line is long. */
		pw = hc / CHAR_FILL * PLATE_ASPECT;
		if (lw / LINE_FILL > pw)
			pw = lw / LINE_FILL;
		ph = pw / PLATE_ASPECT;
		if (pw < ps->minw || pw > ps->maxw)
			continue;
		cv[ncv].box[0] = (x0 + x1) / 2.0 - pw / 2;
		cv[ncv].box[1] = cy - LINE_DROP * hc - ph / 2;
		cv[ncv].box[2] = pw;
		cv[ncv].box[3] = ph;
		cv[ncv].score = line_score(bl, ix, m, hc, ps);
		cv[ncv].keep = 1;
		ncv++;
	}
	free(seen);
	return ncv;
}

/* Candidates from the blobs of one polarity and margin. */
static int
pass(PIX *g, PIX *mean, const struct pass *ps, struct cand *cv, int ncv,
    int maxcv)
{
	PIX *b, *l;
	BOXA *ba;
	struct blob *bl;
	int i, n, k, x, y, w, h, hmin, hmax;

	b = contrast_mask(g, mean, ps);
	/* Cut characters loose from plate frames they touch. */
	l = pixOpenCompBrick(NULL, b, RULE_LEN, 1);
	pixSubtract(b, b, l);
	pixDestroy(&l);
	ba = pixConnCompBB(b, 8);
	pixDestroy(&b);
	if (!ba)
		return ncv;
	n = boxaGetCount(ba);
	bl = alpr_malloc((n ? n : 1) * sizeof *bl);
	hmin = (int)(ps->minw / PLATE_ASPECT * CHAR_FILL * 0.7);
	if (hmin < 4)
		hmin = 4;
	hmax = (int)(ps->maxw / PLATE_ASPECT * CHAR_FILL * 1.3) + 1;
	for (i = k = 0; i < n; i++) {
		boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
		if (h < hmin || h > hmax || w > h * 6 / 5 || 8 * w < h)
			continue;
		bl[k].x = x;
		bl[k].y = y;
		bl[k].w = w;
		bl[k].h = h;
		bl[k].next = -1;
		k++;
	}
	boxaDestroy(&ba);
	qsort(bl, k, sizeof *bl, cmp_blob_x);
	link_blobs(bl, k);
	ncv = chains(bl, k, ps, cv, ncv, maxcv);
	free(bl);
	return ncv;
}

static double
iou(const double *a, const double *b)
{
	double ix = fmin(a[0] + a[2], b[0] + b[2]) - fmax(a[0], b[0]);
	double iy = fmin(a[1] + a[3], b[1] + b[3]) - fmax(a[1], b[1]);
	double in;

	if (ix <= 0 || iy <= 0)
		return 0;
	in = ix * iy;
	return in / (a[2] * a[3] + b[2] * b[3] - in);
}

/* Clip a box to w x h, then move it by ox, oy. */
static void
clip(double *b, double ox, double oy, int w, int h)
{
	double x0 = fmax(b[0], 0) + ox, y0 = fmax(b[1], 0) + oy;
	double x1 = fmin(b[0] + b[2], w) + ox, y1 = fmin(b[1] + b[3], h) + oy;

	b[0] = x0;
	b[1] = y0;
	b[2] = fmax(x1 - x0, 1);
	b[3] = fmax(y1 - y0, 1);
}

/* The passes over an image: polarity and margin. Characters are mostly
 * dark; light ones on a dark plate are looked for at the strong margin. */
static const struct pass coarse[] = {
	{ 1, STRONG, 0, 0 }, { 1, WEAK, 0, 0 }, { -1, STRONG, 0, 0 }
};
static const struct pass fine[] = { { 1, STRONG, 0, 0 } };

/* Candidates in g, an image reduced by k from the one alpr_detect was
 * given, of plates minw to maxw wide in g's pixels, in each of np passes,
 * against the local mean; boxes in the given image's pixels. */
static int
search(PIX *g, PIX *mean, double k, double minw, double maxw,
    const struct pass *pv, int np, struct cand *cv, int ncv, int maxcv)
{
	struct pass ps;
	int i, j, n0 = ncv;

	for (i = 0; i < np; i++) {
		ps = pv[i];
		ps.minw = minw;
		ps.maxw = maxw;
		ncv = pass(g, mean, &ps, cv, ncv, maxcv);
	}
	for (i = n0; i < ncv; i++)
		for (j = 0; j < 4; j++)
			cv[i].box[j] *= k;
	return ncv;
}

/* A large frame given at full size: every plate at half size, and the
 * small ones again at full size, where their characters do not run
 * together, against the mean of a smaller window of the half-size image. */
static int
two_scales(PIX *g, const struct alpr_detect_opt *o, struct cand *cv,
    int maxcv)
{
	PIX *half, *acc, *mean, *m2, *m4;
	double fw = fmin(o->maxw, FINE_MAXW);
	int ncv;

	half = pixScaleAreaMap2(g);
	acc = pixBlockconvAccum(half);
	mean = pixBlockconvGray(half, acc, MEAN_HALF, MEAN_HALF);
	ncv = search(half, mean, 2, o->minw / 2, o->maxw / 2, coarse,
	    NPASS(coarse), cv, 0, maxcv);
	pixDestroy(&mean);
	if (o->minw < fw) {
		m2 = pixBlockconvGray(half, acc, MEAN_HALF / 2, MEAN_HALF / 2);
		m4 = pixExpandReplicate(m2, 2);
		if (pixSizesEqual(m4, g))
			mean = pixClone(m4);
		else	/* an odd width or height */
			mean = pixResizeToMatch(m4, g, 0, 0);
		ncv = search(g, mean, 1, o->minw, fw, fine, NPASS(fine), cv,
		    ncv, maxcv);
		pixDestroy(&m2);
		pixDestroy(&m4);
		pixDestroy(&mean);
	}
	pixDestroy(&acc);
	pixDestroy(&half);
	return ncv;
}

int
alpr_detect(struct Pix *gray, double scale, const struct alpr_detect_opt *o,
    struct alpr_region *out, int max)
{
	struct cand *cv;
	PIX *g, *mean;
	BOX *roi;
	double b[4], ox = 0, oy = 0;
	int i, j, ncv = 0, nout, maxcv = 4096;

	if (o->roi[2] > 0 && o->roi[3] > 0) {
		roi = boxCreate((int)(o->roi[0] / scale), (int)(o->roi[1] / scale),
		    (int)ceil(o->roi[2] / scale), (int)ceil(o->roi[3] / scale));
		g = pixClipRectangle(gray, roi, NULL);
		boxGetGeometry(roi, &i, &j, NULL, NULL);
		boxDestroy(&roi);
		if (!g)
			return 0;	/* the region is outside the frame */
		ox = i;
		oy = j;
	} else
		g = pixClone(gray);
	cv = alpr_malloc(maxcv * sizeof *cv);
	if (scale == 1 && pixGetWidth(gray) >= FINE_W &&
	    pixGetWidth(g) >= 8 && pixGetHeight(g) >= 8)
		ncv = two_scales(g, o, cv, maxcv);
	else {
		mean = pixBlockconv(g, MEAN_HALF, MEAN_HALF);
		ncv = search(g, mean, 1, o->minw / scale, o->maxw / scale,
		    coarse, NPASS(coarse), cv, ncv, maxcv);
		pixDestroy(&mean);
	}
	qsort(cv, ncv, sizeof *cv, cmp_cand);
	for (i = nout = 0; i < ncv && nout < max; i++) {
		for (j = 0; j < i; j++)
			if (cv[j].keep && iou(cv[i].box, cv[j].box) > NMS_IOU)
				break;
		if (j < i) {
			cv[i].keep = 0;
			continue;
		}
		memcpy(b, cv[i].box, sizeof b);
		clip(b, ox, oy, pixGetWidth(g), pixGetHeight(g));
		for (j = 0; j < 4; j++)
			out[nout].box[j] = (int)lround(b[j] * scale);
		out[nout].score = cv[i].score;
		nout++;
	}
	free(cv);
	pixDestroy(&g);
	return nout;
}
