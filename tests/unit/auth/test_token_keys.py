"""Bearer tokens verify only with the node's token keys, within the configured lifetime."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from certfree.auth import NODE_KEY_OWNER, TokenService
from certfree.auth.tokens import TOKEN_TYPE
from certfree.crypto import KeyStore, b64url_encode, sign_jws
from certfree.errors import AuthError, InvalidInput
from certfree.settings import Settings

ISSUER_USCC = "11370100010000063K"


def _claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.node_code,
        "sub": "ops",
        "role": "bureau_admin",
        "iat": now,
        "exp": now + 600,
        "jti": "j-1",
    }
    claims.update(changes)
    return claims


@pytest.fixture
def tokens(settings: Settings, keys: KeyStore) -> TokenService:
    return TokenService(settings, keys)


def test_a_token_signed_with_an_issuing_organs_seal_key_is_refused(
    tokens: TokenService, settings: Settings, keys: KeyStore
) -> None:
    keys.create(ISSUER_USCC)
    forged = sign_jws(keys.signer(ISSUER_USCC), _claims(settings), header={"typ": TOKEN_TYPE})
    with pytest.raises(AuthError, match="not a token key of this node"):
        tokens.authenticate(forged)
    # The same claims under the node's key are accepted: the key's purpose is what differs.
    genuine = sign_jws(keys.signer(NODE_KEY_OWNER), _claims(settings), header={"typ": TOKEN_TYPE})
    assert tokens.authenticate(genuine).role == "bureau_admin"


def test_a_retired_key_verifies_old_tokens_but_not_new_ones(
    tokens: TokenService, settings: Settings, keys: KeyStore
) -> None:
    old_signer = keys.signer(NODE_KEY_OWNER)
    before = tokens.issue("clerk", "staff-1", now=time.time() - 5)
    keys.rotate(NODE_KEY_OWNER)
    assert tokens.authenticate(before).subject == "staff-1"
    after = sign_jws(
        old_signer, _claims(settings, iat=int(time.time()) + 1), header={"typ": TOKEN_TYPE}
    )
    with pytest.raises(AuthError, match="retired before it was issued"):
        tokens.authenticate(after)
    assert tokens.authenticate(tokens.issue("clerk", "staff-2")).subject == "staff-2"


def test_a_token_accepted_before_is_checked_again_for_time_and_bytes(
    tokens: TokenService, settings: Settings
) -> None:
    token = tokens.issue("clerk", "staff-1", ttl_seconds=60)
    assert tokens.authenticate(token).subject == "staff-1"
    assert tokens.authenticate(token).subject == "staff-1"  # again, as a desk does
    with pytest.raises(AuthError, match="expired"):
        tokens.authenticate(token, now=time.time() + 120)
    head, payload, signature = token.split(".")
    other = "A" if signature[0] != "A" else "B"
    with pytest.raises(AuthError, match="bearer token refused"):
        tokens.authenticate(f"{head}.{payload}.{other}{signature[1:]}")


@pytest.mark.parametrize("lifetime", [3 * 365 * 86400, 28800 + 1])
def test_a_token_may_not_outlive_the_configured_lifetime(
    tokens: TokenService, settings: Settings, keys: KeyStore, lifetime: int
) -> None:
    now = int(time.time())
    long_lived = sign_jws(
        keys.signer(NODE_KEY_OWNER),
        _claims(settings, iat=now, exp=now + lifetime),
        header={"typ": TOKEN_TYPE},
    )
    with pytest.raises(AuthError, match="lives longer than this node's token lifetime"):
        tokens.authenticate(long_lived)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", float("nan")),
        ("exp", float("inf")),
        ("exp", True),
        ("exp", "2099-01-01"),
        ("iat", float("nan")),
        ("iat", None),
        ("nbf", float("-inf")),
        ("exp", None),
    ],
)
def test_time_claims_must_be_finite_numbers(
    tokens: TokenService, settings: Settings, keys: KeyStore, claim: str, value: Any
) -> None:
    claims = _claims(settings, **{claim: value})
    if value is None:
        del claims[claim]
    # NaN and Infinity are refused as JSON already; the rest by the claim's name.
    with pytest.raises(AuthError, match=f"{claim}|not a JSON number|range of a double"):
        tokens.authenticate(_sign_allowing_nan(keys, claims))


def _sign_allowing_nan(keys: KeyStore, claims: dict[str, Any]) -> str:
    """A node-signed token whose payload may hold NaN/Infinity, as a hostile signer could."""
    signer = keys.signer(NODE_KEY_OWNER)
    header = {"alg": signer.alg.value, "kid": signer.kid, "typ": TOKEN_TYPE}
    signing_input = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(claims, allow_nan=True).encode())
    )
    return signing_input + "." + b64url_encode(signer.sign(signing_input.encode()))


def test_issuing_refuses_a_lifetime_over_the_setting(tokens: TokenService) -> None:
    with pytest.raises(InvalidInput, match="lifetime must be 1 to 28800 seconds"):
        tokens.issue("clerk", "staff-1", ttl_seconds=28801)
    with pytest.raises(InvalidInput, match="lifetime"):
        tokens.issue("clerk", "staff-1", ttl_seconds=0)
