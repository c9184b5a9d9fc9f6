#!/bin/sh
# test_lab_steer.sh: the steering modes of flow policies end to end in the lab (netns-lab/lab.sh:
# a CN, lmad, MAG1 on WLAN (att 4), MAG2 on 3G (att 7), a multihomed plain Linux MN), issue 15:
#   1 policies from lmad.conf and from pmipctl, listed as words and as JSON fields;
#   2 load-balance 3:1: 1,000 new UDP flows to one MN arrive on if1/if2 within 5 points of
#     75/25 (counted at the MN), and the LMA shows each flow's mode and why;
#   3 bicast: every datagram of the flow arrives on both interfaces (the kernel's TEE target);
#   4 active-standby: the standby's link going and coming moves nothing; the active's going
#     moves its flow (and a priority flow) to the standby (bce-delete-delay keeps the
#     de-registered binding's prefix routed through the other one meanwhile);
#   5 fail-back: when the active/preferred link is back the flows stay for the hold-down (6 s:
#     room for pmipctl calls on a loaded machine) and return after it; the gap is printed;
#   6 make-before-break: two constant-rate UDP flows moved to a link that delivers nothing for
#     its first 300 ms (a DROP at MAG2, as a radio still attaching): the plain move loses
#     datagrams, the move with "bicast 1500" none; both figures printed.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
HOLD_S=6
LAB_LMA_EXTRA="bce-delete-delay 60s
policy { proto udp dst-port 10000-10999 } load-balance att 4 weight 3 att 7 weight 1
policy { proto udp dst-port 5101 } priority att 4 att 7 hold-down ${HOLD_S}s
policy { proto udp dst-port 5102 } active-standby att 4 att 7 hold-down ${HOLD_S}s
policy { proto udp dst-port 5103 } bicast att 4 att 7"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
T="$PY $top/netns-lab/traffic.py"
SEND=$LAB_BUILD/tests/bench/flow_send

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG1=$(lab_mag_addr 1)
MAG2=$(lab_mag_addr 2)

flow_why() { test "$(lab_flow_field "$1" why 2>/dev/null)" = "$2"; }
binding_gone() { ! lab_binding_active "$1"; }
count() { $T counts "$LAB_DIR/counts" "$1" "$2"; }
count_ge() { test "$(count "$1" "$2")" -ge "$3"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# unique PORT: distinct sequence numbers the MN received on the flow to PORT (either interface).
unique() { awk -v p="$1" '$1 == p { s[$3] = 1 } END { print length(s) }' "$LAB_DIR/rx.log"; }

# lb_count IF: datagrams to ports 10000-10999 the MN took in on if<IF>.
lb_count() {
	lab_x mn1 ip6tables -L INPUT -v -x -n | awk -v i="if$1" '$6 == i && /dpts:10000:10999/ { print $1 }'
}

lab_start
lab_attach 1 1
lab_attach 1 2
check "0: if1 gets an address" wait_until 20 lab_has_addr 1 1
check "0: if2 gets an address" wait_until 20 lab_has_addr 1 2
A1=$(lab_mn_addr 1 1)
both_active() { lab_binding_active "$MAG1" && lab_binding_active "$MAG2"; }
check "0: both bindings active" wait_until 10 both_active

# --- 1. policies ---

check "1: lmad.conf's four policies listed with their modes" \
	jtest '[p["mode"] for p in j] == ["load-balance", "priority", "active-standby", "bicast"]' \
	lab_ctl -j show policies
check "1: load-balance weights as fields" \
	jtest '[(t["att"], t["weight"]) for t in j[0]["targets"]] == [(4, 3), (7, 1)]' \
	lab_ctl -j policy list
check "1: the hold-down as a field" jtest 'j[1]["hold_down_ms"] == '"$HOLD_S"'000 and j[1]["fail_back"]' \
	lab_ctl -j policy list
check "1: pmipctl adds a policy with a mode" out_has \
	"^policy 5: proto udp dst-port 5104 load-balance att 4 weight 1 att 7 weight 1 hold-down 1s$" \
	lab_ctl policy add proto udp dst-port 5104 load-balance att 4 att 7 hold-down 1s
check "1: active-standby with three targets is refused" sh -c \
	"! $LAB_BUILD/pmipctl/pmipctl -s $LAB_DIR/lma.sock policy add active-standby att 4 att 7 att 8"
check "1: pmipctl deletes it" lab_ctl policy del 5

# --- 2. load-balance 3:1 over 1,000 flows ---

lab_x mn1 ip6tables -A INPUT -i if1 -p udp --dport 10000:10999 -j ACCEPT
lab_x mn1 ip6tables -A INPUT -i if2 -p udp --dport 10000:10999 -j ACCEPT
lab_x cn "$SEND" -d 10000 -r 2000 new "$A1" 1000 >"$LAB_DIR/lb.send"
lb_all() { [ $(($(lb_count 1) + $(lb_count 2))) -ge 1000 ]; }
check "2: 1,000 flows arrive" wait_until 10 lb_all
n1=$(lb_count 1)
n2=$(lb_count 2)
echo "load-balance 3:1, 1000 flows: if1 $n1, if2 $n2 ($((n1 * 1000 / (n1 + n2))) per mille on if1)"
check "2: if1 gets 75 % +- 5 ($n1 of $((n1 + n2)))" \
	test $((n1 * 100)) -ge $((70 * (n1 + n2))) -a $((n1 * 100)) -le $((80 * (n1 + n2)))
lb_lma() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
fs = [f for f in json.load(sys.stdin) if f['proto'] == 'udp' and 10000 <= f['dport'] <= 10999]
on1 = sum(f['mag'] == '$MAG1' for f in fs)
ok = len(fs) == 1000 and all(f['mode'] == 'load-balance' and f['why'] == 'hash' for f in fs)
print(on1, len(fs))
sys.exit(0 if ok and on1 == $n1 else 1)"
}
check "2: the LMA's flows say load-balance, hash, and agree with the MN's counts" lb_lma
check "2: show flows prints policy, mode and why" out_has "1 load-balance hash" lab_ctl show flows

# --- 3. bicast ---

lab_bg mn1 /dev/null $T udp-count 5101,5102,5103,5201,5202 --out "$LAB_DIR/counts" \
	--log "$LAB_DIR/rx.log"
wait_until 5 test -s "$LAB_DIR/counts"
lab_x cn $T udp-send "$A1" 5103 --rate 200 --seconds 1
check "3: the bicast flow arrives on if1" wait_until 5 count_ge 5103 if1 195
check "3: ... and on if2" wait_until 5 count_ge 5103 if2 195
check "3: the LMA shows it bicast over both" \
	jtest '[(f["why"], f["mag"], f["also_binding"]["mag"]) for f in j if f["dport"] == 5103] == [("bicast", "'"$MAG1"'", "'"$MAG2"'")]' \
	lab_ctl -j show flows
echo "bicast: if1 $(count 5103 if1), if2 $(count 5103 if2) of 200 sent"

# --- 4. active-standby and priority: the standby's flap moves nothing, the active's failure does ---

lab_bg cn /dev/null $T udp-send "$A1" 5101,5102 --rate 100
check "4: the priority flow on MAG1" wait_until 5 lab_flow_on 5101 "$MAG1"
check "4: the active-standby flow on MAG1" wait_until 5 lab_flow_on 5102 "$MAG1"
lab_link_down 2 1
check "4: the standby's binding goes" wait_until 15 binding_gone "$MAG2"
lab_link_up 2 1
check "4: ... and comes back" wait_until 20 lab_binding_active "$MAG2"
check "4: the active-standby flow never took if2" test "$(count 5102 if2)" -eq 0
check "4: ... and is still on MAG1, preferred" flow_why 5102 preferred
lab_link_down 1 1
check "4: the active's binding goes" wait_until 15 binding_gone "$MAG1"
check "4: the active-standby flow fails over to MAG2" wait_until 5 lab_flow_on 5102 "$MAG2"
check "4: the priority flow too" wait_until 5 lab_flow_on 5101 "$MAG2"
check "4: why: failover" flow_why 5102 failover
b2=$(count 5102 if2)
check "4: the active-standby flow arrives on if2" wait_until 5 count_ge 5102 if2 $((b2 + 50))

# --- 5. fail-back after the hold-down, not before ---

lab_link_up 1 1
wait_until 20 lab_binding_active "$MAG1"
# one pmipctl call: both flows on MAG2 in hold-down, and lmad's own time left (due_ms), from which
# the end of the hold-down by our clock (a call takes most of a second on a loaded machine)
held() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
fs = [f for f in json.load(sys.stdin) if f['dport'] in (5101, 5102)]
ok = len(fs) == 2 and all(f['mag'] == '$MAG2' and f['why'] == 'hold-down' for f in fs)
print(min(f['due_ms'] for f in fs))
sys.exit(0 if ok else 1)"
}
t0=$(now_ms)
due=$(held)
held_ok=$?
check "5: MAG1 is back: both flows stay on MAG2 in hold-down (${due} ms left)" test "$held_ok" -eq 0
t_due=$((t0 + due)) # lmad answered after t0: the hold-down ends at t_due or later
check "5: the hold-down left is within its ${HOLD_S} s" test "$due" -gt 0 -a "$due" -le $((HOLD_S * 1000))
both_on() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
sys.exit(0 if sorted(f['mag'] for f in json.load(sys.stdin) if f['dport'] in (5101, 5102)) == ['$1'] * 2 else 1)"
}
while [ "$(now_ms)" -lt $((t_due - 1500)) ]; do sleep 0.05; done
check "5: still both on MAG2 1.5 s before the hold-down ends" both_on "$MAG2"
check "5: the priority flow fails back to MAG1" wait_until 10 lab_flow_on 5101 "$MAG1"
t_back=$(now_ms)
check "5: the active-standby flow too" wait_until 2 lab_flow_on 5102 "$MAG1"
check "5: why: failed-back" flow_why 5101 failed-back
gap=$((t_back - t_due))
echo "fail-back: the flows were seen back on MAG1 ${gap} ms after the ${HOLD_S} s hold-down ended (polling every 50 ms plus a pmipctl call)"
b1=$(count 5101 if1)
check "5: the priority flow arrives on if1 again" wait_until 5 count_ge 5101 if1 $((b1 + 50))

# --- 6. make-before-break against a plain move ---

lab_bg cn "$LAB_DIR/plain.sent" $T udp-send "$A1" 5201 --rate 500 --seconds 4 --report
P_PLAIN=$LAB_LAST_PID
lab_bg cn "$LAB_DIR/mbb.sent" $T udp-send "$A1" 5202 --rate 500 --seconds 4 --report
P_MBB=$LAB_LAST_PID
moving_on() { lab_flow_on 5201 "$1" && lab_flow_on 5202 "$1"; }
check "6: two constant-rate flows on MAG1" wait_until 5 moving_on "$MAG1"
sleep 0.5 # a steady state before the moves
lab_x mag2 ip6tables -I FORWARD -o mn1 -p udp -m multiport --dports 5201,5202 -j DROP
check "6: plain move to MAG2" lab_ctl flow move "$(lab_flow_field 5201 id)" to att 7
check "6: make-before-break move to MAG2 (bicast 1500 ms)" \
	lab_ctl flow move "$(lab_flow_field 5202 id)" to att 7 bicast 1500
sleep 0.3 # the new link delivers nothing for 300 ms
lab_x mag2 ip6tables -D FORWARD -o mn1 -p udp -m multiport --dports 5201,5202 -j DROP
check "6: the moving flow is duplicated over MAG1 meanwhile" \
	jtest '[(f["why"], f["also_binding"]["mag"]) for f in j if f["dport"] == 5202] == [("moving", "'"$MAG1"'")]' \
	lab_ctl -j show flows
check "6: the make-before-break move ends: MAG2 only" wait_until 5 flow_why 5202 moved
wait "$P_PLAIN" "$P_MBB" 2>/dev/null
check "6: both senders said what they sent" \
	wait_until 5 test -s "$LAB_DIR/plain.sent" -a -s "$LAB_DIR/mbb.sent"
s_plain=$(tail -n 1 "$LAB_DIR/plain.sent")
s_mbb=$(tail -n 1 "$LAB_DIR/mbb.sent")
# the last datagrams in flight: polled until every one of the make-before-break flow is in
# (5 s at most; the check below says whether they all came)
mbb_all_in() { [ "$(unique 5202)" -ge "$s_mbb" ]; }
wait_until 5 mbb_all_in
l_plain=$((s_plain - $(unique 5201)))
l_mbb=$((s_mbb - $(unique 5202)))
echo "moves at 500 datagrams/s, new link silent 300 ms: plain move lost $l_plain of $s_plain, make-before-break (bicast 1500 ms) lost $l_mbb of $s_mbb"
check "6: the plain move loses datagrams ($l_plain)" test "$l_plain" -gt 0
check "6: the make-before-break move loses none ($l_mbb)" test "$l_mbb" -eq 0
check "6: the bicast copy rules are TEE rules in PMIP6_DUP" \
	out_has "TEE --gateway" lab_x lma ip6tables -t mangle -S PMIP6_DUP

for f in "$LAB_DIR"/*.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
