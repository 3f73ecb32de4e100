/* Fuzz lib/hotlist/hotlist.c: a hotlist file (CSV and its kin) read, committed,
 * indexed and matched, exactly and leniently. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const plates[] = { "7ABC123", "5XYZ999", "ABC",
	    "" };
	const char *dir = fuzz_setup();
	struct alpr_hlpolicy pol;
	struct alpr_hotlist *hl;
	struct alpr_hlstats st;
	char path[256];
	int lenient = size > 0 && (data[0] & 1);

	fuzz_file(dir, "list.csv", data, size);
	snprintf(path, sizeof path, "%s/list.csv", dir);
	alpr_hlpolicy_init(&pol);
	hl = alpr_hotlist_new(&pol);
	memset(&st, 0, sizeof st);
	if (alpr_hotlist_read(hl, path, NULL, lenient ? 1 : -1, 1767225600, 1,
	    &st) == 0)
		alpr_hotlist_commit(hl);
	else
		alpr_hotlist_drop(hl);
	alpr_hotlist_index(hl);
	alpr_hotlist_match(hl, plates, 4, 1767225600);
	alpr_hotlist_free(hl);
	alpr_hlpolicy_free(&pol);
	return 0;
}
