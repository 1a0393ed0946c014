"""Tests for many articles at once: metadata, skipped files, merging across articles, the review page."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geomap.cli import main
from geomap.errors import InputError
from geomap.extract import Article, Skipped, load_articles, read_meta
from geomap.extract import extract_batch as _extract_batch
from geomap.extract.review import review_page


def extract_batch(*args, **kwargs):
    """The batch table, with ``date`` (datetime64[ns]) as the YYYY-MM-DD text the cases are written in."""
    found = _extract_batch(*args, **kwargs)
    assert found["date"].dtype == "datetime64[ns]"
    found["date"] = found["date"].dt.strftime("%Y-%m-%d")
    return found


FIRST = "The Taliban captured Kunduz on Sunday, officials said.\n\nFighting continued around Herat.\n"
SECOND = "Insurgents seized Kunduz on Sunday after days of fighting.\n\nResidents of Mazar-i-Sharif were calm.\n"
THIRD = "Afghan forces recaptured Kunduz from the Taliban on Sunday, the ministry said.\n"


def write_article(folder, name, text, **meta):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if meta:
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def test_same_event_in_two_articles_is_one_row_with_both_sources(tmp_path):
    a = write_article(tmp_path, "a.txt", FIRST, published="2021-08-09", url="https://example.org/a")
    b = write_article(tmp_path, "b.txt", SECOND, published="2021-08-09", url="https://example.org/b")
    table = extract_batch(list(load_articles([a, b])))
    kunduz = table[(table["place"] == "Kunduz") & (table["status"] == "taliban")]
    assert kunduz[["date", "n_sources"]].values.tolist() == [["2021-08-08", 2]]
    assert kunduz["sources"].iloc[0] == "https://example.org/a | https://example.org/b"
    assert "reported by 2 articles" in kunduz["note"].iloc[0]
    herat = table[table["place"] == "Herat"]
    assert herat[["status", "n_sources", "flag"]].values.tolist() == [["contested", 1, ""]]


def test_articles_that_disagree_are_kept_and_flagged(tmp_path):
    a = write_article(tmp_path, "a.txt", FIRST, published="2021-08-09", url="https://example.org/a")
    c = write_article(tmp_path, "c.txt", THIRD, published="2021-08-09", url="https://example.org/c")
    d = write_article(tmp_path, "d.txt", "The Taliban captured Kunduz on Saturday.\n", published="2021-08-09")
    table = extract_batch(list(load_articles([a, c, d])))
    kunduz = table[table["place"] == "Kunduz"].set_index(["status", "date"])
    assert set(kunduz.index) == {("taliban", "2021-08-08"), ("government", "2021-08-08"), ("taliban", "2021-08-07")}
    assert "status disagrees: government" in kunduz.loc[("taliban", "2021-08-08"), "flag"]
    assert "date disagrees: also 2021-08-07" in kunduz.loc[("taliban", "2021-08-08"), "flag"]
    assert "status disagrees: taliban" in kunduz.loc[("government", "2021-08-08"), "flag"]


def test_metadata_from_csv_sidecar_and_front_matter(tmp_path):
    front = (
        "---\npublished: 2021-08-13\nsource: https://example.org/front\n---\nThe Taliban captured Herat on Thursday.\n"
    )
    f = write_article(tmp_path, "front.txt", front)
    s = write_article(tmp_path, "side.txt", "Ghazni fell to the Taliban on Thursday.\n", published="2021-08-13")
    m = write_article(tmp_path, "meta.txt", "The Taliban captured Kandahar yesterday.\n", published="2020-01-01")
    meta = tmp_path / "articles.csv"
    meta.write_text("path,published,url\nmeta.txt,2021-08-13,https://example.org/meta\n", encoding="utf-8")
    found = {a.path: a for a in load_articles([f, s, m], meta=read_meta(meta))}
    assert (found[str(f)].published, found[str(f)].source) == ("2021-08-13", "https://example.org/front")
    assert found[str(f)].text.endswith("The Taliban captured Herat on Thursday.\n")
    assert (found[str(s)].published, found[str(s)].source) == ("2021-08-13", str(s))
    # the metadata file wins over the sidecar
    assert (found[str(m)].published, found[str(m)].source) == ("2021-08-13", "https://example.org/meta")
    table = extract_batch(found.values())
    assert dict(zip(table["place"], table["date"], strict=True)) == {
        "Herat": "2021-08-12",
        "Ghazni": "2021-08-12",
        "Kandahar": "2021-08-12",
    }


def test_unreadable_articles_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Kundûz".encode("latin-1"))
    write_article(tmp_path, "nodate.txt", FIRST)
    reasons = {item.path.rsplit("/", 1)[-1]: item.reason for item in load_articles(sorted(tmp_path.glob("*.txt")))}
    assert reasons["binary.txt"].startswith("a binary file")
    assert reasons["empty.txt"] == "empty file"
    assert reasons["latin1.txt"].startswith("not UTF-8 text")
    assert reasons["nodate.txt"].startswith("no publication date")
    assert all(isinstance(i, Skipped) for i in load_articles([tmp_path / "missing.txt"]))


def test_metadata_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "meta.csv"
    bad.write_text("file,date\na.txt,2021-08-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"meta\.csv: needs the columns path and published"):
        read_meta(bad)
    with pytest.raises(InputError, match="metadata file not found"):
        read_meta(tmp_path / "none.csv")


def test_metadata_rows_are_checked_where_they_are_written(tmp_path):
    (tmp_path / "a.txt").write_text("Fighting in Kunduz.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("path,published\na.txt,2021-08-09\nb.txt,12/08/2021\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_meta(meta)
    assert str(info.value) == (
        f"{meta}: row 3, column published: '12/08/2021': ambiguous date (day and month order unknown); "
        "write it as YYYY-MM-DD"
    )
    meta.write_text("path,published\na.txt,2021-08-12T10:00\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column published: '2021-08-12T10:00': a date without a time of day"):
        read_meta(meta)
    meta.write_text("path,published\na.txt,2021-08-09\nzz.txt,2021-08-10\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"1 row\(s\) name files that do not exist \('zz\.txt'\)"):
        found = read_meta(meta)
    assert found[str((tmp_path / "a.txt").resolve())]["published"] == "2021-08-09"


def test_bad_publication_date_names_the_article(tmp_path):
    article = Article(str(tmp_path / "a.txt"), FIRST, "12/08/2021")
    with pytest.raises(InputError, match=r"a\.txt"):
        extract_batch([article])


def test_cli_batch_over_a_folder(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "a.txt", FIRST, published="2021-08-09", url="https://example.org/a")
    write_article(folder, "b.txt", SECOND, published="2021-08-09", url="https://example.org/b")
    (folder / "broken.txt").write_bytes(b"\x00\x00")
    out = tmp_path / "reports.csv"
    review = tmp_path / "review.html"
    assert main(["extract", str(folder), "-o", str(out), "--review", str(review)]) == 0
    err = capsys.readouterr().err
    assert "broken.txt: skipped: a binary file" in err
    table = pd.read_csv(out, keep_default_na=False)
    assert {"sources", "n_sources", "flag", "level", "date_basis"} <= set(table.columns)
    assert table.loc[table["place"] == "Kunduz", "n_sources"].tolist() == [2]
    page = review.read_text(encoding="utf-8")
    assert "Residents of Mazar-i-Sharif were calm." in page  # a sentence naming a place without a statement


def test_cli_batch_with_nothing_readable_fails_with_one_line(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert main(["extract", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].endswith("empty.txt: skipped: empty file")
    assert err[-1].startswith("geomap: ") or "no article could be read" in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_cli_single_article_needs_a_date(tmp_path, capsys):
    path = write_article(tmp_path, "a.txt", FIRST)
    assert main(["extract", str(path)]) == 1
    assert "a.txt: no publication date; give --published" in capsys.readouterr().err


def test_review_page_escapes_text_and_carries_rows():
    table = extract_batch([Article("a", FIRST.replace("Sunday", "Sunday </script><b>x</b>"), "2021-08-09", "a")])
    page = review_page(table, [{"source": "a", "sentence": "In <i>Kabul</i>", "places": ["Kabul"]}])
    data = page.split('id="review-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data
    assert json.loads(data)["rows"][0]["trigger"] == "captured"
    assert json.loads(data)["unstated"][0]["sentence"] == "In <i>Kabul</i>"


def test_cli_batch_over_the_current_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text("The Taliban captured Ghazni on Friday.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["extract", ".", "-o", "out.csv", "--published", "2021-08-14"]) == 0
    table = pd.read_csv(tmp_path / "out.csv")
    assert table[["date", "place", "status"]].values.tolist() == [["2021-08-13", "Ghazni", "taliban"]]
    assert capsys.readouterr().err.strip() == "out.csv: 1 report(s)"


def test_text_without_a_statement_of_control_is_said_to_have_none(tmp_path, capsys):
    article = tmp_path / "weather.txt"
    article.write_text("The weather in Kabul was hot on Friday.\n", encoding="utf-8")
    assert main(["extract", str(article), "--published", "2021-08-13"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["date,place,status,source,note,province_iso,evidence,confidence,level,district,"
                                "date_basis,claimed_by,denied_by,date_precision"]  # fmt: skip
    assert err.strip() == "geomap: no statement of control found in the text; the CSV holds its header only"


def test_a_broken_or_mistyped_sidecar_is_named_and_its_article_skipped(tmp_path):
    from geomap.extract.batch import Skipped, load_articles

    for name, sidecar in (("a", '{"published": "2021-08-14", "url": {"a": 1}}'), ("b", "[[[["), ("c", "[1, 2]")):
        (tmp_path / f"{name}.txt").write_text("The Taliban captured Ghazni on Thursday.", encoding="utf-8")
        (tmp_path / f"{name}.json").write_text(sidecar, encoding="utf-8")
    loaded = list(load_articles(sorted(tmp_path.glob("*.txt"))))
    assert all(isinstance(item, Skipped) for item in loaded)
    reasons = [item.reason for item in loaded]
    assert reasons[0] == "its metadata file a.json: url is {'a': 1}, not text; fix it"
    assert reasons[1].startswith("its metadata file b.json cannot be read (Expecting value")
    assert reasons[2] == "its metadata file c.json is not a JSON object with published and url; fix it"
