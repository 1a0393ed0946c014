"""Step 2: place mentions: capitalised runs resolved with the geocoder."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pandas as pd

from geomap.extract._data import words as word_list
from geomap.extract._model import Mention
from geomap.extract.dates import _MONTHS, _WEEKDAYS
from geomap.schema import PROVINCE_ISO

CONFIDENCE = "confidence"
#: Kinds of geocoder answer that count as a place mention (villages are left out).
PLACE_KINDS = frozenset({"province", "capital", "city", "district"})
#: Lowest geocoder confidence for a place mention to count.
MIN_PLACE_CONFIDENCE = 0.75


_WORD = re.compile(r"[A-Z][A-Za-z’'āīūēōĀ]*(?:-[A-Za-z]+)*")
# What may join two capitalised words of one name: spaces, a linking vowel ("Sar e Pol", "Pul - e - Khumri"),
# or the Dari "wa" (and) of paired names ("Khost wa Firing", "Kiran wa Munjan").
_JOINER = re.compile(r"\s+|\s+(?:[ei]|wa)\s+|\s*-\s*[ei]\s*-\s*")
#: Longest name looked up, in words.
MAX_NAME_WORDS = 4
#: Words capitalised at the start of a sentence or in a title, never the first word of a place's name.
_LEADING_WORDS = word_list("leading")


_RUN = re.compile(rf"{_WORD.pattern}(?:(?:{_JOINER.pattern}){_WORD.pattern})*")


def _strip_possessive(text: str) -> str:
    return text[:-2] if text.endswith(("'s", "’s")) else text


# A hyphen between two names ("Boldak-Chaman", "Kandahar-Herat"), not a linking vowel ("Sar-e-Pul")
_JOINED_NAMES = re.compile(r"(?<=[a-z]{3})-(?=[A-Z][a-z]{2})")


def _candidates(sentence: str) -> list[tuple[int, int, str]]:
    """Every sub-run of up to :data:`MAX_NAME_WORDS` capitalised words of three letters or more:
    ``(start, end, text)``, a possessive ending left out.

    The run pattern is linear: a joiner starts with a space or a hyphen and a word with a capital,
    so there is one way to read any run, however long.
    """
    spans = []
    for m in _RUN.finditer(sentence):
        start = m.start()
        spans += [(start + a, start + b, text) for a, b, text in _run_candidates(m.group())]
    return spans


# A capitalised run and the word for district after it, in lower case: "Narai district".
_RUN_DISTRICT = re.compile(rf"({_RUN.pattern})\s+district\b")
_DISTRICT_WORD = " district"


def _runs(sentence: str) -> frozenset[str]:
    """The distinct capitalised runs of ``sentence`` (their candidates are :func:`_run_candidates`), and each
    followed by the word for district, read with it ("Narai district": the district Nari, where "Narai" alone
    is its seat, a village)."""
    runs = set(_RUN.findall(sentence))
    if "district" in sentence:
        runs.update(key for m in _RUN_DISTRICT.finditer(sentence) for _, _, key in _district_readings(m.group(1)))
    return frozenset(runs)


def _district_readings(run: str) -> list[tuple[int, int, str]]:
    """The candidates of ``run`` that end it, each read with the word for district after it ("Mazar-i-Sharif's
    Chimtal district": "Chimtal district", not the whole run)."""
    return [
        (a, b, f"{text}{_DISTRICT_WORD}")
        for a, b, text in _run_candidates(run)
        if b == len(run) and "'s " not in text and "’s " not in text  # an owner names no district
    ]


@lru_cache(maxsize=65_536)
def _run_candidates(run: str) -> tuple[tuple[int, int, str], ...]:
    """The candidates of one capitalised run, as :func:`_candidates` gives them, offsets counted from the
    run's start; worked out once per distinct run (a text repeats its names)."""
    if run.endswith(_DISTRICT_WORD):
        return ((0, len(run), run),)  # looked up whole; its name's own candidates come from the run alone
    if run.isalpha() or len(run.split(None, 1)[0]) == len(run):  # one word, the usual case
        return tuple(_spans_of(0, _strip_possessive(run)))
    words = [w.span() for w in _WORD.finditer(run)]
    spans = []
    last = len(words)
    for i in range(last):
        start = words[i][0]
        if i + 1 < last and run[start : words[i][1]].lower() in _LEADING_WORDS:
            continue  # "In Lashkar Gah": the name starts after the word a sentence starts with
        for j in range(i, min(i + MAX_NAME_WORDS, last)):
            spans += _spans_of(start, _strip_possessive(run[start : words[j][1]]))
    return tuple(spans)


def _spans_of(start: int, text: str) -> list[tuple[int, int, str]]:
    """``text`` at ``start`` as a candidate, and, when it joins two names with a hyphen ("Spin
    Boldak-Chaman"), each side of the hyphen too (the Afghan side of a name joined to another)."""
    spans = [(start, start + len(text), text)] if len(text) >= 3 else []
    joint = _JOINED_NAMES.search(text)
    if joint:
        spans.append((start, start + joint.start(), text[: joint.start()]))
        spans.append((start + joint.end(), start + len(text), text[joint.end() :]))
    return spans


def _names(runs: Iterable[str]) -> set[str]:
    """Every candidate name of ``runs``."""
    return {text for run in runs for _, _, text in _run_candidates(run)}


def _runs_naming(resolved: dict[str, dict[str, Any]], runs: Iterable[frozenset[str]]) -> frozenset[str]:
    """The distinct runs among ``runs`` (each sentence's :func:`_runs`) that hold a resolved name."""
    distinct = frozenset().union(*runs)
    return frozenset(run for run in distinct if any(text in resolved for _, _, text in _run_candidates(run)))


def _mentions_in(sentence: str, resolved: dict[str, dict[str, Any]], runs: frozenset[str]) -> list[Mention]:
    """:func:`_mentions` of the sentence's candidates (``runs`` are its :func:`_runs`, or those of them that
    hold a resolved name). Only the runs holding a resolved name can make a mention, so only those are
    looked for in the text."""
    wanted = _runs_naming(resolved, [runs])
    if not wanted:
        return []
    candidates = []
    for m in _RUN.finditer(sentence):
        run = m.group()
        if run in wanted:
            start = m.start()
            candidates += [(start + a, start + b, text) for a, b, text in _run_candidates(run)]
    if "district" in sentence:
        for m in _RUN_DISTRICT.finditer(sentence):
            # a name's span, read with the word after it: chosen when the name alone (the span's first
            # candidate, as long) is no place a report is about
            start = m.start(1)
            candidates += [(start + a, start + b, key) for a, b, key in _district_readings(m.group(1)) if key in wanted]
    return _mentions(sentence, resolved, candidates)


def _usable(row: dict[str, Any]) -> bool:
    """Whether a geocoder answer is good enough to count as a place mention in running text.

    Journalists misspell provinces and cities ("Ghanzi"), so those may match by edit
    distance; a district must match exactly or by a known alias, because many district
    names are a letter away from personal names ("Kabir", "Zaman"); villages are
    skipped, their names collide with everyday words ("March").
    """
    iso = row.get(PROVINCE_ISO)
    if not isinstance(iso, str) or not iso:
        return False
    kind = row.get("kind")
    if kind not in PLACE_KINDS:
        return False
    if kind == "district" and row.get("method") not in {"exact", "alias", "given"}:
        return False
    return float(row.get(CONFIDENCE) or 0) >= MIN_PLACE_CONFIDENCE


def _mentions(
    sentence: str, resolved: dict[str, dict[str, Any]], candidates: list[tuple[int, int, str]]
) -> list[Mention]:
    """Longest non-overlapping resolved spans among ``candidates`` (of :func:`_candidates`), left to right."""
    found = []
    for start, end, text in candidates:
        hit = resolved.get(text)
        if hit is not None:
            found.append(
                Mention(
                    start, end, text, hit["name"], hit[PROVINCE_ISO], hit["kind"], hit[CONFIDENCE],
                    district=_text(hit.get("district")),
                )
            )  # fmt: skip
    # "Kandahar-Herat highway": a road between two places is a statement about neither
    found = [m for m in found if not _joined_to_place(sentence, m.start, m.end, resolved)]
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    # the chosen spans never overlap, so, kept in order of their starts, a new span need only be
    # checked against its neighbours: the last chosen one starting before its end
    starts: list[int] = []
    chosen: list[Mention] = []
    for mention in found:
        k = bisect_left(starts, mention.end)
        if k and chosen[k - 1].end > mention.start:
            continue
        starts.insert(k, mention.start)
        chosen.insert(k, mention)
    return chosen


def _queries(names: Iterable[str]) -> tuple[list[str], set[str]]:
    """The candidate names worth asking about, and the stems asked with them."""
    unique = sorted(n for n in set(names) if len(n) >= 3 and not _not_place(n))
    # "Kandahari" or "Herati" describe people from a place; ask about the stem too to tell
    stems = {n[:-1] for n in unique if n.endswith("i") and " " not in n}
    return unique, stems


def prefetch_answers(names: Iterable[str]) -> None:
    """Ask the offline geocoder, in one call, about the candidate names of many articles: their answers
    are then in the cache, so each article's own lookup asks nothing (one call pays its overhead once)."""
    unique, stems = _queries(names)
    if unique:
        _answers(sorted(set(unique) | stems), None)


def _joined_to_place(sentence: str, start: int, end: int, resolved: dict[str, dict[str, Any]]) -> bool:
    """True when a name is joined by a hyphen to another Afghan place name ("Kandahar-Herat")."""
    if sentence.startswith("-", end):
        other = _WORD.match(sentence, end + 1)
        return other is not None and other.group(0).split("-")[0] in resolved
    if sentence[start - 1 : start] == "-":
        before = re.search(r"([A-Z][a-z]+)-$", sentence[max(0, start - 40) : start])
        return before is not None and before.group(1) in resolved
    return False


def _resolve_places(
    names: Iterable[str], geocoder: Callable[[list[str]], pd.DataFrame] | None
) -> dict[str, dict[str, Any]]:
    """Geocode candidate names once; keep the ones that resolve to an Afghan place."""
    unique, stems = _queries(names)
    if not unique:
        return {}
    answers = _answers(sorted(set(unique) | stems), geocoder)
    resolved = {}
    for name in unique:
        row = answers.get(name)
        if row is None or not _usable(row):
            continue
        stem = answers.get(name[:-1]) if name in stems or name[:-1] in stems else None
        if row.get("method") != "exact" and stem is not None and stem.get("method") == "exact":
            continue  # a demonym, not a mention of the place
        resolved[name] = row
    return resolved


#: Answers of the offline geocoder kept between articles of one process (it is deterministic); bounded.
_ANSWER_CACHE: dict[str, dict[str, Any]] = {}
_ANSWER_CACHE_SIZE = 200_000


def _answers(names: list[str], geocoder: Callable[[list[str]], pd.DataFrame] | None) -> dict[str, dict[str, Any]]:
    """Geocoder answers by query. The offline geocoder's answers are cached, so a batch of articles asks
    about each name once; a geocoder passed in is always asked."""
    if geocoder is not None:
        return {row["query"]: row for row in geocoder(names).to_dict("records")}
    from geomap.geocode import geocode

    missing = [n for n in names if n not in _ANSWER_CACHE]
    if missing:
        if len(_ANSWER_CACHE) + len(missing) > _ANSWER_CACHE_SIZE:
            _ANSWER_CACHE.clear()
        _ANSWER_CACHE.update({row["query"]: row for row in geocode(missing).to_dict("records")})
    return {n: _ANSWER_CACHE[n] for n in names if n in _ANSWER_CACHE}


def _not_place(name: str) -> bool:
    """Months and weekdays are dates here; other non-place words are refused by the geocoder."""
    words = name.casefold().split()
    return len(words) == 1 and (words[0].rstrip(".") in _MONTHS or words[0] in _WEEKDAYS)


_LOCATIVE = re.compile(
    r"(?:\b(?:km|kilometres|kilometers|miles|mi)\b[^,.;]{0,30}?(?:of|from)\s+"
    r"|\b(?:north|south|east|west)(?:-?(?:east|west))?\s+of\s+"
    r"|\b(?:outside|near|from|to|towards?|via|through|beyond)\s+)"
    r"(?:the\s+)?(?:(?:national|provincial)\s+)?(?:capital\s+|city\s+of\s+)?$",
    re.IGNORECASE,
)


def _locative(sentence: str, mention: Mention) -> bool:
    """True when a mention only locates something else ("50 km from X", "north of X", "to X")."""
    return bool(_LOCATIVE.search(sentence[max(0, mention.start - 60) : mention.start]))


# "Dawlatabad district in northern Faryab province", "Tagab, Kishim and Tashkan districts of Badakhshan",
# "Doshi in Baghlan": the text says which province the districts before it lie in.
_PLACED_IN = re.compile(
    r"(?:\s+districts?)?(?:\s+(?:centres?|centers?))?\s*,?\s+(?:in|of)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|north-?eastern|north-?western|south-?eastern|south-?western|"
    r"northern|southern|eastern|western|neighbou?ring)\s+)?$",
    re.I,
)
_LIST_GAP = re.compile(r"\s*(?:,|\band\b|,\s*and\b)?\s*(?:[A-Z][\w'’-]*\s*(?:,|\band\b)\s*){0,4}")


_PROVINCE_AFTER = re.compile(r"\s+province\b", re.I)


def names_province(sentence: str, mention: Mention) -> bool:
    """Whether ``mention`` names a province: one, or "Ghazni Province", or a capital's name followed by
    "province" ("Ghazni province", where the gazetteer's answer for "Ghazni" is the city)."""
    return (
        mention.kind == "province"
        or mention.text.casefold().endswith("province")
        or (mention.kind == "capital" and _PROVINCE_AFTER.match(sentence, mention.end) is not None)
    )


#: A comma alone between a place and the province after it ("Arghandab, Zabul, fell"; "Nawur district, Ghazni
#: province, fell"), matched whole.
PLACED_BY_COMMA = re.compile(r"\s*(?:districts?\s*)?,\s*", re.I)
#: What joins the items of a list of places: a comma, "and" or "or".
_LIST_JOIN = re.compile(r"\s*,?\s*(?:(?:and|or)\s+)?", re.I)


def list_continues(sentence: str, mentions: list[Mention], index: int) -> bool:
    """Whether the place after ``mentions[index]`` is joined to it as the next item of a list
    ("Spin Boldak, Kandahar and Lashkar Gah": Kandahar is one of three places, not where Spin Boldak lies)."""
    if index + 1 >= len(mentions):
        return False
    return _LIST_JOIN.fullmatch(sentence, mentions[index].end, mentions[index + 1].start) is not None


def place_by_text(
    sentence: str, mentions: list[Mention], resolved: dict[str, dict[str, Any]] | None = None
) -> list[Mention]:
    """Districts and towns placed in the province the text names right after them: the province as the
    text gives it wins over the gazetteer's (several districts share a name across provinces).

    After "in" or "of" ("Arghandab district in Zabul") the text is taken at its word. After a comma alone
    ("Arghandab, Zabul, fell") only a namesake the gazetteer lists in that province (``resolved``, the
    geocoder's answers by name) moves the place there, and not in a list that goes on after the province.
    """
    out = list(mentions)
    for k in range(len(out) - 1):  # "Ghazni's Jaghatu district": the owner's namesake, when there is one
        owner, owned = out[k], out[k + 1]
        if (
            _OWNS.fullmatch(sentence, max(0, owner.end), owned.start)
            and (names_province(sentence, owner) or owner.kind == "capital")
            and owned.kind in {"district", "city"}
            and not owned.reference
            and owned.province_iso != owner.province_iso
            and _has_namesake_in(resolved, owned.text, owner.province_iso)
        ):
            out[k + 1] = replace(owned, province_iso=owner.province_iso, district=owned.name)
    for k, province in enumerate(out):
        if k == 0:
            continue
        before = out[k - 1]
        gap = sentence[max(0, before.end) : province.start]
        # "Qarabagh district in Kabul": after "district in" a capital's name is its province
        of_district = province.kind == "capital" and _DISTRICT_IN.fullmatch(gap) is not None
        if not (names_province(sentence, province) or of_district):
            continue
        if PLACED_BY_COMMA.fullmatch(sentence, max(0, before.end), province.start):
            if (
                before.kind in {"district", "city"}
                and not before.reference
                and before.province_iso != province.province_iso
                and _has_namesake_in(resolved, before.text, province.province_iso)
                and not list_continues(sentence, out, k)
            ):
                out[k - 1] = replace(before, province_iso=province.province_iso, district=before.name)
            continue
        if not _PLACED_IN.search(sentence[max(0, before.end) : province.start]):
            continue
        j = k - 1
        while j >= 0 and _placeable(
            out[j], province.province_iso, resolved, j == k - 1 and _DISTRICT_IN.fullmatch(gap)
        ):
            if out[j].province_iso != province.province_iso:
                out[j] = replace(out[j], province_iso=province.province_iso, district=out[j].name, kind="district"
                                 if out[j].kind == "capital" else out[j].kind)  # fmt: skip
            gap = sentence[out[j - 1].end : out[j].start] if j > 0 else ""
            if j == 0 or not _LIST_GAP.fullmatch(gap):
                break
            j -= 1
    return out


#: A possessive between two places: "Ghazni's Jaghatu".
_OWNS = re.compile(r"['’]s\s+")
#: "district in", "district of the": what, after a place, says the next name is the province holding it.
_DISTRICT_IN = re.compile(r"\s+districts?\s+(?:in|of)\s+(?:the\s+)?", re.I)


def _placeable(
    mention: Mention, province_iso: str, resolved: dict[str, dict[str, Any]] | None, district: object
) -> bool:
    """Whether the province after ``mention`` may place it: a district or town, or a capital's name written as a
    district ("Fayzabad district in Jowzjan") when a district of that name lies in that province."""
    if mention.reference:
        return False
    if mention.kind in {"district", "city"}:
        return True
    return bool(district) and mention.kind == "capital" and _has_namesake_in(resolved, mention.text, province_iso)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _has_namesake_in(resolved: dict[str, dict[str, Any]] | None, name: str, province_iso: str) -> bool:
    """Whether the geocoder's answer for ``name`` lists a place of ``province_iso`` among its alternatives."""
    row = (resolved or {}).get(name) or {}
    return f"({province_iso})" in _text(row.get("alternatives"))


_IN_BEFORE = re.compile(r"(?:^|[.;:]\s+)In\s+(?:the\s+)?$")


def after_opening_in(sentence: str, mention: Mention) -> bool:
    """Whether ``mention`` follows an opening "In" ("In Kandahar, fighting ..."): what comes after its comma
    is a new clause about it, not an apposition."""
    return _IN_BEFORE.search(sentence[: mention.start]) is not None
