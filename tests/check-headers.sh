#!/bin/sh
# SPDX-License-Identifier: MIT
# check-headers.sh CC HEADER...: every public header compiles on its own, as
# C11 and as C++ (with the same compiler family), warning-free.
cc=$1
shift
case $cc in
*clang*) cxx=clang++ ;;
*) cxx=g++ ;;
esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for h in "$@"; do
	inc=${h#include/}
	printf '#include <%s>\n#include <%s>\n' "$inc" "$inc" >"$tmp/t.c"
	cp "$tmp/t.c" "$tmp/t.cc"
	flags="-Iinclude -Wall -Wextra -Werror -fsyntax-only"
	if ! $cc -std=c11 $flags "$tmp/t.c"; then
		echo "FAIL: $h does not compile alone as C11"
		fail=1
	fi
	if ! $cxx -std=c++11 $flags "$tmp/t.cc"; then
		echo "FAIL: $h does not compile alone as C++11"
		fail=1
	fi
	[ $fail = 0 ] && echo "ok: $h (C11, C++11, twice included)"
done
exit $fail
