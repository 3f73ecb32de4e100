/* Fuzz lib/capture/capture.c: the MJPEG stream splitter, fed through a memfd. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static void
frame(const unsigned char *p, size_t n, const char *name, long seq, void *arg)
{
	const uint8_t *d = arg;

	if (n < 4 || p[0] != 0xff || p[1] != 0xd8 || p[n - 2] != 0xff ||
	    p[n - 1] != 0xd9 || seq < 1)
		abort();	/* a frame is SOI ... EOI */
	(void)d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long seq = 0;
	int fd;

	fuzz_setup();
	if ((fd = memfd_create("mjpeg", 0)) < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET))
		abort();
	alpr_mjpeg_read(fd, "fuzz", &seq, frame, (void *)data);
	close(fd);
	return 0;
}
