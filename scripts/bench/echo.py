"""The benchmark's round-trip floor: a plain libzmq ROUTER echo (pyzmq).

Binds the endpoint given (default tcp://127.0.0.1:*), prints
"listening endpoint=ENDPOINT" on stderr, and answers every request with its
own frames; nothing else (no JSON, no logging). SIGTERM stops it.
"""

import sys

import zmq


def main():
    context = zmq.Context()
    socket = context.socket(zmq.ROUTER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind(sys.argv[1] if len(sys.argv) > 1 else "tcp://127.0.0.1:*")
    endpoint = socket.getsockopt(zmq.LAST_ENDPOINT).decode()
    print(f"listening endpoint={endpoint}", file=sys.stderr, flush=True)
    while True:
        socket.send_multipart(socket.recv_multipart())


if __name__ == "__main__":
    main()
