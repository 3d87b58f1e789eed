#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh [BINDIR] [SECONDS]: see the examples run. Makes two private network
# namespaces joined by a veth pair, runs rx on one end and tx flat out on the
# other for SECONDS (default 3), shows their per-second lines, then what was
# sent, received and dropped. Everything it makes is removed on every exit,
# Ctrl-C included. Frames never leave the two namespaces.
set -u
bindir=${1:-build/examples}
secs=${2:-3}

. "$(dirname "$0")/../tests/nspair.sh"
if why=$(nspair_unusable "sudo make demo"); then
	echo "demo: $why" >&2
	exit 1
fi
for p in rx tx; do
	[ -x "$bindir/$p" ] || {
		echo "demo: $bindir/$p is missing: run make examples" >&2
		exit 1
	}
done

id=$(nspair_id demo)
ns_rx=libxsk-$id-rx ns_tx=libxsk-$id-tx
rx_pid=
out=$(mktemp -d)
cleanup() {
	[ -n "$rx_pid" ] && kill -KILL "$rx_pid" 2>/dev/null
	nspair_down
	rm -rf "$out"
}
trap cleanup EXIT
trap 'echo "demo: interrupted, cleaning up"; exit 130' INT
trap 'exit 143' TERM

# No IPv6 on the new links (-6): no router solicitations or MLD reports
# among the frames rx counts.
nspair_up -6 "$ns_rx" xsk-rx "$ns_tx" xsk-tx || exit 1

# Two CPUs or more: one each, so that neither loop steals the other's.
pin_rx= pin_tx=
if [ "$(nproc)" -ge 2 ]; then
	pin_rx='-C 1' pin_tx='-C 0'
fi

# rx gets deep rings: they ride out the moments its thread is not running.
rx_cmd="$bindir/rx -i xsk-rx $pin_rx --verify --frames 8192 --fill-ring 4096 --rx-ring 4096"
tx_cmd="$bindir/tx -i xsk-tx $pin_tx -d $secs"
echo "demo: in namespace $ns_rx: $rx_cmd"
echo "demo: in namespace $ns_tx: $tx_cmd"
# rx runs until interrupted, like a user would stop it (and no longer
# than --duration all the same); its output is copied for the figures.
ip netns exec "$ns_rx" $rx_cmd -d $((secs + 10)) > >(tee "$out/rx") &
rx_pid=$!
# Its XDP program on the link means it is ready to receive.
for _ in $(seq 50); do
	ip -n "$ns_rx" link show xsk-rx | grep -q ' xdp' && break
	sleep 0.1
done
ip netns exec "$ns_tx" $tx_cmd > >(tee "$out/tx")
sleep 0.5
kill -INT "$rx_pid" 2>/dev/null
wait "$rx_pid"
rx_pid=
# The tee processes are done once their input is closed.
wait

field() { sed -n "s/.*summary.* $2=\([^ ]*\).*/\1/p" "$out/$1"; }
sent=$(field tx packets) received=$(field rx packets)
dropped=$(field rx drops) bad=$(field rx bad)
if [ -z "$sent" ] || [ -z "$received" ]; then
	echo "demo: no summary from tx or rx: see their messages above" >&2
	exit 1
fi
echo
echo "demo: sent $sent ($(field tx pps) pps), received $received, dropped $dropped (counted by the kernel), malformed $bad"
echo "demo: AF_XDP in $(field rx mode) mode, XDP program in $(field rx xdp) mode"
lost=$((sent - received - dropped))
if [ "$lost" -gt 0 ]; then
	echo "demo: $lost not seen by rx: in flight when it stopped, or dropped by veth (ip -s link)"
fi
exit 0
