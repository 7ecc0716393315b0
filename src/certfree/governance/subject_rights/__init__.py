"""A data subject's rights over what the node holds about them (PIPL 第44–50条).

* ``export`` — the person's copy of everything this node holds about them (第45条 查阅、复制);
* ``corrections`` — a correction of a fact a department holds (第46条 更正、补充), routed to
  the department's node, answered with a reason (第50条), applied to its register and to the
  certificates that carry the fact; ``delivery`` moves it between the nodes;
* ``facts`` — which facts can be corrected online, who owns each, and the register adapter;
* ``objections`` — an objection to a kind of use (第44条 决定权), effective for later uses;
* ``models`` — the ``subject_requests`` and ``subject_objections`` tables.

Each request, answer and change is a leaf of the node's audit log naming the person.
Consent is withdrawn through ``governance.consent``.
"""

from certfree.governance.subject_rights.corrections import (
    CORRECTION_WORKING_DAYS,
    answer_correction,
    correction_target,
    create_correction,
    department_node,
    effective_status,
    find_request,
    list_requests,
)
from certfree.governance.subject_rights.errors import (
    FactNotCorrectable,
    ObjectionNotFound,
    PeerRefused,
    RequestAlreadyAnswered,
    RequestMismatch,
    SubjectRequestNotFound,
    UseObjected,
)
from certfree.governance.subject_rights.export import EXPORT_LIMIT, SECTIONS, export_for
from certfree.governance.subject_rights.facts import (
    FACTS,
    Fact,
    FactStore,
    RegisterFacts,
    check_value,
)
from certfree.governance.subject_rights.messages import record_answer, record_incoming
from certfree.governance.subject_rights.models import (
    CorrectionStatus,
    Delivery,
    RequestSide,
    SubjectObjection,
    SubjectRequest,
)
from certfree.governance.subject_rights.objections import (
    check_not_objected,
    list_objections,
    log_read,
    object_to_use,
    withdraw_objection,
)
from certfree.governance.subject_rights.reissue import reissue_certificates

__all__ = [
    "CORRECTION_WORKING_DAYS",
    "EXPORT_LIMIT",
    "FACTS",
    "SECTIONS",
    "CorrectionStatus",
    "Delivery",
    "Fact",
    "FactNotCorrectable",
    "FactStore",
    "ObjectionNotFound",
    "PeerRefused",
    "RegisterFacts",
    "RequestAlreadyAnswered",
    "RequestMismatch",
    "RequestSide",
    "SubjectObjection",
    "SubjectRequest",
    "SubjectRequestNotFound",
    "UseObjected",
    "answer_correction",
    "check_not_objected",
    "check_value",
    "correction_target",
    "create_correction",
    "department_node",
    "effective_status",
    "export_for",
    "find_request",
    "list_objections",
    "list_requests",
    "log_read",
    "object_to_use",
    "record_answer",
    "record_incoming",
    "reissue_certificates",
    "withdraw_objection",
]
