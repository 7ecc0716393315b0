"""Provider adapters: answer a verification question from a department's tables.

A *binding* ties one question to SQL (``sqlalchemy.text``, named parameters) and says which
result column fills which answer field. The SQL must return exactly one row — write it as an
aggregate (``SELECT CASE WHEN COUNT(*) > 0 THEN 1 ELSE 0 END AS owns …``) so that "no record"
is an answer too. Bound parameters are the question's arguments (None when an optional one is
absent), ``:today`` (ISO date of the request) and the derived values the binding names::

    "derive": {"division_like": {"fn": "division_like", "param": "division"}}

with ``fn`` one of :data:`DERIVATIONS` (LIKE patterns and date arithmetic, which SQLite and
PostgreSQL spell differently, are computed here so the SQL stays portable).

A binding may also say how to tell whether the provider knows the subject at all, ``"known":
"SELECT COUNT(*) AS known FROM persons WHERE id_number = :id_number"`` (one row, column
``known``, 0 or more): when it is 0 the answer is "no record" (SubjectUnknown, reason
``not_found``), never a signed negative such as "unmarried" for a person the department has
never registered.

The default bindings sit beside each question in ``data/questions.json`` and run over the
node's own demo tables (:class:`SessionAdapter`). To answer from an existing departmental
database instead, write a bindings file and load it with :func:`load_bindings`::

    {"database_url_env": "MZ_MARRIAGE_DB_URL",
     "bindings": {"marital_status": {
         "sql": "SELECT COALESCE(MAX(hyzk), 'unmarried') AS status
                 FROM v_hyzk WHERE sfzh = :id_number",
         "answer": {"status": "status"}}}}

(``database_url`` may stand instead of ``database_url_env``, which keeps credentials out of
the file.)

:class:`DatabaseAdapter` runs those statements, read-only, against that database (typically a
view the department grants the exchange, so its own schema stays its own); questions the file
does not bind are not answered by it. ``docs/exchange-bindings.md`` walks through an example.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, RowMapping, TextClause, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from certfree.exchange.errors import BindingInvalid, QuestionNotOffered, SubjectUnknown
from certfree.questions import AnswerField, ArgValue, ParamDef, QuestionDef, get_question

__all__ = [
    "DERIVATIONS",
    "Binding",
    "DatabaseAdapter",
    "QuestionAdapter",
    "SessionAdapter",
    "load_bindings",
    "run_binding",
]


class QuestionAdapter(Protocol):
    """Answers a question from the provider's facts: every answer field, before minimisation."""

    def answer(
        self, question: QuestionDef, args: Mapping[str, ArgValue], today: dt.date
    ) -> dict[str, Any]: ...


def _division_like(value: ArgValue, _param: ParamDef, _today: dt.date) -> str:
    # GB/T 2260: XX0000 a province, XXXX00 a prefecture, else a county; None: anywhere.
    if value is None:
        return "%"
    code = str(value)
    if code.endswith("0000"):
        return code[:2] + "%"
    if code.endswith("00"):
        return code[:4] + "%"
    return code


def _or_any(value: ArgValue, _param: ParamDef, _today: dt.date) -> str:
    return "%" if value is None else str(value)


def _covering_classes(value: ArgValue, param: ParamDef, _today: dt.date) -> str:
    # ",A1,A2,B1," — the classes whose holders may drive ``value``; all when absent.
    classes = param.values if value is None else param.covered_by.get(str(value), (str(value),))
    return "," + ",".join(classes) + ","


def _years_before_today(value: ArgValue, _param: ParamDef, today: dt.date) -> str:
    # One turns N on the N-th anniversary of birth; one born on 29 February turns N on
    # 1 March of a common year, so the latest qualifying birth date is today N years back,
    # with 29 February of a leap year read as 28 February when N years back is common.
    years = int(value or 0)
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day.isoformat()


Derivation = Callable[["ArgValue", "ParamDef", dt.date], str]
DERIVATIONS: dict[str, Derivation] = {
    "division_like": _division_like,
    "or_any": _or_any,
    "covering_classes": _covering_classes,
    "years_before_today": _years_before_today,
}


@dataclass(frozen=True)
class Binding:
    """SQL for one question, the answer field → column map, and derived parameters."""

    question: str
    sql: str
    answer: Mapping[str, str]
    derive: Mapping[str, tuple[str, str]]  # bound name → (derivation, parameter name)
    known: str | None = None  # SQL: does the provider have a record of the subject at all?

    @functools.cached_property
    def statement(self) -> TextClause:
        return text(self.sql)

    @functools.cached_property
    def known_statement(self) -> TextClause | None:
        return None if self.known is None else text(self.known)

    @classmethod
    def parse(cls, question: QuestionDef, raw: Any) -> Binding:
        """The binding in ``raw`` (a JSON object) for ``question``; BindingInvalid says why not."""
        where = f"问题 {question.name} 的绑定"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("sql"), str):
            raise BindingInvalid(f"{where}应为含 sql 字符串的对象", field=question.name)
        answer = raw.get("answer")
        fields = {f.name for f in question.answer}
        if not isinstance(answer, Mapping) or set(answer) != fields:
            raise BindingInvalid(
                f"{where}的 answer 应把每个答复字段（{'、'.join(sorted(fields))}）映射到一列",
                field=question.name,
            )
        params = {p.name for p in question.params}
        derive: dict[str, tuple[str, str]] = {}
        for bound, spec in dict(raw.get("derive", {})).items():
            fn, param = spec.get("fn"), spec.get("param")
            if fn not in DERIVATIONS or param not in params:
                raise BindingInvalid(
                    f"{where}的派生参数 {bound} 应取 {'、'.join(DERIVATIONS)} 之一，"
                    f"并引用本问题的参数（{'、'.join(sorted(params))}）",
                    field=question.name,
                )
            derive[bound] = (fn, param)
        known = raw.get("known")
        if known is not None and not isinstance(known, str):
            raise BindingInvalid(f"{where}的 known 应为 SQL 字符串", field=question.name)
        answer_map = {k: str(v) for k, v in answer.items()}
        return cls(question.name, raw["sql"], answer_map, derive, known)


def run_binding(
    connection: Connection | Session,
    binding: Binding,
    question: QuestionDef,
    args: Mapping[str, ArgValue],
    today: dt.date,
) -> dict[str, Any]:
    """Run the binding's SQL with the arguments and return every answer field, typed."""
    by_name = {p.name: p for p in question.params}
    values: dict[str, Any] = dict(args) | {"today": today.isoformat()}
    for bound, (fn, param) in binding.derive.items():
        values[bound] = DERIVATIONS[fn](args.get(param), by_name[param], today)
    known = binding.known_statement
    if known is not None and not _one_row(connection, known, values, question).get("known"):
        raise SubjectUnknown(
            f"提供方没有问题 {question.name} 所问主体的记录（no record of the subject）",
            field="args",
        )
    row = _one_row(connection, binding.statement, values, question)
    return {f.name: _typed(question, f, row.get(binding.answer[f.name])) for f in question.answer}


def _one_row(
    connection: Connection | Session,
    statement: TextClause,
    values: Mapping[str, Any],
    question: QuestionDef,
) -> RowMapping:
    try:
        rows = connection.execute(statement, values).mappings().all()
    except DBAPIError as exc:
        raise BindingInvalid(
            f"问题 {question.name} 的绑定 SQL 执行失败：{type(exc.orig).__name__}: {exc.orig}",
            field=question.name,
        ) from exc
    if len(rows) != 1:
        raise BindingInvalid(
            f"问题 {question.name} 的绑定 SQL 应恰好返回一行，返回了 {len(rows)} 行",
            field=question.name,
        )
    return rows[0]


def _typed(question: QuestionDef, answer: AnswerField, value: Any) -> Any:
    fault = f"问题 {question.name} 的答复字段 {answer.name}（{answer.type}）"
    if answer.type == "boolean":
        if value in (0, 1):  # SQLite has no boolean type; True/False compare equal too
            return bool(value)
    elif answer.type == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif answer.type == "enum":
        if value in answer.values:
            return value
    elif isinstance(value, str):
        return value
    raise BindingInvalid(f"{fault}不能取绑定 SQL 返回的值 {value!r}", field=question.name)


_DEFAULT_BINDINGS: dict[str, Binding] = {}


def _default_binding(question: QuestionDef) -> Binding:
    # Question definitions are loaded once and never change, so their bindings parse once.
    found = _DEFAULT_BINDINGS.get(question.name)
    if found is None:
        found = _DEFAULT_BINDINGS[question.name] = Binding.parse(question, question.binding)
    return found


class SessionAdapter:
    """Answers from the node's own database (the session's or connection's), by the default
    bindings."""

    def __init__(
        self, session: Session | Connection, bindings: Mapping[str, Binding] | None = None
    ) -> None:
        self._session = session
        self._bindings = bindings

    def answer(
        self, question: QuestionDef, args: Mapping[str, ArgValue], today: dt.date
    ) -> dict[str, Any]:
        if self._bindings is None:
            binding = _default_binding(question)
        else:
            binding = self._bindings.get(question.name) or _not_bound(question)
        # The statement runs on the connection itself: a text() statement gains nothing from
        # the ORM session's execute but its cost.
        found = self._session
        connection = found.connection() if isinstance(found, Session) else found
        return run_binding(connection, binding, question, args, today)


def _not_bound(question: QuestionDef) -> Binding:
    raise QuestionNotOffered(f"本节点的数据绑定未涵盖问题 {question.name}", field="question")


class DatabaseAdapter:
    """Answers from another database (a department's existing system) by a bindings file."""

    def __init__(self, engine: Engine, bindings: Mapping[str, Binding]) -> None:
        self.engine = engine
        self.bindings = dict(bindings)

    def answer(
        self, question: QuestionDef, args: Mapping[str, ArgValue], today: dt.date
    ) -> dict[str, Any]:
        binding = self.bindings.get(question.name) or _not_bound(question)
        with self.engine.connect() as connection:
            try:
                return run_binding(connection, binding, question, args, today)
            finally:
                connection.rollback()  # read-only: nothing a binding runs is ever kept

    def close(self) -> None:
        self.engine.dispose()


def load_bindings(path: Path, *, database_url: str | None = None) -> DatabaseAdapter:
    """A :class:`DatabaseAdapter` from the bindings file at ``path`` (format: module docstring).

    ``database_url`` overrides the file's. BindingInvalid names what is wrong with the file;
    QuestionNotFound a question name that does not exist.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BindingInvalid(f"无法读取数据绑定文件 {path}：{exc}", field="bindings") from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("bindings"), Mapping):
        raise BindingInvalid(f"数据绑定文件 {path} 应含 bindings 对象", field="bindings")
    url = database_url or raw.get("database_url")
    if url is None and raw.get("database_url_env"):
        url = os.environ.get(str(raw["database_url_env"]))
    if not isinstance(url, str) or not url:
        raise BindingInvalid(
            f"数据绑定文件 {path} 应给出 database_url 或 database_url_env（且该环境变量已设置）",
            field="database_url",
        )
    bindings = {
        name: Binding.parse(get_question(name), spec) for name, spec in raw["bindings"].items()
    }
    return DatabaseAdapter(create_engine(url), bindings)
