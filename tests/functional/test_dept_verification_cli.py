"""`certfree exchange` over real HTTP: the province, a desk at 济南 (370100) and 济南市人社局
(370100-RS) served by uvicorn on loopback; the commands act as each node by its settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from certfree.app import create_app
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.cli import app
from certfree.crypto import KeyStore
from certfree.settings import Settings
from certfree.storage import Database
from conftest import TEST_PASSPHRASE, TEST_SCRYPT_N
from factories.databases import migrated_database_url
from helpers.cascade import register_at_province
from helpers.livenode import serving

PROVINCE, DESK, RS = "370000", "370100", "370100-RS"
LEVELS = {PROVINCE: "province", DESK: "city", RS: "department"}
PARENTS = {DESK: PROVINCE, RS: DESK}
runner = CliRunner()


@dataclass
class LiveNodes:
    env: dict[str, dict[str, str]]

    def run(self, code: str, *args: str) -> Result:
        """``certfree exchange ARGS`` as node ``code``."""
        return runner.invoke(app, ["exchange", *args], env=self.env[code])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNodes]:
    tmp = tmp_path_factory.mktemp("live")
    with ExitStack() as stack:
        urls = {c: stack.enter_context(migrated_database_url(tmp, f"{c}.db")) for c in LEVELS}
        keys = {}
        for code in urls:
            keys[code] = KeyStore(tmp / code, TEST_PASSPHRASE, scrypt_n=TEST_SCRYPT_N)
            keys[code].create(NODE_KEY_OWNER)
        pinned = tmp / "province.jwks.json"
        pinned.write_text(json.dumps(keys[PROVINCE].jwks(NODE_KEY_OWNER)))
        # Endpoints are known once served; nodes fetch the registry on their first message.
        env: dict[str, dict[str, str]] = {}
        endpoints: dict[str, str] = {}
        served: dict[str, Settings] = {}
        for code, level in LEVELS.items():
            env[code] = {
                "CERTFREE_DATABASE_URL": urls[code],
                "CERTFREE_KEY_DIR": str(tmp / code),
                "CERTFREE_KEY_PASSPHRASE": TEST_PASSPHRASE,
                "CERTFREE_NODE_CODE": code,
                "CERTFREE_NODE_NAME": code,
                "CERTFREE_NODE_LEVEL": level,
                "CERTFREE_PROVINCE_JWKS": str(pinned),
                "CERTFREE_EXCHANGE_RETRIES": "0",
            }
            served[code] = _settings(env[code])
            endpoints[code] = stack.enter_context(serving(create_app(served[code])))
        # Each served node learns the others' URLs once all listen (ports are picked on start).
        for code in LEVELS:
            wiring = {"province_url": endpoints[PROVINCE]}
            if code in PARENTS:
                wiring["parent_url"] = endpoints[PARENTS[code]]
            for name, value in wiring.items():
                setattr(served[code], name, value)
                env[code][f"CERTFREE_{name.upper()}"] = value
        province_db = Database(urls[PROVINCE])
        register_at_province(province_db, keys, endpoints)
        province_db.dispose()
        yield LiveNodes(env)


def _settings(env: dict[str, str]) -> Settings:
    fields: dict[str, Any] = {
        key.removeprefix("CERTFREE_").lower(): value for key, value in env.items()
    }
    return Settings(**fields)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_request_inbox_answer_outbox_over_real_http(live: LiveNodes) -> None:
    [sent] = _json(
        live.run(
            DESK,
            "verify-request",
            "--department",
            RS,
            "--subject",
            "370102198503141234",
            "--fact",
            "该申请人2019年起在本单位连续参保",
            "--field",
            "参保单位=济南某某科技有限公司",
            "--service-item",
            "371A0101000000-370100000000-000-113701000100000206-1-00",
            "--purpose",
            "人才引进落户审核",
            "--as",
            "desk-3",
            "--json",
        )
    )
    assert (sent["status"], sent["delivery"]) == ("pending", "delivered"), sent[
        "last_delivery_error"
    ]
    request_id = sent["request_id"]

    inbox = live.run(RS, "inbox")
    assert inbox.exit_code == 0, inbox.output
    assert request_id in inbox.stdout
    assert "待核验" in inbox.stdout
    assert "该申请人2019年起在本单位连续参保" in inbox.stdout

    refused = live.run(RS, "answer", request_id, "--outcome", "not_confirmed")
    assert refused.exit_code == 1
    assert "结论为“不属实”时须在说明中写明理由" in refused.output

    # A UUID typed in capitals is the same request, and its answer is sent all the same.
    [answered] = _json(
        live.run(
            RS,
            "answer",
            request_id.upper(),
            "--outcome",
            "not_confirmed",
            "--note",
            "2020 年 3 月至 6 月断缴",
            "--as",
            "rs-9",
            "--json",
        )
    )
    assert (answered["status"], answered["delivery"]) == ("answered", "delivered")

    [seen] = _json(live.run(DESK, "outbox", "--status", "answered", "--json"))
    assert (seen["request_id"], seen["outcome"], seen["answered_by"]) == (
        request_id,
        "not_confirmed",
        "rs-9",
    )
    assert seen["supporting"] == {"参保单位": "济南某某科技有限公司"}

    nothing = live.run(DESK, "deliver-pending")
    assert nothing.exit_code == 0, nothing.output
    assert "0/0 已送达" in nothing.stdout


def test_a_bad_subject_is_refused_before_anything_is_sent(live: LiveNodes) -> None:
    result = live.run(
        DESK,
        "verify-request",
        "--department",
        RS,
        "--subject",
        "370102198503141235",
        "--fact",
        "某事",
        "--service-item",
        "X1",
        "--purpose",
        "测试",
    )
    assert result.exit_code == 1
    assert "subject_id: 核验对象应为公民身份号码或统一社会信用代码" in result.output
