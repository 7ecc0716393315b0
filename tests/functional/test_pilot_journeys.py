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

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from certfree.cli import app
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_desk import node_settings
from certfree.demo.cluster_processes import cluster_down
from certfree.demo.devices import DemoNode, mint
from certfree.exchange import ProviderRefused
from helpers.pilot import People, held, restart_node, send_as, stop_node, verified_at

pytestmark = pytest.mark.slow  # ten node processes on one demo world

CITY, PROVINCE = "370100", "370000"
MZ, GA, ZR = "370100-MZ", "370100-GA", "370100-ZR"
SW, SJ = "370100-SW", "370100-SJ"  # hosted by the city
PROVINCE_GA = "370000-GA"
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
        yield {"dir": directory, "people": People(directory), **manifest}
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


def _married_at_civil_affairs(view: dict[str, Any], text: str, person: str) -> bool:
    """Whether civil affairs (370100-MZ) answered ``text`` about ``person``: married, which
    fails the requirement of no spouse (无配偶)."""
    requirement = _requirement(view, text)
    (part,) = requirement["parts"]
    proof = part["proof"]
    return (
        requirement["subject"] == person
        and requirement["status"] == "failed"
        and (proof["signer"], proof["answer"]) == (MZ, {"status": "married"})
    )


def _answer(requirement: dict[str, Any]) -> dict[str, Any]:
    """The one signed data-sharing answer that met ``requirement``."""
    (part,) = requirement["parts"]
    assert part["way"] == "data_sharing"
    assert part["status"] == "met"
    assert part["proof"]["answer_jws"].count(".") == 2
    proof: dict[str, Any] = part["proof"]
    return proof


# -- the journeys -----------------------------------------------------------------------------


def test_a_marriage_is_registered_and_each_party_holds_a_certificate(
    cluster: dict[str, Any],
) -> None:
    groom, bride = cluster["people"].single("male"), cluster["people"].single("female")

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
        assert held(cluster, person)[certificate]["vct"] == MARRIAGE_CERTIFICATE
        shown = verified_at(cluster, CITY, person, certificate, "registration_no,holder_id_number")
        assert shown["vct"] == MARRIAGE_CERTIFICATE
        assert shown["claims"]["holder_id_number"] == person
        numbers.add(shown["claims"]["registration_no"])
    assert len(numbers) == 1  # one registration, two certificates

    # Civil affairs was told (a signed register notice), so its register answers for both.
    notices = {e["detail"]["notice"]: e for e in decided["events"] if e["action"] == "notice"}
    assert [(e["detail"]["to"], e["detail"]["act"]) for e in notices.values()] == [
        (MZ, "marriage_registered")
    ]
    delivered = [e for e in decided["events"] if e["action"] == "notice_delivered"]
    assert [(e["detail"]["notice"], e["detail"]["written"]) for e in delivered] == [
        (next(iter(notices)), True)
    ]
    # Married now: a second marriage of the groom is refused (《民法典》第一千零四十二条),
    # civil affairs itself answering that he is married.
    other = cluster["people"].single("female")
    again = _journey(cluster, "内地居民结婚登记", groom, "--party", f"spouse={other}")
    ran_again = apply(cluster, "run", again, "--json")
    assert _married_at_civil_affairs(ran_again, "申请人婚姻状况（无配偶）", groom)
    apply(cluster, "submit", again)
    refused = apply(cluster, "decide", again, "--approve", code=1)
    # Refused on civil affairs' answer, before the city's own register is consulted (a city
    # whose register had not heard of the marriage would refuse it the same way).
    assert "申请条件「申请人婚姻状况（无配偶）」尚未满足" in refused.stderr
    assert apply(cluster, "show", again, "--json")["state"] == "submitted"


def test_moving_in_with_a_relative_checks_the_hosts_home_and_kinship(
    cluster: dict[str, Any],
) -> None:
    host, applicant = cluster["people"].host_and_relative()

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
    assert held(cluster, applicant)[entry]["vct"] == HOUSEHOLD_REGISTER
    shown = verified_at(cluster, CITY, applicant, entry, "household_no,id_number")
    assert shown["claims"]["household_no"] == cluster["people"].household_of(host)
    assert shown["claims"]["id_number"] == applicant


def test_a_real_estate_transfer_is_checked_by_data(cluster: dict[str, Any]) -> None:
    seller = cluster["people"].owner()

    app_id = _journey(cluster, "不动产转移登记", seller)
    ran = apply(cluster, "run", app_id, "--json")

    _all_met(ran)
    title = _answer(_requirement(ran, "转让方对不动产享有所有权"))
    assert (title["signer"], title["answer"]) == (ZR, {"owns": True})
    married = _answer(_requirement(ran, "申请人婚姻状况（认定夫妻共同财产）"))
    assert married["signer"] == MZ
    assert married["answer"]["status"] in {"unmarried", "married", "divorced", "widowed"}
    tax = _answer(_requirement(ran, "已缴纳契税"))
    # 税务 is hosted by the city: the city signs the answer it gives for 370100-SW.
    assert (tax["provider"], tax["signer"], tax["answer"]) == (SW, CITY, {"tax_clear": True})

    decided = _decided(cluster, app_id)

    assert decided["issued"] == []  # the title itself is the register's, not an e-certificate
    assert decided["proofs_not_demanded"] == len(decided["requirements"])
    assert decided["trips_saved"] >= 3  # natural resources, civil affairs, tax


def test_the_elderly_card_is_issued_on_the_registers_answers(cluster: dict[str, Any]) -> None:
    elder = cluster["people"].elder()

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
    # The card number beside the name: a graded field is never disclosed alone.
    shown = verified_at(cluster, CITY, elder, card["certificate_id"], "name,card_no")
    assert shown["vct"] == ELDERLY_CARD


def test_a_new_firm_is_registered_and_its_licence_serves_at_once(
    cluster: dict[str, Any],
) -> None:
    applicant, representative, shareholder = cluster["people"].adults(3)
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
    assert held(cluster, representative)[licence["certificate_id"]]["vct"] == BUSINESS_LICENCE
    shown = verified_at(
        cluster, CITY, representative, licence["certificate_id"], "uscc,name,entity_type"
    )
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
    answered = _answer(tax)
    assert (answered["provider"], answered["signer"], answered["answer"]) == (
        SW,
        CITY,
        {"tax_clear": True},
    )


def test_a_journey_goes_around_a_department_node_that_is_down(cluster: dict[str, Any]) -> None:
    elder = cluster["people"].elder()
    stop_node(cluster, GA)
    try:
        app_id = _journey(cluster, "老年人优待证办理", elder)
        first = apply(cluster, "run", app_id, "--json")
        again = apply(cluster, "run", app_id, "--json")
        decided = _decided(cluster, app_id)
    finally:
        restart_node(cluster, GA)

    # The city's public security did not answer: the plan was made again around it, and the
    # province's public security (the cascade's next provider) answers the same questions.
    for text in ("申请人年满60周岁", "申请人户籍在山东省"):
        replanned = _requirement(first, text)
        assert replanned["status"] == "planned"
        assert replanned["parts"][0]["node"] == PROVINCE_GA
        assert "原途径节点不可用" in replanned["explanation_zh"]
        assert _answer(_requirement(again, text))["signer"] == PROVINCE_GA
    _all_met(again)
    assert [(c["type"], c["holder"]) for c in decided["issued"]] == [(ELDERLY_CARD, elder)]


def test_civil_affairs_hears_of_a_marriage_when_it_is_back_and_refuses_forged_notices(
    cluster: dict[str, Any],
) -> None:
    groom, bride = cluster["people"].single("male"), cluster["people"].single("female")
    app_id = _journey(cluster, "内地居民结婚登记", groom, "--party", f"spouse={bride}")
    _all_met(apply(cluster, "run", app_id, "--json"))
    apply(cluster, "submit", app_id)

    stop_node(cluster, MZ)
    try:
        decided = apply(cluster, "decide", app_id, "--approve", "--json")
        while_down = apply(cluster, "show", app_id, "--json")
    finally:
        restart_node(cluster, MZ)
    back = apply(cluster, "show", app_id, "--json")

    # Approved at the city while civil affairs was down: the notice waits, queued ...
    assert decided["decision"] == "approved"
    for view in (decided, while_down):
        actions = [e["action"] for e in view["events"]]
        assert "notice" in actions
        assert "notice_delivered" not in actions
    # ... and the next showing of the application delivers it, once.
    (delivered,) = [e for e in back["events"] if e["action"] == "notice_delivered"]
    assert (delivered["actor"], delivered["detail"]["to"]) == (f"node:{MZ}", MZ)
    assert delivered["detail"]["written"] is True
    assert apply(cluster, "show", app_id, "--json")["events"] == back["events"]
    # Civil affairs answers that each party is married.
    again = _journey(
        cluster,
        "内地居民结婚登记",
        groom,
        "--party",
        f"spouse={cluster['people'].single('female')}",
    )
    ran = apply(cluster, "run", again, "--json")
    assert _married_at_civil_affairs(ran, "申请人婚姻状况（无配偶）", groom)
    again = _journey(
        cluster, "内地居民结婚登记", cluster["people"].single("male"), "--party", f"spouse={bride}"
    )
    ran = apply(cluster, "run", again, "--json")
    assert _married_at_civil_affairs(ran, "另一方当事人婚姻状况（无配偶）", bride)

    # A notice carrying the city's seal but sent by public security is refused by civil
    # affairs with its signed reason, and so is the city's notice of a refused application.
    seal = back["decision_record"]["seal"]
    notice = next(e for e in back["events"] if e["action"] == "notice")["detail"]
    body = {
        "application": app_id,
        "service_item": back["service_item"],
        "act": "marriage_registered",
        "record": notice["record"],
        "decision_seal": seal,
    }
    with pytest.raises(ProviderRefused, match="不属于发送节点 370100-GA") as forged:
        send_as(cluster, GA, to=MZ, type="register.notice", body=body)
    assert forged.value.provider == MZ

    a, b = cluster["people"].single("male"), cluster["people"].single("female")
    refused_id = _journey(cluster, "内地居民结婚登记", a, "--party", f"spouse={b}")
    apply(cluster, "run", refused_id)
    apply(cluster, "submit", refused_id)
    apply(cluster, "decide", refused_id, "--refuse", "当事人未到场", "--requirement", "1")
    refused = apply(cluster, "show", refused_id, "--json")
    assert refused["decision"] == "refused"
    record = {**notice["record"], "party_a": a, "party_b": b, "registration_no": "J-FORGED"}
    with pytest.raises(ProviderRefused, match="'refused'，应为 'approved'"):
        send_as(
            cluster,
            CITY,
            to=MZ,
            type="register.notice",
            body={
                **body,
                "application": refused_id,
                "record": record,
                "decision_seal": refused["decision_record"]["seal"],
            },
        )
    ran = apply(
        cluster, "run", _journey(cluster, "内地居民结婚登记", a, "--party", f"spouse={b}"), "--json"
    )
    assert _answer(_requirement(ran, "申请人婚姻状况（无配偶）"))["answer"] == {
        "status": "unmarried"
    }
