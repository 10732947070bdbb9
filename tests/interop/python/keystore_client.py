"""A pyzmq client of contract v1.2 (keys kept in the service), with
pyca/cryptography doing the public-key side: it asks the service to create
a key, wraps a Fernet key itself with the public key `show_key` returns,
under both paddings, and has the service decrypt each by key id and version.

Usage: keystore_client.py ENDPOINT KEY_ID. Prints "ok" and exits 0 when
every check holds.
"""

import base64
import json
import sys

import zmq
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

endpoint, key_id = sys.argv[1], sys.argv[2]
socket = zmq.Context().socket(zmq.REQ)
socket.setsockopt(zmq.RCVTIMEO, 60000)
socket.connect(endpoint)


def ask(request):
    socket.send(json.dumps(request).encode())
    return json.loads(socket.recv())


created = ask({"type": "create_key", "key_id": key_id})
assert "key" in created, created
rotated = ask({"type": "rotate_key", "key_id": key_id})
shown = ask({"type": "show_key", "key_id": key_id})["key"]
assert [v["version"] for v in shown["versions"]] == [1, 2], shown
for version in shown["versions"]:
    public_key = serialization.load_pem_public_key(version["public_key"].encode())
    for name, scheme in [
        ("pkcs1v15", padding.PKCS1v15()),
        (
            "oaep-sha256",
            padding.OAEP(
                mgf=padding.MGF1(algorithm=hashes.SHA256()),
                algorithm=hashes.SHA256(),
                label=None,
            ),
        ),
    ]:
        fernet = Fernet.generate_key()
        ciphertext = public_key.encrypt(fernet, scheme)
        wrapped = "ks:v%d:%s" % (version["version"], base64.b64encode(ciphertext).decode())
        reply = ask(
            {
                "type": "decrypt_fernet",
                "key_id": key_id,
                "encrypted_fernet": wrapped,
                "padding": name,
            }
        )
        assert reply.get("fernet") == fernet.decode(), (version["version"], name, reply)
        # And the service's own wrap, opened by the service, works with cryptography.
        Fernet(reply["fernet"].encode()).encrypt(b"hello")
print("ok")
