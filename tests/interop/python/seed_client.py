"""A seed client of the key service, as the Secure Messenger writes it.

Usage: /usr/bin/python3 seed_client.py ENDPOINT [SECRETS_FILE] [--no-timing]

Talks to the service at ENDPOINT (e.g. tcp://127.0.0.1:5555) the way the
Python clients of the seed service do: a pyzmq REQ socket, `send_json` and
`recv_json`, python-rsa (`rsa`) for RSA and pyca/cryptography for Fernet. It
checks every reply against docs/contract.md, prints one line per
check (`ok <check>`), the median round trip of each operation
(`timing <type> median_ms=...`), and `ALL OK` last. On the first failure it
prints `FAIL: <check>: <why>` and exits 1.

When SECRETS_FILE is given, it writes there (JSON) every piece of key
material the service saw or produced in this run: private and public PEMs
and Fernet keys, so that a caller can check that none of it reached the
service's logs.
"""

import argparse
import base64
import binascii
import json
import re
import statistics
import sys
import time

import rsa
import zmq
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding

TIMEOUT_MS = 60_000
PUBLIC_BEGIN = "-----BEGIN RSA PUBLIC KEY-----\n"
PUBLIC_END = "-----END RSA PUBLIC KEY-----\n"
PRIVATE_BEGIN = "-----BEGIN RSA PRIVATE KEY-----\n"
PRIVATE_END = "-----END RSA PRIVATE KEY-----\n"
STANDARD_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
URLSAFE_B64 = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")


class CheckFailed(Exception):
    """A reply broke the contract."""


# Key material that went through the service in this run.
SECRETS = {"private_pems": [], "public_pems": [], "fernet_keys": []}


def remember(kind, value):
    if isinstance(value, bytes):
        value = value.decode("ascii")
    if isinstance(value, str) and value not in SECRETS[kind]:
        SECRETS[kind].append(value)


def check(name, condition=True, why=""):
    if not condition:
        raise CheckFailed(f"{name}: {why}" if why else name)
    print(f"ok {name}", flush=True)


def expect(name, condition=True, why=""):
    """Like check, silent on success (for checks repeated in loops)."""
    if not condition:
        raise CheckFailed(f"{name}: {why}" if why else name)


def new_socket(context, endpoint):
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    socket.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    socket.connect(endpoint)
    return socket


def receive(socket, what):
    """recv_json, as a seed client does, failing clearly on a timeout."""
    try:
        reply = socket.recv_json()
    except zmq.Again:
        raise CheckFailed(f"{what}: no reply within {TIMEOUT_MS / 1000:.0f} s")
    except ValueError as error:
        raise CheckFailed(f"{what}: reply is not UTF-8 JSON ({error})")
    if socket.getsockopt(zmq.RCVMORE):
        raise CheckFailed(f"{what}: reply has more than one frame")
    if not isinstance(reply, dict):
        raise CheckFailed(f"{what}: reply is not a JSON object: {reply!r}")
    return reply


def call(socket, request):
    """One request/reply; returns (reply, milliseconds)."""
    started = time.perf_counter()
    socket.send_json(request)
    reply = receive(socket, f"request {request.get('type')!r}")
    return reply, (time.perf_counter() - started) * 1000


def succeed(socket, request):
    """One request that must succeed; returns the reply."""
    reply, _ = call(socket, request)
    if "error" in reply:
        raise CheckFailed(
            f"{request.get('type')}: error reply {reply!r}")
    return reply


def string_field(reply, name, what):
    value = reply.get(name)
    if not isinstance(value, str):
        raise CheckFailed(f"{what}: reply field {name!r} is not a string: "
                          f"{json.dumps(reply)[:200]}")
    return value


def check_generated(reply, what, verbose):
    """Checks a generate_keys reply; returns (public PEM, private PEM,
    fernet, rsa.PublicKey, rsa.PrivateKey)."""
    say = check if verbose else expect
    keys = reply.get("rsa")
    say(f"{what}: reply has rsa object", isinstance(keys, dict), repr(reply)[:200])
    public = string_field(keys, "public", what)
    private = string_field(keys, "private", what)
    fernet = string_field(reply, "fernet", what)
    remember("public_pems", public)
    remember("private_pems", private)
    remember("fernet_keys", fernet)

    say(f"{what}: public PEM armour",
        public.startswith(PUBLIC_BEGIN) and public.endswith(PUBLIC_END),
        repr(public[:40] + "..." + public[-40:]))
    say(f"{what}: private PEM armour",
        private.startswith(PRIVATE_BEGIN) and private.endswith(PRIVATE_END),
        "first/last line wrong")
    try:
        pub = rsa.PublicKey.load_pkcs1(public.encode("ascii"))
    except Exception as error:
        raise CheckFailed(f"{what}: rsa.PublicKey.load_pkcs1 failed: {error!r}")
    say(f"{what}: rsa.PublicKey.load_pkcs1 loads public")
    try:
        priv = rsa.PrivateKey.load_pkcs1(private.encode("ascii"))
    except Exception as error:
        raise CheckFailed(f"{what}: rsa.PrivateKey.load_pkcs1 failed: "
                          f"{type(error).__name__}")
    say(f"{what}: rsa.PrivateKey.load_pkcs1 loads private")
    say(f"{what}: public save_pkcs1() round-trips byte for byte",
        pub.save_pkcs1() == public.encode("ascii"),
        f"service sent {public!r}, python-rsa writes {pub.save_pkcs1()!r}")
    say(f"{what}: private save_pkcs1() round-trips byte for byte",
        priv.save_pkcs1() == private.encode("ascii"),
        "python-rsa writes different bytes (layout, version or CRT values)")
    say(f"{what}: n has 2048 bits", pub.n.bit_length() == 2048,
        f"{pub.n.bit_length()} bits")
    say(f"{what}: e == 65537", pub.e == 65537, f"e = {pub.e}")
    say(f"{what}: private key matches public key",
        (priv.n, priv.e) == (pub.n, pub.e), "n or e differ")
    say(f"{what}: p * q == n and e * d == 1 mod lcm(p-1, q-1)",
        priv.p * priv.q == priv.n and priv.p != priv.q
        and (priv.e * priv.d) % ((priv.p - 1) * (priv.q - 1)
                                 // _gcd(priv.p - 1, priv.q - 1)) == 1,
        "inconsistent private key")
    try:
        serialization.load_pem_private_key(private.encode("ascii"), None)
        serialization.load_pem_public_key(public.encode("ascii"))
    except Exception as error:
        raise CheckFailed(f"{what}: pyca cryptography rejects the PEMs: "
                          f"{type(error).__name__}")
    say(f"{what}: pyca cryptography loads both PEMs")

    say(f"{what}: fernet key is 44 characters", len(fernet) == 44,
        f"{len(fernet)} characters: {fernet!r}")
    say(f"{what}: fernet key is URL-safe base64 of 32 bytes",
        URLSAFE_B64.match(fernet) is not None
        and len(base64.urlsafe_b64decode(fernet)) == 32, repr(fernet))
    try:
        Fernet(fernet)
    except Exception as error:
        raise CheckFailed(f"{what}: Fernet(key) rejects it: {error!r}")
    say(f"{what}: cryptography.fernet.Fernet(key) accepts it")
    return public, private, fernet, pub, priv


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def ciphertext_of(reply, what, verbose, modulus_bytes=256):
    say = check if verbose else expect
    text = string_field(reply, "encrypted_fernet", what)
    say(f"{what}: encrypted_fernet is standard base64 with padding",
        STANDARD_B64.match(text) is not None and len(text) % 4 == 0,
        repr(text[:80]))
    try:
        ciphertext = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise CheckFailed(f"{what}: base64.b64decode fails: {error}")
    say(f"{what}: ciphertext is {modulus_bytes} bytes",
        len(ciphertext) == modulus_bytes, f"{len(ciphertext)} bytes")
    return text, ciphertext


def rsa_decrypt(ciphertext, priv, what):
    try:
        return rsa.decrypt(ciphertext, priv)
    except rsa.DecryptionError as error:
        raise CheckFailed(f"{what}: rsa.decrypt fails: {error}")


def run(endpoint, timing):
    context = zmq.Context()
    socket = new_socket(context, endpoint)
    try:
        # --- generate_keys -------------------------------------------------
        reply = succeed(socket, {"type": "generate_keys"})
        public, private, fernet, pub, priv = check_generated(
            reply, "generate_keys", True)

        # --- encrypt_fernet ------------------------------------------------
        reply = succeed(socket, {"type": "encrypt_fernet", "fernet": fernet,
                                 "rsa_public": public})
        text, ciphertext = ciphertext_of(reply, "encrypt_fernet", True)
        check("encrypt_fernet: rsa.decrypt(b64decode(x), priv) == fernet",
              rsa_decrypt(ciphertext, priv, "encrypt_fernet")
              == fernet.encode(), "plaintext differs")
        pyca_priv = serialization.load_pem_private_key(private.encode(), None)
        check("encrypt_fernet: pyca PKCS1v15 decrypt agrees",
              pyca_priv.decrypt(ciphertext, padding.PKCS1v15())
              == fernet.encode())
        again = succeed(socket, {"type": "encrypt_fernet", "fernet": fernet,
                                 "rsa_public": public})
        check("encrypt_fernet: padding is random (two ciphertexts differ)",
              again.get("encrypted_fernet") != text, "same ciphertext twice")

        # --- python-rsa's own keys ----------------------------------------
        own_pub, own_priv = rsa.newkeys(2048)
        own_pub_pem = own_pub.save_pkcs1().decode("ascii")
        own_priv_pem = own_priv.save_pkcs1().decode("ascii")
        remember("public_pems", own_pub_pem)
        remember("private_pems", own_priv_pem)
        own_fernet = Fernet.generate_key().decode("ascii")
        remember("fernet_keys", own_fernet)
        ciphertext = rsa.encrypt(own_fernet.encode(), own_pub)
        reply = succeed(socket, {
            "type": "decrypt_fernet",
            "encrypted_fernet": base64.b64encode(ciphertext).decode("ascii"),
            "rsa_private": own_priv_pem,
        })
        check("decrypt_fernet: decrypts rsa.encrypt() under rsa.newkeys(2048) keys",
              reply.get("fernet") == own_fernet,
              f"got {reply.get('fernet')!r}")
        reply = succeed(socket, {"type": "encrypt_fernet", "fernet": own_fernet,
                                 "rsa_public": own_pub_pem})
        _, ciphertext = ciphertext_of(reply, "encrypt_fernet (own key)", False)
        check("encrypt_fernet: rsa.decrypt with rsa.newkeys(2048) key gives fernet",
              rsa_decrypt(ciphertext, own_priv, "encrypt_fernet (own key)")
              == own_fernet.encode())
        ciphertext = rsa.encrypt(fernet.encode(), pub)
        reply = succeed(socket, {
            "type": "decrypt_fernet",
            "encrypted_fernet": base64.b64encode(ciphertext).decode("ascii"),
            "rsa_private": private,
        })
        check("decrypt_fernet: decrypts rsa.encrypt() under the service's keys",
              reply.get("fernet") == fernet, f"got {reply.get('fernet')!r}")

        # --- the Secure Messenger flow ------------------------------------
        alice = succeed(socket, {"type": "generate_keys"})
        alice_public, alice_private, _, _, _ = check_generated(
            alice, "messenger alice", False)
        bob = succeed(socket, {"type": "generate_keys"})
        _, _, bob_fernet, _, _ = check_generated(bob, "messenger bob", False)
        check("messenger: alice and bob got different keys",
              alice_public != bob["rsa"]["public"]
              and alice["fernet"] != bob_fernet)
        sealed = succeed(socket, {"type": "encrypt_fernet",
                                  "fernet": bob_fernet,
                                  "rsa_public": alice_public})
        ciphertext_of(sealed, "messenger bob seals", False)
        opened = succeed(socket, {"type": "decrypt_fernet",
                                  "encrypted_fernet": sealed["encrypted_fernet"],
                                  "rsa_private": alice_private})
        check("messenger: alice recovers bob's Fernet key",
              opened.get("fernet") == bob_fernet,
              f"got {opened.get('fernet')!r}")
        message = "Hi Alice, it's Bob. \u00a1Hola! \U0001F510".encode("utf-8")
        token = Fernet(bob_fernet.encode()).encrypt(message)
        check("messenger: alice decrypts bob's Fernet message",
              Fernet(opened["fernet"].encode()).decrypt(token) == message)
        answer = Fernet(opened["fernet"].encode()).encrypt(b"Hi Bob")
        check("messenger: bob decrypts alice's answer",
              Fernet(bob_fernet.encode()).decrypt(answer) == b"Hi Bob")

        # --- errors ---------------------------------------------------------
        reply, _ = call(socket, {"type": "no_such_type"})
        check('unknown type: reply["error"] == "Invalid request type"',
              reply.get("error") == "Invalid request type", repr(reply))
        socket.send(b"not json")
        reply = receive(socket, "malformed request b'not json'")
        check("malformed request: reply is a JSON object with \"error\"",
              "error" in reply and isinstance(reply["error"], str),
              repr(reply))
        reply = succeed(socket, {"type": "encrypt_fernet", "fernet": fernet,
                                 "rsa_public": public})
        _, ciphertext = ciphertext_of(reply, "after errors", False)
        check("after errors: the service still answers correctly",
              rsa_decrypt(ciphertext, priv, "after errors") == fernet.encode())

        # --- as seed clients connect: tcp://localhost:PORT ---------------
        if "://127.0.0.1:" in endpoint:
            local = new_socket(context, endpoint.replace("127.0.0.1",
                                                         "localhost"))
            try:
                reply = succeed(local, {"type": "encrypt_fernet",
                                        "fernet": fernet,
                                        "rsa_public": public})
            finally:
                local.close(0)
            _, ciphertext = ciphertext_of(reply, "localhost", False)
            check("localhost endpoint: a REQ socket on tcp://localhost works",
                  rsa_decrypt(ciphertext, priv, "localhost")
                  == fernet.encode())

        # --- timing (one REQ socket, end to end) --------------------------
        if timing:
            measure(socket, public, private, fernet, pub, priv)
    finally:
        socket.close(0)
        context.term()


def measure(socket, public, private, fernet, pub, priv):
    times = {"generate_keys": [], "encrypt_fernet": [], "decrypt_fernet": []}
    moduli = {pub.n}
    fernets = {fernet}
    for i in range(10):
        reply, ms = call(socket, {"type": "generate_keys"})
        times["generate_keys"].append(ms)
        expect("timing generate_keys", "error" not in reply, repr(reply))
        _, _, key, gen_pub, _ = check_generated(
            reply, f"timing generate_keys #{i}", False)
        moduli.add(gen_pub.n)
        fernets.add(key)
    check("generate_keys: every key pair and Fernet key is fresh",
          len(moduli) == 11 and len(fernets) == 11,
          f"{len(moduli)} moduli, {len(fernets)} Fernet keys in 11 replies")
    request = {"type": "encrypt_fernet", "fernet": fernet, "rsa_public": public}
    for _ in range(20):
        reply, ms = call(socket, request)
        times["encrypt_fernet"].append(ms)
        _, ciphertext = ciphertext_of(reply, "timing encrypt_fernet", False)
        expect("timing encrypt_fernet: decrypts",
               rsa_decrypt(ciphertext, priv, "timing") == fernet.encode())
    request = {
        "type": "decrypt_fernet",
        "encrypted_fernet": base64.b64encode(
            rsa.encrypt(fernet.encode(), pub)).decode("ascii"),
        "rsa_private": private,
    }
    for _ in range(20):
        reply, ms = call(socket, request)
        times["decrypt_fernet"].append(ms)
        expect("timing decrypt_fernet", reply.get("fernet") == fernet,
               repr(reply)[:200])
    check("timing: every timed reply was correct")
    for kind, values in times.items():
        print(f"timing {kind} median_ms={statistics.median(values):.2f} "
              f"n={len(values)} min_ms={min(values):.2f} "
              f"max_ms={max(values):.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint", help="e.g. tcp://127.0.0.1:5555")
    parser.add_argument("secrets_file", nargs="?",
                        help="where to write the key material seen (JSON)")
    parser.add_argument("--no-timing", action="store_true",
                        help="skip the timed requests")
    args = parser.parse_args()
    status = 0
    try:
        run(args.endpoint, not args.no_timing)
        print("ALL OK", flush=True)
    except CheckFailed as error:
        print(f"FAIL: {error}", flush=True)
        print(f"seed_client: FAIL: {error}", file=sys.stderr, flush=True)
        status = 1
    except Exception as error:
        print(f"FAIL: unexpected {type(error).__name__}: {error}", flush=True)
        print(f"seed_client: FAIL: unexpected {type(error).__name__}: {error}",
              file=sys.stderr, flush=True)
        status = 1
    finally:
        if args.secrets_file:
            with open(args.secrets_file, "w", encoding="utf-8") as file:
                json.dump(SECRETS, file)
    return status


if __name__ == "__main__":
    sys.exit(main())
