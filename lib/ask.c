/* ask.c: questions on the terminal, secrets without echo. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

int
alpr_ask(const char *prompt, int echo, char *buf, size_t n)
{
	struct termios old, quiet;
	size_t len = 0;
	ssize_t r;
	char c;
	int fd, restore = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto fail;
	if (!echo && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (len + 1 < n)
			buf[len++] = c;
	}
	buf[len] = '\0';
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		(void)!write(fd, "\n", 1);
	}
	close(fd);
	return r < 0 ? -1 : 0;
fail:
	close(fd);
	return -1;
}

int
alpr_read_secret(const char *path, int lineno, char *buf, size_t n)
{
	unsigned char *data;
	char *p, *nl;
	size_t len;
	int i;

	if (alpr_read_file(path, &data, &len) < 0)
		return -1;
	p = (char *)data;
	for (i = 1; i < lineno && p; i++)
		p = (nl = strchr(p, '\n')) ? nl + 1 : NULL;
	if (!p || !*p) {
		sodium_memzero(data, len);
		free(data);
		errno = ENODATA;
		return -1;
	}
	len = strcspn(p, "\r\n");
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	sodium_memzero(data, strlen((char *)data));
	free(data);
	return 0;
}
