"""One typed settings class for a node, read from ``CERTFREE_*`` environment variables.

Tests and tools build their own ``Settings(...)``; nothing reads the environment on import.
"""

from __future__ import annotations

import enum
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certfree.crypto import KeyStore
from certfree.errors import ConfigurationError

# The passphrase that development nodes use; refused outside development.
DEV_PASSPHRASE = "certfree-development-only"  # noqa: S105 - a known, public development value
DEV_TOKEN_TTL_SECONDS = 8 * 3600


class NodeLevel(enum.StrEnum):
    """Where a node sits in the 1+16+N cascade."""

    PROVINCE = "province"
    CITY = "city"
    DEPARTMENT = "department"


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """A node's configuration. Every field can be set as ``CERTFREE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CERTFREE_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    node_code: str = Field(default="370000", description="GB/T 2260 code or department code")
    node_name: str = "山东省大数据局"
    node_level: NodeLevel = NodeLevel.PROVINCE
    parent_url: str | None = Field(default=None, description="Base URL of the parent node")
    database_url: str = "sqlite:///var/certfree.db"
    key_dir: Path = Path("var/keys")
    key_passphrase: str = DEV_PASSPHRASE
    token_ttl_seconds: int = Field(default=DEV_TOKEN_TTL_SECONDS, gt=0)
    oidc_issuer: str | None = Field(
        default=None, description="Issuer URL of an OpenID provider whose tokens are accepted"
    )
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = Field(
        default=None, description="JWKS of the OpenID provider; defaults to discovery"
    )
    default_language: str = "zh-CN"

    @field_validator("parent_url", "oidc_issuer", "oidc_jwks_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    def check_production_ready(self) -> None:
        """Refuse to run a non-development node on development secrets or without keys.

        Raises ConfigurationError naming what to set.
        """
        if self.is_development:
            return
        if self.key_passphrase == DEV_PASSPHRASE or len(self.key_passphrase) < 16:
            raise ConfigurationError(
                "CERTFREE_KEY_PASSPHRASE is the development passphrase or shorter than 16 "
                "characters; set a strong passphrase for this node's key store",
                field="key_passphrase",
            )
        if not KeyStore(self.key_dir, self.key_passphrase).keys("node"):
            raise ConfigurationError(
                f"no node signing key in {self.key_dir}; run `certfree keys create --owner node` "
                "or set CERTFREE_KEY_DIR to the node's key directory",
                field="key_dir",
            )
        if self.node_level is not NodeLevel.PROVINCE and not self.parent_url:
            raise ConfigurationError(
                f"a {self.node_level} node needs CERTFREE_PARENT_URL (its parent node's URL)",
                field="parent_url",
            )
