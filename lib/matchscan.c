/*
 * matchscan.c: a strict scan of one record line for the few members that
 * alpr-match needs, without building it in memory: a read passes through
 * as it came (gaining "hits" spliced in before its closing brace), so most
 * lines never need jansson. The scan accepts a subset of JSON: strings of
 * printable ASCII without escapes, numbers of ordinary size, nesting to 32,
 * at most 64 members an object; for anything else, and for anything
 * wrong, it says "not sure" and the caller parses the line in full, which
 * also gives the exact message for a bad line.
 */
#include <string.h>

#include "alpr.h"

#define MAXDEPTH 32
#define MAXKEYS 64

enum { CTX_NONE, CTX_TOP, CTX_CANDS, CTX_CAND };

struct sc {
	const char *p, *end;
	struct alpr_scan *s;
	int depth;
};

static void
ws(struct sc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int
str(struct sc *c, const char **b, size_t *n)
{
	const char *p = c->p + 1;

	for (; p < c->end; p++) {
		if (*p == '"') {
			*b = c->p + 1;
			*n = p - *b;
			c->p = p + 1;
			return 1;
		}
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '\\')
			return 0;
	}
	return 0;
}

static int
digits(struct sc *c, int max)
{
	const char *b = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > b && c->p - b <= max;
}

/* A number; *integer says whether it had no fraction or exponent. */
static int
number(struct sc *c, int *integer)
{
	*integer = 1;
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0') {
		c->p++;
	} else if (!digits(c, 15))
		return 0;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		*integer = 0;
		if (!digits(c, 30))
			return 0;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		*integer = 0;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c, 2))
			return 0;
	}
	return 1;
}

static int
word(struct sc *c, const char *w, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return 0;
	c->p += n;
	return 1;
}

static int value(struct sc *c, int ctx, const char *key, size_t nkey);

static int
object(struct sc *c, int ctx)
{
	const char *k[MAXKEYS];
	size_t nk[MAXKEYS];
	int n = 0, i;

	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 1;
	}
	for (;;) {
		if (c->p >= c->end || *c->p != '"' || n == MAXKEYS ||
		    !str(c, &k[n], &nk[n]))
			return 0;
		for (i = 0; i < n; i++)
			if (nk[i] == nk[n] && !memcmp(k[i], k[n], nk[n]))
				return 0;
		n++;
		ws(c);
		if (c->p >= c->end || *c->p++ != ':')
			return 0;
		ws(c);
		if (!value(c, ctx, k[n - 1], nk[n - 1]))
			return 0;
		ws(c);
		if (c->p >= c->end)
			return 0;
		if (*c->p == '}') {
			c->p++;
			return 1;
		}
		if (*c->p++ != ',')
			return 0;
		ws(c);
	}
}

static int
array(struct sc *c, int ctx)
{
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 1;
	}
	for (;;) {
		if (!value(c, ctx, NULL, 0))
			return 0;
		ws(c);
		if (c->p >= c->end)
			return 0;
		if (*c->p == ']') {
			c->p++;
			return 1;
		}
		if (*c->p++ != ',')
			return 0;
		ws(c);
	}
}

#define IS(s) (nkey == sizeof s - 1 && !memcmp(key, s, sizeof s - 1))

/* A value; ctx and key say where it is (key NULL in an array). */
static int
value(struct sc *c, int ctx, const char *key, size_t nkey)
{
	struct alpr_scan *s = c->s;
	const char *b, *start = c->p;
	size_t n;
	int r, integer;

	if (c->p >= c->end)
		return 0;
	if (ctx == CTX_TOP && IS("hits"))
		s->hits = 1;
	switch (*c->p) {
	case '{':
	case '[':
		if (++c->depth > MAXDEPTH)
			return 0;
		if (*c->p == '{')
			r = object(c, ctx == CTX_CANDS ? CTX_CAND : CTX_NONE);
		else
			r = array(c, ctx == CTX_TOP && IS("candidates") ?
			    CTX_CANDS : CTX_NONE);
		c->depth--;
		return r;
	case '"':
		if (!str(c, &b, &n))
			return 0;
		if (ctx == CTX_TOP && IS("type")) {
			s->type = b;
			s->ntype = n;
		} else if ((ctx == CTX_TOP || ctx == CTX_CAND) && IS("plate") &&
		    s->nplates < ALPR_SCAN_PLATES) {
			/* the read's own plate goes first */
			if (ctx == CTX_TOP && s->nplates > 0) {
				memmove(s->plate + 1, s->plate,
				    s->nplates * sizeof *s->plate);
				memmove(s->nplate + 1, s->nplate,
				    s->nplates * sizeof *s->nplate);
				s->plate[0] = b;
				s->nplate[0] = n;
			} else {
				s->plate[s->nplates] = b;
				s->nplate[s->nplates] = n;
			}
			s->nplates++;
		}
		return 1;
	case 't':
		return word(c, "true", 4);
	case 'f':
		return word(c, "false", 5);
	case 'n':
		return word(c, "null", 4);
	default:
		if (*c->p != '-' && (*c->p < '0' || *c->p > '9'))
			return 0;
		if (!number(c, &integer))
			return 0;
		if (ctx == CTX_TOP && IS("v")) {
			if (!integer || *start == '-' || c->p - start > 6)
				return 0;
			for (s->v = 0; start < c->p; start++)
				s->v = s->v * 10 + (*start - '0');
		}
		return 1;
	}
}

int
alpr_scan_record(const char *line, size_t n, struct alpr_scan *s)
{
	struct sc c = { line, line + n, s, 0 };

	memset(s, 0, sizeof *s);
	s->v = -1;
	ws(&c);
	if (c.p >= c.end || *c.p != '{' || !object(&c, CTX_TOP))
		return 0;
	ws(&c);
	return c.p == c.end && s->type && s->v >= 1 &&
	    s->v <= ALPR_RECORD_VERSION;
}
