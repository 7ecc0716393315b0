"""Status lists per issuer (IETF Token Status List), allocated at issuance, served signed.

Each issuer allocates indices from its current list of :data:`LIST_SIZE` 2-bit entries (0
valid, 1 revoked, 2 suspended); a full list is followed by the next list number. The list is
not stored as bits: it is rebuilt from the certificates' statuses when a token is signed, so
there is one truth (the ``certificates`` rows). A signed token is cached in its row with its
ETag until a status change bumps ``revision`` or it nears expiry; every worker sees the same
row, so all of them serve the same token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certfree.certs.errors import CertificateNotFound
from certfree.certs.issuers import Issuer
from certfree.certs.models import Certificate, CertIssuer, StatusListRecord
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
    "signed_status_list",
    "status_list_path",
]

LIST_BITS = 2
LIST_SIZE = 16_384  # 4 KiB raw per list; compresses to a few hundred bytes while sparse
TOKEN_TTL_SECONDS = 300  # relying parties refetch after five minutes (draft §12.2 ttl)
TOKEN_LIFETIME = dt.timedelta(days=1)  # exp: how long an offline verifier may rely on it


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


def lock_issuer(session: Session, issuer: Issuer) -> CertIssuer:
    """The issuer's counter row with ``last_serial`` already advanced, locked until commit.

    The row is created if missing (insert-or-ignore, so two workers cannot clash), then
    advanced by one atomic ``UPDATE``: that statement takes the row lock on PostgreSQL and
    the write lock on SQLite before anything is read, so no two transactions see the same
    serial or allocate the same status-list index.
    """
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
        .values(last_serial=CertIssuer.last_serial + 1)
    )
    return session.scalars(
        select(CertIssuer)
        .where(CertIssuer.uscc == issuer.uscc)
        .execution_options(populate_existing=True)
    ).one()


def allocate(session: Session, row: CertIssuer, base_url: str) -> Allocation:
    """The serial (advanced by lock_issuer) and a free status-list index of ``row``.

    A new list takes its URI from ``base_url`` (the node's public address) once; certificates
    of that list refer to it for ever, and the served token's ``sub`` is the same URI.
    """
    key = (row.uscc, row.current_list_no)
    record = session.get(StatusListRecord, key, populate_existing=True)
    if record is None or record.next_index >= record.size:
        row.current_list_no += 1
        record = StatusListRecord(
            issuer_uscc=row.uscc,
            list_no=row.current_list_no,
            bits=LIST_BITS,
            size=LIST_SIZE,
            next_index=0,
            uri=base_url.rstrip("/") + status_list_path(row.uscc, row.current_list_no),
            revision=0,
        )
        session.add(record)
    index = record.next_index
    record.next_index = index + 1
    session.flush()
    return Allocation(row.last_serial, record.list_no, index, record.uri)


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
    lifetime is left. Raises CertificateNotFound (404) for an unknown issuer or list.
    """
    moment = now or utcnow()
    record = session.get(StatusListRecord, (issuer_uscc, list_no), populate_existing=True)
    if record is None:
        raise CertificateNotFound(
            f"发证机关 {issuer_uscc} 没有第 {list_no} 号状态列表", field="list_no"
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
