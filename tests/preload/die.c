/*
 * die.so: a crash, or a pause, at a chosen point, for the tests
 * (LD_PRELOAD).
 *
 *	ALPR_TEST_DIE=CALL:TEXT [ALPR_TEST_DIE_AFTER=N]
 *
 * kills the process with SIGKILL, as a power cut or kill -9 would, when
 * it calls CALL (rename, remove, unlink, openat, ...) on a path holding TEXT,
 * after N such calls that went through (0 by default). For rename, the
 * new path is the one looked at. Nothing is done before the kill: the
 * call does not happen. CALL may also be open or unlinkat (the path
 * given); fopen(3) and calls inside libc (remove's own unlink) are not
 * caught.
 *
 *	ALPR_TEST_STALL=crypto_pwhash_str_verify:SECONDS
 *
 * sleeps that long after a password is checked, so that a test can change
 * the account while a login stands between its check and its commit.
 *
 *	ALPR_TEST_STALL=json_loadb:TEXT:SECONDS
 *
 * sleeps that long, once, after parsing a JSON text that holds TEXT (a
 * record of the store, opened), so that a test can change the record
 * while a command stands between reading it and reading it again.
 *
 *	ALPR_TEST_SYSLOG=FILE
 *
 * appends what is sent to syslog(3) to FILE instead, a line a message:
 * its priority and facility as numbers, a blank, the message.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

typedef struct json_t json_t;

#undef syslog		/* fortified, they are macros for the _chk ones */
#undef vsyslog

static int
fatal(const char *call, const char *path)
{
	static long seen;
	const char *e = getenv("ALPR_TEST_DIE"), *a;
	size_t n = strlen(call);

	if (!e || strncmp(e, call, n) || e[n] != ':' || !path ||
	    !strstr(path, e + n + 1))
		return 0;
	a = getenv("ALPR_TEST_DIE_AFTER");
	if (seen++ < (a ? atol(a) : 0))
		return 0;
	kill(getpid(), SIGKILL);
	pause();
	return 1;
}

int
rename(const char *from, const char *to)
{
	static int (*next)(const char *, const char *);

	if (!next)
		next = (int (*)(const char *, const char *))dlsym(RTLD_NEXT,
		    "rename");
	fatal("rename", to);
	return next(from, to);
}

int
remove(const char *path)
{
	static int (*next)(const char *);

	if (!next)
		next = (int (*)(const char *))dlsym(RTLD_NEXT, "remove");
	fatal("remove", path);
	return next(path);
}

int
unlink(const char *path)
{
	static int (*next)(const char *);

	if (!next)
		next = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
	fatal("unlink", path);
	return next(path);
}

int
openat(int dfd, const char *path, int flags, ...)
{
	static int (*next)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (!next)
		next = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT,
		    "openat");
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fatal("openat", path);
	return next(dfd, path, flags, mode);
}

int
crypto_pwhash_str_verify(const char *str, const char *passwd,
    unsigned long long passwdlen)
{
	static int (*next)(const char *, const char *, unsigned long long);
	const char *e = getenv("ALPR_TEST_STALL"), *w =
	    "crypto_pwhash_str_verify:";
	int r;

	if (!next)
		next = (int (*)(const char *, const char *,
		    unsigned long long))dlsym(RTLD_NEXT,
		    "crypto_pwhash_str_verify");
	r = next(str, passwd, passwdlen);
	if (e && !strncmp(e, w, strlen(w)))
		sleep(atoi(e + strlen(w)));
	return r;
}

json_t *json_loadb(const char *, size_t, size_t, void *);

json_t *
json_loadb(const char *buf, size_t n, size_t flags, void *err)
{
	static json_t *(*next)(const char *, size_t, size_t, void *);
	static int done;
	const char *e = getenv("ALPR_TEST_STALL"), *w = "json_loadb:", *t;
	char text[256];
	json_t *r;

	if (!next)
		next = (json_t *(*)(const char *, size_t, size_t,
		    void *))dlsym(RTLD_NEXT, "json_loadb");
	r = next(buf, n, flags, err);
	if (!done && e && !strncmp(e, w, strlen(w)) &&
	    (t = strrchr(e, ':')) && t > e + strlen(w) &&
	    (size_t)(t - e - strlen(w)) < sizeof text) {
		snprintf(text, sizeof text, "%.*s", (int)(t - e - strlen(w)),
		    e + strlen(w));
		if (memmem(buf, n, text, strlen(text))) {
			done = 1;
			sleep(atoi(t + 1));
		}
	}
	return r;
}

int
open(const char *path, int flags, ...)
{
	static int (*next)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (!next)
		next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT,
		    "open");
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fatal("open", path);
	return next(path, flags, mode);
}

int
unlinkat(int dfd, const char *path, int flags)
{
	static int (*next)(int, const char *, int);

	if (!next)
		next = (int (*)(int, const char *, int))dlsym(RTLD_NEXT,
		    "unlinkat");
	fatal("unlinkat", path);
	return next(dfd, path, flags);
}

static int
caught(int pri, const char *fmt, va_list ap)
{
	const char *f = getenv("ALPR_TEST_SYSLOG");
	FILE *o;

	if (!f || !(o = fopen(f, "a")))
		return 0;
	fprintf(o, "%d ", pri);
	vfprintf(o, fmt, ap);
	fputc('\n', o);
	fclose(o);
	return 1;
}

void
vsyslog(int pri, const char *fmt, va_list ap)
{
	static void (*next)(int, const char *, va_list);
	va_list aq;

	va_copy(aq, ap);
	if (caught(pri, fmt, aq)) {
		va_end(aq);
		return;
	}
	va_end(aq);
	if (!next)
		next = (void (*)(int, const char *, va_list))dlsym(RTLD_NEXT,
		    "vsyslog");
	next(pri, fmt, ap);
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}
