"""Who may see and act on an application: per object, not only per route.

* an applicant (role ``applicant``) sees the applications they are a party to, and acts only
  as themselves: the applicant submits and withdraws, each party consents and shows their own
  certificates;
* a clerk acts on the queue of the accepting node (the token's ``org`` is that node's code);
* a department admin sees only the requirements addressed to their node (the token's
  ``org``), never the rest of the case;
* anyone else, and every stranger organisation, is told the application does not exist (so
  ids cannot be probed).
"""

from __future__ import annotations

from certfree.applications.errors import ApplicationNotFound
from certfree.applications.models import Application
from certfree.auth import Principal, Role
from certfree.errors import Forbidden

__all__ = [
    "addressed_to",
    "check_clerk",
    "check_party",
    "check_visible",
    "is_clerk_of",
]


def _org(principal: Principal) -> str:
    return (principal.organisation or "").strip().upper()


def _me(principal: Principal) -> str:
    return principal.subject.strip().upper()


def is_clerk_of(principal: Principal, node_code: str) -> bool:
    return principal.role is Role.CLERK and _org(principal) == node_code.upper()


def addressed_to(app: Application, organisation: str) -> set[int]:
    """Positions of the requirements whose evidence is asked of node ``organisation``."""
    org = organisation.strip().upper()
    return {
        slot.position
        for slot in app.slots
        for part in slot.parts
        if (part.get("node") or "").upper() == org
        or ((part.get("proof") or {}).get("department") or "").upper() == org
    }


def check_visible(app: Application, principal: Principal) -> None:
    """ApplicationNotFound unless ``principal`` may see ``app`` (module docstring)."""
    allowed = (
        (principal.role is Role.APPLICANT and _me(principal) in {p.subject_id for p in app.parties})
        or is_clerk_of(principal, app.node_code)
        or (principal.role is Role.DEPARTMENT_ADMIN and bool(addressed_to(app, _org(principal))))
    )
    if not allowed:
        raise ApplicationNotFound(f"没有编号为 {app.id} 的办件（no such application）", field="id")


def check_clerk(app: Application, principal: Principal) -> None:
    """Forbidden unless a clerk of the accepting node (after check_visible)."""
    check_visible(app, principal)
    if not is_clerk_of(principal, app.node_code):
        raise Forbidden(
            f"只有受理节点 {app.node_code} 的窗口人员可以办理此操作"
            f"（only clerks of {app.node_code} may do this）",
            field="role",
        )


def check_party(
    app: Application, principal: Principal, subject: str, *, clerk_may: bool = False
) -> None:
    """Forbidden unless ``principal`` is the party ``subject`` themself (or, where the act
    may be done at the counter, a clerk of the accepting node)."""
    check_visible(app, principal)
    if clerk_may and is_clerk_of(principal, app.node_code):
        return
    if principal.role is not Role.APPLICANT or _me(principal) != subject.strip().upper():
        raise Forbidden(
            "只有当事人本人可以办理此操作（only the party themself may do this）", field="party"
        )
