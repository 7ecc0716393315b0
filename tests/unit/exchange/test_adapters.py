"""Binding questions to SQL: the default bindings' derived parameters, and a bindings file that
answers from a view in another (departmental) database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from certfree.exchange.errors import BindingInvalid, QuestionNotOffered, SubjectUnknown
from certfree.exchange.questions.adapters import DERIVATIONS, Binding, SessionAdapter, load_bindings
from certfree.exchange.questions.catalogue import answer_question
from certfree.questions import get_question, validate_args
from certfree.storage import Database
from factories import population
from factories.grants import AS_OF, CONSUMER, ISSUER, NOW, SERVICE_ITEM, consent_for, grant_for

BRIDE = "11010519491231002X"
WIDOWER = "370102197203310011"
SINGLE = "370102199001010036"

# The civil-affairs system's own schema, in Chinese pinyin abbreviations as such systems
# often are; the exchange gets a view, never the table.
LEGACY_SCHEMA = [
    "CREATE TABLE hy_djxx (djbh TEXT PRIMARY KEY, nfsfzh TEXT, nvsfzh TEXT, djrq TEXT, hyzt TEXT)",
    "INSERT INTO hy_djxx VALUES ('J1', '370102197203310011', '11010519491231002X', '1995-01-02',"
    " '丧偶')",
    "CREATE VIEW v_hyzk AS SELECT nfsfzh AS sfzh, hyzt, djrq FROM hy_djxx"
    " UNION ALL SELECT nvsfzh, hyzt, djrq FROM hy_djxx",
]
MARITAL_SQL = (
    "SELECT CASE (SELECT hyzt FROM v_hyzk WHERE sfzh = :id_number ORDER BY djrq DESC LIMIT 1)"
    " WHEN '已婚' THEN 'married' WHEN '离婚' THEN 'divorced' WHEN '丧偶' THEN 'widowed'"
    " ELSE 'unmarried' END AS zk"
)


@pytest.fixture
def legacy_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mz_legacy.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in LEGACY_SCHEMA:
            connection.execute(text(statement))
    engine.dispose()
    return url


def bindings_file(tmp_path: Path, content: dict[str, Any]) -> Path:
    path = tmp_path / "bindings.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_question_answered_from_a_view_in_another_database(
    db: Database, tmp_path: Path, legacy_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MZ_LEGACY_URL", legacy_url)
    path = bindings_file(
        tmp_path,
        {
            "database_url_env": "MZ_LEGACY_URL",
            "bindings": {"marital_status": {"sql": MARITAL_SQL, "answer": {"status": "zk"}}},
        },
    )
    adapter = load_bindings(path)
    try:
        with Session(db.engine) as session:
            grant_for(session, "marital_status")
            answers = {}
            for person in (WIDOWER, BRIDE, SINGLE):
                body = {
                    "question": "marital_status",
                    "args": {"id_number": person},
                    "service_item": SERVICE_ITEM,
                    "consent": [consent_for(session, person, "marital_status")],
                }
                answer = answer_question(
                    session,
                    consumer=CONSUMER,
                    provider="370100-MZ",
                    body=body,
                    adapter=adapter,
                    issuer=ISSUER,
                    now=NOW,
                )
                answers[person] = answer["result"]["status"]
            assert answers == {WIDOWER: "widowed", BRIDE: "widowed", SINGLE: "unmarried"}
            # The node's own tables know none of them: the answer came from the legacy view,
            # and the node itself says "no record", not a signed "unmarried".
            with pytest.raises(SubjectUnknown, match="no record of the subject"):
                SessionAdapter(session).answer(
                    get_question("marital_status"), {"id_number": WIDOWER}, AS_OF
                )
            with pytest.raises(QuestionNotOffered):
                adapter.answer(
                    get_question("same_household"), {"id_a": BRIDE, "id_b": SINGLE}, AS_OF
                )
    finally:
        adapter.close()


def test_a_bindings_file_explicit_url_overrides(tmp_path: Path, legacy_url: str) -> None:
    path = bindings_file(
        tmp_path,
        {
            "database_url": "sqlite:///nowhere.db",
            "bindings": {"marital_status": {"sql": MARITAL_SQL, "answer": {"status": "zk"}}},
        },
    )
    adapter = load_bindings(path, database_url=legacy_url)
    try:
        found = adapter.answer(get_question("marital_status"), {"id_number": BRIDE}, AS_OF)
        assert found == {"status": "widowed"}
    finally:
        adapter.close()


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ({"bindings": {}}, "database_url"),
        ({"database_url": "sqlite://"}, "bindings"),
        (
            {"database_url": "sqlite://", "bindings": {"marital_status": {"sql": "SELECT 1"}}},
            "answer",
        ),
        (
            {
                "database_url": "sqlite://",
                "bindings": {
                    "marital_status": {
                        "sql": "SELECT 1 AS s",
                        "answer": {"status": "s"},
                        "derive": {"x": {"fn": "eval", "param": "id_number"}},
                    }
                },
            },
            "派生参数",
        ),
    ],
)
def test_bad_bindings_files_say_what_is_wrong(
    tmp_path: Path, content: dict[str, Any], fault: str
) -> None:
    with pytest.raises(BindingInvalid) as caught:
        load_bindings(bindings_file(tmp_path, content))
    assert fault in caught.value.message


@pytest.mark.parametrize(
    ("sql", "fault"),
    [
        ("SELECT 'maybe' AS zk", "不能取"),
        ("SELECT 'married' AS zk UNION ALL SELECT 'divorced'", "恰好返回一行"),
        ("SELECT zk FROM no_such_view", "执行失败"),
    ],
)
def test_bindings_that_misbehave_are_refused(db: Database, sql: str, fault: str) -> None:
    question = get_question("marital_status")
    binding = Binding.parse(question, {"sql": sql, "answer": {"status": "zk"}})
    with Session(db.engine) as session, pytest.raises(BindingInvalid) as caught:
        SessionAdapter(session, {"marital_status": binding}).answer(
            question, {"id_number": BRIDE}, AS_OF
        )
    assert fault in caught.value.message


def test_derived_parameters() -> None:
    division = get_question("is_resident_of").params[1]
    like = DERIVATIONS["division_like"]
    assert [like(code, division, AS_OF) for code in ("370000", "370100", "370102", None)] == [
        "37%",
        "3701%",
        "370102",
        "%",
    ]
    years = get_question("age_at_least").params[1]
    before = DERIVATIONS["years_before_today"]
    assert before(60, years, dt.date(2024, 6, 1)) == "1964-06-01"
    # One year back from 29 February 2024 is in a common year: 28 February 2023.
    assert before(1, years, dt.date(2024, 2, 29)) == "2023-02-28"
    licence = get_question("has_driving_licence").params[1]
    covering = DERIVATIONS["covering_classes"]
    assert covering("C2", licence, AS_OF) == ",A1,A2,B1,B2,C1,C2,"
    assert covering(None, licence, AS_OF) == ",A1,A2,B1,B2,C1,C2,D,"


def test_a_person_born_on_29_february_turns_of_age_on_1_march(db: Database) -> None:
    question = get_question("age_at_least")
    with Session(db.engine) as session:
        leapling = population.person(session, birth=dt.date(2004, 2, 29))
        adapter = SessionAdapter(session)
        args = validate_args(question, {"id_number": leapling.id_number, "years": 18}, today=AS_OF)
        assert adapter.answer(question, args, dt.date(2022, 2, 28)) == {"at_least": False}
        assert adapter.answer(question, args, dt.date(2022, 3, 1)) == {"at_least": True}
        session.rollback()
