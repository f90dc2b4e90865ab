#!/usr/bin/env python3
"""measure.py RUNS COMMAND...: runs COMMAND RUNS times (output discarded)
and prints JSON: the medians of wall time and of the child's CPU time
(user, sys, and both) in milliseconds."""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

runs, cmd = int(sys.argv[1]), sys.argv[2:]
wall, cpu, user, system = [], [], [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall.append((time.perf_counter() - start) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user.append((after.ru_utime - before.ru_utime) * 1000)
    system.append((after.ru_stime - before.ru_stime) * 1000)
    cpu.append(user[-1] + system[-1])
print(json.dumps({"wall_ms": statistics.median(wall), "cpu_ms": statistics.median(cpu),
                  "user_ms": statistics.median(user), "sys_ms": statistics.median(system),
                  "runs": runs}))
