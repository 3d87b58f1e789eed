#!/bin/bash
# SPDX-License-Identifier: MIT
# packet.sh [BUILDDIR]: packet rate and cost per packet of the examples'
# engines over veth, side by side with libxdp's. Run by `make bench` (root).
#
# Makes two private network namespaces joined by a veth pair (one queue),
# named uniquely for this run and removed on every exit, Ctrl-C included.
# Traffic comes from bench/livegen (BPF_PROG_RUN live frames, XDP_TX) on
# CPU 0 in one namespace; the engine under test runs on CPU 1 in the
# other. Every run is bounded in seconds; nothing asserts on speed. Each
# run waits (up to 30 s) for other processes to leave the CPUs alone.
#
# Scenarios, each run BENCH_RUNS times (3), libxsk and libxdp alternately:
#   ceiling      livegen into a bare XDP_DROP: what the sender delivers
#   rxdrop       rx, spinning (need_wakeup: a syscall only when asked)
#   rxdrop-poll  rx sleeping in poll() when idle
#   rx-samecore  rx with poll() on the sender's CPU
#   txonly       tx flat out, no sender (the peer's stack drops the frames)
#   l2fwd        fwd: swaps MACs, sends each frame back out
#
# Figures, medians of the runs:
#   Mpps         packets the engine handled per second of sending
#   cpu          the engine's CPU seconds per million packets over the
#                sending window (run time from /proc/PID/task/*/schedstat)
#   usr/sys      the same split into user and system time (utime and stime
#                from /proc/PID/stat: sampled at the timer tick)
#   sysc/pkt     wake-up syscalls (sendto, recvfrom, poll) per packet,
#                counted exactly in the engine by bench/syscount.so
#   drop         the socket's kernel drop counters (XDP_STATISTICS)
#   lost         sent by livegen but neither received nor counted as
#                dropped by the socket: dropped by veth (its ring was full)
#
# Environment: BENCH_SCENARIOS (all), BENCH_SECONDS (3) per run, BENCH_RUNS (3), BENCH_JSON (the
# JSON lines file, default BUILDDIR/bench/results.json).
set -u
bindir=${1:-build}
secs=${BENCH_SECONDS:-3}
runs=${BENCH_RUNS:-3}
json=${BENCH_JSON:-$bindir/bench/results.json}
gen=$bindir/bench/livegen
shim=$(realpath "$bindir/bench/syscount.so" 2>/dev/null)
xdpe=$bindir/bench/xdp_engine

. "$(dirname "$0")/../tests/nspair.sh"
if why=$(nspair_unusable "sudo make bench"); then
	echo "packet bench: skipped: $why"
	exit 0
fi
for f in "$bindir/examples/rx" "$bindir/examples/tx" "$bindir/examples/fwd" \
	"$gen" "$shim"; do
	[ -e "$f" ] || {
		echo "packet bench: $f is missing: run make bench" >&2
		exit 1
	}
done
libs=libxsk
if [ -x "$xdpe" ]; then
	libs="libxsk libxdp"
else
	echo "packet bench: libxdp's development files are not installed (<xdp/xsk.h>, pkg-config libxdp): comparing nothing (Debian: apt-get install libxdp-dev libbpf-dev)"
fi

if [ "$(nproc)" -ge 2 ]; then
	cpu_gen=0 cpu_eng=1
else
	cpu_gen=0 cpu_eng=0
	echo "packet bench: one CPU only: sender and engine share it"
fi
hz=$(getconf CLK_TCK)

id=$(nspair_id bench)
ns_rx=libxsk-$id-rx ns_tx=libxsk-$id-tx
if_rx=bxrx if_tx=bxtx
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	nspair_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "packet bench: interrupted, cleaning up"; exit 130' INT
trap 'exit 143' TERM

nspair_up -6 "$ns_rx" "$if_rx" "$ns_tx" "$if_tx" || exit 1
# A spare veth end, down, for livegen --park: holding its program there
# spares each BPF_PROG_RUN call two RCU grace periods (see livegen.c).
ip -n "$ns_tx" link add bxpark type veth peer name bxpark1 || exit 1

now() { date +%s.%N; }

# A process's CPU time, all its threads together: user and system clock
# ticks (sampled at the timer tick), and run time in ns (exact, from the
# scheduler).
cpu_ticks() {
	local ns
	ns=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }')
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk -v ns="$ns" '{ print $12, $13, ns }'
}

# How busy the machine is apart from us: per cent of all CPU time not idle,
# over @1 seconds.
busy_pct() {
	local a b
	a=$(awk '/^cpu / { print $2+$3+$4+$6+$7+$8, $5 }' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu / { print $2+$3+$4+$6+$7+$8, $5 }' /proc/stat)
	echo "$a $b" | awk '{ u = $3 - $1; i = $4 - $2; printf "%.0f", u + i ? 100 * u / (u + i) : 0 }'
}

# Before each run: wait (up to 30 s) until other processes leave the CPUs
# alone, since a receiver that loses its core for one time slice (a few
# ms) overflows its rings and the run measures the scheduler instead.
noisy=0
quiet() {
	local b
	for _ in $(seq 60); do
		b=$(busy_pct 0.5)
		[ "$b" -le 10 ] && return 0
	done
	noisy=$((noisy + 1))
	echo "packet bench: the CPUs are ${b}% busy with other work; measuring anyway"
}

field() { sed -n "s/.*summary.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

wait_xdp() {
	for _ in $(seq 100); do
		ip -n "$ns_rx" link show "$if_rx" | grep -q ' xdp' && return 0
		sleep 0.05
	done
	return 1
}

# Nothing left attached (a crashed engine's netlink-attached program would
# stay): the next engine must find the interface bare.
bare_link() {
	if ip -n "$ns_rx" link show "$if_rx" | grep -q ' xdp'; then
		ip -n "$ns_rx" link set "$if_rx" xdp off 2>/dev/null
		sleep 0.2
	fi
}

# engine_cmd LIB SCENARIO: the engine's command line (without -d).
engine_cmd() {
	local ex=$bindir/examples w= c=$cpu_eng
	case $2 in
	rxdrop-poll) w=poll ;;
	rx-samecore) w=poll c=$cpu_gen ;;
	esac
	case $1:$2 in
	libxsk:rx*) echo "$ex/rx -i $if_rx -x native -C $c${w:+ -w $w}" ;;
	libxsk:txonly) echo "$ex/tx -i $if_tx -C $c" ;;
	libxsk:l2fwd) echo "$ex/fwd -i $if_rx -x native -C $c" ;;
	libxdp:rx*) echo "$xdpe rx -i $if_rx -C $c${w:+ -w $w}" ;;
	libxdp:txonly) echo "$xdpe tx -i $if_tx -C $c" ;;
	libxdp:l2fwd) echo "$xdpe fwd -i $if_rx -C $c" ;;
	esac
}

# ceiling REP: livegen into a bare XDP_DROP.
ceiling() {
	local pid
	bare_link
	quiet
	ip netns exec "$ns_rx" "$gen" --drop "$if_rx" -d $((secs + 10)) \
		>/dev/null &
	pid=$!
	pids+=("$pid")
	wait_xdp || { echo "packet bench: XDP_DROP did not attach" >&2; exit 1; }
	ip netns exec "$ns_tx" "$gen" -i "$if_tx" --park bxpark -d "$secs" -C "$cpu_gen" \
		>"$tmp/gen" || exit 1
	kill -INT "$pid"
	wait "$pid"
	echo "ceiling bpf $1 $(field "$tmp/gen" pps |
		awk '{ printf "%.3f", $1 / 1e6 }') - - - - - - -" >>"$tmp/res"
}

# run LIB SCENARIO REP: one run; appends a line to $tmp/res.
run() {
	local lib=$1 sc=$2 rep=$3 ns=$ns_rx cmd pid c0 c1 t0 t1 pk gp gs
	local mpps usr sys calls drops fe lost win
	[ "$sc" = txonly ] && ns=$ns_tx
	bare_link
	cmd=$(engine_cmd "$lib" "$sc")
	quiet
	rm -f "$tmp/sc"
	# shellcheck disable=SC2086
	ip netns exec "$ns" env LD_PRELOAD="$shim" BENCH_SYSCOUNT="$tmp/sc" \
		$cmd -d $((secs + 10)) >"$tmp/eng" 2>&1 &
	pid=$!
	pids+=("$pid")
	if [ "$sc" = txonly ]; then
		sleep 0.5
	elif ! wait_xdp; then
		echo "packet bench: $lib $sc: the engine did not start:" >&2
		cat "$tmp/eng" >&2
		exit 1
	fi
	sleep 0.2
	read -r c0u c0s c0n < <(cpu_ticks "$pid")
	t0=$(now)
	if [ "$sc" = txonly ]; then
		sleep "$secs"
	else
		ip netns exec "$ns_tx" "$gen" -i "$if_tx" --park bxpark -d "$secs" \
			-C "$cpu_gen" >"$tmp/gen" || exit 1
	fi
	read -r c1u c1s c1n < <(cpu_ticks "$pid")
	t1=$(now)
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	if ! grep -q 'summary' "$tmp/eng"; then
		echo "packet bench: $lib $sc: no summary from the engine:" >&2
		cat "$tmp/eng" >&2
		exit 1
	fi
	pk=$(field "$tmp/eng" packets)
	drops=$(field "$tmp/eng" drops)
	fe=$(field "$tmp/eng" rx_fill_empty)
	calls=$(awk -F'[= ]' '{ print $2 + $4 + $6 }' "$tmp/sc" 2>/dev/null)
	if [ "$sc" = txonly ]; then
		# Sending all along: its rate, and the packets of the window.
		mpps=$(field "$tmp/eng" pps | awk '{ printf "%.3f", $1 / 1e6 }')
		win=$(echo "$mpps $t0 $t1" | awk '{ printf "%.0f", $1 * 1e6 * ($3 - $2) }')
		lost=-
	else
		gp=$(field "$tmp/gen" packets)
		gs=$(field "$tmp/gen" seconds)
		mpps=$(echo "$pk $gs" | awk '{ printf "%.3f", $1 / $2 / 1e6 }')
		win=$pk
		lost=$(echo "$gp $(field "$tmp/eng" rx_packets) $drops" |
			awk '{ n = $1 - $2 - $3; print n < 0 ? 0 : n }')
	fi
	echo "$c0u $c0s $c1u $c1s $win $calls $pk $c0n $c1n" | awk -v hz="$hz" \
		-v sc="$sc" -v lib="$lib" -v rep="$rep" -v mpps="$mpps" \
		-v drops="$drops" -v fe="$fe" -v lost="$lost" '{
		m = $5 / 1e6
		printf "%s %s %s %s %.4f %.4f %.5f %s %s %s %.4f\n", sc, lib,
			rep, mpps, m ? ($3 - $1) / hz / m : 0,
			m ? ($4 - $2) / hz / m : 0, $7 ? $6 / $7 : 0, drops, fe,
			lost, m ? ($9 - $8) / 1e9 / m : 0
	}' >>"$tmp/res"
	tail -n 1 "$tmp/res" | awk '{ printf "  %-12s %-7s run %s: %s Mpps\n", $1, $2, $3, $4 }'
}

scenarios=${BENCH_SCENARIOS:-rxdrop rxdrop-poll rx-samecore txonly l2fwd}
busy=$(busy_pct 1)
echo "packet bench: $runs runs of ${secs}s per scenario and library; sender on CPU $cpu_gen, engine on CPU $cpu_eng; kernel $(uname -r)"
: >"$tmp/res"
for rep in $(seq "$runs"); do
	ceiling "$rep"
	tail -n 1 "$tmp/res" | awk '{ printf "  %-12s %-7s run %s: %s Mpps\n", $1, "livegen", $3, $4 }'
	# Alternate which library goes first, so that drift cancels out.
	order=$libs
	[ $((rep % 2)) = 0 ] && order=$(echo "$libs" | awk '{ for (i = NF; i; i--) printf "%s ", $i }')
	for sc in $scenarios; do
		for lib in $order; do
			run "$lib" "$sc" "$rep"
		done
	done
done
busy_after=$noisy

# Medians per scenario and library; the table; one JSON line each.
# Fields of a result line: scenario lib run, then 4 Mpps, 5 usr, 6 sys,
# 7 syscalls per packet, 8 drops, 9 fill-empty, 10 lost, 11 cpu.
mkdir -p "$(dirname "$json")"
awk -v json="$json" -v kernel="$(uname -r)" -v secs="$secs" -v runs="$runs" \
	-v busy="$busy" -v busy_after="$busy_after" '
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (a[1] == "-")
		return "-"
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# libxsk over libxdp; "=" when both are 0.
function ratio(a, b) {
	if (a == "-" || b == "-")
		return "-"
	if (b + 0 == 0)
		return a + 0 == 0 ? "=" : "-"
	return sprintf("%.2f", a / b)
}
function jnum(x) { return x == "-" ? "null" : x == "=" ? 1 : x }
{
	k = $1 SUBSEP $2
	if (!(k in seen)) {
		seen[k] = 1
		if (!($1 in sc_seen)) { sc_seen[$1] = 1; order[++nsc] = $1 }
	}
	for (f = 4; f <= 11; f++)
		v[k, f] = v[k, f] " " $f
}
END {
	# Table columns, in order: field, heading, JSON name, compared?
	ncol = split("4 11 5 6 7 8 9 10", col, " ")
	split("Mpps cpu/Mpkt usr/Mpkt sys/Mpkt sysc/pkt drop fill-empty lost", head, " ")
	split("mpps cpu_s_per_mpkt usr_s_per_mpkt sys_s_per_mpkt syscalls_per_pkt drops fill_empty lost", jname, " ")
	printf "{\"kind\":\"meta\",\"kernel\":\"%s\",\"seconds\":%s,\"runs\":%s,\"busy_before_pct\":%s,\"noisy_runs\":%s}\n",
		kernel, secs, runs, busy, busy_after > json
	printf "\n%-12s %-7s", "scenario", "lib"
	for (c = 1; c <= ncol; c++)
		printf " %9s", head[c]
	printf "\n"
	for (i = 1; i <= nsc; i++) {
		s = order[i]
		for (l = 0; l < 3; l++) {
			lib = l == 0 ? "bpf" : l == 1 ? "libxsk" : "libxdp"
			k = s SUBSEP lib
			if (!(k in seen))
				continue
			name = lib == "bpf" ? "livegen" : lib
			printf "%-12s %-7s", s, name
			line = sprintf("{\"kind\":\"median\",\"scenario\":\"%s\",\"lib\":\"%s\"", s, name)
			for (c = 1; c <= ncol; c++) {
				f = col[c]
				m[lib, f] = median(v[k, f])
				printf " %9s", m[lib, f]
				line = line sprintf(",\"%s\":%s,\"%s_runs\":[", jname[c], jnum(m[lib, f]), jname[c])
				n = split(substr(v[k, f], 2), a, " ")
				for (j = 1; j <= n; j++)
					line = line (j > 1 ? "," : "") jnum(a[j])
				line = line "]"
			}
			printf "\n"
			print line "}" > json
		}
		if ((s SUBSEP "libxdp") in seen) {
			printf "%-12s %-7s", "", "xsk/xdp"
			line = sprintf("{\"kind\":\"ratio\",\"scenario\":\"%s\",\"of\":\"libxsk/libxdp\"", s)
			for (c = 1; c <= 5; c++) {
				r = ratio(m["libxsk", col[c]], m["libxdp", col[c]])
				printf " %9s", r
				line = line sprintf(",\"%s\":%s", jname[c], jnum(r))
			}
			printf "\n"
			print line "}" > json
		}
	}
}' "$tmp/res"
echo
echo "packet bench: medians of $runs runs. cpu, usr, sys: the engine's CPU seconds per million packets (cpu exact, from the scheduler; usr and sys sampled at the timer tick). sysc/pkt: its wake-up syscalls per packet. drop, fill-empty: its socket's kernel counters; lost: frames veth dropped before the socket. xsk/xdp: libxsk's figure over libxdp's (Mpps: higher is better; the others: lower is better)."
[ "$noisy" -gt 0 ] && echo "packet bench: warning: $noisy run(s) started while other processes kept the CPUs busy: those figures are noisy"
echo "packet bench: JSON lines in $json"
exit 0
