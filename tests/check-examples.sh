#!/bin/bash
# SPDX-License-Identifier: MIT
# check-examples.sh BINDIR: the example programs, run for real. Run by
# tests/netns.sh, inside namespace XSK_NS with XSK_IF; the veth peer
# XSK_PEER_IF is in XSK_PEER_NS. Two more veth pairs are made: one (XSK_IF2
# here, XSK_PEER_IF2 there) for fwd --out, one for jumbo frames, links
# taken down and a peer with IPv6; they go away with the namespaces.
#
# The tools' figures are compared with the kernel's own counters: the
# interfaces' statistics (/sys/class/net/IF/statistics) and, for threads,
# /proc.
#
#   tx -> rx               every frame received or counted as dropped (by
#                          the socket or by veth), and each one checked
#   tx -> rx, 2 queues     the same per queue, with a shared UMEM
#   tx -> rx, generic      generic XDP, no need_wakeup, busy polling
#   tx -> rx --hints       a hints record for every frame, counted
#   tx -> fwd -> rx        fwd receives on XSK_IF, sends on XSK_IF2 (--out),
#                          2 queues: every frame accounted at each stage,
#                          and each one arrives checked, MACs swapped
#   tx -> fwd (reflect)    what fwd sends arrives at the peer's stack
#   --help, bad options    clear one-line errors, exit codes 2 and 1;
#                          malformed values refused
#   advice                 the library's advice in the tools' options
#   options                unaligned chunks, headroom, multi-buffer (jumbo
#                          frames), bind wait
#   figures                pps over the time traffic flowed; tx counts what
#                          the kernel completed (a peer or link down);
#                          --verify says why a frame is bad; a drop is
#                          explained; default CPUs apart
#   traffic                --flows, IPv6, VLAN, sizes from 60 to 9000
#   rx --pcap, --json      a pcap file as tcpdump reads it; JSON lines
#   pingpong               RTTs in spin, poll and busy-poll modes
#   several processes      the README's recipes: two rx --join on two
#                          queues; one pinning the map for a group, a
#                          worker as nobody opening it (--map)
#   tx -> worker           workers as nobody, the socket handed on each
#                          second: every frame received or counted dropped
#   SIGINT, SIGTERM        exit 0, summary printed, no XDP program left
#
# Each traffic run is bounded by the programs' own --count and --duration
# and by timeout(1). Frames stay inside the namespaces.
set -u
bin=$1
a=$XSK_IF b=$XSK_PEER_IF nsb=$XSK_PEER_NS
a2=${a%a}c b2=${a%a}d
tmp=$(mktemp -d)
pids=()
failed=0
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
bad() {
	echo "FAIL $*"
	failed=$((failed + 1))
}
in_b() { ip netns exec "$nsb" "$@"; }
# Bounded in time whatever the program does. A command, not a function, so
# that $! of a background run is a process that passes SIGINT on.
T=(timeout -k 5 30)
# get FILE KEY [QUEUE]: a value from the summary line (or a queue's line).
# A value that is not there reads as 0, so that sums still work, and is
# a failure that check_missing reports with the end of FILE (a program that
# stopped early says why there).
get() {
	local sel="summary" v
	[ $# -gt 2 ] && sel="queue=$3"
	v=$(sed -n "s/^[a-z]*: $sel.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1)
	if [ -z "$v" ]; then
		echo "${1##*/}: no $2 in its $sel line; it ends: $(tail -n 2 "$1" 2>/dev/null | paste -sd' ')" >>"$tmp/missing"
		v=0
	fi
	echo "$v"
}
check_missing() {
	[ -s "$tmp/missing" ] || return 0
	while read -r line; do bad "$line"; done <"$tmp/missing"
	: >"$tmp/missing"
}
# expect WHAT GOT WANT
expect() {
	if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got '$2', want '$3'"; fi
}
# Wait until an XDP program is on IF (in namespace NS, or here).
wait_xdp() {
	for _ in $(seq 100); do
		if [ -n "$2" ]; then
			ip -n "$2" link show "$1" | grep -q ' xdp' && return 0
		else
			ip link show "$1" | grep -q ' xdp' && return 0
		fi
		sleep 0.05
	done
	return 1
}
no_xdp() {
	if ip ${2:+-n "$2"} link show "$1" | grep -q ' xdp'; then
		bad "$3: an XDP program is still on $1"
	else
		ok "$3: nothing left attached to $1"
	fi
}
# kernel_at_least MAJOR MINOR: is the running kernel (uname -r) that new?
kernel_at_least() {
	local ma mi
	IFS=. read -r ma mi _ <<<"$(uname -r)"
	mi=${mi%%[!0-9]*}
	[ "$ma" -gt "$1" ] || { [ "$ma" -eq "$1" ] && [ "$mi" -ge "$2" ]; }
}
# A background program that should stop by itself: give it WAIT seconds,
# then interrupt it, as a user would.
finish() {
	local pid=$1 wait=$2
	for _ in $(seq $((wait * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
}
# rxtx NAME RX-ARGS -- TX-ARGS: rx on IF (here) until it has COUNT or its
# time is up, tx on the peer; their outputs in $tmp/NAME.rx, .tx. RX-ARGS
# starts with -i IF, TX-ARGS with -i PEER-IF.
rxtx() {
	local name=$1 rxargs=() pid
	shift
	while [ "$1" != -- ]; do rxargs+=("$1") && shift; done
	shift
	"${T[@]}" "$bin/rx" "${rxargs[@]}" >"$tmp/$name.rx" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_xdp "${rxargs[1]}" "" || bad "$name: rx attached no XDP program"
	in_b "${T[@]}" "$bin/tx" "$@" >"$tmp/$name.tx" 2>&1
	expect "$name: tx exit code" $? 0
	finish "$pid" 5
	expect "$name: rx exit code" $? 0
}
# sent_of FILE N: $sent, the frames tx completed (its tx_packets), which
# the receiving side is held to. Whether all N go within tx's --duration is
# a matter of speed: fewer is said, not failed.
sent_of() {
	sent=$(get "$1" tx_packets)
	if [ "$sent" = "$2" ]; then
		ok "tx completed all $2 frames"
	elif [ "$sent" -gt 0 ]; then
		echo "     (tx completed $sent of $2 within its time)"
	else
		bad "tx completed none of $2: $(tail -n 2 "$1" | paste -sd' ')"
	fi
}
stat() { cat "/sys/class/net/$1/statistics/$2"; }
stat_b() { in_b cat "/sys/class/net/$1/statistics/$2"; }
# The library's names have no place in what a tool tells its user.
no_c_names() {
	if grep -Eq 'XSK_[A-Z_]+|\.[a-z_]+_ms\b|xsk_[a-z_]+\(\)' "$1"; then
		bad "$2: names the library's C API: $(cat "$1")"
	else
		ok "$2: in the tool's own terms"
	fi
}
# pcap_read FILE: "MAGIC LINKTYPE RECORDS", then a line per record
# "LENGTH ETHERTYPE UDP-SOURCE-PORT" (the ethertype inside a VLAN tag).
# The file is in this machine's byte order, little-endian here.
pcap_read() {
	od -An -v -tu1 "$1" | awk '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	function u32(o) { return b[o] + 256 * (b[o + 1] + 256 * (b[o + 2] + 256 * b[o + 3])) }
	END {
		off = 24
		while (off + 16 <= n) {
			p = off + 16
			et = b[p + 12] * 256 + b[p + 13]
			l3 = p + 14
			if (et == 33024) {
				et = b[p + 16] * 256 + b[p + 17]
				l3 += 4
			}
			l4 = l3 + (et == 34525 ? 40 : 20)
			recs = recs sprintf("%d %04x %d\n", u32(off + 12), et,
				b[l4] * 256 + b[l4 + 1])
			off = p + u32(off + 8)
			c++
		}
		# in halves: some awks print no %x above 2^31 (busybox)
		printf "%04x%04x %d %d\n%s", int(u32(0) / 65536), u32(0) % 65536,
			u32(20), c, recs
	}'
}
# json_ok FILE: every line of FILE is a JSON object.
json_ok() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import json, sys
for line in open(sys.argv[1]):
	assert isinstance(json.loads(line), dict)' "$1" 2>/dev/null
	else
		[ -s "$1" ] && ! grep -qv '^{.*}$' "$1"
	fi
}
# jget FILE KEY: a number or string from the JSON summary line.
jget() {
	sed -n 's/.*"type":"summary".*"'"$2"'":"\{0,1\}\([^,"}]*\).*/\1/p' "$1" | head -n 1
}
# cpus LIST: "0-2,5" as "0 1 2 5"
cpus() {
	local part
	for part in ${1//,/ }; do
		if [[ $part == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
	done | tr '\n' ' '
}
# thread_cpus PID: the CPUs the threads of PID other than its main one may
# run on, as the kernel has them.
thread_cpus() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && continue
		cpus "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")"
	done
}

# Only our frames on the links: no IPv6 neighbour discovery or MLD.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
echo 1 >"/proc/sys/net/ipv6/conf/$a/disable_ipv6" 2>/dev/null
in_b sh -c "echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6;
	echo 1 >/proc/sys/net/ipv6/conf/$b/disable_ipv6" 2>/dev/null
ip link add "$a2" numtxqueues 2 numrxqueues 2 type veth peer name "$b2" \
	netns "$nsb" numtxqueues 2 numrxqueues 2 &&
	ip link set "$a2" up && in_b ip link set "$b2" up || exit 1

# AF_XDP itself may be missing: then there is nothing to test.
"$bin/rx" -i "$a" -d 0.1 >"$tmp/probe" 2>&1
if grep -q "no AF_XDP sockets" "$tmp/probe"; then
	echo "SKIP: $(cat "$tmp/probe")"
	exit 77
fi

# What the running kernel has, as xsk-probe finds it: where it lacks a
# feature, the tools must refuse it, naming the Linux version that has it.
"$bin/probe" --json >"$tmp/features" 2>&1 ||
	bad "xsk-probe failed: $(cat "$tmp/features")"
# has NAME: the kernel has the feature xsk-probe calls NAME.
has() {
	grep -q "\"name\": \"$1\", \"since\": \"[^\"]*\", \"present\": true" "$tmp/features"
}
# since NAME: the Linux version that brought it.
since() {
	sed -n "s/.*\"name\": \"$1\", \"since\": \"\([^\"]*\)\".*/\1/p" "$tmp/features"
}
# refused NAME FILE WHAT: WHAT, a tool asked for feature NAME, which this
# kernel lacks, stopped with a message in FILE that names the version (its
# exit code is the caller's to check).
refused() {
	local v
	v=$(since "$1")
	if [ -n "$v" ] && grep -q "Linux $v" "$2"; then
		ok "$3 refused: $1 needs Linux $v: $(tail -n 1 "$2")"
	else
		bad "$3: no refusal naming Linux ${v:-?} for $1: $(tail -n 2 "$2" | paste -sd' ')"
	fi
}
# check_refused NAME CMD...: CMD asks for feature NAME, which this kernel
# lacks: it stops with exit code 1 and says which version has it, in the
# tool's own terms.
check_refused() {
	local name=$1 rc
	shift
	"${T[@]}" "$@" >"$tmp/refused" 2>&1
	rc=$?
	expect "${*#"$bin/"}: exit code" $rc 1
	refused "$name" "$tmp/refused" "${*#"$bin/"}"
	no_c_names "$tmp/refused" "${*#"$bin/"}"
}
# section TITLE: a new part of the check (and the values the last one missed).
section() {
	check_missing
	echo "--- $1"
}

section "--help and bad options"
for p in rx tx fwd pingpong; do
	"${T[@]}" "$bin/$p" --help >"$tmp/out" 2>&1
	expect "$p --help exit code" $? 0
	grep -q "^Usage: $p -i IF" "$tmp/out" && grep -q -- "--interface" "$tmp/out" &&
		ok "$p --help shows the usage" || bad "$p --help: $(head -n 3 "$tmp/out")"
done
# check_error EXIT PATTERN CMD...: one line on stderr, nothing on stdout
check_error() {
	local want=$1 pat=$2 rc
	shift 2
	"${T[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = "$want" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q -- "$pat" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "${*#"$bin/"}: exit $rc, $(cat "$tmp/err")"
	else
		bad "${*#"$bin/"}: exit $rc (want $want), stderr: $(cat "$tmp/err")"
	fi
}
check_error 2 "unknown option '--bogus'" "$bin/rx" -i "$a" --bogus
check_error 2 "-i IF is required" "$bin/tx"
check_error 2 "--len: '10'" "$bin/tx" -i "$a" --len 10
check_error 2 "--queue: '3-1'" "$bin/fwd" -i "$a" -q 3-1
# A range missing its end, and a value given with '=': on nosuch0, so that
# a parser that took the range would fail at once rather than run.
check_error 2 "--queue: '0-' is not a queue" "$bin/rx" -i nosuch0 -q 0-
check_error 2 "--rx-ring: 'x' is not a ring size" "$bin/fwd" -i nosuch0 --rx-ring=x
check_error 2 "--dst-mac" "$bin/tx" -i "$a" --dst-mac 1:2:3
check_error 2 "unknown option '--out'" "$bin/rx" -i "$a" --out "$a2"
# Malformed values, each refused on its own, not read as something else:
# hex and exponents where a number or seconds go, spaces, a MAC's groups
# of three digits or with 0x, a leading 0 taken as octal (010 is ten).
check_error 2 "--duration: '0x10' is not" "$bin/rx" -i nosuch0 -d 0x10
check_error 2 "--duration: '1e1' is not" "$bin/rx" -i nosuch0 -d 1e1
check_error 2 "--duration: ' 1' is not" "$bin/rx" -i nosuch0 -d " 1"
check_error 2 "--duration: '-0' is not" "$bin/tx" -i nosuch0 -d -0
check_error 2 "--count: '0x10' is not" "$bin/tx" -i nosuch0 -n 0x10
check_error 2 "--dst-mac: '0x1:2:3:4:5:6' is not" "$bin/tx" -i nosuch0 --dst-mac 0x1:2:3:4:5:6
check_error 2 "--src-mac: '001:2:3:4:5:6' is not" "$bin/rx" -i nosuch0 --src-mac 001:2:3:4:5:6
check_error 2 "--dst-mac: ' 1:2:3:4:5:6' is not" "$bin/tx" -i nosuch0 --dst-mac " 1:2:3:4:5:6"
check_error 2 "--batch: '0x40' is not a number from 1" "$bin/rx" -i nosuch0 -b 0x40
check_error 2 "--len 9000 does not fit in a frame of 4096 bytes: add --multi-buffer" "$bin/tx" -i "$a" -l 9000
check_error 2 "--len 70 is too short for the headers: at least 82" "$bin/tx" -i "$a" -l 70 -6 --vlan 1
check_error 1 'no interface named "nosuch0"' "$bin/rx" -i nosuch0
check_error 1 "queue 7 does not exist" "$bin/fwd" -i "$a" -q 7
no_xdp "$a" "" "after the errors"

section "the library's advice, in the tools' options"
# check_advice OPTION CMD...: the failure's advice names OPTION, and no C
# name of the library's.
check_advice() {
	local want=$1
	shift
	check_error 1 "$want" "$@"
	no_c_names "$tmp/err" "${*#"$bin/"}"
}
check_advice ": use -m copy" "$bin/rx" -i "$a" -m zero-copy
check_advice "or add --unaligned" "$bin/rx" -i "$a" -f 3000
check_advice "use -q with a lower queue" "$bin/fwd" -i "$a" -q 7
# Kernels without multi-buffer refuse it at the first socket, before the
# second one that would share the UMEM.
if has "multi-buffer, XDP_USE_SG"; then
	check_advice "leave out --shared-umem" "$bin/fwd" -i "$a" -q 0-1 --shared-umem --multi-buffer
else
	check_refused "multi-buffer, XDP_USE_SG" "$bin/fwd" -i "$a" -q 0-1 --shared-umem --multi-buffer
fi
if setpriv --bounding-set=-net_raw true 2>/dev/null; then
	check_advice "ulimit -l unlimited, or run as root), or use fewer or smaller frames (-F" \
		bash -c "ulimit -l 64; exec setpriv --bounding-set=-ipc_lock $bin/rx -i $a"
	check_advice "give it the capabilities: sudo setcap" \
		setpriv --bounding-set=-net_raw "$bin/tx" -i "$a"
	if has "preferred busy polling"; then
		check_advice "or use -w spin or -w poll" \
			setpriv --bounding-set=-net_admin "$bin/rx" -i "$a" -w busy-poll
	else
		check_refused "preferred busy polling" \
			setpriv --bounding-set=-net_admin "$bin/rx" -i "$a" -w busy-poll
	fi
else
	echo "     (no setpriv with --bounding-set here: the advice on capabilities and locked memory is not checked)"
fi
# A queue that another socket holds: the second rx waits --bind-wait MS.
"${T[@]}" "$bin/rx" -i "$a" -d 5 >/dev/null 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
check_advice "after waiting 50 ms.*(--bind-wait MS, now 50)" "$bin/rx" -i "$a" --bind-wait 50
kill -INT "$rx"
wait "$rx"
no_xdp "$a" "" "after the advice"

# A frame lost between the two ends is either dropped by the socket (the
# kernel's xsk statistics; veth counts these in the receiver's rx_dropped
# too) or by veth on the way (the sender's tx_dropped).
section "tx -> rx, one queue, native XDP, flat out"
n=50000
d0=$(stat_b "$b" tx_dropped) r0=$(stat "$a" rx_packets)
"${T[@]}" "$bin/rx" -i "$a" -w poll --verify -n $n -d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
veth=$(($(stat_b "$b" tx_dropped) - d0))
# Sent means completed by the kernel, less what the device then dropped.
sent_of "$tmp/tx" $n
expect "tx packets + the kernel's tx_dropped" $(($(get "$tmp/tx" packets) + veth)) "$sent"
expect "tx's if_tx_dropped = the kernel's" "$(get "$tmp/tx" if_tx_dropped)" $veth
got=$(get "$tmp/rx" packets) drops=$(get "$tmp/rx" drops)
echo "     rx received $got, the socket dropped $drops, veth dropped $veth (tx $(get "$tmp/tx" pps) pps)"
expect "rx packets + socket drops + veth drops" $((got + drops + veth)) "$sent"
expect "rx packets + socket drops = the kernel's rx_packets" $((got + drops)) \
	$(($(stat "$a" rx_packets) - r0))
# How many arrive is a matter of speed (under emulation, few): only that
# some did, and that every one is accounted for, above.
[ "$got" -gt 0 ] && ok "rx got $got of $sent" || bad "rx got none of $sent"
expect "rx frames failing --verify" "$(get "$tmp/rx" bad)" 0
expect "rx mode" "$(get "$tmp/rx" mode)" copy
expect "rx XDP mode" "$(get "$tmp/rx" xdp)" native
expect "tx XDP mode" "$(get "$tmp/tx" xdp)" none
no_xdp "$a" "" "rx done"

# veth hands a frame sent on queue q to the peer's queue q in native mode.
section "tx -> rx, queues 0-1, one thread each, shared UMEM, rate limited"
n=40000
"${T[@]}" "$bin/rx" -i "$a" -q 0-1 --shared-umem -w poll --verify -n $n \
	-d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -q 0-1 -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
sent_of "$tmp/tx" $n
expect "rx packets + drops" $(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops))) "$sent"
expect "rx frames failing --verify" "$(get "$tmp/rx" bad)" 0
for q in 0 1; do
	sent=$(get "$tmp/tx" packets $q)
	got=$(($(get "$tmp/rx" packets $q) + $(get "$tmp/rx" drops $q)))
	[ "${sent:-0}" -gt 0 ] || bad "tx sent nothing on queue $q"
	expect "queue $q: rx packets + drops = tx packets" "$got" "$sent"
done
no_xdp "$a" "" "rx done"

# Generic XDP on veth sees every frame on rx queue 0 (veth records no
# receive queue on that path): one queue here.
section "tx -> rx, generic XDP, need_wakeup off, busy-poll"
n=20000
busy="busy-poll"
if ! has "preferred busy polling"; then
	check_refused "preferred busy polling" "$bin/rx" -i "$a" -x generic -W \
		-w busy-poll -d 1
	no_xdp "$a" "" "busy polling refused"
	busy=spin
fi
"${T[@]}" "$bin/rx" -i "$a" -x generic -W -w $busy --verify -n $n \
	-d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
expect "rx XDP mode" "$(get "$tmp/rx" xdp)" generic
sent_of "$tmp/tx" $n
expect "rx packets + drops" $(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops))) "$sent"
expect "rx frames failing --verify" "$(get "$tmp/rx" bad)" 0
no_xdp "$a" "" "rx done"

# The hints veth gives: the flow hash of the frame's socket buffer (of type
# none here: the peer's AF_XDP transmit path hashed it before it was IP),
# no tag, and a timestamp (0: veth has no clock of its own).
section "tx -> rx --hints, native XDP, 2 queues"
n=5000
# hints_run HINTS: rx --hints=HINTS on 2 queues, its records checked.
hints_run() {
	rxtx hints -i "$a" -q 0-1 --hints="$1" --dump 1 -w poll -n $n -d 25 -- \
		-i "$b" -q 0-1 -n $n -r 40000 -d 15
	got=$(get "$tmp/hints.rx" packets)
	expect "records, one per frame" "$(hget records)" "$got"
	expect "frames without a record" "$(hget no_record)" 0
	expect "frames with a timestamp" "$(hget timestamps)" "$got"
	[ "$1" = all ] && expect "untagged frames" "$(hget untagged)" "$got"
	hashed=$(sed -n 's/^rx: hints//p' "$tmp/hints.rx" | tr ' ' '\n' |
		awk -F= '/^hash_/ { s += $2 } END { print s + 0 }')
	expect "frames counted by hash type" "$hashed" "$got"
	grep -q "^  hints: hash 0x[0-9a-f]\{8\} (" "$tmp/hints.rx" &&
		ok "--dump prints the hints: $(grep -m 1 '^  hints:' "$tmp/hints.rx")" ||
		bad "--dump printed no hints: $(head -n 3 "$tmp/hints.rx")"
}
# hget KEY: a value from rx's hints line
hget() { sed -n "s/^rx: hints.* $1=\([^ ]*\).*/\1/p" "$tmp/hints.rx" | head -n 1; }
if ! has "RX hint: RSS hash and type"; then
	check_refused "RX hint: RSS hash and type" "$bin/rx" -i "$a" --hints -d 1
	check_refused "RX hint: hardware timestamp" "$bin/rx" -i "$a" \
		--hints=timestamp -d 1
elif ! has "RX hint: VLAN tag"; then
	check_refused "RX hint: VLAN tag" "$bin/rx" -i "$a" --hints=vlan -d 1
	hints_run hash,timestamp
else
	hints_run all
fi
no_xdp "$a" "" "rx --hints done"
check_error 1 "generic mode" "$bin/rx" -i "$a" --hints -x generic
check_error 2 "--hints: 'hash,color' is not a list" "$bin/rx" -i "$a" \
	--hints=hash,color

section "tx -> fwd -> rx: fwd sends out of a second veth pair (--out), 2 queues"
n=30000
src=02:00:00:00:aa:01 dst=02:00:00:00:bb:02
# veth drops what its peer's ring has no room for, at each hop
d0=$(stat_b "$b" tx_dropped) d2=$(stat "$a2" tx_dropped)
"${T[@]}" "$bin/fwd" -i "$a" -o "$a2" -q 0-1 -w poll -n $n -d 25 >"$tmp/fwd" 2>&1 &
fwd=$!
pids+=("$fwd")
ip netns exec "$nsb" "${T[@]}" "$bin/rx" -i "$b2" -q 0-1 -w poll --verify --src-mac $dst \
	--dst-mac $src -n $n -d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "fwd attached no XDP program"
wait_xdp "$b2" "$nsb" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -q 0-1 --src-mac $src --dst-mac $dst -n $n \
	-r 30000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$fwd" 5
expect "fwd exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
sent_of "$tmp/tx" $n
fwd_rx=$(get "$tmp/fwd" rx_packets) fwd_tx=$(get "$tmp/fwd" tx_packets)
expect "fwd received + dropped + veth drops" \
	$((fwd_rx + $(get "$tmp/fwd" drops) + $(stat_b "$b" tx_dropped) - d0)) "$sent"
expect "fwd sent what it received" "$fwd_tx" "$fwd_rx"
expect "rx received + dropped + veth drops, MACs swapped" \
	$(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops) + $(stat "$a2" tx_dropped) - d2)) \
	"$fwd_tx"
[ "$(get "$tmp/rx" packets)" -gt 0 ] && ok "rx got $(get "$tmp/rx" packets) of $fwd_tx" ||
	bad "rx got none of $fwd_tx"
expect "rx frames failing --verify (MACs, payload)" "$(get "$tmp/rx" bad)" 0
no_xdp "$a" "" "fwd done"
no_xdp "$a2" "" "fwd done"
no_xdp "$b2" "$nsb" "rx done"

section "tx -> fwd, reflected back to the peer"
n=20000
before=$(stat_b "$b" rx_packets) d0=$(stat_b "$b" tx_dropped)
"${T[@]}" "$bin/fwd" -i "$a" -w poll -n $n -d 25 >"$tmp/fwd" 2>&1 &
fwd=$!
pids+=("$fwd")
wait_xdp "$a" "" || bad "fwd attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
finish "$fwd" 5
expect "fwd exit code" $? 0
# fwd's packets leave out what veth dropped on the way back (its
# if_tx_dropped); on the way in, the peer's tx_dropped counts them
sent_of "$tmp/tx" $n
expect "fwd forwarded + dropped + veth drops" \
	$(($(get "$tmp/fwd" packets) + $(get "$tmp/fwd" drops) + $(get "$tmp/fwd" if_tx_dropped) + $(stat_b "$b" tx_dropped) - d0)) "$sent"
expect "frames back at the peer" $(($(stat_b "$b" rx_packets) - before)) \
	"$(get "$tmp/fwd" packets)"

# A third veth pair, alone in its namespaces' traffic: jumbo frames, links
# taken down, a peer with IPv6 on. Created down, so that nothing crosses it
# before the check that wants it.
a3=${a%a}e b3=${a%a}f
ip link add "$a3" type veth peer name "$b3" netns "$nsb" || exit 1


section "options with a library counterpart: unaligned chunks, headroom"
n=3000
rxtx unaligned -i "$a" --unaligned -f 3000 --headroom 512 -w poll --verify -n $n -d 20 -- \
	-i "$b" --unaligned -f 3000 -l 1500 -n $n -r 30000 -d 10
sent_of "$tmp/unaligned.tx" $n
expect "rx with --unaligned -f 3000 --headroom 512: packets + drops" \
	$(($(get "$tmp/unaligned.rx" packets) + $(get "$tmp/unaligned.rx" drops))) "$sent"
expect "rx with --unaligned, --headroom: frames failing --verify" "$(get "$tmp/unaligned.rx" bad)" 0
expect "rx bytes: 1500 a frame" "$(get "$tmp/unaligned.rx" rx_bytes)" \
	$(($(get "$tmp/unaligned.rx" packets) * 1500))

section "jumbo frames: --multi-buffer, sizes from 60 to 9000"
ip link set "$a3" mtu 9000 up && in_b ip link set "$b3" mtu 9000 up || bad "MTU 9000"
if has "multi-buffer, XDP_USE_SG"; then
	r0=$(stat "$a3" rx_packets)
	"${T[@]}" "$bin/rx" -i "$a3" -M -w poll --verify -n 400 -d 25 --pcap "$tmp/jumbo.pcap" \
		>"$tmp/jumbo.rx" 2>&1 &
	rx=$!
	pids+=("$rx")
	wait_xdp "$a3" "" || bad "rx -M attached no XDP program"
	declare -A jsent
	total=0
	for len in 60 1514 4096 4097 9000; do
		in_b "${T[@]}" "$bin/tx" -i "$b3" -M -l $len -n 80 -r 20000 -d 10 >"$tmp/tx" 2>&1
		expect "tx -M -l $len: exit code" $? 0
		sent_of "$tmp/tx" 80
		jsent[$len]=$sent total=$((total + sent))
	done
	finish "$rx" 5
	expect "rx -M exit code" $? 0
	got=$(get "$tmp/jumbo.rx" packets)
	expect "rx -M: packets + drops" $((got + $(get "$tmp/jumbo.rx" drops))) $total
	expect "rx -M: packets + drops = the kernel's rx_packets" \
		$((got + $(get "$tmp/jumbo.rx" drops))) $(($(stat "$a3" rx_packets) - r0))
	expect "rx -M: frames failing --verify" "$(get "$tmp/jumbo.rx" bad)" 0
	pcap_read "$tmp/jumbo.pcap" >"$tmp/jumbo.recs"
	expect "rx -M --pcap: records" "$(head -n 1 "$tmp/jumbo.recs" | cut -d' ' -f3)" "$got"
	# Without a drop, every frame of each size is in the file.
	[ "$(get "$tmp/jumbo.rx" drops)" = 0 ] && for len in 60 1514 4096 4097 9000; do
		expect "rx -M --pcap: $len-byte frames" "$(grep -c "^$len " "$tmp/jumbo.recs")" "${jsent[$len]}"
	done
else
	check_refused "multi-buffer, XDP_USE_SG" "$bin/rx" -i "$a3" -M -d 1
	check_refused "multi-buffer, XDP_USE_SG" ip netns exec "$nsb" "$bin/tx" \
		-i "$b3" -M -l 9000 -n 10 -d 1
	no_xdp "$a3" "" "multi-buffer refused"
fi
ip link set "$a3" mtu 1500 && in_b ip link set "$b3" mtu 1500

section "traffic a NIC spreads: --flows, IPv6, VLAN; rx --pcap"
n=800
"${T[@]}" "$bin/rx" -i "$a" -w poll --verify -n $((2 * n)) -d 25 --pcap "$tmp/flows.pcap" \
	>"$tmp/flows.rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
total=0
for args in "--flows 8" "-6 --vlan 5 -l 200"; do
	# shellcheck disable=SC2086
	in_b "${T[@]}" "$bin/tx" -i "$b" $args -n $n -r 20000 -d 10 >"$tmp/tx" 2>&1
	expect "tx $args: exit code" $? 0
	sent_of "$tmp/tx" $n
	total=$((total + sent))
done
finish "$rx" 5
expect "rx exit code" $? 0
got=$(get "$tmp/flows.rx" packets)
expect "rx: packets + drops" $((got + $(get "$tmp/flows.rx" drops))) $total
expect "rx: IPv4 and IPv6 in VLAN 5 failing --verify" "$(get "$tmp/flows.rx" bad)" 0
pcap_read "$tmp/flows.pcap" >"$tmp/flows.recs"
read -r magic linktype records <"$tmp/flows.recs"
expect "pcap magic (microseconds)" "$magic" a1b2c3d4
expect "pcap link type (Ethernet)" "$linktype" 1
expect "pcap records = rx packets" "$records" "$got"
ports=$(awk 'NR > 1 && $2 == "0800" { print $3 }' "$tmp/flows.recs" | sort -u | tr '\n' ' ')
expect "--flows 8: UDP source ports" "$ports" "40000 40001 40002 40003 40004 40005 40006 40007 "
v6=$(awk 'NR > 1 && $2 == "86dd"' "$tmp/flows.recs" | wc -l)
[ "$(get "$tmp/flows.rx" drops)" = 0 ] && expect "-6 --vlan 5: IPv6 frames in a VLAN" "$v6" "$sent"
if command -v tcpdump >/dev/null 2>&1; then
	expect "tcpdump -r reads every record" \
		"$(tcpdump -nr "$tmp/flows.pcap" 2>/dev/null | wc -l)" "$got"
	expect "tcpdump: IPv6 UDP checksums" \
		"$(tcpdump -vvnr "$tmp/flows.pcap" 2>/dev/null | grep -c 'udp sum ok')" "$v6"
fi

section "pps over the time traffic flowed"
# rx waits a second and a half before the traffic, which then flows for
# two seconds at (at most) 10000 pps: its rate is that of the traffic, as
# tx measured it while sending, not diluted by the wait. Not a speed: on a
# slow machine both are lower.
"${T[@]}" "$bin/rx" -i "$a" -w poll -n 20000 -d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
sleep 1.5
in_b "${T[@]}" "$bin/tx" -i "$b" -n 20000 -r 10000 -d 15 >"$tmp/tx" 2>&1
finish "$rx" 5
pps=$(get "$tmp/rx" pps) txpps=$(get "$tmp/tx" pps)
[ "$pps" -gt $((txpps * 3 / 4)) ] && [ "$pps" -lt $((txpps * 5 / 4)) ] &&
	ok "rx pps while traffic flowed: $pps, tx sent $txpps a second (over $(get "$tmp/rx" active_seconds) of $(get "$tmp/rx" seconds) s)" ||
	bad "rx pps $pps, want tx's $txpps (+-25%): counted over $(get "$tmp/rx" active_seconds) of $(get "$tmp/rx" seconds) s"

section "tx counts what the kernel completed: a peer down, a link down"
in_b ip link set "$b3" up
ip link set "$a3" down
d0=$(stat_b "$b3" tx_dropped)
in_b "${T[@]}" "$bin/tx" -i "$b3" -n 1000 -d 10 >"$tmp/tx" 2>"$tmp/err"
expect "tx to a peer that is down: exit code" $? 0
dropped=$(($(stat_b "$b3" tx_dropped) - d0))
expect "the kernel's tx_dropped" $dropped 1000
expect "tx packets, all of them dropped" "$(get "$tmp/tx" packets)" 0
expect "tx's if_tx_dropped = the kernel's" "$(get "$tmp/tx" if_tx_dropped)" $dropped
grep -q "warning: $b3 has no carrier" "$tmp/err" && ok "tx warned: $(cat "$tmp/err")" ||
	bad "tx gave no warning of the missing carrier: $(cat "$tmp/err")"
grep -q "^tx: 1000 frames dropped by $b3 .*(its tx_dropped counter): it has no carrier" "$tmp/tx" &&
	ok "the drop explained: $(grep "dropped by" "$tmp/tx")" ||
	bad "the drop not explained: $(tail -n 2 "$tmp/tx")"
# The line a second says so too: nothing sent, all dropped.
in_b "${T[@]}" "$bin/tx" -i "$b3" -d 1.2 >"$tmp/tx" 2>/dev/null
line=$(grep '^tx  *1s' "$tmp/tx")
[[ $line == *"| TX         0 pps"* ]] && [[ $line != *"drop 0 "* ]] &&
	ok "tx's line a second: $line" || bad "tx's line a second: $line"
in_b ip link set "$b3" down
in_b "${T[@]}" "$bin/tx" -i "$b3" -n 64 -d 10 >"$tmp/tx" 2>"$tmp/err"
expect "tx on a link that is down: exit code" $? 1
expect "tx packets on a link that is down" "$(get "$tmp/tx" packets)" 0
grep -q "sending: the interface is down" "$tmp/err" && ok "tx said: $(tail -n 1 "$tmp/err")" ||
	bad "tx said: $(cat "$tmp/err")"

section "--verify says why: not ours (IPv6 neighbour discovery), corrupted"
# The peer end comes up with IPv6 on, as a fresh veth does: its stack sends
# multicast listener reports and neighbour solicitations.
# Its stack goes on sending for seconds: the peer goes down before rx is
# stopped, so that no frame arrives after rx has counted its last.
ip link set "$a3" up
r0=$(stat "$a3" rx_packets)
"${T[@]}" "$bin/rx" -i "$a3" --verify -w poll -d 25 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a3" "" || bad "rx attached no XDP program"
in_b sh -c "echo 0 >/proc/sys/net/ipv6/conf/$b3/disable_ipv6" && in_b ip link set "$b3" up
sleep 3
in_b ip link set "$b3" down
sleep 0.5
kill -INT "$rx"
wait "$rx"
got=$(get "$tmp/rx" packets)
expect "rx packets = the kernel's rx_packets" "$got" $(($(stat "$a3" rx_packets) - r0))
expect "rx: not ours = all it got" "$(get "$tmp/rx" not_ours)" "$got"
expect "rx: corrupted" "$(get "$tmp/rx" corrupt)" 0
grep -q "^rx: $got frames not ours (.*): the first was IPv6 ICMPv6 type" "$tmp/rx" &&
	ok "$(grep "not ours" "$tmp/rx")" || bad "no reason given: $(tail -n 2 "$tmp/rx")"
[ "${got:-0}" -gt 0 ] || bad "the peer's IPv6 stack sent nothing in 3 s"
# Frames tx made, checked for a destination MAC they don't have.
rxtx corrupt -i "$a" -w poll --verify --dst-mac 02:00:00:00:00:09 -n 100 -d 20 -- \
	-i "$b" -n 100 -r 10000 -d 10
expect "rx: corrupted (the wrong destination MAC)" "$(get "$tmp/corrupt.rx" corrupt)" 100
expect "rx: not ours" "$(get "$tmp/corrupt.rx" not_ours)" 0
grep -q "^rx: 100 frames corrupted (.*): in the first, byte 5 (destination MAC) is 0x02, want 0x09" \
	"$tmp/corrupt.rx" && ok "$(grep "corrupted" "$tmp/corrupt.rx")" ||
	bad "no reason given: $(tail -n 2 "$tmp/corrupt.rx")"

section "a drop is explained: which counter, what it means"
# Sixteen frames, and 1000 sent while rx is stopped: whatever the speed of
# either, the kernel takes at most 16 and drops the rest.
r0=$(stat "$a" rx_packets) d0=$(stat "$a" rx_dropped)
"${T[@]}" "$bin/rx" -i "$a" -w poll --frames 16 --fill-ring 16 --rx-ring 16 -d 25 \
	>"$tmp/drops.rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
sleep 0.5
# timeout(1) passes SIGINT on, not SIGSTOP: stop its child, rx itself
rxpid=$(awk -v p="$rx" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null)
kill -STOP "$rxpid" || bad "can't stop rx"
in_b "${T[@]}" "$bin/tx" -i "$b" -n 1000 -d 20 >"$tmp/drops.tx" 2>&1
expect "tx exit code" $? 0
sent_of "$tmp/drops.tx" 1000
kill -CONT "$rxpid"
finish "$rx" 2
expect "rx exit code" $? 0
drops=$(get "$tmp/drops.rx" drops)
expect "rx packets + drops = the kernel's rx_packets" \
	$(($(get "$tmp/drops.rx" packets) + drops)) $(($(stat "$a" rx_packets) - r0))
expect "rx drops = the kernel's rx_dropped" "$drops" $(($(stat "$a" rx_dropped) - d0))
got=$(get "$tmp/drops.rx" packets)
[ "$drops" -gt 0 ] && [ "$got" -le 16 ] && ok "rx got $got, dropped $drops while stopped" ||
	bad "rx got $got and dropped $drops with 16 frames, 1000 sent while it was stopped"
explained=0
for c in rx_ring_full rx_fill_empty; do
	v=$(get "$tmp/drops.rx" $c)
	[ "$v" = 0 ] && continue
	grep -q "^rx: $v frames dropped .*($c" "$tmp/drops.rx" &&
		ok "$c $v explained: $(grep "($c" "$tmp/drops.rx" | cut -c1-110)..." ||
		bad "$c $v not explained: $(tail -n 3 "$tmp/drops.rx")"
	explained=$((explained + v))
done
expect "the drops explained add up" $explained "$drops"

section "default CPUs: a receiver and a sender apart"
if [ "$(cpus "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)" | wc -w)" -lt 2 ]; then
	echo "     (one CPU: nothing to keep apart)"
else
	"$bin/rx" -i "$a" -w poll -d 4 >"$tmp/rx" 2>&1 &
	rx=$!
	pids+=("$rx")
	wait_xdp "$a" "" || bad "rx attached no XDP program"
	ip netns exec "$nsb" "$bin/tx" -i "$b" -r 1000 -d 3 >"$tmp/tx" 2>&1 &
	tx=$!
	pids+=("$tx")
	sleep 1
	rx_cpus=$(thread_cpus "$rx") tx_cpus=$(thread_cpus "$tx")
	shared=$(echo "$rx_cpus $tx_cpus" | tr ' ' '\n' | grep . | sort -n | uniq -d | tr '\n' ' ')
	[ -n "$rx_cpus" ] && [ -n "$tx_cpus" ] && [ -z "$shared" ] &&
		ok "rx's thread on CPUs ${rx_cpus% }, tx's on ${tx_cpus% }" ||
		bad "rx's thread may run on CPUs $rx_cpus, tx's on $tx_cpus: shared $shared"
	wait "$tx"
	wait "$rx"
	expect "rx's summary: cpus" "$(get "$tmp/rx" cpus)" "${rx_cpus% }"
fi

section "--json: a JSON object a line, from every tool"
rxtx json -i "$a" -w poll -n 300 -d 20 --json -- -i "$b" -n 300 -r 10000 -d 10 --json
"${T[@]}" "$bin/fwd" -i "$a" -o "$a2" -d 1.2 --json >"$tmp/json.fwd" 2>&1
for p in rx tx fwd; do
	json_ok "$tmp/json.$p" && ok "$p --json: $(wc -l <"$tmp/json.$p") lines, each an object" ||
		bad "$p --json: $(head -c 300 "$tmp/json.$p")"
done
expect "rx --json: packets" "$(jget "$tmp/json.rx" packets)" 300
expect "tx --json: packets" "$(jget "$tmp/json.tx" packets)" 300

section "pingpong: round trips in spin, poll and busy-poll modes"
"${T[@]}" "$bin/pingpong" -i "$a" --reflect -w poll -d 20 >"$tmp/reflect" 2>&1 &
refl=$!
pids+=("$refl")
wait_xdp "$a" "" || bad "pingpong --reflect attached no XDP program"
modes="spin poll busy-poll"
if ! has "preferred busy polling"; then
	check_refused "preferred busy polling" ip netns exec "$nsb" \
		"$bin/pingpong" -i "$b" -w busy-poll -n 10 -d 1
	modes="spin poll"
fi
for w in $modes; do
	t0=$(stat_b "$b" tx_packets) r0=$(stat_b "$b" rx_packets)
	in_b "${T[@]}" "$bin/pingpong" -i "$b" -w $w -n 2000 -t 200 -d 15 >"$tmp/ping" 2>&1
	expect "pingpong -w $w: exit code" $? 0
	replies=$(get "$tmp/ping" replies) lost=$(get "$tmp/ping" lost)
	expect "pingpong -w $w: replies + lost" $((replies + lost)) 2000
	expect "pingpong -w $w: pings = the kernel's tx_packets" \
		"$(get "$tmp/ping" packets)" $(($(stat_b "$b" tx_packets) - t0))
	expect "pingpong -w $w: frames back = the kernel's rx_packets" \
		$((replies + $(get "$tmp/ping" late) + $(get "$tmp/ping" other_frames))) \
		$(($(stat_b "$b" rx_packets) - r0))
	# a reply later than -t is lost: how many, a matter of speed
	[ "$replies" -gt 0 ] || bad "pingpong -w $w: no reply"
	rtts="$(get "$tmp/ping" rtt_min_us) $(get "$tmp/ping" rtt_p50_us) $(get "$tmp/ping" rtt_p99_us) $(get "$tmp/ping" rtt_p999_us) $(get "$tmp/ping" rtt_max_us)"
	echo "$rtts" | tr ' ' '\n' | sort -g -c 2>/dev/null && [ "$(echo "$rtts" | wc -w)" = 5 ] &&
		ok "pingpong -w $w: RTT min/p50/p99/p99.9/max $rtts us" ||
		bad "pingpong -w $w: RTTs out of order: $rtts"
	expect "pingpong -w $w: the histogram counts every reply" \
		"$(awk '/^ +[0-9.]+ to / { n += $4 } END { print n + 0 }' "$tmp/ping")" "$replies"
done
in_b "${T[@]}" "$bin/pingpong" -i "$b" -n 200 -t 200 --json >"$tmp/json.pingpong" 2>&1
json_ok "$tmp/json.pingpong" && ok "pingpong --json: each line an object" ||
	bad "pingpong --json: $(head -c 300 "$tmp/json.pingpong")"
grep -q '"rtt_hist":\[\[' "$tmp/json.pingpong" && ok "pingpong --json: with the histogram" ||
	bad "pingpong --json: no histogram"
kill -INT "$refl"
wait "$refl"
expect "pingpong --reflect exit code" $? 0
no_xdp "$a" "" "pingpong done"

section "several processes: the README's recipes"
# The README's shell block after "<!-- test: recipe NAME -->", run as
# written but for the tools' path, the interface, and a private bpffs and
# group; meanwhile tx sends on queues 0 and 1 from the peer. Each of the two
# receivers gets frames of its queue, both end cleanly, and nothing is left
# attached or pinned.
pins=$(mktemp -d /tmp/libxsk-pins-XXXXXX)
chmod 0711 "$pins"
recipe() {
	awk -v n="$1" '$0 == "<!-- test: recipe " n " -->" { f = 1; next }
		f && /^```sh$/ { p = 1; next }
		p && /^```$/ { exit }
		p' "$(dirname "$0")/../README.md" |
		sed -e "s|xsk-\([a-z]*\)|$bin/\1|g" -e "s|eth0|$a|g" \
			-e "s|/run/xsk|$pins|g" -e "s|xdpusers|4242|g"
}
run_recipe() {
	local name=$1 pid rc
	recipe "$name" >"$tmp/recipe.sh"
	[ -s "$tmp/recipe.sh" ] || { bad "README has no recipe $name"; return; }
	"${T[@]}" bash -e "$tmp/recipe.sh" >"$tmp/recipe.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_xdp "$a" "" || bad "recipe $name: no XDP program attached"
	sleep 2
	in_b "${T[@]}" "$bin/tx" -i "$b" -q 0-1 -r 20000 -d 3 >"$tmp/tx" 2>&1
	expect "recipe $name: tx exit code" $? 0
	wait "$pid"
	rc=$?
	expect "recipe $name: exit code" $rc 0
	expect "recipe $name: receivers that ended with a summary" \
		"$(grep -c '^rx: summary' "$tmp/recipe.out")" 2
	for q in 0 1; do
		n=$(sed -n "s/^rx: summary.* queues=$q-$q .* packets=\([0-9]*\).*/\1/p" \
			"$tmp/recipe.out")
		[ "${n:-0}" -gt 0 ] && ok "recipe $name: queue $q received $n" ||
			bad "recipe $name: queue $q received nothing: $(tail -n 3 "$tmp/recipe.out")"
	done
	no_xdp "$a" "" "recipe $name"
	# (a bpffs shows the kernel's maps.debug and progs.debug)
	left=$(ls -A "$pins" 2>/dev/null | grep -v '\.debug$')
	[ -z "$left" ] && ok "recipe $name: nothing left pinned" ||
		bad "recipe $name: pins left: $left"
}
run_recipe join
# The pinned-map recipe's worker has no CAP_BPF: before 6.5, with
# kernel.unprivileged_bpf_disabled set (Debian's default), the kernel refuses
# it every bpf(2) command, opening a pinned map too.
if ! kernel_at_least 6 5 &&
	[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)" != 0 ]; then
	ok "recipe pinned-map: not before 6.5 with unprivileged BPF disabled ($(uname -r))"
else
	run_recipe pinned-map
fi
mountpoint -q "$pins" && umount "$pins"
rmdir "$pins"

section "tx -> worker: an unprivileged worker, replaced every second"
# The supervisor hands the socket to a worker running as nobody, and every
# second the worker hands it on to a new one (Linux 6.4; before, one worker
# throughout): every frame is received by one of them or counted as
# dropped, by the socket or by veth.
n=40000
d0=$(stat_b "$b" tx_dropped) r0=$(stat "$a" rx_packets)
restart=1
kernel_at_least 6 4 || restart=0
# The program is attached before the worker has bound the socket and the
# supervisor put it in the map: tx starts once the supervisor says the
# worker receives, and the worker runs until told to stop (SIGINT), at
# least 4 s (3 hand-overs), however slow the machine.
"${T[@]}" "$bin/worker" -i "$a" --restart $restart -d 25 >"$tmp/worker" 2>&1 &
wk=$!
pids+=("$wk")
for _ in $(seq 400); do
	grep -q "receives on $a" "$tmp/worker" && break
	kill -0 "$wk" 2>/dev/null || break
	sleep 0.05
done
grep -q "receives on $a" "$tmp/worker" && ok "the worker receives" ||
	bad "the worker did not start: $(cat "$tmp/worker")"
t0=$SECONDS
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -r 20000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
sent_of "$tmp/tx" $n
sleep $((t0 + 5 - SECONDS > 1 ? t0 + 5 - SECONDS : 1))
kill -INT "$wk"
finish "$wk" 10
expect "worker exit code" $? 0
veth=$(($(stat_b "$b" tx_dropped) - d0))
got=$(sed -n 's/^total: \([0-9]*\) frames.*/\1/p' "$tmp/worker")
drops=$(sed -n 's/^total: .*, \([0-9]*\) dropped.*/\1/p' "$tmp/worker")
handed=$(grep -c "then handed the socket over" "$tmp/worker")
echo "     workers received $got, the socket dropped $drops, veth dropped $veth; $handed hand-overs"
# the stacks' own few frames arrive on the queue too: count by the kernel
expect "worker frames + socket drops = the kernel's rx_packets" \
	$((${got:-0} + ${drops:-0})) $(($(stat "$a" rx_packets) - r0))
[ $((${got:-0} + ${drops:-0} + veth)) -ge "$sent" ] &&
	ok "every frame sent received or counted as dropped" ||
	bad "workers $got + socket drops $drops + veth drops $veth < $sent sent"
if [ $restart = 1 ]; then
	[ "$handed" -ge 3 ] && ok "the socket changed hands $handed times" ||
		bad "only $handed hand-overs: $(cat "$tmp/worker")"
else
	ok "no hand-over before Linux 6.4 ($(uname -r))"
fi
grep -q "(uid $(id -u nobody))" "$tmp/worker" && ok "the workers ran as nobody" ||
	bad "workers not as nobody: $(head -n 3 "$tmp/worker")"
no_xdp "$a" "" "worker done"

section "SIGINT and SIGTERM mid-run"
# stop_mid SIGNAL NS IF CMD...: start, wait for its program, signal it.
stop_mid() {
	local sig=$1 ns=$2 ifname=$3 pid rc
	shift 3
	"$@" >"$tmp/out" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_xdp "$ifname" "$ns" || bad "$*: no XDP program attached"
	sleep 1.2
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	expect "${*#"$bin/"}, SIG$sig: exit code" $rc 0
	grep -q "summary prog=" "$tmp/out" && ok "summary printed" ||
		bad "no summary: $(tail -n 2 "$tmp/out")"
	grep -q "^[a-z]* *1s RX" "$tmp/out" && ok "per-second line printed" ||
		bad "no per-second line: $(head -n 2 "$tmp/out")"
	no_xdp "$ifname" "$ns" "after SIG$sig"
}
stop_mid INT "" "$a" timeout -s KILL 30 "$bin/rx" -i "$a"
stop_mid TERM "" "$a" timeout -s KILL 30 "$bin/fwd" -i "$a" -o "$a2" -q 0-1
stop_mid INT "$nsb" "$b" timeout -s KILL 30 ip netns exec "$nsb" \
	"$bin/tx" -i "$b" --pass-prog -r 100000

check_missing
if [ $failed -gt 0 ]; then
	echo "check-examples: $failed check(s) failed"
	exit 1
fi
echo "check-examples: all passed"
