/*
 * replay: run a harness's LLVMFuzzerTestOneInput on each file named, or on
 * each file of each directory named, and say how many; any crash, sanitizer
 * report or hang (under the caller's timeout) is a failure. A plain build:
 * make check replays the seed corpus this way.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
one(const char *path)
{
	unsigned char *p;
	size_t n;

	if (alpr_read_file(path, &p, &n) < 0) {
		fprintf(stdout, "replay: unable to read %s\n", path);
		exit(3);
	}
	LLVMFuzzerTestOneInput(p, n);
	free(p);
	return 1;
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	long count = 0;
	DIR *d;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!(d = opendir(argv[i])))
				return 3;
			while ((de = readdir(d)))
				if (de->d_name[0] != '.') {
					snprintf(path, sizeof path, "%s/%s",
					    argv[i], de->d_name);
					count += one(path);
				}
			closedir(d);
		} else
			count += one(argv[i]);
	}
	printf("%ld inputs\n", count);
	return 0;
}
