"""Opens a key set `keyservice keys new` wrote, the way a Python client does.

Usage: /usr/bin/python3 open_keys.py DIR [PASSPHRASE_FILE]

DIR holds public.pem, private.pem and fernet.key. Without a passphrase the
PEMs are PKCS#1 and python-rsa loads them; with one, private.pem is an
ENCRYPTED PRIVATE KEY and pyca/cryptography opens it. Either way the pair
must match (a round trip through RSA) and fernet.key must be a Fernet key.
Prints `ALL OK` last, or `FAIL: ...` and exits 1.
"""

import sys

import rsa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding


def main():
    folder = sys.argv[1]
    read = lambda name: open(f"{folder}/{name}", "rb").read()
    fernet_key = read("fernet.key").strip()
    token = Fernet(fernet_key).encrypt(b"hello")
    assert Fernet(fernet_key).decrypt(token) == b"hello"
    print("ok fernet.key is a Fernet key")
    if len(sys.argv) > 2:
        passphrase = open(sys.argv[2], "rb").read().splitlines()[0]
        private = serialization.load_pem_private_key(read("private.pem"), passphrase)
        public = serialization.load_pem_public_key(read("public.pem"))
        wrapped = public.encrypt(fernet_key, padding.PKCS1v15())
        assert private.decrypt(wrapped, padding.PKCS1v15()) == fernet_key
        print("ok cryptography opens the encrypted PKCS#8 pair")
    else:
        public = rsa.PublicKey.load_pkcs1(read("public.pem"))
        private = rsa.PrivateKey.load_pkcs1(read("private.pem"))
        assert rsa.decrypt(rsa.encrypt(fernet_key, public), private) == fernet_key
        print("ok python-rsa loads the PKCS#1 pair")
    print("ALL OK")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # one line, whatever failed
        print(f"FAIL: {type(error).__name__}: {error}")
        sys.exit(1)
