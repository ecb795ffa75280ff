"""Retention cohort matrix and confidence intervals on retention rates.

Definitions from ``METRICS.md`` (PostHog's retention query): the cohort is the period of a
user's first start event; period 0 is the cohort itself; "on" counts cohort users with a return
event in period cohort+k; "on or after" (unbounded) counts cohort users whose latest return
within the periods shown is in period ≥ cohort+k; cells starting after the range are left out.

Intervals: Wilson score interval (Wilson 1927, JASA 22:209) and the exact Clopper-Pearson
interval (Clopper & Pearson 1934, Biometrika 26:404), both for a binomial proportion with
independent users.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
from scipy import stats

from producthq.analytics.metrics_activity import in_range
from producthq.analytics.params import IntervalMethod, MetricParams
from producthq.analytics.periods import Calendar, Period, spine


def retention(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return rows ``(cohort, period, cohort_size, retained, retained_unbounded)``.

    ``cohort`` is a period number; one row per cohort period of the range and offset
    ``0..params.periods`` whose period starts no later than the range's last period.
    """
    period: Period = params.period or "week"
    last = cal.last(period)
    if "phq_day" in events.columns:
        starts, returns = _rollup_rows(events, params, cal, period)
    else:
        ev = in_range(events, cal)
        ev = ev.filter(ev.user_id.notnull()).mutate(p=cal.period_of(ev.timestamp, period))
        starts = ev if params.start_event is None else ev.filter(ev.event == params.start_event)
        returns = ev if params.return_event is None else ev.filter(ev.event == params.return_event)
        returns = returns.select("user_id", "p").distinct()
    cohorts = starts.group_by("user_id").agg(c=starts.p.min())
    returns = returns.select("user_id", r=returns.p)
    j = returns.inner_join(cohorts, "user_id")
    hits = j.select("user_id", "c", k=j.r - j.c)
    # ``distinct`` changes nothing (returns are distinct per user and period, and a user has
    # one cohort) but makes the engine compute the hits once for both counts below: DuckDB
    # materialises a CTE that aggregates and is read twice, and inlines one that does not.
    hits = hits.filter((hits.k >= 1) & (hits.k <= params.periods)).distinct()
    on = hits.group_by("c", "k").agg(retained=hits.user_id.count())
    latest = hits.group_by("user_id", "c").agg(k=hits.k.max())
    latest_counts = latest.group_by("c", "k").agg(n=latest.user_id.count())
    sizes = cohorts.group_by("c").agg(cohort_size=cohorts.user_id.count())

    cs = spine(cal.first(period), last, column="c", label="cohorts")
    ks = spine(0, params.periods, column="k", label="offsets")
    grid = cs.cross_join(ks)
    grid = grid.filter(grid.c + grid.k <= last)
    g1 = grid.left_join(sizes, grid.c == sizes.c)
    t1 = g1.select(c=grid.c, k=grid.k, cohort_size=g1.cohort_size.coalesce(0))
    g2 = t1.left_join(on, (t1.c == on.c) & (t1.k == on.k))
    t2 = g2.select("c", "k", "cohort_size", retained=g2.retained.coalesce(0))
    g3 = t2.left_join(latest_counts, (t2.c == latest_counts.c) & (t2.k == latest_counts.k))
    t3 = g3.select("c", "k", "cohort_size", "retained", n=g3.n.coalesce(0))
    after = t3.n.sum().over(
        ibis.window(group_by="c", order_by=[ibis.desc("k")], preceding=None, following=0)
    )
    t4 = t3.mutate(after=after)
    first = t4.k == 0
    return t4.select(
        cohort=t4.c,
        period=t4.k,
        cohort_size=t4.cohort_size,
        retained=ibis.cases((first, t4.cohort_size), else_=t4.retained),
        retained_unbounded=ibis.cases((first, t4.cohort_size), else_=t4.after),
    ).order_by(["cohort", "period"])


def _rollup_rows(
    rows: ir.Table, params: MetricParams, cal: Calendar, period: Period
) -> tuple[ir.Table, ir.Table]:
    """Return ``(starts, returns)`` as ``user_id, p`` from ``rollup.retention_rows``.

    ``user_id`` is the user's integer key (cheaper to group and join than the string). The
    activity rows (``phq_start`` false) are the returns, and the starts when no start event
    is named; otherwise the start rows are that event's. Only handed over for a UTC calendar
    and "any event" returns (``rollup.usable``).
    """
    if params.return_event is not None:
        raise ValueError("the user-days rollup does not know return events: use the events")
    rows = rows.filter(rows.phq_day.between(cal.first("day"), cal.last("day")))
    number = {"day": rows.phq_day, "week": rows.phq_day // 7, "month": rows.phq_month}
    ev = rows.select(user_id=rows.user_key, start=rows.phq_start, p=number[period].cast("int64"))
    activity = ev.filter(~ev.start).select("user_id", "p")
    returns = activity if period == "day" else activity.distinct()
    if params.start_event is None:
        return activity, returns
    return ev.filter(ev.start).select("user_id", "p"), returns


def proportion_interval(
    successes: npt.ArrayLike,
    trials: npt.ArrayLike,
    *,
    method: IntervalMethod = "wilson",
    confidence: float = 0.95,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return lower and upper bounds of a two-sided interval for binomial proportions.

    Assumes independent trials. Where ``trials`` is 0 both bounds are NaN.

    Args:
        successes: counts of successes (retained users).
        trials: counts of trials (cohort sizes).
        method: ``"wilson"`` (score interval) or ``"clopper-pearson"`` (exact, conservative).
        confidence: the interval's confidence level, in (0, 1).

    Returns:
        ``(low, high)`` arrays.

    Examples:
        >>> low, high = proportion_interval([5], [10])
        >>> round(float(low[0]), 4), round(float(high[0]), 4)
        (0.2366, 0.7634)
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    alpha = 1.0 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            z = float(stats.norm.ppf(1 - alpha / 2))
            phat = k / n
            denom = 1 + z * z / n
            centre = (phat + z * z / (2 * n)) / denom
            half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
            low, high = centre - half, centre + half
        else:
            low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
            high = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    empty = n <= 0
    low = np.where(empty, np.nan, np.clip(low, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(high, 0.0, 1.0))
    return low.astype(np.float64), high.astype(np.float64)
