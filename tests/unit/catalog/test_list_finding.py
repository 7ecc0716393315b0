"""Finding rows of a published list: equal to chosen values, holding a word, page by page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.catalog import ListKind, ListSnapshot
from certfree.storage import Database


@pytest.fixture
def supply(db: Database) -> Iterator[ListSnapshot]:
    with Session(db.engine) as session:
        for n, (provider, cycle) in enumerate(
            [("济南市公安局", "daily"), ("济南市民政局", "half_yearly")] * 6
        ):
            name = f'户籍"信息"{n}' if n == 0 else f"Marriage record {n}"
            draft = catalog.validate_resource({
                "class_code": "101", "name": name, "abstract": name, "provider": provider,
                "provider_code": f"P-{provider}", "format": "数据库", "share_type": "unconditional",
                "share_method": "api", "open_type": "not_open", "update_cycle": cycle,
                "released": "2024-03-01",
            })  # fmt: skip
            catalog.create_resource(session, draft)
        made = catalog.publish_lists(
            session, catalog.load_index(session), published_by="test", on=dt.date(2026, 11, 1)
        )
        yield next(s for s in made if s.kind is ListKind.SUPPLY)
        session.rollback()


def test_rows_equal_to_each_chosen_value_page_by_page(supply: ListSnapshot) -> None:
    where = {"provider": "济南市民政局", "update_cycle": "half_yearly"}
    total, rows = catalog.find_rows(supply, where=where, start=2, stop=4)
    assert total == 6
    assert [r["name"] for r in rows] == ["Marriage record 5", "Marriage record 7"]
    assert catalog.find_rows(supply, where={"provider": "济南市"})[0] == 0  # whole values only
    # An empty value is no filter.
    assert catalog.find_rows(supply, where={"provider": ""})[0] == 12


def test_a_search_word_matches_values_in_any_case_never_keys(supply: ListSnapshot) -> None:
    assert catalog.find_rows(supply, search="MARRIAGE RECORD 1")[0] == 3  # 1, 10 and 11
    total, rows = catalog.find_rows(supply, search='"信息"')  # quotes, escaped in the line
    assert (total, rows[0]["code"]) == (1, "101/000001")
    assert catalog.find_rows(supply, search="provider")[0] == 0  # a column's key
