"""Pure strategy computation: progress, periods, confidence, investment mix, diffs, Markdown."""

import doctest
import importlib
from datetime import date
from html.parser import HTMLParser

import pytest

from producthq.strategy.charts import CheckinPoint, MixBar, checkin_chart, investment_chart
from producthq.strategy.investment import mix_problem, planned_shares
from producthq.strategy.markdown import is_allowed_url, render_markdown
from producthq.strategy.periods import parse_period, quarter_of
from producthq.strategy.progress import (
    check_direction,
    confidence_label,
    key_result_progress,
    objective_progress,
    parse_confidence,
)
from producthq.strategy.textdiff import diff_lines, diff_stats


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of an HTML fragment with its attributes (text is not an element)."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


MODULES = ["progress", "periods", "markdown", "textdiff", "investment", "charts"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"producthq.strategy.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# Each expected value is worked out by hand in the id / comment.
@pytest.mark.parametrize(
    ("baseline", "target", "current", "direction", "expected"),
    [
        pytest.param(0, 100, 25, "increase", 0.25, id="25 of 0..100 is a quarter"),
        pytest.param(20, 40, 35, "increase", 0.75, id="(35-20)/(40-20)=15/20"),
        pytest.param(20, 40, 10, "increase", 0.0, id="below baseline clips to 0"),
        pytest.param(20, 40, 50, "increase", 1.0, id="beyond target clips to 1"),
        pytest.param(2400, 900, 1800, "decrease", 0.4, id="(1800-2400)/(900-2400)=600/1500"),
        pytest.param(2400, 900, 2600, "decrease", 0.0, id="worse than baseline clips to 0"),
        pytest.param(2400, 900, 700, "decrease", 1.0, id="better than target clips to 1"),
        pytest.param(5, 5, 5, "increase", 1.0, id="zero range, at target: done"),
        pytest.param(5, 5, 4, "increase", 0.0, id="zero range, below target when increasing"),
        pytest.param(5, 5, 6, "increase", 1.0, id="zero range, above target when increasing"),
        pytest.param(5, 5, 6, "decrease", 0.0, id="zero range, above target when decreasing"),
        pytest.param(5, 5, 4, "decrease", 1.0, id="zero range, below target when decreasing"),
        pytest.param(-10, 10, 0, "increase", 0.5, id="negative baseline (0+10)/20"),
    ],
)
def test_key_result_progress_hand_computed(
    baseline: float, target: float, current: float, direction: str, expected: float
) -> None:
    got = key_result_progress(
        baseline=baseline, target=target, current=current, direction=direction
    )
    assert got == pytest.approx(expected)


def test_key_result_progress_rejects_non_finite_values() -> None:
    with pytest.raises(ValueError, match="finite"):
        key_result_progress(baseline=0, target=1, current=float("nan"), direction="increase")


def test_objective_progress_is_the_mean_of_its_key_results() -> None:
    # (0.25 + 0.75 + 1.0) / 3 = 2.0 / 3
    assert objective_progress([0.25, 0.75, 1.0]) == pytest.approx(2 / 3)
    assert objective_progress([]) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [("low", 0.3), ("MEDIUM", 0.6), (" high ", 0.9), (0.0, 0.0), (1, 1.0), ("0.55", 0.55)],
)
def test_confidence_accepts_numbers_and_words(given: float | str, expected: float) -> None:
    assert parse_confidence(given) == expected


@pytest.mark.parametrize("given", [1.5, -0.1, "very", "nan"])
def test_confidence_rejects_values_outside_the_scale(given: float | str) -> None:
    with pytest.raises(ValueError, match="confidence"):
        parse_confidence(given)


def test_confidence_label_thresholds() -> None:
    assert [confidence_label(v) for v in (0.0, 0.44, 0.45, 0.74, 0.75, 1.0)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_direction_must_agree_with_target() -> None:
    assert check_direction(baseline=1, target=2, direction="increase") is None
    assert "above baseline" in (check_direction(baseline=1, target=2, direction="decrease") or "")


def test_quarters_and_custom_periods() -> None:
    q = parse_period("2026-Q1")
    assert (q.start, q.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period("2024-Q1").end == date(2024, 3, 31)
    assert quarter_of(date(2026, 12, 31)).label == "2026-Q4"
    custom = parse_period("H1 push", date(2026, 1, 15), date(2026, 6, 30))
    assert custom.label == "H1 push"
    with pytest.raises(ValueError, match="needs start and end"):
        parse_period("H1 push")
    with pytest.raises(ValueError, match="before it starts"):
        parse_period("x", date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError, match="runs 2026-10-01 to 2026-12-31"):
        parse_period("2026-Q4", date(2026, 9, 1), date(2026, 12, 31))


def test_investment_mix_must_add_up_to_100() -> None:
    assert mix_problem([33.33, 33.33, 33.34]) is None
    assert mix_problem([60, 50]) == "the percentages add up to 110; they must add up to 100"
    # efforts 2, 6 → 25 % and 75 %
    assert planned_shares([2, 6]) == [25.0, 75.0]
    assert planned_shares([]) == []


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='javascript:alert(1)'>x</a>",
        "![img](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox)",
    ],
)
def test_markdown_neutralises_scripts_and_dangerous_links(source: str) -> None:
    tags = _tags(str(render_markdown(source)))
    assert {name for name, _ in tags} <= {"p"}, tags  # no <script>, <a>, <img>: only text
    assert all(not attrs for _, attrs in tags)


def test_markdown_keeps_formatting_and_safe_links() -> None:
    html = str(render_markdown("# Title\n\n**bold** [site](https://example.com) [m](mailto:a@b.c)"))
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">site</a>' in html
    assert 'href="mailto:a@b.c"' in html


def test_allowed_url_schemes() -> None:
    assert is_allowed_url("HTTPS://x.example")
    assert not is_allowed_url("ftp://x.example")
    assert not is_allowed_url("//x.example")


def test_diff_marks_added_and_removed_lines() -> None:
    old = "one\ntwo\nthree\n"
    new = "one\n2\nthree\nfour\n"
    lines = diff_lines(old, new)
    assert [(d.kind, d.text) for d in lines] == [
        ("context", "one"),
        ("removed", "two"),
        ("added", "2"),
        ("context", "three"),
        ("added", "four"),
    ]
    assert diff_stats(lines) == (2, 1)
    assert diff_lines("same\n", "same\n") == []


def test_diff_skips_long_unchanged_runs() -> None:
    old = "\n".join(str(i) for i in range(30))
    new = old.replace("0\n", "zero\n", 1).replace("29", "end")
    kinds = [d.kind for d in diff_lines(old, new, context=2)]
    assert "skip" in kinds
    assert kinds.count("context") == 4  # two after the first change, two before the last


def test_charts_are_vega_lite_specs() -> None:
    spec = checkin_chart(
        [CheckinPoint(date(2026, 1, 1), 1.0), CheckinPoint(date(2026, 1, 8), 2.0)],
        baseline=0,
        target=5,
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = [v for rows in spec["datasets"].values() for v in rows]
    assert {"date": "2026-01-08", "value": 2.0} in values
    bars = investment_chart([MixBar("A", 60.0, None)])
    rows = next(iter(bars["datasets"].values()))
    assert {"objective": "A", "kind": "planned", "percent": 0.0} in rows
