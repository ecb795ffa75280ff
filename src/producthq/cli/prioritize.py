"""``producthq prioritize FILE``: score and rank the features in a CSV file.

The CSV has a header row. The feature name is in a column ``name`` (or ``feature``, ``title``,
``id``); every framework input has either

* one column named for the input, holding a number (``500``, ``80%``) or a range ``low..high``,
  optionally with its confidence ``low..high@0.8`` (default ``--confidence``), or
* two columns ``<input>_low`` and ``<input>_high`` (equal values make a point).

Other columns are ignored. Row numbers in errors count the header as row 1, as a spreadsheet
shows them; every bad cell is reported as (row, field, reason) in one error.

``--framework weighted`` builds a user-defined model from ``--criterion NAME=WEIGHT`` (more is
better), ``--cost NAME=WEIGHT`` (less is better) and an optional ``--formula``. Any other slug
that is not a built-in is looked up among the default workspace's stored frameworks
(``producthq frameworks add``).

``producthq frameworks list|add|remove`` manages a workspace's stored frameworks;
``producthq kano import|show`` its Kano survey answers.

Without FILE the features of a workspace are ranked (``--workspace``, else
``PRODUCTHQ_WORKSPACE``, else the only one): their stored estimates, RICE reach derived from
linked feedback, and the what-if weights of ``--weight NAME=W``.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from producthq.cli.output import OutputFormat, emit, err_console
from producthq.errors import InvalidInputError, ProblemCollector, ProductHQError
from producthq.prioritization.formula import Criterion, WeightedScoring
from producthq.prioritization.scoring import Framework, FrameworkRegistry, default_registry
from producthq.prioritization.uncertainty import (
    DEFAULT_CONFIDENCE,
    Estimate,
    Feature,
    Ranking,
    parse_estimate,
    simulate,
)

NAME_COLUMNS = ("name", "feature", "title", "id")


class MethodChoice(StrEnum):
    """How score distributions are computed."""

    monte_carlo = "monte_carlo"
    exact = "exact"
    """Closed form for products of lognormal inputs (RICE, ICE, value/effort)."""


def _cell_estimate(
    row: Mapping[str, str | None], field: str, confidence: float
) -> tuple[Estimate | None, str | None]:
    text = (row.get(field) or "").strip()
    if not text:
        return None, "missing value"
    try:
        return parse_estimate(text, confidence=confidence), None
    except InvalidInputError as exc:
        return None, exc.message


def _pair_estimate(
    row: Mapping[str, str | None], name: str, confidence: float
) -> tuple[Estimate | None, str, str | None]:
    low_field, high_field = f"{name}_low", f"{name}_high"
    values: list[float] = []
    for field in (low_field, high_field):
        text = (row.get(field) or "").strip()
        try:
            est = parse_estimate(text, confidence=confidence)
        except InvalidInputError:
            return None, field, f"{text!r} is not a number" if text else "missing value"
        if not est.is_point:
            return None, field, "write one number per column, not a range"
        values.append(est.low)
    if values[0] > values[1]:
        return None, low_field, f"low {values[0]:g} is above high {values[1]:g}"
    return Estimate.between(values[0], values[1], confidence), low_field, None


def _input_layout(
    header: Sequence[str], framework: Framework, problems: ProblemCollector
) -> dict[str, str]:
    """Input name -> "single" or "pair", for inputs present; missing required ones reported."""
    columns = set(header)
    layout: dict[str, str] = {}
    for spec in framework.inputs:
        name = spec.name
        if name in columns:
            layout[name] = "single"
        elif f"{name}_low" in columns and f"{name}_high" in columns:
            layout[name] = "pair"
        elif f"{name}_low" in columns or f"{name}_high" in columns:
            problems.add((1, name), f"give both {name}_low and {name}_high", "missing_column")
        elif spec.default is None:
            problems.add(
                (1, name),
                f"no column {name!r} (or {name}_low and {name}_high) for {framework.slug}",
                "missing_column",
            )
    return layout


def read_features(text: str, framework: Framework, *, confidence: float) -> list[Feature]:
    """Parse CSV text into features for ``framework``.

    Raises:
        InvalidInputError: with one problem per bad cell, ``loc = (row, field)``.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    problems = ProblemCollector()
    name_column = next((c for c in NAME_COLUMNS if c in header), None)
    if name_column is None:
        problems.add((1, "name"), "no name column (name, feature, title or id)", "missing_column")
    layout = _input_layout(header, framework, problems)
    problems.raise_if_any("bad CSV header")
    features: list[Feature] = []
    specs = {s.name: s for s in framework.inputs}
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        name = (row.get(name_column or "") or "").strip()
        if not name:
            problems.add((line, name_column or "name"), "missing name", "missing")
        estimates: dict[str, Estimate] = {}
        for input_name, kind in layout.items():
            if kind == "single":
                est, reason = _cell_estimate(row, input_name, confidence)
                field = input_name
            else:
                est, field, reason = _pair_estimate(row, input_name, confidence)
            if est is not None:
                reason = specs[input_name].problem(est.low) or specs[input_name].problem(est.high)
            if reason is not None or est is None:
                problems.add((line, field), reason or "invalid", "invalid_value")
                continue
            estimates[input_name] = est
        features.append(Feature(name, estimates))
    problems.raise_if_any("bad CSV rows")
    if not features:
        raise InvalidInputError.single((2,), "the file has no feature rows", "empty")
    return features


def _weights(pairs: Sequence[str], option: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            weight = float(value) if sep else 1.0
        except ValueError:
            raise InvalidInputError.single(
                (option,), f"{option} {pair!r}: weight {value!r} is not a number"
            ) from None
        out.append((name.strip(), weight))
    return out


def build_framework(
    slug: str, *, formula: str | None, criteria: Sequence[str], costs: Sequence[str]
) -> Framework:
    """Look ``slug`` up in the registry; ``weighted`` registers a user model first."""
    registry = default_registry()
    if slug not in registry and slug != "weighted" and not (formula or criteria or costs):
        # No database or no default workspace: the unknown slug is reported below.
        with contextlib.suppress(ProductHQError):
            registry = _workspace_registry()
    if slug == "weighted":
        model = [Criterion(n, w) for n, w in _weights(criteria, "--criterion")]
        model += [Criterion(n, w, higher_is_better=False) for n, w in _weights(costs, "--cost")]
        if not model:
            raise InvalidInputError.single(
                ("--criterion",), "--framework weighted needs --criterion NAME=WEIGHT (or --cost)"
            )
        registry.register(WeightedScoring("weighted", tuple(model), formula, "Weighted formula"))
    elif formula or criteria or costs:
        raise InvalidInputError.single(
            ("--formula",), "--formula, --criterion and --cost need --framework weighted"
        )
    return registry.get(slug)


def _workspace_registry() -> FrameworkRegistry:
    """The registry of the default workspace, for a user-defined framework in file mode."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import frameworks

    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, None, st.settings)
        return frameworks.registry_for(session, workspace_id=ws.id)


def _rows(ranking: Ranking, fmt: OutputFormat) -> tuple[list[dict[str, Any]], list[str]]:
    p_col = f"p_top_{ranking.top}"
    labels = any(f.label for f in ranking.features)
    columns = ["rank", "name", "score", "low", "high", p_col, "driver", "rank_swing"]
    if labels:
        columns.append("label")

    def num(x: float) -> Any:
        return f"{x:,.4g}" if fmt == OutputFormat.table else float(f"{x:.6g}")

    rows = [
        {
            "rank": f.rank,
            "name": f.name,
            "score": num(f.median),
            "low": num(f.low),
            "high": num(f.high),
            p_col: round(f.p_top, 4),
            "driver": f.driver,
            "rank_swing": f.rank_swing,
            "label": f.label,
        }
        for f in ranking.features
    ]
    return rows, columns


def prioritize_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV of features; leave out to rank a workspace's features.",
        ),
    ] = None,
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            help="rice, ice, ice_mean, wsjf, value_effort, kano, opportunity, weighted, or a "
            "workspace's own framework (producthq frameworks list).",
        ),
    ] = "rice",
    top: Annotated[int, typer.Option(min=1, help="N in 'probability of being in the top N'.")] = 10,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    draws: Annotated[int, typer.Option(min=100, max=100_000, help="Monte Carlo draws.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = 0,
    confidence: Annotated[
        float, typer.Option(min=0.01, max=0.99, help="Confidence of ranges without @c.")
    ] = DEFAULT_CONFIDENCE,
    interval: Annotated[
        float, typer.Option(min=0.01, max=0.99, help="Width of the score interval shown.")
    ] = 0.9,
    method: Annotated[MethodChoice, typer.Option(help="monte_carlo or exact.")] = (
        MethodChoice.monte_carlo
    ),
    formula: Annotated[str | None, typer.Option(help="Formula for --framework weighted.")] = None,
    criterion: Annotated[
        list[str] | None, typer.Option(help="NAME=WEIGHT, more is better (weighted).")
    ] = None,
    cost: Annotated[list[str] | None, typer.Option(help="NAME=WEIGHT, less is better.")] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="Rank this workspace's features (no FILE)."),
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="What-if weight NAME=W of an input (workspace mode)."),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only features with this status (workspace).")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", help="Only features with this tag (workspace).")
    ] = None,
) -> None:
    """Score features (from FILE, or a workspace) and rank them, with intervals and P(top N)."""
    if file is None:
        _workspace_ranking(
            framework=framework,
            top=top,
            fmt=fmt,
            draws=draws,
            seed=seed,
            interval=interval,
            method=method,
            workspace=workspace,
            weights=weight or [],
            status=status,
            tag=tag,
        )
        return
    try:
        chosen = build_framework(
            framework, formula=formula, criteria=criterion or [], costs=cost or []
        )
        text = file.read_text(encoding="utf-8-sig")
        features = read_features(text, chosen, confidence=confidence)
        ranking = simulate(
            chosen,
            features,
            draws=draws,
            seed=seed,
            interval=interval,
            top=top,
            method="exact" if method is MethodChoice.exact else "monte_carlo",
        )
    except ProductHQError as exc:
        _report(exc)
        raise typer.Exit(2) from None
    rows, columns = _rows(ranking, fmt)
    emit(rows, columns, fmt)


def _workspace_ranking(
    *,
    framework: str,
    top: int,
    fmt: OutputFormat,
    draws: int,
    seed: int,
    interval: float,
    method: MethodChoice,
    workspace: str | None,
    weights: Sequence[str],
    status: str | None,
    tag: str | None,
) -> None:
    from producthq.catalog.schemas import FeatureFilter
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import service

    try:
        wanted = dict(_weights(weights, "--weight"))
        filters = FeatureFilter.model_validate({"status": status, "tag": tag})
    except ValueError as exc:
        raise InvalidInputError.single(("--status",), f"bad filter: {exc}") from None
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        ranking = service.rank_features(
            session,
            workspace_id=ws.id,
            framework=framework,
            filters=filters if status or tag else None,
            top=top,
            draws=draws,
            seed=seed,
            interval=interval,
            method=method.value,
            weights=wanted,
        )
    p_col = f"p_top_{ranking.top}"
    columns = ["rank", "id", "name", "score", "low", "high", p_col, "driver", "rank_swing"]
    if wanted:
        columns += ["rank_before", "places_up"]

    def num(x: float) -> Any:
        return f"{x:,.4g}" if fmt == OutputFormat.table else float(f"{x:.6g}")

    rows = [
        {
            "rank": r.rank,
            "id": r.feature_id,
            "name": r.title,
            "score": num(r.median),
            "low": num(r.low),
            "high": num(r.high),
            p_col: round(r.p_top, 4),
            "driver": r.driver,
            "rank_swing": r.rank_swing,
            "rank_before": r.rank_before,
            "places_up": r.places_up,
        }
        for r in ranking.rows
    ]
    emit(rows, columns, fmt)
    if ranking.unscored and fmt == OutputFormat.table:
        names = ", ".join(f"{u.title} ({', '.join(u.missing)})" for u in ranking.unscored[:10])
        more = len(ranking.unscored) - 10
        err_console.print(
            f"{len(ranking.unscored)} not scored, inputs missing: {names}"
            + (f" and {more} more" if more > 0 else ""),
            markup=False,
            highlight=False,
        )


def _report(exc: ProductHQError) -> None:
    err_console.print(f"error: {exc.message}", markup=False, highlight=False)
    if isinstance(exc, InvalidInputError):
        for p in exc.details[1:20]:
            where = ", ".join(str(x) for x in p.loc)
            err_console.print(f"  {where}: {p.message}", markup=False, highlight=False)


app = typer.Typer(help="Prioritise features from a file.", add_completion=False)
app.command("score")(prioritize_command)


# --- producthq frameworks …: the workspace's user-defined frameworks -----------------------

frameworks_app = typer.Typer(
    help="A workspace's weighted-scoring frameworks: list, add, remove.", no_args_is_help=True
)
WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace slug (else the default).")
]


def _criteria_in(criteria: Sequence[str], costs: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"name": n, "weight": w, "kind": "benefit"} for n, w in _weights(criteria, "--criterion")
    ]
    out += [{"name": n, "weight": w, "kind": "cost"} for n, w in _weights(costs, "--cost")]
    return out


def _validation(exc: ValidationError, option: str) -> InvalidInputError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or option
    return InvalidInputError.single((where,), f"{where}: {err.get('msg', 'invalid')}")


def _print_formula_error(exc: InvalidInputError, formula: str) -> None:
    from producthq.prioritization.formula import caret

    for p in exc.details:
        if len(p.loc) == 2 and p.loc[0] == "formula" and isinstance(p.loc[1], int):
            err_console.print(caret(formula, p.loc[1]), markup=False, highlight=False)
            return


@frameworks_app.command("list")
def frameworks_list(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.table
    ),
    workspace: WorkspaceOption = None,
) -> None:
    """List the workspace's frameworks: built-in and user-defined, with their inputs."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import service

    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        infos = service.list_frameworks(session, workspace_id=ws.id)
    rows = [
        {
            "slug": f.slug,
            "kind": "user" if f.user_defined else "built-in",
            "title": f.title,
            "inputs": ", ".join(str(i["name"]) for i in f.inputs),
            "from_evidence": ", ".join(f.derived_inputs),
        }
        for f in infos
    ]
    emit(rows, ["slug", "kind", "title", "inputs", "from_evidence"], fmt)


@frameworks_app.command("add")
def frameworks_add(
    slug: Annotated[str, typer.Argument(help="Stable name: lowercase letters, digits, _.")],
    title: Annotated[str | None, typer.Option(help="Human name (default: the slug).")] = None,
    criterion: Annotated[
        list[str] | None, typer.Option(help="NAME=WEIGHT, more is better; repeat.")
    ] = None,
    cost: Annotated[list[str] | None, typer.Option(help="NAME=WEIGHT, less is better.")] = None,
    formula: Annotated[
        str | None, typer.Option(help="Formula over the criteria and w_<name> weights.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the framework if the slug exists.")
    ] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="E-mail of the member.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Add (or with --replace, change) a weighted-scoring framework of the workspace."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import frameworks
    from producthq.prioritization.schemas import ScoringFrameworkCreate, ScoringFrameworkUpdate

    body = {
        "slug": slug,
        "title": title or slug,
        "criteria": _criteria_in(criterion or [], cost or []),
        "formula": formula or "",
    }
    st = state()
    try:
        with st.uow() as session:
            ws = resolve_workspace(session, workspace, st.settings)
            actor = cli_actor(session, ws, as_user)
            existing = frameworks.find_user_framework_id(session, workspace_id=ws.id, slug=slug)
            if existing is not None and replace:
                update = ScoringFrameworkUpdate.model_validate(
                    {k: v for k, v in body.items() if k != "slug"}
                )
                saved = frameworks.update_user_framework(
                    session, actor=actor, framework_id=existing, data=update
                )
            else:
                data = ScoringFrameworkCreate.model_validate(body)
                saved = frameworks.create_user_framework(session, actor=actor, data=data)
    except ValidationError as exc:
        raise _validation(exc, "--criterion") from None
    except InvalidInputError as exc:
        _report(exc)
        _print_formula_error(exc, formula or "")
        raise typer.Exit(2) from None
    err_console.print(
        f"framework {saved.slug}: {saved.effective_formula}", markup=False, highlight=False
    )


@frameworks_app.command("remove")
def frameworks_remove(
    slug: Annotated[str, typer.Argument(help="The framework's slug.")],
    as_user: Annotated[str | None, typer.Option("--as", help="E-mail of the member.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Delete a user-defined framework (its estimates stay, unused)."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.errors import NotFoundError
    from producthq.prioritization import frameworks

    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        fid = frameworks.find_user_framework_id(session, workspace_id=ws.id, slug=slug)
        if fid is None:
            raise NotFoundError(f"workspace {ws.slug} has no user-defined framework {slug!r}")
        frameworks.delete_user_framework(session, actor=actor, framework_id=fid)
    err_console.print(f"removed framework {slug}", markup=False, highlight=False)


# --- producthq kano …: survey answers ---------------------------------------------------

kano_app = typer.Typer(help="Kano survey answers: import, show.", no_args_is_help=True)


@kano_app.command("import")
def kano_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file.")
    ],
    feature: Annotated[
        int | None, typer.Option("--feature", help="Import into this feature id.")
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="E-mail of the member.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Import answers (columns feature_id, respondent or person_email, functional,
    dysfunctional); nothing is kept unless every row is valid."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import kano_answers

    text = file.read_text(encoding="utf-8-sig")
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        result = kano_answers.import_kano_csv(session, actor=actor, text=text, feature_id=feature)
    err_console.print(
        f"imported {result.created} Kano answers on {len(result.features)} feature(s)",
        markup=False,
        highlight=False,
    )


@kano_app.command("show")
def kano_show(
    feature: Annotated[int, typer.Argument(help="Feature id.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.table
    ),
    workspace: WorkspaceOption = None,
) -> None:
    """Show a feature's Kano tally, category and better/worse coefficients."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.prioritization import kano_answers

    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        summary = kano_answers.kano_summary(session, workspace_id=ws.id, feature_id=feature)
    rows = [
        {
            "feature_id": summary.feature_id,
            "respondents": summary.total,
            **summary.counts,
            "category": summary.category,
            "better": None if summary.better is None else round(summary.better, 4),
            "worse": None if summary.worse is None else round(summary.worse, 4),
        }
    ]
    emit(rows, list(rows[0]), fmt)
