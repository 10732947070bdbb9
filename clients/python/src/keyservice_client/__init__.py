"""keyservice's Python client.

>>> from keyservice_client import KeyServiceClient
>>> with KeyServiceClient("tcp://127.0.0.1:5555") as ks:   # doctest: +SKIP
...     keys = ks.generate_keys()
...     wrapped = ks.encrypt_fernet(keys.fernet, keys.rsa.public)
...     assert ks.decrypt_fernet(wrapped, keys.rsa.private) == keys.fernet
"""

from .client import (
    DEFAULT_ENDPOINT,
    MAX_REPLY_BYTES,
    KeyPair,
    KeyServiceClient,
    KeySet,
    ManyResult,
    RetryEvent,
)
from .errors import *  # noqa: F401,F403  (one class per wire code)
from .errors import SERVICE_ERRORS, KeyServiceError, ServiceError, error_from_reply

__version__ = "1.1.0"

__all__ = [
    "DEFAULT_ENDPOINT",
    "MAX_REPLY_BYTES",
    "KeyPair",
    "KeyServiceClient",
    "KeySet",
    "ManyResult",
    "RetryEvent",
    "SERVICE_ERRORS",
    "KeyServiceError",
    "ServiceError",
    "error_from_reply",
]
