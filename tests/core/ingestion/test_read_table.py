"""`read_table`: encodings, delimiters, sources and every error, as small in-memory cases."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from core.ingestion.tables import (
    EmptyFile,
    FileTooLarge,
    IngestError,
    NotATable,
    TooManyRows,
    UnreadableFile,
    read_table,
    sniff_delimiter,
)

NOT_A_TABLE = "not a table; upload a CSV or xlsx file."
QUOTE_COMMA = 'put text that contains a comma in double quotes ("...").'
QUOTE_SEMICOLON = 'put text that contains a semicolon in double quotes ("...").'


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"id,name\n1,Cleo\n", ","),
        (b"id;name\n1;Cleo\n", ";"),
        (b"id\tname\n1\tCleo\n", "\t"),
        (b"id|name\n1|Cleo\n", "|"),
        # Commas inside the text do not fool the sniffer: only ';' splits every row the same way.
        (b"text;rating\nGood, cheap, fast;5\nBad, slow;1\nOk;3\n", ";"),
        (b'text,rating\n"Good; cheap; fast",5\n"Bad; slow",1\n', ","),
        (b"text\tproduct\nA, b; c | d\tX\n", "\t"),
        (b"text\nhello, world\n", None),  # one column: commas are part of the text
    ],
)
def test_delimiters(data: bytes, delimiter: str | None) -> None:
    table = read_table(io.BytesIO(data))
    assert table.delimiter == delimiter
    assert table.frame.shape[0] >= 1


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("text\nniño\n".encode(), "utf-8"),
        ("text\nniño\n".encode("utf-8-sig"), "utf-8-sig"),
        ("text\nniño\n".encode("utf-16"), "utf-16-le"),
        (b"\xfe\xff" + "text\nniño\n".encode("utf-16-be"), "utf-16-be"),
        ("text\nniño\n".encode("utf-16-le"), "utf-16-le"),  # no BOM: told by the NUL bytes
        ("text\nniño 20 €\n".encode("cp1252"), "cp1252"),
        ("text\nniño\n".encode("latin-1"), "cp1252"),
    ],
)
def test_encodings(data: bytes, encoding: str) -> None:
    table = read_table(data)
    assert table.encoding == encoding
    assert table.frame["text"].iloc[0].startswith("niño")


def test_other_scripts_are_kept_when_recognised() -> None:
    text = "отзыв;товар\nОчень хороший чайник, быстро кипятит воду;Чайник\nПлохое качество;Чайник\n"
    table = read_table(text.encode("cp1251"))
    assert table.encoding == "cp1251"
    assert table.frame["отзыв"].tolist() == ["Очень хороший чайник, быстро кипятит воду", "Плохое качество"]


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    table = read_table(b"text\nna\xefve \x81\n")
    assert table.encoding == "latin-1"
    assert table.frame["text"].tolist() == ["naïve \x81"]


def test_cells_are_strings_and_na_text_survives() -> None:
    table = read_table(b"text,rating,n\nNA,5,007\nnull,,1.50\n")
    assert table.frame.to_dict("records") == [
        {"text": "NA", "rating": "5", "n": "007"},
        {"text": "null", "rating": "", "n": "1.50"},
    ]


def test_headers_are_trimmed_named_and_unique() -> None:
    table = read_table(b" Text ,,text,\n a ,b,c,d\n")
    assert list(table.frame.columns) == ["Text", "column 2", "text", "column 4"]
    assert table.frame.iloc[0].tolist() == [" a ", "b", "c", "d"]  # cell whitespace is cleaned later


def test_duplicate_headers_are_numbered() -> None:
    assert list(read_table(b"a,a,a\n1,2,3\n").frame.columns) == ["a", "a (2)", "a (3)"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_endings(newline: bytes) -> None:
    data = newline.join([b"text;product", b'"two\nlines";P', b"plain;Q", b""])
    table = read_table(data)
    assert table.delimiter == ";"
    assert table.frame["text"].tolist() == ["two\nlines", "plain"]
    assert table.frame["product"].tolist() == ["P", "Q"]


def test_blank_lines_and_short_rows() -> None:
    table = read_table(b"\n\ntext,rating,author\n\nfine,4\n\n")
    assert table.frame.to_dict("records") == [{"text": "fine", "rating": "4", "author": ""}]


def test_sources_bytes_file_path_and_name(tmp_path: Path) -> None:
    data = b"text\nhello\n"
    path = tmp_path / "reviews.csv"
    path.write_bytes(data)
    named = io.BytesIO(data)
    named.name = "upload.csv"  # Streamlit's UploadedFile has a name
    named.read()  # a file already read to the end still gives its whole content (getvalue)
    for source, filename in [
        (data, None),
        (io.BytesIO(data), None),
        (path, "reviews.csv"),
        (named, "upload.csv"),
    ]:
        table = read_table(source)
        assert table.filename == filename
        assert table.frame["text"].tolist() == ["hello"]
    assert read_table(data, "given.csv").filename == "given.csv"


class _Upload(io.RawIOBase):
    """A file object without getvalue() that reports its size, like some upload wrappers."""

    def __init__(self, data: bytes, size: int | None = None) -> None:
        self._buffer = io.BytesIO(data)
        self.size = size if size is not None else len(data)

    def read(self, n: int = -1) -> bytes:
        return self._buffer.read(n)


def test_file_objects_without_getvalue() -> None:
    assert read_table(_Upload(b"text\nhi\n")).frame["text"].tolist() == ["hi"]


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", EmptyFile, "The file is empty."),
        (b" \r\n\n\t", EmptyFile, "The file is empty."),
        (b"\xef\xbb\xbf", EmptyFile, "The file is empty."),
        (b"\xff\xfe", EmptyFile, "The file is empty."),
        (b"text,rating\n", EmptyFile, "The file has a header row but no data rows."),
        (b"text,rating\n\n\n", EmptyFile, "The file has a header row but no data rows."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NotATable, f"The file is a PNG image, {NOT_A_TABLE}"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", NotATable, f"The file is a PDF document, {NOT_A_TABLE}"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", NotATable, f"The file is a JPEG image, {NOT_A_TABLE}"),
        (b"text\x00\x01\x02\x03\x00\xff\xfe\x00\x00\x00\x07", NotATable,
         "The file contains binary data, not text; upload a CSV or xlsx file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", NotATable,
         "The file is an old Excel .xls workbook or a password-protected one; save it as xlsx or CSV."),
        (b"a,b\n1,2,3\n", UnreadableFile, f"Row 2 has 3 fields but the header has 2; {QUOTE_COMMA}"),
        (b"a;b\n1;2\n3;4;5\n", UnreadableFile, f"Row 3 has 3 fields but the header has 2; {QUOTE_SEMICOLON}"),
        (b'a,b\n1,2\n"open,5\n6,7\n', UnreadableFile,
         "Row 3 opens a double quote that is never closed; close it or remove it."),
        # Excel counts blank lines as rows, and a quoted multi-line cell as one: so does the message.
        (b'a,b\n\n1,2\n"x\ny",1\n3,4,5\n', UnreadableFile,
         f"Row 5 has 3 fields but the header has 2; {QUOTE_COMMA}"),
    ],
)  # fmt: skip
def test_errors(data: bytes, error: type[IngestError], message: str) -> None:
    with pytest.raises(error) as caught:
        read_table(io.BytesIO(data))
    assert str(caught.value) == message


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


def test_zip_that_is_not_a_workbook() -> None:
    with pytest.raises(
        NotATable, match=r"^The file is a ZIP archive, not a CSV or xlsx file; extract the CSV first\.$"
    ):
        read_table(_zip(["reviews.csv"]))


def test_broken_workbook() -> None:
    with pytest.raises(
        UnreadableFile, match=r"^The Excel file cannot be read \(\w+\); save it again from Excel"
    ):
        read_table(_zip(["xl/workbook.xml", "[Content_Types].xml"]))


def test_size_limit(tmp_path: Path) -> None:
    data = b"text\n" + b"a fine review\n" * 100  # 1,405 bytes
    message = r"^File is 1\.4 KiB; the limit is 1000 bytes \(SENTIMENT_MAX_UPLOAD_MB, in MiB\)\.$"
    with pytest.raises(FileTooLarge, match=message):
        read_table(data, max_bytes=1000)
    with pytest.raises(FileTooLarge, match=message):
        read_table(io.BytesIO(data), max_bytes=1000)
    with pytest.raises(FileTooLarge, match=message):
        read_table(_Upload(data), max_bytes=1000)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(FileTooLarge, match=message):
        read_table(path, max_bytes=1000)
    assert len(read_table(data, max_bytes=len(data)).frame) == 100


def test_size_limit_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("SENTIMENT_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(
            FileTooLarge,
            match=r"^File is 2\.0 MiB; the limit is 1\.0 MiB \(SENTIMENT_MAX_UPLOAD_MB, in MiB\)\.$",
        ):
            read_table(b"text\n" + b"x" * (2 * 1024 * 1024 - 5))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize("data", [b"text\n" + b"ok\n" * 11, b"text\n" + b"ok\n" * 500])
def test_row_limit(data: bytes) -> None:
    with pytest.raises(
        TooManyRows, match=r"^File has more than 10 data rows; the limit is 10 \(SENTIMENT_MAX_ROWS\)\.$"
    ):
        read_table(data, max_rows=10)


def test_row_limit_allows_exactly_the_limit() -> None:
    assert len(read_table(b"text\n" + b"ok\n" * 10, max_rows=10).frame) == 10


def test_row_limit_applies_to_xlsx() -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "excel_export.xlsx"
    with pytest.raises(TooManyRows):
        read_table(fixture, max_rows=3)
    assert len(read_table(fixture, max_rows=5).frame) == 5


def test_sniffer_tie_break_and_fallback() -> None:
    assert sniff_delimiter("a,b;c\n1,2;3\n") == ","  # both consistent: Sniffer or order decides
    assert sniff_delimiter("just one column\nno delimiter\n") is None
    assert sniff_delimiter('a|b\n"x|y"|z\n') == "|"


ONE_PER_LINE = b"The battery died after two days.\nLove it, works great.\n"


@pytest.mark.parametrize(
    ("data", "columns", "first_text"),
    [
        # a rating or a date in the first row: column names are never numbers or dates
        (
            b'"Great blender, crushes ice",5\nLoud but works,3\n',
            ["column 1", "column 2"],
            "Great blender, crushes ice",
        ),
        (b"2024-03-01;Broke after a week\n2024-03-02;Fine\n", ["column 1", "column 2"], "2024-03-01"),
        # one review per line and no header: the first review is a review, not a column name
        (ONE_PER_LINE, ["column 1"], "The battery died after two days."),
    ],
)
def test_a_first_row_that_is_data_is_kept_as_data(data: bytes, columns: list[str], first_text: str) -> None:
    table = read_table(data, "reviews.csv")
    assert table.has_header is False
    assert list(table.frame.columns) == columns
    assert len(table.frame) == 2  # nothing lost
    assert table.frame.iloc[0, 0] == first_text


@pytest.mark.parametrize(
    "data",
    [
        b"review,rating\nGreat,5\n",
        b"What did you think of the product?\nGreat, works well.\n",  # survey exports: questions are names
        b"Product name,Your review\nBlender,Loud\n",
        # a long, sentence-like column name in a file of several columns is still a column name
        b"Please describe your experience with the product in detail.,Stars\nGreat,5\n",
    ],
)
def test_ordinary_headers_stay_headers(data: bytes) -> None:
    table = read_table(data, "reviews.csv")
    assert table.has_header is True
    assert len(table.frame) == 1


def test_header_only_file_is_still_empty() -> None:
    with pytest.raises(EmptyFile, match="header row but no data rows"):
        read_table(b"review,rating\n", "reviews.csv")


def test_xlsx_without_header_keeps_its_first_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Great blender", 5])
    sheet.append(["Too loud", 2])
    path = tmp_path / "reviews.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.has_header is False
    assert table.frame["column 2"].tolist() == [5, 2]
