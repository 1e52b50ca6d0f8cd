/*
 * The actions both test helpers perform (scripts/e2e/actions.c for the capture end-to-end
 * tests, scripts/corpus/attack.c for the regression corpus). Each is an attempt:
 * failures (EPERM in a container, a bogus module image) are ignored, since the capture must show
 * the call, not its success. Include after the system headers both files use.
 */
#ifndef LOUPE_ATTEMPTS_H
#define LOUPE_ATTEMPTS_H

/* finit_module of /dev/null, then init_module of a 64-byte image that is not a module. */
static void attempt_kmod(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	syscall(SYS_finit_module, fd, "", 0);
	if (fd >= 0)
		close(fd);
	static const char image[64] = "\177ELF";
	syscall(SYS_init_module, image, sizeof(image), "");
}

/* io_uring_setup of a ring with `entries` entries, closed at once. */
static void attempt_iouring(unsigned entries)
{
	struct io_uring_params params;
	memset(&params, 0, sizeof(params));
	int fd = (int)syscall(SYS_io_uring_setup, entries, &params);
	if (fd >= 0)
		close(fd);
}

/* bpf(BPF_PROG_LOAD) of a two-instruction socket filter (return 0). */
static void attempt_bpf_load(void)
{
	struct bpf_insn program[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)program;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
}

/* PTRACE_ATTACH to a child of its own that waits, then detach and end it. */
static void attempt_ptrace_child(void)
{
	pid_t target = fork();
	if (target == 0) {
		pause();
		_exit(0);
	}
	usleep(20000);
	if (ptrace(PTRACE_ATTACH, target, NULL, NULL) == 0) {
		waitpid(target, NULL, 0);
		ptrace(PTRACE_DETACH, target, NULL, NULL);
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}

/*
 * One UDP DNS query (type A, class IN, recursion desired) for the dotted `name` to
 * `server`:53, waiting up to 1 s for an answer it does not look at. 1 when the name has an empty
 * or over-long label or does not fit, 0 otherwise.
 */
static int attempt_dns_query(unsigned short id, const char *name, const char *server)
{
	unsigned char query[300] = {(unsigned char)(id >> 8), (unsigned char)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t n = 12;
	const char *label = name;
	while (*label) {
		const char *dot = strchr(label, '.');
		size_t len = dot ? (size_t)(dot - label) : strlen(label);
		if (len == 0 || len > 63 || n + len + 6 > sizeof(query))
			return 1;
		query[n++] = (unsigned char)len;
		memcpy(query + n, label, len);
		n += len;
		label += len + (dot ? 1 : 0);
	}
	query[n++] = 0;
	query[n++] = 0;
	query[n++] = 1; /* A */
	query[n++] = 0;
	query[n++] = 1; /* IN */
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, server, &to.sin_addr);
	struct timeval timeout = {.tv_sec = 1};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	sendto(s, query, n, 0, (struct sockaddr *)&to, sizeof(to));
	/* recvfrom with an address, not recv: the tracer reads the answer's source from it. */
	unsigned char answer[512];
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	recvfrom(s, answer, sizeof(answer), 0, (struct sockaddr *)&from, &fromlen);
	close(s);
	return 0;
}

#endif
