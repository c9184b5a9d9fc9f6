#!/bin/sh
# scenario.sh LMA-DRIVER MAG-DRIVER [full|interop]: the lab's end-to-end scenarios with one tunnel
# driver at the LMA and one at the MAGs (netns-lab/lab.sh, LAB_LMA_DRIVER/LAB_MAG_DRIVER), as
# scripts/test-stock-kernel runs them on Debian's stock kernel; it runs on any kernel that has
# the drivers. Both modes: the MN's two interfaces attach (one MN-ID, two bindings at the LMA),
# the CN and the MN ping each other on both prefixes, and the CN's packets cross the LMA-MAG
# link as IPv6-in-IPv6 each way (tests/stock-kernel/wire.py). "full" adds a flow moved by
# `pmipctl flow move` to the other interface, and the loss of if1's link with traffic going on
# over if2. Each check prints "PASS name" or "FAIL name: why"; the last line is
# "N passed, N failed". Set BUILD to the build tree.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/netns/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
[ $# -ge 2 ] || { echo "usage: scenario.sh LMA-DRIVER MAG-DRIVER [full|interop]" >&2; exit 2; }
LAB_BUILD=$(cd "$BUILD" && pwd)
# after the link loss, pref1 stays the MN's (routed over if2) until MAG1's binding is deleted
LAB_LMA_EXTRA="bce-delete-delay 300s"
LAB_LMA_DRIVER=$1
LAB_MAG_DRIVER=$2
mode=${3:-full}
tag="[lma $1, mags $2]"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
T="$PY $top/netns-lab/traffic.py"
MAG1=$(lab_mag_addr 1)

lab_create
trap 'cleanup; lab_destroy' EXIT

# An emulated CPU is 10 to 50 times slower than this one: waits are generous, never fixed.
W=20

# a failure says why, from the daemons' own words
show_logs() {
	for f in "$LAB_DIR"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f")"
		tail -n 15 "$f"
	done
}

binding_field() {
	lab_ctl -j show bindings | "$PY" -c "
import json, sys
for mn in json.load(sys.stdin):
    for b in mn['bindings']:
        if b['peer'] == '$1':
            print(b['$2'])"
}
binding_state_is() { test "$(binding_field "$1" state)" = "$2"; }
flow_field() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['dport'] == $1][0])"
}
flow_on() { test "$(flow_field "$1" mag 2>/dev/null)" = "$2"; }
count() { $T counts "$LAB_DIR/counts" "$1" "$2"; }
count_ge() { test "$(count "$1" "$2")" -ge "$3"; }
cn_reaches() { lab_x cn ping -c 1 -W 1 "$1"; }
mn_reaches_from() { lab_x mn1 ping -c 1 -W 1 -I "$1" "$LAB_CN"; }

# on_wire NAME OUTER-SRC OUTER-DST INNER-SRC INNER-DST PINGNS PINGARGS...: pings until wire.py,
# listening on the LMA's br0, has seen three tunnelled packets of that ping
on_wire() {
	_name=$1
	_log=$LAB_DIR/wire.$$.$(date +%s%N)
	lab_bg lma "$_log" "$PY" "$here/wire.py" br0 "$2" "$3" "$4" "$5" --seconds "$W"
	_pid=$LAB_LAST_PID
	_ns=$6
	shift 6
	wait_until 20 grep -q ready "$_log"
	_end=$(($(date +%s) + W))
	while ! lab_gone "$_pid" && [ "$(date +%s)" -lt "$_end" ]; do
		lab_x "$_ns" ping -c 1 -W 1 "$@" >/dev/null 2>&1 || true
	done
	if wait "$_pid"; then
		pass "$_name ($(tail -n 1 "$_log"))"
	else
		fail "$_name" "$(tail -n 1 "$_log")"
	fi
}

# --- attachment of both interfaces ---

lab_start
lab_attach 1 1
lab_attach 1 2
check "$tag if1 gets an address" wait_until $W lab_has_addr 1 1
check "$tag if2 gets an address" wait_until $W lab_has_addr 1 2
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
check "$tag the LMA shows one MN-ID with two bindings" wait_until 10 \
	jtest 'len(j) == 1 and len(j[0]["bindings"]) == 2 and all(b["state"] == "active" for b in j[0]["bindings"])' \
	lab_ctl -j show bindings

# --- CN <-> MN, both prefixes, and what crosses the LMA-MAG link ---

check "$tag the CN reaches pref1::if1" wait_until $W cn_reaches "$A1"
check "$tag the CN reaches pref2::if2" wait_until $W cn_reaches "$A2"
check "$tag the MN reaches the CN from pref1::if1" wait_until $W mn_reaches_from "$A1"
check "$tag the MN reaches the CN from pref2::if2" wait_until $W mn_reaches_from "$A2"
on_wire "$tag on the wire: LMA -> MAG1, CN -> pref1::if1 tunnelled" \
	"$LAB_LMA" "$MAG1" "$LAB_CN" "$A1" cn "$A1"
on_wire "$tag on the wire: MAG1 -> LMA, pref1::if1 -> CN tunnelled" \
	"$MAG1" "$LAB_LMA" "$A1" "$LAB_CN" cn "$A1"

if [ "$mode" = full ]; then
	# --- a flow moved to the other interface ---

	lab_bg mn1 /dev/null $T udp-count 5001,5002 --out "$LAB_DIR/counts"
	wait_until $W test -s "$LAB_DIR/counts"
	lab_bg cn /dev/null $T udp-send "$A1" 5001,5002 --rate 50
	check "$tag two flows to pref1::if1, both on MAG1" wait_until $W flow_on 5002 "$MAG1"
	F2=$(flow_field 5002 id 2>/dev/null)
	check "$tag pmipctl flow move ${F2:-?} to att 7" lab_ctl flow move "${F2:-0}" to att 7
	n2=$(count 5002 if2)
	check "$tag the moved flow arrives on if2" wait_until $W count_ge 5002 if2 $((n2 + 50))
	b1=$(count 5001 if1)
	check "$tag the other flow still arrives on if1" wait_until $W count_ge 5001 if1 $((b1 + 50))

	# --- if1 loses its link: traffic goes on over if2 ---

	lab_link_down 1 1
	check "$tag MAG1 de-registers the MN" wait_until $W binding_state_is "$MAG1" deregistered
	n1=$(count 5001 if2)
	check "$tag flow 5001 to pref1::if1 now arrives on if2" wait_until $W count_ge 5001 if2 $((n1 + 50))
	check "$tag the CN still reaches pref1::if1 (over if2)" wait_until $W cn_reaches "$A1"
	check "$tag the MN still reaches the CN from pref1::if1" wait_until $W mn_reaches_from "$A1"
fi

[ "$FAILED" -eq 0 ] || show_logs
finish
