#!/bin/sh
# test_completion.sh: the bash completion of pmipctl (completion/pmipctl) offers, at each point
# of a command line, the words pmipctl -c gives: keywords after abbreviated ones, nothing where
# a value goes, the formats after -o. Run by make check, in the build tree.
set -u
srcdir=${srcdir:-.}
PATH=$(pwd)/pmipctl:$PATH # the pmipctl just built (make check runs in the build tree)
PASSED=0
FAILED=0

# offers "WORDS BEFORE THE CURSOR" "WORD AT THE CURSOR" EXPECTED: the completions, sorted, on
# one line.
offers() {
	# shellcheck disable=SC2086 # $1: the words before the cursor, one argument each
	got=$(bash -c '. "$1"; shift; COMP_WORDS=(pmipctl "$@"); COMP_CWORD=$(($# ))
		_pmipctl; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		sh "$srcdir/completion/pmipctl" $1 "$2")
	if [ "$got" = "$3" ]; then
		echo "PASS pmipctl $1 [$2]: $3"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL pmipctl $1 [$2]: got '$got', expected '$3'"
		FAILED=$((FAILED + 1))
	fi
}

offers "" "" "deregister flow help policy reload show "
offers "" "s" "show "
offers "sh" "" "bindings flows peers policies stats version "
offers "flow mo 1 to" "" "att binding mag "
offers "-s /tmp/x.sock flow mo 1 to" "b" "binding "
offers "policy add proto udp" "d" "dst dst-port "
offers "flow move" "" " "
offers "-o" "o" "openmetrics "
offers "" "-" "-V -c -h -j -o -p -s "
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
