"""Safe outputs: never over an input (any letter case, any spelling), whole or not at all, no leftovers."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from geomap._io import (
    TEMP_MARK,
    atomic_path,
    refuse_overwriting_inputs,
    remove_stale_temporaries,
    write_text_atomic,
    write_with_atomic,
)
from geomap.cli import main
from geomap.errors import OutputError

REPORTS = "date,place,status\n2021-08-12,Ghazni,taliban\n2021-08-12,Doha,government\n"


@pytest.fixture
def reports(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS, encoding="utf-8")
    return path


@pytest.fixture
def upper_case_shapefile(tmp_path, squares):
    """A shapefile whose parts are all upper case, as some GIS tools write them."""
    folder = tmp_path / "upper"
    folder.mkdir()
    squares.to_file(folder / "districts.shp", engine="pyogrio")
    for part in folder.iterdir():
        part.rename(folder / part.name.upper())
    return folder / "DISTRICTS.SHP"


@pytest.mark.parametrize(
    "output", ["DISTRICTS.DBF", "districts.dbf", "Districts.Shx", "DISTRICTS.PRJ", "a/../DISTRICTS.SHP"]
)
def test_a_shapefile_part_in_any_letter_case_is_refused(upper_case_shapefile, output):
    target = upper_case_shapefile.parent / output
    with pytest.raises(OutputError, match="refusing to overwrite the input file"):
        refuse_overwriting_inputs(target, [upper_case_shapefile])


def test_cli_refuses_upper_case_sidecar_and_leaves_it_intact(upper_case_shapefile, reports, capsys):
    dbf = upper_case_shapefile.with_name("DISTRICTS.DBF")
    before = dbf.read_bytes()
    argv = ["export", str(reports), "--boundaries", str(upper_case_shapefile), "--id-field", "code"]
    argv += ["--name-field", "label", "--format", "csv", "-o", str(dbf)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "refusing to overwrite the input file" in err and "DISTRICTS.DBF" in err
    assert dbf.read_bytes() == before


def test_other_spellings_of_an_input_are_refused(reports, tmp_path):
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(reports)
    hard = tmp_path / "hard.csv"
    os.link(reports, hard)
    for spelling in (tmp_path / "sub" / ".." / "reports.csv", tmp_path / "REPORTS.CSV", link, hard):
        with pytest.raises(OutputError):
            refuse_overwriting_inputs(spelling, [reports])
    refuse_overwriting_inputs(tmp_path / "reports2.csv", [reports])  # a different file is fine


def test_sqlite_journal_files_belong_to_their_database(tmp_path):
    cache = tmp_path / "cache.sqlite"
    with pytest.raises(OutputError):
        refuse_overwriting_inputs(tmp_path / "cache.sqlite-wal", [cache])


def _make_cache(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE answers (service TEXT, query TEXT)")
    db.commit()
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("command", ["export", "map", "geocode"])
def test_output_naming_the_geocoding_cache_is_refused(command, reports, tmp_path, capsys):
    cache = tmp_path / "geo.sqlite"
    before = _make_cache(cache)
    if command == "geocode":
        argv = ["geocode", "Ghazni", "--cache", str(cache), "-o", str(tmp_path / "GEO.SQLITE")]
    else:
        argv = [command, str(reports), "--cache", str(cache), "-o", str(cache)]
        if command == "export":
            argv += ["--format", "csv"]
    assert main(argv) == 1
    assert "refusing to overwrite the input file" in capsys.readouterr().err
    assert cache.read_bytes() == before


def test_unresolved_list_naming_the_cache_is_refused(reports, tmp_path, capsys):
    cache = tmp_path / "geo.sqlite"
    before = _make_cache(cache)
    out = tmp_path / "out.csv"
    assert main(["export", str(reports), "--cache", str(cache), "-o", str(out), "--unresolved", str(cache)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert cache.read_bytes() == before and not out.exists()


def test_extract_refuses_to_overwrite_its_article_before_reading(tmp_path, capsys):
    article = tmp_path / "Article.txt"
    article.write_text("The Taliban captured Ghazni on Thursday.", encoding="utf-8")
    assert main(["extract", str(article), "--published", "2021-08-13", "-o", str(tmp_path / "article.TXT")]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert article.read_text(encoding="utf-8") == "The Taliban captured Ghazni on Thursday."


def test_output_at_a_symbolic_link_writes_through_the_link(reports, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    assert main(["export", str(reports), "-o", str(link)]) == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("province_iso,province,date,status")


def test_output_at_a_symlink_loop_is_one_line_error(reports, tmp_path, capsys):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop2.csv")
    (tmp_path / "loop2.csv").symlink_to(loop)
    assert main(["export", str(reports), "-o", str(loop)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loop of symbolic links" in err


def test_unresolved_list_that_cannot_be_written_leaves_no_main_output(reports, tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    out = tmp_path / "map.html"
    argv = ["map", str(reports), "-o", str(out), "--unresolved", str(blocker / "unresolved.csv")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err
    assert "listed in" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]


def test_unresolved_list_is_written_with_the_main_output(reports, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    unresolved = tmp_path / "unresolved.csv"
    assert main(["export", str(reports), "-o", str(out), "--unresolved", str(unresolved)]) == 0
    assert f"listed in {unresolved}" in capsys.readouterr().err
    assert out.exists() and "Doha" in unresolved.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.geojson", "reports.csv", "unresolved.csv"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    def failing_writer(tmp):
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        write_with_atomic(target, failing_writer)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporaries_of_killed_runs_are_removed_by_the_next_write(tmp_path):
    stale = tmp_path / f".out.geojson.{_dead_pid()}-abc123{TEMP_MARK}.geojson"
    stale.write_text("partial", encoding="utf-8")
    stale_journal = stale.with_name(stale.name + "-journal")
    stale_journal.write_text("partial", encoding="utf-8")
    live = tmp_path / f".other.csv.{os.getpid()}-def456{TEMP_MARK}.csv"
    live.write_text("being written", encoding="utf-8")
    with atomic_path(tmp_path / "new.txt") as tmp:
        tmp.write_text("x", encoding="utf-8")
    assert not stale.exists() and not stale_journal.exists()
    assert live.exists()  # its writer is alive
    old = time.time() - 2 * 24 * 3600
    os.utime(live, (old, old))
    assert remove_stale_temporaries(tmp_path) == [live]


@pytest.mark.parametrize("signum", [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])])
def test_sigterm_during_a_write_removes_the_temporary_file(tmp_path, signum):
    target = tmp_path / "out.txt"
    script = textwrap.dedent(
        f"""
        import sys, time
        from geomap._io import atomic_path
        from geomap.cli import _terminate_as_interrupt
        try:
            with _terminate_as_interrupt(), atomic_path({str(target)!r}) as tmp:
                tmp.write_text("partial")
                print("ready", flush=True)
                time.sleep(60)
        except KeyboardInterrupt as exc:
            sys.exit(128 + exc.signum)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    assert [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    child.send_signal(signum)
    assert child.wait(timeout=30) == 128 + signum  # as a shell reports a process the signal ended
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_pipe_or_device_is_never_replaced_by_a_file(tmp_path):
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match=r"is a device, pipe or socket, not a file; geomap writes files"):
        write_text_atomic(pipe, "x")
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)  # still the pipe


def test_a_link_into_a_missing_folder_creates_no_folder(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "no" / "such" / "out.csv")
    with pytest.raises(OutputError, match=r"whose folder does not exist; create it or give another name"):
        write_text_atomic(link, "x")
    assert not (tmp_path / "no").exists()


def test_an_output_path_longer_than_the_system_allows_is_one_line(tmp_path, capsys):
    from geomap.cli import main

    reports = tmp_path / "r.csv"
    reports.write_text("date,place,status\n2021-08-12,Herat,taliban\n")
    assert main(["export", str(reports), "-o", "d/" * 2100 + "x.csv"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("; give -o a shorter path\n")


def test_a_replaced_output_keeps_its_permissions(reports, tmp_path):
    private = tmp_path / "private.csv"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    assert main(["export", str(reports), "-o", str(private)]) == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_text(encoding="utf-8") != "old"
    write_text_atomic(private, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_read_only_output_is_refused_and_kept(reports, tmp_path, capsys):
    kept = tmp_path / "kept.csv"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o444)  # writable by nobody: refused even to root, who may write any file
    assert main(["export", str(reports), "-o", str(kept)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"geomap: error: {kept}: is read-only; make it writable (chmod u+w) or give another name"
    )
    assert kept.read_text(encoding="utf-8") == "old"


def test_a_replaced_output_keeps_no_setuid_bit(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o4755)
    write_text_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
