#!/bin/sh
# test_lab_hold.sh: surviving the loss of an interface, and revoking bindings, in the lab
# (netns-lab/lab.sh: a CN, lmad, MAG1 on WLAN, MAG2 on 3G, a multihomed plain Linux MN).
#   1 prefix hold (lmad.conf(5) "prefix-hold", default "attached"): a TCP transfer to the MN's
#     if1 address runs while if1 loses its carrier, longer than bce-delete-delay; the LMA holds
#     if1's binding, routes its prefix through MAG2, which keeps routing it (the MuHo list), and
#     the transfer completes intact over if2; 2 if1 comes back: its binding, prefix and route
#     return and the MN's addresses are those it had; 3 a reload that drops MAG2 from lmad.conf
#     revokes MAG2's binding (RFC 5846): MAG2 forgets it, the MN's if2 address is deprecated;
#     4 pmipctl deregister revokes the rest: MAG1's state goes, the MN's if1 address is
#     deprecated (its RA-learned prefix withdrawn: zero lifetimes), the counters say so.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
DELAY=4
LAB_LMA_EXTRA="bce-delete-delay ${DELAY}s
revocation-retransmit initial 500ms max 2s tries 4"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
# shellcheck source=lab_checks.sh
. "$here/lab_checks.sh"
T="$PY $top/netns-lab/traffic.py"
PMIPCTL=$LAB_BUILD/pmipctl/pmipctl
MN=mn1@lab.example

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG1=$(lab_mag_addr 1)
MAG2=$(lab_mag_addr 2)

no_binding_at() { test -z "$(binding_field "$1" state)"; }
mag_routes_p() { mag_routes "$1" | grep -q "^$2 via fe80"; }
mag_has_no_route() { ! mag_routes "$1" | grep -q "^$2 "; }
mag_bindings() { lab_magctl "$1" -j show bindings 2>/dev/null | "$PY" -c "import json, sys; print(len(json.load(sys.stdin)))"; }
mag_empty() { test "$(mag_bindings "$1")" = 0; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# addr_flags IF ADDR: the "ip -6 addr" line of ADDR on the MN's if<IF> (empty when gone).
addr_line() { lab_x mn1 ip -6 addr show dev "if$1" | grep -A1 "inet6 $2/"; }
# withdrawn IF ADDR: the address is gone or deprecated (preferred lifetime zero).
withdrawn() {
	_l=$(addr_line "$1" "$2")
	test -z "$_l" || printf '%s\n' "$_l" | grep -qE 'deprecated|preferred_lft 0sec'
}
# has_default_via IF: the MN has a default route through if<IF>.
has_default_via() { lab_x mn1 ip -6 route show default | grep -q "dev if$1"; }

# --- 1. prefix hold ---

lab_start
lab_attach 1 1
lab_attach 1 2
check "1: both interfaces get an address" wait_until 20 lab_mn_attached 1
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
P1=$(prefix64 "$A1")
P2=$(prefix64 "$A2")
check "1: MAG2 routes if1's prefix $P1 too (MuHo)" wait_until 5 mag_routes_p 2 "$P1"
check "1: the CN reaches if1's address" lab_x cn ping -c 2 -i 0.2 -W 2 "$A1"

# 1 MiB in 32 KiB chunks, 0.5 s apart: about 16 s, four times bce-delete-delay
lab_bg mn1 "$LAB_DIR/sink.log" $T tcp-sink 7100 --out "$LAB_DIR/sink"
wait_until 5 sh -c "ip netns exec $(lab_ns mn1) ss -ltn | grep -q ':7100 '"
lab_bg cn "$LAB_DIR/source.log" sh -c \
	"$T tcp-source $A1 7100 --bytes 1048576 --chunk 32768 --pause 0.5 >$LAB_DIR/source"
wait_until 5 sh -c "ip netns exec $(lab_ns mn1) ss -tn state established | grep -q ':7100 '"
held0=$(stat_of "$LAB_DIR/lma.sock" "['bindings']['held']")
lab_link_down 1 1
t_down=$(now_ms)
check "1: MAG1 de-registers the MN" wait_until 5 binding_state_is "$MAG1" deregistered
check "1: past bce-delete-delay (${DELAY}s) the LMA holds if1's binding" \
	wait_until $((DELAY + 5)) binding_state_is "$MAG1" held
check "1: ... and counts it" \
	test "$(stat_of "$LAB_DIR/lma.sock" "['bindings']['held']")" -eq $((held0 + 1))
check "1: the transfer to if1's address is still running then" test ! -s "$LAB_DIR/sink"
check "1: MAG2 still routes $P1 to the MN past the delay" mag_routes_p 2 "$P1"
check "1: the LMA still lists $P1 in MAG2's MuHo prefixes" \
	sh -c "$PMIPCTL -s $LAB_DIR/mag2.sock -j show bindings | grep -q '\"$P1\"'"
intact() { test -s "$LAB_DIR/sink" && test "$(cat "$LAB_DIR/sink")" = "$(cat "$LAB_DIR/source")"; }
check "1: the TCP transfer completes with its data intact, over if2" wait_until 40 intact
t_done=$(now_ms)
check "1: it ran $(((t_done - t_down) / 1000)) s after the loss, longer than bce-delete-delay" \
	test $((t_done - t_down)) -gt $((DELAY * 1000))
check "1: the binding is still held (the MN is attached through MAG2)" \
	binding_state_is "$MAG1" held

# --- 2. if1 comes back ---

lab_link_up 1 1
check "2: the binding through MAG1 is active again" wait_until 10 binding_state_is "$MAG1" active
check "2: with its prefix $P1" test "$(binding_field "$MAG1" prefixes)" = "$P1"
check "2: MAG1 routes it to the MN again" wait_until 5 mag_routes_p 1 "$P1"
check "2: the MN's addresses are those it had ($A1, $A2)" \
	test "$(lab_mn_addr 1 1) $(lab_mn_addr 1 2)" = "$A1 $A2"
check "2: the CN reaches if1's address" wait_until 10 lab_x cn ping -c 1 -W 1 "$A1"

# --- 3. a reload that drops MAG2 revokes its binding ---

check "3: before: the MN's if2 address is in use (not deprecated)" sh -c \
	"ip netns exec $(lab_ns mn1) ip -6 addr show dev if2 | grep -A1 'inet6 $A2/' | grep -q 'preferred_lft [1-9]'"
rev0=$(stat_of "$LAB_DIR/mag2.sock" "['revocation']['revoked']")
grep -v "^mag $MAG2\$" "$LAB_DIR/lmad.conf" >"$LAB_DIR/lmad.conf.new"
mv "$LAB_DIR/lmad.conf.new" "$LAB_DIR/lmad.conf"
kill -HUP "$LAB_LMAD_PID"
check "3: after the reload the LMA has no binding through MAG2" wait_until 5 no_binding_at "$MAG2"
check "3: MAG2 tore its binding down on the revocation" wait_until 5 mag_empty 2
check "3: MAG2 counts it" \
	test "$(stat_of "$LAB_DIR/mag2.sock" "['revocation']['revoked']")" -eq $((rev0 + 1))
check "3: MAG2 routes neither prefix" sh -c "! ip netns exec $(lab_ns mag2) ip -6 route show proto 157 | grep -q via"
check "3: the MN's if2 address is withdrawn (gone or deprecated)" wait_until 5 withdrawn 2 "$A2"
check "3: the MN's default route through if2 is gone" wait_until 5 sh -c \
	"! ip netns exec $(lab_ns mn1) ip -6 route show default | grep -q 'dev if2'"
check "3: the binding through MAG1 stays active" binding_state_is "$MAG1" active
check "3: MAG1 no longer routes if2's prefix $P2 (the LMA's Update Notification)" \
	wait_until 5 mag_has_no_route 1 "$P2"
check "3: the LMA had its acknowledgement" wait_until 5 test \
	"$(stat_of "$LAB_DIR/lma.sock" "['revocation']['bra_success']")" -ge 1

# --- 4. pmipctl deregister revokes the MN ---

check "4: pmipctl deregister $MN at the LMA" lab_ctl deregister "$MN"
check "4: the LMA has no binding left" wait_until 5 sh -c \
	"test \"\$($PMIPCTL -s $LAB_DIR/lma.sock -j show bindings)\" = '[]'"
check "4: MAG1 tore its binding down" wait_until 5 mag_empty 1
check "4: MAG1 no longer routes $P1" mag_has_no_route 1 "$P1"
check "4: the MN's if1 address is withdrawn (gone or deprecated)" wait_until 5 withdrawn 1 "$A1"
check "4: the MN's default route through if1 is gone" wait_until 5 sh -c \
	"! ip netns exec $(lab_ns mn1) ip -6 route show default | grep -q 'dev if1'"
check "4: the LMA counts 2 revoked bindings and 2 acknowledgements" sh -c \
	"test \"\$($PMIPCTL -s $LAB_DIR/lma.sock -j show stats | $PY -c 'import json, sys; r = json.load(sys.stdin); print(r[\"bindings\"][\"revoked\"], r[\"revocation\"][\"bra_success\"])')\" = '2 2'"
check "4: pmipctl deregister of an MN without bindings is an error" \
	sh -c "! $PMIPCTL -s $LAB_DIR/lma.sock deregister $MN 2>/dev/null"

for f in "$LAB_DIR"/*.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
