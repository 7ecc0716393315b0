"""Service items (政务服务事项): what each service truly needs, and how an applicant can meet it.

* the catalogue — items, their requirements as alternative sets of evidence (proof items,
  e-certificate types, data-sharing questions); "outside the list, no proof" on every save;
* what a desk may ask for (:func:`requirements_of`, :func:`allowed_evidence`);
* dynamic adjustment when a law is repealed (:func:`adjust_for_repeal`);
* the route resolver (:func:`resolve_routes`) for an applicant and the other parties, over a
  :class:`FactSource` (the exchange's) and :class:`CertificateHoldings` (the library's);
* import from CSV/XLSX (the demo province's pilot items load from :mod:`certfree.demo`).

Other domains use only the names below.
"""

from certfree.procedures.adjustment import RepealImpact, adjust_for_repeal, flag_service_items_using
from certfree.procedures.catalogue import (
    create_service_item,
    get_service_item,
    list_service_items,
    save_service_item,
    update_service_item,
)
from certfree.procedures.certificate_types import CertificateType, certificate_types
from certfree.procedures.errors import (
    InvalidServiceItem,
    NotAllowedEvidence,
    OutsideTheList,
    ProceduresError,
    ServiceImportRejected,
    ServiceItemNotFound,
)
from certfree.procedures.evidence import allowed_evidence, check_evidence_request, requirements_of
from certfree.procedures.importing import RowError, ServiceItemImportReport, import_service_items
from certfree.procedures.models import ServiceEvidence, ServiceItem, ServiceRequirement
from certfree.procedures.notation import format_requirements, parse_requirements
from certfree.procedures.planning import question_args, resolve_routes
from certfree.procedures.routes import (
    AlternativeRoute,
    EvidenceRoute,
    RequirementRoute,
    RouteReport,
    RouteStep,
)
from certfree.procedures.schemas import (
    AllowedEvidence,
    EvidenceSpec,
    EvidenceView,
    RequirementSpec,
    RequirementView,
    ServiceItemSpec,
    ServiceItemSummary,
    ServiceItemView,
    ServiceRequirementsView,
)
from certfree.procedures.sources import CertificateHoldings, Coverage, FactSource
from certfree.procedures.subjects import Subject, parse_parties, parse_subject
from certfree.procedures.vocab import (
    EvidenceKind,
    PartyRole,
    ServiceItemStatus,
    ServiceLevel,
    SubjectKind,
)

__all__ = [
    "AllowedEvidence",
    "AlternativeRoute",
    "CertificateHoldings",
    "CertificateType",
    "Coverage",
    "EvidenceKind",
    "EvidenceRoute",
    "EvidenceSpec",
    "EvidenceView",
    "FactSource",
    "InvalidServiceItem",
    "NotAllowedEvidence",
    "OutsideTheList",
    "PartyRole",
    "ProceduresError",
    "RepealImpact",
    "RequirementRoute",
    "RequirementSpec",
    "RequirementView",
    "RouteReport",
    "RouteStep",
    "RowError",
    "ServiceEvidence",
    "ServiceImportRejected",
    "ServiceItem",
    "ServiceItemImportReport",
    "ServiceItemNotFound",
    "ServiceItemSpec",
    "ServiceItemStatus",
    "ServiceItemSummary",
    "ServiceItemView",
    "ServiceLevel",
    "ServiceRequirement",
    "ServiceRequirementsView",
    "Subject",
    "SubjectKind",
    "adjust_for_repeal",
    "allowed_evidence",
    "certificate_types",
    "check_evidence_request",
    "create_service_item",
    "flag_service_items_using",
    "format_requirements",
    "get_service_item",
    "import_service_items",
    "list_service_items",
    "parse_parties",
    "parse_requirements",
    "parse_subject",
    "question_args",
    "requirements_of",
    "resolve_routes",
    "save_service_item",
    "update_service_item",
]
