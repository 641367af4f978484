#!/usr/bin/env python3
"""Compares what node_exporter serves (lnlb's textfile) with `lnlbctl stats` read before and after.

    metrics_compare.py CLUSTER NODE_MAC BEFORE AFTER SCRAPED

BEFORE and AFTER are `lnlbctl stats CLUSTER` outputs taken around the scrape, and the textfile was
written after BEFORE was taken: each counter's scraped value must lie between its two readings (most
are equal). The stats name maps to its metric by README's rule, restated here independently of lnlb's
code: lnlb_ + the name with dots as underscores, + _total for counters; .ms gauges in seconds;
jvm.gc.count -> lnlb_jvm_gc_collections_total, jvm.gc.ms -> lnlb_jvm_gc_seconds_total;
decisions.protocol.N -> lnlb_decisions_total{protocol="N"}. jvm.* carry no labels. jvm.heap.used.bytes
moves both ways: only present and positive. Prints one line per mismatch, then "compared N equal E".
"""
import re
import sys


def stats(path):
    values = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 2 and not parts[0].endswith(":"):
            values[parts[0]] = int(parts[1].replace(",", ""))
    return values


def scraped(path):
    samples = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$", line.strip())
        if m:
            samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return samples


def metric(name, cluster, node):
    here = '{cluster="%s",node="%s"}' % (cluster, node)
    if name == "jvm.gc.count":
        return "lnlb_jvm_gc_collections_total", "", 1
    if name == "jvm.gc.ms":
        return "lnlb_jvm_gc_seconds_total", "", 1000
    if name.startswith("decisions.protocol."):
        return "lnlb_decisions_total", here[:-1] + ',protocol="%s"}' % name[len("decisions.protocol."):], 1
    labels = "" if name.startswith("jvm.") else here
    base = "lnlb_" + name.replace(".", "_")
    if name.endswith(".ms"):
        return base[:-3] + "_seconds", labels, 1000
    if name.endswith(".bytes"):
        return base, labels, 1
    return base + "_total", labels, 1


def main():
    cluster, node, before_path, after_path, scraped_path = sys.argv[1:6]
    before, after, samples = stats(before_path), stats(after_path), scraped(scraped_path)
    bad, equal = 0, 0
    for name, low in before.items():
        high = after.get(name, low)
        family, labels, divisor = metric(name, cluster, node)
        value = samples.get((family, labels))
        if value is None:
            print("missing %s%s (stats %s)" % (family, labels, name))
            bad += 1
            continue
        value *= divisor
        if name == "jvm.heap.used.bytes":
            ok = value > 0
        else:
            ok = min(low, high) - 1e-6 <= value <= max(low, high) + 1e-6
        if not ok:
            print("%s: stats %d..%d, node_exporter %s%s %s" % (name, low, high, family, labels, value / divisor))
            bad += 1
        elif value == low == high:
            equal += 1
    print("compared %d equal %d bad %d" % (len(before), equal, bad))
    sys.exit(1 if bad else 0)


main()
