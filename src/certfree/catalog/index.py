"""An in-memory inverted index over catalog resources, ranked with Okapi BM25.

Each resource is one document made of weighted fields: its name counts twice, data items one
and a half times, the abstract once (skipped when it repeats the name) and the provider half.
Postings are compact arrays (document numbers ascending, and the BM25 term-frequency part
precomputed), so 350,000 resources fit in a few hundred megabytes and a query only multiplies
by the term's idf (Robertson & Zaragoza 2009, eq. 3.19: k1 = 1.2, b = 0.75).

A query's common terms (long postings) would dominate its cost while adding little to the
ranking: terms are taken rarest first, and a common one is only looked up, by bisection, for
the best candidates the rarer terms found — or, when they found none, read from its
impact-ordered head (the documents where it weighs most). Results are exact for queries
without common terms and a close approximation otherwise (Turtle & Flood 1995, "max-score").
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress

from certfree.catalog.segment import segment, terms

__all__ = ["Document", "Hit", "ResourceIndex", "build_index"]

K1 = 1.2
B = 0.75
# Terms whose postings are longer than this are only looked up for the best candidates.
COMMON_POSTINGS = 5_000
RESCORED_CANDIDATES = 500


@dataclass(frozen=True, slots=True)
class Document:
    """What the index keeps of a resource to show and explain a hit."""

    code: str
    name: str
    provider: str
    abstract: str
    items: tuple[str, ...]
    origin: str = ""  # node the resource was harvested from; "" for this node's own


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked document: its number, BM25 score and the share of the best possible score."""

    doc: int
    bm25: float
    score: float


@dataclass
class ResourceIndex:
    """Vocabulary, postings and documents; built once by :func:`build_index`."""

    version: str
    documents: list[Document] = field(default_factory=list)
    vocabulary: dict[str, int] = field(default_factory=dict)
    postings: list[array[int]] = field(default_factory=list)
    weights: list[array[float]] = field(default_factory=list)
    # For terms with more than COMMON_POSTINGS documents: the COMMON_POSTINGS documents where
    # the term weighs most (impact-ordered head), used when the rarer terms found nothing.
    heads: dict[int, tuple[array[int], array[float]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.documents)

    def idf(self, term_id: int) -> float:
        df = len(self.postings[term_id])
        n = len(self.documents)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def term_idf(self, term: str) -> float:
        """The term's idf; for a term no document has, the highest idf there can be."""
        term_id = self.vocabulary.get(term)
        return self.idf(term_id) if term_id is not None else math.log(2.0 + 2.0 * len(self))

    def search(self, query: Mapping[str, float], top: int, ceiling: float = 0.0) -> list[Hit]:
        """The ``top`` documents by BM25 for ``query`` (term → query weight); ties by number.

        ``score`` divides BM25 by ``ceiling`` — what a document holding every word of the
        demand would score; by default every known query term at saturation — so it lies
        in [0, 1] and is comparable between queries: the gap list's threshold applies to it.
        """
        known = [(self.vocabulary[t], w) for t, w in query.items() if t in self.vocabulary]
        if not known:
            return []
        known.sort(key=lambda pair: len(self.postings[pair[0]]))
        ceiling = ceiling or sum(w * self.idf(t) * (K1 + 1.0) for t, w in known)
        scores: dict[int, float] = {}
        common = []
        for term_id, weight in known:
            docs, tfs = self.postings[term_id], self.weights[term_id]
            if len(docs) > COMMON_POSTINGS:
                if scores:
                    common.append((term_id, weight))
                    continue
                docs, tfs = self.heads[term_id]
            _accumulate(scores, docs, tfs, weight * self.idf(term_id))
        if common:
            leaders = heapq.nlargest(RESCORED_CANDIDATES, scores, key=scores.__getitem__)
            for term_id, weight in common:
                _rescore(scores, leaders, term_id, self, weight * self.idf(term_id))
            scores = {doc: scores[doc] for doc in leaders}
        best = heapq.nlargest(top, scores, key=scores.__getitem__)
        best.sort(key=lambda doc: (-scores[doc], doc))
        return [Hit(doc, scores[doc], min(1.0, scores[doc] / ceiling)) for doc in best]


def _accumulate(
    scores: dict[int, float], docs: array[int], tfs: array[float], factor: float
) -> None:
    if not scores:  # the rarest term: build the dictionary in C
        scores.update(zip(docs, map(factor.__mul__, tfs), strict=True))
        return
    get = scores.get
    for doc, tf in zip(docs, tfs, strict=True):
        scores[doc] = get(doc, 0.0) + factor * tf


def _rescore(
    scores: dict[int, float], leaders: list[int], term_id: int, index: ResourceIndex, factor: float
) -> None:
    docs, tfs = index.postings[term_id], index.weights[term_id]
    size = len(docs)
    for doc in leaders:
        at = bisect_left(docs, doc)
        if at < size and docs[at] == doc:
            scores[doc] += factor * tfs[at]


def _head(docs: array[int], tfs: array[float]) -> tuple[array[int], array[float]]:
    """About COMMON_POSTINGS postings where the term weighs most, in document order.

    The cut-off weight is the quantile of a sorted sample (exact sorting of every long
    postings list would dominate the build time).
    """
    step = max(1, len(tfs) // 2000)
    sample = sorted(tfs[::step], reverse=True)
    cut = sample[min(len(sample) - 1, COMMON_POSTINGS // step)]
    keep = [w >= cut for w in tfs]
    return array("i", compress(docs, keep)), array("f", compress(tfs, keep))


def document_terms(doc: Document) -> dict[str, float]:
    """Term → weighted frequency over the document's fields (FIELD_WEIGHTS)."""
    # Counting in C (Counter over a list with each field repeated by its weight × 2) is what
    # keeps 350,000 documents within the build budget.
    words = segment(doc.name) * 4 + terms(doc.items) * 3 + segment(doc.provider)
    if doc.abstract and doc.abstract != doc.name:
        words += segment(doc.abstract) * 2
    return {word: count / 2.0 for word, count in Counter(words).items()}


def build_index(documents: Iterable[Document], version: str = "") -> ResourceIndex:
    """Segment every document and build postings; documents are numbered in the given order."""
    index = ResourceIndex(version)
    vocabulary = index.vocabulary
    raw_docs: list[array[int]] = []
    raw_tfs: list[list[float]] = []
    lengths = array("f")
    for number, doc in enumerate(documents):
        index.documents.append(doc)
        counts = document_terms(doc)
        lengths.append(sum(counts.values()))
        for word, tf in counts.items():
            term_id = vocabulary.get(word)
            if term_id is None:
                term_id = vocabulary[word] = len(raw_docs)
                raw_docs.append(array("i"))
                raw_tfs.append([])
            raw_docs[term_id].append(number)
            raw_tfs[term_id].append(tf)
    average = (sum(lengths) / len(lengths)) if len(lengths) else 1.0
    norms = [K1 * (1.0 - B + B * length / average) for length in lengths]
    index.postings = raw_docs
    index.weights = [
        array("f", [tf * (K1 + 1.0) / (tf + norms[d]) for d, tf in zip(docs, tfs, strict=True)])
        for docs, tfs in zip(raw_docs, raw_tfs, strict=True)
    ]
    for term_id, docs in enumerate(raw_docs):
        if len(docs) > COMMON_POSTINGS:
            index.heads[term_id] = _head(docs, index.weights[term_id])
    return index


def top_terms(index: ResourceIndex, words: Sequence[str]) -> list[str]:
    """``words`` the index knows, rarest first (for explanations)."""
    known = [w for w in dict.fromkeys(words) if w in index.vocabulary]
    return sorted(known, key=lambda w: len(index.postings[index.vocabulary[w]]))
