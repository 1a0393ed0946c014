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
            pass  # not text after all: said below
    kind = next((k for sig, k in BINARY_SIGNATURES.items() if data.startswith(sig)), None)
    if kind is not None and not (kind == "a program" and b"\x00" not in data[:_SNIFF]):  # "MZ" may begin a name
        raise InputError(f"{file}: is {kind}, not a text {what}; give the {what} itself")
    if data.startswith(WORKBOOK_SIGNATURES):
        raise InputError(
            f"{file}: the {what} is a spreadsheet workbook, not text; give it an .xlsx name to read it "
            "as a workbook, or save it as CSV UTF-8"
        )
    if b"\x00" in data[:_SNIFF]:  # binary data, before any byte that is not UTF-8 says otherwise
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


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``head`` reads as UTF-16 text without a byte-order mark (Latin
    text: every other byte zero, the others not), else None."""
    if len(head) < 4 or b"\x00" not in head:
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    for zeros, letters, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and letters.count(0) == 0:
            return codec
    return None
