"""Certificate use: the verification log (用证记录), one-time short codes and rate limits.

* ``log`` — every verification through the platform, recorded for the holder (no values).
* ``codes`` — one-time short codes under which a wallet parks a presentation for a verifier.
* ``limits`` — sliding-window rate limits of the short-code and verification routes.
* ``models`` — the use, short-code and rate-hit tables.
"""

from certfree.certs.usage.codes import SHORT_CODE_TTL, issue_short_code, normalise_code
from certfree.certs.usage.limits import (
    ISSUE_PER_ADDRESS,
    MISSES_PER_ADDRESS,
    MISSES_PER_VERIFIER,
    REDEEM_PER_ADDRESS,
    REDEEM_PER_CODE,
    REDEEM_PER_VERIFIER,
    RateRule,
    count_request,
    limit_issue,
    limit_redeem,
    limit_verify,
    record_hits,
    record_miss,
    refuse_if_over,
)
from certfree.certs.usage.log import (
    UseContext,
    describe_use,
    redeem_and_verify,
    use_json,
    uses_of_certificate,
    uses_of_holder,
    verify_and_record,
)
from certfree.certs.usage.models import CertificateUse, UseChannel

__all__ = [
    "ISSUE_PER_ADDRESS",
    "MISSES_PER_ADDRESS",
    "MISSES_PER_VERIFIER",
    "REDEEM_PER_ADDRESS",
    "REDEEM_PER_CODE",
    "REDEEM_PER_VERIFIER",
    "SHORT_CODE_TTL",
    "CertificateUse",
    "RateRule",
    "UseChannel",
    "UseContext",
    "count_request",
    "describe_use",
    "issue_short_code",
    "limit_issue",
    "limit_redeem",
    "limit_verify",
    "normalise_code",
    "record_hits",
    "record_miss",
    "redeem_and_verify",
    "refuse_if_over",
    "use_json",
    "uses_of_certificate",
    "uses_of_holder",
    "verify_and_record",
]
