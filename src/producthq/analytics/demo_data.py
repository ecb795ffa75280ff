"""The demo workspace's product events: six months of a SaaS product with a story.

About 5,000 users sign up over the 182 days that end today (sign-ups grow). The story the
charts show:

- **Guided onboarding launches on day 90.** Before it about 25 % of sign-ups create a project
  within a week (the activation step); after it about 45 % do. Activated users stay longer.
- **A buggy release on days 120–140.** Everyone is less active in those three weeks and users
  who sign up then churn sooner, so those weekly cohorts retain visibly worse.

Events carry ``plan`` and ``platform`` properties (for breakdowns) and an account id
(``group_id``); about one user in five subscribes, some upgrade, downgrade or cancel, with the
customer's MRR after each subscription event in ``mrr``. Seeded, so the same day gives the same
events. Registered as a demo step that runs after strategy's (so it can refresh the key results
bound to metrics); a workspace that already has events is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlalchemy.orm import Session

from producthq.accounts.models import User, Workspace
from producthq.accounts.roles import Role
from producthq.analytics import rollup, segment_service, service
from producthq.analytics.store import count_events, open_store
from producthq.audit.service import Actor
from producthq.demo.builder import DEMO_STEPS
from producthq.settings import Settings
from producthq.strategy import demo_data as _strategy_demo  # noqa: F401 - its step runs first

DAYS = 182
USERS = 5000
LAUNCH_DAY = 90
DIP = (120, 140)
SEED = 2026
PLATFORMS = ("web", "ios", "android")
PLANS = (("team", 99.0), ("business", 299.0))
ACTIVITY = ("pageview", "report_viewed", "feature_used", "invite_sent", "dashboard_shared")
_WEIGHTS = np.array([0.5, 0.22, 0.18, 0.06, 0.04])


def demo_events(end: date, *, users: int = USERS, seed: int = SEED) -> pa.Table:
    """Return the demo's events for the ``DAYS`` days ending on ``end`` as an Arrow table."""
    rng = np.random.default_rng(seed)
    start = datetime.combine(end - timedelta(days=DAYS - 1), datetime.min.time())
    # Sign-ups grow linearly from 1x to 3x per day over the period (inverse CDF of a ramp).
    u = rng.random(users)
    signup_day = np.minimum(((np.sqrt(1 + 8 * u) - 1) / 2 * DAYS).astype(np.int64), DAYS - 1)
    signup_sec = signup_day * 86400 + rng.integers(7 * 3600, 21 * 3600, users)
    p_activate = np.where(signup_day >= LAUNCH_DAY, 0.45, 0.25)
    activated = rng.random(users) < p_activate
    activate_sec = signup_sec + rng.integers(600, 6 * 86400, users)
    in_dip = (signup_day >= DIP[0] - 7) & (signup_day <= DIP[1])
    mean_life = np.where(activated, 150.0, 14.0) * np.where(in_dip, 0.2, 1.0)
    lifetime = rng.geometric(1 / mean_life)
    p_daily = np.minimum(0.85, 0.15 * (1 + rng.pareto(1.8, users))) * np.where(activated, 1.6, 0.7)
    p_daily = np.minimum(p_daily, 0.9)
    platform = rng.choice(len(PLATFORMS), users, p=[0.6, 0.25, 0.15])

    # Candidate user-days after sign-up, each active with the user's probability (less in the dip).
    span = np.clip(np.minimum(lifetime, DAYS - signup_day - 1), 0, None)
    cand_user = np.repeat(np.arange(users), span)
    offsets = np.arange(int(span.sum())) - np.repeat(np.cumsum(span) - span, span)
    cand_day = np.repeat(signup_day, span) + 1 + offsets
    dip = (cand_day >= DIP[0]) & (cand_day <= DIP[1])
    keep = rng.random(len(cand_day)) < p_daily[cand_user] * np.where(dip, 0.45, 1.0)
    day_user, day = cand_user[keep], cand_day[keep]
    per_day = 1 + rng.poisson(1.5, len(day))
    ev_user = np.repeat(day_user, per_day)
    ev_sec = np.repeat(day * 86400 + rng.integers(7 * 3600, 20 * 3600, len(day)), per_day)
    ev_sec = ev_sec + rng.integers(0, 3000, len(ev_sec))
    ev_name = np.array(ACTIVITY, dtype=object)[rng.choice(len(ACTIVITY), len(ev_user), p=_WEIGHTS)]

    subs = _subscriptions(rng, users, signup_sec, activated, lifetime)
    parts_user = [np.arange(users), np.flatnonzero(activated), ev_user, subs[0]]
    parts_sec = [signup_sec, activate_sec[activated], ev_sec, subs[1]]
    parts_name = [
        np.full(users, "signup", dtype=object),
        np.full(int(activated.sum()), "project_created", dtype=object),
        ev_name,
        subs[2],
    ]
    user = np.concatenate(parts_user)
    sec = np.concatenate(parts_sec)
    name = np.concatenate(parts_name)
    mrr: list[float | None] = [None] * (len(user) - len(subs[3])) + list(subs[3])
    inside = sec < DAYS * 86400
    order = np.lexsort((sec, user))
    order = order[inside[order]]
    return _table(start, user[order], sec[order], name[order], [mrr[i] for i in order], platform)


def _subscriptions(
    rng: np.random.Generator,
    users: int,
    signup_sec: np.ndarray[Any, Any],
    activated: np.ndarray[Any, Any],
    lifetime: np.ndarray[Any, Any],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], list[float]]:
    payer = np.flatnonzero(rng.random(users) < np.where(activated, 0.35, 0.05))
    plan = rng.choice(len(PLANS), len(payer), p=[0.75, 0.25])
    seats = 1 + rng.poisson(2.0, len(payer))
    mrr0 = np.array([p for _, p in PLANS])[plan] * seats
    start = signup_sec[payer] + rng.integers(2, 25, len(payer)) * 86400
    change = rng.random(len(payer)) < 0.3
    change_at = start + rng.integers(15, 90, len(payer)) * 86400
    mrr1 = np.round(mrr0 * np.where(rng.random(len(payer)) < 0.7, 1.5, 0.6), 2)
    cancel = rng.random(len(payer)) < 0.35
    cancel_at = np.maximum(start + lifetime[payer] * 86400, change_at + 86400)
    users_out = np.concatenate([payer, payer[change], payer[cancel]])
    secs = np.concatenate([start, change_at[change], cancel_at[cancel]])
    names = np.concatenate(
        [
            np.full(len(payer), "subscription_started", dtype=object),
            np.full(int(change.sum()), "subscription_changed", dtype=object),
            np.full(int(cancel.sum()), "subscription_cancelled", dtype=object),
        ]
    )
    values = [float(v) for v in np.concatenate([mrr0, mrr1[change], np.zeros(int(cancel.sum()))])]
    return users_out, secs, names, values


def _table(
    start: datetime,
    user: np.ndarray[Any, Any],
    sec: np.ndarray[Any, Any],
    name: np.ndarray[Any, Any],
    mrr: list[float | None],
    platform: np.ndarray[Any, Any],
) -> pa.Table:
    base_us = int(start.replace(tzinfo=UTC).timestamp() * 1_000_000)
    plans = np.where(
        np.isin(np.arange(platform.size), np.unique(user[name == "subscription_started"])),
        "paid",
        "free",
    )
    props = [
        json.dumps(
            {
                "platform": PLATFORMS[platform[u]],
                "plan": plans[u],
                **({"mrr": m} if m is not None else {}),
            },
            separators=(",", ":"),
        )
        for u, m in zip(user.tolist(), mrr, strict=True)
    ]
    ts = pa.array(base_us + sec.astype(np.int64) * 1_000_000, pa.timestamp("us"))
    return pa.table(
        {
            "event": pa.array(name.tolist(), pa.string()),
            "user_id": pa.array([f"user-{u:05d}" for u in user.tolist()], pa.string()),
            "group_id": pa.array([f"acct-{u // 4:04d}" for u in user.tolist()], pa.string()),
            "timestamp": ts,
            "message_id": pa.array([f"demo-{i}" for i in range(len(user))], pa.string()),
            "properties": pa.array(props, pa.string()),
        }
    )


def load_demo_events(settings: Settings, *, workspace_id: int, end: date) -> int:
    """Write the demo's events into the store unless the workspace has events; return the count."""
    with open_store(settings) as con:
        if count_events(con, workspace_id):
            return 0
        batch = demo_events(end)  # noqa: F841 - DuckDB reads the local by name
        con.execute(
            "INSERT INTO events BY NAME SELECT ?::INTEGER AS workspace_id, event, user_id, "
            'group_id, "timestamp", message_id, properties::JSON AS properties, '
            "now()::TIMESTAMP AS received_at FROM batch",
            [workspace_id],
        )
        _add_demo_traits(con, workspace_id)
        rollup.refresh(con)
        return count_events(con, workspace_id)


ROLES = ("admin", "analyst", "viewer")
INDUSTRIES = ("software", "retail", "finance", "healthcare", "education")


def _add_demo_traits(con: duckdb.DuckDBPyConnection, workspace_id: int) -> None:
    """One identify call per user at sign-up and one group call per account.

    Users get their current plan (paid once they subscribed), platform and a role; accounts an
    industry. Segments and ``user.``/``account.`` breakdowns in the demo use them.
    """
    con.execute(
        'INSERT INTO user_traits BY NAME SELECT workspace_id, user_id, min("timestamp") AS '
        "\"timestamp\", 'demo-identify-' || user_id AS message_id, json_object("
        "'plan', CASE WHEN bool_or(event = 'subscription_started') THEN 'paid' ELSE 'free' END, "
        "'platform', min(properties->>'platform'), "
        "'role', list_extract(?::VARCHAR[], (hash(user_id) % ?)::INTEGER + 1)) AS traits "
        "FROM events WHERE workspace_id = ? AND user_id IS NOT NULL "
        "GROUP BY workspace_id, user_id",
        [list(ROLES), len(ROLES), workspace_id],
    )
    con.execute(
        "INSERT INTO group_traits BY NAME SELECT workspace_id, group_id, min(user_id) AS user_id, "
        'min("timestamp") AS "timestamp", \'demo-group-\' || group_id AS message_id, '
        "json_object('industry', list_extract(?::VARCHAR[], (hash(group_id) % ?)::INTEGER + 1), "
        "'users', count(DISTINCT user_id)) AS traits "
        "FROM events WHERE workspace_id = ? AND group_id IS NOT NULL "
        "GROUP BY workspace_id, group_id",
        [list(INDUSTRIES), len(INDUSTRIES), workspace_id],
    )


DEMO_SEGMENTS = (
    (
        "Paying admins",
        "Admins of paying users: who decides on renewals.",
        {
            "match": "all",
            "conditions": [
                {"type": "user", "key": "plan", "op": "eq", "value": "paid"},
                {"type": "user", "key": "role", "op": "eq", "value": "admin"},
            ],
        },
    ),
    (
        "Power users (30 days)",
        "Used a feature at least 10 times in the last 30 days.",
        {
            "conditions": [
                {
                    "type": "behaviour",
                    "event": "feature_used",
                    "op": "at_least",
                    "count": 10,
                    "days": 30,
                }
            ]
        },
    ),
)


def _add_demo_segments(session: Session, workspace: Workspace, owner: User) -> None:
    if segment_service.list_segments(session, workspace_id=workspace.id):
        return
    actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, Role.owner.value)
    for name, description, definition in DEMO_SEGMENTS:
        segment_service.create_segment(
            session, actor=actor, name=name, definition=definition, description=description
        )


def add_analytics_demo(
    session: Session, workspace: Workspace, owner: User, progress: Callable[[str], None]
) -> None:
    """Demo step: six months of events, then refresh the key results bound to metrics."""
    settings: Settings | None = session.info.get("settings")
    if settings is None:
        progress("analytics: no settings given to the demo; events skipped")
        return
    yesterday = datetime.now(tz=UTC).date() - timedelta(days=1)
    added = load_demo_events(settings, workspace_id=workspace.id, end=yesterday)
    if added:
        progress(f"analytics: {added} events for {USERS} users over {DAYS} days")
    _add_demo_segments(session, workspace, owner)
    report = service.refresh_key_results(session, settings=settings, workspace_id=workspace.id)
    progress(f"analytics: refreshed {len(report.updated)} key result(s) from metrics")


if not any(name == "analytics" for name, _ in DEMO_STEPS):
    DEMO_STEPS.append(("analytics", add_analytics_demo))
