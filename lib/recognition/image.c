/* image.c: decoding frames into Leptonica images. */
#include <errno.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <leptonica/allheaders.h>

#include "alpr.h"

int
alpr_image_info(const unsigned char *p, size_t n, int *w, int *h)
{
	size_t i, len;

	*w = *h = 0;
	if (n >= 24 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8) &&
	    !memcmp(p + 12, "IHDR", 4)) {
		*w = (int)((uint32_t)p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19]);
		*h = (int)((uint32_t)p[20] << 24 | p[21] << 16 | p[22] << 8 | p[23]);
		return ALPR_IMG_PNG;
	}
	if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
		return ALPR_IMG_NONE;
	/* Walk the markers to the first start-of-frame. */
	for (i = 2; i + 4 <= n;) {
		if (p[i] != 0xff)
			return ALPR_IMG_JPEG;
		while (i < n && p[i] == 0xff)
			i++;
		if (i + 3 > n)
			break;
		if (p[i] == 0xd8 || (p[i] >= 0xd0 && p[i] <= 0xd7)) {
			i++;
			continue;
		}
		len = (size_t)p[i + 1] << 8 | p[i + 2];
		if (p[i] >= 0xc0 && p[i] <= 0xcf && p[i] != 0xc4 &&
		    p[i] != 0xc8 && p[i] != 0xcc && i + 8 <= n) {
			*h = p[i + 4] << 8 | p[i + 5];
			*w = p[i + 6] << 8 | p[i + 7];
			return ALPR_IMG_JPEG;
		}
		i += 1 + len;
	}
	return ALPR_IMG_JPEG;
}

/* The pixel limit: $ALPR_MAX_PIXELS, else ALPR_PIXELS_MAX. */
long long
alpr_max_pixels(void)
{
	const char *e = getenv("ALPR_MAX_PIXELS");
	long long v;
	char *end;

	if (e && *e) {
		errno = 0;
		v = strtoll(e, &end, 10);
		if (!*end && !errno && v > 0)
			return v;
	}
	return ALPR_PIXELS_MAX;
}

/* NULL, or why an image of w x h pixels is not decoded. */
static const char *
too_big(long long w, long long h, char *err, size_t errlen)
{
	long long max = alpr_max_pixels();

	if (w <= 0 || h <= 0 || w <= max / h)
		return NULL;	/* (a size of 0 is the decoder's to refuse) */
	snprintf(err, errlen, "image of %lldx%lld pixels is larger than the "
	    "limit of %lld pixels (ALPR_MAX_PIXELS): not decoded", w, h, max);
	return err;
}

struct jerr {
	struct jpeg_error_mgr mgr;
	struct jpeg_progress_mgr prog;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

/*
 * A progressive JPEG may have any number of scans, and each costs a pass
 * over the whole image: a small file could take minutes. Cameras write a
 * handful; more than MAX_SCANS is refused.
 */
#define MAX_SCANS 100

static void
jprogress(j_common_ptr ci)
{
	struct jerr *e = (struct jerr *)ci->err;
	j_decompress_ptr d = (j_decompress_ptr)ci;

	if (ci->is_decompressor && d->input_scan_number > MAX_SCANS) {
		snprintf(e->msg, sizeof e->msg, "more than %d progressive "
		    "scans", MAX_SCANS);
		longjmp(e->jb, 1);
	}
}

static void
jerr_exit(j_common_ptr ci)
{
	struct jerr *e = (struct jerr *)ci->err;

	ci->err->format_message(ci, e->msg);
	longjmp(e->jb, 1);
}

/* A warning (corrupt data, premature end) is an error: no half frames. */
static void
jerr_emit(j_common_ptr ci, int level)
{
	if (level < 0)
		jerr_exit(ci);
}

/*
 * A JPEG decoded, all of it or only the rows and columns of a box (box
 * not NULL: x, y, w, h, within the image, at full size): the rows above
 * the box are skipped without their inverse DCT, those below never
 * decoded, and only the iMCU columns over the box are. For a plate crop
 * of alpr-export, a 104x52 box in the middle of a 1280x720 sample frame,
 * that took 0.6 ms instead of 4.1 ms for the whole frame (one core, 400
 * runs each, the machine busy).
 */
/*
 * Bytes in memory order, n words of them, into the order Leptonica keeps
 * 8-bit pixels in (GET_DATA_BYTE: byte i of a 32-bit word is pixel 3 - i
 * on a little-endian machine). A word at a time: the byte at a time
 * SET_DATA_BYTE of before cost 9 million instructions a 1280x720 frame,
 * more than a third of libjpeg-turbo's own decode (callgrind, bench frames).
 */
static void
lept_bytes(l_uint32 *w, int n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	int i;

	for (i = 0; i < n; i++)
		w[i] = __builtin_bswap32(w[i]);
#else
	(void)w;
	(void)n;
#endif
}

static PIX *
decode_jpeg(const unsigned char *p, size_t n, int denom, int gray,
    const int *box, char *err, size_t errlen)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	PIX *volatile pix = NULL;
	PIX *c;
	BOX *b;
	JSAMPROW row;
	l_uint32 *line;
	JDIMENSION x0, cw, rows;
	int wpl;

	ci.err = jpeg_std_error(&je.mgr);
	je.mgr.error_exit = jerr_exit;
	je.mgr.emit_message = jerr_emit;
	je.msg[0] = '\0';
	if (setjmp(je.jb)) {
		if (je.msg[0])
			snprintf(err, errlen, "bad JPEG: %s", je.msg);
		jpeg_destroy_decompress(&ci);
		pixDestroy((PIX **)&pix);
		return NULL;
	}
	jpeg_create_decompress(&ci);
	je.prog.progress_monitor = jprogress;
	ci.progress = &je.prog;	/* set after create, which clears it */
	jpeg_mem_src(&ci, p, n);
	jpeg_read_header(&ci, TRUE);
	if (too_big(ci.image_width, ci.image_height, err, errlen))
		longjmp(je.jb, 1);
	ci.scale_num = 1;
	ci.scale_denom = denom;
	ci.dct_method = JDCT_ISLOW;
	if (gray || ci.num_components == 1)
		ci.out_color_space = JCS_GRAYSCALE;
	else
		ci.out_color_space = JCS_EXT_XBGR;	/* Leptonica's RGBA word */
	jpeg_start_decompress(&ci);
	rows = ci.output_height;
	x0 = 0;
	if (box) {
		x0 = box[0];
		cw = box[2];
		jpeg_crop_scanline(&ci, &x0, &cw);
		jpeg_skip_scanlines(&ci, box[1]);
		rows = box[3];
	}
	if (ci.out_color_space == JCS_GRAYSCALE)
		pix = pixCreate(ci.output_width, rows, 8);
	else
		pix = pixCreate(ci.output_width, rows, 32);
	if (!pix) {
		snprintf(je.msg, sizeof je.msg, "out of memory");
		longjmp(je.jb, 1);
	}
	wpl = pixGetWpl(pix);
	while (ci.output_scanline < ci.output_height && rows-- > 0) {
		line = pixGetData(pix) + (ci.output_scanline - (box ? box[1] :
		    0)) * wpl;
		row = (JSAMPROW)line;
		jpeg_read_scanlines(&ci, &row, 1);
		/* XBGR bytes on little endian are Leptonica's RGBA word; grey
		 * bytes are put in Leptonica's order within each word */
		if (ci.out_color_space == JCS_GRAYSCALE)
			lept_bytes(line, (ci.output_width + 3) / 4);
	}
	if (box)
		jpeg_abort_decompress(&ci);
	else
		jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	if (!box || (x0 == (JDIMENSION)box[0] && (int)ci.output_width ==
	    box[2]))
		return pix;
	/* the box within the iMCU columns decoded */
	b = boxCreate(box[0] - x0, 0, box[2], box[3]);
	c = b ? pixClipRectangle(pix, b, NULL) : NULL;
	boxDestroy(&b);
	pixDestroy((PIX **)&pix);
	if (!c)
		snprintf(err, errlen, "out of memory");
	return c;
}

static PIX *
decode_png(const unsigned char *p, size_t n, int denom, int gray,
    char *err, size_t errlen)
{
	PIX *pix, *t;

	if (!(pix = pixReadMemPng(p, n))) {
		snprintf(err, errlen, "bad PNG");
		return NULL;
	}
	if (gray || pixGetDepth(pix) != 32) {
		t = gray ? pixConvertTo8(pix, 0) : pixConvertTo32(pix);
		pixDestroy(&pix);
		pix = t;
	}
	if (pix && denom > 1) {
		t = pixScaleAreaMap(pix, 1.0f / denom, 1.0f / denom);
		pixDestroy(&pix);
		pix = t;
	}
	if (!pix)
		snprintf(err, errlen, "unable to convert PNG");
	return pix;
}

PIX *
alpr_image_decode(const unsigned char *p, size_t n, int denom, int gray,
    char *err, size_t errlen)
{
	int w, h;

	setMsgSeverity(L_SEVERITY_NONE);
	if (denom != 1 && denom != 2 && denom != 4 && denom != 8)
		denom = 1;
	switch (alpr_image_info(p, n, &w, &h)) {
	case ALPR_IMG_JPEG:
		return decode_jpeg(p, n, denom, gray, NULL, err, errlen);
	case ALPR_IMG_PNG:
		/* libpng takes the size from the IHDR that gave w and h */
		if (too_big((uint32_t)w, (uint32_t)h, err, errlen))
			return NULL;
		return decode_png(p, n, denom, gray, err, errlen);
	}
	snprintf(err, errlen, "not a JPEG or PNG image");
	return NULL;
}

PIX *
alpr_image_region(const unsigned char *p, size_t n, int x, int y, int w,
    int h, int gray, char *err, size_t errlen)
{
	int box[4], iw, ih, kind;
	PIX *pix, *c;
	BOX *b;

	setMsgSeverity(L_SEVERITY_NONE);
	kind = alpr_image_info(p, n, &iw, &ih);
	/* the box, clipped to the image */
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y < 0) {
		h += y;
		y = 0;
	}
	if (kind == ALPR_IMG_JPEG && iw > 0 && ih > 0) {
		w = x + w > iw ? iw - x : w;
		h = y + h > ih ? ih - y : h;
	}
	if (w <= 0 || h <= 0) {
		snprintf(err, errlen, "the box is outside the image");
		return NULL;
	}
	if (kind == ALPR_IMG_JPEG) {
		box[0] = x;
		box[1] = y;
		box[2] = w;
		box[3] = h;
		return decode_jpeg(p, n, 1, gray, box, err, errlen);
	}
	if (!(pix = alpr_image_decode(p, n, 1, gray, err, errlen)))
		return NULL;
	b = boxCreate(x, y, w, h);
	c = b ? pixClipRectangle(pix, b, NULL) : NULL;
	boxDestroy(&b);
	pixDestroy(&pix);
	if (!c)
		snprintf(err, errlen, "the box is outside the image");
	return c;
}

PIX *
alpr_image_load(const char *path, int denom, int gray, char *err,
    size_t errlen)
{
	unsigned char *p;
	char why[256];
	size_t n;
	PIX *pix;

	if (alpr_read_file_max(path, &p, &n, ALPR_FRAME_MAX) < 0) {
		snprintf(err, errlen, "%s: %s", path, alpr_strerror(errno));
		return NULL;
	}
	if (!(pix = alpr_image_decode(p, n, denom, gray, why, sizeof why)))
		snprintf(err, errlen, "%s: %s", path, why);
	free(p);
	return pix;
}

int
alpr_frame_bytes(json_t *frame, const char *spool, unsigned char **p,
    size_t *n, char *err, size_t errlen)
{
	const char *hash = alpr_rec_str(frame, "image");
	const char *src = alpr_rec_str(frame, "src");
	char *path = NULL;
	int r = -1;

	if (hash) {
		if (!alpr_spool_name_ok(hash)) {
			snprintf(err, errlen, "frame's \"image\" is not a spool "
			    "name (64 lower-case hex digits)");
			return -1;
		}
		path = alpr_spool_path(alpr_spool_dir(spool), hash);
		r = alpr_read_file_max(path, p, n, ALPR_FRAME_MAX);
	}
	if (r < 0 && src) {
		free(path);
		path = alpr_strdup(src);
		r = alpr_read_file_max(src, p, n, ALPR_FRAME_MAX);
	}
	if (r < 0) {
		if (!path)
			snprintf(err, errlen, "frame has neither \"image\" nor \"src\"");
		else
			snprintf(err, errlen, "unable to read frame %s: %s",
			    path, alpr_strerror(errno));
	}
	free(path);
	return r < 0 ? -1 : 0;
}

PIX *
alpr_frame_pix(json_t *frame, const char *spool, int denom, int gray,
    char *err, size_t errlen)
{
	unsigned char *p;
	size_t n;
	PIX *pix;

	if (alpr_frame_bytes(frame, spool, &p, &n, err, errlen) < 0)
		return NULL;
	pix = alpr_image_decode(p, n, denom, gray, err, errlen);
	free(p);
	return pix;
}
