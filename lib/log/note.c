/* note.c: C2SP signed notes and tlog checkpoints with Ed25519 keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

#define DASH "\xe2\x80\x94 "	/* U+2014 EM DASH, then a space */

void
alpr_b64(char *out, size_t max, const void *p, size_t n)
{
	sodium_bin2base64(out, max, p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Strict base64 of s[0..len): canonical padding, nothing else allowed. */
int
alpr_unb64(unsigned char *out, size_t max, const char *s, size_t len,
    size_t *n)
{
	char *again;
	size_t got;
	int bad;

	if (sodium_base642bin(out, max, s, len, NULL, &got, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	again = alpr_malloc(sodium_base64_ENCODED_LEN(got,
	    sodium_base64_VARIANT_ORIGINAL));
	alpr_b64(again, sodium_base64_ENCODED_LEN(got,
	    sodium_base64_VARIANT_ORIGINAL), out, got);
	bad = strlen(again) != len || memcmp(again, s, len) != 0;
	free(again);
	if (bad)
		return -1;
	*n = got;
	return 0;
}

void
alpr_note_keyid(unsigned char id[4], const char *name,
    const unsigned char pk[ALPR_PK])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES], alg = 1;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, &alg, 1);
	crypto_hash_sha256_update(&st, pk, ALPR_PK);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, 4);
}

int
alpr_note_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '+' || s[i] == 0x7f)
			return 0;
	return 1;
}

/* NAME+KEYID+BASE64(0x01||PK), the verifier key of golang.org/x/mod/sumdb/note. */
char *
alpr_note_vkey(const char *name, const unsigned char pk[ALPR_PK])
{
	unsigned char id[4], raw[1 + ALPR_PK];
	char hex[9], b64[64], *s;
	size_t n;

	alpr_note_keyid(id, name, pk);
	sodium_bin2hex(hex, sizeof hex, id, 4);
	raw[0] = 1;
	memcpy(raw + 1, pk, ALPR_PK);
	alpr_b64(b64, sizeof b64, raw, sizeof raw);
	n = strlen(name) + strlen(hex) + strlen(b64) + 3;
	s = alpr_malloc(n);
	snprintf(s, n, "%s+%s+%s", name, hex, b64);
	return s;
}

const char *
alpr_note_vkey_parse(const char *s, char **name, unsigned char pk[ALPR_PK])
{
	const char *p1, *p2;
	unsigned char raw[64], id[4];
	char hex[9];
	size_t n, len;

	len = strcspn(s, "\n");
	if (!(p1 = memchr(s, '+', len)) || !(p2 = memchr(p1 + 1, '+',
	    len - (p1 + 1 - s))))
		return "public key is not NAME+KEYID+KEY";
	if (!alpr_note_name_ok(s, p1 - s))
		return "public key has a bad name";
	if (alpr_unb64(raw, sizeof raw, p2 + 1, len - (p2 + 1 - s), &n) < 0 ||
	    n != 1 + ALPR_PK || raw[0] != 1)
		return "public key is not a base64 Ed25519 key";
	memcpy(pk, raw + 1, ALPR_PK);
	*name = alpr_malloc(p1 - s + 1);
	memcpy(*name, s, p1 - s);
	(*name)[p1 - s] = '\0';
	alpr_note_keyid(id, *name, pk);
	sodium_bin2hex(hex, sizeof hex, id, 4);
	if (p2 - p1 - 1 != 8 || memcmp(p1 + 1, hex, 8) != 0) {
		free(*name);
		return "public key id does not match the key";
	}
	return NULL;
}

char *
alpr_note_vkey_read(const char *arg)
{
	unsigned char *buf;
	char *k;
	size_t n;

	if (strchr(arg, '+') && access(arg, F_OK) < 0)
		return alpr_strdup(arg);
	if (alpr_read_file(arg, &buf, &n) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read key %s:", arg);
	k = alpr_malloc(n + 1);
	memcpy(k, buf, n);
	k[n] = '\0';
	free(buf);
	return k;
}

char *
alpr_checkpoint_body(const char *origin, uint64_t size,
    const unsigned char root[ALPR_HASH], const struct timespec *t)
{
	char b64[64], tm[ALPR_TIME_LEN], *s;
	size_t n;

	alpr_b64(b64, sizeof b64, root, ALPR_HASH);
	alpr_time_fmt(t, tm);
	n = strlen(origin) + strlen(b64) + strlen(tm) + 40;
	s = alpr_malloc(n);
	snprintf(s, n, "%s\n%llu\n%s\ntime %s\n", origin,
	    (unsigned long long)size, b64, tm);
	return s;
}

char *
alpr_note_sign(const char *body, const char *name,
    const unsigned char *sk)
{
	unsigned char sig[4 + crypto_sign_BYTES];
	char b64[128], *s;
	size_t n;

	alpr_note_keyid(sig, name, sk + 32);	/* libsodium: sk = seed||pk */
	crypto_sign_detached(sig + 4, NULL, (const unsigned char *)body,
	    strlen(body), sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	n = strlen(body) + strlen(name) + strlen(b64) + 8;
	s = alpr_malloc(n);
	snprintf(s, n, "%s\n" DASH "%s %s\n", body, name, b64);
	return s;
}

static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return 0;
	return n > 0;
}

static const char *
parse_size(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	if (n == 0 || n > 19 || (s[0] == '0' && n > 1))
		return "tree size is not a canonical decimal number";
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "tree size is not a canonical decimal number";
		*v = *v * 10 + (s[i] - '0');
	}
	if (*v > (uint64_t)INT64_MAX)
		return "tree size is too large";
	return NULL;
}

static const char *
parse_sig(struct alpr_checkpoint *c, const char *s, size_t n)
{
	const char *sp;
	unsigned char raw[128];
	size_t got;
	struct alpr_note_sig *g;

	if (n < 4 || memcmp(s, DASH, 4) != 0)
		return "signature line does not start with an em dash and a space";
	s += 4;
	n -= 4;
	if (!(sp = memchr(s, ' ', n)) || !alpr_note_name_ok(s, sp - s))
		return "signature line has no key name";
	if (alpr_unb64(raw, sizeof raw, sp + 1, n - (sp + 1 - s), &got) < 0 ||
	    got < 5)
		return "signature is not canonical base64";
	if (c->nsig == ALPR_NOTE_MAXSIG)
		return "too many signatures";
	g = &c->sig[c->nsig++];
	g->name = alpr_malloc(sp - s + 1);
	memcpy(g->name, s, sp - s);
	g->name[sp - s] = '\0';
	memcpy(g->keyid, raw, 4);
	g->len = got - 4;
	memcpy(g->sig, raw + 4, got - 4 > sizeof g->sig ? sizeof g->sig :
	    got - 4);
	return NULL;
}

void
alpr_checkpoint_free(struct alpr_checkpoint *c)
{
	int i;

	for (i = 0; i < c->nsig; i++)
		free(c->sig[i].name);
	free(c->text);
	free(c->origin);
	memset(c, 0, sizeof *c);
}

/* Parse a signed checkpoint strictly; NULL, or what is wrong. */
const char *
alpr_checkpoint_parse(const char *text, size_t len, struct alpr_checkpoint *c)
{
	const char *p = text, *end = text + len, *nl, *e;
	char tm[ALPR_TIME_LEN], *tbuf;
	size_t got;
	int line = 0, have_time = 0, tbad;

	memset(c, 0, sizeof *c);
	if (len == 0)
		return "checkpoint is empty";
	if (memchr(text, '\0', len) || memchr(text, '\r', len))
		return "checkpoint has a NUL or carriage return";
	if (text[len - 1] != '\n')
		return "checkpoint does not end with a newline";
	c->text = alpr_malloc(len + 1);
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', end - p);
		if (nl == p)
			break;	/* the blank line ending the body */
		switch (line) {
		case 0:
			if (!printable(p, nl - p))
				return "checkpoint origin line is not printable";
			c->origin = alpr_malloc(nl - p + 1);
			memcpy(c->origin, p, nl - p);
			c->origin[nl - p] = '\0';
			break;
		case 1:
			if ((e = parse_size(p, nl - p, &c->size)))
				return e;
			break;
		case 2:
			if (alpr_unb64(c->root, sizeof c->root, p, nl - p,
			    &got) < 0 || got != ALPR_HASH)
				return "root hash is not 32 bytes of canonical "
				    "base64";
			break;
		default:
			if (nl - p < 5 || memcmp(p, "time ", 5) != 0 ||
			    have_time)
				return "unexpected extension line";
			tbuf = alpr_malloc(nl - p - 4);
			memcpy(tbuf, p + 5, nl - p - 5);
			tbuf[nl - p - 5] = '\0';
			tbad = alpr_time_parse(tbuf, &c->time) < 0;
			if (!tbad) {
				alpr_time_fmt(&c->time, tm);
				tbad = strcmp(tm, tbuf) != 0;
			}
			free(tbuf);
			if (tbad)
				return "time line is not a canonical UTC time";
			have_time = 1;
		}
	}
	if (p >= end)
		return "checkpoint has no blank line before the signatures";
	if (line < 3)
		return "checkpoint body has fewer than three lines";
	if (!have_time)
		return "checkpoint has no time line";
	c->bodylen = p - text;
	for (p++; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if ((e = parse_sig(c, p, nl - p)))
			return e;
	}
	if (c->nsig == 0)
		return "checkpoint has no signature";
	return NULL;
}

/* Does signature i verify with pk under name? */
int
alpr_checkpoint_check(const struct alpr_checkpoint *c, int i, const char *name,
    const unsigned char pk[ALPR_PK])
{
	const struct alpr_note_sig *g = &c->sig[i];
	unsigned char id[4];

	if (strcmp(g->name, name) != 0 || g->len != crypto_sign_BYTES)
		return 0;
	alpr_note_keyid(id, name, pk);
	if (memcmp(id, g->keyid, 4) != 0)
		return 0;
	return crypto_sign_verify_detached(g->sig,
	    (const unsigned char *)c->text, c->bodylen, pk) == 0;
}
