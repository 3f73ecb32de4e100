/*
 * terms.c: the index terms of a read, and the places near a point.
 *
 * A read is indexed under each distinct folded string among its
 * plate and candidates (exact searches, confusions folded: 0/O/D/Q, 1/I,
 * 2/Z, 5/S, 8/B, 6/G), each bigram of its folded plate between the
 * anchors ^ and $ (patterns and fuzzy searches), its camera, the cells of
 * its position at two sizes, and whether it has hotlist hits.
 *
 * Cells are a grid of latitude and longitude: 0.01 degree (about 1.1 km
 * north-south) and 0.2 degree (about 22 km). A --near search looks in the
 * cells that cover the circle's bounding box at the finer size when at
 * most 64 do, else at the coarser, then measures each read's distance.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store.h"

#define FINE 0.01
#define COARSE 0.2
#define EARTH_R 6371008.8	/* mean radius, metres */

void
st_terms_add(struct st_terms *t, int kind, const char *s, size_t n)
{
	int i;

	if (n >= sizeof t->term[0])
		n = sizeof t->term[0] - 1;
	for (i = 0; i < t->n; i++)
		if (t->kind[i] == kind && t->len[i] == n && (n == 0 ||
		    t->term[i][0] == s[0]) && !memcmp(t->term[i], s, n))
			return;
	if (t->n == ST_MAXTERMS)
		return;
	t->kind[t->n] = kind;
	t->len[t->n] = n;
	memcpy(t->term[t->n], s, n);
	t->term[t->n][n] = '\0';
	t->n++;
}

void
st_terms_grams(struct st_terms *t, const char *folded)
{
	char pad[ALPR_PLATE_MAX + 3];
	size_t n = strlen(folded), i;

	if (n > ALPR_PLATE_MAX)
		n = ALPR_PLATE_MAX;
	pad[0] = '^';
	memcpy(pad + 1, folded, n);
	pad[n + 1] = '$';
	for (i = 0; i + 1 < n + 2; i++)
		st_terms_add(t, T_GRAM, pad + i, 2);
}

static char *
putl(char *p, long v)
{
	char d[24];
	int n = 0;

	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	do
		d[n++] = '0' + v % 10;
	while ((v /= 10) > 0);
	while (n > 0)
		*p++ = d[--n];
	return p;
}

/* "Y,X": the cell's row and column (snprintf took 3% of an ingest) */
static void
cell(char out[32], double size, double lat, double lon)
{
	char *p = putl(out, (long)floor(lat / size));

	*p++ = ',';
	*putl(p, (long)floor(lon / size)) = '\0';
}

void
st_terms_geo(struct st_terms *t, double lat, double lon)
{
	char c[32];

	cell(c, FINE, lat, lon);
	st_terms_add(t, T_GEO1, c, strlen(c));
	cell(c, COARSE, lat, lon);
	st_terms_add(t, T_GEO2, c, strlen(c));
}

int
st_geo_cover(int kind, double lat, double lon, double r, char (*cells)[32],
    int max)
{
	double size = kind == T_GEO1 ? FINE : COARSE;
	double dlat = r / EARTH_R * 180 / M_PI, c = cos(lat * M_PI / 180);
	double dlon = c > 0.01 ? dlat / c : 360;
	long y0, y1, x0, x1, y, x;
	int n = 0;

	y0 = floor((lat - dlat) / size);
	y1 = floor((lat + dlat) / size);
	if (dlon >= 180) {
		x0 = floor(-180 / size);
		x1 = floor(180 / size);
	} else {
		x0 = floor((lon - dlon) / size);
		x1 = floor((lon + dlon) / size);
	}
	if ((y1 - y0 + 1) * (x1 - x0 + 1) > max)
		return -1;
	for (y = y0; y <= y1; y++)
		for (x = x0; x <= x1; x++) {
			/* a box across the antimeridian wraps round */
			long wx = x;
			double lo = x * size;
			if (lo < -180)
				wx = floor((lo + 360) / size);
			else if (lo >= 180)
				wx = floor((lo - 360) / size);
			snprintf(cells[n++], 32, "%ld,%ld", y, wx);
		}
	return n;
}

double
st_geo_dist(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) +
	    cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 2 * EARTH_R * asin(sqrt(a < 1 ? a : 1));
}
