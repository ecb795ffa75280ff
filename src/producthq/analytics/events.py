"""The canonical event schema and the column mapping onto it.

Every metric (definitions in ``METRICS.md``, following PostHog where tools disagree) takes a
table with this schema. A column mapping lets ProductHQ read an existing events table or file
whose columns have other names ("warehouse-native"): ``user_id=distinct_id`` says the canonical
column ``user_id`` is the source's field ``distinct_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import ibis
import ibis.expr.types as ir

from producthq.errors import InvalidInputError, Problem

EVENT_SCHEMA = ibis.schema(
    {
        "event": "string",
        "user_id": "string",
        "anonymous_id": "string",
        "group_id": "string",
        "timestamp": "timestamp",
        "message_id": "string",
        "properties": "json",
    }
)
"""Columns of an events table. ``timestamp`` holds UTC wall-clock time without a zone."""

REQUIRED_COLUMNS = ("event", "user_id", "timestamp")
"""Columns a source must provide; the others are filled with nulls when absent."""

CANONICAL_COLUMNS = tuple(EVENT_SCHEMA.names)


def unbound_events(name: str = "events") -> ir.Table:
    """Return an unbound table with the canonical schema, for building expressions.

    Examples:
        >>> unbound_events().columns[:3]
        ('event', 'user_id', 'anonymous_id')
    """
    return ibis.table(EVENT_SCHEMA, name=name)


def parse_mapping(
    items: Iterable[str],
    *,
    known: Sequence[str] = CANONICAL_COLUMNS,
    where: str = "map",
    name: str = "column mapping",
) -> dict[str, str]:
    """Parse ``COLUMN=FIELD`` pairs into a mapping from canonical column to source field.

    Args:
        items: strings such as ``"user_id=distinct_id"``.
        known: the columns a pair may name (the canonical event columns by default).
        where: the field errors point at (``--map``, a setting's name).
        name: what the mapping is called in the error message.

    Returns:
        A dict keyed by canonical column.

    Raises:
        InvalidInputError: a pair is malformed, names an unknown canonical column or repeats one.

    Examples:
        >>> parse_mapping(["user_id=distinct_id", "timestamp=ts"])
        {'user_id': 'distinct_id', 'timestamp': 'ts'}
    """
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for i, item in enumerate(items):
        column, sep, field = item.partition("=")
        column, field = column.strip(), field.strip()
        if not sep or not column or not field:
            problems.append(Problem((where, i), f"expected COLUMN=FIELD, got {item.strip()!r}"))
        elif column not in known:
            names = ", ".join(known)
            problems.append(
                Problem((where, i), f"unknown column {column!r} in {item!r}; known: {names}")
            )
        elif column in mapping:
            problems.append(Problem((where, i), f"column {column!r} is mapped twice"))
        else:
            mapping[column] = field
    if problems:
        raise InvalidInputError(f"bad {name}: {problems[0].message}", details=problems)
    return mapping


def _timestamp_column(col: ir.Value) -> ir.TimestampValue:
    if col.type().is_integer():
        # Integers are Unix epoch seconds, or milliseconds when too large to be seconds.
        seconds = ibis.cases((col > 100_000_000_000, col // 1000), else_=col)
        return seconds.as_timestamp("s").cast("timestamp")
    return col.cast("timestamp")


def to_canonical(table: ir.Table, mapping: Mapping[str, str] | None = None) -> ir.Table:
    """Select and rename a source table's columns into the canonical event schema.

    Columns not mapped explicitly are taken from a source field of the same name when present;
    optional columns that are absent become nulls (``message_id`` falls back to null too).

    Args:
        table: any Ibis table (bound or not).
        mapping: canonical column → source field.

    Returns:
        A table with exactly the columns of ``EVENT_SCHEMA``.

    Raises:
        InvalidInputError: a mapped field is not in the source, or a required column is missing.
    """
    mapping = dict(mapping or {})
    problems: list[Problem] = []
    source_columns = set(table.columns)
    for column, field in mapping.items():
        if field not in source_columns:
            problems.append(
                Problem(
                    ("map", column),
                    f"field {field!r} (mapped to {column!r}) is not a column of the source; "
                    f"columns: {', '.join(table.columns)}",
                    "unknown_column",
                )
            )
    for column in REQUIRED_COLUMNS:
        if column not in mapping and column not in source_columns:
            problems.append(
                Problem(
                    (column,),
                    f"required column {column!r} is missing; map it with --map {column}=FIELD",
                    "missing_column",
                )
            )
    if problems:
        raise InvalidInputError(problems[0].message, details=problems)

    exprs: dict[str, ir.Value] = {}
    for column, dtype in EVENT_SCHEMA.items():
        field = mapping.get(column, column)
        if field not in source_columns:
            exprs[column] = ibis.null().cast(dtype)
            continue
        src = table[field]
        if column == "timestamp":
            exprs[column] = _timestamp_column(src)
        elif column == "properties":
            exprs[column] = src if src.type().is_json() else src.cast("string").cast("json")
        else:
            exprs[column] = src if src.type().is_string() else src.cast("string")
    return table.select(**exprs)


def property_text(properties: ir.JSONValue, key: str) -> ir.StringValue:
    """Return a property as text on every engine (a JSON string loses its quotes).

    Ibis's own JSON unwrapping compiles to SQL that PostgreSQL rejects with the installed
    sqlglot, so this goes through a plain cast of the JSON value to text. Escape sequences
    inside JSON strings are left as written.
    """
    raw = properties[key].cast("string")
    quoted = raw.startswith('"') & raw.endswith('"') & (raw.length() >= 2)
    return ibis.cases((quoted, raw.substr(1, raw.length() - 2)), else_=raw)


def property_number(properties: ir.JSONValue, key: str) -> ir.FloatingValue:
    """Return a numeric property as a float on every engine (the JSON value must be a number)."""
    return properties[key].cast("string").cast("float64")
