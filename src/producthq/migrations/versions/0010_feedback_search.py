"""feedback: ranked full-text search (FTS5 on SQLite, a tsvector column on PostgreSQL)

SQLite gets an external-content FTS5 table over ``feedback_items`` (title, text), kept in step
by three triggers; PostgreSQL a generated ``search_vector`` column with a GIN index. Both are
filled from the existing rows here. The ORM does not declare them (each exists on one dialect);
``producthq.feedback.search.include_name`` keeps Alembic's comparison off them.

A later SQLite batch migration that recreates ``feedback_items`` drops its triggers: it must
create them again (the statements below) and rebuild the index.

Revision ID: 0010_feedback_search
Revises: 0007_feedback_themes
Create Date: 2026-12-02 00:50:00
"""

from alembic import op

revision = "0010_feedback_search"
down_revision = "0007_feedback_themes"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE feedback_search USING fts5("
    "title, text, content='feedback_items', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback_items BEGIN "
    "INSERT INTO feedback_search(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback_items BEGIN "
    "INSERT INTO feedback_search(feedback_search, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER feedback_search_update AFTER UPDATE OF title, text ON feedback_items BEGIN "
    "INSERT INTO feedback_search(feedback_search, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO feedback_search(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO feedback_search(feedback_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS feedback_search_update",
    "DROP TRIGGER IF EXISTS feedback_search_delete",
    "DROP TRIGGER IF EXISTS feedback_search_insert",
    "DROP TABLE IF EXISTS feedback_search",
]
# A stored generated column fills itself for existing rows when it is added.
PG_UP = [
    "ALTER TABLE feedback_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'B')) STORED",
    "CREATE INDEX ix_feedback_items_search_vector ON feedback_items USING gin (search_vector)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS ix_feedback_items_search_vector",
    "ALTER TABLE feedback_items DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        _run(SQLITE_UP)
    elif name == "postgresql":
        _run(PG_UP)


def downgrade() -> None:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        _run(SQLITE_DOWN)
    elif name == "postgresql":
        _run(PG_DOWN)
