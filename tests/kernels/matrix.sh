#!/bin/bash
# SPDX-License-Identifier: MIT
# matrix.sh OBJDIR KERNELS SUITES: the real-kernel suites on several kernels,
# one results table (make check-kernels).
#
#   KERNELS  Debian cloud kernels (5.10, 6.1, 6.12; fetched and cached by
#            tests/kernels/fetch.sh) and "host", the running kernel
#   SUITES   kern_* programs of OBJDIR/san and "examples"; NAME@K1,K2 runs
#            NAME only on kernels K1 and K2 (kern_stream@6.1)
#
# Each (kernel, suite) is one boot of qemu-system-x86_64 under software
# emulation: $QEMU_SMP vCPUs (1: the host's cores are shared), $QEMU_MEM MiB
# (2048), no network device, niced, and killed after $KERNEL_TIMEOUT minutes
# (15; the longest suite, kern_stream, takes 4). The guest runs
# tests/kernels/init from the initramfs that tests/kernels/initramfs.sh
# builds, and sends the suite's output back over its second serial port. The host's row runs the same suites directly, as
# make check does. Logs: OBJDIR/kernels/logs/KERNEL-SUITE.{out,console}.
#
# Prints one table (kernel x suite: passed, failed, skipped test cases, the
# verdict; the guest's boot and suite seconds by its own clock, and the
# seconds the whole run took here), then what failed, then
# "check-kernels: N passed, N failed, N skipped" counting (kernel, suite)
# runs. Exits 1 if any failed, 77 if none could run (with the reason).
set -u
objdir=$1 kernels=$2 suites=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$objdir/kernels
logs=$work/logs
initrd=$work/initramfs.cpio.gz
mem=${QEMU_MEM:-2048}
smp=${QEMU_SMP:-1}
rm -rf "$logs"
mkdir -p "$logs" || exit 1

declare -A dir    # kernel -> its cache directory
declare -A nokern # kernel -> why it can't be booted ("SKIP: ..." or "FAIL: ...")
rows=()           # kernel|release|suite|passed|failed|skipped|verdict|boot|time|wall
notes=()
n_pass=0 n_fail=0 n_skip=0

# suites_of KERNEL: the suites to run on KERNEL.
suites_of() {
	local s name only
	for s in $suites; do
		name=${s%%@*}
		if [ "$name" != "$s" ]; then
			only=,${s#*@},
			[[ $only == *",$1,"* ]] || continue
		fi
		echo "$name"
	done
}

# count LOG SUITE: "passed failed skipped" test cases in a suite's output:
# cmocka's summary lines, or, when the program died before printing them,
# its per-test lines; check-examples.sh's "ok" and "FAIL" lines.
count() {
	local log=$1
	if [ "$2" = examples ]; then
		echo "$(grep -c '^ok ' "$log") $(grep -c '^FAIL ' "$log") 0"
	elif grep -q '^\[  PASSED  \] [0-9]* test' "$log"; then
		awk '/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
			/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
			/^\[  SKIPPED \] [0-9]+ test/ { s += $4 }
			END { print p + 0, f + 0, s + 0 }' "$log"
	else
		echo "$(grep -c '^\[       OK \]' "$log")" \
			"$(grep -c '^\[  FAILED  \] [a-z]' "$log")" \
			"$(grep -c '^\[  SKIPPED \] [a-z]' "$log")"
	fi
}

# record KERNEL RELEASE SUITE VERDICT BOOT TIME WALL LOG [WHY]: one row of
# the table, and the lines that say what went wrong.
record() {
	local k=$1 rel=$2 s=$3 verdict=$4 boot=$5 secs=$6 wall=$7 log=$8
	local why=${9:-}
	local p=0 f=0 sk=0 what
	[ -f "$log" ] && read -r p f sk < <(count "$log" "$s")
	[ "$verdict" = PASS ] && [ "$f" -gt 0 ] && verdict=FAIL
	rows+=("$k|$rel|$s|$p|$f|$sk|$verdict|$boot|$secs|$wall")
	case $verdict in
	PASS) n_pass=$((n_pass + 1)) ;;
	SKIP)
		n_skip=$((n_skip + 1))
		[ -n "$why" ] ||
			why=$(sed -n 's/^SKIP:* *//p' "$log" 2>/dev/null | head -n 1)
		notes+=("SKIP $k $s: ${why:-skipped}")
		;;
	*)
		n_fail=$((n_fail + 1))
		notes+=("FAIL $k $s: ${why:-see $log}")
		[ -f "$log" ] || return
		# What failed: cmocka's list, the examples' FAIL lines, a
		# sanitizer's verdict.
		what=$(sed -n -e '/listed below:$/,/FAILED TEST/s/^\[  FAILED  \] \([^ ]*\)$/\1/p' \
			"$log" | sort -u | paste -sd' ')
		[ -n "$what" ] && notes+=("     failed: $what")
		while read -r line; do
			notes+=("     $line")
		done < <(grep -E '^FAIL |^SUMMARY: [A-Za-z]*Sanitizer|^ERROR: [A-Za-z]*Sanitizer|runtime error:' \
			"$log" | sed 's/\x1b\[[0-9;]*m//g' | head -n 20)
		;;
	esac
}

# kernel_notes KERNEL SUITE CONSOLE: what the kernel itself complained about.
kernel_notes() {
	local line
	while read -r line; do
		notes+=("NOTE $1 $2: kernel says: $line")
	done < <(grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection' \
		"$3" 2>/dev/null | head -n 3)
}

run_host() {
	local s=$1 log start rc verdict
	log=$logs/host-$s.out
	start=$SECONDS
	"$here/suite.sh" "$objdir/san" "$objdir/examples" "$s" >"$log" 2>&1
	rc=$?
	case $rc in 0) verdict=PASS ;; 77) verdict=SKIP ;; *) verdict=FAIL ;; esac
	record host "$(uname -r)" "$s" "$verdict" - "$((SECONDS - start))" \
		"$((SECONDS - start))" "$log" \
		"$([ $verdict = FAIL ] && echo "exit $rc, see $log")"
}

run_guest() {
	local k=$1 s=$2 out con
	local limit rc start b e end verdict why="" rel wall
	out=$logs/$k-$s.out con=$logs/$k-$s.console
	rel=$(cat "${dir[$k]}/release")
	limit=${KERNEL_TIMEOUT:-15}
	start=$SECONDS
	nice -n 10 timeout -k 10 $((limit * 60)) qemu-system-x86_64 \
		-nodefaults -nic none -display none -no-reboot \
		-accel tcg -cpu max,la57=off,pcid=off -smp "$smp" -m "$mem" \
		-kernel "${dir[$k]}/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 libxsk_suite=$s" \
		-serial "file:$con" -serial "file:$out" >"$logs/$k-$s.qemu" 2>&1
	rc=$?
	wall=$((SECONDS - start))
	sed -i 's/\r$//' "$out" "$con" 2>/dev/null
	b=$(sed -n 's/^@@libxsk begin .* uptime=\([0-9.]*\) .*/\1/p' "$out")
	e=$(sed -n 's/^@@libxsk end .* uptime=\([0-9.]*\)$/\1/p' "$out")
	end=$(sed -n 's/^@@libxsk end .* rc=\([0-9]*\) .*/\1/p' "$out")
	if [ -n "$end" ]; then
		case $end in 0) verdict=PASS ;; 77) verdict=SKIP ;; *) verdict=FAIL ;; esac
		[ "$verdict" = FAIL ] && why="exit $end, see $out"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		verdict=FAIL
		why="no result after $limit min: qemu killed; see $out"
	elif [ -z "$b" ]; then
		verdict=FAIL
		why="the guest did not start the suite (qemu exit $rc): $(tail -n 3 "$con" "$logs/$k-$s.qemu" 2>/dev/null | grep -v '^==>' | paste -sd' ')"
	else
		verdict=FAIL
		why="the guest stopped during the suite (qemu exit $rc; see $con)"
	fi
	[ "$verdict" = FAIL ] && [ -z "$end" ] && echo "FAIL: kernel $k, suite $s: $why"
	record "$k" "$rel" "$s" "$verdict" "${b:--}" \
		"$(awk -v b="$b" -v e="$e" \
			'BEGIN { if (e != "") printf "%.0f", e - b; else print "-" }')" \
		"$wall" "$out" "$why"
	kernel_notes "$k" "$s" "$con"
}

# Fetch what the guests need; a kernel that can't be had is skipped (or
# failed) with the reason, the others still run.
guests=()
for k in $kernels; do [ "$k" = host ] || guests+=("$k"); done
if [ ${#guests[@]} -gt 0 ]; then
	why=$("$here/fetch.sh" tools 2>&1 >/dev/null)
	rc=$?
	for k in "${guests[@]}"; do
		if [ $rc != 0 ]; then
			nokern[$k]=$why
		elif d=$("$here/fetch.sh" kernel "$k" 2>"$logs/fetch-$k.err"); then
			dir[$k]=$d
		else
			nokern[$k]=$(grep -E '^(SKIP|FAIL)' "$logs/fetch-$k.err" | tail -n 1)
		fi
		grep -v -E '^(SKIP|FAIL)' "$logs/fetch-$k.err" 2>/dev/null >&2
	done
	booted=()
	for k in "${guests[@]}"; do
		[ -n "${dir[$k]:-}" ] && booted+=("${dir[$k]}")
	done
	if [ ${#booted[@]} -gt 0 ] &&
		! "$here/initramfs.sh" "$initrd" "$objdir/san" "$objdir/examples" \
			"${booted[@]}"; then
		for k in "${guests[@]}"; do
			[ -n "${dir[$k]:-}" ] && nokern[$k]="FAIL: cannot build the initramfs"
		done
	fi
fi

for k in $kernels; do
	for s in $(suites_of "$k"); do
		echo "check-kernels: $k $s" >&2
		if [ "$k" = host ]; then
			run_host "$s"
		elif [ -n "${nokern[$k]:-}" ]; then
			why=${nokern[$k]}
			record "$k" - "$s" "${why%%:*}" - - - /dev/null "${why#*: }"
		else
			run_guest "$k" "$s"
		fi
	done
done

echo
fmt='%-6s %-26s %-13s %6s %6s %7s  %-7s %6s %6s %6s\n'
# shellcheck disable=SC2059
printf "$fmt" kernel release suite passed failed skipped verdict boot_s \
	run_s wall_s
for r in "${rows[@]}"; do
	IFS='|' read -r k rel s p f sk v b t w <<<"$r"
	# shellcheck disable=SC2059
	printf "$fmt" "$k" "$rel" "$s" "$p" "$f" "$sk" "$v" "$b" "$t" "$w"
done
[ ${#notes[@]} -gt 0 ] && printf '%s\n' "" "${notes[@]}"
echo "check-kernels: $n_pass passed, $n_fail failed, $n_skip skipped"
[ $n_fail = 0 ] || exit 1
[ $n_pass -gt 0 ] || exit 77
exit 0
