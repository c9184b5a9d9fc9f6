#!/bin/sh
# test_lab_delay.sh: steering by delay and by bytes end to end in the lab (netns-lab/lab.sh: a
# CN, lmad, MAG1 on WLAN (att 4), MAG2 on 3G (att 7), a multihomed plain Linux MN), issue 15:
#   1 LAB_SHAPE's core-delay shapes the LMA-MAG path: MAG1's 20 ms each way, MAG2's 2 ms; the
#     LMA's heartbeat (every 100 ms) measures it (pmipctl show peers), and so does a ping
#     through each tunnel;
#   2 smallest-delay: a flow to the MN's if1 address goes through MAG2, the lower round trip,
#     and says why; the policy's hysteresis is a JSON field;
#   3 the delays swap (lab_core_delay): the flow moves to MAG1 and arrives on if1; the time from
#     the swap to the move is printed;
#   4 load-balance by bytes, 3:1: flows of unequal sizes started one after the other end with
#     MAG1's share of their bytes near 3/4.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
LAB_SHAPE="1:core-delay=20 2:core-delay=2"
LAB_LMA_EXTRA="heartbeat interval 100ms misses 5
policy { proto udp dst-port 5301 } smallest-delay att 4 att 7
policy { proto udp dst-port 11000-11999 } load-balance att 4 weight 3 att 7 weight 1 by bytes"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
T="$PY $top/netns-lab/traffic.py"

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG1=$(lab_mag_addr 1)
MAG2=$(lab_mag_addr 2)

count() { $T counts "$LAB_DIR/counts" "$1" "$2"; }
count_ge() { test "$(count "$1" "$2")" -ge "$3"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
flow_why() { test "$(lab_flow_field "$1" why 2>/dev/null)" = "$2"; }

# srtt_between MAG LO HI: the LMA's smoothed RTT to MAG is within LO..HI ms.
srtt_between() {
	lab_ctl -j show peers | "$PY" -c "
import json, sys
s = [p['srtt_us'] for p in json.load(sys.stdin) if p['address'] == '$1']
sys.exit(0 if s and $2 * 1000 <= s[0] <= $3 * 1000 else 1)"
}
# ping_ms ADDR: the CN's median round trip to ADDR in ms.
ping_ms() {
	lab_x cn ping -c 10 -i 0.05 -W 2 "$1" 2>/dev/null | "$PY" -c "
import re, statistics, sys
r = [float(x) for x in re.findall(r'time=([0-9.]+) ms', sys.stdin.read())]
print(int(statistics.median(r)) if r else -1)"
}

lab_start
lab_attach 1 1
lab_attach 1 2
check "0: if1 gets an address" wait_until 30 lab_has_addr 1 1
check "0: if2 gets an address" wait_until 30 lab_has_addr 1 2
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
both_active() { lab_binding_active "$MAG1" && lab_binding_active "$MAG2"; }
check "0: both bindings active" wait_until 15 both_active

# --- 1. the shaped path, as the heartbeat and a ping see it ---

check "1: the heartbeat's smoothed RTT to MAG1 is its 2 x 20 ms (30..80)" \
	wait_until 15 srtt_between "$MAG1" 30 80
check "1: ... to MAG2 its 2 x 2 ms (0..15)" wait_until 15 srtt_between "$MAG2" 0 15
p1=$(ping_ms "$A1")
p2=$(ping_ms "$A2")
echo "CN ping through the tunnels: MAG1 ${p1} ms, MAG2 ${p2} ms"
check "1: a ping through MAG1's tunnel takes the 40 ms ($p1)" test "$p1" -ge 38 -a "$p1" -le 90
check "1: a ping through MAG2's tunnel does not ($p2)" test "$p2" -ge 0 -a "$p2" -le 20

# --- 2. smallest-delay: the lower round trip ---

check "2: the policy is listed as smallest-delay with its default hysteresis" \
	jtest 'j[0]["mode"] == "smallest-delay" and j[0]["hysteresis"] == {"percent": 20}' \
	lab_ctl -j show policies
check "2: the by-bytes policy says so" jtest 'j[1]["by"] == "bytes"' lab_ctl -j show policies
check "2: pmipctl adds a smallest-delay policy with its hysteresis" out_has \
	"^policy 3: proto tcp smallest-delay att 7 att 4 hysteresis 10%$" \
	lab_ctl policy add proto tcp smallest-delay att 7 att 4 hysteresis 10%
check "2: ... and a load-balance by bytes" out_has \
	"^policy 4: proto tcp load-balance att 7 weight 1 att 4 weight 2 by bytes$" \
	lab_ctl policy add proto tcp load-balance att 7 att 4 weight 2 by bytes
check "2: hysteresis in ms as a JSON field" jtest 'j[0]["hysteresis"] == {"ms": 15}' \
	lab_ctl -j policy add proto sctp smallest-delay att 7 hysteresis 15ms
check "2: hysteresis outside smallest-delay is refused" sh -c \
	"! $LAB_BUILD/pmipctl/pmipctl -s $LAB_DIR/lma.sock policy add priority att 4 hysteresis 5%"
for id in 3 4 5; do check "2: pmipctl deletes policy $id" lab_ctl policy del $id; done
lab_bg mn1 /dev/null $T udp-count 5301 --out "$LAB_DIR/counts"
wait_until 5 test -s "$LAB_DIR/counts"
lab_bg cn /dev/null $T udp-send "$A1" 5301 --rate 100
check "2: the flow to if1's address goes through MAG2, the lower RTT" \
	wait_until 10 lab_flow_on 5301 "$MAG2"
check "2: why: smallest-delay" flow_why 5301 smallest-delay
check "2: show flows prints mode and why" out_has "smallest-delay smallest-delay" lab_ctl show flows
check "2: it arrives on if2" wait_until 5 count_ge 5301 if2 50

# --- 3. the delays swap: the flow follows ---

t0=$(now_ms)
lab_core_delay 2 20
lab_core_delay 1 2
check "3: the flow moves to MAG1 once its RTT is the lower" wait_until 20 lab_flow_on 5301 "$MAG1"
t1=$(now_ms)
echo "smallest-delay: the flow moved $((t1 - t0)) ms after the delays swapped (100 ms heartbeats, 20 % hysteresis, smoothing 1/8)"
check "3: why: smallest-delay" flow_why 5301 smallest-delay
b1=$(count 5301 if1)
check "3: it arrives on if1 now" wait_until 5 count_ge 5301 if1 $((b1 + 50))
check "3: the heartbeat sees the swap: MAG2 30..80 ms" wait_until 15 srtt_between "$MAG2" 30 80

# --- 4. load-balance by bytes ---

# 8 flows of unequal sizes one after the other (0.6 s each; payload octets x datagrams/s), each
# started once lmad counts all the bytes of the last (conntrack's counters, which `show flows`
# reads too): what a new flow is placed by. UDP's conntrack entries last 30 s: all 8 stay.
# bytes_seen PORT BYTES: lmad's flow to PORT has carried BYTES (payload) or more
bytes_seen() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
sys.exit(not any(f['proto'] == 'udp' and f['dport'] == $1 and f['bytes'] >= $2
                 for f in json.load(sys.stdin)))"
}
i=0
for shape in 1200x200 300x100 600x200 100x100 1200x100 300x200 600x100 100x200; do
	size=${shape%x*} rate=${shape#*x}
	lab_x cn $T udp-send "$A1" $((11000 + i)) --size "$size" --rate "$rate" --seconds 0.6
	check "4: lmad counts flow $((11000 + i))'s bytes" \
		wait_until 10 bytes_seen $((11000 + i)) $((size * rate * 6 / 10 * 9 / 10))
	i=$((i + 1))
done
# shares: MAG1's share of the bytes and of the flows, the largest flow's share of all. UDP flows
# only: an ICMPv6 echo's identifier shows as its dport, and step 1's pings are random ones (CI
# once saw two of them in 11000..11999).
shares() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
fs = [f for f in json.load(sys.stdin) if f['proto'] == 'udp' and 11000 <= f['dport'] <= 11999]
tot = sum(f['bytes'] for f in fs)
on1 = sum(f['bytes'] for f in fs if f['mag'] == '$MAG1')
n1 = sum(f['mag'] == '$MAG1' for f in fs)
ok = len(fs) == 8 and tot > 0 and all(f['why'] == 'bytes' for f in fs)
print('%d %d %d %d %d' % (len(fs), n1, on1 * 1000 // max(tot, 1), max(f['bytes'] for f in fs) * 1000 // max(tot, 1), ok))
print(' '.join('%d:%s:%d' % (f['dport'], f['why'], f['bytes']) for f in fs), file=sys.stderr)"
}
set -- $(shares)
echo "load-balance 3:1 by bytes, $1 flows of unequal sizes: MAG1 has $2 of them and ${3} per mille of the bytes (the largest flow is ${4} per mille)"
check "4: 8 flows, each placed by bytes" test "${5:-0}" -eq 1
check "4: MAG1's share of the bytes is 3/4 within the largest flow's share (${3} per mille)" \
	test "$3" -ge $((750 - $4)) -a "$3" -le $((750 + $4))

for f in "$LAB_DIR"/*.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
