"""The secret that scatters a status list's indices (``cert_status_list_keys``).

One row per (issuer, list number): a random 128-bit key, never published, that keys the
permutation mapping the list's n-th allocation to its index (see
:func:`certfree.certs.statuslists.scatter`). Handing out indices in order would let anyone who
sees two credentials tell which was issued first, and roughly when (draft-ietf-oauth-status-list,
Privacy Considerations: a Referenced Token's index should not reveal more than its status).
Kept apart from ``cert_status_lists`` because that row is served (URI, token) while this one
never leaves the node.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, utcnow

__all__ = ["StatusListKey"]


class StatusListKey(Base):
    __tablename__ = "cert_status_list_keys"

    issuer_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    list_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    permutation_key: Mapped[str] = mapped_column(String(32))  # 16 random bytes, hex
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
