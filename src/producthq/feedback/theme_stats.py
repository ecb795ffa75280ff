"""Statistics that describe a theme: volume over time, its trend, the segments it over-indexes in.

* **Trend** — the Mann–Kendall test for a monotonic trend (Mann 1945, "Nonparametric tests
  against trend", Econometrica 13; Kendall 1975, *Rank Correlation Methods*) applied to the
  theme's *share* of all feedback per week, so a theme does not "grow" just because all
  feedback grew. Kendall's tau between week index and share, two-sided p-value from
  ``scipy.stats.kendalltau`` (exact for small series without ties, normal approximation
  otherwise). ``growing`` / ``shrinking`` when p < ``alpha`` (default 0.05), else ``stable``;
  fewer than ``min_weeks`` weeks with feedback give ``not_enough_data``. Assumes the weekly
  shares are serially independent apart from the trend.
* **Over-indexed segments** — for each customer segment, the theme's items from that segment
  against the segment's share of all items: lift = observed share / expected share, with a
  one-sided exact binomial test (``scipy.stats.binomtest``) of "more than expected". Segments
  with p < ``alpha`` and lift > 1 over-index. The items are treated as independent draws, which
  overstates significance when one company writes a lot; the company count is shown next to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from scipy import stats

TrendDirection = Literal["growing", "shrinking", "stable", "not_enough_data"]


def week_start(moment: datetime) -> date:
    """Return the Monday of the ISO week of a moment (UTC).

    >>> week_start(datetime(2026, 3, 5, 12, tzinfo=UTC))
    datetime.date(2026, 3, 2)
    """
    day = (moment.astimezone(UTC) if moment.tzinfo else moment).date()
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekVolume:
    """Items of a theme and of all feedback in one week."""

    week: date
    count: int
    total: int

    @property
    def share(self) -> float:
        """The theme's share of the week's feedback (0 when the week is empty)."""
        return self.count / self.total if self.total else 0.0


def weekly_volume(
    theme_times: Sequence[datetime], all_times: Sequence[datetime]
) -> list[WeekVolume]:
    """Count a theme's items and all items per week, every week from the first to the last.

    >>> t = [datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC)]
    >>> [(w.week.isoformat(), w.count, w.total) for w in weekly_volume(t[:1], t)]
    [('2026-01-05', 1, 1), ('2026-01-12', 0, 0), ('2026-01-19', 0, 1)]
    """
    if not all_times:
        return []
    totals = Counter(week_start(t) for t in all_times)
    counts = Counter(week_start(t) for t in theme_times)
    first, last = min(totals), max(totals)
    out: list[WeekVolume] = []
    week = first
    while week <= last:
        out.append(WeekVolume(week, counts.get(week, 0), totals.get(week, 0)))
        week += timedelta(days=7)
    return out


@dataclass(frozen=True)
class Trend:
    """The outcome of the trend test.

    Attributes:
        direction: growing, shrinking, stable or not_enough_data.
        tau: Kendall's tau between week and share (0 without data).
        p_value: Two-sided p-value (1 without data).
        weeks: Number of weeks tested.
    """

    direction: TrendDirection
    tau: float
    p_value: float
    weeks: int


def trend_test(volume: Sequence[WeekVolume], *, alpha: float = 0.05, min_weeks: int = 6) -> Trend:
    """Decide whether a theme's weekly share of feedback grows, shrinks or stays.

    Weeks without any feedback are left out (their share is undefined).

    >>> rising = [WeekVolume(date(2026, 1, 5) + timedelta(7 * i), i, 20) for i in range(10)]
    >>> trend_test(rising).direction
    'growing'
    >>> trend_test(rising[:3]).direction
    'not_enough_data'
    """
    points = [(i, w.share) for i, w in enumerate(volume) if w.total > 0]
    if len(points) < min_weeks or len({s for _, s in points}) < 2:
        return Trend(
            "not_enough_data" if len(points) < min_weeks else "stable", 0.0, 1.0, len(points)
        )
    result = stats.kendalltau([i for i, _ in points], [s for _, s in points])
    tau, p = float(result.statistic), float(result.pvalue)
    direction: TrendDirection = "stable"
    if p < alpha:
        direction = "growing" if tau > 0 else "shrinking"
    return Trend(direction, round(tau, 6), p, len(points))


@dataclass(frozen=True)
class SegmentIndex:
    """How much a theme over- or under-represents one segment.

    Attributes:
        segment: The segment name.
        count: The theme's items from this segment.
        expected: Items expected from the segment's share of all feedback.
        lift: count / expected.
        p_value: One-sided exact binomial p-value of "more than expected".
        over_indexed: lift > 1 and p < alpha.
    """

    segment: str
    count: int
    expected: float
    lift: float
    p_value: float
    over_indexed: bool


def segment_index(
    theme_segments: Sequence[str | None],
    all_segment_counts: Mapping[str, int],
    *,
    alpha: float = 0.05,
) -> list[SegmentIndex]:
    """Compare the segments of a theme's items with the segments of all items.

    Items without a segment are left out of both sides.

    Args:
        theme_segments: The segment of each item in the theme (``None`` if unknown).
        all_segment_counts: Items per segment over all feedback (including the theme).
        alpha: Significance level of the over-indexing test.

    Returns:
        One entry per segment seen anywhere, highest lift first.

    >>> idx = segment_index(["smb"] * 8 + ["enterprise"] * 2, {"smb": 50, "enterprise": 50})
    >>> [(i.segment, i.count, i.lift) for i in idx]
    [('smb', 8, 1.6), ('enterprise', 2, 0.4)]
    """
    counts = Counter(s for s in theme_segments if s)
    n = sum(counts.values())
    total = sum(v for v in all_segment_counts.values() if v > 0)
    if n == 0 or total == 0:
        return []
    out: list[SegmentIndex] = []
    for seg, seg_total in all_segment_counts.items():
        if seg_total <= 0:
            continue
        share = min(1.0, seg_total / total)
        k = counts.get(seg, 0)
        expected = n * share
        p = float(stats.binomtest(k, n, share, alternative="greater").pvalue)
        lift = k / expected if expected else 0.0
        out.append(
            SegmentIndex(seg, k, round(expected, 6), round(lift, 6), p, lift > 1 and p < alpha)
        )
    return sorted(out, key=lambda s: (-s.lift, s.segment))
