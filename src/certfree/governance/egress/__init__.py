"""Important data and sensitive personal information leaving the node: counted with the
answer's audit entry, reported to the bureau (数据安全法 第21条、第30条; 个人信息保护法 第28条)."""

from certfree.governance.egress.models import EgressRecord
from certfree.governance.egress.records import (
    CarriedField,
    egress_report,
    record_egress,
    region_of,
    region_prefix,
)

__all__ = [
    "CarriedField",
    "EgressRecord",
    "egress_report",
    "record_egress",
    "region_of",
    "region_prefix",
]
