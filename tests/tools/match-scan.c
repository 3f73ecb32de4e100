/*
 * match-scan: test driver for lib/jscan.c's record scan. For each line of
 * stdin prints what the scan found ("scan TYPE V PLATE,PLATE...", then
 * " +N" for N plates past those it keeps, or "unsure")
 * and whether jansson and alpr_record_check agree: a line the scan takes
 * must be a valid record with the same type, version and plates, else the
 * line is printed as "MISMATCH".
 */
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

static int
agree(const char *line, size_t n, const struct alpr_jscan_rec *s)
{
	json_t *j, *c;
	size_t i;
	int k = 0, ok;
	const char *p;

	if (!(j = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL)))
		return 0;
	ok = !alpr_record_check(j) &&
	    strlen(alpr_rec_str(j, "type")) == s->ntype &&
	    !memcmp(alpr_rec_str(j, "type"), s->type, s->ntype) &&
	    json_integer_value(json_object_get(j, "v")) == s->v &&
	    !!json_object_get(j, "hits") == s->hits;
	/* the plates it keeps, the same; those past them, counted */
	if (ok && (p = alpr_rec_str(j, "plate")))
		ok = k >= s->nplates || (strlen(p) == s->nplate[k] &&
		    !memcmp(p, s->plate[k], s->nplate[k])), k++;
	json_array_foreach(json_object_get(j, "candidates"), i, c)
		if (ok && (p = alpr_rec_str(c, "plate")))
			ok = k >= s->nplates || (strlen(p) == s->nplate[k] &&
			    !memcmp(p, s->plate[k], s->nplate[k])), k++;
	json_decref(j);
	return ok && k == s->nplates + s->dropped;
}

int
main(int argc, char **argv)
{
	struct alpr_jscan_rec s;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int i;

	alpr_setprogname(argv[0]);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!alpr_jscan_record(line, n, &s)) {
			printf("unsure\n");
			continue;
		}
		if (!agree(line, n, &s)) {
			printf("MISMATCH %s\n", line);
			continue;
		}
		printf("scan %.*s %ld%s", (int)s.ntype, s.type, s.v,
		    s.hits ? " hits" : "");
		for (i = 0; i < s.nplates; i++)
			printf("%c%.*s", i ? ',' : ' ', (int)s.nplate[i],
			    s.plate[i]);
		if (s.dropped)
			printf(" +%d", s.dropped);
		putchar('\n');
	}
	free(line);
	return 0;
}
