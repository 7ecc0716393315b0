"""Edge processing (端侧处理) over HTTP: a resident ID card issued by the node, the holder's
wallet proving "aged 35 or over" and "resident of 3701" on the device, the node's verifier
checking both without the birth date or address; and graded fields never disclosed alone."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.crypto import parse_sd_jwt, present_sd_jwt
from certfree.wallet import DisclosedAlone, HolderKey, ProofNotPossible, present
from factories.certificates import ID_CARD, example_face

pytestmark = pytest.mark.usefixtures("demo_registry")

HOLDER = "370102195803150139"  # born 15 March 1958, living in 370102 (历下区, 济南市)
AUD = "certfree:verifier:hotel-desk"


@pytest.fixture
def card(client: TestClient) -> tuple[HolderKey, str]:
    """A resident ID card issued over the API by 济南市公安局 to the holder's wallet key."""
    key = HolderKey.generate()
    token = client.app.state.node.tokens.issue(  # type: ignore[attr-defined]
        "department_admin", "admin-ga", organisation="370100-GA"
    )
    issued = client.post(
        "/api/v1/certificates",
        json={
            "type_code": ID_CARD,
            "holder_id": HOLDER,
            "face_data": example_face(ID_CARD),
            "holder_jwk": key.public_jwk(),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert issued.status_code == 201, issued.text
    return key, issued.json()["credential"]


def _verify(client: TestClient, token_for: Callable[..., Any], shown: str, nonce: str) -> Any:
    answer = client.post(
        "/api/v1/verifications",
        json={"presentation": shown, "audience": AUD, "nonce": nonce},
        headers=token_for("verifier", "hotel-desk"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _kb(shown: str) -> dict[str, Any]:
    payload = shown.rsplit("~", 1)[1].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "==")))


def test_age_and_residence_are_proved_without_the_birth_date_or_the_address(
    client: TestClient, token_for: Callable[..., Any], card: tuple[HolderKey, str]
) -> None:
    key, credential = card
    shown = present(
        credential, key, [], audience=AUD, nonce="n-1",
        prove=["age_at_least:35", "resident_of:370100"],
    )  # fmt: skip
    # What travels: the sealed anchor, the city level and the proof; no date, no address.
    assert "1958" not in shown
    sent = {d.name: d.value for d in parse_sd_jwt(shown).disclosures}
    assert set(sent) == {"age_anchor", "residence", "resident_city"}
    assert "age_seed" not in json.dumps(sent)
    assert sent["resident_city"] == "3701"
    assert _kb(shown)["derived"]["age_at_least"]["years"] == 35

    result = _verify(client, token_for, shown, "n-1")
    assert result["valid"], result["failed_checks"]
    assert result["derived"] == {"age_at_least": 35, "resident_of": "3701"}
    assert result["disclosed"] == []
    assert "birth_date" not in result["claims"]
    assert not {"age_anchor", "residence", "resident_city"} & set(result["claims"])
    assert "1958" not in json.dumps(result)
    # The holder's log of uses names what was proved, never the age or the division proved.
    mine = client.get("/api/v1/me/certificate-uses", headers=token_for("applicant", HOLDER))
    (use,) = mine.json()
    assert use["disclosed"] == ["age_at_least", "resident_of"]
    assert "出示项目：年龄（端侧证明）、居住地（端侧证明）" in use["description"]


def test_a_proof_stretched_to_an_older_age_is_refused_by_the_verifier(
    client: TestClient, token_for: Callable[..., Any], card: tuple[HolderKey, str]
) -> None:
    key, credential = card
    honest = present(credential, key, [], audience=AUD, nonce="n-2", prove=["age_at_least:60"])
    claimed = _kb(honest)["derived"]["age_at_least"]
    # The holder signs a statement of 70 with the proof of 60: one key binding, wrong maths.
    stretched = present_sd_jwt(
        credential, ["age_anchor"], key.signer(), audience=AUD, nonce="n-2",
        kb_claims={"derived": {"age_at_least": {**claimed, "years": 70}}},
    )  # fmt: skip
    result = _verify(client, token_for, stretched, "n-2")
    assert not result["valid"]
    (failed,) = result["failed_checks"]
    assert (failed["check"], failed["reason"]) == ("derived", "age_proof_mismatch")
    assert "年满 70 周岁" in failed["message_zh"]
    assert "aged 70" in failed["message"]
    assert result["derived"] == {}
    # The wallet itself will not try: born in 1958, the holder is not yet 70.
    with pytest.raises(ProofNotPossible, match="年满 70 周岁"):
        present(credential, key, [], audience=AUD, nonce="n-3", prove=["age_at_least:70"])
    with pytest.raises(ProofNotPossible, match="不在 3702 内"):
        present(credential, key, [], audience=AUD, nonce="n-3", prove=["resident_of:3702"])


def test_a_birth_date_alone_is_refused_by_the_wallet_and_by_the_verifier(
    client: TestClient, token_for: Callable[..., Any], card: tuple[HolderKey, str]
) -> None:
    key, credential = card
    with pytest.raises(DisclosedAlone, match="居民身份证的出生日期不得单独披露") as refused:
        present(credential, key, ["birth_date"], audience=AUD, nonce="n-4")
    assert refused.value.field == "disclose"
    assert "disclose Name or holder code with it" in refused.value.message
    # Made without the wallet's check, the verifier refuses it by name.
    lone = present_sd_jwt(credential, ["birth_date"], key.signer(), audience=AUD, nonce="n-4")
    result = _verify(client, token_for, lone, "n-4")
    assert not result["valid"]
    (failed,) = result["failed_checks"]
    assert (failed["check"], failed["reason"]) == ("disclosure_rule", "disclosed_alone")
    assert failed["message_zh"] == "居民身份证的出生日期不得单独披露，须同时披露姓名或持证主体代码"
    assert failed["message"] == (
        "Date of birth may not be disclosed alone on a Resident identity card: "
        "disclose Name or holder code with it"
    )
    assert result["claims"] == {}
    # Beside the name it is a presentation like any other.
    named = present(credential, key, ["name", "birth_date"], audience=AUD, nonce="n-5")
    shown = _verify(client, token_for, named, "n-5")
    assert shown["valid"], shown["failed_checks"]
    assert shown["claims"]["birth_date"] == "1958-03-15"
