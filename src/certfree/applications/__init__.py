"""Applications (办件): a service item completed without paper proofs, end to end.

* ``cases`` — start an application for a service item (by code or exact name), the applicant
  and the co-parties each requirement names (spouse, 被投靠人, legal representative,
  shareholder); the route resolver plans one evidence slot per requirement;
* ``running`` — carry out the plan: data-sharing questions through the exchange (each with
  the party's own consent attestation), department verifications; a down node → another way;
* ``evidence`` — each way records its proof (signed answer, verified presentation, sealed
  commitment, department verification, paper seen) and nothing beyond what the item allows;
* ``lifecycle`` — submit (sealed receipt), accept (承诺时限 in working days), not accept,
  request correction (the clock stops), decide (sealed decision record), withdraw;
* ``views`` and ``stats`` — the application as the API and CLI show it, and the figures.

Other packages use only the names below.
"""

from certfree.applications.acts import (
    attach_consent,
    attach_presentation,
    register_wallet_key,
    sign_slot_commitment,
    submit_application,
)
from certfree.applications.after_checks import DataCheck, run_data_checks
from certfree.applications.cases import (
    add_party,
    find_service_item,
    get_application,
    locked_application,
    parse_parties,
    plan_again,
    start_application,
)
from certfree.applications.dept_verification import sync_department_verifications
from certfree.applications.errors import (
    ApplicationNotFound,
    EvidenceNotAllowed,
    PartyMissing,
    RequirementsNotMet,
    ResultNotIssuable,
    WrongState,
)
from certfree.applications.evidence import (
    find_part,
    record_commitment,
    record_paper,
    record_presentation,
    slot_at,
)
from certfree.applications.lifecycle import (
    accept,
    decide,
    not_accept,
    request_correction,
    submit,
    withdraw,
)
from certfree.applications.listing import list_applications
from certfree.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationParty,
    EvidenceSlot,
)
from certfree.applications.notices import deliver_notices, deliver_pending_notices
from certfree.applications.results import (
    check_results_ready,
    decide_application,
    issue_results,
    result_form,
    set_result_form,
)
from certfree.applications.running import Planner, run_application
from certfree.applications.sealing import DECISION_TYPE, RECEIPT_TYPE, decision_text
from certfree.applications.sources import joined_parties, node_planner, node_sources
from certfree.applications.stats import (
    ApplicationStats,
    StatsGroup,
    StatsGrouping,
    application_stats,
    grouped_stats,
)
from certfree.applications.views import (
    ApplicationView,
    DepartmentView,
    application_view,
    department_view,
    is_overdue,
)
from certfree.applications.vocab import Action, AppState, Decision, SlotStatus
from certfree.workdays import add_working_days, beijing_today

__all__ = [
    "DECISION_TYPE",
    "RECEIPT_TYPE",
    "Action",
    "AppState",
    "Application",
    "ApplicationEvent",
    "ApplicationNotFound",
    "ApplicationParty",
    "ApplicationStats",
    "ApplicationView",
    "DataCheck",
    "Decision",
    "DepartmentView",
    "EvidenceNotAllowed",
    "EvidenceSlot",
    "PartyMissing",
    "Planner",
    "RequirementsNotMet",
    "ResultNotIssuable",
    "SlotStatus",
    "StatsGroup",
    "StatsGrouping",
    "WrongState",
    "accept",
    "add_party",
    "add_working_days",
    "application_stats",
    "application_view",
    "attach_consent",
    "attach_presentation",
    "beijing_today",
    "check_results_ready",
    "decide",
    "decide_application",
    "decision_text",
    "deliver_notices",
    "deliver_pending_notices",
    "department_view",
    "find_part",
    "find_service_item",
    "get_application",
    "grouped_stats",
    "is_overdue",
    "issue_results",
    "joined_parties",
    "list_applications",
    "locked_application",
    "node_planner",
    "node_sources",
    "not_accept",
    "parse_parties",
    "plan_again",
    "record_commitment",
    "record_paper",
    "record_presentation",
    "register_wallet_key",
    "request_correction",
    "result_form",
    "run_application",
    "run_data_checks",
    "set_result_form",
    "sign_slot_commitment",
    "slot_at",
    "start_application",
    "submit",
    "submit_application",
    "sync_department_verifications",
    "withdraw",
]
