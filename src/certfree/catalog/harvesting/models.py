"""Where the province's harvest of each node's catalog stands (``harvesting.harvest``).

One row per harvested node: the cursor up to which its changes are stored, the identity of
its feed (a new one means its catalog was rebuilt: start again), and how the last attempt
went. The cursor is written in the same transaction as the page of changes it covers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime

__all__ = ["HarvestState"]


class HarvestState(Base):
    """The harvest of one node's catalog change feed."""

    __tablename__ = "catalog_harvest_state"

    node_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    feed_id: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_ok_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
