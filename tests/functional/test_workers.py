"""Two worker processes of one node share only the database and the key directory.

Each ``create_app`` below is what one uvicorn worker builds; nothing in one is seen by the
other except through the database and the key directory, as between real processes.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.settings import Settings
from certfree.storage import Database


def test_token_from_one_worker_is_accepted_by_another_after_rotation(
    settings: Settings, db: Database, keys: KeyStore
) -> None:
    with TestClient(create_app(settings)) as worker_a, TestClient(create_app(settings)) as worker_b:
        _check_shared_state(worker_a, worker_b)


def _check_shared_state(worker_a: TestClient, worker_b: TestClient) -> None:
    node_a = worker_a.app.state.node  # type: ignore[attr-defined]
    token = node_a.tokens.issue("cio", "cio-jinan")
    headers = {"Authorization": f"Bearer {token}"}
    assert worker_b.get("/api/v1/whoami", headers=headers).json()["role"] == "cio"

    rotated = node_a.keys.rotate("node")  # worker A rotates the node key
    assert worker_b.get("/api/v1/node").json()["active_key_id"] == rotated.kid
    # Tokens sealed with the retired key stay valid until they expire.
    assert worker_b.get("/api/v1/whoami", headers=headers).status_code == 200
    newer = worker_b.app.state.node.tokens.issue("cio", "cio-jinan")  # type: ignore[attr-defined]
    assert (
        worker_a.get("/api/v1/whoami", headers={"Authorization": f"Bearer {newer}"}).json()[
            "subject"
        ]
        == "cio-jinan"
    )
