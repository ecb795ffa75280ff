"""Capture throughput on loopback, with zero loss across a SIGKILL of the server.

Starts ``producthq serve`` on 127.0.0.1 (a fresh data folder, SQLite application database,
embedded DuckDB events store), creates a workspace and a write key, then sends Segment
``batch`` calls from a few client threads for a bounded time. Midway the server is killed with
SIGKILL and started again; clients retry what was not acknowledged. At the end the loader runs
and every acknowledged message id must be in the events store exactly once.

The baseline, in the same run and with the same clients, is ``capture_baseline_app.py``: the
same web stack (FastAPI on one uvicorn process) parsing each batch and answering without a
write-key check, validation or the durable spool. The table gives capture's events per second
over the baseline's, so the figure is comparable across runs on a shared machine.

    python benchmarks/bench_capture.py --seconds 20 --batch 500 --clients 4

Writes ``benchmarks/results/capture.json``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "-m", "producthq.cli.main", *args], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def _start(cmd: list[str], port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server process and wait until ``/healthz`` answers."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [PY, "-m", "producthq.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return _start(cmd, port, env)


class Client(threading.Thread):
    """Send batches until told to stop; remember every acknowledged message id."""

    def __init__(self, n: int, url: str, key: str, batch: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.n, self.url, self.batch, self.stop = n, url, batch, stop
        auth = base64.b64encode(f"{key}:".encode()).decode()
        self.headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}
        self.acked: list[str] = []
        self.failed_calls = 0

    def _body(self, first: int) -> tuple[bytes, list[str]]:
        # Built as text from a template: the load tool must not be the bottleneck.
        base = datetime(2026, 1, 1, tzinfo=UTC)
        ids, parts = [], []
        for seq in range(first, first + self.batch):
            mid = f"c{self.n}-{seq}"
            when = (base + timedelta(seconds=seq)).isoformat()
            ids.append(mid)
            parts.append(
                f'{{"type":"track","event":"pageview","userId":"c{self.n}-u{seq % 1000}",'
                f'"timestamp":"{when}","messageId":"{mid}","properties":{{"path":"/home","n":{seq}}}}}'
            )
        return ('{"batch":[' + ",".join(parts) + "]}").encode(), ids

    def run(self) -> None:
        seq = 0
        with httpx.Client(timeout=10) as http:
            pending: tuple[bytes, list[str]] | None = None
            while not self.stop.is_set():
                if pending is None:
                    pending = self._body(seq)
                    seq += self.batch
                try:
                    r = http.post(self.url, content=pending[0], headers=self.headers)
                except httpx.HTTPError:
                    self.failed_calls += 1
                    time.sleep(0.1)
                    continue  # not acknowledged: send the same batch again
                if r.status_code == 200:
                    self.acked.extend(pending[1])
                    pending = None
                else:
                    self.failed_calls += 1
                    time.sleep(0.1)


def _run_clients(
    url: str, key: str, args: argparse.Namespace, restart: Callable[[], float] | None
) -> tuple[list[Client], float, float]:
    """Send batches for ``args.seconds``; halfway call ``restart`` (kill and start the server).

    Returns the clients (with what each had acknowledged), the wall time and the restart time.
    """
    stop = threading.Event()
    clients = [Client(i, url, key, args.batch, stop) for i in range(args.clients)]
    t0 = time.monotonic()
    for c in clients:
        c.start()
    restart_seconds = 0.0
    restarted = False
    while (elapsed := time.monotonic() - t0) < args.seconds:
        if restart is not None and not restarted and elapsed >= args.seconds / 2:
            restart_seconds = restart()
            restarted = True
        time.sleep(0.05)
    stop.set()
    for c in clients:
        c.join()
    return clients, time.monotonic() - t0, restart_seconds


def _baseline(args: argparse.Namespace) -> tuple[int, float]:
    """Run the same clients against the parse-only baseline app; return (acked, seconds)."""
    port = _free_port()
    cmd = [PY, "-m", "uvicorn", "capture_baseline_app:app", "--app-dir", str(ROOT / "benchmarks")]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
    server = _start(cmd, port)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/capture/batch"
        clients, wall, _ = _run_clients(url, "baseline", args, None)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return sum(len(c.acked) for c in clients), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-kill", action="store_true")
    args = parser.parse_args()

    baseline_acked, baseline_wall = _baseline(args)

    data = Path(tempfile.mkdtemp(prefix="phq-bench-capture-"))
    env = {**os.environ, "PRODUCTHQ_DATA_DIR": str(data), "PYTHONPATH": str(ROOT / "src")}
    for var in ("PRODUCTHQ_DATABASE_URL", "PRODUCTHQ_EVENTS_URL", "PRODUCTHQ_QUEUE_URL"):
        env.pop(var, None)
    _cli(env, "init")
    _cli(env, "user", "create", "--email", "bench@example.com", "--password", "bench password")
    _cli(env, "workspace", "create", "bench", "--owner", "bench@example.com", "--name", "Bench")
    key = _cli(env, "events", "write-key", "create", "bench", "--workspace", "bench").strip()

    port = _free_port()
    servers = [_serve(env, port)]

    def restart() -> float:
        servers[-1].send_signal(signal.SIGKILL)
        servers[-1].wait()
        t_restart = time.monotonic()
        servers.append(_serve(env, port))
        return time.monotonic() - t_restart

    url = f"http://127.0.0.1:{port}/api/v1/capture/batch"
    clients, wall, restart_seconds = _run_clients(url, key, args, None if args.no_kill else restart)
    servers[-1].send_signal(signal.SIGTERM)
    servers[-1].wait(timeout=30)

    acked = [m for c in clients for m in c.acked]
    t_load = time.monotonic()
    _cli(env, "events", "load")
    load_seconds = time.monotonic() - t_load
    con = duckdb.connect(str(data / "events.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT message_id, count(*) AS n FROM events GROUP BY message_id"
    ).fetchall()
    con.close()
    stored = dict(rows)
    missing = [m for m in acked if m not in stored]
    doubled = [m for m, n in stored.items() if n > 1]
    sending = wall - restart_seconds
    baseline_rate = baseline_acked / baseline_wall
    up_rate = len(acked) / sending if sending else None
    result = {
        "clients": args.clients,
        "batch": args.batch,
        "seconds": round(wall, 2),
        "server_restart_seconds": round(restart_seconds, 2),
        "killed_with_sigkill": not args.no_kill,
        "acknowledged_events": len(acked),
        "events_in_store": sum(stored.values()),
        "missing_acknowledged": len(missing),
        "stored_twice": len(doubled),
        "failed_calls_retried": sum(c.failed_calls for c in clients),
        "events_per_second": round(len(acked) / wall),
        "events_per_second_excluding_restart": round(up_rate) if up_rate else None,
        "baseline_events_per_second": round(baseline_rate),
        "ours_over_baseline": round(up_rate / baseline_rate, 3) if up_rate else None,
        "final_load_seconds": round(load_seconds, 2),
        "cpu_count": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    out = ROOT / "benchmarks" / "results" / "capture.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    _print_table(result)
    if missing or doubled:
        raise SystemExit("LOSS: acknowledged events missing or stored twice")


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("server", "events/s", "over baseline", "acknowledged", "missing", "twice")
    base = result["baseline_events_per_second"]
    table.add_row("baseline: parse only, nothing kept", f"{base:,}", "1.00", "-", "-", "-")
    up = result["events_per_second_excluding_restart"]
    ratio = result["ours_over_baseline"]
    table.add_row(
        "ProductHQ capture, while up",
        f"{up:,}" if up else "-",
        f"{ratio:.2f}" if ratio else "-",
        f"{result['acknowledged_events']:,}",
        str(result["missing_acknowledged"]),
        str(result["stored_twice"]),
    )
    whole = result["events_per_second"]
    table.add_row(
        f"ProductHQ, whole run ({result['server_restart_seconds']} s restart)",
        f"{whole:,}",
        f"{whole / base:.2f}",
        "",
        "",
        "",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
