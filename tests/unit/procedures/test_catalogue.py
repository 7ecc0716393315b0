"""Saving service items: "outside the list, no proof", what a desk may ask for, adjustment."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from certfree import procedures, proofs
from certfree.errors import Conflict
from certfree.procedures import (
    EvidenceKind,
    InvalidServiceItem,
    NotAllowedEvidence,
    OutsideTheList,
    ServiceItemSpec,
    ServiceItemStatus,
    ServiceLevel,
)
from certfree.storage import Database

from .conftest import BUSINESS, ID_CARD, MARRIAGE, REAL_ESTATE

NEW_CODE = "371A0701000000-370102000000-000-113701000100000206-1-00"


def _spec(*alternatives: list[dict[str, Any]], code: str = NEW_CODE) -> ServiceItemSpec:
    return ServiceItemSpec.model_validate(
        {
            "code": code,
            "name": "居住证办理",
            "department_name": "济南市公安局历下区分局",
            "department_kind": "GA",
            "requirements": [
                {
                    "description": "申请人身份",
                    "alternatives": [[{"kind": "certificate_type", "ref": ID_CARD}]],
                },
                {"description": "申请人在居住地居住半年以上", "alternatives": list(alternatives)},
            ],
        }
    )


def _proof(code: str) -> dict[str, Any]:
    return {"kind": "proof_item", "ref": code}


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(procedures.ServiceItem)) or 0


def test_saving_an_item_with_listed_evidence(catalogue: Database) -> None:
    with catalogue.session() as session:
        view = procedures.create_service_item(
            session,
            _spec(
                [_proof("SD-ZM-GA-003")],
                [
                    {
                        "kind": "data_question",
                        "ref": "is_resident_of",
                        "parameters": {"division": "370102"},
                    }
                ],
            ),
            "bureau-1",
        )
    assert view.level is ServiceLevel.COUNTY  # from 370102000000 inside the code
    assert view.division_code == "370102000000"
    assert view.status is ServiceItemStatus.ACTIVE
    assert [r.description for r in view.requirements] == [
        "申请人身份",
        "申请人在居住地居住半年以上",
    ]
    assert view.requirements[1].alternatives[1][0].parameters == {"division": "370102"}
    with catalogue.session() as session:
        again = procedures.get_service_item(session, NEW_CODE)
        assert again.updated_by == "bureau-1"
        with pytest.raises(Conflict, match="已存在"):
            procedures.create_service_item(session, _spec([_proof("SD-ZM-GA-003")]), "bureau-1")


@pytest.mark.parametrize(
    ("proof_code", "why"),
    [
        ("SD-ZM-XX-999", "证明事项清单中没有该证明事项"),
        ("SD-ZM-GA-005", "已被标记为拟取消"),  # 无犯罪记录证明: only a normative document
    ],
)
def test_a_proof_outside_the_list_is_refused_naming_item_requirement_and_proof(
    catalogue: Database, proof_code: str, why: str
) -> None:
    before = _count(catalogue)
    with catalogue.session() as session, pytest.raises(OutsideTheList) as caught:
        procedures.create_service_item(session, _spec([_proof(proof_code)]), "bureau-1")
    error = caught.value
    assert error.status == 422
    assert error.field == "requirements[1].alternatives[0][0]"
    assert NEW_CODE in error.message
    assert "申请人在居住地居住半年以上" in error.message
    assert proof_code in error.message
    assert why in error.message
    assert "清单之外无证明" in error.message
    assert _count(catalogue) == before


def test_an_abolished_proof_is_refused(catalogue: Database) -> None:
    with catalogue.session() as session:
        proofs.abolish_item(session, "SD-ZM-GA-003", "bureau-1", "改为数据共享核验")
    with (
        catalogue.session() as session,
        pytest.raises(OutsideTheList, match="已取消（改为数据共享核验）"),
    ):
        procedures.create_service_item(session, _spec([_proof("SD-ZM-GA-003")]), "bureau-1")


def test_a_proof_added_but_not_yet_published_is_refused(catalogue: Database) -> None:
    draft = proofs.ItemDraft(
        code="SD-ZM-GA-099",
        name="居住证明（新）",
        fact="申请人在居住地居住",
        issuing_department="公安派出所",
        ways=[proofs.Way.DATA_SHARING],
        bases=[
            proofs.BasisDraft(
                "居住证暂行条例", proofs.BasisLevel.ADMINISTRATIVE_REGULATION, "第九条"
            )
        ],
    )
    with catalogue.session() as session:
        proofs.add_item(session, draft, "bureau-1", "新增")
    with (
        catalogue.session() as session,
        pytest.raises(OutsideTheList, match="尚未发布，不在现行第 1 版清单中"),
    ):
        procedures.create_service_item(session, _spec([_proof("SD-ZM-GA-099")]), "bureau-1")
    with catalogue.session() as session:
        proofs.publish(session, "bureau-1", "发布新增的居住证明")
        procedures.create_service_item(session, _spec([_proof("SD-ZM-GA-099")]), "bureau-1")


@pytest.mark.parametrize(
    ("evidence", "field", "message"),
    [
        ({"kind": "certificate_type", "ref": "123"}, "alternatives[0][0].ref", "应为 21 位"),
        (
            {"kind": "data_question", "ref": "age_at_least"},
            "alternatives[0][0].parameters",
            "需要参数 years",
        ),
        (
            {"kind": "data_question", "ref": "horoscope"},
            "alternatives[0][0].ref",
            "没有名为 horoscope",
        ),
        (
            {"kind": "proof_item", "ref": "SD-ZM-GA-003", "parameters": {"a": 1}},
            "alternatives[0][0].parameters",
            "不带参数",
        ),
        (
            {
                "kind": "certificate_type",
                "ref": "11100000000013047R001",
                "parameters": {"predicate": "is_nice"},
            },
            "alternatives[0][0].parameters",
            "电子证照的 predicate 应如 age_over_60，收到「is_nice」",
        ),
        (
            {"kind": "data_question", "ref": "marital_status", "expect": {"status": ["single"]}},
            "alternatives[0][0].expect",
            "答复字段 status 的期望值应为 unmarried、married、divorced、widowed 之一",
        ),
        (
            {
                "kind": "data_question",
                "ref": "is_resident_of",
                "parameters": {"division": "370102"},
                "expect": {"resident": [1]},
            },
            "alternatives[0][0].expect",
            "期望值应为 true 或 false，收到 1",
        ),
        (
            # SD-ZM-MZ-004 stands in for marital_status (proof_realisations.csv), not this.
            {"kind": "proof_item", "ref": "SD-ZM-MZ-004", "expect": {"resident": [True]}},
            "alternatives[0][0].expect",
            "问题 marital_status 的答复没有可期望的字段 resident",
        ),
        (
            {"kind": "proof_item", "ref": "SD-ZM-GA-003", "expect": {"resident": [True]}},
            "alternatives[0][0].expect",
            "证明事项 SD-ZM-GA-003 没有可替代的数据共享问题，不能规定期望答复",
        ),
        (
            {"kind": "certificate_type", "ref": ID_CARD, "expect": {"status": ["unmarried"]}},
            "alternatives[0][0].expect",
            "电子证照不带期望答复（a certificate type takes no expect）",
        ),
    ],
)
def test_bad_evidence_is_refused_with_its_place(
    catalogue: Database, evidence: dict[str, Any], field: str, message: str
) -> None:
    with catalogue.session() as session, pytest.raises(InvalidServiceItem) as caught:
        procedures.create_service_item(session, _spec([evidence]), "bureau-1")
    assert caught.value.field == f"requirements[1].{field}"
    assert message in caught.value.message


def test_the_expected_answer_is_kept_and_shown(catalogue: Database) -> None:
    expect = {"status": ["unmarried", "divorced", "widowed"]}
    with catalogue.session() as session:
        saved = procedures.create_service_item(
            session,
            _spec(
                [{"kind": "data_question", "ref": "marital_status", "expect": expect}],
                [{"kind": "proof_item", "ref": "SD-ZM-MZ-004", "expect": expect}],
                [
                    {
                        "kind": "data_question",
                        "ref": "is_resident_of",
                        "parameters": {"division": "370102"},
                    }
                ],
            ),
            "bureau-1",
        )
    with catalogue.session() as session:
        again = procedures.get_service_item(session, NEW_CODE)
        view = procedures.requirements_of(session, NEW_CODE)
    assert [alt[0].expect for alt in saved.requirements[1].alternatives] == [expect, expect, {}]
    assert again.requirements == saved.requirements
    assert [alt[0].expect for alt in view.requirements[1].alternatives] == [expect, expect, {}]
    # The demo marriage registration: only a person without a spouse may marry.
    with catalogue.session() as session:
        marriage = procedures.requirements_of(session, MARRIAGE)
    for requirement in marriage.requirements[2:4]:
        assert [alt[0].expect for alt in requirement.alternatives] == [expect, expect]


def test_other_faults_name_the_field(catalogue: Database) -> None:
    spec = _spec([_proof("SD-ZM-GA-003")])
    cases = {
        "code": spec.model_copy(update={"code": "no spaces allowed"}),
        "implementing_org_uscc": spec.model_copy(
            update={"implementing_org_uscc": "TE5116020105116050"}
        ),
        "node_code": spec.model_copy(update={"node_code": "Jinan"}),
        "item_type": spec.model_copy(update={"item_type": "99"}),
        "level": spec.model_copy(update={"code": "LOCAL-1"}),
        "result_cert_type": spec.model_copy(update={"result_cert_type": "11100000000013047R009"}),
        "requirements[1].description": spec.model_copy(
            update={"requirements": [spec.requirements[0], spec.requirements[0]]}
        ),
    }
    for field, bad in cases.items():
        with catalogue.session() as session, pytest.raises(InvalidServiceItem) as caught:
            procedures.save_service_item(session, bad, "bureau-1")
        assert caught.value.field == field, caught.value


def test_update_replaces_requirements_and_refuses_renaming(catalogue: Database) -> None:
    with catalogue.session() as session:
        current = procedures.get_service_item(session, MARRIAGE)
        spec = ServiceItemSpec.model_validate(
            {
                **current.model_dump(include=set(ServiceItemSpec.model_fields)),
                "requirements": current.requirements[:1],
            }
        )
        updated = procedures.update_service_item(session, MARRIAGE, spec, "mz-admin")
        assert [r.description for r in updated.requirements] == ["申请人身份"]
        with pytest.raises(InvalidServiceItem, match="不一致"):
            procedures.update_service_item(session, BUSINESS, spec, "mz-admin")
        with pytest.raises(procedures.ServiceItemNotFound, match="没有编码为 X-1 的政务服务事项"):
            procedures.update_service_item(session, "X-1", spec, "mz-admin")


def test_a_desk_may_ask_only_for_what_the_item_allows(catalogue: Database) -> None:
    with catalogue.session() as session:
        allowed = procedures.allowed_evidence(session, MARRIAGE)
        assert {(a.kind, a.ref) for a in allowed} == {
            (EvidenceKind.CERTIFICATE_TYPE, ID_CARD),
            (EvidenceKind.PROOF_ITEM, "SD-ZM-MZ-001"),
            (EvidenceKind.DATA_QUESTION, "marital_status"),
            (EvidenceKind.PROOF_ITEM, "SD-ZM-MZ-004"),
            (EvidenceKind.PROOF_ITEM, "SD-ZM-MZ-003"),
        }
        ok = procedures.check_evidence_request(
            session, MARRIAGE, EvidenceKind.PROOF_ITEM, "SD-ZM-MZ-004"
        )
        assert ok.requirements == ["申请人婚姻状况（无配偶）", "另一方当事人婚姻状况（无配偶）"]
        assert ok.ways == ["data_sharing", "e_certificate", "commitment"]
        with pytest.raises(
            NotAllowedEvidence, match="申请条件中没有证明事项 SD-ZM-GA-005，窗口不得索要"
        ):
            procedures.check_evidence_request(
                session, MARRIAGE, EvidenceKind.PROOF_ITEM, "SD-ZM-GA-005"
            )
        with pytest.raises(
            NotAllowedEvidence,
            match="不得以「纸质证明」方式索要（可用方式：数据共享核验、电子证照、告知承诺）",
        ):
            procedures.check_evidence_request(
                session, MARRIAGE, EvidenceKind.PROOF_ITEM, "SD-ZM-MZ-004", proofs.Way.PAPER
            )


def test_requirements_say_how_each_evidence_may_be_met(catalogue: Database) -> None:
    with catalogue.session() as session:
        view = procedures.requirements_of(session, REAL_ESTATE)
    tax = next(r for r in view.requirements if r.description == "已缴纳契税")
    data, proof = tax.alternatives
    assert (data[0].name, data[0].ways, data[0].issuing_department) == (
        "个人纳税状况（无欠税）",
        ["data_sharing"],
        "税务",
    )
    assert proof[0].name == "契税完税凭证"
    assert proof[0].ways_zh == ["数据共享核验"]
    assert proof[0].proof_status == "active"


def test_repealing_a_law_flags_the_items_that_used_its_proofs(catalogue: Database) -> None:
    with catalogue.session() as session:
        impact = procedures.adjust_for_repeal(
            session, "中华人民共和国契税法", "bureau-1", "演示：法律废止"
        )
    assert impact.proof_codes == ["SD-ZM-SW-001"]
    assert impact.service_codes == [REAL_ESTATE]
    with catalogue.session() as session:
        flagged = procedures.get_service_item(session, REAL_ESTATE)
        assert flagged.status is ServiceItemStatus.NEEDS_REVIEW
        assert flagged.review_proof_codes == ["SD-ZM-SW-001"]
        assert "《中华人民共和国契税法》已废止（演示：法律废止）" in (flagged.review_reason or "")
        assert procedures.get_service_item(session, MARRIAGE).status is ServiceItemStatus.ACTIVE
        total, listed = procedures.list_service_items(
            session, status=ServiceItemStatus.NEEDS_REVIEW
        )
        assert (total, [i.code for i in listed]) == (1, [REAL_ESTATE])
        # Saving it unchanged is refused: it still demands the flagged proof.
        spec = ServiceItemSpec.model_validate(
            flagged.model_dump(include=set(ServiceItemSpec.model_fields))
        )
        with pytest.raises(OutsideTheList, match="SD-ZM-SW-001"):
            procedures.save_service_item(session, spec, "zr-admin")
    with catalogue.session() as session:
        kept = [r for r in spec.requirements if r.description != "已缴纳契税"]
        saved = procedures.save_service_item(
            session, spec.model_copy(update={"requirements": kept}), "zr-admin"
        )
        assert saved.status is ServiceItemStatus.ACTIVE
        assert saved.review_reason is None


def test_flagging_nothing_changes_nothing(catalogue: Database) -> None:
    with catalogue.session() as session:
        assert procedures.flag_service_items_using(session, [], "无") == []
        assert procedures.flag_service_items_using(session, ["SD-ZM-GA-004"], "无人使用") == []
