#!/bin/sh
# steer_bench.sh: figures of the steering modes in the lab (netns-lab/lab.sh; doc/benchmarks.md,
# "Steering modes"), printed, never judged:
#   1. (last) load-balance split accuracy: N new UDP flows (10^3, then 10^5, BENCH_LB_RATE new
#      flows/s, 5000) to one MN under a 3:1 policy, counted as they arrive on if1/if2 at the MN
#      and as the LMA classified them, against 75 % and the binomial's standard deviation;
#   2. loss of a plain move against a make-before-break move (bicast MS) of constant-rate UDP
#      flows at the same rate, moved to a link that delivers nothing for its first SILENT ms
#      (a DROP at MAG2, as a radio still attaching);
#   3. fail-back gap: if1's link lost and back; from the end of the hold-down (lmad's own
#      due_ms, read at the moment) to the priority flow's first datagram on if1 at the MN, and
#      the datagrams lost and misdelivered (on if2 after the first on if1) around the switch;
#   4. smallest-delay switch time: the core links (LMA-MAG) delayed 20 ms and 2 ms each way
#      (lab_core_delay), a smallest-delay flow on the faster; the delays swap; from the swap to
#      the flow's first datagram on the other interface at the MN (heartbeats every
#      BENCH_HB_MS, 100; 20 % hysteresis), alternately each way.
#
#   BUILD=build/gcc sh tests/bench/steer_bench.sh [--runs N] [--big N]
#
# --runs: moves and fail-backs measured (default 5); --big: the second split's flows (100000; 0
# skips it). Environment: BENCH_PPS (1000 datagrams/s per moved flow), BENCH_SILENT_MS (300),
# BENCH_BICAST_MS (1500), BENCH_HOLD_S (2). As root; everything it made goes when it exits.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNS=5
BIG=100000
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--big) BIG=$2; shift 2 ;;
	*) echo "usage: steer_bench.sh [--runs N] [--big N]" >&2; exit 2 ;;
	esac
done
PPS=${BENCH_PPS:-1000}
SILENT_MS=${BENCH_SILENT_MS:-300}
BICAST_MS=${BENCH_BICAST_MS:-1500}
HOLD_S=${BENCH_HOLD_S:-2}
LB_RATE=${BENCH_LB_RATE:-5000}
HB_MS=${BENCH_HB_MS:-100}
. "$top/tests/netns/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
LAB_LMA_EXTRA="bce-delete-delay 600s
flow-max 400000
flow-max-per-mn 400000
policy { proto udp src-port 8000-8999 } load-balance att 4 weight 3 att 7 weight 1
policy { proto udp dst-port 5101 } priority att 4 att 7 hold-down ${HOLD_S}s
policy { proto udp dst-port 5301 } smallest-delay att 4 att 7
heartbeat interval ${HB_MS}ms misses 5"
. "$top/netns-lab/lab.sh"
T="$PY $top/netns-lab/traffic.py"
SEND=$LAB_BUILD/tests/bench/flow_send

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG1=$(lab_mag_addr 1)
MAG2=$(lab_mag_addr 2)
now_ms() { echo $(($(date +%s%N) / 1000000)); }
binding_gone() { ! lab_binding_active "$1"; }

lab_start
lab_attach 1 1
lab_attach 1 2
wait_until 20 lab_has_addr 1 1 && wait_until 20 lab_has_addr 1 2 || { echo "no addresses"; exit 1; }
wait_until 10 lab_binding_active "$MAG1" && wait_until 10 lab_binding_active "$MAG2" || exit 1
A1=$(lab_mn_addr 1 1)

# --- 2. plain move against make-before-break ---

lab_bg mn1 /dev/null $T udp-count 5101,5201,5202,5301 --out "$LAB_DIR/counts" --log "$LAB_DIR/rx.log"
wait_until 5 test -s "$LAB_DIR/counts"
# unique PORT SINCE_NS: distinct sequence numbers of the flow to PORT sent since SINCE_NS
unique() { awk -v p="$1" -v t="$2" '$1 == p && $4 >= t { s[$3] = 1 } END { print length(s) }' "$LAB_DIR/rx.log"; }
moving_on() { lab_flow_on 5201 "$1" && lab_flow_on 5202 "$1"; }

echo "== 2. moves at $PPS datagrams/s to a link silent for its first $SILENT_MS ms: datagrams lost"
silent_s=$("$PY" -c "print($SILENT_MS / 1000)")
for r in $(seq "$RUNS"); do
	since=$(date +%s%N)
	lab_bg cn "$LAB_DIR/plain.$r" $T udp-send "$A1" 5201 --rate "$PPS" --seconds 6 --report
	p1=$LAB_LAST_PID
	lab_bg cn "$LAB_DIR/mbb.$r" $T udp-send "$A1" 5202 --rate "$PPS" --seconds 6 --report
	p2=$LAB_LAST_PID
	wait_until 5 moving_on "$MAG1" || { echo "flows not on MAG1"; exit 1; }
	f1=$(lab_flow_field 5201 id)
	f2=$(lab_flow_field 5202 id)
	sleep 0.5
	lab_x mag2 ip6tables -I FORWARD -o mn1 -p udp -m multiport --dports 5201,5202 -j DROP
	t0=$(now_ms)
	lab_ctl flow move "$f1" to att 7
	lab_ctl flow move "$f2" to att 7 bicast "$BICAST_MS"
	t1=$(now_ms)
	sleep "$silent_s"
	lab_x mag2 ip6tables -D FORWARD -o mn1 -p udp -m multiport --dports 5201,5202 -j DROP
	t2=$(now_ms)
	wait "$p1" "$p2" 2>/dev/null
	sleep 0.5
	s1=$(tail -n 1 "$LAB_DIR/plain.$r")
	s2=$(tail -n 1 "$LAB_DIR/mbb.$r")
	l1=$((s1 - $(unique 5201 "$since")))
	l2=$((s2 - $(unique 5202 "$since")))
	echo "run $r: plain lost $l1 of $s1, make-before-break (bicast $BICAST_MS ms) lost $l2 of $s2; link silent $((t2 - t0)) ms (moves took $((t1 - t0)) ms)"
	# back to MAG1 for the next run; the connections end with their senders
	# new flows next run: their connections time out in 30 s unless we wait, so other ports
	lab_x lma conntrack -D -p udp --dport 5201 >/dev/null 2>&1
	lab_x lma conntrack -D -p udp --dport 5202 >/dev/null 2>&1
	wait_until 5 sh -c "! $LAB_BUILD/pmipctl/pmipctl -s $LAB_DIR/lma.sock -j show flows mn1@lab.example | grep -q '\"dport\":520[12]'" || true
done

# --- 3. fail-back gap ---

echo "== 3. fail-back after a ${HOLD_S} s hold-down: hold-down end -> first datagram on if1 (ms)"
lab_bg cn /dev/null $T udp-send "$A1" 5101 --rate "$PPS"
wait_until 5 lab_flow_on 5101 "$MAG1" || exit 1
for r in $(seq "$RUNS"); do
	lab_link_down 1 1
	wait_until 15 binding_gone "$MAG1" && wait_until 5 lab_flow_on 5101 "$MAG2" || { echo "no failover"; exit 1; }
	t_down=$(now_ms)
	lab_link_up 1 1
	wait_until 20 lab_binding_active "$MAG1" || exit 1
	t_before=$(date +%s%N)
	due=$(lab_flow_field 5101 due_ms)
	t_due_ns=$((t_before + due * 1000000))
	wait_until 10 lab_flow_on 5101 "$MAG1" || { echo "no fail-back"; exit 1; }
	sleep 0.2
	first=$(awk -v t="$t_before" '$1 == 5101 && $2 == "if1" && $5 > t { print $5; exit }' "$LAB_DIR/rx.log")
	# around the switch, from t_before on: sequence numbers missing (lost) and datagrams on if2
	# after the first on if1 (misdelivered: the old path still carrying the flow)
	lost=$(awk -v t="$t_before" '$1 == 5101 && $5 > t { s[$3] = 1; if (!lo || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
		END { print (hi ? hi - lo + 1 - length(s) : 0) }' "$LAB_DIR/rx.log")
	late=$(awk -v t="$first" '$1 == 5101 && $2 == "if2" && $5 > t { n++ } END { print n + 0 }' "$LAB_DIR/rx.log")
	echo "run $r: link up $(($(now_ms) - t_down)) ms ago; hold-down left when seen $due ms; first datagram on if1 $(( (first - t_due_ns) / 1000000 )) ms after the hold-down's end; $lost lost, $late on if2 after it"
done
# --- 1. split accuracy ---

lab_x mn1 ip6tables -A INPUT -i if1 -p udp --sport 8000:8999 -j ACCEPT
lab_x mn1 ip6tables -A INPUT -i if2 -p udp --sport 8000:8999 -j ACCEPT
lb_count() {
	lab_x mn1 ip6tables -L INPUT -v -x -n | awk -v i="if$1" '$6 == i && /spts:8000:8999/ { print $1 }'
}
lb_reached() { [ $(($(lb_count 1) + $(lb_count 2))) -ge "$1" ]; }

echo "== 1. load-balance 3:1: share of new flows on if1 (WLAN, weight 3)"
sport=8000
for n in 1000 "$BIG"; do
	[ "$n" -gt 0 ] || continue
	lab_x mn1 ip6tables -Z INPUT
	t0=$(now_ms)
	lab_x cn "$SEND" -s "$sport" -d 10000 -r "$LB_RATE" new "$A1" "$n" >/dev/null
	wait_until 120 lb_reached $((n * 99 / 100)) ||
		echo "   only $(($(lb_count 1) + $(lb_count 2))) of $n flows arrived within 120 s"
	t_in=$(now_ms) # 99 % in: what the figure's time says
	wait_until 2 lb_reached "$n" # the stragglers, not timed
	n1=$(lb_count 1)
	n2=$(lb_count 2)
	# the LMA's view: the flows it classified (a new flow the queue could not take in time
	# passes unclassified, by its destination's route: if1)
	lab_ctl show flows mn1@lab.example | awk -v lo="$sport" -v m1="$MAG1" -v m2="$MAG2" '
		{ n = split($4, a, ":"); p = a[n] + 0 }
		p >= lo && p < lo + 100 && $8 == m1 { c1++ }
		p >= lo && p < lo + 100 && $8 == m2 { c2++ }
		END { printf "   the LMA classified %d: %d on MAG1, %d on MAG2 (%.4f)\n", c1 + c2, c1, c2, c1 / (c1 + c2) }'
	"$PY" -c "
import math
n1, n2, n = $n1, $n2, $n
got = n1 + n2
share = n1 / got
sd = math.sqrt(0.75 * 0.25 / got)
print('flows %7d  arrived %7d  if1 %7d  if2 %7d  if1 share %.4f  off 75 %% by %+.2f points '
      '(binomial sd %.2f points, %.1f sd)  99 %% in within %.1f s'
      % (n, got, n1, n2, share, 100 * (share - 0.75), 100 * sd, (share - 0.75) / sd,
         ($t_in - $t0) / 1000.0))"
	sport=$((sport + n / 55536 + 1))
done

# --- 4. smallest-delay switch after a delay swap ---

echo "== 4. smallest-delay: delay swap (20 ms <-> 2 ms each way on the core links) -> first datagram on the other interface (ms)"
lab_core_delay 1 20
lab_core_delay 2 2
lab_bg cn /dev/null $T udp-send "$A1" 5301 --rate "$PPS"
wait_until 20 lab_flow_on 5301 "$MAG2" || { echo "smallest-delay flow not on MAG2"; exit 1; }
slow=1
fast=2
for r in $(seq "$RUNS"); do
	# the swap: the slow one first made fast, then the fast one slow (each a new shaper started
	# and the rules moved to it); timed from before the first and from after the second
	t_start=$(date +%s%N)
	lab_core_delay "$slow" 2
	lab_core_delay "$fast" 20
	t_swap=$(date +%s%N)
	wait_until 30 lab_flow_on 5301 "$(lab_mag_addr "$slow")" || { echo "no switch"; exit 1; }
	sleep 0.2
	first=$(awk -v t="$t_swap" -v i="if$slow" '$1 == 5301 && $2 == i && $5 > t { print $5; exit }' "$LAB_DIR/rx.log")
	echo "run $r: to MAG$slow: first datagram on if$slow $(( (first - t_swap) / 1000000 )) ms after the swap was done, $(( (first - t_start) / 1000000 )) ms after it began (the swap took $(( (t_swap - t_start) / 1000000 )) ms)"
	t=$slow
	slow=$fast
	fast=$t
done

echo "done"
