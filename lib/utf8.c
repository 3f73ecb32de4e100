/* utf8.c: checking UTF-8 text. */
#include "alpr.h"

int
alpr_utf8_ok(const unsigned char *s)
{
	int n;

	for (; *s; s++) {
		if (*s < 0x80)
			continue;
		if ((*s & 0xe0) == 0xc0 && *s >= 0xc2)
			n = 1;
		else if ((*s & 0xf0) == 0xe0)
			n = 2;
		else if ((*s & 0xf8) == 0xf0 && *s <= 0xf4)
			n = 3;
		else
			return 0;
		while (n--)
			if ((*++s & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

