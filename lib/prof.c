/*
 * prof.c: per-frame stage timing, on only when $ALPR_PROFILE is set. The
 * time is the process's CPU time (all threads), so that stages sharing one
 * core in a pipeline are not charged for each other.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "alpr.h"

static int prof_fd = -2;	/* -2 not yet looked at, -1 off */
static struct timespec prof_t0;

static int
prof_on(void)
{
	const char *path;

	if (prof_fd == -2) {
		path = getenv("ALPR_PROFILE");
		prof_fd = -1;
		if (path && *path &&
		    (prof_fd = open(path, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0666)) < 0)
			alpr_warn("unable to open %s:", path);
	}
	return prof_fd >= 0;
}

void
alpr_prof_begin(void)
{
	if (prof_on())
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &prof_t0);
}

void
alpr_prof_end(json_t *rec, const char *stage)
{
	struct timespec t;
	const char *id;
	char line[256];
	int n;

	if (!prof_on())
		return;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	id = alpr_rec_str(rec, "id");
	n = snprintf(line, sizeof line, "%s\t%s\t%.3f\n", stage, id ? id : "",
	    (t.tv_sec - prof_t0.tv_sec) * 1e3 +
	    (t.tv_nsec - prof_t0.tv_nsec) / 1e6);
	if (n > 0 && n < (int)sizeof line)
		(void)!write(prof_fd, line, n);	/* one write: atomic append */
}
