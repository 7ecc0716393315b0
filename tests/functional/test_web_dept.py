"""The department admin's page (/dept) in a real Chromium, on the node of 济南市卫生健康委员会
(370100-WJ) over real HTTP, with the demo province's register and population: the admin issues
an elderly card (the type its organ issues), sees it listed and revokes it with a reason, sees
the server's problem beside a wrong field, backfills a file of paper-era records and reads
its rejected rows and reject report, decides the backfill queue, approves one sharing
request and refuses another, and answers a department verification from its inbox; another
department's certificates, requests and verifications are neither listed nor actionable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from certfree import catalog, certs
from certfree.app import create_app
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.certs.backfill.models import BackfillReview
from certfree.crypto import KeyStore
from certfree.demo import build_demo_province
from certfree.exchange.verification import requests as verification
from certfree.identifiers import make_resident_id
from certfree.population import Person
from certfree.settings import Settings
from certfree.storage import Database, utcnow
from conftest import TEST_PASSPHRASE, TEST_SCRYPT_N
from factories.catalog_resources import resource_data
from factories.certificates import ELDERLY_CARD, holder_key
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser

HEALTH, CIVIL, POLICE = "370100-WJ", "370100-MZ", "370100-GA"
MARRIAGE_CERTIFICATE = "111000000000132071001"
SERVICE = "371A0101000000-370100000000-000-113701000100000206-1-00"


@dataclass
class Seeded:
    elder: Person
    stranger_certificate: str
    refused_resource: str
    overdue_fact: str
    stranger_fact: str


def _face(elder: Person) -> dict[str, str]:
    return {
        "name": elder.name,
        "sex": "男" if elder.sex.value == "male" else "女",
        "id_number": elder.id_number,
        "birth_date": elder.birth_date.isoformat(),
        "address": "山东省济南市历下区泉城路180号",
        "card_no": "370102-2026-000777",
        "issuing_authority": "济南市卫生健康委员会",
    }


def _seed(db: Database, keys: KeyStore) -> Seeded:
    """What the admin finds: another organ's certificate, a backfilled record to review,
    sharing requests to and from the department and to another one, and verification
    requests to it (one overdue) and to another department."""
    now = utcnow()
    with db.session() as session:
        jinan = select(Person).where(Person.address_code.startswith("3701"), ~Person.deceased)
        people = list(session.scalars(jinan.order_by(Person.birth_date).limit(3)))
        elder, reviewed, spouse = people
        # A marriage certificate of 济南市民政局: another organ's, never on this admin's list.
        stranger = certs.issue_certificate(
            session,
            keys,
            type_code=MARRIAGE_CERTIFICATE,
            holder_id=spouse.id_number,
            face_data={
                "registration_no": "J370102-2020-000001",
                "holder_name": spouse.name,
                "holder_id_number": spouse.id_number,
                "spouse_name": "李秀英",
                "spouse_id_number": "37010219600702024X",
                "registered_on": "2020-05-20",
                "registration_authority": "济南市民政局",
            },
            holder_jwk=holder_key(),
            issuer_uscc=CIVIL,
        ).identifier
        issuer = certs.find_issuer(session, HEALTH).uscc
        session.add(
            BackfillReview(
                job_id=1, file_sha256="ab" * 32, row_no=7, type_code=ELDERLY_CARD,
                issuer_uscc=issuer, holder_id=reviewed.id_number, face_data=_face(reviewed),
                valid_from=dt.date(2019, 3, 1), valid_to=None, status=certs.ReviewStatus.PENDING,
                reason="姓名与人口库记录不一致",
            )
        )  # fmt: skip
        resources = [
            catalog.create_resource(
                session,
                catalog.validate_resource(
                    resource_data(name=name, provider=provider, provider_code=code)
                ),
            )
            for name, provider, code in (
                ("居民电子健康档案", "济南市卫生健康委员会", HEALTH),
                ("出生医学证明信息", "济南市卫生健康委员会", HEALTH),
                ("户籍人口信息", "济南市公安局", POLICE),
            )
        ]
        civil_demand = catalog.register_demand(session, _demand("济南市民政局", CIVIL))
        health_demand = catalog.register_demand(session, _demand("济南市卫生健康委员会", HEALTH))
        for resource, demand in (
            (resources[0], civil_demand),  # to us: approved in the test
            (resources[1], civil_demand),  # to us: refused in the test
            (resources[2], health_demand),  # ours, to the police: not ours to decide
            (resources[2], civil_demand),  # between two other departments: not shown
        ):
            catalog.request_resource(
                session, demand_id=demand.id, resource_code=resource.code,
                # 婚姻状况 is sensitive (grade 3): the providing department alone decides it
                requested_by="test", data_items=["婚姻状况"],
                legal_basis="statutory_duty", legal_basis_text="《婚姻登记条例》第五条",
            )  # fmt: skip
        facts = {
            "该申请人2024年在本市二级以上医院有住院记录": (HEALTH, now - dt.timedelta(hours=2)),
            "该申请人已完成本年度老年人健康体检": (HEALTH, now + dt.timedelta(days=3)),
            "该申请人2019年起在济南登记结婚": (CIVIL, now + dt.timedelta(days=3)),
        }
        for number, (fact, (department, deadline)) in enumerate(facts.items()):
            verification.record_incoming(
                session,
                {
                    "request_id": f"0b7f3c1e-4d1a-4c5e-9f7a-2d3b4c5d6e7{number}",
                    "subject_id": elder.id_number, "fact": fact, "service_item": SERVICE,
                    "purpose": "老年人优待核实", "requested_by": "desk-7",
                    "deadline": deadline.isoformat(),
                },
                consumer="370200", department=department,
            )  # fmt: skip
        session.expunge(elder)
    return Seeded(
        elder=elder,
        stranger_certificate=stranger,
        refused_resource=resources[1].code,
        overdue_fact="该申请人2024年在本市二级以上医院有住院记录",
        stranger_fact="该申请人2019年起在济南登记结婚",
    )


def _demand(name: str, code: str) -> dict[str, object]:
    return {
        "department": name,
        "department_code": code,
        "scenario": "老年人优待",
        "text": "健康与户籍信息",
        "items": ["公民身份号码"],
        "purpose": "核实老年人优待对象",
        "legal_basis": "《中华人民共和国老年人权益保障法》第五十七条",
    }


def _settings(
    tmp_path: Path,
    database_url: str,
    code: str = HEALTH,
    name: str = "济南市卫生健康委员会",
    level: str = "department",
) -> Settings:
    return Settings(
        database_url=database_url,
        key_dir=tmp_path / "keys",
        key_passphrase=TEST_PASSPHRASE,
        node_code=code,
        node_name=name,
        node_level=level,
        key_scrypt_n=TEST_SCRYPT_N,
    )


@pytest.fixture
def node(tmp_path: Path, database_url: str, db: Database) -> Iterator[tuple[FastAPI, Seeded]]:
    build_demo_province(db, citizens=1000, firms=10, seed=7)
    settings = _settings(tmp_path, database_url)
    keys = settings.key_store()
    keys.create(NODE_KEY_OWNER)
    seeded = _seed(db, keys)
    with TestClient(create_app(settings)) as client:
        yield client.app, seeded  # type: ignore[misc]


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_a_health_admin_issues_revokes_decides_and_answers(
    node: tuple[FastAPI, Seeded], browser: Browser
) -> None:
    app, seeded = node
    with serving(app) as base:
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/dept")
        form = page.locator("#dev-sign-in")
        expect(form.locator("select[name=organisation] option[value='370100-WJ']")).to_have_text(
            "济南市卫生健康委员会（370100-WJ）"
        )
        check_page(page, "dept-signed-out-zh")
        form.get_by_label("工作人员编号").fill("wj-admin")
        form.locator("select[name=organisation]").select_option(HEALTH)
        form.get_by_role("button", name="登录").click()
        expect(page.locator("#acting-for")).to_have_text(
            "代表济南市卫生健康委员会（370100-WJ）办理"
        )

        # Only the types of its department; the form is the type's face data.
        issue = page.locator("#issue")
        assert "老年人优待证" in page.locator("#type_code option").all_inner_texts()
        assert "结婚证" not in page.locator("#type_code option").all_inner_texts()
        issue.locator("#type_code").select_option(ELDERLY_CARD)
        face = _face(seeded.elder)
        for name, value in face.items():
            control = issue.locator(f"[name={name}]")
            if name == "sex":
                control.select_option(value)
            else:
                control.fill(value)
        # No wallet key given at the counter: the holder will claim the card in their wallet.
        expect(issue.locator("#holder_jwk")).to_have_value("")
        wrong = face["id_number"][:-1] + ("0" if face["id_number"][-1] != "0" else "1")
        issue.get_by_label("公民身份号码").fill(wrong)
        issue.get_by_role("button", name="签发").click()
        problem = issue.locator("#face-id_number-error")
        expect(problem).to_contain_text("公民身份号码")
        expect(issue.get_by_label("公民身份号码")).to_have_attribute("aria-invalid", "true")
        check_page(page, "dept-issue-problem-zh")

        issue.get_by_label("公民身份号码").fill(face["id_number"])
        issue.get_by_role("button", name="签发").click()
        expect(page.locator("#issue-result")).to_contain_text("已签发 老年人优待证：")
        rows = page.locator("#certs tbody tr")
        expect(rows).to_have_count(1)  # 民政局's marriage certificate is not this organ's
        stranger = page.locator(f"#certs tr[data-identifier='{seeded.stranger_certificate}']")
        assert stranger.count() == 0
        row = rows.first
        masked = face["id_number"][:4] + "*" * 10 + face["id_number"][-4:]
        expect(row).to_contain_text(masked)
        expect(row.locator(".badge.good")).to_have_text("有效")
        expect(row).to_contain_text("待认领")
        check_page(page, "dept-certificates-zh")
        page.get_by_label("搜索证照").fill("no such holder")
        expect(rows).to_have_count(0)
        page.get_by_label("搜索证照").fill(face["id_number"][-6:])
        expect(rows).to_have_count(1)

        row.get_by_role("button", name="暂停").click()
        expect(page.locator("#cert-result")).to_contain_text("已暂停")
        expect(row.locator(".badge.bad")).to_have_text("已暂停")
        row.get_by_role("button", name="恢复").click()
        expect(page.locator("#cert-result")).to_contain_text("已恢复")
        expect(row.locator(".badge.good")).to_have_text("有效")

        row.get_by_role("button", name="注销").click()
        revoke = page.locator("#revoke")
        expect(revoke.locator("#revoke-what")).to_contain_text(f"老年人优待证，持证主体 {masked}")
        revoke.get_by_label("注销原因").select_option("issued_in_error")
        check_page(page, "dept-revoke-zh")
        revoke.get_by_role("button", name="确认注销").click()
        expect(page.locator("#cert-result")).to_contain_text("已注销")
        expect(rows.first.locator(".badge.bad")).to_have_text("已注销")
        expect(rows.first.get_by_role("button")).to_have_count(0)

        # The backfill queue: one record to decide; approving seals it.
        _tab(page, "补录复核")
        reviews = page.locator("#reviews tbody tr")
        expect(reviews).to_have_count(1)
        expect(reviews.first).to_contain_text("姓名与人口库记录不一致")
        expect(page.locator("#panel-backfill")).to_contain_text("certfree certs backfill")
        reviews.first.get_by_role("button").click()
        expect(page.locator("#review-face")).to_contain_text("证号")
        page.locator("#review").get_by_role("button", name="通过").click()
        expect(page.locator("#review-result")).to_have_text("记录 1：已通过")
        expect(reviews).to_have_count(0)
        check_page(page, "dept-backfill-zh")

        # Sharing requests: two to decide, one made to the police (theirs to decide).
        _tab(page, "资源与共享")
        incoming = page.locator("#grants-in tbody tr")
        expect(incoming).to_have_count(2)
        outgoing = page.locator("#grants-out tbody tr")
        expect(outgoing).to_have_count(1)
        expect(outgoing.first).to_contain_text("济南市公安局（370100-GA）")
        expect(outgoing.first.get_by_role("button")).to_have_count(0)
        expect(page.locator("#resources tbody tr")).to_have_count(2)
        expect(page.locator("#demands tbody tr")).to_have_count(1)
        check_page(page, "dept-catalog-zh")
        incoming.first.get_by_role("button", name="批准", exact=True).click()
        expect(page.locator("#grant-result")).to_contain_text("：有效")
        refused = page.locator("#grants-in tbody tr", has_text=seeded.refused_resource)
        refused.get_by_role("button", name="不予批准").click()
        page.get_by_label("不予批准的理由").fill("健康档案不用于婚姻登记，请改用户籍信息")
        check_page(page, "dept-refuse-zh")
        page.get_by_role("button", name="确认不予批准").click()
        expect(page.locator("#grant-result")).to_contain_text("：已拒绝")
        expect(page.locator("#grants-in .badge.good")).to_have_count(1)
        expect(page.locator("#grants-in .badge.bad")).to_have_count(1)
        expect(page.locator("#grants-in tbody button")).to_have_count(0)

        # The inbox, earliest deadline first: the overdue one marked; 民政局's not shown.
        _tab(page, "部门核验")
        inbox = page.locator("#inbox tbody tr")
        expect(inbox).to_have_count(2)
        expect(page.locator("#inbox")).not_to_contain_text(seeded.stranger_fact)
        expect(inbox.first).to_contain_text(seeded.overdue_fact)
        expect(inbox.first).to_have_class("overdue")
        expect(inbox.first.locator(".badge.bad")).to_have_text("已逾期")
        check_page(page, "dept-inbox-zh")
        inbox.first.get_by_role("button", name="答复").click()
        answer = page.locator("#answer")
        answer.get_by_label("核验结论").select_option("not_confirmed")
        answer.get_by_role("button", name="提交答复").click()  # no note: the server says why
        expect(answer.locator("#answer-note-error")).to_contain_text("须在说明中写明理由")
        check_page(page, "dept-answer-problem-zh")
        answer.get_by_label("说明").fill("本市医院系统中未查到该申请人2024年的住院记录")
        answer.get_by_role("button", name="提交答复").click()
        expect(page.locator("#answer-result")).to_have_text("已答复：不属实")
        expect(inbox).to_have_count(1)
        page.get_by_label("只看待答复").uncheck()
        expect(inbox).to_have_count(2)
        expect(page.locator("#inbox")).to_contain_text("不属实")
        page.close()


def test_the_page_on_a_phone_in_english(node: tuple[FastAPI, Seeded], browser: Browser) -> None:
    app, _ = node
    with serving(app) as base:
        page = browser.new_page(locale="en-GB", viewport=PHONE)
        page.goto(base + f"/dept?lang=en&as=wj-admin&org={HEALTH}")
        expect(page.locator("#acting-for")).to_have_text(
            "Acting for 济南市卫生健康委员会 (370100-WJ)"
        )
        picker = page.locator("#dev-sign-in select[name=organisation]")
        expect(picker.locator(f"option[value='{HEALTH}']")).to_have_text(
            "济南市卫生健康委员会 (370100-WJ)"
        )
        expect(page.locator("#face-fields")).to_contain_text("Date of birth")
        expect(page.locator("#face-sex option")).to_have_text(["Male", "Female"])
        assert fits_phone(page)
        check_page(page, "dept-certificates-phone-en")
        _tab(page, "Resources and sharing")
        expect(page.locator("#grants-in tbody tr").first).to_contain_text("Awaiting decision")
        expect(page.locator("#resources tbody tr").first).to_contain_text("Shared on conditions")
        assert fits_phone(page)
        check_page(page, "dept-catalog-phone-en")
        _tab(page, "Verification inbox")
        expect(page.locator("#inbox .badge.bad")).to_have_text("Overdue")
        assert fits_phone(page)
        check_page(page, "dept-inbox-phone-en")
        page.close()


def test_on_another_node_the_inbox_says_where_it_is(
    tmp_path: Path, database_url: str, db: Database, browser: Browser
) -> None:
    """On the province's node (the single demo node) a department admin issues and decides as
    on its own, but its verification inbox is on its department's node."""
    build_demo_province(db, citizens=1000, firms=10, seed=7)
    settings = _settings(tmp_path, database_url, "370000", "山东省大数据局", "province")
    settings.key_store().create(NODE_KEY_OWNER)
    with TestClient(create_app(settings)) as client, serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + f"/dept?as=wj-admin&org={HEALTH}")
        expect(page.locator("#type_code option", has_text="老年人优待证")).to_have_count(1)
        _tab(page, "部门核验")
        refused = page.locator("#panel-verifications .load-error")
        expect(refused).to_contain_text("不是本节点 370000")
        expect(refused).to_contain_text("部门核验待办保存在本部门自己的节点上")
        check_page(page, "dept-inbox-elsewhere-zh")
        page.close()


def _records(db: Database) -> tuple[bytes, str]:
    """A small file of paper-era elderly cards: one good record (the fourth-oldest resident of
    Jinan: the three oldest are the seed's), one with a wrong check digit and one of a person
    the population register lacks; and the good record's holder."""
    with db.session() as session:
        jinan = select(Person).where(Person.address_code.startswith("3701"), ~Person.deceased)
        holder = session.scalars(jinan.order_by(Person.birth_date).offset(3).limit(1)).one()
        number, born = holder.id_number, holder.birth_date
        sex = "男" if holder.sex.value == "male" else "女"
        name = holder.name
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    unknown = make_resident_id("370102", born, 997)
    header = "姓名,性别,公民身份号码,出生日期,住址,证号,发证单位,有效期起始日期,有效期截止日期"
    lines = [header] + [
        f"{who},{sex},{id_number},{born},济南市历下区泉城路1号,C-{id_number[-6:]},历下区卫健局,2018-06-01,"
        for who, id_number in ((name, number), (name, wrong), ("赵无名", unknown))
    ]
    return "\r\n".join(lines).encode("gbk"), number


def test_a_health_admin_backfills_a_file_and_reads_its_rejects(
    node: tuple[FastAPI, Seeded], db: Database, browser: Browser
) -> None:
    app, _ = node
    data, holder = _records(db)
    with serving(app) as base:
        page = browser.new_page(locale="zh-CN")
        page.goto(base + f"/dept?as=wj-admin&org={HEALTH}")
        _tab(page, "补录复核")
        run = page.locator("#backfill-run")
        expect(page.locator("#runs-empty")).to_have_text("本机关尚未回填存量证照。")
        assert "结婚证" not in run.locator("#run-type option").all_inner_texts()
        run.get_by_label("证照类型").select_option(ELDERLY_CARD)
        run.get_by_role("button", name="开始回填").click()  # no file: the server says so
        expect(run.locator("#run-file-error")).to_contain_text("文件是空的")
        expect(run.get_by_label("记录文件（CSV 或 XLSX）")).to_have_attribute(
            "aria-invalid", "true"
        )
        check_page(page, "dept-backfill-problem-zh")

        run.get_by_label("记录文件（CSV 或 XLSX）").set_input_files(
            {"name": "老年人优待证存档.csv", "mimeType": "text/csv", "buffer": data}
        )
        run.get_by_role("button", name="开始回填").click()
        expect(page.locator("#run-result")).to_have_text(
            "老年人优待证存档.csv：签发 1 份，退回 2 行，待复核 0 行。"
        )
        runs = page.locator("#runs tbody tr")
        expect(runs).to_have_count(1)
        expect(runs.first).to_contain_text("老年人优待证存档.csv")
        expect(runs.first).to_contain_text("老年人优待证")
        expect(runs.first.locator("td").nth(2)).to_have_text(
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
        )
        detail = page.locator("#run-detail")
        expect(detail.locator("#run-counts")).to_have_text(
            "共 3 行：签发 1 份，退回 2 行，待复核 0 行。"
        )
        rejects = page.locator("#rejects tbody tr")
        expect(rejects).to_have_count(2)
        expect(rejects.nth(0).locator("td").nth(0)).to_have_text("3")
        expect(rejects.nth(0).locator("td").nth(1)).to_have_text("公民身份号码")
        expect(rejects.nth(1).locator("td").nth(0)).to_have_text("4")
        expect(rejects.nth(1)).to_contain_text("人口库中不存在")
        check_page(page, "dept-backfill-run-zh")
        page.get_by_label("搜索退回的行").fill("人口库")
        expect(rejects).to_have_count(1)

        with page.expect_download() as caught:
            page.get_by_role("link", name="下载退回报告（CSV）").click()
        report = caught.value.path().read_bytes()
        assert report.startswith("\ufeff".encode())
        lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
        assert [line[:2] for line in lines] == [
            ["行号", "列"],
            ["3", "公民身份号码"],
            ["4", "持证主体代码"],
        ]
        assert holder not in report.decode("utf-8-sig")  # the issued record is not a reject

        # On a phone, in English: the run and its rejects, no enum value, no sideways scroll.
        page.set_viewport_size(PHONE)
        page.goto(base + "/dept?lang=en")
        _tab(page, "Backfill and review")
        listed = page.locator("#runs tbody tr").first
        expect(listed).to_contain_text("Senior citizen preferential card")
        listed.get_by_role("button", name="See rejects").click()
        expect(page.locator("#run-counts")).to_have_text(
            "3 rows: 1 issued, 2 rejected, 0 to review."
        )
        expect(page.locator("#rejects tbody tr")).to_have_count(2)
        assert fits_phone(page)
        check_page(page, "dept-backfill-run-phone-en")
        page.close()
