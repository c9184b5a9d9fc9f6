#!/bin/sh
# test_magd.sh: magd for real, in namespaces, with an unmodified Linux host as the mobile node
# (SLAAC, its interfaces' MACs set to configured ones), first against tests/mag/fake_lma (a
# scripted LMA built with our codec) and tests/netns/pba_scapy.py (a PBA built by scapy), then
# against the real lmad with a second magd and a correspondent node.
#
#        mn (if1 02:..:01) --acc1-- mag  --v1/p1--+
#        other (unknown MAC) --accx-- mag          |
#        mn (if2 02:..:02) --acc2-- mag2 --v2/p2--+ br0 (lma: fake_lma, pba_scapy.py or lmad)
#                                                   lma --lmacn/cn0-- cn
#
# Checks, in this order: the configuration (-n, -nv printing back, a broken file refused with
# file:line); start (link-local address, decapsulation rule); the MN's interface comes up: its
# RS, the PBU (fake_lma's decode and tshark's on the mag-lma link), the PBA with a prefix and a
# MuHo prefix, the RA on the access link (tshark), SLAAC and the default route at the MN, routes,
# rules and the tunnel at the MAG, pmipctl; an RS from an unknown MAC; an Update Notification
# with a new MuHo list, acknowledged; carrier loss at the MAG's end of the access veth and its
# return; the retransmission of an Update Notification (flag D, RFC 7077 §4.1), answered again
# and not applied twice; pmipctl deregister; retransmission and
# refresh; each PBA status's consequence (155 after a forced re-registration, 157, 156, 152,
# 130) and a PBA with a wrong echo; a PBA built by scapy; SIGTERM; SIGKILL and a restart; then
# lmad, two MAGs and a multihomed MN reached by the CN on both its addresses, a carrier flap
# there, and the second MAG's SIGTERM seen by the LMA and the first MAG. magd's logs are
# printed when a check failed. Needs root, iproute2, tshark and /usr/bin/python3 with
# python3-scapy.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
MAGD=$BUILD/magd
LMAD=$BUILD/lmad
PMIPCTL=$BUILD/pmipctl/pmipctl
FAKE=$BUILD/tests/mag/fake_lma
SCAPY=$here/pba_scapy.py
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
tab=$(printf '\t')

LMA=2001:db8:ffff::100
MAG1=2001:db8:ffff::1
MAG2=2001:db8:ffff::2
LL=fe80::abcd # the MAGs' link-local address (not the default fe80::1)
MN=mn1@example.org
MAC1=02:00:00:00:00:01
MAC2=02:00:00:00:00:02
MACX=02:00:00:00:09:09 # the stranger's: no mn statement has it
ATT1=3                 # acc1: IEEE 802.3
P1=2001:db8:1:1::/64   # fake_lma's Home Network Prefix
P2=2001:db8:1:2::/64   # fake_lma's MuHo prefix (the MN's "other interface")
P3=2001:db8:1:3::/64   # the MuHo prefix of the Update Notification
P4=2001:db8:1:4::/64   # pba_scapy.py's Home Network Prefix
P5=2001:db8:1:5::/64   # pba_scapy.py's MuHo prefix
POOL=2001:db8:100::/48 # lmad's
TB=2000
PRIO=1000
PROTO=157
CONF=$tmp/magd.conf
CONF2=$tmp/magd2.conf
LCONF=$tmp/lmad.conf
SOCK=$tmp/magd.sock
SOCK2=$tmp/magd2.sock
LSOCK=$tmp/lmad.sock
LOG=$tmp/magd.log
LOG2=$tmp/magd2.log
LLOG=$tmp/lmad.log
MAGD_PID=
FL_PID=
FL_OUT=
FL_N=0
: >"$LOG"

# --- helpers ---

# re TEXT: TEXT with the dots of addresses escaped, for a regular expression.
re() {
	printf '%s' "$1" | sed 's/[.]/\\./g'
}

ctl() {
	"$PMIPCTL" -s "$SOCK" "$@"
}

stat_get() {
	jget "j.get('$1', {}).get('$2', 0)" ctl -j show stats
}

# stat_ge GROUP NAME VALUE: a counter of pmipctl show stats is at least VALUE.
stat_ge() {
	jtest "j.get('$1', {}).get('$2', 0) >= $3" ctl -j show stats
}

bindings_are() {
	jtest "$1" ctl -j show bindings
}

# state_is STATE: the MN's one entry at the MAG is in this state.
state_is() {
	bindings_are "[b['state'] for m in j for b in m['bindings']] == ['$1']"
}

no_binding() {
	bindings_are "j == []"
}

# detached_or_gone: the MN has no entry, or only one that remembers its prefixes.
detached_or_gone() {
	bindings_are "all(b['state'] == 'detached' for m in j for b in m['bindings'])"
}

# fsub A B: A - B for decimal numbers.
fsub() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'
}

# between X LO HI: LO <= X <= HI, decimal numbers.
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'
}

now_s() {
	date +%s.%N
}

# later_than T: the clock is past T (seconds since 1970, decimal).
later_than() {
	between "$(now_s)" "$1" 9999999999
}

# exited PID: the process is gone or a zombie.
exited() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# --- the MN's side ---

# A Router Solicitation with a source link-layer address option, from the interface's
# link-local address (what the MN's kernel sends, on demand: Linux does not solicit again
# when the carrier comes back, nor after it has heard a router).
RS_PY='import socket, sys
ifname, mac = sys.argv[1], sys.argv[2]
idx = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
rs = bytes([133, 0, 0, 0, 0, 0, 0, 0, 1, 1]) + bytes.fromhex(mac.replace(":", ""))
s.sendto(rs, ("ff02::2", 0, 0, idx))'
send_rs() {
	nsx mn "$PY" -c "$RS_PY" if1 $MAC1
}

# ICMPv6 echo requests from the CN to each address; prints "ADDR reply" or "ADDR none".
PING_PY='import socket, struct, sys
for a in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.settimeout(0.5)
    ok = False
    for i in range(10):
        s.sendto(struct.pack("!BBHHH", 128, 0, 0, 7, i) + b"magd-test", (a, 0))
        try:
            while not ok:
                d, src = s.recvfrom(1500)
                ok = d[0] == 129 and src[0] == a
        except socket.timeout:
            pass
        if ok:
            break
    print(a, "reply" if ok else "none")'

# mn_addr IF PREFIX: the MN's global address in PREFIX (a /64) on IF.
mn_addr() {
	nsx mn ip -6 addr show dev "$1" scope global | awk -v p="${2%%::/64}:" \
		'$1 == "inet6" && index($2, p) == 1 { sub("/.*", "", $2); print $2; exit }'
}

mn_has_addr() {
	[ -n "$(mn_addr "$1" "$2")" ]
}

# mn_ll IF: the MN's link-local address on IF, once it is no longer tentative.
mn_ll() {
	nsx mn ip -6 addr show dev "$1" scope link | awk '$1 == "inet6" && !/tentative/ {
		sub("/.*", "", $2); print $2; exit }'
}

mn_ll_ready() {
	[ -n "$(mn_ll if1)" ]
}

# --- fake_lma ---

# fl_start ARGS...: a new fake_lma in lma, its output in FL_OUT; waits until its socket is open.
fl_start() {
	FL_N=$((FL_N + 1))
	FL_OUT=$tmp/fake_lma.$FL_N
	: >"$FL_OUT"
	bg lma "$FAKE" $LMA "$@" >"$FL_OUT" 2>&1
	FL_PID=$LAST_PID
	wait_until 5 grep -q '^ready=1$' "$FL_OUT"
}

fl_stop() {
	[ -n "$FL_PID" ] || return 0
	kill "$FL_PID" 2>/dev/null
	wait "$FL_PID" 2>/dev/null
	FL_PID=
}

# fl_pbus: how many PBUs fake_lma has printed.
fl_pbus() {
	grep -c '^end=' "$FL_OUT"
}

fl_has() {
	[ "$(fl_pbus)" -ge "$1" ]
}

# fl_block K: the key=value lines of the K-th PBU.
fl_block() {
	awk -v k="$1" '/^pbu=/ { n = substr($0, 5) } n == k { print } /^end=/ && n == k { exit }' \
		"$FL_OUT"
}

# fl_get K KEY: the value of KEY in the K-th PBU (every value, one a line, for hnp and muho).
fl_get() {
	fl_block "$1" | sed -n "s/^$2=//p"
}

# expect_pbu NAME K LINE...: the K-th PBU holds every LINE.
expect_pbu() {
	e_name=$1
	e_k=$2
	shift 2
	block=$(fl_block "$e_k")
	for e_line in "$@"; do
		if ! printf '%s\n' "$block" | grep -qxF -- "$e_line"; then
			fail "$e_name" "no '$e_line' in PBU $e_k: $(oneline "$block")"
			return
		fi
	done
	pass "$e_name"
}

# fl_upa_status SEQ: the status of the acknowledgement of Update Notification SEQ.
fl_upa_status() {
	awk -F= -v s="$1" '$1 == "upa_seq" { q = $2 } $1 == "upa_status" && q == s { print $2 }' \
		"$FL_OUT"
}

# no_pbu_until K T: fake_lma has no K-th PBU when the clock passes T (a bounded wait: how
# "nothing more happens" is shown).
no_pbu_until() {
	wait_until 10 eval "fl_has $1 || later_than $2"
	! fl_has "$1"
}

# fl_upa_is SEQ STATUS
fl_upa_is() {
	[ "$(fl_upa_status "$1" | head -n 1)" = "$2" ]
}

# fake_lma received at least N acknowledgements of sequence number S with status 0: S N
fl_upa_ok_times() {
	[ "$(fl_upa_status "$1" | grep -cx 0)" -ge "$2" ]
}

# --- magd ---

# write_conf FILE PROXY-COA UPLINK SOCKET ACCESS-IF ACCESS-TECHNOLOGY: mag's file (with accx
# too when ACCESS-IF is acc1) or mag2's.
write_conf() {
	cat >"$1" <<EOF
# test_magd.sh
lma-address $LMA
proxy-coa $2
uplink-interface $3
link-local-address $LL
tunnel-driver $TEST_DRIVER
table-base $TB
rule-priority $PRIO
lifetime 40s
refresh-before 3s
retransmit initial 1s max 2s tries 4
ra-interval 10s
control-socket $4
access-interface $5 { access-technology $6 }
EOF
	[ "$5" = acc1 ] && echo "access-interface accx { access-technology 7 }" >>"$1"
	cat >>"$1" <<EOF
mn $MN {
	mac $MAC1
	mac $MAC2
	multihoming yes
}
mn mn2@example.org { mac 02:00:00:00:00:0b }
EOF
}

magd_answers() {
	ctl -j show stats
}

start_magd() {
	bg mag "$MAGD" -d -v -f "$CONF" >>"$LOG" 2>&1
	MAGD_PID=$LAST_PID
	wait_until 10 magd_answers && drv_read "$LOG"
}

# stop_magd SIGNAL: sends it and waits (bounded) for the exit; status in MAGD_RC.
stop_magd() {
	MAGD_RC=timeout
	kill "-$1" "$MAGD_PID" 2>/dev/null
	if wait_until 10 exited "$MAGD_PID"; then
		wait "$MAGD_PID"
		MAGD_RC=$?
	fi
}

# The kernel state at the MAG.
mroutes() {
	nsx mag ip -6 route show table all proto $PROTO
}

# mroutes_mn: our routes but the decapsulation route (table-base), which lives as long as magd.
mroutes_mn() {
	mroutes | sed "/ table $TB /d"
}

mrules() {
	nsx mag ip -6 rule show
}

# route_to PREFIX: a route for it via the MN's link-local address on acc1, tagged.
route_to() {
	out_has "^$(re "$1") via $MN_LL dev acc1 proto $PROTO" nsx mag ip -6 route show
}

no_route_to() {
	out_lacks "^$(re "$1") " nsx mag ip -6 route show table all
}

# rule_for PREFIX: the source rule into the tunnel table.
rule_for() {
	out_has "^$((PRIO + 2)):${tab}from $(re "$1") lookup $TUN_TABLE proto $PROTO" mrules
}

no_rule_for() {
	out_lacks "from $(re "$1") " mrules
}

# installed NAME PREFIX...: route and rule for every prefix.
installed() {
	i_name=$1
	shift
	for p in "$@"; do
		check "$i_name: route for $p via the MN's link-local on acc1" wait_until 5 route_to "$p"
		check "$i_name: rule from $p into table $TUN_TABLE" wait_until 5 rule_for "$p"
	done
}

# uninstalled NAME PREFIX...: neither route nor rule for any of them.
uninstalled() {
	u_name=$1
	shift
	for p in "$@"; do
		check "$u_name: no route for $p" wait_until 5 no_route_to "$p"
		check "$u_name: no rule for $p" wait_until 5 no_rule_for "$p"
	done
}

# tunnel_table: table-base + the tunnel number pmipctl shows.
tunnel_table() {
	t=$(jget "[b['tunnel'] for m in j for b in m['bindings']][0]" ctl -j show bindings)
	case $t in
	'' | *[!0-9]*) t=1 ;;
	esac
	echo $((TB + t))
}

# reset: the MN leaves (pmipctl deregister, answered by the running fake_lma), fake_lma stops.
reset() {
	if ! no_binding; then
		ctl deregister $MN >/dev/null 2>&1
		wait_until 8 detached_or_gone ||
			fail "reset" "the MN's entry does not leave: $(ctl show bindings)"
		ctl deregister $MN >/dev/null 2>&1 # a detached entry goes at once
		wait_until 8 no_binding || fail "reset" "the MN's entry does not go: $(ctl show bindings)"
	fi
	fl_stop
}

# attach ARGS...: a fake_lma with ARGS, an RS from the MN; waits for the first PBU.
attach() {
	fl_start "$@"
	send_rs
	wait_until 5 fl_has 1
}

# --- tshark: the mag-lma link (Mobility Header) and the access link acc1 (ICMPv6) ---

MH_FIELDS="-e frame.time_epoch -e ipv6.src -e ipv6.dst -e mip6.mhtype -e mip6.bu.seqnr
-e mip6.bu.a_flag -e mip6.bu.p_flag -e mip6.bu.lifetime -e mip6.mnid.identifier
-e mip6.mnlli.lli -e mip6.nemo.mnp.pfl -e mip6.nemo.mnp.mnp -e mip6.hi -e mip6.att
-e mip6.lila_lla -e mip6.options.ts -e mip6.options.em -e mip6.ba.status -e mip6.ba.seqnr"
ND_FIELDS="-e frame.time_epoch -e ipv6.src -e ipv6.dst -e icmpv6.type
-e icmpv6.nd.ra.router_lifetime -e icmpv6.opt.prefix -e icmpv6.opt.prefix.length"

# An unknown-type Mobility Header message from the MAG's namespace to a link-local address no
# one has, sent as a raw frame: it reaches the wire of v1, and nothing answers it.
PROBE_PY='import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("v1", 0))
src = bytes.fromhex("fe80000000000000000000000000beef")
dst = bytes.fromhex("fe80000000000000000000000000dead")
mh = bytes([59, 0, 50, 0, 0, 0, 0, 0])
ip = struct.pack("!IHBB", 6 << 28, len(mh), 135, 1) + src + dst
s.send(b"\xff" * 6 + bytes.fromhex("02000000beef") + b"\x86\xdd" + ip + mh)'

cap_probe() {
	nsx mag "$PY" -c "$PROBE_PY"
	grep -q "${tab}fe80::beef${tab}fe80::dead${tab}" "$tmp/mh.txt"
}

# tshark on v1 (a probe shows when it captures) and on acc1 (no frame can cross acc1 before
# the MN's end is up: "Capturing on" tells that dumpcap's socket is open).
cap_start() {
	: >"$tmp/mh.txt"
	: >"$tmp/nd.txt"
	# shellcheck disable=SC2086 # the field lists are meant to be split
	bg mag tshark -l -n -i v1 -f "ip6 proto 135" -w "$tmp/mh.pcap" -P -T fields \
		-E occurrence=a $MH_FIELDS >"$tmp/mh.txt" 2>"$tmp/mh.err"
	CAP_PIDS=$LAST_PID
	# shellcheck disable=SC2086
	bg mag tshark -l -n -i acc1 -f "icmp6" -w "$tmp/nd.pcap" -P -T fields -E occurrence=a \
		$ND_FIELDS >"$tmp/nd.txt" 2>"$tmp/nd.err"
	CAP_PIDS="$CAP_PIDS $LAST_PID"
	if wait_until 30 cap_probe; then
		pass "capture: tshark on the mag-lma link is capturing"
	else
		fail "capture: tshark on the mag-lma link is capturing" "$(cat "$tmp/mh.err")"
	fi
	if wait_until 30 grep -q "Capturing on 'acc1'" "$tmp/nd.err"; then
		pass "capture: tshark on the access link is capturing"
	else
		fail "capture: tshark on the access link is capturing" "$(cat "$tmp/nd.err")"
	fi
}

cap_stop() {
	for p in $CAP_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for f in mh nd; do
		check "capture: tshark finds no malformed packet in $f.pcap" out_lacks "." tshark \
			-r "$tmp/$f.pcap" -n -Y "_ws.malformed"
	done
}

# mh_line SRC TYPE SEQ: tshark's line for that message (tab-separated MH_FIELDS).
mh_line() {
	awk -F"$tab" -v s="$1" -v t="$2" -v q="$3" \
		'$2 == s && $4 == t && ($5 == q || $19 == q) { print; exit }' "$tmp/mh.txt"
}

mh_seen() {
	[ -n "$(mh_line "$@")" ]
}

# prefix_hex PREFIX: the 16 octets of its address in hex.
prefix_hex() {
	"$PY" -c 'import ipaddress, sys
print(ipaddress.ip_network(sys.argv[1]).network_address.packed.hex())' "$1"
}

# mh_field LINE N: its N-th field.
mh_field() {
	printf '%s\n' "$1" | cut -f "$2"
}

# ras_since T: the RAs tshark saw on acc1 after T: "src dst router_lifetime prefixes".
ras_since() {
	awk -F"$tab" -v t="$1" '$4 == "134" && $1 > t { print $2, $3, $5, $6 }' "$tmp/nd.txt"
}

# ra_with PREFIX T: an RA from the MAG's link-local to the MN after T, carrying exactly PREFIX.
ra_with() {
	ras_since "$2" | grep -qx "$LL $MN_LL [0-9]* ${1%%/64}"
}

# --- configuration ---

check_config() {
	write_conf "$CONF" $MAG1 v1 "$SOCK" acc1 $ATT1
	check "config: magd -n accepts it" "$MAGD" -n -f "$CONF"
	if "$MAGD" -nv -f "$CONF" >"$tmp/printed.conf" 2>/dev/null && [ -s "$tmp/printed.conf" ]; then
		pass "config: magd -nv prints it"
	else
		fail "config: magd -nv prints it" "$(cat "$tmp/printed.conf")"
	fi
	check "config: the printout parses again" "$MAGD" -n -f "$tmp/printed.conf"
	"$MAGD" -nv -f "$tmp/printed.conf" >"$tmp/printed2.conf" 2>/dev/null
	check "config: the printout prints back the same" cmp "$tmp/printed.conf" "$tmp/printed2.conf"
	check "config: the printout has the link-local address" \
		grep -qE "^link-local-address $LL\$" "$tmp/printed.conf"
	check "config: the printout has the MN's MACs" grep -qiE "mac $MAC2" "$tmp/printed.conf"
	sed 's/^lifetime 40s$/lifetime 6s/' "$CONF" >"$tmp/broken.conf"
	bad_line=$(grep -n '^lifetime 6s$' "$tmp/broken.conf" | cut -d: -f1)
	if "$MAGD" -n -f "$tmp/broken.conf" >"$tmp/broken.out" 2>&1; then
		fail "config: a broken file (lifetime 6s) is refused" "accepted"
	else
		pass "config: a broken file (lifetime 6s) is refused"
	fi
	check "config: the refusal names file:line" grep -qF "$tmp/broken.conf:$bad_line:" \
		"$tmp/broken.out"
	cat >"$tmp/broken2.conf" <<EOF
lma-address $LMA
proxy-coa $MAG1
uplink-interface v1
access-interface v1
mn $MN { mac $MAC1 }
EOF
	"$MAGD" -n -f "$tmp/broken2.conf" >"$tmp/broken2.out" 2>&1
	check "config: the uplink as an access interface is refused, exit 1, at file:4" test \
		"$?,$(grep -c "^$tmp/broken2.conf:4: " "$tmp/broken2.out")" = "1,1"
	write_conf "$CONF2" $MAG2 v2 "$SOCK2" acc2 7
	check "config: mag2's file is accepted" "$MAGD" -n -f "$CONF2"
}

# --- topology ---

# access NSMAG IFMAG NSMN IFMN MAC: a veth whose MAG end is up, the MN's end down with MAC.
access() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	nsx "$3" ip link set "$4" address "$5"
	nsx "$1" ip link set "$2" up
}

setup() {
	ns_add lma mag mag2 mn other cn
	nsx lma ip link add br0 address 02:00:00:00:ff:00 type bridge mcast_snooping 0
	nsx lma ip link set br0 up
	nsx lma ip addr add $LMA/64 dev br0 nodad
	for m in 1 2; do
		mns=mag
		[ $m = 2 ] && mns=mag2
		link lma "p$m" $mns "v$m"
		nsx lma ip link set "p$m" master br0
		nsx $mns ip addr add "2001:db8:ffff::$m/64" dev "v$m" nodad
		nsx $mns sysctl -qw net.ipv6.conf.all.forwarding=1
	done
	access mag acc1 mn if1 $MAC1
	access mag accx other ox $MACX
	access mag2 acc2 mn if2 $MAC2
	link lma lmacn cn cn0
	nsx lma ip addr add 2001:db8:c::1/64 dev lmacn nodad
	nsx cn ip addr add 2001:db8:c::2/64 dev cn0 nodad
	nsx cn ip -6 route add default via 2001:db8:c::1
	nsx lma sysctl -qw net.ipv6.conf.all.forwarding=1
}

# --- the checks ---

check_start() {
	fl_start --hnp $P1 --muho $P2 --lifetime 40 --upn "A,$P3" --upn "A,D,again,$P3"
	start_magd
	check "start: pmipctl -j show stats answers" magd_answers
	check "start: no binding" no_binding
	check "start: the link-local address $LL on acc1" out_has "inet6 $LL/64" \
		nsx mag ip -6 addr show dev acc1
	check "start: the link-local address $LL on accx" out_has "inet6 $LL/64" \
		nsx mag ip -6 addr show dev accx
	echo "tunnel driver: $DRV (tunnel-driver $TEST_DRIVER)"
	check "start: $DRV decapsulation installed" drv_decap_ready mag v1 $MAG1 $PRIO
}

check_attach() {
	T0=$(now_s)
	nsx mn ip link set if1 up
	if wait_until 10 fl_has 1; then
		pass "attach: the MN's interface comes up, a PBU reaches the LMA"
	else
		fail "attach: the MN's interface comes up, a PBU reaches the LMA" "$(cat "$FL_OUT")"
	fi
	wait_until 5 mn_ll_ready
	MN_LL=$(mn_ll if1)
	check "attach: magd counted the RS" stat_ge rx router-solicitation 1
	expect_pbu "attach PBU: A and P flags, lifetime 40, from the Proxy-CoA" 1 flags=AP \
		lifetime=40 "from=$MAG1"
	expect_pbu "attach PBU: MN-ID (NAI), MN-LL-ID = the MN's MAC" 1 "mn_id=$MN" mn_id_subtype=1 \
		"llid=$MAC1"
	expect_pbu "attach PBU: one ALL_ZERO HNP, HI 1 (new interface), ATT $ATT1 (acc1's)" 1 \
		hnp_count=1 hnp=::/0 hi=1 "att=$ATT1"
	expect_pbu "attach PBU: LLA = the configured link-local address" 1 "lla=$LL"
	expect_pbu "attach PBU: one empty MuHo option (multihoming yes)" 1 muho_count=1 muho=::/0
	ts=$(fl_get 1 timestamp)
	check "attach PBU: timestamp ($ts) within 2 s of its arrival" between \
		"$(fsub "$ts" "$(fl_get 1 time)")" -2 2
	# the same PBU and its PBA on the wire, as tshark decodes them
	seq=$(fl_get 1 seq)
	wait_until 5 mh_seen $LMA 6 "$seq"
	pbu=$(mh_line $MAG1 5 "$seq")
	pba=$(mh_line $LMA 6 "$seq")
	check "wire PBU: seen on the mag-lma link" test -n "$pbu"
	check "wire PBU: A and P flags" test "$(mh_field "$pbu" 6),$(mh_field "$pbu" 7)" = "1,1"
	check "wire PBU: lifetime 10 (x 4 s)" test "$(mh_field "$pbu" 8)" = 10
	check "wire PBU: MN-ID" test "$(mh_field "$pbu" 9)" = $MN
	check "wire PBU: MN-LL-ID" test "$(mh_field "$pbu" 10)" = "$(echo $MAC1 | tr -d :)"
	check "wire PBU: HNP ::/0" test "$(mh_field "$pbu" 11),$(mh_field "$pbu" 12)" = "0,::"
	check "wire PBU: HI 1, ATT $ATT1" test "$(mh_field "$pbu" 13),$(mh_field "$pbu" 14)" = "1,$ATT1"
	check "wire PBU: LLA $LL" test "$(mh_field "$pbu" 15)" = $LL
	ts_opt=$(mh_field "$pbu" 16) # type 27, length 8, 48-bit seconds, 16-bit fraction
	check "wire PBU: Timestamp option, the seconds fake_lma decoded" test \
		"$(echo "$ts_opt" | cut -c1-4),$((0x$(echo "${ts_opt}000000000000" | cut -c5-16)))" = \
		"1b08,$ts"
	check "wire PBU: the MuHo option (18) is empty: 18, 18, 0, /0, ::" test \
		"$(mh_field "$pbu" 17)" = "1212$(printf '%036d' 0)"
	check "wire PBA: status 0 to the MAG, same sequence" test "$(mh_field "$pba" 18)" = 0
	check "wire PBA: HNP $P1" test "$(mh_field "$pba" 11),$(mh_field "$pba" 12)" = "64,${P1%%/64}"
	check "wire PBA: the MuHo option (18) carries $P2" test "$(mh_field "$pba" 17)" = \
		"12120040$(prefix_hex $P2)"

	# the PBA with P1 and MuHo P2: the RA, SLAAC, the routes
	check "attach: RA from $LL to the MN carrying $P1 only (tshark on acc1)" wait_until 5 \
		ra_with $P1 "$T0"
	check "attach: no RA carries $P2" out_lacks "${P2%%::/64}::" ras_since "$T0"
	check "attach: the MN configures an address in $P1 by SLAAC" wait_until 10 \
		mn_has_addr if1 $P1
	check "attach: the MN has no address in $P2" test -z "$(mn_addr if1 $P2)"
	check "attach: the MN's default route via $LL on if1" wait_until 5 out_has \
		"^default via $LL dev if1 " nsx mn ip -6 route show default
	check "attach: pmipctl shows the entry registered with $P1, other_prefixes [$P2]" \
		wait_until 5 bindings_are "len(j) == 1 and j[0]['mn_id'] == '$MN' and \
[(b['state'], b['prefixes'], b['other_prefixes'], b['link_layer_id'], b['att'], b['hi'], \
b['muho']) for b in j[0]['bindings']] == \
[('registered', ['$P1'], ['$P2'], '$MAC1', $ATT1, 1, True)]"
	TUN_TABLE=$(tunnel_table)
	installed "attach" $P1 $P2
	check "attach: tunnel table $TUN_TABLE: default route through the tunnel, proto $PROTO" \
		out_has "^default $(drv_target "$TUN_TABLE").*proto $PROTO" \
		nsx mag ip -6 route show table "$TUN_TABLE"
	check "attach: the tunnel ($TUN_TABLE): $DRV toward the LMA, proto $PROTO" \
		drv_tunnel_has mag "$TUN_TABLE" $LMA v1
	check "stats: PBA status 0 counted" stat_ge pba 0 1
}

check_unknown_mac() {
	before=$(fl_pbus)
	nsx other ip link set ox up
	check "unknown MAC: its RS is counted (dropped/unknown_mac)" wait_until 10 \
		stat_ge dropped unknown_mac 1
	check "unknown MAC: no entry for it" bindings_are \
		"'$MACX' not in [b['link_layer_id'] for m in j for b in m['bindings']]"
	check "unknown MAC: no PBU" test "$(fl_pbus)" = "$before"
}

check_upn() {
	kill -USR1 "$FL_PID"
	check "UPN [$P3]: sent by fake_lma" wait_until 5 grep -q '^upn=1$' "$FL_OUT"
	check "UPN [$P3]: acknowledged, same sequence (1001), status 0" wait_until 5 fl_upa_is 1001 0
	check "UPN [$P3]: the UPA names the MN" grep -qx "upa_mn_id=$MN" "$FL_OUT"
	uninstalled "UPN [$P3]" $P2
	installed "UPN [$P3]" $P3 $P1
	check "UPN [$P3]: pmipctl shows other_prefixes [$P3]" bindings_are \
		"[b['other_prefixes'] for m in j for b in m['bindings']] == [['$P3']]"
	check "UPN [$P3]: no PBU because of it" test "$(fl_pbus)" = 1
}

check_carrier() {
	k=$(fl_pbus)
	nsx mag ip link set acc1 down
	check "carrier loss: a PBU with lifetime 0 reaches the LMA at once" wait_until 2 fl_has $((k + 1))
	k=$((k + 1))
	expect_pbu "carrier loss: lifetime 0, the MN's prefix, its MAC" "$k" lifetime=0 "hnp=$P1" \
		"llid=$MAC1"
	uninstalled "carrier loss" $P1 $P3
	check "carrier loss: no route of ours left (but decapsulation)" out_lacks "." mroutes_mn
	check "carrier loss: the MN keeps its address in $P1" mn_has_addr if1 $P1
	check "carrier loss: the MN's interface is untouched (up, no carrier)" out_has \
		"<NO-CARRIER,.*,UP>" nsx mn ip link show if1
	T1=$(now_s)
	nsx mag ip link set acc1 up
	check "carrier back: the MAG's link-local address is on acc1 again" wait_until 5 out_has \
		"inet6 $LL/64" nsx mag ip -6 addr show dev acc1
	wait_until 5 mn_ll_ready
	wait_until 5 out_has "LOWER_UP" nsx mn ip link show if1
	send_rs
	check "carrier back: the MN's RS brings a PBU" wait_until 5 fl_has $((k + 1))
	k=$((k + 1))
	expect_pbu "carrier back: the PBU asks for the prefix it had ($P1), HI 5" "$k" "hnp=$P1" hi=5 \
		lifetime=40
	installed "carrier back" $P1
	check "carrier back: an RA with $P1 again" wait_until 5 ra_with $P1 "$T1"
	check "carrier back: registered" wait_until 5 state_is registered
}

check_upn_d() {
	k=$(fl_pbus)
	kill -USR1 "$FL_PID"
	check "UPN D: the retransmission (1001 again) sent by fake_lma" wait_until 5 \
		grep -q '^upn=2$' "$FL_OUT"
	check "UPN D: acknowledged again (1001), status 0" wait_until 5 fl_upa_ok_times 1001 2
	check "UPN D: no de-registration, no PBU (D is Retransmit)" test "$(fl_pbus)" = "$k"
	check "UPN D: still registered" state_is registered
	installed "UPN D" $P1
}

check_deregister() {
	k=$(fl_pbus)
	send_rs
	check "pmipctl deregister: set-up, registered" wait_until 5 state_is registered
	installed "pmipctl deregister: set-up" $P1
	k=$(fl_pbus)
	check "pmipctl deregister $MN: exit 0" ctl deregister $MN
	check "pmipctl deregister: a PBU with lifetime 0" wait_until 5 fl_has $((k + 1))
	expect_pbu "pmipctl deregister: lifetime 0, the MN's prefix" $((k + 1)) lifetime=0 "hnp=$P1"
	uninstalled "pmipctl deregister" $P1 $P2
	check "pmipctl deregister: the entry is detached after the PBA" \
		wait_until 5 state_is detached
	check "pmipctl deregister again: a detached entry goes" ctl deregister $MN
	check "pmipctl deregister: then the entry is gone" wait_until 5 no_binding
	check "pmipctl deregister: an unknown MN-ID is an error (exit 1)" test "$(
		ctl deregister nobody@example.org >/dev/null 2>&1
		echo $?
	)" = 1
	check "pmipctl deregister: mn2 (configured, not attached) is an error (exit 1)" test "$(
		ctl deregister mn2@example.org >/dev/null 2>&1
		echo $?
	)" = 1
	reset
}

check_retransmit() {
	re_before=$(stat_get tx pbu_retransmitted)
	attach --ignore 2 --hnp $P1 --muho $P2 --lifetime 8
	check "retransmission: three PBUs" wait_until 6 fl_has 3
	d1=$(fsub "$(fl_get 2 time)" "$(fl_get 1 time)")
	d2=$(fsub "$(fl_get 3 time)" "$(fl_get 2 time)")
	check "retransmission: the second $d1 s after the first (about 1 s)" between "$d1" 0.8 1.6
	check "retransmission: the third $d2 s after the second (about 2 s)" between "$d2" 1.7 2.8
	check "retransmission: each with a newer timestamp" test \
		"$(fl_get 1 timestamp_raw)" -lt "$(fl_get 2 timestamp_raw)" -a \
		"$(fl_get 2 timestamp_raw)" -lt "$(fl_get 3 timestamp_raw)"
	expect_pbu "retransmission: the third still asks ALL_ZERO with HI 1" 3 hnp=::/0 hi=1
	check "retransmission: counted (tx pbu_retransmitted +2)" test \
		"$(stat_get tx pbu_retransmitted)" = $((re_before + 2))
	check "retransmission: the third is answered, registered" wait_until 5 state_is registered
	installed "retransmission" $P1 $P2
	# refresh: 8 s granted, refresh-before 3 s: a refresh 5 s after the acceptance
	check "refresh: a fourth PBU before the 8 s lifetime ends" wait_until 9 fl_has 4
	d=$(fsub "$(fl_get 4 time)" "$(fl_get 3 time)")
	check "refresh: $d s after the registration (5 s: 8 s granted - 3 s refresh-before)" \
		between "$d" 4.5 6
	expect_pbu "refresh: HI 5, the known HNP, the MuHo option, lifetime 40" 4 hi=5 "hnp=$P1" \
		hnp_count=1 muho_count=1 lifetime=40
	check "refresh: registered again, the lifetime counts down anew" wait_until 3 bindings_are \
		"[(b['state'], b['remaining'] >= 6) for m in j for b in m['bindings']] == [('registered', True)]"
	check "refresh: the routes stayed" route_to $P1
	check "refresh: the rules stayed" rule_for $P2
	reset
}

# status 155 after a forced re-registration: the MAG asks for a new prefix at once
check_155() {
	attach --status 0,155,0 --hnp $P1 --muho $P2 --upn A,reason=1
	check "155 set-up: registered" wait_until 5 state_is registered
	kill -USR1 "$FL_PID"
	check "155: the Update Notification FORCE-REREGISTRATION is acknowledged" wait_until 5 \
		fl_upa_is 1001 0
	check "155: a re-registration PBU" wait_until 5 fl_has 2
	expect_pbu "155: the re-registration names $P1 with HI 5, answered 155" 2 "hnp=$P1" hi=5 \
		answer=155
	check "155: a third PBU" wait_until 3 fl_has 3
	d=$(fsub "$(fl_get 3 time)" "$(fl_get 2 time)")
	check "155: sent at once ($d s later)" between "$d" 0 0.5
	expect_pbu "155: it asks for ALL_ZERO" 3 hnp_count=1 hnp=::/0
	check "155: accepted, registered again" wait_until 5 state_is registered
	installed "155" $P1 $P2
	reset
}

check_157() {
	attach --status 157,0 --hnp $P1 --muho $P2
	check "157: a second PBU" wait_until 3 fl_has 2
	d=$(fsub "$(fl_get 2 time)" "$(fl_get 1 time)")
	check "157: sent at once ($d s later)" between "$d" 0 0.5
	check "157: with a newer timestamp" test "$(fl_get 1 timestamp_raw)" -lt \
		"$(fl_get 2 timestamp_raw)"
	check "157: accepted, registered" wait_until 5 state_is registered
	installed "157" $P1
	check "stats: PBA status 157 counted" stat_ge pba 157 1
	reset
}

# clock_synced: the kernel says this machine's clock is synchronised (adjtimex, read only)
clock_synced() {
	$PY -c "
import ctypes, sys
class Timex(ctypes.Structure):
    _fields_ = [('modes', ctypes.c_uint), ('longs', ctypes.c_long * 4), ('status', ctypes.c_int),
                ('rest', ctypes.c_char * 200)]
t = Timex()
state = ctypes.CDLL(None).ntp_adjtime(ctypes.byref(t))
sys.exit(0 if state not in (-1, 5) and not t.status & 0x40 else 1)"
}

# 156 (RFC 5213 §6.9.1.2): magd registers again only with a synchronised clock; which of the
# two this machine shows depends on its clock, which the test must not change
check_156() {
	attach --status 156,0 --hnp $P1 --muho $P2
	if ! clock_synced; then
		echo "# this machine's clock is not synchronised (adjtimex): magd must hold the PBU"
		check "156, clock unsynchronised: retransmissions held and counted" \
			wait_until 8 stat_ge bindings clock_waits 2
		check "156: no second PBU meanwhile" test "$(fl_pbus)" = 1
		reset
		return
	fi
	echo "# this machine's clock is synchronised (adjtimex): magd must try again"
	check "156: a second PBU" wait_until 4 fl_has 2
	d=$(fsub "$(fl_get 2 time)" "$(fl_get 1 time)")
	check "156: only on the retransmission timer ($d s later, about 1 s)" between "$d" 0.8 1.6
	expect_pbu "156: the retry asks ALL_ZERO again" 2 hnp=::/0
	ts=$(fl_get 2 timestamp)
	check "156: the retry's timestamp is its own clock's" between \
		"$(fsub "$ts" "$(fl_get 2 time)")" -2 2
	check "156: accepted, registered" wait_until 5 state_is registered
	installed "156" $P1
	reset
}

# RFC 6275 §9.2: a Mobility Header with a bad Payload Proto gets an ICMPv6 Parameter Problem
# pointing at it (40 in the invoking packet), counted; sent here from the LMA's namespace with
# tests/lma/mhping's raw octets (a Binding Acknowledgement of 16 octets, Payload Proto 6).
check_pperr() {
	nsx lma "$PY" "$here/icmp6_listen.py" 10 1 >"$tmp/pperr" 2>&1 &
	pperr_pid=$!
	wait_until 5 grep -q ready "$tmp/pperr"
	nsx lma "$BUILD/tests/lma/mhping" raw $MAG1 06010600000000000000000000000000 \
		--timeout 300 >/dev/null 2>&1
	wait "$pperr_pid"
	check "Payload Proto 6: ICMPv6 Parameter Problem, code 0, pointer 40, from magd" \
		grep -q "^type=4 code=0 pointer=40 from=$MAG1 proto=6 hdrlen=1\$" "$tmp/pperr"
	check "the Parameter Problem is counted" wait_until 5 stat_ge icmp parameter_problem 1
}

check_152() {
	ra_before=$(stat_get tx router-advertisement)
	held_before=$(stat_get dropped held)
	T2=$(now_s)
	attach --status 152 --hnp $P1 --muho $P2
	check "152: the entry is held" wait_until 5 state_is held
	t1=$(fl_get 1 time)
	check "152: no more PBUs (none 2.5 s after the first)" no_pbu_until 2 "$(fsub "$t1" -2.5)"
	send_rs
	check "152: the MN's next RS is ignored (dropped/held)" wait_until 5 stat_ge dropped held \
		$((held_before + 1))
	check "152: and brings no PBU" test "$(fl_pbus)" = 1
	uninstalled "152" $P1 $P2
	check "152: no RA sent" test "$(stat_get tx router-advertisement)" = "$ra_before"
	check "152: no RA on the access link" test -z "$(ras_since "$T2")"
	check "152: pmipctl deregister releases it" ctl deregister $MN
	check "152: released without a PBU" test "$(fl_pbus)" = 1
	check "152: the entry is gone" wait_until 5 no_binding
	reset
}

check_130() {
	held_before=$(stat_get dropped held)
	attach --status 130,0 --hnp $P1 --muho $P2
	check "130: the entry is held" wait_until 5 state_is held
	t1=$(fl_get 1 time)
	uninstalled "130" $P1 $P2
	send_rs
	check "130: an RS meanwhile is ignored (dropped/held)" wait_until 5 stat_ge dropped held \
		$((held_before + 1))
	check "130: and brings no PBU" test "$(fl_pbus)" = 1
	check "130: the hold ends" wait_until 5 no_binding
	d=$(fsub "$(now_s)" "$t1")
	check "130: after retransmit max (2 s; $d s)" between "$d" 1.7 3.5
	check "130: no PBU while held" test "$(fl_pbus)" = 1
	send_rs
	check "130: the next RS is registered again" wait_until 5 fl_has 2
	check "130: accepted, registered" wait_until 5 state_is registered
	installed "130" $P1
	reset
}

check_echo() {
	echo_before=$(stat_get dropped pba_echo_mismatch)
	attach --echo-att 8 --hnp $P1 --muho $P2
	check "wrong echo (ATT 8): counted (dropped/pba_echo_mismatch)" wait_until 5 stat_ge dropped \
		pba_echo_mismatch $((echo_before + 1))
	check "wrong echo: the entry is held" wait_until 5 state_is held
	uninstalled "wrong echo" $P1 $P2
	t1=$(fl_get 1 time)
	check "wrong echo: no retransmission afterwards (none 2.5 s after the PBU)" no_pbu_until 2 \
		"$(fsub "$t1" -2.5)"
	check "wrong echo: pmipctl deregister releases it" ctl deregister $MN
	check "wrong echo: the entry is gone" wait_until 5 no_binding
	reset
}

check_scapy() {
	: >"$tmp/scapy.out"
	bg lma "$PY" "$SCAPY" $LMA --hnp $P4 --muho $P5 --lifetime 40 >"$tmp/scapy.out" 2>&1
	SC_PID=$LAST_PID
	wait_until 20 grep -q '^ready=1$' "$tmp/scapy.out"
	T3=$(now_s)
	send_rs
	check "scapy PBA: sent" wait_until 5 grep -q '^answered=1$' "$tmp/scapy.out"
	OUT=$(cat "$tmp/scapy.out")
	for line in "mn_id=$MN" hnp=::/0 hi=1 "att=$ATT1" "llid=$MAC1" muho_count=1 pbu_lifetime=40; do
		printf '%s\n' "$OUT" | grep -qxF "$line" || break
		line=
	done
	if [ -z "$line" ]; then
		pass "scapy: its decode of magd's PBU (MN-ID, ALL_ZERO, HI, ATT, MN-LL-ID, MuHo)"
	else
		fail "scapy: its decode of magd's PBU" "no '$line' in $(oneline "$OUT")"
	fi
	check "scapy PBA: accepted, registered with $P4, other_prefixes [$P5]" wait_until 5 \
		bindings_are "[(b['state'], b['prefixes'], b['other_prefixes']) for m in j \
for b in m['bindings']] == [('registered', ['$P4'], ['$P5'])]"
	installed "scapy PBA" $P4 $P5
	check "scapy PBA: an RA with $P4" wait_until 5 ra_with $P4 "$T3"
	check "scapy PBA: the MN configures an address in $P4" wait_until 10 mn_has_addr if1 $P4
	wait "$SC_PID" 2>/dev/null
	fl_start --hnp $P1
	reset
}

# no_objects WHEN: nothing tagged at the MAG, the local rule back at 0, no link-local of ours.
check_no_objects() {
	check "$1: no route of ours" out_lacks "." mroutes
	check "$1: no nexthop of ours" out_lacks "proto $PROTO" nsx mag ip -6 nexthop show
	check "$1: no rule of ours" out_lacks "proto $PROTO" mrules
	check "$1: local rule back at 0" out_has "^0:.*lookup local" mrules
	check "$1: two rules (local, main)" test "$(mrules | wc -l)" -eq 2
	check "$1: nothing of the $DRV driver's own left" drv_left_nothing mag v1
	check "$1: $LL removed from acc1" out_lacks "$LL" nsx mag ip -6 addr show dev acc1
	check "$1: $LL removed from accx" out_lacks "$LL" nsx mag ip -6 addr show dev accx
}

check_term() {
	attach --hnp $P1 --muho $P2
	check "SIGTERM set-up: registered" wait_until 5 state_is registered
	installed "SIGTERM set-up" $P1
	check "kernel: no route failure during the run" test "$(stat_get kernel route_failures)" = 0
	k=$(fl_pbus)
	stop_magd TERM
	check "SIGTERM: magd exits 0" test "$MAGD_RC" = 0
	check "SIGTERM: a PBU with lifetime 0 for the registered MN" wait_until 5 fl_has $((k + 1))
	expect_pbu "SIGTERM: lifetime 0, the MN's prefix" $((k + 1)) lifetime=0 "hnp=$P1" \
		"mn_id=$MN"
	check_no_objects "SIGTERM"
	fl_stop
}

check_kill_restart() {
	start_magd
	check "restart: magd answers" magd_answers
	attach --hnp $P1 --muho $P2
	check "restart: registered" wait_until 5 state_is registered
	installed "restart" $P1 $P2
	stop_magd KILL
	check "SIGKILL: magd is gone" test "$MAGD_RC" = 137
	check "SIGKILL: the stale route is left" route_to $P1
	check "SIGKILL: the stale rule is left" rule_for $P1
	start_magd
	check "restart after SIGKILL: magd answers" magd_answers
	check "restart: the stale routes are gone (only decapsulation is left)" out_lacks "." mroutes_mn
	check "restart: the stale source rules are gone" out_lacks "from 2001:" mrules
	check "restart: no nexthop or tunnel device left" sh -c \
		"! ip -n $(ns mag) -6 nexthop show | grep -q . && ! ip -n $(ns mag) link | grep -q pmip6t"
	check "restart: $(drv_rules_idle) rules, as at a first start" test "$(mrules | wc -l)" -eq "$(drv_rules_idle)"
	check "restart: decapsulation installed" drv_decap_ready mag v1 $MAG1 $PRIO
	check "restart: $LL once on acc1" test "$(nsx mag ip -6 addr show dev acc1 | grep -c "$LL/")" = 1
	check "restart: no binding" no_binding
	fl_stop
	attach --hnp $P1 --muho $P2
	check "restart: a new registration" wait_until 5 state_is registered
	TUN_TABLE=$(tunnel_table)
	installed "restart" $P1 $P2
	reset
}

# --- the real lmad, two MAGs, a multihomed MN, a CN ---

write_lmad_conf() {
	cat >"$LCONF" <<EOF
lma-address $LMA
uplink-interface br0
tunnel-driver $TEST_DRIVER
prefix-pool $POOL length 64
prefix-hold 10s
control-socket $LSOCK
mn $MN
mag $MAG1
mag $MAG2
EOF
}

lctl() {
	"$PMIPCTL" -s "$LSOCK" "$@"
}

ctl2() {
	"$PMIPCTL" -s "$SOCK2" "$@"
}

# pool_addr IF: the MN's address from lmad's pool on IF.
pool_addr() {
	nsx mn ip -6 addr show dev "$1" scope global | awk '$1 == "inet6" && $2 ~ /^2001:db8:100:/ {
		sub("/.*", "", $2); print $2; exit }'
}

both_addrs() {
	[ -n "$(pool_addr if1)" ] && [ -n "$(pool_addr if2)" ]
}

# mag_routes NS PREFIX...: each prefix routed via the MN on that MAG's access link.
mag_routes() {
	m_ns=$1
	shift
	for p in "$@"; do
		out_has "^$(re "$p") via fe80::[0-9a-f:]+ dev acc[12] proto $PROTO" \
			nsx "$m_ns" ip -6 route show || return 1
	done
}

check_lmad() {
	write_lmad_conf
	check "lmad: its configuration" "$LMAD" -n -f "$LCONF"
	bg lma "$LMAD" -d -f "$LCONF" >>"$LLOG" 2>&1
	wait_until 10 lctl -j show stats
	bg mag2 "$MAGD" -d -v -f "$CONF2" >>"$LOG2" 2>&1
	MAGD2_PID=$LAST_PID
	wait_until 10 ctl2 -j show stats
	send_rs
	nsx mn ip link set if2 up
	check "lmad: both MN interfaces get an address from the pool" wait_until 15 both_addrs
	A1=$(pool_addr if1)
	A2=$(pool_addr if2)
	check "lmad: one MN with two bindings (two prefixes, two MAGs)" wait_until 5 jtest \
		"len(j) == 1 and j[0]['mn_id'] == '$MN' and len(j[0]['bindings']) == 2 and \
sorted(b['peer'] for b in j[0]['bindings']) == ['$MAG1', '$MAG2']" lctl -j show bindings
	PA=$(jget "[b['prefixes'][0] for m in j for b in m['bindings'] if b['peer'] == '$MAG1'][0]" \
		lctl -j show bindings)
	PB=$(jget "[b['prefixes'][0] for m in j for b in m['bindings'] if b['peer'] == '$MAG2'][0]" \
		lctl -j show bindings)
	check "lmad: mag routes both prefixes ($PA, $PB)" wait_until 5 mag_routes mag "$PA" "$PB"
	check "lmad: mag2 routes both prefixes" wait_until 5 mag_routes mag2 "$PA" "$PB"
	check "lmad: mag's entry has the other interface's prefix" wait_until 5 jtest \
		"[b['other_prefixes'] for m in j for b in m['bindings']] == [['$PB']]" ctl -j show bindings
	check "lmad: mag2's entry has the other interface's prefix" wait_until 5 jtest \
		"[b['other_prefixes'] for m in j for b in m['bindings']] == [['$PA']]" ctl2 -j show bindings
	OUT=$(nsx cn "$PY" -c "$PING_PY" "$A1" "$A2" 2>&1)
	check "lmad: the CN reaches the MN's address on if1 ($A1)" test "$(printf '%s\n' "$OUT" |
		grep -c "^$A1 reply$")" = 1
	check "lmad: the CN reaches the MN's address on if2 ($A2)" test "$(printf '%s\n' "$OUT" |
		grep -c "^$A2 reply$")" = 1
	# a carrier flap at mag, with the real LMA: the MN's address on if1 must keep working
	nsx mag ip link set acc1 down
	check "lmad: carrier loss at mag: its binding is de-registered at the LMA" wait_until 5 jtest \
		"[b['state'] for m in j for b in m['bindings'] if b['peer'] == '$MAG1'] in ([], \
['deregistered'])" lctl -j show bindings
	nsx mag ip link set acc1 up
	wait_until 5 out_has "LOWER_UP" nsx mn ip link show if1
	send_rs
	check "lmad: carrier back: mag's binding is active again with the same prefix $PA" \
		wait_until 5 jtest "[(b['state'], b['prefixes']) for m in j for b in m['bindings'] \
if b['peer'] == '$MAG1'] == [('active', ['$PA'])]" lctl -j show bindings
	OUT=$(nsx cn "$PY" -c "$PING_PY" "$A1" 2>&1)
	check "lmad: carrier back: the CN reaches $A1 again" test "$OUT" = "$A1 reply"
	kill -TERM "$MAGD2_PID"
	if wait_until 10 exited "$MAGD2_PID"; then
		wait "$MAGD2_PID"
		rc=$?
	else
		rc=timeout
	fi
	check "lmad: mag2 SIGTERM: exits 0" test "$rc" = 0
	check "lmad: mag2 SIGTERM: the LMA has its binding de-registered" wait_until 5 jtest \
		"[b['state'] for m in j for b in m['bindings'] if b['peer'] == '$MAG2'] in ([], \
['deregistered'])" \
		lctl -j show bindings
	# lmad keeps a de-registered binding's prefix in mag's list until it deletes the entry
	# (bce-delete-delay, 10 s by default, and prefix-hold, 10 s here): only then does mag drop it
	check "lmad: mag2 SIGTERM: mag drops the prefix of mag2's link" wait_until 15 jtest \
		"[b['other_prefixes'] for m in j for b in m['bindings']] == [[]]" ctl -j show bindings
	check "lmad: mag2 SIGTERM: nothing of ours left in mag2" out_lacks "." nsx mag2 ip -6 route \
		show table all proto $PROTO
}

# Every JSON answer of magd parses with no key twice in an object (show stats had "bindings"
# twice); show stats validates as OpenMetrics; show bindings calls the LMA the peer, not "MAG".
# Run while the MN has a binding.
check_machine_output() {
	for c in "show bindings" "show bindings $MN" "show stats" "show version"; do
		# shellcheck disable=SC2086 # the command's words
		check "pmipctl -j $c: JSON, no key twice" json_strict ctl -j $c
	done
	check "pmipctl -j show stats: bindings current is 1" jtest \
		"j['bindings']['current'] == 1" ctl -j show stats
	check "pmipctl -j show version: magd" jtest "j['daemon'] == 'magd'" ctl -j show version
	check "pmipctl show bindings: the LMA is the peer" out_has " peer $LMA " ctl show bindings
	check "pmipctl show bindings: nothing labelled MAG" out_lacks " MAG " ctl show bindings
	check "pmipctl -o openmetrics show stats: valid OpenMetrics" metrics_valid mag \
		'pmip6_mag_pba_total{status="0"}' 'pmip6_mag_tx_total{type="pbu"}' \
		'pmip6_mag_rx_total{type="router-solicitation"}' "pmip6_mag_bindings_current" \
		"pmip6_mag_bindings_gave_up_total" -- ctl -o openmetrics show stats
}

# reload_says STATUS TEXT: pmipctl reload exits with STATUS, TEXT (grep -E) on its stderr.
reload_says() {
	ctl reload >/dev/null 2>"$tmp/reload.err"
	rc=$?
	[ "$rc" = "$1" ] && { [ -z "$2" ] || grep -qE -- "$2" "$tmp/reload.err"; }
}

# pmipctl reload at the MAG: a setting applied and logged, a restart-only one (tunnel-mtu)
# refused with its reason and exit 1, the binding kept throughout.
check_magd_reload() {
	echo "control-idle-timeout 30s" >>"$CONF"
	check "pmipctl reload, control-idle-timeout 30s: exit 0" reload_says 0 ""
	check "pmipctl reload: the log says what changed" grep -q \
		"reload: now: control-idle-timeout 30" "$LOG"
	echo "tunnel-mtu 1300" >>"$CONF"
	check "pmipctl reload, tunnel-mtu: exit 1 with the reason" reload_says 1 \
		"error 7: tunnel-mtu take effect only at a restart"
	check "pmipctl reload, tunnel-mtu: the refusal is logged" grep -q \
		"reload refused, keeping the running configuration: tunnel-mtu" "$LOG"
	write_conf "$CONF" $MAG1 v1 "$SOCK" acc1 $ATT1
	check "pmipctl reload, back to the first file: exit 0" reload_says 0 ""
	check "pmipctl reload: the binding is kept" state_is registered
}

check_log() {
	for f in "$LOG" "$LOG2"; do
		check "magd: no sanitizer report in $(basename "$f")" out_lacks \
			"Sanitizer|runtime error" cat "$f"
	done
	check "fake_lma: never a PBU from the unknown MAC" out_lacks "^llid=$MACX" cat "$tmp"/fake_lma.*
	if [ "$FAILED" -ne 0 ]; then
		sed 's/^/magd: /' "$LOG"
		sed 's/^/magd2: /' "$LOG2"
		sed 's/^/lmad: /' "$LLOG"
	fi
}

START=$(date +%s)
check_config
setup
cap_start
check_start
check_attach
check_machine_output
check_magd_reload
check_unknown_mac
check_upn
check_carrier
check_upn_d
check_deregister
check_retransmit
check_155
check_157
check_156
check_pperr
check_152
check_130
check_echo
check_scapy
check_term
check_kill_restart
cap_stop
check_lmad
check_log
echo "run time: $(($(date +%s) - START)) s"
finish
