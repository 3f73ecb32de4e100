/*
 * hlsig.c: a hotlist's signature. One supervisor asks for a list to be
 * signed (alpr-store hotlist ask), another signs it with the agency's key
 * (hotlist sign), each step and the list's plates written to the store's
 * access log; a patrol car whose policy names that key (hotlist_key)
 * loads no list without the signature of two, so that a plate an officer,
 * or one supervisor, adds to a list, or a list of their own, raises no
 * alert.
 *
 * The signature file, LIST.sig beside the list:
 *
 *	alpr hotlist signature v1
 *	agency NAME
 *	key VKEY			the agency's verifier key
 *	list NAME			the list's name, as alpr-match gives it
 *	sha256 HEX			of the list's bytes
 *	entries N
 *	signed TIME
 *	by USER				who signed it
 *	asked_by USER			who asked for it, another account
 *					an empty line
 *	BASE64(Ed25519 signature of the lines above the empty one)
 *
 * The ask, LIST.ask, is the same but for its first line, "alpr hotlist
 * ask v1", and "asked TIME", "by USER" and "client OSUSER" (who asked, and
 * the OS user they asked from) for "signed" and "by"; after its signature
 * line come the list's bytes, which its sha256 names. The first line of
 * each keeps it from being taken for the other, or for anything else the
 * agency's key signs (an export's manifest begins otherwise).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alpr.h"

#define MAGIC "alpr hotlist signature v1\n"
#define ASK "alpr hotlist ask v1\n"

/* head (lines, each ending in a line break), an empty line, and head's
 * signature by sk in base64: malloc'd; head freed. */
static char *
sign_head(char *head, const unsigned char sk[64])
{
	unsigned char sig[crypto_sign_BYTES];
	char b64[128], *out;
	size_t n;

	crypto_sign_detached(sig, NULL, (unsigned char *)head, strlen(head),
	    sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	n = strlen(head) + strlen(b64) + 3;
	out = alpr_malloc(n);
	snprintf(out, n, "%s\n%s\n", head, b64);
	free(head);
	return out;
}

char *
alpr_hlsig_make(const char *agency, const char *vkey, const char *list,
    const char *sha256, unsigned long entries, const char *by,
    const char *asked, const char *when, const unsigned char sk[64])
{
	char *head;

	if (asprintf(&head, MAGIC "agency %s\nkey %s\nlist %s\nsha256 %s\n"
	    "entries %lu\nsigned %s\nby %s\n%s%s%s", agency, vkey, list,
	    sha256, entries, when, by, asked ? "asked_by " : "",
	    asked ? asked : "", asked ? "\n" : "") < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	return sign_head(head, sk);
}

char *
alpr_hlask_make(const char *agency, const char *vkey, const char *list,
    const char *sha256, unsigned long entries, const char *by,
    const char *client, const char *when, const unsigned char sk[64],
    const void *bytes, size_t len)
{
	char *head, *out, *all;
	size_t n;

	if (asprintf(&head, ASK "agency %s\nkey %s\nlist %s\nsha256 %s\n"
	    "entries %lu\nasked %s\nby %s\nclient %s\n", agency, vkey, list,
	    sha256, entries, when, by, client) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	out = sign_head(head, sk);
	/* then the list itself, as it was asked for */
	n = strlen(out);
	all = alpr_malloc(n + len + 1);
	memcpy(all, out, n);
	memcpy(all + n, bytes, len);
	all[n + len] = '\0';
	free(out);
	return all;
}

/* The value of line "key VALUE" of head, copied to out: 0, -1 (no such
 * line, or its value too long), or -2 (two lines give it: which one the
 * signer meant is not known). */
static int
field(const char *head, const char *key, char *out, size_t cap)
{
	const char *p = head, *at = NULL;
	size_t k = strlen(key), n;

	for (; *p; p += strcspn(p, "\n") + 1)
		if (!strncmp(p, key, k) && p[k] == ' ') {
			if (at)
				return -2;
			at = p + k + 1;
		}
	if (!at || (n = strcspn(at, "\n")) >= cap)
		return -1;
	memcpy(out, at, n);
	out[n] = '\0';
	return 0;
}

/*
 * The lines of text (n bytes) above its empty line, in *head (malloc'd),
 * if text begins with magic and the line after the empty one is vkey's
 * signature of them: NULL, or why not (what: "signature" or "ask", for
 * the message). What follows that line starts at *rest (NULL: nothing
 * may).
 */
static const char *
open_signed(const char *text, size_t n, const char *vkey, const char *magic,
    const char *what, char **head, size_t *rest, char *why, size_t wn)
{
	unsigned char pk[ALPR_PK], sig[crypto_sign_BYTES];
	char *name = NULL, *blank, *eol;
	const char *e;
	size_t hn, got, mn = strlen(magic), end;

	*head = NULL;
	if ((e = alpr_note_vkey_parse(vkey, &name, pk))) {
		snprintf(why, wn, "hotlist_key: %s", e);
		return why;
	}
	free(name);
	if (memchr(text, '\0', n) || n <= mn || memcmp(text, magic, mn) ||
	    !(blank = strstr(text, "\n\n"))) {
		snprintf(why, wn, "not a hotlist %s (alpr-store hotlist %s "
		    "makes them)", what, strcmp(what, "ask") ? "sign" : "ask");
		return why;
	}
	hn = blank + 1 - text;
	/* the signature, one line of base64, and after it nothing (a
	 * signature), or what rest is given (an ask's list) */
	eol = memchr(text + hn + 1, '\n', n - hn - 1);
	end = eol ? (size_t)(eol - text) + 1 : n;
	if (!eol || (!rest && end != n) || alpr_unb64(sig, sizeof sig,
	    text + hn + 1, end - hn - 2, &got) < 0 || got != sizeof sig)
		return "the line after its empty line is not an Ed25519 "
		    "signature in base64";
	if (rest)
		*rest = end;
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text, hn,
	    pk) != 0)
		return "it does not verify with the agency's key: signed with "
		    "another key, or changed since it was signed";
	*head = alpr_malloc(hn + 1);
	memcpy(*head, text, hn);
	(*head)[hn] = '\0';
	return NULL;
}

/* Does head name the list named list whose bytes hash to sha256? NULL,
 * or why not. */
static const char *
names_list(const char *head, const char *list, const char *sha256,
    const char *what, char *why, size_t wn)
{
	char hash[ALPR_SHA256_HEX], as[256];
	int r, l;

	if ((r = field(head, "sha256", hash, sizeof hash)) == -2 ||
	    (l = field(head, "list", as, sizeof as)) == -2)
		return "a line of it is given twice (alpr-store makes none "
		    "such)";
	if (r < 0 || strcmp(hash, sha256)) {
		snprintf(why, wn, "the list is not the one %s: it was changed "
		    "since", what);
		return why;
	}
	/* the name its alerts and the car's log give is the one signed
	 * and logged when it was signed */
	if (l < 0 || strcmp(as, list)) {
		snprintf(why, wn, "it was %s as the list %s, not %s: a list is "
		    "loaded under the name it was signed under", what,
		    l < 0 ? "of no name" : as, list);
		return why;
	}
	return NULL;
}

const char *
alpr_hlsig_check(const char *text, size_t n, const char *vkey,
    const char *list, const char *sha256, char *by, size_t bn, time_t *when,
    char *why, size_t wn)
{
	struct timespec t;
	char tm[ALPR_TIME_LEN + 8], asker[256], *head;
	const char *e;
	int a, b;

	if ((e = open_signed(text, n, vkey, MAGIC, "signature", &head, NULL,
	    why, wn)))
		return e;
	if ((b = field(head, "by", by, bn)) == -2 ||
	    (a = field(head, "asked_by", asker, sizeof asker)) == -2)
		e = "a line of it is given twice (alpr-store makes none such)";
	/* two people: one asked for the list, another signed it (a
	 * signature made before lists were asked for names nobody who
	 * asked, and one supervisor alone made it) */
	else if (b < 0 || a < 0)
		e = "it names nobody who asked for the list, or nobody who "
		    "signed it: one supervisor asks for a list (alpr-store "
		    "hotlist ask), another signs it";
	else if (!strcmp(asker, by))
		e = "it was asked for and signed by the same account: another "
		    "supervisor signs it";
	else if (!(e = names_list(head, list, sha256, "signed", why, wn))) {
		/* when: what a list's age is judged by (its file's time
		 * is the officer's to set) */
		*when = field(head, "signed", tm, sizeof tm) == 0 &&
		    alpr_time_parse(tm, &t) == 0 ? t.tv_sec : 0;
		if (!*when)
			e = "it gives no time it was signed";
	}
	free(head);
	return e;
}

const char *
alpr_hlask_check(const char *text, size_t n, const char *vkey, char *list,
    size_t ln, size_t *off, char *by, size_t bn, char *client, size_t cn,
    char *why, size_t wn)
{
	char hash[ALPR_SHA256_HEX], *head;
	const char *e;
	int b, c, l;

	if ((e = open_signed(text, n, vkey, ASK, "ask", &head, off, why, wn)))
		return e;
	alpr_sha256_hex((const unsigned char *)text + *off, n - *off, hash);
	if ((b = field(head, "by", by, bn)) == -2 ||
	    (c = field(head, "client", client, cn)) == -2 ||
	    (l = field(head, "list", list, ln)) == -2)
		e = "a line of it is given twice (alpr-store makes none such)";
	else if (b < 0 || c < 0 || l < 0)
		e = "it names no list, or nobody who asked";
	else
		e = names_list(head, list, hash, "asked for", why, wn);
	free(head);
	return e;
}
