"""The theme explorer in a real Chromium: charts draw under the CSP, user text stays text."""

from collections.abc import Iterator

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect
from tests.browser.support import OWNER, WORKSPACE, Console, Server, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
API = f"/api/v1/workspaces/{WORKSPACE}"
XSS = "<img src=x onerror=\"document.title='pwned'\">"
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


@pytest.fixture(scope="module")
def themes(server: Server) -> Iterator[list[dict[str, object]]]:
    """Feedback seeded over the API (one item carrying markup), then analysed by the CLI."""
    secret = server.cli("token", "create", "seed", "--role", "owner", "--workspace", WORKSPACE)
    token = secret.strip().splitlines()[-1].strip()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        for i, text in enumerate(TEXTS):
            body = {
                "text": f"{text} {XSS}" if i == 0 else text,
                "occurred_at": f"2026-0{1 + i % 9}-05",
            }
            assert c.post(f"{API}/feedback", json=body).status_code == 201
        server.cli("feedback", "analyze", "--workspace", WORKSPACE)
        yield c.get(f"{API}/themes").json()


def test_theme_explorer_draws_charts_and_keeps_markup_as_text(
    page: Page, themes: list[dict[str, object]], console: Console
) -> None:
    assert themes
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/feedback/themes")
    expect(page.locator('[data-chart="chart-themes"] svg')).to_be_visible()
    page.goto(f"/w/{WORKSPACE}/feedback/themes/{themes[0]['id']}")
    expect(page.locator('[data-chart="chart-volume"] svg')).to_be_visible()
    expect(page.locator('[data-chart="chart-sentiment"] svg')).to_be_visible()
    page.goto(f"/w/{WORKSPACE}/feedback")
    expect(page.get_by_text("onerror", exact=False).first).to_be_visible()
    assert page.title() != "pwned"
    assert not console.errors, console.errors
    assert not console.csp_violations, console.csp_violations
