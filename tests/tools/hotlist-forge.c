/*
 * hotlist-forge: test driver that signs a hotlist as someone without the
 * agency's key would, for tests/0836-hotlist-signed.t: a signature of
 * LIST (its hash, as alpr-store hotlist sign makes it) with a key of its
 * own made from a seed, written to LIST.sig; prints that key's verifier
 * key.
 *	hotlist-forge [-a asker] [-K vkey] [-n name] [-t time] LIST
 *	-a	put this on the "asked_by" line (default: asker; "-": no
 *		such line, as a signature made before lists were asked for)
 *	-K	put this verifier key (the agency's) on the "key" line
 *	-n	put this on the "list" line (default: the list's name, as
 *		alpr-match gives it; lines of its own after a line break,
 *		as a file's name could)
 *	-t	signed at this time (default: now)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

int
main(int argc, char **argv)
{
	unsigned char seed[32] = "hotlist-forge test key seed.....";
	unsigned char pk[32], sk[64], *text;
	char hash[ALPR_SHA256_HEX], *vkey, *claim = NULL, *sig, *path;
	char now[ALPR_TIME_LEN], own[256];
	const char *name = NULL, *when = NULL, *asker = "asker";
	size_t n;
	FILE *f;
	int c;

	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	while ((c = getopt(argc, argv, "a:K:n:t:")) != -1)
		switch (c) {
		case 'a': asker = optarg; break;
		case 'K': claim = optarg; break;
		case 'n': name = optarg; break;
		case 't': when = optarg; break;
		default: return 2;
		}
	if (optind != argc - 1)
		alpr_die(2, "usage: hotlist-forge [-a asker] [-K vkey] "
		    "[-n name] [-t time] LIST");
	alpr_time_now(now);
	alpr_hotlist_name(argv[optind], own, sizeof own);
	if (!name)
		name = own;
	crypto_sign_seed_keypair(pk, sk, seed);
	vkey = alpr_note_vkey("forger", pk);
	if (alpr_read_file(argv[optind], &text, &n) < 0)
		alpr_die(3, "cannot read %s", argv[optind]);
	alpr_sha256_hex(text, n, hash);
	sig = alpr_hlsig_make("Forger Department", claim ? claim : vkey,
	    name, hash, 1, "forger", strcmp(asker, "-") ? asker : NULL,
	    when ? when : now, sk);
	if (asprintf(&path, "%s.sig", argv[optind]) < 0 ||
	    !(f = fopen(path, "w")) || fputs(sig, f) < 0 || fclose(f))
		alpr_die(3, "cannot write the signature");
	printf("%s\n", vkey);
	free(path);
	free(sig);
	free(text);
	free(vkey);
	return 0;
}
