/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loupe capture: wire layout of the records the eBPF programs put on the ring buffer.
 *
 * This header is shared by the BPF programs (bpf/loupe.bpf.c, compiled against vmlinux.h) and
 * by user space (Sources/CLoupeBPF, imported by Swift): Sources/CLoupeBPF/include/loupe_events.h
 * is a link to this file, and `scripts/gen-bpf.sh --check` fails if it is not.
 *
 * Rules of the layout:
 *  - Every record starts with `struct loupe_hdr`; `hdr.len` is the whole record length in bytes
 *    (header, fixed part and trailing string bytes). A reader walks records by `len` and skips
 *    types it does not know.
 *  - All integers are in host byte order (the capture host), except where a field says otherwise.
 *  - Variable-length data (paths, argv, payloads) lives after the fixed part and is referenced by
 *    `struct loupe_str { off, len }`: `off` is relative to the start of the record, `len` bytes,
 *    no terminating NUL counted. `len == 0` means absent or empty. Strings are raw bytes.
 *  - argv and the environment subset are NUL-separated lists (each element followed by one NUL).
 *  - The layout only grows at the end of a fixed part; LOUPE_WIRE_VERSION changes otherwise.
 */
#ifndef LOUPE_EVENTS_H
#define LOUPE_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define LOUPE_WIRE_VERSION 1

#define LOUPE_COMM_LEN 16
#define LOUPE_STR_MAX 4096     /* longest single string field (path, argv block) */
#define LOUPE_ENV_MAX 2048     /* LD_* environment subset of an exec */
#define LOUPE_DNS_MAX 512      /* DNS payload bytes kept */
#define LOUPE_ADDR_LEN 16      /* IPv4 uses the first 4 bytes */

enum loupe_event_type {
	LOUPE_EV_NONE = 0,
	LOUPE_EV_EXEC = 1,
	LOUPE_EV_EXIT = 2,
	LOUPE_EV_FORK = 3,
	LOUPE_EV_OPEN = 4,
	LOUPE_EV_NETWORK = 5,
	LOUPE_EV_DNS = 6,
	LOUPE_EV_PTRACE = 7,
	LOUPE_EV_KMOD = 8,
	LOUPE_EV_UNSHARE = 9,
	LOUPE_EV_SYMLINK = 10,
	LOUPE_EV_HARDLINK = 11,
	LOUPE_EV_BPF = 12,
	LOUPE_EV_IOURING = 13,
	LOUPE_EV_CAPABILITIES = 14,
	LOUPE_EV_RANDOMX = 15,
	LOUPE_EV_SYSCALL = 16,
	LOUPE_EV_MAX = 17, /* number of slots, not a type */
};

#define LOUPE_EV_BIT(t) (1ULL << (t))
#define LOUPE_EV_ALL_DEFAULT                                                                    \
	(LOUPE_EV_BIT(LOUPE_EV_EXEC) | LOUPE_EV_BIT(LOUPE_EV_EXIT) | LOUPE_EV_BIT(LOUPE_EV_FORK) |  \
	 LOUPE_EV_BIT(LOUPE_EV_OPEN) | LOUPE_EV_BIT(LOUPE_EV_NETWORK) | LOUPE_EV_BIT(LOUPE_EV_DNS) | \
	 LOUPE_EV_BIT(LOUPE_EV_PTRACE) | LOUPE_EV_BIT(LOUPE_EV_KMOD) |                              \
	 LOUPE_EV_BIT(LOUPE_EV_UNSHARE) | LOUPE_EV_BIT(LOUPE_EV_SYMLINK) |                          \
	 LOUPE_EV_BIT(LOUPE_EV_HARDLINK) | LOUPE_EV_BIT(LOUPE_EV_BPF) |                             \
	 LOUPE_EV_BIT(LOUPE_EV_IOURING) | LOUPE_EV_BIT(LOUPE_EV_CAPABILITIES) |                     \
	 LOUPE_EV_BIT(LOUPE_EV_RANDOMX))
/* LOUPE_EV_SYSCALL is opt-in: it hooks every system call of the node. */

/* hdr.flags */
#define LOUPE_HF_TRUNCATED (1u << 0)  /* some string of this record was cut */
#define LOUPE_HF_THREAD (1u << 1)     /* fork: the child is a thread; exec: by a non-leader thread */

/* Why an event was lost or damaged; counters are indexed reason * LOUPE_EV_MAX + type. */
enum loupe_drop_reason {
	LOUPE_DROP_RINGBUF = 0,  /* ring buffer full: the record was lost */
	LOUPE_DROP_TRUNCATED = 1, /* a string was cut (the record was delivered) */
	LOUPE_DROP_INFLIGHT = 2, /* syscall enter/exit table full: the record was lost */
	LOUPE_DROP_READ = 3,     /* a kernel/user read failed: a field is empty */
	LOUPE_DROP_REASON_MAX = 4,
};
#define LOUPE_DROP_SLOTS (LOUPE_DROP_REASON_MAX * LOUPE_EV_MAX)

struct loupe_str {
	__u16 off;
	__u16 len;
};

/* 88 bytes, 8-aligned. */
struct loupe_hdr {
	__u32 len;      /* whole record, bytes */
	__u16 type;     /* enum loupe_event_type */
	__u16 flags;    /* LOUPE_HF_* */
	__u64 ts_ns;    /* CLOCK_BOOTTIME, bpf_ktime_get_boot_ns() */
	__u64 cgroup_id; /* cgroup v2 id of the task */
	__u32 cpu;
	__u32 pid;      /* tgid */
	__u32 tid;
	__u32 ppid;     /* real_parent's tgid */
	__u32 uid;      /* real uid, init user namespace */
	__u32 gid;
	__u32 mntns;    /* inode number of the mount namespace */
	__u32 _pad;
	char comm[LOUPE_COMM_LEN];
	char pcomm[LOUPE_COMM_LEN]; /* real parent's comm */
};

/* exec: a successful execve/execveat (from sched_process_exec), or a failed one (retval < 0,
 * from the syscall exit; then exepath/cwd/tty/upper flags are empty and `filename`/`args` come
 * from the caller's memory). */
struct loupe_exec {
	struct loupe_hdr hdr;
	__s32 retval;
	__u32 argc;          /* argc of the new image (bprm->argc); args may hold fewer */
	__u32 tty_major;
	__u32 tty_minor;
	__u8 has_tty;
	__u8 upper_layer;    /* executable is in an overlayfs upper (writable) layer */
	__u8 pupper_layer;   /* parent's executable is in an overlayfs upper layer */
	__u8 _pad0;
	__u32 old_tid;       /* tid before exec (differs when a non-leader thread exec'd) */
	struct loupe_str exepath;  /* resolved path of the executed file, relative to task root */
	struct loupe_str filename; /* path as given to execve (bprm->filename) */
	struct loupe_str cwd;
	struct loupe_str args;     /* NUL-separated argv */
	struct loupe_str env;      /* NUL-separated LD_PRELOAD= / LD_LIBRARY_PATH= / LD_AUDIT= entries */
};

struct loupe_exit {
	struct loupe_hdr hdr;
	__u32 status;    /* raw wait status of the last thread (task->exit_code) */
	__s32 exit_code; /* (status >> 8) & 0xff */
	__u32 signal;    /* status & 0x7f: killing signal, 0 if none */
	__u32 _pad;
};

/* fork: emitted in the parent's context. */
struct loupe_fork {
	struct loupe_hdr hdr;
	__u32 child_pid;
	__u32 child_tid;
	__u32 child_mntns;
	__u32 _pad;
};

struct loupe_open {
	struct loupe_hdr hdr;
	__s32 retval;    /* fd or -errno */
	__s32 dfd;       /* AT_FDCWD (-100) for paths relative to cwd */
	__u32 flags;     /* O_* flags */
	__u32 mode;
	struct loupe_str path; /* as given by the caller */
	__u32 _pad;
};

enum loupe_net_kind {
	LOUPE_NET_CONNECT = 1,
	LOUPE_NET_ACCEPT = 2,
	LOUPE_NET_LISTEN = 3,
};
enum loupe_direction {
	LOUPE_DIR_NONE = 0,
	LOUPE_DIR_OUTGOING = 1,
	LOUPE_DIR_INCOMING = 2,
};

/* Addresses in network byte order; ports in host byte order. s* = local side, d* = remote. */
struct loupe_network {
	struct loupe_hdr hdr;
	__s32 retval;
	__u8 kind;       /* enum loupe_net_kind */
	__u8 family;     /* AF_INET (2) or AF_INET6 (10) */
	__u8 proto;      /* IPPROTO_TCP (6), IPPROTO_UDP (17) */
	__u8 direction;  /* enum loupe_direction */
	__u16 sport;
	__u16 dport;
	__u32 backlog;   /* listen only */
	__u8 saddr[LOUPE_ADDR_LEN];
	__u8 daddr[LOUPE_ADDR_LEN];
};

/* dns: the raw DNS message of a UDP datagram sent to port 53 (query, outgoing) or received from
 * port 53 (answer, incoming). User space parses names and answers. */
struct loupe_dns {
	struct loupe_hdr hdr;
	__u8 family;
	__u8 direction;  /* LOUPE_DIR_OUTGOING: query; LOUPE_DIR_INCOMING: answer */
	__u16 sport;
	__u16 dport;
	__u16 _pad;
	__u32 msg_len;   /* datagram length; payload.len may be shorter (LOUPE_DNS_MAX) */
	__u8 saddr[LOUPE_ADDR_LEN];
	__u8 daddr[LOUPE_ADDR_LEN];
	struct loupe_str payload;
};

struct loupe_ptrace {
	struct loupe_hdr hdr;
	__s32 retval;
	__u32 target_pid;
	__s64 request;
};

enum loupe_kmod_call {
	LOUPE_KMOD_INIT_MODULE = 1,
	LOUPE_KMOD_FINIT_MODULE = 2,
};
struct loupe_kmod {
	struct loupe_hdr hdr;
	__s32 retval;
	__u32 call;      /* enum loupe_kmod_call */
	__s32 fd;        /* finit_module */
	__u32 flags;     /* finit_module */
	__u64 image_len; /* init_module */
	struct loupe_str path;   /* finit_module: path of fd; init_module: empty */
	struct loupe_str params; /* module parameters string */
};

struct loupe_unshare {
	struct loupe_hdr hdr;
	__s32 retval;
	__u32 _pad;
	__u64 flags;     /* CLONE_NEW* */
};

/* symlink (symlink/symlinkat) and hardlink (link/linkat) share this layout. */
struct loupe_link {
	struct loupe_hdr hdr;
	__s32 retval;
	__s32 olddfd;    /* hardlink only */
	__s32 newdfd;
	__u32 flags;     /* linkat flags */
	struct loupe_str oldpath; /* symlink: the target text; hardlink: existing file */
	struct loupe_str newpath;
};

struct loupe_bpf_syscall {
	struct loupe_hdr hdr;
	__s32 retval;
	__u32 cmd;       /* BPF_* command */
	__u32 attr_size;
	__u32 sub_type;  /* BPF_PROG_LOAD: prog_type; BPF_MAP_CREATE: map_type; else 0 */
};

enum loupe_iouring_kind {
	LOUPE_IOURING_SETUP = 1,  /* io_uring_create: a ring was set up */
	LOUPE_IOURING_SUBMIT = 2, /* io_uring_submit_req: first use of an opcode by a process */
};
struct loupe_iouring {
	struct loupe_hdr hdr;
	__u32 kind;
	__s32 fd;        /* setup: ring fd */
	__u32 opcode;    /* submit: IORING_OP_* */
	__u32 flags;     /* setup: IORING_SETUP_*; submit: request flags (low 32 bits) */
	__u32 sq_entries;
	__u32 cq_entries;
	__u64 user_data; /* submit */
};

struct loupe_capability {
	struct loupe_hdr hdr;
	__s32 retval;    /* 0 granted, -EPERM denied */
	__u32 cap;       /* CAP_* number */
	__u32 opts;      /* CAP_OPT_* */
	__s32 syscall_nr; /* system call being served, -1 if none */
};

struct loupe_randomx {
	struct loupe_hdr hdr;
	__u32 mxcsr;     /* last non-default MXCSR seen */
	__u32 hits;      /* context switches with a non-default rounding mode */
};

struct loupe_syscall {
	struct loupe_hdr hdr;
	__s32 syscall_nr; /* first use of this number in this mount namespace */
	__u32 _pad;
};

/* Run-time settings, a global of the BPF object (.bss), changeable while attached. */
enum loupe_mntns_mode {
	LOUPE_MNTNS_ALL = 0,
	LOUPE_MNTNS_INCLUDE = 1, /* only mount namespaces in the mntns_filter map */
	LOUPE_MNTNS_EXCLUDE = 2, /* all but those in the mntns_filter map */
};
#define LOUPE_CFG_FORK_THREADS (1u << 0) /* also emit fork records for new threads */
#define LOUPE_CFG_CAP_NOAUDIT (1u << 1)  /* also emit capability checks marked no-audit */
#define LOUPE_CFG_DEDUP_OFF (1u << 2)    /* emit every capability / io_uring submit (no dedup) */

struct loupe_config {
	__u64 enabled;       /* LOUPE_EV_BIT mask */
	__u32 self_tgid;     /* never trace this process (the recorder) */
	__u32 mntns_mode;    /* enum loupe_mntns_mode */
	__u32 flags;         /* LOUPE_CFG_* */
	__u32 randomx_threshold; /* context switches with odd MXCSR before a randomx record */
	__u32 open_exclude_count; /* >0: consult the open_exclude prefix map */
	__u32 wakeup_bytes;  /* wake the reader only once this much is queued (0: every record);
			      * the reader then polls with a timeout to pick up the rest */
};

/* Key of the open_exclude LPM map: prefixlen in bits over `path`. */
#define LOUPE_PREFIX_MAX 64
struct loupe_prefix_key {
	__u32 prefixlen;
	char path[LOUPE_PREFIX_MAX];
};

#endif /* LOUPE_EVENTS_H */
