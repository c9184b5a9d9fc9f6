#!/bin/sh
# test_bench_report.sh: netns-lab/bench_report.py --out: the samples behind the lab benchmark's
# figures written as CSV (one row a sample, read back with Python's csv module) and drawn by
# gnuplot as SVG (well-formed XML) and PNG (the PNG signature), one plot a section, from
# samples given here. Ends with "N passed, N failed".
set -u
top=${srcdir:-$(dirname "$0")/../..}
out=$(mktemp -d /tmp/pmip-bench-report.XXXXXX)
trap '[ -n "${KEEP_PLOTS:-}" ] && cp "$out"/* "$KEEP_PLOTS"/; rm -rf "$out"' EXIT
/usr/bin/python3 -B - "$top/netns-lab" "$out" <<'PY'
import csv, os, sys
import xml.etree.ElementTree as ET

sys.path.insert(0, sys.argv[1])
import bench_report as br

out = sys.argv[2]
passed = failed = 0


def check(name, ok):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name)
    passed, failed = passed + ok, failed + (not ok)


br.header("1. attachment, RS sent on if1")
br.row("RS -> RA with the HNP", [1.5e6, 2.5e6, 2.0e6])
br.row('a "quoted" figure \\ with a backslash', [3e6])
br.row("no sample at all", [])
br.header("2. flow move", "µs")
br.row("request -> first datagram", [300e3, 500e3], 1e3, "µs")
br.write_csv(out)
rows = list(csv.DictReader(open(os.path.join(out, "bench.csv"))))
check("bench.csv: one row a sample (6)", len(rows) == 6)
check("bench.csv: section, figure, unit, sample, value",
      rows[0] == {"section": "1. attachment, RS sent on if1", "figure": "RS -> RA with the HNP",
                  "unit": "ms", "sample": "1", "value": "1.500000"})
check("bench.csv: the µs figure in µs",
      [r["value"] for r in rows if r["unit"] == "µs"] == ["300.000000", "500.000000"])
br.write_plots(out)
for base in ("1-attachment-rs-sent-on-if1", "2-flow-move-us"):
    svg = os.path.join(out, base + ".svg")
    png = os.path.join(out, base + ".png")
    try:
        root = ET.parse(svg).getroot()
        check(base + ".svg: well-formed SVG", root.tag.endswith("svg"))
    except (OSError, ET.ParseError) as e:
        check(base + ".svg: well-formed SVG (%s)" % e, False)
    try:
        check(base + ".png: a PNG", open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n")
    except OSError as e:
        check(base + ".png: a PNG (%s)" % e, False)
svg_text = open(os.path.join(out, "1-attachment-rs-sent-on-if1.svg")).read()
check("the plot names its figures", "RS -&gt; RA with the HNP" in svg_text or
      "RS -> RA with the HNP" in svg_text)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
