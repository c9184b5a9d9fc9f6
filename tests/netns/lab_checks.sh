# lab_checks.sh: what the lab's end-to-end tests (test_lab_*.sh) ask of the daemons and the
# MAGs' kernels, sourced after netns-lab/lab.sh and tests/netns/lib.sh.
# shellcheck shell=sh

# binding_field MAG FIELD: a field of the LMA's binding through MAG (empty when there is none).
binding_field() {
	lab_ctl -j show bindings 2>/dev/null | "$PY" -c "
import json, sys
for mn in json.load(sys.stdin):
    for b in mn['bindings']:
        if b['peer'] == '$1':
            v = b['$2']
            print(' '.join(v) if isinstance(v, list) else v)"
}

binding_state_is() { test "$(binding_field "$1" state)" = "$2"; }

# prefix64 ADDRESS: its /64.
prefix64() { "$PY" -c "import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + '/64', False))" "$1"; }

# mag_routes I: MAG I's routes of ours (protocol 157), the decapsulation route aside.
mag_routes() { lab_x "mag$1" ip -6 route show proto 157; }

# stat_of SOCKET PATH: a counter of the daemon at SOCKET, PATH a Python subscript of the
# JSON of "show stats" ("['bindings']['held']").
stat_of() { "$PMIPCTL" -s "$1" -j show stats | "$PY" -c "import json, sys; print(json.load(sys.stdin)$2)"; }
