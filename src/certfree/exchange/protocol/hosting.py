"""Co-hosted providers: department nodes whose data this node holds and answers for itself.

A node configured with ``hosted_departments`` (:class:`certfree.settings.Settings`) answers a
message addressed to one of them in its own process, with the same handlers, replay store and
audit as a message from the network, and signs the reply with its own key, naming the
department in the payload's ``for`` (X-Road's "represented party": the security server of one
member serves another). A consumer accepts such a reply only from itself: a node can vouch
for what it hosts, and the signed registry does not say who hosts whom, so no other node could
check the claim. For the same reason a message for a hosted department that arrives from
another node is passed on along the cascade as before, not answered here.

``*`` hosts every department node of the node register below this node that has no endpoint
of its own and is not revoked, as on the single node ``make run`` serves, whose database holds
the whole demo population.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.errors import ConfigurationError
from certfree.exchange.protocol.directory import NodeDirectory
from certfree.exchange.protocol.routing import in_subtree
from certfree.exchange.protocol.signing import Directory, Peer
from certfree.exchange.protocol.workers import Workers
from certfree.nodes import Node, NodeStatus
from certfree.settings import HOST_ALL, NodeLevel, Settings
from certfree.storage import Database

__all__ = ["HostedDepartments", "WithOwnKeys", "check_hosted", "hosted_codes"]


def check_hosted(me: str, hosted: Iterable[str]) -> None:
    """ConfigurationError unless every named department lies below node ``me``."""
    for code in hosted:
        if code != HOST_ALL and (code == me or not in_subtree(me, code)):
            raise ConfigurationError(
                f"CERTFREE_HOSTED_DEPARTMENTS 中的 {code} 不在本节点 {me} 之下，不能由本节点代答"
                f"（{code} is not below this node {me}）",
                field="hosted_departments",
            )


def hosted_codes(session: Session, me: str, hosted: Iterable[str]) -> frozenset[str]:
    """The department node codes node ``me`` answers for under the setting ``hosted``: those
    it names, and with ``*`` every department of the register below ``me`` that has no
    endpoint and is not revoked."""
    named = set(hosted)
    codes = {code for code in named if code != HOST_ALL}
    if HOST_ALL in named:
        rows = session.execute(
            select(Node.code).where(
                Node.level == NodeLevel.DEPARTMENT,
                Node.endpoint_url.is_(None),
                Node.status != NodeStatus.REVOKED,
            )
        )
        codes.update(code for (code,) in rows if code != me and in_subtree(me, code))
    return frozenset(codes)


@dataclass(frozen=True)
class WithOwnKeys:
    """The registry, with this node's own keys for its own code: the replies it signs for a
    department it hosts verify even where it is not listed in its own registry (the single
    demo node is not), and under a key rotated since the registry was published."""

    registry: Directory
    me: str
    own: Callable[[], Peer]

    def peer(self, code: str) -> Peer | None:
        return self.own() if code == self.me else self.registry.peer(code)


class HostedDepartments:
    """Which departments this node answers for itself, by its settings and the registry.

    ConfigurationError at once for a named department that is not below the node."""

    def __init__(
        self, settings: Settings, db: Database, directory: NodeDirectory, workers: Workers
    ) -> None:
        check_hosted(settings.node_code, settings.hosted_departments)
        self._settings = settings
        self._db = db
        self._directory = directory
        self._workers = workers
        self._hosted: tuple[float, frozenset[str]] | None = None

    async def hosts(self, code: str) -> bool:
        """Whether this node answers for department ``code`` itself (``hosted_departments``).

        With ``*``, a department that has since registered an endpoint of its own is no
        longer hosted: messages for it go to that endpoint."""
        hosted = self._settings.hosted_departments
        if not hosted or "-" not in code:
            return False
        if code in hosted:
            return True
        if HOST_ALL not in hosted:
            return False
        now = time.monotonic()
        if self._hosted is None or now - self._hosted[0] > self._directory.ttl:
            me = self._settings.node_code

            def read() -> frozenset[str]:
                with self._db.session() as session:
                    return hosted_codes(session, me, hosted)

            self._hosted = (now, await self._workers.run(read))
        if code not in self._hosted[1]:
            return False
        peer = (await self._directory.current()).peer(code)
        return peer is None or not peer.endpoint
