"""Prioritisation in a real Chromium: import a CSV, rank with RICE, change a weight, see it move."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.support import OWNER, WORKSPACE, Console, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# RICE: Wide 1000 x 1 x 1 / 5 = 200 ranks above Cheap 100 x 1 x 1 / 1 = 100. With effort
# weighted 2: Wide 1000 / 25 = 40, Cheap 100 / 1 = 100, so Cheap moves up to first.
CSV = "Name,Reach,Impact,Confidence,Effort\nCheap,100,1,100%,1\nWide,1000,1,100%,5\n"


def _order(page: Page) -> list[str]:
    return page.locator('[data-testid="rank-title"]').all_inner_texts()


def test_import_rank_with_rice_and_change_a_weight(
    page: Page, console: Console, tmp_path: Path
) -> None:
    path = tmp_path / "airfocus.csv"
    path.write_text(CSV, encoding="utf-8")
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/features")
    page.get_by_test_id("import-link").click()
    page.set_input_files('input[name="file"]', str(path))
    page.select_option('select[name="preset"]', "airfocus")
    page.get_by_test_id("upload").click()
    # The mapping step proposes the airfocus columns; confirm it.
    expect(page.get_by_test_id("map-Reach")).to_have_value("rice.reach")
    expect(page.get_by_test_id("map-Name")).to_have_value("title")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("imported 2 features")

    page.get_by_test_id("prioritize-link").click()
    page.select_option('[data-testid="framework"]', "rice")
    expect(page.locator('[data-testid="rank-title"]').first).to_have_text("Wide")
    assert _order(page) == ["Wide", "Cheap"]
    expect(page.locator('[data-chart="chart-value-effort"] svg')).to_be_visible()

    weight = page.get_by_test_id("weight-effort")
    weight.fill("2")
    weight.dispatch_event("change")  # HTMX re-ranks on change, without a page load
    expect(page.locator('[data-testid="rank-title"]').first).to_have_text("Cheap")
    assert _order(page) == ["Cheap", "Wide"]
    expect(page.get_by_test_id("ranking-table")).to_contain_text("▲ 1")
    assert "w_effort=2" in page.url  # the what-if is in the address, so it can be shared
    # The chart redrawn by the re-rank is a real chart, not an empty box.
    expect(page.locator('[data-chart="chart-value-effort"] svg')).to_be_visible()

    # Switching framework swaps the what-if panel for the new framework's own weights.
    page.select_option('[data-testid="framework"]', "ice")
    expect(page.get_by_test_id("weight-ease")).to_have_value("1")
    expect(page.get_by_test_id("weight-effort")).to_have_count(0)
    assert console.errors == [] and console.csp_violations == [], console.messages


def test_define_a_framework_fix_its_formula_and_rank_with_it(page: Page, console: Console) -> None:
    sign_in(page, OWNER)
    page.goto(f"/w/{WORKSPACE}/features/frameworks")
    page.get_by_test_id("fw-slug").fill("growth")
    page.get_by_test_id("fw-title").fill("Growth")
    page.get_by_test_id("c-name-1").fill("value")
    page.get_by_test_id("c-weight-1").fill("3")
    page.get_by_test_id("c-name-2").fill("effort")
    page.select_option('[data-testid="c-kind-2"]', "cost")
    page.get_by_test_id("fw-formula").fill("w_value * valeu / effort")
    page.get_by_test_id("fw-save").click()
    # The error points at column 11 and the form keeps what was typed.
    expect(page.get_by_test_id("formula-caret")).to_contain_text("          ^")
    expect(page.get_by_test_id("framework-errors")).to_contain_text("did you mean 'value'")
    formula = page.get_by_test_id("fw-formula")
    expect(formula).to_have_value("w_value * valeu / effort")
    formula.fill("w_value * value / effort")
    page.get_by_test_id("fw-save").click()
    expect(page.locator('[data-testid="framework"]')).to_have_value("growth")
    expect(page.get_by_test_id("what-if")).to_be_visible()
    expect(page.get_by_test_id("weight-value")).to_have_value("3")
    # The refused formula came back as 422 (the form again, with the error); nothing else failed.
    unexpected = [e for e in console.errors if "status of 422" not in e]
    assert unexpected == [] and console.csp_violations == [], console.messages
