/*
 * utf8.c: UTF-8 text (RFC 3629: shortest forms only, no surrogates,
 * nothing past U+10FFFF), and text in the 8-bit character set that
 * spreadsheets on Windows write, turned into it.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

int
alpr_utf8_seq(const unsigned char *p, size_t n)
{
	int k, i;

	if (n == 0)
		return 0;
	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		k = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		k = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < (size_t)k)
		return 0;
	/* the second byte's range rules out overlong forms, surrogates
	 * and what lies past U+10FFFF */
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] > 0x9f) ||
	    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
		return 0;
	for (i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

size_t
alpr_utf8_valid(const unsigned char *p, size_t n)
{
	uint64_t w;
	size_t i = 0;
	int k;

	while (i < n) {
		/* ASCII, eight bytes at a time: most of a hotlist */
		if (i + 8 <= n && (memcpy(&w, p + i, 8),
		    !(w & 0x8080808080808080ULL))) {
			i += 8;
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (!(k = alpr_utf8_seq(p + i, n - i)))
			break;
		i += k;
	}
	return i;
}

int
alpr_utf8_kind(const unsigned char *p, size_t n)
{
	size_t i = 0;
	int k, shaped = 0;

	if (alpr_utf8_valid(p, n) == n)
		return ALPR_UTF8;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = alpr_utf8_seq(p + i, n - i)))
			return ALPR_UTF8_BROKEN;
		/* a lead byte and continuation bytes: UTF-8 gone wrong
		 * (a surrogate, an overlong form) rather than 8-bit text */
		k = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : p[i] >= 0xc0 ? 2 : 0;
		for (shaped = k > 0 && i + k <= n; shaped && --k > 0; )
			shaped = (p[i + k] & 0xc0) == 0x80;
		if (shaped)
			return ALPR_UTF8_BROKEN;
		i++;
	}
	return ALPR_8BIT;
}

char *
alpr_utf8_cp1252(const char *p, size_t n, size_t *outn, size_t *bad)
{
	iconv_t cd;
	char *in = (char *)p, *out, *o;
	size_t inleft = n, outleft = 3 * n + 1;

	if ((cd = iconv_open("UTF-8", "WINDOWS-1252")) == (iconv_t)-1)
		return NULL;
	o = out = alpr_malloc(outleft);
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		*bad = in - p;
		iconv_close(cd);
		free(out);
		errno = EILSEQ;
		return NULL;
	}
	iconv_close(cd);
	*o = '\0';
	*outn = o - out;
	return out;
}
