"""Online geocoding in geomap.geocode, with a fake geocoder and a fake clock (never the network)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from geopy.exc import GeocoderInsufficientPrivileges, GeocoderRateLimited, GeocoderTimedOut
from geopy.location import Location

import geomap._online as online_mod
from geomap.errors import GeocoderServiceError, InputError
from geomap.geocode import geocode

UNKNOWN = ["Xqzt Dand 1", "Xqzt Dand 2", "Xqzt Dand 3"]
KABUL_POINT = (34.5553, 69.2075)
TEHRAN_POINT = (35.6892, 51.3890)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeGeocoder:
    """Answers from a dict; records when (fake clock) each query was asked; may raise first."""

    def __init__(self, answers: dict, clock: FakeClock, raises: list | None = None) -> None:
        self.answers = answers
        self.clock = clock
        self.raises = list(raises or [])
        self.asked: list[tuple[str, float]] = []

    def geocode(self, query: str, exactly_one: bool = True):
        self.asked.append((query, self.clock()))
        if self.raises:
            raise self.raises.pop(0)
        name = query.removesuffix(", Afghanistan")
        point = self.answers.get(name)
        return None if point is None else Location(f"{name}, Afghanistan", point, {})


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(online_mod, "CLOCK", fake)
    monkeypatch.setattr(online_mod, "SLEEP", fake.sleep)
    return fake


def test_only_unresolved_names_go_online(clock, tmp_path):
    service = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock)
    df = geocode(["Kabul", UNKNOWN[0], "Doha", UNKNOWN[1]], online=service, cache=tmp_path / "c.sqlite")
    assert [q for q, _ in service.asked] == [f"{UNKNOWN[0]}, Afghanistan", f"{UNKNOWN[1]}, Afghanistan"]
    assert df["method"].tolist() == ["exact", "online", "", ""]
    assert df.loc[1, "province_iso"] == "AF-KAB"
    assert df.loc[1, "lat"] == pytest.approx(KABUL_POINT[0])
    assert df.loc[1, "reason"] == ""
    assert df.loc[3, "reason"].endswith("the online geocoder found no place in Afghanistan")


def test_at_most_one_request_per_second(clock, tmp_path):
    service = FakeGeocoder({}, clock)
    geocode(UNKNOWN, online=service, cache=tmp_path / "c.sqlite")
    times = [t for _, t in service.asked]
    assert len(times) == 3
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


def test_cache_answers_rerun_without_asking(clock, tmp_path):
    cache = tmp_path / "c.sqlite"
    first = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock)
    geocode(UNKNOWN, online=first, cache=cache)
    second = FakeGeocoder({}, clock)
    df = geocode(UNKNOWN, online=second, cache=cache)
    assert second.asked == []
    assert df["method"].tolist() == ["online", "", ""]  # found and not-found answers both kept


def test_result_outside_afghanistan_is_rejected(clock, tmp_path):
    service = FakeGeocoder({UNKNOWN[0]: TEHRAN_POINT}, clock)
    df = geocode([UNKNOWN[0]], online=service, cache=tmp_path / "c.sqlite")
    assert df.loc[0, "method"] == ""
    assert pd.isna(df.loc[0, "province_iso"])


def test_rate_limited_waits_retry_after(clock, tmp_path):
    service = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock, raises=[GeocoderRateLimited("slow down", retry_after=7)])
    df = geocode([UNKNOWN[0]], online=service, cache=tmp_path / "c.sqlite")
    assert len(service.asked) == 2
    assert service.asked[1][1] - service.asked[0][1] >= 7
    assert df.loc[0, "method"] == "online"


def test_errors_are_not_cached(clock, tmp_path):
    cache = tmp_path / "c.sqlite"
    service = FakeGeocoder({}, clock, raises=[GeocoderTimedOut("t")] * (online_mod.MAX_RETRIES + 1))
    df = geocode([UNKNOWN[0]], online=service, cache=cache)
    assert "did not answer" in df.loc[0, "reason"]
    again = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock)
    assert geocode([UNKNOWN[0]], online=again, cache=cache).loc[0, "method"] == "online"
    assert len(again.asked) == 1


def test_forbidden_stops_with_one_line_error(clock, tmp_path):
    service = FakeGeocoder({}, clock, raises=[GeocoderInsufficientPrivileges("HTTP Error 403:\nForbidden")])
    with pytest.raises(GeocoderServiceError, match="refused") as info:
        geocode([UNKNOWN[0]], online=service, cache=tmp_path / "c.sqlite")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("names", [[UNKNOWN[0]], ["Kabul"]])
def test_nominatim_needs_a_user_agent(tmp_path, names):
    with pytest.raises(InputError, match="user agent"):
        geocode(names, online="nominatim", cache=tmp_path / "c.sqlite")


def test_default_cache_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert online_mod.default_cache_path() == tmp_path / "geomap" / "geocode.sqlite"


CHILD = textwrap.dedent(
    """
    import sys, threading
    from geopy.location import Location
    import geomap._online as online
    from geomap.geocode import geocode

    log, cache, hang_at, *names = sys.argv[1:]

    class FakeGeocoder:  # same service name as the in-process fake, so both share cache rows
        def geocode(self, query, exactly_one=True):
            with open(log, "a", encoding="utf-8") as f:
                f.write(query + "\\n")
            with open(log, encoding="utf-8") as f:
                asked = len(f.read().splitlines())
            if asked >= int(hang_at):
                threading.Event().wait()  # the service hangs until the process is killed
            return Location(query, (34.5553, 69.2075), {})

    online.SLEEP = lambda seconds: None
    geocode(names, online=FakeGeocoder(), cache=cache, progress=False)
    """
)


def test_killed_run_loses_no_answer(clock, tmp_path):
    names = [f"Xqzt Dand {i}" for i in range(1, 8)]
    log, cache, script = tmp_path / "asked.log", tmp_path / "c.sqlite", tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    hang_at = 4
    child = subprocess.Popen([sys.executable, str(script), str(log), str(cache), str(hang_at), *names])
    deadline = time.monotonic() + 120
    while not (log.exists() and len(log.read_text(encoding="utf-8").splitlines()) >= hang_at):
        assert child.poll() is None, "the child process ended before it was killed"
        assert time.monotonic() < deadline, "the child process never reached the hanging request"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    answered = [line.removesuffix(", Afghanistan") for line in log.read_text(encoding="utf-8").splitlines()][:-1]
    assert answered == names[: hang_at - 1]

    rerun = FakeGeocoder(dict.fromkeys(names, KABUL_POINT), clock)
    df = geocode(names, online=rerun, cache=cache)
    asked_again = [q.removesuffix(", Afghanistan") for q, _ in rerun.asked]
    assert asked_again == names[hang_at - 1 :]
    assert not set(asked_again) & set(answered)
    assert (df["method"] == "online").all()


def test_progress_bar_on_request_and_kind_from_address_type(clock, tmp_path, capsys):
    class Typed(FakeGeocoder):
        def geocode(self, query, exactly_one=True):
            location = super().geocode(query, exactly_one)
            if location is None:
                return None
            return Location(location.address, (location.latitude, location.longitude), {"addresstype": "town"})

    service = Typed({UNKNOWN[0]: KABUL_POINT}, clock)
    df = geocode([UNKNOWN[0]], online=service, cache=tmp_path / "c.sqlite", progress=True)
    assert "geocoding online" in capsys.readouterr().err
    assert df.loc[0, "kind"] == "city"
    geocode([UNKNOWN[1]], online=service, cache=tmp_path / "c.sqlite", progress=False)
    assert capsys.readouterr().err == ""


def test_server_error_is_retried(clock, tmp_path):
    from geopy.exc import GeocoderServiceError as GeopyServiceError

    service = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock, raises=[GeopyServiceError("HTTP Error 500")])
    df = geocode([UNKNOWN[0]], online=service, cache=tmp_path / "c.sqlite")
    assert len(service.asked) == 2
    assert df.loc[0, "method"] == "online"


def test_control_characters_are_not_sent_online(clock, tmp_path):
    service = FakeGeocoder({UNKNOWN[0]: KABUL_POINT}, clock)
    df = geocode([f"\x1b[31m{UNKNOWN[0]}\x1b[0m", "\x1b[0m"], online=service, cache=tmp_path / "c.sqlite")
    assert [q for q, _ in service.asked] == [f"{UNKNOWN[0]}, Afghanistan"]  # nothing asked for the empty one
    assert df["method"].tolist() == ["online", ""]
    assert df["query"].tolist() == [f"\x1b[31m{UNKNOWN[0]}\x1b[0m", "\x1b[0m"]
