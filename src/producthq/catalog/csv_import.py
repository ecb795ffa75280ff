"""Reading features from a CSV file: column mapping, presets, whole-file validation (pure).

A file is read in three steps:

1. ``read_table`` splits it into a header and rows (duplicate header names are kept: Jira
   writes one ``Labels`` column per label).
2. ``resolve_mapping`` maps columns to catalogue fields: the preset's column names first, then
   columns named like a field, then the user's ``COLUMN=FIELD`` overrides (``FIELD`` may be
   ``ignore``). Estimate fields are ``<framework>.<input>`` (``rice.reach``); a column named
   just ``reach`` maps to the RICE input.
3. ``validate_rows`` checks every row and returns them all, or raises one
   ``InvalidInputError`` listing every bad cell as (row, field, reason). Row numbers count the
   header as row 1, as a spreadsheet shows them. Nothing is written by this module.

Presets describe the CSV exports of Jira ("Export > CSV (all fields)"), Productboard (feature
export) and airfocus (item export). Column names are matched case-insensitively; a preset
column missing from the file is simply not mapped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from producthq.catalog.status import parse_status
from producthq.errors import InvalidInputError, ProblemCollector
from producthq.prioritization.scoring import default_registry
from producthq.prioritization.uncertainty import Estimate, parse_estimate

MAX_ROWS = 20_000
TEXT_FIELDS = {
    "title": 300,
    "description": 20_000,
    "status": 64,
    "owner": 200,
    "tags": 2000,
    "product": 200,
    "component": 200,
    "external_id": 200,
}
IGNORE = "ignore"

PRESETS: dict[str, dict[str, str]] = {
    "jira": {
        "summary": "title",
        "description": "description",
        "status": "status",
        "assignee": "owner",
        "labels": "tags",
        "issue key": "external_id",
        "component/s": "component",
        "components": "component",
        "project name": "product",
    },
    "productboard": {
        "feature name": "title",
        "name": "title",
        "description": "description",
        "status": "status",
        "owner": "owner",
        "tags": "tags",
        "product": "product",
        "component": "component",
        "feature id": "external_id",
        "id": "external_id",
    },
    "airfocus": {
        "name": "title",
        "title": "title",
        "description": "description",
        "status": "status",
        "assignees": "owner",
        "assignee": "owner",
        "labels": "tags",
        "tags": "tags",
        "workspace": "product",
        "key": "external_id",
        "item key": "external_id",
        "reach": "rice.reach",
        "impact": "rice.impact",
        "confidence": "rice.confidence",
        "effort": "rice.effort",
    },
}


def estimate_fields() -> dict[str, tuple[str, str]]:
    """Return every estimate field ``framework.input`` with its framework and input."""
    out: dict[str, tuple[str, str]] = {}
    for fw in default_registry():
        for spec in fw.inputs:
            out[f"{fw.slug}.{spec.name}"] = (fw.slug, spec.name)
    return out


def all_fields() -> tuple[str, ...]:
    """Every field a column can map to."""
    return (*TEXT_FIELDS, *estimate_fields())


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows (every row padded to the header's width)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def read_table(text: str) -> Table:
    """Split CSV text into a header and rows.

    Raises:
        InvalidInputError: the file is empty, has no header, or has too many rows.
    """
    text = text.lstrip("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InvalidInputError.single(("file",), f"not a CSV file: {exc}", "bad_csv") from None
    if not records or not any(c.strip() for c in records[0]):
        raise InvalidInputError.single(("file", 1), "the file has no header row", "empty")
    header = tuple(c.strip() for c in records[0])
    body = [r for r in records[1:] if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise InvalidInputError.single(
            ("file",), f"{len(body)} rows; at most {MAX_ROWS} per import", "too_many_rows"
        )
    width = len(header)
    rows = tuple(tuple((r + [""] * width)[:width]) for r in body)
    return Table(header, rows)


def _auto_field(column: str) -> str | None:
    low = column.strip().lower()
    known = estimate_fields()
    if low in TEXT_FIELDS or low in known:
        return low
    if low in {"name", "feature", "summary"}:
        return "title"
    rice = f"rice.{low}"
    return rice if rice in known else None


def resolve_mapping(
    header: Sequence[str], *, preset: str | None, overrides: Mapping[str, str]
) -> dict[str, str]:
    """Map each column of ``header`` to a field (columns left out are ignored).

    Raises:
        InvalidInputError: unknown preset, an override names a column not in the file or an
            unknown field, or no column maps to ``title``.
    """
    problems = ProblemCollector()
    table: Mapping[str, str] = {}
    if preset:
        if preset not in PRESETS:
            raise InvalidInputError.single(
                ("preset",),
                f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}",
                "unknown_preset",
            )
        table = PRESETS[preset]
    mapping: dict[str, str] = {}
    for column in header:
        chosen = table.get(column.strip().lower()) or _auto_field(column)
        if chosen is not None and column not in mapping:
            mapping[column] = chosen
    fields = set(all_fields())
    for column, wanted in overrides.items():
        target = wanted.strip().lower()
        if column not in header:
            problems.add(("mapping", column), f"the file has no column {column!r}", "no_column")
        elif target != IGNORE and target not in fields:
            problems.add(
                ("mapping", column),
                f"unknown field {wanted!r}; fields: {', '.join(sorted(fields))}, or ignore",
                "unknown_field",
            )
        elif target == IGNORE:
            mapping.pop(column, None)
        else:
            mapping[column] = target
    problems.raise_if_any("bad column mapping")
    if "title" not in mapping.values():
        raise InvalidInputError.single(
            ("mapping", "title"),
            "no column maps to title; name one with COLUMN=title",
            "missing_title",
        )
    return mapping


@dataclass(frozen=True)
class ImportRow:
    """One valid feature row, ready for the service to write."""

    line: int
    title: str
    description: str = ""
    status: str = "idea"
    owner: str | None = None
    tags: tuple[str, ...] = ()
    product: str | None = None
    component: str | None = None
    external_id: str | None = None
    estimates: Mapping[tuple[str, str], Estimate] = field(default_factory=dict)


def split_tags(text: str) -> list[str]:
    """Split a tags cell on commas, semicolons or vertical bars.

    Examples:
        >>> split_tags("sso; security|enterprise, sso")
        ['sso', 'security', 'enterprise', 'sso']
    """
    for sep in (";", "|"):
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


def _cells(table: Table, row: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Field -> text; several columns on one field (Jira's labels) are joined by commas."""
    out: dict[str, list[str]] = {}
    for i, column in enumerate(table.header):
        target = mapping.get(column)
        if target and row[i].strip():
            out.setdefault(target, []).append(row[i].strip())
    return {k: (", ".join(v) if k == "tags" else v[0]) for k, v in out.items()}


def _check_row(  # noqa: C901 - one check per field, reported together
    line: int, cells: Mapping[str, str], problems: ProblemCollector
) -> ImportRow | None:
    before = len(problems.problems)
    for name, limit in TEXT_FIELDS.items():
        if len(cells.get(name, "")) > limit:
            problems.add((line, name), f"longer than {limit} characters", "too_long")
    title = cells.get("title", "")
    if not title:
        problems.add((line, "title"), "missing title", "missing")
    status = parse_status(cells.get("status", ""))
    if status is None:
        problems.add(
            (line, "status"),
            f"{cells['status']!r} is not a status; use idea, under consideration, planned, "
            "in progress, shipped or won't do (or a Jira/Productboard/airfocus status)",
            "unknown_status",
        )
    tags = split_tags(cells.get("tags", ""))
    if any(len(t) > 50 for t in tags):
        problems.add((line, "tags"), "a tag is longer than 50 characters", "too_long")
    if cells.get("component") and not cells.get("product"):
        problems.add((line, "component"), "a component needs a product column", "missing")
    estimates: dict[tuple[str, str], Estimate] = {}
    known = estimate_fields()
    specs = {(fw.slug, s.name): s for fw in default_registry() for s in fw.inputs}
    for name, text in cells.items():
        if name not in known:
            continue
        try:
            est = parse_estimate(text)
        except InvalidInputError as exc:
            problems.add((line, name), exc.message, "invalid_estimate")
            continue
        spec = specs[known[name]]
        reason = spec.problem(est.low) or spec.problem(est.high)
        if reason:
            problems.add((line, name), f"{text!r}: {reason}", "out_of_range")
            continue
        estimates[known[name]] = est
    if len(problems.problems) > before or status is None:
        return None
    return ImportRow(
        line=line,
        title=title,
        description=cells.get("description", ""),
        status=status,
        owner=cells.get("owner") or None,
        tags=tuple(tags),
        product=cells.get("product") or None,
        component=cells.get("component") or None,
        external_id=cells.get("external_id") or None,
        estimates=estimates,
    )


def validate_rows(table: Table, mapping: Mapping[str, str]) -> list[ImportRow]:
    """Check every row; return them all, or raise with every problem found.

    Raises:
        InvalidInputError: one problem per bad cell, ``loc = (row, field)``; or the file has
            no rows.
    """
    if not table.rows:
        raise InvalidInputError.single(("file", 2), "the file has no feature rows", "empty")
    problems = ProblemCollector()
    rows: list[ImportRow] = []
    for index, raw in enumerate(table.rows):
        checked = _check_row(index + 2, _cells(table, raw, mapping), problems)
        if checked is not None:
            rows.append(checked)
    problems.raise_if_any("the file was not imported")
    return rows
