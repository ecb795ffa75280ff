"""One error shape for every error: ``{"error": {"code", "message", "details"}}``.

Classes map to HTTP status in one table looked up along the exception's MRO. API paths get
JSON; pages get a friendly HTML page (or, when not signed in, a redirect to the sign-in page).
"""

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from producthq import errors as e

log = logging.getLogger(__name__)

STATUS: dict[type[e.ProductHQError], int] = {
    e.InvalidInputError: 422,
    e.AuthenticationError: 401,
    e.PermissionDeniedError: 403,
    e.NotFoundError: 404,
    e.ConflictError: 409,
    e.RateLimitedError: 429,
    e.MissingDependencyError: 501,
    e.EngineError: 503,
    e.ProductHQError: 400,
}

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
}


def status_for(exc: e.ProductHQError) -> int:
    """Return the HTTP status of an error class, walking its MRO."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Build the one JSON error shape."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def is_api(request: Request) -> bool:
    """Return whether the request is for the JSON API."""
    return request.url.path.startswith("/api/")


def _render(
    request: Request, status: int, code: str, message: str, details: list[dict[str, Any]]
) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    templates = request.app.state.ctx.templates
    page: Response = templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "code": code, "message": message, "details": details},
        status_code=status,
    )
    return page


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        details.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in err.get("loc", ())],
                "message": str(err.get("msg", "invalid")),
                "code": str(err.get("type", "invalid")),
            }
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, e.ProductHQError)  # noqa: S101
        return _render(
            request, status_for(exc), exc.code, exc.message, [p.as_dict() for p in exc.details]
        )

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        details = _validation_details(exc)
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        message = f"invalid request: {where}: {first['message']}" if where else first["message"]
        return _render(request, 422, "invalid_input", str(message), details)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc.detail) if exc.detail else code.replace("_", " ")
        return _render(request, exc.status_code, code, message, [])

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render(request, 500, "internal_error", "something went wrong on our side", [])

    async def on_out_of_range(request: Request, exc: Exception) -> Response:
        # A value the database cannot store (an id beyond its integer range): the caller's input.
        log.info("out-of-range value on %s %s: %s", request.method, request.url.path, exc)
        return _render(request, 422, "invalid_input", "a value is out of range", [])

    app.add_exception_handler(e.ProductHQError, on_domain)
    app.add_exception_handler(OverflowError, on_out_of_range)
    app.add_exception_handler(DataError, on_out_of_range)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
