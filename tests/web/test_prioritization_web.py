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


def test_switching_framework_sends_the_new_frameworks_weights(
    client: TestClient, token: str
) -> None:
    _import(client, token)
    login(client, "owner@example.com")
    hx = {"HX-Request": "true"}
    # Same framework: only the ranking comes back, the panel the user is typing in stays.
    same = client.get(
        "/w/acme/features/prioritize",
        params={"framework": "rice", "shown_framework": "rice", "w_effort": "2"},
        headers=hx,
    )
    assert 'hx-swap-oob="true"' not in same.text
    # RICE -> ICE: RICE's effort weight is not applied, and ICE's panel replaces RICE's.
    switched = client.get(
        "/w/acme/features/prioritize",
        params={"framework": "ice", "shown_framework": "rice", "w_effort": "2"},
        headers=hx,
    )
    doc = BeautifulSoup(switched.text, "html.parser")
    panel = doc.select_one('#what-if-panel[hx-swap-oob="true"]')
    assert panel is not None
    names = sorted(i["name"] for i in panel.select('input[type="number"]'))
    assert names == ["w_confidence", "w_ease", "w_impact"]
    assert panel.select_one('input[name="shown_framework"]')["value"] == "ice"


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


FW = {
    "slug": "growth",
    "title": XSS,
    "criteria": [
        {"name": "value", "weight": 3},
        {"name": "effort", "weight": 1, "kind": "cost", "description": XSS},
    ],
    "formula": "w_value * value / effort",
}


def test_user_framework_api_crud_estimates_and_ranking(client: TestClient, token: str) -> None:
    h = bearer(token)
    r = client.post(f"{API}/prioritization/user-frameworks", json=FW, headers=h)
    assert r.status_code == 201, r.text
    fw_id = r.json()["id"]
    fid = client.post(f"{API}/features", json={"title": "F"}, headers=h).json()["id"]
    url = f"{API}/prioritization/features/{fid}/inputs/growth"
    assert client.put(f"{url}/value", json={"low": 4}, headers=h).status_code == 200
    assert client.put(f"{url}/effort", json={"low": 2}, headers=h).status_code == 200
    body = client.get(
        f"{API}/prioritization/ranking", params={"framework": "growth"}, headers=h
    ).json()
    assert [row["median"] for row in body["rows"]] == [pytest.approx(6.0)]  # 3 * 4 / 2
    slugs = [f["slug"] for f in client.get(f"{API}/prioritization/frameworks", headers=h).json()]
    assert "growth" in slugs and "opportunity" in slugs
    r = client.patch(
        f"{API}/prioritization/user-frameworks/{fw_id}", json={"formula": "value"}, headers=h
    )
    assert r.status_code == 200 and r.json()["effective_formula"] == "value"
    assert (
        client.delete(f"{API}/prioritization/user-frameworks/{fw_id}", headers=h).status_code == 204
    )
    assert client.get(f"{API}/prioritization/user-frameworks/{fw_id}", headers=h).status_code == 404


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        pytest.param({"formula": "w_value * valeu"}, ["formula", 11], id="formula-typo"),
        pytest.param({"slug": "Bad Slug"}, ["body", "slug"], id="bad-slug"),
        pytest.param({"criteria": []}, ["body", "criteria"], id="no-criteria"),
        pytest.param(
            {"criteria": [{"name": "value", "weight": -1}]},
            ["body", "criteria", 0, "weight"],
            id="negative-weight",
        ),
    ],
)
def test_user_framework_api_errors_name_the_field(
    client: TestClient, token: str, change: dict[str, object], loc: list[object]
) -> None:
    r = client.post(
        f"{API}/prioritization/user-frameworks", json={**FW, **change}, headers=bearer(token)
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == loc


def test_framework_form_shows_caret_keeps_typing_and_escapes(
    client: TestClient, token: str
) -> None:
    login(client, "owner@example.com")
    page = client.get("/w/acme/features/frameworks")
    csrf = BeautifulSoup(page.text, "html.parser").select_one('input[name="csrf_token"]')
    assert csrf is not None
    form = {
        "csrf_token": csrf["value"],
        "slug": "growth",
        "title": XSS,
        "formula": "w_value * valeu",
        "c_name": ["value", "effort", ""],
        "c_weight": ["3", "1", ""],
        "c_kind": ["benefit", "cost", "benefit"],
        "c_desc": [XSS, "", ""],
    }
    r = client.post("/w/acme/features/frameworks", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert XSS not in r.text
    doc = BeautifulSoup(r.text, "html.parser")
    # The caret sits under column 11, the start of the unknown name.
    assert doc.select_one('[data-testid="formula-caret"]').get_text() == (
        "w_value * valeu\n          ^"
    )
    assert doc.select_one('[data-testid="fw-formula"]').get_text() == "w_value * valeu"
    assert doc.select_one('[data-testid="fw-title"]')["value"] == XSS
    assert [i["value"] for i in doc.select('input[name="c_name"]')][:2] == ["value", "effort"]
    form["formula"] = "w_value * value / effort"
    r = client.post("/w/acme/features/frameworks", data=form, follow_redirects=False)
    assert r.status_code == 303 and "framework=growth" in r.headers["location"]
    page = client.get("/w/acme/features/frameworks")
    assert XSS not in page.text
    rows = BeautifulSoup(page.text, "html.parser").select('[data-testid="user-framework"]')
    assert [row["data-slug"] for row in rows] == ["growth"]
    rank = client.get("/w/acme/features/prioritize", params={"framework": "growth"})
    assert rank.status_code == 200 and XSS not in rank.text
    options = BeautifulSoup(rank.text, "html.parser").select('[data-testid="framework"] option')
    assert any(o["value"] == "growth" and o.has_attr("selected") for o in options)


def test_kano_api_import_and_page(client: TestClient, token: str) -> None:
    h = bearer(token)
    fid = client.post(f"{API}/features", json={"title": "F"}, headers=h).json()["id"]
    r = client.post(
        f"{API}/prioritization/features/{fid}/kano",
        json={"functional": "like", "dysfunctional": "dislike", "respondent": XSS},
        headers=h,
    )
    assert r.status_code == 201, r.text
    bad = client.post(
        f"{API}/prioritization/kano/import",
        json={"csv": f"feature_id,respondent,functional,dysfunctional\n{fid},a,like,huh\n"},
        headers=h,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["kano.csv", 2, "dysfunctional"]
    good = client.post(
        f"{API}/prioritization/kano/import",
        json={"csv": f"feature_id,respondent,functional,dysfunctional\n{fid},b,expect,dislike\n"},
        headers=h,
    ).json()
    assert good == {"created": 1, "features": [fid]}
    summary = client.get(f"{API}/prioritization/features/{fid}/kano", headers=h).json()
    # O 1, M 1: better 1/2, worse -(1 + 1)/2 = -1; tie O-M goes to M (Matzler & Hinterhuber).
    assert (summary["better"], summary["worse"], summary["category"]) == (0.5, -1.0, "must_be")
    login(client, "owner@example.com")
    page = client.get(f"/w/acme/features/{fid}")
    assert page.status_code == 200 and XSS not in page.text
    doc = BeautifulSoup(page.text, "html.parser")
    assert doc.select_one('[data-testid="kano-better"]').get_text() == "0.50"
    rank = client.get("/w/acme/features/prioritize", params={"framework": "kano"})
    assert BeautifulSoup(rank.text, "html.parser").select_one('[data-chart="chart-kano"]')
    csrf = doc.select_one('input[name="csrf_token"]')["value"]
    upload = client.post(
        f"/w/acme/features/{fid}/kano/import",
        data={"csrf_token": csrf},
        files={"file": ("k.csv", b"respondent,functional,dysfunctional\nc,like,nope\n")},
        follow_redirects=False,
    )
    assert upload.status_code == 303 and "nothing+imported" in upload.headers["location"]
    assert client.get(f"{API}/prioritization/features/{fid}/kano", headers=h).json()["total"] == 2


def test_what_if_panel_starts_at_a_user_frameworks_own_weights(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    fw = {
        "slug": "growth",
        "title": "Growth",
        "criteria": [{"name": "value", "weight": 3}, {"name": "fit", "weight": 2}],
    }
    assert (
        client.post(f"{API}/prioritization/user-frameworks", json=fw, headers=h).status_code == 201
    )
    for title, value, fit in (("A", 8, 2), ("B", 5, 9)):
        fid = client.post(f"{API}/features", json={"title": title}, headers=h).json()["id"]
        url = f"{API}/prioritization/features/{fid}/inputs/growth"
        client.put(f"{url}/value", json={"low": value}, headers=h)
        client.put(f"{url}/fit", json={"low": fit}, headers=h)
    login(client, "owner@example.com")
    # Own weights: A = 3*8 + 2*2 = 28, B = 3*5 + 2*9 = 33.
    page = client.get("/w/acme/features/prioritize", params={"framework": "growth"})
    doc = BeautifulSoup(page.text, "html.parser")
    assert doc.select_one('[data-testid="weight-value"]')["value"] == "3"
    assert [a.get_text() for a in doc.select('[data-testid="rank-title"]')] == ["B", "A"]
    # Sending the own weights back changes nothing; fit = 0 gives A = 24, B = 15.
    same = client.get(
        "/w/acme/features/prioritize",
        params={"framework": "growth", "w_value": "3", "w_fit": "2"},
        headers={"HX-Request": "true"},
    )
    assert "▲" not in same.text
    moved = client.get(
        "/w/acme/features/prioritize",
        params={"framework": "growth", "w_value": "3", "w_fit": "0"},
        headers={"HX-Request": "true"},
    )
    titles = [
        a.get_text()
        for a in BeautifulSoup(moved.text, "html.parser").select('[data-testid="rank-title"]')
    ]
    assert titles == ["A", "B"] and "▲ 1" in moved.text


def test_feature_page_drills_down_to_requesting_companies_escaped(
    client: TestClient, token: str, factory: sessionmaker[Session]
) -> None:
    from producthq.catalog import service as catalog
    from producthq.catalog.schemas import FeatureCreate
    from producthq.feedback import customers
    from producthq.feedback import highlights as highlighting
    from producthq.feedback import service as feedback
    from producthq.feedback.schemas import CompanyCreate, FeedbackCreate, HighlightCreate

    with factory() as s:
        ws = accounts.get_workspace(s, slug="acme")
        owner = accounts.find_user_by_email(s, email="owner@example.com")
        assert owner is not None
        actor = Actor(owner.id, owner.email, ws.id, "owner")
        company = customers.create_company(
            s, actor=actor, workspace_id=ws.id, data=CompanyCreate(name=XSS, arr=42_000)
        )
        fid = catalog.create_feature(s, actor=actor, data=FeatureCreate(title="SSO")).id
        item = feedback.create_feedback(
            s,
            actor=actor,
            workspace_id=ws.id,
            data=FeedbackCreate(text="need sso", company_id=company.id),
        )
        highlighting.create_highlight(
            s, actor=actor, item_id=item.id, data=HighlightCreate(feature_id=fid, quote="sso")
        )
        s.commit()
    ev = client.get(f"{API}/prioritization/features/{fid}/evidence", headers=bearer(token)).json()
    assert ev["customers"] == [
        {"company_id": company.id, "name": XSS, "segment": None, "arr": 42000.0, "requests": 1}
    ]
    # One recent request, none before: momentum (1 + 1) / (0 + 1) = 2; binomial p = 1.
    assert (ev["momentum"], ev["p_value"]) == (2.0, 1.0)
    login(client, "owner@example.com")
    page = client.get(f"/w/acme/features/{fid}", params={"framework": "opportunity"})
    assert page.status_code == 200 and XSS not in page.text
    doc = BeautifulSoup(page.text, "html.parser")
    rows = doc.select('[data-testid="requesting-customers"] tbody tr')
    assert [r.select("td")[0].get_text() for r in rows] == [XSS]
    assert doc.select_one('[data-testid="source-demand"]').get_text() == "evidence"
