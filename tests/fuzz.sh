#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz.sh probe CC: exit 0 if CC builds libFuzzer targets with ASan+UBSan.
# fuzz.sh run CC BIN ARG...: build BIN (from tests/fuzz_*.c, through make)
# and run it with libFuzzer's ARGs; exit 77 (skipped) with one line if CC
# cannot build fuzz targets. Crash inputs and the log (BIN.log) are
# written next to BIN.
mode=$1 cc=$2
shift 2

probe() {
	tmp=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ return (int)(d && n > 1000000); }' >"$tmp/p.c"
	$cc -fsanitize=fuzzer,address,undefined -o "$tmp/p" "$tmp/p.c" \
		>/dev/null 2>&1
	rc=$?
	rm -rf "$tmp"
	return $rc
}

case $mode in
probe)
	probe
	exit
	;;
run) ;;
*)
	echo "usage: fuzz.sh probe CC | fuzz.sh run CC BIN ARG..." >&2
	exit 2
	;;
esac

bin=$1
shift
if ! probe; then
	echo "SKIP: '$cc -fsanitize=fuzzer' does not work: install clang and libFuzzer (Debian 12: apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
${MAKE:-make} -s --no-print-directory FUZZ_CC="$cc" "$bin" || exit 1
dir=$(dirname "$bin")
log=$bin.log
# libFuzzer reports every new input found: keep that in the log, show the
# totals, and the end of the log if it failed.
"$bin" -artifact_prefix="$dir/" -print_final_stats=1 "$@" >"$log" 2>&1
rc=$?
# libFuzzer exits 77 on a crash by default, which run.sh would count as
# skipped: any failure is reported as 1.
if [ $rc != 0 ]; then
	tail -n 40 "$log"
	echo "FAIL: $bin $* (exit $rc; full log in $log)"
	exit 1
fi
grep -E '^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$log"
