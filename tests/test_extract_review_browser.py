"""The extraction review page in headless Chromium: rows and marks shown, injection strings shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.extract import Article, extract_batch
from geomap.extract.review import review_page

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=1</script> {{7*7}} ${1+1}'


def test_review_page_shows_rows_marks_and_hostile_text_literally(chromium, tmp_path):
    text = (
        f"The Taliban captured Kunduz on Sunday {HOSTILE}.\n\n"
        "Government forces still hold Herat, officials said on Monday.\n\n"
        f"Residents of Kabul watched the news {HOSTILE}.\n"
    )
    unstated: list[dict] = []
    table = extract_batch([Article("a.txt", text, "2021-08-10", HOSTILE)], unstated=unstated)
    path = tmp_path / "review.html"
    path.write_text(review_page(table, unstated, title=HOSTILE), encoding="utf-8")
    page = chromium.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def route(r):
        requests.append(r.request.url)
        if r.request.url == path.as_uri():
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    rows = page.eval_on_selector_all("#rows tbody tr", "els => els.map(e => e.children[2].textContent)")
    assert sorted(rows) == ["Herat", "Kunduz"]
    marks = page.eval_on_selector_all("mark", "els => els.map(e => [e.className, e.textContent])")
    assert ["place", "Kunduz"] in marks and ["trigger", "captured"] in marks
    assert page.text_content("#title") == HOSTILE
    evidence = page.eval_on_selector_all("#rows tbody tr td:nth-child(6)", "els => els.map(e => e.textContent)")
    assert any(HOSTILE in e for e in evidence)
    assert HOSTILE in page.text_content("#unstated")
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all("#rows img, #unstated img", "els => els.length") == 0
    assert [u for u in requests if u != path.as_uri()] == []
    assert errors == []
    # rejecting a row updates the count
    page.click("#rows tbody tr input[type=checkbox]")
    assert "1 accepted" in page.text_content("#summary")
    page.close()


def test_the_accepted_rows_download_with_every_column_the_extractor_wrote(chromium, tmp_path):
    import csv
    import io

    text = "The Taliban captured Kunduz on Sunday.\n\nGovernment forces still hold Herat, officials said on Monday.\n"
    table = extract_batch([Article("a.txt", text, "2021-08-10", "a.txt")])
    path = tmp_path / "review.html"
    path.write_text(review_page(table), encoding="utf-8")
    page = chromium.new_page(accept_downloads=True)
    page.goto(path.as_uri())
    herat = page.eval_on_selector_all("#rows tbody tr", "els => els.map(e => e.children[2].textContent)").index("Herat")
    page.click(f"#rows tbody tr:nth-child({herat + 1}) input[type=checkbox]")  # reject Herat
    with page.expect_download() as info:
        page.click("#export")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    page.close()
    assert list(rows[0]) == [str(c) for c in table.columns]  # level, district, ... as `geomap extract` writes
    kunduz = table[table["place"] == "Kunduz"].iloc[0]
    assert [(r["place"], r["status"], r["date"], r["level"]) for r in rows] == [
        ("Kunduz", "taliban", "2021-08-08", kunduz["level"])
    ]


def test_review_page_reads_on_a_phone(chromium, tmp_path):
    text = (
        "The Taliban captured the northern city of Kunduz on Sunday after days of fighting, officials said.\n\n"
        "Government forces still hold Herat, the governor's spokesman said on Monday.\n"
    )
    table = extract_batch([Article("a.txt", text, "2021-08-10", "a wire report")])
    path = tmp_path / "review.html"
    path.write_text(review_page(table, [], title="August 2021"), encoding="utf-8")
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        # laid out at the phone's width (not a 980 px page shrunk to fit), without sideways scrolling
        assert page.evaluate("window.innerWidth") == 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        cells = page.eval_on_selector_all(
            "#rows tbody tr:first-child td",
            "els => els.map(e => [getComputedStyle(e, '::before').content, e.getBoundingClientRect().width])",
        )
        assert [c[0] for c in cells][:3] == ['"accept: "', '"date: "', '"place: "']
        assert all(width > 300 for _, width in cells)  # each field across the card, one under another
        box = page.query_selector("#rows tbody tr input[type=checkbox]").bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        page.tap("#rows tbody tr input[type=checkbox]")
        assert "1 accepted" in page.text_content("#summary")
    finally:
        context.close()
