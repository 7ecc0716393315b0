"""A citizen's own page (/me) in a real Chromium: who used my data, my consents, revoking."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree import certs, governance
from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.crypto.envelope import SCRYPT_N
from certfree.governance.audit.models import AuditEntry
from certfree.questions import get_question
from certfree.settings import Settings
from certfree.storage import Database
from factories.population import person
from helpers.livenode import serving

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
# 2026-11-29 08:05 UTC is 16:05 in Shanghai (UTC+8, no daylight saving).
ASKED_AT = dt.datetime(2026, 11, 29, 8, 5, tzinfo=dt.UTC)
NEIGHBOUR = "370102199002020028"
ID_CARD = "11100000000013047R001"  # 居民身份证


def _answer(message_id: str, subject: str) -> governance.AuditRecord:
    return governance.AuditRecord(
        kind="answer_sent",
        message_id=message_id,
        consumer="370100",
        provider="370100-MZ",
        question="marital_status",
        service_item=MARRIAGE,
        subject_ids=[subject],
        outcome={
            "type": "question.answer",
            "body": {"question": "marital_status", "result": {"status": "married"}},
        },
        message_sha256=hashlib.sha256(message_id.encode()).hexdigest(),
        at=ASKED_AT,
    )


def _someone_with_history(db: Database) -> tuple[str, str]:
    """A resident with one consent and one logged answer about them; their ID and consent id."""
    with db.session() as session:
        resident = person(session, name="李秀英")
        consent = governance.give(
            session,
            subject_id=resident.id_number,
            consumer="370000",
            service_item=MARRIAGE,
            questions=[get_question("marital_status")],
            recorded_by="test",
        )
        # Entries about someone else around it, so the proof has a real path (5 leaves).
        others = [_answer(f"other-{n}", NEIGHBOUR) for n in range(4)]
        mine = _answer("msg-000001", resident.id_number)
        governance.append_records(session, [*others[:2], mine, *others[2:]])
        session.add(
            certs.CertificateUse(
                used_at=ASKED_AT + dt.timedelta(hours=1),
                certificate_id="test-certificate-1",
                type_code=ID_CARD,
                issuer=None,
                holder_id=resident.id_number,
                verifier="clerk-7",
                verifier_org="济南市民政局",
                channel=certs.UseChannel.VERIFICATION,
                audience="https://desk.example.test",
                purpose="婚姻登记",
                disclosed=["name", "birth_date"],
                valid=True,
                reasons=[],
            )
        )
        return resident.id_number, consent.id


@pytest.mark.browser
def test_a_resident_sees_who_used_their_data_and_revokes_a_consent(
    client: TestClient, db: Database, browser: Browser
) -> None:
    id_number, consent_id = _someone_with_history(db)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        page.get_by_role("link", name="李秀英").click()
        page.wait_for_url(base + "/me")  # ?as= is dropped once signed in
        expect(page.locator("#whoami")).to_have_text(f"李秀英 {id_number}")

        access = page.locator("#accesses tbody tr")
        expect(access).to_have_count(1)
        assert access.locator("td").nth(0).inner_text() == "2026-11-29 16:05"
        assert access.locator("td").nth(1).inner_text() == "370000"  # logged by this node
        assert access.locator("td").nth(2).inner_text() == "370100"  # asked by
        expect(page.locator("#nodes li[data-node='370000']")).to_have_text(
            "370000：1 条，日志共 5 条，树头签名已核对"
        )
        assert access.locator(".question").inner_text() == "婚姻状况（marital_status）"
        assert access.locator(".service-item").inner_text() == MARRIAGE
        assert access.locator(".answer").inner_text() == "婚姻状况：已婚"
        expect(access.locator(".proof")).to_have_text("✓ 已在本机验证：第 2 条，日志共 5 条")
        use = page.locator("#uses tbody tr")
        expect(use).to_have_count(1)
        assert use.locator("td").nth(0).inner_text() == "2026-11-29 17:05"
        assert use.locator("td").nth(1).inner_text() == "济南市民政局（clerk-7）"
        assert use.locator(".certificate").inner_text() == "居民身份证"
        assert use.locator(".disclosed").inner_text() == "姓名、出生日期"

        consent = page.locator(f"#consents tr[data-id='{consent_id}']")
        expect(consent.locator(".state")).to_have_text("有效")
        assert consent.locator(".service-item").inner_text() == MARRIAGE
        page.once("dialog", lambda dialog: dialog.accept())
        consent.get_by_role("button", name="撤回").click()
        expect(consent.locator(".state")).to_have_text("已撤回")
        expect(consent.get_by_role("button")).to_have_count(0)

        # English on request; the token stays in the tab's sessionStorage.
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/me?lang=en")
        expect(page.locator("#accesses .question")).to_have_text("Marital status (marital_status)")
        expect(page.locator(f"#consents tr[data-id='{consent_id}'] .state")).to_have_text("revoked")
        assert page.locator("#accesses-h").inner_text() == "Who accessed my data"
        assert page.locator("#accesses td").nth(0).inner_text() == "2026-11-29 16:05"
        expect(page.locator("#uses .disclosed")).to_have_text("Name, Date of birth")

        expect(page.locator("#accesses .proof")).to_have_text(
            "✓ Verified in this browser: entry 2 of a log of 5"
        )

        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#signed-out")).to_be_visible()
        page.close()


@pytest.mark.browser
def test_a_tampered_entry_fails_the_check_in_the_browser(
    client: TestClient, db: Database, browser: Browser
) -> None:
    id_number, _ = _someone_with_history(db)
    with db.session() as session:  # an insider rewrites the stored answer after the fact
        stored = session.get(AuditEntry, 2)
        assert stored is not None
        stored.record = stored.record.replace('"married"', '"unmarried"')
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + f"/me?as={id_number}")
        row = page.locator("#accesses tbody tr")
        expect(row.locator(".answer")).to_have_text("婚姻状况：未婚")
        expect(row.locator(".proof")).to_have_text("✗ 验证失败：第 2 条与签名树头不符")
        page.close()


@pytest.mark.browser
def test_an_unknown_resident_cannot_sign_in(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/me?as=110105194912310021")
        expect(page.locator("#sign-in-error")).to_contain_text("人口库中没有身份证号为")
        expect(page.locator("#signed-in")).to_be_hidden()
        page.close()


def test_dev_sign_in_gives_an_applicant_token(client: TestClient, db: Database) -> None:
    id_number, _ = _someone_with_history(db)
    signed = client.post("/dev/sign-in", json={"id_number": id_number})
    assert signed.status_code == 200, signed.text
    assert signed.json()["name"] == "李秀英"
    mine = client.get(
        "/api/v1/me/consents", headers={"Authorization": f"Bearer {signed.json()['token']}"}
    )
    assert [c["subject_id"] for c in mine.json()] == [id_number]
    assert "/dev/sign-in" not in client.get("/openapi.json").json()["paths"]
    clerk = client.post("/dev/staff-sign-in", json={"staff_id": "staff-7"}).json()["token"]
    preview = client.get(
        "/api/v1/me/consents/preview",
        params={"service_item": MARRIAGE, "question": "marital_status"},
        headers={"Authorization": f"Bearer {clerk}"},
    )
    assert preview.status_code == 200  # a clerk may preview; only the applicant consents
    assert (
        client.get("/api/v1/me/consents", headers={"Authorization": f"Bearer {clerk}"}).status_code
        == 403
    )


def test_dev_sign_in_is_404_outside_development(
    settings: Settings, db: Database, keys: KeyStore
) -> None:
    id_number, _ = _someone_with_history(db)
    # A production node seals keys at the production cost (tests seal theirs cheaply).
    production = settings.model_copy(update={"environment": "production", "key_scrypt_n": SCRYPT_N})
    with TestClient(create_app(production)) as client:
        refused = client.post("/dev/sign-in", json={"id_number": id_number})
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert client.post("/dev/staff-sign-in", json={"staff_id": "s-1"}).status_code == 404
        for path in ("/me", "/desk"):
            page = client.get(path)
            assert page.status_code == 200
            assert 'id="dev-sign-in"' not in page.text
            assert 'id="dev-consent"' not in page.text
