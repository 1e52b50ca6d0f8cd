// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor-recorder: loads floor.bpf.o, drains the ring buffer and writes each record raw
 * (header + used path bytes) to a file, until SIGINT/SIGTERM. Then prints one line:
 *   "floor: N events, D dropped, B bytes"
 *
 *   floor-recorder [-w WAKEUP_BYTES] OUTFILE      (-w 0: wake on every record)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "floor.h"
#include "floor.skel.h"

static volatile sig_atomic_t stop;
static unsigned long long events, bytes;

static void on_signal(int sig) { (void)sig; stop = 1; }

static int on_record(void *ctx, void *data, size_t size)
{
	FILE *out = ctx;
	const struct floor_rec *r = data;
	size_t n = FLOOR_HDR_BYTES + (r->path_len <= FLOOR_PATH_MAX ? r->path_len : 0);
	(void)size;
	if (fwrite(r, 1, n, out) != n)
		return -errno;
	events++;
	bytes += n;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned wakeup = 256u << 10;
	int opt;
	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt == 'w')
			wakeup = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-w WAKEUP_BYTES] OUTFILE\n", argv[0]);
		return 2;
	}
	FILE *out = fopen(argv[optind], "w");
	if (!out) {
		perror(argv[optind]);
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);

	struct floor_bpf *skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open failed\n");
		return 1;
	}
	skel->rodata->self_tgid = getpid();
	skel->rodata->wakeup_bytes = wakeup;
	int err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: load/attach failed: %d\n", err);
		floor_bpf__destroy(skel);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_record, out, NULL);
	if (!rb) {
		fprintf(stderr, "floor: ring_buffer__new failed\n");
		floor_bpf__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor: ready\n");
	/* With deferred wake-ups the reader also polls on a timer, as Loupe's does. */
	while (!stop) {
		err = ring_buffer__poll(rb, 50);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "floor: poll: %d\n", err);
			break;
		}
	}
	ring_buffer__consume(rb);
	fflush(out);

	unsigned long long dropped = 0;
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu, sizeof(*vals));
	__u32 k = 0;
	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.drops), &k, vals))
		for (int i = 0; i < ncpu; i++)
			dropped += vals[i];
	free(vals);
	printf("floor: %llu events, %llu dropped, %llu bytes\n", events, dropped, bytes);
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	fclose(out);
	return 0;
}
