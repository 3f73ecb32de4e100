/* data.c: data files (patterns, models) installed under share/alpr, and
 * the folder of the running program. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

#ifndef ALPR_DATADIR
#define ALPR_DATADIR "/usr/local/share/alpr"
#endif

static char *
try(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = alpr_malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *
alpr_self_dir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		alpr_die(ALPR_EXIT_SYS, "unable to find the running program:");
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	return alpr_strdup(exe);
}

char *
alpr_datafile(const char *name)
{
	char exe[PATH_MAX], *p, *slash;
	const char *env = getenv("ALPR_DATADIR");
	ssize_t n;

	if (env && *env && (p = try(env, name)))
		return p;
	n = readlink("/proc/self/exe", exe, sizeof exe - 32);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			strcpy(slash, "/../share/alpr");
			if ((p = try(exe, name)))
				return p;
		}
	}
	return try(ALPR_DATADIR, name);
}
