"""Building the demo: deterministic, refuses to overwrite, checks its inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Table, select

from certfree.demo import DemoExists, DemoSummary, build_demo_province
from certfree.demo import province as demo_province
from certfree.errors import ConfigurationError, InvalidInput
from certfree.population import TABLES, count_rows
from certfree.storage import Base, Database
from factories.databases import migrated_database_url
from factories.demo import AS_OF, CITIZENS, FIRMS, SEED


def _rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every population row, in key order."""
    result = {}
    with db.engine.connect() as connection:
        for model in TABLES:
            table = model.__table__
            assert isinstance(table, Table)
            ordered = select(table).order_by(*table.primary_key.columns)
            result[table.name] = [tuple(row) for row in connection.execute(ordered)]
    return result


def _build(tmp_path: Path, name: str, **kwargs: object) -> dict[str, list[tuple[object, ...]]]:
    with migrated_database_url(tmp_path, name) as url:
        db = Database(url)
        try:
            build_demo_province(db, citizens=CITIZENS, firms=FIRMS, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]
            return _rows(db)
        finally:
            db.dispose()


def test_summary_counts_what_was_written(built: tuple[Database, DemoSummary]) -> None:
    db, summary = built
    with db.session() as session:
        counts = count_rows(session)
    assert summary.counts == {"nodes": 170} | counts
    assert summary.counts["persons"] == CITIZENS
    assert summary.total_rows == sum(summary.counts.values())
    assert summary.as_of == AS_OF
    assert summary.elapsed_seconds > 0


def test_same_seed_same_rows_other_seed_other_rows(
    built: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    first = _rows(built[0])
    assert _build(tmp_path, "again.db", seed=SEED) == first
    other = _build(tmp_path, "other.db", seed=SEED + 1)
    assert other["persons"] != first["persons"]


@pytest.mark.slow
def test_worker_processes_build_the_same_rows(
    built: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    assert _build(tmp_path, "pool.db", seed=SEED, workers=2) == _rows(built[0])


def test_rebuilding_is_refused_without_reset(db: Database) -> None:
    build_demo_province(db, citizens=1_000, firms=10, seed=1, as_of=AS_OF)
    with pytest.raises(DemoExists, match="--reset"):
        build_demo_province(db, citizens=1_000, firms=10, seed=1, as_of=AS_OF)
    summary = build_demo_province(db, citizens=1_500, firms=20, seed=2, as_of=AS_OF, reset=True)
    with db.session() as session:
        assert count_rows(session)["persons"] == 1_500
    assert summary.counts["nodes"] == 170


@pytest.mark.parametrize(
    ("citizens", "firms", "field"),
    [(999, 0, "citizens"), (1_000, 501, "firms"), (1_000, -1, "firms")],
)
def test_sizes_out_of_range_are_refused(
    db: Database, citizens: int, firms: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_demo_province(db, citizens=citizens, firms=firms, seed=1)
    assert caught.value.field == field


def test_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ConfigurationError, match="certfree db upgrade"):
        build_demo_province(db, citizens=1_000, firms=0, seed=1)
    db.dispose()


def test_a_failed_build_leaves_nothing_behind(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_province, "write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo_province(db, citizens=1_000, firms=10, seed=1, as_of=dt.date(2024, 1, 1))
    with db.session() as session:
        assert set(count_rows(session).values()) == {0}
    assert Base.metadata.tables["nodes"] is not None
