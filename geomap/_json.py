"""Reading JSON from files a user supplies: never a traceback, never text that cannot be written back."""

from __future__ import annotations

import json
import re

from geomap.errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(text: str, source: str) -> object:
    """Parse ``text`` (the contents of ``source``) as JSON.

    Raises
    ------
    InputError
        The text is not JSON, is nested too deeply to read, or holds a ``\\uXXXX`` escape of a lone
        UTF-16 surrogate (text that cannot be written to any UTF-8 file or page).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(
            f"{source}: the JSON is nested too deeply to read; flatten it into a list of objects"
        ) from None
    if "\\u" in text or "\\U" in text:
        where = lone_surrogate_at(data)
        if where is not None:
            raise InputError(
                f"{source}: {where}: text holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), "
                "which is not a character; fix or remove that \\u escape"
            )
    return data


def lone_surrogate_at(data: object) -> str | None:
    """Where in a parsed JSON value the first string with a lone surrogate is (``record 3, field 'note'``)."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return where or "the document"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if _SURROGATE.search(key):
                    return f"{where}, a field name".lstrip(", ")
                stack.append((item, f"{where}, field {key!r}".lstrip(", ")))
        elif isinstance(value, list):
            for position in range(len(value) - 1, -1, -1):
                label = f"record {position + 1}" if not where else f"{where}, item {position + 1}"
                stack.append((value[position], label))
    return None


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (e.g. from an undecodable command-line argument)."""
    return _SURROGATE.search(text) is not None
