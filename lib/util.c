/* util.c: program name, die/warn, checked allocation, progress, output
 * shutdown, numbers and settings lines. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

const char *alpr_progname = "alpr";
int alpr_status = ALPR_EXIT_OK;

void
alpr_setprogname(const char *argv0)
{
	const char *p = argv0 ? strrchr(argv0, '/') : NULL;

	alpr_progname = p ? p + 1 : argv0 ? argv0 : "alpr";
}

const char *
alpr_strerror(int e)
{
	if (e == ALPR_ENOTREG)
		return "Not a regular file";
	return strerror(e);
}

void
alpr_vwarn(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	flockfile(stderr);	/* one line, whichever thread says it */
	fprintf(stderr, "%s: ", alpr_progname);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", alpr_strerror(saved));
	fputc('\n', stderr);
	funlockfile(stderr);
	errno = saved;
}

void
alpr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	alpr_vwarn(fmt, ap);
	va_end(ap);
}

static void
vfail(int status, const char *fmt, va_list ap)
{
	flockfile(stderr);	/* and guards alpr_status */
	alpr_vwarn(fmt, ap);
	alpr_status_raise(status);
	funlockfile(stderr);
}

void
alpr_status_raise(int status)
{
	flockfile(stderr);	/* recursive: vfail holds it already */
	if (alpr_status < status)
		alpr_status = status;
	funlockfile(stderr);
}

void
alpr_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ALPR_EXIT_FAIL, fmt, ap);
	va_end(ap);
}

void
alpr_fail_sys(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ALPR_EXIT_SYS, fmt, ap);
	va_end(ap);
}

void
alpr_fail_file(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vfail(e == ALPR_ENOTREG || e == EISDIR || e == EFBIG ?
	    ALPR_EXIT_FAIL : ALPR_EXIT_SYS, fmt, ap);
	va_end(ap);
}

void
alpr_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	alpr_vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void *
alpr_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	return p;
}

void *
alpr_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	return p;
}

void *
alpr_realloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	return p;
}

char *
alpr_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(alpr_malloc(n), s, n);
}

int
alpr_exit_status(int r)
{
	return r == 0 ? ALPR_EXIT_OK : r > 0 ? ALPR_EXIT_FAIL : ALPR_EXIT_SYS;
}

void
alpr_progress_start(struct alpr_progress *p, int want)
{
	p->on = want && isatty(2);
	p->shown = 0;
}

void
alpr_progress(struct alpr_progress *p, int end, const char *fmt, ...)
{
	va_list ap;
	time_t now;

	if (!p->on || (now = time(NULL), !end && now == p->shown))
		return;
	p->shown = now;
	fprintf(stderr, "\r%s: ", alpr_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (end)
		fputc('\n', stderr);
}

void
alpr_fshut(FILE *f, const char *name)
{
	int bad = fflush(f) != 0 || ferror(f);

	if (fclose(f) != 0)
		bad = 1;
	if (bad)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write %s:", name);
}

long
alpr_strtonum(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		alpr_die(ALPR_EXIT_USAGE, "bad %s '%s': want a whole number "
		    "from %ld to %ld", what, s, min, max);
	return v;
}

double
alpr_strtod(const char *s, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > max)
		alpr_die(ALPR_EXIT_USAGE, "bad %s '%s': want a number "
		    "from %g to %g", what, s, min, max);
	return v;
}

int
alpr_intcmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

const char alpr_help[] = "help";

void
alpr_usage(const char *why, const char *synopsis)
{
	FILE *f = why == ALPR_HELP ? stdout : stderr;

	if (why && why != ALPR_HELP)
		fprintf(stderr, "%s: %s\n", alpr_progname, why);
	fprintf(f, "usage: %s %s\n", alpr_progname, synopsis);
	if (why == ALPR_HELP) {
		alpr_fshut(stdout, "<stdout>");
		exit(ALPR_EXIT_OK);
	}
	exit(ALPR_EXIT_USAGE);
}

#define OPT_VERSION 0x100

int
alpr_getopt(int argc, char **argv, const char *optstring,
    const struct option *lo, void (*usage)(const char *))
{
	static const char *lastopts;
	static const struct option *lastlo;
	static char *opts;
	static struct option *all;
	size_t n = 0;
	int c;

	if (optstring != lastopts || lo != lastlo || !opts) {
		free(opts);
		free(all);
		if (asprintf(&opts, "%sh", optstring) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
		while (lo && lo[n].name)
			n++;
		all = alpr_calloc(n + 3, sizeof *all);
		if (n)
			memcpy(all, lo, n * sizeof *all);
		all[n] = (struct option){ "help", no_argument, NULL, 'h' };
		all[n + 1] = (struct option){ "version", no_argument, NULL,
		    OPT_VERSION };
		lastopts = optstring;
		lastlo = lo;
	}
	switch ((c = getopt_long(argc, argv, opts, all, NULL))) {
	case 'h':
		usage(ALPR_HELP);
		exit(ALPR_EXIT_OK);	/* usage does not return */
	case OPT_VERSION:
		printf("%s %s\n", alpr_progname, ALPR_VERSION);
		alpr_fshut(stdout, "<stdout>");
		exit(ALPR_EXIT_OK);
	case '?':
	case ':':
		usage(NULL);
		exit(ALPR_EXIT_USAGE);
	}
	return c;
}

void
alpr_no_operands(int argc, char **argv, const char *why,
    void (*usage)(const char *why))
{
	while (alpr_getopt(argc, argv, "", NULL, usage) != -1)
		usage(NULL);
	if (optind != argc)
		usage(why);
}

char *
alpr_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
alpr_setting_line(char *line, char **name, char **value)
{
	char *eq;

	line = alpr_trim(line);
	if (!*line || *line == '#')
		return 0;
	if (!(eq = strchr(line, '=')))
		return -1;
	*eq = '\0';
	*name = alpr_trim(line);
	*value = alpr_trim(eq + 1);
	return 1;
}
