"""Processes sharing a geocoding cache share its pace and its answers (a local fake service, no network)."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from geomap import _online
from geomap._online import AnswerCache, CacheError

MIN_DELAY = 0.6
JITTER = 0.4
"""How much later than its slot a request may reach the service on a busy machine."""
NAMES = [f"Xqzt Dand {i}" for i in range(1, 9)]
PROCESSES = 4

CHILD = textwrap.dedent(
    """
    import json, sys, urllib.request
    from urllib.parse import quote
    from geopy.location import Location
    from geomap import _online

    url, cache, *names = sys.argv[1:]
    _online.MIN_DELAY_SECONDS = {min_delay}
    _online.POLL_SECONDS = 0.05
    _online.province_at = lambda lat, lon: ("AF-KAB", "Kabul")  # keeps the children light: no polygons

    class LocalService:
        def geocode(self, query, exactly_one=True):
            with urllib.request.urlopen(url + "?q=" + quote(query), timeout=30) as response:
                point = json.load(response)
            return None if point is None else Location(query, tuple(point), {{}})

    answers = _online.resolve_online(names, online=LocalService(), cache=cache, progress=False)
    print(json.dumps({{name: "online" if answer else "" for name, answer in answers.items()}}))
    """
).format(min_delay=MIN_DELAY)


@pytest.fixture
def service():
    """A tiny geocoding service on localhost that logs when each question arrives."""
    asked: list[tuple[float, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlparse(self.path).query)["q"][0]
            asked.append((time.time(), query))
            name = query.removesuffix(", Afghanistan")
            body = json.dumps([34.5553, 69.2075] if name.endswith(("1", "3", "5", "7")) else None).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/search", asked
    server.shutdown()
    server.server_close()


def test_concurrent_runs_ask_each_name_once_and_no_faster_than_one_run(service, tmp_path):
    url, asked = service
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    cache = tmp_path / "shared.sqlite"
    children = []
    for seed in range(PROCESSES):
        names = NAMES[:]
        random.Random(seed).shuffle(names)  # each run meets the names in another order
        command = [sys.executable, str(script), url, str(cache), *names]
        children.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        results.append(json.loads(out))

    queries = [q.removesuffix(", Afghanistan") for _, q in asked]
    assert sorted(queries) == sorted(NAMES)  # 8 requests in all, not 4 x 8
    times = sorted(t for t, _ in asked)
    # together no faster than one run: any k requests span at least (k - 1) slots, less one delivery delay
    for (i, a), (j, b) in itertools.combinations(enumerate(times), 2):
        assert b - a >= (j - i) * MIN_DELAY - JITTER, [round(t - times[0], 3) for t in times]
    expected = {name: "online" if name.endswith(("1", "3", "5", "7")) else "" for name in NAMES}
    assert all(result == expected for result in results)


def test_a_claim_of_a_dead_process_is_taken_over(tmp_path):
    cache = AnswerCache(tmp_path / "c.sqlite")
    try:
        assert cache.claim("svc", "Qala", now=100.0) == "claimed"
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        cache._db.execute("UPDATE claims SET pid=?", (dead.pid,))
        other = AnswerCache(tmp_path / "c.sqlite")
        assert other.claim("svc", "Qala", now=101.0) == "claimed"
        cache._db.execute("UPDATE claims SET pid=1")  # a live process (init) holds it
        assert other.claim("svc", "Qala", now=102.0) == "busy"
        assert other.claim("svc", "Qala", now=102.0 + _online.CLAIM_SECONDS) == "claimed"  # stuck: taken over
        other.put("svc", "Qala", None)
        assert cache.claim("svc", "Qala", now=103.0) == "answered"
        other.close()
    finally:
        cache.close()


def test_slots_are_shared_and_back_off_reaches_every_process(tmp_path):
    first, second = AnswerCache(tmp_path / "c.sqlite"), AnswerCache(tmp_path / "c.sqlite")
    try:
        assert first.next_slot("svc", 1.0, now=10.0) == 10.0
        assert second.next_slot("svc", 1.0, now=10.0) == 11.0
        assert first.next_slot("svc", 1.0, now=10.5, not_before=17.0) == 17.0  # Retry-After 6.5 s
        assert second.next_slot("svc", 1.0, now=10.6) == 18.0
        assert first.next_slot("svc", 1.0, now=50.0) == 50.0
    finally:
        first.close()
        second.close()


def test_damaged_cache_is_one_clear_error(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = AnswerCache(path)
    for i in range(2000):
        cache.put("svc", f"name {i}", {"lat": 34.5, "lon": 69.2})
    cache.close()
    raw = bytearray(path.read_bytes())
    for offset in range(8192, len(raw), 4096):
        raw[offset + 8 : offset + 400] = b"\xff" * 392
    path.write_bytes(bytes(raw))

    def read_all():
        damaged = AnswerCache(path)
        for i in range(2000):
            damaged.get("svc", f"name {i}")

    with pytest.raises(CacheError, match=r"c.sqlite: the geocoding cache is damaged or unreadable \(") as info:
        read_all()
    assert "delete it" in str(info.value) and "\n" not in str(info.value)


def test_foreign_sqlite_file_is_not_taken_for_a_cache(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE answers (x)")
    db.commit()
    db.close()
    with pytest.raises(CacheError, match="not a geomap geocoding cache"):
        AnswerCache(path)


@pytest.mark.parametrize(
    "answer",
    [
        {},
        "oops",
        {"name": "X", "kind": "city", "province_iso": "AF-ZZZ", "province": "Nowhere", "lat": 1e308, "lon": -999,
         "confidence": 5},
        {"name": "X", "kind": "city", "province_iso": "AF-KAB", "province": "Kabul", "lat": 34.55, "lon": 69.2,
         "confidence": "high"},
        {"name": "X", "kind": "city", "province_iso": "AF-HER", "province": "Herat", "lat": 34.55, "lon": 69.2,
         "confidence": 0.6},  # a point in Kabul said to be in Herat
    ],
)  # fmt: skip
def test_a_cached_answer_geomap_would_not_store_is_forgotten_and_asked_again(tmp_path, answer):
    import sqlite3

    path = tmp_path / "c.sqlite"
    AnswerCache(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?)", ("svc", "Qqqzzz", 1, json.dumps(answer), time.time()))
    db.commit()
    db.close()
    cache = AnswerCache(path)
    assert cache.get("svc", "Qqqzzz") == (False, None)
    assert cache.claim("svc", "Qqqzzz", time.time()) == "claimed"  # the row is gone: the name is asked again
    good = {"name": "X", "kind": "city", "province_iso": "AF-KAB", "province": "Kabul", "lat": 34.55, "lon": 69.2,
            "confidence": 0.6}  # fmt: skip
    cache.put("svc", "Qqqzzz", good)
    assert cache.get("svc", "Qqqzzz") == (True, good)
    cache.close()
