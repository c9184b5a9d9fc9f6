# lab.sh: the testbed of draft-bernardos-mif-pmip-02 §5.1 (Figure 4) in network namespaces,
# sourced by netns-lab/up, netns-lab/demo, netns-lab/bench and the end-to-end tests. It is also
# meant to be read: each function is one deployment step (addresses, configuration files, daemon
# start) done the way an operator would do it on real gateways.
#
#   cn --cn0/cn-- lma (lmad) --br0--core-- mag1 (magd, WLAN) --mn1/if1--+
#                                \---core-- mag2 (magd, 3G)   --mn1/if2--+ mn1 (plain Linux host)
#
# Settings (environment, read by lab_create):
#   LAB_BUILD     build tree holding lmad, magd and pmipctl/pmipctl (required)
#   LAB_MAGS      number of MAGs, 1..8 (2); MAG i has access technology word i of LAB_ATTS
#   LAB_MNS       number of mobile nodes, 1..20 (1); every MN has one interface on every MAG
#   LAB_ATTS      access technology types of the MAGs in order ("4 7 8 3 5 6 9 10": WLAN, UTRAN,
#                 E-UTRAN, 802.3, ...)
#   LAB_DRIVER    tunnel driver of every daemon: auto (default: the daemons probe the kernel),
#                 ebpf, ip6tnl or seg6; LAB_LMA_DRIVER and LAB_MAG_DRIVER override it for lmad
#                 or for every magd (an ebpf LMA with ip6tnl MAGs, say)
#   LAB_LIFETIME  binding lifetime the MAGs ask for (magd's default when empty; give a
#                 refresh-before in LAB_MAG_EXTRA with a short one)
#   LAB_MN_IGNORE_LINKDOWN  1 (default): the MNs ignore routes through an interface without
#                 carrier and drop its default route when it goes, as a connection manager
#                 would (see lab_access, lab_link_down); 0: the bare kernel's behaviour
#   LAB_CN_MTU    MTU of the CN's link (1400: room for the outer header, whatever the driver)
#   LAB_MAG_CORE_MTU  MTU of the MAGs' ends of the core links (default: the LMA's, 1500): a
#                 narrower path between LMA and MAG than the LMA's uplink (tunnel-mtu)
#   LAB_SHAPE     the character of each MAG's access links, words "I:key=value,...": delay=MS
#                 and loss=PERCENT (each way), rate=RATE (tc's syntax, each way); e.g. WLAN
#                 against 3G: "1:delay=5,rate=50mbit 2:delay=60,rate=4mbit,loss=0.5". This kernel
#                 has no netem: rates are tbf, delays and losses tests/bench/lab_shape (NFQUEUE).
#                 core-delay=MS delays MAG I's core link instead (each way): the LMA-MAG path,
#                 tunnel and heartbeats, that lab_core_delay changes while the lab runs
#   LAB_PCAP      1: a capture of every link (tcpdump, one end of each) in $LAB_DIR/pcap, for
#                 Wireshark; the lab's directory is then kept
#   LAB_LMA_EXTRA extra lmad.conf lines (policies, timers)
#   LAB_MAG_EXTRA extra magd.conf lines, for every MAG
#   LAB_WRAP      a command every daemon is started under, as words (e.g. "setpriv --reuid=..."
#                 for tests/netns/test_privilege.sh); empty by default
#
# Names: namespaces are "$LAB_PREFIX-cn", "-lma", "-mag1".., "-mn1".. (LAB_PREFIX is unique per
# run); lab_ns NAME gives the full name, lab_x NAME CMD runs CMD there. On MN j the interface
# toward MAG i is "if<i>" with MAC 02:00:00:00:<j>:<i>; on MAG i the one toward MN j is "mn<j>".
# Addresses: LMA 2001:db8:ffff::100 on br0, MAG i 2001:db8:ffff::<i> on "core", CN 2001:db8:c::2
# behind the LMA's "cn" (2001:db8:c::1); the MNs' prefixes are /64s of 2001:db8:100::/48.
# Everything the lab made (namespaces, processes it started, its temporary directory) goes in
# lab_destroy, which lab_create registers on EXIT.

LAB_MAGS=${LAB_MAGS:-2}
LAB_MNS=${LAB_MNS:-1}
LAB_ATTS=${LAB_ATTS:-4 7 8 3 5 6 9 10}
LAB_DRIVER=${LAB_DRIVER:-auto}
LAB_LMA_DRIVER=${LAB_LMA_DRIVER:-$LAB_DRIVER}
LAB_MAG_DRIVER=${LAB_MAG_DRIVER:-$LAB_DRIVER}
LAB_LIFETIME=${LAB_LIFETIME:-}
LAB_MN_IGNORE_LINKDOWN=${LAB_MN_IGNORE_LINKDOWN:-1}
LAB_CN_MTU=${LAB_CN_MTU:-1400}
LAB_MAG_CORE_MTU=${LAB_MAG_CORE_MTU:-}
LAB_SHAPE=${LAB_SHAPE:-}
LAB_PCAP=${LAB_PCAP:-0}
LAB_SHAPE_QUEUE=17 # the NFQUEUE of lab_shape in a MAG's namespace
LAB_LMA_EXTRA=${LAB_LMA_EXTRA:-}
LAB_MAG_EXTRA=${LAB_MAG_EXTRA:-}
LAB_WRAP=${LAB_WRAP:-}
LAB_PY=/usr/bin/python3 # Debian's, with python3-scapy; not a pyenv shim
LAB_LMA=2001:db8:ffff::100
LAB_CN=2001:db8:c::2
LAB_POOL=2001:db8:100::/48
LAB_NAMESPACES=""
LAB_PIDS=""

lab_ns() { echo "$LAB_PREFIX-$1"; }

# lab_x NAME CMD...: runs CMD in the namespace NAME.
lab_x() {
	_n=$1
	shift
	ip netns exec "$(lab_ns "$_n")" "$@"
}

# lab_mag_addr I: MAG I's Proxy-CoA.
lab_mag_addr() { echo "2001:db8:ffff::$1"; }

# lab_att I: MAG I's access technology type.
lab_att() { echo "$LAB_ATTS" | awk -v i="$1" '{ print (i <= NF) ? $i : 3 }'; }

# lab_mac J I: MN J's MAC on its interface toward MAG I.
lab_mac() { printf '02:00:00:00:%02x:%02x\n' "$1" "$2"; }

# lab_mn_id J: MN J's identifier (NAI).
lab_mn_id() { echo "mn$1@lab.example"; }

# lab_die MSG [LOG]: says what failed, with the end of the daemon's log when there is one (the
# EXIT trap removes the lab's directory unless LAB_KEEP_DIR=1).
lab_die() {
	echo "lab: $1" >&2
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "lab: the end of $2:" >&2
		tail -n 20 "$2" | sed 's/^/    /' >&2
	fi
	exit 1
}

# --- topology ---

lab_add_ns() {
	for _n in "$@"; do
		ip netns add "$(lab_ns "$_n")" || lab_die "cannot create namespace $(lab_ns "$_n")"
		LAB_NAMESPACES="$LAB_NAMESPACES $(lab_ns "$_n")"
		lab_x "$_n" ip link set lo up
	done
}

# lab_veth A IFA B IFB: a veth pair between namespaces A and B.
lab_veth() {
	ip link add "$2" netns "$(lab_ns "$1")" type veth peer name "$4" netns "$(lab_ns "$3")"
}

# br0 gets an address of its own: a bridge without one takes its lowest port's MAC, so a port
# added later (the end-to-end test's rogue MAG) could change it under the MAGs' neighbour caches,
# and their PBUs would go to the old MAC until neighbour discovery re-probed, seconds later.
lab_core() {
	lab_x lma ip link add br0 address 02:00:00:00:ff:00 type bridge
	lab_x lma ip link set br0 up
	lab_x lma ip addr add "$LAB_LMA/64" dev br0 nodad
	lab_x lma sysctl -qw net.ipv6.conf.all.forwarding=1
	for _i in $(seq "$LAB_MAGS"); do
		lab_veth "mag$_i" core lma "m$_i"
		lab_x lma ip link set "m$_i" master br0 up
		[ -z "$LAB_MAG_CORE_MTU" ] || lab_x "mag$_i" ip link set core mtu "$LAB_MAG_CORE_MTU"
		lab_x "mag$_i" ip link set core up
		lab_x "mag$_i" ip addr add "$(lab_mag_addr "$_i")/64" dev core nodad
		lab_x "mag$_i" sysctl -qw net.ipv6.conf.all.forwarding=1
	done
}

# The CN's link. The tunnel adds 40 octets on the LMA's side; seg6 sends no Packet Too Big back
# (ebpf and ip6tnl do), so by default the CN's link gets MTU 1400: full-size packets still fit.
lab_cn_link() {
	lab_veth cn cn0 lma cn
	lab_x cn ip link set cn0 mtu "$LAB_CN_MTU" up
	lab_x lma ip link set cn mtu "$LAB_CN_MTU" up
	lab_x cn ip addr add "$LAB_CN/64" dev cn0 nodad
	lab_x lma ip addr add 2001:db8:c::1/64 dev cn nodad
	lab_x cn ip route add default via 2001:db8:c::1
}

# Access links: MN J's interface toward MAG I, left down until lab_attach (an MN's interface
# coming up is the attachment). The MN is a plain host: SLAAC, weak host model (Linux default),
# with one setting: routes through an interface without carrier are ignored
# (ignore_routes_with_linkdown, LAB_MN_IGNORE_LINKDOWN=1). Without it a Linux host whose WLAN
# dropped keeps sending through the dead interface's default route, so the uplink of a connection
# (a TCP transfer's ACKs) is lost even though the network delivers its downlink on the other
# interface; NetworkManager and similar managers get the same effect by removing the routes.
lab_access() {
	for _j in $(seq "$LAB_MNS"); do
		for _s in all default; do
			lab_x "mn$_j" sysctl -qw \
				"net.ipv6.conf.$_s.ignore_routes_with_linkdown=$LAB_MN_IGNORE_LINKDOWN"
		done
		for _i in $(seq "$LAB_MAGS"); do
			lab_veth "mag$_i" "mn$_j" "mn$_j" "if$_i"
			lab_x "mn$_j" ip link set "if$_i" address "$(lab_mac "$_j" "$_i")"
			# per interface: it was made before it moved in, "default" did not apply
			lab_x "mn$_j" sysctl -qw \
				"net.ipv6.conf.if$_i.ignore_routes_with_linkdown=$LAB_MN_IGNORE_LINKDOWN"
			lab_x "mag$_i" ip link set "mn$_j" up
		done
	done
}

# --- link character and captures (researcher's tools, not deployment steps) ---

# lab_shape_of I KEY: the value of KEY in MAG I's word of LAB_SHAPE, empty when not given.
lab_shape_of() {
	for _w in $LAB_SHAPE; do
		[ "${_w%%:*}" = "$1" ] || continue
		echo "${_w#*:}" | tr ',' '\n' | sed -n "s/^$2=//p" | head -n 1
	done
}

lab_queue_bound() {
	lab_x "$1" awk -v q="$LAB_SHAPE_QUEUE" '$1 == q { f = 1 } END { exit !f }' \
		/proc/net/netfilter/nfnetlink_queue
}

# lab_shape_mag I: MAG I's access links get LAB_SHAPE's rate (a tbf at each end), delay and
# loss (both directions through lab_shape at the MAG, started first, so that nothing passes
# unshaped).
lab_shape_mag() {
	_rate=$(lab_shape_of "$1" rate)
	_delay=$(lab_shape_of "$1" delay)
	_loss=$(lab_shape_of "$1" loss)
	for _j in $(seq "$LAB_MNS"); do
		[ -z "$_rate" ] || {
			lab_x "mag$1" tc qdisc add dev "mn$_j" root tbf rate "$_rate" burst 32kb latency 200ms
			lab_x "mn$_j" tc qdisc add dev "if$1" root tbf rate "$_rate" burst 32kb latency 200ms
		} || lab_die "tbf rate $_rate on MAG $1's access links refused"
	done
	[ -n "$_delay$_loss" ] || return 0
	lab_shape_tool
	lab_bg "mag$1" "$LAB_DIR/shape$1.log" "$LAB_BUILD/tests/bench/lab_shape" \
		-q "$LAB_SHAPE_QUEUE" -d "${_delay:-0}" -l "${_loss:-0}"
	lab_wait 10 lab_queue_bound "mag$1" || lab_die "lab_shape did not start" "$LAB_DIR/shape$1.log"
	for _j in $(seq "$LAB_MNS"); do
		lab_x "mag$1" ip6tables -t mangle -A POSTROUTING -o "mn$_j" -j NFQUEUE \
			--queue-num "$LAB_SHAPE_QUEUE"
		lab_x "mag$1" ip6tables -t mangle -A PREROUTING -i "mn$_j" -j NFQUEUE \
			--queue-num "$LAB_SHAPE_QUEUE"
	done
}

# lab_core_delay I MS: MAG I's core link (to the LMA: the tunnel and the heartbeats) delays every
# packet by MS each way from now on: a new lab_shape on a queue of its own, the rules moved to it
# in one replacement each, then the previous one stopped (what it still held is lost). MS 0:
# undelayed.
lab_core_delay() {
	_q=$(eval echo "\${LAB_CORE_Q_$1:-}")
	_pid=$(eval echo "\${LAB_CORE_PID_$1:-}")
	_nq=$((LAB_SHAPE_QUEUE + 1 + $1 * 2 + (${_q:-0} % 2 == 0)))
	lab_shape_tool
	lab_bg "mag$1" "$LAB_DIR/core$1.log" "$LAB_BUILD/tests/bench/lab_shape" -q "$_nq" -d "$2"
	eval "LAB_CORE_PID_$1=$LAB_LAST_PID LAB_CORE_Q_$1=$_nq"
	_sq=$LAB_SHAPE_QUEUE
	LAB_SHAPE_QUEUE=$_nq
	lab_wait 10 lab_queue_bound "mag$1" || lab_die "lab_shape did not start" "$LAB_DIR/core$1.log"
	LAB_SHAPE_QUEUE=$_sq
	if [ -z "$_q" ]; then
		lab_x "mag$1" ip6tables -t mangle -I POSTROUTING 1 -o core -j NFQUEUE --queue-num "$_nq"
		lab_x "mag$1" ip6tables -t mangle -I PREROUTING 1 -i core -j NFQUEUE --queue-num "$_nq"
	else
		lab_x "mag$1" ip6tables -t mangle -R POSTROUTING 1 -o core -j NFQUEUE --queue-num "$_nq"
		lab_x "mag$1" ip6tables -t mangle -R PREROUTING 1 -i core -j NFQUEUE --queue-num "$_nq"
		lab_stop_pid "$_pid" TERM
	fi
}

lab_shape_tool() {
	[ -x "$LAB_BUILD/tests/bench/lab_shape" ] ||
		make -C "$LAB_BUILD" tests/bench/lab_shape >/dev/null 2>&1 ||
		lab_die "cannot build tests/bench/lab_shape"
}

lab_shape_links() {
	for _i in $(seq "$LAB_MAGS"); do
		[ -z "$(lab_shape_of "$_i" rate)$(lab_shape_of "$_i" delay)$(lab_shape_of "$_i" loss)" ] ||
			lab_shape_mag "$_i"
		_cd=$(lab_shape_of "$_i" core-delay)
		[ -z "$_cd" ] || lab_core_delay "$_i" "$_cd"
	done
}

# lab_pcap NAME IF: a capture of IF in namespace NAME, in $LAB_DIR/pcap/NAME-IF.pcap, written
# as packets come (-U), started before the lab's first packet.
lab_pcap() {
	lab_bg "$1" "$LAB_DIR/pcap/$1-$2.log" tcpdump -i "$2" -U -n -s 0 \
		-w "$LAB_DIR/pcap/$1-$2.pcap"
	lab_wait 10 grep -q "listening on" "$LAB_DIR/pcap/$1-$2.log" ||
		lab_die "tcpdump did not start on $1 $2" "$LAB_DIR/pcap/$1-$2.log"
}

# Every link once: the CN's, each MAG's core link and each access link (at the MAG).
lab_pcap_links() {
	[ "$LAB_PCAP" = 1 ] || return 0
	command -v tcpdump >/dev/null || lab_die "LAB_PCAP=1 needs tcpdump"
	mkdir -p "$LAB_DIR/pcap"
	LAB_KEEP_DIR=1
	lab_pcap cn cn0
	for _i in $(seq "$LAB_MAGS"); do
		lab_pcap "mag$_i" core
		for _j in $(seq "$LAB_MNS"); do
			lab_pcap "mag$_i" "mn$_j"
		done
	done
	echo "lab: captures of every link in $LAB_DIR/pcap (kept after the lab)"
}

# --- configuration files: what an operator writes ---

lab_lmad_conf() {
	cat <<EOF
# lmad.conf written by netns-lab/lab.sh
lma-address $LAB_LMA
uplink-interface br0
tunnel-driver $LAB_LMA_DRIVER
prefix-pool $LAB_POOL length 64
lease-file $LAB_DIR/lmad.leases
control-socket $LAB_DIR/lma.sock
mn any
EOF
	for _i in $(seq "$LAB_MAGS"); do
		echo "mag $(lab_mag_addr "$_i")"
	done
	[ -z "$LAB_LMA_EXTRA" ] || printf '%s\n' "$LAB_LMA_EXTRA"
}

# lab_magd_conf I
lab_magd_conf() {
	cat <<EOF
# magd.conf of MAG $1, written by netns-lab/lab.sh
lma-address $LAB_LMA
proxy-coa $(lab_mag_addr "$1")
uplink-interface core
tunnel-driver $LAB_MAG_DRIVER
control-socket $LAB_DIR/mag$1.sock
state-file $LAB_DIR/mag$1.state
EOF
	[ -z "$LAB_LIFETIME" ] || echo "lifetime $LAB_LIFETIME"
	for _j in $(seq "$LAB_MNS"); do
		echo "access-interface mn$_j { access-technology $(lab_att "$1") attach-on-link-up yes }"
	done
	for _j in $(seq "$LAB_MNS"); do
		printf 'mn %s {' "$(lab_mn_id "$_j")"
		for _k in $(seq "$LAB_MAGS"); do
			printf ' mac %s' "$(lab_mac "$_j" "$_k")"
		done
		echo ' multihoming yes }'
	done
	[ -z "$LAB_MAG_EXTRA" ] || printf '%s\n' "$LAB_MAG_EXTRA"
}

# lab_check_conf DAEMON FILE: DAEMON -n accepts FILE, or the lab stops with its complaint.
lab_check_conf() {
	_out=$("$LAB_BUILD/$1" -n -f "$2" 2>&1) || lab_die "$1 refuses $2: $_out"
}

lab_configure() {
	lab_lmad_conf >"$LAB_DIR/lmad.conf"
	lab_check_conf lmad "$LAB_DIR/lmad.conf"
	for _i in $(seq "$LAB_MAGS"); do
		lab_magd_conf "$_i" >"$LAB_DIR/mag$_i.conf"
		lab_check_conf magd "$LAB_DIR/mag$_i.conf"
	done
}

# --- daemons ---

# lab_bg NAME LOG CMD...: CMD in namespace NAME, in the background, output to LOG; its PID in
# LAB_LAST_PID (remembered for lab_destroy).
lab_bg() {
	_n=$1
	_log=$2
	shift 2
	ip netns exec "$(lab_ns "$_n")" "$@" >>"$_log" 2>&1 &
	LAB_LAST_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_LAST_PID"
}

# lab_wait SECONDS CMD...: polls CMD every 20 ms until it succeeds; fails after SECONDS.
lab_wait() {
	_limit=$1
	shift
	_end=$(($(date +%s%N) + _limit * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$_end" ] || return 1
		sleep 0.02
	done
}

lab_ctl() { "$LAB_BUILD/pmipctl/pmipctl" -s "$LAB_DIR/lma.sock" "$@"; }

# lab_magctl I ARGS...: pmipctl against MAG I.
lab_magctl() {
	_i=$1
	shift
	"$LAB_BUILD/pmipctl/pmipctl" -s "$LAB_DIR/mag$_i.sock" "$@"
}

lab_start_lmad() {
	# shellcheck disable=SC2086 # LAB_WRAP is words
	lab_bg lma "$LAB_DIR/lmad.log" $LAB_WRAP "$LAB_BUILD/lmad" -d -f "$LAB_DIR/lmad.conf"
	LAB_LMAD_PID=$LAB_LAST_PID
	lab_wait 10 lab_ctl show stats || lab_die "lmad did not start" "$LAB_DIR/lmad.log"
}

# lab_start_magd I: the PID in LAB_MAGD_PID_<I>.
lab_start_magd() {
	# shellcheck disable=SC2086 # LAB_WRAP is words
	lab_bg "mag$1" "$LAB_DIR/mag$1.log" $LAB_WRAP "$LAB_BUILD/magd" -d -f "$LAB_DIR/mag$1.conf"
	eval "LAB_MAGD_PID_$1=$LAB_LAST_PID"
	lab_wait 10 lab_magctl "$1" show stats ||
		lab_die "magd $1 did not start" "$LAB_DIR/mag$1.log"
}

lab_start() {
	lab_start_lmad
	for _i in $(seq "$LAB_MAGS"); do
		lab_start_magd "$_i"
	done
}

# lab_stop_pid PID SIGNAL: sends SIGNAL and waits (bounded) for the exit.
lab_stop_pid() {
	kill "-$2" "$1" 2>/dev/null || return 0
	lab_wait 10 lab_gone "$1"
	wait "$1" 2>/dev/null || true
}

lab_gone() { ! kill -0 "$1" 2>/dev/null; }

# --- the mobile node ---

# lab_attach J I: MN J's interface toward MAG I comes up; the kernel solicits a router.
lab_attach() { lab_x "mn$1" ip link set "if$2" up; }

# lab_link_down I J / lab_link_up I J: the link between MAG I and MN J loses / regains its
# carrier, taken down at the MAG's end as when a radio link drops: the MN's interface stays up
# with NO-CARRIER and keeps its addresses (see doc/lab.md). With LAB_MN_IGNORE_LINKDOWN=1 the MN
# also does what a connection manager does when a link goes: it drops that interface's default
# route. That is what moves an established connection's uplink (a TCP receiver's ACKs): the
# kernel keeps a connection's cached route through a dead interface until some route changes,
# ignore_routes_with_linkdown or not. The RA that follows the return re-creates the route.
lab_link_down() {
	lab_x "mag$1" ip link set "mn$2" down
	[ "$LAB_MN_IGNORE_LINKDOWN" != 1 ] ||
		lab_x "mn$2" ip -6 route del default dev "if$1" 2>/dev/null || true
}
lab_link_up() { lab_x "mag$1" ip link set "mn$2" up; }

# lab_mn_addr J I: MN J's global (SLAAC) address on if<I>, empty while it has none.
lab_mn_addr() {
	lab_x "mn$1" ip -6 addr show dev "if$2" scope global 2>/dev/null |
		awk '$1 == "inet6" && !/tentative/ { sub("/.*", "", $2); print $2; exit }'
}

lab_has_addr() { [ -n "$(lab_mn_addr "$1" "$2")" ]; }

# lab_mn_attached J: MN J has a global address on every interface.
lab_mn_attached() {
	for _i in $(seq "$LAB_MAGS"); do
		lab_has_addr "$1" "$_i" || return 1
	done
}

# lab_rx J I: packets received so far by MN J's if<I>.
lab_rx() { lab_x "mn$1" cat "/sys/class/net/if$2/statistics/rx_packets"; }

# lab_flow_field PORT FIELD: a field of the LMA's flow toward destination port PORT (of MN 1);
# lab_flow_on PORT MAG: whether that flow goes through MAG.
lab_flow_field() {
	lab_ctl -j show flows "$(lab_mn_id 1)" | "$LAB_PY" -c "
import json, sys
print([f['$2'] for f in json.load(sys.stdin) if f['dport'] == $1 and f['proto'] != 'icmpv6'][0])"
}
lab_flow_on() { test "$(lab_flow_field "$1" mag 2>/dev/null)" = "$2"; }

# lab_binding_active MAG: whether the LMA has an active binding through MAG.
lab_binding_active() {
	lab_ctl -j show bindings | "$LAB_PY" -c "
import json, sys
sys.exit(0 if any(b['peer'] == '$1' and b['state'] == 'active'
                  for m in json.load(sys.stdin) for b in m['bindings']) else 1)"
}

# --- life cycle ---

# lab_build TOP: installs what is missing and builds TOP in TOP/build/lab, unless LAB_BUILD is
# set already; sets LAB_BUILD.
lab_build() {
	[ -z "${LAB_BUILD:-}" ] || return 0
	echo "lab: installing what is missing and building in build/lab (a minute or two)"
	"$1/scripts/install-deps" >/dev/null
	(cd "$1" && autoreconf -fi >/dev/null 2>&1) || (cd "$1" && autoreconf -fi) || exit 1
	mkdir -p "$1/build/lab"
	(cd "$1/build/lab" && "$1/configure" CFLAGS="-O2 -g" >configure.out &&
		make -j"$(nproc)" >make.out 2>&1) || {
		tail -n 30 "$1"/build/lab/*.out
		exit 1
	}
	LAB_BUILD=$1/build/lab
}

lab_destroy() {
	# the MAGs first: each exits once the LMA acknowledged its de-registrations, at once while
	# lmad is there to answer (magd(8), SIGTERM)
	for _i in $(seq "$LAB_MAGS"); do
		eval "_p=\${LAB_MAGD_PID_$_i:-}"
		[ -z "$_p" ] || kill "$_p" 2>/dev/null || true
	done
	for _i in $(seq "$LAB_MAGS"); do
		eval "_p=\${LAB_MAGD_PID_$_i:-}"
		[ -z "$_p" ] || wait "$_p" 2>/dev/null || true
	done
	for _p in $LAB_PIDS; do
		kill "$_p" 2>/dev/null || true
	done
	for _p in $LAB_PIDS; do
		wait "$_p" 2>/dev/null || true
	done
	for _n in $LAB_NAMESPACES; do
		ip netns del "$_n" 2>/dev/null || true
	done
	[ -z "${LAB_DIR:-}" ] || [ "${LAB_KEEP_DIR:-0}" = 1 ] || rm -rf "$LAB_DIR"
}

# lab_create: namespaces, links and configuration files; nothing runs yet. Registers
# lab_destroy on EXIT (a caller with its own EXIT trap calls lab_destroy from it).
lab_create() {
	[ "$(id -u)" -eq 0 ] || lab_die "needs root (network namespaces)"
	: "${LAB_BUILD:?set LAB_BUILD to a build tree}"
	for _b in lmad magd pmipctl/pmipctl; do
		[ -x "$LAB_BUILD/$_b" ] || lab_die "$LAB_BUILD/$_b is missing: build first"
	done
	[ "$LAB_MAGS" -ge 1 ] && [ "$LAB_MAGS" -le 8 ] || lab_die "LAB_MAGS must be 1..8"
	[ "$LAB_MNS" -ge 1 ] && [ "$LAB_MNS" -le 20 ] || lab_die "LAB_MNS must be 1..20"
	LAB_PREFIX=${LAB_PREFIX:-pmiplab$$x$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')}
	LAB_DIR=${LAB_DIR:-$(mktemp -d /tmp/pmip-lab.XXXXXX)}
	trap lab_destroy EXIT
	trap 'exit 130' INT TERM
	lab_add_ns cn lma
	for _i in $(seq "$LAB_MAGS"); do
		lab_add_ns "mag$_i"
	done
	for _j in $(seq "$LAB_MNS"); do
		lab_add_ns "mn$_j"
	done
	lab_core
	lab_cn_link
	lab_access
	lab_shape_links
	lab_pcap_links
	lab_configure
}
