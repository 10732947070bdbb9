"""The benchmark's load client: one REQ socket (pyzmq), one process.

Reads one JSON line on stdin (the load's spec), connects, warms up, prints
"ready", waits for a "go" line, sends its requests back to back (or one
every gap_ms), then prints one JSON line: each latency in milliseconds, the
errors, and its own CPU time over the load from /proc/self/stat (utime +
stime, in clock ticks). Spawned N times by scripts/bench/load.ts.
"""

import json
import os
import random
import sys
import time

import zmq


def cpu_ticks():
    with open("/proc/self/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main():
    spec = json.loads(sys.stdin.readline())
    bodies = [body.encode() for body in spec["bodies"]]
    requests = spec.get("requests")
    seconds = spec.get("seconds")
    gap = (spec.get("gap_ms") or 0) / 1000
    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, spec.get("timeout_ms", 120000))
    socket.connect(spec["endpoint"])
    pick = (lambda: bodies[0]) if len(bodies) == 1 else (
        lambda: random.choice(bodies))
    for _ in range(spec.get("warmup", 0)):
        socket.send(pick())
        socket.recv()
    print("ready", flush=True)
    sys.stdin.readline()
    latencies = []
    errors = 0
    timed_out = False
    cpu0 = cpu_ticks()
    started = time.perf_counter()
    deadline = started + seconds if seconds else float("inf")
    while (requests is None or len(latencies) < requests) and \
            time.perf_counter() < deadline:
        body = pick()
        t0 = time.perf_counter()
        socket.send(body)
        try:
            reply = socket.recv()
        except zmq.Again:
            errors += 1
            timed_out = True
            break
        latencies.append((time.perf_counter() - t0) * 1000)
        if b'"error"' in reply and "error" in json.loads(reply):
            errors += 1
        if gap:
            time.sleep(gap)
    elapsed = time.perf_counter() - started
    cpu = cpu_ticks() - cpu0
    print(json.dumps({
        "latencies_ms": latencies,
        "errors": errors,
        "timed_out": timed_out,
        "seconds": elapsed,
        "cpu_seconds": cpu / os.sysconf("SC_CLK_TCK"),
    }), flush=True)
    socket.close(0)
    context.term()


if __name__ == "__main__":
    main()
