"""Event sources on plain files: CSV, JSON Lines and Parquet read into DuckDB through Ibis.

The file's columns are mapped onto the canonical event schema (``events.py``); the metrics of
``METRICS.md`` then run on the resulting table. The DuckDB session runs in UTC so that
timestamps with an offset are converted to UTC wall-clock time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import to_canonical
from producthq.errors import InvalidInputError, ProductHQError

FileFormat = Literal["csv", "jsonl", "parquet"]
_SUFFIXES: dict[str, FileFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def detect_format(path: Path) -> FileFormat:
    """Return the file format from the name (``.gz`` is looked through).

    Examples:
        >>> detect_format(Path("events.csv.gz"))
        'csv'
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    known = ", ".join(sorted(_SUFFIXES))
    raise InvalidInputError.single(
        ("file",), f"cannot tell the format of {path.name!r}; use one of: {known}"
    )


def connect() -> Any:
    """Return a new in-memory DuckDB connection (an Ibis backend) running in UTC."""
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def read_events(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    *,
    connection: Any | None = None,
    table_name: str = "events",
) -> ir.Table:
    """Read an events file into DuckDB and return it as a canonical events table.

    CSV and JSON Lines files are loaded into a table once (so the metric's passes do
    not parse the text again, and bad values are found here); Parquet is read in place.

    Args:
        path: the file.
        mapping: canonical column → the file's field (from ``--map COLUMN=FIELD``).
        connection: an Ibis DuckDB backend; a new in-memory one by default.
        table_name: name of the loaded table.

    Returns:
        A bound Ibis table with the canonical event schema.

    Raises:
        InvalidInputError: the file is missing or unreadable, or the mapping does not fit it.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError.single(("file",), f"no such file: {path}", "not_found")
    fmt = detect_format(path)
    con = connection if connection is not None else connect()
    try:
        if fmt == "csv":
            raw = con.read_csv(str(path))
        elif fmt == "jsonl":
            raw = con.read_json(str(path), format="newline_delimited")
        else:
            raw = con.read_parquet(str(path))
    except ProductHQError:
        raise
    except Exception as exc:  # noqa: BLE001 - any engine error on a user's file is bad input
        raise InvalidInputError.single(
            ("file",), f"cannot read {path.name}: {_first_line(exc)}", "unreadable"
        ) from None
    canonical = to_canonical(raw, mapping)
    if fmt == "parquet":
        return canonical
    try:
        # CREATE TABLE AS through SQL: Ibis's create_table builds an INSERT whose column list
        # newer sqlglot leaves unquoted, which breaks on the column named "timestamp".
        quoted = '"' + table_name.replace('"', '""') + '"'
        con.raw_sql(f"CREATE OR REPLACE TABLE {quoted} AS {con.compile(canonical)}")
        return con.table(table_name)
    except Exception as exc:  # noqa: BLE001 - e.g. a timestamp that does not parse
        raise InvalidInputError.single(
            ("file",), f"cannot load {path.name}: {_first_line(exc)}", "bad_value"
        ) from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


SPARK_LOCAL_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
"""Settings of a small local Spark session. The session time zone must be UTC: Spark reads
and shows naive timestamps in it, and the metrics treat ``timestamp`` as UTC wall-clock time."""


def spark_session(master: str = "local[1]", **conf: str) -> Any:
    """Return a local Spark session (pyspark, the machine's Java) set up for the metrics.

    Needs the ``spark`` extra (``pip install 'producthq[spark]'``) and Java 17. Extra settings
    override ``SPARK_LOCAL_CONF``.

    Raises:
        InvalidInputError: pyspark is not installed.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInputError.single(
            ("engine",), "Spark needs pyspark: pip install 'producthq[spark]'", "missing"
        ) from None
    builder = SparkSession.builder.master(master).appName("producthq")
    for key, value in {**SPARK_LOCAL_CONF, **conf}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def spark_events_table(session: Any, frame: Any, name: str = "events") -> ir.Table:
    """Register canonical events (a pandas DataFrame, properties as JSON text) in Spark.

    The DataFrame becomes a temporary view ``name`` with the canonical column types
    (``timestamp`` a Spark ``TIMESTAMP`` read in the session's UTC zone, ``properties`` a
    string); the returned Ibis table casts ``properties`` to JSON, which Spark reads with
    ``get_json_object``.
    """
    if session.conf.get("spark.sql.session.timeZone") != "UTC":
        raise InvalidInputError.single(
            ("engine",), "the Spark session must run in UTC (spark.sql.session.timeZone=UTC)"
        )
    from pyspark.sql import types as st

    text = st.StringType()
    schema = st.StructType(
        [
            st.StructField("event", text),
            st.StructField("user_id", text),
            st.StructField("anonymous_id", text),
            st.StructField("group_id", text),
            st.StructField("timestamp", st.TimestampType()),
            st.StructField("message_id", text),
            st.StructField("properties", text),
        ]
    )
    columns = [f.name for f in schema.fields]
    session.createDataFrame(frame[columns], schema=schema).createOrReplaceTempView(name)
    con = ibis.pyspark.connect(session)
    raw = con.table(name)
    return raw.select(
        *[c for c in columns if c != "properties"], properties=raw.properties.cast("json")
    )
