/*
 * alpr-group: one read per vehicle pass.
 *
 * A camera sees a passing plate in many frames, and alpr-ocr writes a read
 * for each. The reads of one camera whose plates agree (one of the first
 * three candidates of one within three edits of one of the other's, the
 * confusion classes folded) and whose boxes are near each other in frames
 * close in time are one pass: alpr-group writes one read for it, with the
 * candidates of all its reads pooled, the members of its best frame, and
 * the ids of all its frames. A pass is written when no agreeing read has come for the gap
 * (-g), in frame time or, when the input is idle, in real time; and, so
 * that an alert is not held back, every -w seconds while the pass goes
 * on, with all that was seen of it so far. Other records pass through at
 * once.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alpr.h"

#define MAXOPEN		64	/* passes open at once */
#define MAXREADS	256	/* reads pooled in one pass */
/*
 * A read joins a pass when it agrees with one of its last BACK reads:
 * one of the first TOPK candidates of each within EDITS edits, box
 * centres NEAR widths apart or less. On passes made from the tuning half
 * of the bench (scripts/bench-group -H tune), two edits and the last read
 * alone left 35% of the passes in several groups, 1.74 a pass; these 23%
 * and 1.16, the plate read right as often (64.9%).
 */
#define BACK		3
#define TOPK		3
#define EDITS		3
#define NEAR		1.5
#define POOL		32	/* candidates kept from each read for pooling */

struct pass {
	char *id;		/* its first frame's id, "/", which read of
				 * that frame it began with */
	char *camera;
	json_t *reads[MAXREADS];	/* in order of arrival */
	int n;
	int written;		/* reads in the last record written */
	struct timespec t1;	/* frame time of its last read */
	struct timespec due;	/* frame time a record is due while it goes
				 * on: a wait after its first read, and
				 * every wait on */
	double wlast, wdue;	/* real time of its last read, and when a
				 * record is due by the same rule */
};

static double gap = 0.5;	/* -g */
static double hold = 1;		/* -w */
static int maxcand = 10;	/* -n */

static struct pass passes[MAXOPEN];
static int nopen;

static void
usage(const char *why)
{
	alpr_usage(why, "[-g gap] [-n candidates] [-w wait] [file ...]");
}

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
addtime(struct timespec *t, double s)
{
	long ns = t->tv_nsec + lround(fmod(s, 1) * 1e9);

	t->tv_sec += (time_t)s + ns / 1000000000;
	t->tv_nsec = ns % 1000000000;
}

/* A read's candidates (its plate first when it has none) as struct
 * alpr_cand; returns how many. */
static int
cands(json_t *rd, struct alpr_cand *c, int max)
{
	json_t *a = json_object_get(rd, "candidates"), *e;
	const char *p = alpr_rec_str(rd, "plate"), *reg = alpr_rec_str(rd,
	    "region"), *q;
	size_t i;
	int n = 0;

	json_array_foreach(a, i, e) {
		if (n >= max || !(q = alpr_rec_str(e, "plate")) ||
		    strlen(q) > ALPR_MAX_CHARS)
			continue;
		snprintf(c[n].plate, sizeof c[n].plate, "%s", q);
		c[n].conf = alpr_rec_num(e, "conf", 0);
		snprintf(c[n].region, sizeof c[n].region, "%s",
		    reg && p && !strcmp(p, q) ? reg : "");
		n++;
	}
	if (n == 0 && p && strlen(p) <= ALPR_MAX_CHARS && max > 0) {
		snprintf(c[0].plate, sizeof c[0].plate, "%s", p);
		c[0].conf = alpr_rec_num(rd, "conf", 0);
		snprintf(c[0].region, sizeof c[0].region, "%s", reg ? reg : "");
		n = 1;
	}
	return n;
}

static int
getbox(json_t *rd, double b[4])
{
	json_t *a = json_object_get(rd, "box");
	int i;

	if (!json_is_array(a) || json_array_size(a) != 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if (!json_is_number(json_array_get(a, i)))
			return -1;
		b[i] = json_number_value(json_array_get(a, i));
	}
	return b[2] > 0 && b[3] > 0 ? 0 : -1;
}

/* Do two reads agree: plates within an edit of each other, boxes near? */
static int
agree(json_t *a, json_t *b)
{
	struct alpr_cand ca[TOPK], cb[TOPK];
	double ba[4], bb[4], w;
	int na, nb, i, j;

	if (getbox(a, ba) == 0 && getbox(b, bb) == 0) {
		w = fmax(ba[2], bb[2]);
		if (hypot(ba[0] + ba[2] / 2 - bb[0] - bb[2] / 2,
		    ba[1] + ba[3] / 2 - bb[1] - bb[3] / 2) > NEAR * w ||
		    fmax(ba[2], bb[2]) > 2 * fmin(ba[2], bb[2]))
			return 0;
	}
	na = cands(a, ca, TOPK);
	nb = cands(b, cb, TOPK);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (alpr_plate_near(ca[i].plate, cb[j].plate, EDITS))
				return 1;
	return 0;
}

/* Does read rd agree with one of the last reads of pass p? */
static int
joins(const struct pass *p, json_t *rd)
{
	int i;

	for (i = p->n - 1; i >= 0 && i >= p->n - BACK; i--)
		if (agree(p->reads[i], rd))
			return 1;
	return 0;
}

/* Write pass p: its best frame's read with the candidates of all its
 * reads pooled, its id and its frames. */
static void
write_pass(struct pass *p)
{
	static struct alpr_cand c[MAXREADS][POOL];
	const struct alpr_cand *lists[MAXREADS];
	struct alpr_cand out[64];
	int nc[MAXREADS], i, j, n, best = 0;
	double bc = -1, bb[4], area, barea = 0;
	json_t *rec, *a, *frames;

	for (i = 0; i < p->n; i++) {
		nc[i] = cands(p->reads[i], c[i], POOL);
		lists[i] = c[i];
	}
	n = alpr_plate_merge(lists, nc, p->n, out, maxcand);
	/* The best frame: the most confident of the pooled plate. */
	for (i = 0; n > 0 && i < p->n; i++)
		for (j = 0; j < nc[i]; j++) {
			if (strcmp(c[i][j].plate, out[0].plate))
				continue;
			area = getbox(p->reads[i], bb) == 0 ? bb[2] * bb[3] : 0;
			if (c[i][j].conf > bc ||
			    (c[i][j].conf == bc && area > barea)) {
				bc = c[i][j].conf;
				barea = area;
				best = i;
			}
		}
	rec = json_deep_copy(p->reads[best]);
	if (n > 0) {
		json_object_set_new(rec, "plate", json_string(out[0].plate));
		json_object_set_new(rec, "conf", json_real(
		    round(out[0].conf * 10) / 10));
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s,s:f}",
			    "plate", out[i].plate,
			    "conf", round(out[i].conf * 10) / 10));
		json_object_set_new(rec, "candidates", a);
		if (out[0].region[0])
			json_object_set_new(rec, "region",
			    json_string(out[0].region));
		else
			json_object_del(rec, "region");
	}
	frames = json_array();
	for (i = 0; i < p->n; i++)
		json_array_append(frames, json_object_get(p->reads[i], "id"));
	json_object_set_new(rec, "pass", json_string(p->id));
	json_object_set_new(rec, "frames", frames);
	alpr_write_record(stdout, rec);
	json_decref(rec);
	p->written = p->n;
}

/* The pass ends: written unless its last record has all its reads. */
static void
close_pass(int k)
{
	struct pass *p = &passes[k];
	int i;

	if (p->n > p->written)
		write_pass(p);
	for (i = 0; i < p->n; i++)
		json_decref(p->reads[i]);
	free(p->camera);
	free(p->id);
	passes[k] = passes[--nopen];
}

/* Frame time t of camera cam: close the passes it has left behind and
 * write those that have gone on for the wait. */
static void
advance(const char *cam, const struct timespec *t)
{
	int k;

	for (k = nopen - 1; k >= 0; k--) {
		struct pass *p = &passes[k];
		if (strcmp(p->camera, cam))
			continue;
		if (since(&p->t1, t) > gap) {
			close_pass(k);
			continue;
		}
		if (since(&p->due, t) < 0)
			continue;
		if (p->n > p->written)
			write_pass(p);
		while (since(&p->due, t) >= 0)
			addtime(&p->due, hold);
	}
}

/* Real time: close the passes that nothing has joined for the gap, and
 * write those due. Returns the milliseconds until the next is due, or
 * -1 when none is open. */
static int
tick(void)
{
	double t = alpr_mono(), next = -1, d;
	int k;

	for (k = nopen - 1; k >= 0; k--) {
		struct pass *p = &passes[k];
		if (t - p->wlast >= gap) {
			close_pass(k);
			continue;
		}
		if (t >= p->wdue) {
			if (p->n > p->written)
				write_pass(p);
			while (t >= p->wdue)
				p->wdue += hold;
		}
		d = p->wlast + gap - t;
		if (p->n > p->written && p->wdue - t < d)
			d = p->wdue - t;
		if (next < 0 || d < next)
			next = d;
	}
	return next < 0 ? -1 : (int)ceil(next * 1000);
}

static void
add_read(const struct alpr_reader *r, json_t *rd)
{
	static char *lastid;	/* the frame of the read before, */
	static int nth;		/* and how many reads of it came */
	const char *cam = alpr_rec_str(rd, "camera");
	const char *ts = alpr_rec_str(rd, "ts"), *id = alpr_rec_str(rd, "id");
	struct timespec t;
	struct pass *p = NULL;
	int k;

	if (!cam)
		cam = "";
	if (!ts || alpr_time_parse(ts, &t) < 0 || !id) {
		alpr_rec_fail(r, "read without a valid \"ts\" and \"id\": "
		    "passed on ungrouped");
		alpr_write_record(stdout, rd);
		return;
	}
	if (lastid && !strcmp(lastid, id))
		nth++;
	else {
		free(lastid);
		lastid = alpr_strdup(id);
		nth = 1;
	}
	advance(cam, &t);
	for (k = 0; k < nopen; k++)
		if (!strcmp(passes[k].camera, cam) && joins(&passes[k], rd) &&
		    (!p || since(&p->t1, &passes[k].t1) > 0))
			p = &passes[k];
	if (p && p->n == MAXREADS) {
		close_pass(p - passes);
		p = NULL;
	}
	if (!p) {
		if (nopen == MAXOPEN) {	/* the one seen longest ago goes */
			for (k = 1, p = passes; k < nopen; k++)
				if (since(&passes[k].t1, &p->t1) > 0)
					p = &passes[k];
			close_pass(p - passes);
		}
		p = &passes[nopen++];
		memset(p, 0, sizeof *p);
		p->camera = alpr_strdup(cam);
		p->id = alpr_malloc(strlen(id) + 16);
		sprintf(p->id, "%s/%d", id, nth);
		p->due = t;
		addtime(&p->due, hold);
		p->wdue = alpr_mono() + hold;
	}
	json_incref(rd);
	p->reads[p->n++] = rd;
	p->t1 = t;
	p->wlast = alpr_mono();
}

static void
filter(FILE *f, const char *name)
{
	struct alpr_reader r;
	struct pollfd pfd;
	char *buf = NULL, *nl, *s;
	size_t len = 0, cap = 0;
	ssize_t got;
	json_t *rec;
	const char *type;
	int fd = fileno(f), ms;

	alpr_reader_init(&r, f, name);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if ((ms = tick()) >= 0 && poll(&pfd, 1, ms) == 0)
			continue;	/* idle: tick again */
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 131072;
			buf = alpr_realloc(buf, cap);
		}
		if ((got = read(fd, buf + len, cap - len)) < 0) {
			if (errno == EINTR)
				continue;
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to read %s:",
			    r.name);
		}
		len += got;
		for (s = buf; (nl = memchr(s, '\n', len - (s - buf))) ||
		    (got == 0 && s < buf + len); s = nl ? nl + 1 : buf + len) {
			r.line++;
			if (!alpr_parse_record(&r, s, nl ? (size_t)(nl - s) :
			    len - (s - buf), &rec))
				continue;
			type = alpr_rec_str(rec, "type");
			if (!strcmp(type, "read"))
				add_read(&r, rec);
			else
				alpr_write_record(stdout, rec);
			json_decref(rec);
		}
		memmove(buf, s, len - (s - buf));
		len -= s - buf;
		if (got == 0)
			break;
	}
	free(buf);
}

int
main(int argc, char *argv[])
{
	int c;

	alpr_setprogname(argv[0]);
	while ((c = alpr_getopt(argc, argv, "g:n:w:", NULL, usage)) != -1)
		switch (c) {
		case 'g': gap = alpr_strtod(optarg, 0.01, 3600, "-g"); break;
		case 'n': maxcand = alpr_strtonum(optarg, 1, 64, "-n"); break;
		case 'w': hold = alpr_strtod(optarg, 0.01, 3600, "-w"); break;
		default: usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (alpr_rec_files(argc, argv, filter) < 0)
		usage("no input: name record files or pipe records in");
	while (nopen > 0)
		close_pass(nopen - 1);
	alpr_fshut(stdout, "<stdout>");
	return alpr_status;
}
