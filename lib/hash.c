/* hash.c: SHA-256 through libsodium. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

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

int
alpr_sha256_file(const char *path, char hex[ALPR_SHA256_HEX])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES], buf[65536];
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, ALPR_SHA256_HEX, h, sizeof h);
	return 0;
}
