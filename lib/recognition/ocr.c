/*
 * ocr.c: the Tesseract recognition engine. A grey plate crop is scaled to a
 * fixed height and stretched horizontally, binarised (Sauvola), reduced to
 * the character-shaped connected components on the text line (state names,
 * slogans, frame, bolts and stickers go), and read by Tesseract's LSTM as a
 * single line with a whitelist; every symbol's alternatives are kept.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "alpr.h"

#define OCR_H		80	/* crop height after scaling, pixels */
#define OCR_STRETCH	1.4	/* horizontal stretch */
#define OCR_MARGIN	6	/* white margin around the kept components */
#define OCR_K		0.1	/* Sauvola k: small keeps thin strokes */
#define OCR_WIN		(OCR_H / 5)	/* Sauvola half window */
#define OCR_MINH	0.25	/* least character height, of the crop's */
#define OCR_LINE	0.3	/* character height, of the second crop's */
#define OCR_GAP		0.2	/* least gap between characters, of height */
#define OCR_MINCHARS	3	/* fewer character components: no plate */
#define OCR_MAXCOMP	400	/* more components: noise, no plate */

struct alpr_ocr {
	TessBaseAPI *api;
};

static const char whitelist[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

struct alpr_ocr *
alpr_ocr_open(const char *model, char *err, size_t errlen)
{
	/* Init-time variables: no dictionaries, per-symbol alternatives. */
	char *vars[] = { "load_system_dawg", "load_freq_dawg",
	    "load_punc_dawg", "load_number_dawg", "load_unambig_dawg",
	    "load_bigram_dawg" };
	char *vals[] = { "0", "0", "0", "0", "0", "0" };
	char *dir = NULL, *lang = NULL, *p;
	size_t n;
	struct alpr_ocr *o;

	if (!model || !*model)
		model = "eng";
	n = strlen(model);
	if (strchr(model, '/') || (n > 12 &&
	    !strcmp(model + n - 12, ".traineddata"))) {
		if (n <= 12 || strcmp(model + n - 12, ".traineddata")) {
			snprintf(err, errlen, "%s: not a .traineddata file", model);
			return NULL;
		}
		if (access(model, R_OK) < 0) {
			snprintf(err, errlen, "%s: %s", model, strerror(errno));
			return NULL;
		}
		dir = alpr_strdup(model);
		if ((p = strrchr(dir, '/'))) {
			*p = '\0';
			lang = alpr_strdup(p + 1);
		} else {
			lang = alpr_strdup(dir);
			strcpy(dir, ".");
		}
		lang[strlen(lang) - 12] = '\0';
	} else
		lang = alpr_strdup(model);
	o = alpr_calloc(1, sizeof *o);
	o->api = TessBaseAPICreate();
	if (TessBaseAPIInit4(o->api, dir, lang, OEM_LSTM_ONLY, NULL, 0,
	    vars, vals, sizeof vars / sizeof vars[0], 0) != 0) {
		snprintf(err, errlen, "%s: unable to load Tesseract model", model);
		TessBaseAPIDelete(o->api);
		free(o);
		o = NULL;
	} else {
		TessBaseAPISetPageSegMode(o->api, PSM_SINGLE_LINE);
		TessBaseAPISetVariable(o->api, "tessedit_char_whitelist",
		    whitelist);
		TessBaseAPISetVariable(o->api, "lstm_choice_mode", "2");
		TessBaseAPISetVariable(o->api, "tessedit_do_invert", "0");
		TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
	}
	free(dir);
	free(lang);
	return o;
}

void
alpr_ocr_close(struct alpr_ocr *o)
{
	if (!o)
		return;
	TessBaseAPIEnd(o->api);
	TessBaseAPIDelete(o->api);
	free(o);
}

/*
 * Keep the components that look like characters on one text line: a
 * plausible size, and then the largest group of similar height whose
 * centres line up. Marks keep[i]; returns how many were kept.
 */
static int
line_comps(BOXA *ba, int ih, int *keep)
{
	int i, j, n = boxaGetCount(ba), best = 0, bref = -1;
	int *x, *y, *w, *h, *ok;
	double sum, bsum = 0;

	if (n > OCR_MAXCOMP)
		return 0;
	x = alpr_calloc(4 * n + 1, sizeof *x);
	y = x + n, w = y + n, h = w + n;
	ok = keep;
	for (i = 0; i < n; i++) {
		boxaGetBoxGeometry(ba, i, &x[i], &y[i], &w[i], &h[i]);
		ok[i] = h[i] >= ih * OCR_MINH && h[i] <= ih * 0.95 &&
		    w[i] <= h[i] * 4.0 && w[i] * 12 >= h[i];
	}
	/* The seed of a line is a character of ordinary width, not a stroke
	 * (frame sides and bolts are strokes); strokes count half. */
	for (i = 0; i < n; i++) {
		if (!ok[i] || w[i] * 10 < h[i] * 3 || w[i] > h[i] * 2)
			continue;
		sum = 0;
		for (j = 0; j < n; j++)
			if (ok[j] && abs(h[j] - h[i]) <= h[i] * 0.22 &&
			    fabs((y[j] + h[j] / 2.0) - (y[i] + h[i] / 2.0)) <=
			    h[i] * 0.25)
				sum += w[j] * 10 < h[j] * 3 ? h[j] / 2.0 : h[j];
		if (sum > bsum)
			bsum = sum, bref = i;
	}
	for (best = 0, j = 0; j < n; j++)
		best += keep[j] = bref >= 0 && ok[j] &&
		    abs(h[j] - h[bref]) <= h[bref] * 0.22 &&
		    fabs((y[j] + h[j] / 2.0) - (y[bref] + h[bref] / 2.0)) <=
		    h[bref] * 0.25;
	free(x);
	return best;
}

/*
 * Remove lines longer than any character (plate frame, borders) so that
 * characters touching them become components of their own.
 */
static void
drop_lines(PIX *pixb)
{
	int h = pixGetHeight(pixb);
	PIX *l;

	if ((l = pixOpenBrick(NULL, pixb, h * 6 / 10, 1))) {
		pixSubtract(pixb, pixb, l);
		pixDestroy(&l);
	}
	if ((l = pixOpenBrick(NULL, pixb, 1, h * 7 / 10))) {
		pixSubtract(pixb, pixb, l);
		pixDestroy(&l);
	}
}

static int
bx(BOXA *ba, int i)
{
	int x;

	boxaGetBoxGeometry(ba, i, &x, NULL, NULL, NULL);
	return x;
}

/*
 * The kept components painted left to right on a white image, at least
 * OCR_GAP of their height apart (short pieces, likely of a broken
 * character, keep their places): Tesseract drops touching characters.
 */
static PIX *
layout(BOXA *ba, PIXA *pa, const int *keep)
{
	int i, j, k, t, n = boxaGetCount(ba), *ord, *shift;
	int x, y, w, h, sh, gap, right, mingap, hmax = 0, hprev;
	int x0 = 1 << 30, y0 = 1 << 30, x1 = 0, y1 = 0;
	PIX *out, *pc;

	ord = alpr_calloc(n + 1, sizeof *ord);
	shift = alpr_calloc(n + 1, sizeof *shift);
	for (i = 0, k = 0; i < n; i++)
		if (keep[i])
			ord[k++] = i;
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && bx(ba, ord[j]) < bx(ba, ord[j - 1]); j--)
			t = ord[j], ord[j] = ord[j - 1], ord[j - 1] = t;
	for (i = 0; i < k; i++) {
		boxaGetBoxGeometry(ba, ord[i], NULL, NULL, NULL, &h);
		if (hmax < h)
			hmax = h;
	}
	mingap = hmax * OCR_GAP;
	for (i = 0, right = -(1 << 20), sh = 0, hprev = 0; i < k; i++) {
		boxaGetBoxGeometry(ba, ord[i], &x, &y, &w, &h);
		gap = x + sh - right;
		/* A short piece is likely part of a broken character. */
		if (gap < mingap && gap > -w / 2 && h * 20 > hmax * 17 &&
		    hprev * 20 > hmax * 17)
			sh += mingap - gap;
		hprev = h;
		shift[i] = sh;
		if (x + sh + w > right)
			right = x + sh + w;
		if (x + sh < x0) x0 = x + sh;
		if (y < y0) y0 = y;
		if (x + sh + w > x1) x1 = x + sh + w;
		if (y + h > y1) y1 = y + h;
	}
	out = pixCreate(x1 - x0 + 2 * OCR_MARGIN, y1 - y0 + 2 * OCR_MARGIN, 1);
	for (i = 0; out && i < k; i++) {
		boxaGetBoxGeometry(ba, ord[i], &x, &y, &w, &h);
		pc = pixaGetPix(pa, ord[i], L_CLONE);
		pixRasterop(out, x + shift[i] - x0 + OCR_MARGIN,
		    y - y0 + OCR_MARGIN, w, h, PIX_PAINT, pc, 0, 0);
		pixDestroy(&pc);
	}
	free(shift);
	free(ord);
	return out;
}

/* The character components of binary pixb on one line, or NULL. */
static PIX *
clean_line(PIX *pixb, int *nkept, int ext[4])
{
	BOXA *ba;
	PIXA *pa;
	PIX *out = NULL;
	BOX *bx;
	int *keep, i;

	*nkept = 0;
	drop_lines(pixb);
	if (!(ba = pixConnComp(pixb, &pa, 8)))
		return NULL;
	keep = alpr_calloc(boxaGetCount(ba) + 1, sizeof *keep);
	*nkept = line_comps(ba, pixGetHeight(pixb), keep);
	if (*nkept >= OCR_MINCHARS) {
		out = layout(ba, pa, keep);
		/* The line's extent, x0 y0 x1 y1. */
		ext[0] = ext[1] = 1 << 30, ext[2] = ext[3] = 0;
		for (i = 0; i < boxaGetCount(ba); i++) {
			if (!keep[i] || !(bx = boxaGetBox(ba, i, L_CLONE)))
				continue;
			if (bx->x < ext[0]) ext[0] = bx->x;
			if (bx->y < ext[1]) ext[1] = bx->y;
			if (bx->x + bx->w > ext[2]) ext[2] = bx->x + bx->w;
			if (bx->y + bx->h > ext[3]) ext[3] = bx->y + bx->h;
			boxDestroy(&bx);
		}
	}
	free(keep);
	boxaDestroy(&ba);
	pixaDestroy(&pa);
	return out;
}

/* $ALPR_OCR_DEBUG=PREFIX: write the steps as PREFIX-what.png. */
static void
debug_pix(const char *what, PIX *p)
{
	const char *pre = getenv("ALPR_OCR_DEBUG");
	char path[4096];

	if (!pre || !*pre || !p)
		return;
	snprintf(path, sizeof path, "%s-%s.png", pre, what);
	pixWrite(path, p, IFF_PNG);
}

/* Scale, binarise, keep the text line; its extent in crop8 pixels. */
static PIX *
line_of(PIX *crop8, int *nkept, int ext[4], int dbg)
{
	PIX *g, *b = NULL, *l, *l2;
	int n2, e2[4];
	float s;

	*nkept = 0;
	if (pixGetHeight(crop8) < 6 || pixGetWidth(crop8) < 6)
		return NULL;
	s = (float)OCR_H / pixGetHeight(crop8);
	if (!(g = pixScale(crop8, s * OCR_STRETCH, s)))
		return NULL;
	if (dbg)
		debug_pix("grey", g);
	if (pixSauvolaBinarize(g, OCR_WIN, OCR_K, 1, NULL, NULL, NULL, &b) ||
	    !b) {
		pixDestroy(&g);
		return NULL;
	}
	pixDestroy(&g);
	if (dbg)
		debug_pix("bin", b);
	/* Dark characters on a light plate, mostly; else light on dark. */
	l = clean_line(b, nkept, ext);
	if (*nkept < 4) {
		pixInvert(b, b);
		if ((l2 = clean_line(b, &n2, e2)) && n2 > *nkept) {
			pixDestroy(&l);
			l = l2, *nkept = n2;
			memcpy(ext, e2, sizeof e2);
		} else
			pixDestroy(&l2);
	}
	pixDestroy(&b);
	if (l) {
		ext[0] /= s * OCR_STRETCH, ext[2] /= s * OCR_STRETCH;
		ext[1] /= s, ext[3] /= s;
	}
	return l;
}

/*
 * Detection boxes are loose by varying amounts: find the line once, then
 * again in a crop around it, so that the characters always get the same
 * height, OCR_LINE of the crop's.
 */
static PIX *
prepare(PIX *crop8, int *nkept)
{
	PIX *l, *l2, *c;
	BOX *bx;
	int ext[4], lh, m, n2;

	if (!(l = line_of(crop8, nkept, ext, 0)))
		return NULL;
	lh = ext[3] - ext[1];
	m = lh * (1 / OCR_LINE - 1) / 2;
	bx = boxCreate(ext[0] - lh, ext[1] - m, ext[2] - ext[0] + 2 * lh,
	    lh + 2 * m);
	c = bx ? pixClipRectangle(crop8, bx, NULL) : NULL;
	boxDestroy(&bx);
	if (c && (l2 = line_of(c, &n2, ext, 1))) {
		pixDestroy(&l);
		l = l2, *nkept = n2;
	}
	pixDestroy(&c);
	return l;
}

static void
add_alt(struct alpr_glyph *g, char ch, float p)
{
	int i;

	if (ch >= 'a' && ch <= 'z')
		ch -= 'a' - 'A';
	if (!strchr(whitelist, ch) || !ch)
		return;
	for (i = 0; i < g->nalt; i++)
		if (g->ch[i] == ch) {
			if (p > g->p[i])
				g->p[i] = p;
			return;
		}
	if (g->nalt < ALPR_MAX_ALTS) {
		g->ch[g->nalt] = ch;
		g->p[g->nalt++] = p;
	}
}

/* Sort a glyph's alternatives by probability and normalise them. */
static void
norm_alts(struct alpr_glyph *g)
{
	int i, j;
	float sum = 0, tp;
	char tc;

	for (i = 1; i < g->nalt; i++)
		for (j = i; j > 0 && g->p[j] > g->p[j - 1]; j--) {
			tp = g->p[j], g->p[j] = g->p[j - 1], g->p[j - 1] = tp;
			tc = g->ch[j], g->ch[j] = g->ch[j - 1], g->ch[j - 1] = tc;
		}
	for (i = 0; i < g->nalt; i++)
		sum += g->p[i];
	if (sum > 1)
		for (i = 0; i < g->nalt; i++)
			g->p[i] /= sum;
}

static void
collect(TessBaseAPI *api, struct alpr_chars *out)
{
	TessResultIterator *ri;
	TessChoiceIterator *ci;
	struct alpr_glyph *g;
	const char *t;
	char *s;
	float c;

	if (!(ri = TessBaseAPIGetIterator(api)))
		return;
	do {
		s = TessResultIteratorGetUTF8Text(ri, RIL_SYMBOL);
		if (!s)
			continue;
		if (out->n >= ALPR_MAX_CHARS || !s[0] || s[1] ||
		    !strchr(whitelist, s[0])) {
			TessDeleteText(s);
			continue;
		}
		g = &out->g[out->n];
		memset(g, 0, sizeof *g);
		c = TessResultIteratorConfidence(ri, RIL_SYMBOL);
		add_alt(g, s[0], c / 100);
		TessDeleteText(s);
		TessPageIteratorBoundingBox(
		    TessResultIteratorGetPageIteratorConst(ri), RIL_SYMBOL,
		    &g->box[0], &g->box[1], &g->box[2], &g->box[3]);
		g->box[2] -= g->box[0];
		g->box[3] -= g->box[1];
		if ((ci = TessResultIteratorGetChoiceIterator(ri))) {
			do {
				t = TessChoiceIteratorGetUTF8Text(ci);
				c = TessChoiceIteratorConfidence(ci);
				if (t && t[0] && !t[1])
					add_alt(g, t[0], c / 100);
			} while (TessChoiceIteratorNext(ci));
			TessChoiceIteratorDelete(ci);
		}
		norm_alts(g);
		if (g->nalt)
			out->n++;
	} while (TessResultIteratorNext(ri, RIL_SYMBOL));
	TessResultIteratorDelete(ri);
}

int
alpr_ocr_read(struct alpr_ocr *o, PIX *crop8, struct alpr_chars *out)
{
	PIX *line;
	int nkept;

	out->n = 0;
	if (!(line = prepare(crop8, &nkept)))
		return 0;
	debug_pix("line", line);
	TessBaseAPISetImage2(o->api, line);
	TessBaseAPISetSourceResolution(o->api, 300);
	if (TessBaseAPIRecognize(o->api, NULL) == 0)
		collect(o->api, out);
	TessBaseAPIClear(o->api);
	pixDestroy(&line);
	return out->n;
}
