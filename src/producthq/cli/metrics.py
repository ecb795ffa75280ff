"""``producthq metrics …``: product metrics on an events file (CSV, JSON Lines, Parquet).

Each command reads the file into DuckDB, maps its columns onto the canonical event schema with
``--map COLUMN=FIELD`` and prints one metric with the meaning fixed in ``METRICS.md``. CSV and
JSON carry exactly the columns ``METRICS.md`` names; ``--all-columns`` adds the derived ones
(DAU/MAU, rates, conversion, time to convert, NRR/GRR/ARPA/ARR, churn rate).
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from producthq.analytics import service
from producthq.analytics.events import parse_mapping
from producthq.analytics.metrics import MetricResult, run_metric
from producthq.analytics.params import MetricParams, parse_steps, parse_window
from producthq.analytics.query import PreparedQuery
from producthq.analytics.segments import SegmentSources, parse_definition
from producthq.analytics.sources import connect, detect_format, read_events
from producthq.cli.output import OutputFormat, emit
from producthq.errors import InvalidInputError, ProductHQError

app = typer.Typer(
    help="Product metrics (DAU, WAU/MAU, stickiness, retention, funnels, lifecycle, MRR) "
    "on an events file.",
    no_args_is_help=True,
)
_err = Console(stderr=True, soft_wrap=True)


class PeriodChoice(StrEnum):
    """A calendar period."""

    day = "day"
    week = "week"
    month = "month"


class IntervalChoice(StrEnum):
    """A confidence interval method for retention rates."""

    wilson = "wilson"
    clopper_pearson = "clopper-pearson"


class CustomerChoice(StrEnum):
    """The column naming a revenue customer."""

    user_id = "user_id"
    group_id = "group_id"


FileArg = Annotated[
    Path, typer.Argument(help="Events file: .csv, .jsonl/.ndjson or .parquet (optionally .gz).")
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: first day of data.")
]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="Last day (YYYY-MM-DD); default: last day of data.")
]
TzOpt = Annotated[str, typer.Option("--tz", help="Workspace time zone, e.g. Europe/Paris.")]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="COLUMN=FIELD: read canonical COLUMN from the file's FIELD."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")]
AllOpt = Annotated[
    bool, typer.Option("--all-columns", help="Add derived columns to CSV and JSON output.")
]
BreakdownOpt = Annotated[
    str | None,
    typer.Option(
        "--breakdown",
        help="Split by an event property (plan), a user property (user.plan, needs --users) "
        "or an account property (account.industry, needs --accounts).",
    ),
]
SegmentOpt = Annotated[
    str | None,
    typer.Option(
        "--segment",
        help="Keep a segment's users: its JSON definition, or @FILE holding it "
        "(see docs/analytics-segments.md).",
    ),
]
UsersOpt = Annotated[
    Path | None,
    typer.Option("--users", help="User properties file (CSV/JSONL/Parquet) with a user_id column."),
]
AccountsOpt = Annotated[
    Path | None,
    typer.Option(
        "--accounts", help="Account properties file (CSV/JSONL/Parquet) with a group_id column."
    ),
]
ActiveOpt = Annotated[
    str | None,
    typer.Option("--active-events", help="Comma-separated events that count as activity."),
]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError.single(
            (option,), f"bad date for --{option}: {value!r} (use YYYY-MM-DD)"
        ) from None


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def _common(start: str | None, end: str | None, tz: str, **extra: Any) -> MetricParams:
    return MetricParams(start=_date(start, "from"), end=_date(end, "to"), tz=tz, **extra)


def _compute(
    kind: str, file: Path, mapping: list[str] | None, params: MetricParams
) -> MetricResult:
    events = read_events(file, parse_mapping(mapping or []))
    return run_metric(kind, events, params)


@dataclasses.dataclass(frozen=True)
class _Slice:
    """The segment, breakdown and property files of a command."""

    breakdown: str | None = None
    segment: str | None = None
    users: Path | None = None
    accounts: Path | None = None

    def plain(self) -> bool:
        return not (self.breakdown or self.segment or self.users or self.accounts)


_READERS = {"csv": "read_csv_auto", "jsonl": "read_json_auto", "parquet": "read_parquet"}


def _properties_table(con: Any, path: Path | None, id_column: str, name: str) -> Any:
    """Load a file of per-user or per-account properties as identify/group calls."""
    if path is None:
        return None
    if not path.is_file():
        raise InvalidInputError.single((name,), f"no such file: {path}", "not_found")
    reader = _READERS[detect_format(path)]
    literal = "'" + str(path).replace("'", "''") + "'"
    other = "user_id" if id_column == "group_id" else "anonymous_id"
    # Fixed names; the path is a quoted literal (DuckDB's table functions take no parameters).
    sql = (
        f'CREATE OR REPLACE TABLE "{name}" AS SELECT CAST(t.{id_column} AS VARCHAR) AS '  # noqa: S608
        f"{id_column}, CAST(NULL AS VARCHAR) AS {other}, TIMESTAMP '1970-01-01' AS "
        '"timestamp", CAST(NULL AS VARCHAR) AS message_id, to_json(t) AS traits '
        f"FROM {reader}({literal}) AS t"
    )
    try:
        con.raw_sql(sql)
    except Exception as exc:  # noqa: BLE001 - any engine error on a user's file is bad input
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError.single(
            (name,), f"cannot read {path.name} (it needs a {id_column} column): {first}"
        ) from None
    return con.table(name)


def _segment_text(text: str | None) -> Any:
    if text is None:
        return None
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InvalidInputError.single(("segment",), f"no such file: {path}", "not_found")
        text = path.read_text(encoding="utf-8")
    return parse_definition(text)


def _sliced(
    kind: str,
    file: Path,
    mapping: list[str] | None,
    params: MetricParams,
    cut: _Slice,
) -> service.Insight:
    con = connect()
    events = read_events(file, parse_mapping(mapping or []), connection=con)
    sources = SegmentSources(
        events,
        _properties_table(con, cut.users, "user_id", "users"),
        _properties_table(con, cut.accounts, "group_id", "accounts"),
    )
    source, key = service.split_breakdown(cut.breakdown)
    event_key = key if source == "event" else None
    if kind == "funnel":
        params = dataclasses.replace(params, breakdown=event_key)
        event_key = None
    prepared = PreparedQuery(kind, params, (), event_key)  # type: ignore[arg-type]
    return service.compute_insight(
        sources, prepared, breakdown=(source, key), segment=_segment_text(cut.segment)
    )


def _emit_sliced(
    kind: str,
    file: Path,
    mapping: list[str] | None,
    params: MetricParams,
    cut: _Slice,
    fmt: OutputFormat,
    all_columns: bool,
    extra: tuple[str, ...] = (),
) -> None:
    insight = _sliced(kind, file, mapping, params, cut)
    present = list(insight.rows[0]) if insight.rows else list(insight.columns)
    columns = present if all_columns else [*insight.columns, *(c for c in extra if c in present)]
    emit(insight.rows, columns, fmt)


def _show(
    result: MetricResult,
    fmt: OutputFormat,
    all_columns: bool,
    extra: tuple[str, ...] = (),
) -> None:
    if all_columns:
        columns = list(result.frame.columns)
    else:
        columns = list(result.columns) + [c for c in extra if c in result.frame.columns]
    emit(result.rows(extras=True), columns, fmt)


def _fail(exc: ProductHQError) -> typer.Exit:
    _err.print(f"error: {exc.message}", markup=False, highlight=False)
    return typer.Exit(2)


@app.command("dau")
def dau_command(
    file: FileArg,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    active_events: ActiveOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """Daily active users: distinct users with any event on each day."""
    try:
        params = _common(start, end, tz, active_events=_names(active_events))
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("dau", file, mapping, params, cut, fmt, all_columns)
            return
        _show(_compute("dau", file, mapping, params), fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None


@app.command("wau-mau")
def wau_mau_command(
    file: FileArg,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    active_events: ActiveOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """WAU [d-6, d] and MAU [d-29, d] for every day d (with DAU and DAU/MAU as extras)."""
    try:
        params = _common(start, end, tz, active_events=_names(active_events))
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("wau_mau", file, mapping, params, cut, fmt, all_columns)
            return
        _show(_compute("wau_mau", file, mapping, params), fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None


@app.command("stickiness")
def stickiness_command(
    file: FileArg,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    active_events: ActiveOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """Users by number of active days in the range (exactly n and at least n)."""
    try:
        params = _common(start, end, tz, active_events=_names(active_events))
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("stickiness", file, mapping, params, cut, fmt, all_columns)
            return
        _show(_compute("stickiness", file, mapping, params), fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None


@app.command("retention")
def retention_command(
    file: FileArg,
    start_event: Annotated[
        str, typer.Option("--start-event", help="Event that puts a user in a cohort.")
    ] = "signup",
    first_seen: Annotated[
        bool, typer.Option("--first-seen", help="Cohort by first event of any kind.")
    ] = False,
    return_event: Annotated[
        str | None, typer.Option("--return-event", help="Event that counts as a return.")
    ] = None,
    period: Annotated[PeriodChoice, typer.Option("--period")] = PeriodChoice.week,
    periods: Annotated[int, typer.Option("--periods", min=0, max=400)] = 12,
    interval: Annotated[
        IntervalChoice | None, typer.Option("--ci", help="Add a confidence interval on rates.")
    ] = None,
    confidence: Annotated[float, typer.Option("--confidence", min=0.5, max=0.9999)] = 0.95,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """Cohort retention matrix ("on" and "on or after" per period)."""
    try:
        params = _common(
            start,
            end,
            tz,
            period=period.value,
            start_event=None if first_seen else start_event,
            return_event=return_event,
            periods=periods,
            interval=interval.value if interval else None,
            confidence=confidence,
        )
        extra = ("rate", "rate_low", "rate_high") if interval else ()
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("retention", file, mapping, params, cut, fmt, all_columns, extra)
            return
        _show(_compute("retention", file, mapping, params), fmt, all_columns, extra)
    except ProductHQError as exc:
        raise _fail(exc) from None


def _write_dropped(path: Path, result: MetricResult, params: MetricParams) -> None:
    frame = result.frame
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["breakdown", "step", "event", "user_id"])
        for rec in frame.sort_values(["breakdown", "furthest_step", "user_id"]).itertuples():
            k = int(rec.furthest_step)
            if k < len(params.steps):
                writer.writerow([rec.breakdown, k + 1, params.steps[k].label(), rec.user_id])


@app.command("funnel")
def funnel_command(
    file: FileArg,
    steps: Annotated[
        str, typer.Option("--steps", help="Comma-separated steps; filters as name[key=value].")
    ],
    window: Annotated[
        str, typer.Option("--window", help="Conversion window from step 1, e.g. 7d, 12h.")
    ] = "7d",
    no_reentry: Annotated[
        bool, typer.Option("--no-reentry", help="Only the first step-1 event starts an attempt.")
    ] = False,
    breakdown: Annotated[
        str | None,
        typer.Option(
            "--breakdown",
            help="Property of the step-1 event (plan), or user.KEY / account.KEY (needs "
            "--users / --accounts).",
        ),
    ] = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    dropped: Annotated[
        Path | None,
        typer.Option("--dropped", help="Write users who dropped at each step to this CSV."),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """Ordered funnel with a conversion window and re-entry."""
    try:
        params = _common(
            start,
            end,
            tz,
            steps=parse_steps(steps),
            window=parse_window(window),
            reentry=not no_reentry,
            breakdown=breakdown,
        )
        cut = _Slice(breakdown, segment, users, accounts)
        if segment or users or accounts or service.split_breakdown(breakdown)[0] != "event":
            if dropped is not None:
                raise InvalidInputError.single(
                    ("dropped",), "--dropped works without --segment and user/account breakdowns"
                )
            params = dataclasses.replace(params, breakdown=None)
            _emit_sliced("funnel", file, mapping, params, cut, fmt, all_columns)
            return
        events = read_events(file, parse_mapping(mapping or []))
        result = run_metric("funnel", events, params)
        if dropped is not None:
            _write_dropped(dropped, run_metric("funnel_users", events, params), params)
        if breakdown and not all_columns:
            emit(result.rows(extras=True), ["breakdown", *result.columns], fmt)
            return
        _show(result, fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None


@app.command("lifecycle")
def lifecycle_command(
    file: FileArg,
    period: Annotated[PeriodChoice, typer.Option("--period")] = PeriodChoice.week,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    active_events: ActiveOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """New, returning, resurrecting and dormant users per period (with user churn rate)."""
    try:
        params = _common(start, end, tz, period=period.value, active_events=_names(active_events))
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("lifecycle", file, mapping, params, cut, fmt, all_columns)
            return
        _show(_compute("lifecycle", file, mapping, params), fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None


@app.command("mrr")
def mrr_command(
    file: FileArg,
    customer: Annotated[
        CustomerChoice, typer.Option("--customer", help="Customer column.")
    ] = CustomerChoice.user_id,
    subscription_events: Annotated[
        str | None,
        typer.Option(
            "--subscription-events",
            help="started,changed,cancelled event names (default subscription_*).",
        ),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    tz: TzOpt = "UTC",
    mapping: MapOpt = None,
    breakdown: BreakdownOpt = None,
    segment: SegmentOpt = None,
    users: UsersOpt = None,
    accounts: AccountsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    all_columns: AllOpt = False,
) -> None:
    """Monthly MRR movements (new, expansion, contraction, churned, reactivation), NRR, GRR."""
    try:
        params = _common(start, end, tz, customer=customer.value)
        names = _names(subscription_events)
        if names:
            if len(names) != 3:
                raise InvalidInputError.single(
                    ("subscription-events",),
                    "--subscription-events needs three names: started,changed,cancelled",
                )
            params = dataclasses.replace(
                params, subscription_events=names, cancel_events=(names[2],)
            )
        cut = _Slice(breakdown, segment, users, accounts)
        if not cut.plain():
            _emit_sliced("mrr", file, mapping, params, cut, fmt, all_columns)
            return
        _show(_compute("mrr", file, mapping, params), fmt, all_columns)
    except ProductHQError as exc:
        raise _fail(exc) from None
