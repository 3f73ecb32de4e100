/*
 * alpr.h: the one header of libalpr. Every public name starts with alpr_.
 * Sections are named after the file that implements them.
 */
#ifndef ALPR_H
#define ALPR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

/* Exit statuses, the same for every command (see alpr(7) EXIT STATUS). */
enum {
	ALPR_EXIT_OK = 0,	/* success */
	ALPR_EXIT_FAIL = 1,	/* a negative answer, or some input rejected */
	ALPR_EXIT_USAGE = 2,	/* bad command line */
	ALPR_EXIT_SYS = 3,	/* system error: I/O, memory, a library failed */
};

#define ALPR_RECORD_VERSION 1

/* util.c: program name, die/warn, checked allocation, output shutdown. */
extern const char *alpr_progname;
extern int alpr_status;		/* exit status accumulated by alpr_fail */
void alpr_setprogname(const char *argv0);
/* A format ending in ':' gets ": strerror(errno)" appended. */
void alpr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* alpr_warn, and the exit status becomes at least ALPR_EXIT_FAIL. */
void alpr_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void alpr_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void alpr_vwarn(const char *fmt, va_list ap);
void *alpr_malloc(size_t n);
void *alpr_calloc(size_t n, size_t size);
void *alpr_realloc(void *p, size_t n);
char *alpr_strdup(const char *s);
/* Flush and close f; die with ALPR_EXIT_SYS on a write error. */
void alpr_fshut(FILE *f, const char *name);
/* Parse a number; die with usage status naming the option on failure. */
long alpr_strtonum(const char *s, long min, long max, const char *what);
double alpr_strtod(const char *s, double min, double max, const char *what);

/* rec.c: NDJSON records (alpr-records(5)). */
struct alpr_reader {
	FILE *f;
	const char *name;	/* file name for messages, "-" is <stdin> */
	unsigned long line;	/* line number of the last line read */
	char *buf;
	size_t cap;
};
void alpr_reader_init(struct alpr_reader *r, FILE *f, const char *name);
void alpr_reader_free(struct alpr_reader *r);
/*
 * Read the next record. Returns 1 and a new reference in *rec, 0 at end of
 * input. A line that is not a valid record is reported as
 * "prog: file:line: what is wrong", marks the exit status, and is skipped.
 * A read error dies.
 */
int alpr_read_record(struct alpr_reader *r, json_t **rec);
/* Check a record's type and version; on error returns a static message. */
const char *alpr_record_check(json_t *rec);
/* Write one record, compact, on one line, and flush (filters stream). */
void alpr_write_record(FILE *out, json_t *rec);
/* Report a record-level failure as "prog: file:line: msg" and mark status. */
void alpr_rec_fail(const struct alpr_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Getters that accept only the right JSON type; NULL/def when absent. */
const char *alpr_rec_str(json_t *rec, const char *key);
double alpr_rec_num(json_t *rec, const char *key, double def);

/* items.c: inputs from arguments, or one per line on stdin. */
typedef int (*alpr_item_fn)(const char *item, void *arg);
/*
 * Call fn for each argument, or, with no arguments and stdin not a
 * terminal, for each non-empty line of stdin. Returns -1 when there was
 * nothing to read (the caller prints usage), else 0.
 */
int alpr_items(int argc, char **argv, alpr_item_fn fn, void *arg);

/* hash.c: SHA-256 through libsodium. */
#define ALPR_SHA256_HEX 65	/* 64 hex digits and NUL */
void alpr_sha256_hex(const void *p, size_t n, char hex[ALPR_SHA256_HEX]);
/* SHA-256 of a whole file, hex; -1 with errno on error. */
int alpr_sha256_file(const char *path, char hex[ALPR_SHA256_HEX]);
/* Initialise libsodium; dies on failure. Safe to call more than once. */
void alpr_crypto_init(void);

/* time.c: RFC 3339 UTC times to the centisecond. */
#define ALPR_TIME_LEN 32
/* "2026-11-22T09:57:07.12Z" */
void alpr_time_fmt(const struct timespec *ts, char buf[ALPR_TIME_LEN]);
void alpr_time_now(char buf[ALPR_TIME_LEN]);
/* Parse RFC 3339 (any offset, optional fraction); -1 on error. */
int alpr_time_parse(const char *s, struct timespec *ts);

/* data.c: data files (patterns, models) installed under share/alpr. */
/*
 * Find NAME: $ALPR_DATADIR/NAME, then ../share/alpr/NAME beside the running
 * program (the build tree and an installed tree alike), then the compiled-in
 * data directory. Returns a malloc'd path, or NULL when not found.
 */
char *alpr_datafile(const char *name);

/* fsutil.c: files written whole or not at all. */
/* Write n bytes to path atomically: temp file, fsync, rename, fsync dir. */
int alpr_write_atomic(const char *path, const void *p, size_t n);
/* mkdir -p; 0 or -1 with errno. */
int alpr_mkdirs(const char *path, int mode);
/* Read a whole file into a malloc'd buffer; -1 with errno on error. */
int alpr_read_file(const char *path, unsigned char **p, size_t *n);

/*
 * A plate line read as per-position alternatives. Both recognition engines
 * (Tesseract in ocr.c, the trained glyph classifier in glyph.c) produce
 * this; plate.c decodes it into ranked candidate strings with plate formats.
 */
#define ALPR_MAX_CHARS 12
#define ALPR_MAX_ALTS 4
struct alpr_glyph {
	int box[4];			/* x, y, w, h in the crop */
	int nalt;			/* alternatives, best first */
	char ch[ALPR_MAX_ALTS];		/* upper case letters and digits */
	float p[ALPR_MAX_ALTS];		/* probability of each, 0..1 */
};
struct alpr_chars {
	int n;
	struct alpr_glyph g[ALPR_MAX_CHARS];
};

/* spool.c: the content-addressed frame spool, DIR/ab/abcdef... by SHA-256. */
/* The spool directory: opt, else $ALPR_SPOOL, else ~/.local/share/alpr/spool. */
const char *alpr_spool_dir(const char *opt);
/* Malloc'd path of the frame with hash hex in spool dir. */
char *alpr_spool_path(const char *dir, const char *hex);
/* Store n bytes under their SHA-256 (written atomically, kept if present);
 * fills hex. 0, or -1 with errno. */
int alpr_spool_put(const char *dir, const void *p, size_t n,
    char hex[ALPR_SHA256_HEX]);

/* image.c: decoding frames into Leptonica images. */
struct Pix;
enum { ALPR_IMG_NONE, ALPR_IMG_JPEG, ALPR_IMG_PNG };
/* The kind of image by its magic number, and its size from the header
 * without decoding. Returns the kind, ALPR_IMG_NONE if not an image. */
int alpr_image_info(const unsigned char *p, size_t n, int *w, int *h);
/*
 * Decode a JPEG (libjpeg-turbo, strictly: a truncated or corrupt stream is
 * an error) or PNG. denom 1, 2, 4 or 8 scales a JPEG down in the DCT (fast);
 * a PNG is decoded at full size and reduced to match. gray gives 8 bpp.
 * NULL with a message in err on failure.
 */
struct Pix *alpr_image_decode(const unsigned char *p, size_t n, int denom,
    int gray, char *err, size_t errlen);
/* The pixels of a frame record: the spool copy named by "image", else the
 * file named by "src". NULL with a message in err on failure. */
struct Pix *alpr_frame_pix(json_t *frame, const char *spool, int denom,
    int gray, char *err, size_t errlen);

#endif
