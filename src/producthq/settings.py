"""Settings, read once from the environment (prefix ``PRODUCTHQ_``) and passed down.

Every field is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """ProductHQ's configuration."""

    model_config = SettingsConfigDict(env_prefix="PRODUCTHQ_", extra="ignore")

    data_dir: Path = Field(
        default=Path("producthq-data"),
        description="Folder for the embedded databases, the secret key and the job queue.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the application database; default SQLite data_dir/app.db.",
    )
    events_url: str | None = Field(
        default=None,
        description="Ibis URL of the events store; default DuckDB data_dir/events.duckdb.",
    )
    events_table: str = Field(
        default="events",
        max_length=200,
        description="Warehouse-native mode (events_url not DuckDB): the table, [schema.]name.",
    )
    events_mapping: str = Field(
        default="",
        max_length=2000,
        description="Warehouse-native mode: COLUMN=FIELD pairs, comma-separated (user_id=uid).",
    )
    users_table: str | None = Field(
        default=None,
        max_length=200,
        description="Warehouse-native mode: table of user properties, [schema.]name (optional).",
    )
    users_mapping: str = Field(
        default="",
        max_length=2000,
        description="Warehouse-native mode: COLUMN=FIELD pairs for users_table (user_id=id).",
    )
    groups_table: str | None = Field(
        default=None,
        max_length=200,
        description="Warehouse-native mode: table of account properties, [schema.]name (optional).",
    )
    groups_mapping: str = Field(
        default="",
        max_length=2000,
        description="Warehouse-native mode: COLUMN=FIELD pairs for groups_table (group_id=id).",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs session cookies; generated into data_dir/secret_key if unset.",
    )
    queue_url: str | None = Field(
        default=None,
        description="Job queue: unset for SQLite in data_dir/queue.db, or redis://host:port/db.",
    )
    workspace: str | None = Field(
        default=None, description="Default workspace slug for CLI commands."
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the server, used in invitation links.",
    )
    run_jobs_in_server: bool = Field(
        default=True,
        description="Run a job worker thread inside `producthq serve` (embedded default).",
    )
    worker_threads: int = Field(default=2, ge=1, le=64, description="Threads per job worker.")
    job_stale_seconds: int = Field(
        default=120,
        ge=10,
        description="A running job whose worker sent no heartbeat for this long is marked failed.",
    )
    session_max_age: int = Field(
        default=14 * 24 * 3600, ge=60, description="Seconds a browser session stays signed in."
    )
    secure_cookies: bool = Field(
        default=False, description="Send cookies only over HTTPS (turn on behind TLS)."
    )
    login_max_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins allowed per e-mail and address per window."
    )
    login_window_seconds: int = Field(
        default=300, ge=1, description="Length of the sign-in rate-limit window in seconds."
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for invitation e-mails; unset: links are shown."
    )
    smtp_port: int = Field(default=587, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP user name.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_from: str = Field(
        default="producthq@localhost", description="Sender address of invitation e-mails."
    )
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS with the SMTP server.")
    invite_ttl_hours: int = Field(default=72, ge=1, description="Hours an invitation link lasts.")

    @field_validator("queue_url")
    @classmethod
    def _check_queue(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "sqlite:///")):
            raise ValueError(
                f"PRODUCTHQ_QUEUE_URL {value!r} is not supported; use redis://… or sqlite:///…"
            )
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        """The application database URL, defaulting to SQLite in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'app.db').resolve()}"

    @cached_property
    def resolved_events_url(self) -> str:
        """The events store URL, defaulting to DuckDB in the data folder."""
        return self.events_url or f"duckdb://{(self.data_dir / 'events.duckdb').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The signing key; generated once and kept in the data folder when not given."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key

    def ensure_data_dir(self) -> None:
        """Create the data folder if it does not exist."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
