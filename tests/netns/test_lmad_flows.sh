#!/bin/sh
# test_lmad_flows.sh: flow mobility through the real daemons (draft-bernardos-mif-pmip-02 §5.3):
# a CN, lmad, two magd (WLAN, 3G) and a multihomed Linux MN. Flows to the MN's first address
# arrive by default on its first interface; `pmipctl flow move` and policies send one to the
# other interface while another stays; a TCP connection moved there and back completes with its
# data intact; a binding's removal moves its flows; only a flow's first packets reach user space;
# `show flows MN-ID` lists the MN's flows; conntrack destroying a connection removes its flow;
# the chains go at exit.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to a build tree}"

tmp=$(mktemp -d /tmp/pmip-flows.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT

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
}

configs() {
	cat >"$tmp/lma.conf" <<EOF
lma-address 2001:db8:ffff::100
uplink-interface br0
tunnel-driver $TEST_DRIVER
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
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
tunnel-driver $TEST_DRIVER
control-socket $tmp/mag$m.sock
access-interface acc$m { access-technology $att }
mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }
EOF
	done
}

lctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" "$@"; }

two_addresses() {
	[ "$(nsx mn ip -6 addr show scope global | grep -c 'inet6 2001:db8:100')" -ge 2 ]
}

rx() { rx_packets mn "$1"; }
send_udp() { udp_burst cn "$@"; }
grown() { rx_grown mn "$@"; }

# arrive PORT COUNT IF: COUNT datagrams of the flow on PORT reach the MN through IF.
arrive() {
	before=$(rx "$3")
	send_udp "$A1" "$1" "$2"
	wait_until 3 grown "$3" "$before" "$2"
}

# flow_field PORT FIELD: a field of the flow to PORT in pmipctl -j show flows.
flow_field() {
	lctl -j show flows | "$PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['dport'] == $1][0])"
}

start_daemons() {
	bg lma "$BUILD/lmad" -d -f "$tmp/lma.conf"
	LMAD=$LAST_PID
	bg mag1 "$BUILD/magd" -d -f "$tmp/mag1.conf"
	bg mag2 "$BUILD/magd" -d -f "$tmp/mag2.conf"
	wait_until 10 lctl show stats
	nsx mn ip link set if1 up
	nsx mn ip link set if2 up
}

# A TCP transfer CN -> MN with a SHA-256 check; the server prints the digest it received.
tcp_server() {
	nsx mn "$PY" -c "
import hashlib, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', $1)); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256()
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d)
print(h.hexdigest())" >"$tmp/server.$1" 2>&1 &
	SERVER=$!
	PID_LIST="$PID_LIST $SERVER"
}

# tcp_client PORT CHUNKS PAUSE: CHUNKS of 64 KiB with PAUSE seconds between them; prints the digest.
tcp_client() {
	nsx cn "$PY" -c "
import hashlib, os, socket, time
random = os.urandom(65536 * $2)
s = socket.create_connection(('$A1', $1), timeout=20)
for i in range($2):
    s.sendall(random[i * 65536:(i + 1) * 65536]); time.sleep($3)
s.close()
print(hashlib.sha256(random).hexdigest())"
}

listening() { nsx mn ss -ltn | grep -q ":$1 "; }

topology
configs
start_daemons
check "both interfaces attach and get their addresses" wait_until 15 two_addresses
A1=$(addr_of if1)
A2=$(addr_of if2)
prefix64() { "$PY" -c "import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + '/64', False))" "$1"; }
P1=$(prefix64 "$A1")
P2=$(prefix64 "$A2")
# routes_prefix MAG PREFIX: MAG routes PREFIX to the MN
routes_prefix() { nsx "$1" ip -6 route show proto 157 | grep -q "^$2 via fe80"; }
both_mags_route_both() { routes_prefix mag1 "$P2" && routes_prefix mag2 "$P1"; }
# each MAG routes both prefixes (the second learns the first's by PBA or Update Notification):
# only then can a flow move to either interface
check "MAG1 and MAG2 each route both prefixes" wait_until 15 both_mags_route_both
check "the LMA shows one MN with two bindings" wait_until 5 sh -c \
	"$BUILD/pmipctl/pmipctl -s $tmp/lma.sock -j show bindings | $PY -c \
	'import json,sys; j=json.load(sys.stdin); sys.exit(not (len(j)==1 and len(j[0][\"bindings\"])==2))'"

# default: both flows by the first interface
wait_until 5 arrive 5001 5 if1 >/dev/null 2>&1 # neighbour discovery may eat the first ones
check "flow 5001 arrives on if1 (default)" arrive 5001 100 if1
check "flow 5002 arrives on if1 (default)" arrive 5002 100 if1
check "show flows: flow 5002 is carried by MAG1" test "$(flow_field 5002 mag)" = 2001:db8:ffff::1
F2=$(flow_field 5002 id)

# a move: flow 5002 to the 3G interface, flow 5001 stays
check "flow move $F2 to att 7" lctl flow move "$F2" to att 7
check "flow 5002 now arrives on if2" arrive 5002 100 if2
check "flow 5001 still arrives on if1" arrive 5001 100 if1
check "show flows: 5002 moved, at MAG2" test "$(flow_field 5002 mag) $(flow_field 5002 moved)" \
	= "2001:db8:ffff::2 True"
check "flow move to an unknown flow fails" sh -c "! lctl flow move 99999 to att 7"
check "flow move to a target the MN lacks fails" sh -c "! lctl flow move $F2 to att 99"
check "a bad flow move changes nothing" arrive 5002 50 if2

# policies apply to new flows, and changes to existing ones
check "policy add: udp 6000-6010 to att 7" lctl policy add proto udp dst-port 6000-6010 to att 7
check "a new flow on 6001 arrives on if2 (policy)" arrive 6001 100 if2
policy_listed() { lctl policy list | grep -q 'dst-port 6000-6010 to att 7'; }
check "policy list shows it" policy_listed
P=$(lctl -j policy list | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
check "policy del $P" lctl policy del "$P"
check "then flow 6001 goes back to its default interface" arrive 6001 100 if1

# a TCP connection moved there and back keeps its data, and stays in the kernel
q0=$(nsx lma sh -c "$(command -v awk) '{ s += \$8 } END { print s + 0 }' /proc/net/netfilter/nfnetlink_queue")
tcp_server 7000
wait_until 5 listening 7000
tcp_client 7000 32 0.05 >"$tmp/client" &
CLIENT=$!
wait_until 5 flow_field 7000 id >/dev/null 2>&1
FT=$(flow_field 7000 id)
check "TCP flow $FT moved to att 7 during the transfer" lctl flow move "$FT" to att 7
sleep_until_more() { test "$(flow_field 7000 packets)" -gt "$1"; }
n=$(flow_field 7000 packets)
check "TCP packets keep flowing after the move" wait_until 5 sleep_until_more "$n"
check "and back to att 4" lctl flow move "$FT" to att 4
wait "$CLIENT"
wait_until 10 test -s "$tmp/server.7000"
check "TCP transfer moved there and back: data intact" \
	test "$(cat "$tmp/server.7000")" = "$(cat "$tmp/client")"
q1=$(nsx lma sh -c "$(command -v awk) '{ s += \$8 } END { print s + 0 }' /proc/net/netfilter/nfnetlink_queue")
pk=$(flow_field 7000 packets 2>/dev/null || echo 0)
check "a 2 MiB TCP transfer: at most 3 packets reached user space ($((q1 - q0)) of $pk)" \
	test "$((q1 - q0))" -le 3

# losing the first interface moves its flows at once
check "flow 5001 is on if1 before" test "$(flow_field 5001 mag)" = 2001:db8:ffff::1
nsx mag1 ip link set acc1 down
check "MAG1 de-registers: flow 5001 moves to MAG2" \
	wait_until 5 sh -c "test \"\$($BUILD/pmipctl/pmipctl -s $tmp/lma.sock -j show flows | $PY -c \
	'import json,sys; print([f[\"mag\"] for f in json.load(sys.stdin) if f[\"dport\"]==5001][0])')\" = 2001:db8:ffff::2"
check "and its packets reach the MN through if2 (weak host)" arrive 5001 100 if2

flows_stat() {
	lctl -j show stats | "$PY" -c "
import json, sys
j = json.load(sys.stdin)['flows']
sys.exit(not (j['classified'] == 4 and j['moved'] >= 3 and j['queued'] >= 4))"
}
check "show stats: the four flows classified, the moves counted" flows_stat

# show flows MN-ID: that MN's flows, found through lmad's index by MN
n_flows() {
	lctl -j show flows "$@" | "$PY" -c "import json, sys; print(len(json.load(sys.stdin)))"
}
all_the_mns() { test "$(n_flows mn1@example.org)" = "$(n_flows)" && test "$(n_flows)" -ge 3; }
check "show flows mn1@example.org: all the MN's flows" all_the_mns
check "show flows of an MN without flows: none" test "$(n_flows nobody@example.org)" = 0

# conntrack destroys a connection: its flow leaves the table (lmad's index by connection)
no_flow() { ! flow_field "$1" id; }
check "flow 5002 is in the table" flow_field 5002 id
nsx lma conntrack -D -p udp --dport 5002 >/dev/null 2>&1
check "conntrack destroys its connection: flow 5002 leaves the table" wait_until 5 no_flow 5002
check "and flow 5001 stays" flow_field 5001 id

# exit: nothing of ours in the firewall
kill "$LMAD"
check "lmad exits" wait_until 10 sh -c "! kill -0 $LMAD 2>/dev/null"
check "no chain of ours after exit" sh -c "! ip netns exec $(ns lma) ip6tables-save -t mangle | grep -q PMIP6"
check "no set of ours after exit" sh -c "! ip netns exec $(ns lma) ipset list -n | grep -q pmip6"
finish
