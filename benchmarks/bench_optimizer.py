"""Benchmark: the CP-SAT roadmap optimiser against the greedy baseline in the same run.

Cases: 500 candidate features, 8 teams, 4 quarters, 100 dependencies (five seeds), and 2,000
features with 400 dependencies, to show how time and gap grow. Each case is solved with a
10-second limit (the target: optimal or a proven gap of at most 1 %); the 2,000-feature case is
also given 60 seconds. Each case runs with two settings in the same run: ``old`` (CP-SAT's own
search only, ``team_search=False``: the settings before the team search) and ``new`` (the
defaults: the team-by-team search beside a full-LP CP-SAT worker). Every plan, and the greedy
one, is checked by the independent checker.

Run: ``.venv/bin/python benchmarks/bench_optimizer.py [--quick]``. Writes
``benchmarks/results/optimizer.json`` and prints a table.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from producthq.roadmap.checker import check_plan
from producthq.roadmap.greedy import greedy_plan
from producthq.roadmap.optimizer import SolveOptions, optimize
from producthq.roadmap.scenario import parse_scenario
from producthq.roadmap.synthetic import synthetic_scenario

RESULTS = Path(__file__).parent / "results" / "optimizer.json"

# (features, teams, periods, dependencies, seed, time limit in seconds, settings)
SETTINGS = {"old": SolveOptions(team_search=False), "new": SolveOptions()}
CASES = [
    *((500, 8, 4, 100, seed, 10.0, name) for seed in (1, 2, 3) for name in ("old", "new")),
    *((500, 8, 4, 100, seed, 10.0, "new") for seed in (4, 5)),
    *((2000, 8, 4, 400, 1, limit, name) for limit in (10.0, 60.0) for name in ("old", "new")),
]
QUICK = [(500, 8, 4, 100, 1, 10.0, "old"), (500, 8, 4, 100, 1, 10.0, "new")]


def run_case(
    n: int, teams: int, periods: int, deps: int, seed: int, limit: float, settings: str
) -> dict[str, Any]:
    """Solve one synthetic case with both methods and check both plans."""
    raw = synthetic_scenario(
        n_features=n,
        n_teams=teams,
        n_periods=periods,
        n_dependencies=deps,
        seed=seed,
        n_commitments=n // 100,
    )
    scenario = parse_scenario(raw)
    greedy = greedy_plan(scenario)
    first_within_1pct: list[float] = []
    started = time.monotonic()

    def progress(percent: int, message: str) -> None:
        # Messages read "plan k: value v, bound b, gap g%"; record when the gap first hits 1 %.
        if "gap " in message and not first_within_1pct:
            gap = float(message.rsplit("gap ", 1)[1].rstrip("%"))
            if gap <= 1.0:
                first_within_1pct.append(time.monotonic() - started)

    options = replace(SETTINGS[settings], time_limit=limit)
    plan = optimize(scenario, options, progress=progress)
    violations = check_plan(raw, plan.to_dict()) + check_plan(raw, greedy.to_dict())
    return {
        "features": n,
        "teams": teams,
        "periods": periods,
        "dependencies": deps,
        "commitments": n // 100,
        "seed": seed,
        "time_limit": limit,
        "settings": settings,
        "greedy_value": round(greedy.objective, 3),
        "greedy_seconds": round(greedy.wall_seconds, 3),
        "optimizer_value": round(plan.objective, 3),
        "best_bound": round(plan.best_bound, 3),
        "gap": round(plan.gap, 5),
        "status": plan.status.value,
        "optimizer_seconds": round(plan.wall_seconds, 2),
        "seconds_to_gap_1pct": round(first_within_1pct[0], 2) if first_within_1pct else None,
        "value_gain_vs_greedy": round(plan.objective / greedy.objective - 1, 5),
        "greedy_gap_to_bound": round(plan.best_bound / greedy.objective - 1, 5),
        "target_met": plan.gap <= 0.01 and plan.wall_seconds <= 10.5 if limit <= 10 else None,
        "checker_violations": len(violations),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    """Run the cases, print a table and write the JSON results."""
    cases = QUICK if "--quick" in sys.argv else CASES
    rows = [run_case(*case) for case in cases]
    load = os.getloadavg()[0]
    title = f"roadmap optimiser vs greedy (2 workers; load average {load:.1f} at the end)"
    table = Table(title=title)
    for col in (
        "features",
        "deps",
        "seed",
        "limit s",
        "settings",
        "greedy",
        "optimiser",
        "bound",
        "gap",
        "status",
        "s",
        "s to 1%",
        "gain",
        "target",
        "violations",
        "load",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            str(r["features"]),
            str(r["dependencies"]),
            str(r["seed"]),
            f"{r['time_limit']:g}",
            r["settings"],
            f"{r['greedy_value']:,.1f}",
            f"{r['optimizer_value']:,.1f}",
            f"{r['best_bound']:,.1f}",
            f"{r['gap']:.2%}",
            r["status"],
            f"{r['optimizer_seconds']:.1f}",
            "-" if r["seconds_to_gap_1pct"] is None else f"{r['seconds_to_gap_1pct']:.1f}",
            f"{r['value_gain_vs_greedy']:+.2%}",
            "-" if r["target_met"] is None else "yes" if r["target_met"] else "no",
            str(r["checker_violations"]),
            f"{r['load_average_1min']:.1f}",
        )
    Console(width=160).print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "load_average_1min_at_end": round(load, 2),
                },
                "results": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
