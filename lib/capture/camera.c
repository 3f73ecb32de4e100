/*
 * camera.c: reading a camera's MJPEG stream as the patrol car meets it: a
 * file or FIFO read to its end, or an http:// or https:// URL (libcurl)
 * read until told to give up. A network stream that cannot be reached,
 * fails, ends or stalls is connected again after 1 s, then twice as long
 * each time up to 30 s. What happens is said on stderr, once each time it
 * changes: a camera that stalls (no frame for the stall time), a stream
 * that gives no frame at all (a web page, a wrong URL), an error, and the
 * frames coming again.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alpr.h"

#define BACKOFF_MAX 30		/* seconds between attempts, at most */
#define CONNECT_TIMEOUT 10	/* seconds to connect */

struct src {
	const char *name;
	const struct alpr_camera_opt *o;
	alpr_mjpeg_fn fn;
	void *arg;
	struct alpr_mjpeg *m;	/* the splitter of the connection */
	double last;		/* the last frame, or the start */
	double conn;		/* when the connection was made */
	double lost;		/* when frames stopped coming, or 0 */
	long frames;		/* of this connection */
	size_t bytes;		/* of this connection */
	int stalled;		/* said since the last frame */
	char why[CURL_ERROR_SIZE + 64];	/* the last trouble said */
};

static void
frame(const unsigned char *p, size_t n, const char *name, long seq,
    void *arg)
{
	struct src *s = arg;

	s->last = alpr_mono();
	if (s->lost > 0)
		alpr_warn("%s: frames again after %.0f s", s->name,
		    s->last - s->lost);
	s->lost = 0;
	s->stalled = 0;
	s->why[0] = '\0';
	s->frames++;
	s->fn(p, n, s->name, seq, s->arg);	/* the splitter's name goes
						 * with it; the source's stays */
}

/* No frame for the stall time: said once. 1 when it is time to give up. */
static int
stall(struct src *s)
{
	double t = alpr_mono(), idle = t - s->last;

	if (idle >= s->o->stall && !s->stalled) {
		alpr_warn("%s: no frame for %.0f s: the camera has stalled",
		    s->name, idle);
		s->stalled = 1;
		if (s->lost == 0)
			s->lost = s->last;
	}
	return s->o->giveup > 0 && idle >= s->o->giveup;
}

static int
give_up(struct src *s)
{
	alpr_fail_sys("%s: no frame for %.0f s: giving up", s->name,
	    alpr_mono() - s->last);
	return -1;
}

/* A file or FIFO, "-" standard input, read to its end. */
static int
read_fd(int fd, struct src *s, long *seq)
{
	struct alpr_mjpeg *m = alpr_mjpeg_new(s->name, seq, frame, s);
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[65536];
	double until, wait;
	ssize_t n;
	int r;

	for (;;) {
		/* until the stall is to be said, or it is time to give up */
		until = s->stalled ? INFINITY : s->last + s->o->stall;
		if (s->o->giveup > 0 && s->last + s->o->giveup < until)
			until = s->last + s->o->giveup;
		wait = until - alpr_mono();
		r = poll(&pfd, 1, isinf(until) ? -1 : wait <= 0 ? 0 :
		    (int)ceil(wait * 1000));
		if (r < 0 && errno != EINTR)
			alpr_die(ALPR_EXIT_SYS, "fatal: poll:");
		if (r == 0) {
			if (stall(s)) {
				alpr_mjpeg_end(m);
				return give_up(s);
			}
			continue;
		}
		if (r < 0 || (n = read(fd, buf, sizeof buf)) < 0) {
			if (r < 0 || errno == EINTR)
				continue;
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:",
			    s->name);
		}
		if (n == 0)
			break;
		alpr_mjpeg_feed(m, buf, n);
	}
	alpr_mjpeg_end(m);
	return 0;
}

static size_t
received(char *p, size_t size, size_t n, void *arg)
{
	struct src *s = arg;

	s->bytes += n;
	alpr_mjpeg_feed(s->m, p, n);
	return n;
}

static int
progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct src *s = arg;
	double since = s->last > s->conn ? s->last : s->conn;

	/* no frame for the stall time: drop the connection, make it again */
	return alpr_mono() - since >= s->o->stall;
}

/* Say what went wrong with a connection, unless it was said last time. */
static void
trouble(struct src *s, const char *what, int backoff)
{
	if (!strcmp(what, s->why))
		return;
	snprintf(s->why, sizeof s->why, "%s", what);
	alpr_warn("%s: %s: trying again in %d s%s", s->name, what, backoff,
	    backoff == BACKOFF_MAX ? ", and every 30 s" : "");
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_start(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to start libcurl");
}

static int
read_url(const char *url, struct src *s, long *seq)
{
	char err[CURL_ERROR_SIZE], what[CURL_ERROR_SIZE + 64];
	const char *type;
	int backoff = 1;
	long code;
	CURLcode rc;
	CURL *h;

	pthread_once(&curl_once, curl_start);
	if (!(h = curl_easy_init()))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to start libcurl");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, received);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "alpr-capture/" ALPR_VERSION);
	if (s->o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, s->o->cacert);
	for (;;) {
		s->m = alpr_mjpeg_new(s->name, seq, frame, s);
		s->frames = 0;
		s->bytes = 0;
		s->conn = alpr_mono();
		err[0] = '\0';
		rc = curl_easy_perform(h);
		alpr_mjpeg_end(s->m);
		if (s->frames > 0)
			backoff = 1;
		code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) !=
		    CURLE_OK || !type)
			type = "none";
		if (rc == CURLE_ABORTED_BY_CALLBACK)
			stall(s);
		else if (s->frames == 0 && s->bytes > 0 &&
		    (rc == CURLE_OK || rc == CURLE_PARTIAL_FILE))
			snprintf(what, sizeof what, "HTTP %ld gave no frame "
			    "(content type %s): is it the camera's MJPEG "
			    "stream?", code, type);
		else if (rc == CURLE_OK)
			snprintf(what, sizeof what, "the stream ended");
		else if (rc == CURLE_HTTP_RETURNED_ERROR)
			snprintf(what, sizeof what, "HTTP %ld", code);
		else
			snprintf(what, sizeof what, "%s", *err ? err :
			    curl_easy_strerror(rc));
		if (rc != CURLE_ABORTED_BY_CALLBACK) {
			if (s->lost == 0)
				s->lost = alpr_mono();
			trouble(s, what, backoff);
		}
		if (s->o->giveup > 0 && alpr_mono() - s->last >= s->o->giveup) {
			curl_easy_cleanup(h);
			return give_up(s);
		}
		sleep(backoff);
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
	}
}

int
alpr_camera_read(const char *src, const struct alpr_camera_opt *o,
    long *seq, alpr_mjpeg_fn fn, void *arg)
{
	struct src s;
	int fd, r;

	memset(&s, 0, sizeof s);
	s.name = strcmp(src, "-") ? src : "<stdin>";
	s.o = o;
	s.fn = fn;
	s.arg = arg;
	s.last = alpr_mono();
	if (!strncasecmp(src, "http://", 7) || !strncasecmp(src, "https://", 8))
		return read_url(src, &s, seq);
	if (!strcmp(src, "-"))
		return read_fd(0, &s, seq);
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		alpr_fail_sys("unable to open %s:", src);
		return 0;
	}
	r = read_fd(fd, &s, seq);
	close(fd);
	return r;
}
