#!/bin/sh
# dp_bench.sh: the datapath benchmark (doc/benchmarks.md, "The datapath"). As root:
#
#   tests/bench/dp_bench.sh BUILD_DIR
#
# Four namespaces in a line, src -- r1 -- r2 -- dst, and tests/bench/flow_send sending UDP from
# src to dst as fast as it can (64 flows, 2 processes) for SECS seconds; the figure is what dst
# received per second (its veth's rx_packets). Two comparisons, each against a baseline measured
# in the same run, between the same namespaces, with the same traffic:
#
#  1. forwarding: plain routing r1 -> r2, against the tunnel driver $DRIVER (default auto: the
#     one the kernel gives) between r1 and r2 (tests/common/kr_tool in each: r1 encapsulates
#     toward r2, r2 decapsulates), for 64- and 1400-octet payloads. Goal: >= 0.9 of plain.
#  2. the flow-steering rules at r1 (an LMA's PREROUTING, as lmad installs them, doc/datapath.md)
#     with 10 and 100,000 queued prefixes, none of them the traffic's: the old layout (one
#     NFQUEUE rule per prefix, walked by every packet) against the ipset one (one hash lookup).
#     Goal: the same per-packet cost at 10 and 10^5.
#
# Figures are printed, never judged (the exit status says only whether something broke).
# Forwarding: PAIRS (15) pairs of PAIR_SECS (1) seconds a phase, plain and tunnel back to back
# and in turns (plain first in one pair, tunnel first in the next), so that the machine's own
# slow and fast moments, which last longer than a phase, fall on both alike; the ratio of the
# totals and the median pair are printed. Flow-steering rules: RUNS (3) runs of SECS (3) seconds
# each, the median printed.
# shellcheck source-path=SCRIPTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
}
BUILD=$(cd "$1" && pwd)
SEND=$BUILD/tests/bench/flow_send
KR_TOOL=$BUILD/tests/common/kr_tool
DRIVER=${DRIVER:-auto}
RUNS=${RUNS:-3}
SECS=${SECS:-3}
PAIRS=${PAIRS:-15}
PAIR_SECS=${PAIR_SECS:-1}
for b in "$SEND" "$KR_TOOL"; do
	[ -x "$b" ] || {
		echo "dp_bench: $b missing: make tests/bench/flow_send tests/common/kr_tool" >&2
		exit 2
	}
done
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

setup() {
	ns_add src r1 r2 dst
	link src s0 r1 a0
	link r1 a1 r2 b1
	link r2 b0 dst d0
	nsx src ip addr add fd00:1::2/64 dev s0 nodad
	nsx src ip -6 route add default via fd00:1::1
	nsx r1 ip addr add fd00:1::1/64 dev a0 nodad
	nsx r1 ip addr add fd00:12::1/64 dev a1 nodad
	nsx r2 ip addr add fd00:12::2/64 dev b1 nodad
	nsx r2 ip addr add fd00:2::1/64 dev b0 nodad
	nsx dst ip addr add fd00:2::2/64 dev d0 nodad
	nsx dst ip -6 route add default via fd00:2::1
	for n in r1 r2; do
		nsx $n sysctl -qw net.ipv6.conf.all.forwarding=1
	done
	nsx r2 ip -6 route add fd00:1::/64 via fd00:12::1
	static_neigh src s0 fd00:1::1 r1 a0
	static_neigh r1 a1 fd00:12::2 r2 b1
	static_neigh r2 b0 fd00:2::2 dst d0
	# a UDP receiver that drops everything: no ICMP back, the count is rx_packets
	nsx dst ip6tables -A INPUT -p udp -j DROP
}

# static_neigh NS DEV ADDR PEER_NS PEER_DEV: NS's neighbour entry for ADDR, PEER_DEV's MAC, made
# permanent. The traffic goes one way, so nothing confirms these entries: left to themselves they
# cycle through STALE, DELAY and PROBE on the neighbour cache's own clock (about every 30 s), and
# whichever phase met that cycle would pay for it, a lottery between plain and tunnel.
static_neigh() {
	mac=$(nsx "$4" cat "/sys/class/net/$5/address")
	nsx "$1" ip -6 neigh replace "$3" lladdr "$mac" dev "$2" nud permanent
}

plain_on() { nsx r1 ip -6 route replace fd00:2::/64 via fd00:12::2; }

# tunnel_on: kr_tool at both ends, holding their state until tunnel_off.
tunnel_on() {
	nsx r1 ip -6 route del fd00:2::/64 2>/dev/null || true
	mkfifo "$tmp/r1.in" "$tmp/r2.in"
	bg r1 sh -c "exec $KR_TOOL -d $DRIVER fd00:12::1 a1 1000 100 <$tmp/r1.in >$tmp/r1.out 2>&1"
	K1=$LAST_PID
	bg r2 sh -c "exec $KR_TOOL -d $DRIVER fd00:12::2 b1 1000 100 <$tmp/r2.in >$tmp/r2.out 2>&1"
	K2=$LAST_PID
	exec 7>"$tmp/r1.in" 8>"$tmp/r2.in"
	printf 'tunnel-add fd00:12::2\nroute fd00:2::/64 1\nflush\n' >&7
	printf 'tunnel-add fd00:12::1\n' >&8
	wait_until 10 grep -q '^ok flush refused 0' "$tmp/r1.out" ||
		{ echo "dp_bench: the tunnel did not come up: $(cat "$tmp/r1.out")" >&2; exit 1; }
	wait_until 10 grep -q '^ok tunnel 1' "$tmp/r2.out"
	TUN_DRV=$(sed -n 's/^ok open //p' "$tmp/r1.out")
	wait_until 10 nsx src ping -c 1 -W 1 fd00:2::2 || echo "dp_bench: no ping through the tunnel" >&2
}

# tunnel_route: the route to dst back through the tunnel (plain_on replaced it).
tunnel_route() {
	n0=$(grep -c '^ok flush' "$tmp/r1.out")
	printf 'route fd00:2::/64 1\nflush\n' >&7
	wait_until 10 sh -c "test \$(grep -c '^ok flush' $tmp/r1.out) -gt $n0"
}

tunnel_off() {
	exec 7>&- 8>&-
	wait "$K1" "$K2" 2>/dev/null || true
	rm -f "$tmp/r1.in" "$tmp/r2.in"
}

rx() { nsx dst cat /sys/class/net/d0/statistics/rx_packets; }

# rate LEN [SECONDS]: packets/s dst received of SECONDS (default SECS) of flow_send at full
# speed, one sender process pinned to each CPU (flow_send -P).
rate() {
	r0=$(rx)
	out=$(nsx src "$SEND" -l "$1" -j 2 -P long fd00:2::2 64 "${2:-$SECS}")
	r1=$(rx)
	s=$(echo "$out" | tr ' ' '\n' | sed -n 's/^seconds=//p')
	awk -v n="$((r1 - r0))" -v s="$s" 'BEGIN { printf "%.0f", n / s }'
}

# median CMD...: the median of RUNS outputs of CMD.
median() {
	i=0
	: >"$tmp/m"
	while [ $i -lt "$RUNS" ]; do
		"$@" >>"$tmp/m"
		echo >>"$tmp/m"
		i=$((i + 1))
	done
	sort -n "$tmp/m" | sed '/^$/d' | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# The chain lmad installs (kr_fc_ipt.c), with the queued prefixes as rules (old) or a set (new).
chain_old() {
	{
		echo "*mangle"
		echo ":PMIP6 - [0:0]"
		echo ":PMIP6_QUEUE - [0:0]"
		echo "-A PMIP6 -m connmark ! --mark 0 -j CONNMARK --restore-mark"
		echo "-A PMIP6 -m connmark ! --mark 0 -j RETURN"
		echo "-A PMIP6 -m mark ! --mark 0 -j CONNMARK --save-mark"
		echo "-A PMIP6 -m mark ! --mark 0 -j RETURN"
		echo "-A PMIP6 -j PMIP6_QUEUE"
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
			printf "-A PMIP6_QUEUE -d 2001:db8:%x:%x::/64 -j NFQUEUE --queue-num 0 --queue-bypass\n",
				int(i / 65536), i % 65536 }'
		echo "-I PREROUTING 1 -j PMIP6"
		echo "COMMIT"
	} | nsx r1 ip6tables-restore --noflush
}

chain_new() {
	{
		echo "create pmip6_mh hash:net family inet6 maxelem 1048576"
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
			printf "add pmip6_mh 2001:db8:%x:%x::/64\n", int(i / 65536), i % 65536 }'
	} | nsx r1 ipset restore
	{
		echo "*mangle"
		echo ":PMIP6 - [0:0]"
		echo ":PMIP6_QUEUE - [0:0]"
		echo "-A PMIP6 -m set ! --match-set pmip6_mh dst -j RETURN"
		echo "-A PMIP6 -m connmark ! --mark 0 -j CONNMARK --restore-mark"
		echo "-A PMIP6 -m connmark ! --mark 0 -j RETURN"
		echo "-A PMIP6 -m mark ! --mark 0 -j CONNMARK --save-mark"
		echo "-A PMIP6 -m mark ! --mark 0 -j RETURN"
		echo "-A PMIP6 -j PMIP6_QUEUE"
		echo "-A PMIP6_QUEUE -j NFQUEUE --queue-num 0 --queue-bypass"
		echo "-I PREROUTING 1 -j PMIP6"
		echo "COMMIT"
	} | nsx r1 ip6tables-restore --noflush
}

chain_off() {
	nsx r1 ip6tables -t mangle -F
	nsx r1 ip6tables -t mangle -X
	nsx r1 ipset destroy pmip6_mh 2>/dev/null || true
}

echo "datapath benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r)"
echo "UDP from src to dst through r1 and r2, 64 flows, 2 sender processes, $SECS s a run, median of $RUNS"
setup

echo
echo "1. Forwarding, r1 -> r2 plain against the tunnel (packets/s received at dst; $PAIRS pairs of"
echo "   $PAIR_SECS s a phase, plain and tunnel in turns; the ratio of the totals, and of the pairs)"
tunnel_on
for len in 64 1400; do
	: >"$tmp/pairs"
	i=0
	while [ $i -lt "$PAIRS" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			plain_on
			P=$(rate $len "$PAIR_SECS")
			tunnel_route
			T=$(rate $len "$PAIR_SECS")
		else
			T=$(rate $len "$PAIR_SECS")
			plain_on
			P=$(rate $len "$PAIR_SECS")
			tunnel_route
		fi
		echo "$(ratio "$T" "$P") $P $T" >>"$tmp/pairs"
		i=$((i + 1))
	done
	sort -n "$tmp/pairs" | awk -v n="$PAIRS" '
		{ r[NR] = $1; p += $2; t += $3 }
		END { printf "%.0f %.0f %.2f %.2f %.2f %.2f\n", p / n, t / n, t / p,
		      r[int((n + 1) / 2)], r[1], r[n] }' >"$tmp/pair"
	read -r P T R M LO HI <"$tmp/pair"
	echo "  payload $len: plain $P, tunnel ($TUN_DRV) $T, ratio $R (goal >= 0.9); median pair $M, pairs $LO to $HI"
done
tunnel_off

echo
echo "2. The flow-steering rules at r1 (traffic toward none of the queued prefixes; packets/s)"
plain_on
B=$(median rate 64)
echo "  no rules: $B"
for np in 10 100000; do
	chain_old $np
	O=$(median rate 64)
	chain_off
	chain_new $np
	N=$(median rate 64)
	chain_off
	echo "  $np prefixes: one rule each $O (ratio to none $(ratio "$O" "$B")), ipset $N (ratio $(ratio "$N" "$B"))"
done
