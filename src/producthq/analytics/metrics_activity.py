"""Activity metrics: DAU, WAU/MAU, DAU/MAU, stickiness, lifecycle and feature adoption.

Definitions are those of ``METRICS.md`` (PostHog's trends, stickiness and lifecycle queries where
tools disagree). Each function maps a table with the canonical event schema to an Ibis table
expression whose rows are integer-numbered periods (see ``periods.py``); the runners in
``metrics.py`` turn the numbers into dates.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from producthq.analytics.params import MetricParams
from producthq.analytics.periods import Calendar, Period, spine


def in_range(events: ir.Table, cal: Calendar, *, from_start: bool = True) -> ir.Table:
    """Keep the events inside the calendar's UTC bounds (or only up to its end)."""
    lo, hi = cal.utc_bounds()
    ts = events.timestamp
    cond = ts < ibis.timestamp(hi)
    if from_start:
        cond = cond & (ts >= ibis.timestamp(lo))
    return events.filter(cond)


def activity(
    events: ir.Table,
    params: MetricParams,
    cal: Calendar,
    period: Period,
    *,
    from_start: bool = True,
) -> ir.Table:
    """Return the distinct ``(user_id, p)`` pairs of users active in period ``p``."""
    ev = in_range(events, cal, from_start=from_start)
    if params.active_events:
        ev = ev.filter(ev.event.isin(params.active_events))
    ev = ev.filter(ev.user_id.notnull())
    return ev.select("user_id", p=cal.period_of(ev.timestamp, "day" if period == "day" else period))


def _running(col: ir.NumericValue, order: str, *, descending: bool = False) -> ir.NumericValue:
    key = ibis.desc(order) if descending else ibis.asc(order)
    return col.sum().over(ibis.window(order_by=[key], preceding=None, following=0))


def dau(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """DAU(d): distinct users active on day d, for every day of the range (columns p, dau)."""
    act = activity(events, params, cal, "day")
    counts = act.group_by("p").agg(dau=act.user_id.nunique())
    days = spine(cal.first("day"), cal.last("day"))
    joined = days.left_join(counts, days.p == counts.p)
    return joined.select(p=days.p, dau=joined.dau.coalesce(0)).order_by("p")


def wau_mau(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """DAU, WAU ``[d-6, d]`` and MAU ``[d-29, d]`` for every day d (columns p, dau, wau, mau).

    A user active on day a covers the days ``[a, a+W)`` of a W-day window. Per user, consecutive
    active days a' < a overlap, so day a adds coverage only from ``max(a, a'+W)``. Counting +1
    where a user's coverage starts and -1 where it ends, the running sum over days is the number
    of distinct users whose window contains the day: one pass over user-days, no fan-out.
    """
    act = activity(events, params, cal, "day").distinct()
    prev = act.p.lag().over(ibis.window(group_by="user_id", order_by="p"))
    act = act.mutate(prev=prev)
    parts: list[ir.Table] = [act.select("p", d1=ibis.literal(1), d7=0, d30=0)]
    for width, name in ((7, "d7"), (30, "d30")):
        zero = {other: ibis.literal(0) for other in ("d1", "d7", "d30") if other != name}
        begin = ibis.cases(
            (act.prev.isnull() | (act.prev + width <= act.p), act.p), else_=act.prev + width
        )
        parts.append(act.select(p=begin, **{name: ibis.literal(1)}, **zero))
        parts.append(act.select(p=act.p + width, **{name: ibis.literal(-1)}, **zero))
    ints = {"p": "int64", "d1": "int64", "d7": "int64", "d30": "int64"}
    aligned = [t.select("p", "d1", "d7", "d30").cast(ints) for t in parts]
    deltas = ibis.union(*aligned, distinct=False)
    per_day = deltas.group_by("p").agg(d1=deltas.d1.sum(), d7=deltas.d7.sum(), d30=deltas.d30.sum())
    days = spine(cal.first("day"), cal.last("day"))
    joined = days.left_join(per_day, days.p == per_day.p)
    filled = joined.select(
        p=days.p,
        dau=joined.d1.coalesce(0),
        d7=joined.d7.coalesce(0),
        d30=joined.d30.coalesce(0),
    )
    return filled.select(
        "p", "dau", wau=_running(filled.d7, "p"), mau=_running(filled.d30, "p")
    ).order_by("p")


def stickiness(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Users with exactly n and at least n active days in the range, n = 1..N."""
    act = activity(events, params, cal, "day")
    per_user = act.group_by("user_id").agg(n=act.p.nunique())
    counts = per_user.group_by("n").agg(users=per_user.user_id.count())
    days = cal.last("day") - cal.first("day") + 1
    ns = spine(1, days, column="n", label="days")
    joined = ns.left_join(counts, ns.n == counts.n)
    filled = joined.select(days_active=ns.n, users=joined.users.coalesce(0))
    return filled.select(
        "days_active",
        "users",
        users_cumulative=_running(filled.users, "days_active", descending=True),
    ).order_by("days_active")


def lifecycle(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """New, returning, resurrecting and dormant users per period (columns p, new, ...).

    A user's history is taken from all events up to the end of the range, so "new" means the
    user's first active period ever and the first period shown knows who was active before it.
    """
    period: Period = params.period or "week"
    act = activity(events, params, cal, period, from_start=False).distinct()
    user_w = ibis.window(group_by="user_id", order_by="p")
    act = act.mutate(
        first=act.p.min().over(ibis.window(group_by="user_id")),
        prev=act.p.lag().over(user_w),
        nxt=act.p.lead().over(user_w),
    )
    one, zero = ibis.literal(1), ibis.literal(0)
    is_new = act.p == act.first
    is_returning = act.prev == act.p - 1
    active_rows = act.select(
        "p",
        new=ibis.cases((is_new, one), else_=zero),
        returning=ibis.cases((is_returning, one), else_=zero),
        resurrecting=ibis.cases((~is_new & ~is_returning.fill_null(False), one), else_=zero),
        dormant=zero,
    )
    dormant_rows = act.filter(act.nxt.isnull() | (act.nxt > act.p + 1)).select(
        p=act.p + 1, new=zero, returning=zero, resurrecting=zero, dormant=one
    )
    rows = ibis.union(active_rows, dormant_rows, distinct=False)
    per_p = rows.group_by("p").agg(
        new=rows.new.sum(),
        returning=rows.returning.sum(),
        resurrecting=rows.resurrecting.sum(),
        dormant=rows.dormant.sum(),
    )
    ps = spine(cal.first(period), cal.last(period))
    joined = ps.left_join(per_p, ps.p == per_p.p)
    return joined.select(
        p=ps.p,
        new=joined.new.coalesce(0),
        returning=joined.returning.coalesce(0),
        resurrecting=joined.resurrecting.coalesce(0),
        dormant=joined.dormant.coalesce(0),
    ).order_by("p")


def adoption(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Users active and users of the feature (any of ``feature_events``) per period."""
    period: Period = params.period or "week"
    ev = in_range(events, cal)
    ev = ev.filter(ev.user_id.notnull())
    ev = ev.mutate(p=cal.period_of(ev.timestamp, period))
    active = ev.group_by("p").agg(active_users=ev.user_id.nunique())
    used = ev.filter(ev.event.isin(params.feature_events or ("",)))
    users = used.group_by("p").agg(feature_users=used.user_id.nunique())
    ps = spine(cal.first(period), cal.last(period))
    j1 = ps.left_join(active, ps.p == active.p)
    t1 = j1.select(p=ps.p, active_users=j1.active_users.coalesce(0))
    j2 = t1.left_join(users, t1.p == users.p)
    return j2.select(
        p=t1.p, active_users=t1.active_users, feature_users=j2.feature_users.coalesce(0)
    ).order_by("p")


def time_to_first_use(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Per user, seconds from max(first event, launch) to the first use of the feature."""
    ev = in_range(events, cal, from_start=False)
    ev = ev.filter(ev.user_id.notnull())
    first_seen = ev.group_by("user_id").agg(first_seen=ev.timestamp.min())
    used = ev.filter(ev.event.isin(params.feature_events or ("",)))
    first_use = used.group_by("user_id").agg(first_use=used.timestamp.min())
    j = first_use.inner_join(first_seen, "user_id")
    origin = j.first_seen
    if params.launch is not None:
        launch_utc = Calendar(params.launch, params.launch, cal.tz).utc_bounds()[0]
        origin = ibis.greatest(origin, ibis.timestamp(launch_utc))
    return j.select(
        "user_id",
        seconds=(j.first_use.epoch_seconds() - origin.epoch_seconds()).cast("float64"),
    ).filter(lambda t: t.seconds >= 0)
