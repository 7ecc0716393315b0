"""The province's one trust list: every active issuer key in the cascade, sealed once.

Built from the province's own issuer keys and the trust list each city and department node
sent with its index feed (``index.harvest``: sealed by the node's registered key, and only
the organs that are the node's own kept). A node that is no longer active in the registry
drops out with all its organs' keys; a key a node retired stays in its list (and so in this
one) because certificates sealed with it before remain valid, as in the node's own list.

The list carries a ``serial``: one more each time its content (issuers, keys, status-list
URIs) changes, so a verifier can tell that its saved copy is the newest, besides ``iat`` and
``exp``. A verifier saves it (``certfree certs index trust-list FILE``) and verifies a
certificate from any city offline with ``certs.verify_presentation`` and that one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.certs.index.models import NodeTrust, TrustSerial
from certfree.certs.models import StatusListRecord
from certfree.certs.trust import NODE_KEY_OWNER, TRUST_LIST_LIFETIME, TrustList
from certfree.crypto import KeyStore
from certfree.nodes import Node, NodeStatus
from certfree.storage import utcnow

__all__ = ["province_trust_list"]

_SERIAL_ROW = 1


def _merged(session: Session, store: KeyStore, publisher: str) -> TrustList:
    own_lists = session.scalars(select(StatusListRecord.uri).order_by(StatusListRecord.uri))
    own = TrustList.from_keystore(store, status_lists=own_lists, publisher=publisher)
    issuers: dict[str, list[dict[str, Any]]] = {u: list(k) for u, k in own.issuers.items()}
    lists = set(own.status_lists)
    active = {
        row.code for row in session.scalars(select(Node).where(Node.status == NodeStatus.ACTIVE))
    }
    for held in session.scalars(select(NodeTrust).order_by(NodeTrust.node_code)):
        if held.node_code not in active:
            continue  # a revoked node's organs are no longer trusted
        for uscc, keys in held.issuers.items():
            known = issuers.setdefault(uscc, [])
            known += [k for k in keys if k not in known]
        lists |= set(TrustList.from_token(held.token).status_lists)
    return TrustList(
        issuers={u: tuple(k) for u, k in issuers.items()},
        status_lists=tuple(sorted(lists)),
        publisher=publisher,
    )


def _serial(session: Session, content: dict[str, Any], now: dt.datetime) -> int:
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    if session.get(TrustSerial, _SERIAL_ROW) is None:
        try:
            with session.begin_nested():  # two first readers at once: one insert wins
                session.add(TrustSerial(id=_SERIAL_ROW, serial=1, digest=digest, changed_at=now))
        except IntegrityError:
            pass
    row = session.get(TrustSerial, _SERIAL_ROW, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.digest != digest:
        row.serial, row.digest, row.changed_at = row.serial + 1, digest, now
    session.flush()
    return row.serial


def province_trust_list(session: Session, store: KeyStore, *, publisher: str, now: int) -> str:
    """The province's trust list (``trustlist+jwt`` with ``serial``), sealed by its node key.

    Every issuer key of the province's own store and of each active node's harvested list.
    """
    merged = _merged(session, store, publisher)
    serial = _serial(session, merged.document(), utcnow())
    sealed = TrustList(
        issuers=merged.issuers,
        status_lists=merged.status_lists,
        publisher=publisher,
        serial=serial,
    )
    return sealed.sign(store.signer(NODE_KEY_OWNER), iat=now, exp=now + TRUST_LIST_LIFETIME)
