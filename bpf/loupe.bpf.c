// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loupe capture: the kernel side. CO-RE eBPF programs writing the records of loupe_events.h
 * into one BPF ring buffer.
 *
 * Hook choice. This kernel has no kprobes, and it is locked down (integrity mode, forced by its
 * configuration), which makes the kernel refuse trampoline programs: fentry/fexit and LSM BPF
 * fail to load with EPERM. What works and is used: BTF-typed raw tracepoints (tp_btf) only.
 *   - sched_process_exec/exit/fork: exec, exit, fork;
 *   - sys_enter/sys_exit (raw_syscalls): open, failed exec, network, ptrace, kmod, unshare,
 *     symlink, hardlink, bpf, and the opt-in syscall type (one program pair for all of them; the
 *     entry arguments wait in task storage for the exit);
 *   - net_dev_queue / skb_copy_datagram_iovec: DNS queries and answers (UDP port 53);
 *   - io_uring_create / io_uring_submit_req, cap_capable, x86_fpu_regs_deactivated.
 * tp_btf programs attach by name through bpf(BPF_RAW_TRACEPOINT_OPEN): no tracefs needed.
 *
 * The per-CPU record buffer (evbuf) assumes a program is not preempted by another Loupe program
 * on the same CPU while building a record; with PREEMPT_NONE/VOLUNTARY (this kernel) that holds.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "loupe_events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define PF_KTHREAD 0x00200000
#define CAP_OPT_NOAUDIT 2
#define DNS_PORT 53

#define EVBUF_SIZE 32768
#define START_MASK 16383 /* every string field starts below this offset */
#define PATH_DEPTH 32    /* path components kept (deeper paths are cut at the top) */
#define ARGV_FAIL_MAX 16 /* argv elements read for a failed exec */
#define ENV_SCAN_MAX 256 /* environment entries inspected for LD_* */

/* ---------------------------------------------------------------- settings and maps */

struct loupe_config cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOUPE_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct evbuf {
	__u8 data[EVBUF_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct evbuf);
} evbuf SEC(".maps");

struct pathwalk {
	struct dentry *d[PATH_DEPTH];
	__u64 dentry, vmnt, root_d, root_m; /* walk cursor and stop point */
	__u32 n, cur, trunc, _pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pathwalk);
} pathwalk SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} mntns_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct loupe_prefix_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} open_exclude SEC(".maps");

struct cap_key {
	__u32 tgid;
	__u32 cap;
	__s32 syscall_nr;
	__u32 denied;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cap_key);
	__type(value, __u8);
} cap_seen SEC(".maps");

struct uring_key {
	__u32 tgid;
	__u32 opcode;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct uring_key);
	__type(value, __u8);
} uring_seen SEC(".maps");

struct sys_bits {
	__u64 w[8]; /* 512 system call numbers */
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u32);
	__type(value, struct sys_bits);
} syscall_seen SEC(".maps");

struct rx_state {
	__u32 hits;
	__u32 reported;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct rx_state);
} randomx_state SEC(".maps");

/* ---------------------------------------------------------------- common helpers */

static __always_inline void count_drop(__u32 reason, __u32 type)
{
	__u32 k = reason * LOUPE_EV_MAX + type;
	__u64 *v = bpf_map_lookup_elem(&drops, &k);
	if (v)
		*v += 1;
}

static __always_inline __u32 task_mntns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
}

/* Is `type` wanted for the current task? Sets *mntns. */
static __always_inline bool want(__u32 type, struct task_struct *task, __u32 *mntns)
{
	if (!(cfg.enabled & LOUPE_EV_BIT(type)))
		return false;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == cfg.self_tgid)
		return false;
	__u32 ns = task_mntns(task);
	*mntns = ns;
	__u32 mode = cfg.mntns_mode;
	if (mode != LOUPE_MNTNS_ALL) {
		bool listed = bpf_map_lookup_elem(&mntns_filter, &ns) != NULL;
		if (mode == LOUPE_MNTNS_INCLUDE && !listed)
			return false;
		if (mode == LOUPE_MNTNS_EXCLUDE && listed)
			return false;
	}
	return true;
}

static __always_inline void fill_hdr(struct loupe_hdr *h, struct task_struct *task, __u32 type,
				     __u32 mntns)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);

	h->len = 0;
	h->type = type;
	h->flags = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->cpu = bpf_get_smp_processor_id();
	h->pid = pt >> 32;
	h->tid = (__u32)pt;
	h->ppid = BPF_CORE_READ(parent, tgid);
	h->uid = (__u32)ug;
	h->gid = ug >> 32;
	h->mntns = mntns;
	h->_pad = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	BPF_CORE_READ_INTO(&h->pcomm, parent, comm);
}

static __always_inline __u8 *get_evbuf(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&evbuf, &zero);
}

/* Send a record built in evbuf; `len` is its final length. */
/* Wake-up policy: waking the reader on every record costs an interrupt-work round trip per
 * event; with cfg.wakeup_bytes set, only a ring holding that much wakes it. */
static __always_inline __u64 wake_flags(void)
{
	__u32 w = cfg.wakeup_bytes;
	if (w == 0)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= w ? BPF_RB_FORCE_WAKEUP
								   : BPF_RB_NO_WAKEUP;
}

static __always_inline void output(__u8 *b, __u32 len, __u32 type)
{
	struct loupe_hdr *h = (void *)b;
	if (len > EVBUF_SIZE)
		len = EVBUF_SIZE;
	len = (len + 7) & ~7u; /* keep records 8-aligned for readers */
	if (len > EVBUF_SIZE)
		len = EVBUF_SIZE;
	h->len = len;
	if (h->flags & LOUPE_HF_TRUNCATED)
		count_drop(LOUPE_DROP_TRUNCATED, type);
	if (bpf_ringbuf_output(&events, b, len, wake_flags()))
		count_drop(LOUPE_DROP_RINGBUF, type);
}

static __always_inline void *reserve(__u32 size, __u32 type)
{
	void *p = bpf_ringbuf_reserve(&events, size, 0);
	if (!p)
		count_drop(LOUPE_DROP_RINGBUF, type);
	return p;
}

/* String fields. Each helper writes at `pos` (checked below START_MASK), fills `f`, counts
 * failures, and returns the position after the string and its NUL. */
static __always_inline __u32 put_user_str(__u8 *b, __u32 pos, struct loupe_str *f, const void *src,
					  __u32 type)
{
	struct loupe_hdr *h = (void *)b;
	f->off = 0;
	f->len = 0;
	if (!src)
		return pos;
	if (pos > START_MASK) {
		h->flags |= LOUPE_HF_TRUNCATED;
		return pos;
	}
	pos &= START_MASK;
	long n = bpf_probe_read_user_str(b + pos, LOUPE_STR_MAX, src);
	if (n <= 0) {
		count_drop(LOUPE_DROP_READ, type);
		return pos;
	}
	if (n >= LOUPE_STR_MAX)
		h->flags |= LOUPE_HF_TRUNCATED;
	f->off = pos;
	f->len = n - 1;
	return pos + (__u32)(n & (LOUPE_STR_MAX * 2 - 1));
}

static __always_inline __u32 put_kernel_str(__u8 *b, __u32 pos, struct loupe_str *f,
					    const void *src, __u32 type)
{
	struct loupe_hdr *h = (void *)b;
	f->off = 0;
	f->len = 0;
	if (!src)
		return pos;
	if (pos > START_MASK) {
		h->flags |= LOUPE_HF_TRUNCATED;
		return pos;
	}
	pos &= START_MASK;
	long n = bpf_probe_read_kernel_str(b + pos, LOUPE_STR_MAX, src);
	if (n <= 0) {
		count_drop(LOUPE_DROP_READ, type);
		return pos;
	}
	if (n >= LOUPE_STR_MAX)
		h->flags |= LOUPE_HF_TRUNCATED;
	f->off = pos;
	f->len = n - 1;
	return pos + (__u32)(n & (LOUPE_STR_MAX * 2 - 1));
}

/* Raw user bytes (argv block, DNS payload); `max` must be <= LOUPE_STR_MAX. */
static __always_inline __u32 put_user_bytes(__u8 *b, __u32 pos, struct loupe_str *f,
					    const void *src, __u64 len, __u32 max, __u32 type)
{
	struct loupe_hdr *h = (void *)b;
	f->off = 0;
	f->len = 0;
	if (!src || len == 0)
		return pos;
	if (pos > START_MASK) {
		h->flags |= LOUPE_HF_TRUNCATED;
		return pos;
	}
	pos &= START_MASK;
	if (len > max) {
		len = max;
		h->flags |= LOUPE_HF_TRUNCATED;
	}
	__u32 n = len & (LOUPE_STR_MAX * 2 - 1);
	if (n == 0)
		return pos;
	if (bpf_probe_read_user(b + pos, n, src)) {
		count_drop(LOUPE_DROP_READ, type);
		return pos;
	}
	f->off = pos;
	f->len = n;
	return pos + n;
}

/* Path of (dentry, vfsmount) as the task sees it: walked up to the task's root, crossing mount
 * points; a pseudo file (memfd, anonymous inode) gives "/<its name>". A global function, so the
 * verifier checks its loops once rather than at every call site. Writes at buf[pos & START_MASK];
 * returns the path length, with PATH_TRUNCATED set when components were cut, or 0. */
#define PATH_TRUNCATED 0x10000
struct path_req {
	__u64 dentry;
	__u64 vmnt;
	__u64 root_d;
	__u64 root_m;
};
__noinline int loupe_path(struct evbuf *buf, __u32 pos, struct path_req *req)
{
	__u32 zero = 0;
	if (!buf || !req || !req->dentry || !req->vmnt)
		return 0;
	__u8 *b = buf->data;
	pos &= START_MASK;
	struct pathwalk *pw = bpf_map_lookup_elem(&pathwalk, &zero);
	if (!pw)
		return 0;

	/* The walk keeps all its state (cursor, component count, output length) in the per-CPU map
	 * value rather than in registers: values loaded from a map carry no range or identity, so
	 * the verifier's states at the loop head differ only by the loop counter and prune. */
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	pw->dentry = req->dentry;
	pw->vmnt = req->vmnt;
	pw->root_d = req->root_d;
	pw->root_m = req->root_m;
	pw->n = 0;
	pw->cur = 0;
	pw->trunc = 0;
	for (int i = 0; i < PATH_DEPTH + 8; i++) {
		struct dentry *dentry = (void *)pw->dentry;
		struct vfsmount *vmnt = (void *)pw->vmnt;
		if (pw->dentry == pw->root_d && pw->vmnt == pw->root_m)
			break;
		struct dentry *mnt_root = BPF_CORE_READ(vmnt, mnt_root);
		if (dentry == mnt_root) {
			struct mount *mnt = (void *)vmnt - mnt_off;
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (up == mnt || !up)
				break;
			pw->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
			pw->vmnt = (__u64)up + mnt_off;
			continue;
		}
		if (pw->n >= PATH_DEPTH) {
			pw->trunc = PATH_TRUNCATED;
			break;
		}
		pw->d[pw->n & (PATH_DEPTH - 1)] = dentry;
		pw->n++;
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry || !parent)
			break;
		pw->dentry = (__u64)parent;
	}

	b[pos] = '/';
	b[pos + 1] = 0;
	if (pw->n == 0)
		return 1;
	for (int j = 0; j < PATH_DEPTH; j++) {
		if (j >= pw->n)
			break;
		if (pw->cur > LOUPE_STR_MAX - 256) {
			pw->trunc = PATH_TRUNCATED;
			break;
		}
		struct dentry *d = pw->d[(pw->n - 1 - j) & (PATH_DEPTH - 1)];
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		__u32 o = pos + (pw->cur & (LOUPE_STR_MAX - 1));
		b[o] = '/';
		long r = bpf_probe_read_kernel_str(b + o + 1, 256, name);
		if (r <= 1)
			break;
		pw->cur += (__u32)r; /* the '/' plus the name; its NUL is overwritten by the next '/' */
	}
	return (pw->cur & (LOUPE_STR_MAX * 2 - 1)) | pw->trunc;
}

static __always_inline __u32 put_path(__u8 *b, __u32 pos, struct loupe_str *f,
				      struct dentry *dentry, struct vfsmount *vmnt,
				      struct dentry *root_d, struct vfsmount *root_m, __u32 type)
{
	struct loupe_hdr *h = (void *)b;
	f->off = 0;
	f->len = 0;
	if (pos > START_MASK) {
		h->flags |= LOUPE_HF_TRUNCATED;
		return pos;
	}
	pos &= START_MASK;
	struct path_req req = {
		.dentry = (__u64)dentry,
		.vmnt = (__u64)vmnt,
		.root_d = (__u64)root_d,
		.root_m = (__u64)root_m,
	};
	int r = loupe_path((struct evbuf *)b, pos, &req);
	if (r & PATH_TRUNCATED)
		h->flags |= LOUPE_HF_TRUNCATED;
	__u32 len = r & (LOUPE_STR_MAX * 2 - 1);
	if (len == 0) {
		if (dentry)
			count_drop(LOUPE_DROP_READ, type);
		return pos;
	}
	f->off = pos;
	f->len = len;
	return pos + len + 1;
}

static __always_inline __u8 file_upper_layer(struct file *file)
{
	if (!file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	if (BPF_CORE_READ(inode, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	struct ovl_inode *oi = (void *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode);
	return BPF_CORE_READ(oi, __upperdentry) != NULL;
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct file *file = NULL;
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline __u32 put_file_path(__u8 *b, __u32 pos, struct loupe_str *f,
					   struct task_struct *task, struct file *file, __u32 type)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	return put_path(b, pos, f, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
			BPF_CORE_READ(fs, root.dentry), BPF_CORE_READ(fs, root.mnt), type);
}

/* ---------------------------------------------------------------- exec, exit, fork */

struct env_ctx {
	__u64 cursor;
	__u64 end;
	__u32 pos;
	__u32 start;
	__u32 truncated;
};

static __always_inline bool is_ld_var(__u8 *s)
{
	/* LD_PRELOAD=, LD_LIBRARY_PATH=, LD_AUDIT= */
	if (s[0] != 'L' || s[1] != 'D' || s[2] != '_')
		return false;
	if (s[3] == 'P' && s[4] == 'R' && s[5] == 'E' && s[6] == 'L' && s[7] == 'O' && s[8] == 'A' &&
	    s[9] == 'D' && s[10] == '=')
		return true;
	if (s[3] == 'A' && s[4] == 'U' && s[5] == 'D' && s[6] == 'I' && s[7] == 'T' && s[8] == '=')
		return true;
	if (s[3] == 'L' && s[4] == 'I' && s[5] == 'B' && s[6] == 'R' && s[7] == 'A' && s[8] == 'R' &&
	    s[9] == 'Y' && s[10] == '_' && s[11] == 'P' && s[12] == 'A' && s[13] == 'T' && s[14] == 'H' &&
	    s[15] == '=')
		return true;
	return false;
}

static long env_step(__u32 idx, void *data)
{
	struct env_ctx *c = data;
	if (c->cursor >= c->end)
		return 1;
	__u8 *b = get_evbuf();
	if (!b)
		return 1;
	__u32 p = c->pos;
	if (p > START_MASK)
		return 1;
	p &= START_MASK;
	long n = bpf_probe_read_user_str(b + p, LOUPE_STR_MAX, (void *)c->cursor);
	if (n <= 0)
		return 1;
	if (n >= LOUPE_STR_MAX) { /* an entry this long: we cannot find the next one */
		c->truncated = 1;
		return 1;
	}
	c->cursor += n;
	if (n > 9 && is_ld_var(b + p)) {
		if (p + n - c->start > LOUPE_ENV_MAX)
			c->truncated = 1;
		else
			c->pos = p + n;
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(loupe_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	if (!want(LOUPE_EV_EXEC, task, &mntns))
		return 0;
	__u8 *b = get_evbuf();
	if (!b)
		return 0;
	struct loupe_exec *e = (void *)b;
	fill_hdr(&e->hdr, task, LOUPE_EV_EXEC, mntns);
	e->retval = 0;
	e->argc = BPF_CORE_READ(bprm, argc);
	e->old_tid = old_pid;
	if ((__u32)old_pid != e->hdr.tid)
		e->hdr.flags |= LOUPE_HF_THREAD;
	e->_pad0 = 0;

	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	e->has_tty = tty != NULL;
	e->tty_major = 0;
	e->tty_minor = 0;
	if (tty) {
		e->tty_major = BPF_CORE_READ(tty, driver, major);
		e->tty_minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	}

	struct file *file = BPF_CORE_READ(bprm, file);
	e->upper_layer = file_upper_layer(file);
	e->pupper_layer = file_upper_layer(BPF_CORE_READ(task, real_parent, mm, exe_file));

	__u32 pos = sizeof(*e);
	pos = put_file_path(b, pos, &e->exepath, task, file, LOUPE_EV_EXEC);
	pos = put_kernel_str(b, pos, &e->filename, BPF_CORE_READ(bprm, filename), LOUPE_EV_EXEC);
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	pos = put_path(b, pos, &e->cwd, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt),
		       BPF_CORE_READ(fs, root.dentry), BPF_CORE_READ(fs, root.mnt), LOUPE_EV_EXEC);

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u64 arg_start = BPF_CORE_READ(mm, arg_start);
	__u64 arg_end = BPF_CORE_READ(mm, arg_end);
	pos = put_user_bytes(b, pos, &e->args, (void *)arg_start, arg_end - arg_start, LOUPE_STR_MAX,
			     LOUPE_EV_EXEC);

	e->env.off = 0;
	e->env.len = 0;
	if (pos <= START_MASK) {
		struct env_ctx c = {
			.cursor = BPF_CORE_READ(mm, env_start),
			.end = BPF_CORE_READ(mm, env_end),
			.pos = pos,
			.start = pos,
		};
		__u32 envc = BPF_CORE_READ(bprm, envc);
		if (envc > ENV_SCAN_MAX) {
			envc = ENV_SCAN_MAX;
			c.truncated = 1;
		}
		bpf_loop(envc, env_step, &c, 0);
		if (c.truncated)
			e->hdr.flags |= LOUPE_HF_TRUNCATED;
		if (c.pos > c.start) {
			e->env.off = c.start;
			e->env.len = c.pos - c.start;
			pos = c.pos;
		}
	} else {
		e->hdr.flags |= LOUPE_HF_TRUNCATED;
	}
	output(b, pos, LOUPE_EV_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(loupe_exit, struct task_struct *p)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	/* Only the last thread of a process: signal->live has already been decremented. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (!want(LOUPE_EV_EXIT, task, &mntns))
		return 0;
	struct loupe_exit *e = reserve(sizeof(*e), LOUPE_EV_EXIT);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_EXIT, mntns);
	e->hdr.len = sizeof(*e);
	__u32 status = BPF_CORE_READ(task, exit_code);
	e->status = status;
	e->exit_code = (status >> 8) & 0xff;
	e->signal = status & 0x7f;
	e->_pad = 0;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(loupe_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	__u32 cpid = BPF_CORE_READ(child, tgid);
	__u32 ctid = BPF_CORE_READ(child, pid);
	bool thread = cpid != ctid;
	if (thread && !(cfg.flags & LOUPE_CFG_FORK_THREADS))
		return 0;
	if (!want(LOUPE_EV_FORK, task, &mntns))
		return 0;
	struct loupe_fork *e = reserve(sizeof(*e), LOUPE_EV_FORK);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_FORK, mntns);
	e->hdr.len = sizeof(*e);
	if (thread)
		e->hdr.flags |= LOUPE_HF_THREAD;
	e->child_pid = cpid;
	e->child_tid = ctid;
	e->child_mntns = task_mntns(child);
	e->_pad = 0;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

#define AT_FDCWD_VALUE -100

/* ---------------------------------------------------------------- system calls */

/* The system calls Loupe records are hooked at the raw sys_enter/sys_exit tracepoints (one pair
 * of programs for all of them): fentry/fexit and LSM programs are refused on this kernel (it is
 * locked down, integrity mode), and the module syscalls have no syscalls:* tracepoint when
 * CONFIG_MODULES is off. Numbers are x86-64's. */
#define NR_open 2
#define NR_connect 42
#define NR_recvfrom 45
#define NR_recvmsg 47
#define NR_accept 43
#define NR_listen 50
#define NR_execve 59
#define NR_creat 85
#define NR_link 86
#define NR_symlink 88
#define NR_ptrace 101
#define NR_init_module 175
#define NR_openat 257
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_unshare 272
#define NR_accept4 288
#define NR_finit_module 313
#define NR_bpf 321
#define NR_execveat 322
#define NR_openat2 437

#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* Arguments saved at sys_enter for the matching sys_exit, per task. */
struct inflight {
	__u64 args[6];
	__u32 nr;
	__u32 active;
	__u32 mntns;
	__u32 _pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

static __always_inline __u32 sys_type(long id)
{
	switch (id) {
	case NR_open:
	case NR_creat:
	case NR_openat:
	case NR_openat2:
		return LOUPE_EV_OPEN;
	case NR_execve:
	case NR_execveat:
		return LOUPE_EV_EXEC;
	case NR_connect:
	case NR_accept:
	case NR_accept4:
	case NR_listen:
		return LOUPE_EV_NETWORK;
	case NR_ptrace:
		return LOUPE_EV_PTRACE;
	case NR_init_module:
	case NR_finit_module:
		return LOUPE_EV_KMOD;
	case NR_unshare:
		return LOUPE_EV_UNSHARE;
	case NR_symlink:
	case NR_symlinkat:
		return LOUPE_EV_SYMLINK;
	case NR_link:
	case NR_linkat:
		return LOUPE_EV_HARDLINK;
	case NR_bpf:
		return LOUPE_EV_BPF;
	case NR_recvfrom:
	case NR_recvmsg:
		return LOUPE_EV_DNS;
	}
	return 0;
}

/* A failed execve/execveat: the new image never ran, so report what the caller asked for.
 * (A successful one is reported by sched_process_exec.) */
static __always_inline void exec_failed(struct task_struct *task, struct inflight *st, long ret)
{
	if (ret >= 0)
		return;
	bool at = st->nr == NR_execveat;
	const char *filename = (void *)(at ? st->args[1] : st->args[0]);
	const char *const *argv = (void *)(at ? st->args[2] : st->args[1]);
	__u8 *b = get_evbuf();
	if (!b)
		return;
	struct loupe_exec *e = (void *)b;
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->hdr, task, LOUPE_EV_EXEC, st->mntns);
	e->retval = ret;
	e->old_tid = e->hdr.tid;
	__u32 pos = put_user_str(b, sizeof(*e), &e->filename, filename, LOUPE_EV_EXEC);

	__u32 first = pos;
	struct loupe_str tmp;
	for (int i = 0; i < ARGV_FAIL_MAX; i++) {
		const char *arg = NULL;
		if (!argv || bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		if (pos > first + LOUPE_STR_MAX) {
			e->hdr.flags |= LOUPE_HF_TRUNCATED;
			break;
		}
		__u32 next = put_user_str(b, pos, &tmp, arg, LOUPE_EV_EXEC);
		if (next == pos)
			break;
		pos = next;
		e->argc++;
	}
	e->args.off = pos > first ? first : 0;
	e->args.len = pos - first;
	output(b, pos, LOUPE_EV_EXEC);
}

static __always_inline bool open_excluded(__u8 *b, struct loupe_str *path)
{
	struct loupe_prefix_key key = {};
	__u32 len = path->len;
	__u32 off = path->off;
	if (cfg.open_exclude_count == 0 || len == 0)
		return false;
	if (len > LOUPE_PREFIX_MAX)
		len = LOUPE_PREFIX_MAX;
	key.prefixlen = len * 8;
	bpf_probe_read_kernel(key.path, sizeof(key.path), b + (off & START_MASK));
	return bpf_map_lookup_elem(&open_exclude, &key) != NULL;
}

static __always_inline void emit_open(struct task_struct *task, struct inflight *st, long ret)
{
	__u8 *b = get_evbuf();
	if (!b)
		return;
	struct loupe_open *e = (void *)b;
	const char *path;
	fill_hdr(&e->hdr, task, LOUPE_EV_OPEN, st->mntns);
	e->retval = ret;
	e->_pad = 0;
	switch (st->nr) {
	case NR_open: /* open(path, flags, mode) */
		e->dfd = AT_FDCWD_VALUE;
		path = (void *)st->args[0];
		e->flags = st->args[1];
		e->mode = st->args[2];
		break;
	case NR_creat: /* creat(path, mode) */
		e->dfd = AT_FDCWD_VALUE;
		path = (void *)st->args[0];
		e->flags = 01 | 0100 | 01000; /* O_WRONLY|O_CREAT|O_TRUNC */
		e->mode = st->args[1];
		break;
	case NR_openat2: { /* openat2(dfd, path, how, size) */
		struct open_how how = {};
		e->dfd = st->args[0];
		path = (void *)st->args[1];
		bpf_probe_read_user(&how, sizeof(how), (void *)st->args[2]);
		e->flags = how.flags;
		e->mode = how.mode;
		break;
	}
	default: /* openat(dfd, path, flags, mode) */
		e->dfd = st->args[0];
		path = (void *)st->args[1];
		e->flags = st->args[2];
		e->mode = st->args[3];
		break;
	}
	__u32 pos = put_user_str(b, sizeof(*e), &e->path, path, LOUPE_EV_OPEN);
	if (open_excluded(b, &e->path))
		return;
	output(b, pos, LOUPE_EV_OPEN);
}

/* symlink(old, new), symlinkat(old, newdfd, new), link(old, new),
 * linkat(olddfd, old, newdfd, new, flags): paths as given by the caller. */
static __always_inline void emit_link(struct task_struct *task, struct inflight *st, __u32 type,
				      long ret)
{
	const char *oldp, *newp;
	__u8 *b = get_evbuf();
	if (!b)
		return;
	struct loupe_link *e = (void *)b;
	fill_hdr(&e->hdr, task, type, st->mntns);
	e->retval = ret;
	e->olddfd = AT_FDCWD_VALUE;
	e->newdfd = AT_FDCWD_VALUE;
	e->flags = 0;
	oldp = (void *)st->args[0];
	newp = (void *)st->args[1];
	if (st->nr == NR_symlinkat) {
		e->newdfd = st->args[1];
		newp = (void *)st->args[2];
	} else if (st->nr == NR_linkat) {
		e->olddfd = st->args[0];
		oldp = (void *)st->args[1];
		e->newdfd = st->args[2];
		newp = (void *)st->args[3];
		e->flags = st->args[4];
	}
	__u32 pos = put_user_str(b, sizeof(*e), &e->oldpath, oldp, type);
	pos = put_user_str(b, pos, &e->newpath, newp, type);
	output(b, pos, type);
}

/* init_module(image, len, params), finit_module(fd, params, flags). With CONFIG_MODULES off
 * these are attempts only (-ENOSYS). */
static __always_inline void emit_kmod(struct task_struct *task, struct inflight *st, long ret)
{
	__u8 *b = get_evbuf();
	if (!b)
		return;
	struct loupe_kmod *e = (void *)b;
	fill_hdr(&e->hdr, task, LOUPE_EV_KMOD, st->mntns);
	e->retval = ret;
	__u32 pos = sizeof(*e);
	e->path.off = 0;
	e->path.len = 0;
	if (st->nr == NR_finit_module) {
		e->call = LOUPE_KMOD_FINIT_MODULE;
		e->fd = st->args[0];
		e->flags = st->args[2];
		e->image_len = 0;
		struct file *file = fd_file(task, e->fd);
		if (file)
			pos = put_file_path(b, pos, &e->path, task, file, LOUPE_EV_KMOD);
		pos = put_user_str(b, pos, &e->params, (void *)st->args[1], LOUPE_EV_KMOD);
	} else {
		e->call = LOUPE_KMOD_INIT_MODULE;
		e->fd = -1;
		e->flags = 0;
		e->image_len = st->args[1];
		pos = put_user_str(b, pos, &e->params, (void *)st->args[2], LOUPE_EV_KMOD);
	}
	output(b, pos, LOUPE_EV_KMOD);
}

static __always_inline void emit_ptrace(struct task_struct *task, struct inflight *st, long ret)
{
	struct loupe_ptrace *e = reserve(sizeof(*e), LOUPE_EV_PTRACE);
	if (!e)
		return;
	fill_hdr(&e->hdr, task, LOUPE_EV_PTRACE, st->mntns);
	e->hdr.len = sizeof(*e);
	e->retval = ret;
	e->request = st->args[0];
	e->target_pid = st->args[1];
	bpf_ringbuf_submit(e, wake_flags());
}

static __always_inline void emit_unshare(struct task_struct *task, struct inflight *st, long ret)
{
	struct loupe_unshare *e = reserve(sizeof(*e), LOUPE_EV_UNSHARE);
	if (!e)
		return;
	/* The namespace the call was made from, even when it created a new one. */
	fill_hdr(&e->hdr, task, LOUPE_EV_UNSHARE, st->mntns);
	e->hdr.len = sizeof(*e);
	e->retval = ret;
	e->_pad = 0;
	e->flags = st->args[0];
	bpf_ringbuf_submit(e, wake_flags());
}

static __always_inline void emit_bpf(struct task_struct *task, struct inflight *st, long ret)
{
	struct loupe_bpf_syscall *e = reserve(sizeof(*e), LOUPE_EV_BPF);
	if (!e)
		return;
	fill_hdr(&e->hdr, task, LOUPE_EV_BPF, st->mntns);
	e->hdr.len = sizeof(*e);
	e->retval = ret;
	e->cmd = st->args[0];
	e->attr_size = st->args[2];
	e->sub_type = 0;
	if (e->cmd == BPF_PROG_LOAD || e->cmd == BPF_MAP_CREATE) {
		__u32 t = 0;
		/* prog_type and map_type are both the first word of union bpf_attr. */
		if (!bpf_probe_read_user(&t, sizeof(t), (void *)st->args[1]))
			e->sub_type = t;
	}
	bpf_ringbuf_submit(e, wake_flags());
}

struct sk_ends {
	__u8 family;
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u8 saddr[LOUPE_ADDR_LEN];
	__u8 daddr[LOUPE_ADDR_LEN];
};

static __always_inline void read_sk(struct sock *sk, struct sk_ends *o)
{
	o->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	o->proto = BPF_CORE_READ(sk, sk_protocol);
	o->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	o->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (o->family == AF_INET) {
		/* BPF_CORE_READ_INTO copies sizeof(*dst): give it the field's type */
		BPF_CORE_READ_INTO((__u32 *)o->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)o->daddr, sk, __sk_common.skc_daddr);
	} else if (o->family == AF_INET6) {
		BPF_CORE_READ_INTO((struct in6_addr *)o->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)o->daddr, sk, __sk_common.skc_v6_daddr);
	}
}

/* A kernel sockaddr (in or in6) into (family, port, addr); returns false for other families. */
static __always_inline bool read_sockaddr(void *sa, __u8 *family, __u16 *port, __u8 *addr)
{
	__u16 fam = 0;
	if (!sa || bpf_probe_read_kernel(&fam, sizeof(fam), sa))
		return false;
	if (fam == AF_INET) {
		struct sockaddr_in *in = sa;
		*family = AF_INET;
		*port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
		BPF_CORE_READ_INTO((__u32 *)addr, in, sin_addr.s_addr);
		return true;
	}
	if (fam == AF_INET6) {
		struct sockaddr_in6 *in6 = sa;
		*family = AF_INET6;
		*port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
		BPF_CORE_READ_INTO((struct in6_addr *)addr, in6, sin6_addr);
		return true;
	}
	return false;
}

static __always_inline struct loupe_network *net_begin(struct task_struct *task, __u32 mntns)
{
	struct loupe_network *e = reserve(sizeof(*e), LOUPE_EV_NETWORK);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->hdr, task, LOUPE_EV_NETWORK, mntns);
	e->hdr.len = sizeof(*e);
	return e;
}

static __always_inline struct sock *fd_sock(struct task_struct *task, int fd)
{
	struct file *file = fd_file(task, fd);
	if (!file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* connect(fd, addr, len), accept(fd, ...)/accept4, listen(fd, backlog). */
static __always_inline void emit_net(struct task_struct *task, struct inflight *st, long ret)
{
	struct sk_ends s = {};
	struct sock *sk;
	__u8 kind;

	if (st->nr == NR_connect) {
		struct sockaddr_in6 sa = {};
		kind = LOUPE_NET_CONNECT;
		if (bpf_probe_read_user(&sa, sizeof(sa), (void *)st->args[1]))
			return;
		if (!read_sockaddr(&sa, &s.family, &s.dport, s.daddr))
			return;
		sk = fd_sock(task, st->args[0]);
		if (!sk)
			return;
		struct sk_ends local = {};
		read_sk(sk, &local);
		s.proto = local.proto;
		s.sport = local.sport;
		__builtin_memcpy(s.saddr, local.saddr, LOUPE_ADDR_LEN);
	} else if (st->nr == NR_listen) {
		kind = LOUPE_NET_LISTEN;
		sk = fd_sock(task, st->args[0]);
		if (!sk)
			return;
		read_sk(sk, &s);
	} else {
		kind = LOUPE_NET_ACCEPT;
		if (ret < 0)
			return;
		sk = fd_sock(task, ret);
		if (!sk)
			return;
		read_sk(sk, &s);
	}
	if (s.family != AF_INET && s.family != AF_INET6)
		return;
	struct loupe_network *e = net_begin(task, st->mntns);
	if (!e)
		return;
	e->retval = ret;
	e->kind = kind;
	e->family = s.family;
	e->proto = s.proto;
	e->direction = kind == LOUPE_NET_CONNECT   ? LOUPE_DIR_OUTGOING
		       : kind == LOUPE_NET_ACCEPT ? LOUPE_DIR_INCOMING
						  : LOUPE_DIR_NONE;
	e->sport = s.sport;
	e->dport = s.dport;
	if (kind == LOUPE_NET_LISTEN)
		e->backlog = st->args[1];
	__builtin_memcpy(e->saddr, s.saddr, LOUPE_ADDR_LEN);
	__builtin_memcpy(e->daddr, s.daddr, LOUPE_ADDR_LEN);
	bpf_ringbuf_submit(e, wake_flags());
}

/* syscall type: the first use of each system call number in each mount namespace. */
static __always_inline void syscall_first_use(struct task_struct *task, long id)
{
	if (id < 0 || id >= 512)
		return;
	__u32 ns = task_mntns(task);
	struct sys_bits *bits = bpf_map_lookup_elem(&syscall_seen, &ns);
	if (!bits) {
		struct sys_bits zero = {};
		bpf_map_update_elem(&syscall_seen, &ns, &zero, BPF_NOEXIST);
		bits = bpf_map_lookup_elem(&syscall_seen, &ns);
		if (!bits)
			return;
	}
	__u64 mask = 1ULL << (id & 63);
	__u32 w = (id >> 6) & 7;
	if (bits->w[w] & mask)
		return;
	__u32 mntns;
	if (!want(LOUPE_EV_SYSCALL, task, &mntns))
		return; /* self or filtered: leave the bit for the next process of this namespace */
	__u64 old = __sync_fetch_and_or(&bits->w[w], mask);
	if (old & mask)
		return;
	struct loupe_syscall *e = reserve(sizeof(*e), LOUPE_EV_SYSCALL);
	if (!e)
		return;
	fill_hdr(&e->hdr, task, LOUPE_EV_SYSCALL, mntns);
	e->hdr.len = sizeof(*e);
	e->syscall_nr = id;
	e->_pad = 0;
	bpf_ringbuf_submit(e, wake_flags());
}

struct udp_pkt {
	__u8 family;
	__u16 sport;
	__u16 dport;
	__u16 len;
	__u8 saddr[LOUPE_ADDR_LEN];
	__u8 daddr[LOUPE_ADDR_LEN];
	__u64 payload; /* kernel address, or user address when `user` */
	__u8 user;
};

static __always_inline void emit_dns(struct udp_pkt *p, __u8 direction, __u32 mntns);

/* Answers: recvfrom/recvmsg on a UDP socket returning a datagram from port 53. (UDP receives
 * copy linear datagrams without the skb_copy_datagram_iovec tracepoint, so the answer is read
 * from the caller's buffer at the syscall's exit.) recvmmsg and read() are not covered. */
static __always_inline void dns_recv(struct task_struct *task, struct inflight *st, long ret)
{
	if (ret <= 0)
		return;
	struct sock *sk = fd_sock(task, st->args[0]);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return;
	struct sk_ends s = {};
	read_sk(sk, &s);
	__u64 buf = st->args[1], uaddr = st->args[4];
	if (st->nr == NR_recvmsg) {
		struct user_msghdr m = {};
		struct iovec iov = {};
		if (bpf_probe_read_user(&m, sizeof(m), (void *)st->args[1]) || !m.msg_iov)
			return;
		if (bpf_probe_read_user(&iov, sizeof(iov), m.msg_iov))
			return;
		buf = (__u64)iov.iov_base;
		uaddr = (__u64)m.msg_name;
		if ((__u64)iov.iov_len < (__u64)ret)
			ret = iov.iov_len;
	}
	if (uaddr) { /* unconnected socket: the source address the kernel wrote back */
		struct sockaddr_in6 sa = {};
		if (!bpf_probe_read_user(&sa, sizeof(sa), (void *)uaddr)) {
			__builtin_memset(s.daddr, 0, sizeof(s.daddr));
			read_sockaddr(&sa, &s.family, &s.dport, s.daddr);
		}
	}
	if (s.dport != DNS_PORT)
		return;
	struct udp_pkt p = {
		.family = s.family,
		.sport = s.dport,
		.dport = s.sport,
		.len = ret,
		.payload = buf,
		.user = 1,
	};
	__builtin_memcpy(p.saddr, s.daddr, LOUPE_ADDR_LEN);
	__builtin_memcpy(p.daddr, s.saddr, LOUPE_ADDR_LEN);
	emit_dns(&p, LOUPE_DIR_INCOMING, st->mntns);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(loupe_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	if (cfg.enabled & LOUPE_EV_BIT(LOUPE_EV_SYSCALL))
		syscall_first_use(task, id);
	__u32 type = sys_type(id);
	__u32 mntns;
	if (!type || !want(type, task, &mntns))
		return 0;
	struct inflight *st =
		bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count_drop(LOUPE_DROP_INFLIGHT, type);
		return 0;
	}
	st->args[0] = BPF_CORE_READ(regs, di);
	st->args[1] = BPF_CORE_READ(regs, si);
	st->args[2] = BPF_CORE_READ(regs, dx);
	st->args[3] = BPF_CORE_READ(regs, r10);
	st->args[4] = BPF_CORE_READ(regs, r8);
	st->args[5] = BPF_CORE_READ(regs, r9);
	st->nr = id;
	st->mntns = mntns;
	st->active = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(loupe_sys_exit, struct pt_regs *regs, long ret)
{
	long id = BPF_CORE_READ(regs, orig_ax);
	__u32 type = sys_type(id);
	if (!type || !(cfg.enabled & LOUPE_EV_BIT(type)))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight *st = bpf_task_storage_get(&inflight, task, 0, 0);
	if (!st || !st->active || st->nr != id)
		return 0;
	st->active = 0;
	switch (type) {
	case LOUPE_EV_OPEN:
		emit_open(task, st, ret);
		break;
	case LOUPE_EV_EXEC:
		exec_failed(task, st, ret);
		break;
	case LOUPE_EV_NETWORK:
		emit_net(task, st, ret);
		break;
	case LOUPE_EV_PTRACE:
		emit_ptrace(task, st, ret);
		break;
	case LOUPE_EV_KMOD:
		emit_kmod(task, st, ret);
		break;
	case LOUPE_EV_UNSHARE:
		emit_unshare(task, st, ret);
		break;
	case LOUPE_EV_SYMLINK:
	case LOUPE_EV_HARDLINK:
		emit_link(task, st, type, ret);
		break;
	case LOUPE_EV_BPF:
		emit_bpf(task, st, ret);
		break;
	case LOUPE_EV_DNS:
		dns_recv(task, st, ret);
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- io_uring */

SEC("tp_btf/io_uring_create")
int BPF_PROG(loupe_iouring_create, int fd, void *ring_ctx, __u32 sq_entries, __u32 cq_entries,
	     __u32 flags)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	if (!want(LOUPE_EV_IOURING, task, &mntns))
		return 0;
	struct loupe_iouring *e = reserve(sizeof(*e), LOUPE_EV_IOURING);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_IOURING, mntns);
	e->hdr.len = sizeof(*e);
	e->kind = LOUPE_IOURING_SETUP;
	e->fd = fd;
	e->opcode = 0;
	e->flags = flags;
	e->sq_entries = sq_entries;
	e->cq_entries = cq_entries;
	e->user_data = 0;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(loupe_iouring_submit, struct io_kiocb *req)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	if (!want(LOUPE_EV_IOURING, task, &mntns))
		return 0;
	__u32 opcode = BPF_CORE_READ(req, opcode);
	if (!(cfg.flags & LOUPE_CFG_DEDUP_OFF)) {
		struct uring_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .opcode = opcode};
		__u8 one = 1;
		if (bpf_map_lookup_elem(&uring_seen, &k))
			return 0;
		bpf_map_update_elem(&uring_seen, &k, &one, BPF_ANY);
	}
	struct loupe_iouring *e = reserve(sizeof(*e), LOUPE_EV_IOURING);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_IOURING, mntns);
	e->hdr.len = sizeof(*e);
	e->kind = LOUPE_IOURING_SUBMIT;
	e->fd = -1;
	e->opcode = opcode;
	e->flags = (__u32)BPF_CORE_READ(req, flags);
	e->sq_entries = 0;
	e->cq_entries = 0;
	e->user_data = BPF_CORE_READ(req, cqe.user_data);
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

/* ---------------------------------------------------------------- capabilities */

/* capability:cap_capable (no options argument: checks made with CAP_OPT_NOAUDIT show too).
 * Deduplicated per (process, capability, system call, verdict) unless LOUPE_CFG_DEDUP_OFF. */
SEC("tp_btf/cap_capable")
int BPF_PROG(loupe_capable, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	if (!(cfg.enabled & LOUPE_EV_BIT(LOUPE_EV_CAPABILITIES)))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (task->flags & PF_KTHREAD)
		return 0;
	__u32 mntns;
	if (!want(LOUPE_EV_CAPABILITIES, task, &mntns))
		return 0;
	struct pt_regs *uregs = (void *)bpf_task_pt_regs(task);
	__s32 nr = uregs ? (__s32)BPF_CORE_READ(uregs, orig_ax) : -1;
	if (!(cfg.flags & LOUPE_CFG_DEDUP_OFF)) {
		struct cap_key k = {
			.tgid = bpf_get_current_pid_tgid() >> 32,
			.cap = cap,
			.syscall_nr = nr,
			.denied = ret != 0,
		};
		__u8 one = 1;
		if (bpf_map_lookup_elem(&cap_seen, &k))
			return 0;
		bpf_map_update_elem(&cap_seen, &k, &one, BPF_ANY);
	}
	struct loupe_capability *e = reserve(sizeof(*e), LOUPE_EV_CAPABILITIES);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_CAPABILITIES, mntns);
	e->hdr.len = sizeof(*e);
	e->retval = ret;
	e->cap = cap;
	e->opts = 0;
	e->syscall_nr = nr;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

/* ---------------------------------------------------------------- randomx */

/* RandomX switches the SSE rounding mode (MXCSR.RC, bits 13-14) all the time; ordinary code
 * keeps round-to-nearest. Count context switches that save a non-default rounding mode. */
SEC("tp_btf/x86_fpu_regs_deactivated")
int BPF_PROG(loupe_fpu, struct fpu *fpu)
{
	if (!(cfg.enabled & LOUPE_EV_BIT(LOUPE_EV_RANDOMX)))
		return 0;
	__u32 mxcsr = BPF_CORE_READ(fpu, fpstate, regs.xsave.i387.mxcsr);
	if (!(mxcsr & 0x6000))
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct rx_state *st = bpf_map_lookup_elem(&randomx_state, &tgid);
	if (!st) {
		struct rx_state init = {};
		bpf_map_update_elem(&randomx_state, &tgid, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&randomx_state, &tgid);
		if (!st)
			return 0;
	}
	__u32 hits = __sync_fetch_and_add(&st->hits, 1) + 1;
	__u32 threshold = cfg.randomx_threshold ? cfg.randomx_threshold : 8;
	if (hits < threshold || st->reported)
		return 0;
	st->reported = 1;
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	if (!want(LOUPE_EV_RANDOMX, task, &mntns))
		return 0;
	struct loupe_randomx *e = reserve(sizeof(*e), LOUPE_EV_RANDOMX);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, task, LOUPE_EV_RANDOMX, mntns);
	e->hdr.len = sizeof(*e);
	e->mxcsr = mxcsr;
	e->hits = hits;
	bpf_ringbuf_submit(e, wake_flags());
	return 0;
}

/* ---------------------------------------------------------------- dns */

/* DNS over UDP, seen on packets: queries leaving through a device (net_dev_queue runs in the
 * sender's context) and answers copied to a reader (skb_copy_datagram_iovec runs in the
 * receiver's context, whatever the syscall: recvfrom, recvmsg, read, io_uring). */

static __always_inline bool parse_udp(const struct sk_buff *skb, struct udp_pkt *p)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 vihl = 0;
	if (!head || th == 0xffff || nh == 0xffff)
		return false;
	if (bpf_probe_read_kernel(&vihl, 1, head + nh))
		return false;
	if ((vihl >> 4) == 4) {
		__u8 proto = 0;
		bpf_probe_read_kernel(&proto, 1, head + nh + 9);
		if (proto != IPPROTO_UDP)
			return false;
		p->family = AF_INET;
		bpf_probe_read_kernel(p->saddr, 4, head + nh + 12);
		bpf_probe_read_kernel(p->daddr, 4, head + nh + 16);
	} else if ((vihl >> 4) == 6) {
		__u8 next = 0;
		bpf_probe_read_kernel(&next, 1, head + nh + 6);
		if (next != IPPROTO_UDP)
			return false;
		p->family = AF_INET6;
		bpf_probe_read_kernel(p->saddr, 16, head + nh + 8);
		bpf_probe_read_kernel(p->daddr, 16, head + nh + 24);
	} else {
		return false;
	}
	__u16 udp[4];
	if (bpf_probe_read_kernel(udp, sizeof(udp), head + th))
		return false;
	p->sport = bpf_ntohs(udp[0]);
	p->dport = bpf_ntohs(udp[1]);
	__u16 ulen = bpf_ntohs(udp[2]);
	p->len = ulen > 8 ? ulen - 8 : 0;
	p->payload = (__u64)(head + th + 8);
	return true;
}

static __always_inline void emit_dns(struct udp_pkt *p, __u8 direction, __u32 mntns)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u8 *b = get_evbuf();
	if (!b)
		return;
	struct loupe_dns *e = (void *)b;
	fill_hdr(&e->hdr, task, LOUPE_EV_DNS, mntns);
	e->family = p->family;
	e->direction = direction;
	e->sport = p->sport;
	e->dport = p->dport;
	e->_pad = 0;
	e->msg_len = p->len;
	__builtin_memcpy(e->saddr, p->saddr, LOUPE_ADDR_LEN);
	__builtin_memcpy(e->daddr, p->daddr, LOUPE_ADDR_LEN);
	__u32 pos = sizeof(*e);
	__u32 n = p->len;
	e->payload.off = 0;
	e->payload.len = 0;
	if (n > LOUPE_DNS_MAX) {
		n = LOUPE_DNS_MAX;
		e->hdr.flags |= LOUPE_HF_TRUNCATED;
	}
	n &= (LOUPE_DNS_MAX * 2 - 1);
	long err = p->user ? bpf_probe_read_user(b + pos, n, (void *)p->payload)
			   : bpf_probe_read_kernel(b + pos, n, (void *)p->payload);
	if (n > 0 && !err) {
		e->payload.off = pos;
		e->payload.len = n;
		pos += n;
	}
	output(b, pos, LOUPE_EV_DNS);
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(loupe_dns_out, struct sk_buff *skb)
{
	struct udp_pkt p = {};
	if (!(cfg.enabled & LOUPE_EV_BIT(LOUPE_EV_DNS)))
		return 0;
	if (!parse_udp(skb, &p) || p.dport != DNS_PORT)
		return 0;
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 mntns;
	if (!want(LOUPE_EV_DNS, task, &mntns))
		return 0;
	emit_dns(&p, LOUPE_DIR_OUTGOING, mntns);
	return 0;
}
