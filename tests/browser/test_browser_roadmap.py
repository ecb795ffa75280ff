"""The roadmap in a real Chromium against a real server: drag and drop, sharing, PNG export."""

import struct
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.support import OWNER, WORKSPACE, Console, Server, new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
API = f"/api/v1/workspaces/{WORKSPACE}/roadmap"


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    """An owner's API client, and the roadmap seeded: Alpha in now, Beta and Gamma in next."""
    secret = server.cli("token", "create", "seed", "--role", "owner", "--workspace", WORKSPACE)
    token = secret.strip().splitlines()[-1].strip()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        for title, column in (("Alpha", "now"), ("Beta", "next"), ("Gamma", "next")):
            r = c.post(f"{API}/items", json={"title": title, "column": column})
            assert r.status_code == 201, r.text
        yield c


def _ids(api: httpx.Client) -> dict[str, int]:
    return {i["title"]: i["id"] for i in api.get(f"{API}/items").json()}


def _column(page: Page, column: str) -> list[str]:
    return page.locator(f'[data-testid="column-{column}"] .rm-title').all_inner_texts()


def test_drag_from_next_to_now_persists_after_reload(
    page: Page, api: httpx.Client, console: Console
) -> None:
    ids = _ids(api)
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/roadmap")
    assert _column(page, "next") == ["Beta", "Gamma"]
    now = page.locator('[data-testid="column-now"]')
    box = now.bounding_box()
    assert box is not None
    # Drop below Alpha, at the bottom of the "now" list.
    page.locator(f'[data-testid="card-{ids["Beta"]}"]').drag_to(
        now, target_position={"x": box["width"] / 2, "y": box["height"] - 4}
    )
    expect(page.locator('[data-testid="board-status"]')).to_contain_text("moved to now")
    page.reload()
    assert _column(page, "now") == ["Alpha", "Beta"]
    assert _column(page, "next") == ["Gamma"]
    moved = next(i for i in api.get(f"{API}/items").json() if i["title"] == "Beta")
    assert (moved["column"], moved["position"]) == ("now", 1)
    # The keyboard way: focus Gamma and press Alt+Left to move it to now.
    page.locator(f'[data-testid="card-{ids["Gamma"]}"]').focus()
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator('[data-testid="board-status"]')).to_contain_text("Gamma moved to now")
    page.reload()
    assert "Gamma" in _column(page, "now")
    assert console.csp_violations == [] and console.errors == []


def test_shared_link_opens_signed_out_until_revoked(
    browser: Browser, server: Server, api: httpx.Client
) -> None:
    r = api.post(f"{API}/share-links", json={"audience": "board", "label": "Board"})
    assert r.status_code == 201, r.text
    link = r.json()
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        page.goto(link["url"])
        expect(page.get_by_test_id("shared-title")).to_have_text("Acme roadmap")
        expect(page.get_by_test_id("board")).to_contain_text("Alpha")
        expect(page.locator("header")).not_to_contain_text("Sign out")
        assert api.delete(f"{API}/share-links/{link['id']}").status_code == 200
        response = page.goto(link["url"])
        assert response is not None and response.status == 404
    finally:
        ctx.close()


def test_board_png_export_is_a_real_png_of_the_expected_size(page: Page, api: httpx.Client) -> None:
    items = api.get(f"{API}/items").json()
    tallest = max(sum(1 for i in items if i["column"] == c) for c in ("now", "next", "later"))
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/roadmap")
    with page.expect_download() as download:
        page.get_by_test_id("export-board-png").click()
    data = Path(download.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    # Three 280 px columns with 16 px gaps; a 70 px header, 68 px per card of the tallest column.
    assert (width, height) == (3 * (280 + 16) + 16, 70 + tallest * (58 + 10) + 10)


def test_optimiser_runs_from_the_page_with_progress_and_explains_the_plan(
    page: Page, api: httpx.Client, console: Console
) -> None:
    # One team with 2 person-weeks; three 1-pw candidates worth 5, 3 and 2 (by hand: 5 + 3).
    doc = {
        "name": "Browser run",
        "periods": ["Q1"],
        "teams": [{"id": "web", "name": "Web", "capacity": 2}],
        "features": [
            {"id": "a", "name": "Ace", "value": 5, "effort": {"web": 1}},
            {"id": "b", "name": "Bee", "value": 3, "effort": {"web": 1}},
            {"id": "c", "name": "Cee", "value": 2, "effort": {"web": 1}},
        ],
    }
    r = api.post(f"{API}/scenarios/import", json=doc)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/roadmap/scenarios/{sid}")
    page.fill('input[name="time_limit"]', "1")
    page.get_by_test_id("run-optimiser").click()
    # The page polls the job and reloads itself when the job ends.
    expect(page.get_by_test_id("plan-summary")).to_contain_text("optimal, value 8.0", timeout=30000)
    expect(page.get_by_test_id("left-out")).to_contain_text("Cee")
    expect(page.get_by_test_id("binding")).to_contain_text("+ Cee")
    expect(page.get_by_test_id("scenario-job")).to_have_attribute("data-status", "succeeded")
    assert console.csp_violations == [] and console.errors == []
