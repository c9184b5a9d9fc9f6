# lib.sh: shared by the network-namespace tests (sourced, not run). Each test script creates its
# namespaces with a name prefix unique to the run, removes them (and ends only the processes it
# started, by PID) in an EXIT trap, polls for conditions with a bounded wait, and reports each
# check as "PASS name" / "FAIL name: why". Set BUILD to the build tree holding the binaries.

NS_PREFIX="pmipt$$x$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
NS_LIST=""
PID_LIST=""
PASSED=0
FAILED=0

# ns NAME: the namespace's full name for this run.
ns() { echo "${NS_PREFIX}-$1"; }

# ns_add NAME...: creates namespaces with loopback up.
ns_add() {
	for n in "$@"; do
		ip netns add "$(ns "$n")"
		NS_LIST="$NS_LIST $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
	done
}

# nsx NAME CMD...: runs a command inside a namespace.
nsx() {
	n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# link A IFA B IFB: a veth pair between two namespaces, both ends up.
link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
}

# bg NAME CMD...: starts a command in a namespace in the background and remembers its PID.
bg() {
	n=$1
	shift
	ip netns exec "$(ns "$n")" "$@" &
	PID_LIST="$PID_LIST $!"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	LAST_PID=$!
}

cleanup() {
	for p in $PID_LIST; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PID_LIST; do
		wait "$p" 2>/dev/null || true
	done
	for n in $NS_LIST; do
		ip netns del "$n" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_until SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
wait_until() {
	limit=$1
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

pass() {
	echo "PASS $1"
	PASSED=$((PASSED + 1))
}

fail() {
	echo "FAIL $1: $2"
	FAILED=$((FAILED + 1))
}

# check NAME CMD...: PASS if CMD succeeds, FAIL otherwise.
check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "'$*' failed"; fi
}

# out_has PATTERN CMD...: CMD's output matches the extended regular expression.
out_has() {
	pattern=$1
	shift
	"$@" 2>/dev/null | grep -qE -- "$pattern"
}

# out_lacks PATTERN CMD...: CMD succeeds and its output does not match.
out_lacks() {
	pattern=$1
	shift
	out=$("$@" 2>/dev/null) || return 1
	! printf '%s\n' "$out" | grep -qE -- "$pattern"
}

PY=/usr/bin/python3 # Debian's, with python3-scapy; not a pyenv shim

# jtest EXPR CMD...: CMD prints JSON; the Python expression EXPR on it (as j) is true.
JTEST='import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)'
jtest() {
	expr=$1
	shift
	"$@" 2>/dev/null | "$PY" -c "$JTEST" "$expr"
}

# jget EXPR CMD...: prints EXPR evaluated on CMD's JSON output.
JGET='import json, sys
j = json.load(sys.stdin)
print(eval(sys.argv[1]))'
jget() {
	expr=$1
	shift
	"$@" 2>/dev/null | "$PY" -c "$JGET" "$expr"
}

# finish: the closing line every test script ends with; exit status tells failure.
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
