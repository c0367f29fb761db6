"""Hostile and careless files: bombs are refused before anything unpacks them, messages stay short.

The issue: a 19 KB xlsx with one 500,000-cell row cost the CLI 49 s and 1.4 GB and printed a 7.4 MB
"one-line" error. Each bomb here is refused by :func:`core.ingestion.tables.read_table` (the one entry
point of the CLI and the Upload page) with one line, and peak memory stays far below what the
unpacked file would take.
"""

from __future__ import annotations

import contextlib
import gzip
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from core.ingestion.mapping import ColumnMapping
from core.ingestion.rows import prepare_rows
from core.ingestion.tables import (
    MESSAGE_QUOTE_MAX,
    IngestError,
    NotATable,
    TooManyRows,
    WorkbookTooLarge,
    read_table,
)
from tests.faults import workbooks
from tests.faults.conftest import run_ingest

TOO_MANY_COLUMNS = (
    "The first sheet has more than 1,000 columns; the limit is 1,000. Delete the unused columns or "
    "save the reviews as CSV."
)


def peak_mib(function: Callable[[], object]) -> float:
    tracemalloc.start()
    with contextlib.suppress(IngestError):
        function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


@pytest.mark.parametrize(
    "data",
    [workbooks.one_wide_row(500_000), workbooks.far_cell("XFD")],
    ids=["500k-cells-in-one-row", "a-cell-in-column-XFD"],
)
def test_xlsx_column_bombs_are_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(WorkbookTooLarge) as caught:
        read_table(data, "bomb.xlsx")
    assert str(caught.value) == TOO_MANY_COLUMNS
    assert peak_mib(lambda: read_table(data, "bomb.xlsx")) < 50


def test_xlsx_whose_parts_unpack_past_the_limit_is_refused(tmp_path: Path) -> None:
    data = workbooks.huge_cell(3 * 2**20)  # 3 MiB of "a", a few KB zipped
    assert len(data) < 20_000
    with pytest.raises(WorkbookTooLarge) as caught:
        read_table(data, "bomb.xlsx", max_bytes=2**19)  # 512 KiB upload limit: 2.5 MiB unpacked
    assert str(caught.value) == (
        "The workbook unpacks to 3.0 MiB; the limit is 2.5 MiB (5 × SENTIMENT_MAX_UPLOAD_MB). "
        "Save the reviews as CSV instead."
    )


def test_xlsx_with_too_many_rows_is_refused_while_streaming() -> None:
    rows = "".join(f'<row r="{i}"><c t="n"><v>{i}</v></c></row>' for i in range(1, 200))
    data = workbooks.workbook(f"{workbooks.SHEET_OPEN}<sheetData>{rows}</sheetData></worksheet>")
    with pytest.raises(TooManyRows):
        read_table(data, "rows.xlsx", max_rows=100)


def test_a_huge_single_cell_is_read_whole_and_kept_as_one_review() -> None:
    text = "great " * 500_000  # 3 MB in one cell
    table = read_table(f"text\n{text}\n".encode(), "big_cell.csv")
    prepared = prepare_rows(table, ColumnMapping(text="text"))
    assert len(prepared.rows) == 1 and len(prepared.rows[0].text) == len(text.strip())


def test_gzip_is_refused_by_its_magic_number_without_unpacking() -> None:
    bomb = gzip.compress(b"text\n" + b"a" * 50_000_000)  # 50 MB inside 50 KB
    with pytest.raises(NotATable) as caught:
        read_table(bomb, "reviews.csv.gz")
    assert str(caught.value) == "The file is a gzip archive, not a table; upload a CSV or xlsx file."


def test_messages_quoting_file_content_are_capped() -> None:
    header = ",".join(f"column_{i}" for i in range(20_000))
    table = read_table(f"{header}\n{','.join('1' for _ in range(20_000))}\n".encode(), "wide.csv")
    with pytest.raises(IngestError) as caught:
        prepare_rows(table, ColumnMapping(text=None))
    message = str(caught.value)
    assert len(message) < MESSAGE_QUOTE_MAX + 150
    assert message.startswith("No text column found: columns are column_0, column_1, ")
    assert message.endswith("… (20,000 columns). Choose the column with the review text.")


def test_cli_refuses_the_xlsx_bomb_in_one_short_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(workbooks.one_wide_row(500_000))
    result = run_ingest(bomb, tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"error: {TOO_MANY_COLUMNS}"
    assert len(result.stderr) < 2000  # the message was 7.4 MB


JSON_REFUSAL = "This is a JSON file; upload CSV, TSV or xlsx."


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b'[{"text": "Great blender"}, {"text": "Broke"}]', "reviews.json", JSON_REFUSAL),
        (b'{"text": "Great blender"}\n{"text": "Broke"}\n', "reviews.jsonl", JSON_REFUSAL),
        (workbooks.empty_first_sheet(), "empty.xlsx",
         "The first sheet is empty; put the reviews on the first sheet."),
    ],
    ids=["json", "json-lines", "xlsx-empty-first-sheet"],
)  # fmt: skip
def test_misleading_messages_now_say_what_the_file_is(data: bytes, name: str, message: str) -> None:
    with pytest.raises(IngestError) as caught:
        read_table(data, name)
    assert str(caught.value) == message


def test_a_truncated_xlsx_is_called_damaged_not_a_zip_archive() -> None:
    whole = workbooks.far_cell("B")
    with pytest.raises(IngestError) as caught:
        read_table(whole[: len(whole) // 2], "reviews.xlsx")
    assert str(caught.value) == (
        "The xlsx file is damaged or truncated (incomplete download or copy); save or download it again."
    )
