/*
 * match-gen: deterministic hotlists and read records for scripts/bench-match.
 *
 *	match-gen list N WILD	N entries, WILD of them wildcards (CSV)
 *	match-gen reads M N	M reads against a list of N entries: 1 in 50
 *				holds a listed plate, 1 in 50 one with a
 *				character changed; each has 4 candidates
 */
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

static const char alnum[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Plate i of the list: California-like 9ABC123 or a vanity 5-7 string. */
static void
plate(uint64_t i, char *out)
{
	uint64_t h = mix(i);
	int n, k;

	if (h % 4) {
		out[0] = '1' + h % 9, h /= 9;
		for (k = 1; k < 4; k++)
			out[k] = 'A' + h % 26, h /= 26;
		for (; k < 7; k++)
			out[k] = '0' + h % 10, h /= 10;
		out[7] = '\0';
		return;
	}
	h /= 4;
	n = 5 + h % 3, h /= 3;
	for (k = 0; k < n; k++)
		out[k] = alnum[h % 33], h /= 33;
	out[n] = '\0';
}

static const char *cats[] = {
	"stolen-vehicle", "stolen-plate", "wanted", "missing-person",
	"amber", "custom",
};

static void
list(long n, long wild)
{
	char p[16];
	long i;

	printf("Plate,State,Category,Reason,Priority,Expires,Case\n");
	for (i = 0; i < n - wild; i++) {
		plate(i, p);
		printf("%s,CA,%s,\"entered %ld, see case\",%ld,2099-12-31,"
		    "C%ld\n", p, cats[i % 6], i, 1 + i % 3, i);
	}
	for (i = 0; i < wild; i++) {
		plate(n + i, p);
		if (i % 2)
			printf("%.3s*", p);
		else
			printf("*%c%c?%c", p[1], p[4], p[6] ? p[6] : p[2]);
		printf(",CA,crime-scene-partial,partial %ld,1,,W%ld\n", i, i);
	}
}

static void
reads(long m, long n)
{
	char p[4][16];
	uint64_t h;
	long i;
	int k;

	for (i = 0; i < m; i++) {
		h = mix(~(uint64_t)i);
		plate((h % 50 < 2) ? (h >> 8) % (uint64_t)n :
		    (uint64_t)(n + 1000000 + i), p[0]);
		if (h % 50 == 1)
			p[0][(h >> 40) % strlen(p[0])] = 'X';
		for (k = 1; k < 4; k++) {
			strcpy(p[k], p[0]);
			p[k][(h >> (10 * k)) % strlen(p[0])] =
			    alnum[(h >> (7 * k)) % 33];
		}
		printf("{\"type\":\"read\",\"v\":1,\"id\":\"r%ld\","
		    "\"ts\":\"2026-11-22T09:57:07.12Z\",\"camera\":\"cam1\","
		    "\"src\":\"a.jpg\",\"image\":\"3f9a5c0e1b2d4f6a8c0e1b2d4f6a"
		    "8c0e1b2d4f6a8c0e1b2d4f6a8c0e1b2d4f6a\",\"w\":1280,\"h\":720,"
		    "\"lat\":38.5,\"lon\":-121.4,\"plate\":\"%s\",\"conf\":87.5,"
		    "\"box\":[410,388,160,52],\"candidates\":["
		    "{\"plate\":\"%s\",\"conf\":87.5},{\"plate\":\"%s\","
		    "\"conf\":61.0},{\"plate\":\"%s\",\"conf\":40.2},"
		    "{\"plate\":\"%s\",\"conf\":22.9}],\"region\":\"ca\"}\n",
		    i, p[0], p[0], p[1], p[2], p[3]);
	}
}

int
main(int argc, char **argv)
{
	alpr_setprogname(argv[0]);
	if (argc == 4 && !strcmp(argv[1], "list"))
		list(alpr_strtonum(argv[2], 1, 100000000, "N"),
		    alpr_strtonum(argv[3], 0, 1000000, "WILD"));
	else if (argc == 4 && !strcmp(argv[1], "reads"))
		reads(alpr_strtonum(argv[2], 1, 100000000, "M"),
		    alpr_strtonum(argv[3], 1, 100000000, "N"));
	else {
		fprintf(stderr, "usage: match-gen list N WILD | reads M N\n");
		return ALPR_EXIT_USAGE;
	}
	alpr_fshut(stdout, "standard output");
	return 0;
}
