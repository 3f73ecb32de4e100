/*
 * conf.c: alpr.conf, the settings of a store home (alpr.conf(5)).
 *
 * One "name = value" a line; '#' starts a comment line. Every setting has
 * a default, and those that CJIS or the law fix are bounded on the strict
 * side: a file may make them stricter, never looser.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

enum { NUM, STR, LIST };

static const struct setting {
	const char *name;
	int type;
	size_t off;
	long def, min, max;		/* NUM */
	const char *sdef;		/* STR, LIST */
	const char *doc;
} settings[] = {
#define O(f) offsetof(struct alpr_storeconf, f)
	{ "agency", STR, O(agency), 0, 0, 0, "Example Police Department",
	  "The agency that runs the store: recorded as the organisation of\n"
	  "every access log entry, and named in the usage and privacy policy." },
	{ "agency_state", STR, O(agency_state), 0, 0, 0, "CA",
	  "The agency's state, two letters." },
	{ "purposes", LIST, O(purposes), 0, 0, 0,
	  "investigation missing-person amber-alert stolen-vehicle "
	  "wanted-person hotlist-followup",
	  "The purposes a search may state (--purpose), one word each,\n"
	  "separated by spaces. Civil Code 1798.90.51: authorised purposes." },
	{ "reason_min", NUM, O(reason_min), 20, 12, 1000, NULL,
	  "The shortest reason (--reason) a search may give, in characters.\n"
	  "Boilerplate such as \"investigation\" alone is refused whatever\n"
	  "its length." },
	{ "case_min", NUM, O(case_min), 4, 3, 64, NULL,
	  "The shortest case or incident number (--case); it must hold a digit." },
	{ "case_days", NUM, O(case_days), 90, 1, 366, NULL,
	  "How long a case a supervisor opens (alpr-store case open) stays\n"
	  "open, in days, and the longest a renewal gives; searches under it\n"
	  "are refused after." },
	{ "retention_days", NUM, O(retention_days), 365, 1, 36500, NULL,
	  "How long reads are kept before alpr-purge removes them, in days.\n"
	  "Government Code 34090.6 reads as one year at least: less is kept\n"
	  "as 365, with a warning." },
	{ "retention_hit_days", NUM, O(retention_hit_days), 365, 1, 36500,
	  NULL,
	  "How long reads with hotlist hits are kept, in days (a year at\n"
	  "least, as retention_days)." },
	{ "password_min", NUM, O(password_min), 12, 8, 128, NULL,
	  "The shortest password, in characters (CJIS: at least 8)." },
	{ "banned_passwords", STR, O(banned_file), 0, 0, 0, "",
	  "A file of further banned passwords, one a line, beside the built-in\n"
	  "list of common ones (empty: none)." },
	{ "lockout_failures", NUM, O(lockout_failures), 5, 1, 5, NULL,
	  "Failed logins that lock an account until an admin unlocks it\n"
	  "(CJIS: at most 5)..." },
	{ "lockout_minutes", NUM, O(lockout_minutes), 15, 15, 1440, NULL,
	  "...within this many minutes (CJIS: at least 15)." },
	{ "inactive_days", NUM, O(inactive_days), 90, 1, 90, NULL,
	  "An account unused this many days is disabled (CJIS: at most 90):\n"
	  "a person's at its next login, a device's key at its next push." },
	{ "session_idle_minutes", NUM, O(session_idle_minutes), 30, 1, 30, NULL,
	  "A session idle this long ends (CJIS: at most 30)." },
	{ "session_max_hours", NUM, O(session_max_hours), 12, 1, 12, NULL,
	  "A session ends this long after its login, idle or not." },
	{ "training_days", NUM, O(training_days), 730, 30, 1095, NULL,
	  "How long a completed training counts, unless alpr-store user train\n"
	  "gives an expiry." },
	{ "release_agencies", STR, O(release_agencies), 0, 0, 0, "",
	  "A file of the agencies data may be released to (a path from the\n"
	  "home unless it begins with /), one a line: their state (two\n"
	  "letters), then their name. Civil Code 1798.90.55: other California\n"
	  "public agencies only; a request from any other agency, out of\n"
	  "state, federal or private, is refused (empty: none)." },
	{ "hotlist_policy", STR, O(hotlist_policy), 0, 0, 0, "",
	  "The hotlist policy file of alpr-match(1) (its -C), applied to\n"
	  "hotlists searched with alpr-store find --hotlist: forbidden\n"
	  "categories (empty: the built-in ones)." },
	{ "key_file", STR, O(key_file), 0, 0, 0, "",
	  "The key file (alpr-store(1) KEYS), when neither --key-file nor\n"
	  "ALPR_KEY_FILE names one. It must lie outside the store home." },
	{ "ingest_batch", NUM, O(batch), 50000, 1, 1000000, NULL,
	  "Reads written in one transaction by alpr-store add." },
	{ "max_results", NUM, O(max_results), 10000, 1, 1000000, NULL,
	  "The most reads one search returns; a search that finds more says so." },
	{ "max_radius_m", NUM, O(max_radius), 50000, 10, 200000, NULL,
	  "The largest radius of a --near search, and of a place a case\n"
	  "names (alpr-store case open -a), in metres." },
	{ "search_threads", NUM, O(search_threads), 0, 0, 16, NULL,
	  "The threads a search uses: 0, one a core up to 4, taken by a\n"
	  "search still going after 2 ms; another number, that many from\n"
	  "its start (1 leaves the other cores to ingest)." },
#undef O
};
#define NSETTINGS (sizeof settings / sizeof *settings)

static void
set_str(struct alpr_storeconf *c, const struct setting *s, const char *v)
{
	char **p = (char **)((char *)c + s->off);

	free(*p);
	*p = alpr_strdup(v);
}

static int
set_list(struct alpr_storeconf *c, const char *v)
{
	char *copy = alpr_strdup(v), *w, *save;
	const char *p;
	size_t i;

	for (i = 0; i < c->npurposes; i++)
		free(c->purposes[i]);
	free(c->purposes);
	c->purposes = NULL;
	c->npurposes = 0;
	for (w = strtok_r(copy, " \t,", &save); w;
	    w = strtok_r(NULL, " \t,", &save)) {
		for (p = w; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '_') {
				free(copy);
				return -1;
			}
		c->purposes = alpr_realloc(c->purposes, (c->npurposes + 1) *
		    sizeof *c->purposes);
		c->purposes[c->npurposes++] = alpr_strdup(w);
	}
	free(copy);
	return c->npurposes > 0 ? 0 : -1;
}

void
alpr_storeconf_init(struct alpr_storeconf *c)
{
	const struct setting *s;

	memset(c, 0, sizeof *c);
	for (s = settings; s < settings + NSETTINGS; s++)
		if (s->type == NUM)
			*(long *)((char *)c + s->off) = s->def;
		else if (s->type == STR)
			set_str(c, s, s->sdef);
		else
			set_list(c, s->sdef);
}

void
alpr_storeconf_free(struct alpr_storeconf *c)
{
	const struct setting *s;

	for (s = settings; s < settings + NSETTINGS; s++)
		if (s->type == STR)
			free(*(char **)((char *)c + s->off));
	set_list(c, "");
	memset(c, 0, sizeof *c);
}

/* The least a setting may be, by law: less is raised to it, and said,
 * so that a store set up before keeps adding reads and keeps them. */
static long
law_floor(const char *name)
{
	return !strcmp(name, "retention_days") ||
	    !strcmp(name, "retention_hit_days") ? 365 : 0;
}

int
alpr_storeconf_read(struct alpr_storeconf *c, const char *path)
{
	const struct setting *s;
	unsigned char *buf;
	char *line, *next, *name, *val, *end;
	unsigned long ln = 0;
	size_t n;
	long v;
	int bad = 0;

	if (alpr_read_file(path, &buf, &n) < 0) {
		alpr_warn("unable to read %s:", path);
		return -1;
	}
	for (line = (char *)buf; line; line = next) {
		ln++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		switch (alpr_setting_line(line, &name, &val)) {
		case 0:
			continue;
		case -1:
			alpr_warn("%s:%lu: want name = value", path, ln);
			bad = 1;
			continue;
		}
		for (s = settings; s < settings + NSETTINGS; s++)
			if (!strcmp(s->name, name))
				break;
		if (s == settings + NSETTINGS) {
			alpr_warn("%s:%lu: unknown setting '%s' (alpr.conf(5))",
			    path, ln, name);
			bad = 1;
			continue;
		}
		if (s->type == STR) {
			set_str(c, s, val);
			continue;
		}
		if (s->type == LIST) {
			if (set_list(c, val) < 0) {
				alpr_warn("%s:%lu: %s: want words of letters, "
				    "digits, '-' and '_'", path, ln, name);
				bad = 1;
			}
			continue;
		}
		errno = 0;
		v = strtol(val, &end, 10);
		if (!*val || *end || errno || v < s->min || v > s->max) {
			alpr_warn("%s:%lu: %s = %s: want a whole number from %ld "
			    "to %ld", path, ln, name, val, s->min, s->max);
			bad = 1;
			continue;
		}
		if (v < law_floor(name)) {
			alpr_warn("%s:%lu: %s = %ld: Government Code 34090.6 "
			    "reads as a year at least, so %ld is kept", path,
			    ln, name, v, law_floor(name));
			v = law_floor(name);
		}
		*(long *)((char *)c + s->off) = v;
	}
	free(buf);
	if (!bad && (strlen(c->agency_state) != 2 ||
	    !isalpha((unsigned char)c->agency_state[0]) ||
	    !isalpha((unsigned char)c->agency_state[1]) || !*c->agency)) {
		alpr_warn("%s: agency must be named and agency_state be two "
		    "letters", path);
		bad = 1;
	}
	return bad ? -1 : 0;
}

int
alpr_storeconf_purpose(const struct alpr_storeconf *c, const char *p)
{
	size_t i;

	for (i = 0; i < c->npurposes; i++)
		if (!strcmp(c->purposes[i], p))
			return 1;
	return 0;
}

char *
alpr_storeconf_text(const char *agency, const char *keyfile)
{
	const struct setting *s;
	char *out = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	fputs("# alpr.conf: the settings of this store home; see alpr.conf(5).\n"
	    "# Every setting is shown with its default. Those that CJIS or the\n"
	    "# law fix may be made stricter here, never looser.\n", f);
	for (s = settings; s < settings + NSETTINGS; s++) {
		fputs("\n# ", f);
		for (p = (char *)s->doc; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fputs("# ", f);
		}
		fputc('\n', f);
		if (s->type == NUM)
			fprintf(f, "%s = %ld\n", s->name, s->def);
		else if (!strcmp(s->name, "agency") && agency)
			fprintf(f, "%s = %s\n", s->name, agency);
		else if (!strcmp(s->name, "key_file") && keyfile)
			fprintf(f, "%s = %s\n", s->name, keyfile);
		else
			fprintf(f, "%s = %s\n", s->name, s->sdef);
	}
	if (fclose(f) != 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	return out;
}
