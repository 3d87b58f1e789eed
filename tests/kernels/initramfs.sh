#!/bin/bash
# SPDX-License-Identifier: MIT
# initramfs.sh OUT KERNDIR EXAMPLEDIR KERNEL_CACHE_DIR...: build the guest's
# initramfs (a gzipped cpio archive) into OUT. It holds:
#
#   /init                 tests/kernels/init
#   /bin                  busybox and its applets, bash as /bin/sh (busybox's
#                         sh would run its own "ip" applet, which has no
#                         netns), iproute2's ip, and the libraries they need
#   /libxsk/kern          the kern_* programs of KERNDIR (as make check
#                         builds them), with their libraries
#   /libxsk/examples      the example programs of EXAMPLEDIR
#   /libxsk/tests         the test scripts (netns.sh, check-examples.sh, ...)
#                         and kernels/suite.sh
#   /lib/modules/R/veth.ko  for the release R of each kernel directory that
#                         tests/kernels/fetch.sh made
#
# One archive serves every kernel: /init loads the veth module of the
# release it runs on.
set -eu
out=$1 kern=$2 examples=$3
shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,lib,lib64,proc,sys,dev,run,tmp,etc,var,usr,root}
mkdir -p "$root"/libxsk/{kern,examples,tests/kernels}
# mktemp made the guest's / 0700: other users (the tests' nobody) must
# reach /tmp and /libxsk through it.
chmod 755 "$root" "$root"/libxsk
# The kernel opens it for /init before devtmpfs is mounted; without it (not
# root) /init's first lines go nowhere, its reports still reach ttyS1.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
# One bin for all: whatever path a script or ldd names, it is there.
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
ln -s ../lib "$root/usr/lib"
# ip netns keeps its mount points under /var/run/netns.
ln -s ../run "$root/var/run"

# copy FILE DEST: FILE and every library the dynamic loader will want.
copy() {
	install -m 755 "$1" "$2"
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

copy "$(readlink -f /bin/busybox)" "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	case $applet in
	busybox | sh | ip | bash) ;;
	*) ln -s busybox "$root/bin/$applet" ;;
	esac
done
copy "$(command -v bash)" "$root/bin/bash"
ln -s bash "$root/bin/sh"
copy "$(command -v ip)" "$root/bin/ip"
# The host's tools for what the test scripts run, so that they meet the
# same programs as in make check (busybox's setpriv has no --bounding-set,
# with which check-examples.sh drops capabilities). busybox's own would
# also exec its applets before any program of that name: "timeout 30 ip
# ..." would run busybox's ip.
for tool in timeout env nice setsid xargs grep sed mktemp seq sleep cat \
	head tail wc rm id sort setpriv; do
	copy "$(command -v "$tool")" "$root/bin/$tool.host"
	mv "$root/bin/$tool.host" "$root/bin/$tool"
done
if [ -d /etc/iproute2 ]; then cp -r /etc/iproute2 "$root/etc/"; fi
# nobody: xsk-worker's default user, as on every Debian system.
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" \
	"nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >"$root/etc/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" >"$root/etc/group"

for p in "$kern"/kern_*; do
	copy "$p" "$root/libxsk/kern/"
done
for p in "$examples"/*; do
	if [ -f "$p" ] && [ -x "$p" ]; then copy "$p" "$root/libxsk/examples/"; fi
done
install -m 755 "$src"/tests/*.sh "$root/libxsk/tests/"
# check-examples.sh runs the README's recipes
install -m 644 "$src/README.md" "$root/libxsk/"
install -m 755 "$src/tests/kernels/suite.sh" "$root/libxsk/tests/kernels/"
install -m 755 "$src/tests/kernels/init" "$root/init"

for dir in "$@"; do
	release=$(cat "$dir/release")
	mkdir -p "$root/lib/modules/$release"
	cp "$dir"/*.ko "$root/lib/modules/$release/"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
