"""Printing lists as a table, CSV or JSON, the same way for every command."""

import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputFormat(StrEnum):
    """How a list command prints its rows."""

    table = "table"
    csv = "csv"
    json = "json"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def csv_safe(value: Any) -> Any:
    """Guard a cell against formula injection when the CSV is opened in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: OutputFormat) -> None:
    """Print rows in the chosen format with the given columns, in order."""
    if fmt == OutputFormat.json:
        data = [{c: _plain(r.get(c)) for c in columns} for r in rows]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([csv_safe(_plain(r.get(c))) for c in columns])
        sys.stdout.write(buf.getvalue())
        return
    table = Table(*columns)
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(_plain(r.get(c))) for c in columns))
    console.print(table)
