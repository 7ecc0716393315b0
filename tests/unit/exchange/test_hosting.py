"""Which department nodes a node answers for itself (``hosted_departments``)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from certfree.crypto import KeyStore
from certfree.errors import ConfigurationError
from certfree.exchange.protocol.hosting import hosted_codes
from certfree.exchange.protocol.runtime import ExchangeRuntime
from certfree.nodes import DepartmentKind, Node, NodeStatus
from certfree.settings import Settings
from certfree.storage import Database


def test_star_is_every_department_below_the_node_without_an_endpoint(
    db: Database, demo_registry: None
) -> None:
    with db.session() as session:
        session.execute(
            update(Node).where(Node.code == "370100-MZ").values(endpoint_url="http://mz.test")
        )
        session.execute(
            update(Node).where(Node.code == "370100-GA").values(status=NodeStatus.REVOKED)
        )
        province = hosted_codes(session, "370000", ("*",))
        jinan = hosted_codes(session, "370100", ("*",))
        named = hosted_codes(session, "370100", ("370100-MZ",))

    assert len(province) == 17 * 9 - 2  # the province's and 16 cities' nine departments
    assert "370000-MZ" in province
    assert "370200-MZ" in province
    assert jinan == {f"370100-{kind}" for kind in DepartmentKind} - {"370100-MZ", "370100-GA"}
    assert named == {"370100-MZ"}  # named: hosted even with an endpoint of its own


@pytest.mark.parametrize("hosted", ["370200-MZ", "370000-MZ"])
def test_a_node_cannot_host_a_department_outside_its_subtree(
    db: Database, keys: KeyStore, settings: Settings, hosted: str
) -> None:
    city = settings.model_copy(
        update={"node_code": "370100", "node_level": "city", "hosted_departments": (hosted,)}
    )
    with pytest.raises(ConfigurationError, match=f"{hosted} is not below this node 370100"):
        ExchangeRuntime(city, db, keys)
