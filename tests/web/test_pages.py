"""Pages: navigation, empty states, escaping of user-written text, role changes, audit."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import login, make_user, make_workspace

from producthq.web.nav import AREAS

EVIL = '<script>alert("x")</script>'


def _setup(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        owner = make_user(s, "owner@example.com", name=EVIL)
        make_workspace(s, owner, "acme", name=f"Acme {EVIL}")
        s.commit()


def test_navigation_lists_every_area_with_an_honest_empty_state(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    _setup(factory)
    login(client, "owner@example.com")
    soup = BeautifulSoup(client.get("/w/acme/").text, "html.parser")
    links = {a["href"] for a in soup.select("aside nav a")}
    empty = set()
    for area in AREAS:
        assert f"/w/acme/{area.slug}" in links
        r = client.get(f"/w/acme/{area.slug}")
        assert r.status_code == 200, area.slug
        page = BeautifulSoup(r.text, "html.parser")
        if page.select_one("[data-testid=empty-state]") is not None:
            empty.add(area.slug)
            assert page.select("table") == []  # no invented data
    # Areas no issue has built yet must say so.
    assert {"experiments", "surveys", "reports", "portal"} <= empty


def test_user_written_text_is_escaped_everywhere(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    _setup(factory)
    csrf = login(client, "owner@example.com")
    client.post("/w/acme/tokens", data={"name": EVIL, "role": "viewer", "csrf_token": csrf})
    for path in ("/w/acme/", "/w/acme/members", "/w/acme/tokens", "/w/acme/audit", "/workspaces"):
        html = client.get(path).text
        assert EVIL not in html, path
        assert "&lt;script&gt;" in html, path


def test_change_role_and_audit_filter_through_pages(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    _setup(factory)
    with factory() as s:
        make_user(s, "ed@example.com")
        s.commit()
    csrf = login(client, "owner@example.com")
    r = client.post(
        "/w/acme/members/invite",
        data={"email": "ed@example.com", "role": "viewer", "csrf_token": csrf},
    )
    link = BeautifulSoup(r.text, "html.parser").select_one("[data-testid=invite-url]")
    assert link is not None
    soup = BeautifulSoup(client.get("/w/acme/audit?object_type=invitation").text, "html.parser")
    rows = soup.select("[data-testid=audit] tbody tr")
    assert len(rows) == 1 and "invited ed@example.com as viewer" in rows[0].text
    soup = BeautifulSoup(client.get("/w/acme/audit?object_type=workspace").text, "html.parser")
    assert "created workspace acme" in soup.select("[data-testid=audit] tbody tr")[0].text
    soup = BeautifulSoup(
        client.get("/w/acme/audit?since=2000-01-01&until=2000-01-02").text, "html.parser"
    )
    assert "Nothing matches" in soup.select("[data-testid=audit] tbody")[0].text


def test_unknown_page_is_a_friendly_404(client: TestClient, factory: sessionmaker[Session]) -> None:
    _setup(factory)
    login(client, "owner@example.com")
    r = client.get("/w/acme/no-such-area")
    assert r.status_code == 404 and "Not found" in r.text
    assert client.get("/w/other/").status_code == 404
