#!/bin/sh
# SPDX-License-Identifier: MIT
# Make sure what the tests need is installed. As root with apt-get, install
# what is missing; otherwise say how, in one line. Only cmocka and pkg-config
# are required: without the others (iproute2, man, clang with libFuzzer, the
# Debian packaging tools, cmake and meson) the checks that need them skip.
missing=
need() { # need PACKAGE TEST...: PACKAGE provides what TEST checks
	pkg=$1
	shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
need pkg-config command -v pkg-config
need libcmocka-dev test -f /usr/include/cmocka.h
need iproute2 command -v ip
need man-db command -v man
need "clang libclang-rt-14-dev" tests/fuzz.sh probe "${FUZZ_CC:-clang}"
need dpkg-dev command -v dpkg-buildpackage
need debhelper command -v dh
need lintian command -v lintian
need g++ command -v g++
need cmake command -v cmake
need meson command -v meson
need ninja-build command -v ninja
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "make check: installing$missing with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get update -qq >/dev/null &&
		apt-get install -y -qq --no-install-recommends $missing \
			>/dev/null && exit 0
	echo "make check: apt-get could not install$missing" >&2
	exit 1
fi
if [ ! -f /usr/include/cmocka.h ] || ! command -v pkg-config >/dev/null; then
	echo "make check: cmocka is missing: install it (Debian/Ubuntu: sudo apt-get install libcmocka-dev pkg-config; Fedora: sudo dnf install libcmocka-devel pkgconf)" >&2
	exit 1
fi
echo "make check: without$missing some checks will be skipped"
