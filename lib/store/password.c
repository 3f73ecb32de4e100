/*
 * password.c: passwords hashed with Argon2id (libsodium's
 * crypto_pwhash_str) and the rules a new one must pass (CJIS 5.6.2.1:
 * at least 8 characters, checked against a list of banned passwords).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

char *
alpr_password_hash(const char *pw)
{
	char *h = alpr_malloc(crypto_pwhash_STRBYTES);

	if (crypto_pwhash_str(h, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory hashing a "
		    "password");
	return h;
}

/*
 * An unknown account costs one verify, as a known one does: the hash of
 * "alpr-store unknown" with alpr_password_hash's settings, made once
 * (hashing it in each run cost a second Argon2id, and told unknown
 * accounts from known ones by some 100 ms).
 */
static const char dummy[crypto_pwhash_STRBYTES] = "$argon2id$v=19$m=65536,t=2,p=1$"
    "yAajG8ZMQolHYRuJfZm+Sg$l4oYqmePkvPfiQOx3xnBvjv0sslM/1yOxAwGlPzq6o4";

int
alpr_password_check(const char *hash, const char *pw)
{
	if (!hash) {
		(void)!crypto_pwhash_str_verify(dummy, pw, strlen(pw));
		return 0;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* The word under a password: lower case, trailing digits and punctuation
 * and leading digits taken off ("Summer2026!" -> "summer"). */
static void
core(const char *pw, char *out, size_t cap)
{
	const char *b = pw, *e = pw + strlen(pw);
	size_t n = 0;

	while (e > b && !isalpha((unsigned char)e[-1]))
		e--;
	while (b < e && !isalpha((unsigned char)*b))
		b++;
	if (b == e) {	/* no letters: the whole thing */
		b = pw;
		e = pw + strlen(pw);
	}
	for (; b < e && n + 1 < cap; b++)
		out[n++] = tolower((unsigned char)*b);
	out[n] = '\0';
}

static int
listed(const char *path, const char *pw, const char *word)
{
	unsigned char *buf;
	char *line, *next, *e;
	size_t n;
	int hit = 0;

	if (!path || !*path || alpr_read_file(path, &buf, &n) < 0)
		return 0;
	for (line = (char *)buf; line && !hit; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		for (e = line + strlen(line); e > line && isspace((unsigned
		    char)e[-1]);)
			*--e = '\0';
		if (*line == '#' || !*line)
			continue;
		hit = !strcasecmp(line, pw) || !strcasecmp(line, word);
	}
	free(buf);
	return hit;
}

const char *
alpr_password_rules(const struct alpr_storeconf *c, const char *user,
    const char *pw, char *why, size_t n)
{
	char word[256], *builtin;
	size_t len = strlen(pw), i, run;
	int classes, lo = 0, up = 0, dg = 0, ot = 0, seq;

	if (len < (size_t)c->password_min) {
		snprintf(why, n, "too short: at least %ld characters",
		    c->password_min);
		return why;
	}
	if (len > 1024)
		return "too long: at most 1024 characters";
	for (i = 0; i < len; i++) {
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return "control characters are not allowed";
		if (islower((unsigned char)pw[i]))
			lo = 1;
		else if (isupper((unsigned char)pw[i]))
			up = 1;
		else if (isdigit((unsigned char)pw[i]))
			dg = 1;
		else
			ot = 1;
	}
	classes = lo + up + dg + ot;
	/* One character over and over, or a run such as abcdef or 12345678. */
	for (i = 1, run = 1, seq = 1; i < len; i++) {
		run += pw[i] == pw[0];
		seq += pw[i] == pw[i - 1] + 1 || pw[i] == pw[i - 1] - 1;
	}
	if (run == len || (size_t)seq == len)
		return "one character repeated, or a run of characters";
	core(pw, word, sizeof word);
	if (user && strlen(user) >= 4 && strcasestr(pw, user))
		return "it holds the account name";
	if (c->agency && strlen(c->agency) >= 4 && strcasestr(c->agency, word) &&
	    strlen(word) >= 4)
		return "it is the agency's name";
	if (!(builtin = alpr_datafile("banned-passwords")))
		return "the list of banned passwords (banned-passwords in the "
		    "data folder) is missing: reinstall alpr";
	if (listed(builtin, pw, word) || listed(c->banned_file, pw, word)) {
		free(builtin);
		return "it is on the list of banned passwords (a common one, "
		    "or a word with digits added)";
	}
	free(builtin);
	if (classes < 2 && len < 16)
		return "use letters and digits or symbols, or a passphrase of "
		    "16 characters or more";
	return NULL;
}
