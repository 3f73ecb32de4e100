/*
 * log-bench: drives lib/log/log.c for scripts/bench-log and the tests.
 *	log-bench DIR N BATCH	append N search entries, BATCH to a write
 *	log-bench DIR N 1	N appends, each written and fsync'd
 *	log-bench -p DIR	time proofs over the whole log: verify keeping
 *				the leaves, build the tree levels, then make
 *				and check 1000 inclusion and 1000 consistency
 *				proofs between random sizes
 * Prints "entries seconds" (or "what value unit" lines); a progress line
 * on stderr when a terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <unistd.h>

#include "alpr.h"

static double
since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
proofs(const char *dir)
{
	unsigned char p[64][ALPR_HASH], r1[ALPR_HASH], r2[ALPR_HASH];
	struct alpr_logverify v;
	struct alpr_mtree t;
	struct timespec t0;
	double gen = 0, chk = 0, maxn = 0;
	uint64_t a, b, i;
	size_t np;
	int k;

	memset(&v, 0, sizeof v);
	v.dir = dir;
	v.keep_leaves = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (alpr_log_verify(&v) != 0)
		alpr_die(1, "%s does not verify", dir);
	printf("verify-keeping-leaves %.3f s\n", since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alpr_mtree_build(&t, (const unsigned char (*)[ALPR_HASH])v.leaves,
	    v.size);
	printf("tree-levels %.3f s\n", since(&t0));
	alpr_merkle_range_root((const unsigned char (*)[ALPR_HASH])v.leaves,
	    v.size, r2);
	for (k = 0; k < 1000; k++) {
		i = randombytes_uniform(v.size);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		np = alpr_merkle_inclusion(&t, v.size, i, p);
		gen += since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (alpr_merkle_verify_inclusion(i, v.size, v.leaves[i],
		    (const unsigned char (*)[ALPR_HASH])p, np, r2, ALPR_HASH))
			alpr_die(1, "inclusion proof %llu fails",
			    (unsigned long long)i);
		chk += since(&t0);
		if (np > maxn)
			maxn = np;
	}
	printf("inclusion-make %.1f us\ninclusion-check %.1f us\n"
	    "inclusion-hashes %.0f count\n", gen * 1e3, chk * 1e3, maxn);
	gen = chk = maxn = 0;
	for (k = 0; k < 1000; k++) {
		a = 1 + randombytes_uniform(v.size - 1);
		b = v.size;
		alpr_mtree_root(&t, a, r1);	/* the old checkpoint's */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		np = alpr_merkle_consistency(&t, a, b, p);
		gen += since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (alpr_merkle_verify_consistency(a, b, r1, ALPR_HASH, r2,
		    ALPR_HASH, (const unsigned char (*)[ALPR_HASH])p, np))
			alpr_die(1, "consistency proof %llu fails",
			    (unsigned long long)a);
		chk += since(&t0);
		if (np > maxn)
			maxn = np;
	}
	printf("consistency-make %.1f us\nconsistency-check %.1f us\n"
	    "consistency-hashes %.0f count\n", gen * 1e3, chk * 1e3,
	    maxn);
	alpr_mtree_free(&t);
	alpr_logverify_free(&v);
	return 0;
}

int
main(int argc, char **argv)
{
	struct alpr_log *l;
	struct timespec t0, t1;
	json_t **b;
	long n, batch, i, k;
	char plate[16];
	int tty = isatty(2);

	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	if (argc == 3 && !strcmp(argv[1], "-p"))
		return proofs(argv[2]);
	if (argc != 4)
		alpr_die(2, "usage: log-bench DIR N BATCH");
	n = alpr_strtonum(argv[2], 1, 100000000, "N");
	batch = alpr_strtonum(argv[3], 1, 1000000, "BATCH");
	if (!(l = alpr_log_open(argv[1])))
		return 3;
	b = alpr_calloc(batch, sizeof *b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i += batch) {
		for (k = 0; k < batch && i + k < n; k++) {
			snprintf(plate, sizeof plate, "%07ld", (i + k) % 9999991);
			b[k] = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s}",
			    "action", "search", "plate", plate, "purpose",
			    "investigation", "case", "26-0042", "reason",
			    "stolen vehicle report 26-0042", "count", 2,
			    "outcome", "ok");
		}
		if (alpr_log_append_batch(l, b, k) < 0)
			alpr_die(3, "fatal: append:");
		while (k-- > 0)
			json_decref(b[k]);
		if (tty && (i / batch) % 64 == 0)
			fprintf(stderr, "\rlog-bench: %ld entries", i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (tty)
		fprintf(stderr, "\r\033[K");
	alpr_log_close(l);
	printf("%ld %.6f\n", n, (t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(b);
	return 0;
}
