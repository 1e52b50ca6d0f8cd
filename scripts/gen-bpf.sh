#!/usr/bin/env bash
# Regenerates the compiled eBPF object and the libbpf skeleton Swift links through CLoupeBPF.
#
#   scripts/gen-bpf.sh            rebuild Sources/CLoupeBPF/include/loupe.skel.h
#                                 (include/loupe_events.h is a link to bpf/loupe_events.h)
#   scripts/gen-bpf.sh --check    fail (exit 1) if the committed files are not what the sources give
#   scripts/gen-bpf.sh --vmlinux  also regenerate bpf/vmlinux.h from the running kernel's BTF
#
# Needs clang (the Debian clang 14 CI installs), llvm-strip and bpftool. The output is
# byte-for-byte reproducible for a given toolchain: paths are made relative and DWARF is stripped
# (BTF, which CO-RE needs, stays).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian's clang 14 by name: the Swift toolchain ships its own, newer clang, which may come first
# on PATH and compiles (and warns) differently, so the skeleton would not be reproducible.
CLANG="${CLANG:-$(command -v clang-14 || echo /usr/bin/clang)}"
STRIP="${LLVM_STRIP:-$(command -v llvm-strip || command -v llvm-strip-14 || echo llvm-strip)}"
BPFTOOL="${BPFTOOL:-bpftool}"
OUT_DIR="Sources/CLoupeBPF/include"

mode=build
for arg in "$@"; do
	case "$arg" in
	--check) mode=check ;;
	--vmlinux) regen_vmlinux=1 ;;
	-h | --help)
		sed -n '2,10p' "$0"
		exit 0
		;;
	*)
		echo "gen-bpf.sh: unknown argument $arg" >&2
		exit 2
		;;
	esac
done

arch="$(uname -m)"
case "$arch" in
x86_64) target_arch=x86 ;;
aarch64) target_arch=arm64 ;;
*) echo "gen-bpf.sh: unsupported architecture $arch" >&2; exit 2 ;;
esac

if [[ "${regen_vmlinux:-0}" == 1 || ! -f bpf/vmlinux.h ]]; then
	if [[ "$mode" == check ]]; then
		echo "gen-bpf.sh: bpf/vmlinux.h is missing" >&2
		exit 1
	fi
	"$BPFTOOL" btf dump file /sys/kernel/btf/vmlinux format c >bpf/vmlinux.h.tmp
	mv bpf/vmlinux.h.tmp bpf/vmlinux.h
	echo "gen-bpf.sh: wrote bpf/vmlinux.h from $(uname -r)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$CLANG" -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${target_arch} \
	-fdebug-prefix-map="$ROOT"=. -Wall -Werror -Wno-unused-function \
	-Ibpf -c bpf/loupe.bpf.c -o "$work/loupe.bpf.o"
"$STRIP" -g "$work/loupe.bpf.o"
"$BPFTOOL" gen skeleton "$work/loupe.bpf.o" name loupe_skel >"$work/loupe.skel.h"

if [[ "$mode" == check ]]; then
	status=0
	if ! cmp -s "$work/loupe.skel.h" "$OUT_DIR/loupe.skel.h"; then
		echo "gen-bpf.sh: $OUT_DIR/loupe.skel.h is stale; run scripts/gen-bpf.sh and commit the result" >&2
		status=1
	fi
	# One layout header, shared by the BPF programs and Swift: the include copy is a link.
	if [[ "$(readlink "$OUT_DIR/loupe_events.h")" != "../../../bpf/loupe_events.h" ]]; then
		echo "gen-bpf.sh: $OUT_DIR/loupe_events.h must be a link to ../../../bpf/loupe_events.h" >&2
		status=1
	fi
	[[ $status == 0 ]] && echo "gen-bpf.sh: skeleton is fresh"
	exit $status
fi

mkdir -p "$OUT_DIR"
cp "$work/loupe.skel.h" "$OUT_DIR/"
ln -sfn ../../../bpf/loupe_events.h "$OUT_DIR/loupe_events.h"
echo "gen-bpf.sh: wrote $OUT_DIR/loupe.skel.h ($(stat -c %s "$OUT_DIR/loupe.skel.h") bytes)"
