"""The size, seed and reference day of the small demo province the demo tests build."""

from __future__ import annotations

import datetime as dt

AS_OF = dt.date(2024, 6, 1)
CITIZENS = 2_000
FIRMS = 200
SEED = 7
