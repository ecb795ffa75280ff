"""Build the demo company's workspace; idempotent (a second run reuses what exists).

Areas add their demo data by registering a step in ``DEMO_STEPS``; each step receives the
session, the workspace and the owner, and must itself skip work already done.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from producthq.accounts import service as accounts
from producthq.accounts.models import User, Workspace
from producthq.accounts.roles import Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate
from producthq.audit.service import Actor
from producthq.settings import Settings

DEMO_EMAIL = "owner@demo.producthq.test"
DEMO_PASSWORD = "producthq-demo"  # noqa: S105 - the published password of a local demo
DEMO_SLUG = "demo"
DEMO_TEAM = (
    ("maya.cpo@demo.producthq.test", "Maya Okafor", Role.admin),
    ("leo.pm@demo.producthq.test", "Leo Martin", Role.editor),
    ("ana.design@demo.producthq.test", "Ana Silva", Role.editor),
    ("board@demo.producthq.test", "Board Observer", Role.viewer),
)

DemoStep = Callable[[Session, Workspace, User, Callable[[str], None]], None]
DEMO_STEPS: list[tuple[str, DemoStep]] = []


@dataclass(frozen=True)
class DemoInfo:
    """How to sign in to the demo."""

    email: str
    password: str
    workspace_slug: str
    reused: bool


def _ensure_user(session: Session, email: str, name: str) -> User:
    user = accounts.find_user_by_email(session, email=email)
    if user is None:
        user = accounts.create_user(
            session, data=UserCreate(email=email, name=name, password=DEMO_PASSWORD)
        )
    return user


def build_demo(
    session: Session, *, settings: Settings, progress: Callable[[str], None]
) -> DemoInfo:
    """Create (or reuse) the demo owner, team and workspace, then run the areas' steps."""
    owner = _ensure_user(session, DEMO_EMAIL, "Demo Owner")
    workspace = accounts.find_workspace(session, slug=DEMO_SLUG)
    reused = workspace is not None
    if workspace is None:
        progress("creating the demo workspace")
        workspace = accounts.create_workspace(
            session, data=WorkspaceCreate(slug=DEMO_SLUG, name="Acme Analytics"), owner=owner
        )
        actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, Role.owner.value)
        for email, name, role in DEMO_TEAM:
            user = _ensure_user(session, email, name)
            invitation = accounts.create_invitation(
                session, actor=actor, email=email, role=role, ttl_hours=settings.invite_ttl_hours
            )
            accounts.accept_invitation(session, secret=invitation.secret, user=user)
    # Steps that write outside the application database (the events store) read the settings here.
    session.info["settings"] = settings
    for name, step in DEMO_STEPS:
        progress(f"demo data: {name}")
        step(session, workspace, owner, progress)
    session.flush()
    return DemoInfo(DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, reused)
