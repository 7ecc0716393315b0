"""Benchmark verifications through the full 1+16+N cascade on this machine.

Path of one verification (signed, encrypted end to end, authorised, audited)::

    desk (clerk token) → 370200 青岛 → 370000 province → 370100 济南 → 370100-MZ 民政局
                       ← answer signed and encrypted by 370100-MZ, passed back unchanged ←

Every hop is a hop envelope signed by the node making it, over mutual TLS 1.3 (the cluster's
development CA, each peer's key checked against the signed registry); messages waiting for the
same next node share an envelope. The question and the answer are JWE-encrypted (ECDH-ES +
A256GCM) to the receiving node, so the province and 济南 see routing metadata only. Each
verification costs 2 message signatures (request by the consumer, answer by the provider) and
6 verifications (clerk token and answer at the consumer; the request at the province, at
济南 and at the provider, and there the applicant's consent attestation, signed by the
province beforehand), plus one envelope signature and verification per hop and batch, 4
audit entries and the stored reply in group-committed transactions on two nodes, and one SQL
question over the provider's own tables. Prints verifications/s and p50/p99 latency beside the
goals and the raw signature cost of the same path, and the CPU milliseconds each node (and the
bench's own client) spent per verification, from /proc/<pid>/stat, beside each role's goal.

    python bench/exchange.py                      # starts a cluster in var/bench-cluster
    python bench/exchange.py --dir var/cluster    # uses a running cluster (2+ cities, MZ)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from certfree.crypto import generate_signer, sign_jws
from certfree.demo import cluster_desk as desk
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_processes import cluster_down, read_manifest, wait_healthy

DESK, PROVIDER = "370200", "370100-MZ"
MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"  # 内地居民结婚登记
SIGNS, VERIFIES = 2, 6
GOAL_RATE, GOAL_P99_MS = 1000, 50  # verifications/s with 16 in flight, and their p99
# CPU per verification each role may spend (ms): the forwarders only route.
GOAL_CPU_MS = {DESK: 0.8, PROVIDER: 0.8, "370000": 0.15, "370100": 0.15}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _people(manifest: dict[str, Any], count: int) -> list[str]:
    path = Path(manifest["nodes"][PROVIDER]["dir"]) / "certfree.db"
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT party_a_id FROM marriages ORDER BY registration_no LIMIT ?", (count,)
        ).fetchall()
    return [row[0] for row in rows]


def _consents(manifest: dict[str, Any], people: list[str]) -> dict[str, str]:
    """Each applicant's consent attestation, signed by the province when they gave it with
    their application (before the measured path, as in real use)."""
    attested = {}
    for person in people:
        attested |= desk.consent_attestations(
            manifest,
            DESK,
            question="marital_status",
            args={"id_number": person},
            service_item=MARRIAGE,
            purpose="内地居民结婚登记",
        )
    return attested


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) each node process has used so far."""
    used = {}
    for code, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[code] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


async def _drive(
    url: str, token: str, people: dict[str, str], seconds: float, concurrency: int
) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:

        async def worker(offset: int) -> None:
            nonlocal failures
            turn = offset
            applicants = list(people)
            while time.monotonic() < stop:
                person = applicants[turn % len(applicants)]
                payload = {
                    "question": "marital_status",
                    "provider": PROVIDER,
                    "args": {"id_number": person},
                    "service_item": MARRIAGE,
                    "purpose": "内地居民结婚登记",
                    "consents": [people[person]],
                }
                turn += concurrency
                started = time.perf_counter()
                response = await client.post(f"{url}/api/v1/exchange/ask", json=payload)
                elapsed = time.perf_counter() - started
                if response.status_code == 200:
                    latencies.append(elapsed)
                else:
                    failures += 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies, failures


def _raw_signature_rate(seconds: float = 1.0) -> tuple[float, float]:
    """Signatures and verifications per second (Ed25519, one core) on a message-sized JWS."""
    signer = generate_signer()
    verifier = signer.verifier
    data = sign_jws(signer, {"body": "x" * 400}).rsplit(".", 1)[0].encode()
    signature = signer.sign(data)
    count, stop = 0, time.perf_counter() + seconds / 2
    while time.perf_counter() < stop:
        signer.sign(data)
        count += 1
    signs = count / (seconds / 2)
    count, stop = 0, time.perf_counter() + seconds / 2
    while time.perf_counter() < stop:
        verifier.verify(data, signature)
        count += 1
    return signs, count / (seconds / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="a running cluster's directory")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16, help="verifications in flight")
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()

    own = args.dir is None
    directory = Path("var/bench-cluster") if own else args.dir
    if own:
        print(f"starting a cluster in {directory} (province, 2 cities, MZ departments) …")
        manifest = cluster_up(directory, cities=2, departments=["MZ"], citizens=1000)
    else:
        manifest = read_manifest(directory)
        missing = wait_healthy({c: n["url"] for c, n in manifest["nodes"].items()}, 10)
        if missing or DESK not in manifest["nodes"] or PROVIDER not in manifest["nodes"]:
            raise SystemExit(f"the cluster needs healthy {DESK} and {PROVIDER}: {missing}")
    try:
        people = _consents(manifest, _people(manifest, args.people))
        node = manifest["nodes"][DESK]
        token = desk.clerk_token(node, DESK, "bench")
        url = node["url"]
        asyncio.run(_drive(url, token, people, args.warmup, args.concurrency))
        pids = {code: int(n["pid"]) for code, n in manifest["nodes"].items()}
        before = _cpu(pids)
        started, client_cpu = time.perf_counter(), time.process_time()
        latencies, failures = asyncio.run(
            _drive(url, token, people, args.seconds, args.concurrency)
        )
        wall, client_cpu = time.perf_counter() - started, time.process_time() - client_cpu
        after = _cpu(pids)
        before["bench client"], after["bench client"] = 0.0, client_cpu
        # One at a time: the latency of the path itself, without queueing behind others.
        serial, _ = asyncio.run(_drive(url, token, people, min(3.0, args.seconds), 1))
    finally:
        if own:
            cluster_down(directory)
    if serial:
        ordered = sorted(serial)
        print(
            f"one at a time: p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000:.1f} ms "
            f"({len(ordered)} verifications)"
        )
    _report(
        latencies, failures, wall=wall, concurrency=args.concurrency, before=before, after=after
    )


def _report(
    latencies: list[float],
    failures: int,
    *,
    wall: float,
    concurrency: int,
    before: dict[str, float],
    after: dict[str, float],
) -> None:
    done = len(latencies)
    rate = done / wall
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else 0.0
    signs, verifies = _raw_signature_rate()
    crypto_us = (SIGNS / signs + VERIFIES / verifies) * 1e6
    print(
        f"path: desk → {DESK} → 370000 → 370100 → {PROVIDER} and back, {concurrency} in flight, "
        "mutual TLS 1.3 on every hop, bodies JWE-encrypted end to end"
    )
    print(f"verifications: {done} in {wall:.1f} s, {failures} failed")
    print(
        f"verifications/s: {rate:,.0f} (goal ≥ {GOAL_RATE:,}: {rate / GOAL_RATE:.0%})   "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal ≤ {GOAL_P99_MS} ms: "
        f"{p99 / GOAL_P99_MS:.1f}×)"
    )
    print(
        f"raw signature cost of the same path: {SIGNS} Ed25519 signatures + {VERIFIES} "
        f"verifications = {crypto_us:.0f} µs per verification "
        f"(sign {signs:,.0f}/s, verify {verifies:,.0f}/s on one core) → at most "
        f"{2 * 1e6 / crypto_us:,.0f} verifications/s on 2 cores if signatures were all"
    )
    if done:
        client = after.pop("bench client", 0.0)
        spent = {code: after.get(code, 0.0) - before.get(code, 0.0) for code in after}
        busy = {code: secs for code, secs in spent.items() if secs > 0.01}
        total = sum(busy.values())
        shares = ", ".join(
            f"{code} {secs / done * 1000:.2f} ms"
            + (
                f" (goal ≤ {GOAL_CPU_MS[code]}: {secs / done * 1000 / GOAL_CPU_MS[code]:.1f}×)"
                if code in GOAL_CPU_MS
                else ""
            )
            for code, secs in sorted(busy.items())
        )
        print(f"CPU per verification by node: {shares}; total {total / done * 1000:.2f} ms")
        print(f"CPU per verification of the bench's own client: {client / done * 1000:.2f} ms")
        print(
            f"limit: the nodes need {total / done * 1000:.1f} ms of CPU per verification and "
            f"this machine has 2 cores (≈{2 * done / total if total else 0:,.0f}/s ceiling if "
            f"the nodes had both to themselves); message signatures are "
            f"{crypto_us / (total / done * 1e6):.0%} of it — the rest is Python: HTTP and TLS "
            "in four servers (FastAPI at the desk), envelopes, JWE, SQLAlchemy and SQLite "
            "commits, JSON"
        )
    print(f"machine load average (1 min) during the run: {os.getloadavg()[0]:.1f} on 2 cores")
    print(f"verifications/s={rate:.0f} p99_ms={p99:.0f}")


if __name__ == "__main__":
    main()
