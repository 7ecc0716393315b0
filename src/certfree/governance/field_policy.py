"""For every labelled field, how it is governed: the bureau's view (数据分类分级 清单).

A field is a certificate type's face field, a catalog resource's data item or a question's
answer field. :func:`labelled_fields` lists them with their class and grade; each aspect of
the view is one function of a field (:func:`masking_of`: the masking rule and an example);
:func:`field_view` joins the aspects it is given, so another aspect (who may receive the field)
is one more function in ``aspects``, not a change to these.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certfree import catalog, certs, questions
from certfree.classification import DataClass, class_of, level_grade, suggest_class
from certfree.governance.masking import MaskRule, disclose, mask_value, rule_for

__all__ = [
    "EXAMPLES",
    "FieldRef",
    "FieldSource",
    "field_view",
    "labelled_fields",
    "mask_face_data",
    "mask_holder",
    "masking_of",
    "receivers_aspect",
]

FieldSource = str  # "certificate", "catalog" or "question"

# One synthetic value per rule, masked in the view to show what a recipient sees (none for
# ``none``, shown whole, and ``hidden``, whose every value is ***).
EXAMPLES: dict[MaskRule, Any] = {
    MaskRule.NONE: None,
    MaskRule.NAME: "王建国",
    MaskRule.MIDDLE: "鲁A12345",
    MaskRule.YEAR: "1990-03-07",
    MaskRule.PHONE: "13812345678",
    MaskRule.ADDRESS: "山东省济南市历下区泉城路1号",
    MaskRule.ID_NUMBER: "370102199003070029",
    MaskRule.TAIL: "6222021234567890123",
    MaskRule.HIDDEN: None,
}


@dataclass(frozen=True, slots=True)
class FieldRef:
    """One labelled field: where it is (``source``, ``owner`` — a certificate type code, a
    catalog resource code or a question name — and ``field``), its class and its grade."""

    source: FieldSource
    owner: str
    owner_name: str
    owner_name_en: str | None
    field: str
    label: str
    label_en: str | None
    kind: DataClass
    grade: int

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "owner": self.owner,
            "owner_name": self.owner_name,
            "owner_name_en": self.owner_name_en,
            "field": self.field,
            "label": self.label,
            "label_en": self.label_en,
            "class": self.kind.code,
            "class_name": self.kind.name,
            "class_name_en": self.kind.name_en,
            "personal": self.kind.personal.value,
            "grade": self.grade,
        }


def _kind(label: DataClass | str) -> DataClass:
    return label if isinstance(label, DataClass) else class_of(label)


def _certificate_fields() -> Iterator[FieldRef]:
    for cert_type in certs.cert_types().values():
        for face in cert_type.fields:
            yield FieldRef(
                "certificate",
                cert_type.code,
                cert_type.name,
                cert_type.name_en,
                face.name,
                face.label,
                face.label_en,
                _kind(face.data_class),
                face.grade,
            )


def _item_kind(item: dict[str, Any]) -> DataClass:
    label = str(item.get("classification") or "")
    try:
        return class_of(label)
    except ValueError:
        # An item stored before the vocabulary (free text such as 人口信息): the class its
        # name suggests, as an import would propose it.
        return suggest_class(str(item.get("name", "")))


def _item_grade(item: dict[str, Any], kind: DataClass) -> int:
    raw = item.get("grade")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return max(raw, kind.grade)
    return max(level_grade(str(raw)) or 0, kind.grade)


def _catalog_fields(session: Session) -> Iterator[FieldRef]:
    offset = 0
    while page := catalog.list_resources(session, origin="", limit=500, offset=offset):
        for resource in page:
            for item in resource.items or ():
                kind = _item_kind(item)
                yield FieldRef(
                    "catalog",
                    resource.code,
                    resource.name,
                    None,
                    str(item.get("name", "")),
                    str(item.get("description") or item.get("name", "")),
                    None,  # a catalog describes its items in Chinese only (GB/T 21063.3)
                    kind,
                    _item_grade(item, kind),
                )
        offset += len(page)


def _question_fields() -> Iterator[FieldRef]:
    items = questions.data_items()
    for question in questions.list_questions():
        for answer in question.answer:
            kind = _kind(answer.data_class)
            item = items.get(answer.data_item)
            yield FieldRef(
                "question",
                question.name,
                question.title_zh,
                question.title_en,
                answer.name,
                item.zh if item else answer.data_item,
                item.en if item else None,
                kind,
                kind.grade,
            )


def labelled_fields(session: Session | None = None) -> list[FieldRef]:
    """Every certificate face field and question answer field, and with ``session`` every
    data item of this node's own catalog resources."""
    found = [*_certificate_fields(), *_question_fields()]
    if session is not None:
        found[len(found) :] = _catalog_fields(session)
    return found


def masking_of(ref: FieldRef) -> dict[str, Any]:
    """How ``ref`` is shown to a recipient whose grant does not name it: the rule and the
    rule applied to an example value."""
    rule = rule_for(ref.kind, ref.grade)
    example = EXAMPLES[rule]
    masked = "***" if rule is MaskRule.HIDDEN else mask_value(rule, example)
    return {"mask": rule.value, "example": example, "example_masked": masked}


Aspect = Callable[[FieldRef], dict[str, Any]]


def receivers_aspect(session: Session) -> Aspect:
    """The aspect "who may receive the field unmasked": the grants in force that name it
    (``catalog.receivers_of``; a catalog item by its resource's grants, a question's answer
    field by its data item). A certificate face field is disclosed by its holder to a relying
    party, not granted: none."""

    def receivers(ref: FieldRef) -> dict[str, Any]:
        if ref.source == "catalog":
            grants = catalog.receivers_of(session, ref.field, resource_code=ref.owner)
        elif ref.source == "question":
            answer = questions.get_question(ref.owner).answer
            item = next(a.data_item for a in answer if a.name == ref.field)
            grants = catalog.receivers_of(session, item, question=ref.owner)
        else:
            grants = []
        return {
            "receivers": [
                {
                    "grant_id": grant.id,
                    "consumer": grant.consumer_code,
                    "service_item": grant.service_item,
                    "purpose": grant.purpose,
                    "legal_basis": grant.legal_basis,
                    "valid_to": grant.valid_to.isoformat() if grant.valid_to else None,
                }
                for grant in grants
            ]
        }

    return receivers


def field_view(
    session: Session | None = None, aspects: Sequence[Aspect] = (masking_of,)
) -> list[dict[str, Any]]:
    """One row per labelled field: where it is, its class and grade, and each aspect's keys."""
    rows = []
    for ref in labelled_fields(session):
        row = ref.to_json()
        for aspect in aspects:
            row.update(aspect(ref))
        rows.append(row)
    return rows


def mask_face_data(
    type_code: str, face: Mapping[str, Any], granted: Collection[str] = ()
) -> dict[str, Any]:
    """``face`` (face data of a certificate of type ``type_code``) as a recipient granted only
    the fields in ``granted`` sees it: each other field masked by its class and grade, a field
    the type does not know hidden."""
    kind = certs.cert_type(type_code)
    shown: dict[str, Any] = {}
    for name, value in face.items():
        field = kind.field(name)
        if field is None:
            shown[name] = value if name in granted else mask_value(MaskRule.HIDDEN, value)
        else:
            shown[name] = disclose(
                value, _kind(field.data_class), field=name, granted=granted, grade=field.grade
            )
    return shown


def mask_holder(type_code: str, holder_id: str) -> str:
    """A certificate holder's code as shown masked: a person's ID number by the id_number
    rule; an organisation's USCC is public (企业信息公示暂行条例 第6条) and stays whole."""
    if certs.cert_type(type_code).holder_category is certs.HolderCategory.PERSON:
        return str(mask_value(MaskRule.ID_NUMBER, holder_id))
    return holder_id
