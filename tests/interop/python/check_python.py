"""Exits 0 when the Python packages a seed client uses import, else 1.

A seed client of the key service needs pyzmq (`zmq`), python-rsa (`rsa`) and
pyca/cryptography (`cryptography`). Prints one line per package; on failure
the last line names the missing ones, for example:

    missing: rsa, cryptography
"""

import importlib
import sys

PACKAGES = ("zmq", "rsa", "cryptography")


def main() -> int:
    missing = []
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
        except Exception as error:  # ImportError, or a broken install
            missing.append(name)
            print(f"{name}: MISSING ({type(error).__name__}: {error})")
        else:
            version = getattr(module, "__version__", "?")
            print(f"{name}: ok {version}")
    if missing:
        print(f"missing: {', '.join(missing)} (python {sys.executable})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
