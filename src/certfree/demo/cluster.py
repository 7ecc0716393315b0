"""A demo cascade on one machine: the province, N cities and their departments as separate
``certfree serve`` processes on loopback ports, each with its own SQLite database and keys.

All nodes start from one template database (the demo province built once with one seed:
one consistent synthetic world), copied per node; each gets its own node key, is registered
and approved at the province, and every department node gets the demo sharing grants. Every
node also listens for node-to-node hops on an exchange port, over TLS 1.3 with a certificate
the cluster's development CA (``tls/`` under the cluster's directory) issued it; the registry
binds each node's exchange URL and the key of its certificate. A
department kind may instead be *hosted*: each region node answers for its own department of
that kind from the registers it holds (co-hosted providers, ``CERTFREE_HOSTED_DEPARTMENTS``),
as a 政务服务中心 that registers firms holds the market and tax registers it writes. The
manifest ``cluster.json`` records each node's URL, exchange URL, pid, directory and level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import KeyStore, TlsFiles, development_tls, fingerprint
from certfree.crypto.tls import load_certificate
from certfree.demo.cluster_processes import (
    MANIFEST,
    alive,
    is_cluster_node,
    read_manifest,
    start_node,
    wait_healthy,
)
from certfree.demo.pilot_grants import load_demo_grants
from certfree.demo.province import build_demo_province, demo_nodes
from certfree.demo.service_items import load_demo_items
from certfree.errors import Conflict, InvalidInput, NotFound
from certfree.exchange.protocol.registry import register_node
from certfree.nodes import DepartmentKind
from certfree.population import list_people
from certfree.settings import DEV_PASSPHRASE
from certfree.storage import Database, migrate

__all__ = [
    "ClusterNode",
    "cluster_up",
    "demo_residents",
    "plan_cluster",
    "sqlite_session",
]

# Progress: an event name (``building``, ``preparing``, ``up``) and its figures; the caller
# words it in the user's language.
Report = Callable[..., None]


@dataclass(frozen=True)
class ClusterNode:
    code: str
    name: str
    level: str
    parent: str | None
    port: int
    directory: Path
    exchange_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exchange_url(self) -> str:
        """Where the other nodes reach it: its TLS listener."""
        return f"https://127.0.0.1:{self.exchange_port}"

    def tls(self, cluster: Path) -> TlsFiles:
        """Its certificate from the cluster's development CA (made once, reused after)."""
        return development_tls(
            self.directory / "tls",
            self.code,
            ["127.0.0.1", "localhost"],
            DEV_PASSPHRASE,
            ca_directory=cluster / "tls",
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def department_kinds(texts: Sequence[str], field: str = "departments") -> list[DepartmentKind]:
    """Department kinds from their codes (``MZ``); InvalidInput names an unknown one."""
    kinds = []
    for text in texts:
        try:
            kinds.append(DepartmentKind(text.strip().upper()))
        except ValueError:
            known = ",".join(kind.value for kind in DepartmentKind)
            raise InvalidInput(f"未知的部门类别 {text!r}（可选 {known}）", field=field) from None
    return kinds


def plan_cluster(directory: Path, cities: int, departments: Sequence[str]) -> list[ClusterNode]:
    """The province, its first ``cities`` cities and ``departments`` under each, parents first."""
    if not 0 <= cities <= 16:
        raise InvalidInput(f"城市数应在 0 到 16 之间，收到 {cities}", field="cities")
    kinds = department_kinds(departments)
    rows = {str(row["code"]): row for row in demo_nodes()}
    regions = [code for code, row in rows.items() if row["parent_code"] is None]
    regions += [code for code, row in rows.items() if row["level"] == "city"][:cities]
    codes = regions + [f"{region}-{kind.value}" for region in regions for kind in kinds]
    return [
        ClusterNode(
            code=code,
            name=str(rows[code]["name"]),
            level=str(rows[code]["level"]),
            parent=rows[code]["parent_code"],  # type: ignore[arg-type]
            port=_free_port(),
            directory=directory / "nodes" / code,
            exchange_port=_free_port(),
        )
        for code in codes
    ]


def _schema_digest() -> str:
    """SHA-256 over the migration scripts: an unreleased migration may be rewritten in place."""
    versions = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    digest = hashlib.sha256()
    for script in sorted(versions.glob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return digest.hexdigest()


def _template(directory: Path, citizens: int, seed: int, report: Report) -> Path:
    """The migrated demo database every node starts from; rebuilt when its inputs change."""
    path = directory / "template.db"
    marker = directory / "template.json"
    wanted = {
        "citizens": citizens,
        "seed": seed,
        "day": dt.date.today().isoformat(),
        "schema": _schema_digest(),
    }
    if path.exists() and marker.exists() and json.loads(marker.read_text()) == wanted:
        db = Database(f"sqlite:///{path}")
        migrate.upgrade(db)  # a newer schema since it was built
        db.dispose()
        return path
    report("building", citizens=citizens, seed=seed)
    for stale in (path, marker):
        stale.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    try:
        migrate.upgrade(db)
        build_demo_province(db, citizens=citizens, firms=citizens // 10, seed=seed)
        with db.session() as session:
            load_demo_items(session, "cluster")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    marker.write_text(json.dumps(wanted))
    return path


def _prepare_node(node: ClusterNode, template: Path) -> dict[str, Any]:
    if node.directory.exists():
        shutil.rmtree(node.directory)
    node.directory.mkdir(parents=True)
    shutil.copyfile(template, node.directory / "certfree.db")
    keys = KeyStore(node.directory / "keys", DEV_PASSPHRASE)
    keys.create(NODE_KEY_OWNER)
    keys.encryption.create(NODE_KEY_OWNER)  # what its peers encrypt messages to it to
    return keys.published_jwks(NODE_KEY_OWNER)


@contextmanager
def sqlite_session(path: Path) -> Iterator[Session]:
    """One transaction on the SQLite database file ``path`` (a node's), closed afterwards."""
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def hosted_by(node: ClusterNode, hosted: Sequence[DepartmentKind]) -> list[str]:
    """The department node codes region node ``node`` answers for itself (none for a
    department node)."""
    if node.level == "department":
        return []
    return [f"{node.code}-{kind.value}" for kind in hosted]


def _register_and_grant(
    nodes: Sequence[ClusterNode],
    jwks: dict[str, dict[str, Any]],
    pins: dict[str, str],
    hosted: Sequence[DepartmentKind] = (),
) -> None:
    """Every node's registry knows every node (active, at its endpoint, with the key of its
    TLS certificate ``pins``), as the province's does; a department node holds the demo
    grants it gives every node, and every node its own copy of the grants it holds: a node
    plans an application on its own registry and grants (exchange.coverage) before it asks
    anything. A region node grants itself the demo questions of the departments it hosts."""
    consumers = [node.code for node in nodes]
    departments = [node.code for node in nodes if node.level == "department"]
    for node in nodes:
        with sqlite_session(node.directory / "certfree.db") as session:
            for other in nodes:
                register_node(
                    session,
                    other.code,
                    jwks=jwks[other.code],
                    endpoint_url=other.exchange_url,
                    tls_fingerprint=pins[other.code],
                    public_url=other.url,
                    approve=True,
                )
            if node.level == "department":
                load_demo_grants(session, consumers, [node.code])
            load_demo_grants(session, [node.code], [*departments, *hosted_by(node, hosted)])


def demo_residents(directory: Path, limit: int, offset: int) -> list[str]:
    """ID numbers of residents of the cluster's demo world (to ask about)."""
    template = directory / "template.db"
    if not template.exists():
        raise NotFound(f"{template} 不存在；请先运行 certfree cluster up", field="dir")
    with sqlite_session(template) as session:
        return [person.id_number for person in list_people(session, limit, offset)]


def node_environment(
    node: ClusterNode,
    nodes: Sequence[ClusterNode],
    pinned: Path,
    hosted: Sequence[DepartmentKind] = (),
    tls: TlsFiles | None = None,
) -> dict[str, str]:
    """The CERTFREE_* variables that make ``certfree serve`` run ``node`` (with its TLS files
    ``tls``; without, the node makes its own development CA)."""
    by_code = {n.code: n for n in nodes}
    env = {
        "CERTFREE_ENVIRONMENT": "development",
        "CERTFREE_NODE_CODE": node.code,
        "CERTFREE_NODE_NAME": node.name,
        "CERTFREE_NODE_LEVEL": node.level,
        "CERTFREE_DATABASE_URL": f"sqlite:///{node.directory / 'certfree.db'}",
        "CERTFREE_KEY_DIR": str(node.directory / "keys"),
        "CERTFREE_KEY_PASSPHRASE": DEV_PASSPHRASE,
        "CERTFREE_PROVINCE_URL": nodes[0].url,
        "CERTFREE_PROVINCE_JWKS": str(pinned),
        "CERTFREE_EXCHANGE_PORT": str(node.exchange_port),
    }
    if tls is not None:
        env |= {
            "CERTFREE_TLS_CERT": str(tls.cert),
            "CERTFREE_TLS_KEY": str(tls.key),
            "CERTFREE_TLS_CA": str(tls.ca),
        }
    if node.parent is not None:
        env["CERTFREE_PARENT_URL"] = by_code[node.parent].url
    if own := hosted_by(node, hosted):
        env["CERTFREE_HOSTED_DEPARTMENTS"] = ",".join(own)
    return env


def cluster_up(
    directory: Path,
    *,
    cities: int = 2,
    departments: Sequence[str] = ("MZ", "GA"),
    hosted: Sequence[str] = (),
    citizens: int = 1000,
    seed: int = 2023,
    report: Report = lambda *_, **__: None,
    timeout: float = 90.0,
) -> dict[str, Any]:
    """Start the cluster and write its manifest; Conflict if one is already running here.

    ``hosted``: department kinds each region node answers for itself, with no process of
    their own (InvalidInput for a kind that also runs as ``departments``)."""
    directory = directory.resolve()
    kinds = department_kinds(hosted, field="hosted")
    both = sorted(set(kinds) & set(department_kinds(departments)))
    if both:
        raise InvalidInput(
            f"部门 {','.join(both)} 不能既独立运行又由区域节点代答"
            f"（{','.join(both)}: a department kind runs as nodes or is hosted, not both）",
            field="hosted",
        )
    if (directory / MANIFEST).exists():
        running = [
            code
            for code, node in read_manifest(directory)["nodes"].items()
            if alive(int(node["pid"]))
            and is_cluster_node(int(node["pid"]), int(node["url"].rsplit(":", 1)[1]))
        ]
        if running:
            raise Conflict(
                f"{directory} 中的集群仍在运行（{', '.join(running)}）；请先 cluster down"
            )
    directory.mkdir(parents=True, exist_ok=True)
    nodes = plan_cluster(directory, cities, departments)
    started = time.monotonic()
    template = _template(directory, citizens, seed, report)
    report("preparing", nodes=len(nodes))
    with ThreadPoolExecutor(max_workers=4) as pool:
        jwks = dict(
            zip(
                [n.code for n in nodes],
                pool.map(lambda n: _prepare_node(n, template), nodes),
                strict=True,
            )
        )
    # One development CA for the cluster (kept across runs), a certificate per node.
    tls = {node.code: node.tls(directory) for node in nodes}
    pins = {code: fingerprint(load_certificate(files.cert)) for code, files in tls.items()}
    _register_and_grant(nodes, jwks, pins, kinds)
    pinned = directory / "province.jwks.json"
    pinned.write_text(json.dumps(jwks[nodes[0].code], indent=2))
    pids = {
        node.code: start_node(node, node_environment(node, nodes, pinned, kinds, tls[node.code]))
        for node in nodes
    }
    manifest = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "province": nodes[0].code,
        "citizens": citizens,
        "seed": seed,
        "nodes": {
            node.code: {
                "url": node.url,
                "exchange_url": node.exchange_url,
                "tls_fingerprint": pins[node.code],
                "pid": pids[node.code],
                "dir": str(node.directory),
                "level": node.level,
                "name": node.name,
                "parent": node.parent,
                "hosted": hosted_by(node, kinds),
            }
            for node in nodes
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    down = wait_healthy({n.code: n.url for n in nodes}, timeout)
    if down:
        raise Conflict(f"以下节点未能启动（见各自的 serve.log）：{', '.join(down)}")
    report("up", nodes=len(nodes), seconds=f"{time.monotonic() - started:.1f}")
    return manifest
