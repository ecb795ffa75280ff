"""Authorisation over every route, generated from the app's route table.

A route added later is covered automatically: it must declare its access (Public, SignedIn or
Require(role)), and the matrix below then checks it for anonymous callers, low roles, other
workspaces' members, revoked tokens and removed members.
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import World, bearer, csrf_of, login, make_world
from tests.roadmap_factories import make_roadmap_objects
from tests.strategy_factories import make_strategy_objects

from producthq.accounts import service
from producthq.accounts.roles import Role
from producthq.analytics import segment_service
from producthq.analytics import service as analytics
from producthq.audit.service import Actor
from producthq.jobs import service as jobs
from producthq.web.deps import Public, Require, SignedIn
from producthq.web.routes import api_routes

WRITE = {"POST", "PATCH", "PUT", "DELETE"}


def access_of(route: APIRoute) -> list[Any]:
    found: list[Any] = []

    def walk(dep: Any) -> None:
        if isinstance(dep.call, Public | SignedIn | Require):
            found.append(dep.call)
        for sub in dep.dependencies:
            walk(sub)

    walk(route.dependant)
    return found


def routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    out = []
    for r in api_routes(app):
        for method in sorted(r.methods - {"HEAD"}):
            marks = access_of(r)
            out.append((method, r.path, marks[0] if marks else None))
    return out


def test_every_route_declares_exactly_one_access(app: FastAPI) -> None:
    for r in api_routes(app):
        kinds = {type(m) for m in access_of(r)}
        assert len(kinds) == 1, f"{r.path} declares {kinds or 'no access rule'}"


def _ids(factory: sessionmaker[Session], slug: str) -> dict[str, Any]:
    """Create one object of each kind in the workspace; return their ids for path filling."""
    with factory() as s:
        ws = service.get_workspace(s, slug=slug)
        owner = next(m for m in service.list_members(s, workspace_id=ws.id) if m.role == "owner")
        actor = Actor(owner.user_id, "t", ws.id, "owner")
        viewer = service.create_user
        token = service.create_token(s, actor=actor, name="probe", role=Role.viewer)
        inv = service.create_invitation(
            s, actor=actor, email=f"probe@{slug}.example", role=Role.viewer, ttl_hours=1
        )
        job = jobs.create_job(s, actor=actor, workspace_id=ws.id, kind="demo", params={})
        fb = _feedback_objects(s, actor, ws.id)
        rm = make_roadmap_objects(s, actor)
        st = make_strategy_objects(s, actor)
        cat = _catalog_objects(s, actor, fb["feature_id"])
        write_key = analytics.create_write_key(s, actor=actor, name="probe")
        saved = analytics.create_saved_insight(s, actor=actor, name="probe", kind="dau", query="")
        segment = segment_service.create_segment(
            s,
            actor=actor,
            name="probe",
            definition={"conditions": [{"type": "behaviour", "event": "signup"}]},
        )
        s.commit()
        del viewer
        return {
            "ws": slug,
            "member_id": owner.id,
            "token_id": token.token.id,
            "invitation_id": inv.invitation.id,
            "job_id": job.id,
            **fb,
            **rm,
            **st,
            **cat,
            "secret": "not-a-real-secret",
            "area": "strategy",
            "kind": "dau",
            "key_id": write_key.key.id,
            "insight_id": saved.id,
            "segment_id": segment.id,
        }


def _feedback_objects(s: Session, actor: Actor, workspace_id: int) -> dict[str, int]:
    """One company, person, feature, feedback item and highlight of the workspace."""
    from producthq.catalog import service as catalog
    from producthq.catalog.schemas import FeatureCreate
    from producthq.feedback import customers
    from producthq.feedback import highlights as highlighting
    from producthq.feedback import service as feedback
    from producthq.feedback.schemas import (
        CompanyCreate,
        FeedbackCreate,
        HighlightCreate,
        PersonCreate,
    )

    company = customers.create_company(
        s, actor=actor, workspace_id=workspace_id, data=CompanyCreate(name="Probe Co")
    )
    person = customers.create_person(
        s, actor=actor, workspace_id=workspace_id, data=PersonCreate(name="Probe")
    )
    feature = catalog.create_feature(s, actor=actor, data=FeatureCreate(title="Probe feature"))
    item = feedback.create_feedback(
        s,
        actor=actor,
        workspace_id=workspace_id,
        data=FeedbackCreate(text="probe feedback text", company_id=company.id),
    )
    highlight = highlighting.create_highlight(
        s, actor=actor, item_id=item.id, data=HighlightCreate(feature_id=feature.id, quote="probe")
    )
    from producthq.feedback.models import Theme

    theme = Theme(workspace_id=workspace_id, label="probe theme", keywords=[])
    s.add(theme)
    copy = feedback.create_feedback(
        s, actor=actor, workspace_id=workspace_id, data=FeedbackCreate(text="probe feedback text!")
    )
    s.flush()
    item.theme_id, item.duplicate_group, copy.duplicate_group = theme.id, item.id, item.id
    s.flush()
    return {
        "company_id": company.id,
        "person_id": person.id,
        "feature_id": feature.id,
        "item_id": item.id,
        "highlight_id": highlight.id,
        "theme_id": theme.id,
        "group_id": item.id,
    }


def _catalog_objects(s: Session, actor: Actor, feature_id: int) -> dict[str, Any]:
    """A product, a component and a poker round; path values of the prioritisation routes."""
    from producthq.catalog import service as catalog
    from producthq.catalog.schemas import ComponentCreate, ProductCreate
    from producthq.prioritization import service as prioritization
    from producthq.prioritization.schemas import PokerStart

    product = catalog.create_product(s, actor=actor, data=ProductCreate(name="Probe product"))
    component = catalog.create_component(
        s, actor=actor, data=ComponentCreate(product_id=product.id, name="Probe component")
    )
    poker = prioritization.start_poker(
        s, actor=actor, feature_id=feature_id, data=PokerStart(input="effort")
    )
    from producthq.prioritization import frameworks, kano_answers
    from producthq.prioritization.schemas import KanoResponseCreate, ScoringFrameworkCreate

    user_fw = frameworks.create_user_framework(
        s,
        actor=actor,
        data=ScoringFrameworkCreate.model_validate(
            {"slug": "probe", "title": "Probe", "criteria": [{"name": "value"}]}
        ),
    )
    kano = kano_answers.add_kano_response(
        s,
        actor=actor,
        feature_id=feature_id,
        data=KanoResponseCreate(functional="like", dysfunctional="dislike", respondent="p"),
    )
    return {
        "framework_id": user_fw.id,
        "response_id": kano.responses[0].id,
        "product_id": product.id,
        "component_id": component.id,
        "round_id": poker.id,
        "framework": "rice",
        "input_name": "effort",
        "fmt": "csv",
    }


def fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], csrf: str | None = None
) -> Any:
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if method in WRITE:
        if path.startswith("/api/"):
            kwargs["json"] = {}
            if csrf:
                kwargs["headers"] = {**headers, "X-CSRF-Token": csrf}
        else:
            kwargs["data"] = {"csrf_token": csrf or ""}
    return client.request(method, path, **kwargs)


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    return make_world(factory)


def _token(factory: sessionmaker[Session], slug: str, email: str, role: Role) -> str:
    with factory() as s:
        ws = service.get_workspace(s, slug=slug)
        user = service.find_user_by_email(s, email=email)
        assert user is not None
        member = service.find_membership(s, workspace_id=ws.id, user_id=user.id)
        assert member is not None
        new = service.create_token(
            s, actor=Actor(user.id, email, ws.id, member.role), name="t", role=role
        )
        s.commit()
        return new.secret


def test_anonymous_gets_401_on_api_and_login_redirect_on_pages(
    app: FastAPI, client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    ids = _ids(factory, world.a)
    for method, path, access in routes(app):
        if isinstance(access, Public):
            continue
        r = call(client, method, fill(path, ids), {})
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path, r.status_code)
            assert set(r.json()["error"]) == {"code", "message", "details"}
        else:
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"].startswith("/login?next=")


def test_viewer_cannot_write_or_reach_admin_routes(
    app: FastAPI, client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    ids = _ids(factory, world.a)
    token = _token(factory, world.a, world.users["viewer"], Role.viewer)
    csrf = login(client, world.users["viewer"])
    checked = 0
    for method, path, access in routes(app):
        if not isinstance(access, Require) or access.role == Role.viewer:
            continue
        headers = bearer(token) if path.startswith("/api/") else {}
        r = call(client, method, fill(path, ids), headers, csrf)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
        checked += 1
    assert checked >= 10


def test_member_of_a_cannot_touch_workspace_b(
    app: FastAPI, client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    ids_b = _ids(factory, world.b)
    ids_a = _ids(factory, world.a)
    token = _token(factory, world.a, world.users["owner"], Role.owner)
    csrf = login(client, world.users["owner"])
    for method, path, access in routes(app):
        if not isinstance(access, Require):
            continue
        headers = bearer(token) if path.startswith("/api/") else {}
        # B's slug outright, and A's slug with B's object ids (id guessing).
        for ids in (ids_b, {**ids_b, "ws": world.a}):
            if ids["ws"] == world.a and not any(k in path for k in ("_id}",)):
                continue
            r = call(client, method, fill(path, ids), headers, csrf)
            assert r.status_code in (403, 404, 422), (method, fill(path, ids), r.status_code)
    # And nothing of B was changed: its probe token still works.
    with factory() as s:
        tokens = service.list_tokens(s, workspace_id=service.get_workspace(s, slug="team-b").id)
        assert all(t.revoked_at is None for t in tokens)
    assert ids_a["ws"] == world.a


def test_revoked_token_stops_working(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    token = _token(factory, world.a, world.users["admin"], Role.admin)
    r = client.get(f"/api/v1/workspaces/{world.a}/members", headers=bearer(token))
    assert r.status_code == 200
    tokens = client.get(f"/api/v1/workspaces/{world.a}/tokens", headers=bearer(token)).json()
    mine = next(t for t in tokens if token.startswith(t["prefix"]))
    assert (
        client.delete(
            f"/api/v1/workspaces/{world.a}/tokens/{mine['id']}", headers=bearer(token)
        ).status_code
        == 200
    )
    r = client.get(f"/api/v1/workspaces/{world.a}/members", headers=bearer(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


def test_removed_member_loses_access_at_once(
    app: FastAPI, world: World, factory: sessionmaker[Session]
) -> None:
    editor_token = _token(factory, world.a, world.users["editor"], Role.editor)
    admin_token = _token(factory, world.a, world.users["admin"], Role.admin)
    with TestClient(app) as editor_browser, TestClient(app) as api:
        login(editor_browser, world.users["editor"])
        assert editor_browser.get(f"/w/{world.a}/members").status_code == 200
        members = api.get(
            f"/api/v1/workspaces/{world.a}/members", headers=bearer(admin_token)
        ).json()
        editor = next(m for m in members if m["email"] == world.users["editor"])
        r = api.delete(
            f"/api/v1/workspaces/{world.a}/members/{editor['id']}", headers=bearer(admin_token)
        )
        assert r.status_code == 204
        assert editor_browser.get(f"/w/{world.a}/members").status_code == 404
        assert (
            api.get(f"/api/v1/workspaces/{world.a}", headers=bearer(editor_token)).status_code
            == 401
        )


def test_csrf_token_is_required_for_cookie_writes(client: TestClient, world: World) -> None:
    login(client, world.users["owner"])
    r = client.post(
        f"/w/{world.a}/tokens", data={"name": "x", "role": "viewer"}, follow_redirects=False
    )
    assert r.status_code == 403
    r = client.post(f"/api/v1/workspaces/{world.a}/tokens", json={"name": "x"})
    assert r.status_code == 403
    csrf = csrf_of(client)
    r = client.post(
        f"/api/v1/workspaces/{world.a}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 201
