"""Job kinds: each area registers the handlers of its long work here, keyed by a stable slug."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from producthq.settings import Settings

ProgressFn = Callable[[int, str], None]


class JobContext(Protocol):
    """What a handler receives: its parameters, a progress callback and the databases."""

    job_id: int
    workspace_id: int
    params: dict[str, Any]
    settings: Settings
    session_factory: sessionmaker[Session]

    def progress(self, percent: int, message: str = "") -> None:
        """Report progress 0–100 with a short message."""


JobHandler = Callable[[JobContext], dict[str, Any] | None]


@dataclass
class JobRegistry:
    """The job kinds this installation knows."""

    handlers: dict[str, JobHandler] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def register(self, kind: str, title: str) -> Callable[[JobHandler], JobHandler]:
        """Register a handler under ``kind`` (used as a decorator)."""

        def decorate(fn: JobHandler) -> JobHandler:
            self.handlers[kind] = fn
            self.titles[kind] = title
            return fn

        return decorate


REGISTRY = JobRegistry()


@REGISTRY.register("demo", "Demo job (counts to 100)")
def run_demo_job(ctx: JobContext) -> dict[str, Any]:
    """Count through ``steps`` steps, sleeping ``delay`` seconds each: a job to watch."""
    steps = int(ctx.params.get("steps", 20))
    delay = float(ctx.params.get("delay", 0.2))
    for i in range(1, steps + 1):
        time.sleep(delay)
        ctx.progress(round(100 * i / steps), f"step {i} of {steps}")
    return {"steps": steps}
