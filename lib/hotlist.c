/*
 * hotlist.c: hotlists of wanted plates (alpr-match(1)) and matching reads
 * against them.
 *
 * A list file is read whole and its CSV fields are unquoted in place, NUL
 * terminated, so an entry keeps only its normalised plate, its validity
 * window and the offset of its fields; the rest is turned into JSON only
 * for a hit. Two hash indexes answer a read without scanning the lists:
 * the exact one is keyed by the plate, the lenient one by every variant of
 * the confusion-class-folded plate with up to N characters deleted
 * (symmetric deletion: two strings within N edits share such a variant),
 * each candidate then checked by a bounded edit distance. Wildcard entries
 * are few and are tried one by one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alpr.h"

enum { C_PLATE, C_STATE, C_CAT, C_REASON, C_PRIO, C_FROM, C_UNTIL, C_NOTES,
	NROLE };

static const char *rolename[NROLE] = {
	"plate", "state", "category", "reason", "priority", "effective",
	"expires", "notes",
};

/* Header names by role, lower case with all but letters and digits gone. */
static const char *aliases[NROLE] = {
	" plate platenumber plateno platenum licenseplate licenceplate license"
	" licence licensenumber licencenumber licenseplatenumber lic licplate"
	" tag tagnumber tagno vrm vrn registration regno registrationnumber ",
	" state platestate lis licensestate licencestate registrationstate"
	" regstate st jurisdiction issuingstate ",
	" list category cat listname listtype hotlist type alerttype"
	" classification ",
	" reason description desc offense offence alertreason"
	" reasonforentry ",
	" priority prio pri level severity ",
	" effective effectivedate effectivefrom start startdate validfrom"
	" from begin begins ",
	" expiry expires expiration expirationdate expirydate expdate exp"
	" end enddate validto validuntil until purgedate ",
	" notes note comment comments remarks misc ",
};

#define DEFAULT_CONFIRM "unconfirmed: confirm this hit through CLETS " \
	"(or with the originating agency) before taking any enforcement action"

/* Always forbidden (Cal. Gov. Code 7284.6, Civ. Code 1798.90.55). */
static const char *builtin_forbidden[] = {
	"immigration", "immigration-status", "ice", "ice-detainer",
	"civil-immigration", "deportation", "removal-order", "undocumented",
	"alien",
};

struct list {
	char *path, *name;
	char *buf;		/* the file, fields unquoted in place */
	int delim;		/* the field delimiter */
	int nf;			/* fields a line */
	char **hdr;		/* header names */
	int col[NROLE];		/* column of each role, or -1 */
	int maxdiff;		/* -1 exact, else lenient with N differences */
};

struct entry {
	char plate[ALPR_PLATE_MAX + 1];
	int64_t from, until;	/* valid from, valid before; 0 none */
	size_t off;		/* first field in the list's buf */
	uint32_t line;
	uint16_t list;
	uint8_t len, wild;
};

struct index {
	uint32_t mask;
	uint32_t *start;	/* mask + 1 offsets into keys */
	uint64_t *keys;		/* entry id, and the key's hash above */
};

struct alpr_hotlist {
	const struct alpr_hlpolicy *pol;
	struct list *lists;
	size_t nlists, pending;	/* lists[nlists] is being read when pending */
	struct entry *e;
	size_t ne, cap, ne0;	/* ne0: entries before the pending list */
	struct wild *wild;	/* by anchor: first, last literal, none */
	size_t nwild, woff[514];
	struct index exact, lenient;
	int maxdiff;		/* largest of the lenient lists, or -1 */
};

struct wild {
	char fpat[ALPR_PLATE_MAX + 1];	/* folded pattern */
	uint32_t id;
	uint8_t len, star;		/* literal and ? count, has a * */
	uint16_t anchor;		/* first char, 256 + last, or 512 */
};

struct hit {
	uint32_t id;
	int lenient, diff, cand;
};

static unsigned char fold[256];

static void
fold_init(void)
{
	static const char *cls[] = { "0ODQ", "1I", "2Z", "5S", "8B", "6G" };
	size_t i;
	const char *p;

	if (fold['A'])
		return;
	for (i = 0; i < 256; i++)
		fold[i] = i;
	for (i = 0; i < sizeof cls / sizeof *cls; i++)
		for (p = cls[i]; *p; p++)
			fold[(unsigned char)*p] = cls[i][0];
}


/* Policy. */

static char *
catnorm(const char *s, char *buf, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++) {
		if (*s == ' ' || *s == '_' || *s == '-' || *s == '/') {
			if (n > 0 && buf[n - 1] != '-')
				buf[n++] = '-';
		} else
			buf[n++] = tolower((unsigned char)*s);
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
	return buf;
}

static void
forbid(struct alpr_hlpolicy *p, const char *name)
{
	char buf[128];

	catnorm(name, buf, sizeof buf);
	if (!*buf)
		return;
	p->forbidden = alpr_realloc(p->forbidden,
	    (p->nforbidden + 1) * sizeof *p->forbidden);
	p->forbidden[p->nforbidden++] = alpr_strdup(buf);
}

void
alpr_hlpolicy_init(struct alpr_hlpolicy *p)
{
	size_t i;

	memset(p, 0, sizeof *p);
	p->max_age_days = 30;
	p->confirm = alpr_strdup(DEFAULT_CONFIRM);
	for (i = 0; i < sizeof builtin_forbidden / sizeof *builtin_forbidden;
	    i++)
		forbid(p, builtin_forbidden[i]);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
alpr_hlpolicy_read(struct alpr_hlpolicy *p, const char *path)
{
	char *line = NULL, *k, *v, *tok, *save;
	unsigned long lineno = 0;
	size_t cap = 0;
	int bad = 0;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		alpr_warn("fatal: unable to open config %s:", path);
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		if (!(v = strchr(k, '='))) {
			alpr_warn("%s:%lu: want key=value", path, lineno);
			bad = 1;
			continue;
		}
		*v++ = '\0';
		k = trim(k);
		v = trim(v);
		if (!strcmp(k, "max_age_days")) {
			char *end;
			long n;

			errno = 0;
			n = strtol(v, &end, 10);
			if (!*v || *end || errno || n < 1 || n > 3650) {
				alpr_warn("%s:%lu: bad max_age_days '%s': want "
				    "days from 1 to 3650", path, lineno, v);
				bad = 1;
			} else
				p->max_age_days = n;
		} else if (!strcmp(k, "forbidden_categories")) {
			for (tok = strtok_r(v, ",", &save); tok;
			    tok = strtok_r(NULL, ",", &save))
				forbid(p, trim(tok));
		} else if (!strcmp(k, "confirm_text")) {
			if (*v) {
				free(p->confirm);
				p->confirm = alpr_strdup(v);
			}
		}
		/* other keys belong to other programs sharing the file */
	}
	if (ferror(f)) {
		alpr_warn("fatal: unable to read config %s:", path);
		bad = 1;
	}
	free(line);
	fclose(f);
	return bad ? -1 : 0;
}

const char *
alpr_hlpolicy_forbids(const struct alpr_hlpolicy *p, const char *category)
{
	char buf[256];
	const char *s;
	size_t i, n;

	catnorm(category, buf, sizeof buf);
	for (i = 0; i < p->nforbidden; i++) {
		n = strlen(p->forbidden[i]);
		for (s = buf; (s = strstr(s, p->forbidden[i])); s++)
			if ((s == buf || s[-1] == '-') &&
			    (s[n] == '\0' || s[n] == '-'))
				return p->forbidden[i];
	}
	return NULL;
}

void
alpr_hlpolicy_free(struct alpr_hlpolicy *p)
{
	size_t i;

	for (i = 0; i < p->nforbidden; i++)
		free(p->forbidden[i]);
	free(p->forbidden);
	free(p->confirm);
	memset(p, 0, sizeof *p);
}

/* Plates. */

int
alpr_hotlist_plate(const char *s, char out[ALPR_PLATE_MAX + 1], int wild)
{
	size_t n = 0;
	int c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if (c == ' ' || c == '-' || c == '.' || c == '\t')
			continue;
		if (isalnum(c) && c < 0x80)
			c = toupper(c);
		else if (!(wild && (c == '?' || c == '*')))
			return -1;
		if (c == '*' && n > 0 && out[n - 1] == '*')
			continue;
		if (n == ALPR_PLATE_MAX)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int
glob(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++back;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* Levenshtein distance of a and b if at most max, else max + 1. */
static int
distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
	int d[2][ALPR_PLATE_MAX + 2], *prev = d[0], *cur = d[1], *t;
	size_t i, j;
	int lo, v;

	if ((na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++) {
		cur[0] = i;
		lo = cur[0];
		for (j = 1; j <= nb; j++) {
			v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			cur[j] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max)
			return max + 1;
		t = prev, prev = cur, cur = t;
	}
	return prev[nb] <= max ? prev[nb] : max + 1;
}

static void
folds(const char *s, char *out)
{
	while (*s)
		*out++ = fold[(unsigned char)*s++];
	*out = '\0';
}

#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* FNV-1a with a final mix: the buckets take its top bits. */
static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = FNV_BASIS;

	while (n--)
		h = (h ^ (unsigned char)*s++) * FNV_PRIME;
	return finish(h);
}

/* Call fn with the hash of s and of every string made by deleting up to k
 * of its characters at positions from on. */
typedef void (*variant_fn)(uint64_t h, void *arg);

static void
variants(char *s, size_t n, size_t from, int k, variant_fn fn, void *arg)
{
	char buf[ALPR_PLATE_MAX + 1];
	uint64_t hp, h;
	size_t i, j;

	fn(hash(s, n), arg);
	if (k == 0 || n <= 1)
		return;
	if (k == 1) {
		/* the common case: hash each deletion from a running prefix */
		for (i = 0, hp = FNV_BASIS; i < n; i++) {
			if (i == 0 || s[i] != s[i - 1]) {
				for (h = hp, j = i + 1; j < n; j++)
					h = (h ^ (unsigned char)s[j]) *
					    FNV_PRIME;
				fn(finish(h), arg);
			}
			hp = (hp ^ (unsigned char)s[i]) * FNV_PRIME;
		}
		return;
	}
	for (i = from; i < n; i++) {
		if (i > from && s[i] == s[i - 1])
			continue;	/* same string as deleting s[i-1] */
		memcpy(buf, s, i);
		memcpy(buf + i, s + i + 1, n - i - 1);
		variants(buf, n - 1, i, k - 1, fn, arg);
	}
}

/*
 * Index building. A first pass over the entries counts the keys that fall
 * in each chunk of buckets, a second stores (bucket, id) pairs grouped by
 * chunk, and each chunk, small enough for the cache, is then counting-sorted
 * into keys; start[k] begins bucket k and start[k + 1] ends it.
 */
#define CHUNK_BITS 12

struct build {
	struct index *ix;
	uint64_t *pairs;
	size_t *at;		/* per chunk: count, then fill cursor */
	uint32_t id;
	int shift, fill;
};

/* A key's bucket: the top bits of its hash, which the key keeps. */
#define BUCKET(ix, h) ((uint32_t)((h) >> 32) & (ix)->mask)
#define ID(key) ((uint32_t)(key))
#define SAME(key, h) (((key) ^ (h)) >> 32 == 0)

static void
build_one(uint64_t h, void *arg)
{
	struct build *b = arg;
	uint32_t k = BUCKET(b->ix, h);

	if (b->fill)
		b->pairs[b->at[k >> b->shift]++] = (h & ~(uint64_t)UINT32_MAX) |
		    b->id;
	else
		b->at[k >> b->shift]++;
}

static void
build_lenient(uint64_t h, void *arg)
{
	build_one(h | 1, arg);
}

static void
index_free(struct index *ix)
{
	free(ix->start);
	free(ix->keys);
	memset(ix, 0, sizeof *ix);
}

static void
index_pass(struct alpr_hotlist *hl, struct build *b, int lenient)
{
	char f[ALPR_PLATE_MAX + 1];
	struct entry *e;
	size_t i;
	int k;

	for (i = 0; i < hl->ne; i++) {
		e = &hl->e[i];
		k = hl->lists[e->list].maxdiff;
		if (e->wild || (lenient && k < 0))
			continue;
		b->id = i;
		if (!lenient) {
			build_one(hash(e->plate, e->len) & ~(uint64_t)1, b);
			continue;
		}
		folds(e->plate, f);
		variants(f, e->len, 0, k, build_lenient, b);
	}
}

/* Keys an entry of n characters has with up to k deletions, at most. */
static size_t
nvariants(size_t n, int k)
{
	size_t c = 1, sum = 1;
	int j;

	for (j = 1; j <= k && (size_t)j <= n; j++) {
		c = c * (n - j + 1) / j;
		sum += c;
	}
	return k < 0 ? 0 : sum;
}

static void
index_build(struct alpr_hotlist *hl, struct index *ix, int lenient)
{
	struct build b = { ix, NULL, NULL, 0, 0, 0 };
	size_t i, n = 0, size = 1, nchunks, c, lo, hi, total, end;
	int bits = 0;
	uint32_t k;

	index_free(ix);
	for (i = 0; i < hl->ne; i++)
		if (!hl->e[i].wild)
			n += lenient ? nvariants(hl->e[i].len,
			    hl->lists[hl->e[i].list].maxdiff) : 1;
	while (size < n)
		size <<= 1, bits++;
	ix->mask = size - 1;
	b.shift = bits > CHUNK_BITS ? bits - CHUNK_BITS : 0;
	nchunks = size >> b.shift;
	b.at = alpr_calloc(nchunks + 1, sizeof *b.at);
	index_pass(hl, &b, lenient);
	for (c = 0, total = 0; c < nchunks; c++) {
		n = b.at[c];
		b.at[c] = total;
		total += n;
	}
	b.pairs = alpr_malloc(total * sizeof *b.pairs);
	b.fill = 1;
	index_pass(hl, &b, lenient);
	ix->start = alpr_calloc(size + 1, sizeof *ix->start);
	ix->keys = alpr_malloc((total + 1) * sizeof *ix->keys);
	for (c = 0, lo = 0; c < nchunks; c++, lo = hi) {
		hi = b.at[c];	/* the fill cursor ended at the chunk's end */
		for (i = lo; i < hi; i++)
			ix->start[BUCKET(ix, b.pairs[i])]++;
		end = lo;
		for (k = c << b.shift; k < (c + 1) << b.shift; k++)
			ix->start[k] = end += ix->start[k];
		for (i = lo; i < hi; i++)
			ix->keys[--ix->start[BUCKET(ix, b.pairs[i])]] =
			    b.pairs[i];
	}
	ix->start[size] = total;
	free(b.pairs);
	free(b.at);
}

/* Hotlist files. */

static int
num(const char **s, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)**s))
			return -1;
		v = v * 10 + *(*s)++ - '0';
	}
	*out = v;
	return 0;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return n[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 || y % 400 == 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * A date: YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY, or an RFC 3339 time. A date
 * alone is a UTC day: it starts at 00:00, and as an end (end set) it lasts
 * the whole day, so the result is the first second after it.
 */
static int
parse_date(const char *s, int end, int64_t *t)
{
	struct timespec ts;
	int Y, M, D;

	if (strchr(s, 'T') || strchr(s, 't')) {
		if (alpr_time_parse(s, &ts) < 0)
			return -1;
		*t = ts.tv_sec;
		return 0;
	}
	if (strlen(s) == 10 && s[4] == '-') {
		if (num(&s, 4, &Y) || *s++ != '-' || num(&s, 2, &M) ||
		    *s++ != '-' || num(&s, 2, &D))
			return -1;
	} else if (strlen(s) == 10 && s[2] == '/') {
		if (num(&s, 2, &M) || *s++ != '/' || num(&s, 2, &D) ||
		    *s++ != '/' || num(&s, 4, &Y))
			return -1;
	} else if (strlen(s) == 8) {
		if (num(&s, 4, &Y) || num(&s, 2, &M) || num(&s, 2, &D))
			return -1;
	} else
		return -1;
	if (Y < 1900 || M < 1 || M > 12 || D < 1 || D > mdays(Y, M))
		return -1;
	*t = days(Y, M, D) * 86400 + (end ? 86400 : 0);
	return 0;
}

static int
utf8_ok(const unsigned char *s)
{
	int n;

	for (; *s; s++) {
		if (*s < 0x80)
			continue;
		if ((*s & 0xe0) == 0xc0 && *s >= 0xc2)
			n = 1;
		else if ((*s & 0xf0) == 0xe0)
			n = 2;
		else if ((*s & 0xf8) == 0xf0 && *s <= 0xf4)
			n = 3;
		else
			return 0;
		while (n--)
			if ((*++s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* The delimiter of a header line: the most frequent of , ; tab | outside
 * quotes, a comma when there is none. */
static int
detect_delim(const char *p)
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

/*
 * Parse the CSV record at *pp, unquoting its fields in place and NUL
 * terminating each; f[] gets up to max of them. Returns the number of
 * fields, or -1 with *err set (the rest of its line is skipped). *pp moves
 * past the record, *lines counts the newlines passed.
 */
static int
csv_record(char **pp, int delim, char **f, int max, int *lines,
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

static void
names(char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++)
		if (isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
			out[n++] = tolower((unsigned char)*s);
	out[n] = '\0';
}

static int
role(const char *hdr)
{
	char key[64], pat[70];
	int i;

	names((char *)hdr, key, sizeof key);
	if (!*key)
		return -1;
	snprintf(pat, sizeof pat, " %s ", key);
	for (i = 0; i < NROLE; i++)
		if (strstr(aliases[i], pat))
			return i;
	return -1;
}

static char *
list_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s, *dot;

	s = alpr_strdup(b ? b + 1 : path);
	if ((dot = strrchr(s, '.')) && dot != s)
		*dot = '\0';
	return s;
}

static void
list_free(struct list *l)
{
	free(l->path);
	free(l->name);
	free(l->buf);
	free(l->hdr);
	memset(l, 0, sizeof *l);
}

#define MAXFIELDS 256
#define MAXREPORT 20

struct alpr_hotlist *
alpr_hotlist_new(const struct alpr_hlpolicy *pol)
{
	struct alpr_hotlist *hl = alpr_calloc(1, sizeof *hl);

	fold_init();
	hl->pol = pol;
	hl->maxdiff = -1;
	return hl;
}

void
alpr_hotlist_free(struct alpr_hotlist *hl)
{
	size_t i;

	if (!hl)
		return;
	for (i = 0; i < hl->nlists + hl->pending; i++)
		list_free(&hl->lists[i]);
	free(hl->lists);
	free(hl->e);
	free(hl->wild);
	index_free(&hl->exact);
	index_free(&hl->lenient);
	free(hl);
}

static void
bad(struct alpr_hlstats *st, const char *path, unsigned long line,
    const char *fmt, const char *arg)
{
	char msg[256];

	st->rejected++;
	if (alpr_status < ALPR_EXIT_FAIL)
		alpr_status = ALPR_EXIT_FAIL;
	if (st->rejected > MAXREPORT)
		return;
	snprintf(msg, sizeof msg, fmt, arg);
	alpr_warn("%s:%lu: %s", path, line, msg);
}

static int
read_header(struct list *l, char **pp, unsigned long *line)
{
	char *f[MAXFIELDS], *p = *pp;
	const char *err;
	int n, lines, i, r, delim;

	for (;;) {
		while (*p == '\n' || *p == '\r' || *p == '#') {
			if (*p == '#')
				while (*p && *p != '\n')
					p++;
			if (*p == '\n')
				++*line;
			if (*p)
				p++;
		}
		if (!*p) {
			alpr_warn("%s: no header line", l->path);
			return -1;
		}
		break;
	}
	++*line;
	delim = detect_delim(p);
	if ((n = csv_record(&p, delim, f, MAXFIELDS, &lines, &err)) < 0) {
		alpr_warn("%s:%lu: header: %s", l->path, *line, err);
		return -1;
	}
	*line += lines - 1;
	if (n > MAXFIELDS) {
		alpr_warn("%s:%lu: header has more than %d columns", l->path,
		    *line, MAXFIELDS);
		return -1;
	}
	l->nf = n;
	l->hdr = alpr_malloc(n * sizeof *l->hdr);
	for (i = 0; i < NROLE; i++)
		l->col[i] = -1;
	for (i = 0; i < n; i++) {
		l->hdr[i] = f[i];
		if ((r = role(f[i])) >= 0 && l->col[r] < 0)
			l->col[r] = i;
	}
	if (l->col[C_PLATE] < 0) {
		alpr_warn("%s:%lu: no plate column in the header (want plate, "
		    "PlateNumber, LIC, tag or the like)", l->path, *line);
		return -1;
	}
	l->delim = delim;
	*pp = p;
	return 0;
}

static struct entry *
new_entry(struct alpr_hotlist *hl)
{
	if (hl->ne == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 1024;
		hl->e = alpr_realloc(hl->e, hl->cap * sizeof *hl->e);
	}
	return memset(&hl->e[hl->ne++], 0, sizeof *hl->e);
}

static int
read_entries(struct alpr_hotlist *hl, struct list *l, char *p,
    unsigned long line, time_t now, struct alpr_hlstats *st)
{
	char *f[MAXFIELDS], plate[ALPR_PLATE_MAX + 1], *start;
	const char *ok[16];
	int nok = 0;
	const char *err, *why, *cat;
	int n, lines, i, delim = l->delim, lit;
	int64_t from, until;
	struct entry *e;

	while (*p) {
		line++;
		if (*p == '\n' || (*p == '\r' && p[1] == '\n') || *p == '#') {
			while (*p && *p != '\n')
				p++;
			if (*p)
				p++;
			continue;
		}
		start = p;
		n = csv_record(&p, delim, f, MAXFIELDS, &lines, &err);
		if (n < 0) {
			bad(st, l->path, line, "%s", err);
			line += lines - 1;
			continue;
		}
		if (n != l->nf) {
			char msg[64];

			snprintf(msg, sizeof msg, "%d fields, the header has %d",
			    n, l->nf);
			bad(st, l->path, line, "%s", msg);
			line += lines - 1;
			continue;
		}
		for (i = 0; i < n && utf8_ok((unsigned char *)f[i]); i++)
			;
		if (i < n) {
			bad(st, l->path, line, "%s", "text is not UTF-8");
			line += lines - 1;
			continue;
		}
		cat = l->col[C_CAT] >= 0 ? f[l->col[C_CAT]] : "";
		for (i = 0; i < nok && strcmp(cat, ok[i]); i++)
			;
		if (*cat && i == nok &&
		    (why = alpr_hlpolicy_forbids(hl->pol, cat))) {
			alpr_warn("%s:%lu: category '%s' is forbidden by policy "
			    "(forbidden_categories has '%s'): the whole list "
			    "is refused", l->path, line, cat, why);
			return -1;
		}
		if (*cat && i == nok && nok < 16)
			ok[nok++] = cat;	/* allowed: not checked again */
		if (alpr_hotlist_plate(f[l->col[C_PLATE]], plate, 1) < 0) {
			bad(st, l->path, line, "bad plate '%s'",
			    f[l->col[C_PLATE]]);
			line += lines - 1;
			continue;
		}
		for (i = lit = 0; plate[i]; i++)
			lit += plate[i] != '?' && plate[i] != '*';
		if (lit < 2 || (lit < 3 && strchr(plate, '*'))) {
			bad(st, l->path, line, "wildcard plate '%s' would "
			    "match too much", plate);
			line += lines - 1;
			continue;
		}
		from = INT64_MIN;
		until = INT64_MAX;
		if ((l->col[C_FROM] >= 0 && *f[l->col[C_FROM]] &&
		    parse_date(f[l->col[C_FROM]], 0, &from) < 0)) {
			bad(st, l->path, line, "bad effective date '%s'",
			    f[l->col[C_FROM]]);
			line += lines - 1;
			continue;
		}
		if ((l->col[C_UNTIL] >= 0 && *f[l->col[C_UNTIL]] &&
		    parse_date(f[l->col[C_UNTIL]], 1, &until) < 0)) {
			bad(st, l->path, line, "bad expiry date '%s'",
			    f[l->col[C_UNTIL]]);
			line += lines - 1;
			continue;
		}
		if (until <= (int64_t)now) {
			st->expired++;
			line += lines - 1;
			continue;
		}
		if (from > (int64_t)now)
			st->later++;
		e = new_entry(hl);
		memcpy(e->plate, plate, sizeof plate);
		e->len = strlen(plate);
		e->wild = strpbrk(plate, "?*") != NULL;
		e->from = from;
		e->until = until;
		e->off = start - l->buf;
		e->line = line;
		e->list = hl->nlists;
		st->entries++;
		line += lines - 1;
	}
	return 0;
}

int
alpr_hotlist_read(struct alpr_hotlist *hl, const char *path, int maxdiff,
    time_t now, int hash, struct alpr_hlstats *st)
{
	unsigned long line = 0;
	unsigned char *buf;
	struct list *l;
	struct stat sb;
	const char *why;
	size_t n;
	char *p;

	memset(st, 0, sizeof *st);
	if (hl->pending)
		alpr_hotlist_drop(hl);
	if (hl->nlists >= 65535) {
		alpr_warn("%s: too many hotlists", path);
		return -1;
	}
	if (stat(path, &sb) < 0 || alpr_read_file(path, &buf, &n) < 0) {
		alpr_warn("unable to read hotlist %s:", path);
		return -1;
	}
	st->mtime = sb.st_mtime;
	if (hash)
		alpr_sha256_hex(buf, n, st->sha256);
	hl->lists = alpr_realloc(hl->lists, (hl->nlists + 1) *
	    sizeof *hl->lists);
	l = &hl->lists[hl->nlists];
	memset(l, 0, sizeof *l);
	hl->pending = 1;
	hl->ne0 = hl->ne;
	l->path = alpr_strdup(path);
	l->name = list_name(path);
	l->maxdiff = maxdiff;
	st->name = l->name;
	l->buf = (char *)buf;
	if (memchr(buf, '\0', n)) {
		alpr_warn("%s: not a text file (it holds a NUL byte)", path);
		goto refuse;
	}
	p = l->buf;
	if (!memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	if ((why = alpr_hlpolicy_forbids(hl->pol, l->name))) {
		alpr_warn("%s: list name '%s' is forbidden by policy "
		    "(forbidden_categories has '%s'): the list is refused",
		    path, l->name, why);
		goto refuse;
	}
	if (read_header(l, &p, &line) < 0 ||
	    read_entries(hl, l, p, line, now, st) < 0)
		goto refuse;
	if (st->rejected > MAXREPORT)
		alpr_warn("%s: %lu more bad lines not shown", path,
		    st->rejected - MAXREPORT);
	return 0;
refuse:
	alpr_hotlist_drop(hl);
	if (alpr_status < ALPR_EXIT_FAIL)
		alpr_status = ALPR_EXIT_FAIL;
	return -1;
}

void
alpr_hotlist_commit(struct alpr_hotlist *hl)
{
	if (!hl->pending)
		return;
	if (hl->lists[hl->nlists].maxdiff > hl->maxdiff)
		hl->maxdiff = hl->lists[hl->nlists].maxdiff;
	hl->nlists++;
	hl->pending = 0;
}

void
alpr_hotlist_drop(struct alpr_hotlist *hl)
{
	if (!hl->pending)
		return;
	list_free(&hl->lists[hl->nlists]);
	hl->ne = hl->ne0;
	hl->pending = 0;
}

static int
wildcmp(const void *a, const void *b)
{
	const struct wild *x = a, *y = b;

	return x->anchor != y->anchor ? x->anchor - y->anchor :
	    x->id < y->id ? -1 : 1;
}

void
alpr_hotlist_index(struct alpr_hotlist *hl)
{
	struct wild *w;
	size_t i, n;
	char *p;

	alpr_hotlist_drop(hl);
	free(hl->wild);
	hl->wild = NULL;
	hl->nwild = 0;
	for (i = 0; i < hl->ne; i++) {
		if (!hl->e[i].wild)
			continue;
		hl->wild = alpr_realloc(hl->wild, (hl->nwild + 1) *
		    sizeof *hl->wild);
		w = &hl->wild[hl->nwild++];
		folds(hl->e[i].plate, w->fpat);
		w->id = i;
		w->star = strchr(w->fpat, '*') != NULL;
		n = strlen(w->fpat);
		w->len = n - w->star;
		p = w->fpat;
		w->anchor = !strchr("?*", p[0]) ? (unsigned char)p[0] :
		    !strchr("?*", p[n - 1]) ? 256 + (unsigned char)p[n - 1] :
		    512;
	}
	if (hl->nwild)
		qsort(hl->wild, hl->nwild, sizeof *hl->wild, wildcmp);
	memset(hl->woff, 0, sizeof hl->woff);
	for (i = 0; i < hl->nwild; i++)
		hl->woff[hl->wild[i].anchor + 1]++;
	for (i = 1; i < 514; i++)
		hl->woff[i] += hl->woff[i - 1];
	index_build(hl, &hl->exact, 0);
	if (hl->maxdiff >= 0)
		index_build(hl, &hl->lenient, 1);
}

/*
 * Matching. The probes of a read (each candidate's plate in the exact
 * index, its deletion variants in the lenient one) are gathered first and
 * then walked in stages, each prefetching what the next will touch, so that
 * the cache misses of a large index overlap instead of queueing.
 */

#define MAXCANDS 32

struct q {
	uint64_t h;
	uint32_t lo, hi;
	uint8_t cand, lenient;
};

struct probe {
	struct alpr_hotlist *hl;
	time_t now;
	char cand[MAXCANDS][ALPR_PLATE_MAX + 1];
	char fq[MAXCANDS][ALPR_PLATE_MAX + 1];
	uint8_t len[MAXCANDS];
	int ncand, cur;
	struct q *q;
	size_t nq, qcap;
	struct hit *hits;
	size_t nhits, cap;
};

static int
valid(const struct entry *e, time_t now)
{
	return e->from <= (int64_t)now && (int64_t)now < e->until;
}

static void
add_hit(struct probe *pr, uint32_t id, int lenient, int diff, int cand)
{
	struct hit *h;
	size_t i;

	for (i = 0; i < pr->nhits; i++) {
		h = &pr->hits[i];
		if (h->id != id)
			continue;
		if (lenient < h->lenient || (lenient == h->lenient &&
		    diff < h->diff)) {
			h->lenient = lenient;
			h->diff = diff;
			h->cand = cand;
		}
		return;
	}
	if (pr->nhits == pr->cap) {
		pr->cap = pr->cap ? pr->cap * 2 : 8;
		pr->hits = alpr_realloc(pr->hits, pr->cap * sizeof *pr->hits);
	}
	pr->hits[pr->nhits++] = (struct hit){ id, lenient, diff, cand };
}

/* Within 1 edit, for the usual lenient lists: 0, 1, or 2 when further. */
static int
within1(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (na == nb)
		return i == na ? 0 : strcmp(a + i + 1, b + i + 1) ? 2 : 1;
	if (na + 1 == nb)
		return strcmp(a + i, b + i + 1) ? 2 : 1;
	if (nb + 1 == na)
		return strcmp(a + i + 1, b + i) ? 2 : 1;
	return 2;
}

static void
queue(uint64_t h, void *arg)
{
	struct probe *pr = arg;
	size_t i;

	for (i = pr->nq; i-- > 0 && pr->q[i].cand == pr->cur; )
		if (pr->q[i].h == h)
			return;	/* the same variant, by another deletion */
	if (pr->nq == pr->qcap) {
		pr->qcap = pr->qcap ? pr->qcap * 2 : 256;
		pr->q = alpr_realloc(pr->q, pr->qcap * sizeof *pr->q);
	}
	pr->q[pr->nq++] = (struct q){ h, 0, 0, pr->cur, h & 1 };
}

static void
queue_lenient(uint64_t h, void *arg)
{
	queue(h | 1, arg);
}

static void
wildcards(struct probe *pr, int c)
{
	struct alpr_hotlist *hl = pr->hl;
	const char *q = pr->cand[c], *fq = pr->fq[c];
	size_t n = pr->len[c], i, j;
	struct entry *e;
	struct wild *w;
	int a[3];

	a[0] = (unsigned char)fq[0];
	a[1] = 256 + (unsigned char)fq[n - 1];
	a[2] = 512;
	for (j = 0; j < 3; j++)
		for (i = hl->woff[a[j]]; i < hl->woff[a[j] + 1]; i++) {
			w = &hl->wild[i];
			if ((w->star ? n < w->len : n != w->len) ||
			    !glob(w->fpat, fq))
				continue;
			e = &hl->e[w->id];
			if (!valid(e, pr->now))
				continue;
			if (glob(e->plate, q))
				add_hit(pr, w->id, 0, 0, c);
			else if (hl->lists[e->list].maxdiff >= 0)
				add_hit(pr, w->id, 1, 0, c);
		}
}

static void
check(struct probe *pr, const struct q *q, uint32_t id)
{
	const struct entry *e = &pr->hl->e[id];
	char f[ALPR_PLATE_MAX + 1];
	int max, d;

	if (!valid(e, pr->now))
		return;
	if (!q->lenient) {
		if (!strcmp(e->plate, pr->cand[q->cand]))
			add_hit(pr, id, 0, 0, q->cand);
		return;
	}
	max = pr->hl->lists[e->list].maxdiff;
	folds(e->plate, f);
	if (max == 1)
		d = within1(pr->fq[q->cand], pr->len[q->cand], f, e->len);
	else
		d = distance(pr->fq[q->cand], pr->len[q->cand], f, e->len,
		    max);
	if (d <= max)
		add_hit(pr, id, 1, d, q->cand);
}

static void
probe_all(struct probe *pr)
{
	struct alpr_hotlist *hl = pr->hl;
	struct index *ix;
	struct q *q;
	size_t i;
	uint32_t j;

	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &hl->lenient : &hl->exact;
		__builtin_prefetch(&ix->start[BUCKET(ix, q->h)]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &hl->lenient : &hl->exact;
		q->lo = ix->start[BUCKET(ix, q->h)];
		q->hi = ix->start[BUCKET(ix, q->h) + 1];
		__builtin_prefetch(&ix->keys[q->lo]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &hl->lenient : &hl->exact;
		for (j = q->lo; j < q->hi; j++)
			if (SAME(ix->keys[j], q->h))
				__builtin_prefetch(&hl->e[ID(ix->keys[j])]);
	}
	for (i = 0; i < pr->nq; i++) {
		q = &pr->q[i];
		ix = q->lenient ? &hl->lenient : &hl->exact;
		for (j = q->lo; j < q->hi; j++)
			if (SAME(ix->keys[j], q->h))
				check(pr, q, ID(ix->keys[j]));
	}
}

static int
hitcmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->lenient != y->lenient)
		return x->lenient - y->lenient;
	if (x->diff != y->diff)
		return x->diff - y->diff;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Hits are written as JSON text directly: a read can have many. */
struct sbuf {
	char *p;
	size_t n, cap;
};

static void
put(struct sbuf *b, const char *s, size_t n)
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
static void
putstr(struct sbuf *b, const char *s)
{
	const char *run;
	char esc[8];

	put(b, "\"", 1);
	for (;;) {
		for (run = s; (unsigned char)*s >= 0x20 && *s != '"' &&
		    *s != '\\'; s++)
			;
		put(b, run, s - run);
		if (!*s)
			break;
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof esc, "\\%c", *s);
		else if (*s == '\n' || *s == '\t' || *s == '\r')
			snprintf(esc, sizeof esc, "\\%c",
			    *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
		else
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)*s);
		put(b, esc, strlen(esc));
		s++;
	}
	put(b, "\"", 1);
}

static void
member(struct sbuf *b, const char *k, const char *v)
{
	put(b, ",", 1);
	putstr(b, k);
	put(b, ":", 1);
	putstr(b, v);
}

static void
hit_json(struct alpr_hotlist *hl, const struct hit *h,
    char cands[][ALPR_PLATE_MAX + 1], struct sbuf *b)
{
	const struct entry *e = &hl->e[h->id];
	const struct list *l = &hl->lists[e->list];
	const char *f[MAXFIELDS], *p = l->buf + e->off;
	char num[32];
	int i, r, any = 0;

	for (i = 0; i < l->nf; i++) {
		f[i] = p;
		p += strlen(p) + 1;
	}
	put(b, "{\"list\":", 8);
	putstr(b, l->name);
	member(b, "file", l->path);
	put(b, num, snprintf(num, sizeof num, ",\"line\":%lu",
	    (unsigned long)e->line));
	member(b, "entry", e->plate);
	member(b, "category", l->col[C_CAT] >= 0 && *f[l->col[C_CAT]] ?
	    f[l->col[C_CAT]] : "custom");
	for (r = C_STATE; r < NROLE; r++) {
		if (r == C_CAT || l->col[r] < 0 || !*(p = f[l->col[r]]))
			continue;
		if (r == C_PRIO && strspn(p, "0123456789") == strlen(p) &&
		    strlen(p) < 10 && (p[0] != '0' || !p[1]))
			put(b, num, snprintf(num, sizeof num,
			    ",\"priority\":%s", p));
		else
			member(b, rolename[r], p);
	}
	for (i = 0; i < l->nf; i++) {
		for (r = 0; r < NROLE && l->col[r] != i; r++)
			;
		if (r < NROLE || !*f[i] || !*l->hdr[i])
			continue;
		if (any++)
			put(b, ",", 1);
		else
			put(b, ",\"annotations\":{", 16);
		putstr(b, l->hdr[i]);
		put(b, ":", 1);
		putstr(b, f[i]);
	}
	if (any)
		put(b, "}", 1);
	member(b, "match", h->lenient ? "lenient" : "exact");
	member(b, "matched", cands[h->cand]);
	if (h->lenient)
		put(b, num, snprintf(num, sizeof num, ",\"differences\":%d",
		    h->diff));
	member(b, "confirm", hl->pol->confirm);
	put(b, "}", 1);
}

const char *
alpr_hotlist_match(struct alpr_hotlist *hl, const char *const *plates,
    int nplates, time_t now)
{
	static struct probe pr;
	static struct sbuf b;
	char buf[ALPR_PLATE_MAX + 1];
	int i, c;

	pr.hl = hl;
	pr.now = now;
	pr.nhits = pr.nq = 0;
	pr.ncand = 0;
	for (i = 0; i < nplates && pr.ncand < MAXCANDS; i++) {
		if (alpr_hotlist_plate(plates[i], buf, 0) < 0)
			continue;
		for (c = 0; c < pr.ncand && strcmp(pr.cand[c], buf); c++)
			;
		if (c < pr.ncand)
			continue;
		memcpy(pr.cand[c], buf, sizeof buf);
		folds(buf, pr.fq[c]);
		pr.len[c] = strlen(buf);
		pr.cur = pr.ncand++;
		queue(hash(buf, pr.len[c]) & ~(uint64_t)1, &pr);
		if (hl->maxdiff >= 0)
			variants(pr.fq[c], pr.len[c], 0, hl->maxdiff,
			    queue_lenient, &pr);
		if (hl->nwild)
			wildcards(&pr, c);
	}
	probe_all(&pr);
	if (pr.nhits == 0)
		return NULL;
	qsort(pr.hits, pr.nhits, sizeof *pr.hits, hitcmp);
	b.n = 0;
	put(&b, "[", 1);
	for (i = 0; i < (int)pr.nhits; i++) {
		if (i > 0)
			put(&b, ",", 1);
		hit_json(hl, &pr.hits[i], pr.cand, &b);
	}
	put(&b, "]", 1);
	return b.p;
}

int
alpr_plate_near(const char *a, const char *b, int maxdiff)
{
	char fa[ALPR_PLATE_MAX + 1], fb[ALPR_PLATE_MAX + 1];
	size_t na = strlen(a), nb = strlen(b);

	if (na > ALPR_PLATE_MAX || nb > ALPR_PLATE_MAX)
		return 0;
	fold_init();
	folds(a, fa);
	folds(b, fb);
	return distance(fa, na, fb, nb, maxdiff) <= maxdiff;
}
