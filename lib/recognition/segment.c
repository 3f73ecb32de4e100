/*
 * segment.c: character segmentation of a grey plate crop.
 *
 * The crop is scaled to ALPR_SEG_H rows and its slant taken out. Several
 * binarisations (Sauvola with two k and two windows, Otsu) in both
 * polarities each give one candidate: long straight runs (frames) erased;
 * connected components of character size (smaller where that finds no
 * line, as in a generous detector box); the text line as the anchor
 * with the most components sharing its top or bottom; what lies in that
 * band clipped to it, fragments merged, stray pieces and far clusters
 * dropped; components too wide for one glyph cut where the cuts cross the
 * least ink and the pieces come nearest a glyph's width (dynamic
 * programming). The classifier (glyph.c) picks among the candidates;
 * nothing here knows the plate's length.
 */
/* Hot loops (binarisation, component labelling): -O3 for segment.c and
 * glyph.c together took 6% off alpr-ocr's CPU time over the bench frames. */
#pragma GCC optimize("O3")
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define MAXCOMP 512

struct comp {
	int x0, y0, x1, y1;	/* inclusive */
	int area;
};

/*
 * Take out the slant of a plate seen at an angle: the shear that makes the
 * columns of horizontal-gradient energy the most peaked (vertical strokes
 * upright), if it beats no shear clearly. Rows are shifted in place.
 */
static void
deslant(struct alpr_segimg *im)
{
	int w = im->w, h = im->h, x, y, i, bi = 0, k;
	float *gx = alpr_calloc((size_t)w * h, sizeof(float));
	float col[ALPR_SEG_MAXW + 64], sc[9], best;
	unsigned char *row;

	for (y = 1; y < h - 1; y++)
		for (x = 1; x < w - 1; x++) {
			const unsigned char *p = im->px + y * w + x;
			gx[y * w + x] = fabsf((float)p[1] - p[-1]);
		}
	for (i = 0; i < 9; i++) {
		float t = (i - 4) * 0.075f;
		memset(col, 0, sizeof(col));
		for (y = 1; y < h - 1; y++) {
			int sh = (int)lrintf(t * (y - h / 2.0f)) + 32;
			for (x = 1; x < w - 1; x++)
				col[x + sh] += gx[y * w + x];
		}
		sc[i] = 0;
		for (x = 0; x < w + 64; x++)
			sc[i] += col[x] * col[x];
		if (sc[i] > sc[bi])
			bi = i;
	}
	free(gx);
	best = sc[bi];
	im->shear = 0;
	if (bi == 4 || best < sc[4] * 1.03f)
		return;
	im->shear = -(bi - 4) * 0.075f;
	row = alpr_malloc(w);
	for (y = 0; y < h; y++) {
		float d = im->shear * (y - h / 2.0f);
		unsigned char *r = im->px + y * w;
		for (x = 0; x < w; x++) {
			float sx = x + d, f;
			if (sx < 0) sx = 0;
			if (sx > w - 1) sx = w - 1;
			k = (int)sx;
			if (k >= w - 1) k = w - 2;
			f = sx - k;
			row[x] = (unsigned char)(r[k] + f * (r[k + 1] - r[k]) + 0.5f);
		}
		memcpy(r, row, w);
	}
	free(row);
}

int
alpr_segimg_init(struct Pix *crop, struct alpr_segimg *im)
{
	PIX *g, *s;
	int w, h, x, y, wpl;
	l_uint32 *data, *line;
	float sc;

	memset(im, 0, sizeof(*im));
	if (!crop)
		return -1;
	g = pixGetDepth(crop) == 8 ? pixClone(crop) :
	    pixConvertTo8(crop, 0);
	if (!g)
		return -1;
	w = pixGetWidth(g);
	h = pixGetHeight(g);
	if (w < 8 || h < 6) {
		pixDestroy(&g);
		return -1;
	}
	sc = (float)ALPR_SEG_H / h;
	if (w * sc > ALPR_SEG_MAXW)
		sc = (float)ALPR_SEG_MAXW / w;
	s = pixScale(g, sc, sc);
	pixDestroy(&g);
	if (!s)
		return -1;
	im->w = pixGetWidth(s);
	im->h = pixGetHeight(s);
	im->scale = sc;
	im->px = alpr_malloc((size_t)im->w * im->h);
	data = pixGetData(s);
	wpl = pixGetWpl(s);
	for (y = 0; y < im->h; y++) {
		line = data + y * wpl;
		for (x = 0; x < im->w; x++)
			im->px[y * im->w + x] = GET_DATA_BYTE(line, x);
	}
	pixDestroy(&s);
	deslant(im);
	return 0;
}

void
alpr_segimg_tocrop(const struct alpr_segimg *im, const int nb[4], int cb[4])
{
	float yc = nb[1] + nb[3] / 2.0f, x = nb[0] + im->shear * (yc - im->h / 2.0f);

	cb[0] = (int)floorf(x / im->scale);
	cb[1] = (int)(nb[1] / im->scale);
	cb[2] = (int)(nb[2] / im->scale + 0.5f);
	cb[3] = (int)(nb[3] / im->scale + 0.5f);
}

void
alpr_segimg_fromcrop(const struct alpr_segimg *im, const float cb[4], int nb[4])
{
	float s = im->scale, yc = (cb[1] + cb[3] / 2) * s;

	nb[0] = (int)lrintf(cb[0] * s - im->shear * (yc - im->h / 2.0f));
	nb[1] = (int)lrintf(cb[1] * s);
	nb[2] = (int)lrintf(cb[2] * s);
	nb[3] = (int)lrintf(cb[3] * s);
}

void
alpr_segimg_free(struct alpr_segimg *im)
{
	free(im->px);
	im->px = NULL;
}

/*
 * The local mean and standard deviation of the crop over a (2r+1)^2 window
 * (clipped at the edges), from its integral images s1 (of the pixels) and
 * s2 (of their squares), both (w+1) x (h+1).
 */
static void
local_stats(const double *s1, const double *s2, int w, int h, int r,
    double *mean, double *sdev)
{
	int x, y, x0, x1, y0, y1, W = w + 1;
	double n, m, v;

	for (y = 0; y < h; y++) {
		y0 = y - r < 0 ? 0 : y - r;
		y1 = y + r + 1 > h ? h : y + r + 1;
		for (x = 0; x < w; x++) {
			x0 = x - r < 0 ? 0 : x - r;
			x1 = x + r + 1 > w ? w : x + r + 1;
			n = (double)(x1 - x0) * (y1 - y0);
			m = (s1[y1 * W + x1] - s1[y0 * W + x1] -
			    s1[y1 * W + x0] + s1[y0 * W + x0]) / n;
			v = (s2[y1 * W + x1] - s2[y0 * W + x1] -
			    s2[y1 * W + x0] + s2[y0 * W + x0]) / n - m * m;
			mean[y * w + x] = m;
			sdev[y * w + x] = v > 0 ? sqrt(v) : 0;
		}
	}
}

/*
 * Sauvola: ink where v < m (1 + k (s / 128 - 1)), from the local mean m
 * and deviation s; inverted (light glyphs), the same for 255 - v and
 * 255 - m. Flat ground is never ink, whatever its mean.
 */
static void
sauvola(const unsigned char *px, int n, const double *mean,
    const double *sdev, double k, int inv, unsigned char *bin)
{
	int i;
	double v, m;

	for (i = 0; i < n; i++) {
		v = inv ? 255 - px[i] : px[i];
		m = inv ? 255 - mean[i] : mean[i];
		bin[i] = sdev[i] >= 8 && v < m * (1 + k * (sdev[i] / 128 - 1));
	}
}

static void
otsu(const unsigned char *px, int w, int h, unsigned char *bin)
{
	double hist[256] = {0}, sum = 0, sumb = 0, wb = 0, best = -1, bv;
	int i, t = 128, n = w * h;

	for (i = 0; i < n; i++)
		hist[px[i]]++;
	for (i = 0; i < 256; i++)
		sum += i * hist[i];
	for (i = 0; i < 256; i++) {
		wb += hist[i];
		if (wb == 0 || wb == n)
			continue;
		sumb += i * hist[i];
		double mb = sumb / wb, mf = (sum - sumb) / (n - wb);
		bv = wb * (n - wb) * (mb - mf) * (mb - mf);
		if (bv > best) {
			best = bv;
			t = i;
		}
	}
	for (i = 0; i < n; i++)
		bin[i] = px[i] <= t;
}

/* Erase long straight ink runs: plate frames and borders, never glyphs. */
static void
unframe(unsigned char *bin, int w, int h)
{
	int x, y, s, maxh = h * 45 / 100, maxv = h * 80 / 100;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x = s) {
			for (s = x; s < w && bin[y * w + s]; s++)
				;
			if (s - x > maxh)
				memset(bin + y * w + x, 0, s - x);
			if (s == x)
				s++;
		}
	for (x = 0; x < w; x++)
		for (y = 0; y < h; y = s) {
			for (s = y; s < h && bin[s * w + x]; s++)
				;
			if (s - y > maxv)
				for (int k = y; k < s; k++)
					bin[k * w + x] = 0;
			if (s == y)
				s++;
		}
}

/* 8-connected components and their labels (1..n, 0 background, -1 past
 * max); returns count (at most max). */
static int
components(const unsigned char *bin, int w, int h, struct comp *c, int max,
    int *lab)
{
	int *stack = alpr_malloc(sizeof(int) * (size_t)w * h);
	int n = 0, i, sp, p, x, y, dx, dy, q, id;

	memset(lab, 0, sizeof(int) * (size_t)w * h);
	for (i = 0; i < w * h; i++) {
		if (!bin[i] || lab[i])
			continue;
		struct comp k = { w, h, -1, -1, 0 };
		id = n < max ? n + 1 : -1;
		sp = 0;
		stack[sp++] = i;
		lab[i] = id;
		while (sp) {
			p = stack[--sp];
			x = p % w;
			y = p / w;
			k.area++;
			if (x < k.x0) k.x0 = x;
			if (x > k.x1) k.x1 = x;
			if (y < k.y0) k.y0 = y;
			if (y > k.y1) k.y1 = y;
			for (dy = -1; dy <= 1; dy++)
				for (dx = -1; dx <= 1; dx++) {
					if (x + dx < 0 || x + dx >= w ||
					    y + dy < 0 || y + dy >= h)
						continue;
					q = p + dy * w + dx;
					if (bin[q] && !lab[q]) {
						lab[q] = id;
						stack[sp++] = q;
					}
				}
		}
		if (n < max)
			c[n++] = k;
	}
	free(stack);
	return n;
}

static int
cmpx(const void *a, const void *b)
{
	return ((const struct comp *)a)->x0 - ((const struct comp *)b)->x0;
}

static int
median(int *v, int n)
{
	qsort(v, n, sizeof(int), alpr_intcmp);
	return v[n / 2];
}

/*
 * Cut a component too wide for one glyph into pieces: the cuts and their
 * number that minimise the ink crossed by the cuts plus how far each
 * piece's width is from a typical glyph's, ew (dynamic programming over
 * columns). Each piece is then tightened to its ink. Returns the count.
 */
static int
split(const unsigned char *bin, int w, int lh, float ew, struct comp *c,
    struct comp *out, int max)
{
	int cw = c->x1 - c->x0 + 1, x, y, i, j, k, n, t, b, minw;
	float col[ALPR_SEG_MAXW + 1], cost[ALPR_SEG_MAXW + 1];
	int prev[ALPR_SEG_MAXW + 1], pieces[ALPR_SEG_MAXW + 1], cut[16];

	for (x = 0; x < cw; x++) {
		col[x] = 0;
		for (y = c->y0; y <= c->y1; y++)
			col[x] += bin[y * w + c->x0 + x];
		col[x] /= lh;
	}
	col[cw] = 0;
	minw = lh / 6 > 2 ? lh / 6 : 2;
	/* cost[j]: best split of columns [0, j) with a cut before column j. */
	cost[0] = 0;
	pieces[0] = 0;
	for (j = 1; j <= cw; j++) {
		cost[j] = 1e30f;
		prev[j] = 0;
		pieces[j] = 0;
		for (i = 0; i <= j - minw; i++) {
			float d = (j - i - ew) / ew, v;
			if (cost[i] >= 1e29f || pieces[i] >= max)
				continue;
			v = cost[i] + d * d + (j < cw ? 4 * col[j] : 0);
			if (v < cost[j]) {
				cost[j] = v;
				prev[j] = i;
				pieces[j] = pieces[i] + 1;
			}
		}
	}
	if (cost[cw] >= 1e29f) {
		out[0] = *c;
		return 1;
	}
	n = pieces[cw];
	for (j = cw, k = n; k > 0; k--) {
		cut[k] = j;
		j = prev[j];
	}
	cut[0] = 0;
	for (k = 0; k < n; k++) {
		struct comp p = *c;
		p.x0 = c->x0 + cut[k];
		p.x1 = c->x0 + cut[k + 1] - 1;
		t = p.y1;
		b = p.y0;
		for (y = p.y0; y <= p.y1; y++)
			for (x = p.x0; x <= p.x1; x++)
				if (bin[y * w + x]) {
					if (y < t) t = y;
					if (y > b) b = y;
				}
		if (b >= t) {
			p.y0 = t;
			p.y1 = b;
		}
		out[k] = p;
	}
	return n;
}

/* Is b on the line of anchor a: as tall or taller, and top or bottom
 * aligned with a's? */
static int
member(const struct comp *a, const struct comp *b, int *topal, int *botal)
{
	int ha = a->y1 - a->y0 + 1, hb = b->y1 - b->y0 + 1, t, u;

	if (hb * 10 < ha * 8 || hb * 10 > ha * 16)
		return 0;
	t = abs(b->y0 - a->y0) * 100 <= ha * 12;
	u = abs(b->y1 - a->y1) * 100 <= ha * 12;
	if (topal)
		*topal = t;
	if (botal)
		*botal = u;
	return t || u;
}

/* One candidate from one binary image; 0 when no line was found. */
static int
line(unsigned char *bin, int w, int h, int dark, int strict,
    struct alpr_seg *seg)
{
	static __thread struct comp c[MAXCOMP], g[MAXCOMP], m[MAXCOMP];
	static __thread struct comp all[MAXCOMP];
	int nall, bt, bb, x, y, nt, nb;
	int n, i, j, ng, best = -1, bestn = 0, bestsum = 0, pass, minh;
	int lh, top, bot, ts[MAXCOMP], bs[MAXCOMP], nm, fw[MAXCOMP], nf;
	float ew;

	int *lab = alpr_malloc(sizeof(int) * (size_t)w * h);

	unframe(bin, w, h);
	nall = components(bin, w, h, all, MAXCOMP, lab);
	/*
	 * Keep components of character size: at least 18% of the crop high,
	 * or, where that leaves no line of three, 12% (a generous detector
	 * box around a plate whose characters are small, its surroundings
	 * dark).
	 */
	for (pass = 0; pass < 2 && bestn < 3; pass++) {
		minh = h * (pass ? 12 : 18) / 100;
		for (i = n = 0; i < nall; i++) {
			int cw = all[i].x1 - all[i].x0 + 1;
			int ch = all[i].y1 - all[i].y0 + 1;
			if (ch < minh || ch > h * 92 / 100 || cw > 4 * ch ||
			    all[i].area < cw * ch / 12)
				continue;
			c[n++] = all[i];
		}
		/*
		 * The text line: the anchor with the most components that
		 * share its top or its bottom (a glyph joined to artwork above
		 * or a frame below keeps one of them) and are no shorter than
		 * it.
		 */
		best = -1;
		bestn = bestsum = 0;
		for (i = 0; i < n; i++) {
			int cnt = 0, sum = 0;
			for (j = 0; j < n; j++)
				if (member(&c[i], &c[j], NULL, NULL)) {
					cnt++;
					sum += c[j].y1 - c[j].y0 + 1;
				}
			if (cnt > bestn || (cnt == bestn && sum > bestsum)) {
				best = i;
				bestn = cnt;
				bestsum = sum;
			}
		}
	}
	if (best < 0) {
		free(lab);
		return 0;
	}
	nt = nb = 0;
	for (i = 0; i < n; i++) {
		int tt, bb2;
		if (!member(&c[best], &c[i], &tt, &bb2))
			continue;
		if (tt)
			ts[nt++] = c[i].y0;
		if (bb2)
			bs[nb++] = c[i].y1;
	}
	top = nt ? median(ts, nt) : c[best].y0;
	bot = nb ? median(bs, nb) : c[best].y1;
	lh = bot - top + 1;
	/*
	 * Everything in the band, clipped to it: glyphs, their fragments, and
	 * glyphs joined to a frame or artwork above or below.
	 */
	bt = top - lh / 8 < 0 ? 0 : top - lh / 8;
	bb = bot + lh / 8 >= h ? h - 1 : bot + lh / 8;
	for (i = 0; i < nall; i++) {
		g[i].x0 = w;
		g[i].y0 = h;
		g[i].x1 = g[i].y1 = -1;
		g[i].area = 0;
	}
	for (y = bt; y <= bb; y++)
		for (x = 0; x < w; x++) {
			int l = lab[y * w + x];
			struct comp *k;
			if (l <= 0)
				continue;
			k = &g[l - 1];
			k->area++;
			if (x < k->x0) k->x0 = x;
			if (x > k->x1) k->x1 = x;
			if (y < k->y0) k->y0 = y;
			if (y > k->y1) k->y1 = y;
		}
	free(lab);
	for (i = ng = 0; i < nall; i++) {
		int ch = g[i].y1 - g[i].y0 + 1, cw = g[i].x1 - g[i].x0 + 1;
		int oh = all[i].y1 - all[i].y0 + 1;
		if (g[i].area < 4 || ch * 10 < lh * 3 || cw > 6 * lh)
			continue;
		/* Wholly in the band, or a glyph-sized part of something
		 * larger; not a thin line crossing it. */
		if (!(oh * 10 <= lh * 13 && ch * 10 >= oh * 7) &&
		    (strict || !(ch * 4 >= lh * 3 && cw * 4 >= lh)))
			continue;
		g[ng++] = g[i];
	}
	qsort(g, ng, sizeof(g[0]), cmpx);
	/* Merge components that overlap in x (fragments of one glyph). */
	for (i = nm = 0; i < ng; i++) {
		if (nm) {
			struct comp *p = &m[nm - 1];
			int ov = (p->x1 < g[i].x1 ? p->x1 : g[i].x1) - g[i].x0 + 1;
			int wmin = g[i].x1 - g[i].x0 + 1;
			if (p->x1 - p->x0 + 1 < wmin)
				wmin = p->x1 - p->x0 + 1;
			if (ov * 2 > wmin) {
				if (g[i].x1 > p->x1) p->x1 = g[i].x1;
				if (g[i].y0 < p->y0) p->y0 = g[i].y0;
				if (g[i].y1 > p->y1) p->y1 = g[i].y1;
				p->area += g[i].area;
				continue;
			}
		}
		m[nm++] = g[i];
	}
	/* Drop short pieces (dashes, bolts); keep the largest cluster in x. */
	for (i = j = 0; i < nm; i++)
		if ((m[i].y1 - m[i].y0 + 1) * 2 >= lh)
			m[j++] = m[i];
	nm = j;
	{
		int bs0 = 0, bn = 0, s = 0;
		for (i = 1; i <= nm; i++)
			if (i == nm || m[i].x0 - m[i - 1].x1 > 2 * lh) {
				if (i - s > bn) {
					bn = i - s;
					bs0 = s;
				}
				s = i;
			}
		memmove(m, m + bs0, sizeof(m[0]) * bn);
		nm = bn;
	}
	/*
	 * Split components too wide for one glyph: a glyph is 0.56 of the
	 * line high, or as wide as the free-standing glyphs of this plate
	 * when they are narrower (a condensed face: two glyphs joined by a
	 * frame below are then cut in two, not kept as one wide box).
	 */
	for (i = nf = 0; i < nm; i++) {
		int cw = m[i].x1 - m[i].x0 + 1;
		if (cw * 100 >= lh * 25 && cw * 100 <= lh * 80)
			fw[nf++] = cw;
	}
	ew = 0.56f * lh;
	if (nf >= 2 && median(fw, nf) < ew)
		ew = median(fw, nf);
	seg->n = 0;
	seg->dark = dark;
	seg->lineh = lh;
	seg->top = top;
	seg->bot = bot;
	for (i = 0; i < nm; i++) {
		struct comp parts[12];
		int cw = m[i].x1 - m[i].x0 + 1, k = 1;
		/* 1.6: a W or an M is up to about 1.4 glyphs wide */
		if (cw * 100 > lh * 92 || cw > 1.6f * ew)
			k = split(bin, w, lh, ew, &m[i], parts, 12);
		else
			parts[0] = m[i];
		for (j = 0; j < k && seg->n < ALPR_SEG_MAX; j++) {
			int *b = seg->box[seg->n], *wb = seg->whole[seg->n];
			seg->grp[seg->n++] = i;
			b[0] = parts[j].x0;
			b[1] = parts[j].y0;
			b[2] = parts[j].x1 - parts[j].x0 + 1;
			b[3] = parts[j].y1 - parts[j].y0 + 1;
			wb[0] = m[i].x0;
			wb[1] = m[i].y0;
			wb[2] = m[i].x1 - m[i].x0 + 1;
			wb[3] = m[i].y1 - m[i].y0 + 1;
		}
	}
	return seg->n > 0;
}

static int
sameseg(const struct alpr_seg *a, const struct alpr_seg *b)
{
	return a->n == b->n && a->dark == b->dark &&
	    !memcmp(a->box, b->box, sizeof(a->box[0]) * a->n);
}

int
alpr_segment(const struct alpr_segimg *im, struct alpr_seg *seg, int max,
    int flags)
{
	static const struct { int rdiv; double k; } meth[] = {
		{ 6, 0.05 }, { 6, 0.2 }, { 3, 0.1 }, { 0, 0 },
	};
	enum { NR = 2 };	/* the window radii: h/6 and h/3 */
	int w = im->w, h = im->h, n = 0, pol, mi, i, dup, W = w + 1, x, y, ri;
	unsigned char *bin = alpr_malloc((size_t)w * h);
	unsigned char *inv = alpr_malloc((size_t)w * h);
	double *s1 = alpr_calloc((size_t)W * (h + 1), sizeof(double));
	double *s2 = alpr_calloc((size_t)W * (h + 1), sizeof(double));
	double *mean[NR], *sdev[NR];

	/* One pair of integral images and one mean and deviation per
	 * radius serve every Sauvola binarisation, in both polarities. */
	for (y = 0; y < h; y++) {
		double r1 = 0, r2 = 0, a;
		for (x = 0; x < w; x++) {
			a = im->px[y * w + x];
			r1 += a;
			r2 += a * a;
			s1[(y + 1) * W + x + 1] = s1[y * W + x + 1] + r1;
			s2[(y + 1) * W + x + 1] = s2[y * W + x + 1] + r2;
		}
	}
	for (ri = 0; ri < NR; ri++) {
		mean[ri] = alpr_malloc(sizeof(double) * w * h);
		sdev[ri] = alpr_malloc(sizeof(double) * w * h);
		local_stats(s1, s2, w, h, h / (ri ? 3 : 6), mean[ri], sdev[ri]);
	}
	for (i = 0; i < w * h; i++)
		inv[i] = 255 - im->px[i];
	for (pol = 0; pol < 2; pol++)
		for (mi = 0; mi < (int)(sizeof(meth) / sizeof(meth[0])); mi++) {
			if (n >= max)
				break;
			ri = meth[mi].rdiv == 3;
			if (meth[mi].rdiv)
				sauvola(im->px, w * h, mean[ri], sdev[ri],
				    meth[mi].k, pol, bin);
			else
				otsu(pol ? inv : im->px, w, h, bin);
			if (!line(bin, w, h, !pol, flags & ALPR_SEG_STRICT, &seg[n]))
				continue;
			for (i = dup = 0; i < n && !dup; i++)
				dup = sameseg(&seg[i], &seg[n]);
			if (!dup)
				n++;
		}
	for (ri = 0; ri < NR; ri++) {
		free(mean[ri]);
		free(sdev[ri]);
	}
	free(s1);
	free(s2);
	free(bin);
	free(inv);
	return n;
}
