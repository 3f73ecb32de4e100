/*
 * spool.c: the content-addressed frame spool, DIR/ab/abcdef... by SHA-256.
 * Frames are personal information: the folders made are 0700, the frames
 * 0600.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

const char *
alpr_spool_dir(const char *opt)
{
	static char def[4096];
	const char *e, *home;

	if (opt && *opt)
		return opt;
	if ((e = getenv("ALPR_SPOOL")) && *e)
		return e;
	home = getenv("HOME");
	snprintf(def, sizeof def, "%s/.local/share/alpr/spool",
	    home && *home ? home : ".");
	return def;
}

int
alpr_spool_name_ok(const char *s)
{
	return strlen(s) == ALPR_SHA256_HEX - 1 &&
	    strspn(s, "0123456789abcdef") == ALPR_SHA256_HEX - 1;
}

char *
alpr_spool_path(const char *dir, const char *hex)
{
	size_t n = strlen(dir) + strlen(hex) + 5;
	char *p = alpr_malloc(n);

	snprintf(p, n, "%s/%.2s/%s", dir, hex, hex);
	return p;
}

int
alpr_spool_put(const char *dir, const void *p, size_t n,
    char hex[ALPR_SHA256_HEX])
{
	char *path, *slash;
	int r = 0;

	alpr_sha256_hex(p, n, hex);
	path = alpr_spool_path(dir, hex);
	if (access(path, F_OK) == 0)
		goto out;	/* same bytes, same name: already there */
	slash = strrchr(path, '/');
	*slash = '\0';
	r = alpr_mkdirs(path, 0700);
	*slash = '/';
	if (r == 0)
		r = alpr_write_atomic_mode(path, p, n, 0600);
out:
	free(path);
	return r;
}
