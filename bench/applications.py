"""Benchmark applications (办件) end to end on the single node `make run` serves.

One application of 老年人优待证办理 (the elderly card) for a demo resident aged 60+, each step
over real HTTP to a ``certfree serve`` process built as `make run` builds it (``db upgrade``,
``demo init``, served with CERTFREE_HOSTED_DEPARTMENTS=*), the clerk's and the applicant's
tokens minted and the applicant's phone played as ``certfree apply`` does
(:mod:`certfree.cli.apply_client`, :mod:`certfree.demo.devices`)::

    start    POST /applications — the plan: age_at_least and is_resident_of at 370100-GA
    consent  GET the application; POST /consent/attestations (the province, this node, records
             the consent and signs the attestation); POST /applications/{id}/consent
    run      POST /applications/{id}/run — two data-sharing questions to 370100-GA, which this
             node hosts: each request sealed and audited, the attestation checked, the answer
             sealed for the department, stored and audited, opened and recorded; GET it again
    submit   POST /applications/{id}/submit — the receipt sealed
    decide   POST /applications/{id}/decide (approve) — the decision record sealed, the
             elderly card sealed to the applicant's wallet key and stored in their demo wallet

What one application costs the node in signatures (all Ed25519: the node's key, and the
issuing organ's for the card), counted from the code path: 8 signatures — the attestation,
2 question requests, 2 answers, the receipt, the decision record, the certificate — and
14 verifications — 8 bearer tokens (one per HTTP call), the attestation twice at
/consent (once for each question it must cover), once more per question where the hosted
department answers, and the 2 answers where they come back. No certificate is presented
(both requirements are met by data sharing), so no KB-JWT is made or checked. The command
line's stand-ins also mint 6 tokens per application in this process (a real phone or desk
signs in once; not counted).

Before the clock starts each of the residents taking turns carries their e-ID card in their
demo wallet, as ``certfree apply start`` makes sure of (issued once, kept with the wallets in
the directory). Prints applications/s with K in flight and one at a time, p50/p99 of each
step and of the whole, and the CPU milliseconds the server process spent per application
(/proc/<pid>/stat), beside the limit: the raw cost on this machine of those signatures and
verifications (cryptography's Ed25519 in the same run), as "limit X/s, measured Y/s, ratio
Y/X". A directory this run made is removed afterwards unless --keep; one already there is
reused as it is.

    python bench/applications.py                          # var/bench-apps, 8 in flight, 10 s
    python bench/applications.py --seconds 30 --inflight 4 --citizens 20000 --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certfree import population
from certfree.cli.apply_client import (
    Node,
    Refused,
    carry_id_cards,
    give_consent,
    parties_act,
    store_issued,
)
from certfree.demo.devices import DemoSite, demo_site
from certfree.errors import CertfreeError
from certfree.settings import Settings
from certfree.storage import Database

SERVICE = "老年人优待证办理"
ELDERLY_CARD = "11100000000013709K001"
STEPS = ("start", "consent", "run", "submit", "decide")
SIGNS, VERIFIES = 8, 14  # per application, at the node (module docstring)
ELDERS = 100  # residents aged 60+ taking turns (each may apply again: nothing forbids it)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CERTFREE = [sys.executable, "-m", "certfree"]


class Unfinished(Exception):
    """An application the node did not take as far as the elderly card in the wallet."""


_FAILURES = (Refused, CertfreeError, httpx.HTTPError, Unfinished)


@dataclass(frozen=True)
class Served:
    """The node being measured: its URL, server process id and demo site."""

    url: str
    pid: int
    site: DemoSite
    database_url: str


@dataclass
class Phase:
    """What one phase measured."""

    label: str
    steps: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def done(self) -> int:
        return len(self.steps.get("whole", []))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certfree(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [*CERTFREE, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"certfree {' '.join(args)} failed:\n{done.stderr}")


@contextmanager
def serve(directory: Path, citizens: int, firms: int) -> Iterator[Served]:
    """`make run` in ``directory``: migrate, build the demo province unless it is there,
    serve with every department hosted; stopped on leaving."""
    root = directory.resolve()
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{root / 'certfree.db'}",
        key_dir=root / "keys",
        port=_free_port(),
        hosted_departments=("*",),
    )  # the rest from CERTFREE_* as the server reads them, which inherits this environment
    env = dict(os.environ) | {
        "CERTFREE_DATABASE_URL": settings.database_url,
        "CERTFREE_KEY_DIR": str(settings.key_dir),
        "CERTFREE_PORT": str(settings.port),
        "CERTFREE_HOSTED_DEPARTMENTS": "*",
    }
    _certfree(env, "db", "upgrade")
    _certfree(env, "demo", "init", "--citizens", str(citizens), "--firms", str(firms),
              "--if-missing")  # fmt: skip
    site = demo_site(None, cluster_dir=root, settings=settings)
    if site is None or site.province is None:
        raise SystemExit("the node must be a development province node (CERTFREE_NODE_LEVEL)")
    with (
        (root / "serve.log").open("w") as log,
        subprocess.Popen(  # noqa: S603 - our own command
            [*CERTFREE, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        ) as process,
    ):
        try:
            _wait_healthy(settings.base_url, process, root / "serve.log")
            yield Served(settings.base_url, process.pid, site, settings.database_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"certfree serve did not come up:\n{log.read_text()}")


def _elders(database_url: str, count: int) -> tuple[list[str], int]:
    """``count`` living residents aged 60 or more today, and how many residents there are."""
    today = dt.date.today()
    try:
        born_by = today.replace(year=today.year - 60)
    except ValueError:  # 29 February
        born_by = today.replace(year=today.year - 60, day=28)
    db = Database(database_url)
    try:
        with db.session() as session:
            elders = population.list_people(session, count, born_by=born_by)
            residents = population.count_rows(session, ["persons"])["persons"]
    finally:
        db.dispose()
    return [person.id_number for person in elders], residents


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _on_nodes(served: Served, count: int, body: Callable[[Node], None]) -> None:
    """``body`` in ``count`` threads, each with its own connection to the node."""

    def worker() -> None:
        with httpx.Client(timeout=60, headers={"Accept-Language": "zh-CN"}) as client:
            body(Node(served.url, served.site, None, client))

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def one_application(node: Node, elder: str) -> dict[str, float]:
    """Seconds each step of one application took, and the whole; Unfinished when the node
    did not get as far as an elderly card in the elder's wallet."""
    took: dict[str, float] = {}
    began = mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        took[name], mark = now - mark, now

    body = {"service": SERVICE, "applicant": elder, "parties": {}}
    app_id = str(node.call("POST", "/applications", node.clerk(), body=body)["id"])
    step("start")
    give_consent(node, app_id, elder, attestation=None, holder_jwk=None)
    step("consent")
    view = node.call("POST", f"/applications/{app_id}/run", node.clerk())
    failed = parties_act(node, view)
    view = node.application(app_id)
    unmet = [r["requirement"] for r in view["requirements"] if r["status"] != "met"]
    if failed or unmet:
        raise Unfinished(f"{app_id}: not met after run: {unmet} {failed}")
    step("run")
    node.call("POST", f"/applications/{app_id}/submit", node.clerk())
    step("submit")
    view = node.call("POST", f"/applications/{app_id}/decide", node.clerk(), body={"approve": True})
    store_issued(node, view)
    issued = [entry["type"] for entry in view.get("issued") or []]
    if issued != [ELDERLY_CARD]:
        raise Unfinished(f"{app_id}: issued {issued}, not the elderly card")
    step("decide")
    took["whole"] = time.perf_counter() - began
    node.acted.clear()
    return took


def carry_cards(served: Served, elders: list[str], inflight: int) -> None:
    """Each elder's e-ID card in their demo wallet, as ``certfree apply start`` ensures."""
    queue = iter(elders)

    def body(node: Node) -> None:
        for elder in queue:  # a shared iterator: each elder once
            carry_id_cards(node, SERVICE, {"applicant": elder})

    _on_nodes(served, inflight, body)


def drive(served: Served, elders: list[str], seconds: float, inflight: int, label: str) -> Phase:
    """Applications, ``inflight`` at a time, started until ``seconds`` have passed."""
    phase = Phase(label, {name: [] for name in (*STEPS, "whole")})
    turns = itertools.count()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def body(node: Node) -> None:
        while time.monotonic() < stop:
            elder = elders[next(turns) % len(elders)]
            try:
                took = one_application(node, elder)
            except _FAILURES as exc:
                with lock:
                    phase.failures.append(f"{elder}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                for name, seconds_taken in took.items():
                    phase.steps[name].append(seconds_taken)

    server, client, started = _cpu(served.pid), time.process_time(), time.perf_counter()
    _on_nodes(served, inflight, body)
    phase.wall = time.perf_counter() - started
    phase.server_cpu = _cpu(served.pid) - server
    phase.client_cpu = time.process_time() - client
    return phase


def first_application(served: Served, elder: str) -> dict[str, float]:
    """The first application the node serves, timed apart: it pays for what the node loads
    on first use."""
    took: dict[str, float] = {}

    def body(node: Node) -> None:
        took.update(one_application(node, elder))

    _on_nodes(served, 1, body)
    return took


def raw_ed25519(seconds: float = 1.0) -> tuple[float, float]:
    """Signatures and verifications per second on one core (cryptography's Ed25519) of a
    message-sized JWS signing input."""
    key = Ed25519PrivateKey.generate()
    public, message = key.public_key(), b"e" * 600
    signature = key.sign(message)
    rates = []
    for operation in (lambda: key.sign(message), lambda: public.verify(signature, message)):
        count, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds / 2:
            for _ in range(20):
                operation()
            count += 20
        rates.append(count / elapsed)
    return rates[0], rates[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(phase: Phase) -> float:
    """Print one phase; its applications per second."""
    rate = phase.done / phase.wall if phase.wall else 0.0
    print(
        f"{phase.label}: {phase.done} applications in {phase.wall:.1f} s, "
        f"{len(phase.failures)} failed → {rate:.2f} applications/s"
    )
    for failure in phase.failures[:3]:
        print(f"  failed: {failure[:300]}")
    if phase.done:
        print(f"  {'step':<8} {'p50 ms':>8} {'p99 ms':>8}")
        for name, values in phase.steps.items():
            p50, p99 = statistics.median(values) * 1000, _percentile(values, 0.99) * 1000
            print(f"  {name:<8} {p50:>8.1f} {p99:>8.1f}")
        print(
            f"  CPU per application: server process {phase.server_cpu / phase.done * 1000:.1f} ms, "
            f"bench client {phase.client_cpu / phase.done * 1000:.1f} ms"
        )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--inflight", type=int, default=8, help="applications in flight")
    parser.add_argument("--citizens", type=int, default=20_000, help="demo init, when built")
    parser.add_argument("--firms", type=int, default=2_000, help="demo init, when built")
    parser.add_argument("--dir", type=Path, default=Path("var/bench-apps"))
    parser.add_argument("--keep", action="store_true", help="keep the directory this run made")
    args = parser.parse_args()

    made = not args.dir.exists()
    print(f"{'building' if made else 'reusing'} the node in {args.dir} and serving it …")
    try:
        with serve(args.dir, args.citizens, args.firms) as served:
            elders, residents = _elders(served.database_url, ELDERS)
            if not elders:
                raise SystemExit("the node's population register has no resident aged 60+")
            started = time.perf_counter()
            carry_cards(served, elders, args.inflight)
            carried = time.perf_counter() - started
            first = first_application(served, elders[0])
            busy = drive(served, elders, args.seconds, args.inflight, f"{args.inflight} in flight")
            serial = drive(served, elders, args.seconds, 1, "one at a time")
            url, pid = served.url, served.pid
    finally:
        if made and not args.keep:
            shutil.rmtree(args.dir, ignore_errors=True)
    print(
        f"node {url} (pid {pid}), {residents:,} residents; {len(elders)} aged 60+ take turns "
        f"applying for {SERVICE}; their e-ID cards carried in {carried:.1f} s"
    )
    print(
        "first application after the node started: "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in first.items())
    )
    busy_rate, serial_rate = report(busy), report(serial)
    signs, verifies = raw_ed25519()
    cost = SIGNS / signs + VERIFIES / verifies
    cores = os.cpu_count() or 1
    print(
        f"raw Ed25519 on one core (cryptography, this run): sign {signs:,.0f}/s, verify "
        f"{verifies:,.0f}/s → {SIGNS} signatures + {VERIFIES} verifications = "
        f"{cost * 1e6:.0f} µs per application"
    )
    for label, limit, rate in (
        (f"{args.inflight} in flight ({cores} cores)", cores / cost, busy_rate),
        ("one at a time (one core)", 1 / cost, serial_rate),
    ):
        print(f"{label}: limit {limit:,.0f}/s, measured {rate:.2f}/s, ratio {rate / limit:.4f}")
    if busy.done:
        per = busy.server_cpu / busy.done
        print(
            f"the server process spent {per * 1000:.1f} ms of CPU per application "
            f"(≈{1 / per:.1f}/s on a core of its own); the signatures are {cost / per:.1%} of it"
        )
    print(f"machine load average (1 min) after the run: {os.getloadavg()[0]:.1f} on {cores} cores")
    p99 = _percentile(busy.steps["whole"], 0.99) * 1000 if busy.done else 0.0
    print(f"applications/s={busy_rate:.2f} serial/s={serial_rate:.2f} p99_ms={p99:.0f}")


if __name__ == "__main__":
    main()
