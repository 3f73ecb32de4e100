/*
 * calib.c: a read's confidence as the probability that it is right.
 *
 * The decoder's confidence (plate.c) is the geometric mean of its
 * characters' probabilities: it ranks candidates, but a read at 80 is
 * right far less often than 8 times in 10. A calibration file, fitted by
 * scripts/fit-calibration for one glyph model on the tuning half of the
 * bench and the held-out training plates, maps it to a probability with a
 * logistic function of the candidate's confidence r, its logarithm, and
 * its lead over the best other candidate of the read, d (both 0 to 100),
 * of f, 1 when the read's best string matches no plate format (the
 * decoder's penalty for that has lowered its r) and 0 when it does, and of
 * s, how many characters the read's best string has fewer than 6 (0 to
 * 2: a read of 4 or 5 characters has more often lost one to the frame or
 * a neighbour than a read of 6), and of t, 1 when that string has 3
 * characters or fewer (none of the 25 such reads of the held-out training
 * plates was right: a plate's half lost, 697 for 697BBM, 920 for LJK920):
 *
 *	p = 1 / (1 + exp(-(w0 + w1 r / 100 + w2 d / 100 +
 *	    w3 ln(max(r / 100, 0.01)) + w4 f + w5 s + w6 t)))
 *
 * f, s and t are the read's, the same for all its candidates, so that, with
 * the weights fit-calibration allows (w2 >= 0, w1 + w3 / x >= 0 for x from
 * 0.01 to 1), the order of the candidates never changes.
 *
 * alpr-ocr uses the file beside the model, NAME.cal for NAME.model. The
 * file: '#' comments, then the lines
 *	model	SHA-256 of the glyph model it was fitted for, hex
 *	logistic	w0 w1 w2 [w3 w4 [w5 [w6]]]	(0 those not given)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

#define NW	7

struct alpr_calib {
	double w[NW];
};

static int
weights_finite(const struct alpr_calib *cb)
{
	int i;

	for (i = 0; i < NW; i++)
		if (!isfinite(cb->w[i]))
			return 0;
	return 1;
}

struct alpr_calib *
alpr_calib_load(const char *path, const char *model, char *err, size_t errlen)
{
	char line[256], hex[ALPR_SHA256_HEX], want[ALPR_SHA256_HEX] = "", *p;
	struct alpr_calib cb;
	unsigned char *m;
	size_t n;
	unsigned long ln = 0;
	int have = 0, k, nw;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		ln++;
		if ((p = strchr(line, '#')))
			*p = '\0';
		if (sscanf(line, " %64s", hex) != 1)
			continue;
		if (!strcmp(hex, "model") &&
		    sscanf(line, " model %64s %n", want, &k) == 1 && !line[k] &&
		    strlen(want) == 64)
			continue;
		memset(&cb, 0, sizeof cb);
		if (!strcmp(hex, "logistic") && ((nw = sscanf(line,
		    " logistic %lf %lf %lf %n%lf %lf %n%lf %n%lf %n", &cb.w[0],
		    &cb.w[1], &cb.w[2], &k, &cb.w[3], &cb.w[4], &k,
		    &cb.w[5], &k, &cb.w[6], &k)) == 3 || nw == 5 || nw == 6 ||
		    nw == 7) && !line[k] &&
		    weights_finite(&cb)) {
			have = 1;
			continue;
		}
		snprintf(err, errlen, "%s:%lu: want \"model SHA256\" or "
		    "\"logistic W0 W1 W2 [W3 W4 [W5 [W6]]]\"", path, ln);
		fclose(f);
		return NULL;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (!have || !want[0]) {
		snprintf(err, errlen, "%s: no model or no logistic line", path);
		return NULL;
	}
	if (alpr_read_file(model, &m, &n) < 0) {
		snprintf(err, errlen, "%s: %s", model, strerror(errno));
		return NULL;
	}
	alpr_sha256_hex(m, n, hex);
	free(m);
	if (strcmp(hex, want)) {
		snprintf(err, errlen, "%s: fitted for another model than %s",
		    path, model);
		return NULL;
	}
	return memcpy(alpr_malloc(sizeof cb), &cb, sizeof cb);
}

void
alpr_calib_free(struct alpr_calib *cb)
{
	free(cb);
}

/* The probability that a candidate of decoder confidence r is right, the
 * best other candidate of its read at other (0 to 100 both); nofmt when
 * the read's best string matches no format, few its characters fewer
 * than 6 (0 to 2), tiny when it has 3 or fewer. */
static double
prob(const struct alpr_calib *cb, double r, double other, int nofmt,
    int few, int tiny)
{
	return 1 / (1 + exp(-(cb->w[0] + cb->w[1] * r / 100 +
	    cb->w[2] * (r - other) / 100 + cb->w[3] * log(fmax(r / 100, 0.01)) +
	    cb->w[4] * nofmt + cb->w[5] * few + cb->w[6] * tiny)));
}

void
alpr_calib_apply(const struct alpr_calib *cb, struct alpr_cand *c, int n)
{
	double r1 = n > 0 ? c[0].conf : 0, r2 = n > 1 ? c[1].conf : 0;
	int i, nofmt = n > 0 && !c[0].region[0], few = 0, tiny = 0;

	if (n > 0) {
		few = 6 - (int)strlen(c[0].plate);
		tiny = few >= 3;
	}
	if (few > 2)
		few = 2;
	if (few < 0)
		few = 0;
	for (i = 0; i < n; i++)
		c[i].conf = 100 * prob(cb, c[i].conf, i ? r1 : r2, nofmt,
		    few, tiny);
}

struct alpr_calib *
alpr_calib_beside(const char *model, char *err, size_t errlen)
{
	struct alpr_calib *cb;
	size_t n = strlen(model);
	char *path;

	*err = '\0';
	if (n < 6 || strcmp(model + n - 6, ".model"))
		return NULL;
	path = alpr_malloc(n);
	memcpy(path, model, n - 6);
	strcpy(path + n - 6, ".cal");
	cb = access(path, F_OK) == 0 ?
	    alpr_calib_load(path, model, err, errlen) : NULL;
	free(path);
	return cb;
}
