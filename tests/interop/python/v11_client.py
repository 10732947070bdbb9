"""A Python client of the key service's contract v1.1 options (issue 8).

Usage: /usr/bin/python3 v11_client.py ENDPOINT [--scenario NAME ...]
       [--iterations N]

Talks to the service at ENDPOINT (e.g. tcp://127.0.0.1:5555) with a pyzmq
REQ socket, and checks the v1.1 options against pyca/cryptography and
python-rsa, the libraries real clients use:

  ours        generate_keys "format": "pkcs8" and "passphrase": SPKI, PKCS#8
              and encrypted PKCS#8 PEMs opened by cryptography, byte for byte
              what cryptography writes, PBES2 parameters as the contract says
              (N PBKDF2 iterations, --iterations, default 100000)
  theirs      cryptography's 2048/3072/4096-bit keys as SPKI, PKCS#1,
              PKCS#8 and encrypted PKCS#8 (BestAvailableEncryption) accepted,
              with PKCS#1 v1.5 and OAEP-SHA-256 both ways
  many        encrypt_fernet_many: one result per recipient, in order, a
              per-recipient error for a bad key, each result opened by its
              recipient
  many-256    encrypt_fernet_many with 256 recipients (the contract's
              bound), and 257 refused
  bits        generate_keys "bits": 3072 and 4096
  python-rsa  python-rsa still reads every default-option reply
  errors      the error codes of the v1.1 options

Prints one line per check, `ok <check>` or `FAIL <check>: <why>` (with the
service's reply), and `info ...` lines that are not checks. Runs every
check of every scenario asked for (all by default) even after a failure,
and ends with `ALL OK` (exit 0) or `FAILED <n> checks` (exit 1).
"""

import argparse
import base64
import json
import re
import sys
import traceback

import rsa
import zmq
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric import rsa as crsa

TIMEOUT_MS = 120_000
PASSPHRASE = "correct horse battery staple"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                    algorithm=hashes.SHA256(), label=None)
PKCS1V15 = padding.PKCS1v15()
PADDINGS = {"pkcs1v15": PKCS1V15, "oaep-sha256": OAEP}
STANDARD_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_HMAC_SHA1 = "1.2.840.113549.2.7"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
OID_NAMES = {
    OID_PBES2: "PBES2",
    OID_PBKDF2: "PBKDF2",
    OID_HMAC_SHA1: "hmacWithSHA1",
    OID_HMAC_SHA256: "hmacWithSHA256",
    OID_AES256_CBC: "aes-256-cbc",
}

FAILURES = []


class Unusable(Exception):
    """A reply so far off that the checks depending on it cannot run."""


def check(name, condition=True, why=""):
    """Prints `ok name`, or `FAIL name: why` and records the failure."""
    if condition:
        print(f"ok {name}", flush=True)
    else:
        FAILURES.append(name)
        print(f"FAIL {name}: {why}" if why else f"FAIL {name}", flush=True)
    return bool(condition)


def info(text):
    print(f"info {text}", flush=True)


def shown(reply, limit=400):
    """A reply for a failure message: error replies in full, others cut."""
    text = json.dumps(reply)
    return text if len(text) <= limit else text[:limit] + "..."


class Service:
    """One REQ socket; a new one after a timeout (a REQ socket that got no
    reply cannot send again)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.context = zmq.Context()
        self.socket = None
        self._connect()

    def _connect(self):
        if self.socket is not None:
            self.socket.close(0)
        self.socket = self.context.socket(zmq.REQ)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
        self.socket.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
        self.socket.connect(self.endpoint)

    def call(self, request):
        """One request; the reply as a dict (raises Unusable otherwise)."""
        try:
            self.socket.send_json(request)
            reply = self.socket.recv_json()
        except zmq.Again:
            self._connect()
            why = f"no reply to {request.get('type')!r} in {TIMEOUT_MS} ms"
            check(f"request {request.get('type')!r} answered", False, why)
            raise Unusable(why)
        if not isinstance(reply, dict):
            why = f"reply is not a JSON object: {reply!r}"
            check(f"request {request.get('type')!r} answered", False, why)
            raise Unusable(why)
        return reply

    def succeed(self, request, what):
        """One request that must succeed: a check, and the reply."""
        reply = self.call(request)
        if not check(f"{what}: request succeeds", "error" not in reply,
                     f"service replied {shown(reply)}"):
            raise Unusable(f"{what} failed")
        return reply

    def close(self):
        self.socket.close(0)
        self.context.term()


# --- helpers ---------------------------------------------------------------

def pem_layout_problem(pem, label):
    """Why `pem` is not one `label` block in 64 columns, LF, final LF; or
    None."""
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if not pem.endswith("\n"):
        return "no final LF"
    if "\r" in pem:
        return "has CR characters"
    lines = pem[:-1].split("\n")
    if lines[0] != begin:
        return f"first line is {lines[0]!r}, not {begin!r}"
    if lines[-1] != end:
        return f"last line is {lines[-1]!r}, not {end!r}"
    body = lines[1:-1]
    if not body:
        return "empty body"
    if any(len(line) != 64 for line in body[:-1]):
        return f"body lines of {sorted({len(l) for l in body[:-1]})} columns"
    if not 0 < len(body[-1]) <= 64:
        return f"last body line has {len(body[-1])} columns"
    if not all(STANDARD_B64.match(line) for line in body):
        return "body is not base64"
    return None


def check_pem_layout(what, pem, label):
    problem = pem_layout_problem(pem, label)
    check(f"{what}: {label} PEM, 64 columns, LF, final LF", problem is None,
          f"{problem}: {pem[:40]!r}...{pem[-40:]!r}")


def pem_der(pem):
    body = "".join(l for l in pem.strip().split("\n")
                   if not l.startswith("-----"))
    return base64.b64decode(body)


def der_item(data, pos):
    """(tag, content start, content end) of the DER item at pos."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, pos, pos + length


def der_children(data, start, end):
    items = []
    while start < end:
        tag, content, after = der_item(data, start)
        items.append((tag, content, after))
        start = after
    return items


def der_oid(data, start, end):
    raw = data[start:end]
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def pbes2_parameters(pem):
    """The PBES2 parameters of an ENCRYPTED PRIVATE KEY PEM, as a dict."""
    der = pem_der(pem)
    _, start, end = der_item(der, 0)
    (alg_tag, alg_start, alg_end), (data_tag, data_start, data_end) = \
        der_children(der, start, end)
    oid, params = der_children(der, alg_start, alg_end)
    result = {"scheme": der_oid(der, oid[1], oid[2]),
              "encrypted_bytes": data_end - data_start}
    kdf, cipher = der_children(der, params[1], params[2])
    kdf_oid, kdf_params = der_children(der, kdf[1], kdf[2])
    result["kdf"] = der_oid(der, kdf_oid[1], kdf_oid[2])
    fields = der_children(der, kdf_params[1], kdf_params[2])
    result["salt_bytes"] = fields[0][2] - fields[0][1]
    result["iterations"] = int.from_bytes(der[fields[1][1]:fields[1][2]],
                                          "big")
    result["key_length"] = None
    result["prf"] = OID_HMAC_SHA1  # the DEFAULT when absent
    for tag, content, after in fields[2:]:
        if tag == 0x02:
            result["key_length"] = int.from_bytes(der[content:after], "big")
        elif tag == 0x30:
            prf_oid = der_children(der, content, after)[0]
            result["prf"] = der_oid(der, prf_oid[1], prf_oid[2])
    cipher_oid, iv = der_children(der, cipher[1], cipher[2])
    result["cipher"] = der_oid(der, cipher_oid[1], cipher_oid[2])
    result["iv_bytes"] = iv[2] - iv[1]
    result["salt"] = der[fields[0][1]:fields[0][2]]
    return result


def describe_pbes2(params):
    return (f"{OID_NAMES.get(params['scheme'], params['scheme'])} "
            f"{OID_NAMES.get(params['kdf'], params['kdf'])} "
            f"prf={OID_NAMES.get(params['prf'], params['prf'])} "
            f"cipher={OID_NAMES.get(params['cipher'], params['cipher'])} "
            f"iterations={params['iterations']} "
            f"salt_bytes={params['salt_bytes']} iv_bytes={params['iv_bytes']}")


def b64(data):
    return base64.b64encode(data).decode("ascii")


def new_fernet():
    return Fernet.generate_key().decode("ascii")


def ciphertext_of(what, reply, modulus_bytes):
    """The decoded encrypted_fernet of reply, checked to be standard base64
    of modulus_bytes bytes; None when it is not."""
    text = reply.get("encrypted_fernet")
    if not check(f"{what}: encrypted_fernet is standard base64",
                 isinstance(text, str) and STANDARD_B64.match(text)
                 and len(text) % 4 == 0, f"reply {shown(reply)}"):
        return None
    ciphertext = base64.b64decode(text)
    check(f"{what}: ciphertext is {modulus_bytes} bytes",
          len(ciphertext) == modulus_bytes, f"{len(ciphertext)} bytes")
    return ciphertext


def opens(what, private_key, ciphertext, pad, expected):
    """Checks that cryptography decrypts ciphertext to expected."""
    if ciphertext is None:
        return check(what, False, "no ciphertext")
    try:
        plaintext = private_key.decrypt(ciphertext, pad)
    except Exception as error:
        return check(what, False, f"cryptography: {type(error).__name__}: "
                     f"{error}")
    return check(what, plaintext == expected.encode("utf-8"),
                 f"got {plaintext!r}")


def decrypts(service, what, request, expected):
    """decrypt_fernet must answer {"fernet": expected}."""
    reply = service.call({"type": "decrypt_fernet", **request})
    return check(what, reply.get("fernet") == expected and "error" not in reply,
                 f"service replied {shown(reply)}")


def fails_with(service, what, request, code):
    """The request must fail with `code`, keeping the seed's "error"."""
    reply = service.call(request)
    return check(f"{what} -> {code}",
                 isinstance(reply.get("error"), str)
                 and reply.get("code") == code,
                 f"service replied {shown(reply)}")


def pem_str(data):
    return data.decode("ascii")


def spki(key):
    return pem_str(key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))


def pkcs1_public(key):
    return pem_str(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))


def pkcs8(key):
    return pem_str(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def traditional(key):
    return pem_str(key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))


def encrypted_pkcs8(key, passphrase):
    return pem_str(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))))


def keys_of(service, request, what):
    """generate_keys with options; (public PEM, private PEM, fernet)."""
    reply = service.succeed({"type": "generate_keys", **request}, what)
    keys = reply.get("rsa") if isinstance(reply.get("rsa"), dict) else {}
    public, private = keys.get("public"), keys.get("private")
    fernet = reply.get("fernet")
    if not check(f"{what}: reply has rsa.public, rsa.private and fernet "
                 "strings",
                 all(isinstance(v, str) for v in (public, private, fernet)),
                 f"service replied {shown(reply)}"):
        raise Unusable(what)
    try:
        Fernet(fernet.encode("ascii"))
        good = len(fernet) == 44
    except Exception:
        good = False
    check(f"{what}: fernet is a 44-character Fernet key", good, repr(fernet))
    return public, private, fernet


# --- ours: SPKI, PKCS#8 and encrypted PKCS#8 from the service -------------

def check_plain_pkcs8(service, bits, request, what):
    public, private, fernet = keys_of(service, request, what)
    check_pem_layout(what + " public", public, "PUBLIC KEY")
    check_pem_layout(what + " private", private, "PRIVATE KEY")
    try:
        pub = serialization.load_pem_public_key(public.encode("ascii"))
        priv = serialization.load_pem_private_key(private.encode("ascii"),
                                                  None)
    except Exception as error:
        check(f"{what}: cryptography loads SPKI and PKCS#8", False,
              f"{type(error).__name__}: {error}")
        return
    check(f"{what}: cryptography loads SPKI and PKCS#8 as RSA keys",
          isinstance(pub, crsa.RSAPublicKey)
          and isinstance(priv, crsa.RSAPrivateKey),
          f"{type(pub).__name__}, {type(priv).__name__}")
    check(f"{what}: key_size == {bits}, e == 65537",
          pub.key_size == bits and priv.key_size == bits
          and pub.public_numbers().e == 65537,
          f"key_size {pub.key_size}/{priv.key_size}, "
          f"e {pub.public_numbers().e}")
    check(f"{what}: private key matches public key",
          priv.public_key().public_numbers() == pub.public_numbers())
    again = priv.private_bytes(serialization.Encoding.PEM,
                               serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption()).decode("ascii")
    check(f"{what}: PKCS#8 PEM byte-identical to cryptography's "
          "private_bytes(PEM, PKCS8, NoEncryption())", again == private,
          "cryptography writes different bytes")
    again = pub.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    check(f"{what}: SPKI PEM byte-identical to cryptography's "
          "public_bytes(PEM, SubjectPublicKeyInfo)", again == public,
          f"service {public!r}, cryptography {again!r}")
    numbers = priv.private_numbers()
    check(f"{what}: p * q == n",
          numbers.p * numbers.q == numbers.public_numbers.n)

    for name, pad in PADDINGS.items():
        reply = service.succeed({"type": "encrypt_fernet", "fernet": fernet,
                                 "rsa_public": public, "padding": name},
                                f"{what} encrypt_fernet {name} with SPKI")
        ciphertext = ciphertext_of(f"{what} encrypt_fernet {name}", reply,
                                   bits // 8)
        opens(f"{what}: cryptography {name} decrypts encrypt_fernet "
              f"(padding {name}, SPKI key)", priv, ciphertext, pad, fernet)
        ciphertext = pub.encrypt(fernet.encode(), pad)
        decrypts(service, f"{what}: decrypt_fernet (padding {name}, PKCS#8 "
                 f"key) opens cryptography's {name} ciphertext",
                 {"encrypted_fernet": b64(ciphertext), "rsa_private": private,
                  "padding": name}, fernet)
    reply = service.succeed({"type": "encrypt_fernet", "fernet": fernet,
                             "rsa_public": public},
                            f"{what} encrypt_fernet without padding")
    ciphertext = ciphertext_of(f"{what} encrypt_fernet without padding",
                               reply, bits // 8)
    opens(f"{what}: no padding field means PKCS#1 v1.5", priv, ciphertext,
          PKCS1V15, fernet)


def check_encrypted(service, bits, request, passphrase, iterations, what):
    public, private, fernet = keys_of(service, request, what)
    check_pem_layout(what + " public", public, "PUBLIC KEY")
    check_pem_layout(what + " private", private, "ENCRYPTED PRIVATE KEY")
    secret = passphrase.encode("utf-8")
    try:
        params = pbes2_parameters(private)
    except Exception as error:
        check(f"{what}: EncryptedPrivateKeyInfo parses", False,
              f"{type(error).__name__}: {error}")
        params = None
    if params is not None:
        info(f"{what}: {describe_pbes2(params)}")
        check(f"{what}: PBES2 with PBKDF2", params["scheme"] == OID_PBES2
              and params["kdf"] == OID_PBKDF2, describe_pbes2(params))
        check(f"{what}: PBKDF2 PRF is hmacWithSHA256",
              params["prf"] == OID_HMAC_SHA256, describe_pbes2(params))
        check(f"{what}: PBKDF2 iterations == {iterations}",
              params["iterations"] == iterations, describe_pbes2(params))
        check(f"{what}: PBKDF2 salt >= 16 bytes", params["salt_bytes"] >= 16,
              describe_pbes2(params))
        check(f"{what}: PBKDF2 keyLength absent or 32",
              params["key_length"] in (None, 32),
              f"keyLength {params['key_length']}")
        check(f"{what}: cipher AES-256-CBC with a 16-byte IV",
              params["cipher"] == OID_AES256_CBC and params["iv_bytes"] == 16,
              describe_pbes2(params))
        check(f"{what}: encrypted data is whole AES blocks",
              params["encrypted_bytes"] % 16 == 0 and params["encrypted_bytes"]
              > bits // 8, f"{params['encrypted_bytes']} bytes")
    try:
        priv = serialization.load_pem_private_key(private.encode("ascii"),
                                                  secret)
    except Exception as error:
        check(f"{what}: load_pem_private_key(pem, passphrase) opens it", False,
              f"{type(error).__name__}: {error}")
        return params
    check(f"{what}: load_pem_private_key(pem, passphrase) opens it as a "
          f"{bits}-bit RSA key",
          isinstance(priv, crsa.RSAPrivateKey) and priv.key_size == bits,
          f"{type(priv).__name__}")
    try:
        serialization.load_pem_private_key(private.encode("ascii"),
                                           b"not the passphrase")
        refused = False
    except (ValueError, TypeError):
        refused = True
    check(f"{what}: cryptography refuses a wrong passphrase", refused)
    try:
        serialization.load_pem_private_key(private.encode("ascii"), None)
        refused = False
    except TypeError:
        refused = True
    check(f"{what}: cryptography needs a passphrase for it", refused)
    pub = serialization.load_pem_public_key(public.encode("ascii"))
    check(f"{what}: private key matches the SPKI public key",
          priv.public_key().public_numbers() == pub.public_numbers())
    again = pub.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    check(f"{what}: SPKI PEM byte-identical to cryptography's", again ==
          public, f"service {public!r}, cryptography {again!r}")
    for name, pad in PADDINGS.items():
        ciphertext = pub.encrypt(fernet.encode(), pad)
        decrypts(service, f"{what}: decrypt_fernet with the encrypted key and "
                 f"passphrase opens cryptography's {name} ciphertext",
                 {"encrypted_fernet": b64(ciphertext), "rsa_private": private,
                  "passphrase": passphrase, "padding": name}, fernet)
    return params


def scenario_ours(service, options):
    for bits, request in ((2048, {"format": "pkcs8"}),
                          (3072, {"format": "pkcs8", "bits": 3072}),
                          (4096, {"format": "pkcs8", "bits": 4096})):
        try:
            check_plain_pkcs8(service, bits, request,
                              f"ours pkcs8 {bits}")
        except Unusable as error:
            info(f"skipped the rest of ours pkcs8 {bits}: {error}")
    salts = []
    for bits, request, passphrase, what in (
            (2048, {"passphrase": PASSPHRASE}, PASSPHRASE,
             "ours passphrase (no format)"),
            (2048, {"passphrase": PASSPHRASE, "format": "pkcs8"}, PASSPHRASE,
             "ours passphrase + pkcs8"),
            (3072, {"passphrase": PASSPHRASE, "bits": 3072}, PASSPHRASE,
             "ours passphrase 3072"),
            (2048, {"passphrase": "p\u00e4ssw\u00f6rd \U0001F510"},
             "p\u00e4ssw\u00f6rd \U0001F510",
             "ours non-ASCII passphrase (as UTF-8)")):
        try:
            params = check_encrypted(service, bits, request, passphrase,
                                     options.iterations, what)
            if params is not None:
                salts.append(params["salt"])
        except Unusable as error:
            info(f"skipped the rest of {what}: {error}")
    if len(salts) >= 2:
        check("ours: every encrypted key has its own random salt",
              len(set(salts)) == len(salts), f"{len(salts)} keys, "
              f"{len(set(salts))} salts")


# --- theirs: cryptography's keys accepted ---------------------------------

def scenario_theirs(service, options):
    for bits in (2048, 3072, 4096):
        what = f"theirs {bits}"
        key = crsa.generate_private_key(public_exponent=65537, key_size=bits)
        encrypted = encrypted_pkcs8(key, PASSPHRASE)
        if bits == 2048:
            info("cryptography BestAvailableEncryption writes: "
                 + describe_pbes2(pbes2_parameters(encrypted)))
        fernet = new_fernet()
        publics = {"SPKI": spki(key), "PKCS#1": pkcs1_public(key)}
        for form, public in publics.items():
            for name, pad in PADDINGS.items():
                reply = service.call({"type": "encrypt_fernet",
                                      "fernet": fernet, "rsa_public": public,
                                      "padding": name})
                if not check(f"{what}: encrypt_fernet accepts cryptography's "
                             f"{form} public key (padding {name})",
                             "error" not in reply,
                             f"service replied {shown(reply)}"):
                    continue
                ciphertext = ciphertext_of(f"{what} {form} {name}", reply,
                                           bits // 8)
                opens(f"{what}: cryptography {name} decrypts what we "
                      f"encrypted to its {form} key", key, ciphertext, pad,
                      fernet)
        privates = {"PKCS#8": (pkcs8(key), None),
                    "PKCS#1": (traditional(key), None),
                    "encrypted PKCS#8 (BestAvailableEncryption)":
                        (encrypted, PASSPHRASE)}
        for form, (private, passphrase) in privates.items():
            for name, pad in PADDINGS.items():
                ciphertext = key.public_key().encrypt(fernet.encode(), pad)
                request = {"encrypted_fernet": b64(ciphertext),
                           "rsa_private": private, "padding": name}
                if passphrase is not None:
                    request["passphrase"] = passphrase
                decrypts(service, f"{what}: decrypt_fernet with cryptography's "
                         f"{form} key opens its {name} ciphertext", request,
                         fernet)
        ciphertext = key.public_key().encrypt(fernet.encode(), PKCS1V15)
        decrypts(service, f"{what}: decrypt_fernet without padding field "
                 "opens a PKCS#1 v1.5 ciphertext (encrypted PKCS#8 key)",
                 {"encrypted_fernet": b64(ciphertext), "rsa_private":
                  encrypted, "passphrase": PASSPHRASE}, fernet)
        ciphertext = key.public_key().encrypt(fernet.encode(), PKCS1V15)
        fails_with(service, f"{what}: decrypt_fernet oaep-sha256 of a PKCS#1 "
                   "v1.5 ciphertext",
                   {"type": "decrypt_fernet",
                    "encrypted_fernet": b64(ciphertext),
                    "rsa_private": pkcs8(key), "padding": "oaep-sha256"},
                   "decryption_failed")


# --- encrypt_fernet_many ---------------------------------------------------

def scenario_many(service, options):
    # Five recipients, mixed sizes and formats; the third is an EC key.
    a_public, a_private, _ = keys_of(service, {}, "many: recipient A (ours "
                                     "2048 pkcs1)")
    b_public, b_private, _ = keys_of(service, {"bits": 3072, "format":
                                               "pkcs8"},
                                     "many: recipient B (ours 3072 pkcs8)")
    c_key = crsa.generate_private_key(public_exponent=65537, key_size=4096)
    d_key = crsa.generate_private_key(public_exponent=65537, key_size=2048)
    e_key = ec.generate_private_key(ec.SECP256R1())
    recipients = [
        ("A ours 2048 RSA PUBLIC KEY", a_public,
         serialization.load_pem_private_key(a_private.encode(), None), 256),
        ("B ours 3072 PUBLIC KEY", b_public,
         serialization.load_pem_private_key(b_private.encode(), None), 384),
        ("E cryptography EC P-256 PUBLIC KEY", spki(e_key), None, None),
        ("C cryptography 4096 PUBLIC KEY", spki(c_key), c_key, 512),
        ("D cryptography 2048 RSA PUBLIC KEY", pkcs1_public(d_key), d_key,
         256),
    ]
    a_rsa = rsa.PrivateKey.load_pkcs1(a_private.encode())
    for padding_name in (None, "pkcs1v15", "oaep-sha256"):
        label = f"padding {padding_name}" if padding_name else "no padding"
        what = f"many ({label})"
        fernet = new_fernet()
        request = {"type": "encrypt_fernet_many", "fernet": fernet,
                   "rsa_publics": [r[1] for r in recipients]}
        if padding_name:
            request["padding"] = padding_name
        reply = service.succeed(request, f"{what} with 5 recipients")
        results = reply.get("results")
        if not check(f"{what}: results is a list of 5", isinstance(
                results, list) and len(results) == 5,
                f"service replied {shown(reply)}"):
            continue
        pad = PADDINGS[padding_name or "pkcs1v15"]
        for (name, _, private, size), result in zip(recipients, results):
            if private is None:
                check(f"{what}: recipient {name} gets a per-recipient error "
                      "{error, code: wrong_key_type} and no ciphertext",
                      isinstance(result, dict)
                      and isinstance(result.get("error"), str)
                      and result.get("code") == "wrong_key_type"
                      and "encrypted_fernet" not in result,
                      f"result {shown(result)}")
                continue
            if not check(f"{what}: recipient {name} gets an encrypted_fernet",
                         isinstance(result, dict) and "error" not in result
                         and "encrypted_fernet" in result,
                         f"result {shown(result)}"):
                continue
            ciphertext = ciphertext_of(f"{what} {name}", result, size)
            opens(f"{what}: recipient {name} decrypts its result with "
                  f"cryptography", private, ciphertext, pad, fernet)
            if name.startswith("A") and padding_name != "oaep-sha256":
                try:
                    plain = rsa.decrypt(ciphertext, a_rsa)
                except Exception as error:
                    plain = repr(error)
                check(f"{what}: recipient A decrypts its result with "
                      "rsa.decrypt", plain == fernet.encode(), repr(plain))

    fernet = new_fernet()
    reply = service.succeed({"type": "encrypt_fernet_many", "fernet": fernet,
                             "rsa_publics": [a_public, "not a PEM",
                                             spki(ed25519.Ed25519PrivateKey
                                                  .generate())]},
                            "many: good, garbage and Ed25519 recipients")
    results = reply.get("results")
    if check("many: good, garbage and Ed25519 give 3 results",
             isinstance(results, list) and len(results) == 3,
             f"service replied {shown(reply)}"):
        check("many: the good recipient still gets its ciphertext",
              "encrypted_fernet" in results[0], shown(results[0]))
        check("many: garbage PEM is a per-recipient error with a code",
              isinstance(results[1].get("error"), str)
              and isinstance(results[1].get("code"), str),
              shown(results[1]))
        info(f"many: garbage PEM result: {shown(results[1])}")
        check("many: Ed25519 key is a per-recipient wrong_key_type",
              results[2].get("code") == "wrong_key_type", shown(results[2]))


# --- encrypt_fernet_many at its bound ---------------------------------------

def scenario_many_256(service, options):
    """The contract's upper bound: 256 recipients (2048-bit PKCS#1 keys,
    about 110 kB of request), and 257 refused."""
    key = crsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = pkcs1_public(key)
    fernet = new_fernet()
    request = {"type": "encrypt_fernet_many", "fernet": fernet,
               "rsa_publics": [public] * 256, "padding": "oaep-sha256"}
    info(f"many-256: a 256-recipient request is "
         f"{len(json.dumps(request).encode())} bytes")
    reply = service.call(request)
    results = reply.get("results")
    if check("many-256: 256 recipients (2048-bit RSA PUBLIC KEY) give 256 "
             "results", isinstance(results, list) and len(results) == 256,
             f"service replied {shown(reply)}"):
        texts = [r.get("encrypted_fernet") for r in results]
        check("many-256: all 256 results are distinct ciphertexts",
              all(isinstance(t, str) for t in texts)
              and len(set(texts)) == 256)
        opens("many-256: the first of 256 decrypts with cryptography", key,
              base64.b64decode(texts[0]), OAEP, fernet)
        opens("many-256: the last of 256 decrypts with cryptography", key,
              base64.b64decode(texts[-1]), OAEP, fernet)
    reply = service.call({**request, "rsa_publics": [public] * 257})
    info(f"many-256: 257 recipients reply: {shown(reply)}")
    check("many-256: 257 recipients -> invalid_field, no results",
          isinstance(reply.get("error"), str)
          and reply.get("code") == "invalid_field" and "results" not in reply,
          f"service replied {shown(reply)}")


# --- bits ------------------------------------------------------------------

def scenario_bits(service, options):
    for bits in (2048, 3072, 4096):
        what = f"bits {bits}"
        try:
            public, private, fernet = keys_of(service, {"bits": bits}, what)
        except Unusable as error:
            info(f"skipped the rest of {what}: {error}")
            continue
        check_pem_layout(what + " public", public, "RSA PUBLIC KEY")
        check_pem_layout(what + " private", private, "RSA PRIVATE KEY")
        try:
            pub = serialization.load_pem_public_key(public.encode())
            priv = serialization.load_pem_private_key(private.encode(), None)
            ok = pub.key_size == bits and priv.key_size == bits
            why = f"key_size {pub.key_size}/{priv.key_size}"
        except Exception as error:
            ok, why = False, f"{type(error).__name__}: {error}"
        check(f"{what}: cryptography loads both PEMs with key_size {bits}",
              ok, why)
        try:
            rpub = rsa.PublicKey.load_pkcs1(public.encode())
            rpriv = rsa.PrivateKey.load_pkcs1(private.encode())
            ok = (rpub.n.bit_length() == bits and rpub.e == 65537
                  and rpriv.n == rpub.n
                  and rpub.save_pkcs1() == public.encode()
                  and rpriv.save_pkcs1() == private.encode())
            why = f"n has {rpub.n.bit_length()} bits, e {rpub.e}"
        except Exception as error:
            rpriv, ok, why = None, False, f"{type(error).__name__}: {error}"
        check(f"{what}: python-rsa loads both, n has {bits} bits, "
              "save_pkcs1 round-trips byte for byte", ok, why)
        reply = service.succeed({"type": "encrypt_fernet", "fernet": fernet,
                                 "rsa_public": public},
                                f"{what} encrypt_fernet")
        ciphertext = ciphertext_of(what, reply, bits // 8)
        if rpriv is not None and ciphertext is not None:
            try:
                plain = rsa.decrypt(ciphertext, rpriv)
            except Exception as error:
                plain = repr(error)
            check(f"{what}: rsa.decrypt opens encrypt_fernet's "
                  f"{bits // 8}-byte ciphertext", plain == fernet.encode(),
                  repr(plain))


# --- python-rsa ------------------------------------------------------------

def scenario_python_rsa(service, options):
    for request, what in (({}, "python-rsa default generate_keys"),
                          ({"bits": 2048, "format": "pkcs1"},
                           "python-rsa explicit bits 2048 format pkcs1")):
        try:
            public, private, fernet = keys_of(service, request, what)
        except Unusable as error:
            info(f"skipped the rest of {what}: {error}")
            continue
        try:
            pub = rsa.PublicKey.load_pkcs1(public.encode("ascii"))
            priv = rsa.PrivateKey.load_pkcs1(private.encode("ascii"))
        except Exception as error:
            check(f"{what}: rsa.PublicKey/PrivateKey.load_pkcs1 load them",
                  False, f"{type(error).__name__}: {error}")
            continue
        check(f"{what}: rsa.PublicKey/PrivateKey.load_pkcs1 load them, "
              "2048 bits, save_pkcs1 byte for byte",
              pub.n.bit_length() == 2048 and priv.n == pub.n
              and pub.save_pkcs1() == public.encode()
              and priv.save_pkcs1() == private.encode())
        for extra, label in (({}, "no padding field"),
                             ({"padding": "pkcs1v15"}, "padding pkcs1v15")):
            reply = service.succeed({"type": "encrypt_fernet",
                                     "fernet": fernet, "rsa_public": public,
                                     **extra}, f"{what} encrypt ({label})")
            ciphertext = ciphertext_of(f"{what} {label}", reply, 256)
            try:
                plain = rsa.decrypt(ciphertext, priv)
            except Exception as error:
                plain = repr(error)
            check(f"{what}: rsa.decrypt opens encrypt_fernet ({label})",
                  plain == fernet.encode(), repr(plain))
            decrypts(service, f"{what}: decrypt_fernet ({label}) opens "
                     "rsa.encrypt()",
                     {"encrypted_fernet": b64(rsa.encrypt(fernet.encode(),
                                                          pub)),
                      "rsa_private": private, **extra}, fernet)


# --- errors ----------------------------------------------------------------

def scenario_errors(service, options):
    public, private, fernet = keys_of(service, {"passphrase": PASSPHRASE},
                                      "errors: an encrypted key of ours")
    check("errors: our key with a passphrase is an ENCRYPTED PRIVATE KEY",
          private.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
          f"it begins {private[:40]!r}")
    pub = serialization.load_pem_public_key(public.encode())
    ciphertext = b64(pub.encrypt(fernet.encode(), PKCS1V15))
    fails_with(service, "errors: decrypt_fernet with our encrypted key and "
               "a wrong passphrase",
               {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                "rsa_private": private, "passphrase": "wrong"},
               "invalid_passphrase")
    fails_with(service, "errors: decrypt_fernet with our encrypted key and "
               "no passphrase",
               {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                "rsa_private": private}, "missing_field")
    key = crsa.generate_private_key(public_exponent=65537, key_size=2048)
    theirs = encrypted_pkcs8(key, PASSPHRASE)
    their_ciphertext = b64(key.public_key().encrypt(fernet.encode(),
                                                    PKCS1V15))
    fails_with(service, "errors: decrypt_fernet with cryptography's encrypted "
               "key and a wrong passphrase",
               {"type": "decrypt_fernet", "encrypted_fernet": their_ciphertext,
                "rsa_private": theirs, "passphrase": PASSPHRASE + "!"},
               "invalid_passphrase")
    fails_with(service, "errors: decrypt_fernet with cryptography's encrypted "
               "key and no passphrase",
               {"type": "decrypt_fernet", "encrypted_fernet": their_ciphertext,
                "rsa_private": theirs}, "missing_field")

    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    for name, other in (("EC P-256", ec_key), ("Ed25519", ed_key)):
        fails_with(service, f"errors: {name} SPKI as rsa_public",
                   {"type": "encrypt_fernet", "fernet": fernet,
                    "rsa_public": spki(other)}, "wrong_key_type")
        fails_with(service, f"errors: {name} SPKI as rsa_public (oaep-sha256)",
                   {"type": "encrypt_fernet", "fernet": fernet,
                    "rsa_public": spki(other), "padding": "oaep-sha256"},
                   "wrong_key_type")
        fails_with(service, f"errors: {name} PKCS#8 as rsa_private",
                   {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                    "rsa_private": pkcs8(other)}, "wrong_key_type")
        fails_with(service, f"errors: {name} encrypted PKCS#8 (right "
                   "passphrase) as rsa_private",
                   {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                    "rsa_private": encrypted_pkcs8(other, PASSPHRASE),
                    "passphrase": PASSPHRASE}, "wrong_key_type")
    fails_with(service, "errors: EC PRIVATE KEY (traditional) as rsa_private",
               {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                "rsa_private": traditional(ec_key)}, "wrong_key_type")

    for what, request in (
            ('generate_keys "bits": "2048"', {"bits": "2048"}),
            ('generate_keys "bits": 1024', {"bits": 1024}),
            ('generate_keys "bits": 8192', {"bits": 8192}),
            ('generate_keys "bits": 2049', {"bits": 2049}),
            ('generate_keys "bits": null', {"bits": None}),
            ('generate_keys "format": "der"', {"format": "der"}),
            ('generate_keys "format": "PKCS8"', {"format": "PKCS8"}),
            ('generate_keys "format": 8', {"format": 8}),
            ('generate_keys "format": "pkcs1" with a passphrase',
             {"format": "pkcs1", "passphrase": PASSPHRASE}),
            ('generate_keys "passphrase": ""', {"passphrase": ""}),
            ('generate_keys "passphrase": 123', {"passphrase": 123})):
        fails_with(service, f"errors: {what}",
                   {"type": "generate_keys", **request}, "invalid_field")
    for padding_value in (1, "oaep", "OAEP-SHA256", None):
        label = json.dumps(padding_value)
        fails_with(service, f'errors: encrypt_fernet "padding": {label}',
                   {"type": "encrypt_fernet", "fernet": fernet,
                    "rsa_public": public, "padding": padding_value},
                   "invalid_field")
    fails_with(service, 'errors: decrypt_fernet "padding": 1',
               {"type": "decrypt_fernet", "encrypted_fernet": ciphertext,
                "rsa_private": private, "passphrase": PASSPHRASE,
                "padding": 1}, "invalid_field")
    fails_with(service, 'errors: encrypt_fernet_many "padding": 1',
               {"type": "encrypt_fernet_many", "fernet": fernet,
                "rsa_publics": [public], "padding": 1}, "invalid_field")
    fails_with(service, "errors: encrypt_fernet_many without rsa_publics",
               {"type": "encrypt_fernet_many", "fernet": fernet},
               "missing_field")
    fails_with(service, "errors: encrypt_fernet_many with rsa_publics a "
               "string", {"type": "encrypt_fernet_many", "fernet": fernet,
                          "rsa_publics": public}, "invalid_field")
    decrypts(service, "errors: after them all, decrypt_fernet with the "
             "passphrase still works",
             {"encrypted_fernet": ciphertext, "rsa_private": private,
              "passphrase": PASSPHRASE}, fernet)


SCENARIOS = {
    "ours": scenario_ours,
    "theirs": scenario_theirs,
    "many": scenario_many,
    "many-256": scenario_many_256,
    "bits": scenario_bits,
    "python-rsa": scenario_python_rsa,
    "errors": scenario_errors,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint", help="e.g. tcp://127.0.0.1:5555")
    parser.add_argument("--scenario", action="append",
                        choices=sorted(SCENARIOS),
                        help="run only this scenario (repeatable)")
    parser.add_argument("--iterations", type=int, default=100_000,
                        help="the service's --pbkdf2-iterations")
    options = parser.parse_args()
    service = Service(options.endpoint)
    try:
        for name in options.scenario or list(SCENARIOS):
            try:
                SCENARIOS[name](service, options)
            except Unusable as error:
                # The failed check that stopped it is already printed.
                info(f"scenario {name} stopped early: {error}")
            except Exception as error:
                check(f"scenario {name} ran to its end", False,
                      f"unexpected {type(error).__name__}: {error}\n"
                      + traceback.format_exc())
    finally:
        service.close()
    if FAILURES:
        print(f"FAILED {len(FAILURES)} checks", flush=True)
        print(f"v11_client: FAILED {len(FAILURES)} checks",
              file=sys.stderr, flush=True)
        return 1
    print("ALL OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
