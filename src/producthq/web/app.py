"""The FastAPI application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from producthq import __version__
from producthq.accounts import api as accounts_api
from producthq.accounts import pages as accounts_pages
from producthq.analytics import api as analytics_api
from producthq.analytics import capture_api as analytics_capture_api
from producthq.analytics import pages as analytics_pages
from producthq.analytics.loader import LoaderThread
from producthq.areas import pages as area_pages
from producthq.audit import api as audit_api
from producthq.audit import pages as audit_pages
from producthq.catalog import api as catalog_api
from producthq.catalog import pages as catalog_pages
from producthq.db import make_engine, make_session_factory
from producthq.feedback import api as feedback_api
from producthq.feedback import pages as feedback_pages
from producthq.jobs import api as jobs_api
from producthq.jobs import pages as jobs_pages
from producthq.jobs.queue import InProcessWorker, JobQueue
from producthq.prioritization import api as prioritization_api
from producthq.prioritization import pages as prioritization_pages
from producthq.roadmap import api as roadmap_api
from producthq.roadmap import org_pages as roadmap_org_pages
from producthq.roadmap import pages as roadmap_pages
from producthq.roadmap import scenario_pages as roadmap_scenario_pages
from producthq.settings import Settings
from producthq.strategy import api as strategy_api
from producthq.strategy import okr_pages as strategy_okr_pages
from producthq.strategy import pages as strategy_pages
from producthq.web.context import AppContext
from producthq.web.deps import PUBLIC, csrf_token
from producthq.web.errors import install_error_handlers
from producthq.web.nav import nav_context

log = logging.getLogger(__name__)
HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Add the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_templates() -> Jinja2Templates:
    """Jinja2 templates with autoescaping on and the shared globals."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["nav"] = nav_context
    templates.env.globals["version"] = __version__
    return templates


def create_app(settings: Settings, *, run_jobs: bool | None = None) -> FastAPI:
    """Build the application for the given settings (nothing connects before this)."""
    settings.ensure_data_dir()
    engine = make_engine(settings.resolved_database_url)
    factory = make_session_factory(engine)
    queue = JobQueue(settings, factory)
    factory.kw["info"] = {"dispatch": queue.submit}
    ctx = AppContext(settings, engine, factory, queue, make_templates())
    in_process = settings.run_jobs_in_server if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker = InProcessWorker(queue, settings.worker_threads) if in_process else None
        loader = LoaderThread(settings) if in_process else None
        if worker:
            worker.start()
        if loader:
            loader.start()
        try:
            yield
        finally:
            if loader:
                loader.stop()
            if worker:
                worker.stop()
            engine.dispose()

    app = FastAPI(
        title="ProductHQ",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie="producthq_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/healthz", dependencies=[PUBLIC], tags=["meta"])
    def healthz(request: Request) -> JSONResponse:
        """Liveness and database check."""
        with factory() as s:
            s.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "version": __version__})

    for module in (
        accounts_api,
        jobs_api,
        audit_api,
        feedback_api,
        roadmap_api,
        strategy_api,
        catalog_api,
        prioritization_api,
        analytics_api,
        analytics_capture_api,
    ):
        app.include_router(module.router)
    for module in (
        accounts_pages,
        jobs_pages,
        audit_pages,
        feedback_pages,
        roadmap_pages,
        roadmap_org_pages,
        roadmap_scenario_pages,
        strategy_pages,
        strategy_okr_pages,
        prioritization_pages,
        catalog_pages,
        analytics_pages,
        area_pages,
    ):
        app.include_router(module.router, include_in_schema=False)
    return app
