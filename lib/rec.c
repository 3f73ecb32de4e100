/* rec.c: reading and writing NDJSON records (alpr-records(5)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

void
alpr_reader_init(struct alpr_reader *r, FILE *f, const char *name)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	r->name = name && strcmp(name, "-") ? name : "<stdin>";
}

void
alpr_reader_free(struct alpr_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

void
alpr_rec_fail(const struct alpr_reader *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%lu: ", alpr_progname, r->name, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (alpr_status < ALPR_EXIT_FAIL)
		alpr_status = ALPR_EXIT_FAIL;
}

const char *
alpr_record_check(json_t *rec)
{
	json_t *v;

	if (!json_is_object(rec))
		return "record is not a JSON object";
	if (!json_is_string(json_object_get(rec, "type")))
		return "record has no \"type\" string";
	v = json_object_get(rec, "v");
	if (!json_is_integer(v))
		return "record has no integer \"v\" (format version)";
	if (json_integer_value(v) < 1 ||
	    json_integer_value(v) > ALPR_RECORD_VERSION)
		return "record format version not supported";
	return NULL;
}

/*
 * The next line in r->buf, NUL-terminated, with its newline if it has one;
 * its length, or -1 at the end. A line longer than ALPR_RECORD_MAX is read
 * to its end but not kept: ALPR_RECORD_MAX + 1 is returned.
 */
static ssize_t
get_line(struct alpr_reader *r)
{
	size_t n = 0;
	int c = EOF, over = 0;

	flockfile(r->f);
	while ((c = getc_unlocked(r->f)) != EOF) {
		if (n + 2 > r->cap) {
			if (r->cap > ALPR_RECORD_MAX) {
				over = 1;
				n = 0;
			} else {
				r->cap = r->cap ? r->cap * 2 : 4096;
				r->buf = alpr_realloc(r->buf, r->cap);
			}
		}
		r->buf[n++] = c;
		if (c == '\n')
			break;
	}
	funlockfile(r->f);
	if (c == EOF && ferror(r->f))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:", r->name);
	if (c == EOF && n == 0 && !over)
		return -1;
	r->buf[n] = '\0';
	return over ? ALPR_RECORD_MAX + 1 : (ssize_t)n;
}

int
alpr_parse_record(const struct alpr_reader *r, const char *line, size_t n,
    json_t **rec)
{
	json_error_t err;
	const char *msg;
	json_t *j;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;	/* blank lines carry no record */
	j = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		alpr_rec_fail(r, "bad JSON at column %d: %s", err.column,
		    err.text);
		return 0;
	}
	if ((msg = alpr_record_check(j))) {
		alpr_rec_fail(r, "%s", msg);
		json_decref(j);
		return 0;
	}
	*rec = j;
	return 1;
}

int
alpr_read_record(struct alpr_reader *r, json_t **rec)
{
	ssize_t n;

	for (;;) {
		if ((n = get_line(r)) < 0)
			return 0;
		r->line++;
		if (n > ALPR_RECORD_MAX) {
			alpr_rec_fail(r, "line longer than %d bytes: skipped",
			    ALPR_RECORD_MAX);
			continue;
		}
		if (alpr_parse_record(r, r->buf, n, rec))
			return 1;
	}
}

void
alpr_write_record(FILE *out, json_t *rec)
{
	if (json_dumpf(rec, out, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(15)) != 0 ||
	    fputc('\n', out) == EOF || fflush(out) == EOF)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to write record:");
}

const char *
alpr_rec_str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

double
alpr_rec_num(json_t *rec, const char *key, double def)
{
	json_t *v = json_object_get(rec, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

int
alpr_rec_files(int argc, char **argv, alpr_file_fn fn)
{
	FILE *f;
	int i;

	if (argc == 0) {
		if (isatty(0))
			return -1;
		fn(stdin, "-");
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			fn(stdin, "-");
			continue;
		}
		if (!(f = fopen(argv[i], "r"))) {
			alpr_fail_sys("unable to open %s:", argv[i]);
			continue;
		}
		fn(f, argv[i]);
		fclose(f);
	}
	return 0;
}
