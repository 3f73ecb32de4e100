/*
 * hotlist.c: hotlist files (alpr-match(1)): their columns, their entries,
 * and the hits a read makes on them.
 *
 * A list file is read whole and its CSV fields are unquoted in place, NUL
 * terminated, so an entry keeps only its plate and validity window (in the
 * matcher, hlmatch.c) and the offset of its fields; the rest is turned
 * into JSON only for a hit.
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

struct list {
	char *path, *name;
	char *buf;		/* the file, fields unquoted in place */
	int delim;		/* the field delimiter */
	int nf;			/* fields a line */
	char **hdr;		/* header names */
	char **key;		/* annotation names, unique; NULL for roles */
	char *spec;		/* the names of --columns: no header line */
	int utf8;		/* the whole text is UTF-8 */
	int col[NROLE];		/* column of each role, or -1 */
	int maxdiff;		/* -1 exact, else lenient with N differences */
};

/* An entry's place in its list; the matcher has the same id for it. */
struct entry {
	uint32_t off;		/* first field in the list's buf */
	uint32_t line;
	uint16_t list;
};

struct alpr_hotlist {
	const struct alpr_hlpolicy *pol;
	struct list *lists;
	size_t nlists, pending;	/* lists[nlists] is being read when pending */
	struct alpr_hlmatch *m;
	struct entry *e;
	size_t ne, cap, ne0;	/* ne0: entries before the pending list */
	struct alpr_jsonw out;	/* the hits of the last match */
	char *columns;		/* the columns of lists without a header */
};

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

void
alpr_hotlist_name(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(out, n, "%s", b ? b + 1 : path);
	if ((dot = strrchr(out, '.')) && dot != out)
		*dot = '\0';
}

static void
list_free(struct list *l)
{
	int i;

	free(l->path);
	free(l->name);
	free(l->buf);
	free(l->hdr);
	free(l->spec);
	for (i = 0; l->key && i < l->nf; i++)
		free(l->key[i]);
	free(l->key);
	memset(l, 0, sizeof *l);
}

#define MAXFIELDS 256
#define MAXREPORT 20

struct alpr_hotlist *
alpr_hotlist_new(const struct alpr_hlpolicy *pol)
{
	struct alpr_hotlist *hl = alpr_calloc(1, sizeof *hl);

	hl->pol = pol;
	hl->m = alpr_hlmatch_new();
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
	alpr_hlmatch_free(hl->m);
	free(hl->out.p);
	free(hl->columns);
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

/* The fields of a line are UTF-8: 0, else -1 and what is wrong in why. */
static int
fields_utf8(char *const *f, int n, char *why, size_t len)
{
	size_t m, k;
	int i;

	for (i = 0; i < n; i++) {
		m = strlen(f[i]);
		if ((k = alpr_utf8_valid((const unsigned char *)f[i], m)) < m) {
			snprintf(why, len, "text is not UTF-8 (byte 0x%02x in "
			    "column %d)", (unsigned char)f[i][k], i + 1);
			return -1;
		}
	}
	return 0;
}

/* The name column i goes by in annotations: its header name, "column N"
 * when it has none, and its number after it when an earlier column has
 * that name too (JSON objects have one member a name). */
static char *
annotation(struct list *l, int i, unsigned long line)
{
	char *k, *n;
	int j;

	if (*l->hdr[i])
		k = alpr_strdup(l->hdr[i]);
	else if (asprintf(&k, "column %d", i + 1) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	for (j = 0; j < i; j++) {
		if (!l->key[j] || strcmp(l->key[j], k))
			continue;
		if (asprintf(&n, "%s (column %d)", k, i + 1) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
		alpr_warn("%s:%lu: columns %d and %d are both named '%s': the "
		    "hits call column %d '%s'", l->path, line, j + 1, i + 1, k,
		    i + 1, n);
		free(k);
		k = n;
		j = -1;		/* and again, against the new name */
	}
	return k;
}

/* Past blank and comment lines, counting them. */
static char *
skip_blank(char *p, unsigned long *line)
{
	while (*p == '\n' || *p == '\r' || *p == '#') {
		if (*p == '#')
			while (*p && *p != '\n')
				p++;
		if (*p == '\n')
			++*line;
		if (*p)
			p++;
	}
	return p;
}

/*
 * The columns of a list: its header line, or for a list without one the
 * names given (columns, "plate,state,category"), which take no line.
 */
static int
read_header(struct list *l, char **pp, unsigned long *line,
    const char *columns)
{
	char *f[MAXFIELDS], *p = skip_blank(*pp, line), *q, *t, why[80];
	const char *err;
	int n = 0, lines, i, r, delim = alpr_csv_delim(p);

	if (columns) {
		l->spec = alpr_strdup(columns);
		for (q = l->spec; q; n++)
			if ((t = strsep(&q, ",")) && n < MAXFIELDS)
				f[n] = t;
		p = *pp;
	} else {
		if (!*p) {
			alpr_warn("%s: no header line", l->path);
			return -1;
		}
		++*line;
		if ((n = alpr_csv_record(&p, delim, f, MAXFIELDS, &lines,
		    &err)) < 0) {
			alpr_warn("%s:%lu: header: %s", l->path, *line, err);
			return -1;
		}
		*line += lines - 1;
	}
	if (n > MAXFIELDS) {
		alpr_warn("%s:%lu: more than %d columns", l->path, *line,
		    MAXFIELDS);
		return -1;
	}
	if (!l->utf8 && fields_utf8(f, n, why, sizeof why) < 0) {
		alpr_warn("%s:%lu: header: %s", l->path, *line, why);
		return -1;
	}
	l->nf = n;
	l->hdr = alpr_malloc(n * sizeof *l->hdr);
	for (i = 0; i < NROLE; i++)
		l->col[i] = -1;
	for (i = 0; i < n; i++) {
		l->hdr[i] = f[i];
		if ((r = role(f[i])) < 0)
			continue;
		if (l->col[r] >= 0) {
			alpr_warn("%s:%lu: columns %d '%s' and %d '%s' both "
			    "give the %s: the list is refused (rename one in "
			    "the %s)", l->path, *line, l->col[r] + 1,
			    f[l->col[r]], i + 1, f[i], rolename[r],
			    columns ? "--columns" : "header");
			return -1;
		}
		l->col[r] = i;
	}
	l->key = alpr_calloc(n, sizeof *l->key);
	for (i = 0; i < n; i++) {
		for (r = 0; r < NROLE && l->col[r] != i; r++)
			;
		if (r == NROLE)
			l->key[i] = annotation(l, i, *line);
	}
	if (l->col[C_PLATE] < 0 && columns) {
		alpr_warn("%s: --columns %s names no plate column (want plate, "
		    "PlateNumber, LIC, tag or the like)", l->path, columns);
		return -1;
	}
	if (l->col[C_PLATE] < 0) {
		for (i = r = 0; i < n && r < (int)sizeof why - 1; i++)
			r += snprintf(why + r, sizeof why - r, "%s%s",
			    i ? (char []){ delim, '\0' } : "", f[i]);
		alpr_warn("%s:%lu: the first line, %s, was taken as the header, "
		    "and it names no plate column (want plate, PlateNumber, "
		    "LIC, tag or the like): name the columns of a list without "
		    "a header with --columns", l->path, *line, why);
		return -1;
	}
	l->delim = delim;
	*pp = p;
	return 0;
}

/*
 * Refuse a list (-1) whose line holds a forbidden category in any of its
 * columns, the header included, but the plate's: a vanity plate such as
 * ICE is a plate, not a category.
 */
static int
forbidden(struct alpr_hotlist *hl, const struct list *l, unsigned long line,
    const char *const *f)
{
	const char *why;
	char what[80];
	int i;

	for (i = 0; i < l->nf; i++) {
		if (i == l->col[C_PLATE] ||
		    !(why = alpr_hlpolicy_forbids(hl->pol, f[i])))
			continue;
		if (f == (const char *const *)l->hdr)
			snprintf(what, sizeof what, "column name");
		else if (i == l->col[C_CAT])
			snprintf(what, sizeof what, "category");
		else
			snprintf(what, sizeof what, "column %d '%.40s'", i + 1,
			    l->hdr[i]);
		alpr_warn("%s:%lu: %s '%.60s%s' is forbidden by policy "
		    "(forbidden_categories has '%s'): the whole list is "
		    "refused", l->path, line, what, f[i],
		    strlen(f[i]) > 60 ? "..." : "", why);
		return -1;
	}
	return 0;
}

static struct entry *
new_entry(struct alpr_hotlist *hl)
{
	if (hl->ne == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 1024;
		hl->e = alpr_realloc(hl->e, hl->cap * sizeof *hl->e);
	}
	return &hl->e[hl->ne++];
}

static int
read_entries(struct alpr_hotlist *hl, struct list *l, char *p,
    unsigned long line, time_t now, struct alpr_hlstats *st)
{
	char *f[MAXFIELDS], plate[ALPR_PLATE_MAX + 1], *start, why[80];
	const char *err;
	int n, lines, delim = l->delim, lit;
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
		n = alpr_csv_record(&p, delim, f, MAXFIELDS, &lines, &err);
		if (n < 0) {
			bad(st, l->path, line, "%s", err);
			line += lines - 1;
			continue;
		}
		if (n != l->nf) {
			char msg[64];

			snprintf(msg, sizeof msg, "%d fields, %s %d", n,
			    l->spec ? "--columns names" : "the header has",
			    l->nf);
			bad(st, l->path, line, "%s", msg);
			line += lines - 1;
			continue;
		}
		if (!l->utf8 && fields_utf8(f, n, why, sizeof why) < 0) {
			bad(st, l->path, line, "%s", why);
			line += lines - 1;
			continue;
		}
		if (forbidden(hl, l, line, (const char *const *)f) < 0)
			return -1;
		if (alpr_hotlist_plate(f[l->col[C_PLATE]], plate, 1) < 0) {
			bad(st, l->path, line, "bad plate '%s'",
			    f[l->col[C_PLATE]]);
			line += lines - 1;
			continue;
		}
		lit = alpr_glob_given(plate);
		if (lit < 2 || (lit < 3 && strchr(plate, '*'))) {
			bad(st, l->path, line, "wildcard plate '%s' would "
			    "match too much", plate);
			line += lines - 1;
			continue;
		}
		from = INT64_MIN;
		until = INT64_MAX;
		if ((l->col[C_FROM] >= 0 && *f[l->col[C_FROM]] &&
		    alpr_date_parse(f[l->col[C_FROM]], 0, &from) < 0)) {
			bad(st, l->path, line, "bad effective date '%s'",
			    f[l->col[C_FROM]]);
			line += lines - 1;
			continue;
		}
		if ((l->col[C_UNTIL] >= 0 && *f[l->col[C_UNTIL]] &&
		    alpr_date_parse(f[l->col[C_UNTIL]], 1, &until) < 0)) {
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
		alpr_hlmatch_add(hl->m, plate, l->maxdiff, from, until);
		e = new_entry(hl);
		e->off = start - l->buf;
		e->line = line;
		e->list = hl->nlists;
		st->entries++;
		line += lines - 1;
	}
	return 0;
}

/* The line of byte off of the file. */
static unsigned long
line_at(const char *p, size_t off)
{
	unsigned long n = 1;
	const char *q;

	while ((q = memchr(p, '\n', off)) != NULL) {
		n++;
		off -= q + 1 - p;
		p = q + 1;
	}
	return n;
}

/*
 * A list in an 8-bit character set (no UTF-8 in it at all) is read as
 * Windows-1252, which spreadsheets on Windows write, and said so.
 */
static int
from_8bit(struct list *l, size_t n)
{
	size_t first, bad, m;
	char *u;

	first = alpr_utf8_valid((const unsigned char *)l->buf, n);
	if (!(u = alpr_utf8_cp1252(l->buf, n, &m, &bad))) {
		if (errno == EILSEQ)
			alpr_warn("%s:%lu: byte 0x%02x is neither UTF-8 nor "
			    "Windows-1252: the list is refused", l->path,
			    line_at(l->buf, bad), (unsigned char)l->buf[bad]);
		else
			alpr_warn("%s: unable to read Windows-1252:", l->path);
		return -1;
	}
	if (m > UINT32_MAX) {
		alpr_warn("%s: a list of 4 GiB or more is refused", l->path);
		free(u);
		return -1;
	}
	alpr_warn("%s:%lu: not UTF-8: the list is read as Windows-1252",
	    l->path, line_at(l->buf, first));
	free(l->buf);
	l->buf = u;
	return 0;
}

int
alpr_hotlist_read(struct alpr_hotlist *hl, const char *path,
    const char *shown, int maxdiff, time_t now, int hash,
    struct alpr_hlstats *st)
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
		alpr_fail_file("unable to read hotlist %s:", shown ? shown :
		    path);
		return -1;
	}
	/* what is said, and the list's name, are the file's as given: a
	 * path that opened it for another (/proc/self/fd/N) names nothing */
	if (shown)
		path = shown;
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
	l->name = alpr_malloc(strlen(path) + 1);
	alpr_hotlist_name(path, l->name, strlen(path) + 1);
	l->maxdiff = maxdiff;
	st->name = l->name;
	l->buf = (char *)buf;
	if (n > UINT32_MAX) {
		alpr_warn("%s: a list of 4 GiB or more is refused", path);
		goto refuse;
	}
	if (memchr(buf, '\0', n)) {
		alpr_warn("%s: not a text file (it holds a NUL byte)", path);
		goto refuse;
	}
	if (alpr_utf8_valid((const unsigned char *)path, strlen(path)) <
	    strlen(path)) {
		alpr_warn("%s: the file name is not UTF-8: the list is refused",
		    path);
		goto refuse;
	}
	switch (alpr_utf8_kind(buf, n)) {
	case ALPR_8BIT:
		if (from_8bit(l, n) < 0)
			goto refuse;
		/* FALLTHROUGH */
	case ALPR_UTF8:
		l->utf8 = 1;	/* no line to check */
		break;
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
	if (read_header(l, &p, &line, hl->columns) < 0 ||
	    forbidden(hl, l, line, (const char *const *)l->hdr) < 0 ||
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
	alpr_hlmatch_truncate(hl->m, hl->ne0);
	hl->pending = 0;
}

void
alpr_hotlist_columns(struct alpr_hotlist *hl, const char *columns)
{
	free(hl->columns);
	hl->columns = columns ? alpr_strdup(columns) : NULL;
}

void
alpr_hotlist_index(struct alpr_hotlist *hl)
{
	alpr_hotlist_drop(hl);
	alpr_hlmatch_index(hl->m);
}

void
alpr_hotlist_foreach(const struct alpr_hotlist *hl, time_t now,
    void (*fn)(const char *plate, int maxdiff, void *arg), void *arg)
{
	alpr_hlmatch_foreach(hl->m, now, fn, arg);
}

static void
hit_json(struct alpr_hotlist *hl, const struct alpr_hlhit *h,
    struct alpr_jsonw *b)
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
	alpr_jsonw_raw(b, "{\"list\":", 8);
	alpr_jsonw_str(b, l->name);
	alpr_jsonw_member(b, "file", l->path);
	alpr_jsonw_raw(b, num, snprintf(num, sizeof num, ",\"line\":%lu",
	    (unsigned long)e->line));
	alpr_jsonw_member(b, "entry", alpr_hlmatch_plate(hl->m, h->id));
	alpr_jsonw_member(b, "category", l->col[C_CAT] >= 0 &&
	    *f[l->col[C_CAT]] ? f[l->col[C_CAT]] : "custom");
	for (r = C_STATE; r < NROLE; r++) {
		if (r == C_CAT || l->col[r] < 0 || !*(p = f[l->col[r]]))
			continue;
		if (r == C_PRIO && strspn(p, "0123456789") == strlen(p) &&
		    strlen(p) < 10 && (p[0] != '0' || !p[1]))
			alpr_jsonw_raw(b, num, snprintf(num, sizeof num,
			    ",\"priority\":%s", p));
		else
			alpr_jsonw_member(b, rolename[r], p);
	}
	for (i = 0; i < l->nf; i++) {
		if (!l->key[i] || !*f[i])
			continue;
		if (any++)
			alpr_jsonw_raw(b, ",", 1);
		else
			alpr_jsonw_raw(b, ",\"annotations\":{", 16);
		alpr_jsonw_str(b, l->key[i]);
		alpr_jsonw_raw(b, ":", 1);
		alpr_jsonw_str(b, f[i]);
	}
	if (any)
		alpr_jsonw_raw(b, "}", 1);
	alpr_jsonw_member(b, "match", h->lenient ? "lenient" : "exact");
	alpr_jsonw_member(b, "matched", alpr_hlmatch_cand(hl->m, h->cand));
	if (h->lenient)
		alpr_jsonw_raw(b, num, snprintf(num, sizeof num,
		    ",\"differences\":%d", h->diff));
	alpr_jsonw_member(b, "confirm", hl->pol->confirm);
	alpr_jsonw_raw(b, "}", 1);
}

const char *
alpr_hotlist_match(struct alpr_hotlist *hl, const char *const *plates,
    int nplates, time_t now)
{
	const struct alpr_hlhit *h;
	struct alpr_jsonw *b = &hl->out;
	size_t i, n;

	if (!(n = alpr_hlmatch_find(hl->m, plates, nplates, now, &h)))
		return NULL;
	b->n = 0;
	alpr_jsonw_raw(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			alpr_jsonw_raw(b, ",", 1);
		hit_json(hl, &h[i], b);
	}
	alpr_jsonw_raw(b, "]", 1);
	return b->p;
}
