"""The commitment form: the six sections of 国办发〔2020〕42号, both languages, a stable hash."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from certfree import commitments
from certfree.commitments import FormLanguage, FormSection
from certfree.errors import InvalidInput, NotFound
from certfree.proofs import ExcludedArea, Way
from factories.commitments import proof_item

ZH_TITLES = [
    "证明义务",
    "证明内容",
    "承诺方式",
    "不实承诺的法律责任",
    "行政机关的核查权力",
    "配合核查的义务",
]
EN_TITLES = [
    "Duty to prove",
    "What is to be proved",
    "How to commit",
    "Legal liability for a false commitment",
    "The authority's power to check",
    "The applicant's duty to cooperate",
]


def test_chinese_form_has_the_six_sections_in_order(session: Session) -> None:
    item = proof_item(session, name="婚姻状况证明", fact="申请人目前无配偶")
    form = commitments.commitment_form(session, item.code, "MZ-001")
    assert form.lang is FormLanguage.ZH_CN
    assert [s.key for s in form.sections] == list(FormSection)
    for section, title in zip(form.sections, ZH_TITLES, strict=True):
        assert title in section.title
        assert section.title in form.text
        assert section.body in form.text
    assert "申请人目前无配偶" in form.text
    assert "婚姻状况证明" in form.text
    assert "MZ-001" in form.text
    assert "国办发〔2020〕42号" in form.text
    liability = form.sections[3].body
    for consequence in ("终止办理", "责令限期整改", "撤销行政决定", "信用记录"):
        assert consequence in liability


def test_english_form_has_the_six_sections(session: Session) -> None:
    item = proof_item(session)
    form = commitments.commitment_form(session, item.code, lang="en")
    assert form.lang is FormLanguage.EN
    assert [s.title.split(". ", 1)[1] for s in form.sections] == EN_TITLES
    assert form.title == "Commitment in lieu of proof"
    assert "Guo Ban Fa [2020] No. 42" in form.text


def test_text_hash_identifies_the_exact_text(session: Session) -> None:
    item = proof_item(session)
    first = commitments.commitment_form(session, item.code, "S-1")
    again = commitments.commitment_form(session, item.code, "S-1")
    assert first.text == again.text
    assert first.text_hash == again.text_hash == commitments.text_digest(first.text)
    assert first.text_hash.startswith("sm3:")
    assert len(first.text_hash) == 4 + 64
    others = {
        commitments.commitment_form(session, item.code).text_hash,
        commitments.commitment_form(session, item.code, "S-2").text_hash,
        commitments.commitment_form(session, item.code, "S-1", "en").text_hash,
    }
    assert first.text_hash not in others
    assert len(others) == 3


def test_language_aliases_and_a_bad_language(session: Session) -> None:
    item = proof_item(session)
    assert commitments.commitment_form(session, item.code, lang="zh").lang is FormLanguage.ZH_CN
    assert commitments.commitment_form(session, item.code, lang="en-GB").lang is FormLanguage.EN
    with pytest.raises(InvalidInput, match="zh-CN 或 en") as caught:
        commitments.commitment_form(session, item.code, lang="fr")
    assert caught.value.field == "lang"


def test_unknown_item_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="NO-SUCH"):
        commitments.commitment_form(session, "NO-SUCH")


def test_no_form_for_an_excluded_area_or_an_item_without_commitment(session: Session) -> None:
    excluded = proof_item(
        session,
        name="建设项目环境影响评价文件",
        ways=(Way.DEPARTMENT_VERIFICATION, Way.PAPER),
        excluded_area=ExcludedArea.ECOLOGICAL_ENVIRONMENT,
    )
    with pytest.raises(commitments.ExcludedAreaRefused, match="生态环境保护") as caught:
        commitments.commitment_form(session, excluded.code)
    assert "国办发〔2020〕42号" in caught.value.message

    paper_only = proof_item(session, ways=(Way.PAPER,))
    with pytest.raises(commitments.CommitmentNotOffered, match="不含告知承诺"):
        commitments.commitment_form(session, paper_only.code)
