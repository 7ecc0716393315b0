"""The service desk's queue and cases (/desk, /desk/applications/{id}) in a real Chromium,
over real HTTP, on the province node that hosts its departments: a clerk sees the queue with
an overdue case marked and filters it; opens a case and sees each requirement's party, way and
signed proof; asks for a correction (the applicant then sees it), does not accept another
(the empty reason refused beside the field first), accepts and approves a third."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from certfree import applications as apps
from certfree import catalog, certs
from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.population import Sex
from certfree.proofs import Way
from certfree.settings import Settings
from certfree.storage import Database, utcnow
from certfree.wallet import HolderKey, present
from factories.population import person
from factories.single_node import PROVINCE, hosting_province
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser

ELDERLY = "老年人优待证办理"
ID_CARD = "11100000000013047R001"  # 居民身份证
BEIJING = ZoneInfo("Asia/Shanghai")


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


def _elder(db: Database, birth: dt.date) -> str:
    with db.session() as session:
        return person(session, name="赵秀兰", sex=Sex.FEMALE, birth=birth).id_number


def _case(client: TestClient, db: Database, birth: dt.date, *, consent: bool) -> dict[str, Any]:
    """An elderly card application started at the desk and submitted; with ``consent`` the
    elder consented (with a wallet key) and the checks ran, so both requirements are met."""
    clerk = _bearer(client, "clerk", "staff-1")
    elder = _elder(db, birth)
    app = client.post(
        "/api/v1/applications", headers=clerk, json={"service": ELDERLY, "applicant": elder}
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    if consent:
        me = _bearer(client, "applicant", elder)
        asked = sorted({p["ref"] for r in app["requirements"] for p in r["parts"]})
        attested = client.post(
            "/api/v1/consent/attestations",
            headers=me,
            json={
                "consumer": PROVINCE,
                "service_item": app["service_item"],
                "questions": asked,
                "purpose": f"办理{ELDERLY}",
                "application": app["id"],
            },
        )
        assert attested.status_code == 201, attested.text
        joined = client.post(
            f"{path}/consent",
            headers=me,
            json={
                "party": elder,
                "attestation": attested.json()["attestation"],
                "holder_jwk": HolderKey.generate().public_jwk(),
            },
        )
        assert joined.status_code == 200, joined.text
        ran = client.post(f"{path}/run", headers=clerk)
        assert [r["status"] for r in ran.json()["requirements"]] == ["met", "met"], ran.text
    submitted = client.post(f"{path}/submit", headers=clerk)
    assert submitted.status_code == 200, submitted.text
    shown: dict[str, Any] = submitted.json()
    return shown


def _accepted_weeks_ago(db: Database, app_id: str) -> None:
    """Accepted six weeks ago: its five working days have long run out."""
    with db.session() as session:
        app = apps.locked_application(session, app_id)
        apps.accept(app, actor="clerk:staff-1", now=utcnow() - dt.timedelta(weeks=6))


def _masked(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def _open(page: Page, base: str, app_id: str, query: str = "") -> None:
    page.goto(f"{base}/desk/applications/{app_id}{query}")
    expect(page.locator("#case-id")).to_have_text(app_id)
    expect(page.locator("#requirements > li").first).to_be_visible()


def test_a_clerk_works_the_queue_and_its_cases(
    node: TestClient, db: Database, browser: Browser
) -> None:
    to_correct = _case(node, db, dt.date(1950, 3, 8), consent=True)
    node.post(
        f"/api/v1/applications/{to_correct['id']}/accept", headers=_bearer(node, "clerk", "staff-1")
    )
    to_refuse = _case(node, db, dt.date(1951, 4, 9), consent=False)
    to_approve = _case(node, db, dt.date(1952, 5, 10), consent=True)
    late = _case(node, db, dt.date(1953, 6, 11), consent=False)
    _accepted_weeks_ago(db, late["id"])

    with serving(node.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/desk?as=staff-1")
        rows = page.locator("#queue tbody tr")
        expect(rows).to_have_count(4)
        overdue = page.locator(f"#queue tr[data-id='{late['id']}'] .badge.overdue")
        expect(overdue).to_contain_text("已逾期")
        expect(overdue).to_contain_text("个工作日")
        refused_row = page.locator(f"#queue tr[data-id='{to_refuse['id']}']")
        expect(refused_row.locator("td.applicant")).to_have_text(_masked(to_refuse["applicant"]))
        expect(refused_row).to_contain_text("已申请")
        received = dt.datetime.fromisoformat(to_refuse["submitted_at"]).astimezone(BEIJING)
        expect(refused_row).to_contain_text(received.strftime("%Y-%m-%d %H:%M"))
        check_page(page, "desk-queue")

        page.get_by_label("只看已逾期的办件").check()
        page.get_by_role("button", name="筛选", exact=True).click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-id", late["id"])
        page.get_by_label("只看已逾期的办件").uncheck()
        page.get_by_label("状态").select_option(label="已申请")
        page.get_by_role("button", name="筛选", exact=True).click()
        expect(rows).to_have_count(2)
        page.get_by_label("在结果中搜索").fill(to_approve["applicant"])
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-id", to_approve["id"])
        check_page(page, "desk-queue-filtered")

        # A case: each requirement's party, way and the signed answer that met it; nodes by
        # their registered names (the code in the title), long identifiers shortened.
        _open(page, base, to_correct["id"])
        requirements = page.locator("#requirements > li")
        expect(requirements).to_have_count(2)
        shown = node.get(
            f"/api/v1/applications/{to_correct['id']}", headers=_bearer(node, "clerk", "staff-1")
        ).json()
        for n in range(2):
            row = requirements.nth(n)
            expect(row.locator(".party")).to_have_text(f"申请人 {_masked(to_correct['applicant'])}")
            expect(row.locator(".way")).to_have_text("数据共享核验")
            expect(row.locator(".status")).to_have_text("已满足")
            expect(row.locator(".evidence")).to_contain_text("签名节点山东省大数据局")
            expect(row.locator(".evidence .organ[title='370000']")).to_have_text("山东省大数据局")
            expect(row.locator(".evidence dl.proof code").first).not_to_be_empty()
            message_id = shown["requirements"][n]["parts"][0]["proof"]["message_id"]
            message = row.locator("code.long-id").first
            expect(message).to_have_attribute("title", message_id)
            expect(message).to_have_text(f"{message_id[:8]}…{message_id[-6:]}")
            expect(row.get_by_role("button", name="复制完整报文编号")).to_be_visible()
        first = requirements.first.locator(".evidence")
        expect(first).to_contain_text("核验部门济南市公安局")
        expect(first.locator(".organ[title='370100-GA']")).to_have_text("济南市公安局")
        expect(first).to_contain_text("答复是否已满指定周岁：是")
        expect(first).not_to_contain_text("370100-GA")
        check_page(page, "desk-case-accepted")
        # The desk's one-question tool, opened from a requirement, comes filled in.
        page.get_by_role("link", name="向部门核验", exact=True).first.click()
        expect(page.locator("#provider")).to_have_value("370100-GA")
        expect(page.locator("#question")).to_have_value("age_at_least")
        expect(page.locator("#service_item")).to_have_value(to_correct["service_item"])
        expect(page.get_by_label("身份证号码")).to_have_value(to_correct["applicant"])
        check_page(page, "desk-ask-from-case")
        _open(page, base, to_correct["id"])

        correction = page.locator("#correction-form")
        correction.get_by_label("理由").fill("请补充户籍信息核验授权")
        page.get_by_role("button", name="发出补正通知").click()  # nothing named to correct
        expect(page.locator("#correction-items-error")).to_have_text("请勾选需补正的申请条件")
        correction.get_by_label("1. ").check()
        page.get_by_role("button", name="发出补正通知").click()
        expect(page.locator("#state")).to_have_text("待补正")
        last = page.locator("#events tbody tr").last
        expect(last).to_contain_text("请补充户籍信息核验授权")
        expect(last).to_contain_text("补正：1. ")
        check_page(page, "desk-case-correction")
        seen = node.get(
            f"/api/v1/applications/{to_correct['id']}",
            headers=_bearer(node, "applicant", to_correct["applicant"]),
        ).json()
        assert seen["state"] == "correction_requested"
        assert seen["events"][-1]["reason"] == "请补充户籍信息核验授权"
        assert seen["events"][-1]["detail"]["requirements"] == [0]

        # Not accepted: the empty reason is refused by the API, beside the field.
        _open(page, base, to_refuse["id"])
        page.get_by_role("button", name="作出不予受理决定").click()
        expect(page.locator("#not-accept-reason-error")).to_contain_text("请写明理由")
        expect(page.locator("#not-accept-reason")).to_have_attribute("aria-invalid", "true")
        check_page(page, "desk-case-problem")
        page.locator("#not-accept-reason").fill("申请人户籍不在本省")
        page.get_by_role("button", name="作出不予受理决定").click()
        expect(page.locator("#state")).to_have_text("不予受理")
        expect(page.locator("#no-actions")).to_be_visible()
        expect(page.locator("#events tbody tr").last).to_contain_text("申请人户籍不在本省")

        # Accepted, then approved: the time limit shown, the card issued.
        _open(page, base, to_approve["id"])
        page.get_by_role("button", name="受理", exact=True).click()
        expect(page.locator("#state")).to_have_text("已受理")
        expect(page.locator("#facts")).to_contain_text("剩余 5 个工作日")
        page.get_by_role("button", name="准予办理").click()
        expect(page.locator("#state")).to_have_text("已办结")
        expect(page.locator("#decision")).to_have_text("准予办理")
        expect(page.locator("#facts")).to_contain_text("老年人优待证")
        decided = node.get(
            f"/api/v1/applications/{to_approve['id']}", headers=_bearer(node, "clerk", "staff-1")
        ).json()
        # The certificate's id (GB/T 36904) read out whole, and copied whole.
        issued = page.locator("#facts code.long-id")
        expect(issued).to_have_text(decided["issued"][0]["certificate_id"])
        expect(page.get_by_role("button", name="复制完整证照标识")).to_be_visible()
        check_page(page, "desk-case-approved")
        page.close()


def test_the_queue_on_a_phone_and_a_case_in_english(
    node: TestClient, db: Database, browser: Browser
) -> None:
    app = _case(node, db, dt.date(1950, 3, 8), consent=False)
    with serving(node.app) as base:  # type: ignore[arg-type]
        phone = browser.new_page(locale="zh-CN", viewport=PHONE)
        phone.goto(base + "/desk?as=staff-1")
        expect(phone.locator("#queue tbody tr")).to_have_count(1)
        assert fits_phone(phone)
        check_page(phone, "desk-queue-phone")
        phone.locator(f"#queue a[href$='{app['id']}']").click()
        expect(phone.locator("#requirements > li")).to_have_count(2)
        assert fits_phone(phone)
        check_page(phone, "desk-case-phone")
        phone.close()

        page = browser.new_page(locale="en-GB")
        page.goto(f"{base}/desk/applications/{app['id']}?lang=en&as=staff-1")
        expect(page.locator("#state")).to_have_text("Submitted")
        expect(page.get_by_role("heading", name="Requirements and their proof")).to_be_visible()
        expect(page.locator("#requirements .way").first).to_have_text("data sharing")
        expect(page.locator("#requirements .status").first).to_have_text("Planned")
        expect(page.get_by_role("button", name="Accept", exact=True)).to_be_visible()
        expect(page.locator("#approve-blocked")).to_have_text(
            "Approval needs every requirement met."
        )
        check_page(page, "desk-case-en")
        page.close()


def _household_on_paper(db: Database, app_id: str) -> None:
    """The plan of the second requirement (household in the province) takes the paper proof
    the list still allows, as where no data can be had."""
    with db.session() as session:
        app = apps.locked_application(session, app_id)
        slot = app.slots[1]
        slot.way, slot.status = Way.PAPER, apps.SlotStatus.PAPER_REQUIRED
        slot.parts = [
            {**part, "way": Way.PAPER.value, "status": "paper_required", "proof": None}
            for part in slot.parts
        ]


def test_a_clerk_records_the_paper_the_list_allows_and_refuses_citing_a_requirement(
    node: TestClient, db: Database, browser: Browser
) -> None:
    app = _case(node, db, dt.date(1950, 3, 8), consent=False)
    _household_on_paper(db, app["id"])
    with serving(node.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/desk/applications/{app['id']}?as=staff-1")
        rows = page.locator("#requirements > li")
        expect(rows.nth(1).locator(".way")).to_have_text("纸质证明")
        expect(rows.nth(0).locator("form.paper")).to_have_count(0)  # data sharing: no paper
        paper = rows.nth(1).locator("form.paper")
        paper.get_by_role("button", name="登记").click()
        expect(page.locator("#paper-1-error")).to_contain_text("请写明所见纸质证明")
        check_page(page, "desk-case-paper-problem")
        paper.get_by_label("所见纸质证明").fill("户口簿原件，已核对")
        paper.get_by_role("button", name="登记").click()
        expect(rows.nth(1).locator(".status")).to_have_text("已满足")
        proof = rows.nth(1).locator(".evidence")
        expect(proof).to_contain_text("所见纸质证明户口簿原件，已核对")
        expect(proof).to_contain_text("经办人窗口人员 staff-1")

        refuse = page.locator("#refuse-form")
        refuse.get_by_label("理由").fill("年龄未满60周岁")
        refuse.get_by_role("button", name="不予办理").click()
        expect(page.locator("#refuse-requirement-error")).to_contain_text("须指明")
        refuse.get_by_label("所依据的申请条件").select_option(label="1. 申请人年满60周岁")
        refuse.get_by_role("button", name="不予办理").click()
        expect(page.locator("#decision")).to_have_text("不予办理")
        expect(page.locator("#facts")).to_contain_text("1. 申请人年满60周岁")
        expect(page.locator("#facts")).to_contain_text("年龄未满60周岁")
        check_page(page, "desk-case-refused")
        page.close()


def _age_shown_by_the_id_card(node: TestClient, db: Database) -> tuple[dict[str, Any], str]:
    """An elderly card case whose age the elder proved with the e-ID card (police cannot be
    asked: no grant for the age question), disclosing the holder's number and the predicate;
    the case as the clerk reads it, and the name of the organ that issued the card."""
    wallet = HolderKey.generate()
    with db.session() as session:
        for grant in catalog.list_grants(session, include_revoked=False):
            if grant.question == "age_at_least":
                catalog.revoke_grant(session, grant.id, revoked_by="test")
        elder = person(session, name="韩桂芝", sex=Sex.FEMALE, birth=dt.date(1952, 2, 2))
        face = {
            **certs.cert_type(ID_CARD).example,
            "name": elder.name,
            "sex": "女",
            "birth_date": "1952-02-02",
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
        "/api/v1/applications", headers=clerk, json={"service": ELDERLY, "applicant": elder_id}
    ).json()
    disclosed = ["holder_id", "age_over_60"]
    shown = present(card.credential, wallet, disclosed, audience=app["node"], nonce=app["id"])
    answer = node.post(
        f"/api/v1/applications/{app['id']}/presentations",
        headers=_bearer(node, "applicant", elder_id),
        json={"requirement": 0, "presentation": shown},
    )
    assert answer.status_code == 200, answer.text
    case: dict[str, Any] = node.get(f"/api/v1/applications/{app['id']}", headers=clerk).json()
    issuer = case["requirements"][0]["parts"][0]["proof"]["issuer"]
    with db.session() as session:
        return case, certs.find_issuer(session, issuer).name


def test_a_certificate_shown_for_a_requirement_reads_by_name_on_a_desk_and_a_phone(
    node: TestClient, db: Database, browser: Browser
) -> None:
    case, organ = _age_shown_by_the_id_card(node, db)
    proof = case["requirements"][0]["parts"][0]["proof"]
    holder = case["applicant"]
    with serving(node.app) as base:  # type: ignore[arg-type]
        desk = browser.new_context(
            locale="zh-CN", permissions=["clipboard-read", "clipboard-write"]
        )
        page = desk.new_page()
        _open(page, base, case["id"], "?as=staff-1")
        age = page.locator("#requirements > li").first
        expect(age.locator(".way")).to_have_text("电子证照")
        expect(age.locator(".status")).to_have_text("已满足")
        evidence = age.locator(".evidence")
        # The type and the issuing organ by name, not by code or USCC.
        expect(evidence).to_contain_text("证照类型居民身份证")
        expect(evidence).to_contain_text(f"签发机构{organ}")
        expect(evidence.locator(f".organ[title='{proof['issuer']}']")).to_have_text(organ)
        expect(evidence).not_to_contain_text(ID_CARD)
        expect(evidence).not_to_contain_text(proof["issuer"])
        # The disclosed claims as label: value, the ID number masked.
        claims = evidence.locator("ul.claims li")
        expect(claims).to_have_count(2)
        expect(evidence.locator("li[data-claim='age_over_60']")).to_have_text("年满60周岁：是")
        expect(evidence.locator("li[data-claim='holder_id']")).to_have_text(
            f"持证主体代码：{_masked(holder)}"
        )
        expect(page.locator("#requirements")).not_to_contain_text(holder)
        # The presentation's digest shortened; the whole of it in the title, to copy.
        digest = evidence.locator("code.long-id")
        expect(digest).to_have_attribute("title", proof["presentation_sha256"])
        expect(digest).to_have_text(
            f"{proof['presentation_sha256'][:8]}…{proof['presentation_sha256'][-6:]}"
        )
        copy = evidence.get_by_role("button", name="复制完整出示记录（SHA-256）")
        copy.click()
        expect(copy).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == proof["presentation_sha256"]
        check_page(page, "desk-case-certificate")

        page.goto(f"{base}/desk/applications/{case['id']}?lang=en")
        evidence = page.locator("#requirements > li .evidence").first
        expect(evidence).to_contain_text("Certificate typeResident identity card")
        expect(evidence.locator("li[data-claim='age_over_60']")).to_have_text(
            "Aged 60 or over: yes"
        )
        expect(evidence.locator("li[data-claim='holder_id']")).to_have_text(
            f"Holder ID: {_masked(holder)}"
        )
        check_page(page, "desk-case-certificate-en")
        desk.close()

        phone = browser.new_page(locale="zh-CN", viewport=PHONE)
        _open(phone, base, case["id"], "?as=staff-1")
        expect(phone.locator("li[data-claim='age_over_60']")).to_have_text("年满60周岁：是")
        assert fits_phone(phone)
        check_page(phone, "desk-case-certificate-phone")
        phone.close()
