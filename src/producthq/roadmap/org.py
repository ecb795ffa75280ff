"""Team capacity in person-weeks, and the org chart drawn as SVG (pure: no database, no web).

Capacity method: a person gives ``fte × available working days / 5`` person-weeks in a period,
where working days are Monday to Friday inside the period (both ends inclusive) and available
days are those not covered by a holiday of the person or of their team (a day covered twice
counts once). A team's capacity is the sum over its people, unless someone set it by hand.
Public holidays are not modelled separately: record them as team holidays.

Example:
    >>> from datetime import date
    >>> working_days(date(2025, 1, 6), date(2025, 1, 17))  # two full weeks
    10
    >>> off = [(date(2025, 1, 8), date(2025, 1, 8))]
    >>> person_weeks(0.5, date(2025, 1, 6), date(2025, 1, 17), off)
    0.9
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from producthq.roadmap.xmltext import escape, quoteattr

DAYS_PER_WEEK = 5


def working_days(start: date, end: date) -> int:
    """Count Monday-to-Friday days from ``start`` to ``end``, both inclusive (0 if reversed)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full, rest = divmod(days, 7)
    count = full * 5
    first = start.weekday()
    count += sum(1 for i in range(rest) if (first + i) % 7 < 5)
    return count


def days_off_in(start: date, end: date, spans: Iterable[tuple[date, date]]) -> int:
    """Count the working days in ``[start, end]`` covered by at least one of ``spans``."""
    covered: set[date] = set()
    for s, e in spans:
        lo, hi = max(s, start), min(e, end)
        day = lo
        while day <= hi:
            if day.weekday() < 5:
                covered.add(day)
            day += timedelta(days=1)
    return len(covered)


def person_weeks(
    fte: float, start: date, end: date, days_off: Iterable[tuple[date, date]] = ()
) -> float:
    """Return the person-weeks one person gives in ``[start, end]``.

    Args:
        fte: Share of a full-time week, 0 to 1.
        start: First day of the period.
        end: Last day of the period (inclusive).
        days_off: Holiday spans (inclusive) of the person and of their team.
    """
    available = working_days(start, end) - days_off_in(start, end, days_off)
    return round(fte * available / DAYS_PER_WEEK, 4)


@dataclass(frozen=True)
class PersonLoad:
    """What capacity needs to know about a person."""

    person_id: int
    team_id: int | None
    fte: float
    days_off: tuple[tuple[date, date], ...] = ()


@dataclass(frozen=True)
class PeriodSpan:
    """A period's id and dates."""

    period_id: int
    start: date
    end: date


@dataclass(frozen=True)
class CapacityCell:
    """A team's capacity in a period: computed, overridden, and the one in force."""

    team_id: int
    period_id: int
    computed: float
    override: float | None

    @property
    def effective(self) -> float:
        """The override if there is one, else the computed capacity."""
        return self.computed if self.override is None else self.override


def team_capacity(
    team_ids: Sequence[int],
    periods: Sequence[PeriodSpan],
    people: Sequence[PersonLoad],
    overrides: dict[tuple[int, int], float] | None = None,
) -> list[CapacityCell]:
    """Compute every team's capacity in every period, team by team then period by period."""
    overrides = overrides or {}
    cells = []
    for team_id in team_ids:
        members = [p for p in people if p.team_id == team_id]
        for period in periods:
            total = sum(person_weeks(p.fte, period.start, period.end, p.days_off) for p in members)
            cells.append(
                CapacityCell(
                    team_id,
                    period.period_id,
                    round(total, 4),
                    overrides.get((team_id, period.period_id)),
                )
            )
    return cells


# --- the org chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPerson:
    """A person as the chart shows them."""

    name: str
    role: str
    fte: float = 1.0


@dataclass(frozen=True)
class ChartTeam:
    """A team box and its people."""

    name: str
    people: tuple[ChartPerson, ...] = ()


@dataclass(frozen=True)
class ChartArea:
    """A product area and its teams."""

    name: str
    teams: tuple[ChartTeam, ...] = ()


@dataclass(frozen=True)
class OrgChart:
    """The whole organisation: leaders at the top, then areas, then teams."""

    title: str
    leaders: tuple[ChartPerson, ...] = ()
    areas: tuple[ChartArea, ...] = field(default_factory=tuple)


TEAM_W, TEAM_GAP, LINE_H, PAD = 190, 16, 16, 10
TOP_H, AREA_H = 34, 30


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _box(x: float, y: float, w: float, h: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
        f'fill="{fill}" stroke="#5b6b7b" stroke-width="1"/>'
    )


def _leaders_line(chart: OrgChart) -> str:
    names = ", ".join(f"{p.name} ({p.role})" for p in chart.leaders)
    return _clip(names, 90) if names else ""


def org_chart_svg(chart: OrgChart) -> str:
    """Draw the org chart as a standalone SVG document; every name is XML-escaped.

    Example:
        >>> svg = org_chart_svg(OrgChart("Acme", areas=(ChartArea("<Core>"),)))
        >>> "&lt;Core&gt;" in svg and "<Core>" not in svg
        True
    """
    areas = list(chart.areas) or [ChartArea("(no product areas yet)")]
    widths = [max(1, len(a.teams)) * (TEAM_W + TEAM_GAP) - TEAM_GAP for a in areas]
    width = max(sum(widths) + TEAM_GAP * (len(areas) + 1), 420)
    tallest = max((len(t.people) for a in areas for t in a.teams), default=0)
    team_h = 2 * PAD + LINE_H * (tallest + 1)
    top_y, area_y = 12, 12 + TOP_H + 30
    team_y = area_y + AREA_H + 30
    height = team_y + team_h + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
        'role="img" aria-label="Organisation chart">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    top_w = min(width - 20, 520)
    top_x = (width - top_w) / 2
    parts.append(_box(top_x, top_y, top_w, TOP_H, "#dbe9f6"))
    title = _clip(chart.title, 40)
    leaders = _leaders_line(chart)
    label = f"{title} — {leaders}" if leaders else title
    parts.append(
        _text(width / 2, top_y + 21, _clip(label, 80), text_anchor="middle", font_weight="bold")
    )
    x = float(TEAM_GAP)
    for area, w in zip(areas, widths, strict=True):
        parts.append(
            f'<line x1="{width / 2:.1f}" y1="{top_y + TOP_H}" x2="{x + w / 2:.1f}" '
            f'y2="{area_y}" stroke="#8a99a8"/>'
        )
        parts.append(_box(x, area_y, w, AREA_H, "#eef3e2"))
        parts.append(
            _text(
                x + w / 2,
                area_y + 19,
                _clip(area.name, 40),
                text_anchor="middle",
                font_weight="bold",
            )
        )
        tx = x
        for team in area.teams:
            parts.append(
                f'<line x1="{x + w / 2:.1f}" y1="{area_y + AREA_H}" x2="{tx + TEAM_W / 2:.1f}" '
                f'y2="{team_y}" stroke="#8a99a8"/>'
            )
            parts.append(_box(tx, team_y, TEAM_W, team_h, "#f7f7f2"))
            parts.append(
                _text(tx + PAD, team_y + PAD + 11, _clip(team.name, 26), font_weight="bold")
            )
            for i, p in enumerate(team.people):
                fte = "" if p.fte >= 1 else f" ({p.fte:g})"
                line = _clip(f"{p.name} · {p.role}{fte}", 30)
                parts.append(_text(tx + PAD, team_y + PAD + 11 + LINE_H * (i + 1), line))
            tx += TEAM_W + TEAM_GAP
        x += w + TEAM_GAP
    parts.append("</svg>")
    return "\n".join(parts)
