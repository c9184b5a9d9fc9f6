#!/bin/sh
# test_lmad_flood.sh: a flood of new flows toward a multihomed MN (the hardening issue's attack:
# any host sending new 5-tuples at full speed). The topology of test_lmad_flows.sh, with
# flow-max 2000: the CN sends 100,000 one-datagram UDP flows to the MN's address; lmad's flow
# table stays at its bound (the rest evicted, none refused), its RSS grows by well under what
# 100,000 flows cost (about 55 MB), and the MN keeps its bindings. Throughout the flood lmad keeps
# answering: a control client on one connection asks `show stats` every 10 ms, and a third
# configured MAG (tests/bench/lma_load) registers MNs at a steady 500 a second; both print their
# p99 (the issue's goal is 50 ms; the checks' bounds leave room for a loaded 2-core machine),
# and pmipctl, a whole process each time, answers within a second.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to a build tree}"

FLOW_MAX=2000
FLOOD=100000
RATE=25000     # datagrams a second: 4 s of flood, slow enough for a shared machine
RSS_GROWTH=20  # MB lmad may grow by: its bound costs about 1 MB, the flood unbounded 55 MB
PBU_RATE=500   # the third MAG's registrations a second during the flood
P99_BOUND_MS=500 # for the control answers and the PBAs; the goal, 50 ms, is reported

tmp=$(mktemp -d /tmp/pmip-flood.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT

topology() {
	ns_add lma mag1 mag2 mag3 mn cn
	link mag3 v3 lma p3
	nsx mag3 ip addr add 2001:db8:ffff::3/64 dev v3 nodad
	nsx lma ip link add br0 address 02:00:00:00:ff:00 type bridge
	nsx lma ip link set br0 up
	for m in 1 2; do
		ip link add "v$m" netns "$(ns mag$m)" type veth peer name "p$m" netns "$(ns lma)"
		nsx lma ip link set "p$m" master br0
		nsx lma ip link set "p$m" up
		nsx "mag$m" ip link set "v$m" up
		nsx "mag$m" ip addr add "2001:db8:ffff::$m/64" dev "v$m" nodad
		ip link add "acc$m" netns "$(ns mag$m)" type veth peer name "if$m" netns "$(ns mn)"
		nsx mn ip link set "if$m" address "02:00:00:00:00:0$m"
		nsx "mag$m" sysctl -qw net.ipv6.conf.all.forwarding=1
		nsx "mag$m" ip link set "acc$m" up
	done
	nsx lma ip link set p3 master br0
	nsx lma ip addr add 2001:db8:ffff::100/64 dev br0 nodad
	cn_link
}

configs() {
	cat >"$tmp/lma.conf" <<EOF
lma-address 2001:db8:ffff::100
uplink-interface br0
tunnel-driver $TEST_DRIVER
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
flow-max $FLOW_MAX
mn any
mag 2001:db8:ffff::1
mag 2001:db8:ffff::2
mag 2001:db8:ffff::3
EOF
	for m in 1 2; do
		cat >"$tmp/mag$m.conf" <<EOF
lma-address 2001:db8:ffff::100
proxy-coa 2001:db8:ffff::$m
uplink-interface v$m
tunnel-driver $TEST_DRIVER
control-socket $tmp/mag$m.sock
access-interface acc$m { access-technology $((m + 3)) }
mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }
EOF
	done
}

lctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" "$@"; }

two_addresses() {
	[ "$(nsx mn ip -6 addr show scope global | grep -c 'inet6 2001:db8:100')" -ge 2 ]
}

rss_mb() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$LMAD/status"; }

flows() { jget "j['flows']['$1']" lctl -j show stats; }

# stats_ms: how long `pmipctl show stats` takes, in ms (99999 if it fails or takes 5 s).
stats_ms() {
	t0=$(date +%s%N)
	timeout 5 "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" show stats >/dev/null 2>&1 ||
		{ echo 99999; return; }
	echo $((($(date +%s%N) - t0) / 1000000))
}

# running PID: PID has not exited (a child not yet waited for is a zombie, which kill -0 finds).
running() { [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat"; }

# poll_during PID SECONDS: the slowest stats_ms while PID runs (at most SECONDS), at least once.
poll_during() {
	worst=0
	end=$(($(date +%s) + $2))
	while :; do
		ms=$(stats_ms)
		[ "$ms" -gt "$worst" ] && worst=$ms
		if ! running "$1" || [ "$(date +%s)" -ge "$end" ]; then
			break
		fi
		sleep 0.1
	done
	echo "$worst"
}

classified_over() { test "$(flows classified)" -gt "$1"; }

field() { tr ' ' '\n' <"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

topology
configs
bg lma "$BUILD/lmad" -d -f "$tmp/lma.conf"
LMAD=$LAST_PID
bg mag1 "$BUILD/magd" -d -f "$tmp/mag1.conf"
bg mag2 "$BUILD/magd" -d -f "$tmp/mag2.conf"
wait_until 10 lctl show stats
nsx mn ip link set if1 up
nsx mn ip link set if2 up
check "both interfaces attach and get their addresses" wait_until 15 two_addresses
A1=$(addr_of if1)
check "the bound is shown: flows max $FLOW_MAX" test "$(flows max)" = "$FLOW_MAX"

rss0=$(rss_mb)
SECONDS_OF_FLOOD=$((FLOOD / RATE))
$PY "$(dirname "$0")/ctl_abuse.py" latency "$tmp/lma.sock" "$SECONDS_OF_FLOOD" >"$tmp/ctl.out" &
CTL_PID=$!
PID_LIST="$PID_LIST $CTL_PID"
bg mag3 "$BUILD/tests/bench/lma_load" -n $((PBU_RATE * SECONDS_OF_FLOOD)) -m 1 -w 64 -t 5000 \
	-r $PBU_RATE -s 2001:db8:ffff::3 2001:db8:ffff::100 >"$tmp/pbu.out" 2>&1
PBU_PID=$LAST_PID
bg cn "$BUILD/tests/bench/flow_send" -r "$RATE" new "$A1" "$FLOOD"
SENDER=$LAST_PID
worst=$(poll_during "$SENDER" $((SECONDS_OF_FLOOD + 10)))
wait "$SENDER" 2>/dev/null
wait "$CTL_PID"
wait "$PBU_PID"
echo "# control client during the flood: $(cat "$tmp/ctl.out")"
echo "# MAG 3 during the flood: $(head -n 1 "$tmp/pbu.out")"
ctl_p99=$(field p99_ms "$tmp/ctl.out")
check "show stats on one connection: p99 ${ctl_p99:-?} ms during the flood (goal 50 ms)" \
	awk -v v="${ctl_p99:-99999}" -v b=$P99_BOUND_MS 'BEGIN { exit !(v < b) }'
pba_p99=$(field p99_us "$tmp/pbu.out")
check "MAG 3's $(field accepted "$tmp/pbu.out") PBAs: p99 $(echo "${pba_p99:-0}" | awk '{ printf "%.1f", $1 / 1000 }') ms during the flood (goal 50 ms)" \
	test "${pba_p99:-99999999}" -lt $((P99_BOUND_MS * 1000)) -a \
	"$(field accepted "$tmp/pbu.out")" = $((PBU_RATE * SECONDS_OF_FLOOD))
check "pmipctl show stats answers within 1 s during the flood (slowest ${worst} ms)" \
	test "$worst" -lt 1000
check "lmad classified more flows than its bound" wait_until 5 classified_over "$FLOW_MAX"
echo "# flows: $(lctl show stats | grep -iE 'flows|classified|evicted|refused|queue' | tr '\n' ' ')"
check "the flow table stays at its bound ($(flows current) flows)" \
	test "$(flows current)" -eq "$FLOW_MAX"
check "the older flows were evicted ($(flows evicted)), none refused" \
	test "$(flows evicted)" -gt 0 -a "$(flows refused)" -eq 0
rss1=$(rss_mb)
check "lmad's RSS grew by under $RSS_GROWTH MB (${rss0} -> ${rss1} MB)" \
	test "$((rss1 - rss0))" -lt "$RSS_GROWTH"
check "show stats still answers at once ($(stats_ms) ms)" test "$(stats_ms)" -lt 1000
check "the MN still has its two bindings" \
	jtest "len(j) == 1 and len(j[0]['bindings']) == 2" lctl -j show bindings mn1@example.org
finish
