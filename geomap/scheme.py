"""Status schemes: the statuses a report may carry, with labels, colours and order.

The default, :data:`AFGHANISTAN_2021`, has ``taliban``, ``contested``,
``government`` (government or resistance control) and ``unknown`` (no report yet).
Another conflict gets its own scheme, in code with :class:`StatusScheme` or from a
JSON file with :func:`load_scheme`::

    {"name": "Example", "unknown": "unknown", "contested": "fighting",
     "statuses": [{"key": "a", "label": "Side A", "color": "#d7301f"},
                  {"key": "fighting", "label": "Fighting", "color": "#f9a825"},
                  {"key": "unknown", "label": "No report", "color": "#d9d9d9"}]}

``contested`` names the status that reports disagreeing on one area and date show as
(hatched on maps); by default the status keyed ``contested``, if the scheme has one.
Each status may also list ``aliases``: other words reports use for it.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._json import load_json
from geomap.errors import InputError

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_KEY = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class Status:
    """One status: a machine key, a human label and a fill colour (``#rrggbb``)."""

    key: str
    label: str
    color: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for member in ("key", "label", "color"):
            value = getattr(self, member)
            if not isinstance(value, str):
                raise InputError(f"{member}: expected text, got {type(value).__name__}")
        if isinstance(self.aliases, str) or not all(isinstance(a, str) for a in self.aliases):
            raise InputError(f"aliases: expected a tuple of strings, got {type(self.aliases).__name__}")
        object.__setattr__(self, "aliases", tuple(self.aliases))


@dataclass(frozen=True)
class StatusScheme:
    """An ordered set of statuses, one of which means "no report yet".

    Parameters
    ----------
    statuses
        The statuses in display order (legend, counts).
    unknown
        Key of the status given to an area with no report on or before a date.
    name
        A title for the scheme.
    contested
        Key of the status shown where the reports of one date disagree (hatched on
        maps); ``""`` (default) is the status keyed ``contested``, if there is one.
        Without it, the last of the disagreeing reports in input order shows.
    """

    statuses: tuple[Status, ...]
    unknown: str = "unknown"
    name: str = ""
    contested: str = ""
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.statuses, tuple | list) or not all(isinstance(s, Status) for s in self.statuses):
            got = type(self.statuses).__name__
            raise InputError(f"statuses: expected a tuple of Status objects, got {got}; see geomap.make_scheme")
        if not self.statuses:
            raise InputError("statuses: the scheme has no statuses; give at least its unknown status")
        object.__setattr__(self, "statuses", tuple(self.statuses))
        keys = [s.key for s in self.statuses]
        if len(set(keys)) != len(keys):
            raise InputError(f"status scheme {self.name!r}: duplicate status keys in {keys}; make each key unique")
        for status in self.statuses:
            for member, limit in (("key", 60), ("label", 200)):
                value = getattr(status, member)
                if len(value) > limit:
                    raise InputError(
                        f"status scheme {_cut(self.name)!r}: a status {member} of {len(value):,} characters "
                        f"({_cut(value)!r}); keep it within {limit}"
                    )
            if not _KEY.fullmatch(status.key):
                raise InputError(
                    f"status scheme {self.name!r}: key {status.key!r} must be lower-case letters, digits, '_' or '-'"
                )
            if not _HEX_COLOUR.fullmatch(status.color):
                raise InputError(
                    f"status scheme {self.name!r}: status {status.key!r} colour {status.color!r} must be #rrggbb"
                )
        if self.unknown not in keys:
            raise InputError(f"status scheme {self.name!r}: the unknown status {self.unknown!r} is not among {keys}")
        if self.contested and self.contested not in keys:
            raise InputError(
                f"status scheme {self.name!r}: the contested status {self.contested!r} is not among {keys}"
            )
        if self.contested and self.contested == self.unknown:
            raise InputError(f"status scheme {self.name!r}: the contested status cannot be the unknown one")
        lookup: dict[str, str] = {}
        for status in self.statuses:
            for spelling in (status.key, status.label, *status.aliases):
                folded = _fold(spelling)
                if lookup.get(folded, status.key) != status.key:
                    raise InputError(
                        f"status scheme {self.name!r}: {spelling!r} names both {lookup[folded]!r} and "
                        f"{status.key!r}; give each status its own label and aliases"
                    )
                lookup[folded] = status.key
        object.__setattr__(self, "_lookup", lookup)

    @property
    def keys(self) -> list[str]:
        """Status keys in display order."""
        return [s.key for s in self.statuses]

    @property
    def conflict_key(self) -> str | None:
        """Key of the status disagreeing reports show as (:attr:`contested`), or ``None`` when there is none."""
        if self.contested:
            return self.contested
        return "contested" if "contested" in self.keys else None

    @property
    def reportable(self) -> list[str]:
        """Keys a report may carry (every key but the unknown one)."""
        return [s.key for s in self.statuses if s.key != self.unknown]

    def get(self, key: str) -> Status:
        """The :class:`Status` for ``key``."""
        for status in self.statuses:
            if status.key == key:
                return status
        raise KeyError(key)

    def label(self, key: str) -> str:
        """The label of ``key``."""
        return self.get(key).label

    def color(self, key: str) -> str:
        """The fill colour of ``key``."""
        return self.get(key).color

    def normalize(self, value: object) -> str | None:
        """Map a status as written in a report (key, label or alias, any case) to its key.

        Returns ``None`` when the value is not a status of this scheme.
        """
        if not isinstance(value, str):
            return None
        return self._lookup.get(_fold(value))

    def suggest(self, value: object) -> str | None:
        """The status key a misspelt status most likely means (``"talibn"`` -> ``"taliban"``), or ``None``."""
        if not isinstance(value, str) or not value.strip():
            return None
        close = difflib.get_close_matches(_fold(value), list(self._lookup), n=1, cutoff=0.75)
        return self._lookup[close[0]] if close else None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description (the format :func:`load_scheme` reads)."""
        return {
            "name": self.name,
            "unknown": self.unknown,
            **({"contested": self.contested} if self.contested else {}),
            "statuses": [
                {"key": s.key, "label": s.label, "color": s.color, "aliases": list(s.aliases)} for s in self.statuses
            ],
        }


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


AFGHANISTAN_2021 = StatusScheme(
    name="Afghanistan 2021",
    unknown="unknown",
    statuses=(
        Status(
            "taliban",
            "Taliban control",
            "#c62828",
            ("taliban controlled", "taliban held", "captured", "fallen", "fell"),
        ),
        Status("contested", "Contested", "#f9a825", ("fighting", "besieged", "disputed")),
        Status(
            "government",
            "Government or resistance control",
            "#1565c0",
            (
                "government control",
                "government held",
                "govt",
                "gov",
                "gov't",
                "resistance",
                "held",
                "afghan government",
            ),
        ),
        Status("unknown", "No report", "#d9d9d9", ("no report", "unreported")),
    ),
)
"""The default scheme for the 2021 Taliban offensive."""


def make_scheme(
    statuses: Sequence[dict[str, Any]], *, unknown: str = "unknown", name: str = "", contested: str = ""
) -> StatusScheme:
    """Build a :class:`StatusScheme` from dicts with ``key``, ``label``, ``color`` (and ``aliases``)."""
    if isinstance(statuses, str | bytes) or not isinstance(statuses, Sequence):
        raise InputError(f"statuses: expected a list of status objects, got {type(statuses).__name__}")
    built = []
    for position, spec in enumerate(statuses, start=1):
        if not isinstance(spec, dict) or "key" not in spec or "color" not in spec:
            raise InputError(
                f"statuses: status {position}: {spec!r}: each status is an object with "
                "'key' and 'color' (and optional 'label', 'aliases'); see geomap.scheme"
            )
        for member in ("key", "label", "color"):
            if member in spec and not isinstance(spec[member], str):
                raise InputError(
                    f"status scheme {name!r}, status {position}: {member!r} is {_shown(spec[member])}; "
                    "it must be text (a JSON string)"
                )
        aliases = spec.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise InputError(
                f"status scheme {name!r}, status {spec['key']!r}: 'aliases' {_shown(aliases)} must be a list of strings"
            )
        label = spec.get("label", spec["key"])
        if not label.strip():
            raise InputError(f"status scheme {name!r}, status {spec['key']!r}: the label is empty; give it a name")
        built.append(Status(spec["key"], label, spec["color"], tuple(aliases)))
    return StatusScheme(statuses=tuple(built), unknown=unknown, name=name, contested=contested)


def load_scheme(path: str | Path) -> StatusScheme:
    """Read a status scheme from a JSON file (format in the module docstring)."""
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"path: expected the path of a JSON status scheme, got {type(path).__name__}")
    from geomap._text import read_text

    path = Path(path)
    text = read_text(path, what="status scheme file")
    data = load_json(text, str(path))
    if not isinstance(data, dict) or not isinstance(data.get("statuses"), list):
        raise InputError(f'{path}: a status scheme is a JSON object with a "statuses" list; see geomap.scheme')
    name, unknown = data.get("name", path.stem), data.get("unknown", "unknown")
    contested = data.get("contested", "")
    for member, value in (("name", name), ("unknown", unknown), ("contested", contested)):
        if not isinstance(value, str):
            raise InputError(f"{path}: {member!r} is {_shown(value)}; it must be text (a JSON string)")
    try:
        return make_scheme(data["statuses"], unknown=unknown, name=name, contested=contested)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None  # the file the problem is in


def _shown(value: object) -> str:
    """A JSON value as the user wrote it: ``null``, ``{"x": 1}``, ``"text"``."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
