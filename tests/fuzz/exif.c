/* Fuzz lib/capture/exif.c: EXIF in a JPEG or PNG, and a bare TIFF structure. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alpr_exif ex;
	struct timespec ts;

	fuzz_setup();
	if (alpr_exif_read(data, size, &ex) == 0)
		alpr_exif_time(&ex, &ts);
	if (alpr_exif_tiff(data, size, &ex) == 0)
		alpr_exif_time(&ex, &ts);
	return 0;
}
