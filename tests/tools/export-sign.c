/*
 * export-sign: test driver that forges an alpr-export bundle as someone
 * without the agency's key would, for tests/082*.t: it signs the bundle's
 * MANIFEST as it now is with a key of its own (made from a seed), writes
 * MANIFEST.sig, and prints that key's verifier key.
 *	export-sign [-k] [-n name] DIR
 *	-k	also put its own verifier key on the manifest's "key" line
 *	-n	the key's name (default "forger")
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

int
main(int argc, char **argv)
{
	unsigned char seed[32] = "export-sign test key seed.......";
	unsigned char pk[32], sk[64], sig[64], *text;
	const char *name = "forger";
	char *path, *vkey, *k, *nl, *out, b64[128];
	size_t n;
	int c, keyline = 0;

	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	while ((c = getopt(argc, argv, "kn:")) != -1)
		switch (c) {
		case 'k': keyline = 1; break;
		case 'n': name = optarg; break;
		default: return 2;
		}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: export-sign [-k] [-n name] dir\n");
		return 2;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	vkey = alpr_note_vkey(name, pk);
	path = alpr_path(argv[optind], "MANIFEST");
	if (alpr_read_file(path, &text, &n) < 0)
		alpr_die(3, "unable to read %s:", path);
	out = (char *)text;
	if (keyline && (k = strstr((char *)text, "\nkey ")) &&
	    (nl = strchr(k + 1, '\n'))) {
		n = strlen(vkey) + strlen((char *)text) + 8;
		out = alpr_malloc(n);
		snprintf(out, n, "%.*s\nkey %s%s", (int)(k - (char *)text),
		    (char *)text, vkey, nl);
		if (alpr_write_atomic(path, out, strlen(out)) < 0)
			alpr_die(3, "unable to write %s:", path);
	}
	crypto_sign_detached(sig, NULL, (unsigned char *)out, strlen(out), sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	strcat(b64, "\n");
	free(path);
	path = alpr_path(argv[optind], "MANIFEST.sig");
	if (alpr_write_atomic(path, b64, strlen(b64)) < 0)
		alpr_die(3, "unable to write %s:", path);
	printf("%s\n", vkey);
	return 0;
}
