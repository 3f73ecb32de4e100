/*
 * merkle-test: test driver for lib/log/merkle.c and lib/log/note.c.
 *	merkle-test roots		RFC 6962 reference tree roots, sizes 0-8
 *	merkle-test sha			tree hashes against libsodium
 *	merkle-test vectors DIR		run the JSON vectors under DIR
 *	merkle-test proofs N		every proof of trees up to N leaves, and
 *					every bit of each flipped
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alpr.h"

static const char *ref[] = { "", "00", "10", "2021", "3031", "40414243",
	"5051525354555657", "606162636465666768696a6b6c6d6e6f" };

static int
roots(void)
{
	unsigned char leaves[8][ALPR_HASH], raw[16], root[ALPR_HASH];
	char hex[65];
	size_t n;
	int i;

	for (i = 0; i < 8; i++) {
		sodium_hex2bin(raw, sizeof raw, ref[i], strlen(ref[i]), NULL,
		    &n, NULL);
		alpr_merkle_leaf(leaves[i], raw, n);
	}
	for (i = 0; i <= 8; i++) {
		alpr_merkle_range_root((const unsigned char (*)[ALPR_HASH])
		    leaves, i, root);
		sodium_bin2hex(hex, sizeof hex, root, ALPR_HASH);
		printf("%d %s\n", i, hex);
	}
	return 0;
}

static int
b64(json_t *j, unsigned char *out, size_t max, size_t *n)
{
	const char *s = json_string_value(j);

	if (!s)
		return -1;
	return alpr_unb64(out, max, s, strlen(s), n);
}

/* Decode a proof; -1 if any hash is not 32 bytes. */
static int
proof(json_t *j, unsigned char (*p)[ALPR_HASH], size_t *n)
{
	unsigned char h[64];
	size_t i, got;

	*n = 0;
	if (json_is_null(j) || !j)
		return 0;
	if (!json_is_array(j) || json_array_size(j) > 64)
		return -1;
	for (i = 0; i < json_array_size(j); i++) {
		if (b64(json_array_get(j, i), h, sizeof h, &got) < 0 ||
		    got != ALPR_HASH)
			return -1;
		memcpy(p[(*n)++], h, ALPR_HASH);
	}
	return 0;
}

/* Sizes and indices as read: the vectors hold 2^64-1. */
static uint64_t
num(json_t *j)
{
	double d = json_number_value(j);

	return d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
}

static const char *
one(const char *file, json_t *j, int incl)
{
	unsigned char p[64][ALPR_HASH], r1[64], r2[64], leaf[64];
	size_t n, n1, n2, nl;

	if (proof(json_object_get(j, "proof"), p, &n) < 0)
		return "proof hash is not 32 bytes";
	if (incl) {
		if (b64(json_object_get(j, "root"), r1, sizeof r1, &n1) < 0 ||
		    b64(json_object_get(j, "leafHash"), leaf, sizeof leaf,
		    &nl) < 0)
			return "bad base64";
		if (nl != ALPR_HASH)
			return "leaf hash is not 32 bytes";
		return alpr_merkle_verify_inclusion(
		    num(json_object_get(j, "leafIdx")),
		    num(json_object_get(j, "treeSize")), leaf,
		    (const unsigned char (*)[ALPR_HASH])p, n, r1, n1);
	}
	if (b64(json_object_get(j, "root1"), r1, sizeof r1, &n1) < 0 ||
	    b64(json_object_get(j, "root2"), r2, sizeof r2, &n2) < 0)
		return "bad base64";
	return alpr_merkle_verify_consistency(
	    num(json_object_get(j, "size1")),
	    num(json_object_get(j, "size2")), r1, n1, r2, n2,
	    (const unsigned char (*)[ALPR_HASH])p, n);
}

static int
vectors(const char *dir)
{
	const char *kinds[] = { "inclusion", "consistency" };
	char pat[4096];
	json_error_t err;
	const char *why;
	size_t i;
	int k, total = 0, wrong = 0, want;
	glob_t g;
	json_t *j;

	for (k = 0; k < 4; k++) {
		snprintf(pat, sizeof pat, "%s/%s/*/%s*.json", dir, kinds[k % 2],
		    k < 2 ? "" : "*/");
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			if (!(j = json_load_file(g.gl_pathv[i],
			    JSON_DECODE_INT_AS_REAL, &err))) {
				printf("unreadable %s: %s\n", g.gl_pathv[i],
				    err.text);
				wrong++;
				continue;
			}
			want = json_is_true(json_object_get(j, "wantErr"));
			why = one(g.gl_pathv[i], j, k % 2 == 0);
			total++;
			if (!why != !want) {
				wrong++;
				printf("wrong %s: %s\n", g.gl_pathv[i],
				    why ? why : "accepted");
			}
			json_decref(j);
		}
		globfree(&g);
	}
	printf("%d vectors, %d wrong\n", total, wrong);
	return wrong || total == 0;
}

static int
flips(unsigned char (*p)[ALPR_HASH], size_t n, int incl, uint64_t a,
    uint64_t b, const unsigned char *leaf, const unsigned char *r1,
    const unsigned char *r2)
{
	const unsigned char (*cp)[ALPR_HASH] =
	    (const unsigned char (*)[ALPR_HASH])p;
	size_t i, bit;
	int missed = 0;

	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8 * ALPR_HASH; bit++) {
			p[i][bit / 8] ^= 1 << (bit % 8);
			if (incl ? !alpr_merkle_verify_inclusion(a, b, leaf, cp,
			    n, r1, ALPR_HASH) : !alpr_merkle_verify_consistency(a,
			    b, r1, ALPR_HASH, r2, ALPR_HASH, cp, n))
				missed++;
			p[i][bit / 8] ^= 1 << (bit % 8);
		}
	return missed;
}

static int
proofs(int max)
{
	unsigned char (*leaves)[ALPR_HASH], p[64][ALPR_HASH];
	unsigned char r1[ALPR_HASH], r2[ALPR_HASH];
	const unsigned char (*cl)[ALPR_HASH];
	const unsigned char (*cp)[ALPR_HASH] =
	    (const unsigned char (*)[ALPR_HASH])p;
	long good = 0, badp = 0, missed = 0, flipped = 0;
	struct alpr_mtree t;
	uint64_t n, m, i;
	size_t np;
	char s[32];

	leaves = alpr_malloc((max + 1) * ALPR_HASH);
	cl = (const unsigned char (*)[ALPR_HASH])leaves;
	for (i = 0; i < (uint64_t)max; i++) {
		snprintf(s, sizeof s, "entry %llu", (unsigned long long)i);
		alpr_merkle_leaf(leaves[i], s, strlen(s));
	}
	alpr_mtree_build(&t, cl, max);
	for (n = 1; n <= (uint64_t)max; n++) {
		alpr_merkle_range_root(cl, n, r2);
		for (i = 0; i < n; i++) {
			np = alpr_merkle_inclusion(&t, n, i, p);
			if (alpr_merkle_verify_inclusion(i, n, leaves[i], cp,
			    np, r2, ALPR_HASH))
				badp++;
			else
				good++;
			/* the wrong index, size or leaf must fail */
			if ((i ^ 1) < n && !alpr_merkle_verify_inclusion(i ^ 1,
			    n, leaves[i], cp, np, r2, ALPR_HASH))
				missed++;
			if (!alpr_merkle_verify_inclusion(i, n,
			    leaves[(i + 1) % max], cp, np, r2, ALPR_HASH) &&
			    n > 1)
				missed++;
			missed += flips(p, np, 1, i, n, leaves[i], r2, NULL);
			flipped += np * 8 * ALPR_HASH;
		}
		for (m = 1; m <= n; m++) {
			alpr_merkle_range_root(cl, m, r1);
			np = alpr_merkle_consistency(&t, m, n, p);
			if (alpr_merkle_verify_consistency(m, n, r1, ALPR_HASH,
			    r2, ALPR_HASH, cp, np))
				badp++;
			else
				good++;
			if (m < n && !alpr_merkle_verify_consistency(m, n, r2,
			    ALPR_HASH, r1, ALPR_HASH, cp, np))
				missed++;
			if (m < n && np > 0 && !alpr_merkle_verify_consistency(m,
			    n, r1, ALPR_HASH, r2, ALPR_HASH, cp, np - 1))
				missed++;
			missed += flips(p, np, 0, m, n, NULL, r1, r2);
			flipped += np * 8 * ALPR_HASH;
		}
	}
	alpr_mtree_free(&t);
	free(leaves);
	printf("%ld proofs verified, %ld rejected wrongly, %ld bit flips, "
	    "%ld attacks missed\n", good, badp, flipped, missed);
	return badp || missed;
}

/* libcrypto's leaf and node hashes against libsodium, every length to 3000. */
static int
sha(void)
{
	unsigned char buf[3001], a[ALPR_HASH], b[ALPR_HASH];
	int n, bad = 0;

	randombytes_buf(buf, sizeof buf);
	for (n = 0; n < 3000; n++) {
		buf[0] = 0;
		alpr_merkle_leaf(a, buf + 1, n);
		crypto_hash_sha256(b, buf, n + 1);
		bad += memcmp(a, b, ALPR_HASH) != 0;
	}
	buf[0] = 1;
	alpr_merkle_node(a, buf + 1, buf + 1 + ALPR_HASH);
	crypto_hash_sha256(b, buf, 1 + 2 * ALPR_HASH);
	bad += memcmp(a, b, ALPR_HASH) != 0;
	printf("sha: %d lengths differ from libsodium\n", bad);
	return bad != 0;
}

int
main(int argc, char **argv)
{
	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	if (argc == 2 && !strcmp(argv[1], "roots"))
		return roots();
	if (argc == 2 && !strcmp(argv[1], "sha"))
		return sha();
	if (argc == 3 && !strcmp(argv[1], "vectors"))
		return vectors(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "proofs"))
		return proofs(atoi(argv[2]));
	fprintf(stderr, "usage: merkle-test roots | sha | vectors DIR | "
	    "proofs N\n");
	return 2;
}
