/*
 * glyph-synth: draw a synthetic plate for the segmentation and reading
 * tests: dark glyphs (Leptonica's built-in bitmap font, scaled to about 40
 * px high) on a light plate with a dark frame, as an 8 bpp PNG.
 *
 *	glyph-synth [-j] [-b blur] [-c percent] [-g gap] [-m margin] TEXT OUT.png
 *	glyph-synth -n OUT.png
 *
 * -g: pixels between glyphs at the final scale; 0 or less makes
 * neighbours touch (default 8). A '_' in TEXT draws two glyphs (the next
 * two) with gap -3, so that they touch while the rest stand apart.
 * -m: a dark surround of that many pixels on every side, as a generous
 * detector box cuts a plate out of a dark car (default 0).
 * -c draws the glyphs that percent of their width (a condensed face).
 * -j joins the first glyph to the frame above it with a bar, as a glyph
 * runs into a frame's lettering.
 * -n draws no plate but 200x100 pixels of blotchy noise (fixed seed).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

static float condense = 1;	/* -c: glyph width factor */

static PIX *
glyph(L_BMF *bmf, char c)
{
	PIX *g, *t, *s;
	BOX *b;

	if (c == ' ')
		return pixCreate(20, 40, 1);
	if ((unsigned char)c > 127 || bmf->fonttab[(int)c] < 0)
		alpr_die(ALPR_EXIT_USAGE, "no glyph for '%c'", c);
	g = pixCopy(NULL, pixaGetPix(bmf->pixa, bmf->fonttab[(int)c], L_CLONE));
	/* Tight box, then scale to 40 rows and thicken the strokes. */
	pixClipToForeground(g, &t, &b);
	pixDestroy(&g);
	boxDestroy(&b);
	s = pixScaleToSize(t, 0, 40);
	if (condense != 1) {
		pixDestroy(&t);
		t = s;
		s = pixScaleToSize(t, (int)(pixGetWidth(t) * condense + 0.5f), 40);
	}
	pixDestroy(&t);
	t = pixDilateBrick(NULL, s, 3, 3);
	pixDestroy(&s);
	return t;
}

static void
noise(const char *path)
{
	PIX *p = pixCreate(50, 25, 8), *big;
	unsigned s = 12345;
	int x, y;

	for (y = 0; y < 25; y++)
		for (x = 0; x < 50; x++) {
			s = s * 1103515245 + 12345;
			pixSetPixel(p, x, y, (s >> 16) & 255);
		}
	big = pixScale(p, 4, 4);
	if (pixWrite(path, big, IFF_PNG))
		alpr_die(ALPR_EXIT_SYS, "unable to write %s", path);
	pixDestroy(&p);
	pixDestroy(&big);
}

int
main(int argc, char **argv)
{
	int gap = 8, blur = 1, c, i, x, w, tw = 0, n, touch = 0, margin = 0;
	int join = 0;
	const char *text;
	L_BMF *bmf;
	PIX *gl[32], *plate, *g8, *out;

	alpr_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "b:c:g:jm:n:")) != -1)
		switch (c) {
		case 'n': noise(optarg); return 0;
		case 'b': blur = alpr_strtonum(optarg, 0, 5, "-b"); break;
		case 'g': gap = alpr_strtonum(optarg, -20, 40, "-g"); break;
		case 'c': condense = alpr_strtonum(optarg, 30, 100, "-c") / 100.0f; break;
		case 'j': join = 1; break;
		case 'm': margin = alpr_strtonum(optarg, 0, 400, "-m"); break;
		default: alpr_die(ALPR_EXIT_USAGE, "usage: glyph-synth [-j] [-b blur] [-c percent] [-g gap] [-m margin] text out.png");
		}
	if (argc - optind != 2)
		alpr_die(ALPR_EXIT_USAGE, "usage: glyph-synth [-j] [-b blur] [-c percent] [-g gap] [-m margin] text out.png");
	text = argv[optind];
	if (!(bmf = bmfCreate(NULL, 20)))
		alpr_die(ALPR_EXIT_SYS, "no bitmap font");
	int gaps[32];
	for (i = n = 0; text[i] && n < 32; i++) {
		if (text[i] == '_') {
			touch = 2;
			continue;
		}
		gl[n] = glyph(bmf, text[i]);
		gaps[n] = touch == 2 ? -3 : gap;
		touch = touch ? touch - 1 : 0;
		tw += pixGetWidth(gl[n]) + (n ? gaps[n] : 0);
		n++;
	}
	w = tw + 60;
	plate = pixCreate(w, 100, 1);
	/* The frame: a 3 px border. */
	{
		BOX *fr = boxCreate(2, 2, w - 4, 96);
		pixRenderBox(plate, fr, 3, L_SET_PIXELS);
		boxDestroy(&fr);
	}
	for (i = 0, x = 30; i < n; i++) {
		if (i)
			x += gaps[i];
		pixRasterop(plate, x, 30, pixGetWidth(gl[i]), 40, PIX_PAINT,
		    gl[i], 0, 0);
		if (join && i == 0)
			pixRasterop(plate, x + pixGetWidth(gl[i]) / 2 - 2, 2, 5,
			    30, PIX_SET, NULL, 0, 0);
		x += pixGetWidth(gl[i]);
		pixDestroy(&gl[i]);
	}
	g8 = pixConvert1To8(NULL, plate, 220, 40);
	if (margin) {
		PIX *big = pixCreate(w + 2 * margin, 100 + 2 * margin, 8);
		pixSetAllArbitrary(big, 50);
		pixRasterop(big, margin, margin, w, 100, PIX_SRC, g8, 0, 0);
		pixDestroy(&g8);
		g8 = big;
	}
	out = blur ? pixBlockconv(g8, blur, blur) : pixClone(g8);
	if (pixWrite(argv[optind + 1], out, IFF_PNG))
		alpr_die(ALPR_EXIT_SYS, "unable to write %s", argv[optind + 1]);
	pixDestroy(&plate);
	pixDestroy(&g8);
	pixDestroy(&out);
	bmfDestroy(&bmf);
	return 0;
}
