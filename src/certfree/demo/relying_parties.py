"""The demo province's relying parties (依赖方): a few synthetic organisations of each kind,
each registered for one scenario with the least its check needs. Their request keys are made
when the demo is built and kept by the node (``governance.relying_parties.hosted``): no key is
committed, and the demo verifier (``personas``) signs its requests from ``/verify``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from certfree.crypto import KeyStore
from certfree.governance import relying_parties as rp
from certfree.identifiers import make_uscc

__all__ = ["DEMO_HOTEL", "DEMO_RELYING_PARTIES", "register_demo_relying_parties"]

ID_CARD = rp.ID_CARD_VCT
ELDERLY_CARD = "11100000000013709K001"
SOCIAL_SECURITY_CARD = "11100000000013506Y001"
DRIVING_LICENCE = "11100000000013047R003"


@dataclass(frozen=True, slots=True)
class DemoParty:
    uscc: str
    name: str
    kind: rp.RelyingPartyKind
    scenario: rp.ScenarioSpec


def _code(division: str, body: str) -> str:
    """A synthetic enterprise code (GB 32100: 9 = registered by market regulation, 1 = a
    company) with its check characters, for an organisation that does not exist."""
    return make_uscc("9", "1", division, body)


DEMO_HOTEL = _code("370102", "MADEM71X")

DEMO_RELYING_PARTIES = (
    DemoParty(
        DEMO_HOTEL,
        "泉城示范宾馆（演示）",
        rp.RelyingPartyKind.HOTEL,
        # Lodging registration needs the guest's name; an adult guest checks in alone
        # (《旅馆业治安管理办法》第六条; minors' lodging rules): the age predicate, not the date.
        rp.ScenarioSpec(
            "hotel_check_in",
            "入住登记",
            "Hotel check-in",
            (ID_CARD,),
            ("name", "age_over_18"),
            "《旅馆业治安管理办法》第六条：旅客住宿登记；成年人可单独入住",
        ),
    ),
    DemoParty(
        _code("370102", "MADEM72X"),
        "齐鲁示范医院（演示）",
        rp.RelyingPartyKind.HOSPITAL,
        rp.ScenarioSpec(
            "hospital_registration",
            "挂号建档",
            "Hospital registration",
            (ID_CARD, SOCIAL_SECURITY_CARD),
            ("name", "sex", "birth_date", "id_number"),
            "《医疗机构病历管理规定》第十条：病历首页载明患者身份信息；实名就医",
        ),
    ),
    DemoParty(
        _code("370100", "MADEM73X"),
        "济南示范客运站（演示）",
        rp.RelyingPartyKind.TRANSPORT,
        rp.ScenarioSpec(
            "transport_ticket_check",
            "实名验票",
            "Ticket ID check",
            (ID_CARD, DRIVING_LICENCE),
            ("name", "id_number"),
            "《反恐怖主义法》第二十一条：长途客运实名制查验",
        ),
    ),
    DemoParty(
        _code("370100", "MADEM74X"),
        "济南示范供水公司（演示）",
        rp.RelyingPartyKind.UTILITY,
        rp.ScenarioSpec(
            "utility_account_opening",
            "供水开户",
            "Water account opening",
            (ID_CARD,),
            ("name", "address"),
            "《城市供水条例》第二十五条：用户开户须登记户名和用水地址",
        ),
    ),
    DemoParty(
        _code("370900", "MADEM75X"),
        "泰山示范景区（演示）",
        rp.RelyingPartyKind.SCENIC_SPOT,
        # The elderly discount needs "60 or older", never the birth date.
        rp.ScenarioSpec(
            "scenic_elder_discount",
            "老年人优惠票",
            "Elderly discount",
            (ID_CARD, ELDERLY_CARD, SOCIAL_SECURITY_CARD),
            ("age_over_60",),
            "《老年人权益保障法》第五十八条：老年人参观游览享受优待",
        ),
    ),
    DemoParty(
        _code("370100", "MADEM76X"),
        "济南市公安局示范派出所（演示）",
        rp.RelyingPartyKind.LAW_ENFORCEMENT,
        rp.ScenarioSpec(
            "police_identity_check",
            "当场查验身份",
            "On-the-spot identity check",
            (ID_CARD,),
            ("name", "sex", "id_number", "address"),
            "《居民身份证法》第十五条：人民警察依法查验居民身份证",
        ),
    ),
)


def register_demo_relying_parties(session: Session, store: KeyStore) -> int:
    """Register the demo relying parties not registered yet, each with a request key kept in
    ``store``; how many were added."""
    added = 0
    for party in DEMO_RELYING_PARTIES:
        if session.get(rp.RelyingParty, party.uscc) is not None:
            continue
        rp.add_relying_party(
            session,
            party.uscc,
            scenarios=[party.scenario],
            name=party.name,
            kind=party.kind,
            make_key=lambda uscc: rp.create_hosted_key(store, uscc),
        )
        added += 1
    return added
