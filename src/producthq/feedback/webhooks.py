"""The inbound feedback webhook: its per-workspace secret and what it stores.

``POST /api/v1/hooks/feedback/{ws}`` is called by other systems (a help desk, a form, a
Zapier step) with the workspace's secret in the ``X-ProductHQ-Webhook-Secret`` header. Only a
SHA-256 hash of the secret is stored; hashes are compared with ``hmac.compare_digest``.
"""

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.accounts.models import Workspace
from producthq.audit.service import Actor, record
from producthq.db import utcnow
from producthq.errors import AuthenticationError, ProblemCollector
from producthq.feedback.importers import ImportResult, write_feedback_rows
from producthq.feedback.models import FeedbackWebhook
from producthq.feedback.rows import ParsedRow, content_key
from producthq.feedback.schemas import WebhookPayload, WebhookResult

WEBHOOK_HEADER = "X-ProductHQ-Webhook-Secret"


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def find_webhook(session: Session, *, workspace_id: int) -> FeedbackWebhook | None:
    """Return the workspace's inbound hook, or ``None`` when no secret was made yet."""
    return session.scalar(
        select(FeedbackWebhook).where(FeedbackWebhook.workspace_id == workspace_id)
    )


def rotate_webhook_secret(session: Session, *, actor: Actor) -> tuple[FeedbackWebhook, str]:
    """Create or replace the workspace's hook secret; return the hook and the new secret.

    The old secret stops working at once. Only a hash is stored; the secret is shown once.
    """
    secret = "phqw_" + secrets.token_urlsafe(32)
    hook = find_webhook(session, workspace_id=actor.workspace_id)
    if hook is None:
        hook = FeedbackWebhook(workspace_id=actor.workspace_id, secret_hash="", prefix="")
        session.add(hook)
    hook.secret_hash = _hash_secret(secret)
    hook.prefix = secret[:10]
    hook.last_used_at = None
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="rotate",
        object_type="feedback_webhook",
        object_id=hook.id,
        summary="rotated the inbound feedback webhook secret",
    )
    return hook, secret


def authenticate_webhook(session: Session, *, slug: str, secret: str | None) -> Workspace:
    """Return the workspace whose hook secret this is; raise ``AuthenticationError`` otherwise.

    The answer is the same for an unknown workspace, a workspace without a hook and a wrong
    secret, so the hook cannot be used to probe slugs; hashes are compared in constant time.
    """
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    hook = find_webhook(session, workspace_id=workspace.id) if workspace else None
    given = _hash_secret(secret or "")
    expected = hook.secret_hash if hook else _hash_secret(secrets.token_hex(16))
    if not hmac.compare_digest(given, expected) or workspace is None or hook is None or not secret:
        raise AuthenticationError(f"missing or wrong {WEBHOOK_HEADER} header")
    hook.last_used_at = utcnow()
    return workspace


def receive_webhook(
    session: Session, *, workspace_id: int, payload: WebhookPayload
) -> WebhookResult:
    """Store the feedback pushed to the inbound hook (one item, or a list under ``items``).

    Items already received (same source and external id, or same content) are skipped.

    Raises:
        InvalidInputError: an item has no text (nothing is written).
    """
    entries = payload.items if payload.items is not None else [payload]
    problems = ProblemCollector()
    rows: list[ParsedRow] = []
    for i, entry in enumerate(entries):
        if not entry.text or not entry.text.strip():
            problems.add(("items", i, "text"), f"item {i}: text is required", "missing")
            continue
        values: dict[str, Any] = {
            "text": entry.text,
            "title": entry.title,
            "source": entry.source.value,
            "occurred_at": entry.occurred_at,
            "source_url": entry.source_url,
            "tags": entry.tags,
            "author_email": entry.author_email.lower() if entry.author_email else None,
            "author_name": entry.author_name,
            "company_name": entry.company_name,
            "company_domain": entry.company_domain,
            "external_id": entry.external_id,
        }
        values = {k: v for k, v in values.items() if v not in (None, "", [])}
        rows.append(ParsedRow(i, values, {}, content_key("feedback", values)))
    problems.raise_if_any("webhook payload rejected")
    result = ImportResult(rows=len(rows))
    ids = write_feedback_rows(session, workspace_id=workspace_id, rows=rows, result=result)
    record(
        session,
        actor=None,
        workspace_id=workspace_id,
        action="webhook",
        object_type="feedback",
        summary=f"webhook delivered {result.created} new feedback item(s)",
    )
    return WebhookResult(created=result.created, skipped=result.skipped, ids=ids)
