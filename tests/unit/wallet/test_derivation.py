"""``certfree wallet present --prove``: derived claims made on the holder's device, and what
the wallet refuses to show (the chain's seed, a graded field alone)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from certfree.certs import cert_type
from certfree.certs.claims import Validity
from certfree.certs.issuance import Sealing, seal
from certfree.certs.issuers import Issuer
from certfree.certs.statuslists import Allocation
from certfree.cli.wallet import app
from certfree.crypto import Alg, generate_signer, parse_sd_jwt

ID_CARD = "11100000000013047R001"
MOMENT = dt.datetime(2026, 11, 29, 2, tzinfo=dt.UTC)
URI = "https://certs.sd.gov.cn/api/v1/status-lists/11370100010000063K/1"


def _card(holder_jwk: dict[str, Any]) -> str:
    """A resident ID card sealed to ``holder_jwk`` (born 1958-03-15, living in 370102)."""
    kind = cert_type(ID_CARD)
    sealing = Sealing(
        type_code=ID_CARD, issuer=Issuer("11370100010000063K", "济南市公安局", "370100-GA", None),
        holder_id=kind.example["id_number"], face=dict(kind.example), holder_jwk=holder_jwk,
        validity=Validity(MOMENT.date(), None), moment=MOMENT,
        allocation=Allocation(serial=1, list_no=1, index=7, uri=URI), serial="1", version=1,
    )  # fmt: skip
    return seal(generate_signer(Alg.EdDSA), sealing).credential


@pytest.fixture
def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The card's identifier in a fresh wallet whose key it is bound to."""
    monkeypatch.setenv("CERTFREE_WALLET", str(tmp_path / "wallet"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    jwk = json.loads(runner.invoke(app, ["keygen"]).stdout)
    Path("card.txt").write_text(_card(jwk), encoding="ascii")
    assert runner.invoke(app, ["add", "card.txt"]).exit_code == 0
    (listed,) = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    return str(listed["identifier"])


def present(held: str, *options: str) -> tuple[int, str, str]:
    args = ["present", held, "--audience", "https://bar.example", "--nonce", "n-9", *options]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def _key_binding(shown: str) -> dict[str, Any]:
    payload = shown.rsplit("~", 1)[1].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "==")))


def test_an_age_and_a_county_are_proved_without_the_date_or_the_address(held: str) -> None:
    code, out, err = present(held, "--prove", "age_at_least:60", "--prove", "resident_of:370102")
    assert code == 0, err
    shown = out.strip()
    sent = {d.name: d.value for d in parse_sd_jwt(shown).disclosures}
    assert set(sent) == {"age_anchor", "residence", "resident_county"}
    assert sent["resident_county"] == "370102"
    assert "1958" not in json.dumps(list(sent.values()))
    derived = _key_binding(shown)["derived"]
    assert derived["resident_of"] == "370102"
    assert derived["age_at_least"]["years"] == 60
    assert len(derived["age_at_least"]["proof"]) == 43


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--prove", "age_at_least:70"), "不能证明于"),
        (("--prove", "age_at_least:121"), "年龄应为 1 至 120 的整数"),
        (("--prove", "resident_of:3702"), "证照记载的住址不在 3702 内"),
        (("--prove", "resident_of:37010"), "行政区划代码应为 2、4 或 6 位数字"),
        (("--prove", "height_at_least:180"), "未知的推导声明"),
        (
            ("--disclose", "birth_date"),
            "居民身份证的出生日期不得单独披露，须同时披露姓名或持证主体代码",
        ),
        (("--disclose", "address,sex"), "居民身份证的性别、住址不得单独披露"),
        (("--disclose", "age_seed"), "该证照不能披露 age_seed"),
    ],
)
def test_what_the_wallet_will_not_show_exits_1_saying_why(
    held: str, options: tuple[str, ...], says: str
) -> None:
    code, out, err = present(held, *options)
    assert code == 1
    assert out == ""
    assert says in err


def test_the_wallet_lists_what_it_can_show_and_not_the_seed(held: str) -> None:
    (listed,) = json.loads(CliRunner().invoke(app, ["list", "--json"]).stdout)
    assert {"age_anchor", "residence", "resident_city", "birth_date"} <= set(listed["disclosable"])
    assert "age_seed" not in listed["disclosable"]


def test_a_graded_field_beside_the_holder_code_is_shown(held: str) -> None:
    code, out, err = present(held, "--disclose", "holder_id,birth_date")
    assert code == 0, err
    assert {d.name for d in parse_sd_jwt(out.strip()).disclosures} == {
        "face",
        "holder_id",
        "birth_date",
    }
