"""Logs never carry a raw resident ID number: every log record of the process is masked.

A node's logs (uvicorn's access log with request paths such as ``/api/v1/people/<ID>``, error
tracebacks, our own messages) leave the node for log collectors that no data-sharing grant
covers; 个人信息保护法 第51条 asks for 去标识化 of what is processed. The record factory masks
every ID number and mobile number in a record's message, arguments and traceback
(:func:`certfree.governance.masking.mask_in_text`), whatever logger wrote it. Names cannot be
found in free text: code logs no names.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from certfree.governance.masking import mask_in_text

__all__ = ["install_log_masking"]


def _masked_arg(value: Any) -> Any:
    if isinstance(value, str):
        return mask_in_text(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value  # formatted with %d or %s: kept as it is (no ID number fits a float)
    shown = str(value)
    masked = mask_in_text(shown)
    return value if masked == shown else masked


def _mask_record(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = mask_in_text(record.msg)
    if isinstance(record.args, Mapping):
        record.args = {key: _masked_arg(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_masked_arg(value) for value in record.args)
    if record.exc_info and record.exc_info[0] is not None:
        # Formatters use exc_text when it is set: the traceback, masked once here.
        record.exc_text = mask_in_text(logging.Formatter().formatException(record.exc_info))


class _MaskingFactory:
    """Wraps the process's record factory; marked so that installing twice wraps once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        _mask_record(record)
        return record


def install_log_masking() -> None:
    """Mask ID numbers in every log record this process creates from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(current))
