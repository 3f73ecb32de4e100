/*
 * csv.c: CSV and other delimited text (RFC 4180 quoting), read in place:
 * fields are unquoted where they stand and NUL terminated.
 */
#include <string.h>

#include "alpr.h"

int
alpr_csv_delim(const char *p)
{
	static const char cand[] = ",\t;|";
	int count[4] = { 0 }, q = 0, i, best = 0;

	for (; *p && *p != '\n'; p++) {
		if (*p == '"')
			q = !q;
		else if (!q)
			for (i = 0; i < 4; i++)
				count[i] += *p == cand[i];
	}
	for (i = 1; i < 4; i++)
		if (count[i] > count[best])
			best = i;
	return cand[best];
}

int
alpr_csv_record(char **pp, int delim, char **f, int max, int *lines,
    const char **err)
{
	char *p = *pp, *w = p, *fs, *q;
	int n = 0, c;

	*lines = 0;
	for (;;) {
		fs = w;
		if (n < max)
			f[n] = w;
		n++;
		if (*p == '"') {
			for (q = p + 1; *q && (*q != '"' || q[1] == '"');
			    q += 1 + (*q == '"'))
				;
			if (!*q) {
				*err = "unterminated quoted field";
				goto skip;
			}
			for (p++; p < q; p++) {
				if (*p == '"')
					p++;
				else if (*p == '\n')
					++*lines;
				*w++ = *p;
			}
			p++;
			if (*p == '\r' && (p[1] == '\n' || !p[1]))
				p++;
			if (*p && *p != delim && *p != '\n') {
				*err = "text after a closing quote";
				goto skip;
			}
		} else {
			while (*p && *p != delim && *p != '\n')
				*w++ = *p++;
			if (*p != delim && w > fs && w[-1] == '\r')
				w--;
		}
		c = *p;
		*w++ = '\0';
		if (c == delim) {
			p++;
			continue;
		}
		if (c == '\n') {
			p++;
			++*lines;
		}
		*pp = p;
		return n;
	}
skip:
	while (*p && *p != '\n')
		p++;
	if (*p) {
		p++;
		++*lines;
	}
	*pp = p;
	return -1;
}
