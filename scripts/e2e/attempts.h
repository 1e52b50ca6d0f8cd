/*
 * The privileged system calls both test helpers attempt (scripts/e2e/actions.c for the capture
 * end-to-end tests, scripts/corpus/attack.c for the regression corpus). Each is an attempt:
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

#endif
