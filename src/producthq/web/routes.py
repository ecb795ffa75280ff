"""Walking the application's route table (the authorisation matrix test reads it)."""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(list(inner.routes))


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Return every API and page route of the app, included routers flattened."""
    return list(_walk(list(app.router.routes)))
