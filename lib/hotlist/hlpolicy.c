/*
 * hlpolicy.c: what an agency may not put on a hotlist, and other policy
 * from the config file (alpr-match(1) POLICY).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

#define DEFAULT_CONFIRM "unconfirmed: confirm this hit through CLETS " \
	"(or with the originating agency) before taking any enforcement action"

/* Always forbidden (Cal. Gov. Code 7284.6, Civ. Code 1798.90.55). */
static const char *builtin_forbidden[] = {
	"immigration", "immigration-status", "ice", "ice-detainer",
	"civil-immigration", "deportation", "removal-order", "undocumented",
	"alien",
};

/* Letters, digits, and the bytes of UTF-8 letters make words. */
#define WORD(c) (isalnum(c) || (c) >= 0x80)

#define LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c))

/* p->cls: bytes that make words, and those that start a forbidden name. */
enum { SEP, LETTER, FIRST };

/* A forbidden name: lower case, its words joined by '-'. */
static void
forbid(struct alpr_hlpolicy *p, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	char *t = alpr_malloc(strlen(name) + 1);
	size_t n = 0, at, i;
	int c;

	for (; *s; s++)
		if (WORD(*s))
			t[n++] = tolower(*s);
		else if (n > 0 && t[n - 1] != '-')
			t[n++] = '-';
	while (n > 0 && t[n - 1] == '-')
		n--;
	t[n] = '\0';
	if (!n) {
		free(t);
		return;
	}
	/* after the others of its first letter, so that a word is only
	 * compared with those */
	c = (unsigned char)t[0];
	at = p->nfirst[c] ? p->first[c] + p->nfirst[c] : p->nforbidden;
	p->forbidden = alpr_realloc(p->forbidden,
	    (p->nforbidden + 1) * sizeof *p->forbidden);
	memmove(p->forbidden + at + 1, p->forbidden + at,
	    (p->nforbidden++ - at) * sizeof *p->forbidden);
	p->forbidden[at] = t;
	memset(p->nfirst, 0, sizeof p->nfirst);
	for (i = p->nforbidden; i-- > 0; ) {
		c = (unsigned char)p->forbidden[i][0];
		p->first[c] = i;
		p->nfirst[c]++;
	}
	c = (unsigned char)t[0];
	p->cls[c] = p->cls[toupper(c)] = FIRST;
}

void
alpr_hlpolicy_init(struct alpr_hlpolicy *p)
{
	size_t i;

	memset(p, 0, sizeof *p);
	for (i = 0; i < 256; i++)
		p->cls[i] = WORD(i) ? LETTER : SEP;
	p->max_age_days = 30;
	p->confirm = alpr_strdup(DEFAULT_CONFIRM);
	for (i = 0; i < sizeof builtin_forbidden / sizeof *builtin_forbidden;
	    i++)
		forbid(p, builtin_forbidden[i]);
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
		switch (alpr_setting_line(line, &k, &v)) {
		case 0:
			continue;
		case -1:
			alpr_warn("%s:%lu: want key=value", path, lineno);
			bad = 1;
			continue;
		}
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
				forbid(p, alpr_trim(tok));
		} else if (!strcmp(k, "hotlist_key")) {
			char *name = NULL;
			unsigned char pk[ALPR_PK];
			if (alpr_note_vkey_parse(v, &name, pk)) {
				alpr_warn("%s:%lu: bad hotlist_key: want the "
				    "agency's key as alpr-export key prints it",
				    path, lineno);
				bad = 1;
			} else {
				free(name);
				p->keys = alpr_realloc(p->keys, (p->nkeys + 1) *
				    sizeof *p->keys);
				p->keys[p->nkeys++] = alpr_strdup(v);
			}
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

/* Do the words at s begin with the words of the name t? */
static int
words_at(const struct alpr_hlpolicy *p, const unsigned char *s,
    const char *t)
{
	while (*t) {
		if (*t == '-') {
			if (p->cls[*s] != SEP || !*s)
				return 0;
			while (*s && p->cls[*s] == SEP)
				s++;
			t++;
		} else if (LOWER(*s) != (unsigned char)*t)
			return 0;
		else
			s++, t++;
	}
	return p->cls[*s] == SEP;
}

/* Every field of every list goes through here: a table lookup a byte. */
const char *
alpr_hlpolicy_forbids(const struct alpr_hlpolicy *p, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, n;
	int c;

	for (;;) {
		while (p->cls[*s] == SEP)
			if (!*s++)
				return NULL;
		if (p->cls[*s] == FIRST) {
			c = LOWER(*s);
			for (i = p->first[c], n = i + p->nfirst[c]; i < n; i++)
				if (words_at(p, s, p->forbidden[i]))
					return p->forbidden[i];
		}
		while (p->cls[*s] != SEP)
			s++;
	}
}

void
alpr_hlpolicy_free(struct alpr_hlpolicy *p)
{
	size_t i;

	for (i = 0; i < p->nforbidden; i++)
		free(p->forbidden[i]);
	free(p->forbidden);
	free(p->confirm);
	for (i = 0; i < p->nkeys; i++)
		free(p->keys[i]);
	free(p->keys);
	memset(p, 0, sizeof *p);
}

