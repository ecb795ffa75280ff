"""User-defined weighted scoring: a safe formula language over criteria and their weights.

Method. A formula is parsed with Python's own parser (``ast.parse(mode="eval")``) and then
checked against a whitelist of node types; nothing is ever passed to ``eval`` or ``compile``.
The checked tree is turned into a tree of small numpy closures, so one compiled formula
evaluates on scalars, on one value per feature or on a (features x draws) Monte Carlo matrix.

The language:

* numbers (``2``, ``0.5``, ``1e3``), criterion names (``reach``) and weights (``w_reach``, the
  weight of the criterion ``reach``);
* ``+ - * / **`` and unary ``-``/``+``, parentheses;
* comparisons ``< <= > >= == !=`` (1 when true, 0 when false), one operator at a time;
* functions ``abs sqrt log log10 exp`` (one argument), ``min max`` (two or more, elementwise)
  and ``where(condition, if_true, if_false)``.

Anything else (attribute access, subscripts, calls to other names such as ``__import__``,
lambdas, comprehensions, strings, ``and``/``or``) is rejected before evaluation. Every error is an
``InvalidInputError`` whose problem ``loc`` is ``("formula", column)``, ``column`` counting
characters from 1, and whose message names the bad part, e.g.
``formula column 9: unknown name 'reech' (did you mean 'reach'?); known: reach, effort``.

Evaluation errors are found where they happen: when an operation first produces a value that is
not a finite number (division by zero, log of 0, overflow), the error points at that operation.
Finite inputs are checked once per operation, which costs one extra pass over its result.

The default formula of ``WeightedScoring`` is the weighted-sum model (Triantaphyllou,
"Multi-Criteria Decision Making Methods: A Comparative Study", 2000, ch. 2): the weighted sum of
the criteria where more is better minus the weighted sum of those where less is better.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

import numpy as np

from producthq.errors import InvalidInputError, ProblemCollector
from producthq.prioritization.scoring import FloatArray, InputSpec, StrArray, Values

MAX_FORMULA_LENGTH = 2000
MAX_NODES = 500
WEIGHT_PREFIX = "w_"

Node = Callable[[Mapping[str, Any]], Any]

_UNARY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "abs": np.abs,
    "sqrt": np.sqrt,
    "log": np.log,
    "log10": np.log10,
    "exp": np.exp,
}
_VARIADIC_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "min": np.minimum,
    "max": np.maximum,
}
FUNCTIONS = tuple(sorted([*_UNARY_FUNCTIONS, *_VARIADIC_FUNCTIONS, "where"]))

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_DESCRIBE: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.BoolOp: "'and'/'or' (use where(...) or min/max)",
    ast.IfExp: "'x if c else y' (use where(c, x, y))",
    ast.NamedExpr: "':='",
    ast.ListComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.JoinedStr: "f-string",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
}


class _Errors:
    """Builds errors that point at a node of the formula text."""

    def __init__(self, text: str, shift: int = 0) -> None:
        self.text = text
        self.shift = shift  # characters stripped from the front before parsing
        self._line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._line_starts.append(i + 1)

    def column(self, lineno: int, byte_offset: int) -> int:
        """1-based character column in the whole text (ast offsets count UTF-8 bytes)."""
        start = self._line_starts[min(lineno, len(self._line_starts)) - 1]
        line = self.text[start:]
        chars = len(line.encode("utf-8")[: max(byte_offset, 0)].decode("utf-8", errors="ignore"))
        return self.shift + start + chars + 1

    def at(self, column: int, message: str, code: str) -> InvalidInputError:
        text = f"formula column {column}: {message}"
        return InvalidInputError.single(("formula", column), text, code)

    def node(self, node: ast.AST, message: str, code: str) -> InvalidInputError:
        lineno = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return self.at(self.column(lineno, col), message, code)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or "?"


Why = Callable[[Mapping[str, Any]], tuple[ast.AST, str]]


def _finite_guard(errors: _Errors, fn: Node, why: Why) -> Node:
    """Wrap ``fn`` so a non-finite result raises an error at the node ``why`` picks."""

    def guarded(env: Mapping[str, Any]) -> Any:
        out = fn(env)
        if not np.all(np.isfinite(out)):
            node, message = why(env)
            raise errors.node(node, message, "not_finite")
        return out

    return guarded


class _Compiler:
    def __init__(self, known: tuple[str, ...], errors: _Errors) -> None:
        self.errors = errors
        self.known = known
        self.known_set = frozenset(known)
        self.used: set[str] = set()

    def compile(self, node: ast.AST) -> Node:  # noqa: C901 - one branch per node type
        if isinstance(node, ast.Expression):
            return self.compile(node.body)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        what = _DESCRIBE.get(type(node), type(node).__name__)
        if isinstance(node, ast.Attribute):
            what = f"attribute access '.{node.attr}'"
        raise self.errors.node(node, f"{what} is not allowed in a formula", "forbidden")

    def _constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.errors.node(
                node, f"only numbers are allowed, not {self.errors.segment(node)}", "forbidden"
            )
        number = float(value)
        if not math.isfinite(number):
            raise self.errors.node(node, "number is too large", "invalid_number")
        return lambda env: number

    def _name(self, node: ast.Name) -> Node:
        name = node.id
        if name not in self.known_set:
            close = difflib.get_close_matches(name, self.known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if name in FUNCTIONS:
                hint = f" ({name} is a function: write {name}(...))"
            raise self.errors.node(
                node,
                f"unknown name {name!r}{hint}; known: {', '.join(self.known)}",
                "unknown_name",
            )
        self.used.add(name)
        return lambda env: env[name]

    def _unary(self, node: ast.UnaryOp) -> Node:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env: np.negative(operand(env))
        if isinstance(node.op, ast.UAdd):
            return operand
        raise self.errors.node(
            node, f"operator in {self.errors.segment(node)!r} is not allowed", "forbidden"
        )

    def _binary(self, node: ast.BinOp) -> Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.errors.node(
                node.right if hasattr(node.right, "col_offset") else node,
                f"operator in {self.errors.segment(node)!r} is not allowed; use + - * / **",
                "forbidden",
            )
        left, right = self.compile(node.left), self.compile(node.right)
        segment = self.errors.segment(node)
        right_text = self.errors.segment(node.right)

        def why(env: Mapping[str, Any]) -> tuple[ast.AST, str]:
            if isinstance(node.op, ast.Div):
                zeros = int(np.count_nonzero(np.asarray(right(env)) == 0))
                if zeros:
                    return node.right, (
                        f"division by zero: {right_text!r} is 0 for {zeros} value(s) in {segment!r}"
                    )
            return node, f"{segment!r} is not a finite number (overflow or invalid power)"

        return _finite_guard(self.errors, lambda env: op(left(env), right(env)), why)

    def _compare(self, node: ast.Compare) -> Node:
        if len(node.ops) != 1:
            raise self.errors.node(
                node,
                "chained comparisons are not allowed; compare two values at a time",
                "forbidden",
            )
        op = _COMPARE[type(node.ops[0])]
        left, right = self.compile(node.left), self.compile(node.comparators[0])
        return lambda env: op(left(env), right(env)).astype(np.float64)

    def _call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = (
                node.func.id if isinstance(node.func, ast.Name) else self.errors.segment(node.func)
            )
            raise self.errors.node(
                node,
                f"function {name!r} is not allowed; allowed: {', '.join(FUNCTIONS)}",
                "forbidden",
            )
        name = node.func.id
        if node.keywords:
            raise self.errors.node(
                node.keywords[0].value, f"{name}() takes no keyword arguments", "forbidden"
            )
        args = [self.compile(a) for a in node.args]
        segment = self.errors.segment(node)
        if name in _UNARY_FUNCTIONS:
            self._arity(node, name, len(args), 1, 1)
            fn, (arg,) = _UNARY_FUNCTIONS[name], args
            message = f"{segment!r} is not a finite number (check its argument's range)"
            return _finite_guard(self.errors, lambda env: fn(arg(env)), lambda env: (node, message))
        if name in _VARIADIC_FUNCTIONS:
            self._arity(node, name, len(args), 2, None)
            pair = _VARIADIC_FUNCTIONS[name]
            return lambda env: reduce(pair, (a(env) for a in args))
        self._arity(node, name, len(args), 3, 3)
        cond, yes, no = args
        return lambda env: np.where(np.asarray(cond(env)) != 0, yes(env), no(env))

    def _arity(self, node: ast.Call, name: str, got: int, least: int, most: int | None) -> None:
        if got < least or (most is not None and got > most):
            want = str(least) if least == most else f"at least {least}"
            raise self.errors.node(
                node, f"{name}() takes {want} argument(s), got {got}", "wrong_arguments"
            )


@dataclass(frozen=True)
class Formula:
    """A checked, compiled formula. Evaluate it with ``evaluate``, never with ``eval``.

    Examples:
        >>> f = compile_formula("reach * impact / effort", ["reach", "impact", "effort"])
        >>> f.evaluate({"reach": np.array([100.0, 200.0]), "impact": 2.0, "effort": 4.0}).tolist()
        [50.0, 100.0]
    """

    text: str
    names: frozenset[str]
    _fn: Node = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, Any]) -> FloatArray:
        """Evaluate on scalars or arrays (broadcast together); names it uses must be present.

        Raises:
            InvalidInputError: a name is missing, or an operation gives a non-finite value.
        """
        missing = sorted(self.names - set(values))
        if missing:
            raise InvalidInputError.single(
                ("formula",), f"formula needs values for: {', '.join(missing)}", "missing"
            )
        env = {k: np.asarray(values[k], dtype=np.float64) for k in self.names}
        with np.errstate(all="ignore"):  # non-finite results are reported by the guards
            return np.asarray(self._fn(env), dtype=np.float64)


def compile_formula(text: str, known: Iterable[str]) -> Formula:
    """Parse and check ``text`` against the whitelist and the ``known`` names.

    Raises:
        InvalidInputError: syntax error, unknown name, forbidden construct or bad call; the
            problem's ``loc`` is ``("formula", column)``.

    Examples:
        >>> compile_formula("reech * 2", ["reach", "effort"])
        Traceback (most recent call last):
        ...
        producthq.errors.InvalidInputError: formula column 1: unknown name 'reech' (did you mean 'reach'?); known: reach, effort
    """  # noqa: E501
    known_names = tuple(known)
    body = text.lstrip()
    errors = _Errors(body, shift=len(text) - len(body))
    if not body.strip():
        raise errors.at(1, "formula is empty", "empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise errors.at(
            MAX_FORMULA_LENGTH + 1,
            f"formula is longer than {MAX_FORMULA_LENGTH} characters",
            "too_long",
        )
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        if exc.offset is None or exc.offset < 1 or exc.lineno is None:
            column, near = len(text) + 1, "end of formula"
        else:
            column = errors.column(exc.lineno, exc.offset - 1)
            start = column - 1 - errors.shift
            near = body[start : start + 10].strip() if start < len(body) else "end of formula"
        raise errors.at(column, f"syntax error ({exc.msg}) near {near!r}", "syntax_error") from None
    except (RecursionError, MemoryError, ValueError):
        raise errors.at(1, "formula is too deeply nested", "too_complex") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise errors.at(1, f"formula has more than {MAX_NODES} parts", "too_complex")
    compiler = _Compiler(known_names, errors)
    fn = compiler.compile(tree)
    return Formula(text, frozenset(compiler.used), fn)


def caret(text: str, column: int) -> str:
    """Show ``text`` with a caret under ``column`` (1-based), for terminals and pages.

    Examples:
        >>> print(caret("reach * imp", 9))
        reach * imp
                ^
    """
    return f"{text}\n{' ' * (column - 1)}^"


@dataclass(frozen=True)
class Criterion:
    """One criterion of a weighted scoring model and its weight."""

    name: str
    weight: float = 1.0
    description: str = ""
    higher_is_better: bool = True
    minimum: float | None = 0.0
    maximum: float | None = None


def default_formula(criteria: Iterable[Criterion]) -> str:
    """Weighted sum of benefits minus weighted sum of costs.

    Examples:
        >>> default_formula([Criterion("value", 3), Criterion("effort", 1, higher_is_better=False)])
        'w_value * value - w_effort * effort'
    """
    text = ""
    for c in criteria:
        term = f"{WEIGHT_PREFIX}{c.name} * {c.name}"
        if c.higher_is_better:
            text = f"{text} + {term}" if text else term
        else:
            text = f"{text} - {term}" if text else f"-{term}"
    return text


def _check_criteria(criteria: tuple[Criterion, ...]) -> None:
    problems = ProblemCollector()
    seen: set[str] = set()
    if not criteria:
        problems.add(("criteria",), "a weighted scoring model needs at least one criterion")
    for i, c in enumerate(criteria):
        loc = ("criteria", i, "name")
        if not c.name.isidentifier() or keyword.iskeyword(c.name):
            problems.add(loc, f"{c.name!r} is not a valid name (letters, digits, _)")
        elif c.name in FUNCTIONS or c.name.startswith(WEIGHT_PREFIX):
            problems.add(loc, f"{c.name!r} is reserved (a function or the w_ weight prefix)")
        elif c.name in seen:
            problems.add(loc, f"criterion {c.name!r} appears twice")
        seen.add(c.name)
        if not math.isfinite(c.weight):
            problems.add(("criteria", i, "weight"), f"weight of {c.name!r} must be finite")
    problems.raise_if_any("bad criteria")


@dataclass(frozen=True)
class WeightedScoring:
    """A user-defined framework: criteria with weights and a formula over them.

    The formula may use every criterion name and its weight ``w_<name>``; without a formula the
    weighted-sum model ``default_formula`` is used.

    Examples:
        >>> model = WeightedScoring("growth", (Criterion("value", 3), Criterion("fit", 2)),
        ...                         "(w_value * value + w_fit * fit) / (w_value + w_fit)")
        >>> model.score({"value": np.array([8.0]), "fit": np.array([3.0])}).tolist()
        [6.0]
        >>> model.with_weights({"fit": 7}).score({"value": np.array([8.0]),
        ...                                        "fit": np.array([3.0])}).tolist()
        [4.5]
    """

    slug: str
    criteria: tuple[Criterion, ...]
    formula_text: str | None = None
    title: str = "Weighted scoring"
    formula: Formula = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_criteria(self.criteria)
        known = [c.name for c in self.criteria] + [WEIGHT_PREFIX + c.name for c in self.criteria]
        text = self.formula_text or default_formula(self.criteria)
        # A frozen dataclass sets derived fields through object.__setattr__.
        object.__setattr__(self, "formula", compile_formula(text, known))

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        """One input per criterion."""
        return tuple(
            InputSpec(c.name, c.description or c.name, c.higher_is_better, c.minimum, c.maximum)
            for c in self.criteria
        )

    @property
    def log_exponents(self) -> Mapping[str, float] | None:
        """A user formula is not assumed to be a product of powers."""
        return None

    @property
    def weights(self) -> dict[str, float]:
        """Criterion name -> weight."""
        return {c.name: c.weight for c in self.criteria}

    def with_weights(self, weights: Mapping[str, float]) -> WeightedScoring:
        """A copy with some weights changed (for what-if analysis).

        Raises:
            InvalidInputError: a name is not a criterion.
        """
        unknown = sorted(set(weights) - {c.name for c in self.criteria})
        if unknown:
            raise InvalidInputError.single(
                ("weights",), f"not criteria of {self.slug}: {', '.join(unknown)}", "unknown_name"
            )
        criteria = tuple(
            replace(c, weight=float(weights.get(c.name, c.weight))) for c in self.criteria
        )
        return replace(self, criteria=criteria)

    def score(self, values: Values) -> FloatArray:
        """Evaluate the formula with the criteria values and the weights."""
        env: dict[str, Any] = {c.name: values[c.name] for c in self.criteria}
        env.update({WEIGHT_PREFIX + c.name: c.weight for c in self.criteria})
        return self.formula.evaluate(env)

    def label(self, values: Values) -> StrArray | None:
        """Weighted scoring has no categories."""
        return None
