/*
 * bench-decode: decode each JPEG fully with libjpeg-turbo alone (RGB, full
 * size, default settings) and print "file<TAB>ms" for the decode, the file
 * already in memory. The yardstick of scripts/bench-recognition.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jpeglib.h>

#include "alpr.h"

struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jb;
};

static void
jerr_exit(j_common_ptr ci)
{
	longjmp(((struct jerr *)ci->err)->jb, 1);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
decode(const unsigned char *p, size_t n)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	unsigned char *volatile img = NULL;
	JSAMPROW row;

	ci.err = jpeg_std_error(&je.mgr);
	je.mgr.error_exit = jerr_exit;
	if (setjmp(je.jb)) {
		jpeg_destroy_decompress(&ci);
		free(img);
		return -1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, p, n);
	jpeg_read_header(&ci, TRUE);
	ci.out_color_space = JCS_RGB;
	jpeg_start_decompress(&ci);
	img = alpr_malloc((size_t)ci.output_width * ci.output_height * 3);
	while (ci.output_scanline < ci.output_height) {
		row = img + (size_t)ci.output_scanline * ci.output_width * 3;
		jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	free(img);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char *p;
	double t0;
	size_t n;
	int i;

	alpr_setprogname(argv[0]);
	for (i = 1; i < argc; i++) {
		if (alpr_read_file(argv[i], &p, &n) < 0) {
			alpr_fail("unable to read %s:", argv[i]);
			continue;
		}
		t0 = now();
		if (decode(p, n) < 0)
			alpr_fail("%s: bad JPEG", argv[i]);
		else
			printf("%s\t%.3f\n", argv[i], now() - t0);
		free(p);
	}
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
