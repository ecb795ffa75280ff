"""Account use cases on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import PASSWORD, add_member, make_user, make_workspace

from producthq.accounts import service
from producthq.accounts.models import ApiToken, Membership
from producthq.accounts.roles import Role
from producthq.audit.models import AuditEntry
from producthq.audit.service import Actor
from producthq.db import workspace_scope
from producthq.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)


def test_passwords_are_stored_as_argon2_hashes(session: Session) -> None:
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_duplicate_email_is_a_conflict_whatever_the_case(session: Session) -> None:
    make_user(session, "Ann@Example.com")
    with pytest.raises(ConflictError, match="already exists"):
        make_user(session, "ann@example.COM")


def test_login_is_rate_limited_after_repeated_failures(session: Session) -> None:
    make_user(session, "ann@example.com")
    limits = {"max_attempts": 3, "window": 60}
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="wrong e-mail or password"):
            service.authenticate(
                session, email="ann@example.com", password="wrong", client="1.2.3.4", **limits
            )
        session.commit()  # the sign-in page keeps failures, as here
    with pytest.raises(RateLimitedError):
        service.authenticate(
            session, email="ann@example.com", password=PASSWORD, client="1.2.3.4", **limits
        )
    # Another address is not locked out by someone else's failures.
    user = service.authenticate(
        session, email="ann@example.com", password=PASSWORD, client="5.6.7.8", **limits
    )
    assert user.email == "ann@example.com"


def test_token_secret_is_stored_hashed_and_resolves_to_its_workspace(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    new = service.create_token(
        session, actor=Actor(owner.id, owner.email, ws.id, "owner"), name="ci", role=Role.editor
    )
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert new.secret not in stored
    ident = service.authenticate_token(session, secret=new.secret)
    assert (ident.workspace.slug, ident.role) == ("acme", Role.editor)


def test_token_role_never_exceeds_the_members_current_role(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    editor = make_user(session, "ed@example.com")
    member = add_member(session, ws, editor, Role.admin)
    new = service.create_token(
        session, actor=Actor(editor.id, editor.email, ws.id, "admin"), name="t", role=Role.admin
    )
    service.update_member_role(
        session,
        actor=Actor(owner.id, owner.email, ws.id, "owner"),
        member_id=member.id,
        role=Role.viewer,
    )
    assert service.authenticate_token(session, secret=new.secret).role == Role.viewer


def test_an_editor_cannot_mint_an_admin_token(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    with pytest.raises(PermissionDeniedError):
        service.create_token(
            session, actor=Actor(owner.id, "x", ws.id, "editor"), name="t", role=Role.admin
        )


def test_the_last_owner_cannot_be_demoted_or_removed(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    actor = Actor(owner.id, owner.email, ws.id, "owner")
    member = session.scalars(select(Membership)).one()
    with pytest.raises(ConflictError):
        service.update_member_role(session, actor=actor, member_id=member.id, role=Role.admin)
    with pytest.raises(ConflictError):
        service.remove_member(session, actor=actor, member_id=member.id)


def test_only_an_owner_makes_owners(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    admin = make_user(session, "admin@example.com")
    add_member(session, ws, admin, Role.admin)
    with pytest.raises(PermissionDeniedError):
        service.create_invitation(
            session,
            actor=Actor(admin.id, "a", ws.id, "admin"),
            email="x@example.com",
            role=Role.owner,
            ttl_hours=1,
        )


def test_invitation_link_works_once_and_only_for_its_email(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    new = service.create_invitation(
        session,
        actor=Actor(owner.id, "o", ws.id, "owner"),
        email="New@Example.com",
        role=Role.editor,
        ttl_hours=1,
    )
    stranger = make_user(session, "stranger@example.com")
    with pytest.raises(PermissionDeniedError):
        service.accept_invitation(session, secret=new.secret, user=stranger)
    invitee = make_user(session, "new@example.com")
    assert service.accept_invitation(session, secret=new.secret, user=invitee).id == ws.id
    assert service.effective_role(session, workspace_id=ws.id, user_id=invitee.id) == Role.editor
    with pytest.raises(NotFoundError):
        service.accept_invitation(session, secret=new.secret, user=invitee)


def test_workspace_scope_hides_other_workspaces_rows_even_without_a_filter(
    session: Session,
) -> None:
    a_owner = make_user(session, "a@example.com")
    b_owner = make_user(session, "b@example.com")
    ws_a = make_workspace(session, a_owner, "ws-a")
    make_workspace(session, b_owner, "ws-b")
    session.commit()
    with workspace_scope(session, ws_a.id):
        # A query with no workspace filter at all still sees only workspace A.
        entries = session.scalars(select(AuditEntry)).all()
        members = session.scalars(select(Membership)).all()
    assert {e.workspace_id for e in entries} == {ws_a.id}
    assert [m.user_id for m in members] == [a_owner.id]


def test_workspace_scope_refuses_writes_into_another_workspace(session: Session) -> None:
    a_owner = make_user(session, "a@example.com")
    b_owner = make_user(session, "b@example.com")
    ws_a = make_workspace(session, a_owner, "ws-a")
    ws_b = make_workspace(session, b_owner, "ws-b")
    session.commit()
    with workspace_scope(session, ws_a.id), pytest.raises(PermissionDeniedError):
        session.add(Membership(workspace_id=ws_b.id, user_id=a_owner.id, role="owner"))
        session.flush()


def test_every_change_is_audited_with_who_and_what(session: Session) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    actor = Actor(owner.id, owner.email, ws.id, "owner")
    tok = service.create_token(session, actor=actor, name="ci", role=Role.viewer)
    service.revoke_token(session, actor=actor, token_id=tok.token.id)
    actions = [
        (e.action, e.object_type)
        for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    ]
    assert actions == [("create", "workspace"), ("create", "api_token"), ("revoke", "api_token")]
