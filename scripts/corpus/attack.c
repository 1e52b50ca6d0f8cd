/*
 * corpus-attack: one attack-like action per run, for the regression corpus scenarios
 * (the scripts in scripts/corpus). Static, so the same file runs on the host, in a Docker container and
 * in a runc pod container.
 *
 *   corpus-attack kmod              finit_module and init_module attempts
 *   corpus-attack iouring           io_uring_setup
 *   corpus-attack bpf               bpf(BPF_PROG_LOAD) of a two-instruction socket filter
 *   corpus-attack ptrace            PTRACE_ATTACH to a child of its own
 *   corpus-attack unshare           unshare(CLONE_NEWUTS | CLONE_NEWNS)
 *   corpus-attack dns NAME [SERVER] one UDP A query for NAME to SERVER:53 (default 127.0.0.1)
 *   corpus-attack environ PID       read /proc/PID/environ
 *   corpus-attack memfd             copy itself into a memfd and fexecve it ("sleep 0")
 *   corpus-attack connect PORT [ADDR]  TCP listen on ADDR:PORT (default 127.0.0.1) and connect to it
 *   corpus-attack listen ADDR PORT S    accept TCP connections on ADDR:PORT for S seconds
 *   corpus-attack randomx SECONDS   switch the SSE rounding mode away from round-to-nearest, as
 *                                   RandomX's CFROUND does, and keep computing for SECONDS
 *   corpus-attack sleep SECONDS     stay alive
 *   corpus-attack resolver SECONDS  answer every UDP DNS query on 127.0.0.1:53 with 10.9.8.7
 *
 * Run under the name kubectl (a copy or bind mount called kubectl), it acts as a Kubernetes API
 * client instead: reads the pod's service-account token if there is one and sends an HTTP request
 * to $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (default 10.96.0.1:443).
 *
 * Failures (EPERM in a container) are ignored: the attempt is what the capture must show.
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

#include "../e2e/attempts.h"

static int environ_read(const char *pid)
{
	char path[64], buffer[4096];
	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (read(fd, buffer, sizeof(buffer)) > 0)
		;
	close(fd);
	return 0;
}

static int memfd(void)
{
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int fd = (int)syscall(SYS_memfd_create, "kit", 0);
	if (self < 0 || fd < 0)
		return 1;
	char buffer[65536];
	ssize_t n;
	while ((n = read(self, buffer, sizeof(buffer))) > 0)
		if (write(fd, buffer, (size_t)n) != n)
			return 1;
	close(self);
	char *argv[] = {"kit", "sleep", "0", NULL};
	char *envp[] = {"PATH=/bin:/usr/bin", NULL};
	fexecve(fd, argv, envp);
	perror("corpus-attack memfd: fexecve");
	return 1;
}

static int connect_port(int port, const char *host)
{
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
		fprintf(stderr, "corpus-attack connect: bad address %s\n", host);
		return 64;
	}
	if (bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(listener, 4) != 0) {
		perror("corpus-attack connect: listen");
		return 1;
	}
	int client = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(client, (struct sockaddr *)&address, sizeof(address)) == 0) {
		int accepted = accept(listener, NULL, NULL);
		if (accepted >= 0)
			close(accepted);
	}
	close(client);
	close(listener);
	return 0;
}

static int listen_on(const char *host, int port, int seconds)
{
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, host, &address.sin_addr) != 1 || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0
	    || listen(listener, 4) != 0) {
		perror("corpus-attack listen");
		return 1;
	}
	struct timeval timeout = {.tv_sec = 0, .tv_usec = 200000};
	setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		int client = accept(listener, NULL, NULL);
		if (client >= 0) {
			char buffer[512];
			(void)read(client, buffer, sizeof(buffer));
			close(client);
		}
	}
	close(listener);
	return 0;
}

/* What a kubectl-like client does first: the pod's token, then the API server. */
static int api_client(int argc, char **argv)
{
	char token[256] = "";
	int fd = open("/var/run/secrets/kubernetes.io/serviceaccount/token", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, token, sizeof(token) - 1);
		token[n > 0 ? n : 0] = 0;
		token[strcspn(token, "\r\n")] = 0;
		close(fd);
	}
	const char *host = getenv("KUBERNETES_SERVICE_HOST") ? getenv("KUBERNETES_SERVICE_HOST") : "10.96.0.1";
	const char *port = getenv("KUBERNETES_SERVICE_PORT") ? getenv("KUBERNETES_SERVICE_PORT") : "443";
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
	if (inet_pton(AF_INET, host, &address.sin_addr) != 1)
		return 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&address, sizeof(address)) == 0) {
		char request[1024];
		int n = snprintf(request, sizeof(request),
				 "GET /api/v1/namespaces/default/%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n",
				 argc >= 3 ? argv[2] : "pods", host, token);
		(void)write(s, request, (size_t)n);
	}
	close(s);
	return 0;
}

/* RandomX's CFROUND instruction sets the SSE rounding mode (MXCSR bits 13-14); the capture's
 * randomx tracer looks for a process whose saved MXCSR keeps a non-default rounding mode across
 * context switches. Sleeping between bursts of arithmetic gives it those switches. */
static int randomx(int seconds)
{
#if defined(__x86_64__)
	unsigned int mxcsr;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	mxcsr = (mxcsr & ~0x6000u) | 0x2000u; /* round toward negative infinity */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	volatile double x = 1.0;
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int i = 0; i < 100000; i++)
			x = x * 1.0000001 + 0.1;
		usleep(2000);
	}
	return x > 0 ? 0 : 1;
#else
	(void)seconds;
	fprintf(stderr, "corpus-attack randomx: x86-64 only\n");
	return 1;
#endif
}

static int resolver(int seconds)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(53)};
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&address, sizeof(address)) != 0) {
		perror("corpus-attack resolver: bind 127.0.0.1:53");
		return 1;
	}
	struct timeval timeout = {.tv_sec = 0, .tv_usec = 200000};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	time_t end = time(NULL) + seconds;
	static const unsigned char record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7};
	while (time(NULL) < end) {
		unsigned char buffer[512 + sizeof(record)];
		struct sockaddr_in from;
		socklen_t length = sizeof(from);
		ssize_t n = recvfrom(s, buffer, 512, 0, (struct sockaddr *)&from, &length);
		if (n < 12)
			continue;
		buffer[2] = 0x81;
		buffer[3] = 0x80;
		buffer[7] = 1;
		memcpy(buffer + n, record, sizeof(record));
		sendto(s, buffer, (size_t)n + sizeof(record), 0, (struct sockaddr *)&from, length);
	}
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strcmp(name, "kubectl") == 0)
		return api_client(argc, argv);
	const char *action = argc >= 2 ? argv[1] : "";
	if (strcmp(action, "kmod") == 0) {
		attempt_kmod();
		return 0;
	}
	if (strcmp(action, "iouring") == 0) {
		attempt_iouring(4);
		return 0;
	}
	if (strcmp(action, "bpf") == 0) {
		attempt_bpf_load();
		return 0;
	}
	if (strcmp(action, "ptrace") == 0) {
		attempt_ptrace_child();
		return 0;
	}
	if (strcmp(action, "unshare") == 0) {
		unshare(CLONE_NEWUTS | CLONE_NEWNS);
		return 0;
	}
	if (strcmp(action, "dns") == 0 && argc >= 3)
		return attempt_dns_query(0x6c70, argv[2], argc >= 4 ? argv[3] : "127.0.0.1");
	if (strcmp(action, "environ") == 0 && argc >= 3)
		return environ_read(argv[2]);
	if (strcmp(action, "sleep") == 0 && argc >= 3) {
		unsigned left = (unsigned)atoi(argv[2]);
		while (left > 0)
			left = sleep(left);
		return 0;
	}
	if (strcmp(action, "memfd") == 0)
		return memfd();
	if (strcmp(action, "connect") == 0 && argc >= 3)
		return connect_port(atoi(argv[2]), argc >= 4 ? argv[3] : "127.0.0.1");
	if (strcmp(action, "listen") == 0 && argc >= 5)
		return listen_on(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (strcmp(action, "randomx") == 0 && argc >= 3)
		return randomx(atoi(argv[2]));
	if (strcmp(action, "resolver") == 0 && argc >= 3)
		return resolver(atoi(argv[2]));
	fprintf(stderr, "usage: corpus-attack kmod|iouring|bpf|ptrace|unshare|dns NAME [SERVER]|environ PID|memfd|"
			"connect PORT [ADDR]|listen ADDR PORT S|randomx S|sleep S|resolver S\n");
	return 64;
}
