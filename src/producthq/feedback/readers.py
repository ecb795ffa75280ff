"""Reading import files row by row: CSV (UTF-8 or UTF-16, delimiter sniffed) and JSON Lines.

E-mail files are read by :mod:`producthq.feedback.email_import`. Row numbers are the ones a
person sees: in a CSV file the header is row 1; in JSON Lines a row is a line number.
"""

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from producthq.errors import InvalidInputError

FileFormat = Literal["csv", "jsonl", "mbox", "eml"]
Row = dict[str, Any]


def detect_format(filename: str) -> FileFormat:
    """Guess the file format from its name; raise ``InvalidInputError`` when unknown."""
    suffix = Path(filename).suffix.lower()
    formats: dict[str, FileFormat] = {
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "csv",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".mbox": "mbox",
        ".eml": "eml",
    }
    if suffix not in formats:
        raise InvalidInputError.single(
            (filename,),
            f"{filename}: cannot tell the format from {suffix or 'no extension'!r}; "
            "use .csv, .jsonl, .mbox or .eml",
        )
    return formats[suffix]


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Google Play Console exports are UTF-16
    return "utf-8-sig"


def _csv_dialect(path: Path, encoding: str) -> type[csv.Dialect] | csv.Dialect:
    with path.open(encoding=encoding, newline="") as fh:
        sample = fh.read(8192)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_columns(path: Path, filename: str) -> list[str]:
    """Return the columns of a CSV header, or the keys seen in a JSON Lines file's first rows."""
    fmt = detect_format(filename)
    if fmt in ("mbox", "eml"):
        return []
    if fmt == "csv":
        enc = _encoding(path)
        with path.open(encoding=enc, newline="") as fh:
            header = next(csv.reader(fh, _csv_dialect(path, enc)), [])
        return [h.strip() for h in header]
    seen: list[str] = []
    for i, (_n, row) in enumerate(read_rows(path, filename)):
        seen.extend(k for k in row if k not in seen)
        if i >= 50:
            break
    return seen


def read_rows(path: Path, filename: str) -> Iterator[tuple[int, Row]]:
    """Yield ``(row_number, row)`` from a CSV or JSON Lines file, one at a time.

    Raises:
        InvalidInputError: the file cannot be decoded, or a JSON line is not an object.
    """
    fmt = detect_format(filename)
    try:
        if fmt == "csv":
            yield from _csv_rows(path)
        elif fmt == "jsonl":
            yield from _jsonl_rows(path, filename)
        else:
            from producthq.feedback.email_import import read_email_rows  # noqa: PLC0415

            yield from read_email_rows(path, filename)
    except UnicodeDecodeError as exc:
        raise InvalidInputError.single(
            (filename,), f"{filename}: not UTF-8 or UTF-16 text ({exc.reason})", "encoding"
        ) from exc
    except csv.Error as exc:
        raise InvalidInputError.single((filename,), f"{filename}: broken CSV: {exc}") from exc


def _csv_rows(path: Path) -> Iterator[tuple[int, Row]]:
    enc = _encoding(path)
    with path.open(encoding=enc, newline="") as fh:
        reader = csv.reader(fh, _csv_dialect(path, enc))
        header = [h.strip() for h in next(reader, [])]
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))


def _jsonl_rows(path: Path, filename: str) -> Iterator[tuple[int, Row]]:
    with path.open(encoding=_encoding(path)) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInputError.single(
                    (filename, number), f"line {number}: not valid JSON ({exc.msg})", "json"
                ) from exc
            if not isinstance(value, dict):
                raise InvalidInputError.single(
                    (filename, number), f"line {number}: expected a JSON object", "json"
                )
            yield number, value
