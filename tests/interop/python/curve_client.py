"""One request to the key service over CurveZMQ, as a pyzmq client sends it.

Usage: /usr/bin/python3 curve_client.py ENDPOINT SERVER_PUBLIC CLIENT_PUBLIC
           CLIENT_SECRET [REQUEST_JSON]

Connects a pyzmq REQ socket to ENDPOINT with CURVE (the server's public key,
and this client's key pair, all Z85), sends REQUEST_JSON (default
{"type": "ping"}) and prints the reply as one line of JSON, or `NO REPLY`
when none comes within 2 s (a refused handshake gives no reply at all).
SERVER_PUBLIC `-` connects without CURVE. Exits 0 either way; 2 on bad
arguments.
"""

import json
import sys

import zmq

RCVTIMEO_MS = 2000


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    endpoint, server_public, client_public, client_secret = argv[1:5]
    request = json.loads(argv[5]) if len(argv) == 6 else {"type": "ping"}
    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, RCVTIMEO_MS)
    socket.setsockopt(zmq.SNDTIMEO, RCVTIMEO_MS)
    if server_public != "-":
        socket.curve_serverkey = server_public.encode("ascii")
        socket.curve_publickey = client_public.encode("ascii")
        socket.curve_secretkey = client_secret.encode("ascii")
    try:
        socket.connect(endpoint)
        socket.send_json(request)
        reply = socket.recv_json()
    except zmq.Again:
        print("NO REPLY")
    else:
        print(json.dumps(reply, sort_keys=True))
    finally:
        socket.close(linger=0)
        context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
