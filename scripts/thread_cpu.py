#!/usr/bin/python3
"""CPU a request, by thread of the service: starts the service as `deno task
start` does (from --service-dir, so that two checkouts can be compared in
one sitting), warms up N pyzmq REQ clients (separate processes) of one
operation, lets them run for --seconds, and prints the rate, the clients'
p50, the service's CPU a request and each of its threads' (by name, from
/proc/<pid>/task/*/stat). On a shared machine CPU a request moves far less
with the load than a rate does; alternate the checkouts and take medians.

    /usr/bin/python3 scripts/thread_cpu.py decrypt 4 [--seconds 3]
        [--service-dir .] [-- service flags...]

Operations: ping, encrypt (encrypt_fernet), decrypt (decrypt_fernet, the
key sent with each request). Add `-- --prepared-keys 16` for prepared keys.
"""

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import threading
import time

CLIENT = r"""
import json, sys, time, zmq
s = zmq.Context().socket(zmq.REQ); s.connect(sys.argv[1])
body = sys.stdin.buffer.read()
for _ in range(20): s.send(body); reply = s.recv()
if b'"error"' in reply: sys.exit("error reply: " + reply.decode()[:200])
print("ready", flush=True)
end = time.perf_counter() + float(sys.argv[2]); lat = []
while time.perf_counter() < end:
    t = time.perf_counter(); s.send(body); s.recv()
    lat.append(time.perf_counter() - t)
lat.sort(); print(json.dumps({"n": len(lat), "p50": lat[len(lat) // 2] * 1000}))
"""


def bodies():
    key = subprocess.run(["openssl", "genrsa", "-traditional", "2048"],
                         capture_output=True, text=True, check=True).stdout
    pub = subprocess.run(["openssl", "rsa", "-RSAPublicKey_out"], input=key,
                         capture_output=True, text=True, check=True).stdout
    fernet = base64.urlsafe_b64encode(os.urandom(32)).decode()
    cipher = subprocess.run(
        ["openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", "/dev/stdin",
         "-in", "/dev/fd/3"], input=pub.encode(), capture_output=True,
        pass_fds=(pipe_with(fernet.encode()),), check=True).stdout
    return {
        "ping": {"type": "ping"},
        "encrypt": {"type": "encrypt_fernet", "rsa_public": pub,
                    "fernet": fernet},
        "decrypt": {"type": "decrypt_fernet", "rsa_private": key,
                    "encrypted_fernet": base64.b64encode(cipher).decode()},
    }


def pipe_with(data):
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    return read


def ticks(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/task/{tid}/comm") as comm:
                name = comm.read().strip()
        except FileNotFoundError:
            continue
        out[tid] = (name, int(fields[11]) + int(fields[12]))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("op", choices=["ping", "encrypt", "decrypt"])
    parser.add_argument("clients", type=int)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--service-dir", default=".")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    args.flags = argv[cut + 1:]
    body = json.dumps(bodies()[args.op]).encode()
    service = subprocess.Popen(
        ["deno", "run", "--frozen", "--no-code-cache",
         "--allow-env=KEYSERVICE_*,PG*,INIT_CWD", "--allow-read",
         "--allow-write=data", "--allow-ffi", "--allow-net", "main.ts",
         "--endpoint", "tcp://127.0.0.1:*", "--pool-size", "2", *args.flags],
        cwd=args.service_dir, stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL, text=True)
    endpoint = None
    for line in service.stderr:
        match = re.search(r"listening endpoint=(\S+)", line)
        if match:
            endpoint = match.group(1)
            break
    threading.Thread(target=lambda: [None for _ in service.stderr],
                     daemon=True).start()
    try:
        if endpoint is None:
            sys.exit("the service did not start")
        clients = []
        for _ in range(args.clients):
            client = subprocess.Popen(
                [sys.executable, "-c", CLIENT, endpoint, str(args.seconds)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            client.stdin.write(body)
            client.stdin.close()
            clients.append(client)
        for client in clients:
            client.stdout.readline()
        before = ticks(service.pid)
        results = [json.loads(client.stdout.readline()) for client in clients]
        after = ticks(service.pid)
    finally:
        service.terminate()
        service.wait()
    n = sum(result["n"] for result in results)
    hz = os.sysconf("SC_CLK_TCK")
    used = {tid: (name, t - before.get(tid, (name, 0))[1])
            for tid, (name, t) in after.items()}
    total = sum(t for _, t in used.values()) / hz
    p50 = sorted(result["p50"] for result in results)[len(results) // 2]
    print(f"{args.op}, {args.clients} clients {' '.join(args.flags)}: "
          f"{n / args.seconds:.0f}/s, p50 {p50:.3f} ms, service CPU "
          f"{total:.2f} s = {total / n * 1e6:.0f} µs a request")
    by_name = {}
    for name, t in used.values():
        if t > 0:
            by_name.setdefault(name, []).append(round(t / hz / n * 1e6))
    print("  µs a request, by thread:",
          ", ".join(f"{name} {sum(v)}" + (f" ({len(v)})" if len(v) > 1 else "")
                    for name, v in sorted(by_name.items())))


if __name__ == "__main__":
    main()
