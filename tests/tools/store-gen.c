/*
 * store-gen: synthetic read records for scripts/bench-store and the store
 * tests, shaped like alpr-ocr | alpr-match output: a fleet of vehicles
 * seen again and again, each read with ten candidates (the confusions and
 * dropped characters the decoder offers), a camera, a position around a
 * city, and a hotlist hit now and then.
 *
 *	store-gen [-d days] [-n reads] [-s seed] [-t start] [-v vehicles]
 *	store-gen -p i		the plate of vehicle i
 *	store-gen -q n		n plates of the fleet, spread over it, that a
 *				search knows are there (with -v as generated)
 *
 * The reads fill the days that end with today, unless -t gives the
 * first day's start; deterministic for a seed and a start.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alpr.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
below(unsigned n)
{
	return next() % n;
}

/* Vehicle i's plate, California style 9AAA999 mostly, else 3+4. */
static void
plate_of(unsigned long i, char *p)
{
	uint64_t h = i * 0x9e3779b97f4a7c15ULL + 12345;
	static const char L[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
	int k;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	if (h % 10 < 7) {
		p[0] = '1' + h % 9;
		h /= 9;
		for (k = 1; k < 4; k++, h /= 23)
			p[k] = L[h % 23];
		for (k = 4; k < 7; k++, h /= 10)
			p[k] = '0' + h % 10;
		p[7] = '\0';
	} else {
		for (k = 0; k < 3; k++, h /= 23)
			p[k] = L[h % 23];
		for (k = 3; k < 7; k++, h /= 10)
			p[k] = '0' + h % 10;
		p[7] = '\0';
	}
}

static const char *swaps[][2] = { { "0", "O" }, { "O", "0" }, { "1", "I" },
	{ "I", "1" }, { "8", "B" }, { "B", "8" }, { "5", "S" }, { "S", "5" },
	{ "2", "Z" }, { "Z", "2" }, { "6", "G" }, { "D", "0" } };

/* A candidate: the plate with one confusion swapped or one character
 * dropped. */
static void
variant(const char *p, char *out)
{
	size_t n = strlen(p), i, k;

	strcpy(out, p);
	if (below(3) == 0) {
		i = below(n);
		memmove(out + i, out + i + 1, n - i);
		return;
	}
	for (k = 0; k < 12; k++) {
		i = below(n);
		size_t s = below(sizeof swaps / sizeof *swaps);
		if (out[i] == swaps[s][0][0]) {
			out[i] = swaps[s][1][0];
			return;
		}
	}
	out[below(n)] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"[below(33)];
}

int
main(int argc, char **argv)
{
	long days = 365, n = 1000, vehicles = 200000, cameras = 40;
	long i, c, per;
	time_t start = -1;		/* default: the days up to today */
	char plate[16], cand[16], ts[40], id[80], image[65];
	struct tm tm;
	double lat, lon;
	int ch, k, printonly = -1, queries = 0;

	alpr_setprogname(argv[0]);
	while ((ch = getopt(argc, argv, "d:n:p:q:s:t:v:")) != -1)
		switch (ch) {
		case 'd': days = atol(optarg); break;
		case 'n': n = atol(optarg); break;
		case 'p': printonly = atoi(optarg); break;
		case 'q': queries = atoi(optarg); break;
		case 's': rng ^= strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ULL;
		    break;
		case 't': start = atol(optarg); break;
		case 'v': vehicles = atol(optarg); break;
		default:
			fprintf(stderr, "usage: store-gen [-d days] [-n reads] "
			    "[-p vehicle] [-q queries] [-s seed] [-t start] "
			    "[-v vehicles]\n");
			return 2;
		}
	if (printonly >= 0) {
		plate_of(printonly, plate);
		puts(plate);
		return 0;
	}
	for (i = 0; i < queries; i++) {
		/* the frequent few (the first 2000) and the fleet, alike */
		plate_of(i % 2 ? below(2000) : below(vehicles), plate);
		puts(plate);
	}
	if (queries)
		return 0;
	if (start < 0)
		start = (time(NULL) / 86400 - days + 1) * 86400;
	per = n / days > 0 ? n / days : 1;
	for (i = 0; i < n; i++) {
		/* reads of a day spread over it, in time order */
		time_t t = start + (i / per) * 86400 + (i % per) * 86400 / per;
		int cs = below(100);
		unsigned long v = below(10) < 3 ? below(2000) : below(vehicles);
		plate_of(v, plate);
		gmtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
		c = below(cameras);
		for (k = 0; k < 64; k++)
			image[k] = "0123456789abcdef"[below(16)];
		image[64] = '\0';
		strftime(id, sizeof id, "%Y%m%dT%H%M%S", &tm);
		lat = 38.50 + (c % 8) * 0.03 + below(1000) / 1e5;
		lon = -121.55 + (c / 8) * 0.03 + below(1000) / 1e5;
		printf("{\"type\":\"read\",\"v\":1,\"id\":\"%s.%02dZ-%.12s-cam%ld\","
		    "\"ts\":\"%s.%02dZ\",\"tsrc\":\"exif\",\"camera\":\"cam%ld\","
		    "\"src\":\"frames/%ld.jpg\",\"w\":1280,\"h\":720,"
		    "\"lat\":%.5f,\"lon\":%.5f,\"plate\":\"%s\",\"conf\":%.1f,"
		    "\"box\":[%u,%u,%u,%u],\"candidates\":[{\"plate\":\"%s\","
		    "\"conf\":%.1f}", id, cs, image, c, ts, cs, c, i, lat, lon,
		    plate, 60 + below(400) / 10.0, below(1100), below(600),
		    100 + below(80), 50 + below(30), plate, 90.0);
		for (k = 1; k < 10; k++) {
			variant(plate, cand);
			printf(",{\"plate\":\"%s\",\"conf\":%.1f}", cand,
			    80.0 - k * 4);
		}
		printf("],\"region\":\"ca\"");
		if (below(50) == 0)
			printf(",\"hits\":[{\"list\":\"stolen\",\"file\":"
			    "\"stolen.csv\",\"line\":%u,\"entry\":\"%s\","
			    "\"category\":\"stolen-vehicle\",\"match\":\"exact\","
			    "\"matched\":\"%s\"}]", below(5000) + 2, plate, plate);
		printf("}\n");
	}
	alpr_fshut(stdout, "<stdout>");
	return 0;
}
