"""Text kept on disk, one piece per key, read back by key.

A long export writes each report's evidence text (its JSON object and its source), which it
needs only when an export batch cites the report. :class:`TextStore` keeps that text in an
unnamed temporary file instead of memory, written while the reports file is read a second
time and read back a batch at a time with positional reads: the cited keys sorted, near ones
read together (at most :data:`READ_BYTES` a read), each piece sliced out.

Text is written in *extents*, runs of consecutive keys, in any order; so keys can be chosen
to put the text an export batch reads side by side in the file (the reports of neighbouring
days), whatever order the reports come in. Memory holds where each key's text ends within
its extent: 4 bytes a key, and a few numbers per extent.

The file is never mapped whole: pages of a mapped file that have been touched count in the
process's resident memory, and an export touches all of them.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from array import array
from collections.abc import Sequence
from typing import IO, Protocol

import numpy as np

READ_BYTES = 1 << 22
"""At most this many bytes per read (several near pieces read together)."""
GAP_BYTES = 1 << 14
"""Pieces at most this many bytes apart are read in one read (the bytes between them are dropped)."""


class TextStore:
    """Text for keys ``0 .. n - 1``, written in extents of consecutive keys, read in any order.

    Parameters
    ----------
    n
        How many keys; a key given no text reads as ``""``.
    directory
        Where the temporary file goes (default: the system's temporary folder). The file has no
        name there where the system allows it (it is then gone once closed, or if the process dies).
    """

    def __init__(self, n: int, directory: str | os.PathLike[str] | None = None) -> None:
        self.n = n
        self._file: IO[bytes] | None = tempfile.TemporaryFile(prefix="geomap-text-", dir=directory)  # noqa: SIM115 - open for the store's life
        self._end: np.ndarray = np.zeros(n, dtype=np.uint32)  # where each key's text ends, from its extent's start
        # (first key, keys, file offset) of each extent as written, flat: 24 bytes an extent, where a
        # tuple of three Python ints took some 150 (a store of millions of keys has 100,000s of extents)
        self._extents = array("q")
        self._first = np.zeros(0, dtype=np.int64)  # the extents sorted by first key, once finished
        self._count = np.zeros(0, dtype=np.int64)
        self._offset = np.zeros(0, dtype=np.int64)
        self._size = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ writing
    def write(self, first: int, texts: Sequence[str]) -> None:
        """Append the text of keys ``first .. first + len(texts) - 1`` (none written before)."""
        if self._file is None:
            raise ValueError("the text store is closed")
        if first < 0 or first + len(texts) > self.n:
            raise ValueError(f"keys {first} .. {first + len(texts) - 1} are outside the store (0 .. {self.n - 1})")
        if not len(texts):
            return
        joined = "".join(texts)
        if joined.isascii():  # a character a byte
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        else:
            lengths = np.array([len(t) if t.isascii() else len(t.encode("utf-8")) for t in texts], dtype=np.int64)
        ends = np.cumsum(lengths)
        if self._end.dtype != np.int64 and int(ends[-1]) > np.iinfo(np.uint32).max:
            self._end = self._end.astype(np.int64)  # an extent longer than 4 GB: wide only then
        self._file.write(joined.encode("utf-8"))
        del joined
        self._end[first : first + len(texts)] = ends
        self._extents.extend((first, len(texts), self._size))
        self._size += int(ends[-1])

    def finish(self) -> None:
        """Make the file readable (after the last :meth:`write`). Refuses extents that overlap."""
        if self._file is None:
            raise ValueError("the text store is closed")
        self._file.flush()
        written = np.frombuffer(self._extents, dtype=np.int64).reshape(-1, 3)
        table = np.concatenate([np.column_stack([self._first, self._count, self._offset]), written])  # and earlier ones
        table = table[np.argsort(table[:, 0], kind="stable")]  # by first key (extents are never empty)
        self._first, self._count, self._offset = table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()
        self._extents = array("q")  # sorted into the arrays above
        if len(table) > 1 and (self._first[1:] < self._first[:-1] + self._count[:-1]).any():
            raise ValueError("two extents of the text store share keys")

    # ------------------------------------------------------------------ reading
    def spans(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and end offsets (``int64``) of each key's text in the file (equal where it has none)."""
        keys = np.asarray(keys, dtype=np.int64)
        extent = np.searchsorted(self._first, keys, side="right") - 1
        inside = extent >= 0
        inside[inside] = keys[inside] < self._first[extent[inside]] + self._count[extent[inside]]
        extent = np.maximum(extent, 0)
        if not len(self._first):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=np.int64)
        base = self._offset[extent]
        ends = base + self._end[keys]
        starts = np.where(keys > self._first[extent], base + self._end[np.maximum(keys - 1, 0)], base)
        starts = np.where(inside, starts, 0)
        return starts, np.where(inside, ends, 0)

    def read(self, keys: np.ndarray) -> list[str]:
        """The text of each of ``keys`` (any order, repeats allowed)."""
        if self._file is None:
            raise ValueError("the text store is closed")
        keys = np.asarray(keys, dtype=np.int64)
        if not len(keys):
            return []
        if keys.min() < 0 or keys.max() >= self.n:
            raise IndexError("key outside the text store")
        distinct, inverse = np.unique(keys, return_inverse=True)
        starts, ends = self.spans(distinct)
        order = np.lexsort((ends, starts))  # by place in the file (an empty piece before one starting there)
        starts, ends = starts[order], ends[order]
        texts: list[str] = [""] * len(distinct)
        places = order.tolist()
        for a, b in _ranges(starts, ends):
            low, high = int(starts[a]), int(ends[b - 1])
            data = self._read_at(low, high - low)
            for k, s, e in zip(places[a:b], (starts[a:b] - low).tolist(), (ends[a:b] - low).tolist(), strict=True):
                texts[k] = data[s:e].decode("utf-8")
            del data
        return [texts[k] for k in inverse.ravel().tolist()]

    def _read_at(self, offset: int, size: int) -> bytes:
        assert self._file is not None
        if size <= 0:
            return b""
        if hasattr(os, "pread"):
            data = os.pread(self._file.fileno(), size, offset)
        else:  # pragma: no cover - no positional reads (Windows): seek and read under a lock
            with self._lock:
                self._file.seek(offset)
                data = self._file.read(size)
                self._file.seek(0, os.SEEK_END)
        if len(data) != size:
            raise OSError(f"the temporary text file is shorter than written ({len(data)} of {size} bytes)")
        return data

    @property
    def nbytes(self) -> int:
        """Bytes of memory the store holds (where each piece ends)."""
        return int(self._end.nbytes + self._first.nbytes + self._count.nbytes + self._offset.nbytes)

    @property
    def size(self) -> int:
        """Bytes of text in the file."""
        return self._size

    def close(self) -> None:
        """Delete the file (also done when the store is collected)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> TextStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, object]:
        raise TypeError("a TextStore holds an open temporary file and cannot be copied or pickled")


def _ranges(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``a:b`` of pieces (sorted by offset) each read at once: neighbours at most
    :data:`GAP_BYTES` apart, at most :data:`READ_BYTES` a run (a longer piece is a run of its own)."""
    n = len(starts)
    if not n:
        return []
    far = np.flatnonzero(starts[1:] - ends[:-1] > GAP_BYTES) + 1  # always a new read
    cuts = [0]
    ends_list, starts_list = ends.tolist(), starts.tolist()
    for stop in [*far.tolist(), n]:
        begin = cuts[-1]
        run_start = starts_list[begin]
        for k in range(begin + 1, stop):  # split a run of near pieces into reads of READ_BYTES
            if ends_list[k] - run_start > READ_BYTES:
                cuts.append(k)
                run_start = starts_list[k]
        cuts.append(stop)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


class EvidenceTexts(Protocol):
    """Where a timeline's evidence text is kept when its reports have no text columns."""

    def read(self, rows: np.ndarray) -> list[str]:
        """The text of each of ``rows`` (rows of located reports)."""
        ...


class RowTexts:
    """A :class:`TextStore` keyed by row: ``key[row]`` is the row's key in ``store`` (-1: no text)."""

    def __init__(self, store: TextStore, key: np.ndarray) -> None:
        self.store = store
        self.key = key

    def read(self, rows: np.ndarray) -> list[str]:
        """The text of each of ``rows``."""
        return self.store.read(self.key[np.asarray(rows, dtype=np.int64)])

    @property
    def nbytes(self) -> int:
        """Bytes of memory held (the store's offsets and the keys)."""
        return self.store.nbytes + int(self.key.nbytes)

    def close(self) -> None:
        """Delete the store's file."""
        self.store.close()
