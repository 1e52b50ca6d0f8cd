#!/usr/bin/env bash
# Installs the Debian packages Loupe builds and tests with. Idempotent: does nothing when all
# are present. Run as root (or with sudo available).
set -euo pipefail

packages=(
	# Build: C libraries behind the system-library targets, and the eBPF toolchain.
	pkg-config libzstd-dev libyaml-dev libre2-dev libbpf-dev libelf-dev zlib1g-dev
	clang llvm bpftool
	# Tests: the real container runtimes capture tests drive, a static busybox for the offline
	# image, and a C compiler for the static helper that performs actions inside containers.
	zstd busybox-static runc docker.io file gcc libc6-dev
	# Tests of exporters against real servers.
	prometheus-alertmanager rsyslog
)

missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Services installed here must not start on their own (there may be no init system to start
# them): tests start what they need. policy-rc.d answering 101 tells package scripts so.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod +x "$policy"
	created_policy=1
fi
status=0
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if [ "$created_policy" -eq 1 ]; then $sudo rm -f "$policy"; fi
exit "$status"
