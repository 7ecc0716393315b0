"""The pages' masking rules (web/static/page.js ``certfree.maskBy``) in a real Chromium: the
same vectors as the Python rules, and a desk page showing a disclosed name, address and ID
number masked by their classes' rules."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree import catalog, certs
from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.governance.masking import COMPOUND_SURNAMES
from certfree.population import Sex
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet import HolderKey, present
from certfree.web.desk import certificate_terms
from factories.population import person
from factories.single_node import PROVINCE, hosting_province
from helpers.livenode import serving

pytestmark = pytest.mark.browser

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "masking.json").read_text(encoding="utf-8")
)["vectors"]


def test_the_pages_mask_as_the_python_rules_do(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/verify")
        shown = page.evaluate(
            "vectors => vectors.map(v => certfree.maskBy(v.rule, v.value))", VECTORS
        )
        # The same compound surnames: each kept whole before a given name, and no other pair.
        surnames = sorted(COMPOUND_SURNAMES)
        compound = page.evaluate(
            "names => names.map(n => certfree.maskBy('name', n + '明'))", surnames
        )
        single = page.evaluate("certfree.maskBy('name', '仲长江')")
        # certfree.mask, which every page used for ID numbers, is the id_number rule.
        old = page.evaluate("certfree.mask('370102199003070029')")
        refused = page.evaluate(
            "(() => { try { certfree.maskBy('initials', 'x'); return null; }"
            " catch (e) { return e.message; } })()"
        )
        page.close()
    failures = [
        f"{v['rule']} {v['value']!r}: {got!r}, expected {v['masked']!r}"
        for v, got in zip(VECTORS, shown, strict=True)
        if got != v["masked"]
    ]
    assert not failures, "\n".join(failures)
    assert compound == [f"{name}*" for name in surnames]
    assert single == "仲*"
    assert old == "3701**********0029"
    assert refused == "unknown masking rule initials"


ID_CARD = "11100000000013047R001"  # 居民身份证


@pytest.fixture
def node(
    settings: Settings, db: Database, keys: KeyStore, demo_registry: None
) -> Iterator[TestClient]:
    with TestClient(create_app(hosting_province(settings, db, keys))) as client:
        yield client


def _bearer(client: TestClient, role: str, subject: str) -> dict[str, str]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    org = PROVINCE if role == "clerk" else None
    return {"Authorization": f"Bearer {tokens.issue(role, subject, organisation=org)}"}


def test_a_desk_page_masks_each_personal_claim_by_its_class(
    node: TestClient, db: Database, browser: Browser
) -> None:
    assert certificate_terms("zh")[ID_CARD]["masks"] == {
        "name": "name",
        "address": "address",
        "id_number": "id_number",
        "holder_id": "id_number",
    }
    wallet = HolderKey.generate()
    address = "山东省济南市历下区泉城路1号"
    with db.session() as session:
        # Without a grant to ask the age, the requirement is met by the ID card.
        for grant in catalog.list_grants(session, include_revoked=False):
            if grant.question == "age_at_least":
                catalog.revoke_grant(session, grant.id, revoked_by="test")
        elder = person(session, name="欧阳秀兰", sex=Sex.FEMALE, birth=dt.date(1952, 2, 2))
        face = {
            **certs.cert_type(ID_CARD).example,
            "name": elder.name,
            "sex": "女",
            "birth_date": "1952-02-02",
            "address": address,
            "id_number": elder.id_number,
        }
        card = certs.issue_certificate(
            session,
            node.app.state.node.keys,  # type: ignore[attr-defined]
            type_code=ID_CARD,
            holder_id=elder.id_number,
            face_data=face,
            holder_jwk=wallet.public_jwk(),
        )
        elder_id = elder.id_number
    clerk = _bearer(node, "clerk", "staff-1")
    app = node.post(
        "/api/v1/applications",
        headers=clerk,
        json={"service": "老年人优待证办理", "applicant": elder_id},
    ).json()
    disclosed = ["holder_id", "age_over_60", "name", "address"]
    shown = present(card.credential, wallet, disclosed, audience=app["node"], nonce=app["id"])
    answer = node.post(
        f"/api/v1/applications/{app['id']}/presentations",
        headers=_bearer(node, "applicant", elder_id),
        json={"requirement": 0, "presentation": shown},
    )
    assert answer.status_code == 200, answer.text
    with serving(node.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/desk/applications/{app['id']}?as=staff-1")
        evidence = page.locator("#requirements > li").first.locator(".evidence")
        expect(evidence.locator("li[data-claim='name']")).to_have_text("姓名：欧阳*")
        expect(evidence.locator("li[data-claim='address']")).to_have_text(
            "住址：山东省济南市历下区****"
        )
        expect(evidence.locator("li[data-claim='holder_id']")).to_contain_text(
            elder_id[:4] + "**********" + elder_id[-4:]
        )
        expect(page.locator("#requirements")).not_to_contain_text("秀兰")
        expect(page.locator("#requirements")).not_to_contain_text("泉城路")
        page.close()
