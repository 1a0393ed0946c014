"""Basemap tiles: a provider name or URL template checked and turned into data for the page.

Nothing here goes through a template: the page gives the URL and the credit to Leaflet as data."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError

if TYPE_CHECKING:
    pass


def choose_tiles(tiles: str | None, self_contained: bool) -> str | None:
    if tiles is None:
        return None if self_contained else "OpenStreetMap"
    if str(tiles).strip().lower() in {"", "none"}:
        return None
    return str(tiles)


_TILE_URL_RE = re.compile(
    r"https?://(?P<host>(?:\{s\}\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?)"
    r"(?:/(?:[A-Za-z0-9._~!$&()*+,;=:@%/?-]|\{[a-z]\})*)?"
)
_TILE_PLACEHOLDERS = {"{z}", "{x}", "{y}"}
_TILE_ALLOWED = {"{z}", "{x}", "{y}", "{s}", "{r}"}


def tile_source(tiles: str, attribution: str | None = None) -> dict[str, Any]:
    """Check a basemap choice and say how the page loads it.

    Parameters
    ----------
    tiles
        A tile provider name known to xyzservices (``"OpenStreetMap"``, ``"CartoDB positron"``)
        or an ``http(s)`` URL template with ``{z}``, ``{x}`` and ``{y}`` (``{s}`` and ``{r}``
        allowed too).
    attribution
        Credit shown in the map's corner, as plain text. Default: the provider's own credit,
        or ``"Tiles: <host>"`` for a URL.

    Returns
    -------
    dict
        ``url``, ``attribution`` (HTML: a provider's credit or escaped text) and ``max_zoom``.
        The page gives them to Leaflet as data; they never pass through a template.

    Raises
    ------
    InputError
        Not a known provider and not a valid tile URL template.
    """
    import html

    text = str(tiles).strip()
    credit = None if attribution is None else html.escape(str(attribution), quote=True)
    if "://" in text or "{" in text or "/" in text:
        match = _TILE_URL_RE.fullmatch(text)
        braces = set(re.findall(r"\{[^{}]*\}", text))
        balanced = len(re.findall(r"\{[^{}]*\}", text)) == text.count("{") == text.count("}")
        if match is None or not _TILE_PLACEHOLDERS <= braces <= _TILE_ALLOWED or not balanced:
            raise InputError(
                f"tiles {text!r} is not a tile URL template: use http(s)://host/path/{{z}}/{{x}}/{{y}}.png "
                "(placeholders {z}, {x}, {y}, optional {s} and {r}; no spaces, quotes or markup)"
            )
        host = match.group("host").replace("{s}.", "")
        credit = credit or html.escape(f"Tiles: {host}")
        return {"url": text, "attribution": credit, "max_zoom": 19, "subdomains": "abc"}
    provider = _provider(text)
    if provider is None:
        raise InputError(
            f"tiles {text!r} is not a known tile provider; use a name such as 'OpenStreetMap' or "
            "'CartoDB positron', a URL template with {z}/{x}/{y}, or 'none'"
        )
    if provider.requires_token():
        raise InputError(f"tile provider {text!r} needs an API key; pass its URL template with the key instead")
    return {
        "url": provider.build_url(fill_subdomain=False, scale_factor="{r}"),
        # The provider's credit comes from the xyzservices package (links to its data source), not from the user.
        "attribution": credit or provider.html_attribution,
        "max_zoom": int(provider.get("max_zoom", 19)),
        "subdomains": str(provider.get("subdomains", "abc")),
    }


def _provider(name: str) -> Any:
    """An xyzservices provider by name, spaces, dots and case ignored; a group gives its first member."""
    import warnings

    import xyzservices

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = xyzservices.providers.query_name(name)
        except ValueError:
            key = re.sub(r"[^a-z0-9]", "", name.lower())
            groups = {re.sub(r"[^a-z0-9]", "", k.lower()): v for k, v in xyzservices.providers.items()}
            found = groups.get(key)
        while found is not None and not isinstance(found, xyzservices.TileProvider):
            found = next(iter(found.values()), None)
    return found
