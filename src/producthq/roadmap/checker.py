"""Independent feasibility checker for roadmap plans.

Written from the JSON formats alone (``docs/roadmap-optimizer.md``), deliberately sharing no
code with the optimiser, the greedy baseline or the scenario parser: it reads the raw scenario
and plan dicts and re-derives every rule, so a modelling mistake in the optimiser shows up as a
violation here rather than being repeated. Loads are compared in exact rational arithmetic
(``fractions.Fraction`` of the decimal numbers as written), so no tolerance hides an overload.

Rules checked:

* every plan entry names a scenario feature, at most once; every chosen entry has a team that
  the feature's ``effort`` lists, and ``start``/``end`` labels from ``periods``;
* ``end - start + 1`` equals the feature's ``duration`` (default 1); ``start`` is not before
  ``earliest_start``; ``end`` is not after ``deadline``;
* if a chosen feature depends on another, that one is chosen and ends strictly before it starts;
* every commitment is chosen, with the committed team and start when given;
* per team and period, the sum of ``effort / duration`` over chosen features running then is at
  most the capacity;
* ``objective`` equals the sum of the chosen features' values (the median when the value is a
  distribution), within 1e-6 relative.

Example:
    >>> scenario = {"periods": ["Q1"], "teams": [{"id": "t", "capacity": 3}],
    ...             "features": [{"id": "a", "value": 1, "effort": {"t": 4}}]}
    >>> plan = {"status": "feasible", "objective": 1, "best_bound": 1, "gap": 0,
    ...         "features": [{"id": "a", "chosen": True, "team": "t", "start": "Q1", "end": "Q1"}]}
    >>> check_plan(scenario, plan)
    ["team 't' in period 'Q1' uses 4 person-weeks but has 3"]
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any


def _exact(x: Any) -> Fraction:
    """The number as written in JSON, exactly (``0.1`` is one tenth, not a binary float)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def _value(raw: Any) -> Fraction:
    return _exact(raw["median"] if isinstance(raw, dict) else raw)


def _capacities(scenario: dict[str, Any]) -> dict[tuple[str, str], Fraction]:
    periods = scenario["periods"]
    caps: dict[tuple[str, str], Fraction] = {}
    for team in scenario["teams"]:
        cap = team["capacity"]
        values = cap if isinstance(cap, list) else [cap] * len(periods)
        for period, c in zip(periods, values, strict=False):
            caps[(team["id"], period)] = _exact(c)
    return caps


def _placed(
    scenario: dict[str, Any], plan: dict[str, Any], out: list[str]
) -> dict[str, tuple[str, int, int]]:
    """Check each plan entry on its own; return chosen ones as id -> (team, start, end)."""
    periods = list(scenario["periods"])
    features = {f["id"]: f for f in scenario["features"]}
    placed: dict[str, tuple[str, int, int]] = {}
    seen: set[str] = set()
    for entry in plan["features"]:
        fid = entry["id"]
        if fid not in features:
            out.append(f"plan names unknown feature {fid!r}")
            continue
        if fid in seen:
            out.append(f"feature {fid!r} appears more than once in the plan")
        seen.add(fid)
        if not entry["chosen"]:
            continue
        f = features[fid]
        team, start, end = entry.get("team"), entry.get("start"), entry.get("end")
        if team not in f["effort"]:
            out.append(f"feature {fid!r} is given to team {team!r}, which cannot do it")
            continue
        if start not in periods or end not in periods:
            out.append(f"feature {fid!r} has unknown start {start!r} or end {end!r}")
            continue
        s, e = periods.index(start), periods.index(end)
        duration = f.get("duration", 1)
        if e - s + 1 != duration:
            out.append(f"feature {fid!r} runs {start}..{end} but lasts {duration} period(s)")
        if "earliest_start" in f and s < periods.index(f["earliest_start"]):
            out.append(f"feature {fid!r} starts in {start!r}, before {f['earliest_start']!r}")
        if "deadline" in f and e > periods.index(f["deadline"]):
            out.append(f"feature {fid!r} ends in {end!r}, after its deadline {f['deadline']!r}")
        placed[fid] = (team, s, e)
    return placed


def _dependencies(
    features: dict[str, Any], placed: dict[str, tuple[str, int, int]], periods: list[str]
) -> list[str]:
    out = []
    for fid, (_, s, _) in placed.items():
        for dep in features[fid].get("depends_on", []):
            if dep not in placed:
                out.append(f"feature {fid!r} is chosen but {dep!r}, which it depends on, is not")
            elif placed[dep][2] >= s:
                out.append(
                    f"feature {fid!r} starts in {periods[s]!r} but {dep!r} ends in "
                    f"{periods[placed[dep][2]]!r}"
                )
    return out


def _commitments(
    scenario: dict[str, Any], placed: dict[str, tuple[str, int, int]], periods: list[str]
) -> list[str]:
    out = []
    for c in scenario.get("commitments", []):
        fid = c["feature"]
        if fid not in placed:
            out.append(f"committed feature {fid!r} is not in the plan")
            continue
        team, s, _ = placed[fid]
        if "team" in c and c["team"] != team:
            out.append(f"committed feature {fid!r} is done by {team!r}, not {c['team']!r}")
        if "start" in c and c["start"] != periods[s]:
            out.append(f"committed feature {fid!r} starts in {periods[s]!r}, not {c['start']!r}")
    return out


def _capacity(
    scenario: dict[str, Any], placed: dict[str, tuple[str, int, int]], periods: list[str]
) -> list[str]:
    features = {f["id"]: f for f in scenario["features"]}
    used: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for fid, (team, s, e) in placed.items():
        f = features[fid]
        per_period = _exact(f["effort"][team]) / f.get("duration", 1)
        for p in range(s, e + 1):
            used[(team, periods[p])] += per_period
    caps = _capacities(scenario)
    out = []
    for (team, period), amount in sorted(used.items()):
        cap = caps.get((team, period), Fraction(0))
        if amount > cap:
            out.append(
                f"team {team!r} in period {period!r} uses {float(amount):g} person-weeks "
                f"but has {float(cap):g}"
            )
    return out


def check_plan(scenario: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Return every way ``plan`` breaks ``scenario``'s rules (empty when it is feasible).

    Args:
        scenario: The scenario document (already valid against its schema).
        plan: The plan document.

    Returns:
        One message per violation.
    """
    out: list[str] = []
    periods = list(scenario["periods"])
    features = {f["id"]: f for f in scenario["features"]}
    placed = _placed(scenario, plan, out)
    out += _dependencies(features, placed, periods)
    out += _commitments(scenario, placed, periods)
    out += _capacity(scenario, placed, periods)
    total = sum((_value(features[fid]["value"]) for fid in placed), Fraction(0))
    objective = _exact(plan["objective"])
    if abs(objective - total) > Fraction(1, 10**6) * max(Fraction(1), abs(total)):
        out.append(
            f"objective is {float(objective):g} but the chosen values sum to {float(total):g}"
        )
    return out
