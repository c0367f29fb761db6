"""Write the nasty upload fixtures in `tests/core/ingestion/fixtures/` byte for byte.

Run once (`.venv/bin/python -m tests.core.ingestion.make_fixtures`) and commit the outputs: the tests read
the files, not this script, so the exact bytes (BOMs, code pages, line endings) are pinned.
Each file's expected rows and rejections are asserted in `test_fixtures.py`.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# 10,000 characters of prose (a real sentence repeated, then cut).
LONG_REVIEW = ("This blender is loud but it crushes ice in seconds and the jug is easy to clean. " * 130)[
    :10_000
]


def _png() -> bytes:
    """A valid 1x1 white PNG (what a user uploads when they pick the screenshot by mistake)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def _xlsx(path: Path) -> None:
    """An Excel export: real datetime and number cells, a formula-looking text, an empty row."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # Fixed properties so the bytes do not change between runs.
    workbook.set_properties({"created": datetime(2024, 1, 1)})
    sheet = workbook.add_worksheet("Reviews")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Review", "Product", "Date", "Stars", "Author"])
    rows = [
        ["Works great, very quiet", "Acme Blender", datetime(2024, 3, 12, 9, 30), 5, "ana"],
        ['=HYPERLINK("http://evil.example","click")', "Acme Blender", datetime(2024, 3, 13), 1, "eve"],
        ["Broke after a week", "Acme Toaster", datetime(2024, 3, 14), 2, None],
        [None, "Acme Toaster", datetime(2024, 3, 15), 3, "bob"],
        ["Decent for the price", 12345, 45366, 4.5, "carl"],  # numeric SKU, Excel serial date
    ]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    workbook.close()


def fixtures() -> dict[str, bytes]:
    """File name → exact bytes."""
    files: dict[str, bytes] = {}
    # Plain UTF-8, comma, CRLF line endings as Excel writes them.
    files["utf8_comma.csv"] = (
        "text,product,date,rating\r\n"
        '"Café excelente, muy rico",Coffee Maker,2024-03-12,5\r\n'
        "Me encantó 😍,Coffee Maker,2024-03-13T10:20:30Z,4\r\n"
        "Terrible,Coffee Maker,2024-03-14 08:00:00+02:00,1\r\n"
    ).encode()
    # UTF-8 with BOM (Excel "CSV UTF-8"), semicolon, decimal commas.
    files["utf8_bom_semicolon.csv"] = (
        "\ufeffReview;Product;Rating\nGood value;Kettle;4,5\nToo slow;Kettle;2,0\n".encode()
    )
    # UTF-16 LE with BOM, tab separated (Excel "Unicode text").
    files["utf16le_tab.tsv"] = "comment\titem\tstars\nNiño feliz ☺\tToy\t5\nRoto\tToy\t1\n".encode("utf-16")
    files["utf16be_comma.csv"] = b"\xfe\xff" + "body,sku\nSolid build,A1\nFlimsy,A2\n".encode("utf-16-be")
    # cp1252: € and curly quotes exist only in cp1252, not latin-1.
    files["cp1252_semicolon.csv"] = (
        "Reseña;Producto;Precio\n“Buenísimo” por 20 €;Cafetera;20\nNo me gustó nada;Cafetera;20\n"
    ).encode("cp1252")
    files["latin1_pipe.csv"] = (
        "opinion|producto\nMuy cómodo, señor|Silla\nLa peor compra del año|Silla\n".encode("latin-1")
    )
    # Quoted fields with newlines, the delimiter and doubled quotes inside.
    files["quoted_newlines.csv"] = (
        b'review,product\n"First line\nsecond line, with a comma",Lamp\n'
        b'"She said ""wow"", then\r\nleft",Lamp\nplain,Lamp\n'
    )
    # Cells a spreadsheet would run as formulas: stored as text as they are.
    files["formulas.csv"] = (
        b"text,product\n"
        b'"=HYPERLINK(""http://evil.example"",""click"")",Sofa\n'
        b"+1+cmd|' /C calc'!A0,Sofa\n"
        b"-2+3 great sofa,Sofa\n"
        b"@SUM(1+1) comfy,Sofa\n"
    )
    files["long_review.csv"] = f"text,product\n{LONG_REVIEW},Blender\nshort one,Blender\n".encode()
    files["emoji_html.csv"] = (
        "text,product\n"
        '"<p>Great <b>phone</b> &amp; case</p>",Phone\n'
        "🔥🔥🔥,Phone\n"
        '"<script>alert(1)</script>",Phone\n'
        '"<br><br>",Phone\n'
    ).encode()
    # Missing values everywhere; "NA" in the text column is a placeholder, not a review.
    files["missing_values.csv"] = (
        b"text,product,date,rating,author\n"
        b"Nice,,2024-01-05,,\n"
        b",Chair,2024-01-06,3,bob\n"
        b"   ,Chair,,,\n"
        b"NA,Chair,,,\n"
        b"12345,Chair,,,\n"
        b"Good chair,Chair,,5,NA\n"
    )
    files["duplicates.csv"] = (
        b"text,product,rating\n"
        b"Same review,Desk,4\nSame review,Desk,4\nSame review,Other desk,4\nDifferent,Desk,2\n"
    )
    # Dates and ratings the parser cannot read: rows kept, values dropped, each counted.
    files["bad_dates.csv"] = (
        b"text,date,rating\n"
        b"ok date,25/12/2024,4\n"
        b"day first proved by the row above,03/01/2024,5 out of 5\n"
        b"not a date,yesterday,3\n"
        b"impossible date,31/02/2024,2\n"
        b"bad rating,2024-01-01,excellent\n"
        b"too high,2024-01-02,7/5\n"
    )
    files["spanish_headers.csv"] = (
        "Título;Reseña;Producto;Fecha;Puntuación;Usuario\n"
        "Genial;Me encanta, funciona perfecto;Aspiradora;12 de marzo de 2024;5 estrellas;lucía\n"
        "Mal;Dejó de funcionar;Aspiradora;13/03/2024;★☆☆☆☆;pedro\n"
    ).encode()
    files["no_text_column.csv"] = b"id,price,qty\n1,9.99,3\n2,19.50,1\n"
    files["empty.csv"] = b""
    files["header_only.csv"] = b"text,product,rating\r\n"
    files["screenshot.png"] = _png()
    # Row 3 has an unquoted comma: one field too many.
    files["ragged.csv"] = b"text,product\nfine,Lamp\nbroken, really,Lamp\nalso fine,Lamp\n"
    return files


def main() -> None:
    """Write every fixture."""
    FIXTURES.mkdir(exist_ok=True)
    for name, data in fixtures().items():
        (FIXTURES / name).write_bytes(data)
    _xlsx(FIXTURES / "excel_export.xlsx")
    print(f"wrote {len(fixtures()) + 1} fixtures to {FIXTURES}")


if __name__ == "__main__":
    main()
