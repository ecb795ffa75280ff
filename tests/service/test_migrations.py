"""The migrations build the schema the models describe, from empty, on every engine."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from producthq.feedback.fulltext import include_name
from producthq.models import Base


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    # `engine` points at a database the fixtures migrated from empty to head.
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_every_workspace_owned_table_carries_workspace_id(engine: Engine) -> None:
    global_tables = {"users", "workspaces", "login_attempts", "alembic_version"}
    names = set(inspect(engine).get_table_names())
    for table in names - global_tables:
        if not include_name(table, "table", {}):
            continue  # the full-text index's own tables are keyed by item id
        cols = {c["name"] for c in inspect(engine).get_columns(table)}
        assert "workspace_id" in cols, table
