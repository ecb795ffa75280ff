"""Roadmap scenarios and plans: frozen values, parsed and validated from JSON.

A *scenario* lists planning periods, teams with capacity per period (person-weeks), candidate
features (value, effort per eligible team, duration in periods, dependencies, deadline,
earliest start) and commitments. A *plan* says, per feature, whether it is chosen and by which
team in which periods, with the objective, the proven bound and the gap. Both formats are
documented in ``docs/roadmap-optimizer.md`` and described by the JSON Schemas in
``producthq/roadmap/schemas``.

Parsing validates in two passes and reports every problem at once (``InvalidInputError`` whose
details carry locations such as ``["scenario.json", "features", 12, "effort", "web"]``):

1. the JSON Schema (draft 2020-12, checked with ``jsonschema``);
2. the meaning: duplicate ids, unknown teams, features and periods, capacity lists of the wrong
   length, dependency cycles (named ``a -> b -> a``, each feature depending on the next) and
   deadlines or commitments no team can meet, with the reason.

Example:
    >>> s = parse_scenario({
    ...     "periods": ["Q1", "Q2"],
    ...     "teams": [{"id": "core", "capacity": 10}],
    ...     "features": [{"id": "a", "value": 5, "effort": {"core": 4}}],
    ... })
    >>> s.teams[0].capacity, s.features[0].duration
    ((10.0, 10.0), 1)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from producthq.errors import InvalidInputError, ProblemCollector

# Tolerance for comparing floating-point loads with capacities in validation messages.
EPS = 1e-9
EFFORT_SCALE = 100  # the solver and the greedy baseline count in 1/100 person-week


class PlanStatus(StrEnum):
    """How good a plan is known to be."""

    OPTIMAL = "optimal"
    """Proven best: the bound equals the objective."""
    FEASIBLE = "feasible"
    """Meets every constraint; not proven best (see the gap)."""
    INFEASIBLE = "infeasible"
    """No plan can meet the constraints (usually conflicting commitments)."""
    UNKNOWN = "unknown"
    """No plan was found within the time limit."""


@dataclass(frozen=True)
class Team:
    """A team and the person-weeks it has in each period."""

    id: str
    capacity: tuple[float, ...]
    name: str = ""


@dataclass(frozen=True)
class Feature:
    """A candidate feature.

    ``effort`` maps each eligible team to the person-weeks the feature takes if that team does
    it; the effort is spread evenly over ``duration`` consecutive periods. ``deadline`` and
    ``earliest_start`` are period indices.
    """

    id: str
    value: float
    effort: Mapping[str, float]
    duration: int = 1
    depends_on: tuple[str, ...] = ()
    deadline: int | None = None
    earliest_start: int = 0
    name: str = ""

    def latest_end(self, n_periods: int) -> int:
        """Return the last period index in which the feature may end."""
        last = n_periods - 1
        return last if self.deadline is None else min(self.deadline, last)


@dataclass(frozen=True)
class Commitment:
    """A feature that must be in the plan, optionally with a fixed team and start period."""

    feature: str
    team: str | None = None
    start: int | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything the optimiser needs: periods, teams, features, commitments."""

    periods: tuple[str, ...]
    teams: tuple[Team, ...]
    features: tuple[Feature, ...]
    commitments: tuple[Commitment, ...] = ()
    name: str = ""

    @cached_property
    def feature_by_id(self) -> dict[str, Feature]:
        """Features keyed by id."""
        return {f.id: f for f in self.features}

    @cached_property
    def team_by_id(self) -> dict[str, Team]:
        """Teams keyed by id."""
        return {t.id: t for t in self.teams}

    @cached_property
    def commitment_by_feature(self) -> dict[str, Commitment]:
        """Commitments keyed by feature id."""
        return {c.feature: c for c in self.commitments}

    @cached_property
    def duration_lcm(self) -> int:
        """Least common multiple of the features' durations (1 if there are none)."""
        return math.lcm(*(f.duration for f in self.features)) if self.features else 1

    def load_units(self, feature: Feature, team: str) -> int:
        """Integer load per period of ``feature`` done by ``team``, in solver units.

        The effort is rounded *up* to 1/100 person-week and multiplied by
        ``duration_lcm / duration`` so that spreading it evenly stays exact.
        """
        return _units(feature.effort[team], EFFORT_SCALE, ROUND_CEILING) * (
            self.duration_lcm // feature.duration
        )

    def capacity_units(self, team: Team, period: int) -> int:
        """Integer capacity in solver units (rounded *down* to 1/100 person-week)."""
        return _units(team.capacity[period], EFFORT_SCALE, ROUND_FLOOR) * self.duration_lcm

    def scaled_capacity(self, factor: float) -> Scenario:
        """Return a copy with every capacity multiplied by ``factor``."""
        teams = tuple(
            replace(t, capacity=tuple(c * factor for c in t.capacity)) for t in self.teams
        )
        return replace(self, teams=teams)

    def with_extra_capacity(self, team: str, period: int, amount: float) -> Scenario:
        """Return a copy in which ``team`` has ``amount`` more person-weeks in ``period``."""
        teams = []
        for t in self.teams:
            if t.id == team:
                cap = list(t.capacity)
                cap[period] += amount
                t = replace(t, capacity=tuple(cap))
            teams.append(t)
        return replace(self, teams=tuple(teams))

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario in its JSON format."""
        features: list[dict[str, Any]] = []
        for f in self.features:
            item: dict[str, Any] = {"id": f.id, "value": f.value, "effort": dict(f.effort)}
            if f.name:
                item["name"] = f.name
            if f.duration != 1:
                item["duration"] = f.duration
            if f.depends_on:
                item["depends_on"] = list(f.depends_on)
            if f.deadline is not None:
                item["deadline"] = self.periods[f.deadline]
            if f.earliest_start:
                item["earliest_start"] = self.periods[f.earliest_start]
            features.append(item)
        commitments: list[dict[str, Any]] = []
        for c in self.commitments:
            citem: dict[str, Any] = {"feature": c.feature}
            if c.team is not None:
                citem["team"] = c.team
            if c.start is not None:
                citem["start"] = self.periods[c.start]
            commitments.append(citem)
        out: dict[str, Any] = {
            "name": self.name,
            "periods": list(self.periods),
            "teams": [{"id": t.id, "capacity": list(t.capacity)} for t in self.teams],
            "features": features,
        }
        if commitments:
            out["commitments"] = commitments
        return out


@dataclass(frozen=True)
class Assignment:
    """One feature's fate in a plan; ``start``/``end`` are period indices (``end`` inclusive)."""

    feature_id: str
    chosen: bool
    team: str | None = None
    start: int | None = None
    end: int | None = None
    value: float = 0.0


@dataclass(frozen=True)
class Plan:
    """A roadmap plan for one scenario and what is proven about it."""

    periods: tuple[str, ...]
    status: PlanStatus
    objective: float
    best_bound: float
    gap: float
    assignments: tuple[Assignment, ...]
    wall_seconds: float = 0.0
    solver: str = "cp-sat"
    scenario_name: str = ""
    message: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def by_feature(self) -> dict[str, Assignment]:
        """Assignments keyed by feature id."""
        return {a.feature_id: a for a in self.assignments}

    @property
    def chosen_ids(self) -> frozenset[str]:
        """Ids of the chosen features."""
        return frozenset(a.feature_id for a in self.assignments if a.chosen)

    def usage(self, scenario: Scenario) -> dict[tuple[str, int], float]:
        """Return person-weeks used per (team id, period index)."""
        used = {(t.id, p): 0.0 for t in scenario.teams for p in range(len(scenario.periods))}
        for a in self.assignments:
            if not a.chosen or a.team is None or a.start is None or a.end is None:
                continue
            f = scenario.feature_by_id[a.feature_id]
            per_period = f.effort[a.team] / f.duration
            for p in range(a.start, a.end + 1):
                used[(a.team, p)] += per_period
        return used

    def to_dict(self, scenario: Scenario | None = None) -> dict[str, Any]:
        """Return the plan in its JSON format; with ``scenario``, include capacity usage."""

        def label(i: int | None) -> str | None:
            return None if i is None else self.periods[i]

        out: dict[str, Any] = {
            "scenario": self.scenario_name,
            "solver": self.solver,
            "status": self.status.value,
            "objective": round(self.objective, 6),
            "best_bound": round(self.best_bound, 6),
            "gap": round(self.gap, 6) if math.isfinite(self.gap) else None,
            "wall_seconds": round(self.wall_seconds, 3),
            "features": [
                {
                    "id": a.feature_id,
                    "chosen": a.chosen,
                    "team": a.team,
                    "start": label(a.start),
                    "end": label(a.end),
                    "value": a.value,
                }
                for a in self.assignments
            ],
        }
        if self.message:
            out["message"] = self.message
        if scenario is not None:
            caps = {t.id: t.capacity for t in scenario.teams}
            out["usage"] = [
                {
                    "team": team,
                    "period": self.periods[p],
                    "used": round(used, 6),
                    "capacity": caps[team][p],
                }
                for (team, p), used in self.usage(scenario).items()
            ]
        if self.extra:
            out.update(self.extra)
        return out


def _units(x: float, scale: int, rounding: str) -> int:
    """Round ``x * scale`` to an integer in the given direction, exactly (via ``Decimal``)."""
    return int((Decimal(repr(x)) * scale).to_integral_value(rounding=rounding))


def relative_gap(objective: float, bound: float) -> float:
    """Return ``(bound - objective) / |objective|``, 0 when both are 0, inf when only obj is.

    Example:
        >>> relative_gap(99.0, 100.0)
        0.010101010101010102
    """
    diff = max(0.0, bound - objective)
    if diff <= 1e-9:
        return 0.0
    return diff / abs(objective) if objective else math.inf


# --------------------------------------------------------------------------- schema loading


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return a packaged JSON Schema (``"scenario"`` or ``"plan"``)."""
    text = resources.files("producthq.roadmap").joinpath("schemas", f"{name}.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


def _describe(data: Any, path: Sequence[str | int]) -> str:
    """Name the place ``path`` points at, using ids: ``feature 'x', effort.web``."""
    kinds = {"features": "feature", "teams": "team", "commitments": "commitment"}
    if len(path) >= 2 and path[0] in kinds and isinstance(path[1], int):
        item = data.get(path[0], [None])[path[1]] if isinstance(data, dict) else None
        ident = None
        if isinstance(item, dict):
            ident = item.get("feature" if path[0] == "commitments" else "id")
        head = f"{kinds[str(path[0])]} #{path[1]}"
        if isinstance(ident, str):
            head = f"{kinds[str(path[0])]} {ident!r}"
        rest = ".".join(str(p) for p in path[2:])
        return f"{head}, {rest}" if rest else head
    return ".".join(str(p) for p in path) or "document"


def schema_problems(data: Any, schema_name: str, source: str, problems: ProblemCollector) -> None:
    """Add one problem per JSON Schema violation, located in ``source``."""
    validator = Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors:
        path = list(err.absolute_path)
        message = err.message
        if err.validator == "minimum" and err.validator_value == 0:
            message = f"{err.instance!r} is negative; it must be 0 or more"
        problems.add((source, *path), f"{_describe(data, path)}: {message}", str(err.validator))


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text, turning a syntax error into ``InvalidInputError`` with line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise InvalidInputError.single((source, exc.lineno, exc.colno), msg, "json") from None


# --------------------------------------------------------------------------- scenario parsing


def parse_scenario(data: Any, source: str = "scenario.json") -> Scenario:
    """Validate a scenario dict (schema, then meaning) and build the ``Scenario``.

    Args:
        data: The decoded JSON document.
        source: File name used as the first element of every problem location.

    Returns:
        The scenario.

    Raises:
        InvalidInputError: listing every problem found.
    """
    problems = ProblemCollector()
    schema_problems(data, "scenario", source, problems)
    problems.raise_if_any(f"{source} does not match the scenario format")
    scenario = _build(data, source, problems)
    _check_cycles(scenario, source, problems)
    problems.raise_if_any(f"{source} is not a valid scenario")
    _check_schedulable(scenario, source, problems)
    problems.raise_if_any(f"{source} asks for something no team can do")
    return scenario


def _index_of(
    periods: Sequence[str], label: Any, loc: tuple[str | int, ...], problems: ProblemCollector
) -> int | None:
    if label is None:
        return None
    if label in periods:
        return list(periods).index(label)
    problems.add(loc, f"unknown period {label!r}; periods are {', '.join(periods)}", "unknown")
    return None


def _build_teams(data: dict[str, Any], source: str, problems: ProblemCollector) -> list[Team]:
    n = len(data["periods"])
    teams: list[Team] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["teams"]):
        tid = raw["id"]
        if tid in seen:
            problems.add((source, "teams", i, "id"), f"team id {tid!r} is repeated", "duplicate")
        seen.add(tid)
        cap = raw["capacity"]
        if isinstance(cap, list):
            if len(cap) != n:
                problems.add(
                    (source, "teams", i, "capacity"),
                    f"team {tid!r} has {len(cap)} capacity values but there are {n} periods",
                    "length",
                )
            caps = tuple(float(c) for c in cap)
        else:
            caps = (float(cap),) * n
        teams.append(Team(id=tid, capacity=caps, name=raw.get("name", "")))
    return teams


def _build_feature(
    i: int,
    raw: dict[str, Any],
    periods: Sequence[str],
    teams: set[str],
    source: str,
    problems: ProblemCollector,
) -> Feature:
    fid = raw["id"]
    loc = (source, "features", i)
    for team in raw["effort"]:
        if team not in teams:
            problems.add(
                (*loc, "effort", team),
                f"feature {fid!r}: unknown team {team!r}; teams are {', '.join(sorted(teams))}",
                "unknown",
            )
    duration = int(raw.get("duration", 1))
    if duration > len(periods):
        problems.add(
            (*loc, "duration"),
            f"feature {fid!r} lasts {duration} periods but the plan has only {len(periods)}",
            "too_long",
        )
    value = raw["value"]
    if isinstance(value, dict):
        value = value["median"]
    deadline = _index_of(periods, raw.get("deadline"), (*loc, "deadline"), problems)
    earliest = _index_of(periods, raw.get("earliest_start"), (*loc, "earliest_start"), problems)
    return Feature(
        id=fid,
        value=float(value),
        effort={t: float(e) for t, e in raw["effort"].items()},
        duration=duration,
        depends_on=tuple(raw.get("depends_on", ())),
        deadline=deadline,
        earliest_start=earliest or 0,
        name=raw.get("name", ""),
    )


def _build(data: dict[str, Any], source: str, problems: ProblemCollector) -> Scenario:
    periods = tuple(data["periods"])
    teams = _build_teams(data, source, problems)
    team_ids = {t.id for t in teams}
    features: list[Feature] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["features"]):
        if raw["id"] in seen:
            problems.add(
                (source, "features", i, "id"),
                f"feature id {raw['id']!r} is repeated (first at features[{seen[raw['id']]}])",
                "duplicate",
            )
        seen.setdefault(raw["id"], i)
        features.append(_build_feature(i, raw, periods, team_ids, source, problems))
    for i, f in enumerate(features):
        for j, dep in enumerate(f.depends_on):
            loc = (source, "features", i, "depends_on", j)
            if dep == f.id:
                problems.add(loc, f"feature {f.id!r} depends on itself", "cycle")
            elif dep not in seen:
                problems.add(loc, f"feature {f.id!r} depends on unknown feature {dep!r}", "unknown")
    commitments = _build_commitments(data, periods, features, source, problems)
    return Scenario(
        periods=periods,
        teams=tuple(teams),
        features=tuple(features),
        commitments=tuple(commitments),
        name=data.get("name", ""),
    )


def _build_commitments(
    data: dict[str, Any],
    periods: Sequence[str],
    features: Sequence[Feature],
    source: str,
    problems: ProblemCollector,
) -> list[Commitment]:
    by_id = {f.id: f for f in features}
    out: list[Commitment] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("commitments", [])):
        loc = (source, "commitments", i)
        fid = raw["feature"]
        feature = by_id.get(fid)
        if feature is None:
            problems.add((*loc, "feature"), f"commitment to unknown feature {fid!r}", "unknown")
        if fid in seen:
            problems.add((*loc, "feature"), f"feature {fid!r} is committed twice", "duplicate")
        seen.add(fid)
        team = raw.get("team")
        if team is not None and feature is not None and team not in feature.effort:
            problems.add(
                (*loc, "team"),
                f"commitment of {fid!r} to team {team!r}, which cannot do it; "
                f"eligible teams: {', '.join(sorted(feature.effort))}",
                "not_eligible",
            )
        start = _index_of(periods, raw.get("start"), (*loc, "start"), problems)
        out.append(Commitment(feature=fid, team=team, start=start))
    return out


# --------------------------------------------------------------------------- cycles


def find_cycles(scenario: Scenario) -> list[list[str]]:
    """Return one dependency cycle per strongly connected component that has one.

    Each cycle is a list of feature ids starting and ending with the same id, each depending on
    the next. Tarjan's algorithm, iterative so deep chains do not hit the recursion limit.

    Example:
        >>> f = lambda i, d: Feature(id=i, value=1, effort={"t": 1}, depends_on=d)
        >>> s = Scenario(("Q1",), (Team("t", (1.0,)),), (f("a", ("b",)), f("b", ("a",))))
        >>> find_cycles(s)
        [['a', 'b', 'a']]
    """
    graph = {
        f.id: [d for d in f.depends_on if d in scenario.feature_by_id] for f in scenario.features
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(graph[node]):
                work.append((node, i + 1))
                nxt = graph[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = _pop_component(stack, on_stack, node)
                if len(comp) > 1:
                    components.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return [_cycle_in(graph, set(comp), min(comp)) for comp in components]


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    """Pop Tarjan's stack down to ``root``: one strongly connected component."""
    comp: list[str] = []
    while True:
        w = stack.pop()
        on_stack.discard(w)
        comp.append(w)
        if w == root:
            return comp


def _cycle_in(graph: Mapping[str, list[str]], comp: set[str], start: str) -> list[str]:
    """Walk inside a strongly connected component from ``start`` until a node repeats."""
    path = [start]
    seen = {start: 0}
    node = start
    while True:
        node = next(d for d in graph[node] if d in comp)
        if node in seen:
            cycle = path[seen[node] :]
            return [*cycle, node]
        seen[node] = len(path)
        path.append(node)


def _check_cycles(scenario: Scenario, source: str, problems: ProblemCollector) -> None:
    position = {f.id: i for i, f in enumerate(scenario.features)}
    for cycle in find_cycles(scenario):
        problems.add(
            (source, "features", position[cycle[0]], "depends_on"),
            f"dependency cycle: {' -> '.join(cycle)} (each feature depends on the next)",
            "cycle",
        )


# --------------------------------------------------------------------------- schedulability


def topological_order(scenario: Scenario) -> list[Feature]:
    """Return features so that each comes after everything it depends on (no cycles assumed)."""
    done: set[str] = set()
    order: list[Feature] = []
    for f in scenario.features:
        work: list[tuple[Feature, bool]] = [(f, False)]
        while work:
            node, expanded = work.pop()
            if node.id in done:
                continue
            if expanded:
                done.add(node.id)
                order.append(node)
                continue
            work.append((node, True))
            work.extend(
                (scenario.feature_by_id[d], False) for d in node.depends_on if d not in done
            )
    return order


def earliest_starts(scenario: Scenario) -> tuple[dict[str, int], dict[str, str | None]]:
    """Return each feature's earliest possible start and the dependency that sets it.

    A feature cannot start before its ``earliest_start`` nor before every dependency has ended
    (dependencies also start no earlier than their own earliest start).
    """
    start: dict[str, int] = {}
    because: dict[str, str | None] = {}
    for f in topological_order(scenario):
        best, why = f.earliest_start, None
        for d in f.depends_on:
            dep = scenario.feature_by_id[d]
            after = start[d] + dep.duration
            if after > best:
                best, why = after, d
        start[f.id], because[f.id] = best, why
    return start, because


def unschedulable_reason(
    scenario: Scenario,
    feature: Feature,
    es: Mapping[str, int],
    because: Mapping[str, str | None],
    commitment: Commitment | None = None,
) -> str | None:
    """Explain why ``feature`` can never be scheduled alone, or return ``None`` if it can.

    Considers its earliest start (own and through its dependency chain), duration, deadline,
    the horizon, a commitment's fixed team or start, and whether any eligible team has enough
    capacity in every period of some window (the effort is spread evenly over the duration).
    """
    periods = scenario.periods
    last = feature.latest_end(len(periods))
    first = es[feature.id]
    if commitment is not None and commitment.start is not None:
        if commitment.start < first:
            return f"it is committed to start in {periods[commitment.start]!r} but " + (
                _chain(scenario, feature, es, because) or "cannot start before it"
            )
        first = commitment.start
    if first + feature.duration - 1 > last:
        deadline = (
            "the end of the plan"
            if feature.deadline is None
            else (f"its deadline {periods[feature.deadline]!r}")
        )
        chain = _chain(scenario, feature, es, because)
        if chain:
            lasts = f"it lasts {feature.duration} period(s)"
            return f"{chain}, and {lasts}, so it cannot end by {deadline}"
        start_txt = "" if first == 0 else f" and cannot start before {_label(periods, first)}"
        return f"it lasts {feature.duration} period(s){start_txt}, so it cannot end by {deadline}"
    latest_start = last - feature.duration + 1
    if commitment is not None and commitment.start is not None:
        latest_start = commitment.start
    teams = [commitment.team] if commitment is not None and commitment.team else feature.effort
    shortfalls = []
    for team in teams:
        need = feature.effort[team] / feature.duration
        cap = scenario.team_by_id[team].capacity
        for s in range(first, latest_start + 1):
            if all(cap[p] + EPS >= need for p in range(s, s + feature.duration)):
                return None
        window = f"{periods[first]}..{periods[latest_start + feature.duration - 1]}"
        best = max(cap[first : latest_start + feature.duration])
        shortfalls.append(
            f"team {team!r} needs {need:g} person-weeks per period but has at most {best:g} "
            f"in {window}"
        )
    return "no eligible team has the capacity: " + "; ".join(shortfalls)


def _chain(
    scenario: Scenario, feature: Feature, es: Mapping[str, int], because: Mapping[str, str | None]
) -> str:
    """Describe the dependency chain that delays ``feature``, e.g. ``after a -> b``."""
    chain: list[str] = []
    node: str | None = because[feature.id]
    while node is not None:
        chain.append(node)
        node = because[node]
    if not chain:
        return ""
    return (
        f"it depends on {' -> '.join(repr(c) for c in chain)}, so it cannot start before "
        f"{_label(scenario.periods, es[feature.id])}"
    )


def _label(periods: Sequence[str], index: int) -> str:
    """Quote a period label; an index past the horizon reads 'the end of the plan'."""
    return repr(periods[index]) if index < len(periods) else "the end of the plan"


def _check_schedulable(scenario: Scenario, source: str, problems: ProblemCollector) -> None:
    """Reject deadlines and commitments that no team could meet even with nothing else planned."""
    es, because = earliest_starts(scenario)
    position = {f.id: i for i, f in enumerate(scenario.features)}
    for f in scenario.features:
        if f.deadline is None or f.id in scenario.commitment_by_feature:
            continue
        reason = unschedulable_reason(scenario, f, es, because)
        if reason:
            problems.add(
                (source, "features", position[f.id], "deadline"),
                f"feature {f.id!r} cannot meet its deadline "
                f"{scenario.periods[f.deadline]!r}: {reason}",
                "impossible_deadline",
            )
    for i, c in enumerate(scenario.commitments):
        f = scenario.feature_by_id[c.feature]
        reason = unschedulable_reason(scenario, f, es, because, c)
        if reason:
            problems.add(
                (source, "commitments", i),
                f"committed feature {f.id!r} cannot be scheduled: {reason}",
                "impossible_commitment",
            )


# --------------------------------------------------------------------------- plans


def parse_plan(data: Any, scenario: Scenario, source: str = "plan.json") -> Plan:
    """Validate a plan dict against the plan schema and the scenario, and build the ``Plan``.

    Raises:
        InvalidInputError: listing every problem found.
    """
    problems = ProblemCollector()
    schema_problems(data, "plan", source, problems)
    problems.raise_if_any(f"{source} does not match the plan format")
    periods = scenario.periods
    assignments: list[Assignment] = []
    for i, raw in enumerate(data["features"]):
        loc = (source, "features", i)
        fid = raw["id"]
        feature = scenario.feature_by_id.get(fid)
        if feature is None:
            problems.add((*loc, "id"), f"unknown feature {fid!r}", "unknown")
            continue
        team = raw.get("team")
        if raw["chosen"] and team not in feature.effort:
            problems.add((*loc, "team"), f"feature {fid!r}: team {team!r} cannot do it")
        start = _index_of(periods, raw.get("start"), (*loc, "start"), problems)
        end = _index_of(periods, raw.get("end"), (*loc, "end"), problems)
        assignments.append(Assignment(fid, bool(raw["chosen"]), team, start, end, feature.value))
    problems.raise_if_any(f"{source} does not fit the scenario")
    return Plan(
        periods=periods,
        status=PlanStatus(data["status"]),
        objective=float(data["objective"]),
        best_bound=float(data["best_bound"]),
        gap=math.inf if data["gap"] is None else float(data["gap"]),
        assignments=tuple(assignments),
        wall_seconds=float(data.get("wall_seconds", 0.0)),
        solver=data.get("solver", ""),
        scenario_name=data.get("scenario", ""),
        message=data.get("message", ""),
    )
