"""The strategy JSON API: vision, personas, competitors, OKRs, check-ins, links, mix."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import World, bearer, make_world

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.audit.service import Actor

API = "/api/v1/workspaces/team-a/strategy"


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    return make_world(factory)


def _token(factory: sessionmaker[Session], email: str, role: Role) -> dict[str, str]:
    with factory() as s:
        ws = accounts.get_workspace(s, slug="team-a")
        user = accounts.find_user_by_email(s, email=email)
        assert user is not None
        new = accounts.create_token(
            s, actor=Actor(user.id, email, ws.id, role.value), name="t", role=role
        )
        s.commit()
        return bearer(new.secret)


@pytest.fixture
def editor(factory: sessionmaker[Session], world: World) -> dict[str, str]:
    return _token(factory, world.users["editor"], Role.editor)


@pytest.fixture
def viewer(factory: sessionmaker[Session], world: World) -> dict[str, str]:
    return _token(factory, world.users["viewer"], Role.viewer)


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def test_okr_round_trip_with_checkins_and_progress(
    client: TestClient, editor: dict[str, str], viewer: dict[str, str]
) -> None:
    o = _ok(
        client.post(
            f"{API}/objectives",
            json={"title": "Grow", "period": "2026-Q4", "confidence": "high"},
            headers=editor,
        ),
        201,
    )
    assert (o["period_start"], o["period_end"], o["confidence"], o["progress"]) == (
        "2026-10-01",
        "2026-12-31",
        0.9,
        None,
    )
    kr = _ok(
        client.post(
            f"{API}/objectives/{o['id']}/key-results",
            json={
                "title": "p95 load (ms)",
                "baseline": 2400,
                "target": 900,
                "metric_binding": {"metric": "p95_load", "params": {"page": "dashboard"}},
            },
            headers=editor,
        ),
        201,
    )
    assert kr["direction"] == "decrease" and kr["current"] == 2400 and kr["progress"] == 0
    _ok(
        client.post(
            f"{API}/key-results/{kr['id']}/checkins",
            json={"value": 1800, "note": "cache"},
            headers=editor,
        ),
        201,
    )
    got = _ok(client.get(f"{API}/key-results/{kr['id']}", headers=viewer))
    # (1800 - 2400) / (900 - 2400) = 0.4
    assert got["current"] == 1800 and got["progress"] == pytest.approx(0.4)
    listed = _ok(client.get(f"{API}/objectives", params={"period": "2026-Q4"}, headers=viewer))
    assert [x["progress"] for x in listed] == [pytest.approx(0.4)]
    assert _ok(client.get(f"{API}/objectives", params={"period": "2027-Q1"}, headers=viewer)) == []
    checkins = _ok(client.get(f"{API}/key-results/{kr['id']}/checkins", headers=viewer))
    assert [(c["value"], c["note"], c["source"]) for c in checkins] == [(1800, "cache", "manual")]


def test_viewer_reads_but_cannot_write(
    client: TestClient, editor: dict[str, str], viewer: dict[str, str]
) -> None:
    _ok(client.post(f"{API}/personas", json={"name": "Priya"}, headers=editor), 201)
    assert len(_ok(client.get(f"{API}/personas", headers=viewer))) == 1
    r = client.post(f"{API}/personas", json={"name": "Nope"}, headers=viewer)
    assert r.status_code == 403
    r = client.put(f"{API}/vision", json={"body": "x"}, headers=viewer)
    assert r.status_code == 403


def test_vision_revisions_and_diff_over_the_api(client: TestClient, editor: dict[str, str]) -> None:
    _ok(client.put(f"{API}/vision", json={"body": "one\ntwo\n"}, headers=editor))
    rev = _ok(
        client.put(f"{API}/vision", json={"body": "one\n<script>x</script>\n"}, headers=editor)
    )
    assert rev["number"] == 2
    current = _ok(client.get(f"{API}/vision", headers=editor))
    assert "&lt;script&gt;" in current["body_html"] and "<script>" not in current["body_html"]
    diff = _ok(client.get(f"{API}/vision/diff", params={"from": 1, "to": 2}, headers=editor))
    assert (diff["added"], diff["removed"]) == (1, 1)
    assert [r["number"] for r in _ok(client.get(f"{API}/vision/revisions", headers=editor))] == [
        2,
        1,
    ]
    assert client.get(f"{API}/vision/revisions/3", headers=editor).status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param(
            {"title": "x", "baseline": 10, "target": 5, "direction": "increase"},
            "below baseline",
            id="direction",
        ),
        pytest.param({"title": "x", "baseline": 0, "target": "inf"}, "finite", id="infinite"),
        pytest.param(
            {"title": "x", "baseline": 0, "target": 1, "confidence": 3},
            "outside [0, 1]",
            id="confidence",
        ),
        pytest.param(
            {"title": "x", "baseline": 0, "target": 1, "metric_binding": {"metric": "DAU!"}},
            "lowercase name",
            id="metric-name",
        ),
    ],
)
def test_bad_key_results_get_a_clear_422(
    client: TestClient, editor: dict[str, str], payload: dict[str, Any], message: str
) -> None:
    o = _ok(
        client.post(f"{API}/objectives", json={"title": "G", "period": "2026-Q4"}, headers=editor),
        201,
    )
    r = client.post(f"{API}/objectives/{o['id']}/key-results", json=payload, headers=editor)
    assert r.status_code == 422
    assert message in r.text


def test_investment_mix_and_links(client: TestClient, editor: dict[str, str]) -> None:
    a = _ok(
        client.post(f"{API}/objectives", json={"title": "A", "period": "2026-Q4"}, headers=editor),
        201,
    )
    b = _ok(
        client.post(f"{API}/objectives", json={"title": "B", "period": "2026-Q4"}, headers=editor),
        201,
    )
    link = _ok(
        client.post(
            f"{API}/objectives/{a['id']}/links",
            json={"target_type": "feature", "target_id": 5, "title": "SSO", "effort": 6},
            headers=editor,
        ),
        201,
    )
    _ok(
        client.post(
            f"{API}/objectives/{b['id']}/links",
            json={"target_type": "roadmap_item", "target_id": 8, "effort": 2},
            headers=editor,
        ),
        201,
    )
    dup = client.post(
        f"{API}/objectives/{a['id']}/links",
        json={"target_type": "feature", "target_id": 5},
        headers=editor,
    )
    assert dup.status_code == 409
    bad = client.put(
        f"{API}/investment",
        json={"period": "2026-Q4", "items": [{"objective_id": a["id"], "percent": 70}]},
        headers=editor,
    )
    assert bad.status_code == 422
    assert "they must add up to 100" in bad.json()["error"]["message"]
    mix = _ok(
        client.put(
            f"{API}/investment",
            json={
                "period": "2026-Q4",
                "items": [
                    {"objective_id": a["id"], "percent": 70},
                    {"objective_id": b["id"], "percent": 30},
                ],
            },
            headers=editor,
        )
    )
    # efforts 6 and 2 → planned 75 % and 25 %
    assert [(r["target_pct"], r["planned_pct"]) for r in mix["rows"]] == [(70, 75), (30, 25)]
    assert mix["total_effort"] == 8
    changed = _ok(
        client.patch(
            f"{API}/objectives/{a['id']}/links/{link['id']}", json={"effort": 2}, headers=editor
        )
    )
    assert changed["effort"] == 2
    _ok(client.delete(f"{API}/objectives/{a['id']}/links/{link['id']}", headers=editor), 204)
    assert _ok(client.get(f"{API}/objectives/{a['id']}/links", headers=editor)) == []


def test_competitor_website_must_be_http(client: TestClient, editor: dict[str, str]) -> None:
    r = client.post(
        f"{API}/competitors", json={"name": "X", "website": "javascript:alert(1)"}, headers=editor
    )
    assert r.status_code == 422
    c = _ok(
        client.post(
            f"{API}/competitors",
            json={"name": "X", "website": "https://x.example", "strengths": "- fast"},
            headers=editor,
        ),
        201,
    )
    c = _ok(
        client.patch(f"{API}/competitors/{c['id']}", json={"weaknesses": "slow"}, headers=editor)
    )
    assert (c["strengths"], c["weaknesses"]) == ("- fast", "slow")
    _ok(client.delete(f"{API}/competitors/{c['id']}", headers=editor), 204)
    assert client.get(f"{API}/competitors/{c['id']}", headers=editor).status_code == 404
