/*
 * alpr-capture: turn camera input (image files, a watched folder, an MJPEG
 * stream) plus time and position into frame records (alpr-records(5)).
 * Every frame is decoded whole to catch truncation, then stored in the
 * content-addressed spool; the record names it by its SHA-256.
 *
 * A stream is read by a thread of its own into a queue of a few frames,
 * so that a camera faster than the pipeline does not wait behind it: the
 * oldest queued frame makes room for a new one, and is counted as
 * dropped; the alerts then stay as fresh as the pipeline can make them.
 * With -a, or from a file, the reader waits instead and every frame goes
 * through.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define GPS_WAIT_MS 2000	/* for the first fix at start */
#define GPS_AGE 5		/* seconds a fix is used without a newer one */
#define STALL 10		/* seconds without a frame: said */
#define QUEUE 4			/* frames between the camera and the pipeline */
#define DROP_SAY 60		/* seconds between counts of dropped frames */

static const char *camera;
static const char *spool;
static int force_now;
static int use_gps;
static const char *gps_host;
static double gps_age = GPS_AGE;
static struct alpr_gps *gps;
static int fixed;
static double fix_lat, fix_lon;
static int have_lat, have_lon;
static const char *watch_dir;
static int mjpeg;
static int keepall;
static struct alpr_camera_opt camopt = { STALL, 0, NULL };
static long nframes;
static struct alpr_progress pr;

/* What a frame's record says of where and when it came from. */
struct origin {
	const char *src;		/* the file, or NULL for a stream */
	long seq;			/* the frame's number in the stream */
	const struct timespec *mtime;	/* the file's */
	const struct timespec *at;	/* when it came, or NULL: now */
	long dropped;			/* frames dropped just before it */
};

/* The frames read from a stream and not yet captured. */
struct qframe {
	unsigned char *p;
	size_t n;
	const char *name;
	long seq;
	struct timespec at;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct qframe f[QUEUE];
	int head, n;
	int keepall;		/* the reader waits for room */
	int done;		/* the reader is done */
	long dropped;		/* since the last frame taken */
} fq = { .mu = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER,
    .room = PTHREAD_COND_INITIALIZER };

static void
usage(const char *why)
{
	alpr_usage(why, "[-at] [-c camera] [-S spool] [-g[host:port] | "
	    "--lat deg --lon deg]\n"
	    "           [--gps-age s] [--stall s] [--give-up s] "
	    "[--cacert file]\n"
	    "           [file ... | -w dir | -m [stream | url ...]]");
}

static int
camera_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void
progress(void)
{
	alpr_progress(&pr, 0, "%ld frames", ++nframes);
}

/* The frame's time and where it came from: EXIF, the file's mtime, now
 * (when it came). */
static const char *
frame_time(const unsigned char *p, size_t n, const struct origin *o,
    struct timespec *ts)
{
	struct alpr_exif ex;

	if (!force_now && alpr_exif_read(p, n, &ex) == 0 &&
	    alpr_exif_time(&ex, ts) == 0)
		return "exif";
	if (!force_now && o->mtime) {
		*ts = *o->mtime;
		return "mtime";
	}
	if (o->at)
		*ts = *o->at;
	else
		clock_gettime(CLOCK_REALTIME, ts);
	return "now";
}

/* "2026-11-22T09:57:07.12Z" -> "20261122T095707.12Z-<hash12>[-camera]" */
static void
make_id(char *id, size_t len, const char *ts, const char *hex)
{
	char c[ALPR_TIME_LEN];
	size_t i, j;

	for (i = j = 0; ts[i]; i++)
		if (ts[i] != '-' && ts[i] != ':')
			c[j++] = ts[i];
	c[j] = '\0';
	snprintf(id, len, "%s-%.12s%s%s", c, hex, camera ? "-" : "",
	    camera ? camera : "");
}

/*
 * One frame: check it decodes whole, spool it, write its record. name is
 * for messages; o->src (a file) or o->seq (a stream frame) goes in the
 * record.
 */
static void
capture(const unsigned char *p, size_t n, const char *name,
    const struct origin *o)
{
	char hex[ALPR_SHA256_HEX], tbuf[ALPR_TIME_LEN], id[128], err[256];
	struct alpr_gpsfix fix;
	struct timespec ts;
	const char *tsrc;
	json_t *rec;
	PIX *pix;
	int w, h;

	if (alpr_image_info(p, n, &w, &h) == ALPR_IMG_NONE) {
		alpr_fail("%s: not a JPEG or PNG image", name);
		return;
	}
	/* Grey at 1/8 scale still runs the whole entropy-coded stream. */
	if (!(pix = alpr_image_decode(p, n, 8, 1, err, sizeof err))) {
		alpr_fail("%s: %s", name, err);
		return;
	}
	pixDestroy(&pix);
	tsrc = frame_time(p, n, o, &ts);
	alpr_time_fmt(&ts, tbuf);
	if (alpr_spool_put(alpr_spool_dir(spool), p, n, hex) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to store %s in "
		    "spool %s:", name, alpr_spool_dir(spool));
	make_id(id, sizeof id, tbuf, hex);
	rec = json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", "frame",
	    "v", ALPR_RECORD_VERSION, "id", id, "ts", tbuf, "tsrc", tsrc);
	if (camera)
		json_object_set_new(rec, "camera", json_string(camera));
	if (o->src)
		json_object_set_new(rec, "src", json_string(o->src));
	else
		json_object_set_new(rec, "seq", json_integer(o->seq));
	json_object_set_new(rec, "image", json_string(hex));
	json_object_set_new(rec, "w", json_integer(w));
	json_object_set_new(rec, "h", json_integer(h));
	if (fixed) {
		json_object_set_new(rec, "lat", json_real(fix_lat));
		json_object_set_new(rec, "lon", json_real(fix_lon));
	} else if (gps && alpr_gps_fix(gps, &fix)) {
		json_object_set_new(rec, "lat", json_real(fix.lat));
		json_object_set_new(rec, "lon", json_real(fix.lon));
		if (fix.time.tv_sec) {
			alpr_time_fmt(&fix.time, tbuf);
			json_object_set_new(rec, "fix_ts", json_string(tbuf));
		}
		if (isfinite(fix.err))
			json_object_set_new(rec, "fix_err",
			    json_real(round(fix.err * 10) / 10));
	}
	if (o->dropped)
		json_object_set_new(rec, "dropped", json_integer(o->dropped));
	alpr_write_record(stdout, rec);
	alpr_prof_end(rec, "capture");
	json_decref(rec);
	progress();
}

static int
capture_file(const char *path, void *arg)
{
	struct origin o = { path, 0, NULL, NULL, 0 };
	unsigned char *p;
	struct stat st;
	size_t n;

	alpr_prof_begin();
	if (alpr_read_file_max(path, &p, &n, ALPR_FRAME_MAX) < 0) {
		alpr_fail_file("unable to read %s:", path);
		return -1;
	}
	if (stat(path, &st) == 0)
		o.mtime = &st.st_mtim;
	capture(p, n, path, &o);
	free(p);
	return 0;
}

/* The watched folder: image names only, no dotfiles or partial uploads. */
static int
wanted(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (name[0] == '.' || !dot)
		return 0;
	return !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") ||
	    !strcasecmp(dot, ".jpe") || !strcasecmp(dot, ".png");
}

static void
watch_event(const char *dir, const struct inotify_event *ev)
{
	size_t len;
	char *path;

	if (ev->mask & IN_Q_OVERFLOW)
		alpr_fail("%s: too many new files at once: some may have "
		    "been missed", dir);
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
		alpr_die(ALPR_EXIT_SYS, "fatal: watched folder %s was "
		    "removed or moved", dir);
	if (!ev->len || (ev->mask & IN_ISDIR) ||
	    !(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) || !wanted(ev->name))
		return;
	len = strlen(dir) + strlen(ev->name) + 2;
	path = alpr_malloc(len);
	snprintf(path, len, "%s%s%s", dir,
	    dir[strlen(dir) - 1] == '/' ? "" : "/", ev->name);
	capture_file(path, NULL);
	free(path);
}

/* Runs until killed, or until dir goes away. */
static void
watch(const char *dir)
{
	union {
		struct inotify_event ev;
		char b[64 * 1024];
	} u;
	const struct inotify_event *ev;
	struct pollfd pfd[2];
	ssize_t n;
	int fd, nfd;
	char *q;

	if ((fd = inotify_init1(IN_CLOEXEC)) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: inotify:");
	if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to watch %s:", dir);
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		nfd = 1;
		if (gps && (pfd[1].fd = alpr_gps_fd(gps)) >= 0) {
			pfd[1].events = POLLIN;
			nfd = 2;
		}
		if (poll(pfd, nfd, gps ? 1000 : -1) < 0) {
			if (errno == EINTR)
				continue;
			alpr_die(ALPR_EXIT_SYS, "fatal: poll:");
		}
		if (gps)
			alpr_gps_read(gps);	/* keep the latest fix */
		if (!(pfd[0].revents & POLLIN))
			continue;
		if ((n = read(fd, u.b, sizeof u.b)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read "
			    "inotify events:");
		}
		for (q = u.b; q < u.b + n; q += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)q;
			watch_event(dir, ev);
		}
	}
}

/* The reader's: a frame into the queue, the oldest out if it is full. */
static void
queue_frame(const unsigned char *p, size_t n, const char *name, long seq,
    void *arg)
{
	struct qframe f = { alpr_malloc(n), n, name, seq, { 0, 0 } };

	memcpy(f.p, p, n);
	clock_gettime(CLOCK_REALTIME, &f.at);
	pthread_mutex_lock(&fq.mu);
	while (fq.n == QUEUE && fq.keepall)
		pthread_cond_wait(&fq.room, &fq.mu);
	if (fq.n == QUEUE) {
		free(fq.f[fq.head].p);
		fq.head = (fq.head + 1) % QUEUE;
		fq.n--;
		fq.dropped++;
	}
	fq.f[(fq.head + fq.n++) % QUEUE] = f;
	pthread_cond_signal(&fq.more);
	pthread_mutex_unlock(&fq.mu);
}

/* The reader thread: each stream in turn, until the end or giving up. */
static void *
reader(void *arg)
{
	char **src = arg;
	struct stat sb;
	long seq = 0;

	for (; *src; src++) {
		pthread_mutex_lock(&fq.mu);
		fq.keepall = keepall || (stat(*src, &sb) == 0 &&
		    S_ISREG(sb.st_mode)) || (!strcmp(*src, "-") &&
		    fstat(0, &sb) == 0 && S_ISREG(sb.st_mode));
		pthread_mutex_unlock(&fq.mu);
		if (alpr_camera_read(*src, &camopt, &seq, queue_frame,
		    NULL) < 0)
			break;
	}
	pthread_mutex_lock(&fq.mu);
	fq.done = 1;
	pthread_cond_signal(&fq.more);
	pthread_mutex_unlock(&fq.mu);
	return NULL;
}

/* Dropped frames are said at once, then counted once a minute. */
static void
say_dropped(long n, long total, long frames, int end)
{
	static time_t said;
	static long since;
	time_t now = time(NULL);

	since += n;
	if (end) {
		if (total)
			alpr_warn("%ld of %ld frames dropped: the pipeline was "
			    "slower than the camera", total, total + frames);
		return;
	}
	if (!since || (said && now - said < DROP_SAY))
		return;
	alpr_warn("%ld frames dropped%s: the pipeline is slower than the "
	    "camera, the newest frames are kept (-a keeps every one)", since,
	    said ? " in the last minute" : "");
	said = now;
	since = 0;
}

/*
 * The streams, read by a thread of their own, captured here as the queue
 * gives them; gpsd is read while waiting, so that the age of its fix is
 * known. Returns when the streams end or the reader gives up.
 */
static void
streams(char **srcs)
{
	struct origin o = { NULL, 0, NULL, NULL, 0 };
	char label[PATH_MAX];
	struct qframe f;
	struct timespec t;
	long dropped = 0, frames = 0;
	pthread_t th;
	int e;

	if (!keepall)	/* records queued in a pipe are as late as frames */
		fcntl(1, F_SETPIPE_SZ, 4096);
	if ((e = pthread_create(&th, NULL, reader, srcs)) != 0) {
		errno = e;
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to start a thread:");
	}
	for (;;) {
		pthread_mutex_lock(&fq.mu);
		while (fq.n == 0 && !fq.done) {
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_nsec += 250000000;
			if (t.tv_nsec >= 1000000000) {
				t.tv_sec++;
				t.tv_nsec -= 1000000000;
			}
			if (pthread_cond_timedwait(&fq.more, &fq.mu, &t) ==
			    ETIMEDOUT && gps) {
				pthread_mutex_unlock(&fq.mu);
				alpr_gps_read(gps);
				pthread_mutex_lock(&fq.mu);
			}
		}
		if (fq.n == 0) {
			pthread_mutex_unlock(&fq.mu);
			break;
		}
		f = fq.f[fq.head];
		fq.head = (fq.head + 1) % QUEUE;
		fq.n--;
		o.dropped = fq.dropped;
		fq.dropped = 0;
		pthread_cond_signal(&fq.room);
		pthread_mutex_unlock(&fq.mu);

		alpr_prof_begin();
		dropped += o.dropped;
		frames++;
		say_dropped(o.dropped, 0, 0, 0);
		o.seq = f.seq;
		o.at = &f.at;
		snprintf(label, sizeof label, "%s: frame %ld", f.name, f.seq);
		capture(f.p, f.n, label, &o);
		free(f.p);
	}
	pthread_join(th, NULL);
	say_dropped(0, dropped, frames, 1);
}

/* Degrees from -lim to lim, else a usage error. */
static double
coord(const char *s, double lim, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= -lim && v <= lim)) {
		char why[128];
		snprintf(why, sizeof why, "bad %s '%s': want degrees "
		    "from %g to %g", what, s, -lim, lim);
		usage(why);
	}
	return v;
}

/*
 * -g's argument is optional, so getopt wants it attached (-ghost:port);
 * "-g host:port" is taken too, when the word after -g has a port and is
 * no file: it is attached to -g before getopt sees it. Returns the new
 * argc.
 */
static int
gps_spaced(int argc, char **argv)
{
	const char *w, *colon;
	int i;

	for (i = 1; i + 1 < argc && strcmp(argv[i], "--"); i++) {
		if (strcmp(argv[i], "-g") && strcmp(argv[i], "--gps"))
			continue;
		w = argv[i + 1];
		if (*w == '-' || strchr(w, '/') || !(colon = strrchr(w, ':')) ||
		    !colon[1] || strspn(colon + 1, "0123456789") !=
		    strlen(colon + 1) || access(w, F_OK) == 0)
			continue;
		if (asprintf(&argv[i], "-g%s", w) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: out of memory");
		memmove(argv + i + 1, argv + i + 2, (argc - i - 1) *
		    sizeof *argv);	/* and the NULL after them */
		argc--;
	}
	return argc;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "gps", optional_argument, NULL, 'g' },
		{ "gps-age", required_argument, NULL, 'G' },
		{ "stall", required_argument, NULL, 'T' },
		{ "give-up", required_argument, NULL, 'U' },
		{ "cacert", required_argument, NULL, 'K' },
		{ "lat", required_argument, NULL, 'L' },
		{ "lon", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	static char *stdin_only[] = { "-", NULL };
	int c, i;

	alpr_setprogname(argv[0]);
	alpr_progress_start(&pr, 1);
	argc = gps_spaced(argc, argv);
	while ((c = alpr_getopt(argc, argv, "ac:g::mS:tw:", lopts, usage)) != -1)
		switch (c) {
		case 'a': keepall = 1; break;
		case 'c': camera = optarg; break;
		case 'g': use_gps = 1; gps_host = optarg; break;
		case 'G': gps_age = alpr_strtod(optarg, 0.1, 3600, "--gps-age"); break;
		case 'K': camopt.cacert = optarg; break;
		case 'T': camopt.stall = alpr_strtod(optarg, 0.1, 86400, "--stall"); break;
		case 'U': camopt.giveup = alpr_strtod(optarg, 0.1, 1e9, "--give-up"); break;
		case 'm': mjpeg = 1; break;
		case 'S': spool = optarg; break;
		case 't': force_now = 1; break;
		case 'w': watch_dir = optarg; break;
		case 'L':
			fix_lat = coord(optarg, 90, "latitude");
			have_lat = 1;
			break;
		case 'O':
			fix_lon = coord(optarg, 180, "longitude");
			have_lon = 1;
			break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (camera && !camera_ok(camera))
		usage("bad camera name: want 1 to 64 of A-Z a-z 0-9 . _ -");
	if (have_lat != have_lon)
		usage("--lat and --lon go together");
	fixed = have_lat;
	if (fixed && use_gps)
		usage("-g and --lat/--lon exclude each other");
	if (watch_dir && mjpeg)
		usage("-w and -m exclude each other");
	if (watch_dir && argc > 0)
		usage("-w takes no file operands");
	if (spool && !*spool)
		usage("empty spool directory");
	if (mjpeg && argc == 0 && isatty(0))
		usage("no stream: pipe MJPEG into -m, or name a FIFO or URL");
	for (i = 0; !mjpeg && i < argc; i++)
		if (!strncasecmp(argv[i], "http://", 7) ||
		    !strncasecmp(argv[i], "https://", 8))
			usage("a URL is a stream: give -m");
	if (use_gps)
		gps = alpr_gps_open(gps_host, GPS_WAIT_MS, gps_age * 1000);
	if (watch_dir)
		watch(watch_dir);
	else if (mjpeg)
		streams(argc ? argv : stdin_only);
	else if (alpr_items(argc, argv, capture_file, NULL) < 0)
		usage("no images: name files or pipe their names on stdin");
	if (pr.shown)
		alpr_progress(&pr, 1, "%ld frames", nframes);
	alpr_gps_close(gps);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
