"""Themes and near-duplicates through the app: API, explorer pages with charts, escaping."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.db import workspace_scope
from producthq.feedback import insight

XSS = "<script>alert('x')</script>"
API = "/api/v1/workspaces/acme"
TEXTS = [
    "The iOS app crashes when I open a dashboard",
    "iOS app crash on opening dashboards",
    "Mobile iOS app keeps crashing on dashboards",
    "Every time I open a dashboard the iOS app crashes",
    "Dashboards crash the iOS mobile app",
    "CSV export of the funnel report cuts off rows",
    "Export the funnel report to CSV please",
    "The CSV export truncates the funnel report",
    "We need a CSV export of the funnel report for finance",
    "Funnel report CSV export is missing columns",
]


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


def _seed_and_analyze(client: TestClient, factory: sessionmaker[Session], token: str) -> int:
    h = bearer(token)
    company = client.post(
        f"{API}/companies", json={"name": f"Evil {XSS} Ltd", "segment": XSS, "arr": 1000}, headers=h
    ).json()
    for i, text in enumerate(TEXTS):
        body = {"text": f"{text} {XSS}" if i == 0 else text, "company_id": company["id"]}
        assert client.post(f"{API}/feedback", json=body, headers=h).status_code == 201
    with factory() as s:
        ws_id = accounts.get_workspace(s, slug="acme").id
        with workspace_scope(s, ws_id):
            insight.analyze_feedback(s, workspace_id=ws_id)
        s.commit()
    themes = client.get(f"{API}/themes", headers=h).json()
    assert themes
    return int(themes[0]["id"])


def _no_raw_script(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all("script"):
        assert not tag.get_text().startswith("alert"), tag
    assert XSS not in re.sub(
        r"<script type=\"application/json\"[^>]*>.*?</script>", "", html, flags=re.S
    )


def test_themes_api_lists_details_and_edits(
    client: TestClient, factory: sessionmaker[Session], token: str
) -> None:
    h = bearer(token)
    theme_id = _seed_and_analyze(client, factory, token)
    listed = client.get(f"{API}/themes", headers=h).json()
    assert sum(t["size"] for t in listed) == len(TEXTS)
    assert {"trend", "arr", "companies", "sentiment", "keywords"} <= set(listed[0])
    detail = client.get(f"{API}/themes/{theme_id}", headers=h)
    assert detail.status_code == 200
    body = detail.json()
    assert body["quotes"] and body["volume"] and body["arr"] == 1000
    renamed = client.patch(f"{API}/themes/{theme_id}", json={"label": "Crashes"}, headers=h)
    assert renamed.json()["label"] == "Crashes" and renamed.json()["renamed_by_user"]
    assert (
        client.patch(f"{API}/themes/{theme_id}", json={"label": " "}, headers=h).status_code == 422
    )
    assert client.get(f"{API}/themes/424242", headers=h).status_code == 404
    split = client.post(f"{API}/themes/{theme_id}/split", json={}, headers=h)
    assert split.status_code == 201, split.text
    merged = client.post(
        f"{API}/themes/{theme_id}/merge", json={"merge_ids": [split.json()["id"]]}, headers=h
    )
    assert merged.status_code == 200 and merged.json()["pinned"]
    job = client.post(f"{API}/feedback/analysis", json={"incremental": True}, headers=h)
    assert job.status_code == 202 and "/jobs/" in job.json()["job_url"]


def test_theme_pages_render_charts_and_escape_user_text(
    client: TestClient, factory: sessionmaker[Session], token: str
) -> None:
    theme_id = _seed_and_analyze(client, factory, token)
    login(client, "owner@example.com")
    listing = client.get("/w/acme/feedback/themes")
    assert listing.status_code == 200
    soup = BeautifulSoup(listing.text, "html.parser")
    spec = json.loads(soup.find("script", id="chart-themes").get_text())
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite")
    assert len(soup.select("[data-testid=themes] tbody tr")) >= 1
    for path in (
        f"/w/acme/feedback/themes/{theme_id}",
        "/w/acme/feedback/duplicates",
        "/w/acme/feedback",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        _no_raw_script(r.text)
    page = BeautifulSoup(client.get(f"/w/acme/feedback/themes/{theme_id}").text, "html.parser")
    assert page.find("script", id="chart-volume") and page.find("script", id="chart-sentiment")
    assert "Mann" in page.select_one("[data-testid=trend]").get_text()
    assert client.get("/w/acme/feedback/themes/999999").status_code == 404
    assert client.get("/w/acme/feedback", params={"theme_id": theme_id}).status_code == 200


def test_theme_edit_form_renames_and_reports_bad_actions(
    client: TestClient, factory: sessionmaker[Session], token: str
) -> None:
    theme_id = _seed_and_analyze(client, factory, token)
    csrf = login(client, "owner@example.com")
    url = f"/w/acme/feedback/themes/{theme_id}/edit"
    r = client.post(
        url, data={"csrf_token": csrf, "action": "rename", "label": XSS}, follow_redirects=False
    )
    assert r.status_code == 303
    page = client.get(f"/w/acme/feedback/themes/{theme_id}").text
    assert "&lt;script&gt;" in page
    _no_raw_script(page)
    bad = client.post(url, data={"csrf_token": csrf, "action": "explode"})
    assert bad.status_code == 400
    empty = client.post(url, data={"csrf_token": csrf, "action": "rename", "label": "  "})
    assert empty.status_code == 400


def test_similar_search_and_feature_suggestions_accept_and_reject(
    client: TestClient, factory: sessionmaker[Session], token: str
) -> None:
    h = bearer(token)
    ids = [client.post(f"{API}/feedback", json={"text": t}, headers=h).json()["id"] for t in TEXTS]
    crash_feature = client.post(
        f"{API}/features", json={"title": "Fix iOS crashes"}, headers=h
    ).json()
    export_feature = client.post(
        f"{API}/features", json={"title": "Better CSV export"}, headers=h
    ).json()
    for item_id, feature in (
        (ids[1], crash_feature),
        (ids[2], crash_feature),
        (ids[6], export_feature),
    ):
        r = client.post(
            f"{API}/feedback/{item_id}/highlights",
            json={"feature_id": feature["id"], "start": 0, "end": 5},
            headers=h,
        )
        assert r.status_code == 201, r.text
    similar = client.get(f"{API}/feedback/{ids[0]}/similar", headers=h).json()
    assert similar[0]["item"]["id"] in ids[1:5] and ids[0] not in [m["item"]["id"] for m in similar]
    found = client.get(
        f"{API}/feedback-search", params={"text": "csv export funnel"}, headers=h
    ).json()
    assert found[0]["item"]["id"] in ids[5:]
    suggestions = client.get(f"{API}/feedback/{ids[0]}/suggestions", headers=h).json()
    assert suggestions[0]["feature_id"] == crash_feature["id"]
    assert set(suggestions[0]["because_of"]) <= {ids[1], ids[2]}
    rejected = client.post(
        f"{API}/feedback/{ids[0]}/suggestions/{crash_feature['id']}/reject", headers=h
    )
    assert rejected.status_code == 200
    after = client.get(f"{API}/feedback/{ids[0]}/suggestions", headers=h).json()
    assert crash_feature["id"] not in [s["feature_id"] for s in after]
    accepted = client.post(
        f"{API}/feedback/{ids[3]}/suggestions/{crash_feature['id']}/accept", headers=h
    )
    assert accepted.status_code == 201 and accepted.json()["feature_id"] == crash_feature["id"]
    login(client, "owner@example.com")
    related = client.get(f"/w/acme/feedback/{ids[4]}/related")
    assert related.status_code == 200 and "Fix iOS crashes" in related.text
    assert client.get(f"/w/acme/feedback/{ids[4]}").status_code == 200


def test_a_time_without_zone_is_read_as_utc_not_a_500(client: TestClient, token: str) -> None:
    h = bearer(token)
    r = client.post(f"{API}/feedback", json={"text": "x", "occurred_at": "2026-01-05"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["occurred_at"].startswith("2026-01-05T00:00:00")
    patched = client.patch(
        f"{API}/feedback/{r.json()['id']}", json={"occurred_at": "2026-02-01T10:00:00"}, headers=h
    )
    assert patched.status_code == 200 and patched.json()["occurred_at"].startswith("2026-02-01T10")
