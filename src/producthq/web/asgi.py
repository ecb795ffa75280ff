"""The ASGI entry point for uvicorn: builds the app from the environment's settings."""

from fastapi import FastAPI

from producthq.settings import Settings
from producthq.web.app import create_app


def create_app_from_env() -> FastAPI:
    """Build the app with settings read from ``PRODUCTHQ_*`` variables."""
    return create_app(Settings())
