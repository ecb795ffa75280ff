"""The roadmap's pages and JSON API through the in-process client (both engines)."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.db import utcnow
from producthq.roadmap.models import ShareLink

EVIL = "<script>alert(1)</script>"
API = "/api/v1/workspaces/acme/roadmap"


@pytest.fixture
def csrf(client: TestClient, factory: sessionmaker[Session]) -> str:
    """Owner of ``acme`` signed in; returns the CSRF token."""
    with factory() as s:
        make_workspace(s, make_user(s))
        s.commit()
    return login(client, "owner@example.com")


def _post(client: TestClient, csrf: str, path: str, body: dict[str, object]) -> dict[str, object]:
    r = client.post(path, json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code in (200, 201, 202), r.text
    data: dict[str, object] = r.json()
    return data


def _cards(html: str, column: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    col = soup.select_one(f'[data-testid="column-{column}"]')
    assert col is not None
    return [li["data-item-id"] for li in col.select("li.rm-card")]  # type: ignore[misc]


def test_move_endpoint_persists_order_and_column(client: TestClient, csrf: str) -> None:
    ids = [
        _post(client, csrf, f"{API}/items", {"title": t, "column": "next"})["id"]
        for t in ("A", "B", "C")
    ]
    moved = _post(client, csrf, f"{API}/items/{ids[2]}/move", {"column": "now", "position": 0})
    assert (moved["column"], moved["position"]) == ("now", 0)
    _post(client, csrf, f"{API}/items/{ids[0]}/move", {"column": "next", "position": 1})
    page = client.get("/w/acme/roadmap").text
    assert _cards(page, "now") == [str(ids[2])]
    assert _cards(page, "next") == [str(ids[1]), str(ids[0])]
    listed = client.get(f"{API}/items").json()
    assert [(i["id"], i["column"], i["position"]) for i in listed] == [
        (ids[2], "now", 0),
        (ids[1], "next", 0),
        (ids[0], "next", 1),
    ]
    r = client.post(
        f"{API}/items/{ids[0]}/move",
        json={"column": "soon", "position": 0},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422
    r = client.post(f"{API}/items/{ids[0]}/move", json={"column": "now", "position": 0})
    assert r.status_code == 403  # no CSRF header


def test_step_buttons_reorder_without_javascript(client: TestClient, csrf: str) -> None:
    a = _post(client, csrf, f"{API}/items", {"title": "A", "column": "next"})["id"]
    r = client.post(
        f"/w/acme/roadmap/items/{a}/step",
        data={"csrf_token": csrf, "direction": "left", "back": "team_id="},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/w/acme/roadmap?team_id=#card-{a}"
    assert _cards(client.get("/w/acme/roadmap").text, "now") == [str(a)]


def test_dependency_cycle_is_refused_with_its_name(client: TestClient, csrf: str) -> None:
    a = _post(client, csrf, f"{API}/items", {"title": "Auth"})["id"]
    b = _post(client, csrf, f"{API}/items", {"title": "Billing"})["id"]
    _post(client, csrf, f"{API}/items/{a}/dependencies", {"depends_on_id": b})
    r = client.post(
        f"{API}/items/{b}/dependencies", json={"depends_on_id": a}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert (
        err["message"] == f"dependency cycle: 'Billing' (#{b}) -> 'Auth' (#{a}) -> 'Billing' (#{b})"
    )
    assert err["details"][0]["code"] == "dependency_cycle"
    page = client.post(
        f"/w/acme/roadmap/items/{b}/dependencies",
        data={"csrf_token": csrf, "depends_on_id": str(a)},
    )
    assert page.status_code == 422 and "dependency cycle" in page.text


def test_item_titles_are_escaped_everywhere(client: TestClient, csrf: str) -> None:
    _post(
        client, csrf, f"{API}/periods", {"name": "Q1", "start": "2025-01-01", "end": "2025-03-31"}
    )
    period = client.get(f"{API}/periods").json()[0]["id"]
    item = _post(
        client,
        csrf,
        f"{API}/items",
        {
            "title": EVIL,
            "objective": EVIL,
            "column": "now",
            "start_period_id": period,
            "end_period_id": period,
        },
    )
    _post(client, csrf, f"{API}/releases", {"name": EVIL, "release_date": "2025-02-01"})
    link = _post(client, csrf, f"{API}/share-links", {"audience": "internal"})
    pages = [
        client.get("/w/acme/roadmap").text,
        client.get("/w/acme/roadmap/timeline").text,
        client.get(f"/w/acme/roadmap/items/{item['id']}").text,
        client.get("/w/acme/roadmap/export?format=svg&view=board").text,
        client.get("/w/acme/roadmap/export?format=svg&view=timeline").text,
    ]
    client.cookies.clear()
    pages.append(client.get(str(link["url"]).removeprefix("http://testserver")).text)
    for html in pages:
        assert EVIL not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_share_link_works_signed_out_and_stops_when_revoked(
    app: FastAPI, client: TestClient, csrf: str, factory: sessionmaker[Session]
) -> None:
    team = _post(client, csrf, f"{API}/teams", {"name": "Secret squad"})
    _post(
        client,
        csrf,
        f"{API}/items",
        {
            "title": "SSO",
            "team_id": team["id"],
            "owner": "Olga",
            "progress": 40,
            "notes": "internal note",
        },
    )
    board = _post(client, csrf, f"{API}/share-links", {"audience": "board", "label": "Board"})
    internal = _post(client, csrf, f"{API}/share-links", {"audience": "internal"})
    assert "token" not in client.get(f"{API}/share-links").json()[0]
    with TestClient(app) as anon:
        board_page = anon.get(str(board["url"]).removeprefix("http://testserver"))
        assert board_page.status_code == 200 and "SSO" in board_page.text
        for secret in ("Secret squad", "Olga", "internal note", "40%"):
            assert secret not in board_page.text
        internal_page = anon.get(str(internal["url"]).removeprefix("http://testserver")).text
        assert "Secret squad" in internal_page and "internal note" in internal_page
        assert anon.get("/share/roadmap/rm_guess").status_code == 404
    r = client.delete(f"{API}/share-links/{board['id']}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["revoked_at"]
    with factory() as s:
        s.execute(
            update(ShareLink)
            .where(ShareLink.id == internal["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        s.commit()
    with TestClient(app) as anon:
        assert anon.get(str(board["url"]).removeprefix("http://testserver")).status_code == 404
        assert anon.get(str(internal["url"]).removeprefix("http://testserver")).status_code == 404


def test_exports_csv_guard_png_and_pdf(client: TestClient, csrf: str) -> None:
    _post(client, csrf, f"{API}/items", {"title": "=cmd|' /C calc'!A0"})
    r = client.get("/w/acme/roadmap/export?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "\n1,'=cmd|' /C calc'!A0,later," in r.text
    assert client.get(f"{API}/export?format=json").json()["items"][0]["title"].startswith("=cmd")
    assert client.get("/w/acme/roadmap/export?format=md").text.startswith("# Acme roadmap")
    png = client.get("/w/acme/roadmap/export?format=png&view=timeline")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    pdf = client.get("/w/acme/roadmap/export?format=pdf&view=timeline")
    assert pdf.content[:5] == b"%PDF-"
    org = client.get("/w/acme/roadmap/export?format=png&view=org")
    assert org.status_code == 200 and org.content[:4] == b"\x89PNG"
    assert client.get("/w/acme/roadmap/export?format=csv&view=org").status_code == 422


def test_org_and_capacity_pages_and_forms(client: TestClient, csrf: str) -> None:
    r = client.post(
        "/w/acme/roadmap/org/teams",
        data={"csrf_token": csrf, "name": "Web"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    team = client.get(f"{API}/teams").json()[0]
    client.post(
        "/w/acme/roadmap/org/people",
        data={"csrf_token": csrf, "name": EVIL, "team_id": str(team["id"]), "fte": "0.5"},
    )
    client.post(
        "/w/acme/roadmap/org/periods",
        data={"csrf_token": csrf, "name": "W1", "start": "2025-01-06", "end": "2025-01-10"},
    )
    bad = client.post(
        "/w/acme/roadmap/org/people", data={"csrf_token": csrf, "name": "X", "fte": "2"}
    )
    assert bad.status_code == 422 and "fte" in bad.text
    org = client.get("/w/acme/roadmap/org")
    assert EVIL not in org.text and "&lt;script&gt;" in org.text
    cap = client.get("/w/acme/roadmap/capacity").text
    soup = BeautifulSoup(cap, "html.parser")
    cell = soup.select_one('[data-testid^="cap-"]')
    assert cell is not None and cell.get_text(strip=True) == "0.5"  # 0.5 FTE x 5 days / 5
    assert client.get(f"{API}/capacity").json()[0]["computed"] == 0.5


def test_snapshots_page_shows_the_diff(client: TestClient, csrf: str) -> None:
    a = _post(client, csrf, f"{API}/items", {"title": "Alpha", "column": "later"})["id"]
    first = _post(client, csrf, f"{API}/snapshots", {"name": "base"})
    _post(client, csrf, f"{API}/items/{a}/move", {"column": "now", "position": 0})
    second = _post(client, csrf, f"{API}/snapshots", {"name": "after"})
    api = client.get(f"{API}/snapshots/diff?a={first['id']}&b={second['id']}").json()
    assert api["moved"] == [
        {"id": a, "title": "Alpha", "before": "later", "after": "now", "days": 0}
    ]
    page = client.get(f"/w/acme/roadmap/snapshots?a={first['id']}&b={second['id']}").text
    soup = BeautifulSoup(page, "html.parser")
    moved = soup.select_one('[data-testid="diff-moved"]')
    assert moved is not None and "Alpha: later → now" in moved.get_text()


def test_scenario_flow_build_run_compare_apply(app: FastAPI, client: TestClient, csrf: str) -> None:
    team = _post(client, csrf, f"{API}/teams", {"name": "Web", "key": "web"})
    _post(client, csrf, f"{API}/people", {"name": "Ana", "team_id": team["id"]})
    _post(
        client, csrf, f"{API}/periods", {"name": "W1", "start": "2025-01-06", "end": "2025-01-10"}
    )
    for title, value in (("big", 5), ("small", 3)):
        _post(client, csrf, f"{API}/items", {"title": title, "value": value, "effort": {"web": 1}})
    r = client.post(
        "/w/acme/roadmap/scenarios",
        data={"csrf_token": csrf, "name": "Base"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    scenario_id = int(re.findall(r"\d+$", r.headers["location"])[0])
    job = _post(client, csrf, f"{API}/scenarios/{scenario_id}/optimize", {"time_limit": 2})
    assert app.state.ctx.queue.run_pending() == 1
    assert (
        client.get(f"/api/v1/workspaces/acme/jobs/{job['job_id']}").json()["status"] == "succeeded"
    )
    detail = client.get(f"{API}/scenarios/{scenario_id}").json()
    assert detail["status"] == "solved" and detail["objective"] == 5.0
    page = client.get(f"/w/acme/roadmap/scenarios/{scenario_id}").text
    assert "optimal" in page and "big" in page
    applied = _post(client, csrf, f"{API}/scenarios/{scenario_id}/apply", {})
    assert applied == {"updated": 1, "created": 0}
    big = next(i for i in client.get(f"{API}/items").json() if i["title"] == "big")
    assert big["team_id"] == team["id"] and big["start_period_id"] is not None
    cmp = client.get(f"/w/acme/roadmap/scenarios/compare?a={scenario_id}&b={scenario_id}")
    assert cmp.status_code == 200 and "same" in cmp.text


def test_viewer_token_reads_but_cannot_write(client: TestClient, csrf: str) -> None:
    _post(client, csrf, f"{API}/items", {"title": "Visible"})
    token = _post(client, csrf, "/api/v1/workspaces/acme/tokens", {"name": "v", "role": "viewer"})
    client.cookies.clear()
    r = client.post(f"{API}/items", json={"title": "x"}, headers=bearer(str(token["token"])))
    assert r.status_code == 403
    assert (
        client.get(f"{API}/items", headers=bearer(str(token["token"]))).json()[0]["title"]
        == "Visible"
    )
