#!/bin/sh
# test_pmtu.sh: lmad's Packet Too Big relay (RFC 2473 §7, common/pmtu.c) with a router inside
# the tunnel:
#
#   cn --c0/l0-- lma (lmad) --u0/r0-- rtr --r1/m0 (MTU 1400)-- mag (tests/lma/mhping)
#
# mhping registers an MN with lmad as its MAG, so lmad tunnels the MN's prefix to it. The CN's
# 1500-octet packets to the MN, encapsulated, do not fit the router's 1400 link: (a) the router
# tells the LMA (the outer source) and lmad relays a Packet Too Big of 1400 - 40 to the CN, whose
# route to the MN then says mtu 1360; (b) with the CN's cache flushed, the next oversized packet
# is relayed the same way: the LMA's kernel learnt the path MTU toward the MAG, but it does not
# apply it to packets its lwt encapsulation routes again (verified here: the router answers
# again), so every oversized packet until the sender's cache is right costs one relay.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LMAD=$BUILD/lmad
PMIPCTL=$BUILD/pmipctl/pmipctl
MHPING=$BUILD/tests/lma/mhping
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
LMA=2001:db8:f::1
MAG=2001:db8:e::11
CN=2001:db8:c::2

ns_add cn lma rtr mag
link cn c0 lma l0
link lma u0 rtr r0
link rtr r1 mag m0
nsx rtr ip link set r1 mtu 1400
nsx mag ip link set m0 mtu 1400
nsx cn ip addr add $CN/64 dev c0 nodad
nsx cn ip -6 route add default via 2001:db8:c::1
nsx lma ip addr add 2001:db8:c::1/64 dev l0 nodad
nsx lma ip addr add $LMA/64 dev u0 nodad
nsx lma ip -6 route add 2001:db8:e::/64 via 2001:db8:f::2
nsx rtr ip addr add 2001:db8:f::2/64 dev r0 nodad
nsx rtr ip addr add 2001:db8:e::1/64 dev r1 nodad
nsx mag ip addr add $MAG/64 dev m0 nodad
nsx mag ip -6 route add default via 2001:db8:e::1
for n in lma rtr; do
	nsx $n sysctl -qw net.ipv6.conf.all.forwarding=1
done
cat >"$tmp/lmad.conf" <<CONF
lma-address $LMA
uplink-interface u0
tunnel-driver ${TEST_DRIVER:-auto}
prefix-pool 2001:db8:100::/48 length 64
control-socket $tmp/lma.sock
mn any
mag $MAG
CONF
bg lma "$LMAD" -d -f "$tmp/lmad.conf" 2>"$tmp/lmad.log"
stat() {
	"$PMIPCTL" -s "$tmp/lma.sock" show stats | awk -v g="$1" -v n="$2" \
		'/^[^ ]/ { grp = $1 == g; next } grp && $1 == n { print $2; exit }'
}
check "lmad answers" wait_until 10 "$PMIPCTL" -s "$tmp/lma.sock" show stats
drv_read "$tmp/lmad.log" && echo "driver: $DRV"
wait_until 10 nsx mag ping -c 1 -W 1 $LMA
OUT=$(nsx mag "$MHPING" pbu $LMA --nai mn@pmtu --llid 02:00:00:00:00:01 2>&1)
P=$(printf '%s\n' "$OUT" | sed -n 's/^hnp=//p' | head -n 1)
check "mhping registered an MN through the MAG (prefix $P)" test -n "$P"
A=${P%/*}1
if [ "$DRV" = ebpf ]; then
	# the MAG is behind a router: its nexthop has no gateway, the outer packet is routed
	routed_nexthop() {
		nh=$(nsx lma ip -6 nexthop show | grep 'encap bpf') && ! echo "$nh" | grep -q ' via '
	}
	check "ebpf: the routed peer's nexthop has no gateway" routed_nexthop
fi
ptb_out() { nsx "$1" awk '$1 == "Icmp6OutPktTooBigs" { print $2 }' /proc/net/snmp6; }
cn_mtu() { nsx cn ip -6 route get "$A" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
big() { nsx cn ping -c 1 -W 1 -s 1400 -M do "$A" >/dev/null 2>&1 || true; }

r0=$(ptb_out rtr)
big
check "a: the router told the LMA its link is 1400 (its Packet Too Big counter $r0 -> $(ptb_out rtr))" \
	test "$(ptb_out rtr)" -gt "$r0"
check "a: lmad relayed it to the CN (pmtu relayed: $(stat pmtu relayed))" \
	wait_until 5 sh -c "test \"\$($PMIPCTL -s $tmp/lma.sock show stats | awk '/^pmtu/ {g=1; next} /^[^ ]/ {g=0} g && \$1 == \"relayed\" {print \$2}')\" -ge 1"
check "a: the CN's route to the MN says mtu 1360 ($(cn_mtu))" wait_until 5 test "$(cn_mtu)" = 1360

nsx cn ip -6 route flush cache
r1=$(ptb_out rtr)
n1=$(stat pmtu relayed)
big
check "b: after the CN forgot, its oversized packet is answered again (mtu $(cn_mtu))" \
	wait_until 5 test "$(cn_mtu)" = 1360
check "b: the router answered again ($r1 -> $(ptb_out rtr)) and lmad relayed it ($n1 -> $(stat pmtu relayed))" \
	sh -c "test $(ptb_out rtr) -gt $r1 && test $(stat pmtu relayed) -gt $n1"
check "lmad logged no error" sh -c "! grep -iE 'error|refused|failed' $tmp/lmad.log"
check "no sanitizer report" out_lacks "Sanitizer|runtime error" cat "$tmp/lmad.log"
[ "$FAILED" -eq 0 ] || cat "$tmp/lmad.log"
finish
