"""Demo aids that exist only on a development node: sign in as a fictional resident or clerk.

In production a citizen's token comes from the province's OpenID provider (settings
``oidc_*``); a development node has no such provider, so ``POST /dev/sign-in`` hands out an
applicant token for any person in the (synthetic) population register. Outside development
these routes answer 404 as if they did not exist, and are left out of the OpenAPI document.

``POST /dev/own-certificates`` seals a signed-in demo resident's own ID card or household
register entry (from the population register) to their browser wallet's public key, as every
real resident holds them.

``POST /dev/consent-attestation`` serves the desk page of a demo node: the applicant at the
desk consents, and the node fetches the consent attestation from the province as that person
(through the province's own demo sign-in, which trusts anyone on a demo node). In production
the applicant signs in at the province themself; the consumer node can never obtain one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from certfree import certs, nodes, population
from certfree.api.certs import IssuedView
from certfree.api.consent import AttestationRequest, AttestationView, attest_for
from certfree.api.deps import NodeDep, SessionDep, allow
from certfree.auth import Principal, Role
from certfree.demo.devices import DemoNode, own_id_card
from certfree.demo.personas import demo_personas
from certfree.errors import CertfreeError, Conflict, Forbidden, InvalidInput, NotFound
from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.protocol.clients import PEER_ERRORS
from certfree.exchange.protocol.hops import HopResult
from certfree.settings import NodeLevel

router = APIRouter(prefix="/dev", tags=["development"], include_in_schema=False)


class SignInRequest(BaseModel):
    id_number: str = Field(min_length=1, max_length=32, description="公民身份号码（演示人口库）")


StaffRole = Literal["clerk", "department_admin", "bureau_admin", "cio", "verifier"]


class StaffSignInRequest(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64, description="工作人员编号（演示）")
    role: StaffRole = Field("clerk", description="the role the demo token carries")
    organisation: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z-]+$",
        description="the organisation acted for: a department node code for department_admin "
        "(required), a verifier's organisation code; this node's code by default",
    )


class SignInView(BaseModel):
    token: str = Field(description="bearer token, role applicant")
    expires_in: int
    subject: str
    name: str


@router.post("/sign-in")
def sign_in(body: SignInRequest, node: NodeDep, session: SessionDep) -> SignInView:
    """An applicant token for a person of the demo population register (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示登录仅在开发环境提供")
    person = population.get_person(session, body.id_number.strip().upper())
    return SignInView(
        token=node.tokens.issue(Role.APPLICANT.value, person.id_number),
        expires_in=node.settings.token_ttl_seconds,
        subject=person.id_number,
        name=person.name,
    )


@router.post("/staff-sign-in")
def staff_sign_in(body: StaffSignInRequest, node: NodeDep, session: SessionDep) -> SignInView:
    """A staff token (clerk by default) for the staff pages (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示登录仅在开发环境提供")
    staff = body.staff_id.strip()
    organisation = (body.organisation or "").strip().upper() or None
    if body.role == Role.DEPARTMENT_ADMIN.value:
        if organisation is None:
            raise InvalidInput("部门管理员须选择所属部门节点（organisation）", field="organisation")
        if nodes.department_of(session, organisation) is None:
            raise InvalidInput(
                f"{organisation} 不是本省登记的部门节点（not a department node）",
                field="organisation",
            )
    elif organisation is None and body.role != Role.VERIFIER.value:
        organisation = node.settings.node_code
    return SignInView(
        token=node.tokens.issue(body.role, staff, organisation=organisation or staff),
        expires_in=node.settings.token_ttl_seconds,
        subject=staff,
        name=staff,
    )


class PersonaView(BaseModel):
    role: str
    subject: str
    name: str
    organisation: str | None
    hint: str = Field(description="what the persona is picked for: groom, bride, elder, …")
    link: str = Field(description="the page that signs them in (?as=)")


@router.get("/personas")
def personas(node: NodeDep, session: SessionDep) -> list[PersonaView]:
    """Whom a demo visitor can act as: residents picked for the pilot journeys and one of
    each staff role, with the page each works on (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示登录仅在开发环境提供")
    return [
        PersonaView(
            role=p.role,
            subject=p.subject,
            name=p.name,
            organisation=p.organisation,
            hint=p.hint,
            link=p.link,
        )
        for p in demo_personas(session, node.settings)
    ]


class OwnCertificateRequest(BaseModel):
    type_code: str = Field(min_length=1, max_length=32, description="居民身份证 or 居民户口簿")
    holder_jwk: dict[str, Any] = Field(description="the browser wallet's PUBLIC key (JWK)")


@router.post("/own-certificates", status_code=201)
def own_certificate(
    body: OwnCertificateRequest,
    node: NodeDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT))],
) -> IssuedView:
    """The signed-in resident's own ID card or household register entry, as the population
    register holds it, sealed by their city's public security to their browser wallet's key:
    on a demo node every resident can hold what a real one carries (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示证照仅在开发环境提供")
    here = DemoNode(node.settings.node_code, node.settings.base_url, node.settings)
    face, organ = own_id_card(here, body.type_code, principal.subject)
    kind = certs.cert_type(body.type_code)
    assert kind.holder_field is not None  # both types name their holder
    issued = certs.issue_certificate(
        session,
        node.keys,
        type_code=kind.code,
        holder_id=face[kind.holder_field],
        face_data=face,
        holder_jwk=body.holder_jwk,
        issuer_uscc=certs.find_issuer(session, organ).uscc,
        base_url=node.settings.base_url,
    )
    return IssuedView.model_validate(issued)


class DevConsentRequest(BaseModel):
    id_number: str = Field(min_length=1, max_length=32, description="the applicant at the desk")
    service_item: str = Field(min_length=1, max_length=64)
    questions: list[str] = Field(min_length=1, max_length=16)
    purpose: str = Field(min_length=1, max_length=500)
    application: str | None = Field(
        default=None, min_length=1, max_length=64, description="办件编号, if for one"
    )
    lang: Literal["zh-CN", "en"] = "zh-CN"


@router.post("/consent-attestation")
async def consent_attestation(body: DevConsentRequest, node: NodeDep) -> AttestationView:
    """The applicant's consent for this node to ask, attested by the province, fetched as the
    applicant through the province's demo sign-in (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示同意仅在开发环境提供")
    request = AttestationRequest(
        consumer=node.settings.node_code,
        service_item=body.service_item,
        questions=body.questions,
        purpose=body.purpose,
        application=body.application,
        lang=body.lang,
    )
    subject = body.id_number.strip().upper()
    if node.settings.node_level is NodeLevel.PROVINCE:

        def here() -> AttestationView:
            with node.db.session() as session:
                population.get_person(session, subject)  # as the demo sign-in would
                return attest_for(session, node, subject, request)

        return await node.exchange.in_thread(here)
    directory = await node.exchange.directory()
    province = directory.province or node.settings.node_code[:2] + "0000"
    base = node.exchange.registry.endpoint(province, directory)
    try:
        signed_in = await node.exchange.http.request(
            "POST", f"{base}/dev/sign-in", json={"id_number": subject}
        )
        _raise_problem(signed_in, province)
        attested = await node.exchange.http.request(
            "POST",
            f"{base}/api/v1/consent/attestations",
            json=request.model_dump(mode="json", exclude_none=True),
            headers={"Authorization": f"Bearer {signed_in.json()['token']}"},
        )
    except PEER_ERRORS as exc:
        raise ProviderUnavailable(province, f"同意凭据未能取得：{exc!r}") from exc
    _raise_problem(attested, province)
    return AttestationView.model_validate(attested.json())


def _raise_problem(response: HopResult, province: str) -> None:
    """The province's refusal as the error it stands for, naming the province."""
    if 200 <= response.status < 300:
        return
    try:
        problem = response.json()
    except CertfreeError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = f"省级节点 {province}：{problem.get('detail') or response.status}"
    if response.status >= 500:
        raise ProviderUnavailable(province, detail)
    kind = {404: NotFound, 409: Conflict, 401: Forbidden, 403: Forbidden}
    raise kind.get(response.status, InvalidInput)(detail, field=problem.get("field"))
