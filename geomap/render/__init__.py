"""Maps of a control timeline: one choropleth whose colours follow a date slider.

The steps, one module each: :mod:`~geomap.render.mapdata` gathers what the map shows from a
timeline (:class:`MapData`); :mod:`~geomap.render.geometry` simplifies and encodes the areas;
:mod:`~geomap.render.page` turns both into the JSON the page reads; :mod:`~geomap.render.tiles`
checks a basemap; :mod:`~geomap.render.element` builds the :class:`folium.Map` with the page's
script and stylesheet (``static/geomap.js``, ``static/geomap.css``); :mod:`~geomap.render.image`
draws still images and animations with matplotlib in the same colours, hatching and names
(:mod:`~geomap.render.style`, :mod:`~geomap.render.labels`).

:func:`control_map` turns a :class:`geomap.timeline.ControlTimeline` into a
:class:`folium.Map`; :func:`map_html` returns the complete HTML document. Nothing here writes
files. The polygons travel once; what changes from date to date travels as a compact status
table (one character per area per date) and each report travels once, referenced by index.
Everything taken from the data (area names and ids, places, sources, notes, the title, the
scheme's labels, the tile URL and credit) is put in the page as JSON inside
``<script type="application/json">`` and shown with ``textContent``, so it is displayed as
text and never runs; nothing from the data passes through a template.

With ``self_contained=True`` the page makes no request at all: Leaflet's script and stylesheet
are inlined from the ``xstatic-leaflet`` package, folium's CDN links (jQuery, Bootstrap, Font
Awesome) are left out, and, unless tiles are asked for, the map shows the areas and the outline
of their union over the neighbouring countries.
"""

from geomap.render.element import build_map, control_map, map_html, page_assets
from geomap.render.geometry import COORDINATE_DECIMALS, display_geometries, encode_geometry
from geomap.render.image import render_animation, render_image
from geomap.render.mapdata import STATUS_ALPHABET, MapData, map_data
from geomap.render.page import json_for_script, page_payload
from geomap.render.tiles import tile_source

__all__ = [
    "COORDINATE_DECIMALS",
    "STATUS_ALPHABET",
    "MapData",
    "build_map",
    "control_map",
    "display_geometries",
    "encode_geometry",
    "json_for_script",
    "map_data",
    "map_html",
    "page_assets",
    "page_payload",
    "render_animation",
    "render_image",
    "tile_source",
]
