/*
 * loupe-actions: the known actions of Loupe's end-to-end capture tests, in one static binary
 * that runs unchanged on the host, in a Docker container and in a runc "pod" container.
 *
 *   loupe-actions TAG [DNS_SERVER]   perform every action once; TAG marks the run
 *   loupe-actions --child TAG        (internal) the exec'd child of the exec action
 *   loupe-actions --sleep SECONDS    stay alive (a long-running container's init)
 *
 * Actions, in order: exec of itself (argv carries TAG), open of /etc/shadow, TCP listen +
 * connect + accept on 127.0.0.1, a DNS query for TAG.loupe-e2e.example. over UDP to
 * DNS_SERVER:53 (default 127.0.0.1) waiting up to 1 s for an answer, unshare(CLONE_NEWUTS),
 * symlink and hardlink over /etc/shadow (in /tmp), PTRACE_ATTACH of a child, finit_module and
 * init_module attempts, io_uring_setup, bpf(BPF_PROG_LOAD). Failures are expected in
 * unprivileged containers and ignored: the attempt is what the capture must show.
 * Prints "done TAG pid PID" at the end.
 *
 * Built static by scripts/e2e/build-actions.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attempts.h"

static void do_exec(const char *self, const char *tag)
{
	pid_t child = fork();
	if (child == 0) {
		char *argv[] = {(char *)self, "--child", (char *)tag, NULL};
		char *envp[] = {"PATH=/bin:/usr/bin", "LD_PRELOAD=", NULL};
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	int status;
	waitpid(child, &status, 0);
}

static void do_open(void)
{
	int fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static void do_tcp(void)
{
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t length = sizeof(address);
	if (bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(listener, 4) != 0)
		goto out;
	getsockname(listener, (struct sockaddr *)&address, &length);
	int client = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(client, (struct sockaddr *)&address, sizeof(address)) == 0) {
		int accepted = accept(listener, NULL, NULL);
		if (accepted >= 0)
			close(accepted);
	}
	close(client);
out:
	close(listener);
}

static void do_dns(const char *tag, const char *server)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.loupe-e2e.example", tag);
	attempt_dns_query(0x4c45, name, server);
}

static void do_links(const char *tag)
{
	char sym[128], hard[128];
	snprintf(sym, sizeof(sym), "/tmp/loupe-e2e-%s-sym", tag);
	snprintf(hard, sizeof(hard), "/tmp/loupe-e2e-%s-hard", tag);
	unlink(sym);
	unlink(hard);
	symlink("/etc/shadow", sym);
	link("/etc/shadow", hard);
	unlink(sym);
	unlink(hard);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--child") == 0)
		return 0;
	if (argc >= 3 && strcmp(argv[1], "--sleep") == 0) {
		unsigned left = (unsigned)atoi(argv[2]);
		while (left > 0)
			left = sleep(left);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: loupe-actions TAG [DNS_SERVER]\n");
		return 64;
	}
	const char *tag = argv[1];
	const char *server = argc >= 3 ? argv[2] : "127.0.0.1";
	do_exec(argv[0], tag);
	do_open();
	do_tcp();
	do_dns(tag, server);
	unshare(CLONE_NEWUTS);
	do_links(tag);
	attempt_ptrace_child();
	attempt_kmod();
	attempt_iouring(8);
	attempt_bpf_load();
	printf("done %s pid %d\n", tag, (int)getpid());
	fflush(stdout);
	return 0;
}
