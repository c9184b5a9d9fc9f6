#!/bin/sh
# test_daemon.sh: one instance per control socket, and a start that fails loudly.
#
#   mag --v1/up0-- lma        mn --if1/acc1-- mag        (solo: lmad with a missing uplink)
#
# A real lmad and magd with one MN attached (attach-on-link-up). Then, for each daemon: a
# second one with the same configuration in the same namespace, in the foreground (-d) and
# detached, is refused with a message on stderr and a non-zero exit, and the first one's
# kernel state (routes, rules, nexthops, links) and control socket are as they were, its
# binding still active. lmad detached with a missing uplink exits non-zero with the error on
# stderr. The default runtime directory, missing, is created. A daemon killed with SIGKILL leaves its pidfile and socket behind; the next start,
# detached, succeeds (exit 0, pmipctl answers). Needs root and iproute2.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LMAD=$BUILD/lmad
MAGD=$BUILD/magd
PMIPCTL=$BUILD/pmipctl/pmipctl
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

LMA=2001:db8:ffff::100
MAG=2001:db8:ffff::1
MN=mn1@example.org
MAC=02:00:00:00:00:01
PROTO=157
LSOCK=$tmp/lmad.sock
MSOCK=$tmp/magd.sock
LCONF=$tmp/lmad.conf
MCONF=$tmp/magd.conf
LLOG=$tmp/lmad.log
MLOG=$tmp/magd.log
LMAD_PID=
MAGD_PID=
: >"$LLOG"
: >"$MLOG"

write_lconf() {
	cat >"$LCONF" <<EOF
# test_daemon.sh
lma-address $LMA
uplink-interface up0
tunnel-driver $TEST_DRIVER
table-base 1000
rule-priority 1000
prefix-pool 2001:db8:100::/48 length 64
lease-file $tmp/lmad.leases
control-socket $LSOCK
mn $MN
mag $MAG
EOF
}

write_mconf() {
	cat >"$MCONF" <<EOF
# test_daemon.sh
lma-address $LMA
proxy-coa $MAG
uplink-interface v1
tunnel-driver $TEST_DRIVER
table-base 2000
rule-priority 1000
state-file $tmp/magd.state
control-socket $MSOCK
access-interface acc1 { access-technology 3 attach-on-link-up yes }
mn $MN { mac $MAC }
EOF
}

setup() {
	ns_add lma mag mn solo
	link lma up0 mag v1
	nsx lma ip addr add $LMA/64 dev up0 nodad
	nsx mag ip addr add $MAG/64 dev v1 nodad
	nsx mag sysctl -qw net.ipv6.conf.all.forwarding=1
	nsx lma sysctl -qw net.ipv6.conf.all.forwarding=1
	ip link add acc1 netns "$(ns mag)" type veth peer name if1 netns "$(ns mn)"
	nsx mn ip link set if1 address $MAC
	nsx mag ip link set acc1 up
	write_lconf
	write_mconf
}

# answers SOCK: the daemon behind SOCK answers pmipctl.
answers() {
	"$PMIPCTL" -s "$1" -j show stats
}

bound() {
	jtest "any(b['state'] == 'active' for m in j for b in m['bindings'])" \
		"$PMIPCTL" -s "$LSOCK" -j show bindings
}

# exited PID: the process is gone or a zombie.
exited() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

alive() {
	! exited "$1"
}

# state NS: what our daemons installed in NS's kernel, for a before/after comparison.
state() {
	nsx "$1" ip -6 route show table all proto $PROTO
	nsx "$1" ip -6 rule show
	nsx "$1" ip nexthop show 2>/dev/null
	nsx "$1" ip -o link show | sed 's/^[0-9]*: \([^:@]*\).*/\1/'
}

start_first() {
	bg lma "$LMAD" -d -f "$LCONF" >>"$LLOG" 2>&1
	LMAD_PID=$LAST_PID
	bg mag "$MAGD" -d -f "$MCONF" >>"$MLOG" 2>&1
	MAGD_PID=$LAST_PID
	check "start: lmad answers" wait_until 10 answers "$LSOCK"
	check "start: magd answers" wait_until 10 answers "$MSOCK"
	check "start: the pidfiles hold the PIDs" sh -c "[ \"\$(cat $LSOCK.pid)\" = $LMAD_PID ] && \
[ \"\$(cat $MSOCK.pid)\" = $MAGD_PID ]"
	nsx mn ip link set if1 up
	if wait_until 15 bound; then
		pass "start: the MN is bound at the LMA"
	else
		fail "start: the MN is bound at the LMA" "$(tail -n 5 "$LLOG" "$MLOG" | tr '\n' ' ')"
	fi
}

# second NAME NS DAEMON CONF PID SOCK -d|"": a second DAEMON with the first one's
# configuration in NS is refused, and the first one (PID, SOCK) and its state stay.
second() {
	nm=$1
	state "$2" >"$tmp/before"
	# bounded: a second one that is not refused runs on (and is ended by timeout: 124)
	# shellcheck disable=SC2086 # $7 is -d or nothing
	nsx "$2" timeout 10 "$3" $7 -f "$4" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0 | 124) fail "$nm: refused, exit non-zero" "exit $rc" ;;
	*) pass "$nm: refused, exit non-zero" ;;
	esac
	check "$nm: the message on stderr" grep -q "another .* is running" "$tmp/err"
	state "$2" >"$tmp/after"
	if cmp -s "$tmp/before" "$tmp/after"; then
		pass "$nm: routes, rules, nexthops and links untouched"
	else
		fail "$nm: routes, rules, nexthops and links untouched" \
			"$(diff "$tmp/before" "$tmp/after" | tr '\n' ' ')"
	fi
	check "$nm: the first one still runs" alive "$5"
	check "$nm: the first one still answers" answers "$6"
	check "$nm: the binding is still active" bound
}

check_second() {
	second "second lmad -d" lma "$LMAD" "$LCONF" "$LMAD_PID" "$LSOCK" -d
	second "second lmad detached" lma "$LMAD" "$LCONF" "$LMAD_PID" "$LSOCK" ""
	second "second magd -d" mag "$MAGD" "$MCONF" "$MAGD_PID" "$MSOCK" -d
	second "second magd detached" mag "$MAGD" "$MCONF" "$MAGD_PID" "$MSOCK" ""
}

check_bad_uplink() {
	sed -e 's/^uplink-interface .*/uplink-interface nosuch0/' \
		-e "s|^control-socket .*|control-socket $tmp/solo.sock|" \
		-e "s|^lease-file .*|lease-file $tmp/solo.leases|" "$LCONF" >"$tmp/solo.conf"
	if nsx solo timeout 10 "$LMAD" -f "$tmp/solo.conf" >"$tmp/out" 2>"$tmp/err"; then
		fail "missing uplink: lmad detached exits non-zero" "exit 0"
	else
		pass "missing uplink: lmad detached exits non-zero"
	fi
	check "missing uplink: the error on stderr" grep -q "nosuch0" "$tmp/err"
	check "missing uplink: nothing left running" sh -c "! [ -e $tmp/solo.sock.pid ]"
}

# restart NAME NS DAEMON CONF SOCK PID: after SIGKILL, DAEMON starts again detached.
restart() {
	kill -KILL "$6"
	wait "$6" 2>/dev/null
	check "$1: SIGKILL leaves the pidfile and socket" test -e "$5.pid" -a -S "$5"
	if nsx "$2" timeout 10 "$3" -f "$4" >"$tmp/out" 2>"$tmp/err"; then
		pass "$1: the next start, detached, exits 0"
	else
		fail "$1: the next start, detached, exits 0" "$(cat "$tmp/err")"
	fi
	check "$1: it answers" wait_until 10 answers "$5"
	pid=$(cat "$5.pid" 2>/dev/null)
	PID_LIST="$PID_LIST $pid"
	check "$1: its pidfile holds its PID" alive "${pid:-0}"
	[ -n "$pid" ] && kill -TERM "$pid"
	check "$1: SIGTERM ends it" wait_until 10 exited "${pid:-0}"
	check "$1: its pidfile is gone" sh -c "! [ -e $5.pid ]"
}

# In a mount namespace of its own with an empty /run (the host's is not touched): lmad with
# the default control socket, whose directory is missing as after a reboot, creates it (mode
# 0750), answers there, and exits 0 on SIGTERM.
# shellcheck disable=SC2016 # expanded by the inner shell
RUNDIR_SH='mount -t tmpfs tmpfs /run || exit 3
"$1" -d -f "$2" >"$3" 2>&1 &
pid=$!
i=0
while ! [ -S /run/pmip6/lmad.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
stat -c "mode %a" /run/pmip6
"$4" -s /run/pmip6/lmad.sock -j show stats >/dev/null && echo answers
kill $pid
wait $pid
echo "rc=$?"'

check_rundir() {
	nsx solo ip link add up0 type veth peer name up0p
	nsx solo ip link set up0 up && nsx solo ip link set up0p up
	nsx solo ip addr add $LMA/64 dev up0 nodad
	sed -e '/^control-socket /d' -e "s|^lease-file .*|lease-file $tmp/rundir.leases|" \
		"$LCONF" >"$tmp/rundir.conf"
	nsx solo unshare -m sh -c "$RUNDIR_SH" sh "$LMAD" "$tmp/rundir.conf" "$tmp/rundir.log" \
		"$PMIPCTL" >"$tmp/rundir.out" 2>&1
	check "runtime directory: created, mode 0750" grep -qx "mode 750" "$tmp/rundir.out"
	check "runtime directory: lmad answers there" grep -qx answers "$tmp/rundir.out"
	if grep -qx "rc=0" "$tmp/rundir.out"; then
		pass "runtime directory: lmad exits 0"
	else
		fail "runtime directory: lmad exits 0" "$(cat "$tmp/rundir.out" "$tmp/rundir.log")"
	fi
}

check_restart() {
	restart "killed magd" mag "$MAGD" "$MCONF" "$MSOCK" "$MAGD_PID"
	restart "killed lmad" lma "$LMAD" "$LCONF" "$LSOCK" "$LMAD_PID"
}

setup
start_first
check_second
check_bad_uplink
check_rundir
check_restart
if [ "$FAILED" -gt 0 ]; then
	echo "--- lmad's log"
	cat "$LLOG"
	echo "--- magd's log"
	cat "$MLOG"
fi
finish
