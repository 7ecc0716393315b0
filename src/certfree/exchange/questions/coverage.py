"""What this node could ask through the exchange, known without sending anything: the route
resolver's :class:`~certfree.procedures.FactSource`.

A question can be asked for a service item when this node (the consumer) holds a sharing grant
for it at a provider of the question's department kind — the department node of the service
item's region first, then those above it up to the province (the cascade's 1+16+N: a county's
item may be answered by the city's or the province's department) — and that provider can be
reached: it is active in this node's registry with an endpoint, or this node answers for it
itself (``hosted``, :mod:`certfree.exchange.protocol.hosting`). Nothing is sent, so a plan reveals
nothing about the applicant; the answer comes when the application runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from certfree.catalog import GrantRefused, check_grant
from certfree.exchange.protocol.hosting import hosted_codes
from certfree.identifiers import DivisionLevel, lookup_division
from certfree.nodes import DepartmentKind, Node, NodeStatus, department_name, node_code
from certfree.procedures import Coverage
from certfree.questions import QuestionDef
from certfree.settings import Settings
from certfree.storage import utcnow

__all__ = ["ExchangeFactSource", "provider_candidates"]


def provider_candidates(kind: DepartmentKind, division: str | None, consumer: str) -> list[str]:
    """Department node codes that may answer, nearest first: the region's (county, then its
    city), then the province's. Without a division, the consumer's province."""
    region = (division or consumer)[:6]
    regions = [region, f"{region[:4]}00", f"{region[:2]}0000"]
    if division is None:
        regions = regions[2:]
    return [node_code(code, kind) for code in dict.fromkeys(regions)]


_TELLING = {"provider_unreachable": 0, "no_grant": 2}


@dataclass(frozen=True, slots=True)
class _Tried:
    code: str
    reason: str
    reason_zh: str
    reason_en: str


class ExchangeFactSource:
    """Coverage from this node's grants and node registry (see the module docstring).

    ``consumer`` is this node's code; ``hosted`` the department node codes it answers for
    itself (``hosted_codes`` of the settings' ``hosted_departments``).
    """

    def __init__(
        self,
        session: Session,
        consumer: str,
        *,
        hosted: Collection[str] = frozenset(),
        down: Collection[str] = frozenset(),
        now: dt.datetime | None = None,
    ) -> None:
        self.session = session
        self.consumer = consumer
        self.hosted = frozenset(hosted)
        self.down = frozenset(down)
        self.now = now or utcnow()

    @classmethod
    def for_node(
        cls, session: Session, settings: Settings, *, down: Collection[str] = frozenset()
    ) -> ExchangeFactSource:
        """The source of the node ``settings`` describe: its code as the consumer, the
        departments its ``hosted_departments`` setting names (``*``: read from the registry);
        ``down``: providers just found unreachable, planned around."""
        me = settings.node_code
        hosted = hosted_codes(session, me, settings.hosted_departments)
        return cls(session, me, hosted=hosted, down=down)

    def coverage(
        self, question: QuestionDef, *, service_code: str, division: str | None
    ) -> Coverage:
        tried: list[_Tried] = []
        for code in provider_candidates(question.department, division, self.consumer):
            organ = self.organ(code, question.department)
            try:
                grant = check_grant(
                    self.session,
                    consumer=self.consumer,
                    provider=code,
                    question=question.name,
                    service_item=service_code,
                    data_items=question.core_data_items,
                    now=self.now,
                )
            except GrantRefused as refusal:
                tried.append(
                    _Tried(
                        code,
                        refusal.reason.value,
                        refusal.message,
                        f"no sharing grant of {code} covers {question.name} for this service "
                        f"item ({refusal.reason.value})",
                    )
                )
                continue
            reached = self.reach(code)
            if reached is None:
                return Coverage(
                    True,
                    code,
                    organ,
                    "data_available",
                    f"共享授权 #{grant.id}，{self.how(code)[0]}",
                    f"sharing grant #{grant.id}, {self.how(code)[1]}",
                )
            tried.append(reached)
        # The most telling refusal: a grant whose provider cannot be reached, then a grant that
        # does not fit (another purpose, expired …), then the nearest provider's "no grant".
        worst = min(tried, key=lambda t: _TELLING.get(t.reason, 1))
        return Coverage(
            False,
            worst.code,
            self.organ(worst.code, question.department),
            worst.reason,
            worst.reason_zh,
            worst.reason_en,
        )

    def reach(self, code: str) -> _Tried | None:
        """None when node ``code`` can be reached, else why not."""
        if code in self.down:
            return _Tried(
                code,
                "provider_unreachable",
                f"节点 {code} 刚才无法连通",
                f"node {code} could not be reached just now",
            )
        if code in self.hosted:
            return None
        node = self.session.get(Node, code)
        if node is not None and node.status is NodeStatus.ACTIVE and node.endpoint_url:
            return None
        return _Tried(
            code,
            "provider_unreachable",
            f"节点 {code} 未在节点注册表中启用并登记地址，本节点也不代其答复",
            f"node {code} is not active with an endpoint in the registry, nor hosted here",
        )

    def how(self, code: str) -> tuple[str, str]:
        if code in self.hosted:
            return "由本节点代为答复", "answered by this node for the department"
        return f"节点 {code} 已登记地址", f"node {code} has a registered endpoint"

    def organ(self, code: str, kind: DepartmentKind) -> str:
        """The provider's name as the registry has it, else the organ's standard name."""
        node = self.session.get(Node, code)
        if node is not None:
            return node.name
        region = lookup_division(code[:6])
        if region is None:
            return f"{kind.name_zh}（{code}）"
        provincial = region.level is DivisionLevel.PROVINCE
        return department_name(kind, region.name, provincial=provincial)
