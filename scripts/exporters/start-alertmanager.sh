#!/usr/bin/env bash
# Starts Debian's prometheus-alertmanager on 127.0.0.1:PORT with a minimal config (one receiver
# that sends nowhere) and storage under DIR, waits until it answers /-/ready, and prints its pid.
# The server keeps running after this script exits; stop it with `kill PID`.
#
# Usage: start-alertmanager.sh PORT DIR
set -euo pipefail
port="${1:?usage: start-alertmanager.sh PORT DIR}"
dir="${2:?usage: start-alertmanager.sh PORT DIR}"
bin="$(command -v prometheus-alertmanager || command -v alertmanager || true)"
if [ -z "$bin" ]; then
	echo "start-alertmanager.sh: prometheus-alertmanager is not installed (run scripts/install-deps.sh)" >&2
	exit 2
fi
mkdir -p "$dir/data"
cat >"$dir/alertmanager.yml" <<YAML
route:
  receiver: blackhole
  group_wait: 1h
receivers:
  - name: blackhole
YAML
# No cluster listener: tests run several servers side by side and need no gossip.
setsid "$bin" --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
	--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
	>"$dir/alertmanager.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$dir/pid"
for _ in $(seq 1 100); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "start-alertmanager.sh: alertmanager exited; its log:" >&2
		cat "$dir/alertmanager.log" >&2
		exit 1
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /-/ready HTTP/1.0\r\n\r\n' >&3 && head -c 12 <&3) \
		2>/dev/null | grep -q ' 200'; then
		echo "$pid"
		exit 0
	fi
	sleep 0.1
done
echo "start-alertmanager.sh: alertmanager did not become ready on port $port within 10 s" >&2
kill "$pid" 2>/dev/null || true
exit 1
