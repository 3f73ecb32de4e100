/* rec-echo: test driver for lib/rec.c and lib/time.c; echoes the records of
 * its files (or stdin) and, with -t, parses and reformats RFC 3339 times. */
#include <string.h>
#include <unistd.h>

#include "alpr.h"

static void
echo(FILE *f, const char *name)
{
	struct alpr_reader r;
	json_t *rec;

	alpr_reader_init(&r, f, name);
	while (alpr_read_record(&r, &rec) > 0) {
		alpr_write_record(stdout, rec);
		json_decref(rec);
	}
	alpr_reader_free(&r);
}

int
main(int argc, char **argv)
{
	struct timespec ts;
	char buf[ALPR_TIME_LEN];
	int i;

	alpr_setprogname(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "-t")) {
		for (i = 2; i < argc; i++) {
			if (alpr_time_parse(argv[i], &ts) < 0) {
				alpr_fail("bad time: %s", argv[i]);
				continue;
			}
			alpr_time_fmt(&ts, buf);
			printf("%s %lld\n", buf, (long long)ts.tv_sec);
		}
		return alpr_status;
	}
	alpr_rec_files(argc - 1, argv + 1, echo);
	return alpr_status;
}
