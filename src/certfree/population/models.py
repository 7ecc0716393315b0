"""The departmental source data that the demo province holds, one table per holding.

Each class docstring names the department that holds the table. The departments are separate
systems in the 1+16+N design, so no foreign key crosses from one department's table to
another's (a marriage record does not reference 公安's person table); consistency across
departments is what the demo generator guarantees and its tests check. Columns that later
verification questions look up (ID numbers, owners, USCCs) are indexed.

Dates are SQL ``DATE`` (ISO 8601 text on SQLite); money is an integer number of fen and areas
an integer number of dm² (0.01 m²), so sums are exact on both databases.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.population.vocab import (
    EntityType,
    FirmStatus,
    InsuranceKind,
    InsuranceStatus,
    LicenceClass,
    MarriageStatus,
    Sex,
    TaxpayerKind,
    VehicleType,
)
from certfree.storage import Base, enum_by_value

__all__ = [
    "DrivingLicence",
    "Firm",
    "Household",
    "InsuranceEnrolment",
    "Marriage",
    "Person",
    "PropertyTitle",
    "TaxStanding",
    "Vehicle",
]

ID_NUMBER = String(18)  # GB 11643 citizen ID number
USCC = String(18)  # GB 32100 unified social credit code
DIVISION = String(6)  # GB/T 2260 division code


class Household(Base):
    """户籍 household register, held by 公安 (public security)."""

    __tablename__ = "households"

    household_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    # County-level division where the household is registered.
    division_code: Mapped[str] = mapped_column(DIVISION)
    address: Mapped[str] = mapped_column(String(128))
    # No foreign key to persons: the head and the household are written in one batch.
    head_id_number: Mapped[str] = mapped_column(ID_NUMBER, index=True)


class Person(Base):
    """人口基础信息 resident population register, held by 公安 (public security)."""

    __tablename__ = "persons"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    sex: Mapped[Sex] = mapped_column(enum_by_value(Sex))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    # County of household registration (户籍地), GB/T 2260.
    address_code: Mapped[str] = mapped_column(DIVISION)
    household_no: Mapped[str] = mapped_column(
        ForeignKey("households.household_no", ondelete="RESTRICT"), index=True
    )
    # GB/T 3304 two-digit nationality (民族) code, e.g. 01 汉族.
    ethnic_group: Mapped[str | None] = mapped_column(String(2))
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)


class Marriage(Base):
    """婚姻登记 marriage registration, held by 民政 (civil affairs).

    One record per marriage; divorce sets ``status`` and ``divorced_on`` on the same record.
    """

    __tablename__ = "marriages"

    registration_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_a_id: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    party_b_id: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    # Division whose registry office recorded the marriage.
    division_code: Mapped[str] = mapped_column(DIVISION)
    status: Mapped[MarriageStatus] = mapped_column(enum_by_value(MarriageStatus))
    divorced_on: Mapped[dt.date | None] = mapped_column(Date)


class Firm(Base):
    """市场主体登记 market-entity register, held by 市场监管 (market regulation)."""

    __tablename__ = "firms"

    uscc: Mapped[str] = mapped_column(USCC, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    entity_type: Mapped[EntityType] = mapped_column(enum_by_value(EntityType))
    division_code: Mapped[str] = mapped_column(DIVISION)
    legal_rep_id: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[FirmStatus] = mapped_column(enum_by_value(FirmStatus))


class PropertyTitle(Base):
    """不动产登记 real-estate titles, held by 自然资源 (natural resources).

    ``certificate_no`` follows the national format 鲁(2021)济南市不动产权第0001234号.
    """

    __tablename__ = "property_titles"

    certificate_no: Mapped[str] = mapped_column(String(48), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    co_owner_id: Mapped[str | None] = mapped_column(ID_NUMBER, index=True)
    division_code: Mapped[str] = mapped_column(DIVISION)
    area_dm2: Mapped[int] = mapped_column(Integer)
    registered_on: Mapped[dt.date] = mapped_column(Date)

    @property
    def area_m2(self) -> Decimal:
        """Floor area in m², exact to the registered 0.01 m²."""
        return Decimal(self.area_dm2) / 100


class InsuranceEnrolment(Base):
    """社会保险参保 social-insurance enrolment, held by 人社 (human resources & social security).

    One row per person and insurance kind.
    """

    __tablename__ = "insurance_enrolments"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    kind: Mapped[InsuranceKind] = mapped_column(enum_by_value(InsuranceKind), primary_key=True)
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[InsuranceStatus] = mapped_column(enum_by_value(InsuranceStatus))


class Vehicle(Base):
    """机动车登记 motor-vehicle register, held by 公安交管 (traffic police).

    ``plate`` is written as on the plate, e.g. 鲁A·12345 (GA 36 number plates).
    """

    __tablename__ = "vehicles"

    plate: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    vehicle_type: Mapped[VehicleType] = mapped_column(enum_by_value(VehicleType))
    registered_on: Mapped[dt.date] = mapped_column(Date)


class DrivingLicence(Base):
    """机动车驾驶证 driving licences, held by 公安交管 (traffic police); one per person.

    ``valid_until`` is NULL for a licence valid long-term (长期).
    """

    __tablename__ = "driving_licences"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    licence_class: Mapped[LicenceClass] = mapped_column(enum_by_value(LicenceClass))
    first_issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class TaxStanding(Base):
    """纳税状况 tax standing, held by 税务 (taxation).

    ``taxpayer_id`` is a firm's USCC or a person's ID number; ``tax_clear`` is true exactly
    when ``arrears_fen`` is 0.
    """

    __tablename__ = "tax_standings"

    taxpayer_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    taxpayer_kind: Mapped[TaxpayerKind] = mapped_column(enum_by_value(TaxpayerKind))
    tax_clear: Mapped[bool] = mapped_column(Boolean)
    arrears_fen: Mapped[int] = mapped_column(BigInteger)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
