#!/bin/sh
# run.sh: replays every input in tests/fuzz/regress through the libFuzzer target, then fuzzes the
# Mobility Header decoder for a bounded time from the golden vectors. Fails on any finding and
# copies the crashing input next to the regression inputs, to be named and committed.
# usage: run.sh FUZZER SEED_WRITER SECONDS
set -eu
fuzzer=$1
seed_writer=$2
seconds=$3
regress=$(cd "$(dirname "$0")" && pwd)/regress
work=$(mktemp -d /tmp/pmip-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus" "$work/artifacts"

replayed=0
for f in "$regress"/*; do
	[ -f "$f" ] || continue
	if ! "$fuzzer" "$f" >"$work/replay.log" 2>&1; then
		cat "$work/replay.log"
		echo "fuzz: regression input $f crashes the decoder"
		exit 1
	fi
	replayed=$((replayed + 1))
done
echo "fuzz: replayed $replayed regression inputs"

"$seed_writer" "$work/corpus"
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
	-dict="$(dirname "$regress")/mh.dict" -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" \
	>"$work/fuzz.log" 2>&1 || status=$?
grep -E '^(stat::|#[0-9]+ +DONE)' "$work/fuzz.log" || true
found=$(ls "$work/artifacts")
if [ "$status" -ne 0 ] || [ -n "$found" ]; then
	tail -n 60 "$work/fuzz.log"
	for a in $found; do
		cp "$work/artifacts/$a" "$regress/FIXME--$a"
		echo "fuzz: finding saved as tests/fuzz/regress/FIXME--$a: fix the bug, rename it EXPECTED--why"
	done
	exit 1
fi
echo "fuzz: no finding in $seconds s"
