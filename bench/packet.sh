#!/bin/bash
# SPDX-License-Identifier: MIT
# packet.sh [BUILDDIR]: packet rate, cost per packet and round-trip time of
# the examples' engines over veth, side by side with libxdp's. Run by
# `make bench` (root).
#
# Makes two private network namespaces joined by a veth pair (one queue),
# named uniquely for this run and removed on every exit, Ctrl-C included.
# Traffic comes from bench/livegen (BPF_PROG_RUN live frames, XDP_TX) on
# CPU 0 in one namespace; the engine under test runs on CPU 1 in the
# other. Every run is bounded in seconds; nothing asserts on speed. Each
# run waits (up to 30 s) for other processes to leave the CPUs alone.
#
# Throughput scenarios:
#   ceiling      livegen into a bare XDP_DROP: what the sender delivers
#   rxdrop       rx, spinning (need_wakeup: a syscall only when asked)
#   rxdrop-poll  rx sleeping in poll() when idle
#   rx-samecore  rx with poll() on the sender's CPU
#   txonly       tx flat out, no sender (the peer's stack drops the frames)
#   l2fwd        fwd: swaps MACs, sends each frame back out
#   rxdrop-touch rx --touch: every byte of every frame read
#   l2fwd-touch  fwd --touch
#   touch-64m    rx --touch on a 64 MiB UMEM whose 16384 frames all cycle
#                through a fill ring of 16384: 4 KiB pages against 2 MiB
#                huge pages (vm.nr_hugepages raised for the run, put back
#                on every exit)
# Latency scenarios (pingpong on CPU 0, its reflector on CPU 1, one 64-byte
# frame in flight, or 8 for the -8 ones):
#   lat-spin lat-spin-nw lat-poll lat-poll-nw lat-busy lat-spin-8
#   lat-poll-8 lat-busy-8
#                spin, poll(), or preferred busy polling (busy: the veth
#                ends' napi_defer_hard_irqs and gro_flush_timeout set for
#                the run and put back after it, and on every exit);
#                -nw: need_wakeup off
#
# Engines: libxsk (the examples) and libxdp (bench/xdp_engine.c), and in
# some scenarios variants of them: -b32 (fwd with the kernel's default
# copy-mode TX budget, 32 frames a kick, where the examples raise it to
# the TX ring size), -nopf (--touch without xsk_rx_prefetch()), -huge
# (the UMEM on huge pages). In every scenario libxsk also runs against
# itself, as "libxsk#2": the noise floor. The engines of a scenario run
# interleaved, A B A B ..., BENCH_RUNS times each, the order reversed
# every other round so that drift cancels out.
#
# Figures, per engine: the median of the runs and the interquartile range
# (IQR: the middle half of the runs lay within it):
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
#   offered      livegen's own rate during the run, Mpps: what reached the
#                engine's XDP program; it falls when the engine's work
#                lands on the sender's core
#   min p50 p99 p99.9 max
#                round-trip times in microseconds, from the pinger's
#                histogram (within 6.25%), medians over the runs
#   cpu/rt       CPU microseconds per round trip, pinger and reflector
#                together
# A ratio (libxsk over another engine) is printed only when it differs
# from 1 by more than the noise floor, |libxsk / libxsk#2 - 1|, measured
# in the same run (for round-trip times at least the histogram's 6.25%);
# otherwise "~" (within noise).
#
# Environment: BENCH_SCENARIOS (all), BENCH_SECONDS (3) per run,
# BENCH_RUNS (5), BENCH_JSON (the JSON lines file, default
# BUILDDIR/bench/results.json), BENCH_HUGEPAGES (34: huge pages the
# touch-64m scenario reserves), BENCH_QUIET_WAIT (30: seconds each run
# waits for the CPUs to go quiet; 0 for a functional run on a busy machine),
# BENCH_BUSY_DEFER (2) and BENCH_BUSY_FLUSH_NS (200000): the lat-busy
# scenarios' napi_defer_hard_irqs and gro_flush_timeout.
set -u
bindir=${1:-build}
secs=${BENCH_SECONDS:-3}
runs=${BENCH_RUNS:-5}
json=${BENCH_JSON:-$bindir/bench/results.json}
want_huge=${BENCH_HUGEPAGES:-34}
busy_defer=${BENCH_BUSY_DEFER:-2}
busy_flush=${BENCH_BUSY_FLUSH_NS:-200000}
quiet_wait=${BENCH_QUIET_WAIT:-30}
gen=$bindir/bench/livegen
shim=$(realpath "$bindir/bench/syscount.so" 2>/dev/null)
xdpe=$bindir/bench/xdp_engine
ex=$bindir/examples

. "$(dirname "$0")/../tests/nspair.sh"
if why=$(nspair_unusable "sudo make bench"); then
	echo "packet bench: skipped: $why"
	exit 0
fi
for f in "$ex/rx" "$ex/tx" "$ex/fwd" "$ex/pingpong" "$gen" "$shim"; do
	[ -e "$f" ] || {
		echo "packet bench: $f is missing: run make bench" >&2
		exit 1
	}
done
have_xdp=
if [ -x "$xdpe" ]; then
	have_xdp=1
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
# Settings changed for a run, put back after it and on every exit:
# "PATH VALUE NS" lines (NS: the namespace whose /sys shows PATH, or -).
restore=$tmp/restore
: >"$restore"

# set_knob NS PATH VALUE: write VALUE to PATH (seen in NS, or - for the
# host), remembering the value before, once.
set_knob() {
	local old
	if [ "$1" = - ]; then
		old=$(cat "$2") || return 1
	else
		old=$(ip netns exec "$1" cat "$2") || return 1
	fi
	grep -q "^$2 .* $1\$" "$restore" || echo "$2 $old $1" >>"$restore"
	if [ "$1" = - ]; then
		echo "$3" >"$2"
	else
		ip netns exec "$1" sh -c "echo $3 > $2"
	fi
}

restore_knobs() {
	local path old ns
	[ -s "$restore" ] || return 0
	while read -r path old ns; do
		if [ "$ns" = - ]; then
			echo "$old" >"$path" ||
				echo "packet bench: could not put $path back to $old" >&2
		else
			ip netns exec "$ns" sh -c "echo $old > $path" 2>/dev/null
		fi
	done <"$restore"
	: >"$restore"
}

cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	# The engines are gone: their huge pages are free to give back.
	sleep 0.1
	restore_knobs
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

# Before each run: wait (up to BENCH_QUIET_WAIT s) until other processes
# leave the CPUs alone, since a receiver that loses its core for one time
# slice (a few ms) overflows its rings and the run measures the scheduler
# instead. $busy: the load seen last, recorded with the run.
noisy=0 busy=0
quiet() {
	local tries=0
	while :; do
		busy=$(busy_pct 0.5)
		[ "$busy" -le 10 ] && return 0
		tries=$((tries + 1))
		[ "$tries" -ge $((quiet_wait * 2)) ] && break
	done
	noisy=$((noisy + 1))
	echo "packet bench: the CPUs are ${busy}% busy with other work; measuring anyway"
}

field() { sed -n "s/.*summary.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

wait_xdp() {
	for _ in $(seq 100); do
		ip -n "$1" link show "$2" | grep -q ' xdp' && return 0
		sleep 0.05
	done
	return 1
}

# Nothing left attached (a crashed engine's netlink-attached program would
# stay): the next engine must find the interfaces bare.
bare_link() {
	local ns ifc
	for ns_if in "$ns_rx:$if_rx" "$ns_tx:$if_tx"; do
		ns=${ns_if%%:*} ifc=${ns_if#*:}
		if ip -n "$ns" link show "$ifc" | grep -q ' xdp'; then
			ip -n "$ns" link set "$ifc" xdp off 2>/dev/null
			sleep 0.2
		fi
	done
}

# The engines of scenario @1: libxsk, libxdp where it is built, the
# scenario's variants, and libxsk#2 last (the noise floor).
engines() {
	local e="libxsk"
	[ -n "$have_xdp" ] && e="$e libxdp"
	case $1 in
	l2fwd) e="$e libxsk-b32" && [ -n "$have_xdp" ] && e="$e libxdp-b32" ;;
	rxdrop-touch | l2fwd-touch) e="$e libxsk-nopf" ;;
	touch-64m) e="libxsk libxsk-huge" ;;
	esac
	echo "$e libxsk#2"
}

# engine_cmd ENGINE SCENARIO: the engine's command line (without -d).
engine_cmd() {
	local w='' c=$cpu_eng extra='' lib=${1%%-*}
	lib=${lib%#2}
	case $2 in
	rxdrop-poll) w=poll ;;
	rx-samecore) w=poll c=$cpu_gen ;;
	*-touch | touch-64m) extra="--touch" ;;
	esac
	case $1 in
	*-b32) extra="$extra --tx-budget 0" ;;
	*-nopf) extra="$extra --prefetch 0" ;;
	*-huge) extra="$extra --huge-pages" ;;
	esac
	[ "$2" = touch-64m ] &&
		extra="$extra -F 16384 --fill-ring 16384 --rx-ring 16384"
	if [ "$lib" = libxdp ]; then
		# xdp_engine spells them its own way.
		extra=${extra/--touch/-t}
		extra=${extra/--tx-budget 0/-B 0}
	fi
	case $lib:$2 in
	libxsk:rx* | libxsk:touch*) echo "$ex/rx -i $if_rx -x native -C $c${w:+ -w $w} $extra" ;;
	libxsk:txonly) echo "$ex/tx -i $if_tx -C $c" ;;
	libxsk:l2fwd*) echo "$ex/fwd -i $if_rx -x native -C $c $extra" ;;
	libxdp:rx*) echo "$xdpe rx -i $if_rx -C $c${w:+ -w $w} $extra" ;;
	libxdp:txonly) echo "$xdpe tx -i $if_tx -C $c" ;;
	libxdp:l2fwd*) echo "$xdpe fwd -i $if_rx -C $c $extra" ;;
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
	wait_xdp "$ns_rx" "$if_rx" || { echo "packet bench: XDP_DROP did not attach" >&2; exit 1; }
	ip netns exec "$ns_tx" "$gen" -i "$if_tx" --park bxpark -d "$secs" -C "$cpu_gen" \
		>"$tmp/gen" || exit 1
	kill -INT "$pid"
	wait "$pid"
	echo "ceiling livegen $1 $(field "$tmp/gen" pps |
		awk '{ printf "%.3f", $1 / 1e6 }') - - - - - - - $busy -" >>"$tmp/res"
}

# huge_free: 32 free huge pages for the -huge engine, or the run is
# skipped. vm.nr_hugepages is raised (again: the latency runs put every
# knob back after each run) and put back on every exit; a UMEM's pages are
# unpinned a moment after its socket closed, so wait up to 5 s for them.
huge_free() {
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$want_huge" ] ||
		set_knob - /proc/sys/vm/nr_hugepages "$want_huge"
	for _ in $(seq 50); do
		[ "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" -ge 32 ] &&
			return 0
		sleep 0.1
	done
	echo "packet bench: libxsk-huge: no 32 free huge pages (vm.nr_hugepages $(cat /proc/sys/vm/nr_hugepages)): run skipped"
	return 1
}

# run ENGINE SCENARIO REP: one throughput run; appends a line to $tmp/res.
run() {
	local eng=$1 sc=$2 rep=$3 ns=$ns_rx cmd pid pk gp gs
	local mpps calls drops fe lost win offered=-
	[ "$sc" = txonly ] && ns=$ns_tx
	if [ "$eng" = libxsk-huge ] && ! huge_free; then
		return 0
	fi
	bare_link
	cmd=$(engine_cmd "$eng" "$sc")
	quiet
	rm -f "$tmp/sc"
	# shellcheck disable=SC2086
	ip netns exec "$ns" env LD_PRELOAD="$shim" BENCH_SYSCOUNT="$tmp/sc" \
		$cmd -d $((secs + 10)) >"$tmp/eng" 2>&1 &
	pid=$!
	pids+=("$pid")
	if [ "$sc" = txonly ]; then
		sleep 0.5
	elif ! wait_xdp "$ns_rx" "$if_rx"; then
		echo "packet bench: $eng $sc: the engine did not start:" >&2
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
		echo "packet bench: $eng $sc: no summary from the engine:" >&2
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
		offered=$(echo "$gp $gs" | awk '{ printf "%.3f", $1 / $2 / 1e6 }')
		lost=$(echo "$gp $(field "$tmp/eng" rx_packets) $drops" |
			awk '{ n = $1 - $2 - $3; print n < 0 ? 0 : n }')
	fi
	echo "$c0u $c0s $c1u $c1s $win $calls $pk $c0n $c1n" | awk -v hz="$hz" \
		-v sc="$sc" -v eng="$eng" -v rep="$rep" -v mpps="$mpps" \
		-v drops="$drops" -v fe="$fe" -v lost="$lost" -v busy="$busy" \
		-v offered="$offered" '{
		m = $5 / 1e6
		printf "%s %s %s %s %.4f %.4f %.5f %s %s %s %.4f %s %s\n", sc,
			eng, rep, mpps, m ? ($3 - $1) / hz / m : 0,
			m ? ($4 - $2) / hz / m : 0, $7 ? $6 / $7 : 0, drops, fe,
			lost, m ? ($9 - $8) / 1e9 / m : 0, busy, offered
	}' >>"$tmp/res"
	tail -n 1 "$tmp/res" | awk '{ printf "  %-14s %-16s run %s: %s Mpps\n", $1, $2, $3, $4 }'
}

# lat_cmds ENGINE SCENARIO: the reflector's command line, then on a second
# line the pinger's (without -d).
lat_cmds() {
	local lib=${1%#2} w=spin nw='' n=1
	case $2 in
	*-poll*) w=poll ;;
	*-busy*) w='busy-poll' ;;
	esac
	case $2 in *-nw*) nw=-W ;; esac
	case $2 in *-8) n=8 ;; esac
	if [ "$lib" = libxdp ]; then
		echo "$xdpe fwd -i $if_rx -C $cpu_eng -w $w $nw"
		echo "$xdpe ping -i $if_tx -C $cpu_gen -w $w $nw -n $n"
	else
		echo "$ex/pingpong --reflect -i $if_rx -x native -C $cpu_eng -w $w $nw"
		echo "$ex/pingpong -i $if_tx -x native -C $cpu_gen -w $w $nw --in-flight $n"
	fi
}

# Busy polling: the veth ends hold their interrupts (here: veth's NAPI
# scheduling from the peer's transmit) back while the sockets poll.
busy_knobs() {
	local ns_if ns ifc
	for ns_if in "$ns_rx:$if_rx" "$ns_tx:$if_tx"; do
		ns=${ns_if%%:*} ifc=${ns_if#*:}
		set_knob "$ns" "/sys/class/net/$ifc/napi_defer_hard_irqs" "$busy_defer" &&
			set_knob "$ns" "/sys/class/net/$ifc/gro_flush_timeout" "$busy_flush" ||
			return 1
	done
}

# lat_run ENGINE SCENARIO REP: one latency run; a line to $tmp/lat.
lat_run() {
	local eng=$1 sc=$2 rep=$3 rcmd pcmd rpid ppid a0 a1 b0 b1 t0 t1 e
	{ read -r rcmd; read -r pcmd; } < <(lat_cmds "$eng" "$sc")
	bare_link
	case $sc in
	lat-busy*)
		busy_knobs || {
			echo "packet bench: $sc: cannot set napi_defer_hard_irqs/gro_flush_timeout on veth" >&2
			return 0
		}
		;;
	esac
	quiet
	# shellcheck disable=SC2086
	ip netns exec "$ns_rx" $rcmd -d $((secs + 10)) >"$tmp/refl" 2>&1 &
	rpid=$!
	pids+=("$rpid")
	if ! wait_xdp "$ns_rx" "$if_rx"; then
		echo "packet bench: $eng $sc: the reflector did not start:" >&2
		cat "$tmp/refl" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	ip netns exec "$ns_tx" $pcmd -d $((secs + 10)) >"$tmp/ping" 2>&1 &
	ppid=$!
	pids+=("$ppid")
	sleep 0.3
	read -r _ _ a0 < <(cpu_ticks "$ppid")
	read -r _ _ b0 < <(cpu_ticks "$rpid")
	t0=$(now)
	sleep "$secs"
	read -r _ _ a1 < <(cpu_ticks "$ppid")
	read -r _ _ b1 < <(cpu_ticks "$rpid")
	t1=$(now)
	kill -INT "$ppid" 2>/dev/null
	wait "$ppid"
	kill -INT "$rpid" 2>/dev/null
	wait "$rpid"
	restore_knobs
	if ! grep -q 'rtt_p50_us' "$tmp/ping"; then
		echo "packet bench: $eng $sc: no round trips:" >&2
		cat "$tmp/ping" "$tmp/refl" >&2
		exit 1
	fi
	e=$tmp/ping
	echo "$sc $eng $rep $(field "$e" rtt_min_us) $(field "$e" rtt_p50_us)" \
		"$(field "$e" rtt_p99_us) $(field "$e" rtt_p999_us)" \
		"$(field "$e" rtt_max_us) $(field "$e" replies) $(field "$e" seconds)" \
		"$a0 $a1 $b0 $b1 $t0 $t1 $(field "$e" lost) $busy" | awk '{
		# round trips a second, over the whole run; CPU microseconds
		# per round trip over the measured window
		rate = $10 ? $9 / $10 : 0
		win = $16 - $15
		cpu = rate * win ? (($12 - $11) + ($14 - $13)) / 1e3 / (rate * win) : 0
		printf "%s %s %s %s %s %s %s %s %.0f %.2f %s %s\n", $1, $2, $3,
			$4, $5, $6, $7, $8, rate, cpu, $17, $18
	}' >>"$tmp/lat"
	tail -n 1 "$tmp/lat" | awk '{ printf "  %-14s %-16s run %s: p50 %s us, p99 %s us\n", $1, $2, $3, $5, $6 }'
}

governor=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || echo none)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
busy_before=$(busy_pct 1)
all="rxdrop rxdrop-poll rx-samecore txonly l2fwd rxdrop-touch l2fwd-touch touch-64m lat-spin lat-spin-nw lat-poll lat-poll-nw lat-busy lat-spin-8 lat-poll-8 lat-busy-8"
scenarios=${BENCH_SCENARIOS:-$all}
echo "packet bench: $runs runs of ${secs}s per scenario and engine, interleaved; sender on CPU $cpu_gen, engine on CPU $cpu_eng; kernel $(uname -r); $(nproc) CPUs, governor $governor, load $load_before, ${busy_before}% busy"
: >"$tmp/res"
: >"$tmp/lat"
for rep in $(seq "$runs"); do
	ceiling "$rep"
	tail -n 1 "$tmp/res" | awk '{ printf "  %-14s %-16s run %s: %s Mpps\n", $1, $2, $3, $4 }'
	for sc in $scenarios; do
		order=$(engines "$sc")
		# Every other round backwards, so that drift cancels out.
		[ $((rep % 2)) = 0 ] && order=$(echo "$order" | awk '{ for (i = NF; i; i--) printf "%s ", $i }')
		for eng in $order; do
			case $sc in
			lat-*) lat_run "$eng" "$sc" "$rep" ;;
			*) run "$eng" "$sc" "$rep" ;;
			esac
		done
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Medians and IQRs per scenario and engine; the tables; the ratios beyond
# the noise floor; one JSON line each.
mkdir -p "$(dirname "$json")"
printf '{"kind":"meta","kernel":"%s","cpus":%s,"cpu_model":"%s","governor":"%s","loadavg_before":"%s","loadavg_after":"%s","busy_before_pct":%s,"noisy_runs":%s,"seconds":%s,"runs":%s,"sender_cpu":%s,"engine_cpu":%s}\n' \
	"$(uname -r)" "$(nproc)" "$cpu_model" "$governor" "$load_before" \
	"$load_after" "$busy_before" "$noisy" "$secs" "$runs" "$cpu_gen" \
	"$cpu_eng" >"$json"
# summarize KIND RESULTS: KIND tput or lat.
summarize() {
	awk -v kind="$1" -v json="$json" '
function sorted(s, a,    n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n
}
# The value a fraction p into the sorted runs, interpolated.
function quant(s, p,    a, n, x, i) {
	n = sorted(s, a)
	if (!n || a[1] == "-")
		return "-"
	x = 1 + p * (n - 1)
	i = int(x)
	return i >= n ? a[n] : a[i] + (x - i) * (a[i + 1] - a[i])
}
function absf(x) { return x < 0 ? -x : x }
# Is field f one whose ratio is shown? Has it medians to divide?
function rated(f,    r) {
	for (r = 1; r <= nrat; r++)
		if (rc[r] == f)
			return m["libxsk", f] != "-" && m["libxsk#2", f] + 0
	return 0
}
# How far libxsk against itself moved figure f: the noise floor; for the
# round-trip times never below the resolution of the histogram, 6.25%.
function floor_of(f,    x) {
	x = absf(m["libxsk", f] / m["libxsk#2", f] - 1)
	return kind == "lat" && f <= 8 && x < 0.0625 ? 0.0625 : x
}
function fmt(x) { return x == "-" ? "-" : sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.2f" : "%.3f", x) }
function jnum(x) { return x == "-" ? "null" : x + 0 }
{
	k = $1 SUBSEP $2
	if (!(k in seen)) {
		seen[k] = 1
		if (!($1 in sc_seen)) { sc_seen[$1] = 1; order[++nsc] = $1 }
		eng[$1, ++neng[$1]] = $2
	}
	for (f = 4; f <= 13; f++)
		v[k, f] = v[k, f] " " $f
}
END {
	if (kind == "tput") {
		# field, heading, JSON name, lower is better?
		ncol = split("4 11 5 6 7 8 9 10 13", col, " ")
		split("Mpps cpu/Mpkt usr/Mpkt sys/Mpkt sysc/pkt drop fill-empty lost offered", head, " ")
		split("mpps cpu_s_per_mpkt usr_s_per_mpkt sys_s_per_mpkt syscalls_per_pkt drops fill_empty lost offered_mpps", jname, " ")
		nrat = 3; rc[1] = 4; rc[2] = 11; rc[3] = 13
	} else {
		ncol = split("4 5 6 7 8 9 10 11", col, " ")
		split("min p50 p99 p99.9 max rt/s cpu/rt lost", head, " ")
		split("rtt_min_us rtt_p50_us rtt_p99_us rtt_p999_us rtt_max_us round_trips_per_s cpu_us_per_rt lost", jname, " ")
		nrat = 4; rc[1] = 5; rc[2] = 6; rc[3] = 7; rc[4] = 10
	}
	printf "\n%-14s %-16s", "scenario", "engine"
	for (c = 1; c <= ncol; c++)
		printf " %9s", head[c]
	printf " %9s\n", (kind == "tput" ? "IQR(Mpps)" : "IQR(p50)")
	for (i = 1; i <= nsc; i++) {
		s = order[i]
		for (e = 1; e <= neng[s]; e++) {
			name = eng[s, e]
			k = s SUBSEP name
			printf "%-14s %-16s", s, name
			line = sprintf("{\"kind\":\"%s\",\"scenario\":\"%s\",\"engine\":\"%s\"", kind, s, name)
			for (c = 1; c <= ncol; c++) {
				f = col[c]
				m[name, f] = quant(v[k, f], 0.5)
				q1 = quant(v[k, f], 0.25)
				q3 = quant(v[k, f], 0.75)
				iqr[name, f] = q1 == "-" ? "-" : q3 - q1
				printf " %9s", fmt(m[name, f])
				line = line sprintf(",\"%s\":{\"median\":%s,\"q1\":%s,\"q3\":%s,\"runs\":[", jname[c], jnum(m[name, f]), jnum(q1), jnum(q3))
				n = split(substr(v[k, f], 2), a, " ")
				for (j = 1; j <= n; j++)
					line = line (j > 1 ? "," : "") jnum(a[j])
				line = line "]}"
			}
			# The IQR of the headline figure: Mpps, or the median RTT.
			hf = kind == "tput" ? 4 : 5
			printf " %9s\n", fmt(iqr[name, hf])
			n = split(substr(v[k, 12], 2), a, " ")
			line = line ",\"busy_pct_runs\":["
			for (j = 1; j <= n; j++)
				line = line (j > 1 ? "," : "") jnum(a[j])
			print line "]}" >> json
		}
		# libxsk against each other engine, beyond the floor that
		# libxsk against itself drew.
		if (!(("libxsk#2", col[1]) in m))
			continue
		for (e = 1; e <= neng[s]; e++) {
			name = eng[s, e]
			if (name == "libxsk" || name == "libxsk#2")
				continue
			printf "%-14s %-16s", "", "xsk/" name
			line = sprintf("{\"kind\":\"ratio\",\"scenario\":\"%s\",\"of\":\"libxsk/%s\"", s, name)
			for (c = 1; c <= ncol; c++) {
				f = col[c]
				if (!rated(f) || !(m[name, f] + 0)) {
					printf " %9s", ""
					continue
				}
				ratio = m["libxsk", f] / m[name, f]
				floor = floor_of(f)
				d = absf(ratio - 1)
				printf(" %9s", (d > floor ? sprintf("%.2f", ratio) : "~"))
				line = line sprintf(",\"%s\":{\"ratio\":%.4f,\"floor\":%.4f,\"beyond_noise\":%s}", jname[c], ratio, floor, d > floor ? "true" : "false")
			}
			# Throughput: the CPU cost difference in ns per packet.
			if (kind == "tput" && m["libxsk", 11] != "-" && m[name, 11] != "-") {
				dns = (m["libxsk", 11] - m[name, 11]) * 1000
				fns = absf(m["libxsk", 11] - m["libxsk#2", 11]) * 1000
				printf("  cpu %s", (absf(dns) > fns ? sprintf("%+.1f ns/pkt", dns) : "within noise"))
				line = line sprintf(",\"cpu_ns_per_pkt_diff\":%.2f,\"cpu_ns_per_pkt_floor\":%.2f", dns, fns)
			}
			printf "\n"
			print line "}" >> json
		}
		printf "%-14s %-16s", "", "floor"
		for (c = 1; c <= ncol; c++) {
			f = col[c]
			if (rated(f))
				printf " %8.1f%%", 100 * floor_of(f)
			else
				printf " %9s", ""
		}
		printf "\n"
	}
}' "$2" >>"$tmp/tables"
}
: >"$tmp/tables"
[ -s "$tmp/res" ] && summarize tput "$tmp/res"
[ -s "$tmp/lat" ] && summarize lat "$tmp/lat"
cat "$tmp/tables"
echo
echo "packet bench: medians of $runs interleaved runs per engine; IQR: the spread of the middle half of the runs. cpu, usr, sys: the engine's CPU seconds per million packets (= microseconds per packet; cpu exact, from the scheduler; usr and sys sampled at the timer tick). sysc/pkt: its wake-up syscalls per packet. drop, fill-empty: its socket's kernel counters; lost: frames veth dropped before the socket. Latency: round-trip microseconds (min p50 p99 p99.9 max), round trips a second, CPU microseconds per round trip (both sides), pings lost."
echo "packet bench: xsk/X: libxsk's median over X's, printed only beyond the noise floor (|libxsk / libxsk#2 - 1| of that figure, same run), else ~. Mpps, rt/s: higher is better; cpu, RTT: lower is better. -b32: fwd with the kernel's TX budget of 32 frames a kick; -nopf: --touch without prefetching; -huge: the UMEM on 2 MiB pages."
[ "$noisy" -gt 0 ] && echo "packet bench: warning: $noisy run(s) started while other processes kept the CPUs busy: those figures are noisy"
echo "packet bench: JSON lines in $json"
exit 0
