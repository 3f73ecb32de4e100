/*
 * alpr-ocr: read the plates in the regions of frame records (from
 * alpr-detect) and write one read record per plate, with ranked candidates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

/*
 * A recognition engine: a grey plate crop in, per-position alternatives
 * out. Every engine's output is decoded by lib/recognition/plate.c the same way.
 */
struct engine {
	const char *name;
	void *(*open)(const char *model, char *err, size_t errlen);
	int (*read)(void *m, PIX *crop8, struct alpr_chars *out);
	void (*close)(void *m);
};

static void *
tess_open(const char *model, char *err, size_t errlen)
{
	return alpr_ocr_open(model, err, errlen);
}

static int
tess_read(void *m, PIX *crop8, struct alpr_chars *out)
{
	return alpr_ocr_read(m, crop8, out);
}

static void
tess_close(void *m)
{
	alpr_ocr_close(m);
}

static void *
glyph_open(const char *path, char *err, size_t errlen)
{
	void *m = alpr_glyph_load(path);	/* warns why itself */

	if (!m)
		snprintf(err, errlen, "%s: unable to load glyph model", path);
	return m;
}

static int
glyph_read(void *m, PIX *crop8, struct alpr_chars *out)
{
	return alpr_glyph_read(m, crop8, out);
}

static void
glyph_close(void *m)
{
	alpr_glyph_free(m);
}

static const struct engine tesseract = {
	"tesseract", tess_open, tess_read, tess_close
};
static const struct engine glyph = {
	"glyph", glyph_open, glyph_read, glyph_close
};

static const char *optmodel;	/* -m */
static const char *optpatterns;	/* -p */
static const char *optspool;	/* -S */
static int maxcand = 10;	/* -n */
static int maxregions = 6;	/* -r */
static double minconf = 0;	/* -c */
static int multi = 1;		/* -1: 0 */

static const struct engine *eng;
static void *model;
static struct alpr_patterns *patterns;
static struct alpr_calib *calib;	/* beside a glyph model: conf as a
					 * probability */

static void
usage(const char *why)
{
	alpr_usage(why, "[-1] [-c minconf] [-m model] [-n candidates] "
	    "[-p patterns] [-r regions] [-S spool] [file ...]");
}

/* A .model file is the glyph classifier's; anything else Tesseract's. */
static const struct engine *
pick_engine(const char *m)
{
	size_t n = m ? strlen(m) : 0;

	if (n > 6 && !strcmp(m + n - 6, ".model"))
		return &glyph;
	return &tesseract;
}

/* Intersection over the smaller box's area. */
static double
overlap(const int *a, const int *b)
{
	int x0 = a[0] > b[0] ? a[0] : b[0], y0 = a[1] > b[1] ? a[1] : b[1];
	int x1 = a[0] + a[2] < b[0] + b[2] ? a[0] + a[2] : b[0] + b[2];
	int y1 = a[1] + a[3] < b[1] + b[3] ? a[1] + a[3] : b[1] + b[3];
	double i, m;

	if (x1 <= x0 || y1 <= y0)
		return 0;
	i = (double)(x1 - x0) * (y1 - y0);
	m = (double)a[2] * a[3] < (double)b[2] * b[3] ?
	    (double)a[2] * a[3] : (double)b[2] * b[3];
	return m > 0 ? i / m : 0;
}

/*
 * A region's box, clamped to the image; -1 if malformed or outside it.
 * The numbers come from a record: each must be an integer of at most
 * BOX_MAX in magnitude before any arithmetic is done with it.
 */
#define BOX_MAX 1000000
static int
region_box(json_t *reg, int iw, int ih, int box[4])
{
	json_t *b = json_object_get(reg, "box");
	long long v[4], x1, y1;
	double d;
	int i;

	if (!json_is_array(b) || json_array_size(b) != 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if (!json_is_number(json_array_get(b, i)))
			return -1;
		d = json_number_value(json_array_get(b, i));
		if (!(d >= -BOX_MAX && d <= BOX_MAX) || d != (long long)d)
			return -1;
		v[i] = d;
	}
	if (v[2] <= 0 || v[3] <= 0)
		return -1;
	x1 = v[0] + v[2] < iw ? v[0] + v[2] : iw;
	y1 = v[1] + v[3] < ih ? v[1] + v[3] : ih;
	v[0] = v[0] > 0 ? v[0] : 0;
	v[1] = v[1] > 0 ? v[1] : 0;
	if (x1 <= v[0] || y1 <= v[1])
		return -1;
	box[0] = v[0], box[1] = v[1];
	box[2] = x1 - v[0], box[3] = y1 - v[1];
	return 0;
}

struct read {
	int box[4];
	int ncand;
	struct alpr_cand cand[64];
};

/*
 * The reader is sensitive to where the crop's edges fall, so a region whose
 * first read is unsure is read again from two other crops and the
 * candidates of the reads are pooled (alpr_plate_merge). A first read below
 * NOPLATE_CONF is most likely no plate at all and is not worth the time.
 * Both checked on the tuning half of the bench (scripts/bench-recognition
 * -H tune): 75 or 85 read a plate fewer; any floor from 0 to 50 reads as
 * many plates.
 */
#define SURE_CONF	80	/* a first read this confident is kept alone */
#define NOPLATE_CONF	45
#define POOL		32	/* candidates kept from each read for merging */
#define MAX_READS	3

/* Read the crop x, y, w, h of img (clipped to it) into cand; its origin
 * in org and its characters in ch. Returns the candidates. */
static int
read_crop(PIX *img, int x, int y, int w, int h, struct alpr_chars *ch,
    int org[2], struct alpr_cand *cand)
{
	BOX *bx = boxCreate(x, y, w, h), *got = NULL;
	PIX *c = pixClipRectangle(img, bx, &got);
	int n = 0;

	boxDestroy(&bx);
	memset(ch, 0, sizeof *ch);
	if (c && got) {
		boxGetGeometry(got, &org[0], &org[1], NULL, NULL);
		if (eng->read(model, c, ch) > 0)
			n = alpr_plate_decode(patterns, ch, cand, POOL);
	}
	boxDestroy(&got);
	pixDestroy(&c);
	return n;
}

/* The text line of a read, in image pixels; -1 when too few glyphs. */
static int
line_box(const struct alpr_chars *ch, const int org[2], int lb[4])
{
	int i, x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
	const int *g;

	if (ch->n < 3)
		return -1;
	for (i = 0; i < ch->n; i++) {
		g = ch->g[i].box;
		if (g[2] <= 0 || g[3] <= 0)
			continue;
		x0 = g[0] < x0 ? g[0] : x0;
		y0 = g[1] < y0 ? g[1] : y0;
		x1 = g[0] + g[2] > x1 ? g[0] + g[2] : x1;
		y1 = g[1] + g[3] > y1 ? g[1] + g[3] : y1;
	}
	if (x1 <= x0 || y1 <= y0)
		return -1;
	lb[0] = org[0] + x0, lb[1] = org[1] + y0;
	lb[2] = x1 - x0, lb[3] = y1 - y0;
	return 0;
}

static int
read_region(PIX *img, const int box[4], struct read *rd)
{
	struct alpr_chars ch;
	struct alpr_cand cand[MAX_READS][POOL];
	const struct alpr_cand *lists[MAX_READS];
	int ncand[MAX_READS], nr = 0, org[2], lb[4];
	int x = box[0], y = box[1], w = box[2], h = box[3], mx, my;

	memcpy(rd->box, box, sizeof rd->box);
	rd->ncand = 0;
	if (w < 8 || h < 4)
		return 0;
	/* The box with a margin for characters it cuts. */
	mx = w / 12, my = h / 6;
	lists[nr] = cand[nr];
	ncand[nr++] = read_crop(img, x - mx, y - my, w + 2 * mx, h + 2 * my,
	    &ch, org, cand[0]);
	if (multi && ncand[0] > 0 && cand[0][0].conf < SURE_CONF &&
	    cand[0][0].conf >= NOPLATE_CONF) {
		/* Tight around the text line the first read found. */
		if (line_box(&ch, org, lb) == 0) {
			mx = lb[3] * 6 / 10, my = lb[3] * 4 / 10;
			lists[nr] = cand[nr];
			ncand[nr] = read_crop(img, lb[0] - mx, lb[1] - my,
			    lb[2] + 2 * mx, lb[3] + 2 * my, &ch, org, cand[nr]);
			nr++;
		}
		/* The box itself, with no margin at its sides. */
		my = h / 12;
		lists[nr] = cand[nr];
		ncand[nr] = read_crop(img, x, y - my, w, h + 2 * my, &ch, org,
		    cand[nr]);
		nr++;
	}
	rd->ncand = alpr_plate_merge(lists, ncand, nr, rd->cand, maxcand);
	if (calib)
		alpr_calib_apply(calib, rd->cand, rd->ncand);
	return rd->ncand > 0 && rd->cand[0].conf >= minconf;
}

static void
emit(json_t *frame, const struct read *rd)
{
	json_t *out = json_deep_copy(frame), *cands = json_array();
	int i;

	json_object_del(out, "regions");
	json_object_set_new(out, "type", json_string("read"));
	json_object_set_new(out, "plate", json_string(rd->cand[0].plate));
	json_object_set_new(out, "conf", json_real(
	    (int)(rd->cand[0].conf * 10 + 0.5) / 10.0));
	json_object_set_new(out, "box", json_pack("[iiii]", rd->box[0],
	    rd->box[1], rd->box[2], rd->box[3]));
	for (i = 0; i < rd->ncand; i++)
		json_array_append_new(cands, json_pack("{s:s,s:f}", "plate",
		    rd->cand[i].plate, "conf",
		    (int)(rd->cand[i].conf * 10 + 0.5) / 10.0));
	json_object_set_new(out, "candidates", cands);
	if (rd->cand[0].region[0])
		json_object_set_new(out, "region",
		    json_string(rd->cand[0].region));
	alpr_write_record(stdout, out);
	json_decref(out);
}

/*
 * The part of the frame the regions' reads can reach: each box with room
 * for read_region's crops (a twelfth of its width and a sixth of its
 * height each side, then a text line's crop of 0.6 and 0.4 of a line up
 * to 4/3 of the box high), and some more. x0, y0, x1, y1 in win.
 */
static void
window(int (*box)[4], int nb, int iw, int ih, int win[4])
{
	int i, mx, my;

	win[0] = iw, win[1] = ih, win[2] = win[3] = 0;
	for (i = 0; i < nb; i++) {
		mx = box[i][2] / 12 + box[i][3] + 4;
		my = box[i][3] / 6 + box[i][3] + 4;
		win[0] = L_MIN(win[0], L_MAX(box[i][0] - mx, 0));
		win[1] = L_MIN(win[1], L_MAX(box[i][1] - my, 0));
		win[2] = L_MAX(win[2], L_MIN(box[i][0] + box[i][2] + mx, iw));
		win[3] = L_MAX(win[3], L_MIN(box[i][1] + box[i][3] + my, ih));
	}
}

static void
frame(struct alpr_reader *r, json_t *rec)
{
	char err[512];
	json_t *regs, *reg;
	struct read *rd;
	unsigned char *p;
	size_t k, n;
	PIX *img = NULL;
	int i, j, nb = 0, nrd = 0, iw, ih, win[4], sbox[4];
	int (*box)[4];

	regs = json_object_get(rec, "regions");
	if (regs && !json_is_array(regs)) {
		alpr_rec_fail(r, "\"regions\" is not an array");
		return;
	}
	if (!regs || json_array_size(regs) == 0)
		return;
	if (alpr_frame_bytes(rec, optspool, &p, &n, err, sizeof err) < 0) {
		alpr_rec_fail(r, "%s", err);
		return;
	}
	/* The size from the header; a PNG, or a JPEG whose header does not
	 * say, is decoded whole to learn it. */
	if (alpr_image_info(p, n, &iw, &ih) != ALPR_IMG_JPEG || iw <= 0 ||
	    ih <= 0) {
		if (!(img = alpr_image_decode(p, n, 1, 1, err, sizeof err))) {
			alpr_rec_fail(r, "%s", err);
			free(p);
			return;
		}
		iw = pixGetWidth(img), ih = pixGetHeight(img);
	}
	box = alpr_calloc(maxregions, sizeof *box);
	json_array_foreach(regs, k, reg) {
		if ((int)k >= maxregions)
			break;
		if (region_box(reg, iw, ih, box[nb])) {
			alpr_rec_fail(r, "region %zu: want \"box\":[x,y,w,h], "
			    "integers, inside the image", k);
			continue;
		}
		nb++;
	}
	/* Of a JPEG only the rows and columns the reads need are decoded. */
	win[0] = win[1] = 0;
	if (nb > 0 && !img) {
		window(box, nb, iw, ih, win);
		if (!(img = alpr_image_region(p, n, win[0], win[1], win[2] -
		    win[0], win[3] - win[1], 1, err, sizeof err))) {
			alpr_rec_fail(r, "%s", err);
			nb = 0;
		}
	}
	free(p);
	rd = alpr_calloc(maxregions, sizeof *rd);
	for (i = 0; i < nb; i++) {
		/* A plate already read is not read again: the regions come
		 * best first, and reading is the cost. */
		for (j = 0; j < nrd && overlap(rd[j].box, box[i]) < 0.5; j++)
			;
		if (j < nrd)
			continue;
		sbox[0] = box[i][0] - win[0], sbox[1] = box[i][1] - win[1];
		sbox[2] = box[i][2], sbox[3] = box[i][3];
		if (read_region(img, sbox, &rd[nrd])) {
			memcpy(rd[nrd].box, box[i], sizeof rd[nrd].box);
			nrd++;
		}
	}
	for (i = 0; i < nrd; i++)
		emit(rec, &rd[i]);
	free(rd);
	free(box);
	pixDestroy(&img);
}

static void
filter(FILE *f, const char *name)
{
	struct alpr_reader r;
	const char *type;
	json_t *rec;

	alpr_reader_init(&r, f, name);
	while (alpr_read_record(&r, &rec)) {
		type = alpr_rec_str(rec, "type");
		if (type && !strcmp(type, "frame")) {
			alpr_prof_begin();
			frame(&r, rec);
			alpr_prof_end(rec, "ocr");
		} else
			alpr_write_record(stdout, rec);
		json_decref(rec);
	}
	alpr_reader_free(&r);
}

int
main(int argc, char *argv[])
{
	char err[512], *path;
	int c;

	alpr_setprogname(argv[0]);
	/*
	 * Tesseract's OpenMP reads OMP_THREAD_LIMIT when the library loads,
	 * before main: set it and start again, else its threads spin and cost
	 * five times the CPU. Failing the exec, go on as we are.
	 */
	if (!getenv("OMP_THREAD_LIMIT") && setenv("OMP_THREAD_LIMIT", "1", 0) == 0)
		execv("/proc/self/exe", argv);
	while ((c = alpr_getopt(argc, argv, "1c:m:n:p:r:S:", NULL, usage)) !=
	    -1)
		switch (c) {
		case '1': multi = 0; break;
		case 'c': minconf = alpr_strtod(optarg, 0, 100, "-c"); break;
		case 'm': optmodel = optarg; break;
		case 'n': maxcand = alpr_strtonum(optarg, 1, 64, "-n"); break;
		case 'p': optpatterns = optarg; break;
		case 'r': maxregions = alpr_strtonum(optarg, 1, 100, "-r"); break;
		case 'S': optspool = optarg; break;
		default: usage(NULL);
		}
	argc -= optind, argv += optind;

	/* The model: -m, $ALPR_OCR_MODEL, else the glyph classifier's. A
	 * missing one is no reason to read with another engine (Tesseract
	 * reads a third of what it does). */
	if (!optmodel || !*optmodel)
		optmodel = getenv("ALPR_OCR_MODEL");
	if (!optmodel || !*optmodel) {
		if (!(path = alpr_datafile("glyphs.model")))
			alpr_die(ALPR_EXIT_SYS, "fatal: no glyph model "
			    "(share/alpr/glyphs.model); -m eng reads with "
			    "Tesseract");
		optmodel = path;	/* kept for the process's life */
	}
	if (optpatterns)
		path = alpr_strdup(optpatterns);
	else if (!(path = alpr_datafile("patterns")))
		alpr_die(ALPR_EXIT_SYS, "fatal: no plate formats file "
		    "(share/alpr/patterns)");
	if (!(patterns = alpr_patterns_load(path, err, sizeof err)))
		alpr_die(ALPR_EXIT_SYS, "fatal: %s", err);
	free(path);
	eng = pick_engine(optmodel);
	if (!(model = eng->open(optmodel, err, sizeof err)))
		alpr_die(ALPR_EXIT_USAGE, "fatal: %s", err);
	if (eng == &glyph && !(calib = alpr_calib_beside(optmodel, err,
	    sizeof err)) && *err)
		alpr_warn("%s: confidences left uncalibrated", err);

	if (alpr_rec_files(argc, argv, filter) < 0)
		usage("no input: name record files or pipe records in");
	eng->close(model);
	alpr_calib_free(calib);
	alpr_patterns_free(patterns);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
