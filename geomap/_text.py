"""Text input shared by every reader in geomap: one way to read a text file, one way to fail."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from geomap.errors import InputError

#: Leading bytes of spreadsheet workbooks (.xlsx is a zip file, .xls an OLE2 file).
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
#: Leading bytes of other files that are not text, with what they are.
BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x7fELF": "a program",
    b"MZ": "a program",
    b"\x1f\x8b": "a gzip archive",
    b"PAR1": "a Parquet file",
    b"SQLite format 3\x00": "an SQLite database (a GeoPackage?)",
}
#: Bytes looked at to tell UTF-16 without a byte-order mark, or binary data, from text.
_SNIFF = 4096
#: Bytes read at a time by :func:`iter_lines`.
_CHUNK = 1 << 16
#: A line longer than this (in bytes) stops :func:`iter_lines` with an error: no line of a list is so long.
MAX_LINE_BYTES = 1_000_000


def read_text(path: str | os.PathLike[str], *, what: str = "file") -> str:
    """Read a whole text file: UTF-8 (a byte-order mark is dropped), or UTF-16 with a byte-order mark.

    The one reader of text files in geomap (reports, place-name lists, articles,
    status schemes), so every one of them fails the same way on the same problem.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"reports file"``, ``"article"``).

    Returns
    -------
    str
        The text.

    Raises
    ------
    InputError
        The file is missing, a folder, unreadable, a spreadsheet workbook, binary,
        or not UTF-8 (the message gives the line and byte and says how to save it).
    """
    with open_binary(path, what=what) as stream:
        try:
            data = stream.read()
        except OSError as exc:
            raise InputError(
                f"{Path(path)}: cannot read the {what} ({exc.strerror}); check the path and permissions"
            ) from None
    return decode_text(data, str(Path(path)), what=what)


def open_binary(path: str | os.PathLike[str], *, what: str = "file") -> BinaryIO:
    """Open a file to read its bytes, failing as :func:`read_text` does on a missing, unreadable or endless one."""
    file = Path(path)
    if file.exists() and not file.is_file() and not file.is_dir():
        # a device or pipe (/dev/zero) never ends: reading it would fill the memory
        raise InputError(f"{file}: is a device, pipe or socket, not a {what}; give a file")
    try:
        return open(file, "rb")  # the caller closes it
    except FileNotFoundError:
        raise InputError(f"{file}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder; give the {what} itself") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the {what} ({exc.strerror}); check the path and permissions") from None


def iter_lines(stream: BinaryIO, file: str, *, what: str = "file", max_line_bytes: int | None = None) -> Iterator[str]:
    """The lines of a text stream, without their line ends, read a block at a time.

    Memory holds a block and the line being read, not the file. Lines end at a line feed (a
    carriage return before it is dropped), as :func:`split_lines` splits them. A stream that
    does not start as plain UTF-8 text (UTF-16, a workbook, binary data, or lines ended by
    carriage returns only) is read whole by :func:`decode_text`, which names its problem.

    Raises
    ------
    InputError
        A line is not UTF-8, holds a NUL byte, or is longer than ``max_line_bytes`` (default
        :data:`MAX_LINE_BYTES`; the message gives the line number).
    """
    max_line_bytes = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    head = stream.read(_SNIFF)
    if _read_whole(head):
        yield from split_lines(decode_text(head + stream.read(), file, what=what))
        return
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    number = 0
    pending = b""
    chunk = head
    while chunk:
        parts = (pending + chunk).split(b"\n") if pending else chunk.split(b"\n")
        pending = parts.pop()
        for raw in parts:
            number += 1
            yield _decoded_line(raw, file, number, what, max_line_bytes)
        if len(pending) > max_line_bytes:
            raise _too_long(file, number + 1, what, max_line_bytes)
        chunk = stream.read(_CHUNK)
    if pending:
        yield _decoded_line(pending, file, number + 1, what, max_line_bytes)


def _read_whole(head: bytes) -> bool:
    """Whether a stream starting with ``head`` is read whole by :func:`decode_text` (not plain UTF-8 lines)."""
    return (
        head.startswith((b"\xff\xfe", b"\xfe\xff", *WORKBOOK_SIGNATURES, *BINARY_SIGNATURES))
        or b"\x00" in head
        or head.count(b"\r") - head.count(b"\r\n") > head.count(b"\n")
    )


def _too_long(file: str, number: int, what: str, max_bytes: int) -> InputError:
    return InputError(
        f"{file}: line {number} is longer than {max_bytes:,} bytes, which no line of a {what} is; "
        "check that this is the right file"
    )


def _decoded_line(raw: bytes, file: str, number: int, what: str, max_bytes: int) -> str:
    """Line ``number`` of ``file`` from its bytes."""
    if len(raw) > max_bytes:
        raise _too_long(file, number, what, max_bytes)
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if b"\x00" in raw:
        raise _nul_byte(file, number, what)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(file, number, raw[exc.start]) from None


def _nul_byte(file: str, line: int, what: str) -> InputError:
    return InputError(f"{file}: line {line} holds a NUL byte: this is a binary file, not a text {what}")


def _not_utf8(file: str, line: int, byte: int) -> InputError:
    return InputError(
        f"{file}: line {line} is not UTF-8 (byte {byte:#04x}); save the file as UTF-8 (in Excel: Save As > CSV UTF-8)"
    )


def split_lines(text: str) -> list[str]:
    """The lines of a text, without their line ends: split at line feeds (a carriage return before one is
    dropped), or at carriage returns in a text that ends its lines so (more carriage returns not before a
    line feed than line feeds: an old Mac file, perhaps with one line added elsewhere). Not at other line
    breaks Unicode knows (U+0085, U+2028), which may stand inside a name copied from a web page."""
    if not text:
        return []
    feeds = text.count("\n")
    lines = re.split(r"\r\n?|\n", text) if text.count("\r") - text.count("\r\n") > feeds else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def decode_text(data: bytes, file: str, *, what: str = "file") -> str:
    """The text of ``data`` read from ``file`` (a name for messages), as :func:`read_text` reads a file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{file}: the {what} starts like UTF-16 text but is not; save it as UTF-8") from None
    if not data.startswith((b"\xef\xbb\xbf",)) and (utf16 := _utf16_without_bom(data[:_SNIFF])) is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            raise InputError(f"{file}: the {what} starts like UTF-16 text but is not; save it as UTF-8") from None
    if data.startswith(WORKBOOK_SIGNATURES):
        raise InputError(
            f"{file}: the {what} is a spreadsheet workbook, not text; give it an .xlsx name to read it "
            "as a workbook, or save it as CSV UTF-8"
        )
    binary = b"\x00" in data[:_SNIFF]
    kind = next((k for sig, k in BINARY_SIGNATURES.items() if data.startswith(sig)), None)
    if kind is not None and (binary or not _is_utf8(data[:_SNIFF])):  # text may begin so ("MZ", "GIF8")
        raise InputError(f"{file}: is {kind}, not a text {what}; give the {what} itself")
    if binary:  # binary data, before any byte that is not UTF-8 says otherwise
        raise _nul_byte(file, data[: data.index(b"\x00")].count(b"\n") + 1, what)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(file, data[: exc.start].count(b"\n") + 1, data[exc.start]) from None
    if "\x00" in text:
        raise _nul_byte(file, text[: text.index("\x00")].count("\n") + 1, what)
    return text


def _is_utf8(head: bytes) -> bool:
    """Whether ``head`` (the start of a file, perhaps cut inside a character) is UTF-8."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``head`` reads as UTF-16 text without a byte-order mark, else None.

    Each character's high byte is zero in Latin text and a few values in another script (Dari: 0x06), and
    line ends and spaces are zero there: zeros on one side of every pair of bytes and none on the other,
    and the text decoded is nearly all Latin or Arabic letters, digits, punctuation and spaces (bytes
    that only happen to hold a zero read as letters of other scripts).
    """
    if len(head) < 4 or b"\x00" not in head:
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    for zeros, letters, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) and not letters.count(0):
            try:
                text = head.decode(codec)
            except UnicodeDecodeError:  # cut inside a pair of surrogates, or not UTF-16
                try:
                    text = head[:-2].decode(codec)
                except UnicodeDecodeError:
                    return None
            if text and sum(map(_plain_letter, text)) >= 0.9 * len(text):
                return codec
    return None


def _plain_letter(ch: str) -> bool:
    """Whether ``ch`` is printable ASCII, a tab or line end, or of the Arabic script's blocks (with the
    joiners Dari writes)."""
    code = ord(ch)
    return (
        32 <= code < 127
        or ch in "\t\r\n\u200c\u200d\u200e\u200f"
        or 0x600 <= code <= 0x6FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
        or 0xA0 <= code <= 0x24F  # Latin letters with accents
    )
