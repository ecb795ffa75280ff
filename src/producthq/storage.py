"""The data folder: the embedded databases and the generated secret."""

import duckdb

from producthq.settings import Settings


def init_data_dir(settings: Settings) -> None:
    """Create the data folder, the secret key, and the embedded DuckDB events store."""
    settings.ensure_data_dir()
    _ = settings.resolved_secret_key
    url = settings.resolved_events_url
    if url.startswith("duckdb://"):
        path = url.removeprefix("duckdb://")
        duckdb.connect(path).close()
