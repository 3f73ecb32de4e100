/* Fuzz lib/recognition/image.c: JPEG and PNG headers and decoding (libjpeg-turbo,
 * libpng through Leptonica), at most 4 megapixels. */
#include <leptonica/allheaders.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	PIX *pix;
	int w, h;

	fuzz_setup();
	setenv("ALPR_MAX_PIXELS", "4000000", 1);
	alpr_image_info(data, size, &w, &h);
	if ((pix = alpr_image_decode(data, size, size & 1 ? 8 : 1, 1, err,
	    sizeof err)))
		pixDestroy(&pix);
	return 0;
}
