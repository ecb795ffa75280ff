"""MRR movements from subscription events, with month-end snapshots.

Definitions from ``METRICS.md`` (the usual SaaS metrics convention, as in ChartMogul and
Baremetrics): MRR_c(t) is the ``mrr`` property of customer c's latest subscription event at or
before t; each month compares the snapshots at the end of the previous month and of this month
and books the difference as new, reactivation, expansion, contraction or churned.

Money is summed in integer cents so that ending = starting + new + expansion + reactivation −
contraction − churned holds exactly on every engine.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import property_number
from producthq.analytics.metrics_activity import in_range
from producthq.analytics.params import MetricParams
from producthq.analytics.periods import Calendar, spine

MOVEMENTS = ("new", "expansion", "contraction", "churned", "reactivation")


def month_end_mrr(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return ``(customer, p, cur, prev, had_before)``: MRR cents at the end of month p.

    One row per customer and month with at least one subscription event; ``prev`` is the
    snapshot at the end of the previous month, ``had_before`` whether any earlier month-end
    snapshot was positive.
    """
    ev = in_range(events, cal, from_start=False)
    ev = ev.filter(ev.event.isin(params.subscription_events))
    customer = ev[params.customer]
    mrr = property_number(ev.properties, "mrr")
    mrr = ibis.cases((ev.event.isin(params.cancel_events), mrr.fill_null(0.0)), else_=mrr)
    ev = ev.select(
        customer=customer,
        p=cal.period_of(ev.timestamp, "month"),
        ts=ev.timestamp,
        message_id=ev.message_id,
        cents=(mrr * 100).round().cast("int64"),
    )
    ev = ev.filter(ev.customer.notnull() & ev.cents.notnull())
    latest = ibis.row_number().over(
        ibis.window(
            group_by=["customer", "p"],
            order_by=[ibis.desc("ts"), ibis.desc("message_id")],
        )
    )
    ev = ev.mutate(rn=latest)
    snap = ev.filter(ev.rn == 0).select("customer", "p", cur="cents")
    by_customer = ibis.window(group_by="customer", order_by="p")
    so_far = ibis.window(group_by="customer", order_by="p", preceding=None, following=0)
    snap = snap.mutate(peak=snap.cur.max().over(so_far))
    return snap.select(
        "customer",
        "p",
        "cur",
        prev=snap.cur.lag().over(by_customer).fill_null(0),
        had_before=(snap.peak.lag().over(by_customer).fill_null(0) > 0),
    )


def mrr_movements(events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return per month of the range: starting/ending MRR, each movement, customer counts.

    Amounts are integer cents; ``paying_start``/``paying_end`` count customers with MRR > 0.
    """
    s = month_end_mrr(events, params, cal)
    cur, prev = s.cur, s.prev
    zero = ibis.literal(0, type="int64")
    one = ibis.literal(1, type="int64")
    conds = {
        "new": (prev == 0) & (cur > 0) & ~s.had_before,
        "reactivation": (prev == 0) & (cur > 0) & s.had_before,
        "expansion": (prev > 0) & (cur > prev),
        "contraction": (prev > 0) & (cur > 0) & (cur < prev),
        "churned": (prev > 0) & (cur == 0),
    }
    amounts = {
        "new": cur,
        "reactivation": cur,
        "expansion": cur - prev,
        "contraction": prev - cur,
        "churned": prev,
    }
    first = cal.first("month")
    cols: dict[str, ir.Value] = {"p": ibis.greatest(s.p, first - 1)}
    for name in MOVEMENTS:
        cols[f"{name}_mrr"] = ibis.cases((conds[name], amounts[name]), else_=zero)
        cols[f"{name}_customers"] = ibis.cases((conds[name], one), else_=zero)
    paying_delta = ibis.cases((cur > 0, one), else_=zero) - ibis.cases((prev > 0, one), else_=zero)
    cols["net"] = cur - prev
    cols["paying_delta"] = paying_delta
    rows = s.select(**cols)
    per_p = rows.group_by("p").agg(**{c: rows[c].sum() for c in rows.columns if c != "p"})
    ps = spine(first - 1, cal.last("month"), label="months")
    j = ps.left_join(per_p, ps.p == per_p.p)
    filled = j.select(p=ps.p, **{c: j[c].coalesce(0) for c in per_p.columns if c != "p"})
    running = ibis.window(order_by="p", preceding=None, following=0)
    ending = filled.net.sum().over(running)
    paying_end = filled.paying_delta.sum().over(running)
    out = filled.mutate(ending_mrr=ending, paying_end=paying_end)
    out = out.mutate(
        starting_mrr=out.ending_mrr - out.net, paying_start=out.paying_end - out.paying_delta
    )
    keep = ["p", "starting_mrr"]
    keep += [f"{m}_mrr" for m in ("new", "expansion", "contraction", "churned", "reactivation")]
    keep += ["ending_mrr"]
    keep += [f"{m}_customers" for m in ("new", "expansion", "contraction", "churned")]
    keep += ["reactivation_customers", "paying_start", "paying_end"]
    return out.filter(out.p >= first).select(*keep).order_by("p")
