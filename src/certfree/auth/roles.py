"""Roles of certfree's users and the check every endpoint makes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from certfree.errors import Forbidden


class Role(enum.StrEnum):
    APPLICANT = "applicant"  # citizen or firm applying for a service
    CLERK = "clerk"  # service-desk clerk (窗口)
    DEPARTMENT_ADMIN = "department_admin"  # issues certificates, publishes resources
    BUREAU_ADMIN = "bureau_admin"  # big-data bureau (大数据局)
    CIO = "cio"  # a region's chief information officer (首席信息官)
    VERIFIER = "verifier"  # relying party outside government
    NODE = "node"  # another certfree node in the cascade


ALL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: who (subject), as what (role), vouched for by whom (issuer)."""

    subject: str
    role: Role
    issuer: str
    organisation: str | None = None
    token_id: str | None = None

    @property
    def actor(self) -> str:
        """``role:subject``, the form change records keep of who acted."""
        return f"{self.role}:{self.subject}"


def require_role(principal: Principal, allowed: frozenset[Role]) -> Principal:
    """Return ``principal`` if its role is allowed, else raise Forbidden naming both."""
    if principal.role not in allowed:
        names = ", ".join(sorted(allowed))
        raise Forbidden(f"role '{principal.role}' may not do this; allowed roles: {names}")
    return principal
