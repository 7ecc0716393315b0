"""One typed settings class for a node, read from ``CERTFREE_*`` environment variables.

Tests and tools build their own ``Settings(...)``; nothing reads the environment on import.
"""

from __future__ import annotations

import enum
import re
import ssl
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from certfree.crypto import (
    KeyStore,
    TlsFiles,
    client_context,
    development_tls,
    server_context,
)
from certfree.crypto.envelope import MAX_SCRYPT_N, SCRYPT_N
from certfree.errors import ConfigurationError

# The passphrase that development nodes use; refused outside development.
DEV_PASSPHRASE = "certfree-development-only"  # noqa: S105 - a known, public development value
DEV_TOKEN_TTL_SECONDS = 8 * 3600
# The key of holder commitments in the provincial certificate index on development nodes.
DEV_CERT_INDEX_KEY = "certfree-development-only-certificate-index-key"
# In hosted_departments: every department node below this one that has no endpoint of its own.
HOST_ALL = "*"
_DEPARTMENT_CODE = re.compile(r"[1-9]\d{5}-[A-Z]{2}")


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
    # RFC 7914 scrypt cost N of keys sealed from now on (a power of two); every key file
    # records its own cost, so changing this never locks out an existing key. Tests lower it.
    key_scrypt_n: int = Field(
        default=SCRYPT_N, ge=2, le=MAX_SCRYPT_N, description="scrypt cost N of new key files"
    )
    token_ttl_seconds: int = Field(default=DEV_TOKEN_TTL_SECONDS, gt=0)
    oidc_issuer: str | None = Field(
        default=None, description="Issuer URL of an OpenID provider whose tokens are accepted"
    )
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = Field(
        default=None, description="JWKS of the OpenID provider; defaults to discovery"
    )
    # The web pages' sign-in (authorization code flow with PKCE, RFC 7636) as this client.
    oidc_client_id: str | None = Field(
        default=None, description="client id of the web pages at the OpenID provider"
    )
    oidc_client_secret: str | None = Field(
        default=None, description="its secret, if the provider makes it a confidential client"
    )
    # The one address others reach this node at (status-list URIs in issued certificates, the
    # OpenID redirect URI, every absolute link); never taken from a request's Host header.
    public_url: str | None = Field(
        default=None,
        description="public base URL of the node; default http://127.0.0.1:<port>",
    )
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("certfree_port", "port"),
        description="port `certfree serve` listens on (PORT); gives the default public URL",
    )
    # Node-to-node hops arrive on a second listener of `certfree serve`: TLS 1.3, a client
    # certificate of the exchange CA required (crypto.tls). Its address, https://<host of the
    # public URL>:<exchange_port>, is the endpoint the node registers with the province.
    exchange_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="port of the node-to-node TLS listener; default the public port + 1",
    )
    # The node's certificate (PEM, chain first), its private key (PEM, encrypted with
    # CERTFREE_KEY_PASSPHRASE) and the exchange CA's certificate(s) it trusts. Unset on a
    # development node: a development CA and certificate under <key_dir>/tls/.
    tls_cert: Path | None = Field(default=None, description="the node's TLS certificate (PEM)")
    tls_key: Path | None = Field(
        default=None, description="its private key (PEM, encrypted with the key passphrase)"
    )
    tls_ca: Path | None = Field(default=None, description="the exchange CA certificate (PEM)")
    default_language: str = "zh-CN"
    # The province-wide key of holder commitments in the certificate index (certs.index):
    # every node of the province holds the same one. Unset, a development node uses a public
    # development key, and any other node serves no index (ConfigurationError when asked).
    cert_index_key: str | None = Field(
        default=None,
        min_length=32,
        description="province-wide secret keying holder commitments in the certificate index",
    )
    # Node-to-node exchange. The province keeps the node registry; every other node fetches it
    # signed from ``province_url`` (default: ``parent_url``, right for a city) and checks it
    # with the province's public keys pinned in ``province_jwks`` (a JWK Set file written at
    # enrolment). Without that file a development node pins what it first fetches (TOFU) in
    # ``<key_dir>/province.jwks.json``; a production node refuses.
    province_url: str | None = Field(default=None, description="Base URL of the province node")
    province_jwks: Path | None = Field(
        default=None, description="JWK Set file of the province's keys, pinned at enrolment"
    )
    exchange_connect_timeout: float = Field(default=2.0, gt=0, description="seconds per hop")
    exchange_read_timeout: float = Field(default=5.0, gt=0, description="seconds, whole path")
    exchange_retries: int = Field(default=2, ge=0, le=5, description="on connection errors")
    exchange_hop_parallel: int = Field(
        default=2, ge=1, le=64, description="requests in flight per next node before messages wait"
    )
    exchange_hop_max_wait_ms: float = Field(
        default=5.0, ge=0, le=1000, description="the longest a message waits to share a request"
    )
    exchange_clock_skew: int = Field(default=120, gt=0, description="accepted iat skew, s")
    registry_ttl_seconds: int = Field(default=60, gt=0, description="signed registry cache")
    registry_poll_seconds: float = Field(
        default=2.0, ge=0, le=300, description="how often the registry serial is asked; 0: never"
    )
    # Grades decide grants (catalog.grants.grading): general data at or above this grade needs a
    # legal basis and the providing department's approval (3, 敏感: GB/T 43697-2024 附录H;
    # 个人信息保护法 第28条); important (5) and core (6) data are ruled whatever it is.
    grant_grade_threshold: int = Field(
        default=3, ge=1, le=5, description="lowest grade a grant needs a basis and approval for"
    )
    # Co-hosted providers: department nodes whose data this node holds and answers for itself,
    # with its own key and the same handlers and audit as over the network (no hop). Codes,
    # comma-separated in CERTFREE_HOSTED_DEPARTMENTS, or "*" (HOST_ALL) for every department
    # node of the register below this node without an endpoint of its own, as on the single
    # demo node. Production default: none.
    hosted_departments: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="department node codes this node answers for (comma-separated, or *)",
    )

    # The OpenID issuer is kept as written: it is compared exactly (OpenID Connect
    # Discovery 1.0 §4.3, RFC 9068 §4), and an issuer may end in "/".
    @field_validator("parent_url", "province_url", "oidc_jwks_url", "public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValueError("must be an absolute http(s) URL, e.g. https://certs.sd.gov.cn")
            if parts.query or parts.fragment:
                raise ValueError("must be a base URL without query or fragment")
        return value

    @property
    def base_url(self) -> str:
        """The node's public base URL (no trailing slash): CERTFREE_PUBLIC_URL, else the
        address `certfree serve` listens on by default, http://127.0.0.1:<port>."""
        return self.public_url or f"http://127.0.0.1:{self.port}"

    @property
    def exchange_listen_port(self) -> int:
        """The port of the node-to-node listener (CERTFREE_EXCHANGE_PORT, else port + 1)."""
        return self.exchange_port or self.port + 1

    @property
    def exchange_url(self) -> str:
        """Where other nodes reach this one: https on the exchange port of the public host."""
        host = urlsplit(self.base_url).hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"https://{host}:{self.exchange_listen_port}"

    def tls_files(self) -> TlsFiles:
        """The node's TLS files (CERTFREE_TLS_CERT, _KEY, _CA). Unset on a development node:
        a development CA and node certificate under ``<key_dir>/tls/``, created on first use
        and reused after. ConfigurationError names the setting missing."""
        if self.tls_cert and self.tls_key and self.tls_ca:
            return TlsFiles(self.tls_cert, self.tls_key, self.tls_ca, self.key_passphrase)
        given = {"tls_cert": self.tls_cert, "tls_key": self.tls_key, "tls_ca": self.tls_ca}
        if any(given.values()) or not self.is_development:
            missing = next(name for name, value in given.items() if value is None)
            raise ConfigurationError(
                f"CERTFREE_{missing.upper()} is not set: node-to-node hops run over TLS 1.3 "
                "with certificates of the exchange CA; set CERTFREE_TLS_CERT (the node's "
                "certificate), CERTFREE_TLS_KEY (its key, encrypted with the key passphrase) "
                "and CERTFREE_TLS_CA (the exchange CA's certificate)",
                field=missing,
            )
        host = urlsplit(self.base_url).hostname
        return development_tls(
            self.key_dir / "tls",
            self.node_code,
            ["127.0.0.1", "localhost", *([host] if host else [])],
            self.key_passphrase,
        )

    def peer_context(self) -> ssl.SSLContext:
        """How this node reaches its peers' exchange listeners: TLS 1.3, the exchange CA's
        certificates required, this node's own certificate shown (:meth:`tls_files`)."""
        return client_context(self.tls_files())

    @field_validator("hosted_departments", mode="before")
    @classmethod
    def _split_codes(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().upper() for part in value.split(",") if part.strip())
        return value

    @field_validator("hosted_departments")
    @classmethod
    def _department_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if code != HOST_ALL and not _DEPARTMENT_CODE.fullmatch(code):
                raise ValueError(
                    f"{code!r} is not a department node code such as 370100-MZ "
                    f"(or {HOST_ALL} for every department node without an endpoint)"
                )
        return tuple(dict.fromkeys(value))

    @field_validator("key_scrypt_n")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError("scrypt N must be a power of two (RFC 7914 §2)")
        return value

    @property
    def index_key(self) -> bytes:
        """The key of holder commitments (``cert_index_key``; the development key on a
        development node); ConfigurationError when a production node has none."""
        if self.cert_index_key:
            return self.cert_index_key.encode()
        if self.is_development:
            return DEV_CERT_INDEX_KEY.encode()
        raise ConfigurationError(
            "CERTFREE_CERT_INDEX_KEY is not set: this node cannot take part in the provincial "
            "certificate index (set the province-wide key, 32+ characters)",
            field="cert_index_key",
        )

    def key_store(self) -> KeyStore:
        """The node's key store (``key_dir``, sealed with ``key_passphrase``)."""
        return KeyStore(self.key_dir, self.key_passphrase, scrypt_n=self.key_scrypt_n)

    @property
    def registry_url(self) -> str | None:
        """Where this node fetches the signed registry; None on the province itself."""
        if self.node_level is NodeLevel.PROVINCE:
            return None
        return self.province_url or self.parent_url

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
        if not self.key_store().keys("node"):
            raise ConfigurationError(
                f"no node signing key in {self.key_dir}; run `certfree keys create --owner node` "
                "or set CERTFREE_KEY_DIR to the node's key directory",
                field="key_dir",
            )
        if self.cert_index_key == DEV_CERT_INDEX_KEY:
            raise ConfigurationError(
                "CERTFREE_CERT_INDEX_KEY is the development key; set the province-wide key of "
                "the certificate index (the same on every node of the province, 32+ characters)",
                field="cert_index_key",
            )
        if self.node_level is not NodeLevel.PROVINCE and not self.parent_url:
            raise ConfigurationError(
                f"a {self.node_level} node needs CERTFREE_PARENT_URL (its parent node's URL)",
                field="parent_url",
            )
        if self.key_scrypt_n < SCRYPT_N:
            raise ConfigurationError(
                f"CERTFREE_KEY_SCRYPT_N={self.key_scrypt_n} is below {SCRYPT_N}, a cost for "
                "tests only; unset it on a production node",
                field="key_scrypt_n",
            )
        # Opening the files (the key with the passphrase) here, not at the first hop.
        server_context(self.tls_files())
