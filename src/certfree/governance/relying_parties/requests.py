"""A verifier's signed request, and the rules a request and a presentation are held to.

The request (``typ`` ``certfree-request+jwt``, ES256, signed with the key the party
registered) carries ``iss`` (its organisation code), ``aud`` (its registered identifier, the
audience the holder's key-binding JWT will name), ``nonce``, ``scenario``, ``claims``, ``iat``
and ``exp``. As text, for a QR code or a paste: ``certfree:request?jwt=<compact JWS>``.

The old unsigned form ``certfree:request?aud=…&nonce=…&claims=…`` stays readable only for an
audience that is not a registered verifier (a counter that has not registered yet): for one
that is, only a signed request is honoured — otherwise anyone could ask in its name.

Minimality (《个人信息保护法》第六条): whatever a request asks, the wallet discloses to a
registered party only claims of the scenario (and certificate types) it is registered for,
and the verification API accepts no more.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from certfree.crypto import Signer, Verifier, b64url_decode, sign_jws, verify_jws
from certfree.errors import CertfreeError, InvalidInput, KeyNotFound
from certfree.governance.relying_parties.errors import RelyingPartyRefused, Rule
from certfree.governance.relying_parties.models import RelyingPartyStatus
from certfree.governance.relying_parties.publication import (
    PartyEntry,
    Register,
    ScenarioEntry,
    audience_of,
)
from certfree.safejson import loads_untrusted

__all__ = [
    "MAX_REQUEST_LIFETIME",
    "REQUEST_PREFIX",
    "REQUEST_TTL",
    "REQUEST_TYP",
    "CheckedRequest",
    "VerifierRequest",
    "check_disclosure",
    "check_request",
    "parse_request",
    "sign_request",
]

REQUEST_TYP = "certfree-request+jwt"
REQUEST_PREFIX = "certfree:request?"
# The node refuses a key-binding JWT older than 300 s; a request lives as long.
REQUEST_TTL = 300
MAX_REQUEST_LIFETIME = 3600  # a request signed for longer is refused as a replayable one
_CLOCK_SKEW = 60


@dataclass(frozen=True, slots=True)
class VerifierRequest:
    """What a verifier asks; ``jwt`` is the signed form (None for the old unsigned one)."""

    aud: str
    nonce: str
    claims: tuple[str, ...]
    scenario: str | None = None
    iat: int | None = None
    exp: int | None = None
    jwt: str | None = None

    @property
    def text(self) -> str:
        """The request as a QR code or a paste carries it."""
        if self.jwt is not None:
            return f"{REQUEST_PREFIX}jwt={self.jwt}"
        return (
            f"{REQUEST_PREFIX}aud={quote(self.aud, safe='')}&nonce={quote(self.nonce, safe='')}"
            f"&claims={','.join(self.claims)}"
        )


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A request read and checked; ``party`` and ``scenario`` None for an unregistered
    audience (the old unsigned form)."""

    request: VerifierRequest
    party: PartyEntry | None
    scenario: ScenarioEntry | None


def sign_request(
    signer: Signer,
    uscc: str,
    scenario: ScenarioEntry,
    *,
    claims: Sequence[str] | None = None,
    nonce: str | None = None,
    now: int | None = None,
    lifetime: int = REQUEST_TTL,
) -> VerifierRequest:
    """A request of party ``uscc`` for ``scenario``, signed with its key (``signer``).

    ``claims`` default to all the scenario allows; the nonce to 128 random bits.
    """
    issued = int(now if now is not None else time.time())
    asked = tuple(dict.fromkeys(claims)) if claims is not None else scenario.claims
    payload = {
        "iss": uscc,
        "aud": audience_of(uscc),
        "nonce": nonce or secrets.token_urlsafe(16),
        "scenario": scenario.name,
        "claims": list(asked),
        "iat": issued,
        "exp": issued + lifetime,
    }
    token = sign_jws(signer, payload, header={"typ": REQUEST_TYP})
    return _from_payload(payload, token)


def _from_payload(payload: dict[str, object], token: str | None) -> VerifierRequest:
    aud, nonce = payload.get("aud"), payload.get("nonce")
    if not isinstance(aud, str) or not aud or not isinstance(nonce, str) or not nonce:
        raise InvalidInput(
            "核验方的请求应含 aud（核验方）和 nonce（随机数）（a request names aud and nonce）",
            field="request",
        )
    raw_claims = payload.get("claims") or []
    if not isinstance(raw_claims, list) or not all(isinstance(c, str) for c in raw_claims):
        raise InvalidInput(
            "请求的 claims 应为字符串数组（claims is a list of names）", field="request"
        )
    scenario = payload.get("scenario")
    iat, exp = payload.get("iat"), payload.get("exp")
    return VerifierRequest(
        aud=aud,
        nonce=nonce,
        claims=tuple(dict.fromkeys(raw_claims)),
        scenario=scenario if isinstance(scenario, str) else None,
        iat=iat if isinstance(iat, int) and not isinstance(iat, bool) else None,
        exp=exp if isinstance(exp, int) and not isinstance(exp, bool) else None,
        jwt=token,
    )


def parse_request(text: str) -> VerifierRequest:
    """Read ``certfree:request?jwt=…`` or the old ``certfree:request?aud=…&nonce=…`` form,
    checking nothing yet (``check_request`` does); InvalidInput (field ``request``)."""
    trimmed = text.strip()
    if not trimmed.startswith(REQUEST_PREFIX):
        raise InvalidInput(
            f"核验方的请求应以 {REQUEST_PREFIX} 开头（a verifier's request starts so）",
            field="request",
        )
    query = parse_qs(trimmed.removeprefix(REQUEST_PREFIX), keep_blank_values=False)
    if "jwt" in query:
        token = query["jwt"][0].strip()
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError(f"expected 3 parts, got {len(parts)}")
            payload = loads_untrusted(b64url_decode(parts[1]), what="request")
        except (CertfreeError, ValueError) as exc:
            raise InvalidInput(
                f"请求的 JWT 无法读取（unreadable request JWT）：{exc}", field="request"
            ) from exc
        if not isinstance(payload, dict):
            raise InvalidInput("请求的 JWT 不是对象（not a JSON object）", field="request")
        return _from_payload(payload, token)
    claims = ",".join(query.get("claims", []))
    return _from_payload(
        {
            "aud": (query.get("aud") or [""])[0],
            "nonce": (query.get("nonce") or [""])[0],
            "claims": [c.strip() for c in claims.split(",") if c.strip()],
        },
        None,
    )


def _refuse(
    rule: Rule,
    party: PartyEntry | str,
    *,
    scenario: str | None = None,
    allowed: Sequence[str] = (),
    refused: Sequence[str] = (),
    detail: str = "",
) -> RelyingPartyRefused:
    label = party.label if isinstance(party, PartyEntry) else party
    return RelyingPartyRefused(
        rule,
        party=label,
        scenario=scenario,
        allowed=allowed,
        refused=refused,
        detail=detail,
        field="request",
    )


def _check_signature(request: VerifierRequest, party: PartyEntry) -> None:
    assert request.jwt is not None
    registered: Verifier = party.verifier()

    def resolve(kid: str) -> Verifier:
        if kid != registered.kid:
            raise KeyNotFound(f"kid {kid} is not the registered key {registered.kid}")
        return registered

    try:
        header, payload = verify_jws(request.jwt, resolve)
    except CertfreeError as exc:
        raise _refuse(Rule.REQUEST_SIGNATURE, party, detail=str(exc)) from exc
    if header.get("typ") != REQUEST_TYP or payload.get("iss") != party.uscc:
        detail = f"typ {header.get('typ')!r}, iss {payload.get('iss')!r}"
        raise _refuse(Rule.REQUEST_SIGNATURE, party, detail=detail)


def _check_times(request: VerifierRequest, party: PartyEntry, now: float) -> None:
    iat, exp = request.iat, request.exp
    if iat is None or exp is None:
        raise _refuse(Rule.REQUEST_EXPIRED, party, detail="no iat/exp")
    if exp < now - _CLOCK_SKEW:
        raise _refuse(Rule.REQUEST_EXPIRED, party, detail=f"exp {exp} is past")
    if iat > now + _CLOCK_SKEW:
        raise _refuse(Rule.REQUEST_EXPIRED, party, detail=f"iat {iat} is in the future")
    if exp - iat > MAX_REQUEST_LIFETIME:
        raise _refuse(
            Rule.REQUEST_EXPIRED, party, detail=f"valid {exp - iat} s, over {MAX_REQUEST_LIFETIME}"
        )


def _scenario(party: PartyEntry, name: str | None) -> ScenarioEntry:
    found = party.scenarios.get(name or "")
    if found is None:
        raise _refuse(
            Rule.SCENARIO_UNKNOWN, party, scenario=name or "", allowed=sorted(party.scenarios)
        )
    return found


def _active(party: PartyEntry) -> None:
    if party.status != RelyingPartyStatus.ACTIVE.value:
        raise _refuse(Rule.PARTY_SUSPENDED, party)


def _within(party: PartyEntry, scenario: ScenarioEntry, claims: Iterable[str]) -> None:
    beyond = [name for name in claims if name not in scenario.claims]
    if beyond:
        raise _refuse(
            Rule.CLAIMS_BEYOND_SCENARIO,
            party,
            scenario=scenario.name,
            allowed=scenario.claims,
            refused=beyond,
        )


def check_request(
    request: VerifierRequest | str, register: Register, *, now: float | None = None
) -> CheckedRequest:
    """Check a verifier's request against the register (the wallet's side).

    For a registered audience: signed with the party's registered key, the party active, in
    time, for one of its scenarios and asking nothing beyond it. An unsigned request is
    readable only for an audience that is not registered. RelyingPartyRefused names the rule.
    """
    asked = parse_request(request) if isinstance(request, str) else request
    party = register.party(asked.aud)
    if asked.jwt is None:
        if party is not None:
            raise _refuse(Rule.REQUEST_UNSIGNED, party)
        return CheckedRequest(asked, None, None)
    if party is None:
        raise _refuse(Rule.PARTY_UNREGISTERED, asked.aud)
    _check_signature(asked, party)
    _active(party)
    _check_times(asked, party, now if now is not None else time.time())
    scenario = _scenario(party, asked.scenario)
    _within(party, scenario, asked.claims)
    return CheckedRequest(asked, party, scenario)


def check_disclosure(
    register: Register,
    audience: str,
    claims: Iterable[str],
    *,
    scenario: str | None = None,
    vct: str | None = None,
    field: str = "disclose",
) -> ScenarioEntry | None:
    """Whether disclosing ``claims`` (of a certificate of type ``vct``) to ``audience`` keeps
    within a scenario of that party; the scenario, or None when ``audience`` is not a
    registered party (no register rule applies to it).

    With ``scenario`` named, that scenario; without, any of the party's scenarios that covers
    them all. RelyingPartyRefused names the rule, the scenario and the claims it allows, and
    ``field`` (the input that carried the claims).
    """
    try:
        return _disclosure(register, audience, list(dict.fromkeys(claims)), scenario, vct)
    except RelyingPartyRefused as exc:
        exc.field = field
        raise


def _disclosure(
    register: Register, audience: str, names: list[str], scenario: str | None, vct: str | None
) -> ScenarioEntry | None:
    party = register.party(audience)
    if party is None:
        return None
    _active(party)
    if scenario is not None:
        chosen = _scenario(party, scenario)
        _within(party, chosen, names)
        _of_type(party, chosen, vct)
        return chosen
    fitting = [
        s
        for s in party.scenarios.values()
        if all(n in s.claims for n in names) and (vct is None or vct in s.vcts)
    ]
    if fitting:
        return fitting[0]
    if not party.scenarios:
        raise _refuse(Rule.SCENARIO_UNKNOWN, party, scenario="", allowed=())
    # Name the scenario that comes closest, with what it allows and what it refuses.
    closest = max(party.scenarios.values(), key=lambda s: sum(n in s.claims for n in names))
    _within(party, closest, names)
    _of_type(party, closest, vct)
    return closest  # not reached: one of the two checks refused


def _of_type(party: PartyEntry, scenario: ScenarioEntry, vct: str | None) -> None:
    if vct is not None and vct not in scenario.vcts:
        raise _refuse(
            Rule.TYPE_NOT_IN_SCENARIO,
            party,
            scenario=scenario.name,
            allowed=scenario.vcts,
            refused=[vct],
        )
