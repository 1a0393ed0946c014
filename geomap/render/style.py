"""The look shared by the HTML map and still images: fill shade, hatching, dates, backdrop.

One place for what both renderers must agree on, so a PNG and the page read the same.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError

if TYPE_CHECKING:
    from geomap.scheme import StatusScheme

__all__ = [
    "FILL_OPACITY",
    "check_date_format",
    "format_date",
    "hatched",
]

FILL_OPACITY = 0.78
"""Opacity of the area fills (the legend swatches use the same shade)."""


def hatched(key: str, scheme: StatusScheme) -> bool:
    """Whether the status ``key`` is drawn with a hatch over its colour (the scheme's contested status), so it
    reads apart in greyscale too."""
    return key == scheme.conflict_key


BACKGROUND = "#eceae4"
"""Background of maps without tiles: the same neutral land tone inside and outside the backdrop."""

BACKDROP_LINE = "#8f8a80"
"""Colour of the neighbouring countries' borders."""

OUTLINE = "#333333"
"""Colour of the outline of all the areas."""

AREA_EDGE = "#4d4d4d"
"""Colour of the borders between areas."""

CHANGED_EDGE = "#111111"
"""Colour of the thick border of an area whose status changed since the previous date."""

_DIRECTIVE_RE = re.compile(r"%[-_0^#]?[aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ]|%%")
"""A ``strftime`` directive, with a padding flag (``%-d``, ``%_d``) where the C library takes one."""


def check_date_format(date_format: str | None) -> str | None:
    """Check a ``strftime`` format for dates on maps; ``None`` is the default ("12 Aug 2021").

    Raises
    ------
    InputError
        A format with no ``%`` directive, longer than 64 characters, or one ``strftime`` refuses.
    """
    if date_format is None:
        return None
    text = str(date_format)
    if len(text) > 64 or "%" not in text:
        raise InputError(
            f"date format {text[:80]!r} must be a strftime format of at most 64 characters with a % directive, "
            "e.g. '%d %B %Y' or '%Y-%m-%d'"
        )
    for directive in re.findall(r"%[-_0^#]?.?", text):
        if not _DIRECTIVE_RE.fullmatch(directive):  # strftime would print it as it is ("%Q 12")
            raise InputError(
                f"date format {text!r}: {directive!r} is not a date directive; use %d (day), %b or %B (month), "
                "%Y (year), e.g. '%d %B %Y'"
            )
    if not re.search(r"%[-_0^#]?[^%]", text.replace("%%", "")):
        raise InputError(f"date format {text!r} shows no part of the date; e.g. '%d %B %Y' or '%Y-%m-%d'")
    try:
        dt.date(2021, 8, 12).strftime(text)
    except (ValueError, TypeError) as exc:
        raise InputError(f"date format {text!r} is not a valid strftime format ({exc}); e.g. '%d %B %Y'") from None
    return text


def format_date(day: Any, date_format: str | None = None) -> str:
    """A date as shown on maps: "12 Aug 2021" by default, else with ``date_format`` (strftime).

    Parameters
    ----------
    day
        A ``datetime.date`` (or anything with ``isoformat()``-style text ``YYYY-MM-DD``).
    date_format
        A ``strftime`` format, checked with :func:`check_date_format`.

    Examples
    --------
    >>> format_date(dt.date(2021, 8, 6))
    '6 Aug 2021'
    """
    if not isinstance(day, dt.date):
        day = dt.date.fromisoformat(str(day)[:10])
    if date_format is None:
        # English month abbreviations whatever the locale, and no zero padding ("6 Aug 2021").
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    text: str = day.strftime(date_format)
    return text


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
