/*
 * aes-open: open values sealed by a store of AES-256-GCM with OpenSSL's
 * AES, not libsodium's, as lib/store/keys.c (Ciphers) says they are made:
 * the subkey is the key's AES-256 keystream at the nonce's first 12 bytes
 * (counter blocks 2 and 3), GCM's nonce the last 12 under it.
 *
 *	aes-open <lines
 *
 * Each line: KEY AD SEALED in hex (store-poke sealed). Writes each value
 * opened on a line of its own; exit 1 at the first that does not open, 2
 * for no line or a malformed one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Hex to bytes with OpenSSL's decoder: the count, 0 for bad hex. */
static size_t
unhex(char *h, unsigned char *out, size_t cap)
{
	size_t n = 0;

	h[strcspn(h, " \n")] = '\0';
	if (OPENSSL_hexstr2buf_ex(out, cap, &n, h, '\0') != 1)
		return 0;
	return n;
}

static int
aes_block(const unsigned char key[32], const unsigned char in[16],
    unsigned char out[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, key, NULL) &&
	    EVP_CIPHER_CTX_set_padding(c, 0) &&
	    EVP_EncryptUpdate(c, out, &n, in, 16) && n == 16;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

int
main(void)
{
	static char line[1 << 22], k[65], a[64], *sp;
	static unsigned char key[32], ad[32], v[1 << 21], out[1 << 21];
	unsigned char blk[16], sub[32];
	size_t kn, an, vn;
	int n, m, i, lines = 0;

	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "%64s %63s", k, a) != 2 ||
		    !(sp = strchr(line, ' ')) || !(sp = strchr(sp + 1, ' ')))
			return 2;
		kn = unhex(k, key, sizeof key);
		an = unhex(a, ad, sizeof ad);
		vn = unhex(sp + 1, v, sizeof v);
		if (kn != 32 || vn < 40)
			return 2;
		for (i = 0; i < 2; i++) {
			memcpy(blk, v, 12);
			memcpy(blk + 12, (unsigned char[]){ 0, 0, 0, 2 + i }, 4);
			if (!aes_block(key, blk, sub + 16 * i))
				return 2;
		}
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		if (!c || !EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL,
		    NULL) || !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12,
		    NULL) || !EVP_DecryptInit_ex(c, NULL, NULL, sub, v + 12) ||
		    !EVP_DecryptUpdate(c, NULL, &n, ad, an) ||
		    !EVP_DecryptUpdate(c, out, &n, v + 24, vn - 40) ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
		    v + vn - 16) || EVP_DecryptFinal_ex(c, out + n, &m) <= 0) {
			EVP_CIPHER_CTX_free(c);
			fprintf(stderr, "aes-open: a value does not open\n");
			return 1;
		}
		EVP_CIPHER_CTX_free(c);
		fwrite(out, 1, n + m, stdout);
		putchar('\n');
		lines++;
	}
	return lines ? 0 : 2;
}
