/* Fuzz lib/capture/gps.c: bytes from whatever answers on the gpsd port, cut into
 * lines, checked and decoded by libgps. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alpr_gps *g;
	struct alpr_gpsfix fix;

	fuzz_setup();
	if (!g)		/* nothing listens there: no connection, no waiting */
		g = alpr_gps_open("127.0.0.1:1", 0, 5000);
	alpr_gps_feed(g, (const char *)data, size);
	alpr_gps_feed(g, "\n", 1);
	alpr_gps_fix(g, &fix);
	return 0;
}
