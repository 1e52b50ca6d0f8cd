/* CLoupeBPF: thin helpers over the generated skeleton. See include/loupe_bpf.h. */
#include "loupe_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loupe.skel.h"

struct loupe_bpf {
	struct loupe_skel *skel;
	struct ring_buffer *ring;
	loupe_record_fn fn;
	void *user;
	uint64_t loaded_mask;
	int nprogs;
	const char *prog_names[64];
};

/* Which event types each program serves, by program name. */
#define SYSCALL_TYPES                                                                              \
	(LOUPE_EV_BIT(LOUPE_EV_OPEN) | LOUPE_EV_BIT(LOUPE_EV_EXEC) | LOUPE_EV_BIT(LOUPE_EV_NETWORK) | \
	 LOUPE_EV_BIT(LOUPE_EV_PTRACE) | LOUPE_EV_BIT(LOUPE_EV_KMOD) |                               \
	 LOUPE_EV_BIT(LOUPE_EV_UNSHARE) | LOUPE_EV_BIT(LOUPE_EV_SYMLINK) |                           \
	 LOUPE_EV_BIT(LOUPE_EV_HARDLINK) | LOUPE_EV_BIT(LOUPE_EV_BPF))
static const struct {
	const char *name;
	uint64_t types;
} prog_types[] = {
	{"loupe_exec", LOUPE_EV_BIT(LOUPE_EV_EXEC)},
	{"loupe_exit", LOUPE_EV_BIT(LOUPE_EV_EXIT)},
	{"loupe_fork", LOUPE_EV_BIT(LOUPE_EV_FORK)},
	{"loupe_sys_enter", SYSCALL_TYPES | LOUPE_EV_BIT(LOUPE_EV_SYSCALL)},
	{"loupe_sys_exit", SYSCALL_TYPES},
	{"loupe_iouring_create", LOUPE_EV_BIT(LOUPE_EV_IOURING)},
	{"loupe_iouring_submit", LOUPE_EV_BIT(LOUPE_EV_IOURING)},
	{"loupe_capable", LOUPE_EV_BIT(LOUPE_EV_CAPABILITIES)},
	{"loupe_fpu", LOUPE_EV_BIT(LOUPE_EV_RANDOMX)},
	{"loupe_dns_out", LOUPE_EV_BIT(LOUPE_EV_DNS)},
};

static uint64_t prog_types_of(const char *name)
{
	for (size_t i = 0; i < sizeof(prog_types) / sizeof(prog_types[0]); i++)
		if (strcmp(prog_types[i].name, name) == 0)
			return prog_types[i].types;
	return 0;
}

/* The tail of libbpf's messages, to explain a failed load (verifier log included). */
static char libbpf_log[8192];
static size_t libbpf_log_len;

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, args);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (getenv("LOUPE_BPF_DEBUG"))
		fputs(line, stderr);
	if (level == LIBBPF_DEBUG)
		return 0;
	if (libbpf_log_len + (size_t)n >= sizeof(libbpf_log)) {
		size_t keep = sizeof(libbpf_log) / 2;
		memmove(libbpf_log, libbpf_log + libbpf_log_len - keep, keep);
		libbpf_log_len = keep;
	}
	memcpy(libbpf_log + libbpf_log_len, line, (size_t)n);
	libbpf_log_len += (size_t)n;
	libbpf_log[libbpf_log_len] = 0;
	return 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen && libbpf_log_len > 0) {
		const char *tail = libbpf_log;
		size_t room = errlen - (size_t)n - 1;
		if (libbpf_log_len > room && room > 0)
			tail = libbpf_log + libbpf_log_len - room + 1;
		snprintf(err + n, errlen - (size_t)n, "\n%s", tail);
	}
}

static int ring_cb(void *ctx, void *data, size_t len)
{
	struct loupe_bpf *l = ctx;
	return l->fn ? l->fn(l->user, data, len) : 0;
}

int loupe_bpf_start(const struct loupe_bpf_options *opt, loupe_record_fn fn, void *user,
		    loupe_bpf **out, char *err, size_t errlen)
{
	struct loupe_bpf_options o = {0};
	struct loupe_bpf *l = NULL;
	struct bpf_program *prog;
	int rc;

	if (opt)
		o = *opt;
	if (o.enabled == 0)
		o.enabled = LOUPE_EV_ALL_DEFAULT;
	if (o.ring_bytes == 0)
		o.ring_bytes = 16u << 20;
	if (o.self_tgid == 0)
		o.self_tgid = (uint32_t)getpid();
	if (o.randomx_threshold == 0)
		o.randomx_threshold = 8;
	if (o.wakeup_bytes == 0)
		o.wakeup_bytes = 256u << 10;
	else if (o.wakeup_bytes == UINT32_MAX)
		o.wakeup_bytes = 0;
	if (o.wakeup_bytes > o.ring_bytes / 2)
		o.wakeup_bytes = o.ring_bytes / 2;
	*out = NULL;
	libbpf_log_len = 0;
	libbpf_log[0] = 0;
	libbpf_set_print(libbpf_print_fn);

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		set_err(err, errlen, "kernel BTF not available (/sys/kernel/btf/vmlinux): "
				     "Loupe's CO-RE programs need CONFIG_DEBUG_INFO_BTF");
		return -ENOENT;
	}
	if ((o.ring_bytes & (o.ring_bytes - 1)) != 0 || o.ring_bytes < 4096) {
		set_err(err, errlen, "ring buffer size %u is not a power of two >= 4096", o.ring_bytes);
		return -EINVAL;
	}

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->fn = fn;
	l->user = user;

	l->skel = loupe_skel__open();
	if (!l->skel) {
		rc = -errno;
		set_err(err, errlen, "opening the BPF object failed: %s", strerror(-rc));
		goto fail;
	}
	bpf_map__set_max_entries(l->skel->maps.events, o.ring_bytes);

	bpf_object__for_each_program(prog, l->skel->obj)
	{
		bool on = (prog_types_of(bpf_program__name(prog)) & o.enabled) != 0;
		bpf_program__set_autoload(prog, on);
	}

	/* LOUPE_BPF_VERIFIER_LOG=1: keep a large verifier log per program and print the tail of a
	 * failing one (for developers chasing a verifier rejection). */
	static char *vlog;
	static const size_t vlog_size = 64u << 20;
	if (getenv("LOUPE_BPF_VERIFIER_LOG")) {
		if (!vlog)
			vlog = calloc(1, vlog_size);
		bpf_object__for_each_program(prog, l->skel->obj)
		{
			if (vlog && bpf_program__autoload(prog)) {
				bpf_program__set_log_buf(prog, vlog, vlog_size);
				bpf_program__set_log_level(prog, 1 | 4);
			}
		}
	}

	l->skel->bss->cfg.enabled = o.enabled;
	l->skel->bss->cfg.self_tgid = o.self_tgid;
	l->skel->bss->cfg.flags = o.flags;
	l->skel->bss->cfg.randomx_threshold = o.randomx_threshold;
	l->skel->bss->cfg.mntns_mode = o.mntns_mode;
	l->skel->bss->cfg.wakeup_bytes = o.wakeup_bytes;

	rc = loupe_skel__load(l->skel);
	if (rc && vlog) {
		size_t n = strlen(vlog);
		fprintf(stderr, "---- verifier log tail ----\n%s\n", vlog + (n > 6000 ? n - 6000 : 0));
	}
	if (rc) {
		rc = rc < 0 ? rc : -errno;
		set_err(err, errlen,
			"loading the BPF programs failed (%s)%s", strerror(-rc),
			rc == -EPERM ? ": run as root or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN" : "");
		goto fail;
	}

	/* Attach one by one so an error names the program. */
	bpf_object__for_each_program(prog, l->skel->obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link) {
			rc = -errno;
			set_err(err, errlen, "attaching %s failed: %s", bpf_program__name(prog),
				strerror(-rc));
			goto fail;
		}
		/* Hand the link to the skeleton so loupe_skel__destroy detaches it. */
		struct bpf_link **slot = NULL;
		for (int i = 0; i < l->skel->skeleton->prog_cnt; i++)
			if (*l->skel->skeleton->progs[i].prog == prog)
				slot = l->skel->skeleton->progs[i].link;
		if (slot)
			*slot = link;
		if (l->nprogs < (int)(sizeof(l->prog_names) / sizeof(l->prog_names[0])))
			l->prog_names[l->nprogs++] = bpf_program__name(prog);
	}
	l->loaded_mask = o.enabled;

	l->ring = ring_buffer__new(bpf_map__fd(l->skel->maps.events), ring_cb, l, NULL);
	if (!l->ring) {
		rc = -errno;
		set_err(err, errlen, "creating the ring buffer reader failed: %s", strerror(-rc));
		goto fail;
	}
	*out = l;
	return 0;

fail:
	loupe_bpf_stop(l);
	return rc ? rc : -EINVAL;
}

int loupe_bpf_poll(loupe_bpf *l, int timeout_ms)
{
	/* Records below the wake-up threshold raise no wake-up: after the wait, take what is
	 * there whether or not the wait ended with a wake-up. */
	int n = ring_buffer__poll(l->ring, timeout_ms);
	if (n < 0)
		return n;
	int m = ring_buffer__consume(l->ring);
	return m < 0 ? m : n + m;
}

int loupe_bpf_consume(loupe_bpf *l)
{
	return ring_buffer__consume(l->ring);
}

int loupe_bpf_ring_fd(loupe_bpf *l)
{
	return ring_buffer__epoll_fd(l->ring);
}

uint64_t loupe_bpf_enabled(loupe_bpf *l)
{
	return l->skel->bss->cfg.enabled;
}

int loupe_bpf_set_enabled(loupe_bpf *l, uint64_t mask)
{
	if (mask & ~l->loaded_mask)
		return -EINVAL;
	__atomic_store_n(&l->skel->bss->cfg.enabled, mask, __ATOMIC_RELAXED);
	return 0;
}

int loupe_bpf_set_flags(loupe_bpf *l, uint32_t flags)
{
	__atomic_store_n(&l->skel->bss->cfg.flags, flags, __ATOMIC_RELAXED);
	return 0;
}

int loupe_bpf_set_mntns_mode(loupe_bpf *l, uint32_t mode)
{
	if (mode > LOUPE_MNTNS_EXCLUDE)
		return -EINVAL;
	__atomic_store_n(&l->skel->bss->cfg.mntns_mode, mode, __ATOMIC_RELAXED);
	return 0;
}

int loupe_bpf_mntns_add(loupe_bpf *l, uint32_t mntns)
{
	uint8_t one = 1;
	return bpf_map__update_elem(l->skel->maps.mntns_filter, &mntns, sizeof(mntns), &one,
				    sizeof(one), BPF_ANY);
}

int loupe_bpf_mntns_remove(loupe_bpf *l, uint32_t mntns)
{
	int rc = bpf_map__delete_elem(l->skel->maps.mntns_filter, &mntns, sizeof(mntns), 0);
	return rc == -ENOENT ? 0 : rc;
}

static int prefix_key(const char *prefix, struct loupe_prefix_key *k)
{
	size_t n = strlen(prefix);
	if (n == 0)
		return -EINVAL;
	if (n > LOUPE_PREFIX_MAX)
		n = LOUPE_PREFIX_MAX;
	memset(k, 0, sizeof(*k));
	k->prefixlen = (uint32_t)n * 8;
	memcpy(k->path, prefix, n);
	return 0;
}

int loupe_bpf_open_exclude_add(loupe_bpf *l, const char *prefix)
{
	struct loupe_prefix_key k;
	uint8_t one = 1;
	int rc = prefix_key(prefix, &k);
	if (rc)
		return rc;
	rc = bpf_map__update_elem(l->skel->maps.open_exclude, &k, sizeof(k), &one, sizeof(one),
				  BPF_ANY);
	if (rc == 0)
		__atomic_add_fetch(&l->skel->bss->cfg.open_exclude_count, 1, __ATOMIC_RELAXED);
	return rc;
}

int loupe_bpf_open_exclude_remove(loupe_bpf *l, const char *prefix)
{
	struct loupe_prefix_key k;
	int rc = prefix_key(prefix, &k);
	if (rc)
		return rc;
	rc = bpf_map__delete_elem(l->skel->maps.open_exclude, &k, sizeof(k), 0);
	if (rc == 0 && l->skel->bss->cfg.open_exclude_count > 0)
		__atomic_sub_fetch(&l->skel->bss->cfg.open_exclude_count, 1, __ATOMIC_RELAXED);
	return rc;
}

int loupe_bpf_read_drops(loupe_bpf *l, uint64_t *out, size_t count)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < LOUPE_DROP_SLOTS && k < count; k++) {
		int rc = bpf_map__lookup_elem(l->skel->maps.drops, &k, sizeof(k), vals,
					      sizeof(uint64_t) * (size_t)ncpu, 0);
		if (rc) {
			free(vals);
			return rc;
		}
		uint64_t sum = 0;
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
		out[k] = sum;
	}
	free(vals);
	return 0;
}

int loupe_bpf_program_count(loupe_bpf *l)
{
	return l->nprogs;
}

const char *loupe_bpf_program_name(loupe_bpf *l, int i)
{
	return i >= 0 && i < l->nprogs ? l->prog_names[i] : NULL;
}

void loupe_bpf_stop(loupe_bpf *l)
{
	if (!l)
		return;
	ring_buffer__free(l->ring);
	loupe_skel__destroy(l->skel);
	free(l);
}

const char *loupe_event_type_name(uint32_t type)
{
	static const char *const names[LOUPE_EV_MAX] = {
		[LOUPE_EV_EXEC] = "exec",       [LOUPE_EV_EXIT] = "exit",
		[LOUPE_EV_FORK] = "fork",       [LOUPE_EV_OPEN] = "open",
		[LOUPE_EV_NETWORK] = "network", [LOUPE_EV_DNS] = "dns",
		[LOUPE_EV_PTRACE] = "ptrace",   [LOUPE_EV_KMOD] = "kmod",
		[LOUPE_EV_UNSHARE] = "unshare", [LOUPE_EV_SYMLINK] = "symlink",
		[LOUPE_EV_HARDLINK] = "hardlink", [LOUPE_EV_BPF] = "bpf",
		[LOUPE_EV_IOURING] = "iouring", [LOUPE_EV_CAPABILITIES] = "capabilities",
		[LOUPE_EV_RANDOMX] = "randomx", [LOUPE_EV_SYSCALL] = "syscall",
	};
	return type < LOUPE_EV_MAX && names[type] ? names[type] : "?";
}

const char *loupe_drop_reason_name(uint32_t reason)
{
	switch (reason) {
	case LOUPE_DROP_RINGBUF: return "ringbuf";
	case LOUPE_DROP_TRUNCATED: return "truncated";
	case LOUPE_DROP_INFLIGHT: return "inflight";
	case LOUPE_DROP_READ: return "read";
	default: return "?";
	}
}

const uint8_t *loupe_record_str(const void *record, size_t record_len, struct loupe_str s)
{
	if (s.len == 0 || (size_t)s.off + s.len > record_len)
		return NULL;
	return (const uint8_t *)record + s.off;
}
