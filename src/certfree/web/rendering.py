"""The one Jinja2 environment of the web pages, with the filters they share."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from certfree.i18n import Catalog
from certfree.settings import Settings
from certfree.web.i18n import LANG_COOKIE

WEB = resources.files("certfree.web")
SHANGHAI = ZoneInfo("Asia/Shanghai")

templates = Jinja2Templates(directory=str(WEB / "templates"))
# The frame's own text (navigation, paging), which every page shares.
FRAME = Catalog.load("certfree.web", "messages/frame.json").by_language()
# The frame's navigation: (path, message id), in the order a visitor meets them.
NAVIGATION = (
    ("/", "home"),
    ("/apply", "apply"),
    ("/wallet", "wallet"),
    ("/me", "me"),
    ("/desk", "desk"),
    ("/verify", "verify"),
    ("/dept", "dept"),
    ("/bureau", "bureau"),
    ("/proofs", "proofs"),
    ("/catalog/lists", "catalog"),
)


def local_time(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as people in the province read it (Asia/Shanghai)."""
    return moment.astimezone(SHANGHAI).strftime(fmt)


templates.env.filters["local"] = local_time


def render_page(
    request: Request,
    template: str,
    *,
    lang: str,
    settings: Settings,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """A page on ``base.html``: adds what its frame reads (lang, other_lang, settings).

    A language picked explicitly with ``?lang=`` is remembered in a cookie for a year, so the
    next page opens in it too.
    """
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "other_lang": "en" if lang == "zh-CN" else "zh-CN",
            "settings": settings,
            "frame": FRAME[lang],
            "navigation": NAVIGATION,
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
