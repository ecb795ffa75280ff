"""Cost of a segment and of a user-property breakdown, relative to the plain metric.

Generates seeded synthetic SaaS events (``producthq.analytics.generator``) into an in-memory
DuckDB, gives every user one identify call with a plan (free / pro / team by a hash of the id),
then times DAU, retention and a three-step funnel through ``service.compute_insight``: plain,
with a segment (pro plan AND at least two ``project_created``), and broken down by
``user.plan`` (three values, so the metric runs three times). Best of two runs each; the
ratios to the plain run are what to compare across machines.

    python benchmarks/bench_segments.py --events 1000000

Writes ``benchmarks/results/segments.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import ibis

from producthq.analytics.generator import GeneratorConfig, generate_events
from producthq.analytics.query import InsightQuery, metric_params
from producthq.analytics.segments import SegmentSources, parse_definition
from producthq.analytics.service import compute_insight

RESULTS = Path(__file__).resolve().parent / "results"
SEGMENT = {
    "conditions": [
        {"type": "user", "key": "plan", "value": "pro"},
        {"type": "behaviour", "event": "project_created", "op": "at_least", "count": 2},
    ]
}
KINDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("dau", {}),
    ("retention", {}),
    ("funnel", {"steps": "signup,project_created,invite_sent"}),
)


def _sources(events: int) -> tuple[SegmentSources, int]:
    table = generate_events(GeneratorConfig(events=events, seed=7))
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    con.con.register("generated", table)
    con.raw_sql(
        "CREATE TABLE ev AS SELECT event, user_id, anonymous_id, group_id, timestamp, "
        "message_id, CAST(properties AS JSON) AS properties FROM generated"
    )
    con.raw_sql(
        "CREATE TABLE users AS SELECT user_id, NULL::VARCHAR AS anonymous_id, "
        "TIMESTAMP '2024-01-01' AS \"timestamp\", user_id AS message_id, "
        "to_json({'plan': CASE hash(user_id) % 3 WHEN 0 THEN 'free' WHEN 1 THEN 'pro' "
        "ELSE 'team' END}) AS traits FROM (SELECT DISTINCT user_id FROM ev)"
    )
    count = int(con.raw_sql("SELECT count(*) FROM ev").fetchone()[0])
    return SegmentSources(con.table("ev"), con.table("users")), count


def _best(fn: Any, runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    sources, count = _sources(args.events)
    segment = parse_definition(SEGMENT)
    as_of = date(2025, 1, 1)
    rows = []
    for kind, extra in KINDS:
        prepared = metric_params(InsightQuery(kind=kind, **extra))
        plain = _best(lambda p=prepared: compute_insight(sources, p, as_of=as_of))
        segd = _best(lambda p=prepared: compute_insight(sources, p, segment=segment, as_of=as_of))
        split = _best(
            lambda p=prepared: compute_insight(sources, p, breakdown=("user", "plan"), as_of=as_of)
        )
        rows.append({"metric": kind, "plain_s": plain, "segment_s": segd, "breakdown_s": split})
    print(f"events: {count}")
    head = ("metric", "plain s", "segment s", "ratio", "user.plan s", "ratio")
    print(f"{head[0]:<10} {head[1]:>8} {head[2]:>10} {head[3]:>6} {head[4]:>12} {head[5]:>6}")
    for r in rows:
        p, s, b = r["plain_s"], r["segment_s"], r["breakdown_s"]
        print(f"{r['metric']:<10} {p:8.2f} {s:10.2f} {s / p:6.2f} {b:12.2f} {b / p:6.2f}")
    RESULTS.mkdir(exist_ok=True)
    out = {"events": count, "rows": rows}
    (RESULTS / "segments.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
