# lib.sh: shared by the network-namespace tests (sourced, not run). Each test script creates its
# namespaces with a name prefix unique to the run, removes them (and ends only the processes it
# started, by PID) in an EXIT trap, polls for conditions with a bounded wait, and reports each
# check as "PASS name" / "FAIL name: why". Set BUILD to the build tree holding the binaries.

NS_PREFIX="pmipt$$x$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
NS_LIST=""
PID_LIST=""
PASSED=0
FAILED=0

# ns NAME: the namespace's full name for this run.
ns() { echo "${NS_PREFIX}-$1"; }

# ns_add NAME...: creates namespaces with loopback up.
ns_add() {
	for n in "$@"; do
		ip netns add "$(ns "$n")"
		NS_LIST="$NS_LIST $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
	done
}

# nsx NAME CMD...: runs a command inside a namespace.
nsx() {
	n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# link A IFA B IFB: a veth pair between two namespaces, both ends up.
link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
}

# addr_of IF: the MN's (namespace mn) first global address on IF from the pool 2001:db8:100::/48.
addr_of() {
	nsx mn ip -6 addr show dev "$1" scope global | awk '/inet6 2001:db8:100/ {print $2}' |
		cut -d/ -f1 | head -n 1
}

# cn_link: the correspondent node cn (2001:db8:c::2) behind the LMA (2001:db8:c::1 on lmacn),
# which forwards; MTU 1400 on that link, so that the tunnel's 40 octets of outer header fit on
# the LMA-MAG links without a Packet Too Big (seg6 sends none back to the sender).
cn_link() {
	link cn cn0 lma lmacn
	nsx cn ip link set cn0 mtu 1400
	nsx lma ip link set lmacn mtu 1400
	nsx cn ip addr add 2001:db8:c::2/64 dev cn0 nodad
	nsx lma ip addr add 2001:db8:c::1/64 dev lmacn nodad
	nsx cn ip route add default via 2001:db8:c::1
	nsx lma sysctl -qw net.ipv6.conf.all.forwarding=1
}

# lma_bridge LMA N: namespaces lma and mag1..magN; each magK's vK (2001:db8:ffff::K/64) on the
# bridge br0 of lma, which holds the address LMA/64.
lma_bridge() {
	ns_add lma
	nsx lma ip link add br0 address 02:00:00:00:ff:00 type bridge mcast_snooping 0
	nsx lma ip link set br0 up
	for m in $(seq 1 "$2"); do
		ns_add "mag$m"
		link lma "p$m" "mag$m" "v$m"
		nsx lma ip link set "p$m" master br0
		nsx "mag$m" ip addr add "2001:db8:ffff::$m/64" dev "v$m" nodad
	done
	nsx lma ip addr add "$1/64" dev br0 nodad
}

# bg NAME CMD...: starts a command in a namespace in the background and remembers its PID.
bg() {
	n=$1
	shift
	ip netns exec "$(ns "$n")" "$@" &
	PID_LIST="$PID_LIST $!"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	LAST_PID=$!
}

cleanup() {
	for p in $PID_LIST; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PID_LIST; do
		wait "$p" 2>/dev/null || true
	done
	for n in $NS_LIST; do
		ip netns del "$n" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_until SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
wait_until() {
	limit=$1
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

pass() {
	echo "PASS $1"
	PASSED=$((PASSED + 1))
}

fail() {
	echo "FAIL $1: $2"
	FAILED=$((FAILED + 1))
}

# check NAME CMD...: PASS if CMD succeeds, FAIL otherwise.
check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "'$*' failed"; fi
}

# oneline TEXT: TEXT on one line, for a failure message.
oneline() {
	printf '%s' "$1" | tr '\n' ' '
}

# The key=value lines a test peer printed (mhping, the scapy peers), in OUT:
# val KEY: the first value of KEY.
val() {
	printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1
}

# has LINE: OUT holds this exact line.
has() {
	printf '%s\n' "$OUT" | grep -qxF -- "$1"
}

# expect NAME LINE...: OUT holds every LINE.
expect() {
	e_name=$1
	shift
	for e_line in "$@"; do
		if ! has "$e_line"; then
			fail "$e_name" "no '$e_line' in: $(oneline "$OUT")"
			return
		fi
	done
	pass "$e_name"
}

# out_has PATTERN CMD...: CMD's output matches the extended regular expression.
out_has() {
	pattern=$1
	shift
	"$@" 2>/dev/null | grep -qE -- "$pattern"
}

# out_lacks PATTERN CMD...: CMD succeeds and its output does not match.
out_lacks() {
	pattern=$1
	shift
	out=$("$@" 2>/dev/null) || return 1
	! printf '%s\n' "$out" | grep -qE -- "$pattern"
}

PY=/usr/bin/python3 # Debian's, with python3-scapy; not a pyenv shim

# jtest EXPR CMD...: CMD prints JSON; the Python expression EXPR on it (as j) is true.
JTEST='import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)'
jtest() {
	expr=$1
	shift
	"$@" 2>/dev/null | "$PY" -c "$JTEST" "$expr"
}

# jget EXPR CMD...: prints EXPR evaluated on CMD's JSON output.
JGET='import json, sys
j = json.load(sys.stdin)
print(eval(sys.argv[1]))'
jget() {
	expr=$1
	shift
	"$@" 2>/dev/null | "$PY" -c "$JGET" "$expr"
}

# rx_packets NS IF: the packets interface IF of namespace NS has received.
rx_packets() { nsx "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

# rx_grown NS IF BEFORE COUNT: IF has received at least COUNT packets since it had BEFORE (read
# anew on every call, so that wait_until polls it).
rx_grown() { test "$(($(rx_packets "$1" "$2") - $3))" -ge "$4"; }

# udp_burst NS DST PORT COUNT: COUNT 100-octet datagrams from NS to DST, both ports PORT.
udp_burst() {
	nsx "$1" "$PY" -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(('', $3))
for i in range($4):
    s.sendto(b'x' * 100, ('$2', $3))"
}

# finish: the closing line every test script ends with; exit status tells failure.
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# --- the tunnel driver under test ---
# TEST_DRIVER (default auto) goes into the daemons' configuration files; DRV is the driver they
# use, read from a daemon's log line "kr: DRIVER tunnels, ..." (drv_read LOG). TB is the test's
# table base: tunnel N has table (and nexthop id, and fwmark) TB + N.
TEST_DRIVER=${TEST_DRIVER:-auto}
DRV=

drv_read() {
	DRV=$(sed -n 's/.*kr: \([a-z0-9]*\) tunnels, tables.*/\1/p' "$1" | tail -n 1)
	[ -n "$DRV" ]
}

# drv_target TABLE: how "ip -6 route show" names the target of a route into that tunnel.
drv_target() {
	case $DRV in
	ip6tnl) echo "dev pmip6t$(($1 - TB)) " ;;
	*) echo "nhid $1 " ;;
	esac
}

# drv_tunnel_has NS TABLE PEER UPLINK: the tunnel object toward PEER exists, tagged.
drv_tunnel_has() {
	case $DRV in
	seg6) out_has "^id $2 +encap seg6 mode encap.red segs 1 \[ $3 \] dev $4 .*proto 157" \
		nsx "$1" ip -6 nexthop show ;;
	ebpf) out_has "^id $2 +encap bpf xmit pmip6_encap (via $3 )?dev $4 .*proto 157" \
		nsx "$1" ip -6 nexthop show ;;
	ip6tnl) out_has "pmip6t$(($2 - TB))@$4: .* peer $3 " nsx "$1" ip -o -d link show ;;
	*) false ;;
	esac
}

# drv_tunnel_gone NS TABLE: no tunnel object with that number.
drv_tunnel_gone() {
	case $DRV in
	ip6tnl) out_lacks "pmip6t$(($2 - TB))@" nsx "$1" ip -o link show ;;
	*) out_lacks "^id $2 " nsx "$1" ip -6 nexthop show ;;
	esac
}

# drv_decap_ready NS UPLINK LOCAL PRIO: what the driver installs to decapsulate traffic to LOCAL.
drv_decap_ready() {
	case $DRV in
	seg6) out_has "^$4:.*to $3 ipproto ipv6 lookup $TB proto 157" nsx "$1" ip -6 rule show &&
		out_has "^$(($4 + 1)):.*lookup local proto 157" nsx "$1" ip -6 rule show &&
		out_lacks "^0:" nsx "$1" ip -6 rule show ;;
	ebpf) out_has "pmip6_decap direct-action" nsx "$1" tc filter show dev "$2" ingress &&
		out_has "^0:.*lookup local" nsx "$1" ip -6 rule show ;;
	ip6tnl) out_has "^0:.*lookup local" nsx "$1" ip -6 rule show ;;
	*) false ;;
	esac
}

# drv_rules_idle: how many IPv6 rules a namespace has with only decapsulation installed.
drv_rules_idle() {
	case $DRV in
	seg6) echo 3 ;;
	*) echo 2 ;;
	esac
}

# drv_left_nothing NS UPLINK: nothing of the driver's own is left (rules, routes and nexthops
# are checked by the callers): seg6's tunnel source is back, ebpf's filter and qdisc are gone.
drv_left_nothing() {
	case $DRV in
	seg6) out_has "tunsrc addr ::$" nsx "$1" ip sr tunsrc show ;;
	ebpf) out_lacks "pmip6|clsact" sh -c \
		"tc -n $(ns "$1") filter show dev $2 ingress; tc -n $(ns "$1") qdisc show dev $2" ;;
	ip6tnl) out_lacks "pmip6t" nsx "$1" ip -o link show ;;
	*) false ;;
	esac
}

# json_strict CMD...: CMD succeeds and prints one JSON document in which no object has a key
# twice (tests/netns/ctl_check.py).
json_strict() {
	js_out=$("$@" 2>/dev/null) || return 1
	printf '%s\n' "$js_out" | "$PY" "$(dirname "$0")/ctl_check.py" json
}

# metrics_valid ROLE SAMPLE... -- CMD...: CMD succeeds and prints a valid OpenMetrics exposition
# of pmip6_ROLE_ families holding every SAMPLE (tests/netns/ctl_check.py).
metrics_valid() {
	mv_role=$1
	shift
	mv_samples=
	while [ "$1" != -- ]; do
		mv_samples="$mv_samples $1"
		shift
	done
	shift
	mv_out=$("$@" 2>/dev/null) || return 1
	# shellcheck disable=SC2086 # one word per sample: they hold no blank
	printf '%s\n' "$mv_out" | "$PY" "$(dirname "$0")/ctl_check.py" openmetrics "$mv_role" \
		$mv_samples
}
