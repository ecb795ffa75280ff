"""A seeded generator of realistic SaaS product events, for demos, tests and benchmarks.

The events follow the canonical schema (``events.py``) and exercise every metric of
``METRICS.md``: sign-ups grow exponentially over the period; engagement is power-law (a few
users are active most days, most users rarely); users churn after a geometric lifetime and some
resurrect after a gap; a share of users subscribe (``subscription_started``), upgrade or
downgrade (``subscription_changed``) and cancel (``subscription_cancelled``), each event carrying
the customer's MRR after it in the ``mrr`` property. Everything is vectorised with numpy and
written in chunks of users, so tens of millions of events fit in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ACTIVITY_EVENTS = ("pageview", "feature_used", "report_viewed", "project_created", "invite_sent")
_ACTIVITY_WEIGHTS = np.array([0.55, 0.2, 0.15, 0.06, 0.04])
PLANS = (("starter", 29.0), ("team", 99.0), ("business", 299.0))
SCHEMA = pa.schema(
    [
        ("event", pa.string()),
        ("user_id", pa.string()),
        ("anonymous_id", pa.string()),
        ("group_id", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("message_id", pa.string()),
        ("properties", pa.string()),
    ]
)


@dataclass(frozen=True)
class GeneratorConfig:
    """Shape of the generated company.

    Attributes:
        events: approximate number of events wanted.
        start: first day.
        days: number of days.
        growth: yearly growth factor of daily sign-ups.
        seed: the random seed; equal seeds give equal events.
        chunk_users: users generated per chunk.
    """

    events: int = 1_000_000
    start: date = date(2024, 1, 1)
    days: int = 365
    growth: float = 4.0
    seed: int = 7
    chunk_users: int = 50_000


_MEAN_EVENTS_PER_USER = 20.0
"""Calibrated mean events per user, used to size the user base for the wanted event count."""


def _users_for(config: GeneratorConfig) -> int:
    return max(10, int(config.events / _MEAN_EVENTS_PER_USER))


def _signup_days(
    rng: np.random.Generator, n: int, config: GeneratorConfig
) -> npt.NDArray[np.int64]:
    # Inverse CDF of a density ∝ exp(g·d) on [0, days): exponential growth of daily sign-ups.
    g = np.log(config.growth) / 365.0
    u = rng.random(n)
    d = np.log1p(u * np.expm1(g * config.days)) / g
    days: npt.NDArray[np.int64] = np.minimum(d.astype(np.int64), config.days - 1)
    return days


def _chunk(rng: np.random.Generator, first_user: int, n: int, config: GeneratorConfig) -> pa.Table:
    base = datetime.combine(config.start, datetime.min.time(), tzinfo=UTC)
    base_us = int(base.timestamp() * 1_000_000)
    signup = _signup_days(rng, n, config)
    # Power-law engagement: daily activity probability from a Pareto tail, capped.
    p_active = np.minimum(0.9, 0.04 * (1 + rng.pareto(1.6, n)))
    lifetime = rng.geometric(1 / 90.0, n)
    resurrect = rng.random(n) < 0.25
    gap = rng.geometric(1 / 45.0, n)
    life2 = rng.geometric(1 / 60.0, n)
    seg_start = np.concatenate([signup, signup + lifetime + gap])
    seg_len = np.concatenate([lifetime, np.where(resurrect, life2, 0)])
    seg_user = np.concatenate([np.arange(n), np.arange(n)])
    seg_p = np.concatenate([p_active, p_active])
    seg_len = np.clip(np.minimum(seg_len, config.days - seg_start), 0, None)
    k = rng.binomial(seg_len, seg_p)
    day_user = np.repeat(seg_user, k)
    day = np.repeat(seg_start, k) + (rng.random(k.sum()) * np.repeat(seg_len, k)).astype(np.int64)
    per_day = 1 + rng.poisson(1.5 * np.repeat(seg_p, k) / 0.04 * 0.25)
    ev_user = np.repeat(day_user, per_day)
    session_start = rng.integers(6 * 3600, 22 * 3600, len(day))
    ev_secs = np.repeat(day * 86400 + session_start, per_day) + rng.integers(
        0, 3600, int(per_day.sum())
    )
    ev_name = rng.choice(len(ACTIVITY_EVENTS), size=len(ev_user), p=_ACTIVITY_WEIGHTS)
    names = np.array(ACTIVITY_EVENTS, dtype=object)[ev_name]

    signup_secs = signup * 86400 + rng.integers(6 * 3600, 22 * 3600, n)
    subs_users, subs_names, subs_secs, subs_mrr = _subscriptions(
        rng, n, signup_secs, lifetime, config
    )

    users = np.concatenate([np.arange(n), ev_user, subs_users])
    secs = np.concatenate([signup_secs, ev_secs, subs_secs])
    events = np.concatenate([np.full(n, "signup", dtype=object), names, subs_names])
    props = np.full(len(users), None, dtype=object)
    props[len(users) - len(subs_users) :] = [json.dumps({"mrr": m}) for m in subs_mrr]
    order = np.lexsort((secs, users))
    users, secs, events, props = users[order], secs[order], events[order], props[order]
    keep = secs < config.days * 86400
    users, secs, events, props = users[keep], secs[keep], events[keep], props[keep]
    ts_us = base_us + secs.astype(np.int64) * 1_000_000
    user_ids = pc.binary_join_element_wise(
        "u", pc.cast(pa.array(users + first_user, pa.int64()), pa.string()), ""
    )
    groups = pc.binary_join_element_wise(
        "c", pc.cast(pa.array((users + first_user) // 5, pa.int64()), pa.string()), ""
    )
    idx = np.arange(len(users), dtype=np.int64) + first_user * 1000
    message_ids = pc.binary_join_element_wise("m", pc.cast(pa.array(idx), pa.string()), "")
    return pa.table(
        {
            "event": pa.array(events, pa.string()),
            "user_id": user_ids,
            "anonymous_id": pa.nulls(len(users), pa.string()),
            "group_id": groups,
            "timestamp": pa.array(ts_us, pa.timestamp("us")),
            "message_id": message_ids,
            "properties": pa.array(props, pa.string()),
        },
        schema=SCHEMA,
    )


def _subscriptions(
    rng: np.random.Generator,
    n: int,
    signup_secs: npt.NDArray[np.int64],
    lifetime: npt.NDArray[np.int64],
    config: GeneratorConfig,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_], npt.NDArray[np.int64], list[float]]:
    payer = np.flatnonzero(rng.random(n) < 0.2)
    plan = rng.choice(len(PLANS), size=len(payer), p=[0.6, 0.3, 0.1])
    seats = 1 + rng.poisson(2.0, len(payer))
    start = signup_secs[payer] + rng.integers(1, 30, len(payer)) * 86400
    prices = np.array([p for _, p in PLANS])
    mrr0 = prices[plan] * seats
    change = rng.random(len(payer)) < 0.35
    change_at = start + rng.integers(20, 200, len(payer)) * 86400
    factor = np.where(rng.random(len(payer)) < 0.7, 1.5, 0.6)
    mrr1 = np.round(mrr0 * factor, 2)
    cancel = rng.random(len(payer)) < 0.5
    cancel_at = start + (lifetime[payer] + rng.integers(0, 120, len(payer))) * 86400
    cancel_at = np.where(change, np.maximum(cancel_at, change_at + 86400), cancel_at)
    restart = cancel & (rng.random(len(payer)) < 0.2)
    restart_at = cancel_at + rng.integers(30, 120, len(payer)) * 86400

    parts_u = [payer, payer[change], payer[cancel], payer[restart]]
    parts_n = [
        np.full(len(payer), "subscription_started", dtype=object),
        np.full(int(change.sum()), "subscription_changed", dtype=object),
        np.full(int(cancel.sum()), "subscription_cancelled", dtype=object),
        np.full(int(restart.sum()), "subscription_started", dtype=object),
    ]
    parts_s = [start, change_at[change], cancel_at[cancel], restart_at[restart]]
    parts_m = [mrr0, mrr1[change], np.zeros(int(cancel.sum())), mrr0[restart]]
    return (
        np.concatenate(parts_u),
        np.concatenate(parts_n),
        np.concatenate(parts_s),
        [float(m) for m in np.concatenate(parts_m)],
    )


def generate_batches(config: GeneratorConfig) -> Iterator[pa.Table]:
    """Yield the events chunk by chunk as Arrow tables with the canonical columns.

    ``properties`` is JSON text; ``timestamp`` is UTC without a zone.
    """
    total = _users_for(config)
    seq = np.random.SeedSequence(config.seed)
    for i, first in enumerate(range(0, total, config.chunk_users)):
        rng = np.random.default_rng(seq.spawn(i + 1)[-1])
        yield _chunk(rng, first, min(config.chunk_users, total - first), config)


def generate_events(config: GeneratorConfig | None = None) -> pa.Table:
    """Return all generated events as one Arrow table.

    Examples:
        >>> t = generate_events(GeneratorConfig(events=2_000, days=60, seed=1))
        >>> t.column_names[:3]
        ['event', 'user_id', 'anonymous_id']
    """
    return pa.concat_tables(list(generate_batches(config or GeneratorConfig())))


def write_parquet(path: str | Path, config: GeneratorConfig | None = None) -> int:
    """Write generated events to a Parquet file chunk by chunk; return the number of rows."""
    rows = 0
    with pq.ParquetWriter(str(path), SCHEMA, compression="zstd") as writer:
        for batch in generate_batches(config or GeneratorConfig()):
            writer.write_table(batch)
            rows += batch.num_rows
    return rows
