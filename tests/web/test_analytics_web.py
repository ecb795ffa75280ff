"""Analytics over HTTP: Segment-style capture, the metrics API, the pages and imports."""

import base64
import gzip
import html
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import World, bearer, login, make_world

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.analytics import service
from producthq.analytics.loader import load_pending
from producthq.audit.service import Actor
from producthq.settings import Settings


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    return make_world(factory)


def _key(factory: sessionmaker[Session], slug: str) -> str:
    with factory() as s:
        ws = accounts.get_workspace(s, slug=slug)
        secret = service.create_write_key(
            s, actor=Actor(None, "t", ws.id, "owner"), name="k"
        ).secret
        s.commit()
    return secret


def _token(factory: sessionmaker[Session], slug: str, email: str, role: Role) -> str:
    with factory() as s:
        ws = accounts.get_workspace(s, slug=slug)
        user = accounts.find_user_by_email(s, email=email)
        assert user is not None
        secret = accounts.create_token(
            s, actor=Actor(user.id, email, ws.id, role.value), name="t", role=role
        ).secret
        s.commit()
    return secret


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


EVENTS: list[dict[str, Any]] = [
    # u1 signs up Monday 2026-10-05 and comes back on Tuesday; u2 signs up on Wednesday.
    {
        "type": "track",
        "userId": "u1",
        "event": "signup",
        "timestamp": "2026-10-05T09:00:00Z",
        "messageId": "m1",
        "properties": {"plan": "<b>pro</b>"},
    },
    {
        "type": "track",
        "userId": "u1",
        "event": "project_created",
        "timestamp": "2026-10-06T09:00:00Z",
        "messageId": "m2",
    },
    {
        "type": "track",
        "userId": "u2",
        "event": "signup",
        "timestamp": "2026-10-07T09:00:00Z",
        "messageId": "m3",
    },
]


def test_capture_batch_keeps_valid_messages_rejects_bad_ones_and_drops_duplicates(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    key = _key(factory, world.a)
    body = {"batch": [*EVENTS, {"type": "track", "userId": "u3"}]}  # the last has no event
    r = client.post("/api/v1/capture/batch", json=body, headers=basic(key))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["accepted"], out["duplicates"]) == (3, 0)
    assert out["rejected"] == [
        {"index": 3, "message_id": None, "reason": "a track call needs an event name ('event')"}
    ]
    # Sent again (a client retry): every message is a duplicate.
    again = client.post("/api/v1/capture/v1/batch", json=body, headers=basic(key)).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    assert load_pending(settings).events == 3


def test_single_calls_gzip_and_write_key_in_the_body(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    key = _key(factory, world.a)
    r = client.post(
        "/api/v1/capture/track",
        json={"userId": "u", "event": "x", "messageId": "t1"},
        headers=basic(key),
    )
    assert r.json()["accepted"] == 1
    r = client.post(
        "/api/v1/capture/identify", json={"userId": "u", "traits": {"a": 1}, "writeKey": key}
    )
    assert r.json()["accepted"] == 1
    packed = gzip.compress(json.dumps({"userId": "u", "name": "Home"}).encode())
    r = client.post(
        "/api/v1/capture/page",
        content=packed,
        headers={**basic(key), "Content-Encoding": "gzip", "Content-Type": "text/plain"},
    )
    assert r.json()["accepted"] == 1
    report = load_pending(settings)
    assert (report.events, report.identifies) == (2, 1)


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        pytest.param({}, b'{"userId": "u", "event": "x"}', 401, id="no-key"),
        pytest.param(basic("phqw_wrong"), b'{"userId": "u", "event": "x"}', 401, id="unknown-key"),
        pytest.param({"Authorization": "Basic !!!"}, b"{}", 401, id="bad-base64"),
        pytest.param("KEY", b"{not json", 422, id="bad-json"),
        pytest.param("KEY", b'{"event": "x"}', 422, id="no-user"),
        pytest.param("KEY", b"[1, 2]", 422, id="not-an-object"),
        pytest.param({**basic("k"), "Content-Encoding": "gzip"}, b"plain", 422, id="bad-gzip"),
    ],
)
def test_capture_errors(
    client: TestClient,
    world: World,
    factory: sessionmaker[Session],
    headers: Any,
    content: bytes,
    status: int,
) -> None:
    key = _key(factory, world.a)
    if headers == "KEY":
        headers = basic(key)
    r = client.post("/api/v1/capture/track", content=content, headers=headers)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_capture_refuses_a_body_over_the_limit(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    key = _key(factory, world.a)
    big = b'{"batch": [' + b'"x",' * (1_100_000) + b'"x"]}'
    r = client.post("/api/v1/capture/batch", content=big, headers=basic(key))
    assert r.status_code == 413


def test_revoked_key_stops_capture(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    key = _key(factory, world.a)
    msg = {"userId": "u", "event": "x"}
    assert client.post("/api/v1/capture/track", json=msg, headers=basic(key)).status_code == 200
    admin = _token(factory, world.a, world.users["admin"], Role.admin)
    keys = client.get(
        f"/api/v1/workspaces/{world.a}/analytics/write-keys", headers=bearer(admin)
    ).json()
    r = client.delete(
        f"/api/v1/workspaces/{world.a}/analytics/write-keys/{keys[0]['id']}", headers=bearer(admin)
    )
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.post("/api/v1/capture/track", json=msg, headers=basic(key)).status_code == 401


def test_metrics_api_reads_only_the_callers_workspace(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    client.post(
        "/api/v1/capture/batch", json={"batch": EVENTS}, headers=basic(_key(factory, world.a))
    )
    client.post(
        "/api/v1/capture/batch", json={"batch": EVENTS[:1]}, headers=basic(_key(factory, world.b))
    )
    load_pending(settings)
    token = _token(factory, world.a, world.users["viewer"], Role.viewer)
    r = client.get(
        f"/api/v1/workspaces/{world.a}/metrics/dau",
        params={"from": "2026-10-05", "to": "2026-10-08", "chart": "true"},
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # 10-05 u1 · 10-06 u1 · 10-07 u2 · 10-08 nobody (workspace B's copy of u1 is not counted)
    assert [row["dau"] for row in body["rows"]] == [1, 1, 1, 0]
    assert body["columns"] == ["day", "dau"] and body["chart"]["mark"]["type"] == "line"
    funnel = client.get(
        f"/api/v1/workspaces/{world.a}/metrics/funnel",
        params={"steps": "signup,project_created", "window": "1d"},
        headers=bearer(token),
    ).json()
    # u1: signup 10-05 09:00 → project 10-06 09:00, exactly 1 day (inclusive); u2 never.
    assert [row["users"] for row in funnel["rows"]] == [2, 1]
    status = client.get(f"/api/v1/workspaces/{world.a}/metrics", headers=bearer(token)).json()
    assert status["events"] == 3 and status["backlog"] == 0
    bad = client.get(f"/api/v1/workspaces/{world.a}/metrics/nope", headers=bearer(token))
    assert bad.status_code == 422
    bad = client.get(
        f"/api/v1/workspaces/{world.a}/metrics/funnel", params={"steps": "a"}, headers=bearer(token)
    )
    assert bad.status_code == 422


def test_insight_page_shows_chart_and_escapes_property_values(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    client.post(
        "/api/v1/capture/batch", json={"batch": EVENTS}, headers=basic(_key(factory, world.a))
    )
    load_pending(settings)
    login(client, world.users["viewer"])
    page = client.get(f"/w/{world.a}/analytics/dau", params={"breakdown": "plan"})
    assert page.status_code == 200
    assert 'data-chart="chart-dau"' in page.text
    assert "<b>pro</b>" not in page.text  # escaped in the table and the JSON
    assert html.escape("<b>pro</b>") in page.text
    spec = page.text.split('<script type="application/json" id="chart-dau">')[1].split("</script>")[
        0
    ]
    assert "<\\/b>" in spec and json.loads(spec)["mark"]["type"] == "line"
    overview = client.get(f"/w/{world.a}/analytics")
    assert overview.status_code == 200 and 'data-testid="tile-retention"' in overview.text
    assert 'data-testid="write-keys"' not in overview.text  # viewers see no keys
    error = client.get(f"/w/{world.a}/analytics/funnel", params={"steps": "x"})
    assert error.status_code == 422 and 'data-testid="error"' in error.text
    assert client.get(f"/w/{world.a}/analytics/nope").status_code == 404


def test_empty_workspace_shows_an_empty_state(client: TestClient, world: World) -> None:
    login(client, world.users["viewer"])
    page = client.get(f"/w/{world.a}/analytics")
    assert page.status_code == 200 and 'data-testid="no-events"' in page.text


def test_admin_creates_a_write_key_on_the_page_and_sees_it_once(
    client: TestClient, world: World
) -> None:
    csrf = login(client, world.users["admin"])
    page = client.post(
        f"/w/{world.a}/analytics/write-keys", data={"csrf_token": csrf, "name": "web <app>"}
    )
    assert page.status_code == 200
    assert "web &lt;app&gt;" in page.text
    secret = page.text.split('data-testid="new-write-key">')[1].split("<")[0]
    assert secret.startswith("phqw_")
    again = client.get(f"/w/{world.a}/analytics")
    assert secret not in again.text


def test_import_through_the_api_runs_as_a_job(
    app: FastAPI,
    client: TestClient,
    world: World,
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    token = _token(factory, world.a, world.users["editor"], Role.editor)
    content = b"name,uid,time\nsignup,u1,2026-10-05T09:00:00Z\npageview,u1,2026-10-06T09:00:00Z\n"
    r = client.post(
        f"/api/v1/workspaces/{world.a}/events/import",
        files={"file": ("events.csv", content, "text/csv")},
        data={"mapping": "event=name,user_id=uid,timestamp=time"},
        headers=bearer(token),
    )
    assert r.status_code == 202, r.text
    assert app.state.ctx.queue.run_pending() == 1
    job = client.get(r.json()["job_url"], headers=bearer(token)).json()
    assert job["status"] == "succeeded", job
    assert job["result"] == {"rows_read": 2, "imported": 2, "skipped_duplicates": 0}
    bad = client.post(
        f"/api/v1/workspaces/{world.a}/events/import",
        files={"file": ("events.xlsx", b"x", "application/octet-stream")},
        headers=bearer(token),
    )
    assert bad.status_code == 422


def test_import_form_on_the_page(app: FastAPI, client: TestClient, world: World) -> None:
    csrf = login(client, world.users["editor"])
    r = client.post(
        f"/w/{world.a}/analytics/import",
        files={
            "file": (
                "e.jsonl",
                b'{"event": "signup", "user_id": "u", "timestamp": "2026-10-05 10:00:00"}\n',
            )
        },
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "/jobs/" in r.headers["location"]
    assert app.state.ctx.queue.run_pending() == 1
    page = client.get(f"/w/{world.a}/analytics")
    assert "<strong>1</strong> events" in page.text
    missing = client.post(f"/w/{world.a}/analytics/import", data={"csrf_token": csrf})
    assert missing.status_code == 422


def test_refresh_key_results_api(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    token = _token(factory, world.a, world.users["editor"], Role.editor)
    r = client.post(
        f"/api/v1/workspaces/{world.a}/metrics/refresh-key-results", headers=bearer(token)
    )
    assert r.status_code == 200 and r.json() == {"updated": [], "skipped": {}}


def test_insights_saved_to_a_dashboard_show_on_the_overview_and_through_the_api(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    client.post(
        "/api/v1/capture/batch", json={"batch": EVENTS}, headers=basic(_key(factory, world.a))
    )
    load_pending(settings)
    csrf = login(client, world.users["editor"])
    query = "from=2026-10-05&to=2026-10-07&filter=plan%3D%3Cb%3Epro%3C%2Fb%3E"
    r = client.post(
        f"/w/{world.a}/analytics/dau/save",
        data={"csrf_token": csrf, "name": "Pro <DAU>", "dashboard": "Board", "query": query},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/w/{world.a}/analytics")
    assert "Dashboard: Board" in page.text and "Pro &lt;DAU&gt;" in page.text
    token = _token(factory, world.a, world.users["viewer"], Role.viewer)
    saved = client.get(
        f"/api/v1/workspaces/{world.a}/analytics/insights", headers=bearer(token)
    ).json()
    assert [(s["name"], s["dashboard"], s["kind"]) for s in saved] == [
        ("Pro <DAU>", "Board", "dau")
    ]
    result = client.get(
        f"/api/v1/workspaces/{world.a}/analytics/insights/{saved[0]['id']}", headers=bearer(token)
    ).json()
    # Only u1's signup on 10-05 has plan=<b>pro</b>: 10-05 → 1, 10-06 → 0, 10-07 → 0.
    assert [row["dau"] for row in result["rows"]] == [1, 0, 0]
    bad = client.post(
        f"/w/{world.a}/analytics/funnel/save",
        data={"csrf_token": csrf, "name": "x", "query": "steps=a"},
    )
    assert bad.status_code == 422
    editor = _token(factory, world.a, world.users["editor"], Role.editor)
    r = client.post(
        f"/api/v1/workspaces/{world.a}/analytics/insights",
        json={"name": "Weekly retention", "kind": "retention", "query": "period=week&periods=4"},
        headers=bearer(editor),
    )
    assert r.status_code == 201
    assert (
        client.post(
            f"/api/v1/workspaces/{world.a}/analytics/insights",
            json={"name": "bad", "kind": "retention", "query": "from=yesterday"},
            headers=bearer(editor),
        ).status_code
        == 422
    )
    gone = client.delete(
        f"/api/v1/workspaces/{world.a}/analytics/insights/{r.json()['id']}", headers=bearer(editor)
    )
    assert gone.status_code == 204
    r = client.post(
        f"/w/{world.a}/analytics/saved/{saved[0]['id']}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (
        client.get(f"/api/v1/workspaces/{world.a}/analytics/insights", headers=bearer(token)).json()
        == []
    )


def test_users_who_dropped_out_of_a_funnel_download_as_csv(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    events = [
        *EVENTS,
        # A user id that a spreadsheet would read as a formula: quoted in the export.
        {"type": "track", "userId": "=cmd", "event": "signup", "timestamp": "2026-10-08T09:00:00Z"},
    ]
    client.post(
        "/api/v1/capture/batch", json={"batch": events}, headers=basic(_key(factory, world.a))
    )
    load_pending(settings)
    token = _token(factory, world.a, world.users["viewer"], Role.viewer)
    r = client.get(
        f"/api/v1/workspaces/{world.a}/metrics/funnel/dropped",
        params={"steps": "signup,project_created"},
        headers=bearer(token),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0] == "breakdown,step,event,user_id"
    # u1 reached project_created; u2 and "=cmd" only signed up, so both dropped at step 2.
    assert sorted(line.split(",")[1:] for line in lines[1:]) == [
        ["2", "project_created", "'=cmd"],
        ["2", "project_created", "u2"],
    ]
    bad = client.get(
        f"/api/v1/workspaces/{world.a}/metrics/funnel/dropped",
        params={"steps": "signup,project_created", "step": 3},
        headers=bearer(token),
    )
    assert bad.status_code == 422
    login(client, world.users["viewer"])
    page = client.get(f"/w/{world.a}/analytics/funnel", params={"steps": "signup,project_created"})
    assert 'data-testid="dropped-link"' in page.text
    download = client.get(
        f"/w/{world.a}/analytics/funnel/dropped.csv", params={"steps": "signup,project_created"}
    )
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert download.text == r.text


SEGMENT_EVENTS: list[dict[str, Any]] = [
    *EVENTS,
    # u1 is on pro (identify), u2 on a plan whose name is markup; acme is u1's account.
    {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}, "messageId": "i1"},
    {"type": "identify", "userId": "u2", "traits": {"plan": "<i>free</i>"}, "messageId": "i2"},
    {
        "type": "group",
        "userId": "u1",
        "groupId": "acme",
        "traits": {"tier": "a"},
        "messageId": "g1",
    },
]
PRO_DEF = {"match": "all", "conditions": [{"type": "user", "key": "plan", "value": "pro"}]}


def _load_segment_events(
    client: TestClient, factory: sessionmaker[Session], slug: str, settings: Settings
) -> None:
    r = client.post(
        "/api/v1/capture/batch",
        json={"batch": SEGMENT_EVENTS},
        headers=basic(_key(factory, slug)),
    )
    assert r.json()["accepted"] == len(SEGMENT_EVENTS)
    load_pending(settings)


def test_segments_api_crud_and_metrics_with_a_segment(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    _load_segment_events(client, factory, world.a, settings)
    token = _token(factory, world.a, world.users["editor"], Role.editor)
    api = f"/api/v1/workspaces/{world.a}"
    r = client.post(
        f"{api}/analytics/segments",
        json={"name": "Pro", "definition": PRO_DEF},
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    seg_id = r.json()["id"]
    bad = client.post(
        f"{api}/analytics/segments",
        json={
            "name": "Bad",
            "definition": {"conditions": [{"type": "user", "key": "plan", "op": "~"}]},
        },
        headers=bearer(token),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["definition", "conditions", 0, "op"]
    empty = client.post(
        f"{api}/analytics/segments", json={"name": "", "definition": PRO_DEF}, headers=bearer(token)
    )
    assert empty.status_code == 422
    dup = client.post(
        f"{api}/analytics/segments",
        json={"name": "Pro", "definition": PRO_DEF},
        headers=bearer(token),
    )
    assert dup.status_code == 409
    # DAU over 10-05 … 10-07: everyone 1, 1, 1 (u1, u1, u2); pro (u1) 1, 1, 0.
    params = {"from": "2026-10-05", "to": "2026-10-07"}
    everyone = client.get(f"{api}/metrics/dau", params=params, headers=bearer(token)).json()
    assert [r["dau"] for r in everyone["rows"]] == [1, 1, 1]
    pro = client.get(
        f"{api}/metrics/dau", params={**params, "segment": seg_id}, headers=bearer(token)
    ).json()
    assert [r["dau"] for r in pro["rows"]] == [1, 1, 0]
    inline = client.get(
        f"{api}/metrics/dau",
        params={**params, "segment_def": json.dumps(PRO_DEF)},
        headers=bearer(token),
    ).json()
    assert [r["dau"] for r in inline["rows"]] == [1, 1, 0]
    split = client.get(
        f"{api}/metrics/dau", params={**params, "breakdown": "user.plan"}, headers=bearer(token)
    ).json()
    assert split["breakdown"] == "user.plan"
    assert sorted(split["breakdown_values"]) == ["<i>free</i>", "pro"]
    bad_inline = client.get(
        f"{api}/metrics/dau", params={"segment_def": "{not json"}, headers=bearer(token)
    )
    assert bad_inline.status_code == 422 and "not valid JSON" in bad_inline.text
    assert (
        client.get(f"{api}/metrics/dau", params={"segment": 999}, headers=bearer(token)).status_code
        == 404
    )
    users = client.get(f"{api}/analytics/segments/{seg_id}/users", headers=bearer(token)).json()
    assert users == {"segment_id": seg_id, "users": 1, "user_ids": ["u1"]}
    patched = client.patch(
        f"{api}/analytics/segments/{seg_id}", json={"name": "Pro plan"}, headers=bearer(token)
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Pro plan"
    # Users who dropped between signup and project_created within 7 days: u2.
    funnel = client.post(
        f"{api}/analytics/segments/from-funnel",
        params={"name": "Dropped", "steps": "signup,project_created", "step": 2},
        headers=bearer(token),
    )
    assert funnel.status_code == 201, funnel.text
    dropped = client.get(
        f"{api}/analytics/segments/{funnel.json()['id']}/users", headers=bearer(token)
    ).json()
    assert dropped["user_ids"] == ["u2"]
    # Within the pro segment (u1, who converted) nobody dropped.
    within = client.post(
        f"{api}/analytics/segments/from-funnel",
        params={"name": "Pro dropped", "steps": "signup,project_created", "segment": seg_id},
        headers=bearer(token),
    )
    assert within.status_code == 201, within.text
    assert within.json()["definition"]["conditions"][1]["type"] == "group"
    none = client.get(
        f"{api}/analytics/segments/{within.json()['id']}/users", headers=bearer(token)
    ).json()
    assert none["user_ids"] == []
    listed = client.get(f"{api}/analytics/segments", headers=bearer(token)).json()
    assert [s["name"] for s in listed] == ["Dropped", "Pro dropped", "Pro plan"]
    assert (
        client.delete(f"{api}/analytics/segments/{seg_id}", headers=bearer(token)).status_code
        == 204
    )
    assert (
        client.get(f"{api}/analytics/segments/{seg_id}", headers=bearer(token)).status_code == 404
    )


def test_segment_pages_keep_input_on_error_and_escape_user_text(
    client: TestClient, world: World, factory: sessionmaker[Session], settings: Settings
) -> None:
    _load_segment_events(client, factory, world.a, settings)
    csrf = login(client, world.users["editor"])
    base = f"/w/{world.a}/analytics/segments"
    assert client.get(f"{base}/new").status_code == 200
    form = {
        "csrf_token": csrf,
        "name": "<b>VIP</b>",
        "match": "all",
        "c_type": ["user", "user"],
        "c_key": ["plan", ""],
        "c_event": ["", ""],
        "c_op": ["gt", "eq"],
        "c_value": ["lots", ""],
        "c_count": ["", ""],
        "c_days": ["", ""],
        "c_from": ["", ""],
        "c_to": ["", ""],
    }
    bad = client.post(base, data=form)
    # "gt" needs a number: the form comes back with the name and the row as typed.
    assert bad.status_code == 422 and "needs a number" in bad.text
    assert 'value="&lt;b&gt;VIP&lt;/b&gt;"' in bad.text and 'value="lots"' in bad.text
    assert "<b>VIP</b>" not in bad.text
    ok = client.post(
        base, data={**form, "c_op": ["eq", "eq"], "c_value": ["pro", ""]}, follow_redirects=False
    )
    assert ok.status_code == 303
    page = client.get(ok.headers["location"])
    assert page.status_code == 200
    assert "<strong>1</strong> user(s)" in page.text  # u1
    assert "&lt;b&gt;VIP&lt;/b&gt;" in page.text and "<b>VIP</b>" not in page.text
    seg_id = int(ok.headers["location"].rsplit("/", 1)[1])
    listing = client.get(base)
    assert f'data-testid="segment-{seg_id}"' in listing.text and "<b>VIP</b>" not in listing.text
    # The insight page offers the segment and the known property keys, and applies it.
    insight = client.get(
        f"/w/{world.a}/analytics/dau",
        params={
            "segment": seg_id,
            "breakdown": "user.plan",
            "from": "2026-10-05",
            "to": "2026-10-07",
        },
    )
    assert insight.status_code == 200, insight.text
    assert f'<option value="{seg_id}" selected>&lt;b&gt;VIP&lt;/b&gt;</option>' in insight.text
    assert (
        '<option value="user.plan">' in insight.text
        and '<option value="account.tier">' in insight.text
    )
    assert "&lt;i&gt;free&lt;/i&gt;" not in insight.text  # the segment keeps only pro users
    assert "<i>free</i>" not in insight.text
    unsegmented = client.get(f"/w/{world.a}/analytics/dau", params={"breakdown": "user.plan"})
    assert "&lt;i&gt;free&lt;/i&gt;" in unsegmented.text and "<i>free</i>" not in unsegmented.text
    csv_text = client.get(f"{base}/{seg_id}/users.csv").text
    assert csv_text.splitlines() == ["user_id", "u1"]
    # Saved to a dashboard with its segment, then deleting the segment is refused.
    saved = client.post(
        f"/w/{world.a}/analytics/dau/save",
        data={"csrf_token": csrf, "name": "VIP DAU", "query": f"segment={seg_id}"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    refused = client.post(f"{base}/{seg_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "VIP DAU" in refused.text
    edit = client.post(f"{base}/{seg_id}", data={**form, "name": ""})
    assert edit.status_code == 422 and "needs a name" in edit.text
    # Funnel drop-outs saved from the funnel page.
    made = client.post(
        f"/w/{world.a}/analytics/segments/from-funnel?steps=signup,project_created&step=2",
        data={"csrf_token": csrf, "name": "Dropped"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert "<strong>1</strong> user(s)" in client.get(made.headers["location"]).text  # u2
