"""The client's errors: one class per wire code, and the client's own.

A reply ``{"error": ..., "code": ...}`` becomes an instance of the class for
its code (:class:`DecryptionFailed`, :class:`Overloaded`, ...); a code this
version does not know becomes a plain :class:`ServiceError` carrying it. The
client's own failures are :class:`TimeoutError_` (sent, never answered),
:class:`Unreachable` (never sent), :class:`HandshakeRefused` (never sent:
the server refused the handshake) and :class:`BadReply`. Every class has a
class attribute ``code``, readable without an instance.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Type


class KeyServiceError(Exception):
    """Root of every error this package raises."""

    code: str = "error"

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ServiceError(KeyServiceError):
    """The service answered with an error; ``code`` is the reply's."""


class InvalidJson(ServiceError):
    """The request was not UTF-8 JSON."""

    code = "invalid_json"


class NotAnObject(ServiceError):
    """The request was JSON but not a JSON object."""

    code = "not_an_object"


class UnknownType(ServiceError):
    """No such operation (an older service, say)."""

    code = "unknown_type"


class MissingField(ServiceError):
    """A required field was absent."""

    code = "missing_field"


class InvalidField(ServiceError):
    """A field or option had the wrong type or value."""

    code = "invalid_field"


class InvalidPem(ServiceError):
    """A PEM key was malformed."""

    code = "invalid_pem"


class WrongKeyType(ServiceError):
    """A PEM of another kind than the field needs."""

    code = "wrong_key_type"


class InvalidKey(ServiceError):
    """The key parsed but is unusable."""

    code = "invalid_key"


class InvalidPassphrase(ServiceError):
    """The passphrase does not open the key."""

    code = "invalid_passphrase"


class PlaintextTooLong(ServiceError):
    """The Fernet key does not fit the RSA key."""

    code = "plaintext_too_long"


class InvalidCiphertext(ServiceError):
    """The ciphertext is not strict base64 or not key-sized."""

    code = "invalid_ciphertext"


class DecryptionFailed(ServiceError):
    """Wrong key or damaged ciphertext (one reply for all causes)."""

    code = "decryption_failed"


class MultipartRequest(ServiceError):
    """The request was not one frame."""

    code = "multipart_request"


class RequestTooLarge(ServiceError):
    """The request was over the service's limit."""

    code = "request_too_large"


class Overloaded(ServiceError):
    """Still too busy after the client's retries."""

    code = "overloaded"


class InternalError(ServiceError):
    """A fault inside the service."""

    code = "internal_error"

class KeyNotFound(ServiceError):
    """No stored key has this key_id (v1.2)."""

    code = "key_not_found"

class KeyExists(ServiceError):
    """create_key for a key_id that is taken (v1.2)."""

    code = "key_exists"

class KeyVersionNotFound(ServiceError):
    """The ciphertext's key version is not held: never made, or trimmed (v1.2)."""

    code = "key_version_not_found"

class KeyVersionBelowMinimum(ServiceError):
    """The ciphertext's version is below the key's minimum: rewrap it (v1.2)."""

    code = "key_version_below_minimum"

class KeyVersionLimit(ServiceError):
    """The key holds its most versions: trim it before rotating (v1.2)."""

    code = "key_version_limit"

class PermissionDenied(ServiceError):
    """The key's policy does not allow this client this use (v1.2)."""

    code = "permission_denied"

class DeletionNotAllowed(ServiceError):
    """delete_key on a key whose configuration forbids it (v1.2)."""

    code = "deletion_not_allowed"

class KeystoreUnavailable(ServiceError):
    """The service has no keystore, or cannot use it now (v1.2)."""

    code = "keystore_unavailable"

class AuditUnavailable(ServiceError):
    """The audit log cannot be written; keystore operations are refused (v1.2)."""

    code = "audit_unavailable"


class InvalidBech32(ServiceError):
    """An age recipient or identity is not valid Bech32."""

    code = "invalid_bech32"


class InvalidKeyLength(ServiceError):
    """An age recipient or identity decodes to the wrong number of bytes."""

    code = "invalid_key_length"


class InvalidEncapsulationKey(ServiceError):
    """A hybrid recipient's ML-KEM-768 key fails the FIPS 203 modulus check."""

    code = "invalid_encapsulation_key"


class InvalidRecipient(ServiceError):
    """An age recipient's X25519 key is a low-order point."""

    code = "invalid_recipient"


class MixedRecipients(ServiceError):
    """RSA keys with age recipients, or hybrid with classic ones."""

    code = "mixed_recipients"


class TimeoutError_(KeyServiceError):
    """Sent, and no reply came within the timeout on any try.

    The service may have carried the request out.
    """

    code = "timeout"

    def __init__(self, attempts: int, timeout_ms: int) -> None:
        super().__init__(f"no reply within {timeout_ms} ms, {attempts} attempt(s)")
        self.attempts = attempts


class Unreachable(KeyServiceError):
    """No connection to any endpoint came up: the request was never sent.

    Nothing listening there. A handshake the server refused is
    :class:`HandshakeRefused`.
    """

    code = "unreachable"

    def __init__(self, endpoints: "list[str]", attempts: int, timeout_ms: int) -> None:
        super().__init__(
            f"no connection to {', '.join(endpoints)} within {timeout_ms} ms, "
            f"{attempts} attempt(s)"
        )
        self.endpoints = endpoints


class HandshakeRefused(KeyServiceError):
    """The server refused the handshake at every endpoint reached: never sent.

    ``reason`` is ``"not_allowed"`` when the server's allow list does not
    hold this client's CURVE key, ``"handshake_failed"`` when the handshake
    itself failed (the server's key is not the one given, or one side speaks
    CURVE and the other does not), as libzmq tells the client.
    """

    code = "handshake_refused"

    def __init__(self, endpoints: "list[str]", reason: str) -> None:
        where = ", ".join(endpoints)
        super().__init__(
            f"{where} refused the CURVE handshake: this client's key is not on "
            "the server's allow list"
            if reason == "not_allowed"
            else f"the handshake with {where} failed: the server's CURVE key is "
            "not the one given, or one side speaks CURVE and the other does not"
        )
        self.endpoints = endpoints
        self.reason = reason


class BadReply(KeyServiceError):
    """The reply was not a JSON object of the contract's shape."""

    code = "bad_reply"


class InsecureEndpoint(KeyServiceError):
    """Plaintext to an endpoint off loopback, without ``allow_insecure``."""

    code = "insecure_endpoint"


SERVICE_ERRORS: Mapping[str, Type[ServiceError]] = {
    cls.code: cls
    for cls in (
        InvalidJson,
        NotAnObject,
        UnknownType,
        MissingField,
        InvalidField,
        InvalidPem,
        WrongKeyType,
        InvalidKey,
        InvalidPassphrase,
        PlaintextTooLong,
        InvalidCiphertext,
        DecryptionFailed,
        MultipartRequest,
        RequestTooLarge,
        Overloaded,
        InternalError,
        InvalidBech32,
        InvalidKeyLength,
        InvalidEncapsulationKey,
        InvalidRecipient,
        MixedRecipients,
        KeyNotFound,
        KeyExists,
        KeyVersionNotFound,
        KeyVersionBelowMinimum,
        KeyVersionLimit,
        PermissionDenied,
        DeletionNotAllowed,
        KeystoreUnavailable,
        AuditUnavailable,
    )
}
"""The class for each code of the contract."""


def error_from_reply(reply: Dict[str, object]) -> ServiceError:
    """The error for a reply holding ``error`` (and ``code``, v1.1 on)."""
    message = str(reply.get("error"))
    code = reply.get("code")
    if not isinstance(code, str):
        return ServiceError(message, "error")
    known = SERVICE_ERRORS.get(code)
    return known(message) if known is not None else ServiceError(message, code)
