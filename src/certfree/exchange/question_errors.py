"""Errors of verification questions, under ``certfree.errors``::

    CertfreeError
    ├── InvalidInput
    │   ├── QuestionArgsInvalid     422 an argument is missing, unknown or malformed (args.<name>)
    │   └── BindingInvalid          422 a bindings file or its SQL does not fit the question
    └── NotFound
        ├── QuestionNotFound        404 no question with that name
        └── QuestionNotOffered      404 this provider's department does not answer it

Refusals for want of a grant or of consent are ``certfree.catalog.GrantRefused`` and
``certfree.governance.ConsentRefused`` (403, each with a named ``reason``).
"""

from __future__ import annotations

from certfree.errors import InvalidInput, NotFound

__all__ = ["BindingInvalid", "QuestionArgsInvalid", "QuestionNotFound", "QuestionNotOffered"]


class QuestionArgsInvalid(InvalidInput):
    slug = "question-args-invalid"
    title = "Question arguments invalid"
    title_zh = "核验问题参数有误"


class BindingInvalid(InvalidInput):
    slug = "binding-invalid"
    title = "Question binding invalid"
    title_zh = "核验问题的数据绑定有误"


class QuestionNotFound(NotFound):
    slug = "question-not-found"
    title = "No such question"
    title_zh = "没有该核验问题"


class QuestionNotOffered(NotFound):
    slug = "question-not-offered"
    title = "Question not offered by this provider"
    title_zh = "该节点不答复此核验问题"
