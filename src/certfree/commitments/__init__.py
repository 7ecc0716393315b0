"""Commitments in lieu of proof (告知承诺), after-checks (事后核查) and credit (信用).

国办发〔2020〕42号《关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》: the
administration tells the applicant what is required (the form, :mod:`.forms`); the applicant
commits in writing instead of bringing the proof (:mod:`.signing`, sealed by the node); the
commitments are checked afterwards by risk-based sampling (:mod:`.checks`); a false one goes
on the applicant's credit record and bars the commitment route until repaired (:mod:`.credit`).
"""

from certfree.commitments.checks import (
    DEFAULT_PLAN,
    FULL_RATE_BP,
    PlanSettings,
    SamplingRate,
    check_department,
    draw_after_checks,
    draw_value,
    get_after_check,
    list_after_checks,
    record_outcome,
    sampling_plan,
    sampling_rate,
    set_sampling_plan,
)
from certfree.commitments.credit import credit_records_for, get_credit_record, repair_credit
from certfree.commitments.errors import (
    AfterCheckNotFound,
    CommitmentNotFound,
    CommitmentNotOffered,
    CommitmentRefused,
    CommitmentStateError,
    CreditBarred,
    CreditRecordNotFound,
    ExcludedAreaRefused,
    StaleCommitmentText,
)
from certfree.commitments.forms import (
    TEMPLATE_VERSION,
    CommitmentForm,
    SectionText,
    commitment_form,
    text_digest,
)
from certfree.commitments.models import AfterCheck, Commitment, CreditRecord, SamplingPlan
from certfree.commitments.signing import (
    SEAL_TYPE,
    commitment_refusal,
    commitments_of,
    get_commitment,
    sign_commitment,
    submit_commitment,
    verify_commitment_seal,
    withdraw_commitment,
)
from certfree.commitments.vocab import (
    AfterCheckMethod,
    AfterCheckStatus,
    CheckOutcome,
    CommitmentStatus,
    CreditConsequence,
    CreditStatus,
    FormLanguage,
    FormSection,
)

__all__ = [
    "DEFAULT_PLAN",
    "FULL_RATE_BP",
    "SEAL_TYPE",
    "TEMPLATE_VERSION",
    "AfterCheck",
    "AfterCheckMethod",
    "AfterCheckNotFound",
    "AfterCheckStatus",
    "CheckOutcome",
    "Commitment",
    "CommitmentForm",
    "CommitmentNotFound",
    "CommitmentNotOffered",
    "CommitmentRefused",
    "CommitmentStateError",
    "CommitmentStatus",
    "CreditBarred",
    "CreditConsequence",
    "CreditRecord",
    "CreditRecordNotFound",
    "CreditStatus",
    "ExcludedAreaRefused",
    "FormLanguage",
    "FormSection",
    "PlanSettings",
    "SamplingPlan",
    "SamplingRate",
    "SectionText",
    "StaleCommitmentText",
    "check_department",
    "commitment_form",
    "commitment_refusal",
    "commitments_of",
    "credit_records_for",
    "draw_after_checks",
    "draw_value",
    "get_after_check",
    "get_commitment",
    "get_credit_record",
    "list_after_checks",
    "record_outcome",
    "repair_credit",
    "sampling_plan",
    "sampling_rate",
    "set_sampling_plan",
    "sign_commitment",
    "submit_commitment",
    "text_digest",
    "verify_commitment_seal",
    "withdraw_commitment",
]
