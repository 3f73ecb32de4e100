/*
 * Fuzz the NDJSON record readers: alpr_read_record (lib/rec.c) over the
 * input, and on each line alpr_jscan_record and alpr_jscan_object
 * (lib/jscan.c), whose answers must agree with jansson's: a line jscan
 * calls a valid record must parse to the same type, version and plates.
 */
#include "fuzz.h"

static void
differ(const char *line, size_t n)
{
	struct alpr_jscan_member m[] = { { "type", 0, 0 }, { "plate", 0, 0 } };
	struct alpr_jscan_rec r;
	json_t *j, *c;
	const char *t, *p;
	size_t i;

	alpr_jscan_object(line, n, m, 2);
	if (!alpr_jscan_record(line, n, &r))
		return;
	if (!(j = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL)) ||
	    alpr_record_check(j))
		abort();	/* jscan took what jansson refuses */
	t = alpr_rec_str(j, "type");
	if (strlen(t) != r.ntype || memcmp(t, r.type, r.ntype) ||
	    json_integer_value(json_object_get(j, "v")) != r.v)
		abort();
	if ((p = alpr_rec_str(j, "plate")) && (r.nplates < 1 ||
	    strlen(p) != r.nplate[0] || memcmp(p, r.plate[0], r.nplate[0])))
		abort();
	c = json_object_get(j, "candidates");
	for (i = 0; json_is_array(c) && i < json_array_size(c) &&
	    (int)i + 1 < r.nplates; i++) {
		p = alpr_rec_str(json_array_get(c, i), "plate");
		if (p && (strlen(p) != r.nplate[i + 1] ||
		    memcmp(p, r.plate[i + 1], r.nplate[i + 1])))
			abort();
	}
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
