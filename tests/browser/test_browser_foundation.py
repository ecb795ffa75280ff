"""The foundation in a real browser: sign-in, workspaces, invitations, tokens, jobs, a screenshot.

Each test gets a fresh browser context against one server per module (see ``conftest.py``).
"""

import os
import struct
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.support import (
    ADMIN,
    OWNER,
    PASSWORD,
    VIEWPORT,
    WORKSPACE,
    Console,
    Server,
    new_context,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES_TO_VISIT = ("/", "members", "tokens", "jobs", "audit", "feedback")


def test_sign_in_lands_on_the_workspace_and_sign_out_ends_the_session(
    page: Page, console: Console, server: Server
) -> None:
    page.goto("/")
    expect(page).to_have_url(f"{server.url}/login?next=/")
    page.get_by_label("E-mail").fill(OWNER)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    console.messages.clear()  # the refused sign-in is answered 401, which chromium logs

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/w/{WORKSPACE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(page.get_by_test_id("ws-switcher")).to_have_text("Acme")
    expect(page.get_by_text(OWNER)).to_be_visible()

    # Every page of the layout renders without a console error (CSP violations are errors).
    for target in PAGES_TO_VISIT:
        page.goto(f"/w/{WORKSPACE}/" + ("" if target == "/" else target))
        expect(page.locator("main h1, main hgroup h1").first).to_be_visible()
    page.goto(f"/w/{WORKSPACE}/jobs")
    page.wait_for_timeout(2500)  # let the table poll once (HTMX, hx-headers, CSP)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/login")
    page.goto(f"/w/{WORKSPACE}/members")
    expect(page).to_have_url(f"{server.url}/login?next=/w/{WORKSPACE}/members")

    assert console.csp_violations == []
    assert console.errors == []


def test_create_a_workspace_and_find_it_in_the_switcher(page: Page, server: Server) -> None:
    sign_in(page, OWNER)
    page.goto("/workspaces")
    expect(page.get_by_role("link", name="Acme", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Beta Labs")
    page.get_by_label("Slug").fill("beta-labs")
    page.get_by_role("button", name="Create workspace").click()
    expect(page).to_have_url(f"{server.url}/w/beta-labs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta Labs")
    expect(page.get_by_text("You are owner in this workspace.")).to_be_visible()

    switcher = page.get_by_test_id("ws-switcher")
    expect(switcher).to_have_text("Beta Labs")
    menu = page.locator("details.ws-switcher ul")
    expect(menu).to_be_hidden()
    switcher.click()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Beta Labs (owner)")).to_be_visible()
    menu.get_by_role("link", name="All workspaces…").click()
    expect(page).to_have_url(f"{server.url}/workspaces")
    expect(page.get_by_role("link", name="Beta Labs", exact=True)).to_be_visible()

    # A taken slug is refused on the form, which keeps what was typed.
    page.get_by_label("Name").fill("Acme again")
    page.get_by_label("Slug").fill(WORKSPACE)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Acme again")


def test_the_switcher_lists_every_workspace_of_the_user(page: Page, server: Server) -> None:
    server.cli("workspace", "create", "gamma", "--owner", OWNER, "--name", "Gamma")
    sign_in(page, OWNER)
    page.goto("/w/gamma/")
    page.get_by_test_id("ws-switcher").click()
    menu = page.locator("details.ws-switcher ul")
    expect(menu.get_by_role("link", name="Gamma (owner)")).to_be_visible()
    expect(menu.get_by_role("link", name="Acme (owner)")).to_be_visible()
    menu.get_by_role("link", name="Acme (owner)").click()
    expect(page).to_have_url(f"{server.url}/w/{WORKSPACE}/")
    expect(page.get_by_test_id("ws-switcher")).to_have_text("Acme")


def test_admin_invites_an_editor_who_joins_through_the_link(
    browser: Browser, page: Page, server: Server
) -> None:
    sign_in(page, ADMIN)
    page.goto(f"/w/{WORKSPACE}/members")
    invite = page.locator("form[action$='/members/invite']")
    invite.get_by_label("E-mail").fill("erin@example.com")
    invite.get_by_label("Role").select_option("editor")
    invite.get_by_role("button", name="Create invitation").click()
    link_box = page.get_by_test_id("invite-url")
    expect(link_box).to_be_visible()
    link = link_box.input_value()
    assert link.startswith(f"{server.url}/invite/")
    expect(page.get_by_role("cell", name="erin@example.com")).to_be_visible()

    other = new_context(browser, server)
    try:
        guest = other.new_page()
        guest.goto(link)
        expect(guest.get_by_role("heading", level=1)).to_have_text("Join Acme")
        expect(guest.get_by_text("editor", exact=True)).to_be_visible()
        guest.get_by_label("Your name").fill("Erin Editor")
        guest.get_by_label("Choose a password").fill("erin-password-1")
        guest.get_by_role("button", name="Create account and join").click()
        expect(guest).to_have_url(f"{server.url}/w/{WORKSPACE}/")
        expect(guest.get_by_text("You are editor in this workspace.")).to_be_visible()
        # An editor sees no admin pages in the sidebar.
        expect(guest.get_by_role("link", name="API tokens")).to_have_count(0)

        guest.get_by_role("link", name="Members").click()
        row = guest.get_by_test_id("members").locator("tr", has_text="erin@example.com")
        expect(row).to_contain_text("Erin Editor")
        expect(row.locator("td").nth(2)).to_have_text("editor")

        # The link works once.
        guest.goto(link)
        expect(guest.get_by_role("heading", level=1)).to_have_text("Not found")
    finally:
        other.close()

    page.reload()
    expect(page.get_by_test_id("members")).to_contain_text("erin@example.com")
    expect(page.get_by_label("Role of erin@example.com")).to_have_value("editor")


def test_a_token_made_on_the_page_calls_the_api_until_it_is_revoked(
    page: Page, server: Server
) -> None:
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/tokens")
    create = page.locator("form[action$='/tokens']")
    create.get_by_label("Name").fill("Browser CI")
    create.get_by_label("Role").select_option("viewer")
    create.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_test_id("token-secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert secret.startswith("phq_")

    api = f"{server.url}/api/v1/workspaces/{WORKSPACE}/members"
    headers = {"Authorization": f"Bearer {secret}"}
    r = httpx.get(api, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    assert OWNER in {m["email"] for m in r.json()}

    # Shown once: a reload shows the prefix only.
    page.goto(f"/w/{WORKSPACE}/tokens")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    row = page.get_by_test_id("tokens").locator("tr", has_text="Browser CI")
    expect(row).to_contain_text("active")
    assert secret not in page.content()

    row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(f"{server.url}/w/{WORKSPACE}/tokens")
    row = page.get_by_test_id("tokens").locator("tr", has_text="Browser CI")
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

    r = httpx.get(api, headers=headers, timeout=10)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "not_authenticated"


def test_a_demo_job_shows_live_progress_until_it_succeeds(page: Page, server: Server) -> None:
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/jobs")
    page.get_by_test_id("start-demo-job").click()
    page.wait_for_url(f"{server.url}/w/{WORKSPACE}/jobs/*")
    job = page.get_by_test_id("job")

    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # The element is replaced by HTMX every second: read both attributes at once.
        state = job.evaluate("el => [el.dataset.status, Number(el.dataset.progress)]")
        seen.append((state[0], state[1]))
        if state[0] in ("succeeded", "failed"):
            break
        page.wait_for_timeout(200)
    assert seen[-1] == ("succeeded", 100), seen
    progress = [p for _, p in seen]
    assert progress == sorted(progress), f"progress went backwards: {seen}"
    assert any(s == "running" and 0 < p < 100 for s, p in seen), f"no live progress: {seen}"

    expect(page.get_by_test_id("job-progress")).to_have_text("100%")
    expect(job.locator("progress")).to_have_attribute("value", "100")
    expect(job.locator(".badge")).to_have_text("succeeded")
    # Finished: the page stops polling.
    expect(job).not_to_have_attribute("hx-trigger", "every 1s")

    page.get_by_role("link", name="Jobs").click()
    first = page.get_by_test_id("jobs").locator("tbody tr").first
    expect(first).to_contain_text("succeeded")
    expect(first).to_contain_text("100%")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_of_overview(page: Page, server: Server, tmp_path: Path) -> None:
    target = Path(os.environ.get("PRODUCTHQ_SCREENSHOT") or tmp_path / "overview.png")
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    page.evaluate("document.fonts.ready")
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=False, animations="disabled", caret="hide")
    data = target.read_bytes()
    assert _png_size(data) == (VIEWPORT["width"], VIEWPORT["height"])
    assert len(data) > 10_000, "the screenshot is suspiciously small (blank page?)"
