"""Bearer tokens: compact JWS signed by the node's key, or issued by a configured OpenID provider.

Node tokens carry ``iss`` (the node code), ``sub``, ``role``, ``iat``, ``exp`` and ``jti``
(RFC 7519 §4.1). Verification needs only the key directory, which every worker process of a
node shares, so any worker accepts a token that another issued.

A token may also carry ``aud`` (RFC 7519 §4.1.3): the one node it is minted for. A citizen's
home node mints such short tokens to fetch their accesses from the other nodes of the cascade;
the receiving node checks them against the issuer's keys in the node registry
(:meth:`TokenService.authenticate_minted_for_us`), and no other node accepts them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from certfree.auth.claims import principal_from_claims
from certfree.auth.oidc import OidcVerifier
from certfree.auth.roles import Principal, Role
from certfree.crypto import KeyLike, KeyStore, sign_jws, verify_jws
from certfree.errors import AuthError, CertfreeError, InvalidInput
from certfree.settings import Settings

NODE_KEY_OWNER = "node"
TOKEN_TYPE = "certfree-access+jwt"  # noqa: S105 - a JWS "typ" value, not a secret


class TokenService:
    """Issues and checks bearer tokens for one node."""

    def __init__(self, settings: Settings, keys: KeyStore, oidc: OidcVerifier | None = None):
        self.settings = settings
        self.keys = keys
        self.oidc = oidc

    def issue(
        self,
        role: str,
        subject: str,
        *,
        organisation: str | None = None,
        ttl_seconds: int | None = None,
        audience: str | None = None,
        now: float | None = None,
    ) -> str:
        """A token for ``subject`` acting as ``role``, signed with the node's active key;
        with ``audience``, valid only at that node."""
        try:
            parsed_role = Role(role)
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise InvalidInput(
                f"unknown role '{role}'; choose one of {choices}", field="role"
            ) from None
        if not subject.strip():
            raise InvalidInput("subject must not be empty", field="subject")
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.node_code,
            "sub": subject.strip(),
            "role": parsed_role.value,
            "iat": issued,
            "exp": issued + (ttl_seconds or self.settings.token_ttl_seconds),
            "jti": uuid.uuid4().hex,
        }
        if organisation:
            claims["org"] = organisation
        if audience:
            claims["aud"] = audience
        return sign_jws(self.keys.signer(NODE_KEY_OWNER), claims, header={"typ": TOKEN_TYPE})

    def authenticate(self, token: str, *, now: float | None = None) -> Principal:
        """The caller a bearer token stands for; AuthError says why a token is refused."""
        current = now if now is not None else time.time()
        if self.oidc is not None and self.oidc.claims_issuer(token) == self.oidc.issuer:
            return self.oidc.authenticate(token, now=current)
        try:
            header, claims = self.keys.verify_jws(token)
        except CertfreeError as exc:
            raise AuthError(f"bearer token refused: {exc.message}") from exc
        if header.get("typ") != TOKEN_TYPE:
            raise AuthError("bearer token refused: not an access token of this node")
        if claims.get("iss") != self.settings.node_code:
            raise AuthError(f"bearer token refused: issued by '{claims.get('iss')}', not this node")
        self._check_audience(claims)
        return principal_from_claims(claims, current)

    def authenticate_minted_for_us(
        self,
        token: str,
        resolve: Callable[[str], tuple[str, KeyLike]],
        *,
        now: float | None = None,
    ) -> Principal:
        """The caller of a token another node minted for this one (``aud`` = this node).

        ``resolve`` maps the header's kid to the issuing node's code and key, from the node
        registry, and raises KeyNotFound for a kid of no active node.
        """
        issuers: list[str] = []

        def key(kid: str) -> KeyLike:
            node, verifier = resolve(kid)
            issuers.append(node)
            return verifier

        try:
            header, claims = verify_jws(token, key)
        except CertfreeError as exc:
            raise AuthError(f"bearer token refused: {exc.message}") from exc
        if header.get("typ") != TOKEN_TYPE:
            raise AuthError("bearer token refused: not an access token of a certfree node")
        if claims.get("iss") != issuers[0]:
            raise AuthError(
                f"bearer token refused: signed by node '{issuers[0]}' but names "
                f"'{claims.get('iss')}' as issuer"
            )
        if claims.get("aud") != self.settings.node_code:
            raise AuthError("bearer token refused: not minted for this node (aud)")
        return principal_from_claims(claims, now if now is not None else time.time())

    def _check_audience(self, claims: dict[str, Any]) -> None:
        audience = claims.get("aud")
        if audience is not None and audience != self.settings.node_code:
            raise AuthError(f"bearer token refused: minted for node '{audience}', not this one")
