"""A link a person opens that the node refuses is a page of the site in their language, not
the raw problem+json an API client reads (which API clients still get)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.storage import Database
from factories.population import person
from helpers.livenode import serving
from helpers.webpage import PHONE, as_shown, check_page, fits_phone

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/apply/bad!id", 422, "链接中的编号或参数有误"),
        ("/wallet/" + "x" * 300, 422, "链接中的编号或参数有误"),
        ("/catalog/lists?page=abc", 422, "链接中的编号或参数有误"),
        ("/no-such-page", 404, "没有这个页面"),
        ("/me/x", 404, "没有这个页面"),
    ],
)
def test_a_refused_link_opens_as_a_page(
    client: TestClient, path: str, status: int, heading: str
) -> None:
    answer = client.get(path, headers=BROWSER)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<h2 id="error-h">{heading}</h2>' in answer.text
    assert '"type":' not in answer.text  # no problem+json shown to a person
    assert '<a href="/">返回首页</a>' in answer.text
    # The refused answer's security headers stay on the page.
    assert "content-security-policy" in answer.headers


def test_the_error_page_speaks_english_when_asked(client: TestClient) -> None:
    answer = client.get("/apply/bad!id?lang=en", headers=BROWSER)
    assert answer.status_code == 422
    assert '<h2 id="error-h">A number or setting in the link is not valid</h2>' in answer.text
    assert "返回首页" not in answer.text


def test_api_clients_still_read_problem_json(client: TestClient) -> None:
    # A page script's fetch asks for JSON; the API answers JSON whatever is accepted.
    for path, headers in (
        ("/apply/bad!id", {"Accept": "application/json"}),
        ("/api/v1/applications/nope", BROWSER),
        ("/api/v1/no-such-route", BROWSER),
    ):
        answer = client.get(path, headers=headers)
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["status"] == answer.status_code


@pytest.mark.browser
def test_an_unknown_address_in_a_browser(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        response = page.goto(base + "/apply/20261208-!!")
        assert response is not None
        assert response.status == 422
        expect(page.get_by_role("heading", name="链接中的编号或参数有误")).to_be_visible()
        expect(page.get_by_role("navigation", name="页面导航")).to_be_visible()
        assert fits_phone(page)
        check_page(page, "error-page-phone-zh")
        page.close()


@pytest.mark.browser
def test_a_form_never_shows_an_answer_that_is_not_a_problem(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        resident = person(session)
        id_number = resident.id_number
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/apply?as={id_number}")
        expect(page.locator("#whoami")).to_contain_text(as_shown(id_number))
        # A proxy in front of the node answers with its own HTML error page.
        proxy_page = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
        page.route(
            "**/api/v1/procedures?*",
            lambda route: route.fulfill(status=502, content_type="text/html", body=proxy_page),
        )
        page.get_by_label("事项名称或办事场景").fill("养老")
        page.get_by_role("button", name="搜索").click()
        error = page.locator("#find .form-error")
        expect(error).to_have_text("操作未完成 (HTTP 502)")
        # The network gone: said in the page's words, not in the browser's ("Failed to fetch").
        page.unroute("**/api/v1/procedures?*")
        page.route("**/api/v1/procedures?*", lambda route: route.abort())
        page.get_by_role("button", name="搜索").click()
        expect(error).to_have_text("未能连接本节点，请检查网络后重试。")
        check_page(page, "apply-search-unreachable-zh")
        # So too where a page loads its lists.
        page.route("**/api/v1/applications?*", lambda route: route.abort())
        page.reload()
        expect(page.locator("#mine-empty")).to_contain_text("未能连接本节点")
        expect(page.locator("main")).not_to_contain_text("Failed to fetch")
        page.close()


@pytest.mark.browser
def test_the_problem_types_fold_by_status_on_a_phone(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="en-GB", viewport=PHONE)
        page.goto(base + "/problems?lang=en")
        # A hundred types, each status folded: a few screens, not thirty.
        expect(page.get_by_role("heading", name="HTTP status 422")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollHeight") < 5 * PHONE["height"]
        assert fits_phone(page)
        check_page(page, "problems-phone-en")
        page.locator("section", has=page.get_by_role("heading", name="HTTP status 422")).locator(
            "summary"
        ).click()
        expect(page.locator("#invalid-input")).to_have_text("Invalid input")
        # One type's own page (a problem's type URI) shows it unfolded, without RST markup.
        page.goto(base + "/problems/certificate-holder-outside-jurisdiction")
        expect(page.locator("#certificate-holder-outside-jurisdiction")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("``")
        page.close()
