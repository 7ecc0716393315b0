"""Working-list changes: add, amend, cite, abolish, repeal — each logged with who and why."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certfree.errors import CertfreeError, NotFound
from certfree.nodes import DepartmentKind
from certfree.proofs import (
    BasisDraft,
    BasisLevel,
    ChangeKind,
    ExcludedArea,
    InvalidProofItem,
    ItemDraft,
    LegalDocumentNotFound,
    ProofItemNotFound,
    ProofItemStatus,
    ProofListConflict,
    ProofsError,
    Way,
    abolish_item,
    add_basis,
    add_item,
    amend_item,
    get_item,
    list_changes,
    repeal_document,
)
from certfree.proofs.models import ProofItem
from certfree.storage import Database
from factories.proofs import LOCAL_NOTICE, MARRIAGE_REGULATION, item

CIVIL_CODE = BasisDraft(
    "《中华人民共和国民法典》", BasisLevel.LAW, "第一千零四十九条", "主席令第45号"
)


def test_item_with_a_law_is_active_and_reads_back(db: Database) -> None:
    with db.session() as session:
        add_item(
            session,
            ItemDraft(
                code="T-1",
                name="户口簿",
                fact="户籍登记信息",
                issuing_department="公安机关",
                department_kind=DepartmentKind.GA,
                ways=[Way.E_CERTIFICATE, Way.DATA_SHARING],
                bases=[MARRIAGE_REGULATION],
            ),
            "admin-1",
            "新增",
        )
    with db.session() as session:
        view = get_item(session, "T-1")
    assert view.status is ProofItemStatus.ACTIVE
    assert view.ways == (Way.DATA_SHARING, Way.E_CERTIFICATE)
    assert view.legal_bases[0].citation == "《婚姻登记条例》（国务院令第387号）第五条"
    assert view.department_kind is DepartmentKind.GA
    assert view.abolition_reason is None


def test_item_resting_on_a_notice_is_flagged_and_a_law_unflags_it(db: Database) -> None:
    with db.session() as session:
        flagged = item(session, "T-2", LOCAL_NOTICE)
        assert flagged.status is ProofItemStatus.TO_ABOLISH
        assert "仅有规范性文件《关于规范婚姻登记材料的通知》第二条" in (
            flagged.abolition_reason or ""
        )
        kept = add_basis(session, "T-2", CIVIL_CODE, "admin-2", "补充法律依据")
        assert kept.status is ProofItemStatus.ACTIVE
        assert kept.abolition_reason is None
        kinds = [(c.kind, c.actor) for c in list_changes(session)]
    assert (ChangeKind.FLAG_ITEM, "admin-1") in kinds
    assert (ChangeKind.ADD_BASIS, "admin-2") in kinds


def test_amend_logs_each_field_before_and_after(db: Database) -> None:
    with db.session() as session:
        item(session, "T-3", MARRIAGE_REGULATION)
        amend_item(session, "T-3", {"name": "新名称", "ways": [Way.COMMITMENT]}, "admin-3", "改名")
        change = next(c for c in list_changes(session) if c.kind is ChangeKind.AMEND_ITEM)
    assert change.actor == "admin-3"
    assert change.reason == "改名"
    assert change.details["name"] == {"before": "证明事项T-3", "after": "新名称"}
    assert change.details["ways"] == {"before": ["data_sharing"], "after": ["commitment"]}


def test_amend_refuses_commitment_in_an_excluded_area(db: Database) -> None:
    with db.session() as session:
        item(session, "T-4", MARRIAGE_REGULATION, ways=[Way.COMMITMENT])
        with pytest.raises(InvalidProofItem, match="国办发〔2020〕42号"):
            amend_item(session, "T-4", {"excluded_area": ExcludedArea.PUBLIC_SAFETY}, "a", "r")


def test_abolished_item_cannot_be_amended(db: Database) -> None:
    with db.session() as session:
        item(session, "T-5", MARRIAGE_REGULATION)
        view = abolish_item(session, "T-5", "admin-1", "已实现数据共享，直接取消")
        assert view.status is ProofItemStatus.ABOLISHED
        assert view.abolition_reason == "已实现数据共享，直接取消"
        with pytest.raises(ProofListConflict, match="已取消"):
            amend_item(session, "T-5", {"name": "x"}, "admin-1", "r")


def test_unknown_item_is_a_not_found_naming_the_code(db: Database) -> None:
    with db.session() as session, pytest.raises(ProofItemNotFound) as caught:
        get_item(session, "NOPE-9")
    assert isinstance(caught.value, NotFound)
    assert isinstance(caught.value, ProofsError)
    assert isinstance(caught.value, CertfreeError)
    assert "NOPE-9" in caught.value.message


def test_bad_code_and_empty_reason_are_refused(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(InvalidProofItem) as caught:
            item(session, "含中文")
        assert caught.value.field == "code"
        with pytest.raises(CertfreeError) as why:
            abolish_item(session, "whatever", "admin", "  ")
        assert why.value.field == "reason"


def test_document_level_clash_is_refused(db: Database) -> None:
    with db.session() as session:
        item(session, "T-6", MARRIAGE_REGULATION)
        clash = BasisDraft("婚姻登记条例", BasisLevel.LAW, "第六条")
        with pytest.raises(InvalidProofItem, match="已登记为行政法规") as caught:
            item(session, "T-7", clash)
        assert caught.value.field == "level"


def test_repeal_flags_only_items_left_without_sufficient_basis(db: Database) -> None:
    with db.session() as session:
        item(session, "ALONE", MARRIAGE_REGULATION)
        item(session, "BOTH", MARRIAGE_REGULATION, CIVIL_CODE)
        item(session, "WEAK", MARRIAGE_REGULATION, LOCAL_NOTICE)
        item(session, "OTHER", CIVIL_CODE)
        flagged = repeal_document(session, "国务院令第387号", "cio-1", "新条例施行，旧条例废止")
    assert flagged == ["ALONE", "WEAK"]
    with db.session() as session:
        alone, both, weak = (get_item(session, c) for c in ("ALONE", "BOTH", "WEAK"))
        repeal_log = [c for c in list_changes(session) if c.kind is ChangeKind.REPEAL_DOCUMENT]
    assert both.status is ProofItemStatus.ACTIVE
    assert alone.status is weak.status is ProofItemStatus.TO_ABOLISH
    assert "依据已废止：《婚姻登记条例》（国务院令第387号）第五条" in (alone.abolition_reason or "")
    assert "仅有规范性文件" in (weak.abolition_reason or "")
    assert repeal_log[0].actor == "cio-1"
    assert repeal_log[0].reason == "新条例施行，旧条例废止"


def test_repeal_by_id_title_and_twice(db: Database) -> None:
    with db.session() as session:
        item(session, "X", MARRIAGE_REGULATION)
        document_id = session.scalars(select(ProofItem)).one().bases[0].document_id
        assert repeal_document(session, str(document_id), "a", "r") == ["X"]
        with pytest.raises(ProofListConflict, match="已于"):
            repeal_document(session, "《婚姻登记条例》", "a", "r")
        with pytest.raises(LegalDocumentNotFound, match="不存在的法"):
            repeal_document(session, "不存在的法", "a", "r")
