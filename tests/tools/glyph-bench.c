/*
 * glyph-bench: measure the glyph engine on plate crops with known strings.
 *
 *	glyph-bench [-v] [-m MODEL] [-p PATTERNS] [-w DIR] -b BENCHDIR
 *	glyph-bench [-v] [-m MODEL] [-p PATTERNS] -t TRAINDIR [-H]
 *
 * -b: dashcam frames NAME.jpg with NAME.txt ("NAME.jpg x y w h PLATE"),
 * cut at the truth box with a detector-like margin (10% of the width each
 * side, 20% of the height). -t: whole crops listed in groundtruth.csv;
 * -H only the held-out tenth the trainer never sees. -v prints each read;
 * -w writes the bench crops there as PNG (to look at). -p - decodes no
 * formats.
 * Prints a table: segmentation count, characters, exact plates, decoding
 * with the plate formats (plate.c) and how well the confidence separates
 * right reads from wrong ones.
 */
#include <getopt.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define MAXN 4096

static int vflag, hflag;
static const char *wdir;	/* -w: write the crops there */

struct res {
	int len, nread, exact, fold, dec1, dec10, segok;
	int chars_ok;
	float minp, meanp;
	double ms;
};

static struct res *res;
static int nres;

static int
lev(const char *a, const char *b)
{
	int la = strlen(a), lb = strlen(b), i, j, d[32][32];

	if (la > 31) la = 31;
	if (lb > 31) lb = 31;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static char
fold(char c)
{
	return c == 'O' ? '0' : c == 'I' ? '1' : c;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
measure(const struct alpr_glyph_model *m, const struct alpr_patterns *pt,
    struct Pix *crop, const char *name, const char *truth)
{
	struct alpr_chars c, all;
	struct alpr_cand cand[10];
	struct res r = {0};
	char got[ALPR_MAX_CHARS + 1], a[32], b[32];
	int i, j, n, nc;
	double t0;

	t0 = now_ms();
	n = alpr_glyph_read(m, crop, &c);
	r.ms = now_ms() - t0;
	all = c;
	r.len = strlen(truth);
	/* The best path: each position's best character, a guess (the
	 * window search's) only where the decoder would rather keep it:
	 * dropping one costs its noise probability, ALPR_GUESS_MINP at
	 * least; no alternative cut. */
	for (i = j = 0; i < n; i++) {
		float pn = c.g[i].noise < ALPR_GUESS_MINP ?
		    (float)ALPR_GUESS_MINP : c.g[i].noise;
		if (c.g[i].kind == ALPR_GLYPH_SEG ||
		    (c.g[i].kind == ALPR_GLYPH_GUESS &&
		    (1 - pn) * c.g[i].p[0] > pn))
			c.g[j++] = c.g[i];
	}
	c.n = n = j;
	r.nread = n;
	r.segok = n == r.len;
	r.minp = 1;
	for (i = 0; i < n; i++) {
		float p = c.g[i].p[0];
		/* The twins are one class: their shares add up. */
		for (int k = 1; k < c.g[i].nalt; k++)
			if (fold(c.g[i].ch[k]) == fold(c.g[i].ch[0]))
				p += c.g[i].p[k];
		got[i] = c.g[i].ch[0];
		r.meanp += p / n;
		if (p < r.minp)
			r.minp = p;
	}
	got[n] = 0;
	if (!n)
		r.minp = 0;
	r.exact = !strcmp(got, truth);
	for (i = 0; got[i]; i++)
		a[i] = fold(got[i]);
	a[i] = 0;
	for (i = 0; truth[i] && i < 31; i++)
		b[i] = fold(truth[i]);
	b[i] = 0;
	r.fold = !strcmp(a, b);
	r.chars_ok = r.len - lev(a, b);
	if (r.chars_ok < 0)
		r.chars_ok = 0;
	if (pt && all.n) {
		nc = alpr_plate_decode(pt, &all, cand, 10);
		for (i = 0; i < nc; i++)
			if (!strcmp(cand[i].plate, truth)) {
				r.dec10 = 1;
				r.dec1 |= i == 0;
			}
	}
	if (vflag)
		printf("%s\t%s\t%s\t%.2f\t%s\n", name, truth, got, r.minp,
		    r.fold ? "ok" : "WRONG");
	if (nres < MAXN)
		res[nres++] = r;
}

static struct Pix *
load(const char *path)
{
	char err[256];
	struct Pix *pix;

	if (!(pix = alpr_image_load(path, 1, 1, err, sizeof err)))
		alpr_fail("%s", err);
	return pix;
}

static void
bench(const struct alpr_glyph_model *m, const struct alpr_patterns *pt,
    const char *dir)
{
	glob_t g;
	char pat[4096], img[4096], name[1024], plate[64];
	size_t i;
	int x, y, w, h, mx, my;

	snprintf(pat, sizeof(pat), "%s/*.txt", dir);
	if (glob(pat, 0, NULL, &g))
		alpr_die(ALPR_EXIT_SYS, "no bench files in %s", dir);
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		struct Pix *pix, *crop;
		BOX *box;
		if (!f) {
			alpr_fail("%s:", g.gl_pathv[i]);
			continue;
		}
		if (fscanf(f, "%1023s %d %d %d %d %63s", name, &x, &y, &w, &h,
		    plate) != 6) {
			alpr_fail("%s:1: want NAME X Y W H PLATE", g.gl_pathv[i]);
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(img, sizeof(img), "%s/%s", dir, name);
		if (!(pix = load(img)))
			continue;
		mx = w / 10;
		my = h / 5;
		box = boxCreate(x - mx, y - my, w + 2 * mx, h + 2 * my);
		crop = pixClipRectangle(pix, box, NULL);
		if (crop && wdir) {
			snprintf(img, sizeof(img), "%s/%s.png", wdir, name);
			pixWrite(img, crop, IFF_PNG);
		}
		if (crop)
			measure(m, pt, crop, name, plate);
		boxDestroy(&box);
		pixDestroy(&crop);
		pixDestroy(&pix);
	}
	globfree(&g);
}

static void
train(const struct alpr_glyph_model *m, const struct alpr_patterns *pt,
    const char *dir)
{
	char path[4096], line[256], *file, *state, *plate;
	FILE *f;
	unsigned long ln = 0;

	snprintf(path, sizeof(path), "%s/groundtruth.csv", dir);
	if (!(f = fopen(path, "r")))
		alpr_die(ALPR_EXIT_SYS, "unable to open %s:", path);
	while (fgets(line, sizeof(line), f)) {
		struct Pix *pix;
		ln++;
		line[strcspn(line, "\r\n")] = 0;
		file = strtok(line, ",");
		state = strtok(NULL, ",");
		plate = strtok(NULL, ",");
		if (!file || !state || !plate) {
			alpr_fail("%s:%lu: want FILE,STATE,PLATE", path, ln);
			continue;
		}
		if (!strcmp(file, "FILE") || (hflag && !alpr_glyph_holdout(file)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if ((pix = load(path)))
			measure(m, pt, pix, file, plate);
		pixDestroy(&pix);
		snprintf(path, sizeof(path), "%s/groundtruth.csv", dir);
	}
	fclose(f);
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, int havept)
{
	int i, seg = 0, ex = 0, fo = 0, d1 = 0, d10 = 0, len = 0, ok = 0;
	int nright = 0, nwrong = 0;
	double *ms = alpr_malloc(sizeof(double) * (nres + 1)), sum = 0;
	static const float th[] = { 0.5f, 0.7f, 0.8f, 0.9f };

	for (i = 0; i < nres; i++) {
		seg += res[i].segok;
		ex += res[i].exact;
		fo += res[i].fold;
		d1 += res[i].dec1;
		d10 += res[i].dec10;
		len += res[i].len;
		ok += res[i].chars_ok;
		ms[i] = res[i].ms;
		sum += ms[i];
		if (res[i].exact)
			nright++;
		else
			nwrong++;
	}
	qsort(ms, nres, sizeof(double), cmpd);
#define PCT(a, b) ((b) ? 100.0 * (a) / (b) : 0.0)
	printf("%s: %d plates\n", what, nres);
	printf("  %-40s %6.1f%%\n", "segmentation: exact char count", PCT(seg, nres));
	printf("  %-40s %6.1f%%\n", "characters right (1 - CER, O=0 I=1)", PCT(ok, len));
	printf("  %-40s %6.1f%%\n", "plate exact, best path", PCT(ex, nres));
	printf("  %-40s %6.1f%%\n", "plate exact, O=0 I=1 folded", PCT(fo, nres));
	if (havept) {
		printf("  %-40s %6.1f%%\n", "plate exact after format decoding", PCT(d1, nres));
		printf("  %-40s %6.1f%%\n", "right plate in top 10 candidates", PCT(d10, nres));
	}
	printf("  %-40s %6.2f / %.2f / %.2f\n", "ms per plate: median / mean / max",
	    nres ? ms[nres / 2] : 0, nres ? sum / nres : 0, nres ? ms[nres - 1] : 0);
	printf("  confidence = min char probability (best path exact = right):\n");
	printf("  %9s %14s %14s %14s\n", "threshold", "reads above", "right kept",
	    "wrong above");
	for (size_t t = 0; t < sizeof(th) / sizeof(th[0]); t++) {
		int above = 0, ra = 0, wa = 0;
		for (i = 0; i < nres; i++)
			if (res[i].minp >= th[t]) {
				above++;
				ra += res[i].exact;
				wa += !res[i].exact;
			}
		printf("  %9.2f %13.1f%% %13.1f%% %13.1f%%\n", th[t],
		    PCT(above, nres), PCT(ra, nright), PCT(wa, nwrong));
	}
	{
		/* AUC: the chance a right read has a higher confidence than a wrong one. */
		double auc = 0;
		int j;
		for (i = 0; i < nres; i++)
			for (j = 0; j < nres; j++)
				if (res[i].exact && !res[j].exact)
					auc += res[i].minp > res[j].minp ? 1 :
					    res[i].minp == res[j].minp ? 0.5 : 0;
		printf("  %-40s %6.3f\n", "AUC of confidence, right vs wrong",
		    nright && nwrong ? auc / ((double)nright * nwrong) : 0);
	}
	free(ms);
}

static void
usage(const char *why)
{
	if (why)
		fprintf(stderr, "glyph-bench: %s\n", why);
	fprintf(stderr, "usage: glyph-bench [-v] [-m model] [-p patterns] "
	    "[-w dir] -b benchdir | -t traindir [-H]\n");
	exit(ALPR_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	const char *model = NULL, *bdir = NULL, *tdir = NULL, *pfile = NULL;
	char *mpath, err[256];
	struct alpr_glyph_model *m;
	struct alpr_patterns *pt = NULL;
	int c;

	alpr_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "b:Hm:p:t:vw:")) != -1)
		switch (c) {
		case 'b': bdir = optarg; break;
		case 'H': hflag = 1; break;
		case 'm': model = optarg; break;
		case 'p': pfile = optarg; break;
		case 't': tdir = optarg; break;
		case 'v': vflag = 1; break;
		case 'w': wdir = optarg; break;
		default: usage(NULL);
		}
	if (optind != argc || !bdir == !tdir)
		usage("give one of -b and -t");
	mpath = model ? alpr_strdup(model) : alpr_datafile("glyphs.model");
	if (!mpath)
		alpr_die(ALPR_EXIT_SYS, "glyphs.model not found");
	if (!(m = alpr_glyph_load(mpath)))
		exit(ALPR_EXIT_SYS);
	if (!pfile)
		pfile = alpr_datafile("patterns");
	if (pfile && strcmp(pfile, "-") &&
	    !(pt = alpr_patterns_load(pfile, err, sizeof(err))))
		alpr_warn("%s: %s (no format decoding)", pfile, err);
	res = alpr_calloc(MAXN, sizeof(*res));
	if (bdir)
		bench(m, pt, bdir);
	else
		train(m, pt, tdir);
	report(bdir ? "bench crops (truth box + margin)" :
	    hflag ? "held-out training crops" : "training crops", pt != NULL);
	alpr_glyph_free(m);
	if (pt)
		alpr_patterns_free(pt);
	free(mpath);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
