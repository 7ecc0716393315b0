"""Benchmark catalog matching of demands to resources: index time, match latency, and quality.

* Quality: the 3,131 real open-data entries (shared/data/open_data_catalog) are imported into a
  fresh SQLite database and indexed; each demand of the labelled set
  (bench/data/catalog_match_labelled.json: demands worded with synonyms and abbreviations,
  each with the real titles that satisfy it) is matched. recall@5 is the share of demands with
  a relevant resource among the first five; MRR the mean of 1/rank of the first relevant one.
* Speed: 350,000 resources are synthesised from the real ones (names, providers and abstracts
  moved to the 16 cities of Shandong and their districts, with year and edition variants),
  indexed from scratch (segmentation included), and the labelled demands are matched against
  them repeatedly; p95 is over every call (ranking and explanation).
* ``--import``: also write the 350,000 rows as a CSV file and time ``import_catalog`` on it.

    python bench/catalog_match.py
    python bench/catalog_match.py --resources 100000 --import
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from certfree import catalog
from certfree.catalog.importing import items_in  # the importer's reading of abstracts
from certfree.catalog.index import Document, build_index
from certfree.storage import Database, migrate

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests/vectors/open_data_catalog/catalog_guiyang_nanning.csv"  # = shared/data
LABELLED = ROOT / "bench/data/catalog_match_labelled.json"
INDEX_LIMIT_S = 60.0
P95_LIMIT_MS = 20.0
CITIES = {
    "济南市": ("历下区", "市中区", "槐荫区", "天桥区", "历城区", "章丘区", "平阴县", "商河县"),
    "青岛市": ("市南区", "市北区", "黄岛区", "崂山区", "李沧区", "城阳区", "即墨区", "胶州市"),
    "淄博市": ("淄川区", "张店区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"),
    "枣庄市": ("薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"),
    "东营市": ("东营区", "河口区", "垦利区", "利津县", "广饶县"),
    "烟台市": ("芝罘区", "福山区", "牟平区", "莱山区", "龙口市", "莱阳市", "莱州市", "招远市"),
    "潍坊市": ("潍城区", "寒亭区", "坊子区", "奎文区", "青州市", "诸城市", "寿光市", "高密市"),
    "济宁市": ("任城区", "兖州区", "微山县", "鱼台县", "金乡县", "嘉祥县", "曲阜市", "邹城市"),
    "泰安市": ("泰山区", "岱岳区", "宁阳县", "东平县", "新泰市", "肥城市"),
    "威海市": ("环翠区", "文登区", "荣成市", "乳山市"),
    "日照市": ("东港区", "岚山区", "五莲县", "莒县"),
    "临沂市": ("兰山区", "罗庄区", "河东区", "沂南县", "郯城县", "沂水县", "兰陵县", "费县"),
    "德州市": ("德城区", "陵城区", "宁津县", "庆云县", "临邑县", "齐河县", "乐陵市", "禹城市"),
    "聊城市": ("东昌府区", "茌平区", "阳谷县", "莘县", "东阿县", "冠县", "高唐县", "临清市"),
    "滨州市": ("滨城区", "沾化区", "惠民县", "阳信县", "无棣县", "博兴县", "邹平市"),
    "菏泽市": ("牡丹区", "定陶区", "曹县", "单县", "成武县", "巨野县", "郓城县", "东明县"),
}
_SOURCE_CITY = re.compile(r"贵阳市|南宁市|贵阳|南宁|贵州省|广西壮族自治区|广西|贵州")
_SOURCE_DISTRICT = re.compile(
    r"^(南明区|云岩区|花溪区|乌当区|白云区|观山湖区|清镇市|开阳县|息烽县|修文县|经开区|高新区|"
    r"兴宁区|青秀区|江南区|西乡塘区|良庆区|邕宁区|武鸣区|隆安县|马山县|上林县|宾阳县|横州市)"
)


def real_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(REAL.read_text(encoding="utf-8"))))


def synthesise(rows: list[dict[str, str]], total: int, seed: int = 6) -> list[dict[str, str]]:
    """``total`` catalog rows: each real row moved to a city (and often a district)."""
    rng = random.Random(seed)
    cities = list(CITIES)
    out = []
    for n in range(total):
        row = rows[n % len(rows)]
        city = cities[(n // len(rows)) % len(cities)]
        district = rng.choice(CITIES[city])

        def move(text: str, city: str = city, district: str = district) -> str:
            return _SOURCE_CITY.sub(city, _SOURCE_DISTRICT.sub(district, text))

        name = move(row["title"])
        if not name.startswith((city, district)) and rng.random() < 0.6:
            name = rng.choice((city, district)) + name
        if rng.random() < 0.3:
            name += rng.choice(("（2023年）", "（2024年）", "（更新）", "表", "（季度）"))
        out.append({**row, "title": name, "provider": move(row["provider"]),
                    "description": move(row["description"]), "region": f"山东省{city}",
                    "record_url": f"{row['record_url']}#{n}"})  # fmt: skip
    return out


def document(code: str, row: dict[str, str]) -> Document:
    items = tuple(items_in(row["description"]))
    return Document(code, row["title"], row["provider"], row["description"], items)


def labelled() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(LABELLED.read_text(encoding="utf-8"))["cases"]
    return cases


def quality(db: Database) -> tuple[float, float, list[str]]:
    with db.session() as session:
        catalog.import_catalog(session, REAL.read_bytes(), REAL.name)
    with db.session() as session:
        index = catalog.load_index(session)
    found5, reciprocal, misses = 0, 0.0, []
    for case in labelled():
        relevant = set(case["relevant"])
        names = [c.name for c in catalog.match(index, case["demand"], top=20)]
        rank = next((i for i, name in enumerate(names, start=1) if name in relevant), None)
        if rank is not None and rank <= 5:
            found5 += 1
        else:
            misses.append(f"{case['demand']} → {names[:3]}")
        reciprocal += 1.0 / rank if rank else 0.0
    return found5 / len(labelled()), reciprocal / len(labelled()), misses


def speed(rows: list[dict[str, str]], repeats: int) -> tuple[float, float, float, float, int]:
    docs = [document(f"307/{n + 1:06d}", row) for n, row in enumerate(rows)]
    wall, cpu = time.perf_counter(), time.process_time()
    index = build_index(docs, "bench")
    build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    demands = [case["demand"] for case in labelled()]
    for demand in demands:  # warm the segmentation memo for the demands, as a live node is
        catalog.match(index, demand)
    timings, cpu_timings = [], []
    for _ in range(repeats):
        for demand in demands:
            started, cpu = time.perf_counter(), time.process_time()
            catalog.match(index, demand, top=5)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
    p95 = statistics.quantiles(timings, n=100)[94]
    cpu_p95 = statistics.quantiles(cpu_timings, n=100)[94]
    return build_wall, build_cpu, p95, cpu_p95, len(timings)


def time_import(rows: list[dict[str, str]], directory: Path) -> float:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    db = Database(f"sqlite:///{directory / 'import.db'}")
    migrate.upgrade(db)
    started = time.perf_counter()
    with db.session() as session:
        catalog.import_catalog(session, buffer.getvalue().encode(), "synthetic.csv")
    took = time.perf_counter() - started
    db.dispose()
    return took


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER LIMIT"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, default=350_000)
    parser.add_argument("--repeats", type=int, default=5, help="passes over the demands")
    parser.add_argument("--import", dest="with_import", action="store_true")
    args = parser.parse_args()
    rows = real_rows()
    # Wall time is what the limits mean; CPU time shows the cost when the machine is shared.
    print(f"machine load average (1/5/15 min): {os.getloadavg()}, CPUs: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as temp:
        db = Database(f"sqlite:///{Path(temp) / 'quality.db'}")
        migrate.upgrade(db)
        recall, mrr, misses = quality(db)
        db.dispose()
        print(f"quality on {len(rows)} real entries, {len(labelled())} labelled demands:")
        print(f"  recall@5 {recall:.3f}   MRR {mrr:.3f}   (no limit set; higher is better)")
        for miss in misses:
            print(f"  missed: {miss}")
        synthetic = synthesise(rows, args.resources)
        build_wall, build_cpu, p95, cpu_p95, calls = speed(synthetic, args.repeats)
        print(f"index {args.resources:,} synthetic resources: {build_wall:.1f} s wall, "
              f"{build_cpu:.1f} s CPU (limit {INDEX_LIMIT_S:.0f} s) "
              f"{verdict(build_wall <= INDEX_LIMIT_S)}")  # fmt: skip
        print(f"match latency p95 over {calls} calls: {p95:.1f} ms wall, {cpu_p95:.1f} ms CPU "
              f"(limit {P95_LIMIT_MS:.0f} ms) {verdict(p95 <= P95_LIMIT_MS)}")  # fmt: skip
        if args.with_import:
            took = time_import(synthetic, Path(temp))
            print(f"import {args.resources:,} rows (CSV, SQLite): {took:.1f} s "
                  f"(goal: minutes, not hours) {verdict(took <= 600)}")  # fmt: skip


if __name__ == "__main__":
    main()
