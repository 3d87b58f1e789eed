#!/bin/sh
# SPDX-License-Identifier: MIT
# callgrind.sh RING_BENCH: instructions per descriptor of each loop of the
# ring benchmark, counted by valgrind's callgrind, for batches of 1, 16, 64
# and 256.
#   make bench-ring-callgrind
#
# One valgrind run per loop and batch, collecting only while that loop's
# function runs, and the run's total taken: that is every instruction the
# loop executes, its inlined helpers and what it calls (memcpy) included.
# (callgrind_annotate's per-function rows split inlined code by source
# file, so reading a loop's row gives only the part that lives in one
# file: the per-descriptor loop looked half its real cost that way.)
bin=${1:-build/bench/ring_bench}
command -v valgrind >/dev/null || {
	echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)"
	exit 77
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# count FUNCTION BATCH: instructions per descriptor, or nothing when the
# function never ran (libxdp absent).
count() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
		--collect-atstart=no --toggle-collect="$1" \
		"$bin" --count "$2" >"$tmp/out" 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		exit 1
	}
	n=$(sed -n 's/^descriptors \([0-9]*\) .*/\1/p' "$tmp/out")
	awk -v n="$n" '/^(summary|totals):/ && $2 > 0 {
		printf "%.2f\n", $2 / n; exit }' "$tmp/cg"
}

printf '%-22s %6s %6s %6s %6s   (instructions per descriptor)\n' \
	loop 1 16 64 256
for f in st_u64 st_desc recycle_perdesc recycle_bulk; do
	for p in bx bl; do
		case $p in bx) lib=libxsk ;; bl) lib=libxdp ;; esac
		row=
		for b in 1 16 64 256; do
			c=$(count "${p}_$f" "$b") || exit 1
			[ -n "$c" ] || continue 2
			row="$row $(printf '%6s' "$c")"
		done
		printf '%-22s%s\n' "$lib $f" "$row"
	done
done
