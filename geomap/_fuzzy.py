"""Edit-distance search over the gazetteer's phonetic keys (rapidfuzz).

Many queries at once (:meth:`FuzzyIndex.prefetch`) are compared with the keys of nearby
lengths in one vectorised call per query length (``rapidfuzz.process.cdist``), a few
microseconds a query. A single query is scanned the same way until many have been
asked; then a deletion index is built and used (the symmetric-deletion method: two
strings within ``k`` edits, transpositions included, become equal after deleting at most
``k`` letters from each), so a unique misspelling costs a few dictionary look-ups.
Every path lists the same keys, so answers never depend on which one ran.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable


def max_edits(length: int) -> int:
    """Edits allowed for a key of ``length`` characters: none below 5, then 1, 2 from 9, 3 from 14."""
    if length < 5:
        return 0
    if length < 9:
        return 1
    if length < 14:
        return 2
    return 3


#: At most this many edits are searched around a misspelling among the settlement table's villages
#: (:meth:`geomap.gazetteer.Gazetteer._against_villages`).
VILLAGE_EDITS = 2
#: Queries allowed at most this many edits are answered from the deletion index.
_INDEXED_EDITS = 2
#: Keys this long or longer may be two edits from a query (:func:`allowed_edits`), shorter ones one.
_TWO_EDIT_LENGTH = 9


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting at most ``depth`` (1 or 2) letters."""
    n = len(word)
    found = {word}
    found.update(word[:i] + word[i + 1 :] for i in range(n))
    if depth >= 2:
        found.update(word[:i] + word[i + 1 : j] + word[j + 1 :] for i in range(n) for j in range(i + 1, n))
    return found


#: Single queries answered by scanning the keys of nearby lengths before the deletion index is built.
#: A scan costs about twice a look-up in the index, whose construction costs as much as ~1,500
#: scans: small workloads never pay for it, large ones build it once.
SCANS_BEFORE_INDEX = 1_000
#: Queries of one length compared with the keys in one call of :func:`prefetch` (bounds its memory).
_PREFETCH_CHUNK = 2_048
#: Prefetched answers kept; beyond this many the store is emptied (memory stays bounded).
_PREFETCH_SIZE = 1 << 16


def _limit(key: str) -> int:
    """Edits searched for around a query key (its own allowance, at least one)."""
    return max(max_edits(len(key)), 1)


class FuzzyIndex:
    """Phonetic keys by length, and by deletion variant once needed.

    ``strong`` keys (capitals', provinces') are more forgiving (:func:`allowed_edits`).

    :meth:`within` answers a query; :meth:`prefetch` answers many at once (one vectorised
    comparison per query length, the way :func:`geomap.geocode.geocode_table` calls it),
    and later :meth:`within` calls for those keys are dictionary look-ups.
    """

    def __init__(self, keys: list[str], strong: set[str] | frozenset[str] = frozenset()) -> None:
        self.keys = sorted(set(keys))
        groups: dict[int, list[str]] = defaultdict(list)
        for key in self.keys:
            groups[len(key)].append(key)
        self.groups = dict(groups)
        self.strong = frozenset(strong)
        self._by_deletion: dict[str, list[str]] | None = None
        self._nearby: dict[int, list[str]] = {}
        self._found: dict[str, list[tuple[str, int]]] = {}
        self._scans = 0

    @property
    def by_deletion(self) -> dict[str, list[str]]:
        """Keys by deletion variant (one letter deleted; two too for keys of 9+ letters), built on first use."""
        if self._by_deletion is None:
            by_deletion: dict[str, list[str]] = defaultdict(list)
            for key in self.keys:
                for variant in deletions(key, 2 if len(key) >= _TWO_EDIT_LENGTH else 1):
                    by_deletion[variant].append(key)
            self._by_deletion = dict(by_deletion)
        return self._by_deletion

    def near(self, key: str, limit: int) -> set[str]:
        """Keys that may lie within the edits :func:`allowed_edits` grants ``key`` (a superset, checked by distance)."""
        if limit > _INDEXED_EDITS:
            return set(self._nearby_keys(len(key), limit))
        found: set[str] = set()
        get = self.by_deletion.get
        for variant in deletions(key, limit):
            hit = get(variant)
            if hit:
                found.update(hit)
        return found

    def _nearby_keys(self, length: int, limit: int) -> list[str]:
        """The keys within ``limit`` letters of ``length`` long, sorted."""
        nearby = self._nearby.get(length)
        if nearby is None:
            nearby = sorted(k for n in range(length - limit, length + limit + 1) for k in self.groups.get(n, ()))
            self._nearby[length] = nearby
        return nearby

    def within(self, key: str, limit: int) -> list[tuple[str, int]]:
        """``[(candidate, distance), ...]``, sorted by candidate: the keys within ``limit`` edits of ``key``.

        Every key at an optimal-string-alignment distance of at most ``limit`` is listed
        (``limit`` is :func:`_limit` of the key), whichever way it is found.
        """
        found = self._found.get(key)
        if found is not None:
            return found
        from rapidfuzz.distance import OSA

        if limit > _INDEXED_EDITS or (self._by_deletion is None and self._scans < SCANS_BEFORE_INDEX):
            self._scans += limit <= _INDEXED_EDITS
            return self._scan([key], limit)[key]
        pairs = []
        for candidate in sorted(self.near(key, limit)):
            distance = OSA.distance(key, candidate, score_cutoff=limit)
            if distance <= limit:
                pairs.append((candidate, distance))
        return pairs

    def prefetch(self, keys: Iterable[str]) -> None:
        """Find the close keys of many query keys at once; :meth:`within` then answers them from memory."""
        by_length: dict[int, list[str]] = defaultdict(list)
        for key in dict.fromkeys(keys):
            if len(key) >= 4 and key not in self._found:
                by_length[len(key)].append(key)
        if sum(map(len, by_length.values())) + len(self._found) > _PREFETCH_SIZE:
            self._found.clear()
        for length, queries in by_length.items():
            limit = max(max_edits(length), 1)
            for start in range(0, len(queries), _PREFETCH_CHUNK):
                self._found.update(self._scan(queries[start : start + _PREFETCH_CHUNK], limit))

    def _scan(self, queries: list[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        """Queries of one length against every key of nearby length, in one vectorised call."""
        import numpy as np
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import cdist

        nearby = self._nearby_keys(len(queries[0]), limit)
        found: dict[str, list[tuple[str, int]]] = {query: [] for query in queries}
        if not nearby:
            return found
        # large blocks on every core (rapidfuzz's threads), small ones where starting threads would cost more
        workers = -1 if len(queries) * len(nearby) >= _PARALLEL_CELLS else 1
        distances = cdist(queries, nearby, scorer=OSA.distance, score_cutoff=limit, dtype=np.int8, workers=workers)
        rows, columns = np.nonzero(distances <= limit)  # row-major: each query's keys in sorted order
        close = distances[rows, columns].tolist()
        for row, column, distance in zip(rows.tolist(), columns.tolist(), close, strict=True):
            found[queries[row]].append((nearby[column], distance))
        return found


#: Query-key pairs of one prefetch block from which its distances are computed on every core.
_PARALLEL_CELLS = 1_000_000


def allowed_edits(query: str, candidate: str, strong: bool) -> int:
    """Edits allowed between two keys: by the shorter key, or the longer one for a capital or province.

    A four-letter misspelling of a five-letter capital ("Kbul", "Hrat") is thus forgiven,
    while two short unrelated words are not.
    """
    if strong:
        return (
            min(1, max_edits(max(len(query), len(candidate))))
            if min(len(query), len(candidate)) < 5
            else max_edits(min(len(query), len(candidate)))
        )
    return min(max_edits(len(query)), max_edits(len(candidate)))


def fuzzy_candidates(index: FuzzyIndex, key: str) -> list[tuple[str, int]]:
    """The keys closest to ``key`` by optimal-string-alignment distance, if close enough.

    Returns every key at the smallest distance found (``[(key, distance), ...]``); among
    those, only the ones needing the fewest insertions and deletions (so a dropped letter
    beats a changed one); an empty list when no key is close enough.
    """
    return fuzzy_matches(index, key)[0]


def fuzzy_matches(
    index: FuzzyIndex, key: str, exclude: str | None = None
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """``(closest, runners_up)``: :func:`fuzzy_candidates` and the other keys at the same distance.

    ``exclude`` is a key left out of the search (one already matched exactly).
    """
    if len(key) < 4:
        return [], []
    limit = _limit(key)
    found: list[tuple[int, str]] = []
    for candidate, distance in index.within(key, limit):
        if candidate == exclude:
            continue
        if distance > allowed_edits(key, candidate, candidate in index.strong):
            continue
        if distance > 0 and len(key) < 5 and len(candidate) <= len(key):
            continue  # a four-letter word only matches a longer name it is a shortening of
        if key[0] != candidate[0] and distance > 1:
            continue  # names rarely change their first letter and another letter too
        found.append((distance, candidate))
    if not found:
        return [], []
    from rapidfuzz.distance import Indel

    best = min(d for d, _ in found)
    closest = [c for d, c in found if d == best]
    indel = {c: Indel.distance(key, c) for c in closest}
    fewest = min(indel.values())
    chosen = sorted((c, best) for c in closest if indel[c] == fewest)
    runners_up = sorted((c, best) for c in closest if indel[c] != fewest)
    if len(chosen) > 1:
        # of names as close, one written with the same consonants (another vowel: "Kijran" for Kajran)
        # comes before one with another consonant (Hijran): vowels are what romanisations disagree on
        consonants = _consonants(key)
        same = [c for c in chosen if _consonants(c[0]) == consonants]
        if same and len(same) < len(chosen):
            return same, sorted(runners_up + [c for c in chosen if c not in same])
    return chosen, runners_up


_NOT_CONSONANTS = re.compile(r"[aeiouwy]")


def _consonants(key: str) -> str:
    """The consonants of a phonetic key, in order."""
    return _NOT_CONSONANTS.sub("", key)
