#!/bin/sh
# test_kr_fc.sh: flow steering at the LMA (kr/kr_fc*.c) for real, driven by
# tests/common/fc_tool (kr_open with the driver $KR_DRIVER names, default auto; a tunnel to
# each MAG, kr_fc_open, the MN's prefix queued; new flows marked by destination port) in
# namespaces:
#
#   cn --c0/l0-- lma [br0: lp1, lp2] --lp1/u1-- mag1 --a1/m1-- mn
#                                    --lp2/u2-- mag2 --a2/m2-- mn (second interface)
#
# The MAGs are kr_tool (tests/common/kr_tool). Which MAG carried a packet is told by the MN's
# interface it arrived on (IPV6_PKTINFO). Checks: (a) the chain, its jump and the queue rule;
# (b) UDP flows to port A arrive through mag1, to port B through mag2; (c) of a 1000-packet flow
# only the first packet reaches user space (fc_tool's counter and the kernel's); (d) rewriting a
# connection's mark moves that flow's next packets to the other MAG while another flow stays;
# (e) a TCP connection moved and moved back keeps its data intact; (f) destroy events, from
# `conntrack -D` and from a short UDP timeout; (g) kr_fc_close leaves nothing; (h) with fc_tool
# killed, traffic fails open (unmarked, main table) or closed (dropped); (i) a restart after
# kill -9 (kr_open alone, or with kr_fc_open) removes the stale chains and clears the
# connection marks in its range; (j) a tunnel's removal clears its mark from the connections
# that carry it (with a bicast slot or not), so that the tunnel that takes its number next
# does not inherit them. Needs root, iproute2, ip6tables, conntrack and
# /usr/bin/python3.
# shellcheck source-path=SCRIPTDIR disable=SC2086 # $REPLY is split into words on purpose
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
FC_TOOL=$BUILD/tests/common/fc_tool
KR_TOOL=$BUILD/tests/common/kr_tool
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

CN=2001:db8:c::2
LMA_CN=2001:db8:c::1
LMA=2001:db8:f::1
MAG1=2001:db8:f::11
MAG2=2001:db8:f::12
HNP=2001:db8:1::/64
MN=2001:db8:1::100
TB=1000
PRIO=100
QUEUE=7
PORT_A=7001 # flows to it: tunnel 1 (mag1)
PORT_B=7002 # tunnel 2 (mag2)
PORT_T=6001 # TCP, tunnel 1
UDP=17
TCP=6

# Prints "sport dport interface" for every datagram to port $1.
RECV_PY='
import socket, sys, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("::", int(sys.argv[1])))
while True:
    d, anc, fl, addr = s.recvmsg(2048, 256)
    ifi = [struct.unpack("16sI", c[2][:20])[1] for c in anc if c[1] == socket.IPV6_PKTINFO]
    print(addr[1], sys.argv[1], socket.if_indextoname(ifi[0]) if ifi else "?", flush=True)
'
# Sends $4 datagrams from port $2 to [$1]:$3.
SEND_PY='
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[2])))
for i in range(int(sys.argv[4])):
    s.sendto(b"%06d" % i + b"x" * 94, (sys.argv[1], int(sys.argv[3])))
'
# TCP: the MN end reads everything and prints its length and SHA-256.
TSRV_PY='
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(65536)
    if not d:
        break
    h.update(d)
    n += len(d)
c.close()
print(n, h.hexdigest(), flush=True)
'
# The cn end: from port $3, three chunks of $4 random octets, each after the file $5.N appears
# (none for the first); $5.sentN once chunk N is written; prints length and SHA-256.
TCLI_PY='
import hashlib, os, socket, sys, time
c = socket.socket(socket.AF_INET6)
c.bind(("::", int(sys.argv[3])))
c.connect((sys.argv[1], int(sys.argv[2])))
h, n = hashlib.sha256(), 0
for i in range(3):
    while i > 0 and not os.path.exists("%s.%d" % (sys.argv[5], i)):
        time.sleep(0.02)
    d = os.urandom(int(sys.argv[4]))
    c.sendall(d)
    h.update(d)
    n += len(d)
    open("%s.sent%d" % (sys.argv[5], i), "w").close()
c.close()
print(n, h.hexdigest(), flush=True)
'

# tool_start NAME NS FD CMD...: CMD in NS reading the commands this shell writes to fd FD, a
# FIFO opened read-write so that neither end's open blocks (see test_kr.sh).
tool_start() {
	n_=$1 ns_=$2 fd_=$3
	shift 3
	mkfifo "$tmp/$n_.in"
	: >"$tmp/$n_.out"
	eval "exec $fd_<>\"\$tmp/\$n_.in\""
	# shellcheck disable=SC2016 # expanded by the child shell
	bg "$ns_" sh -c 'in=$1; shift; exec "$@" <"$in"' sh "$tmp/$n_.in" "$@" \
		>"$tmp/$n_.out" 2>&1
	eval "FD_$n_=$fd_ PID_$n_=\$LAST_PID"
	wait_until 10 grep -qE '^(ok|error) open' "$tmp/$n_.out"
}

answered() {
	tail -n +"$(($2 + 1))" "$1" | grep -qE '^(ok|error)'
}

# tool_do NAME CMD...: sends one command and waits for its answer, which it puts in REPLY.
tool_do() {
	n=$1
	shift
	fd=
	eval "fd=\$FD_$n"
	before=$(wc -l <"$tmp/$n.out")
	eval "printf '%s\\n' \"\$*\" >&$fd"
	if ! wait_until 20 answered "$tmp/$n.out" "$before"; then
		REPLY="(no answer to $*)"
		return 1
	fi
	REPLY=$(tail -n +"$((before + 1))" "$tmp/$n.out" | grep -E '^(ok|error)' | head -n 1)
	case $REPLY in
	ok*) return 0 ;;
	*) return 1 ;;
	esac
}

tool_check() {
	n=$1
	c=$2
	shift 2
	if tool_do "$n" "$@"; then pass "$c"; else fail "$c" "$REPLY"; fi
}

# tool_kill NAME: kill -9, as a crash.
tool_kill() {
	pid_='' fd_=''
	eval "pid_=\$PID_$1 fd_=\$FD_$1"
	kill -9 "$pid_"
	wait "$pid_" 2>/dev/null
	eval "exec $fd_>&-"
}

# fc_stat NAME FIELD: a counter of fc_tool's "stats" answer.
fc_stat() {
	tool_do "$1" stats >/dev/null
	printf '%s\n' "$REPLY" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"
}

# kernel_queued: the kernel's packet id counter of our queue (its last field but one).
kernel_queued() {
	# shellcheck disable=SC2016 # awk's fields
	nsx lma awk -v q=$QUEUE '$1 == q { print $8 }' /proc/net/netfilter/nfnetlink_queue
}

send() {
	nsx cn "$PY" -c "$SEND_PY" $MN "$1" "$2" "$3"
}

# got SPORT DPORT IF: datagrams of that flow that reached the MN on IF.
got() {
	grep -c "^$1 $2 $3\$" "$tmp/r$2" || true
}

got_at_least() {
	[ "$(got "$1" "$2" "$3")" -ge "$4" ]
}

# flow_first SPORT DPORT IF: a new flow's first datagram, alone, through IF; once it is there,
# its verdict was given and its connection made.
flow_first() {
	send "$1" "$2" 1
	wait_until 10 got_at_least "$1" "$2" "$3" 1
}

setup() {
	ns_add cn lma mag1 mag2 mn
	link cn c0 lma l0
	link lma lp1 mag1 u1
	link lma lp2 mag2 u2
	link mag1 a1 mn m1
	link mag2 a2 mn m2
	# the tunnels add 40 octets, and a Packet Too Big for an encapsulated packet goes to the
	# LMA itself, not to cn: the downlink's MTU leaves room
	nsx cn ip link set c0 mtu 1400
	nsx lma ip link set l0 mtu 1400
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
	for p in $PORT_A $PORT_B; do
		: >"$tmp/r$p"
		bg mn "$PY" -c "$RECV_PY" $p >"$tmp/r$p"
	done
}

# A MAG: a tunnel to the LMA, the prefix toward the MN, the source rule for the uplink.
mag_up() {
	tool_start "$1" "$1" "$2" "$KR_TOOL" "$3" "$4" $TB $PRIO
	tool_do "$1" tunnel-add $LMA
	set -- "$@" $REPLY
	tool_do "$1" neigh-route $HNP "$6" "$5"
	tool_do "$1" src-rule $HNP "$9"
	tool_check "$1" "$1: tunnel, neighbor route and source rule" flush
}

# The LMA: fc_tool, fail-open unless told -c.
lma_up() {
	name_=$1 fdl_=$2
	shift 2
	tool_start "$name_" lma "$fdl_" "$FC_TOOL" "$@" -q $QUEUE -r $PORT_A=1 -r $PORT_B=2 \
		-r $PORT_T=1 $LMA br0 $TB $PRIO $MAG1 $MAG2 $HNP
}

fc_open_marks() {
	line=$(grep '^ok open marks' "$tmp/$1.out")
	set -- $line
	MARK1=$4 MARK2=$5 USED=$7
}

check_chain() {
	save() { nsx lma ip6tables-save -t mangle; }
	check "a: fc_tool open" grep -q '^ok open marks' "$tmp/lma.out"
	fc_open_marks lma
	check "a: our chain first in PREROUTING" sh -c \
		"ip netns exec $(ns lma) ip6tables -t mangle -S PREROUTING | sed -n 2p | grep -qx -- '-A PREROUTING -j PMIP6'"
	check "a: only packets toward the set's prefixes go on" out_has "^-A PMIP6 -m set ! --match-set pmip6_mh dst -j RETURN" save
	check "a: restore before save" out_has "^-A PMIP6 -m connmark ! --mark 0x0 -j CONNMARK --restore-mark" save
	check "a: one queue rule with --queue-bypass" out_has "^-A PMIP6_QUEUE -j NFQUEUE --queue-num $QUEUE --queue-bypass\$" save
	check "a: the prefix is in the set" out_has "^2001:db8:1::/64\$" nsx lma ipset list pmip6_mh
	check "a: conntrack accounting on" out_has '^1$' nsx lma cat /proc/sys/net/netfilter/nf_conntrack_acct
	check "a: the queue is bound" out_has "^ *$QUEUE " nsx lma cat /proc/net/netfilter/nfnetlink_queue
}

check_two_flows() {
	flow_first 5001 $PORT_A m1
	flow_first 5002 $PORT_B m2
	send 5001 $PORT_A 99
	send 5002 $PORT_B 99
	if wait_until 10 got_at_least 5001 $PORT_A m1 100 && wait_until 10 got_at_least 5002 $PORT_B m2 100; then
		pass "b: port A flow through mag1, port B flow through mag2"
	else
		fail "b: flows steered" "A: $(got 5001 $PORT_A m1) via m1, B: $(got 5002 $PORT_B m2) via m2"
	fi
	check "b: nothing of A through mag2, nothing of B through mag1" \
		test "$(got 5001 $PORT_A m2)$(got 5002 $PORT_B m1)" = 00
	check "b: connection of flow B marked with tunnel 2's fwmark" out_has \
		"sport=5002 dport=$PORT_B .*mark=$MARK2 " nsx lma conntrack -L -p udp
}

check_first_packet_only() {
	q0=$(fc_stat lma queued)
	k0=$(kernel_queued)
	flow_first 5003 $PORT_B m2
	send 5003 $PORT_B 999
	check "c: 1000 datagrams through mag2" wait_until 10 got_at_least 5003 $PORT_B m2 1000
	q=$(($(fc_stat lma queued) - q0))
	k=$(($(kernel_queued) - k0))
	echo "figure: a 1000-packet flow: $q packet(s) reached fc_tool, the kernel queued $k"
	check "c: one packet reached user space (fc_tool's count)" test "$q" -eq 1
	check "c: one packet queued (the kernel's count)" test "$k" -eq 1
	check "c: fc_tool printed one packet of the flow" test \
		"$(grep -c "^packet proto $UDP .* sport 5003 dport $PORT_B " "$tmp/lma.out")" -eq 1
	tool_do lma counters $UDP $CN $MN 5003 $PORT_B
	if [ "$USED" = seg6 ]; then
		# kr made the connection after the first packet went by
		check "c: the other 999 counted by the connection kr made" test "$REPLY" = "ok counters 999 147852"
	else
		check "c: all 1000 counted by the connection ($USED: the chain made it)" test "$REPLY" = "ok counters 1000 148000"
	fi
	# the same flow sent at once, first packet included: what else was queued before the verdict
	q0=$(fc_stat lma queued)
	send 5004 $PORT_B 1000
	check "c: a 1000-datagram burst through mag2" wait_until 10 got_at_least 5004 $PORT_B m2 1000
	echo "figure: a 1000-packet burst: $(($(fc_stat lma queued) - q0)) packet(s) reached fc_tool"
}

check_move() {
	flow_first 5005 $PORT_A m1
	tool_check lma "d: kr_fc_ct_set_mark moves flow A to tunnel 2" move $UDP $CN $MN 5001 $PORT_A 2
	check "d: its connection has the new mark" out_has "sport=5001 dport=$PORT_A .*mark=$MARK2 " \
		nsx lma conntrack -L -p udp
	send 5001 $PORT_A 50
	send 5005 $PORT_A 50
	check "d: the moved flow's next packets through mag2" wait_until 10 got_at_least 5001 $PORT_A m2 50
	check "d: the other flow stays on mag1" wait_until 10 got_at_least 5005 $PORT_A m1 51
	check "d: nothing of the other flow through mag2" test "$(got 5005 $PORT_A m2)" -eq 0
	tool_do lma move $UDP $CN $MN 5999 $PORT_A 1
	check "d: moving a connection that does not exist: ENOENT" test "$REPLY" = "error move: No such file or directory"
}

# mark_of SPORT: the mark of the UDP connection from SPORT.
mark_of() {
	nsx lma conntrack -L -p udp --orig-port-src "$1" 2>/dev/null | sed -n 's/.* mark=\([0-9]*\).*/\1/p'
}

# A flow moved to tunnel 2, which goes and comes back under the same number: the flow must
# not follow the number (its mark) but be classified again, by its port (tunnel 1, mag1).
check_forget_marks() {
	flow_first 5040 $PORT_A m1
	flow_first 5042 $PORT_A m1
	tool_check lma "j: flow 5040 moved to tunnel 2" move $UDP $CN $MN 5040 $PORT_A 2
	nsx lma conntrack -I -p udp -s $CN -d $MN --sport 5041 --dport 5041 --timeout 100 \
		--mark $((MARK2 | 65536)) >/dev/null 2>&1
	check "j: a connection with tunnel 2's mark and a bicast slot on it" \
		test "$(mark_of 5041)" = $((MARK2 | 65536))
	n2=$(nsx lma conntrack -L 2>/dev/null | grep -c " mark=$MARK2 ")
	c0=$(fc_stat lma marks_cleared)
	tool_check lma "j: tunnel 2 removed" tunnel-del 2
	check "j: the moved flow's connection lost tunnel 2's mark" test "$(mark_of 5040)" = 0
	check "j: so did the one with a bicast slot" test "$(mark_of 5041)" = 0
	check "j: tunnel 1's connection kept its mark" test "$(mark_of 5042)" = "$MARK1"
	check "j: marks_cleared counts them ($n2 + 1)" \
		test "$(($(fc_stat lma marks_cleared) - c0))" -eq $((n2 + 1))
	tool_do lma tunnel-add 2
	check "j: the tunnel is back under its old number and mark" \
		test "$REPLY" = "ok tunnel-add 2 $MARK2"
	g1=$(got 5040 $PORT_A m1)
	g2=$(got 5040 $PORT_A m2)
	send 5040 $PORT_A 20
	check "j: the flow is classified again: through mag1" \
		wait_until 10 got_at_least 5040 $PORT_A m1 $((g1 + 20))
	check "j: not through the tunnel that took the number" test "$(got 5040 $PORT_A m2)" -eq "$g2"
}

rx_bytes() {
	nsx mn cat "/sys/class/net/$1/statistics/rx_bytes"
}

grew() {
	[ $(($(rx_bytes "$1") - $2)) -ge "$3" ]
}

# The three chunks: through mag1, through mag2 after a move, through mag1 after moving back.
check_tcp() {
	chunk=300000
	bg mn "$PY" -c "$TSRV_PY" $PORT_T >"$tmp/tsrv"
	wait_until 10 out_has ":$PORT_T " nsx mn ss -ltn
	m1=$(rx_bytes m1)
	bg cn "$PY" -c "$TCLI_PY" $MN $PORT_T 40001 $chunk "$tmp/gate" >"$tmp/tcli"
	wait_until 10 test -e "$tmp/gate.sent0"
	check "e: TCP chunk 1 through mag1" wait_until 10 grew m1 "$m1" $chunk
	check "e: the connection is ESTABLISHED and marked" out_has \
		"ESTABLISHED src=$CN dst=$MN sport=40001 dport=$PORT_T .*mark=$MARK1 " \
		nsx lma conntrack -L -p tcp
	tool_check lma "e: TCP connection moved to tunnel 2" move $TCP $CN $MN 40001 $PORT_T 2
	m1=$(rx_bytes m1)
	m2=$(rx_bytes m2)
	touch "$tmp/gate.1"
	wait_until 10 test -e "$tmp/gate.sent1"
	check "e: TCP chunk 2 through mag2" wait_until 10 grew m2 "$m2" $chunk
	check "e: (not through mag1)" test $(($(rx_bytes m1) - m1)) -lt $((chunk / 10))
	tool_check lma "e: TCP connection moved back to tunnel 1" move $TCP $CN $MN 40001 $PORT_T 1
	m1=$(rx_bytes m1)
	touch "$tmp/gate.2"
	check "e: TCP chunk 3 through mag1" wait_until 10 grew m1 "$m1" $chunk
	wait_until 10 test -s "$tmp/tsrv"
	wait_until 10 test -s "$tmp/tcli"
	if [ -s "$tmp/tsrv" ] && [ "$(cat "$tmp/tsrv")" = "$(cat "$tmp/tcli")" ]; then
		pass "e: TCP data intact ($(cut -d' ' -f1 "$tmp/tsrv") octets, same SHA-256)"
	else
		fail "e: TCP data intact" "sent $(cat "$tmp/tcli"), received $(cat "$tmp/tsrv")"
	fi
	n=$(grep -c "^packet proto $TCP .* sport 40001 dport $PORT_T " "$tmp/lma.out")
	echo "figure: TCP connection: $n packet(s) reached fc_tool"
	check "e: only the SYN reached user space" test "$n" -eq 1
}

gone_seen() {
	grep -q "^gone proto $UDP src $CN dst $MN sport $1 dport $2\$" "$tmp/lma.out"
}

# conntrack -L removes expired entries as it dumps, rather than when its collector comes by.
expired_gone() {
	nsx lma conntrack -L >/dev/null 2>&1
	gone_seen "$@"
}

check_events() {
	nsx lma conntrack -D -p udp --orig-port-src 5002 >/dev/null 2>&1
	check "f: destroy event after conntrack -D" wait_until 10 gone_seen 5002 $PORT_B
	nsx lma sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1
	flow_first 5006 $PORT_A m1
	send 5006 $PORT_A 1 # the tracker gives it the 1 s timeout
	check "f: destroy event after a short UDP timeout" wait_until 15 expired_gone 5006 $PORT_A
	nsx lma sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30
}

check_fc_close() {
	tool_do lma stats
	echo "stats: ${REPLY#ok stats }"
	tool_check lma "g: kr_fc_close" fc-close
	check "g: no chain or rule of ours" out_lacks "PMIP6" nsx lma ip6tables-save
	check "g: no set of ours" out_lacks "pmip6" nsx lma ipset list -n
	check "g: conntrack accounting back off" out_has '^0$' nsx lma cat /proc/sys/net/netfilter/nf_conntrack_acct
	check "g: the queue is unbound" out_lacks "^ *$QUEUE " nsx lma cat /proc/net/netfilter/nfnetlink_queue
	tool_check lma "g: kr_fc_open again" fc-open
	tool_check lma "g: prefix queued again" queue $HNP on
	tool_do lma queue $HNP on
	check "g: queueing a prefix twice: EEXIST" test "$REPLY" = "error queue: File exists"
	# the set is changed by netlink (kr_fc_ipset.c): what the set holds already is no error, a
	# refusal comes back for its prefix alone (a full set: the set swapped with one of maxelem 1)
	nsx lma ipset add pmip6_mh 2001:db8:76::/64
	tool_check lma "g: a prefix the set holds already (put there behind kr's back): queued" \
		queue 2001:db8:76::/64 on
	nsx lma ipset create pmip6_full hash:net family inet6 maxelem 1
	nsx lma ipset add pmip6_full 2001:db8:99::/64
	nsx lma ipset swap pmip6_mh pmip6_full
	tool_do lma queue 2001:db8:77::/64 on
	check "g: the kernel refuses a prefix (the set is full): EIO" \
		test "$REPLY" = "error queue: Input/output error"
	nsx lma ipset swap pmip6_mh pmip6_full
	nsx lma ipset destroy pmip6_full
	tool_check lma "g: not recorded as queued: queued once the set has room" \
		queue 2001:db8:77::/64 on
	check "g: and it is in the set" out_has "^2001:db8:77::/64\$" nsx lma ipset list pmip6_mh
}

# kill -9; a new flow to port B, which fc_tool would send through mag2, goes by the main table
# (mag1): the queue rule lets it pass while nobody listens.
check_fail_open() {
	tool_kill lma
	check "h: after kill -9 the chain is left" out_has "PMIP6" nsx lma ip6tables-save
	flow_first 5010 $PORT_B m1
	send 5010 $PORT_B 9
	check "h: fail-open: a new flow passes unmarked, through the main table (mag1)" \
		wait_until 10 got_at_least 5010 $PORT_B m1 10
	check "h: fail-open: none of it through mag2" test "$(got 5010 $PORT_B m2)" -eq 0
}

# A restart after kill -9 (failing closed now) removes the stale chains; killed again, a new
# flow is dropped. A marked flow sent after it shows when the dropped one would have arrived.
check_restart_fail_closed() {
	# marks the killed run left: one of ours (a tunnel's, table base + 2), one of someone else's
	nsx lma conntrack -I -p udp -s $CN -d $MN --sport 5030 --dport 5030 --timeout 100 \
		--mark $((TB + 2)) >/dev/null 2>&1
	nsx lma conntrack -I -p udp -s $CN -d $MN --sport 5031 --dport 5031 --timeout 100 \
		--mark 77 >/dev/null 2>&1
	lma_up lma2 4 -c
	check "i: restart after kill -9 works" grep -q '^ok open marks' "$tmp/lma2.out"
	check "i: the restart cleared a mark the killed run left (it names a tunnel by number)" \
		out_has "sport=5030 dport=5030 .*mark=0 " nsx lma conntrack -L -p udp --orig-port-src 5030
	check "i: and left a mark outside its range alone" \
		out_has "sport=5031 dport=5031 .*mark=77 " nsx lma conntrack -L -p udp --orig-port-src 5031
	check "i: one jump to our chain" test "$(nsx lma ip6tables-save -t mangle | grep -c -- '-j PMIP6$')" -eq 1
	check "i: one queue rule, without --queue-bypass" test \
		"$(nsx lma ip6tables-save -t mangle | grep -c -- "-A PMIP6_QUEUE -j NFQUEUE --queue-num $QUEUE\$")" -eq 1
	check "i: the prefix once in the set" test "$(nsx lma ipset list pmip6_mh | grep -c '^2001:db8:1::/64$')" -eq 1
	check "i: the stale rule with --queue-bypass is gone" out_lacks "queue-bypass" nsx lma ip6tables-save
	flow_first 5020 $PORT_B m2
	tool_kill lma2
	send 5011 $PORT_B 10
	send 5020 $PORT_B 1
	check "h: fail-closed: a marked flow still goes (its connection restores the mark)" \
		wait_until 10 got_at_least 5020 $PORT_B m2 2
	check "h: fail-closed: a new flow is dropped" test "$(got 5011 $PORT_B m1)$(got 5011 $PORT_B m2)" = 00
	tool_start krlma lma 8 "$KR_TOOL" $LMA br0 $TB $PRIO
	check "i: kr_open alone removes the stale chains" out_lacks "PMIP6" nsx lma ip6tables-save
	tool_check krlma "i: kr_close of that run" close
	lma_up lma3 5
	check "i: restart after kill -9 again" grep -q '^ok open marks' "$tmp/lma3.out"
	tool_check lma3 "i: kr_close" close
	check "i: after kr_close no chain or rule of ours" out_lacks "PMIP6" nsx lma ip6tables-save
	check "i: no tunnel rule of ours either" out_lacks "proto 157" nsx lma ip -6 rule show
}

check_sanitizers() {
	check "fc_tool, kr_tool: no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$tmp"/*.out
}

start=$(date +%s)
setup
mag_up mag1 6 $MAG1 u1 a1 fe80::100
mag_up mag2 7 $MAG2 u2 a2 fe80::200
lma_up lma 3
check_chain
check_two_flows
check_first_packet_only
check_move
check_tcp
check_events
check_forget_marks
check_fc_close
check_fail_open
check_restart_fail_closed
check_sanitizers
echo "took $(($(date +%s) - start)) s"
finish
