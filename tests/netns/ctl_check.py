#!/usr/bin/python3
"""ctl_check.py: checks pmipctl's machine-readable output read on stdin.

  ctl_check.py json            a JSON document; an object with a key twice is an error (Python's
                               json keeps the last value silently: object_pairs_hook refuses)
  ctl_check.py openmetrics ROLE [SAMPLE...]
                               an OpenMetrics text exposition (OpenMetrics 1.0, "Text format"),
                               parsed by the Prometheus project's own strict parser
                               (python3-prometheus-client, prometheus_client.openmetrics.parser),
                               then the rules pmipctl(8) promises: every family named
                               pmip6_ROLE_..., a TYPE and a HELP line each, counters sampled as
                               NAME_total, the exposition ending with "# EOF"; each SAMPLE
                               (name{label="value"}) is present

Exit status 0 when the input passes, 1 with the reason on stderr otherwise.
"""
import json
import re
import sys


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise ValueError("duplicate key %r" % k)
    return dict(pairs)


def check_json(text):
    json.loads(text, object_pairs_hook=no_duplicates)


def sample_text(s):
    labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
    return "%s{%s}" % (s.name, labels) if labels else s.name


def check_openmetrics(text, role, wanted):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    if not text.endswith("# EOF\n"):
        raise ValueError("the exposition does not end with '# EOF'")
    families = list(text_string_to_metric_families(text))
    if not families:
        raise ValueError("no metric family")
    typed = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    helped = set(re.findall(r"^# HELP (\S+) ", text, re.M))
    seen = set()
    for f in families:
        if not f.name.startswith("pmip6_%s_" % role):
            raise ValueError("family %s is not pmip6_%s_..." % (f.name, role))
        if f.name not in typed or f.name not in helped:
            raise ValueError("family %s lacks its TYPE or HELP line" % f.name)
        if f.type not in ("counter", "gauge", "info"):
            raise ValueError("family %s has type %s" % (f.name, f.type))
        for s in f.samples:
            if f.type == "counter" and s.name != f.name + "_total":
                raise ValueError("counter sample %s is not %s_total" % (s.name, f.name))
            if s.value < 0:
                raise ValueError("sample %s is negative" % s.name)
            seen.add(sample_text(s))
    for w in wanted:
        if w not in seen:
            raise ValueError("no sample %s" % w)


def main():
    text = sys.stdin.read()
    try:
        if sys.argv[1] == "json":
            check_json(text)
        else:
            check_openmetrics(text, sys.argv[2], sys.argv[3:])
    except Exception as e:  # every failure is a failed check, with its reason
        print("ctl_check: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
