"""What the running application holds: settings, database, queue, templates."""

from dataclasses import dataclass

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from producthq.jobs.queue import JobQueue
from producthq.settings import Settings


@dataclass
class AppContext:
    """Built once by ``create_app`` and kept on ``app.state.ctx``."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    queue: JobQueue
    templates: Jinja2Templates
