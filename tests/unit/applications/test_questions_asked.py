"""Each question is asked about the party its requirement names, and a question about two
people about both: what each party's consent must cover."""

from __future__ import annotations

from certfree.applications import Application, ApplicationParty, EvidenceSlot, SlotStatus
from certfree.applications.running import questions_of
from certfree.proofs import Way
from factories.population import resident_id

MOVER = resident_id(county="370102")
HOST = resident_id(county="370103")


def _slot(position: int, subject: str, party: str, ref: str, way: Way) -> EvidenceSlot:
    part = {"kind": "data_question", "ref": ref, "way": way.value, "node": "370100-GA"}
    return EvidenceSlot(
        position=position,
        requirement=ref,
        party=party,
        subject_id=subject,
        way=way,
        status=SlotStatus.PLANNED,
        parts=[{**part, "status": "planned", "parameters": {}}],
    )


def test_kinship_is_asked_about_both_and_the_home_about_the_host_only() -> None:
    app = Application(id="20261207-TEST0001", applicant_id=MOVER)
    app.parties = [
        ApplicationParty(role="applicant", subject_id=MOVER),
        ApplicationParty(role="host", subject_id=HOST),
    ]
    app.slots = [
        _slot(0, HOST, "host", "same_household", Way.DATA_SHARING),
        _slot(1, HOST, "host", "owns_property", Way.DATA_SHARING),
        _slot(2, MOVER, "applicant", "SD-ZM-GA-007", Way.COMMITMENT),
    ]
    asked = questions_of(app, everything=True)
    assert [(q.question, q.args) for q in asked] == [
        ("same_household", {"id_a": HOST, "id_b": MOVER}),
        ("owns_property", {"id_number": HOST}),
    ]
    assert [q.consents for q in asked] == [[], []]  # nobody has consented yet
    app.parties[1].consent = "attestation-of-the-host"
    assert [q.consents for q in questions_of(app)] == [["attestation-of-the-host"]] * 2
