"""Inputs derived from evidence: reach, demand, segment mix and request trend (pure).

The evidence of a feature is the feedback linked to it through highlights. One *request* is one
highlighted feedback item (an item highlighted twice for the same feature counts once).

* **reach**: the number of unique requesting customers. A customer is the item's company; an
  item without a company counts its person; an item with neither counts as one customer.
  ``people`` is the number of unique requesting people.
* **demand**: the sum of the annual recurring revenue (ARR) of the unique requesting companies;
  companies without an ARR add nothing and are counted in ``arr_unknown``.
* **segment mix**: unique requesting companies per segment (``unknown`` without one).
* **trend**: requests per 30-day window over the last ``months`` windows ending now (whole
  windows, so a month that has just begun does not look like a drop), each labelled by the date
  it ends, and the least-squares slope in requests per window. The trend is ``rising`` when the
  slope exceeds 10 % of the monthly mean, ``falling`` below −10 %, else ``flat``.
* **momentum**: the trend as a factor for scoring. ``recent`` counts the requests of the last
  three windows, ``earlier`` those of the three before; momentum = (recent + 1) / (earlier + 1)
  (add-one smoothing, so a first request does not make an infinite ratio), clipped to
  [0.25, 4]. Whether the change is more than chance is the exact conditional test of two Poisson
  rates (Przyborowski & Wilenski, 1940, *Biometrika* 31): given n = recent + earlier requests
  and equal rates, recent ~ Binomial(n, 1/2); ``p_value`` is its two-sided p-value
  (``scipy.stats.binomtest``), ``None`` without requests in the six windows.
* **customers**: the unique requesting companies with their name, segment, ARR and number of
  requests, largest ARR first: the drill-down behind demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import stats

TREND_MONTHS = 6
WINDOW_DAYS = 30
TREND_THRESHOLD = 0.10
MOMENTUM_WINDOWS = 3
MOMENTUM_RANGE = (0.25, 4.0)
MOMENTUM_TEST = "exact conditional binomial test of two Poisson rates (Przyborowski-Wilenski)"


@dataclass(frozen=True)
class Request:
    """One highlighted feedback item of a feature."""

    item_id: int
    occurred_at: datetime
    company_id: int | None = None
    person_id: int | None = None
    segment: str | None = None
    arr: float | None = None
    company: str | None = None


@dataclass(frozen=True)
class Customer:
    """One requesting company: the drill-down of demand."""

    company_id: int
    name: str
    segment: str | None
    arr: float | None
    requests: int


@dataclass(frozen=True)
class Evidence:
    """What the linked feedback says about a feature."""

    requests: int
    reach: int
    people: int
    companies: int
    demand: float
    arr_unknown: int
    segments: tuple[tuple[str, int], ...]
    months: tuple[str, ...]
    monthly: tuple[int, ...]
    slope: float
    trend: str
    recent: int = 0
    earlier: int = 0
    momentum: float = 1.0
    p_value: float | None = None
    customers: tuple[Customer, ...] = ()


def momentum_of(monthly: Sequence[int]) -> tuple[int, int, float, float | None]:
    """Return (recent, earlier, momentum, p-value) from the per-window request counts.

    Examples:
        >>> recent, earlier, m, p = momentum_of([1, 0, 1, 3, 4, 5])
        >>> recent, earlier, round(m, 3), round(p, 4)
        (12, 2, 4.0, 0.0129)
    """
    k = MOMENTUM_WINDOWS
    recent, earlier = int(sum(monthly[-k:])), int(sum(monthly[-2 * k : -k]))
    low, high = MOMENTUM_RANGE
    factor = min(high, max(low, (recent + 1) / (earlier + 1)))
    n = recent + earlier
    p = float(stats.binomtest(recent, n, 0.5).pvalue) if n else None
    return recent, earlier, factor, p


def summarize(
    requests: Iterable[Request], *, now: datetime, months: int = TREND_MONTHS
) -> Evidence:
    """Summarise a feature's requests into reach, demand, segment mix and trend.

    Examples:
        >>> from datetime import UTC
        >>> now = datetime(2026, 6, 15, tzinfo=UTC)
        >>> rs = [Request(1, now, company_id=1, person_id=1, arr=1000.0, segment="SMB"),
        ...       Request(2, now, company_id=1, person_id=2, arr=1000.0, segment="SMB"),
        ...       Request(3, now, person_id=3)]
        >>> e = summarize(rs, now=now)
        >>> e.reach, e.people, e.demand, e.segments
        (2, 3, 1000.0, (('SMB', 1),))
    """
    unique: dict[int, Request] = {}
    for r in requests:
        unique.setdefault(r.item_id, r)
    rows = list(unique.values())
    customers: set[tuple[str, int]] = set()
    people: set[int] = set()
    companies: dict[int, Request] = {}
    for r in rows:
        if r.company_id is not None:
            customers.add(("company", r.company_id))
            companies.setdefault(r.company_id, r)
        elif r.person_id is not None:
            customers.add(("person", r.person_id))
        else:
            customers.add(("item", r.item_id))
        if r.person_id is not None:
            people.add(r.person_id)
    demand = sum(c.arr for c in companies.values() if c.arr is not None)
    unknown_arr = sum(1 for c in companies.values() if c.arr is None)
    mix: dict[str, int] = {}
    for c in companies.values():
        key = c.segment or "unknown"
        mix[key] = mix.get(key, 0) + 1
    segments = tuple(sorted(mix.items(), key=lambda kv: (-kv[1], kv[0])))
    labels, counts = _monthly(rows, now, months)
    per_company: dict[int, int] = {}
    for r in rows:
        if r.company_id is not None:
            per_company[r.company_id] = per_company.get(r.company_id, 0) + 1
    requesters = tuple(
        sorted(
            (
                Customer(cid, c.company or f"company {cid}", c.segment, c.arr, per_company[cid])
                for cid, c in companies.items()
            ),
            key=lambda c: (-(c.arr or 0.0), c.name, c.company_id),
        )
    )
    recent, earlier, momentum, p_value = momentum_of(counts)
    slope = _slope(counts)
    mean = sum(counts) / len(counts) if counts else 0.0
    trend = "flat"
    if mean > 0 and slope > TREND_THRESHOLD * mean:
        trend = "rising"
    elif mean > 0 and slope < -TREND_THRESHOLD * mean:
        trend = "falling"
    return Evidence(
        requests=len(rows),
        reach=len(customers),
        people=len(people),
        companies=len(companies),
        demand=float(demand),
        arr_unknown=unknown_arr,
        segments=segments,
        months=labels,
        monthly=counts,
        slope=slope,
        trend=trend,
        recent=recent,
        earlier=earlier,
        momentum=momentum,
        p_value=p_value,
        customers=requesters,
    )


def _monthly(
    rows: Sequence[Request], now: datetime, months: int
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Counts per 30-day window, oldest first; window k covers (now - 30(k+1), now - 30k] days."""
    counts = [0] * months
    for r in rows:
        age = (now - r.occurred_at).total_seconds() / 86400.0
        back = int(age // WINDOW_DAYS) if age >= 0 else 0
        if back < months:
            counts[months - 1 - back] += 1
    labels = tuple(
        (now - timedelta(days=WINDOW_DAYS * back)).date().isoformat()
        for back in range(months - 1, -1, -1)
    )
    return labels, tuple(counts)


def _slope(counts: Sequence[int]) -> float:
    """Least-squares slope of counts against month index (0 for fewer than two months)."""
    if len(counts) < 2:
        return 0.0
    x = np.arange(len(counts), dtype=np.float64)
    y = np.asarray(counts, dtype=np.float64)
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())
