/* hash.c: SHA-256 through libsodium. */
#include <sodium.h>

#include "alpr.h"

void
alpr_crypto_init(void)
{
	if (sodium_init() < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to initialise libsodium");
}

void
alpr_sha256_hex(const void *p, size_t n, char hex[ALPR_SHA256_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(hex, ALPR_SHA256_HEX, h, sizeof h);
}
