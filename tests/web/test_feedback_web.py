"""The feedback hub through the app: API, webhook, pages, escaping and the import job."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.jobs import service as jobs
from producthq.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feedback_import"
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


API = "/api/v1/workspaces/acme"


def test_feedback_api_create_read_update_list_and_archive(client: TestClient, token: str) -> None:
    h = bearer(token)
    company = client.post(f"{API}/companies", json={"name": "Globex", "segment": "SMB"}, headers=h)
    assert company.status_code == 201
    cid = company.json()["id"]
    r = client.post(
        f"{API}/feedback",
        json={
            "text": "Exports are slow",
            "source": "support_ticket",
            "company_id": cid,
            "author_email": "ann@globex.com",
            "tags": ["Export", "export"],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["tags"] == ["export"] and item["person_id"] is not None
    r = client.patch(f"{API}/feedback/{item['id']}", json={"status": "triaged"}, headers=h)
    assert r.json()["status"] == "triaged"
    listed = client.get(f"{API}/feedback", params={"segment": "SMB", "q": "slow"}, headers=h)
    assert listed.json()["total"] == 1
    assert client.post(f"{API}/feedback/{item['id']}/archive", headers=h).json()["status"] == (
        "archived"
    )
    assert client.get(f"{API}/feedback", headers=h).json()["total"] == 0
    bad = client.get(f"{API}/feedback", params={"since": "soon"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == ["since"]


def test_highlight_api_validates_offsets(client: TestClient, token: str) -> None:
    h = bearer(token)
    item = client.post(f"{API}/feedback", json={"text": "Need SSO now"}, headers=h).json()
    feature = client.post(f"{API}/features", json={"title": "SSO"}, headers=h).json()
    url = f"{API}/feedback/{item['id']}/highlights"
    r = client.post(url, json={"feature_id": feature["id"], "start": 5, "end": 50}, headers=h)
    assert r.status_code == 422 and "past the end" in r.json()["error"]["message"]
    r = client.post(url, json={"feature_id": feature["id"], "start": 5, "end": 8}, headers=h)
    assert r.status_code == 201 and r.json()["quote"] == "SSO"
    assert client.get(url, headers=h).json()[0]["start"] == 5


def test_company_merge_through_the_api(client: TestClient, token: str) -> None:
    h = bearer(token)
    a = client.post(f"{API}/companies", json={"name": "Initech"}, headers=h).json()
    b = client.post(f"{API}/companies", json={"name": "Initech GmbH"}, headers=h).json()
    client.post(f"{API}/feedback", json={"text": "x", "company_id": b["id"]}, headers=h)
    r = client.post(f"{API}/companies/{a['id']}/merge", json={"merge_ids": [b["id"]]}, headers=h)
    assert r.status_code == 200
    assert (
        client.get(f"{API}/feedback", params={"company_id": a["id"]}, headers=h).json()["total"]
        == 1
    )
    assert client.get(f"{API}/companies/{b['id']}", headers=h).status_code == 404


def test_blank_external_ids_do_not_collide_but_real_ones_do(client: TestClient, token: str) -> None:
    # Found by the API fuzzer: two companies with external_id "" answered 500.
    h = bearer(token)
    for name in ("Blank One", "Blank Two"):
        r = client.post(f"{API}/companies", json={"name": name, "external_id": ""}, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["external_id"] is None
    for name in ("Person One", "Person Two"):
        r = client.post(f"{API}/people", json={"name": name, "external_id": ""}, headers=h)
        assert r.status_code == 201, r.text
    first = client.post(f"{API}/companies", json={"name": "A", "external_id": "crm-1"}, headers=h)
    assert first.status_code == 201
    again = client.post(f"{API}/companies", json={"name": "B", "external_id": "crm-1"}, headers=h)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_webhook_needs_the_right_secret(client: TestClient, token: str) -> None:
    hook = "/api/v1/hooks/feedback/acme"
    body = {"text": "Please add Slack alerts", "external_id": "z-1"}
    assert client.post(hook, json=body).status_code == 401  # no secret made yet
    secret = client.post(f"{API}/feedback-webhook/rotate", headers=bearer(token)).json()["secret"]
    missing = client.post(hook, json=body)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "not_authenticated"
    wrong = client.post(hook, json=body, headers={"X-ProductHQ-Webhook-Secret": secret + "x"})
    assert wrong.status_code == 401
    other = client.post(
        "/api/v1/hooks/feedback/nope", json=body, headers={"X-ProductHQ-Webhook-Secret": secret}
    )
    assert other.status_code == 401
    ok = client.post(hook, json=body, headers={"X-ProductHQ-Webhook-Secret": secret})
    assert ok.status_code == 201 and ok.json()["created"] == 1
    again = client.post(hook, json=body, headers={"X-ProductHQ-Webhook-Secret": secret})
    assert again.json() == {"created": 0, "skipped": 1, "ids": []}
    status = client.get(f"{API}/feedback-webhook", headers=bearer(token)).json()
    assert status["configured"] and status["last_used_at"]


def _escaped(html: str) -> None:
    assert XSS not in html
    assert "&lt;script&gt;alert(" in html


def test_user_text_is_escaped_on_inbox_item_and_company_pages(
    client: TestClient, token: str
) -> None:
    h = bearer(token)
    company = client.post(f"{API}/companies", json={"name": f"Evil {XSS} Ltd"}, headers=h).json()
    item = client.post(
        f"{API}/feedback",
        json={
            "text": f"Broken {XSS} text",
            "title": XSS,
            "company_id": company["id"],
            "source_url": "https://example.com/t/1",
        },
        headers=h,
    ).json()
    feature = client.post(f"{API}/features", json={"title": XSS}, headers=h).json()
    client.post(
        f"{API}/feedback/{item['id']}/highlights",
        json={"feature_id": feature["id"], "quote": "<script>"},
        headers=h,
    )
    login(client, "owner@example.com")
    for path in (
        "/w/acme/feedback",
        f"/w/acme/feedback/{item['id']}",
        f"/w/acme/companies/{company['id']}",
        "/w/acme/companies",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        _escaped(r.text)
    page = client.get(f"/w/acme/feedback/{item['id']}").text
    assert "<mark" in page  # the highlighted passage is marked, still escaped


def test_inbox_filters_bulk_actions_and_htmx_partial(client: TestClient, token: str) -> None:
    h = bearer(token)
    ids = [
        client.post(f"{API}/feedback", json={"text": t}, headers=h).json()["id"]
        for t in ("slow dashboards", "SSO please", "slow export")
    ]
    csrf = login(client, "owner@example.com")
    r = client.get("/w/acme/feedback", params={"q": "slow"})
    assert len(re.findall('data-testid="feedback-row"', r.text)) == 2
    partial = client.get("/w/acme/feedback", params={"q": "slow"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'data-testid="feedback-table"' in partial.text
    r = client.post(
        "/w/acme/feedback/bulk",
        data={"csrf_token": csrf, "action": "archived", "ids": ids[:2], "query": "q=slow"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/w/acme/feedback?q=slow"
    r = client.get("/w/acme/feedback")
    assert len(re.findall('data-testid="feedback-row"', r.text)) == 1


def test_highlight_form_finds_a_pasted_quote_and_reports_a_missing_one(
    client: TestClient, token: str
) -> None:
    item = client.post(f"{API}/feedback", json={"text": "We need SAML SSO."}, headers=bearer(token))
    iid = item.json()["id"]
    csrf = login(client, "owner@example.com")
    url = f"/w/acme/feedback/{iid}/highlights"
    r = client.post(url, data={"csrf_token": csrf, "quote": "nowhere", "new_feature": "SSO"})
    assert r.status_code == 422 and "not in the feedback text" in r.text
    r = client.post(
        url,
        data={
            "csrf_token": csrf,
            "quote": "saml sso",
            "new_feature": "SSO",
            "importance": "critical",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/w/acme/feedback/{iid}").text
    assert "<mark" in page and "critical" in page


def test_import_page_upload_mapping_job_and_result(
    client: TestClient, token: str, settings: Settings, factory: sessionmaker[Session]
) -> None:
    csrf = login(client, "owner@example.com")
    with (FIXTURES / "zendesk.csv").open("rb") as fh:
        r = client.post(
            "/w/acme/feedback/import",
            data={"csrf_token": csrf, "kind": "feedback", "preset": "zendesk"},
            files={"file": ("zendesk.csv", fh, "text/csv")},
        )
    assert r.status_code == 200, r.text
    assert 'data-testid="mapping-form"' in r.text
    upload = re.search(r'name="upload" value="([^"]+)"', r.text)
    assert upload
    fields = re.findall(r'name="map_field" value="([^"]+)"', r.text)
    selected = dict.fromkeys(fields, "")
    selected.update({"text": "Description", "title": "Subject", "external_id": "Id"})
    r = client.post(
        "/w/acme/feedback/import/start",
        data={
            "csrf_token": csrf,
            "upload": upload.group(1),
            "kind": "feedback",
            "preset": "zendesk",
            "map_field": list(selected),
            "map_column": list(selected.values()),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.execute_job(job_id=job_id, settings=settings, factory=factory) == "succeeded"
    with factory() as s:
        ws = accounts.get_workspace(s, slug="acme")
        job = jobs.get_job(s, workspace_id=ws.id, job_id=job_id)
        assert job.result is not None and job.result["created"] == 3
    assert "Dashboards are slow" in client.get("/w/acme/feedback").text
    assert not list((settings.data_dir / "uploads").iterdir())  # the upload is cleaned up


def test_import_page_shows_every_bad_row_of_a_failed_job(
    client: TestClient, token: str, settings: Settings, factory: sessionmaker[Session]
) -> None:
    with (FIXTURES / "bad_feedback.csv").open("rb") as fh:
        r = client.post(
            f"{API}/feedback/imports",
            data={"kind": "feedback"},
            files={"file": ("bad_feedback.csv", fh, "text/csv")},
            headers=bearer(token),
        )
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert jobs.execute_job(job_id=job_id, settings=settings, factory=factory) == "failed"
    csrf = login(client, "owner@example.com")
    del csrf
    page = client.get(f"/w/acme/jobs/{job_id}").text
    assert "row 4, column &#39;occurred_at&#39;" in page
    assert "not an e-mail address" in page
    assert client.get(f"{API}/feedback", headers=bearer(token)).json()["total"] == 0


def test_upload_with_unknown_format_is_refused(client: TestClient, token: str) -> None:
    r = client.post(
        f"{API}/feedback/imports",
        files={"file": ("data.xlsx", b"PK..", "application/octet-stream")},
        headers=bearer(token),
    )
    assert r.status_code == 422 and ".xlsx" in r.json()["error"]["message"]


def test_webhook_page_rotates_and_shows_the_secret_once(client: TestClient, token: str) -> None:
    csrf = login(client, "owner@example.com")
    assert "no secret yet" in client.get("/w/acme/feedback/webhook").text
    r = client.post("/w/acme/feedback/webhook/rotate", data={"csrf_token": csrf})
    assert 'data-testid="webhook-secret"' in r.text
    assert 'data-testid="webhook-secret"' not in client.get("/w/acme/feedback/webhook").text


def _search_corpus(client: TestClient, token: str) -> dict[str, int]:
    texts = {
        "three": "Exporting to CSV is slow: the export takes minutes and each export fails.",
        "once": "Dark mode in the mobile app, please; the export button is fine by me.",
        "html": "<b>Export</b> fails with <script>alert('x')</script> in the name",
        "sso": "Single sign-on with SAML would help our security team sleep at night.",
    }
    return {
        k: client.post(f"{API}/feedback", json={"text": t}, headers=bearer(token)).json()["id"]
        for k, t in texts.items()
    }


def _rows(html: str) -> list[int]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        int(str(row.select_one('input[name="ids"]')["value"]))  # type: ignore[index]
        for row in soup.select('[data-testid="feedback-row"]')
    ]


def test_inbox_search_ranks_matches_marks_them_and_escapes_the_text(
    client: TestClient, token: str
) -> None:
    ids = _search_corpus(client, token)
    login(client, "owner@example.com")
    r = client.get("/w/acme/feedback", params={"q": "exports -csv"})
    assert r.status_code == 200
    # "once" and "html" mention export once each and have no CSV; "html" is newer.
    assert _rows(r.text) == [ids["html"], ids["once"]]
    soup = BeautifulSoup(r.text, "html.parser")
    marks = [m.get_text() for m in soup.select('[data-testid="snippet"] mark')]
    assert marks == ["Export", "export"]
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(" in r.text
    # Full-text is ranked: three mentions come before one.
    assert _rows(client.get("/w/acme/feedback", params={"q": "export"}).text)[0] == ids["three"]
    assert _rows(client.get("/w/acme/feedback", params={"q": "kubernetes"}).text) == []


def test_inbox_search_repairs_odd_syntax_and_says_so(client: TestClient, token: str) -> None:
    ids = _search_corpus(client, token)
    login(client, "owner@example.com")
    r = client.get("/w/acme/feedback", params={"q": '"security team'})
    assert r.status_code == 200 and _rows(r.text) == [ids["sso"]]
    assert "closing quote was missing" in r.text
    r = client.get("/w/acme/feedback", params={"q": "AND OR ("})
    assert r.status_code == 200 and _rows(r.text) == []
    assert "has no word to search for" in r.text
    r = client.get("/w/acme/feedback", params={"q": "export", "mode": "bogus"})
    assert r.status_code == 200 and "search mode &#39;bogus&#39; is unknown" in r.text


def test_inbox_finds_feedback_like_an_item_or_a_text(client: TestClient, token: str) -> None:
    ids = _search_corpus(client, token)
    login(client, "owner@example.com")
    item_page = BeautifulSoup(client.get(f"/w/acme/feedback/{ids['once']}").text, "html.parser")
    link = item_page.select_one('[data-testid="find-like-this"]')
    assert link is not None and link["href"] == f"/w/acme/feedback?like={ids['once']}"
    inbox = BeautifulSoup(client.get("/w/acme/feedback").text, "html.parser")
    assert len(inbox.select('[data-testid="like-this"]')) == 4
    r = client.get(str(link["href"]))
    assert r.status_code == 200 and 'data-testid="like-banner"' in r.text
    like = _rows(r.text)
    assert ids["once"] not in like and like[0] in (ids["three"], ids["html"])
    r = client.get("/w/acme/feedback", params={"q": "saml single sign on", "mode": "similar"})
    assert _rows(r.text)[0] == ids["sso"]
    assert client.get("/w/acme/feedback", params={"like": "x"}).status_code == 200


def test_search_api_returns_ranked_hits_with_escaped_snippets(
    client: TestClient, token: str
) -> None:
    ids = _search_corpus(client, token)
    h = bearer(token)
    r = client.get(f"{API}/feedback/search", params={"q": "export", "limit": 2}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 3 and body["cursor"] and body["notes"] == []
    assert body["items"][0]["item"]["id"] == ids["three"]
    assert body["items"][0]["rank"] > body["items"][1]["rank"]
    nxt = client.get(
        f"{API}/feedback/search", params={"q": "export", "cursor": body["cursor"]}, headers=h
    ).json()
    (last,) = nxt["items"]
    assert last["item"]["id"] in (ids["html"], ids["once"])
    html_hit = next(hit for hit in body["items"] + nxt["items"] if hit["item"]["id"] == ids["html"])
    assert html_hit["snippet"].startswith("&lt;b&gt;<mark>Export</mark>&lt;/b&gt; fails with")
    assert "<script" not in html_hit["snippet"]
    assert "<script>" in html_hit["snippet_text"]
    r = client.get(
        f"{API}/feedback/search", params={"q": '"unterminated', "source": "manual"}, headers=h
    )
    assert r.status_code == 200 and r.json()["notes"]
    similar = client.get(
        f"{API}/feedback/search", params={"q": "saml sign on", "mode": "similar"}, headers=h
    ).json()
    assert similar["items"][0]["item"]["id"] == ids["sso"]
    listed = client.get(f"{API}/feedback", params={"q": "exporting -csv"}, headers=h).json()
    assert sorted(i["id"] for i in listed["items"]) == sorted([ids["once"], ids["html"]])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"q": ""}, "q", id="empty"),
        pytest.param({}, "q", id="missing"),
        pytest.param({"q": "x" * 201}, "q", id="too-long"),
        pytest.param({"q": "a", "mode": "fuzzy"}, "mode", id="unknown-mode"),
        pytest.param({"q": "a", "since": "yesterday"}, "since", id="bad-date"),
        pytest.param({"q": "a", "cursor": "nope!"}, "cursor", id="bad-cursor"),
    ],
)
def test_search_api_rejects_bad_input_naming_the_field(
    client: TestClient, token: str, params: dict[str, str], field: str
) -> None:
    r = client.get(f"{API}/feedback/search", params=params, headers=bearer(token))
    assert r.status_code == 422, r.text
    assert field in r.text
