#!/bin/sh
# test_lab_shape.sh: the lab's researcher switches (netns-lab/lab.sh, doc/lab.md): LAB_SHAPE gives
# MAG 1's access link a 20 ms delay each way and MAG 2's a 100 ms one with 20 % loss and a rate
# limit; LAB_PCAP=1 keeps a capture of every link. The CN's pings to the MN's two addresses
# (weak host: each arrives through its own interface) take the configured round trips, the lossy
# link loses about its share, the rate limit holds a UDP burst to its rate, and the captures hold
# the PBU and PBA of each MAG.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
export LAB_BUILD
. "$(dirname "$0")/../../netns-lab/lab.sh"

LAB_SHAPE="1:delay=20 2:delay=100,loss=20,rate=1mbit"
LAB_PCAP=1
lab_create
trap 'cleanup; lab_destroy; rm -rf "$LAB_DIR"' EXIT
lab_start
lab_attach 1 1
lab_attach 1 2
check "the MN attaches on both interfaces" lab_wait 30 lab_mn_attached 1
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)

# rtt_ms ADDR COUNT: the CN's median round trip to ADDR in ms, and its loss in %, as "RTT LOSS"
rtt_ms() {
	lab_x cn ping -c "$2" -i 0.05 -W 2 "$1" 2>/dev/null | "$PY" -c "
import re, statistics, sys
out = sys.stdin.read()
rtts = [float(x) for x in re.findall(r'time=([0-9.]+) ms', out)]
loss = float(re.search(r'([0-9.]+)% packet loss', out).group(1))
print(int(statistics.median(rtts)) if rtts else -1, int(loss))"
}
set -- $(rtt_ms "$A1" 20)
echo "if1: median round trip $1 ms, loss $2 %"
check "if1: the round trip is the two 20 ms delays (40..80 ms: $1)" test "$1" -ge 40 -a "$1" -le 80
check "if1: no loss ($2 %)" test "$2" -eq 0
set -- $(rtt_ms "$A2" 100)
echo "if2: median round trip $1 ms, loss $2 %"
check "if2: the round trip is the two 100 ms delays (200..260 ms: $1)" test "$1" -ge 200 -a "$1" -le 260
# 20 % each way: 36 % of the round trips lost on average; 100 pings put it within 15..60
check "if2: about 36 % of the round trips lost ($2 %)" test "$2" -ge 15 -a "$2" -le 60

# the rate: 1 Mbit/s toward if2. A 2-second burst of 1,000-octet datagrams at 4 Mbit/s: what
# arrived by the burst's end is at most what 1 Mbit/s lets through in 2 s (and tbf's burst)
rx_bytes() { lab_x mn1 cat /sys/class/net/if2/statistics/rx_bytes; }
b0=$(rx_bytes)
lab_x cn "$PY" -c "
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
end = time.time() + 2
while time.time() < end:
    s.sendto(b'x' * 1000, ('$A2', 9)); time.sleep(0.002)"
kbit=$((($(rx_bytes) - b0) * 8 / 1000 / 2))
echo "if2: ${kbit} kbit/s arrived during a 2-second burst at up to 4 Mbit/s"
check "if2: the rate limit holds (${kbit} kbit/s, at most 1,250: the rate and tbf's 32 KB burst)" test "$kbit" -le 1250
check "if2: and the link carried traffic (${kbit} kbit/s, at least 300)" test "$kbit" -ge 300

has_mh() { tshark -r "$LAB_DIR/pcap/mag$1-core.pcap" -Y "mip6.mhtype == $2" 2>/dev/null | grep -q .; }
check "the capture of MAG 1's core link holds its PBU" has_mh 1 5
check "and the LMA's PBA" has_mh 1 6
check "the capture of MAG 2's core link holds its PBU" has_mh 2 5
check "the access link captures hold the Router Advertisements" sh -c \
	"tshark -r $LAB_DIR/pcap/mag1-mn1.pcap -Y 'icmpv6.type == 134' 2>/dev/null | grep -q ."
finish
