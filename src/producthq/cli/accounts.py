"""``producthq user|workspace|member|token …``."""

from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from producthq.accounts import service
from producthq.accounts.models import Workspace
from producthq.accounts.roles import Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate
from producthq.audit.service import Actor
from producthq.cli.output import OutputFormat, console, emit
from producthq.cli.state import resolve_workspace, state
from producthq.errors import InvalidInputError, NotFoundError

user_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces.", no_args_is_help=True)
member_app = typer.Typer(help="Members of a workspace and invitations.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)

WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace slug (default: PRODUCTHQ_WORKSPACE, else the only one).",
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _invalid(exc: ValidationError) -> InvalidInputError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return InvalidInputError.single(tuple(err.get("loc", ())), f"{where}: {err['msg']}")


def cli_actor(session: Session, workspace: Workspace, email: str | None) -> Actor:
    """The actor recorded for a CLI action: the named user, else the first owner."""
    members = service.list_members(session, workspace_id=workspace.id)
    if email:
        for m in members:
            if m.user.email == email.strip().lower():
                return Actor(m.user_id, f"{m.user.email} (cli)", workspace.id, m.role)
        raise NotFoundError(f"{email} is not a member of workspace {workspace.slug!r}")
    owners = [m for m in members if m.role == Role.owner.value]
    if not owners:
        raise NotFoundError(f"workspace {workspace.slug!r} has no owner")
    return Actor(owners[0].user_id, f"{owners[0].user.email} (cli)", workspace.id, "owner")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="E-mail address (the sign-in name).")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user who can sign in."""
    try:
        data = UserCreate(email=email, name=name or email.split("@")[0], password=password)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with state().uow() as session:
        user = service.create_user(session, data=data)
        console.print(f"created user {user.email} (id {user.id})")


@user_app.command("list")
def user_list(fmt: FormatOpt = OutputFormat.table) -> None:
    """List users."""
    from sqlalchemy import select

    from producthq.accounts.models import User

    with state().uow() as session:
        users = session.scalars(select(User).order_by(User.email)).all()
        emit(
            [{"id": u.id, "email": u.email, "name": u.name} for u in users],
            ["id", "email", "name"],
            fmt,
        )


@workspace_app.command("create")
def workspace_create(
    slug: Annotated[str, typer.Argument(help="Short name used in URLs, e.g. acme.")],
    owner: Annotated[str, typer.Option(help="E-mail of the existing user who owns it.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a workspace owned by an existing user."""
    try:
        data = WorkspaceCreate(slug=slug, name=name or slug)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with state().uow() as session:
        user = service.find_user_by_email(session, email=owner)
        if user is None:
            raise NotFoundError(
                f"no user with e-mail {owner!r}; create one with `producthq user create`"
            )
        ws = service.create_workspace(session, data=data, owner=user)
        console.print(f"created workspace {ws.slug} owned by {user.email}")


@workspace_app.command("list")
def workspace_list(fmt: FormatOpt = OutputFormat.table) -> None:
    """List workspaces."""
    with state().uow() as session:
        rows = [
            {"id": w.id, "slug": w.slug, "name": w.name} for w in service.list_workspaces(session)
        ]
    emit(rows, ["id", "slug", "name"], fmt)


@member_app.command("list")
def member_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """List members and their roles."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        rows = [
            {"id": m.id, "email": m.user.email, "name": m.user.name, "role": m.role}
            for m in service.list_members(session, workspace_id=ws.id)
        ]
    emit(rows, ["id", "email", "name", "role"], fmt)


@member_app.command("invite")
def member_invite(
    email: Annotated[str, typer.Argument(help="E-mail address to invite.")],
    role: Annotated[Role, typer.Option(help="Role given on acceptance.")] = Role.viewer,
    workspace: WorkspaceOpt = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Inviting member's e-mail.")] = None,
) -> None:
    """Invite someone; prints the one-time link (mailed too when SMTP is configured)."""
    from producthq.web.mail import deliver_invitation

    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        new = service.create_invitation(
            session, actor=actor, email=email, role=role, ttl_hours=st.settings.invite_ttl_hours
        )
        url = f"{st.settings.base_url.rstrip('/')}/invite/{new.secret}"
        ws_name = ws.name
    emailed = deliver_invitation(st.settings, email, ws_name, url)
    console.print(f"invited {email} as {role}{' (e-mailed)' if emailed else ''}")
    console.print(url, soft_wrap=True)


@member_app.command("set-role")
def member_set_role(
    email: Annotated[str, typer.Argument(help="Member's e-mail.")],
    role: Annotated[Role, typer.Argument(help="New role.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Change a member's role."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        member = _member_by_email(session, ws, email)
        service.update_member_role(
            session, actor=cli_actor(session, ws, None), member_id=member, role=role
        )
    console.print(f"{email} is now {role} in {ws.slug}")


@member_app.command("remove")
def member_remove(
    email: Annotated[str, typer.Argument(help="Member's e-mail.")], workspace: WorkspaceOpt = None
) -> None:
    """Remove a member (their tokens are revoked)."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        member = _member_by_email(session, ws, email)
        service.remove_member(session, actor=cli_actor(session, ws, None), member_id=member)
    console.print(f"removed {email} from {ws.slug}")


def _member_by_email(session: Session, ws: Workspace, email: str) -> int:
    for m in service.list_members(session, workspace_id=ws.id):
        if m.user.email == email.strip().lower():
            return m.id
    raise NotFoundError(f"{email} is not a member of workspace {ws.slug!r}")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for.")],
    role: Annotated[Role, typer.Option(help="Role the token acts with.")] = Role.viewer,
    workspace: WorkspaceOpt = None,
    user: Annotated[
        str | None, typer.Option(help="Member the token acts for (default: an owner).")
    ] = None,
) -> None:
    """Create an API token; the secret is printed once."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        new = service.create_token(
            session, actor=cli_actor(session, ws, user), name=name, role=role
        )
        secret, token_id = new.secret, new.token.id
    console.print(f"token {token_id} for {ws.slug} ({role}); copy it now, it is not shown again:")
    print(secret)  # noqa: T201 - plain stdout so scripts can capture it


@token_app.command("list")
def token_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """List API tokens (never their secrets)."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "role": t.role,
                "created_at": t.created_at,
                "revoked": t.revoked_at is not None,
            }
            for t in service.list_tokens(session, workspace_id=ws.id)
        ]
    emit(rows, ["id", "name", "prefix", "role", "created_at", "revoked"], fmt)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see `token list`).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Revoke a token."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        service.revoke_token(session, actor=cli_actor(session, ws, None), token_id=token_id)
    console.print(f"revoked token {token_id}")
