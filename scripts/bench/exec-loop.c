/*
 * exec-loop: N fork()+execve(PROG)+waitpid(), timed; the exec workload of the capture
 * overhead benchmark (scripts/bench/capture-overhead.sh). Each iteration is one fork, one exec
 * and one exit for a recorder. Prints "N execs in S s (U us/exec)".
 *
 *   exec-loop [N] [PROG]    defaults: 20000 /bin/true
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *const args[] = {(char *)prog, NULL};
	char *const env[] = {NULL};
	struct timespec start, end;
	long failed = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(prog, args, env);
			_exit(127);
		}
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		int status;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	printf("%ld execs in %.3f s (%.3f us/exec)\n", n, seconds, seconds * 1e6 / (double)n);
	if (failed)
		fprintf(stderr, "exec-loop: %ld children failed\n", failed);
	return failed ? 1 : 0;
}
