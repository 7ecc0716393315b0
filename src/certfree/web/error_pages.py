"""A page a person's browser opened that the node refuses (an unknown address, a malformed
application number in the link) is shown as a page of the site, in the page's language, with
a way back — never the raw problem+json an API client gets.

The API keeps answering problem+json (RFC 9457) to every client; only a navigation (a GET
asking for ``text/html``) outside ``/api`` and ``/dev`` is answered with HTML, the same status
and the problem's detail. The security headers of the refused response are kept.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certfree.api.problems import PROBLEM_MEDIA_TYPE
from certfree.i18n import Catalog
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

__all__ = ["ErrorPages", "install_error_pages"]

MESSAGES = Catalog.load("certfree.web", "messages/error_pages.json").by_language()
# Clients of these read problem+json whatever they accept.
_MACHINE_PREFIXES = ("/api/", "/dev/", "/static/", "/.well-known/")
_HEADINGS = {404: "not_found", 422: "invalid", 401: "denied", 403: "denied"}


def _is_navigation(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    if str(scope["path"]).startswith(_MACHINE_PREFIXES):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


class ErrorPages:
    """ASGI middleware: a problem+json answer to a browser's navigation becomes a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_navigation(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def hold_problems(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                kind = Headers(raw=message["headers"]).get("content-type", "")
                if kind.split(";")[0].strip() == PROBLEM_MEDIA_TYPE:
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._page(scope, receive, send, start, bytes(body))
                return
            await send(message)

        await self.app(scope, receive, hold_problems)

    async def _page(
        self, scope: Scope, receive: Receive, send: Send, start: Message, body: bytes
    ) -> None:
        request = Request(scope, receive)
        try:
            problem: dict[str, Any] = json.loads(body)
        except ValueError:
            problem = {}
        status = int(start["status"])
        settings = request.app.state.node.settings
        lang = pick_language(request, settings.default_language)
        t = MESSAGES[lang]
        page = render_page(
            request,
            "error_page.html",
            lang=lang,
            settings=settings,
            context={
                "t": t,
                "status": status,
                "heading": t[_HEADINGS.get(status, "failed")],
                "detail": str(problem.get("detail") or ""),
            },
            status_code=status,
        )
        headers = MutableHeaders(raw=list(page.raw_headers))
        for name, value in Headers(raw=start["headers"]).items():
            if (
                name not in ("content-type", "content-length", "content-encoding")
                and name not in headers
            ):
                headers.append(name, value)
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": page.body})


def install_error_pages(app: FastAPI) -> None:
    """Outermost but for the server's own error handler: sees every answer's problem."""
    app.add_middleware(ErrorPages)
