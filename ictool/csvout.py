"""CSV the way spreadsheets open it safely: CRLF rows, and text that cannot run as a formula."""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text starting like a formula gets a leading quote (CSV injection); others pass as is."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def write(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text; every text cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
