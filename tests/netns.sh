#!/bin/bash
# SPDX-License-Identifier: MIT
# netns.sh PROGRAM [ARGS...]: run PROGRAM inside a private network namespace
# that holds one end of a veth pair; the other end is in a second private
# namespace. Both are named uniquely for this run and removed on every exit
# path. The veth pair has XSK_QUEUES queues (default 2).
#
# PROGRAM sees XSK_IF (its end), XSK_PEER_NS and XSK_PEER_IF (the other end,
# to send from), and XSK_NS (its own namespace).
# Exits 77 (skipped) with one line saying why when the machine can't do this.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: real-kernel tests need root (network namespaces, AF_XDP, BPF)"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: real-kernel tests need iproute2 (apt-get install iproute2)"
	exit 77
fi
id=$(printf 'x%04x%04x' $$ $RANDOM)
ns_a=libxsk-$id-a ns_b=libxsk-$id-b
if_a=${id}a if_b=${id}b
queues=${XSK_QUEUES:-2}
pid=
cleanup() {
	rc=$?
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	# nothing of this run may outlive it
	if ip netns list 2>/dev/null | grep -q "libxsk-$id-"; then
		echo "FAIL: namespaces libxsk-$id-* are still there"
		exit 1
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! ip netns add "$ns_a" 2>/dev/null || ! ip netns add "$ns_b"; then
	echo "SKIP: cannot create network namespaces here"
	exit 77
fi
if ! ip -n "$ns_a" link add "$if_a" numtxqueues "$queues" \
	numrxqueues "$queues" type veth peer name "$if_b" netns "$ns_b" \
	numtxqueues "$queues" numrxqueues "$queues"; then
	echo "SKIP: cannot create a veth pair here"
	exit 77
fi
ip -n "$ns_a" link set "$if_a" up && ip -n "$ns_b" link set "$if_b" up &&
	ip -n "$ns_a" link set lo up || exit 1

XSK_IF=$if_a XSK_PEER_IF=$if_b XSK_NS=$ns_a XSK_PEER_NS=$ns_b \
	ip netns exec "$ns_a" "$@" &
pid=$!
wait "$pid"
rc=$?
pid=
exit $rc
