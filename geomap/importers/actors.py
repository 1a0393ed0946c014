"""Actor-to-side mappings: which status of the scheme each named actor of event data stands for.

A mapping is a small JSON (or YAML, with PyYAML installed) file::

    {"name": "Afghanistan 2021",
     "sides": {"taliban": ["Taliban", "Taleban"],
               "government": ["Military Forces of Afghanistan (2004-2021)*", "Government of Afghanistan*"]},
     "ignore": ["Civilians (*", "Unidentified Armed Group (*"]}

``sides`` maps a status key of the scheme to actor names; ``ignore`` lists actors
that take no side (civilians, unidentified groups, third parties). Names match
whole, case-insensitively and with spacing folded; ``*`` matches any run of
characters. ``sides`` are tried before ``ignore``, in file order. An actor that
matches nothing is *unmapped*: the importer lists it with a count and never
guesses its side.

:data:`DEFAULT_MAPPING` (``geomap/data/actors/afghanistan-2021.json``) covers the
2021 offensive in ACLED's and UCDP GED's actor names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._data import data_file
from geomap._json import load_json
from geomap.errors import InputError, shown
from geomap.scheme import AFGHANISTAN_2021, StatusScheme

DEFAULT_MAPPING = "afghanistan-2021"
IGNORED = ""
"""The side of an actor listed under ``ignore``."""


@dataclass(frozen=True)
class ActorMapping:
    """Patterns from actor names to status keys (``""`` for ignored actors).

    Parameters
    ----------
    rules
        ``(pattern, side)`` pairs, tried in order; ``side`` is a status key or
        :data:`IGNORED`.
    name
        A title for messages.
    """

    rules: tuple[tuple[str, str], ...]
    name: str = ""
    _compiled: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = tuple(
            (re.compile(".*".join(re.escape(part) for part in _fold(pattern).split("*")), re.DOTALL), side)
            for pattern, side in self.rules
        )
        object.__setattr__(self, "_compiled", compiled)

    def side(self, actor: str) -> str | None:
        """The status key of ``actor``, :data:`IGNORED` for an ignored actor, ``None`` when unmapped."""
        folded = _fold(actor)
        for pattern, side in self._compiled:
            if pattern.fullmatch(folded):
                return side
        return None

    def sides(self, actors: Iterable[str]) -> dict[str, str | None]:
        """:meth:`side` of each distinct actor in ``actors`` (an iterable of names)."""
        return {actor: self.side(actor) for actor in dict.fromkeys(actors)}


def _fold(text: str) -> str:
    return " ".join(str(text).casefold().split())


def load_actor_mapping(
    source: str | os.PathLike[str] | dict[str, Any] | None = None, *, scheme: StatusScheme = AFGHANISTAN_2021
) -> ActorMapping:
    """Read an actor mapping (format in the module docstring).

    Parameters
    ----------
    source
        A ``.json``/``.yaml``/``.yml`` path, an already-parsed dict, or ``None``
        for :data:`DEFAULT_MAPPING`.
    scheme
        The status scheme whose keys the sides must be.

    Raises
    ------
    InputError
        Unreadable file, malformed content, or a side that is not a status of the scheme.
    """
    if source is None:
        source = data_file(f"actors/{DEFAULT_MAPPING}.json")
    data: object
    if isinstance(source, dict):
        name, data = "<actor mapping>", source
    else:
        path = Path(source)
        name, data = str(path), _read(path)
    if not isinstance(data, dict) or not isinstance(data.get("sides"), dict):
        raise InputError(f'{name}: an actor mapping is an object with "sides": {{status: [actor, ...]}}')
    rules: list[tuple[str, str]] = []
    for side, actors in data["sides"].items():
        key = scheme.normalize(side)
        if key is None or key == scheme.unknown:
            raise InputError(
                f"{name}: side {shown(side)} is not a status of the scheme; use one of {', '.join(scheme.reportable)}"
            )
        rules += [(actor, key) for actor in _names(name, f"sides.{side}", actors)]
    rules += [(actor, IGNORED) for actor in _names(name, "ignore", data.get("ignore", []))]
    return ActorMapping(tuple(rules), name=str(data.get("name", name)))


def _names(source: str, where: str, actors: object) -> list[str]:
    if not isinstance(actors, list) or not all(isinstance(a, str) and a.strip() for a in actors):
        place = where if len(where) <= 80 else where[:60] + "..."
        raise InputError(f"{source}: {place} must be a list of actor names (text); got {shown(actors)}")
    return [a.strip() for a in actors]


class _AliasRefused(Exception):
    """A YAML alias: one alias can stand for a list of aliases, and nine levels of them for billions of names."""


def _loader_without_aliases(yaml: Any) -> type:
    """PyYAML's safe loader, refusing aliases (an "alias bomb" would take minutes and gigabytes)."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.events.AliasEvent):
                raise _AliasRefused
            return super().compose_node(parent, index)

    return Loader


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: actor mapping not found; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the actor mapping ({exc}); save it as UTF-8 JSON or YAML") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise InputError(
                f"{path}: reading YAML needs PyYAML (`pip install pyyaml`); or write the mapping as JSON"
            ) from None
        try:
            return yaml.load(text, Loader=_loader_without_aliases(yaml))  # a SafeLoader
        except _AliasRefused:
            raise InputError(
                f"{path}: YAML anchors and aliases (&name, *name) are not read; write each list out"
            ) from None
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML ({exc.__class__.__name__}); check the indentation") from None
        except RecursionError:
            raise InputError(f"{path}: the YAML is nested too deeply to read; write the mapping flat") from None
    return load_json(text, str(path))
