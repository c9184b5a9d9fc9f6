#!/bin/sh
# test_conformance.sh: lmad and magd against a standards-conformant peer built with scapy
# (tests/netns/pbu_scapy.py, pba_scapy.py, mh_scapy.py), independent of the project's codec:
# every value checked is the one on the wire, as scapy decodes it.
#
#   mag1 --v1/p1--+
#   mag2 --v2/p2--+ br0 (lma: lmad)    mag1, mag2 authorized; mag3 only for mn5; mag4 not at all
#   mag3 --v3/p3--+
#   mag4 --v4/p4--+
#
#   mn (if1..if4) --acc1..acc4-- mag (magd) --v0/p0-- lmx (scapy as the LMA)
#
# Against lmad, scapy as the MAG: the §5.3.1 order of RFC 5213 where two faults meet (the first
# the RFC names wins), ATT 0 as a missing ATT, the empty MN-ID of a 160; a Binding Update with
# H and without P gets a Binding Acknowledgement 131 (RFC 6275 §10.3.1); Payload Proto not 59
# and a too short Header Len get an ICMPv6 Parameter Problem with the right pointer, an unknown
# MH type a Binding Error 2 (RFC 6275 §9.2); a Heartbeat Request is answered with a Response
# and a Restart Counter (RFC 5847 §3.3, §3.4), also with octets past its Header Len, which
# both daemons ignore (RFC 8200 §4.7); the Handoff Indicators 1, 3, 2, 4 (the wait, a
# retransmission during it, the outcome with and without the old MAG's de-registration) and 6
# (RFC 5213 §5.4.1, RFC 7864); an all-zero Link-local Address answered with a generated one
# (RFC 5213 §5.3.6); an Update Notification left unanswered comes again with D set and the
# same number, and stops once acknowledged (RFC 7077 §4.1, §5.1). Against magd, scapy as the
# LMA: a Heartbeat Request answered; the same §9.2 answers; a PBA without the MN Link-layer
# Identifier accepted; a PBA with no Home Network Prefix, or an all-zero one, refused and the
# PBU sent again; status 135 numbered on from the LMA's sequence number (RFC 6275 §11.7.3); a
# PBA for another sequence number and one with a wrong echo, each logged with its reason.
# Needs root, iproute2 and /usr/bin/python3 with python3-scapy.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LMAD=$BUILD/lmad
MAGD=$BUILD/magd
PMIPCTL=$BUILD/pmipctl/pmipctl
PBU=$here/pbu_scapy.py
PBA=$here/pba_scapy.py
MHS=$here/mh_scapy.py
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
START=$(date +%s)

LMA=2001:db8:ffff::100
MAG1=2001:db8:ffff::1
MAG2=2001:db8:ffff::2
MAG3=2001:db8:ffff::3
MAGX=2001:db8:ffff::9 # magd's Proxy-CoA (in its own namespaces, with lmx as the LMA)
POOL=2001:db8:100::/56
TB=1000
PRIO=1000
CONF=$tmp/lmad.conf
SOCK=$tmp/lmad.sock
LOG=$tmp/lmad.log
MCONF=$tmp/magd.conf
MSOCK=$tmp/magd.sock
MLOG=$tmp/magd.log
NBCE=4000 # new-bce-delay, ms: long enough for a python process to de-register meanwhile
: >"$LOG"
: >"$MLOG"

mn() { echo "mn$1@example.org"; }
mac() { printf '02:00:00:00:00:%02x' "$1"; }

# --- helpers ---

ctl() {
	"$PMIPCTL" -s "$SOCK" "$@"
}

mctl() {
	"$PMIPCTL" -s "$MSOCK" "$@"
}

bindings_are() {
	jtest "$1" ctl -j show bindings
}

# sp NS ARGS...: pbu_scapy.py from NS to lmad; the answer's key=value lines in OUT.
sp() {
	sp_ns=$1
	shift
	OUT=$(nsx "$sp_ns" "$PY" "$PBU" "$LMA" "$@" 2>&1)
}

# ms NS ARGS...: mh_scapy.py in NS; its lines in OUT.
ms() {
	ms_ns=$1
	shift
	OUT=$(nsx "$ms_ns" "$PY" "$MHS" "$@" 2>&1)
}

# status_is NAME STATUS ARGS...: pbu_scapy.py ARGS (the first is the namespace) gets STATUS.
status_is() {
	s_name=$1
	s_want=$2
	shift 2
	sp "$@"
	expect "$s_name" "status=$s_want"
}

# The sum of lmad's PBA counters.
pbas_sent() {
	jget "sum(j['pba'].values())" ctl -j show stats
}

# now_ms: the clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# --- lmad ---

write_lmad_conf() {
	cat >"$CONF" <<EOF
# test_conformance.sh
lma-address $LMA
uplink-interface br0
tunnel-driver $TEST_DRIVER
table-base $TB
rule-priority $PRIO
timestamp-window 10s
bce-delete-delay 1s
new-bce-delay ${NBCE}ms
upn-retransmit initial 400ms max 1s tries 6
prefix-pool $POOL length 64
control-socket $SOCK
EOF
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "mn $(mn $i)" >>"$CONF"
	done
	cat >>"$CONF" <<EOF
mag $MAG1
mag $MAG2
mag $MAG3 {
	mn $(mn 5)
}
EOF
}


start_lmad() {
	write_lmad_conf
	LMAD_T0=$(date +%s)
	bg lma "$LMAD" -d -f "$CONF" >>"$LOG" 2>&1
	if wait_until 10 ctl -j show stats; then
		pass "lmad: started"
	else
		fail "lmad: started" "$(cat "$LOG")"
	fi
}

# RFC 5213 §5.3.1: where a PBU has two faults, the status is the one of the check the RFC
# makes first: MN-ID (160), MAG authorized for this MN (154), MN-ID type (153), MN authorized
# (152), timestamp (156), HNP (158), HI (161), ATT (162), then the §5.4.1 lookup (155).
check_order() {
	imsi="--nai 001010123456789 --mnid-subtype 3"
	stranger="--nai stranger@example.org"
	check "§5.3.1: no binding before" bindings_are "j == []"
	# shellcheck disable=SC2086 # $imsi and $stranger are several words
	{
		status_is "§5.3.1: no MN-ID from the unconfigured mag4: 160 (item 4 before 5-6)" 160 \
			mag4 --nai x --omit mnid
		status_is "§5.3.1: no MN-ID, no HNP from mag3 (restricted to mn5): 160" 160 \
			mag3 --nai x --omit mnid --omit hnp
		expect "§5.3.1: the 160 carries an MN Identifier option with an empty identifier" \
			mn_id=
		status_is "§5.3.1: an NAI-less MN-ID from the unconfigured mag4: 154, not 153" 154 \
			mag4 $imsi
		status_is "§5.3.1: an NAI-less MN-ID from mag3 (restricted to mn5): 154, not 153" 154 \
			mag3 $imsi
		status_is "§5.3.1: an unknown MN at mag3 (restricted to mn5): 154, not 152" 154 \
			mag3 $stranger
		status_is "§5.3.1: a known MN (mn1) at mag3 (restricted to mn5): 154" 154 \
			mag3 --nai "$(mn 1)"
		status_is "§5.3.1: mag3's own MN (mn5) is accepted there: 0" 0 \
			mag3 --nai "$(mn 5)" --llid "$(mac 5)"
		P5=$(val hnp)
		status_is "§5.3.1: an NAI-less MN-ID without HNP from mag1: 153, not 158" 153 \
			mag1 $imsi --omit hnp
		status_is "§5.3.1: an unknown MN, timestamp an hour ahead, no HNP: 152, not 156/158" 152 \
			mag1 $stranger --ts-offset 3600 --omit hnp
		status_is "§5.3.1: timestamp an hour ahead and no HNP: 156, not 158" 156 \
			mag1 --nai "$(mn 6)" --ts-offset 3600 --omit hnp
		status_is "§5.3.1: no HNP and no HI: 158, not 161" 158 \
			mag1 --nai "$(mn 6)" --omit hnp --omit hi
		status_is "§5.3.1: no HI and no ATT: 161, not 162" 161 \
			mag1 --nai "$(mn 6)" --omit hi --omit att
		status_is "§5.3.1: ATT 0 (reserved): 162, what a missing ATT gets" 162 \
			mag1 --nai "$(mn 6)" --att 0
		status_is "§5.3.1: no ATT at all: 162" 162 mag1 --nai "$(mn 6)" --omit att
		status_is "§5.4.1: mn6 asking for mn5's prefix ($P5): 155" 155 \
			mag1 --nai "$(mn 6)" --hnp "$P5"
		status_is "§5.3.1: mn6 asking for mn5's prefix without ATT: 162, not 155" 162 \
			mag1 --nai "$(mn 6)" --hnp "$P5" --omit att
		status_is "§5.3.1: mn6 asking for mn5's prefix with ATT 0: 162, not 155" 162 \
			mag1 --nai "$(mn 6)" --hnp "$P5" --att 0
	}
	check "§5.3.1: the refusals created nothing (mn5's binding is the only one)" \
		bindings_are "[m['mn_id'] for m in j] == ['$(mn 5)']"
}

# RFC 6275 §10.3.1: a Binding Update without P with H: a Binding Acknowledgement 131.
check_home_reg() {
	sp mag1 --nai "$(mn 1)" --flags AH --seq 77
	expect "RFC 6275 §10.3.1: a BU with H, without P: BA status 131, our sequence number" \
		status=131 seq=77
	f=$(val flags)
	check "RFC 6275 §10.3.1: the BA has no P flag (flags $f)" test "$((f & 0x20))" = 0
	check "RFC 6275 §10.3.1: no binding for it" bindings_are \
		"'$(mn 1)' not in [m['mn_id'] for m in j]"
}

# RFC 6275 §9.2: malformed Mobility Headers, built field by field with scapy.
check_mh_rules() {
	nai=6d6e32406578616d706c652e6f7267 # mn2@example.org
	fixed=000182000096                  # sequence 1, flags A|P, lifetime 600 s
	body=${fixed}081001${nai}0100       # then the MN-ID (18 octets), PadN 2: 26 octets
	ms mag1 raw $LMA --nh 6 --hdrlen 3 --type 5 --body "$body"
	expect "§9.2: Payload Proto 6: ICMPv6 Parameter Problem, code 0, pointer 40 (Payload Proto)" \
		icmp_type=4 icmp_code=0 pointer=40 "from=$LMA" inv_next_header=135 inv_nh=6 \
		inv_hdrlen=3 inv_mhtype=5
	ms mag1 raw $LMA --nh 59 --hdrlen 0 --type 5
	expect "§9.2: a BU with Header Len 0: ICMPv6 Parameter Problem, code 0, pointer 41" \
		icmp_type=4 icmp_code=0 pointer=41 "from=$LMA" inv_nh=59 inv_hdrlen=0 inv_mhtype=5
	ms mag1 raw $LMA --nh 59 --hdrlen 0 --type 50
	expect "§9.2: MH type 50: a Binding Error, status 2, from the LMA" be_status=2 "from=$LMA"
}

# RFC 5847 §3.3, §3.4: PEER answers a Heartbeat Request. hb_answered WHO NS PEER T0
hb_answered() {
	ms "$2" hb "$3" --seq 3000000001
	expect "RFC 5847 §3.3: $1 answers a Heartbeat Request: type 13, R set, U clear, same seq" \
		type=13 r=1 u=0 seq=3000000001 reserved=0
	expect "RFC 5847 §3.4: $1's response carries a Restart Counter (type 28, length 4)" rc_len=4
	off=$(val rc_offset)
	check "RFC 5847 §3.4: its Restart Counter at 4n+2 (offset $off)" test "$((off % 4))" = 2
	rc=$(val restart_counter)
	check "$1's Restart Counter ($rc) is its start time in seconds" test \
		"${rc:-0}" -ge "$(($4 - 2))" -a "${rc:-0}" -le "$(date +%s)"
	ms "$2" hb "$3" --seq 3000000002 --trailing 8
	expect "RFC 8200 §4.7: $1 ignores 8 octets past Header Len and answers" type=13 r=1 \
		seq=3000000002
}

# binding_list MN: each binding of the MN as (its MAG, its prefixes), sorted.
binding_list() {
	jget "sorted((b['peer'], b['prefixes']) for m in j if m['mn_id'] == '$1' for b in m['bindings'])" \
		ctl -j show bindings
}

# RFC 5213 §5.4.1 (RFC 7864 for 6): the Handoff Indicator values.
check_hi() {
	m=$(mn 2)
	sp mag1 --nai "$m" --llid "$(mac 21)" --hi 1
	expect "HI 1 at mag1: status 0, one prefix" status=0 hnp_count=1 hi=1
	Q=$(val hnp)
	check "HI 1: one binding, at mag1" test "$(binding_list "$m")" = "[('$MAG1', ['$Q'])]"
	sp mag2 --nai "$m" --llid "$(mac 22)" --hi 3
	expect "HI 3 from mag2 (another interface): status 0, the same prefix" status=0 hnp_count=1 \
		"hnp=$Q" hi=3
	check "HI 3: still one binding, moved to mag2" test "$(binding_list "$m")" = \
		"[('$MAG2', ['$Q'])]"
	sp mag1 --nai "$m" --llid "$(mac 23)" --hi 2
	expect "HI 2 from mag1: status 0, the same prefix" status=0 hnp_count=1 "hnp=$Q" hi=2
	check "HI 2: still one binding, moved back to mag1" test "$(binding_list "$m")" = \
		"[('$MAG1', ['$Q'])]"

	# HI 4 with one binding: the PBU waits new-bce-delay for a de-registration; its
	# retransmission during the wait replaces it; with none, a new session
	pbas=$(pbas_sent)
	sp mag2 --nai "$m" --llid "$(mac 24)" --hi 4 --seq 10 --again-after 0.5 --others --timeout 8
	waited=$(val answer_ms)
	expect "HI 4 from mag2: no answer within 0.5 s (it waits for mag1's de-registration)" \
		first_answered=0
	expect "HI 4, retransmitted (sequence 11): status 0 once the wait is over" status=0 seq=11 \
		hnp_count=1
	check "HI 4: no answer to the first copy (sequence 10)" out_lacks '^other_seq=' echo "$OUT"
	check "HI 4: one PBA for both copies" test "$(pbas_sent)" = $((pbas + 1))
	check "HI 4: answered after new-bce-delay (${waited:-?} ms from the first PBU >= $NBCE ms)" \
		test "${waited:-0}" -ge $NBCE
	Q4=$(val hnp)
	check "HI 4, no de-registration came: a new session ($Q4) beside mag1's, no duplicate" test \
		"$(binding_list "$m")" = "$(printf "[('%s', ['%s']), ('%s', ['%s'])]" \
			$MAG1 "$Q" $MAG2 "$Q4")"

	# HI 4 again, and the old MAG de-registers during the wait: the waiting PBU takes it over
	m=$(mn 7)
	sp mag1 --nai "$m" --llid "$(mac 71)" --hi 1
	expect "HI 4 with a de-registration, set-up: mn7 at mag1" status=0
	Q7=$(val hnp)
	: >"$tmp/hi4"
	bg mag2 "$PY" "$PBU" $LMA --nai "$m" --llid "$(mac 72)" --hi 4 --timeout 8 --hex \
		>"$tmp/hi4" 2>&1
	hi4_pid=$LAST_PID
	wait_until 5 grep -q '^sent=' "$tmp/hi4" || fail "HI 4: scapy sent its PBU" "$(cat "$tmp/hi4")"
	sp mag1 --nai "$m" --llid "$(mac 71)" --hnp "$Q7" --lifetime 0
	expect "HI 4: mag1's de-registration during the wait: status 0" status=0 lifetime=0
	wait "$hi4_pid"
	OUT=$(cat "$tmp/hi4")
	# (had the wait ended first, a new session would have had another prefix: mn7's was still
	# mag1's)
	expect "HI 4: the waiting PBU then takes the session over: status 0, mn7's prefix" status=0 \
		hnp_count=1 "hnp=$Q7"
	check "HI 4: one binding, at mag2, with the prefix" test "$(binding_list "$m")" = \
		"[('$MAG2', ['$Q7'])]"

	# HI 6 (RFC 7864): a new interface sharing the prefixes, at another MAG
	m=$(mn 3)
	sp mag1 --nai "$m" --llid "$(mac 31)" --hi 1
	expect "HI 6 set-up: mn3 at mag1" status=0
	Q3=$(val hnp)
	sp mag2 --nai "$m" --llid "$(mac 32)" --hi 6
	expect "HI 6 from mag2: status 0, mn3's prefix in the PBA's HNP list" status=0 hi=6 \
		"hnp=$Q3"
	check "HI 6: a second session at mag2, mag1's stays with its prefix" bindings_are \
		"sorted((b['peer'], b['state']) for m in j if m['mn_id'] == '$m' for b in m['bindings']) \
== [('$MAG1', 'active'), ('$MAG2', 'active')] and [b['prefixes'] for m in j \
if m['mn_id'] == '$m' for b in m['bindings'] if b['peer'] == '$MAG1'] == [['$Q3']]"
	check "HI 6: mn3's prefix still routed via mag1" out_has "^$Q3 .*proto 157" \
		nsx lma ip -6 route show
}

# RFC 5213 §5.3.6: a Link-local Address option all zero is answered with one for the MN.
check_lla() {
	m=$(mn 4)
	sp mag1 --nai "$m" --llid "$(mac 41)" --hi 1 --lla ::
	expect "§5.3.6: status 0 with a Link-local Address option" status=0
	L=$(val lla)
	check "§5.3.6: the LLA ($L) is a link-local address, not ::" "$PY" -c \
		'import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1])
sys.exit(0 if a in ipaddress.IPv6Network("fe80::/64") and a.packed[8:] != bytes(8) else 1)' \
		"${L:-::}"
	sp mag2 --nai "$m" --llid "$(mac 42)" --hi 3 --lla ::
	expect "§5.3.6: the same LLA at another MAG (handoff)" status=0 "lla=$L"
}

# RFC 7077 §4.1, §5.1: an Update Notification not acknowledged is sent again with D set.
check_upn() {
	m=$(mn 1)
	sp mag1 --nai "$m" --llid "$(mac 11)" --hi 1 --muho
	expect "UPN set-up: mn1 at mag1, multihomed (MuHo)" status=0
	: >"$tmp/upn"
	bg mag1 "$PY" "$MHS" upn $LMA --ack-on 2 --after 2.5 --timeout 5 >"$tmp/upn" 2>&1
	upn_pid=$LAST_PID
	wait_until 5 grep -q '^ready=1$' "$tmp/upn" || fail "UPN: scapy's MAG ready" "$(cat "$tmp/upn")"
	sp mag2 --nai "$m" --llid "$(mac 12)" --hi 1 --muho
	expect "UPN trigger: mn1's second interface at mag2" status=0
	wait "$upn_pid"
	OUT=$(sed -n '/^upn=1$/,/^upn=2$/p' "$tmp/upn")
	s=$(val seq)
	sh=$(printf '%04x' "${s:-0}")
	expect "RFC 7077 §4.1: the first UPN: reason 2 (16 bits), A set, D clear, reserved 0" \
		reason=2 a=1 d=0 reserved=0 "mn_id=$m" "fixed=${sh}00028000"
	OUT=$(sed -n '/^upn=2$/,$p' "$tmp/upn")
	expect "RFC 7077 §5.1: not acknowledged, it comes again: same sequence number, D set" \
		"seq=$s" reason=2 a=1 d=1 reserved=0 "fixed=${sh}0002c000"
	OUT=$(cat "$tmp/upn")
	expect "RFC 7077 §4.2: acknowledged: no more retransmissions (2.5 s watched)" "acked=$s" \
		after_ack=0
	check "the acknowledgement is counted (upn acked 1)" wait_until 5 jtest \
		"j['upn']['acked'] == 1" ctl -j show stats
}

# --- magd, with scapy as the LMA ---

write_magd_conf() {
	cat >"$MCONF" <<EOF
# test_conformance.sh
lma-address $LMA
proxy-coa $MAGX
uplink-interface v0
link-local-address fe80::abcd
tunnel-driver $TEST_DRIVER
table-base 2000
rule-priority $PRIO
lifetime 40s
refresh-before 3s
retransmit initial 1s max 2s
ra-interval 10s
control-socket $MSOCK
EOF
	for i in 1 2 3 4; do
		echo "access-interface acc$i { access-technology 3 }" >>"$MCONF"
		echo "mn $(mn "$((80 + i))") { mac $(mac "$((80 + i))") }" >>"$MCONF"
	done
}

setup_mag() {
	ns_add lmx mag mnx
	link lmx p0 mag v0
	nsx lmx ip addr add $LMA/64 dev p0 nodad
	nsx mag ip addr add $MAGX/64 dev v0 nodad
	nsx mag sysctl -qw net.ipv6.conf.all.forwarding=1
	# the MN solicits at once, with no DAD to wait for
	nsx mnx sysctl -qw net.ipv6.conf.default.accept_dad=0
	nsx mnx sysctl -qw net.ipv6.conf.default.router_solicitation_delay=0
	for i in 1 2 3 4; do
		ip link add "acc$i" netns "$(ns mag)" type veth peer name "if$i" netns "$(ns mnx)"
		nsx mnx ip link set "if$i" address "$(mac "$((80 + i))")"
		nsx mag ip link set "acc$i" up
	done
}

start_magd() {
	write_magd_conf
	MAGD_T0=$(date +%s)
	bg mag "$MAGD" -d -v -f "$MCONF" >>"$MLOG" 2>&1
	if wait_until 10 mctl -j show stats; then
		pass "magd: started"
	else
		fail "magd: started" "$(cat "$MLOG")"
	fi
}

# scapy_lma N FILE ARGS...: pba_scapy.py for MN 80+N's PBUs, output in FILE; then the MN's
# interface ifN comes up: it solicits, magd sends a PBU. Returns when pba_scapy.py ends.
scapy_lma() {
	sl_i=$1
	sl_out=$2
	shift 2
	: >"$sl_out"
	bg lmx "$PY" "$PBA" $LMA --mnid "$(mn "$((80 + sl_i))")" --timeout 10 "$@" >"$sl_out" 2>&1
	sl_pid=$LAST_PID
	wait_until 10 grep -q '^ready=1$' "$sl_out" || fail "scapy's LMA ready" "$(cat "$sl_out")"
	nsx mnx ip link set "if$sl_i" up
	wait "$sl_pid"
}

# block FILE K: the lines of the K-th PBU pba_scapy.py took.
block() {
	sed -n "/^pbu=$2\$/,/^end=$2\$/p" "$1"
}

# mstate N: the state of MN 80+N's entry at magd.
mstate() {
	jget "[b['state'] for m in j if m['mn_id'] == '$(mn "$((80 + $1))")' for b in m['bindings']]" \
		mctl -j show bindings
}
# mstate_is N STATES: MN 80+N's entries at magd are in STATES (as mstate prints them).
mstate_is() { test "$(mstate "$1")" = "$2"; }

mstat() {
	jget "j.get('$1', {}).get('$2', 0)" mctl -j show stats
}

mlog_has() {
	grep -qF -- "$1" "$MLOG"
}

# RFC 6275 §9.2 at magd: malformed Mobility Headers from its LMA.
check_mag_mh_rules() {
	ms lmx raw $MAGX --nh 6 --hdrlen 1 --type 6
	expect "§9.2 at magd: Payload Proto 6: ICMPv6 Parameter Problem, code 0, pointer 40" \
		icmp_type=4 icmp_code=0 pointer=40 "from=$MAGX" inv_nh=6 inv_hdrlen=1 inv_mhtype=6
	ms lmx raw $MAGX --nh 59 --hdrlen 0 --type 6
	expect "§9.2 at magd: a BA with Header Len 0: ICMPv6 Parameter Problem, pointer 41" \
		icmp_type=4 icmp_code=0 pointer=41 "from=$MAGX" inv_nh=59 inv_hdrlen=0 inv_mhtype=6
	ms lmx raw $MAGX --nh 59 --hdrlen 0 --type 50
	expect "§9.2 at magd: MH type 50: a Binding Error, status 2" be_status=2 "from=$MAGX"
}

# A status-0 PBA without the MN Link-layer Identifier option: magd registers.
check_no_llid() {
	P=2001:db8:1:81::/64
	scapy_lma 1 "$tmp/pba1" --omit llid --hnp $P
	OUT=$(block "$tmp/pba1" 1)
	expect "magd's PBU carries the MN-LL-ID (which the PBA leaves out)" "llid=$(mac 81)" \
		answered=1 status=0
	check "a PBA without MN-LL-ID: registered with $P" wait_until 5 jtest \
		"[(b['state'], b['prefixes']) for m in j for b in m['bindings'] \
if m['mn_id'] == '$(mn 81)'] == [('registered', ['$P'])]" mctl -j show bindings
	check "a PBA without MN-LL-ID: the route to $P on acc1" wait_until 5 out_has \
		"^${P%%::/64}::/64 via fe80::.* dev acc1 proto 157" nsx mag ip -6 route show
	check "a PBA without MN-LL-ID: the MN configures an address in $P from the RA" \
		wait_until 10 out_has "inet6 ${P%%::/64}:" nsx mnx ip -6 addr show dev if1
}

# A status-0 PBA with no usable prefix: refused, and the PBU goes again.
check_no_prefix() {
	drops=$(mstat dropped pba_no_prefix)
	scapy_lma 2 "$tmp/pba2" --count 2 --status 0,- --omit hnp
	OUT=$(block "$tmp/pba2" 1)
	s1=$(val pbu_seq)
	expect "no HNP: the PBA sent (status 0, no Home Network Prefix option)" answered=1 status=0
	OUT=$(block "$tmp/pba2" 2)
	s2=$(val pbu_seq)
	check "no HNP: magd sends the PBU again, sequence number grown ($s1 -> $s2)" test \
		"${s2:-0}" -gt "${s1:-0}"
	check "no HNP: not registered, registering still" mstate_is 2 "['registering']"
	check "no HNP: counted (dropped pba_no_prefix)" test "$(mstat dropped pba_no_prefix)" = \
		$((drops + 1))
	check "no HNP: logged with its reason" mlog_has \
		"status 0 ignored: accepted without a usable Home Network Prefix"
	# the retransmissions go on: the next one is answered with an all-zero prefix
	: >"$tmp/pba2b"
	bg lmx "$PY" "$PBA" $LMA --mnid "$(mn 82)" --timeout 10 --count 2 --status 0,- \
		--hnp ::/0 >"$tmp/pba2b" 2>&1
	wait "$LAST_PID"
	OUT=$(block "$tmp/pba2b" 1)
	s3=$(val pbu_seq)
	expect "all-zero HNP: the PBA sent with HNP ::/0" answered=1 status=0 hnp=::/0
	OUT=$(block "$tmp/pba2b" 2)
	s4=$(val pbu_seq)
	check "all-zero HNP: magd sends the PBU again ($s2 < $s3 < $s4)" test "${s3:-0}" -gt \
		"${s2:-0}" -a "${s4:-0}" -gt "${s3:-0}"
	check "all-zero HNP: not registered, registering still" mstate_is 2 "['registering']"
	check "all-zero HNP: counted (dropped pba_no_prefix)" test \
		"$(mstat dropped pba_no_prefix)" = $((drops + 2))
}

# RFC 6275 §11.7.3: after 135, the next PBU is numbered from the LMA's number + 1.
check_135() {
	P=2001:db8:1:83::/64
	scapy_lma 3 "$tmp/pba3" --count 2 --status 135,0 --seq 4242,- --hnp $P
	OUT=$(block "$tmp/pba3" 1)
	expect "135: the PBA sent with the LMA's sequence number 4242" answered=1 status=135 seq=4242
	OUT=$(block "$tmp/pba3" 2)
	expect "135: magd's next PBU is numbered 4243 (RFC 6275 §11.7.3)" pbu_seq=4243 status=0
	check "135: then registered with $P" wait_until 5 mstate_is 3 "['registered']"
}

# §6.9.1.2: a PBA for another sequence number, then one whose echo differs: each ignored and
# logged with its reason.
check_echo() {
	unmatched=$(mstat dropped pba_unmatched)
	scapy_lma 4 "$tmp/pba4" --count 2 --seq +100,- --echo-att 9 --hnp 2001:db8:1:84::/64
	OUT=$(block "$tmp/pba4" 1)
	s1=$(val pbu_seq)
	expect "another sequence number: the PBA sent with magd's + 100" answered=1 status=0 \
		"seq=$(((${s1:-0} + 100) % 65536))"
	check "another sequence number: logged with its reason" wait_until 5 mlog_has \
		"PBA seq $(((${s1:-0} + 100) % 65536)) status 0 ignored: another sequence number"
	check "another sequence number: counted (dropped pba_unmatched)" test \
		"$(mstat dropped pba_unmatched)" = $((unmatched + 1))
	OUT=$(block "$tmp/pba4" 2)
	expect "wrong echo: magd's PBU again, answered echoing ATT 9 for its 3" att=3 answered=1 \
		status=0
	check "wrong echo: logged with its reason" wait_until 5 mlog_has \
		"$(mn 84): PBA echoes differ from the PBU; entry held"
	check "wrong echo: not registered, held" wait_until 5 mstate_is 4 "['held']"
}

check_logs() {
	check "lmad: no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$LOG"
	check "magd: no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$MLOG"
	[ "$FAILED" -eq 0 ] || {
		sed 's/^/lmad: /' "$LOG"
		sed 's/^/magd: /' "$MLOG"
	}
}

lma_bridge $LMA 4
start_lmad
check_order
check_home_reg
check_mh_rules
hb_answered lmad mag1 $LMA "$LMAD_T0"
check_hi
check_lla
check_upn
setup_mag
start_magd
hb_answered magd lmx $MAGX "$MAGD_T0"
check_mag_mh_rules
check_no_llid
check_no_prefix
check_135
check_echo
check_logs
echo "run time: $(($(date +%s) - START)) s"
finish
