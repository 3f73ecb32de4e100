/*
 * gps.c: the latest position from gpsd, through libgps. The watch is
 * drained without blocking whenever a frame wants a position; a fix is
 * kept until gpsd reports a newer one or reports that the fix is lost, or
 * until it is older than maxage: gpsd stays up when the receiver goes
 * silent, and keeps no newer fix. A fix's age is by this machine's clock
 * from when its time last changed, since the receiver's time and the
 * machine's need not agree.
 *
 * libgps connects and decodes, but its reader is not used: gps_waiting()
 * stays true while a line without its end sits in libgps's buffer and
 * gps_read() then returns without reading, so whatever answers on the gpsd
 * port could stop capture by sending "{" and a control byte. Lines are cut
 * here instead, at most GPS_LINE_MAX bytes, each parsed by jansson; a TPV
 * report is written anew, with the members it may have, for gps_unpack()
 * to decode (see line()), and each drain reads at most DRAIN_MAX bytes:
 * frames never wait on gpsd.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <gps.h>

#include "alpr.h"

#define RETRY_SEC 10	/* between attempts to reach gpsd */
#define GPS_LINE_MAX 8192	/* longest gpsd line; libgps's is 4096 */
#define DRAIN_MAX 65536		/* bytes read per drain */

struct alpr_gps {
	struct gps_data_t gd;
	char host[256];
	char port[32];
	int open;
	int have;		/* a fix of mode 2D or better */
	struct alpr_gpsfix fix;
	struct timespec seen;	/* when fix.time last changed (monotonic) */
	long maxage_ms;
	int nofix_warned;	/* "no fix" said since the last fix */
	int stale_warned;	/* "too old" said since the last fresh fix */
	int conn_warned;	/* "unable to connect" said */
	time_t retry;		/* next attempt to connect */
	char line[GPS_LINE_MAX + 1];
	size_t len;
	int skip;		/* in a line too long: drop to its end */
	int bad_warned;		/* "not JSON" said on this connection */
};

static void
parse_hostport(struct alpr_gps *g, const char *s)
{
	const char *colon, *end;

	snprintf(g->host, sizeof g->host, "localhost");
	snprintf(g->port, sizeof g->port, "%s", DEFAULT_GPSD_PORT);
	if (!s || !*s)
		return;
	if (*s == '[' && (end = strchr(s, ']'))) {	/* [::1]:2947 */
		snprintf(g->host, sizeof g->host, "%.*s",
		    (int)(end - s - 1), s + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if ((colon = strrchr(s, ':')) && strchr(s, ':') == colon) {
		if (colon > s)
			snprintf(g->host, sizeof g->host, "%.*s",
			    (int)(colon - s), s);
	} else {
		colon = NULL;
		snprintf(g->host, sizeof g->host, "%s", s);
	}
	if (colon && colon[1])
		snprintf(g->port, sizeof g->port, "%s", colon + 1);
}

static int
gps_connect(struct alpr_gps *g)
{
	g->retry = time(NULL) + RETRY_SEC;
	if (gps_open(g->host, g->port, &g->gd) != 0) {
		if (!g->conn_warned)
			alpr_warn("unable to connect to gpsd at %s:%s: %s; "
			    "frames get no position until it answers",
			    g->host, g->port, gps_errstr(errno));
		g->conn_warned = 1;
		return -1;
	}
	if (gps_stream(&g->gd, WATCH_ENABLE | WATCH_JSON, NULL) != 0) {
		alpr_warn("unable to watch gpsd at %s:%s", g->host, g->port);
		gps_close(&g->gd);
		return -1;
	}
	if (g->conn_warned)
		alpr_warn("connected to gpsd at %s:%s", g->host, g->port);
	g->conn_warned = 0;
	g->open = 1;
	g->len = 0;
	g->skip = 0;
	g->bad_warned = 0;
	return 0;
}

static void
update(struct alpr_gps *g)
{
	struct gps_fix_t *f = &g->gd.fix;

	if (f->mode >= MODE_2D && isfinite(f->latitude) &&
	    isfinite(f->longitude) && fabs(f->latitude) <= 90 &&
	    fabs(f->longitude) <= 180) {
		if (!g->have || !f->time.tv_sec ||
		    f->time.tv_sec != g->fix.time.tv_sec ||
		    f->time.tv_nsec != g->fix.time.tv_nsec) {
			clock_gettime(CLOCK_MONOTONIC, &g->seen);
			g->stale_warned = 0;
		}
		g->have = 1;
		g->fix.lat = f->latitude;
		g->fix.lon = f->longitude;
		g->fix.time = f->time;
		/* gpsd's estimate of the horizontal error, else the larger
		 * of its latitude and longitude errors (metres, 95%) */
		g->fix.err = isfinite(f->eph) ? f->eph :
		    isfinite(f->epx) && isfinite(f->epy) ? fmax(f->epx, f->epy) :
		    NAN;
		g->nofix_warned = 0;
	} else if (f->mode == MODE_NO_FIX)
		g->have = 0;
}

static void
bad_line(struct alpr_gps *g, const char *what)
{
	if (!g->bad_warned)
		alpr_warn("warning: gpsd at %s:%s sent %s: ignored", g->host,
		    g->port, what);
	g->bad_warned = 1;
}

/*
 * What of a TPV report libgps is given: these members, of these types
 * (strings printable and short). libgps 3.22's parser loops for ever on
 * some valid JSON too ('{"class":"TPV","class":"VERSION"}', found by
 * tests/fuzz/gpsd.c), so it sees only a line jansson wrote: one object,
 * no duplicate keys, nothing else.
 */
static const char *const tpv_num[] = { "mode", "status", "ept", "lat", "lon",
    "alt", "altHAE", "altMSL", "epx", "epy", "epv", "eph", "sep", "track",
    "speed", "climb", "eps", "epc" };
static const char *const tpv_str[] = { "class", "device", "time" };

static int
short_text(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= 64 || (unsigned char)s[i] < ' ' || s[i] == 0x7f ||
		    s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* One whole line from gpsd: a TPV report is rewritten for libgps; other
 * classes carry nothing capture uses. */
static void
line(struct alpr_gps *g)
{
	json_t *j, *t, *v;
	const char *cls;
	char *s;
	size_t i;

	j = json_loadb(g->line, g->len, JSON_REJECT_DUPLICATES, NULL);
	g->len = 0;
	if (!json_is_object(j) || !(cls = alpr_rec_str(j, "class"))) {
		bad_line(g, "a line that is not a JSON object with a \"class\"");
		json_decref(j);
		return;
	}
	if (strcmp(cls, "TPV")) {
		json_decref(j);
		return;
	}
	t = json_object();
	for (i = 0; i < sizeof tpv_str / sizeof *tpv_str; i++)
		if ((v = json_object_get(j, tpv_str[i])) && json_is_string(v) &&
		    short_text(json_string_value(v)))
			json_object_set(t, tpv_str[i], v);
	for (i = 0; i < sizeof tpv_num / sizeof *tpv_num; i++)
		if ((v = json_object_get(j, tpv_num[i])) && json_is_number(v) &&
		    isfinite(json_number_value(v)))
			json_object_set(t, tpv_num[i], v);
	if ((s = json_dumps(t, JSON_COMPACT | JSON_ENSURE_ASCII))) {
		if (gps_unpack(s, &g->gd) == 0)
			update(g);
		free(s);
	}
	json_decref(t);
	json_decref(j);
}

void
alpr_gps_feed(struct alpr_gps *g, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (!g->skip && g->len + k > GPS_LINE_MAX) {
			bad_line(g, "a line longer than 8192 bytes");
			g->skip = 1;
		}
		if (!g->skip) {
			memcpy(g->line + g->len, p, k);
			g->len += k;
		}
		if (nl) {
			if (!g->skip)
				line(g);
			g->skip = 0;
			g->len = 0;
			k++;
		}
		p += k;
		n -= k;
	}
}

/* Read what is waiting, waiting up to ms for the first bytes. */
static void
drain(struct alpr_gps *g, int ms)
{
	struct pollfd pfd;
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	while (g->open && total < DRAIN_MAX) {
		pfd.fd = g->gd.gps_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) <= 0)
			return;
		ms = 0;
		if ((n = recv(g->gd.gps_fd, buf, sizeof buf, 0)) < 0 &&
		    (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			alpr_warn("lost connection to gpsd at %s:%s",
			    g->host, g->port);
			gps_close(&g->gd);
			g->open = 0;
			g->have = 0;
			g->retry = time(NULL) + RETRY_SEC;
			return;
		}
		alpr_gps_feed(g, buf, n);
		total += n;
	}
}

struct alpr_gps *
alpr_gps_open(const char *hostport, int wait_ms, long maxage_ms)
{
	struct alpr_gps *g = alpr_calloc(1, sizeof *g);
	struct timespec t0, t;
	long left;

	parse_hostport(g, hostport);
	g->maxage_ms = maxage_ms;
	if (gps_connect(g) < 0)
		return g;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (g->open && !g->have) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = wait_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		drain(g, left > 100 ? 100 : (int)left);
	}
	return g;
}

void
alpr_gps_read(struct alpr_gps *g)
{
	if (!g->open && time(NULL) >= g->retry)
		gps_connect(g);
	drain(g, 0);
}

int
alpr_gps_fix(struct alpr_gps *g, struct alpr_gpsfix *fix)
{
	struct timespec now;
	long age;

	alpr_gps_read(g);
	clock_gettime(CLOCK_MONOTONIC, &now);
	age = (now.tv_sec - g->seen.tv_sec) * 1000 +
	    (now.tv_nsec - g->seen.tv_nsec) / 1000000;
	if (g->have && age <= g->maxage_ms) {
		*fix = g->fix;
		return 1;
	}
	if (g->have) {
		if (!g->stale_warned)
			alpr_warn("the last GPS fix from gpsd at %s:%s is %.1f s "
			    "old (the receiver is silent): frames get no "
			    "position until a new one comes", g->host, g->port,
			    age / 1000.0);
		g->stale_warned = 1;
		return 0;
	}
	if (!g->nofix_warned && !g->conn_warned)
		alpr_warn("no GPS fix from gpsd at %s:%s: frames get no "
		    "position", g->host, g->port);
	g->nofix_warned = 1;
	return 0;
}

int
alpr_gps_fd(struct alpr_gps *g)
{
	return g->open ? g->gd.gps_fd : -1;
}

void
alpr_gps_close(struct alpr_gps *g)
{
	if (!g)
		return;
	if (g->open) {
		gps_stream(&g->gd, WATCH_DISABLE, NULL);
		gps_close(&g->gd);
	}
	free(g);
}
