#!/bin/sh
# flow_bench.sh: the flow-steering benchmark of lmad (doc/benchmarks.md, "Flow steering
# benchmark"). As root:
#
#   tests/bench/flow_bench.sh BUILD_DIR
#
# The topology of tests/netns/test_lmad_flows.sh: a CN, lmad (seg6), MAG1 (WLAN, att 4) and MAG2
# (3G, att 7) running magd, and a multihomed Linux MN (if1 behind MAG1, if2 behind MAG2). UDP
# comes from tests/bench/flow_send (C, sendmmsg), the TCP transfer, receivers and pollers are
# python3 (no iperf here). Figures, in one run:
#   1. downlink packets/s to the MN for long UDP flows, classifier OFF (only if1 attached: one
#      binding, nothing queued) then ON (if2 attached too: the MN's prefixes are queued), and
#      their ratio;
#   2. the share of a bulk TCP transfer's packets (CN -> MN) that reached user space (NFQUEUE);
#   3. new flows classified per second: bursts of one-datagram UDP flows at full speed and at
#      fixed rates (with the flows that passed unclassified), and fc_bench's pure figure;
#   4. the time from a flow move request to the first packet of the flow on the new interface:
#      from the start of `pmipctl flow move`, and from the request written on an open control
#      connection (tests/bench/flow_move).
# Figures are printed, never judged: the exit status is non-zero only when the setup broke.
# Tunables (environment): FLOOD_S (3), FLOWS (4), REPEAT (3), SEND_PROCS (1), TCP_MIB (20),
# BURST (20000), BURST_RATES ("25000 50000 100000 200000"), MOVES (6), PERIOD_US (20).
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
}
BUILD=$(cd "$1" && pwd)
for b in "$BUILD/lmad" "$BUILD/magd" "$BUILD/pmipctl/pmipctl" "$BUILD/tests/bench/flow_send" \
	"$BUILD/tests/bench/flow_move"; do
	[ -x "$b" ] || {
		echo "flow_bench: $b missing: build it first (make check builds the tests/bench tools)" >&2
		exit 2
	}
done
[ "$(id -u)" -eq 0 ] || {
	echo "flow_bench: needs root (network namespaces)" >&2
	exit 2
}
FLOOD_S=${FLOOD_S:-3}
FLOWS=${FLOWS:-4}
REPEAT=${REPEAT:-3}
SEND_PROCS=${SEND_PROCS:-1}
TCP_MIB=${TCP_MIB:-20}
BURST=${BURST:-20000}
BURST_RATES=${BURST_RATES:-25000 50000 100000 200000}
MOVES=${MOVES:-6}
PERIOD_US=${PERIOD_US:-20}
PY=/usr/bin/python3
SEND="$BUILD/tests/bench/flow_send"
NCPU=$(nproc)
SEND_CPU=""
RECV_CPU=""
if [ "$NCPU" -ge 2 ]; then
	SEND_CPU="taskset -c $((NCPU - 1))"
	RECV_CPU="taskset -c 0"
fi
FLOOD_CPU=$SEND_CPU
[ "$SEND_PROCS" -gt 1 ] && FLOOD_CPU=""

tmp=$(mktemp -d /tmp/pmip-flowbench.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT

die() {
	echo "flow_bench: $*" >&2
	exit 1
}

topology() {
	ns_add lma mag1 mag2 mn cn
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
	nsx lma ip addr add 2001:db8:ffff::100/64 dev br0 nodad
	cn_link
	# the flood's datagrams end at the MN's interfaces: no socket, no ICMP errors back
	nsx mn ip6tables -A INPUT -p udp --dport 9000:9099 -j DROP
	nsx mn ip6tables -A INPUT -p udp --dport 10000:65535 -j DROP
}

configs() {
	cat >"$tmp/lma.conf" <<EOF
lma-address 2001:db8:ffff::100
uplink-interface br0
tunnel-driver ${DRIVER:-auto}
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
# every flow of a burst is remembered (and counted by show flows): the per-MN default, 4096,
# would cut a burst of 20,000 new flows to one MN
flow-max 1000000
flow-max-per-mn 1000000
mn any
mag 2001:db8:ffff::1
mag 2001:db8:ffff::2
EOF
	for m in 1 2; do
		att=4
		[ "$m" = 2 ] && att=7
		cat >"$tmp/mag$m.conf" <<EOF
lma-address 2001:db8:ffff::100
proxy-coa 2001:db8:ffff::$m
uplink-interface v$m
tunnel-driver ${DRIVER:-auto}
control-socket $tmp/mag$m.sock
access-interface acc$m { access-technology $att }
mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }
EOF
	done
}

lctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" "$@"; }
n_addresses() { nsx mn ip -6 addr show scope global | grep -c 'inet6 2001:db8:100'; }
rx() { nsx mn cat "/sys/class/net/$1/statistics/rx_packets"; }
rx_both() { echo $(($(rx if1) + $(rx if2))); }
# lmad's CPU time (user + system, ms; tick resolution): its system calls carry each verdict's
# packet on through the LMA's forwarding and the veths to the MN
lmad_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$LMAD/stat"; }
# datagrams to the bursts' ports that reached the MN (the packet counter of its DROP rule)
burst_rx() { nsx mn ip6tables -L INPUT -v -x -n | awk '/dpts:10000:65535/ { print $1 }'; }
# the NFQUEUE counters in the LMA's namespace: packets queued (id_sequence), dropped (queue full),
# user-dropped (netlink overrun)
qfield() { nsx lma awk "{ s += \$$1 } END { print s + 0 }" /proc/net/netfilter/nfnetlink_queue; }
queued() { qfield 8; }
n_bindings() {
	lctl -j show bindings | "$PY" -c \
		'import json,sys; j=json.load(sys.stdin); print(sum(len(m["bindings"]) for m in j))'
}
# (wait_until evaluates its arguments once: conditions that change must be functions)
has_addresses() { [ "$(n_addresses)" -ge "$1" ]; }
has_bindings() { [ "$(n_bindings)" -eq "$1" ]; }
# n_flows_from SPORT: flows in lmad's table from that source port
n_flows_from() {
	lctl -j show flows | "$PY" -c "
import json, sys
print(sum(1 for f in json.load(sys.stdin) if f['sport'] == $1))"
}
flow_field() {
	lctl -j show flows | "$PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['dport'] == $1][0])"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk "BEGIN { if ($2 > 0) printf \"%.3f\", $1 / $2; else print \"n/a\" }"; }
# kv KEY LINE...: the value of KEY=value in flow_send's result line
kv() {
	k=$1
	shift
	echo "$*" | tr ' ' '\n' | sed -n "s/^$k=//p"
}

# --- python helpers --------------------------------------------------------------------------
# qwatch QUIET_S READY: in the LMA's namespace, polls the NFQUEUE counters every 0.5 ms until
# id_sequence has not moved for QUIET_S seconds after a first change; prints "delta first_ns
# last_ns max_waiting" (realtime; max_waiting: the most packets seen waiting for a verdict).
cat >"$tmp/qwatch.py" <<'EOF'
import sys, time
quiet = float(sys.argv[1])
def q():
    with open('/proc/net/netfilter/nfnetlink_queue') as f:
        rows = [l.split() for l in f if l.strip()]
    return sum(int(r[7]) for r in rows), sum(int(r[2]) for r in rows)
base = q()[0]; last = base; first_t = last_t = None; start = time.time(); maxw = 0
open(sys.argv[2], 'w').close()  # ready
while True:
    v, w = q(); t = time.time_ns(); maxw = max(maxw, w)
    if v != last:
        if first_t is None:
            first_t = t
        last_t = t; last = v
    elif first_t is not None and (t - last_t) / 1e9 > quiet:
        break
    elif first_t is None and time.time() - start > 20:
        break
    time.sleep(0.0005)
print(last - base, first_t or 0, last_t or 0, maxw)
EOF

# recv PORT SECONDS OUT: a receiver on the MN recording, per datagram, its sequence number, send
# time, kernel receive time (SO_TIMESTAMPNS, realtime) and ingress interface (IPV6_PKTINFO).
cat >"$tmp/recv.py" <<'EOF'
import socket, struct, sys, time
port, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
s.bind(('::', port)); s.settimeout(0.5)
recs = []; end = time.time() + secs
while time.time() < end:
    try:
        d, anc, _, _ = s.recvmsg(128, 256)
    except socket.timeout:
        continue
    ts = ifi = 0
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == 35:
            sec, nsec = struct.unpack('qq', data[:16]); ts = sec * 10**9 + nsec
        elif lvl == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO:
            ifi = struct.unpack('i', data[16:20])[0]
    seq, sent = struct.unpack('QQ', d[:16])
    recs.append('%d %d %d %d' % (seq, sent, ts, ifi))
open(out, 'w').write('\n'.join(recs) + '\n')
EOF

# mover SOCK FLOW N GAP: N moves of FLOW alternating att 7 / att 4, GAP seconds apart; prints
# "att t_start_ns t_return_ns" per move.
cat >"$tmp/mover.py" <<'EOF'
import subprocess, sys, time
ctl, sock, flow, n, gap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
for i in range(n):
    att = '7' if i % 2 == 0 else '4'
    time.sleep(gap)
    t0 = time.time_ns()
    r = subprocess.run([ctl, '-s', sock, 'flow', 'move', flow, 'to', 'att', att],
                       stdout=subprocess.DEVNULL)
    t1 = time.time_ns()
    print(att, t0, t1, r.returncode, flush=True)
EOF

# moves RECORDS MOVES IF1 IF2: for each move, the first datagram on the target interface
# received after the command started.
cat >"$tmp/moves.py" <<'EOF'
import sys
recs = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
moves = [l.split() for l in open(sys.argv[2]) if l.strip()]
ifx = {'4': int(sys.argv[3]), '7': int(sys.argv[4])}
recs.sort(key=lambda r: r[2])
for att, t0, t1, rc in moves:
    t0, t1 = int(t0), int(t1)
    if rc != '0':
        print('move to att %s failed (%s)' % (att, rc)); continue
    first = next((r for r in recs if r[2] >= t0 and r[3] == ifx[att]), None)
    last_old = max((r[2] for r in recs if r[3] != ifx[att] and r[1] <= t1 + 10**6), default=0)
    if not first:
        print('att %s: no packet on the new interface' % att); continue
    # first datagram of the flow *sent* after the command returned, wherever it arrived
    print('%s %.1f %.1f %.1f %d' % (att, (first[2] - t1) / 1e3, (first[2] - t0) / 1e3,
                                   (t1 - t0) / 1e3, first[1] >= t0))
EOF

# --- the run ---------------------------------------------------------------------------------
topology
configs
# lmad on the first CPU, senders on the last: left to itself, the scheduler wakes lmad on the
# sender's CPU (the queue's wake-up comes from there) and the figures vary from run to run
bg lma $RECV_CPU "$BUILD/lmad" -d -f "$tmp/lma.conf"
LMAD=$LAST_PID
bg mag1 "$BUILD/magd" -d -f "$tmp/mag1.conf"
bg mag2 "$BUILD/magd" -d -f "$tmp/mag2.conf"
wait_until 10 lctl show stats || die "lmad does not answer"
nsx mn ip link set if1 up
wait_until 15 has_addresses 1 || die "if1 gets no address"
A1=$(addr_of if1)
wait_until 5 has_bindings 1 || die "no binding"
# the machine's load average before and after: other work on it shows in every figure
echo "flow_bench: $(date -u +%Y-%m-%d), $(uname -r), $NCPU CPUs, MN address $A1, load $(cut -d' ' -f1-3 /proc/loadavg)"
# neighbour discovery and first packets out of the way
nsx cn "$SEND" -s 20000 long "$A1" 1 0.2 >/dev/null

# flood_run SPORT0: one flood; prints "rx_pps sent_pps queued errors"
flood_run() {
	r0=$(rx_both)
	q0=$(queued)
	out=$(nsx cn $FLOOD_CPU "$SEND" -j "$SEND_PROCS" -s "$1" long "$A1" "$FLOWS" "$FLOOD_S")
	sleep 0.2
	r1=$(rx_both)
	q1=$(queued)
	awk "BEGIN { printf \"%d %d %d %d\n\", ($r1 - $r0) / $(kv seconds "$out"), \
		$(kv pps "$out"), $q1 - $q0, $(kv errors "$out") }"
}

echo "== 1. long UDP flows ($FLOWS flows, 64-byte payloads, flow_send x$SEND_PROCS, $FLOOD_S s, x$REPEAT)"
off=""
offs=""
i=0
while [ $i -lt "$REPEAT" ]; do
	set -- $(flood_run $((21000 + i * 100)))
	echo "  OFF (1 binding):  $1 pkt/s at the MN, sender $2 pkt/s, queued $3, send errors $4"
	off="$off $1"
	offs="$offs $2"
	i=$((i + 1))
done
nsx mn ip link set if2 up
wait_until 15 has_addresses 2 || die "if2 gets no address"
wait_until 5 has_bindings 2 || die "no second binding"
sleep 1
on=""
ons=""
i=0
while [ $i -lt "$REPEAT" ]; do
	set -- $(flood_run $((22000 + i * 100)))
	echo "  ON (2 bindings):  $1 pkt/s at the MN, sender $2 pkt/s, queued $3, send errors $4"
	on="$on $1"
	ons="$ons $2"
	i=$((i + 1))
done
OFF=$(echo "$off" | median)
ON=$(echo "$on" | median)
OFFS=$(echo "$offs" | median)
ONS=$(echo "$ons" | median)
R1=$(ratio "$ON" "$OFF")
echo "  median: OFF $OFF pkt/s (sender $OFFS), ON $ON pkt/s (sender $ONS), ON/OFF $R1 (goal >= 0.9)"

echo "== 2. bulk TCP transfer CN -> MN, $TCP_MIB MiB"
nsx mn "$PY" -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', 7000)); s.listen(1)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(1 << 20)
    if not d: break
    n += len(d)
print(n)" >"$tmp/tcp.server" 2>&1 &
SERVER=$!
PID_LIST="$PID_LIST $SERVER"
wait_until 5 sh -c "ip netns exec $(ns mn) ss -ltn | grep -q ':7000 '"
q0=$(queued)
r0=$(rx_both)
T=$(nsx cn "$PY" -c "
import socket, time
b = b'\0' * (1 << 20)
t = time.perf_counter()
s = socket.create_connection(('$A1', 7000), timeout=30)
for i in range($TCP_MIB):
    s.sendall(b)
s.close()
print(time.perf_counter() - t)")
wait "$SERVER"
q1=$(queued)
r1=$(rx_both)
TCPPK=$(flow_field 7000 packets 2>/dev/null || echo 0)
QT=$((q1 - q0))
DN=$((r1 - r0))
echo "  $(cat "$tmp/tcp.server") bytes received in ${T} s; queued $QT packets; the connection: $TCPPK packets (lmad's show flows, both directions), $DN packets received by the MN"
S2=$(awk "BEGIN { printf \"%.4f\", $QT * 100 / ($TCPPK > 0 ? $TCPPK : 1) }")
S2D=$(awk "BEGIN { printf \"%.4f\", $QT * 100 / ($DN > 0 ? $DN : 1) }")
echo "  share that reached user space: $S2 % of the connection's packets, $S2D % of the downlink ones (goal <= 1 %)"

# Figure 4 runs before 3: the bursts leave lmad ~100,000 flows whose connections all expire
# together 30 s later, and the moves must not meet that wave of destroy events.
echo "== 4. flow move: one UDP flow, one datagram every $PERIOD_US us; $MOVES moves by pmipctl, then $MOVES by flow_move, 0.5 s apart"
DUR=$(awk "BEGIN { print 1.5 + $MOVES + 1 }")
nsx mn $RECV_CPU "$PY" "$tmp/recv.py" 9500 "$((${DUR%.*} + 2))" "$tmp/recs" &
RV=$!
PID_LIST="$PID_LIST $RV"
wait_until 5 sh -c "ip netns exec $(ns mn) ss -lun | grep -q ':9500 '"
nsx cn $SEND_CPU "$SEND" pace "$A1" 9500 "$DUR" "$PERIOD_US" >"$tmp/pace" &
PV=$!
PID_LIST="$PID_LIST $PV"
wait_until 3 flow_field 9500 id || die "the paced flow is not in show flows"
FID=$(flow_field 9500 id)
"$PY" "$tmp/mover.py" "$BUILD/pmipctl/pmipctl" "$tmp/lma.sock" "$FID" "$MOVES" 0.5 >"$tmp/moves"
# the C client goes on from where pmipctl left the flow (att 4 after an even number of moves)
if [ $((MOVES % 2)) -eq 0 ]; then set -- 7 4; else set -- 4 7; fi
"$BUILD/tests/bench/flow_move" "$tmp/lma.sock" "$FID" "$MOVES" 0.5 "$1" "$2" >"$tmp/cmoves" ||
	echo "flow_bench: flow_move failed"
wait "$PV"
wait "$RV"
P=$(cat "$tmp/pace")
echo "  sender: $(kv sent "$P") datagrams, $(kv late "$P") sent more than a period late; received $(wc -l <"$tmp/recs")"
IF1=$(nsx mn cat /sys/class/net/if1/ifindex)
IF2=$(nsx mn cat /sys/class/net/if2/ifindex)
"$PY" "$tmp/moves.py" "$tmp/recs" "$tmp/moves" "$IF1" "$IF2" >"$tmp/lat"
"$PY" "$tmp/moves.py" "$tmp/recs" "$tmp/cmoves" "$IF1" "$IF2" >"$tmp/clat"
echo "  pmipctl (a process per move): to att | first packet on the new interface after pmipctl returned (us) | after it started (us) | pmipctl's duration (us)"
awk '{ printf "  %6s | %10s | %10s | %10s\n", $1, $2, $3, $4 }' "$tmp/lat"
LRET=$(awk '{ print $2 }' "$tmp/lat" | median)
LSTART=$(awk '{ print $3 }' "$tmp/lat" | median)
LCTL=$(awk '{ print $4 }' "$tmp/lat" | median)
echo "  median: $LRET us after pmipctl returned, $LSTART us after it started; pmipctl takes $LCTL us (goal < 1000 us; resolution: one period, $PERIOD_US us)"
echo "  flow_move (one open connection): to att | after the reply (us) | after the request was written (us) | request to reply (us)"
awk '{ printf "  %6s | %10s | %10s | %10s\n", $1, $2, $3, $4 }' "$tmp/clat"
CRET=$(awk '{ print $2 }' "$tmp/clat" | median)
CREQ=$(awk '{ print $3 }' "$tmp/clat" | median)
CMAX=$(awk '{ print $3 }' "$tmp/clat" | sort -n | tail -n 1)
CRTT=$(awk '{ print $4 }' "$tmp/clat" | median)
echo "  median: $CREQ us after the request (worst $CMAX us), $CRET us after the reply; request to reply $CRTT us (goal < 1000 us; resolution: one period, $PERIOD_US us)"

# burst_run SPORT RATE: BURST new flows (one datagram each, destination ports 10000.., source
# port SPORT) at RATE datagrams/s (0: as fast as flow_send goes). Prints "sender_pps queued span_s
# classified_per_s classified unqueued queue_full_drops netlink_drops max_waiting lmad_cpu_ms":
# span from the
# burst's start to the queue counter's last change; unqueued: datagrams of the burst that reached
# the MN (its DROP rule's counter) but were never queued. Failing open (lmad's default), a full
# queue lets packets pass and the kernel counts them nowhere: not as queue-full drops, not in
# id_sequence.
burst_run() {
	d0=$(qfield 6)
	u0=$(qfield 7)
	r0=$(burst_rx)
	c0=$(lmad_cpu_ms)
	rm -f "$tmp/qready"
	nsx lma $RECV_CPU "$PY" "$tmp/qwatch.py" 1 "$tmp/qready" >"$tmp/qwatch" &
	QW=$!
	PID_LIST="$PID_LIST $QW"
	wait_until 5 test -e "$tmp/qready"
	rate=""
	[ "$2" -gt 0 ] && rate="-r $2"
	out=$(nsx cn $SEND_CPU "$SEND" -s "$1" $rate new "$A1" "$BURST")
	wait "$QW"
	c1=$(lmad_cpu_ms)
	sleep 0.3
	nf=$(n_flows_from "$1")
	r1=$(burst_rx)
	set -- $(cat "$tmp/qwatch")
	awk "BEGIN { span = ($3 - $(kv start_ns "$out")) / 1e9; if (span <= 0) span = 1e-9
		printf \"%d %d %.4f %d %d %d %d %d %d %d\n\", $(kv pps "$out"), $1, span, $nf / span, $nf,
		$r1 - $r0 - $1, $(qfield 6) - $d0, $(qfield 7) - $u0, $4, $c1 - $c0 }"
}

echo "== 3. new flows: bursts of $BURST one-datagram UDP flows (distinct destination ports)"
echo "  offered/s | sender/s | queued | classified (show flows) | span s | classified/s | passed unqueued | queue-full drops | netlink drops | max waiting | lmad CPU ms"
sport=8999
FLOWRATE=0
SRATE=0
BEST=0
for rate in 0 $BURST_RATES; do
	set -- $(burst_run $sport "$rate")
	label=$rate
	[ "$rate" -eq 0 ] && label=max
	printf "  %9s | %8s | %6s | %6s | %6s | %8s | %6s | %4s | %4s | %4s | %4s\n" "$label" "$1" "$2" \
		"$5" "$3" "$4" "$6" "$7" "$8" "$9" "${10}"
	if [ "$rate" -eq 0 ]; then
		FLOWRATE=$4
		SRATE=$1
		FULLCL=$5
		FULLUNQ=$6
		FULLCPU=${10}
	fi
	# the rate the sender reached, not the one asked of it: on a busy CPU they differ
	if [ "$6" -eq 0 ] && [ "$5" -eq "$BURST" ] && [ "$1" -gt "$BEST" ]; then
		BEST=$1
	fi
	sport=$((sport - 1))
done
echo "  full speed: $FLOWRATE new flows classified/s (sender $SRATE/s; $FULLCL classified, $FULLUNQ passed unqueued; lmad CPU $FULLCPU ms) (goal >= 100000)"
echo "  highest sender rate with every flow classified: $BEST/s"
lctl show stats 2>/dev/null | grep -i -e flow -e queue | sed 's/^/  stats: /'
FCB=""
if [ -x "$BUILD/tests/lma/fc_bench" ]; then
	FCB=$("$BUILD/tests/lma/fc_bench" 2>&1 | head -n 1)
	echo "  $FCB"
	FCB=$(echo "$FCB" | sed -n 's/.*: \([0-9]*\) new flows\/s.*/\1/p')
fi

echo "flow_bench: load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$LMAD"
wait_until 10 sh -c "! kill -0 $LMAD 2>/dev/null" || echo "flow_bench: lmad did not exit"

echo
echo "| figure | measured | goal |"
echo "|---|---|---|"
echo "| downlink pkt/s, classifier OFF (1 binding) | $OFF | |"
echo "| downlink pkt/s, classifier ON (2 bindings) | $ON | |"
echo "| ON/OFF | $R1 | >= 0.9 |"
echo "| TCP ${TCP_MIB} MiB: packets to user space | $QT of $TCPPK ($S2 %) | <= 1 % |"
echo "| new flows/s through the queue (burst of $BURST, full speed) | $FLOWRATE (sender $SRATE/s; $FULLUNQ passed unqueued) | >= 100,000 |"
echo "| highest new-flow rate sent with every flow classified (bursts at max, $BURST_RATES) | $BEST | >= 100,000 |"
echo "| new flows/s, classifier alone (fc_bench) | ${FCB:-n/a} | >= 100,000 |"
echo "| flow move -> first packet on the new interface (median of $MOVES) | $LRET us after return, $LSTART us after start | < 1 ms |"
echo "| pmipctl flow move duration (median) | $LCTL us | |"
echo "| flow move request (open connection) -> first packet on the new interface (median of $MOVES, worst) | $CREQ us, worst $CMAX us | < 1 ms |"
echo "| flow move request -> reply (median) | $CRTT us | |"
