"""Bearer tokens: compact JWS signed by the node's key, or issued by a configured OpenID provider.

Node tokens carry ``iss`` (the node code), ``sub``, ``role``, ``iat``, ``exp`` and ``jti``
(RFC 7519 §4.1). Verification needs only the key directory, which every worker process of a
node shares, so any worker accepts a token that another issued.

Only keys meant for tokens verify them: the node's own keys (owner ``node``), never an issuing
organ's seal key from the same store (RFC 8725 §3.12: keys are not shared across purposes).
A key retired by ``keys rotate`` verifies only tokens issued before it was retired, and no
token lives longer than the configured lifetime (``exp - iat``), whatever its ``exp`` says.

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
from certfree.crypto import KeyLike, KeyStore, Verifier, sign_jws, verify_jws
from certfree.errors import AuthError, CertfreeError, InvalidInput, KeyNotFound
from certfree.settings import Settings

NODE_KEY_OWNER = "node"
TOKEN_TYPE = "certfree-access+jwt"  # noqa: S105 - a JWS "typ" value, not a secret
_VERIFIED_SLOTS = 4096  # tokens whose signature and fixed claims were found good


class TokenService:
    """Issues and checks bearer tokens for one node."""

    def __init__(self, settings: Settings, keys: KeyStore, oidc: OidcVerifier | None = None):
        self.settings = settings
        self.keys = keys
        self.oidc = oidc
        # token → (header, claims), once its signature, type, issuer, audience and lifetime
        # were checked: a desk sends the same token with every request, and those checks give
        # the same answer for the same bytes. What depends on the time (exp, nbf) or on the
        # key store (the key removed or retired since) is checked again on every request.
        self._verified: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

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
        ttl = self.settings.token_ttl_seconds if ttl_seconds is None else ttl_seconds
        if not 0 < ttl <= self.settings.token_ttl_seconds:
            raise InvalidInput(
                f"lifetime must be 1 to {self.settings.token_ttl_seconds} seconds "
                "(CERTFREE_TOKEN_TTL_SECONDS)",
                field="ttl",
            )
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.node_code,
            "sub": subject.strip(),
            "role": parsed_role.value,
            "iat": issued,
            "exp": issued + ttl,
            "jti": uuid.uuid4().hex,
        }
        if organisation:
            claims["org"] = organisation
        if audience:
            claims["aud"] = audience
        return sign_jws(self.keys.signer(NODE_KEY_OWNER), claims, header={"typ": TOKEN_TYPE})

    def verifies_locally(self, token: str) -> bool:
        """Whether ``authenticate`` checks ``token`` with this node's own keys alone (no
        network: not a token of the OIDC provider, whose keys may have to be fetched)."""
        return self.oidc is None or self.oidc.claims_issuer(token) != self.oidc.issuer

    def authenticate(self, token: str, *, now: float | None = None) -> Principal:
        """The caller a bearer token stands for; AuthError says why a token is refused."""
        current = now if now is not None else time.time()
        if self.oidc is not None and self.oidc.claims_issuer(token) == self.oidc.issuer:
            return self.oidc.authenticate(token, now=current)
        known = self._verified.get(token)
        if known is not None:
            header, claims = known
            principal = principal_from_claims(claims, current)
        else:
            try:
                header, claims = verify_jws(token, self._token_key)
            except CertfreeError as exc:
                raise AuthError(f"bearer token refused: {exc.message}") from exc
            if header.get("typ") != TOKEN_TYPE:
                raise AuthError("bearer token refused: not an access token of this node")
            if claims.get("iss") != self.settings.node_code:
                raise AuthError(
                    f"bearer token refused: issued by '{claims.get('iss')}', not this node"
                )
            self._check_audience(claims)
            principal = principal_from_claims(claims, current)
            self._check_lifetime(claims)
        try:
            retired_at = self.keys.info(str(header["kid"])).retired_at
        except CertfreeError as exc:  # the key was removed
            raise AuthError(f"bearer token refused: {exc.message}") from exc
        if retired_at is not None and claims["iat"] >= retired_at.timestamp():
            raise AuthError("bearer token refused: signed with a key retired before it was issued")
        if known is None:
            if len(self._verified) >= _VERIFIED_SLOTS:
                self._verified.clear()  # atomic, whichever thread authenticates meanwhile
            self._verified[token] = (header, claims)
        return principal

    def _token_key(self, kid: str) -> Verifier:
        """A verifier for ``kid`` if it is one of this node's token keys (KeyNotFound if not)."""
        info = self.keys.info(kid)
        if info.owner != NODE_KEY_OWNER:
            raise KeyNotFound(f"key {kid} is not a token key of this node")
        return self.keys.verifier(kid)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """RFC 8725 §3.10: a token may not outlive the node's configured lifetime."""
        issued, expires = claims.get("iat"), claims["exp"]  # exp checked by the caller
        if not isinstance(issued, int) or isinstance(issued, bool):
            raise AuthError("bearer token refused: iat must be an integer NumericDate")
        if expires - issued > self.settings.token_ttl_seconds:
            raise AuthError(
                "bearer token refused: lives longer than this node's token lifetime "
                f"({self.settings.token_ttl_seconds} s)"
            )

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
        principal = principal_from_claims(claims, now if now is not None else time.time())
        self._check_lifetime(claims)
        return principal

    def _check_audience(self, claims: dict[str, Any]) -> None:
        audience = claims.get("aud")
        if audience is not None and audience != self.settings.node_code:
            raise AuthError(f"bearer token refused: minted for node '{audience}', not this one")
