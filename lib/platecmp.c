/*
 * platecmp.c: comparing plate strings the way OCR gets them wrong: the
 * confusion classes (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G), wildcards (? one
 * character, * any run, the empty one included) and a bounded edit
 * distance.
 */
#include <pthread.h>
#include <string.h>

#include "alpr.h"

static unsigned char foldmap[256];
static pthread_once_t foldonce = PTHREAD_ONCE_INIT;

static void
fold_make(void)
{
	static const char *cls[] = { "0ODQ", "1I", "2Z", "5S", "8B", "6G" };
	const char *p;
	size_t i;

	for (i = 0; i < 256; i++)
		foldmap[i] = i;
	for (i = 0; i < sizeof cls / sizeof *cls; i++)
		for (p = cls[i]; *p; p++)
			foldmap[(unsigned char)*p] = cls[i][0];
}

/* once, whichever thread comes first (a search's workers fold plates) */
static void
fold_init(void)
{
	pthread_once(&foldonce, fold_make);
}

int
alpr_fold_char(int c)
{
	fold_init();
	return foldmap[(unsigned char)c];
}

size_t
alpr_fold_plate(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	fold_init();
	for (; *s && n + 1 < cap; s++)
		out[n++] = foldmap[(unsigned char)*s];
	out[n] = '\0';
	return n;
}

int
alpr_is_pattern(const char *p)
{
	return strpbrk(p, "?*") != NULL;
}

int
alpr_glob_given(const char *p)
{
	int n = 0;

	for (; *p; p++)
		n += *p != '?' && *p != '*';
	return n;
}

int
alpr_glob_narrow(const char *p)
{
	size_t i, n = strlen(p);

	if (alpr_glob_given(p) < 3)
		return 0;
	if (!strchr("?*", p[0]) || !strchr("?*", p[n - 1]))
		return 1;		/* one at the start or the end */
	for (i = 0; i + 1 < n; i++)
		if (!strchr("?*", p[i]) && !strchr("?*", p[i + 1]))
			return 1;
	return 0;
}

int
alpr_glob(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			back = s;
		} else if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++back;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return !*p;
}

int
alpr_edit_distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
	int d[2][ALPR_PLATE_MAX + 2], *prev = d[0], *cur = d[1], *t;
	size_t i, j;
	int lo, v;

	if (na > ALPR_PLATE_MAX || nb > ALPR_PLATE_MAX)
		return max + 1;
	if ((na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++) {
		cur[0] = i;
		lo = cur[0];
		for (j = 1; j <= nb; j++) {
			v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			cur[j] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max)
			return max + 1;
		t = prev, prev = cur, cur = t;
	}
	return prev[nb] <= max ? prev[nb] : max + 1;
}

int
alpr_plate_near(const char *a, const char *b, int maxdiff)
{
	char fa[ALPR_PLATE_MAX + 1], fb[ALPR_PLATE_MAX + 1];
	size_t na = strlen(a), nb = strlen(b);

	if (na > ALPR_PLATE_MAX || nb > ALPR_PLATE_MAX)
		return 0;
	alpr_fold_plate(a, fa, sizeof fa);
	alpr_fold_plate(b, fb, sizeof fb);
	return alpr_edit_distance(fa, na, fb, nb, maxdiff) <= maxdiff;
}
