#!/bin/sh
# test_lmad_samemag.sh: two interfaces of one multihomed MN attached to the same MAG, through the
# real daemons (issue 12): a CN, lmad, one magd with two access interfaces (WLAN, 3G) and a Linux
# MN with one interface on each. Each interface gets its own binding and prefix; the MAG routes
# each prefix to the interface that owns it, one route and one source rule per prefix, nothing
# de-registered by a rule added twice; either interface going leaves the other its routes and
# rules (the prefix of the one gone is delivered on the one left while the LMA holds it); the
# interface coming back takes its prefix back. A flow moves between the two bindings by its
# binding tag (doc/datapath.md, ebpf driver): lmad and magd each hold one tag per binding, the
# moved flow's packets arrive on the other interface and come back when moved back, a flow not
# moved stays; pmipctl show bindings gives the same tags at both ends; lmad killed and started
# again from its binding file makes the tags again and the moved flow stays moved; either
# binding going removes both tags and the moved flow falls back. With a
# driver that cannot write a tag (ip6tnl, seg6) the move is refused, naming the driver.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib.sh"
: "${BUILD:?set BUILD to a build tree}"

tmp=$(mktemp -d /tmp/pmip-samemag.XXXXXX)
trap 'cleanup; rm -rf "$tmp"' EXIT

topology() {
	ns_add lma mag mn cn
	link mag v1 lma p1
	nsx mag ip addr add 2001:db8:ffff::1/64 dev v1 nodad
	nsx lma ip addr add 2001:db8:ffff::100/64 dev p1 nodad
	nsx mag sysctl -qw net.ipv6.conf.all.forwarding=1
	for m in 1 2; do
		ip link add "acc$m" netns "$(ns mag)" type veth peer name "if$m" netns "$(ns mn)"
		nsx mn ip link set "if$m" address "02:00:00:00:00:0$m"
		nsx mag ip link set "acc$m" up
	done
	cn_link
}

configs() {
	cat >"$tmp/lma.conf" <<EOF
lma-address 2001:db8:ffff::100
uplink-interface p1
tunnel-driver $TEST_DRIVER
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
binding-file $tmp/lma.bindings
binding-sync 200ms
mn any
mag 2001:db8:ffff::1
EOF
	cat >"$tmp/mag.conf" <<EOF
lma-address 2001:db8:ffff::100
proxy-coa 2001:db8:ffff::1
uplink-interface v1
tunnel-driver $TEST_DRIVER
control-socket $tmp/mag.sock
access-interface acc1 { access-technology 4 }
access-interface acc2 { access-technology 7 attach-on-link-up yes }
mn mn1@example.org { mac 02:00:00:00:00:01 mac 02:00:00:00:00:02 multihoming yes }
EOF
}

lctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/lma.sock" "$@"; }
mctl() { "$BUILD/pmipctl/pmipctl" -s "$tmp/mag.sock" "$@"; }

has_addr() { test -n "$(addr_of "$1")"; }
prefix64() { "$PY" -c "import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + '/64', False))" "$1"; }

# route_dev PREFIX: the access interface the MAG routes PREFIX through (proto 157).
route_dev() { nsx mag ip -6 route show proto 157 | awk -v p="$1" '$1 == p { print $5 }'; }
routed_via() { test "$(route_dev "$1")" = "$2"; }
# n_rules PREFIX: the MAG's source rules for PREFIX.
n_rules() { nsx mag ip -6 rule show | grep -c "from $1 "; }

n_bindings() { jget "sum(len(m['bindings']) for m in j)" lctl -j show bindings; }
registered_entries() {
	jget "sum(1 for m in j for b in m['bindings'] if b['state'] == 'registered')" \
		mctl -j show bindings
}
mag_stat() { jget "j['$1']['$2']" mctl -j show stats; }
lma_stat() { jget "j['$1']['$2']" lctl -j show stats; }
# tags_are N: lmad and magd each hold N binding tags.
tags_are() { test "$(lma_stat kernel tags) $(mag_stat kernel tags)" = "$1 $1"; }
# shown_tags lctl|mctl: the tags show bindings gives, sorted (None: a binding without one).
shown_tags() { jget "sorted((b['tag'] for m in j for b in m['bindings']), key=str)" "$1" -j show bindings; }
# tag_count lctl|mctl: "TAGGED BINDINGS", a binding counted tagged when it has both a tag and a
# mark in show bindings (so that no check below passes on an empty answer)
tag_count() {
	jget "' '.join(map(str, (sum(1 for m in j for b in m['bindings'] if b['tag'] is not None and b['tag_mark']), sum(len(m['bindings']) for m in j))))" "$1" -j show bindings
}
untagged() { tag_count "$1" | { read -r t n && [ "$t" -eq 0 ] && [ "$n" -ge 1 ]; }; }

rx() { rx_packets mn "$1"; }
# arrive DST PORT COUNT IF: COUNT datagrams to DST reach the MN through IF.
arrive() {
	before=$(rx "$4")
	udp_burst cn "$1" "$2" "$3"
	wait_until 3 rx_grown mn "$4" "$before" "$3"
}
flow_id() { jget "[f['id'] for f in j if f['dport'] == $1][0]" lctl -j show flows; }
binding_of_att() {
	jget "[b['id'] for m in j for b in m['bindings'] if b['att'] == $1][0]" lctl -j show bindings
}

topology
configs
bg lma "$BUILD/lmad" -d -f "$tmp/lma.conf" >"$tmp/lma.log" 2>&1
LMA_PID=$LAST_PID
bg mag "$BUILD/magd" -d -f "$tmp/mag.conf" >"$tmp/mag.log" 2>&1
check "lmad answers on its control socket" wait_until 10 lctl show stats
drv_read "$tmp/lma.log"
# binding tags need the ebpf driver; with another the move is refused, naming the driver
tagging() { [ "$DRV" = ebpf ]; }
TAGS=0
tagging && TAGS=2
# one request: it must fail, and its message name the driver
refused_naming_driver() {
	out=$(lctl flow move "$1" to binding "$2" 2>&1) && return 1
	printf '%s\n' "$out" | grep -q "the $DRV tunnel driver cannot tag"
}
nsx mn ip link set if1 up
nsx mn ip link set if2 up

both_addresses() { has_addr if1 && has_addr if2; }
check "both interfaces get an address" wait_until 15 both_addresses
A1=$(addr_of if1)
A2=$(addr_of if2)
P1=$(prefix64 "$A1")
P2=$(prefix64 "$A2")
check "two prefixes ($P1, $P2)" test "$P1" != "$P2"
two_bindings() { test "$(n_bindings)" = 2; }
check "the LMA holds two bindings" wait_until 5 two_bindings
both_routed() { routed_via "$P1" acc1 && routed_via "$P2" acc2; }
check "the MAG routes each prefix to its own interface" wait_until 10 both_routed
check "one source rule per prefix" test "$(n_rules "$P1") $(n_rules "$P2")" = "1 1"
both_registered() { test "$(registered_entries)" = 2; }
check "both MAG entries registered" both_registered
check "no de-registration at the MAG" test "$(mag_stat tx deregistration)" = 0
wait_until 5 arrive "$A1" 5001 5 if1 # neighbour discovery may eat the first ones
check "traffic to $A1 arrives on if1" arrive "$A1" 5001 100 if1
wait_until 5 arrive "$A2" 5002 5 if2
check "traffic to $A2 arrives on if2" arrive "$A2" 5002 100 if2

# a flow moves between the two bindings behind one MAG by the binding tag (ebpf)
F1=$(flow_id 5001)
B1=$(binding_of_att 4)
B2=$(binding_of_att 7)
moves_by_tag() {
	tagged_in=$(mag_stat kernel decap_tagged)
	check "lmad and magd hold a binding tag per binding" wait_until 5 tags_are 2
	check "lmad's show bindings gives each of its 2 bindings its tag and mark" \
		test "$(tag_count lctl)" = "2 2"
	check "so does magd's" test "$(tag_count mctl)" = "2 2"
	check "the same two tags at both ends" test "$(shown_tags lctl)" = "$(shown_tags mctl)"
	check "the text output names them" out_has "muho  tag 0x[0-9a-f]{5} mark [0-9]+" lctl show bindings
	check "flow 5001 moves to the other binding at the same MAG" lctl flow move "$F1" to binding "$B2"
	check "flow 5001 (to $A1) now arrives on if2" arrive "$A1" 5001 100 if2
	check "the MAG read the tag of each of them" \
		test "$(mag_stat kernel decap_tagged)" -ge $((tagged_in + 100))
	check "lmad wrote the tags" test "$(lma_stat kernel encap_tagged)" -ge 100
	wait_until 5 arrive "$A1" 5004 5 if1
	check "a flow to $A1 not moved stays on if1" arrive "$A1" 5004 100 if1
	check "flow 5001 moves back to its owner" lctl flow move "$F1" to binding "$B1"
	check "flow 5001 arrives on if1 again" arrive "$A1" 5001 100 if1
	check "flow 5001 moved to the other binding again" lctl flow move "$F1" to binding "$B2"
	check "flow 5001 on if2 again" arrive "$A1" 5001 50 if2
}
# lmad killed with a flow moved by tag and started again (binding-file): it makes the tags again,
# perhaps with other marks, and the saved flow takes its binding's new tag mark
# the file's line of flow 5001 (flow BCE MARK PROTO SRC SPORT DST DPORT ...) names B2
saved_on_b2() { awk -v b="$B2" '$1 == "flow" && $2 == b && $8 == 5001' "$tmp/lma.bindings" | grep -q .; }
restart_keeps_tagged_move() {
	check "the binding file has the flow on the 3G binding" wait_until 5 saved_on_b2
	kill -9 "$LMA_PID"
	wait "$LMA_PID" 2>/dev/null
	bg lma "$BUILD/lmad" -d -f "$tmp/lma.conf" >>"$tmp/lma.log" 2>&1
	LMA_PID=$LAST_PID
	check "lmad back after kill -9, both bindings from its file" wait_until 10 two_bindings
	check "both binding tags made again" wait_until 5 tags_are 2
	check "the moved flow kept its binding" test "$(jget "[f['binding'] for f in j if f['dport'] == 5001][0]" lctl -j show flows)" = "$B2"
	check "and still arrives on if2" arrive "$A1" 5001 100 if2
	check "a flow not moved still on if1" arrive "$A1" 5004 100 if1
}
if tagging; then
	moves_by_tag
	restart_keeps_tagged_move
else
	check "no binding tags with the $DRV driver" tags_are 0
	check "a move to the other binding at the same MAG is refused, naming $DRV" \
		refused_naming_driver "$F1" "$B2"
fi

# the 3G interface goes: the WLAN one keeps its route and rule, and carries the held prefix
nsx mn ip link set if2 down
check "the MAG routes $P2 through acc1 once if2 is gone" wait_until 10 routed_via "$P2" acc1
check "$P1 still routed through acc1" routed_via "$P1" acc1
check "one source rule per prefix after the loss" test "$(n_rules "$P1") $(n_rules "$P2")" = "1 1"
one_registered() { test "$(registered_entries)" = 1; }
check "the WLAN entry stays registered" wait_until 5 one_registered
check "both binding tags gone with the 3G binding" wait_until 5 tags_are 0
check "and from show bindings (lmad)" untagged lctl
check "and from show bindings (magd)" untagged mctl
check "moved flow 5001 falls back to if1" arrive "$A1" 5001 100 if1

# it comes back: its prefix goes back to it
nsx mn ip link set if2 up
check "if2 back: each prefix on its own interface again" wait_until 15 both_routed
check "one source rule per prefix after the return" test "$(n_rules "$P1") $(n_rules "$P2")" = "1 1"
check "both MAG entries registered again" wait_until 5 both_registered
check "binding tags back with it ($TAGS)" wait_until 5 tags_are $TAGS
F1=$(flow_id 5001)
B2=$(binding_of_att 7)
if tagging; then
	check "flow 5001 moved to the 3G binding" lctl flow move "$F1" to binding "$B2"
	check "flow 5001 on if2" arrive "$A1" 5001 50 if2
fi

# the WLAN interface goes: the 3G one keeps its route and rule
nsx mn ip link set if1 down
check "the MAG routes $P1 through acc2 once if1 is gone" wait_until 10 routed_via "$P1" acc2
check "$P2 still routed through acc2" routed_via "$P2" acc2
check "one source rule per prefix after the second loss" test "$(n_rules "$P1") $(n_rules "$P2")" = "1 1"
check "both binding tags gone with the WLAN binding" wait_until 5 tags_are 0
wait_until 5 arrive "$A2" 5003 5 if2
check "traffic to $A2 still arrives on if2" arrive "$A2" 5003 100 if2
for f in "$tmp"/lma.log "$tmp"/mag.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
