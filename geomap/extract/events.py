"""Step 4: control statements: which phrase governs which place, with what status."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import NamedTuple

from geomap.extract._data import Phrase as _Pattern
from geomap.extract._data import control_phrases, literals_in, side, words
from geomap.extract._model import ACTOR as _ACTOR
from geomap.extract._model import CONTESTED, GOVERNMENT, TALIBAN, Mention, Statement
from geomap.extract._prefilter import PatternIndex
from geomap.extract.claims import _DENIAL, _FALSE_REPORT, _NEGATION
from geomap.extract.mentions import PLACED_BY_COMMA, _locative, after_opening_in, list_continues, names_province

_OBJ = side("taliban")
_GOV = side("government")
_PATTERNS = control_phrases()
# Each phrase's regex behind the test of what its matches need (a verb of holding and a side, ...): the
# phrases are slow to try at every position, and most sentences hold none of them.
_INDEX = PatternIndex(pattern.regex for pattern in _PATTERNS)
_QUICK = {pattern.regex: quick for pattern, quick in zip(_PATTERNS, _INDEX.quick, strict=True)}
_FILLER_BEFORE = words("filler_before")
_FILLER_AFTER = words("filler_after")
_COORDINATION = re.compile(
    r"^(?:\s*,)?\s*(?:,|and|or|as\s+well\s+as|along\s+with|plus|together\s+with|&)\s*$|^\s*,\s*$"
)
_APPOSITION = re.compile(r",[^,;]*?,")
# A clause left open before the phrase ("Kunduz, which the group seized") is an aside unless it starts
# something else ("Lashkar Gah, where the insurgents seized the police headquarters").
_OPEN_ASIDE = re.compile(
    r",(?![^,;]*\b(?:where|when|though|although|but|while|whereas|because|if|unless|despite|however)\b)[^,;]*?,", re.I
)


_PURPOSE = re.compile(r"\bfor\s+(?:an?|the|another|a\s+new|a\s+final)?\s*$", re.I)


def _without_asides(gap: str) -> str:
    """``gap`` between a place and a phrase after it, without asides ("X, the capital of Y, fell";
    "X, the capital of Y, which lies 70 km from Z, was captured")."""
    for _ in range(4):  # asides in a row collapse one by one to the comma that ends the last
        shorter = _APPOSITION.sub(",", gap, count=1)
        if shorter == gap:
            break
        gap = shorter
    if gap.lstrip().startswith(","):
        gap = _OPEN_ASIDE.sub(" ", gap + ",")
    return gap


_DATE_FILLER = re.compile(
    r"\b(?:on|by|since|early|late|last)?\s*(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b|\b(?:on|by)?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\b(?:on|by)?\s*\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sept?|oct|nov|dec)[a-z]*\.?(?:\s+\d{4})?\b|\b(?:yesterday|today|tonight|overnight)\b"
    r"|\b(?:over|during|in|within)\s+the\s+(?:past\s+|last\s+)?(?:weekend|week|night|\d{1,3}\s+hours|few\s+days)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:could|would|might|may|will|can|shall|should|must|if|unless|whether|once|expected|likely|poised|about|"
    r"threaten(?:s|ed|ing)?|risk|verge|brink|close\s+to|set\s+to|aim(?:s|ed|ing)?|plan(?:s|ned|ning)?|"
    r"want(?:s|ed)?|seek(?:s|ing)?|sought|try(?:ing)?|tried|attempt(?:s|ed|ing)?|bid|vow(?:s|ed)?|hop(?:e|es|ed|ing)|"
    r"intend(?:s|ed)?|prepar(?:e|es|ed|ing)|ready|fear(?:s|ed)?|warn(?:s|ed)?|predict(?:s|ed)?)\b",
    re.IGNORECASE,
)
# "12 May 2021", "May 12", "in May": the month, not the modal verb
_MONTH_MAY = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+May\b|\bMay\.?\s+\d{1,4}\b|\b(?:in|of|since|until|early|late|mid-)\s*May\b", re.I
)


def _hedged(text: str) -> bool:
    """Whether ``text`` holds a hedge ("could", "may", "threatened to"), the month of May aside."""
    return _HEDGE.search(_MONTH_MAY.sub(" ", text)) is not None


_ATTEMPT = re.compile(
    r"\b(?:(?:are|is|were|was|been)\s+(?:still\s+)?(?:trying|attempting|struggling|battling|fighting)|"
    r"efforts\s+(?:are|were)\s+(?:underway|under\s+way|ongoing))\s+to\s*$",
    re.I,
)
_ATTEMPT_MARK = "<attempt>"
_CLAUSE_BREAK = re.compile(r"[;:—–]|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|\bthough\b|\bafter\b|\bbefore\b", re.I)
_UNOPPOSED = re.compile(r"\bwithout\s+(?:a\s+|any\s+)?(?:fight|fighting|resistance|a\s+shot|opposition)\b", re.I)
_PASSIVE_AUX = re.compile(r"\b(?:was|were|is|are|been|being|be|has|have|had|get|got)\b", re.I)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:st|nd|rd|th)?|[^\sA-Za-z\d]")


# "captured the district centre of X", "the district administrative centre of X": X itself ("a district of
# Kunduz" is not Kunduz)
_DISTRICT_SEAT = re.compile(
    r"\bdistrict\s+(?:administrative\s+)?(?:centres?|centers?|headquarters|seat)(?=\s+of\b)", re.I
)
# "captured the (remote) district of X" names X; "a district of Kunduz", "another district of" are parts of it
_THE_DISTRICT = re.compile(
    r"\b(the(?:\s+(?![a-z]+est\b|(?:first|second|third|fourth|fifth|last|only|main|other|same|one|two|three)\b)"
    r"[a-z-]+){0,2})\s+district(?=\s+of\b)",
    re.I,
)


# "the border crossing at X", "the customs post at X": X itself
_CROSSING_AT = re.compile(r"\b(?:crossings?|posts?|points?|gates?)\s+at\b", re.I)


def _gap_is_filler(gap: str, fillers: frozenset[str]) -> bool:
    gap = _DATE_FILLER.sub(" ", gap.replace("’", "'"))
    gap = _THE_DISTRICT.sub(r"\1", _DISTRICT_SEAT.sub(" ", _CROSSING_AT.sub(" crossing ", gap)))
    separators = 0
    for word in _WORDS.findall(gap):
        if word in {",", ":", "—", "–"}:
            separators += 1  # "seized three capitals: X, Y and Z", "took three capitals — X, Y and Z"
            continue
        if word in {"-", "'", "’", '"', "“", "”", "‘"}:
            continue  # quotation marks around a word ("completely" in their hands)
        folded = word.casefold()
        if folded not in fillers and not ("-" in folded and all(p in fillers for p in folded.split("-"))):
            return False
    return separators <= 1


_UNKNOWN_DISTRICTS = re.compile(
    r"(?<![\w'])[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}(?:\s*(?:,|\band\b)\s*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}){0,6}"
    r"\s+districts?\s+(?:in|of)\b"
)


def _chain_gap(gap: str) -> bool:
    """True when ``gap`` only joins two places in a list ("and", ", ", an apposition)."""
    gap = _APPOSITION.sub(",", gap.replace("’", "'"))
    gap = _DATE_FILLER.sub(" ", gap)
    gap = _UNKNOWN_DISTRICTS.sub(" ", gap)  # "Kandahar and Khoshamand district in Paktika": a name the gazetteer lacks
    gap = re.sub(r"\b(?:the|city|town|province|provincial|capital|of|in|at|also|then|later|neighbouring|outskirts|"
                 r"(?:north|south|east|west|central)(?:-?(?:east|west))?(?:ern)?)\b", " ", gap,
                 flags=re.I)  # fmt: skip
    return bool(_COORDINATION.match(gap))


def _status_after(pattern: _Pattern, window: str, sentence: str, cue_start: int) -> str | None:
    """Apply hedges, negation and denials to a phrase's status; ``None`` drops it."""
    if window == _ATTEMPT_MARK:
        return CONTESTED
    if _hedged(window):
        return None
    status = pattern.status
    if status == CONTESTED and _PURPOSE.search(window):
        return None  # "gathering forces for an attack on Kabul": a purpose, not fighting
    if pattern.negatable and _NEGATION.search(window):
        flipped = {TALIBAN: GOVERNMENT, GOVERNMENT: TALIBAN}.get(status)
        if flipped is None:
            return None
        status = flipped
    if status != CONTESTED and (
        _DENIAL.search(sentence) or _FALSE_REPORT.search(sentence) or _FIGHTING_GOES_ON.search(sentence)
    ):
        return CONTESTED
    return status


# "..., but a government official said fighting continued on the outskirts": someone says the fight is not over
_FIGHTING_GOES_ON = re.compile(
    r"\bbut\b[^.;]{0,120}?\b(?:said|says|told|insisted|added|reported)\b[^.;]{0,80}?"
    r"\b(?:fighting|clashes|battles?|resistance)\b[^.;]{0,30}?\b(?:continu\w*|ongoing|raging|raged|going\s+on)\b",
    re.I,
)


def _preceding_window(sentence: str, cue_start: int) -> str:
    """Words of the same clause right before a phrase (up to five)."""
    head = sentence[max(0, cue_start - 200) : cue_start]  # five words lie well within
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end() :]
    words = head.split()
    window = " ".join(words[-5:])
    # "managed to capture" happened; "to capture" alone is an intention
    if re.search(r"\b(?:managed|went\s+on|moved\s+on|succeeded)\s+to\s*$", window, re.I):
        return ""
    if re.search(r"\b(?:failed|fail|fails|unable|refused)\s+to\s*$", window, re.I):
        return window  # a failed attempt: the negation decides
    if _ATTEMPT.search(window):
        return _ATTEMPT_MARK  # "troops are trying to retake Kunduz": fighting for it, not yet taken
    if re.search(r"\bto\s*$", window, re.I):
        return window + " will"
    # "fell to" is not an infinitive; any earlier condition in the clause still counts
    if re.search(r"\b(?:if|unless|whether|once)\b", head, re.I):
        return window + " if"
    return window


def _statements(sentence: str, mentions: list[Mention], context: str = "") -> list[Statement]:
    """Control statements about the mentions of one sentence.

    Parameters
    ----------
    sentence
        The sentence.
    mentions
        Its place mentions, including resolved references ("the city").
    context
        The sentences before it in the same paragraph: they name the side a pronoun
        stands for ("Fighters entered Kunduz. By evening it was in their hands").
    """
    out: list[Statement] = []
    cues = []
    possible = _INDEX.possible(sentence)
    present = literals_in(sentence.lower()) if possible else frozenset()
    for pattern in (_PATTERNS[i] for i in possible):
        if not pattern.may_match_with(present):
            continue
        for m in pattern.regex.finditer(sentence):
            if pattern.status == _ACTOR:
                side = _last_side(context + " " + sentence[: m.start()])
                if side is None:
                    continue
                pattern = replace(pattern, status=side)
            elif pattern.sided and _last_side(_clause_before(sentence, m.start())) == TALIBAN:
                pattern = replace(pattern, status=TALIBAN)  # "Taliban fighters in Kunduz resisted ..."
            elif pattern.agent:
                actor = _agent(sentence, m, pattern)
                if actor is not None and actor != pattern.status:
                    pattern = replace(pattern, status=actor)
            elif pattern.attempt and _attempt_lost_by_government(sentence, m):
                pattern = replace(pattern, status=TALIBAN)  # "an army attempt to take X was repulsed"
            elif pattern.loser and _agent(sentence, m, pattern) == TALIBAN:
                pattern = replace(pattern, status=GOVERNMENT)  # "the Taliban lost X"

            cues.append((m, pattern))
    decisive = [m.span() for m, p in cues if p.status != CONTESTED]
    # "repelled an assault on X": the assault is part of the decisive phrase, not fighting of its own
    cues = [(m, p) for m, p in cues if p.status != CONTESTED or not any(a <= m.start() < b for a, b in decisive)]
    for m, pattern in cues:
        if pattern.fronted:
            out += _fought_over_before(sentence, mentions, m, pattern)
        elif pattern.before:
            objects = _objects_of(sentence, mentions, m, pattern)
            if not objects and pattern.status == CONTESTED:  # "In X, fighting in several areas ..."
                objects = _fought_over_before(sentence, mentions, m, pattern)
            out += _counted_in_place_before(sentence, mentions, m, pattern) + objects
        else:
            found = _subjects_of(sentence, mentions, m, pattern)
            out += found or _counted_in_place_before(sentence, mentions, m, pattern)
    return _without_locating_provinces(sentence, _latest_in_sequence(sentence, out))


_COORDINATOR = re.compile(r"\b(?:and|or|plus|as\s+well\s+as|along\s+with|together\s+with)\b|&", re.I)


def _without_locating_provinces(sentence: str, statements: list[Statement]) -> list[Statement]:
    """Drop a statement about a province that only says where another place of the statements lies
    ("Pul-e Alam, the capital of Logar province, has fallen"; "In Helmand, troops repelled an attack on
    Lashkar Gah"): the place inside it, with the same status, is what the sentence is about. A province
    joined to the place by "and" ("took Lashkar Gah and the rest of Helmand") keeps its statement."""
    out = []
    for s in statements:
        p = s.mention
        located = p.kind == "province" and any(
            t.status == s.status
            and t.cue_start == s.cue_start  # one phrase about both ("Helmand province fell after ..." has two)
            and t.mention.kind != "province"
            and t.mention.province_iso == p.province_iso
            and not _COORDINATOR.search(sentence, min(p.end, t.mention.end), max(p.start, t.mention.start))
            for t in statements
        )
        if not located:
            out.append(s)
    return out


def _counted_in_place_before(
    sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern
) -> list[Statement]:
    """A count of parts whose place is named before the phrase: "X, where the Taliban controls 26 of 28
    districts" and "In X province, 16 districts fell"."""
    before = [c for c in mentions if c.end <= m.start() and not c.reference]
    if not before:
        return []
    place = before[-1]
    gap = sentence[place.end : m.start()]
    if pattern.before:
        if not (_COUNT_AFTER.match(sentence, m.end()) and _WHERE_BEFORE.match(gap)):
            return []
    elif not (_COUNT_BEFORE.match(gap) and re.search(r"\bIn\s+(?:the\s+)?$", sentence[: place.start])):
        return []
    status = _status_after(pattern, _preceding_window(sentence, m.start()), sentence, m.start())
    if status is None:
        return []
    return [Statement(place, status, pattern.strength * 0.9, m.group(0), m.start(), level="district")]


# "In Kandahar, fighting ...", "Lashkar Gah, where fighting ...": the place the clause of fighting is about
_FRONTED_GAP = re.compile(r"^\s*(?:province|city|district)?\s*,\s*(?:(?:heavy|fierce|intense|sporadic)\s+)?$", re.I)
_WHERE_GAP = re.compile(
    r"^\s*(?:province|city|district)?\s*,\s*where\s+(?:(?:heavy|fierce|intense|sporadic)\s+)?$", re.I
)


def _fought_over_before(sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern) -> list[Statement]:
    """Fighting told in a clause after the place it is about: "In Kandahar, fighting has been raging for
    weeks", "Lashkar Gah, where fighting continues" (contested)."""
    before = [c for c in mentions if c.end <= m.start() and not c.reference]
    if not before:
        return []
    place = before[-1]
    gap = sentence[place.end : m.start()]
    fronted = after_opening_in(sentence, place) and _FRONTED_GAP.match(gap)
    if not (fronted or _WHERE_GAP.match(gap)):
        return []
    status = _status_after(pattern, _preceding_window(sentence, m.start()), sentence, m.start())
    if status is None:
        return []
    return [Statement(place, status, pattern.strength, m.group(0), m.start())]


_INFINITIVE = re.compile(r"\bto(?:\s+be|\s+have\s+been)?\s*$", re.I)
_SEQUENCE = re.compile(r"\b(?:before|until|till|then|eventually|finally|later|again)\b", re.I)


def _latest_in_sequence(sentence: str, statements: list[Statement]) -> list[Statement]:
    """Drop a decisive statement that a later one in the sentence overturns ("held out for a month
    before the city was overrun"): the sentence tells what happened last."""
    decisive = {TALIBAN, GOVERNMENT}
    out = []
    for s in statements:
        overturned = any(
            t.mention.province_iso == s.mention.province_iso
            and {s.status, t.status} == decisive
            and t.cue_start > s.cue_start
            and _SEQUENCE.search(sentence[s.cue_start : t.cue_start + len(t.cue) + 8])  # "was lost again"
            for t in statements
        )
        if not overturned:
            out.append(s)
    return out


_SIDES = re.compile(
    rf"(?P<tal>\b{_OBJ}\b)|(?P<gov>\b{_GOV}\b|\b(?:government|authorities|ministry|governor)\b)"
    r"(?!\s+(?:headquarters|stations?|compounds?|bases?|posts?|checkpoints?|buildings?|offices?|positions?|convoys?))",
    re.I,
)


# Words that may sit between the side that acts and its verb ("the Taliban have now captured").
_AUXILIARY = re.compile(
    r"(?:\s+(?:have|has|had|also|then|later|again|now|reportedly|quickly|swiftly|finally|eventually|successfully|"
    r"once|managed\s+to|were\s+able\s+to|was\s+able\s+to|on\s+\w+|in\s+\w+|yesterday|today|overnight|briefly|"
    r"soon|after|that|backed\s+by\s+[\w-]+(?:\s+[\w-]+)?|and|,|"
    # the side's commander: "resistance forces under Ahmad Massoud", "militias loyal to Ismail Khan"
    r"(?:under|led\s+by|loyal\s+to|commanded\s+by)(?:\s+(?!(?:have|has|had)\b)[\w'’.-]+){1,4}))*\s*$",
    re.I,
)
_BY_SIDE = re.compile(rf"\s+(?:[\w'’-]+\s+){{0,3}}?by\s+(?:(?P<tal>{_OBJ})|(?P<gov>{_GOV}))", re.I)
_FROM_SIDE = re.compile(
    rf"\bfrom\s+(?:(?P<tal>{_OBJ}|(?:the\s+)?Taliban\s+\w+)|(?P<gov>{_GOV}|(?:the\s+)?(?:Afghan\s+)?government))\b",
    re.I,
)


def _agent(sentence: str, m: re.Match[str], pattern: _Pattern) -> str | None:
    """The side that does what the phrase says: the subject right before it ("the Taliban retook"),
    the agent of a passive ("was retaken by the Taliban"), or the other side of "from" ("recaptured X
    from the Taliban")."""
    if not pattern.before:
        by = _BY_SIDE.match(sentence, m.end())
        return None if by is None else (TALIBAN if by.group("tal") else GOVERNMENT)
    clause = _clause_before(sentence, m.start())
    last = re.search(r"[^,]*$", clause)  # always matches: the clause after its last comma
    tail = last.group(0) if last else clause
    actor = None
    for found in _SIDES.finditer(tail):
        if _AUXILIARY.fullmatch(tail, found.end()):
            actor = GOVERNMENT if found.group("gov") else TALIBAN
    after = sentence[m.end() : m.end() + 160]
    after = after[: min([i for i in (after.find("."), after.find(";")) if i >= 0], default=len(after))]
    source = _FROM_SIDE.search(after)
    if source is not None:
        taken_from = TALIBAN if source.group("tal") else GOVERNMENT
        return GOVERNMENT if taken_from == TALIBAN else TALIBAN
    return actor


_STOPPED_BY = re.compile(
    rf"\s+(?:[\w'’-]+\s+){{0,6}}?(?:foiled|thwarted|repelled|repulsed|defeated|beaten\s+back|pushed\s+back|"
    rf"fought\s+off|stopped|halted)\s+by\s+(?:(?P<tal>{_OBJ})|(?P<gov>{_GOV}))",
    re.I,
)


def _attempt_lost_by_government(sentence: str, m: re.Match[str]) -> bool:
    """Whether the government made the failed attempt ``m`` ("an army attempt to take X was repulsed") or
    the Taliban stopped it ("... was repulsed by the Taliban")."""
    stopped = _STOPPED_BY.match(sentence, m.end())
    if stopped is not None:
        return stopped["tal"] is not None
    return _last_side(_clause_before(sentence, m.start())) == GOVERNMENT


def _clause_before(sentence: str, end: int) -> str:
    """The part of ``sentence``'s clause that comes before ``end``."""
    head = sentence[:end]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    return head[breaks[-1].end() :] if breaks else head


def _last_side(text: str) -> str | None:
    """The side named last in ``text``: ``taliban``, ``government`` or ``None``."""
    last = None
    for m in _SIDES.finditer(text):
        last = GOVERNMENT if m.group("gov") else TALIBAN
    return last


def _objects_of(sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern) -> list[Statement]:
    status = _status_after(pattern, _preceding_window(sentence, m.start()), sentence, m.start())
    if status == CONTESTED and m.group(0).lower().startswith("enter") and _UNOPPOSED.search(sentence):
        status = TALIBAN  # "entered X without a fight": taken, not fought over
    if status is None:
        return []
    found: list[Statement] = []
    anchor = m.end()
    counted_level = ""
    part_name = ""
    for index, mention in enumerate(mentions):
        if mention.start < m.end():
            continue
        level = ""
        if _possessed(sentence, mention):
            owned = _FACILITY_OF.match(sentence[mention.end :])
            if owned and _names_what_it_owns(mentions, index, mention.end + owned.end()):
                # "recaptured Ghazni's Andar district": the district, named next, is the object; Ghazni only
                # says where it lies
                anchor = mention.end + len(_OWNER.match(sentence, mention.end).group(0))  # type: ignore[union-attr]
                continue
            if not owned:
                break  # "retook Kunduz's governor": the object is not the place
            level = "facility"  # "retook Kunduz's prison": a facility of the place
        if found and mention.start - anchor > _MAX_LIST_GAP:
            break  # the list ended: what follows is no longer joined to it (and the time per phrase stays bounded)
        gap = sentence[anchor : mention.start]
        fillers = _FILLER_BEFORE | _FACILITIES if status == CONTESTED else _FILLER_BEFORE
        linked = _gap_is_filler(gap, fillers) if not found else _chain_gap(gap)
        if not linked and not found and not mention.reference:
            counted = _QUANTIFIED_PART.match(gap)
            if counted:  # "recaptured two districts in Parwan", "controls 16 of 17 districts in the province"
                linked, level = True, _PART_NOUNS.get(counted.group("noun").split()[-1].casefold(), "district")
        if not linked and not found:
            part = (
                "" if mention.reference else _part_named_in(gap)
            )  # "captured Bano and Deh Salah districts in Baghlan"
            if part:
                linked, level, part_name = True, part, _part_name(gap)
            elif _unknown_names_first(gap):
                linked = True  # "captured Bano, Deh Salah and ...": a list whose first names the gazetteer lacks
        if linked and not found and status == TALIBAN and _EDGE.search(gap):
            status = CONTESTED  # "captured the outskirts of X": fighting at X, not X taken
        if not linked and found and "'s" in gap.replace("’", "'") and _gap_is_filler(gap, _FILLER_BEFORE | {"s"}):
            linked = True  # "Ghazni province's capital city Ghazni"
        places_last = found and found[-1].mention.kind == "district" and mention.kind in {"province", "capital"}
        if places_last and (
            _PLACED.match(gap)
            or (
                PLACED_BY_COMMA.fullmatch(gap)
                and mention.province_iso == found[-1].mention.province_iso
                and not list_continues(sentence, mentions, index)
            )
        ):
            # "Burka in Baghlan, Gizab in Uruzgan", "captured Spin Boldak, Kandahar, on Monday": the province
            # places the district before it ("Spin Boldak, Kandahar and Lashkar Gah" is a list of three)
            anchor = mention.end
            continue
        if found and _DESCRIBES.match(gap):
            continue  # "entered Qala-i-Naw, the capital of Badghis": Badghis only says where it lies
        if not linked or (found and _locative(sentence, mention)):
            if found:
                continue  # a place in an apposition; a later coordinated place may still follow
            break
        if counted_level and not level:
            level = counted_level  # "two districts in Parwan and Baghlan": the list shares the part
        counted_level = counted_level or (level if not found and level in _COUNTED_LEVELS else "")
        found.append(Statement(mention, status, pattern.strength, m.group(0), m.start(), level=level, part=part_name))
        part_name = ""
        anchor = mention.end
    return found


_MAX_LIST_GAP = 200
"""Characters between two places of one list at most (an apposition between them included)."""
_PLACED = re.compile(r"^\s*(?:districts?\s+)?(?:in|of)\s+(?:the\s+)?(?:\w+ern\s+)?$", re.I)
# ", the provincial capital of", ", a district of the northern": the place after it describes the one before
_DESCRIBES = re.compile(
    r"^\s*,\s*(?:the|a|an)\s+(?:[\w'’-]+\s+){0,3}?(?:capital|centre|center|city|town|district|seat)\s+of\s+"
    r"(?:the\s+)?(?:[\w'’-]+\s+){0,4}?$",
    re.I,
)
_QUANTITY = (
    r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|most|some|all|dozens|"
    r"scores|a\s+(?:few|number|dozen)|few|more\s+than\s+\w+|at\s+least\s+\w+|nearly\s+\w+|over\s+\w+)"
)
# "two districts in", "16 out of 17 districts in the", "several regions across the three northern provinces of",
# "10 border crossing points across the country in": the parts of the place named next
_QUANTIFIED_PART = re.compile(
    rf"^\s*(?:the\s+|its\s+|their\s+)?(?:{_QUANTITY}\s+(?:(?:out\s+)?of\s+(?:the\s+|its\s+)?{_QUANTITY}\s+)?)?"
    r"(?:(?:other|more|new|remaining|key|border|rural|main|important|strategic|northern|southern|eastern|western|"
    r"central|district|administrative|of\s+the)\s+)*"
    r"(?P<noun>districts|district\s+cent(?:re|er)s|areas|regions|villages|parts|territories|"
    # bare "posts" or "points" are positions ("abandoned their posts in Maimana"), not border crossings
    r"(?:border\s+)?(?:crossings|crossing\s+(?:points|posts))|border\s+(?:posts|points))"
    r"(?:\s+(?:across|in|around|throughout)\s+the\s+(?:country|north|south|east|west|region))?"
    r"\s+(?:in|of|across|throughout)\s+(?:the\s+)?(?:(?:\w+ern|central|neighbou?ring|two|three|four|five|six)\s+)*"
    r"(?:provinces?\s+of\s+)?$",
    re.I,
)
_COUNTED_LEVELS = frozenset({"district", "crossing", "town"})
_PART_NOUNS = {
    "district": "district", "districts": "district", "dam": "facility", "airport": "facility", "base": "facility",
    "prison": "facility", "headquarters": "facility", "crossing": "crossing", "port": "crossing", "town": "town",
    "towns": "town", "village": "town", "villages": "town", "area": "town", "areas": "town", "valley": "town",
    "regions": "town", "region": "town", "parts": "town", "territories": "town", "crossings": "crossing",
    "points": "crossing", "posts": "crossing", "centres": "district", "centers": "district", "centre": "district",
    "center": "district",
}  # fmt: skip
_PART_TOKENS = re.compile(r"[A-Za-z][A-Za-z'’-]*|,")


def _unknown_names_first(gap: str) -> bool:
    """True when ``gap`` is filler, then capitalised names the gazetteer does not know, then a list separator."""
    tokens = _PART_TOKENS.findall(gap)
    if len(tokens) < 2 or tokens[-1].casefold() not in {",", "and"}:
        return False
    lead = 0
    while lead < len(tokens) and not tokens[lead][0].isupper() and tokens[lead].casefold() in _FILLER_BEFORE:
        lead += 1
    names = tokens[lead:]
    return bool(names) and names[0][0].isupper() and all(t[0].isupper() or t in {",", "and"} for t in names)


def _part_named_in(gap: str) -> str:
    """The level of an unlisted part ("district", "facility", ...) when ``gap`` names places the gazetteer does
    not know, placed in the place that follows ("Bano and Deh Salah districts in", "Salma Dam in"); else ``""``."""
    tokens = _PART_TOKENS.findall(gap)
    if len(tokens) < 3 or tokens[-1].casefold() not in {"in", "of"}:
        return ""
    body = tokens[:-1]
    while body and body[-1].casefold() in _FILLER_BEFORE:  # "in the northern"
        body.pop()
    level = _PART_NOUNS.get(body[-1].casefold(), "") if body else ""
    names = body[:-1] if level else body
    lead = 0
    while lead < len(names) and names[lead].casefold() in _FILLER_BEFORE and not names[lead][0].isupper():
        lead += 1
    names = names[lead:]
    if not names or not names[0][0].isupper():
        return ""
    if not all(t[0].isupper() or t in {",", "and"} or "-" in t for t in names):
        return ""
    return level or "town"


def _part_name(gap: str) -> str:
    """The one name a part placed in the place that follows is given ("Sangar village in" -> ``"Sangar"``),
    or ``""`` for several names ("Bano and Deh Salah districts in") or none."""
    tokens = _PART_TOKENS.findall(gap)[:-1]  # the last is "in" or "of"
    while tokens and tokens[-1].casefold() in _FILLER_BEFORE:
        tokens.pop()
    if tokens and tokens[-1].casefold() in _PART_NOUNS:
        tokens.pop()
    while tokens and tokens[0].casefold() in _FILLER_BEFORE and not tokens[0][0].isupper():
        tokens.pop(0)
    if not tokens or any(t in {",", "and"} or not t[0].isupper() for t in tokens):
        return ""
    return " ".join(tokens)


_FACILITY_WORD = re.compile(r"\b(?:headquarters|airport|air\s*base|prison|jail|compound|garrison|palace|dam)\b", re.I)


def _subjects_of(sentence: str, mentions: list[Mention], m: re.Match[str], pattern: _Pattern) -> list[Statement]:
    found: list[Statement] = []
    anchor = m.start()
    level = ""
    status = ""  # set by the first subject, shared by the ones coordinated with it
    locator: Mention | None = None  # a province that only said where the place before it lies
    for index in range(len(mentions) - 1, -1, -1):
        mention = mentions[index]
        if mention.end > m.start():
            continue
        if mention.reference and _EARLIER_CLAUSE.search(sentence, 0, mention.start):
            break  # "retook Karukh on Wednesday, a week after it fell": what happened to it before
        if _locates_previous(sentence, mentions, index):
            locator = mention  # "Waghaz district in Ghazni province fell": Waghaz fell, not Ghazni
            continue
        gap = sentence[(locator or mention).end : anchor]
        locator = None
        if not found:
            if _locative(sentence, mention):
                continue  # "Tarinkot, 110 km north of Kandahar, fell": Kandahar only locates Tarinkot
            if (
                gap.lstrip().startswith(",")
                and re.search(r"\bof\s+(?:the\s+)?$", sentence[: mention.start])
                and not (_WHICH.match(gap) and _PEOPLE_OF.search(sentence, 0, mention.start))
            ):
                continue  # "Qala-i-Naw, the capital of Badghis, changed hands": Badghis describes (not "A resident
                # of Ghazni, which fell on Thursday, said": "which" takes the place before it)
            if (
                gap.lstrip().startswith(",")
                and index
                and _APPOSITION_OPENING.fullmatch(sentence[mentions[index - 1].end : mention.start])
            ):
                continue  # "Kandahar, the second city after Kabul, fell": Kabul is named in an aside about Kandahar
            raw_gap = gap
            gap = _without_asides(gap)
            if _NEGATION.search(raw_gap.rsplit(",", 1)[-1]) and not _NEGATION.search(gap):
                gap += " not"  # "Kabul, isn't under threat": the aside went, the verb's negation stays
            gap = re.sub(r"^['’]s\b", " ", gap)
            fillers = _FILLER_AFTER | _FACILITY_AFTER
            if not _gap_is_filler(_strip_modal_words(gap), fillers) and not _shared_subject(gap):
                break
            passive = _PASSIVE_AUX.search(raw_gap) or _followed_by_agent(sentence, m.end())
            if pattern.passive and not passive and not raw_gap.strip().startswith(","):
                break
            # hedges and negations inside an aside ("once home to", "which had not been attacked") do not count
            # "allowed X to be taken": what is to be done is no statement
            if _hedged(gap) or _INFINITIVE.search(raw_gap) or _conditional_before(sentence, mention):
                return []
            decided = _status_after(pattern, _own_predicate(gap), sentence, m.start())
            if decided is None:
                return []
            status = decided
            if _FACILITY_WORD.search(gap):
                level = "facility"  # "the Lashkar Gah police headquarters were taken"
            if _followed_by_object(sentence, mentions, m.end()):
                break  # "X captured Y": X is the subject of an active verb, not a place that fell
        elif not (_chain_gap(gap) or not re.sub(r"[\s,]|\bin\b", "", gap)):
            break  # "Mahmud-i-Raqi in Kapisa surrendered" still links both
        found.append(Statement(mention, status, pattern.strength, m.group(0), m.start(), level=level))
        anchor = mention.start
    return found


# ", which": a relative clause about the thing named right before it
_WHICH = re.compile(r"\s*,\s*which\b", re.I)
# People of a place ("a resident of Ghazni, which fell": "which" is the place, as people are "who"), not a part
# of it ("the capital of Badghis, which fell": the capital)
_PEOPLE_OF = re.compile(
    r"\b(?:residents?|people|citizens|inhabitants|natives?|elders?|famil(?:y|ies)|officials?|governor|mayor|"
    r"spokes(?:man|woman|person)|lawmakers?|MPs?|journalists?|activists?|traders?)\s+of\s+(?:the\s+)?$",
    re.I,
)
# ", the second city after ", ", once home to ": a noun phrase set off by a comma after a place, describing it
_APPOSITION_OPENING = re.compile(r"\s*,\s*(?:the|a|an|its|once|now|home|one|another|also)\b[^,;:()]*?\s", re.I)

# "a week after", "since": the clause that follows tells of an earlier time than the sentence's ("held out for a
# month before the city was overrun" is news of the fall)
_EARLIER_CLAUSE = re.compile(r"\b(?:after|since)\s+$", re.I)

# "Waghaz district in", ", a district of the northern", " in": a place, then the province it lies in
_LOCATED_BY_NEXT = re.compile(
    r"\s*(?:(?:districts?|city|town)\s*)?(?:(?:centres?|centers?)\s*)?,?\s*"
    r"(?:(?:a|the)\s+(?:[\w'’-]+\s+){0,2}?(?:district|city|town|village)\s+)?"
    r"(?:(?:located|situated|lying)\s+)?(?:in|of)\s+(?:the\s+)?(?:(?:[\w-]+ern|central|remote)\s+)?(?:province\s+of\s+)?$",
    re.I,
)


def _locates_previous(sentence: str, mentions: list[Mention], index: int) -> bool:
    """Whether ``mentions[index]`` is a province that only says where the place just before it lies: named
    as a province, or a capital's name after a district in its province ("Nawur in Ghazni": a district
    lies in a province, not in a city)."""
    if index == 0:
        return False
    province, place = mentions[index], mentions[index - 1]
    if place.kind == "province" or place.reference or place.province_iso != province.province_iso:
        return False
    written = names_province(sentence, province)
    if not (written or (province.kind == "capital" and place.kind == "district")):
        return False
    if _LOCATED_BY_NEXT.match(sentence, place.end, province.start):
        return True
    if not PLACED_BY_COMMA.fullmatch(sentence, place.end, province.start):
        return False
    # "Nawur district, Ghazni province, fell"; "Spin Boldak, Kandahar, fell", unless a list goes on after the
    # capital ("Spin Boldak, Kandahar and Lashkar Gah": three places)
    return written or not list_continues(sentence, mentions, index)


# Fighting at a place's airport or prison is fighting in the place; taking the prison is not taking the place.
_FACILITIES = words("facilities")
# "the Lashkar Gah regional police headquarters were taken": the place's facility, then the phrase
_FACILITY_AFTER = frozenset(
    [
        "regional",
        "provincial",
        "district",
        "police",
        "army",
        "military",
        "main",
        "central",
        "headquarters",
        "airport",
        "airbase",
        "base",
        "prison",
        "jail",
        "compound",
        "garrison",
        "palace",
        "dam",
        "office",
        "governor's",
    ]
)
_FACILITY_OF = re.compile(
    r"^['’]s\s+(?:[\w-]+\s+){0,2}?(?:airport|airbase|base|prison|jail|headquarters|compound|bazaar|market|garrison|"
    r"checkpoints?|office|palace|districts?|neighbou?rhoods?|suburbs?)\b",
    re.I,
)
_EDGE = re.compile(r"\b(?:outskirts|suburbs|edges?|gates|approaches)\b", re.I)

_POSSESSED = re.compile(
    r"^['’]s\s+(?!(?:(?:provincial|central|northern|southern|eastern|western|main|old|inner|outer)\s+)?"
    r"(?:capital|city|centre|center|provincial|districts?|neighbou?rhoods?|suburbs|outskirts|streets|parts?)\b)[a-z]",
    re.I,
)


_OWNER = re.compile(r"['’]s\s*")


def _names_what_it_owns(mentions: list[Mention], index: int, end: int) -> bool:
    """Whether the place after ``mentions[index]`` is named within what it owns ("Ghazni's Andar district")."""
    return index + 1 < len(mentions) and mentions[index + 1].start < end and not mentions[index + 1].reference


def _possessed(sentence: str, mention: Mention) -> bool:
    """True when the mention owns the real object ("Kunduz's prison", but not "Ghazni's capital")."""
    return bool(_POSSESSED.match(sentence[mention.end :]))


def _conditional_before(sentence: str, mention: Mention) -> bool:
    """True when the clause holding a subject starts with a condition ("If Kabul falls, ...")."""
    head = sentence[: mention.start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end() :]
    return bool(re.search(r"\b(?:if|unless|whether|once|should)\s+(?:\w+\s+){0,3}$", head, re.I))


def _strip_modal_words(gap: str) -> str:
    return _STATE_AND.sub(r"\1 ", _HEDGE.sub(" ", _MONTH_MAY.sub(" ", gap))).replace(" to ", " ")


# "was calm and under government control": one word of state joined to the phrase by "and" after the verb
_STATE_AND = re.compile(r"\b(was|is|were|are|remained|remains|stayed|stays)\s+(?!not\b|no\b)[a-z]+\s+and\s+")


def _followed_by_agent(sentence: str, end: int) -> bool:
    return bool(re.match(r"\s+by\b", sentence[end:], re.I))


_JOINS = re.compile(r"\b(?:but|and|then|before)\b")
"""Conjunctions joining two predicates of one place."""


def _own_predicate(gap: str) -> str:
    """The words of ``gap`` that belong to the phrase after it: past another predicate of the same
    place joined by a conjunction that has a verb of its own, whose negation is its own ("did not fall
    and remained under government control": the control is not negated). A phrase right after the
    conjunction shares the verb before it, negation included ("was not attacked and captured")."""
    if not _shared_subject(gap):
        return gap
    tail = gap[list(_JOINS.finditer(gap))[-1].end() :]
    return tail if tail.strip() else gap


def _shared_subject(gap: str) -> bool:
    """True when ``gap`` is another predicate of the same place joined by a conjunction
    ("X was retaken last month but *was lost again*", "X was attacked and captured")."""
    joins = list(_JOINS.finditer(gap))
    if not joins:
        return False
    head, tail = gap[: joins[-1].start()], gap[joins[-1].end() :]
    if not _gap_is_filler(_strip_modal_words(tail), _FILLER_AFTER):
        return False
    return any(
        _gap_is_filler(head[: m.start()], _FILLER_AFTER)
        for pattern in _PATTERNS
        if not pattern.before
        for m in _QUICK[pattern.regex].finditer(head)
    )


def _followed_by_object(sentence: str, mentions: list[Mention], end: int) -> bool:
    for mention in mentions:
        if mention.start >= end:
            gap = sentence[end : mention.start]
            return "," not in gap and _gap_is_filler(gap, _FILLER_BEFORE)
    return False


_COUNT_OF_PARTS = (
    rf"{_QUANTITY}\s+(?:(?:out\s+)?of\s+(?:the\s+|its\s+)?{_QUANTITY}\s+)?(?:(?:more|other|remaining|new)\s+)?"
    r"(?:districts|district\s+cent(?:re|er)s|border\s+crossings|areas|villages)"
)
# "Badakhshan, where the Taliban controls 26 of 28 districts": the count comes after the phrase, the place before
_COUNT_AFTER = re.compile(rf"\s+{_COUNT_OF_PARTS}\s*(?=[,.;:)]|$|\s+(?:and|but|while|after)\b)", re.I)
_WHERE_BEFORE = re.compile(r"^\s*(?:province)?\s*,\s*(?:where|in\s+which)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?$", re.I)
# "In Takhar province in northeastern Afghanistan 16 districts fell": the count is the subject, the place before
_COUNT_BEFORE = re.compile(
    rf"^\s*(?:province)?(?:\s+in\s+(?:\w+\s+)?Afghanistan)?\s*,?\s+{_COUNT_OF_PARTS}\s+(?:(?:have|has|had)\s+)?(?:also\s+)?$",
    re.I,
)


# "Two more provincial capitals were handed over to the Taliban": a counted group of places the next sentence
# may name ("These are Tarinkot in Uruzgan and Qalat in Zabul")
_COUNTED_GROUP = re.compile(
    rf"\b{_QUANTITY}\s+(?:(?:more|other|new|key|further)\s+)*(?:provincial\s+capitals|capitals|districts|cities|"
    r"provinces|border\s+crossings)\b",
    re.I,
)


# Where a counted group's places are listed after it: "three capitals fell at once: Kunduz, Sar-e Pul and Taloqan"
# A group of places the sentence then names: "Capitals still held by the government include Gardez, ..."
_NAMED_GROUP = re.compile(r"\b(?:provincial\s+capitals|capitals|districts|cities|provinces)\b", re.I)
# what names the group right after what is said of it (a date may come between)
_GROUP_IS = re.compile(
    r"(?:\s+by\s+(?:the\s+)?[\w-]+(?:\s+forces)?)?"
    r"(?:\s+(?:on|since|by)\s+\w+(?:\s+\d{1,2})?|\s+(?:this|last)\s+week|\s+so\s+far)?"
    r"\s*,?\s+(?:include|includes|included|including|are|were)\b\s*:?",
    re.I,
)
# What may follow the last place of a list: the end of its clause, or when it happened
_LIST_END = re.compile(
    r"\s*(?:$|[.;,!?)\]—–]|\s*\b(?:on|by|this|last|overnight|yesterday|today|earlier|in\s+the)\b)", re.I
)
_LIST_OPENS = re.compile(r"\s*(?::|—|–|\s-\s)")
_PLACED_IN = re.compile(r"^\s*(?:,\s*)?(?:in|of)\s+(?:the\s+)?$|^\s*[,(]?\s*$", re.I)
_LIST_LEAD = re.compile(
    r"^\s*(?:namely\s+|including\s+)?(?:the\s+)?(?:(?:provincial\s+)?capitals?|cities|towns?|districts?|provinces?)?"
    r"\s*(?:of\s+)?$",
    re.I,
)


_MAX_GROUPS = 8
"""Counted groups of a sentence read for a list (time stays bounded on any text)."""


class GroupList(NamedTuple):
    """Places a sentence lists for a group it gives a status ("three capitals fell at once: A, B and C")."""

    status: str
    places: list[Mention]
    group_start: int  # where the group is named
    list_start: int  # where its list opens
    cue: str  # the phrase that gave the group its status
    cue_start: int
    level: str  # "province" for a group of provinces, else ""


def group_listed(sentence: str, mentions: list[Mention]) -> GroupList | None:
    """The places a sentence lists for a group of places it gives a status: after a counted group and a colon
    or dash ("retook three districts of Baghlan on Friday: Deh Salah, Pul-e Hesar and Bano"), or after
    "include" or "are" ("Capitals still held by the government include Gardez and Khost"). The list must
    end its clause ("Five capitals have fallen — Kabul and Herat are preparing" lists none), and a name
    followed by 's is no item of it ("are Kabul's biggest worry")."""
    groups = itertools.chain(_COUNTED_GROUP.finditer(sentence), _NAMED_GROUP.finditer(sentence))
    for m in itertools.islice(groups, _MAX_GROUPS):
        group = Mention(m.start(), m.end(), m.group(0), "", "", "city", 1.0)
        stated = _statements(sentence, [group])
        statuses = {s.status for s in stated}
        if len(statuses) != 1:
            continue
        cue = max(stated, key=lambda s: s.cue_start + len(s.cue))
        said = cue.cue_start + len(cue.cue)
        opens = _LIST_OPENS.search(sentence, max(m.end(), said)) if m.re is _COUNTED_GROUP else None
        named = _GROUP_IS.match(sentence, said)
        if named is not None and (opens is None or named.start() < opens.start()):
            opens = named
        if opens is None or _CLAUSE_BREAK.search(sentence, m.end(), opens.start()):
            continue
        listed = _list_after(sentence, mentions, opens.end())
        if listed:
            level = "province" if "province" in m.group(0).casefold() else ""
            return GroupList(statuses.pop(), listed, m.start(), opens.start(), cue.cue, cue.cue_start, level)
    return None


def _list_after(sentence: str, mentions: list[Mention], start: int) -> list[Mention]:
    """The places listed from ``start`` to the end of their clause; none when the list runs into more."""
    listed: list[Mention] = []
    end = start
    for mention in sorted(mentions, key=lambda c: c.start):
        if mention.start < end or mention.reference:
            continue
        gap = sentence[end : mention.start]
        if (
            listed
            and mention.kind == "province"
            and _PLACED_IN.match(gap)
            and (mention.province_iso == listed[-1].province_iso)
        ):
            end = mention.end  # "Tarinkot in Uruzgan and Qalat in Zabul": where the place lies
            continue
        if not (_chain_gap(gap) if listed else _LIST_LEAD.match(gap)):
            break
        if sentence.startswith(("'s", "’s"), mention.end):
            return []  # "Kabul's biggest worry": not a list of places
        listed.append(mention)
        end = mention.end
    return listed if _LIST_END.match(sentence, end) else []


def group_status(sentence: str) -> str:
    """The status a sentence gives a counted group of places it does not name ("two more provincial capitals
    fell"), or ``""``."""
    for m in _COUNTED_GROUP.finditer(sentence):
        group = Mention(m.start(), m.end(), m.group(0), "", "", "city", 1.0)
        statuses = {s.status for s in _statements(sentence, [group])}
        if len(statuses) == 1:
            return statuses.pop()
    return ""
