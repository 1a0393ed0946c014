"""News text saved as a web page: its markup read as the text a browser shows.

Articles copied from a site often keep their HTML (``<p>The Taliban captured <b>Ghazni</b> ...</p>``);
read as text, the tags would split names and sentences and end up in the evidence. A text holding
such tags is read as HTML with the standard library's parser: block elements (paragraphs, headings,
list items, line breaks) become paragraph breaks, entities their characters, and scripts and styles
are left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A tag of the kinds news pages are made of, opening or closing: a text with one is a page's markup.
_TAG = re.compile(
    r"</?(?:p|div|br|span|a|b|i|em|strong|html|body|head|article|section|li|ul|ol|h[1-6]|blockquote|figure|"
    r"figcaption|table|tr|td|header|footer|main|time)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "article",
        "section",
        "header",
        "footer",
        "main",
        "figure",
        "figcaption",
        "table",
        "tr",
        "td",
        "title",
    ]
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg"})


def looks_like_html(text: str) -> bool:
    """Whether ``text`` holds markup of a web page (one tag of the kinds articles are written in)."""
    return _TAG.search(text) is not None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _closed_markup(text: str) -> str:
    """``text`` with each ``<`` that opens no tag (no ``>`` before the next ``<``) or comment (no ``-->`` after
    it) written as ``&lt;``, in one pass: the standard library's parser reads the rest of the text again
    at each unclosed ``<a `` or ``<!--``, so that a page of them would take time growing with its square."""
    out: list[str] = []
    start = 0
    close = -1  # the next ">" at or after the current "<" (-1: none left)
    no_comment_end = False  # no "-->" is left in the text
    while True:
        at = text.find("<", start)
        if at < 0:
            out.append(text[start:])
            break
        out.append(text[start:at])
        if text.startswith("<!--", at):
            end = -1 if no_comment_end else text.find("-->", at + 2)  # "<!-->" is an empty comment
            if end < 0:
                no_comment_end = True  # none after this one either: each "<!--" from here on is text
                out.append("&lt;")
                start = at + 1
                continue
            start = end + 3  # a comment shows nothing: left out ("<!-->" too, which the parser would run on)
            continue
        if close <= at:
            close = text.find(">", at + 1)
            if close < 0:
                close = len(text)  # no ">" left: no "<" from here on opens a tag
        following = text.find("<", at + 1, close)
        if close == len(text) or following >= 0:
            out.append("&lt;")  # not a tag: "<" shown as written
            start = at + 1
            continue
        out.append(text[at : close + 1])
        start = close + 1
    return "".join(out)


def html_as_text(text: str) -> str:
    """The text a browser shows for ``text``: paragraphs apart, inline tags gone, entities decoded."""
    parser = _Text()
    parser.feed(_closed_markup(text))
    parser.close()
    joined = "".join(parser.parts)
    # each paragraph on one line, paragraphs apart by a blank line
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", joined))
    return "\n\n".join(p for p in paragraphs if p)
