"""Atomic file output shared by every writer in geomap."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geomap.errors import OutputError

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def refuse_overwriting_inputs(output: str | os.PathLike, inputs: Iterable[str | os.PathLike | None]) -> None:
    """Raise :class:`OutputError` if ``output`` is the same file as any input (a shapefile's parts included)."""
    out = Path(output).resolve()
    expanded: list[Path] = []
    for candidate in inputs:
        if candidate is None:
            continue
        path = Path(candidate)
        expanded.append(path)
        if path.suffix.lower() == ".shp":
            expanded += [path.with_suffix(part) for part in SHAPEFILE_PARTS]
    for candidate in expanded:
        src = Path(candidate)
        if src.resolve() == out or (src.exists() and out.exists() and os.path.samefile(src, out)):
            raise OutputError(f"{output}: refusing to overwrite the input file {candidate}; choose another output path")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    Missing parent folders are created. On any exception the temporary file is removed and an existing ``path`` is left
    exactly as it was, so a failed write never leaves a 0-byte or half-written file.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name for the output")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{target}: {blocking} is a file, not a folder; choose another output folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write here ({exc.strerror}); choose a writable folder") from None
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{target}: could not be written ({exc.strerror or exc}); nothing was changed") from None
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_with_atomic(path: str | os.PathLike, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result over ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)
