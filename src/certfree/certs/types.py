"""Certificate types (电子证照类型, GB/T 36902 catalog fields), read from packaged data files.

Each ``data/types/*.json`` file describes one type: its 21-character type code (the defining
authority's USCC + a 3-digit sequence, GB/T 36904), names, defining authority, holder category
(GB/T 36902 持证主体类别 with holder-code type 111 or 001), issuing department and level, validity
range, face-data schema (照面信息: typed fields, each with its data class and grade from
``certfree.classification``, required flag, whether a field may be disclosed alone)
and derived predicates such as ``age_over_60``. Adding a type is adding a file.

The files are part of the release, so every worker process reads the same catalogue; issued
certificates keep their own copy of what was sealed (type code, name and face data), so a later
change to a file never alters an issued certificate.

The defining authorities' USCCs are synthetic but valid (GB 32100 check characters), built with
``make_uscc("1", "1", "100000", body)``; the codes of the national catalogue were not at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from certfree import classification
from certfree.certs.errors import CertTypeNotFound
from certfree.certs.vocab import FieldType, HolderCategory, IssuerLevel
from certfree.errors import ConfigurationError, InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_uscc
from certfree.nodes import DepartmentKind

__all__ = [
    "RESERVED_CLAIMS",
    "CertType",
    "Derivation",
    "FaceField",
    "Predicate",
    "ValidityRule",
    "cert_type",
    "cert_types",
]

# Claims the SD-JWT VC and GB/T 36903 metadata use; a face field may not take these names.
RESERVED_CLAIMS = frozenset(
    {
        "iss", "sub", "iat", "nbf", "exp", "cnf", "vct", "status", "jti", "aud", "_sd",
        "_sd_alg", "certificate_id", "certificate_type", "certificate_name", "version",
        "issuer_name", "issue_date", "valid_from", "valid_to", "holder_id", "holder_code_type",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FaceField:
    """One face-data item (照面信息项)."""

    name: str
    label: str
    label_en: str
    type: FieldType
    data_class: str  # a code of the governance vocabulary (classes.json)
    required: bool
    grade: int  # never below the class's grade (GB/T 43697-2024 §4 就高从严)
    disclose_alone: bool
    values: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "label_en": self.label_en,
            "type": self.type.value,
            "class": self.data_class,
            "required": self.required,
            "grade": self.grade,
            "disclose_alone": self.disclose_alone,
        }
        if self.values:
            data["values"] = list(self.values)
        for key in ("min_length", "max_length", "minimum", "maximum"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True, slots=True)
class Predicate:
    """A derived yes/no claim; ``age_at_least``: ``field`` (a date) is ``years`` before issue.

    ``required`` predicates must hold for the certificate to be issued (an elderly card needs
    ``age_over_60``).
    """

    name: str
    label: str
    label_en: str
    kind: str
    field: str
    years: int
    required: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "label_en": self.label_en,
            "kind": self.kind,
            "field": self.field,
            "years": self.years,
            "required": self.required,
        }


@dataclass(frozen=True, slots=True)
class Derivation:
    """A claim the holder derives on the device and the verifier checks (edge processing,
    docs/edge-processing.md): ``age_at_least`` N years from a date field, for N from
    ``minimum`` to ``maximum``; ``resident_of`` a GB/T 2260 division from a division field."""

    kind: str
    field: str
    minimum: int | None = None
    maximum: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "field": self.field}
        if self.minimum is not None:
            data |= {"minimum": self.minimum, "maximum": self.maximum}
        return data


@dataclass(frozen=True, slots=True)
class ValidityRule:
    """How long a certificate of the type is valid, in whole years; ``None`` default = 长期."""

    default_years: int | None
    min_years: int | None
    max_years: int | None
    permanent_allowed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "default_years": self.default_years,
            "min_years": self.min_years,
            "max_years": self.max_years,
            "permanent_allowed": self.permanent_allowed,
        }


@dataclass(frozen=True, slots=True)
class CertType:
    """A certificate type of the catalogue (GB/T 36902)."""

    code: str
    slug: str
    name: str
    name_en: str
    authority_name: str
    authority_name_en: str
    authority_uscc: str
    holder_category: HolderCategory
    department: DepartmentKind
    issuer_level: IssuerLevel
    validity: ValidityRule
    holder_field: str | None
    fields: tuple[FaceField, ...]
    predicates: tuple[Predicate, ...]
    example: dict[str, Any]
    # A field with disclose_alone false is disclosed only beside one of these claims
    # (docs/edge-processing.md, "Fields never disclosed alone").
    disclose_with: tuple[str, ...] = ()
    derivations: tuple[Derivation, ...] = ()

    def field(self, name: str) -> FaceField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def disclosable(self) -> tuple[str, ...]:
        """Every claim a holder may disclose selectively: holder id, face fields, predicates."""
        return ("holder_id", *(f.name for f in self.fields), *(p.name for p in self.predicates))

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "slug": self.slug,
            "name": self.name,
            "name_en": self.name_en,
            "defining_authority": {
                "name": self.authority_name,
                "name_en": self.authority_name_en,
                "uscc": self.authority_uscc,
            },
            "holder_category": self.holder_category.value,
            "holder_code_type": self.holder_category.holder_code_type,
            "issuer": {"department": self.department.value, "level": self.issuer_level.value},
            "validity": self.validity.to_json(),
            "holder_field": self.holder_field,
            "fields": [f.to_json() for f in self.fields],
            "predicates": [p.to_json() for p in self.predicates],
            "disclose_with": list(self.disclose_with),
            "derived": [d.to_json() for d in self.derivations],
        }


def _field(raw: dict[str, Any]) -> FaceField:
    return FaceField(
        name=str(raw["name"]),
        label=str(raw["label"]),
        label_en=str(raw.get("label_en", raw["name"])),
        type=FieldType(raw["type"]),
        data_class=str(raw["class"]),
        required=bool(raw.get("required", True)),
        grade=int(raw["grade"]),
        disclose_alone=bool(raw.get("disclose_alone", False)),
        values=tuple(str(v) for v in raw.get("values", ())),
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
    )


def _validity(raw: dict[str, Any]) -> ValidityRule:
    if raw.get("permanent"):
        return ValidityRule(None, None, None, permanent_allowed=True)
    return ValidityRule(
        default_years=raw.get("default_years"),
        min_years=raw.get("min_years"),
        max_years=raw.get("max_years"),
        permanent_allowed=bool(raw.get("permanent_allowed", False)),
    )


def _parse(raw: dict[str, Any], source: str) -> CertType:
    authority = raw["defining_authority"]
    cert_type = CertType(
        code=str(raw["code"]),
        slug=str(raw["slug"]),
        name=str(raw["name"]),
        name_en=str(raw["name_en"]),
        authority_name=str(authority["name"]),
        authority_name_en=str(authority.get("name_en", "")),
        authority_uscc=str(authority["uscc"]),
        holder_category=HolderCategory(raw["holder_category"]),
        department=DepartmentKind(raw["issuer"]["department"]),
        issuer_level=IssuerLevel(raw["issuer"]["level"]),
        validity=_validity(raw["validity"]),
        holder_field=raw.get("holder_field"),
        fields=tuple(_field(f) for f in raw["fields"]),
        predicates=tuple(
            Predicate(
                name=str(p["name"]),
                label=str(p["label"]),
                label_en=str(p.get("label_en", p["name"])),
                kind=str(p["kind"]),
                field=str(p["field"]),
                years=int(p["years"]),
                required=bool(p.get("required", False)),
            )
            for p in raw.get("predicates", ())
        ),
        example=dict(raw.get("example", {})),
        disclose_with=tuple(str(name) for name in raw.get("disclose_with", ())),
        derivations=tuple(
            Derivation(str(d["kind"]), str(d["field"]), d.get("minimum"), d.get("maximum"))
            for d in raw.get("derived", ())
        ),
    )
    _check(cert_type, source)
    return cert_type


def _check(cert_type: CertType, source: str) -> None:
    """Refuse a data file that would let a malformed type into the catalogue."""
    problems: list[str] = []
    code = cert_type.code
    if len(code) != 21 or not code[18:].isdigit() or code[:18] != cert_type.authority_uscc:
        problems.append(f"type code {code!r} is not the authority's USCC + 3 digits")
    try:
        parse_uscc(cert_type.authority_uscc)
    except InvalidIdentifier as exc:
        problems.append(f"defining authority USCC: {exc.message}")
    names = [f.name for f in cert_type.fields] + [p.name for p in cert_type.predicates]
    if len(set(names)) != len(names):
        problems.append("field and predicate names must be unique")
    if clash := RESERVED_CLAIMS.intersection(names):
        problems.append(f"names reserved for metadata claims: {sorted(clash)}")
    for item in cert_type.fields:
        try:
            classification.field_grade(classification.class_of(item.data_class), item.grade)
        except InvalidInput as exc:
            problems.append(f"field {item.name}: {exc.message}")
        if item.type is FieldType.ENUM and not item.values:
            problems.append(f"field {item.name}: an enum needs values")
    for predicate in cert_type.predicates:
        target = cert_type.field(predicate.field)
        if predicate.kind != "age_at_least" or target is None or target.type != FieldType.DATE:
            problems.append(f"predicate {predicate.name}: needs kind age_at_least on a date field")
    problems += _check_disclosure(cert_type)
    expected = (
        FieldType.ID_NUMBER
        if cert_type.holder_category is HolderCategory.PERSON
        else FieldType.USCC
    )
    if cert_type.holder_field is not None:
        holder = cert_type.field(cert_type.holder_field)
        if holder is None or holder.type is not expected or not holder.required:
            problems.append(f"holder_field must name a required {expected} field")
    if problems:
        raise ConfigurationError(f"certificate type file {source}: " + "; ".join(problems))


_DERIVATION_KINDS = {"age_at_least": FieldType.DATE, "resident_of": FieldType.STRING}
_MAX_AGE = 150  # the bound of the age hash chain (certs.derived.CHAIN_DAYS)


def _check_disclosure(cert_type: CertType) -> list[str]:
    """The companions of fields never disclosed alone, and the derivations, are well formed."""
    problems: list[str] = []
    lone = [f.name for f in cert_type.fields if not f.disclose_alone]
    if lone and not cert_type.disclose_with:
        problems.append(f"fields {lone} are never disclosed alone: disclose_with names none")
    for name in cert_type.disclose_with:
        item = cert_type.field(name)
        if name != "holder_id" and (item is None or not item.disclose_alone):
            problems.append(f"disclose_with {name}: not holder_id nor a field disclosed alone")
    for derived in cert_type.derivations:
        target = cert_type.field(derived.field)
        if target is None or _DERIVATION_KINDS.get(derived.kind) is not target.type:
            problems.append(f"derived {derived.kind}: needs a known kind on a field of its type")
        elif derived.kind == "age_at_least" and not (
            1 <= (derived.minimum or 0) <= (derived.maximum or 0) <= _MAX_AGE
        ):
            problems.append(f"derived age_at_least: needs 1 <= minimum <= maximum <= {_MAX_AGE}")
        elif derived.kind == "resident_of" and (target.min_length, target.max_length) != (6, 6):
            problems.append(f"derived resident_of: field {derived.field} must be 6 characters")
    return problems


@cache
def cert_types() -> dict[str, CertType]:
    """Every type of the packaged catalogue by type code, in code order."""
    folder = resources.files("certfree.certs") / "data" / "types"
    found: dict[str, CertType] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        cert_type = _parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
        if cert_type.code in found:
            raise ConfigurationError(f"type code {cert_type.code} appears twice ({entry.name})")
        found[cert_type.code] = cert_type
    return dict(sorted(found.items()))


def cert_type(code: str) -> CertType:
    """The type with ``code``; CertTypeNotFound names the code and how to list the types."""
    found = cert_types().get(code.strip().upper())
    if found is None:
        raise CertTypeNotFound(
            f"没有类型代码为 {code} 的电子证照类型（certfree certs types 列出全部类型）",
            field="type_code",
        )
    return found
