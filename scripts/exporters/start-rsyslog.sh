#!/usr/bin/env bash
# Starts rsyslogd in the foreground mode (-n) with a private config: RFC 5424 input on
# 127.0.0.1 UDP_PORT and TCP_PORT and on the unix datagram socket DIR/log, everything written to
# DIR/messages, one line per message:
#   PROTOCOL-VERSION|HOSTNAME|APP-NAME|MSGID|PRI|STRUCTURED-DATA|MSG
# Waits until the TCP port accepts and the socket exists, then prints the pid. The server keeps
# running after this script exits; stop it with `kill PID`.
#
# Usage: start-rsyslog.sh UDP_PORT TCP_PORT DIR
set -euo pipefail
udp="${1:?usage: start-rsyslog.sh UDP_PORT TCP_PORT DIR}"
tcp="${2:?usage: start-rsyslog.sh UDP_PORT TCP_PORT DIR}"
dir="${3:?usage: start-rsyslog.sh UDP_PORT TCP_PORT DIR}"
bin="$(command -v rsyslogd || true)"
if [ -z "$bin" ] && [ -x /usr/sbin/rsyslogd ]; then bin=/usr/sbin/rsyslogd; fi
if [ -z "$bin" ]; then
	echo "start-rsyslog.sh: rsyslogd is not installed (run scripts/install-deps.sh)" >&2
	exit 2
fi
mkdir -p "$dir/work"
: >"$dir/messages"
cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="$udp")
input(type="imtcp" address="127.0.0.1" port="$tcp")
input(type="imuxsock" socket="$dir/log" useSpecialParser="off" parseHostname="on")
template(name="fields" type="string"
  string="%protocol-version%|%hostname%|%app-name%|%msgid%|%pri%|%structured-data%|%msg%\n")
action(type="omfile" file="$dir/messages" template="fields" flushOnTXEnd="on" asyncWriting="off")
CONF
setsid "$bin" -n -f "$dir/rsyslog.conf" -i "$dir/pid" >"$dir/rsyslog.log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 100); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "start-rsyslog.sh: rsyslogd exited; its output:" >&2
		cat "$dir/rsyslog.log" >&2
		exit 1
	fi
	if [ -S "$dir/log" ] && (exec 3<>"/dev/tcp/127.0.0.1/$tcp") 2>/dev/null; then
		echo "$pid"
		exit 0
	fi
	sleep 0.1
done
echo "start-rsyslog.sh: rsyslogd did not start listening within 10 s; its output:" >&2
cat "$dir/rsyslog.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
