"""Reading one index entry a node sent: every field checked, or the whole page refused.

A node's page is stored whole or not at all (``index.harvest``): an entry with a missing or
malformed field makes :class:`~certfree.certs.index.errors.InvalidIndexFeed` name the entry
and the field, and nothing of the page is kept, so the cursor stays before it and the next
harvest asks again once the node is fixed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certfree.certs.index.commitment import COMMITMENT
from certfree.certs.index.errors import InvalidIndexFeed
from certfree.certs.vocab import CertStatus, RevocationReason
from certfree.errors import InvalidIdentifier
from certfree.identifiers import parse_cert_id, parse_uscc

__all__ = ["Entry", "read_entry"]

_STORED = frozenset({CertStatus.ISSUED, CertStatus.SUSPENDED, CertStatus.REVOKED})


@dataclass(frozen=True, slots=True)
class Entry:
    """A checked entry: the columns of an ``IndexEntry`` row."""

    seq: int
    identifier: str
    type_code: str
    type_name: str
    issuer_uscc: str
    issuer_node: str | None
    version: int
    status: CertStatus
    revocation_reason: str | None
    status_changed_at: dt.datetime | None
    issued_at: dt.datetime
    valid_from: dt.date
    valid_to: dt.date | None
    superseded_by: str | None
    holder_commitment: str


class _Reader:
    def __init__(self, node: str, raw: dict[str, Any]) -> None:
        self.node, self.raw = node, raw

    def fault(self, name: str, what: str) -> InvalidIndexFeed:
        identifier = self.raw.get("identifier")
        return InvalidIndexFeed(self.node, f"条目 {identifier!r} 的 {name} {what}")

    def text(self, name: str, limit: int) -> str:
        value = self.raw.get(name)
        if not isinstance(value, str) or not value or len(value) > limit:
            raise self.fault(name, f"应为不超过 {limit} 个字符的字符串")
        return value

    def maybe_text(self, name: str, limit: int) -> str | None:
        return None if self.raw.get(name) is None else self.text(name, limit)

    def moment(self, name: str) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(self.text(name, 40))
        except ValueError:
            raise self.fault(name, "应为 ISO 8601 时间") from None
        if parsed.tzinfo is None:
            raise self.fault(name, "应带时区")
        return parsed.astimezone(dt.UTC)

    def maybe_moment(self, name: str) -> dt.datetime | None:
        return None if self.raw.get(name) is None else self.moment(name)

    def day(self, name: str) -> dt.date:
        try:
            return dt.date.fromisoformat(self.text(name, 10))
        except ValueError:
            raise self.fault(name, "应为 YYYY-MM-DD 日期") from None

    def maybe_day(self, name: str) -> dt.date | None:
        return None if self.raw.get(name) is None else self.day(name)


def read_entry(node: str, raw: object) -> Entry:
    """The checked entry ``raw`` of ``node``'s feed; InvalidIndexFeed naming the field."""
    if not isinstance(raw, dict):
        raise InvalidIndexFeed(node, "条目应为 JSON 对象")
    r = _Reader(node, raw)
    identifier, issuer = r.text("identifier", 128), r.text("issuer_uscc", 18)
    try:
        cert_id = parse_cert_id(identifier)
        issuer = parse_uscc(issuer).code
    except InvalidIdentifier as exc:
        raise r.fault("identifier/issuer_uscc", f"有误：{exc.message}") from None
    identifier = cert_id.value
    try:
        status = CertStatus(str(raw.get("status")))
    except ValueError:
        raise r.fault("status", "应为 issued、suspended 或 revoked") from None
    if status not in _STORED:
        raise r.fault("status", "应为 issued、suspended 或 revoked")
    reason = r.maybe_text("revocation_reason", 32)
    if reason is not None and reason not in {x.value for x in RevocationReason}:
        raise r.fault("revocation_reason", "不是已知的注销原因")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 999:
        raise r.fault("version", "应为 1–999 的整数")
    commitment = raw.get("holder_commitment")
    if not isinstance(commitment, str) or not COMMITMENT.fullmatch(commitment):
        raise r.fault("holder_commitment", "应为 43 个字符的 base64url（HMAC-SHA256）")
    type_code, type_name = r.text("type_code", 21), r.text("type_name", 64)
    if (cert_id.type_code, cert_id.issuer.code) != (type_code, issuer):
        raise r.fault("type_code/issuer_uscc", "与证照标识中的类型代码或发证机关不符")
    return Entry(
        seq=int(raw["seq"]),
        identifier=identifier,
        type_code=type_code,
        type_name=type_name,
        issuer_uscc=issuer,
        issuer_node=r.maybe_text("issuer_node", 16),
        version=version,
        status=status,
        revocation_reason=reason,
        status_changed_at=r.maybe_moment("status_changed_at"),
        issued_at=r.moment("issued_at"),
        valid_from=r.day("valid_from"),
        valid_to=r.maybe_day("valid_to"),
        superseded_by=r.maybe_text("superseded_by", 128),
        holder_commitment=commitment,
    )
