/*
 * capture.c: splitting an MJPEG stream into its JPEG frames. The stream is
 * concatenated JPEGs, or multipart/x-mixed-replace parts whose headers are
 * skipped as text between frames. A frame is found by walking its marker
 * segments by their lengths (so an EXIF thumbnail's SOI inside APP1 is
 * skipped) and its entropy-coded data, where FF00 stuffing and RSTn are
 * data; EOI ends it. Frames are passed on as soon as they end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

enum { SEEK, MARKER, ECS };

struct alpr_mjpeg {
	char *name;
	long *nseq;		/* frames numbered across streams */
	alpr_mjpeg_fn fn;
	void *arg;
	unsigned char *buf;
	size_t len, cap;
	size_t start, pos;	/* frame start, scan position */
	int state;
	long seq;		/* of the current frame, from 1 */
	size_t junk;		/* skipped bytes that are not text */
	int resync;		/* after a bad frame: its rest is not junk */
	long frames;		/* whole frames passed on */
};

static void
junk_report(struct alpr_mjpeg *s, const char *where)
{
	if (s->junk)
		alpr_fail("%s: skipped %zu bytes of non-JPEG data %s",
		    s->name, s->junk, where);
	s->junk = 0;
}

static void
seek_skip(struct alpr_mjpeg *s, size_t to)
{
	size_t i;
	unsigned char c;

	for (i = s->pos; i < to && !s->resync; i++) {
		c = s->buf[i];
		if (c != '\r' && c != '\n' && c != '\t' && (c < 32 || c > 126))
			s->junk++;
	}
	s->pos = to;
}

static void
frame_start(struct alpr_mjpeg *s, size_t at)
{
	char where[64];

	s->seq = ++*s->nseq;
	snprintf(where, sizeof where, "before frame %ld", s->seq);
	junk_report(s, where);
	s->start = at;
	s->pos = at + 2;
	s->state = MARKER;
	s->resync = 0;
}

static void
frame_bad(struct alpr_mjpeg *s, const char *what)
{
	alpr_fail("%s: frame %ld: %s: no record", s->name, s->seq, what);
	s->resync = 1;
}

static void
frame_done(struct alpr_mjpeg *s, size_t end)
{
	s->frames++;
	s->fn(s->buf + s->start, end - s->start, s->name, s->seq, s->arg);
	s->state = SEEK;
	s->pos = end;
}

/* Scan what is buffered; returns when more input is needed. */
static void
scan(struct alpr_mjpeg *s)
{
	unsigned char *b = s->buf, *q;
	size_t L;
	unsigned m;

	for (;;) {
		switch (s->state) {
		case SEEK:
			for (q = b + s->pos; q + 3 <= b + s->len; q++)
				if (q[0] == 0xff && q[1] == 0xd8 &&
				    q[2] == 0xff)
					break;
			if (q + 3 > b + s->len) {
				/* keep what may be a partial SOI */
				seek_skip(s, s->len > s->pos + 2 ?
				    s->len - 2 : s->pos);
				return;
			}
			seek_skip(s, q - b);
			frame_start(s, q - b);
			break;
		case MARKER:
			if (s->pos + 2 > s->len)
				return;
			if (b[s->pos] != 0xff) {
				frame_bad(s, "corrupt marker structure");
				s->state = SEEK;
				s->pos = s->start + 2;
				break;
			}
			m = b[s->pos + 1];
			if (m == 0xff) {
				s->pos++;	/* fill byte */
			} else if (m == 0xd9) {
				frame_done(s, s->pos + 2);
			} else if (m == 0xd8) {
				frame_bad(s, "truncated (a new frame "
				    "starts inside it)");
				frame_start(s, s->pos);
			} else if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
				s->pos += 2;
			} else {
				if (s->pos + 4 > s->len)
					return;
				L = (size_t)b[s->pos + 2] << 8 | b[s->pos + 3];
				if (L < 2) {
					frame_bad(s, "corrupt segment length");
					s->state = SEEK;
					s->pos = s->start + 2;
					break;
				}
				s->pos += 2 + L;
				if (m == 0xda)
					s->state = ECS;
			}
			break;
		case ECS:
			if (s->pos >= s->len)
				return;
			if (!(q = memchr(b + s->pos, 0xff, s->len - s->pos))) {
				s->pos = s->len;
				return;
			}
			s->pos = q - b;
			if (s->pos + 2 > s->len)
				return;
			m = q[1];
			if (m == 0x00 || (m >= 0xd0 && m <= 0xd7))
				s->pos += 2;	/* FF00 stuffing, RSTn */
			else if (m == 0xff)
				s->pos++;	/* fill before a marker */
			else
				s->state = MARKER;
			break;
		}
	}
}

/* Drop what is done with, and make room for more. */
static void
compact(struct alpr_mjpeg *s)
{
	size_t keep = s->state == SEEK ? s->pos : s->start;

	if (keep > 0) {
		memmove(s->buf, s->buf + keep, s->len - keep);
		s->len -= keep;
		s->pos -= keep;
		s->start = s->start >= keep ? s->start - keep : 0;
	}
	if (s->state != SEEK && s->len > ALPR_FRAME_MAX) {
		frame_bad(s, "too large without an end marker");
		s->state = SEEK;
		s->pos = s->len;
	}
	if (s->cap - s->len < 65536) {
		s->cap = s->cap ? s->cap * 2 : 1 << 20;
		s->buf = alpr_realloc(s->buf, s->cap);
	}
}

struct alpr_mjpeg *
alpr_mjpeg_new(const char *name, long *seq, alpr_mjpeg_fn fn, void *arg)
{
	struct alpr_mjpeg *s = alpr_calloc(1, sizeof *s);

	s->name = alpr_strdup(name);
	s->nseq = seq;
	s->fn = fn;
	s->arg = arg;
	s->state = SEEK;
	return s;
}

void
alpr_mjpeg_feed(struct alpr_mjpeg *s, const void *p, size_t n)
{
	size_t k;

	while (n > 0) {
		compact(s);
		k = s->cap - s->len < n ? s->cap - s->len : n;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p = (const char *)p + k;
		n -= k;
		scan(s);
	}
}

long
alpr_mjpeg_end(struct alpr_mjpeg *s)
{
	long n = s->frames;

	if (s->state != SEEK)
		frame_bad(s, "truncated at end of stream");
	else
		seek_skip(s, s->len);
	junk_report(s, "at end of stream");
	free(s->buf);
	free(s->name);
	free(s);
	return n;
}

void
alpr_mjpeg_read(int fd, const char *name, long *seq, alpr_mjpeg_fn fn,
    void *arg)
{
	struct alpr_mjpeg *s = alpr_mjpeg_new(name, seq, fn, arg);
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:",
			    name);
		alpr_mjpeg_feed(s, buf, n);
	}
	alpr_mjpeg_end(s);
}
