"""Use cases of sharing the roadmap: read-only share links and saved snapshots.

A share link's token is 256 random bits shown once; only its SHA-256 is stored, so a database
leak does not leak working links. A wrong, revoked or expired token finds nothing.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.accounts.models import Workspace
from producthq.accounts.passwords import hash_token
from producthq.audit.service import Actor, record, revoke
from producthq.db import utcnow, workspace_scope
from producthq.errors import NotFoundError
from producthq.roadmap.diff import SnapshotDiff, diff_snapshots
from producthq.roadmap.exports import ItemRow, for_audience
from producthq.roadmap.models import Audience, RoadmapSnapshot, ShareLink
from producthq.roadmap.schemas import ShareLinkCreate
from producthq.roadmap.service import item_rows

SHARE_PREFIX = "rm"


@dataclass(frozen=True)
class NewShareLink:
    """A share link just made and its token (shown once)."""

    link: ShareLink
    token: str


@dataclass(frozen=True)
class SharedRoadmap:
    """What a share link shows: the workspace's name, the audience and the filtered items."""

    workspace_name: str
    audience: Audience
    label: str
    rows: list[ItemRow]


def list_share_links(session: Session, *, workspace_id: int) -> list[ShareLink]:
    """Return the workspace's share links, newest first."""
    return list(
        session.scalars(
            select(ShareLink)
            .where(ShareLink.workspace_id == workspace_id)
            .order_by(ShareLink.id.desc())
        )
    )


def create_share_link(session: Session, *, actor: Actor, data: ShareLinkCreate) -> NewShareLink:
    """Create a read-only link to the board for an audience, optionally expiring."""
    token = f"{SHARE_PREFIX}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    link = ShareLink(
        workspace_id=actor.workspace_id,
        label=data.label,
        token_hash=hash_token(token),
        prefix=token[:10],
        audience=data.audience.value,
        expires_at=expires,
        created_by_id=actor.user_id,
    )
    session.add(link)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="share_link",
        object_id=link.id,
        summary=f"shared the roadmap with audience {link.audience} ({link.label or 'no label'})",
    )
    return NewShareLink(link, token)


def revoke_share_link(session: Session, *, actor: Actor, link_id: int) -> ShareLink:
    """Revoke a share link; it stops working at once."""
    link = session.scalar(
        select(ShareLink).where(
            ShareLink.id == link_id, ShareLink.workspace_id == actor.workspace_id
        )
    )
    if link is None:
        raise NotFoundError(f"share link {link_id} does not exist in this workspace")
    revoke(
        session,
        actor=actor,
        row=link,
        object_type="share_link",
        summary=f"revoked share link {link.prefix}…",
    )
    return link


def open_share_link(session: Session, *, token: str) -> SharedRoadmap:
    """Return what a share link shows; ``NotFoundError`` if wrong, revoked or expired."""
    gone = NotFoundError("this roadmap link is invalid, revoked or expired")
    if not token.startswith(f"{SHARE_PREFIX}_") or len(token) > 200:
        raise gone
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    if link is None or link.revoked_at is not None:
        raise gone
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise gone
    workspace = session.get(Workspace, link.workspace_id)
    if workspace is None:
        raise gone
    audience = Audience(link.audience)
    with workspace_scope(session, workspace.id):
        rows = item_rows(session, workspace_id=workspace.id)
    return SharedRoadmap(workspace.name, audience, link.label, for_audience(rows, audience))


# --- snapshots ---------------------------------------------------------------------------


def list_snapshots(session: Session, *, workspace_id: int) -> list[RoadmapSnapshot]:
    """Return the saved snapshots, newest first."""
    return list(
        session.scalars(
            select(RoadmapSnapshot)
            .where(RoadmapSnapshot.workspace_id == workspace_id)
            .order_by(RoadmapSnapshot.id.desc())
        )
    )


def get_snapshot(session: Session, *, workspace_id: int, snapshot_id: int) -> RoadmapSnapshot:
    """Return a snapshot; raise ``NotFoundError`` if it is not in the workspace."""
    snap = session.scalar(
        select(RoadmapSnapshot).where(
            RoadmapSnapshot.id == snapshot_id, RoadmapSnapshot.workspace_id == workspace_id
        )
    )
    if snap is None:
        raise NotFoundError(f"snapshot {snapshot_id} does not exist in this workspace")
    return snap


def create_snapshot(session: Session, *, actor: Actor, name: str) -> RoadmapSnapshot:
    """Save the roadmap's items as they are now, as a baseline to compare against later."""
    rows = item_rows(session, workspace_id=actor.workspace_id)
    snap = RoadmapSnapshot(
        workspace_id=actor.workspace_id, name=name, items=[r.as_dict() for r in rows]
    )
    session.add(snap)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="roadmap_snapshot",
        object_id=snap.id,
        summary=f"saved roadmap snapshot {name} ({len(rows)} items)",
    )
    return snap


def diff_snapshot_ids(
    session: Session, *, workspace_id: int, baseline_id: int, other_id: int
) -> SnapshotDiff:
    """Compare two saved snapshots (``baseline_id`` first)."""
    a = get_snapshot(session, workspace_id=workspace_id, snapshot_id=baseline_id)
    b = get_snapshot(session, workspace_id=workspace_id, snapshot_id=other_id)
    return diff_snapshots(a.items, b.items)
