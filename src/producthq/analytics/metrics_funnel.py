"""Ordered funnels with a conversion window and re-entry.

Definition from ``METRICS.md`` (PostHog's ordered funnel): a user enters with a step-1 event in
the range and reaches step k when there are events s1 ≤ s2 ≤ … ≤ sk (equal timestamps allowed,
lower step first) with sk − s1 ≤ window, inclusive. Every step-1 event starts an attempt; a user
counts once, at the furthest step any attempt reached.

Method: for an attempt starting at t1, taking at each step the earliest qualifying event at or
after the previous step's event is optimal (any chain can be shifted onto the greedy one without
leaving the window). "Earliest S(k) at or after time x" is computed once per S(k−1) event with a
running minimum over the user's S(k−1) and S(k) events sorted by time descending (S(k) first on
ties), and attempts follow the chain through equality joins on ``(user_id, time)``: linear work
per step instead of a range self-join.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import property_text
from producthq.analytics.metrics_activity import in_range
from producthq.analytics.params import MetricParams, Step
from producthq.analytics.periods import Calendar
from producthq.errors import InvalidInputError


def _step_events(ev: ir.Table, step: Step) -> ir.Table:
    cond = ev.event == step.event
    for key, value in step.filters:
        cond = cond & (property_text(ev.properties, key) == value)
    return ev.filter(cond)


def funnel_attempts(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return one row per attempt: ``user_id, breakdown, t1, s2 … sn`` (null when not reached)."""
    steps = params.steps
    if len(steps) < 2:
        raise InvalidInputError.single(("steps",), "a funnel needs at least two steps")
    ev = in_range(events, cal)
    ev = ev.filter(ev.user_id.notnull() & ev.event.isin(sorted({s.event for s in steps})))
    first = _step_events(ev, steps[0])
    breakdown = (
        property_text(first.properties, params.breakdown).fill_null("(none)")
        if params.breakdown
        else ibis.literal("all")
    )
    attempts = first.select("user_id", breakdown=breakdown, t1=first.timestamp)
    if not params.reentry:
        attempts = attempts.mutate(
            rn=ibis.row_number().over(ibis.window(group_by="user_id", order_by="t1"))
        )
        attempts = attempts.filter(attempts.rn == 0).drop("rn")
    deadline = attempts.t1 + ibis.interval(seconds=int(params.window.total_seconds()))
    attempts = attempts.mutate(deadline=deadline, s1=attempts.t1)
    prev_events = first.select("user_id", ts=first.timestamp)
    for k in range(2, len(steps) + 1):
        cur = _step_events(ev, steps[k - 1]).select("user_id", ts="timestamp")
        both = ibis.union(
            prev_events.mutate(tag=ibis.literal(0)),
            cur.mutate(tag=ibis.literal(1)),
            distinct=False,
        )
        nxt = (
            ibis.cases((both.tag == 1, both.ts))
            .min()
            .over(
                ibis.window(
                    group_by="user_id",
                    order_by=[ibis.desc("ts"), ibis.desc("tag")],
                    preceding=None,
                    following=0,
                )
            )
        )
        both = both.mutate(nxt=nxt)
        lookup = both.filter(both.tag == 0).select("user_id", x="ts", nxt="nxt").distinct().view()
        prev_col = f"s{k - 1}"
        j = attempts.left_join(
            lookup, (attempts.user_id == lookup.user_id) & (attempts[prev_col] == lookup.x)
        )
        reached = ibis.cases((j.nxt <= j.deadline, j.nxt))
        attempts = j.select(*attempts.columns, **{f"s{k}": reached}).view()
        prev_events = cur
    return attempts


def funnel_users(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return per user and breakdown value: the furthest step and seconds to each step.

    ``secs_k`` is the shortest ``sk − s1`` over the user's attempts that reached step k.
    """
    att = funnel_attempts(events, params, cal)
    n = len(params.steps)
    furthest: ir.IntegerValue = ibis.literal(1)
    for k in range(2, n + 1):
        furthest = ibis.cases((att[f"s{k}"].notnull(), ibis.literal(k)), else_=furthest)
    secs = {
        f"secs_{k}": (att[f"s{k}"].epoch_seconds() - att.t1.epoch_seconds()).cast("float64")
        for k in range(2, n + 1)
    }
    att = att.mutate(furthest=furthest, **secs)
    aggs = {"furthest": att.furthest.max()}
    aggs.update({name: att[name].min() for name in secs})
    return att.group_by("user_id", "breakdown").agg(**aggs)


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
