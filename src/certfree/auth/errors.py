"""Errors of signing in at an OpenID provider, each saying what went wrong in Chinese and
English: the API answers with ``message`` (English, as every bearer-token refusal), a page
shows the text of its language and the other beside it."""

from __future__ import annotations

from certfree.errors import AuthError, ConfigurationError

__all__ = ["ProviderMisconfigured", "SignInRefused"]


class SignInRefused(AuthError):
    """A sign-in or a provider token refused (401), for one reason given in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message_zh = zh
        self.message_en = en


class ProviderMisconfigured(ConfigurationError):
    """The provider does not describe itself as configured (500): e.g. its discovery document
    names another issuer, or it offers no client authentication this node can do."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en, field="oidc_issuer")
        self.message_zh = zh
        self.message_en = en
