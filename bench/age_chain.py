"""Prove and verify "aged at least N" with the hash chain, beside the raw SHA-256 rate.

The holder's proof costs T − b hashes (from the seed to the proof) and, in the Python wallet,
m more to check the sealed anchor; the verifier's check costs m = ref − T hashes (see
docs/edge-processing.md). Each row times one case in Python (hashlib, ``certs.derived``) and in
Chromium (WebCrypto, ``static/holder.js``), and prints the time beside the raw rate of the same
run: ``ratio`` = time taken / time the raw rate needs for the hashes the case makes (1.00 =
nothing but hashing). No limits are asserted: the figures are for reading.

    python bench/age_chain.py [--seconds 0.5] [--no-browser]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from certfree.certs import cert_type
from certfree.certs.derived import (
    AGE_ANCHOR,
    CHAIN_DAYS,
    AgeAnchor,
    age_proof,
    chain_steps,
    check_derived,
    edge_claims,
    latest_birth_date,
)

ID_CARD = cert_type("11100000000013047R001")
ISSUED = dt.date(2026, 11, 29)
SEED = bytes(range(32))
# (case, birth date, N, day proved): a 35-year-old at a bar, a centenarian's discount, the
# longest chain the type allows (120 years, sealed at the bound of 150 years).
CASES = [
    ("35-year-old, N=18", dt.date(1991, 12, 7), 18, dt.date(2026, 12, 7)),
    ("68-year-old, N=60", dt.date(1958, 3, 15), 60, dt.date(2026, 12, 7)),
    ("150-year-old, N=120", dt.date(1876, 1, 1), 120, dt.date(2026, 12, 7)),
]
HOLDER_JS = Path(__file__).resolve().parents[1] / "src/certfree/web/static/holder.js"


def seconds_per(operation: Callable[[], object], seconds: float) -> float:
    """Wall seconds one call of ``operation`` takes, over about ``seconds``."""
    operation()
    count, start = 0, time.perf_counter()
    while True:
        operation()
        count += 1
        now = time.perf_counter()
        if now - start >= seconds:
            return (now - start) / count


def raw_rate(seconds: float) -> float:
    """SHA-256 of 32 bytes per second, hashlib in a plain loop."""
    sha256 = hashlib.sha256
    value, batch = SEED, 10_000

    def run() -> None:
        nonlocal value
        for _ in range(batch):
            value = sha256(value).digest()

    return batch / seconds_per(run, seconds)


def steps(born: dt.date, years: int, on: dt.date) -> tuple[int, int]:
    """(k − m, m): the prover's hashes from the seed, the verifier's from the proof."""
    k = min((ISSUED - born).days, CHAIN_DAYS)
    m = chain_steps(ISSUED, latest_birth_date(on, years))
    return k - m, m


def python_rows(seconds: float) -> list[tuple[str, str, int, float, float]]:
    rate = raw_rate(seconds)
    rows = []
    for name, born, years, on in CASES:
        edge = edge_claims(ID_CARD, {"birth_date": born.isoformat()}, ISSUED, seed=SEED)
        anchor = AgeAnchor.read(edge[AGE_ANCHOR])
        assert anchor is not None
        proof = age_proof(SEED, born, anchor, on, years)
        statement = {"years": years, "proof": base64.urlsafe_b64encode(proof).decode()[:43]}
        claims = {AGE_ANCHOR: edge[AGE_ANCHOR]}
        kb = {"derived": {"age_at_least": statement}}
        assert check_derived(ID_CARD, claims, kb, on) == ({"age_at_least": years}, None)
        forward, back = steps(born, years, on)
        prove = seconds_per(partial(age_proof, SEED, born, anchor, on, years), seconds)
        verify = seconds_per(partial(check_derived, ID_CARD, claims, kb, on), seconds)
        rows.append((name, "prove", forward + back, prove, rate))
        rows.append((name, "verify", back, verify, rate))
    return rows


_PAGE = """<!doctype html><meta charset=utf-8><title>bench</title><script>{script}</script>
<script>
// The raw rate: crypto.subtle.digest in a plain loop.
async function rawRate(seconds) {{
  let value = new Uint8Array(32), count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {{
    for (let i = 0; i < 1000; i += 1) {{
      value = new Uint8Array(await crypto.subtle.digest("SHA-256", value));
    }}
    count += 1000;
  }}
  return count / ((performance.now() - start) / 1000);
}}
async function timeChain(steps, seconds) {{
  const seed = new Uint8Array(32);
  let runs = 0;
  const start = performance.now();
  do {{ await certfreeHolder.hashChain(seed, steps); runs += 1; }}
  while (performance.now() - start < seconds * 1000);
  return (performance.now() - start) / 1000 / runs;
}}
</script>"""


def browser_rows(seconds: float) -> list[tuple[str, str, int, float, float]]:
    """The same cases in Chromium: a page on an https origin (WebCrypto needs a secure
    context), served by the test browser itself from this file's text, nothing fetched."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from helpers.webpage import CHROMIUM, CHROMIUM_ARGS  # noqa: PLC0415  (only when asked)

    page_text = _PAGE.format(script=HOLDER_JS.read_text(encoding="utf-8"))
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("https://bench.certfree.invalid/", lambda r: r.fulfill(body=page_text))
        page.goto("https://bench.certfree.invalid/")
        rate = float(page.evaluate("s => rawRate(s)", seconds))
        for name, born, years, on in CASES:
            forward, back = steps(born, years, on)
            prove = float(page.evaluate("a => timeChain(a[0], a[1])", [forward, seconds]))
            verify = float(page.evaluate("a => timeChain(a[0], a[1])", [back, seconds]))
            rows.append((name, "prove", forward, prove, rate))
            rows.append((name, "verify", back, verify, rate))
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    parser.add_argument("--no-browser", action="store_true", help="Python only")
    args = parser.parse_args()
    print(f"chain bound {CHAIN_DAYS} days; issued {ISSUED}; {args.seconds} s per figure")
    header = (
        f"{'where':<8} {'case':<20} {'op':<7} {'hashes':>7} {'ms':>8} {'raw/s':>11} {'ratio':>6}"
    )
    print(header)
    sides = [("python", python_rows)]
    if not args.no_browser:
        sides.append(("chromium", browser_rows))
    for where, measure in sides:
        for name, op, hashes, taken, rate in measure(args.seconds):
            ratio = taken / (hashes / rate) if hashes else float("nan")
            print(
                f"{where:<8} {name:<20} {op:<7} {hashes:>7,} {taken * 1000:>8.2f}"
                f" {rate:>11,.0f} {ratio:>6.2f}"
            )


if __name__ == "__main__":
    main()
