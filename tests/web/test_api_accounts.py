"""The JSON API for workspaces, members, invitations and tokens, and its one error shape."""

import asyncio
import json
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, csrf_of, login, make_user, make_workspace

from producthq.accounts.models import ApiToken, Workspace


@pytest.fixture
def owner_token(client: TestClient, factory: sessionmaker[Session]) -> str:
    with factory() as s:
        make_workspace(s, make_user(s), "acme")
        s.commit()
    csrf = login(client, "owner@example.com")
    r = client.post(
        "/api/v1/workspaces/acme/tokens",
        json={"name": "ci", "role": "owner"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    client.cookies.clear()
    return str(r.json()["token"])


def assert_error_shape(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    for d in body["error"]["details"]:
        assert set(d) == {"loc", "message", "code"}


def test_token_is_shown_once_and_listed_without_secret(
    client: TestClient, owner_token: str
) -> None:
    listed = client.get("/api/v1/workspaces/acme/tokens", headers=bearer(owner_token)).json()
    assert len(listed) == 1
    assert "token" not in listed[0]
    assert owner_token.startswith(listed[0]["prefix"])
    me = client.get("/api/v1/me", headers=bearer(owner_token)).json()
    assert me["email"] == "owner@example.com"


def test_invite_accept_through_the_link_creates_the_member(
    client: TestClient, owner_token: str, app: Any
) -> None:
    r = client.post(
        "/api/v1/workspaces/acme/invitations",
        json={"email": "new@example.com", "role": "editor"},
        headers=bearer(owner_token),
    )
    assert r.status_code == 201
    url = r.json()["accept_url"]
    assert r.json()["emailed"] is False
    path = url.removeprefix("http://testserver")
    with TestClient(app) as invitee:
        page = invitee.get(path)
        assert page.status_code == 200 and "Create account and join" in page.text
        csrf = csrf_of(invitee, path)
        r = invitee.post(
            path,
            data={"name": "New Person", "password": "long enough pw", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/w/acme/"
        assert invitee.get("/w/acme/").status_code == 200
        assert invitee.get(path).status_code == 404  # the link worked once
    members = client.get("/api/v1/workspaces/acme/members", headers=bearer(owner_token)).json()
    assert {(m["email"], m["role"]) for m in members} == {
        ("owner@example.com", "owner"),
        ("new@example.com", "editor"),
    }


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        pytest.param({"slug": "Bad Slug!", "name": "x"}, ["body", "slug"], id="bad-slug"),
        pytest.param(
            {"slug": "ok", "name": "x", "extra": 1}, ["body", "extra"], id="unknown-field"
        ),
        pytest.param({"slug": "ok", "name": "x" * 201}, ["body", "name"], id="too-long"),
        pytest.param({"slug": 5, "name": "x"}, ["body", "slug"], id="wrong-type"),
        pytest.param({"name": "x"}, ["body", "slug"], id="missing"),
    ],
)
def test_bad_workspace_input_is_a_clear_422_and_writes_nothing(
    client: TestClient, factory: sessionmaker[Session], body: dict[str, Any], loc: list[str]
) -> None:
    with factory() as s:
        make_user(s)
        s.commit()
    csrf = login(client, "owner@example.com")
    r = client.post("/api/v1/workspaces", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    assert_error_shape(r.json(), "invalid_input")
    assert r.json()["error"]["details"][0]["loc"] == loc
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Workspace)) == 0


def test_malformed_json_is_a_422_in_the_error_shape(client: TestClient, owner_token: str) -> None:
    r = client.post(
        "/api/v1/workspaces/acme/tokens",
        content=b"{not json",
        headers={**bearer(owner_token), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert_error_shape(r.json(), "invalid_input")


def test_duplicate_workspace_slug_is_a_409(client: TestClient, owner_token: str) -> None:
    login(client, "owner@example.com")
    csrf = csrf_of(client)
    r = client.post(
        "/api/v1/workspaces", json={"slug": "acme", "name": "Again"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 409
    assert_error_shape(r.json(), "conflict")


def test_unknown_route_and_wrong_method_use_the_error_shape(client: TestClient) -> None:
    assert_error_shape(client.get("/api/v1/nope").json(), "not_found")
    r = client.put("/api/v1/me")
    assert r.status_code == 405
    assert_error_shape(r.json(), "method_not_allowed")


def test_wrong_password_is_401_on_the_form_and_nothing_reveals_which_part(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        make_user(s)
        s.commit()
    csrf = csrf_of(client, "/login")
    wrong_pw = client.post(
        "/login", data={"email": "owner@example.com", "password": "nope", "csrf_token": csrf}
    )
    no_user = client.post(
        "/login", data={"email": "ghost@example.com", "password": "nope", "csrf_token": csrf}
    )
    assert wrong_pw.status_code == no_user.status_code == 401
    assert (
        "wrong e-mail or password" in wrong_pw.text and "wrong e-mail or password" in no_user.text
    )


def test_failed_token_creation_leaves_no_row(
    client: TestClient, owner_token: str, factory: sessionmaker[Session]
) -> None:
    r = client.post(
        "/api/v1/workspaces/acme/tokens",
        json={"name": "", "role": "owner"},
        headers=bearer(owner_token),
    )
    assert r.status_code == 422
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_security_headers_are_set(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "unsafe-inline" not in csp
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    cookie = r.headers.get("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_change_is_stored_before_its_response_is_sent(
    app: Any, owner_token: str, factory: sessionmaker[Session]
) -> None:
    """A client acting on a response (following a redirect, trusting a 201) finds the change.

    The app is driven as a server would drive it; when the response starts, a separate
    connection must already see the new token.
    """
    body = json.dumps({"name": "early", "role": "viewer"}).encode()
    seen: list[tuple[int, int]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            with factory() as s:
                stored = s.scalar(
                    select(func.count()).select_from(ApiToken).where(ApiToken.name == "early")
                )
            seen.append((message["status"], int(stored or 0)))

    path = "/api/v1/workspaces/acme/tokens"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {owner_token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    # A thread of its own: another test's event loop (Playwright's) may run in this one.
    worker = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
    worker.start()
    worker.join(timeout=30)
    assert seen == [(201, 1)]
