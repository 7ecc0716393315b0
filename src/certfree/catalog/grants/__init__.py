"""Sharing grants (共享授权): which consumer node may ask which provider node what, and why.

* ``records`` — grants created, listed, viewed and revoked, and the provider's check of a
  request against them (:func:`check_grant`).
* ``sharing`` — a department's request for a catalog resource for one of its demands, and the
  provider's decision; what it grants lives in the same table.
* ``grading`` — grades decide: the legal basis and the approvers a graded request needs, core
  data refused, and the log of requests and decisions (``bases``: the legal bases).
* ``models`` — the ``grants`` and ``grant_decisions`` tables and the states.
"""

from certfree.catalog.grants.bases import LegalBasis
from certfree.catalog.grants.checks import (
    GrantTerms,
    check_grant,
    check_question_grant,
)
from certfree.catalog.grants.decisions import (
    Approver,
    ApproverLevel,
    DecisionAction,
    decision_view,
    list_decisions,
)
from certfree.catalog.grants.grading import (
    DEFAULT_GRADE_THRESHOLD,
    FieldGrade,
    approve_question_grant,
    item_grade,
    override_core,
    question_field_grades,
    resource_field_grades,
)
from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantDecision, GrantStatus
from certfree.catalog.grants.receivers import receivers_of
from certfree.catalog.grants.records import (
    create_grant,
    effective_status,
    get_grant,
    grant_view,
    list_grants,
    revoke_grant,
)
from certfree.catalog.grants.sharing import (
    approve_request,
    check_resource_grant,
    expire_grants,
    refuse_request,
    request_resource,
    sharing_summary,
)

__all__ = [
    "DEFAULT_GRADE_THRESHOLD",
    "WHOLE_RESOURCE",
    "Approver",
    "ApproverLevel",
    "DecisionAction",
    "FieldGrade",
    "Grant",
    "GrantDecision",
    "GrantStatus",
    "GrantTerms",
    "LegalBasis",
    "approve_question_grant",
    "approve_request",
    "check_grant",
    "check_question_grant",
    "check_resource_grant",
    "create_grant",
    "decision_view",
    "effective_status",
    "expire_grants",
    "get_grant",
    "grant_view",
    "item_grade",
    "list_decisions",
    "list_grants",
    "override_core",
    "question_field_grades",
    "receivers_of",
    "refuse_request",
    "request_resource",
    "resource_field_grades",
    "revoke_grant",
    "sharing_summary",
]
