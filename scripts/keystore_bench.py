#!/usr/bin/python3
"""Issue 19's targets, measured in one run with lean pyzmq clients.

  1. decrypt_fernet by key id: p50, beside ping's p50 and OpenSSL's one-core
     RSA-2048 private operation (`openssl speed`); the target is
     p50(key id) <= p50(ping) + 2 x private op.
  2. Throughput of decrypt_fernet with 4 clients (processes, closed loop):
     by key id against with a PEM; the target is a ratio >= 2.

Usage: scripts/keystore_bench.py ENDPOINT [SAMPLES] [SECONDS]
against a service with a keystore (e.g. `deno task start --endpoint
tcp://127.0.0.1:5599 --pool-size 4`). Prints one JSON object.
"""

import json
import multiprocessing
import re
import statistics
import subprocess
import sys
import time

import zmq

FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU="


def connect(endpoint):
    socket = zmq.Context.instance().socket(zmq.REQ)
    socket.setsockopt(zmq.RCVTIMEO, 60000)
    socket.connect(endpoint)
    return socket


def ask(socket, body):
    socket.send(body)
    return socket.recv()


def requests(endpoint):
    """The three request bodies, ready to send as bytes."""
    socket = connect(endpoint)
    key_id = "bench-%d" % time.time_ns()
    created = json.loads(ask(socket, json.dumps(
        {"type": "create_key", "key_id": key_id, "padding": "pkcs1v15"}).encode()))
    assert "key" in created, created
    wrapped = json.loads(ask(socket, json.dumps(
        {"type": "encrypt_fernet", "key_id": key_id, "fernet": FERNET}).encode()))
    pair = json.loads(ask(socket, b'{"type":"generate_keys"}'))
    pem_wrapped = json.loads(ask(socket, json.dumps(
        {"type": "encrypt_fernet", "fernet": FERNET, "rsa_public": pair["rsa"]["public"]}).encode()))
    by_id = json.dumps({"type": "decrypt_fernet", "key_id": key_id,
                        "encrypted_fernet": wrapped["encrypted_fernet"]}).encode()
    by_pem = json.dumps({"type": "decrypt_fernet", "rsa_private": pair["rsa"]["private"],
                         "encrypted_fernet": pem_wrapped["encrypted_fernet"]}).encode()
    for body in (by_id, by_pem):
        assert json.loads(ask(socket, body))["fernet"] == FERNET
    socket.close()
    return {"ping": b'{"type":"ping"}', "by_id": by_id, "by_pem": by_pem}


def p50_ms(endpoint, body, samples):
    socket = connect(endpoint)
    for _ in range(50):
        ask(socket, body)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        ask(socket, body)
        times.append((time.perf_counter() - started) * 1000)
    socket.close()
    return statistics.median(times)


def loop(args):
    endpoint, body, seconds = args
    socket = connect(endpoint)
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        ask(socket, body)
        count += 1
    socket.close()
    return count


def throughput(endpoint, body, seconds, clients=4):
    with multiprocessing.Pool(clients) as pool:
        counts = pool.map(loop, [(endpoint, body, seconds)] * clients)
    return sum(counts) / seconds


def openssl_private_op_ms():
    out = subprocess.run(
        ["openssl", "speed", "-seconds", "3", "-multi", "1", "rsa2048"],
        capture_output=True, text=True, check=True).stdout
    match = re.search(r"rsa 2048 bits\s+([0-9.]+)s\s+([0-9.]+)s", out)
    return float(match.group(1)) * 1000


def main():
    endpoint = sys.argv[1]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    bodies = requests(endpoint)
    private_op = openssl_private_op_ms()
    p50 = {name: p50_ms(endpoint, body, samples) for name, body in bodies.items()}
    rate_id = throughput(endpoint, bodies["by_id"], seconds)
    rate_pem = throughput(endpoint, bodies["by_pem"], seconds)
    target = p50["ping"] + 2 * private_op
    print(json.dumps({
        "openssl_private_op_ms": round(private_op, 3),
        "p50_ms": {k: round(v, 3) for k, v in p50.items()},
        "latency_target_ms": round(target, 3),
        "latency_target_met": p50["by_id"] <= target,
        "throughput_4_clients_per_s": {"by_id": round(rate_id, 1), "by_pem": round(rate_pem, 1)},
        "throughput_ratio": round(rate_id / rate_pem, 2),
        "throughput_target_met": rate_id >= 2 * rate_pem,
    }, indent=2))


if __name__ == "__main__":
    main()
