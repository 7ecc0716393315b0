"""Sign-in of ``/me`` and ``/desk`` at the province's OpenID provider (``certfree.auth.
oidc_login``): ``/auth/oidc/start`` sends the browser there, ``/auth/oidc/callback`` takes it
back, checks everything and hands the page its token in ``sessionStorage``, as the demo
sign-in does on a development node. The redirect URI is the node's public URL
(``CERTFREE_PUBLIC_URL``), never built from the request's Host header. A failed sign-in is a
page that says why, in the page's language with the other beside it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certfree.api.deps import PUBLIC, NodeDep
from certfree.auth import Role
from certfree.auth.errors import ProviderMisconfigured, SignInRefused
from certfree.auth.oidc import OidcVerifier
from certfree.auth.oidc_login import (
    CALLBACK_PATH,
    LOGIN_COOKIE,
    LOGIN_SECONDS,
    finish_login,
    start_login,
)
from certfree.errors import AuthError, CertfreeError, ConfigurationError, InvalidInput, NotFound
from certfree.i18n import Catalog
from certfree.settings import Settings
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

# Where a sign-in may return to: the page's sessionStorage key and the roles it serves.
PAGES: dict[str, tuple[str, frozenset[Role]]] = {
    "/me": ("certfree.me", frozenset({Role.APPLICANT})),
    "/apply": ("certfree.me", frozenset({Role.APPLICANT})),
    "/wallet": ("certfree.me", frozenset({Role.APPLICANT})),
    "/desk": ("certfree.desk", frozenset({Role.CLERK})),
    "/verify": ("certfree.verify", frozenset({Role.VERIFIER, Role.CLERK})),
    "/dept": ("certfree.dept", frozenset({Role.DEPARTMENT_ADMIN})),
    "/bureau": ("certfree.bureau", frozenset({Role.BUREAU_ADMIN, Role.CIO})),
}
_RETURN_TO = "the page signed in for: " + ", ".join(PAGES)
_COOKIE_PATH = "/auth/oidc"

MESSAGES = Catalog.load("certfree.web", "messages/sign_in.json").by_language()


def _provider(node: NodeDep) -> tuple[OidcVerifier, str]:
    provider, client_id = node.tokens.oidc, node.settings.oidc_client_id
    if provider is None or not client_id:
        raise NotFound(
            "本节点未配置统一身份认证平台（CERTFREE_OIDC_ISSUER 与 CERTFREE_OIDC_CLIENT_ID）; "
            "no OpenID provider is configured on this node"
        )
    return provider, client_id


def _redirect_uri(settings: Settings) -> str:
    """OpenID Connect Core 1.0 §3.1.2.1: registered at the provider, so from configuration."""
    return settings.base_url + CALLBACK_PATH


def _messages(exc: CertfreeError, lang: str) -> tuple[str, str | None]:
    """The error in the page's language, and in the other one when the error has both."""
    if not isinstance(exc, SignInRefused | ProviderMisconfigured):
        return exc.message, None
    zh, en = exc.message_zh, exc.message_en
    return (en, zh) if lang == "en" else (zh, en)


@router.get(
    "/auth/oidc/start",
    openapi_extra=PUBLIC,
    response_class=HTMLResponse,
    responses={302: {"description": "to the OpenID provider's authorization endpoint"}},
)
def oidc_start(
    request: Request,
    node: NodeDep,
    return_to: Annotated[str, Query(description=_RETURN_TO)] = "/me",
) -> Response:
    """Send the browser to the OpenID provider to sign in for ``return_to`` (or, when the
    provider cannot be used, a page that says why)."""
    provider, client_id = _provider(node)
    if return_to not in PAGES:
        raise InvalidInput(f"return_to 只能是 {'、'.join(PAGES)}", field="return_to")
    try:
        url, cookie = start_login(
            provider,
            node.keys,
            client_id=client_id,
            redirect_uri=_redirect_uri(node.settings),
            return_to=return_to,
        )
    except (AuthError, ConfigurationError) as exc:
        lang = pick_language(request, node.settings.default_language)
        context: dict[str, object] = {"t": MESSAGES[lang], "return_to": return_to}
        context["error"], context["error_other"] = _messages(exc, lang)
        return _page(request, node.settings, lang, context, exc.status)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        LOGIN_COOKIE,
        cookie,
        max_age=LOGIN_SECONDS,
        path=_COOKIE_PATH,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back
        secure=node.settings.base_url.startswith("https:"),
    )
    return response


@router.get(CALLBACK_PATH, name="oidc_callback", response_class=HTMLResponse, openapi_extra=PUBLIC)
def oidc_callback(
    request: Request,
    node: NodeDep,
    *,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
    login: Annotated[str | None, Cookie(alias=LOGIN_COOKIE)] = None,
) -> HTMLResponse:
    """Finish the sign-in and hand the token to the page it was for (or say what failed)."""
    lang = pick_language(request, node.settings.default_language)
    t = MESSAGES[lang]
    context: dict[str, object] = {"t": t, "return_to": "/me"}
    try:
        provider, client_id = _provider(node)
        if error:
            reason = error_description or error
            raise SignInRefused(
                f"统一身份认证平台未完成登录：{reason}",
                f"the identity provider did not complete the sign-in: {reason}",
            )
        if not code or not state:
            raise SignInRefused("回调缺少 code 或 state", "the callback has no code or state")
        done = finish_login(
            provider,
            node.keys,
            cookie=login,
            state=state,
            code=code,
            client_id=client_id,
            client_secret=node.settings.oidc_client_secret,
            redirect_uri=_redirect_uri(node.settings),
        )
        key, roles = PAGES.get(done.return_to, PAGES["/me"])
        context["return_to"] = done.return_to
        if done.principal.role not in roles:
            allowed = "、".join(sorted(role.value for role in roles))
            wrong = {"role": done.principal.role.value, "allowed": allowed}
            raise SignInRefused(
                MESSAGES["zh-CN"]["wrong_role"].format(**wrong),
                MESSAGES["en"]["wrong_role"].format(**wrong),
            )
        context["key"] = key
        context["session"] = {
            "token": done.access_token,
            "subject": done.principal.subject,
            "name": done.principal.subject,
        }
        status = 200
    except (AuthError, ConfigurationError, NotFound) as exc:
        context["error"], context["error_other"] = _messages(exc, lang)
        status = 401
    return _page(request, node.settings, lang, context, status)


def _page(
    request: Request, settings: Settings, lang: str, context: dict[str, object], status: int
) -> HTMLResponse:
    """The sign-in's own page: the hand-over to the page signed in for, or what failed."""
    response = render_page(
        request, "signed_in.html", lang=lang, settings=settings, context=context, status_code=status
    )
    response.delete_cookie(LOGIN_COOKIE, path=_COOKIE_PATH)
    response.headers["Cache-Control"] = "no-store"  # the page carries a bearer token
    return response
