"""Mapping an import file's columns onto fields and validating each row.

Nothing here touches the database: :mod:`producthq.feedback.importers` reads a file twice
(through :mod:`producthq.feedback.readers`), once to validate every row and once to write.
Files are streamed, so memory stays bounded whatever their size.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from producthq.errors import InvalidInputError, ProblemCollector
from producthq.feedback.models import FeedbackSource, FeedbackStatus
from producthq.feedback.presets import PRESETS, Preset, PresetKind
from producthq.feedback.readers import Row, detect_format, read_columns, read_rows

__all__ = ["detect_format", "read_columns", "read_rows"]

EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MONEY_STRIP = re.compile(r"[\s,$€£¥]|USD|EUR|GBP", re.IGNORECASE)
SOURCE_ALIASES = {
    "ticket": "support_ticket",
    "support": "support_ticket",
    "zendesk": "support_ticket",
    "call": "sales_call",
    "sales": "sales_call",
    "survey": "survey_comment",
    "nps": "survey_comment",
    "review": "app_review",
    "app_store": "app_review",
    "google_play": "app_review",
    "portal": "portal_post",
    "mail": "email",
    "e-mail": "email",
    "intercom": "chat",
    "messenger": "chat",
    "slack": "chat",
    "note": "manual",
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


@dataclass(frozen=True)
class FieldSpec:
    """One field an import can fill: its kind of value and its rule."""

    name: str
    kind: Literal["text", "str", "datetime", "money", "tags", "source", "status", "email", "url"]
    help: str
    required: bool = False
    max_length: int = 200


FEEDBACK_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("text", "text", "What the customer said (required).", True, 100_000),
        FieldSpec("title", "str", "A subject or title.", max_length=500),
        FieldSpec("source", "source", "support_ticket, sales_call, app_review, email, …"),
        FieldSpec("external_id", "str", "The id in the source tool (makes re-imports no-ops)."),
        FieldSpec("occurred_at", "datetime", "When it was said (ISO 8601, date, or epoch)."),
        FieldSpec("source_url", "url", "Link back to the source.", max_length=2000),
        FieldSpec("tags", "tags", "Tags, separated by commas (or a JSON list)."),
        FieldSpec("status", "status", "new, triaged, linked or archived."),
        FieldSpec(
            "author_email", "email", "The person's e-mail (finds or creates them).", False, 320
        ),
        FieldSpec("author_name", "str", "The person's name."),
        FieldSpec("author_external_id", "str", "The person's id in the source tool."),
        FieldSpec("company_name", "str", "The company's name (finds or creates it).", False, 300),
        FieldSpec("company_domain", "str", "The company's web domain."),
        FieldSpec("company_external_id", "str", "The company's id in the source tool."),
    )
}
COMPANY_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("name", "str", "Company name (required).", True, 300),
        FieldSpec("external_id", "str", "The id in the CRM (makes re-imports updates)."),
        FieldSpec("domain", "str", "Web domain or website URL.", max_length=255),
        FieldSpec("plan", "str", "Subscription plan."),
        FieldSpec("segment", "str", "Segment, e.g. SMB, Mid-market, Enterprise."),
        FieldSpec("country", "str", "Country."),
        FieldSpec("arr", "money", "Annual recurring revenue, 0 or more."),
        FieldSpec("mrr", "money", "Monthly recurring revenue, 0 or more."),
        FieldSpec("lifecycle_stage", "str", "Lifecycle stage, e.g. customer, trial, churned."),
        FieldSpec("owner", "str", "Account owner."),
    )
}
EXTRA_PREFIX = {"feedback": "extra.", "companies": "custom."}


def fields_for(kind: PresetKind) -> dict[str, FieldSpec]:
    """Return the import fields of one kind."""
    return FEEDBACK_FIELDS if kind == "feedback" else COMPANY_FIELDS


# --- mapping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which file column fills each field, plus what fills the rest by default."""

    kind: PresetKind
    fields: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    tag_separator: str = ","
    skip_empty_text: bool = False


def parse_map_options(pairs: Sequence[str]) -> dict[str, str]:
    """Turn ``COLUMN=FIELD`` options into ``{field: column}``.

    >>> parse_map_options(["Body=text", "When=occurred_at"])
    {'text': 'Body', 'occurred_at': 'When'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        if not sep or not column.strip() or not name.strip():
            raise InvalidInputError.single(("--map",), f"--map {pair!r} is not COLUMN=FIELD")
        out[name.strip()] = column.strip()
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _automatic(
    specs: Mapping[str, FieldSpec], columns: Sequence[str], preset: Preset | None
) -> dict[str, str]:
    """Map columns named like a field (any case or spacing), then the preset's columns."""
    by_canon = {_canonical(c): c for c in columns}
    mapping = {name: by_canon[name] for name in specs if name in by_canon}
    if preset:
        chosen: dict[str, str] = {}
        for name, candidates in preset.columns.items():
            hit = next((c for c in candidates if c in columns), None)
            if hit is not None:
                chosen[name] = hit
        # A column the preset sends elsewhere (Zendesk's Status → extra) is not also a field.
        used = set(chosen.values())
        mapping = {n: c for n, c in mapping.items() if c not in used} | chosen
    return mapping


def resolve_mapping(
    *,
    kind: PresetKind,
    columns: Sequence[str],
    preset: str | None,
    overrides: Mapping[str, str],
    filename: str,
    structured: bool = False,
) -> ColumnMapping:
    """Combine a preset, same-named columns and ``overrides`` into one mapping.

    Args:
        kind: ``feedback`` or ``companies``.
        columns: The file's columns.
        preset: A preset slug, or ``None``.
        overrides: ``{field: column}`` chosen by the person; they win over the preset.
        filename: For error locations.
        structured: Rows already carry field names (e-mail files): map every field to itself.

    Raises:
        InvalidInputError: unknown preset or field, a missing column, or no text/name column.
    """
    specs = fields_for(kind)
    found: Preset | None = None
    if preset:
        found = PRESETS.get(preset)
        if found is None or found.kind != kind:
            known = ", ".join(sorted(p.slug for p in PRESETS.values() if p.kind == kind))
            raise InvalidInputError.single(
                ("preset",), f"unknown {kind} preset {preset!r}; known: {known}"
            )
    mapping = {n: n for n in specs} if structured else _automatic(specs, columns, found)
    problems = ProblemCollector()
    prefix = EXTRA_PREFIX[kind]
    for name, column in overrides.items():
        if name not in specs and not (name.startswith(prefix) and len(name) > len(prefix)):
            problems.add(
                ("mapping", name),
                f"unknown field {name!r}; fields: {', '.join(specs)} or {prefix}NAME",
            )
        elif column not in columns:
            problems.add(
                ("mapping", name),
                f"column {column!r} (for {name}) is not in {filename}; "
                f"columns: {', '.join(columns) or 'none'}",
            )
        else:
            mapping[name] = column
    required = next(n for n, s in specs.items() if s.required)
    if required not in mapping and not problems.problems:
        problems.add(
            ("mapping", required),
            f"no column for the required field {required!r} in {filename}; "
            f"map one with --map COLUMN={required} (columns: {', '.join(columns) or 'none'})",
        )
    problems.raise_if_any(f"{filename}: bad column mapping")
    return ColumnMapping(
        kind=kind,
        fields=mapping,
        defaults=dict(found.defaults) if found else {},
        tag_separator=found.tag_separator if found else ",",
        skip_empty_text=found.skip_empty_text if found else False,
    )


# --- validating --------------------------------------------------------------------------


@dataclass
class ParsedRow:
    """One valid row: plain field values plus extra (feedback) or custom (companies) ones."""

    number: int
    values: dict[str, Any]
    extra: dict[str, str]
    key: str
    """The idempotency key: ``id:<external id>`` or ``hash:<content hash>``."""


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def parse_datetime(raw: str) -> datetime:
    """Parse an ISO 8601 time, a common export format or an epoch number into aware UTC.

    >>> parse_datetime("2024-03-01T10:00:00Z").isoformat()
    '2024-03-01T10:00:00+00:00'
    >>> parse_datetime("1709287200").isoformat()
    '2024-03-01T10:00:00+00:00'
    """
    text = raw.strip()
    if re.fullmatch(r"\d{9,13}", text):
        number = int(text)
        seconds = number / 1000 if len(text) >= 12 else number
        return datetime.fromtimestamp(seconds, UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = _strptime_any(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _strptime_any(text: str) -> datetime:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.replace(" UTC", " +0000"), fmt)  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(text)


def _check(spec: FieldSpec, raw: Any, mapping: ColumnMapping) -> tuple[Any, str | None]:
    """Return ``(value, None)`` or ``(None, reason)``."""
    if spec.kind == "tags":
        return _tags(raw, mapping.tag_separator), None
    text = _as_text(raw)
    if not text:
        return None, None
    if len(text) > spec.max_length:
        return None, f"is {len(text)} characters long; {spec.name} allows {spec.max_length}"
    if spec.kind == "datetime":
        try:
            return parse_datetime(text), None
        except (ValueError, OverflowError, OSError):
            return None, "is not a date and time (use ISO 8601, e.g. 2024-03-01T10:00:00Z)"
    if spec.kind == "money":
        return _money(spec.name, text)
    if spec.kind == "email":
        lowered = text.lower()
        return (lowered, None) if EMAIL_RE.match(lowered) else (None, "is not an e-mail address")
    if spec.kind == "url":
        ok = text.lower().startswith(("http://", "https://"))
        return (text, None) if ok else (None, "is not a web address (http:// or https://)")
    if spec.kind == "source":
        key = _canonical(text)
        key = SOURCE_ALIASES.get(key, key)
        allowed = [s.value for s in FeedbackSource]
        return (key, None) if key in allowed else (None, f"is not one of {', '.join(allowed)}")
    if spec.kind == "status":
        allowed = [s.value for s in FeedbackStatus]
        key = text.lower()
        return (key, None) if key in allowed else (None, f"is not one of {', '.join(allowed)}")
    return text, None


def _money(name: str, text: str) -> tuple[float | None, str | None]:
    cleaned = MONEY_STRIP.sub("", text)
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"is not a number; {name.upper()} must be an amount like 12500 or 12,500.00"
    if value != value or value in (float("inf"), float("-inf")):
        return None, f"is not a finite number; {name.upper()} must be an amount"
    if value < 0:
        return None, f"is negative; {name.upper()} must be 0 or more"
    return value, None


def _tags(raw: Any, separator: str) -> list[str]:
    if isinstance(raw, list):
        parts = [str(p) for p in raw]
    else:
        text = _as_text(raw)
        parts = re.split(r"[;,]" if separator == "," else re.escape(separator), text)
    out: list[str] = []
    for p in parts:
        t = p.strip().lower()[:64]
        if t and t not in out:
            out.append(t)
    return out[:50]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


def content_key(kind: PresetKind, values: Mapping[str, Any]) -> str:
    """Return the idempotency key of a row: its external id, else a hash of what identifies it.

    The hash covers the raw identifying values only (never a default such as "now"), so the
    same row imported twice gets the same key.
    """
    if values.get("external_id"):
        return f"id:{values['external_id']}"
    if kind == "feedback":
        parts = [
            values.get("source") or "",
            values.get("author_email") or values.get("author_name") or "",
            _iso(values.get("occurred_at")),
            " ".join(str(values.get("text") or "").split()),
        ]
    else:
        parts = [values.get("domain") or "", str(values.get("name") or "").lower()]
    return "hash:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def validate_row(
    *,
    number: int,
    row: Row,
    mapping: ColumnMapping,
    filename: str,
    problems: ProblemCollector,
) -> ParsedRow | None:
    """Check one row against the mapping; record every problem; return the parsed row or None.

    Returns ``None`` for a row with problems and for a row the mapping skips (no text in an
    app-store export).
    """
    specs = fields_for(mapping.kind)
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    ok = True
    for name, column in mapping.fields.items():
        raw = row.get(column)
        if name in specs:
            value, reason = _check(specs[name], raw, mapping)
            if reason:
                shown = _as_text(raw)
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                problems.add(
                    (filename, number, column),
                    f"row {number}, column {column!r}: {shown!r} {reason}",
                    "invalid_value",
                )
                ok = False
            elif value not in (None, "", []):
                values[name] = value
        else:
            text = _as_text(raw)
            if text:
                extra[name.split(".", 1)[1]] = text[:1000]
    for name, default in mapping.defaults.items():
        values.setdefault(name, default)
    required = next(n for n, s in specs.items() if s.required)
    if required not in values:
        if mapping.skip_empty_text and ok:
            return None
        column = mapping.fields.get(required, required)
        problems.add(
            (filename, number, column),
            f"row {number}, column {column!r}: is empty; {required} is required",
            "missing",
        )
        return None
    if not ok:
        return None
    if mapping.kind == "feedback":
        values.setdefault("source", "manual")
    return ParsedRow(number, values, extra, content_key(mapping.kind, values))
