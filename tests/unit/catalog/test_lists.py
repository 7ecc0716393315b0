"""Publishing the supply and demand lists: counts, stable hashes, and exports that parse back."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.catalog import lists
from certfree.catalog.errors import InvalidListRequest, ListNotPublished
from certfree.catalog.lists.models import ListKind
from certfree.storage import Database

DAY = dt.date(2026, 11, 1)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def add_resource(session: Session, name: str, provider: str, share_type: str, **extra: Any) -> str:
    data = {
        "class_code": "101",
        "name": name,
        "abstract": name,
        "provider": provider,
        "provider_code": f"P-{provider}",
        "format": "数据库",
        "items": extra.pop("items", []),
        "share_type": share_type,
        "share_conditions": "仅用于政务服务" if share_type == "conditional" else None,
        "unshared_basis": "法律规定不得共享" if share_type == "not_shared" else None,
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "daily",
        "released": "2024-03-01",
    }
    return catalog.create_resource(session, catalog.validate_resource(data | extra)).code


def add_demand(session: Session, text: str, items: list[str], calls: int = 10) -> int:
    return catalog.register_demand(
        session,
        {
            "department": "济南市民政局",
            "department_code": "370100-MZ",
            "scenario": "婚姻登记",
            "text": text,
            "items": items,
            "purpose": "办理婚姻登记",
            "legal_basis": "《婚姻登记条例》",
            "calls_per_day": calls,
        },
    ).id


@pytest.fixture
def published(session: Session) -> dict[ListKind, Any]:
    add_resource(session, "户籍人口基本信息", "济南市公安局", "conditional",
                 items=[{"name": "公民身份号码"}, {"name": "户籍地址"}])  # fmt: skip
    add_resource(session, "不动产登记信息", "济南市自然资源局", "unconditional")
    add_resource(session, "婚姻登记信息", "济南市民政局", "not_shared")
    add_demand(session, "户籍人口基本信息", ["公民身份号码", "户籍地址"], calls=500)
    add_demand(session, "火星车遥测数据", [], calls=3)
    index = catalog.load_index(session)
    made = lists.publish_lists(session, index, published_by="test", on=DAY)
    return {s.kind: s for s in made}


def test_counts_by_provider_share_type_and_match_status(published: dict[ListKind, Any]) -> None:
    supply = published[ListKind.SUPPLY].counts
    assert supply["total"] == 3
    assert supply["by_provider"] == {"济南市公安局": 1, "济南市民政局": 1, "济南市自然资源局": 1}
    assert supply["by_share_type"] == {"conditional": 1, "not_shared": 1, "unconditional": 1}
    assert supply["by_match_status"] == {"matched": 1, "unmatched": 2}
    demand = published[ListKind.DEMAND].counts
    assert demand["by_provider"] == {"济南市民政局": 2}
    assert demand["by_match_status"] == {"gap": 1, "matched": 1}
    assert demand["by_share_type"] == {"conditional": 1}  # the best match of the met demand
    assert demand["threshold"] == catalog.GAP_THRESHOLD
    rows = lists.snapshot_rows(published[ListKind.DEMAND])
    met = next(r for r in rows if r["match_status"] == "matched")
    assert (met["best_name"], met["best_share_type"]) == ("户籍人口基本信息", "conditional")
    gap = next(r for r in rows if r["match_status"] == "gap")
    assert gap["text"] == "火星车遥测数据"
    assert gap["best_code"] is None


def test_republishing_the_same_day_replaces_it_with_the_same_hash(
    session: Session, published: dict[ListKind, Any]
) -> None:
    before = published[ListKind.SUPPLY].content_hash
    index = catalog.load_index(session)
    again = lists.publish_lists(session, index, published_by="test", on=DAY)
    assert [s.content_hash for s in again if s.kind is ListKind.SUPPLY] == [before]
    assert len(lists.list_snapshots(session)) == 2
    add_resource(session, "企业登记信息", "济南市市场监管局", "unconditional")
    later = lists.publish_lists(
        session, catalog.load_index(session), published_by="test", on=DAY + dt.timedelta(days=1)
    )
    newer = next(s for s in later if s.kind is ListKind.SUPPLY)
    assert newer.content_hash != before
    assert newer.row_count == 4
    assert lists.get_snapshot(session, "supply").date == DAY + dt.timedelta(days=1)
    assert lists.get_snapshot(session, "supply", DAY.isoformat()).row_count == 3
    assert [s.date for s in lists.list_snapshots(session, "supply")] == [
        DAY + dt.timedelta(days=1),
        DAY,
    ]


def test_exports_parse_back(published: dict[ListKind, Any]) -> None:
    supply = published[ListKind.SUPPLY]
    rows = lists.snapshot_rows(supply)

    data = json.loads(lists.export_snapshot(supply, "json"))
    assert data["rows"] == rows
    assert data["content_hash"] == supply.content_hash
    # A reader re-serialises the rows canonically (JSON Lines) and checks the published hash.
    lines = (json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in rows)
    assert hashlib.sha256("\n".join(lines).encode()).hexdigest() == supply.content_hash
    assert lists.snapshot_rows(supply, 1, 2) == rows[1:2]
    assert data["counts"]["by_share_type"]["conditional"] == 1

    text = lists.export_snapshot(supply, "csv").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert list(read[0]) == list(lists.COLUMNS[ListKind.SUPPLY])
    assert [r["code"] for r in read] == [r["code"] for r in rows]
    household = next(r for r in read if r["name"] == "户籍人口基本信息")
    assert household["items"] == "公民身份号码；户籍地址"
    assert household["share_type_zh"] == "有条件共享"
    assert household["match_status"] == "matched"

    book = load_workbook(io.BytesIO(lists.export_snapshot(supply, "xlsx")), read_only=True)
    assert book.sheetnames == ["供给清单", "统计"]
    sheet = [list(r) for r in book["供给清单"].iter_rows(values_only=True)]
    assert sheet[0] == list(lists.COLUMNS[ListKind.SUPPLY])
    assert [r[0] for r in sheet[1:]] == [r["code"] for r in rows]
    stats = {(d, k): n for d, k, n in book["统计"].iter_rows(min_row=2, values_only=True)}
    assert stats[("by_provider", "济南市公安局")] == 1
    assert stats[("total", None)] == 3
    book.close()

    demand = published[ListKind.DEMAND]
    read = list(
        csv.DictReader(io.StringIO(lists.export_snapshot(demand, "csv").decode("utf-8-sig")))
    )
    assert {r["match_status"] for r in read} == {"matched", "gap"}


def test_unpublished_and_invalid_requests(session: Session) -> None:
    with pytest.raises(ListNotPublished) as missing:
        lists.get_snapshot(session, "demand")
    assert "需求清单尚未发布" in missing.value.message
    with pytest.raises(InvalidListRequest) as kind:
        lists.get_snapshot(session, "both")
    assert kind.value.field == "kind"
    with pytest.raises(InvalidListRequest) as date:
        lists.get_snapshot(session, "supply", "31/01/2026")
    assert date.value.field == "date"


def test_unknown_export_format(published: dict[ListKind, Any]) -> None:
    with pytest.raises(InvalidListRequest) as caught:
        lists.export_snapshot(published[ListKind.SUPPLY], "pdf")
    assert caught.value.field == "format"
