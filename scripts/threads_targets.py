#!/usr/bin/python3
"""Issue 18's targets, measured in one run, with lean pyzmq clients in
separate processes (Debian's python3-zmq), beside `openssl speed` and a
plain pyzmq echo. Until `deno task bench --only scaling` lands, this is the
measurement behind docs/architecture-threads.md.

    /usr/bin/python3 scripts/threads_targets.py [--seconds 5] [--repeat 1]
        [--service-dir .] [--label NAME]

Each figure is printed with the command-line it came from; the service is
started as `deno task start` starts it (deno run --no-code-cache ...
main.ts). The clients' CPU (user+system, all client processes) and the
service's (from /proc) are printed beside each rate.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

import zmq

FERNET = "x" * 44


def client_main(endpoint, body, seconds, out):
    """One REQ client: sends `body` until `seconds` pass; writes its latencies."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.connect(endpoint)
    data = body.encode()
    # Warm-up: one round trip.
    sock.send(data)
    sock.recv()
    times = []
    end = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= end:
            break
        sock.send(data)
        reply = sock.recv()
        times.append(time.perf_counter() - t0)
        if b'"error"' in reply:
            print("error reply:", reply[:200], file=sys.stderr)
            break
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(out, "w") as f:
        json.dump({"times": times, "cpu": usage.ru_utime + usage.ru_stime}, f)


def echo_main(endpoint_file):
    """A plain libzmq ROUTER echo: the round-trip floor."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    with open(endpoint_file, "w") as f:
        f.write(f"tcp://127.0.0.1:{port}")
    while True:
        sock.send_multipart(sock.recv_multipart())


def proc_cpu(pid):
    """utime+stime of a process and its threads, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(endpoint, body, clients, seconds, service_pid=None):
    """`clients` client processes for `seconds`: rate, p50 (ms), CPUs."""
    outs = [f"/tmp/threads_targets_{os.getpid()}_{i}.json" for i in range(clients)]
    before = proc_cpu(service_pid) if service_pid else 0
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--client", endpoint, body,
                          str(seconds), out])
        for out in outs
    ]
    for p in procs:
        p.wait()
    wall = time.perf_counter() - started
    service_cpu = (proc_cpu(service_pid) - before) if service_pid else 0
    times, cpu = [], 0.0
    for out in outs:
        with open(out) as f:
            data = json.load(f)
        os.unlink(out)
        times += data["times"]
        cpu += data["cpu"]
    return {
        "rate": len(times) / seconds,
        "p50_ms": statistics.median(times) * 1000 if times else float("nan"),
        "client_cpu": cpu / wall,
        "service_cpu": service_cpu / wall,
    }


def openssl_speed(seconds, multi):
    cmd = ["openssl", "speed", "-seconds", str(seconds)]
    if multi > 1:
        cmd += ["-multi", str(multi)]
    cmd += ["rsa2048"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    # "rsa 2048 bits 0.000640s 0.000019s   1562.5  52631.6": sign/s, the
    # private-key operation (summed over the processes with -multi).
    for line in out.splitlines():
        m = re.match(r"\s*rsa\s*2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            return float(m.group(1))
    raise RuntimeError("cannot read openssl speed's output:\n" + out)


def start_service(service_dir, args):
    deno = os.environ.get("DENO", "deno")
    cmd = [deno, "run", "--no-code-cache", "--allow-env", "--allow-read",
           "--allow-ffi", "--allow-net", "main.ts", "--endpoint",
           "tcp://127.0.0.1:*", "--log-level", "warn", "--pool-size", "2"] + args
    # The endpoint: from a ping-less start-up line at warn? Use info for it.
    cmd[cmd.index("warn")] = "info"
    proc = subprocess.Popen(cmd, cwd=service_dir, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r" listening endpoint=(\S+)", line)
        if m:
            endpoint = m.group(1)
            break
    else:
        raise RuntimeError("the service did not start")
    # Drain its log so that it never blocks on a full pipe.
    import threading
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, endpoint


def request(endpoint, body):
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.connect(endpoint)
    s.send(json.dumps(body).encode())
    reply = json.loads(s.recv())
    s.close()
    return reply


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--service-dir", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--label", default="")
    ap.add_argument("--threads", default="1,2", help="--threads values to run (empty: no flag)")
    ap.add_argument("--before-dir", default="", help="also run the service in this checkout (no --threads), first")
    args = ap.parse_args()
    secs = args.seconds
    key = subprocess.run(["openssl", "genrsa", "-traditional", "2048"],
                         capture_output=True, text=True).stdout
    pub = subprocess.run(["openssl", "rsa", "-RSAPublicKey_out"], input=key,
                         capture_output=True, text=True).stdout

    one_core = openssl_speed(3, 1)
    cores = os.cpu_count()
    multi = openssl_speed(3, cores)
    print(f"openssl speed rsa2048: {one_core:.0f}/s one core "
          f"({1000 / one_core:.3f} ms an op), {multi:.0f}/s with -multi {cores}")

    endpoint_file = f"/tmp/threads_targets_echo_{os.getpid()}"
    echo = subprocess.Popen([sys.executable, __file__, "--echo", endpoint_file])
    while not os.path.exists(endpoint_file) or os.path.getsize(endpoint_file) == 0:
        time.sleep(0.05)
    with open(endpoint_file) as f:
        echo_endpoint = f.read()
    os.unlink(endpoint_file)
    floor = drive(echo_endpoint, '{"type":"ping"}', 1, secs, echo.pid)
    echo.terminate()
    print(f"pyzmq echo, 1 client: p50 {floor['p50_ms']:.3f} ms, {floor['rate']:.0f}/s")

    results = {}
    runs_to_do = [(args.service_dir, t) for t in args.threads.split(",")]
    if args.before_dir:
        runs_to_do.insert(0, (args.before_dir, "before"))
    for service_dir, threads in runs_to_do:
        flags = ["--threads", threads] if threads not in ("", "before") else []
        for prepared in (False, True):
            extra = ["--prepared-keys", "16"] if prepared else []
            proc, endpoint = start_service(service_dir, flags + extra)
            try:
                encrypted = request(endpoint, {"type": "encrypt_fernet", "fernet": FERNET,
                                               "rsa_public": pub})["encrypted_fernet"]
                dec = json.dumps({"type": "decrypt_fernet", "encrypted_fernet": encrypted,
                                  "rsa_private": key})
                enc = json.dumps({"type": "encrypt_fernet", "fernet": FERNET, "rsa_public": pub})
                name = f"threads={threads or 'default'}{' prepared' if prepared else ''}"
                if not prepared:
                    runs = {
                        "ping 1": drive(endpoint, '{"type":"ping"}', 1, secs, proc.pid),
                        "decrypt 1": drive(endpoint, dec, 1, secs, proc.pid),
                        "decrypt 4": drive(endpoint, dec, 4, secs, proc.pid),
                        "encrypt 4": drive(endpoint, enc, 4, secs, proc.pid),
                    }
                else:
                    runs = {
                        "ping 1": drive(endpoint, '{"type":"ping"}', 1, secs, proc.pid),
                        "decrypt 1": drive(endpoint, dec, 1, secs, proc.pid),
                    }
                results[name] = runs
                for what, r in runs.items():
                    print(f"{args.label} {name:22} {what:10} {r['rate']:8.0f}/s  p50 {r['p50_ms']:.3f} ms"
                          f"  service CPU {r['service_cpu']:.2f}  clients CPU {r['client_cpu']:.2f}")
            finally:
                proc.terminate()
                proc.wait()
    print("ratios (this run):")
    for name, runs in results.items():
        if "decrypt 4" in runs:
            print(f"  {name}: decrypt_fernet 4 clients / openssl -multi {cores}: "
                  f"{runs['decrypt 4']['rate'] / multi:.2f}x")
        if "prepared" in name:
            bound = runs["ping 1"]["p50_ms"] + 2 * 1000 / one_core
            print(f"  {name}: decrypt p50 {runs['decrypt 1']['p50_ms']:.3f} ms vs ping p50 + 2 ops "
                  f"{bound:.3f} ms")
        print(f"  {name}: ping p50 {runs['ping 1']['p50_ms']:.3f} ms vs pyzmq echo "
              f"{floor['p50_ms']:.3f} ms (+{runs['ping 1']['p50_ms'] - floor['p50_ms']:.3f})")
    ones = [r for n, r in results.items() if n == "threads=1"]
    for name, runs in results.items():
        if ones and "encrypt 4" in runs and name != "threads=1":
            print(f"  {name}: encrypt_fernet 4 clients / threads=1's: "
                  f"{runs['encrypt 4']['rate'] / ones[0]['encrypt 4']['rate']:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--echo":
        echo_main(sys.argv[2])
    else:
        main()
