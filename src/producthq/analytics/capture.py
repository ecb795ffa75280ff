"""Validating Segment-style tracking calls into capture records (pure: no I/O).

Follows Segment's HTTP Tracking API spec (https://segment.com/docs/connections/sources/catalog/
libraries/server/http-api/): ``track``, ``identify``, ``group``, ``page``, ``screen`` and
``batch``. Each message needs a ``userId`` or an ``anonymousId``; ``track`` needs ``event``,
``group`` needs ``groupId``. The event time is ``timestamp``; without it Segment's clock-skew
rule applies (``receivedAt − (sentAt − originalTimestamp)``), and without those the time the
server received the call. A message without ``messageId`` gets a random one (it then cannot be
deduplicated). ``page``/``screen`` calls become the events ``page_viewed``/``screen_viewed``
with ``name`` and ``category`` among their properties. A track call's account is its
``groupId`` or ``context.groupId``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

MessageType = Literal["track", "identify", "group", "page", "screen"]
MESSAGE_TYPES: tuple[MessageType, ...] = ("track", "identify", "group", "page", "screen")
MAX_MESSAGE_BYTES = 32 * 1024
"""Segment's limit on one message."""
MAX_BATCH_BYTES = 4 * 1024 * 1024
"""The limit on one request body (Segment allows 500 KB; larger batches load faster)."""
MAX_BATCH_MESSAGES = 5000
MAX_ID_LENGTH = 200
_PAGE_EVENTS = {"page": "page_viewed", "screen": "screen_viewed"}


@dataclass(frozen=True)
class CaptureRecord:
    """One valid message, normalised; ``timestamp`` is naive UTC."""

    type: MessageType
    message_id: str
    timestamp: datetime
    user_id: str | None
    anonymous_id: str | None
    group_id: str | None
    event: str | None
    properties: dict[str, Any]

    def to_json(self) -> str:
        """Serialise for the capture spool."""
        return json.dumps(
            {
                "type": self.type,
                "message_id": self.message_id,
                "timestamp": self.timestamp.isoformat(),
                "user_id": self.user_id,
                "anonymous_id": self.anonymous_id,
                "group_id": self.group_id,
                "event": self.event,
                "properties": self.properties,
            },
            separators=(",", ":"),
            default=str,
        )


@dataclass(frozen=True)
class Rejection:
    """A message that was refused, with its position in the batch and the reason."""

    index: int
    message_id: str | None
    reason: str


class MessageError(ValueError):
    """A message breaks the tracking spec; the text says how."""


def _id(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MessageError(f"{name} must be a string")
    text = str(value)
    if len(text) > MAX_ID_LENGTH:
        raise MessageError(f"{name} is longer than {MAX_ID_LENGTH} characters")
    return text


def parse_time(value: Any, name: str) -> datetime | None:
    """Parse an ISO 8601 time into naive UTC; ``None`` when absent.

    Examples:
        >>> parse_time("2026-03-01T10:00:00+01:00", "timestamp")
        datetime.datetime(2026, 3, 1, 9, 0)
        >>> parse_time("2026-03-01T10:00:00Z", "timestamp")
        datetime.datetime(2026, 3, 1, 10, 0)
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MessageError(f"{name} must be an ISO 8601 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MessageError(f"{name} {value[:40]!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MessageError(f"{name} must be an object")
    return value


def _event_time(message: dict[str, Any], received_at: datetime) -> datetime:
    stamp = parse_time(message.get("timestamp"), "timestamp")
    if stamp is not None:
        return stamp
    original = parse_time(message.get("originalTimestamp"), "originalTimestamp")
    sent = parse_time(message.get("sentAt"), "sentAt")
    if original is not None and sent is not None:
        return received_at - (sent - original)
    return original or received_at


def _event_name(kind: MessageType, message: dict[str, Any], props: dict[str, Any]) -> str | None:
    if kind == "track":
        name = message.get("event")
        if not isinstance(name, str) or not name.strip():
            raise MessageError("a track call needs an event name ('event')")
        if len(name) > MAX_ID_LENGTH:
            raise MessageError(f"event is longer than {MAX_ID_LENGTH} characters")
        return name.strip()
    if kind in _PAGE_EVENTS:
        for key in ("name", "category"):
            value = message.get(key)
            if isinstance(value, str) and value:
                props.setdefault(key, value)
        return _PAGE_EVENTS[kind]
    return None


def parse_message(
    message: Any, *, kind: MessageType | None, received_at: datetime, check_size: bool = True
) -> CaptureRecord:
    """Validate one tracking call and return its normalised record.

    Args:
        message: the decoded JSON of the call.
        kind: the call's type from the URL; ``None`` in a batch, where ``type`` says it.
        received_at: when the server received the call (naive UTC).
        check_size: measure the message against ``MAX_MESSAGE_BYTES`` (a caller that knows
            the whole body is smaller skips the cost).

    Raises:
        MessageError: the message breaks the spec.
    """
    if not isinstance(message, dict):
        raise MessageError("a message must be a JSON object")
    declared = message.get("type")
    if kind is None:
        if declared not in MESSAGE_TYPES:
            raise MessageError(f"type must be one of {', '.join(MESSAGE_TYPES)}")
        kind = declared
    if check_size and len(json.dumps(message, default=str)) > MAX_MESSAGE_BYTES:
        raise MessageError(f"the message is larger than {MAX_MESSAGE_BYTES // 1024} KB")
    user_id = _id(message.get("userId"), "userId")
    anonymous_id = _id(message.get("anonymousId"), "anonymousId")
    if user_id is None and anonymous_id is None:
        raise MessageError("a message needs a userId or an anonymousId")
    context = _object(message.get("context"), "context")
    group_id = _id(message.get("groupId"), "groupId") or _id(context.get("groupId"), "groupId")
    if kind == "group" and group_id is None:
        raise MessageError("a group call needs a groupId")
    field = "traits" if kind in ("identify", "group") else "properties"
    props = dict(_object(message.get(field), field))
    event = _event_name(kind, message, props)
    when = _event_time(message, received_at)
    if not datetime(1970, 1, 1) <= when <= received_at + timedelta(days=7):  # noqa: DTZ001 - naive UTC
        raise MessageError("the event time is before 1970 or more than 7 days in the future")
    message_id = _id(message.get("messageId"), "messageId") or f"phq-{uuid.uuid4()}"
    return CaptureRecord(kind, message_id, when, user_id, anonymous_id, group_id, event, props)


def parse_batch(
    body: Any, *, received_at: datetime, body_bytes: int | None = None
) -> tuple[list[tuple[int, CaptureRecord]], list[Rejection]]:
    """Validate a ``batch`` call: the valid messages (with their index) and the rejections.

    ``body_bytes`` (the request's size) lets small bodies skip measuring each message.

    Raises:
        MessageError: the body itself is not a batch (no list, too many messages).
    """
    if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
        raise MessageError("a batch call needs a 'batch' list of messages")
    messages = body["batch"]
    if len(messages) > MAX_BATCH_MESSAGES:
        raise MessageError(f"a batch holds at most {MAX_BATCH_MESSAGES} messages")
    shared = _object(body.get("context"), "context")
    check = body_bytes is None or body_bytes > MAX_MESSAGE_BYTES
    valid: list[tuple[int, CaptureRecord]] = []
    rejected: list[Rejection] = []
    for i, message in enumerate(messages):
        try:
            if isinstance(message, dict) and shared and "context" not in message:
                message = {**message, "context": shared}
            if isinstance(message, dict) and "sentAt" not in message and "sentAt" in body:
                message = {**message, "sentAt": body["sentAt"]}
            record = parse_message(message, kind=None, received_at=received_at, check_size=check)
            valid.append((i, record))
        except MessageError as exc:
            mid = message.get("messageId") if isinstance(message, dict) else None
            rejected.append(Rejection(i, str(mid)[:MAX_ID_LENGTH] if mid else None, str(exc)))
    return valid, rejected
