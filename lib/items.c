/* items.c: inputs from arguments, or one per line on stdin. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alpr.h"

int
alpr_items(int argc, char **argv, alpr_item_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int i;

	if (argc > 0) {
		for (i = 0; i < argc; i++)
			fn(argv[i], arg);
		return 0;
	}
	if (isatty(0))
		return -1;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			fn(line, arg);
	}
	if (ferror(stdin))
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to read <stdin>:");
	free(line);
	return 0;
}
