"""The single node `make run` serves, as a real process: the demo province built by `demo init`,
served with CERTFREE_HOSTED_DEPARTMENTS=*, answers a question to a demo department itself."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from certfree.crypto import verifier_for, verify_jws
from helpers.livenode import free_port
from helpers.serving import CERTFREE, served_node

pytestmark = pytest.mark.slow  # a process start per command, and a demo province to build
MZ = "370100-MZ"
SERVICE = "370000-TEST-HOSTED"
EXEMPT = "《婚姻登记条例》第五条（示例，测试用）"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [*CERTFREE, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"certfree {' '.join(args)}:\n{result.stderr}"
    return result


@pytest.fixture
def demo_env(tmp_path: Path, empty_database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}
    env.update(
        CERTFREE_DATABASE_URL=empty_database_url,
        CERTFREE_KEY_DIR=str(tmp_path / "keys"),
        CERTFREE_HOSTED_DEPARTMENTS="*",
    )
    run(env, "db", "upgrade")
    run(env, "demo", "init", "--citizens", "1000", "--firms", "10", "--if-missing")
    return env


@pytest.fixture
def served(demo_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    with served_node(demo_env, free_port(), tmp_path / "serve.log") as base:
        yield base


def test_the_single_demo_node_answers_for_a_demo_department(
    served: str, demo_env: dict[str, str]
) -> None:
    # demo init granted this node the demo questions at every demo department ...
    listed = run(
        demo_env, "grants", "list", "--consumer", "370000", "--provider", MZ, "--json"
    ).stdout
    assert "marital_status" in {grant["question"] for grant in json.loads(listed)}
    # ... which need the person's consent; this one the law exempts from it.
    run(
        demo_env,
        *("grants", "add", "--consumer", "370000", "--provider", MZ),
        *("--question", "marital_status", "--service-item", SERVICE),
        *("--purpose", "结婚登记（测试）", "--exempt-basis", EXEMPT),
    )
    people = json.loads(run(demo_env, "demo", "people", "--limit", "20", "--json").stdout)
    person = next(p for p in people if p["city"] == "济南市")
    token = run(
        demo_env,
        "tokens",
        "issue",
        "--role",
        "clerk",
        "--subject",
        "staff-1",
        "--organisation",
        "370000",
    ).stdout.strip()

    response = httpx.post(
        f"{served}/api/v1/exchange/ask",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "question": "marital_status",
            "provider": MZ,
            "args": {"id_number": person["id_number"]},
            "service_item": SERVICE,
            "purpose": "结婚登记",
        },
        timeout=30,
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["provider"], answer["hosted_by"]) == (MZ, "370000")
    assert answer["answer"]["result"]["status"] in {"unmarried", "married", "divorced", "widowed"}
    # Signed with the node's published key, stating the department it answered for.
    keys = httpx.get(f"{served}/.well-known/jwks.json").json()["keys"]
    by_kid = {verifier.kid: verifier for verifier in map(verifier_for, keys)}
    _, payload = verify_jws(answer["answer_jws"], by_kid.__getitem__)
    assert (payload["from"], payload["for"], payload["to"]) == ("370000", MZ, "370000")
