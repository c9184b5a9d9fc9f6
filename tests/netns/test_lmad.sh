#!/bin/sh
# test_lmad.sh: lmad for real, in namespaces, against two test peers: tests/lma/mhping (our
# codec) and tests/netns/pbu_scapy.py (scapy's, an encoder that is not ours).
#
#   mag1 --v1/p1--+
#   mag2 --v2/p2--+ br0 (lma)        mag1, mag2 authorized; mag3 not (until a reload)
#   mag3 --v3/p3--+
#
# Checks, in this order: the configuration (-n, -nv printing back, a broken file refused with
# file:line); start; a first MuHo registration (PBA, binding cache, tunnel, tunnel table,
# fwmark rule); a second interface of the same MN through mag2 (MuHo option in the PBA, an
# Update Notification to mag1 acknowledged, one MN with two bindings), captured on br0 and
# decoded by tshark; every PBA status an outsider can provoke (152 to 162, 130), each leaving
# the binding cache and the kernel as they were, most of them from pbu_scapy.py; malformed
# messages counted and ignored (a Binding Error for an unknown type); a de-registration (route
# gone at once, binding after bce-delete-delay, the other MAG notified); a handoff between MAGs
# (the route follows, the old tunnel goes, a late de-registration from the old MAG is ignored);
# SIGHUP with a broken, then a changed configuration (a new MAG, sequence-number replay
# protection and status 135, a new prefix pool); a binding's lifetime expiring; SIGTERM (exit 0, nothing tagged left, "local"
# rule back at 0); SIGKILL and a restart that cleans the stale state. lmad's log is printed when
# a check failed. Needs root, iproute2, tshark and /usr/bin/python3 with python3-scapy.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LMAD=$BUILD/lmad
PMIPCTL=$BUILD/pmipctl/pmipctl
MHPING=$BUILD/tests/lma/mhping
SCAPY=$here/pbu_scapy.py
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
tab=$(printf '\t')

LMA=2001:db8:ffff::100
MAG1=2001:db8:ffff::1
MAG2=2001:db8:ffff::2
MAG3=2001:db8:ffff::3
POOL=2001:db8:100::/62 # four /64s: the pool runs out during the test
POOL2=2001:db8:200::/62 # the pool of a reloaded configuration
TB=1000
PRIO=1000
PROTO=157 # what lmad tags its routes, rules and nexthops with
CONF=$tmp/lmad.conf
SOCK=$tmp/lmad.sock
LOG=$tmp/lmad.log
MN1=mn1@example.org
MN2=mn2@example.org
MN3=mn3@example.org
MN4=mn4@example.org
MN5=mn5@example.org
LLID_A=02:00:00:00:00:0a
LLID_B=02:00:00:00:00:0b
LLID_C=02:00:00:00:00:0c
LLID_D=02:00:00:00:00:0d
LLID_E=02:00:00:00:00:0e
LLID_F=02:00:00:00:00:0f
LMAD_PID=
: >"$LOG"

# --- helpers ---

ctl() {
	"$PMIPCTL" -s "$SOCK" "$@"
}

# stat_is GROUP NAME VALUE: a counter of pmipctl show stats (an absent one counts as 0).
stat_is() {
	jtest "j.get('$1', {}).get('$2', 0) == $3" ctl -j show stats
}

stat_get() {
	jget "j.get('$1', {}).get('$2', 0)" ctl -j show stats
}

# bindings_are EXPR: EXPR on pmipctl -j show bindings.
bindings_are() {
	jtest "$1" ctl -j show bindings
}

# nh_of PREFIX: the nexthop (and table, and fwmark) number of the tunnel of the binding
# holding PREFIX: table-base + the tunnel number pmipctl shows; table-base alone if none.
nh_of() {
	t=$(jget "[b['tunnel'] for m in j for b in m['bindings'] if '$1' in b['prefixes']][0]" \
		ctl -j show bindings)
	case $t in
	'' | *[!0-9]*) t=0 ;;
	esac
	echo $((TB + t))
}

# in_pool PREFIX [POOL]: a /64 of the pool.
in_pool() {
	"$PY" -c 'import ipaddress, sys
n = ipaddress.ip_network(sys.argv[1])
sys.exit(0 if n.prefixlen == 64 and n.subnet_of(ipaddress.ip_network(sys.argv[2])) else 1)' \
		"$1" "${2:-$POOL}"
}

# ts_near_now TS: a Timestamp option value (48.16) within a minute of this host's clock.
ts_near_now() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	d=$(($1 / 65536 - $(date +%s)))
	[ "$d" -gt -60 ] && [ "$d" -lt 60 ]
}

# prefix_hex PREFIX: the 16 octets of its address in hex.
prefix_hex() {
	"$PY" -c 'import ipaddress, sys
print(ipaddress.ip_network(sys.argv[1]).network_address.packed.hex())' "$1"
}

# The binding cache (without the countdown) and every kernel object of ours.
SNAP='import json, sys
j = json.load(sys.stdin)
for m in j:
    for b in m["bindings"]:
        b.pop("remaining", None)
    m["bindings"].sort(key=lambda b: b["id"])
print(json.dumps(sorted(j, key=lambda m: m["mn_id"]), sort_keys=True))'
snapshot() {
	ctl -j show bindings | "$PY" -c "$SNAP"
	nsx lma ip -6 route show table all proto $PROTO
	nsx lma ip -6 nexthop show
	nsx lma ip -6 rule show
}

# unchanged NAME BEFORE: the snapshot is still BEFORE.
unchanged() {
	after=$(snapshot)
	if [ "$after" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "before: $(oneline "$2") after: $(oneline "$after")"
	fi
}

# mh NS ARGS...: mhping pbu from NS to the LMA; the answer's key=value lines in OUT.
mh() {
	mh_ns=$1
	shift
	OUT=$(nsx "$mh_ns" "$MHPING" pbu "$LMA" "$@" 2>&1)
}

# sp NS ARGS...: the same with the scapy builder.
sp() {
	sp_ns=$1
	shift
	OUT=$(nsx "$sp_ns" "$PY" "$SCAPY" "$LMA" "$@" 2>&1)
}

# raw NS HEX: octets as they are; the answer, if any, in OUT.
raw() {
	OUT=$(nsx "$1" "$MHPING" raw "$LMA" "$2" --timeout 300 2>&1)
}

# expect_status NAME STATUS: OUT is a PBA with this status.
expect_status() {
	got=$(val status)
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "status '$got', expected $2: $(oneline "$OUT")"
	fi
}

lmad_answers() {
	ctl -j show stats
}

start_lmad() {
	bg lma "$LMAD" -d -f "$CONF" >>"$LOG" 2>&1
	LMAD_PID=$LAST_PID
	wait_until 10 lmad_answers && drv_read "$LOG"
}

# exited PID: the process is gone or a zombie.
exited() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# stop_lmad SIGNAL: sends it and waits (bounded) for the exit; status in LMAD_RC.
stop_lmad() {
	LMAD_RC=timeout
	kill "-$1" "$LMAD_PID" 2>/dev/null
	if wait_until 10 exited "$LMAD_PID"; then
		wait "$LMAD_PID"
		LMAD_RC=$?
	fi
}

# log_count PATTERN: lines of lmad's log matching PATTERN.
log_count() {
	grep -c -- "$1" "$LOG"
}

log_more() {
	[ "$(log_count "$1")" -gt "$2" ]
}

# listen NS FILE: mhping listen --ack in NS for one message, output in FILE; waits until its
# raw Mobility Header socket is open.
listen() {
	: >"$2"
	bg "$1" "$MHPING" listen --ack --count 1 --timeout 10000 >"$2" 2>&1
	wait_until 5 out_has ':135 ' nsx "$1" ss -w -a -n
}

# --- configuration ---

# write_conf FILE [POOL]
write_conf() {
	cat >"$1" <<EOF
# test_lmad.sh
lma-address $LMA
uplink-interface br0
tunnel-driver $TEST_DRIVER
table-base $TB
rule-priority $PRIO
timestamp-window 10s
bce-delete-delay 1s
prefix-hold 1s
upn-retransmit initial 500ms max 2s tries 4
prefix-pool ${2:-$POOL} length 64
control-socket $SOCK
mn $MN1
mn $MN2
mn $MN3
mn $MN4
mn $MN5
mag $MAG1
mag $MAG2
EOF
}

# The reloaded configuration: mag3 authorized for mn5 only, sequence numbers for replay.
# write_conf2 FILE [POOL]
write_conf2() {
	write_conf "$@"
	cat >>"$1" <<EOF
mag $MAG3 {
	mn $MN5
}
replay-protection sequence
EOF
}

check_config() {
	write_conf "$CONF"
	check "config: lmad -n accepts it" "$LMAD" -n -f "$CONF"
	if "$LMAD" -nv -f "$CONF" >"$tmp/printed.conf" 2>/dev/null && [ -s "$tmp/printed.conf" ]; then
		pass "config: lmad -nv prints it"
	else
		fail "config: lmad -nv prints it" "$(cat "$tmp/printed.conf")"
	fi
	check "config: the printout parses again" "$LMAD" -n -f "$tmp/printed.conf"
	"$LMAD" -nv -f "$tmp/printed.conf" >"$tmp/printed2.conf" 2>/dev/null
	check "config: the printout prints back the same" cmp "$tmp/printed.conf" "$tmp/printed2.conf"
	check "config: the printout has the settings" grep -qxE "bce-delete-delay +1(000ms|s)" \
		"$tmp/printed.conf"
	write_conf2 "$tmp/conf2"
	check "config: the reload configuration is accepted" "$LMAD" -n -f "$tmp/conf2"
	printf 'lma-address %s\nuplink-interface br0\ntable-base 5\n' "$LMA" >"$tmp/broken.conf"
	if "$LMAD" -n -f "$tmp/broken.conf" >"$tmp/broken.out" 2>&1; then
		fail "config: a broken file is refused" "accepted"
	else
		pass "config: a broken file is refused"
	fi
	check "config: the refusal names file:line" grep -qF "$tmp/broken.conf:3:" "$tmp/broken.out"
}

# --- topology ---

setup() {
	lma_bridge $LMA 3
}

# --- tshark on br0 ---

# A Mobility Header message of an unknown type from mag3 to mag2 (not to lmad) until the
# capture shows one.
cap_probe() {
	nsx mag3 "$MHPING" raw $MAG2 3b00320000000000 --timeout 20 >/dev/null 2>&1
	grep -q "^$MAG3$tab$MAG2" "$tmp/cap.txt"
}

cap_start() {
	: >"$tmp/cap.txt"
	bg lma tshark -l -n -i br0 -f "ip6 proto 135" -w "$tmp/cap.pcap" -P -T fields \
		-e ipv6.src -e ipv6.dst -e mip6.mhtype >"$tmp/cap.txt" 2>"$tmp/cap.err"
	CAP_PID=$LAST_PID
	if wait_until 30 cap_probe; then
		pass "capture: tshark on br0 is capturing"
	else
		fail "capture: tshark on br0 is capturing" "$(cat "$tmp/cap.err")"
	fi
}

cap_stop() {
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}

# em FILTER: the raw octets of each Experimental option (18) of the packets FILTER selects.
em() {
	tshark -r "$tmp/cap.pcap" -n -Y "$1" -T fields -e mip6.options.em 2>/dev/null
}

# --- the checks ---

check_start() {
	start_lmad
	check "start: pmipctl -j show stats answers" lmad_answers
	check "start: no binding" bindings_are "j == []"
	echo "tunnel driver: $DRV (tunnel-driver $TEST_DRIVER)"
	check "start: $DRV decapsulation installed" drv_decap_ready lma br0 $LMA $PRIO
}

# tunnel_present NAME NH MAG: the tunnel NH toward MAG, its table and its fwmark rule.
tunnel_present() {
	check "$1: $DRV tunnel $2 toward the MAG" drv_tunnel_has lma "$2" "$3" br0
	check "$1: tunnel table $2: default route" out_has "^default $(drv_target "$2").*proto $PROTO" \
		nsx lma ip -6 route show table "$2"
	check "$1: tunnel table $2: throw toward the MAG" out_has "^throw $3 .*proto $PROTO" \
		nsx lma ip -6 route show table "$2"
	check "$1: fwmark rule for table $2, after the local rule" out_has \
		"^$((PRIO + 2)):.*fwmark $(printf '0x%x' "$2") lookup $2 proto $PROTO" \
		nsx lma ip -6 rule show
}

# tunnel_gone NH: no nexthop NH, nothing in table NH, no rule naming it.
tunnel_gone() {
	drv_tunnel_gone lma "$1" &&
		out_lacks "." nsx lma ip -6 route show table "$1" &&
		out_lacks "lookup $1 " nsx lma ip -6 rule show
}

# route_via PREFIX NH MAG: the prefix route through the MAG's tunnel.
route_via() {
	out_has "^$1 $(drv_target "$2").*proto $PROTO" nsx lma ip -6 route show &&
		drv_tunnel_has lma "$2" "$3" br0
}

check_first() {
	mh mag1 --nai $MN1 --llid $LLID_A --muho
	expect_status "mag1 PBU: status 0" 0
	PA=$(val hnp)
	expect "mag1 PBU: one HNP, one empty MuHo" hnp_count=1 muho_count=1 muho=::/0
	check "mag1 PBU: the HNP ($PA) is from the pool" in_pool "$PA"
	expect "mag1 PBU: MN-ID echoed, lifetime granted" "mn_id=$MN1" lifetime=600
	check "mag1 PBU: one MN with one binding" bindings_are \
		"len(j) == 1 and j[0]['mn_id'] == '$MN1' and len(j[0]['bindings']) == 1 and \
j[0]['bindings'][0]['prefixes'] == ['$PA'] and j[0]['bindings'][0]['peer'] == '$MAG1' and \
j[0]['bindings'][0]['link_layer_id'] == '$LLID_A' and j[0]['bindings'][0]['muho']"
	NH1=$(nh_of "$PA")
	check "mag1 PBU: prefix route via mag1's tunnel, proto $PROTO" route_via "$PA" "$NH1" $MAG1
	tunnel_present "mag1 PBU" "$NH1" $MAG1
}

check_second() {
	cap_start
	listen mag1 "$tmp/upn1"
	mh mag2 --nai $MN1 --llid $LLID_B --muho --att 7
	expect_status "mag2 PBU: status 0" 0
	PB=$(val hnp)
	check "mag2 PBU: a second prefix ($PB) from the pool" in_pool "$PB"
	check "mag2 PBU: not mag1's prefix" test "$PB" != "$PA"
	expect "mag2 PBU: mag1's prefix in the one MuHo option" muho_count=1 "muho=$PA"
	if wait_until 5 grep -q '^type=19$' "$tmp/upn1"; then
		OUT=$(cat "$tmp/upn1")
		expect "mag1 gets an Update Notification: reason 2, A flag, MN-ID, mag2's prefix" \
			"from=$LMA" type=19 reason=2 flags=128 "mn_id=$MN1" muho_count=1 "muho=$PB"
	else
		fail "mag1 gets an Update Notification" "$(cat "$tmp/upn1")"
	fi
	check "the Update Notification is acknowledged (upn acked 1)" wait_until 5 stat_is upn acked 1
	check "one MN with two bindings and both prefixes" bindings_are \
		"len(j) == 1 and len(j[0]['bindings']) == 2 and \
sorted(p for b in j[0]['bindings'] for p in b['prefixes']) == sorted(['$PA', '$PB'])"
	NH2=$(nh_of "$PB")
	check "mag2 PBU: prefix route via mag2's tunnel" route_via "$PB" "$NH2" $MAG2
	tunnel_present "mag2 PBU" "$NH2" $MAG2
	check "mag1's prefix still via mag1" route_via "$PA" "$NH1" $MAG1
	check "capture: PBU and PBA seen" wait_until 5 grep -q "^$LMA$tab$MAG2${tab}6" "$tmp/cap.txt"
	cap_stop
	zeros=000000000000000000000000000000000000
	check "capture: the PBU's option 18 (MuHo) is empty: 18, 18, 0, /0, ::" test \
		"$(em "ipv6.src == $MAG2 && mip6.mhtype == 5")" = "1212$zeros"
	check "capture: the PBA's option 18 carries mag1's prefix: 18, 18, 0, /64, $PA" test \
		"$(em "ipv6.dst == $MAG2 && mip6.mhtype == 6")" = "12120040$(prefix_hex "$PA")"
	check "capture: tshark finds no malformed packet" out_lacks "." tshark -r "$tmp/cap.pcap" -n \
		-Y "_ws.malformed"
}

check_statuses() {
	before=$(snapshot)
	mh mag3 --nai $MN3 --llid $LLID_D
	expect_status "154: PBU from the unauthorized mag3" 154
	unchanged "154: nothing created" "$before"
	mh mag2 --nai stranger@example.org --llid $LLID_D
	expect_status "152: an MN without an mn statement" 152
	unchanged "152: nothing created" "$before"
	sp mag2 --nai 001010123456789 --mnid-subtype 3 --llid $LLID_D
	expect_status "153 (scapy): an MN-ID that is not an NAI" 153
	unchanged "153: nothing created" "$before"

	# scapy's encoder: a whole PBU accepted
	sp mag2 --nai $MN2 --llid $LLID_C --muho --att 3 --hi 1
	expect_status "scapy PBU: status 0 (interoperability)" 0
	PC=$(val hnp)
	TS0=$(val timestamp_raw)
	check "scapy PBU: a prefix ($PC) from the pool" in_pool "$PC"
	expect "scapy PBU: echoes (MN-ID, HI, ATT, MN-LL-ID, one empty MuHo)" "mn_id=$MN2" \
		mn_id_subtype=1 hi=1 att=3 "llid=$LLID_C" hnp_count=1 muho_count=1 muho=::/0 \
		lifetime=600 flags=0x20
	check "scapy PBU: the binding is in the cache" bindings_are \
		"[b['link_layer_id'] for m in j if m['mn_id'] == '$MN2' for b in m['bindings']] == ['$LLID_C']"
	check "scapy PBU: its route via mag2's nexthop" route_via "$PC" "$NH2" $MAG2

	# the same session: MN-ID, access technology and MN-LL-ID are its key (RFC 5213 §5.4.1)
	before=$(snapshot)
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --ts-raw $((TS0 - 32768))
	expect_status "157 (scapy): half a second older than the accepted timestamp" 157
	check "157: the PBA carries the LMA's time" test "$(val timestamp_raw)" -ge "$TS0"
	unchanged "157: nothing changed" "$before"
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --ts-offset 3600
	expect_status "156 (scapy): a timestamp an hour ahead" 156
	check "156: the PBA carries the LMA's time" ts_near_now "$(val timestamp_raw)"
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --ts-offset -3600
	# lower than the last accepted: 157, even though it is outside the window too (§5.5)
	expect_status "157 (scapy): a timestamp an hour behind" 157
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --omit hnp
	expect_status "158 (scapy): no Home Network Prefix option" 158
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --omit mnid
	expect_status "160 (scapy): no MN Identifier option" 160
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --omit hi
	expect_status "161 (scapy): no Handoff Indicator option" 161
	sp mag2 --nai $MN2 --llid $LLID_C --att 3 --omit att
	expect_status "162 (scapy): no Access Technology Type option" 162
	unchanged "156, 157, 158, 160, 161, 162: nothing changed" "$before"

	mh mag2 --nai $MN3 --llid $LLID_D --hnp "$PA"
	expect_status "155: mn1's prefix asked for by mn3" 155
	unchanged "155: nothing created" "$before"
	mh mag1 --nai $MN1 --llid $LLID_A --hnp "$PA" --hnp "$PB"
	expect_status "159: prefixes of two different bindings" 159
	unchanged "159: nothing changed" "$before"

	mh mag2 --nai $MN3 --llid $LLID_D
	expect_status "130 set-up: the pool's last prefix" 0
	PD=$(val hnp)
	check "130 set-up: four different prefixes in use" test \
		"$(printf '%s\n' "$PA" "$PB" "$PC" "$PD" | grep . | sort -u | wc -l)" -eq 4
	before=$(snapshot)
	mh mag2 --nai $MN4 --llid $LLID_E
	expect_status "130: the pool is exhausted" 130
	unchanged "130: nothing created" "$before"
	for st in 152 153 154 155 156 157 158 159 160 161 162 130; do
		times=1
		[ $st = 157 ] && times=2
		check "stats: PBA status $st counted $times" stat_is pba $st $times
	done
}

# mh_header PROTO LEN TYPE: the 6-octet Mobility Header (checksum 0: the kernel fills it).
mh_header() {
	printf '%02x%02x%02x000000' "$1" "$2" "$3"
}

check_malformed() {
	nai=6d6e32406578616d706c652e6f7267 # mn2@example.org
	mnid=081001$nai                     # MN Identifier, subtype NAI: 18 octets, ends at 30
	fixed=000182000096                  # sequence 1, flags A|P, lifetime 600 s
	before=$(snapshot)
	pba_before=$(jget "sum(j['pba'].values())" ctl -j show stats)
	# an HNP option with length 17 (its body one octet short) at 30, PadN 7 at 49: 56 octets
	raw mag2 "$(mh_header 59 6 5)$fixed${mnid}16110040$(printf '%030d' 0)01050000000000"
	check "malformed HNP length 17: counted opt_len" wait_until 5 stat_is malformed opt_len 1
	check "malformed HNP length 17: no answer" has timeout=1
	# a Handoff Indicator at 30 declaring 10 octets where none are left: 32 octets
	raw mag2 "$(mh_header 59 3 5)$fixed${mnid}170a"
	check "malformed option overrunning the message: counted opt_overrun" wait_until 5 \
		stat_is malformed opt_overrun 1
	check "malformed option overrunning the message: no answer" has timeout=1
	# Payload Proto 6 instead of 59, otherwise well formed (PadN 2 at 30): 32 octets; then a
	# Binding Update of 8 octets (Header Len 0), under its 12. Each gets an ICMPv6 Parameter
	# Problem pointing at the field (RFC 6275 §9.2): 40 + 0 and 40 + 1 in the invoking packet.
	nsx mag2 "$PY" "$here/icmp6_listen.py" 10 2 >"$tmp/pperr" 2>&1 &
	pperr_pid=$!
	wait_until 5 grep -q ready "$tmp/pperr"
	raw mag2 "$(mh_header 6 3 5)$fixed${mnid}0100"
	check "malformed Payload Proto 6: counted payload_proto" wait_until 5 \
		stat_is malformed payload_proto 1
	check "malformed Payload Proto 6: no answer" has timeout=1
	raw mag2 "$(mh_header 59 0 5)0000"
	check "malformed Header Len 0 for a BU: counted msglen" wait_until 5 stat_is malformed msglen 1
	wait "$pperr_pid"
	check "Payload Proto 6: ICMPv6 Parameter Problem, code 0, pointer 40, from the LMA" \
		grep -q "^type=4 code=0 pointer=40 from=$LMA proto=6 hdrlen=3\$" "$tmp/pperr"
	check "Header Len 0: ICMPv6 Parameter Problem, code 0, pointer 41, from the LMA" \
		grep -q "^type=4 code=0 pointer=41 from=$LMA proto=59 hdrlen=0\$" "$tmp/pperr"
	check "the Parameter Problems are counted" wait_until 5 stat_is icmp parameter_problem 2
	raw mag2 "$(mh_header 59 0 50)0000"
	expect "unknown MH type 50: a Binding Error, status 2" type=7 status=2 "from=$LMA"
	check "unknown MH type 50: counted type" stat_is malformed type 1
	unchanged "malformed: nothing changed" "$before"
	check "malformed: no PBA sent" test "$(jget "sum(j['pba'].values())" ctl -j show stats)" = \
		"$pba_before"
}

check_dereg() {
	listen mag1 "$tmp/upn2"
	mh mag2 --nai $MN1 --llid $LLID_B --hnp "$PB" --lifetime 0
	expect_status "de-registration from mag2 (serving mn1's second interface): status 0" 0
	expect "de-registration: lifetime 0 in the PBA" lifetime=0
	# mn1 still has a binding at mag1: until the entry goes, its prefix is routed there
	check "de-registration: meanwhile mn1's prefix goes through mag1 (its other binding)" \
		route_via "$PB" "$NH1" $MAG1
	check "de-registration: the binding is kept meanwhile" bindings_are \
		"[b['state'] for m in j for b in m['bindings'] if '$PB' in b['prefixes']] == ['deregistered']"
	if wait_until 5 grep -q '^type=19$' "$tmp/upn2"; then
		OUT=$(cat "$tmp/upn2")
		expect "de-registration: mag1 gets an Update Notification, still listing the prefix" \
			type=19 reason=2 "mn_id=$MN1" muho_count=1 "muho=$PB"
	else
		fail "de-registration: mag1 gets an Update Notification" "$(cat "$tmp/upn2")"
	fi
	check "de-registration: the notification is acknowledged (upn acked 2)" wait_until 5 \
		stat_is upn acked 2
	listen mag1 "$tmp/upn3"
	check "de-registration: the binding is gone after bce-delete-delay" wait_until 5 bindings_are \
		"[len(m['bindings']) for m in j if m['mn_id'] == '$MN1'] == [1]"
	check "de-registration: then the prefix route is gone" wait_until 5 out_lacks "^$PB " \
		nsx lma ip -6 route show
	if wait_until 5 grep -q '^type=19$' "$tmp/upn3"; then
		OUT=$(cat "$tmp/upn3")
		expect "deletion: mag1 gets an Update Notification without mag2's prefix" \
			type=19 reason=2 "mn_id=$MN1" muho_count=1 muho=::/0
	else
		fail "deletion: mag1 gets an Update Notification" "$(cat "$tmp/upn3")"
	fi
	check "de-registration: mn1's other prefix still via mag1" route_via "$PA" "$NH1" $MAG1
	# mn2 and mn3 leave too: mag2 serves nothing, the pool has room again
	mh mag2 --nai $MN2 --llid $LLID_C --hnp "$PC" --lifetime 0
	expect_status "de-registration of mn2: status 0" 0
	mh mag2 --nai $MN3 --llid $LLID_D --hnp "$PD" --lifetime 0
	expect_status "de-registration of mn3: status 0" 0
	check "de-registrations: only mn1's first binding is left" wait_until 5 bindings_are \
		"len(j) == 1 and [b['prefixes'] for b in j[0]['bindings']] == [['$PA']]"
	check "de-registrations: mag2's tunnel is gone" wait_until 5 tunnel_gone "$NH2"
}

check_handoff() {
	mh mag2 --nai $MN1 --llid $LLID_A --hi 3 --muho
	expect_status "handoff to mag2 (HI 3): status 0" 0
	expect "handoff: the same prefix" hnp_count=1 "hnp=$PA"
	NH2=$(nh_of "$PA")
	check "handoff: the route uses mag2's nexthop" route_via "$PA" "$NH2" $MAG2
	tunnel_present "handoff" "$NH2" $MAG2
	check "handoff: mag1's tunnel (nexthop, table, rule) is gone" wait_until 5 tunnel_gone "$NH1"
	check "handoff: the binding moved" bindings_are \
		"len(j) == 1 and len(j[0]['bindings']) == 1 and j[0]['bindings'][0]['peer'] == '$MAG2' \
and j[0]['bindings'][0]['hi'] == 3"
	check "handoff: counted" stat_is bindings handoffs 1
	# a late de-registration from the old MAG must not undo the handoff
	mh mag1 --nai $MN1 --llid $LLID_A --hnp "$PA" --lifetime 0 --timeout 500
	check "late de-registration from mag1: counted dereg_other_mag" stat_is dropped \
		dereg_other_mag 1
	check "late de-registration from mag1: the route stays via mag2" route_via "$PA" "$NH2" $MAG2
	check "late de-registration from mag1: the binding stays active" bindings_are \
		"[b['state'] for m in j for b in m['bindings']] == ['active']"
}

check_reload() {
	hup_failed=$(log_count "reload refused")
	write_conf2 "$CONF"
	echo "no-such-statement 1" >>"$CONF"
	bad_line=$(wc -l <"$CONF")
	kill -HUP "$LMAD_PID"
	check "SIGHUP, broken file: the reload is refused" wait_until 5 log_more "reload refused" \
		"$hup_failed"
	check "SIGHUP, broken file: the refusal names file:line" grep -qF "$CONF:$bad_line:" "$LOG"
	check "SIGHUP, broken file: lmad still answers" lmad_answers
	mh mag3 --nai $MN5 --llid $LLID_F
	expect_status "SIGHUP, broken file: the old configuration holds (mag3 still 154)" 154
	reloaded=$(log_count "configuration reloaded")
	write_conf2 "$CONF"
	kill -HUP "$LMAD_PID"
	check "SIGHUP, new configuration: reloaded" wait_until 5 log_more "configuration reloaded" \
		"$reloaded"
	check "SIGHUP: the bindings are kept" bindings_are \
		"len(j) == 1 and [b['prefixes'] for b in j[0]['bindings']] == [['$PA']]"
	mh mag3 --nai $MN5 --llid $LLID_F --seq 7
	expect_status "SIGHUP, new configuration: mag3 is authorized" 0
	P5=$(val hnp)
	check "mag3's binding: a prefix from the pool ($P5)" in_pool "$P5"
	mh mag3 --nai $MN4 --llid $LLID_E --seq 1
	expect_status "mag3 serves only mn5: 154 for mn4" 154
	mh mag3 --nai $MN5 --llid $LLID_F --hnp "$P5" --seq 7
	expect_status "135: sequence number not newer (replay-protection sequence)" 135
	expect "135: the PBA carries the last accepted sequence number" seq=7
	mh mag3 --nai $MN5 --llid $LLID_F --hnp "$P5" --seq 8
	expect_status "a newer sequence number renews: status 0" 0
	# a setting that needs a restart refuses the whole file: mag3 must stay authorized
	kept=$(log_count "keeping the running configuration")
	write_conf "$CONF"
	sed "s/^table-base .*/table-base $((TB + 1000))/" "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	kill -HUP "$LMAD_PID"
	check "SIGHUP, table-base changed: refused (needs a restart)" wait_until 5 \
		log_more "keeping the running configuration" "$kept"
	mh mag3 --nai $MN5 --llid $LLID_F --hnp "$P5" --seq 9
	expect_status "SIGHUP, table-base changed: the running configuration holds (mag3 renews)" 0
	# lmad(8): only five settings need a restart; "every other setting applies to the next
	# messages", prefix-pool included
	reloaded=$(log_count "configuration reloaded")
	write_conf2 "$CONF" "$POOL2"
	kill -HUP "$LMAD_PID"
	check "SIGHUP, new prefix-pool: reloaded" wait_until 5 log_more "configuration reloaded" \
		"$reloaded"
	mh mag2 --nai $MN4 --llid $LLID_E
	expect_status "SIGHUP, new prefix-pool: a new MN is accepted" 0
	P4=$(val hnp)
	check "SIGHUP, new prefix-pool: the new MN's prefix ($P4) is from $POOL2" in_pool "$P4" "$POOL2"
}

# A binding that is not renewed expires: its route, its entry, and its MAG's tunnel go.
check_expiry() {
	mh mag1 --nai $MN2 --llid $LLID_C --lifetime 4
	expect_status "short lifetime: accepted" 0
	expect "short lifetime: 4 s granted" lifetime=4
	PE=$(val hnp)
	NHE=$(nh_of "$PE")
	check "short lifetime: route via mag1" route_via "$PE" "$NHE" $MAG1
	check "short lifetime: the binding expires" wait_until 10 bindings_are \
		"'$MN2' not in [m['mn_id'] for m in j]"
	check "short lifetime: its route is gone" out_lacks "^$PE " nsx lma ip -6 route show
	check "short lifetime: mag1's tunnel is gone" wait_until 5 tunnel_gone "$NHE"
	check "short lifetime: counted expired" stat_is bindings expired 1
}

# no_objects WHEN: nothing tagged, the local rule back at 0.
check_no_objects() {
	check "$1: no route of ours" out_lacks "." nsx lma ip -6 route show table all proto $PROTO
	check "$1: no nexthop of ours" out_lacks "proto $PROTO" nsx lma ip -6 nexthop show
	check "$1: no rule of ours" out_lacks "proto $PROTO" nsx lma ip -6 rule show
	check "$1: local rule back at 0" out_has "^0:.*lookup local" nsx lma ip -6 rule show
	check "$1: two rules (local, main)" test "$(nsx lma ip -6 rule show | wc -l)" -eq 2
	check "$1: nothing of the $DRV driver's own left" drv_left_nothing lma br0
}

check_term() {
	check "kernel: no request refused during the run" stat_is kernel failures 0
	check "kernel: no route or tunnel failure" jtest \
		"j['kernel']['route_failures'] == 0 and j['kernel']['tunnel_failures'] == 0" ctl -j show stats
	stop_lmad TERM
	check "SIGTERM: lmad exits 0" test "$LMAD_RC" = 0
	check_no_objects "SIGTERM"
	check "SIGTERM: control socket removed" test ! -e "$SOCK"
}

check_kill_restart() {
	write_conf "$CONF"
	start_lmad
	check "restart: lmad answers" lmad_answers
	mh mag1 --nai $MN1 --llid $LLID_A --muho
	expect_status "restart: mag1 PBU accepted" 0
	PK=$(val hnp)
	mh mag2 --nai $MN1 --llid $LLID_B --muho
	expect_status "restart: mag2 PBU accepted" 0
	PK2=$(val hnp)
	stop_lmad KILL
	check "SIGKILL: lmad is gone" test "$LMAD_RC" = 137
	check "SIGKILL: the stale prefix route is left" out_has "^$PK " nsx lma ip -6 route show
	check "SIGKILL: the stale decapsulation is left" drv_decap_ready lma br0 $LMA $PRIO
	start_lmad
	check "restart after SIGKILL: lmad answers" lmad_answers
	check "restart: the stale prefix routes are gone" out_lacks "^($PK|$PK2) " \
		nsx lma ip -6 route show
	check "restart: the stale nexthops and tunnels are gone" sh -c \
		"! ip -n $(ns lma) -6 nexthop show | grep -q . && ! ip -n $(ns lma) link | grep -q pmip6t"
	check "restart: no route of ours but decapsulation" test \
		"$(nsx lma ip -6 route show table all proto $PROTO | grep -vc "table $TB ")" -eq 0
	check "restart: $(drv_rules_idle) rules, as at a first start" test \
		"$(nsx lma ip -6 rule show | wc -l)" -eq "$(drv_rules_idle)"
	check "restart: decapsulation installed once" drv_decap_ready lma br0 $LMA $PRIO
	[ "$DRV" != ebpf ] || check "restart: one decapsulation filter (the stale one replaced)" test \
		"$(nsx lma tc filter show dev br0 ingress | grep -c pmip6_decap)" -eq 1
	check "restart: no binding" bindings_are "j == []"
	mh mag1 --nai $MN1 --llid $LLID_A --muho
	expect_status "restart: a new registration is accepted" 0
	PN=$(val hnp)
	NHN=$(nh_of "$PN")
	check "restart: its route via mag1's nexthop" route_via "$PN" "$NHN" $MAG1
	tunnel_present "restart" "$NHN" $MAG1
	stop_lmad TERM
	check "restart, SIGTERM: lmad exits 0" test "$LMAD_RC" = 0
	check_no_objects "restart, SIGTERM"
}

# Every JSON answer of lmad parses with no key twice in an object; show stats validates as
# OpenMetrics. Run while bindings exist (two of them for MN1, through two MAGs).
check_machine_output() {
	for c in "show bindings" "show bindings $MN1" "show stats" "show flows" "policy list" \
		"show version"; do
		# shellcheck disable=SC2086 # the command's words
		check "pmipctl -j $c: JSON, no key twice" json_strict ctl -j $c
	done
	check "pmipctl -j show stats: the group bindings once, with current" jtest \
		"j['bindings']['current'] >= 2" ctl -j show stats
	check "pmipctl -j show version: lmad" jtest "j['daemon'] == 'lmad'" ctl -j show version
	n=$(stat_get bindings current)
	check "pmipctl -o openmetrics show stats: valid OpenMetrics" metrics_valid lma \
		'pmip6_lma_pba_total{status="0"}' "pmip6_lma_bindings_current" \
		'pmip6_lma_rx_total{type="binding-update"}' 'pmip6_lma_dropped_total{reason="not_proxy"}' \
		"pmip6_lma_upn_sent_total" "pmip6_lma_control_refused_total" -- \
		ctl -o openmetrics show stats
	check "pmipctl -o openmetrics: pmip6_lma_bindings_current is show stats' ($n)" out_has \
		"^pmip6_lma_bindings_current $n\$" ctl -o openmetrics show stats
	if ctl -o openmetrics show bindings >/dev/null 2>"$tmp/om.err"; then
		fail "pmipctl -o openmetrics show bindings: refused" "accepted"
	else
		check "pmipctl -o openmetrics show bindings: refused" grep -q "counters only" \
			"$tmp/om.err"
	fi
}

# reload_says STATUS TEXT: pmipctl reload exits with STATUS, TEXT (a grep -E pattern, or empty)
# on its stderr.
reload_says() {
	ctl reload >"$tmp/reload.out" 2>"$tmp/reload.err"
	rc=$?
	[ "$rc" = "$1" ] && { [ -z "$2" ] || grep -qE -- "$2" "$tmp/reload.err"; }
}

# pmipctl reload: the reload of SIGHUP, its refusal as the daemon's error text and exit 1; the
# restart-only settings flow-queue and flow-fail refused; a control-group the daemon cannot give
# the socket to (no CAP_CHOWN after start-up) refused; policies added with pmipctl kept. Ends with the configuration it found (conf2, POOL2).
check_pmipctl_reload() {
	write_conf2 "$CONF" "$POOL2"
	same=$(log_count "reload: no setting changed")
	check "pmipctl reload, same file: exit 0" reload_says 0 ""
	check "pmipctl reload, same file: the log says nothing changed" log_more \
		"reload: no setting changed" "$same"
	echo "flow-max 1234" >>"$CONF"
	check "pmipctl reload, flow-max 1234: exit 0" reload_says 0 ""
	check "pmipctl reload, flow-max 1234: applied" stat_is flows max 1234
	check "pmipctl reload: the log says what changed" grep -q "reload: now: flow-max 1234" "$LOG"
	write_conf2 "$CONF" "$POOL2"
	printf 'flow-max 99\nflow-queue 7\n' >>"$CONF"
	check "pmipctl reload, flow-queue changed: exit 1 with the reason" reload_says 1 \
		"error 7: flow-queue take effect only at a restart"
	check "pmipctl reload, flow-queue changed: the whole file refused (flow-max still 1234)" \
		stat_is flows max 1234
	write_conf2 "$CONF" "$POOL2"
	echo "flow-fail closed" >>"$CONF"
	check "pmipctl reload, flow-fail changed: exit 1 with the reason" reload_says 1 \
		"flow-fail take effect only at a restart"
	write_conf2 "$CONF" "$POOL2"
	echo "no-such-statement" >>"$CONF"
	check "pmipctl reload, broken file: exit 1 with file:line" reload_says 1 "$CONF:[0-9]+:"
	write_conf2 "$CONF" "$POOL2"
	echo "control-group daemon" >>"$CONF"
	# lmad dropped CAP_CHOWN after start-up (lmad(8), Privileges) and root is no member of
	# "daemon": the socket cannot be given to that group, so the reload is refused whole
	check "pmipctl reload, control-group daemon without CAP_CHOWN: exit 1 with the reason" \
		reload_says 1 "Operation not permitted"
	check "pmipctl reload: the socket's group is unchanged" test "$(stat -c %G "$SOCK")" = root
	write_conf2 "$CONF" "$POOL2"
	ctl policy add proto udp dst-port 5001 to att 7 >/dev/null 2>&1
	check "pmipctl reload, a policy added with pmipctl: exit 0" reload_says 0 ""
	check "pmipctl reload: the policy added with pmipctl is kept" jtest \
		"[p['match'].get('dst_port') for p in j] == [{'from': 5001, 'to': 5001}]" \
		ctl -j policy list
	check "pmipctl reload: the log says it was kept" grep -q "policies added with pmipctl kept" \
		"$LOG"
	ctl policy del "$(jget "j[0]['id']" ctl -j policy list)"
	write_conf2 "$CONF" "$POOL2"
	check "pmipctl reload, back to the file it found: exit 0" reload_says 0 ""
}

check_log() {
	check "lmad: no sanitizer report in its log" out_lacks "Sanitizer|runtime error" cat "$LOG"
	[ "$FAILED" -eq 0 ] || sed 's/^/lmad: /' "$LOG"
}

setup
check_config
check_start
check_first
check_second
check_machine_output
check_statuses
check_malformed
check_dereg
check_handoff
check_reload
check_pmipctl_reload
check_expiry
check_term
check_kill_restart
check_log
finish
