"""Department kinds a demo cluster's region nodes answer for themselves (``--hosted``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from certfree.demo.cluster import cluster_up, department_kinds, node_environment, plan_cluster
from certfree.errors import InvalidInput


def test_each_region_node_hosts_its_own_department_of_a_hosted_kind(tmp_path: Path) -> None:
    nodes = plan_cluster(tmp_path, 1, ["MZ"])
    hosted = department_kinds(["sw", "SJ"])

    env = {n.code: node_environment(n, nodes, tmp_path / "province.jwks", hosted) for n in nodes}

    assert env["370000"]["CERTFREE_HOSTED_DEPARTMENTS"] == "370000-SW,370000-SJ"
    assert env["370100"]["CERTFREE_HOSTED_DEPARTMENTS"] == "370100-SW,370100-SJ"
    assert "CERTFREE_HOSTED_DEPARTMENTS" not in env["370100-MZ"]
    assert all("-SW" not in code and "-SJ" not in code for code in env)  # no process of theirs


def test_a_kind_runs_as_department_nodes_or_is_hosted_never_both(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as both:
        cluster_up(tmp_path, departments=["MZ", "SW"], hosted=["sw"])
    with pytest.raises(InvalidInput) as unknown:
        cluster_up(tmp_path, departments=["MZ"], hosted=["XX"])

    assert both.value.field == unknown.value.field == "hosted"
    assert "SW" in str(both.value)
    assert list(tmp_path.iterdir()) == []  # refused before anything is built or started
