"""The legal-basis rule (《行政许可法》第十四—十七条; 国办发〔2018〕47号) and the ways' rules."""

from __future__ import annotations

import pytest

from certfree.proofs import (
    WAY_PREFERENCE,
    BasisLevel,
    ExcludedArea,
    InvalidProofItem,
    LegalBasisView,
    Way,
    insufficiency_reason,
)
from certfree.proofs.registry import check_ways

SUFFICIENT = {
    BasisLevel.LAW,
    BasisLevel.ADMINISTRATIVE_REGULATION,
    BasisLevel.STATE_COUNCIL_DECISION,
    BasisLevel.LOCAL_REGULATION,
}


def basis(level: BasisLevel, *, repealed: bool = False, title: str = "某文件") -> LegalBasisView:
    return LegalBasisView(title, None, level, "第一条", repealed=repealed)


@pytest.mark.parametrize("level", list(BasisLevel))
def test_only_laws_regulations_and_decisions_may_create_a_proof(level: BasisLevel) -> None:
    reason = insufficiency_reason([basis(level)])
    if level in SUFFICIENT:
        assert reason is None
    else:
        assert reason is not None
        assert level.label_zh in reason
        assert "规章和规范性文件不得设定证明事项" in reason
        assert "《行政许可法》" in reason


def test_no_basis_at_all_is_flagged() -> None:
    reason = insufficiency_reason([])
    assert reason is not None
    assert reason.startswith("无设定依据")


def test_a_repealed_law_no_longer_counts_and_is_named() -> None:
    reason = insufficiency_reason([basis(BasisLevel.LAW, repealed=True, title="旧条例")])
    assert reason is not None
    assert "依据已废止：《旧条例》第一条" in reason


def test_one_sufficient_basis_among_weak_ones_is_enough() -> None:
    bases = [basis(BasisLevel.NORMATIVE_DOCUMENT), basis(BasisLevel.LOCAL_REGULATION)]
    assert insufficiency_reason(bases) is None


def test_way_preference_is_cheapest_first() -> None:
    assert WAY_PREFERENCE == (
        Way.CANCELLED,
        Way.DATA_SHARING,
        Way.E_CERTIFICATE,
        Way.COMMITMENT,
        Way.DEPARTMENT_VERIFICATION,
        Way.PAPER,
    )
    assert check_ways([Way.PAPER, Way.COMMITMENT, Way.DATA_SHARING, Way.PAPER], None) == [
        Way.DATA_SHARING,
        Way.COMMITMENT,
        Way.PAPER,
    ]


@pytest.mark.parametrize("area", list(ExcludedArea))
def test_commitment_is_refused_in_every_excluded_area(area: ExcludedArea) -> None:
    with pytest.raises(InvalidProofItem, match="不适用告知承诺") as caught:
        check_ways([Way.COMMITMENT, Way.DATA_SHARING], area)
    assert caught.value.field == "ways"
    assert area.label_zh in caught.value.message
    assert check_ways([Way.DATA_SHARING], area) == [Way.DATA_SHARING]


def test_cancelled_stands_alone_and_some_way_is_required() -> None:
    with pytest.raises(InvalidProofItem, match="直接取消"):
        check_ways([Way.CANCELLED, Way.PAPER], None)
    with pytest.raises(InvalidProofItem, match="至少需要一种办理方式"):
        check_ways([], None)
