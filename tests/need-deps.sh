#!/bin/sh
# SPDX-License-Identifier: MIT
# Make sure what the tests need is installed: cmocka and pkg-config (without
# them make check fails), and clang with libFuzzer (without them the fuzz
# step is skipped). As root with apt-get, install what is missing;
# otherwise say how, in one line.
have_cmocka() {
	command -v pkg-config >/dev/null 2>&1 &&
		{ pkg-config --exists cmocka 2>/dev/null ||
			[ -f /usr/include/cmocka.h ]; }
}
have_fuzzer() {
	tests/fuzz.sh probe "${FUZZ_CC:-clang}"
}
can_apt() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}
apt_install() {
	echo "make check: installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	{ [ -n "$apt_updated" ] || apt-get update -qq >/dev/null; } &&
		apt_updated=1 && apt-get install -y -qq "$@" >/dev/null
}

if ! have_fuzzer; then
	if can_apt && apt_install clang libclang-rt-14-dev && have_fuzzer; then
		:
	else
		echo "make check: no libFuzzer, the fuzz step will be skipped (Debian 12: apt-get install clang libclang-rt-14-dev)" >&2
	fi
fi

have_cmocka && exit 0
if can_apt; then
	apt_install libcmocka-dev pkg-config && exit 0
	echo "make check: apt-get could not install libcmocka-dev pkg-config" >&2
	exit 1
fi
echo "make check: cmocka is missing: install it (Debian/Ubuntu: sudo apt-get install libcmocka-dev pkg-config; Fedora: sudo dnf install libcmocka-devel pkgconf)" >&2
exit 1
