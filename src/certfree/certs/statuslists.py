"""Status lists per issuer (IETF Token Status List), allocated at issuance, served signed.

Each issuer allocates indices from its current list of :data:`LIST_SIZE` 2-bit entries (0
valid, 1 revoked, 2 suspended); a full list is followed by the next list number. The n-th
certificate of a list gets index ``scatter(key, n)``, a secret permutation of the list, so
indices are unique yet do not reveal the order of issuance. The list is
not stored as bits: it is rebuilt from the certificates' statuses when a token is signed, so
there is one truth (the ``certificates`` rows). A signed token is cached in its row with its
ETag until a status change bumps ``revision`` or it nears expiry; every worker sees the same
row, so all of them serve the same token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certfree.certs.errors import StatusListNotFound
from certfree.certs.issuers import Issuer
from certfree.certs.models import Certificate, CertIssuer, StatusListKey, StatusListRecord
from certfree.certs.vocab import CertStatus
from certfree.crypto import KeyStore, StatusList, sign_status_list_token
from certfree.storage import utcnow

__all__ = [
    "LIST_BITS",
    "LIST_SIZE",
    "TOKEN_LIFETIME",
    "TOKEN_TTL_SECONDS",
    "Allocation",
    "SignedStatusList",
    "allocate",
    "lock_issuer",
    "mark_changed",
    "reserve",
    "scatter",
    "signed_status_list",
    "status_list_path",
]

LIST_BITS = 2
LIST_SIZE = 16_384  # 4 KiB raw per list; compresses to a few hundred bytes while sparse
TOKEN_TTL_SECONDS = 300  # relying parties refetch after five minutes (draft §12.2 ttl)
TOKEN_LIFETIME = dt.timedelta(days=1)  # exp: how long an offline verifier may rely on it
_ROUNDS = 6


@dataclass(frozen=True, slots=True)
class Allocation:
    serial: int
    list_no: int
    index: int
    uri: str


@dataclass(frozen=True, slots=True)
class SignedStatusList:
    token: str
    etag: str
    ttl: int


def status_list_path(issuer_uscc: str, list_no: int) -> str:
    return f"/api/v1/status-lists/{issuer_uscc}/{list_no}"


def _advance(session: Session, issuer: Issuer, count: int) -> CertIssuer:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(CertIssuer)
        .values(uscc=issuer.uscc, name=issuer.name, last_serial=0, current_list_no=0)
        .on_conflict_do_nothing(index_elements=["uscc"])
    )
    session.execute(
        update(CertIssuer)
        .where(CertIssuer.uscc == issuer.uscc)
        .values(last_serial=CertIssuer.last_serial + count)
    )
    return session.scalars(
        select(CertIssuer)
        .where(CertIssuer.uscc == issuer.uscc)
        .execution_options(populate_existing=True)
    ).one()


def lock_issuer(session: Session, issuer: Issuer) -> CertIssuer:
    """The issuer's counter row with ``last_serial`` already advanced, locked until commit.

    The row is created if missing (insert-or-ignore, so two workers cannot clash), then
    advanced by one atomic ``UPDATE``: that statement takes the row lock on PostgreSQL and
    the write lock on SQLite before anything is read, so no two transactions see the same
    serial or allocate the same status-list index.
    """
    return _advance(session, issuer, 1)


def scatter(key: bytes, position: int, size: int) -> int:
    """The index of the ``position``-th allocation of a list of ``size`` entries.

    A keyed permutation of ``range(size)``: a balanced Feistel network over the smallest even
    number of bits that holds ``size - 1``, with keyed BLAKE2b (RFC 7693, a pseudorandom
    function in keyed mode) as round function, six rounds (Luby-Rackoff: four make a strong
    pseudorandom permutation), walked until the value falls inside the list (cycle walking,
    Black and Rogaway 2002). A bijection, so positions
    ``0 .. size-1`` give every index exactly once; without ``key`` the order is not guessable.
    """
    bits = max(2, (size - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    mask = (1 << half) - 1
    value = position
    while True:
        left, right = value >> half, value & mask
        for round_no in range(_ROUNDS):
            digest = hashlib.blake2b(
                bytes((round_no,)) + right.to_bytes(4, "big"), key=key, digest_size=4
            ).digest()
            left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
        value = (left << half) | right
        if value < size:
            return value


def _list_uri(base_url: str, issuer_uscc: str, list_no: int) -> str:
    return base_url.rstrip("/") + status_list_path(issuer_uscc, list_no)


def _open_list(session: Session, row: CertIssuer, base_url: str) -> StatusListRecord:
    row.current_list_no += 1
    record = StatusListRecord(
        issuer_uscc=row.uscc,
        list_no=row.current_list_no,
        bits=LIST_BITS,
        size=LIST_SIZE,
        next_index=0,
        uri=_list_uri(base_url, row.uscc, row.current_list_no),
        revision=0,
    )
    session.add(record)
    session.add(
        StatusListKey(
            issuer_uscc=row.uscc, list_no=row.current_list_no, permutation_key=os.urandom(16).hex()
        )
    )
    return record


def _indices(session: Session, row: CertIssuer, base_url: str, count: int) -> list[Allocation]:
    """``count`` fresh (list, index) pairs of ``row``'s issuer, opening lists as they fill."""
    found: list[Allocation] = []
    record = session.get(StatusListRecord, (row.uscc, row.current_list_no), populate_existing=True)
    key = session.get(StatusListKey, (row.uscc, row.current_list_no))
    if record is not None and key is None and record.next_index > 0:
        record = None  # a list filled in order before indices were scattered: start afresh
    if record is not None and record.uri != _list_uri(base_url, row.uscc, record.list_no):
        # The node's public URL is not the one the list was published at (first issued by a
        # command that named another address, or the node moved): certificates issued now go
        # to a new list at the current URL, those already issued keep theirs, so each list
        # is served under the one URI its certificates name (Token Status List §5.1 sub).
        record = None
    while len(found) < count:
        if record is None or record.next_index >= record.size:
            record = _open_list(session, row, base_url)
            key = None
        if key is None:
            key = session.get(StatusListKey, (row.uscc, record.list_no))
            if key is None:  # an empty list made before keys existed
                key = StatusListKey(
                    issuer_uscc=row.uscc, list_no=record.list_no,
                    permutation_key=os.urandom(16).hex(),
                )  # fmt: skip
                session.add(key)
        secret = bytes.fromhex(key.permutation_key)
        take = min(count - len(found), record.size - record.next_index)
        first = row.last_serial - count + 1 + len(found)
        found.extend(
            Allocation(
                first + n, record.list_no, scatter(secret, position, record.size), record.uri
            )
            for n, position in enumerate(range(record.next_index, record.next_index + take))
        )
        record.next_index += take
    session.flush()
    return found


def allocate(session: Session, row: CertIssuer, base_url: str) -> Allocation:
    """The serial (advanced by lock_issuer) and a free status-list index of ``row``.

    The index is drawn from the list's keyed permutation (:func:`scatter`), so it is unique in
    its list and says nothing about issuance order. A new list takes its URI from
    ``base_url`` (the node's public address); certificates of that list refer to it for
    ever, and the served token's ``sub`` is the same URI. When ``base_url`` is no longer the
    current list's, a new list is opened at the new address.
    """
    return _indices(session, row, base_url, 1)[0]


def reserve(session: Session, issuer: Issuer, base_url: str, count: int) -> list[Allocation]:
    """``count`` serials and status-list indices of ``issuer``, under one issuer lock.

    Commit soon after: the issuer row stays locked until then. Once committed the numbers are
    spent whether or not certificates are stored with them (a crash leaves gaps, never
    duplicates), so the caller may seal outside the transaction and store later.
    """
    if count < 1:
        return []
    row = _advance(session, issuer, count)
    return _indices(session, row, base_url, count)


def mark_changed(session: Session, certificate: Certificate) -> None:
    """Record that a status in the certificate's list changed: the cached token is stale."""
    # One atomic increment: two concurrent changes must end two revisions apart, or a token
    # signed between them would look current and hide the second change.
    session.execute(
        update(StatusListRecord)
        .where(
            StatusListRecord.issuer_uscc == certificate.issuer_uscc,
            StatusListRecord.list_no == certificate.status_list_no,
        )
        .values(revision=StatusListRecord.revision + 1)
    )


def signed_status_list(
    session: Session,
    keys: KeyStore,
    issuer_uscc: str,
    list_no: int,
    *,
    now: dt.datetime | None = None,
) -> SignedStatusList:
    """The current Status List Token of one list, re-signed when stale.

    Re-signed when a status changed since the cached token, or when less than half of its
    lifetime is left. Raises StatusListNotFound (404) for an unknown issuer or list.
    """
    moment = now or utcnow()
    record = session.get(StatusListRecord, (issuer_uscc, list_no), populate_existing=True)
    if record is None:
        raise StatusListNotFound(
            f"发证机关 {issuer_uscc} 没有第 {list_no} 号状态列表"
            f"（issuer {issuer_uscc} has no status list {list_no}）",
            field="list_no",
        )
    fresh = (
        record.token is not None
        and record.token_revision == record.revision
        and record.token_expires_at is not None
        and record.token_expires_at - moment > TOKEN_LIFETIME / 2
    )
    if not fresh:
        statuses = StatusList(record.bits, record.size)
        rows = session.execute(
            select(Certificate.status_index, Certificate.status).where(
                Certificate.issuer_uscc == issuer_uscc,
                Certificate.status_list_no == list_no,
                Certificate.status != CertStatus.ISSUED,
            )
        )
        for index, status in rows:
            statuses.set(index, CertStatus(status).list_value)
        iat = int(moment.timestamp())
        expires = moment + TOKEN_LIFETIME
        token = sign_status_list_token(
            keys.signer(issuer_uscc),
            record.uri,
            statuses,
            iat=iat,
            exp=int(expires.timestamp()),
            ttl=TOKEN_TTL_SECONDS,
        )
        record.token = token
        record.token_revision = record.revision
        record.token_expires_at = expires
        record.token_etag = '"' + hashlib.sha256(token.encode("ascii")).hexdigest()[:32] + '"'
        session.flush()
    assert record.token is not None
    assert record.token_etag is not None
    return SignedStatusList(record.token, record.token_etag, TOKEN_TTL_SECONDS)
