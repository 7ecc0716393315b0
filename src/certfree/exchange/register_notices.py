"""Register notices (登记信息推送): an approval's register write, told to the register's keeper.

An approval at the accepting node writes the marriage, the new firm or the household move
into its own copy of the registers (:mod:`certfree.population.registers`) before it issues the
certificate. The department node that keeps each register — civil affairs the marriages
(婚姻登记, 《婚姻登记条例》第二条), market regulation the firms and tax their standing
(多证合一, 国办发〔2017〕41号), public security the households (户籍) — must answer the next
question accordingly, or another city could register a second marriage. So the accepting node
sends each one a ``register.notice``, and this module is the department's side of it.

The department writes the record only after checking:

* the sender is an active node of the registry (the exchange verified the message's signature
  against it; the node's own keys for a department it hosts);
* the decision seal (the application's sealed decision record) verifies with the sender's
  registry keys, is the sender's, names this application and service item and ``approved``,
  and names every person the record is about among the application's parties;
* the service item is this node's (its implementing department node), or, for a register the
  act shares (the firm's tax standing), one of this node's region implemented by the
  department that registers the act;
* the act is one this node keeps a register of.

It is idempotent: a record already there with the same content is a no-op (a retry, or the
node hosting the department, which wrote its own registers already); one that contradicts it
(the registration number used for other parties, a party married to someone else) is refused.
A refusal is signed, with the reason, as every refusal of the exchange is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import procedures
from certfree.crypto import verify_jws
from certfree.errors import CertfreeError, Conflict, InvalidInput, NotFound
from certfree.exchange.errors import NoticeRefused
from certfree.exchange.protocol.handlers import HandlerContext
from certfree.exchange.protocol.messages import MessageType, RegisterNoticeBody
from certfree.exchange.protocol.signing import Message, Peer
from certfree.nodes import DepartmentKind
from certfree.population import (
    EntityType,
    Firm,
    Household,
    Marriage,
    Person,
    current_marriage,
    move_into_household,
    register_firm,
    register_marriage,
)
from certfree.storage import utcnow

__all__ = [
    "DECISION_TYPE",
    "FIRM_REGISTERED",
    "HOUSEHOLD_MOVED",
    "MARRIAGE_REGISTERED",
    "REGISTERS",
    "apply_notice",
    "handle_notice",
    "handlers",
]

# The decision record's typ (sealed by certfree.applications.sealing).
DECISION_TYPE = "certfree-application-decision+jwt"
MARRIAGE_REGISTERED = "marriage_registered"
FIRM_REGISTERED = "firm_registered"
HOUSEHOLD_MOVED = "household_moved"

# Act → the department kinds keeping a register it writes; the first registers the act.
REGISTERS: dict[str, tuple[DepartmentKind, ...]] = {
    MARRIAGE_REGISTERED: (DepartmentKind.MZ,),
    FIRM_REGISTERED: (DepartmentKind.SJ, DepartmentKind.SW),
    HOUSEHOLD_MOVED: (DepartmentKind.GA,),
}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Marriage(_Record):
    registration_no: str = Field(min_length=1, max_length=40)
    party_a: str = Field(min_length=18, max_length=18)
    party_b: str = Field(min_length=18, max_length=18)
    registered_on: dt.date


class _Firm(_Record):
    uscc: str = Field(min_length=18, max_length=18)
    name: str = Field(min_length=1, max_length=200)
    entity_type: EntityType
    legal_rep_id: str = Field(min_length=18, max_length=18)
    division: str = Field(min_length=6, max_length=6)
    established_on: dt.date


class _Moved(_Record):
    id_number: str = Field(min_length=18, max_length=18)
    household_no: str = Field(min_length=1, max_length=32)


_RECORDS: dict[str, type[_Record]] = {
    MARRIAGE_REGISTERED: _Marriage,
    FIRM_REGISTERED: _Firm,
    HOUSEHOLD_MOVED: _Moved,
}


def _people(record: _Record) -> set[str]:
    """The people the record is about, who must be parties of the sealed decision."""
    if isinstance(record, _Marriage):
        return {record.party_a, record.party_b}
    if isinstance(record, _Firm):
        return {record.legal_rep_id}
    assert isinstance(record, _Moved)
    return {record.id_number}


def _me(node: str) -> tuple[str, DepartmentKind]:
    region, _, suffix = node.partition("-")
    try:
        return region, DepartmentKind(suffix)
    except ValueError:
        raise NoticeRefused(
            f"{node} 不是部门节点，不保管登记库（{node} keeps no departmental register）",
            field="to",
        ) from None


def _check_seal(body: RegisterNoticeBody, sender: Peer, record: _Record) -> None:
    def key(kid: str) -> Any:
        verifier = sender.verifiers.get(kid)
        if verifier is None:
            raise NoticeRefused(
                f"决定书签章的密钥 {kid} 不属于发送节点 {sender.code}"
                f"（the decision was not sealed by {sender.code}）",
                field="decision_seal",
            )
        return verifier

    try:
        header, claims = verify_jws(body.decision_seal, key)
    except NoticeRefused:
        raise
    except CertfreeError as exc:
        raise NoticeRefused(
            f"决定书签章无效：{exc.message}（the decision seal does not verify）",
            field="decision_seal",
        ) from None
    expected = {
        "typ": (header.get("typ"), DECISION_TYPE),
        "node": (claims.get("node"), sender.code),
        "application": (claims.get("application"), body.application),
        "service_item": (claims.get("service_item"), body.service_item),
        "decision": (claims.get("decision"), "approved"),
    }
    for name, (found, wanted) in expected.items():
        if found != wanted:
            raise NoticeRefused(
                f"决定书签章的 {name} 为 {found!r}，应为 {wanted!r}"
                f"（the sealed decision does not approve this application at {sender.code}）",
                field=f"decision_seal.{name}",
            )
    parties = {str(p.get("id")) for p in claims.get("parties") or [] if isinstance(p, Mapping)}
    strangers = sorted(_people(record) - parties)
    if strangers:
        raise NoticeRefused(
            f"{strangers[0]} 不是该办件的当事人（not a party of the sealed decision）",
            field="record",
        )


def _check_item(session: Session, body: RegisterNoticeBody, node: str) -> None:
    region, kind = _me(node)
    if kind not in REGISTERS[body.act]:
        raise NoticeRefused(
            f"{node} 不保管「{body.act}」所写的登记库（{node} keeps no register of {body.act}）",
            field="act",
        )
    item = session.get(procedures.ServiceItem, body.service_item)
    if item is None:
        raise NotFound(
            f"本节点没有政务服务事项 {body.service_item}（unknown service item）",
            field="service_item",
        )
    if item.node_code == node:
        return
    item_kind = item.department_kind or next(
        (k for k in DepartmentKind if (item.node_code or "").endswith(f"-{k.value}")), None
    )
    item_region = next(
        (c[:6] for c in (item.division_code, item.node_code) if c and c[:6].isdigit()), None
    )
    if item_region != region or item_kind is not REGISTERS[body.act][0]:
        raise NoticeRefused(
            f"事项 {body.service_item} 不由本节点 {node} 或本地区的"
            f"{REGISTERS[body.act][0].name_zh}部门实施"
            f"（the service item is not implemented by this department node）",
            field="service_item",
        )


def _marriage(session: Session, record: _Marriage, region: str) -> bool:
    existing = session.scalar(
        select(Marriage).where(Marriage.registration_no == record.registration_no)
    )
    parties = {record.party_a, record.party_b}
    if existing is not None:
        if {existing.party_a_id, existing.party_b_id} == parties:
            return False
        raise Conflict(
            f"结婚证字号 {record.registration_no} 已登记为其他当事人"
            "（the registration number is already recorded for other parties）",
            field="record.registration_no",
        )
    for person in (record.party_a, record.party_b):
        if session.get(Person, person) is None:
            raise NotFound(f"人口库中没有 {person}（not on the register）", field="record")
        found = current_marriage(session, person)
        if found is not None:  # 《民法典》第一千零四十二条: 禁止重婚
            raise Conflict(
                f"婚姻登记记录显示 {person} 已登记结婚（结婚证字号 {found.registration_no}）"
                "（the marriage register shows the party as married）",
                field="record",
            )
    register_marriage(
        session,
        record.party_a,
        record.party_b,
        number=record.registration_no,
        division=region,
        on=record.registered_on,
    )
    return True


def _firm(session: Session, record: _Firm, region: str) -> bool:
    existing = session.get(Firm, record.uscc)
    if existing is not None:
        if existing.name == record.name and existing.legal_rep_id == record.legal_rep_id:
            return False
        raise Conflict(
            f"统一社会信用代码 {record.uscc} 已登记为「{existing.name}」"
            "（the code is already registered to another firm）",
            field="record.uscc",
        )
    register_firm(
        session,
        uscc=record.uscc,
        name=record.name,
        entity_type=record.entity_type,
        division=record.division,
        representative=record.legal_rep_id,
        on=record.established_on,
    )
    return True


def _moved(session: Session, record: _Moved, region: str) -> bool:
    person = session.get(Person, record.id_number)
    home = session.get(Household, record.household_no)
    if person is None or home is None:
        missing = record.id_number if person is None else record.household_no
        raise NotFound(f"户籍库中没有 {missing}（not on the register）", field="record")
    if person.household_no == home.household_no:
        return False
    move_into_household(session, person, home)
    return True


_APPLY: dict[type[_Record], Callable[[Session, Any, str], bool]] = {
    _Marriage: _marriage,
    _Firm: _firm,
    _Moved: _moved,
}


def apply_notice(
    session: Session, body: Mapping[str, Any], *, sender: Peer | None, node: str
) -> dict[str, Any]:
    """Check a ``register.notice`` from ``sender`` to department ``node`` (module docstring)
    and write its record unless it is there; the acknowledgement's body (``written`` false
    when the record was there already). Raises a 4xx CertfreeError to refuse it."""
    try:
        notice = RegisterNoticeBody.model_validate(dict(body))
        record = _RECORDS[notice.act].model_validate(notice.record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"登记信息 {where}: {first['msg']}", field="record") from None
    if sender is None or sender.status != "active":
        code = sender.code if sender is not None else "?"
        raise NoticeRefused(
            f"发送节点 {code} 不是在册的有效节点（the sender is not an active node）",
            field="sender",
        )
    _check_item(session, notice, node)
    _check_seal(notice, sender, record)
    written = _APPLY[type(record)](session, record, node.partition("-")[0])
    return {
        "application": notice.application,
        "act": notice.act,
        "written": written,
        "received_at": utcnow().isoformat(),
    }


def handle_notice(ctx: HandlerContext, message: Message) -> dict[str, Any]:
    """``register.notice`` at the department node: :func:`apply_notice`, acknowledged."""
    if message.sender == ctx.node.code:
        sender: Peer | None = ctx.node.own_peer()  # a department this node hosts
    else:
        directory = ctx.directory.cached
        sender = directory.peer(message.sender) if directory is not None else None
    return apply_notice(ctx.session, message.body, sender=sender, node=ctx.node_code)


def handlers() -> dict[str, Callable[[Any, Any], dict[str, Any]]]:
    """Message type → handler, for the exchange's ``register_handler``."""
    return {MessageType.REGISTER_NOTICE: handle_notice}
