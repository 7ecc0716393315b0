"""A session on a migrated database per test, committed when the test passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.storage import Database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as active:
        yield active
