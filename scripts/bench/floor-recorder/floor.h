/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * floor-recorder: record layout shared by floor.bpf.c and floor.c.
 * One fixed-size record per event; user space writes the header plus `path_len` path bytes.
 */
#ifndef FLOOR_H
#define FLOOR_H

#define FLOOR_COMM_LEN 16
#define FLOOR_PATH_MAX 256

enum floor_type { FLOOR_OPEN = 1, FLOOR_EXEC = 2, FLOOR_FORK = 3, FLOOR_EXIT = 4 };

struct floor_rec {
	__u64 ts_ns;   /* bpf_ktime_get_boot_ns() */
	__u32 type;
	__u32 pid;     /* tgid */
	__u32 tid;
	__u32 ppid;    /* real_parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 mntns;
	__s32 retval;  /* open: fd or -errno; fork: child pid; exit: exit_code */
	__u32 flags;   /* open: O_* flags */
	__u16 path_len; /* bytes of path used, NUL included */
	__u16 _pad;
	char comm[FLOOR_COMM_LEN];
	char path[FLOOR_PATH_MAX]; /* open: path as given; exec: bprm->filename */
};

#define FLOOR_HDR_BYTES ((unsigned long)&((struct floor_rec *)0)->path)

#endif
