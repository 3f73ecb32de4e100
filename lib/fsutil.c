/* fsutil.c: files written whole or not at all. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alpr.h"

int
alpr_fsync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int fd, r;

	if (strlen(path) >= sizeof dir)
		return errno = ENAMETOOLONG, -1;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')))
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
alpr_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= w;
	}
	return 0;
}

int
alpr_write_atomic(const char *path, const void *p, size_t n)
{
	return alpr_write_atomic_mode(path, p, n, 0644);
}

int
alpr_write_atomic_mode(const char *path, const void *p, size_t n, int mode)
{
	char tmp[PATH_MAX];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof tmp)
		return errno = ENAMETOOLONG, -1;
	/* a new file of ours, never one a link points at */
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) < 0)
		return -1;
	if (alpr_write_all(fd, p, n) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	return alpr_fsync_dir(path);
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

int
alpr_mkdirs(const char *path, int mode)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Only a regular file is read: a FIFO would wait for a writer, a device such
 * as /dev/zero never ends. O_NONBLOCK keeps open(2) from waiting on a FIFO
 * before fstat(2) can tell what it is; a regular file ignores the flag.
 */
int
alpr_read_file_max(const char *path, unsigned char **pp, size_t *np,
    size_t max)
{
	unsigned char *p;
	struct stat sb;
	size_t n = 0, cap;
	ssize_t r;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0) {
		e = errno;
		close(fd);
		return errno = e, -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size < 0) {
		close(fd);
		return errno = S_ISDIR(sb.st_mode) ? EISDIR : ALPR_ENOTREG, -1;
	}
	if ((uintmax_t)sb.st_size > max) {
		close(fd);
		return errno = EFBIG, -1;
	}
	cap = sb.st_size + 3;	/* read to the end without growing */
	p = alpr_malloc(cap);
	for (;;) {
		if (n + 3 > cap) {
			if (cap - 3 >= max) {	/* it grew while read */
				e = EFBIG;
				goto fail;
			}
			cap = cap - 3 > max / 2 ? max + 3 : cap * 2;
			p = alpr_realloc(p, cap);
		}
		if ((r = read(fd, p + n, cap - 2 - n)) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	p[n] = p[n + 1] = '\0';
	*pp = p;
	*np = n;
	return 0;
fail:
	close(fd);
	free(p);
	errno = e;
	return -1;
}

int
alpr_read_file(const char *path, unsigned char **pp, size_t *np)
{
	return alpr_read_file_max(path, pp, np, ALPR_FILE_MAX);
}

char *
alpr_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = alpr_malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}
