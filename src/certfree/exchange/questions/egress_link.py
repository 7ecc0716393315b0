"""Where the exchange counts important data and sensitive personal information leaving the
node (``governance.egress``): a step the provider runs in the transaction that logs its answer.

An answer carries the fields in its ``result``; each field's class and grade come from the
question catalogue (``catalog.question_field_grades``). Only answers with a field of grade 5 or
more, or of a sensitive personal-information class, leave a count (数据安全法 第21条;
个人信息保护法 第28条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from certfree.catalog import question_field_grades
from certfree.errors import CertfreeError
from certfree.exchange.protocol.audit import subject_ids
from certfree.exchange.protocol.messages import MessageType
from certfree.exchange.protocol.signing import Message
from certfree.governance.egress import record_egress
from certfree.questions import get_question

__all__ = ["egress_step"]


def egress_step(message: Message, reply: Message) -> Callable[[Session], None] | None:
    """The step recording what ``reply`` (the provider's signed answer, as it sealed it:
    the plaintext body beside the encrypted JWS) carries out, or None when it carries no
    important data or sensitive personal information."""
    if message.type != MessageType.QUESTION_ASK or reply.type != MessageType.QUESTION_ANSWER:
        return None  # a refusal carries no data
    body = reply.body
    result = body.get("result") if body else None
    if not isinstance(result, dict):
        return None
    try:
        question = get_question(str(message.body.get("question")))
    except CertfreeError:
        return None
    revealed = {field.data_item for field in question.answer if field.name in result}
    carried = [
        field
        for field in question_field_grades(question.name, revealed)
        if field.important or field.sensitive
    ]
    if not carried:
        return None
    service_item = message.body.get("service_item")
    purpose = message.body.get("purpose")

    def step(session: Session) -> None:
        record_egress(
            session,
            provider=message.receiver,
            recipient=message.sender,
            fields=carried,
            records=len(subject_ids(message)),
            purpose=purpose if isinstance(purpose, str) else "",
            service_item=service_item if isinstance(service_item, str) else None,
            question=question.name,
            message_id=message.id,
            at=dt.datetime.now(dt.UTC),
        )

    return step
