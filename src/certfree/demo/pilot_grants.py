"""Sharing grants for the demo cluster: each demo service item may ask its own questions.

A demo service item's requirements name the data-sharing questions it may use instead of a
proof (:mod:`certfree.demo.service_items`); :data:`DEMO_EXTRA_QUESTIONS` adds the few that a
pilot scenario needs beyond them. Each grant allows exactly the question's core data items —
the least an answer reveals — and requires the data subject's consent unless the caller
passes a legal basis.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from certfree.catalog import Grant, GrantStatus, create_grant, list_grants
from certfree.demo.service_items import demo_specs
from certfree.procedures import EvidenceKind
from certfree.questions import get_question

__all__ = ["DEMO_EXTRA_QUESTIONS", "demo_question_uses", "load_demo_grants"]

DEMO_ACTOR = "demo:grants"

# Service item name → questions it asks besides those its requirements list: the seller's
# title in a real-estate transfer (不动产转移登记), and insurance status for the elderly card.
DEMO_EXTRA_QUESTIONS: dict[str, tuple[str, ...]] = {
    "不动产转移登记": ("owns_property",),
    "老年人优待证办理": ("social_insurance_enrolled",),
}


def demo_question_uses() -> list[tuple[str, str, str]]:
    """(service item code, service item name, question) for every demo use, in file order."""
    uses: list[tuple[str, str, str]] = []
    for spec in demo_specs():
        names = [
            evidence.ref
            for requirement in spec.requirements
            for alternative in requirement.alternatives
            for evidence in alternative
            if evidence.kind is EvidenceKind.DATA_QUESTION
        ]
        names += DEMO_EXTRA_QUESTIONS.get(spec.name, ())
        uses += [(spec.code, spec.name, name) for name in dict.fromkeys(names)]
    return uses


def load_demo_grants(
    session: Session,
    consumer_codes: Iterable[str],
    provider_codes: Iterable[str],
    *,
    consent_exempt_basis: str | None = None,
) -> list[Grant]:
    """Grant every consumer the demo uses at every provider whose department answers them.

    A provider is a department node code (``370100-MZ``); codes of other departments, and
    non-department codes, are skipped. Idempotent: an active grant that already covers a use
    is kept and not repeated. Returns the grants created.
    """
    consumers = list(dict.fromkeys(consumer_codes))
    providers = list(dict.fromkeys(provider_codes))
    existing = {
        (g.consumer_code, g.provider_code, g.question, g.service_item)
        for g in list_grants(session, include_revoked=False)
        if g.status is GrantStatus.ACTIVE
    }
    created = []
    for code, name, question_name in demo_question_uses():
        question = get_question(question_name)
        for provider in providers:
            if provider.rpartition("-")[2] != question.department.value:
                continue
            for consumer in consumers:
                key = (consumer, provider, question.name, code)
                if key in existing:
                    continue
                created.append(
                    create_grant(
                        session,
                        consumer=consumer,
                        provider=provider,
                        question=question.name,
                        service_item=code,
                        purpose=f"办理「{name}」时核验{question.title_zh}",
                        data_items=question.core_data_items,
                        created_by=DEMO_ACTOR,
                        consent_exempt_basis=consent_exempt_basis,
                    )
                )
                existing.add(key)
    return created
