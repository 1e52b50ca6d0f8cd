/*
 * open-loop: N open()+close() of one file, timed; the traced workload of the capture
 * benchmark (scripts/e2e/bench-capture.sh). Prints "N opens in S s (U us/open)".
 *
 *   open-loop [N] [PATH]    defaults: 1000000 /etc/hostname
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	printf("%ld opens in %.3f s (%.3f us/open)\n", n, seconds, seconds * 1e6 / (double)n);
	return 0;
}
