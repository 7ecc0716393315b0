"""What an approval writes into a node's registers, before its result certificate is sealed.

* 结婚登记 — a marriage record (婚姻登记库), so that a later ``marital_status`` question about
  either party answers "married" (the exchange's binding reads the same table);
* 企业设立登记 — the new firm in the market-entity register with a freshly generated GB 32100
  code, and its tax standing (多证合一: the registration is shared with the tax office at once,
  国办发〔2017〕41号), so the firm is known to every question at once;
* 投靠亲属落户 — the applicant moved into the host's household (户籍).

The registers are the departmental tables of :mod:`certfree.population`; on the single node
``make run`` serves, one database holds them all. On a cluster the accepting node writes its
own copy and tells the department node that keeps each register (a signed ``register.notice``,
:mod:`certfree.exchange.register_notices`), which writes the same record with these functions.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certfree.identifiers import make_uscc
from certfree.population.models import Firm, Household, Marriage, Person, TaxStanding
from certfree.population.vocab import EntityType, FirmStatus, MarriageStatus, TaxpayerKind

__all__ = [
    "LICENCE_ENTITY_TYPES",
    "current_marriage",
    "move_into_household",
    "new_uscc",
    "register_firm",
    "register_marriage",
]

# The licence's 类型 (营业执照 face) → the register's entity type; GB 32100 Table 1 gives the
# entity-type digit under registration authority 9 (工商): 1 企业, 2 个体工商户, 3 农民专业合作社.
LICENCE_ENTITY_TYPES: dict[str, EntityType] = {
    "有限责任公司（自然人投资或控股）": EntityType.ENTERPRISE,
    "有限责任公司（国有独资）": EntityType.ENTERPRISE,
    "股份有限公司": EntityType.ENTERPRISE,
    "个人独资企业": EntityType.ENTERPRISE,
    "合伙企业": EntityType.ENTERPRISE,
    "个体工商户": EntityType.INDIVIDUAL,
    "农民专业合作社": EntityType.COOPERATIVE,
}
_TYPE_DIGIT = {EntityType.ENTERPRISE: "1", EntityType.INDIVIDUAL: "2", EntityType.COOPERATIVE: "3"}


def current_marriage(session: Session, id_number: str) -> Marriage | None:
    """The person's subsisting marriage: registered, not dissolved by divorce, and the other
    party alive (a deceased spouse ends it: widowed, as the ``marital_status`` binding says)."""
    rows = session.scalars(
        select(Marriage)
        .where(
            or_(Marriage.party_a_id == id_number, Marriage.party_b_id == id_number),
            Marriage.status == MarriageStatus.MARRIED,
        )
        .order_by(Marriage.registered_on.desc())
    )
    for marriage in rows:
        other = marriage.party_b_id if marriage.party_a_id == id_number else marriage.party_a_id
        spouse = session.get(Person, other)
        if spouse is None or not spouse.deceased:
            return marriage
    return None


def register_marriage(
    session: Session, party_a: str, party_b: str, *, number: str, division: str, on: dt.date
) -> Marriage:
    """Record the marriage of ``party_a`` and ``party_b`` registered ``on`` under ``number``."""
    marriage = Marriage(
        registration_no=number,
        party_a_id=party_a,
        party_b_id=party_b,
        registered_on=on,
        division_code=division,
        status=MarriageStatus.MARRIED,
        divorced_on=None,
    )
    session.add(marriage)
    session.flush()
    return marriage


def new_uscc(session: Session, entity_type: EntityType, division: str) -> str:
    """A GB 32100 code not yet in the register: authority 9 (工商), the entity-type digit,
    the registering authority's division and a random 8-digit organisation-code body (the
    check characters computed by :func:`certfree.identifiers.make_uscc`)."""
    while True:
        body = f"{secrets.randbelow(10**8):08d}"
        code = make_uscc("9", _TYPE_DIGIT[entity_type], division, body)
        if session.get(Firm, code) is None:
            return code


def register_firm(
    session: Session,
    *,
    uscc: str,
    name: str,
    entity_type: EntityType,
    division: str,
    representative: str,
    on: dt.date,
) -> Firm:
    """Register the new firm (active, from ``on``) and its clear tax standing."""
    firm = Firm(
        uscc=uscc,
        name=name,
        entity_type=entity_type,
        division_code=division,
        legal_rep_id=representative,
        registered_on=on,
        status=FirmStatus.ACTIVE,
    )
    session.add(firm)
    # A firm registered today owes nothing yet.
    if session.get(TaxStanding, uscc) is None:
        session.add(
            TaxStanding(
                taxpayer_id=uscc,
                taxpayer_kind=TaxpayerKind.FIRM,
                tax_clear=True,
                arrears_fen=0,
                assessed_on=on,
            )
        )
    session.flush()
    return firm


def move_into_household(session: Session, person: Person, household: Household) -> None:
    """Move ``person``'s household registration (户籍) into ``household``."""
    person.household_no = household.household_no
    person.address_code = household.division_code
    session.flush()
