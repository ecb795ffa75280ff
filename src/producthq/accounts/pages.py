"""HTML routes of the accounts area: sign-in, workspaces, invitations, members, tokens."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from producthq.accounts import service
from producthq.accounts.roles import ROLE_ORDER, Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate
from producthq.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ProductHQError,
)
from producthq.web.deps import PUBLIC, AdminDep, CtxDep, IdPath, SessionDep, SignedInDep, ViewerDep
from producthq.web.mail import deliver_invitation
from producthq.web.render import render, render_ws

router = APIRouter()
FormStr = Annotated[str, Form(max_length=400)]


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _validation_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}"


def sign_in(request: Request, user_id: int, email: str) -> None:
    """Start a fresh session for the user (a new CSRF token, nothing carried over)."""
    request.session.clear()
    request.session["user_id"] = user_id
    request.session["user_email"] = email
    request.session["csrf"] = secrets.token_urlsafe(32)


@router.get("/login", dependencies=[PUBLIC], response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002
    """The sign-in form."""
    return render(request, "login.html", {"next": _safe_next(next), "email": "", "error": None})


@router.post("/login", dependencies=[PUBLIC])
def login(
    request: Request,
    session: SessionDep,
    ctx: CtxDep,
    email: FormStr,
    password: FormStr,
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
) -> Response:
    """Check the credentials and start a session."""
    client = request.client.host if request.client else "unknown"
    try:
        user = service.authenticate(
            session,
            email=email,
            password=password,
            client=client,
            max_attempts=ctx.settings.login_max_attempts,
            window=ctx.settings.login_window_seconds,
        )
    except ProductHQError as exc:
        # Keep the failed attempt (it counts toward the limit): commit, then show the form.
        session.commit()
        status = 429 if exc.code == "rate_limited" else 401
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "email": email, "error": exc.message},
            status_code=status,
        )
    sign_in(request, user.id, user.email)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[PUBLIC])
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(principal: SignedInDep, session: SessionDep) -> Response:
    """Go to the user's first workspace, or to the workspace list."""
    mine = service.list_user_workspaces(session, user=principal.user)
    if len(mine) >= 1:
        return RedirectResponse(f"/w/{mine[0].workspace.slug}/", status_code=303)
    return RedirectResponse("/workspaces", status_code=303)


@router.get("/workspaces", response_class=HTMLResponse)
def workspaces_page(request: Request, principal: SignedInDep, session: SessionDep) -> HTMLResponse:
    """The user's workspaces and a form to create one."""
    mine = service.list_user_workspaces(session, user=principal.user)
    return render(request, "workspaces.html", {"workspaces": mine, "form": {}, "error": None})


@router.post("/workspaces", response_class=HTMLResponse)
def create_workspace_page(
    request: Request, principal: SignedInDep, session: SessionDep, name: FormStr, slug: FormStr
) -> Response:
    """Create a workspace from the form."""
    try:
        data = WorkspaceCreate(name=name, slug=slug)
        ws = service.create_workspace(session, data=data, owner=principal.user)
    except (ValidationError, ConflictError) as exc:
        session.rollback()
        message = _validation_message(exc) if isinstance(exc, ValidationError) else exc.message
        mine = service.list_user_workspaces(session, user=principal.user)
        return render(
            request,
            "workspaces.html",
            {"workspaces": mine, "form": {"name": name, "slug": slug}, "error": message},
            status_code=422,
        )
    return RedirectResponse(f"/w/{ws.slug}/", status_code=303)


# --- invitations -------------------------------------------------------------------------


def _invite_mode(request: Request, session: SessionDep, email: str) -> str:
    uid = request.session.get("user_id")
    if isinstance(uid, int):
        return "accept"
    return "signin" if service.find_user_by_email(session, email=email) else "register"


@router.get("/invite/{secret}", dependencies=[PUBLIC], response_class=HTMLResponse)
def invite_page(request: Request, secret: str, session: SessionDep) -> HTMLResponse:
    """The landing page of a one-time invitation link."""
    invitation = service.find_open_invitation(session, secret=secret[:200])
    if invitation is None:
        raise NotFoundError("this invitation link is invalid, used, revoked or expired")
    from producthq.accounts.models import Workspace

    workspace = session.get(Workspace, invitation.workspace_id)
    mode = _invite_mode(request, session, invitation.email)
    return render(
        request,
        "invite.html",
        {"invitation": invitation, "workspace": workspace, "mode": mode, "error": None},
    )


@router.post("/invite/{secret}", dependencies=[PUBLIC])
def accept_invite(
    request: Request,
    secret: str,
    session: SessionDep,
    name: Annotated[str | None, Form(max_length=200)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
) -> Response:
    """Accept the invitation: as the signed-in user, or by creating the account."""
    invitation = service.find_open_invitation(session, secret=secret[:200])
    if invitation is None:
        raise NotFoundError("this invitation link is invalid, used, revoked or expired")
    uid = request.session.get("user_id")
    if isinstance(uid, int):
        user = service.get_user(session, user_id=uid)
    else:
        if service.find_user_by_email(session, email=invitation.email):
            raise AuthenticationError("sign in first")
        try:
            data = UserCreate(email=invitation.email, name=name or "", password=password or "")
        except ValidationError as exc:
            raise InvalidInputError(_validation_message(exc)) from exc
        user = service.create_user(session, data=data)
        sign_in(request, user.id, user.email)
    workspace = service.accept_invitation(session, secret=secret, user=user)
    return RedirectResponse(f"/w/{workspace.slug}/", status_code=303)


# --- members -----------------------------------------------------------------------------


def _members_page(
    request: Request, access: ViewerDep, status_code: int = 200, **extra: object
) -> HTMLResponse:
    session = access.session
    can_admin = access.role.allows(Role.admin)
    return render_ws(
        request,
        access,
        "accounts/members.html",
        {
            "members": service.list_members(session, workspace_id=access.workspace.id),
            "invitations": service.list_invitations(session, workspace_id=access.workspace.id)
            if can_admin
            else [],
            "roles": [r.value for r in ROLE_ORDER],
            "can_admin": can_admin,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/members", response_class=HTMLResponse)
def members_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Members, roles and invitations."""
    return _members_page(request, access)


@router.post("/w/{ws}/members/invite", response_class=HTMLResponse)
def invite_member(
    request: Request, access: AdminDep, ctx: CtxDep, email: FormStr, role: FormStr
) -> HTMLResponse:
    """Create an invitation and show its one-time link."""
    try:
        new = service.create_invitation(
            access.session,
            actor=access.actor,
            email=email,
            role=_role(role),
            ttl_hours=ctx.settings.invite_ttl_hours,
        )
    except (ConflictError, PermissionDeniedError, InvalidInputError) as exc:
        access.session.rollback()
        return _members_page(request, access, 422, error=exc.message)
    url = f"{ctx.settings.base_url.rstrip('/')}/invite/{new.secret}"
    emailed = deliver_invitation(ctx.settings, new.invitation.email, access.workspace.name, url)
    return _members_page(
        request, access, invite_url=url, invite_email=new.invitation.email, emailed=emailed
    )


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidInputError.single(("role",), f"unknown role {value!r}") from exc


@router.post("/w/{ws}/members/{member_id}/role", response_class=HTMLResponse)
def change_role(request: Request, member_id: IdPath, access: AdminDep, role: FormStr) -> Response:
    """Change a member's role."""
    try:
        service.update_member_role(
            access.session, actor=access.actor, member_id=member_id, role=_role(role)
        )
    except (ConflictError, PermissionDeniedError) as exc:
        access.session.rollback()
        return _members_page(request, access, 422, error=exc.message)
    return RedirectResponse(f"/w/{access.workspace.slug}/members", status_code=303)


@router.post("/w/{ws}/members/{member_id}/remove", response_class=HTMLResponse)
def remove_member(request: Request, member_id: IdPath, access: AdminDep) -> Response:
    """Remove a member."""
    try:
        service.remove_member(access.session, actor=access.actor, member_id=member_id)
    except (ConflictError, PermissionDeniedError) as exc:
        access.session.rollback()
        return _members_page(request, access, 422, error=exc.message)
    if member_id and access.user.id not in {
        m.user_id for m in service.list_members(access.session, workspace_id=access.workspace.id)
    }:
        return RedirectResponse("/workspaces", status_code=303)
    return RedirectResponse(f"/w/{access.workspace.slug}/members", status_code=303)


@router.post("/w/{ws}/invitations/{invitation_id}/revoke")
def revoke_invitation(invitation_id: IdPath, access: AdminDep) -> Response:
    """Revoke an open invitation."""
    service.revoke_invitation(access.session, actor=access.actor, invitation_id=invitation_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/members", status_code=303)


# --- tokens ------------------------------------------------------------------------------


def _tokens_page(
    request: Request, access: AdminDep, status_code: int = 200, **extra: object
) -> HTMLResponse:
    allowed = [r.value for r in ROLE_ORDER if access.role.allows(r)]
    return render_ws(
        request,
        access,
        "accounts/tokens.html",
        {
            "tokens": service.list_tokens(access.session, workspace_id=access.workspace.id),
            "roles": allowed,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, access: AdminDep) -> HTMLResponse:
    """API tokens of the workspace."""
    return _tokens_page(request, access)


@router.post("/w/{ws}/tokens", response_class=HTMLResponse)
def create_token_page(
    request: Request,
    access: AdminDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    role: FormStr,
) -> HTMLResponse:
    """Create a token and show its secret once."""
    try:
        new = service.create_token(
            access.session, actor=access.actor, name=name.strip() or "token", role=_role(role)
        )
    except PermissionDeniedError as exc:
        access.session.rollback()
        return _tokens_page(request, access, 403, error=exc.message)
    return _tokens_page(request, access, new_secret=new.secret)


@router.post("/w/{ws}/tokens/{token_id}/revoke")
def revoke_token_page(token_id: IdPath, access: AdminDep) -> Response:
    """Revoke a token."""
    service.revoke_token(access.session, actor=access.actor, token_id=token_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/tokens", status_code=303)
