/*
 * gps.c: the latest position from gpsd, through libgps. The watch is
 * drained without blocking whenever a frame wants a position; a fix is
 * kept until gpsd reports a newer one or reports that the fix is lost, or
 * until it is older than maxage: gpsd stays up when the receiver goes
 * silent, and keeps no newer fix. A fix's age is by this machine's clock
 * from when its time last changed, since the receiver's time and the
 * machine's need not agree.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gps.h>

#include "alpr.h"

#define RETRY_SEC 10	/* between attempts to reach gpsd */

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

/* Read what is waiting, waiting up to usec for the first message. */
static void
drain(struct alpr_gps *g, int usec)
{
	while (g->open && gps_waiting(&g->gd, usec)) {
		usec = 0;
		if (gps_read(&g->gd, NULL, 0) < 0) {
			alpr_warn("lost connection to gpsd at %s:%s",
			    g->host, g->port);
			gps_close(&g->gd);
			g->open = 0;
			g->have = 0;
			g->retry = time(NULL) + RETRY_SEC;
			return;
		}
		update(g);
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
		if (!gps_waiting(&g->gd, left > 100 ? 100000 : (int)left * 1000))
			continue;
		drain(g, 0);
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
