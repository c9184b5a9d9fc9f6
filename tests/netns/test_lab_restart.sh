#!/bin/sh
# test_lab_restart.sh: lmad keeps its binding cache across a restart (lmad.conf(5) binding-file)
# in the lab of netns-lab/lab.sh (a CN, lmad, MAG1 on WLAN, MAG2 on 3G, a multihomed MN), with
# the MAGs' default 600 s lifetimes, so that no refresh comes to the rescue:
#   1 three flows CN -> MN, one per interface and one moved by hand to the other interface;
#   2 lmad killed (SIGKILL) under that traffic and a TCP transfer, and started again: both
#     bindings come back from
#     the file with their prefixes, tunnels and the flows' marks (a mark the kernel changed after
#     the file was written wins); the CN reaches both addresses
#     within a second of lmad's return (measured, printed); each flow arrives on the interface
#     it had; the TCP transfer completes with its data intact; no MAG sent a PBU meanwhile; the
#     LMA got none;
#   3 the MAGs' next refresh is accepted as a renewal (sequence numbers and timestamps kept);
#   4 a clean stop (SIGTERM) and a start: the same.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
: "${BUILD:?set BUILD to a build tree}"
LAB_BUILD=$(cd "$BUILD" && pwd)
LAB_DIR=$(mktemp -d /tmp/pmip-lab.XXXXXX)
LAB_LIFETIME=600s
LAB_LMA_EXTRA="binding-file $LAB_DIR/lmad.bindings
binding-sync 200ms"
# shellcheck source=../../netns-lab/lab.sh
. "$top/netns-lab/lab.sh"
make -C "$LAB_BUILD" tests/bench/lab_probe >/dev/null 2>&1 || echo "cannot build lab_probe"
PROBE=$LAB_BUILD/tests/bench/lab_probe
PMIPCTL=$LAB_BUILD/pmipctl/pmipctl
T="$PY $top/netns-lab/traffic.py"
PPS=1000
PORT=7000

lab_create
trap 'cleanup; lab_destroy' EXIT
MAG2=$(lab_mag_addr 2)

# --- helpers ---

stat_of() { "$PMIPCTL" -s "$1" -j show stats | "$PY" -c "import json, sys; print(json.load(sys.stdin)$2)"; }
pbus_sent() { echo $(($(stat_of "$LAB_DIR/mag1.sock" "['tx']['pbu']") + $(stat_of "$LAB_DIR/mag2.sock" "['tx']['pbu']"))); }

# bindings_now: what identifies the LMA's bindings, without their ageing lifetimes.
bindings_now() { lab_ctl -j show bindings | "$PY" -c "
import json, sys
print(sorted((m['mn_id'], b['id'], b['peer'], b['state'], b['prefixes']) for m in json.load(sys.stdin) for b in m['bindings']))"; }

# flow_field SPORT FIELD: a field of the LMA's flow from source port SPORT.
flow_field() {
	lab_ctl -j show flows | "$PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['sport'] == $1][0])"
}

# in_file N M: the binding file holds N bindings and M flows.
in_file() { test "$(grep -c '^bce ' "$LAB_DIR/lmad.bindings")" = "$1" && test "$(grep -c '^flow ' "$LAB_DIR/lmad.bindings")" = "$2"; }

# tcp_transfer PORT BYTES: a TCP transfer CN -> A1 of BYTES in 64 KiB chunks 50 ms apart; the
# digests both ends saw in sink.PORT and source.PORT.
tcp_transfer() {
	lab_bg mn1 "$LAB_DIR/sink.$1.log" $T tcp-sink "$1" --out "$LAB_DIR/sink.$1"
	wait_until 5 sh -c "ip netns exec $(lab_ns mn1) ss -ltn | grep -q ':$1 '"
	lab_bg cn "$LAB_DIR/source.$1.log" sh -c \
		"$T tcp-source $A1 $1 --bytes $2 --pause 0.05 >$LAB_DIR/source.$1"
}
transfer_intact() { test -s "$LAB_DIR/sink.$1" && test "$(cat "$LAB_DIR/sink.$1")" = "$(cat "$LAB_DIR/source.$1")"; }

# arrived SPORT N: at least N datagrams of the flow from SPORT at the MN.
arrived() { test "$(grep -c "^$1 " "$LAB_DIR/dn.rx")" -ge "$2"; }

# outage SPORT T_KILL T_START T_READY: the flow's records read: "ifindex_before ifindex_after
# gap_ms lost back_ms", the largest gap between arrivals from T_KILL on, the datagrams lost, and
# when the flow came back relative to T_READY (negative: before lmad answered its control socket).
outage() {
	"$PY" - "$LAB_DIR/dn.rx" "$@" <<'EOF'
import sys
path, sport, t_kill, t_start, t_ready = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:])
recs = sorted((int(w[3]), int(w[1]), int(w[4])) for w in (l.split() for l in open(path))
              if len(w) == 5 and int(w[0]) == sport)
before = [r for r in recs if r[0] < t_kill]
after = [r for r in recs if r[0] >= t_kill]
if not before or len(after) < 2:
    print("- - - - -")
    sys.exit()
gap, end = max((b[0] - a[0], b) for a, b in zip([before[-1]] + after, after))
seqs = {r[1] for r in recs if r[0] >= before[-1][0]}
lost = max(seqs) - min(seqs) + 1 - len(seqs)
print(before[-1][2], after[-1][2], "%.1f" % (gap / 1e6), lost, "%.1f" % ((end[0] - t_ready) / 1e6))
EOF
}

# --- 1. the MN on both interfaces, three flows ---

lab_start
lab_attach 1 1
lab_attach 1 2
check "1: the MN gets an address on both interfaces" wait_until 20 lab_mn_attached 1
A1=$(lab_mn_addr 1 1)
A2=$(lab_mn_addr 1 2)
IF1=$(lab_x mn1 cat /sys/class/net/if1/ifindex)
IF2=$(lab_x mn1 cat /sys/class/net/if2/ifindex)
lab_bg mn1 "$LAB_DIR/recv.log" "$PROBE" recv "$PORT" "$LAB_DIR/dn.rx"
wait_until 5 test -e "$LAB_DIR/dn.rx"
lab_bg cn "$LAB_DIR/send.log" "$PROBE" send -p 7301 "$A1" "$PORT" "$PPS"
lab_bg cn "$LAB_DIR/send.log" "$PROBE" send -p 7302 "$A1" "$PORT" "$PPS"
lab_bg cn "$LAB_DIR/send.log" "$PROBE" send -p 7303 "$A2" "$PORT" "$PPS"
check "1: the three flows are classified" wait_until 5 flow_field 7303 id
check "1: flow 7302 moved by hand to MAG2 (att 7)" lab_ctl flow move "$(flow_field 7302 id)" to att 7
check "1: the binding file holds both bindings and the three flows" wait_until 5 in_file 2 3
check "1: flow 7302 is on MAG2 in it too" wait_until 5 sh -c \
	"grep '^flow ' $LAB_DIR/lmad.bindings | grep -q ' 7302 .* $PORT '"
# the kernel's marks are newer than the file: flow 7303's connection given flow 7301's mark (MAG1's
# tunnel) behind lmad's back, as a move made less than binding-sync before a crash would be
mark1=$(awk '$1 == "flow" && $6 == 7301 { print $3 }' "$LAB_DIR/lmad.bindings")
check "1: flow 7303's connection remarked to MAG1's tunnel ($mark1)" lab_x lma conntrack -U -f ipv6 -p udp \
	--orig-port-src 7303 --orig-port-dst "$PORT" --mark "$mark1"
# connections lmad never saw: one marked for MAG1's tunnel toward A2, one for a tunnel of none
ct_insert() {
	lab_x lma conntrack -I -p udp -s "$LAB_CN" -d "$A2" --sport "$1" --dport "$1" \
		--timeout 120 --mark "$2"
}
check "1: a connection marked for MAG1's tunnel, unknown to lmad" ct_insert 5040 "$mark1"
check "1: a connection marked for no tunnel of ours" ct_insert 5041 $((mark1 + 50))
# a TCP connection across the restart (4 MiB, about 3 s), in the file like the others
tcp_transfer 7400 4194304
check "1: a TCP transfer to A1 runs, its flow in the binding file" wait_until 5 in_file 2 4
sleep 0.5 # the flows' datagrams before the kill, for the gap
before=$(bindings_now)
pbu0=$(pbus_sent)

# --- 2. SIGKILL and a restart ---

t_kill=$(date +%s%N)
kill -KILL "$LAB_LMAD_PID"
wait "$LAB_LMAD_PID" 2>/dev/null
t_start=$(date +%s%N)
lab_start_lmad
t_ready=$(date +%s%N)
echo "   lmad restart: killed -> started $(((t_start - t_kill) / 1000000)) ms, started -> answering $(((t_ready - t_start) / 1000000)) ms"
restored() { grep -q 'restored 2 bindings; 0 expired meanwhile, 0 refused' "$LAB_DIR/lmad.log" &&
	grep -q 'restored 4 flows, 0 refused' "$LAB_DIR/lmad.log"; }
check "2: lmad restored both bindings and the four flows (three UDP, one TCP)" restored
check "2: the same bindings (ids, MAGs, prefixes), active" test "$(bindings_now)" = "$before"
for s in 7301 7302 7303; do
	check "2: flow $s is received again after the restart" wait_until 5 arrived "$s" $((PPS * 2))
done
sleep 1 # the measurement window: a second of traffic after the restart, for the figures
# shellcheck disable=SC2046 # the five words of the figures
set -- $(outage 7301 "$t_kill" "$t_start" "$t_ready")
echo "   flow 7301 (A1, if1): gap ${3} ms, ${4} lost, back ${5} ms after lmad's return"
check "2: the CN reaches A1 within a second of lmad's return (${5} ms)" \
	"$PY" -c "import sys; sys.exit(0 if float('$5') < 1000 else 1)"
check "2: flow 7301 arrives on if1 as before" test "$1 $2" = "$IF1 $IF1"
# shellcheck disable=SC2046 # the five words of the figures
set -- $(outage 7303 "$t_kill" "$t_start" "$t_ready")
echo "   flow 7303 (A2, remarked to if1): gap ${3} ms, ${4} lost, back ${5} ms after lmad's return"
check "2: the CN reaches A2 within a second of lmad's return (${5} ms)" \
	"$PY" -c "import sys; sys.exit(0 if float('$5') < 1000 else 1)"
check "2: flow 7303 arrives on if1 as before, the kernel's mark kept" test "$1 $2" = "$IF1 $IF1"
check "2: the LMA's flow table has it on MAG1, as the kernel had it" test "$(flow_field 7303 mag)" = "$(lab_mag_addr 1)"
# shellcheck disable=SC2046 # the five words of the figures
set -- $(outage 7302 "$t_kill" "$t_start" "$t_ready")
echo "   flow 7302 (A1 moved to if2): gap ${3} ms, ${4} lost, back ${5} ms after lmad's return"
check "2: flow 7302, moved by hand, still arrives on if2 (its connection's mark kept)" \
	test "$1 $2" = "$IF2 $IF2"
check "2: the LMA's flow table has it on MAG2" test "$(flow_field 7302 mag)" = "$MAG2"
check "2: the connection unknown to lmad, marked for MAG1, is learnt from conntrack" \
	test "$(flow_field 5040 mag)" = "$(lab_mag_addr 1)"
ct_mark() { lab_x lma conntrack -L -f ipv6 -p udp --orig-port-src "$1" 2>/dev/null | grep -o 'mark=[0-9]*'; }
check "2: it keeps its mark ($(ct_mark 5040))" test "$(ct_mark 5040)" = "mark=$mark1"
check "2: the one marked for no tunnel of ours loses its mark ($(ct_mark 5041))" test "$(ct_mark 5041)" = "mark=0"
check "2: the TCP transfer across the restart completes with its data intact" \
	wait_until 30 transfer_intact 7400
check "2: no MAG sent a PBU meanwhile" test "$(pbus_sent)" = "$pbu0"
check "2: the LMA got none" test "$(stat_of "$LAB_DIR/lma.sock" "['rx']['binding-update']")" = 0

# --- 3. the MAGs' next PBUs ---

# The next PBU MAG1 sends for the session (its de-registration, by pmipctl, then the MN's
# registration again) carries the next sequence number and a newer timestamp: the LMA, which
# kept the last accepted ones, accepts both.
lab_ctl -j show stats >"$LAB_DIR/lma.stats0"
lab_magctl 1 deregister "$(lab_mn_id 1)" >/dev/null
lab_x mn1 "$PROBE" rs if1 >/dev/null
mag1_registered() { lab_magctl 1 -j show bindings | grep -q '"state":"registered"'; }
check "3: MAG1 registers the MN again after its de-registration" wait_until 10 mag1_registered
lab_ctl -j show stats >"$LAB_DIR/lma.stats1"
check "3: the LMA accepted both PBUs and refused none" "$PY" -c "
import json, sys
a, b = (json.load(open(sys.argv[i]))['pba'] for i in (1, 2))
new = {k: b[k] - a.get(k, 0) for k in b if b[k] != a.get(k, 0)}
print('   PBAs sent:', new)
sys.exit(0 if new == {'0': 2} else 1)" "$LAB_DIR/lma.stats0" "$LAB_DIR/lma.stats1"
check "3: both bindings active" wait_until 5 sh -c \
	"test \"\$($PMIPCTL -s $LAB_DIR/lma.sock show bindings | grep -c ' active ')\" -eq 2"

# --- 4. a clean stop and a start ---

before=$(bindings_now | "$PY" -c "import ast, sys; print(sorted((m, p, s, x) for m, i, p, s, x in ast.literal_eval(sys.stdin.read())))")
pbu0=$(pbus_sent)
lab_stop_pid "$LAB_LMAD_PID" TERM
check "4: lmad exits on SIGTERM" lab_gone "$LAB_LMAD_PID"
t_start=$(date +%s%N)
lab_start_lmad
t_ready=$(date +%s%N)
after=$(bindings_now | "$PY" -c "import ast, sys; print(sorted((m, p, s, x) for m, i, p, s, x in ast.literal_eval(sys.stdin.read())))")
check "4: the bindings come back after a clean stop" test "$after" = "$before"
n0=$(grep -c "^7303 " "$LAB_DIR/dn.rx")
check "4: the CN reaches A2 again" wait_until 2 arrived 7303 $((n0 + PPS / 2))
n0=$(grep -c "^7301 " "$LAB_DIR/dn.rx")
check "4: and A1" wait_until 2 arrived 7301 $((n0 + PPS / 2))
check "4: no MAG sent a PBU meanwhile" test "$(pbus_sent)" = "$pbu0"

for f in "$LAB_DIR"/*.log; do
	[ "$FAILED" -eq 0 ] || { echo "---- $f"; tail -n 30 "$f"; }
done
finish
