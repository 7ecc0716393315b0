"""Fields never disclosed alone (``disclose_alone`` false): what the type requires beside them.

A graded face field (birth date, address, sex, a document number …) shown by itself is
personal information cut loose from the person it describes: the verifier cannot tell whose it
is, nor answer for it to them (《个人信息保护法》第六条、第七条: a use must be clear, and
minimal). Each type names, in ``disclose_with``, the claims that identify the holder — the
holder's name field, for an organisation its USCC or name, for a vehicle its plate, and
``holder_id`` (GB/T 36902 持证主体代码), whose face copy (the type's ``holder_field``: the
holder's ID number or USCC) counts as it. A presentation that discloses a field with
``disclose_alone`` false must disclose at least one of them too; the holder's ID number thus
identifies by itself. Predicates and derived claims (``age_over_60``, ``resident_city``) are
built to be shown alone, and are not face fields.

The wallet refuses such a presentation before making it and the verifier refuses it on
receipt (check ``disclosure_rule``), so both sides read the rule from the same data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from certfree.certs.types import CertType, FaceField

__all__ = ["LoneDisclosure", "lone_disclosure"]

_HOLDER_ID = ("持证主体代码", "holder code")


@dataclass(frozen=True, slots=True)
class LoneDisclosure:
    """Fields disclosed without a companion, and the companions the type accepts."""

    fields: tuple[FaceField, ...]
    companions: tuple[str, ...]
    message: str
    message_zh: str


def _label(kind: CertType, name: str, english: bool) -> str:
    item = kind.field(name)
    if item is None:
        return _HOLDER_ID[english] if name == "holder_id" else name
    return item.label_en if english else item.label


def lone_disclosure(kind: CertType, disclosed: Iterable[str]) -> LoneDisclosure | None:
    """The breach of the rule in ``disclosed`` (claim names), or None when it holds."""
    names = set(disclosed)
    if kind.holder_field in names:  # the face copy of holder_id
        names.add("holder_id")
    if names.intersection(kind.disclose_with):
        return None
    lone = tuple(f for f in kind.fields if f.name in names and not f.disclose_alone)
    if not lone:
        return None
    zh = "、".join(f.label for f in lone)
    en = ", ".join(f.label_en for f in lone)
    with_zh = "或".join(_label(kind, n, False) for n in kind.disclose_with)
    with_en = " or ".join(_label(kind, n, True) for n in kind.disclose_with)
    return LoneDisclosure(
        lone,
        kind.disclose_with,
        f"{en} may not be disclosed alone on a {kind.name_en}: disclose {with_en} with it",
        f"{kind.name}的{zh}不得单独披露，须同时披露{with_zh}",
    )
