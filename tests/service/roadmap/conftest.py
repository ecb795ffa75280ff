"""A workspace and its owner acting, for the roadmap service tests (on both engines)."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.audit.service import Actor
from producthq.db import workspace_scope


@pytest.fixture
def actor(session: Session) -> Iterator[Actor]:
    """The owner of workspace ``acme``, with the session scoped to it."""
    owner = make_user(session)
    ws = make_workspace(session, owner)
    session.commit()
    with workspace_scope(session, ws.id):
        yield Actor(owner.id, owner.email, ws.id, "owner")
