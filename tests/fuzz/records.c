/*
 * Fuzz the NDJSON record readers: alpr_read_record (lib/rec.c) over the
 * input, and on each line alpr_jscan_record and alpr_jscan_object
 * (lib/jscan.c), whose answers must agree with jansson's: a line jscan
 * calls a valid record must parse to the same type, version, "hits" and
 * plates (the record's, then its candidates').
 */
#include "fuzz.h"

/* Does jscan's i-th plate equal p? */
static int
same(const struct alpr_jscan_rec *r, int i, const char *p)
{
	return i < r->nplates && strlen(p) == r->nplate[i] &&
	    !memcmp(p, r->plate[i], r->nplate[i]);
}

static void
differ(const char *line, size_t n)
{
	struct alpr_jscan_member m[] = { { "type", 0, 0 }, { "plate", 0, 0 } };
	struct alpr_jscan_rec r;
	json_t *j, *c;
	const char *t, *p;
	size_t i;
	int k = 0;

	alpr_jscan_object(line, n, m, 2);
	if (!alpr_jscan_record(line, n, &r))
		return;
	if (!(j = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL)) ||
	    alpr_record_check(j))
		abort();	/* jscan took what jansson refuses */
	t = alpr_rec_str(j, "type");
	if (strlen(t) != r.ntype || memcmp(t, r.type, r.ntype) ||
	    json_integer_value(json_object_get(j, "v")) != r.v ||
	    !json_object_get(j, "hits") != !r.hits)
		abort();
	/* the plate, then each candidate's, as far as jscan keeps them */
	if ((p = alpr_rec_str(j, "plate")) && !same(&r, k++, p))
		abort();
	c = json_object_get(j, "candidates");
	for (i = 0; json_is_array(c) && i < json_array_size(c); i++)
		if ((p = alpr_rec_str(json_array_get(c, i), "plate")) &&
		    k < ALPR_JSCAN_PLATES && !same(&r, k++, p))
			abort();
	if (k != r.nplates)
		abort();
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alpr_reader r;
	const char *p = (const char *)data, *nl;
	json_t *rec;
	FILE *f;

	fuzz_setup();
	for (; (nl = memchr(p, '\n', (const char *)data + size - p));
	    p = nl + 1)
		differ(p, nl - p);
	differ(p, (const char *)data + size - p);
	if (!(f = fmemopen((void *)data, size ? size : 1, "r")))
		return 0;
	alpr_reader_init(&r, f, "fuzz");
	while (size && alpr_read_record(&r, &rec) > 0)
		json_decref(rec);
	alpr_reader_free(&r);
	fclose(f);
	return 0;
}
