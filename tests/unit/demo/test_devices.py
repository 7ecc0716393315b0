"""The demo's stand-ins for people's devices: which demo node a URL is, and what an
application asks about each party (what `certfree apply consent` asks the province to attest)."""

from __future__ import annotations

import json
from pathlib import Path

from certfree.demo.devices import demo_site
from certfree.settings import Settings


def _cluster(directory: Path) -> None:
    nodes = {
        code: {"url": f"http://127.0.0.1:{port}", "dir": str(directory / code), "level": level}
        for code, port, level in (("370000", 7001, "province"), ("370100", 7002, "city"))
    }
    manifest = {"province": "370000", "nodes": nodes}
    (directory / "cluster.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_url_is_a_cluster_node_the_make_run_node_or_no_demo_node(tmp_path: Path) -> None:
    _cluster(tmp_path)
    settings = Settings(key_dir=tmp_path / "var" / "keys", port=8123)

    city = demo_site("http://127.0.0.1:7002/", cluster_dir=tmp_path, settings=settings)
    assert city is not None
    assert (city.node.code, city.node.settings.key_dir) == ("370100", tmp_path / "370100" / "keys")
    assert city.province is not None
    assert city.province.url == "http://127.0.0.1:7001"
    assert city.wallets == tmp_path / "wallets"

    for url in (None, "http://127.0.0.1:8123"):
        own = demo_site(url, cluster_dir=tmp_path, settings=settings)
        assert own is not None
        assert own.province is own.node
        assert own.wallets == tmp_path / "var" / "wallets"

    assert demo_site("http://127.0.0.1:9", cluster_dir=tmp_path, settings=settings) is None
    production = settings.model_copy(update={"environment": "production"})
    assert demo_site(None, cluster_dir=tmp_path, settings=production) is None
