/*
 * policy.c: the usage and privacy policy Civil Code 1798.90.51 asks an
 * agency to post (alpr-store policy), rendered from the running store's
 * alpr.conf, role table and accounts, so that what is posted and what the
 * system does cannot say different things. Written as Markdown; HTML is
 * the same text turned line by line: "# " and "## " headings, "- " list
 * items, "| " table rows, anything else a paragraph.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static void
count_role(json_t *u, void *arg)
{
	long *n = arg;
	int r = alpr_user_role(u);

	if (r >= 0 && !strcmp(json_string_value(json_object_get(u, "status")),
	    "active"))
		n[r]++;
}

/* Text from the settings, with what Markdown would take for markup
 * escaped (put_html undoes it). */
static void
put_md(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>&|#", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

struct agencies {
	FILE *f;
	int n;
};

static int
list_agency(const char *state, const char *name, void *arg)
{
	struct agencies *a = arg;

	fputs("- ", a->f);
	put_md(a->f, name);
	fprintf(a->f, " (%s)\n", state);
	a->n++;
	return 0;
}

/* How often the log's keys change, in words: its window (alpr-audit init
 * -w), which an agency sets, not always the hour of the default. */
static void
every(long w, char *buf, size_t n)
{
	static const struct { long secs; const char *one, *many; } u[] = {
		{ 86400, "day", "days" }, { 3600, "hour", "hours" },
		{ 60, "minute", "minutes" }, { 1, "second", "seconds" } };
	size_t i;

	for (i = 0; w > 0 && w % u[i].secs; i++)
		;
	if (w <= 0)
		snprintf(buf, n, "once a window");
	else if (w == u[i].secs)
		snprintf(buf, n, "every %s", u[i].one);
	else
		snprintf(buf, n, "every %ld %s", w / u[i].secs, u[i].many);
}

static void
markdown(struct alpr_store *s, FILE *f)
{
	const struct alpr_storeconf *c = &s->conf;
	long n[ALPR_NROLES] = { 0 };
	struct agencies ag;
	char tm[ALPR_TIME_LEN], often[40];
	size_t i;
	int r, p;

	alpr_time_now(tm);
	tm[10] = '\0';
	alpr_user_count(s, count_role, n);
	fprintf(f, "# Automated License Plate Recognition (ALPR) Usage and "
	    "Privacy Policy\n\n");
	put_md(f, c->agency);
	fputs(", ", f);
	put_md(f, c->agency_state);
	fprintf(f, ". Generated on %s from the settings of the running "
	    "system (alpr-store policy), which enforces what it says.\n\n",
	    tm);

	fprintf(f, "## Authorized purposes\n\n");
	fprintf(f, "ALPR data is used for official law enforcement purposes "
	    "only. A search may state one of these purposes:\n\n");
	for (i = 0; i < c->npurposes; i++) {
		fputs("- ", f);
		put_md(f, c->purposes[i]);
		fputc('\n', f);
	}
	fprintf(f, "\nEvery search also states a case or incident number and "
	    "a reason in the user's own words (at least %ld characters); the "
	    "system refuses a search without them, and records the refusal. "
	    "The case must be one a supervisor opened in the system, for at "
	    "most %ld days at a time, naming the users who search under it; "
	    "nobody can name themselves, so no one person can search for a "
	    "reason of their own. The supervisor also names what the case "
	    "searches: the plates or partial plates it follows, or the "
	    "places it concerns; a search for anything else under it is "
	    "refused and recorded.\n\n", c->reason_min, c->case_days);

	fprintf(f, "## Who may use or access the system, and their training\n\n");
	fprintf(f, "Access is by role. The system allows each role only what "
	    "this table says:\n\n");
	fprintf(f, "| |");
	for (r = 0; r < ALPR_NROLES; r++)
		fprintf(f, " %s |", alpr_role_name(r));
	fprintf(f, "\n| --- |");
	for (r = 0; r < ALPR_NROLES; r++)
		fprintf(f, " --- |");
	fprintf(f, "\n");
	for (p = 0; p < ALPR_NPERMS; p++) {
		fprintf(f, "| %s |", alpr_perm_what(p));
		for (r = 0; r < ALPR_NROLES; r++)
			fprintf(f, " %s |", alpr_role_may(r, p) ? "yes" : "-");
		fprintf(f, "\n");
	}
	fprintf(f, "\nActive accounts today:");
	for (r = 0; r < ALPR_NROLES; r++)
		fprintf(f, " %s %ld%s", alpr_role_name(r), n[r], r + 1 <
		    ALPR_NROLES ? "," : ".");
	fprintf(f, "\n\n");
	fprintf(f, "- An administrator creates an account; a supervisor other "
	    "than its creator approves it before it can be used.\n");
	fprintf(f, "- No one reaches ALPR data without training on record, "
	    "valid for %ld days unless its record says otherwise.\n",
	    c->training_days);
	fprintf(f, "- Every person logs in with a password of at least %ld "
	    "characters, checked against a list of banned passwords, and a "
	    "second factor (a time-based code from an authenticator app).\n",
	    c->password_min);
	fprintf(f, "- %ld failed logins within %ld minutes lock an account "
	    "until an administrator unlocks it; an account unused for %ld days "
	    "is disabled; a session ends after %ld minutes idle or %ld hours.\n",
	    c->lockout_failures, c->lockout_minutes, c->inactive_days,
	    c->session_idle_minutes, c->session_max_hours);
	fprintf(f, "- Cameras and patrol cars add reads under device accounts, "
	    "which can search nothing.\n\n");

	fprintf(f, "## How use is monitored and audited\n\n");
	fprintf(f, "Every access to ALPR data, and every refusal, is written "
	    "to an access log before any data is shown: the date and time, the "
	    "plate or other data used to query, the user, the organisation, "
	    "the purpose, the case, the reason and the number of records. "
	    "Logins, account changes, holds, purges, exports and releases are "
	    "logged the same way. If the log cannot be written, nothing is "
	    "shown.\n\n");
	every(alpr_log_window(s->log), often, sizeof often);
	fprintf(f, "The log is append-only and tamper-evident: its entries "
	    "form a Merkle tree whose checkpoints are signed with keys that "
	    "change %s. Auditors verify it with alpr-audit against a ", often);
	fprintf(f, "public key kept away from the system, and review its use with "
	    "alpr-audit report (searches per user and purpose, plates "
	    "searched repeatedly, searches at unusual hours, thin reasons, "
	    "failed logins, account changes, releases).\n\n");

	fprintf(f, "## Sharing\n\n");
	fprintf(f, "ALPR data is shared only with other California public "
	    "agencies, on a written request that names the agency, the "
	    "requester and the purpose, approved by a supervisor other than "
	    "the one who filed it, and kept on file. Requests from agencies "
	    "out of state, federal agencies and private parties are refused, "
	    "and the refusal is logged. The agency does not sell or trade ALPR "
	    "data. The agencies that may receive data:\n\n");
	ag.f = f;
	ag.n = 0;
	st_agencies(s, list_agency, &ag);
	if (!ag.n)
		fprintf(f, "- none\n");
	fprintf(f, "\nReleased data is exported with a chain-of-custody record "
	    "and a manifest signed with the agency's key, which the receiving "
	    "agency verifies.\n\n");

	fprintf(f, "## Custodian\n\n");
	put_md(f, c->agency);
	fprintf(f, " is the custodian of the ALPR system and its data. Its "
	    "administrators (active accounts: %ld) manage accounts and cannot "
	    "search ALPR data.\n\n", n[ALPR_ROLE_ADMIN]);

	fprintf(f, "## Accuracy\n\n");
	fprintf(f, "Each read carries the confidence of its reading and the "
	    "other strings it could be. A hotlist hit is a lead, not a "
	    "finding: an officer confirms it through CLETS, or with the "
	    "originating agency, before taking any enforcement action. Hotlists "
	    "older than their limit are flagged when loaded, and entries past "
	    "their expiry are not matched. Hotlist categories that the law "
	    "does not allow are refused.\n\n");

	fprintf(f, "## Retention and destruction\n\n");
	fprintf(f, "Reads are kept %ld days", c->retention_days);
	if (c->retention_hit_days != c->retention_days)
		fprintf(f, " (reads with hotlist hits %ld days)",
		    c->retention_hit_days);
	fprintf(f, " and then destroyed, unless a supervisor has placed an "
	    "evidence hold on them for a case. Each day of reads is encrypted "
	    "under a key of its own; destruction deletes the day's reads, "
	    "frames and key, so that no copy, backup included, can be read "
	    "again. Evidence is exported to portable media, encrypted, with a "
	    "chain-of-custody record.\n");
}

/* s, escaped for HTML, Markdown's escapes undone, trailing blanks off. */
static void
put_html(FILE *f, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (; n-- > 0; s++) {
		if (*s == '\\' && n > 0 && ispunct((unsigned char)s[1])) {
			s++;
			n--;
		}
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

void
alpr_policy(struct alpr_store *s, FILE *f, int html)
{
	char *md = NULL, *line, *next, *p, *q;
	size_t n;
	FILE *m = open_memstream(&md, &n);
	int inlist = 0, intable = 0, head;

	if (!m)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	markdown(s, m);
	fclose(m);
	if (!html) {
		fputs(md, f);
		free(md);
		return;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<title>ALPR Usage and Privacy Policy</title>\n"
	    "</head>\n<body>\n");
	for (line = md; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (inlist && strncmp(line, "- ", 2)) {
			fputs("</ul>\n", f);
			inlist = 0;
		}
		if (intable && strncmp(line, "| ", 2)) {
			fputs("</table>\n", f);
			intable = 0;
		}
		if (!*line || !strncmp(line, "| ---", 5))
			continue;
		if (!strncmp(line, "# ", 2) || !strncmp(line, "## ", 3)) {
			head = line[1] == '#' ? 2 : 1;
			fprintf(f, "<h%d>", head);
			put_html(f, line + head + 1);
			fprintf(f, "</h%d>\n", head);
		} else if (!strncmp(line, "- ", 2)) {
			if (!inlist)
				fputs("<ul>\n", f);
			inlist = 1;
			fputs("<li>", f);
			put_html(f, line + 2);
			fputs("</li>\n", f);
		} else if (!strncmp(line, "| ", 2)) {
			if (!intable)
				fputs("<table>\n", f);
			fputs("<tr>", f);
			/* the cells between the bars: "| a | b |" */
			for (p = line + 1; (q = strchr(p, '|')); p = q + 1) {
				*q = '\0';
				while (*p == ' ')
					p++;
				fputs(intable ? "<td>" : "<th>", f);
				put_html(f, p);
				fputs(intable ? "</td>" : "</th>", f);
			}
			fputs("</tr>\n", f);
			intable = 1;
		} else {
			fputs("<p>", f);
			put_html(f, line);
			fputs("</p>\n", f);
		}
	}
	if (inlist)
		fputs("</ul>\n", f);
	if (intable)
		fputs("</table>\n", f);
	fputs("</body>\n</html>\n", f);
	free(md);
}
