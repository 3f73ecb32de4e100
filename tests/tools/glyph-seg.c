/*
 * glyph-seg: print the candidate segmentations of plate crops, one line
 * each: FILE, candidate number, polarity, box count, boxes (crop pixels).
 *	glyph-seg [-ds] FILE...
 * -s: strict segmentation (ALPR_SEG_STRICT).
 * -d also writes FILE.seg.png: the normalised crop once per candidate, its
 * boxes drawn.
 */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

static void
draw(const char *name, const struct alpr_segimg *im, const struct alpr_seg *seg,
    int n)
{
	PIX *out = pixCreate(im->w, im->h * (n + 1), 32);
	char path[4096];
	int j, k, x, y;

	for (j = 0; j <= n; j++)
		for (y = 0; y < im->h; y++)
			for (x = 0; x < im->w; x++) {
				int v = im->px[y * im->w + x];
				pixSetRGBPixel(out, x, j * im->h + y, v, v, v);
			}
	for (j = 0; j < n; j++)
		for (k = 0; k < seg[j].n; k++) {
			const int *b = seg[j].box[k];
			BOX *bx = boxCreate(b[0], b[1] + (j + 1) * im->h, b[2], b[3]);
			pixRenderBoxArb(out, bx, 1, k & 1 ? 255 : 0, 0,
			    k & 1 ? 0 : 255);
			boxDestroy(&bx);
		}
	snprintf(path, sizeof(path), "%s.seg.png", name);
	{
		PIX *big = pixExpandReplicate(out, 3);
		pixWrite(path, big, IFF_PNG);
		pixDestroy(&big);
	}
	pixDestroy(&out);
}

int
main(int argc, char **argv)
{
	struct alpr_segimg im;
	struct alpr_seg seg[8];
	char err[256];
	int i, j, k, n;

	alpr_setprogname(argv[0]);
	int dflag = 0, flags = 0, c;
	while ((c = getopt(argc, argv, "ds")) != -1)
		switch (c) {
		case 'd': dflag = 1; break;
		case 's': flags |= ALPR_SEG_STRICT; break;
		default: alpr_die(ALPR_EXIT_USAGE, "usage: glyph-seg [-ds] FILE...");
		}
	if (optind == argc)
		alpr_die(ALPR_EXIT_USAGE, "usage: glyph-seg [-ds] FILE...");
	for (i = optind; i < argc; i++) {
		struct Pix *pix;
		pix = alpr_image_load(argv[i], 1, 1, err, sizeof err);
		if (!pix || alpr_segimg_init(pix, &im) < 0) {
			alpr_fail("%s: %s", argv[i], pix ? "too small" : err);
			pixDestroy(&pix);
			continue;
		}
		n = alpr_segment(&im, seg, 8, flags);
		for (j = 0; j < n; j++) {
			printf("%s\t%d\t%s\t%d", argv[i], j,
			    seg[j].dark ? "dark" : "light", seg[j].n);
			for (k = 0; k < seg[j].n; k++) {
				int b[4];
				alpr_segimg_tocrop(&im, seg[j].box[k], b);
				printf("\t%d,%d,%d,%d", b[0], b[1], b[2], b[3]);
			}
			putchar('\n');
		}
		if (dflag)
			draw(argv[i], &im, seg, n);
		if (!n)
			printf("%s\t-\tnone\t0\n", argv[i]);
		alpr_segimg_free(&im);
		pixDestroy(&pix);
	}
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
