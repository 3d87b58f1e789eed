#!/bin/sh
# SPDX-License-Identifier: MIT
# Make sure what the tests need is installed: cmocka and pkg-config. As root
# with apt-get, install what is missing; otherwise say how, in one line.
have_cmocka() {
	pkg-config --exists cmocka 2>/dev/null || [ -f /usr/include/cmocka.h ]
}
command -v pkg-config >/dev/null 2>&1 && have_cmocka && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "make check: installing libcmocka-dev and pkg-config with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null &&
		apt-get install -y -qq libcmocka-dev pkg-config >/dev/null &&
		exit 0
	echo "make check: apt-get could not install libcmocka-dev pkg-config" >&2
	exit 1
fi
echo "make check: cmocka is missing: install it (Debian/Ubuntu: sudo apt-get install libcmocka-dev pkg-config; Fedora: sudo dnf install libcmocka-devel pkgconf)" >&2
exit 1
