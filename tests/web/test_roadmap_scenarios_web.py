"""Optimiser scenarios in the web UI and API: run as a job, explain, import, download, compare."""

import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.roadmap.checker import check_plan

EVIL = "<script>alert(1)</script>"
API = "/api/v1/workspaces/acme/roadmap"
HTMX = {"HX-Request": "true"}


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


def _one_person_week_workspace(client: TestClient, csrf: str) -> int:
    """Team ``web`` with one person for one 5-day week (1 person-week); two 1-pw items."""
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
    return int(re.findall(r"\d+$", r.headers["location"])[0])


def _scenario(periods: list[str], capacity: float, **extra: object) -> dict[str, object]:
    return {
        "name": "imported",
        "periods": periods,
        "teams": [{"id": "web", "capacity": capacity}],
        "features": [
            {"id": "big", "value": 5, "effort": {"web": 1}},
            {"id": "small", "value": 3, "effort": {"web": 1}},
        ],
        **extra,
    }


def test_run_from_the_page_shows_progress_then_the_explained_plan(
    app: FastAPI, client: TestClient, csrf: str
) -> None:
    sid = _one_person_week_workspace(client, csrf)
    r = client.post(
        f"/w/acme/roadmap/scenarios/{sid}/optimize",
        data={"csrf_token": csrf, "time_limit": "2"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"/roadmap/scenarios/{sid}")
    soup = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
    box = soup.select_one('[data-testid="scenario-job"]')
    assert box is not None and box["data-status"] == "queued" and box.get("hx-get")
    waiting = client.get(f"/w/acme/roadmap/scenarios/{sid}/progress", headers=HTMX)
    assert waiting.status_code == 200 and "HX-Refresh" not in waiting.headers
    assert app.state.ctx.queue.run_pending() == 1
    done = client.get(f"/w/acme/roadmap/scenarios/{sid}/progress", headers=HTMX)
    assert done.headers.get("HX-Refresh") == "true"

    soup = BeautifulSoup(client.get(f"/w/acme/roadmap/scenarios/{sid}").text, "html.parser")
    summary = soup.select_one('[data-testid="plan-summary"]')
    assert summary is not None and "optimal, value 5.0" in summary.get_text()
    # By hand: 1 person-week holds one item; "big" (5) beats "small" (3). The week is used up,
    # one more lets "small" in (+3); +10 % (1.1) fits nothing more; -10 % (0.9) fits nothing.
    binding = soup.select('[data-testid="binding"] tbody tr')
    assert [[td.get_text(strip=True) for td in tr.select("td")] for tr in binding] == [
        ["Web", "W1", "1", "1", "3", "+ small"]
    ]
    changes = {
        tr["data-percent"]: [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in soup.select('[data-testid="capacity-changes"] tbody tr')
    }
    assert changes["10.0"][2:] == ["5.0 (+0.0)", "—", "—"]
    assert changes["-10.0"][2:] == ["0.0 (-5.0)", "—", "big"]
    cell = soup.select_one('[data-testid="capacity-use"] td[data-binding="true"]')
    assert cell is not None and "1 / 1" in cell.get_text() and "+3" in cell.get_text()

    plan = client.get(f"{API}/scenarios/{sid}").json()["plan"]
    assert plan["explanation"]["marginal_values"][0]["value_per_person_week"] == 3.0
    scenario = client.get(f"{API}/scenarios/{sid}").json()["scenario"]
    assert check_plan(scenario, plan) == []


def test_api_run_without_explanation_stores_only_the_plan(
    app: FastAPI, client: TestClient, csrf: str
) -> None:
    sid = _one_person_week_workspace(client, csrf)
    _post(client, csrf, f"{API}/scenarios/{sid}/optimize", {"time_limit": 1, "explain": False})
    assert app.state.ctx.queue.run_pending() == 1
    plan = client.get(f"{API}/scenarios/{sid}").json()["plan"]
    assert plan["objective"] == 5.0 and "explanation" not in plan


BAD_SCENARIOS = [
    pytest.param(
        _scenario(
            ["Q1", "Q2"],
            2,
            features=[
                {"id": "a", "value": 1, "effort": {"web": 1}, "depends_on": ["b"]},
                {"id": "b", "value": 1, "effort": {"web": 1}, "depends_on": ["a"]},
            ],
        ),
        "dependency cycle: a -&gt; b -&gt; a",
        id="cycle",
    ),
    pytest.param(
        _scenario(["Q1"], 2, features=[{"id": "a", "value": 1, "effort": {"mobile": 1}}]),
        "unknown team &#39;mobile&#39;",
        id="unknown-team",
    ),
    pytest.param(_scenario(["Q1"], -5), "-5 is negative", id="negative-capacity"),
    pytest.param(
        _scenario(
            ["Q1", "Q2"],
            2,
            features=[{"id": "a", "value": 1, "effort": {"web": 9}, "deadline": "Q1"}],
        ),
        "feature &#39;a&#39; cannot meet its deadline &#39;Q1&#39;: no eligible team has the"
        " capacity: team &#39;web&#39; needs 9 person-weeks per period but has at most 2",
        id="impossible-deadline",
    ),
]


@pytest.mark.parametrize(("doc", "expected"), BAD_SCENARIOS)
def test_import_upload_explains_bad_scenarios(
    client: TestClient, csrf: str, doc: dict[str, object], expected: str
) -> None:
    r = client.post(
        "/w/acme/roadmap/scenarios/import",
        data={"csrf_token": csrf},
        files={"file": ("plan.json", io.BytesIO(json.dumps(doc).encode()), "application/json")},
    )
    assert r.status_code == 422
    assert expected in r.text
    assert client.get(f"{API}/scenarios").json() == []


def test_import_upload_rejects_broken_json_and_escapes_names(client: TestClient, csrf: str) -> None:
    r = client.post(
        "/w/acme/roadmap/scenarios/import",
        data={"csrf_token": csrf},
        files={"file": (f"{EVIL}.json", io.BytesIO(b'{"periods": ['), "application/json")},
    )
    assert r.status_code == 422 and "is not valid JSON" in r.text
    assert EVIL not in r.text and "&lt;script&gt;" in r.text


def test_import_then_download_round_trips(client: TestClient, csrf: str) -> None:
    doc = _scenario(["Q1"], 1)
    r = client.post(
        "/w/acme/roadmap/scenarios/import",
        data={"csrf_token": csrf, "name": EVIL},
        files={"file": ("s.json", io.BytesIO(json.dumps(doc).encode()), "application/json")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    sid = int(re.findall(r"\d+$", r.headers["location"])[0])
    page = client.get(r.headers["location"]).text
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    got = client.get(f"/w/acme/roadmap/scenarios/{sid}/download?what=scenario")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert got.json() == doc
    assert client.get(f"/w/acme/roadmap/scenarios/{sid}/download?what=plan").status_code == 422
    assert client.get(f"/w/acme/roadmap/scenarios/{sid}/download?what=x").status_code == 422


def test_compare_page_puts_capacity_and_changes_side_by_side(
    app: FastAPI, client: TestClient, csrf: str
) -> None:
    ids = []
    for capacity in (2, 1):
        row = _post(client, csrf, f"{API}/scenarios/import", _scenario(["Q1"], capacity))
        ids.append(row["id"])
        _post(client, csrf, f"{API}/scenarios/{row['id']}/optimize", {"time_limit": 1})
    assert app.state.ctx.queue.run_pending() == 2
    a, b = ids
    soup = BeautifulSoup(
        client.get(f"/w/acme/roadmap/scenarios/compare?a={a}&b={b}").text, "html.parser"
    )
    # By hand: capacity 2 takes both items (8), capacity 1 only "big" (5).
    assert soup.select_one('[data-testid="value-a"]').get_text() == "8.0"  # type: ignore[union-attr]
    assert soup.select_one('[data-testid="value-b"]').get_text() == "5.0"  # type: ignore[union-attr]
    cap = [td.get_text() for td in soup.select('[data-testid="capacity-compare"] tbody td')]
    assert cap == ["web", "2", "1", "-1"]
    rows = {
        tr.select("td")[0].get_text(): tr["data-change"]
        for tr in soup.select('[data-testid="comparison"] tbody tr')
    }
    assert rows == {"small": "only_a", "big": "same"}
    counts = soup.select_one('[data-testid="change-counts"]')
    assert counts is not None and counts.get_text().startswith("1 only in")


def test_compare_needs_two_solved_scenarios(client: TestClient, csrf: str) -> None:
    row = _post(client, csrf, f"{API}/scenarios/import", _scenario(["Q1"], 1))
    r = client.get(f"/w/acme/roadmap/scenarios/compare?a={row['id']}&b={row['id']}")
    assert r.status_code == 422 and "has no plan yet" in r.text
    assert client.get("/w/acme/roadmap/scenarios/compare?a=x&b=1").status_code == 422
    assert client.get("/w/acme/roadmap/scenarios/compare").status_code == 422


def test_board_timeline_and_api_filter_by_product(
    client: TestClient, csrf: str, factory: sessionmaker[Session]
) -> None:
    from producthq.accounts import service as accounts
    from producthq.audit.service import Actor
    from producthq.catalog import service as catalog
    from producthq.catalog.schemas import FeatureCreate, ProductCreate
    from producthq.db import workspace_scope

    with factory() as s:
        ws = accounts.get_workspace(s, slug="acme")
        actor = Actor(None, "test", ws.id, "owner")
        with workspace_scope(s, ws.id):
            ids = {}
            for name in ("Mobile app", EVIL):
                product = catalog.create_product(s, actor=actor, data=ProductCreate(name=name))
                feature = catalog.create_feature(
                    s, actor=actor, data=FeatureCreate(title=f"f {name}", product_id=product.id)
                )
                ids[name] = (product.id, feature.id)
        s.commit()
    mobile, other = ids["Mobile app"], ids[EVIL]
    _post(client, csrf, f"{API}/items", {"title": "On mobile", "feature_id": mobile[1]})
    _post(client, csrf, f"{API}/items", {"title": "Elsewhere", "feature_id": other[1]})
    _post(client, csrf, f"{API}/items", {"title": "No feature"})
    got = client.get(f"{API}/items", params={"product_id": mobile[0]}).json()
    assert [i["title"] for i in got] == ["On mobile"]
    assert len(client.get(f"{API}/items").json()) == 3
    board = client.get("/w/acme/roadmap", params={"product_id": str(mobile[0])}).text
    soup = BeautifulSoup(board, "html.parser")
    assert [t.get_text() for t in soup.select(".rm-card .rm-title")] == ["On mobile"]
    options = [o.get_text() for o in soup.select('select[name="product_id"] option')]
    assert options == ["any", "Mobile app", EVIL] or options == ["any", EVIL, "Mobile app"]
    assert EVIL not in board
    timeline = client.get("/w/acme/roadmap/timeline", params={"product_id": str(other[0])})
    assert timeline.status_code == 200
    assert client.get("/w/acme/roadmap", params={"product_id": "x"}).status_code == 422


@pytest.mark.parametrize(("doc", "expected"), BAD_SCENARIOS)
def test_api_import_explains_bad_scenarios_in_the_error_shape(
    client: TestClient, csrf: str, doc: dict[str, object], expected: str
) -> None:
    import html

    r = client.post(f"{API}/scenarios/import", json=doc, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    messages = " ".join(
        [r.json()["error"]["message"]] + [p["message"] for p in r.json()["error"]["details"]]
    )
    assert html.unescape(expected) in messages


def test_delete_scenario_from_page_and_api_waits_for_its_job(
    app: FastAPI, client: TestClient, csrf: str
) -> None:
    first = _post(client, csrf, f"{API}/scenarios/import", _scenario(["Q1"], 1))
    second = _post(client, csrf, f"{API}/scenarios/import", _scenario(["Q1"], 2))
    _post(client, csrf, f"{API}/scenarios/{first['id']}/optimize", {"time_limit": 1})
    r = client.delete(f"{API}/scenarios/{first['id']}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and "is being solved" in r.json()["error"]["message"]
    assert app.state.ctx.queue.run_pending() == 1
    r = client.delete(f"{API}/scenarios/{first['id']}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    r = client.post(
        f"/w/acme/roadmap/scenarios/{second['id']}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/roadmap/scenarios")
    assert client.get(f"{API}/scenarios").json() == []
    assert client.get(f"{API}/scenarios/{second['id']}").status_code == 404


def test_viewers_read_scenarios_but_cannot_run_apply_or_delete(
    client: TestClient, csrf: str
) -> None:
    row = _post(client, csrf, f"{API}/scenarios/import", _scenario(["Q1"], 1))
    sid = row["id"]
    token = _post(client, csrf, "/api/v1/workspaces/acme/tokens", {"name": "v", "role": "viewer"})
    client.cookies.clear()
    anonymous = client.get(f"/w/acme/roadmap/scenarios/{sid}/progress", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    viewer = bearer(str(token["token"]))
    assert client.get(f"{API}/scenarios/{sid}", headers=viewer).status_code == 200
    for method, path in (
        ("POST", f"{API}/scenarios/{sid}/optimize"),
        ("POST", f"{API}/scenarios/{sid}/apply"),
        ("DELETE", f"{API}/scenarios/{sid}"),
    ):
        r = client.request(method, path, json={}, headers=viewer)
        assert r.status_code == 403, (method, path)
