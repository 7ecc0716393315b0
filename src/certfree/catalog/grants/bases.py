"""The legal bases a sharing request or grant of graded data may cite (one fixed list).

个人信息保护法 第13条 lists the only grounds on which personal information may be processed;
第28条 allows sensitive personal information only for a specific purpose and with sufficient
necessity. Government departments share mostly on the third ground (履行法定职责) or a named
law or regulation (第7项; 政务信息资源共享管理暂行办法 第9条: 有条件共享 needs a basis the
provider can check), and otherwise with the data subject's consent, which the exchange then
checks per answer (``exchange.consents``).
"""

from __future__ import annotations

import enum

from certfree.catalog.errors import InvalidGrantRequest

__all__ = ["LegalBasis", "parse_legal_basis"]


class LegalBasis(enum.StrEnum):
    """个人信息保护法 第13条第1款 grounds, by item."""

    CONSENT = "consent"  # (一) 取得个人的同意
    CONTRACT = "contract"  # (二) 订立、履行合同或人力资源管理所必需
    STATUTORY_DUTY = "statutory_duty"  # (三) 履行法定职责或者法定义务所必需
    EMERGENCY = "emergency"  # (四) 应对突发公共卫生事件或紧急情况下保护生命健康和财产安全
    PUBLIC_INTEREST = "public_interest"  # (五) 为公共利益实施新闻报道、舆论监督
    DISCLOSED = "disclosed"  # (六) 在合理范围内处理已公开的个人信息
    STATUTE = "statute"  # (七) 法律、行政法规规定的其他情形 — named in legal_basis_text

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def en(self) -> str:
        return _EN[self]

    @property
    def citation(self) -> str:
        return f"个人信息保护法 第13条第1款第{_ITEM[self]}项"

    @property
    def needs_text(self) -> bool:
        """Whether the requester must name the law or duty (the statute, the duty's source)."""
        return self in {LegalBasis.STATUTE, LegalBasis.STATUTORY_DUTY}


_ITEM = {
    LegalBasis.CONSENT: "一",
    LegalBasis.CONTRACT: "二",
    LegalBasis.STATUTORY_DUTY: "三",
    LegalBasis.EMERGENCY: "四",
    LegalBasis.PUBLIC_INTEREST: "五",
    LegalBasis.DISCLOSED: "六",
    LegalBasis.STATUTE: "七",
}
_ZH = {
    LegalBasis.CONSENT: "取得个人的同意",
    LegalBasis.CONTRACT: "订立、履行合同所必需",
    LegalBasis.STATUTORY_DUTY: "履行法定职责或者法定义务所必需",
    LegalBasis.EMERGENCY: "应对突发公共卫生事件或紧急情况",
    LegalBasis.PUBLIC_INTEREST: "为公共利益实施新闻报道、舆论监督",
    LegalBasis.DISCLOSED: "处理已公开的个人信息",
    LegalBasis.STATUTE: "法律、行政法规规定",
}
_EN = {
    LegalBasis.CONSENT: "consent of the data subject",
    LegalBasis.CONTRACT: "necessary for a contract",
    LegalBasis.STATUTORY_DUTY: "performance of a statutory duty",
    LegalBasis.EMERGENCY: "public health emergency or protection of life and property",
    LegalBasis.PUBLIC_INTEREST: "news reporting or public supervision in the public interest",
    LegalBasis.DISCLOSED: "information already made public",
    LegalBasis.STATUTE: "provided by a law or administrative regulation",
}


def parse_legal_basis(
    value: str | None, text: str | None, *, required: bool
) -> tuple[LegalBasis | None, str | None]:
    """The basis and its citation, checked; InvalidGrantRequest names ``legal_basis`` (missing
    when ``required``, or unknown) or ``legal_basis_text`` (missing where the basis needs the law
    named, or over 255 characters)."""
    cleaned = (value or "").strip()
    citation = (text or "").strip() or None
    known = "、".join(f"{b.value}（{b.zh}）" for b in LegalBasis)
    if not cleaned:
        if required:
            raise InvalidGrantRequest(
                f"所请求的数据项达到需审批的级别，须注明法律依据 legal_basis（可用：{known}；"
                "个人信息保护法 第13条、第28条）"
                "（a legal basis is required for graded data: one of "
                f"{', '.join(b.value for b in LegalBasis)}）",
                field="legal_basis",
            )
        return None, citation
    try:
        basis = LegalBasis(cleaned)
    except ValueError:
        raise InvalidGrantRequest(
            f"未知的法律依据 {cleaned!r}；可用：{known}（unknown legal basis）",
            field="legal_basis",
        ) from None
    if basis.needs_text and citation is None:
        raise InvalidGrantRequest(
            f"法律依据「{basis.zh}」须在 legal_basis_text 中写明所依据的法律、行政法规条款"
            "（name the law or regulation and its article）",
            field="legal_basis_text",
        )
    if citation is not None and len(citation) > 255:
        raise InvalidGrantRequest(
            f"legal_basis_text 最多 255 个字符，收到 {len(citation)} 个", field="legal_basis_text"
        )
    return basis, citation
