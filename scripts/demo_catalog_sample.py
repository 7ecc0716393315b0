"""Developer tool: regenerate the demo catalog that ships with the package, a sample of the real
open-data catalog entries kept as a test vector.

Usage::

    .venv/bin/python scripts/demo_catalog_sample.py

Reads ``tests/vectors/open_data_catalog/catalog_guiyang_nanning.csv`` (the 3,131 entries the
贵阳 and 南宁 open-data portals publish; see tests/vectors/SOURCES.md) and writes
``src/certfree/demo/data/open_data_catalog/catalog_guiyang_nanning_sample.csv``: the rows
unchanged, in their order, keeping the first :data:`PER_PROVIDER` of every provider (so each of
the 208 departments is in the demo) and every row about social insurance (社保, 社会保险, 参保),
which the README's ``catalog match`` example looks for. The package cannot read the vector at
run time: tests/ is not installed, and a fresh clone must demo without anything outside it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests/vectors/open_data_catalog/catalog_guiyang_nanning.csv"
TARGET = ROOT / "src/certfree/demo/data/open_data_catalog/catalog_guiyang_nanning_sample.csv"
PER_PROVIDER = 2
ALWAYS = ("社保", "社会保险", "参保")


def main() -> None:
    rows = list(csv.DictReader(io.StringIO(SOURCE.read_text(encoding="utf-8"))))
    taken: Counter[tuple[str, str]] = Counter()
    sample = []
    for row in rows:
        provider = (row["region"], row["provider"])
        wanted = any(word in row["title"] + row["description"] for word in ALWAYS)
        if taken[provider] < PER_PROVIDER or wanted:
            taken[provider] += 1
            sample.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(sample)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(out.getvalue(), encoding="utf-8")
    print(f"{len(sample)} of {len(rows)} rows, {len(taken)} providers → {TARGET}")


if __name__ == "__main__":
    main()
