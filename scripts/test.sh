#!/usr/bin/env bash
# The test command: installs what the tests need, starts the services they use, checks the
# generated eBPF skeleton and the formatting, and runs the whole Swift test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install-deps.sh

# Services the end-to-end tests use (Docker engine, images built offline).
if [ -x scripts/e2e/setup-docker.sh ]; then
	bash scripts/e2e/setup-docker.sh
fi

echo "== eBPF skeleton is fresh"
bash scripts/gen-bpf.sh --check

echo "== formatting"
swift format lint --strict -r Package.swift Sources Tests

echo "== build and test"
swift build --build-tests
swift test "$@"
