"""The province's wallet page (/wallet) in a real Chromium on a phone lists, beside what the
province itself keeps, the resident's certificates from two cities out of the provincial
index, each with its issuing node and a link to that node's wallet; another resident sees
none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree import certs
from certfree.certs import index as cert_index
from certfree.nodes.feeds import Source
from certfree.population import Sex
from certfree.storage import Database
from factories.cert_index import City, LocalIndex, city_node, register_city
from factories.certificates import ID_CARD, example_face, holder_key
from factories.population import person
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_registry")]

JINAN, QINGDAO = "370100", "370200"
SKILLS = "11100000000013506Y002"  # 技能人员职业资格证书: province-wide, any city's 人社 organ


@pytest.fixture
def cities(tmp_path: Path) -> Iterator[dict[str, City]]:
    with city_node(tmp_path, "jinan") as jinan, city_node(tmp_path, "qingdao") as qingdao:
        yield {JINAN: jinan, QINGDAO: qingdao}


def _issue(city: City, code: str, organ: str, holder: str) -> str:
    database, store = city
    face = example_face(code, id_number=holder, name="王建国")
    with database.session() as session:
        return certs.issue_certificate(
            session, store, type_code=code, holder_id=holder, face_data=face,
            holder_jwk=holder_key(), issuer_uscc=organ,
        ).identifier  # fmt: skip


def test_the_province_wallet_lists_a_residents_certificates_from_two_cities(
    client: TestClient, db: Database, cities: dict[str, City], browser: Browser
) -> None:
    with db.session() as session:
        holder = person(session, name="王建国", sex=Sex.MALE, birth=dt.date(1958, 3, 15)).id_number
        other = person(session, name="李秀英", sex=Sex.FEMALE, birth=dt.date(1960, 7, 2)).id_number
    for code, city in cities.items():
        register_city(db, city, code)
    id_card = _issue(cities[JINAN], ID_CARD, f"{JINAN}-GA", holder)
    skills = _issue(cities[QINGDAO], SKILLS, f"{QINGDAO}-RS", holder)
    sources = [Source(JINAN, None), Source(QINGDAO, None)]
    reports = cert_index.harvest_index(db, sources, LocalIndex(cities))
    assert [r.created for r in reports] == [1, 1]

    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
        page.goto(f"{base}/wallet?as={holder}")
        elsewhere = page.locator("#city-cards > li")
        expect(elsewhere).to_have_count(2)
        jinan = elsewhere.filter(has_text="居民身份证")
        expect(jinan.locator(".node")).to_have_text("签发节点：济南市大数据局")
        expect(jinan.locator(".status")).to_have_text("有效")
        expect(jinan.get_by_role("link", name="到签发节点卡包查看：居民身份证")).to_have_attribute(
            "href", f"http://{JINAN}.test/wallet/{id_card}"
        )
        qingdao = elsewhere.filter(has_text="技能人员职业资格证书")
        expect(qingdao.locator(".node")).to_have_text("签发节点：青岛市大数据局")
        expect(qingdao.get_by_role("link")).to_have_attribute(
            "href", f"http://{QINGDAO}.test/wallet/{skills}"
        )
        assert fits_phone(page)
        check_page(page, "wallet-cities-phone")

        english = browser.new_context(locale="en", viewport=PHONE).new_page()
        english.goto(f"{base}/wallet?as={holder}&lang=en")
        expect(english.locator("#cities-h")).to_have_text("Certificates issued in other cities")
        expect(english.locator("#city-cards .node").first).to_contain_text("Issued at: ")
        check_page(english, "wallet-cities-phone-en")

        stranger = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
        stranger.goto(f"{base}/wallet?as={other}")
        expect(stranger.locator("#no-cards")).to_be_visible()
        expect(stranger.locator("#cities")).to_be_hidden()
