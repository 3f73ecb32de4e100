/*
 * store-bench: time the store's searches in this process, without the
 * command around them (no session, no access log entry): the query, its
 * index reads, the opening and checking of the candidates.
 *
 *	store-bench -H home -K key <queries
 *
 * Each line of input is "exact PLATE", "pattern PATTERN" or "fuzzy PLATE"
 * (one difference). Prints a line a kind: kind, queries, median ms, p90
 * ms, mean reads found.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alpr.h"

#define KINDS 3
static const char *kinds[KINDS] = { "exact", "pattern", "fuzzy" };

static int
dblcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct alpr_store *s;
	struct alpr_query q;
	struct alpr_result res;
	struct timespec t0, t1;
	const char *home = NULL, *key = NULL;
	char line[256], term[64], kind[16], why[300];
	double *ms[KINDS];
	long found[KINDS] = { 0 };
	size_t n[KINDS] = { 0 }, cap = 100000;
	int c, k;

	alpr_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "H:K:")) != -1)
		switch (c) {
		case 'H': home = optarg; break;
		case 'K': key = optarg; break;
		default: return 2;
		}
	if (!home || !(s = alpr_store_open(home, key)))
		return 3;
	for (k = 0; k < KINDS; k++)
		ms[k] = alpr_malloc(cap * sizeof **ms);
	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "%15s %63s", kind, term) != 2)
			continue;
		for (k = 0; k < KINDS && strcmp(kinds[k], kind); k++)
			;
		if (k == KINDS || n[k] == cap)
			continue;
		memset(&q, 0, sizeof q);
		q.plate = term;
		q.fuzzy = k == 2 ? 1 : -1;
		q.limit = 100000;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (alpr_store_find(s, &q, &res, why, sizeof why) != 0)
			alpr_die(1, "%s %s: %s", kind, term, why);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[k][n[k]++] = (t1.tv_sec - t0.tv_sec) * 1e3 +
		    (t1.tv_nsec - t0.tv_nsec) / 1e6;
		found[k] += res.n;
		alpr_result_free(&res);
	}
	for (k = 0; k < KINDS; k++) {
		if (!n[k])
			continue;
		qsort(ms[k], n[k], sizeof **ms, dblcmp);
		printf("%s %zu %.3f %.3f %.1f\n", kinds[k], n[k], ms[k][n[k] / 2],
		    ms[k][n[k] * 9 / 10], (double)found[k] / n[k]);
	}
	alpr_store_close(s);
	return 0;
}
