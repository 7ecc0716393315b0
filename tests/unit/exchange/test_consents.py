"""What the consumer attaches to a question: the attestations of its data subjects only, so
that a provider never sees another person's ID number; and the form the provider accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.exchange.errors import QuestionArgsInvalid
from certfree.exchange.questions.consents import MAX_ATTESTATIONS, attestations_in, for_subjects
from certfree.storage import Database
from factories import population
from factories.grants import consent_for


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def test_only_the_subjects_attestations_travel(session: Session) -> None:
    husband, wife, _ = population.married_couple(session)
    his = consent_for(session, husband.id_number, "marital_status")
    hers = consent_for(session, wife.id_number, "marital_status")

    assert for_subjects([his, hers], [husband.id_number]) == [his]
    assert for_subjects([his, hers, his], [husband.id_number, wife.id_number]) == [his, hers]
    assert for_subjects([hers], [husband.id_number.lower()]) == []
    # One that cannot be read goes as given: the provider names what is wrong with it.
    assert for_subjects(["garbage", hers], [husband.id_number]) == ["garbage"]


@pytest.mark.parametrize(
    "raw",
    ["a.b.c", {"sub": "x"}, [{"sub": "x"}], ["a.b.c"] * (MAX_ATTESTATIONS + 1), ["x" * 9000]],
)
def test_the_provider_takes_a_list_of_attestation_strings(raw: object) -> None:
    with pytest.raises(QuestionArgsInvalid) as caught:
        attestations_in(raw)
    assert caught.value.field == "consent"


def test_no_consent_is_an_empty_list() -> None:
    assert attestations_in(None) == []
    assert attestations_in(["a.b.c"]) == ["a.b.c"]
