/*
 * detect-mkimg: test driver for alpr-detect. Writes a noisy grey scene as
 * JPEG, with optional plates: a light 2:1 plate with a dark frame and dark
 * characters (or, with -l, light characters on a dark plate).
 *
 *	detect-mkimg [-s seed] out.jpg W H [[-l] x y width TEXT] ...
 *
 * Prints each plate's box "x y w h", one a line.
 */
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

static unsigned long seed = 1;

static int
rnd(int n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (int)((seed >> 33) % (unsigned long)n);
}

/* Grey gradient, blotches, a few lines and pixel noise: a street's clutter
 * without text. */
static PIX *
scene(int w, int h)
{
	PIX *p = pixCreate(w, h, 8);
	BOX *box;
	int i, x, y, v;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			pixSetPixel(p, x, y, 90 + 60 * y / h);
	for (i = 0; i < 40; i++) {
		box = boxCreate(rnd(w), rnd(h), 20 + rnd(w / 4), 20 + rnd(h / 4));
		pixSetInRectArbitrary(p, box, 40 + rnd(160));
		boxDestroy(&box);
	}
	for (i = 0; i < 10; i++)
		pixRenderLineArb(p, rnd(w), rnd(h), rnd(w), rnd(h), 1 + rnd(3),
		    0, 0, 0);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			pixGetPixel(p, x, y, (l_uint32 *)&v);
			v += rnd(17) - 8;
			pixSetPixel(p, x, y, v < 0 ? 0 : v > 255 ? 255 : v);
		}
	return p;
}

static void
plate(PIX *p, int x, int y, int pw, const char *text, int light)
{
	int ph = pw / 2, bg = light ? 40 : 225, fg = light ? 230 : 30;
	int tw, th, b = pw / 40 + 1;
	PIX *t, *s;
	L_BMF *bmf;
	BOX *box;

	box = boxCreate(x, y, pw, ph);
	pixSetInRectArbitrary(p, box, fg);
	boxDestroy(&box);
	box = boxCreate(x + b, y + b, pw - 2 * b, ph - 2 * b);
	pixSetInRectArbitrary(p, box, bg);
	boxDestroy(&box);
	/* characters 0.45 of the plate's height, centred a little low */
	bmf = bmfCreate(NULL, 20);
	t = pixCreate(60 * strlen(text) + 20, 100, 1);
	pixSetTextline(t, bmf, text, 1, 10, 70, &tw, NULL);
	bmfDestroy(&bmf);
	box = NULL;
	pixClipToForeground(t, &s, &box);
	pixDestroy(&t);
	boxDestroy(&box);
	th = (int)(ph * 0.45);
	t = pixScaleToSize(s, pixGetWidth(s) * th / pixGetHeight(s), th);
	pixDestroy(&s);
	tw = pixGetWidth(t);
	if (tw > pw * 9 / 10) {
		s = pixScaleToSize(t, pw * 9 / 10, th);
		pixDestroy(&t);
		t = s;
		tw = pixGetWidth(t);
	}
	pixPaintThroughMask(p, t, x + (pw - tw) / 2, y + ph * 30 / 100, fg);
	pixDestroy(&t);
}

int
main(int argc, char **argv)
{
	int i, w, h, x, y, pw, light;
	PIX *p;

	alpr_setprogname(argv[0]);
	setMsgSeverity(L_SEVERITY_NONE);
	if (argc > 2 && !strcmp(argv[1], "-s")) {
		seed = strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 4)
		alpr_die(2, "usage: detect-mkimg [-s seed] out.jpg W H "
		    "[[-l] x y width TEXT] ...");
	w = atoi(argv[2]);
	h = atoi(argv[3]);
	p = scene(w, h);
	for (i = 4; i < argc;) {
		light = !strcmp(argv[i], "-l");
		i += light;
		if (i + 4 > argc)
			alpr_die(2, "a plate wants x y width TEXT");
		x = atoi(argv[i]);
		y = atoi(argv[i + 1]);
		pw = atoi(argv[i + 2]);
		plate(p, x, y, pw, argv[i + 3], light);
		printf("%d %d %d %d\n", x, y, pw, pw / 2);
		i += 4;
	}
	if (pixWriteJpeg(argv[1], p, 90, 0))
		alpr_die(3, "unable to write %s", argv[1]);
	pixDestroy(&p);
	return 0;
}
