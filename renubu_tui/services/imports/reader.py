"""A CRM export's rows as text cells with the line each starts on: CSV (any delimiter, UTF-8
with or without a BOM, quoted fields across lines) or XLSX (the first sheet; openpyxl, the
`xlsx` extra)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renubu_tui.services.refusals import BadInput, NotFound

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


class ImportFileMissing(NotFound):
    """The file to import (or its mapping) is not there."""


class ImportFileRefused(BadInput):
    """A file that cannot be read as a table: empty, not UTF-8, not a spreadsheet."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line the record starts on, its cells)
    delimiter: str = ","
    footer: list[str] | None = None  # a report's trailing lines, left out (see `_footer`)


def _footer(headers: list[str], rows: list[tuple[int, list[str]]]) -> list[str]:
    """Take off a report's footer: a Salesforce report exported "formatted" ends with lines of
    one cell ("Grand Totals (2,000 records)", "Confidential Information - Do Not Distribute",
    "Copyright (c) 2000-2025 salesforce.com, inc. …"). Only trailing rows of a single filled
    cell count, and only in a file of several columns: a data row is never taken."""
    taken: list[str] = []
    while len(headers) > 1 and rows:
        filled = [c for c in rows[-1][1] if c.strip()]
        if len(filled) != 1:
            break
        taken.insert(0, filled[0].strip())
        rows.pop()
    return taken


def read_table(path: Path) -> Table:
    if not path.is_file():
        raise ImportFileMissing(f"{path}: no such file")
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileRefused(f"{path}: the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileRefused(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "export or save it as CSV UTF-8"
        ) from None
    if "\x00" in text[:SNIFF_BYTES]:
        raise ImportFileRefused(f"{path}: not a CSV file (it holds binary data)")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in record):
                continue
            if headers is None:
                headers = [c.strip().lstrip("\ufeff") for c in record]
                continue
            rows.append((line, record))
    except csv.Error as exc:
        raise ImportFileRefused(f"{path}: line {reader.line_num}: {exc}") from None
    if headers is None:
        raise ImportFileRefused(f"{path}: the file is empty")
    return Table(headers, rows, delimiter, _footer(headers, rows))


def _delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    # the header line decides when the sniffer's choice is not in it (a comma file whose
    # names hold semicolons) or it found none: headers are rarely quoted around delimiters
    if sniffed and counts.get(sniffed, 0):
        return sniffed
    return best if counts[best] else ","


def _read_xlsx(path: Path) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise ImportFileRefused(
            f"{path}: reading XLSX needs openpyxl: pip install 'renubu[xlsx]' "
            "(or save the sheet as CSV UTF-8)"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileRefused(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            rows.append((number, cells))
    finally:
        book.close()
    if headers is None:
        raise ImportFileRefused(f"{path}: the first sheet is empty")
    return Table(headers, rows, footer=_footer(headers, rows))


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
