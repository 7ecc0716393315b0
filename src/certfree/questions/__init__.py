"""Verification questions (数据共享核验问题): the one catalogue every package reads.

The service-item catalogue (:mod:`certfree.procedures`) names questions as evidence and the
route resolver plans with them; the exchange (:mod:`certfree.exchange`) answers them at the
department that holds the facts and checks grants against their data items. Both read the
definitions here (``data/questions.json``), so a service item cannot name a question that no
department answers. The provider's handler (answer_question) stays in the exchange.
"""

from certfree.questions.catalogue import (
    IDENTIFIER_TYPES,
    QUESTIONS_FILE,
    AnswerDataItem,
    AnswerField,
    ArgValue,
    ParamDef,
    QuestionDef,
    check_grant_scope,
    data_items,
    get_question,
    list_questions,
    validate_args,
)
from certfree.questions.errors import QuestionArgsInvalid, QuestionNotFound
from certfree.questions.evidence import (
    MAX_EXPECTED_VALUES,
    ParameterValue,
    check_evidence_expect,
    check_evidence_parameters,
    parse_expect,
    parse_parameters,
)

__all__ = [
    "IDENTIFIER_TYPES",
    "MAX_EXPECTED_VALUES",
    "QUESTIONS_FILE",
    "AnswerDataItem",
    "AnswerField",
    "ArgValue",
    "ParamDef",
    "ParameterValue",
    "QuestionArgsInvalid",
    "QuestionDef",
    "QuestionNotFound",
    "check_evidence_expect",
    "check_evidence_parameters",
    "check_grant_scope",
    "data_items",
    "get_question",
    "list_questions",
    "parse_expect",
    "parse_parameters",
    "validate_args",
]
