#!/bin/bash
# SPDX-License-Identifier: MIT
# fetch.sh tools: install what booting a kernel under qemu needs, if missing
#                 (qemu-system-x86, busybox-static, cpio, iproute2, xz-utils).
# fetch.sh kernel VERSION: print the directory that holds Debian's cloud
#                 kernel VERSION (5.10, 6.1 or 6.12): vmlinuz, veth.ko,
#                 xsk_diag.ko where the package has it (AF_XDP socket
#                 diagnostics: 6.12's does), the release name (file
#                 "release") and the package it came from (file "package"). The first call downloads it with apt from
#                 the mirror this machine already uses; later calls find it in
#                 $KERNEL_CACHE (default /var/cache/libxsk-kernels).
#
# The suites the kernels come from are added, when apt does not know them
# yet, to /etc/apt/sources.list.d/libxsk-kernels.sources, and apt-get update
# runs only when apt's lists lack what is needed. Exits 77 with one line
# saying why when this machine can't do it (not root, no apt, no network to
# the mirror); messages go to stderr, the directory alone to stdout.
set -u
cache=${KERNEL_CACHE:-/var/cache/libxsk-kernels}
sources=/etc/apt/sources.list.d/libxsk-kernels.sources
export DEBIAN_FRONTEND=noninteractive

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
need_apt() {
	[ "$(id -u)" = 0 ] || skip "fetching Debian's kernels and qemu needs root (apt-get)"
	command -v apt-get >/dev/null || skip "no apt-get here to fetch Debian's kernels and qemu"
}
# The last line apt wrote that says what went wrong.
apt_error() { grep -E '^(E|W|Err):' "$1" | tail -n 1; }

# Where Debian's kernel VERSION is: the suite, on Debian's main archive.
suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	*) fail "no Debian suite known for kernel '$1' (5.10, 6.1, 6.12 or host)" ;;
	esac
}

tools() {
	local missing=() log msg
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	# busybox's own package works as well as the static one: its
	# libraries go into the initramfs like every other program's.
	[ -x /bin/busybox ] || missing+=(busybox-static)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v ip >/dev/null || missing+=(iproute2)
	command -v xz >/dev/null || missing+=(xz-utils)
	[ ${#missing[@]} = 0 ] && return 0
	need_apt
	echo "check-kernels: installing ${missing[*]}" >&2
	log=$(mktemp)
	# The lists may be fine already: update only when the install fails.
	if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>"$log" 2>&1; then
		if ! apt-get update -qq >"$log" 2>&1 ||
			! apt-get install -y -qq --no-install-recommends \
				"${missing[@]}" >"$log" 2>&1; then
			msg=$(apt_error "$log")
			rm -f "$log"
			skip "cannot install ${missing[*]}: $msg"
		fi
	fi
	rm -f "$log"
}

# Add SUITE to our sources file unless apt knows it already; print "new"
# when it was added.
add_suite() {
	local suite=$1 known site ours
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	known=$(apt-get indextargets --no-release-info \
		--format '$(RELEASE) $(SITE) $(COMPONENT)' 'Identifier: Packages')
	grep -q "^$suite [^ ]* main$" <<<"$known" && return 0
	# The mirror the machine already uses for Debian's main suites.
	site=$(grep -v -- '-security ' <<<"$known" | awk '$3 == "main" { print $2; exit }')
	site=${site:-http://deb.debian.org/debian}
	ours=$(sed -n 's/^Suites: *\(.*\)/\1 /p' "$sources" 2>/dev/null)
	cat >"$sources.tmp" <<-EOF
		# Written by libxsk's tests/kernels/fetch.sh (make check-kernels):
		# the suites of the Debian kernels it boots under qemu. Remove this
		# file to forget them.
		Types: deb
		URIs: $site
		Suites: $ours$suite
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	mv "$sources.tmp" "$sources"
	echo "check-kernels: added $suite ($site) to $sources" >&2
	echo new
}

# The newest linux-image-VERSION*-cloud-amd64-unsigned apt knows.
newest() {
	local re=${1//./\\.}
	apt-cache search --names-only \
		"^linux-image-${re}[.-].*-cloud-amd64-unsigned\$" 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1
}

# unpack_ko FILE OUT: a module as packaged (plain, .xz or .zst) to OUT.
unpack_ko() {
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac || fail "cannot decompress $1"
}

kernel() {
	local v=$1 dir=$cache/$1 suite pkg tmp log release ko deb msg
	# ("modules": the fetch that also looked for xsk_diag.ko)
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/veth.ko" ] && [ -s "$dir/release" ] &&
		[ -e "$dir/modules" ]; then
		echo "$dir"
		return 0
	fi
	suite=$(suite_of "$v") || exit
	need_apt
	log=$(mktemp)
	pkg=$(newest "$v")
	if [ "$(add_suite "$suite")" = new ] || [ -z "$pkg" ]; then
		apt-get update -qq >"$log" 2>&1 ||
			skip "apt-get update failed (no network to the mirror?): $(apt_error "$log")"
		pkg=$(newest "$v")
	fi
	[ -n "$pkg" ] || fail "no linux-image-$v*-cloud-amd64-unsigned in $suite on the mirror"
	mkdir -p "$cache" || fail "cannot create $cache"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# apt downloads as its own user: let it write there.
	id _apt >/dev/null 2>&1 && chown _apt "$tmp"
	echo "check-kernels: downloading $pkg" >&2
	if ! (cd "$tmp" && apt-get download "$pkg") >"$log" 2>&1; then
		# Lists older than the mirror name a file it no longer has.
		if ! apt-get update -qq >"$log" 2>&1 ||
			! pkg=$(newest "$v") ||
			! (cd "$tmp" && apt-get download "$pkg") >"$log" 2>&1; then
			msg=$(apt_error "$log")
			rm -rf "$tmp" "$log"
			skip "cannot download $pkg (no network to the mirror?): $msg"
		fi
	fi
	rm -f "$log"
	mkdir "$tmp/x"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards \
		'./boot/vmlinuz-*' '*/modules/*/veth.ko*' ||
		fail "cannot unpack $tmp/*.deb"
	ko=$(find "$tmp/x" -name 'veth.ko*' | head -n 1)
	release=$(sed -n 's|.*/modules/\([^/]*\)/.*|\1|p' <<<"$ko")
	if [ -z "$ko" ] || [ -z "$release" ]; then
		fail "$pkg has no veth module"
	fi
	unpack_ko "$ko" "$tmp/veth.ko"
	# Optional: tar fails for a pattern the package lacks.
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/x" --wildcards \
		'*/modules/*/xsk_diag.ko*' 2>/dev/null
	ko=$(find "$tmp/x" -name 'xsk_diag.ko*' | head -n 1)
	[ -z "$ko" ] || unpack_ko "$ko" "$tmp/xsk_diag.ko"
	ls "$tmp"/*.ko | xargs -n 1 basename >"$tmp/modules"
	mv "$tmp"/x/boot/vmlinuz-* "$tmp/vmlinuz"
	echo "$release" >"$tmp/release"
	deb=$(echo "$tmp"/*.deb)
	echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" \
		>"$tmp/package"
	rm -rf "$tmp/x" "$tmp"/*.deb
	rm -rf "$dir"
	mv "$tmp" "$dir" || fail "cannot move the kernel into $dir"
	chown root: "$dir" && chmod 755 "$dir"
	echo "$dir"
}

case ${1:-} in
tools) tools ;;
kernel) [ $# = 2 ] || fail "usage: fetch.sh kernel VERSION"; kernel "$2" ;;
*) fail "usage: fetch.sh tools | fetch.sh kernel VERSION" ;;
esac
