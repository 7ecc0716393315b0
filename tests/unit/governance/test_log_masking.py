"""Log records never carry a raw resident ID number, whoever logs them and however."""

from __future__ import annotations

import logging

import pytest

from certfree.governance.log_masking import install_log_masking
from certfree.governance.masking import mask_in_text

ID = "370102199003070029"
OLD_ID = "370102900307002"


def test_id_and_mobile_numbers_in_text_are_masked_and_other_numbers_kept() -> None:
    line = f"GET /api/v1/people/{ID}?b={OLD_ID} HTTP/1.1 · serial 123456789012345678 · 2024"
    assert mask_in_text(line) == (
        "GET /api/v1/people/3701**********0029?b=370*********002 HTTP/1.1"
        " · serial 123456789012345678 · 2024"
    )
    assert (
        mask_in_text("回电 13812345678，订单 1733600000000")
        == "回电 138****5678，订单 1733600000000"
    )
    # A mistyped check character is still someone's number; an X as well.
    assert mask_in_text("370102199003070021 37010219900307002x") == (
        "3701**********0021 3701**********002x"
    )


def test_a_record_is_masked_in_its_message_arguments_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_log_masking()
    install_log_masking()  # twice: still one mask
    log = logging.getLogger("certfree.test")
    with caplog.at_level(logging.INFO, logger="certfree.test"):
        log.info(f"lookup of {ID}")
        log.info("lookup of %s", ID)
        log.info("lookup of %(who)s", {"who": ID})
        log.info("%s %d %s", "args", 200, ValueError(f"no person {OLD_ID}"))
        try:
            raise LookupError(f"no person {ID}")
        except LookupError:
            log.exception("failed")
    text = caplog.text
    assert ID not in text
    assert OLD_ID not in text
    assert text.count("3701**********0029") == 4
    assert "args 200 no person 370*********002" in text
    assert "LookupError: no person 3701**********0029" in text
