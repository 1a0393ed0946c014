"""The Folium side: the map, the element that adds the page's data, styles and scripts.

The page's JavaScript and CSS are files in ``static/`` (read with :mod:`importlib.resources`);
Leaflet itself is inlined from ``xstatic-leaflet`` for self-contained pages."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geomap.dates import parse_date
from geomap.errors import InputError
from geomap.render.mapdata import MapData, check_scheme, map_data
from geomap.render.page import json_for_script, page_payload
from geomap.render.tiles import choose_tiles, tile_source

if TYPE_CHECKING:
    import folium

    from geomap.timeline import ControlTimeline


_LAYER_MODES = ("slider", "per-date")


def _layer_labels(dates: Sequence[Any], date_format: str | None) -> list[str]:
    """The names of the per-date layers as the panel writes the dates ("7 Aug 2021", or ``date_format``'s),
    one for each date (a date whose label another date shares gets its ISO date after it: "August 2021
    (2021-08-06)"), as HTML: the layer control shows its names as markup, so a label is escaped to be text."""
    from html import escape

    from geomap.render.style import format_date

    labels = [format_date(day, date_format) for day in dates]
    counts = Counter(labels)
    labels = [f"{label} ({str(day)[:10]})" if counts[label] > 1 else label
              for label, day in zip(labels, dates, strict=True)]  # fmt: skip
    return [escape(label) for label in labels]


def control_map(
    timeline: ControlTimeline,
    *,
    layers: Literal["slider", "per-date"] = "slider",
    self_contained: bool = False,
    title: str | None = None,
    markers: bool = False,
    tiles: str | None = None,
    tile_attribution: str | None = None,
    simplify_tolerance: float = 0.005,
    start_date: dt.date | str | None = None,
    labels: bool = True,
    date_format: str | None = None,
) -> folium.Map:
    """Draw a control timeline as a Folium choropleth with a date slider.

    Parameters
    ----------
    timeline
        A :class:`geomap.timeline.ControlTimeline`.
    layers
        ``"slider"`` (default): one map whose colours follow a date slider (play/pause, arrow keys,
        the date in the URL fragment, e.g. ``map.html#2021-08-12``). ``"per-date"``: one Folium
        layer per reporting date in a layer control, only the last date shown at first.
    self_contained
        Inline Leaflet and load nothing from the network, so the file works offline. Without
        ``tiles`` the map then has no basemap: the areas and their outline on a plain background.
    title
        A title shown above the counts panel and as the page title.
    markers
        Add a circle per reported place (from the reports' ``lat``/``lon``), coloured by the
        status of its latest report on or before the shown date.
    tiles
        A Folium/xyzservices tile name or URL template. ``None``: ``"OpenStreetMap"``, or no
        tiles when ``self_contained``. ``"none"``: no tiles.
    labels
        Names on the map: areas (inside each area), capitals (dots), neighbouring countries
        (kept in view, never over the areas), shown by zoom level so they never overlap;
        ``False`` for none.
    date_format
        ``strftime`` format of the dates shown (default "12 Aug 2021"; the URL fragment stays ISO).
    simplify_tolerance
        Tolerance in degrees for simplifying the polygons for display (shared borders stay
        shared, see :func:`shapely.coverage_simplify`); ``0`` keeps them as they are.
    start_date
        The date shown when the page opens without a date in its URL fragment (the nearest
        reporting date on or before it); by default the last reporting date.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; :func:`map_html` gives the HTML document.

    Raises
    ------
    InputError
        An unknown ``layers`` value, a negative tolerance, a timeline without dates or areas,
        or a scheme with more than 36 statuses.

    Examples
    --------
    >>> m = control_map(timeline, title="Taliban offensive, summer 2021")  # doctest: +SKIP
    >>> html = map_html(m)  # doctest: +SKIP
    """
    if layers not in _LAYER_MODES:
        raise InputError(f"layers={layers!r} is not a layer mode; use one of {', '.join(_LAYER_MODES)}")
    data = map_data(timeline, title=title, markers=markers)
    return build_map(
        data,
        layers=layers,
        self_contained=self_contained,
        markers=markers,
        tiles=tiles,
        tile_attribution=tile_attribution,
        simplify_tolerance=simplify_tolerance,
        start_date=start_date,
        labels=labels,
        date_format=date_format,
    )


def map_html(m: folium.Map) -> str:
    """The complete HTML document of a map made by :func:`control_map`.

    Parameters
    ----------
    m
        The map.

    Returns
    -------
    str
        The page, ready to be written to a ``.html`` file.
    """
    import folium

    if not isinstance(m, folium.Map):
        raise InputError(f"m: expected the folium.Map made by control_map(), got {type(m).__name__}")
    return m.get_root().render()


# --------------------------------------------------------------------------------------------------
# Folium


@cache
def page_assets() -> tuple[str, str]:
    """The page's own stylesheet and script, ``static/geomap.css`` and ``static/geomap.js``."""
    static = resources.files("geomap.render") / "static"
    css = (static / "geomap.css").read_text(encoding="utf-8")
    js = (static / "geomap.js").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - guarded by a test
        raise RuntimeError("a page asset contains a closing tag")
    return css, js


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet from xstatic-leaflet, images inlined as data URIs."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("self-contained maps need the xstatic-leaflet package: pip install xstatic-leaflet") from exc
    base = Path(leaflet.BASE_DIR)
    script = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = base / "images" / match.group(1)
        # Only the layer control's icons are used: markers here are circles, not Leaflet's default icon.
        if not match.group(1).startswith("layers") or not image.exists():
            return "none"
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css)
    # A script element ends at the first "</script": keep Leaflet's code from ever containing one.
    script = script.replace("</script", "<\\/script")
    css = css.replace("</style", "<\\/style")
    return script, css


def build_map(
    data: MapData,
    *,
    layers: Literal["slider", "per-date"] = "slider",
    self_contained: bool = False,
    markers: bool = False,
    tiles: str | None = None,
    tile_attribution: str | None = None,
    simplify_tolerance: float = 0.005,
    start_date: dt.date | str | None = None,
    labels: bool = True,
    date_format: str | None = None,
) -> folium.Map:
    """Build the Folium map from :class:`MapData` (see :func:`control_map` for the options)."""
    import folium

    if layers not in _LAYER_MODES:
        raise InputError(f"layers={layers!r} is not a layer mode; use one of {', '.join(_LAYER_MODES)}")
    check_scheme(data.scheme)
    tile_choice = choose_tiles(tiles, self_contained)
    tile_info = None if tile_choice is None else tile_source(tile_choice, tile_attribution)
    payload = page_payload(
        data,
        simplify_tolerance=simplify_tolerance,
        outline=tile_choice is None,
        labels=labels,
        date_format=date_format,
    )
    start = _start_index(data.dates, start_date)
    minx, miny, maxx, maxy = data.areas.total_bounds
    # No tiles through folium: its templates would evaluate template syntax in a URL at build time.
    # The page adds the tile layer itself from the checked URL, passed as data.
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=False,
        control_scale=True,
        keyboard_pan_delta=0,  # the arrow keys move the date (geomap.js), wherever the focus is; +/- still zoom
    )
    if self_contained:
        # Instance attributes shadow folium's CDN lists (Leaflet, jQuery, Bootstrap, Font Awesome).
        m.default_js = []
        m.default_css = []
    groups: list[folium.FeatureGroup] = []
    if layers == "per-date":
        for j, label in enumerate(_layer_labels(data.dates, date_format)):
            group = folium.FeatureGroup(name=label, overlay=True, show=j == start)
            group.add_to(m)
            groups.append(group)
    layer = _control_layer(
        payload,
        mode=layers,
        start=start,
        markers=markers,
        self_contained=self_contained,
        plain_background=tile_choice is None,
        labels=labels,
        tiles=tile_info,
        groups=[g.get_name() for g in groups],
    )
    layer.add_to(m)
    if layers == "per-date":
        folium.LayerControl(collapsed=len(groups) > 12).add_to(m)
    # The page fits the areas itself, leaving room for its panel (see static/geomap.js).
    return m


def _start_index(dates: list[dt.date], start_date: dt.date | str | None) -> int:
    if start_date is None:
        return len(dates) - 1
    day = parse_date(start_date, "start date")
    on_or_before = [j for j, d in enumerate(dates) if d <= day]
    return on_or_before[-1] if on_or_before else 0


@cache
def _control_layer_class() -> type:
    from branca.element import Element, Figure, MacroElement
    from jinja2 import Template

    class _Raw(Element):
        """Text placed in the page as it is (never parsed as a template)."""

        _template = Template("{{ this.text }}")

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "GeomapRaw"
            self.text = text

    class ControlLayer(MacroElement):
        """Adds the page's data, styles and scripts to the figure.

        Everything goes in through :class:`_Raw` children, never through this element's own
        template: branca compiles a macro's output as a new Jinja template, so data text in
        a macro would be evaluated (``{{ ... }}``) at build time.
        """

        _template = Template("")

        def __init__(self, payload: dict[str, Any], **options: Any) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "GeomapControl"
            self.data_json = json_for_script(payload)
            self.self_contained = options.pop("self_contained")
            self.options = options

        @property
        def data_id(self) -> str:
            return f"geomap-data-{self.get_name()}"

        @property
        def options_json(self) -> str:
            return json_for_script({"dataId": self.data_id, **self.options})

        def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca's MacroElement.render
            figure = self.get_root()
            if not isinstance(figure, Figure) or self._parent is None:
                raise TypeError("the control layer renders inside a folium map on a page")
            if self.self_contained:
                script, css = _leaflet_assets()
                figure.header.add_child(_Raw(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
                figure.header.add_child(_Raw(f"<script>{script}</script>"), name="leaflet_js_inline", index=1)
            css, js = page_assets()
            figure.header.add_child(_Raw(f"<style>{css}</style>"), name="geomap_css")
            figure.header.add_child(_Raw(f"<script>{js}</script>"), name="geomap_js")
            figure.html.add_child(
                _Raw(f'<script type="application/json" id="{self.data_id}">{self.data_json}</script>'),
                name=self.data_id,
            )
            figure.script.add_child(
                _Raw(f"geomapControlMap({self._parent.get_name()}, {self.options_json});"),
                name=f"{self.data_id}-init",
            )
            super().render(**kwargs)  # type: ignore[no-untyped-call]

    return ControlLayer


def _control_layer(payload: dict[str, Any], **options: Any) -> Any:
    return _control_layer_class()(payload, **options)
