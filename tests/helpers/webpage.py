"""What every browser test checks of a page it visits: no serious accessibility violation
(axe-core, run by axe-playwright-python, WCAG 2.1 A/AA rules), no horizontal scroll on a
390-pixel phone, and a screenshot kept as the test's artefact (``build/screenshots``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize

# Debian's Chromium, driven by Playwright with nothing downloaded; the switches keep it quiet
# and offline.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
_AXE = Axe()
_SERIOUS = frozenset({"serious", "critical"})
_AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Violations only: the passing and inapplicable results, with every node they looked at,
    # are most of what axe would otherwise hand back through the browser connection.
    "resultTypes": ["violations"],
}


def serious_violations(page: Page) -> list[str]:
    """Each serious or critical axe-core violation on the page as shown now: rule, nodes."""
    if not page.evaluate("typeof axe === 'object'"):  # once per document, not per check
        page.evaluate(_AXE.axe_script)
    violations = page.evaluate("options => axe.run(options).then(r => r.violations)", _AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v.get("impact") in _SERIOUS
    ]


def assert_accessible(page: Page) -> None:
    found = serious_violations(page)
    assert not found, "accessibility violations:\n" + "\n".join(found)


def fits_phone(page: Page) -> bool:
    """Whether the page, at the width it is shown, needs no horizontal scrolling."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``build/screenshots/<name>.png`` (the test's artefact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^0-9A-Za-z_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def as_shown(subject: str) -> str:
    """Who is signed in as the "signed in as" bar shows it: a citizen's ID number masked
    (first 4, last 4, as static/page.js certfree.mask), a staff ID as it is."""
    if re.fullmatch(r"[0-9]{17}[0-9X]", subject):
        return subject[:4] + "*" * 10 + subject[-4:]
    return subject


def signed_in_subject(page: Page, key: str) -> str:
    """The subject of the session the page keeps under ``key`` (sessionStorage)."""
    return str(page.evaluate("k => JSON.parse(sessionStorage.getItem(k)).subject", key))


def check_page(page: Page, name: str) -> None:
    """The checks of every page a test reaches: accessible, and its screenshot kept."""
    screenshot(page, name)
    assert_accessible(page)
