/*
 * alpr-detect: find licence plate candidates in frames.
 *
 * Reads records (alpr-records(5)), adds "regions" to each frame record:
 * the plate candidates, best first, in full-frame pixels. Other records
 * pass through untouched.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define MAX_REGIONS 64

static struct alpr_detect_opt opt = { 40, 600, { 0, 0, 0, 0 } };
/* Three: on the bench's tuning half every plate found was among the first
 * three, and the reader took a fifth less CPU a frame than with six
 * (scripts/bench-recognition -H tune, with -n 2, 3, 4 and 6: 2 lost a
 * plate, 3, 4 and 6 read the same). */
static int maxregions = 3;
static const char *spool;

static void
usage(const char *why)
{
	alpr_usage(why, "[-n candidates] [-r x,y,w,h] [-S spool] "
	    "[-W maxwidth] [-w minwidth] [file ...]");
}

static void
parse_roi(const char *s)
{
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		errno = 0;
		opt.roi[i] = strtod(s, &end);
		if (errno || end == s || opt.roi[i] < 0 ||
		    *end != (i < 3 ? ',' : '\0'))
			usage("bad region of interest: want x,y,w,h in pixels");
		s = end + 1;
	}
	if (opt.roi[2] <= 0 || opt.roi[3] <= 0)
		usage("empty region of interest");
}

static void
detect(struct alpr_reader *r, json_t *rec)
{
	struct alpr_region reg[MAX_REGIONS];
	char err[512];
	json_t *a;
	PIX *pix;
	int i, n = 0;

	alpr_prof_begin();
	a = json_array();
	/* At full size: alpr_detect searches a large frame at half size
	 * and, for small plates, at full size too. */
	if (!(pix = alpr_frame_pix(rec, spool, 1, 1, err, sizeof err))) {
		alpr_rec_fail(r, "%s", err);
		json_object_set_new(rec, "error", json_string(err));
	} else {
		n = alpr_detect(pix, 1, &opt, reg, maxregions);
		pixDestroy(&pix);
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:[iiii],s:f}",
		    "box", reg[i].box[0], reg[i].box[1], reg[i].box[2],
		    reg[i].box[3], "score", round(reg[i].score * 1000) / 1000));
	json_object_set_new(rec, "regions", a);
	alpr_write_record(stdout, rec);
	alpr_prof_end(rec, "detect");
}

static void
filter(FILE *f, const char *name)
{
	struct alpr_reader r;
	json_t *rec;

	alpr_reader_init(&r, f, name);
	while (alpr_read_record(&r, &rec) > 0) {
		if (!strcmp(alpr_rec_str(rec, "type"), "frame"))
			detect(&r, rec);
		else
			alpr_write_record(stdout, rec);
		json_decref(rec);
	}
	alpr_reader_free(&r);
}

int
main(int argc, char **argv)
{
	int c;

	alpr_setprogname(argv[0]);
	while ((c = alpr_getopt(argc, argv, "n:r:S:W:w:", NULL, usage)) != -1)
		switch (c) {
		case 'n': maxregions = alpr_strtonum(optarg, 1, MAX_REGIONS, "-n"); break;
		case 'r': parse_roi(optarg); break;
		case 'S': spool = optarg; break;
		case 'W': opt.maxw = alpr_strtod(optarg, 1, 1e5, "-W"); break;
		case 'w': opt.minw = alpr_strtod(optarg, 1, 1e5, "-w"); break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (opt.minw > opt.maxw)
		usage("minimum plate width above the maximum");
	if (alpr_rec_files(argc, argv, filter) < 0)
		usage("no input: name record files or pipe records in");
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
