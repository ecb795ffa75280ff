"""Benchmark: ranked full-text feedback search against the substring match it replaces.

Fills a fresh workspace, on SQLite and on PostgreSQL, with N feedback items (the 18,000 CLINC150
utterances in ``../shared/data/feedback/``, repeated with a suffix to reach N), written in
batches through the ORM so the index triggers (SQLite) and the generated column (PostgreSQL)
do their work as an import would. Then, for each query, times one inbox page (50 hits, the
total and the snippets):

* ``fulltext``: :func:`producthq.feedback.search.search_feedback`, ranked, with snippets;
* ``substring``: the match the inbox used before, the whole query as one case-blind
  ``LIKE '%query%'`` on text and title, newest first, with the total (the baseline, same run).

Each case runs ``--repeat`` times after one warm-up; the table shows medians in milliseconds
and the ratio substring / fulltext (above 1: full-text is faster). It also reports how many
items each finds: the substring misses word forms and word order ("transfers" does not find
"transfer", "credit card" not "card ... credit") and has no operators.
Run: ``python benchmarks/bench_feedback_search.py [--items 50000] [--repeat 5] [--no-postgres]``.
Writes ``benchmarks/results/feedback_search.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from producthq.accounts import service as accounts
from producthq.accounts.schemas import UserCreate, WorkspaceCreate
from producthq.db import make_engine, make_session_factory
from producthq.feedback import search
from producthq.feedback.models import FeedbackItem
from producthq.migrate import upgrade

RESULTS = Path(__file__).parent / "results" / "feedback_search.json"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "feedback" / "intents_clinc150.csv"
PG_ADMIN = os.environ.get(
    "PRODUCTHQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
QUERIES = [
    "reservations",
    "oil change",
    "book a flight",
    "restaurant -reservation",
    "weather OR rain",
]


def _texts(n: int) -> list[str]:
    with DATA.open(encoding="utf-8") as f:
        base = [row["text"] for row in csv.DictReader(f)]
    random.Random(4).shuffle(base)  # the file is sorted by intent  # noqa: S311 - data order
    return [
        base[i % len(base)] + ("" if i < len(base) else f" ({i // len(base)})") for i in range(n)
    ]


def _fill(engine: Engine, n: int) -> tuple[int, float]:
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        owner = accounts.create_user(
            s,
            data=UserCreate(email="bench@example.com", name="B", password="long password x"),  # noqa: S106
        )
        ws = accounts.create_workspace(s, owner=owner, data=WorkspaceCreate(slug="bench", name="B"))
        s.commit()
        ws_id = ws.id
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [
        {
            "workspace_id": ws_id,
            "title": "",
            "text": t,
            "source": "support_ticket",
            "occurred_at": start + timedelta(minutes=i),
            "tags": [],
            "status": "new",
            "content_hash": f"{i:064d}",
            "extra": {},
        }
        for i, t in enumerate(_texts(n))
    ]
    began = time.perf_counter()
    with factory() as s:
        for k in range(0, n, 2000):
            s.execute(insert(FeedbackItem), rows[k : k + 2000])
        s.commit()
    elapsed = time.perf_counter() - began
    with engine.begin() as c:  # fresh statistics, as autovacuum would gather them
        c.execute(text("ANALYZE"))
    return ws_id, elapsed


def _substring(session: Session, ws: int, query: str) -> int:
    # Exactly what the inbox did before: the whole query as one case-blind substring.
    like = f"%{query.lower()}%"
    stmt = select(FeedbackItem).where(
        FeedbackItem.workspace_id == ws,
        func.lower(FeedbackItem.text).like(like) | func.lower(FeedbackItem.title).like(like),
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    list(session.scalars(stmt.order_by(FeedbackItem.occurred_at.desc()).limit(50)))
    return total


def _fulltext(session: Session, ws: int, query: str) -> int:
    return search.search_feedback(session, workspace_id=ws, query=query, limit=50).total


def _time(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    found = fn()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), found


def _run_engine(name: str, engine: Engine, n: int, repeat: int) -> list[dict[str, Any]]:
    ws, fill_s = _fill(engine, n)
    out = []
    with make_session_factory(engine)() as s:
        for q in QUERIES:
            ft_ms, ft_n = _time(lambda q=q: _fulltext(s, ws, q), repeat)  # type: ignore[misc]
            ss_ms, ss_n = _time(lambda q=q: _substring(s, ws, q), repeat)  # type: ignore[misc]
            out.append(
                {
                    "engine": name,
                    "query": q,
                    "fulltext_ms": round(ft_ms, 2),
                    "fulltext_found": ft_n,
                    "substring_ms": round(ss_ms, 2),
                    "substring_found": ss_n,
                    "ratio": round(ss_ms / ft_ms, 2) if ft_ms else None,
                    "insert_items_per_s": round(n / fill_s),
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        results += _run_engine("sqlite", engine, args.items, args.repeat)
        engine.dispose()
    if not args.no_postgres:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"producthq_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
            results += _run_engine("postgresql", engine, args.items, args.repeat)
            engine.dispose()
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
    table = Table(title=f"One inbox page of search hits, {args.items:,} items (median ms)")
    for col in ("engine", "query", "fulltext ms", "found", "substring ms", "found", "ratio"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r["engine"],
            r["query"],
            f"{r['fulltext_ms']:.1f}",
            str(r["fulltext_found"]),
            f"{r['substring_ms']:.1f}",
            str(r["substring_found"]),
            f"{r['ratio']:.1f}×",
        )
    Console(width=110).print(table)
    for eng in dict.fromkeys(r["engine"] for r in results):
        rate = next(r["insert_items_per_s"] for r in results if r["engine"] == eng)
        Console().print(f"{eng}: {rate:,} items/s written with the index kept in step")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "items": args.items,
                "repeat": args.repeat,
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
