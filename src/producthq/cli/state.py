"""What every CLI command shares: settings, the database, and the workspace to act on."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from pydantic import ValidationError
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from producthq.accounts import service as accounts
from producthq.accounts.models import Workspace
from producthq.db import make_engine, make_session_factory, unit_of_work
from producthq.errors import InvalidInputError, NotFoundError
from producthq.migrate import upgrade
from producthq.settings import Settings
from producthq.storage import init_data_dir


def load_settings() -> Settings:
    """Read settings from the environment, turning a bad value into one clear error."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "PRODUCTHQ_" + str(err["loc"][0]).upper() if err.get("loc") else "a setting"
        raise InvalidInputError(f"{name}: {err['msg']}") from exc


@dataclass
class CliState:
    """Lazily built settings, engine and session factory."""

    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def engine(self) -> Engine:
        self.settings.ensure_data_dir()
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def factory(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    def migrate(self) -> None:
        """Create the data folder's stores and bring the database to the newest schema."""
        init_data_dir(self.settings)
        upgrade(self.engine)

    def ensure_ready(self) -> None:
        """Fail with a clear line when the database was never initialised."""
        if not inspect(self.engine).has_table("workspaces"):
            raise NotFoundError(
                f"no ProductHQ database at {self.settings.resolved_database_url}; "
                "run `producthq init` first"
            )

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """A unit of work: commit once, or roll back."""
        self.ensure_ready()
        with unit_of_work(self.factory) as session:
            yield session


def resolve_workspace(session: Session, slug: str | None, settings: Settings) -> Workspace:
    """Pick the workspace: ``--workspace``, else ``PRODUCTHQ_WORKSPACE``, else the only one."""
    slug = slug or settings.workspace
    if slug:
        return accounts.get_workspace(session, slug=slug)
    every = accounts.list_workspaces(session)
    if len(every) == 1:
        return every[0]
    if not every:
        raise NotFoundError("there is no workspace yet; run `producthq workspace create`")
    names = ", ".join(w.slug for w in every)
    raise InvalidInputError(
        f"there are {len(every)} workspaces ({names}); choose one with --workspace SLUG "
        "or PRODUCTHQ_WORKSPACE"
    )


_current: list[CliState] = []


def new_state() -> CliState:
    """Start a fresh state for one invocation (the CLI callback calls this)."""
    _current[:] = [CliState()]
    return _current[0]


def state() -> CliState:
    """Return this invocation's state."""
    return _current[0] if _current else new_state()
