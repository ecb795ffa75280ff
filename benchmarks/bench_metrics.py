"""Benchmark the metrics core: ProductHQ (Ibis on DuckDB) vs hand-written DuckDB SQL vs pandas.

For each size the seeded generator writes a Parquet file (cached under benchmarks/results/.cache).
Each (metric, implementation) runs in its own subprocess that loads the events, times only the
metric, and reports the result rows and its peak resident memory (``resource.getrusage``
``ru_maxrss``: tracemalloc does not see DuckDB's allocations). The parent checks that all
implementations give identical numbers, prints a table and writes benchmarks/results/metrics.json.

Implementations:

- ``ours``: ProductHQ as the embedded store runs it: the events in the store's ``events`` table
  (one workspace), the user-days rollup built by ``rollup.refresh`` at load (its cost is reported
  as "rollup s", outside the metric's time, as the loader and importer pay it once per load), and
  ``service.metric_events`` choosing the rollup for DAU, WAU/MAU and lifecycle;
- ``raw``: ProductHQ's metric on the events table itself (warehouse-native mode, any engine), for
  the rollup kinds only (for the others ``ours`` already reads the events);
- ``sql``: hand-written DuckDB SQL on the events table;
- ``pandas``: a straightforward pandas implementation on the columns the metric needs.

    nice python benchmarks/bench_metrics.py                 # 1M events (quick)
    nice python benchmarks/bench_metrics.py --sizes 10M     # documented target size
    nice python benchmarks/bench_metrics.py --sizes 50M --skip-pandas-above 10M

Targets: ours within 1.5x of hand SQL; at least 5x faster than pandas at 10M and 50M.
"""

# ruff: noqa: E501 - the hand-written SQL reads best on long lines

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CACHE = RESULTS / ".cache"
METRICS = ["dau", "wau_mau", "retention", "funnel", "lifecycle", "mrr"]
IMPLS = ["ours", "raw", "sql", "pandas"]
ROLLUP_METRICS = {"dau", "wau_mau", "lifecycle"}
PANDAS_COLUMNS = ["event", "user_id", "timestamp"]
PANDAS_MRR_COLUMNS = [*PANDAS_COLUMNS, "message_id", "properties"]
START, END = date(2024, 1, 1), date(2024, 12, 30)
STEPS = ["signup", "project_created", "invite_sent"]
WINDOW_SECONDS = 7 * 86400
RETENTION_PERIODS = 12
DAY0 = date(1900, 1, 1)


def parse_size(text: str) -> int:
    """Parse 1M, 500k, 2.5M or a plain integer."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


# --- hand-written DuckDB SQL ---------------------------------------------------------------------

SQL: dict[str, str] = {
    "dau": """
        WITH days AS (SELECT range::DATE AS day FROM range(DATE '{start}', DATE '{end}' + 1, INTERVAL 1 DAY)),
        c AS (SELECT CAST(timestamp AS DATE) AS day, COUNT(DISTINCT user_id) AS dau FROM events
              WHERE timestamp >= '{start}' AND timestamp < DATE '{end}' + 1 GROUP BY 1)
        SELECT days.day, COALESCE(c.dau, 0) AS dau FROM days LEFT JOIN c USING (day) ORDER BY 1
    """,
    "wau_mau": """
        WITH days AS (SELECT range::DATE AS day FROM range(DATE '{start}', DATE '{end}' + 1, INTERVAL 1 DAY)),
        ud AS (SELECT DISTINCT user_id, CAST(timestamp AS DATE) AS day FROM events
               WHERE timestamp >= '{start}' AND timestamp < DATE '{end}' + 1),
        w AS (SELECT d.day, COUNT(DISTINCT ud.user_id) AS wau FROM days d
              JOIN ud ON ud.day BETWEEN d.day - 6 AND d.day GROUP BY 1),
        m AS (SELECT d.day, COUNT(DISTINCT ud.user_id) AS mau FROM days d
              JOIN ud ON ud.day BETWEEN d.day - 29 AND d.day GROUP BY 1)
        SELECT days.day, COALESCE(w.wau, 0) AS wau, COALESCE(m.mau, 0) AS mau
        FROM days LEFT JOIN w USING (day) LEFT JOIN m USING (day) ORDER BY 1
    """,
    "retention": """
        WITH ev AS (SELECT user_id, event, date_trunc('week', timestamp)::DATE AS w FROM events
                    WHERE timestamp >= '{start}' AND timestamp < DATE '{end}' + 1),
        cohorts AS (SELECT user_id, MIN(w) AS c FROM ev WHERE event = 'signup' GROUP BY 1),
        hits AS (SELECT DISTINCT r.user_id, c.c, (r.w - c.c) // 7 AS k
                 FROM (SELECT DISTINCT user_id, w FROM ev) r JOIN cohorts c USING (user_id)
                 WHERE r.w > c.c AND (r.w - c.c) // 7 <= {periods}),
        sizes AS (SELECT c, COUNT(*) AS n FROM cohorts GROUP BY 1),
        grid AS (SELECT cw::DATE AS c, k FROM range(CAST(date_trunc('week', DATE '{start}') AS TIMESTAMP),
                   CAST(DATE '{end}' + 1 AS TIMESTAMP), INTERVAL 7 DAY) t(cw), range(0, {periods} + 1) r(k)
                 WHERE cw::DATE + CAST(7 * k AS INTEGER) <= DATE '{end}'),
        on_ AS (SELECT c, k, COUNT(*) AS n FROM hits GROUP BY 1, 2),
        latest AS (SELECT c, k, COUNT(*) AS n FROM (SELECT user_id, c, MAX(k) AS k FROM hits GROUP BY 1, 2) GROUP BY 1, 2)
        SELECT g.c AS cohort_week, g.k AS period, COALESCE(s.n, 0) AS cohort_size,
               CASE WHEN g.k = 0 THEN COALESCE(s.n, 0) ELSE COALESCE(o.n, 0) END AS retained,
               CASE WHEN g.k = 0 THEN COALESCE(s.n, 0) ELSE
                 COALESCE(SUM(COALESCE(l.n, 0)) OVER (PARTITION BY g.c ORDER BY g.k DESC
                   ROWS UNBOUNDED PRECEDING), 0) END AS retained_unbounded
        FROM grid g LEFT JOIN sizes s ON s.c = g.c LEFT JOIN on_ o ON o.c = g.c AND o.k = g.k
        LEFT JOIN latest l ON l.c = g.c AND l.k = g.k ORDER BY 1, 2
    """,
    "funnel": """
        WITH ev AS (SELECT user_id, event, timestamp AS ts FROM events
                    WHERE timestamp >= '{start}' AND timestamp < DATE '{end}' + 1
                      AND event IN ('{s1}', '{s2}', '{s3}')),
        att AS (SELECT user_id, ts AS t1 FROM ev WHERE event = '{s1}'),
        a2 AS (SELECT a.user_id, a.t1, MIN(e.ts) AS s2 FROM att a LEFT JOIN ev e
               ON e.user_id = a.user_id AND e.event = '{s2}' AND e.ts >= a.t1
              AND e.ts <= a.t1 + INTERVAL {window} SECOND GROUP BY 1, 2),
        a3 AS (SELECT a.user_id, a.t1, a.s2, MIN(e.ts) AS s3 FROM a2 a LEFT JOIN ev e
               ON e.user_id = a.user_id AND e.event = '{s3}' AND e.ts >= a.s2
              AND e.ts <= a.t1 + INTERVAL {window} SECOND GROUP BY 1, 2, 3),
        u AS (SELECT user_id, MAX(CASE WHEN s3 IS NOT NULL THEN 3 WHEN s2 IS NOT NULL THEN 2 ELSE 1 END) AS f
              FROM a3 GROUP BY 1)
        SELECT k AS step, COUNT(*) FILTER (WHERE f >= k) AS users FROM u, range(1, 4) r(k) GROUP BY 1 ORDER BY 1
    """,
    "lifecycle": """
        WITH a AS (SELECT DISTINCT user_id, date_trunc('week', timestamp)::DATE AS w FROM events
                   WHERE timestamp < DATE '{end}' + 1),
        b AS (SELECT user_id, w, MIN(w) OVER (PARTITION BY user_id) AS f,
                     LAG(w) OVER (PARTITION BY user_id ORDER BY w) AS prev,
                     LEAD(w) OVER (PARTITION BY user_id ORDER BY w) AS nxt FROM a),
        s AS (SELECT w, SUM((w = f)::INT) AS new, SUM((prev = w - 7)::INT) AS "returning",
                     SUM((w <> f AND prev IS DISTINCT FROM w - 7)::INT) AS resurrecting FROM b GROUP BY 1),
        d AS (SELECT w + 7 AS w, COUNT(*) AS dormant FROM b WHERE nxt IS NULL OR nxt > w + 7 GROUP BY 1),
        weeks AS (SELECT range::DATE AS w FROM range(CAST(date_trunc('week', DATE '{start}') AS TIMESTAMP),
                                                  CAST(DATE '{end}' + 1 AS TIMESTAMP), INTERVAL 7 DAY))
        SELECT weeks.w AS week, COALESCE(new, 0) AS new, COALESCE("returning", 0) AS "returning",
               COALESCE(resurrecting, 0) AS resurrecting, COALESCE(dormant, 0) AS dormant
        FROM weeks LEFT JOIN s USING (w) LEFT JOIN d USING (w) ORDER BY 1
    """,
    "mrr": """
        WITH e AS (SELECT user_id AS c, date_trunc('month', timestamp)::DATE AS m, timestamp AS ts, message_id,
                          CAST(ROUND(COALESCE(CAST(properties->>'mrr' AS DOUBLE),
                               CASE WHEN event = 'subscription_cancelled' THEN 0 END) * 100) AS BIGINT) AS cents
                   FROM events WHERE timestamp < DATE '{end}' + 1 AND event IN
                   ('subscription_started', 'subscription_changed', 'subscription_cancelled')),
        snap AS (SELECT c, m, arg_max(cents, (ts, message_id)) AS cur FROM e WHERE cents IS NOT NULL GROUP BY 1, 2),
        mv AS (SELECT c, m, cur, COALESCE(LAG(cur) OVER w, 0) AS prev,
                      COALESCE(MAX(cur) OVER (PARTITION BY c ORDER BY m ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) > 0 AS had
               FROM snap WINDOW w AS (PARTITION BY c ORDER BY m)),
        per AS (SELECT GREATEST(m, DATE '{start}' - INTERVAL 1 MONTH)::DATE AS m,
                  SUM(CASE WHEN prev = 0 AND cur > 0 AND NOT had THEN cur ELSE 0 END) AS new_mrr,
                  SUM(CASE WHEN prev > 0 AND cur > prev THEN cur - prev ELSE 0 END) AS expansion_mrr,
                  SUM(CASE WHEN prev > 0 AND cur > 0 AND cur < prev THEN prev - cur ELSE 0 END) AS contraction_mrr,
                  SUM(CASE WHEN prev > 0 AND cur = 0 THEN prev ELSE 0 END) AS churned_mrr,
                  SUM(CASE WHEN prev = 0 AND cur > 0 AND had THEN cur ELSE 0 END) AS reactivation_mrr,
                  SUM(cur - prev) AS net
                FROM mv GROUP BY 1),
        months AS (SELECT range::DATE AS m FROM range(DATE '{start}' - INTERVAL 1 MONTH, DATE '{end}' + 1, INTERVAL 1 MONTH)),
        f AS (SELECT months.m, COALESCE(new_mrr, 0) AS new_mrr, COALESCE(expansion_mrr, 0) AS expansion_mrr,
                     COALESCE(contraction_mrr, 0) AS contraction_mrr, COALESCE(churned_mrr, 0) AS churned_mrr,
                     COALESCE(reactivation_mrr, 0) AS reactivation_mrr,
                     SUM(COALESCE(net, 0)) OVER (ORDER BY months.m) AS ending, COALESCE(net, 0) AS net
              FROM months LEFT JOIN per USING (m))
        SELECT m AS month, (ending - net) / 100.0 AS starting_mrr, new_mrr / 100.0 AS new_mrr,
               expansion_mrr / 100.0 AS expansion_mrr, contraction_mrr / 100.0 AS contraction_mrr,
               churned_mrr / 100.0 AS churned_mrr, reactivation_mrr / 100.0 AS reactivation_mrr,
               ending / 100.0 AS ending_mrr
        FROM f WHERE m >= DATE '{start}' ORDER BY 1
    """,
}

COLUMNS = {
    "dau": ["day", "dau"],
    "wau_mau": ["day", "wau", "mau"],
    "retention": ["cohort_week", "period", "cohort_size", "retained", "retained_unbounded"],
    "funnel": ["step", "users"],
    "lifecycle": ["week", "new", "returning", "resurrecting", "dormant"],
    "mrr": [
        "month",
        "starting_mrr",
        "new_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "reactivation_mrr",
        "ending_mrr",
    ],
}


def run_sql(con: Any, metric: str) -> pd.DataFrame:
    """Run the hand-written SQL of a metric."""
    sql = SQL[metric].format(
        start=START,
        end=END,
        periods=RETENTION_PERIODS,
        window=WINDOW_SECONDS,
        s1=STEPS[0],
        s2=STEPS[1],
        s3=STEPS[2],
    )
    return con.sql(sql).df()


# --- ProductHQ -----------------------------------------------------------------------------------


def _params() -> Any:
    from datetime import timedelta

    from producthq.analytics.params import MetricParams, Step

    return MetricParams(
        start=START,
        end=END,
        steps=tuple(Step(s) for s in STEPS),
        window=timedelta(seconds=WINDOW_SECONDS),
        periods=RETENTION_PERIODS,
    )


def run_ours(events: Any, metric: str) -> pd.DataFrame:
    """Run a metric through ProductHQ's runner on an Ibis table of events."""
    from producthq.analytics.metrics import run_metric

    return run_metric(metric, events, _params()).frame


def load_store(con: Any, path: str) -> tuple[Any, float]:
    """Load the events into the store's tables (workspace 1) and build the rollup.

    Returns the ``SegmentSources`` the service reads and the rollup's build time in seconds.
    """
    from producthq.analytics import rollup
    from producthq.analytics.segments import SegmentSources
    from producthq.analytics.store import SCHEMA_SQL, workspace_events

    for statement in (*SCHEMA_SQL, *rollup.SCHEMA_SQL):
        con.raw_sql(statement)
    con.raw_sql(
        "INSERT INTO events BY NAME SELECT 1 AS workspace_id, * REPLACE "
        f"(CAST(properties AS JSON) AS properties) FROM read_parquet('{path}')"
    )
    t0 = time.perf_counter()
    rollup.refresh(con.con)
    seconds = time.perf_counter() - t0
    sources = SegmentSources(
        workspace_events(con, 1),
        user_days=rollup.user_days(con, 1),
        user_keys=rollup.user_keys(con, 1),
    )
    return sources, seconds


def run_store(sources: Any, metric: str) -> pd.DataFrame:
    """Run a metric as the service does: on the table ``metric_events`` picks."""
    from producthq.analytics.query import PreparedQuery
    from producthq.analytics.service import metric_events

    params = _params()
    table = metric_events(sources, PreparedQuery(metric, params))
    return run_ours(table, metric)


# --- pandas --------------------------------------------------------------------------------------


def _pd_days() -> pd.DatetimeIndex:
    return pd.date_range(START, END, freq="D")


def pandas_metric(df: pd.DataFrame, metric: str) -> pd.DataFrame:  # noqa: C901 - one per metric
    """A straightforward pandas implementation of each metric."""
    end_excl = pd.Timestamp(END) + pd.Timedelta(days=1)
    in_range = df[(df.timestamp >= pd.Timestamp(START)) & (df.timestamp < end_excl)]
    if metric == "dau":
        day = in_range.timestamp.dt.floor("D")
        s = in_range.groupby(day).user_id.nunique().reindex(_pd_days(), fill_value=0)
        return pd.DataFrame({"day": s.index.date, "dau": s.values})
    if metric == "wau_mau":
        ud = in_range.assign(day=in_range.timestamp.dt.floor("D"))[["user_id", "day"]]
        ud = ud.drop_duplicates()
        rows = []
        for d in _pd_days():
            w = ud[(ud.day > d - pd.Timedelta(days=7)) & (ud.day <= d)].user_id.nunique()
            m = ud[(ud.day > d - pd.Timedelta(days=30)) & (ud.day <= d)].user_id.nunique()
            rows.append((d.date(), w, m))
        return pd.DataFrame(rows, columns=["day", "wau", "mau"])
    if metric == "retention":
        ev = in_range.assign(w=in_range.timestamp.dt.to_period("W-SUN").dt.start_time)
        cohorts = ev[ev.event == "signup"].groupby("user_id").w.min().rename("c")
        hits = ev[["user_id", "w"]].drop_duplicates().join(cohorts, on="user_id", how="inner")
        hits["k"] = (hits.w - hits.c).dt.days // 7
        hits = hits[(hits.k >= 1) & (hits.k <= RETENTION_PERIODS)]
        sizes = cohorts.value_counts()
        on = hits.groupby(["c", "k"]).size()
        latest = hits.groupby(["user_id", "c"]).k.max().reset_index().groupby(["c", "k"]).size()
        rows = []
        first_w = pd.Timestamp(START) - pd.Timedelta(days=pd.Timestamp(START).weekday())
        for c in pd.date_range(first_w, pd.Timestamp(END), freq="7D"):
            n = int(sizes.get(c, 0))
            after = 0
            cells = []
            for k in range(RETENTION_PERIODS, -1, -1):
                after += int(latest.get((c, k), 0))
                if c + pd.Timedelta(days=7 * k) <= pd.Timestamp(END):
                    ret = n if k == 0 else int(on.get((c, k), 0))
                    cells.append((c.date(), k, n, ret, n if k == 0 else after))
            rows.extend(reversed(cells))
        return pd.DataFrame(rows, columns=COLUMNS["retention"])
    if metric == "funnel":
        ev = in_range[in_range.event.isin(STEPS)].sort_values("timestamp")
        att = ev[ev.event == STEPS[0]][["user_id", "timestamp"]].rename(columns={"timestamp": "t1"})
        att["s1"] = att.t1
        for k in (2, 3):
            nxt = ev[ev.event == STEPS[k - 1]][["user_id", "timestamp"]]
            nxt = nxt.rename(columns={"timestamp": f"s{k}"})
            prev = f"s{k - 1}"
            known = att[att[prev].notna()].sort_values(prev)
            merged = pd.merge_asof(
                known,
                nxt.assign(key=nxt[f"s{k}"]).sort_values("key"),
                left_on=prev,
                right_on="key",
                by="user_id",
                direction="forward",
            ).drop(columns="key")
            ok = merged[f"s{k}"] <= merged.t1 + pd.Timedelta(seconds=WINDOW_SECONDS)
            merged[f"s{k}"] = merged[f"s{k}"].where(ok)
            att = pd.concat([merged, att[att[prev].isna()].assign(**{f"s{k}": pd.NaT})])
        furthest = 1 + att.s2.notna().astype(int) + att.s3.notna().astype(int)
        per_user = furthest.groupby(att.user_id).max()
        return pd.DataFrame(
            {"step": [1, 2, 3], "users": [int((per_user >= k).sum()) for k in (1, 2, 3)]}
        )
    if metric == "lifecycle":
        upto = df[df.timestamp < end_excl]
        w = upto.timestamp.dt.to_period("W-SUN").dt.start_time
        a = pd.DataFrame({"user_id": upto.user_id, "w": w}).drop_duplicates()
        a = a.sort_values(["user_id", "w"])
        g = a.groupby("user_id").w
        a["first"] = g.transform("min")
        a["prev"] = g.shift(1)
        a["nxt"] = g.shift(-1)
        week = pd.Timedelta(days=7)
        new = a[a.w == a["first"]].groupby("w").size()
        ret = a[a.prev == a.w - week].groupby("w").size()
        res = a[(a.w != a["first"]) & (a.prev != a.w - week)].groupby("w").size()
        dor = (
            a[a.nxt.isna() | (a.nxt > a.w + week)]
            .assign(w=lambda x: x.w + week)
            .groupby("w")
            .size()
        )
        first_w = pd.Timestamp(START) - pd.Timedelta(days=pd.Timestamp(START).weekday())
        weeks = pd.date_range(first_w, pd.Timestamp(END), freq="7D")
        return pd.DataFrame(
            {
                "week": weeks.date,
                "new": new.reindex(weeks, fill_value=0).values,
                "returning": ret.reindex(weeks, fill_value=0).values,
                "resurrecting": res.reindex(weeks, fill_value=0).values,
                "dormant": dor.reindex(weeks, fill_value=0).values,
            }
        )
    if metric == "mrr":
        subs = df[(df.timestamp < end_excl) & df.event.str.startswith("subscription_")].copy()
        subs["cents"] = [round(json.loads(p)["mrr"] * 100) if p else 0 for p in subs.properties]
        subs["m"] = subs.timestamp.dt.to_period("M")
        subs = subs.sort_values(["user_id", "m", "timestamp", "message_id"])
        snap = subs.groupby(["user_id", "m"]).cents.last().reset_index()
        g = snap.groupby("user_id").cents
        snap["prev"] = g.shift(1).fillna(0)
        snap["had"] = g.transform(lambda s: s.cummax().shift(1).fillna(0)) > 0
        cur, prev, had = snap.cents, snap.prev, snap.had
        snap["new_mrr"] = cur.where((prev == 0) & (cur > 0) & ~had, 0)
        snap["reactivation_mrr"] = cur.where((prev == 0) & (cur > 0) & had, 0)
        snap["expansion_mrr"] = (cur - prev).where((prev > 0) & (cur > prev), 0)
        snap["contraction_mrr"] = (prev - cur).where((prev > 0) & (cur > 0) & (cur < prev), 0)
        snap["churned_mrr"] = prev.where((prev > 0) & (cur == 0), 0)
        snap["net"] = cur - prev
        months = pd.period_range(START, END, freq="M")
        per = snap.groupby("m")[list(COLUMNS["mrr"][2:7]) + ["net"]].sum()
        ending = per.net.cumsum().reindex(months, method="ffill").fillna(0)
        per = per.reindex(months, fill_value=0)
        out = pd.DataFrame({"month": months.start_time.date})
        out["starting_mrr"] = (ending - per.net).values / 100
        for c in COLUMNS["mrr"][2:7]:
            out[c] = per[c].values / 100
        out["ending_mrr"] = ending.values / 100
        return out
    raise ValueError(metric)


# --- worker and parent ---------------------------------------------------------------------------


def worker(impl: str, metric: str, path: str, warmup: bool, repeat: int = 1) -> None:
    """Load the events, time one metric, print a JSON report on stdout.

    With ``warmup`` the metric runs once untimed first, for every implementation alike, so the
    figure is the steady-state cost (caches, lazy imports and first-query set-up excluded).
    With ``repeat`` > 1 the metric is timed that many times and the fastest run is reported
    (the usual estimate on a shared machine, where other load only ever adds time).
    """
    extra: dict[str, float] = {}
    if impl == "pandas":
        df = pd.read_parquet(
            path, columns=PANDAS_MRR_COLUMNS if metric == "mrr" else PANDAS_COLUMNS
        )
        load_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if warmup:
            pandas_metric(df, metric)
        seconds = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = pandas_metric(df, metric)
            seconds = min(seconds, time.perf_counter() - t0)
    else:
        import ibis

        con = ibis.duckdb.connect()
        con.raw_sql("SET TimeZone = 'UTC'")
        sources = None
        if impl == "ours":
            # Import outside the timed region: module import (scipy, ibis compilers) is a
            # one-off start-up cost, not the metric's.
            import producthq.analytics.service  # noqa: F401

            sources, extra["rollup_seconds"] = load_store(con, path)
        else:
            con.raw_sql(
                f"CREATE TABLE events AS SELECT * REPLACE (CAST(properties AS JSON) AS properties) "
                f"FROM read_parquet('{path}')"
            )
            import producthq.analytics.metrics  # noqa: F401
        load_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def once() -> pd.DataFrame:
            if impl == "ours":
                return run_store(sources, metric)
            if impl == "raw":
                return run_ours(con.table("events"), metric)
            return run_sql(con.con, metric)

        if warmup:
            once()
        seconds = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = once()
            seconds = min(seconds, time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = out[COLUMNS[metric]].copy()
    rows = json.loads(out.to_json(orient="values", date_format="iso"))
    report = {
        "seconds": seconds,
        "peak_rss_mb": peak / 1024,
        "load_rss_mb": load_rss / 1024,
        **extra,
    }
    sys.stdout.write(json.dumps({**report, "rows": rows}) + "\n")


def _normalise(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        out.append(
            tuple(
                round(float(v), 2)
                if isinstance(v, float | int) and not isinstance(v, bool)
                else str(v)[:10]
                for v in r
            )
        )
    return out


def ensure_events(size: int, seed: int) -> Path:
    """Generate (once) and return the Parquet file of ``size`` events."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from producthq.analytics.generator import GeneratorConfig, write_parquet

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"events_{size}_{seed}.parquet"
    if not path.exists():
        t0 = time.perf_counter()
        rows = write_parquet(path, GeneratorConfig(events=size, start=START, days=365, seed=seed))
        print(f"generated {rows:,} events in {time.perf_counter() - t0:.1f}s -> {path.name}")
    return path


def main() -> None:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M", help="comma-separated, e.g. 1M,10M,50M")
    ap.add_argument("--metrics", default=",".join(METRICS))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-pandas-above", default="20M", help="size above which pandas is skipped")
    ap.add_argument("--out", default=str(RESULTS / "metrics.json"))
    ap.add_argument("--cold", action="store_true", help="time the first run (no warm-up run)")
    ap.add_argument(
        "--repeat", type=int, default=1, help="timed runs per measurement; fastest kept"
    )
    ap.add_argument("--worker", nargs=3, metavar=("IMPL", "METRIC", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, warmup=not args.cold, repeat=max(1, args.repeat))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(160, Console().width))
    results: list[dict[str, Any]] = []
    skip_pandas = parse_size(args.skip_pandas_above)
    for size in (parse_size(s) for s in args.sizes.split(",")):
        path = ensure_events(size, args.seed)
        import pyarrow.parquet as pq

        rows_in_file = pq.ParquetFile(path).metadata.num_rows
        for metric in args.metrics.split(","):
            entry: dict[str, Any] = {
                "size": size,
                "events": rows_in_file,
                "metric": metric,
                "timing": "cold" if args.cold else "warm",
                "repeat": args.repeat,
                "load_average": round(os.getloadavg()[0], 2),
            }
            answers = {}
            for impl in IMPLS:
                if impl == "pandas" and size > skip_pandas:
                    continue
                if impl == "raw" and metric not in ROLLUP_METRICS:
                    continue
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        impl,
                        metric,
                        str(path),
                        *(["--cold"] if args.cold else []),
                        f"--repeat={args.repeat}",
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    entry[impl] = {"error": proc.stderr.strip().splitlines()[-1:]}
                    continue
                rep = json.loads(proc.stdout.strip().splitlines()[-1])
                answers[impl] = _normalise(rep.pop("rows"))
                entry[impl] = rep
            base = answers.get("ours")
            ran = [i for i in IMPLS if i in entry]
            entry["identical"] = (
                bool(base)
                and all(i in answers for i in ran)
                and all(a == base for a in answers.values())
            )
            ours, raw, sql, pdm = (entry.get(i, {}).get("seconds") for i in IMPLS)
            entry["ours_over_sql"] = ours / sql if ours and sql else None
            entry["raw_over_sql"] = raw / sql if raw and sql else None
            entry["pandas_over_ours"] = pdm / ours if ours and pdm else None
            entry["pandas_over_raw"] = pdm / raw if raw and pdm else None
            results.append(entry)
            console.print(
                f"{size:>11,} {metric:<10} ours {ours or float('nan'):7.3f}s  "
                f"raw {raw or float('nan'):7.3f}s  "
                f"sql {sql or float('nan'):7.3f}s  pandas {pdm or float('nan'):7.2f}s  "
                f"identical={entry['identical']}"
            )
    table = Table(
        "events",
        "metric",
        "ours s",
        "raw s",
        "sql s",
        "pandas s",
        "ours/sql",
        "raw/sql",
        "pandas/ours",
        "pandas/raw",
        "rollup s",
        "peak MB ours/raw/sql/pandas",
        "identical",
    )
    for e in results:

        def f(x: float | None, spec: str = ".2f") -> str:
            return "-" if x is None else format(x, spec)

        peaks = "/".join(f(e.get(i, {}).get("peak_rss_mb"), ".0f") for i in IMPLS)
        table.add_row(
            f"{e['events']:,}",
            e["metric"],
            f(e.get("ours", {}).get("seconds"), ".3f"),
            f(e.get("raw", {}).get("seconds"), ".3f"),
            f(e.get("sql", {}).get("seconds"), ".3f"),
            f(e.get("pandas", {}).get("seconds")),
            f(e["ours_over_sql"]),
            f(e.get("raw_over_sql")),
            f(e["pandas_over_ours"], ".1f"),
            f(e.get("pandas_over_raw"), ".1f"),
            f(e.get("ours", {}).get("rollup_seconds")),
            peaks,
            str(e["identical"]),
        )
    console.print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {"runs": []}
    done = {(e["size"], e["metric"]) for e in results}
    keep = [r for r in previous.get("runs", []) if (r["size"], r["metric"]) not in done]
    # Other keys (a "note" on the conditions of a run) are kept.
    out.write_text(
        json.dumps({**previous, "runs": keep + results}, indent=2) + "\n", encoding="utf-8"
    )
    if not all(e["identical"] for e in results):
        console.print("[red]implementations disagree[/red]")
        sys.exit(1)


if __name__ == "__main__":
    main()
