"""Warehouse-native mode: insights read an existing PostgreSQL table in place, through a mapping.

Needs the local server (127.0.0.1:5432, user postgres, database ``test``); the table lives in a
uniquely named schema, dropped afterwards.
"""

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from producthq.analytics import importer, service
from producthq.analytics.query import InsightQuery
from producthq.errors import EngineError, InvalidInputError
from producthq.settings import Settings

pytestmark = pytest.mark.postgres
DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
URL = "postgres://postgres@127.0.0.1:5432/test"

# A company's own table: other column names, one row per event.
ROWS = [
    ("signup", "a", "2026-10-05 09:00:00", '{"plan": "pro"}'),  # a signs up Monday
    ("project_created", "a", "2026-10-06 09:00:00", "{}"),  # a activates a day later
    ("signup", "b", "2026-10-07 09:00:00", '{"plan": "free"}'),  # b signs up Wednesday
    ("pageview", "a", "2026-10-12 10:00:00", "{}"),  # a comes back the next week
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[tuple[Settings, Any]]:
    psycopg = pytest.importorskip("psycopg")
    try:
        raw = psycopg.connect(DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is unavailable: {exc}")
    schema = f"phq_wh_{uuid.uuid4().hex[:10]}"
    raw.execute(f'CREATE SCHEMA "{schema}"')
    raw.execute(
        f'CREATE TABLE "{schema}".tracks (name text, distinct_id text, ts timestamp, props json)'
    )
    with raw.cursor() as cur:
        cur.executemany(f'INSERT INTO "{schema}".tracks VALUES (%s, %s, %s, %s)', ROWS)
    settings = Settings(
        data_dir=tmp_path / "data",
        events_url=URL,
        events_table=f"{schema}.tracks",
        events_mapping="event=name,user_id=distinct_id,timestamp=ts,properties=props",
    )
    try:
        yield settings, raw
    finally:
        raw.execute(f'DROP SCHEMA "{schema}" CASCADE')
        raw.close()


def test_insights_read_the_warehouse_table_in_place(warehouse: tuple[Settings, Any]) -> None:
    settings, _ = warehouse
    assert service.store_status(settings, workspace_id=1).events == 4
    dau = service.run_insight(
        settings,
        workspace_id=1,
        query=InsightQuery(kind="dau", start=date(2026, 10, 5), end=date(2026, 10, 8)),
    )
    # 10-05 a · 10-06 a · 10-07 b · 10-08 nobody
    assert [r["dau"] for r in dau.rows] == [1, 1, 1, 0]
    funnel = service.run_insight(
        settings, workspace_id=1, query=InsightQuery(kind="funnel", steps="signup,project_created")
    )
    # Both signed up; only a created a project (1 day later, inside 7 days).
    assert [r["users"] for r in funnel.rows] == [2, 1]
    pro = service.run_insight(
        settings, workspace_id=1, query=InsightQuery(kind="dau", filters=("plan=pro",))
    )
    assert sum(r["dau"] for r in pro.rows) == 1  # only a's signup carries plan=pro


def test_warehouse_mode_refuses_copying_and_reports_a_missing_table(
    warehouse: tuple[Settings, Any], tmp_path: Path
) -> None:
    settings, _ = warehouse
    path = tmp_path / "e.csv"
    path.write_text("event,user_id,timestamp\nx,u,2026-01-01\n", encoding="utf-8")
    with pytest.raises(EngineError, match="must be a DuckDB file"):
        importer.import_events(settings, workspace_id=1, path=path)
    missing = settings.model_copy(update={"events_table": "nowhere.nothing"})
    with pytest.raises(EngineError, match="cannot read 'nowhere.nothing'"):
        service.run_insight(missing, workspace_id=1, query=InsightQuery(kind="dau"))
    bad_map = settings.model_copy(update={"events_mapping": "user_id=who"})
    with pytest.raises(InvalidInputError, match="not a column"):
        service.run_insight(bad_map, workspace_id=1, query=InsightQuery(kind="dau"))
