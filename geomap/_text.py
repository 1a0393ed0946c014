"""Text input shared by every reader in geomap: one way to read a text file, one way to fail."""

from __future__ import annotations

import os
from pathlib import Path

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
    file = Path(path)
    if file.exists() and not file.is_file() and not file.is_dir():
        # a device or pipe (/dev/zero) never ends: reading it would fill the memory
        raise InputError(f"{file}: is a device, pipe or socket, not a {what}; give a file")
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a folder; give the {what} itself") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the {what} ({exc.strerror}); check the path and permissions") from None
    return decode_text(data, str(file), what=what)


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
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(f"{file}: line {line} holds a NUL byte: this is a binary file, not a text {what}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{file}: line {line} is not UTF-8 (byte {data[exc.start]:#04x}); save the file as UTF-8 "
            "(in Excel: Save As > CSV UTF-8)"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(f"{file}: line {line} holds a NUL byte: this is a binary file, not a text {what}")
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
