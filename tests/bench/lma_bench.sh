#!/bin/sh
# lma_bench.sh: the lmad performance benchmark (doc/benchmarks.md). As root:
#
#   tests/bench/lma_bench.sh BUILD_DIR [--million]
#
# Two namespaces joined by a veth: "lma" runs lmad (tunnel driver $DRIVER, default auto: the one
# this kernel gives; a /32 pool of /64 prefixes,
# any MN, 16 MAG addresses authorized), "load" runs tests/bench/lma_load, which plays the 16 MAGs
# and registers N distinct MNs with a window of PBUs in flight. For each N in 1000 10000 100000
# (and 1000000 with --million) a fresh lmad is started; the figures are: registrations/s (a PBA
# leaves lmad only once the kernel acknowledged the MN's prefix route, so kernel routes are
# included), PBU->PBA latency percentiles, lmad's resident memory growth per binding (VmRSS),
# the routes lmad installed (must be N), and how long lmad's exit takes to remove them.
#
# In the same run, the BASELINE of kernel route insertion: in a fresh namespace, the kernel side
# alone (tests/common/kr_tool, the same driver) makes one tunnel and inserts N /64 routes through
# its one nexthop the way lmad writes them (many requests per sendmsg, acknowledgements read in
# bulk; "ip -batch" waits for each answer and is no baseline), then closes, which removes them
# with the tunnel. lmad's rate is printed as a ratio of it. Finally the generator's own ceiling: the same load against a trivial
# reflector (lma_load -R) in lmad's place.
#
# Figures are printed, never judged: the exit status is non-zero only when something broke
# (routes missing or left behind, a PBA with a non-zero status, a lost PBA, lmad dying).
# Every N is run REPEAT times (each with its own baseline and a fresh lmad; 10^6 once); the
# table shows medians. lmad (and the baseline's ip) run on the first CPU, the generator on the
# last, so that the scheduler never puts them on one CPU (PIN=0 leaves placement to it).
# Tunables (environment): MAGS (16), WINDOW (512), TIMEOUT_MS (5000), REPEAT (5), PIN (1),
# SIZES ("1000 10000 100000"), LMAD_WRAP (a command lmad runs under, e.g. a profiler: see
# doc/benchmarks.md, "Profiling lmad").
# shellcheck source-path=SCRIPTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh"

usage() {
	echo "usage: $0 BUILD_DIR [--million]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
BUILD=$(cd "$1" && pwd)
shift
SIZES=${SIZES:-"1000 10000 100000"}
while [ $# -gt 0 ]; do
	case $1 in
	--million) SIZES="$SIZES 1000000" ;;
	*) usage ;;
	esac
	shift
done

LMAD=$BUILD/lmad
PMIPCTL=$BUILD/pmipctl/pmipctl
LOAD=$BUILD/tests/bench/lma_load
KR_TOOL=$BUILD/tests/common/kr_tool
DRIVER=${DRIVER:-auto}
for b in "$LMAD" "$PMIPCTL" "$LOAD" "$KR_TOOL"; do
	[ -x "$b" ] || {
		echo "lma_bench: $b missing: build it first (make lmad pmipctl/pmipctl tests/bench/lma_load tests/common/kr_tool)" >&2
		exit 2
	}
done
[ "$(id -u)" -eq 0 ] || {
	echo "lma_bench: needs root (network namespaces)" >&2
	exit 2
}

MAGS=${MAGS:-16}
WINDOW=${WINDOW:-512}
TIMEOUT_MS=${TIMEOUT_MS:-5000}
REPEAT=${REPEAT:-5}
PIN=${PIN:-1}
LMA=fd00:b:e::1
LOADER=fd00:b:e::2
MAG0=fd00:b:e::100 # MAG k is fd00:b:e::100 + k
PROTO=157          # KR_RTPROT
ON_LMA_CPU=""      # command prefixes pinning to a CPU
ON_LOAD_CPU=""
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	ON_LMA_CPU="taskset -c 0"
	ON_LOAD_CPU="taskset -c $(($(nproc) - 1))"
fi

tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
BROKEN=0

# broke WHAT: something that must not happen; the run goes on, the exit status will tell.
broke() {
	echo "BROKEN: $*" >&2
	BROKEN=1
}

now_ns() { date +%s%N; }

# calc EXPR: floating-point arithmetic by awk.
calc() { awk "BEGIN { printf \"%s\", $1 }"; }

# kv KEY FILE: the value of KEY in the key=value line FILE holds.
kv() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n 1; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# cpu_ticks PID: user and system time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# stat_value GROUP NAME: one counter of "pmipctl show stats".
stat_value() {
	"$PMIPCTL" -s "$tmp/lmad.sock" show stats |
		awk -v g="$1" -v n="$2" '/^[^ ]/ { grp = $1 == g; next } grp && $1 == n { print $2; exit }'
}

mag_addr() { printf 'fd00:b:e::%x' $((0x100 + $1)); }

setup() {
	ns_add lma load
	link lma l0 load g0
	nsx lma ip addr add $LMA/64 dev l0 nodad
	nsx load ip addr add $LOADER/64 dev g0 nodad
	k=0
	while [ $k -lt "$MAGS" ]; do
		nsx load ip addr add "$(mag_addr $k)/64" dev g0 nodad
		k=$((k + 1))
	done
	{
		echo "lma-address $LMA"
		echo "uplink-interface l0"
		echo "tunnel-driver $DRIVER"
		echo "prefix-pool 2001:db8::/32 length 64"
		echo "max-lifetime 3600s"
		echo "control-socket $tmp/lmad.sock"
		echo "mn any"
		k=0
		while [ $k -lt "$MAGS" ]; do
			echo "mag $(mag_addr $k)"
			k=$((k + 1))
		done
	} >"$tmp/lmad.conf"
	"$LMAD" -n -f "$tmp/lmad.conf" 2>"$tmp/conf.err" || {
		cat "$tmp/conf.err" >&2
		exit 2
	}
	# neighbours resolved before the clock starts
	nsx load ping -c 1 -W 2 $LMA >/dev/null 2>&1 || true
}

# baseline N: routes/s of the kernel side alone (kr_tool, driver $DRIVER) adding N /64 routes
# through one tunnel's nexthop in a fresh namespace (the prefixes lmad's pool hands out), and
# routes/s of removing the tunnel, which removes them with it (as lmad's exit does). Sets
# BASE_ADD, BASE_DEL, BASE_DRV.
baseline() {
	size=$1
	b=base$size
	ns_add "$b"
	nsx "$b" ip link add b0 type veth peer name b1
	nsx "$b" ip link set b0 up
	nsx "$b" ip link set b1 up
	nsx "$b" ip addr add fd00:b:f::1/64 dev b0 nodad
	# shellcheck disable=SC2086 # the prefix is words or nothing
	printf 'tunnel-add fd00:b:f::2\nbench %s 1 2001:db8::\ntunnel-del 1\nclose\n' "$size" |
		nsx "$b" $ON_LMA_CPU "$KR_TOOL" -d "$DRIVER" fd00:b:f::1 b0 1000 100 >"$tmp/base.out" 2>&1 ||
		broke "baseline: kr_tool failed: $(tail -n 2 "$tmp/base.out")"
	got=$(sed -n 's/^ok bench [0-9]* routes in [0-9.]* s: \([0-9]*\) routes\/s, refused 0, .*/\1/p' "$tmp/base.out")
	del_s=$(sed -n 's/^ok tunnel-del 1 in \([0-9.]*\) s$/\1/p' "$tmp/base.out")
	[ -n "$got" ] && [ -n "$del_s" ] ||
		broke "baseline: $(grep -E '^(error|ok bench|ok tunnel-del)' "$tmp/base.out" | head -n 3)"
	BASE_DRV=$(sed -n 's/^ok open //p' "$tmp/base.out")
	BASE_ADD=${got:-1}
	BASE_DEL=$(calc "$size / ${del_s:-1}")
	ip netns del "$(ns "$b")"
}

lmad_start() {
	: >"$tmp/lmad.log"
	# shellcheck disable=SC2086
	# shellcheck disable=SC2086 # LMAD_WRAP is words: a profiler's command line
	bg lma $ON_LMA_CPU ${LMAD_WRAP:-} "$LMAD" -d -f "$tmp/lmad.conf" 2>"$tmp/lmad.log"
	LMAD_PID=$LAST_PID
	if ! wait_until 20 "$PMIPCTL" -s "$tmp/lmad.sock" show stats; then
		cat "$tmp/lmad.log" >&2
		echo "lma_bench: lmad did not answer on its control socket" >&2
		exit 2
	fi
}

# lmad_stop: SIGTERM, and how long lmad takes to remove its routes and exit (STOP_S).
lmad_stop() {
	t0=$(now_ns)
	kill -TERM "$LMAD_PID" 2>/dev/null || true
	status=0
	wait "$LMAD_PID" || status=$?
	t1=$(now_ns)
	[ "$status" -eq 0 ] || broke "lmad exited with status $status"
	STOP_S=$(calc "($t1 - $t0) / 1e9")
	rm -f "$tmp/lmad.sock"
}

# run N R: one fresh lmad, N registrations (repetition R). Appends a row to $tmp/rows:
# N reg/s p50 p90 p99 max RSS/binding routes baseline-add/s exit-s exit-routes/s baseline-del/s
# cache-bytes/binding generator-cpu-s wall-s lmad-cpu-s
run() {
	size=$1
	baseline "$size"
	lmad_start
	rss0=$(rss_kb "$LMAD_PID")
	cpu0=$(cpu_ticks "$LMAD_PID")
	out=$tmp/load-$size.out
	load_status=0
	# shellcheck disable=SC2086
	nsx load $ON_LOAD_CPU "$LOAD" -n "$size" -m "$MAGS" -w "$WINDOW" -t "$TIMEOUT_MS" -s $MAG0 $LMA \
		>"$out" || load_status=$?
	kill -0 "$LMAD_PID" 2>/dev/null || broke "N=$size: lmad died during the run"
	rss1=$(rss_kb "$LMAD_PID")
	cpu1=$(cpu_ticks "$LMAD_PID")
	cache=$(stat_value bindings memory_bytes)
	kfail=$(stat_value kernel failures)
	routes=$(nsx lma ip -6 route show proto $PROTO | wc -l)
	lmad_stop
	left=$(nsx lma ip -6 route show proto $PROTO | wc -l)
	echo "run $2/$reps: $(cat "$out")"
	[ "$load_status" -le 1 ] || broke "N=$size: lma_load failed (status $load_status)"
	[ "$(kv accepted "$out")" = "$size" ] || broke "N=$size: $(kv accepted "$out") registrations accepted of $size"
	[ "$(kv nonzero "$out")" = 0 ] || broke "N=$size: $(kv nonzero "$out") PBAs with a non-zero status"
	[ "$(kv lost "$out")" = 0 ] || broke "N=$size: $(kv lost "$out") PBAs lost"
	[ "$(kv unmatched "$out")" = 0 ] || broke "N=$size: $(kv unmatched "$out") PBAs matched no PBU"
	[ "$(kv mnid_mismatch "$out")" = 0 ] || broke "N=$size: PBAs echoed the wrong MN-ID"
	[ "$routes" -eq "$size" ] || broke "N=$size: lmad installed $routes routes, not $size"
	[ "$left" -eq 0 ] || broke "N=$size: $left routes left after lmad exited"
	[ "${kfail:-0}" -eq 0 ] || broke "N=$size: the kernel refused $kfail requests"
	if grep -qiE 'refused|failed|failure|error|cannot' "$tmp/lmad.log"; then
		broke "N=$size: lmad logged: $(grep -iE 'refused|failed|failure|error|cannot' "$tmp/lmad.log" | head -n 3)"
	fi
	echo "$size $(kv reg_per_s "$out") $(kv p50_us "$out") $(kv p90_us "$out") $(kv p99_us "$out") \
$(kv max_us "$out") $(calc "($rss1 - $rss0) * 1024 / $size") $routes $BASE_ADD $STOP_S \
$(calc "$size / $STOP_S") $BASE_DEL $(calc "${cache:-0} / $size") $(kv cpu_s "$out") \
$(kv wall_s "$out") $(calc "($cpu1 - $cpu0) / $HZ")" >>"$tmp/rows"
}

# reflector N: the generator against lma_load -R in lmad's place, best of three: its ceiling.
reflector() {
	size=$1
	# shellcheck disable=SC2086
	bg lma $ON_LMA_CPU "$LOAD" -R $LMA
	rpid=$LAST_PID
	sleep 0.2 # the reflector opens one socket; nothing to poll for
	best=0
	for try in 1 2 3; do
		out=$tmp/reflect-$try.out
		st=0
		# shellcheck disable=SC2086
		nsx load $ON_LOAD_CPU "$LOAD" -n "$size" -m "$MAGS" -w "$WINDOW" -t "$TIMEOUT_MS" \
			-s $MAG0 $LMA >"$out" || st=$?
		[ "$st" -eq 0 ] || broke "reflector run: lma_load status $st: $(cat "$out")"
		rate=$(kv reg_per_s "$out")
		if [ "${rate:-0}" -gt "$best" ]; then
			best=$rate
			REFLECT="$rate PBU/s, p50 $(kv p50_us "$out") us, p99 $(kv p99_us "$out") us; generator CPU $(kv cpu_s "$out") s over $(kv wall_s "$out") s"
		fi
	done
	kill -TERM "$rpid"
	wait "$rpid" || true
}

# Kernel messages about allocation failures (seg6 state allocates per-CPU memory).
alloc_failures() { dmesg 2>/dev/null | grep -iE 'percpu.*fail|allocation fail|page allocation' || true; }

# medians: one line per N (in the order run) with the median of every column over the runs.
medians() {
	awk '{
		if (!($1 in runs)) order[++sizes] = $1
		r = ++runs[$1]
		for (c = 2; c <= NF; c++) v[$1, c, r] = $c
		ncol = NF
	}
	END {
		for (s = 1; s <= sizes; s++) {
			key = order[s]
			line = key
			for (c = 2; c <= ncol; c++) {
				k = runs[key]
				for (i = 1; i <= k; i++) a[i] = v[key, c, i]
				for (i = 2; i <= k; i++)
					for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
						t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
					}
				m = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
				line = line " " m
			}
			print line
		}
	}' "$tmp/rows"
}

echo "lmad benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r)"
echo "MAGs $MAGS, window $WINDOW PBUs, per-PBU timeout $TIMEOUT_MS ms, sizes: $SIZES, $REPEAT runs each"
echo "CPUs: lmad ${ON_LMA_CPU:-unpinned}, generator ${ON_LOAD_CPU:-unpinned}"
alloc_failures >"$tmp/dmesg0"
setup
: >"$tmp/rows"
for size in $SIZES; do
	reps=$REPEAT
	[ "$size" -lt 1000000 ] || reps=1 # a million takes a minute: once
	r=1
	while [ $r -le "$reps" ]; do
		run "$size" $r
		r=$((r + 1))
	done
done
reflector 100000
alloc_failures >"$tmp/dmesg1"
medians >"$tmp/med"

echo
echo "Medians over $REPEAT runs (10^6: one). reg/s: registrations/s, each with its /64 route acknowledged by the"
echo "kernel before the PBA leaves (so also lmad's kernel routes/s); ratio = reg/s / baseline routes/s"
echo "(the kernel side alone, driver ${BASE_DRV:-?}: N /64 routes through one tunnel's nexthop, batched as lmad"
echo "does, fresh namespace)."
echo
awk 'BEGIN {
	printf "%-8s | %8s | %7s | %7s | %19s | %7s | %17s | %5s\n", "N", "reg/s", "p50 us",
		"p99 us", "RSS/binding (bytes)", "routes", "baseline routes/s", "ratio"
	print "---------+----------+---------+---------+---------------------+---------+-------------------+------"
}
{
	printf "%-8s | %8.0f | %7.0f | %7.0f | %19.0f | %7d | %17.0f | %5.2f\n", $1, $2, $3, $5, $7,
		$8, $9, $2 / $9
}' "$tmp/med"
echo
awk '{
	printf "N=%-7s p90 %.0f us, max %.0f us; lmad exit (removes its %d routes) %.2f s = %.0f routes/s, baseline removal %.0f routes/s;\n",
		$1, $4, $6, $8, $10, $11, $12
	printf "          lmad CPU %.2f s = %.1f us/registration, busy %.0f%% of the %.2f s; generator CPU %.2f s; binding cache (lmad'"'"'s own count) %.0f bytes/binding\n",
		$16, $16 * 1e6 / $1, ($15 > 0 ? 100 * $16 / $15 : 0), $15, $14, $13
}' "$tmp/med"
awk '!($1 in lo) { order[++k] = $1; lo[$1] = hi[$1] = $2 }
	$2 < lo[$1] { lo[$1] = $2 }
	$2 > hi[$1] { hi[$1] = $2 }
	END {
		printf "reg/s over the runs (min..max):"
		for (i = 1; i <= k; i++) printf " N=%s %.0f..%.0f;", order[i], lo[order[i]], hi[order[i]]
		print ""
	}' "$tmp/rows"
echo "generator ceiling (trivial reflector in lmad's place, N=100000, best of 3): $REFLECT"
if cmp -s "$tmp/dmesg0" "$tmp/dmesg1"; then
	echo "dmesg: no new allocation failure"
else
	echo "dmesg: new allocation failures during the run:"
	diff "$tmp/dmesg0" "$tmp/dmesg1" | sed -n 's/^> /  /p' | tail -n 5
fi

echo
awk '
$1 == 1000 { p99_small = $5 }
$1 == 100000 { big = 1; rate = $2; p99_big = $5; rss = $7 }
END {
	if (!big || !p99_small) {
		print "goals: not judged (they need N = 1000 and N = 100000 in the run)"
		exit
	}
	printf "goal: >= 50000 registrations/s at 10^5 bindings: %.0f/s (%.2f x the goal): %s\n",
		rate, rate / 50000, (rate >= 50000 ? "met" : "MISSED")
	ratio = p99_big / p99_small
	printf "goal: p99(10^5) <= 2 x p99(10^3): %.0f us / %.0f us = %.2f: %s\n", p99_big, p99_small,
		ratio, (ratio <= 2 ? "met" : "MISSED")
	printf "goal: <= 1024 bytes of daemon memory per binding at 10^5: %.0f bytes: %s\n", rss,
		(rss <= 1024 ? "met" : "MISSED")
}' "$tmp/med"

if [ "$BROKEN" -ne 0 ]; then
	echo "something broke (see the BROKEN lines): exit status 1"
	exit 1
fi
