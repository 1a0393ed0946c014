"""Tests of ``geomap geocode`` (the CLI wiring of geomap.geocode)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geomap.cli import main
from geomap.geocode import GEOCODE_COLUMNS


def _run(capsys, *argv):
    status = main(["geocode", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_names_on_the_command_line(capsys):
    status, out, err = _run(capsys, "Kondoz", "Ghazni province", "Doha")
    assert status == 0
    assert err == ""
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert tuple(df.columns) == GEOCODE_COLUMNS
    assert df["province_iso"].tolist() == ["AF-KDZ", "AF-GHA", ""]
    assert df["kind"].tolist() == ["capital", "province", ""]


def test_csv_input_with_place_column_to_output_file(capsys, tmp_path):
    src = tmp_path / "reports.csv"
    src.write_text('date,place,status\n2021-08-08,Sheberghan,taliban\n2021-08-09,"Pol-e Khomri",taliban\n')
    out_file = tmp_path / "out.csv"
    status, out, _ = _run(capsys, "--input", str(src), "-o", str(out_file))
    assert status == 0
    assert out == ""
    df = pd.read_csv(out_file, dtype=str, keep_default_na=False)
    assert df["query"].tolist() == ["Sheberghan", "Pol-e Khomri"]
    assert df["province_iso"].tolist() == ["AF-JOW", "AF-BGL"]


def test_text_input_one_name_per_line(capsys, tmp_path):
    src = tmp_path / "names.txt"
    # a row for every line, a blank one too, so the output lines up with the file (blank lines at the end
    # are dropped); a carriage return or U+0085 inside a line does not split it
    src.write_bytes("Doha, Qatar\r\n\nFirozkoh\nKab\rul\nMazar\u0085Sharif\n\n\n".encode())
    status, out, _ = _run(capsys, "--input", str(src))
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert status == 0
    assert df["query"].tolist() == ["Doha, Qatar", "", "Firozkoh", "Kab\rul", "Mazar\u0085Sharif"]
    assert df["province_iso"].tolist() == ["", "", "AF-GHO", "AF-KAB", "AF-BAL"]
    assert df["reason"].tolist()[1] == "empty name"


def test_names_from_standard_input(capsys, monkeypatch):
    for text, expected in (("Kondoz\nHerat\n", ["AF-KDZ", "AF-HER"]), ('place,n\n"Tagab, Kapisa",1\n', ["AF-KAP"])):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        status, out, _ = _run(capsys, "--input", "-")
        assert status == 0
        assert pd.read_csv(io.StringIO(out), dtype=str)["province_iso"].tolist() == expected


def test_terminal_escapes_are_not_part_of_a_name_nor_sent_to_a_terminal(capsys, monkeypatch):
    status, out, _ = _run(capsys, "\x1b[31mKandahar\x1b[0m", "Her\x07at")
    assert status == 0
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert df["province_iso"].tolist() == ["AF-KAN", "AF-HER"]
    assert df["query"].tolist() == ["\x1b[31mKandahar\x1b[0m", "Her\x07at"]  # a file gets the names as given
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    _, out, _ = _run(capsys, "\x1b[31mKandahar\x1b[0m")
    assert "\x1b" not in out and "\\x1b[31mKandahar\\x1b[0m,Kandahar," in out


def test_a_huge_name_is_cut_in_its_output_cell(capsys, tmp_path):
    src = tmp_path / "names.txt"
    src.write_text("x" * 50_000 + "\nKabul\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--input", str(src))
    assert status == 0
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert df["query"].tolist() == ["x" * 200 + "... (50,000 characters)", "Kabul"]
    assert df["reason"].iloc[0] == "longer than 200 characters, not a place name"


def test_strict_fails_naming_the_unresolved(capsys):
    status, out, err = _run(capsys, "--strict", "Kabul", "Xqzt Qqq", "Islamabad")
    assert status == 1
    assert err.strip() == "geomap: error: 2 of 3 names unresolved: 'Xqzt Qqq', 'Islamabad'"
    assert len(out.splitlines()) == 4  # the table is still written


def test_refuses_to_overwrite_the_input(capsys, tmp_path):
    src = tmp_path / "names.txt"
    src.write_text("Kabul\n", encoding="utf-8")
    status, _, err = _run(capsys, "--input", str(src), "-o", str(src))
    assert status == 1
    assert "refusing to overwrite" in err
    assert src.read_text(encoding="utf-8") == "Kabul\n"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"date,status\n2021-08-01,taliban\n", "bad.csv", "no 'place' column"),
        (b"Kabul\n\xff\xfe Herat\n", "bad.txt", "line 2 is not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "names.txt", "is a PNG image, not a text names file"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "names.txt", "is a program, not a text names file"),
        (b"Kabul\nHerat\x00\xd0\x9a", "names.txt", "line 2 holds a NUL byte: this is a binary file"),
    ],
)
def test_bad_input_is_one_line(capsys, tmp_path, content, name, expected):
    src = tmp_path / name
    src.write_bytes(content)
    status, out, err = _run(capsys, "--input", str(src))
    assert status == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(src) in err
    assert expected in err


def test_utf16_without_a_byte_order_mark_is_read(capsys, tmp_path):
    for codec in ("utf-16-le", "utf-16-be"):
        src = tmp_path / f"{codec}.txt"
        src.write_bytes("Kondoz\nHerat\n".encode(codec))
        status, out, _ = _run(capsys, "--input", str(src))
        assert status == 0
        assert pd.read_csv(io.StringIO(out), dtype=str)["province_iso"].tolist() == ["AF-KDZ", "AF-HER"]


def test_missing_input_file(capsys, tmp_path):
    status, _, err = _run(capsys, "--input", str(tmp_path / "nope.txt"))
    assert status == 1
    assert "names file not found" in err


def test_online_without_user_agent_is_refused(capsys, tmp_path):
    status, _, err = _run(capsys, "--online", "nominatim", "--cache", str(tmp_path / "c.sqlite"), "Xqzt Qqq")
    assert status == 1
    assert "user agent" in err


def test_dari_names_and_non_place_words_from_a_file(capsys, tmp_path):
    src = tmp_path / "names.txt"
    src.write_text("مزار شریف\nولایت بلخ\nHerati\nHekmatyar\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--input", str(src))
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert status == 0
    assert df["province_iso"].tolist() == ["AF-BAL", "AF-BAL", "", ""]
    assert df["kind"].tolist() == ["capital", "province", "", ""]
    assert df["reason"].tolist()[2:] == ["a demonym of Herat, not a place", "a person's name, not a place"]


def test_reports_files_in_json_and_tsv(capsys, tmp_path):
    json_file = tmp_path / "reports.json"
    json_file.write_text('[{"date": "2021-08-06", "place": "Kondoz", "status": "taliban"}]', encoding="utf-8")
    tsv_file = tmp_path / "reports.tsv"
    tsv_file.write_text("date\tplace\tstatus\n2021-08-06\tLashkargah\ttaliban\n", encoding="utf-8")
    for path, iso in ((json_file, "AF-KDZ"), (tsv_file, "AF-HEL")):
        assert main(["geocode", "--input", str(path)]) == 0
        table = pd.read_csv(io.StringIO(capsys.readouterr().out))
        assert table["province_iso"].tolist() == [iso]


def test_batches_are_bounded_by_names_and_by_characters(monkeypatch):
    import importlib

    cli = importlib.import_module("geomap.cli")
    monkeypatch.setattr(cli, "GEOCODE_BATCH", 3)
    monkeypatch.setattr(cli, "GEOCODE_BATCH_CHARS", 20)
    names = ["Kabul", "Herat", "Ghazni", "Kunduz", "x" * 50, "Khost", "Paktika province", "Farah", "Zaranj"]
    # 3 names at most; then no more than 20 characters, but a batch always takes its first name
    assert [len(batch) for batch in cli._batches(iter(names))] == [3, 1, 1, 1, 1, 2]
    assert [name for batch in cli._batches(names) for name in batch] == names
    assert list(cli._batches([])) == []


def test_a_long_names_file_is_geocoded_and_written_in_batches(capsys, tmp_path, monkeypatch):
    import importlib

    cli = importlib.import_module("geomap.cli")
    geocode = importlib.import_module("geomap.geocode")

    names = ["Kabul", "Kondoz", "Xqzt Qqq", "Ghanzi", "Zzvq Xxq", "Herat", "Qqxz Vvq"] * 2
    names_file = tmp_path / "names.txt"
    names_file.write_text("\n".join(names) + "\n", encoding="utf-8")
    assert main(["geocode", "-i", str(names_file), "-o", str(tmp_path / "whole.csv")]) == 0
    calls = []
    table = geocode._geocode_queries
    monkeypatch.setattr(geocode, "_geocode_queries", lambda batch, **kw: calls.append(len(batch)) or table(batch, **kw))
    monkeypatch.setattr(cli, "GEOCODE_BATCH", 4)
    assert main(["geocode", "-i", str(names_file), "-o", str(tmp_path / "batched.csv"), "--strict"]) == 1
    assert calls == [4, 4, 4, 2]
    whole = (tmp_path / "whole.csv").read_text(encoding="utf-8")
    assert (tmp_path / "batched.csv").read_text(encoding="utf-8") == whole  # one header, the same rows
    assert whole.count("query,name,kind") == 1 and len(whole.splitlines()) == 15
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        "geomap: error: 6 of 14 names unresolved: 'Xqzt Qqq', 'Zzvq Xxq', 'Qqxz Vvq', 'Xqzt Qqq', 'Zzvq Xxq', ...; "
        f"{tmp_path / 'batched.csv'} lists them with their reasons"
    )


def test_blank_lines_make_rows_in_any_batch_and_are_no_unresolved_names(capsys, tmp_path, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("geomap.cli"), "GEOCODE_BATCH", 3)
    src = tmp_path / "names.txt"
    src.write_text("Kabul\n" + "\n" * 7 + "Herat\n", encoding="utf-8")  # a whole batch of blank lines
    status, out, err = _run(capsys, "--input", str(src), "--strict")
    assert (status, err) == (0, "")
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert df["province_iso"].tolist() == ["AF-KAB", *[""] * 7, "AF-HER"]
    src.write_text("Kabul\n\nXqzt Qqq\n", encoding="utf-8")
    status, _, err = _run(capsys, "--input", str(src), "--strict")
    assert status == 1 and err.strip() == "geomap: error: 1 of 2 names unresolved: 'Xqzt Qqq'"


@pytest.mark.parametrize(
    ("content", "names"),
    [
        (b"Kabul\rKandahar\rHerat\r\n", ["Kabul", "Kandahar", "Herat"]),  # an old Mac file, a line feed added
        (b"Kabul\rKandahar\rHerat", ["Kabul", "Kandahar", "Herat"]),
        (b"place\nKondoz\nHerat\n", ["Kondoz", "Herat"]),  # a column cut from a table, with its header
        ("کابل\nقندهار\n".encode("utf-16-le"), ["کابل", "قندهار"]),  # Dari in UTF-16 without a byte-order mark
        ("کابل\nقندهار\n".encode("utf-16-be"), ["کابل", "قندهار"]),
    ],
)
def test_names_files_of_other_line_ends_headers_and_encodings(tmp_path, content, names):
    from geomap.geocode import read_place_names

    src = tmp_path / "names.txt"
    src.write_bytes(content)
    assert read_place_names(src) == names


def test_closed_standard_input_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    status, out, err = _run(capsys, "--input", "-")
    assert (status, out) == (1, "")
    assert err == "geomap: error: -: standard input is closed; pipe the names in, or give --input FILE\n"


@pytest.mark.parametrize("start", [b"GIF89 Kabul", b"%PDF-ish Herat", b"MZ Kandahar", b"PAR1 Kunduz"])
def test_text_that_begins_like_a_binary_format_is_still_text(tmp_path, start):
    from geomap.geocode import read_place_names

    src = tmp_path / "names.txt"
    src.write_bytes(start + b"\nGhazni\n")
    assert read_place_names(src) == [start.decode(), "Ghazni"]


def test_a_names_table_with_a_province_column(capsys, tmp_path):
    src = tmp_path / "names.csv"
    src.write_text("place,province\nKohistan,Kapisa\nArghandab,Zabul\nHerat,\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--input", str(src))
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert status == 0
    assert df["query"].tolist() == ["Kohistan, Kapisa", "Arghandab, Zabul", "Herat"]
    assert df["province_iso"].tolist() == ["AF-KAP", "AF-ZAB", "AF-HER"]


def test_a_province_column_on_standard_input_and_named_twice(capsys, monkeypatch, tmp_path):
    text = "place,province\nArghandab,Zabul\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    _, out, _ = _run(capsys, "--input", "-")
    assert pd.read_csv(io.StringIO(out), dtype=str)["province_iso"].tolist() == ["AF-ZAB"]
    src = tmp_path / "names.csv"
    src.write_text("place,province,Province\nArghandab,Zabul,x\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--input", str(src))
    assert status == 0
    assert pd.read_csv(io.StringIO(out), dtype=str)["province_iso"].tolist() == ["AF-ZAB"]


def test_a_province_column_that_disagrees_leaves_the_place_unplaced_not_the_province_painted(capsys, tmp_path):
    src = tmp_path / "names.csv"
    src.write_text("place,province\nKabul,Zabul\nLashkar Gah,Kandahar\n", encoding="utf-8")
    _, out, _ = _run(capsys, "--input", str(src))
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert df["province_iso"].tolist() == ["", ""]  # not Zabul province for "Kabul"
    assert (
        df["reason"]
        .str.contains(r"^\S.* is in .*, not in .*, the province given with it: the name and its province disagree")
        .all()
    )


def test_a_names_file_is_read_as_it_is_geocoded(capsys, tmp_path, monkeypatch):
    import importlib

    cli = importlib.import_module("geomap.cli")
    text_module = importlib.import_module("geomap._text")
    monkeypatch.setattr(text_module, "_CHUNK", 7)  # lines cut across blocks, a byte-order mark, CR LF
    names_file = tmp_path / "names.txt"
    names_file.write_bytes("\ufeffKabul\r\n\nMazar-e Sharif\nکابل\n\n\n".encode())
    read = []
    lines = text_module.iter_lines
    monkeypatch.setattr(
        text_module, "iter_lines", lambda *a, **k: (read.append(line) or line for line in lines(*a, **k))
    )
    monkeypatch.setattr(cli, "GEOCODE_BATCH", 1)
    geocoded = []
    geocode = importlib.import_module("geomap.geocode")
    table = geocode._geocode_queries
    monkeypatch.setattr(
        geocode, "_geocode_queries", lambda batch, **kw: geocoded.append(len(read)) or table(batch, **kw)
    )
    assert main(["geocode", "-i", str(names_file)]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert out["query"].tolist() == ["Kabul", "", "Mazar-e Sharif", "کابل"]  # blank lines at the end dropped
    assert out["province_iso"].tolist() == ["AF-KAB", "", "AF-BAL", "AF-KAB"]
    # each batch is resolved once the name after it is read (a blank line waits for a name), not after the file
    assert geocoded == [3, 3, 4, 6]


def test_a_names_file_problem_names_its_line(capsys, tmp_path, monkeypatch):
    import importlib

    text_module = importlib.import_module("geomap._text")
    monkeypatch.setattr(text_module, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(text_module, "_CHUNK", 16)
    cases = {
        b"Kabul\nHerat\n" + b"x" * 500 + b"\nGhazni\n": "line 3 is longer than 100 bytes, which no line of a names "
        "file is; check that this is the right file",
        b"Kabul\n" * 1000 + b"Her\xe2t\n": "line 1001 is not UTF-8 (byte 0xe2); save the file as UTF-8 "
        "(in Excel: Save As > CSV UTF-8)",
        b"Kabul\n" * 1000 + b"Her\x00at\n": "line 1001 holds a NUL byte: this is a binary file, not a text names file",
    }
    for number, (data, message) in enumerate(cases.items()):
        names_file = tmp_path / f"names{number}.txt"
        names_file.write_bytes(data)
        out = tmp_path / f"out{number}.csv"
        assert main(["geocode", "-i", str(names_file), "-o", str(out)]) == 1
        assert capsys.readouterr().err.strip() == f"geomap: error: {names_file}: {message}"
        assert not out.exists()  # nothing written


def test_names_files_of_old_mac_line_ends_and_utf16_are_read_whole(tmp_path):
    from geomap.geocode import read_place_names

    mac = tmp_path / "mac.txt"
    mac.write_bytes(b"Kabul\rHerat\r\rGhazni\r")
    assert read_place_names(mac) == ["Kabul", "Herat", "", "Ghazni"]
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("Kabul\r\nکابل\r\n".encode("utf-16"))
    assert read_place_names(utf16) == ["Kabul", "کابل"]
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"\n \n\t\n")
    assert read_place_names(blank) == []
