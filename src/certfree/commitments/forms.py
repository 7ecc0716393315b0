"""The commitment form (告知承诺书) shown to an applicant in lieu of one proof.

国办发〔2020〕42号《关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》二(二) asks the
administration to write, for every proof that may be replaced by a commitment, a form that
states the duty to prove, what is to be proved, how to commit, the legal liability for a false
commitment, the administration's power to check and the applicant's duty to cooperate. This
module renders exactly those six sections, in Chinese or English.

The text is a pure function of (proof item, service item, template version, language), so its
SM3 digest (GB/T 32905) identifies it: an applicant signs the digest of the text they were
shown, and the signature is accepted only while that is still the current text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from certfree.commitments.errors import CommitmentNotOffered, ExcludedAreaRefused
from certfree.commitments.vocab import FormLanguage, FormSection
from certfree.crypto import sm3
from certfree.errors import InvalidInput
from certfree.proofs import ProofItemStatus, ProofItemView, Way, get_item

__all__ = [
    "TEMPLATE_VERSION",
    "CommitmentForm",
    "SectionText",
    "check_item_allows_commitment",
    "commitment_form",
    "parse_language",
    "text_digest",
]

# Bump when any wording below changes: every earlier digest then stops matching.
TEMPLATE_VERSION = "gbf-2020-42/1"
_HASH_PREFIX = "sm3:"


@dataclass(frozen=True, slots=True)
class SectionText:
    key: FormSection
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class CommitmentForm:
    """A rendered form: its six sections, the full text and ``text_hash`` = SM3 of the text."""

    proof_code: str
    service_code: str | None
    lang: FormLanguage
    template_version: str
    title: str
    sections: tuple[SectionText, ...]
    text: str
    text_hash: str


def parse_language(lang: str) -> FormLanguage:
    """``zh-CN`` (also ``zh``, ``zh-Hans``) or ``en`` (also ``en-US`` …); else InvalidInput."""
    tag = lang.strip().lower()
    if tag in {"zh", "zh-cn", "zh-hans"}:
        return FormLanguage.ZH_CN
    if tag == "en" or tag.startswith("en-"):
        return FormLanguage.EN
    raise InvalidInput(f"承诺书语言应为 zh-CN 或 en，收到 {lang!r}", field="lang")


def text_digest(text: str) -> str:
    """``sm3:<64 hex>`` of the UTF-8 text."""
    return _HASH_PREFIX + sm3(text.encode("utf-8")).hex()


def check_item_allows_commitment(item: ProofItemView) -> None:
    """Raise the refusal that closes the commitment route for ``item`` itself, if any."""
    if item.status is ProofItemStatus.ABOLISHED:
        raise CommitmentNotOffered(
            f"证明事项 {item.code}「{item.name}」已取消，无需提交证明，也无需承诺"
            f"（proof item {item.code} is abolished; nothing to prove or commit）"
        )
    # 国办发〔2020〕42号 二(一): 直接涉及国家安全、国家秘密、公共安全、金融业审慎监管、生态环境
    # 保护，直接关系人身健康、生命财产安全，以及重要涉外等情形的不适用告知承诺制.
    if item.excluded_area is not None:
        raise ExcludedAreaRefused(
            f"证明事项 {item.code}「{item.name}」涉及{item.excluded_area.label_zh}，"
            "依国办发〔2020〕42号不适用告知承诺，请按清单所列其他方式办理"
            f"（proof item {item.code} lies in an excluded area, {item.excluded_area.label_en};"
            " a commitment cannot replace it）"
        )
    if Way.COMMITMENT not in item.ways:
        offered = "、".join(way.label_zh for way in item.ways) or "无"
        raise CommitmentNotOffered(
            f"证明事项 {item.code}「{item.name}」的办理方式为{offered}，不含告知承诺"
            f"（proof item {item.code} cannot be met by a commitment）"
        )


def commitment_form(
    session: Session,
    proof_code: str,
    service_code: str | None = None,
    lang: str = "zh-CN",
) -> CommitmentForm:
    """The current commitment form for ``proof_code`` (used for ``service_code``, if given).

    Raises the proofs domain's NotFound for an unknown item, CommitmentNotOffered when the
    item is abolished or not met by commitment, ExcludedAreaRefused for an excluded area, and
    InvalidInput for an unknown language.
    """
    language = parse_language(lang)
    service = service_code.strip() if service_code and service_code.strip() else None
    item = get_item(session, proof_code)
    check_item_allows_commitment(item)
    render = _render_zh if language is FormLanguage.ZH_CN else _render_en
    title, sections = render(item, service)
    header = (
        f"{title}\n"
        f"proof={item.code} service={service or '-'} template={TEMPLATE_VERSION} "
        f"lang={language.value}\n"
    )
    text = header + "".join(f"\n{s.title}\n{s.body}\n" for s in sections)
    return CommitmentForm(
        proof_code=item.code,
        service_code=service,
        lang=language,
        template_version=TEMPLATE_VERSION,
        title=title,
        sections=sections,
        text=text,
        text_hash=text_digest(text),
    )


_ZH_NUMERALS = "一二三四五六"


def _fact(item: ProofItemView) -> str:
    """The fact without its closing punctuation, which the sentence around it supplies."""
    return item.fact.strip().rstrip("。.；;")


def _render_zh(item: ProofItemView, service: str | None) -> tuple[str, tuple[SectionText, ...]]:
    for_service = f"政务服务事项 {service}" if service else "相关政务服务事项"
    issuer = item.issuing_department or "有关部门"
    bodies = {
        FormSection.DUTY_TO_PROVE: (
            f"申请人办理{for_service}，依法应当证明：{_fact(item)}。该事实原需提交由{issuer}"
            f"出具的「{item.name}」。依据《国务院办公厅关于全面推行证明事项和涉企经营许可事项"
            "告知承诺制的指导意见》（国办发〔2020〕42号），申请人可以书面承诺已经符合上述条件，"
            "不再提交该证明。"
        ),
        FormSection.CONTENT: (
            f"申请人承诺以下事实真实、准确、完整：{_fact(item)}。"
            f"（证明事项「{item.name}」，编码 {item.code}）"
        ),
        FormSection.MANNER: (
            "申请人以本人身份（公民身份号码或统一社会信用代码）在本系统签署本承诺书；系统记录"
            "申请人身份、签署时间和本承诺书全文的 SM3 摘要，并由本节点加盖电子签章。"
            "承诺书提交前可以撤回，提交后不得撤回。"
        ),
        FormSection.LIABILITY: (
            "申请人作出不实承诺的，行政机关将依法终止办理、责令限期整改或者撤销行政决定，"
            "依法予以行政处罚，并将不实承诺记入申请人的信用记录；信用修复前，申请人不能再以"
            "告知承诺方式办理证明事项。涉嫌犯罪的，依法移送司法机关。"
        ),
        FormSection.VERIFICATION_POWER: (
            "行政机关有权通过数据核验、现场核查、公示、书面核查等方式，对承诺内容进行事中事后"
            "核查，并可以向有关部门、单位和个人调查核实。"
        ),
        FormSection.COOPERATION_DUTY: (
            "申请人应当配合行政机关的核查，如实提供有关材料和信息；无正当理由拒不配合的，"
            "行政机关可以依法按未履行承诺处理。"
        ),
    }
    sections = tuple(
        SectionText(key, f"{_ZH_NUMERALS[i]}、{key.zh}", body)
        for i, (key, body) in enumerate(bodies.items())
    )
    return "告知承诺书", sections


_EN_TITLES = {
    FormSection.DUTY_TO_PROVE: "Duty to prove",
    FormSection.CONTENT: "What is to be proved",
    FormSection.MANNER: "How to commit",
    FormSection.LIABILITY: "Legal liability for a false commitment",
    FormSection.VERIFICATION_POWER: "The authority's power to check",
    FormSection.COOPERATION_DUTY: "The applicant's duty to cooperate",
}


def _render_en(item: ProofItemView, service: str | None) -> tuple[str, tuple[SectionText, ...]]:
    for_service = f"service item {service}" if service else "the service"
    issuer = item.issuing_department or "the competent department"
    bodies = {
        FormSection.DUTY_TO_PROVE: (
            f"To apply for {for_service}, the applicant must by law prove: {_fact(item)}. This "
            f"used to require the proof 「{item.name}」 issued by {issuer}. Under the State "
            "Council General Office's Guiding Opinions on the commitment system for proof "
            "items (Guo Ban Fa [2020] No. 42) the applicant may instead commit in writing that "
            "the condition is met, and need not bring the proof."
        ),
        FormSection.CONTENT: (
            f"The applicant commits that the following is true, accurate and complete: "
            f"{_fact(item)}. (Proof item 「{item.name}」, code {item.code})"
        ),
        FormSection.MANNER: (
            "The applicant signs this form in this system under their own identity (resident "
            "ID number or unified social credit code); the system records that identity, the "
            "time of signing and the SM3 digest of this full text, and the node seals the "
            "record. The commitment may be withdrawn before it is submitted, not after."
        ),
        FormSection.LIABILITY: (
            "If the commitment is false, the authority will by law terminate the procedure, "
            "order correction within a time limit or revoke its decision, may impose an "
            "administrative penalty, and records the false commitment in the applicant's "
            "credit record; until that record is repaired the applicant cannot use a "
            "commitment in place of a proof. Suspected crimes are referred to the judiciary."
        ),
        FormSection.VERIFICATION_POWER: (
            "The authority may check the commitment during and after the procedure, by data "
            "check, on-site inspection, public notice or written inquiry, and may make "
            "inquiries with other departments, organisations and persons."
        ),
        FormSection.COOPERATION_DUTY: (
            "The applicant shall cooperate with the check and truthfully provide the "
            "materials and information asked for; a refusal without good reason may be "
            "treated by law as a failure to keep the commitment."
        ),
    }
    sections = tuple(
        SectionText(key, f"{i}. {_EN_TITLES[key]}", body)
        for i, (key, body) in enumerate(bodies.items(), start=1)
    )
    return "Commitment in lieu of proof", sections
