"""Demo aids that exist only on a development node: sign in as a fictional resident or clerk.

In production a citizen's token comes from the province's OpenID provider (settings
``oidc_*``); a development node has no such provider, so ``POST /dev/sign-in`` hands out an
applicant token for any person in the (synthetic) population register. Outside development
the route answers 404 as if it did not exist, and it is left out of the OpenAPI document.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from certfree import population
from certfree.api.deps import NodeDep, SessionDep
from certfree.auth import Role
from certfree.errors import NotFound

router = APIRouter(prefix="/dev", tags=["development"], include_in_schema=False)


class SignInRequest(BaseModel):
    id_number: str = Field(min_length=1, max_length=32, description="公民身份号码（演示人口库）")


class StaffSignInRequest(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64, description="工作人员编号（演示）")


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
def staff_sign_in(body: StaffSignInRequest, node: NodeDep) -> SignInView:
    """A clerk token for the service-desk page (development only)."""
    if not node.settings.is_development:
        raise NotFound("没有这个接口：演示登录仅在开发环境提供")
    staff = body.staff_id.strip()
    return SignInView(
        token=node.tokens.issue(Role.CLERK.value, staff, organisation=node.settings.node_code),
        expires_in=node.settings.token_ttl_seconds,
        subject=staff,
        name=staff,
    )
