"""The extractor's shortcuts give exactly what the plain steps give.

Each shortcut (the test run before a regular expression, the mentions found from a sentence's
distinct runs, the mention choice by neighbours, the look at the end of the text for "of") is
checked against the plain computation it replaces, on generated text.
"""

from __future__ import annotations

import importlib
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.extract import (
    Article,
    claims,
    dates,
    events,
    extract_batch,
    extract_reports,
    extractor,
    mentions,
    references,
    rows,
    sentences,
)
from geomap.extract._data import control_phrases, literals_in
from geomap.extract._model import Mention
from geomap.extract._prefilter import PatternIndex, Prefiltered, Substrings, needed, prefiltered
from geomap.extract.batch import BATCH_COLUMNS, merge_articles
from geomap.extract.rows import EXTRACT_COLUMNS

EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def pieces(pattern: re.Pattern[str]) -> list[set[str]]:
    return [{piece for _, piece in clause} for clause in needed(pattern)]


def test_a_date_needs_a_month_name_and_a_digit():
    md = dict(dates._DATE_PATTERNS)["md"]
    assert sorted(map(sorted, pieces(md))) == [
        [""],  # the digit
        ["apr", "aug", "dec", "feb", "jan", "jul", "jun", "mar", "may", "nov", "oct", "sep"],
    ]


def test_needs_follow_the_pattern():
    assert pieces(re.compile(r"\b(?:den(?:y|ied)|reject(?:ed|s)?)\b", re.I)) == [{"deny", "denied", "reject"}]
    assert pieces(re.compile(r"Monday|Tuesday")) == [{"Monday", "Tuesday"}]  # case kept without IGNORECASE
    assert pieces(re.compile(r"(?:the\s+)?army")) == [{"army"}]  # an optional part is not needed
    assert pieces(re.compile(r"x*|abc")) == []  # one way through needs nothing
    assert pieces(re.compile(r"[a-z]+ed")) == [{"ed"}]
    assert pieces(re.compile(r"(?i:fall)en")) == [{"fall"}, {"en"}]  # raw and lower-cased text: best first


def test_the_test_skips_texts_that_cannot_match():
    regex = prefiltered(re.compile(r"\b(?:captured|seized)\s+(\w+)", re.I))
    long_text = "Gen. U.S. Aug. Mr. Dr. Kunduz Jan. " * 20
    assert not regex.may_match(long_text)
    assert regex.search(long_text) is None and list(regex.finditer(long_text)) == []
    assert regex.sub("x", long_text) == long_text
    text = long_text + "The Taliban CAPTURED Kunduz."
    assert regex.may_match(text)
    assert regex.search(text).group(1) == "Kunduz"
    assert regex.pattern == regex.regex.pattern  # the rest is the pattern's own


@pytest.mark.parametrize("odd", ["ı", "İ", "ſ"])
def test_letters_that_lower_does_not_fold_still_match(odd):
    # IGNORECASE matches "ı" and "İ" to i and "ſ" to s; str.lower() keeps them apart
    regex = prefiltered(re.compile(r"\b(?:seized|fighting)\b", re.I))
    word = {"ı": "fıghtıng", "İ": "FİGHTİNG", "ſ": "ſeized"}[odd]
    text = "x " * 100 + word
    assert regex.regex.search(text)
    assert regex.search(text)


def _filtered_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every pattern the extractor runs behind the test, and some control phrases for variety."""
    found = []
    for module in (claims, dates, events, extractor, mentions, references, rows, sentences):
        for name, value in vars(module).items():
            if isinstance(value, Prefiltered):
                found.append((f"{module.__name__}.{name}", value.regex))
    found += [(f"date {kind}", regex) for kind, regex in dates._DATE_PATTERNS]
    found += [(f"phrase {p.name}", p.regex) for p in control_phrases()[::9]]
    return [(name, regex) for name, regex in found if needed(regex)]


@pytest.mark.parametrize(("name", "regex"), _filtered_patterns(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_match_passes_the_test(name, regex):
    filtered = Prefiltered(regex)

    @settings(EXAMPLES, max_examples=30)
    @given(st.from_regex(regex), st.text(max_size=30), st.sampled_from(["", " ı", " İ", " ſ"]))
    def check(match, before, after):
        text = f"{before} {match} {after}"
        for variant in (text, text.upper(), text.lower(), text.title()):
            if regex.search(variant):
                assert filtered.may_match(variant), variant

    check()


_OF = re.compile(r"\bof\s+(?:the\s+)?$")


@EXAMPLES
@given(st.lists(st.sampled_from(["of", "the", " ", "\n", "\t", "x", "_", "é", "1", "roof", "Of", ",", "\u2003"])))
def test_after_of_is_the_regular_expression(parts):
    text = "".join(parts)
    for end in range(len(text) + 1):
        assert references._after_of(text, end) == bool(_OF.search(text[:end])), (text, end)


NAMES = ["Kunduz", "Ghazni", "Lashkar Gah", "Pul", "Khumri", "Mazar", "Sharif", "Gen", "Aug", "Abc", "Herat"]
WORDS = [*NAMES, "Kunduz's", "Mazar-i-Sharif", "Pul-e-Khumri", "U.S.", "the", "fell", "e", "i", "-", "’s", "A", "."]


@EXAMPLES
@given(st.lists(st.sampled_from(WORDS), max_size=60), st.lists(st.sampled_from([" ", "  ", "\n", " - ", ", "])))
def test_mentions_from_distinct_runs_are_the_plain_ones(words, gaps):
    sentence = "".join(w + (gaps[i % len(gaps)] if gaps else " ") for i, w in enumerate(words))
    hit = {"name": "X", "province_iso": "AF-KDZ", "kind": "city", "confidence": 0.9, "district": ""}
    resolved = dict.fromkeys(["Kunduz", "Lashkar Gah", "Pul", "Mazar-i-Sharif", "Khumri Mazar", "Herat"], hit)
    plain = mentions._mentions(sentence, resolved, mentions._candidates(sentence))
    runs = mentions._runs(sentence)
    assert mentions._mentions_in(sentence, resolved, runs) == plain
    assert mentions._mentions_in(sentence, resolved, runs & mentions._runs_naming(resolved, [runs])) == plain
    assert mentions._names(mentions._runs(sentence)) == {c[2] for c in mentions._candidates(sentence)}


@EXAMPLES
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)), max_size=40))
def test_longest_spans_are_chosen_as_one_at_a_time_would(spans):
    resolved = {}
    candidates = []
    for start, length in spans:
        text = f"n{start}-{length}"
        resolved[text] = {"name": text, "province_iso": "AF-KDZ", "kind": "city", "confidence": 1.0}
        candidates.append((start, start + length, text))
    chosen = mentions._mentions("", resolved, candidates)
    expected: list[Mention] = []
    for m in sorted(
        {(s, e, t) for s, e, t in candidates}, key=lambda c: (-(c[1] - c[0]), c[0])
    ):  # longest first, then leftmost; one that overlaps a chosen span is dropped
        if all(m[1] <= c.start or m[0] >= c.end for c in expected):
            expected.append(Mention(m[0], m[1], m[2], m[2], "AF-KDZ", "city", 1.0))
    assert [(c.start, c.end) for c in chosen] == sorted((c.start, c.end) for c in expected)


@EXAMPLES
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz .,'-ıİſ")), max_size=400))
def test_literals_found_once_per_sentence_agree_with_each_phrase(text):
    present = literals_in(text.lower())
    for phrase in control_phrases():
        assert phrase.may_match_with(present) == phrase.may_match(text.lower())


def test_the_phrase_index_leaves_out_only_phrases_that_cannot_match():
    phrases = control_phrases()
    index = PatternIndex(p.regex for p in phrases)
    texts = [
        "The Taliban captured Kunduz on Sunday after government forces withdrew.",
        "Government forces still hold the city, officials said; the insurgents were pushed back.",
        "Fighting raged around Lashkar Gah as the army defended it. The city fell to the Taliban.",
        "Lt. Col. J. R. Rahimi of the U.S. Army met Gen. A. Karimi on Aug. 12 in Kunduz.",
        "The militants' fıghtıng in Herat; the ſiege of Ghazni was broken.",
        "",
    ]
    for text in texts:
        possible = index.possible(text)
        assert possible == sorted(possible)
        for i, phrase in enumerate(phrases):
            if phrase.regex.search(text):
                assert i in possible, (phrase.name, text)
    assert [phrases[i].name for i in index.possible(texts[0])].count("capture") == 1
    assert index.possible(texts[3]) == []


@EXAMPLES
@given(st.lists(st.sampled_from(["taliban", "held", "hold", "army", "forces", "Took", "seized", "the", "in", "x"])))
def test_substrings_are_found_word_by_word(words):
    text = " ".join(words).lower()
    strings = ["tal", "held", "old", "orc", "eiz", "zz", "the"]
    assert Substrings(strings).find(text) == {s for s in strings if s in text}


def _merge_articles_as_a_table(table: pd.DataFrame) -> pd.DataFrame:
    """The merge across articles written with pandas operations: the reference the plain merge must match."""
    rows = []
    for _, group in table.groupby(["place", "province_iso", "status", "date"], sort=False):
        best = group.sort_values("confidence", ascending=False).iloc[0].to_dict()
        sources = list(dict.fromkeys(s for s in group["source"] if s))
        best.update(sources=" | ".join(sources), n_sources=max(1, len(sources)), flag="")
        rows.append(best)
    merged = pd.DataFrame(rows)
    flags = []
    for row in merged.itertuples(index=False):
        same = merged[(merged["place"] == row.place) & (merged["province_iso"] == row.province_iso)]
        day = pd.Timestamp(row.date)
        window = {day + pd.Timedelta(days=d) for d in range(-3, 4)}
        notes = []
        other = same[(same["status"] != row.status) & (same["date"] == row.date)]
        if not other.empty:
            notes.append(f"status disagrees: {', '.join(sorted(set(other['status'])))} on the same date")
        other = same[(same["status"] == row.status) & (same["date"] != row.date) & same["date"].isin(window)]
        if not other.empty:
            notes.append(f"date disagrees: also {', '.join(sorted(set(other['date'].dt.strftime('%Y-%m-%d'))))}")
        flags.append("; ".join(notes))
    merged["flag"] = flags
    merged["note"] = merged["note"].where(
        merged["n_sources"] < 2, merged["note"] + "; reported by " + merged["n_sources"].astype(str) + " articles"
    )
    out = merged.reindex(columns=list(BATCH_COLUMNS)).astype({"date": "datetime64[ns]"})
    return out.sort_values(["date", "place", "status"], kind="stable").reset_index(drop=True)


@EXAMPLES
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Kunduz", "Ghazni", "Herat"]),
            st.sampled_from(["taliban", "government", "contested"]),
            st.sampled_from(["2021-08-10", "2021-08-12", "2021-08-13", "2021-08-20"]),
            st.sampled_from([0.5, 0.72, 0.9]),  # few values: equally confident rows are common
            st.sampled_from(["a", "b", "c", ""]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_merging_articles_gives_what_the_table_merge_gave(rows):
    table = pd.DataFrame(
        [
            {
                **dict.fromkeys(EXTRACT_COLUMNS, ""),
                "place": place, "status": status, "date": day, "confidence": confidence, "source": source,
                "province_iso": "AF-" + place[:3].upper(), "note": f"row {i}", "evidence": f"sentence {i}",
            }
            for i, (place, status, day, confidence, source) in enumerate(rows)
        ]
    ).astype({"date": "datetime64[ns]"})  # fmt: skip
    pd.testing.assert_frame_equal(merge_articles(table), _merge_articles_as_a_table(table))


def test_a_place_stated_once_on_a_day_keeps_its_row():
    # the merge within an article passes a place's only statement of a day through as it is
    from geomap.extract.rows import ORDER, _merge_day

    for status in ("taliban", "government", "contested"):
        row = {**dict.fromkeys(EXTRACT_COLUMNS, "x"), "status": status, "confidence": 0.7, "denied_by": "", ORDER: 3}
        assert _merge_day([row]) == [{k: v for k, v in row.items() if k != ORDER}]


def test_a_batch_asks_the_geocoder_once(monkeypatch):
    module = importlib.import_module("geomap.geocode")  # the package's name geomap.geocode is the function
    calls = []
    real = module.geocode

    def counting(names, **kwargs):
        calls.append(list(names))
        return real(names, **kwargs)

    texts = [
        "The Taliban captured Kunduz on Sunday.",
        "Government forces still hold Lashkar Gah, officials said on Aug. 12.",
        "Fighting raged in Ghazni; the Taliban entered Herat.",
    ]
    articles = [Article(f"{i}.txt", text, "2021-08-16", f"s{i}") for i, text in enumerate(texts)]
    monkeypatch.setattr(mentions, "_ANSWER_CACHE", {})
    monkeypatch.setattr(module, "geocode", counting)
    batch = extract_batch(articles, merge=False)
    assert len(calls) == 1
    assert {"Kunduz", "Lashkar Gah", "Ghazni", "Herat"} <= set(calls[0])
    monkeypatch.setattr(mentions, "_ANSWER_CACHE", {})
    one_by_one = pd.concat([extract_reports(a.text, published=a.published, source=a.source) for a in articles])
    pd.testing.assert_frame_equal(batch, one_by_one.reset_index(drop=True))
    assert len(calls) == 1 + len(articles)
