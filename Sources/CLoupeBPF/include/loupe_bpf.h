/*
 * CLoupeBPF: a small C surface over the generated libbpf skeleton (loupe.skel.h) for Swift.
 * The skeleton's static inline functions and macros are awkward from Swift; these are plain
 * functions over an opaque handle. Records are described in loupe_events.h.
 *
 * Threading: one thread polls (loupe_bpf_poll / loupe_bpf_consume); the setters may be called
 * from any thread while attached (they write BPF maps or the object's .bss).
 */
#ifndef LOUPE_BPF_H
#define LOUPE_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "loupe_events.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loupe_bpf loupe_bpf;

struct loupe_bpf_options {
	uint64_t enabled;           /* LOUPE_EV_BIT mask; 0 means LOUPE_EV_ALL_DEFAULT */
	uint32_t ring_bytes;        /* ring buffer size, a power of two >= 4096; 0 means 16 MiB */
	uint32_t self_tgid;         /* process never traced; 0 means the caller (getpid()) */
	uint32_t flags;             /* LOUPE_CFG_* */
	uint32_t randomx_threshold; /* 0 means 8 */
	uint32_t mntns_mode;        /* enum loupe_mntns_mode, applied from the start */
	uint32_t wakeup_bytes;      /* see loupe_config.wakeup_bytes; 0 means 256 KiB, UINT32_MAX
				     * means wake on every record. With batching, poll with a
				     * timeout (e.g. 50 ms): that bounds the delivery delay. */
};

/* Called once per record; `data` is valid only during the call. Return 0 to go on, non-zero to
 * stop the current poll (that value is returned by poll/consume). */
typedef int (*loupe_record_fn)(void *user, const void *data, size_t len);

/* Checks the kernel (BTF, privileges), opens and loads the object, attaches the programs the
 * enabled types need, and sets up the ring buffer with `fn`. Programs of disabled types are not
 * loaded at all. Returns 0 or a negative errno; on error `err` (if given) says what failed. */
int loupe_bpf_start(const struct loupe_bpf_options *opt, loupe_record_fn fn, void *user,
		    loupe_bpf **out, char *err, size_t errlen);

/* Waits up to timeout_ms for a wake-up, then delivers every record in the ring (also those below
 * the wake-up threshold): records delivered, or a negative errno (-EINTR on a signal). */
int loupe_bpf_poll(loupe_bpf *l, int timeout_ms);
/* Delivers what is ready without waiting. */
int loupe_bpf_consume(loupe_bpf *l);
/* An epoll file descriptor that becomes readable when records are ready. */
int loupe_bpf_ring_fd(loupe_bpf *l);

/* Run-time volume control. Types can only be enabled if they were enabled at start. */
uint64_t loupe_bpf_enabled(loupe_bpf *l);
int loupe_bpf_set_enabled(loupe_bpf *l, uint64_t mask);
int loupe_bpf_set_flags(loupe_bpf *l, uint32_t flags);
int loupe_bpf_set_mntns_mode(loupe_bpf *l, uint32_t mode);
int loupe_bpf_mntns_add(loupe_bpf *l, uint32_t mntns);
int loupe_bpf_mntns_remove(loupe_bpf *l, uint32_t mntns);
/* Opens whose path (as given by the caller) starts with `prefix` are not recorded.
 * At most LOUPE_PREFIX_MAX bytes are compared. */
int loupe_bpf_open_exclude_add(loupe_bpf *l, const char *prefix);
int loupe_bpf_open_exclude_remove(loupe_bpf *l, const char *prefix);

/* Drop counters summed over CPUs: out[reason * LOUPE_EV_MAX + type], LOUPE_DROP_SLOTS long. */
int loupe_bpf_read_drops(loupe_bpf *l, uint64_t *out, size_t count);

/* Number of attached programs, and the name of the i-th one (NULL past the end). */
int loupe_bpf_program_count(loupe_bpf *l);
const char *loupe_bpf_program_name(loupe_bpf *l, int i);

/* Detaches everything and frees the handle. */
void loupe_bpf_stop(loupe_bpf *l);

/* Names for printing: "exec", "open", ...; "ringbuf", "truncated", ... ("?" if unknown). */
const char *loupe_event_type_name(uint32_t type);
const char *loupe_drop_reason_name(uint32_t reason);

/* Accessor for a string field of a record; returns NULL when absent or out of the record. */
const uint8_t *loupe_record_str(const void *record, size_t record_len, struct loupe_str s);

#ifdef __cplusplus
}
#endif

#endif /* LOUPE_BPF_H */
