/* Fuzz lib/log/note.c: signed checkpoints and verifier keys, as alpr-audit
 * reads them from a log, a saved checkpoint or a proof. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char pk[ALPR_PK];
	struct alpr_checkpoint c;
	char *s, *name;
	int i;

	fuzz_setup();
	memset(pk, 7, sizeof pk);
	s = alpr_malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (!alpr_checkpoint_parse(s, size, &c))
		for (i = 0; i < c.nsig; i++)
			alpr_checkpoint_check(&c, i, c.origin, pk);
	alpr_checkpoint_free(&c);
	if (!alpr_note_vkey_parse(s, &name, pk))
		free(name);
	free(s);
	return 0;
}
