"""Hand-built xlsx files: what openpyxl refuses to write (cells beyond column XFD, 500k cells in a
row, lying dimensions) is exactly what a hostile file contains."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Reviews" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(sheet_xml: str | bytes) -> bytes:
    """An xlsx whose first (only) sheet is `sheet_xml`, compressed as Excel does (deflate)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def one_wide_row(cells: int, *, with_refs: bool = False) -> bytes:
    """A header cell then `cells` numbers in row 1 (no dimension): the issue's 19 KB, 500k-cell bomb."""
    cell = '<c t="n"><v>1</v></c>'
    body = "".join(cell for _ in range(cells)) if not with_refs else ""
    return workbook(
        f'{SHEET_OPEN}<sheetData><row r="1"><c t="inlineStr"><is><t>text</t></is></c>{body}</row>'
        "</sheetData></worksheet>"
    )


def far_cell(column_letters: str) -> bytes:
    """A header and one review, plus a single cell in column `column_letters` (pandas would build every
    column up to it, for every row)."""
    return workbook(
        f'{SHEET_OPEN}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c>'
        f'<c r="{column_letters}1" t="n"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Great blender</t></is></c></row></sheetData></worksheet>'
    )


def empty_first_sheet() -> bytes:
    return workbook(f"{SHEET_OPEN}<sheetData/></worksheet>")


def huge_cell(characters: int) -> bytes:
    """A header and one review of `characters` letters (compresses to almost nothing)."""
    return workbook(
        f'{SHEET_OPEN}<sheetData><row r="1"><c t="inlineStr"><is><t>text</t></is></c></row>'
        f'<row r="2"><c t="inlineStr"><is><t>{"a" * characters}</t></is></c></row></sheetData></worksheet>'
    )
