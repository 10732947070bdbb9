"""A keyservice client: one method per operation, Lazy Pirate retries,
several endpoints with spread or failover, and CurveZMQ.

Each attempt borrows a REQ socket for its endpoint. One that timed out is
closed, never reused (a REQ socket that missed its reply is stuck), and the
request goes again to the next endpoint until the retry budget is spent
(the Lazy Pirate of the ZeroMQ guide, chapter 4). ``overloaded`` is retried
after a jittered, doubling backoff. Idle sockets are kept per endpoint, at
most ``max_idle_sockets`` each, so later requests do not reconnect.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import zmq
from zmq.utils.monitor import recv_monitor_message

from .errors import (
    BadReply,
    HandshakeRefused,
    InsecureEndpoint,
    KeyServiceError,
    ServiceError,
    TimeoutError_,
    Unreachable,
    error_from_reply,
)

HANDSHAKE_FAILED = (
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
    | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    | zmq.EVENT_HANDSHAKE_FAILED_AUTH
)
"""The monitor events of a handshake that failed."""

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555"
"""Where the service listens unless told otherwise (the contract's port)."""

MAX_REPLY_BYTES = 1 << 20
"""Frames larger than this are refused by the socket (ZMQ_MAXMSGSIZE): the
largest reply of the contract (256 recipients at 4096 bits) is far smaller."""


@dataclass(frozen=True)
class KeyPair:
    """An RSA pair in PEM."""

    public: str
    private: str


@dataclass(frozen=True)
class KeySet:
    """What ``generate_keys`` returns: an RSA pair and a Fernet key."""

    rsa: KeyPair
    fernet: str


@dataclass(frozen=True)
class RetryEvent:
    """Told to ``on_retry`` before each retry."""

    attempt: int
    endpoint: str
    reason: str  # "timeout" | "unreachable" | "overloaded"


ManyResult = Union[str, ServiceError]
"""One recipient's result of ``encrypt_fernet_many``: ciphertext or error."""

_Z85_KEY = re.compile(r"^[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$")


def _is_loopback(endpoint: str) -> bool:
    """Whether traffic to ``endpoint`` stays on this machine."""
    scheme, _, rest = endpoint.partition("://")
    if scheme in ("ipc", "inproc"):
        return True
    if scheme != "tcp":
        return False
    host = rest.rsplit(":", 1)[0]
    if ";" in host:  # "source;destination": the destination decides
        host = host.split(";", 1)[1]
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _key_in(text: str, label: str) -> Optional[str]:
    """The key after ``label`` on its line, or the whole text trimmed."""
    match = re.search(rf"^{label}\s+(\S+)", text, re.MULTILINE)
    if match:
        return match.group(1)
    if re.search(r"^(public|secret)\s", text, re.MULTILINE):
        return None
    return text.strip()


def _checked_key(key: Optional[str], what: str) -> str:
    if key is None or not _Z85_KEY.match(key):
        raise KeyServiceError(f"{what} is not a 40-character Z85 CURVE key", "invalid_curve_key")
    return key


def _one_key(pem: Optional[str], key_id: Optional[str], field: str) -> None:
    # A request holding its PEM field is a v1 request (key_id ignored), so
    # naming both would silently use the PEM: refused here instead.
    if (pem is None) == (key_id is None):
        raise ValueError(f"give {field} or key_id, exactly one")


class KeyServiceClient:
    """Talks to keyservice; safe to share between threads.

    :param endpoint: one endpoint, or a list of several.
    :param timeout_ms: time for one attempt (connecting, then the reply).
    :param retries: attempts after the first.
    :param backoff_ms: first wait after ``overloaded``, doubled after each.
    :param strategy: ``"spread"`` starts each request at the next endpoint in
        turn; ``"failover"`` always uses the first that answers.
    :param down_ms: an endpoint that failed is tried last for this long.
    :param curve_server_key: the server's CURVE public key (Z85); or
    :param curve_server_key_file: a file holding it (``public KEY`` line or
        the key alone).
    :param curve_secret_key: this client's CURVE secret key (Z85); or
    :param curve_keypair_file: a file ``keyservice curve-keypair`` wrote.
        Without either, a fresh pair is made (enough for a server without an
        allow list).
    :param allow_insecure: talk in clear to an endpoint off loopback. Without
        CURVE, whoever holds that address reads every request (private keys
        included) and can forge every reply; so it is refused unless set.
    :param max_idle_sockets: idle sockets kept per endpoint.
    :param on_retry: told of each retry.
    """

    def __init__(
        self,
        endpoint: Union[str, Sequence[str]] = DEFAULT_ENDPOINT,
        *,
        timeout_ms: int = 5000,
        retries: int = 3,
        backoff_ms: int = 100,
        strategy: str = "spread",
        down_ms: int = 5000,
        curve_server_key: Optional[str] = None,
        curve_server_key_file: Optional[str] = None,
        curve_secret_key: Optional[str] = None,
        curve_keypair_file: Optional[str] = None,
        allow_insecure: bool = False,
        max_idle_sockets: int = 8,
        on_retry: Optional[Callable[[RetryEvent], None]] = None,
    ) -> None:
        endpoints = [endpoint] if isinstance(endpoint, str) else list(endpoint)
        if not endpoints:
            raise ValueError("at least one endpoint is needed")
        if strategy not in ("spread", "failover"):
            raise ValueError('strategy must be "spread" or "failover"')
        if timeout_ms <= 0 or retries < 0 or backoff_ms < 0:
            raise ValueError("timeout_ms must be positive; retries and backoff_ms not negative")
        self._endpoints = endpoints
        self._timeout_ms = timeout_ms
        self._retries = retries
        self._backoff_ms = backoff_ms
        self._strategy = strategy
        self._down_ms = down_ms
        self._max_idle = max_idle_sockets
        self._on_retry = on_retry
        self._curve = self._curve_keys(
            curve_server_key, curve_server_key_file, curve_secret_key, curve_keypair_file
        )
        if self._curve is None and not allow_insecure:
            off = [e for e in endpoints if not _is_loopback(e)]
            if off:
                raise InsecureEndpoint(
                    f"{', '.join(off)} is off loopback and CURVE is not set: "
                    "pass curve_server_key (or allow_insecure=True)"
                )
        self._context = zmq.Context()
        self._lock = threading.Lock()
        self._idle: Dict[str, List[zmq.Socket]] = {}
        # Each socket's monitor of its failed handshakes, until it connects.
        self._monitors: Dict[zmq.Socket, zmq.Socket] = {}
        self._down_until: Dict[str, float] = {}
        self._next = 0
        self._closed = False

    @staticmethod
    def _curve_keys(
        server_key: Optional[str],
        server_key_file: Optional[str],
        secret_key: Optional[str],
        keypair_file: Optional[str],
    ) -> Optional[Dict[str, bytes]]:
        if server_key is None and server_key_file is None:
            if secret_key is not None or keypair_file is not None:
                raise ValueError("a CURVE client key needs the server's key too")
            return None
        if server_key_file is not None:
            with open(server_key_file, encoding="utf-8") as f:
                server = _checked_key(_key_in(f.read(), "public"), f"the server key in {server_key_file}")
        else:
            server = _checked_key(server_key, "the CURVE server key")
        if keypair_file is not None:
            with open(keypair_file, encoding="utf-8") as f:
                secret = _checked_key(_key_in(f.read(), "secret"), f"the secret key in {keypair_file}")
        elif secret_key is not None:
            secret = _checked_key(secret_key, "the secret key")
        else:
            public_b, secret_b = zmq.curve_keypair()
            return {"server": server.encode(), "public": public_b, "secret": secret_b}
        public = zmq.curve_public(secret.encode())
        return {"server": server.encode(), "public": public, "secret": secret.encode()}

    # The operations of the contract (docs/contract.md).

    def generate_keys(
        self,
        *,
        bits: Optional[int] = None,
        format: Optional[str] = None,
        passphrase: Optional[str] = None,
    ) -> KeySet:
        """A fresh RSA pair and Fernet key. Options left out keep the v1 request."""
        reply = self._call(
            {"type": "generate_keys", "bits": bits, "format": format, "passphrase": passphrase}
        )
        rsa = reply.get("rsa")
        fernet = reply.get("fernet")
        if not isinstance(rsa, dict) or not isinstance(fernet, str):
            raise BadReply("generate_keys: the reply lacks rsa or fernet")
        public, private = rsa.get("public"), rsa.get("private")
        if not isinstance(public, str) or not isinstance(private, str):
            raise BadReply("generate_keys: the reply's rsa lacks public or private")
        return KeySet(KeyPair(public, private), fernet)

    def encrypt_fernet(
        self,
        fernet: str,
        rsa_public: Optional[str] = None,
        *,
        padding: Optional[str] = None,
        key_id: Optional[str] = None,
    ) -> str:
        """Wraps ``fernet`` for ``rsa_public`` (base64 of the ciphertext), or
        under the stored key ``key_id`` (v1.2: ``ks:v<n>:...``)."""
        _one_key(rsa_public, key_id, "rsa_public")
        reply = self._call(
            {"type": "encrypt_fernet", "fernet": fernet, "rsa_public": rsa_public, "key_id": key_id, "padding": padding}
        )
        return self._string(reply, "encrypted_fernet")

    def encrypt_fernet_many(
        self, fernet: str, rsa_publics: Sequence[str], *, padding: Optional[str] = None
    ) -> List[ManyResult]:
        """Wraps ``fernet`` for each key: a ciphertext or that key's error, in order."""
        reply = self._call(
            {
                "type": "encrypt_fernet_many",
                "fernet": fernet,
                "rsa_publics": list(rsa_publics),
                "padding": padding,
            }
        )
        return self._results(reply, "encrypt_fernet_many")

    @staticmethod
    def _results(reply: Dict[str, Any], what: str) -> List[ManyResult]:
        results = reply.get("results")
        if not isinstance(results, list):
            raise BadReply(f"{what}: the reply lacks results")
        out: List[ManyResult] = []
        for entry in results:
            if isinstance(entry, dict) and isinstance(entry.get("encrypted_fernet"), str):
                out.append(entry["encrypted_fernet"])
            elif isinstance(entry, dict) and "error" in entry:
                out.append(error_from_reply(entry))
            else:
                raise BadReply(f"{what}: a result is neither ciphertext nor error")
        return out

    def decrypt_fernet(
        self,
        encrypted_fernet: str,
        rsa_private: Optional[str] = None,
        *,
        padding: Optional[str] = None,
        passphrase: Optional[str] = None,
        key_id: Optional[str] = None,
    ) -> str:
        """Unwraps a Fernet key with the private key (and its passphrase), or
        with the stored key ``key_id`` (v1.2, a ``ks:v<n>:...`` ciphertext)."""
        _one_key(rsa_private, key_id, "rsa_private")
        reply = self._call(
            {
                "type": "decrypt_fernet",
                "encrypted_fernet": encrypted_fernet,
                "rsa_private": rsa_private,
                "key_id": key_id,
                "padding": padding,
                "passphrase": passphrase,
            }
        )
        return self._string(reply, "fernet")

    # Contract v1.2: keys kept in the service, named by key_id (docs/keystore.md).

    def create_key(
        self,
        key_id: str,
        *,
        key_type: Optional[str] = None,
        padding: Optional[str] = None,
        deletion_allowed: Optional[bool] = None,
        policy: Optional[Dict[str, List[str]]] = None,
    ) -> Dict[str, Any]:
        """Makes a key in the service; its description (no private key)."""
        return self._key(
            {
                "type": "create_key",
                "key_id": key_id,
                "key_type": key_type,
                "padding": padding,
                "deletion_allowed": deletion_allowed,
                "policy": policy,
            }
        )

    def show_key(self, key_id: str) -> Dict[str, Any]:
        """A key's description, with each version's public key."""
        return self._key({"type": "show_key", "key_id": key_id})

    def list_keys(self) -> List[Dict[str, Any]]:
        """The keys this client holds any use of (without versions): every
        page, one request each."""
        keys: List[Dict[str, Any]] = []
        cursor: Optional[str] = None
        while True:
            page = self.list_keys_page(cursor=cursor)
            keys.extend(page["keys"])
            cursor = page.get("next_cursor")
            if not page["more"] or not isinstance(cursor, str):
                return keys

    def list_keys_page(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> Dict[str, Any]:
        """One page of ``list_keys``: ``keys``, ``more`` and, when there may
        be more, ``next_cursor`` (pass it as ``cursor`` for the next page)."""
        request: Dict[str, Any] = {"type": "list_keys"}
        if limit is not None:
            request["limit"] = limit
        if cursor is not None:
            request["cursor"] = cursor
        page = self._call(request)
        if not isinstance(page.get("keys"), list) or not isinstance(
            page.get("more"), bool
        ):
            raise BadReply("list_keys: the reply lacks keys or more")
        return page

    def rotate_key(self, key_id: str) -> Dict[str, Any]:
        """Adds a version; new ciphertexts are made under it."""
        return self._key({"type": "rotate_key", "key_id": key_id})

    def configure_key(
        self,
        key_id: str,
        *,
        min_decryption_version: Optional[int] = None,
        deletion_allowed: Optional[bool] = None,
        policy: Optional[Dict[str, List[str]]] = None,
    ) -> Dict[str, Any]:
        """Changes a key's settings; its description."""
        return self._key(
            {
                "type": "configure_key",
                "key_id": key_id,
                "min_decryption_version": min_decryption_version,
                "deletion_allowed": deletion_allowed,
                "policy": policy,
            }
        )

    def trim_key(self, key_id: str) -> int:
        """Deletes the versions below the minimum; how many went."""
        trimmed = self._call({"type": "trim_key", "key_id": key_id}).get("trimmed")
        if not isinstance(trimmed, int):
            raise BadReply("trim_key: the reply lacks trimmed")
        return trimmed

    def delete_key(self, key_id: str) -> None:
        """Deletes a key whose configuration allows it."""
        if self._call({"type": "delete_key", "key_id": key_id}).get("deleted") is not True:
            raise BadReply("delete_key: the reply does not say deleted")

    def rewrap_fernet(self, key_id: str, encrypted_fernets: Sequence[str]) -> List[ManyResult]:
        """Each ciphertext under the key's latest version, or its error, in order."""
        reply = self._call({"type": "rewrap_fernet", "key_id": key_id, "encrypted_fernets": list(encrypted_fernets)})
        return self._results(reply, "rewrap_fernet")

    def generate_data_key(self, key_id: str) -> Tuple[str, str]:
        """A fresh Fernet key and it wrapped under the key: (fernet, ks:v<n>:...)."""
        reply = self._call({"type": "generate_data_key", "key_id": key_id})
        return self._string(reply, "fernet"), self._string(reply, "encrypted_fernet")

    def _key(self, body: Dict[str, Any]) -> Dict[str, Any]:
        key = self._call(body).get("key")
        if not isinstance(key, dict):
            raise BadReply(f"{body['type']}: the reply lacks key")
        return key

    def ping(self) -> Dict[str, Any]:
        """Whether the service is up, its version and capabilities."""
        return self._call({"type": "ping"})

    def request(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """Sends any request object with retries; an error reply raises."""
        return self._call(body)

    # Lifecycle.

    def close(self) -> None:
        """Closes idle sockets and the context; sockets in use close when done."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle = [socket for sockets in self._idle.values() for socket in sockets]
            self._idle.clear()
        for socket in idle:
            self._close(socket)
        self._context.term()

    def __enter__(self) -> "KeyServiceClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The transport.

    @staticmethod
    def _string(reply: Dict[str, Any], field: str) -> str:
        value = reply.get(field)
        if not isinstance(value, str):
            raise BadReply(f"the reply lacks {field}")
        return value

    def _call(self, body: Dict[str, Any]) -> Dict[str, Any]:
        request = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
        reply = self._send(request)
        if "error" in reply:
            raise error_from_reply(reply)
        return reply

    def _send(self, request: bytes) -> Dict[str, Any]:
        order = self._order()
        sent = 0
        overloaded = 0
        attempt = 0
        refused: Dict[str, str] = {}  # endpoint: why, in order
        while True:
            endpoint = order[attempt % len(order)]
            socket = self._take(endpoint)
            reason: str
            outcome = self._attempt(socket, request)
            if isinstance(outcome, dict):
                self._give(endpoint, socket)
                with self._lock:
                    self._down_until.pop(endpoint, None)
                if outcome.get("code") != "overloaded" or attempt >= self._retries:
                    return outcome
                reason = "overloaded"
            else:
                self._close(socket)
                reason = outcome
                if reason == "timeout":
                    sent += 1
                elif reason.startswith("refused:"):
                    # Retried as unreachable: another endpoint may take it.
                    refused[endpoint] = reason[len("refused:"):]
                    reason = "unreachable"
                with self._lock:
                    self._down_until[endpoint] = time.monotonic() + self._down_ms / 1000
            if attempt >= self._retries:
                if sent > 0:
                    raise TimeoutError_(sent, self._timeout_ms)
                if refused:
                    raise HandshakeRefused(list(refused), list(refused.values())[-1])
                raise Unreachable(list(dict.fromkeys(order)), attempt + 1, self._timeout_ms)
            attempt += 1
            if self._on_retry is not None:
                self._on_retry(RetryEvent(attempt, endpoint, reason))
            if reason == "overloaded":
                # Jittered, so that clients told at once do not return at once.
                wait = self._backoff_ms * 2**overloaded / 1000
                overloaded += 1
                time.sleep(wait / 2 + random.random() * wait / 2)

    def _connected(self, socket: zmq.Socket, deadline: float) -> str:
        """Waits for a connection: "" once up, else "unreachable" or
        "refused:not_allowed" / "refused:handshake_failed"."""
        monitor = self._monitors.get(socket)
        poller = zmq.Poller()
        poller.register(socket, zmq.POLLOUT)
        if monitor is not None:
            poller.register(monitor, zmq.POLLIN)
        failure = ""
        while True:
            left = max(0, int((deadline - time.monotonic()) * 1000))
            ready = dict(poller.poll(left))
            # With ZMQ_IMMEDIATE a REQ socket is writable only once a
            # connection (its CURVE handshake included) is up.
            if ready.get(socket, 0) & zmq.POLLOUT:
                self._unwatch(socket)
                return ""
            while monitor is not None and monitor.poll(0):
                event = recv_monitor_message(monitor)["event"]
                if event == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                    failure = "refused:not_allowed"
                elif failure != "refused:not_allowed":
                    failure = "refused:handshake_failed"
                    if event == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL:
                        failure += ":now"
            # A refusal by the server's ZAP handler or a protocol error is
            # final (libzmq gives the endpoint up); a dropped handshake is
            # retried by libzmq, and told only if nothing came up in time.
            if failure in ("refused:not_allowed", "refused:handshake_failed:now"):
                return failure.replace(":now", "")
            if time.monotonic() >= deadline:
                return failure.replace(":now", "") or "unreachable"

    def _attempt(self, socket: zmq.Socket, request: bytes) -> Union[Dict[str, Any], str]:
        """The reply, or why there was none: "unreachable", "timeout", or
        "refused:<reason>"."""
        deadline = time.monotonic() + self._timeout_ms / 1000
        failure = self._connected(socket, deadline)
        if failure:
            return failure
        try:
            socket.send(request, zmq.NOBLOCK)
        except zmq.Again:
            return "unreachable"
        poller = zmq.Poller()
        poller.register(socket, zmq.POLLIN)
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if not poller.poll(left):
            return "timeout"
        frames = socket.recv_multipart(zmq.NOBLOCK)
        try:
            if len(frames) != 1:
                raise ValueError
            value = json.loads(frames[0].decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise BadReply("the reply is not one frame of JSON") from None
        if not isinstance(value, dict):
            raise BadReply("the reply is not a JSON object")
        return value

    def _order(self) -> List[str]:
        with self._lock:
            if self._closed:
                raise KeyServiceError("the client is closed", "closed")
            start = self._next % len(self._endpoints) if self._strategy == "spread" else 0
            self._next += 1
            rotated = self._endpoints[start:] + self._endpoints[:start]
            now = time.monotonic()
            down = {e for e in rotated if self._down_until.get(e, 0) > now}
        return sorted(rotated, key=lambda e: e in down)

    def _take(self, endpoint: str) -> zmq.Socket:
        with self._lock:
            if self._closed:
                raise KeyServiceError("the client is closed", "closed")
            idle = self._idle.get(endpoint)
            if idle:
                return idle.pop()
            socket = self._context.socket(zmq.REQ)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.IMMEDIATE, 1)
        socket.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        if self._curve is not None:
            socket.curve_serverkey = self._curve["server"]
            socket.curve_publickey = self._curve["public"]
            socket.curve_secretkey = self._curve["secret"]
        # Failed handshakes, which libzmq otherwise keeps to itself, until
        # the connection is up.
        monitor = socket.get_monitor_socket(HANDSHAKE_FAILED)
        with self._lock:
            self._monitors[socket] = monitor
        socket.connect(endpoint)
        return socket

    def _unwatch(self, socket: zmq.Socket) -> None:
        with self._lock:
            monitor = self._monitors.pop(socket, None)
        if monitor is not None:
            socket.disable_monitor()
            monitor.close(linger=0)

    def _close(self, socket: zmq.Socket) -> None:
        with self._lock:
            monitor = self._monitors.pop(socket, None)
        if monitor is not None:
            monitor.close(linger=0)
        socket.close(linger=0)

    def _give(self, endpoint: str, socket: zmq.Socket) -> None:
        with self._lock:
            idle = self._idle.setdefault(endpoint, [])
            keep = not self._closed and len(idle) < self._max_idle
            if keep:
                idle.append(socket)
        if not keep:
            self._close(socket)
