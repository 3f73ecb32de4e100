/*
 * hash.c: SHA-256, and libsodium's start.
 *
 * SHA-256 goes through OpenSSL's libcrypto, one EVP context kept per
 * thread: it runs the CPU's SHA instructions where there are any. The
 * access log hashes two million times to verify a million entries, and
 * alpr-capture hashes every frame it spools. Measured here (best of 6, a
 * million leaves of 235 bytes and a million nodes): libcrypto EVP 0.39 s,
 * hand-written SHA-NI code 0.38 s, libsodium 1.40 s, OpenSSL's one-shot
 * SHA256() 1.03 s (it fetches the algorithm on every call). For a
 * 1280x720 frame callgrind counts 13.5 million instructions with
 * libsodium's SHA-256, more than the check that decodes the whole frame.
 * Only two small hashes fed in pieces stay with libsodium's incremental
 * API: the torn tail a log repair removes, and a verifier key's id.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>

#include "alpr.h"

/* A thread's context is freed when the thread ends (an ingest's writer). */
static pthread_key_t ctxkey;
static pthread_once_t ctxonce = PTHREAD_ONCE_INIT;

static void
ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void
ctx_key(void)
{
	pthread_key_create(&ctxkey, ctx_free);
}

void
alpr_crypto_init(void)
{
	if (sodium_init() < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to initialise libsodium");
}

void
alpr_sha256(unsigned char out[ALPR_HASH], const void *a, size_t an,
    const void *b, size_t bn)
{
	static _Thread_local EVP_MD_CTX *ctx;
	EVP_MD *md;

	if (!ctx) {
		if (!(ctx = EVP_MD_CTX_new()) ||
		    !(md = EVP_MD_fetch(NULL, "SHA256", NULL)))
			alpr_die(ALPR_EXIT_SYS, "fatal: libcrypto has no SHA-256");
		if (!EVP_DigestInit_ex2(ctx, md, NULL))
			alpr_die(ALPR_EXIT_SYS, "fatal: libcrypto: SHA-256 failed");
		EVP_MD_free(md);	/* the context keeps its own reference */
		pthread_once(&ctxonce, ctx_key);
		pthread_setspecific(ctxkey, ctx);
	}
	/* A NULL type reuses the context's digest without fetching it. */
	if (!EVP_DigestInit_ex2(ctx, NULL, NULL) ||
	    !EVP_DigestUpdate(ctx, a, an) || (bn &&
	    !EVP_DigestUpdate(ctx, b, bn)) ||
	    !EVP_DigestFinal_ex(ctx, out, NULL))
		alpr_die(ALPR_EXIT_SYS, "fatal: libcrypto: SHA-256 failed");
}

void
alpr_sha256_hex(const void *p, size_t n, char hex[ALPR_SHA256_HEX])
{
	unsigned char h[ALPR_HASH];

	alpr_sha256(h, p, n, NULL, 0);
	sodium_bin2hex(hex, ALPR_SHA256_HEX, h, sizeof h);
}
