"""The safe formula language: evaluation, vectorisation and errors that point at the bad part."""

import numpy as np
import pytest

from producthq.errors import InvalidInputError
from producthq.prioritization.formula import (
    Criterion,
    WeightedScoring,
    caret,
    compile_formula,
    default_formula,
)

KNOWN = ["reach", "impact", "confidence", "effort"]


def _error(text: str, known: list[str] = KNOWN) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        compile_formula(text, known)
    return caught.value


def test_rice_as_a_formula_matches_hand_arithmetic() -> None:
    """500 x 2 x 0.8 / 2 = 400."""
    f = compile_formula("reach * impact * confidence / effort", KNOWN)
    assert f.evaluate({"reach": 500, "impact": 2, "confidence": 0.8, "effort": 2}) == 400.0


def test_evaluates_vectorised_over_draw_matrices() -> None:
    f = compile_formula("max(reach, 10) / sqrt(effort) + where(impact > 1, 1, 0)", KNOWN)
    out = f.evaluate(
        {"reach": np.array([[4.0, 40.0]]), "effort": np.array([[4.0], [16.0]]), "impact": 2.0}
    )
    # [[max(4,10)/2 + 1, 40/2 + 1], [10/4 + 1, 40/4 + 1]]
    assert out.tolist() == [[6.0, 21.0], [3.5, 11.0]]


def test_functions_and_operators() -> None:
    f = compile_formula(
        "abs(-reach) ** 2 - log(exp(impact)) + min(1, 2, effort) + log10(100)", KNOWN
    )
    # 3**2 - 2 + min(1, 2, 0.5) + 2 = 9 - 2 + 0.5 + 2 = 9.5
    assert f.evaluate({"reach": 3, "impact": 2, "effort": 0.5}) == pytest.approx(9.5)


def test_unknown_name_points_at_its_column_and_lists_known_names() -> None:
    err = _error("reach * impact * reech")
    assert err.details[0].loc == ("formula", 18)
    assert err.message == (
        "formula column 18: unknown name 'reech' (did you mean 'reach'?); "
        "known: reach, impact, confidence, effort"
    )
    assert err.details[0].code == "unknown_name"


def test_syntax_error_has_column() -> None:
    err = _error("reach * * impact")
    assert err.details[0].loc == ("formula", 9)
    assert "syntax error" in err.message and "column 9" in err.message


def test_unclosed_parenthesis_after_leading_spaces_counts_the_spaces() -> None:
    err = _error("  (reach")
    assert err.details[0].loc == ("formula", 3)


def test_non_ascii_names_count_characters_not_bytes() -> None:
    err = _error("réach + reech", ["réach", "reach"])
    assert err.details[0].loc == ("formula", 9)


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        pytest.param("__import__('os')", 1, "function '__import__' is not allowed", id="import"),
        pytest.param("reach.__class__", 1, "attribute access '.__class__'", id="dunder-attr"),
        pytest.param("open('x')", 1, "function 'open' is not allowed", id="open"),
        pytest.param("reach[0]", 1, "indexing is not allowed", id="subscript"),
        pytest.param("(lambda: 1)()", 1, "function", id="lambda-call"),
        pytest.param("reach + 'a'", 9, "only numbers", id="string"),
        pytest.param("reach and effort", 1, "'and'/'or'", id="boolop"),
        pytest.param("reach if effort else 1", 1, "where(c, x, y)", id="ifexp"),
        pytest.param("reach // 2", 10, "operator", id="floordiv"),
        pytest.param("1 < reach < 3", 1, "chained comparisons", id="chained"),
        pytest.param("sqrt(reach, 2)", 1, "sqrt() takes 1 argument(s), got 2", id="arity"),
        pytest.param("max(reach)", 1, "at least 2", id="max-arity"),
        pytest.param("log", 1, "log is a function", id="function-as-name"),
        pytest.param("[x for x in reach]", 1, "comprehension", id="comprehension"),
        pytest.param("", 1, "empty", id="empty"),
        pytest.param("1e999", 1, "too large", id="huge-literal"),
    ],
)
def test_forbidden_constructs(text: str, column: int, fragment: str) -> None:
    err = _error(text)
    assert err.details[0].loc == ("formula", column)
    assert fragment in err.message


def test_division_by_zero_points_at_the_denominator() -> None:
    f = compile_formula("reach / (effort - 2)", KNOWN)
    with pytest.raises(InvalidInputError) as caught:
        f.evaluate({"reach": np.array([5.0, 6.0, 7.0]), "effort": np.array([1.0, 2.0, 2.0])})
    err = caught.value
    assert err.details[0].loc == ("formula", 10)
    assert "division by zero: 'effort - 2' is 0 for 2 value(s)" in err.message


def test_log_of_zero_is_reported_not_returned() -> None:
    f = compile_formula("reach + log(effort)", KNOWN)
    with pytest.raises(InvalidInputError, match="column 9: 'log\\(effort\\)' is not a finite"):
        f.evaluate({"reach": 1.0, "effort": 0.0})


def test_overflow_is_reported() -> None:
    f = compile_formula("10 ** reach", KNOWN)
    with pytest.raises(InvalidInputError, match="not a finite number"):
        f.evaluate({"reach": 1000.0})


def test_missing_value_at_evaluation() -> None:
    f = compile_formula("reach * impact", KNOWN)
    with pytest.raises(InvalidInputError, match="needs values for: impact"):
        f.evaluate({"reach": 1.0})


def test_caret_marks_the_column() -> None:
    assert caret("reach * reech", 9) == "reach * reech\n        ^"


def test_weighted_scoring_default_formula_is_weighted_sum_minus_costs() -> None:
    """3 x 8 + 2 x 5 - 1 x 4 = 24 + 10 - 4 = 30."""
    model = WeightedScoring(
        "growth",
        (
            Criterion("value", 3),
            Criterion("fit", 2),
            Criterion("effort", 1, higher_is_better=False),
        ),
    )
    assert model.formula.text == "w_value * value + w_fit * fit - w_effort * effort"
    values = {"value": np.array([8.0]), "fit": np.array([5.0]), "effort": np.array([4.0])}
    assert model.score(values).tolist() == [30.0]
    # what-if: fit weight 2 -> 4 adds 2 x 5 = 10.
    assert model.with_weights({"fit": 4}).score(values).tolist() == [40.0]


def test_weighted_scoring_formula_errors_surface_at_construction() -> None:
    with pytest.raises(InvalidInputError, match="column 13: unknown name 'w_vlue'"):
        WeightedScoring("m", (Criterion("value"),), "value * 2 + w_vlue")


@pytest.mark.parametrize(
    ("criteria", "fragment"),
    [
        pytest.param((), "at least one criterion", id="none"),
        pytest.param((Criterion("a b"),), "not a valid name", id="space"),
        pytest.param((Criterion("w_x"),), "reserved", id="weight-prefix"),
        pytest.param((Criterion("max"),), "reserved", id="function-name"),
        pytest.param((Criterion("a"), Criterion("a")), "appears twice", id="duplicate"),
    ],
)
def test_bad_criteria(criteria: tuple[Criterion, ...], fragment: str) -> None:
    with pytest.raises(InvalidInputError, match=fragment):
        WeightedScoring("m", criteria)


def test_with_weights_rejects_unknown_criteria() -> None:
    model = WeightedScoring("m", (Criterion("value"),))
    with pytest.raises(InvalidInputError, match="not criteria of m: fit"):
        model.with_weights({"fit": 2})


def test_default_formula_starting_with_a_cost() -> None:
    assert default_formula([Criterion("effort", 2, higher_is_better=False)]) == "-w_effort * effort"
