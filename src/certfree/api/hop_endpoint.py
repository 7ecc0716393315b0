"""``POST /api/v1/exchange/messages``: where the previous node on the path hands over messages.

The body is a hop envelope (:mod:`certfree.exchange.protocol.hops`) signed by that node; its
messages are answered here or passed on at the same time, and the response lists one result
per message. A middleware of the app rather than a FastAPI route: every verification crosses
this endpoint at four nodes, and routing over the API's hundred routes and building request
objects would cost more CPU than the messages' own checks. Being inside ``create_app``, it is
the same code under uvicorn in production and under any client in tests.

A refused envelope (unknown or revoked node, bad signature, wrong receiver) is one
problem+json response (RFC 9457) from the one problem handler; a refused message is that
problem as its own result, so the other messages of the envelope are not held up.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from certfree.api.deps import PUBLIC
from certfree.api.problems import PROBLEM_MEDIA_TYPE, certfree_problem
from certfree.assembly import NodeRuntime
from certfree.errors import CertfreeError
from certfree.exchange.protocol import transport
from certfree.exchange.protocol.hops import HopItem, HopResult, encode_results
from certfree.exchange.protocol.lanes import JOSE, MESSAGES_PATH

__all__ = ["HopEndpoint", "document_hop_endpoint"]


class HopEndpoint:
    """ASGI middleware serving the hop endpoint; every other request goes to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != MESSAGES_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        node: NodeRuntime = scope["app"].state.node
        try:
            body = await _body(receive)
            if body is None:
                return  # the peer went away
            opened = await transport.open_hop(node.exchange, body)
            results = await asyncio.gather(
                *(_answer(node, scope, item, opened.sender) for item in opened.items)
            )
        except CertfreeError as exc:
            response = await certfree_problem(Request(scope), exc)
            await response(scope, receive, send)
            return
        await _respond(send, 200, "application/json", encode_results(results))


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    more = True
    while more:
        event = await receive()
        if event["type"] == "http.disconnect":
            return None
        chunks.append(event.get("body", b""))  # capped by the request guard
        more = event.get("more_body", False)
    return b"".join(chunks)


async def _answer(node: NodeRuntime, scope: Scope, item: HopItem, came_from: str) -> HopResult:
    """This node's reply to one message, the next hop's result for it, or its problem."""
    deadline = min(item.deadline, time.time() + node.settings.exchange_read_timeout)
    try:
        result = await transport.receive(node.exchange, item.raw, deadline, came_from=came_from)
    except CertfreeError as exc:
        problem = await certfree_problem(Request(scope), exc)
        return HopResult(problem.status_code, PROBLEM_MEDIA_TYPE, bytes(problem.body))
    if isinstance(result, str):
        return HopResult(200, JOSE, result.encode("ascii"))
    return result  # passed on: the next node's result goes back unchanged, errors included


async def _respond(send: Send, status: int, media: str, body: bytes) -> None:
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_RESULTS_SCHEMA = {
    "type": "object",
    "required": ["v", "results"],
    "properties": {
        "v": {"const": 1},
        "results": {
            "type": "array",
            "description": "one per message of the envelope, in its order",
            "items": {
                "type": "object",
                "required": ["status", "type", "body"],
                "properties": {
                    "status": {"type": "integer"},
                    "type": {"type": "string", "description": "application/jose or problem+json"},
                    "body": {"type": "string", "description": "the signed reply, or the problem"},
                },
            },
        },
    },
}


def document_hop_endpoint(app: FastAPI) -> None:
    """Declare the hop endpoint in the OpenAPI document (it is served before routing)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        document.setdefault("paths", {})[MESSAGES_PATH] = {
            "post": {
                "tags": ["exchange"],
                "summary": "Hand over messages from the previous node on the path",
                "description": __doc__,
                "operationId": "exchange_messages",
                **PUBLIC,  # authenticated by the envelope's signature, not a bearer token
                "requestBody": {
                    "required": True,
                    "content": {
                        JOSE: {
                            "schema": {
                                "type": "string",
                                "description": "hop envelope: RFC 7515 §7.1 compact JWS, "
                                "typ certfree-hop+jwt, signed by the node making the hop",
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "one result per message",
                        "content": {"application/json": {"schema": _RESULTS_SCHEMA}},
                    }
                },
            }
        }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
