/*
 * exif.c: the time a camera recorded in EXIF (DateTimeOriginal, with
 * SubSecTimeOriginal and OffsetTimeOriginal), read from the TIFF structure
 * of a JPEG's APP1 "Exif" segment or a PNG's eXIf chunk. Every offset is
 * checked against the segment it lives in: EXIF comes from cameras and
 * from anyone who can drop a file, so it is untrusted input.
 */
#include <ctype.h>
#include <string.h>

#include "alpr.h"

enum {
	TAG_EXIF_IFD = 0x8769,
	TAG_DTO = 0x9003,	/* DateTimeOriginal, "YYYY:MM:DD HH:MM:SS" */
	TAG_OFFSET = 0x9011,	/* OffsetTimeOriginal, "+HH:MM" */
	TAG_SUBSEC = 0x9291,	/* SubSecTimeOriginal, "123" */
	TYPE_ASCII = 2,
	TYPE_LONG = 4,
	TYPE_IFD = 13,
};

struct tiff {
	const unsigned char *p;
	size_t n;
	int be;		/* "MM": big endian */
};

static uint32_t
get16(const struct tiff *t, size_t off)
{
	const unsigned char *q = t->p + off;

	return t->be ? (uint32_t)q[0] << 8 | q[1] : (uint32_t)q[1] << 8 | q[0];
}

static uint32_t
get32(const struct tiff *t, size_t off)
{
	const unsigned char *q = t->p + off;

	if (t->be)
		return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		    (uint32_t)q[2] << 8 | q[3];
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 |
	    (uint32_t)q[1] << 8 | q[0];
}

/* Offset of the 12-byte entry for tag in the IFD at off, or 0. */
static size_t
ifd_find(const struct tiff *t, size_t off, unsigned tag)
{
	size_t i, cnt;

	if (off < 8 || off > t->n || t->n - off < 2)
		return 0;
	cnt = get16(t, off);
	if ((t->n - off - 2) / 12 < cnt)
		return 0;
	for (i = 0; i < cnt; i++)
		if (get16(t, off + 2 + 12 * i) == tag)
			return off + 2 + 12 * i;
	return 0;
}

/* Copy an ASCII entry's value into buf (NUL-terminated); 0 or -1. */
static int
ascii(const struct tiff *t, size_t e, char *buf, size_t len)
{
	size_t cnt, off, i;

	if (!e || get16(t, e + 2) != TYPE_ASCII)
		return -1;
	cnt = get32(t, e + 4);
	if (cnt <= 4)
		off = e + 8;
	else {
		off = get32(t, e + 8);
		if (off > t->n || t->n - off < cnt)
			return -1;
	}
	for (i = 0; i < cnt && i + 1 < len && t->p[off + i]; i++)
		buf[i] = (char)t->p[off + i];
	buf[i] = '\0';
	return 0;
}

int
alpr_exif_tiff(const unsigned char *p, size_t n, struct alpr_exif *ex)
{
	struct tiff t = { p, n, 0 };
	size_t e, ifd;
	unsigned type;

	memset(ex, 0, sizeof *ex);
	if (n < 8)
		return -1;
	if (!memcmp(p, "II*\0", 4))
		t.be = 0;
	else if (!memcmp(p, "MM\0*", 4))
		t.be = 1;
	else
		return -1;
	if (!(e = ifd_find(&t, get32(&t, 4), TAG_EXIF_IFD)))
		return -1;
	type = get16(&t, e + 2);
	if ((type != TYPE_LONG && type != TYPE_IFD) || get32(&t, e + 4) != 1)
		return -1;
	ifd = get32(&t, e + 8);
	if (ascii(&t, ifd_find(&t, ifd, TAG_DTO), ex->dt, sizeof ex->dt) < 0 ||
	    !ex->dt[0])
		return -1;
	ascii(&t, ifd_find(&t, ifd, TAG_SUBSEC), ex->subsec, sizeof ex->subsec);
	ascii(&t, ifd_find(&t, ifd, TAG_OFFSET), ex->offset, sizeof ex->offset);
	return 0;
}

static int
jpeg_exif(const unsigned char *p, size_t n, struct alpr_exif *ex)
{
	size_t i = 2, len;
	unsigned m;

	while (i + 4 <= n && p[i] == 0xff) {
		while (i < n && p[i] == 0xff)
			i++;
		if (i + 3 > n)
			break;
		m = p[i];
		if (m == 0xda || m == 0xd9)
			break;	/* image data: no APPn after it */
		if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
			i++;
			continue;
		}
		len = (size_t)p[i + 1] << 8 | p[i + 2];
		if (len < 2 || len > n - i - 1)
			break;
		if (m == 0xe1 && len >= 8 &&
		    !memcmp(p + i + 3, "Exif\0\0", 6) &&
		    alpr_exif_tiff(p + i + 9, len - 8, ex) == 0)
			return 0;
		i += 1 + len;
	}
	memset(ex, 0, sizeof *ex);
	return -1;
}

static int
png_exif(const unsigned char *p, size_t n, struct alpr_exif *ex)
{
	size_t i = 8, len;

	while (i + 12 <= n) {
		len = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 |
		    (size_t)p[i + 2] << 8 | p[i + 3];
		if (len > n - i - 12)
			break;
		if (!memcmp(p + i + 4, "eXIf", 4))
			return alpr_exif_tiff(p + i + 8, len, ex);
		if (!memcmp(p + i + 4, "IDAT", 4) ||
		    !memcmp(p + i + 4, "IEND", 4))
			break;	/* eXIf comes before the image data */
		i += 12 + len;
	}
	memset(ex, 0, sizeof *ex);
	return -1;
}

int
alpr_exif_read(const unsigned char *p, size_t n, struct alpr_exif *ex)
{
	memset(ex, 0, sizeof *ex);
	if (n >= 4 && p[0] == 0xff && p[1] == 0xd8)
		return jpeg_exif(p, n, ex);
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return png_exif(p, n, ex);
	return -1;
}

static int
num(const char *s, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	*out = v;
	return 0;
}

int
alpr_exif_time(const struct alpr_exif *ex, struct timespec *ts)
{
	const char *s = ex->dt, *o = ex->offset;
	int Y, M, D, h, m, sec, oh, om, i;
	long ns = 0, scale = 100000000;
	struct tm tm;
	time_t t;

	if (strlen(s) != 19 || num(s, 4, &Y) || s[4] != ':' ||
	    num(s + 5, 2, &M) || s[7] != ':' || num(s + 8, 2, &D) ||
	    s[10] != ' ' || num(s + 11, 2, &h) || s[13] != ':' ||
	    num(s + 14, 2, &m) || s[16] != ':' || num(s + 17, 2, &sec))
		return -1;
	if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	for (i = 0; isdigit((unsigned char)ex->subsec[i]) && scale; i++) {
		ns += (ex->subsec[i] - '0') * scale;
		scale /= 10;
	}
	tm = alpr_tm(Y, M, D, h, m, sec);
	if ((o[0] == '+' || o[0] == '-') && !num(o + 1, 2, &oh) &&
	    o[3] == ':' && !num(o + 4, 2, &om) && oh <= 23 && om <= 59) {
		t = timegm(&tm) -
		    (o[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	} else {
		tm.tm_isdst = -1;	/* camera local time: TZ decides */
		if ((t = mktime(&tm)) == (time_t)-1)
			return -1;
	}
	ts->tv_sec = t;
	ts->tv_nsec = ns;
	return 0;
}
