"""JSON routes of the accounts area under /api/v1."""

from fastapi import APIRouter, status

from producthq.accounts import service
from producthq.accounts.models import Invitation, Membership
from producthq.accounts.roles import Role
from producthq.accounts.schemas import (
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    MemberUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserRead,
    WorkspaceCreate,
    WorkspaceRead,
)
from producthq.errors import PermissionDeniedError
from producthq.web.deps import AdminDep, CtxDep, IdPath, SessionDep, SignedInDep, ViewerDep
from producthq.web.mail import deliver_invitation

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _member(m: Membership) -> MemberRead:
    return MemberRead(
        id=m.id,
        user_id=m.user_id,
        email=m.user.email,
        name=m.user.name,
        role=Role(m.role),
        created_at=m.created_at,
    )


@router.get("/me", response_model=UserRead)
def read_me(principal: SignedInDep) -> UserRead:
    """The signed-in user (or the token's user)."""
    return UserRead.model_validate(principal.user)


@router.get("/workspaces", response_model=list[WorkspaceRead])
def list_my_workspaces(principal: SignedInDep, session: SessionDep) -> list[WorkspaceRead]:
    """Workspaces the caller belongs to (a token sees only its own)."""
    if principal.token_workspace is not None:
        ws = principal.token_workspace
        return [WorkspaceRead(id=ws.id, slug=ws.slug, name=ws.name, role=principal.token_role)]
    return [
        WorkspaceRead(id=w.workspace.id, slug=w.workspace.slug, name=w.workspace.name, role=w.role)
        for w in service.list_user_workspaces(session, user=principal.user)
    ]


@router.post("/workspaces", response_model=WorkspaceRead, status_code=status.HTTP_201_CREATED)
def create_workspace(
    data: WorkspaceCreate, principal: SignedInDep, session: SessionDep
) -> WorkspaceRead:
    """Create a workspace owned by the caller (people only, not tokens)."""
    if principal.token_id is not None:
        raise PermissionDeniedError("API tokens are bound to one workspace; sign in to create one")
    ws = service.create_workspace(session, data=data, owner=principal.user)
    return WorkspaceRead(id=ws.id, slug=ws.slug, name=ws.name, role=Role.owner)


@router.get("/workspaces/{ws}", response_model=WorkspaceRead)
def read_workspace(access: ViewerDep) -> WorkspaceRead:
    """One workspace and the caller's role in it."""
    w = access.workspace
    return WorkspaceRead(id=w.id, slug=w.slug, name=w.name, role=access.role)


@router.get("/workspaces/{ws}/members", response_model=list[MemberRead])
def list_members(access: ViewerDep) -> list[MemberRead]:
    """Members of the workspace and their roles."""
    return [
        _member(m) for m in service.list_members(access.session, workspace_id=access.workspace.id)
    ]


@router.patch("/workspaces/{ws}/members/{member_id}", response_model=MemberRead)
def update_member(member_id: IdPath, data: MemberUpdate, access: AdminDep) -> MemberRead:
    """Change a member's role."""
    m = service.update_member_role(
        access.session, actor=access.actor, member_id=member_id, role=data.role
    )
    return _member(m)


@router.delete("/workspaces/{ws}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(member_id: IdPath, access: AdminDep) -> None:
    """Remove a member; their access ends at once."""
    service.remove_member(access.session, actor=access.actor, member_id=member_id)


@router.get("/workspaces/{ws}/invitations", response_model=list[InvitationRead])
def list_invitations(access: AdminDep) -> list[Invitation]:
    """Open invitations."""
    return service.list_invitations(access.session, workspace_id=access.workspace.id)


@router.post(
    "/workspaces/{ws}/invitations",
    response_model=InvitationCreated,
    status_code=status.HTTP_201_CREATED,
)
def create_invitation(data: InvitationCreate, access: AdminDep, ctx: CtxDep) -> InvitationCreated:
    """Invite an e-mail address; the one-time link is returned (and mailed if SMTP is set)."""
    new = service.create_invitation(
        access.session,
        actor=access.actor,
        email=str(data.email),
        role=data.role,
        ttl_hours=ctx.settings.invite_ttl_hours,
    )
    url = f"{ctx.settings.base_url.rstrip('/')}/invite/{new.secret}"
    emailed = deliver_invitation(ctx.settings, new.invitation.email, access.workspace.name, url)
    return InvitationCreated(
        **InvitationRead.model_validate(new.invitation).model_dump(),
        accept_url=url,
        emailed=emailed,
    )


@router.delete(
    "/workspaces/{ws}/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_invitation(invitation_id: IdPath, access: AdminDep) -> None:
    """Revoke an open invitation."""
    service.revoke_invitation(access.session, actor=access.actor, invitation_id=invitation_id)


@router.get("/workspaces/{ws}/tokens", response_model=list[TokenRead])
def list_tokens(access: AdminDep) -> list[TokenRead]:
    """API tokens of the workspace (never their secrets)."""
    return [
        TokenRead.model_validate(t)
        for t in service.list_tokens(access.session, workspace_id=access.workspace.id)
    ]


@router.post(
    "/workspaces/{ws}/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED
)
def create_token(data: TokenCreate, access: AdminDep) -> TokenCreated:
    """Create a token; its secret is in this response only."""
    new = service.create_token(access.session, actor=access.actor, name=data.name, role=data.role)
    return TokenCreated(**TokenRead.model_validate(new.token).model_dump(), token=new.secret)


@router.delete("/workspaces/{ws}/tokens/{token_id}", response_model=TokenRead)
def revoke_token(token_id: IdPath, access: AdminDep) -> TokenRead:
    """Revoke a token; it stops working at once."""
    return TokenRead.model_validate(
        service.revoke_token(access.session, actor=access.actor, token_id=token_id)
    )
