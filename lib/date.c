/* date.c: the dates of hotlist entries, as lists and spreadsheets write them. */
#include <ctype.h>
#include <string.h>

#include "alpr.h"

static int
num(const char **s, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)**s))
			return -1;
		v = v * 10 + *(*s)++ - '0';
	}
	*out = v;
	return 0;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return n[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 || y % 400 == 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
alpr_date_parse(const char *s, int end, int64_t *t)
{
	struct timespec ts;
	int Y, M, D;

	if (strchr(s, 'T') || strchr(s, 't')) {
		if (alpr_time_parse(s, &ts) < 0)
			return -1;
		*t = ts.tv_sec;
		return 0;
	}
	if (strlen(s) == 10 && s[4] == '-') {
		if (num(&s, 4, &Y) || *s++ != '-' || num(&s, 2, &M) ||
		    *s++ != '-' || num(&s, 2, &D))
			return -1;
	} else if (strlen(s) == 10 && s[2] == '/') {
		if (num(&s, 2, &M) || *s++ != '/' || num(&s, 2, &D) ||
		    *s++ != '/' || num(&s, 4, &Y))
			return -1;
	} else if (strlen(s) == 8) {
		if (num(&s, 4, &Y) || num(&s, 2, &M) || num(&s, 2, &D))
			return -1;
	} else
		return -1;
	if (Y < 1900 || M < 1 || M > 12 || D < 1 || D > mdays(Y, M))
		return -1;
	*t = days(Y, M, D) * 86400 + (end ? 86400 : 0);
	return 0;
}
