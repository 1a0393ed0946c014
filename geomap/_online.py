"""Online geocoding of names the offline gazetteer could not resolve (network code lives here only).

Used by :func:`geomap.geocode.geocode` when ``online=`` is given. Rules:

- at most one request per second (``MIN_DELAY_SECONDS``), with an injectable clock and sleep;
- Nominatim needs a user agent set by the user and is asked with ``country_codes="af"``;
- a result outside Afghanistan (not within a bundled province polygon) counts as not found;
- HTTP 429: wait ``Retry-After`` seconds (or back off) and ask again;
- HTTP 403 / bad credentials: stop with a one-line :class:`GeocoderServiceError`;
- every definite answer (found or not found, never an error) is committed at once to a
  SQLite cache in WAL mode, so an interrupted run loses nothing and a rerun does not ask
  the service again;
- processes sharing a cache share its pace and its answers: each request takes the next free
  slot from a ``pacing`` row in the cache (so N runs together ask no faster than one), and a
  name being asked is *claimed* in the cache, so another run waits for that answer instead of
  asking the same name again. A claim of a process that died (or that is older than
  :data:`CLAIM_SECONDS`) is taken over.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, cast

from geomap.errors import GeocoderServiceError, InputError

#: Smallest delay between two requests to an online service, in seconds.
MIN_DELAY_SECONDS = 1.0
#: How often a request is retried after a timeout, an unavailable service or HTTP 429.
MAX_RETRIES = 3
#: Back-off in seconds when a 429 carries no Retry-After, doubled on each retry.
BACKOFF_SECONDS = 2.0
CACHE_FILE_NAME = "geocode.sqlite"
#: The clock and sleep used between requests (tests swap them for fakes). The clock is wall time,
#: because the pace is shared through the cache by every process that uses it.
CLOCK: Callable[[], float] = time.time
SLEEP: Callable[[float], object] = time.sleep
#: A claim older than this is taken over even if its process still runs (it is stuck).
CLAIM_SECONDS = 120.0
#: How often a run waiting for another run's answer looks at the cache again.
POLL_SECONDS = 0.2
#: A shared "next request at" further ahead than this is a clock jump, not a back-off, and is ignored.
MAX_SHARED_WAIT_SECONDS = 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    service TEXT NOT NULL,
    query TEXT NOT NULL,
    found INTEGER NOT NULL,
    answer TEXT,
    asked_at REAL NOT NULL,
    PRIMARY KEY (service, query)
);
CREATE TABLE IF NOT EXISTS pacing (
    service TEXT PRIMARY KEY,
    next_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    service TEXT NOT NULL,
    query TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at REAL NOT NULL,
    PRIMARY KEY (service, query)
)
"""
_ANSWER_COLUMNS = {"service", "query", "found", "answer", "asked_at"}


class CacheError(InputError):
    """The geocoding cache file is damaged or is not a geomap cache."""


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/geomap/geocode.sqlite``, else ``~/.cache/geomap/geocode.sqlite``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geomap" / CACHE_FILE_NAME


class AnswerCache:
    """Durable answers of an online geocoder, one committed row per question, shared between processes.

    Parameters
    ----------
    path
        The SQLite file; its folder is created if needed.

    Raises
    ------
    CacheError
        The file is not a SQLite database, is damaged, or holds another program's tables.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.pid = os.getpid()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            msg = f"{self.path}: cannot open the geocoding cache ({exc}); pass another path with cache= (CLI: --cache)"
            raise CacheError(msg) from None
        with self._guard():
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(answers)")}
        if not columns >= _ANSWER_COLUMNS:
            self._db.close()
            raise CacheError(
                f"{self.path}: is a SQLite file but not a geomap geocoding cache (its 'answers' table has "
                f"columns {sorted(columns)}); pass another path with cache= (CLI: --cache)"
            )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite failures into one :class:`CacheError` saying what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            msg = (
                f"{self.path}: the geocoding cache is damaged or unreadable ({exc}); "
                "delete it (answers will be asked again) or pass another path with cache= (CLI: --cache)"
            )
            raise CacheError(msg) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so processes queue for it."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, service: str, query: str) -> tuple[bool, dict[str, Any] | None]:
        """``(known, answer)``: whether the question was answered before, and the answer (``None`` = not found)."""
        with self._guard():
            row = self._db.execute(
                "SELECT found, answer FROM answers WHERE service=? AND query=?", (service, query)
            ).fetchone()
        if row is None:
            return False, None
        if not row[0]:
            return True, None
        try:
            answer = json.loads(row[1])
        except (TypeError, ValueError):
            answer = None
        if not _well_formed(answer):
            # a damaged row (not JSON, or not an answer geomap stores): forgotten, so the name is asked again
            with self._transaction() as db:
                db.execute("DELETE FROM answers WHERE service=? AND query=?", (service, query))
            return False, None
        return True, answer

    def put(self, service: str, query: str, answer: dict[str, Any] | None) -> None:
        """Store one answer, release its claim, and commit."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                (service, query, int(answer is not None), json.dumps(answer) if answer else None, time.time()),
            )
            db.execute("DELETE FROM claims WHERE service=? AND query=? AND pid=?", (service, query, self.pid))

    def claim(self, service: str, query: str, now: float) -> str:
        """Claim ``query`` for this process: ``"answered"`` (ask nothing), ``"busy"`` (another live run is
        asking it) or ``"claimed"`` (this run asks it)."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM answers WHERE service=? AND query=?", (service, query)).fetchone():
                return "answered"
            held = db.execute("SELECT pid, claimed_at FROM claims WHERE service=? AND query=?", (service, query))
            row = held.fetchone()
            if row is not None and row[0] != self.pid and _alive(row[0]) and abs(now - row[1]) < CLAIM_SECONDS:
                return "busy"
            db.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)", (service, query, self.pid, now))
            return "claimed"

    def release(self, service: str, query: str) -> None:
        """Give up this process's claim on ``query`` (no definite answer was had)."""
        with self._transaction() as db:
            db.execute("DELETE FROM claims WHERE service=? AND query=? AND pid=?", (service, query, self.pid))

    def next_slot(self, service: str, min_delay: float, now: float, not_before: float = 0.0) -> float:
        """Reserve the next request time for ``service`` shared by every process using this cache.

        Returns the time (on the same clock as ``now``) at which this process may send its request;
        the next reservation gets a slot at least ``min_delay`` later. ``not_before`` pushes the
        shared pace back (a Retry-After or a back-off), for every process.
        """
        with self._transaction() as db:
            row = db.execute("SELECT next_at FROM pacing WHERE service=?", (service,)).fetchone()
            shared = row[0] if row is not None else now
            if shared - now > MAX_SHARED_WAIT_SECONDS:
                shared = now  # written on another clock (or before a clock jump): not a real wait
            slot = max(now, shared, not_before)
            db.execute("INSERT OR REPLACE INTO pacing VALUES (?, ?)", (service, slot + min_delay))
        return slot

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class SharedRateLimiter:
    """Space requests at least ``min_delay`` apart across every process sharing ``store``."""

    def __init__(
        self,
        store: AnswerCache,
        service: str,
        min_delay: float = MIN_DELAY_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.store = store
        self.service = service
        self.min_delay = min_delay
        self.clock = clock
        self.sleep = sleep

    def wait(self, extra: float = 0.0) -> None:
        """Sleep until this process's next request slot (``extra`` seconds of back-off first, for everyone)."""
        now = self.clock()
        slot = self.store.next_slot(self.service, self.min_delay, now, now + extra if extra > 0 else 0.0)
        if slot > now:
            self.sleep(slot - now)


def make_geocoder(online: str | Any, user_agent: str | None) -> tuple[Any, str]:
    """The geopy geocoder to ask and the service name the cache files its answers under."""
    if isinstance(online, str):
        if online.lower() != "nominatim":
            shown = repr(online) if len(online) <= 60 else "that text"
            msg = f"online: {shown} is an unknown service; use 'nominatim' or pass a geopy geocoder instance"
            raise InputError(msg)
        if not user_agent or not str(user_agent).strip():
            msg = (
                "user_agent: online geocoding with Nominatim needs a user agent that identifies your application "
                "(user_agent='myproject/1.0 you@example.org', CLI: --user-agent)"
            )
            raise InputError(msg)
        if any(ord(c) < 32 or ord(c) == 127 for c in str(user_agent)):
            raise InputError(
                f"user agent {str(user_agent)!r} holds a line break or control character, which an HTTP header "
                "cannot carry; give it as one line, e.g. 'myproject/1.0 you@example.org'"
            )
        from geopy.geocoders import Nominatim

        return Nominatim(user_agent=user_agent, timeout=10), "nominatim"
    if not callable(getattr(online, "geocode", None)):
        kind = type(online).__name__
        msg = f"online: expected 'nominatim' or a geopy geocoder (an object with a geocode method), got {kind}"
        raise InputError(msg)
    return online, type(online).__name__.lower()


def resolve_online(
    names: Iterable[str],
    *,
    online: str | Any,
    cache: str | os.PathLike[str] | None = None,
    user_agent: str | None = None,
    progress: bool | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """Ask an online geocoder about ``names``; return ``{name: answer or None}``.

    An answer is a dict with ``name, kind, province_iso, province, lat, lon, confidence``.
    Names asked before (found or not) are answered from the cache without a request.
    """
    geocoder, service = make_geocoder(online, user_agent)  # bad settings fail even when nothing is asked
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    store = AnswerCache(cache if cache is not None else default_cache_path())
    clock, sleep = clock or CLOCK, sleep or SLEEP
    limiter = SharedRateLimiter(store, service, MIN_DELAY_SECONDS, clock=clock, sleep=sleep)
    answers: dict[str, dict[str, Any] | None] = {}
    try:
        todo = []
        for name in names:
            known, answer = store.get(service, name)
            if known:
                answers[name] = answer
            else:
                todo.append(name)
        waiting: list[str] = []
        for name in _progress(todo, progress):
            if not _settle(store, service, name, geocoder, limiter, answers, clock):
                waiting.append(name)  # another run is asking it: take its answer later
        while waiting:
            sleep(POLL_SECONDS)
            waiting = [n for n in waiting if not _settle(store, service, n, geocoder, limiter, answers, clock)]
    finally:
        store.close()
    return answers


def _settle(
    store: AnswerCache,
    service: str,
    name: str,
    geocoder: Any,
    limiter: SharedRateLimiter,
    answers: dict[str, dict[str, Any] | None],
    clock: Callable[[], float],
) -> bool:
    """Answer ``name`` from the cache or the service; ``False`` while another run is asking it."""
    state = store.claim(service, name, clock())
    if state == "busy":
        return False
    if state == "claimed":
        try:
            outcome = _ask(geocoder, service, name, limiter)
        except BaseException:
            store.release(service, name)
            raise
        if outcome is _ERROR:
            store.release(service, name)
            return True  # not a definite answer: not cached, asked again next run
        store.put(service, name, cast("dict[str, Any] | None", outcome))  # an answer, or None for no place
    known, answer = store.get(service, name)
    if known:
        answers[name] = answer
    return True


_ERROR = object()


def _progress(items: list[str], progress: bool | None) -> Iterable[str]:
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show or not items:
        return items
    from tqdm import tqdm

    bar: Iterable[str] = tqdm(items, desc="geocoding online", unit="name", file=sys.stderr)
    return bar


def _ask(geocoder: Any, service: str, name: str, limiter: SharedRateLimiter) -> dict[str, Any] | object | None:
    from geopy.exc import (
        GeocoderAuthenticationFailure,
        GeocoderInsufficientPrivileges,
        GeocoderQueryError,
        GeocoderRateLimited,
        GeopyError,
    )

    extra = 0.0
    for attempt in range(MAX_RETRIES + 1):
        limiter.wait(extra)
        try:
            location = _query(geocoder, service, name)
        except (GeocoderInsufficientPrivileges, GeocoderAuthenticationFailure) as exc:
            msg = f"{service} refused the request for {name!r} ({_one_line(exc)}); check the user agent or API key"
            raise GeocoderServiceError(msg) from exc
        except GeocoderRateLimited as exc:
            retry_after = getattr(exc, "retry_after", None)
            extra = float(retry_after) if retry_after else BACKOFF_SECONDS * 2**attempt
            continue
        except GeocoderQueryError:
            return _ERROR  # the service rejected this query: no answer, and asking again will not help now
        except GeopyError:  # timed out, unavailable, HTTP 5xx ...: try again a little later
            extra = BACKOFF_SECONDS * 2**attempt
            continue
        return _answer(location)
    return _ERROR


def _query(geocoder: Any, service: str, name: str) -> Any:
    from geopy.geocoders import Nominatim

    if isinstance(geocoder, Nominatim):
        return geocoder.geocode(name, exactly_one=True, country_codes="af")
    return geocoder.geocode(f"{name}, Afghanistan", exactly_one=True)


def _answer(location: Any) -> dict[str, Any] | None:
    if location is None:
        return None
    lat, lon = float(location.latitude), float(location.longitude)
    province = province_at(lat, lon)
    if province is None:
        return None  # outside Afghanistan: not an answer we can use
    iso, province_name = province
    address = str(getattr(location, "address", "") or "")
    raw = getattr(location, "raw", None) or {}
    place_type = str(raw.get("addresstype") or raw.get("type") or "")
    return {
        "name": address.split(",")[0].strip() or address,
        "kind": _KIND_OF_TYPE.get(place_type, "village"),
        "province_iso": iso,
        "province": province_name,
        "lat": lat,
        "lon": lon,
        "confidence": 0.6,
    }


# Nominatim's address types, as geomap kinds.
_KIND_OF_TYPE = {
    "city": "city",
    "town": "city",
    "state": "province",
    "province": "province",
    "county": "district",
    "district": "district",
    "state_district": "district",
    "municipality": "district",
}


def _well_formed(answer: object) -> bool:
    """Whether a cached answer is one geomap stores: a place's name, its kind, a province of the bundled table
    (``AF-XXX``, with its name) and a point in that province, with a confidence between 0 and 1."""
    if not isinstance(answer, dict):
        return False
    texts = [answer.get(k) for k in ("name", "kind", "province_iso", "province")]
    numbers = [answer.get(k) for k in ("lat", "lon", "confidence")]
    if not all(isinstance(t, str) and t for t in texts) or not all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
    ):
        return False
    lat, lon, confidence = (float(n) for n in numbers)  # type: ignore[arg-type]
    if not 0 <= confidence <= 1 or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return False
    province = province_at(lat, lon)
    return province is not None and province == (answer["province_iso"], answer["province"])


def province_at(lat: float, lon: float) -> tuple[str, str] | None:
    """``(iso, name)`` of the bundled province containing the point, or ``None`` outside Afghanistan."""
    import shapely

    polygons, provinces = _province_polygons()
    inside = shapely.contains_xy(polygons, lon, lat).nonzero()[0]
    return provinces[inside[0]] if len(inside) else None


@cache
def _province_polygons() -> tuple[Any, list[tuple[str, str]]]:
    """The bundled provinces' polygons (prepared: each point asked costs microseconds) and ``(iso, name)``."""
    import shapely

    from geomap.boundaries import load_provinces

    provinces = load_provinces()
    polygons = provinces.geometry.to_numpy()
    shapely.prepare(polygons)
    return polygons, [(str(i), str(n)) for i, n in zip(provinces["iso"], provinces["name"], strict=True)]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
