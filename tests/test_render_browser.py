"""Control maps in a real headless Chromium: offline loading, colours, slider, URL fragment, safety."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from geomap.render import control_map, map_html
from geomap.render.style import format_date
from geomap.scheme import AFGHANISTAN_2021

pytestmark = pytest.mark.browser

DATES = ["2021-08-01", "2021-08-03", "2021-08-05", "2021-08-07"]
COLOR = {s.key: s.color for s in AFGHANISTAN_2021.statuses}
LABEL = {s.key: s.label for s in AFGHANISTAN_2021.statuses}
# What the square timeline says (see conftest): A government then Taliban, B Taliban from 08-03, C contested at the end.
EXPECTED = {
    "2021-08-01": {"government": 1, "unknown": 2},
    "2021-08-03": {"government": 1, "taliban": 1, "unknown": 1},
    "2021-08-05": {"taliban": 2, "unknown": 1},
    "2021-08-07": {"taliban": 2, "contested": 1},
}
CHANGED = {"2021-08-01": 0, "2021-08-03": 1, "2021-08-05": 1, "2021-08-07": 1}


@dataclass
class Visit:
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(chromium, tmp_path):
    """Open a page from a file, record every request and block anything but the page itself."""
    pages = []

    def open_page(html: str, fragment: str = "", *, serve: dict[str, Path] | None = None) -> Visit:
        path = tmp_path / f"map{len(pages)}.html"
        path.write_text(html, encoding="utf-8")
        page = chromium.new_page(viewport={"width": 1100, "height": 760})
        pages.append(page)
        seen = Visit(page=page, url=path.as_uri())
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))

        def on_dialog(dialog):
            seen.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

        def route(r):
            url = r.request.url
            seen.requests.append(url)
            if url.split("#")[0] == seen.url:
                r.continue_()
            elif serve and any(url.endswith(suffix) for suffix in serve):
                local = next(p for suffix, p in serve.items() if url.endswith(suffix))
                r.fulfill(path=str(local))
            else:
                seen.blocked.append(url)
                r.abort()

        page.route("**/*", route)
        page.goto(seen.url + fragment)
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        return seen

    yield open_page
    for page in pages:
        page.close()


FILL_OF_PATH = """els => els.map(e => {
    const fill = e.getAttribute('fill');
    const hatch = /^url\\(#(.+)\\)$/.exec(fill);
    return hatch ? 'hatched ' + document.getElementById(hatch[1]).dataset.color : fill;
})"""


def fills(page) -> Counter:
    """Fill colours of the area paths; a hatched fill counts as its pattern's colour."""
    return Counter(
        f.removeprefix("hatched ") for f in page.eval_on_selector_all("path.leaflet-interactive", FILL_OF_PATH)
    )


def hatched(page) -> Counter:
    found = page.eval_on_selector_all("path.leaflet-interactive", FILL_OF_PATH)
    return Counter(f.removeprefix("hatched ") for f in found if f.startswith("hatched "))


def thick_outlines(page) -> int:
    widths = page.eval_on_selector_all(
        "path.leaflet-interactive", "els => els.map(e => parseFloat(e.getAttribute('stroke-width')))"
    )
    return sum(w >= 3 for w in widths)


def expected_fills(day: str) -> Counter:
    return Counter({COLOR[key]: n for key, n in EXPECTED[day].items()})


SHOWN = {day: format_date(day) for day in DATES}  # "2021-08-07" -> "7 Aug 2021"
ISO_OF = {text: day for day, text in SHOWN.items()}
KEY_AND_COUNT = (
    "els => els.map(e => e.querySelector('.geomap-key').textContent + ': ' + "
    "e.querySelector('.geomap-count').textContent)"
)


def count_lines(day: str) -> list[str]:
    return [f"{s.label}: {EXPECTED[day].get(s.key, 0)} of 3" for s in AFGHANISTAN_2021.statuses]


def shown(page) -> dict:
    """What the panel says: the date (as ISO), the URL fragment, the counts, what changed."""
    text = page.text_content(".geomap-date")
    return {
        "date": ISO_OF.get(text, text),
        "hash": page.evaluate("window.location.hash"),
        "counts": page.eval_on_selector_all(".geomap-counts li:not(.geomap-changed)", KEY_AND_COUNT),
        "changed": page.eval_on_selector_all(".geomap-counts li.geomap-changed", KEY_AND_COUNT)[0],
    }


def test_self_contained_map_loads_offline_with_one_path_per_area(square_timeline, visit):
    seen = visit(map_html(control_map(square_timeline, self_contained=True)))
    page = seen.page
    assert seen.errors == []
    assert seen.blocked == []
    assert [u.split("#")[0] for u in seen.requests] == [seen.url]
    assert page.evaluate("typeof L") == "object"
    assert page.eval_on_selector_all("svg path.leaflet-interactive", "els => els.length") == 3
    assert page.eval_on_selector_all("canvas", "els => els.length") == 0
    # Opens on the last reporting date.
    assert fills(page) == expected_fills("2021-08-07")
    now = shown(page)
    assert now["date"] == "2021-08-07"
    assert now["counts"] == count_lines("2021-08-07")
    assert now["changed"] == "changed since 5 Aug 2021: 1"
    assert thick_outlines(page) == 1
    legend = page.eval_on_selector_all(".geomap-counts .geomap-key", "els => els.map(e => e.textContent)")
    assert legend == [*LABEL.values(), "changed since 5 Aug 2021"]
    legend_colors = page.eval_on_selector_all(
        ".geomap-counts .geomap-swatch", "els => els.map(e => e.style.backgroundColor)"
    )
    assert legend_colors[:4] == [
        "rgb({}, {}, {})".format(*(int(c[i : i + 2], 16) for i in (1, 3, 5))) for c in COLOR.values()
    ]
    assert page.text_content(".geomap-range") == "3 areas, 4 reporting dates, reports 1 Aug 2021 \u2013 7 Aug 2021"
    assert page.title() == "Control of areas by date"  # no title given: the browser tab still says what it is
    # Contested is hatched on the map and in the legend, so it reads without colour.
    assert hatched(page) == Counter({COLOR["contested"]: 1})
    assert page.eval_on_selector_all(".geomap-counts .geomap-hatch", "els => els.length") == 1


def test_slider_sets_colours_counts_and_url_fragment(square_timeline, visit):
    page = visit(map_html(control_map(square_timeline, self_contained=True))).page
    for index, day in enumerate(DATES):
        page.eval_on_selector(
            ".geomap-range-input",
            "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }",
            index,
        )
        assert fills(page) == expected_fills(day)
        now = shown(page)
        assert now["date"] == day
        assert now["hash"] == f"#{day}"
        assert now["counts"] == count_lines(day)
        assert thick_outlines(page) == CHANGED[day]
    assert shown(page)["changed"] == "changed since 5 Aug 2021: 1"


@pytest.mark.parametrize(
    ("fragment", "day"),
    [
        ("#2021-08-03", "2021-08-03"),
        ("#2021-08-04", "2021-08-03"),
        ("#2020-01-01", "2021-08-01"),
        ("#junk", "2021-08-07"),
    ],
)
def test_url_fragment_opens_on_the_date_on_or_before(square_timeline, visit, fragment, day):
    page = visit(map_html(control_map(square_timeline, self_contained=True)), fragment).page
    assert shown(page)["date"] == day
    assert fills(page) == expected_fills(day)


def test_hashchange_and_arrow_keys_move_the_date(square_timeline, visit):
    page = visit(map_html(control_map(square_timeline, self_contained=True)), "#2021-08-03").page
    page.evaluate("window.location.hash = '#2021-08-05'")
    page.wait_for_function("document.querySelector('.geomap-date').textContent === '5 Aug 2021'")
    assert fills(page) == expected_fills("2021-08-05")
    page.click(".geomap-title, .geomap-range")  # focus on the page, not on the slider
    page.keyboard.press("ArrowLeft")
    assert shown(page)["date"] == "2021-08-03"
    assert shown(page)["hash"] == "#2021-08-03"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown(page)["date"] == "2021-08-07"
    page.keyboard.press("ArrowRight")  # stays on the last date
    assert shown(page)["date"] == "2021-08-07"


def test_arrow_keys_move_the_date_and_not_the_map_when_the_map_has_the_focus(square_timeline, visit):
    page = visit(map_html(control_map(square_timeline, self_contained=True)), "#2021-08-05").page
    pane = ".leaflet-map-pane"
    before = page.eval_on_selector(pane, "e => e.style.transform")
    page.focus(".leaflet-container")  # as a click or a tap on the map gives it
    page.keyboard.press("ArrowLeft")
    assert shown(page)["date"] == "2021-08-03"
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(300)  # a pan would have begun
    assert page.eval_on_selector(pane, "e => e.style.transform") == before  # one action per key: no pan


def test_a_page_that_needs_the_network_opened_without_it_says_so(square_timeline, visit, chromium, tmp_path):
    path = tmp_path / "needs-network.html"
    path.write_text(map_html(control_map(square_timeline)), encoding="utf-8")  # Leaflet from a CDN
    page = chromium.new_page()
    blocked = []
    page.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri() else (blocked.append(1), r.abort()))
    try:
        page.goto(path.as_uri())
        page.wait_for_selector(".geomap-offline")
        note = page.text_content(".geomap-offline")
    finally:
        page.close()
    assert blocked  # the CDN was asked for, and refused
    assert "could not load its map library (Leaflet)" in note and "--self-contained" in note
    self_contained = visit(map_html(control_map(square_timeline, self_contained=True))).page
    self_contained.wait_for_load_state("load")  # the note, if any, is written on load
    assert self_contained.query_selector(".geomap-offline") is None


def test_play_button_steps_through_the_dates(square_timeline, visit):
    page = visit(map_html(control_map(square_timeline, self_contained=True)), "#2021-08-01").page
    page.clock.install()  # a fake clock: the play timer runs without waiting
    page.click(".geomap-play")
    page.clock.run_for(10_000)
    assert page.text_content(".geomap-date") == "7 Aug 2021"
    assert "Play" in page.text_content(".geomap-play")
    assert fills(page) == expected_fills("2021-08-07")


def _click_until(page, element, condition: str, arg: object = None, tries: int = 3) -> None:
    """Close any open popup, click ``element`` and wait for ``condition``. A click that landed while
    the map was still panning to fit the last popup, or on a control over the area, is made again as
    a click event on the area itself, as a user would click again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        page.evaluate("window.geomapMaps[0].layers.forEach(layer => layer.closePopup())")
        page.wait_for_function("() => document.querySelector('.leaflet-popup') === null")
        if attempt == 0:
            element.click(position={"x": 20, "y": 20})
        else:
            element.dispatch_event("click")
        try:
            page.wait_for_function(condition, arg=arg, timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    popup = page.query_selector(".leaflet-popup-content")
    raise AssertionError(f"{condition} never held; popup: {popup.inner_html() if popup else None}")


def test_data_text_displays_literally_and_never_runs(square_timeline, visit, injection):
    html = map_html(control_map(square_timeline, self_contained=True, title=injection.title, markers=True))
    seen = visit(html, "#2021-08-03")
    page = seen.page
    assert page.text_content(".geomap-title") == injection.title
    assert page.title() == injection.title
    assert page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 3 + 2  # areas, places
    paths = [page.evaluate_handle(f"window.geomapMaps[0].layers[{i}]._path").as_element() for i in range(3)]

    # Area B: tooltip and popup name it literally and list the report behind its status.
    paths[1].hover(position={"x": 20, "y": 20})
    tip = page.wait_for_selector(".leaflet-tooltip .geomap-tip")
    assert tip.query_selector("b").text_content() == injection.name
    assert "Taliban control on 3 Aug 2021" in tip.text_content()
    assert "since 3 Aug 2021" in tip.text_content()
    paths[1].click(position={"x": 20, "y": 20})
    popup = page.wait_for_selector(".leaflet-popup-content .geomap-pop")
    assert popup.query_selector("b").text_content() == injection.name
    item = popup.query_selector("li")
    assert injection.place in item.text_content()
    assert item.query_selector(".geomap-note").text_content() == injection.note
    assert item.query_selector("a") is None  # a javascript: source is shown as text, never as a link
    assert injection.source in item.text_content()
    assert popup.query_selector("img") is None
    page.keyboard.press("Escape")

    # Area C: a name with a template literal, backticks and backslashes.
    paths[2].hover(position={"x": 20, "y": 20})
    tip = page.wait_for_selector(".leaflet-tooltip .geomap-tip b")
    page.wait_for_function(
        "name => document.querySelector('.leaflet-tooltip .geomap-tip b')?.textContent === name", arg=injection.gamma
    )

    # Area A on 08-01: an http source becomes a link that opens in a new tab without an opener.
    page.evaluate("window.geomapMaps[0].setDate(0)")
    _click_until(page, paths[0], "() => document.querySelector('.leaflet-popup-content a') !== null")
    link = page.wait_for_selector(".leaflet-popup-content a")
    assert link.get_attribute("href") == "https://example.org/a?x=1&y=2"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"

    # Area A on 08-05: a source made of a template literal and a backslash, shown as text.
    page.evaluate("window.geomapMaps[0].setDate(2)")
    _click_until(
        page,
        paths[0],
        "src => [...document.querySelectorAll('.leaflet-popup-content li span')].some(s => s.textContent === src)",
        injection.template_source,
    )
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.dialogs == []
    assert seen.errors == []
    assert seen.blocked == []


def test_markers_follow_the_shown_date(square_timeline, visit):
    page = visit(map_html(control_map(square_timeline, self_contained=True, markers=True)), "#2021-08-01").page
    assert page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 3 + 1
    page.evaluate("window.geomapMaps[0].setDate(3)")
    colours = fills(page)
    assert page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 3 + 3
    # Alphaville fell on 08-05: its circle is red like the two Taliban areas.
    assert colours[COLOR["taliban"]] == 2 + 2
    assert colours[COLOR["contested"]] == 1 + 1


@pytest.mark.parametrize("first", ["taliban", "government"])
def test_a_marker_of_disagreeing_reports_of_one_date_is_contested_whatever_their_order(square_areas, visit, first):
    import pandas as pd

    from geomap.timeline import ControlTimeline

    other = {"taliban": "government", "government": "taliban"}[first]
    reports = pd.DataFrame(
        [("2021-08-01", "Gammatown", first, 33.5, 67.5), ("2021-08-01", "Gammatown", other, 33.5, 67.5)],
        columns=["date", "place", "status", "lat", "lon"],
    )
    timeline = ControlTimeline.from_reports(reports, boundaries=square_areas)
    page = visit(map_html(control_map(timeline, self_contained=True, markers=True)), "#2021-08-01").page
    circles = page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    # three areas (C hatched as contested), then the one circle: contested as its area, not one side
    assert circles[-1] == COLOR["contested"]


def test_per_date_layers_hatch_a_contested_area_on_the_date_the_page_opens_on(square_areas, visit):
    import pandas as pd

    from geomap.timeline import ControlTimeline

    reports = pd.DataFrame(
        [("2021-08-01", "Gammatown", "contested", 33.5, 67.5), ("2021-08-03", "Gammatown", "taliban", 33.5, 67.5)],
        columns=["date", "place", "status", "lat", "lon"],
    )
    timeline = ControlTimeline.from_reports(reports, boundaries=square_areas)
    page = visit(map_html(control_map(timeline, layers="per-date", self_contained=True)), "#2021-08-01").page
    assert page.text_content(".geomap-date") == SHOWN["2021-08-01"]
    assert hatched(page) == Counter({COLOR["contested"]: 1})


def test_per_date_layers_in_a_layer_control(square_timeline, visit):
    seen = visit(map_html(control_map(square_timeline, layers="per-date", self_contained=True)))
    page = seen.page
    assert seen.errors == []
    assert seen.blocked == []
    names = page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label span span", "els => els.map(e => e.textContent.trim())"
    )
    assert names == ["1 Aug 2021", "3 Aug 2021", "5 Aug 2021", "7 Aug 2021"]  # as the panel writes them
    checked = page.eval_on_selector_all(".leaflet-control-layers-overlays input", "els => els.map(e => e.checked)")
    assert checked == [False, False, False, True]
    assert fills(page) == expected_fills("2021-08-07")
    page.evaluate("window.location.hash = '#2021-08-03'")
    page.wait_for_function("window.geomapMaps[0].state.d === 1")
    assert fills(page) == expected_fills("2021-08-03")
    assert page.eval_on_selector_all(".leaflet-control-layers-overlays input", "els => els.map(e => e.checked)") == [
        False,
        True,
        False,
        False,
    ]
    # Ticking another date shows only that date; the panel and fragment follow it.
    checkboxes = ".leaflet-control-layers-overlays input"
    page.click(".leaflet-control-layers-overlays label:first-child input")
    page.wait_for_function("window.geomapMaps[0].state.d === 0")
    page.wait_for_function(f"!document.querySelectorAll('{checkboxes}')[1].checked")
    assert shown(page)["date"] == "2021-08-01"
    assert page.evaluate("window.location.hash") == "#2021-08-01"
    assert shown(page)["counts"] == count_lines("2021-08-01")
    assert page.eval_on_selector_all(checkboxes, "els => els.map(e => e.checked)") == [True, False, False, False]
    assert page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 3
    assert fills(page) == expected_fills("2021-08-01")
    # The shown date cannot be unticked into an empty map that the panel would still describe.
    page.click(".leaflet-control-layers-overlays label:first-child input")
    page.wait_for_function(f"document.querySelectorAll('{checkboxes}')[0].checked === true")
    assert page.eval_on_selector_all(checkboxes, "els => els.map(e => e.checked)") == [True, False, False, False]
    assert fills(page) == expected_fills("2021-08-01")
    assert seen.errors == []


def test_default_map_works_with_folium_cdn(square_timeline, visit):
    """Without self_contained the page loads Leaflet like folium does (served locally here)."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    html = map_html(control_map(square_timeline))
    seen = visit(html, serve={"/dist/leaflet.js": base / "leaflet.js", "/dist/leaflet.css": base / "leaflet.css"})
    page = seen.page
    assert any(re.search(r"cdn\.jsdelivr\.net/npm/leaflet@[\d.]+/dist/leaflet\.js$", u) for u in seen.requests)
    assert any("tile.openstreetmap.org" in u for u in seen.blocked)
    assert fills(page) == expected_fills("2021-08-07")
    assert [e for e in seen.errors if "Failed to load resource" not in e] == []


@pytest.mark.parametrize("day", ["2021-08-06", "2021-08-12", "2021-08-15"])
def test_demo_map_in_chromium(tmp_path, visit, day):
    """The map `geomap demo` writes: 34 provinces, offline, colours as the timeline says on each date."""
    from geomap.demo import example_path, write_demo
    from geomap.timeline import ControlTimeline

    html_path = next(p for p in write_demo(tmp_path / "demo") if p.suffix == ".html")
    seen = visit(html_path.read_text(encoding="utf-8"), f"#{day}")
    summary = ControlTimeline.from_reports(example_path()).summary()
    expected = summary.loc[pd.Timestamp(day)]
    assert seen.page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 34
    assert fills(seen.page) == Counter({COLOR[k]: int(n) for k, n in expected.items() if n})
    assert shown(seen.page)["counts"] == [f"{LABEL[k]}: {int(expected[k])} of 34" for k in expected.index]
    assert seen.page.text_content(".geomap-range").startswith(f"34 provinces, {len(summary)} reporting dates")
    assert seen.errors == []
    assert seen.blocked == []


def test_tile_credit_scheme_labels_and_ids_display_literally(square_areas, square_reports, visit, injection):
    from geomap.scheme import make_scheme
    from geomap.timeline import ControlTimeline

    labels = {
        "government": "<img src=x onerror=window.__pwned=1> {{ 7*7 }}",
        "taliban": "</script><script>window.__pwned=1</script>",
        "contested": "`${window.__pwned=1}`",
        "unknown": "&lt;b&gt; entity",
    }
    scheme = make_scheme([{"key": s.key, "label": labels[s.key], "color": s.color} for s in AFGHANISTAN_2021.statuses])
    areas = square_areas.assign(area_id=["<i>A</i>", "B'\"", "{{C}}"])
    timeline = ControlTimeline.from_reports(square_reports, boundaries=areas, scheme=scheme, aggregate="latest")
    credit = "<img src=x onerror=window.__pwned=1> Tiles & co {{ 7*7 }}"
    html = map_html(
        control_map(
            timeline, self_contained=True, tiles="https://tiles.example.org/{z}/{x}/{y}.png", tile_attribution=credit
        )
    )
    seen = visit(html, "#2021-08-07")
    page = seen.page
    attribution = page.text_content(".leaflet-control-attribution")
    assert credit in attribution
    assert page.query_selector(".leaflet-control-attribution img") is None
    text = page.text_content(".leaflet-container")
    for label in labels.values():
        assert label in text
    assert page.query_selector(".leaflet-container img:not(.leaflet-tile)") is None
    assert any(url.startswith("https://tiles.example.org/") for url in seen.blocked)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.dialogs == []


def test_the_page_decodes_geometry_as_encoded(square_timeline, visit):
    """The page's decoder (the only one) gives back the rounded coordinates, holes and parts included."""
    import shapely
    from shapely.geometry import Polygon, shape

    from geomap.render import encode_geometry

    holed = Polygon([(65, 33), (66, 33), (66, 34), (65, 34)], [[(65.2, 33.2), (65.4, 33.2), (65.4, 33.4)]])
    pair = shapely.MultiPolygon([Polygon([(67.00001, 33), (68, 33), (68, 34.12345)]), holed])
    page = visit(map_html(control_map(square_timeline, self_contained=True))).page
    for geom in (holed, pair):
        decoded = page.evaluate("([g, s]) => geomapDecode(g, s)", [encode_geometry(geom), 100000])
        assert shapely.equals_exact(shape(decoded), shapely.MultiPolygon(shapely.get_parts(geom)), 1e-9)


SCREENS = {"phone": (390, 844), "tablet": (768, 1024), "small laptop": (1024, 600), "desktop": (1280, 900)}
SCREENS["notebook cell"] = (900, 450)
SCREENS["phone, landscape"] = (844, 390)
# Shown country names over a mapped area (an interactive area path under a point of the name's box).
COUNTRIES_OVER_AREAS = """() => [...document.querySelectorAll('.geomap-label-country')]
    .filter(n => n.style.visibility === 'visible')
    .filter(n => { const r = n.firstChild.getBoundingClientRect();
      return [[0.1, 0.2], [0.5, 0.5], [0.9, 0.2], [0.1, 0.8], [0.9, 0.8]].some(([fx, fy]) =>
        document.elementsFromPoint(r.left + fx * r.width, r.top + fy * r.height)
          .some(e => e.tagName === 'path' && e.classList.contains('leaflet-interactive'))); })
    .map(n => n.textContent)"""
CONTROLS = [".leaflet-control-zoom", ".geomap-panel", ".leaflet-control-attribution", ".leaflet-control-scale"]
BOXES = """sels => sels.map(s => { const r = document.querySelector(s).getBoundingClientRect();
    return [s, r.left, r.top, r.right, r.bottom]; })"""
LABEL_BOXES = """() => [...document.querySelectorAll('.geomap-label')].filter(n => n.style.visibility === 'visible')
    .map(n => { const r = n.firstChild.getBoundingClientRect();
      return [n.className, n.textContent, r.left, r.top, r.right, r.bottom]; })"""


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def demo_html():
    from geomap.demo import example_path
    from geomap.timeline import ControlTimeline

    timeline = ControlTimeline.from_reports(example_path())
    return map_html(control_map(timeline, self_contained=True, title="Taliban offensive, summer 2021 <b>{{x}}</b>"))


def check_layout(page, width, height):
    boxes = page.evaluate(BOXES, CONTROLS)
    for name, left, top, right, bottom in boxes:
        assert right > left and bottom > top, name
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, (name, left, top, right, bottom)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not overlaps(a[1:], b[1:]), (a, b)
    labels = page.evaluate(LABEL_BOXES)
    for i, a in enumerate(labels):
        assert a[2] >= 0 and a[3] >= 0 and a[4] <= width and a[5] <= height, a
        for b in labels[i + 1 :]:
            assert not overlaps(a[2:], b[2:]), (a, b)
        for control in boxes:
            assert not overlaps(a[2:], control[1:]), (a, control)
    return labels


@pytest.mark.parametrize("screen", list(SCREENS))
def test_layout_at_every_screen_size(chromium, demo_html, tmp_path, screen):
    """Controls never overlap each other and stay in view; names never overlap; popups stay in view."""
    width, height = SCREENS[screen]
    path = tmp_path / "map.html"
    path.write_text(demo_html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri() + "#2021-08-12")
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        small = width < 640 or height < 460
        assert page.is_visible(".geomap-title") is not small  # folded to one line on small screens
        labels = check_layout(page, width, height)
        areas = [text for kind, text, *_ in labels if "geomap-label-area" in kind]
        countries = [text for kind, text, *_ in labels if "geomap-label-country" in kind]
        assert len(countries) >= (4 if width >= 640 else 2), countries
        assert page.evaluate(COUNTRIES_OVER_AREAS) == []  # a neighbour's name never covers an area
        if screen == "desktop":
            assert len(areas) == 34  # every province named at the default desktop view
            assert "Kabul" in areas and "Panjshir" in areas
        else:
            assert len(areas) >= 12
        if small:
            page.click(".geomap-toggle")
            assert page.is_visible(".geomap-title")
            assert page.text_content(".geomap-title") == "Taliban offensive, summer 2021 <b>{{x}}</b>"
            check_layout(page, width, height)
        # Zoomed in, more names fit and capitals appear as dots with names; still no overlap.
        page.evaluate("() => { const m = window.geomapMaps[0].map; m.setZoom(m.getZoom() + 1, {animate: false}); }")
        zoomed = check_layout(page, width, height)
        assert any("geomap-label-capital" in kind for kind, *_ in zoomed)
        assert page.evaluate(COUNTRIES_OVER_AREAS) == []
        # A popup opens inside the view, with no tooltip beside it and no focus rectangle.
        api = "window.geomapMaps[0]"
        index = page.evaluate(f"{api}.data.names.indexOf('Ghazni')")
        page.evaluate(
            f"() => {{ const m = {api}.map; m.setView({api}.layers[{index}].getBounds().getCenter(), m.getZoom(), "
            "{animate: false}); }"
        )
        page.mouse.move(width / 2, height / 2)
        page.mouse.click(width / 2, height / 2)
        popup = page.wait_for_selector(".leaflet-popup-content-wrapper")
        page.wait_for_timeout(350)  # the pan that brings the popup into view
        box = popup.bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
        assert "Ghazni" in popup.text_content()
        # The hover tooltip closes once the popup opens (Leaflet may take a frame to remove it).
        page.wait_for_selector(".leaflet-tooltip", state="hidden", timeout=3000)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "none" or page.evaluate("document.activeElement === document.body")
        assert errors == []
    finally:
        page.close()


def test_date_format_and_no_labels_in_the_page(square_timeline, visit):
    html = map_html(control_map(square_timeline, self_contained=True, date_format="%d.%m.%Y", labels=False))
    page = visit(html, "#2021-08-05").page
    assert page.text_content(".geomap-date") == "05.08.2021"
    assert page.evaluate("window.location.hash") == "#2021-08-05"
    assert "changed since 03.08.2021" in page.text_content(".geomap-changed")
    assert page.query_selector(".geomap-label") is None


def test_district_demo_map_in_chromium(tmp_path, visit):
    """`geomap demo --level district`: 398 districts under province borders, names of both in tooltips."""
    from geomap.demo import example_path, write_demo
    from geomap.timeline import ControlTimeline

    day = "2021-08-20"
    html_path = next(p for p in write_demo(tmp_path / "demo", level="district") if p.suffix == ".html")
    seen = visit(html_path.read_text(encoding="utf-8"), f"#{day}")
    page = seen.page
    timeline = ControlTimeline.from_reports(example_path(), level="district")
    expected = timeline.summary().loc[pd.Timestamp(day)]
    assert page.eval_on_selector_all("path.leaflet-interactive", "els => els.length") == 398
    assert fills(page) == Counter({COLOR[k]: int(n) for k, n in expected.items() if n})
    assert shown(page)["counts"] == [f"{LABEL[k]}: {int(expected[k])} of 398" for k in expected.index]
    assert page.eval_on_selector_all(".leaflet-geomapGroups-pane path", "els => els.length") >= 1
    tip = page.evaluate(
        """() => {
          const api = window.geomapMaps[0], i = api.data.names.indexOf("Spin Boldak");
          api.layers[i].openTooltip(api.layers[i].getBounds().getCenter());
          return document.querySelector(".leaflet-tooltip .geomap-tip").innerText;
        }"""
    )
    assert tip.splitlines()[:2] == ["Spin Boldak", "Kandahar province"]
    assert tip.splitlines()[2].startswith("Taliban control on ")
    popup = page.evaluate(
        """() => {
          const api = window.geomapMaps[0], i = api.data.names.indexOf("Nad Ali");
          api.layers[i].openPopup(api.layers[i].getBounds().getCenter());
          return document.querySelector(".leaflet-popup .geomap-pop").innerText;
        }"""
    )
    assert "Helmand province" in popup
    assert " · Helmand province · Taliban control · province-wide" in popup
    assert seen.errors == []
    assert seen.blocked == []


def test_conflicting_reports_are_named_on_their_dates_only(square_areas, visit):
    from geomap.timeline import ControlTimeline

    rows = [("2021-08-01", 65.5, "government"), ("2021-08-01", 65.5, "taliban")]  # A conflicts on the first date
    rows += [(f"2021-08-0{day}", 65.5, "taliban") for day in range(2, 6)]
    rows += [("2021-08-06", 65.5, "government"), ("2021-08-06", 65.5, "taliban")]  # and on the sixth
    rows += [("2021-08-03", 66.5, "taliban")]
    reports = pd.DataFrame(
        [(day, "a place", status, "", "", 33.5, lon) for day, lon, status in rows],
        columns=["date", "place", "status", "source", "note", "lat", "lon"],
    )
    timeline = ControlTimeline.from_reports(reports, boundaries=square_areas, aggregate="latest")
    page = visit(map_html(control_map(timeline, self_contained=True))).page
    path = page.evaluate_handle("window.geomapMaps[0].layers[0]._path").as_element()
    seen = []
    for index in range(6):
        page.evaluate(f"window.geomapMaps[0].setDate({index})")
        page.mouse.move(1, 1)
        path.hover(position={"x": 20, "y": 20})
        tip = page.wait_for_selector(".leaflet-tooltip .geomap-tip")
        seen.append("conflicting reports" in tip.text_content())
    assert seen == [True, False, False, False, False, True]


def test_long_runs_of_one_status_are_sent_as_runs_and_shown_day_by_day(square_areas, visit):
    from geomap.render import map_data
    from geomap.render.page import page_payload
    from geomap.timeline import ControlTimeline

    rows = [("2021-08-01", 65.5, "government"), ("2021-08-20", 65.5, "taliban"), ("2021-08-03", 66.5, "taliban")]
    rows += [("2021-08-30", 67.5, "contested")]
    reports = pd.DataFrame(
        [(day, "a place", status, "", "", 33.5, lon) for day, lon, status in rows],
        columns=["date", "place", "status", "source", "note", "lat", "lon"],
    )
    timeline = ControlTimeline.from_reports(reports, boundaries=square_areas, aggregate="latest", freq="D")
    assert len(timeline.reporting_dates) == 30
    payload = page_payload(map_data(timeline))
    assert all(row.startswith("~") for row in payload["table"])  # 30 daily dates, a change or two each
    page = visit(map_html(control_map(timeline, self_contained=True))).page
    expected = {  # day of August -> statuses of A, B, C
        1: ("government", "unknown", "unknown"),
        2: ("government", "unknown", "unknown"),
        19: ("government", "taliban", "unknown"),
        20: ("taliban", "taliban", "unknown"),
        30: ("taliban", "taliban", "contested"),
    }
    for day, statuses in expected.items():
        page.evaluate(f"window.geomapMaps[0].setDate({day - 1})")
        assert fills(page) == Counter(COLOR[s] for s in statuses), day
        assert shown(page)["counts"] == [
            f"{s.label}: {statuses.count(s.key)} of 3" for s in AFGHANISTAN_2021.statuses
        ], day


def test_hover_tooltip_is_one_readable_box(chromium, demo_html, tmp_path):
    # a Leaflet tooltip sizes to its content: the text wraps at 260 px, not after every letter
    path = tmp_path / "map.html"
    path.write_text(demo_html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(path.as_uri() + "#2021-08-12")
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        api = "window.geomapMaps[0]"
        index = page.evaluate(f"{api}.data.names.indexOf('Helmand')")
        point = page.evaluate(
            f"() => {{ const m = {api}.map; const p = m.latLngToContainerPoint({api}.layers[{index}].getBounds()"
            ".getCenter()); const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"
        )
        page.mouse.move(*point)
        tip = page.wait_for_selector(".leaflet-tooltip .geomap-tip").bounding_box()
        assert 120 <= tip["width"] <= 262, tip
        assert tip["height"] <= 200, tip
    finally:
        page.close()


PANEL_FITS = """() => { const p = document.querySelector('.geomap-panel'), d = document.querySelector('.geomap-date');
    const rows = [...p.querySelectorAll('.geomap-head > *')].map(e => e.getBoundingClientRect());
    const box = p.getBoundingClientRect();
    return {panel: p.scrollWidth - p.clientWidth, date: d.scrollWidth - d.clientWidth,
            outside: rows.filter(r => r.right > box.right + 0.5 || r.left < box.left - 0.5).length,
            buttons: [...p.querySelectorAll('button')].filter(b => b.offsetParent)
              .map(b => Math.min(b.offsetWidth, b.offsetHeight)),
            viewport: document.querySelector('meta[name=viewport]').content}; }"""


@pytest.mark.parametrize(("width", "height"), [(360, 640), (390, 844)])
def test_the_panel_fits_a_phone_and_its_buttons_suit_a_finger(chromium, demo_html, tmp_path, width, height):
    path = tmp_path / "map.html"
    path.write_text(demo_html, encoding="utf-8")
    context = chromium.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(path.as_uri() + "#2021-08-15")  # a date of two digits, the widest
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        for opened in (False, True):
            fits = page.evaluate(PANEL_FITS)
            assert fits["panel"] <= 0 and fits["date"] <= 0 and fits["outside"] == 0, (opened, fits)
            assert min(fits["buttons"]) >= 40, fits
            assert "user-scalable=no" not in fits["viewport"]  # the page may be zoomed with two fingers
            page.tap(".geomap-toggle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_per_date_list_folds_on_a_phone_and_opens_on_a_tap(chromium, square_timeline, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(map_html(control_map(square_timeline, layers="per-date", self_contained=True)), encoding="utf-8")
    context = chromium.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    expanded = "document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')"
    try:
        page.goto(path.as_uri())
        page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        page.wait_for_function(f"!{expanded}")  # folded: the list would cover the map
        assert not page.is_visible(".leaflet-control-layers-overlays")
        page.tap(".leaflet-control-layers-toggle")
        assert page.evaluate(expanded)
        page.tap(".leaflet-control-layers-overlays label:first-child input")
        page.wait_for_function("window.geomapMaps[0].state.d === 0")
        page.wait_for_function(f"!{expanded}")  # a date chosen folds it again
    finally:
        context.close()
    wide = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        wide.goto(path.as_uri())
        wide.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
        wide.wait_for_timeout(100)
        assert wide.evaluate(expanded)  # a few dates stay listed on a wide screen
    finally:
        wide.close()


def _markers_page(chromium, tmp_path, rows, fragment, **timeline_options):
    """A page of ``rows`` (date, place, status, lat, lon) with markers, opened on ``fragment``."""
    import pandas as pd

    from geomap.timeline import ControlTimeline

    reports = pd.DataFrame(rows, columns=["date", "place", "status", "lat", "lon"])
    timeline = ControlTimeline.from_reports(reports, **timeline_options)
    path = tmp_path / "map.html"
    path.write_text(map_html(control_map(timeline, self_contained=True, markers=True)), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("window.geomapMaps && window.geomapMaps.length > 0")
    return page


#: The fill of each report circle, bottom to top.
MARKER_FILLS = (
    "() => [...document.querySelectorAll('.leaflet-geomapMarkers-pane path')].map(p => p.getAttribute('fill'))"
)


def test_report_markers_are_drawn_over_the_capitals_dots_and_the_newest_over_older_ones(chromium, tmp_path):
    # Lashkar Gah: a capital whose name and white dot the page draws; two places reported a street apart
    rows = [
        ("2021-08-10", "Lashkar Gah", "taliban", 31.583, 64.369),
        ("2021-08-11", "Bolan bridge", "government", 31.60, 64.36),
        ("2021-08-13", "Bolan", "taliban", 31.601, 64.361),
    ]
    page = _markers_page(chromium, tmp_path, rows, "#2021-08-13")
    try:
        # zoomed in on the city, where its dot and name are drawn
        page.evaluate("() => { const m = window.geomapMaps[0].map; m.setView([31.59, 64.365], 11, {animate: false}); }")
        page.wait_for_function(
            """() => [...document.querySelectorAll('.geomap-label-capital')].some(l => l.textContent.includes('Lashkar')
                && getComputedStyle(l).display !== 'none' && getComputedStyle(l).visibility !== 'hidden')"""
        )
        top = page.evaluate(
            """() => [...document.querySelectorAll('.leaflet-geomapMarkers-pane path')].map(p => {
                const r = p.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return [p.getAttribute('fill'), hit === p];
            })"""
        )
        # the city's report is not under its name's white dot; of the two places a street apart, the one
        # reported on the shown date is drawn over the other
        assert top == [[COLOR["taliban"], True], [COLOR["government"], False], [COLOR["taliban"], True]], top
    finally:
        page.close()


def test_the_newest_report_is_drawn_over_older_ones_nearby_on_any_shown_date(chromium, tmp_path):
    # the file lists the newer report first; the page opens on a date with no report of its own
    rows = [
        ("2021-08-11", "Bolan bridge", "government", 31.60, 64.36),
        ("2021-08-10", "Bolan", "taliban", 31.601, 64.361),
    ]
    page = _markers_page(chromium, tmp_path, rows, "#2021-08-12", dates=["2021-08-10", "2021-08-11", "2021-08-12"])
    try:
        assert page.evaluate(MARKER_FILLS) == [COLOR["taliban"], COLOR["government"]]  # 08-11's over 08-10's
        page.evaluate("window.geomapMaps[0].setDate(0)")  # 08-10: only Bolan
        page.evaluate("window.geomapMaps[0].setDate(2)")  # back: the same order, whatever was shown before
        assert page.evaluate(MARKER_FILLS) == [COLOR["taliban"], COLOR["government"]]
    finally:
        page.close()
