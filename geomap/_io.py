"""Safe file output shared by every writer in geomap.

Three promises:

- an output never replaces an input of the run (:func:`refuse_overwriting_inputs`): paths are compared
  after resolving links and ``..``, in any letter case, and with every companion file of the input
  (a shapefile's ``.dbf``/``.shx``/... in either case, a SQLite or GeoPackage ``-wal``/``-shm``);
- an output appears whole or not at all (:func:`atomic_path`): it is written to a hidden temporary
  file beside it and renamed over it; the temporary file is removed on any failure, and one left by
  a killed run is removed by the next write to the same folder;
- an output that is a symbolic link is written through the link: the link stays, its target changes.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from geomap.errors import OutputError

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml", ".qmd", ".fix")
"""Files that belong to a shapefile, beside the ``.shp``."""
SQLITE_PARTS = ("-wal", "-shm", "-journal")
"""Files SQLite (and so GeoPackage and the geocoding cache) keeps beside a database."""
TEMP_MARK = ".geomap-tmp"
"""Marks the hidden temporary files geomap writes before renaming them over an output."""
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[^.]+" + re.escape(TEMP_MARK))
STALE_TEMP_SECONDS = 24 * 3600
"""A temporary file whose writer cannot be told alive is removed after this long."""


def refuse_overwriting_inputs(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None]) -> None:
    """Raise :class:`OutputError` if writing ``output`` would replace an input of the run.

    Parameters
    ----------
    output
        The file about to be written.
    inputs
        Every file the run reads (``None`` entries are skipped). A shapefile stands for all its parts
        and a SQLite or GeoPackage file for its journal files too.

    Raises
    ------
    OutputError
        ``output`` is, by resolved path in any letter case or as a hard link, one of the inputs or of
        their companion files.
    """
    out_key = _path_key(output)
    out_path = Path(output)
    for given in inputs:
        if given is None:
            continue
        for candidate in _family(Path(given)):
            same = _path_key(candidate) == out_key
            if not same:
                try:
                    same = out_path.exists() and candidate.exists() and os.path.samefile(candidate, out_path)
                except OSError:
                    same = False
            if same:
                shown = given if Path(given) == candidate else f"{given} (its file {candidate.name})"
                raise OutputError(f"{output}: refusing to overwrite the input file {shown}; choose another output path")


def same_path(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file: after resolving links and ``..``, in any letter case."""
    return _path_key(a) == _path_key(b)


def _path_key(path: str | os.PathLike[str]) -> str:
    """The path as compared: links and ``..`` resolved, letter case folded."""
    try:
        resolved = os.path.realpath(path)
    except (OSError, RuntimeError, ValueError):
        resolved = os.path.abspath(path)
    return os.path.normcase(resolved).casefold()


def _family(path: Path) -> list[Path]:
    """``path`` and the companion files that go with it."""
    family = [path]
    if not path.name:  # "." or "/": a folder given as input has no companion files
        return family
    name = path.name.casefold()
    if name.endswith(".shp"):
        stem = path.name[: -len(".shp")]
        family += [path.with_name(stem + part) for part in SHAPEFILE_PARTS]
        family += [path.with_name(stem + part.upper()) for part in SHAPEFILE_PARTS]
        family += _same_stem_on_disk(path.parent, stem, SHAPEFILE_PARTS)
    else:
        family += [path.with_name(path.name + part) for part in SQLITE_PARTS]
    return family


def _same_stem_on_disk(folder: Path, stem: str, parts: Iterable[str]) -> list[Path]:
    """Files in ``folder`` named ``stem + part`` in any mixture of letter case."""
    wanted = {(stem + part).casefold() for part in parts}
    try:
        with os.scandir(folder or ".") as entries:
            return [folder / e.name for e in entries if e.name.casefold() in wanted]
    except OSError:
        return []


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    The temporary file ends in ``suffix`` (default: ``path``'s own), as writers that judge a file by its
    extension (GDAL's GeoPackage driver) want it.

    Missing parent folders are created. On any exception the temporary file is removed and an existing
    ``path`` is left exactly as it was, so a failed write never leaves a 0-byte or half-written file.
    When ``path`` is a symbolic link, its target is written and the link kept.
    """
    target = _write_target(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target.parent)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-",
            suffix=TEMP_MARK + (target.suffix if suffix is None else suffix),
            dir=target.parent,
        )
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc}); choose a writable folder") from None
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        _remove_temporary(tmp)
        if isinstance(exc, OutputError) and str(tmp) in str(exc):
            raise OutputError(str(exc).replace(str(tmp), str(path))) from None  # name the file the user asked for
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{path}: could not be written ({_os_reason(exc)}); nothing was changed") from None
        raise


def _keep_mode(target: Path, tmp: Path) -> None:
    """Give ``tmp`` the permissions of the file it replaces (a private output stays private)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode) & 0o777  # its permissions, not its setuid or sticky bits
    except FileNotFoundError:
        return  # a new file: the permissions the process gives new files
    os.chmod(tmp, mode)


def _write_target(target: Path) -> Path:
    """The file to replace for ``target``: itself, or the file a symbolic link points to."""
    if target.is_symlink():
        link = target
        try:
            target = Path(os.path.realpath(target, strict=False))
        except (OSError, RuntimeError) as exc:
            raise OutputError(f"{target}: the link cannot be followed ({exc}); give a plain file name") from None
        if _is_link_loop(target):
            raise OutputError(f"{target}: is a loop of symbolic links; give a plain file name")
        if not target.parent.is_dir():  # a link to a typo never creates a tree of folders
            raise OutputError(f"{link}: links to {target}, whose folder does not exist; create it or give another name")
    if target.exists() and not target.is_file() and not target.is_dir():
        # writing beside it and moving the file into place would replace the device or pipe itself
        raise OutputError(f"{target}: is a device, pipe or socket, not a file; geomap writes files: give a file name")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name for the output")
    if target.is_file() and (not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222):
        # not writable for this user, or for anyone (chmod 444: kept so on purpose, even from root)
        raise OutputError(f"{target}: is read-only; make it writable (chmod u+w) or give another name")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{target}: {blocking} is a file, not a folder; choose another output folder")
    return target


def _is_link_loop(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _remove_temporary(tmp: Path) -> None:
    for leftover in tmp.parent.glob(glob_escape(tmp.name) + "*"):
        with suppress(OSError):
            leftover.unlink()


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files left in ``folder`` by a geomap run that was killed while writing.

    A temporary file is stale when the process that wrote it is gone (its id is in the name), or when
    it is older than :data:`STALE_TEMP_SECONDS`. Returns the removed files.
    """
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if TEMP_MARK in e.name]
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None:
            continue
        path = Path(folder) / name
        try:
            age = time.time() - path.lstat().st_mtime
        except OSError:
            continue
        if _process_alive(int(match["pid"])) and age < STALE_TEMP_SECONDS:
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EFBIG:
        return "the file is too large for this disk"
    return exc.strerror or str(exc)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_with_atomic(
    path: str | os.PathLike[str], writer: Callable[[Path], object], *, suffix: str | None = None
) -> Path:
    """Call ``writer(tmp_path)`` and move the result over ``path`` atomically (``suffix`` as for
    :func:`atomic_path`)."""
    with atomic_path(path, suffix=suffix) as tmp:
        writer(tmp)
    return Path(path)
