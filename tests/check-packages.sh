#!/bin/sh
# SPDX-License-Identifier: MIT
# check-packages.sh: the Debian packaging in debian/ works.
#  - debian/libxsk0.symbols is what debian/gen-symbols.sh makes of
#    src/libxsk.map, and debian/changelog has the version of include/xsk.h;
#  - dpkg-buildpackage -us -uc -b, in a copy of the tree, builds libxsk0,
#    libxsk-dev and xsk-tools;
#  - lintian reports no tag that debian/README.source does not explain;
#  - the packages unpacked into a scratch root give a tree that
#    tests/consumer.c builds against through pkg-config and runs with, and
#    the tools and manual pages are there.
# Skipped (exit 77) without dpkg-buildpackage, debhelper or lintian
# (tests/need-deps.sh installs them when it can).
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

debian/gen-symbols.sh src/libxsk.map >"$tmp/symbols"
diff -u debian/libxsk0.symbols "$tmp/symbols" ||
	fail "debian/libxsk0.symbols differs from src/libxsk.map: run debian/gen-symbols.sh src/libxsk.map > debian/libxsk0.symbols"
field() { sed -n "s/^#define LIBXSK_VERSION_$1 *\([0-9]*\)$/\1/p" include/xsk.h; }
version=$(field MAJOR).$(field MINOR).$(field PATCH)
deb_version=$(sed -n '1s/^libxsk (\([^)]*\)).*/\1/p' debian/changelog)
[ "${deb_version%-*}" = "$version" ] ||
	fail "debian/changelog is at $deb_version, include/xsk.h at $version: add a changelog entry"
echo "ok: libxsk0.symbols matches the version script; debian/changelog is at $version"

for tool in dpkg-buildpackage dh lintian; do
	command -v $tool >/dev/null 2>&1 || {
		echo "SKIP: $tool is missing (apt-get install dpkg-dev debhelper lintian)"
		exit 77
	}
done

# Build in a copy: dpkg-buildpackage writes next to the tree and into it.
src=$tmp/libxsk-$version
mkdir -p "$src"
if [ -d .git ] || [ -f .git ]; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$src" || fail "copying the tree"
else
	tar -c --exclude='./build*' --exclude=./debian/build . | tar -x -C "$src"
fi
start=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || {
	tail -n 30 "$tmp/build.log"
	fail "dpkg-buildpackage -us -uc -b"
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in libxsk0 libxsk-dev xsk-tools; do
	[ -f "$tmp/${p}_${deb_version}_$arch.deb" ] || fail "no $p package built"
done
echo "ok: dpkg-buildpackage built libxsk0, libxsk-dev and xsk-tools ($(($(date +%s) - start)) s)"

start=$(date +%s)
lintian -I --pedantic --no-tag-display-limit \
	"$tmp/libxsk_${deb_version}_$arch.changes" >"$tmp/lintian.log" 2>&1
tags=$(sed -n 's/^[EWIPX]: [^ ]*: \([a-z0-9-]*\).*/\1/p' "$tmp/lintian.log" | sort -u)
for t in $tags; do
	grep -q "^$t\$" debian/README.source || {
		cat "$tmp/lintian.log"
		fail "lintian tag $t is neither fixed nor explained in debian/README.source"
	}
done
echo "ok: lintian, $(($(date +%s) - start)) s: $(echo $tags | wc -w) tag(s), each explained in debian/README.source${tags:+: }$(echo $tags)"

root=$tmp/root
for p in libxsk0 libxsk-dev xsk-tools; do
	dpkg-deb -x "$tmp/${p}_${deb_version}_$arch.deb" "$root" ||
		fail "unpacking $p"
done
lib=$root/usr/lib/$multiarch
for f in "$lib/libxsk.so.0" "$lib/libxsk.a" "$lib/pkgconfig/libxsk.pc" \
	"$root/usr/include/xsk/ring.h" "$root/usr/bin/xsk-probe" \
	"$root/usr/share/man/man3/xsk_socket_create.3.gz" \
	"$root/usr/share/man/man1/xsk-rx.1.gz"; do
	[ -e "$f" ] || fail "the packages do not install ${f#"$root"}"
done
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$lib/pkgconfig"
cflags=$(pkg-config --cflags libxsk) && libs=$(pkg-config --libs libxsk) ||
	fail "pkg-config libxsk in the unpacked packages"
# shellcheck disable=SC2086
${CC:-cc} $cflags -o "$tmp/consumer" tests/consumer.c $libs ||
	fail "building tests/consumer.c against the packages"
LD_LIBRARY_PATH=$lib ldd "$tmp/consumer" | grep -q "$lib/libxsk.so.0" ||
	fail "the consumer does not load the packaged libxsk.so.0"
LD_LIBRARY_PATH=$lib "$tmp/consumer" || fail "running the consumer"
"$root/usr/bin/xsk-probe" --help >/dev/null || fail "xsk-probe --help"
if command -v man >/dev/null 2>&1; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$root/usr/share/man/man3/xsk_socket_create.3.gz" |
		grep -q EBUSY || fail "man xsk_socket_create from the package"
fi
echo "ok: a consumer builds and runs against the unpacked packages; tools and pages are there"
