"""Ordered funnels with a conversion window and re-entry.

Definition from ``METRICS.md`` (PostHog's ordered funnel): a user enters with a step-1 event in
the range and reaches step k when there are events s1 ≤ s2 ≤ … ≤ sk (equal timestamps allowed,
lower step first) with sk − s1 ≤ window, inclusive. Every step-1 event starts an attempt; a user
counts once, at the furthest step any attempt reached.

Method: for an attempt starting at t1, taking at each step the earliest qualifying event at or
after the previous step's event is optimal (any chain can be shifted onto the greedy one without
leaving the window). The events are cut down to the funnel's step events in the range and tagged
with their step in one pass, then kept once. Users with few step-1 events (``LIGHT_MAX_ATTEMPTS``)
follow the chain with an equality-and-range join per step (the plan of the hand-written SQL,
linear because each step event meets few attempts); users with many use window passes over
their step events sorted by time (running minima, no join, no fan-out). Both give the greedy
chain.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import property_text
from producthq.analytics.metrics_activity import in_range
from producthq.analytics.params import MetricParams, Step
from producthq.analytics.periods import Calendar
from producthq.errors import InvalidInputError


def _step_condition(ev: ir.Table, step: Step) -> ir.BooleanValue:
    cond = ev.event == step.event
    for key, value in step.filters:
        cond = cond & (property_text(ev.properties, key) == value)
    return cond


def _tagged(ev: ir.Table, params: MetricParams) -> ir.Table:
    """Return ``user_id, ts, tag`` (and ``breakdown``): one row per event and step it matches.

    ``tag`` is the step number. With a breakdown, only step-1 rows carry its value; without
    one the column is left out here (every attempt is in ``all``), so the rows stay narrow.
    When every step names a different event, each event matches at most one step and one
    pass over the events tags it; otherwise (a repeated event) an event appears once per
    step it matches.
    """
    steps = params.steps
    key = params.breakdown

    def breakdown_of(rows: ir.Table) -> dict[str, ir.Value]:
        if not key:
            return {}
        value = property_text(rows.properties, key).fill_null("(none)")
        return {"breakdown": ibis.cases((rows.tag == 1, value)).cast("string")}

    if len({s.event for s in steps}) == len(steps):
        conds = [_step_condition(ev, step) for step in steps]
        tag = ibis.cases(*[(c, ibis.literal(k, type="int64")) for k, c in enumerate(conds, 1)])
        rows = ev.mutate(tag=tag)
        rows = rows.filter(rows.tag.notnull())
        return rows.select("user_id", ts="timestamp", tag="tag", **breakdown_of(rows))
    parts: list[ir.Table] = []
    for k, step in enumerate(steps, start=1):
        rows = ev.filter(_step_condition(ev, step)).mutate(tag=ibis.literal(k, type="int64"))
        parts.append(rows.select("user_id", ts="timestamp", tag="tag", **breakdown_of(rows)))
    return ibis.union(*parts, distinct=False)


def _with_breakdown(rows: ir.Table, params: MetricParams) -> ir.Table:
    """Add the constant ``breakdown`` (``all``) to rows of a funnel without a breakdown."""
    return rows if params.breakdown else rows.mutate(breakdown=ibis.literal("all"))


LIGHT_MAX_ATTEMPTS = 4
"""Users with at most this many step-1 events in the range take the join path."""


def _light_attempts(
    attempts: ir.Table, tagged: ir.Table, n: int, window: ir.IntervalValue
) -> ir.Table:
    """Chain attempts step by step with equality-and-range joins (few attempts per user).

    ``attempts`` holds ``user_id, t1`` (and ``breakdown``). Step k is the earliest step-k event in
    ``[s(k−1), t1 + window]``: one left join on ``user_id`` and a ``MIN`` per step, grouped
    by the attempt's key only (the earlier steps follow from it). The join pairs each attempt
    with the user's step-k events, so the work is at most ``LIGHT_MAX_ATTEMPTS`` × the
    step's events.
    """
    key = [c for c in ("user_id", "breakdown", "t1") if c in attempts.columns]
    for k in range(2, n + 1):
        cur = tagged.filter(tagged.tag == k).select(user_id_k="user_id", ts_k="ts")
        prev = attempts.t1 if k == 2 else attempts[f"s{k - 1}"]
        j = attempts.left_join(
            cur,
            (attempts.user_id == cur.user_id_k)
            & (cur.ts_k >= prev)
            & (cur.ts_k <= attempts.t1 + window),
        )
        earlier = {f"s{i}": j[f"s{i}"].min() for i in range(2, k)}
        attempts = j.group_by(*key).agg(**earlier, **{f"s{k}": j.ts_k.min()})
    return attempts


def _heavy_attempts(tagged: ir.Table, n: int, window: ir.IntervalValue) -> ir.Table:
    """Chain the attempts of users with many step-1 events with window passes (linear).

    The look-ahead "earliest step-k event at or after this row" is a running minimum over the
    user's rows sorted by time descending (higher steps first on equal times, so "at or after"
    includes equal times). The greedy chain is monotone in time (a later start never reaches
    an earlier event), so the chain value of step k from a row is the minimum of the step-k
    chain values of the step-(tag+1) rows at or after it: pass m gives every row the chain
    value m+1 steps ahead, with no join; n−1 passes over the same sort in all.
    """
    later = ibis.window(
        group_by="user_id",
        order_by=[ibis.desc("ts"), ibis.desc("tag")],
        preceding=None,
        following=0,
    )
    # After pass 1, chain_k is the earliest step-k event at or after the row; it is the
    # chain value for rows of step k − 1 (and is null for rows of step k and later).
    tagged = tagged.mutate(
        **{
            f"chain_{k}": ibis.cases(
                (tagged.tag < k, ibis.cases((tagged.tag == k, tagged.ts)).min().over(later))
            )
            for k in range(2, n + 1)
        }
    )
    for depth in range(2, n):
        # Rows of step k − depth take chain_k from the nearest row of the next step.
        tagged = tagged.filter(tagged.tag <= n - depth + 1)
        updates = {}
        for k in range(depth + 1, n + 1):
            name = f"chain_{k}"
            carried = ibis.cases((tagged.tag == k - depth + 1, tagged[name])).min().over(later)
            updates[name] = ibis.cases((tagged.tag == k - depth, carried), else_=tagged[name])
        tagged = tagged.mutate(**updates)
    first = tagged.filter(tagged.tag == 1)
    deadline = first.ts + window
    cols: dict[str, ir.Value] = {"t1": first.ts}
    for k in range(2, n + 1):
        reached = first[f"chain_{k}"]
        cols[f"s{k}"] = ibis.cases((reached <= deadline, reached))
    return first.select(*[c for c in ("user_id", "breakdown") if c in first.columns], **cols)


def funnel_attempts(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return one row per attempt: ``user_id, t1, s2 … sn, breakdown`` (null when not reached).

    ``t1`` is the step-1 time (``s1``). Attempts with the same user, breakdown value and start
    time may be merged into one row (they reach the same steps).
    """
    return _with_breakdown(_attempts(events, params, cal), params)


def _attempts(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return the attempts of ``funnel_attempts``, without ``breakdown`` when there is none.

    Users with at most
    ``LIGHT_MAX_ATTEMPTS`` step-1 events in the range (and every user without re-entry) are
    chained with hash joins, the others with window passes; both give the greedy chain, and
    the total work stays linear in the events.
    """
    steps = params.steps
    n = len(steps)
    if n < 2:
        raise InvalidInputError.single(("steps",), "a funnel needs at least two steps")
    ev = in_range(events, cal)
    ev = ev.filter(ev.user_id.notnull() & ev.event.isin(sorted({s.event for s in steps})))
    # Only the columns the steps read: the tagged rows are kept once (below), and keeping
    # the others (properties above all) would read and copy them for every step event.
    needs_properties = bool(params.breakdown) or any(step.filters for step in steps)
    ev = ev.select("user_id", "timestamp", "event", *(["properties"] if needs_properties else []))
    # The tagged step events are read by every step below: Ibis makes them one CTE, which
    # PostgreSQL materialises by itself and DuckDB because the template's SQL says so
    # (``MATERIALIZED_KINDS`` in metrics.py), so the events are scanned once.
    tagged = _tagged(ev, params)
    window = ibis.interval(seconds=int(params.window.total_seconds()))
    first = tagged.filter(tagged.tag == 1)
    if not params.reentry:
        first = first.mutate(
            rn=ibis.row_number().over(ibis.window(group_by="user_id", order_by=["ts", "tag"]))
        )
        first = first.filter(first.rn == 0).drop("rn")
    starts = first.select(*[c for c in ("user_id", "breakdown") if c in first.columns], t1="ts")
    if not params.reentry:
        return _light_attempts(starts, tagged, n, window)
    counts = first.group_by("user_id").agg(n_first=first.count())
    light = counts.filter(counts.n_first <= LIGHT_MAX_ATTEMPTS).select(light_user="user_id")
    heavy = counts.filter(counts.n_first > LIGHT_MAX_ATTEMPTS).select(heavy_user="user_id")
    light_starts = starts.semi_join(light, starts.user_id == light.light_user)
    heavy_rows = tagged.semi_join(heavy, tagged.user_id == heavy.heavy_user)
    by_join = _light_attempts(light_starts, tagged, n, window)
    by_window = _heavy_attempts(heavy_rows, n, window)
    return ibis.union(by_join, by_window.select(*by_join.columns), distinct=False)


def funnel_users(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return per user and breakdown value: the furthest step and seconds to each step.

    ``secs_k`` is the shortest ``sk − s1`` over the user's attempts that reached step k. An
    attempt that reaches step k reaches every step before it, so the furthest step is the
    last k with a ``secs_k``.
    """
    att = _attempts(events, params, cal)
    n = len(params.steps)
    secs = {
        f"secs_{k}": (att[f"s{k}"].epoch_seconds() - att.t1.epoch_seconds()).cast("float64")
        for k in range(2, n + 1)
    }
    keys = [c for c in ("user_id", "breakdown") if c in att.columns]
    users = att.group_by(*keys).agg(**{name: value.min() for name, value in secs.items()})
    furthest: ir.IntegerValue = ibis.literal(1, type="int64")
    for k in range(2, n + 1):
        furthest = ibis.cases((users[f"secs_{k}"].notnull(), ibis.literal(k)), else_=furthest)
    users = _with_breakdown(users.mutate(furthest=furthest), params)
    return users.select("user_id", "breakdown", "furthest", *secs)


def funnel(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return one row per breakdown value: users reaching at least step k and time to convert.

    Columns: ``breakdown``, ``users_1 … users_n``, ``mean_secs_2 … mean_secs_n``,
    ``median_secs_2 … median_secs_n``.
    """
    users = funnel_users(events, params, cal)
    n = len(params.steps)
    aggs: dict[str, ir.Value] = {}
    for k in range(1, n + 1):
        aggs[f"users_{k}"] = ibis.cases((users.furthest >= k, 1), else_=0).sum()
    for k in range(2, n + 1):
        aggs[f"mean_secs_{k}"] = users[f"secs_{k}"].mean()
        aggs[f"median_secs_{k}"] = users[f"secs_{k}"].median()
    return users.group_by("breakdown").agg(**aggs).order_by("breakdown")
