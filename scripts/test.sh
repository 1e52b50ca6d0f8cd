#!/usr/bin/env bash
# The test command: installs what the tests need, starts the services they use, checks the
# generated eBPF skeleton and the formatting, and runs the whole Swift test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install-deps.sh

# Services the end-to-end tests use (Docker engine, busybox image built offline). As root, the
# capture end-to-end tests are required to run: a skip would hide a broken capture.
if [ "$(id -u)" -eq 0 ]; then
	bash scripts/e2e/setup-docker.sh
	export LOUPE_E2E_REQUIRED="${LOUPE_E2E_REQUIRED:-1}"
else
	echo "test.sh: not root: the capture end-to-end tests will skip (they need eBPF and Docker)" >&2
fi

echo "== eBPF skeleton is fresh"
bash scripts/gen-bpf.sh --check

echo "== formatting"
swift format lint --strict -r Package.swift Sources Tests

echo "== build and test"
swift build --build-tests
swift test "$@"
