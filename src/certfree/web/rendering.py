"""The one Jinja2 environment of the web pages, with the filters they share."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

WEB = resources.files("certfree.web")
SHANGHAI = ZoneInfo("Asia/Shanghai")

templates = Jinja2Templates(directory=str(WEB / "templates"))


def local_time(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as people in the province read it (Asia/Shanghai)."""
    return moment.astimezone(SHANGHAI).strftime(fmt)


templates.env.filters["local"] = local_time
