"""An offline index of Afghan place names: provinces, capitals, district towns and villages.

The index is built lazily on first use (:func:`get_gazetteer`) from three tables that
ship inside the package, so nothing is read at import time and no network is needed:

- ``provinces.csv``: the 34 provinces and their capitals, with other spellings;
- ``places.csv``: district names (geoBoundaries, public domain) and GeoNames populated
  places (CC BY 4.0) with their province found by point in polygon, built by
  ``scripts/build_places.py``;
- ``aliases.csv``: a hand-curated table of transliterations, historic and local names
  that neither source carries (``Firozkoh`` = Chaghcharan, ``Gereshk`` ...);
- ``foreign_places.csv``: well-known places outside Afghanistan (neighbours' border
  towns, capitals, countries) that must never be matched to an Afghan place;
- ``not_places.csv``: words common in Afghan news that are never places (ethnic groups,
  people's names, organisations, months, weekdays).

Names are compared after :func:`normalize` (spelling folded to plain lower-case words)
and :func:`phonetic_key` (transliteration variants folded to one key), first exactly,
then by edit distance. The rules are described in ``docs/geocoding.md``.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import itertools
import os
import pickle
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import cache, lru_cache
from pathlib import Path

from geomap import _fuzzy, _villages
from geomap._data import data_file, provinces_table
from geomap._fuzzy import FuzzyIndex, allowed_edits, fuzzy_matches, max_edits

#: Kinds of places, in the order that breaks ties between places spelled alike.
KINDS = ("capital", "province", "city", "district", "village")
FOREIGN = "foreign"
_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_KIND_RANK[FOREIGN] = len(KINDS)
#: Kinds ranked as one before the spelling decides (:meth:`Gazetteer._choose`): a district spelled exactly
#: as asked comes before a town reached through another of its names.
_KIND_GROUP = {"district": _KIND_RANK["city"]}

#: Words that say what kind of place is meant; removed from the name, kept as a hint.
KIND_WORDS = {
    "province": "province",
    "provinces": "province",
    "provincial": "province",
    "wilayat": "province",
    "welayat": "province",
    "velayat": "province",
    "vilayat": "province",
    "wilayah": "province",
    "district": "district",
    "districts": "district",
    "woluswali": "district",
    "wuluswali": "district",
    "woleswali": "district",
    "wuleswali": "district",
    "uluswali": "district",
    "oluswali": "district",
    "city": "city",
    "town": "city",
    "municipality": "city",
    "capital": "city",
    "village": "village",
    "ولایت": "province",
    "ولسوالی": "district",
    "ولسوالۍ": "district",
    "ښار": "city",
    "dist": "district",
}
#: Other spellings of the Pashto word for district (Wolaswali, Woluswali, Uluswali, Wolesvali ...) and of
#: the word for province (Wilayat, Velayet ...), as lists of other years and bodies romanise them.
_KIND_PATTERNS = (
    (re.compile(r"[wv]?[aeiou]{1,2}l[aeiou]{1,2}s[wv][aeiou]{1,2}l[iy]{1,2}"), "district"),
    (re.compile(r"[wv][aeiy]l[aeiy]{1,2}y?[aeiou]t"), "province"),
)
#: Words that carry no part of a name.
GENERIC_WORDS = frozenset(
    {
        "the",
        "of",
        "in",
        "afghanistan",
        "provincial",
        "markaz",
        "center",
        "centre",
        "area",
        "region",
        "valley",
        "bazaar",
        "nahiya",
        "airport",
        "airfield",
        "airbase",
        "base",
        "pass",
        "tunnel",
        "dam",
        "corridor",
        "crossing",
        "gate",
        "border",
        "افغانستان",
        "مرکز",
    }
)
#: Honorifics that may precede a name (Hazrat-e Imam Sahib is Imam Sahib) but are part of some (Hazrati Sultan).
HONORIFIC_WORDS = frozenset({"hazrat", "hazrati", "hazrate", "e", "i", "\u062d\u0636\u0631\u062a"})  # حضرت
#: Words that may follow a name ("Baghlan-e Markazi", central Baghlan) but begin others (Markazi Bihsud).
TRAILING_GENERIC_WORDS = frozenset({"markazi", "center", "centre", "central", "markaz", "city", "district"})
#: Words that may precede a name ("Central of Bamyan", the district of the provincial centre).
_LEADING_GENERIC_WORDS = frozenset({"central", "of"})
#: Upper and lower as district lists write them: Persian bala and payin, Arabic ulya and sufla
#: ("Dara-i-Suf Ulya" is Dara-i-Suf Bala, "Yaftal Payan" Yaftal-e Sufla).
_UPPER = ("bala", "ulya", "olya", "hulya", "ulia", "olia", "alya", "oliya", "uliya")
_LOWER = ("sufla", "sofla", "sufli", "payan", "paeen", "paen", "payen", "pain", "payin")
_UPPER_LOWER = {**dict.fromkeys(_UPPER, ("bala", "ulya")), **dict.fromkeys(_LOWER, ("payin", "sufla"))}
#: The English words, written before the name ("Lower Yaftal" is Yaftal-e Sufla).
_ENGLISH_UPPER_LOWER = {"upper": ("bala", "ulya"), "lower": ("payin", "sufla")}
_ANY_UPPER_LOWER = {**_UPPER_LOWER, **_ENGLISH_UPPER_LOWER}
#: Words common in reports that are a letter or two away from a place name but never mean one.
NOT_PLACE_NAMES = frozenset(
    {
        "taliban",
        "talib",
        "talibs",
        "taleban",
        "afghan",
        "afghans",
        "afghani",
        "mujahideen",
        "mujahidin",
        "government",
        "army",
        "police",
        "militia",
        "militias",
        "forces",
        "commander",
        "governor",
        "district",
        "province",
        "city",
        "capital",
        "border",
        "airport",
        "highway",
        "president",
        "ministry",
        "spokesman",
        "fighters",
        "officials",
        "hazrat",  # a title (Hazrati Sultan, Hazrat-e Imam Sahib), two letters from Herat
        "hazrati",
    }
)
# Izafa connectors between two words of a name: Mazar-e Sharif, Qala-i-Naw, Qal'eh-ye Now; and
# "and" joining two names: Lal wa Sarjangal, Khost-o-Firing, "دند و پتان".
CONNECTORS = frozenset({"e", "i", "y", "ye", "yi", "ee", "ae", "wa", "va", "o", "\u0648"})

_APOSTROPHES = dict.fromkeys(map(ord, "'`´’‘ʼʻʿʾ′\u02bd"), None)
# Latin letters and digits, and the letters of the Arabic script (Dari, Pashto).
_NON_ALNUM = re.compile(r"[^0-9a-z\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff]+")
# Arabic-script letters written differently in Dari, Pashto, Arabic and Urdu text, folded to the Dari
# form; tatweel removed; the zero-width non-joiner (half space, "جلال‌آباد") becomes a space.
_ARABIC_SCRIPT = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh
        "\u0649": "\u06cc",  # alef maksura
        "\u06d0": "\u06cc",  # Pashto yeh
        "\u06cd": "\u06cc",  # Pashto yeh with tail
        "\u06ce": "\u06cc",
        "\u0643": "\u06a9",  # Arabic kaf
        "\u06ab": "\u06af",  # Pashto gaf
        "\u0629": "\u0647",  # teh marbuta
        "\u06c1": "\u0647",  # Urdu heh goal
        "\u06be": "\u0647",  # heh doachashmee
        "\u06d5": "\u0647",  # ae
        "\u0640": None,  # tatweel
        "\u200c": " ",  # zero-width non-joiner
        "\u200d": None,
        "\u200f": None,
        "\u200e": None,
    }
)
_HAS_ARABIC = re.compile(r"[\u0600-\u06ff]")
# The consonant each Dari and Pashto letter is written with in Latin, as :func:`consonant_core` keeps
# it (S, C and Z for sh, ch and zh); alef, waw, yeh, heh, ayn and hamza, written as vowels or not at
# all as often as not, are dropped, like w, y and h on the Latin side.
_ARABIC_CORE = str.maketrans(
    {
        **dict.fromkeys("\u0627\u0622\u0623\u0625\u0671\u0648\u0624\u06cc\u064a\u0626", ""),
        **dict.fromkeys("\u0647\u06d5\u062d\u0639\u0621", ""),
        "\u0628": "b", "\u067e": "p", "\u062a": "t", "\u0637": "t", "\u067c": "t", "\u062b": "s",
        "\u0633": "s", "\u0635": "s", "\u0685": "s", "\u062c": "j", "\u0686": "C", "\u062e": "k",
        "\u062f": "d", "\u0689": "d", "\u0630": "z", "\u0632": "z", "\u0636": "z", "\u0638": "z",
        "\u0681": "z", "\u0631": "r", "\u0693": "r", "\u0698": "Z", "\u0634": "S", "\u069a": "S",
        "\u063a": "g", "\u06af": "g", "\u0696": "g", "\u0641": "f", "\u0642": "k", "\u06a9": "k",
        "\u0644": "l", "\u0645": "m", "\u0646": "n", "\u06bc": "n", " ": "",
    }
)  # fmt: skip
_LATIN_CORE = re.compile(r"sh|ch|zh|h")
_ARABIC_KEYBOARD = str.maketrans("gCpZ", "kjbz")
_ARABIC_VOWEL_START = frozenset("\u0627\u0622\u0623\u0625\u0639")


# The Arabic article inside a name before a "sun" letter, which it becomes in speech and in Latin:
# "بهاوالدین" is Bahauddin, "عبدالرحمن" Abdurrahman (:meth:`Gazetteer._transliterated` also reads a
# name without that lam; not always, as the letters may be the name's own: "کمالزی", Kamalzai).
_ARABIC_ARTICLE = re.compile(
    "(?<=[\u0621-\u06d3]\u0627)\u0644"
    "(?=[\u062a\u062b\u062f\u0630\u0631\u0632\u0633\u0634\u0635\u0636\u0637\u0638\u0644\u0646])"
)


# Letters as an Arabic keyboard (or a Dari one, for Pashto) types them, the round ta and the two-eyed heh as
# heh, and the Arabic yeh, alef maksura and kaf as the Dari ones.
_TYPED = str.maketrans(
    "\u06af\u06ab\u0686\u067e\u0698\u0629\u06be\u064a\u0649\u0643",
    "\u06a9\u06a9\u062c\u0628\u0632\u0647\u0647\u06cc\u06cc\u06a9",
)


def _as_typed(normalized: str) -> str:
    """A normalised name in Arabic script without spaces, with the letters an Arabic keyboard lacks (گ چ پ ژ)
    and Pashto's written as the ones typed for them, to compare spellings by their edits."""
    typed = normalized.replace(" ", "").translate(_PASHTO_AS_DARI).translate(_TYPED)
    return typed.replace("\u062c\u0647\u0627\u0631", "\u062c\u0627\u0631")  # Persian "four", long and short


def consonant_core(text: str) -> str:
    """The consonants a name is written with, in either script: ``"راغستان"`` and ``"Raghistan"`` -> ``rkstn``.

    ``text`` is a folded name (:func:`normalize` for Arabic script, a :func:`phonetic_key` for Latin).
    Short vowels are not written in the Arabic script and long ones are written with letters
    that also stand for w, y and h, so those are dropped on both sides; doubled letters collapse.
    """
    if _HAS_ARABIC.search(text):
        core = text.translate(_ARABIC_CORE)
        start = text[:1] in _ARABIC_VOWEL_START
    else:
        start = text[:1] in "aeiou"
        core = _LATIN_CORE.sub(lambda m: m.group(0)[0].upper() if len(m.group(0)) == 2 else "", _VOWELS.sub("", text))
    # a vowel at the start is written in both scripts (Arghistan, ارغستان; Raghistan, راغستان); the
    # Persian letters an Arabic keyboard lacks are typed as the Arabic ones (ك for گ, ج for چ, ب for پ)
    return ("a" if start else "") + _DOUBLED.sub("", core.translate(_ARABIC_KEYBOARD))


# Letters that write long vowels (or carry them) in Dari and Pashto, and Pashto letters as Dari writes them.
# Yeh with hamza (ئ) and heh with yeh above (ۀ, the izafa) decompose in :func:`normalize` to the Arabic
# yeh (ي) and ae (ە) with the hamza dropped: "پائین" and "پایین" are one word, "دروازۀ" is "درواز".
_DARI_VOWEL_LETTERS = re.compile("[\u0627\u0622\u0623\u0625\u0648\u0624\u06cc\u064a\u0626\u0621\u06d5]")
# A heh ending a word after a consonant writes a vowel (میرزکه, Mirzaka); after a vowel letter it is h (کوه, koh).
_FINAL_VOWEL_HEH = re.compile("(?<=[^\u0627\u0648\u06cc\\s])\u0647$")
_PASHTO_AS_DARI = str.maketrans(
    "\u067c\u0689\u0693\u069a\u06bc\u0696\u0681\u0685", "\u062a\u062f\u0631\u0634\u0646\u0698\u0632\u0686"
)


def _in_dari_letters(normalized: str) -> list[str]:
    """A name's readings with its Pashto letters written as Dari ones (:data:`PASHTO_LETTERS`): ``"بادپښ"`` ->
    ``["بادپش", "بادپخ"]``; none when it has more than :data:`LOST_LETTERS_MAX` letters of two readings."""
    spots = [i for i, ch in enumerate(normalized) if ch in PASHTO_LETTERS]
    choices = [PASHTO_LETTERS[normalized[i]] for i in spots]
    if not spots or sum(len(c) > 1 for c in choices) > LOST_LETTERS_MAX:
        return []
    variants = []
    for letters in itertools.product(*choices):
        variant = list(normalized)
        for i, letter in zip(spots, letters, strict=True):
            variant[i] = letter
        variants.append("".join(variant))
    return variants


def _one_vowel_left_out(written: str, recorded: str) -> bool:
    """Whether ``written`` is ``recorded`` with one alef, waw or yeh after its first letter left out."""
    if len(recorded) != len(written) + 1:
        return False
    i = next((k for k, (a, b) in enumerate(zip(written, recorded, strict=False)) if a != b), len(written))
    return i > 0 and recorded[i] in "\u0627\u0648\u06cc" and written[i:] == recorded[i + 1 :]


def dari_consonants(normalized: str) -> str:
    """The letters of a Dari or Pashto name that are not long vowels: ``"گومال"`` and ``"گومل"`` -> ``"گمل"``.

    Alef, waw, yeh and hamza are dropped (long vowels are written or left out as writers choose),
    so is a heh ending a word after a consonant (a final vowel; not in کوه, koh), Pashto letters
    become the Dari ones and spaces go. A yeh ending a word stays: it makes adjectives and
    demonyms (شمالی, northern; بلخی, of Balkh).
    """
    words = normalized.translate(_PASHTO_AS_DARI).split()
    return "".join(_word_consonants(w) for w in words)


def _word_consonants(word: str) -> str:
    """:func:`dari_consonants` of one word; a yeh ending it stays (شمالی, northern, is not شمال, north)."""
    if word.endswith("\u06cc"):
        return _DARI_VOWEL_LETTERS.sub("", word[:-1]) + "\u06cc"
    return _DARI_VOWEL_LETTERS.sub("", _FINAL_VOWEL_HEH.sub("", word))


# Letters whose accent stands for an h in English transliteration (Čaghčarān, Badahšan).
_DIGRAPHS = str.maketrans({"č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "ġ": "gh", "ḵ": "kh"})


#: Longer text is not a place name: it is not resolved (nor cached), and the reason says so.
MAX_NAME_CHARS = 200
#: Runs of words between building words looked up in a building's name (:meth:`Gazetteer._facility`).
_FACILITY_RUNS = 4
#: Entries kept by the caches of the normalisation steps (names repeat in reports; memory stays bounded).
_CACHE_SIZE = 1 << 16


# "مرکزباميان" (centre of Bamyan) written without the space: the word for centre glued to a name of
# three letters or more; "مرکزی" (central, Markazi Bihsud) is a word of its own.
_GLUED_MARKAZ = re.compile(
    "\u0645\u0631\u06a9\u0632(?=[\u0620-\u064a\u066e-\u06cb\u06cd-\u06d3\u06d5][\u0620-\u064a\u066e-\u06d3\u06d5]{2})"
)


# Pashto "او" (and) between two words, Dari "و": "فرنگ او غارو" is "فرنگ و غارو" (Farang wa Gharu).
_PASHTO_AW = re.compile("(?<=\\S)\\s+\u0627\u0648\\s+(?=\\S)")


@lru_cache(maxsize=_CACHE_SIZE)
def _fold(text: str) -> str:
    if text.isascii():  # most names: nothing to decompose
        return text.casefold().translate(_APOSTROPHES)
    if _HAS_ARABIC.search(text):
        text = _PASHTO_AW.sub(" \u0648 ", text)
        text = _GLUED_MARKAZ.sub(
            "\u0645\u0631\u06a9\u0632 ", unicodedata.normalize("NFKC", text).translate(_ARABIC_SCRIPT)
        )
    decomposed = unicodedata.normalize("NFKD", text.translate(_DIGRAPHS))
    if decomposed.isascii() or max(decomposed) > "\uffff":
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    else:
        stripped = _combining_marks().sub("", decomposed)  # the same, at a third of the cost
    return stripped.casefold().translate(_APOSTROPHES).replace("ß", "ss")


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """A pattern of the characters of the Basic Multilingual Plane that :func:`unicodedata.combining` marks."""
    spans: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.combining(chr(code)):
            if spans and spans[-1][1] == code - 1:
                spans[-1][1] = code
            else:
                spans.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans) + "]")


# A possessive ending: "Kabul's", "Herat’s".
_POSSESSIVE = re.compile(r"['’`´ʼ]s\b", re.IGNORECASE)


#: Generic words that are never part of a name, even when weighed.
_FILLER_WORDS = frozenset({"the", "of", "in", "afghanistan", "افغانستان"})


#: Generic words kept when weighed (:meth:`Gazetteer._with_generic_words`).
_WEIGHED_WORDS = GENERIC_WORDS - _FILLER_WORDS


# Words written together, each with its capital ("HeratCenter", "TarangWaJaldak", "SabzPosh"): read apart
# when the name as written is not answered.
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


@lru_cache(maxsize=_CACHE_SIZE)
def _words(name: str) -> tuple[str, ...]:
    """The words of ``name``, folded, generic and kind words included."""
    return tuple(_NON_ALNUM.sub(" ", _fold(_POSSESSIVE.sub("", name))).split())


@lru_cache(maxsize=_CACHE_SIZE)
def _tokens(name: str, keep_generic: bool = False) -> tuple[tuple[str, ...], str | None]:
    words = _words(name)
    hint = None
    kept = []
    for word in words:
        kind = _kind_word(word)
        if kind is not None:
            hint = hint or kind
        elif word not in GENERIC_WORDS or (keep_generic and word not in _FILLER_WORDS):
            kept.append(word)
    return tuple(kept), hint


def _as_alias(match: Match) -> Match:
    """``match`` as a reading of another spelling of its name (at most the confidence of an alias)."""
    return Match(match.entry, min(match.confidence, 0.95), "alias", match.alternatives)


@lru_cache(maxsize=_CACHE_SIZE)
def _another_spelling_of_a_capital(match: Match) -> bool:
    """Whether a building's name in Latin letters reaches a capital or province only through another
    spelling of it.

    Villages are named like capitals in other spellings ("Talkan", "Kalatah", "Sar-e-Pul",
    "Mazar"), and a school or mosque bearing such a name is in one of them far more often
    than in the capital, so only the name as the gazetteer writes it answers the capital.
    """
    return match.entry.kind in _STRONG_KINDS and match.method != "exact"


def _kind_word(word: str) -> str | None:
    """The kind of place a word names (``"wolaswali"``: ``"district"``), or None for a word of a name."""
    kind = KIND_WORDS.get(word)
    if kind is None and 6 <= len(word) <= 12 and word[0] in "wvuo":
        kind = next((k for pattern, k in _KIND_PATTERNS if pattern.fullmatch(word)), None)
    return kind


#: Pashto "of", before a name that the word for district or province follows: "د ډند ولسوالۍ".
_PASHTO_OF = "\u062f"


@lru_cache(maxsize=_CACHE_SIZE)
def split_kind(name: str) -> tuple[str, str | None]:
    """Normalise ``name`` and return it with the kind its words ask for.

    Parameters
    ----------
    name
        A place name as written in a report.

    Returns
    -------
    tuple
        ``(normalized, hint)`` where ``hint`` is ``"province"``, ``"district"``,
        ``"city"``, ``"village"`` or ``None``.

    Examples
    --------
    >>> split_kind("Ghazni Province")
    ('ghazni', 'province')
    """
    words, hint = _tokens(name)
    if hint is not None and len(words) > 1 and words[0] == _PASHTO_OF:
        words = words[1:]  # Pashto "د ډند ولسوالۍ" (district of Dand)
    # a connector joins words; "wa" written first begins the name ("Wa Sher" is Washer, Helmand)
    first = tuple(words[:1])
    leading = list(first) if first in (("wa",), ("va",)) and _words(name)[:1] == first else []
    words = leading + [w for w in words[len(leading) :] if w not in CONNECTORS] or list(words)
    return " ".join(words), hint


def normalize(name: str) -> str:
    """Fold a place name to plain lower-case ASCII words.

    Diacritics, apostrophes and the okina are dropped, hyphens and punctuation become
    spaces, izafa connectors (``-e-``, ``-i-``, ``-ye-``) and generic words such as
    ``city``, ``province``, ``district``, ``wilayat`` and ``woluswali`` are removed.

    Parameters
    ----------
    name
        A place name as written in a report.

    Returns
    -------
    str
        The normalised name (may be empty).

    Examples
    --------
    >>> normalize("Mazār-e Sharīf")
    'mazar sharif'
    >>> normalize("Qal'eh-ye Now district")
    'qaleh now'
    """
    return split_kind(name)[0]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block, then restore it as it was.

    Resolving names (and unpickling the index) allocates many small objects that form no
    reference cycles; every few hundred of them would start the collector, which walks all
    long-lived objects, the whole index included, again: about a fifth of the time of a
    batch. Reference counting still frees everything at once; a cycle made meanwhile is
    collected by a later full collection: what the block kept (and any object not yet collected) is
    moved to the oldest generation, not walked at once (:func:`gc.freeze` then :func:`gc.unfreeze`;
    not when the program has frozen objects itself, which stay frozen).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if not gc.get_freeze_count():  # (a program that froze objects of its own keeps them frozen)
                # what the block made and kept (caches, answers) joins the oldest generation at once, as it
                # would after surviving: the collector does not walk it all again as soon as it is enabled
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_AW = re.compile(r"aw(?![aeiou])")
_C = re.compile(r"c(?!h)")
# A letter that the same letter follows: removing each leaves one of every run of doubled letters.
_DOUBLED = re.compile(r"(.)(?=\1)")
_VOWELS = re.compile(r"[aeiouwy]")


# Letters other romanisations write for one sound: French and Russian "dj"/"dzh" for j, "tch"/"tsh" for ch,
# Uzbek and Russian "x" for kh.
_ROMANISATIONS = (("dzh", "j"), ("dj", "j"), ("tch", "ch"), ("tsh", "ch"), ("x", "kh"))
# Persian "four" written long (chahar, chehar, chahaar) once vowels are folded: folded to its short form.
_FOUR = ("chahar", "chihar")
# Words after which a fused connector is part of the name: "Ghazi Abad" is Ghaziabad.
_SUFFIX_WORDS = frozenset({"abad", "aabad", "abaad", "obod"})


@lru_cache(maxsize=_CACHE_SIZE)
def _fold_word(word: str, last: bool) -> str:
    if not last and len(word) >= 4 and word[-1] in "ie" and word[-2] not in "aeiou":
        word = word[:-1]  # Mazari Sharif, Puli Khumri, Sari Pul, Kohi Safi: a fused connector
    if len(word) > 3 and word.endswith(("eh", "ih")):
        word = word[:-2] + "a"  # Qal'eh, Meymaneh, Kishindih: Persian final -eh (-ih in some romanisations)
    if len(word) > 4 and word.endswith("ah") and not word.endswith("shah"):
        word = word[:-1]  # Darah/Dara, Terwah/Terwa, Qalah/Qala: a silent final -h (not Shah's, written apart or not)
    for old, new in _ROMANISATIONS:
        if old in word:
            word = word.replace(old, new)
    if len(word) > 4 and word.endswith("obod"):
        word = word[:-4] + "abad"  # Tajik and Uzbek "obod": Fayzobod, Aliobod
    for old, new in (("ow", "o"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ey", "ai"), ("ay", "ai"), ("ei", "ai")):
        word = word.replace(old, new)
    if "y" in word[1:]:
        word = word[0] + word[1:].replace("y", "i")
    word = word.replace("e", "i").replace("o", "u")
    word = word.replace("ph", "f").replace("q", "k").replace("gh", "g").replace("kh", "k")
    word = word.replace("v", "w").replace("ck", "k")
    if "aw" in word:
        word = _AW.sub("au", word)  # Naw/Nau, Dawlat/Daulat
    if "c" in word:
        word = _C.sub("k", word)
    if word.endswith("kail"):
        word = word[:-4] + "kil"  # the tribal suffix Khel, Khail, Kheyl
    word = _DOUBLED.sub("", word)
    if word.startswith(_FOUR):
        word = "char" + word[6:]  # Chahar Dara, Chehar Dara, Char Dara: Persian "four", long and short
    return word


@lru_cache(maxsize=_CACHE_SIZE)
def phonetic_key(normalized: str) -> str:
    """Fold transliteration variants of a normalised name to one compact key.

    ``e``/``i``, ``o``/``u``, ``ay``/``ai``, ``ow``/``o``, ``q``/``k``, ``gh``/``g``,
    ``kh``/``k``, ``v``/``w`` and doubled letters are folded; a final ``i``/``e`` fused
    to a word before another word (``Mazari Sharif``) is dropped; spaces are removed.

    Examples
    --------
    >>> phonetic_key(normalize("Pol-e Khomri")) == phonetic_key(normalize("Puli Khumri"))
    True
    """
    words = normalized.split()
    last = len(words) - 1
    return "".join([_fold_word(w, i == last or words[i + 1] in _SUFFIX_WORDS) for i, w in enumerate(words)])


def _letters_alike(readings: dict[str, str]) -> dict[int, str]:
    """A translation writing each letter of ``readings`` (letter -> letter read for it) and every letter linked
    to it by readings as one letter (the first of them in code order)."""
    groups: list[set[str]] = []
    for pair in readings.items():
        linked = [g for g in groups if not g.isdisjoint(pair)]
        merged = set(pair).union(*linked)
        groups = [g for g in groups if g not in linked] + [merged]
    return str.maketrans({letter: min(group) for group in groups for letter in group})


def _without_lost_letters(key: str) -> str:
    """``key`` with each letter an Arabic keyboard lacks and the one typed for it written alike, doubled
    letters collapsed: every reading of :meth:`Gazetteer._lost_letters` has the same."""
    return _DOUBLED.sub("", key.translate(_LOST_LETTERS_ALIKE))


def skeleton(key: str) -> str:
    """The consonants of a phonetic key (``hirat`` -> ``hrt``), doubled ones collapsed."""
    return _DOUBLED.sub("", _VOWELS.sub("", key[:1]) + _VOWELS.sub("", key[1:]))


@dataclass(frozen=True, slots=True)
class Entry:
    """One place in the gazetteer."""

    name: str
    kind: str
    province_iso: str
    province: str
    lat: float
    lon: float
    population: int = 0
    aliases: tuple[str, ...] = ()
    source: str = ""
    #: How many of ``aliases`` (the first ones) are curated spellings rather than bulk alternates.
    curated: int = 0
    #: The bundled district containing the place (``AF-GHA-muqur``) and its name; empty when not compiled in.
    district_id: str = ""
    district: str = ""

    def __reduce__(self) -> tuple:
        # the fields in order: unpickling calls the constructor once, several times faster than
        # the field-by-field state a frozen dataclass restores by default
        return (Entry, tuple(getattr(self, f) for f in _ENTRY_FIELDS))

    @property
    def label(self) -> str:
        """``"name (province_iso)"`` as shown in ``alternatives``; ``"name (country)"`` for a foreign place."""
        if self.province_iso:
            return f"{self.name} ({self.province_iso})"
        country = re.search(r"\(([A-Z]{2})\)$", self.source)
        return f"{self.name} ({country.group(1)})" if country else self.name


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True, slots=True)
class Match:
    """The answer of :meth:`Gazetteer.resolve`.

    ``entry`` is the chosen place, ``method`` one of ``exact``, ``alias``, ``fuzzy``, ``partial``;
    ``alternatives`` are other places in other provinces that fit the name as well.
    A match on a foreign place has ``entry.kind == "foreign"``: the name is known to be
    outside Afghanistan and callers treat it as unresolved.
    """

    entry: Entry
    confidence: float
    method: str
    alternatives: tuple[Entry, ...] = ()

    @property
    def is_foreign(self) -> bool:
        """True when the name is a known place outside Afghanistan."""
        return self.entry.kind == FOREIGN


#: A foreign city at least this large wins over an Afghan village spelled alike (or matched only
#: through a bulk alternate name), and is listed in ``alternatives`` of an Afghan province,
#: capital, city or district of the same name. A foreign name spelled as on record also wins
#: over an Afghan place that only shares its phonetic key ("Kandy" is not the village Kanday).
FOREIGN_CITY_POPULATION = 100_000
#: A foreign city at least this large also wins over an Afghan district or town spelled alike.
FOREIGN_METROPOLIS_POPULATION = 1_000_000
#: Confidence of a match through the phonetic key alone (the spelling is not one on record) to a
#: village, or to a district or town with a key of fewer than ``SHORT_KEY`` letters, reported with
#: method ``fuzzy``: a transliteration rule is too weak a reason to pick one of hundreds of
#: villages, and short keys collide with ordinary words ("Back" and the district Bak).
PHONETIC_VILLAGE_CONFIDENCE = 0.8
SHORT_KEY = 4
#: Marks, in the ``source`` of a table row, a district created after the 2014 set: its point and
#: ``district_id`` are those of the 2014 district it was carved from (or of its seat there).
LATER_DISTRICT_NOTE = "created after 2014"
#: Highest confidence of a district created after 2014: the name is known, but the area it
#: colours is the larger 2014 district it was carved from.
LATER_DISTRICT_CONFIDENCE = 0.9
#: Marks, in the ``source`` of a district created after 2014, that the 2014 district it was carved from
#: is not known: it answers its province (point and ``district_id`` of no district), and reports
#: about it count for the whole province (``place_precision`` 3 in :func:`geomap.geocode.geocode`).
PROVINCE_ONLY_NOTE = "parent district not known"
#: Highest confidence of such a district: the name is known, but only its province.
PROVINCE_ONLY_CONFIDENCE = 0.7
#: Confidence of a misspelling as close to places in other provinces as to the one chosen: below
#: the default ``min_score``, so such a name stays unresolved with the candidates listed.
CROSS_PROVINCE_FUZZY_CONFIDENCE = 0.45
#: Confidence of a name in Dari or Pashto script read by its consonants (:meth:`Gazetteer._transliterated`).
TRANSLITERATED_CONFIDENCE = 0.7
#: The Dari word for village (qaryah) and the Pashto one (kelay, kili) as GeoNames writes them into the names
#: of the villages of some provinces ("Qaryah-ye Rabat", "Tangi Kelay") and lists write them beside any
#: village's name (:meth:`Gazetteer._named_village_elsewhere`).
_RECORDED_VILLAGE_WORDS = frozenset(
    {"qaryah", "qaryeh", "qarya", "qariya", "qariyah", "qaria", "kelay", "kalay", "kalai", "kelai", "kili", "killi"}
)
#: Consonants a name in Arabic script needs to be read so.
TRANSLITERATED_MIN_CONSONANTS = 4
#: Edits (after :func:`_as_typed`) within which a name in Arabic script read by its consonants may be a place
#: whose Arabic-script spellings are on record (one for names shorter than five letters).
DARI_SPELLING_EDITS = 2
#: The Dari and Pashto words for village (``قریه``, Pashto ``کلی``): a name holding one is a village's, not
#: a district's read by its consonants (:meth:`Gazetteer._transliterated`).
_VILLAGE_WORDS = frozenset({"\u0642\u0631\u06cc\u0647", "\u06a9\u0644\u06cc"})
#: Confidence of a village of the settlement gazetteer found in one province only.
VILLAGE_CONFIDENCE = 0.85
#: Confidence of a village name found in several provinces: below the default ``min_score``, so
#: the name stays unresolved with the candidates in ``alternatives``.
AMBIGUOUS_VILLAGE_CONFIDENCE = 0.3
#: Villages of other provinces listed in ``alternatives`` of a misspelling held against them
#: (:meth:`Gazetteer._against_villages`), nearest first.
_HELD_VILLAGES = 3
#: Confidence of one part of a compound name (``"Chaman-Spin Boldak"``) answering the whole.
COMPOUND_CONFIDENCE = 0.8
#: Confidence of a district named in brackets after a name known nowhere ("Jelga (Khwaja Hijran)").
BRACKETED_DISTRICT_CONFIDENCE = 0.7
# A name ending in a word of one letter, an initial or a word cut short: "Mohammad A", "Wali M".
# (Not the connectors -e, -i, -o: "Hesa-e Awal-e".)
_ENDS_IN_A_LETTER = re.compile(r"[^\W\d_]{2,}\W+[a-df-hj-np-z]\.?\s*$", re.IGNORECASE)
#: Confidence of a district's name cut short in its last word ("Khwaja Baha", "Lal wa Sarjan"), as lists
#: of fixed-width fields write long names (:meth:`Gazetteer._cut_short`).
CUT_SHORT_CONFIDENCE = 0.6
# A name, then another in brackets (either way round, as some Dari lists have them) and nothing else:
# "Jelga (Khwaja Hijran)"; not "Zadran Kalai (Zadran village)".
_BRACKETED_DISTRICT = re.compile(r"[^(),;/]+[()]\s*(?![^()]*\bvillage\b)[^(),;/]+[()]\s*", re.IGNORECASE)
#: Confidence of a district named in brackets after a place it holds (``"Ismail Khail (Mandozai)"``)
#: when the place itself is not found there.
QUALIFIER_CONFIDENCE = 0.8
#: Confidence of a district, town, capital or province named by a run of a longer name's words, the rest
#: being words that qualify a name or places of its province (:meth:`Gazetteer._named_in_words`).
WORDS_CONFIDENCE = 0.7
#: Lowest confidence of a misspelling of another place of the province among those words.
WORDS_FUZZY_CONFIDENCE = 0.5
#: Names of more words than this are not searched for runs that name a place.
WORDS_MAX = 8
#: Words that qualify a name only after it: the word for fort, which follows a district's name for its
#: centre ("Sangin Qala") and begins villages' names ("Qala Koshk", the fort of Koshk, is a village), and
#: wali (saint) after a saint's name ("Khwaja Sabz Posh-e Wali"), which begins people's names.
_AFTER_SPELLINGS = ("qala", "qalah", "qalaa", "qila", "\u0642\u0644\u0639\u0647", "wali")
#: The word for a city's numbered district (nahia), in Latin and Dari.
_NAHIA = ("nahia", "nahiya", "nahiyah", "naheya", "nahya", "\u0646\u0627\u062d\u06cc\u0647")
#: A part's or a city district's number, 0-99 (and 00-09), in Latin, Persian and Arabic-Indic digits.
_NUMBERS = tuple(
    n.translate(str.maketrans("0123456789", digits))
    for n in (*(str(k) for k in range(100)), *(f"{k:02d}" for k in range(10)))
    for digits in (
        "0123456789",
        "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
        "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    )
)
#: Words that qualify a district's name in lists of other years and bodies without naming another place:
#: upper and lower, original and proper ("Asel Chakhansur", "Khas Uruzgan"), old, the fort or centre of
#: the district ("Sangin Qala"), its seat, the town (Dari "شهر غزنی", Ghazni city), a part's number
#: ("Yakawlang Number One") and a city's numbered district (nahia: "Kabul Nahia 05", "هرات ناحیه 03"),
#: in Latin and Dari.
_QUALIFIER_SPELLINGS = (
    *_UPPER, *_LOWER, "\u0628\u0627\u0644\u0627", "\u067e\u0627\u06cc\u06cc\u0646", "\u067e\u0627\u0626\u06cc\u0646",
    "\u067e\u0627\u06cc\u0627\u0646", "\u0639\u0644\u06cc\u0627", "\u0633\u0641\u0644\u06cc", "upper", "lower",
    "asl", "asel", "asil", "khas", "khass", "\u0627\u0635\u0644", "\u062e\u0627\u0635",
    "kohna", "kuhna", "\u06a9\u0647\u0646\u0647",
    *_AFTER_SPELLINGS,
    "markaz", "markazi", "center", "centre", "central", "\u0645\u0631\u06a9\u0632", "\u0645\u0631\u06a9\u0632\u06cc",
    "\u0634\u0647\u0631", "shahr", "shahre", "alaqahdari", "alaqadari", "hukumat", "hukumati",
    "no", "nr", "number", "nomber", "nambar", "numbar", "one", "two", "first", "second",
    "awal", "awali", "duwum", "duwumi", "dowom", "dovom",
    "\u0646\u0645\u0628\u0631", "\u0627\u0648\u0644", "\u062f\u0648\u0645",
    *_NUMBERS,
    "city", *_NAHIA,
)  # fmt: skip
_QUALIFIERS = frozenset(w for spelling in _QUALIFIER_SPELLINGS for w in _words(spelling)) | GENERIC_WORDS | CONNECTORS
_AFTER_WORDS = frozenset(w for spelling in _AFTER_SPELLINGS for w in _words(spelling))
#: Words beside a province's name in a building's name that leave it the province's (:meth:`Gazetteer._strong_spans`):
#: those qualifying a place's name, new and old ("Baghlan-e Jadid", "Balkh Bastan"), and the Dari words describing
#: the building (secondary, primary, girls', boys', congregational) that are not among :func:`facility_words`.
_SPAN_QUALIFIERS = _QUALIFIERS | frozenset(
    _fold(w) for w in (
        "new", "old", "jadid", "jadeed", "qadim", "qadeem", "bastan", "shahr", "shahre", "جدید", "قدیم",
        "باستان", "متوسطه",
        "ابتداییه", "ابتدائیه",
        "نسوان", "ذکور", "اناث", "جامع",
    )
)  # fmt: skip
#: Highest confidence of a place read from the name of a building in it (``"Deh Sabz Girls School"``).
FACILITY_CONFIDENCE = 0.7
#: Confidence of a district's or town's name read from its adjectival form (``"Khulmi"``: Khulm).
ADJECTIVAL_CONFIDENCE = 0.75
_STRONG_KINDS = ("capital", "province")
#: Provinces with villages named as a capital or province that make its name in a building's name a common
#: name (Sar-e Pol, bridge-head; Qala-i-Naw, new fort) rather than the capital's or province's: one or two
#: namesakes (Qabul in Kandahar for Kabul, Jalalabad in Herat and Jowzjan) do not.
_COMMON_CAPITAL_PROVINCES = 3
#: Words before a capital's name that say the town is meant, not a village of its name: city and centre.
_TOWN_WORDS = frozenset(
    {
        "shahr",
        "shahre",
        "city",
        "markaz",
        "markaze",
        "center",
        "centre",
        "\u0634\u0647\u0631",
        "\u0645\u0631\u06a9\u0632",
    }
)
#: Words beside a capital's name that make it the town's, which no village is: city and centre, and a
#: city's numbered district ("Kabul City", "Herat Nahia 3").
_CITY_WORDS = _TOWN_WORDS | frozenset(w for spelling in _NAHIA for w in _words(spelling))
#: Kinds of place weighed against villages of the same name when a building is named after them.
_FACILITY_HELD_KINDS = ("district", "city")
#: Kinds of place a report names before a village of the same name.
_LARGER_KINDS = ("capital", "province", "city", "district")
# A quick test that a name may hold an honorific, a trailing "central" or two joined names.
_MAY_BE_AFFIXED = re.compile(
    r"hazrat|\u062d\u0636\u0631\u062a|markaz|cent|city|district|\d|[-\u2010-\u2015\u2212&]|\s(?:wa|va|aw|and)\s",
    re.IGNORECASE,
)
# Beginnings of words naming a building (a school, mosque, clinic, market...): a quick test that a name may be one.
# fmt: off
_FACILITY_BEGINNINGS = (
    "school", "high", "lyc", "lee", "lisa", "maktab", "madra", "masj", "mosque", "jam", "clinic", "hospital",
    "health", "seh", "bhc", "chc", "univers", "institut", "college", "academy", "office", "building", "hall",
    "municipal", "market", "mand", "shop", "park", "stadium", "compound", "checkpoint", "camp", "station", "air",
    "military", "مکتب", "لیسه", "مسجد", "مدرسه", "کلینیک", "شفاخانه",
)
# fmt: on
# Where a compound name splits: " wa "/" aw " (Pashto)/" and "/" & " between names, or a hyphen or
# dash between words (not the izafa hyphens of Mazar-e-Sharif, which leave a one-letter part).
_COMPOUND_SPLIT = re.compile(r"\s+(?:wa|va|aw|and|&)\s+|\s*[-\u2010-\u2015\u2212]\s*", re.IGNORECASE)
# The word for a road after the names of the places it joins: "Kabul-Kandahar highway".
_ROAD_AFTER = re.compile(r"\s+(?:highway|road|motorway|route)s?\s*$", re.IGNORECASE)
# Pashto "aw" (and) between two words, written for Dari "wa" (Dand aw Patan: Dand wa Patan).
_PASHTO_AND = re.compile(r"\s+aw\s+", re.IGNORECASE)
# A numbered part after a name: "Yakawlang 2", "Kohistan-1", "Yakawlang No. 2".
_NUMBERED_PART = frozenset({"no", "nr", "number"})
# A number written onto a name: "Jaghatu1".
_FUSED_NUMBER = re.compile(r"([a-z]{3,})(\d{1,2})")
# The words for a numbered part of a district, in either script: hisa/hesa/hissa (part), then
# awal/awali (first) or duwum/duwumi/dowom (second): "Hisa-i-Awali Kohistan", "Kohistan Hesa Awal".
_PART_WORD = re.compile(r"h[aeiy]s{1,2}[aeiy]{1,2}h?|\u062d\u0635\u0647")
_FIRST_WORD = re.compile(r"a[wv]{1,2}[ae]l[iy]?|\u0627\u0648\u0644")
_SECOND_WORD = re.compile(r"d[aeiou]?[wvy]?[aeiou]{1,2}m[iy]?|\u062f\u0648\u0645|\u062f\u0648\u0647\u0645")
# The words for the first and second part as the districts' names on record write them.
_LATIN_PARTS = ("Hisa-i-Awali", "Hisa-i-Duwumi")
_DARI_PARTS = ("\u062d\u0635\u0647 \u0627\u0648\u0644", "\u062d\u0635\u0647 \u062f\u0648\u0645")
# A quick test that a name may hold those words.
_MAY_NAME_A_PART = re.compile(r"h[aeiy]s|\u062d\u0635\u0647", re.IGNORECASE)
# The izafa between the words ("Hisa-e-Awal-e-Kohistan").
_IZAFA = frozenset({"e", "i", "y", "ye", "yi"})
# A district recorded as the word for centre joined to a name ("Markazi Bihsud"), as the Latin lookup writes it.
_CENTRE_PREFIX = "Markazi "
# The Dari and Pashto words for centre and central, as folded.
_CENTRE_WORDS = frozenset({"\u0645\u0631\u06a9\u0632", "\u0645\u0631\u06a9\u0632\u06cc"})
# Brackets, either way round.
_BRACKETS = re.compile(r"[()]")
# A capital letter and a full stop written onto the next word ("S.Noor"): an initial, or a list's conversion.
_GLUED_INITIAL = re.compile(r"(?<![^\W\d_])[A-Z]\.(?=[A-Z][a-z])")
# "or" between two names of one place ("Anawa or Hisa-e-Char"), and Dari "یا".
_EITHER = re.compile(r"\s(?:or|OR|Or|\u06cc\u0627|\u064a\u0627)\s")
#: The letters ending a name after Pashto "of" (ى, ې, ی, ي) where it ends in ه (the district Kama,
#: کامه: "د کامى"; the first two also without "of": "گلدرى", Guldara), and the ending of a people's name
#: in the plural there (و: "د شينوارو", of the Shinwaris).
_PASHTO_OBLIQUE = "\u0649\u06d0\u06cc\u064a"
_PASHTO_PLURAL = "\u0648"
# Where a name's later parts begin: "Tagab, Kapisa", "Ismail Khail (Mandozai)".
_PART_SPLIT = re.compile(r"[,;/()\u060c\u061b]")  # and the Arabic comma and semicolon: "تگاب، کاپیسا"
#: Look-ups of names' parts and runs of words remembered (:meth:`Gazetteer._lookup`).
_LOOKUPS_REMEMBERED = 100_000
#: Names resolved per batch of :meth:`Gazetteer.resolve_many` (bounds the memory of a batch).
_BATCH_SIZE = 8_192
#: Parts after commas of a name whose keys are compared in the batch (:meth:`Gazetteer._prefetch`).
_PREFETCHED_PARTS = 3
#: A misspelling this long or longer written with a place's consonants (another vowel) is that place
#: before places as close by another consonant; in shorter names a vowel makes another name (Chori, Chora).
VOWEL_KEY = 6
#: Letters another romanisation writes for those of a name on record (:meth:`Gazetteer._respelled`): Dari
#: ``gh`` for ``q`` ("Gharabagh"), French ``ch`` for ``sh`` ("Chibar"), Arabic-style ``dh`` for ``z`` ("Dharanj").
RESPELLINGS = (("gh", "q"), ("ch", "sh"), ("dh", "z"))
#: Arabic letters typed or converted for Persian ones (:meth:`Gazetteer._lost_letters`): an Arabic keyboard
#: writes ک for گ, ج for چ, ب for پ, ز for ژ; old encodings turned پ into ی.
_LOST_LETTERS = {"\u06a9": "\u06af", "\u062c": "\u0686", "\u0628": "\u067e", "\u0632": "\u0698", "\u06cc": "\u067e"}
#: Each letter of :data:`_LOST_LETTERS` and the letters read for it, written alike.
_LOST_LETTERS_ALIKE = _letters_alike(_LOST_LETTERS)
#: A Dari or Pashto name needs this many consonants to be read by them (:meth:`Gazetteer._same_consonants_in_dari`);
#: one fewer when its letters also read as the consonants of the place's Latin name (:func:`consonant_core`).
DARI_CONSONANTS = 4
#: Pashto letters and the Dari letters written for them (:meth:`Gazetteer._pashto_letters`): ښ is sh in the
#: south and kh in the north (بادپښ, Bad Pash or Bad Pakh), ږ zh or g, ځ z or j, څ ch or s.
PASHTO_LETTERS = {
    "\u067c": "\u062a",  # ټ: ت
    "\u0689": "\u062f",  # ډ: د
    "\u0693": "\u0631",  # ړ: ر
    "\u06bc": "\u0646",  # ڼ: ن
    "\u069a": "\u0634\u062e",  # ښ: ش or خ
    "\u0696": "\u0698\u06af",  # ږ: ژ or گ
    "\u0681": "\u0632\u062c",  # ځ: ز or ج
    "\u0685": "\u0686\u0633",  # څ: چ or س
}
#: Readings in Dari letters tried for a name written with Pashto ones that no rule reads as written.
PASHTO_READINGS = 4
#: Confidence of a place whose name is on record in Dari letters, asked with Pashto ones.
PASHTO_LETTERS_CONFIDENCE = 0.9
_PASHTO_LETTER = re.compile("[" + "".join(PASHTO_LETTERS) + "]")
#: At most this many such letters are read the other way in one name (2 ** 5 variants).
LOST_LETTERS_MAX = 5
#: The first letters Pashto څ (ts) is written with, read as the others (:meth:`Gazetteer._respelled`).
PASHTO_TS = (("ts", "ch"), ("ts", "s"), ("s", "ch"), ("s", "ts"), ("ch", "ts"))
#: Endings that make a demonym of a place name: Herati, Kandaharis, Kabuli's.
DEMONYM_ENDINGS = ("is", "i")


@dataclass(slots=True)
class _Key:
    # entry id -> (tier, position of the spelling among the entry's names)
    hits: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        return (_Key, (self.hits,))


def _tier(entry: Entry, position: int) -> int:
    """0: a capital's or province's own or curated name; 1: another place's own or curated name; 2: other aliases."""
    if position > entry.curated:
        return 2
    return 0 if entry.kind in _STRONG_KINDS else 1


class Gazetteer:
    """An index of place entries by normalised name and phonetic key.

    Parameters
    ----------
    entries
        The places. Each entry's ``name`` and ``aliases`` are indexed.

    Examples
    --------
    >>> gaz = get_gazetteer()
    >>> gaz.resolve("Kondoz").entry.province_iso
    'AF-KDZ'
    """

    def __init__(
        self,
        entries: Iterable[Entry],
        not_places: dict[str, str] | None = None,
        ordinary_words: dict[str, str] | None = None,
    ) -> None:
        self.entries: list[Entry] = list(entries)
        #: normalised word -> what it means: a place only with a kind word or its province beside it.
        self.ordinary_words: dict[str, str] = {}
        for word, meaning in (ordinary_words or {}).items():
            if normalize(word):
                self.ordinary_words[normalize(word)] = meaning
        #: normalised word -> what it is ("an ethnic group", "a person's name", ...): never a place.
        self.not_places: dict[str, str] = dict.fromkeys(NOT_PLACE_NAMES, "a common word in reports")
        for word, category in (not_places or {}).items():
            if normalize(word):
                self.not_places[normalize(word)] = category
        self._by_norm: dict[str, _Key] = {}
        self._by_key: dict[str, _Key] = {}
        self._by_skeleton: dict[str, _Key] = {}
        self._memo: dict[str, Match | None] = {}
        self._fuzzy_memo: dict[tuple, Match | None] = {}
        self._lookup_memo: dict[tuple, Match | None] = {}
        self._refusals: dict[str, str | None] = {}
        self._village_entries: dict[int, Entry] = {}
        self._entries_of: object = None  # the village table of those entries
        self._fuzzy_keys: set[str] = set()
        self._strong_keys: set[str] = set()
        for entry_id, entry in enumerate(self.entries):
            for position, spelling in enumerate((entry.name, *entry.aliases)):
                norm = normalize(spelling)
                if not norm:
                    continue
                key = phonetic_key(norm)
                tier = _tier(entry, position)
                if position > 0 and split_kind(spelling)[1] is not None:
                    tier = 2  # "Samangan city" names the capital only when the query says "city" too
                hit = (tier, position)
                if tier == 2 and len(key) < (3 if _HAS_ARABIC.search(key) else 5):
                    continue  # short bulk alternates (codes, other languages' forms) match too much
                tables = [(self._by_norm, norm), (self._by_key, key)]
                # typos are only forgiven against a place's own or curated names, and not against a
                # name that is also a common word (a village called March does not attract "Match")
                if tier < 2 and norm not in self.not_places:
                    tables.append((self._by_skeleton, skeleton(key)))
                    self._fuzzy_keys.add(key)
                    if tier == 0:
                        self._strong_keys.add(key)
                for table, value in tables:
                    slot = table.setdefault(value, _Key())
                    if entry_id not in slot.hits or hit < slot.hits[entry_id]:
                        slot.hits[entry_id] = hit
        self._fuzzy: FuzzyIndex | None = None
        self._lost_keys: frozenset[str] | None = None
        self._province_names = {e.province_iso: e.province for e in self.entries if e.kind == "province"}
        #: phonetic keys that reach a province (the only tails that can name one)
        self._province_keys = {
            key for key, slot in self._by_key.items() if any(self.entries[i].kind == "province" for i in slot.hits)
        }
        #: district id -> name of the bundled districts (set when the index is compiled).
        self.district_names: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        counts = dict(Counter(e.kind for e in self.entries).most_common())
        return f"Gazetteer({len(self.entries)} entries: {counts})"

    def province_name(self, iso: str) -> str:
        """The name of the province with ISO code ``iso`` (``""`` for an unknown code)."""
        return self._province_names.get(iso, "")

    def resolve(self, name: str) -> Match | None:
        """Find the place a name most likely means.

        Parameters
        ----------
        name
            A place name as written in a report (any spelling).

        Returns
        -------
        Match or None
            ``None`` when nothing is close enough. A match on a known foreign place
            has ``match.is_foreign`` true.

        Examples
        --------
        >>> get_gazetteer().resolve("Ghazni Province").entry.kind
        'province'
        """
        text = "" if name is None else str(name)
        if len(text) > MAX_NAME_CHARS:
            return None  # not a place name; kept out of every cache (bounded memory on hostile input)
        if text in self._memo:
            return self._memo[text]
        match = self._as_larger_namesake(text, self._resolve(text))
        if match is None and _may_name_a_facility(text):
            match = self._facility(text)
        if match is None:
            match = self._named_in_words(text)  # "Sangin Qala", "Tagab Keshm Bala"
        elif match.is_foreign and match.method == "fuzzy":
            # "Kabul Shahr" (Kabul city) names Kabul in its words; it is no misspelling of Iran's Kamalshahr
            named = self._named_in_words(text)
            match = named if named is not None and named.confidence >= 0.5 else match
        if match is None or match.confidence < 0.5 or match.method == "fuzzy" or _ENDS_IN_A_LETTER.search(text):
            match = self._against_cut_short(text, match)  # "Khwaja Baha", "Mohammad A"
        if match is None or (match.confidence < 0.5 and not match.is_foreign):
            match = self._with_connector_apart(text) or match  # "Pachir Wagam": Pachir wa Agam
        if (match is None or (match.confidence < 0.5 and not match.is_foreign)) and _HAS_ARABIC.search(text):
            match = self._in_pashto_case(text) or match  # "د کامى" (of Kama), as Pashto tables write a district
        if (match is None or (match.confidence < 0.5 and not match.is_foreign)) and _CAMEL_CASE.search(text):
            apart = self.resolve(_CAMEL_CASE.sub(" ", text))  # "HeratCenter (Herat)", "TarangWaJaldak"
            match = apart if apart is not None and not apart.is_foreign and apart.confidence >= 0.5 else match
        if (match is None or match.confidence < 0.5 or match.method in ("partial", "fuzzy")) and _EITHER.search(text):
            match = self._either_name(text) or match  # a list's two names of one place, or two places
        if (match is None or (match.confidence < 0.5 and not match.is_foreign)) and _GLUED_INITIAL.search(text):
            # "Darah -e- S.Noor", "Qala-i- S.Now": a letter and a full stop written onto a name (a list's
            # conversion), read without them; answered only as the name is on record or fuzzily above min_score
            bare = self.resolve(_GLUED_INITIAL.sub("", text))
            if bare is not None and not bare.is_foreign and bare.confidence >= 0.5:
                match = _as_alias(bare) if bare.method == "exact" else bare  # another spelling, at most
        if match is not None and "," in text and not match.is_foreign and match.confidence >= 0.5:
            match = self._against_other_parts(text, match)
        if match is not None and match.entry.kind == "village" and split_kind(text)[1] == "district":
            match = self._as_seat_district(match, text)  # "ولسوالی ده صلاح": the district named after its seat
        if len(self._memo) > 200_000:
            self._memo.clear()
            self._fuzzy_memo.clear()
            self._lookup_memo.clear()
        self._memo[text] = match
        return match

    def resolve_many(self, names: Iterable[str]) -> list[Match | None]:
        """:meth:`resolve` for many names: the same answers, with the edit-distance step done in batches.

        The names that are not yet known are normalised first; the phonetic keys among them
        (and among the runs of words of buildings' names) that no place has are compared with
        the gazetteer's keys in vectorised batches (:meth:`geomap._fuzzy.FuzzyIndex.prefetch`)
        before the names are resolved one by one.
        """
        texts = ["" if name is None else str(name) for name in names]
        matches: list[Match | None] = []
        for start in range(0, len(texts), _BATCH_SIZE):
            batch = texts[start : start + _BATCH_SIZE]
            with gc_paused():
                self._prefetch(batch)
                matches += map(self.resolve, batch)
        return matches

    def _prefetch(self, texts: list[str]) -> None:
        """Compare the unknown phonetic keys of ``texts`` (the name, or its part before a comma, and the runs of
        words of a building's name, each also read with Dari letters for Pashto ones) with the index."""
        misses = []
        for text in texts:
            if len(text) > MAX_NAME_CHARS or text in self._memo:
                continue
            head, *parts = _PART_SPLIT.split(text)
            heads = [head, *parts[:_PREFETCHED_PARTS]]  # later parts: :meth:`_against_other_parts`
            if phonetic_key(split_kind(head)[0]) not in self._by_key and _may_name_a_facility(text):
                # a building's name no place has: its runs of words are looked up next (:meth:`_facility`)
                heads += [" ".join(run) for run in _facility_runs(text) or ()]
            for head in heads:
                norm = split_kind(head)[0]
                readings = [norm]
                if _PASHTO_LETTER.search(norm):  # read with Dari letters too (:meth:`_read_in_dari_letters`)
                    readings += [split_kind(v)[0] for v in _in_dari_letters(norm)[:PASHTO_READINGS]]
                for reading in readings:
                    key = phonetic_key(reading)
                    if len(key) >= 4 and key not in self._by_key:
                        misses.append(key)
        if misses:
            self.fuzzy_index().prefetch(misses)

    def _resolve(self, text: str) -> Match | None:
        # "Doha, Qatar" / "Tagab, Kapisa" / "Kabul, Afghanistan": later parts may name a
        # country (then the name is foreign) or a province (then it picks among candidates).
        parts = [p for p in _PART_SPLIT.split(text) if p.strip()]
        if len(parts) == 2 and _tokens(parts[0]) == ((), "province") and split_kind(parts[1])[1] is None:
            # "Provincial Center (Mehterlam)": nothing but the words for a provincial centre around a
            # name, which is read by every rule (a misspelt capital)
            return self._resolve(parts[1])
        if len(parts) > 1:
            provinces = set()
            districts = []
            for part in parts[1:]:
                tail = self._lookup(part, fuzzy=False)
                if tail is not None and tail.is_foreign:
                    return tail
                if tail is not None and len(parts) == 2 and not _tokens(parts[0])[0]:
                    return tail  # "District Center (Sharana)": nothing but generic words around the name
                if tail is not None and tail.entry.kind in _STRONG_KINDS:
                    provinces.add(tail.entry.province_iso)
                elif tail is not None and tail.entry.kind == "district":
                    districts.append(tail)  # "Ismail Khail (Mandozai)": the district the place lies in
            head = self._with_villages(parts[0], self._lookup(parts[0], provinces=provinces), provinces)
            head = self._in_named_province(parts[0], head, provinces)
            if districts and not provinces:
                # "Ismail Khail (Mandozai)": the place in the district's province, when it is known there
                within = {d.entry.province_iso for d in districts}
                there = self._with_villages(parts[0], self._lookup(parts[0], provinces=within), within)
                if there is not None and there.entry.province_iso in within and not there.is_foreign:
                    return self._in_named_district(parts[0], there, districts)
                if (
                    len(districts) == 1
                    and not districts[0].alternatives
                    and (head is None or head.is_foreign or head.confidence < 0.5)
                    and _BRACKETED_DISTRICT.fullmatch(text.strip())
                    and not _facility_beginning_pattern().search(parts[0])
                ):
                    # "Jelga (Khwaja Hijran)": a name known nowhere, then the district in brackets, which holds
                    # it (a place of that name elsewhere keeps the name: the brackets may name a village area)
                    held = districts[0]
                    return Match(held.entry, min(held.confidence, BRACKETED_DISTRICT_CONFIDENCE), held.method)
                if (
                    head is not None
                    and not head.is_foreign
                    and head.entry.province_iso not in within
                    and "," in text
                    and not _BRACKETS.search(text)
                ):
                    # "Khosh Tut, Zurmat": the text names the district, in another province than the place
                    # found; a place of that name in the district, which the tables lack, is as likely (words in
                    # brackets may name a village's area, which districts elsewhere are named as)
                    others = tuple(d.entry for d in districts if d.entry.province_iso not in
                                   {e.province_iso for e in head.alternatives})  # fmt: skip
                    return Match(head.entry, min(head.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), head.method,
                                 (*head.alternatives, *others))  # fmt: skip
            if head is None and not provinces and not districts and _BRACKETED_DISTRICT.fullmatch(text.strip()):
                # "Narang wa Badil (Tarango Badil)": the words in brackets name nothing; the name is read alone
                return self._resolve(parts[0])
            return head
        match = self._with_generic_words(text) or self._centre_named(text) or self._lookup(text)
        head, province = self._trailing_province(text)
        if province is not None and self._capital_elsewhere(head, province):
            head, province = text, None  # "Kabul Kandahar": two capitals (a road's name), not a place of Kandahar
        held = match is not None and match.method == "fuzzy" and match.confidence <= CROSS_PROVINCE_FUZZY_CONFIDENCE
        if (match is None or held) and province is not None:  # "Bazarak Panjshir": a place, then its province
            within = self._lookup(head, provinces={province})
            within = within if within is not None and within.entry.province_iso == province else None
            if within is None and not self._village_named(head, {province}):
                # a misspelling of a place of the province; not when a village there is spelled so ("Sangar
                # Ghor" is the village Sangar of Ghor, as "Sangar, Ghor" is, not Ghor's district Saghar)
                within = self._nearest_within(head, {province})
            match = within or match  # "Nari Kunar" is Nari, not a held misspelling of Bar Kunar
        if (match is None or match.method == "fuzzy") and _MAY_NAME_A_PART.search(text):
            match = self._numbered_part(text) or match  # "Kohistan Hesa Awal": Hisa-i-Awali Kohistan
        if (match is None or match.method == "fuzzy") and _MAY_BE_AFFIXED.search(text):
            # a misspelt compound name on record ("Lash Wa Joowayn") is not split into its parts
            splits = match is None or not _COMPOUND_SPLIT.search(match.entry.name)
            match = self._without_affixes(text) or (self._compound(text) if splits else None) or match
        if match is None and province is None:
            match = self._two_names(text)  # "Bano Andarab": a district and the one it was carved from
        return self._with_villages(head, match, {province} if province else set())

    def _in_pashto_case(self, text: str) -> Match | None:
        """A name as Pashto writes it after "of" (``د``): ``"د بلخ"`` (of Balkh), ``"د کامى"`` (of Kama),
        ``"د شينوارو"`` (of the Shinwaris); and a name ending as it does there (``"گلدرى"``, Guldara).

        Each reading of :func:`_pashto_readings` is resolved in turn; the first answered at ``min_score`` or
        above (not abroad) is the answer, as another spelling of its place; None when none is.
        """
        after_of = text.split()[0] == _PASHTO_OF
        if after_of and _may_name_a_facility(text):
            return None  # "د نیک نام مسجد" (the mosque of Nek Nam): a building's name, whose village may be anywhere
        for reading in _pashto_readings(text):
            found = self.resolve(reading)
            if found is None or found.is_foreign or found.confidence < 0.5:
                continue
            if after_of or (found.entry.kind == "district" and found.method != "fuzzy"):
                # alone, only a district's name on record: "قند هارى" (Kandahari) and "بادغيسى" are people's
                return _as_alias(found) if found.method == "exact" else found
        return None

    def _either_name(self, text: str) -> Match | None:
        """A list's two names of one place, joined by "or": ``"Khair Kot or Katawaz"`` (Zarghun Shahr).

        The names are resolved alone. None when one is abroad or no place ("Taliban or Kandahar", "Kabul or
        Quetta") or none is answered at ``min_score`` or above. When those answered name one place (one
        district), the first is the answer: at most at the confidence of another spelling, or of
        :data:`WORDS_CONFIDENCE` when another name is not answered ("Aashawah or Aashabah"). When they name
        several, the first is a candidate below the default ``min_score`` with the others listed
        ("Jaghori or Malistan": either district).
        """
        parts = [part for part in _EITHER.split(text) if part.strip()]
        found = [self.resolve(part) for part in parts]
        if any(
            (m is not None and m.is_foreign) or self.refusal(part) is not None
            for part, m in zip(parts, found, strict=True)
        ):
            return None  # "Taliban or Kandahar", "Kabul or Quetta": not two names of one Afghan place
        answered = [m for m in found if m is not None and m.confidence >= 0.5]
        if not answered:
            return None
        first = answered[0]
        if len({m.entry.district_id or (m.entry.name, m.entry.province_iso) for m in answered}) > 1:
            # "Jaghori or Malistan", "Kabul or Paghman": two places, either of which may be meant
            others = [m.entry for m in answered[1:] if m.entry is not first.entry]
            return Match(first.entry, CROSS_PROVINCE_FUZZY_CONFIDENCE, "partial", (*first.alternatives, *others))
        if len(answered) < len(found):  # "Aashawah or Aashabah": the other name is not on record
            return Match(first.entry, min(first.confidence, WORDS_CONFIDENCE), "partial", first.alternatives)
        return _as_alias(first) if first.method == "exact" else first

    def _with_connector_apart(self, text: str) -> Match | None:
        """A name whose "and" (``wa``, ``و``) is written onto a word: ``"Pachir Wagam"`` (Pachir wa Agam),
        ``"Lalwa Sarjangal"``, ``"لال وسرجنگل"``.

        Each such word is split once; a reading with the connector apart answers only as it is on
        record (exact and alias matches at ``min_score`` or above) and only with a place whose name
        joins two with "and": many words begin with the letters ("Watani", "Wazir", "وزير"), and
        "Hashim Abad Watani" is no Tani.
        """
        words = text.split()
        if not 2 <= len(words) <= 6:
            return None
        for i, word in enumerate(words):
            for apart in _connector_apart(word, first=i == 0, last=i == len(words) - 1):
                match = self._lookup(" ".join([*words[:i], apart, *words[i + 1 :]]), fuzzy=False)
                if (
                    match is not None
                    and not match.is_foreign
                    and match.method != "fuzzy"
                    and match.confidence >= 0.5
                    and _names_two_joined(match.entry)
                ):
                    return match
        return None

    def _against_other_parts(self, text: str, match: Match) -> Match:
        """A name of parts after commas whose parts name places of different provinces: ``"Deh Khudaydad, Sarbaz"``.

        Lists write a centre's name, its village and its area one after the other; when another
        part is read alone as a place of another province by its own or recorded name (not as one
        of the answer's namesakes, nor as a village beside a district, town, capital or province
        answered), the parts disagree on where the place lies, and the answer stays a candidate
        below the default ``min_score`` with that place listed.
        """
        here = {match.entry.province_iso, *(e.province_iso for e in match.alternatives)}
        others: list[Entry] = []
        for part in text.split(","):
            if not part.strip() or part.strip() == text.strip():
                continue
            found = self.resolve(part)
            if found is None or found.is_foreign or found.confidence < 0.5 or found.entry.province_iso in here:
                continue
            if match.entry.province_iso in {e.province_iso for e in found.alternatives} or found.method == "fuzzy":
                continue  # a namesake of the answer, or a reading of a misspelling
            if match.entry.kind in _LARGER_KINDS and found.entry.kind == "village":
                continue  # "Gerda Serai, Fakhri": a district and one of its villages, which the table has elsewhere
            here.add(found.entry.province_iso)
            others.append(found.entry)
        if not others:
            return match
        return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), match.method,
                     (*match.alternatives, *others))  # fmt: skip

    def _as_larger_namesake(self, text: str, match: Match | None) -> Match | None:
        """A village reached through another of its names that is spelled, in Latin, as a district elsewhere.

        "اندراب" is the Baghlan district Andarab, not the village of that name in Samangan whose
        GeoNames record holds the Dari spelling: written in Latin, the district's own name would
        beat the village, and the name in another script or romanisation means the same. The
        village is listed in ``alternatives`` (confidence lowered as for any namesake). Not when
        the text says village or names a province, nor when the larger place lies in the village's
        province.
        """
        if match is None or match.entry.kind != "village" or match.alternatives:
            return match
        norm, hint = split_kind(text)
        village_key = phonetic_key(normalize(match.entry.name))
        if hint is not None or phonetic_key(norm) == village_key or len(village_key) < SHORT_KEY:
            return match
        if len(_PART_SPLIT.split(text)) > 1 or self._trailing_province(text)[1] is not None:
            return match
        slot = self._by_key.get(village_key)
        if slot is None:
            return match
        larger = {i: hit for i, hit in slot.hits.items() if hit[0] <= 1 and self.entries[i].kind in _LARGER_KINDS}
        if not larger or any(self.entries[i].province_iso == match.entry.province_iso for i in larger):
            return match
        place = self._choose(_Key(larger), None)
        confidence = round(min(place.confidence, 0.95) * 0.8, 3)
        return Match(place.entry, confidence, "alias", (*place.alternatives, match.entry))

    def _in_named_province(self, text: str, match: Match | None, provinces: set[str]) -> Match | None:
        """Hold to the province the text names: ``"Surobi, Paktika"`` is Paktika's Sarobi, not Kabul's Surobi.

        When ``match`` lies outside ``provinces``, a place inside them spelled within the
        edits a typo is allowed is meant instead. Without one, the place elsewhere is kept
        only as a candidate, below the default ``min_score``: the text says it is not there.
        """
        if not provinces or match is None or match.is_foreign or match.entry.province_iso in provinces:
            return match
        within = self._nearest_within(text, provinces)
        if within is not None and within.entry.kind == "province" and match.entry.kind in _STRONG_KINDS:
            within = None  # "Kabul, Zabul": a capital named with another province is no typo of that province
        if within is not None:
            return Match(within.entry, within.confidence, within.method, (*within.alternatives, match.entry))
        return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), match.method,
                     match.alternatives)  # fmt: skip

    def _facility(self, text: str) -> Match | None:
        """The place a building is named after: ``"Deh Sabz Girls School"``, ``"Madrasa Nazamia Khost"``.

        Polling centres, schools, mosques, clinics and markets carry their place's name
        beside words of :func:`facility_words`. Those words split the name into runs; a
        run is looked up whole (any kind of place, villages too; a misspelling of a district,
        town, capital or province is not read into it), and otherwise, unless the run says
        village, its word spans, longest first, are looked up as capitals or provinces only
        (exact and alias matches). Places found in several provinces leave the name
        unresolved with them all in ``alternatives``.
        """
        runs = _facility_runs(text)
        if runs is None:
            return None
        found: list[Match] = []
        in_town: list[Match] = []  # "Serena Hotel, Kabul": the town the province is named as, if nothing else
        qualifier = self._province_after_comma(text)
        for run in runs:
            after = qualifier is not None and run == qualifier[0]
            if after and qualifier[3] is None:  # type: ignore[index]
                continue  # "Qarghayee High School, Laghman": the province says where the building is (below)
            # "Sangar Mosque, Kunar": the place of the building's name in the province named after the comma
            within = qualifier is not None and not after
            match = self._resolve(" ".join(run) + (f", {qualifier[2]}" if within else ""))  # type: ignore[index]
            if match is not None and match.method == "fuzzy" and match.entry.kind != "village":
                # a building is named as its writers spell the place: "Zafran School" is not a
                # misspelt Zadran, "Faraj School" not Farah
                match = None
            named_there = (
                qualifier is not None
                and match is not None
                and match.entry.province_iso == qualifier[1].entry.province_iso
            )
            if (
                match is not None
                and not match.is_foreign
                and match.entry.kind in _FACILITY_HELD_KINDS
                and not named_there
            ):
                match = self._with_namesake_villages(" ".join(run), match)  # (the province rules out namesakes)
            elif match is not None and not match.is_foreign and match.entry.kind in _STRONG_KINDS:
                match = self._as_town_named(run, match)
            if (
                match is not None
                and not match.is_foreign
                and match.entry.kind == "village"
                and not within
                and _names_a_person(run)
            ):
                # "Haji Baz Mohammad Mosque": named after a man, as villages all over the country are; a candidate
                # (with the province after a comma, its village of the name is meant)
                match = Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), match.method,
                              match.alternatives)  # fmt: skip
            into = in_town if after else found
            if match is not None and not match.is_foreign:
                into.append(match)
            elif not any(_kind_word(w) == "village" for w in run):
                # "Mazar Village Mosque" names a village, not Mazar-i-Sharif
                into += self._strong_spans(run[:8])
        if not found and in_town and qualifier is not None and town_institution_words().isdisjoint(_words(text)):
            # "Haji Mohammad Mosque, Ghazni": a mosque, school or clinic may stand anywhere in the province
            # named as its capital is; only a town's institutions ("Serena Hotel, Kabul") are read in the town
            province = qualifier[1]
            return Match(province.entry, min(province.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "partial")
        found = found or in_town
        if not found and qualifier is not None and qualifier[3] is None:
            # the building's own name names no place: somewhere in the province, not the province; a
            # candidate only, as "Xyzzy Qala, Kunar" is
            province = qualifier[1]
            return Match(province.entry, min(province.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "partial")
        latin = not _HAS_ARABIC.search(text)  # Dari and Pashto write each capital's name one way
        held = [m for m in found if latin and _another_spelling_of_a_capital(m)]
        found = [m for m in found if not (latin and _another_spelling_of_a_capital(m))]
        if not found:
            if not held:
                return None
            # "Talkan School", "Kalatah Sadat Mosque": a village spelled like another form of a
            # capital's name far more often than the capital; kept as a candidate only
            best = held[0]
            others = tuple(m.entry for m in held[1:] if m.entry is not best.entry)
            return Match(best.entry, min(best.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), best.method,
                         (*best.alternatives, *others))  # fmt: skip
        found.sort(key=lambda m: (_KIND_RANK[m.entry.kind], -m.confidence))
        best = found[0]
        others = list(best.alternatives)
        for m in found[1:]:
            if m.entry.province_iso not in {best.entry.province_iso, *(o.province_iso for o in others)}:
                others.append(m.entry)
        confidence = min(best.confidence, FACILITY_CONFIDENCE)
        if len({best.entry.province_iso, *(o.province_iso for o in others)}) > 1 and len(found) > 1:
            confidence = min(confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE)
        return Match(best.entry, confidence, best.method, tuple(others))

    def _province_after_comma(self, text: str) -> tuple[list[str], Match, str, Match | None] | None:
        """The words of the last part of ``text`` after a comma, the province they name, that part as
        written and the capital it names too (``None`` for a province's name alone), when they name a
        province and the text before does not hold them: ``"Qarghayee High School, Laghman"``."""
        parts = [p for p in _PART_SPLIT.split(text) if p.strip()]
        if len(parts) < 2:
            return None
        words = _NON_ALNUM.sub(" ", _fold(parts[-1])).split()
        norm, hint = split_kind(parts[-1])
        if hint not in (None, "province") or _tokens(parts[-1], keep_generic=True)[0] != tuple(norm.split()):
            return None  # "Bamyan Center": the town, not the province
        if len(parts) > 2 and not _tokens(parts[-2])[0]:
            return None  # "Provincial Capital (Ghazni)": the words before name what the name after is
        before = _NON_ALNUM.sub(" ", _fold(" ".join(parts[:-1]))).split()
        if any(before[i : i + len(words)] == words for i in range(len(before))):
            return None  # "Laghman High School, Laghman": the building is named after it too
        match = self._lookup(parts[-1], fuzzy=False)
        if not words or match is None or match.is_foreign or match.entry.kind not in ("province", "capital"):
            return None
        if match.entry.kind == "capital":  # "..., Kabul": the province, which its capital is named after
            iso = match.entry.province_iso
            if normalize(match.entry.name) != normalize(self.province_name(iso)):
                return None
            province = next((e for e in self.entries if e.kind == "province" and e.province_iso == iso), None)
            if province is None:
                return None
            return words, Match(province, match.confidence, match.method), parts[-1].strip(), match
        return words, match, parts[-1].strip(), None

    def _with_namesake_villages(self, text: str, match: Match, provinces: int = 1) -> Match:
        """A district or town named in a building's name, weighed against villages of that name elsewhere.

        Villages are named like districts and towns all over the country, and a building is
        named after the village it stands in as often as after a district: when the settlement
        table holds villages spelled as ``text`` in other provinces (at least ``provinces`` of them:
        :data:`_COMMON_CAPITAL_PROVINCES` for a capital or province), the place stays a candidate
        below the default ``min_score`` with them listed. Not when the name says district
        ("Sangin District Hospital"): no village is called so.
        """
        norm, hint = split_kind(text)
        if hint == "district" and match.entry.kind == "district":
            return match
        villages = _villages.get_villages()
        here = {match.entry.province_iso, *(e.province_iso for e in match.alternatives)}
        elsewhere: dict[str, int] = {}
        for line in villages.positions(phonetic_key(norm)) if norm else ():
            iso = villages.province_iso(line)
            if iso not in here:
                elsewhere.setdefault(iso, line)
        if len(elsewhere) < provinces:
            return match
        others = tuple(self._village_entry(villages, line) for _, line in sorted(elsewhere.items()))
        return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), match.method,
                     (*match.alternatives, *others))  # fmt: skip

    def _as_town_named(self, words: list[str], match: Match, before: str = "") -> Match:
        """A capital or province named by ``words`` of a building's name, weighed against villages of its name.

        Held (:meth:`_with_namesake_villages`) when villages of :data:`_COMMON_CAPITAL_PROVINCES`
        provinces or more carry the name, unless a word for city or centre (among ``words``, or
        ``before`` them) says the town is meant ("شهر قلعه نو", "مرکز سرپل").
        """
        if before in _TOWN_WORDS or any(word in _TOWN_WORDS for word in words):
            return match
        return self._with_namesake_villages(" ".join(words), match, _COMMON_CAPITAL_PROVINCES)

    def _strong_spans(self, words: list[str]) -> list[Match]:
        """The longest spans of ``words`` that are capitals' or provinces' names on record.

        A district's or town's name inside a longer one is most often part of another name
        ("Khosh Tagab Mosque", "Safar Kakar School"), so only the capitals and provinces count.

        Every span of the greatest length that names one is returned ("Kabul Herat": both).
        """
        for size in range(len(words) - 1, 0, -1):
            found = []
            for start in range(len(words) - size + 1):
                span = words[start : start + size]
                if span[0] in CONNECTORS or span[-1] in CONNECTORS:
                    continue
                match = self._lookup(" ".join(span), fuzzy=False)
                if (
                    match is not None
                    and not match.is_foreign
                    and match.method in ("exact", "alias")
                    and match.entry.kind in _STRONG_KINDS
                ):
                    before = [w for w in words[:start] if w not in _SPAN_QUALIFIERS and not w.isdigit()]
                    if match.entry.kind == "province" and before:
                        # "Karte Parwan", "Tapa-e Balkh", "Abdul Qayum Wardak": a province's name after another
                        # word ends another name (a quarter's, a village's, a person's), which may lie anywhere
                        match = Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE),
                                      match.method, match.alternatives)  # fmt: skip
                    found.append(self._as_town_named(span, match, words[start - 1] if start else ""))
            if found:
                return found
        return []

    def _nearest_within(self, text: str, provinces: set[str]) -> Match | None:
        """The district, town, capital or province inside ``provinces`` spelled closest to ``text``, if any is close.

        Searched among the keys a typo may reach (:func:`geomap._fuzzy.allowed_edits`), keeping
        only those with an Afghan place in one of ``provinces``; the confidence is that of a
        fuzzy match at that distance.
        """
        norm, hint = split_kind(text)
        if not norm or self._refusal(norm) is not None:
            return None
        key = phonetic_key(norm)
        limit = max(max_edits(len(key)), 1) if len(key) >= 4 else 0
        index = self.fuzzy_index()
        close = dict(index.within(key, limit)) if limit else {}
        close[key] = 0
        best: list[tuple[int, str]] = []
        for candidate in sorted(close):
            slot = self._by_key.get(candidate)
            if slot is None or not any(
                self.entries[i].province_iso in provinces and self.entries[i].kind not in (FOREIGN, "village")
                and tier <= 1
                for i, (tier, _) in slot.hits.items()
            ):  # fmt: skip
                continue
            distance = close[candidate]
            if distance > allowed_edits(key, candidate, candidate in index.strong):
                continue
            best.append((distance, candidate))
        if not best:
            return None
        distance = min(d for d, _ in best)
        merged = self._merge([(c, d) for d, c in best if d == distance])
        merged.hits = {
            i: hit for i, hit in merged.hits.items()
            if self.entries[i].province_iso in provinces and self.entries[i].kind not in (FOREIGN, "village")
        }  # fmt: skip
        if distance == 0:
            return self._choose(merged, hint, self._by_norm.get(norm), provinces=provinces)
        confidence = max(0.5, 0.9 - 0.1 * (distance - 1) - 0.5 * distance / max(len(key), 1))
        return self._choose(merged, hint, fuzzy_confidence=confidence, provinces=provinces)

    def _without_affixes(self, text: str) -> Match | None:
        """A name on record inside an honorific or a trailing "central": "Hazrati Imam Sahib", "Baghlan Markazi".

        Tried only when the whole name is not on record, so names that include the word
        (Hazrati Sultan, Markazi Bihsud) keep it. Exact and alias matches only.
        """
        whole = _NON_ALNUM.sub(" ", _fold(text)).split()
        words = list(whole)
        numbered = _FUSED_NUMBER.fullmatch(words[-1]) if words else None
        if numbered:
            words[-1:] = numbered.groups()  # "Jaghatu1", "Kohistan2"
        # a place on record with its number ("Kohistan 2" is Kapisa's Hisa-i-Duwumi Kohistan): "Kohistan No. 2"
        kept = [w for w in words if w not in _NUMBERED_PART] if words and words[-1].isdigit() else []
        while words and (words[-1] in TRAILING_GENERIC_WORDS or (words[-1].isdigit() and len(words[-1]) <= 2)):
            words = words[:-1]
            if words and words[-1] in _NUMBERED_PART:
                words = words[:-1]
        tried = {" ".join(whole)}
        # the trailing words first, then an honorific too ("Hazrati Sultan 1" is Hazrati Sultan), after the
        # word for district that may lead ("ولسوالی حضرت امام صاحب", "د حضرت امام صاحب ولسوالۍ"), kept as a hint
        lead = next((i for i, w in enumerate(words) if _kind_word(w) is None and w != _PASHTO_OF), len(words))
        named = next(
            (i for i in range(lead, len(words)) if words[i] not in HONORIFIC_WORDS | _LEADING_GENERIC_WORDS), len(words)
        )
        for rest in (" ".join(kept), " ".join(words), " ".join(words[:lead] + words[named:])):
            if not rest or rest in tried:
                continue
            tried.add(rest)
            match = self._lookup(rest, fuzzy=False)
            if match is not None and not match.is_foreign:
                return match
        return None

    def _numbered_part(self, text: str) -> Match | None:
        """A numbered part of a district written around its name: "Kohistan Hesa Awal", "Hesa Duwum Kohistan".

        The words for part (hisa, hesa, hissa; Dari حصه) and first or second (awal, awali;
        duwum, duwumi, dowom; Dari اول, دوم) may stand before or after the name, with or
        without the izafa. The district on record as "Hisa-i-Awali <name>" (Dari "حصه اول
        <name>") or with its number ("<name> 1") answers; a district not split into parts
        answers for its part when the name alone is that district. Exact and alias matches only.
        """
        words = _NON_ALNUM.sub(" ", _fold(text)).split()
        for at, word in enumerate(words[:-1]):
            if not _PART_WORD.fullmatch(word):
                continue
            nth = at + 1
            while nth < len(words) - 1 and words[nth] in _IZAFA:
                nth += 1
            if _FIRST_WORD.fullmatch(words[nth]):
                number = 1
            elif _SECOND_WORD.fullmatch(words[nth]):
                number = 2
            else:
                continue
            rest = words[:at] + words[nth + 1 :]
            while rest and rest[0] in _IZAFA:
                rest = rest[1:]
            while rest and rest[-1] in _IZAFA:
                rest = rest[:-1]
            if not rest:
                return None  # the part words alone ("Hisa-i-Awal") are read as any name
            name = " ".join(rest)
            if _HAS_ARABIC.search(word):
                written = f"{_DARI_PARTS[number - 1]} {name}"
            else:
                written = f"{_LATIN_PARTS[number - 1]} {name}"
            for form in (written, f"{name} {number}"):
                match = self._lookup(form, fuzzy=False)
                if match is not None and not match.is_foreign and match.entry.kind == "district":
                    return _as_alias(match)
            whole = self._lookup(name, fuzzy=False)
            if whole is not None and not whole.is_foreign and whole.entry.kind == "district" and not whole.alternatives:
                return _as_alias(whole)  # "حصه اول خنج": the district that is that part
            return None
        return None

    def _in_named_district(self, name: str, found: Match, districts: list[Match]) -> Match:
        """``found`` (a place called ``name`` in the province of ``districts``, the districts the text
        names beside it: "Ismail Khail (Mandozai)") when it lies in one of them; else the village of
        that name in one of them, else the district itself at :data:`BRACKETED_DISTRICT_CONFIDENCE`
        with ``found`` as an alternative: the text places the name there, and the village found is a
        namesake in another district."""
        named = {d.entry.district_id for d in districts} - {""}
        if found.entry.kind != "village" or not found.entry.district_id or found.entry.district_id in named:
            return found
        villages = _villages.get_villages()
        for line in villages.positions(phonetic_key(split_kind(name)[0])):
            if villages.village(line).district_id in named:
                entry = self._village_entry(villages, line)
                return Match(entry, found.confidence, found.method, found.alternatives)
        held = districts[0]
        return Match(held.entry, min(held.confidence, BRACKETED_DISTRICT_CONFIDENCE), held.method, (found.entry,))

    def _compound(self, text: str) -> Match | None:
        """Two names joined as one: ``"Chaman-Spin Boldak"``, ``"Narang wa Badil"``, ``"Taloqan - center of Taloqan"``.

        Each part is looked up as written (exact and alias matches only). Afghan parts in
        one province answer the name with the highest-ranked of them (a border crossing is
        the Afghan side); parts in several provinces leave it unresolved with them all as
        alternatives. Izafa hyphens (``Mazar-e-Sharif``) do not split a name.
        """
        if _PASHTO_AND.search(text):
            joined = self._lookup(_PASHTO_AND.sub(" wa ", text), fuzzy=False)
            if joined is not None and not joined.is_foreign:
                return joined
        # "Kabul-Kandahar highway": a road is named after the places it joins, and is neither of them
        road = _ROAD_AFTER.search(text) is not None
        parts = [p.strip() for p in _COMPOUND_SPLIT.split(_ROAD_AFTER.sub("", text)) if p.strip()]
        if not 2 <= len(parts) <= 4 or any(len(p) < 3 or p.casefold() in CONNECTORS for p in parts):
            return None
        looked = [self._lookup(p, fuzzy=False) for p in parts]
        found = [m for m in looked if m is not None and not m.is_foreign]
        if not found:
            return None
        # a part that names nothing on record (no place, no village) may be what the name means
        unknown = any(
            m is None and len(key := phonetic_key(split_kind(p)[0])) >= SHORT_KEY
            and not _villages.get_villages().positions(key)
            for m, p in zip(looked, parts, strict=True)
        )  # fmt: skip
        if unknown and (cut := self._cut_short(text)) is not None:
            return cut  # "Khost wa Firi" is Khost wa Firing cut short, not Khost and a name known nowhere
        found.sort(key=lambda m: (_KIND_RANK[m.entry.kind], -m.confidence))
        best = found[0]
        others = []
        for m in found[1:]:
            if m.entry.province_iso != best.entry.province_iso and m.entry.province_iso not in {
                o.province_iso for o in others
            }:
                others.append(m.entry)
        held = others or road or (unknown and best.entry.kind not in _STRONG_KINDS)
        confidence = CROSS_PROVINCE_FUZZY_CONFIDENCE if held else COMPOUND_CONFIDENCE
        return Match(best.entry, confidence, best.method, tuple(others))

    def _as_seat_district(self, match: Match, text: str) -> Match:
        """A village asked for as a district ("Deh Salah district", "ولسوالی ده صلاح", "Narai district") answered
        by the district it lies in when that district is named as the village, or as the name asked, within a
        letter (its seat: Naray is the seat of Nari); else ``match``."""
        from rapidfuzz.distance import OSA

        keys = {phonetic_key(normalize(match.entry.name)), phonetic_key(split_kind(text)[0])}
        keys = {k for k in keys if len(k) >= SHORT_KEY}
        for entry in self.entries:
            if (
                entry.kind == "district"
                and entry.district_id == match.entry.district_id
                and any(
                    OSA.distance(phonetic_key(normalize(spelling)), key) <= 1
                    for spelling in (entry.name, *entry.aliases[: entry.curated])
                    for key in keys
                )
            ):
                return Match(entry, min(match.confidence, 0.95), "alias", match.alternatives)
        return match

    def _capital_elsewhere(self, text: str, province: str) -> bool:
        """Whether ``text`` is spelled as a capital or province outside ``province`` writes its own name."""
        named = self._lookup(text, fuzzy=False)
        return (
            named is not None
            and not named.is_foreign
            and named.method == "exact"
            and named.entry.kind in _STRONG_KINDS
            and named.entry.province_iso != province
        )

    def _two_names(self, text: str) -> Match | None:
        """Two places of one province written side by side: a district and the one it was carved from, ...

        ``"Bano Andarab"`` (the district Bano and Andarab, both of Baghlan). The words are split
        in two at each place; both spans must be districts, towns, capitals or provinces on
        record (exact and alias matches) of one province, and no village may be spelled as the
        whole name. The highest-ranked of them answers at :data:`COMPOUND_CONFIDENCE`.
        """
        norm = split_kind(text)[0]
        words = norm.split()
        if not 2 <= len(words) <= 5:
            return None
        for cut in range(1, len(words)):
            parts = (" ".join(words[:cut]), " ".join(words[cut:]))
            if not all(phonetic_key(part) in self._by_key for part in parts):
                continue  # most names: no place is spelled as either span
            if _villages.get_villages().positions(phonetic_key(norm)):
                return None
            left, right = (self._lookup(part, fuzzy=False) for part in parts)
            pair = [m for m in (left, right) if m is not None and not m.is_foreign and m.entry.kind in _LARGER_KINDS]
            if len(pair) == 2 and left.entry.province_iso == right.entry.province_iso:  # type: ignore[union-attr]
                # the province named beside a place of it only says where the place lies ("Kandahar Arghandab")
                inside = [m for m in pair if not _names_its_province(m.entry)]
                best = min(inside or pair, key=lambda m: (_KIND_RANK[m.entry.kind], -m.confidence))
                return Match(best.entry, min(best.confidence, COMPOUND_CONFIDENCE), best.method)
        return None

    def _cut_short(self, text: str) -> Match | None:
        """A district's name cut short in its last word: ``"Khwaja Baha"`` (Khwaja Bahauddin), ``"Mohammad A"``.

        Lists of fixed-width fields cut long names after a few letters. Every word but the last must
        be the district's own (same phonetic key) and the last the start of its next word; later words
        of the district may be cut off too ("Wali Moham" for Wali Muhammadi Shahid). One district
        answers at :data:`CUT_SHORT_CONFIDENCE`; several (of one province or more) come back below the
        default ``min_score``, listed in ``alternatives``. Names in Latin letters of two to five words only,
        and none that a place or village of the tables is spelled as.
        """
        if not text.isascii() and _HAS_ARABIC.search(text):
            return None
        norm = split_kind(text)[0]
        words = norm.split()
        if not 2 <= len(words) <= 5 or not norm.isascii() or len(norm) < 6:
            return None
        index = self._district_words()
        keys = tuple(phonetic_key(w) for w in words)
        found = [
            entry
            for start, entry in index.get(keys[:-1], ())
            if len(start) > len(keys[-1]) and start.startswith(keys[-1])
        ] or [entry for _, entry in index.get(keys, ())]  # or cut after a whole word: "Hissa-e Awali"
        if not found:
            return None
        whole = phonetic_key(norm)
        if not _ENDS_IN_A_LETTER.search(text) and (whole in self._by_key or _villages.get_villages().positions(whole)):
            return None  # a place of its own is spelled so ("Wali Muhammad", "Sar Hawz"), not after an initial
        first, *others = dict.fromkeys(found)  # each district once, in table order
        if others:  # "Nad Al": Nad Ali or Marjah; "Dara S": either Dara-i-Sufi
            return Match(first, AMBIGUOUS_VILLAGE_CONFIDENCE, "partial", tuple(others))
        return Match(first, CUT_SHORT_CONFIDENCE, "partial")

    def _against_cut_short(self, text: str, match: Match | None) -> Match | None:
        """``match`` (none, a misspelling or below the default ``min_score``) weighed against districts whose
        names ``text`` may be cut from (:meth:`_cut_short`).

        None, or an answer below the default ``min_score``: the cut name answers. A misspelling of a place of
        another province than those districts' is as likely as they are: it comes back below the default
        ``min_score`` with them in ``alternatives`` ("Hissa-e Awali" is the start of districts of Kapisa and
        Wardak as much as a misspelling of Panjshir's Hisa-i-Awal). A name ending in one letter
        ("Mohammad A") is read as cut short before any other answer but an exact one.
        """
        if match is not None and match.is_foreign:
            return match
        cut = self._cut_short(text)
        if cut is None:
            return match
        if match is None or match.confidence < 0.5 or (match.method != "exact" and _ENDS_IN_A_LETTER.search(text)):
            return cut
        if match.method != "fuzzy":
            return match
        provinces = {e.province_iso for e in (match.entry, *match.alternatives)}
        others = tuple(e for e in (cut.entry, *cut.alternatives) if e.province_iso not in provinces)
        if not others:
            return match
        return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), match.method,
                     (*match.alternatives, *others))  # fmt: skip

    def _district_words(self) -> dict[tuple[str, ...], list[tuple[str, Entry]]]:
        """Districts by the phonetic keys of the first words of their names: ``{("kwaja",): [("bahaudin",
        Khwaja Bahauddin), ...]}``, each with the key of the word that follows (built on first use)."""
        index = getattr(self, "_by_first_words", None)
        if index is None:
            index = {}
            for entry in self.entries:
                if entry.kind != "district":
                    continue
                for spelling in (entry.name, *entry.aliases[: entry.curated]):
                    keys = [phonetic_key(w) for w in normalize(spelling).split()]
                    if not spelling.isascii() or len(keys) < 2:
                        continue
                    for cut in range(1, len(keys)):
                        pair = (keys[cut], entry)
                        row = index.setdefault(tuple(keys[:cut]), [])
                        if pair not in row:
                            row.append(pair)
            self._by_first_words = index
        return index

    def _named_in_words(self, text: str) -> Match | None:
        """A district, town, capital or province named by a run of the words of a name not on record.

        Lists of other years and bodies write a district with words around its name: merged or
        paired districts ("Tagab Keshm Bala"), a qualifier ("Sangin Qala", the fort of Sangin;
        "Asel Chakhansur", original Chakhansur; "Yakawlang Number One"). The longest runs of the
        words that are the own or listed name of a district, town, capital or province (exact
        and alias matches) are found; a run answers, with method ``partial`` and
        :data:`WORDS_CONFIDENCE`, when every other word qualifies a name (:data:`_QUALIFIERS`)
        or belongs to another such place of the same province, as written or misspelt. Runs that can be read so in
        several provinces, or whose other words name places of other provinces, leave the name
        unresolved with the candidates listed; so do other words that name nothing.
        """
        words: list[str] = []
        hint = None
        for word in _words(text):
            kind = _kind_word(word)
            if kind is None:
                words.append(word)
            else:
                hint = hint or kind
        if hint in ("village", "province") or not 2 <= len(words) <= WORDS_MAX:
            return None  # "Sangin Qala village" is a village
        if all(w in _QUALIFIERS for w in words) or not facility_words().isdisjoint(words):
            return None  # a building's name is read by :meth:`_facility`
        runs: list[tuple[int, int, Match]] = []
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                match = self._place_in_run(words[start : start + size])
                if match is not None:
                    runs.append((start, size, match))
            if runs:
                break
        if not runs:
            return None
        # the places a reading gives: the run's place, where the run is, and the places the other words name
        found: list[tuple[Entry, int, int, tuple[Entry, ...]]] = []
        named: list[Entry] = []  # every place the runs name
        for start, size, match in runs:
            before, after = words[:start], words[start + size :]
            for entry in (match.entry, *match.alternatives):
                if entry.kind not in _LARGER_KINDS and entry is not match.entry:
                    continue  # a village is listed only as a district's seat
                named.append(entry)
                iso = entry.province_iso
                ahead, behind = self._cover(before, iso, leading=True), self._cover(after, iso)
                if ahead is not None and behind is not None:
                    found.append((entry, start, size, (*ahead, *behind)))
        # the most precise place first: a district or town before a capital, any before a province ("Kapisa Tagab")
        found.sort(key=lambda f: (f[0].kind == "province", f[0].kind == "capital", f[1], f[0].province_iso))
        provinces = list(dict.fromkeys(f[0].province_iso for f in found))
        if len(provinces) == 1:
            best, start, size, beside = found[0]
            others = tuple(e for e in dict.fromkeys([*beside, *(f[0] for f in found[1:])]) if e is not best)
            city = best.kind in ("capital", "city") and not _CITY_WORDS.isdisjoint(words)
            elsewhere = [] if city else self._villages_elsewhere(" ".join(words[start : start + size]), best)
            if elsewhere and best.kind in _STRONG_KINDS:
                # "Qala-i-Naw Payin" (Ghazni): villages are named like capitals; one of them may be meant
                return Match(best, CROSS_PROVINCE_FUZZY_CONFIDENCE, "partial", (*others, *elsewhere))
            return Match(best, WORDS_CONFIDENCE, "partial", others)
        candidates = list(dict.fromkeys(f[0] for f in found))
        if not candidates:  # the runs, then the places the other words name ("Andarab Nad Ali": both listed)
            start, size, _ = runs[0]
            candidates = list(
                dict.fromkeys([*named, *self._places_in(words[:start]), *self._places_in(words[start + size :])])
            )
        best, seen, others = candidates[0], {candidates[0].province_iso}, []
        for entry in candidates[1:]:
            if entry.province_iso not in seen:
                seen.add(entry.province_iso)
                others.append(entry)
        return Match(best, CROSS_PROVINCE_FUZZY_CONFIDENCE, "partial", tuple(others))

    def _villages_elsewhere(self, text: str, entry: Entry) -> list[Entry]:
        """Villages of the settlement table spelled like ``text`` outside ``entry``'s province, one per province."""
        villages = _villages.get_villages()
        norm = split_kind(text)[0]
        elsewhere: dict[str, int] = {}
        for line in villages.positions(phonetic_key(norm)) if norm else ():
            iso = villages.province_iso(line)
            if iso != entry.province_iso:
                elsewhere.setdefault(iso, line)
        return [self._village_entry(villages, line) for _, line in sorted(elsewhere.items())]

    def _place_in_run(self, run: list[str]) -> Match | None:
        """The district, town, capital or province a run of words names as written (exact and alias matches).

        A village of the main tables that is its district's seat and carries its name ("Dahana", the seat
        of Dahana-i-Ghuri; Dari "امام صاحب", Imam Sahib's town) counts as well, when no other province has
        a place of that name.
        """
        if run[0] in CONNECTORS or run[-1] in CONNECTORS or all(w in _QUALIFIERS for w in run):
            return None
        match = self._lookup(" ".join(run), fuzzy=False)
        if match is None or match.is_foreign or match.method not in ("exact", "alias"):
            return None
        if match.entry.kind == "village":  # a district's seat, named as its district, stands for it
            key = phonetic_key(split_kind(" ".join(run))[0])
            seat = match.entry.district and not match.alternatives and _district_seat(match.entry, key)
            return match if seat else None
        return match if match.entry.kind in _LARGER_KINDS else None

    def _places_in(self, words: list[str]) -> list[Entry]:
        """The districts, towns, capitals and provinces the longest runs of ``words`` name (exact and alias matches)."""
        for size in range(len(words), 0, -1):
            found = []
            for start in range(len(words) - size + 1):
                match = self._place_in_run(words[start : start + size])
                if match is not None:
                    found += [e for e in (match.entry, *match.alternatives) if e.kind in _LARGER_KINDS]
            if found:
                return found
        return []

    def _cover(self, words: list[str], province: str, leading: bool = False) -> list[Entry] | None:
        """The places of ``province`` that ``words`` name beside qualifying words; None when some word is neither.

        Runs are read as written (exact and alias matches); words left with no qualifying word among
        them may also be a misspelling of a district, town, capital or province of ``province``.

        ``leading``: the words come before the name, where the word for fort (or saint) begins another name.
        """
        if all(w in _QUALIFIERS and not (leading and w in _AFTER_WORDS) for w in words):
            return []
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                match = self._place_in_run(words[start : start + size])
                here = (
                    []
                    if match is None
                    else [e for e in (match.entry, *match.alternatives) if e.province_iso == province]
                )
                if not here:
                    continue
                before = self._cover(words[:start], province, leading)
                after = self._cover(words[start + size :], province)
                if before is not None and after is not None:
                    return [*before, here[0], *after]
        if not any(w in _QUALIFIERS for w in words):
            # another district of the province misspelt ("Syahgirdi Ghorband": Siahgird, whose other name is Ghorband)
            match = self._lookup(" ".join(words))
            if (
                match is not None
                and not match.is_foreign
                and match.entry.kind in _LARGER_KINDS
                and match.entry.province_iso == province
                and match.confidence >= WORDS_FUZZY_CONFIDENCE
                and not self._village_elsewhere(" ".join(words), province)
            ):
                return [match.entry]
        return None

    @staticmethod
    def _village_elsewhere(text: str, province: str) -> bool:
        """Whether the settlement table holds a village spelled like ``text`` outside ``province``.

        Such words name a village as often as they misspell a place ("Karez Dand": a karez, a village
        of eighteen provinces, is no misspelt Khakrez).
        """
        villages = _villages.get_villages()
        norm = normalize(text)
        return any(villages.province_iso(line) != province for line in villages.positions(phonetic_key(norm)) if norm)

    def _with_generic_words(self, text: str) -> Match | None:
        """A place whose own or curated name includes the generic words of ``text`` ("Markaz-e Behsud").

        Generic words (``markaz``, ``center``, ``bazaar``, ...) are usually dropped, but when the
        name with them kept is a place's name on record, that place is meant, not the namesake
        of the shorter name elsewhere. Only exact and alias matches count.
        """
        if _WEIGHED_WORDS.isdisjoint(_words(text)):
            return None  # no generic word that could be part of a name
        words, hint = _tokens(text, keep_generic=True)
        if words == _tokens(text)[0]:
            return None
        norm = " ".join(w for w in words if w not in CONNECTORS)
        slot = self._by_key.get(phonetic_key(norm)) if norm else None
        if slot is None:
            return None
        match = self._choose(slot, hint, self._by_norm.get(norm))
        return match if match.method in ("exact", "alias") and not match.is_foreign else None

    def _centre_named(self, text: str) -> Match | None:
        """A district named as the word for centre joined to a name, written in Dari or Pashto ("مرکز بهسود").

        "Markazi Bihsud" (Wardak) is the central district of the Bihsud area, not the centre
        of Nangarhar's Bihsud: when a district on record is "Markazi <name>" for a name the
        words after "مرکز" or "مرکزی" reach (exact and alias matches, and their namesakes),
        that district is meant. Otherwise the word for centre reads as usual ("مرکز باميان",
        the centre of Bamyan).
        """
        words = _words(text)
        if len(words) < 2 or words[0] not in _CENTRE_WORDS:
            return None
        rest = self._lookup(" ".join(words[1:]), fuzzy=False)
        if rest is None or rest.is_foreign:
            return None
        for name in dict.fromkeys(e.name for e in (rest.entry, *rest.alternatives)):
            match = self._lookup(_CENTRE_PREFIX + name, fuzzy=False)
            if match is not None and not match.is_foreign and match.entry.kind == "district":
                return _as_alias(match)
        return None

    def _trailing_province(self, text: str) -> tuple[str, str | None]:
        """``"Deh Bala Nangarhar"`` -> ``("Deh Bala", "AF-NAN")``; the text and None when no province ends it."""
        words = text.split()
        for cut in (1, 2):
            if len(words) <= cut:
                break
            if phonetic_key(split_kind(" ".join(words[-cut:]))[0]) not in self._province_keys:
                continue  # most names end in no province: skip the full lookup
            tail = self._lookup(" ".join(words[-cut:]), fuzzy=False)
            if tail is not None and tail.entry.kind in _STRONG_KINDS and not tail.alternatives:
                # "Muqur Ghazni": a province's name, also its capital's (one province either way)
                return " ".join(words[:-cut]), tail.entry.province_iso
        return text, None

    def _with_villages(self, text: str, match: Match | None, provinces: set[str]) -> Match | None:
        """Weigh the settlement gazetteer against ``match`` (the answer of the main tables).

        A place's own or curated name (an exact or alias match) stands. Otherwise villages
        spelled like ``text`` (same phonetic key) are looked up, within ``provinces`` when
        the text names one: villages of one province answer the name (before a misspelling
        of a place elsewhere); villages of several provinces make it ambiguous, so the
        answer comes back with them in ``alternatives`` and a confidence below the default
        ``min_score`` (unresolved) unless the main answer lies in one of those provinces.
        """
        later = None  # a district created after 2014 reached through its phonetic key only
        if match is not None and match.is_foreign and match.method == "fuzzy" and self._village_named(text, provinces):
            match = None  # a village of that very name, not a misspelling of a place abroad ("Khamin" is not Xiamen)
        said = split_kind(text)[1]
        if (
            said == "district"
            and match is not None
            and match.entry.kind == "district"
            and match.confidence > CROSS_PROVINCE_FUZZY_CONFIDENCE
            and _HAS_ARABIC.search(text)
        ):
            return match  # "ولسوالی برمل": the text says district, so no village spelled so is meant
        said_village = said == "village"
        if said_village and match is not None and not match.is_foreign and match.entry.kind != "village":
            # "Marjah village": the text names a village, which the settlement table may not hold; the
            # district, town, capital or province of that name stays a candidate below the default min_score
            match = Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "fuzzy",
                          match.alternatives)  # fmt: skip
        small = match is not None and self._small_village(text, match)
        misspelt = match is not None and match.method == "fuzzy"
        misspelt = misspelt and phonetic_key(split_kind(text)[0]) not in self._by_key  # not a spelling variant
        if small and match is not None and misspelt and not provinces:
            # a misspelling of one of the few villages of the main tables: one of the settlement
            # table's thousands, or a village no table holds, is as likely meant
            match = Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "fuzzy",
                          match.alternatives)  # fmt: skip
        if match is not None and (match.method in ("exact", "alias") or match.is_foreign) and not small:
            if not _is_later_district(match.entry):
                return self._bulk_alternate_against_villages(text, match, provinces)
            if self._spelled_as(text, match.entry):
                return self._later_district_namesakes(text, match, provinces)
            later = match
        norm, hint = split_kind(text)
        if not norm or hint == "province" or self._refusal(norm) is not None:
            return match
        if hint is None and not provinces and norm in self.ordinary_words:
            return match  # "کوهستان" (mountain country) alone names no village either
        villages = _villages.get_villages()
        by_province: dict[str, list[int]] = {}  # lines of the table by province, in table order
        for line in villages.positions(phonetic_key(norm)):
            iso = villages.province_iso(line)
            if not provinces or iso in provinces:
                by_province.setdefault(iso, []).append(line)
        if later is not None and (
            hint == "district"  # "Zir-e Koh District": the text says which
            or not any(normalize(villages.name(line)) == norm for lines in by_province.values() for line in lines)
        ):
            return self._later_district_namesakes(text, later, provinces)  # no village is spelled so
        if small and match is not None and not by_province and not provinces:
            # a misspelling of a main-table village ("Khosh Pak" for Kushkak) is one of its namesakes' as much
            for line in villages.positions(phonetic_key(normalize(match.entry.name))):
                by_province.setdefault(villages.province_iso(line), []).append(line)
            return self._among_villages(match, by_province, villages, norm)
        if not by_province:
            return match
        if (
            match is not None
            and _is_later_district(match.entry)
            and (later is None or provinces or match.entry.province_iso in by_province)
        ):
            # a village spelled so is meant, not a misspelling of a district created after 2014, nor the district
            # when the village lies in its province ("Darah-ye Bum"); a district reached by its own key (one of its
            # spellings, which a village of another province has on record: "Zir Koh") stays beside the village,
            # both below the default min_score
            match = None
        if small and match is not None and not provinces:
            # a village of the main tables is one village of the name among the settlement table's
            return self._among_villages(match, by_province, villages, norm)
        if match is not None and match.entry.province_iso in by_province:
            return match  # the main tables and the villages agree on the province
        if match is not None and provinces and match.entry.province_iso not in provinces:
            match = None  # the text names the province: a misspelling of a place elsewhere is not meant
        # each province's village spelled as asked, else its first of the key ("Sangar", not "Sangar Saray")
        entries = [
            self._village_entry(villages, next((n for n in group if normalize(villages.name(n)) == norm), group[0]))
            for group in by_province.values()
        ]
        # villages spelled as asked first ("Sangar, Ghor", not "Sangar Saray"), then the provinces of most villages
        entries.sort(key=lambda e: (normalize(e.name) != norm, -len(by_province[e.province_iso]), e.province_iso))
        if match is not None:
            entries.append(match.entry)  # a misspelling of a place elsewhere stays a candidate
        exact = any(normalize(villages.name(line)) == norm for line in by_province[entries[0].province_iso])
        method = "exact" if exact else "alias"
        if len(entries) == 1 and not provinces and villages.is_common(phonetic_key(norm)):
            # villages spelled within a letter of the name lie all over the country and the table does
            # not hold every village: its one village of the name says little about which is meant
            return Match(entries[0], AMBIGUOUS_VILLAGE_CONFIDENCE, method)
        if len(entries) == 1 and not provinces:
            namesakes = self._named_village_elsewhere(villages, by_province[entries[0].province_iso], norm)
            if namesakes:
                # "Qaryah-ye Rabat" (the village Rabat): GeoNames writes the word for village into the names
                # of some provinces' villages; the village meant may be any of the name's
                return Match(entries[0], AMBIGUOUS_VILLAGE_CONFIDENCE, method, namesakes)
        if len(entries) == 1:
            return Match(entries[0], VILLAGE_CONFIDENCE, method)
        return Match(entries[0], AMBIGUOUS_VILLAGE_CONFIDENCE, method, tuple(entries[1:]))

    def _bulk_alternate_against_villages(self, text: str, match: Match, provinces: set[str]) -> Match:
        """A place reached only through one of GeoNames' bulk alternate names, weighed against villages so spelled.

        Those names are older or other names of the place ("Qala-e Wazir" for Mahmud-i-Raqi) that
        villages elsewhere also carry: when the settlement table holds villages spelled as ``text``
        in other provinces, the place is one of the name's candidates (unresolved, confidence 0.3,
        the villages listed), as among villages of several provinces. Not when the text names the
        province.
        """
        if provinces or match.is_foreign or match.alternatives or match.entry.kind not in ("capital", "city"):
            return match
        norm, _ = split_kind(text)
        key = phonetic_key(norm) if norm else ""
        slot = self._by_key.get(key)
        if slot is None:
            return match
        tiers = [hit[0] for i, hit in slot.hits.items() if self.entries[i] is match.entry]
        if not tiers or min(tiers) < 2:
            return match
        villages = _villages.get_villages()
        written = norm.replace(" ", "")
        elsewhere: dict[str, int] = {}
        for line in villages.positions(key):
            iso = villages.province_iso(line)
            if iso == match.entry.province_iso:
                continue
            if match.entry.kind == "capital" and normalize(villages.name(line)).replace(" ", "") != written:
                continue  # a capital's other spellings are its own ("Talqan", Taloqan) unless a village is named so
            elsewhere.setdefault(iso, line)
        if not elsewhere:
            return match
        others = tuple(self._village_entry(villages, line) for _, line in sorted(elsewhere.items()))
        return Match(match.entry, min(match.confidence, AMBIGUOUS_VILLAGE_CONFIDENCE), match.method, others)

    def _named_village_elsewhere(
        self, villages: _villages.VillageIndex, lines: list[int], norm: str
    ) -> tuple[Entry, ...]:
        """The villages of other provinces named as a village on ``lines`` (of one province) is named without
        the word for village that its recorded name holds ("Rabat" for "Qaryah-ye Rabat"); empty if none.

        GeoNames writes the Dari or Pashto word for village into the names of the villages of some
        provinces ("Qaryah-ye Rabat", "Tangi Kelay"), and lists write it beside any village's name
        ("قریه رباط", "Tangi Kalai"): the name the word qualifies is what tells villages apart, and when
        villages of other provinces carry it ("Rabat", "Tangi"), any of them may be meant. Only for a
        ``norm`` (the name asked) that writes that name with the same consonants, not another name of
        the village.
        """
        here = villages.province_iso(lines[0])
        elsewhere: dict[str, int] = {}
        said = " ".join(w for w in norm.split() if w not in _RECORDED_VILLAGE_WORDS and w not in _VILLAGE_WORDS)
        core = consonant_core(said if _HAS_ARABIC.search(said) else phonetic_key(said))
        for line in lines:
            words = normalize(villages.name(line)).split()
            rest = [w for w in words if w not in _RECORDED_VILLAGE_WORDS]
            if len(rest) == len(words) or not rest or consonant_core(phonetic_key(" ".join(rest))) != core:
                continue
            for other in villages.positions(phonetic_key(" ".join(rest))):
                iso = villages.province_iso(other)
                if iso != here:
                    elsewhere.setdefault(iso, other)
        return tuple(self._village_entry(villages, line) for _, line in sorted(elsewhere.items()))

    def _small_village(self, text: str, match: Match) -> bool:
        """Whether ``match`` is a village of the main tables to weigh as one village of its name among others.

        Not a district's seat (:func:`_district_seat`), nor a village whose own name is a larger
        place's of another province (:meth:`_as_larger_namesake` answers that place).
        """
        if match.is_foreign or match.entry.kind != "village":
            return False
        key = phonetic_key(split_kind(text)[0])
        if _district_seat(match.entry, key) and (
            _seat_named_as_district(match.entry, key)
            or not any(
                self._common_village_name(k, match.entry.province_iso)
                for k in (key, phonetic_key(normalize(match.entry.name)))
            )
        ):
            return False
        return not self._larger_elsewhere(match.entry)

    def _common_village_name(self, key: str, province: str) -> bool:
        """Whether the settlement table gives villages spelled as ``key`` in :data:`_COMMON_CAPITAL_PROVINCES`
        provinces or more besides ``province``: a district's seat named by a part of the district's name
        ("Chahar Bagh", four gardens, in Khani Chahar Bagh) is then one village of a common name, not the
        district's centre."""
        villages = _villages.get_villages()
        elsewhere = {villages.province_iso(line) for line in villages.positions(key)} - {province}
        return len(elsewhere) >= _COMMON_CAPITAL_PROVINCES

    def _larger_elsewhere(self, entry: Entry) -> bool:
        """Whether a village's own name is a district's, town's, capital's or province's of another province."""
        slot = self._by_key.get(phonetic_key(normalize(entry.name)))
        return slot is not None and any(
            hit[0] <= 1 and self.entries[i].kind in _LARGER_KINDS and self.entries[i].province_iso != entry.province_iso
            for i, hit in slot.hits.items()
        )

    def _among_villages(
        self,
        match: Match,
        by_province: dict[str, list[int]],
        villages: _villages.VillageIndex,
        norm: str,
    ) -> Match:
        """A village of the main tables weighed as one more village of the name ("Chinar", "Chahar Qala").

        The main tables' populated places below town size are villages like the settlement
        table's: when villages spelled alike lie in other provinces too, the name is as
        ambiguous as any village name found in several provinces (unresolved, the others
        listed), and a common name in one province is held as the settlement table's would be.
        """
        here = match.entry.province_iso
        others = [self._village_entry(villages, lines[0]) for iso, lines in by_province.items() if iso != here]
        others.sort(key=lambda e: (-len(by_province[e.province_iso]), e.province_iso))
        if others:
            seen = {e.province_iso for e in match.alternatives}
            extra = tuple(e for e in others if e.province_iso not in seen)
            return Match(match.entry, min(match.confidence, AMBIGUOUS_VILLAGE_CONFIDENCE), match.method,
                         (*match.alternatives, *extra))  # fmt: skip
        if not match.alternatives and villages.is_common(phonetic_key(norm)):
            return Match(match.entry, min(match.confidence, AMBIGUOUS_VILLAGE_CONFIDENCE), match.method)
        return match

    def _village_named(self, text: str, provinces: set[str]) -> bool:
        """Whether a village (within ``provinces`` when given) is spelled as ``text`` (after normalisation)."""
        norm, hint = split_kind(text)
        if not norm or hint == "province" or self._refusal(norm) is not None:
            return False
        villages = _villages.get_villages()
        return any(
            normalize(villages.name(line)) == norm
            for line in villages.positions(phonetic_key(norm))
            if not provinces or villages.province_iso(line) in provinces
        )

    def _spelled_as(self, text: str, entry: Entry) -> bool:
        """Whether ``text`` is one of ``entry``'s own or curated spellings (after normalisation)."""
        slot = self._by_norm.get(split_kind(text)[0])
        return slot is not None and any(self.entries[i] is entry for i in slot.hits)

    def _later_district_namesakes(self, text: str, match: Match, provinces: set[str]) -> Match:
        """A district created after 2014 and villages of other provinces spelled like it (Zirkoh; Zir-e Koh).

        The district outranks a village, but the villages stay candidates: without a
        province in the text they are listed in ``alternatives`` (confidence lowered as for
        any namesake); a text naming a village's province answers the village.
        """
        norm, _ = split_kind(text)
        villages = _villages.get_villages()
        elsewhere: dict[str, int] = {}  # province -> first line of the table
        for line in villages.positions(phonetic_key(norm)) if norm else ():
            iso = villages.province_iso(line)
            if iso != match.entry.province_iso:
                elsewhere.setdefault(iso, line)
        if not elsewhere:
            return match
        if provinces:
            inside = [iso for iso in elsewhere if iso in provinces]
            if match.entry.province_iso in provinces or not inside:
                return match
            village = self._village_entry(villages, elsewhere[inside[0]])
            return Match(village, VILLAGE_CONFIDENCE, match.method, (match.entry,))
        seen = {e.province_iso for e in match.alternatives}
        others = [self._village_entry(villages, line) for iso, line in sorted(elsewhere.items()) if iso not in seen]
        confidence = match.confidence if match.alternatives else round(match.confidence * 0.8, 3)
        return Match(match.entry, confidence, match.method, (*match.alternatives, *others))

    def _village_entry(self, villages: _villages.VillageIndex, line: int) -> Entry:
        """The village on ``line`` of the table as an entry (kept: names in a batch often share villages)."""
        if villages is not self._entries_of or len(self._village_entries) >= _CACHE_SIZE:
            self._village_entries, self._entries_of = {}, villages
        entry = self._village_entries.get(line)
        if entry is None:
            entry = self._village_entries[line] = self._make_village_entry(villages.village(line))
        return entry

    def _make_village_entry(self, village: _villages.Village) -> Entry:
        iso = village.province_iso
        district = self.district_names.get(village.district_id, "")
        return Entry(village.name, "village", iso, self._province_names.get(iso, ""), village.lat, village.lon,
                     0, (), f"GeoNames {village.geonameid}", 0, village.district_id if district else "",
                     district)  # fmt: skip

    def refusal(self, name: str) -> str | None:
        """Why ``name`` is not a place although it looks like one, or ``None``.

        A word of the not-place list (``"Ghani"``: ``"a person's name"``), a demonym
        formed from a province's or capital's name (``"Herati"``: ``"a demonym of Herat"``),
        or a Dari or Pashto ordinary word that is also a district's name, written alone
        (``"شهدا"``, martyrs).
        """
        text = "" if name is None else str(name)
        if len(text) > MAX_NAME_CHARS:
            return f"longer than {MAX_NAME_CHARS} characters, not a place name"
        parts = [p for p in _PART_SPLIT.split(text) if p.strip()]
        norm, hint = split_kind(parts[0] if parts else text)
        found = self._refusal(norm)
        if found is None and hint is None and norm in self.ordinary_words:
            meaning = self.ordinary_words[norm]
            return f"an ordinary word, {meaning}; for a district of that name add the word for district or its province"
        return found

    def _refusal(self, norm: str) -> str | None:
        if not norm:
            return None
        if norm not in self._refusals:
            if len(self._refusals) > _CACHE_SIZE:
                self._refusals.clear()
            self._refusals[norm] = self._find_refusal(norm)
        return self._refusals[norm]

    def _find_refusal(self, norm: str) -> str | None:
        for word in (norm, norm[:-1] if norm.endswith("s") else None):
            if word and word in self.not_places:
                return f"{self.not_places[word]}, not a place"
        words = norm.split()
        last = words[-1]
        for ending in DEMONYM_ENDINGS:
            if not last.endswith(ending) or len(last) - len(ending) < 3:
                continue
            stem = phonetic_key(" ".join([*words[:-1], last[: -len(ending)]]))
            slot = self._by_key.get(stem)
            place = None
            if slot is not None:
                strong = [i for i, (tier, _) in slot.hits.items() if tier == 0]
                place = min(strong, key=lambda i: self._rank(i, slot), default=None)
            if place is None:
                continue
            full = self._by_key.get(phonetic_key(norm))
            if full is not None and any(
                tier <= 1 and self.entries[i].kind != FOREIGN and i != place for i, (tier, _) in full.hits.items()
            ):
                return None  # another place is named so (a village called Kabuli)
            return f"a demonym of {self.entries[place].name}, not a place"
        return None

    def _lookup(self, text: str, *, fuzzy: bool = True, provinces: set[str] | None = None) -> Match | None:
        """:meth:`_find` remembered: a name's parts and runs of words are looked up again and again."""
        memo_key = (text, fuzzy, frozenset(provinces) if provinces else None)
        if memo_key not in self._lookup_memo:
            if len(self._lookup_memo) > _LOOKUPS_REMEMBERED:
                self._lookup_memo.clear()  # bounded memory over any number of names
            self._lookup_memo[memo_key] = self._find(text, fuzzy=fuzzy, provinces=provinces)
        return self._lookup_memo[memo_key]

    def _find(self, text: str, *, fuzzy: bool = True, provinces: set[str] | None = None) -> Match | None:
        norm, hint = split_kind(text)
        if not norm or self._refusal(norm) is not None:
            return None
        if hint is None and not provinces and norm in self.ordinary_words:
            return None  # "شهدا" (martyrs) alone is no place; "ولسوالی شهدا" and "شهدا بدخشان" are Shahada
        key = phonetic_key(norm)
        slot = self._by_key.get(key)
        if slot is not None and _PASHTO_LETTER.search(norm) and not self._names_a_larger_place(slot):
            # "څوکی" is the Kunar district Chawkay (چوکی), not the village of Kunar that GeoNames spells so
            pashto = self._pashto_letters(norm, hint, provinces)
            if pashto is not None:
                return pashto
        if slot is not None:
            exact = self._by_norm.get(norm)
            match = self._choose(slot, hint, exact, provinces=provinces, short=len(key) < SHORT_KEY)
            if (
                fuzzy
                and match.is_foreign
                and match.entry.population < FOREIGN_METROPOLIS_POPULATION
                and re.fullmatch(r"GeoNames \d+ \([A-Z]{2}\)", match.entry.source)  # a town, not a country
                and not (exact is not None and any(self.entries[i] is match.entry for i in exact.hits))
            ):
                # a foreign town (not a country, a metropolis or a hand-listed name) that only sounds
                # like the query (Koganei for "Khogaani") does not hide a misspelt Afghan district,
                # town, capital or province
                afghan = self._fuzzy_lookup(key, hint, provinces, _word_starts(norm))
                if afghan is not None and not afghan.is_foreign and afghan.entry.kind != "village":
                    return afghan
            return match
        if not fuzzy or hint == "village":
            # "Kaarez Village" names a village: a misspelling of a district, town, capital or province
            # (Khakrez) is not what the text means
            return None
        return (
            self._pashto_letters(norm, hint, provinces)
            or self._adjectival(norm, hint, provinces)
            or self._upper_lower(norm, hint, provinces)
            or self._diphthong(key, hint, provinces)
            or self._respelled(norm, hint, provinces)
            or self._lost_letters(norm, hint, provinces)
            or self._same_consonants_in_dari(norm, hint, provinces)
            or self._fuzzy_lookup(key, hint, provinces, _word_starts(norm))
            or self._dari_plural(norm, hint, provinces)
            or self._transliterated(norm, hint, provinces)
            or self._read_in_dari_letters(norm, provinces)
        )

    def _read_in_dari_letters(self, norm: str, provinces: set[str] | None) -> Match | None:
        """A name written with Pashto letters, misspelt or not on record, read with Dari letters by every rule
        (``"واټه پور"``, Wata Pur, is ``"واته پور"``): a misspelling is read against the Dari spellings.

        Each reading of :data:`PASHTO_LETTERS` is tried in turn (at most :data:`PASHTO_READINGS`); the
        first that names a place answers, at most at the confidence of a Pashto spelling. Not when a village
        is spelled with the Pashto letters as asked."""
        if not _PASHTO_LETTER.search(norm) or not _HAS_ARABIC.search(norm) or self._village_spelled(norm, None):
            return None  # a village spelled with those very letters is meant ("څڅوبۍ", Tsobi)
        for variant in _in_dari_letters(norm)[:PASHTO_READINGS]:
            if phonetic_key(variant) in self._by_key:
                continue  # a name on record in those letters: read as such already (:meth:`_pashto_letters`)
            match = self._lookup(variant, provinces=provinces)
            if match is not None and not match.is_foreign:
                return Match(match.entry, min(match.confidence, PASHTO_LETTERS_CONFIDENCE), match.method,
                             match.alternatives)  # fmt: skip
        return None

    @staticmethod
    def _village_spelled(norm: str, hint: str | None) -> bool:
        """Whether a village is spelled as ``norm``, unless the text says it names a district ("ولسوالی برمل")."""
        return hint != "district" and bool(_villages.get_villages().positions(phonetic_key(norm)))

    def _names_a_larger_place(self, slot: _Key) -> bool:
        """Whether ``slot`` holds a district's, town's, capital's or province's own or curated name."""
        return any(hit[0] <= 1 and self.entries[i].kind in _LARGER_KINDS for i, hit in slot.hits.items())

    def _pashto_letters(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A name written with Pashto letters where the place's name is on record in Dari ones: ``"ډند"`` (Dand).

        Pashto writes ``ټ ډ ړ ڼ ښ ږ ځ څ`` where Dari writes ``ت د ر ن`` and, as the dialect says them,
        ``ش`` or ``خ``, ``ژ`` or ``گ``, ``ز`` or ``ج``, ``چ`` or ``س`` (:data:`PASHTO_LETTERS`). A name with
        such letters that is no district's, town's, capital's or province's own or curated name is read
        with the Dari letters; a place of those kinds spelled so answers (``alias``, 0.9), before villages
        spelled with the Pashto letters, as the name written in Dari or Latin would ("کاکړ" is Kakar of
        Zabul, as "کاکر" and "Kakar" are, not one of the villages Kakar of four other provinces).
        Differently named places in several provinces leave it held below the default ``min_score``.
        """
        if not _PASHTO_LETTER.search(norm) or not _HAS_ARABIC.search(norm):
            return None
        hits: dict[int, tuple[int, int]] = {}
        for variant in _in_dari_letters(norm):
            slot = self._by_key.get(phonetic_key(variant))
            for i, hit in slot.hits.items() if slot is not None else ():
                if hit[0] <= 1 and self.entries[i].kind in _LARGER_KINDS:
                    hits[i] = min(hit, hits.get(i, hit))
        if not hits:
            return None
        match = self._choose(_Key(hits), hint, provinces=provinces)
        names = {phonetic_key(normalize(e.name)) for e in (match.entry, *match.alternatives)}
        if match.alternatives and len(names) > 1:
            return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "fuzzy",
                         match.alternatives)  # fmt: skip
        return Match(match.entry, min(match.confidence, PASHTO_LETTERS_CONFIDENCE), "alias", match.alternatives)

    def _dari_plural(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A province named in the Dari plural: ``"کنرها"`` (Kunarha) is Kunar.

        Only a province's or capital's own or curated name with ``ها`` added is read so.
        """
        if not norm.endswith("\u0647\u0627") or len(norm) < 5 or not _HAS_ARABIC.search(norm):
            return None
        slot = self._by_key.get(phonetic_key(norm[:-2].strip()))
        hits = {} if slot is None else {i: hit for i, hit in slot.hits.items() if hit[0] == 0}
        if not hits:
            return None
        match = self._choose(_Key(hits), hint or "province", provinces=provinces)
        return Match(match.entry, min(match.confidence, 0.95), "alias", match.alternatives)

    def _transliterated(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A district's, town's, capital's or province's name in Dari or Pashto script: ``"راغستان"`` (Raghistan).

        Only for a name in Arabic script that no place or village has: its consonants
        (:func:`consonant_core`) are compared with those of the places' own and curated Latin
        names. One place, or namesakes, answer at confidence 0.7 (a reading, not a record);
        differently named places in several provinces leave it held below the default
        ``min_score`` with them listed; fewer than four consonants say too little.
        """
        if not _HAS_ARABIC.search(norm):
            return None
        ids = None
        # Pashto ښ is sh in the south and kh in the north ("بادپښ", Bad Pakh); the Arabic article
        # before a sun letter is said as that letter ("بهاوالدین", Bahauddin)
        readings = dict.fromkeys((norm, norm.replace("\u069a", "\u062e"), _ARABIC_ARTICLE.sub("", norm)))
        for reading in readings:
            core = consonant_core(reading)
            if len(core) >= TRANSLITERATED_MIN_CONSONANTS and core.isascii():
                ids = self._core_index().get(core)
            if ids:
                break
        if not ids or self._village_spelled(norm, hint):
            return None
        if any(word in facility_words() or word in _VILLAGE_WORDS for word in norm.split()):
            # "کلینیک" (clinic), "قریه شیخه" (the village Shekha): a building's or a village's name,
            # whose letters, read as consonants, would make some district's name
            return None
        # a place whose name is on record in Arabic script is written so: a name far from each of those
        # spellings ("خان دره", Khan Dara, for "کندهار", Kandahar) only shares its consonants
        ids = {i: hit for i, hit in ids.items() if not self._written_otherwise(norm, core, self.entries[i])}
        if not ids:
            return None
        slot = _Key(dict(ids))
        match = self._choose(slot, hint, fuzzy_confidence=TRANSLITERATED_CONFIDENCE, provinces=provinces)
        names = {phonetic_key(normalize(e.name)) for e in (match.entry, *match.alternatives)}
        if match.alternatives and len(names) > 1:
            return Match(match.entry, min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE), "fuzzy",
                         match.alternatives)  # fmt: skip
        return match

    @staticmethod
    def _written_otherwise(norm: str, core: str, entry: Entry) -> bool:
        """Whether ``entry`` has Arabic-script spellings on record of the name ``norm`` (Arabic script) is read
        as (the same consonants, ``core``) and ``norm`` is more than :data:`DARI_SPELLING_EDITS` edits from
        each of them ("خان دره", Khan Dara, and "کندهار", Kandahar): the name is then written otherwise, and
        only shares the place's consonants. Letters an Arabic keyboard lacks, and Pashto's, are compared as
        typed (:func:`_as_typed`), spaces dropped."""
        from rapidfuzz.distance import OSA

        query = _as_typed(norm)
        written = [
            _as_typed(w)
            for a in (entry.name, *entry.aliases)
            if _HAS_ARABIC.search(a) and consonant_core(w := normalize(a)) == core
        ]
        limit = DARI_SPELLING_EDITS if len(query) >= 5 else 1
        return bool(written) and all(OSA.distance(query, w, score_cutoff=limit) > limit for w in written)

    def _core_index(self) -> dict[str, dict[int, tuple[int, int]]]:
        """Consonant core of every Latin own or curated name -> the districts, towns, capitals, provinces."""
        index: dict[str, dict[int, tuple[int, int]]] | None = getattr(self, "_by_core", None)
        if index is None:
            index = {}
            for key in self._fuzzy_keys:
                if not key.isascii():
                    continue
                for i, hit in self._by_key[key].hits.items():
                    if self.entries[i].kind in _LARGER_KINDS and hit[0] < 2:
                        hits = index.setdefault(consonant_core(key), {})
                        hits[i] = min(hit, hits.get(i, hit))
            self._by_core = index
        return index

    def _upper_lower(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """``"Yaftal Payan"`` is Yaftal-e Sufla: upper and lower in the other language's word.

        Districts are named with the Persian (bala, payin) or the Arabic word (ulya, sufla) for upper
        and lower, and lists write the other, or the English word before the name ("Lower Yaftal"). Read
        so for districts, towns, capitals and provinces only: villages of both forms are different places
        as often as not.
        """
        words = norm.split()
        if len(words) >= 2 and words[0] in _ENGLISH_UPPER_LOWER:
            words = [*words[1:], words[0]]  # "Lower Yaftal": Yaftal Lower
        forms = _ANY_UPPER_LOWER
        if len(words) < 2 or not any(w in forms for w in words):
            return None
        hits = {}
        for form in (0, 1):
            respelled = " ".join(forms[w][form] if w in forms else w for w in words)
            slot = self._by_key.get(phonetic_key(respelled))
            if slot is not None:
                hits = {i: hit for i, hit in slot.hits.items() if hit[0] <= 1 and self.entries[i].kind in _LARGER_KINDS}
            if hits:
                break
        if not hits:
            return None
        match = self._choose(_Key(hits), hint, provinces=provinces)
        return Match(match.entry, min(match.confidence, 0.9), "alias", match.alternatives)

    def _diphthong(self, key: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """``"Naish"`` is Nesh: ``ai`` written for the ``e``/``i`` of a district's, town's or province's name."""
        variant = key.replace("ai", "i")
        slot = self._by_key.get(variant) if variant != key else None
        if slot is None:
            return None
        named = (FOREIGN, "village")
        hits = {i: hit for i, hit in slot.hits.items() if hit[0] <= 1 and self.entries[i].kind not in named}
        if not hits:
            return None
        match = self._choose(_Key(hits), hint, provinces=provinces)
        return Match(match.entry, min(match.confidence, PHONETIC_VILLAGE_CONFIDENCE), "fuzzy", match.alternatives)

    def _respelled(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A district's, town's or province's name in another romanisation: "Ghadis" (Qadis), "Chibar" (Shibar).

        Dari speech and some lists write ``gh`` for ``q``, French lists ``ch`` for ``sh``, Arabic-style
        ones ``dh`` for ``z`` (:data:`RESPELLINGS`), and Pashto ``ts`` is written ``s``, ``ts`` or ``ch``
        at the start of a name (:data:`PASHTO_TS`); these letters also stand for themselves, so they are
        not folded into the phonetic key but read so only when the name as written is no place's
        (nor a village's: "Wech" is the Baghlan village, not Kandahar's Wesh).
        """
        variants = [norm.replace(old, new) for old, new in RESPELLINGS if old in norm]
        # Pashto څ (ts) is written s, ts or ch at the start of a name: "Samkani" is Chamkani, "Sawkai" Chawkay
        for old, new in PASHTO_TS:
            if norm.startswith(old) and not norm.startswith("sh"):
                variants.append(new + norm[len(old) :])
        for variant in variants:
            slot = self._by_key.get(phonetic_key(variant))
            if slot is None:
                continue
            named = (FOREIGN, "village")
            hits = {i: hit for i, hit in slot.hits.items() if hit[0] <= 1 and self.entries[i].kind not in named}
            if hits:
                if _villages.get_villages().positions(phonetic_key(norm)):
                    return None  # a village spelled as written
                match = self._choose(_Key(hits), hint, provinces=provinces)
                return Match(match.entry, min(match.confidence, PHONETIC_VILLAGE_CONFIDENCE), "fuzzy",
                             match.alternatives)  # fmt: skip
        return None

    def _same_consonants_in_dari(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A Dari or Pashto name written with other long vowels or Pashto letters: ``"گومل"`` (Gomal, ``گومال``).

        Long vowels are written with alef, waw and yeh, or left out, as writers choose, and Pashto
        letters (``ړ ټ ډ ښ ڼ``) stand for Dari ones: a name in Arabic script that no place has is
        compared by its letters without those vowels (:func:`dari_consonants`, at least
        :data:`DARI_CONSONANTS`) with the Arabic-script own and curated names of districts and towns
        (every capital and province has its Dari name on record), and of no village. It answers
        (``fuzzy``, 0.8) only when those letters are one place's, or namesakes' of one name. A name of
        one letter fewer (a yeh ending it not counted) answers only as the place's Dari name with one
        long vowel left out that has the consonants of its Latin name too (:meth:`_short_reading`).
        Villages spelled as the name keep it when they all lie in other provinces; for a short name,
        when any does.
        """
        if not _HAS_ARABIC.search(norm):
            return None
        core = dari_consonants(norm)
        if len(core) < DARI_CONSONANTS - 1:
            return None
        index: dict[str, dict[int, tuple[int, int]]] | None = getattr(self, "_by_dari_core", None)
        if index is None:
            index = {}
            for key in self._fuzzy_keys:
                if key.isascii():
                    continue
                for i, hit in self._by_key[key].hits.items():
                    if self.entries[i].kind in ("district", "city") and hit[0] < 2:
                        for spelling in (self.entries[i].name, *self.entries[i].aliases):
                            if phonetic_key(normalize(spelling)) == key:
                                hits = index.setdefault(dari_consonants(normalize(spelling)), {})
                                hits[i] = min(hit, hits.get(i, hit))
            self._by_dari_core = index
        ids = index.get(core)
        if not ids or len({phonetic_key(normalize(self.entries[i].name)) for i in ids}) > 1:
            return None
        short = len(core) < DARI_CONSONANTS
        if short and (len(core.replace("\u06cc", "")) < DARI_CONSONANTS - 1 or not any(
                self._short_reading(norm, self.entries[i]) for i in ids)):  # fmt: skip
            # "گومل" is Gomal (گومال); "نړۍ" (world) is not Nari (ناری): a yeh ending it is no third consonant
            return None
        villages = _villages.get_villages()
        lines = villages.positions(phonetic_key(norm)) if hint != "district" else []
        spelled = {villages.province_iso(line) for line in lines}
        here = {self.entries[i].province_iso for i in ids}
        if spelled and not (spelled <= here if short else spelled & here):
            # villages spelled so in other provinces: one of them is meant, unless one lies in the place's own
            # province (its seat, often), or for a short name, all of them do
            return None
        match = self._choose(_Key(dict(ids)), hint, provinces=provinces)
        return Match(match.entry, min(match.confidence, PHONETIC_VILLAGE_CONFIDENCE), "fuzzy", match.alternatives)

    @staticmethod
    def _short_reading(norm: str, entry: Entry) -> bool:
        """Whether a short name in Arabic script is one of ``entry``'s Arabic-script names with one long vowel
        left out after its first letter (``"گومل"`` for ``"گومال"``, Gomal; ``"شتل"`` for ``"شوتل"``, Shutul),
        and has the consonants (:func:`consonant_core`) of one of its Latin own or curated names."""
        written = norm.translate(_PASHTO_AS_DARI).replace(" ", "")
        spellings = (entry.name, *entry.aliases[: entry.curated])
        return any(
            _one_vowel_left_out(written, normalize(s).translate(_PASHTO_AS_DARI).replace(" ", ""))
            for s in spellings
            if _HAS_ARABIC.search(s)
        ) and any(consonant_core(phonetic_key(normalize(s))) == consonant_core(norm) for s in spellings if s.isascii())

    def _lost_letters(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """A Dari or Pashto name whose Persian letters were lost in typing or conversion: ``"كرديز"`` (Gardez).

        An Arabic keyboard has no ``گ``, ``چ``, ``پ``, ``ژ`` and lists typed on one write ``ک``, ``ج``,
        ``ب``, ``ز`` for them; text converted from old encodings has ``ی`` for ``پ`` (``"يل علم"``,
        Pul-i-Alam; ``"سريل"``, Sar-e Pul). Those letters are read as the Persian ones (every
        combination of at most :data:`LOST_LETTERS_MAX` of them) when the name as written is no
        place's nor a village's; a district's, town's, capital's or province's own or curated name
        reached so answers (``fuzzy``, 0.8). Differently named places in several provinces leave it
        held below the default ``min_score`` with them listed.
        """
        if not _HAS_ARABIC.search(norm):
            return None
        spots = [i for i, ch in enumerate(norm) if ch in _LOST_LETTERS]
        if not spots or len(spots) > LOST_LETTERS_MAX:
            return None
        if _without_lost_letters(phonetic_key(norm)) not in self._lost_letter_keys():
            return None  # no reading of those letters is a place's name
        if self._village_spelled(norm, hint):
            return None
        hits: dict[int, tuple[int, int]] = {}
        for chosen in range(1, 1 << len(spots)):
            variant = list(norm)
            for b, i in enumerate(spots):
                if chosen >> b & 1:
                    variant[i] = _LOST_LETTERS[norm[i]]
            slot = self._by_key.get(phonetic_key("".join(variant)))
            for i, hit in slot.hits.items() if slot is not None else ():
                if self._names_a_place(i, hit):
                    hits[i] = min(hit, hits.get(i, hit))
        if not hits:
            return None
        match = self._choose(_Key(hits), hint, provinces=provinces)
        names = {phonetic_key(normalize(e.name)) for e in (match.entry, *match.alternatives)}
        cap = CROSS_PROVINCE_FUZZY_CONFIDENCE if match.alternatives and len(names) > 1 else PHONETIC_VILLAGE_CONFIDENCE
        return Match(match.entry, min(match.confidence, cap), "fuzzy", match.alternatives)

    def _lost_letter_keys(self) -> frozenset[str]:
        """:func:`_without_lost_letters` of every key that a district's, town's, capital's or province's own or
        curated name has: a name whose key is not among them reaches none by :meth:`_lost_letters`."""
        if self._lost_keys is None:
            self._lost_keys = frozenset(
                _without_lost_letters(key)
                for key, slot in self._by_key.items()
                if any(self._names_a_place(i, hit) for i, hit in slot.hits.items())
            )
        return self._lost_keys

    def _names_a_place(self, entry_id: int, hit: tuple[int, int]) -> bool:
        """Whether ``hit`` is an own or curated name of a district, town, capital or province (``entry_id``)."""
        return hit[0] <= 1 and self.entries[entry_id].kind not in (FOREIGN, "village")

    def _adjectival(self, norm: str, hint: str | None, provinces: set[str] | None) -> Match | None:
        """``"Khulmi"``: the adjectival form (ending ``-i``) of a district's or town's own or curated name.

        Provinces and capitals are left out: their forms in ``-i`` are demonyms (:meth:`refusal`).
        """
        words = norm.split()
        last = words[-1]
        if len(last) < 5 or not last.endswith("i"):
            return None
        slot = self._by_key.get(phonetic_key(" ".join([*words[:-1], last[:-1]])))
        if slot is None:
            return None
        hits = {i: hit for i, hit in slot.hits.items() if hit[0] <= 1 and self.entries[i].kind in ("district", "city")}
        if not hits:
            return None
        match = self._choose(_Key(hits), hint, provinces=provinces)
        return Match(match.entry, min(match.confidence, ADJECTIVAL_CONFIDENCE), "fuzzy", match.alternatives)

    def _choose(
        self,
        slot: _Key,
        hint: str | None,
        exact: _Key | None = None,
        fuzzy_confidence: float | None = None,
        provinces: set[str] | None = None,
        short: bool = False,
    ) -> Match:
        """Pick the best entry of ``slot``; ``exact`` holds the entries whose spelling matched before folding."""
        ids = list(slot.hits)
        if hint is not None:
            wanted = {"province": ("province",), "district": ("district",), "city": ("capital", "city"),
                      "village": ("village",)}.get(hint)  # fmt: skip
            if wanted:
                # "Zabol city" is the Iranian town, not Zabul province
                ids = [
                    i
                    for i in ids
                    if self.entries[i].kind in wanted
                    or (hint == "city" and self.entries[i].kind == FOREIGN and self.entries[i].population > 0)
                ] or ids
        if provinces:
            ids = [i for i in ids if self.entries[i].province_iso in provinces] or ids
        recorded = exact.hits if exact is not None and fuzzy_confidence is None else {}
        # among places of one tier and kind, the one spelled exactly as asked comes first (Jani Khel); a
        # district spelled so also comes before a town that has the spelling only as another name of its own
        # ("Qarabagh" is a district of Kabul or Ghazni, not the town Qarah Bagh in Herat)
        ranked = sorted(
            ids,
            key=lambda i: (
                self._rank(i, slot)[0],
                _KIND_GROUP.get(self.entries[i].kind, _KIND_RANK[self.entries[i].kind]),
                recorded.get(i, (0, -1))[1] != 0,
                self._rank(i, slot),
            ),
        )
        ranked = self._district_spelled_so_first(ranked, recorded)
        afghan = [i for i in ranked if self.entries[i].kind != FOREIGN]
        foreign = [i for i in ranked if self.entries[i].kind == FOREIGN]
        if afghan and foreign and hint is None and not provinces:
            foreign = [i for i in foreign if i in recorded] + [i for i in foreign if i not in recorded]
            best_afghan, best_foreign = self.entries[afghan[0]], self.entries[foreign[0]]
            tier = slot.hits[afghan[0]][0]
            # an Afghan place's own or curated name, spelled as asked
            afghan_recorded = any(i in recorded and slot.hits[i][0] < 2 for i in afghan)
            smaller = best_afghan.population < best_foreign.population // 10
            # an Afghan district's own or curated name stands against any foreign namesake (Ghaziabad in
            # Kunar, Nish in Kandahar): reports name districts; the text says when it means abroad
            district_named = tier == 1 and best_afghan.kind == "district"
            if (
                tier > 0
                and not district_named
                and (
                    (foreign[0] in recorded and not afghan_recorded)  # Kandy, not the village Kanday
                    or (
                        smaller  # Mashhad, Iran, not the village in Badakhshan
                        and best_foreign.population >= FOREIGN_CITY_POPULATION
                        and (best_afghan.kind == "village" or tier == 2)
                    )
                    or (smaller and best_foreign.population >= FOREIGN_METROPOLIS_POPULATION)
                )
            ):
                afghan = []
        ranked = afghan or foreign
        chosen = ranked[0]
        best = self.entries[chosen]
        if fuzzy_confidence is not None:
            method, confidence = "fuzzy", fuzzy_confidence
        elif recorded.get(chosen, (0, -1))[1] == 0:
            method, confidence = "exact", 1.0
        elif chosen not in recorded and (  # only the phonetic key matches
            best.kind == "village" or (short and best.kind in ("district", "city"))
        ):
            method, confidence = "fuzzy", PHONETIC_VILLAGE_CONFIDENCE
        else:
            method, confidence = "alias", 0.95
        others = []
        seen = {best.province_iso}
        weakest = max(slot.hits[chosen][0], 1)  # bulk alternate names do not make a name ambiguous
        for i in ranked[1:]:
            other = self.entries[i]
            if other.kind != FOREIGN and other.province_iso not in seen and slot.hits[i][0] <= weakest:
                seen.add(other.province_iso)
                others.append(other)
        if best.kind not in (FOREIGN, "village") and (method != "exact" or best.kind == "district"):
            # a large foreign city spelled exactly so: "Zabol" is Zabul province, or Zabol in Iran; a
            # district's foreign namesake of any size is listed too (Ghaziabad, Kunar, or Ghaziabad, India)
            # (one of GeoNames' bulk alternate names of it counts only for a city of a country that writes in
            # Arabic script, whose names in it are its own: "زابل" is also Zabol in Iran, but "جلال آباد" is not
            # Kyrgyzstan's Jalal-Abad, though GeoNames writes it so too)
            others += [
                self.entries[i]
                for i in foreign
                if i in recorded
                and (slot.hits[i][0] <= weakest or _writes_arabic_script(self.entries[i]))
                and (self.entries[i].population >= FOREIGN_CITY_POPULATION or best.kind == "district")
            ][:1]
        if _is_later_district(best):
            cap = PROVINCE_ONLY_CONFIDENCE if province_only(best) else LATER_DISTRICT_CONFIDENCE
            confidence = min(confidence, cap)
        if others:
            confidence *= 0.8  # after the cap, as for the villages of the settlement table
        return Match(best, round(confidence, 3), method, tuple(others))

    def _district_spelled_so_first(self, ranked: list[int], recorded: dict[int, tuple[int, int]]) -> list[int]:
        """``ranked`` with a district spelled as asked by one of its own or curated names put before its
        province's capital or town that has that spelling only as a bulk alternate name, or not at all, and
        shares the name's phonetic key. Not a capital's own district: "Chaharikar", the district of
        Parwan's capital Charikar, names the capital, as "Hirat" names Herat, so a report about it
        sets the province's status."""
        if not recorded or not ranked or self.entries[ranked[0]].kind not in ("capital", "city"):
            return ranked
        first = self.entries[ranked[0]]
        first_tier = recorded[ranked[0]][0] if ranked[0] in recorded else 3
        for i in ranked[1:]:
            entry = self.entries[i]
            if (
                i in recorded
                and recorded[i][0] < min(first_tier, 2)
                and entry.kind == "district"
                and entry.province_iso == first.province_iso
                and not (first.kind == "capital" and entry.district_id == first.district_id)
            ):
                return [i, *(j for j in ranked if j != i)]
        return ranked

    def _rank(self, entry_id: int, slot: _Key) -> tuple:
        entry = self.entries[entry_id]
        tier, position = slot.hits[entry_id]
        return (tier, _KIND_RANK[entry.kind], position > 0, -entry.population, entry.province_iso, entry.name)

    def _fuzzy_lookup(
        self, key: str, hint: str | None, provinces: set[str] | None = None, starts: tuple[int, ...] = ()
    ) -> Match | None:
        memo_key = (key, hint, frozenset(provinces or ()), starts)
        if memo_key not in self._fuzzy_memo:
            self._fuzzy_memo[memo_key] = self._fuzzy_search(key, hint, provinces, starts)
        return self._fuzzy_memo[memo_key]

    def _fuzzy_search(
        self, key: str, hint: str | None, provinces: set[str] | None, starts: tuple[int, ...]
    ) -> Match | None:
        match = self._fuzzy_candidates(key, hint, provinces, starts)
        if match is None or match.is_foreign or not match.alternatives:
            return match
        chosen = phonetic_key(normalize(match.entry.name))
        if all(phonetic_key(normalize(other.name)) == chosen for other in match.alternatives):
            return match  # namesakes (Fayzabad in three provinces): as ambiguous as the name spelled right
        if (
            len(key) >= VOWEL_KEY
            and self._only_vowels_differ(key, match.entry)
            and not any(self._only_vowels_differ(key, other) for other in match.alternatives)
        ):
            # "Qalander" is Qalandar, with Kalan Deh listed: a name written with the query's consonants
            # (another vowel) is meant before one with another consonant as close, when no place of
            # another province has those consonants ("Shatal": Shutul, Panjshir, or Shital, Kunar)
            slot = self._by_skeleton.get(skeleton(key))
            if slot is not None and {
                self.entries[i].province_iso for i in slot.hits if self.entries[i].kind != FOREIGN
            } == {match.entry.province_iso}:
                return match
        # a misspelling as close to differently named places in two provinces cannot say which: a
        # wrong province colours the wrong area, so the answer is held below the default min_score
        confidence = min(match.confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE)
        return Match(match.entry, confidence, match.method, match.alternatives)

    def _only_vowels_differ(self, key: str, entry: Entry) -> bool:
        """Whether one of the own or curated names of ``entry`` has the consonants of ``key``, in order."""
        consonants = skeleton(key)
        return any(
            skeleton(phonetic_key(normalize(spelling))) == consonants
            for spelling in (entry.name, *entry.aliases[: entry.curated])
        )

    def _fuzzy_candidates(
        self, key: str, hint: str | None, provinces: set[str] | None, starts: tuple[int, ...] = ()
    ) -> Match | None:
        # the key itself, when it matched exactly (only a foreign name), is not a misspelling of it
        found, runners_up = fuzzy_matches(self.fuzzy_index(), key, exclude=key if key in self._by_key else None)
        afghan = [(k, d) for k, d in found + runners_up if self._has_afghan(k)]
        if afghan and not any(self._has_afghan(k) for k, _ in found):
            # a misspelling is read as one of an Afghan place before a foreign one as close
            found, runners_up = afghan, []
        if not found:
            sk = skeleton(key)
            slot = self._by_skeleton.get(sk) if len(sk) >= 4 and len(key) >= 6 else None
            if slot is None:
                return None
            return self._against_villages(key, self._choose(slot, hint, fuzzy_confidence=0.7, provinces=provinces),
                                          provinces)  # fmt: skip
        distance = found[0][1]
        confidence = max(0.5, 0.9 - 0.1 * (distance - 1) - 0.5 * distance / max(len(key), 1))
        if starts and all(_edits_a_word_start(key, candidate, starts) for candidate, _ in found):
            # "Dasht-e-Barchi" is not Dashte Archi: a letter added or lost at the start of a later word
            # makes another name, not a typo of this one; the place stays a candidate only
            confidence = min(confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE)
        if all(_changes_first_sound(key, candidate) for candidate, _ in found):
            # "Zad Ali" is not Nad Ali: writers rarely change a name's first sound (its
            # transliteration variants are folded already); the place stays a candidate only
            confidence = min(confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE)
        if len(key) <= SWAP_KEY and all(_swaps_a_consonant(key, candidate) for candidate, _ in found):
            # "Zawol" is not Zabul: in a short name one sound for another (transliteration
            # variants are folded already) makes another name; the place stays a candidate only
            confidence = min(confidence, CROSS_PROVINCE_FUZZY_CONFIDENCE)
        match = self._against_villages(
            key, self._choose(self._merge(found), hint, fuzzy_confidence=confidence, provinces=provinces), provinces
        )
        if match.is_foreign or not runners_up or provinces:
            return match
        # places in other provinces as close to the query (by another kind of edit) are listed too
        seen = {match.entry.province_iso, *(e.province_iso for e in match.alternatives)}
        others = list(match.alternatives)
        close = self._merge(runners_up)
        for i in sorted(close.hits, key=lambda i: self._rank(i, close)):
            other = self.entries[i]
            if other.kind != FOREIGN and other.province_iso not in seen and close.hits[i][0] <= 1:
                seen.add(other.province_iso)
                others.append(other)
        # listed first after the place reached with fewer changed letters
        return Match(match.entry, match.confidence, match.method, tuple(others))

    def _against_villages(self, key: str, match: Match, provinces: set[str] | None) -> Match:
        """A misspelling that changes a consonant of the place's name, weighed against villages as close elsewhere.

        Romanisations of one name differ in their vowels, in ``h``, ``w`` and ``y`` and in a vowel
        put before it (Kiran wa Menjan, Kuran wa Munjan; Dawraz Payin, Darwaz-e Payin; Espeen Boldak,
        Spin Boldak); a consonant changed, added or dropped, or a vowel added or dropped at the end
        (:func:`_changes_consonants`), makes another name as often (Kalangar, Qalandar; Faraj,
        Farah; Saghari, Saghar) and villages are named so all over the country. When the
        settlement table holds a village of another province as close to the query (within as
        many edits, its own spelling included, the place's namesakes not), the query may as well
        be that village or one the table lacks: the place stays a candidate below the default
        ``min_score`` with the villages listed. A query that only leaves letters out of the
        place's name (Baral, Barmal) or swaps two neighbours (Ghanzi, Ghazni) made the commonest
        slips of the pen (:func:`_is_slip`): only a village closer, or as close with the query's
        very consonants, holds it (the keyboard's letters are the place's benefit of the doubt:
        Kanzai, a village, is no nearer Ghanzi than Ghazni is). Names in Arabic script are not
        weighed so (their lists lose letters in conversion: ``ي`` for ``پ``), nor is a query
        naming its province.
        """
        if match.is_foreign or provinces or not key.isascii() or match.confidence <= CROSS_PROVINCE_FUZZY_CONFIDENCE:
            return match
        entry = match.entry
        own = {phonetic_key(normalize(spelling)) for spelling in (entry.name, *entry.aliases[: entry.curated])}
        own = {k for k in own if k.isascii()}
        if not own:
            return match
        from rapidfuzz.distance import OSA

        distance, closest = min((OSA.distance(key, k), k) for k in own)
        if not _changes_consonants(key, closest):
            return match
        slip = _is_slip(key, closest)
        villages = _villages.get_villages()
        here = {entry.province_iso, *(e.province_iso for e in match.alternatives)}
        elsewhere: dict[str, int] = {}  # province -> line of the nearest village there
        for near, gap in villages.near(key, min(max(distance, 1), _fuzzy.VILLAGE_EDITS)):
            if near in own:
                continue  # the place's namesakes: what a misspelling of its name means as much
            if slip and gap >= distance and _changes_consonants(key, near, keyboard=False):
                continue
            for line in villages.positions(near):
                iso = villages.province_iso(line)
                if iso not in here:
                    elsewhere.setdefault(iso, line)
        if not elsewhere:
            return match
        others = tuple(self._village_entry(villages, line) for line in list(elsewhere.values())[:_HELD_VILLAGES])
        return Match(entry, CROSS_PROVINCE_FUZZY_CONFIDENCE, match.method, (*match.alternatives, *others))

    def fuzzy_index(self) -> FuzzyIndex:
        """The edit-distance index of the names typos are forgiven against, built on first use."""
        if self._fuzzy is None:
            self._fuzzy = FuzzyIndex(sorted(self._fuzzy_keys), self._strong_keys)
        return self._fuzzy

    def _has_afghan(self, key: str) -> bool:
        return any(self.entries[i].kind != FOREIGN for i in self._by_key[key].hits)

    def _merge(self, found: list[tuple[str, int]]) -> _Key:
        merged = _Key()
        for matched_key, _ in found:
            for entry_id, hit in self._by_key[matched_key].hits.items():
                if entry_id not in merged.hits or hit < merged.hits[entry_id]:
                    merged.hits[entry_id] = hit
        return merged


#: Words of a village's name that say it is a district's seat ("Ali Sher Alaqahdari", "Hukumat-e Shinkai").
_SEAT_WORDS = frozenset({"alaqahdari", "alaqadari", "hukumat", "hukumati", "hukumat-e"})


def _names_its_province(entry: Entry) -> bool:
    """Whether ``entry`` is a province, or a capital named as its province ("Kandahar", "Ghazni")."""
    return entry.kind == "province" or (
        entry.kind == "capital" and phonetic_key(normalize(entry.name)) == phonetic_key(normalize(entry.province))
    )


def _district_seat(entry: Entry, key: str) -> bool:
    """Whether a village of the main tables, asked as ``key``, is named as the seat of its district.

    A district's seat is usually its largest village and carries its name ("Aqcha" in Aqcha,
    "Chahar Bagh" in Khani Chahar Bagh, "Obeh" in Obe), or the words for a district centre
    ("Ali Sher Alaqahdari"); such a name, or the district's name asked of it, means the
    district's centre before any other village of that name.
    """
    if not _SEAT_WORDS.isdisjoint(normalize(entry.name).split()):
        return True
    return _names_its_district(entry, key, in_part=True)


def _seat_named_as_district(entry: Entry, key: str) -> bool:
    """Whether a district's seat, asked as ``key``, carries the district's whole name (within two edits:
    "Naray" in Naray), not a part of it ("Chahar Bagh" in Khani Chahar Bagh)."""
    return _names_its_district(entry, key, in_part=False)


def _names_its_district(entry: Entry, key: str, *, in_part: bool) -> bool:
    """Whether the village's own name or ``key`` (the name asked) is its district's name within two edits,
    or, ``in_part``, a part of it or the district's name a part of theirs."""
    from rapidfuzz.distance import OSA

    if not entry.district:
        return False
    district = phonetic_key(normalize(entry.district))
    for own in (phonetic_key(normalize(entry.name)), key):
        if own and (OSA.distance(own, district) <= 2 or (in_part and (own in district or district in own))):
            return True
    return False


@lru_cache(maxsize=_CACHE_SIZE)
def _names_two_joined(entry: Entry) -> bool:
    """Whether a spelling of ``entry`` joins two names with "and": Pachir wa Agam, Surkh-o-Parsa, لال و سرجنگل."""
    spellings = (entry.name, *entry.aliases)
    return any(word in _AND_WORDS for s in spellings for word in _NON_ALNUM.sub(" ", s.casefold()).split())


#: "And" written between two names (Latin and Dari).
_AND_WORDS = frozenset({"wa", "va", "o", "\u0648"})


def _connector_apart(word: str, *, first: bool, last: bool) -> tuple[str, ...]:
    """Readings of ``word`` with an "and" written onto it set apart: ``"Wagam"`` -> ``"wa gam"``, ``"w agam"``
    (not the first word: the connector's vowel may be the next word's), ``"DilaWa"`` -> ``"Dila wa"`` (not the
    last), ``"وسرجنگل"`` -> ``"و سرجنگل"``; none when it has no such connector."""
    if not first and len(word) >= 5 and word[:2].casefold() == "wa" and word[2].isalpha():
        return f"{word[:2]} {word[2:]}", f"{word[0]}a {word[1:]}"
    if not last and len(word) >= 5 and word[-2:].casefold() == "wa" and word[-3].isalpha():
        return (f"{word[:-2]} {word[-2:]}",)
    if not first and len(word) >= 4 and word[0] == "\u0648" and _HAS_ARABIC.match(word[1]):
        return (f"{word[0]} {word[1:]}",)
    return ()


def _word_starts(normalized: str) -> tuple[int, ...]:
    """Where each word after the first begins in the phonetic key of ``normalized``."""
    words = normalized.split()
    starts, at = [], 0
    for i, word in enumerate(words[:-1]):
        at += len(_fold_word(word, words[i + 1] in _SUFFIX_WORDS))
        starts.append(at)
    return tuple(starts)


#: Keys of at most this many letters whose one edit is a consonant for another are not read as typos.
SWAP_KEY = 5


def _swaps_a_consonant(key: str, candidate: str) -> bool:
    """True when ``candidate`` is ``key`` with one consonant replaced by another (``zawul``/``zabul``)."""
    if len(key) != len(candidate):
        return False
    diff = [(a, b) for a, b in zip(key, candidate, strict=True) if a != b]
    return len(diff) == 1 and diff[0][0] not in "aeiouy" and diff[0][1] not in "aeiouy"


#: First letters one romanisation writes for another's (Dari gh for q, French ch for sh, dh or dz for z),
#: after the phonetic key's folding.
_FIRST_LETTER_VARIANTS = frozenset({("g", "k"), ("k", "g"), ("c", "s"), ("s", "c"), ("d", "z"), ("z", "d")})


_FIRST_VOWELS = frozenset("aeiouy")


def _changes_first_sound(key: str, candidate: str) -> bool:
    """Whether ``candidate`` starts with another sound than ``key`` ("Zad Ali" and Nad Ali, "Aryan" and Paryan).

    Another vowel at the start (Ashtarlay, Ishtarlay), a letter added or dropped before the
    same one (Espera, Spira; Dzurmat, Zurmat) and the first letters of other romanisations do
    not count, nor does a name in another script.
    """
    a, b = key[0], candidate[0]
    if a == b or not (a.isascii() and b.isascii()) or (a in _FIRST_VOWELS and b in _FIRST_VOWELS):
        return False
    if a in _FIRST_VOWELS:
        return b not in key[:2]  # "Espera" (Spira): a vowel put before the name
    if b in _FIRST_VOWELS:
        return a not in candidate[:2]
    return b not in key[:2] and a not in candidate[:2] and (a, b) not in _FIRST_LETTER_VARIANTS


_FINAL_VOWELS = frozenset("aeiou")


def _changes_consonants(key: str, candidate: str, *, keyboard: bool = True) -> bool:
    """Whether two Latin phonetic keys differ by more than vowels: another consonant, or a vowel ending one only.

    The consonants are compared as :func:`_latin_consonants` writes them (``h``, ``w`` and ``y``
    count as vowels, ``sh``, ``ch``, ``zh`` as one letter each), so a vowel at the start does
    not count ("Espeen Boldak", Spin Boldak): ``kalangar``/``kalandar`` and ``faraj``/``fara``
    differ, ``kiranminjan``/``kuranmunjan`` and ``dauraz``/``darwaz`` do not; a vowel ending
    one key and not the other is an ending (``sagari``/``sagar``, ``damana``/``daman``).
    ``keyboard=False`` tells apart the letters an Arabic keyboard lacks (``ganzi``/``kanzi`` differ).
    """
    if _latin_consonants(key, keyboard) != _latin_consonants(candidate, keyboard):
        return True
    return (key[-1] in _FINAL_VOWELS) != (candidate[-1] in _FINAL_VOWELS)


def _is_slip(key: str, candidate: str) -> bool:
    """Whether ``key`` is ``candidate`` with letters left out (``baral``, ``barmal``) or two neighbours swapped.

    The commonest slips of the pen (``ganzi``, ``gazni``): they change no sound of the name.
    """
    if len(key) == len(candidate):
        diff = [i for i, (a, b) in enumerate(zip(key, candidate, strict=True)) if a != b]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and key[diff[0]] == candidate[diff[1]]
            and (key[diff[1]] == candidate[diff[0]])
        )
    if len(key) > len(candidate):
        return False
    letters = iter(candidate)
    return all(letter in letters for letter in key)


_NOT_LATIN_CONSONANTS = re.compile(r"[aeiouwyh]")


def _latin_consonants(key: str, keyboard: bool = True) -> str:
    """The consonants of a Latin phonetic key: ``sh``, ``ch``, ``zh`` one letter each, ``h``, ``w``, ``y`` left out.

    The letters an Arabic keyboard lacks are read as those it types for them (``g`` as ``k``,
    ``ch`` as ``j``, ``p`` as ``b``, ``zh`` as ``z``), as :func:`consonant_core` reads them: lists
    written from Dari copies without the dots romanise them so ("Salank" for Salang). Not with
    ``keyboard`` false.
    """
    core = _NOT_LATIN_CONSONANTS.sub("", key.replace("sh", "S").replace("ch", "C").replace("zh", "Z"))
    return _DOUBLED.sub("", core.translate(_ARABIC_KEYBOARD) if keyboard else core)


def _edits_a_word_start(key: str, candidate: str, starts: tuple[int, ...]) -> bool:
    """True when ``candidate`` is ``key`` with one letter added or dropped at the start of a later word of ``key``."""
    from rapidfuzz.distance import Levenshtein

    ops = Levenshtein.editops(key, candidate)
    if len(ops) != 1 or ops[0].tag not in ("insert", "delete") or ops[0].src_pos not in starts:
        return False
    # a vowel added or dropped where two words meet is a spelling ("Baal Murghab"); a consonant makes
    # another word ("Dasht-e-Barchi" is not Dashte Archi)
    letter = candidate[ops[0].dest_pos] if ops[0].tag == "insert" else key[ops[0].src_pos]
    return letter not in "aeiou"


def _facility_runs(text: str) -> list[list[str]] | None:
    """The runs of words between the building words of ``text`` (at most :data:`_FACILITY_RUNS`), each
    without connectors at its ends; ``None`` when ``text`` holds no building word."""
    words = _NON_ALNUM.sub(" ", _fold(text)).split()
    facility = facility_words()
    if not any(w in facility for w in words):
        return None
    runs: list[list[str]] = [[]]
    for word in words:
        if word in facility or word in _FILLER_WORDS:
            runs.append([])
        elif word not in CONNECTORS or runs[-1]:
            runs[-1].append(word)
    runs = [run[: max(i for i, w in enumerate(run) if w not in CONNECTORS) + 1] for run in runs if any(
        w not in CONNECTORS for w in run)]  # fmt: skip
    return runs[:_FACILITY_RUNS]


def _pashto_readings(text: str) -> list[str]:
    """Readings of a name in Arabic script as Pashto writes it after "of" (``د``), in order: without the
    word; then with the last word's ending (:data:`_PASHTO_OBLIQUE`; without "of", only ``ى`` and ``ې``)
    written ``ه``; then, after "of", without a plural ending (:data:`_PASHTO_PLURAL`). Empty for a name
    with neither.

    >>> _pashto_readings("\u062f \u06a9\u0627\u0645\u0649") == ["\u06a9\u0627\u0645\u0649", "\u06a9\u0627\u0645\u0647"]
    True
    """
    words = text.split()
    if not words:
        return []
    after_of = words[0] == _PASHTO_OF and len(words) > 1
    if after_of:
        words = words[1:]
    readings = [" ".join(words)] if after_of else []
    last = words[-1]
    if len(last) >= 3 and last[-1] in (_PASHTO_OBLIQUE if after_of else _PASHTO_OBLIQUE[:2]):
        readings.append(" ".join([*words[:-1], last[:-1] + "\u0647"]))
    if after_of and len(last) >= 4 and last[-1] == _PASHTO_PLURAL:
        readings.append(" ".join([*words[:-1], last[:-1]]))
    return readings


def _may_name_a_facility(text: str) -> bool:
    """A quick test before :meth:`Gazetteer._facility`: whether ``text`` holds a building word, as
    :data:`_FACILITY_BEGINNINGS` spells its beginnings or as :func:`facility_words` lists it."""
    return bool(_facility_word_pattern().search(text))


@cache
def _facility_beginning_pattern() -> re.Pattern[str]:
    """The beginning of a building word (:data:`_FACILITY_BEGINNINGS`), anywhere in a text, in any case."""
    return re.compile(_literal_alternation(_FACILITY_BEGINNINGS), re.IGNORECASE)


@cache
def _facility_word_pattern() -> re.Pattern[str]:
    """A word of :func:`facility_words` or the beginning of one (:data:`_FACILITY_BEGINNINGS`), anywhere in
    a text (folded words match their text in any case)."""
    return re.compile(_literal_alternation([*_FACILITY_BEGINNINGS, *facility_words()]), re.IGNORECASE)


def _literal_alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, the words sharing a beginning sharing its branch.

    It matches what ``"|".join(map(re.escape, words))`` matches, several times faster on a long
    list: at each position of the text, a letter is compared once, not once a word.

    Examples
    --------
    >>> _literal_alternation(["mosque", "mosq", "masjid"])
    'm(?:asjid|osq(?:ue)?)'
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}  # a word ends here
    if not trie:
        return "(?!)"  # no word: nothing matches

    def branch(node: dict[str, dict]) -> str:
        paths = [re.escape(letter) + branch(child) for letter, child in sorted(node.items()) if letter]
        if not paths:
            return ""
        body = paths[0] if len(paths) == 1 else "(?:" + "|".join(paths) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(paths) == 1 else body + "?"

    return branch(trie)


@cache
def _word_list(filename: str) -> frozenset[str]:
    """The folded words of a word list of the package data: one per line, ``#`` starting a comment."""
    lines = data_file(filename).read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line) for line in (raw.split("#")[0].strip() for raw in lines) if line)


def facility_words() -> frozenset[str]:
    """Words naming a building, not a place (``school``, ``masjid``, ``clinic``...), from ``facility_words.txt``."""
    return _word_list("facility_words.txt")


def town_institution_words() -> frozenset[str]:
    """Words of buildings a town has rather than a village (``hotel``, ``university``, ``prison``...), from
    ``town_institutions.txt``."""
    return _word_list("town_institutions.txt")


def personal_name_words() -> frozenset[str]:
    """Words of people's names buildings are named after (``haji``, ``muhammad``, ``غلام``...), from
    ``personal_names.txt``."""
    return _word_list("personal_names.txt")


def _names_a_person(words: Sequence[str]) -> bool:
    """Whether folded ``words`` hold a word of a person's name (:func:`personal_name_words`, or one ending in
    ``ullah`` or ``الله``): ``("haji", "baz", "muhammad")``, ``("رحمت", "الله")``."""
    people = personal_name_words()
    return any(w in people or w.endswith(("ullah", "الله")) for w in words)


def _split_alt(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(value).split("|") if v.strip())


#: Titles that begin many places' and people's names ("Hazrati Sultan", "Khwaja Ghar"): alone, as GeoNames
#: lists "Hazrat" and "Khwaja" among the other names of the town of Imam Sahib, they name no place.
_TITLE_WORDS = HONORIFIC_WORDS | {"khwaja", "khwajah", "khawaja", "khaja", "khoja"}


def _title_alone(alias: str) -> bool:
    """Whether ``alias`` is only a title (:data:`_TITLE_WORDS`): ``"Khwaja"``, ``"Hazrat"``."""
    words = _words(alias)
    return bool(words) and all(w in _TITLE_WORDS for w in words)


def _province_entries() -> list[Entry]:
    entries = []
    for row in provinces_table().itertuples(index=False):
        name_alt, capital_alt = _split_alt(row.name_alt), _split_alt(row.capital_alt)
        lat, lon = row.capital_lat, row.capital_lon
        entries.append(Entry(row.name, "province", row.iso, row.name, lat, lon, 0, name_alt, "", len(name_alt)))
        entries.append(Entry(row.capital, "capital", row.iso, row.name, lat, lon, 0, capital_alt, "", len(capital_alt)))
    return entries


def _is_later_district(entry: Entry) -> bool:
    """Whether ``entry`` is a district created after 2014 (its point lies in the district it was carved from)."""
    return entry.kind == "district" and LATER_DISTRICT_NOTE in entry.source


def province_only(entry: Entry) -> bool:
    """Whether ``entry`` is a district created after 2014 known only by its province (Abshar, Panjshir).

    Its 2014 parent district is not known, so it has no ``district_id``; a report about it is
    a report about somewhere in the province.
    """
    return entry.kind == "district" and PROVINCE_ONLY_NOTE in entry.source


#: Countries whose own script is the Arabic one (ISO 3166-1): their places' names in it are their own.
_ARABIC_SCRIPT_COUNTRIES = frozenset(
    [
        "IR",
        "PK",
        "IQ",
        "SA",
        "AE",
        "QA",
        "KW",
        "OM",
        "YE",
        "JO",
        "SY",
        "LB",
        "PS",
        "EG",
        "LY",
        "TN",
        "DZ",
        "MA",
        "MR",
        "SD",
        "BH",
    ]
)


def _writes_arabic_script(entry: Entry) -> bool:
    """Whether the foreign place ``entry`` lies in a country that writes in Arabic script."""
    country = re.search(r"\(([A-Z]{2})\)$", entry.source)
    return country is not None and country.group(1) in _ARABIC_SCRIPT_COUNTRIES


#: The ``source`` of the districts of the bundled 2014 polygons.
POLYGON_SOURCE = "geoBoundaries"


def inside_another_district(entry: Entry) -> bool:
    """Whether ``entry`` is a district the bundled 2014 polygons do not draw: created or moved since
    (Bano, carved from Andarab) or merged into another there (Dand, in Kandahar's district). Its
    ``district_id`` is the polygon holding it, which a report about it only partly concerns."""
    return entry.kind == "district" and entry.source != POLYGON_SOURCE and bool(entry.district_id)


def _table_entries(name: str, province_names: dict[str, str], *, curated: bool) -> list[Entry]:
    path = data_file(name)
    if not path.is_file():
        return []
    import pandas as pd

    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    entries = []
    for row in table.itertuples(index=False):
        aliases = _split_alt(row.aliases)
        if not curated:  # a source's other names: a title alone names no place
            aliases = tuple(a for a in aliases if not _title_alone(a))
        entries.append(
            Entry(
                name=row.name,
                kind=row.kind,
                province_iso=row.province_iso,
                province=province_names.get(row.province_iso, ""),
                lat=float(row.lat) if row.lat else float("nan"),
                lon=float(row.lon) if row.lon else float("nan"),
                population=int(float(row.population)) if row.population else 0,
                aliases=aliases,
                source=row.source,
                curated=len(aliases) if curated or row.source == POLYGON_SOURCE else 0,
                district_id=getattr(row, "district_id", ""),
            )
        )
    return entries


def _add_curated(entries: list[Entry], curated: list[Entry]) -> list[Entry]:
    """Add curated rows: new places, or more spellings of a place already listed (same name, kind, province)."""
    index = {(e.name, e.kind, e.province_iso): i for i, e in enumerate(entries)}
    out = list(entries)
    for row in curated:
        i = index.get((row.name, row.kind, row.province_iso))
        if i is None:
            index[(row.name, row.kind, row.province_iso)] = len(out)
            out.append(row)
            continue
        old = out[i]
        strong, weak = old.aliases[: old.curated], old.aliases[old.curated :]
        added = tuple(a for a in row.aliases if a not in strong)
        out[i] = replace(
            old,
            aliases=strong + added + tuple(a for a in weak if a not in added),
            curated=len(strong) + len(added),
            population=max(old.population, row.population),
        )
    return out


def _word_table(filename: str, column: str) -> dict[str, str]:
    """Words of a word list in the package data (and their listed variants) -> ``column``.

    ``not_places.csv`` gives what each word is (``category``), ``ordinary_words.csv`` what
    each Dari or Pashto word means (``meaning``)."""
    path = data_file(filename)
    if not path.is_file():
        return {}
    import pandas as pd

    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    words = {}
    for name, aliases, value in zip(table["name"], table["aliases"], table[column], strict=True):
        for word in (name, *_split_alt(aliases)):
            words[word] = value
    return words


def build_gazetteer(
    *,
    new_districts: bool = True,
    district_names: bool = True,
    later_districts: bool = True,
    district_spellings: bool = True,
) -> Gazetteer:
    """Build a fresh :class:`Gazetteer` from the tables bundled with geomap.

    Use :func:`get_gazetteer` for the cached one. ``new_districts=False`` leaves out the
    districts created after the 2014 set (``new_districts.csv``), and ``district_names=False``
    the district spellings and districts taken from Who's On First (``district_names.csv``),
    ``later_districts=False`` the districts of ``later_districts.csv``, and
    ``district_spellings=False`` the Dari and English district names of
    ``district_spellings.csv``, as their build scripts need.
    """
    entries = _province_entries()
    province_names = {e.province_iso: e.province for e in entries}
    centroids = _province_centroids()
    entries = [
        replace(e, lat=centroids[e.province_iso][0], lon=centroids[e.province_iso][1])
        if e.kind == "province" and e.province_iso in centroids
        else e
        for e in entries
    ]
    entries += _table_entries("places.csv", province_names, curated=False)
    entries = _add_curated(entries, _table_entries("aliases.csv", province_names, curated=True))
    if district_names:
        entries = _add_curated(entries, _table_entries("district_names.csv", province_names, curated=True))
    if district_spellings:
        entries = _add_curated(entries, _table_entries("district_spellings.csv", province_names, curated=True))
    if new_districts:
        entries += _table_entries("new_districts.csv", province_names, curated=True)
    if later_districts:
        entries += _table_entries("later_districts.csv", province_names, curated=True)
    entries += _table_entries("foreign_places.csv", province_names, curated=False)
    return Gazetteer(
        _merge_capitals(entries),
        _word_table("not_places.csv", "category"),
        _word_table("ordinary_words.csv", "meaning"),
    )


#: A town this close (in degrees, about 5 km) to a capital and sharing one of its names is the capital.
CAPITAL_MERGE_DEGREES = 0.05


def _near(a: Entry, b: Entry, degrees: float) -> bool:
    return abs(a.lat - b.lat) <= degrees and abs(a.lon - b.lon) <= degrees


def _merge_capitals(entries: list[Entry]) -> list[Entry]:
    """Fold a town that is a province capital (GeoNames' Kabul, ...) into the capital entry.

    Its alternate names then resolve to the capital rather than to a second entry for
    the same town.
    """
    capitals = {}
    for i, entry in enumerate(entries):
        if entry.kind == "capital":
            for spelling in (entry.name, *entry.aliases):
                capitals[(entry.province_iso, phonetic_key(normalize(spelling)))] = i
    merged: dict[int, list[str]] = {}
    population: dict[int, int] = {}
    dropped = set()
    for i, entry in enumerate(entries):
        if entry.kind not in ("city", "village"):
            continue
        target = capitals.get((entry.province_iso, phonetic_key(normalize(entry.name))))
        if target is None:  # GeoNames may file the capital under another name (Fayroz Koh = Chaghcharan)
            for spelling in entry.aliases:
                candidate = capitals.get((entry.province_iso, phonetic_key(normalize(spelling))))
                if candidate is not None and _near(entries[candidate], entry, CAPITAL_MERGE_DEGREES):
                    target = candidate
                    break
        if target is not None:
            dropped.add(i)
            merged.setdefault(target, []).extend([entry.name, *entry.aliases])
            population[target] = max(population.get(target, 0), entry.population)
    out = []
    for i, entry in enumerate(entries):
        if i in dropped:
            continue
        if i in merged:
            extra = tuple(a for a in dict.fromkeys(merged[i]) if a not in entry.aliases and a != entry.name)
            entry = replace(entry, aliases=entry.aliases + extra, population=population[i])
        out.append(entry)
    return out


def _province_centroids() -> dict[str, tuple[float, float]]:
    path = data_file("province_centroids.csv")
    if not path.is_file():
        return {}
    import pandas as pd

    table = pd.read_csv(path, dtype={"iso": str})
    return {row.iso: (float(row.lat), float(row.lon)) for row in table.itertuples(index=False)}


#: The compiled index in ``geomap/data``, written by ``scripts/build_gazetteer.py``.
COMPILED_FILE = "gazetteer.pickle.gz"
#: The tables the index is built from; the compiled index records a digest of them.
SOURCE_TABLES = (
    "provinces.csv",
    "places.csv",
    "aliases.csv",
    "foreign_places.csv",
    "new_districts.csv",
    "later_districts.csv",
    "district_names.csv",
    "district_spellings.csv",
    "not_places.csv",
    "ordinary_words.csv",
    "province_centroids.csv",
)


def source_fingerprint() -> str:
    """A digest of the source tables and of this module's code, stored in the compiled index."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in SOURCE_TABLES:
        path = data_file(name)
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def with_districts(gazetteer: Gazetteer) -> Gazetteer:
    """The gazetteer with the bundled district of every Afghan place filled in (point in polygon).

    Done once when the index is compiled, so that answering a name needs no polygons.
    A place with a district of its own already (``district_id`` set in the tables) keeps it.
    """
    import numpy as np
    import shapely

    from geomap.boundaries import load_districts
    from geomap.geocode import _district_of

    located = [
        i
        for i, e in enumerate(gazetteer.entries)
        if e.kind not in (FOREIGN, "province")
        and not e.district_id
        and not province_only(e)  # its district is not known: no point of the province stands for it
        and e.lat == e.lat
        and e.lon == e.lon
    ]
    points = shapely.points([gazetteer.entries[i].lon for i in located], [gazetteer.entries[i].lat for i in located])
    provinces = np.array([gazetteer.entries[i].province_iso for i in located], dtype=object)
    ids, names = _district_of(points, provinces)
    for i, district_id, name in zip(located, ids, names, strict=True):
        if district_id is not None:
            gazetteer.entries[i] = replace(gazetteer.entries[i], district_id=district_id, district=name)
    districts = load_districts()
    gazetteer.district_names = dict(zip(districts["district_id"], districts["name"], strict=True))
    for i, entry in enumerate(gazetteer.entries):
        if entry.district_id and not entry.district:  # a district of the tables (a new one's 2014 district)
            gazetteer.entries[i] = replace(entry, district=gazetteer.district_names.get(entry.district_id, ""))
    return gazetteer


def compile_gazetteer(path: str | os.PathLike) -> Gazetteer:
    """Build the gazetteer from the bundled tables and write it, ready to load, to ``path``."""
    gazetteer = with_districts(build_gazetteer())
    payload = pickle.dumps({"fingerprint": source_fingerprint(), "gazetteer": gazetteer}, protocol=5)
    payload = gzip.compress(payload, compresslevel=9, mtime=0)
    target = Path(path)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(payload)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)
    return gazetteer


def load_compiled(path: str | os.PathLike | None = None) -> Gazetteer | None:
    """The compiled index shipped with geomap, or ``None`` when missing or out of date.

    It is geomap's own file, written by ``scripts/build_gazetteer.py`` from the tables beside
    it; it is used only while its recorded digest matches those tables and this module.
    ``path`` reads another file written by :func:`compile_gazetteer` instead.
    """
    path = data_file(COMPILED_FILE) if path is None else Path(path)
    if not path.is_file():
        return None
    try:
        with gc_paused():
            payload = pickle.loads(gzip.decompress(path.read_bytes()))
    except Exception:  # written by another version of the code: build from the tables instead
        return None
    if not isinstance(payload, dict) or payload.get("fingerprint") != source_fingerprint():
        return None
    gazetteer = payload.get("gazetteer")
    return gazetteer if isinstance(gazetteer, Gazetteer) else None


@cache
def get_gazetteer() -> Gazetteer:
    """The gazetteer of geomap's bundled tables: the compiled index, or built on first call (as
    the index is compiled: with every place's district, which takes the bundled districts).

    Returns
    -------
    Gazetteer
        Its ``entries`` attribute lists every place; ``resolve(name)`` finds one.
    """
    return load_compiled() or with_districts(build_gazetteer())
