/*
 * match-run: run a command, stdin from IN and stdout to OUT, and print
 * "WALL_SECONDS CPU_SECONDS MAXRSS_KB" for scripts/bench-match. Exits as
 * the command did.
 *
 *	match-run IN OUT command [arg ...]
 */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alpr.h"

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int st, fd;

	alpr_setprogname(argv[0]);
	if (argc < 4) {
		fprintf(stderr, "usage: match-run IN OUT command [arg ...]\n");
		return ALPR_EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to fork:");
	if (pid == 0) {
		if ((fd = open(argv[1], O_RDONLY)) < 0 || dup2(fd, 0) < 0 ||
		    (fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
		    dup2(fd, 1) < 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: %s, %s:", argv[1],
			    argv[2]);
		execvp(argv[3], argv + 3);
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to run %s:", argv[3]);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: wait:");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f %.3f %ld\n", (t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss);
	return WIFEXITED(st) ? WEXITSTATUS(st) : ALPR_EXIT_SYS;
}
