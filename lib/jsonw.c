/*
 * jsonw.c: JSON text written directly, for output built often or large
 * (a read can have many hits), where a jansson tree for each would cost
 * more than the matching.
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

/* A JSON string; the text is valid UTF-8 (checked at load). */
void
alpr_jsonw_str(struct alpr_jsonw *b, const char *s)
{
	const char *run;
	char esc[8];

	alpr_jsonw_raw(b, "\"", 1);
	for (;;) {
		for (run = s; (unsigned char)*s >= 0x20 && *s != '"' &&
		    *s != '\\'; s++)
			;
		alpr_jsonw_raw(b, run, s - run);
		if (!*s)
			break;
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof esc, "\\%c", *s);
		else if (*s == '\n' || *s == '\t' || *s == '\r')
			snprintf(esc, sizeof esc, "\\%c",
			    *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
		else
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)*s);
		alpr_jsonw_raw(b, esc, strlen(esc));
		s++;
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
