"""Guards every request passes before a route sees it, and headers every response carries.

* Body size: every body is capped at :data:`MAX_BODY_BYTES` (RFC 9110 §15.5.14, 413 Content
  Too Large), refused by its Content-Length or while it streams in, before it is held in
  memory whole. An upload route raises its own cap with :func:`raise_body_cap` first.
* JSON bodies are read as strict RFC 8259 JSON (:func:`certfree.safejson.loads_untrusted`):
  no NaN or Infinity, no nesting deeper than 64, so a hostile body is a 422 naming the body,
  never a RecursionError deep in a handler.
* No text a client sends (path, query, JSON strings) may hold U+0000: PostgreSQL's text types
  cannot store it, so it is a 422 here rather than a driver error later.
* Every response says how a browser may use it: a Content-Security-Policy that allows only
  the node's own scripts, styles and connections and no framing (CSP Level 3
  ``frame-ancestors 'none'``, the modern form of X-Frame-Options), ``nosniff``, and no
  referrer beyond the origin.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certfree.api.problems import certfree_problem
from certfree.errors import CertfreeError, ContentTooLarge, InvalidInput
from certfree.safejson import MAX_JSON_SIZE, loads_untrusted

__all__ = ["MAX_BODY_BYTES", "SECURITY_HEADERS", "RequestGuard", "raise_body_cap"]

MAX_BODY_BYTES = MAX_JSON_SIZE  # 1 MiB: every JSON document and signed message fits
_CAP = "certfree.body_cap"  # scope key: the cap of this request's body

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",  # for browsers without CSP frame-ancestors
    "referrer-policy": "strict-origin-when-cross-origin",
}


def raise_body_cap(request: Request, max_bytes: int) -> None:
    """Let this request's body grow to ``max_bytes`` (call before reading it)."""
    request.scope[_CAP] = max_bytes


def _limited(scope: Scope, receive: Receive) -> Receive:
    """``receive`` that raises ContentTooLarge once the body passes the scope's cap."""
    declared = Headers(scope=scope).get("content-length", "")
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        cap = scope.get(_CAP, MAX_BODY_BYTES)
        if declared.isdigit() and int(declared) > cap:
            raise ContentTooLarge(cap)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > cap:
                raise ContentTooLarge(cap)
        return message

    return receive_capped


def _is_json(scope: Scope) -> bool:
    media = Headers(scope=scope).get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


_NUL = "不能含空字符 U+0000（text may not contain U+0000）"


def _nul_in_address(scope: Scope) -> str | None:
    """``path`` or ``query`` if that part of the request's address holds a U+0000."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").lower()
    return "query" if b"%00" in query or b"\x00" in query else None


def _holds_nul(value: object) -> bool:
    """Whether any string in a parsed JSON value (keys included) holds a U+0000."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


async def _refuse(scope: Scope, receive: Receive, send: Send, error: CertfreeError) -> None:
    response = await certfree_problem(Request(scope), error)
    await response(scope, receive, send)


class RequestGuard:
    """ASGI middleware: capped bodies and strict JSON in, security headers out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        where = _nul_in_address(scope)
        if where is not None:
            await _refuse(scope, receive, send_with_headers, InvalidInput(_NUL, field=where))
            return
        capped = _limited(scope, receive)
        if not _is_json(scope):
            await self.app(scope, capped, send_with_headers)
            return
        # A JSON body is read here, checked, then handed on as it came.
        try:
            body = await _read(capped)
            if body:
                value = loads_untrusted(body, what="request body", max_size=MAX_BODY_BYTES)
                if b"\\u0000" in body and _holds_nul(value):
                    raise InvalidInput(_NUL)
        except (ContentTooLarge, InvalidInput) as exc:
            exc.field = "body"  # the body is at fault, whichever check refused it
            await _refuse(scope, receive, send_with_headers, exc)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)
