"""Consent attestations in a ``question.ask``: which ones the consumer attaches, and the
provider's check that every data subject of the question consented.

The attestations are the province's (:mod:`certfree.governance.consent.attestations`, where
the choice and its threat model are written down); the consumer cannot make one, only carry
it. ``consent`` in the ask body is a list of compact JWS strings, one per data subject.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import Alg, Jwk, Verifier
from certfree.exchange.errors import QuestionArgsInvalid
from certfree.governance import ConsentIssuer, attestation_subject, check_attestation
from certfree.settings import NodeLevel

if TYPE_CHECKING:
    from certfree.exchange.protocol.identity import NodeIdentity
    from certfree.exchange.protocol.registry import RegistrySnapshot
    from certfree.questions import QuestionDef

__all__ = [
    "MAX_ATTESTATIONS",
    "attestations_in",
    "check_consents",
    "consent_issuer",
    "for_subjects",
]

MAX_ATTESTATIONS = 8  # same_household asks about two people; more is never one question's
_MAX_LENGTH = 8192  # a compact JWS of the claims above is well under 2 KB


def consent_issuer(node: NodeIdentity, directory: RegistrySnapshot) -> ConsentIssuer | None:
    """The province's keys that attestations are checked with, as ``directory`` (the node's
    current registry) lists them; at the province itself, its own node keys whether it lists
    itself or not (the single node ``make run`` serves need not). None: nothing to check with.
    """
    listed = directory.consent_issuer()
    if listed is not None:
        keys = {kid: _remembering(verifier) for kid, verifier in listed.keys.items()}
        return ConsentIssuer(listed.code, keys, listed.withdrawn)
    if node.settings.node_level is not NodeLevel.PROVINCE:
        return None
    store = node.keys
    own = {info.kid: store.verifier(info.kid) for info in store.keys(NODE_KEY_OWNER)}
    return ConsentIssuer(node.code, own, directory.withdrawn_consents)


class _Remembering:
    """A province key that remembers the signatures it has found valid.

    The same attestation comes with every question asked under one application, and an
    Ed25519 check of the same bytes under the same key can only come out the same; what the
    claims say (withdrawn, expired, another use) is still checked on every question. A
    signature that does not verify is never remembered.
    """

    _KEEP = 4096

    def __init__(self, inner: Verifier) -> None:
        self.inner = inner
        self._valid: OrderedDict[tuple[bytes, bytes], None] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def alg(self) -> Alg:
        return self.inner.alg

    @property
    def kid(self) -> str:
        return self.inner.kid

    def public_jwk(self) -> Jwk:
        return self.inner.public_jwk()

    def verify(self, data: bytes, signature: bytes) -> None:
        seen = (data, signature)
        with self._lock:
            if seen in self._valid:
                self._valid.move_to_end(seen)
                return
        self.inner.verify(data, signature)  # SignatureInvalid: nothing remembered
        with self._lock:
            self._valid[seen] = None
            if len(self._valid) > self._KEEP:
                self._valid.popitem(last=False)


# By the registry's verifier object (kept alive here, so its id names it): a registry
# reloaded with other keys brings other objects, and the old ones are let go.
_REMEMBERING: dict[int, _Remembering] = {}
_REMEMBERING_LOCK = threading.Lock()


def _remembering(verifier: Verifier) -> Verifier:
    with _REMEMBERING_LOCK:
        found = _REMEMBERING.get(id(verifier))
        if found is None or found.inner is not verifier:
            if len(_REMEMBERING) >= 64:
                _REMEMBERING.clear()
            found = _REMEMBERING[id(verifier)] = _Remembering(verifier)
        return found


def for_subjects(attestations: Iterable[str], subjects: Sequence[str]) -> list[str]:
    """At the consumer: the attestations to attach to a question about ``subjects``.

    Another person's attestation stays at the consumer (it would show the provider that
    person's ID number); one that cannot be read is attached as given, for the provider to
    name its fault.
    """
    wanted = {subject.strip().upper() for subject in subjects}
    chosen = []
    for token in attestations:
        subject = attestation_subject(token)
        if (subject is None or subject in wanted) and token not in chosen:
            chosen.append(token)
    return chosen


def attestations_in(raw: Any) -> list[str]:
    """The ``consent`` member of an ask body as a list of attestations; QuestionArgsInvalid
    (field ``consent``) for anything else."""
    if raw is None:
        return []
    if (
        isinstance(raw, list)
        and len(raw) <= MAX_ATTESTATIONS
        and all(isinstance(item, str) and len(item) <= _MAX_LENGTH for item in raw)
    ):
        return list(raw)
    raise QuestionArgsInvalid(
        f"consent 应为同意凭据（JWS 字符串）的列表，至多 {MAX_ATTESTATIONS} 个，或 null"
        "（consent must be a list of attestation strings or null）",
        field="consent",
    )


def check_consents(
    question: QuestionDef,
    args: Mapping[str, Any],
    raw: Any,
    *,
    consumer: str,
    service_item: str,
    data_items: Sequence[str],
    issuer: ConsentIssuer | None,
    now: dt.datetime,
    application: str | None = None,
) -> list[str]:
    """At the provider: the ``jti`` of each data subject's attestation, in parameter order.

    Every subject named in ``args`` needs one that verifies against the province's keys and
    covers this consumer, service item, question and ``data_items`` (and names no application
    but ``application``, when the consumer gives one); ConsentRefused otherwise.
    """
    attestations = attestations_in(raw)
    by_subject = {attestation_subject(token): token for token in attestations}
    subjects = question.subjects_in(args)
    ids = []
    for subject in subjects:
        offered = by_subject.get(subject)
        if offered is None and len(attestations) == 1 and len(subjects) == 1:
            offered = attestations[0]  # let the check name what is wrong with it
        ids.append(
            check_attestation(
                offered,
                issuer,
                subject_id=subject,
                consumer=consumer,
                service_item=service_item,
                question=question.name,
                data_items=data_items,
                application=application,
                now=now,
            )
        )
    return ids
