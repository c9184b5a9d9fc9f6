#!/bin/sh
# test_install.sh: "make install DESTDIR=..." from the build tree BUILD lays out what an
# operator needs (README.md, "Install and run on real gateways"): lmad and magd in sbin,
# pmipctl in bin, the five manual pages, the two example configurations, the systemd units
# with the configured paths, the sysusers.d entry and the state directory; the units pass
# "systemd-analyze verify" (when it is there) without a word; the examples are
# accepted by "-n" but for their control group; "make uninstall" leaves no file behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../netns/lib.sh
. "$here/../netns/lib.sh" # pass, fail, check, finish (no namespace is made)
: "${BUILD:?set BUILD to a configured build tree}"
BUILD=$(cd "$BUILD" && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

# var NAME: a directory variable as the build's Makefile has it, expanded.
var() { make -s -C "$BUILD" --no-print-directory -f Makefile -f - print-var V="$1" <<'EOF'; }
print-var:
	@echo $($(V))
EOF

if make -C "$BUILD" install DESTDIR="$dest" >"$dest.out" 2>&1; then
	pass "make install DESTDIR=..."
else
	fail "make install DESTDIR=..." "$(tail -n 5 "$dest.out")"
fi
rm -f "$dest.out"
sbindir=$(var sbindir)
bindir=$(var bindir)
mandir=$(var mandir)
docdir=$(var docdir)
sysconfdir=$(var sysconfdir)
unitdir=$(var systemdsystemunitdir)
sysusersdir=$(var sysusersdir)
statedir=$(var localstatedir)/lib/pmip6

for f in "$sbindir/lmad" "$sbindir/magd" "$bindir/pmipctl"; do
	check "executable: $f" test -x "$dest$f"
done
for f in man8/lmad.8 man8/magd.8 man8/pmipctl.8 man5/lmad.conf.5 man5/magd.conf.5; do
	check "manual page: $mandir/$f" test -s "$dest$mandir/$f"
done
for f in lmad.conf magd.conf; do
	check "example: $docdir/examples/$f" test -s "$dest$docdir/examples/$f"
done
for u in lmad.service magd.service magd@.service; do
	check "unit: $unitdir/$u" test -s "$dest$unitdir/$u"
	check "$u runs $sbindir's daemon" grep -qE "^ExecStart=$sbindir/(lmad|magd) -d -f $sysconfdir/pmip6/" \
		"$dest$unitdir/$u"
	check "$u reloads through $bindir/pmipctl -p" \
		grep -qE "^ExecReload=$bindir/pmipctl -p [$]MAINPID reload$" "$dest$unitdir/$u"
	check "$u has no @variable@ left" sh -c "! grep -q '@[a-z]*@' '$dest$unitdir/$u'"
done
check "sysusers.d: $sysusersdir/pmip6.conf makes the user pmip6" \
	grep -q '^u pmip6 ' "$dest$sysusersdir/pmip6.conf"
check "state directory: $statedir" test -d "$dest$statedir"
check "configuration directory: $sysconfdir/pmip6" test -d "$dest$sysconfdir/pmip6"

# systemd-analyze wants the programs a unit runs to exist: it checks copies that run the
# installed ones (a template as an instance of it).
check "systemd-analyze is there (scripts/install-deps installs systemd)" \
	command -v systemd-analyze
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$dest/verify"
	for u in lmad.service magd.service magd@.service; do
		v=$dest/verify/$(echo "$u" | sed 's/@/@mag1/')
		sed -e "s|=$sbindir/|=$dest$sbindir/|" -e "s|=$bindir/|=$dest$bindir/|" \
			"$dest$unitdir/$u" >"$v"
		# unknown keys are only warned about: any word from it is a failure
		if out=$(systemd-analyze verify --man=no "$v" 2>&1) && [ -z "$out" ]; then
			pass "systemd-analyze verify $u"
		else
			fail "systemd-analyze verify $u" "$out"
		fi
	done
	rm -rf "$dest/verify"
fi

# The examples, with a group this machine has, are valid configurations.
for d in lmad magd; do
	sed 's/^control-group pmip6$/control-group root/' "$dest$docdir/examples/$d.conf" >"$dest/$d.conf"
	if out=$("$dest$sbindir/$d" -n -f "$dest/$d.conf" 2>&1); then
		pass "$d -n accepts the example"
	else
		fail "$d -n accepts the example" "$out"
	fi
done
rm -f "$dest/lmad.conf" "$dest/magd.conf"

make -C "$BUILD" uninstall DESTDIR="$dest" >/dev/null 2>&1
left=$(find "$dest" -type f | sed "s|^$dest||")
if [ -z "$left" ]; then
	pass "make uninstall removes every file"
else
	fail "make uninstall removes every file" "$left"
fi
finish
