#!/usr/bin/python3
"""bench_report.py: the figures of netns-lab/bench, from the records its probes left in DIR.

  bench_report.py DIR [--out OUT]

With --out, every sample behind a figure goes to OUT/bench.csv (section, figure, unit, sample
number, value: one row a sample) and each section's samples are drawn, one line a figure, in
OUT/SECTION.svg and OUT/SECTION.png by gnuplot (when it is installed; said otherwise).

DIR is where the bench kept its records (netns-lab/bench --keep DIR), so a run can be read again.
It holds (all times CLOCK_REALTIME ns, shared by the namespaces; lab_probe.c says how each is
taken):
  params                       "PPS IF1_INDEX IF2_INDEX": the flows' rate, the MN's interfaces
  cap.mn1, cap.mag1, cap.mag2  captures: "t IFNAME in|out rs", "... ra ROUTER_LIFETIME VALID",
                               "... mh TYPE SEQ LIFETIME STATUS", "t IFNAME link up|down
                               carrier|nocarrier"
  rs.times                     when the probe sent each attachment's RS (one per run)
  up.rx, dn.rx                 datagrams received at the CN / the MN: "sport seq sent rx ifindex"
  moves                        flow_move's "att t_request t_reply status", one per move
  failover.runs                "sport t_before_lab_link_down", one per failover run
  restart.runs                 "sport t_kill t_start t_ready", one per lmad restart: before the
                               SIGKILL, before the new lmad starts, once it answers pmipctl
  crash.runs                   "sport t_before_the_kill", one per MAG crash run
  crash.params                 "HEARTBEAT_MS MISSES" of both daemons
  ra.lost                      the failover runs (by sport) whose RA after the carrier's return
                               never came (the MN was made to solicit)
  mag1.ra_errors               how many RA sends magd logged as failed
  ping                         ping MAG1 -> LMA
  *.send                       the senders' "sent=N errors=N late=N"
Prints the figures; a goal missed is said, never an exit status.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
from bisect import bisect_left

MS = 1e6


def stats(xs):
    """(median, min, p90, max) of xs; p90 by nearest rank."""
    s = sorted(xs)
    if not s:
        return None
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return med, s[0], s[min(n - 1, max(0, -(-9 * n // 10) - 1))], s[-1]


SAMPLES = []      # (section, figure, unit, [values]) of every row, for --out
SECTION = ["none"]


def row(label, xs, scale=MS, unit="ms"):
    SAMPLES.append((SECTION[0], label.strip(), unit, [x / scale for x in xs if x is not None]))
    st = stats([x / scale for x in xs if x is not None])
    if st is None:
        print("  %-58s %s" % (label, "no sample"))
        return None
    fmt = "%9.3f" if unit == "ms" else "%9.1f"
    print("  %-58s " % label + " ".join(fmt % v for v in st) + "   (%d)" % len(
        [x for x in xs if x is not None]))
    return st


def header(title, unit="ms"):
    SECTION[0] = title
    print()
    print("%-60s %9s %9s %9s %9s   (n)  %s" % (title, "median", "min", "p90", "max", unit))


def load_cap(path):
    """Events as (t, ifname, kind, fields...) tuples, sorted by time."""
    ev = []
    if not os.path.exists(path):
        return ev
    for line in open(path):
        w = line.split()
        if len(w) < 3:
            continue
        t, ifname = int(w[0]), w[1]
        if w[2] == "link":
            ev.append((t, ifname, "link", w[3], w[4]))
        elif len(w) >= 4:
            ev.append((t, ifname, w[3], w[2]) + tuple(w[4:]))
    ev.sort()
    return ev


class Cap:
    def __init__(self, path):
        self.ev = load_cap(path)
        self.t = [e[0] for e in self.ev]

    def first(self, after, pred):
        for e in self.ev[bisect_left(self.t, after):]:
            if pred(e):
                return e
        return None


def is_rs(ifname, direction):
    return lambda e: e[1] == ifname and e[2] == "rs" and e[3] == direction


def is_ra(ifname, direction):
    """An RA with a router lifetime and a prefix with a valid lifetime: not a withdrawal."""
    return lambda e: (e[1] == ifname and e[2] == "ra" and e[3] == direction
                      and int(e[4]) > 0 and int(e[5]) > 0)


def is_pbu(ifname, dereg):
    return lambda e: (e[1] == ifname and e[2] == "mh" and e[3] == "out" and e[4] == "5"
                      and (int(e[6]) == 0) == dereg)


def is_pba(ifname, seq):
    return lambda e: (e[1] == ifname and e[2] == "mh" and e[3] == "in" and e[4] == "6"
                      and e[5] == seq)


def is_link(ifname, up, carrier):
    return lambda e: (e[1] == ifname and e[2] == "link" and (e[3] == "up") == up
                      and (e[4] == "carrier") == carrier)


def t_of(e):
    return e[0] if e else None


def diff(a, b):
    return b - a if a is not None and b is not None else None


def load_rx(path):
    """Datagrams by source port: lists of (rx, seq, sent, ifindex) sorted by rx."""
    flows = {}
    if not os.path.exists(path):
        return flows
    for line in open(path):
        w = line.split()
        if len(w) == 5:
            flows.setdefault(int(w[0]), []).append((int(w[3]), int(w[1]), int(w[2]), int(w[4])))
    for v in flows.values():
        v.sort()
    return flows


def first_rx(recs, after, ifindex=None):
    i = bisect_left(recs, (after,))
    for r in recs[i:]:
        if ifindex is None or r[3] == ifindex:
            return r
    return None


def register(mag, after, access):
    """RS or carrier at MAG (time after) -> PBU -> PBA -> RA on the access link: the times."""
    pbu = mag.first(after, is_pbu("core", False))
    pba = mag.first(pbu[0], is_pba("core", pbu[5])) if pbu else None
    ra = mag.first(pba[0], is_ra(access, "out")) if pba else None
    return t_of(pbu), t_of(pba), t_of(ra)


def read_words(d, name):
    path = os.path.join(d, name)
    return open(path).read().split() if os.path.exists(path) else []


def goal(label, value, limit):
    if value is None:
        print("  goal: %s < %g ms: no figure" % (label, limit))
    elif value < limit:
        print("  goal: %s < %g ms: met (%.3f ms)" % (label, limit, value))
    else:
        print("  goal: %s < %g ms: MISSED by %.3f ms (%.3f ms, %.1f times the goal)"
              % (label, limit, value - limit, value, value / limit))


def sender_line(d, name):
    tot = {"sent": 0, "errors": 0, "late": 0}
    path = os.path.join(d, name)
    if not os.path.exists(path):
        return "no report"
    for line in open(path):
        for k, v in re.findall(r"(\w+)=(\d+)", line):
            if k in tot:
                tot[k] += int(v)
    return "sent %d, refused %d, more than one period late %d" % (
        tot["sent"], tot["errors"], tot["late"])


# --- the sections ---

def cold(mn, mag1, mag2):
    print()
    print("cold attachment (the first one, the MN's kernel solicits; once per run of the bench):")
    first_rs = {i: mn.first(0, is_rs(i, "out")) for i in ("if1", "if2")}
    order = sorted((e[0], i) for i, e in first_rs.items() if e)
    for ifname, mag, access in (("if1", mag1, "mn1"), ("if2", mag2, "mn1")):
        rs = first_rs[ifname]
        nth = "the MN's %s binding" % ("first" if order and order[0][1] == ifname else "second")
        ra = mn.first(rs[0], is_ra(ifname, "in")) if rs else None
        m_rs = mag.first(rs[0], is_rs(access, "in")) if rs else None
        pbu, pba, ra_out = register(mag, m_rs[0], access) if m_rs else (None, None, None)
        f = [diff(t_of(rs), t_of(ra)), diff(t_of(rs), pbu), diff(pbu, pba), diff(pba, ra_out)]
        print("  %s, %s: RS -> RA %s ms (RS -> PBU %s, PBU -> PBA %s, PBA -> RA sent %s)"
              % (ifname, nth, *("%.3f" % (x / MS) if x is not None else "-" for x in f)))


def attach(d, mn, mag1, up, name, title):
    header(title)
    rs_times = [int(x) for x in open(os.path.join(d, name)) if x.strip()]
    recs = sorted(r for v in up.values() for r in v)
    cols = {k: [] for k in ("ra", "up", "rs_pbu", "pbu_pba", "pba_ra", "ra_wire", "ra_up")}
    for t in rs_times:
        rs = mn.first(t - MS, is_rs("if1", "out"))
        if not rs:
            continue
        ra = mn.first(rs[0], is_ra("if1", "in"))
        first = first_rx(recs, rs[0])
        m_rs = mag1.first(rs[0] - MS, is_rs("mn1", "in"))
        pbu, pba, ra_out = register(mag1, m_rs[0], "mn1") if m_rs else (None, None, None)
        cols["ra"].append(diff(rs[0], t_of(ra)))
        cols["up"].append(diff(rs[0], first[0] if first else None))
        cols["rs_pbu"].append(diff(rs[0], pbu))
        cols["pbu_pba"].append(diff(pbu, pba))
        cols["pba_ra"].append(diff(pba, ra_out))
        cols["ra_wire"].append(diff(ra_out, t_of(ra)))
        cols["ra_up"].append(diff(t_of(ra), first[0] if first else None))
    ra = row("RS -> RA with the HNP, at the MN (if1)", cols["ra"])
    upf = row("RS -> first uplink datagram from pref1::if1 at the CN", cols["up"])
    print("  where it goes:")
    row("  RS leaves the MN -> PBU leaves MAG1 (MAG1's RS handling)", cols["rs_pbu"])
    pp = row("  PBU -> PBA on MAG1's core link (the LMA)", cols["pbu_pba"])
    row("  PBA -> RA leaves MAG1 (MAG1: routes, rule, tunnel, RA)", cols["pba_ra"])
    row("  RA leaves MAG1 -> RA at the MN", cols["ra_wire"])
    row("  RA at the MN -> first uplink at the CN", cols["ra_up"])
    return ra, upf, pp


def moves(d, dn, if1, if2, pps):
    header("2. flow move on an open control connection", "µs")
    recs = dn.get(7100, [])
    lat = {"7": [], "4": []}
    reply = []
    lines = [l.split() for l in open(os.path.join(d, "moves")) if l.strip()]
    for att, t0, t1, st in lines:
        t0, t1 = int(t0), int(t1)
        if st != "0":
            print("  move to att %s failed (%s)" % (att, st))
            continue
        first = first_rx(recs, t0, if2 if att == "7" else if1)
        lat[att].append(diff(t0, first[0] if first else None))
        reply.append(t1 - t0)
    allm = row("request -> first datagram on the new interface", lat["7"] + lat["4"], 1e3, "µs")
    row("  to if2 (att 7)", lat["7"], 1e3, "µs")
    row("  to if1 (att 4)", lat["4"], 1e3, "µs")
    row("request -> reply", reply, 1e3, "µs")
    oneway = [r[0] - r[2] for r in recs]
    ow = row("baseline: one-way CN -> MN latency of the flow's datagrams", oneway, 1e3, "µs")
    seqs = {r[1] for r in recs}
    lost = (max(seqs) - min(seqs) + 1 - len(seqs)) if seqs else 0
    print("  the flow: %d datagrams received, %d lost; sender: %s"
          % (len(recs), lost, sender_line(d, "move.send")))
    print("  resolution: one datagram every %.0f µs" % (1e6 / pps))
    if allm and ow:
        print("  ratios: move median / one-way median %.1f; move median / packet interval %.1f"
              % (allm[0] / ow[0], allm[0] / (1e6 / pps)))
    return allm


def failover(d, mn, mag1, dn, if1, if2, pps):
    header("3. failover: if1's carrier lost at MAG1")
    runs = [l.split() for l in open(os.path.join(d, "failover.runs")) if l.strip()]
    cols = {k: [] for k in ("first2", "gap", "lost", "det", "pbu_pba", "pba_2", "up_ra")}
    late1 = 0
    lost_ra = read_words(d, "ra.lost")
    for sport, tcmd in runs:
        recs = dn.get(int(sport), [])
        # the carrier's loss: the earliest sign of it, each a little late (the captures read
        # their link events when woken up; magd may read its own and send its PBU first)
        loss = mag1.first(int(tcmd), is_link("mn1", False, False))
        mn_loss = mn.first(int(tcmd), is_link("if1", True, False))
        pbu = mag1.first(int(tcmd), is_pbu("core", True))
        on1 = [r for r in recs if r[3] == if1]
        on2 = [r for r in recs if r[3] == if2]
        signs = [e[0] for e in (loss, mn_loss, pbu) if e]
        if not (signs and on1 and on2):
            print("  run with source port %s: incomplete records" % sport)
            continue
        t_loss, first2, last1 = min(signs), on2[0], on1[-1]
        late1 += sum(1 for r in on1 if r[0] > first2[0])
        seqs = {r[1] for r in recs}
        lost = max(seqs) - min(seqs) + 1 - len(seqs)
        pba = mag1.first(pbu[0], is_pba("core", pbu[5])) if pbu else None
        back = [e[0] for e in (mag1.first(t_loss, is_link("mn1", True, True)),
                                mag1.first(t_loss, is_pbu("core", False))) if e]
        up = min(back) if back else None
        ra = mn.first(up, is_ra("if1", "in")) if up else None
        cols["first2"].append(first2[0] - t_loss)
        cols["gap"].append(first2[0] - last1[0])
        cols["lost"].append(lost * 1e9 / pps)
        cols["det"].append(diff(t_loss, t_of(pbu)))
        cols["pbu_pba"].append(diff(t_of(pbu), t_of(pba)))
        cols["pba_2"].append(diff(t_of(pba), first2[0]))
        if sport not in lost_ra:
            cols["up_ra"].append(diff(up, t_of(ra)))
    f2 = row("carrier lost -> first datagram on if2", cols["first2"])
    gap = row("gap: last datagram on if1 -> first on if2", cols["gap"])
    lost = row("datagrams lost x packet interval", cols["lost"])
    print("  where it goes:")
    row("  carrier lost -> de-registration PBU leaves MAG1 (at most)", cols["det"])
    row("  de-registration PBU -> PBA on MAG1's core link (the LMA)", cols["pbu_pba"])
    row("  PBA -> first datagram on if2 (negative: before the PBA)", cols["pba_2"])
    print("  the carrier's return (attach-on-link-up):")
    row("  carrier back at MAG1 -> RA with the HNP at the MN", cols["up_ra"])
    print("  RA lost after the carrier's return (none within 2 s; the MN then solicited): %d of"
          " %d runs; magd's log: %s failed RA sends" % (len(lost_ra), len(runs),
                                                     " ".join(read_words(d, "mag1.ra_errors")) or "?"))
    print("  datagrams on if1 after the first on if2: %d; senders: %s"
          % (late1, sender_line(d, "failover.send")))
    if gap:
        print("  ratio: gap median / packet interval (%.0f µs) %.0f" % (1e6 / pps, gap[0] * 1e3 / (1e6 / pps)))
    return f2, gap, lost


def restart(d, dn, if1, pps):
    header("4. lmad restart: SIGKILL, start, bindings from the binding file")
    path = os.path.join(d, "restart.runs")
    runs = [l.split() for l in open(path) if l.strip()] if os.path.exists(path) else []
    cols = {k: [] for k in ("restart", "down", "gap", "over", "lost", "back", "other")}
    for sport, tk, ts, tr in runs:
        tk, ts, tr = int(tk), int(ts), int(tr)
        recs = dn.get(int(sport), [])
        before = [r for r in recs if r[0] < tk]
        after = [r for r in recs if r[0] >= tk]
        if not before or not after:
            print("  run with source port %s: incomplete records" % sport)
            continue
        # after a SIGKILL the kernel's routes outlive lmad: the flow stops only while the
        # new lmad's start has removed them and not yet restored them
        pairs = list(zip([before[-1]] + after, after))
        gap, end = max((b[0] - a[0], b) for a, b in pairs)
        seqs = {r[1] for r in recs if r[0] >= before[-1][0]}
        cols["restart"].append(tr - tk)
        cols["down"].append(tr - ts)
        cols["gap"].append(gap)
        cols["over"].append(gap - (tr - tk))
        cols["lost"].append((max(seqs) - min(seqs) + 1 - len(seqs)) * 1e9 / pps)
        cols["back"].append(end[0] - tr)
        cols["other"].append(sum(1 for r in after if r[3] != if1))
    rt = row("restart time: SIGKILL -> lmad answers pmipctl", cols["restart"])
    row("  of which the new lmad's start -> answering", cols["down"])
    gap = row("gap in the flow: the longest between two datagrams", cols["gap"])
    over = row("gap minus restart time (negative: within it)", cols["over"])
    row("datagrams lost x packet interval", cols["lost"])
    row("flow back -> lmad answering (negative: before)", cols["back"])
    print("  datagrams on if2 after the kill (the flow left its interface): %d; senders: %s"
          % (sum(cols["other"]), sender_line(d, "restart.send")))
    if gap and rt:
        print("  ratio: gap median / restart time median %.2f" % (gap[0] / rt[0]))
    return over
def last_hb_request(mag, before):
    """The last Heartbeat Request (MH type 13) from the LMA seen at the MAG before `before`: the
    LMA sends the one of the tick that declares the MAG unreachable just before it acts."""
    i = bisect_left(mag.t, before)
    for e in reversed(mag.ev[:i]):
        if e[2] == "mh" and e[1] == "core" and e[3] == "in" and e[4] == "13":
            return e[0]
    return None


def crash(d, dn, mag1, if1, if2, pps):
    """5. MAG crash: kill -> first on if2; the gap; lost; on if1 after the switch."""
    path = os.path.join(d, "crash.runs")
    if not os.path.exists(path):
        return None, None
    hb_ms, misses = (int(w) for w in read_words(d, "crash.params"))
    header("5. MAG crash: MAG1's magd killed, heartbeat %d ms x %d" % (hb_ms, misses))
    cols = {k: [] for k in ("first2", "gap", "lost", "act")}
    late1 = 0
    for sport, tkill in (l.split() for l in open(path) if l.strip()):
        recs = dn.get(int(sport), [])
        on2 = [r for r in recs if r[3] == if2 and r[0] >= int(tkill)]
        if not on2:
            print("  run with source port %s: no datagram on if2" % sport)
            continue
        on1 = [r for r in recs if r[3] == if1 and r[0] < on2[0][0]]
        late1 += sum(1 for r in recs if r[3] == if1 and r[0] > on2[0][0])
        seqs = {r[1] for r in recs}
        cols["first2"].append(on2[0][0] - int(tkill))
        cols["gap"].append(on2[0][0] - on1[-1][0] if on1 else None)
        cols["lost"].append(max(seqs) - min(seqs) + 1 - len(seqs))
        cols["act"].append(diff(last_hb_request(mag1, on2[0][0]), on2[0][0]))
    f2 = row("kill -> first datagram on if2", cols["first2"])
    gap = row("gap: last datagram on if1 -> first on if2", cols["gap"])
    row("datagrams lost", cols["lost"], scale=1, unit="n")
    row("  the LMA's failing heartbeat request at MAG1 -> first on if2", cols["act"])
    print("  (MAG1's kernel keeps forwarding after the kill: the flow stays on if1 until the LMA"
          " moves it)")
    print("  datagrams on if1 after the first on if2: %d; senders: %s"
          % (late1, sender_line(d, "crash.send")))
    print("  detection: between %d and %d ms after the kill (interval x (misses -/+ 1/2))"
          % (hb_ms * misses - hb_ms // 2, hb_ms * misses + hb_ms // 2))
    return f2, hb_ms * misses


def baselines(d, pbu_pba, ra, upf, single):
    print()
    print("baselines of the same run:")
    m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", open(os.path.join(d, "ping")).read())
    if m:
        print("  ping MAG1 -> LMA (100 echoes): rtt min %s, avg %s, max %s ms" % m.groups()[:3])
    if pbu_pba and ra:
        print("  PBU -> PBA median %.3f ms: %.0f %% of RS -> RA (%.3f ms)"
              % (pbu_pba[0], 100 * pbu_pba[0] / ra[0], ra[0]))
        if m:
            print("  PBU -> PBA median / ping avg: %.0f" % (pbu_pba[0] / float(m.group(2))))
    if single and single[2] and pbu_pba:
        print("  PBU -> PBA median with one binding %.3f ms, with two %.3f ms: flow steering's"
              " share of a two-binding attachment %.3f ms"
              % (single[2][0], pbu_pba[0], pbu_pba[0] - single[2][0]))
    print("  uplink sender during the attachments: %s" % sender_line(d, "up.send"))


def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48]


def write_csv(out):
    with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section", "figure", "unit", "sample", "value"])
        for section, label, unit, xs in SAMPLES:
            for i, x in enumerate(xs):
                w.writerow([section, label, unit, i + 1, "%.6f" % x])


def x_range(rows):
    """From 0 (or below it: a gap minus a restart time can be) to the largest sample."""
    xs = [x for r in rows for x in r[3]]
    lo, hi = min(0.0, min(xs)), max(0.0, max(xs))
    return lo, hi if hi > lo else lo + 1.0


def gnuplot_script(section, rows, base):
    """One line a figure: its samples as points, its median as a bar (gnuplot commands)."""
    unit = rows[0][2]
    cmds = ["set encoding utf8", "set title %s noenhanced" % gp_str(section), "set xlabel %s" % gp_str(unit),
            "set ytics (%s) noenhanced" % ", ".join("%s %d" % (gp_str(r[1][:60]), i)
                                                    for i, r in enumerate(rows)),
            "set yrange [-0.7:%f]" % (len(rows) - 0.3), "set grid xtics", "unset key",
            "set xrange [%f:%f]" % x_range(rows), "set offsets 0, graph 0.05, 0, 0",
            "set lmargin 62"]
    data = ["$d << EOD"] + ["%f %d" % (x, i) for i, r in enumerate(rows) for x in r[3]] + ["EOD"]
    meds = ["$m << EOD"] + ["%f %d" % (stats(r[3])[0], i) for i, r in enumerate(rows)] + ["EOD"]
    plot = ("plot $d using 1:($2 + (rand(0) - 0.5) * 0.3) with points pt 7 ps 0.5, "
            "$m using 1:2 with points pt 3 ps 3 lc rgb 'black'")
    out = []
    for term, ext in (("svg size 1100,%d dynamic" % (120 + 40 * len(rows)), "svg"),
                      ("pngcairo size 1100,%d" % (120 + 40 * len(rows)), "png")):
        out += ["set terminal " + term, "set output %s" % gp_str(base + "." + ext), plot]
    return "\n".join(data + meds + cmds + out) + "\n"


def gp_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_plots(out):
    if not shutil.which("gnuplot"):
        print("plots: gnuplot is not installed (apt-get install gnuplot-nox): CSV only")
        return
    by_section = {}
    for r in SAMPLES:
        if r[3]:
            by_section.setdefault((r[0], r[2]), []).append(r)
    for (section, unit), rows in by_section.items():
        base = os.path.join(out, slug(section) + ("-us" if unit != "ms" else ""))
        subprocess.run(["gnuplot"], input=gnuplot_script(section, rows, base), text=True,
                       check=True)
    print("plots: %d sections drawn in %s (*.svg, *.png)" % (len(by_section), out))


def main():
    args = sys.argv[1:]
    out = None
    if len(args) == 3 and args[1] == "--out":
        out = args[2]
    elif len(args) != 1:
        sys.exit("usage: bench_report.py DIR [--out OUT]")
    d = args[0]
    w = read_words(d, "params")
    pps, if1, if2 = float(w[0]), int(w[1]), int(w[2])
    mn, mag1, mag2 = Cap(os.path.join(d, "cap.mn1")), Cap(os.path.join(d, "cap.mag1")), \
        Cap(os.path.join(d, "cap.mag2"))
    dn, up = load_rx(os.path.join(d, "dn.rx")), load_rx(os.path.join(d, "up.rx"))
    cold(mn, mag1, mag2)
    ra, upf, pbu_pba = attach(d, mn, mag1, up, "rs.times",
                              "1. attachment after de-registration, RS sent on if1")
    single = attach(d, mn, mag1, up, "rs1.times",
                    "1b. the same with if2 de-registered (one binding)")
    mv = moves(d, dn, if1, if2, pps)
    f2, gap, _ = failover(d, mn, mag1, dn, if1, if2, pps)
    over = restart(d, dn, if1, pps)
    c2, detect = crash(d, dn, mag1, if1, if2, pps)
    baselines(d, pbu_pba, ra, upf, single)
    print()
    print("goals (medians):")
    goal("attachment, RS -> RA", ra and ra[0], 5)
    goal("attachment, RS -> first uplink datagram", upf and upf[0], 5)
    goal("flow move, request -> first datagram on the new interface", mv and mv[0] / 1e3, 1)
    goal("failover gap, last on if1 -> first on if2", gap and gap[0], 100)
    goal("failover, carrier lost -> first on if2", f2 and f2[0], 100)
    goal("lmad restart, gap in the flow minus the restart time", over and over[0], 100)
    if detect:
        goal("MAG crash, kill -> first on if2 (detection interval x misses = %d ms, + 100)" % detect,
             c2 and c2[0], detect + 100)
    if out:
        os.makedirs(out, exist_ok=True)
        write_csv(out)
        print()
        print("samples: %s (%d figures)" % (os.path.join(out, "bench.csv"), len(SAMPLES)))
        write_plots(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
