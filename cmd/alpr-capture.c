/*
 * alpr-capture: turn camera input (image files, a watched folder, an MJPEG
 * stream) plus time and position into frame records (alpr-records(5)).
 * Every frame is decoded whole to catch truncation, then stored in the
 * content-addressed spool; the record names it by its SHA-256.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "alpr.h"

#define GPS_WAIT_MS 2000	/* for the first fix at start */

static const char *camera;
static const char *spool;
static int force_now;
static int use_gps;
static const char *gps_host;
static struct alpr_gps *gps;
static int fixed;
static double fix_lat, fix_lon;
static int have_lat, have_lon;
static const char *watch_dir;
static int mjpeg;
static long nframes;
static time_t last_progress;

static void
usage(const char *why)
{
	alpr_usage(why, "[-t] [-c camera] [-S spool] [-g[host:port] | "
	    "--lat deg --lon deg]\n"
	    "           [file ... | -w dir | -m [stream ...]]");
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
	time_t now;

	nframes++;
	if (!isatty(2) || (now = time(NULL)) == last_progress)
		return;
	last_progress = now;
	fprintf(stderr, "%s: %ld frames\r", alpr_progname, nframes);
}

/* The frame's time and where it came from: EXIF, the file's mtime, now. */
static const char *
frame_time(const unsigned char *p, size_t n, const struct timespec *mtime,
    struct timespec *ts)
{
	struct alpr_exif ex;

	if (!force_now && alpr_exif_read(p, n, &ex) == 0 &&
	    alpr_exif_time(&ex, ts) == 0)
		return "exif";
	if (!force_now && mtime) {
		*ts = *mtime;
		return "mtime";
	}
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
 * for messages; src (a file) or seq (a stream frame) goes in the record.
 */
static void
capture(const unsigned char *p, size_t n, const char *name, const char *src,
    long seq, const struct timespec *mtime)
{
	char hex[ALPR_SHA256_HEX], tbuf[ALPR_TIME_LEN], id[128], err[256];
	struct timespec ts;
	const char *tsrc;
	double lat, lon;
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
	tsrc = frame_time(p, n, mtime, &ts);
	alpr_time_fmt(&ts, tbuf);
	if (alpr_spool_put(alpr_spool_dir(spool), p, n, hex) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to store %s in "
		    "spool %s:", name, alpr_spool_dir(spool));
	make_id(id, sizeof id, tbuf, hex);
	rec = json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", "frame",
	    "v", ALPR_RECORD_VERSION, "id", id, "ts", tbuf, "tsrc", tsrc);
	if (camera)
		json_object_set_new(rec, "camera", json_string(camera));
	if (src)
		json_object_set_new(rec, "src", json_string(src));
	else
		json_object_set_new(rec, "seq", json_integer(seq));
	json_object_set_new(rec, "image", json_string(hex));
	json_object_set_new(rec, "w", json_integer(w));
	json_object_set_new(rec, "h", json_integer(h));
	if (fixed) {
		lat = fix_lat;
		lon = fix_lon;
	}
	if (fixed || (gps && alpr_gps_fix(gps, &lat, &lon))) {
		json_object_set_new(rec, "lat", json_real(lat));
		json_object_set_new(rec, "lon", json_real(lon));
	}
	alpr_write_record(stdout, rec);
	alpr_prof_end(rec, "capture");
	json_decref(rec);
	progress();
}

static int
capture_file(const char *path, void *arg)
{
	unsigned char *p;
	struct stat st;
	size_t n;

	alpr_prof_begin();
	if (alpr_read_file(path, &p, &n) < 0) {
		alpr_fail_sys("unable to read %s:", path);
		return -1;
	}
	if (stat(path, &st) < 0)
		capture(p, n, path, path, 0, NULL);
	else
		capture(p, n, path, path, 0, &st.st_mtim);
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

static void
stream_frame(const unsigned char *p, size_t n, const char *name, long seq,
    void *arg)
{
	char label[PATH_MAX];

	alpr_prof_begin();
	snprintf(label, sizeof label, "%s: frame %ld", name, seq);
	capture(p, n, label, NULL, seq, NULL);
}

static void
stream(const char *path, long *seq)
{
	int fd;

	if (!strcmp(path, "-")) {
		alpr_mjpeg_read(0, "<stdin>", seq, stream_frame, NULL);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		alpr_fail_sys("unable to open %s:", path);
		return;
	}
	alpr_mjpeg_read(fd, path, seq, stream_frame, NULL);
	close(fd);
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

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "gps", optional_argument, NULL, 'g' },
		{ "lat", required_argument, NULL, 'L' },
		{ "lon", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	long seq = 0;
	int c, i;

	alpr_setprogname(argv[0]);
	while ((c = alpr_getopt(argc, argv, "c:g::mS:tw:", lopts, usage)) != -1)
		switch (c) {
		case 'c': camera = optarg; break;
		case 'g': use_gps = 1; gps_host = optarg; break;
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
		usage("no stream: pipe MJPEG into -m or name a FIFO");
	if (use_gps)
		gps = alpr_gps_open(gps_host, GPS_WAIT_MS);
	if (watch_dir)
		watch(watch_dir);
	else if (mjpeg) {
		if (argc == 0)
			stream("-", &seq);
		for (i = 0; i < argc; i++)
			stream(argv[i], &seq);
	} else if (alpr_items(argc, argv, capture_file, NULL) < 0)
		usage("no images: name files or pipe their names on stdin");
	if (last_progress)
		fprintf(stderr, "%s: %ld frames\n", alpr_progname, nframes);
	alpr_gps_close(gps);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
