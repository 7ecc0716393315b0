"""Errors of the relying-party register, under ``certfree.errors``::

    CertfreeError
    ├── NotFound
    │   ├── RelyingPartyNotFound    404 no relying party with that organisation code
    │   └── ScenarioNotFound        404 the party is not registered for that scenario
    ├── InvalidInput
    │   └── ScenarioClaimUnknown    422 a scenario names a claim its certificate types lack
    ├── Conflict
    │   └── RelyingPartyExists      409 a scenario of that name is already registered
    └── AuthError
        └── Forbidden
            └── RelyingPartyRefused 403 a request or presentation broke a named rule
                                        (``Rule``: over-asking, unsigned, suspended …)

A refusal carries its rule id, the scenario and the claims it allows in the problem document,
and its message in Chinese and English.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from certfree.errors import Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "RULE_TEXT",
    "RelyingPartyExists",
    "RelyingPartyNotFound",
    "RelyingPartyRefused",
    "Rule",
    "ScenarioClaimUnknown",
    "ScenarioNotFound",
]


class RelyingPartyNotFound(NotFound):
    slug = "relying-party-not-found"
    title = "Relying party not found"
    title_zh = "未找到依赖方"


class ScenarioNotFound(NotFound):
    slug = "scenario-not-found"
    title = "Scenario not registered"
    title_zh = "依赖方未登记该使用场景"


class ScenarioClaimUnknown(InvalidInput):
    slug = "scenario-claim-unknown"
    title = "Claim not in the certificate type"
    title_zh = "证照类型没有该项"


class RelyingPartyExists(Conflict):
    slug = "relying-party-exists"
    title = "Already registered"
    title_zh = "已登记"


class Rule(enum.StrEnum):
    """The rules a verifier's request and a presentation to it are held to."""

    # 《个人信息保护法》第六条: a scenario's claims are the most it may receive.
    CLAIMS_BEYOND_SCENARIO = "rp.claims-beyond-scenario"
    TYPE_NOT_IN_SCENARIO = "rp.type-not-in-scenario"
    SCENARIO_UNKNOWN = "rp.scenario-unknown"
    # A registered verifier signs its requests with its registered key.
    REQUEST_UNSIGNED = "rp.request-unsigned"
    REQUEST_SIGNATURE = "rp.request-signature"
    REQUEST_EXPIRED = "rp.request-expired"
    PARTY_SUSPENDED = "rp.party-suspended"
    PARTY_UNREGISTERED = "rp.party-unregistered"


# (zh, en) templates of each rule; fields: party, scenario, allowed, refused, detail.
RULE_TEXT: dict[Rule, tuple[str, str]] = {
    Rule.CLAIMS_BEYOND_SCENARIO: (
        "{party} 的使用场景“{scenario}”只可索取：{allowed}；拒绝披露：{refused}",
        "scenario '{scenario}' of {party} allows only: {allowed}; refused: {refused}",
    ),
    Rule.TYPE_NOT_IN_SCENARIO: (
        "{party} 的使用场景“{scenario}”不收此类证照（{refused}），只收：{allowed}",
        "scenario '{scenario}' of {party} does not take this certificate type ({refused}); "
        "it takes: {allowed}",
    ),
    Rule.SCENARIO_UNKNOWN: (
        "{party} 未登记使用场景“{scenario}”；已登记：{allowed}",
        "{party} is not registered for scenario '{scenario}'; registered: {allowed}",
    ),
    Rule.REQUEST_UNSIGNED: (
        "{party} 是登记的核验方，其请求须经签名；未签名的请求不予处理",
        "{party} is a registered verifier and signs its requests; an unsigned one is refused",
    ),
    Rule.REQUEST_SIGNATURE: (
        "请求的签名不是 {party} 登记的密钥所签：{detail}",
        "the request is not signed by the key {party} registered: {detail}",
    ),
    Rule.REQUEST_EXPIRED: (
        "{party} 的请求已过期或时间无效：{detail}",
        "the request of {party} has expired or has bad times: {detail}",
    ),
    Rule.PARTY_SUSPENDED: (
        "{party} 的依赖方登记已暂停，不能索取证照信息",
        "the registration of {party} is suspended: it may not ask for certificate data",
    ),
    Rule.PARTY_UNREGISTERED: (
        "{party} 不在依赖方登记册中",
        "{party} is not in the register of relying parties",
    ),
}


class RelyingPartyRefused(Forbidden):
    """A request or presentation refused for one ``Rule``; the message is zh then en."""

    slug = "relying-party-refused"
    title = "Refused by the relying-party rules"
    title_zh = "依赖方规则不允许"

    def __init__(
        self,
        rule: Rule,
        *,
        party: str,
        scenario: str | None = None,
        allowed: Sequence[str] = (),
        refused: Sequence[str] = (),
        detail: str = "",
        field: str | None = None,
    ) -> None:
        zh, en = RULE_TEXT[rule]
        values = {
            "party": party,
            "scenario": scenario or "",
            "detail": detail,
        }
        message_zh = zh.format(
            allowed="、".join(allowed) or "（无）", refused="、".join(refused), **values
        )
        message_en = en.format(
            allowed=", ".join(allowed) or "(none)", refused=", ".join(refused), **values
        )
        super().__init__(
            f"规则 {rule.value}：{message_zh}（rule {rule.value}: {message_en}）", field=field
        )
        self.rule = rule
        self.party = party
        self.scenario = scenario
        self.allowed = tuple(allowed)
        self.refused = tuple(refused)
        self.message_zh = message_zh
        self.message_en = message_en

    def problem_extensions(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "relying_party": self.party,
            "scenario": self.scenario,
            "allowed": list(self.allowed),
            "refused": list(self.refused),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
