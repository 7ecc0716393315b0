"""The bureau oversees backfill without anyone's data whole: the runs' reject reasons (JSON and
the CSV report) and the review queue (holder, face data, reason) come to it masked by class;
the organ that sent the file reads them whole to fix its rows and decide."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from functional.test_backfill_runs_api import _upload, admin_for, old_file  # noqa: F401

pytestmark = pytest.mark.usefixtures("demo_registry")


def _masked(id_number: str) -> str:
    return id_number[:4] + "*" * 10 + id_number[-4:]


def test_the_bureau_reads_reject_reasons_masked_and_the_organ_whole(
    client: TestClient,
    admin_for: Any,  # noqa: F811
    old_file: bytes,  # noqa: F811
) -> None:
    organ, bureau = admin_for(), admin_for(None, "bureau_admin")
    run = _upload(client, organ, old_file).json()
    path = f"/api/v1/backfill/runs/{run['id']}"
    whole = client.get(path, headers=organ).json()["rejected_rows"]
    unknown = next(r for r in whole if r["row"] == 6)["reasons"][0]["reason"]
    number = next(word for word in unknown.split() if word[:6].isdigit())
    assert f"持证主体 {number} 在" in unknown
    seen = client.get(path, headers=bureau).json()["rejected_rows"]
    assert next(r for r in seen if r["row"] == 6)["reasons"][0]["reason"] == unknown.replace(
        number, _masked(number)
    )
    report = client.get(f"{path}/rejects.csv", headers=bureau)
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert number not in report.content.decode("utf-8-sig")
    assert any(_masked(number) in line[2] for line in lines[1:])
    organ_report = client.get(f"{path}/rejects.csv", headers=organ).content.decode("utf-8-sig")
    assert number in organ_report


def test_the_bureau_sees_the_review_queue_masked_by_class(
    client: TestClient,
    admin_for: Any,  # noqa: F811
    old_file: bytes,  # noqa: F811
) -> None:
    organ, bureau = admin_for(), admin_for(None, "bureau_admin")
    _upload(client, organ, old_file)
    (item,) = client.get("/api/v1/backfill/reviews", headers=organ).json()
    assert item["face_data"]["name"] == "李三"
    (seen,) = client.get("/api/v1/backfill/reviews", headers=bureau).json()
    assert seen["holder_id"] == _masked(item["holder_id"])
    assert seen["face_data"]["name"] == "李*"
    assert seen["face_data"]["address"] == "济南市历下区****"
    assert item["holder_id"] not in str(seen)
    one = client.get(f"/api/v1/backfill/reviews/{item['id']}", headers=bureau).json()
    assert one == seen
