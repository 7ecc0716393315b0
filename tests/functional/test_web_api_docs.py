"""/api/docs in a real Chromium on a closed network: every file from the node, no CSP breach."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Route

from helpers.livenode import serving

pytestmark = pytest.mark.browser


def test_the_api_browser_works_with_nothing_from_outside(
    client: TestClient, browser: Browser
) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page()
        outside: list[str] = []
        problems: list[str] = []

        def closed_network(route: Route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(message.text)

        page.route("**/*", closed_network)
        page.on("console", console)
        page.goto(base + "/api/docs")
        page.locator(".opblock-summary-path", has_text="/api/v1/node").first.wait_for()
        assert page.locator(".opblock").count() > 50
        # Swagger UI speaks English: a screen reader reads it as English, not as Chinese.
        assert page.locator("html").get_attribute("lang") == "en"
        assert outside == []
        assert problems == []
        page.close()


def test_the_node_has_its_own_icon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # ICONDIR: reserved 0, type 1 (icon)
    assert b"\x89PNG" in response.content
