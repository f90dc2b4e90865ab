#!/usr/bin/env python3
"""measure.py RUNS COMMAND...: runs COMMAND RUNS times (output discarded)
and prints JSON: the median wall time, and the child's CPU time (user,
sys, and both) in milliseconds.

CPU times are means, not medians: the kernel splits a process's time into
user and system by sampling at each tick, so one short run reads in
whole ticks (0, 4, 8 ms at 250 Hz) while the mean over many runs is the
true share. user_ms_worst_batch is the highest mean of five equal
batches: how far one batch of runs strays."""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

runs, cmd = int(sys.argv[1]), sys.argv[2:]
wall, user, system = [], [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall.append((time.perf_counter() - start) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user.append((after.ru_utime - before.ru_utime) * 1000)
    system.append((after.ru_stime - before.ru_stime) * 1000)
batch = max(1, runs // 5)
batches = [statistics.mean(user[i:i + batch]) for i in range(0, runs - batch + 1, batch)]
print(json.dumps({"wall_ms": statistics.median(wall),
                  "cpu_ms": statistics.mean(user) + statistics.mean(system),
                  "user_ms": statistics.mean(user), "sys_ms": statistics.mean(system),
                  "user_ms_worst_batch": max(batches), "runs": runs}))
