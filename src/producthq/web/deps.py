"""Request dependencies: the unit of work, who is calling, and what role a route needs.

Every route declares its access with exactly one of ``Public``, ``SignedIn`` or
``Require(role)``. The authorisation test reads these from the route table, so a new route
cannot be forgotten.
"""

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from producthq.accounts import service as accounts
from producthq.accounts.models import User, Workspace
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.db import workspace_scope
from producthq.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from producthq.web.context import AppContext

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_ID = 2**31 - 1
"""The largest id any engine stores (PostgreSQL INTEGER); larger ones are refused as input."""

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_ID)]


def get_ctx(request: Request) -> AppContext:
    """Return the application context."""
    ctx: AppContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


def get_session(ctx: CtxDep) -> Iterator[Session]:
    """Open the request's unit of work: commit once at the end, roll back on error.

    Declared with ``scope="function"`` so the commit happens before the response is sent: a
    client that follows a redirect (or trusts a 2xx) must find the change already stored.
    """
    session = ctx.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def csrf_guard(request: Request) -> None:
    """Refuse a state-changing, cookie-authenticated request without the session's CSRF token.

    Bearer-token API calls carry no ambient credentials, so they need no CSRF token.
    """
    if request.method in SAFE_METHODS or request.headers.get("authorization"):
        return
    if "user_id" not in request.session:
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(str(expected), given):
        raise PermissionDeniedError("missing or wrong CSRF token; reload the page and try again")


@dataclass(frozen=True)
class WorkspaceRef:
    """The few workspace fields the page layout shows."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user, and for a token its workspace and role."""

    user: User
    token_workspace: Workspace | None = None
    token_role: Role | None = None
    token_id: int | None = None


def _principal(request: Request, session: Session) -> Principal:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError("Authorization header must be 'Bearer <token>'")
        ident = accounts.authenticate_token(session, secret=secret.strip())
        return Principal(ident.user, ident.workspace, ident.role, ident.token_id)
    user_id = request.session.get("user_id")
    if isinstance(user_id, int):
        user = session.get(User, user_id)
        if user is not None and user.is_active:
            return Principal(user)
        request.session.clear()
    raise AuthenticationError("sign in first")


@dataclass(frozen=True)
class WorkspaceAccess:
    """A caller acting in one workspace with an effective role."""

    user: User
    workspace: Workspace
    role: Role
    session: Session
    token_id: int | None = None

    @property
    def actor(self) -> Actor:
        """The actor recorded in the audit log."""
        label = self.user.email + (f" (token {self.token_id})" if self.token_id else "")
        return Actor(self.user.id, label, self.workspace.id, self.role.value, self.token_id)


class Public:
    """Marks a route anyone may call."""

    def __call__(self) -> None:
        return None


class SignedIn:
    """Any signed-in user (or token), not tied to a workspace in the path."""

    def __call__(
        self, request: Request, session: SessionDep, _csrf: Annotated[None, Depends(csrf_guard)]
    ) -> Principal:
        return _principal(request, session)


class Require:
    """The caller must have at least ``role`` in the workspace named by the path's ``ws``."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def __call__(
        self,
        request: Request,
        ws: str,
        session: SessionDep,
        _csrf: Annotated[None, Depends(csrf_guard)],
    ) -> WorkspaceAccess:
        principal = _principal(request, session)
        if principal.token_workspace is not None:
            if principal.token_workspace.slug != ws:
                raise NotFoundError(f"workspace {ws!r} does not exist")
            workspace = principal.token_workspace
            role = principal.token_role or Role.viewer
        else:
            found = accounts.find_workspace(session, slug=ws)
            role_found = (
                accounts.effective_role(session, workspace_id=found.id, user_id=principal.user.id)
                if found
                else None
            )
            if found is None or role_found is None:
                # Not a member: answer as if it did not exist, so slugs cannot be probed.
                raise NotFoundError(f"workspace {ws!r} does not exist")
            workspace, role = found, role_found
        if not role.allows(self.role):
            raise PermissionDeniedError(f"this needs the {self.role} role; you are {role}")
        session.info["workspace_id"] = workspace.id
        # A plain snapshot for the layout: error pages render after the session is gone.
        request.state.workspace = WorkspaceRef(workspace.id, workspace.slug, workspace.name)
        request.state.role = role
        return WorkspaceAccess(principal.user, workspace, role, session, principal.token_id)


PUBLIC = Depends(Public())
SignedInDep = Annotated[Principal, Depends(SignedIn())]
ViewerDep = Annotated[WorkspaceAccess, Depends(Require(Role.viewer))]
EditorDep = Annotated[WorkspaceAccess, Depends(Require(Role.editor))]
AdminDep = Annotated[WorkspaceAccess, Depends(Require(Role.admin))]
OwnerDep = Annotated[WorkspaceAccess, Depends(Require(Role.owner))]

__all__ = [
    "MAX_ID",
    "PUBLIC",
    "IdPath",
    "OffsetQuery",
    "AdminDep",
    "CtxDep",
    "EditorDep",
    "OwnerDep",
    "Principal",
    "Require",
    "SessionDep",
    "SignedIn",
    "SignedInDep",
    "ViewerDep",
    "WorkspaceAccess",
    "csrf_token",
    "workspace_scope",
]
