#!/usr/bin/env python3
"""measure.py RUNS COMMAND...: runs COMMAND RUNS times (output discarded)
and prints JSON: the median wall time, and the child's CPU time (user,
sys, and both) in milliseconds.

CPU times are means, with the 95% confidence half-width of the user
time's: the kernel splits a process's time into user and system by
sampling at each tick, so one 30 ms run reads 0, 4 or 8 ms of user time
(at 250 Hz) whatever it really used. The mean over many runs is the
true figure; user_ms_ci95 says how close this many runs pin it."""
import json
import math
import os
import resource
import statistics
import sys
import time

runs, cmd = int(sys.argv[1]), sys.argv[2:]
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
         (os.POSIX_SPAWN_DUP2, 1, 2)]
wall, user, system = [], [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # posix_spawn (vfork and exec): the child does nothing of Python's
    # before exec, so its CPU time is the command's alone
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=quiet)
    os.waitpid(pid, 0)
    wall.append((time.perf_counter() - start) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user.append((after.ru_utime - before.ru_utime) * 1000)
    system.append((after.ru_stime - before.ru_stime) * 1000)
ci95 = 1.96 * statistics.stdev(user) / math.sqrt(runs) if runs > 1 else float("nan")
print(json.dumps({"wall_ms": statistics.median(wall),
                  "cpu_ms": statistics.mean(user) + statistics.mean(system),
                  "user_ms": statistics.mean(user), "sys_ms": statistics.mean(system),
                  "user_ms_ci95": ci95, "runs": runs}))
