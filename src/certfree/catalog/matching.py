"""Automatic matching of demands to resources, with explanations, and the gap list.

A demand's text and data items are segmented (``segment``), each word expanded with its
synonyms and abbreviations (data/synonyms.csv, weighted 0.8 of the word itself), data items
weighted 1.5 as the demand names them precisely; the index ranks resources with BM25.
Each candidate carries an explanation: which demand words matched which resource fields (by
synonym or as written), and how the demand's data items align with the resource's items.

A demand whose best candidate scores below :data:`GAP_THRESHOLD` (score = BM25 over the
query's ceiling, in [0, 1]) joins the gap list the big-data bureau works through.

The index is built from the database once per catalog version and kept in memory, and in a
file when a cache directory is given (a CLI call is a fresh process), so no call rebuilds it
while the catalog is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.catalog.demands import demand_json, demand_query, list_demands
from certfree.catalog.index import K1, Document, ResourceIndex, build_index
from certfree.catalog.models import Resource
from certfree.catalog.resources import item_names
from certfree.catalog.segment import segment, synonyms_of

__all__ = [
    "GAP_THRESHOLD",
    "Candidate",
    "catalog_version",
    "gap_list",
    "load_index",
    "match",
    "query_terms",
]

GAP_THRESHOLD = 0.3
SYNONYM_WEIGHT = 0.8
ITEM_WEIGHT = 1.5
ITEM_ALIGNED = 0.6  # least term overlap for a demand item to align with a resource item
_FIELDS_ZH = {"name": "名称", "abstract": "摘要", "items": "信息项", "provider": "提供方"}
_loaded: dict[str, ResourceIndex] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource proposed for a demand, with its score and why."""

    code: str
    name: str
    provider: str
    score: float
    bm25: float
    explanation: dict[str, Any]
    origin_node: str | None = None  # the node holding the resource, when harvested

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "provider": self.provider,
            "origin_node": self.origin_node,
            "score": round(self.score, 4),
            "bm25": round(self.bm25, 4),
            "explanation": self.explanation,
        }


def query_terms(text: str, items: Sequence[str] = ()) -> tuple[dict[str, float], dict[str, str]]:
    """Query weights (term → weight) and each term's origin (the demand's own word)."""
    weights: dict[str, float] = {}
    origin: dict[str, str] = {}

    def add(term: str, weight: float, source: str) -> None:
        if weight > weights.get(term, 0.0):
            weights[term] = weight
            origin[term] = source

    words = [(w, 1.0) for w in segment(text)]
    words += [(w, ITEM_WEIGHT) for item in items for w in segment(item)]
    for word, weight in words:
        add(word, weight, word)
    for word, weight in words:
        for other in synonyms_of(word):
            add(other, weight * SYNONYM_WEIGHT, word)
    return weights, origin


def _item_alignment(demand_items: Sequence[str], resource_items: Sequence[str]) -> list[Any]:
    def expanded(text: str) -> set[str]:
        found = set(segment(text)) or {text}
        return found | {s for w in found for s in synonyms_of(w)}

    aligned = []
    targets = [(item, expanded(item)) for item in resource_items]
    for wanted in demand_items:
        want = expanded(wanted)
        best, similarity = "", 0.0
        for item, have in targets:
            overlap = 1.0 if item == wanted else len(want & have) / max(1, len(want))
            if overlap > similarity:
                best, similarity = item, overlap
        if similarity >= ITEM_ALIGNED:
            aligned.append(
                {"demand_item": wanted, "resource_item": best, "similarity": round(similarity, 2)}
            )
    return aligned


def _explain(doc: Document, origin: dict[str, str], demand_items: Sequence[str]) -> dict[str, Any]:
    fields = {
        "name": set(segment(doc.name)),
        "abstract": set(segment(doc.abstract)),
        "provider": set(segment(doc.provider)),
    }
    by_item = {item: set(segment(item)) for item in doc.items}
    terms: list[dict[str, Any]] = []
    for term, source in origin.items():
        where = [f for f, words in fields.items() if term in words]
        items = [item for item, words in by_item.items() if term in words]
        if items:
            where.append("items")
        if where:
            terms.append({"demand": source, "matched": term, "synonym": term != source,
                          "fields": where, "items": items})  # fmt: skip
    aligned = _item_alignment(demand_items, doc.items) if demand_items else []
    parts = [
        (f"「{t['demand']}」≈「{t['matched']}」" if t["synonym"] else f"「{t['matched']}」")
        + "见于"
        + "、".join(_FIELDS_ZH[f] for f in t["fields"])
        for t in terms
    ]
    parts += [f"信息项「{a['demand_item']}」→「{a['resource_item']}」" for a in aligned]
    return {"terms": terms, "items": aligned, "summary": "；".join(parts)}


def _ceiling(index: ResourceIndex, weights: dict[str, float], origin: dict[str, str]) -> float:
    """BM25 of a document holding each demand word (or its best synonym) at saturation.

    A word no resource has counts at the highest idf, so a demand half made of unknown
    words cannot score high on its other half (外星人登记 is not 登记).
    """
    known: dict[str, float] = {}
    unknown: dict[str, float] = {}
    for term, weight in weights.items():
        word = origin[term]
        if term in index.vocabulary:
            known[word] = max(known.get(word, 0.0), weight * index.term_idf(term))
        else:
            unknown[word] = max(unknown.get(word, 0.0), weight * index.term_idf(term))
    best = {word: known.get(word) or value for word, value in unknown.items()} | known
    return sum(best.values()) * (K1 + 1.0)


def match(
    index: ResourceIndex, text: str, items: Sequence[str] = (), *, top: int = 5
) -> list[Candidate]:
    """Resources for a demand (free text and/or data items), best first, each explained."""
    weights, origin = query_terms(text, items)
    hits = index.search(weights, top, _ceiling(index, weights, origin))
    out = []
    for hit in hits:
        doc = index.documents[hit.doc]
        explanation = _explain(doc, origin, items)
        out.append(
            Candidate(doc.code, doc.name, doc.provider, hit.score, hit.bm25, explanation,
                      doc.origin or None)
        )  # fmt: skip
    return out


def gap_list(
    session: Session, index: ResourceIndex, *, threshold: float = GAP_THRESHOLD
) -> list[dict[str, Any]]:
    """Demands with no candidate scoring ``threshold`` or more, highest call volume first."""
    gaps = []
    for row in list_demands(session):
        text, items = demand_query(row)
        found = match(index, text, items, top=1)
        best = found[0].score if found else 0.0
        if best < threshold:
            nearest = found[0].as_json() if found else None
            gaps.append({**demand_json(row), "best_score": round(best, 4), "nearest": nearest})
    gaps.sort(key=lambda g: (-g["calls_per_day"], g["id"]))
    return gaps


def catalog_version(session: Session) -> str:
    """Changes whenever a resource is added, edited, harvested or deleted (count, last id,
    last edit); the leading format number changes with what the index keeps."""
    count, last_id, last_edit = session.execute(
        select(func.count(), func.max(Resource.id), func.max(Resource.updated_at))
    ).one()
    return f"2:{count}:{last_id}:{last_edit.isoformat() if last_edit else ''}"


def _documents(session: Session) -> list[Document]:
    query = select(
        Resource.code, Resource.name, Resource.provider, Resource.abstract, Resource.items,
        Resource.origin_node,
    ).order_by(Resource.id)  # fmt: skip
    rows = session.execute(query.execution_options(yield_per=5000))
    return [
        Document(code, name, provider, abstract or "", tuple(item_names(items)), origin or "")
        for code, name, provider, abstract, items, origin in rows
    ]  # fmt: skip


def load_index(session: Session, cache_dir: Path | None = None) -> ResourceIndex:
    """The index of the current catalog: from memory, else the cache file, else built anew."""
    key = str(session.get_bind().engine.url)
    version = catalog_version(session)
    with _lock:
        held = _loaded.get(key)
        if held is not None and held.version == version:
            return held
        path = None
        if cache_dir is not None:
            digest = hashlib.sha256(key.encode()).hexdigest()[:16]
            path = cache_dir / f"catalog-index-{digest}.pickle"
            index = _read(path, version)
            if index is not None:
                _loaded[key] = index
                return index
        index = build_index(_documents(session), version)
        if path is not None:
            _write(path, index)
        _loaded[key] = index
        return index


def _read(path: Path, version: str) -> ResourceIndex | None:
    try:
        with path.open("rb") as handle:
            # The file is one this node wrote into its own var directory (see _write).
            index = pickle.load(handle)  # noqa: S301
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return None
    if isinstance(index, ResourceIndex) and index.version == version:
        return index
    return None


def _write(path: Path, index: ResourceIndex) -> None:
    """Write atomically (temp file, then rename), so a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        Path(temp).replace(path)
    except OSError:
        return  # a cache that cannot be written only costs a rebuild next time
