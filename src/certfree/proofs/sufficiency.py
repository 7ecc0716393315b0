"""The legal-basis check: may this proof still be demanded?

The rule certfree applies, and where it comes from:

1. 《中华人民共和国行政许可法》第十四条、第十五条 let only laws, administrative regulations,
   State Council decisions and local regulations *create* a requirement placed on applicants;
   第十六条 lets departmental rules and local government rules only *specify* how a requirement
   set by a higher-level law is met, "不得增设行政许可…不得增设违反上位法的其他条件"; 第十七条
   forbids every other normative document from creating one.
2. The State Council's clean-up of proof items (《国务院办公厅关于做好证明事项清理工作的通知》
   国办发〔2018〕47号) applies the same line to proofs: "凡没有法律法规依据的证明和盖章环节，
   原则上一律取消"; kept items are listed with their basis (清单之外无证明).

So an item may be demanded only while at least one of its bases is a document **in force** at
level law, administrative regulation, State Council decision or local regulation
(:data:`~certfree.proofs.vocab.SUFFICIENT_LEVELS`). Otherwise it is flagged ``to_abolish`` with
a reason saying which bases remain and why they do not suffice. Provincial government rules'
temporary licences (第十五条第一款, one year) are not treated as a standing basis for a proof.
A flag is for a person to act on (abolish it, or cite a sufficient basis); the check never
abolishes by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from certfree.proofs.views import LegalBasisView
from certfree.proofs.vocab import SUFFICIENT_LEVELS, BasisLevel

__all__ = ["RULE_CITATION", "insufficiency_reason"]

RULE_CITATION = "《行政许可法》第十四条至第十七条；国办发〔2018〕47号"
_LEVELS_ZH = "、".join(level.label_zh for level in BasisLevel if level in SUFFICIENT_LEVELS)


def insufficiency_reason(bases: Iterable[LegalBasisView]) -> str | None:
    """None if the bases allow demanding the proof, else a reason a person can act on."""
    bases = list(bases)
    if any(b.may_demand_proof for b in bases):
        return None
    in_force = [b for b in bases if not b.repealed]
    repealed = [b for b in bases if b.repealed]
    parts: list[str] = []
    if not bases:
        parts.append("无设定依据")
    if repealed:
        parts.append("依据已废止：" + "、".join(b.citation for b in repealed))
    if in_force:
        parts.append(
            "仅有" + "、".join(f"{b.level.label_zh}{b.citation}" for b in in_force) + "，"
            "规章和规范性文件不得设定证明事项"
        )
    elif bases:
        parts.append("无有效的设定依据")
    return "；".join(parts) + f"。证明事项须有{_LEVELS_ZH}依据（{RULE_CITATION}），建议取消。"
