/*
 * capture-get: test driver that prints the named members of each record
 * on stdin, one line a record, separated by spaces: strings as they are,
 * integers in decimal, reals to 7 decimals, "-" when absent. With -k it
 * prints each record's member names instead.
 */
#include <string.h>

#include "alpr.h"

static void
put(json_t *v)
{
	char *s;

	if (!v)
		fputs("-", stdout);
	else if (json_is_string(v))
		fputs(json_string_value(v), stdout);
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%.7f", json_real_value(v));
	else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(s ? s : "?", stdout);
		free(s);
	}
}

int
main(int argc, char **argv)
{
	struct alpr_reader r;
	const char *key;
	json_t *rec, *v;
	int i, keys = argc > 1 && !strcmp(argv[1], "-k");

	alpr_setprogname(argv[0]);
	alpr_reader_init(&r, stdin, "-");
	while (alpr_read_record(&r, &rec) > 0) {
		i = 0;
		if (keys)
			json_object_foreach(rec, key, v)
				printf("%s%s", i++ ? " " : "", key);
		else
			for (i = 1; i < argc; i++) {
				if (i > 1)
					fputc(' ', stdout);
				put(json_object_get(rec, argv[i]));
			}
		fputc('\n', stdout);
		json_decref(rec);
	}
	alpr_reader_free(&r);
	return alpr_status;
}
