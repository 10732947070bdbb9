#!/usr/bin/python3
"""One request's time by stage: one pyzmq client sends 1,500 pings, then 1,500
decrypt_fernet with one key, to a service already running on PORT with
--log-level debug whose stderr is in LOG; prints the client's p50 and, from
the log's request and request-stages lines, the service's time, split into
time on the request thread and around it. LOG "-": the client side only.

    /usr/bin/python3 scripts/threads_stages.py PORT LOG
"""
import json, re, statistics, subprocess, sys, time

import zmq

port = sys.argv[1]; log = sys.argv[2]
key = subprocess.run(["openssl","genrsa","-traditional","2048"],capture_output=True,text=True).stdout
pub = subprocess.run(["openssl","rsa","-RSAPublicKey_out"],input=key,capture_output=True,text=True).stdout
s = zmq.Context().socket(zmq.REQ); s.connect("tcp://127.0.0.1:"+port)
s.send(json.dumps({"type":"encrypt_fernet","fernet":"x"*44,"rsa_public":pub}).encode())
r = json.loads(s.recv()); enc = r["encrypted_fernet"]
dec = json.dumps({"type":"decrypt_fernet","encrypted_fernet":enc,"rsa_private":key}).encode()
for name, body in (("ping", b'{"type":"ping"}'), ("decrypt_fernet", dec)):
    t=[]
    for i in range(1500):
        t0=time.perf_counter(); s.send(body); s.recv(); t.append(time.perf_counter()-t0)
    print(name, "client p50 %.3f ms" % (statistics.median(t[300:])*1000))
time.sleep(0.5)
if log != "-":
  lines = open(log).read().splitlines()
  for name in ("ping", "decrypt_fernet"):
    th = [float(re.search(r"thread_ms=([\d.]+)", l).group(1)) for l in lines if f"request-stages type={name}" in l][300:]
    ar = [float(re.search(r"around_ms=([\d.]+)", l).group(1)) for l in lines if f"request-stages type={name}" in l][300:]
    ms = [float(re.search(r" ms=([\d.]+)", l).group(1)) for l in lines if f"INFO request type={name}" in l][300:]
    print(name, "service ms p50 %.3f, on the thread p50 %.3f, around p50 %.3f" % (statistics.median(ms), statistics.median(th), statistics.median(ar)))
