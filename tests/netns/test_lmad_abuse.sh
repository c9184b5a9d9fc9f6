#!/bin/sh
# test_lmad_abuse.sh: lmad under the abuse of the hardening issue. (a) An unauthorized PBU
# flood: tests/bench/lma_load plays 16 hosts that no mag statement names and sends PBUs as fast
# as its window allows (>= 10,000 a second offered) for about 10 s, while another lma_load plays
# the one configured MAG registering MNs one after the other: the flood creates no binding,
# lmad's RSS stays flat, the legitimate PBAs' latency is measured (p99 printed; the issue's goal
# is 50 ms, checked here against a bound generous enough for a loaded machine) and the replies
# the flood gets, counted by the flooder, stay within the reject-rate defaults of
# lmad.conf(5). (b) The control socket (doc/control-protocol.md, "Limits"): 1,000 idle clients
# (past control-max-clients they are refused with error 5, and while the places are all held
# pmipctl is refused too, as the protocol says; the idle timeout frees them and pmipctl answers
# again), a client that writes requests without reading (pmipctl keeps answering, lmad's memory
# stays bounded), and pipelined requests answered in order.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to a build tree}"

LMA=2001:db8:ffff::100
MAG=2001:db8:ffff::1
FLOODER=2001:db8:eeee::1 # the first of 16 flood sources
SOURCES=16
FLOOD_N=150000  # PBUs
FLOOD_W=20000   # in flight; each unanswered one is dropped after 1 s: up to 20,000 a second
LEGIT_N=10000   # MNs the MAG registers, one PBU at a time: a few seconds of the flood
P99_BOUND_MS=500 # the issue's goal is 50 ms; a loaded 2-core machine needs room
RSS_GROWTH=30   # MB: the MAG's bindings cost about 6 MB; an unbounded flood far more
IDLE_CLIENTS=1000
MAX_CLIENTS=64  # control-max-clients' default
IDLE_S=2        # control-idle-timeout

tmp=$(mktemp -d /tmp/pmip-abuse.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT
ABUSE="$PY $(dirname "$0")/ctl_abuse.py"

topology() {
	ns_add lma mag flood
	link mag m0 lma l0
	link flood f0 lma l1
	nsx lma ip addr add $LMA/64 dev l0 nodad
	nsx mag ip addr add $MAG/64 dev m0 nodad
	nsx lma ip addr add 2001:db8:eeee::100/64 dev l1 nodad
	for k in $(seq 1 $SOURCES); do
		nsx flood ip addr add "2001:db8:eeee::$(printf %x "$k")/64" dev f0 nodad
	done
	nsx flood ip route add $LMA/128 via 2001:db8:eeee::100
}

config() {
	cat >"$tmp/lma.conf" <<EOF
lma-address $LMA
uplink-interface l0
tunnel-driver $TEST_DRIVER
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
control-idle-timeout ${IDLE_S}s
mn any
mag $MAG
EOF
}

lctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" "$@"; }
stat_of() { jget "j['$1']['$2']" lctl -j show stats; }
rss_mb() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$LMAD/status"; }
field() { tr ' ' '\n' <"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

topology
config
bg lma "$BUILD/lmad" -d -f "$tmp/lma.conf"
LMAD=$LAST_PID
check "lmad answers pmipctl" wait_until 10 lctl show stats

# --- (a) an unauthorized PBU flood while the MAG registers MNs ---
rss0=$(rss_mb)
t0=$(now_ms)
bg flood "$BUILD/tests/bench/lma_load" -n $FLOOD_N -m $SOURCES -w $FLOOD_W -t 1000 \
	-s $FLOODER $LMA >"$tmp/flood.out" 2>&1
FLOOD_PID=$LAST_PID
flood_started() { test "$(stat_of dropped reply_rate_source)" -gt 0; }
check "the flood is under way (lmad drops replies)" wait_until 10 flood_started
bg mag "$BUILD/tests/bench/lma_load" -n $LEGIT_N -m 1 -w 1 -t 5000 -s $MAG $LMA \
	>"$tmp/legit.out" 2>&1
LEGIT_PID=$LAST_PID
wait "$LEGIT_PID"
rss_mid=$(rss_mb) # the MAG's bindings are made: what follows is the flood's alone
wait "$FLOOD_PID"
t1=$(now_ms)
echo "# flood: $(head -n 1 "$tmp/flood.out")"
grep '^status=' "$tmp/flood.out" | sed 's/^/# flood: /'
echo "# legitimate MAG: $(tr '\n' ' ' <"$tmp/legit.out")"
flood_ms=$(((t1 - t0) - 1000)) # lma_load waits 1 s for the last PBUs' answers
rate=$((FLOOD_N * 1000 / flood_ms))
check "the flood ran at >= 10,000 PBUs a second ($rate/s over $flood_ms ms)" test "$rate" -ge 10000
legit_ok=$(field accepted "$tmp/legit.out")
check "the MAG registered its $LEGIT_N MNs during the flood ($legit_ok accepted)" \
	test "$legit_ok" = "$LEGIT_N"
p99_us=$(field p99_us "$tmp/legit.out")
p99_ms=$(echo "${p99_us:-999999000}" | awk '{ printf "%.1f", $1 / 1000 }')
check "legitimate PBA p99 ${p99_ms} ms during the flood (goal 50 ms, bound $P99_BOUND_MS ms)" \
	test "${p99_us:-999999000}" -lt $((P99_BOUND_MS * 1000))
check "no binding for the flood: bindings are the MAG's $LEGIT_N" \
	test "$(stat_of bindings current)" = "$LEGIT_N" -a "$(stat_of bindings created)" = "$LEGIT_N"
# Two bounds (reject-rate: per source 1 burst 3, total 50 burst 100): the per-source one holds
# for every source, however many send (common/ratelimit.h), and is the lower one here.
replies=$(($(field accepted "$tmp/flood.out") + $(field nonzero "$tmp/flood.out")))
secs=$(((t1 - t0) / 1000 + 2))
bound=$((100 + 50 * secs))
per_source=$((SOURCES * (3 + secs)))
check "replies to the flood bounded by reject-rate total ($replies of $FLOOD_N in ${secs} s, bound $bound)" \
	test "$replies" -le "$bound"
check "and by reject-rate per-source ($replies, bound $per_source for $SOURCES sources)" \
	test "$replies" -le "$per_source"
# every flood PBU lmad received was answered (154) or counted as not answered
received=$(($(stat_of rx binding-update) - LEGIT_N))
unanswered=$(($(stat_of dropped reply_rate_source) + $(stat_of dropped reply_rate_total)))
check "lmad accounts for each flood PBU it received: $(stat_of pba 154) answered + $unanswered not = $received" \
	test "$(($(stat_of pba 154) + unanswered))" -eq "$received"
rss1=$(rss_mb)
check "lmad's RSS stays bounded (${rss0} MB, ${rss_mid} with the MAG's bindings, ${rss1} after the flood; bound +$RSS_GROWTH)" \
	test "$((rss1 - rss0))" -lt "$RSS_GROWTH"
check "lmad's RSS is flat under the flood alone (${rss_mid} -> ${rss1} MB, bound +5)" \
	test "$((rss1 - rss_mid))" -lt 5

# --- (b) control-socket abuse ---
refused_before=$(stat_of control refused)
$ABUSE idle "$tmp/lma.sock" $IDLE_CLIENTS $((IDLE_S + 3)) >"$tmp/idle.out" &
IDLE_PID=$!
PID_LIST="$PID_LIST $IDLE_PID"
refused_over() { test "$(stat_of control refused)" -gt "$1"; }
pmipctl_refused() { lctl show stats 2>&1 | grep -qi 'too many'; }
check "pmipctl is refused with error 5 while $MAX_CLIENTS idle clients hold every place" \
	wait_until 10 pmipctl_refused
check "pmipctl answers again once the idle timeout ($IDLE_S s) frees the places" \
	wait_until $((IDLE_S + 5)) lctl show stats
wait "$IDLE_PID"
echo "# idle clients: $(cat "$tmp/idle.out")"
too_many=$(field too_many "$tmp/idle.out")
check "the clients past $MAX_CLIENTS were refused with error 5 ($too_many of $IDLE_CLIENTS)" \
	test "$too_many" -ge $((IDLE_CLIENTS - MAX_CLIENTS))
admitted=$((IDLE_CLIENTS - too_many - $(field connect_failed "$tmp/idle.out")))
check "the $admitted admitted ones were all closed as idle ($(field idle "$tmp/idle.out") with error 6)" \
	test "$(field idle "$tmp/idle.out")" -eq "$admitted" -a "$(field still_open "$tmp/idle.out")" = 0
check "lmad counted the refusals ($(stat_of control refused))" \
	refused_over $((refused_before + IDLE_CLIENTS - MAX_CLIENTS - 1))

rss2=$(rss_mb)
$ABUSE hog "$tmp/lma.sock" 4 >"$tmp/hog.out" &
HOG_PID=$!
PID_LIST="$PID_LIST $HOG_PID"
worst=0
while kill -0 "$HOG_PID" 2>/dev/null; do
	s=$(now_ms)
	timeout 5 "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" show stats >/dev/null 2>&1 || worst=99999
	ms=$(($(now_ms) - s))
	[ "$ms" -gt "$worst" ] && worst=$ms
	sleep 0.2
done
wait "$HOG_PID"
rss3=$(rss_mb)
echo "# writer that never reads: $(cat "$tmp/hog.out")"
check "pmipctl answers while a client writes without reading (slowest ${worst} ms)" \
	test "$worst" -lt 2000
check "lmad buffers a bounded amount for it (${rss2} -> ${rss3} MB)" \
	test "$((rss3 - rss2))" -lt 10

$ABUSE pipeline "$tmp/lma.sock" >"$tmp/pipe.out"
echo "# pipelined: $(cat "$tmp/pipe.out")"
check "pipelined requests are answered in order (stats, error 3, policy list)" \
	grep -q '^answers=end,error3,end stat_records_first=1$' "$tmp/pipe.out"
check "lmad still runs" kill -0 "$LMAD"
finish
