#!/bin/sh
# SPDX-License-Identifier: MIT
# callgrind.sh RING_BENCH: instructions per descriptor of each loop of the
# ring benchmark, counted by valgrind's callgrind (inclusive of everything
# the loop calls, memcpy included), for batches of 1, 16, 64 and 256.
#   make bench-ring-callgrind
bin=${1:-build/bench/ring_bench}
command -v valgrind >/dev/null || {
	echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)"
	exit 77
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

printf '%-22s %6s %6s %6s %6s   (instructions per descriptor)\n' \
	loop 1 16 64 256
for b in 1 16 64 256; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$b" \
		--toggle-collect='bx_*' --toggle-collect='bl_*' \
		"$bin" --count "$b" >"$tmp/out.$b" 2>"$tmp/err.$b" || {
		cat "$tmp/err.$b"
		exit 1
	}
	n=$(sed -n 's/^descriptors \([0-9]*\) .*/\1/p' "$tmp/out.$b")
	callgrind_annotate --inclusive=yes "$tmp/cg.$b" 2>/dev/null |
		sed -n 's/^ *\([0-9,]*\) .*:\(b[xl]_[a-z0-9_]*\) .*/\2 \1/p' |
		tr -d , | awk -v n="$n" -v b="$b" \
		'{ printf "%s %s %.2f\n", $1, b, $2 / n }' >>"$tmp/all"
done
for f in st_u64 st_desc recycle_perdesc recycle_bulk; do
	for p in bx bl; do
		grep -q "^${p}_$f " "$tmp/all" || continue
		case $p in bx) lib=libxsk ;; bl) lib=libxdp ;; esac
		printf '%-22s' "$lib $f"
		for b in 1 16 64 256; do
			printf ' %6s' "$(awk -v k="${p}_$f" -v b="$b" \
				'$1 == k && $2 == b { print $3 }' "$tmp/all")"
		done
		echo
	done
done
