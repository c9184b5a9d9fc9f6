#!/bin/sh
# run.sh: replays a libFuzzer target's regression inputs, then fuzzes it for a bounded time from
# its seeds. Fails on any finding and copies the crashing input next to the regression inputs,
# to be named and committed.
# usage: run.sh FUZZER SEEDS SECONDS
#   FUZZER  a target built with --enable-fuzzing (build/fuzz/tests/fuzz/fuzz_NAME)
#   SEEDS   a directory of seed inputs (tests/fuzz/seeds/fuzz_NAME), or a program that writes
#           them into the directory it is given (fuzz_mh's write_seeds)
# Inputs: tests/fuzz/regress/ for fuzz_mh (named EXPECTED--why, see doc/testing.md), else
# tests/fuzz/regress/fuzz_NAME/; dictionary: tests/fuzz/fuzz_NAME.dict if there is one.
set -eu
fuzzer=$1
seeds=$2
seconds=$3
name=$(basename "$fuzzer")
here=$(cd "$(dirname "$0")" && pwd)
regress=$here/regress
[ "$name" = fuzz_mh ] || regress=$regress/$name
dict=
[ -f "$here/$name.dict" ] && dict=-dict=$here/$name.dict
work=$(mktemp -d /tmp/pmip-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus" "$work/artifacts"

replayed=0
for f in "$regress"/*; do
	[ -f "$f" ] || continue
	if ! "$fuzzer" "$f" >"$work/replay.log" 2>&1; then
		cat "$work/replay.log"
		echo "fuzz: $name: regression input $f fails"
		exit 1
	fi
	replayed=$((replayed + 1))
done
echo "fuzz: $name: replayed $replayed regression inputs"

if [ -d "$seeds" ]; then
	cp "$seeds"/* "$work/corpus/"
else
	"$seeds" "$work/corpus"
fi
status=0
# shellcheck disable=SC2086 # $dict is one word or none
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 $dict \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
	>"$work/fuzz.log" 2>&1 || status=$?
grep -E '^(stat::|#[0-9]+ +DONE)' "$work/fuzz.log" || true
found=$(ls "$work/artifacts")
if [ "$status" -ne 0 ] || [ -n "$found" ]; then
	tail -n 60 "$work/fuzz.log"
	mkdir -p "$regress"
	for a in $found; do
		cp "$work/artifacts/$a" "$regress/FIXME--$a"
		echo "fuzz: $name: finding saved as $regress/FIXME--$a: fix the bug, rename it"
	done
	exit 1
fi
echo "fuzz: $name: no finding in $seconds s"
