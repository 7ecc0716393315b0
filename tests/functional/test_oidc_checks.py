"""What the OpenID sign-in checks (OpenID Connect Core 1.0 §3.1.2.1, §3.1.3.3, §3.1.3.7;
Discovery 1.0 §4.3; RFC 6749 §2.3.1; RFC 9068 §4), each against the scripted provider served
over real HTTP and made to misbehave in one way. The browser's part (following redirects) is
done by hand here: the page the node answers the callback with is what a person would see."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.errors import ConfigurationError
from certfree.settings import Settings
from certfree.storage import Database
from helpers.livenode import serving
from helpers.oidc_provider import Provider, rs256_token

CITIZEN = "370102198001010015"
PUBLIC_URL = "https://certs.example.gov.cn"
CLIENT_ID = "certfree-web"


@pytest.fixture
def provider(provider_key: rsa.RSAPrivateKey) -> Iterator[Provider]:
    running = Provider(provider_key)
    with serving(running.app()) as url:
        running.url = url
        yield running


@pytest.fixture
def configured(settings: Settings, db: Database, keys: KeyStore, provider: Provider) -> Settings:
    del db, keys  # a migrated database; the node's key, which signs the login cookie
    return settings.model_copy(
        update={
            "oidc_issuer": provider.url,
            "oidc_audience": "certfree",
            "oidc_client_id": CLIENT_ID,
            "public_url": PUBLIC_URL,
        }
    )


def _client(settings: Settings) -> TestClient:
    """The node behind its https public URL (the login cookie is Secure there)."""
    return TestClient(create_app(settings), base_url="https://testserver")


@pytest.fixture
def node(configured: Settings) -> Iterator[TestClient]:
    with _client(configured) as client:
        yield client


def _sign_in(node: TestClient, return_to: str = "/me") -> httpx2.Response:
    """Start at the node, pass the provider (which redirects at once), come back: the page."""
    started = node.get("/auth/oidc/start", params={"return_to": return_to}, follow_redirects=False)
    assert started.status_code == 302, started.text
    at_provider = httpx.get(started.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC_URL}/auth/oidc/callback"
    params = {name: values[0] for name, values in parse_qs(back.query).items()}
    return node.get(back.path, params=params)


def _text(page: httpx2.Response, element_id: str) -> str:
    found = re.search(rf'<p id="{element_id}"[^>]*>(.*?)</p>', page.text, re.DOTALL)
    assert found is not None, page.text
    return html.unescape(found.group(1))


def _error(page: httpx2.Response) -> tuple[str, str]:
    """(the error as the page says it, the same in the other language)."""
    return _text(page, "sign-in-error"), _text(page, "sign-in-error-other")


def _signed_in(page: httpx2.Response, provider: Provider) -> bool:
    """Whether the page hands the provider's access token over to the page signed in for."""
    tokens = [issued["access_token"] for issued in provider.issued]
    return page.status_code == 200 and any(token in page.text for token in tokens)


def test_the_request_carries_a_nonce_and_the_redirect_uri_is_the_public_url(
    node: TestClient, provider: Provider
) -> None:
    # Whatever Host the browser used, the redirect URI is the configured public URL.
    started = node.get("/auth/oidc/start", headers={"Host": "evil.example"}, follow_redirects=False)
    asked = parse_qs(urlsplit(started.headers["location"]).query)
    assert asked["redirect_uri"] == [f"{PUBLIC_URL}/auth/oidc/callback"]
    assert len(asked["nonce"][0]) >= 32
    assert asked["scope"] == ["openid"]
    assert "; secure" in started.headers["set-cookie"].lower()  # an https public URL

    page = _sign_in(node)
    assert page.status_code == 200, page.text
    assert _signed_in(page, provider)
    assert CITIZEN in page.text
    assert provider.codes == {}  # the code was redeemed, once
    (redeemed,) = provider.token_requests
    assert redeemed["redirect_uri"] == f"{PUBLIC_URL}/auth/oidc/callback"


def _now() -> int:
    return int(time.time())


REFUSALS: dict[str, tuple[Callable[[Provider], None], str, str]] = {
    "id_token wrong iss": (
        lambda p: p.id_token_changes.update(iss="https://idp.evil.example"),
        "ID 令牌未通过校验：签发者（iss）为 'https://idp.evil.example'",
        "ID token refused: issuer (iss) is 'https://idp.evil.example', not the configured",
    ),
    "id_token wrong aud": (
        lambda p: p.id_token_changes.update(aud="another-client"),
        "受众（aud）不含本站的客户端标识 'certfree-web'",
        "ID token refused: audience (aud) does not name this client 'certfree-web'",
    ),
    "id_token several aud, no azp": (
        lambda p: p.id_token_changes.update(aud=[CLIENT_ID, "another-client"]),
        "有多个受众而授权方（azp）不是 'certfree-web'",
        "several audiences and the authorized party (azp) is not 'certfree-web'",
    ),
    "id_token azp of another client": (
        lambda p: p.id_token_changes.update(aud=[CLIENT_ID, "x"], azp="x"),
        "授权方（azp）不是 'certfree-web'",
        "the authorized party (azp) is not 'certfree-web'",
    ),
    "no id_token": (
        lambda p: setattr(p, "omit_id_token", True),
        "统一身份认证平台未返回 ID 令牌（id_token），无法确认登录者",
        "the identity provider returned no ID token (id_token); cannot tell who signed in",
    ),
    "id_token wrong nonce": (
        lambda p: p.id_token_changes.update(nonce="nonce-of-another-sign-in"),
        "nonce 与本站登录请求中的不符，可能是重放的令牌",
        "ID token refused: nonce does not match this sign-in's request",
    ),
    "id_token without nonce": (
        lambda p: p.id_token_changes.update(nonce=None),
        "nonce 与本站登录请求中的不符",
        "nonce does not match",
    ),
    "id_token expired": (
        lambda p: p.id_token_changes.update(exp=_now() - 3600),
        "ID 令牌未通过校验：已过期（exp）",
        "ID token refused: expired (exp is in the past)",
    ),
    "id_token issued in the future": (
        lambda p: p.id_token_changes.update(iat=_now() + 3600, exp=_now() + 7200),
        "签发时间（iat）在将来",
        "ID token refused: issued in the future (iat)",
    ),
    "id_token issued long ago": (
        lambda p: p.id_token_changes.update(iat=_now() - 86400),
        "过旧",
        "ID token refused: issued 864",
    ),
    "id_token exp not a number": (
        lambda p: p.id_token_changes.update(exp="tomorrow"),
        "exp 与 iat 须为数值时间（NumericDate）",
        "exp and iat must be NumericDates",
    ),
    "id_token alg none": (
        lambda p: p.id_token_header.update(alg="none"),
        "ID 令牌未通过校验：未签名（alg 为 none）",
        "ID token refused: not signed (alg none)",
    ),
    "id_token alg the provider does not announce": (
        lambda p: p.discovery_changes.update(id_token_signing_alg_values_supported=["ES256"]),
        "签名算法 RS256 不在允许之列（ES256）",
        "ID token refused: alg RS256 is not allowed (ES256)",
    ),
    "id_token alg announced but unknown here": (
        lambda p: p.discovery_changes.update(id_token_signing_alg_values_supported=["HS256"]),
        "签名算法 RS256 不在允许之列",
        "ID token refused: alg RS256 is not allowed (none at all)",
    ),
    "id_token for another subject than the access token": (
        lambda p: p.id_token_changes.update(sub="370102198001010023"),
        f"访问令牌的主体（sub）{CITIZEN} 与 ID 令牌的 370102198001010023 不一致",
        f"the access token's subject (sub) {CITIZEN} is not the ID token's 370102198001010023",
    ),
    "access token not a JWT": (
        lambda p: setattr(p, "opaque_access_token", True),
        "统一身份认证平台的访问令牌不是 JWT，本站无法校验（RFC 9068）",
        "the provider's access token is not a JWT this node can check (RFC 9068)",
    ),
    "access token typ JWT": (
        lambda p: p.access_token_header.update(typ="JWT"),
        "typ 为 'JWT'，不是 at+jwt",
        "bearer token refused: typ is 'JWT', not at+jwt (RFC 9068 §4)",
    ),
    "access token without aud": (
        lambda p: p.access_token_changes.update(aud=None),
        "访问令牌未通过校验：缺少受众（aud）",
        "bearer token refused: no audience (aud)",
    ),
    "access token for another audience": (
        lambda p: p.access_token_changes.update(aud="another-api"),
        "受众（aud）不是 'certfree'",
        "bearer token refused: audience is not 'certfree'",
    ),
    "access token wrong iss": (
        lambda p: p.access_token_changes.update(iss="https://idp.evil.example"),
        "访问令牌未通过校验：签发者（iss）为 'https://idp.evil.example'",
        "bearer token refused: issuer (iss) is 'https://idp.evil.example'",
    ),
    "access token alg none": (
        lambda p: p.access_token_header.update(alg="none"),
        "访问令牌未通过校验：未签名（alg 为 none）",
        "bearer token refused: not signed (alg none)",
    ),
}


@pytest.mark.parametrize("fault", REFUSALS)
def test_each_fault_of_the_provider_is_refused_with_the_reason(
    node: TestClient, provider: Provider, fault: str
) -> None:
    misbehave, chinese, english = REFUSALS[fault]
    misbehave(provider)
    page = _sign_in(node)
    assert page.status_code == 401
    assert not _signed_in(page, provider)
    said, other = _error(page)
    assert chinese in said
    assert english in other


def test_an_english_page_says_it_in_english_first(node: TestClient, provider: Provider) -> None:
    provider.omit_id_token = True
    node.cookies.set("certfree_lang", "en")
    said, other = _error(_sign_in(node))
    assert said.startswith("the identity provider returned no ID token")
    assert other.startswith("统一身份认证平台未返回 ID 令牌")


def test_an_access_token_without_typ_is_accepted(node: TestClient, provider: Provider) -> None:
    provider.access_token_header["typ"] = None  # RFC 9068 typ is checked only when it is set
    page = _sign_in(node)
    assert page.status_code == 200, page.text
    assert _signed_in(page, provider)


def test_a_discovery_document_of_another_issuer_stops_the_sign_in_and_the_api(
    node: TestClient, provider: Provider, provider_key: rsa.RSAPrivateKey
) -> None:
    provider.discovery_changes["issuer"] = provider.url + "/"  # not exactly the configured one
    started = node.get("/auth/oidc/start", follow_redirects=False)
    assert started.status_code == 500
    said, other = _error(started)
    assert f"与配置的 CERTFREE_OIDC_ISSUER '{provider.url}' 不完全一致" in said
    assert f"names issuer '{provider.url}/', not exactly the configured" in other
    assert provider.codes == {}  # the browser was never sent to the provider

    token = _access_token(provider, provider_key)
    answer = node.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/configuration"
    assert "OpenID Connect Discovery §4.3" in answer.json()["detail"]


def test_an_issuer_ending_in_a_slash_is_compared_as_written(
    settings: Settings, db: Database, keys: KeyStore, provider: Provider
) -> None:
    del db, keys
    issuer = provider.url + "/"
    provider.discovery_changes["issuer"] = issuer
    provider.id_token_changes["iss"] = issuer
    provider.access_token_changes["iss"] = issuer
    configured = settings.model_copy(
        update={
            "oidc_issuer": issuer,
            "oidc_audience": "certfree",
            "oidc_client_id": CLIENT_ID,
            "public_url": PUBLIC_URL,
        }
    )
    with _client(configured) as node:
        page = _sign_in(node)
    assert _signed_in(page, provider), page.text


# -- client authentication at the token endpoint (RFC 6749 §2.3.1) -------------------------


@pytest.fixture
def confidential(configured: Settings, provider: Provider) -> Iterator[TestClient]:
    """The node as a confidential client whose id and secret need form-urlencoding."""
    provider.client_secret = "s3cr:t/+ é~%"
    changed = configured.model_copy(
        update={"oidc_client_id": "web:certfree", "oidc_client_secret": provider.client_secret}
    )
    with _client(changed) as client:
        yield client


def test_the_secret_goes_by_http_basic_by_default(
    confidential: TestClient, provider: Provider
) -> None:
    page = _sign_in(confidential)
    assert page.status_code == 200, page.text
    assert provider.client_auth == ["basic"]
    (redeemed,) = provider.token_requests
    assert "client_secret" not in redeemed
    assert "client_id" not in redeemed  # the Basic header names the client


def test_basic_is_used_when_the_provider_lists_it_beside_post(
    confidential: TestClient, provider: Provider
) -> None:
    methods = ["client_secret_post", "client_secret_basic"]
    provider.discovery_changes["token_endpoint_auth_methods_supported"] = methods
    assert _sign_in(confidential).status_code == 200
    assert provider.client_auth == ["basic"]


def test_the_secret_goes_in_the_form_when_the_provider_takes_only_post(
    confidential: TestClient, provider: Provider
) -> None:
    provider.discovery_changes["token_endpoint_auth_methods_supported"] = ["client_secret_post"]
    page = _sign_in(confidential)
    assert page.status_code == 200, page.text
    assert provider.client_auth == ["post"]
    (redeemed,) = provider.token_requests
    assert redeemed["client_id"] == "web:certfree"
    assert redeemed["client_secret"] == provider.client_secret


def test_a_provider_without_a_method_the_node_can_do_is_named(
    confidential: TestClient, provider: Provider
) -> None:
    provider.discovery_changes["token_endpoint_auth_methods_supported"] = ["private_key_jwt"]
    page = _sign_in(confidential)
    assert page.status_code == 401
    said, other = _error(page)
    assert "统一身份认证平台只接受 ['private_key_jwt'] 客户端认证" in said
    assert "client_secret_basic and client_secret_post" in other
    assert provider.token_requests == []


def test_a_wrong_secret_is_the_providers_refusal(
    confidential: TestClient, provider: Provider
) -> None:
    provider.client_secret = "another secret"
    page = _sign_in(confidential)
    assert page.status_code == 401
    said, other = _error(page)
    assert said == "统一身份认证平台拒绝了登录：invalid_client"
    assert other == "the identity provider refused: invalid_client"


# -- access tokens at the API (RFC 9068 §4) -------------------------------------------------


def _access_token(
    provider: Provider,
    key: rsa.RSAPrivateKey,
    header: dict[str, Any] | None = None,
    **changes: Any,
) -> str:
    now = _now()
    claims = {
        "iss": provider.url,
        "sub": CITIZEN,
        "aud": "certfree",
        "roles": ["applicant"],
        "iat": now,
        "exp": now + 300,
        **changes,
    }
    return rs256_token(key, {k: v for k, v in claims.items() if v is not None}, header=header)


API_REFUSALS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "no aud": ({}, {"aud": None}, "bearer token refused: no audience (aud)"),
    "aud of another API": ({}, {"aud": ["x", "y"]}, "bearer token refused: audience is not"),
    "typ JWT": ({"typ": "JWT"}, {}, "bearer token refused: typ is 'JWT', not at+jwt"),
    "alg none": ({"alg": "none"}, {}, "bearer token refused: not signed (alg none)"),
    "alg HS256": ({"alg": "HS256"}, {}, "bearer token refused: alg HS256 is not allowed"),
    "expired": ({}, {"exp": 1_000_000_000}, "bearer token refused: expired"),
    "unknown kid": ({"kid": "idp-9"}, {}, "identity provider has no key 'idp-9'"),
}


@pytest.mark.parametrize("fault", API_REFUSALS)
def test_the_api_refuses_a_provider_token_with_problem_json(
    node: TestClient, provider: Provider, provider_key: rsa.RSAPrivateKey, fault: str
) -> None:
    header, changes, detail = API_REFUSALS[fault]
    token = _access_token(provider, provider_key, header, **changes)
    answer = node.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert detail in answer.json()["detail"]


def test_the_api_accepts_a_good_provider_token(
    node: TestClient, provider: Provider, provider_key: rsa.RSAPrivateKey
) -> None:
    for header in ({}, {"typ": "application/at+jwt"}, {"typ": None}):
        token = _access_token(provider, provider_key, header)
        answer = node.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["subject"] == CITIZEN


def test_a_provider_without_an_audience_is_a_configuration_error(
    configured: Settings,
) -> None:
    with pytest.raises(ConfigurationError, match="CERTFREE_OIDC_AUDIENCE") as caught:
        create_app(configured.model_copy(update={"oidc_audience": None}))
    assert caught.value.field == "oidc_audience"
