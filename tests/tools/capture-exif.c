/*
 * capture-exif: test driver for lib/capture/exif.c. Uses nothing else from
 * libalpr, so a test can rebuild it with sanitizers.
 *
 *	capture-exif file...		print what EXIF time each file has
 *	capture-exif -f N file		N corrupted copies must not crash
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

static unsigned char *
slurp(const char *path, size_t *n)
{
	unsigned char *p = NULL;
	size_t cap = 0, r;
	FILE *f = fopen(path, "rb");

	*n = 0;
	if (!f)
		return NULL;
	do {
		if (*n == cap && !(p = realloc(p, cap = cap ? 2 * cap : 65536)))
			exit(3);
		r = fread(p + *n, 1, cap - *n, f);
		*n += r;
	} while (r > 0);
	fclose(f);
	return p;
}

static void
show(const char *name, const unsigned char *p, size_t n)
{
	struct alpr_exif ex;
	struct timespec ts;

	if (alpr_exif_read(p, n, &ex) < 0) {
		printf("%s: none\n", name);
		return;
	}
	printf("%s: %s|%s|%s|", name, ex.dt, ex.subsec, ex.offset);
	if (alpr_exif_time(&ex, &ts) < 0)
		printf("bad\n");
	else
		printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned long
rnd(unsigned long lim)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng % lim);
}

static void
fuzz(long iters, const unsigned char *orig, size_t n)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t head = n < 1024 ? n : 1024, len;
	struct alpr_exif ex;
	struct timespec ts;
	long i, found = 0;
	int k, flips;

	for (i = 0; i < iters; i++) {
		memcpy(p, orig, n);
		len = n;
		flips = 1 + (int)rnd(8);
		for (k = 0; k < flips && head > 0; k++) {
			switch (rnd(4)) {
			case 0: p[rnd(head)] = (unsigned char)rnd(256); break;
			case 1: p[rnd(head)] = 0xff; break;
			case 2: p[rnd(head)] = 0x00; break;
			case 3: p[rnd(head)] ^= 1u << rnd(8); break;
			}
		}
		if (rnd(4) == 0)
			len = rnd(head + 1);
		if (alpr_exif_read(p, len, &ex) == 0) {
			found++;
			if (strlen(ex.dt) >= sizeof ex.dt ||
			    strlen(ex.subsec) >= sizeof ex.subsec ||
			    strlen(ex.offset) >= sizeof ex.offset)
				abort();
			alpr_exif_time(&ex, &ts);
		}
	}
	printf("fuzz: %ld corrupted copies, %ld still had a time, no crash\n",
	    iters, found);
	free(p);
}

int
main(int argc, char **argv)
{
	unsigned char *p;
	size_t n;
	int i;

	if (argc == 4 && !strcmp(argv[1], "-f")) {
		if (!(p = slurp(argv[3], &n)))
			return 3;
		fuzz(atol(argv[2]), p, n);
		free(p);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!(p = slurp(argv[i], &n))) {
			printf("%s: unreadable\n", argv[i]);
			continue;
		}
		show(argv[i], p, n);
		free(p);
	}
	return 0;
}
