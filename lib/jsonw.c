/*
 * jsonw.c: JSON text written directly, for output built often or large
 * (a read can have many hits), where a jansson tree for each would cost
 * more than the matching. Strings are checked as they are written, so the
 * text is valid whatever they hold.
 */
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

void
alpr_jsonw_raw(struct alpr_jsonw *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		while (b->n + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->p = alpr_realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
alpr_jsonw_str(struct alpr_jsonw *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	char esc[8];
	int k;

	alpr_jsonw_raw(b, "\"", 1);
	for (;;) {
		for (run = p; *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\'; p++)
			;
		alpr_jsonw_raw(b, (const char *)run, p - run);
		if (!*p)
			break;
		if (*p >= 0x80) {
			if ((k = alpr_utf8_seq(p, strnlen((const char *)p, 4))))
				alpr_jsonw_raw(b, (const char *)p, k);
			else
				alpr_jsonw_raw(b, "\\ufffd", 6);
			p += k ? k : 1;
			continue;
		}
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof esc, "\\%c", *p);
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			snprintf(esc, sizeof esc, "\\%c",
			    *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
		else
			snprintf(esc, sizeof esc, "\\u%04x", *p);
		alpr_jsonw_raw(b, esc, strlen(esc));
		p++;
	}
	alpr_jsonw_raw(b, "\"", 1);
}

void
alpr_jsonw_member(struct alpr_jsonw *b, const char *k, const char *v)
{
	alpr_jsonw_raw(b, ",", 1);
	alpr_jsonw_str(b, k);
	alpr_jsonw_raw(b, ":", 1);
	alpr_jsonw_str(b, v);
}
