"""Plain, deterministic factories for tests."""

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from producthq.accounts import service
from producthq.accounts.models import Membership, User, Workspace
from producthq.accounts.roles import Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate

PASSWORD = "correct horse battery"


def make_user(session: Session, email: str = "owner@example.com", name: str = "Owner") -> User:
    return service.create_user(session, data=UserCreate(email=email, name=name, password=PASSWORD))


def make_workspace(
    session: Session, owner: User, slug: str = "acme", name: str = "Acme"
) -> Workspace:
    return service.create_workspace(
        session, data=WorkspaceCreate(slug=slug, name=name), owner=owner
    )


def add_member(session: Session, workspace: Workspace, user: User, role: Role) -> Membership:
    m = Membership(workspace_id=workspace.id, user_id=user.id, role=role.value)
    session.add(m)
    session.flush()
    return m


@dataclass
class World:
    """Two workspaces, A and B, with one user per role in A and an owner in B."""

    a: str
    b: str
    users: dict[str, str]  # role -> e-mail in workspace A; "b_owner" for B


def make_world(factory: sessionmaker[Session]) -> World:
    with factory() as s:
        owner = make_user(s, "owner@a.example", "Owner A")
        ws_a = make_workspace(s, owner, "team-a", "Team A")
        users = {"owner": owner.email}
        for role in (Role.admin, Role.editor, Role.viewer):
            u = make_user(s, f"{role.value}@a.example", f"{role.value} A")
            add_member(s, ws_a, u, role)
            users[role.value] = u.email
        b_owner = make_user(s, "owner@b.example", "Owner B")
        make_workspace(s, b_owner, "team-b", "Team B")
        users["b_owner"] = b_owner.email
        s.commit()
    return World("team-a", "team-b", users)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token."""
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token, "login page has no CSRF token"
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client)


def csrf_of(client: TestClient, path: str = "/workspaces") -> str:
    page = client.get(path)
    m = CSRF_RE.search(page.text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
