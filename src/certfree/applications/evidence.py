"""Evidence into slots: each way records the proof that a requirement was met.

* data sharing — the provider's signed answer (message id, the department asked and the node
  that signed the reply — the same unless a node answers for a department it hosts — the
  answer and its JWS);
* e-certificate — the verified presentation: its SHA-256, issuer, type and the disclosed
  claims, never more (the presentation itself is not kept);
* commitment — the signed commitment's id and the node's seal on it;
* department verification — the request's id and, once answered, its outcome;
* paper — the clerk's record of the paper proof seen, only where the way is still allowed.

An answer establishes a requirement when its fields have the values the service item's
evidence expects (``expect``: field → allowed values, copied into the slot's part when the
case is planned); without ``expect``, every yes/no field must be yes and any other value is
taken as it comes (a real-estate transfer records marital status whatever it is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from certfree.applications.cases import log_event
from certfree.applications.errors import EvidenceNotAllowed, WrongState
from certfree.applications.models import Application, EvidenceSlot
from certfree.applications.vocab import EVIDENCE_STATES, Action, SlotStatus
from certfree.certs import VerificationResult
from certfree.crypto import jwk_thumbprint
from certfree.proofs import Way
from certfree.storage import utcnow

__all__ = [
    "answer_satisfies",
    "check_open_for_evidence",
    "find_part",
    "record_answer",
    "record_commitment",
    "record_department_outcome",
    "record_department_request",
    "record_paper",
    "record_presentation",
    "refresh_status",
    "slot_at",
]


def slot_at(app: Application, position: int) -> EvidenceSlot:
    found = next((s for s in app.slots if s.position == position), None)
    if found is None:
        raise EvidenceNotAllowed(
            f"办件 {app.id} 没有第 {position + 1} 项申请条件（no such requirement）",
            field="requirement",
        )
    return found


def find_part(slot: EvidenceSlot, way: Way, ref: str | None = None) -> int:
    """Index of the slot's piece of evidence met by ``way`` (and ``ref``); EvidenceNotAllowed
    when the plan has none — a desk asks only for what the service item allows."""
    for index, part in enumerate(slot.parts):
        if part["way"] == way.value and (ref is None or part["ref"] == ref):
            return index
    raise EvidenceNotAllowed(
        f"申请条件「{slot.requirement}」的办理途径不含{way.label_zh}"
        f"{f'（{ref}）' if ref else ''}，清单之外不得索要"
        f"（the requirement is not met by {way.label_en} here: outside the list, no proof）",
        field="way",
    )


def check_open_for_evidence(app: Application) -> None:
    """WrongState unless ``app`` still takes evidence (vocab.EVIDENCE_STATES): recording
    evidence and running the plan both need it."""
    if app.state not in EVIDENCE_STATES:
        raise WrongState(
            f"办件 {app.id} 处于「{app.state.label_zh}」状态，不再接收核验材料"
            f"（an application that is {app.state.label_en} takes no more evidence）",
            field="state",
        )


def refresh_status(slot: EvidenceSlot) -> SlotStatus:
    """The slot's status from its parts: met when all are, failed when one failed, …"""
    statuses = [SlotStatus(p["status"]) for p in slot.parts]
    if slot.way is None:
        status = SlotStatus.UNMET
    elif statuses and all(s is SlotStatus.MET for s in statuses):
        status = SlotStatus.MET
    else:
        status = next(
            (
                s
                for s in (
                    SlotStatus.FAILED,
                    SlotStatus.PAPER_REQUIRED,
                    SlotStatus.WAITING,
                    SlotStatus.PLANNED,
                )
                if s in statuses
            ),
            SlotStatus.PLANNED,
        )
    slot.status = status
    return status


def _set_part(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    *,
    status: SlotStatus,
    proof: Mapping[str, Any] | None,
    actor: str,
    now: dt.datetime | None,
) -> None:
    check_open_for_evidence(app)
    moment = now or utcnow()
    parts = [dict(p) for p in slot.parts]
    parts[index] = {**parts[index], "status": status.value, "proof": dict(proof or {}) or None}
    slot.parts = parts  # a new list, so the JSON column is written
    slot.updated_at = moment
    refresh_status(slot)
    log_event(
        app,
        actor=actor,
        action=Action.EVIDENCE,
        detail={
            "requirement": slot.position,
            "ref": parts[index]["ref"],
            "way": parts[index]["way"],
            "status": status.value,
        },
        now=moment,
    )


def answer_satisfies(result: Mapping[str, Any], expect: Mapping[str, Sequence[Any]] | None) -> bool:
    """Whether an answer's ``result`` establishes the requirement (module docstring).

    Values compare with their type: ``True`` is not ``1`` (nor ``"true"``), and a field the
    answer does not carry matches nothing."""
    if expect:
        return all(
            name in result and any(_same(result[name], value) for value in allowed)
            for name, allowed in expect.items()
        )
    flags = [value for value in result.values() if isinstance(value, bool)]
    return all(flags)


def _same(answered: Any, expected: Any) -> bool:
    return type(answered) is type(expected) and answered == expected


def record_answer(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    answer: Mapping[str, Any],
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    """Record a data-sharing answer (as ``exchange.ask`` returns it) for part ``index``."""
    body = answer["answer"]
    result = dict(body.get("result") or {})
    part = slot.parts[index]
    met = answer_satisfies(result, part.get("expect"))
    proof = {
        "message_id": answer["message_id"],
        "signer": answer["signer"],  # the node that signed the reply (its host, if hosted)
        "provider": answer["provider"],  # the department asked
        "question": body.get("question"),
        "answer": result,
        "answered_at": body.get("answered_at"),
        "grant_id": body.get("grant_id"),
        # The provider's signature is over the body encrypted to this node (the exchange
        # encrypts it end to end): what it said is kept here, beside the signed JWS, and this
        # node's encryption key opens the JWS again to the same body.
        "answer_body": dict(body),
        "answer_jws": answer["answer_jws"],
    }
    status = SlotStatus.MET if met else SlotStatus.FAILED
    _set_part(app, slot, index, status=status, proof=proof, actor=actor, now=now)
    return slot.status


def record_presentation(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    presentation: str,
    result: VerificationResult,
    *,
    holder_jwk: Mapping[str, Any] | None,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    """Record a verified presentation of the slot's certificate type, by the slot's party.

    The presentation is the party's when it discloses the party's ID number as holder, or
    when its key binding is the wallet key the party registered in the application."""
    part = slot.parts[index]
    if not result.valid:
        first = result.failed[0] if result.failed else None
        raise EvidenceNotAllowed(
            f"电子证照核验未通过：{first.message_zh if first else '无效'}"
            f"（the presentation is not valid: {first.message if first else 'invalid'}）",
            field="presentation",
        )
    wanted_type = part.get("certificate_type") or part["ref"]
    if result.vct != wanted_type:
        raise EvidenceNotAllowed(
            f"该申请条件需要类型代码为 {wanted_type} 的电子证照，出示的是 {result.vct}"
            "（the requirement needs another certificate type）",
            field="presentation",
        )
    face = result.claims.get("face") if isinstance(result.claims.get("face"), Mapping) else {}
    shown_holder = result.claims.get("holder_id") or (face or {}).get("holder_id")
    # The same key, however its JWK is written (member order, optional members): RFC 7638.
    bound = (
        holder_jwk is not None
        and result.holder_jwk is not None
        and jwk_thumbprint(result.holder_jwk) == jwk_thumbprint(holder_jwk)
    )
    if shown_holder != slot.subject_id and not bound:
        raise EvidenceNotAllowed(
            "出示的电子证照不是该当事人的（未披露持证人证件号码，且未以其登记的卡包密钥签名）"
            "（the certificate is not the party's: neither its holder number nor its key matches）",
            field="presentation",
        )
    predicate = (part.get("parameters") or {}).get("predicate")
    wanted = [str(predicate)] if predicate else []
    missing = [name for name in wanted if result.claims.get(name) is not True]
    if missing:
        raise EvidenceNotAllowed(
            f"该申请条件需要证照披露并满足 {'、'.join(missing)}"
            f"（the requirement needs {', '.join(missing)} disclosed and true）",
            field="presentation",
        )
    proof = {
        "presentation_sha256": hashlib.sha256(presentation.encode("ascii")).hexdigest(),
        "issuer": result.issuer,
        "type": result.vct,
        "disclosed": {
            name: result.claims[name] for name in result.disclosed if name in result.claims
        }
        or dict(result.claims),
    }
    _set_part(app, slot, index, status=SlotStatus.MET, proof=proof, actor=actor, now=now)
    return slot.status


def record_commitment(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    *,
    commitment_id: int,
    seal: str,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    proof = {"commitment_id": commitment_id, "seal": seal}
    _set_part(app, slot, index, status=SlotStatus.MET, proof=proof, actor=actor, now=now)
    return slot.status


def record_department_request(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    *,
    request_id: str,
    department: str,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    proof = {"request_id": request_id, "department": department, "outcome": None}
    _set_part(app, slot, index, status=SlotStatus.WAITING, proof=proof, actor=actor, now=now)
    return slot.status


def record_department_outcome(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    *,
    outcome: str,
    confirmed: bool,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    proof = {**(slot.parts[index].get("proof") or {}), "outcome": outcome}
    status = SlotStatus.MET if confirmed else SlotStatus.FAILED
    _set_part(app, slot, index, status=status, proof=proof, actor=actor, now=now)
    return slot.status


def record_paper(
    app: Application,
    slot: EvidenceSlot,
    index: int,
    *,
    note: str,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    """The clerk saw the paper proof the list still allows (the part's way must be paper)."""
    if slot.parts[index]["way"] != Way.PAPER.value:
        raise EvidenceNotAllowed(
            f"「{slot.parts[index]['name']}」不得要求纸质证明"
            "（no paper proof may be asked for this）",
            field="way",
        )
    text = note.strip()
    if not text or len(text) > 500:
        raise EvidenceNotAllowed(
            "请写明所见纸质证明（1 到 500 字）（describe the paper proof seen）", field="note"
        )
    proof = {"paper": text, "seen_by": actor}
    _set_part(app, slot, index, status=SlotStatus.MET, proof=proof, actor=actor, now=now)
    return slot.status
