/*
 * alpr.h: the one header of libalpr. Every public name starts with alpr_.
 * Sections are named after the file under lib/ that implements them.
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

/* The version of alpr: one for every program (--version). */
#define ALPR_VERSION "0.1"

/* util.c: program name, die/warn, checked allocation, progress, output
 * shutdown, numbers and settings lines. */
extern const char *alpr_progname;
extern int alpr_status;		/* exit status accumulated by alpr_fail */
void alpr_setprogname(const char *argv0);
/* A format ending in ':' gets ": strerror(errno)" appended. */
void alpr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* alpr_warn, and the exit status becomes at least ALPR_EXIT_FAIL. */
void alpr_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* alpr_warn, and the exit status becomes ALPR_EXIT_SYS: an input file that
 * cannot be opened or read, for one. The program goes on with the rest. */
void alpr_fail_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit status becomes at least status, for a failure said already. */
void alpr_status_raise(int status);
/* After a failed read of a file: alpr_fail when the file was refused for
 * what it is (errno ALPR_ENOTREG, EISDIR or EFBIG: bad input), else
 * alpr_fail_sys (it could not be read). */
void alpr_fail_file(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void alpr_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void alpr_vwarn(const char *fmt, va_list ap);
/* strerror, and the library's own errno values below. */
#define ALPR_ENOTREG 0x10000	/* not a regular file */
const char *alpr_strerror(int e);
void *alpr_malloc(size_t n);
void *alpr_calloc(size_t n, size_t size);
void *alpr_realloc(void *p, size_t n);
char *alpr_strdup(const char *s);
/* The exit status of a call that returns 0 done, 1 refused, -1 error. */
int alpr_exit_status(int r);
/* Progress of long work on standard error: only when it is a terminal (so
 * cron stays quiet), at most once a second, "\rPROG: text"; end != 0 says
 * it once more, whatever the time, and ends the line. */
struct alpr_progress {
	int on;
	time_t shown;
};
void alpr_progress_start(struct alpr_progress *p, int want);
void alpr_progress(struct alpr_progress *p, int end, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Flush and close f; die with ALPR_EXIT_SYS on a write error. */
void alpr_fshut(FILE *f, const char *name);
/* Parse a number; die with usage status naming the option on failure. */
long alpr_strtonum(const char *s, long min, long max, const char *what);
double alpr_strtod(const char *s, double min, double max, const char *what);
/*
 * One line of a settings file (alpr.conf, the hotlist policy): "name =
 * value", blanks around either ignored, '#' starting a comment line. Cuts
 * line in place: 1 and *name, *value; 0 for a blank or comment line; -1
 * for a line without '='.
 */
int alpr_setting_line(char *line, char **name, char **value);
/* s without the blanks at either end, cut in place. */
char *alpr_trim(char *s);
/*
 * What every program's usage(why) calls: with why ALPR_HELP (-h, --help)
 * "usage: prog SYNOPSIS" on stdout and exit 0; else "prog: why" (unless
 * NULL) and the synopsis on stderr, and exit ALPR_EXIT_USAGE.
 */
extern const char alpr_help[];
#define ALPR_HELP alpr_help
void alpr_usage(const char *why, const char *synopsis)
	__attribute__((noreturn));
/*
 * getopt_long(3) with what every program has besides its own options
 * (optstring, and lo or NULL): -h and --help call usage(ALPR_HELP),
 * --version prints "prog VERSION" and exits 0, and an unknown option or a
 * missing argument calls usage(NULL).
 */
struct option;
int alpr_getopt(int argc, char **argv, const char *optstring,
    const struct option *lo, void (*usage)(const char *why));
/* For a command that takes no options or operands (-h and --help still
 * answer): any operand calls usage(why). */
void alpr_no_operands(int argc, char **argv, const char *why,
    void (*usage)(const char *why));
/* qsort comparison of ints, ascending. */
int alpr_intcmp(const void *a, const void *b);

/* rec.c: NDJSON records (alpr-records(5)). */
#define ALPR_RECORD_MAX (1 << 20)	/* longest record line, bytes */
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
 * input. A line that is not a valid record (or is longer than
 * ALPR_RECORD_MAX) is reported as
 * "prog: file:line: what is wrong", marks the exit status, and is skipped.
 * A read error dies.
 */
int alpr_read_record(struct alpr_reader *r, json_t **rec);
/* The same for one line of n bytes (a newline at its end is ignored) that
 * the caller read itself, counting r->line: 0 for a blank line or one
 * reported as no valid record. */
int alpr_parse_record(const struct alpr_reader *r, const char *line,
    size_t n, json_t **rec);
/* Check a record's type and version; on error returns a static message. */
const char *alpr_record_check(json_t *rec);
/* Write one record, compact, on one line, and flush (filters stream). */
void alpr_write_record(FILE *out, json_t *rec);
/* Report a record-level failure as "prog: file:line: msg" and mark status. */
void alpr_rec_fail(const struct alpr_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Call fn(f, name) for each record file named, "-" being stdin, or for
 * stdin when none is named. A file that cannot be opened is reported and
 * marks the status. Returns -1, having read nothing, when no file is named
 * and stdin is a terminal (the caller prints usage), else 0.
 */
typedef void (*alpr_file_fn)(FILE *f, const char *name);
int alpr_rec_files(int argc, char **argv, alpr_file_fn fn);
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

/* ask.c: questions on the terminal, secrets without echo. */
/* Ask on /dev/tty (echo 0: without echo); 0, or -1 with no terminal. */
int alpr_ask(const char *prompt, int echo, char *buf, size_t n);
/* Line lineno (from 1) of a file, without its newline; 0, or -1. */
int alpr_read_secret(const char *path, int lineno, char *buf, size_t n);

/* hash.c: SHA-256 (libcrypto, the CPU's SHA instructions where there are
 * any), and libsodium's start. */
#define ALPR_HASH 32		/* SHA-256 bytes */
#define ALPR_SHA256_HEX 65	/* 64 hex digits and NUL */
/* SHA-256 of a[0..an) followed by b[0..bn) (b may be NULL when bn is 0). */
void alpr_sha256(unsigned char out[ALPR_HASH], const void *a, size_t an,
    const void *b, size_t bn);
void alpr_sha256_hex(const void *p, size_t n, char hex[ALPR_SHA256_HEX]);
/* Initialise libsodium; dies on failure. Safe to call more than once. */
void alpr_crypto_init(void);

/* time.c: RFC 3339 UTC times to the centisecond. */
#define ALPR_TIME_LEN 32
/* "2026-11-22T09:57:07.12Z" */
void alpr_time_fmt(const struct timespec *ts, char buf[ALPR_TIME_LEN]);
void alpr_time_now(char buf[ALPR_TIME_LEN]);
/* Seconds on the monotonic clock, for intervals. */
double alpr_mono(void);
/* The broken-down time of these fields (month 1 to 12), the rest 0. */
struct tm alpr_tm(int year, int month, int day, int hour, int min, int sec);
/* Compare to the centisecond, as times are written: -1, 0 or 1. */
int alpr_time_cmp(const struct timespec *a, const struct timespec *b);
/* Parse RFC 3339 (any offset, optional fraction); -1 on error. */
int alpr_time_parse(const char *s, struct timespec *ts);
/* Parse s (n bytes, not terminated) only when it is exactly what
 * alpr_time_fmt writes; -1 otherwise. */
int alpr_time_parse_exact(const char *s, size_t n, struct timespec *ts);

/* data.c: data files (patterns, models) installed under share/alpr. */
/*
 * Find NAME: $ALPR_DATADIR/NAME, then ../share/alpr/NAME beside the running
 * program (the build tree and an installed tree alike), then the compiled-in
 * data directory. Returns a malloc'd path, or NULL when not found.
 */
char *alpr_datafile(const char *name);
/* The folder of the running program (malloc'd; dies if unknown). */
char *alpr_self_dir(void);

/* fsutil.c: files written whole or not at all. */
/* Write all n bytes to fd, through short writes and EINTR: 0, or -1. */
int alpr_write_all(int fd, const void *p, size_t n);
/* Write n bytes to path atomically: temp file, fsync, rename, fsync dir;
 * the file's mode is 0644 (less the umask) or mode. */
int alpr_write_atomic(const char *path, const void *p, size_t n);
int alpr_write_atomic_mode(const char *path, const void *p, size_t n,
    int mode);
/* fsync the directory that holds path. */
int alpr_fsync_dir(const char *path);
/* mkdir -p; 0 or -1 with errno. */
int alpr_mkdirs(const char *path, int mode);
/*
 * Read a whole regular file into a malloc'd buffer, two NULs after its n
 * bytes; -1 with errno on error: ALPR_ENOTREG for a FIFO, a device or a
 * socket (never waited on), EISDIR, or EFBIG when it is larger than max
 * bytes (alpr_read_file: ALPR_FILE_MAX). See alpr(7) LIMITS.
 */
#define ALPR_FILE_MAX ((size_t)256 << 20)
int alpr_read_file(const char *path, unsigned char **p, size_t *n);
int alpr_read_file_max(const char *path, unsigned char **p, size_t *n,
    size_t max);
/* "DIR/NAME", malloc'd. */
char *alpr_path(const char *dir, const char *name);

/*
 * A plate line read as per-position alternatives. Both recognition engines
 * (Tesseract in ocr.c, the trained glyph classifier in glyph.c) produce
 * this; plate.c decodes it into ranked candidate strings with plate formats.
 * The glyph engine also gives alternative cuts of the line, boxes that
 * overlap others (the whole of a component beside the pieces it was cut
 * into, another binarisation's box, a box likelier noise than glyph), of
 * which the decoder takes at most one of those that overlap.
 */
#define ALPR_MAX_CHARS 12	/* characters of a plate string */
#define ALPR_MAX_GLYPHS 24	/* positions of a read, cuts included */
#define ALPR_MAX_ALTS 4
enum {
	ALPR_GLYPH_SEG,		/* a glyph of the segmentation */
	ALPR_GLYPH_GUESS,	/* found by glyph.c's window search only: the
				 * decoder may drop it at the cost of its
				 * noise probability, ALPR_GUESS_MINP at least,
				 * without counting it as a skip */
	ALPR_GLYPH_CUT,		/* an alternative cut: free to leave out where
				 * a glyph taken covers it, else a guess */
};
struct alpr_glyph {
	int box[4];			/* x, y, w, h in the crop; w 0: none */
	int nalt;			/* alternatives, best first */
	char ch[ALPR_MAX_ALTS];		/* upper case letters and digits */
	float p[ALPR_MAX_ALTS];		/* probability of each, 0..1 */
	float noise;			/* probability that the box holds no
					 * character; 0: not known */
	int kind;			/* ALPR_GLYPH_SEG, _GUESS or _CUT */
};
#define ALPR_GUESS_MINP 0.3	/* on the bench's tuning half, 0.2 and
					 * 0.5 lose plates' right strings, 0.4
					 * reads as many */
struct alpr_chars {
	int n;
	struct alpr_glyph g[ALPR_MAX_GLYPHS];	/* by the left edge of box */
};

/* capture/spool.c: the content-addressed frame spool, DIR/ab/abcdef... by
 * SHA-256. */
/* The spool directory: opt, else $ALPR_SPOOL, else ~/.local/share/alpr/spool. */
const char *alpr_spool_dir(const char *opt);
/* Malloc'd path of the frame with hash hex in spool dir. */
char *alpr_spool_path(const char *dir, const char *hex);
/* Is s a spool name: 64 lower-case hex digits, as alpr_sha256_hex writes? */
int alpr_spool_name_ok(const char *s);
/* Store n bytes under their SHA-256 (written atomically, kept if present,
 * the file 0600 and the folders it makes 0700); fills hex. 0, or -1 with
 * errno. */
int alpr_spool_put(const char *dir, const void *p, size_t n,
    char hex[ALPR_SHA256_HEX]);

/* recognition/image.c: decoding frames into Leptonica images. */
struct Pix;
/* Frames larger than this many bytes are not read (files and streams). */
#define ALPR_FRAME_MAX ((size_t)64 << 20)
/* Images of more pixels are not decoded: $ALPR_MAX_PIXELS, else this. */
#define ALPR_PIXELS_MAX 50000000LL
long long alpr_max_pixels(void);
enum { ALPR_IMG_NONE, ALPR_IMG_JPEG, ALPR_IMG_PNG };
/* The kind of image by its magic number, and its size from the header
 * without decoding. Returns the kind, ALPR_IMG_NONE if not an image. */
int alpr_image_info(const unsigned char *p, size_t n, int *w, int *h);
/*
 * Decode a JPEG (libjpeg-turbo, strictly: a truncated or corrupt stream is
 * an error) or PNG of at most alpr_max_pixels() pixels. denom 1, 2, 4 or 8
 * scales a JPEG down in the DCT (fast); a PNG is decoded at full size and
 * reduced to match. gray gives 8 bpp.
 * NULL with a message in err on failure.
 */
struct Pix *alpr_image_decode(const unsigned char *p, size_t n, int denom,
    int gray, char *err, size_t errlen);
/* A box of an image (x, y, w, h, clipped to it) at full size, in colour
 * or grey: of a JPEG only the rows and columns needed are decoded. NULL
 * with a message in err. */
struct Pix *alpr_image_region(const unsigned char *p, size_t n, int x, int y,
    int w, int h, int gray, char *err, size_t errlen);
/* Read and decode an image file; NULL with "path: reason" in err. */
struct Pix *alpr_image_load(const char *path, int denom, int gray, char *err,
    size_t errlen);
/* The bytes of a frame record's image (malloc'd): the spool copy named by
 * "image", else the file named by "src". 0, or -1 with a message in err. */
int alpr_frame_bytes(json_t *frame, const char *spool, unsigned char **p,
    size_t *n, char *err, size_t errlen);
/* Those bytes decoded (alpr_image_decode). NULL with a message in err. */
struct Pix *alpr_frame_pix(json_t *frame, const char *spool, int denom,
    int gray, char *err, size_t errlen);

/* recognition/detect.c: plate localisation (alpr-detect(1)). */
struct alpr_detect_opt {
	double minw, maxw;	/* plate width limits, full-frame pixels */
	double roi[4];		/* x, y, w, h in full-frame pixels; w 0: all */
};
struct alpr_region {
	int box[4];		/* x, y, w, h in full-frame pixels */
	double score;		/* higher is more plate-like */
};
/*
 * Find up to max plate candidates in a grey (8 bpp) image that is the frame
 * reduced by scale (2 for a half-size decode), best first. Returns how many
 * were stored in out. A frame given at full size (scale 1) and 1000 pixels
 * wide or more is searched at half size, and at full size for small plates.
 */
int alpr_detect(struct Pix *gray, double scale,
    const struct alpr_detect_opt *o, struct alpr_region *out, int max);

/*
 * prof.c: per-frame stage timing for scripts/bench-recognition. When
 * $ALPR_PROFILE names a file, alpr_prof_end appends a line
 * "stage<TAB>id<TAB>ms" for the CPU time the process spent since
 * alpr_prof_begin, where id is the record's "id"; otherwise both do nothing
 * (one getenv in all). Every stage
 * that handles frames (capture, detect, ocr, ...) calls begin when it starts
 * on a frame and end when that frame's output is written.
 */
void alpr_prof_begin(void);
void alpr_prof_end(json_t *rec, const char *stage);

/* recognition/ocr.c: the Tesseract recognition engine (alpr-ocr(1)). */
struct alpr_ocr;
/*
 * Load Tesseract once: model NULL for English, a language name ("eng"), or
 * the path of a .traineddata file. NULL with a message in err on failure.
 * OMP_THREAD_LIMIT=1 must be in the environment when the process starts
 * (libgomp reads it on load): alpr-ocr re-executes itself to set it.
 */
struct alpr_ocr *alpr_ocr_open(const char *model, char *err, size_t errlen);
void alpr_ocr_close(struct alpr_ocr *o);
/*
 * Read a grey (8 bpp) plate crop into per-position alternatives. Keeps only
 * the character-shaped components on the text line; a crop with too few of
 * them is no plate and is rejected before Tesseract runs. Returns the
 * number of characters (out->n), 0 for no plate.
 */
int alpr_ocr_read(struct alpr_ocr *o, struct Pix *crop8, struct alpr_chars *out);

/* recognition/plate.c: ranked plate strings from per-position alternatives. */
struct alpr_patterns;
/* Load a patterns file (alpr-ocr(1) FILES); NULL with a message on error. */
struct alpr_patterns *alpr_patterns_load(const char *path, char *err,
    size_t errlen);
void alpr_patterns_free(struct alpr_patterns *pt);
struct alpr_cand {
	char plate[ALPR_MAX_CHARS + 1];
	double conf;			/* 0..100 */
	char region[ALPR_MAX_CHARS + 1];/* state, or the mask, or "" */
};
/*
 * Beam search over positions x alternatives, with the confusion classes
 * (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G, 5/B) as penalised extra alternatives, a
 * position dropped at the cost of its noise probability (one at most,
 * guesses aside), at most one of the glyphs that overlap (alternative
 * cuts) and a prior for matching a format of pt (may be NULL).
 * Stores up to max candidates in out, best first; returns how many.
 */
int alpr_plate_decode(const struct alpr_patterns *pt,
    const struct alpr_chars *c, struct alpr_cand *out, int max);
/*
 * Pool the candidates of several reads of one plate (nlists lists, n[i]
 * candidates in lists[i]) into up to max distinct candidates in out, best
 * first. A string's confidence is the mean of the best confidence a read
 * gives it and its mean confidence over all the reads (0 in a read that
 * lacks it), so what several reads agree on comes before one read's guess.
 * Returns how many.
 */
int alpr_plate_merge(const struct alpr_cand *const *lists, const int *n,
    int nlists, struct alpr_cand *out, int max);

/* recognition/calib.c: a read's confidence as the probability that it is
 * right. */
struct alpr_calib;
/*
 * Load a calibration file (scripts/fit-calibration) fitted for the glyph
 * model file model; NULL with a message in err when it cannot be read, is
 * malformed, or was fitted for another model.
 */
struct alpr_calib *alpr_calib_load(const char *path, const char *model,
    char *err, size_t errlen);
/* The calibration file beside the model (NAME.cal for NAME.model): NULL
 * with err "" when there is none, NULL with a message in err when it
 * cannot be used. */
struct alpr_calib *alpr_calib_beside(const char *model, char *err,
    size_t errlen);
void alpr_calib_free(struct alpr_calib *cb);
/* The n candidates of one read (best first): their confidences become
 * probabilities, 0 to 100, in the same order. */
void alpr_calib_apply(const struct alpr_calib *cb, struct alpr_cand *c,
    int n);

/* log/log.c: the signed, append-only access log (alpr-audit(1),
 * alpr-records(5)). */
struct alpr_log;
/* Directory of the log: opt if non-NULL, else $ALPR_LOG, else NULL (no log configured). */
const char *alpr_log_dir(const char *opt);
/* Open the log in dir for appending (it must exist: made by alpr-audit init). NULL with a message already printed (alpr_warn) on failure. */
struct alpr_log *alpr_log_open(const char *dir);
/* Append one access entry. The caller fills the action fields (action, plate/data, purpose, case, reason, count, outcome, any extra fields); the log adds seq, time, user (from $ALPR_USER, else the login name), org and role (from the log's config unless the caller set them). Written and fsync'd before it returns 0; -1 with errno (and nothing happened) on failure, so the caller must not perform the action: among others EMSGSIZE (longer than ALPR_LOG_ENTRY_MAX) and ERANGE (the clock too far ahead, see alpr_log_checkpoint), each with a message printed. */
/* An alert to syslog (authpriv.alert) that the log in dir failed at
 * what, and why (log.c says more); errno is kept. */
void alpr_log_alert(const char *dir, const char *what, const char *why);
int alpr_log_append(struct alpr_log *log, json_t *entry);
void alpr_log_close(struct alpr_log *log);
/* The seconds of the log's key and checkpoint windows (alpr-audit init -w). */
long alpr_log_window(const struct alpr_log *log);
/* Append n entries with one write and one fsync (bulk loads): all or none. */
int alpr_log_append_batch(struct alpr_log *log, json_t **entries, size_t n);
/*
 * Sign a checkpoint of the current tree (and of any empty windows before
 * it); the newest note is returned malloc'd in *note if note is non-NULL.
 * Like an append, it refuses (-1, errno ERANGE, a message printed) when the
 * clock is more than max_ahead seconds past the log's latest time.
 */
int alpr_log_checkpoint(struct alpr_log *log, char **note);
/* The same, accepting such a clock as right: a "clock-jump" entry with
 * reason and the times from and to is logged first. */
int alpr_log_jump(struct alpr_log *log, const char *reason, char **note);
/*
 * The longest entry, in bytes of its line: alpr_log_append refuses a longer
 * one (-1, errno EMSGSIZE, a message printed, nothing logged), and
 * alpr-audit verify reports one. ALPR_LOG_LINE_MAX is only the readers'
 * buffer.
 */
#define ALPR_LOG_ENTRY_MAX 65536
#define ALPR_LOG_LINE_MAX (1 << 20)
#define ALPR_LOG_WINDOW_MIN 60L
#define ALPR_LOG_WINDOW_MAX (366L * 86400)
/* A writer crosses at most this many windows without alpr_log_jump. */
#define ALPR_LOG_AHEAD_WINDOWS 1000
struct alpr_log_config {
	const char *origin;	/* checkpoint origin and key name */
	const char *org, *role;	/* defaults for entries */
	long every;		/* checkpoint every this many entries */
	long window;		/* key and checkpoint window, seconds */
};
/* Make a new log in dir; returns the initial public key (malloc'd), or
 * NULL with a message printed. */
char *alpr_log_init(const char *dir, const struct alpr_log_config *cf);
/* The log's clock: $ALPR_LOG_NOW (RFC 3339, for tests) or the real time. */
void alpr_log_now(struct timespec *ts);
/* Files of a log directory. */
#define ALPR_LOG_ENTRIES "log.ndjson"
#define ALPR_LOG_CHECKPOINTS "checkpoints.ndjson"
#define ALPR_LOG_KEYS "keys.ndjson"
#define ALPR_LOG_CONFIG "config.json"
#define ALPR_LOG_PUBKEY "pubkey"
#define ALPR_LOG_SECRET "secret/key"
#define ALPR_LOG_SECRET_NEXT "secret/next"
#define ALPR_LOG_LOCK "lock"

/* The messages the key chain signs (alpr-records(5) ACCESS LOG ENTRIES):
 * a log-key record of version v (1 or 2; version 1 has no size and root). */
char *alpr_log_genesis_msg(const char *origin, const char *epoch, long window,
    const char *vkey);
char *alpr_log_key_msg(int v, const char *origin, long w, const char *vkey,
    uint64_t size, const char *root);

/* log/merkle.c: RFC 6962/9162 Merkle trees over SHA-256. */
void alpr_merkle_leaf(unsigned char out[ALPR_HASH], const void *p, size_t n);
void alpr_merkle_node(unsigned char out[ALPR_HASH],
    const unsigned char l[ALPR_HASH], const unsigned char r[ALPR_HASH]);
/* Compact range: the root of a growing tree in O(log n) memory. */
struct alpr_merkle {
	uint64_t size;
	int top;
	unsigned char stack[64][ALPR_HASH];
};
void alpr_merkle_init(struct alpr_merkle *m);
void alpr_merkle_push(struct alpr_merkle *m,
    const unsigned char leaf[ALPR_HASH]);
void alpr_merkle_root(const struct alpr_merkle *m,
    unsigned char out[ALPR_HASH]);
void alpr_merkle_range_root(const unsigned char (*leaves)[ALPR_HASH],
    uint64_t n, unsigned char out[ALPR_HASH]);
/* A whole tree's perfect subtrees, built once from the leaf hashes (which
 * it uses, not copies) so that each proof costs O(log^2 n) hashes. */
struct alpr_mtree {
	uint64_t n;
	int nlev;
	unsigned char (*lev[64])[ALPR_HASH];
};
void alpr_mtree_build(struct alpr_mtree *t,
    const unsigned char (*leaves)[ALPR_HASH], uint64_t n);
void alpr_mtree_free(struct alpr_mtree *t);
/* The root of the first n <= t->n leaves, in O(log n). */
void alpr_mtree_root(const struct alpr_mtree *t, uint64_t n,
    unsigned char out[ALPR_HASH]);
/* Proofs within the first t->n leaves; proof has room for 64 hashes;
 * returns the number of hashes. */
size_t alpr_merkle_inclusion(const struct alpr_mtree *t, uint64_t size,
    uint64_t idx, unsigned char (*proof)[ALPR_HASH]);
size_t alpr_merkle_consistency(const struct alpr_mtree *t, uint64_t size1,
    uint64_t size2, unsigned char (*proof)[ALPR_HASH]);
/* Verification (RFC 9162 2.1.3.2, 2.1.4.2): NULL, or what is wrong. */
const char *alpr_merkle_verify_inclusion(uint64_t idx, uint64_t size,
    const unsigned char leaf[ALPR_HASH],
    const unsigned char (*proof)[ALPR_HASH], size_t n,
    const unsigned char *root, size_t rootlen);
const char *alpr_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const unsigned char *root1, size_t len1, const unsigned char *root2,
    size_t len2, const unsigned char (*proof)[ALPR_HASH], size_t n);

/* log/note.c: C2SP signed notes and checkpoints, Ed25519. */
#define ALPR_PK 32
#define ALPR_NOTE_MAXSIG 16
struct alpr_note_sig {
	char *name;
	unsigned char keyid[4];
	unsigned char sig[64];
	size_t len;
};
struct alpr_checkpoint {
	char *origin;
	uint64_t size;
	unsigned char root[ALPR_HASH];
	struct timespec time;	/* the "time" extension line */
	char *text;		/* the whole note, NUL-terminated */
	size_t bodylen;		/* signed part: text[0..bodylen) */
	int nsig;
	struct alpr_note_sig sig[ALPR_NOTE_MAXSIG];
};
void alpr_b64(char *out, size_t max, const void *p, size_t n);
/* Strict, canonical base64 of s[0..len); 0, or -1. */
int alpr_unb64(unsigned char *out, size_t max, const char *s, size_t len,
    size_t *n);
void alpr_note_keyid(unsigned char id[4], const char *name,
    const unsigned char pk[ALPR_PK]);
int alpr_note_name_ok(const char *s, size_t n);
/* Verifier key NAME+KEYID+BASE64(0x01||PK), malloc'd; and its parser. */
char *alpr_note_vkey(const char *name, const unsigned char pk[ALPR_PK]);
const char *alpr_note_vkey_parse(const char *s, char **name,
    unsigned char pk[ALPR_PK]);
/* A verifier key as a command line gives it: the key itself, or a file
 * that holds it (malloc'd; dies when the file cannot be read). */
char *alpr_note_vkey_read(const char *arg);
char *alpr_checkpoint_body(const char *origin, uint64_t size,
    const unsigned char root[ALPR_HASH], const struct timespec *t);
/* Body plus one signature line; sk is libsodium's 64-byte secret key. */
char *alpr_note_sign(const char *body, const char *name,
    const unsigned char *sk);
/* Parse a signed checkpoint strictly: NULL, or what is wrong. */
const char *alpr_checkpoint_parse(const char *text, size_t len,
    struct alpr_checkpoint *c);
/* Does signature i verify as name's with pk? */
int alpr_checkpoint_check(const struct alpr_checkpoint *c, int i,
    const char *name, const unsigned char pk[ALPR_PK]);
void alpr_checkpoint_free(struct alpr_checkpoint *c);

/* capture/capture.c: splitting an MJPEG stream into its JPEG frames. */
/* Called with each whole frame of stream name, numbered seq. */
typedef void (*alpr_mjpeg_fn)(const unsigned char *p, size_t n,
    const char *name, long seq, void *arg);
/*
 * A stream (concatenated JPEGs, or multipart/x-mixed-replace parts) is fed
 * to a splitter as it comes, which calls fn for each frame as soon as it
 * ends. *seq counts frames, good or bad, across streams. A frame cut
 * short and bytes between frames that are not text are reported
 * (alpr_fail) as "name: ...". alpr_mjpeg_end reports what is left
 * unfinished, frees the splitter and returns the frames it passed on.
 */
struct alpr_mjpeg;
struct alpr_mjpeg *alpr_mjpeg_new(const char *name, long *seq,
    alpr_mjpeg_fn fn, void *arg);
void alpr_mjpeg_feed(struct alpr_mjpeg *m, const void *p, size_t n);
long alpr_mjpeg_end(struct alpr_mjpeg *m);
/* Read fd to its end through a splitter; a read error dies. */
void alpr_mjpeg_read(int fd, const char *name, long *seq, alpr_mjpeg_fn fn,
    void *arg);

/* capture/camera.c: a camera's MJPEG stream from a file, a FIFO or a URL. */
struct alpr_camera_opt {
	double stall;		/* seconds without a frame: the camera has
				 * stalled (said; a network stream is
				 * connected again) */
	double giveup;		/* seconds without a frame to give up after;
				 * 0: never */
	const char *cacert;	/* CA certificates for https, or NULL */
};
/*
 * Read the MJPEG stream of src, "-" for standard input, a file or FIFO to
 * its end, or an http:// or https:// URL until it gives up, and call fn
 * for each frame (alpr_mjpeg_new), named src ("<stdin>" for "-": a name
 * that lasts as long as src). Troubles are said on stderr once each
 * time they change; a network stream is connected again after each. 0 at
 * the end of a file (or one that cannot be opened: said, status 3), -1
 * when it gave up (said, status 3).
 */
int alpr_camera_read(const char *src, const struct alpr_camera_opt *o,
    long *seq, alpr_mjpeg_fn fn, void *arg);

/* capture/exif.c: the capture time a camera wrote in EXIF. */
struct alpr_exif {
	char dt[20];		/* DateTimeOriginal "YYYY:MM:DD HH:MM:SS" */
	char subsec[10];	/* SubSecTimeOriginal digits, or "" */
	char offset[8];		/* OffsetTimeOriginal "+HH:MM", or "" */
};
/* Find DateTimeOriginal in a JPEG's APP1 Exif segment or a PNG's eXIf
 * chunk (bounds-checked, both byte orders). 0 when found, else -1. */
int alpr_exif_read(const unsigned char *p, size_t n, struct alpr_exif *ex);
/* The same from a bare TIFF structure (the APP1 body after "Exif\0\0"). */
int alpr_exif_tiff(const unsigned char *p, size_t n, struct alpr_exif *ex);
/* The time in ex; without an offset it is local time (TZ). 0 or -1. */
int alpr_exif_time(const struct alpr_exif *ex, struct timespec *ts);

/* capture/gps.c: the latest position from gpsd through libgps. */
struct alpr_gps;
struct alpr_gpsfix {
	double lat, lon;	/* degrees, WGS 84 */
	struct timespec time;	/* the fix's time, from the receiver; 0 if
				 * it gave none */
	double err;		/* horizontal error estimate, metres (95%);
				 * NAN when not known */
};
/* Connect to gpsd at "host:port" (NULL: localhost:2947) and watch it;
 * wait up to wait_ms for a first fix. A fix is used for maxage_ms after
 * it last changed. Never NULL: when gpsd cannot be reached it warns and
 * tries again later. */
struct alpr_gps *alpr_gps_open(const char *hostport, int wait_ms,
    long maxage_ms);
/* Read what gpsd sent; 1 and the latest fix of mode 2D or better, 0 when
 * there is none or it is too old (warned once each time). */
int alpr_gps_fix(struct alpr_gps *g, struct alpr_gpsfix *fix);
/* Read what gpsd sent without blocking (and reconnect when it is time). */
void alpr_gps_read(struct alpr_gps *g);
/* Take n bytes as read from gpsd: lines of at most 8192 bytes that are JSON
 * objects with a "class" are read (a TPV report's fix through libgps);
 * others are ignored with one warning per connection. */
void alpr_gps_feed(struct alpr_gps *g, const char *p, size_t n);
/* The socket to poll for gpsd's messages, or -1 when not connected. */
int alpr_gps_fd(struct alpr_gps *g);
void alpr_gps_close(struct alpr_gps *g);

/* recognition/segment.c: character segmentation of a grey plate crop. */
#define ALPR_SEG_H 80		/* rows of the normalised crop */
#define ALPR_SEG_MAXW 480	/* widest normalised crop */
#define ALPR_SEG_MAX 16		/* boxes in one candidate */
struct alpr_segimg {		/* the crop scaled to ALPR_SEG_H rows */
	int w, h;
	float scale;		/* normalised / crop pixels */
	float shear;		/* slant taken out: x' = x - shear (y - h/2) */
	unsigned char *px;
};
struct alpr_seg {		/* one candidate segmentation */
	int n;
	int dark;		/* 1: dark glyphs on a light plate */
	int lineh, top, bot;	/* the text line, normalised rows */
	int box[ALPR_SEG_MAX][4];	/* x, y, w, h, left to right */
	int whole[ALPR_SEG_MAX][4];	/* the component a box was cut from */
	int grp[ALPR_SEG_MAX];	/* boxes cut from one component share it */
};
/* Scale an 8 (or any) bpp crop; 0, or -1 when too small or unreadable. */
int alpr_segimg_init(struct Pix *crop, struct alpr_segimg *im);
void alpr_segimg_free(struct alpr_segimg *im);
/* A box of the normalised crop in crop pixels, and back. */
void alpr_segimg_tocrop(const struct alpr_segimg *im, const int nb[4],
    int cb[4]);
void alpr_segimg_fromcrop(const struct alpr_segimg *im, const float cb[4],
    int nb[4]);
/* Up to max distinct candidates (one per binarisation that finds a text
 * line), in normalised coordinates. Returns their number. ALPR_SEG_STRICT
 * keeps only components wholly on the line (no glyphs joined to a frame or
 * artwork, and less clutter). */
#define ALPR_SEG_STRICT 1
int alpr_segment(const struct alpr_segimg *im, struct alpr_seg *seg, int max,
    int flags);

/* recognition/glyph.c: the trained plate-character classifier (model:
 * share/alpr/glyphs.model). */
#define ALPR_GLYPH_GW 20	/* glyph raster, columns */
#define ALPR_GLYPH_GH 32	/* glyph raster, rows */
#define ALPR_GLYPH_NFEAT (ALPR_GLYPH_GW * ALPR_GLYPH_GH + 16 * 8 + 3)
#define ALPR_GLYPH_NOISE '~'	/* the class of things that are no glyph */
struct alpr_glyph_model;
/* NULL with a message (warned) when missing, truncated or corrupt. */
struct alpr_glyph_model *alpr_glyph_load(const char *path);
void alpr_glyph_free(struct alpr_glyph_model *m);
/*
 * Read an 8 bpp grey plate crop (a detection box with some margin, any
 * size) into out: glyph boxes in crop pixels, up to ALPR_MAX_ALTS
 * alternatives each. O and 0, I and 1 are one class: the alternatives give
 * both, split by their training frequency. Returns the number of
 * characters, 0 when no plate line (of at least 3 glyphs) was found.
 */
int alpr_glyph_read(const struct alpr_glyph_model *m, struct Pix *crop,
    struct alpr_chars *out);
/* Features of one box of a normalised crop (for the trainer). */
void alpr_glyph_features(const struct alpr_segimg *im,
    const struct alpr_seg *seg, const int box[4], float *f);
/* The class probabilities of a feature vector. */
void alpr_glyph_prob(const struct alpr_glyph_model *m, const float *f,
    float *p);
/* Whether a training crop (by file name) is in the held-out tenth that
 * the trainer leaves out and the evaluation measures: one rule for both. */
int alpr_glyph_holdout(const char *name);
/* Write a network of a model: which of how many networks it is (a
 * model's networks are its files one after the other, in order), layer
 * sizes, classes, input mean/sd, weights. 0, or -1 with errno. */
int alpr_glyph_save(const char *path, int index, int count, int nin,
    int nhid, const char *cls, const float *mu, const float *sd,
    const float *w1, const float *b1, const float *w2, const float *b2);

/* hotlist/csv.c: CSV and other delimited text, read in place. */
/* The delimiter of a line: the most frequent of , ; tab | outside quotes,
 * a comma when there is none. */
int alpr_csv_delim(const char *line);
/*
 * Parse the record at *pp, unquoting its fields in place and NUL
 * terminating each; f[] gets up to max of them. Returns the number of
 * fields, or -1 with *err set (the rest of its line is skipped). *pp moves
 * past the record, *lines counts the newlines passed.
 */
int alpr_csv_record(char **pp, int delim, char **f, int max, int *lines,
    const char **err);

/* hotlist/date.c: the dates of hotlist entries, as lists and spreadsheets
 * write them. */
/*
 * A date in *t as seconds since 1970: YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or
 * M/D/YYYY, then perhaps a time of day after a space or T: H:MM, H:MM:SS
 * (a fraction is dropped), perhaps AM or PM, perhaps Z or an offset
 * +HH:MM. Without an offset it is UTC. A date alone is a whole day: it
 * starts at 00:00, and as an end (end set) the result is the first second
 * after it. 0, or -1 when s is none of these.
 */
int alpr_date_parse(const char *s, int end, int64_t *t);

/* utf8.c: UTF-8 text, and 8-bit text turned into it. */
/* The length of the UTF-8 character at p[0..n) (1 to 4), 0 if invalid. */
int alpr_utf8_seq(const unsigned char *p, size_t n);
/* The length of the longest valid UTF-8 start of p[0..n): n if all is. */
size_t alpr_utf8_valid(const unsigned char *p, size_t n);
/*
 * What a text is: ALPR_UTF8; ALPR_8BIT, when no byte above 0x7f in it
 * is, or looks like, a UTF-8 character (text in an 8-bit character set);
 * else ALPR_UTF8_BROKEN, UTF-8 with bytes that are not.
 */
enum { ALPR_UTF8, ALPR_8BIT, ALPR_UTF8_BROKEN };
int alpr_utf8_kind(const unsigned char *p, size_t n);
/*
 * Windows-1252 text (ISO 8859-1 with letters and signs in 0x80-0x9f, what
 * spreadsheets on Windows write) as UTF-8, through iconv(3): malloc'd,
 * NUL terminated, its length in *outn. NULL when iconv has no such
 * conversion, or with the offset in *bad of a byte that is no character
 * in it (errno EILSEQ).
 */
char *alpr_utf8_cp1252(const char *p, size_t n, size_t *outn, size_t *bad);

/* jsonw.c: JSON text written directly, without building a tree. */
struct alpr_jsonw {
	char *p;		/* the text, NUL terminated */
	size_t n, cap;
};
void alpr_jsonw_raw(struct alpr_jsonw *w, const char *s, size_t n);
/* A JSON string: a byte of s that is not UTF-8 is written as U+FFFD, so
 * the text is valid JSON whatever s holds. */
void alpr_jsonw_str(struct alpr_jsonw *w, const char *s);
/* ,"key":"value" */
void alpr_jsonw_member(struct alpr_jsonw *w, const char *key,
    const char *val);

/* hotlist/hlpolicy.c: what may not be on a hotlist, and other policy. */
#define ALPR_PLATE_MAX 15
/* Policy, from a key=value file (-C or $ALPR_CONFIG). */
struct alpr_hlpolicy {
	long max_age_days;	/* max_age_days: a list older warns (30) */
	char **forbidden;	/* forbidden_categories, added to built-ins:
				 * lower case, words joined by '-', those of
				 * one first letter together */
	size_t nforbidden;
	char *confirm;		/* confirm_text: the reminder in every hit */
	char **keys;		/* hotlist_key, repeated: only lists one of
				 * them signed load (hlsig.c) */
	size_t nkeys;
	unsigned char cls[256];	/* bytes: in words, first of a forbidden */
	size_t first[256], nfirst[256];	/* where those of a letter are */
};
/* lib/hotlist/hlsig.c: a hotlist's signature by the agency's key. */
/* The text of LIST.sig, malloc'd: the list's name, the SHA-256 of its bytes
 * (hex), its entries, who signed it and when, and who asked for it
 * (asked, or NULL), signed with sk. */
char *alpr_hlsig_make(const char *agency, const char *vkey, const char *list,
    const char *sha256, unsigned long entries, const char *by,
    const char *asked, const char *when, const unsigned char sk[64]);
/* An ask for a list's signature (alpr-store hotlist ask), malloc'd and
 * NUL-terminated: lines as a signature's, with who asked (by, their OS
 * user client) and when, under a first line no car takes for a
 * signature, signed with sk; then the list's len bytes themselves. */
char *alpr_hlask_make(const char *agency, const char *vkey, const char *list,
    const char *sha256, unsigned long entries, const char *by,
    const char *client, const char *when, const unsigned char sk[64],
    const void *bytes, size_t len);
/* Is text (n bytes) an ask signed by vkey whose list is the one it names?
 * NULL, the list's name in list, its bytes from text + *off on, who asked
 * in by and their OS user in client; or why not. */
const char *alpr_hlask_check(const char *text, size_t n, const char *vkey,
    char *list, size_t ln, size_t *off, char *by, size_t bn, char *client,
    size_t cn, char *why, size_t wn);
/* Is text (LIST.sig, n bytes) vkey's signature of the list named list
 * whose bytes hash to sha256 (hex)? NULL, who signed it in by and when,
 * or why not. */
const char *alpr_hlsig_check(const char *text, size_t n, const char *vkey,
    const char *list, const char *sha256, char *by, size_t bn, time_t *when,
    char *why, size_t wn);

void alpr_hlpolicy_init(struct alpr_hlpolicy *p);	/* built-in defaults */
/* Read a config file over p; -1 with messages printed on error. */
int alpr_hlpolicy_read(struct alpr_hlpolicy *p, const char *path);
/*
 * The forbidden name that text (a category, any field, a list name) holds
 * as whole words, or NULL. Words are runs of letters, digits and non-ASCII
 * bytes, compared without case; whatever is between them separates them:
 * "Immigration_Status" and "ICE: detainer" hold "immigration" and
 * "ice-detainer".
 */
const char *alpr_hlpolicy_forbids(const struct alpr_hlpolicy *p,
    const char *text);
void alpr_hlpolicy_free(struct alpr_hlpolicy *p);

/* hotlist/hlmatch.c: the plate indexes of hotlist entries, and matching
 * reads. */
struct alpr_hlmatch;
struct alpr_hlhit {
	uint32_t id;		/* the entry, numbered from 0 as added */
	int lenient;		/* 0 exact, 1 lenient */
	int diff;		/* differences, for a lenient hit */
	int cand;		/* the read's string that hit: alpr_hlmatch_cand */
};
struct alpr_hlmatch *alpr_hlmatch_new(void);
void alpr_hlmatch_free(struct alpr_hlmatch *m);
/*
 * Add an entry and return its id: a plate as alpr_hotlist_plate writes it
 * (? and * allowed), matched exactly (maxdiff -1) or leniently with at most
 * maxdiff differences, at times from <= t < until.
 */
uint32_t alpr_hlmatch_add(struct alpr_hlmatch *m, const char *plate,
    int maxdiff, int64_t from, int64_t until);
size_t alpr_hlmatch_count(const struct alpr_hlmatch *m);
/* Forget the entries from id n on. */
void alpr_hlmatch_truncate(struct alpr_hlmatch *m, size_t n);
const char *alpr_hlmatch_plate(const struct alpr_hlmatch *m, uint32_t id);
/* Call fn with each entry in effect at now: its plate and maxdiff. */
void alpr_hlmatch_foreach(const struct alpr_hlmatch *m, time_t now,
    void (*fn)(const char *plate, int maxdiff, void *arg), void *arg);
/* Build the indexes: after the last entry, before matching. */
void alpr_hlmatch_index(struct alpr_hlmatch *m);
/*
 * The hits at time now of a read's strings (its plate, then every
 * candidate: the first 65 distinct ones, a plate and as many candidates
 * as alpr-ocr gives at most), in *hits: exact first, then by
 * differences, then by id.
 * Returns how many; they are valid until the next call.
 */
size_t alpr_hlmatch_find(struct alpr_hlmatch *m, const char *const *plates,
    int n, time_t now, const struct alpr_hlhit **hits);
/* The read's string of a hit, normalised. */
const char *alpr_hlmatch_cand(const struct alpr_hlmatch *m, int cand);

/* hotlist/hotlist.c: hotlist files, and the hits of reads on them
 * (alpr-match(1)). */
/* Upper case, no spaces, dashes or dots; wild keeps ? and *. -1 if bad. */
int alpr_hotlist_plate(const char *s, char out[ALPR_PLATE_MAX + 1], int wild);

struct alpr_hotlist;
struct alpr_hlstats {
	const char *name;	/* list name: the file name less extension */
	unsigned long entries, rejected, expired;
	unsigned long later;	/* loaded but not yet effective */
	time_t mtime;
	char sha256[ALPR_SHA256_HEX];
};
struct alpr_hotlist *alpr_hotlist_new(const struct alpr_hlpolicy *pol);
/* A list's name, as hits and the access log give it: its file's, less
 * the suffix, in out (cut to n bytes). */
void alpr_hotlist_name(const char *path, char *out, size_t n);
void alpr_hotlist_free(struct alpr_hotlist *hl);
/*
 * Read one hotlist file, pending until alpr_hotlist_commit (or _drop).
 * maxdiff -1 matches it exactly, else leniently with at most maxdiff
 * differences. Bad lines are reported as "prog: file:line: what", counted
 * in st and mark the exit status. Returns -1, message printed, when the
 * whole list is refused (unreadable, no plate column, forbidden category).
 * hash: fill st->sha256 with the SHA-256 of the file as read. shown: the
 * file as its user named it, which messages, the list's name and its
 * policy checks go by (NULL: path), when path opened it for them.
 */
int alpr_hotlist_read(struct alpr_hotlist *hl, const char *path,
    const char *shown, int maxdiff, time_t now, int hash,
    struct alpr_hlstats *st);
/*
 * The lists read after this have no header line: columns names their
 * columns as a header would ("plate,state,category"). NULL: they have one.
 */
void alpr_hotlist_columns(struct alpr_hotlist *hl, const char *columns);
void alpr_hotlist_commit(struct alpr_hotlist *hl);
void alpr_hotlist_drop(struct alpr_hotlist *hl);
/* Build the indexes; call after the last list, before matching. */
void alpr_hotlist_index(struct alpr_hotlist *hl);
/* The hits of a read's plate strings (its plate, then every candidate):
 * the text of a JSON array of hit objects (alpr-records(5) HITS), valid
 * until the next call, or NULL for none. */
const char *alpr_hotlist_match(struct alpr_hotlist *hl,
    const char *const *plates, int n, time_t now);
/* Call fn with each entry in effect at now (0: every entry, in effect
 * later too): its plate (normalised, may hold ? and *) and its list's
 * maxdiff (-1 exact). */
void alpr_hotlist_foreach(const struct alpr_hotlist *hl, time_t now,
    void (*fn)(const char *plate, int maxdiff, void *arg), void *arg);
/* jscan.c: strict JSON checking without building a tree. */
struct alpr_jscan_member {
	const char *key;
	const char *val;	/* raw text of the value, NULL if absent */
	size_t len;
};
/* Check that p[0..n) is one JSON object, no duplicate keys anywhere, and
 * find the wanted top-level members: NULL, or what is wrong. */
const char *alpr_jscan_object(const char *p, size_t n,
    struct alpr_jscan_member *want, int nwant);
/* A record line's "type", "v", "plate" and the candidates' "plate", without
 * parsing it whole. 1 when the line is a valid record that jansson reads
 * alike, 0 when unsure (rare forms such as escapes in a key, type or
 * plate): parse it in full. */
#define ALPR_JSCAN_PLATES 32
struct alpr_jscan_rec {
	const char *type;	/* pointers into the line, not terminated */
	size_t ntype;
	long v;
	int hits;		/* it has a "hits" member */
	int own;		/* plate[0] is its own "plate", not a
				 * candidate's */
	int nplates;
	int dropped;		/* plates past the first ALPR_JSCAN_PLATES */
	const char *plate[ALPR_JSCAN_PLATES];
	size_t nplate[ALPR_JSCAN_PLATES];
};
int alpr_jscan_record(const char *line, size_t n, struct alpr_jscan_rec *r);
/* The same, and the raw text of nextra (at most 16) other top-level
 * members in one pass. */
int alpr_jscan_record_ex(const char *line, size_t n, struct alpr_jscan_rec *r,
    struct alpr_jscan_member *extra, int nextra);

/* log/logverify.c: checking a log from its files and its initial public key. */
struct alpr_logkeys {
	char *origin;
	time_t epoch;
	long window;			/* seconds */
	long n;				/* windows with a certified key */
	unsigned char (*pk)[ALPR_PK];
	unsigned char (*id)[4];
	/* What the record of window w (w >= 1, version 2) pins: the tree as
	 * window w - 1 closed, and the record's line in keys.ndjson. */
	int *pinned;
	uint64_t *size;
	unsigned char (*root)[ALPR_HASH];
	unsigned long *line;
	long nv1;			/* version 1 records (older logs) */
};
/* A checkpoint or entry this far past the verifier's clock is reported. */
#define ALPR_LOG_SKEW 300
struct alpr_logverify {
	const char *dir;
	const char *vkey;	/* the kept public key; NULL: DIR/pubkey */
	int progress;		/* show progress on stderr */
	int keep_leaves;	/* keep every leaf hash in leaves */
	struct alpr_progress pr;	/* (the verifier's own) */
	/* results */
	struct alpr_logkeys keys;
	struct alpr_checkpoint last;	/* the newest valid checkpoint */
	uint64_t size;			/* complete entries read */
	uint64_t covered;		/* entries under the last checkpoint */
	unsigned char (*leaves)[ALPR_HASH];
	int bad;			/* problems reported */
};
/* Load and check the key chain; 0, or -1 with the problem reported. */
int alpr_logkeys_load(struct alpr_logverify *v);
void alpr_logkeys_free(struct alpr_logkeys *k);
long alpr_logkeys_window(const struct alpr_logkeys *k, const struct timespec *t);
/* Is c signed with the key of the window it claims? NULL, or why not. */
const char *alpr_logkeys_check(const struct alpr_logkeys *k,
    const struct alpr_checkpoint *c, long *win, char *why, size_t n);
/* Check everything, reporting each problem: 0 good, 1 bad, -1 system error. */
int alpr_log_verify(struct alpr_logverify *v);
void alpr_logverify_free(struct alpr_logverify *v);

/* platecmp.c: comparing plate strings as OCR gets them wrong. */
/* The confusion class of c (0/O/D/Q -> 0, 1/I -> 1, 2/Z -> 2, 5/S -> 5,
 * 8/B -> 8, 6/G -> 6), else c; and a whole plate folded so. */
int alpr_fold_char(int c);
size_t alpr_fold_plate(const char *s, char *out, size_t cap);
/* Does s match pattern p (? one character, * any run, the empty one too)? */
int alpr_glob(const char *p, const char *s);
/* Is p a pattern (does it hold ? or *)? And the characters it gives,
 * neither ? nor * (a plate's all): how much a pattern says of a plate. */
int alpr_is_pattern(const char *p);
int alpr_glob_given(const char *p);
/* Is pattern p narrow enough to search by, to name on a case or to sign
 * on a list: at least three characters given, two of them side by side
 * or one at either end (7AB*, *K4?1, A*B*C, not *A*B*C* or ?A?B?C?,
 * which hold a share of all plates, and which the store's index could
 * only answer by reading every read)? */
int alpr_glob_narrow(const char *p);
/* Levenshtein distance of a and b if at most max, else max + 1. */
int alpr_edit_distance(const char *a, size_t na, const char *b, size_t nb,
    int max);
/* Are plates a and b (normalised) within maxdiff edits once folded? */
int alpr_plate_near(const char *a, const char *b, int maxdiff);

/*
 * The store (alpr-store(1)): reads kept in LMDB, sealed under a key per
 * day, searched only by a logged-in, trained user who states a purpose, a
 * case and a reason, every access written to the access log first. The
 * files of lib/store/ share lib/store/store.h; programs use what follows.
 */
struct alpr_store;
#ifndef ALPR_STORE_HOME
#define ALPR_STORE_HOME "/var/lib/alpr"
#endif

/* store/conf.c: alpr.conf, the settings of a store home (alpr.conf(5)). */
struct alpr_storeconf {
	char *agency, *agency_state;
	char **purposes;
	size_t npurposes;
	long reason_min, case_min, case_days, retention_days;
	long retention_hit_days;
	long password_min;
	char *banned_file;
	long lockout_failures, lockout_minutes, inactive_days;
	long session_idle_minutes, session_max_hours, training_days;
	char *key_file, *release_agencies, *hotlist_policy;
	long batch, max_results, max_radius, search_threads;
};
void alpr_storeconf_init(struct alpr_storeconf *c);	/* the defaults */
/* Read a file over c; -1 with "file:line: what" messages on error. */
int alpr_storeconf_read(struct alpr_storeconf *c, const char *path);
void alpr_storeconf_free(struct alpr_storeconf *c);
int alpr_storeconf_purpose(const struct alpr_storeconf *c, const char *p);
/* The default file, every setting documented (malloc'd). */
char *alpr_storeconf_text(const char *agency, const char *keyfile);

/* store/home.c: making and opening a store home. */
/* -H, else $ALPR_HOME, else ALPR_STORE_HOME. */
const char *alpr_store_home(const char *opt);
struct alpr_store_initopt {
	const char *agency, *origin, *keyfile;
	long window, every;	/* the access log's; 0: its defaults */
	const char *cipher;	/* aes256gcm, xchacha20poly1305; NULL: the
				 * first if the processor can */
};
/* The cipher a new store would seal with, by name (NULL: the default,
 * AES-256-GCM where the processor can): its name, or NULL (said). */
const char *alpr_store_cipher(const char *name);
/* Make a store home; returns the access log's verifier key (malloc'd),
 * or NULL with a message printed. */
char *alpr_store_create(const char *home, const struct alpr_store_initopt *o);
/* Open a store home with its key file (keyfile, else alpr_store_keyfile);
 * NULL with a message printed. */
struct alpr_store *alpr_store_open(const char *home, const char *keyfile);
/* A program's store: the home of -H (alpr_store_home), opened, or exit 3
 * with the message printed. */
struct alpr_store *alpr_store_need(const char *opt, const char *keyfile);
void alpr_store_close(struct alpr_store *s);
/* After MDB_MAP_FULL, with no transaction open: double the map. */
int alpr_store_grow(struct alpr_store *s);
const struct alpr_storeconf *alpr_store_conf(const struct alpr_store *s);
const char *alpr_store_logdir(const struct alpr_store *s);

/* store/keys.c: the key file and the day keys. */
/* The key file: opt, $ALPR_KEY_FILE, $CREDENTIALS_DIRECTORY/alpr-store.key
 * (systemd credentials), alpr.conf's key_file; NULL if none. */
const char *alpr_store_keyfile(const char *opt, const struct alpr_storeconf *c);

/* store/access.c: who acts, what each role may do, what a search states. */
enum { ALPR_ROLE_DEVICE, ALPR_ROLE_OPERATOR, ALPR_ROLE_ANALYST,
	ALPR_ROLE_SUPERVISOR, ALPR_ROLE_AUDITOR, ALPR_ROLE_ADMIN, ALPR_NROLES };
#define ALPR_MAY_ANY (-2)	/* logged in, a password of one's own */
enum { ALPR_MAY_NONE = -1, ALPR_MAY_ADD, ALPR_MAY_FIND, ALPR_MAY_FIND_WIDE,
	ALPR_MAY_HOLD, ALPR_MAY_EXPORT, ALPR_MAY_ACCOUNTS, ALPR_MAY_APPROVE,
	ALPR_MAY_TRAIN, ALPR_MAY_LIST, ALPR_MAY_AUDIT, ALPR_MAY_CASES,
	ALPR_MAY_HOTLISTS, ALPR_NPERMS };
struct alpr_actor {
	char user[40];		/* the store account acting, "" before login */
	int role;		/* its role, -1 before login */
	char client[80];	/* the OS user behind this run */
};
const char *alpr_role_name(int role);
int alpr_role_parse(const char *s);		/* -1 if no role */
int alpr_role_may(int role, int perm);
int alpr_perm_needs_training(int perm);
const char *alpr_perm_what(int perm);	/* what it allows, in words */
/* The role table of alpr-store(1), as alpr-store roles prints it. */
void alpr_roles_table(FILE *f);
/* An SSH forced command's command line (SSH_ORIGINAL_COMMAND) for OS
 * user name, split into words as a shell splits quoted ones; dies unless
 * sshd runs it (SSH_CONNECTION, not through sudo). Sets the client. A
 * first word naming one of the toolkit's programs (alpr-...) is taken
 * off into *prog (else NULL) and stands in argv[0]. */
char **alpr_ssh_args(const char *name, int *argc, const char **prog);
/* The OS user behind this run: as set (an SSH forced command's), else
 * $SUDO_USER, else the real user. */
void alpr_store_set_client(const char *name);
const char *alpr_store_client(void);
/* Run for someone else? 'S' through sudo, 'H' through an SSH forced
 * command, 0 run directly. */
int alpr_store_delegated(void);
/* A file (dir: folder) the caller names, to read: the path to use
 * (malloc'd), or NULL with a message: errno EPERM when it is not the
 * caller's own, else why it did not open. */
char *alpr_caller_file(const char *path, int dir);
/* A new file (dir: folder) the caller names: an open descriptor, or -1
 * (errno) when it cannot be made or is not in a folder of the caller's. */
int alpr_caller_create(const char *path, int dir);
/* A secret: line lineno of a file of the caller's, else asked on the
 * terminal without echo, twice if twice (a new one). Dies when it cannot
 * (opt: the option that gives the file). */
void alpr_caller_secret(const char *file, int lineno, const char *prompt,
    int twice, const char *opt, char *buf, size_t n);
void alpr_store_actor_init(struct alpr_actor *a);
struct alpr_actor *alpr_store_actor(struct alpr_store *s);
/* Write entry (not stolen) to the access log with the actor's user, role
 * and client and the agency: 0, or -1 and the action must not happen. */
int alpr_store_logentry(struct alpr_store *s, json_t *entry);
/* Refuse: say why on stderr, log an entry with outcome "denied"; 1, or
 * -1 when why is alpr_store_broken (the store failed, not the one
 * asking: exit status 3). */
int alpr_store_deny(struct alpr_store *s, const char *action,
    const char *target, const char *why);
/* The why of a check the store could not make: a table that cannot be
 * read, a record that does not open (said on stderr already). */
extern const char alpr_store_broken[];
/* Shorter than minlen, or fewer than three distinct words of its own
 * beside boilerplate ("investigation", "official business", ...). */
int alpr_reason_thin(const char *reason, size_t minlen);
/* Is a search justified by its purpose, case and reason? NULL, or why
 * not (in why, or a static message). */
const char *alpr_store_justify(const struct alpr_store *s,
    const char *purpose, const char *kase, const char *reason, char *why,
    size_t n);
/* The same for the case and reason alone (holds, exports). A reason is
 * at most ALPR_REASON_MAX bytes, so that an access-log entry holds it. */
#define ALPR_REASON_MAX 4096
const char *alpr_store_justify_case(const struct alpr_store *s,
    const char *kase, const char *reason, char *why, size_t n);
/* The reason alone (a hold's release): UTF-8 words of one's own, without
 * control characters, at most ALPR_REASON_MAX bytes. */
const char *alpr_store_reason_check(const struct alpr_store *s,
    const char *reason, char *why, size_t n);

/* store/password.c: Argon2id hashes and the rules for a new password. */
char *alpr_password_hash(const char *pw);		/* malloc'd */
/* 1 if pw is the password of hash; hash NULL spends the time and fails. */
int alpr_password_check(const char *hash, const char *pw);
/* NULL if pw may be user's new password, else why not. */
const char *alpr_password_rules(const struct alpr_storeconf *c,
    const char *user, const char *pw, char *why, size_t n);

/* store/totp.c: the second factor (RFC 6238) and its enrolment. */
char *alpr_totp_new(void);		/* a new secret, base32, malloc'd */
char *alpr_totp_uri(const char *issuer, const char *user,
    const char *secret);		/* otpauth://totp/..., malloc'd */
void alpr_totp_qr(FILE *f, const char *uri);	/* as a QR code */
/* 1 if code is right at now (its step in *step), else 0. Whether that
 * step was used already is the caller's to check, where two logins at
 * once cannot both pass (users.c, settle). */
int alpr_totp_verify(const char *secret, const char *code, time_t now,
    uint64_t *step);

/* store/users.c: accounts. Each call checks the actor may, writes the
 * change or refusal to the log, and returns 0 done, 1 refused (said why),
 * -1 system error. */
int alpr_user_name_ok(const char *name);
int alpr_user_role(json_t *account);
int alpr_user_trained(json_t *account, time_t now);
/* A new account, pending approval; its owner enrols a second factor at
 * the first login. */
int alpr_user_add(struct alpr_store *s, const char *name, int role,
    const char *password);
int alpr_user_bootstrap(struct alpr_store *s, const char *name,
    const char *password, char **secret);
int alpr_user_approve(struct alpr_store *s, const char *name);
int alpr_user_train(struct alpr_store *s, const char *name,
    const char *completed, const char *expires);
int alpr_user_disable(struct alpr_store *s, const char *name,
    const char *reason);
int alpr_user_enable(struct alpr_store *s, const char *name);
int alpr_user_unlock(struct alpr_store *s, const char *name);
int alpr_user_setrole(struct alpr_store *s, const char *name, int role);
/* Own password (old needed) or, for an admin, another's. */
int alpr_user_passwd(struct alpr_store *s, const char *name, const char *old,
    const char *password);
/* Clear another's second factor: enrolled again at their next login,
 * once a supervisor approves. */
int alpr_user_totp_reset(struct alpr_store *s, const char *name);
/* fn for each account (or only one), without its secrets. */
int alpr_user_list(struct alpr_store *s, const char *only,
    void (*fn)(json_t *account, void *arg), void *arg);
/* fn for each account, with no check and no log entry: for counts the
 * store makes of itself (the policy). */
void alpr_user_count(struct alpr_store *s,
    void (*fn)(json_t *account, void *arg), void *arg);
/* An account as stored, secrets and all, with no check and no log entry:
 * for the store's own decisions, never to show. *out NULL if none. */
int alpr_user_lookup(struct alpr_store *s, const char *name, json_t **out);
/* An add under device account name: 0 it may add (its use is kept), 1
 * refused (unused for inactive_days: disabled now, logged), -1 error. */
int alpr_device_use(struct alpr_store *s, const char *name);
/* Check a login: 0 and the actor is the account (must_change: the
 * password was set by an admin and must be changed now), 1 refused, 2
 * the second factor enrolled now (its secret in *enrol, malloc'd, to
 * show its owner; log in again with a code), -1 error. */
int alpr_login(struct alpr_store *s, const char *name, const char *password,
    const char *code, int *must_change, char **enrol);

/* store/session.c: login sessions, one per OS user. */
int alpr_session_start(struct alpr_store *s);
/* Resume the session of this OS user and check it may do perm
 * (ALPR_MAY_NONE: just be logged in): 0, 1 refused (said why), -1 error. */
int alpr_session_resume(struct alpr_store *s, int perm);
int alpr_session_logout(struct alpr_store *s);

/* store/ingest.c: adding reads (alpr-store add). */
struct alpr_ingest;
struct alpr_ingest_stats {
	unsigned long added, duplicates, rejected, frames, noframe;
};
/* Frames are taken from capspool, their plain copies there removed once
 * sealed. */
struct alpr_ingest *alpr_ingest_new(struct alpr_store *s,
    const char *capspool);
/* One record line: 0 kept for the next batch, 1 rejected (reported). */
int alpr_ingest_line(struct alpr_ingest *g, const char *line, size_t n,
    const char *name, unsigned long lineno);
/* Write the pending batch; 0, or -1 (nothing of it stored). */
int alpr_ingest_flush(struct alpr_ingest *g);
/* Read a whole input, writing batches as they fill or the input pauses.
 * A push stream's frames come in it (alpr-records(5) frame-bytes). */
int alpr_ingest_fd(struct alpr_ingest *g, int fd, const char *name);
/* After each batch is stored: fn with the input's lines it answers for
 * (1 to through) and those of them that were refused. */
void alpr_ingest_ack(struct alpr_ingest *g, void (*fn)(unsigned long through,
    const unsigned long *refused, size_t n, void *arg), void *arg);
/* The end: 0, 1 a batch was refused (the device account was disabled
 * while it added), -1 a batch failed. */
int alpr_ingest_end(struct alpr_ingest *g, struct alpr_ingest_stats *st);

/* store/push.c: a car's reads sent on to the server (alpr-store push). */
struct alpr_push_opt {
	const char *host;	/* [USER@]HOST */
	const char *ssh;	/* the ssh command and its options, or NULL */
	int progress;
};
struct alpr_push_stats {
	long sent, frames;	/* reads and frames sent this time */
	long confirmed, refused;	/* answered this time */
	long unsendable;	/* reads that do not open here: never sent */
	long left;		/* not stored by the server yet */
};
/* 0 all stored, 1 some refused by the server or unsendable, or another
 * push or a purge running, -1 not finished (the link ended, or an error;
 * said why): the rest go next time. */
int alpr_push(struct alpr_store *s, const struct alpr_push_opt *o,
    struct alpr_push_stats *st);

/* store/hold.c: evidence holds (alpr-store hold). Each returns 0, 1
 * refused (said why, logged), -1 error. */
/* Hold n reads (as find or alpr_store_get gives them, with read_id) for
 * the case of j: the new hold's id in id. terms: what chose them, for the
 * log, with j (its purpose, when j has none, "evidence"). */
struct alpr_justification;
int alpr_hold_add(struct alpr_store *s, const struct alpr_justification *j,
    json_t *terms, json_t **reads, size_t n, char *id, size_t idn);
int alpr_hold_release(struct alpr_store *s, const char *id,
    const char *reason);
/* fn for each hold, without its key. Logged. */
int alpr_hold_list(struct alpr_store *s, void (*fn)(json_t *hold, void *arg),
    void *arg);
/* The read ids the active holds of a case hold, as the keys of an object
 * (NULL on error); nothing opened, nothing logged. */
json_t *alpr_hold_ids(struct alpr_store *s, const char *kase);
/* fn for each read of the active holds of a case, once, with its frame
 * (NULL if none); only: just the read ids that are keys of only (NULL:
 * all). The number of reads, or -1 (said why, or fn failed). Not logged:
 * the caller logs. */
long alpr_hold_reads(struct alpr_store *s, const char *kase, json_t *only,
    int (*fn)(json_t *hold, json_t *read, const unsigned char *frame,
    size_t n, void *arg), void *arg);

/* store/cases.c: the cases the store is searched under (alpr-store case). */
/* May the one acting reach reads under case kase: is it open, not run
 * out, and does it name them, named there by someone else? NULL, or why
 * not (in why). Nothing logged: the caller refuses. */
const char *alpr_case_may(struct alpr_store *s, const char *kase, char *why,
    size_t n);
struct alpr_query;
/* What a case may search: the plates and patterns it names, the places
 * (a circle each), or every read (any). */
struct alpr_case_scope {
	char **plates;
	int nplates;
	double (*areas)[3];	/* latitude, longitude, radius in metres */
	int nareas;
	int any;
};
/* Is case kase open and not run out, whoever acts? NULL, or why not. */
const char *alpr_case_open(struct alpr_store *s, const char *kase, char *why,
    size_t n);
/* Does case kase (alpr_case_may passed) cover a search of q, with a
 * hotlist (hl)? A search is covered when the case is open to every read,
 * or names its plate (exact, or a pattern matching it; a pattern searched
 * as named; a fuzzy search only of a plate named, one difference at
 * most), or a place its circle lies in. NULL, or why not (in why). */
const char *alpr_case_covers(struct alpr_store *s, const char *kase,
    const struct alpr_query *q, int hl, char *why, size_t n);
/* Does case kase cover read rec: its plate or a candidate named, or
 * matched by a pattern named, or its position in a place named? */
const char *alpr_case_covers_read(struct alpr_store *s, const char *kase,
    json_t *rec, char *why, size_t n);
/* Change a case as a supervisor: op "open" (naming users and what they
 * search, sc, for days: 0 the longest, case_days), "add" or "drop" users,
 * "widen" (more in sc), "renew" (for days; opens a closed case again),
 * "close"; logged with reason first. A renewal and a widening name every
 * member anew, as the one making them. 0, 1 refused (said why, logged),
 * -1 error. */
int alpr_case_change(struct alpr_store *s, const char *op, const char *kase,
    char **users, int n, long days, const struct alpr_case_scope *sc,
    const char *reason);
/* fn for each case the one acting may see (supervisors and auditors:
 * every one; others: those naming them), or only the case only; state
 * "ran-out" for an open case past its end. Logged. 0, 1, -1. */
int alpr_case_list(struct alpr_store *s, const char *only,
    void (*fn)(json_t *c, void *arg), void *arg);

/* store/hotlists.c: the agency's signature on a hotlist. */
/* Ask, as a supervisor, for the hotlist file ("-": standard input) to
 * be signed, with reason, under the name shown (NULL: the file's), less
 * its suffix, as alpr-match names a list: every plate on it written to
 * the access log first (action hotlist-ask). 0 and the ask's text in *ask
 * (malloc'd), 1 refused (said why, logged), -1 error. */
int alpr_hotlist_ask(struct alpr_store *s, const char *file,
    const char *shown, const char *reason, char **ask);
/* Sign, as another supervisor, the list an ask in askfile ("-":
 * standard input) carries, under the name it gives: logged the same way
 * (hotlist-sign, with asked_by). 0 and the text of the list's .sig in
 * *sig (malloc'd), 1, -1. */
int alpr_hotlist_sign(struct alpr_store *s, const char *askfile,
    const char *reason, char **sig);

/* store/purge.c: removing what is past its retention (alpr-purge). */
struct alpr_purge_opt {
	int dry;		/* count, remove nothing */
	time_t before;		/* purge to this time (0: by retention) */
	int wait;		/* seconds to wait for the store to compact */
	int progress;		/* show progress on stderr */
};
struct alpr_purge_stats {
	time_t cut_plain, cut_hit;	/* reads without and with hits */
	long days, rekeyed;		/* days destroyed, kept in part */
	long reads, kept_hit, held, frames;
	long kept_unsent;		/* kept until pushed (push.c) */
	long checked, moved;		/* reads checked for their places,
					 * days given a new key to move
					 * them: once a store */
	long copies;			/* second copies of reads removed */
	int rotated, compacted;
	int owed;			/* an earlier purge's new key file
					 * and compaction are owed */
	long long bytes_before, bytes_after;
	double seconds_purge, seconds_compact;
};
/* 0 done, 1 refused (another purge or a push runs, --before too late:
 * cut_plain is 0, nothing was planned; or not compacted), -1 error;
 * messages printed. */
int alpr_purge(struct alpr_store *s, const struct alpr_purge_opt *o,
    struct alpr_purge_stats *st);

/* store/export.c: evidence bundles (alpr-export(1) BUNDLES). */
struct alpr_export;
/* A bundle into the new, empty folder open at fd, or sealed into the new
 * file (or pipe) fd under a passphrase (not NULL); name: what to call it
 * in messages; custody: the chain-of-custody record, to which it adds who
 * exports and when. Takes fd on success; NULL with a message. */
struct alpr_export *alpr_export_begin(struct alpr_store *s, int fd,
    const char *name, const char *passphrase, json_t *custody);
/* Add a read (with read_id; its frame_file and crop_file are added) and
 * its frame (NULL: none): 0, or -1 (said why). */
int alpr_export_read(struct alpr_export *x, json_t *read,
    const unsigned char *frame, size_t n);
/* The read files, the custody record, the signed manifest: 0, or -1. */
int alpr_export_end(struct alpr_export *x);
void alpr_export_free(struct alpr_export *x);
long alpr_export_count(const struct alpr_export *x);
/* The agency's verifier key (its signing key made at the first call),
 * malloc'd; NULL (said why). */
char *alpr_export_vkey(struct alpr_store *s);
/* Check a bundle's folder against the agency's verifier key, reporting
 * each problem: 0 good, 1 bad, -1 unreadable. *about: the manifest's
 * header (agency, key, case, exported, reads) and its number of files. */
int alpr_export_verify(const char *dir, const char *vkey, json_t **about);
/* Open a sealed bundle (file, or "-": standard input) into a new folder:
 * the number of files; -2 a bad bundle (a wrong passphrase, damaged, cut
 * short) or a folder that exists, -1 an error; said why, and nothing of
 * it left. */
long alpr_export_open(const char *file, const char *passphrase,
    const char *dir);

/* store/release.c: releases to other agencies (alpr-export(1)). Each
 * returns 0, 1 refused (said why, logged), -1 error. */
/* May data go to this agency? NULL, or why not. */
const char *alpr_release_allowed(const struct alpr_store *s,
    const char *agency, const char *state, char *why, size_t wn);
/* File a request (agency, agency_state, requester, purpose, and case or
 * read_ids): its fields in printable characters, the agency allowed, and
 * what it asks for: a case that holds reads (their ids are recorded), or
 * reads by id that exist, with a purpose in words. Its id in id. */
int alpr_release_file(struct alpr_store *s, json_t *request, char *id,
    size_t idn);
/* Decide a pending request, by another than its filer; a denial states
 * its reason. A request whose release was cut short (releasing) is
 * approved again by another than its filer and the one whose release it
 * was. */
int alpr_release_approve(struct alpr_store *s, const char *id);
int alpr_release_deny(struct alpr_store *s, const char *id,
    const char *reason);
/* A request as filed and decided, not logged: 0, 1 none, -1 error. */
int alpr_release_get(struct alpr_store *s, const char *id, json_t **req);
/* Take an approved request to be released, its agency checked again and
 * the reads it asks for by id still there: it is releasing (logged), the
 * request in *req, and no other release runs until alpr_release_done or
 * the store is closed. A request left releasing by a run that died is
 * approved again (by another supervisor) before it is taken again. */
int alpr_release_take(struct alpr_store *s, const char *id, json_t **req);
/* Does request req ask for what its case's holds held (not reads by id,
 * each under the case they were found under)? */
int alpr_release_of_holds(json_t *req);
/* Withdraw an approval before the release is made (approved or
 * releasing), with a reason: any supervisor, the approver too. */
int alpr_release_revoke(struct alpr_store *s, const char *id,
    const char *reason);
/* Mark a request taken released, once its bundle is whole (logged). */
int alpr_release_done(struct alpr_store *s, const char *id);
/* fn for each request, filed and decided. Logged. */
int alpr_release_list(struct alpr_store *s,
    void (*fn)(json_t *request, void *arg), void *arg);

/* store/policy.c: the usage and privacy policy (alpr-store policy), from
 * the running store's settings, Markdown or HTML. */
void alpr_policy(struct alpr_store *s, FILE *f, int html);

/* store/query.c: searching (alpr-store find). */
struct alpr_query {
	const char *plate;	/* a plate, or a pattern with ? and * */
	int fuzzy;		/* -1 exact, else differences allowed */
	int has_from, has_to;
	struct timespec from, to;
	const char *camera;
	int near;
	double lat, lon, radius;	/* metres */
	struct alpr_hotlist *hl;	/* reads that match its entries */
	const char *hlfile, *hlname;	/* its file and name, for the hits */
	long limit;
};
/*
 * The reads found, each with "read_id" added. A read is kept as the text
 * it was stored as (raw[i], rec[i] NULL) until alpr_result_rec or
 * alpr_result_json makes it a tree: a search that only prints its reads
 * never parses them (jansson took nine tenths of an exact search's time).
 */
struct alpr_result {
	json_t **rec;
	char **raw;		/* NULL, or raw[i] when rec[i] is NULL */
	size_t n, cap;
	int more;		/* more matched than limit */
};
/* 0, 1 refused (why says why), -1 error. */
int alpr_store_find(struct alpr_store *s, const struct alpr_query *q,
    struct alpr_result *res, char *why, size_t wn);
/* Read i as a tree (the result keeps the reference). */
json_t *alpr_result_rec(struct alpr_result *r, size_t i);
/* Every read as a tree: r->rec, complete. */
json_t **alpr_result_json(struct alpr_result *r);
/* Read i as a record line on out (alpr_write_record's, or its text). */
void alpr_result_write(FILE *out, struct alpr_result *r, size_t i);
void alpr_result_free(struct alpr_result *r);
/* One read by its read_id, and its frame (malloc'd) when frame is not
 * NULL: 0, 1 no such read, -1 error. */
int alpr_store_get(struct alpr_store *s, const char *read_id, json_t **rec,
    unsigned char **frame, size_t *nframe);

/* store/search.c: a search as a command line states it (alpr-store find,
 * hold add; alpr-export), what justifies it, and its log entries. */
struct alpr_justification {
	const char *purpose, *kase, *reason;
};
struct alpr_search {
	struct alpr_query q;
	struct alpr_justification j;
	const char *hotlist;
	int maxdiff, fmt;	/* fmt: 'c' CSV, 't' a table, 0 JSON */
	const char **ids;	/* --id, repeated */
	int nids;
	json_t *terms;		/* as the log records them */
	struct alpr_hlpolicy pol;
	char hlname[256];
};
/* The options, for getopt_long: the short ones, and the long ones (with
 * values from ALPR_SEARCH_FROM for those without a short form). */
#define ALPR_SEARCH_OPTS "C:cd:ef::P:R:t"
#define ALPR_SEARCH_FROM 1
struct option;
const struct option *alpr_search_longopts(void);
void alpr_search_init(struct alpr_search *x);
/* Take option c: 1, or 0 when it is not a search's. A bad value calls
 * usage, which does not return. */
int alpr_search_opt(struct alpr_search *x, int c, char *arg,
    void (*usage)(const char *));
/* After the options: the plate or pattern (NULL: none), the log's terms. */
void alpr_search_end(struct alpr_search *x, const char *plate,
    void (*usage)(const char *));
/* Does it name what it looks for (a plate, a pattern, a hotlist, a place),
 * and the permission it needs (ALPR_MAY_FIND or ALPR_MAY_FIND_WIDE)? */
int alpr_search_names(const struct alpr_search *x);
int alpr_search_perm(const struct alpr_search *x);
/* Run it: 0 and the reads in res, 1 refused (logged), -1 error. */
int alpr_search_run(struct alpr_store *s, struct alpr_search *x,
    const char *action, struct alpr_result *res);
void alpr_search_free(struct alpr_search *x);
/* Refuse an access, logged with what was asked and the reason stated: 1,
 * or -1 when why is alpr_store_broken. */
int alpr_store_refuse(struct alpr_store *s, const char *action,
    json_t *terms, const struct alpr_justification *j, const char *why);
/* Check the stated purpose, case and reason: 0, or 1 refused (logged). */
int alpr_store_justified(struct alpr_store *s, const char *action,
    json_t *terms, const struct alpr_justification *j);
/* The same for keeping or taking out evidence (a hold, an export of a
 * case's holds): a purpose stated is checked as a search's; none needs
 * the case and reason alone, and is then "evidence", what the log and a
 * custody record say. 0, or 1 refused (logged). */
int alpr_store_justified_evidence(struct alpr_store *s, const char *action,
    json_t *terms, struct alpr_justification *j);
/* Does j's case cover read rec, asked for by id (a show, a hold)? 0, or
 * 1 refused (logged). */
int alpr_store_covered(struct alpr_store *s, const char *action, json_t *terms,
    const struct alpr_justification *j, json_t *rec);
/* An access's log entry (to add to), and writing it (stolen) before
 * anything is shown: 0, or -1 (said why) and nothing may be shown. */
json_t *alpr_store_access(const char *action, const char *plate,
    json_t *terms, const struct alpr_justification *j, long count, int more);
int alpr_store_log_access(struct alpr_store *s, json_t *entry);
/* A read's columns for a table or CSV, cleaned of what a terminal or a
 * spreadsheet would obey; their names; a CSV field (RFC 4180), the last
 * of its row or not. */
#define ALPR_NCOLUMNS 8
extern const char *const alpr_column_names[ALPR_NCOLUMNS];
void alpr_read_columns(json_t *r, char f[ALPR_NCOLUMNS][96]);
void alpr_csv_field(FILE *f, const char *s, int last);

#endif
