"""Catalog resources as a department would describe them (synthetic data)."""

from __future__ import annotations

from typing import Any


def resource_data(**changes: Any) -> dict[str, Any]:
    """A valid resource as an API call or a file gives it, with ``changes`` applied."""
    return {
        "class_code": "307",
        "name": "婚姻登记信息",
        "abstract": "结婚登记、离婚登记的登记信息",
        "provider": "济南市民政局",
        "provider_code": "11370100MB1234567X",
        "format": "数据库",
        "items": [{"name": "公民身份号码", "grade": "important"}, {"name": "婚姻状况"}],
        "share_type": "conditional",
        "share_conditions": "仅用于政务服务中的婚姻状况核验",
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "daily",
        "released": "2024-05-01",
    } | changes
