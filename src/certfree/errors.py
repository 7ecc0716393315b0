"""The one error hierarchy of certfree.

Every error a person can act on is a :class:`CertfreeError`; the API maps each to an RFC 9457
problem+json document in one handler (``certfree.api.problems``), the CLI prints its message.
Domains raise their own subclasses (``InvalidIdentifier`` lives in ``certfree.identifiers``)::

    CertfreeError                      500 base; never raised bare
    ├── ConfigurationError             500 settings or environment are wrong (what to set)
    ├── InvalidInput (ValueError)      422 a field's value is wrong (names the field and fault)
    │   └── InvalidIdentifier          422 GB 11643 / GB 32100 / GB/T 2260 / GB/T 36904 faults
    ├── NotFound                       404 the thing named does not exist
    ├── Conflict                       409 the request clashes with current state
    ├── AuthError                      401 no or bad credentials
    │   └── Forbidden                  403 authenticated, but the role may not do this
    └── CryptoError                    422 keys and signatures
        ├── KeyNotFound                404 no key with that id / owner
        └── SignatureInvalid           422 a signature does not verify
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthError",
    "CertfreeError",
    "ConfigurationError",
    "Conflict",
    "CryptoError",
    "Forbidden",
    "InvalidInput",
    "KeyNotFound",
    "NotFound",
    "SignatureInvalid",
]


class CertfreeError(Exception):
    """Base of every certfree error; carries what a problem+json document needs.

    ``slug`` becomes the problem ``type`` (``/problems/<slug>``), ``status`` the HTTP status,
    ``field`` the name of the offending input field when there is one.
    """

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ConfigurationError(CertfreeError):
    slug = "configuration"
    title = "Node is misconfigured"


class InvalidInput(CertfreeError, ValueError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class InvalidIdentifier(InvalidInput):
    slug = "invalid-identifier"
    title = "Invalid identifier"


class NotFound(CertfreeError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(CertfreeError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class AuthError(CertfreeError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(AuthError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class CryptoError(CertfreeError):
    status = 422
    slug = "crypto"
    title = "Cryptographic failure"


class KeyNotFound(CryptoError):
    status = 404
    slug = "key-not-found"
    title = "Key not found"


class SignatureInvalid(CryptoError):
    slug = "signature-invalid"
    title = "Signature does not verify"
