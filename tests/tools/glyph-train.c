/*
 * glyph-train: train the glyph classifier (glyph.c) on real plate crops.
 *
 *	glyph-train [-a augment] [-e epochs] [-i I/K] [-n hidden] [-s seed]
 *	    [-S SYNTHDIR [-b augment]] -t TRAINDIR -o MODEL
 *	glyph-train [-a augment] [-s seed] -C MODEL -t TRAINDIR
 *	glyph-train [-a augment] [-s seed] [-p PATTERNS] [-w DIR] -E MODEL
 *	    -t TRAINDIR
 *
 * Reads TRAINDIR/groundtruth.csv (FILE,STATE,PLATE), leaves out the tenth
 * that glyph-bench -H measures, and segments each crop: where a candidate
 * has exactly len(PLATE) boxes they are labelled left to right; boxes of
 * the other candidates that are no glyph (state names, stickers, bolts,
 * two glyphs at once) become the noise class. Each plate is also degraded
 * -a times to look like a dashcam plate (characters 12-32 px high, slant
 * and tilt, blur, contrast loss, noise, JPEG) and its glyphs taken again,
 * from the mapped boxes with jitter or from a fresh segmentation, and
 * half of them as the window search of glyph.c cuts them. A
 * one-hidden-layer network is then trained with Adam on minibatches;
 * everything random comes from -s, so a run is repeatable. Defaults:
 * -a 24 -e 12 -n 96 -s 1 (-b 4), the settings of each of the shipped model's
 * two networks (scripts/train-ocr trains them with -s 1 and -s 2).
 * Blotchy noise crops, segmented, add to the noise class. -S adds the
 * drawn plates of SYNTHDIR (the same layout, scripts/synth-plates), all
 * of them, each degraded only -b times (default 4), so that the real
 * glyphs still dominate.
 * -i I/K writes the network as the I-th (from 0) of a model of K
 * (default 0/1): a model of several is their files one after the other,
 * in order (scripts/train-ocr).
 * -C trains nothing: it takes the held-out tenth, degraded the same way,
 * and prints how often MODEL reads each pair of characters as each other.
 * -E trains nothing either: it reads the held-out plates, each degraded -a
 * times, whole with MODEL and decodes them with the plate formats of -p
 * (default: none), and prints how many it reads exactly and how many
 * have the right string among the top 10 candidates: a measure of the
 * reader on plates the model never saw, many times larger than the bench.
 * With -w it also writes each degraded plate into DIR as the bench's
 * photos are (N-A.png beside N-A.txt, "N-A.png 0 0 W H PLATE", the box
 * the whole crop), for alpr-ocr to read: scripts/fit-calibration fits the
 * calibration on them besides the bench's tuning half.
 */
#pragma GCC optimize("O3")
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define NF ALPR_GLYPH_NFEAT
#define CLASSES "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ~"
#define MAXBOX ALPR_SEG_MAX
#define NEGMAX 64
#define MAXPL 8192

struct plate {
	struct Pix *pix;
	char label[MAXBOX + 1];
	int n, dark;
	float box[MAXBOX][4];	/* crop pixels */
	int nneg;
	float neg[NEGMAX][4];
	float lineh, top, bot;
};

static int naug = 24, nsaug = 4, epochs = 12, nhid = 96;
static int heldout;	/* -C, -E: read only the held-out tenth */
static const char *wdir;	/* -E -w: write the degraded plates there */
static unsigned long long seed = 1;
static int tty;

static struct plate *pl;
static int npl, nreal;
static float *X;
static unsigned char *Y;
static size_t nx, capx;

static unsigned long long
rnd(void)
{
	unsigned long long z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
unif(double a, double b)
{
	return a + (b - a) * (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static double
gauss(void)
{
	double u = unif(1e-12, 1), v = unif(0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int
classof(char c)
{
	const char *p;

	c = c == 'O' ? '0' : c == 'I' ? '1' : c;
	p = strchr(CLASSES, c);
	return p && c ? (int)(p - CLASSES) : -1;
}

static float
iou(const float *a, const float *b, float *inter_over_a)
{
	float x0 = fmaxf(a[0], b[0]), y0 = fmaxf(a[1], b[1]);
	float x1 = fminf(a[0] + a[2], b[0] + b[2]);
	float y1 = fminf(a[1] + a[3], b[1] + b[3]);
	float in = (x1 > x0 && y1 > y0) ? (x1 - x0) * (y1 - y0) : 0;

	*inter_over_a = in / (a[2] * a[3] + 1e-6f);
	return in / (a[2] * a[3] + b[2] * b[3] - in + 1e-6f);
}

static void
addneg(struct plate *p, const float *b)
{
	float io, ia;
	int i;

	for (i = 0; i < p->n; i++) {
		io = iou(b, p->box[i], &ia);
		if (io > 0.3f || ia > 0.7f)
			return;
	}
	for (i = 0; i < p->nneg; i++)
		if (iou(b, p->neg[i], &ia) > 0.8f)
			return;
	if (p->nneg < NEGMAX)
		memcpy(p->neg[p->nneg++], b, sizeof(float) * 4);
}

/* Segment a clean crop and label its glyphs; 0 when no candidate fits. */
static int
label(struct plate *p)
{
	struct alpr_segimg im;
	struct alpr_seg seg[16];
	int n, i, j, k, len = strlen(p->label), got = -1, cb[4];
	float s, b[4];

	if (alpr_segimg_init(p->pix, &im) < 0)
		return 0;
	n = alpr_segment(&im, seg, 8, ALPR_SEG_STRICT);
	n += alpr_segment(&im, seg + n, 8, 0);
	s = im.scale;
	for (i = 0; i < n && got < 0; i++)
		if (seg[i].n == len)
			got = i;
	if (got >= 0) {
		p->n = len;
		p->dark = seg[got].dark;
		p->lineh = seg[got].lineh / s;
		p->top = seg[got].top / s;
		p->bot = seg[got].bot / s;
		for (k = 0; k < len; k++) {
			alpr_segimg_tocrop(&im, seg[got].box[k], cb);
			for (j = 0; j < 4; j++)
				p->box[k][j] = cb[j];
		}
		for (i = 0; i < n; i++)
			for (k = 0; k < seg[i].n; k++) {
				alpr_segimg_tocrop(&im, seg[i].box[k], cb);
				for (j = 0; j < 4; j++)
					b[j] = cb[j];
				addneg(p, b);
			}
		/* Two glyphs at once must read as noise too. */
		for (k = 0; k + 1 < len && p->nneg < NEGMAX; k++) {
			float *a = p->box[k], *c = p->box[k + 1];
			float *d = p->neg[p->nneg++];
			d[0] = a[0];
			d[1] = fminf(a[1], c[1]);
			d[2] = c[0] + c[2] - a[0];
			d[3] = fmaxf(a[1] + a[3], c[1] + c[3]) - d[1];
		}
	}
	alpr_segimg_free(&im);
	return got >= 0;
}

static void
addsample(const float *f, int cls)
{
	if (nx == capx) {
		capx = capx ? 2 * capx : 65536;
		X = alpr_realloc(X, capx * NF * sizeof(float));
		Y = alpr_realloc(Y, capx);
	}
	memcpy(X + nx * NF, f, NF * sizeof(float));
	Y[nx++] = cls;
}

/* How a degraded copy maps crop pixels: scale, then shear and rotate
 * about the centre. */
struct geom {
	float fs, k, cs, sn, cx, cy;
};

static void
fwd(const struct geom *g, float x, float y, float *ox, float *oy)
{
	float u = x * g->fs - g->cx, v = y * g->fs - g->cy;

	u += g->k * v;
	*ox = g->cs * u - g->sn * v + g->cx;
	*oy = g->sn * u + g->cs * v + g->cy;
}

/* The box (crop pixels) mapped into the degraded copy, times s. */
static void
mapbox(const struct geom *g, const float *b, const struct alpr_segimg *im,
    int *out)
{
	float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f, x, y;
	int i;

	for (i = 0; i < 4; i++) {
		fwd(g, b[0] + (i & 1) * b[2], b[1] + (i >> 1) * b[3], &x, &y);
		x0 = fminf(x0, x);
		y0 = fminf(y0, y);
		x1 = fmaxf(x1, x);
		y1 = fmaxf(y1, y);
	}
	/* A slanted glyph's ink does not fill its sheared box's corners. */
	float shrink = 0.35f * fabsf(g->k) * b[3] * g->fs;
	x0 += shrink;
	x1 -= shrink;
	{
		float cb[4] = { x0, y0, x1 - x0, y1 - y0 };
		alpr_segimg_fromcrop(im, cb, out);
	}
}

/* Shear and rotate an 8 bpp image in place (bilinear, edges repeated). */
static struct Pix *
warp(struct Pix *a, const struct geom *g)
{
	int w = pixGetWidth(a), h = pixGetHeight(a), x, y, wpl = pixGetWpl(a);
	struct Pix *b = pixCreate(w, h, 8);
	l_uint32 *sd = pixGetData(a), *dd = pixGetData(b);

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			float u = x - g->cx, v = y - g->cy, su, sv, fx, fy;
			int x0, y0, x1, y1;
			su = g->cs * u + g->sn * v;
			sv = -g->sn * u + g->cs * v;
			su -= g->k * sv;
			su += g->cx;
			sv += g->cy;
			su = su < 0 ? 0 : su > w - 1 ? w - 1 : su;
			sv = sv < 0 ? 0 : sv > h - 1 ? h - 1 : sv;
			x0 = (int)su;
			y0 = (int)sv;
			x1 = x0 + 1 < w ? x0 + 1 : x0;
			y1 = y0 + 1 < h ? y0 + 1 : y0;
			fx = su - x0;
			fy = sv - y0;
			float p00 = GET_DATA_BYTE(sd + y0 * wpl, x0);
			float p01 = GET_DATA_BYTE(sd + y0 * wpl, x1);
			float p10 = GET_DATA_BYTE(sd + y1 * wpl, x0);
			float p11 = GET_DATA_BYTE(sd + y1 * wpl, x1);
			float t = p00 + fx * (p01 - p00), bb = p10 + fx * (p11 - p10);
			SET_DATA_BYTE(dd + y * wpl, x, (int)(t + fy * (bb - t) + 0.5f));
		}
	return b;
}

/* A dashcam-like copy of the crop: small, slanted, tilted, soft, flat,
 * noisy, JPEG'd. */
static struct Pix *
degrade(struct Pix *src, float lineh, struct geom *g)
{
	struct Pix *a, *b;
	float f = unif(12, 32) / lineh, ang;
	int w, h, x, y, wpl;
	l_uint32 *data;
	double c = unif(0.3, 1), off = unif(-50, 50), sig = unif(0, 10), m;

	if (f > 1)
		f = 1;
	a = pixScale(src, f, f);
	g->fs = (float)pixGetHeight(a) / pixGetHeight(src);
	g->k = unif(0, 1) < 0.7 ? unif(-0.3, 0.3) : 0;
	ang = unif(0, 1) < 0.6 ? unif(-0.08, 0.08) : 0;
	g->cs = cosf(ang);
	g->sn = sinf(ang);
	g->cx = pixGetWidth(a) / 2.0f;
	g->cy = pixGetHeight(a) / 2.0f;
	if (g->k != 0 || ang != 0) {
		b = warp(a, g);
		pixDestroy(&a);
		a = b;
	}
	if (unif(0, 1) < 0.5) {
		b = pixBlockconv(a, 1, 1);
		pixDestroy(&a);
		a = b;
	}
	w = pixGetWidth(a);
	h = pixGetHeight(a);
	data = pixGetData(a);
	wpl = pixGetWpl(a);
	m = unif(90, 170);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			double v = GET_DATA_BYTE(data + y * wpl, x);
			v = m + c * (v - m) + off + sig * gauss();
			v = v < 0 ? 0 : v > 255 ? 255 : v;
			SET_DATA_BYTE(data + y * wpl, x, (int)(v + 0.5));
		}
	if (unif(0, 1) < 0.8) {
		l_uint8 *jp;
		size_t jn;
		if (pixWriteMemJpeg(&jp, &jn, a, (int)unif(20, 90), 0) == 0) {
			b = pixReadMemJpeg(jp, jn, 0, 1, NULL, 0);
			free(jp);
			if (b) {
				pixDestroy(&a);
				a = pixGetDepth(b) == 8 ? b : pixConvertTo8(b, 0);
				if (a != b)
					pixDestroy(&b);
			}
		}
	}
	return a;
}

static void
samples(struct plate *p, int aug)
{
	struct Pix *pix;
	struct alpr_segimg im;
	struct alpr_seg seg, cand[16];
	struct geom g = { 1, 0, 1, 0, 0, 0 };
	float s, f[NF];
	int i, k, n, own = 0, nneg;
	int bx[4];

	pix = aug ? degrade(p->pix, p->lineh, &g) : pixClone(p->pix);
	if (alpr_segimg_init(pix, &im) < 0) {
		pixDestroy(&pix);
		return;
	}
	s = im.scale;
	memset(&seg, 0, sizeof(seg));
	seg.dark = p->dark;
	{
		/* The line: the mapped band's top and bottom at the centre. */
		float band[4] = { pixGetWidth(p->pix) / 2.0f - 1, p->top, 2,
		    p->bot - p->top }, ls;
		int lb[4];
		mapbox(&g, band, &im, lb);
		ls = g.fs * s;
		seg.lineh = (int)(p->lineh * ls + 0.5f);
		seg.top = lb[1] + (lb[3] - seg.lineh) / 2;
		seg.bot = seg.top + seg.lineh - 1;
	}
	if (aug && unif(0, 1) < 0.5) {
		n = alpr_segment(&im, cand, 8, 0);
		n += alpr_segment(&im, cand + n, 8, ALPR_SEG_STRICT);
		for (i = 0; i < n && !own; i++)
			if (cand[i].n == p->n && cand[i].dark == p->dark) {
				seg = cand[i];
				own = 1;
			}
	}
	for (k = 0; k < p->n; k++) {
		if (!own) {
			mapbox(&g, p->box[k], &im, bx);
			if (aug) {
				float jit = 0.04f * bx[3];
				int dx0 = (int)lrint(gauss() * jit);
				int dy0 = (int)lrint(gauss() * jit);
				bx[0] += dx0;
				bx[1] += dy0;
				bx[2] += (int)lrint(gauss() * jit) - dx0;
				bx[3] += (int)lrint(gauss() * jit) - dy0;
				if (bx[2] < 2) bx[2] = 2;
				if (bx[3] < 4) bx[3] = 4;
			}
			memcpy(seg.box[k], bx, sizeof(bx));
		}
		alpr_glyph_features(&im, &seg, seg.box[k], f);
		addsample(f, classof(p->label[k]));
	}
	/*
	 * Half the glyphs again as the window search (glyph.c's fill) cuts
	 * them: a window as wide as the plate's wider glyphs and as high as
	 * the line, centred near the glyph; and windows centred between two
	 * glyphs, halves of each, as noise. Measured with bench-recognition,
	 * seeds 1 and 2: the right string among the candidates 91 and 93
	 * plates without them, 95 and 96 with them.
	 */
	if (p->n >= 3) {
		int ws[MAXBOX], ys[MAXBOX], hs[MAXBOX], mw, wy, wh, cx;
		for (k = 0; k < p->n; k++) {
			ws[k] = seg.box[k][2];
			ys[k] = seg.box[k][1];
			hs[k] = seg.box[k][3];
		}
		qsort(ws, p->n, sizeof(int), alpr_intcmp);
		qsort(ys, p->n, sizeof(int), alpr_intcmp);
		qsort(hs, p->n, sizeof(int), alpr_intcmp);
		mw = ws[p->n * 2 / 3], wy = ys[p->n / 2], wh = hs[p->n / 2];
		for (k = 0; k < p->n; k++) {
			if (unif(0, 1) < 0.5)
				continue;
			cx = seg.box[k][0] + seg.box[k][2] / 2 +
			    (int)lrint(gauss() * 0.08 * mw);
			bx[0] = cx - mw / 2, bx[1] = wy, bx[2] = mw, bx[3] = wh;
			alpr_glyph_features(&im, &seg, bx, f);
			addsample(f, classof(p->label[k]));
		}
		for (k = 0; k + 1 < p->n; k++) {
			if (unif(0, 1) < 0.7)
				continue;
			cx = (seg.box[k][0] + seg.box[k][2] / 2 +
			    seg.box[k + 1][0] + seg.box[k + 1][2] / 2) / 2;
			bx[0] = cx - mw / 2, bx[1] = wy, bx[2] = mw, bx[3] = wh;
			alpr_glyph_features(&im, &seg, bx, f);
			addsample(f, classof(ALPR_GLYPH_NOISE));
		}
	}
	/* A few noise boxes each time: about a third of the samples. */
	nneg = p->n / 2 + 1;
	for (i = 0; i < nneg && p->nneg; i++) {
		k = rnd() % p->nneg;
		mapbox(&g, p->neg[k], &im, bx);
		if (bx[2] < 1 || bx[3] < 1)
			continue;
		alpr_glyph_features(&im, &seg, bx, f);
		addsample(f, classof(ALPR_GLYPH_NOISE));
	}
	alpr_segimg_free(&im);
	pixDestroy(&pix);
}

/* Blotchy noise, segmented: whatever it yields is no glyph. */
static void
noisesamples(void)
{
	int cw = 20 + rnd() % 60, ch = 8 + rnd() % 30, x, y, i, k, n;
	float sc = unif(2, 8), f[NF];
	struct Pix *a = pixCreate(cw, ch, 8), *b;
	struct alpr_segimg im;
	struct alpr_seg seg[8];

	for (y = 0; y < ch; y++)
		for (x = 0; x < cw; x++)
			pixSetPixel(a, x, y, rnd() & 255);
	b = pixScale(a, sc, sc);
	pixDestroy(&a);
	if (alpr_segimg_init(b, &im) == 0) {
		n = alpr_segment(&im, seg, 8, 0);
		for (i = 0; i < n && i < 2; i++)
			for (k = 0; k < seg[i].n && k < 2; k++) {
				alpr_glyph_features(&im, &seg[i],
				    seg[i].box[rnd() % seg[i].n], f);
				addsample(f, classof(ALPR_GLYPH_NOISE));
			}
		alpr_segimg_free(&im);
	}
	pixDestroy(&b);
}

static void
readplates(const char *dir, int synth)
{
	char path[4096], line[256], *file, *state, *plate, err[256];
	FILE *f;
	unsigned long ln = 0;
	int tot = 0, unl = 0, i, bad;

	snprintf(path, sizeof(path), "%s/groundtruth.csv", dir);
	if (!(f = fopen(path, "r")))
		alpr_die(ALPR_EXIT_SYS, "unable to open %s:", path);
	if (!pl)
		pl = alpr_calloc(MAXPL, sizeof(*pl));
	while (fgets(line, sizeof(line), f) && npl < MAXPL) {
		ln++;
		line[strcspn(line, "\r\n")] = 0;
		file = strtok(line, ",");
		state = strtok(NULL, ",");
		plate = strtok(NULL, ",");
		if (!file || !state || !plate) {
			alpr_fail("%s/groundtruth.csv:%lu: want FILE,STATE,PLATE",
			    dir, ln);
			continue;
		}
		if (!strcmp(file, "FILE") ||
		    (!synth && alpr_glyph_holdout(file) != heldout))
			continue;
		for (i = bad = 0; plate[i]; i++)
			bad |= classof(plate[i]) < 0 ||
			    plate[i] == ALPR_GLYPH_NOISE;
		if (bad || strlen(plate) > MAXBOX) {
			alpr_fail("%s/groundtruth.csv:%lu: bad plate '%s'", dir,
			    ln, plate);
			continue;
		}
		tot++;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (!(pl[npl].pix = alpr_image_load(path, 1, 1, err,
		    sizeof err))) {
			alpr_fail("%s", err);
			continue;
		}
		strcpy(pl[npl].label, plate);
		if (label(&pl[npl]))
			npl++;
		else {
			unl++;
			pixDestroy(&pl[npl].pix);
		}
	}
	fclose(f);
	printf("%s plates: %d, labelled by segmentation: %d (%.1f%%)\n",
	    synth ? "synthetic" : "training", tot, npl - nreal,
	    tot ? 100.0 * (npl - nreal) / tot : 0);
}

/* The network and its Adam state. */
static float *w1, *b1, *w2, *b2, *mu, *sd;
static float *g1, *gb1, *g2, *gb2;
static float *m1, *v1, *mb1, *vb1, *m2, *v2, *mb2, *vb2;

static void
adam(float *w, float *g, float *m, float *v, size_t n, float lr, int t,
    float wd)
{
	const float B1 = 0.9f, B2 = 0.999f;
	float c1 = 1 - powf(B1, t), c2 = 1 - powf(B2, t);
	size_t i;

	for (i = 0; i < n; i++) {
		float gi = g[i] + wd * w[i];
		m[i] = B1 * m[i] + (1 - B1) * gi;
		v[i] = B2 * v[i] + (1 - B2) * gi * gi;
		w[i] -= lr * (m[i] / c1) / (sqrtf(v[i] / c2) + 1e-8f);
		g[i] = 0;
	}
}

static void
train(void)
{
	int nout = strlen(CLASSES), e, t = 0, bs = 64;
	size_t i, j, k, *idx = alpr_malloc(sizeof(size_t) * nx);
	float *x = alpr_malloc(sizeof(float) * NF);
	float *h = alpr_malloc(sizeof(float) * nhid);
	float *dh = alpr_malloc(sizeof(float) * nhid);
	float z[64], scale;
	double loss;
	long right;
	time_t t0 = time(NULL);

#define A(n) alpr_calloc((n), sizeof(float))
	w1 = A((size_t)nhid * NF); b1 = A(nhid); w2 = A((size_t)nout * nhid);
	b2 = A(nout); mu = A(NF); sd = A(NF);
	g1 = A((size_t)nhid * NF); gb1 = A(nhid); g2 = A((size_t)nout * nhid);
	gb2 = A(nout);
	m1 = A((size_t)nhid * NF); v1 = A((size_t)nhid * NF); mb1 = A(nhid);
	vb1 = A(nhid); m2 = A((size_t)nout * nhid); v2 = A((size_t)nout * nhid);
	mb2 = A(nout); vb2 = A(nout);
	for (i = 0; i < nx; i++)
		for (j = 0; j < NF; j++)
			mu[j] += X[i * NF + j] / nx;
	for (i = 0; i < nx; i++)
		for (j = 0; j < NF; j++) {
			float d = X[i * NF + j] - mu[j];
			sd[j] += d * d / nx;
		}
	for (j = 0; j < NF; j++)
		sd[j] = sqrtf(sd[j]) + 0.05f;
	for (i = 0; i < nx; i++)
		for (j = 0; j < NF; j++)
			X[i * NF + j] = (X[i * NF + j] - mu[j]) / sd[j];
	scale = sqrtf(2.0f / NF);
	for (i = 0; i < (size_t)nhid * NF; i++)
		w1[i] = scale * gauss();
	scale = sqrtf(2.0f / nhid);
	for (i = 0; i < (size_t)nout * nhid; i++)
		w2[i] = scale * gauss() * 0.5f;
	for (i = 0; i < nx; i++)
		idx[i] = i;
	for (e = 0; e < epochs; e++) {
		float lr = 1e-3f * (e < epochs * 2 / 3 ? 1 : 0.2f);
		for (i = nx - 1; i > 0; i--) {
			size_t r = rnd() % (i + 1), tmp = idx[i];
			idx[i] = idx[r];
			idx[r] = tmp;
		}
		loss = 0;
		right = 0;
		for (i = 0; i < nx; i++) {
			const float *xi = X + idx[i] * NF;
			int y = Y[idx[i]], arg = 0;
			float mx = -1e30f, s = 0;
			/* Input dropout of 10% as a regulariser. */
			for (k = 0; k < NF; k++)
				x[k] = (rnd() & 1023) < 102 ? 0 : xi[k] / 0.9f;
			for (j = 0; j < (size_t)nhid; j++) {
				const float *w = w1 + j * NF;
				float a = b1[j];
				for (k = 0; k < NF; k++)
					a += w[k] * x[k];
				h[j] = a > 0 ? a : 0;
			}
			for (j = 0; j < (size_t)nout; j++) {
				const float *w = w2 + j * nhid;
				float a = b2[j];
				for (k = 0; k < (size_t)nhid; k++)
					a += w[k] * h[k];
				z[j] = a;
				if (a > mx) {
					mx = a;
					arg = j;
				}
			}
			for (j = 0; j < (size_t)nout; j++)
				s += z[j] = expf(z[j] - mx);
			for (j = 0; j < (size_t)nout; j++)
				z[j] /= s;
			loss -= logf(z[y] + 1e-12f);
			right += arg == y;
			z[y] -= 1;
			memset(dh, 0, sizeof(float) * nhid);
			for (j = 0; j < (size_t)nout; j++) {
				float *w = w2 + j * nhid, *g = g2 + j * nhid;
				gb2[j] += z[j];
				for (k = 0; k < (size_t)nhid; k++) {
					g[k] += z[j] * h[k];
					dh[k] += z[j] * w[k];
				}
			}
			for (j = 0; j < (size_t)nhid; j++) {
				float d = h[j] > 0 ? dh[j] : 0, *g = g1 + j * NF;
				if (d == 0)
					continue;
				gb1[j] += d;
				for (k = 0; k < NF; k++)
					g[k] += d * x[k];
			}
			if ((i + 1) % bs == 0 || i + 1 == nx) {
				float sc = 1.0f / bs;
				t++;
				for (k = 0; k < (size_t)nhid * NF; k++)
					g1[k] *= sc;
				for (k = 0; k < (size_t)nhid; k++)
					gb1[k] *= sc;
				for (k = 0; k < (size_t)nout * nhid; k++)
					g2[k] *= sc;
				for (k = 0; k < (size_t)nout; k++)
					gb2[k] *= sc;
				adam(w1, g1, m1, v1, (size_t)nhid * NF, lr, t, 1e-5f);
				adam(b1, gb1, mb1, vb1, nhid, lr, t, 0);
				adam(w2, g2, m2, v2, (size_t)nout * nhid, lr, t, 1e-5f);
				adam(b2, gb2, mb2, vb2, nout, lr, t, 0);
			}
			if (tty && i % 8192 == 0)
				fprintf(stderr, "\repoch %d/%d: %zu/%zu", e + 1,
				    epochs, i, nx);
		}
		if (tty)
			fprintf(stderr, "\r%40s\r", "");
		printf("epoch %2d: loss %.4f, training accuracy %.2f%%, %lds\n",
		    e + 1, loss / nx, 100.0 * right / nx,
		    (long)(time(NULL) - t0));
		fflush(stdout);
	}
	free(idx);
	free(x);
	free(h);
	free(dh);
}

/*
 * -C: the confusions of a trained model on the held-out tenth, degraded
 * as for training. For each pair of characters, how often one is read as
 * the other (either way), as a share of their glyphs; the pairs read
 * wrong most often are the decoder's confusion classes (plate.c).
 */
static void
confusions(const char *path)
{
	struct alpr_glyph_model *m = alpr_glyph_load(path);
	int nc = strlen(CLASSES), noise = nc - 1, i, j, a, b;
	long cnt[64][64] = {{0}}, tot[64] = {0}, right = 0, all = 0;
	float p[64];
	struct { int a, b; double r; long n; } pr[64 * 64];
	int npr = 0;

	if (!m)
		exit(ALPR_EXIT_SYS);
	for (size_t k = 0; k < nx; k++) {
		if (Y[k] == noise)
			continue;
		alpr_glyph_prob(m, X + k * NF, p);
		for (b = -1, j = 0; j < nc; j++)
			if (j != noise && (b < 0 || p[j] > p[b]))
				b = j;
		cnt[Y[k]][b]++;
		tot[Y[k]]++;
		right += b == Y[k];
		all++;
	}
	for (a = 0; a < noise; a++)
		for (b = a + 1; b < noise; b++)
			if (cnt[a][b] + cnt[b][a] > 0 && tot[a] + tot[b] > 0) {
				pr[npr].a = a, pr[npr].b = b;
				pr[npr].n = cnt[a][b] + cnt[b][a];
				pr[npr].r = (double)pr[npr].n / (tot[a] + tot[b]);
				npr++;
			}
	for (i = 0; i < npr; i++)	/* by rate, highest first */
		for (j = i; j > 0 && pr[j].r > pr[j - 1].r; j--) {
			__typeof__(pr[0]) t = pr[j];
			pr[j] = pr[j - 1], pr[j - 1] = t;
		}
	printf("held-out glyphs: %ld, read right %.1f%% (O=0, I=1)\n", all,
	    all ? 100.0 * right / all : 0);
	printf("pair  read as each other  of glyphs\n");
	for (i = 0; i < npr && i < 24; i++)
		printf("%c%c    %6ld              %5.2f%%\n", CLASSES[pr[i].a],
		    CLASSES[pr[i].b], pr[i].n, 100 * pr[i].r);
	alpr_glyph_free(m);
}

/* -E -w: a degraded plate as a photo of the bench with its truth. */
static void
writeplate(struct Pix *pix, int i, int a, const char *label)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%04d-%02d.png", wdir, i, a);
	if (pixWrite(path, pix, IFF_PNG))
		alpr_die(ALPR_EXIT_SYS, "unable to write %s", path);
	snprintf(path, sizeof path, "%s/%04d-%02d.txt", wdir, i, a);
	if (!(f = fopen(path, "w")))
		alpr_die(ALPR_EXIT_SYS, "unable to write %s:", path);
	fprintf(f, "%04d-%02d.png\t0\t0\t%d\t%d\t%s\n", i, a,
	    pixGetWidth(pix), pixGetHeight(pix), label);
	alpr_fshut(f, path);
}

/* -E: read the held-out plates whole, degraded, and decode them. */
static void
evaluate(const char *path, const char *pfile)
{
	struct alpr_glyph_model *m = alpr_glyph_load(path);
	struct alpr_patterns *pt = NULL;
	struct alpr_chars c;
	struct alpr_cand cand[10];
	struct geom g;
	struct Pix *pix;
	char err[256];
	long reads = 0, exact = 0, top10 = 0;
	int i, a, k, n;

	if (!m)
		exit(ALPR_EXIT_SYS);
	if (pfile && !(pt = alpr_patterns_load(pfile, err, sizeof err)))
		alpr_die(ALPR_EXIT_SYS, "%s", err);
	for (i = 0; i < npl; i++)
		for (a = 1; a <= naug; a++) {
			pix = degrade(pl[i].pix, pl[i].lineh, &g);
			if (wdir)
				writeplate(pix, i, a, pl[i].label);
			n = alpr_glyph_read(m, pix, &c) ?
			    alpr_plate_decode(pt, &c, cand, 10) : 0;
			pixDestroy(&pix);
			reads++;
			for (k = 0; k < n; k++)
				if (!strcmp(cand[k].plate, pl[i].label)) {
					exact += k == 0;
					top10++;
				}
		}
	printf("held-out plates: %d, read %d times each, degraded\n", npl, naug);
	printf("  %-36s %6.1f%%\n", "read exactly (top 1)",
	    reads ? 100.0 * exact / reads : 0);
	printf("  %-36s %6.1f%%\n", "right string among the top 10",
	    reads ? 100.0 * top10 / reads : 0);
	alpr_patterns_free(pt);
	alpr_glyph_free(m);
}

static void
usage(const char *why)
{
	if (why)
		fprintf(stderr, "glyph-train: %s\n", why);
	fprintf(stderr, "usage: glyph-train [-a augment] [-e epochs] "
	    "[-i I/K] [-n hidden] [-s seed]\n\t[-S synthdir [-b augment]] "
	    "-t traindir -o model\n"
	    "       glyph-train [-a augment] [-s seed] -C model -t traindir\n"
	    "       glyph-train [-a augment] [-s seed] [-p patterns] [-w dir] "
	    "-E model -t traindir\n");
	exit(ALPR_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *sdir = NULL, *cmodel = NULL;
	const char *emodel = NULL, *pfile = NULL;
	int c, i, a, nc, cnt[64] = {0}, netidx = 0, netcount = 1;
	time_t t0 = time(NULL);

	alpr_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "a:b:C:E:e:i:n:o:p:s:S:t:w:")) != -1)
		switch (c) {
		case 'a': naug = alpr_strtonum(optarg, 0, 1000, "-a"); break;
		case 'b': nsaug = alpr_strtonum(optarg, 0, 1000, "-b"); break;
		case 'S': sdir = optarg; break;
		case 'C': cmodel = optarg; heldout = 1; break;
		case 'E': emodel = optarg; heldout = 1; break;
		case 'p': pfile = optarg; break;
		case 'e': epochs = alpr_strtonum(optarg, 1, 1000, "-e"); break;
		case 'i':
			if (sscanf(optarg, "%d/%d%n", &netidx, &netcount, &nc) != 2 ||
			    optarg[nc] || netcount < 1 || netcount > 64 ||
			    netidx < 0 || netidx >= netcount)
				usage("-i wants I/K, 0 <= I < K <= 64");
			break;
		case 'n': nhid = alpr_strtonum(optarg, 8, 4096, "-n"); break;
		case 'o': out = optarg; break;
		case 's': seed = alpr_strtonum(optarg, 0, 1L << 30, "-s"); break;
		case 't': dir = optarg; break;
		case 'w': wdir = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc || !dir || (!out && !cmodel && !emodel))
		usage("give -t traindir and -o model, or -C model");
	tty = isatty(2);
	readplates(dir, 0);
	if (!npl)
		alpr_die(ALPR_EXIT_FAIL, "no plate could be labelled");
	if (emodel) {
		evaluate(emodel, pfile);
		alpr_fshut(stdout, "<stdout>");
		return alpr_status;
	}
	nreal = npl;
	if (sdir)
		readplates(sdir, 1);
	for (i = 0; i < npl; i++) {
		for (a = 0; a <= (i < nreal ? naug : nsaug); a++) {
			samples(&pl[i], a);
			if (a % 4 == 3)
				noisesamples();
		}
		if (tty)
			fprintf(stderr, "\rsamples: plate %d/%d", i + 1, npl);
	}
	if (tty)
		fprintf(stderr, "\r%40s\r", "");
	for (size_t k = 0; k < nx; k++)
		cnt[Y[k]]++;
	printf("samples: %zu (%d noise), %d classes, %d features, %lds\n", nx,
	    cnt[strlen(CLASSES) - 1], (int)strlen(CLASSES), NF,
	    (long)(time(NULL) - t0));
	fflush(stdout);
	if (cmodel) {
		confusions(cmodel);
		alpr_fshut(stdout, "<stdout>");
		return alpr_status;
	}
	train();
	if (alpr_glyph_save(out, netidx, netcount, NF, nhid, CLASSES, mu, sd,
	    w1, b1, w2, b2) < 0)
		alpr_die(ALPR_EXIT_SYS, "unable to write %s:", out);
	printf("model: %s, %d hidden units, trained in %lds\n", out, nhid,
	    (long)(time(NULL) - t0));
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
