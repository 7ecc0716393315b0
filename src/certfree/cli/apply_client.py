"""The HTTP side of ``certfree apply``: the node, the token for each act, and on a demo node
the parties' own acts, done as each would do them in their app.

A node of the demo cluster, or the development node ``make run`` serves, is acted on with
tokens minted with its own key (:mod:`certfree.demo.devices`): a clerk of the node for the
desk's acts, each party for their own. Any other node needs ``--token``, which is then used
for every call; the parties' acts are theirs to do in their own apps.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from certfree.cli.common import load_settings
from certfree.cli.i18n import current_language, t
from certfree.demo.devices import (
    DemoSite,
    PersonWallet,
    demo_site,
    issued_on_demand,
    mint,
    own_id_card,
    person_wallet,
    questions_about,
)
from certfree.errors import CertfreeError, InvalidInput
from certfree.safejson import loads_untrusted
from certfree.wallet import CredentialInfo, present

__all__ = [
    "Node",
    "Refused",
    "carry_id_cards",
    "connect",
    "give_consent",
    "parties_act",
    "refused_requirement",
    "store_issued",
]

API = "/api/v1"
_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # a run waits for the departments' answers


class Refused(Exception):
    """The node refused a call: its HTTP status and problem document (RFC 9457)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(str(problem.get("detail") or status))


@dataclass
class Node:
    """One node to call, as a clerk or as a party: with ``token`` for everything, or on a
    demo ``site`` with tokens minted there."""

    url: str
    site: DemoSite | None
    token: str | None
    client: httpx.Client
    acted: list[str] = field(default_factory=list)  # what the parties' acts did, to print

    def demo(self) -> DemoSite:
        if self.site is None:
            raise InvalidInput(t("apply.demo_only", url=self.url), field="token")
        return self.site

    def clerk(self) -> str:
        if self.token is not None:
            return self.token
        site = self.demo()
        who = f"desk:{getpass.getuser()}"
        return mint(site.node, "clerk", who, organisation=site.node.code)

    def person(self, subject: str) -> str:
        return (
            self.token if self.token is not None else mint(self.demo().node, "applicant", subject)
        )

    def call(
        self,
        method: str,
        path: str,
        token: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        base: str | None = None,
    ) -> Any:
        """The JSON answer of ``method path``; Refused with the problem for a 4xx/5xx."""
        response = self.client.request(
            method,
            f"{base or self.url}{API}{path}",
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            answer: Any = loads_untrusted(response.content, what="the node's answer")
        except InvalidInput:
            answer = {"detail": response.text[:500] or response.reason_phrase}
        if response.is_error:
            raise Refused(response.status_code, answer if isinstance(answer, dict) else {})
        return answer

    def application(self, app_id: str, token: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self.call("GET", f"/applications/{app_id}", token or self.clerk())
        return found


@contextmanager
def connect(url: str | None, cluster_dir: Path, token: str | None) -> Iterator[Node]:
    """The node at ``url`` (default: the node ``make run`` serves); InvalidInput when it is
    not a demo node and no ``token`` is given."""
    settings = load_settings()
    site = None if token else demo_site(url, cluster_dir=cluster_dir, settings=settings)
    base = (url or settings.base_url).rstrip("/")
    if site is None and token is None:
        raise InvalidInput(t("apply.needs_token", url=base), field="token")
    language = {"Accept-Language": current_language().value}  # the problems' titles
    with httpx.Client(timeout=_TIMEOUT, headers=language) as client:
        yield Node(base, site, token, client)


def give_consent(
    node: Node,
    app_id: str,
    party: str,
    *,
    attestation: str | None,
    holder_jwk: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """``party``'s consent to what the application asks about them; on a demo node the
    attestation is fetched from the province as that person, and the wallet key of their demo
    wallet goes with it. None when nothing is asked about them."""
    token = node.person(party)
    view = node.application(app_id, token)
    if node.site is not None and attestation is None:
        site = node.site
        if site.province is None:
            raise InvalidInput(t("apply.no_province", node=site.node.code), field="url")
        questions = questions_about(view, party)
        holder_jwk = dict(person_wallet(site, party).key.public_jwk())
        if not questions:  # nothing asked about them: only the key for the result
            key = {"party": party, "holder_jwk": holder_jwk}
            return dict(node.call("POST", f"/applications/{app_id}/wallet-key", token, body=key))
        attested = node.call(
            "POST",
            "/consent/attestations",
            mint(site.province, "applicant", party),
            base=site.province.url,
            body={
                "consumer": view["node"],
                "service_item": view["service_item"],
                "questions": questions,
                "purpose": _purpose(view),
                "application": view["id"],
            },
        )
        attestation = str(attested["attestation"])
    if attestation is None:
        raise InvalidInput(t("apply.attestation_needed"), field="attestation")
    body: dict[str, Any] = {"party": party, "attestation": attestation, "holder_jwk": holder_jwk}
    answer: dict[str, Any] = node.call("POST", f"/applications/{app_id}/consent", token, body=body)
    return answer


def _purpose(view: dict[str, Any]) -> str:
    """The purpose in words, as the node states it when it asks (applications.running)."""
    return f"办理「{view['service_name']}」（办件 {view['id']}）"


def _open_part(requirement: dict[str, Any], way: str) -> dict[str, Any] | None:
    parts = requirement.get("parts") or []
    return next((p for p in parts if p.get("way") == way and p.get("status") != "met"), None)


def parties_act(node: Node, view: dict[str, Any]) -> list[tuple[int, CertfreeError | Refused]]:
    """On a demo node, each party's own acts the plan still waits for: show a certificate
    (obtaining their ID card first if their wallet has none), sign a commitment form. The
    failures by requirement; what was done is in ``node.acted``."""
    failures: list[tuple[int, CertfreeError | Refused]] = []
    for requirement in view["requirements"]:
        if requirement["status"] == "met":
            continue
        who = str(requirement.get("subject") or view["applicant"])
        try:
            if (part := _open_part(requirement, "e_certificate")) is not None:
                _show_certificate(node, view, requirement, part, who)
            elif (part := _open_part(requirement, "commitment")) is not None:
                _sign_commitment(node, view, requirement, part, who)
        except (CertfreeError, Refused) as exc:
            failures.append((int(requirement["position"]), exc))
    return failures


def _held(wallet: PersonWallet, type_code: str, predicate: str | None) -> CredentialInfo | None:
    return next(
        (
            info
            for info in wallet.wallet.credentials()
            if info.vct == type_code
            and not info.expired()
            and (predicate is None or predicate in info.disclosable)
        ),
        None,
    )


def _obtain(node: Node, wallet: PersonWallet, who: str, type_code: str) -> CredentialInfo:
    """``who``'s own certificate of ``type_code``, issued now by the organ that issues it to
    them and bound to their wallet key, as a citizen claims theirs; kept in the wallet."""
    site = node.demo()
    face, organ = own_id_card(site.node, type_code, who)
    issued = node.call(
        "POST",
        "/certificates",
        mint(site.node, "department_admin", f"demo-issuer:{organ}", organisation=organ),
        body={
            "type_code": type_code,
            "holder_id": who,
            "face_data": face,
            "holder_jwk": wallet.key.public_jwk(),
        },
    )
    held = wallet.wallet.add(str(issued["credential"]), wallet.key.public_jwk())
    node.acted.append(t("apply.obtained", who=who, id=held.identifier or held.id))
    return held


def _service_code(node: Node, service: str) -> str | None:
    """The code of service item ``service`` (a code, or the exact name of one item); None
    when there is none (starting then says so)."""
    try:
        found: dict[str, Any] = node.call("GET", f"/procedures/{service}", node.clerk())
    except Refused as exc:
        if exc.status != 404:
            raise
        page = node.call("GET", "/procedures", node.clerk(), params={"q": service})
        named = [item for item in page["items"] if item["name"] == service.strip()]
        return str(named[0]["code"]) if len(named) == 1 else None
    return str(found["code"])


def carry_id_cards(node: Node, service: str, people: dict[str, str]) -> None:
    """On a demo node, before the plan is made: each party whose requirement an ID card can
    meet carries their own e-ID card in their wallet (issued now if it has none), as a
    citizen's phone does; the plan then finds it in the certificate library. ``people``:
    party role → ID number (one that is not an ID number is left for starting to refuse)."""
    code = _service_code(node, service) if node.site is not None else None
    if node.site is None or code is None:
        return
    listed = node.call("GET", f"/procedures/{code}/requirements", node.clerk())
    for requirement in listed["requirements"]:
        who = people.get(requirement["party"])
        if who is None:
            continue
        cards = {
            str(evidence["ref"])
            for alternative in requirement["alternatives"]
            for evidence in alternative
            if evidence["kind"] == "certificate_type" and issued_on_demand(evidence["ref"])
        }
        for type_code in sorted(cards):
            try:
                wallet = person_wallet(node.site, who)
            except InvalidInput:
                continue
            if _held(wallet, type_code, None) is None:
                _obtain(node, wallet, who, type_code)


def _show_certificate(
    node: Node, view: dict[str, Any], requirement: dict[str, Any], part: dict[str, Any], who: str
) -> None:
    wallet = person_wallet(node.demo(), who)
    type_code = str(part.get("certificate_type") or part["ref"])
    predicate = (part.get("parameters") or {}).get("predicate")
    held = _held(wallet, type_code, predicate) or _obtain(node, wallet, who, type_code)
    disclosed = ["holder_id", *([str(predicate)] if predicate else [])]
    shown = present(held, wallet.key, disclosed, audience=view["node"], nonce=view["id"])
    node.call(
        "POST",
        f"/applications/{view['id']}/presentations",
        node.person(who),
        body={"requirement": requirement["position"], "presentation": shown},
    )
    node.acted.append(
        t("apply.presented", n=requirement["position"] + 1, who=who, id=held.identifier or held.id)
    )


def _sign_commitment(
    node: Node, view: dict[str, Any], requirement: dict[str, Any], part: dict[str, Any], who: str
) -> None:
    token = node.person(who)
    form = node.call(
        "GET",
        "/commitments/form",
        token,
        params={"proof": part["ref"], "service": view["service_item"]},
    )
    node.call(
        "POST",
        f"/applications/{view['id']}/commitments",
        token,
        body={"requirement": requirement["position"], "text_hash": form["text_hash"]},
    )
    node.acted.append(
        t("apply.committed", n=requirement["position"] + 1, who=who, title=part["name"])
    )


def refused_requirement(node: Node, app_id: str, given: int | None) -> int:
    """The requirement a refusal cites (from 0): the one given (from 1), else the first not
    met, which is said in ``node.acted``."""
    if given is not None:
        return given - 1
    view = node.application(app_id)
    unmet = [r for r in view["requirements"] if r["status"] != "met"]
    if not unmet:
        raise InvalidInput(t("apply.all_met"), field="requirement")
    first = unmet[0]
    node.acted.append(t("apply.citing", n=first["position"] + 1, text=first["requirement"]))
    return int(first["position"])


def store_issued(node: Node, view: dict[str, Any]) -> list[str]:
    """On a demo node, each certificate the decision issued into the wallet of the party it
    is bound to (a new firm's licence: its legal representative's), so they can present it at
    once; what was stored (or why not), to print."""
    if node.site is None:
        return []
    keepers = {str(p["role"]): str(p["id"]) for p in view.get("parties") or []}
    said = []
    for issued in view.get("issued") or []:
        holder = issued.get("holder")
        keeper = keepers.get(str(issued.get("party")), str(holder))
        # Only the party it is bound to is shown the credential itself, so ask as them.
        own = node.call("GET", f"/applications/{view['id']}", node.person(keeper))
        ids = [
            i for i in own.get("issued") or [] if i["certificate_id"] == issued["certificate_id"]
        ]
        credential = ids[0].get("credential") if ids else None
        if not credential or not holder:
            continue
        wallet = person_wallet(node.site, keeper)
        try:
            info = wallet.wallet.add(str(credential), wallet.key.public_jwk())
        except CertfreeError as exc:
            said.append(t("apply.not_stored", holder=holder, error=exc))
            continue
        said.append(t("apply.stored", id=info.identifier or info.id, wallet=wallet.directory))
    return said
