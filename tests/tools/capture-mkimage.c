/*
 * capture-mkimage: test driver that writes a JPEG or PNG of a given size
 * with some content, optionally carrying an EXIF DateTimeOriginal (with
 * SubSecTimeOriginal, OffsetTimeOriginal, either byte order, and an
 * embedded thumbnail JPEG), for the alpr-capture tests.
 *
 *	capture-mkimage [-pMPT] [-r rows] [-x seed] [-e "YYYY:MM:DD HH:MM:SS"]
 *	    [-s subsec] [-o +HH:MM] w h out
 *
 * -p PNG; -M big-endian EXIF; -T a thumbnail JPEG in EXIF; -P progressive
 * JPEG; -r a restart marker every rows MCU rows.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdio.h>
#include <jpeglib.h>
#include <leptonica/allheaders.h>

#include "alpr.h"

static int be;			/* -M: big-endian TIFF */
static unsigned char tiff[65536];
static size_t tn;

static void
put16(size_t at, unsigned v)
{
	tiff[at + (be ? 0 : 1)] = (v >> 8) & 0xff;
	tiff[at + (be ? 1 : 0)] = v & 0xff;
}

static void
put32(size_t at, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		tiff[at + (be ? i : 3 - i)] = (v >> (24 - 8 * i)) & 0xff;
}

static void
entry(size_t at, unsigned tag, unsigned type, uint32_t cnt, uint32_t val)
{
	put16(at, tag);
	put16(at + 2, type);
	put32(at + 4, cnt);
	if (type == 3 && cnt == 1) {	/* SHORT, left-justified */
		put32(at + 8, 0);
		put16(at + 8, val);
	} else
		put32(at + 8, val);
}

/* An ASCII entry: inline when it fits in 4 bytes, else appended. */
static void
ascii(size_t at, unsigned tag, const char *s)
{
	uint32_t n = strlen(s) + 1;

	if (n <= 4) {
		entry(at, tag, 2, n, 0);
		memcpy(tiff + at + 8, s, n);
		return;
	}
	entry(at, tag, 2, n, tn);
	memcpy(tiff + tn, s, n);
	tn += n;
}

static void
make_tiff(const char *dt, const char *sub, const char *off,
    const unsigned char *thumb, size_t thumbn)
{
	size_t exif, ifd1, e;
	int k = 1 + (sub != NULL) + (off != NULL);

	memcpy(tiff, be ? "MM\0*" : "II*\0", 4);
	put32(4, 8);
	put16(8, 1);			/* IFD0: one entry, the Exif IFD */
	exif = 8 + 2 + 12 + 4;
	entry(10, 0x8769, 4, 1, exif);
	put16(exif, k);
	tn = exif + 2 + 12 * k + 4;
	put32(exif + 2 + 12 * k, 0);
	e = exif + 2;
	ascii(e, 0x9003, dt), e += 12;
	if (off)
		ascii(e, 0x9011, off), e += 12;
	if (sub)
		ascii(e, 0x9291, sub), e += 12;
	if (!thumb) {
		put32(22, 0);
		return;
	}
	ifd1 = tn;
	put32(22, ifd1);		/* IFD0's next: IFD1, the thumbnail */
	put16(ifd1, 3);
	entry(ifd1 + 2, 0x0103, 3, 1, 6);
	entry(ifd1 + 14, 0x0201, 4, 1, ifd1 + 2 + 36 + 4);
	entry(ifd1 + 26, 0x0202, 4, 1, thumbn);
	put32(ifd1 + 38, 0);
	tn = ifd1 + 42;
	memcpy(tiff + tn, thumb, thumbn);
	tn += thumbn;
}

static PIX *
picture(int w, int h, unsigned seed)
{
	PIX *pix = pixCreate(w, h, 32);
	BOX *b;
	int x, y;

	srand(seed);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			pixSetRGBPixel(pix, x, y, (x * 255 / w + seed * 37) & 0xff,
			    (y * 255 / h) & 0xff, rand() & 0x3f);
	b = boxCreate(w / 4, h / 3, w / 2, h / 3);
	pixRenderBoxArb(pix, b, 3, 0, 0, 0);
	boxDestroy(&b);
	return pix;
}

/* A JPEG through libjpeg, for restart markers and progressive scans. */
static void
encode_jpeg(PIX *pix, int restart, int progressive, unsigned char **out,
    size_t *n)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned long len = 0;
	unsigned char *row;
	int x, r, g, b;

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	*out = NULL;
	jpeg_mem_dest(&ci, out, &len);
	ci.image_width = pixGetWidth(pix);
	ci.image_height = pixGetHeight(pix);
	ci.input_components = 3;
	ci.in_color_space = JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 80, TRUE);
	ci.restart_in_rows = restart;
	if (progressive)
		jpeg_simple_progression(&ci);
	jpeg_start_compress(&ci, TRUE);
	row = alpr_malloc(3 * ci.image_width);
	while (ci.next_scanline < ci.image_height) {
		for (x = 0; x < (int)ci.image_width; x++) {
			pixGetRGBPixel(pix, x, ci.next_scanline, &r, &g, &b);
			row[3 * x] = r, row[3 * x + 1] = g, row[3 * x + 2] = b;
		}
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	free(row);
	*n = len;
}

/* PNG's CRC-32 over a chunk's type and data. */
static unsigned long
crc(const char *type, const unsigned char *p, size_t n)
{
	unsigned long c = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < 4 + n; i++) {
		c ^= i < 4 ? (unsigned char)type[i] : p[i - 4];
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320UL ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffUL;
}

int
main(int argc, char **argv)
{
	const char *dt = NULL, *sub = NULL, *off = NULL;
	unsigned char *img, *th = NULL, *out, hd[8];
	size_t n, thn = 0, m;
	int c, png = 0, thumb = 0, restart = 0, prog = 0, w, h;
	unsigned seed = 1;
	unsigned long v;
	PIX *pix;
	FILE *f;

	alpr_setprogname(argv[0]);
	setMsgSeverity(L_SEVERITY_NONE);
	while ((c = getopt(argc, argv, "e:Mo:pPr:s:Tx:")) != -1)
		switch (c) {
		case 'e': dt = optarg; break;
		case 'M': be = 1; break;
		case 'o': off = optarg; break;
		case 'p': png = 1; break;
		case 'P': prog = 1; break;
		case 'r': restart = atoi(optarg); break;
		case 's': sub = optarg; break;
		case 'T': thumb = 1; break;
		case 'x': seed = atoi(optarg); break;
		default: return 2;
		}
	if (argc - optind != 3)
		alpr_die(2, "usage: capture-mkimage [-pMPT] [-r rows] [-x seed] [-e time] "
		    "[-s subsec] [-o offset] w h out");
	w = atoi(argv[optind]);
	h = atoi(argv[optind + 1]);
	pix = picture(w, h, seed);
	if (png) {
		if (pixWriteMemPng(&img, &n, pix, 0))
			alpr_die(3, "unable to encode");
	} else
		encode_jpeg(pix, restart, prog, &img, &n);
	if (thumb) {
		PIX *t = picture(32, 24, seed + 1);
		pixWriteMemJpeg(&th, &thn, t, 70, 0);
		pixDestroy(&t);
	}
	out = alpr_malloc(n + sizeof tiff + 32);
	m = 0;
	if (dt && !png) {	/* APP1 right after SOI */
		make_tiff(dt, sub, off, th, thn);
		memcpy(out, img, 2);
		out[2] = 0xff, out[3] = 0xe1;
		out[4] = (tn + 8) >> 8, out[5] = (tn + 8) & 0xff;
		memcpy(out + 6, "Exif\0\0", 6);
		memcpy(out + 12, tiff, tn);
		memcpy(out + 12 + tn, img + 2, n - 2);
		m = 12 + tn + n - 2;
	} else if (dt) {	/* eXIf chunk right after IHDR */
		make_tiff(dt, sub, off, NULL, 0);
		memcpy(out, img, 33);
		hd[0] = tn >> 24, hd[1] = tn >> 16, hd[2] = tn >> 8, hd[3] = tn;
		memcpy(out + 33, hd, 4);
		memcpy(out + 37, "eXIf", 4);
		memcpy(out + 41, tiff, tn);
		v = crc("eXIf", tiff, tn);
		hd[0] = v >> 24, hd[1] = v >> 16, hd[2] = v >> 8, hd[3] = v;
		memcpy(out + 41 + tn, hd, 4);
		memcpy(out + 45 + tn, img + 33, n - 33);
		m = 45 + tn + n - 33;
	} else {
		memcpy(out, img, n);
		m = n;
	}
	if (!(f = fopen(argv[optind + 2], "wb")) || fwrite(out, 1, m, f) != m)
		alpr_die(3, "unable to write %s:", argv[optind + 2]);
	alpr_fshut(f, argv[optind + 2]);
	pixDestroy(&pix);
	free(img);
	free(th);
	free(out);
	return 0;
}
