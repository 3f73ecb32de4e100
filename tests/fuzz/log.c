/*
 * Fuzz the access log's readers: lib/log/logverify.c (alpr-audit verify) and
 * the writer's (lib/log/log.c: open, append, checkpoint, close) on the files of
 * a log directory. The input is the files one after another, each ended
 * by a line "@@@@": log.ndjson, checkpoints.ndjson, keys.ndjson,
 * config.json, pubkey, secret/key, secret/next, state. The seeds are real
 * logs (tests/fuzz/mkseeds), made at the time set here.
 */
#include <unistd.h>

#include "fuzz.h"

static const char *const files[] = { ALPR_LOG_ENTRIES, ALPR_LOG_CHECKPOINTS,
    ALPR_LOG_KEYS, ALPR_LOG_CONFIG, ALPR_LOG_PUBKEY, ALPR_LOG_SECRET,
    ALPR_LOG_SECRET_NEXT, "state" };
#define NFILES (sizeof files / sizeof *files)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_setup(), *p = (const char *)data, *end = p + size;
	const char *sep;
	struct alpr_logverify v;
	struct alpr_log *l;
	char path[256], *note;
	json_t *e;
	size_t i, n;

	setenv("ALPR_LOG_NOW", "2026-01-05T12:30:00.00Z", 1);
	setenv("ALPR_USER", "fuzz", 1);
	snprintf(path, sizeof path, "%s/secret", dir);
	alpr_mkdirs(path, 0700);
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
		if (p >= end)
			continue;
		sep = memmem(p, end - p, "@@@@\n", 5);
		n = sep ? (size_t)(sep - p) : (size_t)(end - p);
		fuzz_file(dir, files[i], p, n);
		p += n + (sep ? 5 : 0);
	}
	memset(&v, 0, sizeof v);
	v.dir = dir;
	v.keep_leaves = 1;
	alpr_log_verify(&v);
	alpr_logverify_free(&v);
	if ((l = alpr_log_open(dir))) {
		e = json_pack("{s:s,s:s}", "action", "search", "plate", "FUZZ1");
		alpr_log_append(l, e);
		json_decref(e);
		if (alpr_log_checkpoint(l, &note) == 0)
			free(note);
		alpr_log_close(l);
	}
	return 0;
}
