"""The catalogue through the app: JSON API, pages, import with mapping, export, escaping."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.audit.service import Actor

API = "/api/v1/workspaces/acme"
XSS = "<script>alert('x')</script>"


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


def test_catalog_api_products_components_features_and_filters(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    product = client.post(f"{API}/catalog/products", json={"name": "App"}, headers=h)
    assert product.status_code == 201, product.text
    pid = product.json()["id"]
    comp = client.post(
        f"{API}/catalog/components", json={"product_id": pid, "name": "Mobile"}, headers=h
    ).json()
    dup = client.post(f"{API}/catalog/products", json={"name": "app"}, headers=h)
    assert dup.status_code == 409
    made = client.post(
        f"{API}/features",
        json={"title": "Offline", "component_id": comp["id"], "tags": ["mobile"], "owner": "Ana"},
        headers=h,
    )
    assert made.status_code == 201, made.text
    assert made.json()["product_id"] == pid
    client.post(f"{API}/features", json={"title": "Other", "status": "planned"}, headers=h)
    page = client.get(f"{API}/catalog/features", params={"tag": "mobile"}, headers=h).json()
    assert (page["total"], page["items"][0]["title"]) == (1, "Offline")
    page = client.get(f"{API}/catalog/features", params={"status": "planned"}, headers=h).json()
    assert [f["title"] for f in page["items"]] == ["Other"]
    bad = client.get(f"{API}/catalog/features", params={"status": "someday"}, headers=h)
    assert bad.status_code == 422
    detail = client.get(f"{API}/catalog/features/{made.json()['id']}", headers=h).json()
    assert (detail["product"], detail["component"], detail["quotes"]) == ("App", "Mobile", [])
    assert client.get(f"{API}/catalog/tags", headers=h).json() == ["mobile"]
    gone = client.delete(f"{API}/catalog/features/{made.json()['id']}", headers=h)
    assert gone.status_code == 204
    assert client.get(f"{API}/catalog/features/{made.json()['id']}", headers=h).status_code == 404


def test_import_api_reports_rows_and_imports_nothing_then_imports_a_good_file(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    bad = "Feature name,Status\nGood,Planned\nBad,someday\n,Planned\n"
    r = client.post(f"{API}/catalog/import", json={"csv": bad, "preset": "productboard"}, headers=h)
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert [(d["loc"], d["code"]) for d in details] == [
        ([3, "status"], "unknown_status"),
        ([4, "title"], "missing"),
    ]
    assert client.get(f"{API}/catalog/features", headers=h).json()["total"] == 0
    good = "Feature name,Status,Product,Tags\nSSO,Planned,Platform,security;enterprise\n"
    r = client.post(
        f"{API}/catalog/import", json={"csv": good, "preset": "productboard"}, headers=h
    )
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["products_created"]) == (1, 1)
    listed = client.get(f"{API}/catalog/features", headers=h).json()["items"]
    assert (listed[0]["status"], listed[0]["tags"]) == ("planned", ["security", "enterprise"])


def test_export_csv_is_guarded_and_json_is_exact(client: TestClient, token: str) -> None:
    h = bearer(token)
    client.post(f"{API}/features", json={"title": "=cmd|'/c calc'!A1"}, headers=h)
    r = client.get(f"{API}/catalog/export", params={"format": "csv"}, headers=h)
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["title"] == "'=cmd|'/c calc'!A1"
    j = client.get(f"{API}/catalog/export", params={"format": "json"}, headers=h).json()
    assert j[0]["title"] == "=cmd|'/c calc'!A1"


def test_pages_escape_user_text_and_render_markdown_safely(client: TestClient, token: str) -> None:
    h = bearer(token)
    fid = client.post(
        f"{API}/features",
        json={
            "title": XSS,
            "description": f"**bold** {XSS} [x](javascript:alert(1))",
            "tags": [XSS[:40]],
        },
        headers=h,
    ).json()["id"]
    login(client, "owner@example.com")
    listing = client.get("/w/acme/features")
    assert listing.status_code == 200
    assert XSS not in listing.text and "&lt;script&gt;" in listing.text
    doc = BeautifulSoup(listing.text, "html.parser")
    assert [a.get_text() for a in doc.select('tr[data-testid="feature-row"] a')] == [XSS]
    page = client.get(f"/w/acme/features/{fid}")
    assert page.status_code == 200
    assert XSS not in page.text
    desc = BeautifulSoup(page.text, "html.parser").select_one('[data-testid="feature-description"]')
    assert desc is not None and desc.select_one("strong").get_text() == "bold"
    assert not desc.select("script") and not desc.select("a[href]")


def test_import_pages_map_columns_then_list_every_bad_row(client: TestClient, token: str) -> None:
    csrf = login(client, "owner@example.com")
    text = "Idea,Months\nA,2\nB,zero\n"
    r = client.post(
        "/w/acme/features/import",
        data={"csrf_token": csrf, "preset": ""},
        files={"file": ("f.csv", text.encode(), "text/csv")},
    )
    # No column maps to title on its own: the upload step says so.
    assert r.status_code == 422 and "no column maps to title" in r.text
    r = client.post(
        "/w/acme/features/import/confirm",
        data={
            "csrf_token": csrf,
            "csv_text": text,
            "map_column": ["Idea", "Months"],
            "map_field": ["title", "rice.effort"],
        },
    )
    assert r.status_code == 422
    doc = BeautifulSoup(r.text, "html.parser")
    cells = [
        [td.get_text() for td in tr.select("td")]
        for tr in doc.select('tr[data-testid="import-problem"]')
    ]
    assert [c[:2] for c in cells] == [["3", "rice.effort"]]
    assert "zero" in cells[0][2]
    assert client.get(f"{API}/catalog/features", headers=bearer(token)).json()["total"] == 0
    fixed = "Idea,Months\nA,2\nB,3\n"
    r = client.post(
        "/w/acme/features/import/confirm",
        data={
            "csrf_token": csrf,
            "csv_text": fixed,
            "map_column": ["Idea", "Months"],
            "map_field": ["title", "rice.effort"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get(f"{API}/catalog/features", headers=bearer(token)).json()["total"] == 2


def test_viewer_sees_pages_without_edit_forms(
    client: TestClient, factory: sessionmaker[Session], token: str
) -> None:
    with factory() as s:
        ws = accounts.get_workspace(s, slug="acme")
        viewer = make_user(s, "viewer@example.com", "V")
        from tests.factories import add_member

        add_member(s, ws, viewer, Role.viewer)
        s.commit()
    login(client, "viewer@example.com")
    page = client.get("/w/acme/features")
    assert page.status_code == 200 and "Add a feature" not in page.text
    assert client.get("/w/acme/features/import").status_code == 403


def test_feature_page_shows_evidence_and_saves_inputs_and_poker(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    company = client.post(
        f"{API}/companies", json={"name": XSS, "segment": "SMB", "arr": 12000}, headers=h
    ).json()
    fid = client.post(f"{API}/features", json={"title": "SSO"}, headers=h).json()["id"]
    item = client.post(
        f"{API}/feedback",
        json={"text": f"we need SSO {XSS}", "company_id": company["id"]},
        headers=h,
    ).json()
    r = client.post(
        f"{API}/feedback/{item['id']}/highlights",
        json={"feature_id": fid, "quote": f"SSO {XSS}"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    csrf = login(client, "owner@example.com")
    page = client.get(f"/w/acme/features/{fid}")
    assert page.status_code == 200 and XSS not in page.text
    doc = BeautifulSoup(page.text, "html.parser")
    assert doc.select_one('[data-testid="evidence-reach"]').get_text() == "1"
    assert doc.select_one('[data-testid="evidence-demand"]').get_text() == "12,000"
    assert doc.select_one('[data-testid="source-reach"]').get_text() == "evidence"
    quotes = doc.select('[data-testid="quotes"] tbody tr')
    assert len(quotes) == 1 and XSS in quotes[0].get_text()
    # Override reach from the page: the source says so, the evidence value stays visible.
    r = client.post(
        f"/w/acme/features/{fid}/estimates",
        data={"csrf_token": csrf, "framework": "rice", "input_name": "reach", "low": "50"},
    )
    assert r.status_code == 200
    doc = BeautifulSoup(r.text, "html.parser")
    assert doc.select_one('[data-testid="source-reach"]').get_text() == "override"
    bad = client.post(
        f"/w/acme/features/{fid}/estimates",
        data={"csrf_token": csrf, "framework": "rice", "input_name": "effort", "low": "soon"},
    )
    assert bad.status_code == 200 and "is not a number" in bad.text
    client.post(f"/w/acme/features/{fid}/poker", data={"csrf_token": csrf, "input_name": "effort"})
    rounds = client.get(f"{API}/prioritization/features/{fid}/poker", headers=h).json()
    rid = rounds[0]["id"]
    for action, value in (("vote", "3"), ("vote", "-1"), ("reveal", ""), ("reveal", "")):
        r = client.post(
            f"/w/acme/features/{fid}/poker/{rid}",
            data={"csrf_token": csrf, "action": action, "value": value},
        )
        assert r.status_code == 200
    assert "already revealed" in r.text
    assert client.get(f"{API}/prioritization/poker/{rid}", headers=h).json()["median"] == 3.0


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/features",
        "/catalog/export",
        "/prioritization/ranking",
    ],
)
def test_too_long_filters_are_refused_with_422(client: TestClient, token: str, path: str) -> None:
    r = client.get(f"{API}{path}", params={"tag": "x" * 51, "q": "y"}, headers=bearer(token))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-1] == "tag"
