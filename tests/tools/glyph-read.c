/*
 * glyph-read: read plate crops with the glyph engine.
 *
 *	glyph-read [-v] [-m MODEL] FILE...
 *
 * Prints FILE, the best path (or "-" when no plate was found), the number
 * of characters and the smallest best-alternative probability, leaving
 * out the alternative cuts; -v adds one line per position: its box,
 * alternatives, the probability that it is no character ("noise P"), and
 * "guess" when only the window search found it, "cut" for an alternative
 * cut. Exit 3 when the model cannot be loaded, 1 when a file cannot be
 * read.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

int
main(int argc, char **argv)
{
	const char *model = NULL;
	char *path, err[256], s[ALPR_MAX_GLYPHS + 1];
	struct alpr_glyph_model *m;
	struct alpr_chars c;
	int i, j, k, n, vflag = 0;
	float minp;

	alpr_setprogname(argv[0]);
	while ((i = getopt(argc, argv, "m:v")) != -1)
		switch (i) {
		case 'm': model = optarg; break;
		case 'v': vflag = 1; break;
		default: alpr_die(ALPR_EXIT_USAGE, "usage: glyph-read [-v] [-m model] file...");
		}
	if (optind == argc)
		alpr_die(ALPR_EXIT_USAGE, "usage: glyph-read [-v] [-m model] file...");
	path = model ? alpr_strdup(model) : alpr_datafile("glyphs.model");
	if (!path)
		alpr_die(ALPR_EXIT_SYS, "glyphs.model not found");
	if (!(m = alpr_glyph_load(path)))
		exit(ALPR_EXIT_SYS);
	for (i = optind; i < argc; i++) {
		struct Pix *pix;
		if (!(pix = alpr_image_load(argv[i], 1, 1, err, sizeof err))) {
			alpr_fail("%s", err);
			continue;
		}
		n = alpr_glyph_read(m, pix, &c);
		if (n < 0 || n > ALPR_MAX_GLYPHS)
			n = 0;
		minp = n ? 1 : 0;
		for (j = k = 0; j < n; j++) {
			if (c.g[j].kind == ALPR_GLYPH_CUT)
				continue;
			s[k++] = c.g[j].ch[0];
			if (c.g[j].p[0] < minp)
				minp = c.g[j].p[0];
		}
		s[k] = 0;
		printf("%s\t%s\t%d\t%.2f\n", argv[i], k ? s : "-", k, minp);
		for (j = 0; vflag && j < n; j++) {
			printf("\t%d,%d,%d,%d", c.g[j].box[0], c.g[j].box[1],
			    c.g[j].box[2], c.g[j].box[3]);
			for (k = 0; k < c.g[j].nalt; k++)
				printf("\t%c %.3f", c.g[j].ch[k], c.g[j].p[k]);
			printf("\tnoise %.3f%s\n", c.g[j].noise,
			    c.g[j].kind == ALPR_GLYPH_GUESS ? " guess" :
			    c.g[j].kind == ALPR_GLYPH_CUT ? " cut" : "");
		}
		pixDestroy(&pix);
	}
	alpr_glyph_free(m);
	free(path);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
