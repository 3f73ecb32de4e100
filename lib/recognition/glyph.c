/*
 * glyph.c: the plate-character classifier.
 *
 * Each box of a candidate segmentation (segment.c) becomes a feature
 * vector: the glyph resampled into a 20x32 raster with its aspect kept,
 * ink bright (the plate's polarity undone) and stretched between the 5th
 * and 95th percentiles of its box; a 4x4-cell histogram of 8 signed
 * gradient orientations of that raster; and its width, height and level
 * relative to the text line. A one-hidden-layer network (ReLU, softmax)
 * gives the probabilities of 34 characters (O is read as 0, I as 1) and of
 * a noise class for what is no glyph. A model may hold several such
 * networks, trained alike but for their seeds; a glyph's probabilities
 * are their mean (two networks of 96 hidden units read 72.4% of the
 * held-out training plates exactly, one of 192 69.8%, at the same cost).
 *
 * Reading a crop: every candidate segmentation is classified, noise
 * dropped, and scored by the sum over its glyphs of confidence less tau;
 * where a component was cut in pieces the whole is tried too. The best
 * candidate wins; each of its glyphs takes the mean of its readings in
 * the other binarisations that cut it alike; it adopts confident glyphs
 * that other binarisations found on its line where it has none; then a
 * window the size of its glyphs slides through the holes it left and a
 * pitch past its ends, and the best reading of each is added as a guess,
 * which the decoder may drop (a glyph joined to the frame or a bolt is
 * found this way). Each glyph not read surely is read again with its box
 * nudged by a pixel or two, the probabilities averaged. Fewer than three
 * glyphs is no plate.
 *
 * Model file: one network or more, one after the other, each of them,
 * version 2, all numbers little-endian:
 *	8 bytes	"ALPRGLYF"
 *	u32	version (2)
 *	u32	index	of the network in the model, from 0
 *	u32	count	of the networks of the model
 *	u32	nin	features (must be ALPR_GLYPH_NFEAT)
 *	u32	nhid	hidden units
 *	u32	nout	classes
 *	u32	gw, gh	glyph raster (must be ALPR_GLYPH_GW, ALPR_GLYPH_GH)
 *	nout bytes	the class characters, ALPR_GLYPH_NOISE for noise,
 *		zero-padded to a multiple of 4
 *	f32	mu[nin], sd[nin]	input standardisation
 *	f32	w1[nhid][nin], b1[nhid], w2[nout][nhid], b2[nout]
 *	32 bytes	SHA-256 of the network's bytes before it
 * Each network says which of how many it is, so that a model cut at the
 * end of a network, or given one more, is refused rather than read with
 * fewer or other networks than it was made and calibrated with. Version
 * 1, without index and count (a model of one network trained before),
 * is read as it was: its networks to the end of the file.
 */
/* Hot loops (features and the network): -O3 for glyph.c and segment.c
 * together took 6% off alpr-ocr's CPU time over the bench frames. */
#pragma GCC optimize("O3")
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define MAGIC "ALPRGLYF"
#define VERSION 2
#define MAXCLS 64
#define NCAND 8
#define MINCHARS 3	/* fewer glyphs than this are no plate */
#define ADOPT 0.8f	/* confidence to adopt another candidate's glyph */

struct alpr_glyph_model {
	int nin, nhid, nout;
	char cls[MAXCLS + 1];
	int noise;		/* index of the noise class */
	float *mu, *sd, *w1, *b1, *w2, *b2;
	float *mem;
	struct alpr_glyph_model *next;	/* more networks, averaged */
};

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
wr32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void
rdfloats(const unsigned char *p, float *f, size_t n)
{
	size_t i;
	uint32_t u;

	for (i = 0; i < n; i++) {
		u = rd32(p + 4 * i);
		memcpy(&f[i], &u, 4);
	}
}

static void
wrfloats(unsigned char *p, const float *f, size_t n)
{
	size_t i;
	uint32_t u;

	for (i = 0; i < n; i++) {
		memcpy(&u, &f[i], 4);
		wr32(p + 4 * i, u);
	}
}

static size_t
nfloats(int nin, int nhid, int nout)
{
	return 2 * (size_t)nin + (size_t)nhid * nin + nhid +
	    (size_t)nout * nhid + nout;
}

/* The bytes of a network's header, classes included; *at, where nin
 * is (after the version, or after index and count). */
static size_t
hdrlen(uint32_t ver, int nout, size_t *at)
{
	size_t a = ver >= 2 ? 20 : 12;

	if (at)
		*at = a;
	return a + 5 * 4 + ((size_t)nout + 3) / 4 * 4;
}

int
alpr_glyph_save(const char *path, int index, int count, int nin, int nhid,
    const char *cls, const float *mu, const float *sd, const float *w1,
    const float *b1, const float *w2, const float *b2)
{
	int nout = (int)strlen(cls), r;
	size_t at, hl = hdrlen(VERSION, nout, &at), nf = nfloats(nin, nhid,
	    nout);
	size_t n = hl + 4 * nf + ALPR_HASH;
	unsigned char *p = alpr_calloc(n, 1), *q;

	memcpy(p, MAGIC, 8);
	wr32(p + 8, VERSION);
	wr32(p + 12, index);
	wr32(p + 16, count);
	wr32(p + at, nin);
	wr32(p + at + 4, nhid);
	wr32(p + at + 8, nout);
	wr32(p + at + 12, ALPR_GLYPH_GW);
	wr32(p + at + 16, ALPR_GLYPH_GH);
	memcpy(p + at + 20, cls, nout);
	q = p + hl;
	wrfloats(q, mu, nin), q += 4 * nin;
	wrfloats(q, sd, nin), q += 4 * nin;
	wrfloats(q, w1, (size_t)nhid * nin), q += 4 * (size_t)nhid * nin;
	wrfloats(q, b1, nhid), q += 4 * nhid;
	wrfloats(q, w2, (size_t)nout * nhid), q += 4 * (size_t)nout * nhid;
	wrfloats(q, b2, nout), q += 4 * nout;
	alpr_sha256(q, p, q - p, NULL, 0);
	r = alpr_write_atomic(path, p, n);
	free(p);
	return r;
}

/* The network of the file path that begins at byte off (the k-th, from
 * 0), of the n bytes left; *used, its length; *ver, its version, and
 * *index and *count, which of how many it says it is (version 2). */
static struct alpr_glyph_model *
parse1(const char *path, int k, size_t off, const unsigned char *p,
    size_t n, size_t *used, uint32_t *ver_, uint32_t *index, uint32_t *count)
{
	struct alpr_glyph_model *m;
	unsigned char sum[ALPR_HASH];
	uint32_t ver, nin, nhid, nout;
	size_t hl, nf, at;
	float *f;
	char who[4200];

	if (k)
		snprintf(who, sizeof who, "%s: network %d at byte %zu", path,
		    k + 1, off);
	else
		snprintf(who, sizeof who, "%s", path);
	path = who;
	if (n < 32 || memcmp(p, MAGIC, 8)) {
		alpr_warn("%s: not a glyph model", path);
		return NULL;
	}
	ver = rd32(p + 8);
	if (ver != 1 && ver != VERSION) {
		alpr_warn("%s: glyph model version %u, this program reads 1 "
		    "and %d", path, ver, VERSION);
		return NULL;
	}
	hdrlen(ver, 0, &at);
	if (n < at + 20) {
		alpr_warn("%s: not a glyph model", path);
		return NULL;
	}
	*ver_ = ver;
	*index = ver >= 2 ? rd32(p + 12) : (uint32_t)k;
	*count = ver >= 2 ? rd32(p + 16) : 0;
	nin = rd32(p + at);
	nhid = rd32(p + at + 4);
	nout = rd32(p + at + 8);
	if (nin != ALPR_GLYPH_NFEAT || rd32(p + at + 12) != ALPR_GLYPH_GW ||
	    rd32(p + at + 16) != ALPR_GLYPH_GH || nhid < 1 || nhid > 4096 ||
	    nout < 2 || nout > MAXCLS) {
		alpr_warn("%s: glyph model made for other features "
		    "(%u inputs, %u hidden, %u classes)", path, nin, nhid, nout);
		return NULL;
	}
	hl = hdrlen(ver, nout, NULL);
	nf = nfloats(nin, nhid, nout);
	if (n < hl + 4 * nf + sizeof(sum)) {
		alpr_warn(k ? "%s: %zu bytes left of the file, want %zu: "
		    "truncated or damaged" : "%s: glyph model is %zu bytes, want "
		    "%zu: truncated or damaged", path, n, hl + 4 * nf + sizeof(sum));
		return NULL;
	}
	n = *used = hl + 4 * nf + sizeof(sum);
	alpr_sha256(sum, p, n - sizeof(sum), NULL, 0);
	if (memcmp(sum, p + n - sizeof(sum), sizeof(sum))) {
		alpr_warn("%s: glyph model checksum mismatch: file is corrupt",
		    path);
		return NULL;
	}
	m = alpr_calloc(1, sizeof(*m));
	m->nin = nin;
	m->nhid = nhid;
	m->nout = nout;
	memcpy(m->cls, p + at + 20, nout);
	m->noise = -1;
	for (uint32_t i = 0; i < nout; i++)
		if (m->cls[i] == ALPR_GLYPH_NOISE)
			m->noise = i;
	m->mem = f = alpr_malloc(4 * nf);
	rdfloats(p + hl, f, nf);
	m->mu = f, f += nin;
	m->sd = f, f += nin;
	m->w1 = f, f += (size_t)nhid * nin;
	m->b1 = f, f += nhid;
	m->w2 = f, f += (size_t)nout * nhid;
	m->b2 = f;
	return m;
}

/* One network after another, all of the same classes and version: of
 * version 2, as many as the first says, each saying which it is, and
 * nothing after them; of version 1, to the end of the file. */
static struct alpr_glyph_model *
parse(const char *path, const unsigned char *p, size_t n)
{
	struct alpr_glyph_model *m, *x, **tail;
	uint32_t ver, ver0, index, count, count0;
	size_t used, off = 0;
	int k = 0;

	if (!(m = parse1(path, k, off, p, n, &used, &ver0, &index, &count0)))
		return NULL;
	if (ver0 >= 2 && (count0 < 1 || count0 > 64)) {
		alpr_warn("%s: a model of %u networks, this program reads 1 to "
		    "64", path, count0);
		goto bad;
	}
	if (ver0 >= 2 && index != 0) {
		alpr_warn("%s: network %lu of %u first: not a whole glyph model",
		    path, (unsigned long)index + 1, count0);
		goto bad;
	}
	for (tail = &m->next; ; tail = &x->next) {
		p += used, n -= used, off += used;
		if (ver0 >= 2 && (uint32_t)k + 1 == count0) {
			if (n == 0)
				break;
			alpr_warn("%s: %zu bytes after its last network (%u of "
			    "%u), at byte %zu: not one glyph model", path, n,
			    count0, count0, off);
			goto bad;
		}
		if (n == 0) {
			if (ver0 < 2)
				break;
			alpr_warn("%s: network %d of %u missing: the file ends "
			    "at byte %zu: truncated", path, k + 2, count0, off);
			goto bad;
		}
		if (!(x = parse1(path, ++k, off, p, n, &used, &ver, &index,
		    &count))) {
			alpr_glyph_free(m);
			return NULL;
		}
		*tail = x;
		if (ver != ver0) {
			alpr_warn("%s: network %d at byte %zu is of version %u, "
			    "the first of version %u: not one glyph model", path,
			    k + 1, off, ver, ver0);
			goto bad;
		}
		if (ver0 >= 2 && (index != (uint32_t)k || count != count0)) {
			alpr_warn("%s: network %d at byte %zu says it is network "
			    "%lu of %u: not one glyph model", path, k + 1, off,
			    (unsigned long)index + 1, count);
			goto bad;
		}
		if (x->nout != m->nout || memcmp(x->cls, m->cls, m->nout)) {
			alpr_warn("%s: network %d at byte %zu reads other classes "
			    "than the first", path, k + 1, off);
			goto bad;
		}
	}
	return m;
bad:
	alpr_glyph_free(m);
	return NULL;
}

struct alpr_glyph_model *
alpr_glyph_load(const char *path)
{
	unsigned char *p;
	size_t n;
	struct alpr_glyph_model *m;

	if (alpr_read_file(path, &p, &n) < 0) {
		alpr_warn("unable to read glyph model %s:", path);
		return NULL;
	}
	m = parse(path, p, n);
	free(p);
	return m;
}

void
alpr_glyph_free(struct alpr_glyph_model *m)
{
	struct alpr_glyph_model *x;

	for (; m; m = x) {
		x = m->next;
		free(m->mem);
		free(m);
	}
}

/* A dot product in eight lanes, so that the compiler can vectorise it;
 * built for AVX2 too, chosen when the CPU has it (5% off alpr-ocr's CPU
 * time over the bench frames). */
__attribute__((target_clones("avx2", "default")))
static float
dot(const float *a, const float *b, int n)
{
	float s[8] = {0};
	int i, k;

	for (i = 0; i + 8 <= n; i += 8)
		for (k = 0; k < 8; k++)
			s[k] += a[i + k] * b[i + k];
	for (; i < n; i++)
		s[0] += a[i] * b[i];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static void
prob1(const struct alpr_glyph_model *m, const float *f, float *p)
{
	float x[ALPR_GLYPH_NFEAT], hid[4096], mx = -1e30f, s = 0;
	int i, j;

	for (i = 0; i < m->nin; i++)
		x[i] = (f[i] - m->mu[i]) / m->sd[i];
	for (j = 0; j < m->nhid; j++) {
		float a = m->b1[j] + dot(m->w1 + (size_t)j * m->nin, x, m->nin);
		hid[j] = a > 0 ? a : 0;
	}
	for (j = 0; j < m->nout; j++) {
		float a = m->b2[j] + dot(m->w2 + (size_t)j * m->nhid, hid, m->nhid);
		p[j] = a;
		if (a > mx)
			mx = a;
	}
	for (j = 0; j < m->nout; j++)
		s += p[j] = expf(p[j] - mx);
	for (j = 0; j < m->nout; j++)
		p[j] /= s;
}

void
alpr_glyph_prob(const struct alpr_glyph_model *m, const float *f, float *p)
{
	const struct alpr_glyph_model *x;
	float q[MAXCLS];
	int j, k;

	prob1(m, f, p);
	for (x = m->next, k = 1; x; x = x->next, k++) {
		prob1(x, f, q);
		for (j = 0; j < m->nout; j++)
			p[j] += q[j];
	}
	if (k > 1)
		for (j = 0; j < m->nout; j++)
			p[j] /= k;
}

/* Bilinear sampling at x on an axis of n pixels, edges repeated: the
 * pixel left of x and the weight of the one right of it. */
static void
clampat(float x, int n, int *xi, float *fx)
{
	int i;

	if (x < 0) x = 0;
	if (x > n - 1) x = n - 1;
	i = (int)x;
	if (i >= n - 1) i = n - 2;
	*xi = i;
	*fx = x - i;
}

void
alpr_glyph_features(const struct alpr_segimg *im, const struct alpr_seg *seg,
    const int box[4], float *f)
{
	enum { GW = ALPR_GLYPH_GW, GH = ALPR_GLYPH_GH, SS = 3 };
	int pad = box[3] / 16 + 1, x0, y0, x1, y1, rw, rh, u, v, i, j, k;
	int hist[256] = {0}, cnt, lo = 0, hi = 255, c;
	float s, ox, oy, *r = f, *hog = f + GW * GH, norm = 0, lh;
	float sxf[GW * SS], syf[GH * SS];
	int sxi[GW * SS], syi[GH * SS];
	unsigned char sxok[GW * SS], syok[GH * SS];

	x0 = box[0] - pad < 0 ? 0 : box[0] - pad;
	y0 = box[1] - pad < 0 ? 0 : box[1] - pad;
	x1 = box[0] + box[2] + pad > im->w ? im->w : box[0] + box[2] + pad;
	y1 = box[1] + box[3] + pad > im->h ? im->h : box[1] + box[3] + pad;
	rw = x1 - x0;
	rh = y1 - y0;
	if (rw < 1) rw = 1;
	if (rh < 1) rh = 1;
	for (v = y0; v < y1; v++)
		for (u = x0; u < x1; u++)
			hist[im->px[v * im->w + u]]++;
	cnt = rw * rh;
	for (i = 0, c = 0; i < 256; i++)
		if ((c += hist[i]) * 20 >= cnt) {
			lo = i;
			break;
		}
	for (i = 255, c = 0; i >= 0; i--)
		if ((c += hist[i]) * 20 >= cnt) {
			hi = i;
			break;
		}
	if (hi - lo < 16) {
		int mid = (hi + lo) / 2;
		lo = mid - 8;
		hi = mid + 8;
	}
	s = (float)GH / rh;
	if ((float)GW / rw < s)
		s = (float)GW / rw;
	ox = (GW - rw * s) / 2;
	oy = (GH - rh * s) / 2;
	/* Sample positions and bilinear weights, per column and per row. */
	for (u = 0; u < GW * SS; u++) {
		float gx = u / SS + (u % SS + 0.5f) / SS - ox;
		sxok[u] = !(gx < 0 || gx >= rw * s);
		clampat(x0 + gx / s - 0.5f, im->w, &sxi[u], &sxf[u]);
	}
	for (v = 0; v < GH * SS; v++) {
		float gy = v / SS + (v % SS + 0.5f) / SS - oy;
		syok[v] = !(gy < 0 || gy >= rh * s);
		clampat(y0 + gy / s - 0.5f, im->h, &syi[v], &syf[v]);
	}
	for (v = 0; v < GH; v++)
		for (u = 0; u < GW; u++) {
			float acc = 0;
			int in = 0;
			for (j = v * SS; j < v * SS + SS; j++) {
				const unsigned char *r0, *r1;
				if (!syok[j])
					continue;
				r0 = im->px + syi[j] * im->w;
				r1 = r0 + im->w;
				for (i = u * SS; i < u * SS + SS; i++) {
					int xi = sxi[i];
					float fx = sxf[i], a, b;
					if (!sxok[i])
						continue;
					a = r0[xi] + fx * (r0[xi + 1] - r0[xi]);
					b = r1[xi] + fx * (r1[xi + 1] - r1[xi]);
					acc += a + syf[j] * (b - a);
					in++;
				}
			}
			float val = 0;
			if (in) {
				val = (acc / in - lo) / (hi - lo);
				if (seg->dark)
					val = 1 - val;
				val = val < 0 ? 0 : val > 1 ? 1 : val;
				val = val * in / (SS * SS);
			}
			r[v * GW + u] = val;
		}
	/* Gradient orientation histograms, 4x4 cells of 5x8. */
	memset(hog, 0, sizeof(float) * 128);
	for (v = 1; v < GH - 1; v++)
		for (u = 1; u < GW - 1; u++) {
			float gx = r[v * GW + u + 1] - r[v * GW + u - 1];
			float gy = r[(v + 1) * GW + u] - r[(v - 1) * GW + u];
			float mag = sqrtf(gx * gx + gy * gy), a, fr;
			if (mag < 1e-4f)
				continue;
			a = (atan2f(gy, gx) + (float)M_PI) / (2 * (float)M_PI) * 8;
			k = (int)a;
			fr = a - k;
			k %= 8;
			int cell = (v / 8) * 4 + u / 5;
			hog[cell * 8 + k] += mag * (1 - fr);
			hog[cell * 8 + (k + 1) % 8] += mag * fr;
		}
	for (i = 0; i < 128; i++)
		norm += hog[i] * hog[i];
	norm = sqrtf(norm) + 1e-3f;
	for (i = 0; i < 128; i++)
		hog[i] = hog[i] / norm * 4;
	lh = seg->lineh > 0 ? seg->lineh : 1;
	f[GW * GH + 128] = box[2] / lh;
	f[GW * GH + 129] = box[3] / lh;
	f[GW * GH + 130] = (box[1] + box[3] / 2.0f -
	    (seg->top + seg->bot) / 2.0f) / lh;
}

/*
 * The twins: one class read as two characters, split by their shares in
 * the labels of ../shared/train (O 16 to 0's 316, I 47 to 1's 283). The
 * 0.1 for O of before read one plate fewer of the bench's tuning half,
 * in the pipeline and at the truth boxes (08E6CK as O8E6CK); the held-out
 * training plates read alike.
 */
static const struct { char cls, alt; float share; } twins[] = {
	{ '0', 'O', 0.05f }, { '1', 'I', 0.14f },
};

static void
alts(const struct alpr_glyph_model *m, const float *p, struct alpr_glyph *g)
{
	float q[2 * MAXCLS];
	char ch[2 * MAXCLS];
	int n = 0, i, j, k, best;
	float pn = m->noise >= 0 ? p[m->noise] : 0, den = 1 - pn;

	if (den < 1e-6f)
		den = 1e-6f;
	for (i = 0; i < m->nout; i++) {
		if (i == m->noise)
			continue;
		ch[n] = m->cls[i];
		q[n] = p[i] / den;
		for (k = 0; k < (int)(sizeof(twins) / sizeof(twins[0])); k++)
			if (twins[k].cls == m->cls[i]) {
				ch[n + 1] = twins[k].alt;
				q[n + 1] = q[n] * twins[k].share;
				q[n] -= q[n + 1];
				n++;
			}
		n++;
	}
	g->nalt = 0;
	g->noise = pn > 1e-6f ? pn : 1e-6f;	/* 0 would mean unknown */
	for (j = 0; j < ALPR_MAX_ALTS; j++) {
		best = 0;
		for (i = 1; i < n; i++)
			if (q[i] > q[best])
				best = i;
		g->ch[j] = ch[best];
		g->p[j] = q[best];
		g->nalt++;
		q[best] = -1;
	}
}

/*
 * What a glyph's confidence must beat to add to its candidate's score.
 * Chosen on the tuning half of the bench (scripts/bench-recognition -H
 * tune): 0.6 to 0.75 put the right string among the candidates for 51 of
 * its 57 plates, the 0.55 chosen before on the whole bench 49; since the
 * alternative cuts, 0.55 to 0.75 read alike (40 exact, 50).
 */
static const float tau = 0.65f;

#define NCUT 12		/* alternative cuts kept for a read */
#define DOUBT_CONF 0.15f	/* a box read as noise but as a character at
				 * this or more is kept as a cut */
struct cand {
	int n;
	int box[ALPR_SEG_MAX][4];	/* normalised crop */
	float prob[ALPR_SEG_MAX][MAXCLS];
	float conf[ALPR_SEG_MAX];
	unsigned char opt[ALPR_SEG_MAX];	/* found by fill(): a guess */
	double score;
	int ncut;			/* other cuts of the same line */
	int cbox[NCUT][4];
	float cprob[NCUT][MAXCLS];
	float cconf[NCUT];
};

/* Boxes already read in this crop: candidates share most of them. */
#define NMEMO 256
struct memo {
	int n;
	struct {
		int key[8];
		float p[MAXCLS];
	} e[NMEMO];
};

/*
 * Is a box read (its key: box, polarity, line) within MEMO_TOL pixels of
 * another all round, the same reading to the network? Boxes a pixel
 * apart are the binarisations' commonest difference: taking one for the
 * other saves 5% of alpr-ocr's instructions and reads as many plates of
 * the bench's tuning half and of the held-out training plates.
 */
#define MEMO_TOL 1
static int
near(const int *a, const int *b)
{
	int k;

	if (a[4] != b[4])
		return 0;
	for (k = 0; k < 8; k++)
		if (abs(a[k] - b[k]) > MEMO_TOL)
			return 0;
	return 1;
}

/* Classify box b: its probabilities in p, the best character's in *conf;
 * 0 when it reads as noise. */
static int
classify(const struct alpr_glyph_model *m, const struct alpr_segimg *im,
    const struct alpr_seg *seg, const int *b, float *p, float *conf,
    struct memo *mo)
{
	float f[ALPR_GLYPH_NFEAT];
	int key[8] = { b[0], b[1], b[2], b[3], seg->dark, seg->lineh, seg->top,
	    seg->bot };
	int i, j, arg = 0;

	for (i = 0; i < mo->n; i++)
		if (near(mo->e[i].key, key))
			break;
	if (i < mo->n)
		memcpy(p, mo->e[i].p, sizeof(float) * m->nout);
	else {
		alpr_glyph_features(im, seg, b, f);
		alpr_glyph_prob(m, f, p);
		if (mo->n < NMEMO) {
			memcpy(mo->e[mo->n].key, key, sizeof(key));
			memcpy(mo->e[mo->n++].p, p, sizeof(float) * m->nout);
		}
	}
	*conf = 0;
	for (j = 0; j < m->nout; j++) {
		if (p[j] > p[arg])
			arg = j;
		if (j != m->noise && p[j] > *conf)
			*conf = p[j];
	}
	return arg != m->noise;
}

/* Do boxes a and b span nearly the same columns (IoU in x 0.7 or more)?
 * With a + 1 and b + 1, the same rows. */
static int
samecols(const int *a, const int *b)
{
	int o = (a[0] + a[2] < b[0] + b[2] ? a[0] + a[2] : b[0] + b[2]) -
	    (a[0] > b[0] ? a[0] : b[0]);
	int u = (a[0] + a[2] > b[0] + b[2] ? a[0] + a[2] : b[0] + b[2]) -
	    (a[0] < b[0] ? a[0] : b[0]);

	return u > 0 && 10 * o >= 7 * u;
}

/*
 * Keep box b, read as p with confidence conf, as an alternative cut of
 * c's line, unless c has a glyph or cut of nearly the same columns; when
 * NCUT are kept, the least confident goes.
 */
static void
addcut(struct cand *c, const int *b, const float *p, float conf)
{
	int i, k;

	for (i = 0; i < c->n; i++)
		if (samecols(c->box[i], b))
			return;
	for (i = 0; i < c->ncut; i++)
		if (samecols(c->cbox[i], b))
			return;
	if (c->ncut < NCUT)
		k = c->ncut++;
	else {
		for (i = k = 0; i < NCUT; i++)
			if (c->cconf[i] < c->cconf[k])
				k = i;
		if (c->cconf[k] >= conf)
			return;
	}
	memcpy(c->cbox[k], b, sizeof(c->cbox[0]));
	memcpy(c->cprob[k], p, sizeof(c->cprob[0]));
	c->cconf[k] = conf;
}

/*
 * Classify the boxes of one candidate and score it: the sum over glyphs
 * of their confidence less tau, noise dropped. Where segmentation cut a
 * component into pieces, the whole component is read too and kept
 * instead when it scores better (a wide W, not two glyphs); the other
 * reading is kept as an alternative cut.
 */
static void
judge(const struct alpr_glyph_model *m, const struct alpr_segimg *im,
    const struct alpr_seg *seg, struct cand *c, struct memo *mo)
{
	float wp[MAXCLS], wc, pp[ALPR_SEG_MAX][MAXCLS], pc[ALPR_SEG_MAX];
	int i, j, k, g, np, whole, pb[ALPR_SEG_MAX];
	double ps;

	c->n = 0;
	c->ncut = 0;
	c->score = 0;
	memset(c->opt, 0, sizeof(c->opt));
	for (i = 0; i < seg->n; i = g) {
		for (g = i + 1; g < seg->n && seg->grp[g] == seg->grp[i]; g++)
			;
		/* The pieces cut from one component. */
		for (j = i, np = 0, ps = 0; j < g; j++) {
			if (classify(m, im, seg, seg->box[j], pp[np], &pc[np],
			    mo)) {
				pb[np++] = j;
				ps += pc[np - 1] - tau;
			} else if (pc[np] >= DOUBT_CONF)
				/* likelier noise, but perhaps a glyph */
				addcut(c, seg->box[j], pp[np], pc[np]);
		}
		whole = g - i > 1 && seg->whole[i][2] * 10 <= seg->lineh * 13 &&
		    classify(m, im, seg, seg->whole[i], wp, &wc, mo);
		if (whole && wc - tau > ps) {	/* the whole, pieces as cuts */
			memcpy(c->box[c->n], seg->whole[i], sizeof(c->box[0]));
			memcpy(c->prob[c->n], wp, sizeof(wp));
			c->conf[c->n++] = wc;
			c->score += wc - tau;
			for (k = 0; k < np; k++)
				addcut(c, seg->box[pb[k]], pp[k], pc[k]);
			continue;
		}
		for (k = 0; k < np; k++) {
			memcpy(c->box[c->n], seg->box[pb[k]],
			    sizeof(c->box[0]));
			memcpy(c->prob[c->n], pp[k], sizeof(pp[k]));
			c->conf[c->n++] = pc[k];
		}
		if (whole)
			addcut(c, seg->whole[i], wp, wc);
		c->score += ps;
	}
}

static void
insert(struct cand *b, const int *x, const float *p, float conf, int opt)
{
	int k;

	for (k = b->n; k > 0 && b->box[k - 1][0] > x[0]; k--)
		;
	memmove(b->box[k + 1], b->box[k], sizeof(b->box[0]) * (b->n - k));
	memmove(&b->conf[k + 1], &b->conf[k], sizeof(float) * (b->n - k));
	memmove(&b->opt[k + 1], &b->opt[k], b->n - k);
	memmove(b->prob[k + 1], b->prob[k], sizeof(b->prob[0]) * (b->n - k));
	memcpy(b->box[k], x, sizeof(b->box[0]));
	b->conf[k] = conf;
	b->opt[k] = opt;
	memcpy(b->prob[k], p, sizeof(b->prob[0]));
	b->n++;
}

/*
 * Glyphs that another binarisation found, confidently, on the winner's
 * line where the winner has nothing (a glyph joined to the frame in one
 * binarisation often stands free in another): adopt them. Those where
 * the winner has glyphs of other columns are other cuts of its line.
 */
static void
adopt(const struct alpr_seg *seg, struct cand *c, int n, int bi, float minconf)
{
	struct cand *b = &c[bi];
	const struct alpr_seg *sb = &seg[bi];
	const int *x;
	int i, j, k, ov;

	for (i = 0; i < n; i++) {
		if (i == bi || seg[i].dark != sb->dark)
			continue;
		for (j = 0; j < c[i].n && b->n < ALPR_SEG_MAX; j++) {
			x = c[i].box[j];
			int yc = x[1] + x[3] / 2;
			if (c[i].conf[j] < minconf || yc < sb->top || yc > sb->bot ||
			    x[3] * 10 < sb->lineh * 7)
				continue;
			for (k = ov = 0; k < b->n && !ov; k++) {
				const int *y = b->box[k];
				int l = x[0] > y[0] ? x[0] : y[0];
				int r = x[0] + x[2] < y[0] + y[2] ? x[0] + x[2] : y[0] + y[2];
				ov = r > l;
			}
			if (ov) {	/* another cut of the winner's line */
				addcut(b, x, c[i].prob[j], c[i].conf[j]);
				continue;
			}
			/* Beyond the winner's ends only when close to them. */
			if (x[0] + x[2] + sb->lineh / 2 < b->box[0][0] ||
			    x[0] > b->box[b->n - 1][0] + b->box[b->n - 1][2] +
			    sb->lineh / 2)
				continue;
			insert(b, x, c[i].prob[j], c[i].conf[j], 0);
		}
	}
}

/*
 * The window search of fill(): a hole is searched when it is FILL_GAP of
 * the usual glyph's width or wider, each end FILL_END pitches out, in
 * steps of a third of a glyph; the best window is kept when it reads as a
 * character at FILL_CONF or more. On the tuning half of the bench
 * (scripts/bench-recognition -H tune) 0.25 reads the most plates: 0.1
 * one fewer among the candidates, 0.4 two fewer at top 1, 0.6 four.
 */
#define FILL_GAP	0.8f
#define FILL_END	1.2f
#define FILL_CONF	0.25f
#define FILL_PASSES	2	/* a second pass reaches two glyphs past an end */

/*
 * Where the segmentation left a hole a glyph wide (a glyph joined to the
 * frame, a bolt or a sticker, or too faint to binarise), and a pitch
 * beyond either end, slide a window of the usual glyph's size along the
 * line and keep the reading that is most sure to be a character, marked
 * as a guess: the decoder weighs it against the chance that it is none.
 */
static void
fill(const struct alpr_glyph_model *m, const struct alpr_segimg *im,
    const struct alpr_seg *seg, struct cand *c, struct memo *mo)
{
	int ws[ALPR_SEG_MAX], ys[ALPR_SEG_MAX], hs[ALPR_SEG_MAX];
	int cs[ALPR_SEG_MAX], add[ALPR_SEG_MAX][4], bx[4], best[4];
	int n = c->n, i, mw, y, h, pitch, lo, hi, x, step, nadd = 0;
	float p[MAXCLS], bp[MAXCLS], addp[ALPR_SEG_MAX][MAXCLS];
	float addc[ALPR_SEG_MAX], conf, bc;

	if (n < MINCHARS || n >= ALPR_SEG_MAX - 1)
		return;
	for (i = 0; i < n; i++) {
		ws[i] = c->box[i][2];
		ys[i] = c->box[i][1];
		hs[i] = c->box[i][3];
		cs[i] = i ? (c->box[i][0] + c->box[i][2] / 2) -
		    (c->box[i - 1][0] + c->box[i - 1][2] / 2) : 0;
	}
	qsort(ws, n, sizeof(int), alpr_intcmp);
	qsort(ys, n, sizeof(int), alpr_intcmp);
	qsort(hs, n, sizeof(int), alpr_intcmp);
	qsort(cs + 1, n - 1, sizeof(int), alpr_intcmp);
	mw = ws[n * 2 / 3];	/* above the median: a 1 is narrow */
	y = ys[n / 2];
	h = hs[n / 2];
	pitch = cs[1 + (n - 1) / 2];
	if (mw < 3 || h < 8)
		return;
	if (pitch < mw)
		pitch = mw + mw / 4;
	step = mw / 3 > 1 ? mw / 3 : 1;
	for (i = -1; i < n; i++) {
		lo = i < 0 ? c->box[0][0] - (int)(FILL_END * pitch) :
		    c->box[i][0] + c->box[i][2];
		hi = i < n - 1 ? c->box[i + 1][0] :
		    c->box[i][0] + c->box[i][2] + (int)(FILL_END * pitch);
		if (lo < 0)
			lo = 0;
		if (hi > im->w)
			hi = im->w;
		if (hi - lo < FILL_GAP * mw)
			continue;
		bc = 0;
		for (x = lo; x + mw <= hi; x += step) {
			bx[0] = x, bx[1] = y, bx[2] = mw, bx[3] = h;
			if (!classify(m, im, seg, bx, p, &conf, mo) || conf <= bc)
				continue;
			bc = conf;
			memcpy(best, bx, sizeof(best));
			memcpy(bp, p, sizeof(bp));
		}
		if (bc >= FILL_CONF) {
			memcpy(add[nadd], best, sizeof(best));
			memcpy(addp[nadd], bp, sizeof(bp));
			addc[nadd++] = bc;
		}
	}
	for (i = 0; i < nadd && c->n < ALPR_SEG_MAX; i++)
		insert(c, add[i], addp[i], addc[i], 1);
}

/*
 * Average a glyph's probabilities over its box a pixel or two wider and
 * narrower: a steadier reading of a small blurred glyph. A glyph read at
 * STEADY_CONF or more is left alone (15% of the time, no plate read
 * otherwise on the bench's tuning half; from 0.9 up, too). Boxes taller
 * and shorter as well read no plate more on the tuning half and as many
 * of the held-out training plates (glyph-train -E), for 10% more of
 * alpr-ocr's instructions.
 */
#define STEADY_CONF	0.97f
static void
steady(const struct alpr_glyph_model *m, const struct alpr_segimg *im,
    const struct alpr_seg *seg, const int *b, float *p, struct memo *mo)
{
	static const int d[2][4] = { { -1, 0, 2, 0 }, { 1, 0, -2, 0 } };
	float q[MAXCLS], conf;
	int i, j, k, nb[4];

	for (i = 0; i < 2; i++) {
		for (k = 0; k < 4; k++)
			nb[k] = b[k] + d[i][k] * (b[3] > 30 ? 2 : 1);
		classify(m, im, seg, nb, q, &conf, mo);
		for (j = 0; j < m->nout; j++)
			p[j] += q[j];
	}
	for (j = 0; j < m->nout; j++)
		p[j] /= 3;
}

/*
 * Average each glyph of the winner, c[bi], with the readings that the
 * other binarisations of its polarity gave the same glyph (a box over
 * nearly the same columns and rows, samecols() both ways): an ensemble
 * that costs no reading (0.3% more of alpr-ocr's instructions). On the
 * tuning half of the bench one plate more read exactly at the truth boxes
 * (scripts/bench-ocr -H tune: 42 of 57, 47366J1), as many in the
 * pipeline; of the held-out training plates (glyph-train -E) as many
 * exactly, 83.7% against 83.3% with the right string in the top 10.
 */
static void
pool(const struct alpr_glyph_model *m, const struct alpr_seg *seg,
    struct cand *c, int n, int bi)
{
	struct cand *b = &c[bi];
	float acc[MAXCLS];
	int i, j, k, q, cnt;

	for (k = 0; k < b->n; k++) {
		memcpy(acc, b->prob[k], sizeof(acc));
		cnt = 1;
		for (i = 0; i < n; i++) {
			if (i == bi || seg[i].dark != seg[bi].dark)
				continue;
			for (j = 0; j < c[i].n; j++) {
				const int *x = c[i].box[j], *y = b->box[k];
				if (!samecols(x, y) || !samecols(x + 1, y + 1))
					continue;
				for (q = 0; q < m->nout; q++)
					acc[q] += c[i].prob[j][q];
				cnt++;
				break;
			}
		}
		b->conf[k] = 0;
		for (q = 0; q < m->nout; q++) {
			b->prob[k][q] = acc[q] / cnt;
			if (q != m->noise && b->prob[k][q] > b->conf[k])
				b->conf[k] = b->prob[k][q];
		}
	}
}

/* Glyphs by their left edges, a wider one first. */
static int
glyph_cmp(const void *x, const void *y)
{
	const int *a = ((const struct alpr_glyph *)x)->box;
	const int *b = ((const struct alpr_glyph *)y)->box;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (b[2] > a[2]) - (b[2] < a[2]);
}

int
alpr_glyph_read(const struct alpr_glyph_model *m, struct Pix *crop,
    struct alpr_chars *out)
{
	struct alpr_segimg im;
	struct alpr_seg seg[NCAND];
	struct cand *c, *best = NULL;
	struct memo *mo;
	int n, i, k, bi = 0;

	out->n = 0;
	if (alpr_segimg_init(crop, &im) < 0)
		return 0;
	/* Strict candidates only: the relaxed ones (glyphs joined to a frame)
	 * bring more clutter than glyphs, measured on the bench. */
	n = alpr_segment(&im, seg, NCAND, ALPR_SEG_STRICT);
	c = alpr_malloc(sizeof(*c) * (n ? n : 1));
	mo = alpr_malloc(sizeof(*mo));
	mo->n = 0;
	for (i = 0; i < n; i++) {
		judge(m, &im, &seg[i], &c[i], mo);
		if (c[i].n >= MINCHARS && (!best || c[i].score > best->score)) {
			best = &c[i];
			bi = i;
		}
	}
	if (best) {
		pool(m, seg, c, n, bi);
		adopt(seg, c, n, bi, ADOPT);
		for (i = 0; i < FILL_PASSES; i++)
			fill(m, &im, &seg[bi], best, mo);
		/* Too many: drop the least confident. */
		while (best->n > ALPR_MAX_CHARS) {
			k = 0;
			for (i = 1; i < best->n; i++)
				if (best->conf[i] < best->conf[k])
					k = i;
			memmove(best->box[k], best->box[k + 1],
			    sizeof(best->box[0]) * (best->n - k - 1));
			memmove(&best->conf[k], &best->conf[k + 1],
			    sizeof(float) * (best->n - k - 1));
			memmove(&best->opt[k], &best->opt[k + 1],
			    best->n - k - 1);
			memmove(best->prob[k], best->prob[k + 1],
			    sizeof(best->prob[0]) * (best->n - k - 1));
			best->n--;
		}
		for (i = 0; i < best->n; i++) {
			struct alpr_glyph *g = &out->g[i];
			const int *b = best->box[i];
			if (best->conf[i] < STEADY_CONF)
				steady(m, &im, &seg[bi], b, best->prob[i], mo);
			alts(m, best->prob[i], g);
			g->kind = best->opt[i] ? ALPR_GLYPH_GUESS : ALPR_GLYPH_SEG;
			alpr_segimg_tocrop(&im, b, g->box);
		}
		out->n = best->n;
		for (i = 0; i < best->ncut && out->n < ALPR_MAX_GLYPHS; i++) {
			struct alpr_glyph *g = &out->g[out->n++];
			alts(m, best->cprob[i], g);
			g->kind = ALPR_GLYPH_CUT;
			alpr_segimg_tocrop(&im, best->cbox[i], g->box);
		}
		qsort(out->g, out->n, sizeof(out->g[0]), glyph_cmp);
	}
	free(c);
	free(mo);
	alpr_segimg_free(&im);
	return out->n;
}

int
alpr_glyph_holdout(const char *name)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % 10 == 0;
}
