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
. "$(dirname "$0")/nspair.sh"
if why=$(nspair_unusable); then
	echo "SKIP: this real-kernel test $why"
	exit 77
fi
id=$(nspair_id x)
ns_a=libxsk-$id-a ns_b=libxsk-$id-b
if_a=${id}a if_b=${id}b
pid=
cleanup() {
	rc=$?
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	# nothing of this run may outlive it
	if ! nspair_down; then
		echo "FAIL: namespaces libxsk-$id-* are still there"
		exit 1
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nspair_up -q "${XSK_QUEUES:-2}" "$ns_a" "$if_a" "$ns_b" "$if_b"
case $? in
0) ;;
2)
	echo "SKIP: cannot create network namespaces here"
	exit 77
	;;
3)
	echo "SKIP: cannot create a veth pair here"
	exit 77
	;;
*) exit 1 ;;
esac

XSK_IF=$if_a XSK_PEER_IF=$if_b XSK_NS=$ns_a XSK_PEER_NS=$ns_b \
	ip netns exec "$ns_a" "$@" &
pid=$!
wait "$pid"
rc=$?
pid=
exit $rc
