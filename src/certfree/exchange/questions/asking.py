"""The consumer's side of a question: ask a provider over the exchange, with the consent
attestations of the question's data subjects, unless one of them objected here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from certfree.exchange.protocol.messages import MessageType
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.exchange.protocol.transport import send
from certfree.exchange.questions.consents import for_subjects
from certfree.governance.subject_rights import check_not_objected
from certfree.questions import get_question

__all__ = ["ask"]


async def ask(
    runtime: ExchangeRuntime,
    *,
    question: str,
    provider: str,
    args: dict[str, Any],
    service_item: str,
    purpose: str,
    consents: Sequence[str] = (),
    message_id: str | None = None,
    application: str | None = None,
) -> dict[str, Any]:
    """Ask ``provider`` one verification question as this node (the consumer).

    ``consents`` are the data subjects' consent attestations, signed by the province when
    each consented (``POST /api/v1/consent/attestations`` there); those about the question's
    subjects travel with it, and the provider checks them (and, given ``application``, that
    none names another application). A caller that retries after an
    error passes the same ``message_id`` (a UUID it chose) and gets the answer the provider
    already gave, if any, never a second different one.

    Returns the answer with its signed JWS, which proves what the provider said.
    """

    subjects = get_question(question).subjects_in(args)

    def not_objected(session: Session) -> None:
        """UseObjected before anything leaves, if a subject objected to this kind of use here
        (PIPL 第44条; ``governance.subject_rights.objections``): checked in the transaction
        that logs the question, so an objection committed before it stops it."""
        check_not_objected(session, subjects, question)

    attached = for_subjects(consents, subjects)
    body = {
        "question": question,
        "args": args,
        "service_item": service_item,
        "purpose": purpose,
        "consent": attached or None,
    }
    if application is not None:
        body["application"] = application
    reply = await send(
        runtime,
        to=provider,
        type=MessageType.QUESTION_ASK,
        body=body,
        message_id=message_id,
        before_logged=not_objected if subjects else None,
    )
    return {
        "question": question,
        "consumer": runtime.code,
        "provider": reply.speaks_for,
        "signer": reply.sender,  # this node itself when it hosts the provider
        "message_id": reply.reply_to,
        "answer": reply.body,
        "answer_jws": reply.raw,
    }
