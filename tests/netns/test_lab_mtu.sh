#!/bin/sh
# test_lab_mtu.sh: the tunnel MTU (RFC 2473 §7) in the lab (netns-lab/lab.sh): the path between
# the LMA and the MAG is narrower (1400) than the LMA's uplink (1500), and the CN's link is 1500,
# so the CN sends full-size packets. With "tunnel-mtu 1360" at the LMA, the LMA answers them with
# a Packet Too Big of 1360 and a TCP transfer CN -> MN with 1500-octet packets completes intact;
# the MN's uplink transfer (its MAG's uplink is the 1400 link: 1360 by itself) completes too.
# Without the statement (the control run first, so that this test can fail), the LMA's outer
# packets do not fit the path and nothing tells the CN: the transfer stalls.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
LAB_MAGS=1
LAB_CN_MTU=1500
LAB_MAG_CORE_MTU=1400
# the MN's links keep 1500 (magd advertises 1280 unless told: then nothing is ever too big)
LAB_MAG_EXTRA="ra-mtu 1500"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
T="$PY $top/netns-lab/traffic.py"

# run NAME: the lab with LAB_LMA_EXTRA as set, one MN attached through MAG1; sets A1. The CN
# sends no GSO packets: a veth hands a GSO packet to its peer whatever the peer's MTU, so the
# 1400 link would let a 64 KiB aggregate through where a real link drops every full-size frame.
run() {
	lab_create
	trap 'cleanup; lab_destroy' EXIT
	lab_x cn ip link set cn0 gso_max_size 1500 gso_max_segs 1
	lab_start
	lab_attach 1 1
	wait_until 15 lab_has_addr 1 1
	A1=$(lab_mn_addr 1 1)
	wait_until 10 lab_x cn ping -c 1 -W 1 "$A1"
}

# transfer FROM TO PORT BYTES: a TCP transfer from namespace FROM to address TO; 0 if its data
# arrived intact within 20 s.
transfer() {
	rm -f "$LAB_DIR/sink.$3" "$LAB_DIR/source.$3"
	lab_bg "$(ns_of "$2")" "$LAB_DIR/sink.$3.log" $T tcp-sink "$3" --out "$LAB_DIR/sink.$3"
	wait_until 5 sh -c "ip netns exec $(lab_ns "$(ns_of "$2")") ss -ltn | grep -q ':$3 '"
	lab_bg "$1" "$LAB_DIR/source.$3.log" sh -c \
		"$T tcp-source $2 $3 --bytes $4 --pause 0 >$LAB_DIR/source.$3"
	wait_until 20 sh -c "test -s $LAB_DIR/sink.$3 && test -s $LAB_DIR/source.$3" &&
		test "$(cat "$LAB_DIR/sink.$3")" = "$(cat "$LAB_DIR/source.$3")"
}

ns_of() {
	case $1 in
	"$LAB_CN") echo cn ;;
	*) echo mn1 ;;
	esac
}

ptb_sent() { lab_x lma awk '$1 == "Icmp6OutPktTooBigs" { print $2 }' /proc/net/snmp6; }

# --- control: no tunnel-mtu, the 1400 path black-holes full-size packets ---
LAB_LMA_EXTRA=""
run
echo "driver: $(sed -n 's/.*kr: \([a-z0-9]*\) tunnels.*/\1/p' "$LAB_DIR/lmad.log" | head -n 1)"
if transfer cn "$A1" 7100 1048576; then
	fail "control: without tunnel-mtu a 1500-octet transfer over the 1400 path stalls" "it completed: the test proves nothing"
else
	pass "control: without tunnel-mtu a 1500-octet transfer over the 1400 path stalls"
fi
trap - EXIT
lab_destroy
cleanup
# a second lab in this shell: lab.sh's bookkeeping starts again
LAB_DIR="" LAB_PIDS="" LAB_NAMESPACES="" LAB_PREFIX="" NS_LIST="" PID_LIST=""

# --- tunnel-mtu 1360 at the LMA ---
LAB_LMA_EXTRA="tunnel-mtu 1360"
run
p0=$(ptb_sent)
check "tunnel-mtu 1360: a 1 MiB TCP transfer CN -> MN with 1500-octet packets completes intact" \
	transfer cn "$A1" 7101 1048576
check "the LMA sent Packet Too Big to the CN (Icmp6OutPktTooBigs $p0 -> $(ptb_sent))" \
	test "$(ptb_sent)" -gt "$p0"
check "the CN learnt the tunnel MTU for the MN's address" \
	out_has " mtu 1360 " lab_x cn ip -6 route get "$A1"
check "the MN's 1 MiB upload through its MAG (uplink MTU 1400: 1360 by itself) completes intact" \
	transfer mn1 "$LAB_CN" 7102 1048576
check "lmad and magd logged no error" sh -c "! grep -iE 'error|refused|failed' $LAB_DIR/lmad.log $LAB_DIR/mag1.log"
finish
