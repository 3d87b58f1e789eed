#!/bin/bash
# SPDX-License-Identifier: MIT
# check-examples.sh BINDIR: the example programs, run for real. Run by
# tests/netns.sh, inside namespace XSK_NS with XSK_IF; the veth peer
# XSK_PEER_IF is in XSK_PEER_NS. A second veth pair (XSK_IF2 here, XSK_PEER_IF2
# there) is made for fwd --out; it goes away with the namespaces.
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
#   --help, bad options    clear one-line errors, exit codes 2 and 1
#   SIGINT, SIGTERM        exit 0, summary printed, no XDP program left
#
# Each traffic run is bounded by the programs' own --count and --duration
# and by timeout(1). Frames stay inside the two namespaces.
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
get() {
	local sel="summary"
	[ $# -gt 2 ] && sel="queue=$3"
	sed -n "s/^[a-z]*: $sel.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
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
stat() { cat "/sys/class/net/$1/statistics/$2"; }
stat_b() { in_b cat "/sys/class/net/$1/statistics/$2"; }

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

echo "--- --help and bad options"
for p in rx tx fwd; do
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
check_error 1 'no interface named "nosuch0"' "$bin/rx" -i nosuch0
check_error 1 "zero-copy" "$bin/rx" -i "$a" -m zero-copy
check_error 1 "queue 7 does not exist" "$bin/fwd" -i "$a" -q 7
no_xdp "$a" "" "after the errors"

# A frame lost between the two ends is either dropped by the socket (the
# kernel's xsk statistics; veth counts these in the receiver's rx_dropped
# too) or by veth on the way (the sender's tx_dropped).
echo "--- tx -> rx, one queue, native XDP, flat out"
n=50000
d0=$(stat_b "$b" tx_dropped)
"${T[@]}" "$bin/rx" -i "$a" -w poll --verify -n $n -d 15 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
veth=$(($(stat_b "$b" tx_dropped) - d0))
expect "tx packets" "$(get "$tmp/tx" packets)" $n
got=$(get "$tmp/rx" packets) drops=$(get "$tmp/rx" drops)
echo "     rx received $got, the socket dropped $drops, veth dropped $veth (tx $(get "$tmp/tx" pps) pps)"
expect "rx packets + socket drops + veth drops" $((got + drops + veth)) $n
[ "$got" -gt $((n / 2)) ] && ok "rx got most of them" || bad "rx got only $got of $n"
expect "rx frames failing --verify" "$(get "$tmp/rx" bad)" 0
expect "rx mode" "$(get "$tmp/rx" mode)" copy
expect "rx XDP mode" "$(get "$tmp/rx" xdp)" native
expect "tx XDP mode" "$(get "$tmp/tx" xdp)" none
no_xdp "$a" "" "rx done"

# veth hands a frame sent on queue q to the peer's queue q in native mode.
echo "--- tx -> rx, queues 0-1, one thread each, shared UMEM, rate limited"
n=40000
"${T[@]}" "$bin/rx" -i "$a" -q 0-1 --shared-umem -w poll --verify -n $n \
	-d 15 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -q 0-1 -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
expect "tx packets" "$(get "$tmp/tx" packets)" $n
expect "rx packets + drops" $(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops))) $n
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
echo "--- tx -> rx, generic XDP, need_wakeup off, busy-poll"
n=20000
"${T[@]}" "$bin/rx" -i "$a" -x generic -W -w busy-poll --verify -n $n \
	-d 15 >"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
expect "rx XDP mode" "$(get "$tmp/rx" xdp)" generic
expect "rx packets + drops" $(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops))) $n
expect "rx frames failing --verify" "$(get "$tmp/rx" bad)" 0
no_xdp "$a" "" "rx done"

# The hints veth gives: the flow hash of the frame's socket buffer (of type
# none here: the peer's AF_XDP transmit path hashed it before it was IP),
# no tag, and a timestamp (0: veth has no clock of its own).
echo "--- tx -> rx --hints, native XDP, 2 queues"
n=5000
"${T[@]}" "$bin/rx" -i "$a" -q 0-1 --hints --dump 1 -w poll -n $n -d 15 \
	>"$tmp/rx" 2>&1 &
rx=$!
pids+=("$rx")
wait_xdp "$a" "" || bad "rx attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -q 0-1 -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
expect "tx exit code" $? 0
finish "$rx" 5
expect "rx exit code" $? 0
# hget KEY: a value from rx's hints line
hget() { sed -n "s/^rx: hints.* $1=\([^ ]*\).*/\1/p" "$tmp/rx" | head -n 1; }
got=$(get "$tmp/rx" packets)
expect "records, one per frame" "$(hget records)" "$got"
expect "frames without a record" "$(hget no_record)" 0
expect "frames with a timestamp" "$(hget timestamps)" "$got"
expect "untagged frames" "$(hget untagged)" "$got"
hashed=$(sed -n 's/^rx: hints//p' "$tmp/rx" | tr ' ' '\n' |
	awk -F= '/^hash_/ { s += $2 } END { print s + 0 }')
expect "frames counted by hash type" "$hashed" "$got"
grep -q "^  hints: hash 0x[0-9a-f]\{8\} (" "$tmp/rx" &&
	ok "--dump prints the hints: $(grep -m 1 '^  hints:' "$tmp/rx")" ||
	bad "--dump printed no hints: $(head -n 3 "$tmp/rx")"
no_xdp "$a" "" "rx --hints done"
check_error 1 "generic mode" "$bin/rx" -i "$a" --hints -x generic
check_error 2 "--hints: 'hash,color' is not a list" "$bin/rx" -i "$a" \
	--hints=hash,color

echo "--- tx -> fwd -> rx: fwd sends out of a second veth pair (--out), 2 queues"
n=30000
src=02:00:00:00:aa:01 dst=02:00:00:00:bb:02
"${T[@]}" "$bin/fwd" -i "$a" -o "$a2" -q 0-1 -w poll -n $n -d 15 >"$tmp/fwd" 2>&1 &
fwd=$!
pids+=("$fwd")
ip netns exec "$nsb" "${T[@]}" "$bin/rx" -i "$b2" -q 0-1 -w poll --verify --src-mac $dst \
	--dst-mac $src -n $n -d 15 >"$tmp/rx" 2>&1 &
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
expect "tx packets" "$(get "$tmp/tx" packets)" $n
fwd_rx=$(get "$tmp/fwd" rx_packets) fwd_tx=$(get "$tmp/fwd" tx_packets)
expect "fwd received + dropped" $((fwd_rx + $(get "$tmp/fwd" drops))) $n
expect "fwd sent what it received" "$fwd_tx" "$fwd_rx"
expect "rx received + dropped, MACs swapped" \
	$(($(get "$tmp/rx" packets) + $(get "$tmp/rx" drops))) "$fwd_tx"
[ "$(get "$tmp/rx" packets)" -gt $((n / 2)) ] && ok "rx got most of them" ||
	bad "rx got only $(get "$tmp/rx" packets) of $n"
expect "rx frames failing --verify (MACs, payload)" "$(get "$tmp/rx" bad)" 0
no_xdp "$a" "" "fwd done"
no_xdp "$a2" "" "fwd done"
no_xdp "$b2" "$nsb" "rx done"

echo "--- tx -> fwd, reflected back to the peer"
n=20000
before=$(stat_b "$b" rx_packets)
"${T[@]}" "$bin/fwd" -i "$a" -w poll -n $n -d 15 >"$tmp/fwd" 2>&1 &
fwd=$!
pids+=("$fwd")
wait_xdp "$a" "" || bad "fwd attached no XDP program"
in_b "${T[@]}" "$bin/tx" -i "$b" -n $n -r 40000 -d 15 >"$tmp/tx" 2>&1
finish "$fwd" 5
expect "fwd exit code" $? 0
expect "fwd forwarded + dropped" \
	$(($(get "$tmp/fwd" packets) + $(get "$tmp/fwd" drops))) $n
expect "frames back at the peer" $(($(stat_b "$b" rx_packets) - before)) \
	"$(get "$tmp/fwd" packets)"

echo "--- SIGINT and SIGTERM mid-run"
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

if [ $failed -gt 0 ]; then
	echo "check-examples: $failed check(s) failed"
	exit 1
fi
echo "check-examples: all passed"
