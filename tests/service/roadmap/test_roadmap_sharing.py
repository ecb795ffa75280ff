"""Share links: unguessable, hashed, revocable, expiring, hiding internal fields by audience."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from producthq.accounts.passwords import hash_token
from producthq.audit.service import Actor
from producthq.db import utcnow
from producthq.errors import NotFoundError
from producthq.roadmap import organisation as org
from producthq.roadmap import service, sharing
from producthq.roadmap.models import Audience, ShareLink
from producthq.roadmap.schemas import ItemCreate, ShareLinkCreate, TeamCreate


def test_share_link_stores_only_a_hash_and_hides_internal_fields(
    session: Session, actor: Actor
) -> None:
    team = org.create_team(session, actor=actor, data=TeamCreate(name="Secret squad"))
    service.create_item(
        session,
        actor=actor,
        data=ItemCreate(title="SSO", team_id=team.id, owner="Olga", progress=40, notes="late"),
    )
    new = sharing.create_share_link(
        session, actor=actor, data=ShareLinkCreate(audience=Audience.board)
    )
    session.commit()
    stored = session.scalar(select(ShareLink))
    assert stored is not None and stored.token_hash == hash_token(new.token)
    assert new.token not in (stored.token_hash, stored.prefix) and len(new.token) > 40
    shared = sharing.open_share_link(session, token=new.token)
    (row,) = shared.rows
    assert (row.title, row.team, row.owner, row.progress, row.notes) == (
        "SSO",
        None,
        None,
        None,
        None,
    )
    internal = sharing.create_share_link(session, actor=actor, data=ShareLinkCreate())
    (row,) = sharing.open_share_link(session, token=internal.token).rows
    assert (row.team, row.owner, row.progress, row.notes) == ("Secret squad", "Olga", 40, "late")


def test_wrong_revoked_and_expired_links_find_nothing(session: Session, actor: Actor) -> None:
    new = sharing.create_share_link(session, actor=actor, data=ShareLinkCreate(expires_in_days=1))
    session.commit()
    assert sharing.open_share_link(session, token=new.token).rows == []
    for bad in ("", "rm_nope", new.token + "x", new.token[:-1]):
        with pytest.raises(NotFoundError):
            sharing.open_share_link(session, token=bad)
    session.execute(update(ShareLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(NotFoundError):
        sharing.open_share_link(session, token=new.token)
    other = sharing.create_share_link(session, actor=actor, data=ShareLinkCreate())
    sharing.revoke_share_link(session, actor=actor, link_id=other.link.id)
    with pytest.raises(NotFoundError):
        sharing.open_share_link(session, token=other.token)
