"""Who may call what: roles, node-signed bearer tokens, and an optional OpenID provider."""

from certfree.auth.roles import ALL_ROLES, Principal, Role, require_role
from certfree.auth.tokens import NODE_KEY_OWNER, TokenService

__all__ = ["ALL_ROLES", "NODE_KEY_OWNER", "Principal", "Role", "TokenService", "require_role"]
