"""Fixtures for functional tests: a real Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import Browser, expect, sync_playwright

from helpers.webpage import CHROMIUM, CHROMIUM_ARGS

# Playwright waits 5 s for what a page should show; a shared CI machine under load (the
# PostgreSQL run, a cluster starting beside it) has been seen to need more. A page that never
# shows it still fails, only later.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is missing: apt-get install chromium (CI installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def provider_key() -> rsa.RSAPrivateKey:
    """The signing key of the OpenID provider that tests stand in for (helpers.oidc_provider)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
