#!/usr/bin/env bash
# Builds a busybox root file system in DIR (from busybox-static, offline): /bin/busybox with
# applet links, /etc/passwd, /etc/group, a dummy /etc/shadow (the file the tests open and
# link over), /tmp, and empty /proc /sys /dev mount points.
set -euo pipefail
DIR="${1:?usage: make-rootfs.sh DIR}"
BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || BUSYBOX="$(command -v busybox)"
mkdir -p "$DIR"/{bin,etc,tmp,proc,sys,dev,root}
chmod 1777 "$DIR/tmp"
cp "$BUSYBOX" "$DIR/bin/busybox"
for applet in $("$DIR/bin/busybox" --list); do
	[[ -e "$DIR/bin/$applet" ]] || ln -s busybox "$DIR/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$DIR/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$DIR/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$DIR/etc/shadow"
chmod 640 "$DIR/etc/shadow"
