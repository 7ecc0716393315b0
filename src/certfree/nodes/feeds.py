"""Following another node's paged feed by cursor, resumably: shared by every harvest.

The province harvests more than one feed from its nodes (the catalog's changes, the index of
issued certificates). Each is read the same way, and this module is that way, once:

* a feed page is ``{"node", "feed", "since", "next", "more", <items>: [{"seq", ...}]}``:
  the items after cursor ``since`` in sequence order, the cursor to ask from next, and the
  feed's identity (a new one means the node's store was rebuilt: start again from 0);
* the request is signed with the harvesting node's key (:func:`sign_feed_request`, a compact
  JWS naming the harvester, the node as audience, the cursor, the page size and the feed's
  ``typ``), checked by the node against the signed registry (:func:`verify_feed_request`);
* :func:`fetch_page` asks one page over HTTP under a short timeout and turns every way the node
  can fail into the caller's errors (:class:`FeedFaults`);
* :func:`check_page` refuses a page that is not the node's feed after the cursor;
* :func:`follow_feed` asks page after page from the stored cursor and hands each to the
  caller's ``store``, which commits the page and the cursor after it in one transaction, so
  an interrupted harvest resumes at the first page not stored, nothing lost and nothing twice;
* :func:`harvest_feeds` runs that for each node in turn: the cursor read from the harvest's
  state row, every failure turned into the report's :class:`FeedStatus` and reason (the
  others go on), and the attempt recorded in the state row.

Errors stay the caller's own (the catalog's ``NodeUnreachable``…): each domain names its
harvest's faults, this module only decides which one applies.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import httpx
from sqlalchemy.orm import Session

from certfree.crypto import Signer, Verifier, b64url_decode, sign_jws, verify_jws
from certfree.errors import AuthError, CertfreeError, InvalidInput, KeyNotFound
from certfree.nodes.models import NodeStatus
from certfree.nodes.registry import list_nodes
from certfree.safejson import loads_untrusted
from certfree.settings import NodeLevel
from certfree.storage import Base, Database, utcnow

__all__ = [
    "DEFAULT_TIMEOUT",
    "FeedFailed",
    "FeedFaults",
    "FeedProgress",
    "FeedReport",
    "FeedStatus",
    "Peers",
    "Source",
    "check_page",
    "feed_requester",
    "feed_sources",
    "fetch_page",
    "follow_feed",
    "harvest_feeds",
    "is_feed_request",
    "problem_detail",
    "sign_feed_request",
    "state_row",
    "verify_feed_request",
]

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)  # per request: connect 2 s, read 5 s


@dataclass(frozen=True, slots=True)
class Source:
    """A node to harvest: its code and base URL (None when it registered no endpoint)."""

    code: str
    url: str | None


class FeedFailed(CertfreeError):
    """Base of a harvest's errors: following ``node``'s feed failed for ``reason``;
    ``status_word`` is the status its report takes (a :class:`FeedStatus` value)."""

    status_word = "failed"

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"节点 {node}：{message}", field="node")
        self.node = node
        self.reason = message


@dataclass(frozen=True, slots=True)
class FeedFaults:
    """The caller's errors for a node that fails: each is built from (node code, reason).

    ``failed`` is their common base.
    """

    failed: type[FeedFailed]
    unreachable: Callable[[str, str], CertfreeError]
    refused: Callable[[str, str], CertfreeError]
    invalid: Callable[[str, str], CertfreeError]


class FeedProgress(Protocol):
    """The part of a harvest report that :func:`follow_feed` moves along."""

    cursor: int
    pages: int
    restarted: bool


class FeedStatus(enum.StrEnum):
    """How the harvest of one node's feed went: the status word of its :class:`FeedFaults`."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    INVALID = "invalid"


class FeedReport(FeedProgress, Protocol):
    """A harvest report as :func:`harvest_feeds` fills it in."""

    status: FeedStatus
    reason: str | None


class FeedState(Protocol):
    """A harvest's state row for one node: its cursor, feed id and last attempt."""

    cursor: int
    feed_id: str | None
    last_attempt_at: dt.datetime | None
    last_ok_at: dt.datetime | None
    last_status: str | None
    last_error: str | None


_Report = TypeVar("_Report", bound=FeedReport)
_State = TypeVar("_State", bound=Base)


# -- the signed request ---------------------------------------------------------------------


class _Peer(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def verifiers(self) -> Mapping[str, Verifier]: ...


class Peers(Protocol):
    """The node registry as a feed sees it (an exchange RegistrySnapshot fits)."""

    def peer(self, code: str) -> _Peer | None: ...


def sign_feed_request(
    signer: Signer, *, typ: str, harvester: str, node: str, since: int, limit: int,
    now: float | None = None,
) -> str:  # fmt: skip
    """The bearer credential of one request from ``harvester`` for a page of ``node``'s feed
    of kind ``typ`` (the JWS ``typ`` header: a credential for one feed opens no other)."""
    claims = {
        "iss": harvester,
        "aud": node,
        "iat": int(now if now is not None else time.time()),
        "nonce": secrets.token_urlsafe(12),
        "since": since,
        "limit": limit,
    }
    return sign_jws(signer, claims, header={"typ": typ})


def is_feed_request(token: str, typ: str) -> bool:
    """Whether a bearer credential is a signed request for a feed of kind ``typ``."""
    try:
        header = b64url_decode(token.split(".", 1)[0])
    except CertfreeError:
        return False
    return f'"typ":"{typ}"'.encode() in header


def feed_requester(token: str) -> str:
    """The ``iss`` a feed request claims, before any check (to look its keys up)."""
    try:
        claims = loads_untrusted(b64url_decode(token.split(".")[1]), what="harvest request")
    except (CertfreeError, IndexError):
        raise AuthError("采集请求签名格式错误（应为 compact JWS）") from None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(issuer, str) or not issuer:
        raise AuthError("采集请求未注明采集节点（iss）")
    return issuer


def verify_feed_request(
    token: str, peers: Peers, *, typ: str, node: str, since: int, limit: int,
    now: float | None = None, skew: int = 120,
) -> str:  # fmt: skip
    """Check a signed request for this ``node``'s feed of kind ``typ``; the harvester's code.

    Raises AuthError naming the fault: unknown or inactive harvester, unknown key, bad
    signature, another kind of feed, another audience, a cursor or page size other than the
    ones asked, or an ``iat`` more than ``skew`` seconds from now. A request replayed within
    the skew only reads the same page again (the cursor and page size are signed).
    """
    issuer = feed_requester(token)
    peer = peers.peer(issuer)
    if peer is None:
        raise AuthError(f"采集节点 {issuer} 不在节点注册表中")
    if peer.status != "active":
        raise AuthError(f"采集节点 {issuer} 的状态为 {peer.status}，不能采集")

    def resolve(kid: str) -> Verifier:
        if kid not in peer.verifiers:
            raise KeyNotFound(f"节点 {issuer} 没有登记密钥 {kid}")
        return peer.verifiers[kid]

    try:
        header, claims = verify_jws(token, resolve)
    except CertfreeError as exc:
        raise AuthError(f"采集请求签名无效：{exc.message}") from exc
    if header.get("typ") != typ:
        raise AuthError(f"采集请求的类型 {header.get('typ')!r} 不是 {typ}")
    if claims.get("aud") != node:
        raise AuthError(f"采集请求发给 {claims.get('aud')}，不是本节点 {node}")
    if claims.get("since") != since or claims.get("limit") != limit:
        raise AuthError("采集请求签名中的游标或页大小与请求参数不一致")
    iat = claims.get("iat")
    current = now if now is not None else time.time()
    if not isinstance(iat, int) or abs(current - iat) > skew:
        raise AuthError(f"采集请求的签发时间超出允许偏差 ±{skew} 秒")
    return issuer


# -- reading pages --------------------------------------------------------------------------


def fetch_page(
    client: httpx.Client,
    source: Source,
    path: str,
    *,
    since: int,
    limit: int,
    credential: str,
    faults: FeedFaults,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """One page of ``source``'s feed at ``path`` as a JSON object; a ``faults`` error naming
    why not: no endpoint, connection or answer in time (unreachable), 401/403 (refused), an
    answer that is not a JSON object (invalid)."""
    if not source.url:
        raise faults.unreachable(source.code, "未登记节点地址（endpoint_url）")
    try:
        response = client.get(
            source.url.rstrip("/") + path,
            params={"since": since, "limit": limit},
            headers={"Authorization": f"Bearer {credential}"},
            timeout=timeout,
        )
    except httpx.ConnectTimeout as exc:
        raise faults.unreachable(source.code, f"连接超时（{timeout.connect} 秒）") from exc
    except httpx.TimeoutException as exc:
        raise faults.unreachable(source.code, f"应答超时（{timeout.read} 秒）") from exc
    except httpx.ConnectError as exc:
        raise faults.unreachable(source.code, f"无法连接：{exc}") from exc
    except httpx.HTTPError as exc:
        raise faults.unreachable(source.code, f"传输错误 {type(exc).__name__}") from exc
    detail = problem_detail(response)
    if response.status_code in (401, 403):
        raise faults.refused(source.code, f"HTTP {response.status_code}：{detail}")
    if response.status_code != 200:
        raise faults.unreachable(source.code, f"HTTP {response.status_code}：{detail}")
    try:
        page = response.json()
    except ValueError as exc:
        raise faults.invalid(source.code, "应答不是 JSON") from exc
    if not isinstance(page, dict):
        raise faults.invalid(source.code, "应答不是 JSON 对象")
    return page


def problem_detail(response: httpx.Response) -> str:
    """The ``detail`` (or ``title``) of an RFC 9457 problem answer, else its first text."""
    try:
        problem = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or "")[:500]
    return ""


def check_page(
    source: Source, page: Mapping[str, Any], since: int, *, items: str, faults: FeedFaults
) -> dict[str, Any]:
    """The page if it is a page of ``source``'s feed after ``since`` whose list ``items``
    holds objects numbered in (since, next], else ``faults.invalid`` naming the fault."""
    code = source.code
    if page.get("node") != code:
        raise faults.invalid(code, f"应答来自节点 {page.get('node')!r}，不是 {code}")
    feed, nxt, more, listed = (page.get(k) for k in ("feed", "next", "more", items))
    if not isinstance(feed, str) or not feed or not isinstance(listed, list):
        raise faults.invalid(code, f"缺少 feed 或 {items}")
    if not isinstance(nxt, int) or isinstance(nxt, bool) or not isinstance(more, bool):
        raise faults.invalid(code, "next 应为整数，more 应为布尔值")
    if nxt < since or (more and nxt == since):
        raise faults.invalid(code, f"游标未前进（since {since}，next {nxt}）")
    for item in listed:
        seq = item.get("seq") if isinstance(item, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or not since < seq <= nxt:
            raise faults.invalid(code, f"序号 {seq!r} 不在 ({since}, {nxt}] 之内")
    return dict(page)


def follow_feed(
    report: FeedProgress,
    feed: str | None,
    fetch: Callable[[int], dict[str, Any]],
    store: Callable[[dict[str, Any]], None],
    progress: Callable[[], None] | None = None,
) -> None:
    """Ask ``fetch(cursor)`` for checked pages from ``report.cursor`` until the feed has no
    more, handing each to ``store`` (which commits it and the cursor after it together).

    ``feed`` is the feed id stored with the cursor (None before the first page): a page of
    another feed means the node's store was rebuilt, its numbers start again, so the cursor
    goes back to 0 (``report.restarted``) and upserts refresh what is held. The errors of
    ``fetch`` and ``store`` propagate; the cursor of ``report`` is the last one stored.
    """
    while True:
        page = fetch(report.cursor)
        if feed is not None and page["feed"] != feed:
            feed, report.cursor, report.restarted = page["feed"], 0, True
            continue
        store(page)
        feed = page["feed"]
        report.cursor = page["next"]
        report.pages += 1
        if progress:
            progress()
        if not page["more"]:
            return


def feed_sources(
    session: Session, own_code: str, codes: Sequence[str] | None = None
) -> list[Source]:
    """The nodes to harvest: the active city and department nodes of the registry, or those
    of ``codes`` (InvalidInput, field ``node``, for a code that is not such a node)."""
    levels = {NodeLevel.CITY, NodeLevel.DEPARTMENT}
    found = {
        row.code: row
        for row in list_nodes(session)
        if row.level in levels and row.status is NodeStatus.ACTIVE and row.code != own_code
    }
    if codes:
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise InvalidInput(f"{'、'.join(unknown)} 不是已批准的市级或部门节点", field="node")
        found = {code: found[code] for code in dict.fromkeys(codes)}
    return [Source(code, row.endpoint_url) for code, row in found.items()]


def state_row(session: Session, model: type[_State], code: str) -> _State:
    """The ``model`` state row of node ``code``, created at cursor 0 when there is none."""
    state = session.get(model, code)
    if state is None:
        state = model(node_code=code, cursor=0)
        session.add(state)
        session.flush()
    return state


def harvest_feeds(
    db: Database,
    sources: Sequence[Source],
    *,
    state: type[Base],
    new_report: Callable[[str], _Report],
    fetch: Callable[[Source, int], Mapping[str, Any]],
    items: str,
    faults: FeedFaults,
    store: Callable[[Source, dict[str, Any], _Report], None],
    progress: Callable[[_Report], None] | None = None,
) -> list[_Report]:
    """Follow each source's feed from the cursor in its ``state`` row; a report per source.

    ``fetch(source, since)`` asks a page (checked here with :func:`check_page`, its list
    ``items``), ``store`` commits it with the cursor after it (:func:`follow_feed`),
    ``progress`` is called after every stored page. A ``faults.failed`` error sets the
    report's status and reason and the next source goes on; the attempt is recorded in the
    state row either way.
    """
    reports = []
    for source in sources:
        report = new_report(source.code)
        with db.session() as session:
            row = cast(FeedState, state_row(session, state, source.code))
            report.cursor, feed = row.cursor, row.feed_id

        def checked(since: int, source: Source = source) -> dict[str, Any]:
            return check_page(source, fetch(source, since), since, items=items, faults=faults)

        def stored(page: dict[str, Any], source: Source = source, report: _Report = report) -> None:
            store(source, page, report)

        def moved(report: _Report = report) -> None:
            if progress:
                progress(report)

        try:
            follow_feed(report, feed, checked, stored, moved)
        except faults.failed as exc:
            report.status = FeedStatus(exc.status_word)
            report.reason = exc.reason
        with db.session() as session:
            row = cast(FeedState, state_row(session, state, source.code))
            row.last_attempt_at = utcnow()
            row.last_status = report.status.value
            row.last_error = report.reason
            if report.status is FeedStatus.OK:
                row.last_ok_at = row.last_attempt_at
        reports.append(report)
    return reports
