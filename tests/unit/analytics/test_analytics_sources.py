"""Reading events files (CSV, JSON Lines, Parquet) with a column mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from producthq.analytics.events import parse_mapping, to_canonical, unbound_events
from producthq.analytics.generator import GeneratorConfig, generate_events
from producthq.analytics.metrics import run_metric
from producthq.analytics.sources import detect_format, read_events
from producthq.errors import InvalidInputError

CSV = (
    "name,uid,time,props\n"
    'signup,1,2024-01-01T10:00:00Z,"{""plan"": ""pro""}"\n'
    "view,1,2024-01-02 01:00:00+02:00,\n"  # 2024-01-01 23:00 UTC: still day 1
    "view,2,2024-01-02 10:00:00,\n"
)
MAPPING = ["event=name", "user_id=uid", "timestamp=time", "properties=props"]


def test_csv_with_mapping_converts_offsets_to_utc(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    events = read_events(path, parse_mapping(MAPPING))
    assert events.columns == unbound_events().columns
    frame = run_metric("dau", events).frame
    assert list(frame.dau) == [1, 1]


def test_jsonl_with_epoch_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"event": "signup", "user_id": "a", "ts": 1704103200000},  # 2024-01-01 10:00 UTC
        {"event": "view", "user_id": "a", "ts": 1704189600},  # 2024-01-02 10:00 UTC (seconds)
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    events = read_events(path, {"timestamp": "ts"})
    frame = run_metric("dau", events).frame
    assert [str(x) for x in frame.day] == ["2024-01-01", "2024-01-02"]


def test_parquet_from_generator(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(generate_events(GeneratorConfig(events=3_000, days=30, seed=2)), path)
    events = read_events(path)
    assert int(events.count().execute()) > 0


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(["user_id"], "expected COLUMN=FIELD", id="no-equals"),
        pytest.param(["who=uid"], "unknown column 'who'", id="unknown-column"),
        pytest.param(["user_id=a", "user_id=b"], "mapped twice", id="twice"),
        pytest.param(["=a"], "expected COLUMN=FIELD", id="empty-column"),
    ],
)
def test_bad_mapping_is_invalid_input(items: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_mapping(items)


def test_mapping_to_missing_field_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="'nope'.*not a column") as info:
        read_events(path, {"event": "nope", "user_id": "uid", "timestamp": "time"})
    assert info.value.details[0].code == "unknown_column"


def test_missing_required_column_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="required column 'event'"):
        read_events(path)


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no such file"):
        read_events(tmp_path / "nope.csv")


def test_unknown_format_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="cannot tell the format"):
        read_events(path)


def test_unparseable_timestamp_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("event,user_id,timestamp\nsignup,1,not-a-time\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="cannot load"):
        read_events(path)


def test_detect_format_looks_through_gzip() -> None:
    assert detect_format(Path("a.ndjson.gz")) == "jsonl"


def test_to_canonical_fills_optional_columns() -> None:
    import ibis

    source = ibis.table({"event": "string", "user_id": "int64", "timestamp": "timestamp"}, name="s")
    out = to_canonical(source)
    assert out.schema()["user_id"].is_string()
    assert out.schema()["properties"].is_json()
