"""The departmental source data (人口、户籍、婚姻、市场主体、不动产、社保、车驾管、纳税).

Each table belongs to one department; see :mod:`certfree.population.models`.
"""

from certfree.population.lookup import (
    TABLES,
    PersonSummary,
    city_name,
    count_rows,
    get_person,
    list_people,
)
from certfree.population.models import (
    DrivingLicence,
    Firm,
    Household,
    InsuranceEnrolment,
    Marriage,
    Person,
    PropertyTitle,
    TaxStanding,
    Vehicle,
)
from certfree.population.plates import PLATE_LETTERS, plate_prefix
from certfree.population.registers import (
    LICENCE_ENTITY_TYPES,
    current_marriage,
    move_into_household,
    new_uscc,
    register_firm,
    register_marriage,
)
from certfree.population.vocab import (
    SEX_ZH,
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

__all__ = [
    "LICENCE_ENTITY_TYPES",
    "PLATE_LETTERS",
    "SEX_ZH",
    "TABLES",
    "DrivingLicence",
    "EntityType",
    "Firm",
    "FirmStatus",
    "Household",
    "InsuranceEnrolment",
    "InsuranceKind",
    "InsuranceStatus",
    "LicenceClass",
    "Marriage",
    "MarriageStatus",
    "Person",
    "PersonSummary",
    "PropertyTitle",
    "Sex",
    "TaxStanding",
    "TaxpayerKind",
    "Vehicle",
    "VehicleType",
    "city_name",
    "count_rows",
    "current_marriage",
    "get_person",
    "list_people",
    "move_into_household",
    "new_uscc",
    "plate_prefix",
    "register_firm",
    "register_marriage",
]
