/*
 * jscan.c: a strict JSON checker that builds no tree, fast enough to verify
 * a million log entries in well under a second and to let alpr-match pass
 * most reads through unparsed (jansson builds a tree per line, which is
 * five times slower). It accepts exactly RFC 8259 JSON with no duplicate
 * keys in any object, nesting to 32 and 128 keys an object, and hands back
 * the raw text of a few top-level members.
 */
#include <stdint.h>
#include <string.h>

#include "alpr.h"

#define MAXDEPTH 32
#define MAXKEYS 128

struct scan {
	const char *p, *end;
	int depth;
	int plain;	/* also refuse what jansson refuses or reads otherwise */
	int esc;	/* the last string had an escape */
	const char *err;
	struct alpr_jscan_member *want;
	int nwant;
	uint64_t wfirst;	/* the wanted keys' first bytes, mod 64 */
	/* a record's candidates' "plate" members, kept as they pass (the
	 * checking pass is the only one) when cands is set: */
	struct alpr_jscan_member *cands;	/* ALPR_JSCAN_PLATES of them */
	int ncands;
	int candat;	/* the depth of the top object's "candidates" array
			 * while it is checked, else 0 */
	int cmore;	/* string plates past ALPR_JSCAN_PLATES */
	int cesc;	/* one of those escaped */
};

static void
want(struct scan *s, struct alpr_jscan_member *w, int n)
{
	int i;

	s->want = w;
	s->nwant = n;
	s->wfirst = 0;
	for (i = 0; i < n; i++)
		s->wfirst |= (uint64_t)1 << (w[i].key[0] & 63);
}

static void
ws_run(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Compact JSON, the common case, has no white space: one test. */
static inline void
ws(struct scan *s)
{
	if (s->p < s->end && (unsigned char)*s->p <= ' ')
		ws_run(s);
}

static int
fail(struct scan *s, const char *why)
{
	if (!s->err)
		s->err = why;
	return -1;
}

static int
hex4(const char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return 0;
	return 1;
}

/* Bytes that need no look in a string: printable ASCII but '"' and '\\'. */
static const unsigned char plain[256] = {
	[' '] = 1, ['!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1,
};

/* A string; *raw and *n span its contents between the quotes. */
static int
string(struct scan *s, const char **raw, size_t *n)
{
	const unsigned char *p, *end = (const unsigned char *)s->end;
	int k;

	if (s->p >= s->end || *s->p != '"')
		return fail(s, "string expected");
	p = (const unsigned char *)++s->p;
	*raw = s->p;
	for (;;) {
		while (p < end && plain[*p])
			p++;
		if (p >= end)
			return fail(s, "unterminated string");
		if (*p == '"')
			break;
		if (*p < 0x20)
			return fail(s, "control character in a string");
		if (*p == '\\') {
			if (p + 1 >= end)
				return fail(s, "unterminated string");
			s->esc = 1;
			if (p[1] == 'u') {
				if (end - p < 6 || !hex4((const char *)p + 2))
					return fail(s, "bad \\u escape");
				/* jansson takes no NUL nor lone surrogate */
				if (s->plain && (!memcmp(p + 2, "0000", 4) ||
				    ((p[2] | 0x20) == 'd' && p[3] >= '8')))
					return fail(s, "\\u0000 or surrogate");
				p += 6;
			} else if (strchr("\"\\/bfnrt", p[1]) && p[1]) {
				p += 2;
			} else
				return fail(s, "bad escape");
			continue;
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (!(k = alpr_utf8_seq(p, end - p)))
			return fail(s, "invalid UTF-8");
		p += k;
	}
	*n = (const char *)p - *raw;
	s->p = (const char *)p + 1;
	return 0;
}

static int
digits(struct scan *s)
{
	const char *q = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > q ? 0 : fail(s, "bad number");
}

/* A number; plain: of a size no parser takes otherwise (15 digits before
 * the point, 2 in the exponent). */
static int
number(struct scan *s)
{
	const char *q;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	q = s->p;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (digits(s) < 0)
		return -1;
	if (s->plain && s->p - q > 15)
		return fail(s, "number too long");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		q = s->p;
		if (digits(s) < 0)
			return -1;
		if (s->plain && s->p - q > 2)
			return fail(s, "exponent too long");
	}
	return 0;
}

static int
literal(struct scan *s, const char *w, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return fail(s, "bad literal");
	s->p += n;
	return 0;
}

static int value(struct scan *s, int top);

/* Is the key k[0..kn), as written, the name w? */
static int
keyis(const char *w, const char *k, size_t kn)
{
	size_t i;

	for (i = 0; i < kn; i++)
		if (w[i] != k[i])	/* a raw key holds no NUL */
			return 0;
	return w[kn] == '\0';
}

/* A candidate's "plate" member, as the record's first pass meets it:
 * one that is no string is not a plate (plate() passes it by) and takes
 * no place. */
static void
cand_plate(struct scan *s, const char *v, size_t n)
{
	if (*v != '"')
		return;
	if (s->ncands < ALPR_JSCAN_PLATES) {
		s->cands[s->ncands].val = v;
		s->cands[s->ncands++].len = n;
	} else if (memchr(v, '\\', n))
		s->cesc = 1;
	else
		s->cmore++;
}

static int
object(struct scan *s, int top)
{
	const char *keys[MAXKEYS], *k;
	size_t lens[MAXKEYS], kn;
	const char *vstart;
	uint64_t seen = 0, bit;	/* keys so far, by first byte and length */
	int nk = 0, i, incand, cands = 0;
	/* an element of the record's candidates */
	int cand = s->candat && s->depth == s->candat + 1;

	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		s->esc = 0;
		if (string(s, &k, &kn) < 0)
			return -1;
		/* jansson compares keys decoded */
		if (s->plain && s->esc)
			return fail(s, "escaped key");
		bit = (uint64_t)1 << ((kn ? k[0] + kn * 7 : 0) & 63);
		for (i = 0; (seen & bit) && i < nk; i++)
			if (lens[i] == kn && (kn == 0 || keys[i][0] == k[0]) &&
			    !memcmp(keys[i], k, kn))
				return fail(s, "duplicate key");
		seen |= bit;
		if (nk == MAXKEYS)
			return fail(s, "too many keys in an object");
		keys[nk] = k;
		lens[nk++] = kn;
		ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return fail(s, "':' expected");
		ws(s);
		vstart = s->p;
		incand = top && s->cands && kn == 10 && s->p < s->end &&
		    *s->p == '[' && !memcmp(k, "candidates", 10);
		if (incand)
			s->candat = s->depth + 1;
		if (value(s, 0) < 0)
			return -1;
		if (incand)
			s->candat = 0;
		if (cand && kn == 5 && !memcmp(k, "plate", 5) && !cands++)
			cand_plate(s, vstart, s->p - vstart);
		if (top && kn && (s->wfirst >> (k[0] & 63) & 1))
			for (i = 0; i < s->nwant; i++)
				if (kn && s->want[i].key[0] == k[0] &&
				    keyis(s->want[i].key, k, kn)) {
					s->want[i].val = vstart;
					s->want[i].len = s->p - vstart;
				}
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return fail(s, "',' or '}' expected");
	}
}

static int
array(struct scan *s)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		if (value(s, 0) < 0)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return fail(s, "',' or ']' expected");
	}
}

static int
value(struct scan *s, int top)
{
	const char *raw;
	size_t n;
	int r;

	if (s->p >= s->end)
		return fail(s, "value expected");
	switch (*s->p) {
	case '{':
		if (++s->depth > MAXDEPTH)
			return fail(s, "nested too deeply");
		r = object(s, top);
		s->depth--;
		return r;
	case '[':
		if (++s->depth > MAXDEPTH)
			return fail(s, "nested too deeply");
		r = array(s);
		s->depth--;
		return r;
	case '"':
		return string(s, &raw, &n);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s);
		return fail(s, "value expected");
	}
}

/* p[0..n) is one object; NULL, or what is wrong. */
static const char *
check(struct scan *s)
{
	int i;

	for (i = 0; i < s->nwant; i++)
		s->want[i].val = NULL;
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return "not a JSON object";
	if (value(s, 1) < 0)
		return s->err;
	ws(s);
	if (s->p != s->end)
		return "text after the object";
	return NULL;
}

const char *
alpr_jscan_object(const char *p, size_t n, struct alpr_jscan_member *w,
    int nwant)
{
	struct scan s = { .p = p, .end = p + n };

	want(&s, w, nwant);
	return check(&s);
}

/* A "plate" member: 0 when escaped (unsure), else kept if a string. */
static int
plate(struct alpr_jscan_rec *r, const struct alpr_jscan_member *m)
{
	if (!m->val || *m->val != '"')
		return 1;
	if (memchr(m->val, '\\', m->len))
		return 0;
	if (r->nplates < ALPR_JSCAN_PLATES) {
		r->plate[r->nplates] = m->val + 1;
		r->nplate[r->nplates++] = m->len - 2;
	} else
		r->dropped++;
	return 1;
}

int
alpr_jscan_record(const char *line, size_t n, struct alpr_jscan_rec *r)
{
	return alpr_jscan_record_ex(line, n, r, NULL, 0);
}

int
alpr_jscan_record_ex(const char *line, size_t n, struct alpr_jscan_rec *r,
    struct alpr_jscan_member *extra, int nextra)
{
	struct alpr_jscan_member m[5 + 16] = { { "type", 0, 0 },
	    { "v", 0, 0 }, { "hits", 0, 0 }, { "plate", 0, 0 },
	    { "candidates", 0, 0 } };
	struct alpr_jscan_member cm[ALPR_JSCAN_PLATES];
	struct scan s = { .p = line, .end = line + n, .plain = 1, .cands = cm };
	size_t i;
	int k, bad;

	memset(r, 0, sizeof *r);
	if (nextra > 16)
		return 0;
	for (k = 0; k < nextra; k++)
		m[5 + k].key = extra[k].key;
	want(&s, m, 5 + nextra);
	bad = check(&s) != NULL;
	for (k = 0; k < nextra; k++)
		extra[k] = m[5 + k];
	if (bad || !m[0].val || *m[0].val != '"' ||
	    memchr(m[0].val, '\\', m[0].len) || !m[1].val || m[1].len > 6)
		return 0;
	r->type = m[0].val + 1;
	r->ntype = m[0].len - 2;
	for (i = 0; i < m[1].len; i++) {
		if (m[1].val[i] < '0' || m[1].val[i] > '9')
			return 0;
		r->v = r->v * 10 + (m[1].val[i] - '0');
	}
	if (r->v < 1 || r->v > ALPR_RECORD_VERSION || !plate(r, &m[3]))
		return 0;
	r->own = r->nplates == 1;
	r->hits = m[2].val != NULL;
	/* the candidates' own "plate", kept as they were checked */
	for (k = 0; k < s.ncands; k++)
		if (!plate(r, &cm[k]))
			return 0;
	if (s.cesc)
		return 0;
	r->dropped += s.cmore;
	return 1;
}
