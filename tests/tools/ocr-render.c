/*
 * ocr-render: draw a synthetic 640x360 grey frame with one plate on it, for
 * the alpr-ocr tests, and print the plate's box "x y w h".
 *
 *	ocr-render OUT.png TEXT		a plate reading TEXT
 *	ocr-render OUT.png -		a blank plate (no characters)
 *
 * The text is Leptonica's built-in 20 pt bitmap font, made bold and scaled to
 * about 35 px capitals, dark on a light plate with a border, on a darker car.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

int
main(int argc, char *argv[])
{
	L_BMF *bmf;
	PIX *frame, *line, *tight, *big, *line8;
	int w, h, x, ovf, pw, ph, px = 140, py = 130;
	char c[2] = "", *t;

	if (argc != 3) {
		fprintf(stderr, "usage: ocr-render out.png text|-\n");
		return 2;
	}
	setLeptDebugOK(0);
	frame = pixCreate(640, 360, 8);
	pixSetAllArbitrary(frame, 70);
	pw = 360, ph = 90;
	/* The plate: a dark border, then light inside. */
	pixSetInRectArbitrary(frame, boxCreate(px, py, pw, ph), 40);
	pixSetInRectArbitrary(frame, boxCreate(px + 4, py + 4, pw - 8, ph - 8),
	    225);
	if (strcmp(argv[2], "-")) {
		if (!(bmf = bmfCreate(NULL, 20))) {
			fprintf(stderr, "ocr-render: no bitmap font\n");
			return 3;
		}
		line = pixCreate(800, 100, 1);
		/* One character at a time, spaced as on a plate. */
		for (x = 10, t = argv[2]; *t; t++) {
			c[0] = *t;
			pixSetTextline(line, bmf, c, 1, x, 50, &w, &ovf);
			x += w + 14;
		}
		/* Bold strokes, like a plate's embossed characters. */
		pixDilateBrick(line, line, 3, 3);
		pixClipToForeground(line, &tight, NULL);
		big = pixConvert1To8(NULL, tight, 225, 30);
		line8 = pixScale(big, 0.7, 0.7);
		pixDestroy(&big);
		/* Centre the text on the plate. */
		w = pixGetWidth(line8), h = pixGetHeight(line8);
		pixRasterop(frame, px + (pw - w) / 2, py + (ph - h) / 2,
		    w < pw - 12 ? w : pw - 12, h, PIX_SRC, line8, 0, 0);
		pixDestroy(&tight);
		pixDestroy(&line8);
		pixDestroy(&line);
		bmfDestroy(&bmf);
	}
	if (pixWrite(argv[1], frame, IFF_PNG)) {
		fprintf(stderr, "ocr-render: unable to write %s\n", argv[1]);
		return 3;
	}
	printf("%d %d %d %d\n", px, py, pw, ph);
	pixDestroy(&frame);
	return 0;
}
