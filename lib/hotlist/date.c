/* date.c: the dates of hotlist entries, as lists and spreadsheets write them. */
#include <ctype.h>
#include <string.h>

#include "alpr.h"

/* A number of lo to hi digits. */
static int
num(const char **s, int lo, int hi, int *out)
{
	int v = 0, n = 0;

	while (n < hi && isdigit((unsigned char)**s)) {
		v = v * 10 + *(*s)++ - '0';
		n++;
	}
	*out = v;
	return n >= lo && !isdigit((unsigned char)**s) ? 0 : -1;
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

static int
val(const char *p, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + *p++ - '0';
	return v;
}

/* The date at *s: YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or M/D/YYYY. */
static int
date(const char **s, int *Y, int *M, int *D)
{
	const char *p = *s;
	size_t n = strspn(p, "0123456789");
	char sep;

	if (n == 8) {
		*Y = val(p, 4);
		*M = val(p + 4, 2);
		*D = val(p + 6, 2);
		p += 8;
	} else if (n == 4) {
		*Y = val(p, 4);
		p += 4;
		if ((sep = *p++) != '-' && sep != '/')
			return -1;
		if (num(&p, 1, 2, M) < 0 || *p++ != sep ||
		    num(&p, 1, 2, D) < 0)
			return -1;
	} else if (num(&p, 1, 2, M) < 0 || *p++ != '/' ||
	    num(&p, 1, 2, D) < 0 || *p++ != '/' || num(&p, 4, 4, Y) < 0)
		return -1;
	*s = p;
	return 0;
}

/*
 * The time of day at *s, after the date: [ T]H:MM[:SS[.frac]], then
 * perhaps AM or PM, then perhaps Z or an offset +HH:MM; in seconds from
 * UTC midnight in *sec.
 */
static int
timeofday(const char **s, int64_t *sec)
{
	const char *p = *s;
	int h, m, ss = 0, oh, om, sign;

	if (num(&p, 1, 2, &h) < 0 || *p++ != ':' || num(&p, 2, 2, &m) < 0)
		return -1;
	if (*p == ':' && (p++, num(&p, 2, 2, &ss) < 0))
		return -1;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	while (*p == ' ')
		p++;
	if (strchr("AaPp", *p) && *p && (p[1] == 'M' || p[1] == 'm')) {
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (*p == 'P' || *p == 'p' ? 12 : 0);
		p += 2;
	}
	if (h > 23 || m > 59 || ss > 60)
		return -1;
	*sec = h * 3600 + m * 60 + ss;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (num(&p, 2, 2, &oh) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (num(&p, 2, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
		*sec -= sign * (oh * 3600 + om * 60);
	}
	*s = p;
	return 0;
}

int
alpr_date_parse(const char *s, int end, int64_t *t)
{
	int Y, M, D, timed = 0;
	int64_t sec = 0;

	if (date(&s, &Y, &M, &D) < 0)
		return -1;
	if (*s == ' ' || *s == 'T' || *s == 't') {
		while (*++s == ' ')
			;
		if (timeofday(&s, &sec) < 0)
			return -1;
		timed = 1;
	}
	if (*s || Y < 1900 || M < 1 || M > 12 || D < 1 || D > mdays(Y, M))
		return -1;
	*t = days(Y, M, D) * 86400 + sec + (end && !timed ? 86400 : 0);
	return 0;
}
