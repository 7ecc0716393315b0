"""Every import path — proof list, service items, catalog, certificate backfill; API and CLI —
refuses hostile and malformed files as a user would see it: 422 problem+json naming the row
(or a message and exit status 1, no traceback), and nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from certfree.catalog.models import Resource
from certfree.certs.backfill.models import BackfillJob
from certfree.certs.models import Certificate
from certfree.cli import app
from certfree.procedures.models import ServiceItem
from certfree.proofs.models import ProofItem
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD
from helpers.cli import node_env
from helpers.hostile_files import Hostile, hostile_files, long_field_csv

runner = CliRunner()

# Importer: (first header it knows, API route or None, CLI arguments, tables it writes).
IMPORTERS: dict[str, tuple[str, str | None, list[str], tuple[type, ...]]] = {
    "proofs": ("证明事项编码", "/api/v1/proofs/import", ["proofs", "import"], (ProofItem,)),
    "procedures": ("事项编码", "/api/v1/procedures/import", ["procedures", "import"],
                   (ServiceItem,)),
    "catalog": ("信息资源名称", "/api/v1/catalog/import", ["catalog", "import"], (Resource,)),
    "backfill": ("姓名", None, ["certs", "backfill", "--type", ELDERLY_CARD],
                 (BackfillJob, Certificate)),
}  # fmt: skip


def _cases(header: str) -> list[Hostile]:
    return [
        *hostile_files(header),
        Hostile("long_csv_field", long_field_csv(header), 2, "单元格超过 131072 个字符"),
    ]


@pytest.fixture(scope="module")
def cases() -> dict[str, list[Hostile]]:
    return {name: _cases(header) for name, (header, *_) in IMPORTERS.items()}


def _stored(db: Database, tables: tuple[type, ...]) -> int:
    with db.session() as session:
        return sum(session.scalar(select(func.count()).select_from(t)) or 0 for t in tables)


def _suffix(case: Hostile) -> str:
    return "csv" if case.name == "long_csv_field" else "xlsx"


@pytest.mark.parametrize("importer", ["proofs", "procedures", "catalog"])
def test_the_api_answers_422_naming_the_row_and_stores_nothing(
    client: TestClient,
    db: Database,
    token_for: Callable[..., dict[str, str]],
    cases: dict[str, list[Hostile]],
    importer: str,
) -> None:
    _, route, _, tables = IMPORTERS[importer]
    assert route is not None
    admin = token_for("bureau_admin")
    for case in cases[importer]:
        # The file as a form upload (RFC 7578), as a browser sends it.
        files = {"file": (f"{case.name}.{_suffix(case)}", case.data, "application/octet-stream")}
        response = client.post(route, files=files, headers=admin)
        assert response.status_code == 422, (case.name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem: dict[str, Any] = response.json()
        assert case.reason in problem["detail"], case.name
        assert problem["field"] == "file"
        if case.row is None:
            assert "errors" not in problem
        else:
            assert problem["detail"].startswith(f"第 {case.row} 行"), case.name
            [error] = problem["errors"]
            assert error["row"] == case.row
            assert case.reason in error["detail"]
    assert _stored(db, tables) == 0


@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_the_cli_says_which_row_and_exits_1_without_a_traceback(
    db: Database,
    settings: Settings,
    tmp_path: Path,
    cases: dict[str, list[Hostile]],
    importer: str,
) -> None:
    _, _, command, tables = IMPORTERS[importer]
    env = node_env(settings)
    for case in cases[importer]:
        path = tmp_path / f"{case.name}.{_suffix(case)}"
        path.write_bytes(case.data)
        # The file argument goes before the options so that `certs backfill FILE --type` reads
        # as people type it.
        result = runner.invoke(app, [*command[:2], str(path), *command[2:]], env=env)
        assert result.exit_code == 1, (case.name, result.output)
        assert isinstance(result.exception, SystemExit), (case.name, result.exception)
        assert "Traceback" not in result.output
        assert case.reason in result.output, (case.name, result.output)
        if case.row is not None:
            assert f"第 {case.row} 行" in result.output, (case.name, result.output)
    assert _stored(db, tables) == 0


def test_an_unknown_encoding_is_422_naming_the_parameter(
    client: TestClient, db: Database, token_for: Callable[..., dict[str, str]]
) -> None:
    data = "信息资源名称,信息资源提供方,发布日期\r\n人口信息,公安局,2024-01-01\r\n".encode()
    for encoding in ("klingon", "rot13", "idna", "undefined", "hex"):
        response = client.post(
            "/api/v1/catalog/import",
            params={"filename": "c.csv", "encoding": encoding},
            content=data,
            headers={**token_for("bureau_admin"), "Content-Type": "text/csv"},
        )
        assert response.status_code == 422, (encoding, response.text)
        assert response.json()["field"] == "encoding"
    assert _stored(db, (Resource,)) == 0
    named = client.post(
        "/api/v1/catalog/import",
        params={"filename": "c.csv", "encoding": "GBK"},
        content=data.decode().encode("gbk"),
        headers={**token_for("bureau_admin"), "Content-Type": "text/csv"},
    )
    assert named.status_code == 200, named.text
    assert named.json()["created"] == 1
