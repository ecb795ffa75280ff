"""Use cases of the accounts area: users, workspaces, members, invitations, tokens, sign-in.

Functions flush, never commit: the caller's unit of work commits once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from producthq.accounts.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    Membership,
    User,
    Workspace,
)
from producthq.accounts.passwords import (
    DUMMY_HASH,
    hash_password,
    hash_token,
    new_token,
    verify_password,
)
from producthq.accounts.roles import Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate, check_email
from producthq.audit.service import Actor, record, revoke
from producthq.db import ACROSS_WORKSPACES, utcnow
from producthq.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)

TOKEN_PREFIX = "phq"  # noqa: S105 - a prefix, not a secret


def _norm_email(email: str) -> str:
    return email.strip().lower()


# --- users -------------------------------------------------------------------------------


def find_user_by_email(session: Session, *, email: str) -> User | None:
    """Return the user with this e-mail, or ``None``."""
    return session.scalar(select(User).where(User.email == _norm_email(email)))


def get_user(session: Session, *, user_id: int) -> User:
    """Return the user with this id; raise ``NotFoundError`` if there is none."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFoundError(f"user {user_id} does not exist")
    return user


def create_user(session: Session, *, data: UserCreate) -> User:
    """Create a user; raise ``ConflictError`` if the e-mail is taken."""
    email = _norm_email(str(data.email))
    if find_user_by_email(session, email=email) is not None:
        raise ConflictError(f"a user with e-mail {email!r} already exists")
    user = User(email=email, name=data.name, password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, user: User, password: str) -> None:
    """Replace a user's password."""
    if len(password) < 8:
        raise InvalidInputError.single(("password",), "password must have at least 8 characters")
    user.password_hash = hash_password(password)
    session.flush()


def authenticate(
    session: Session, *, email: str, password: str, client: str, max_attempts: int, window: int
) -> User:
    """Check an e-mail and password, rate-limited per e-mail and client address.

    Raises:
        RateLimitedError: too many failures in the window.
        AuthenticationError: wrong e-mail or password (one message for both).
    """
    key = f"{_norm_email(email)}|{client}"
    since = utcnow() - timedelta(seconds=window)
    failures = session.scalar(
        select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    )
    if (failures or 0) >= max_attempts:
        raise RateLimitedError("too many failed sign-ins; wait a few minutes and try again")
    user = find_user_by_email(session, email=email)
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(key=key, at=utcnow()))
        session.flush()
        raise AuthenticationError("wrong e-mail or password")
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    return user


# --- workspaces and members --------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceWithRole:
    """A workspace and the viewer's role in it."""

    workspace: Workspace
    role: Role


def create_workspace(session: Session, *, data: WorkspaceCreate, owner: User) -> Workspace:
    """Create a workspace with ``owner`` as its first owner."""
    if session.scalar(select(Workspace).where(Workspace.slug == data.slug)) is not None:
        raise ConflictError(f"a workspace with slug {data.slug!r} already exists")
    workspace = Workspace(slug=data.slug, name=data.name)
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.owner.value))
    session.flush()
    actor = Actor(owner.id, owner.email, workspace.id, Role.owner.value)
    record(
        session,
        actor=actor,
        workspace_id=workspace.id,
        action="create",
        object_type="workspace",
        object_id=workspace.id,
        summary=f"created workspace {workspace.slug}",
    )
    return workspace


def find_workspace(session: Session, *, slug: str) -> Workspace | None:
    """Return the workspace with this slug, or ``None``."""
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def get_workspace(session: Session, *, slug: str) -> Workspace:
    """Return the workspace with this slug; raise ``NotFoundError`` if there is none."""
    workspace = find_workspace(session, slug=slug)
    if workspace is None:
        raise NotFoundError(f"workspace {slug!r} does not exist")
    return workspace


def list_workspaces(session: Session) -> list[Workspace]:
    """Return every workspace (for the CLI, which acts as the machine's operator)."""
    return list(session.scalars(select(Workspace).order_by(Workspace.slug)))


def list_user_workspaces(session: Session, *, user: User) -> list[WorkspaceWithRole]:
    """Return the workspaces ``user`` belongs to, with their role in each."""
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(Workspace.name)
        # The user's own memberships span workspaces by nature (the switcher lists them).
        .execution_options(**{ACROSS_WORKSPACES: True})
    ).all()
    return [WorkspaceWithRole(ws, Role(role)) for ws, role in rows]


def find_membership(session: Session, *, workspace_id: int, user_id: int) -> Membership | None:
    """Return the user's membership in the workspace, or ``None``."""
    return session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )


def list_members(session: Session, *, workspace_id: int) -> list[Membership]:
    """Return the members of a workspace, by e-mail."""
    return list(
        session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.workspace_id == workspace_id)
            .order_by(User.email)
        )
    )


def _get_member(session: Session, workspace_id: int, member_id: int) -> Membership:
    member = session.scalar(
        select(Membership).where(
            Membership.id == member_id, Membership.workspace_id == workspace_id
        )
    )
    if member is None:
        raise NotFoundError(f"member {member_id} does not exist in this workspace")
    return member


def _owners(session: Session, workspace_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Membership.workspace_id == workspace_id, Membership.role == Role.owner.value
            )
        )
        or 0
    )


def _check_can_grant(actor: Actor, role: Role) -> None:
    if role == Role.owner and Role(actor.role) != Role.owner:
        raise PermissionDeniedError("only an owner can make someone an owner")


def update_member_role(session: Session, *, actor: Actor, member_id: int, role: Role) -> Membership:
    """Change a member's role; only owners touch owners, and one owner always remains."""
    member = _get_member(session, actor.workspace_id, member_id)
    old = Role(member.role)
    if old == role:
        return member
    _check_can_grant(actor, role)
    if old == Role.owner:
        _check_can_grant(actor, old)
        if _owners(session, actor.workspace_id) <= 1:
            raise ConflictError("a workspace needs at least one owner; promote another first")
    member.role = role.value
    # A token never outranks its user: lower the member's tokens with them.
    for token in session.scalars(
        select(ApiToken).where(
            ApiToken.workspace_id == actor.workspace_id, ApiToken.user_id == member.user_id
        )
    ):
        if not role.allows(Role(token.role)):
            token.role = role.value
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="membership",
        object_id=member.id,
        summary=f"changed role of {member.user.email} from {old} to {role}",
        changes={"role": [old.value, role.value]},
    )
    session.flush()
    return member


def remove_member(session: Session, *, actor: Actor, member_id: int) -> None:
    """Remove a member and revoke their tokens in the workspace, at once."""
    member = _get_member(session, actor.workspace_id, member_id)
    if Role(member.role) == Role.owner:
        _check_can_grant(actor, Role.owner)
        if _owners(session, actor.workspace_id) <= 1:
            raise ConflictError("cannot remove the last owner of a workspace")
    now = utcnow()
    for token in session.scalars(
        select(ApiToken).where(
            ApiToken.workspace_id == actor.workspace_id,
            ApiToken.user_id == member.user_id,
            ApiToken.revoked_at.is_(None),
        )
    ):
        token.revoked_at = now
    email = member.user.email
    session.delete(member)
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="membership",
        object_id=member_id,
        summary=f"removed {email}",
    )
    session.flush()


# --- invitations -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    """An invitation and its one-time secret (the only time the secret is known)."""

    invitation: Invitation
    secret: str


def create_invitation(
    session: Session, *, actor: Actor, email: str, role: Role, ttl_hours: int
) -> NewInvitation:
    """Invite an e-mail address with a role; return the one-time secret for the link.

    Raises:
        InvalidInputError: the address is not a valid e-mail address.
    """
    try:
        email = check_email(_norm_email(email))
    except ValueError as exc:
        raise InvalidInputError.single(
            ("email",), f"{email!r} is not an e-mail address: {exc}"
        ) from exc
    _check_can_grant(actor, role)
    existing = find_user_by_email(session, email=email)
    if existing and find_membership(session, workspace_id=actor.workspace_id, user_id=existing.id):
        raise ConflictError(f"{email} is already a member of this workspace")
    secret = new_token("inv")
    invitation = Invitation(
        workspace_id=actor.workspace_id,
        email=email,
        role=role.value,
        token_hash=hash_token(secret),
        invited_by_id=actor.user_id,
        expires_at=utcnow() + timedelta(hours=ttl_hours),
    )
    session.add(invitation)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="invitation",
        object_id=invitation.id,
        summary=f"invited {email} as {role}",
    )
    return NewInvitation(invitation, secret)


def list_invitations(session: Session, *, workspace_id: int) -> list[Invitation]:
    """Return the workspace's open invitations (not accepted, not revoked), newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.workspace_id == workspace_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(session: Session, *, actor: Actor, invitation_id: int) -> None:
    """Revoke an open invitation."""
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.workspace_id == actor.workspace_id
        )
    )
    if invitation is None:
        raise NotFoundError(f"invitation {invitation_id} does not exist")
    invitation.revoked_at = utcnow()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="revoke",
        object_type="invitation",
        object_id=invitation.id,
        summary=f"revoked invitation of {invitation.email}",
    )
    session.flush()


def find_open_invitation(session: Session, *, secret: str) -> Invitation | None:
    """Return the open, unexpired invitation for a link secret, or ``None``."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(secret))
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(session: Session, *, secret: str, user: User) -> Workspace:
    """Accept an invitation as ``user`` (whose e-mail must match); the link then dies."""
    invitation = find_open_invitation(session, secret=secret)
    if invitation is None:
        raise NotFoundError("this invitation link is invalid, used, revoked or expired")
    if invitation.email != user.email:
        raise PermissionDeniedError(
            f"this invitation is for {invitation.email}; you are signed in as {user.email}"
        )
    workspace = session.get(Workspace, invitation.workspace_id)
    assert workspace is not None  # noqa: S101 - foreign key guarantees it
    if find_membership(session, workspace_id=workspace.id, user_id=user.id) is None:
        session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=invitation.role))
    invitation.accepted_at = utcnow()
    record(
        session,
        actor=Actor(user.id, user.email, workspace.id, invitation.role),
        workspace_id=workspace.id,
        action="accept",
        object_type="invitation",
        object_id=invitation.id,
        summary=f"{user.email} joined as {invitation.role}",
    )
    session.flush()
    return workspace


# --- API tokens --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    """A token record and its secret (shown once)."""

    token: ApiToken
    secret: str


def create_token(session: Session, *, actor: Actor, name: str, role: Role) -> NewToken:
    """Create an API token bound to the actor's workspace, with at most the actor's role."""
    if actor.user_id is None:
        raise PermissionDeniedError("tokens are created by a person")
    if not Role(actor.role).allows(role):
        raise PermissionDeniedError(f"a {actor.role} cannot create a token with role {role}")
    secret = new_token(TOKEN_PREFIX)
    token = ApiToken(
        workspace_id=actor.workspace_id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 9],
        token_hash=hash_token(secret),
        role=role.value,
        user_id=actor.user_id,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="api_token",
        object_id=token.id,
        summary=f"created token {name!r} ({role})",
    )
    return NewToken(token, secret)


def list_tokens(session: Session, *, workspace_id: int) -> list[ApiToken]:
    """Return the workspace's tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.workspace_id == workspace_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token; it stops working at once."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.workspace_id == actor.workspace_id)
    )
    if token is None:
        raise NotFoundError(f"token {token_id} does not exist")
    revoke(
        session,
        actor=actor,
        row=token,
        object_type="api_token",
        summary=f"revoked token {token.name!r}",
    )
    return token


@dataclass(frozen=True)
class TokenIdentity:
    """Who a valid bearer token speaks for."""

    user: User
    workspace: Workspace
    role: Role
    token_id: int


def authenticate_token(session: Session, *, secret: str) -> TokenIdentity:
    """Resolve a bearer token to its user, workspace and effective role.

    The effective role is the lower of the token's role and the user's current role, so a
    demoted or removed member's tokens lose their power at once.
    """
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationError("invalid or revoked API token")
    member = find_membership(session, workspace_id=token.workspace_id, user_id=token.user_id)
    user = session.get(User, token.user_id)
    workspace = session.get(Workspace, token.workspace_id)
    if member is None or user is None or not user.is_active or workspace is None:
        raise AuthenticationError("invalid or revoked API token")
    role = min(Role(token.role), Role(member.role), key=lambda r: r.rank)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return TokenIdentity(user, workspace, role, token.id)


def effective_role(session: Session, *, workspace_id: int, user_id: int) -> Role | None:
    """Return the user's role in the workspace, or ``None`` if not a member."""
    member = find_membership(session, workspace_id=workspace_id, user_id=user_id)
    return Role(member.role) if member else None


def prune_login_attempts(session: Session, *, older_than: datetime) -> None:
    """Delete failed sign-in records older than the given time."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < older_than))
