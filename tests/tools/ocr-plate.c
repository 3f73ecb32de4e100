/*
 * ocr-plate: feed hand-made per-position alternatives to lib/recognition/plate.c and
 * print the ranked candidates, one "PLATE CONF REGION" a line.
 *
 *	ocr-plate PATTERNS|- POS... [-- POS...]...
 *
 * Each POS is one character position, its alternatives best first as
 * CH=P separated by commas, e.g. "O=0.7,D=0.2"; "~=P" gives the
 * probability that it is no character, a leading "?" makes it a guess
 * (glyph.c's window search) and a leading "+" an alternative cut; a
 * trailing "@X,W" gives its extent in x (positions that overlap are cuts
 * of one stretch of the line). "-" uses no formats.
 * "--" starts another read of the same plate: each read is decoded and
 * the candidates of all are pooled by alpr_plate_merge (a single read
 * goes through it as well, as alpr-ocr's do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

#define MAXREADS 8

int
main(int argc, char *argv[])
{
	struct alpr_patterns *pt = NULL;
	struct alpr_chars c;
	struct alpr_cand cand[MAXREADS][32], out[20];
	const struct alpr_cand *lists[MAXREADS];
	struct alpr_glyph *g;
	char err[256], *s, *tok, *at;
	int i, n, nr = 0, ncand[MAXREADS];

	alpr_setprogname(argv[0]);
	if (argc < 2)
		alpr_die(2, "usage: ocr-plate patterns|- pos... [-- pos...]...");
	if (strcmp(argv[1], "-") &&
	    !(pt = alpr_patterns_load(argv[1], err, sizeof err)))
		alpr_die(1, "%s", err);
	for (i = 2; i <= argc; i++) {
		if (i == 2 || i == argc || !strcmp(argv[i], "--")) {
			if (i > 2) {
				lists[nr] = cand[nr];
				ncand[nr] = alpr_plate_decode(pt, &c, cand[nr], 32);
				nr++;
			}
			if (i == argc)
				break;
			if (nr == MAXREADS)
				alpr_die(2, "more than %d reads", MAXREADS);
			memset(&c, 0, sizeof c);
			if (i > 2)
				continue;
		}
		if (c.n == ALPR_MAX_GLYPHS)
			continue;
		g = &c.g[c.n++];
		s = alpr_strdup(argv[i]);
		g->kind = *s == '?' ? ALPR_GLYPH_GUESS : *s == '+' ?
		    ALPR_GLYPH_CUT : ALPR_GLYPH_SEG;
		if ((at = strchr(s, '@'))) {
			*at++ = '\0';
			if (sscanf(at, "%d,%d", &g->box[0], &g->box[2]) != 2 ||
			    g->box[2] <= 0)
				alpr_die(2, "bad extent: %s", at);
		}
		for (tok = strtok(s + (g->kind != ALPR_GLYPH_SEG), ","); tok;
		    tok = strtok(NULL, ",")) {
			if (strlen(tok) < 3 || tok[1] != '=')
				alpr_die(2, "bad alternative: %s", tok);
			if (tok[0] == '~')
				g->noise = (float)atof(tok + 2);
			else if (g->nalt < ALPR_MAX_ALTS) {
				g->ch[g->nalt] = tok[0];
				g->p[g->nalt++] = (float)atof(tok + 2);
			}
		}
		free(s);
	}
	/* One read too goes through alpr_plate_merge, as in alpr-ocr. */
	n = alpr_plate_merge(lists, ncand, nr, out, 20);
	for (i = 0; i < n; i++)
		printf("%s %.1f %s\n", out[i].plate, out[i].conf,
		    out[i].region[0] ? out[i].region : "-");
	alpr_patterns_free(pt);
	return 0;
}
