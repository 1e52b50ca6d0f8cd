// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor-recorder BPF side: the least a recorder can do for the events Loupe records on the
 * benchmark workloads. openat at the raw sys_enter/sys_exit tracepoints (arguments stashed in
 * task storage at enter, record built at exit, as Loupe does); exec, fork and exit at the sched
 * tracepoints. Each record: reserve on the ring buffer, fill header + path, submit.
 */
#include "../../../bpf/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "floor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NR_openat 257

const volatile __u32 self_tgid = 0;
const volatile __u32 wakeup_bytes = 256 << 10; /* 0: wake the reader on every record */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct pending {
	__u64 path;
	__u32 flags;
	__u32 active;
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} inflight SEC(".maps");

static __always_inline struct floor_rec *reserve(void)
{
	struct floor_rec *r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		__u32 k = 0;
		__u64 *v = bpf_map_lookup_elem(&drops, &k);
		if (v)
			*v += 1;
	}
	return r;
}

static __always_inline void submit(struct floor_rec *r)
{
	__u64 f = 0;
	if (wakeup_bytes)
		f = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									   : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, f);
}

static __always_inline void fill(struct floor_rec *r, struct task_struct *task, __u32 type)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->type = type;
	r->pid = pt >> 32;
	r->tid = (__u32)pt;
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->uid = (__u32)ug;
	r->gid = ug >> 32;
	r->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	r->retval = 0;
	r->flags = 0;
	r->path_len = 0;
	r->_pad = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
}

static __always_inline bool self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	if (id != NR_openat || self())
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pending *p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->path = BPF_CORE_READ(regs, si);
	p->flags = BPF_CORE_READ(regs, dx);
	p->active = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	if (BPF_CORE_READ(regs, orig_ax) != NR_openat)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pending *p = bpf_task_storage_get(&inflight, task, 0, 0);
	if (!p || !p->active)
		return 0;
	p->active = 0;
	struct floor_rec *r = reserve();
	if (!r)
		return 0;
	fill(r, task, FLOOR_OPEN);
	r->retval = ret;
	r->flags = p->flags;
	long n = bpf_probe_read_user_str(r->path, sizeof(r->path), (void *)p->path);
	r->path_len = n > 0 ? n : 0;
	submit(r);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (self())
		return 0;
	struct floor_rec *r = reserve();
	if (!r)
		return 0;
	fill(r, bpf_get_current_task_btf(), FLOOR_EXEC);
	long n = bpf_probe_read_kernel_str(r->path, sizeof(r->path), BPF_CORE_READ(bprm, filename));
	r->path_len = n > 0 ? n : 0;
	submit(r);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork, struct task_struct *parent, struct task_struct *child)
{
	if (self() || BPF_CORE_READ(child, tgid) != BPF_CORE_READ(child, pid))
		return 0; /* threads are not recorded (Loupe's default too) */
	struct floor_rec *r = reserve();
	if (!r)
		return 0;
	fill(r, bpf_get_current_task_btf(), FLOOR_FORK);
	r->retval = BPF_CORE_READ(child, tgid);
	submit(r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit, struct task_struct *p)
{
	struct task_struct *task = bpf_get_current_task_btf();
	if (self() || BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0; /* last thread of the process only, as Loupe */
	struct floor_rec *r = reserve();
	if (!r)
		return 0;
	fill(r, task, FLOOR_EXIT);
	r->retval = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	submit(r);
	return 0;
}
