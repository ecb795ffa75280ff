"""Benchmark: score and rank features with range inputs, vectorised vs a plain-Python loop.

Phases (each runs in its own subprocess, so ``ru_maxrss`` is that phase's peak memory):

* ``mc``: 100,000 RICE features, all four inputs ranges, 10,000 Monte Carlo draws each
  (1e9 draws per input), chunked; medians, 90 % intervals, P(top 10), tornado drivers.
* ``exact``: the same features with the exact (lognormal) method: closed-form quantiles, top-10
  probabilities from 10,000 draws of each exact score distribution.
* ``python_mc``: the same formulas in a plain-Python loop (``random.lognormvariate``, sort,
  heap per draw for the top 10) on a subsample; the time per feature is extrapolated linearly to
  100,000 features and reported as such.
* ``python_exact``: the closed-form quantiles in a plain-Python loop on a subsample, extrapolated.
* ``interactive``: 1,000 features re-ranked end to end (2,000 draws and 10,000 draws, and a
  what-if re-rank at the medians), best of 5 runs.
* ``idle``: imports only, the memory floor of a phase.

Run: ``python benchmarks/bench_scoring.py [--features N] [--draws D] [--sample S]``.
Writes ``benchmarks/results/scoring.json`` and prints a rich table.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from producthq.prioritization.scoring import Rice
from producthq.prioritization.uncertainty import Estimate, Feature, Method, simulate, what_if

RESULTS = Path(__file__).parent / "results" / "scoring.json"
TOP = 10


def make_features(n: int, seed: int = 42) -> list[Feature]:
    """RICE features whose four inputs are all ranges (90 % intervals)."""
    rng = np.random.default_rng(seed)
    reach = rng.uniform(50, 5000, n)
    impact = rng.choice([0.25, 0.5, 1.0, 2.0, 3.0], n)
    conf = rng.uniform(0.5, 0.8, n)
    effort = rng.uniform(0.5, 12, n)
    return [
        Feature(
            f"feature-{i:06d}",
            {
                "reach": Estimate.between(reach[i] * 0.5, reach[i] * 2.0),
                "impact": Estimate.between(impact[i] * 0.6, impact[i] * 1.5),
                "confidence": Estimate.between(conf[i] * 0.8, conf[i] * 1.2),
                "effort": Estimate.between(effort[i] * 0.7, effort[i] * 2.0),
            },
        )
        for i in range(n)
    ]


def _maxrss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def phase_vectorised(n: int, draws: int, method: Method) -> dict[str, Any]:
    t0 = time.perf_counter()
    features = make_features(n)
    t1 = time.perf_counter()
    ranking = simulate(Rice(), features, draws=draws, top=TOP, method=method)
    t2 = time.perf_counter()
    extra: dict[str, Any] = {}
    if method == "exact":
        # Closed-form quantiles, ranks and tornado only: top = n needs no draws.
        t3 = time.perf_counter()
        simulate(Rice(), features, top=n, method="exact")
        extra["quantiles_rank_tornado_only_s"] = time.perf_counter() - t3
    return {
        **extra,
        "loadavg_1m": os.getloadavg()[0],
        "features": n,
        "draws": draws,
        "build_s": t1 - t0,
        "score_rank_s": t2 - t1,
        "per_feature_us": (t2 - t1) / n * 1e6,
        "top3": [(f.name, round(f.median, 2), round(f.p_top, 4)) for f in ranking.features[:3]],
        "p_top_sum": sum(f.p_top for f in ranking.features),
        "maxrss_mb": _maxrss_mb(),
    }


def _python_draw(e: Estimate, rnd: random.Random, lo: float, hi: float) -> float:
    x = rnd.lognormvariate(e.loc, e.scale) if e.kind == "lognormal" else rnd.gauss(e.loc, e.scale)
    return min(max(x, lo), hi)


def _quantile(sorted_values: list[float], q: float) -> float:
    # Linear interpolation, numpy's default method.
    pos = q * (len(sorted_values) - 1)
    i = int(pos)
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (sorted_values[j] - sorted_values[i]) * (pos - i)


def phase_python_mc(sample: int, draws: int, n_total: int) -> dict[str, Any]:
    """Plain-Python Monte Carlo of the same model on ``sample`` features, extrapolated."""
    features = make_features(sample)
    rnd = random.Random(0)
    t0 = time.perf_counter()
    heaps: list[list[float]] = [[] for _ in range(draws)]  # per-draw top-N for P(top N)
    summaries = []
    for f in features:
        r, i, c, e = (f.estimates[k] for k in ("reach", "impact", "confidence", "effort"))
        scores = []
        for d in range(draws):
            s = (
                _python_draw(r, rnd, 0, math.inf)
                * _python_draw(i, rnd, 0, math.inf)
                * _python_draw(c, rnd, 0, 1.0)
                / _python_draw(e, rnd, 0, math.inf)
            )
            scores.append(s)
            heap = heaps[d]
            if len(heap) < TOP:
                heapq.heappush(heap, s)
            elif s > heap[0]:
                heapq.heapreplace(heap, s)
        scores.sort()
        summaries.append((_quantile(scores, 0.05), _quantile(scores, 0.5), _quantile(scores, 0.95)))
    elapsed = time.perf_counter() - t0
    per_feature = elapsed / sample
    return {
        "loadavg_1m": os.getloadavg()[0],
        "sample_features": sample,
        "draws": draws,
        "measured_s": elapsed,
        "per_feature_us": per_feature * 1e6,
        "extrapolated_s": per_feature * n_total,
        "note": f"measured on {sample} features, extrapolated linearly to {n_total}; the "
        "second top-N counting pass is not included, so the baseline is favoured",
        "maxrss_mb": _maxrss_mb(),
    }


def phase_python_exact(sample: int, n_total: int) -> dict[str, Any]:
    """Closed-form quantiles in a plain-Python loop, extrapolated."""
    features = make_features(sample)
    z = [NormalDist().inv_cdf(q) for q in (0.05, 0.5, 0.95)]
    t0 = time.perf_counter()
    out = []
    for f in features:
        mu = sigma2 = 0.0
        for k, p in (("reach", 1), ("impact", 1), ("confidence", 1), ("effort", -1)):
            e = f.estimates[k]
            mu += p * e.loc
            sigma2 += (p * e.scale) ** 2
        out.append([math.exp(mu + math.sqrt(sigma2) * zq) for zq in z])
    elapsed = time.perf_counter() - t0
    return {
        "loadavg_1m": os.getloadavg()[0],
        "sample_features": sample,
        "measured_s": elapsed,
        "per_feature_us": elapsed / sample * 1e6,
        "extrapolated_s": elapsed / sample * n_total,
        "note": "quantiles only (no top-N draws); extrapolated linearly",
        "maxrss_mb": _maxrss_mb(),
    }


def _best_of(fn: Any, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def phase_interactive() -> dict[str, Any]:
    features = make_features(1000, seed=7)
    rice = Rice()
    return {
        "loadavg_1m": os.getloadavg()[0],
        "features": 1000,
        "mc_2000_draws_s": _best_of(lambda: simulate(rice, features, draws=2000, top=TOP)),
        "mc_10000_draws_s": _best_of(lambda: simulate(rice, features, draws=10_000, top=TOP), 3),
        "exact_2000_draws_s": _best_of(
            lambda: simulate(rice, features, draws=2000, top=TOP, method="exact")
        ),
        "what_if_medians_s": _best_of(lambda: what_if(features, rice, rice)),
        "maxrss_mb": _maxrss_mb(),
    }


def run_phase(args: argparse.Namespace) -> dict[str, Any]:
    if args.phase == "mc":
        return phase_vectorised(args.features, args.draws, "monte_carlo")
    if args.phase == "exact":
        return phase_vectorised(args.features, args.draws, "exact")
    if args.phase == "python_mc":
        return phase_python_mc(args.sample, args.draws, args.features)
    if args.phase == "python_exact":
        return phase_python_exact(args.sample * 100, args.features)
    if args.phase == "interactive":
        return phase_interactive()
    return {"maxrss_mb": _maxrss_mb()}


PHASES = ("idle", "interactive", "python_exact", "exact", "python_mc", "mc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="features in the Python baseline")
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--only", nargs="*", choices=PHASES, default=list(PHASES))
    args = parser.parse_args()
    if args.phase:
        sys.stdout.write(json.dumps(run_phase(args)) + "\n")
        return
    console = Console()
    results: dict[str, Any] = {}
    if RESULTS.exists() and set(args.only) != set(PHASES):
        # Re-running some phases keeps the others from the last full run.
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        if (previous.get("features"), previous.get("draws")) == (args.features, args.draws):
            results.update(previous.get("phases", {}))
    for phase in args.only:
        console.print(f"[bold]running {phase}[/bold] ...")
        cmd = [sys.executable, __file__, "--phase", phase, "--features", str(args.features)]
        cmd += ["--draws", str(args.draws), "--sample", str(args.sample)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
        console.print(results[phase])
    summary = summarise(results, args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print_table(console, summary)


def summarise(results: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "features": args.features,
        "draws": args.draws,
        "phases": results,
    }
    if "mc" in results and "python_mc" in results:
        out["mc_speedup"] = results["python_mc"]["extrapolated_s"] / results["mc"]["score_rank_s"]
    if "exact" in results and "python_mc" in results:
        out["exact_vs_python_mc_speedup"] = (
            results["python_mc"]["extrapolated_s"] / results["exact"]["score_rank_s"]
        )
    if "exact" in results and "python_exact" in results:
        out["exact_quantiles_vs_python_exact_quantiles_speedup"] = (
            results["python_exact"]["extrapolated_s"]
            / results["exact"]["quantiles_rank_tornado_only_s"]
        )
    return out


def print_table(console: Console, summary: dict[str, Any]) -> None:
    phases = summary["phases"]
    table = Table(
        title=f"Scoring {summary['features']:,} RICE features, {summary['draws']:,} draws"
    )
    table.add_column("what")
    table.add_column("time", justify="right")
    table.add_column("peak RSS (MB)", justify="right")
    rows = [
        ("idle", "imports only", None),
        ("mc", "vectorised Monte Carlo, score + rank", "score_rank_s"),
        ("exact", "exact lognormal + sampled top-N", "score_rank_s"),
        ("exact", "exact quantiles + ranks + tornado, no top-N", "quantiles_rank_tornado_only_s"),
        ("python_mc", "plain-Python MC (extrapolated)", "extrapolated_s"),
        ("python_exact", "plain-Python closed form (extrapolated)", "extrapolated_s"),
    ]
    for key, label, field in rows:
        if key in phases:
            value = "" if field is None else f"{phases[key][field]:,.2f} s"
            table.add_row(label, value, f"{phases[key]['maxrss_mb']:,.0f}")
    if "interactive" in phases:
        p = phases["interactive"]
        for field, label in (
            ("mc_2000_draws_s", "1,000 features, MC 2,000 draws"),
            ("mc_10000_draws_s", "1,000 features, MC 10,000 draws"),
            ("exact_2000_draws_s", "1,000 features, exact + 2,000 draws"),
            ("what_if_medians_s", "1,000 features, what-if at medians"),
        ):
            table.add_row(label, f"{p[field] * 1000:,.1f} ms", f"{p['maxrss_mb']:,.0f}")
    console.print(table)
    for key in (
        "mc_speedup",
        "exact_vs_python_mc_speedup",
        "exact_vs_python_exact_quantiles_ratio",
    ):
        if key in summary:
            console.print(f"{key}: {summary[key]:,.1f}x")


if __name__ == "__main__":
    main()
