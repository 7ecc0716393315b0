"""The processes of a demo cluster: each node a ``certfree serve`` on a loopback port, started
in its own session so that it outlives the command that started it, and the manifest
(``cluster.json``) that records each node's URL and pid so that a later command can ask after
them and stop them. A pid in the manifest is acted on only while it still is the node's own
``certfree serve`` (pids get reused).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from certfree.errors import NotFound

if TYPE_CHECKING:
    from certfree.demo.cluster import ClusterNode

__all__ = [
    "MANIFEST",
    "alive",
    "cluster_down",
    "cluster_status",
    "is_cluster_node",
    "read_manifest",
    "start_node",
    "wait_healthy",
]

MANIFEST = "cluster.json"
# Processes this process started, kept so that ``cluster_down`` can reap them (no zombies).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of the cluster in ``directory``; NotFound says how to start one."""
    path = directory / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"{path} 不存在；请先运行 certfree cluster up", field="dir") from None
    return data


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def is_cluster_node(pid: int, port: int) -> bool:
    """Whether ``pid`` still is the ``certfree serve`` we started on ``port`` (pids get reused)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"serve" in argv and str(port).encode() in argv


def start_node(node: ClusterNode, env: dict[str, str]) -> int:
    """Start ``certfree serve`` for ``node`` in its own session (it outlives this command)."""
    log = (node.directory / "serve.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        # No access log: a line per hop of every message is CPU spent on nothing (bench).
        [sys.executable, "-m", "certfree", "serve", "--port", str(node.port), "--no-access-log"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CERTFREE_")}, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    _CHILDREN[process.pid] = process
    (node.directory / "env.json").write_text(json.dumps(env, indent=2))
    return process.pid


def wait_healthy(urls: dict[str, str], timeout: float) -> list[str]:
    """Poll every ``/healthz`` until all answer 200 or ``timeout``; the codes still down."""
    pending = dict(urls)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while pending and time.monotonic() < deadline:
            for code, url in list(pending.items()):
                try:
                    if client.get(f"{url}/healthz").status_code == 200:
                        del pending[code]
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(0.2)
    return sorted(pending)


def cluster_status(directory: Path) -> list[dict[str, Any]]:
    """Each node of the manifest with its pid state and health."""
    manifest = read_manifest(directory)
    rows = []
    with httpx.Client(timeout=2.0) as client:
        for code, node in manifest["nodes"].items():
            health: str
            try:
                response = client.get(f"{node['url']}/healthz")
                health = "ok" if response.status_code == 200 else f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                health = f"down ({type(exc).__name__})"
            rows.append(
                {
                    "code": code,
                    "level": node["level"],
                    "url": node["url"],
                    "pid": node["pid"],
                    "running": alive(int(node["pid"])),
                    "health": health,
                }
            )
    return rows


def cluster_down(directory: Path, *, grace: float = 5.0) -> list[str]:
    """SIGTERM every node of the manifest, SIGKILL those still running after ``grace``."""
    manifest = read_manifest(directory)
    pids = {
        code: int(node["pid"])
        for code, node in manifest["nodes"].items()
        if is_cluster_node(int(node["pid"]), int(node["url"].rsplit(":", 1)[1]))
    }
    for pid in pids.values():
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(pid) for pid in pids.values()):
        time.sleep(0.1)
    killed = []
    for code, pid in pids.items():
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
            killed.append(code)
    for pid in [int(node["pid"]) for node in manifest["nodes"].values()]:
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            child.wait(timeout=grace)
    return killed
