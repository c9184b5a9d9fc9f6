#!/bin/sh
# test_privilege.sh: the daemons run with exactly the capabilities lmad(8) and magd(8) document
# ("PRIVILEGES"), as an unprivileged user, and refuse to start, clearly, with less.
#
#   cn -- lma (lmad) -- mag1, mag2 (magd) -- mn1 (netns-lab/lab.sh, two MAGs, one MN)
#
# 1. The lab's daemons started as nobody:nogroup by setpriv(1) holding only the start-up set
#    (cap_net_admin cap_net_raw cap_bpf, inheritable and ambient, as systemd's
#    AmbientCapabilities= gives them): the MN attaches through both MAGs, the CN reaches both
#    its addresses (the ebpf driver loads a program per new peer after the drop), the LMA's
#    ipset holds both prefixes (ipset and ip6tables-restore, run as children, act), each
#    daemon runs as 65534 keeping only what is documented, and its control socket belongs to
#    nobody:nogroup without CAP_CHOWN. SIGTERM: exit 0, socket and pidfile removed.
# 2. lmad started as root with -u nobody -g nogroup and control-group nogroup: it runs as
#    65534:65534 with the documented set, its socket's group is nogroup, pmipctl answers.
# 3. With less (no cap_bpf for the ebpf driver, no cap_net_raw): lmad and magd exit non-zero
#    with "missing capabilities: ..." on stderr, no pidfile left. Needs root, setpriv, ipset.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
LAB_MAGS=2
START_CAPS=+net_admin,+net_raw,+bpf
LAB_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,$START_CAPS \
--ambient-caps=-all,$START_CAPS --bounding-set=-all,$START_CAPS"
LAB_LMA_EXTRA="control-group nogroup"
LAB_MAG_EXTRA="control-group nogroup"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
PMIPCTL=$LAB_BUILD/pmipctl/pmipctl
NOGROUP=$(getent group nogroup | cut -d: -f3)

lab_create
trap 'cleanup; lab_destroy' EXIT
chown 65534:65534 "$LAB_DIR" # the daemons write their state and sockets there

# caps_of PID: the effective capabilities of PID, by name ("" for none).
caps_of() {
	capsh --decode="$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$1/status")" |
		sed 's/^0x[0-9a-f]*=//'
}

ids_of() { awk '/^Uid:|^Gid:/ { printf "%s ", $2 }' "/proc/$1/status"; }

# runs_as NAME PID CAPS: PID runs as 65534:65534 holding exactly CAPS (capsh's order).
runs_as() {
	if [ "$(ids_of "$2")" = "65534 65534 " ] && [ "$(caps_of "$2")" = "$3" ]; then
		pass "$1: runs as 65534:65534 with $3"
	else
		fail "$1: runs as 65534:65534 with $3" "ids $(ids_of "$2"), caps $(caps_of "$2")"
	fi
}

# kept_caps lmad|magd: the documented set a running daemon keeps: cap_net_admin, cap_net_raw
# at the LMA (for its ip6tables-restore children), cap_bpf with ebpf tunnels (and cap_perfmon
# when it had it at start: not under setpriv here).
kept_caps() {
	k=cap_net_admin
	[ "$1" = magd ] || k=$k,cap_net_raw
	[ "$DRV" != ebpf ] || k=$k,cap_bpf
	echo "$k"
}

socket_is() { [ "$(stat -c '%U:%G %a' "$1")" = "$2" ]; }

lab_start
drv_read "$LAB_DIR/lmad.log" || DRV=unknown
echo "tunnel driver: $DRV"
KEEP=$(kept_caps lmad)
runs_as "lmad under setpriv" "$LAB_LMAD_PID" "$KEEP"
runs_as "magd 1 under setpriv" "$LAB_MAGD_PID_1" "$(kept_caps magd)"
check "lmad's socket: nobody:nogroup, 0660" socket_is "$LAB_DIR/lma.sock" "nobody:nogroup 660"
# what the units' ExecReload runs, as the daemon's user: the socket found from the process
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
for p in "lmad $LAB_LMAD_PID" "magd 1 $LAB_MAGD_PID_1"; do
	check "${p% *} reloads by pmipctl -p PID, as nobody" as_nobody "$PMIPCTL" -p "${p##* }" reload
done
no_socket() {
	out=$("$PMIPCTL" -p $$ show stats 2>&1)
	[ $? = 1 ] && echo "$out" | grep -q 'has no control socket'
}
check "pmipctl -p of a process without a control socket: exit 1, the reason" no_socket
lab_attach 1 1
lab_attach 1 2
has_addr() { [ -n "$(lab_mn_addr 1 "$1")" ]; }
check "the MN gets an address through MAG 1" wait_until 20 has_addr 1
check "the MN gets an address through MAG 2" wait_until 20 has_addr 2
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
pingable() { lab_x cn ping -c 1 -W 1 "$1"; }
check "the CN reaches the MN through MAG 1 ($A1)" wait_until 10 pingable "$A1"
check "the CN reaches the MN through MAG 2 ($A2)" wait_until 10 pingable "$A2"
in_set() { [ "$(lab_x lma ipset list pmip6_mh | grep -c '^2001:db8:100')" -eq 2 ]; }
check "ipset children hold both prefixes" wait_until 10 in_set
no_denial() { ! grep -qiE 'denied|not permitted|cannot|can.t' "$LAB_DIR/$1"; }
kill -TERM "$LAB_MAGD_PID_1" "$LAB_MAGD_PID_2"
wait "$LAB_MAGD_PID_1"
rc1=$?
wait "$LAB_MAGD_PID_2"
rc2=$?
kill -TERM "$LAB_LMAD_PID"
wait "$LAB_LMAD_PID"
rc=$?
check "SIGTERM: the daemons exit 0" test "$rc$rc1$rc2" = 000
for f in lmad.log mag1.log mag2.log; do
	check "$f: no permission trouble, exit included" no_denial $f
done
check "SIGTERM: sockets and pidfiles removed" sh -c "! ls $LAB_DIR/*.sock* 2>/dev/null | grep -q ."

# --- 2. root, -u nobody -g nogroup ---
lab_add_ns solo
lab_x solo ip link add up0 type veth peer name up0p
lab_x solo ip link set up0 up
lab_x solo ip link set up0p up
lab_x solo ip addr add "$LAB_LMA/64" dev up0 nodad
solo_conf() {
	cat <<EOF
lma-address $LAB_LMA
uplink-interface up0
prefix-pool 2001:db8:200::/48 length 64
lease-file $LAB_DIR/solo.leases
control-socket $LAB_DIR/solo.sock
control-group nogroup
mn any
mag 2001:db8:ffff::1
EOF
}
solo_conf >"$LAB_DIR/solo.conf"
lab_bg solo "$LAB_DIR/solo.log" "$LAB_BUILD/lmad" -d -u nobody -g nogroup -f "$LAB_DIR/solo.conf"
SOLO=$LAB_LAST_PID
check "root -u nobody: pmipctl answers" wait_until 10 "$PMIPCTL" -s "$LAB_DIR/solo.sock" show stats
# started as root, it had cap_perfmon too: kept with ebpf tunnels (the 6.1 verifier needs it)
ROOT_KEEP=$KEEP
[ "$DRV" != ebpf ] || ROOT_KEEP=cap_net_admin,cap_net_raw,cap_perfmon,cap_bpf
runs_as "root -u nobody" "$SOLO" "$ROOT_KEEP"
check "root -u nobody: the socket's group is nogroup" \
	test "$(stat -c %g "$LAB_DIR/solo.sock")" = "$NOGROUP"
kill -TERM "$SOLO"
wait "$SOLO"
check "root -u nobody: SIGTERM, exit 0" test $? = 0

# --- 3. less than the start-up set ---
# refused NAME NS DAEMON CONF CAPS MISSING: DAEMON (detached) with only CAPS exits non-zero
# saying MISSING is missing, and leaves no pidfile.
refused() {
	lab_x "$2" timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps="-all,$5" --ambient-caps="-all,$5" --bounding-set="-all,$5" \
		"$3" -f "$4" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
	rc=$?
	case $rc in
	0 | 124) fail "$1: exits non-zero" "exit $rc" ;;
	*) pass "$1: exits non-zero" ;;
	esac
	if grep -q "missing capabilities: $6 " "$LAB_DIR/err"; then
		pass "$1: says $6 is missing"
	else
		fail "$1: says $6 is missing" "$(cat "$LAB_DIR/err")"
	fi
	check "$1: no pidfile left" sh -c "! ls $LAB_DIR/*.pid 2>/dev/null | grep -q ."
}

if [ "$DRV" = ebpf ]; then
	refused "lmad without cap_bpf" solo "$LAB_BUILD/lmad" "$LAB_DIR/solo.conf" \
		+net_admin,+net_raw cap_bpf
	refused "magd without cap_bpf" mag1 "$LAB_BUILD/magd" "$LAB_DIR/mag1.conf" \
		+net_admin,+net_raw cap_bpf
fi
refused "lmad without cap_net_raw" solo "$LAB_BUILD/lmad" "$LAB_DIR/solo.conf" \
	+net_admin,+bpf cap_net_raw
refused "magd without cap_net_admin" mag1 "$LAB_BUILD/magd" "$LAB_DIR/mag1.conf" \
	+net_raw,+bpf cap_net_admin
if [ "$FAILED" -gt 0 ]; then
	for f in lmad.log mag1.log mag2.log solo.log; do
		echo "--- $f"
		cat "$LAB_DIR/$f"
	done
fi
finish
