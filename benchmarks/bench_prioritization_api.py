"""Benchmark: re-ranking 1,000 workspace features through the JSON API.

Builds a fresh SQLite workspace in a temporary folder, imports N RICE features through
``POST /catalog/import`` (a third of the inputs are ranges ``low..high``), then times the
ranking route end to end (HTTP request through the ASGI app, session, queries, scoring,
serialisation) with the in-process test client:

* ``auto``: the default; the exact lognormal method with 2,000 draws for P(top 10);
* ``monte_carlo``: 2,000 Monte Carlo draws per input;
* ``what_if``: the ranking with what-if weights (effort counted twice), which also computes the
  rank moves at the medians.

Each case runs ``--repeat`` times after one warm-up; the table shows the best and the median
wall-clock time and the median CPU time of the process (all its threads) per request. On a
machine shared with other work the CPU time is the steadier figure: wall time includes waiting
for a core. Run: ``python benchmarks/bench_prioritization_api.py [--features 1000] [--repeat 7]``.
Writes ``benchmarks/results/prioritization_api.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.accounts.schemas import UserCreate, WorkspaceCreate
from producthq.audit.service import Actor
from producthq.db import unit_of_work
from producthq.migrate import upgrade
from producthq.settings import Settings
from producthq.web.app import create_app

RESULTS = Path(__file__).parent / "results" / "prioritization_api.json"


def make_csv(n: int, seed: int = 7) -> str:
    """N features with RICE inputs; about a third of the reach and effort values are ranges."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    lines = ["title,reach,impact,confidence,effort"]
    for i in range(n):
        reach = rng.randint(10, 5000)
        effort = rng.choice((0.5, 1, 2, 3, 5, 8))
        reach_text = f"{reach}..{reach * 3}" if rng.random() < 0.33 else str(reach)
        effort_text = f"{effort}..{effort * 2}@0.8" if rng.random() < 0.33 else str(effort)
        impact = rng.choice((0.25, 0.5, 1, 2, 3))
        conf = rng.choice(("50%", "80%", "100%"))
        lines.append(f"Feature {i:05d},{reach_text},{impact},{conf},{effort_text}")
    return "\n".join(lines) + "\n"


def _setup(folder: Path) -> tuple[TestClient, str]:
    os.environ["PRODUCTHQ_DATA_DIR"] = str(folder)
    settings = Settings(data_dir=folder)
    app = create_app(settings, run_jobs=False)
    ctx = app.state.ctx
    upgrade(ctx.engine)
    with unit_of_work(ctx.session_factory) as s:
        owner = accounts.create_user(
            s,
            data=UserCreate(email="bench@example.com", name="Bench", password="long password"),  # noqa: S106
        )
        ws = accounts.create_workspace(s, data=WorkspaceCreate(slug="bench", name="B"), owner=owner)
        token = accounts.create_token(
            s, actor=Actor(owner.id, owner.email, ws.id, "owner"), name="b", role=Role.owner
        ).secret
    return TestClient(app), token


def _time(
    client: TestClient, url: str, params: dict[str, Any], headers: dict[str, str], repeat: int
) -> tuple[list[float], list[float], dict[str, Any]]:
    body = client.get(url, params=params, headers=headers).json()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        r = client.get(url, params=params, headers=headers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert r.status_code == 200, r.text  # noqa: S101 - a benchmark's sanity check
        body = r.json()
    return times, cpu, body


def main() -> None:
    """Run the benchmark, print the table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON file to write.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        client, token = _setup(Path(tmp))
        h = {"Authorization": f"Bearer {token}"}
        api = "/api/v1/workspaces/bench"
        started = time.perf_counter()
        r = client.post(f"{api}/catalog/import", json={"csv": make_csv(args.features)}, headers=h)
        assert r.status_code == 200, r.text  # noqa: S101
        import_s = time.perf_counter() - started
        cases = {
            "auto (exact + 2,000 draws for P(top 10))": {"framework": "rice"},
            "monte_carlo, 2,000 draws": {"framework": "rice", "method": "monte_carlo"},
            "what-if weights (effort x2) + rank moves": {
                "framework": "rice",
                "weights": "effort=2",
            },
        }
        results: list[dict[str, Any]] = []
        for name, params in cases.items():
            times, cpu, body = _time(
                client, f"{api}/prioritization/ranking", params, h, args.repeat
            )
            results.append(
                {
                    "case": name,
                    "features": len(body["rows"]),
                    "method": body["method"],
                    "best_s": min(times),
                    "median_s": statistics.median(times),
                    "median_cpu_s": statistics.median(cpu),
                    "server_ms_last": body["elapsed_ms"],
                }
            )
    table = Table(title=f"Re-ranking {args.features} features through the API")
    for col in ("case", "features", "method", "best", "median", "median CPU", "in the service"):
        table.add_column(col)
    for row in results:
        table.add_row(
            row["case"],
            str(row["features"]),
            row["method"],
            f"{row['best_s'] * 1000:.0f} ms",
            f"{row['median_s'] * 1000:.0f} ms",
            f"{row['median_cpu_s'] * 1000:.0f} ms",
            f"{row['server_ms_last']:.0f} ms",
        )
    Console().print(table)
    Console().print(f"import of {args.features} features through the API: {import_s:.2f} s")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    args.results.write_text(
        json.dumps(
            {
                "features": args.features,
                "repeat": args.repeat,
                "import_s": import_s,
                "results": results,
                "python": platform.python_version(),
                "load_1min": load,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
