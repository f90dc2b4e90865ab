#!/usr/bin/env python3
"""Where a boot's binder time goes, from the guests' logs (make bench).

Usage: phases.py LOG...  ->  JSON of medians over the logs, in ms:
  span      PT-BENCH-START to PT-BENCH-END (the kernel log's timestamps)
  exec      START to main(): fork, exec, dynamic linking (the "done" line's
            timestamp less the time the binder counted from main())
  config, scan, plan, modules, binds   the binder's own `time:` line (-v)
  kmod      of modules: libkmod's context and indexes
  exit      the "done" line to END: exit and the shell going on
A log without a mark gives no span; one without the binder's lines (the
script, the floor) only a span.
"""
import json
import re
import statistics
import sys

STAMP = r"\[\s*([0-9.]+)\]\s*"


def stamp(text, pattern):
    m = re.search(STAMP + pattern, text)
    return float(m.group(1)) if m else None


def phases(text):
    out = {}
    start, end = stamp(text, "PT-BENCH-START"), stamp(text, "PT-BENCH-END")
    if start is None or end is None:
        return out
    out["span"] = (end - start) * 1000
    done = re.search(STAMP + r"passthrough: (?:done|dry run): .*?, (\d+) us\)", text)
    if done:
        at = float(done.group(1))
        out["exec"] = (at - int(done.group(2)) / 1e6 - start) * 1000
        out["exit"] = (end - at) * 1000
    times = re.search(r"passthrough: time: (.*)", text)
    if times:
        for name, us in re.findall(r"(\w+) (\d+) us", times.group(1)):
            out[name] = int(us) / 1000
    kmod = re.search(r"libkmod: context and indexes in (\d+) us", text)
    if kmod:
        out["kmod"] = int(kmod.group(1)) / 1000
    return out


def main():
    per_log = [phases(open(f, errors="replace").read()) for f in sys.argv[1:]]
    keys = sorted({k for p in per_log for k in p})
    print(json.dumps({k: round(statistics.median(p[k] for p in per_log if k in p), 1)
                      for k in keys}))


if __name__ == "__main__":
    main()
