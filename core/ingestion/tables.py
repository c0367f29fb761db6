"""Read an uploaded file into a table of strings: CSV in any common encoding and delimiter, or xlsx.

:func:`read_table` is the only entry point; the error classes here are what every ingestion step raises.
Every failure is an :class:`IngestError` whose message is one sentence the user can act on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import charset_normalizer
import pandas as pd

from core.ingestion.parsing import parse_date, plain_number
from core.settings import get_settings

MESSAGE_QUOTE_MAX = 200  # characters of file content (column names, cells) quoted in one message


def quoted(text: object, limit: int = MESSAGE_QUOTE_MAX) -> str:
    """File content for a message, cut to `limit` characters ("…" marks the cut)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_list(columns: Sequence[object]) -> str:
    """ "a, b, c" for a message; a long list is cut and says how many columns there are."""
    joined = ", ".join(str(c) for c in columns)
    if len(joined) <= MESSAGE_QUOTE_MAX:
        return joined
    return f"{quoted(joined)} ({len(columns):,} columns)"


class IngestError(Exception):
    """An upload that cannot be imported; the message is one sentence a user can act on."""


class EmptyFile(IngestError):
    """The file has no bytes, or a header row and no data rows."""


class NotATable(IngestError):
    """The file is an image, a PDF, an archive or other binary data, not a CSV or xlsx file."""


class FileTooLarge(IngestError):
    """The file is bigger than the configured upload limit."""


class TooManyRows(IngestError):
    """The file has more data rows than the configured row limit."""


class NoTextColumn(IngestError):
    """No column holds the review text (and the caller did not name one)."""


class MissingColumn(IngestError):
    """A column the caller named is not in the file."""


class UnreadableFile(IngestError):
    """A CSV or xlsx file that cannot be parsed (ragged rows, a broken workbook)."""


class WorkbookTooLarge(IngestError):
    """An xlsx whose sheet unpacks to more cells, columns or bytes than the limits (a "zip bomb")."""


@dataclass
class ParsedTable:
    """A file read as a table: CSV cells are strings, xlsx cells keep their numbers and datetimes."""

    frame: pd.DataFrame
    encoding: str | None
    delimiter: str | None
    kind: str  # "csv" | "xlsx"
    filename: str | None
    has_header: bool = True  # False: the first row looked like data and is kept as data ("column 1", ...)
    notes: list[str] = field(default_factory=list)  # how the file was repaired, for the summary


DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50
# Magic numbers of files people upload by mistake, with what to call them in the message.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"RIFF", "an audio or video file"),
    (b"SQLite format 3", "a SQLite database"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# charset-normalizer tells Western European single-byte code pages apart badly on short files
# (Spanish cp1252 often comes back as cp1250). Our users write English and Spanish, so any
# Latin single-byte guess is read as cp1252; another script (Cyrillic, Greek) is kept when
# charset-normalizer recognises a language in it.
_LATIN_LOOKALIKE_RE = re.compile(
    r"^(cp125[0247]|cp437|cp85[08]|cp775|latin_?\d*|iso8859_(1|2|3|4|9|10|13|14|15|16)"
    r"|mac_(roman|latin2|iceland|turkish)|hp_roman8)$"
)
_MIN_COHERENCE = 0.3
_LINE_RE = re.compile(r"line (\d+), saw (\d+)")
_EXPECTED_RE = re.compile(r"Expected (\d+) fields")
_EOF_IN_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")


def _human_size(size: int) -> str:
    """1536 → "1.5 KiB", 312_000_000 → "298 MiB": binary units, as the upload limit is set."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "GiB":
            return f"{size_f:.0f} {unit}" if size_f >= 10 else f"{size_f:.1f} {unit}"
        size = int(size_f)
    raise AssertionError("unreachable")


def _read_bytes(source: bytes | BinaryIO | Path | str, max_bytes: int) -> tuple[bytes, str | None]:
    """The file's bytes and name, refusing anything over `max_bytes` before reading all of it."""
    too_large = "File is {size}; the limit is {limit} (SENTIMENT_MAX_UPLOAD_MB, in MiB)."
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = None
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLarge(too_large.format(size=_human_size(size), limit=_human_size(max_bytes)))
        data, name = path.read_bytes(), path.name
    else:
        declared = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size
        if isinstance(declared, int) and declared > max_bytes:
            raise FileTooLarge(too_large.format(size=_human_size(declared), limit=_human_size(max_bytes)))
        # getvalue() gives the whole upload even if someone read from it before.
        data = source.getvalue() if hasattr(source, "getvalue") else source.read(max_bytes + 1)
        name = getattr(source, "name", None)
        name = name if isinstance(name, str) else None
    if len(data) > max_bytes:
        raise FileTooLarge(too_large.format(size=_human_size(len(data)), limit=_human_size(max_bytes)))
    return data, name


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """ "utf-16-le"/"-be" when every other byte is NUL, as in ASCII text saved as UTF-16 with no BOM."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    if odd_nuls > 0.7 * pairs and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.7 * pairs and odd_nuls == 0:
        return "utf-16-be"
    return None


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding, or NotATable for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"The file starts with a {encoding} byte-order mark but is not valid {encoding}; "
                    "save it again as UTF-8."
                ) from exc
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise NotATable("The file contains binary data, not text; upload a CSV or xlsx file.")
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise NotATable("The file contains binary data, not text; upload a CSV or xlsx file.") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for match in charset_normalizer.from_bytes(data[:_SNIFF_CHARS]):
        guess = match.encoding
        if _LATIN_LOOKALIKE_RE.match(guess):
            break  # read as cp1252 below
        # No NUL bytes, so not UTF-16/32; another script only when a language was recognised in it
        # (on a short file charset-normalizer's top guess can be anything, e.g. big5 for "niño").
        if guess.startswith(("utf_16", "utf_32")) or match.coherence < _MIN_COHERENCE:
            continue
        try:
            return data.decode(guess), guess
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 decodes every byte.
        return data.decode("latin-1"), "latin-1"


_SEP_LINE_RE = re.compile(r"sep=(.)[ \t]*(\r\n|\n|\r)", re.IGNORECASE)
_LINES_SHOWN = 10


def _lines(numbers: list[int]) -> str:
    """ "line 3" / "lines 3, 7" / "lines 3, 7, … (40 lines)" for a message."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    shown = ", ".join(str(n) for n in numbers[:_LINES_SHOWN])
    return f"lines {shown}" if len(numbers) <= _LINES_SHOWN else f"lines {shown}, … ({len(numbers):,} lines)"


def _decode_mixed(data: bytes) -> tuple[str, list[int]] | None:
    """A file whose lines are UTF-8 except some in cp1252 (rows pasted from two sources), decoded line
    by line; None unless some non-ASCII lines are valid UTF-8 and others are not."""
    utf8_lines, legacy = 0, []
    decoded = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            legacy.append(number)
            text = line.decode("cp1252", errors="strict") if _cp1252_ok(line) else line.decode("latin-1")
        decoded.append(text)
    if not utf8_lines or not legacy:
        return None
    return "\n".join(decoded), legacy


def _cp1252_ok(line: bytes) -> bool:
    try:
        line.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """:func:`_decode` plus the repairs a careless export needs, each said in a note: lines in two
    encodings are decoded one by one, NUL bytes past the first 8 KB are removed."""
    notes: list[str] = []
    mixed = None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if not data.startswith(tuple(bom for bom, _ in _BOMS)) and b"\x00" not in data[:8192]:
            mixed = _decode_mixed(data)
    if mixed is not None:
        text, legacy = mixed
        encoding = "utf-8 (some lines cp1252)"
        verb = "is" if len(legacy) == 1 else "are"
        notes.append(f"{_lines(legacy).capitalize()} {verb} not UTF-8, read as cp1252 (Windows); check them.")
    else:
        text, encoding = _decode(data)
    if "\x00" in text:
        lines = [n for n, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
        text = text.replace("\x00", "")
        notes.append(f"Removed NUL bytes (binary zeros) from {_lines(lines)}.")
    return text, encoding, notes


def _field_counts(sample: str, delimiter: str) -> list[int]:
    """Fields per record of the first lines of `sample`, honouring quotes (the last, possibly cut
    record is dropped)."""
    # newline=None: old Mac files end lines with a bare \r.
    lines = io.StringIO(sample, newline=None)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)
    counts = []
    try:
        for row in reader:
            if row:
                counts.append(len(row))
            if len(counts) > _SNIFF_ROWS:
                break
    except csv.Error:
        pass
    if len(counts) > 1 and len(sample) >= _SNIFF_CHARS:
        counts.pop()
    return counts


def sniff_delimiter(sample: str) -> str | None:
    """The delimiter among , ; tab | that splits the header and the following rows consistently.

    Each candidate is scored by the share of records with as many fields as the header; ties go
    to the candidate `csv.Sniffer` picks, then to the order above. None means a one-column file.
    """
    scores: dict[str, tuple[float, int]] = {}
    for delimiter in DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts or counts[0] < 2:
            continue
        rows = counts[1:] or [counts[0]]
        scores[delimiter] = (sum(c == counts[0] for c in rows) / len(rows), counts[0])
    if not scores:
        return None
    best_score = max(score for score, _ in scores.values())
    tied = [d for d in DELIMITERS if d in scores and scores[d][0] == best_score]
    if len(tied) > 1:
        try:
            sniffed = csv.Sniffer().sniff(sample[:8192], delimiters="".join(DELIMITERS)).delimiter
        except csv.Error:
            sniffed = None
        if sniffed in tied:
            return sniffed
    return tied[0]


def _clean_headers(columns: list[object]) -> list[str]:
    """Header names stripped; blank ones named "column N"; repeats numbered so each is unique."""
    names: list[str] = []
    seen: Counter[str] = Counter()
    for index, column in enumerate(columns, start=1):
        name = str(column).strip().lstrip("\ufeff")
        if not name or name.startswith("Unnamed: "):
            name = f"column {index}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def looks_like_data(first_row: list[object]) -> bool:
    """Whether a file's first row is a record rather than column names.

    Column names are never numbers or dates (as :mod:`core.ingestion.parsing` reads rating and date cells),
    so one such cell decides it. A file of one column ("one review per line", no header) is
    recognised by a first cell that reads like a sentence: four words or more ending in ".", "!" or
    "…", or eight words or more, but not a question ("What did you think?"): survey exports use
    questions as column names.
    """
    cells = [c for c in first_row if not (isinstance(c, str) and not c.strip())]
    if any(plain_number(c) is not None or parse_date(c) is not None for c in cells):
        return True
    if len(first_row) != 1 or not cells:
        return False
    sentence = str(cells[0]).strip()
    words = len(sentence.split())
    if sentence.endswith("?"):
        return False
    return (words >= 4 and sentence.endswith((".", "!", "…"))) or words >= 8


def _split_header(raw: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The table under its header row, or all rows under "column N" names when there is no header."""
    if raw.empty:
        return raw, True
    first = list(raw.iloc[0])
    if looks_like_data(first):
        body = raw.reset_index(drop=True)
        body.columns = [f"column {i}" for i in range(1, raw.shape[1] + 1)]
        return body, False
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = first
    return body, True


def _read_csv(text: str, delimiter: str | None, max_rows: int) -> pd.DataFrame:
    """Parse CSV text into rows of strings, the header row included; a row with more fields than the
    first is an error."""
    # A one-column file is read with a separator that never occurs, so commas in text stay text.
    sep = delimiter or "\x1f"
    try:
        # header=None: with header=0 pandas silently turns a first data row with one extra field
        # into an index (shifting every value one column left); this way it is a ParserError.
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=object,
            keep_default_na=False,  # "NA" and "null" are text, not missing values
            na_filter=False,
            header=None,
            nrows=max_rows + 2,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise EmptyFile("The file is empty.") from exc
    except pd.errors.ParserError as exc:
        message = str(exc)
        line, expected = _LINE_RE.search(message), _EXPECTED_RE.search(message)
        if line and expected:
            name = _DELIMITER_NAMES.get(sep, repr(sep))
            raise UnreadableFile(
                f"Row {line.group(1)} has {line.group(2)} fields but the header has {expected.group(1)}; "
                f'put text that contains a {name} in double quotes ("...").'
            ) from exc
        if quote := _EOF_IN_QUOTE_RE.search(message):
            # pandas counts rows from 0 here; Excel (and our other messages) from 1.
            raise UnreadableFile(
                f"Row {int(quote.group(1)) + 1} opens a double quote that is never closed; "
                "close it or remove it."
            ) from exc
        raise UnreadableFile(f"The CSV file cannot be parsed: {message.strip()}.") from exc
    return frame


def _read_xlsx(data: bytes, max_rows: int) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=0, dtype=object, engine="openpyxl", header=None, nrows=max_rows + 2
        )
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise UnreadableFile(
            f"The Excel file cannot be read ({type(exc).__name__}); save it again from Excel as xlsx."
        ) from exc
    # Empty cells come back as NaN; make them "" like in a CSV. Real numbers and datetimes stay.
    return frame.astype(object).where(frame.notna(), "")


XLSX_MAX_COLUMNS = 1_000  # review exports have tens of columns; Excel allows 16,384
XLSX_MAX_CELLS = 20_000_000  # 1,000,000 rows of 20 columns
XLSX_UNPACKED_FACTOR = 5  # a workbook may unpack to this many times the upload limit
_CELL_REF_RE = re.compile(r"([A-Za-z]{1,3})(\d+)$")
_SHEET_CHUNK = 64 * 1024


def _column_number(letters: str) -> int:
    """ "A" → 1, "Z" → 26, "AA" → 27, "XFD" → 16,384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (the one pandas reads), from workbook.xml's rels."""
    from xml.etree import ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return "xl/worksheets/sheet1.xml"
    sheet = next((e for e in workbook.iter() if e.tag.endswith("}sheet")), None)
    rel_id = next(
        (v for k, v in (sheet.attrib.items() if sheet is not None else ()) if k.endswith("}id")), None
    )
    for rel in rels:
        if rel.get("Id") == rel_id and rel.get("Target"):
            target = rel.get("Target", "").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def check_workbook_size(data: bytes, max_bytes: int, max_rows: int) -> None:
    """Refuse an xlsx that would unpack to too much, before any parser builds it in memory.

    The ZIP directory declares each part's unpacked size (and Python's zipfile never inflates past
    it); the first sheet is then scanned as a stream (expat, no tree) for its declared dimension,
    its rows, its cells and the column of every cell.

    :raises WorkbookTooLarge: with a one-line message.
    :raises TooManyRows: more data rows than `max_rows`.
    """
    from xml.parsers import expat

    unpacked_limit = XLSX_UNPACKED_FACTOR * max_bytes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > unpacked_limit:
            raise WorkbookTooLarge(
                f"The workbook unpacks to {_human_size(unpacked)}; the limit is "
                f"{_human_size(unpacked_limit)} ({XLSX_UNPACKED_FACTOR} × SENTIMENT_MAX_UPLOAD_MB). "
                "Save the reviews as CSV instead."
            )
        try:
            sheet = archive.open(_first_sheet_path(archive))
        except KeyError:
            return  # no sheet part: openpyxl says what is wrong
        counts = {"rows": 0, "cells": 0, "row_cells": 0}  # row_cells: cells in the current row

        def too_many_columns() -> WorkbookTooLarge:
            return WorkbookTooLarge(
                f"The first sheet has more than {XLSX_MAX_COLUMNS:,} columns; the limit is "
                f"{XLSX_MAX_COLUMNS:,}. Delete the unused columns or save the reviews as CSV."
            )

        def start(name: str, attributes: dict[str, str]) -> None:
            tag = name.rsplit("}", 1)[-1]
            if tag == "c":
                counts["cells"] += 1
                if counts["cells"] > XLSX_MAX_CELLS:
                    raise WorkbookTooLarge(
                        f"The first sheet has more than {XLSX_MAX_CELLS:,} cells; the limit is "
                        f"{XLSX_MAX_CELLS:,}. Split the file or save it as CSV."
                    )
                counts["row_cells"] += 1
                match = _CELL_REF_RE.match(attributes.get("r", ""))  # optional: cells may omit it
                column = _column_number(match.group(1)) if match else counts["row_cells"]
                if max(column, counts["row_cells"]) > XLSX_MAX_COLUMNS:
                    raise too_many_columns()
            elif tag == "row":
                counts["rows"] += 1
                counts["row_cells"] = 0
                if counts["rows"] > max_rows + 1:
                    raise TooManyRows(
                        f"File has more than {max_rows:,} data rows; the limit is {max_rows:,} "
                        "(SENTIMENT_MAX_ROWS)."
                    )
            elif tag == "dimension":
                last = attributes.get("ref", "").split(":")[-1]
                match = _CELL_REF_RE.match(last)
                if match and _column_number(match.group(1)) > XLSX_MAX_COLUMNS:
                    raise too_many_columns()

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = start
        try:
            with sheet:
                while chunk := sheet.read(_SHEET_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, zlib.error):
            return  # a damaged sheet: openpyxl reports it


def _is_cut_workbook(data: bytes, filename: str | None) -> bool:
    """A ZIP that cannot be opened (its directory, at the end, is missing) and names Excel parts or
    an .xlsx file: a workbook cut short."""
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except zipfile.BadZipFile:
        return (
            (filename or "").lower().endswith(".xlsx")
            or b"[Content_Types].xml" in data[:4096]
            or (b"xl/" in data[:4096])
        )
    return False


def _looks_like_json(text: str) -> bool:
    """A JSON document or JSON Lines (one object per line)."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start not in ("{", "["):
        return False
    try:
        json.loads(text)
    except ValueError:
        try:
            json.loads(text.lstrip().split("\n", 1)[0])
        except ValueError:
            return False
    return True


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_table(
    source: bytes | BinaryIO | Path | str,
    filename: str | None = None,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ParsedTable:
    """Read a CSV or xlsx upload into a table whose first row is the header.

    :param source: the file's bytes, a binary file object (a Streamlit upload, ``BytesIO``) or a path.
    :param filename: the name to report; defaults to the file object's or path's name.
    :param max_bytes: refuse bigger files (checked before reading them: a path's size, an upload's
        ``size``, or at most `max_bytes` + 1 bytes read); default ``SENTIMENT_MAX_UPLOAD_MB`` MiB.
    :param max_rows: refuse files with more data rows; default ``SENTIMENT_MAX_ROWS``.
    :raises IngestError: one of its subclasses, with a message for the user.
    """
    settings = get_settings()
    max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
    max_rows = settings.max_rows if max_rows is None else max_rows
    data, source_name = _read_bytes(source, max_bytes)
    filename = filename or source_name
    blank = b" \t\r\n\x00"
    # Check the head first so a big file is not copied just to learn it is not blank.
    if (not data[:4096].strip(blank) and not data.strip(blank)) or data in {bom for bom, _ in _BOMS}:
        raise EmptyFile("The file is empty.")

    notes: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        if not _is_xlsx(data):
            if _is_cut_workbook(data, filename):
                raise UnreadableFile(
                    "The xlsx file is damaged or truncated (incomplete download or copy); "
                    "save or download it again."
                )
            raise NotATable("The file is a ZIP archive, not a CSV or xlsx file; extract the CSV first.")
        check_workbook_size(data, max_bytes, max_rows)
        raw, kind, encoding, delimiter = _read_xlsx(data, max_rows), "xlsx", None, None
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotATable(
            "The file is an old Excel .xls workbook or a password-protected one; save it as xlsx or CSV."
        )
    elif kind_name := _binary_kind(data[:16]):
        raise NotATable(f"The file is {kind_name}, not a table; upload a CSV or xlsx file.")
    else:
        text, encoding, notes = _decode_text(data)
        if _looks_like_json(text):
            raise NotATable("This is a JSON file; upload CSV, TSV or xlsx.")
        if sep_line := _SEP_LINE_RE.match(text):  # Excel's "sep=;" first line names the delimiter
            text, delimiter = text[sep_line.end() :], sep_line.group(1)
        else:
            delimiter = sniff_delimiter(text[:_SNIFF_CHARS])
        if not text.strip():
            raise EmptyFile("The file is empty.")
        raw, kind = _read_csv(text, delimiter, max_rows), "csv"

    frame, has_header = _split_header(raw)
    frame.columns = _clean_headers(list(frame.columns))
    if len(frame) > max_rows:
        raise TooManyRows(
            f"File has more than {max_rows:,} data rows; the limit is {max_rows:,} (SENTIMENT_MAX_ROWS)."
        )
    if raw.empty and kind == "xlsx":
        raise EmptyFile("The first sheet is empty; put the reviews on the first sheet.")
    if frame.empty:
        where = "The first sheet" if kind == "xlsx" else "The file"
        raise EmptyFile(f"{where} has a header row but no data rows.")
    return ParsedTable(frame, encoding, delimiter, kind, filename, has_header=has_header, notes=notes)
