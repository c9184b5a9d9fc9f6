#!/bin/sh
# test_lab_e2e.sh: the end-to-end scenarios of the lab (netns-lab/lab.sh: the testbed of
# draft-bernardos-mif-pmip-02 §5.1, a CN, lmad, MAG1 on WLAN, MAG2 on 3G, a multihomed plain
# Linux MN), numbered as in doc/lab.md:
#   1 both attachments (addresses, one MN with two bindings, the MuHo option on the wire seen by
#     tshark, routes for both prefixes at both MAGs); 2 the CN reaches both addresses, each on its
#   own interface; 3 a flow moved while another stays, a TCP transfer moved there and back;
#   4 if1 loses its carrier: de-registration, flows moved, a TCP transfer completes, MAG2's new
#   prefix list by Update Notification; 5 if1 comes back: the binding and its prefix return;
#   7 a PBU from a host that is not an authorized MAG: 154, nothing created; 8 SIGTERM leaves
#   nothing behind; 6 short lifetimes: three lifetimes of refreshes without a lost packet;
#   8 SIGKILL, then a restart that reconciles what it finds (kernel state, connection marks,
#   lmad's lease file and magd's state file: the MN keeps its prefixes and addresses through
#   the crash of both, and does nothing).
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
# the RFC 5213 §5.3.5 wait, and no prefix hold past it (tests/netns/test_lab_hold.sh tests that)
LAB_LMA_EXTRA="bce-delete-delay 5s
prefix-hold 5s"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
# shellcheck source=lab_checks.sh
. "$here/lab_checks.sh"
T="$PY $top/netns-lab/traffic.py"
PMIPCTL=$LAB_BUILD/pmipctl/pmipctl

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG1=$(lab_mag_addr 1)
MAG2=$(lab_mag_addr 2)

# --- helpers ---

# flow_field PORT FIELD: a field of the LMA's flow toward destination port PORT.
flow_field() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['dport'] == $1][0])"
}

flow_on() { test "$(flow_field "$1" mag 2>/dev/null)" = "$2"; }

# count PORT IFNAME: datagrams of the flow to PORT received by the MN on IFNAME.
count() { $T counts "$LAB_DIR/counts" "$1" "$2"; }
count_ge() { test "$(count "$1" "$2")" -ge "$3"; }

# muho_hex PREFIX/64: the MuHo option (type 18) for it as tshark prints the option's octets.
muho_hex() {
	"$PY" -c "import ipaddress, sys; n = ipaddress.ip_network(sys.argv[1])
print('121200%02x' % n.prefixlen + n.network_address.packed.hex())" "$1"
}

mag_routes_both() { mag_routes "$1" | grep -q "^$P1 via fe80" && mag_routes "$1" | grep -q "^$P2 via fe80"; }

# tcp_transfer PORT BYTES PAUSE: a transfer CN -> A1 in the background; its digest in
# $LAB_DIR/source.PORT, the MN's in $LAB_DIR/sink.PORT.
tcp_transfer() {
	lab_bg mn1 "$LAB_DIR/sink.$1.log" $T tcp-sink "$1" --out "$LAB_DIR/sink.$1"
	wait_until 5 sh -c "ip netns exec $(lab_ns mn1) ss -ltn | grep -q ':$1 '"
	lab_bg cn "$LAB_DIR/source.$1.log" sh -c \
		"$T tcp-source $A1 $1 --bytes $2 --pause $3 >$LAB_DIR/source.$1"
	TCP_PID=$LAB_LAST_PID
}

transfer_intact() { test -s "$LAB_DIR/sink.$1" && test "$(cat "$LAB_DIR/sink.$1")" = "$(cat "$LAB_DIR/source.$1")"; }

# no_state_at_mag I: nothing magd installed is left at MAG I: no route of ours in any table, no
# rule toward a tunnel table (2000..), no seg6 encapsulation.
no_state_at_mag() {
	! lab_x "mag$1" ip -6 route show table all proto 157 | grep -q . &&
		! lab_x "mag$1" ip -6 rule | grep -qE 'lookup (2[0-9]{3}|ipproto)' &&
		! lab_x "mag$1" ip -6 route show table all | grep -q seg6
}

no_state_at_lma() {
	! lab_x lma ip -6 route show table all proto 157 | grep -q . &&
		! lab_x lma ip6tables-save -t mangle | grep -q PMIP6 &&
		! lab_x lma ipset list -n | grep -q pmip6 &&
		lab_x lma ip -6 rule | grep -q '^0:.*lookup local'
}

# addr_in PREFIX IF: the MN's address on if<IF> inside PREFIX (a /64).
addr_in() {
	lab_x mn1 ip -6 addr show dev "if$2" scope global | awk -v p="${1%%::/64}:" \
		'$1 == "inet6" && index($2, p) == 1 { sub("/.*", "", $2); print $2; exit }'
}


# --- 1. both attachments ---

lab_bg lma "$LAB_DIR/tshark.log" tshark -i br0 -f "ip6 proto 135" -w "$LAB_DIR/mh.pcap"
TSHARK=$LAB_LAST_PID
wait_until 15 grep -q "Capturing on" "$LAB_DIR/tshark.log" || echo "tshark did not say it captures"
lab_start
lab_attach 1 1
check "1: if1 (WLAN) gets an address" wait_until 20 lab_has_addr 1 1
lab_attach 1 2
check "1: if2 (3G) gets an address" wait_until 20 lab_has_addr 1 2
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
P1=$(prefix64 "$A1")
P2=$(prefix64 "$A2")
check "1: the two addresses are in two prefixes ($P1, $P2)" test "$P1" != "$P2"
check "1: the LMA shows one MN-ID with two bindings" \
	jtest 'len(j) == 1 and j[0]["mn_id"] == "mn1@lab.example" and len(j[0]["bindings"]) == 2' \
	lab_ctl -j show bindings
check "1: pref1 bound through MAG1, pref2 through MAG2" \
	test "$(binding_field "$MAG1" prefixes) $(binding_field "$MAG2" prefixes)" = "$P1 $P2"
check "1: MAG1 routes both prefixes to the MN" wait_until 5 mag_routes_both 1
check "1: MAG2 routes both prefixes to the MN" wait_until 5 mag_routes_both 2
kill -INT "$TSHARK"
wait "$TSHARK" 2>/dev/null
tsh() { tshark -r "$LAB_DIR/mh.pcap" -T fields -e ipv6.src -e ipv6.dst -e mip6.mhtype -e mip6.options.em 2>/dev/null; }
pbu_muho() { tsh | awk -v m="$1" '$1 == m && $3 == 5 && $4 ~ /^1212000000/' | grep -q .; }
check "1: tshark: MAG1's PBU carries the (empty) MuHo option" pbu_muho "$MAG1"
check "1: tshark: MAG2's PBU carries the (empty) MuHo option" pbu_muho "$MAG2"
pba_other() { tsh | awk -v m="$MAG2" -v h="$(muho_hex "$P1")" '$2 == m && $3 == 6 && index($4, h)' | grep -q .; }
check "1: tshark: the PBA to MAG2 names pref1 in a MuHo option" pba_other

# --- 2. the CN reaches both addresses, each on its own interface ---

check "2: the CN reaches pref1::if1" lab_x cn ping -c 3 -i 0.2 -W 2 "$A1"
check "2: the CN reaches pref2::if2" lab_x cn ping -c 3 -i 0.2 -W 2 "$A2"
lab_bg mn1 /dev/null $T udp-count 5001,5002,5003,6001,6002,6003,5041 --out "$LAB_DIR/counts"
wait_until 5 test -s "$LAB_DIR/counts"
lab_x cn $T udp-send "$A1" 6001 --rate 500 --seconds 0.2
lab_x cn $T udp-send "$A2" 6002 --rate 500 --seconds 0.2
check "2: traffic to pref1::if1 arrives on if1" wait_until 5 count_ge 6001 if1 90
check "2: traffic to pref2::if2 arrives on if2" wait_until 5 count_ge 6002 if2 90
check "2: none of it on the other interface" test "$(count 6001 if2) $(count 6002 if1)" = "0 0"

# --- 3. flow move ---

lab_bg cn /dev/null $T udp-send "$A1" 5001,5002 --rate 200
check "3: two flows to pref1::if1, both on MAG1" wait_until 5 sh -c \
	"$(command -v "$PMIPCTL") -s $LAB_DIR/lma.sock -j show flows | grep -q '\"dport\":5002.*\"mag\":\"$MAG1\"'"
F2=$(flow_field 5002 id)
check "3: pmipctl flow move $F2 to att 7" lab_ctl flow move "$F2" to att 7
wait_until 3 count_ge 5002 if2 1
b1=$(count 5001 if1)
b2=$(count 5002 if1)
n2=$(count 5002 if2)
check "3: the moved flow arrives on if2" wait_until 5 count_ge 5002 if2 $((n2 + 200))
check "3: and no longer on if1" test "$(count 5002 if1)" -eq "$b2"
check "3: the other flow still arrives on if1" count_ge 5001 if1 $((b1 + 150))
check "3: and never on if2" test "$(count 5001 if2)" -eq 0
tcp_transfer 7000 2097152 0.05
check "3: a TCP flow appears" wait_until 5 flow_field 7000 id
FT=$(flow_field 7000 id)
check "3: TCP flow $FT moved to if2 (att 7) during the transfer" lab_ctl flow move "$FT" to att 7
check "3: ... and back to if1 (att 4)" lab_ctl flow move "$FT" to att 4
check "3: the TCP transfer moved there and back completes with its data intact" \
	wait_until 20 transfer_intact 7000

# --- 4. if1 loses its link ---

# queue_rules: how many prefixes the LMA sends to its flow classifier (members of its ipset);
# fails, printing nothing, unless the set is there, so that "0" means no prefix rather than no
# answer
queue_rules() {
	_set=$(lab_x lma ipset list pmip6_mh) || return 1
	printf '%s\n' "$_set" | sed '1,/^Members:/d' | grep -c '/' || true
}
upn0=$(stat_of "$LAB_DIR/mag2.sock" "['rx']['update-notification']")
tcp_transfer 7001 1048576 0.02
wait_until 5 flow_field 7001 id
lab_link_down 1 1
check "4: MAG1 de-registers the MN" wait_until 5 binding_state_is "$MAG1" deregistered
check "4: the MN keeps its address on if1 (NO-CARRIER)" lab_has_addr 1 1
uplink_if2() { lab_x mn1 ip -6 route get "$LAB_CN" from "$A1" | grep -q "dev if2"; }
check "4: the MN's uplink from pref1::if1 now leaves through if2" uplink_if2
check "4: the LMA moves flow 5001 to MAG2" wait_until 5 flow_on 5001 "$MAG2"
check "4: and the TCP flow" flow_on 7001 "$MAG2"
# read before the transfer's end, which may take longer than bce-delete-delay on a busy machine
check "4: while MAG1's binding waits for its deletion, both prefixes stay queued (no rule change)" \
	test "$(queue_rules)" = 2
n1=$(count 5001 if2)
check "4: flow 5001 now arrives on if2 (weak host)" wait_until 5 count_ge 5001 if2 $((n1 + 100))
check "4: the TCP transfer in progress completes with its data intact" \
	wait_until 30 transfer_intact 7001
mag2_lacks_p1() { ! lab_magctl 2 -j show bindings | grep -q "\"$P1\""; }
check "4: after bce-delete-delay MAG2's list no longer has pref1" wait_until 10 mag2_lacks_p1
no_queue_rules() { test "$(queue_rules)" = 0; }
check "4: and the LMA queues neither prefix: one binding left, nothing to classify" \
	wait_until 5 no_queue_rules
# two: one at the de-registration (pref1 still listed, routed over 3G), one at the deletion
check "4: MAG2 learnt it by Update Notification (one at the de-registration, one at the deletion)" \
	test "$(stat_of "$LAB_DIR/mag2.sock" "['rx']['update-notification']")" -ge $((upn0 + 2))

# --- 5. if1 comes back ---

lab_link_up 1 1
check "5: the binding through MAG1 returns" wait_until 10 binding_state_is "$MAG1" active
check "5: with its prefix" test "$(binding_field "$MAG1" prefixes)" = "$P1"
check "5: MAG2 routes pref1 again" wait_until 5 mag_routes_both 2
two_queue_rules() { test "$(queue_rules)" = 2; }
check "5: both prefixes are queued again" wait_until 5 two_queue_rules
lab_x cn $T udp-send "$A1" 6003 --rate 500 --seconds 0.2
check "5: a new flow to pref1::if1 arrives on if1" wait_until 5 count_ge 6003 if1 90

# --- 7. a PBU from a host that is not an authorized MAG ---

lab_add_ns rogue
lab_veth rogue core lma rogue
lab_x lma ip link set rogue master br0 up
lab_x rogue ip link set core up
lab_x rogue ip addr add 2001:db8:ffff::99/64 dev core nodad
# what identifies the bindings, without their ageing lifetimes
bindings_now() { lab_ctl -j show bindings | "$PY" -c "
import json, sys
print(sorted((m['mn_id'], b['id'], b['peer'], b['state'], b['prefixes']) for m in json.load(sys.stdin) for b in m['bindings']))"; }
before=$(bindings_now)
st=$(lab_x rogue "$PY" "$here/pbu_scapy.py" "$LAB_LMA" --nai mn1@lab.example --muho \
	--llid 02:00:00:00:01:09 --att 4 --hi 1 --timeout 3 2>&1 | sed -n 's/^status=//p')
check "7: a PBU from an unauthorized host gets status 154 (got '$st')" test "$st" = 154
check "7: and creates nothing" test "$(bindings_now)" = "$before"

# --- 8. SIGTERM: nothing left behind ---

for i in 1 2; do
	eval "pid=\$LAB_MAGD_PID_$i"
	lab_stop_pid "$pid" TERM
	check "8: magd $i exits on SIGTERM" lab_gone "$pid"
	check "8: nothing magd $i installed stays behind" no_state_at_mag "$i"
done
# magd exits once the LMA acknowledged its de-registrations: nothing to wait for here
check "8: the LMA saw both MAGs' de-registrations at their SIGTERM (no binding left active)" \
	sh -c "! $PMIPCTL -s $LAB_DIR/lma.sock show bindings | grep -q ' active '"
check "8: and magd said it had its acknowledgements" sh -c \
	"! grep -q 'de-registrations unanswered' $LAB_DIR/mag1.log $LAB_DIR/mag2.log"
lab_stop_pid "$LAB_LMAD_PID" TERM
check "8: lmad exits on SIGTERM" lab_gone "$LAB_LMAD_PID"
check "8: nothing lmad installed stays behind (routes, chains, the local rule is back at 0)" \
	no_state_at_lma

# --- 6. short lifetimes ---

LAB_LIFETIME=4s
LAB_MAG_EXTRA="refresh-before 1s"
lab_configure
lab_start
# the MN solicits again only when its interfaces come up again (a restarted MAG knows nothing)
lab_x mn1 ip link set if1 down
lab_x mn1 ip link set if2 down
lab_attach 1 1
lab_attach 1 2
check "6: both interfaces attach again with a 4 s lifetime" wait_until 20 lab_mn_attached 1
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
lab_x cn ping -c 1 -W 2 "$A1" >/dev/null 2>&1
lab_x cn ping -c 1 -W 2 "$A2" >/dev/null 2>&1
bu0=$(stat_of "$LAB_DIR/lma.sock" "['rx']['binding-update']")
c1=$(count 5003 if1)
sent=$(lab_x cn $T udp-send "$A1" 5003 --rate 100 --seconds 12.5 --report)
check "6: ${sent:-?} datagrams over three lifetimes (12.5 s): every one arrives" \
	wait_until 5 count_ge 5003 if1 $((c1 + ${sent:-1}))
bu=$(($(stat_of "$LAB_DIR/lma.sock" "['rx']['binding-update']") - bu0))
check "6: the LMA got at least 6 refreshes from the two MAGs in three lifetimes ($bu PBUs)" \
	test "$bu" -ge 6
check "6: both bindings still active" sh -c "test \"\$($PMIPCTL -s $LAB_DIR/lma.sock show bindings | grep -c ' active ')\" -eq 2"

# --- 8. SIGKILL and a restart that reconciles ---

P1=$(binding_field "$MAG1" prefixes)
P2=$(binding_field "$MAG2" prefixes)
pingable() { lab_x cn ping -c 1 -W 1 "$1"; }
kill -KILL "$LAB_MAGD_PID_1" "$LAB_LMAD_PID"
wait "$LAB_MAGD_PID_1" "$LAB_LMAD_PID" 2>/dev/null
check "8: after SIGKILL magd 1's routes stay" mag_routes_both 1
# a connection marked by the killed lmad: its mark names a tunnel by the old numbering
lab_x lma conntrack -I -p udp -s "$LAB_CN" -d "$A2" --sport 5040 --dport 5040 --timeout 60 \
	--mark 1009 >/dev/null 2>&1
lab_start_lmad
last_restore() { grep 'prefix leases' "$LAB_DIR/lmad.log" | tail -n 1; }
check "8: restarted lmad read its lease file: both bound prefixes rest with their MN ($(last_restore))" \
	sh -c "grep 'prefix leases' $LAB_DIR/lmad.log | tail -n 1 | grep -q 'restored 2 held'"
check "8: restarted lmad cleared the connection mark the killed one left" sh -c \
	"ip netns exec $(lab_ns lma) conntrack -L -p udp --orig-port-src 5040 2>/dev/null | grep -q 'mark=0 '"
# MAG2 (lifetime 4 s) refreshes naming its prefix: the new lmad knows it is that MN's
check "8: restarted lmad: MAG2's refresh registers again" wait_until 10 binding_state_is "$MAG2" active
check "8: with the same prefix ($P2), from the lease file" test "$(binding_field "$MAG2" prefixes)" = "$P2"
check "8: the CN reaches if2's address again, the MN untouched" wait_until 10 pingable "$A2"
lab_x cn $T udp-send "$A2" 5041 --rate 500 --seconds 0.2
check "8: a new flow to it arrives on if2" wait_until 5 count_ge 5041 if2 90
# magd 1 reads its state file: the MN it served on if1, whose link never went down and which
# will not solicit again, is registered again with its prefix, routes and an RA
lab_start_magd 1
check "8: restarted magd 1 registers the MN again from its state file" \
	wait_until 10 grep -q "mn1@lab.example on mn1: registering again" "$LAB_DIR/mag1.log"
check "8: if1's binding is active again" wait_until 10 binding_state_is "$MAG1" active
check "8: with the same prefix ($P1), from both files" test "$(binding_field "$MAG1" prefixes)" = "$P1"
check "8: MAG1 routes both prefixes again" wait_until 5 mag_routes_both 1
check "8: the CN reaches if1's address ($A1) again, the MN untouched" wait_until 10 pingable "$A1"
check "8: and still if2's" wait_until 10 pingable "$A2"

for f in "$LAB_DIR"/*.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
