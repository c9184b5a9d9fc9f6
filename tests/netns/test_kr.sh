#!/bin/sh
# test_kr.sh: the kernel side (kr/kr*.c) for real, with the tunnel driver KR_DRIVER names
# (default auto: the one kr_open picks on this kernel), driven by tests/common/kr_tool in
# namespaces:
#
#   cn --c0/l0-- lma [br0: lp1, lp2] --lp1/u1-- mag1 --a1/m1-- mn
#                                    --lp2/u2-- mag2 --a2/m2-- mn (second interface)
#
# Checks (a) the objects kr installs, tagged with its protocol; (b) a ping from cn to the mobile
# node's prefix crosses lma-mag1 as IPv6-in-IPv6 (outer Next Header 41, seen by tshark) both
# ways and is answered (uplink through mag1's source rule, decapsulated at lma); (c) fwmark
# steering through the other tunnel's table; (f) a handoff that re-points the prefix route;
# (e) kill -9, then a new kr_open() cleans the stale state and works again; a 100,000-route
# batch (figure printed, not judged); (d) kr_close() leaves nothing tagged and the "local" rule
# back at priority 0. What each driver installs is checked by its own objects_DRIVER; ebpf also:
# (g) tunnelled packets from an address that is no peer are dropped and counted, and a peer's
# packet with ip6tnl's Tunnel Encapsulation Limit option is decapsulated. Also: every driver
# either opens or fails at kr_open naming the kernel option it lacks, leaving nothing. Needs
# root, iproute2, tc, tshark and /usr/bin/python3 with scapy.
# shellcheck source-path=SCRIPTDIR disable=SC2086 # $REPLY is split into words on purpose
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
KR_TOOL=$BUILD/tests/common/kr_tool
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
tab=$(printf '\t')

CN=2001:db8:c::2
LMA_CN=2001:db8:c::1
LMA=2001:db8:f::1
MAG1=2001:db8:f::11
MAG2=2001:db8:f::12
HNP=2001:db8:1::/64
MN=2001:db8:1::100
TB=1000
PRIO=100
PROTO=157 # KR_RTPROT
DRIVER=${KR_DRIVER:-auto}

# One ICMPv6 echo request, success if its reply comes within a second; SO_MARK (36) if asked.
# (Python, because iputils-ping is not among the packages scripts/install-deps installs.)
PING_PY='
import os, select, socket, struct, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
if len(sys.argv) > 2:
    s.setsockopt(socket.SOL_SOCKET, 36, int(sys.argv[2]))
ident = os.getpid() & 0xffff
s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"kr_seg6", (sys.argv[1], 0))
end = time.monotonic() + 1
while True:
    left = end - time.monotonic()
    if left <= 0 or not select.select([s], [], [], left)[0]:
        sys.exit(1)
    d = s.recv(2048)
    if len(d) >= 8 and d[0] == 129 and struct.unpack("!H", d[4:6])[0] == ident:
        sys.exit(0)
'

# ping6 NS DST [MARK]
ping6() {
	nsx "$1" "$PY" -c "$PING_PY" "$2" ${3:-}
}

# kr_start NAME NS FD LOCAL UPLINK: kr_tool in NS reading the commands this shell writes to fd
# FD, a FIFO opened read-write so that neither end's open blocks. The FIFO becomes kr_tool's
# standard input inside the child: an asynchronous command's own is /dev/null.
kr_start() {
	mkfifo "$tmp/$1.in"
	: >"$tmp/$1.out"
	eval "exec $3<>\"\$tmp/\$1.in\""
	# shellcheck disable=SC2016 # expanded by the child shell
	bg "$2" sh -c 'in=$1; shift; exec "$@" <"$in"' sh "$tmp/$1.in" "$KR_TOOL" -d "$DRIVER" \
		"$4" "$5" $TB $PRIO >"$tmp/$1.out" 2>&1
	eval "KR_FD_$1=$3 KR_PID_$1=\$LAST_PID"
	wait_until 10 grep -qE '^(ok|error) open' "$tmp/$1.out"
}

kr_answered() {
	tail -n +"$(($2 + 1))" "$1" | grep -qE '^(ok|error)'
}

# kr_do NAME CMD...: sends one command and waits for its answer, which it puts in REPLY.
kr_do() {
	n=$1
	shift
	fd=
	eval "fd=\$KR_FD_$n"
	before=$(wc -l <"$tmp/$n.out")
	eval "printf '%s\\n' \"\$*\" >&$fd"
	if ! wait_until 60 kr_answered "$tmp/$n.out" "$before"; then
		REPLY="(no answer to $*)"
		return 1
	fi
	REPLY=$(tail -n +"$((before + 1))" "$tmp/$n.out" | grep -E '^(ok|error)' | head -n 1)
	case $REPLY in
	ok*) return 0 ;;
	*) return 1 ;;
	esac
}

# kr_check NAME CHECKNAME CMD...: a command that must answer "ok".
kr_check() {
	n=$1
	c=$2
	shift 2
	if kr_do "$n" "$@"; then pass "$c"; else fail "$c" "$REPLY"; fi
}

# capture NS IF FILE: tshark on IF writing outer and inner addresses of proto-41 packets.
capture() {
	: >"$3"
	bg "$1" tshark -l -n -i "$2" -f "ip6 proto 41" -T fields -e ipv6.src -e ipv6.dst \
		-e ipv6.nxt -a duration:120 >"$3" 2>/dev/null
	CAP_PID=$LAST_PID
}

capture_stop() {
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}

# seen FILE OUTER_SRC INNER_SRC OUTER_DST INNER_DST: IPv6 in IPv6 with ICMPv6 inside, no SRH.
seen() {
	grep -qF "$2,$3$tab$4,$5${tab}41,58" "$1"
}

# ping_seen NS DST FILE PATTERN...: a ping answered, and the capture shows PATTERN.
ping_seen() {
	ns_=$1
	dst=$2
	shift 2
	ping6 "$ns_" "$dst" && seen "$@"
}

ping_mark_seen() {
	ping6 lma "$MN" "$1" && seen "$2" "$LMA" "$LMA" "$MAG2" "$MN"
}

setup() {
	ns_add cn lma mag1 mag2 mn aux
	link cn c0 lma l0
	link lma lp1 mag1 u1
	link lma lp2 mag2 u2
	link mag1 a1 mn m1
	link mag2 a2 mn m2
	link aux x0 aux x1
	nsx lma ip link add br0 address 02:00:00:00:ff:00 type bridge mcast_snooping 0
	nsx lma ip link set lp1 master br0
	nsx lma ip link set lp2 master br0
	nsx lma ip link set br0 up
	for n in lma mag1 mag2; do
		nsx "$n" sysctl -qw net.ipv6.conf.all.forwarding=1
	done
	nsx cn ip addr add $CN/64 dev c0 nodad
	nsx cn ip -6 route add default via $LMA_CN
	nsx lma ip addr add $LMA_CN/64 dev l0 nodad
	nsx lma ip addr add $LMA/64 dev br0 nodad
	nsx mag1 ip addr add $MAG1/64 dev u1 nodad
	nsx mag1 ip addr add fe80::1/64 dev a1 nodad
	nsx mag2 ip addr add $MAG2/64 dev u2 nodad
	nsx mag2 ip addr add fe80::1/64 dev a2 nodad
	nsx mn ip addr add fe80::100/64 dev m1 nodad
	nsx mn ip addr add $MN/64 dev m1 nodad
	nsx mn ip addr add fe80::200/64 dev m2 nodad
	nsx mn ip -6 route add default via fe80::1 dev m1
	nsx aux ip addr add 2001:db8:a::1/64 dev x0 nodad
}

# The LMA: a tunnel to each MAG, the prefix through the first.
lma_up() {
	kr_start "$1" lma "$2" $LMA br0
	USED=$(sed -n 's/^ok open //p' "$tmp/$1.out")
	check "$1: kr_open with driver $DRIVER opens (${USED:-nothing})" test -n "$USED"
	echo "driver in use: $USED (asked for $DRIVER)"
	kr_check "$1" "$1: tunnel to mag1" tunnel-add $MAG1
	set -- "$1" $REPLY
	T1=$4 T1_TABLE=$6 T1_MARK=$8
	kr_check "$1" "$1: tunnel to mag2" tunnel-add $MAG2
	set -- "$1" $REPLY
	T2=$4 T2_TABLE=$6 T2_MARK=$8
	kr_do "$1" route $HNP "$T1"
	kr_check "$1" "$1: prefix route accepted" flush
	[ "$REPLY" = "ok flush refused 0" ] || fail "$1: prefix route" "$REPLY"
}

# A MAG: a tunnel to the LMA, the prefix on its access link, the source rule for the uplink.
mag_up() {
	kr_start "$1" "$1" "$2" "$3" "$4"
	kr_check "$1" "$1: tunnel to lma" tunnel-add $LMA
	set -- "$@" $REPLY
	kr_do "$1" neigh-route $HNP "$6" "$5"
	kr_do "$1" src-rule $HNP "$9"
	MAG_TABLE=${11}
	kr_check "$1" "$1: neighbor route and source rule" flush
	[ "$REPLY" = "ok flush refused 0" ] || fail "$1: neighbor route and source rule" "$REPLY"
}

# nhpat ID: how a route through tunnel ID names its target.
nhpat() {
	case $USED in
	ip6tnl) echo "dev pmip6t$1 " ;;
	*) echo "nhid $(($1 + TB)) " ;;
	esac
}

objects_seg6() {
	check "a: nexthop per peer, tagged" out_has "^id $T1_TABLE .*encap seg6 mode encap.red segs 1 \[ $MAG1 \] dev br0 .*proto $PROTO" nsx lma ip -6 nexthop show
	check "a: decapsulation rule" out_has "^$PRIO:.*to $LMA ipproto ipv6 lookup $TB proto $PROTO" nsx lma ip -6 rule show
	check "a: decapsulation route End.DX6" out_has "^$LMA .*encap seg6local action End.DX6 nh6 :: dev br0 .*proto $PROTO" nsx lma ip -6 route show table $TB
	check "a: local rule moved after decapsulation, before fwmark rules" out_has "^$((PRIO + 1)):.*lookup local proto $PROTO" nsx lma ip -6 rule show
	check "a: no local rule at 0" out_lacks "^0:" nsx lma ip -6 rule show
	check "a: tunnel source" out_has "tunsrc addr $LMA\$" nsx lma ip sr tunsrc show
}

objects_ebpf() {
	check "a: nexthop per peer: encap bpf, tagged" out_has "^id $T1_TABLE .*encap bpf xmit pmip6_encap .*dev br0 .*proto $PROTO" nsx lma ip -6 nexthop show
	check "a: the on-link peer is the nexthop's gateway (no second route lookup)" out_has "^id $T1_TABLE .*via $MAG1 dev br0" nsx lma ip -6 nexthop show
	check "a: decapsulation: our direct-action filter on br0's ingress" out_has "pmip6_decap direct-action" nsx lma tc filter show dev br0 ingress
	check "a: the local rule stays at 0" out_has "^0:.*lookup local" nsx lma ip -6 rule show
	check "a: mag1 has its own filter on u1" out_has "pmip6_decap direct-action" nsx mag1 tc filter show dev u1 ingress
}

objects_ip6tnl() {
	check "a: a tunnel device per peer" out_has "pmip6t$T1@" nsx lma ip link show
	check "a: the local rule stays at 0" out_has "^0:.*lookup local" nsx lma ip -6 rule show
}

check_objects() {
	"objects_$USED"
	check "a: tunnel table: default through the tunnel" out_has "^default $(nhpat "$T1").*proto $PROTO" nsx lma ip -6 route show table "$T1_TABLE"
	check "a: tunnel table: throw peer" out_has "^throw $MAG1 .*proto $PROTO" nsx lma ip -6 route show table "$T1_TABLE"
	check "a: fwmark rule" out_has "^$((PRIO + 2)):.*fwmark $(printf '0x%x' "$T1_MARK") lookup $T1_TABLE proto $PROTO" nsx lma ip -6 rule show
	check "a: prefix route through the tunnel" out_has "^2001:db8:1::/64 $(nhpat "$T1").*proto $PROTO" nsx lma ip -6 route show
	check "a: mag1 source rule" out_has "^$((PRIO + 2)):.*from 2001:db8:1::/64 lookup $TB_MAG1 proto $PROTO" nsx mag1 ip -6 rule show
	check "a: mag1 neighbor route" out_has "^2001:db8:1::/64 via fe80::100 dev a1 proto $PROTO" nsx mag1 ip -6 route show
}

# A refused request comes back with its cookie (the input line number for kr_tool).
check_refusal() {
	kr_do mag1 src-rule $HNP 1
	line=${REPLY#ok queued }
	kr_do mag1 flush
	if [ "$REPLY" = "ok flush refused 1" ] && grep -q "^refused $line: File exists" "$tmp/mag1.out"; then
		pass "a: a refused request is reported with its cookie"
	else
		fail "a: a refused request is reported with its cookie" "$REPLY"
	fi
}

check_ping_through_mag1() {
	capture lma lp1 "$tmp/cap1"
	if wait_until 30 ping_seen cn $MN "$tmp/cap1" "$LMA" "$CN" "$MAG1" "$MN"; then
		pass "b: cn -> mn answered, downlink IPv6-in-IPv6 lma -> mag1"
	else
		fail "b: cn -> mn answered, downlink IPv6-in-IPv6 lma -> mag1" "$(cat "$tmp/cap1")"
	fi
	check "b: uplink IPv6-in-IPv6 mag1 -> lma (source rule, decapsulated at lma)" wait_until 5 seen "$tmp/cap1" "$MAG1" "$MN" "$LMA" "$CN"
	capture_stop
}

# getpat ID PEER: what "ip -6 route get" shows of a route into tunnel ID toward PEER (a nexthop's
# id is not shown; seg6 shows the peer, ebpf only the program: the captures tell the tunnels).
getpat() {
	case $USED in
	seg6) echo "segs 1 \[ $2 \]" ;;
	ebpf) echo "encap bpf xmit pmip6_encap" ;;
	ip6tnl) echo "dev pmip6t$1 " ;;
	esac
}

check_fwmark() {
	check "c: route get with tunnel 2's mark uses its table" out_has "$(getpat "$T2" $MAG2).* table $T2_TABLE" nsx lma ip -6 route get $MN mark "$T2_MARK"
	check "c: route get without a mark uses the prefix route" sh -c "ip -n $(ns lma) -6 route get $MN | grep -E '$(getpat "$T1" $MAG1)' | grep -v ' table '"
	capture lma lp2 "$tmp/cap2"
	if wait_until 30 ping_mark_seen "$T2_MARK" "$tmp/cap2"; then
		pass "c: marked packets go through tunnel 2 (throw route lets the outer packet out)"
	else
		fail "c: marked packets go through tunnel 2" "$(cat "$tmp/cap2")"
	fi
	capture_stop
}

check_handoff() {
	kr_do lma route $HNP "$T2"
	kr_check lma "f: handoff: prefix route re-pointed" flush
	[ "$REPLY" = "ok flush refused 0" ] || fail "f: handoff" "$REPLY"
	nsx mn ip -6 route replace default via fe80::1 dev m2
	check "f: the prefix route names tunnel 2" out_has "^2001:db8:1::/64 $(nhpat "$T2")" nsx lma ip -6 route show
	capture lma lp2 "$tmp/cap3"
	if wait_until 30 ping_seen cn $MN "$tmp/cap3" "$LMA" "$CN" "$MAG2" "$MN"; then
		pass "f: after the handoff cn -> mn goes through mag2"
	else
		fail "f: after the handoff cn -> mn goes through mag2" "$(cat "$tmp/cap3")"
	fi
	check "f: uplink through mag2's tunnel" wait_until 5 seen "$tmp/cap3" "$MAG2" "$MN" "$LMA" "$CN"
	capture_stop
}

check_crash_restart() {
	eval "kill -9 \$KR_PID_lma; wait \$KR_PID_lma 2>/dev/null"
	exec 3>&-
	check "e: after kill -9 the state is left" out_has "^2001:db8:1::/64 nhid" nsx lma ip -6 route show
	[ "$USED" != seg6 ] || check "e: after kill -9 the local rule is still moved" out_lacks "^0:" nsx lma ip -6 rule show
	kr_start lma2 lma 6 $LMA br0
	check "e: new kr_open works" grep -q "^ok open $USED" "$tmp/lma2.out"
	check "e: stale prefix route gone" out_lacks "^2001:db8:1::/64" nsx lma ip -6 route show
	check "e: stale nexthops gone" out_lacks "." nsx lma ip -6 nexthop show
	check "e: stale tunnel tables gone" out_lacks "." nsx lma ip -6 route show table "$T1_TABLE"
	restart_rules_$USED
	kr_check lma2 "e: tunnel to mag1 again" tunnel-add $MAG1
	kr_check lma2 "e: tunnel to mag2 again" tunnel-add $MAG2
	set -- $REPLY
	kr_do lma2 route $HNP "$3"
	kr_check lma2 "e: prefix route again" flush
	if wait_until 30 ping6 cn $MN; then pass "e: cn -> mn answered again"; else fail "e: cn -> mn answered again" "no reply"; fi
}

restart_rules_seg6() {
	check "e: one local rule, ours" out_has "^$((PRIO + 1)):.*lookup local proto $PROTO" nsx lma ip -6 rule show
	check "e: three rules (decapsulation, local, main)" test "$(nsx lma ip -6 rule show | wc -l)" -eq 3
}

restart_rules_ebpf() {
	check "e: two rules (local, main)" test "$(nsx lma ip -6 rule show | wc -l)" -eq 2
	check "e: one decapsulation filter (the stale one replaced)" test "$(nsx lma tc filter show dev br0 ingress | grep -c pmip6_decap)" -eq 1
}

restart_rules_ip6tnl() {
	check "e: two rules (local, main)" test "$(nsx lma ip -6 rule show | wc -l)" -eq 2
}

bench() {
	kr_do lma2 bench 100000 1 2001:db9::
	echo "$REPLY"
	case $REPLY in
	"ok bench 100000 routes in "*", refused 0, "*) pass "bench: 100,000 routes accepted" ;;
	*) fail "bench: 100,000 routes accepted" "$REPLY" ;;
	esac
	check "bench: 100,000 routes installed" test "$(nsx lma ip -6 route show proto $PROTO | grep -c '^2001:db9:')" -eq 100000
}

check_close() {
	kr_check lma2 "d: kr_close" close
	check "d: no route of ours" out_lacks "." nsx lma ip -6 route show table all proto $PROTO
	check "d: no nexthop of ours" out_lacks "proto $PROTO" nsx lma ip -6 nexthop show
	check "d: no rule of ours" out_lacks "proto $PROTO" nsx lma ip -6 rule show
	check "d: local rule back at 0" out_has "^0:.*lookup local" nsx lma ip -6 rule show
	check "d: exactly two rules" test "$(nsx lma ip -6 rule show | wc -l)" -eq 2
	[ "$USED" != seg6 ] || check "d: tunnel source restored" out_has "tunsrc addr ::\$" nsx lma ip sr tunsrc show
	check "d: no tc filter or clsact qdisc of ours" out_lacks "pmip6|clsact" sh -c \
		"tc -n $(ns lma) filter show dev br0 ingress; tc -n $(ns lma) qdisc show dev br0"
	kr_check mag1 "d: mag1 kr_close" close
	kr_check mag2 "d: mag2 kr_close" close
	check "d: mag1 has no rule of ours" out_lacks "proto $PROTO" nsx mag1 ip -6 rule show
	check "d: mag1 has no route of ours" out_lacks "." nsx mag1 ip -6 route show table all proto $PROTO
	check "d: mag1 local rule back at 0" out_has "^0:.*lookup local" nsx mag1 ip -6 rule show
}

# Every driver opens, or fails at kr_open naming what the kernel lacks; either way nothing is
# left. auto says which it picked and why.
check_drivers() {
	echo close | nsx aux "$KR_TOOL" -d auto 2001:db8:a::1 x0 $TB $PRIO >"$tmp/auto.out" 2>&1
	check "auto opens and says why ($(grep 'driver auto' "$tmp/auto.out"))" grep -q "tunnel driver auto: " "$tmp/auto.out"
	for d in ebpf ip6tnl seg6; do
		echo "tunnel-add 2001:db8:a::2" |
			nsx aux "$KR_TOOL" -d $d 2001:db8:a::1 x0 $TB $PRIO >"$tmp/$d.out" 2>&1
		check "$d: opens and makes a tunnel, or fails at open naming a kernel option ($(grep -E '^(ok open|error)' "$tmp/$d.out" | head -n 1))" \
			grep -qE "^ok tunnel 1 |^error open: $d tunnel driver: .*lacks CONFIG_" "$tmp/$d.out"
		check "$d: no device, rule, route, nexthop or filter left" out_lacks "pmip6|proto $PROTO|clsact" sh -c \
			"ip -n $(ns aux) link; ip -n $(ns aux) -6 rule; ip -n $(ns aux) -6 route show table all; ip -n $(ns aux) -6 nexthop show; tc -n $(ns aux) qdisc show dev x0"
	done
}

# (g) ebpf only: a tunnelled packet from no peer is dropped and counted; a peer's packet with
# the Tunnel Encapsulation Limit option an ip6tnl peer adds by default is decapsulated.
SEND41_PY='
import sys
from scapy.all import IPv6, IPv6ExtHdrDestOpt, HBHOptUnknown, PadN, ICMPv6EchoRequest, send
src, dst, isrc, idst, tel = sys.argv[1:6]
inner = IPv6(src=isrc, dst=idst) / ICMPv6EchoRequest(id=0x4b52, data=b"kr_g")
outer = IPv6(src=src, dst=dst, nh=41)
if tel == "1":
    outer = IPv6(src=src, dst=dst) / IPv6ExtHdrDestOpt(nh=41, options=[HBHOptUnknown(otype=4, optlen=1, optdata=b"\x04"), PadN(optdata=b"")])
send(outer / inner, verbose=0)
'

kr_stat() {
	kr_do "$1" stats >/dev/null
	echo "$REPLY" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# stat_above NAME KEY MIN: kr_tool NAME's counter KEY is above MIN.
stat_above() {
	v=$(kr_stat "$1" "$2")
	[ "${v:-0}" -gt "$3" ]
}

check_ebpf_decap() {
	[ "$USED" = ebpf ] || return 0
	nsx mag1 ip addr add 2001:db8:f::99/64 dev u1 nodad
	u0=$(kr_stat lma2 unknown_peer)
	nsx mag1 "$PY" -c "$SEND41_PY" 2001:db8:f::99 $LMA $MN $CN 0
	check "g: tunnelled from no peer: dropped and counted" wait_until 5 stat_above lma2 unknown_peer "${u0:-0}"
	d0=$(kr_stat lma2 decapsulated)
	nsx mag1 "$PY" -c "$SEND41_PY" $MAG1 $LMA $MN $CN 1
	check "g: with the encapsulation limit option (as ip6tnl sends): decapsulated" wait_until 5 stat_above lma2 decapsulated "${d0:-0}"
	check "g: encapsulated and decapsulated packets were counted" test "$(kr_stat lma2 encapsulated)" -gt 0
}

# With a sanitizer build (BUILD=build/asan) kr_tool's reports land in its output.
check_sanitizers() {
	check "kr_tool: no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$tmp"/*.out
}

setup
lma_up lma 3
mag_up mag1 4 $MAG1 u1 a1 fe80::100
TB_MAG1=$MAG_TABLE
mag_up mag2 5 $MAG2 u2 a2 fe80::200
check_objects
check_refusal
check_ping_through_mag1
check_fwmark
check_handoff
check_crash_restart
check_ebpf_decap
bench
check_close
check_drivers
check_sanitizers
finish
