/*
 * hlsig.c: a hotlist's signature. A supervisor signs a list with the
 * agency's key (alpr-store hotlist sign), the signing and the list's
 * plates written to the store's access log; a patrol car whose policy
 * names that key (hotlist_key) loads no list without it, so that a plate
 * an officer adds to a list, or a list of their own, raises no alert.
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
 *	by USER
 *					an empty line
 *	BASE64(Ed25519 signature of the lines above the empty one)
 *
 * The first line keeps it from being taken for anything else the agency's
 * key signs (an export's manifest begins otherwise).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alpr.h"

#define MAGIC "alpr hotlist signature v1\n"

char *
alpr_hlsig_make(const char *agency, const char *vkey, const char *list,
    const char *sha256, unsigned long entries, const char *by,
    const char *when, const unsigned char sk[64])
{
	unsigned char sig[crypto_sign_BYTES];
	char b64[128], *head, *out;
	size_t n;

	if (asprintf(&head, MAGIC "agency %s\nkey %s\nlist %s\nsha256 %s\n"
	    "entries %lu\nsigned %s\nby %s\n", agency, vkey, list, sha256,
	    entries, when, by) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
	crypto_sign_detached(sig, NULL, (unsigned char *)head, strlen(head),
	    sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	n = strlen(head) + strlen(b64) + 3;
	out = alpr_malloc(n);
	snprintf(out, n, "%s\n%s\n", head, b64);
	free(head);
	return out;
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

const char *
alpr_hlsig_check(const char *text, size_t n, const char *vkey,
    const char *list, const char *sha256, char *by, size_t bn, time_t *when,
    char *why, size_t wn)
{
	struct timespec t;
	char tm[ALPR_TIME_LEN + 8], signed_as[256];
	unsigned char pk[ALPR_PK], sig[crypto_sign_BYTES];
	char *name = NULL, *head, hash[ALPR_SHA256_HEX], *blank;
	const char *e;
	size_t hn, got;
	int r, b, l;

	if ((e = alpr_note_vkey_parse(vkey, &name, pk))) {
		snprintf(why, wn, "hotlist_key: %s", e);
		return why;
	}
	free(name);
	if (memchr(text, '\0', n) || n < sizeof MAGIC ||
	    memcmp(text, MAGIC, sizeof MAGIC - 1) ||
	    !(blank = strstr(text, "\n\n")))
		return "not a hotlist signature (alpr-store hotlist sign makes "
		    "them)";
	hn = blank + 1 - text;
	/* the signature, one line of base64, and nothing after it (a file
	 * that ends at the empty line has none) */
	if (hn + 2 > n || alpr_unb64(sig, sizeof sig, text + hn + 1,
	    n - hn - 2, &got) < 0 || got != sizeof sig || text[n - 1] != '\n')
		return "its last line is not an Ed25519 signature in base64";
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text, hn,
	    pk) != 0)
		return "it does not verify with hotlist_key: signed with "
		    "another key, or changed since it was signed";
	head = alpr_malloc(hn + 1);
	memcpy(head, text, hn);
	head[hn] = '\0';
	if ((r = field(head, "sha256", hash, sizeof hash)) == -2 ||
	    (b = field(head, "by", by, bn)) == -2 ||
	    (l = field(head, "list", signed_as, sizeof signed_as)) == -2) {
		free(head);
		return "a line of it is given twice (alpr-store hotlist sign "
		    "makes none such)";
	}
	if (r < 0 || strcmp(hash, sha256)) {
		free(head);
		return "the list is not the one signed: it was changed since";
	}
	/* the name its alerts and the car's log give is the one signed
	 * and logged when it was signed */
	if (l < 0 || strcmp(signed_as, list)) {
		free(head);
		snprintf(why, wn, "it was signed as the list %s, not %s: a "
		    "list is loaded under the name it was signed under",
		    l < 0 ? "of no name" : signed_as, list);
		return why;
	}
	if (b < 0)
		snprintf(by, bn, "-");
	/* when: what a list's age is judged by (its file's time is the
	 * officer's to set) */
	*when = field(head, "signed", tm, sizeof tm) == 0 &&
	    alpr_time_parse(tm, &t) == 0 ? t.tv_sec : 0;
	free(head);
	if (!*when)
		return "it gives no time it was signed";
	return NULL;
}
