"""Electronic certificates (电子证照): the type catalogue, issuance under the unified seal,
the base library (一库) and status lists.

Decisions, in one place:

* Types are packaged data (``data/types/*.json``, one file per type, GB/T 36902 fields); every
  worker of a release reads the same files, and an issued certificate keeps its own copy of
  type code, name and face data. The defining authorities' USCCs are synthetic but valid.
* ``iss`` of a credential is the issuing organ's 18-character USCC, which is also its
  KeyStore owner (``/.well-known/jwks.json`` lists the keys). The seal algorithm per
  department is data (``data/issuers.json``); keys are created on first issuance.
* The base library stores the whole compact credential (and its SHA-256): it is the issuer's
  record of what it sealed, lets a holder fetch it again, and lets a replacement carry the old
  face data forward.
* Status lists: per issuer, 2-bit, 16,384 entries, a new list when full; rebuilt from the
  certificate rows and re-signed when a status changed (ETag, ``max-age`` = ttl 300 s).
  Their tables (the served list and the secret key that scatters its indices) sit in
  ``models`` beside ``certificates``, whose rows they are rebuilt from; ``statuslists`` (the
  issuer's side: allocate, sign, serve) and ``status_sources`` (the verifier's side: fetch and
  cache) are one module each, too small and too far apart in use to make a package of.
* Subareas with tables of their own are subpackages with the same inner names (``models``,
  logic named by what it does): ``backfill`` (paper-era records) and ``usage`` (use log, short
  codes, rate limits).
* Over HTTP a ``department_admin`` acts for the organ named by its token's ``org`` claim
  (department node code such as ``370100-WJ`` or the USCC).
* A backfilled certificate has no ``cnf``; the holder claims it (``claiming``): version + 1
  sealed with their public key, the old version revoked as superseded, validity unchanged.
* Derived claims made on the holder's device (端侧处理: age ≥ N by a hash chain, residence by
  division level) are sealed at issue and checked by the verifier (``derived``); a graded
  field is never disclosed without what its type names beside it (``disclosure``). Both are
  read from the type's data; docs/edge-processing.md.
* The public short-code routes are rate limited in the database (``usage.limits``), since
  workers share nothing else; misses (unknown codes) have their own, stricter limit.
"""

from certfree.certs.backfill import (
    DEFAULT_BATCH,
    BackfillReport,
    ReviewStatus,
    approve_review,
    get_job,
    get_review,
    job_errors,
    job_json,
    job_rejects,
    list_jobs,
    list_reviews,
    reject_csv,
    reject_review,
    review_json,
    run_backfill,
)
from certfree.certs.claiming import claim_certificate, is_claimable
from certfree.certs.claims import BEIJING, FACE_CLAIM
from certfree.certs.derived import (
    AGE_ANCHOR,
    AGE_SEED,
    DIVISION_LEVELS,
    AgeAnchor,
    age_proof,
    division_level,
)
from certfree.certs.disclosure import LoneDisclosure, lone_disclosure
from certfree.certs.errors import (
    CertificateNotFound,
    CertTypeNotFound,
    FaceDataInvalid,
    HolderDeceased,
    HolderKeyAlreadyBound,
    HolderOutsideJurisdiction,
    HolderUnknown,
    NotCertificateHolder,
    ShortCodeExpired,
    ShortCodeNotFound,
    ShortCodePresentationInvalid,
    ShortCodeUsed,
    StatusConflict,
    StatusListNotFound,
)
from certfree.certs.facedata import check_face_data, check_holder_id, derive_predicates
from certfree.certs.holdings import LibraryHoldings
from certfree.certs.issuance import (
    DEFAULT_BASE_URL,
    IssuedCertificate,
    Validity,
    check_holder_jwk,
    check_holder_registered,
    check_jurisdiction,
    issue_certificate,
    today,
)
from certfree.certs.issuers import (
    Issuer,
    default_issuer_code,
    find_issuer,
    resolve_issuer,
    seal_alg,
)
from certfree.certs.lifecycle import (
    certificate_of_issuer,
    effective_status,
    get_certificate,
    list_certificates,
    replace_certificate,
    resume_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certfree.certs.models import Certificate, CertIssuer, StatusListRecord
from certfree.certs.statuslists import (
    LIST_BITS,
    LIST_SIZE,
    TOKEN_TTL_SECONDS,
    SignedStatusList,
    signed_status_list,
    status_list_path,
)
from certfree.certs.templates import example_face_for
from certfree.certs.trust import TRUST_LIST_TYP, TrustList, node_trust_list
from certfree.certs.types import CertType, FaceField, Predicate, cert_type, cert_types
from certfree.certs.usage import (
    ISSUE_PER_ADDRESS,
    MISSES_PER_ADDRESS,
    MISSES_PER_VERIFIER,
    REDEEM_PER_ADDRESS,
    REDEEM_PER_CODE,
    REDEEM_PER_VERIFIER,
    SHORT_CODE_TTL,
    CertificateUse,
    RateRule,
    UseChannel,
    UseContext,
    count_request,
    describe_use,
    issue_short_code,
    limit_issue,
    limit_redeem,
    limit_verify,
    normalise_code,
    record_hits,
    record_miss,
    redeem_and_verify,
    refuse_if_over,
    use_json,
    uses_of_certificate,
    uses_of_holder,
    verify_and_record,
)
from certfree.certs.verification import StatusLists, VerificationResult, verify_presentation
from certfree.certs.vocab import (
    CertStatus,
    FieldType,
    HolderCategory,
    IssuerLevel,
    RevocationReason,
)

__all__ = [
    "AGE_ANCHOR",
    "AGE_SEED",
    "BEIJING",
    "DEFAULT_BASE_URL",
    "DEFAULT_BATCH",
    "DIVISION_LEVELS",
    "FACE_CLAIM",
    "ISSUE_PER_ADDRESS",
    "LIST_BITS",
    "LIST_SIZE",
    "MISSES_PER_ADDRESS",
    "MISSES_PER_VERIFIER",
    "REDEEM_PER_ADDRESS",
    "REDEEM_PER_CODE",
    "REDEEM_PER_VERIFIER",
    "SHORT_CODE_TTL",
    "TOKEN_TTL_SECONDS",
    "TRUST_LIST_TYP",
    "AgeAnchor",
    "BackfillReport",
    "CertIssuer",
    "CertStatus",
    "CertType",
    "CertTypeNotFound",
    "Certificate",
    "CertificateNotFound",
    "CertificateUse",
    "FaceDataInvalid",
    "FaceField",
    "FieldType",
    "HolderCategory",
    "HolderDeceased",
    "HolderKeyAlreadyBound",
    "HolderOutsideJurisdiction",
    "HolderUnknown",
    "IssuedCertificate",
    "Issuer",
    "IssuerLevel",
    "LibraryHoldings",
    "LoneDisclosure",
    "NotCertificateHolder",
    "Predicate",
    "RateRule",
    "ReviewStatus",
    "RevocationReason",
    "ShortCodeExpired",
    "ShortCodeNotFound",
    "ShortCodePresentationInvalid",
    "ShortCodeUsed",
    "SignedStatusList",
    "StatusConflict",
    "StatusListNotFound",
    "StatusListRecord",
    "StatusLists",
    "TrustList",
    "UseChannel",
    "UseContext",
    "Validity",
    "VerificationResult",
    "age_proof",
    "approve_review",
    "cert_type",
    "cert_types",
    "certificate_of_issuer",
    "check_face_data",
    "check_holder_id",
    "check_holder_jwk",
    "check_holder_registered",
    "check_jurisdiction",
    "claim_certificate",
    "count_request",
    "default_issuer_code",
    "derive_predicates",
    "describe_use",
    "division_level",
    "effective_status",
    "example_face_for",
    "find_issuer",
    "get_certificate",
    "get_job",
    "get_review",
    "is_claimable",
    "issue_certificate",
    "issue_short_code",
    "job_errors",
    "job_json",
    "job_rejects",
    "limit_issue",
    "limit_redeem",
    "limit_verify",
    "list_certificates",
    "list_jobs",
    "list_reviews",
    "lone_disclosure",
    "node_trust_list",
    "normalise_code",
    "record_hits",
    "record_miss",
    "redeem_and_verify",
    "refuse_if_over",
    "reject_csv",
    "reject_review",
    "replace_certificate",
    "resolve_issuer",
    "resume_certificate",
    "review_json",
    "revoke_certificate",
    "run_backfill",
    "seal_alg",
    "signed_status_list",
    "status_list_path",
    "suspend_certificate",
    "today",
    "use_json",
    "uses_of_certificate",
    "uses_of_holder",
    "verify_and_record",
    "verify_presentation",
]
