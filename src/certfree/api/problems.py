"""One place that turns every error into RFC 9457 problem+json."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
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
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        # RFC 9110 §15.5.6: Allow lists every method of the path, whichever route has it.
        response.headers["Allow"] = ", ".join(_methods_of(request))
    return response


def _methods_of(request: Request) -> list[str]:
    """The methods of the request's path, read from the OpenAPI document (every route of the
    API is in it); GET implies HEAD, as Starlette serves both."""
    table = getattr(request.app.state, "allow_table", None)
    if table is None:
        table = request.app.state.allow_table = [
            (
                re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"),
                {method.upper() for method in operations},
            )
            for path, operations in request.app.openapi().get("paths", {}).items()
        ]
    methods: set[str] = set()
    for pattern, allowed in table:
        if pattern.match(request.url.path):
            methods |= allowed | ({"HEAD"} if "GET" in allowed else set())
    return sorted(methods)


_HTTP_TITLES = {
    404: ("not-found", "Not found", "未找到"),
    405: ("method-not-allowed", "Method not allowed", "不支持该请求方法"),
}


@dataclass(frozen=True)
class ProblemType:
    """What a problem ``type`` URI names (RFC 9457 §3.1.1): its page shows this."""

    slug: str
    status: int
    title: str
    title_zh: str
    description: str


def _subclasses(root: type[CertfreeError]) -> list[type[CertfreeError]]:
    found, pending = [], [root]
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def problem_types() -> dict[str, ProblemType]:
    """Every problem type this node can answer with, by slug (the first class to use one)."""
    types: dict[str, ProblemType] = {}
    for cls in _subclasses(CertfreeError):
        doc = inspect.getdoc(cls) if cls.__doc__ else None
        description = (doc or "").split("\n\n", 1)[0].replace("\n", " ")
        types.setdefault(
            cls.slug, ProblemType(cls.slug, cls.status, cls.title, cls.title_zh, description)
        )
    for status, (slug, english, chinese) in _HTTP_TITLES.items():
        types.setdefault(slug, ProblemType(slug, status, english, chinese, ""))
    types.setdefault(
        "invalid-json",
        ProblemType(
            "invalid-json",
            422,
            "Invalid JSON",
            "JSON 格式有误",
            "The body is not strict RFC 8259 JSON: malformed, NaN or Infinity, a number "
            "beyond a double, or nested deeper than 64 levels.",
        ),
    )
    return types


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CertfreeError, certfree_problem)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; field names the input at fault",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<slug>: a page describing it"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_DESCRIPTIONS = {
    "401": "no or bad bearer token",
    "403": "the role or organisation may not do this",
    "404": "the object named in the path does not exist",
    "413": "the body is over its cap",
    "409": "the request clashes with the object's current state",
    "422": "a field is wrong; field names it",
    "429": "over a rate limit; Retry-After says when to retry",
    "503": "a node on the path did not answer in time; retry later",
}
# Operations that reach other nodes while the caller waits.
_CASCADE_PATHS = {"/api/v1/exchange/ask", "/api/v1/me/accesses/cascade"}


def document_problems(app: FastAPI) -> None:
    """Declare in the OpenAPI document the problem+json answers each operation gives:
    422 wherever it takes input, 413 with a body, 404 with a path parameter, 401 and 403
    wherever a role is required (``x-certfree-roles``), 409 for every change, 429 where a
    rate limit applies and 503 where other nodes are asked while the caller waits."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
        problem_content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                statuses = []
                if operation.get("parameters") or operation.get("requestBody"):
                    statuses.append("422")
                if operation.get("requestBody"):
                    statuses.append("413")
                if "{" in path:
                    statuses.append("404")
                if "x-certfree-roles" in operation:
                    statuses += ["401", "403"]
                if method != "get":
                    statuses.append("409")
                if operation.get("x-certfree-rate-limited"):
                    statuses.append("429")
                if path in _CASCADE_PATHS:
                    statuses.append("503")
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    responses[status] = {
                        "description": _DESCRIPTIONS[status],
                        "content": problem_content,
                    }
        schemas = document["components"]["schemas"]
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
