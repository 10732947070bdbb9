"""The Python client against the real service.

Run by tests/interop/python_package_test.ts, which starts the service and
passes its endpoint in KEYSERVICE_TEST_ENDPOINT (and a CURVE service in
KEYSERVICE_TEST_CURVE_*). By hand::

    deno task start --endpoint tcp://127.0.0.1:5599 &
    KEYSERVICE_TEST_ENDPOINT=tcp://127.0.0.1:5599 \\
      PYTHONPATH=clients/python/src python3 -m unittest discover clients/python/tests
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import threading
import unittest

import zmq
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.serialization import load_pem_public_key

import keyservice_client as ks
from keyservice_client import KeyServiceClient

ROOT = pathlib.Path(__file__).resolve().parents[3]
CASES = json.loads((ROOT / "tests" / "cases" / "client_cases.json").read_text())["cases"]
ENDPOINT = os.environ.get("KEYSERVICE_TEST_ENDPOINT")
if not ENDPOINT:
    raise SystemExit("KEYSERVICE_TEST_ENDPOINT is not set: start the service first (see this file's docstring)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedRouter:
    """A ROUTER on loopback answering each request from a script:
    a dict (sent as JSON) or None (no reply)."""

    def __init__(self, script: list) -> None:
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.ROUTER)
        self.socket.setsockopt(zmq.LINGER, 0)
        port = self.socket.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.script = list(script)
        self.received = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while self.script:
            if not poller.poll(10_000):
                return
            frames = self.socket.recv_multipart()
            self.received += 1
            answer = self.script.pop(0)
            if answer is not None:
                self.socket.send_multipart(frames[:-1] + [json.dumps(answer).encode()])

    def close(self) -> None:
        self.thread.join(timeout=15)
        self.socket.close()
        self.context.term()


class SharedCases(unittest.TestCase):
    """tests/cases/client_cases.json, as the TypeScript client runs them."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = KeyServiceClient(ENDPOINT, timeout_ms=60_000)
        # "Another key's ciphertext" must reach the decryption: a ciphertext is
        # below its own key's modulus and is refused as malformed
        # (invalid_ciphertext) when it is not below the other key's, so the
        # other key is the one with the larger modulus.
        first, other = sorted(
            (cls.client.generate_keys(), cls.client.generate_keys()),
            key=lambda keys: load_pem_public_key(keys.rsa.public.encode()).public_numbers().n,
        )
        encrypted = cls.client.generate_keys(format="pkcs8", passphrase="correct horse")
        cls.values = {
            "$public": first.rsa.public,
            "$private": first.rsa.private,
            "$fernet": first.fernet,
            "$other_private": other.rsa.private,
            "$encrypted_public": encrypted.rsa.public,
            "$encrypted_private": encrypted.rsa.private,
        }

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return self.values.get(value, value) if isinstance(value, str) else value

    def run_case(self, case) -> object:
        args = {k: self.resolve(v) for k, v in case["args"].items()}
        c = self.client
        call = case["call"]
        if call == "round_trip":
            wrapped = c.encrypt_fernet(args["fernet"], args["rsa_public"], padding=args.get("padding"))
            opened = c.decrypt_fernet(
                wrapped, args["rsa_private"], padding=args.get("padding"), passphrase=args.get("passphrase")
            )
            self.assertEqual(opened, args["fernet"])
            Fernet(opened.encode())  # pyca accepts what came back
            return "ok"
        if call == "encrypt_fernet":
            c.encrypt_fernet(args["fernet"], args["rsa_public"], padding=args.get("padding"))
            return "ok"
        if call == "decrypt_fernet":
            c.decrypt_fernet(args["encrypted_fernet"], args["rsa_private"], padding=args.get("padding"))
            return "ok"
        if call == "generate_keys":
            keys = c.generate_keys(**args)
            Fernet(keys.fernet.encode())
            return "ok"
        if call == "encrypt_fernet_many":
            results = c.encrypt_fernet_many(args["fernet"], args["rsa_publics"], padding=args.get("padding"))
            return ["ok" if isinstance(r, str) else r.code for r in results]
        if call == "request":
            c.request(args)
            return "ok"
        raise AssertionError(f"unknown call {call}")

    def test_cases(self) -> None:
        self.assertGreater(len(CASES), 10)
        for case in CASES:
            with self.subTest(case["name"]):
                try:
                    outcome = self.run_case(case)
                except ks.ServiceError as error:
                    outcome = error.code
                    # Each wire code comes as its own class, code readable on the class.
                    self.assertIs(type(error), ks.SERVICE_ERRORS[error.code])
                    self.assertEqual(type(error).code, error.code)
                self.assertEqual(outcome, case["expect"])


class Transport(unittest.TestCase):
    def test_ping(self) -> None:
        with KeyServiceClient(ENDPOINT) as c:
            reply = c.ping()
        self.assertEqual(reply["status"], "ok")
        self.assertIn("decrypt_fernet", reply["capabilities"]["operations"])

    def test_unreachable_when_nothing_listens(self) -> None:
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        events = []
        with KeyServiceClient(endpoint, timeout_ms=200, retries=2, on_retry=events.append) as c:
            with self.assertRaises(ks.Unreachable) as caught:
                c.ping()
        self.assertEqual(caught.exception.endpoints, [endpoint])
        self.assertEqual([e.reason for e in events], ["unreachable", "unreachable"])

    def test_timeout_after_the_retry_budget(self) -> None:
        silent = ScriptedRouter([None, None])
        try:
            with KeyServiceClient(silent.endpoint, timeout_ms=300, retries=1) as c:
                with self.assertRaises(ks.TimeoutError_) as caught:
                    c.ping()
        finally:
            silent.close()
        self.assertEqual(caught.exception.attempts, 2)
        self.assertEqual(silent.received, 2)

    def test_overloaded_is_retried_then_answered(self) -> None:
        busy = ScriptedRouter([{"error": "busy", "code": "overloaded"}, {"status": "ok"}])
        events = []
        try:
            with KeyServiceClient(busy.endpoint, backoff_ms=10, on_retry=events.append) as c:
                self.assertEqual(c.ping(), {"status": "ok"})
        finally:
            busy.close()
        self.assertEqual([e.reason for e in events], ["overloaded"])

    def test_overloaded_past_the_budget_raises_its_class(self) -> None:
        busy = ScriptedRouter([{"error": "busy", "code": "overloaded"}] * 2)
        try:
            with KeyServiceClient(busy.endpoint, backoff_ms=1, retries=1) as c:
                with self.assertRaises(ks.Overloaded):
                    c.ping()
        finally:
            busy.close()

    def test_failover_to_the_live_endpoint(self) -> None:
        dead = f"tcp://127.0.0.1:{free_port()}"
        with KeyServiceClient([dead, ENDPOINT], strategy="failover", timeout_ms=300) as c:
            self.assertEqual(c.ping()["status"], "ok")
            # The dead endpoint is now tried last: no wait for it.
            self.assertEqual(c._order(), [ENDPOINT, dead])

    def test_plaintext_off_loopback_is_refused(self) -> None:
        # Refused in the constructor: nothing is sent anywhere.
        with self.assertRaises(ks.InsecureEndpoint):
            KeyServiceClient("tcp://192.0.2.1:5555")
        KeyServiceClient("tcp://192.0.2.1:5555", allow_insecure=True).close()
        KeyServiceClient("tcp://[::1]:5555").close()

    def test_an_oversized_reply_frame_is_refused(self) -> None:
        huge = ScriptedRouter([{"status": "x" * (ks.MAX_REPLY_BYTES + 1)}])
        try:
            with KeyServiceClient(huge.endpoint, timeout_ms=500, retries=0) as c:
                with self.assertRaises((ks.TimeoutError_, ks.Unreachable)):
                    c.ping()
        finally:
            huge.close()

    def test_threads_share_one_client(self) -> None:
        with KeyServiceClient(ENDPOINT, max_idle_sockets=2) as c:
            results = []
            threads = [threading.Thread(target=lambda: results.append(c.ping()["status"])) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(results, ["ok"] * 16)
            self.assertLessEqual(len(c._idle[ENDPOINT]), 2)

    def test_closed_client_refuses(self) -> None:
        c = KeyServiceClient(ENDPOINT)
        c.close()
        with self.assertRaises(ks.KeyServiceError):
            c.ping()


@unittest.skipUnless(os.environ.get("KEYSERVICE_TEST_CURVE_ENDPOINT"), "no CURVE service given")
class Curve(unittest.TestCase):
    def test_listed_key_from_the_curve_keypair_file(self) -> None:
        with KeyServiceClient(
            os.environ["KEYSERVICE_TEST_CURVE_ENDPOINT"],
            curve_server_key=os.environ["KEYSERVICE_TEST_CURVE_SERVER_KEY"],
            curve_keypair_file=os.environ["KEYSERVICE_TEST_CURVE_CLIENT_FILE"],
        ) as c:
            keys = c.generate_keys()
            wrapped = c.encrypt_fernet(keys.fernet, keys.rsa.public)
            self.assertEqual(c.decrypt_fernet(wrapped, keys.rsa.private), keys.fernet)

    def test_unlisted_key_is_handshake_refused(self) -> None:
        endpoint = os.environ["KEYSERVICE_TEST_CURVE_ENDPOINT"]
        with KeyServiceClient(
            endpoint,
            curve_server_key=os.environ["KEYSERVICE_TEST_CURVE_SERVER_KEY"],
            timeout_ms=300,
            retries=1,
        ) as c:
            with self.assertRaises(ks.HandshakeRefused) as caught:
                c.ping()
        self.assertEqual(caught.exception.code, "handshake_refused")
        self.assertEqual(ks.HandshakeRefused.code, "handshake_refused")
        self.assertEqual(caught.exception.reason, "not_allowed")
        self.assertEqual(caught.exception.endpoints, [endpoint])

    def test_wrong_server_key_is_handshake_refused(self) -> None:
        public, _ = zmq.curve_keypair()
        with KeyServiceClient(
            os.environ["KEYSERVICE_TEST_CURVE_ENDPOINT"],
            curve_server_key=public.decode(),
            curve_keypair_file=os.environ["KEYSERVICE_TEST_CURVE_CLIENT_FILE"],
            timeout_ms=500,
            retries=0,
        ) as c:
            with self.assertRaises(ks.HandshakeRefused) as caught:
                c.ping()
        self.assertEqual(caught.exception.reason, "handshake_failed")


class Keystore(unittest.TestCase):
    """Contract v1.2 against the service's own keystore (one tenant, no CURVE)."""

    def setUp(self) -> None:
        self.client = KeyServiceClient(ENDPOINT, timeout_ms=10_000)
        self.key_id = f"py-{os.urandom(6).hex()}"

    def tearDown(self) -> None:
        self.client.close()

    def test_create_show_list_rotate_and_use_by_key_id(self) -> None:
        created = self.client.create_key(self.key_id, deletion_allowed=True)
        self.assertEqual(created["key_id"], self.key_id)
        self.assertEqual(created["latest_version"], 1)
        self.assertNotIn("PRIVATE KEY", json.dumps(created))
        fernet = Fernet.generate_key().decode()
        wrapped = self.client.encrypt_fernet(fernet, key_id=self.key_id)
        self.assertTrue(wrapped.startswith("ks:v1:"))
        self.assertEqual(self.client.decrypt_fernet(wrapped, key_id=self.key_id), fernet)
        self.assertIn(self.key_id, [key["key_id"] for key in self.client.list_keys()])
        self.assertEqual(self.client.rotate_key(self.key_id)["latest_version"], 2)
        self.assertEqual(len(self.client.show_key(self.key_id)["versions"]), 2)
        [rewrapped] = self.client.rewrap_fernet(self.key_id, [wrapped])
        self.assertIsInstance(rewrapped, str)
        self.assertTrue(rewrapped.startswith("ks:v2:"))
        self.assertEqual(self.client.decrypt_fernet(rewrapped, key_id=self.key_id), fernet)
        data_key, data_wrapped = self.client.generate_data_key(self.key_id)
        self.assertEqual(self.client.decrypt_fernet(data_wrapped, key_id=self.key_id), data_key)
        self.client.configure_key(self.key_id, min_decryption_version=2)
        with self.assertRaises(ks.KeyVersionBelowMinimum):
            self.client.decrypt_fernet(wrapped, key_id=self.key_id)
        self.assertEqual(self.client.trim_key(self.key_id), 1)
        with self.assertRaises(ks.KeyVersionNotFound):
            self.client.decrypt_fernet("ks:v9:" + wrapped[6:], key_id=self.key_id)
        self.client.delete_key(self.key_id)
        with self.assertRaises(ks.KeyNotFound):
            self.client.show_key(self.key_id)

    def test_list_keys_pages_cover_every_key_once(self) -> None:
        ids = [f"{self.key_id}-{i}" for i in range(3)]
        for key_id in ids:
            self.client.create_key(key_id)
        seen, cursor = [], None
        while True:
            page = self.client.list_keys_page(limit=1, cursor=cursor)
            self.assertLessEqual(len(page["keys"]), 1)
            seen.extend(key["key_id"] for key in page["keys"])
            if not page["more"]:
                self.assertNotIn("next_cursor", page)
                break
            cursor = page["next_cursor"]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual([k for k in seen if k.startswith(self.key_id)], ids)
        self.assertEqual(seen, [key["key_id"] for key in self.client.list_keys()])

    def test_refusals_come_as_their_classes(self) -> None:
        self.client.create_key(self.key_id)
        with self.assertRaises(ks.KeyExists):
            self.client.create_key(self.key_id)
        with self.assertRaises(ks.DeletionNotAllowed):
            self.client.delete_key(self.key_id)
        with self.assertRaises(ValueError):
            self.client.encrypt_fernet("x", "pem", key_id=self.key_id)


class Errors(unittest.TestCase):
    def test_every_class_has_its_code_on_the_class(self) -> None:
        for code, cls in ks.SERVICE_ERRORS.items():
            self.assertEqual(cls.code, code)
            self.assertTrue(issubclass(cls, ks.ServiceError))

    def test_unknown_code_is_a_plain_service_error(self) -> None:
        error = ks.error_from_reply({"error": "new", "code": "from_the_future"})
        self.assertIs(type(error), ks.ServiceError)
        self.assertEqual(error.code, "from_the_future")

    def test_seed_style_reply_without_code(self) -> None:
        self.assertEqual(ks.error_from_reply({"error": "Invalid request type"}).code, "error")


if __name__ == "__main__":
    unittest.main()
