"""One place that turns every error into RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from certfree.errors import AuthError, CertfreeError, InvalidInput, TooManyRequests

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    **extra: Any,
) -> JSONResponse:
    """An RFC 9457 §3.1 document: type, title, status, detail, instance plus extensions."""
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{k: v for k, v in extra.items() if v is not None},
    }
    headers = None
    if status == 401:
        # RFC 6750 §3: a bearer challenge on every 401; §3.1: invalid_token when a token was
        # sent and refused, no error code when none was sent.
        challenge = 'Bearer realm="certfree"'
        if request.headers.get("authorization"):
            challenge += ', error="invalid_token"'
        headers = {"WWW-Authenticate": challenge}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def title_in(request: Request, english: str, chinese: str) -> str:
    """Titles are Chinese unless the caller asks for English (Accept-Language: en…)."""
    wants_english = request.headers.get("accept-language", "").lower().startswith("en")
    return english if wants_english else chinese


async def certfree_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CertfreeError)
    title = title_in(request, exc.title, exc.title_zh)
    if isinstance(exc, AuthError) and exc.status == 401:
        # RFC 6750 §3: a bearer challenge accompanies every 401.
        return problem(request, 401, exc.slug, title, exc.message)
    response = problem(
        request,
        exc.status,
        exc.slug,
        title,
        exc.message,
        field=exc.field,
        **exc.problem_extensions(),
    )
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)  # RFC 6585 §4
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            # loc is ("body"|"query"|"path", field, ...): name the field a person typed.
            "field": ".".join(str(p) for p in err["loc"][1:]) or str(err["loc"][0]),
            "in": str(err["loc"][0]),
            "detail": err["msg"],
        }
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"field": None, "detail": "invalid request"}
    return problem(
        request,
        422,
        "invalid-input",
        title_in(request, InvalidInput.title, InvalidInput.title_zh),
        f"{first['field']}: {first['detail']}",
        field=first["field"],
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, english, chinese = _HTTP_TITLES.get(
        exc.status_code, ("http-error", str(exc.detail), str(exc.detail))
    )
    response = problem(
        request,
        exc.status_code,
        slug,
        title_in(request, english, chinese),
        f"{request.method} {request.url.path}: {exc.detail}",
    )
    # RFC 9110 §15.5.6: a 405 lists the allowed methods in Allow.
    response.headers.update(exc.headers or {})
    return response


_HTTP_TITLES = {
    404: ("not-found", "Not found", "未找到"),
    405: ("method-not-allowed", "Method not allowed", "不支持该请求方法"),
}


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CertfreeError, certfree_problem)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
