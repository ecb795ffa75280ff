"""Prioritisation through the app: ranking API, what-if, inputs and overrides, poker, pages."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.audit.service import Actor

API = "/api/v1/workspaces/acme"
XSS = "<img src=x onerror=alert(1)>"
CSV = (
    "title,reach,impact,confidence,effort\n"
    "Cheap,100,1,100%,1\n"  # RICE 100
    f"{XSS},1000,1,1,5\n"  # RICE 200
    "Unknown effort,10,1,1,\n"  # not scored
)


@pytest.fixture
def token(factory: sessionmaker[Session]) -> str:
    with factory() as s:
        owner = make_user(s)
        ws = make_workspace(s, owner, "acme")
        new = accounts.create_token(
            s, actor=Actor(owner.id, owner.email, ws.id, "owner"), name="t", role=Role.owner
        )
        s.commit()
        return new.secret


def _import(client: TestClient, token: str) -> None:
    r = client.post(f"{API}/catalog/import", json={"csv": CSV}, headers=bearer(token))
    assert r.status_code == 200, r.text


def test_ranking_api_orders_by_rice_and_what_if_reports_moves(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    _import(client, token)
    r = client.get(f"{API}/prioritization/ranking", params={"framework": "rice"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["title"] for row in body["rows"]] == [XSS, "Cheap"]
    assert [row["median"] for row in body["rows"]] == [pytest.approx(200), pytest.approx(100)]
    assert [u["missing"] for u in body["unscored"]] == [["effort"]]
    # Effort weighted 2: Cheap 100 / 1 = 100, the other 1000 / 25 = 40.
    r = client.get(
        f"{API}/prioritization/ranking", params={"weights": "effort=2"}, headers=h
    ).json()
    assert [(x["title"], x["rank_before"], x["places_up"]) for x in r["rows"]] == [
        ("Cheap", 2, 1),
        (XSS, 1, -1),
    ]
    for bad in (
        {"weights": "effort"},
        {"weights": "speed=2"},
        {"framework": "moscow"},
        {"weights": "effort=11"},
        {"top": "0"},
    ):
        resp = client.get(f"{API}/prioritization/ranking", params=bad, headers=h)
        assert resp.status_code == 422, (bad, resp.text)
        assert set(resp.json()["error"]) == {"code", "message", "details"}


def test_inputs_api_sets_ranges_and_refuses_bad_values(client: TestClient, token: str) -> None:
    h = bearer(token)
    fid = client.post(f"{API}/features", json={"title": "F"}, headers=h).json()["id"]
    url = f"{API}/prioritization/features/{fid}/inputs/rice"
    r = client.put(f"{url}/reach", json={"low": 100, "high": 400, "confidence": 0.8}, headers=h)
    assert r.status_code == 200, r.text
    reach = next(v for v in r.json()["inputs"] if v["input"] == "reach")
    assert (reach["source"], reach["median"]) == ("manual", pytest.approx(200.0))
    assert client.put(f"{url}/reach", json={"low": 5, "high": 1}, headers=h).status_code == 422
    assert client.put(f"{url}/effort", json={"low": 0}, headers=h).status_code == 422
    assert client.put(f"{url}/speed", json={"low": 1}, headers=h).status_code == 422
    assert (
        client.put(
            f"{API}/prioritization/features/{fid}/inputs/nope/x", json={"low": 1}, headers=h
        ).status_code
        == 422
    )
    assert client.delete(f"{url}/reach", headers=h).status_code == 200
    assert client.delete(f"{url}/reach", headers=h).status_code == 404
    ev = client.get(f"{API}/prioritization/features/{fid}/evidence", headers=h).json()
    assert (ev["reach"], ev["requests"], ev["trend"]) == (0, 0, "flat")
    fws = client.get(f"{API}/prioritization/frameworks", headers=h).json()
    rice = next(f for f in fws if f["slug"] == "rice")
    assert rice["derived_inputs"] == ["reach"] and rice["weights"] is True


def test_poker_api_hides_other_votes_until_reveal(
    client: TestClient, token: str, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        ws = accounts.get_workspace(s, slug="acme")
        leo = make_user(s, "leo@example.com", "Leo")
        from tests.factories import add_member

        add_member(s, ws, leo, Role.editor)
        leo_token = accounts.create_token(
            s, actor=Actor(leo.id, leo.email, ws.id, "editor"), name="l", role=Role.editor
        ).secret
        s.commit()
    h, h2 = bearer(token), bearer(leo_token)
    fid = client.post(f"{API}/features", json={"title": "F"}, headers=h).json()["id"]
    rnd = client.post(
        f"{API}/prioritization/features/{fid}/poker", json={"input": "effort"}, headers=h
    ).json()
    client.post(f"{API}/prioritization/poker/{rnd['id']}/votes", json={"value": 1}, headers=h)
    seen = client.post(
        f"{API}/prioritization/poker/{rnd['id']}/votes", json={"value": 5}, headers=h2
    ).json()
    assert (seen["own"], seen["votes"], seen["median"]) == (5.0, [], None)
    assert len(seen["voted"]) == 2
    out = client.post(f"{API}/prioritization/poker/{rnd['id']}/reveal", headers=h).json()
    assert (out["median"], out["disagreement"]) == (3.0, True)
    again = client.post(f"{API}/prioritization/poker/{rnd['id']}/reveal", headers=h)
    assert again.status_code == 409


def test_prioritize_page_ranks_escapes_and_moves_with_weights(
    client: TestClient, token: str
) -> None:
    _import(client, token)
    login(client, "owner@example.com")
    page = client.get("/w/acme/features/prioritize", params={"framework": "rice"})
    assert page.status_code == 200
    assert XSS not in page.text
    doc = BeautifulSoup(page.text, "html.parser")
    titles = [a.get_text() for a in doc.select('[data-testid="rank-title"]')]
    assert titles == [XSS, "Cheap"]
    assert doc.select_one('[data-chart="chart-value-effort"]') is not None
    partial = client.get(
        "/w/acme/features/prioritize",
        params={"framework": "rice", "w_effort": "2"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in partial.text
    doc = BeautifulSoup(partial.text, "html.parser")
    assert [a.get_text() for a in doc.select('[data-testid="rank-title"]')] == ["Cheap", XSS]
    assert "▲ 1" in partial.text
    bad = client.get("/w/acme/features/prioritize", params={"w_effort": "lots"})
    assert bad.status_code == 200 and "not a number" in bad.text
    for fw in ("ice", "ice_mean", "wsjf", "value_effort", "kano", "nope"):
        assert (
            client.get("/w/acme/features/prioritize", params={"framework": fw}).status_code == 200
        )


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("product_id=abc&status=someday", id="bad-filters"),
        pytest.param("objective_id=999999", id="missing-objective"),
        pytest.param("top=abc&framework=%3Cscript%3E", id="bad-top-and-framework"),
        pytest.param("w_reach=1e400&w_effort=nan", id="infinite-weights"),
        pytest.param("w_reach=-1", id="negative-weight"),
    ],
)
def test_odd_query_strings_give_a_page_with_a_note_not_an_error(
    client: TestClient, token: str, query: str
) -> None:
    _import(client, token)
    login(client, "owner@example.com")
    for path in ("/w/acme/features/prioritize", "/w/acme/features"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 200, (path, r.status_code)
        assert "<script>" not in r.text.split("</head>", 1)[1].replace(
            '<script type="application/json"', ""
        )
