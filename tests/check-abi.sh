#!/bin/sh
# SPDX-License-Identifier: MIT
# check-abi.sh LIB.so MAP HEADER...: the shared library exports exactly the
# symbols that the version script lists, each with a LIBXSK_ version, and
# those are exactly the functions the public headers mark XSK_API.
so=$1 map=$2
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Exported, defined symbols other than the version nodes themselves.
nm -D --defined-only --with-symbol-versions "$so" |
	awk '$2 != "A" { print $3 }' | sort >"$tmp/exported"
unversioned=$(grep -v '@LIBXSK_[0-9.]*$' "$tmp/exported")
sed 's/@.*//' "$tmp/exported" | sort -u >"$tmp/so"
sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);$/\1/p' "$map" | sort -u >"$tmp/map"
grep -ho '^XSK_API [^(]*(' "$@" | sed 's/.*[ *]\([a-z_][a-z0-9_]*\)($/\1/' |
	sort -u >"$tmp/hdr"

fail=0
if [ -n "$unversioned" ]; then
	echo "FAIL: exported without a LIBXSK_ version: $unversioned"
	fail=1
fi
if ! diff -u "$tmp/map" "$tmp/so" >"$tmp/d1"; then
	echo "FAIL: exports differ from $map (- map only, + exported only):"
	cat "$tmp/d1"
	fail=1
fi
if ! diff -u "$tmp/hdr" "$tmp/map" >"$tmp/d2"; then
	echo "FAIL: $map differs from the XSK_API declarations (- headers only, + map only):"
	cat "$tmp/d2"
	fail=1
fi
[ $fail = 0 ] && echo "ok: $(wc -l <"$tmp/so") exported symbols, all versioned, matching $map and the headers"
exit $fail
