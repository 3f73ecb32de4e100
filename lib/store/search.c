/*
 * search.c: a search as a command line states it (alpr-store find and
 * hold add, alpr-export): its options, the purpose, case and reason that
 * justify it, the refusal or access entry written to the log before any
 * read is shown, and the columns its reads are shown in (a table, CSV).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* The plates of a hotlist searched, as logged: at most this many bytes
 * of JSON, so that the search's entry fits in the access log with its
 * reason and terms (ALPR_LOG_ENTRY_MAX). */
#define MAXHOTLIST (ALPR_LOG_ENTRY_MAX - ALPR_REASON_MAX - 12288)

static const struct option longopts[] = {
	{ "purpose", required_argument, 0, 'P' },
	{ "case", required_argument, 0, 'C' },
	{ "reason", required_argument, 0, 'R' },
	{ "fuzzy", optional_argument, 0, 'f' },
	{ "from", required_argument, 0, ALPR_SEARCH_FROM },
	{ "to", required_argument, 0, ALPR_SEARCH_FROM + 1 },
	{ "camera", required_argument, 0, ALPR_SEARCH_FROM + 2 },
	{ "near", required_argument, 0, ALPR_SEARCH_FROM + 3 },
	{ "radius", required_argument, 0, ALPR_SEARCH_FROM + 4 },
	{ "hotlist", required_argument, 0, ALPR_SEARCH_FROM + 5 },
	{ "limit", required_argument, 0, ALPR_SEARCH_FROM + 6 },
	{ "id", required_argument, 0, ALPR_SEARCH_FROM + 7 },
	{ 0, 0, 0, 0 } };

const struct option *
alpr_search_longopts(void)
{
	return longopts;
}

void
alpr_search_init(struct alpr_search *x)
{
	memset(x, 0, sizeof *x);
	x->q.fuzzy = -1;
	x->q.limit = -1;
	x->maxdiff = 1;
}

/* A date (the start of it, or its end for an upper bound) or a time. */
static void
parse_when(const char *s, int end, struct timespec *t,
    void (*usage)(const char *))
{
	char buf[64];

	if (strlen(s) == 10) {
		snprintf(buf, sizeof buf, "%sT%s", s, end ? "23:59:59.99Z" :
		    "00:00:00Z");
		s = buf;
	}
	if (alpr_time_parse(s, t) < 0)
		usage("bad time: want YYYY-MM-DD or an RFC 3339 time");
}

int
alpr_search_opt(struct alpr_search *x, int c, char *arg,
    void (*usage)(const char *))
{
	char *end;

	switch (c) {
	case 'C': x->j.kase = arg; break;
	case 'c':
	case 't':
		if (x->fmt && x->fmt != c)
			usage("-c and -t exclude each other");
		x->fmt = c;
		break;
	case 'd': x->maxdiff = alpr_strtonum(arg, 0, 3, "differences"); break;
	case 'e': x->maxdiff = -1; break;
	case 'f': x->q.fuzzy = arg ? alpr_strtonum(arg, 0, 3,
	    "fuzzy differences") : 1; break;
	case 'P': x->j.purpose = arg; break;
	case 'R': x->j.reason = arg; break;
	case ALPR_SEARCH_FROM:
		parse_when(arg, 0, &x->q.from, usage);
		x->q.has_from = 1;
		break;
	case ALPR_SEARCH_FROM + 1:
		parse_when(arg, 1, &x->q.to, usage);
		x->q.has_to = 1;
		break;
	case ALPR_SEARCH_FROM + 2: x->q.camera = arg; break;
	case ALPR_SEARCH_FROM + 3:
		x->q.lat = strtod(arg, &end);
		if (*end != ',' || x->q.lat < -90 || x->q.lat > 90)
			usage("--near: want LAT,LON");
		x->q.lon = alpr_strtod(end + 1, -180, 180, "longitude");
		x->q.near = 1;
		break;
	case ALPR_SEARCH_FROM + 4: x->q.radius = alpr_strtod(arg, 0, 1e7,
	    "radius"); break;
	case ALPR_SEARCH_FROM + 5: x->hotlist = arg; break;
	case ALPR_SEARCH_FROM + 6: x->q.limit = alpr_strtonum(arg, 1, 1000000,
	    "limit"); break;
	case ALPR_SEARCH_FROM + 7:
		x->ids = alpr_realloc(x->ids, (x->nids + 1) * sizeof *x->ids);
		x->ids[x->nids++] = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

void
alpr_search_end(struct alpr_search *x, const char *plate,
    void (*usage)(const char *))
{
	char tm[ALPR_TIME_LEN];
	int i;

	x->q.plate = plate;
	if (x->q.near && x->q.radius <= 0)
		usage("--near wants --radius metres");
	if (x->q.has_from && x->q.has_to && (x->q.from.tv_sec > x->q.to.tv_sec ||
	    (x->q.from.tv_sec == x->q.to.tv_sec &&
	    x->q.from.tv_nsec > x->q.to.tv_nsec)))
		usage("--from is later than --to: nothing could match");
	x->terms = json_object();
	if (x->q.plate)
		json_object_set_new(x->terms, alpr_is_pattern(x->q.plate) ?
		    "pattern" : "plate", json_string(x->q.plate));
	if (x->q.fuzzy >= 0)
		json_object_set_new(x->terms, "fuzzy",
		    json_integer(x->q.fuzzy));
	if (x->q.has_from) {
		alpr_time_fmt(&x->q.from, tm);
		json_object_set_new(x->terms, "from", json_string(tm));
	}
	if (x->q.has_to) {
		alpr_time_fmt(&x->q.to, tm);
		json_object_set_new(x->terms, "to", json_string(tm));
	}
	if (x->q.camera)
		json_object_set_new(x->terms, "camera",
		    json_string(x->q.camera));
	if (x->q.near)
		json_object_set_new(x->terms, "near", json_pack(
		    "{s:f,s:f,s:f}", "lat", x->q.lat, "lon", x->q.lon,
		    "radius_m", x->q.radius));
	for (i = 0; i < x->nids; i++) {
		if (!json_object_get(x->terms, "read_ids"))
			json_object_set_new(x->terms, "read_ids", json_array());
		json_array_append_new(json_object_get(x->terms, "read_ids"),
		    json_string(x->ids[i]));
	}
}

int
alpr_search_names(const struct alpr_search *x)
{
	return x->q.plate || x->hotlist || x->q.near;
}

int
alpr_search_perm(const struct alpr_search *x)
{
	return x->q.plate && !alpr_is_pattern(x->q.plate) && x->q.fuzzy < 0 &&
	    !x->hotlist && !x->q.near && !x->q.camera ? ALPR_MAY_FIND :
	    ALPR_MAY_FIND_WIDE;
}

int
alpr_store_refuse(struct alpr_store *s, const char *action, json_t *terms,
    const struct alpr_justification *j, const char *why)
{
	json_t *entry;

	/* why may quote what was given (a case number), which may be no
	 * UTF-8: as log text */
	entry = json_pack("{s:s,s:O,s:s,s:o}", "action", action, "data",
	    terms, "outcome", "denied", "refusal", st_logtext(why, 1000));
	if (j->purpose)
		json_object_set_new(entry, "purpose", st_logtext(j->purpose,
		    200));
	if (j->kase)
		json_object_set_new(entry, "case", st_logtext(j->kase, 200));
	if (j->reason)
		json_object_set_new(entry, "reason", st_logtext(j->reason,
		    ALPR_REASON_MAX));
	if (alpr_store_logentry(s, entry) < 0)
		alpr_warn("unable to write the refusal to the access log:");
	json_decref(entry);
	alpr_warn("refused: %s", why);
	return why == alpr_store_broken ? -1 : 1;
}

int
alpr_store_justified(struct alpr_store *s, const char *action, json_t *terms,
    const struct alpr_justification *j)
{
	char why[400];
	const char *e;

	if (!(e = alpr_store_justify(s, j->purpose, j->kase, j->reason, why,
	    sizeof why)) && !(e = alpr_case_may(s, j->kase, why, sizeof why)))
		return 0;
	return alpr_store_refuse(s, action, terms, j, e);
}

int
alpr_store_justified_evidence(struct alpr_store *s, const char *action,
    json_t *terms, struct alpr_justification *j)
{
	char why[400];
	const char *e;

	if (j->purpose)
		return alpr_store_justified(s, action, terms, j);
	if ((e = alpr_store_justify_case(s, j->kase, j->reason, why,
	    sizeof why)) || (e = alpr_case_may(s, j->kase, why, sizeof why)))
		return alpr_store_refuse(s, action, terms, j, e);
	j->purpose = "evidence";
	return 0;
}

int
alpr_store_covered(struct alpr_store *s, const char *action, json_t *terms,
    const struct alpr_justification *j, json_t *rec)
{
	char why[400];
	const char *e;

	if (!(e = alpr_case_covers_read(s, j->kase, rec, why, sizeof why)))
		return 0;
	return alpr_store_refuse(s, action, terms, j, e);
}

json_t *
alpr_store_access(const char *action, const char *plate, json_t *terms,
    const struct alpr_justification *j, long count, int more)
{
	json_t *e = json_pack("{s:s,s:O}", "action", action, "data", terms);

	/* checked already (alpr_store_justify): what is logged is what was
	 * given, and a value that is no JSON string leaves no entry */
	if (j->purpose && json_object_set_new(e, "purpose",
	    json_string(j->purpose)) < 0)
		goto bad;
	if (j->kase && json_object_set_new(e, "case", json_string(j->kase)) <
	    0)
		goto bad;
	if (j->reason && json_object_set_new(e, "reason",
	    json_string(j->reason)) < 0)
		goto bad;
	json_object_set_new(e, "count", json_integer(count));
	json_object_set_new(e, "outcome", json_string("ok"));
	if (plate)
		json_object_set_new(e, "plate", json_string(plate));
	if (more)
		json_object_set_new(e, "truncated", json_true());
	return e;
bad:
	json_decref(e);
	return NULL;
}

int
alpr_store_log_access(struct alpr_store *s, json_t *e)
{
	int r = alpr_store_logentry(s, e);

	json_decref(e);
	if (r < 0)
		alpr_warn("unable to write this access to the access log, so "
		    "nothing is shown:");
	return r;
}

static void
add_entry(const char *plate, int maxdiff, void *arg)
{
	json_array_append_new(arg, json_string(plate));
}

static int
load_hotlist(struct alpr_store *s, const char *file, int maxdiff,
    struct alpr_hotlist **hlp, struct alpr_hlpolicy *pol, json_t *terms)
{
	struct alpr_hlstats st;
	struct alpr_hotlist *hl;
	json_t *entries;
	const char *pf;
	char *p;
	size_t n;
	int r;

	alpr_hlpolicy_init(pol);
	pf = alpr_store_conf(s)->hotlist_policy;
	if (pf && *pf && alpr_hlpolicy_read(pol, pf) < 0) {
		alpr_hlpolicy_free(pol);
		return 1;
	}
	if (!(p = alpr_caller_file(file, 0))) {
		alpr_hlpolicy_free(pol);
		return 1;
	}
	hl = alpr_hotlist_new(pol);
	r = alpr_hotlist_read(hl, p, file, maxdiff, time(NULL), 1, &st);
	free(p);
	if (r < 0) {
		alpr_hotlist_free(hl);
		alpr_hlpolicy_free(pol);
		return 1;
	}
	alpr_hotlist_commit(hl);
	alpr_hotlist_index(hl);
	/* the plates searched for, each in the log (Civil Code 1798.90.52:
	 * the data used to query), so that a list cannot hide them */
	entries = json_array();
	alpr_hotlist_foreach(hl, time(NULL), add_entry, entries);
	if ((n = json_dumpb(entries, NULL, 0, JSON_COMPACT)) > MAXHOTLIST) {
		alpr_warn("%s: %zu entries: a search logs every plate it looks "
		    "for, in one access-log entry, so a hotlist searched holds "
		    "at most %d bytes of plates (about %d; alpr-match checks "
		    "reads against larger ones)", file,
		    json_array_size(entries), MAXHOTLIST, MAXHOTLIST / 11);
		json_decref(entries);
		alpr_hotlist_free(hl);
		alpr_hlpolicy_free(pol);
		return 1;
	}
	/* the file's name cut to fit beside the plates (its hash names it) */
	json_object_set_new(terms, "hotlist", json_pack("{s:o,s:s,s:I,s:i,"
	    "s:o}", "file", st_logtext(file, 512), "sha256", st.sha256,
	    "entries", (json_int_t)st.entries, "maxdiff", maxdiff, "plates",
	    entries));
	*hlp = hl;
	return 0;
}

int
alpr_search_run(struct alpr_store *s, struct alpr_search *x,
    const char *action, struct alpr_result *res)
{
	char why[400];
	const char *e;
	int r;

	memset(res, 0, sizeof *res);
	/* what the case names: checked before its hotlist is read */
	if ((e = alpr_case_covers(s, x->j.kase, &x->q, x->hotlist != NULL, why,
	    sizeof why)))
		return alpr_store_refuse(s, action, x->terms, &x->j, e);
	if (x->hotlist && load_hotlist(s, x->hotlist, x->maxdiff, &x->q.hl,
	    &x->pol, x->terms) != 0)
		return alpr_store_refuse(s, action, x->terms, &x->j, "the "
		    "hotlist was refused");
	if (x->hotlist) {
		alpr_hotlist_name(x->hotlist, x->hlname, sizeof x->hlname);
		x->q.hlfile = x->hotlist;
		x->q.hlname = x->hlname;
	}
	if (x->q.limit < 0 || x->q.limit > alpr_store_conf(s)->max_results)
		x->q.limit = alpr_store_conf(s)->max_results;
	if ((r = alpr_store_find(s, &x->q, res, why, sizeof why)) > 0)
		alpr_store_refuse(s, action, x->terms, &x->j, why);
	return r;
}

void
alpr_search_free(struct alpr_search *x)
{
	if (x->q.hl) {
		alpr_hotlist_free(x->q.hl);
		alpr_hlpolicy_free(&x->pol);
	}
	json_decref(x->terms);
	free(x->ids);
}

/* What a device wrote, as a table or CSV shows it: no control characters
 * for a terminal to obey, and no cell a spreadsheet takes for a formula. */
static void
clean(char *f)
{
	char *p;

	for (p = f; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (strchr("=+-@", *f) && *f && !(*f == '-' && (isdigit((unsigned
	    char)f[1]) || f[1] == '\0'))) {
		memmove(f + 1, f, strlen(f) + 1);
		*f = '\'';
	}
}

void
alpr_read_columns(json_t *r, char f[ALPR_NCOLUMNS][96])
{
	json_t *h = json_object_get(r, "hits"), *hh, *v;
	size_t i;

	snprintf(f[0], 96, "%s", alpr_rec_str(r, "ts") ? alpr_rec_str(r, "ts") :
	    "");
	snprintf(f[1], 96, "%s", alpr_rec_str(r, "camera") ?
	    alpr_rec_str(r, "camera") : "");
	snprintf(f[2], 96, "%s", alpr_rec_str(r, "plate"));
	snprintf(f[3], 96, "%.1f", alpr_rec_num(r, "conf", 0));
	if (json_is_number(json_object_get(r, "lat"))) {
		snprintf(f[4], 96, "%.6f", alpr_rec_num(r, "lat", 0));
		snprintf(f[5], 96, "%.6f", alpr_rec_num(r, "lon", 0));
	} else
		f[4][0] = f[5][0] = '\0';
	f[6][0] = '\0';
	hh = json_object_get(r, "hotlist_hits");
	for (i = 0; i < json_array_size(h) + json_array_size(hh); i++) {
		v = i < json_array_size(h) ? json_array_get(h, i) :
		    json_array_get(hh, i - json_array_size(h));
		snprintf(f[6] + strlen(f[6]), 96 - strlen(f[6]), "%s%s",
		    f[6][0] ? ";" : "", alpr_rec_str(v, "category") ?
		    alpr_rec_str(v, "category") : "hit");
	}
	snprintf(f[7], 96, "%s", alpr_rec_str(r, "read_id"));
	for (i = 0; i < ALPR_NCOLUMNS; i++)
		if (strlen(f[i]) < 95)
			clean(f[i]);
}

const char *const alpr_column_names[ALPR_NCOLUMNS] = { "time", "camera",
	"plate", "conf", "lat", "lon", "hits", "read_id" };

void
alpr_csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}
