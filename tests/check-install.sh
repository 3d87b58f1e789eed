#!/bin/sh
# SPDX-License-Identifier: MIT
# check-install.sh OBJDIR: after a plain "make" (default PREFIX), "make
# install DESTDIR=tmp" gives a tree that a consumer builds against through
# pkg-config, as C and as C++ (with every public header, warning-free under
# -pedantic with g++ and clang++), linked statically and dynamically, and
# runs; the tools and the manual are installed; "make uninstall" removes it
# all. Done twice: with the defaults, and with PREFIX, LIBDIR and
# INCLUDEDIR given only to install, whose libxsk.pc must name where it was
# installed, not where the build thought it would be.
objdir=$1
make=${MAKE:-make}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

$make -s --no-print-directory OBJDIR="$objdir" >/dev/null || fail "make"

# check_install ROOT PREFIX LIBDIR INCLUDEDIR [make variables...]
check_install() {
	root=$1 prefix=$2 libdir=$3 incdir=$4
	shift 4
	what="make install${*:+ $*}"
	$make -s --no-print-directory install DESTDIR="$root" "$@" \
		OBJDIR="$objdir" >/dev/null || fail "$what"
	lib=$root$libdir
	for f in $incdir/xsk.h $incdir/xsk/ring.h $libdir/libxsk.a \
		$libdir/libxsk.so $libdir/libxsk.so.0 \
		$libdir/pkgconfig/libxsk.pc $prefix/share/man/man3/libxsk.3 \
		$prefix/share/man/man3/xsk_socket_create.3 \
		$prefix/share/man/man3/xsk_umem_opts.3 \
		$prefix/share/man/man1/xsk-rx.1 $prefix/share/man/man1/xsk-probe.1 \
		$prefix/bin/xsk-rx $prefix/bin/xsk-tx $prefix/bin/xsk-fwd \
		$prefix/bin/xsk-probe; do
		[ -e "$root$f" ] || fail "$what did not install $f"
	done
	[ -L "$lib/libxsk.so" ] && [ -L "$lib/libxsk.so.0" ] ||
		fail "libxsk.so and libxsk.so.0 must be symlinks"
	soname=$(readelf -d "$lib/libxsk.so" |
		sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	[ "$soname" = libxsk.so.0 ] || fail "soname is '$soname', not libxsk.so.0"

	for v in prefix=$prefix libdir=$libdir includedir=$incdir; do
		grep -qx "$v" "$lib/pkgconfig/libxsk.pc" ||
			fail "$what: libxsk.pc does not say $v:" \
				"$(cat "$lib/pkgconfig/libxsk.pc")"
	done
	export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$lib/pkgconfig"
	cflags=$(pkg-config --cflags libxsk) || fail "pkg-config --cflags libxsk"
	libs=$(pkg-config --libs libxsk) || fail "pkg-config --libs libxsk"
	for lang in c c++; do
		case $lang in
		c) cc=${CC:-cc} src=tests/consumer.c ;;
		c++) cc=${CXX:-c++} src=tests/consumer.cc ;;
		esac
		# shellcheck disable=SC2086
		$cc $cflags -o "$tmp/dyn" "$src" $libs ||
			fail "$lang dynamic build"
		LD_LIBRARY_PATH=$lib "$tmp/dyn" || fail "$lang dynamic run"
		LD_LIBRARY_PATH=$lib ldd "$tmp/dyn" |
			grep -q "libxsk.so.0 => $lib/" ||
			fail "$lang dynamic binary does not load $lib/libxsk.so.0"
		# shellcheck disable=SC2086
		$cc $cflags -o "$tmp/sta" "$src" -Wl,-Bstatic $libs \
			-Wl,-Bdynamic || fail "$lang static build"
		"$tmp/sta" || fail "$lang static run"
		ldd "$tmp/sta" | grep -q libxsk &&
			fail "$lang static binary needs libxsk.so"
		echo "ok: $what: $lang consumer, dynamic and static, through pkg-config"
	done

	for cxx in g++ clang++; do
		command -v $cxx >/dev/null || continue
		# shellcheck disable=SC2086
		$cxx -std=c++11 -Wall -Wextra -pedantic -Werror $cflags \
			-fsyntax-only tests/consumer.cc ||
			fail "$cxx -pedantic warns about the headers"
		echo "ok: $cxx -std=c++11 -pedantic -Werror takes every header"
	done

	# The tools run from the installed tree; xsk-probe needs CAP_NET_RAW.
	"$root$prefix/bin/xsk-rx" --help | grep -q -e --interface ||
		fail "xsk-rx --help"
	if "$root$prefix/bin/xsk-probe" --json >"$tmp/probe.json" \
		2>"$tmp/probe.err"; then
		grep -q '"features": \[' "$tmp/probe.json" ||
			fail "xsk-probe --json printed no features:" \
				"$(cat "$tmp/probe.json")"
		echo "ok: xsk-probe --json: $(grep -c '"present": true' \
			"$tmp/probe.json") features present"
	else
		grep -q '"error": ' "$tmp/probe.json" ||
			fail "xsk-probe --json failed without an error object"
		echo "ok: xsk-probe --json reports its failure: $(cat "$tmp/probe.err")"
	fi

	$make -s --no-print-directory uninstall DESTDIR="$root" "$@" \
		OBJDIR="$objdir" >/dev/null || fail "make uninstall${*:+ $*}"
	left=$(find "$root" -type f -o -type l)
	[ -z "$left" ] || fail "make uninstall${*:+ $*} left: $left"
	echo "ok: make uninstall${*:+ $*} removed everything"
}

check_install "$tmp/root1" /usr/local /usr/local/lib /usr/local/include
check_install "$tmp/root2" /usr /usr/lib/x86_64-linux-gnu /usr/include/libxsk \
	PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu INCLUDEDIR=/usr/include/libxsk
