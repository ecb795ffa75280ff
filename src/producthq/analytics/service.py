"""Use cases of the analytics area: write keys, capture, insights and key-result refresh.

The only module that joins the metric layer (pure Ibis expressions) to the engines: it opens
the events store (``store.py``), binds a workspace's events and runs a metric on them.
"""

import csv
import io
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.accounts.passwords import hash_token, new_token
from producthq.analytics import rollup
from producthq.analytics.capture import CaptureRecord
from producthq.analytics.charts import insight_chart
from producthq.analytics.metrics import MetricResult, get_runner, resolve_calendar, run_metric
from producthq.analytics.models import SavedInsight, WriteKey
from producthq.analytics.query import (
    MAX_BREAKDOWN_VALUES,
    NONE_VALUE,
    EventFilter,
    InsightQuery,
    PreparedQuery,
    breakdown_values,
    filtered,
    metric_params,
    parse_query_string,
    without_value,
)
from producthq.analytics.segment_service import (
    query_segment,
    query_segment_id,
    resolve_segment,
    safe_cell,
)
from producthq.analytics.segments import (
    PropertyCondition,
    SegmentGroup,
    SegmentSources,
    apply_segment,
    property_values,
    segment_accounts,
    segment_users,
)
from producthq.analytics.spool import Spool, spool_path
from producthq.analytics.store import (
    count_events,
    loaded_seq,
    open_events,
    open_sources,
    open_store,
    warehouse_mode,
)
from producthq.audit.service import Actor, record, revoke
from producthq.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
)
from producthq.settings import Settings

WRITE_KEY_PREFIX = "phqw"
_KEY_CACHE_SECONDS = 10.0


# --- write keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewWriteKey:
    """A write key record and its secret (shown once)."""

    key: WriteKey
    secret: str


def create_write_key(session: Session, *, actor: Actor, name: str) -> NewWriteKey:
    """Create a capture write key for the actor's workspace."""
    secret = new_token(WRITE_KEY_PREFIX)
    key = WriteKey(
        workspace_id=actor.workspace_id,
        name=name.strip()[:200] or "write key",
        prefix=secret[: len(WRITE_KEY_PREFIX) + 9],
        key_hash=hash_token(secret),
        created_by_id=actor.user_id,
    )
    session.add(key)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="write_key",
        object_id=key.id,
        summary=f"created write key {key.name!r}",
    )
    return NewWriteKey(key, secret)


def list_write_keys(session: Session, *, workspace_id: int) -> list[WriteKey]:
    """Return the workspace's write keys, newest first."""
    rows = session.scalars(
        select(WriteKey).where(WriteKey.workspace_id == workspace_id).order_by(WriteKey.id.desc())
    )
    return list(rows)


def revoke_write_key(session: Session, *, actor: Actor, key_id: int) -> WriteKey:
    """Revoke a write key; capture with it stops within ``_KEY_CACHE_SECONDS``."""
    key = session.scalar(
        select(WriteKey).where(WriteKey.id == key_id, WriteKey.workspace_id == actor.workspace_id)
    )
    if key is None:
        raise NotFoundError(f"write key {key_id} does not exist")
    revoke(
        session,
        actor=actor,
        row=key,
        object_type="write_key",
        summary=f"revoked write key {key.name!r}",
    )
    _key_cache.clear()
    return key


_key_cache: dict[str, tuple[float, int]] = {}
_key_lock = threading.Lock()


def authenticate_write_key(session: Session, *, secret: str) -> int:
    """Return the workspace id of a write key; raise ``AuthenticationError`` if unknown.

    Answers are cached for a few seconds per process so capture does not read the application
    database on every call; a revoked key stops working within that time.
    """
    digest = hash_token(secret)
    now = time.monotonic()
    with _key_lock:
        hit = _key_cache.get(digest)
    if hit is not None and now - hit[0] < _KEY_CACHE_SECONDS:
        return hit[1]
    key = session.scalar(
        select(WriteKey).where(WriteKey.key_hash == digest, WriteKey.revoked_at.is_(None))
    )
    if key is None:
        raise AuthenticationError("unknown or revoked write key")
    with _key_lock:
        _key_cache[digest] = (now, key.workspace_id)
    return key.workspace_id


# --- capture ---------------------------------------------------------------------------------

_spools = threading.local()


def _spool(settings: Settings) -> Spool:
    path = spool_path(settings)
    cached: dict[str, Spool] = getattr(_spools, "by_path", None) or {}
    _spools.by_path = cached
    spool = cached.get(str(path))
    if spool is None or not path.exists():
        spool = cached[str(path)] = Spool(path)
    return spool


def capture(
    settings: Settings,
    *,
    workspace_id: int,
    records: Sequence[CaptureRecord],
    received_at: datetime,
) -> list[bool]:
    """Append captured messages to the durable spool; return, per message, whether it was new.

    When this returns the messages are on disk (fsynced); duplicates by message id are dropped.
    """
    if not records:
        return []
    return _spool(settings).append(workspace_id, records, received_at)


@dataclass(frozen=True)
class StoreStatus:
    """How many events a workspace has, and how many captured messages await the loader."""

    events: int
    backlog: int


def store_status(settings: Settings, *, workspace_id: int) -> StoreStatus:
    """Return the workspace's event count and the spool's backlog (all workspaces)."""
    if warehouse_mode(settings):
        with open_events(settings, workspace_id) as table:
            return StoreStatus(int(table.count().execute()), 0)
    with open_store(settings) as con:
        events = count_events(con, workspace_id)
        after = loaded_seq(con)
    path = spool_path(settings)
    backlog = _spool(settings).backlog(after) if path.exists() else 0
    return StoreStatus(events, backlog)


# --- insights --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Insight:
    """A computed insight: rows, their columns, the chart and the range it covers."""

    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    chart: dict[str, Any]
    start: date
    end: date
    breakdown: str | None = None
    breakdown_values: list[str] = field(default_factory=list)


def _run(events: Any, prepared: PreparedQuery) -> tuple[MetricResult, list[dict[str, Any]]]:
    result = run_metric(prepared.kind, events, prepared.params)
    return result, result.rows(extras=True)


_PROPERTY_PREFIXES = ("user.", "account.", "event.")


def split_breakdown(key: str | None) -> tuple[str, str | None]:
    """Split a breakdown into its source and property: ``user.plan`` → ``("user", "plan")``.

    A key without a ``user.``/``account.``/``event.`` prefix is an event property (or the
    ``event``, ``user_id`` or ``group_id`` column), as before prefixes existed.
    """
    text = (key or "").strip()
    for prefix in _PROPERTY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return prefix[:-1], text[len(prefix) :]
    return "event", text or None


def _utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class _Scope:
    """The workspace's tables and how a segment restricts a metric's events."""

    sources: SegmentSources
    as_of: date
    by_account: bool

    def restrict(self, events: Any, definition: SegmentGroup) -> Any:
        members = segment_users(definition, self.sources, as_of=self.as_of)
        accounts = segment_accounts(members, self.sources) if self.by_account else None
        return apply_segment(events, members, accounts=accounts)


def _by_property(
    scope: _Scope, events: Any, prepared: PreparedQuery, source: str, key: str, people: Any
) -> tuple[list[str], list[str], list[dict[str, Any]], Any]:
    """Run the metric once per value of a user or account property (the most common ones),
    and for the users without a value (``NONE_VALUE``) when the events have any.

    ``events`` is the table the metric reads (maybe the rollup); ``people`` the same users'
    events, whose users, accounts and properties give the values.
    """
    universe = replace(scope.sources, events=people)
    found = property_values(universe, source, key, MAX_BREAKDOWN_VALUES)  # type: ignore[arg-type]
    values = [str(v["value"]) for v in found.to_pyarrow().to_pylist()]
    conditions = [PropertyCondition(source, key, "eq", v) for v in values]  # type: ignore[arg-type]
    # "Is not set" takes in users with no identify (group) call at all, as segments do.
    unset = PropertyCondition(source, key, "is_not_set")  # type: ignore[arg-type]
    if _exists(segment_users(SegmentGroup("all", (unset,)), universe, as_of=scope.as_of)):
        values.append(NONE_VALUE)
        conditions.append(unset)
    cal = resolve_calendar(events, get_runner(prepared.kind).resolved(prepared.params))
    fixed = replace(prepared, params=replace(prepared.params, start=cal.start, end=cal.end))
    columns = ["breakdown", *get_runner(prepared.kind).export_columns(prepared.params)]
    rows: list[dict[str, Any]] = []
    for value, condition in zip(values, conditions, strict=True):
        part = scope.restrict(events, SegmentGroup("all", (condition,)))
        _, part_rows = _run(part, fixed)
        rows.extend(
            {"breakdown": value, **{k: v for k, v in r.items() if k != "breakdown"}}
            for r in part_rows
        )
    return columns, values, rows, cal


def run_insight(
    settings: Settings,
    *,
    workspace_id: int,
    query: InsightQuery,
    segment: SegmentGroup | None = None,
    as_of: date | None = None,
) -> Insight:
    """Compute an insight on the workspace's events in the store.

    Args:
        settings: where the events store is.
        workspace_id: whose events.
        query: the metric and its options; ``breakdown`` may name ``user.KEY`` or
            ``account.KEY`` (identify / group properties) as well as an event property.
        segment: keep only the events of the segment's users (for MRR per account: the
            events of their accounts) before the metric runs.
        as_of: the day "the last N days" of a segment end on (default: today, UTC).

    Raises:
        InvalidInputError: the query is malformed.
        EngineError: the store cannot be opened.
    """
    source, key = split_breakdown(query.breakdown)
    if source != "event":
        query = replace(query, breakdown=None)
    elif key != (query.breakdown or None):
        query = replace(query, breakdown=key)
    prepared = metric_params(query)
    with open_sources(settings, workspace_id) as sources:
        return compute_insight(
            sources, prepared, breakdown=(source, key), segment=segment, as_of=as_of
        )


def compute_insight(
    sources: SegmentSources,
    prepared: PreparedQuery,
    *,
    breakdown: tuple[str, str | None] = ("event", None),
    segment: SegmentGroup | None = None,
    as_of: date | None = None,
) -> Insight:
    """Compute an insight on bound tables (the store's, or a file's for the CLI).

    Args:
        sources: the events and, for user or account properties, identify and group calls.
        prepared: the validated query; an event-property breakdown is already inside it.
        breakdown: ``(source, key)`` from ``split_breakdown``; only ``user`` and ``account``
            sources are read here.
        segment: keep the segment's users (their accounts for MRR per account) first.
        as_of: the day "the last N days" of a segment end on (default: today, UTC).
    """
    source, key = breakdown
    by_account = prepared.kind == "mrr" and prepared.params.customer == "group_id"
    scope = _Scope(sources, as_of or _utc_today(), by_account)
    if segment is not None and (prepared.params.start is None or prepared.params.end is None):
        # The range defaults to the whole data's, so a segment's chart lines up with the rest.
        cal = resolve_calendar(sources.events, get_runner(prepared.kind).resolved(prepared.params))
        prepared = replace(prepared, params=replace(prepared.params, start=cal.start, end=cal.end))
    base = metric_events(sources, prepared)
    table = base if segment is None else scope.restrict(base, segment)
    events = filtered(table, prepared.filters)
    if source != "event" and key is not None:
        people = events
        if base is not sources.events:
            # The rollup has no accounts or properties: the breakdown's values and the users
            # without one come from the same users' events.
            plain = sources.events if segment is None else scope.restrict(sources.events, segment)
            people = filtered(plain, prepared.filters)
        columns, values, rows, cal = _by_property(scope, events, prepared, source, key, people)
    elif prepared.breakdown is None:
        result, rows = _run(events, prepared)
        columns = list(result.columns)
        values = []
        cal = result.calendar
    else:
        columns, values, rows, cal = _by_event_property(events, prepared, prepared.breakdown)
    if prepared.kind == "funnel" and prepared.params.breakdown:
        columns = ["breakdown", *columns] if "breakdown" not in columns else columns
    chart = insight_chart(prepared.kind, rows)
    shown = f"{source}.{key}" if source != "event" else None
    shown = shown or prepared.breakdown or prepared.params.breakdown
    return Insight(prepared.kind, columns, rows, chart, cal.start, cal.end, shown, values)


def metric_events(sources: SegmentSources, prepared: PreparedQuery) -> Any:
    """Return the table a query's metric reads: the user-days rollup when it gives the same
    numbers (``rollup.usable``), else the events."""
    if sources.user_days is not None and rollup.usable(
        prepared.kind,
        prepared.params,
        filter_keys=[f.key for f in prepared.filters],
        event_breakdown=prepared.breakdown,
    ):
        if prepared.kind != rollup.RETENTION_KIND:
            return sources.user_days
        if sources.user_keys is not None:
            return rollup.retention_rows(
                sources.user_days, sources.events, sources.user_keys, prepared.params.start_event
            )
    return sources.events


def _by_event_property(
    events: Any, prepared: PreparedQuery, key: str
) -> tuple[list[str], list[str], list[dict[str, Any]], Any]:
    found = breakdown_values(events, key).to_pyarrow().to_pylist()
    values = [str(v["value"]) for v in found]
    parts = [EventFilter(key, value).apply(events) for value in values]
    missing = without_value(events, key)
    if _exists(missing):
        values.append(NONE_VALUE)
        parts.append(missing)
    # One calendar for every value, so all series cover the same periods.
    cal = resolve_calendar(events, get_runner(prepared.kind).resolved(prepared.params))
    fixed = replace(prepared, params=replace(prepared.params, start=cal.start, end=cal.end))
    rows: list[dict[str, Any]] = []
    columns = ["breakdown", *get_runner(prepared.kind).export_columns(prepared.params)]
    for value, part in zip(values, parts, strict=True):
        _, part_rows = _run(part, fixed)
        rows.extend({"breakdown": value, **r} for r in part_rows)
    return columns, values, rows, cal


def _exists(table: Any) -> bool:
    """Return whether an expression has at least one row (reading at most one)."""
    return int(table.limit(1).count().execute()) > 0


def funnel_dropped_csv(
    settings: Settings,
    *,
    workspace_id: int,
    query: InsightQuery,
    step: int | None = None,
    segment: SegmentGroup | None = None,
    as_of: date | None = None,
) -> str:
    """Return, as CSV, the users who entered a funnel and dropped before a step.

    Columns ``breakdown,step,event,user_id``: one row per user and the first step they did not
    reach (users who finished are not listed). ``step`` keeps one step only.

    Raises:
        InvalidInputError: the query is malformed, or ``step`` is not a step 2..n.
    """
    prepared = metric_params(replace(query, kind="funnel"))
    steps = prepared.params.steps
    if step is not None and not 2 <= step <= len(steps):
        raise InvalidInputError.single(("step",), f"step must be between 2 and {len(steps)}")
    with open_sources(settings, workspace_id) as sources:
        table = sources.events
        if segment is not None:
            table = _Scope(sources, as_of or _utc_today(), False).restrict(table, segment)
        events = filtered(table, prepared.filters)
        frame = run_metric("funnel_users", events, prepared.params).frame
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["breakdown", "step", "event", "user_id"])
    for rec in frame.sort_values(["breakdown", "furthest_step", "user_id"]).itertuples():
        k = int(rec.furthest_step)
        if k < len(steps) and (step is None or k + 1 == step):
            writer.writerow(
                [
                    safe_cell(rec.breakdown),
                    k + 1,
                    safe_cell(steps[k].label()),
                    safe_cell(rec.user_id),
                ]
            )
    return out.getvalue()


# --- dashboards ------------------------------------------------------------------------------


def create_saved_insight(
    session: Session, *, actor: Actor, name: str, kind: str, query: str, dashboard: str = "Main"
) -> SavedInsight:
    """Save an insight (a kind and its page's query string) to a dashboard of the workspace.

    Raises:
        InvalidInputError: the kind or an option is not valid (checked before saving).
    """
    metric_params(parse_query_string(kind, query))
    query_segment(session, workspace_id=actor.workspace_id, query=query)
    saved = SavedInsight(
        workspace_id=actor.workspace_id,
        dashboard=dashboard.strip()[:100] or "Main",
        name=name.strip()[:200] or kind,
        kind=kind,
        query=query[:2000],
        created_by_id=actor.user_id,
    )
    session.add(saved)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="saved_insight",
        object_id=saved.id,
        summary=f"saved insight {saved.name!r} to dashboard {saved.dashboard!r}",
    )
    return saved


def list_saved_insights(session: Session, *, workspace_id: int) -> list[SavedInsight]:
    """Return the workspace's saved insights by dashboard, in the order they were saved."""
    rows = session.scalars(
        select(SavedInsight)
        .where(SavedInsight.workspace_id == workspace_id)
        .order_by(SavedInsight.dashboard, SavedInsight.id)
    )
    return list(rows)


def get_saved_insight(session: Session, *, workspace_id: int, insight_id: int) -> SavedInsight:
    """Return a saved insight of the workspace; raise ``NotFoundError`` otherwise."""
    saved = session.scalar(
        select(SavedInsight).where(
            SavedInsight.id == insight_id, SavedInsight.workspace_id == workspace_id
        )
    )
    if saved is None:
        raise NotFoundError(f"saved insight {insight_id} does not exist")
    return saved


def delete_saved_insight(session: Session, *, actor: Actor, insight_id: int) -> None:
    """Remove a saved insight from its dashboard."""
    saved = get_saved_insight(session, workspace_id=actor.workspace_id, insight_id=insight_id)
    session.delete(saved)
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="saved_insight",
        object_id=insight_id,
        summary=f"removed insight {saved.name!r} from dashboard {saved.dashboard!r}",
    )


def run_saved_insight(settings: Settings, saved: SavedInsight, *, session: Session) -> Insight:
    """Compute a saved insight on its workspace's events (with the segment it was saved with).

    Raises:
        NotFoundError: its segment has been deleted since.
    """
    return run_insight(
        settings,
        workspace_id=saved.workspace_id,
        query=parse_query_string(saved.kind, saved.query),
        segment=query_segment(session, workspace_id=saved.workspace_id, query=saved.query),
    )


# --- key results -----------------------------------------------------------------------------

BINDABLE_METRICS = {
    "dau": "daily active users on the last complete day (yesterday, or the period's end)",
    "wau": "weekly active users on that day",
    "mau": "monthly active users on that day",
    "dau_mau": "DAU/MAU on that day, in percent",
    "mrr": "ending MRR of the last month in the period",
    "arr": "12 × that MRR",
    "retention_week_N": "week-N retention of the period's weekly cohorts, in percent",
    "activation_rate": "share of sign-ups doing the activation event within 7 days, in percent",
}
"""The metric names a key result can be bound to (``params`` may add ``filter``, ``segment``
(a saved segment's id) and, for ``activation_rate``, ``event``)."""


def _last_value(frame: pd.DataFrame, column: str, day_col: str, as_of: date) -> float | None:
    frame = frame[[d <= as_of for d in frame[day_col]]]
    if frame.empty:
        return None
    value = frame[column].iloc[-1]
    return None if pd.isna(value) else float(value)


def _weighted_rate(frame: pd.DataFrame, period: int) -> float | None:
    cells = frame[frame["period"] == period]
    size = int(cells["cohort_size"].sum())
    return 100.0 * float(cells["retained"].sum()) / size if size else None


def evaluate_metric(
    settings: Settings,
    *,
    workspace_id: int,
    metric: str,
    params: dict[str, Any],
    period_start: date,
    period_end: date,
    as_of: date,
    segment: SegmentGroup | None = None,
) -> float | None:
    """Compute the value of a bound metric for a key result (see ``BINDABLE_METRICS``).

    ``segment`` restricts it to a segment's users (a binding's ``params`` name it by id).

    Returns:
        The value, or ``None`` when the period has no data yet.

    Raises:
        InvalidInputError: an unknown metric or bad parameters.
    """
    # The last complete day: today's events are still arriving.
    end = min(period_end, as_of - timedelta(days=1))
    if end < period_start:
        return None
    filters = tuple(str(f) for f in (params.get("filter") or []) if isinstance(f, str))
    base = InsightQuery(kind="dau", start=period_start, end=end, filters=filters)
    if metric in ("dau", "wau", "mau", "dau_mau"):
        kind = "dau" if metric == "dau" else "wau_mau"
        insight = run_insight(
            settings,
            workspace_id=workspace_id,
            query=replace(base, kind=kind),
            segment=segment,
            as_of=as_of,
        )
        frame = pd.DataFrame(insight.rows)
        column = metric if metric != "dau_mau" else "dau_mau"
        value = _last_value(frame, column, "day", end) if not frame.empty else None
        return value * 100.0 if value is not None and metric == "dau_mau" else value
    if metric in ("mrr", "arr"):
        start = date(2000, 1, 1)
        insight = run_insight(
            settings,
            workspace_id=workspace_id,
            query=replace(base, kind="mrr", start=start),
            segment=segment,
            as_of=as_of,
        )
        frame = pd.DataFrame(insight.rows)
        value = _last_value(frame, "ending_mrr", "month", end) if not frame.empty else None
        return value * 12 if value is not None and metric == "arr" else value
    if metric.startswith("retention_week_") and metric.removeprefix("retention_week_").isdigit():
        k = int(metric.removeprefix("retention_week_"))
        query = replace(
            base, kind="retention", period="week", periods=max(k, 1), end=end + timedelta(weeks=k)
        )
        insight = run_insight(
            settings, workspace_id=workspace_id, query=query, segment=segment, as_of=as_of
        )
        frame = pd.DataFrame(insight.rows)
        if frame.empty:
            return None
        frame = frame[[c <= end for c in frame["cohort_week"]]]
        return _weighted_rate(frame, k)
    if metric == "activation_rate":
        event = str(params.get("event") or "project_created")
        query = replace(base, kind="funnel", steps=f"signup,{event}", window="7d")
        insight = run_insight(
            settings, workspace_id=workspace_id, query=query, segment=segment, as_of=as_of
        )
        last = [r for r in insight.rows if r["step"] == 2]
        rate = last[0].get("conversion_from_start") if last else None
        return None if rate is None else 100.0 * float(rate)
    known = ", ".join(sorted(BINDABLE_METRICS))
    raise InvalidInputError.single(
        ("metric",), f"metric {metric!r} cannot be computed; known: {known}"
    )


def refresh_key_results(
    session: Session, *, settings: Settings, workspace_id: int, as_of: date | None = None
) -> Any:
    """Refresh every key result of the workspace bound to a metric, from the events store.

    Returns:
        Strategy's ``RefreshReport`` (updated ids, skipped ids with reasons).
    """
    from producthq.strategy import okrs
    from producthq.strategy.binding import MetricRequest

    def evaluator(request: MetricRequest) -> float | None:
        raw = request.params.get("segment")
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | str)):
            raise InvalidInputError.single(("segment",), "params.segment must be a segment id")
        segment = resolve_segment(
            session,
            workspace_id=workspace_id,
            segment_id=query_segment_id(f"segment={raw}") if raw is not None else None,
        )
        return evaluate_metric(
            settings,
            workspace_id=workspace_id,
            metric=request.metric,
            params=dict(request.params),
            period_start=request.period_start,
            period_end=request.period_end,
            as_of=request.as_of,
            segment=segment,
        )

    return okrs.refresh_bound_key_results(
        session, workspace_id=workspace_id, evaluator=evaluator, as_of=as_of
    )
