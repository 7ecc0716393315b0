"""The pilot journeys (试点事项) on the demo cluster, through real node processes.

One cluster for the module (``certfree cluster up``): the province and 济南 with civil
affairs, public security, natural resources and health as department processes; market
regulation and tax are hosted by each region node, which holds the registers it writes when
it registers a firm. Every journey is accepted at 济南's node and driven by ``certfree apply``
(the desk's clerk and, on a demo node, each party's phone: consent attested by the province,
the wallet, presentations and commitments). A party's result certificate is presented from
their wallet with ``certfree wallet present`` and verified by the node that issued it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from certfree.cli import app
from certfree.demo.cluster import (
    ClusterNode,
    alive,
    cluster_down,
    cluster_up,
    start_node,
    wait_healthy,
)
from certfree.demo.cluster_desk import clerk_token, node_settings
from certfree.demo.devices import DemoNode, mint

pytestmark = pytest.mark.slow  # ten node processes on one demo world

CITY, PROVINCE = "370100", "370000"
MZ, GA, ZR = "370100-MZ", "370100-GA", "370100-ZR"
SW, SJ = "370100-SW", "370100-SJ"  # hosted by the city
ID_CARD = "11100000000013047R001"
HOUSEHOLD_REGISTER = "11100000000013047R002"
MARRIAGE_CERTIFICATE = "111000000000132071001"
ELDERLY_CARD = "11100000000013709K001"
BUSINESS_LICENCE = "111000000000141036001"
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("pilot")
    manifest = cluster_up(
        directory,
        cities=1,
        departments=["MZ", "GA", "ZR", "WJ"],
        hosted=["SJ", "SW"],
        citizens=1000,
        seed=11,
    )
    try:
        yield {"dir": directory, **manifest}
    finally:
        cluster_down(directory, grace=3)


# -- the command line -------------------------------------------------------------------------


def apply(cluster: dict[str, Any], *args: str, code: int = 0) -> Any:
    """``certfree apply ARGS --url <济南> --dir <cluster>``; the printed application when
    ``--json`` is among ARGS and it succeeded, else the result."""
    where = ["--url", cluster["nodes"][CITY]["url"], "--dir", str(cluster["dir"])]
    done = runner.invoke(app, ["apply", *args, *where])
    assert done.exit_code == code, f"apply {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return json.loads(done.stdout) if "--json" in args and code == 0 else done


def _journey(cluster: dict[str, Any], service: str, applicant: str, *extra: str) -> str:
    """Start, and every party consents to what is asked about them (and registers the key
    of their wallet, which the result certificate is bound to); the application's id."""
    started = apply(cluster, "start", service, "--applicant", applicant, *extra, "--json")
    for party in started["parties"]:
        apply(cluster, "consent", started["id"], "--party", party["id"])
    return str(started["id"])


def _decided(cluster: dict[str, Any], app_id: str, *, submit: bool = True) -> dict[str, Any]:
    """Submitted (unless it already is) and approved by the desk: as ``apply show`` has it."""
    if submit:
        apply(cluster, "submit", app_id)
    decided: dict[str, Any] = apply(cluster, "decide", app_id, "--approve", "--json")
    assert decided["state"] == "decided"
    assert decided["decision"] == "approved"
    assert decided == apply(cluster, "show", app_id, "--json")
    return decided


def _requirement(view: dict[str, Any], text: str) -> dict[str, Any]:
    return next(r for r in view["requirements"] if r["requirement"] == text)


def _all_met(view: dict[str, Any]) -> None:
    assert {r["requirement"]: r["status"] for r in view["requirements"]} == {
        r["requirement"]: "met" for r in view["requirements"]
    }


def _answer(requirement: dict[str, Any]) -> dict[str, Any]:
    """The one signed data-sharing answer that met ``requirement``."""
    (part,) = requirement["parts"]
    assert part["way"] == "data_sharing"
    assert part["status"] == "met"
    assert part["proof"]["answer_jws"].count(".") == 2
    proof: dict[str, Any] = part["proof"]
    return proof


# -- the demo world ---------------------------------------------------------------------------


def _world(cluster: dict[str, Any]) -> sqlite3.Connection:
    return sqlite3.connect(Path(cluster["dir"]) / "template.db")


_TAKEN: set[str] = set()


def _take(cluster: dict[str, Any], sql: str, *params: Any) -> list[str]:
    """The first row of ``sql`` over the demo world whose people no journey took yet."""
    with _world(cluster) as world:
        for row in world.execute(sql, params):
            people = [str(v) for v in row]
            if not _TAKEN & set(people) and len(set(people)) == len(people):
                _TAKEN.update(people)
                return people
    pytest.fail(f"the demo world has no such people: {sql}")


# Living people registered in 济南 (the accepting node's city); never married.
_SINGLE = """SELECT id_number FROM persons p WHERE p.deceased = 0 AND p.address_code LIKE '3701%'
    AND p.sex = ? AND p.birth_date < ? AND NOT EXISTS (SELECT 1 FROM marriages m
    WHERE m.party_a_id = p.id_number OR m.party_b_id = p.id_number) ORDER BY birth_date DESC"""
_BORN_BETWEEN = """SELECT id_number FROM persons p WHERE p.deceased = 0
    AND p.address_code LIKE '3701%' AND p.birth_date BETWEEN ? AND ? ORDER BY id_number"""
_OWNERS = """SELECT t.owner_id FROM property_titles t JOIN persons p ON p.id_number = t.owner_id
    WHERE p.deceased = 0 AND p.address_code LIKE '3701%' ORDER BY t.owner_id"""
# An owner of a home in 济南 and another adult of their household.
_HOST_AND_RELATIVE = """SELECT t.owner_id, p.id_number FROM property_titles t
    JOIN persons h ON h.id_number = t.owner_id
    JOIN persons p ON p.household_no = h.household_no AND p.id_number <> h.id_number
    WHERE h.deceased = 0 AND p.deceased = 0 AND h.address_code LIKE '3701%'
    AND p.birth_date < ? ORDER BY t.owner_id"""


def _born_before(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years).isoformat()


def _single(cluster: dict[str, Any], sex: str) -> str:
    return _take(cluster, _SINGLE, sex, _born_before(22))[0]


def _adults(cluster: dict[str, Any], count: int) -> list[str]:
    between = (_born_before(59), _born_before(25))
    return [_take(cluster, _BORN_BETWEEN, *between)[0] for _ in range(count)]


def _elder(cluster: dict[str, Any]) -> str:
    return _take(cluster, _BORN_BETWEEN, "1900-01-01", _born_before(61))[0]


def _owner(cluster: dict[str, Any]) -> str:
    return _take(cluster, _OWNERS)[0]


# -- wallets, certificates, nodes -------------------------------------------------------------


def _wallet(cluster: dict[str, Any], person: str) -> Path:
    return Path(cluster["dir"]) / "wallets" / person


def _held(cluster: dict[str, Any], person: str) -> dict[str, dict[str, Any]]:
    """``person``'s wallet as `certfree wallet list` shows it, by certificate id."""
    wallet = str(_wallet(cluster, person))
    listed = runner.invoke(app, ["wallet", "list", "--wallet", wallet, "--json"])
    assert listed.exit_code == 0, listed.stderr
    return {c["identifier"]: c for c in json.loads(listed.stdout)}


def _verified(
    cluster: dict[str, Any], keeper: str, certificate_id: str, disclose: str
) -> dict[str, Any]:
    """The certificate presented from ``keeper``'s wallet (`certfree wallet present`) and
    verified by 济南's node (POST /api/v1/verifications) as a clerk there."""
    nonce = f"n-{time.monotonic_ns()}"
    shown = runner.invoke(
        app,
        [
            *("wallet", "present", certificate_id, "--wallet", str(_wallet(cluster, keeper))),
            *("--audience", "desk:370100", "--nonce", nonce, "--disclose", disclose),
        ],
    )
    assert shown.exit_code == 0, shown.stderr
    city = cluster["nodes"][CITY]
    verified = httpx.post(
        f"{city['url']}/api/v1/verifications",
        json={"presentation": shown.stdout.strip(), "audience": "desk:370100", "nonce": nonce},
        headers={"Authorization": f"Bearer {clerk_token(city, CITY)}"},
        timeout=30,
    )
    assert verified.status_code == 200, verified.text
    result: dict[str, Any] = verified.json()
    assert result["valid"], result["failed_checks"]
    return result


def _stop(cluster: dict[str, Any], code: str) -> None:
    pid = int(cluster["nodes"][code]["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10  # until it has exited (its port closed)
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def _restart(cluster: dict[str, Any], code: str) -> None:
    """Start node ``code`` again as before (its directory, port and environment), and record
    its new pid in the manifest so that ``cluster down`` stops it."""
    entry = cluster["nodes"][code]
    directory = Path(entry["dir"])
    node = ClusterNode(
        code,
        entry["name"],
        entry["level"],
        entry["parent"],
        int(entry["url"].rsplit(":", 1)[1]),
        directory,
    )
    entry["pid"] = start_node(node, json.loads((directory / "env.json").read_text()))
    path = Path(cluster["dir"]) / "cluster.json"
    manifest = json.loads(path.read_text())
    manifest["nodes"][code]["pid"] = entry["pid"]
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    assert wait_healthy({code: entry["url"]}, 60) == []


# -- the journeys -----------------------------------------------------------------------------


def test_a_marriage_is_registered_and_each_party_holds_a_certificate(
    cluster: dict[str, Any],
) -> None:
    groom, bride = _single(cluster, "male"), _single(cluster, "female")

    app_id = _journey(cluster, "内地居民结婚登记", groom, "--party", f"spouse={bride}")
    ran = apply(cluster, "run", app_id, "--json")

    _all_met(ran)
    statuses = {"申请人婚姻状况（无配偶）": groom, "另一方当事人婚姻状况（无配偶）": bride}
    for text, person in statuses.items():
        status = _requirement(ran, text)
        assert status["subject"] == person
        proof = _answer(status)
        assert status["parts"][0]["node"] == MZ  # civil affairs, over the network
        assert status["parts"][0]["args"] == {"id_number": person}
        assert proof["signer"] == MZ
        assert proof["answer"] == {"status": "unmarried"}
    for text, person in (("申请人身份", groom), ("另一方当事人身份", bride)):
        identity = _requirement(ran, text)
        assert identity["way"] == "e_certificate"
        assert identity["parts"][0]["proof"]["type"] == ID_CARD
        assert identity["parts"][0]["proof"]["disclosed"] == {"holder_id": person}
    # 《婚姻登记条例》第五条: the declaration of no close kinship is signed, not proven.
    declared = _requirement(ran, "双方没有直系血亲和三代以内旁系血亲关系")
    assert declared["way"] == "commitment"
    assert {"commitment_id", "seal"} <= declared["parts"][0]["proof"].keys()

    decided = _decided(cluster, app_id)

    issued = {c["holder"]: c for c in decided["issued"]}
    assert issued.keys() == {groom, bride}
    assert {c["type"] for c in issued.values()} == {MARRIAGE_CERTIFICATE}
    assert decided["proofs_not_demanded"] == len(decided["requirements"])
    numbers = set()
    for person in (groom, bride):
        certificate = issued[person]["certificate_id"]
        assert _held(cluster, person)[certificate]["vct"] == MARRIAGE_CERTIFICATE
        shown = _verified(cluster, person, certificate, "registration_no,holder_id_number")
        assert shown["vct"] == MARRIAGE_CERTIFICATE
        assert shown["claims"]["holder_id_number"] == person
        numbers.add(shown["claims"]["registration_no"])
    assert len(numbers) == 1  # one registration, two certificates

    # Married now: a second marriage of the groom is refused (《民法典》第一千零四十二条).
    other = _single(cluster, "female")
    again = _journey(cluster, "内地居民结婚登记", groom, "--party", f"spouse={other}")
    apply(cluster, "run", again)
    apply(cluster, "submit", again)
    refused = apply(cluster, "decide", again, "--approve", code=1)
    assert "已登记结婚" in refused.stderr
    assert apply(cluster, "show", again, "--json")["state"] == "submitted"


def test_moving_in_with_a_relative_checks_the_hosts_home_and_kinship(
    cluster: dict[str, Any],
) -> None:
    host, applicant = _take(cluster, _HOST_AND_RELATIVE, _born_before(18))

    app_id = _journey(cluster, "投靠亲属落户", applicant, "--party", f"host={host}")
    ran = apply(cluster, "run", app_id, "--json")

    home = _requirement(ran, "被投靠人在迁入地有合法稳定住所")
    assert home["party"] == "host"
    assert home["subject"] == host
    assert home["parts"][0]["args"] == {"id_number": host}  # the host's, not the applicant's
    assert _answer(home)["signer"] == ZR
    assert _answer(home)["answer"] == {"owns": True}
    kin = _requirement(ran, "申请人与被投靠人的亲属关系")
    assert sorted(kin["parts"][0]["args"].values()) == sorted([applicant, host])
    assert _answer(kin)["signer"] == GA
    assert _answer(kin)["answer"] == {"same_household": True}
    own = _requirement(ran, "申请人户籍登记信息")
    assert own["way"] == "e_certificate"
    assert own["parts"][0]["proof"]["type"] == HOUSEHOLD_REGISTER
    # Moving out is verified by public security itself: the request waits in its inbox.
    moved = _requirement(ran, "申请人户口迁出情况")
    assert moved["way"] == "department_verification"
    assert moved["status"] == "waiting"
    request = moved["parts"][0]["proof"]
    assert request["department"] == GA
    ga = cluster["nodes"][GA]
    admin = mint(
        DemoNode(GA, ga["url"], node_settings(ga, GA)),
        "department_admin",
        "ga-clerk",
        organisation=GA,
    )
    answered = httpx.post(
        f"{ga['url']}/api/v1/dept-verifications/{request['request_id']}/answer",
        json={"outcome": "confirmed"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    assert answered.status_code == 200, answered.text
    _all_met(apply(cluster, "run", app_id, "--json"))

    decided = _decided(cluster, app_id)

    assert [(c["type"], c["holder"]) for c in decided["issued"]] == [
        (HOUSEHOLD_REGISTER, applicant)
    ]
    entry = decided["issued"][0]["certificate_id"]
    assert _held(cluster, applicant)[entry]["vct"] == HOUSEHOLD_REGISTER
    shown = _verified(cluster, applicant, entry, "household_no,id_number")
    with _world(cluster) as world:
        (hosts_household,) = world.execute(
            "SELECT household_no FROM persons WHERE id_number = ?", (host,)
        ).fetchone()
    assert shown["claims"]["household_no"] == hosts_household
    assert shown["claims"]["id_number"] == applicant


def test_a_real_estate_transfer_is_checked_by_data(cluster: dict[str, Any]) -> None:
    seller = _owner(cluster)

    app_id = _journey(cluster, "不动产转移登记", seller)
    ran = apply(cluster, "run", app_id, "--json")

    _all_met(ran)
    title = _answer(_requirement(ran, "转让方对不动产享有所有权"))
    assert (title["signer"], title["answer"]) == (ZR, {"owns": True})
    married = _answer(_requirement(ran, "申请人婚姻状况（认定夫妻共同财产）"))
    assert married["signer"] == MZ
    assert married["answer"]["status"] in {"unmarried", "married", "divorced", "widowed"}
    tax = _answer(_requirement(ran, "已缴纳契税"))
    assert (tax["signer"], tax["answer"]) == (SW, {"tax_clear": True})

    decided = _decided(cluster, app_id)

    assert decided["issued"] == []  # the title itself is the register's, not an e-certificate
    assert decided["proofs_not_demanded"] == len(decided["requirements"])
    assert decided["trips_saved"] >= 3  # natural resources, civil affairs, tax


def test_the_elderly_card_is_issued_on_the_registers_answers(cluster: dict[str, Any]) -> None:
    elder = _elder(cluster)

    app_id = _journey(cluster, "老年人优待证办理", elder)
    ran = apply(cluster, "run", app_id, "--json")

    _all_met(ran)
    age = _requirement(ran, "申请人年满60周岁")
    assert age["parts"][0]["args"] == {"id_number": elder, "years": 60}
    # A yes from the population register, never the birth date (最小必要).
    assert (_answer(age)["signer"], _answer(age)["answer"]) == (GA, {"at_least": True})
    residence = _requirement(ran, "申请人户籍在山东省")
    assert residence["parts"][0]["args"] == {"id_number": elder, "division": "370000"}
    assert (_answer(residence)["signer"], _answer(residence)["answer"]) == (GA, {"resident": True})

    decided = _decided(cluster, app_id)

    (card,) = decided["issued"]
    assert (card["type"], card["holder"]) == (ELDERLY_CARD, elder)
    shown = _verified(cluster, elder, card["certificate_id"], "card_no")
    assert shown["vct"] == ELDERLY_CARD


def test_a_new_firm_is_registered_and_its_licence_serves_at_once(
    cluster: dict[str, Any],
) -> None:
    applicant, representative, shareholder = _adults(cluster, 3)
    name = "济南泉畔试点餐饮有限公司"
    form = {
        "name": name,
        "entity_type": "有限责任公司（自然人投资或控股）",
        "address": "山东省济南市历下区泉城路1号",
        "business_scope": "餐饮服务；食品销售",
        "registered_capital_wan": "50",
    }

    app_id = _journey(
        cluster,
        "企业设立登记",
        applicant,
        *("--party", f"representative={representative}"),
        *("--party", f"shareholder={shareholder}"),
        *(arg for field, value in form.items() for arg in ("--form", f"{field}={value}")),
    )
    ran = apply(cluster, "run", app_id, "--json")

    _all_met(ran)
    assert _requirement(ran, "法定代表人身份")["subject"] == representative
    assert _requirement(ran, "股东（投资人）主体资格")["subject"] == shareholder
    assert _requirement(ran, "有权使用登记的住所（经营场所）")["way"] == "commitment"

    decided = _decided(cluster, app_id)

    (licence,) = decided["issued"]
    firm = licence["holder"]
    assert licence["type"] == BUSINESS_LICENCE
    assert licence["party"] == "representative"
    assert firm[:2] == "91"  # GB 32100: registered by market regulation, an enterprise
    # The licence is in the legal representative's wallet, and shows the form at once.
    assert _held(cluster, representative)[licence["certificate_id"]]["vct"] == BUSINESS_LICENCE
    shown = _verified(cluster, representative, licence["certificate_id"], "uscc,name,entity_type")
    assert shown["claims"]["uscc"] == firm
    assert shown["claims"]["name"] == name
    assert shown["claims"]["entity_type"] == form["entity_type"]

    # The same minute the new firm applies for the fire-safety check before opening: its tax
    # standing is answered by the register the registration wrote (多证合一).
    check = apply(
        cluster, "start", "公众聚集场所投入使用、营业前消防安全检查", "--applicant", firm, "--json"
    )
    ran = apply(cluster, "run", check["id"], "--json")
    tax = _requirement(ran, "经营者无欠税")
    assert tax["status"] == "met"
    assert tax["parts"][0]["args"] == {"uscc": firm}
    assert (_answer(tax)["signer"], _answer(tax)["answer"]) == (SW, {"tax_clear": True})


def test_a_journey_waits_for_a_department_node_that_is_down_and_completes_after(
    cluster: dict[str, Any],
) -> None:
    elder = _elder(cluster)
    _stop(cluster, GA)
    try:
        app_id = _journey(cluster, "老年人优待证办理", elder)
        ran = apply(cluster, "run", app_id, "--json")

        for text in ("申请人年满60周岁", "申请人户籍在山东省"):
            waiting = _requirement(ran, text)
            assert waiting["status"] == "waiting"
            (part,) = waiting["parts"]
            assert (part["status"], part["node"]) == ("waiting", GA)
            assert GA in part["error"]
        apply(cluster, "submit", app_id)
        refused = apply(cluster, "decide", app_id, "--approve", code=1)
        assert "申请人年满60周岁" in refused.stderr
    finally:
        _restart(cluster, GA)

    ran = apply(cluster, "run", app_id, "--json")  # asked again, now answered

    _all_met(ran)
    assert _answer(_requirement(ran, "申请人年满60周岁"))["answer"] == {"at_least": True}
    decided = _decided(cluster, app_id, submit=False)
    assert [(c["type"], c["holder"]) for c in decided["issued"]] == [(ELDERLY_CARD, elder)]
