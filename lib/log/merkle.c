/*
 * merkle.c: RFC 6962/9162 Merkle trees over SHA-256: hashes, the compact
 * range used to stream a root, proofs and their verification.
 * Leaf and node hashes go through alpr_sha256 (hash.c: libcrypto, the
 * CPU's SHA instructions where there are any).
 */
#include <string.h>

#include <sodium.h>

#include "alpr.h"

/* SHA-256 of the byte c followed by p[0..n). */
static void
sha256(unsigned char out[ALPR_HASH], unsigned char c, const void *p, size_t n)
{
	alpr_sha256(out, &c, 1, p, n);
}

void
alpr_merkle_leaf(unsigned char out[ALPR_HASH], const void *p, size_t n)
{
	sha256(out, 0, p, n);
}

void
alpr_merkle_node(unsigned char out[ALPR_HASH], const unsigned char l[ALPR_HASH],
    const unsigned char r[ALPR_HASH])
{
	unsigned char buf[2 * ALPR_HASH];

	memcpy(buf, l, ALPR_HASH);
	memcpy(buf + ALPR_HASH, r, ALPR_HASH);
	sha256(out, 1, buf, sizeof buf);
}

void
alpr_merkle_init(struct alpr_merkle *m)
{
	memset(m, 0, sizeof *m);
}

/* The stack holds one perfect subtree per set bit of size, largest first. */
void
alpr_merkle_push(struct alpr_merkle *m, const unsigned char leaf[ALPR_HASH])
{
	unsigned char h[ALPR_HASH];
	uint64_t s;

	memcpy(h, leaf, ALPR_HASH);
	for (s = m->size; s & 1; s >>= 1) {
		m->top--;
		alpr_merkle_node(h, m->stack[m->top], h);
	}
	memcpy(m->stack[m->top++], h, ALPR_HASH);
	m->size++;
}

void
alpr_merkle_root(const struct alpr_merkle *m, unsigned char out[ALPR_HASH])
{
	int i;

	if (m->top == 0) {
		alpr_sha256(out, "", 0, NULL, 0);
		return;
	}
	memcpy(out, m->stack[m->top - 1], ALPR_HASH);
	for (i = m->top - 2; i >= 0; i--)
		alpr_merkle_node(out, m->stack[i], out);
}

/* Largest power of two smaller than n (n > 1). */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* The perfect subtrees of a tree, level by level, so that a proof takes
 * O(log^2 n) hashing instead of O(n). lev[0] is the caller's leaves. */
void
alpr_mtree_build(struct alpr_mtree *t, const unsigned char (*leaves)[ALPR_HASH],
    uint64_t n)
{
	uint64_t i, m;
	int j;

	memset(t, 0, sizeof *t);
	t->n = n;
	t->lev[0] = (unsigned char (*)[ALPR_HASH])leaves;
	for (j = 1, m = n / 2; m > 0; j++, m /= 2) {
		t->lev[j] = alpr_malloc(m * ALPR_HASH);
		for (i = 0; i < m; i++)
			alpr_merkle_node(t->lev[j][i], t->lev[j - 1][2 * i],
			    t->lev[j - 1][2 * i + 1]);
	}
	t->nlev = j;
}

void
alpr_mtree_free(struct alpr_mtree *t)
{
	int j;

	for (j = 1; j < t->nlev; j++)
		free(t->lev[j]);
	memset(t, 0, sizeof *t);
}

/* MTH(D[lo:lo+n]). */
static void
subtree(const struct alpr_mtree *t, uint64_t lo, uint64_t n,
    unsigned char out[ALPR_HASH])
{
	unsigned char l[ALPR_HASH], r[ALPR_HASH];
	uint64_t k;
	int j;

	if (n == 0) {
		alpr_sha256(out, "", 0, NULL, 0);
		return;
	}
	if ((n & (n - 1)) == 0 && lo % n == 0) {
		for (j = 0; ((uint64_t)1 << j) < n; j++)
			;
		memcpy(out, t->lev[j][lo >> j], ALPR_HASH);
		return;
	}
	k = split(n);
	subtree(t, lo, k, l);
	subtree(t, lo + k, n - k, r);
	alpr_merkle_node(out, l, r);
}

void
alpr_mtree_root(const struct alpr_mtree *t, uint64_t n,
    unsigned char out[ALPR_HASH])
{
	subtree(t, 0, n, out);
}

void
alpr_merkle_range_root(const unsigned char (*leaves)[ALPR_HASH], uint64_t n,
    unsigned char out[ALPR_HASH])
{
	struct alpr_merkle m;
	uint64_t i;

	alpr_merkle_init(&m);
	for (i = 0; i < n; i++)
		alpr_merkle_push(&m, leaves[i]);
	alpr_merkle_root(&m, out);
}

/* RFC 6962 PATH(m, D[lo:lo+n]), appended leaf-side first. */
static void
path(const struct alpr_mtree *t, uint64_t lo, uint64_t n, uint64_t m,
    unsigned char (*proof)[ALPR_HASH], size_t *np)
{
	unsigned char h[ALPR_HASH];
	uint64_t k;

	if (n <= 1)
		return;
	k = split(n);
	if (m < k) {
		path(t, lo, k, m, proof, np);
		subtree(t, lo + k, n - k, h);
	} else {
		path(t, lo + k, n - k, m - k, proof, np);
		subtree(t, lo, k, h);
	}
	memcpy(proof[(*np)++], h, ALPR_HASH);
}

size_t
alpr_merkle_inclusion(const struct alpr_mtree *t, uint64_t size, uint64_t idx,
    unsigned char (*proof)[ALPR_HASH])
{
	size_t n = 0;

	if (idx < size && size <= t->n)
		path(t, 0, size, idx, proof, &n);
	return n;
}

/* RFC 6962 SUBPROOF(m, D[lo:lo+n], b). */
static void
subproof(const struct alpr_mtree *t, uint64_t lo, uint64_t n, uint64_t m,
    int b, unsigned char (*proof)[ALPR_HASH], size_t *np)
{
	unsigned char h[ALPR_HASH];
	uint64_t k;

	if (m == n) {
		if (!b) {
			subtree(t, lo, n, h);
			memcpy(proof[(*np)++], h, ALPR_HASH);
		}
		return;
	}
	k = split(n);
	if (m <= k) {
		subproof(t, lo, k, m, b, proof, np);
		subtree(t, lo + k, n - k, h);
	} else {
		subproof(t, lo + k, n - k, m - k, 0, proof, np);
		subtree(t, lo, k, h);
	}
	memcpy(proof[(*np)++], h, ALPR_HASH);
}

size_t
alpr_merkle_consistency(const struct alpr_mtree *t, uint64_t size1,
    uint64_t size2, unsigned char (*proof)[ALPR_HASH])
{
	size_t n = 0;

	if (size1 > 0 && size1 < size2 && size2 <= t->n)
		subproof(t, 0, size2, size1, 1, proof, &n);
	return n;
}

static int
eq(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	return na == nb && sodium_memcmp(a, b, na) == 0;
}

/* RFC 9162 2.1.3.2. */
const char *
alpr_merkle_verify_inclusion(uint64_t idx, uint64_t size,
    const unsigned char leaf[ALPR_HASH], const unsigned char (*proof)[ALPR_HASH],
    size_t n, const unsigned char *root, size_t rootlen)
{
	unsigned char r[ALPR_HASH];
	uint64_t fn = idx, sn = size - 1;
	size_t i;

	if (idx >= size)
		return "leaf index is not below the tree size";
	memcpy(r, leaf, ALPR_HASH);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return "proof has too many hashes";
		if ((fn & 1) || fn == sn) {
			alpr_merkle_node(r, proof[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			alpr_merkle_node(r, r, proof[i]);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return "proof has too few hashes";
	if (!eq(r, ALPR_HASH, root, rootlen))
		return "proof does not lead to the root";
	return NULL;
}

/* RFC 9162 2.1.4.2; a consistency proof from the empty tree is refused. */
const char *
alpr_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const unsigned char *root1, size_t len1, const unsigned char *root2,
    size_t len2, const unsigned char (*proof)[ALPR_HASH], size_t n)
{
	unsigned char fr[ALPR_HASH], sr[ALPR_HASH];
	uint64_t fn, sn;
	size_t i = 0;

	if (size1 > size2)
		return "first tree is larger than the second";
	if (size1 == 0)
		return "consistency with the empty tree proves nothing";
	if (size1 == size2) {
		if (n > 0)
			return "trees of equal size need an empty proof";
		if (!eq(root1, len1, root2, len2))
			return "trees of equal size have different roots";
		return NULL;
	}
	if (n == 0)
		return "proof is empty";
	if (len1 != ALPR_HASH || len2 != ALPR_HASH)
		return "root is not a SHA-256 hash";
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	if (fn == 0) {	/* size1 is a power of two: the path starts at root1 */
		memcpy(fr, root1, ALPR_HASH);
	} else
		memcpy(fr, proof[i++], ALPR_HASH);
	memcpy(sr, fr, ALPR_HASH);
	for (; i < n; i++) {
		if (sn == 0)
			return "proof has too many hashes";
		if ((fn & 1) || fn == sn) {
			alpr_merkle_node(fr, proof[i], fr);
			alpr_merkle_node(sr, proof[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			alpr_merkle_node(sr, sr, proof[i]);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return "proof has too few hashes";
	if (!eq(fr, ALPR_HASH, root1, len1))
		return "proof does not lead to the first root";
	if (!eq(sr, ALPR_HASH, root2, len2))
		return "proof does not lead to the second root";
	return NULL;
}
