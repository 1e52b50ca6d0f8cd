/*
 * bpf-smoke: loads Loupe's eBPF programs through CLoupeBPF, performs known actions in child
 * processes and checks that the matching records arrive with the right pid and mount namespace.
 *
 *   bpf-smoke            run the checks, print a table, exit 1 on any failure
 *   bpf-smoke --bench N  time N open+close calls bare and with the tracer attached
 *
 * Must run as root on a kernel with BTF. Built by scripts/bpf-smoke/build.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loupe_bpf.h"

/* ------------------------------------------------------------------ record store */

struct rec {
	size_t len;
	uint8_t *data;
};
static struct rec *recs;
static size_t nrecs, caprecs;
static uint64_t counts[LOUPE_EV_MAX];

static int on_record(void *user, const void *data, size_t len)
{
	(void)user;
	const struct loupe_hdr *h = data;
	if (len < sizeof(*h) || h->len > len) {
		fprintf(stderr, "bad record: ring len %zu, hdr len %u\n", len, h->len);
		return 0;
	}
	if (h->type < LOUPE_EV_MAX)
		counts[h->type]++;
	if (!recs)
		return 0; /* bench mode: count only */
	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 4096;
		recs = realloc(recs, caprecs * sizeof(*recs));
	}
	recs[nrecs].len = len;
	recs[nrecs].data = malloc(len);
	memcpy(recs[nrecs].data, data, len);
	nrecs++;
	return 0;
}

static bool str_eq(const void *r, size_t len, struct loupe_str s, const char *want)
{
	const uint8_t *p = loupe_record_str(r, len, s);
	return p && s.len == strlen(want) && memcmp(p, want, s.len) == 0;
}

/* Does the NUL-separated list (or plain string) in field s contain `needle`? */
static bool str_has(const void *r, size_t len, struct loupe_str s, const char *needle)
{
	const uint8_t *p = loupe_record_str(r, len, s);
	return p && memmem(p, s.len, needle, strlen(needle)) != NULL;
}

static void str_print(char *out, size_t outlen, const void *r, size_t len, struct loupe_str s)
{
	const uint8_t *p = loupe_record_str(r, len, s);
	size_t n = 0;
	for (size_t i = 0; p && i < s.len && n + 1 < outlen; i++)
		out[n++] = p[i] ? (p[i] >= 32 && p[i] < 127 ? (char)p[i] : '.') : ' ';
	out[n] = 0;
}

/* ------------------------------------------------------------------ child actions */

static uint32_t mntns_of(pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

static pid_t run_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void wait_child(pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
}

static void act_exec(void *arg)
{
	(void)arg;
	char *argv[] = {"/bin/true", "loupe-smoke-arg", NULL};
	char *envp[] = {"HOME=/", "LD_LIBRARY_PATH=/loupe-smoke", "LOUPE=1", "LD_AUDIT=", NULL};
	execve("/bin/true", argv, envp);
	_exit(127);
}

static void act_exec_fail(void *arg)
{
	(void)arg;
	char *argv[] = {"/nonexistent/loupe-smoke", "x", NULL};
	execve(argv[0], argv, environ);
}

static void act_fork(void *arg)
{
	(void)arg;
	pid_t g = fork();
	if (g == 0)
		_exit(3);
	wait_child(g);
}

static void act_open(void *arg)
{
	(void)arg;
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static volatile uint16_t tcp_port;
static void act_network(void *arg)
{
	(void)arg;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	bind(ls, (void *)&a, sizeof(a));
	listen(ls, 4);
	getsockname(ls, (void *)&a, &al);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void *)&a, sizeof(a));
	int s = accept(ls, NULL, NULL);
	close(s);
	close(c);
	close(ls);
	/* UDP connect */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons(9),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	connect(u, (void *)&d, sizeof(d));
	close(u);
	/* IPv6 TCP connect to a closed port */
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 d6 = {.sin6_family = AF_INET6, .sin6_port = htons(1),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	connect(c6, (void *)&d6, sizeof(d6));
	close(c6);
}

static void act_unshare(void *arg)
{
	(void)arg;
	unshare(CLONE_NEWUTS);
}

static void act_links(void *arg)
{
	char *paths = arg; /* "sym\0hard\0src" */
	const char *sym = paths, *hard = sym + strlen(sym) + 1, *src = hard + strlen(hard) + 1;
	int fd = open(src, O_CREAT | O_WRONLY, 0600);
	close(fd);
	symlink("/etc/shadow", sym);
	linkat(AT_FDCWD, src, AT_FDCWD, hard, 0);
}

static void act_ptrace(void *arg)
{
	(void)arg;
	pid_t g = fork();
	if (g == 0) {
		pause();
		_exit(0);
	}
	usleep(10000);
	if (ptrace(PTRACE_ATTACH, g, NULL, NULL) == 0) {
		int st;
		waitpid(g, &st, 0);
		ptrace(PTRACE_DETACH, g, NULL, NULL);
	}
	kill(g, SIGKILL);
	wait_child(g);
	/* report the target's pid to the parent through the exit status is too small: use a file */
	FILE *f = fopen("/tmp/loupe-smoke-ptrace-target", "w");
	if (f) {
		fprintf(f, "%d\n", g);
		fclose(f);
	}
}

static void act_kmod(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_RDONLY);
	syscall(SYS_finit_module, fd, "loupe_smoke=1", 0);
	close(fd);
	static const char image[64] = "\177ELF";
	syscall(SYS_init_module, image, sizeof(image), "p=1");
}

static void act_iouring(void *arg)
{
	(void)arg;
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	int fd = syscall(SYS_io_uring_setup, 8, &p);
	if (fd >= 0)
		close(fd);
}

static void act_bpf(void *arg)
{
	(void)arg;
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
}

/* A one-shot DNS server on 127.0.0.1:53 answering with an A record. */
static void dns_server(void *arg)
{
	int *ready = arg;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(s, (void *)&a, sizeof(a)) != 0)
		_exit(2);
	char c = 1;
	write(ready[1], &c, 1);
	uint8_t buf[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &fl);
	if (n < 12)
		_exit(3);
	buf[2] = 0x81; /* QR, RD */
	buf[3] = 0x80; /* RA */
	buf[7] = 1;    /* ANCOUNT = 1 */
	static const uint8_t answer[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7};
	memcpy(buf + n, answer, sizeof(answer));
	sendto(s, buf, (size_t)n + sizeof(answer), 0, (void *)&from, fl);
	close(s);
}

static void dns_client(void *arg)
{
	(void)arg;
	static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				    11, 'l', 'o', 'u', 'p', 'e', '-', 's', 'm', 'o', 'k', 'e',
				    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 2};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sendto(s, q, sizeof(q), 0, (void *)&a, sizeof(a));
	uint8_t buf[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &fl);
	close(s);
}

static void act_randomx(void *arg)
{
	(void)arg;
	unsigned int m;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	m = (m & ~0x6000u) | 0x6000u; /* round toward zero */
	__asm__ volatile("ldmxcsr %0" : : "m"(m));
	volatile double x = 1.0;
	for (int i = 0; i < 40; i++) {
		x = x * 1.0000001 + 0.1;
		usleep(500);
	}
}

static void act_syscall(void *arg)
{
	int *pipefd = arg;
	unshare(CLONE_NEWNS); /* a fresh mount namespace: every syscall in it is a first */
	uint32_t ns = mntns_of(getpid());
	write(pipefd[1], &ns, sizeof(ns));
	getppid();
}

/* ------------------------------------------------------------------ checks */

struct check {
	const char *what;
	bool ok;
	char detail[400];
};
static struct check checks[64];
static int nchecks;

static struct check *add_check(const char *what)
{
	struct check *c = &checks[nchecks++];
	c->what = what;
	c->ok = false;
	c->detail[0] = 0;
	return c;
}

/* First record of `type` from `pid` accepted by `match` (NULL: any). */
typedef bool (*match_fn)(const void *r, size_t len, const void *arg);
static const struct rec *find(uint32_t type, pid_t pid, match_fn match, const void *arg)
{
	for (size_t i = 0; i < nrecs; i++) {
		const struct loupe_hdr *h = (void *)recs[i].data;
		if (h->type != type || (pid && h->pid != (uint32_t)pid))
			continue;
		if (!match || match(recs[i].data, recs[i].len, arg))
			return &recs[i];
	}
	return NULL;
}

static bool hdr_ok(struct check *c, const struct rec *r, pid_t pid, uint32_t mntns)
{
	if (!r) {
		snprintf(c->detail, sizeof(c->detail), "no record from pid %d", pid);
		return false;
	}
	const struct loupe_hdr *h = (void *)r->data;
	if (h->mntns != mntns) {
		snprintf(c->detail, sizeof(c->detail), "mntns %u, want %u", h->mntns, mntns);
		return false;
	}
	if (h->ppid == 0 || h->comm[0] == 0 || h->ts_ns == 0 || h->cgroup_id == 0) {
		snprintf(c->detail, sizeof(c->detail), "header incomplete");
		return false;
	}
	return true;
}

static bool m_exec_ok(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return ((const struct loupe_exec *)r)->retval == 0;
}
static bool m_exec_fail(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return ((const struct loupe_exec *)r)->retval < 0;
}
static bool m_open_hostname(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return str_eq(r, len, ((const struct loupe_open *)r)->path, "/etc/hostname");
}
static bool m_net_kind(const void *r, size_t len, const void *arg)
{
	const uint8_t *want = arg; /* kind, proto, family */
	const struct loupe_network *e = r;
	return e->kind == want[0] && e->proto == want[1] && e->family == want[2];
}
static bool m_dns_dir(const void *r, size_t len, const void *arg)
{
	return ((const struct loupe_dns *)r)->direction == *(const uint8_t *)arg;
}
static bool m_kmod_call(const void *r, size_t len, const void *arg)
{
	return ((const struct loupe_kmod *)r)->call == *(const uint32_t *)arg;
}
static bool m_iouring_setup(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return ((const struct loupe_iouring *)r)->kind == LOUPE_IOURING_SETUP;
}
static bool m_bpf_load(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return ((const struct loupe_bpf_syscall *)r)->cmd == BPF_PROG_LOAD;
}
static bool m_cap_admin(const void *r, size_t len, const void *arg)
{
	(void)arg;
	return ((const struct loupe_capability *)r)->cap == 21;
}

static void drain(loupe_bpf *l, int ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		loupe_bpf_poll(l, 20);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			break;
	}
}

static int run_checks(void)
{
	char err[4096];
	loupe_bpf *l;
	struct loupe_bpf_options opt = {
		.enabled = LOUPE_EV_ALL_DEFAULT | LOUPE_EV_BIT(LOUPE_EV_SYSCALL),
	};
	recs = calloc(1, sizeof(*recs));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = loupe_bpf_start(&opt, on_record, NULL, &l, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		fprintf(stderr, "loupe_bpf_start: %d\n%s\n", rc, err);
		return 1;
	}
	printf("loaded and attached %d programs in %.0f ms\n", loupe_bpf_program_count(l),
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	uint32_t ns = mntns_of(getpid());
	char tmp[3][64];
	snprintf(tmp[0], sizeof(tmp[0]), "/tmp/loupe-smoke-sym-%d", getpid());
	snprintf(tmp[1], sizeof(tmp[1]), "/tmp/loupe-smoke-hard-%d", getpid());
	snprintf(tmp[2], sizeof(tmp[2]), "/tmp/loupe-smoke-src-%d", getpid());
	char linkarg[200];
	size_t o = 0;
	for (int i = 0; i < 3; i++) {
		strcpy(linkarg + o, tmp[i]);
		o += strlen(tmp[i]) + 1;
	}

	/* The recorder itself is excluded (self_tgid), so every action runs in a child. */
	pid_t p_exec = run_child(act_exec, NULL);
	wait_child(p_exec);
	pid_t p_execf = run_child(act_exec_fail, NULL);
	wait_child(p_execf);
	pid_t p_fork = run_child(act_fork, NULL);
	wait_child(p_fork);
	pid_t p_open = run_child(act_open, NULL);
	wait_child(p_open);
	pid_t p_net = run_child(act_network, NULL);
	wait_child(p_net);
	pid_t p_unshare = run_child(act_unshare, NULL);
	wait_child(p_unshare);
	pid_t p_links = run_child(act_links, linkarg);
	wait_child(p_links);
	pid_t p_ptrace = run_child(act_ptrace, NULL);
	wait_child(p_ptrace);
	pid_t p_kmod = run_child(act_kmod, NULL);
	wait_child(p_kmod);
	pid_t p_uring = run_child(act_iouring, NULL);
	wait_child(p_uring);
	pid_t p_bpf = run_child(act_bpf, NULL);
	wait_child(p_bpf);
	int ready[2];
	pipe(ready);
	pid_t p_dnss = run_child(dns_server, ready);
	char c;
	read(ready[0], &c, 1);
	pid_t p_dns = run_child(dns_client, NULL);
	wait_child(p_dns);
	wait_child(p_dnss);
	pid_t p_rx = run_child(act_randomx, NULL);
	wait_child(p_rx);
	int sp[2];
	pipe(sp);
	pid_t p_sys = run_child(act_syscall, sp);
	uint32_t sys_ns = 0;
	read(sp[0], &sys_ns, sizeof(sys_ns));
	wait_child(p_sys);
	drain(l, 300);

	for (int i = 0; i < 3; i++)
		unlink(tmp[i]);
	int ptrace_target = 0;
	FILE *f = fopen("/tmp/loupe-smoke-ptrace-target", "r");
	if (f) {
		fscanf(f, "%d", &ptrace_target);
		fclose(f);
		unlink("/tmp/loupe-smoke-ptrace-target");
	}

	struct check *c1;
	const struct rec *r;
	char s1[120], s2[120], s3[120];

	/* exec */
	c1 = add_check("exec /bin/true");
	r = find(LOUPE_EV_EXEC, p_exec, m_exec_ok, NULL);
	if (hdr_ok(c1, r, p_exec, ns)) {
		const struct loupe_exec *e = (void *)r->data;
		char cwd[256];
		getcwd(cwd, sizeof(cwd));
		str_print(s1, sizeof(s1), r->data, r->len, e->exepath);
		str_print(s2, sizeof(s2), r->data, r->len, e->args);
		str_print(s3, sizeof(s3), r->data, r->len, e->env);
		c1->ok = (str_eq(r->data, r->len, e->exepath, "/usr/bin/true") ||
			  str_eq(r->data, r->len, e->exepath, "/bin/true")) &&
			 str_has(r->data, r->len, e->args, "loupe-smoke-arg") && e->argc == 2 &&
			 str_has(r->data, r->len, e->env, "LD_LIBRARY_PATH=/loupe-smoke") &&
			 str_has(r->data, r->len, e->env, "LD_AUDIT=") &&
			 !str_has(r->data, r->len, e->env, "LOUPE=1") &&
			 str_eq(r->data, r->len, e->cwd, cwd) &&
			 str_eq(r->data, r->len, e->filename, "/bin/true");
		snprintf(c1->detail, sizeof(c1->detail), "exe=%s args=[%s] env=[%s] upper=%u tty=%u",
			 s1, s2, s3, e->upper_layer, e->has_tty);
	}
	c1 = add_check("exec failure (ENOENT)");
	r = find(LOUPE_EV_EXEC, p_execf, m_exec_fail, NULL);
	if (hdr_ok(c1, r, p_execf, ns)) {
		const struct loupe_exec *e = (void *)r->data;
		str_print(s1, sizeof(s1), r->data, r->len, e->filename);
		str_print(s2, sizeof(s2), r->data, r->len, e->args);
		c1->ok = e->retval == -ENOENT &&
			 str_eq(r->data, r->len, e->filename, "/nonexistent/loupe-smoke") &&
			 e->argc == 2;
		snprintf(c1->detail, sizeof(c1->detail), "retval=%d file=%s args=[%s]", e->retval, s1,
			 s2);
	}
	c1 = add_check("exit code 3");
	r = NULL;
	for (size_t i = 0; i < nrecs && !r; i++) {
		const struct loupe_exit *x = (void *)recs[i].data;
		if (x->hdr.type == LOUPE_EV_EXIT && x->hdr.ppid == (uint32_t)p_fork)
			r = &recs[i];
	}
	if (r) {
		const struct loupe_exit *x = (void *)r->data;
		c1->ok = x->exit_code == 3 && x->hdr.mntns == ns;
		snprintf(c1->detail, sizeof(c1->detail), "pid=%u code=%d signal=%u", x->hdr.pid,
			 x->exit_code, x->signal);
	} else {
		snprintf(c1->detail, sizeof(c1->detail), "no exit record of a child of %d", p_fork);
	}
	c1 = add_check("fork");
	r = find(LOUPE_EV_FORK, p_fork, NULL, NULL);
	if (hdr_ok(c1, r, p_fork, ns)) {
		const struct loupe_fork *e = (void *)r->data;
		c1->ok = e->child_pid != 0 && e->child_pid == e->child_tid && e->child_mntns == ns;
		snprintf(c1->detail, sizeof(c1->detail), "child=%u", e->child_pid);
	}
	c1 = add_check("open /etc/hostname");
	r = find(LOUPE_EV_OPEN, p_open, m_open_hostname, NULL);
	if (hdr_ok(c1, r, p_open, ns)) {
		const struct loupe_open *e = (void *)r->data;
		c1->ok = e->retval >= 0 && (e->flags & O_ACCMODE) == O_RDONLY && (e->flags & O_CLOEXEC);
		snprintf(c1->detail, sizeof(c1->detail), "fd=%d flags=%#o", e->retval, e->flags);
	}
	static const uint8_t k_listen[] = {LOUPE_NET_LISTEN, IPPROTO_TCP, AF_INET};
	static const uint8_t k_connect[] = {LOUPE_NET_CONNECT, IPPROTO_TCP, AF_INET};
	static const uint8_t k_accept[] = {LOUPE_NET_ACCEPT, IPPROTO_TCP, AF_INET};
	static const uint8_t k_udp[] = {LOUPE_NET_CONNECT, IPPROTO_UDP, AF_INET};
	static const uint8_t k_tcp6[] = {LOUPE_NET_CONNECT, IPPROTO_TCP, AF_INET6};
	const uint8_t *kinds[] = {k_listen, k_connect, k_accept, k_udp, k_tcp6};
	const char *knames[] = {"network listen tcp4", "network connect tcp4",
				"network accept tcp4", "network connect udp4",
				"network connect tcp6 (refused)"};
	uint16_t listen_port = 0;
	for (int k = 0; k < 5; k++) {
		c1 = add_check(knames[k]);
		r = find(LOUPE_EV_NETWORK, p_net, m_net_kind, kinds[k]);
		if (!hdr_ok(c1, r, p_net, ns))
			continue;
		const struct loupe_network *e = (void *)r->data;
		char sa[64], da[64];
		inet_ntop(e->family, e->saddr, sa, sizeof(sa));
		inet_ntop(e->family, e->daddr, da, sizeof(da));
		snprintf(c1->detail, sizeof(c1->detail), "%s:%u -> %s:%u dir=%u ret=%d", sa, e->sport,
			 da, e->dport, e->direction, e->retval);
		switch (k) {
		case 0:
			listen_port = e->sport;
			c1->ok = e->sport != 0 && e->retval == 0 && strcmp(sa, "127.0.0.1") == 0;
			break;
		case 1:
			c1->ok = e->dport == listen_port && strcmp(da, "127.0.0.1") == 0 &&
				 e->direction == LOUPE_DIR_OUTGOING && e->sport != 0 && e->retval == 0;
			break;
		case 2:
			c1->ok = e->sport == listen_port && e->dport != 0 &&
				 e->direction == LOUPE_DIR_INCOMING;
			break;
		case 3:
			c1->ok = e->dport == 9 && e->retval == 0;
			break;
		case 4:
			c1->ok = e->dport == 1 && strcmp(da, "::1") == 0 && e->retval == -ECONNREFUSED;
			break;
		}
	}
	c1 = add_check("unshare CLONE_NEWUTS");
	r = find(LOUPE_EV_UNSHARE, p_unshare, NULL, NULL);
	if (hdr_ok(c1, r, p_unshare, ns)) {
		const struct loupe_unshare *e = (void *)r->data;
		c1->ok = e->flags == CLONE_NEWUTS && e->retval == 0;
		snprintf(c1->detail, sizeof(c1->detail), "flags=%#llx ret=%d",
			 (unsigned long long)e->flags, e->retval);
	}
	c1 = add_check("capability CAP_SYS_ADMIN");
	r = find(LOUPE_EV_CAPABILITIES, p_unshare, m_cap_admin, NULL);
	if (hdr_ok(c1, r, p_unshare, ns)) {
		const struct loupe_capability *e = (void *)r->data;
		c1->ok = e->retval == 0 && e->syscall_nr == SYS_unshare;
		snprintf(c1->detail, sizeof(c1->detail), "cap=%u syscall=%d ret=%d", e->cap,
			 e->syscall_nr, e->retval);
	}
	c1 = add_check("symlink /etc/shadow");
	r = find(LOUPE_EV_SYMLINK, p_links, NULL, NULL);
	if (hdr_ok(c1, r, p_links, ns)) {
		const struct loupe_link *e = (void *)r->data;
		str_print(s1, sizeof(s1), r->data, r->len, e->newpath);
		c1->ok = str_eq(r->data, r->len, e->oldpath, "/etc/shadow") &&
			 str_eq(r->data, r->len, e->newpath, tmp[0]) && e->retval == 0;
		snprintf(c1->detail, sizeof(c1->detail), "/etc/shadow -> %s ret=%d", s1, e->retval);
	}
	c1 = add_check("hardlink (linkat)");
	r = find(LOUPE_EV_HARDLINK, p_links, NULL, NULL);
	if (hdr_ok(c1, r, p_links, ns)) {
		const struct loupe_link *e = (void *)r->data;
		str_print(s1, sizeof(s1), r->data, r->len, e->oldpath);
		str_print(s2, sizeof(s2), r->data, r->len, e->newpath);
		c1->ok = str_eq(r->data, r->len, e->oldpath, tmp[2]) &&
			 str_eq(r->data, r->len, e->newpath, tmp[1]) && e->retval == 0 &&
			 e->olddfd == AT_FDCWD;
		snprintf(c1->detail, sizeof(c1->detail), "%s => %s ret=%d", s1, s2, e->retval);
	}
	c1 = add_check("ptrace attach");
	r = find(LOUPE_EV_PTRACE, p_ptrace, NULL, NULL);
	if (hdr_ok(c1, r, p_ptrace, ns)) {
		const struct loupe_ptrace *e = (void *)r->data;
		c1->ok = e->request == PTRACE_ATTACH && (int)e->target_pid == ptrace_target &&
			 e->retval == 0;
		snprintf(c1->detail, sizeof(c1->detail), "request=%lld target=%u ret=%d",
			 (long long)e->request, e->target_pid, e->retval);
	}
	uint32_t finit = LOUPE_KMOD_FINIT_MODULE, init = LOUPE_KMOD_INIT_MODULE;
	c1 = add_check("kmod finit_module(/dev/null)");
	r = find(LOUPE_EV_KMOD, p_kmod, m_kmod_call, &finit);
	if (hdr_ok(c1, r, p_kmod, ns)) {
		const struct loupe_kmod *e = (void *)r->data;
		str_print(s1, sizeof(s1), r->data, r->len, e->path);
		str_print(s2, sizeof(s2), r->data, r->len, e->params);
		c1->ok = str_eq(r->data, r->len, e->path, "/dev/null") && e->retval < 0 &&
			 str_eq(r->data, r->len, e->params, "loupe_smoke=1");
		snprintf(c1->detail, sizeof(c1->detail), "path=%s params=%s ret=%d", s1, s2,
			 e->retval);
	}
	c1 = add_check("kmod init_module");
	r = find(LOUPE_EV_KMOD, p_kmod, m_kmod_call, &init);
	if (hdr_ok(c1, r, p_kmod, ns)) {
		const struct loupe_kmod *e = (void *)r->data;
		c1->ok = e->image_len == 64 && e->retval < 0;
		snprintf(c1->detail, sizeof(c1->detail), "len=%llu ret=%d",
			 (unsigned long long)e->image_len, e->retval);
	}
	c1 = add_check("io_uring_setup");
	r = find(LOUPE_EV_IOURING, p_uring, m_iouring_setup, NULL);
	if (hdr_ok(c1, r, p_uring, ns)) {
		const struct loupe_iouring *e = (void *)r->data;
		c1->ok = e->sq_entries == 8 && e->fd >= 0;
		snprintf(c1->detail, sizeof(c1->detail), "fd=%d sq=%u cq=%u", e->fd, e->sq_entries,
			 e->cq_entries);
	}
	c1 = add_check("bpf(BPF_PROG_LOAD)");
	r = find(LOUPE_EV_BPF, p_bpf, m_bpf_load, NULL);
	if (hdr_ok(c1, r, p_bpf, ns)) {
		const struct loupe_bpf_syscall *e = (void *)r->data;
		c1->ok = e->attr_size == sizeof(union bpf_attr) &&
			 e->sub_type == BPF_PROG_TYPE_SOCKET_FILTER;
		snprintf(c1->detail, sizeof(c1->detail), "cmd=%u size=%u prog_type=%u ret=%d", e->cmd,
			 e->attr_size, e->sub_type, e->retval);
	}
	uint8_t out = LOUPE_DIR_OUTGOING, in = LOUPE_DIR_INCOMING;
	c1 = add_check("dns query (sendto :53)");
	r = find(LOUPE_EV_DNS, p_dns, m_dns_dir, &out);
	if (hdr_ok(c1, r, p_dns, ns)) {
		const struct loupe_dns *e = (void *)r->data;
		c1->ok = e->dport == 53 && e->payload.len == 37 &&
			 str_has(r->data, r->len, e->payload, "loupe-smoke");
		snprintf(c1->detail, sizeof(c1->detail), "sport=%u dport=%u payload=%u bytes",
			 e->sport, e->dport, e->payload.len);
	}
	c1 = add_check("dns answer (recvfrom :53)");
	r = find(LOUPE_EV_DNS, p_dns, m_dns_dir, &in);
	if (hdr_ok(c1, r, p_dns, ns)) {
		const struct loupe_dns *e = (void *)r->data;
		const uint8_t *p = loupe_record_str(r->data, r->len, e->payload);
		c1->ok = e->sport == 53 && e->payload.len == 53 && p && p[7] == 1 &&
			 p[52] == 7;
		snprintf(c1->detail, sizeof(c1->detail), "from port %u, %u bytes, ancount=%u",
			 e->sport, e->payload.len, p ? p[7] : 0);
	}
	c1 = add_check("randomx (MXCSR rounding)");
	r = find(LOUPE_EV_RANDOMX, p_rx, NULL, NULL);
	if (hdr_ok(c1, r, p_rx, ns)) {
		const struct loupe_randomx *e = (void *)r->data;
		c1->ok = (e->mxcsr & 0x6000) == 0x6000;
		snprintf(c1->detail, sizeof(c1->detail), "mxcsr=%#x hits=%u", e->mxcsr, e->hits);
	}
	c1 = add_check("syscall (first use in new mntns)");
	r = find(LOUPE_EV_SYSCALL, p_sys, NULL, NULL);
	if (hdr_ok(c1, r, p_sys, sys_ns)) {
		int n = 0;
		for (size_t i = 0; i < nrecs; i++) {
			const struct loupe_syscall *e = (void *)recs[i].data;
			if (e->hdr.type == LOUPE_EV_SYSCALL && e->hdr.mntns == sys_ns)
				n++;
		}
		c1->ok = sys_ns != ns && n > 0;
		snprintf(c1->detail, sizeof(c1->detail), "%d distinct syscalls in mntns %u", n, sys_ns);
	}

	/* Volume control, applied in the kernel while attached. */
	loupe_bpf_open_exclude_add(l, "/etc/host");
	pid_t p_ex1 = run_child(act_open, NULL);
	wait_child(p_ex1);
	loupe_bpf_open_exclude_remove(l, "/etc/host");
	loupe_bpf_set_mntns_mode(l, LOUPE_MNTNS_EXCLUDE);
	loupe_bpf_mntns_add(l, ns);
	pid_t p_ex2 = run_child(act_exec, NULL);
	wait_child(p_ex2);
	loupe_bpf_set_mntns_mode(l, LOUPE_MNTNS_INCLUDE);
	pid_t p_in = run_child(act_open, NULL);
	wait_child(p_in);
	loupe_bpf_set_mntns_mode(l, LOUPE_MNTNS_ALL);
	loupe_bpf_mntns_remove(l, ns);
	uint64_t mask = loupe_bpf_enabled(l);
	loupe_bpf_set_enabled(l, mask & ~LOUPE_EV_BIT(LOUPE_EV_OPEN));
	pid_t p_off = run_child(act_open, NULL);
	wait_child(p_off);
	loupe_bpf_set_enabled(l, mask);
	pid_t p_on = run_child(act_open, NULL);
	wait_child(p_on);
	drain(l, 200);
	c1 = add_check("open-exclude prefix /etc/host");
	c1->ok = !find(LOUPE_EV_OPEN, p_ex1, m_open_hostname, NULL) &&
		 find(LOUPE_EV_EXIT, p_ex1, NULL, NULL);
	snprintf(c1->detail, sizeof(c1->detail), "open dropped in kernel, exit still recorded");
	c1 = add_check("mntns exclude / include");
	c1->ok = !find(LOUPE_EV_EXEC, p_ex2, NULL, NULL) && find(LOUPE_EV_OPEN, p_in, NULL, NULL);
	snprintf(c1->detail, sizeof(c1->detail), "excluded mntns: no exec; included: open seen");
	c1 = add_check("type disable/enable at run time");
	c1->ok = !find(LOUPE_EV_OPEN, p_off, NULL, NULL) && find(LOUPE_EV_OPEN, p_on, NULL, NULL);
	snprintf(c1->detail, sizeof(c1->detail), "open off: none; back on: seen");

	int fails = 0;
	printf("\n%-34s %-5s %s\n", "check", "ok", "detail");
	for (int i = 0; i < nchecks; i++) {
		printf("%-34s %-5s %s\n", checks[i].what, checks[i].ok ? "PASS" : "FAIL",
		       checks[i].detail);
		fails += !checks[i].ok;
	}
	printf("\nrecords by type:");
	for (int t = 1; t < LOUPE_EV_MAX; t++)
		if (counts[t])
			printf(" %s=%llu", loupe_event_type_name(t), (unsigned long long)counts[t]);
	uint64_t drops[LOUPE_DROP_SLOTS] = {0};
	loupe_bpf_read_drops(l, drops, LOUPE_DROP_SLOTS);
	printf("\ndrop counters:");
	int any = 0;
	for (int k = 0; k < LOUPE_DROP_SLOTS; k++)
		if (drops[k]) {
			printf(" %s/%s=%llu", loupe_drop_reason_name(k / LOUPE_EV_MAX),
			       loupe_event_type_name(k % LOUPE_EV_MAX), (unsigned long long)drops[k]);
			any = 1;
		}
	printf("%s\n\n%d of %d checks passed\n", any ? "" : " none", nchecks - fails, nchecks);
	loupe_bpf_stop(l);
	return fails ? 1 : 0;
}

/* ------------------------------------------------------------------ bench */

static double timed_open_loop(long n, loupe_bpf *l)
{
	struct timespec t0, t1;
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++) {
			int fd = open("/etc/hostname", O_RDONLY);
			close(fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		write(p[1], &s, sizeof(s));
		_exit(0);
	}
	close(p[1]);
	double s = 0;
	for (;;) {
		if (l)
			loupe_bpf_poll(l, 10);
		int st;
		if (waitpid(pid, &st, l ? WNOHANG : 0) == pid)
			break;
	}
	if (l)
		loupe_bpf_consume(l);
	read(p[0], &s, sizeof(s));
	close(p[0]);
	return s;
}

static int run_bench(long n)
{
	char err[4096];
	loupe_bpf *l;
	double bare = timed_open_loop(n, NULL);
	printf("bare:            %ld open+close in %.3f s (%.0f ns/op)\n", n, bare, bare * 1e9 / n);
	struct loupe_bpf_options opt = {0};
	if (loupe_bpf_start(&opt, on_record, NULL, &l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	uint64_t before = counts[LOUPE_EV_OPEN];
	double traced = timed_open_loop(n, l);
	uint64_t got = counts[LOUPE_EV_OPEN] - before;
	uint64_t drops[LOUPE_DROP_SLOTS] = {0};
	loupe_bpf_read_drops(l, drops, LOUPE_DROP_SLOTS);
	printf("loupe (default): %ld open+close in %.3f s (%.0f ns/op), +%.0f ns/event, %.2fx; "
	       "%llu open records, %llu ringbuf drops\n",
	       n, traced, traced * 1e9 / n, (traced - bare) * 1e9 / n, traced / bare,
	       (unsigned long long)got,
	       (unsigned long long)drops[LOUPE_DROP_RINGBUF * LOUPE_EV_MAX + LOUPE_EV_OPEN]);
	loupe_bpf_stop(l);
	return 0;
}

/* Load each event type alone and say which load and attach. */
static int run_probe(void)
{
	int bad = 0;
	for (int t = 1; t < LOUPE_EV_MAX; t++) {
		char err[4096];
		loupe_bpf *l;
		struct loupe_bpf_options opt = {.enabled = LOUPE_EV_BIT(t)};
		int rc = loupe_bpf_start(&opt, on_record, NULL, &l, err, sizeof(err));
		char *nl = strchr(err, '\n');
		if (rc && nl)
			*nl = 0;
		printf("%-13s %s\n", loupe_event_type_name(t), rc ? err : "ok");
		if (rc == 0)
			loupe_bpf_stop(l);
		bad += rc != 0;
	}
	return bad != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--probe") == 0)
		return run_probe();
	if (argc == 3 && strcmp(argv[1], "--bench") == 0)
		return run_bench(atol(argv[2]));
	return run_checks();
}
