# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# nspair.sh: two private network namespaces joined by a veth pair, the
# ground that tests/netns.sh, examples/demo.sh and bench/packet.sh stand
# on. Sourced by bash; it only defines functions. Whoever calls nspair_up
# calls nspair_down on every exit path (an EXIT trap).
#
#   nspair_unusable [HINT]
#                     prints why this machine can't make them (not root, then
#                     followed by ": HINT" if given; no ip command) and
#                     returns 0; returns 1 when it can
#   nspair_id PREFIX  a name unique to this run: PREFIX, the pid, a random
#                     number, in hex
#   nspair_up [-q QUEUES] [-6] NS_A IF_A NS_B IF_B
#                     makes namespaces NS_A and NS_B and a veth pair, IF_A
#                     in NS_A and IF_B in NS_B, with QUEUES queues each way
#                     if given; with -6, IPv6 off in both namespaces first,
#                     so that the new links stay quiet; brings both ends and
#                     the loopbacks up. Returns 0; 2 if the namespaces can't
#                     be made here, 3 if the veth pair can't; 1 if a later
#                     step failed (ip said why on stderr)
#   nspair_down       removes both namespaces (anything in them goes too);
#                     returns 1 if one is still there afterwards

nspair_ns=

nspair_unusable() {
	if [ "$(id -u)" != 0 ]; then
		echo "needs root (network namespaces, AF_XDP, BPF)${1:+: $1}"
	elif ! command -v ip >/dev/null 2>&1; then
		echo "needs the ip command (apt-get install iproute2, or dnf install iproute)"
	else
		return 1
	fi
	return 0
}

nspair_id() {
	printf '%s%04x%04x' "$1" $$ $RANDOM
}

nspair_up() {
	local queues='' noipv6='' ns_a if_a ns_b if_b ns q=()
	while [ $# -gt 4 ]; do
		case $1 in
		-q) queues=$2 && shift ;;
		-6) noipv6=1 ;;
		*) break ;;
		esac
		shift
	done
	ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
	nspair_ns="$ns_a $ns_b"
	if [ -n "$queues" ]; then
		q=(numtxqueues "$queues" numrxqueues "$queues")
	fi
	ip netns add "$ns_a" 2>/dev/null && ip netns add "$ns_b" || return 2
	if [ -n "$noipv6" ]; then
		for ns in "$ns_a" "$ns_b"; do
			ip netns exec "$ns" sh -c \
				'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' \
				2>/dev/null
		done
	fi
	ip -n "$ns_a" link add "$if_a" "${q[@]}" type veth peer name "$if_b" \
		netns "$ns_b" "${q[@]}" || return 3
	ip -n "$ns_a" link set "$if_a" up && ip -n "$ns_b" link set "$if_b" up &&
		ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up
}

nspair_down() {
	local ns left=0
	for ns in $nspair_ns; do
		ip netns del "$ns" 2>/dev/null
	done
	for ns in $nspair_ns; do
		if ip netns list 2>/dev/null | cut -d' ' -f1 | grep -qxF "$ns"; then
			left=1
		fi
	done
	return $left
}
