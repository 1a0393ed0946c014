"""NumPy's huge-page advice is off while geomap builds a timeline, and as it was afterwards."""

from __future__ import annotations

import threading

import pytest

from geomap import _pages
from geomap._pages import ordinary_pages

toggle = _pages._toggle()
pytestmark = pytest.mark.skipif(toggle is None, reason="this NumPy has no switch for its huge-page advice")


def advice() -> bool:
    """NumPy's current setting, read without changing it."""
    assert toggle is not None
    before = toggle(False)
    toggle(before)
    return bool(before)


@pytest.fixture(autouse=True)
def _numpy_advice(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    assert toggle is not None
    before = toggle(True)
    yield
    toggle(before)


@pytest.mark.parametrize("start", [True, False])
def test_off_within_and_restored_after(start: bool) -> None:
    assert toggle is not None
    toggle(start)
    with ordinary_pages():
        assert advice() is False
        with ordinary_pages():
            assert advice() is False
        assert advice() is False  # the inner block does not restore it early
    assert advice() is start


def test_restored_after_an_error() -> None:
    seen: list[bool] = []

    def fails() -> None:
        with ordinary_pages():
            seen.append(advice())
            raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        fails()
    assert seen == [False]
    assert advice() is True


def test_the_environment_variable_leaves_numpy_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    with ordinary_pages():
        assert advice() is True


def test_blocks_on_two_threads_restore_when_the_last_ends() -> None:
    inside, leave = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with ordinary_pages():
            inside.set()
            leave.wait(10)
            seen.append(advice())

    thread = threading.Thread(target=other)
    with ordinary_pages():
        thread.start()
        inside.wait(10)
    assert advice() is False  # the other thread's block still runs
    leave.set()
    thread.join(10)
    assert seen == [False]
    assert advice() is True


def test_a_timeline_is_built_with_the_advice_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import geomap.reports
    from geomap.pipeline import build_timeline

    read = geomap.reports.read_reports
    seen: list[bool] = []

    def reading(*args, **kwargs):
        seen.append(advice())
        return read(*args, **kwargs)

    monkeypatch.setattr(geomap.reports, "read_reports", reading)
    timeline = build_timeline([{"date": "2021-08-12", "place": "Ghazni", "status": "taliban"}])
    assert seen == [False]
    assert advice() is True
    assert timeline.status(on="2021-08-12").set_index("area_id").loc["AF-GHA", "status"] == "taliban"


def test_the_area_text_is_written_with_the_advice_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import geomap.join
    from geomap.pipeline import build_timeline

    attach = geomap.join.AreaText.attach
    seen: list[bool] = []

    def attaching(self, frame):
        seen.append(advice())
        return attach(self, frame)

    monkeypatch.setattr(geomap.join.AreaText, "attach", attaching)
    timeline = build_timeline([{"date": "2021-08-12", "place": "Ghazni", "status": "taliban"}])
    assert seen == []  # nothing written until the reports are read
    assert timeline.reports["area_id"].tolist() == ["AF-GHA"]
    assert seen == [False]
    assert advice() is True
