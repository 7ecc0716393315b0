"""Signing in to /me and /desk at the province's OpenID provider (authorization code flow with
PKCE) in a real Chromium, with the provider served over real HTTP beside the node."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.settings import Settings
from certfree.storage import Database
from helpers.livenode import free_port, serving
from helpers.oidc_provider import Provider
from helpers.webpage import as_shown, signed_in_subject

CITIZEN, CLERK = "370102198001010015", "staff-42"


@pytest.fixture
def provider(provider_key: rsa.RSAPrivateKey) -> Iterator[Provider]:
    running = Provider(provider_key)
    with serving(running.app()) as url:
        running.url = url
        yield running


@pytest.fixture
def node_port() -> int:
    return free_port()


@pytest.fixture
def configured(
    settings: Settings, db: Database, keys: KeyStore, provider: Provider, node_port: int
) -> Settings:
    del db, keys  # a migrated database; the node's key, which signs the login cookie
    return settings.model_copy(
        update={
            "oidc_issuer": provider.url,
            "oidc_audience": "certfree",
            "oidc_client_id": "certfree-web",
            "public_url": f"http://127.0.0.1:{node_port}",  # the redirect URI's base
        }
    )


@pytest.fixture
def node(configured: Settings, node_port: int) -> Iterator[str]:
    with serving(create_app(configured), port=node_port) as url:
        yield url


@pytest.mark.browser
def test_a_citizen_signs_in_at_the_provider_and_sees_their_page(
    node: str, provider: Provider, browser: Browser
) -> None:
    page = browser.new_page(locale="zh-CN")
    page.goto(node + "/me")
    expect(page.locator("#dev-sign-in")).to_be_visible()  # a development node has both
    page.locator("#oidc-sign-in").click()

    page.wait_for_url(node + "/me")
    # The bar shows the ID number masked; the session is the citizen's own.
    expect(page.locator("#whoami")).to_have_text(as_shown(CITIZEN))
    assert as_shown(CITIZEN) != CITIZEN
    assert signed_in_subject(page, "certfree.me") == CITIZEN
    expect(page.locator("[data-empty='consents']")).to_have_text("暂无授权同意。")
    # The code was redeemed once, with the verifier whose S256 the browser was sent with.
    (redeemed,) = provider.token_requests
    assert redeemed["client_id"] == "certfree-web"
    assert redeemed["redirect_uri"] == node + "/auth/oidc/callback"
    assert len(redeemed["code_verifier"]) >= 43
    page.close()


@pytest.mark.browser
def test_a_clerk_signs_in_to_the_desk_but_not_to_a_citizens_page(
    node: str, provider: Provider, browser: Browser
) -> None:
    provider.user = (CLERK, "clerk")
    page = browser.new_page(locale="zh-CN")
    page.goto(node + "/desk")
    page.locator("#oidc-sign-in").click()
    page.wait_for_url(node + "/desk")
    expect(page.locator("#whoami")).to_have_text(CLERK)

    page.goto(node + "/me")
    page.locator("#oidc-sign-in").click()
    expect(page.locator("#sign-in-error")).to_have_text(
        "该账号的角色是 clerk，本页面需要 applicant"
    )
    page.close()


def test_a_callback_that_was_not_started_here_is_refused(configured: Settings) -> None:
    with TestClient(create_app(configured)) as client:
        forged = client.get("/auth/oidc/callback", params={"code": "x", "state": "y"})
        assert forged.status_code == 401
        assert "登录已失效或未从本站发起" in forged.text
        assert "sessionStorage" not in forged.text
        denied = client.get("/auth/oidc/callback", params={"error": "access_denied"})
        assert "统一身份认证平台未完成登录：access_denied" in denied.text

        started = client.get("/auth/oidc/start?return_to=/desk", follow_redirects=False)
        assert started.status_code == 302
        assert started.headers["location"].startswith(f"{configured.oidc_issuer}/authorize?")
        wrong_state = client.get("/auth/oidc/callback", params={"code": "x", "state": "other"})
        assert wrong_state.status_code == 401
        assert "state" in wrong_state.text
        # The callback spent the login; a new one with its true state, but a code never issued.
        again = client.get("/auth/oidc/start?return_to=/desk", follow_redirects=False)
        state = parse_qs(urlsplit(again.headers["location"]).query)["state"][0]
        bad_code = client.get("/auth/oidc/callback", params={"code": "unissued", "state": state})
        assert bad_code.status_code == 401
        assert "统一身份认证平台拒绝了登录：invalid_grant" in bad_code.text
        elsewhere = client.get("/auth/oidc/start?return_to=https://evil.example/")
        assert elsewhere.status_code == 422
        assert elsewhere.json()["field"] == "return_to"


def test_without_a_provider_sign_in_is_404_and_no_link_is_shown(client: TestClient) -> None:
    response = client.get("/auth/oidc/start", follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "CERTFREE_OIDC_CLIENT_ID" in response.json()["detail"]
    assert 'id="oidc-sign-in"' not in client.get("/me").text
