"""A citizen's own page (/me) in a real Chromium: who used my data (one row per exchange, in
words, with names and proofs), my consents and revoking one, my certificates' uses, my
commitments and credit records, my applications; on a desk and on a phone, in both languages."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree import certs, commitments, governance
from certfree.app import create_app
from certfree.crypto import KeyStore, SdJwtReason
from certfree.crypto.envelope import SCRYPT_N
from certfree.demo import load_demo_items, register_demo_nodes
from certfree.governance.audit.models import AuditEntry
from certfree.questions import get_question
from certfree.settings import Settings
from certfree.storage import Database
from certfree.web.me import MESSAGES
from factories.commitments import proof_item, submitted
from factories.population import person
from factories.ready_cases import new_application
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone, signed_in_subject

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
# 2026-11-29 08:05 UTC is 16:05 in Shanghai (UTC+8, no daylight saving).
ASKED_AT = dt.datetime(2026, 11, 29, 8, 5, tzinfo=dt.UTC)
NEIGHBOUR = "370102199002020028"
ID_CARD = "11100000000013047R001"  # 居民身份证
MARRIAGE_CERT = "111000000000132071001"  # 结婚证, the result type of ready_cases' T-MARRIAGE
REAL_ESTATE = "371A0301000000-370100000000-000-11370100010000055Q-1-00"


def _masked(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def _answer(
    message_id: str,
    subject: str,
    *,
    kind: str = "answer_sent",
    at: dt.datetime = ASKED_AT,
    result: Mapping[str, object] | None = None,
) -> governance.AuditRecord:
    if result is None:
        result = {"status": "married"}
    answered = kind.startswith("answer")
    question = "marital_status" if "status" in result else "owns_property"
    return governance.AuditRecord(
        kind=kind,
        message_id=message_id,
        consumer="370100",
        provider="370100-MZ" if question == "marital_status" else "370100-ZR",
        question=question,
        service_item=MARRIAGE if question == "marital_status" else REAL_ESTATE,
        subject_ids=[subject],
        outcome={"type": "question.answer", "body": {"question": question, "result": dict(result)}}
        if answered
        else None,
        message_sha256=hashlib.sha256(f"{message_id}{kind}".encode()).hexdigest(),
        at=at,
    )


def _someone_with_history(db: Database, *, named: bool = False) -> tuple[str, str]:
    """A resident with one consent and one logged answer about them; their ID and consent id.
    ``named``: the registry and the service items are the demo province's, so the page shows
    names for codes."""
    with db.session() as session:
        if named:
            register_demo_nodes(session)
            load_demo_items(session, "test")
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
    id_number, consent_id = _someone_with_history(db, named=True)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        # The landing page's personas open the service page; /me signs in the same way.
        page.goto(base + f"/me?as={id_number}")
        page.wait_for_url(base + "/me")  # ?as= is dropped once signed in
        # Name and masked ID number in the bar; the session is the resident's own.
        expect(page.locator("#whoami")).to_have_text(f"李秀英 {_masked(id_number)}")
        assert signed_in_subject(page, "certfree.me") == id_number
        expect(page.locator("#subject-line")).to_have_text(
            f"以下是涉及公民身份号码 {_masked(id_number)} 的记录。"
        )

        access = page.locator("#accesses tbody tr")
        expect(access).to_have_count(1)
        # One exchange in words, names for codes: who asked whom, when, for what, the answer.
        expect(access.locator(".sentence")).to_have_text(
            "济南市大数据局 于 2026-11-29 16:05 为『内地居民结婚登记』向 济南市民政局 "
            "查询了您的婚姻状况：已婚"
        )
        assert access.locator(".when").inner_text() == "2026-11-29 16:05"
        assert access.locator(".proof-by").inner_text() == "山东省大数据局 作出答复"  # logged by
        assert access.locator(".who").inner_text() == "济南市大数据局"  # asked by
        expect(page.locator("#nodes li[data-node='370000']")).to_have_text(
            "山东省大数据局：1 条，日志共 5 条，树头签名已核对"
        )
        assert access.locator(".question").inner_text() == "婚姻状况"
        assert access.locator(".service-item").inner_text() == "内地居民结婚登记"
        assert access.locator(".service-item").get_attribute("title") == MARRIAGE
        assert access.locator(".answer").inner_text() == "已婚"
        expect(access.locator(".proof")).to_have_text("✓ 已在本机验证：第 2 条，日志共 5 条")
        use = page.locator("#uses tbody tr")
        expect(use).to_have_count(1)
        assert use.locator("td").nth(0).inner_text() == "2026-11-29 17:05"
        assert use.locator("td").nth(1).inner_text() == "济南市民政局（clerk-7）"
        assert use.locator(".certificate").inner_text() == "居民身份证"
        assert use.locator(".disclosed").inner_text() == "姓名、出生日期"
        expect(use.locator(".result")).to_have_text("通过")
        # Nothing about commitments, credit or applications yet: each list says so.
        expect(page.locator("[data-empty='credit']")).to_have_text("没有信用记录。")
        expect(page.locator("[data-empty='applications']")).to_have_text("还没有办件。")
        expect(page.locator("#credit")).to_be_hidden()
        check_page(page, "me-zh")

        consent = page.locator(f"#consents tr[data-id='{consent_id}']")
        expect(consent.locator(".state")).to_have_text("有效")
        assert consent.locator(".service-item").inner_text() == "内地居民结婚登记"
        assert consent.locator(".questions").inner_text() == "婚姻状况"
        page.once("dialog", lambda dialog: dialog.accept())
        consent.get_by_role("button", name="撤回").click()
        expect(consent.locator(".state")).to_have_text("已撤回")
        expect(consent.get_by_role("button")).to_have_count(0)
        check_page(page, "me-consent-revoked-zh")

        # English on request; the token stays in the tab's sessionStorage.
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/me?lang=en")
        expect(page.locator("#accesses .question")).to_have_text("Marital status")
        expect(page.locator("#accesses .sentence")).to_have_text(
            "济南市大数据局 asked 济南市民政局 on 2026-11-29 16:05 for “内地居民结婚登记”: "
            "Marital status: married"
        )
        expect(page.locator(f"#consents tr[data-id='{consent_id}'] .state")).to_have_text("Revoked")
        assert page.locator("#accesses-h").inner_text() == "Who accessed my data"
        assert page.locator("#accesses .when").inner_text() == "2026-11-29 16:05"
        expect(page.locator("#uses .disclosed")).to_have_text("Name, Date of birth")

        expect(page.locator("#accesses .proof")).to_have_text(
            "✓ Verified in this browser: entry 2 of a log of 5"
        )
        check_page(page, "me-en")

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
        expect(row.locator(".answer")).to_have_text("未婚")
        expect(row.locator(".proof")).to_have_text("✗ 验证失败：第 2 条与签名树头不符")
        check_page(page, "me-tampered-zh")
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
    # A production node seals keys at the production cost (tests seal theirs cheaply) and is
    # given its TLS files (here the ones a development node makes itself).
    tls = settings.tls_files()
    production = settings.model_copy(
        update={
            "environment": "production",
            "key_scrypt_n": SCRYPT_N,
            "tls_cert": tls.cert,
            "tls_key": tls.key,
            "tls_ca": tls.ca,
        }
    )
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


def _someone_with_a_record(db: Database, keys: KeyStore) -> tuple[str, str]:
    """A resident whose data was asked about twelve times (one exchange logged as its four
    events), with a false commitment on record, a repaired one and an application; their ID
    and the application's id."""
    with db.session() as session:
        register_demo_nodes(session)
        load_demo_items(session, "test")
        resident = person(session, name="王小明")
        me = resident.id_number
        # The newest: one exchange, each of its four events logged (a node hosting both ends).
        asked = ASKED_AT + dt.timedelta(days=1)
        exchange = [
            _answer("m-four", me, kind=kind, at=asked + dt.timedelta(seconds=n), result=result)
            for n, (kind, result) in enumerate(
                [
                    ("request_sent", {"status": "unmarried"}),
                    ("request_received", {"status": "unmarried"}),
                    ("answer_sent", {"status": "unmarried"}),
                    ("answer_received", {"status": "unmarried"}),
                ]
            )
        ]
        older = [
            _answer(
                f"m-{n:02d}",
                me,
                at=ASKED_AT - dt.timedelta(days=n),
                result={"owns": True, "count": 2},
            )
            for n in range(1, 12)
        ]
        governance.append_records(session, [*older, *exchange])
        # Both commitments drawn for a check and found false; the older record since repaired.
        item = proof_item(session, name="无犯罪记录证明")
        commitments.set_sampling_plan(
            session, item.code, commitments.PlanSettings(base_rate=1), actor="dept-1"
        )
        for _ in range(2):
            submitted(session, keys, item.code, applicant_id=me, service_code=REAL_ESTATE)
        for check in commitments.draw_after_checks(session, seed="s"):
            commitments.record_outcome(
                session,
                check.id,
                commitments.CheckOutcome.FALSE_COMMITMENT,
                method=commitments.AfterCheckMethod.DATA_CHECK,
                note="公安机关核查：有犯罪记录",
                actor="dept-1",
            )
        first = commitments.credit_records_for(session, me)[-1]
        commitments.repair_credit(session, first.id, "bureau-1", "已依法纠正并履行义务")
        application = new_application(session, MARRIAGE_CERT, applicant=(me, None))
        return me, application.id


@pytest.mark.browser
def test_on_a_phone_one_row_per_exchange_and_the_credit_record_in_both_languages(
    client: TestClient, db: Database, keys: KeyStore, browser: Browser
) -> None:
    id_number, application_id = _someone_with_a_record(db, keys)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        page.goto(base + f"/me?as={id_number}")
        # Twelve exchanges, fifteen entries: ten rows a page, the four events in one row.
        rows = page.locator("#accesses tbody tr")
        expect(rows).to_have_count(10)
        expect(page.locator("#accesses + .pager")).to_contain_text("1 / 2")
        newest = page.locator("#accesses tr[data-message='m-four']")
        expect(newest.locator(".sentence")).to_have_text(
            "济南市大数据局 于 2026-11-30 16:05 为『内地居民结婚登记』向 济南市民政局 "
            "查询了您的婚姻状况：未婚"
        )
        expect(newest.locator(".proof-by")).to_have_text(
            [f"山东省大数据局 {kind}" for kind in ("发出查询", "收到查询", "作出答复", "收到答复")]
        )
        expect(newest.locator(".proof")).to_have_text(
            [f"✓ 已在本机验证：第 {n} 条，日志共 15 条" for n in range(11, 15)]
        )
        expect(rows.nth(1).locator(".sentence")).to_contain_text(
            "为『不动产转移登记』向 济南市自然资源和规划局 查询了您的不动产权属"
            "（是否登记有不动产：是、登记的不动产数量：2）"
        )
        page.locator("#accesses-search").fill("婚姻")
        expect(rows).to_have_count(1)
        expect(page.locator("#accesses + .pager")).to_be_empty()

        credit = page.locator("#credit tbody tr")
        expect(credit).to_have_count(2)
        open_record, repaired = credit.nth(0), credit.nth(1)  # newest first
        expect(open_record.locator(".credit-state")).to_have_text("未修复")
        expect(open_record.locator(".consequence")).to_have_text("撤销行政决定")
        expect(open_record.locator(".proof-item")).to_have_text("无犯罪记录证明")
        open_record.get_by_text("如何申请修复").click()
        expect(open_record.locator(".repair")).to_contain_text(
            "向大数据局（信用信息平台）申请信用修复"
        )
        expect(repaired.locator(".credit-state")).to_have_text("已修复")
        expect(repaired.locator(".repair")).to_contain_text("已修复：已依法纠正并履行义务")
        expect(page.locator("#commitments .commitment-state")).to_have_text(["已提交", "已提交"])
        expect(page.locator("#commitments .service-item").first).to_have_text("不动产转移登记")
        link = page.locator("#applications").get_by_role("link", name="内地居民结婚登记")
        assert link.get_attribute("href") == f"/apply/{application_id}"
        expect(page.locator("#applications .app-state")).to_have_text("已申请")
        expect(page.locator("[data-empty='uses']")).to_have_text("暂无用证记录。")
        assert fits_phone(page)
        check_page(page, "me-phone-zh")

        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/me?lang=en")
        expect(newest.locator(".sentence")).to_have_text(
            "济南市大数据局 asked 济南市民政局 on 2026-11-30 16:05 for “内地居民结婚登记”: "
            "Marital status: unmarried"
        )
        expect(newest.locator(".proof-by").first).to_have_text("山东省大数据局, sent the question")
        expect(open_record.locator(".credit-state")).to_have_text("Not repaired")
        expect(open_record.locator(".consequence")).to_have_text("Decision revoked")
        expect(repaired.locator(".repair")).to_contain_text("Repaired on")
        expect(page.locator("#applications .app-state")).to_have_text("Submitted")
        assert fits_phone(page)
        check_page(page, "me-phone-en")
        page.close()


def test_every_term_the_page_shows_has_both_languages() -> None:
    """No raw enum value reaches the page: each value the lists carry has its words."""
    terms = {
        "kind": governance.AuditKind,
        "consequence": commitments.CreditConsequence,
        "credit": commitments.CreditStatus,
        "commitment": commitments.CommitmentStatus,
        "channel": certs.UseChannel,
        "reason": SdJwtReason,
    }
    for lang in ("zh-CN", "en"):
        t = MESSAGES[lang]
        missing = [
            f"{prefix}.{value}"
            for prefix, enum in terms.items()
            for value in enum
            if not t.get(f"{prefix}.{value}")
        ]
        missing += [
            f"state.{s}" for s in ("valid", "expired", "revoked") if not t.get(f"state.{s}")
        ]
        assert not missing, (lang, missing)
