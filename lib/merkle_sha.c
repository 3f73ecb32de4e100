/*
 * merkle_sha.c: SHA-256 with the x86 SHA extensions for the tree hashes.
 * Verifying a million entries means two million SHA-256 runs; libsodium's
 * portable code takes 1.4 s for that, these instructions a quarter of it.
 * Used only when the processor has them (checked once), and only for the
 * short inputs of leaves and nodes; everything else is libsodium's.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alpr.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define TARGET __attribute__((target("sha,sse4.1,ssse3")))

TARGET static void
blocks(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i s0, s1, tmp, msg, m[4], abef, cdgh;
	int i;

	tmp = _mm_loadu_si128((const __m128i *)&st[0]);
	s1 = _mm_loadu_si128((const __m128i *)&st[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xb1);		/* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1b);		/* EFGH */
	s0 = _mm_alignr_epi8(tmp, s1, 8);		/* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xf0);		/* CDGH */
	for (; nblocks > 0; nblocks--, p += 64) {
		abef = s0;
		cdgh = s1;
#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			if (i < 4)
				m[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * i)), mask);
			msg = _mm_add_epi32(m[i & 3],
			    _mm_loadu_si128((const __m128i *)&K[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
			if (i >= 3 && i <= 14) {
				tmp = _mm_alignr_epi8(m[i & 3], m[(i + 3) & 3],
				    4);
				m[(i + 1) & 3] = _mm_add_epi32(m[(i + 1) & 3],
				    tmp);
				m[(i + 1) & 3] = _mm_sha256msg2_epu32(
				    m[(i + 1) & 3], m[i & 3]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0e);
			s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
			if (i >= 1 && i <= 12)
				m[(i + 3) & 3] = _mm_sha256msg1_epu32(
				    m[(i + 3) & 3], m[i & 3]);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1b);		/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1);		/* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xf0);		/* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);		/* ABEF */
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}

static int
have_sha(void)
{
	static int have = -1;

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("sha") &&
		    __builtin_cpu_supports("sse4.1") &&
		    !getenv("ALPR_SHA_PORTABLE");	/* tests the other path */
	}
	return have;
}

/* SHA-256 of the byte c followed by p[0..n); 0, or -1 to use libsodium. */
int
alpr_merkle_sha(unsigned char out[ALPR_HASH], unsigned char c, const void *p,
    size_t n)
{
	uint32_t st[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char buf[4096];
	uint64_t bits;
	size_t len = n + 1, padded;
	int i;

	if (!have_sha() || len + 72 > sizeof buf)
		return -1;
	buf[0] = c;
	memcpy(buf + 1, p, n);
	padded = (len + 8) / 64 * 64 + 64;
	memset(buf + len, 0, padded - len);
	buf[len] = 0x80;
	bits = (uint64_t)len * 8;
	for (i = 0; i < 8; i++)
		buf[padded - 1 - i] = bits >> (8 * i);
	blocks(st, buf, padded / 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = st[i] >> 24;
		out[4 * i + 1] = st[i] >> 16;
		out[4 * i + 2] = st[i] >> 8;
		out[4 * i + 3] = st[i];
	}
	return 0;
}
#else
int
alpr_merkle_sha(unsigned char out[ALPR_HASH], unsigned char c, const void *p,
    size_t n)
{
	return -1;
}
#endif
