"""The roadmap as Markdown, CSV, JSON, and as SVG drawings (board, timeline) turned into PNG/PDF.

Pure: it takes ``ItemRow`` values the service built and returns text or bytes. Every string a
user typed is XML-escaped in the SVG and guarded against formula injection in the CSV. PNG and
PDF come from the same SVG through ``vl-convert-python`` (the renderer the design names for
charts), so the picture in the page and in the file are one drawing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from producthq.cli.output import csv_safe
from producthq.roadmap.xmltext import escape, quoteattr

COLUMNS = ("now", "next", "later")
COLUMN_TITLES = {"now": "Now", "next": "Next", "later": "Later"}
INTERNAL_FIELDS = ("owner", "team", "progress", "notes")
STATUS_COLOURS = {
    "not_started": "#9aa5b1",
    "in_progress": "#3b82c4",
    "done": "#3f9a5b",
    "at_risk": "#d9822b",
}
GroupBy = Literal["team", "objective"]


@dataclass(frozen=True)
class ItemRow:
    """One roadmap item as the views and exports see it (effective dates resolved)."""

    id: int
    title: str
    description: str = ""
    column: str = "later"
    position: int = 0
    status: str = "not_started"
    progress: int | None = 0
    objective: str = ""
    team: str | None = None
    owner: str | None = None
    notes: str | None = None
    start: date | None = None
    end: date | None = None
    release: str | None = None
    depends_on: tuple[int, ...] = ()
    feature_id: int | None = None
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready values (dates as ISO strings)."""
        out = asdict(self)
        out["depends_on"] = list(self.depends_on)
        for key in ("start", "end"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass(frozen=True)
class ReleaseMark:
    """A release line on the timeline."""

    name: str
    day: date


def for_audience(rows: Sequence[ItemRow], audience: str) -> list[ItemRow]:
    """Hide internal fields (owner, team, progress, notes) unless the audience is internal.

    Example:
        >>> for_audience([ItemRow(1, "x", team="Core", progress=40)], "board")[0].team is None
        True
    """
    if audience == "internal":
        return list(rows)
    return [replace(r, owner=None, team=None, progress=None, notes=None) for r in rows]


def by_column(rows: Sequence[ItemRow]) -> dict[str, list[ItemRow]]:
    """Group rows by board column, each in its position order."""
    out: dict[str, list[ItemRow]] = {c: [] for c in COLUMNS}
    for r in sorted(rows, key=lambda r: (r.position, r.id)):
        out.setdefault(r.column, []).append(r)
    return out


# --- text formats ------------------------------------------------------------------------

CSV_FIELDS = (
    "id",
    "title",
    "column",
    "position",
    "status",
    "progress",
    "objective",
    "team",
    "owner",
    "start",
    "end",
    "release",
    "depends_on",
    "value",
    "description",
)


def to_csv(rows: Sequence[ItemRow], audience: str = "internal") -> str:
    """Return the items as CSV; cells that a spreadsheet would run as formulas are quoted."""
    fields = [f for f in CSV_FIELDS if audience == "internal" or f not in INTERNAL_FIELDS]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for r in rows:
        d = r.as_dict()
        d["depends_on"] = " ".join(str(i) for i in r.depends_on)
        writer.writerow([csv_safe("" if d[f] is None else d[f]) for f in fields])
    return buf.getvalue()


def to_json(rows: Sequence[ItemRow], audience: str = "internal") -> list[dict[str, Any]]:
    """Return the items as JSON-ready dictionaries (internal fields dropped for others)."""
    out = []
    for r in rows:
        d = r.as_dict()
        if audience != "internal":
            for f in INTERNAL_FIELDS:
                d.pop(f, None)
        out.append(d)
    return out


def _md(text: str) -> str:
    """Keep user text from turning into Markdown or HTML markup."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(rows: Sequence[ItemRow], title: str) -> str:
    """Return the board as Markdown: one section per column, one bullet per item."""
    lines = [f"# {_md(title)}", ""]
    for col, items in by_column(rows).items():
        lines += [f"## {COLUMN_TITLES.get(col, col)}", ""]
        if not items:
            lines += ["_Nothing here yet._", ""]
            continue
        for r in items:
            facts = [r.status.replace("_", " ")]
            if r.team:
                facts.append(_md(r.team))
            if r.progress is not None and r.team is not None:
                facts.append(f"{r.progress}%")
            if r.start and r.end:
                facts.append(f"{r.start.isoformat()} → {r.end.isoformat()}")
            if r.release:
                facts.append(f"release {_md(r.release)}")
            lines.append(f"- **{_md(r.title)}** ({', '.join(facts)})")
            if r.objective:
                lines.append(f"  - objective: {_md(r.objective)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- SVG drawings ------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _svg_open(width: float, height: float, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12" '
        f'role="img" aria-label={quoteattr(label)}>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]


CARD_W, CARD_H, COL_GAP = 280, 58, 16


def board_svg(rows: Sequence[ItemRow], title: str) -> str:
    """Draw the now/next/later board as a standalone SVG document."""
    cols = by_column(rows)
    tallest = max((len(v) for v in cols.values()), default=0)
    width = len(COLUMNS) * (CARD_W + COL_GAP) + COL_GAP
    height = 70 + max(1, tallest) * (CARD_H + 10) + 10
    parts = _svg_open(width, height, f"Roadmap board: {title}")
    parts.append(_text(COL_GAP, 22, _clip(title, 80), font_size="16", font_weight="bold"))
    for i, col in enumerate(COLUMNS):
        x = COL_GAP + i * (CARD_W + COL_GAP)
        parts.append(
            f'<rect x="{x}" y="34" width="{CARD_W}" height="{height - 44}" rx="8" fill="#f2f4f7"/>'
        )
        parts.append(_text(x + 10, 52, COLUMN_TITLES[col], font_weight="bold", font_size="14"))
        for j, r in enumerate(cols.get(col, [])):
            y = 62 + j * (CARD_H + 10)
            colour = STATUS_COLOURS.get(r.status, "#9aa5b1")
            parts.append(
                f'<rect x="{x + 8}" y="{y}" width="{CARD_W - 16}" height="{CARD_H}" rx="6" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
            )
            parts.append(_text(x + 18, y + 22, _clip(r.title, 38), font_weight="bold"))
            facts = [r.status.replace("_", " ")]
            if r.team:
                facts.append(r.team)
            if r.progress is not None and r.team is not None:
                facts.append(f"{r.progress}%")
            parts.append(_text(x + 18, y + 42, _clip(" · ".join(facts), 44), fill="#4a5663"))
    parts.append("</svg>")
    return "\n".join(parts)


LABEL_W, CHART_W, ROW_H, BAR_H, HEAD_H = 230, 860, 24, 16, 54


@dataclass(frozen=True)
class _Scale:
    lo: date
    hi: date

    def x(self, day: date) -> float:
        span = max(1, (self.hi - self.lo).days)
        return LABEL_W + CHART_W * (day - self.lo).days / span


def _scale(rows: Sequence[ItemRow], releases: Sequence[ReleaseMark], today: date) -> _Scale:
    days = [d for r in rows for d in (r.start, r.end) if d] + [m.day for m in releases]
    lo = min(days, default=today)
    hi = max(days, default=today + timedelta(days=90))
    lo = date(lo.year, lo.month, 1)
    hi = hi + timedelta(days=7)
    return _Scale(lo, max(hi, lo + timedelta(days=30)))


def _months(scale: _Scale) -> list[date]:
    out, d = [], scale.lo
    while d <= scale.hi:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _group_key(r: ItemRow, group_by: GroupBy) -> str:
    if group_by == "objective":
        return r.objective or "(no objective)"
    return r.team or "(no team)"


def timeline_svg(
    rows: Sequence[ItemRow],
    releases: Sequence[ReleaseMark],
    today: date,
    *,
    group_by: GroupBy = "team",
    title: str = "Roadmap timeline",
) -> str:
    """Draw the timeline: one bar per dated item, grouped, with releases, dependencies, today.

    Items without dates are left out (the page lists them). Dependencies are arrows from the
    end of the prerequisite to the start of the item that waits for it.
    """
    dated = [r for r in rows if r.start and r.end]
    scale = _scale(dated, releases, today)
    groups: dict[str, list[ItemRow]] = {}
    for r in sorted(dated, key=lambda r: (r.start or today, r.id)):
        groups.setdefault(_group_key(r, group_by), []).append(r)
    n_rows = sum(len(v) + 1 for v in groups.values())
    height = HEAD_H + max(1, n_rows) * ROW_H + 20
    width = LABEL_W + CHART_W + 20
    parts = _svg_open(width, height, title)
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#6b7785"/></marker></defs>'
    )
    parts.append(_text(10, 20, _clip(title, 80), font_size="15", font_weight="bold"))
    for m in _months(scale):
        x = scale.x(m)
        parts.append(
            f'<line x1="{x:.1f}" y1="{HEAD_H - 14}" x2="{x:.1f}" y2="{height - 10}" '
            'stroke="#e3e7ec"/>'
        )
        parts.append(_text(x + 3, HEAD_H - 18, m.strftime("%b %Y"), fill="#4a5663"))
    where: dict[int, tuple[float, float, float]] = {}
    y = float(HEAD_H)
    for name, items in groups.items():
        parts.append(_text(10, y + 16, _clip(name, 32), font_weight="bold"))
        y += ROW_H
        for r in items:
            assert r.start and r.end  # noqa: S101 - filtered above
            x0, x1 = scale.x(r.start), scale.x(r.end + timedelta(days=1))
            colour = STATUS_COLOURS.get(r.status, "#9aa5b1")
            parts.append(_text(22, y + 16, _clip(r.title, 32)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 4:.1f}" width="{max(2.0, x1 - x0):.1f}" '
                f'height="{BAR_H}" rx="4" fill="{colour}" opacity="0.85">'
                f"<title>{escape(r.title)}</title></rect>"
            )
            if r.progress and r.team is not None:
                w = max(0.0, (x1 - x0) * r.progress / 100)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y + 16:.1f}" width="{w:.1f}" height="4" '
                    'fill="#1f2a36" opacity="0.5"/>'
                )
            where[r.id] = (x0, x1, y + 4 + BAR_H / 2)
            y += ROW_H
    for r in dated:
        for dep in r.depends_on:
            if dep in where and r.id in where:
                sx, sy = where[dep][1], where[dep][2]
                ex, ey = where[r.id][0], where[r.id][2]
                parts.append(
                    f'<path d="M {sx:.1f} {sy:.1f} C {sx + 20:.1f} {sy:.1f}, {ex - 20:.1f} '
                    f'{ey:.1f}, {ex:.1f} {ey:.1f}" fill="none" stroke="#6b7785" '
                    'stroke-width="1.2" marker-end="url(#arrow)"/>'
                )
    for mark in releases:
        if scale.lo <= mark.day <= scale.hi:
            x = scale.x(mark.day)
            parts.append(
                f'<line x1="{x:.1f}" y1="{HEAD_H - 10}" x2="{x:.1f}" y2="{height - 10}" '
                'stroke="#7a4fb5" stroke-dasharray="4 3"/>'
            )
            parts.append(_text(x + 3, HEAD_H - 4, _clip(mark.name, 24), fill="#7a4fb5"))
    if scale.lo <= today <= scale.hi:
        x = scale.x(today)
        parts.append(
            f'<line x1="{x:.1f}" y1="{HEAD_H - 14}" x2="{x:.1f}" y2="{height - 10}" '
            'stroke="#d23c3c" stroke-width="1.5"/>'
        )
        parts.append(_text(x + 3, height - 12, "today", fill="#d23c3c"))
    parts.append("</svg>")
    return "\n".join(parts)


# --- raster and PDF ----------------------------------------------------------------------


def _vl_convert() -> Any:
    import vl_convert  # noqa: PLC0415 - heavy renderer, loaded only when an export asks for it

    return vl_convert


def svg_to_png(svg: str, scale: float = 1.0) -> bytes:
    """Render an SVG document to PNG bytes (``scale`` 2 doubles the pixel size)."""
    data: bytes = _vl_convert().svg_to_png(svg, scale=scale)
    return data


def svg_to_pdf(svg: str) -> bytes:
    """Render an SVG document to a one-page PDF."""
    data: bytes = _vl_convert().svg_to_pdf(svg)
    return data
