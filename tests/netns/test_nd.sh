#!/bin/sh
# test_nd.sh: the MAG's Neighbor Discovery (mag/nd.c), link events (common/nl_link.c) and
# link-local address (kr/kr_addr.c), for real, driven by tests/mag/nd_tool in namespaces:
#
#   mag [a1] ---- [m1] mn        (mag also has u1/u2, a veth pair of its own, as kr's uplink)
#
# Checks (a) the MN's kernel Router Solicitation is captured with the MN's MAC and link-local
# source, the capture filter lets nothing else through, and a bad RS is dropped; (b) an RA from
# fe80::1 with a prefix makes the MN configure an address in it by SLAAC and a default route via
# fe80::1 (multicast and unicast RAs, the MTU option); (c) nl_link reports carrier changes of the
# access link, and after the kernel dropped link events (ENOBUFS) it dumps the links and reports
# what changed; (d) kr_addr_add puts fe80::1 on a1 tagged with kr's protocol, and kr_close, or a
# new kr_open after a kill -9, removes it. Needs root, iproute2 and /usr/bin/python3.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
ND_TOOL=$BUILD/tests/mag/nd_tool
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

PROTO=157 # KR_RTPROT
MAG_COA=2001:db8:f::11
PFX1=2001:db8:1:1
PFX2=2001:db8:1:2

# The IPv6 addresses of an interface with their IFA_PROTO and flags (iproute2 6.1 does not show
# an address's protocol): "ADDR/LEN proto N nodad noprefixroute", one per line.
ADDRS_PY='
import socket, struct, sys
idx = socket.if_nametoindex(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
s.send(struct.pack("=IHHII", 24, 22, 0x301, 1, 0) + struct.pack("=BBBBI", 10, 0, 0, 0, 0))
while True:
    d, off = s.recv(65536), 0
    while off + 16 <= len(d):
        ln, typ = struct.unpack_from("=IH", d, off)
        if typ in (2, 3):
            sys.exit(0)
        fam, plen, fl, scope, index = struct.unpack_from("=BBBBI", d, off + 16)
        a, addr, proto = off + 24, "?", 0
        while a + 4 <= off + ln:
            alen, atype = struct.unpack_from("=HH", d, a)
            if alen < 4:
                break
            v = d[a + 4:a + alen]
            if atype == 1:
                addr = socket.inet_ntop(socket.AF_INET6, v)
            elif atype == 11:
                proto = v[0]
            elif atype == 8:
                fl = struct.unpack("=I", v)[0]
            a += (alen + 3) & ~3
        if typ == 20 and index == idx:
            print("%s/%d proto %d%s%s" % (addr, plen, proto, " nodad" if fl & 2 else "",
                  " noprefixroute" if fl & 0x200 else ""))
        off += (ln + 3) & ~3
'

# An RS from a raw socket (the kernel fills in the checksum and the source): HOPS as hop limit.
RS_PY='
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, int(sys.argv[2]))
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, socket.if_nametoindex(sys.argv[1])))
'

addrs() {
	nsx "$1" "$PY" -c "$ADDRS_PY" "$2"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# after FILE N PATTERN: a line after the first N lines of FILE matches PATTERN (fixed string).
after() {
	tail -n +"$(($2 + 1))" "$1" | grep -qF -- "$3"
}

lines() {
	wc -l <"$1"
}

# expect_event LINE NAME ACTION...: runs ACTION, then waits for the capture to print LINE. (Not
# "n" for the mark: lib.sh's nsx sets it.)
expect_event() {
	ev_want=$1
	ev_name=$2
	shift 2
	ev_mark=$(lines "$tmp/cap.out")
	"$@"
	if wait_until 10 after "$tmp/cap.out" "$ev_mark" "$ev_want"; then
		pass "$ev_name"
	else
		fail "$ev_name" "no \"$ev_want\" after line $ev_mark"
	fi
}

setup() {
	ns_add mag mn
	nsx mag sysctl -qw net.ipv6.conf.all.forwarding=1
	ip link add a1 netns "$(ns mag)" type veth peer name m1 netns "$(ns mn)"
	nsx mn sysctl -qw net.ipv6.conf.m1.accept_ra=2
	nsx mn sysctl -qw net.ipv6.conf.m1.autoconf=1
	link mag u1 mag u2
	nsx mag ip addr add $MAG_COA/64 dev u1 nodad
	nsx mag ip link set a1 up
}

capture_start() {
	: >"$tmp/cap.out"
	bg mag "$ND_TOOL" capture a1 >"$tmp/cap.out" 2>&1
	CAP_PID=$LAST_PID
	check "capture and link watch open" wait_until 10 grep -q '^ready' "$tmp/cap.out"
	check "c: carrier off at the watch (the MN's end is down)" grep -qx 'link a1 carrier off' "$tmp/cap.out"
}

# addr_start NAME ADDR/LEN: kr_open and kr_addr_add in mag, held until SIGTERM.
addr_start() {
	: >"$tmp/$1.out"
	bg mag "$ND_TOOL" addr $MAG_COA u1 a1 "$2" >"$tmp/$1.out" 2>&1
	ADDR_PID=$LAST_PID
	wait_until 10 grep -qE '^(ok|error)' "$tmp/$1.out"
}

addr_stop() {
	kill -TERM "$ADDR_PID"
	wait_until 10 grep -q '^ok close' "$tmp/$1.out"
}

check_rs() {
	t0=$(now_ms)
	expect_event 'link a1 carrier on' "c: carrier on when the MN's end comes up" nsx mn ip link set m1 up
	MN_MAC=$(nsx mn cat /sys/class/net/m1/address)
	wait_until 10 out_has 'inet6 fe80::' nsx mn ip -6 addr show dev m1 scope link -tentative
	MN_LL=$(nsx mn ip -6 addr show dev m1 scope link | sed -n 's/.*inet6 \(fe80::[^/]*\)\/.*/\1/p')
	rs="rs mac $MN_MAC src $MN_LL sllao $MN_MAC"
	if wait_until 20 grep -qF "$rs" "$tmp/cap.out"; then
		pass "a: the MN's kernel RS: its MAC, link-local source, SLLAO"
		echo "info: first RS captured $(($(now_ms) - t0)) ms after the MN's link came up"
	else
		fail "a: the MN's kernel RS" "want \"$rs\": $(cat "$tmp/cap.out")"
	fi
	nsx mn "$PY" -c "$RS_PY" m1 64
	check "a: an RS with hop limit 64 is dropped" wait_until 10 grep -qx 'drop hop limit not 255' "$tmp/cap.out"
	nsx mn "$PY" -c "$RS_PY" m1 255
	check "a: an RS without SLLAO from a raw socket" wait_until 10 grep -qF "rs mac $MN_MAC src $MN_LL sllao none" "$tmp/cap.out"
}

check_addr() {
	addr_start addr1 fe80::1/64
	check "d: kr_open and kr_addr_add" grep -q '^ok addr' "$tmp/addr1.out"
	check "d: fe80::1 on a1, tagged, no DAD, no prefix route" out_has "^fe80::1/64 proto $PROTO nodad noprefixroute\$" addrs mag a1
	check "d: nothing else tagged" test "$(addrs mag a1 | grep -c "proto $PROTO")" -eq 1
}

check_ra() {
	t0=$(now_ms)
	check "b: nd_tool sends an RA to ff02::1" out_has '^ok ra 64 octets' nsx mag "$ND_TOOL" ra a1 fe80::1 ff02::1 -m 1400 $PFX1::/64
	if wait_until 20 out_has "inet6 $PFX1:" nsx mn ip -6 addr show dev m1; then
		t1=$(now_ms)
		pass "b: the MN configures an address in $PFX1::/64 (SLAAC)"
		wait_until 20 out_has "inet6 $PFX1:" nsx mn ip -6 addr show dev m1 -tentative
		echo "info: SLAAC address $((t1 - t0)) ms after the RA, past DAD after $(($(now_ms) - t0)) ms"
	else
		fail "b: the MN configures an address in $PFX1::/64" "$(nsx mn ip -6 addr show dev m1)"
	fi
	check "b: default route via fe80::1" wait_until 10 out_has '^default via fe80::1 dev m1 proto ra' nsx mn ip -6 route show default
	check "b: the RA's MTU option" test "$(nsx mn sysctl -n net.ipv6.conf.m1.mtu)" -eq 1400
	check "b: a unicast RA to the MN's link-local address" out_has '^ok ra' nsx mag "$ND_TOOL" ra a1 fe80::1 "$MN_LL" $PFX2::/64
	check "b: the MN configures an address in $PFX2::/64 too" wait_until 20 out_has "inet6 $PFX2:" nsx mn ip -6 addr show dev m1
	check "b: nd_tool refuses a source not on the link" out_has '^error nd_send_ra' nsx mag "$ND_TOOL" ra a1 fe80::99 ff02::1 $PFX1::/64
}

check_close_and_crash() {
	check "d: kr_close" addr_stop addr1
	check "d: kr_close removed fe80::1" out_lacks '^fe80::1/' addrs mag a1
	addr_start addr2 fe80::1/64
	kill -9 "$ADDR_PID"
	wait "$ADDR_PID" 2>/dev/null
	check "d: after kill -9 fe80::1 is left" out_has "^fe80::1/64 proto $PROTO" addrs mag a1
	addr_start addr3 fe80::2/64
	check "d: a new kr_open works" grep -q '^ok addr' "$tmp/addr3.out"
	check "d: the new kr_open removed the stale fe80::1" out_lacks '^fe80::1/' addrs mag a1
	check "d: and kr_addr_add put fe80::2" out_has "^fe80::2/64 proto $PROTO" addrs mag a1
	check "d: kr_close" addr_stop addr3
	check "d: nothing tagged left on a1" out_lacks "proto $PROTO" addrs mag a1
	check "d: no rule of kr's left, local rule back at 0" out_lacks "proto $PROTO" nsx mag ip -6 rule show
	check "d: local rule back at 0" out_has '^0:.*lookup local' nsx mag ip -6 rule show
}

# The carrier, with fe80::1 on a1: a lost carrier keeps the MAG's addresses, an
# administrative down of the access link flushes them (magd must add its address again).
check_carrier() {
	addr_start addr4 fe80::1/64
	expect_event 'link a1 carrier off' "c: carrier off when the MN's end goes down" nsx mn ip link set m1 down
	check "c: a lost carrier leaves fe80::1 on a1" out_has '^fe80::1/64' addrs mag a1
	expect_event 'link a1 carrier on' "c: carrier on when it comes back" nsx mn ip link set m1 up
	expect_event 'link a1 carrier off' "c: carrier off when the MAG's end goes down" nsx mag ip link set a1 down
	check "c: down flushes a1's addresses, fe80::1 with them" out_lacks '^fe80::1/' addrs mag a1
	expect_event 'link a1 carrier on' "c: carrier on when the MAG's end comes back up" nsx mag ip link set a1 up
	check "d: kr_close with the address gone already" addr_stop addr4
}

# Reading stopped, enough link changes on u1/u2 to fill 4 MiB of events (the kernel doubles it
# to 8; 1,500 down-up pairs overflowed it here, 6,000 leave a margin), then a1 down: its
# event is dropped with the rest, and only the dump after ENOBUFS can tell.
check_resync() {
	i=0
	while [ $i -lt 6000 ]; do
		echo "link set u1 down"
		echo "link set u1 up"
		i=$((i + 1))
	done >"$tmp/flood"
	rs_mark=$(lines "$tmp/cap.out")
	kill -USR1 "$CAP_PID"
	nsx mag ip -batch "$tmp/flood"
	nsx mag ip link set a1 down
	kill -USR2 "$CAP_PID"
	check "c: ENOBUFS noticed, links dumped again" wait_until 10 after "$tmp/cap.out" "$rs_mark" 'link events lost, reading every link again'
	check "c: the dump reports a1's lost carrier" wait_until 10 after "$tmp/cap.out" "$rs_mark" 'link a1 carrier off'
	check "c: one report only" test "$(tail -n +"$((rs_mark + 1))" "$tmp/cap.out" | grep -c 'link a1')" -eq 1
	expect_event 'link a1 carrier on' "c: events flow again after the resync" nsx mag ip link set a1 up
}

check_capture_hygiene() {
	echo "info: RSs captured: $(grep -c '^rs ' "$tmp/cap.out"), from ::: $(grep -c '^rs .* src :: ' "$tmp/cap.out"), without SLLAO: $(grep -c '^rs .*sllao none' "$tmp/cap.out")"
	check "a: the capture filter passed nothing but RSs" out_lacks '^drop not a router' cat "$tmp/cap.out"
	check "a: one frame dropped (the hop limit 64 one)" test "$(grep -c '^drop' "$tmp/cap.out")" -eq 1
	# With a sanitizer build (BUILD=build/asan) nd_tool's reports land in its output.
	check "nd_tool: no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$tmp"/*.out
}

setup
capture_start
check_rs
check_addr
check_ra
check_close_and_crash
check_carrier
check_resync
check_capture_hygiene
finish
