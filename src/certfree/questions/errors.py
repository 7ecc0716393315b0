"""Errors of the question catalogue, under the tree in :mod:`certfree.errors`::

InvalidInput
└── QuestionArgsInvalid   422 a question's argument is missing, unknown or malformed
NotFound
└── QuestionNotFound      404 no question with that name
"""

from __future__ import annotations

from certfree.errors import InvalidInput, NotFound

__all__ = ["QuestionArgsInvalid", "QuestionNotFound"]


class QuestionArgsInvalid(InvalidInput):
    slug = "question-args-invalid"
    title = "Question arguments invalid"
    title_zh = "核验问题参数有误"


class QuestionNotFound(NotFound):
    slug = "question-not-found"
    title = "No such question"
    title_zh = "没有该核验问题"
