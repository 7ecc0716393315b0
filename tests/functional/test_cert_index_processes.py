"""The provincial certificate index with real node processes (``certfree cluster up``): two
cities each issue a certificate to the same resident over HTTP; ``certfree certs index
harvest --all`` at the province takes both cities' entries and trust lists; a verifier holding
only the province's saved trust list verifies both certificates offline; the resident sees
both in one listing through the province and fetches each from its city; a revocation at a
city reaches the province at the next harvest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from certfree import certs
from certfree.certs import TrustList
from certfree.cli import app
from certfree.demo.cluster import cluster_up, sqlite_session
from certfree.demo.cluster_desk import node_settings
from certfree.demo.cluster_processes import cluster_down
from certfree.demo.devices import DemoNode, mint
from certfree.population import SEX_ZH, Person
from certfree.wallet import HolderKey, present

pytestmark = pytest.mark.slow

PROVINCE, JINAN, QINGDAO = "370000", "370100", "370200"
SOCIAL_SECURITY = "11100000000013506Y001"  # 社会保障卡: a city's 人社 organ, its residents
SKILLS = "11100000000013506Y002"  # 技能人员职业资格证书: province-wide, any city's 人社 organ
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("index-cluster")
    manifest = cluster_up(directory, cities=2, departments=[], citizens=1000, seed=14)
    manifest["directory"] = directory
    try:
        yield manifest
    finally:
        cluster_down(directory, grace=3)


def _node(cluster: dict[str, Any], code: str) -> DemoNode:
    entry = cluster["nodes"][code]
    return DemoNode(code, entry["url"], node_settings(entry, code))


def _token(
    cluster: dict[str, Any], code: str, role: str, subject: str, org: str | None = None
) -> str:
    return mint(_node(cluster, code), role, subject, organisation=org)


def _resident(directory: Path) -> Person:
    with sqlite_session(directory / "template.db") as session:
        person = session.scalars(
            select(Person)
            .where(Person.address_code.startswith("3701"), Person.deceased.is_(False))
            .order_by(Person.birth_date)
            .limit(1)
        ).one()
        session.expunge(person)
        return person


def _face(code: str, person: Person) -> dict[str, Any]:
    face = dict(certs.cert_type(code).example)
    face.update(name=person.name, id_number=person.id_number)
    if "sex" in face:
        face["sex"] = SEX_ZH[person.sex]
    if "birth_date" in face:
        face["birth_date"] = person.birth_date.isoformat()
    return face


def _issue(cluster: dict[str, Any], city: str, code: str, person: Person, jwk: Any) -> str:
    admin = _token(cluster, city, "department_admin", "rs", f"{city}-RS")
    response = httpx.post(
        f"{cluster['nodes'][city]['url']}/api/v1/certificates",
        json={"type_code": code, "holder_id": person.id_number, "face_data": _face(code, person),
              "holder_jwk": jwk},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["credential"])


def _province(cluster: dict[str, Any], *args: str) -> Any:
    env = json.loads((Path(cluster["nodes"][PROVINCE]["dir"]) / "env.json").read_text())
    result = runner.invoke(app, ["certs", "index", *args], env=env)
    return result


def test_two_cities_one_index_one_trust_list_one_wallet(
    cluster: dict[str, Any], tmp_path: Path
) -> None:
    person = _resident(Path(cluster["directory"]))
    holder = HolderKey.generate()
    jinan = _issue(cluster, JINAN, SOCIAL_SECURITY, person, holder.public_jwk())
    qingdao = _issue(cluster, QINGDAO, SKILLS, person, holder.public_jwk())

    harvested = _province(cluster, "harvest", "--all", "--json")

    assert harvested.exit_code == 0, harvested.output
    reports = {r["node"]: r for r in json.loads(harvested.stdout)}
    assert reports[PROVINCE]["status"] == "ok"  # its own issuance, read in-process
    assert (reports[JINAN]["status"], reports[JINAN]["created"]) == ("ok", 1)
    assert (reports[QINGDAO]["status"], reports[QINGDAO]["created"]) == ("ok", 1)
    assert reports[JINAN]["issuers"] >= 1
    assert reports[QINGDAO]["issuers"] >= 1

    # A verifier anywhere, offline, with nothing but the files the province handed out:
    # its one trust list and the status lists it names (fetched from each city beforehand).
    saved, status_dir = tmp_path / "province-trust.jwt", tmp_path / "status"
    exported = _province(cluster, "trust-list", str(saved), "--status-dir", str(status_dir))
    assert exported.exit_code == 0, exported.output
    trust = TrustList.load(saved)
    assert trust.publisher == PROVINCE
    assert trust.serial == 1
    assert len(list(status_dir.iterdir())) == len(trust.status_lists) >= 2
    for credential in (jinan, qingdao):
        shown = tmp_path / "shown.txt"
        shown.write_text(present(credential, holder, ["name"], audience="gate", nonce="n-1"))
        verified = runner.invoke(
            app,
            ["certs", "verify", str(shown), "--audience", "gate", "--nonce", "n-1", "--offline",
             "--trust-list", str(saved), "--status-dir", str(status_dir), "--json"],
            env={"CERTFREE_DATABASE_URL": "sqlite:////nonexistent/offline.db"},
        )  # fmt: skip
        assert verified.exit_code == 0, verified.output
        assert json.loads(verified.stdout)["valid"] is True

    # One wallet: the resident, signed in at the province, sees both cities' certificates.
    token = _token(cluster, PROVINCE, "applicant", person.id_number)
    mine = httpx.get(
        f"{cluster['nodes'][PROVINCE]['url']}/api/v1/me/certificates/index",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert mine.status_code == 200, mine.text
    assert sorted((e["node"], e["type_code"], e["status"]) for e in mine.json()) == [
        (JINAN, SOCIAL_SECURITY, "issued"), (QINGDAO, SKILLS, "issued"),
    ]  # fmt: skip
    assert "holder_commitment" not in mine.json()[0]
    assert "face_data" not in mine.json()[0]
    other = _token(cluster, PROVINCE, "applicant", "110101199003070011")
    nobody = httpx.get(
        f"{cluster['nodes'][PROVINCE]['url']}/api/v1/me/certificates/index",
        headers={"Authorization": f"Bearer {other}"},
        timeout=30,
    )
    assert nobody.status_code == 200
    assert nobody.json() == []
    wallet = _province(
        cluster, "wallet", "--province", cluster["nodes"][PROVINCE]["url"], "--token", token,
        "--node-token", f"{JINAN}={_token(cluster, JINAN, 'applicant', person.id_number)}",
        "--node-token", f"{QINGDAO}={_token(cluster, QINGDAO, 'applicant', person.id_number)}",
        "--json",
    )  # fmt: skip
    assert wallet.exit_code == 0, wallet.output
    fetched = {g["node"]: g["credential"] for g in json.loads(wallet.stdout)}
    assert fetched == {JINAN: jinan, QINGDAO: qingdao}

    # A revocation at 济南 reaches the province at the next harvest.
    identifier = next(e["identifier"] for e in mine.json() if e["node"] == JINAN)
    admin = _token(cluster, JINAN, "department_admin", "rs", f"{JINAN}-RS")
    revoked = httpx.post(
        f"{cluster['nodes'][JINAN]['url']}/api/v1/certificates/{identifier}/revoke",
        json={"reason": "lost"}, headers={"Authorization": f"Bearer {admin}"}, timeout=30,
    )  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    again = _province(cluster, "harvest", "--all", "--json")
    assert again.exit_code == 0, again.output
    second = {r["node"]: r for r in json.loads(again.stdout)}
    assert (second[JINAN]["created"], second[JINAN]["updated"]) == (0, 1)
    assert (second[QINGDAO]["created"], second[QINGDAO]["updated"]) == (0, 0)
    after = httpx.get(
        f"{cluster['nodes'][PROVINCE]['url']}/api/v1/me/certificates/index",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert {e["node"]: e["status"] for e in after} == {JINAN: "revoked", QINGDAO: "issued"}
