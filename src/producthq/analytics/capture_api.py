"""Segment-compatible capture: ``POST /api/v1/capture/{track,identify,group,page,screen,batch}``.

Authenticated by a workspace write key, sent as Segment does: HTTP Basic with the key as the
user name and an empty password (``writeKey`` in the body works too). The routes are
``Public`` in the authorisation matrix because no user or token is involved; the key check
happens here. A 200 means every accepted message is durable in the capture spool.
The same routes answer under ``/api/v1/capture/v1/…`` so Segment libraries, which append
``/v1/<call>`` to their host, work with ``host = https://SERVER/api/v1/capture``.
"""

import base64
import binascii
import gzip
import json
import zlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from producthq.analytics import service
from producthq.analytics.capture import (
    MAX_BATCH_BYTES,
    CaptureRecord,
    MessageError,
    MessageType,
    Rejection,
    parse_batch,
    parse_message,
)
from producthq.db import utcnow
from producthq.errors import AuthenticationError, InvalidInputError
from producthq.web.context import AppContext
from producthq.web.deps import PUBLIC

router = APIRouter(prefix="/api/v1/capture", tags=["capture"])

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": True},
            }
        },
    }
}


class RejectionRead(BaseModel):
    """A message of a batch that was refused."""

    index: int
    message_id: str | None
    reason: str


class CaptureResult(BaseModel):
    """What a capture call kept: accepted (new and durable), duplicates, rejections."""

    success: bool
    accepted: int
    duplicates: int
    rejected: list[RejectionRead]


def _too_large() -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "too_large",
                "message": f"the request body is larger than {MAX_BATCH_BYTES // 1024} KB",
                "details": [],
            }
        },
        status_code=413,
    )


async def _body(request: Request) -> tuple[Any, int]:
    buffer = bytearray()
    async for chunk in request.stream():
        buffer += chunk
        if len(buffer) > MAX_BATCH_BYTES:
            return None, len(buffer)
    raw = bytes(buffer)
    encoding = request.headers.get("content-encoding", "").lower()
    try:
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
    except (OSError, EOFError, zlib.error):
        raise InvalidInputError.single(("body",), "the body is not valid gzip/deflate") from None
    if len(raw) > MAX_BATCH_BYTES:
        return None, len(raw)
    try:
        return json.loads(raw), len(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInputError.single(("body",), "the body is not valid JSON") from None


def _write_key(request: Request, body: Any) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("the Basic credentials are not valid base64") from None
        key = decoded.partition(":")[0]
        if key:
            return key
    if isinstance(body, dict) and isinstance(body.get("writeKey"), str) and body["writeKey"]:
        return str(body["writeKey"])
    raise AuthenticationError("send the write key as HTTP Basic user name (Segment's way)")


def _workspace_of(ctx: AppContext, key: str) -> int:
    with ctx.session_factory() as session:
        return service.authenticate_write_key(session, secret=key)


async def _capture(request: Request, kind: MessageType | None) -> JSONResponse:
    body, size = await _body(request)
    if body is None:
        return _too_large()
    ctx: AppContext = request.app.state.ctx
    workspace_id = await run_in_threadpool(_workspace_of, ctx, _write_key(request, body))
    received = utcnow().replace(tzinfo=None)
    valid: list[tuple[int, CaptureRecord]]
    rejected: list[Rejection]
    try:
        if kind is None:
            valid, rejected = parse_batch(body, received_at=received, body_bytes=size)
        else:
            valid, rejected = [(0, parse_message(body, kind=kind, received_at=received))], []
    except MessageError as exc:
        raise InvalidInputError.single(("body",), str(exc)) from None
    fresh = await run_in_threadpool(
        lambda: service.capture(
            ctx.settings,
            workspace_id=workspace_id,
            records=[r for _, r in valid],
            received_at=received,
        )
    )
    result = CaptureResult(
        success=True,
        accepted=sum(fresh),
        duplicates=len(fresh) - sum(fresh),
        rejected=[
            RejectionRead(index=r.index, message_id=r.message_id, reason=r.reason) for r in rejected
        ],
    )
    return JSONResponse(result.model_dump())


def _route(path: str, kind: MessageType | None, summary: str) -> None:
    async def endpoint(request: Request) -> JSONResponse:
        return await _capture(request, kind)

    endpoint.__doc__ = summary
    name = f"capture_{path}"
    for prefix in ("", "/v1"):
        router.add_api_route(
            f"{prefix}/{path}",
            endpoint,
            methods=["POST"],
            dependencies=[PUBLIC],
            response_model=CaptureResult,
            openapi_extra=_BODY_DOC,
            name=name + ("_segment" if prefix else ""),
            include_in_schema=not prefix,
            summary=summary,
        )


for _path, _kind, _summary in (
    ("track", "track", "Record an event (Segment track)."),
    ("identify", "identify", "Set a user's traits (Segment identify)."),
    ("group", "group", "Set an account's traits and link a user to it (Segment group)."),
    ("page", "page", "Record a page view (Segment page)."),
    ("screen", "screen", "Record a screen view (Segment screen)."),
    ("batch", None, "Record many messages; bad ones are rejected one by one (Segment batch)."),
):
    _route(_path, _kind, _summary)  # type: ignore[arg-type]
