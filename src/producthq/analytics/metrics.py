"""Metric runners: build the Ibis expression of a metric kind, then run it and shape the result.

Meanings are fixed in ``METRICS.md`` (PostHog's insight queries where tools disagree). A runner
has two halves, as PostHog's query runners do (``to_query`` vs ``calculate``): ``build`` maps a
table with the canonical event schema to an Ibis expression without touching any engine, and
``shape`` turns the engine's rows into a DataFrame with ``METRICS.md``'s column names. Runners
are looked up by kind in ``RUNNERS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
from ibis.common.exceptions import IbisError

from producthq.analytics import metrics_activity as activity
from producthq.analytics.events import unbound_events
from producthq.analytics.metrics_funnel import funnel, funnel_users
from producthq.analytics.metrics_retention import proportion_interval, retention
from producthq.analytics.metrics_revenue import mrr_movements
from producthq.analytics.params import MetricParams
from producthq.analytics.periods import Calendar, Period, period_start, zone
from producthq.errors import InvalidInputError

Builder = Callable[[ir.Table, MetricParams, Calendar], ir.Table]
Shaper = Callable[[pd.DataFrame, MetricParams, Calendar], pd.DataFrame]


@dataclass(frozen=True)
class MetricRunner:
    """How one metric kind is built and shaped.

    Attributes:
        kind: the registry key (``dau``, ``retention`` …).
        build: table → expression, engine-free.
        shape: engine rows → the result DataFrame.
        columns: the exported columns, in ``METRICS.md`` order (``{period}`` is replaced by
            the period's name).
        default_period: the period used when the parameters name none.
    """

    kind: str
    build: Builder
    shape: Shaper
    columns: tuple[str, ...]
    default_period: Period = "day"

    def resolved(self, params: MetricParams) -> MetricParams:
        """Return the parameters with the kind's default period filled in."""
        return params if params.period else replace(params, period=self.default_period)

    def export_columns(self, params: MetricParams) -> list[str]:
        """Return the exported column names for these parameters."""
        period = params.period or self.default_period
        return [c.replace("{period}", period) for c in self.columns]


@dataclass(frozen=True)
class MetricResult:
    """A computed metric: the rows and the columns that ``METRICS.md`` names for export."""

    kind: str
    frame: pd.DataFrame = field(compare=False)
    columns: tuple[str, ...]
    calendar: Calendar

    def rows(self, *, extras: bool = False) -> list[dict[str, Any]]:
        """Return the rows as dicts (only the export columns unless ``extras``)."""
        cols = list(self.frame.columns) if extras else list(self.columns)
        out: list[dict[str, Any]] = []
        for rec in self.frame[cols].to_dict(orient="records"):
            out.append({k: _plain(v) for k, v in rec.items()})
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _labels(values: pd.Series, period: Period) -> list[date]:
    return [period_start(int(v), period) for v in values]


def _ints(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = frame[c].fillna(0).astype("int64")
    return frame


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return pd.Series(_np_ratio(num.to_numpy(), den.to_numpy()), index=num.index)


def _np_ratio(num: npt.NDArray[Any], den: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """``num / den`` as floats, NaN where ``den`` is not positive."""
    num_f, den_f = num.astype("float64"), den.astype("float64")
    positive = den_f > 0
    return np.where(positive, num_f / np.where(positive, den_f, 1.0), np.nan)


def _shape_dau(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    out = _ints(raw.sort_values("p").reset_index(drop=True), ["dau"])
    return pd.DataFrame({"day": _labels(out.p, "day"), "dau": out.dau})


def _shape_wau_mau(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    out = _ints(raw.sort_values("p").reset_index(drop=True), ["dau", "wau", "mau"])
    return pd.DataFrame(
        {
            "day": _labels(out.p, "day"),
            "wau": out.wau,
            "mau": out.mau,
            "dau": out.dau,
            "dau_mau": _ratio(out.dau, out.mau),
        }
    )


def _shape_stickiness(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    out = raw.sort_values("days_active").reset_index(drop=True)
    return _ints(out, ["days_active", "users", "users_cumulative"])


def _shape_lifecycle(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    period = params.period or "week"
    out = _ints(
        raw.sort_values("p").reset_index(drop=True), ["new", "returning", "resurrecting", "dormant"]
    )
    frame = pd.DataFrame({period: _labels(out.p, period)})
    for c in ("new", "returning", "resurrecting", "dormant"):
        frame[c] = out[c]
    frame["active"] = out.new + out.returning + out.resurrecting
    frame["active_previous"] = out.returning + out.dormant
    frame["churn_rate"] = _ratio(out.dormant, frame["active_previous"])
    return frame


def _shape_retention(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    period = params.period or "week"
    cols = ["cohort", "period", "cohort_size", "retained", "retained_unbounded"]
    out = _ints(raw.sort_values(["cohort", "period"]).reset_index(drop=True), cols)
    frame = pd.DataFrame({f"cohort_{period}": _labels(out.cohort, period)})
    for c in cols[1:]:
        frame[c] = out[c]
    frame["rate"] = _ratio(out.retained, out.cohort_size)
    frame["rate_unbounded"] = _ratio(out.retained_unbounded, out.cohort_size)
    if params.interval is not None:
        low, high = proportion_interval(
            out.retained, out.cohort_size, method=params.interval, confidence=params.confidence
        )
        frame["rate_low"], frame["rate_high"] = low, high
    return frame


def _shape_funnel(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for rec in raw.sort_values("breakdown").to_dict(orient="records"):
        first = int(rec.get("users_1") or 0)
        before = first
        for k, step in enumerate(params.steps, start=1):
            users = int(rec.get(f"users_{k}") or 0)
            rows.append(
                {
                    "breakdown": rec["breakdown"],
                    "step": k,
                    "event": step.label(),
                    "users": users,
                    "conversion_from_start": users / first if first else None,
                    "conversion_from_previous": users / before if before else None,
                    "dropped": before - users if k > 1 else 0,
                    "mean_seconds_to_convert": _plain(rec.get(f"mean_secs_{k}")),
                    "median_seconds_to_convert": _plain(rec.get(f"median_secs_{k}")),
                }
            )
            before = users
    if not rows:
        for k, step in enumerate(params.steps, start=1):
            rows.append({"breakdown": "all", "step": k, "event": step.label(), "users": 0})
    frame = pd.DataFrame(rows)
    if not params.breakdown:
        frame = frame.drop(columns=["breakdown"])
    return frame


def _shape_funnel_users(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    out = raw.sort_values(["breakdown", "user_id"]).reset_index(drop=True)
    return pd.DataFrame(
        {
            "user_id": out.user_id.astype(str),
            "breakdown": out.breakdown,
            "furthest_step": out.furthest.astype("int64"),
        }
    )


def _shape_mrr(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    # Built from NumPy arrays in one go: a dozen rows, where pandas' per-column inserts and
    # casts cost more than the query on a million events.
    out = raw.sort_values("p")
    money = [c for c in out.columns if c.endswith("_mrr")]
    counts = [c for c in out.columns if c.endswith("_customers") or c.startswith("paying")]
    ints = {c: out[c].fillna(0).to_numpy(dtype="int64") for c in money + counts}
    cols: dict[str, Any] = {"month": _labels(out.p, "month")}
    for c in money:
        cols[c] = ints[c] / 100.0
    for c in counts:
        cols["reactivated_customers" if c == "reactivation_customers" else c] = ints[c]
    start = ints["starting_mrr"]
    expansion, contraction = ints["expansion_mrr"], ints["contraction_mrr"]
    churned = ints["churned_mrr"]
    cols["nrr"] = _np_ratio(start + expansion - contraction - churned, start)
    cols["grr"] = _np_ratio(start - contraction - churned, start)
    cols["revenue_churn"] = _np_ratio(churned, start)
    cols["logo_churn"] = _np_ratio(ints["churned_customers"], ints["paying_start"])
    cols["arpa"] = _np_ratio(ints["ending_mrr"] / 100.0, ints["paying_end"])
    cols["arr"] = cols["ending_mrr"] * 12
    return pd.DataFrame(cols)


def _shape_adoption(raw: pd.DataFrame, params: MetricParams, cal: Calendar) -> pd.DataFrame:
    period = params.period or "week"
    out = _ints(raw.sort_values("p").reset_index(drop=True), ["active_users", "feature_users"])
    frame = pd.DataFrame({period: _labels(out.p, period)})
    frame["active_users"] = out.active_users
    frame["feature_users"] = out.feature_users
    frame["adoption"] = _ratio(out.feature_users, out.active_users)
    return frame


def _shape_time_to_first_use(
    raw: pd.DataFrame, params: MetricParams, cal: Calendar
) -> pd.DataFrame:
    secs = raw["seconds"].astype("float64")
    return pd.DataFrame(
        {
            "users": [len(secs)],
            "median_days": [float(secs.median() / 86400) if len(secs) else None],
            "mean_days": [float(secs.mean() / 86400) if len(secs) else None],
        }
    )


_MRR_COLUMNS = (
    "month",
    "starting_mrr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "reactivation_mrr",
    "ending_mrr",
    "new_customers",
    "expansion_customers",
    "contraction_customers",
    "churned_customers",
    "reactivated_customers",
)

RUNNERS: dict[str, MetricRunner] = {
    r.kind: r
    for r in (
        MetricRunner("dau", activity.dau, _shape_dau, ("day", "dau")),
        MetricRunner("wau_mau", activity.wau_mau, _shape_wau_mau, ("day", "wau", "mau")),
        MetricRunner("dau_mau", activity.wau_mau, _shape_wau_mau, ("day", "dau", "mau", "dau_mau")),
        MetricRunner(
            "stickiness",
            activity.stickiness,
            _shape_stickiness,
            ("days_active", "users", "users_cumulative"),
        ),
        MetricRunner(
            "retention",
            retention,
            _shape_retention,
            ("cohort_{period}", "period", "cohort_size", "retained", "retained_unbounded"),
            "week",
        ),
        MetricRunner("funnel", funnel, _shape_funnel, ("step", "event", "users")),
        MetricRunner(
            "funnel_users",
            funnel_users,
            _shape_funnel_users,
            ("user_id", "breakdown", "furthest_step"),
        ),
        MetricRunner(
            "lifecycle",
            activity.lifecycle,
            _shape_lifecycle,
            ("{period}", "new", "returning", "resurrecting", "dormant"),
            "week",
        ),
        MetricRunner(
            "churn",
            activity.lifecycle,
            _shape_lifecycle,
            ("{period}", "active_previous", "dormant", "churn_rate"),
            "week",
        ),
        MetricRunner("mrr", mrr_movements, _shape_mrr, _MRR_COLUMNS, "month"),
        MetricRunner(
            "adoption",
            activity.adoption,
            _shape_adoption,
            ("{period}", "active_users", "feature_users", "adoption"),
            "week",
        ),
        MetricRunner(
            "time_to_first_use",
            activity.time_to_first_use,
            _shape_time_to_first_use,
            ("users", "median_days", "mean_days"),
        ),
    )
}
"""Every metric kind, keyed by its slug."""

SQL_SNAPSHOT_CALENDAR = Calendar(date(2024, 1, 1), date(2024, 3, 31))
"""The range ``compile_sql`` uses when the parameters name none."""


def get_runner(kind: str) -> MetricRunner:
    """Return the runner of a metric kind or raise ``InvalidInputError``."""
    try:
        return RUNNERS[kind]
    except KeyError:
        known = ", ".join(sorted(RUNNERS))
        raise InvalidInputError.single(
            ("kind",), f"unknown metric {kind!r}; known: {known}"
        ) from None


def build_expression(
    kind: str, events: ir.Table, params: MetricParams, calendar: Calendar
) -> ir.Table:
    """Build the expression of a metric kind on any table with the canonical schema."""
    runner = get_runner(kind)
    return _bound(runner, events, runner.resolved(params), calendar)


_TEMPLATE_TABLE = "phq_events_template"


@lru_cache(maxsize=256)
def _template(
    kind: str, params: MetricParams, calendar: Calendar, schema: ibis.Schema
) -> tuple[ir.Table, Any]:
    """Build a metric once on a placeholder table of ``schema`` (no engine, no backend)."""
    placeholder = ibis.table(schema, name=_TEMPLATE_TABLE)
    return get_runner(kind).build(placeholder, params, calendar), placeholder.op()


def _bound(runner: MetricRunner, events: ir.Table, params: MetricParams, cal: Calendar) -> ir.Table:
    """Return the metric's expression on ``events``, from a cached template when possible.

    Building an expression costs Ibis tenths of a second for the bigger metrics (binding and
    dereferencing every select); substituting the events table into a template built once per
    kind, parameters, range and schema costs a few milliseconds and gives the same SQL. The
    template holds no backend, so the cache keeps no connection alive.
    """
    schema = events.schema()
    try:
        expr, placeholder = _template(runner.kind, params, cal, schema)
    except TypeError:  # unhashable parameters: build directly
        return runner.build(events, params, cal)
    return cast(ir.Table, expr.op().replace({placeholder: events.op()}).to_expr())


_DUCKDB_PLACEHOLDER = f'"{_TEMPLATE_TABLE}"'
_CTE_START = re.compile(r'(?m)^(WITH |\), )("t\d+") AS \(')
MATERIALIZED_KINDS = frozenset({"funnel", "funnel_users"})
"""Kinds whose common table expressions DuckDB must compute once (``AS MATERIALIZED``).

DuckDB inlines a CTE that does not aggregate into each of its readers; the funnel's tagged
step events are read once per step, and re-scanning the events for each costs more than
keeping the rows. It replaces an exact-duplicate ``GROUP BY`` that forced the same by
aggregating (measured before the funnel kept only the columns its steps read, at 10M events:
0.85 s instead of 1.1 s on a loaded machine, 0.61 s against 0.63 s on a quiet one)."""
_DUCKDB_TABLE = re.compile(r'SELECT \* FROM ((?:"(?:[^"]|"")*"\.)*"(?:[^"]|"")*")')


@dataclass(frozen=True)
class _TemplateSQL:
    """A template compiled to DuckDB SQL, with the in-memory tables its SQL names."""

    sql: str
    memtables: tuple[ir.Table, ...]


@lru_cache(maxsize=256)
def _template_sql(
    kind: str, params: MetricParams, calendar: Calendar, schema: ibis.Schema
) -> _TemplateSQL | None:
    """Compile a template to DuckDB SQL once, or return ``None`` when it cannot be spliced.

    The placeholder table must appear only as a ``FROM`` or ``JOIN`` source, so that putting
    the events' own SQL in its place is a plain substitution, and the template must hold no
    user-defined function (those are registered per query).
    """
    expr, _ = _template(kind, params, calendar, schema)
    if expr.op().find((ops.ScalarUDF, ops.AggUDF)):
        return None
    sql = str(ibis.to_sql(expr, dialect="duckdb"))
    if kind in MATERIALIZED_KINDS:
        sql = _CTE_START.sub(r"\1\2 AS MATERIALIZED (", sql)
    sources = sum(sql.count(f"{word} {_DUCKDB_PLACEHOLDER} AS ") for word in ("FROM", "JOIN"))
    if sources != sql.count(_DUCKDB_PLACEHOLDER):
        return None
    memtables = tuple(op.to_expr() for op in expr.op().find(ops.InMemoryTable))
    return _TemplateSQL(sql, memtables)


def _duckdb_source(backend: Any, events: ir.Table) -> str:
    """Return the SQL that stands for ``events`` in a ``FROM``: its name, or a subquery."""
    sql = str(backend.compile(events))
    table = _DUCKDB_TABLE.fullmatch(sql)
    return table.group(1) if table else f"(\n{sql}\n)"


def _run_on_duckdb(
    runner: MetricRunner, events: ir.Table, params: MetricParams, cal: Calendar
) -> pd.DataFrame | None:
    """Run a metric on DuckDB from its template's cached SQL, or return ``None`` elsewhere.

    Compiling the bound expression costs Ibis 10–120 ms a query (its rewrites walk the whole
    graph), more than the query itself on a million events. The template's SQL is compiled
    once per kind, parameters, range and schema; each run substitutes the events' SQL for the
    placeholder table, registers the in-memory tables (periods, cohorts) as Ibis's own
    execution does, and converts the rows exactly as ``to_pandas`` would. Other engines, and
    parameters that cannot key a cache, take the usual ``to_pandas`` path.
    """
    try:
        backend = ibis.get_backend(events)
    except IbisError:
        return None
    if getattr(backend, "name", None) != "duckdb":
        return None
    schema = events.schema()
    try:
        template, _ = _template(runner.kind, params, cal, schema)
        compiled = _template_sql(runner.kind, params, cal, schema)
    except TypeError:  # unhashable parameters
        return None
    if compiled is None:
        return None
    sql = compiled.sql.replace(_DUCKDB_PLACEHOLDER, _duckdb_source(backend, events))
    # Ibis uploads a memtable once per connection and object; these calls only check that.
    for table in (events, *compiled.memtables):
        backend._run_pre_execute_hooks(table)
    return _duckdb_frame(backend.con.sql(sql).arrow(), template)


def _duckdb_frame(table: Any, expr: ir.Table) -> pd.DataFrame:
    """Convert a DuckDB Arrow result to the DataFrame that Ibis's ``to_pandas`` returns."""
    import pyarrow.types as pat
    from ibis.backends.duckdb.converter import DuckDBPandasData

    def column(col: Any) -> Any:
        # As Ibis does: nested, dictionary and null-holding columns go through Python objects
        # so that nulls come back as None rather than NaN.
        if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count:
            return col.to_pylist()
        return col.to_pandas()

    frame = pd.DataFrame(
        {name: column(col) for name, col in zip(table.column_names, table.columns, strict=True)}
    )
    schema = expr.schema()
    return cast(pd.DataFrame, expr.__pandas_result__(DuckDBPandasData.convert_table(frame, schema)))


def compile_sql(kind: str, dialect: str, params: MetricParams | None = None) -> str:
    """Return the SQL a metric kind compiles to in an Ibis dialect (``duckdb``, ``postgres`` …).

    The expression is built on an unbound ``events`` table; the range comes from the
    parameters or, when they have none, ``SQL_SNAPSHOT_CALENDAR``.
    """
    params = params or MetricParams()
    if kind in ("funnel", "funnel_users") and not params.steps:
        from producthq.analytics.params import parse_steps

        params = replace(params, steps=parse_steps("signup,activate,subscribe"))
    cal = Calendar(
        params.start or SQL_SNAPSHOT_CALENDAR.start,
        params.end or SQL_SNAPSHOT_CALENDAR.end,
        params.tz,
    )
    expr = build_expression(kind, unbound_events(), params, cal)
    return str(ibis.to_sql(expr, dialect=dialect))


def resolve_calendar(events: ir.Table, params: MetricParams) -> Calendar:
    """Return the calendar of a query: the given range, or the data's first and last day.

    Runs one small aggregate on the engine when the range is open at either end. With no
    events at all the range is today's date.
    """
    start, end = params.start, params.end
    if start is None or end is None:
        bounds = events.aggregate(lo=events.timestamp.min(), hi=events.timestamp.max()).execute()
        info = zone(params.tz)
        lo, hi = bounds["lo"].iloc[0], bounds["hi"].iloc[0]
        if pd.isna(lo) or pd.isna(hi):
            today = datetime.now(tz=info).date()
            lo_day = hi_day = today
        else:
            lo_day = _utc(lo).tz_convert(info).date()
            hi_day = _utc(hi).tz_convert(info).date()
        start = start or lo_day
        end = end or hi_day
    return Calendar(start, end, params.tz)


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def run_metric(kind: str, events: ir.Table, params: MetricParams | None = None) -> MetricResult:
    """Compute a metric on a bound events table and return the shaped result.

    Args:
        kind: a key of ``RUNNERS``.
        events: a table with the canonical schema, bound to an engine.
        params: the query's options.

    Returns:
        The result with ``METRICS.md`` column names.
    """
    runner = get_runner(kind)
    params = runner.resolved(params or MetricParams())
    cal = resolve_calendar(events, params)
    raw = _run_on_duckdb(runner, events, params, cal)
    if raw is None:
        raw = _bound(runner, events, params, cal).to_pandas()
    frame = runner.shape(raw, params, cal)
    return MetricResult(kind, frame, tuple(runner.export_columns(params)), cal)
