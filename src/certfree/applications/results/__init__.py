"""Result certificates (办理结果电子证照): issued at approval, into the holders' wallets.

``kinds`` — per kind of result: the applicant's form, the register writes, the faces;
``issuing`` — checked before deciding, then decided, written and sealed in one transaction.
"""

from certfree.applications.results.issuing import (
    check_results_ready,
    decide_application,
    issue_results,
)
from certfree.applications.results.kinds import (
    BUSINESS_LICENCE,
    ELDERLY_CARD,
    FORM_FIELDS,
    HOUSEHOLD_REGISTER,
    MARRIAGE_CERTIFICATE,
    ResultPlan,
    result_form,
    set_result_form,
)

__all__ = [
    "BUSINESS_LICENCE",
    "ELDERLY_CARD",
    "FORM_FIELDS",
    "HOUSEHOLD_REGISTER",
    "MARRIAGE_CERTIFICATE",
    "ResultPlan",
    "check_results_ready",
    "decide_application",
    "issue_results",
    "result_form",
    "set_result_form",
]
