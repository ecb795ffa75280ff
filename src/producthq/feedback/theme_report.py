"""Read side of themes: what each theme holds, who is behind it and where it is heading.

Every figure is computed from the stored items at read time (archived items left out): size,
sentiment mix, companies and the ARR behind the theme (each company's ARR counted once),
weekly volume and the trend test, and the segments it over-indexes in
(:mod:`producthq.feedback.theme_stats`).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.feedback.insight import ACTIVE, get_theme
from producthq.feedback.models import Company, FeedbackItem, FeedbackStatus, Theme
from producthq.feedback.theme_stats import (
    SegmentIndex,
    Trend,
    WeekVolume,
    segment_index,
    trend_test,
    weekly_volume,
)


@dataclass(frozen=True)
class CompanyShare:
    """A company behind a theme."""

    company_id: int
    name: str
    arr: float
    segment: str | None
    items: int


@dataclass
class ThemeSummary:
    """One theme with its headline figures."""

    id: int
    label: str
    keywords: list[str]
    pinned: bool
    renamed_by_user: bool
    status: str
    merged_into_id: int | None
    size: int
    companies: int
    arr: float
    sentiment: dict[str, int]
    trend: Trend


@dataclass
class ThemeDetail:
    """A theme with its volume over time, companies, segments and representative quotes."""

    summary: ThemeSummary
    volume: list[WeekVolume]
    top_companies: list[CompanyShare]
    segments: list[SegmentIndex]
    quotes: list[FeedbackItem] = field(default_factory=list)


@dataclass
class _Facts:
    rows: list[tuple[int, int | None, datetime, str | None, int | None]]
    companies: dict[int, tuple[str, float, str | None]]

    @property
    def all_times(self) -> list[datetime]:
        return [r[2] for r in self.rows]


def _facts(session: Session, workspace_id: int) -> _Facts:
    rows = session.execute(
        select(
            FeedbackItem.id,
            FeedbackItem.theme_id,
            FeedbackItem.occurred_at,
            FeedbackItem.sentiment_label,
            FeedbackItem.company_id,
        ).where(
            FeedbackItem.workspace_id == workspace_id,
            FeedbackItem.status != FeedbackStatus.archived.value,
        )
    ).all()
    companies = {
        cid: (name, float(arr or 0.0), segment)
        for cid, name, arr, segment in session.execute(
            select(Company.id, Company.name, Company.arr, Company.segment).where(
                Company.workspace_id == workspace_id
            )
        ).all()
    }
    return _Facts([tuple(r) for r in rows], companies)


def _summary(theme: Theme, facts: _Facts, members: list[int]) -> ThemeSummary:
    rows = [facts.rows[m] for m in members]
    company_ids = {r[4] for r in rows if r[4] is not None and r[4] in facts.companies}
    mix = Counter(r[3] or "unscored" for r in rows)
    volume = weekly_volume([r[2] for r in rows], facts.all_times)
    return ThemeSummary(
        id=theme.id,
        label=theme.label,
        keywords=list(theme.keywords or []),
        pinned=theme.pinned,
        renamed_by_user=theme.renamed_by_user,
        status=theme.status,
        merged_into_id=theme.merged_into_id,
        size=len(rows),
        companies=len(company_ids),
        arr=round(sum(facts.companies[c][1] for c in company_ids), 2),
        sentiment=dict(sorted(mix.items())),
        trend=trend_test(volume),
    )


def _members(facts: _Facts) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for pos, row in enumerate(facts.rows):
        if row[1] is not None:
            out[row[1]].append(pos)
    return out


def list_themes(
    session: Session, *, workspace_id: int, include_retired: bool = False
) -> list[ThemeSummary]:
    """Return the themes of a workspace with their figures, largest first."""
    facts = _facts(session, workspace_id)
    members = _members(facts)
    query = select(Theme).where(Theme.workspace_id == workspace_id)
    if not include_retired:
        query = query.where(Theme.status == ACTIVE)
    out = [_summary(t, facts, members.get(t.id, [])) for t in session.scalars(query)]
    return sorted(out, key=lambda s: (-s.size, s.id))


def theme_detail(session: Session, *, workspace_id: int, theme_id: int) -> ThemeDetail:
    """Return one theme with its volume, trend, companies, segments and quotes.

    Raises:
        NotFoundError: No such theme in the workspace.
    """
    theme = get_theme(session, workspace_id=workspace_id, theme_id=theme_id)
    facts = _facts(session, workspace_id)
    members = _members(facts).get(theme.id, [])
    summary = _summary(theme, facts, members)
    per_company = Counter(facts.rows[m][4] for m in members if facts.rows[m][4] is not None)
    top = sorted(
        (
            CompanyShare(cid, *facts.companies[cid], n)
            for cid, n in per_company.items()
            if cid is not None and cid in facts.companies
        ),
        key=lambda c: (-c.arr, -c.items, c.company_id),
    )
    all_segments: Counter[str] = Counter(
        facts.companies[r[4]][2] or ""
        for r in facts.rows
        if r[4] is not None and r[4] in facts.companies and facts.companies[r[4]][2]
    )
    theme_segments = [
        facts.companies[facts.rows[m][4]][2]  # type: ignore[index]
        if facts.rows[m][4] in facts.companies
        else None
        for m in members
    ]
    quote_ids = list(theme.representative_ids or [])
    member_ids = {facts.rows[m][0] for m in members}
    quote_ids = [q for q in quote_ids if q in member_ids]
    if len(quote_ids) < 3:
        quote_ids += [facts.rows[m][0] for m in members if facts.rows[m][0] not in quote_ids][
            : 3 - len(quote_ids)
        ]
    quotes = list(
        session.scalars(
            select(FeedbackItem).where(
                FeedbackItem.workspace_id == workspace_id, FeedbackItem.id.in_(quote_ids)
            )
        )
    )
    quotes.sort(key=lambda q: quote_ids.index(q.id))
    return ThemeDetail(
        summary=summary,
        volume=weekly_volume([facts.rows[m][2] for m in members], facts.all_times),
        top_companies=top[:20],
        segments=segment_index(theme_segments, dict(all_segments)),
        quotes=quotes,
    )


def iter_theme_rows(
    session: Session, *, workspace_id: int
) -> Iterator[tuple[str | None, int, int | None, str | None]]:
    """Yield ``(external_id, item id, theme_id, theme_label)`` for every non-archived item."""
    labels = {
        t.id: t.label
        for t in session.scalars(select(Theme).where(Theme.workspace_id == workspace_id))
    }
    query = (
        select(FeedbackItem.external_id, FeedbackItem.id, FeedbackItem.theme_id)
        .where(
            FeedbackItem.workspace_id == workspace_id,
            FeedbackItem.status != FeedbackStatus.archived.value,
        )
        .order_by(FeedbackItem.id)
    )
    for ext, item_id, theme_id in session.execute(query):
        yield ext, item_id, theme_id, labels.get(theme_id) if theme_id is not None else None


def iter_duplicate_rows(
    session: Session, *, workspace_id: int
) -> Iterator[tuple[str | None, int, int]]:
    """Yield ``(external_id, item id, group_id)`` for every item in a near-duplicate group."""
    query = (
        select(FeedbackItem.external_id, FeedbackItem.id, FeedbackItem.duplicate_group)
        .where(
            FeedbackItem.workspace_id == workspace_id,
            FeedbackItem.duplicate_group.is_not(None),
        )
        .order_by(FeedbackItem.duplicate_group, FeedbackItem.id)
    )
    for ext, item_id, group in session.execute(query):
        yield ext, item_id, int(group)


def items_by_id(session: Session, *, workspace_id: int, ids: list[int]) -> dict[int, FeedbackItem]:
    """Return the workspace's items with these ids, keyed by id."""
    if not ids:
        return {}
    rows = session.scalars(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id, FeedbackItem.id.in_(ids)
        )
    )
    return {i.id: i for i in rows}
