/*
 * fuzz.h: what the harnesses in tests/fuzz share. Each NAME.c defines
 * LLVMFuzzerTestOneInput for one parser of outside input; linked with
 * replay.c it replays files (make check, tests/0010-fuzz-corpus.t), built
 * with clang -fsanitize=fuzzer it fuzzes (make fuzz, scripts/fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The library's messages on stderr go nowhere (a sanitizer writes its
 * reports to file descriptor 2 itself); a scratch directory per process. */
static inline const char *
fuzz_setup(void)
{
	static char dir[64];

	if (dir[0])
		return dir;
	if (!getenv("FUZZ_VERBOSE"))
		stderr = fopen("/dev/null", "w");
	alpr_setprogname("fuzz");
	alpr_crypto_init();
	snprintf(dir, sizeof dir, "%s/alpr-fuzz.%ld",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	alpr_mkdirs(dir, 0700);
	return dir;
}

/* Write p[0..n) to DIR/name. */
static inline void
fuzz_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}
