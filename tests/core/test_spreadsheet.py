"""Spreadsheet-safe exports: formula-looking text is defused, numbers are left alone."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from core.spreadsheet import safe_cell, to_safe_csv, to_safe_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),  # after leading whitespace
        ("\n@cmd", "'\n@cmd"),
        ("great = good", "great = good"),
        ("a-b", "a-b"),
        ("", ""),
        ("-5", "-5"),  # a number written as text stays a number
        ("+3.5", "+3.5"),
        (" -1e3 ", " -1e3 "),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


FRAME = pd.DataFrame(
    {
        "text": ['=HYPERLINK("http://evil","click")', "fine", "@SUM(A1)"],
        "rating": [0.5, -1.0, 1.0],
        "date": pd.to_datetime(["2024-03-12 10:00", "2024-03-13 00:00", None]).tz_localize("UTC"),
        "=cmd": ["x", "y", "z"],
    }
)


def test_to_safe_csv() -> None:
    data = to_safe_csv(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["text", "rating", "date", "'=cmd"]
    assert back["text"].tolist() == ['\'=HYPERLINK("http://evil","click")', "fine", "'@SUM(A1)"]
    assert back["rating"].tolist() == ["0.5", "-1.0", "1.0"]
    assert FRAME["text"].iloc[0].startswith("=")  # the caller's frame is not modified


def test_to_safe_xlsx_writes_text_cells_never_formulas() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(to_safe_xlsx(FRAME)))
    sheet = workbook["reviews"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("text", "rating", "date", "'=cmd")
    assert rows[1][0] == '\'=HYPERLINK("http://evil","click")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert rows[1][1] == 0.5 and rows[2][1] == -1.0
    assert rows[1][2] == datetime(2024, 3, 12, 10, 0)  # time zones dropped, UTC wall time
