"""Capture throughput on loopback, with zero loss across a SIGKILL of the server.

Starts ``producthq serve`` on 127.0.0.1 (a fresh data folder, SQLite application database,
embedded DuckDB events store), creates a workspace and a write key, then sends Segment
``batch`` calls from a few client threads for a bounded time. Midway the server is killed with
SIGKILL and started again; clients retry what was not acknowledged. At the end the loader runs
and every acknowledged message id must be in the events store exactly once.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [PY, "-m", "producthq.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-kill", action="store_true")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="phq-bench-capture-"))
    env = {**os.environ, "PRODUCTHQ_DATA_DIR": str(data), "PYTHONPATH": str(ROOT / "src")}
    for var in ("PRODUCTHQ_DATABASE_URL", "PRODUCTHQ_EVENTS_URL", "PRODUCTHQ_QUEUE_URL"):
        env.pop(var, None)
    _cli(env, "init")
    _cli(env, "user", "create", "--email", "bench@example.com", "--password", "bench password")
    _cli(env, "workspace", "create", "bench", "--owner", "bench@example.com", "--name", "Bench")
    key = _cli(env, "events", "write-key", "create", "bench", "--workspace", "bench").strip()

    port = _free_port()
    server = _serve(env, port)
    stop = threading.Event()
    url = f"http://127.0.0.1:{port}/api/v1/capture/batch"
    clients = [Client(i, url, key, args.batch, stop) for i in range(args.clients)]
    t0 = time.monotonic()
    for c in clients:
        c.start()
    kill_at = args.seconds / 2
    killed = False
    restart_seconds = 0.0
    while (elapsed := time.monotonic() - t0) < args.seconds:
        if not killed and not args.no_kill and elapsed >= kill_at:
            server.send_signal(signal.SIGKILL)
            server.wait()
            t_restart = time.monotonic()
            server = _serve(env, port)
            restart_seconds = time.monotonic() - t_restart
            killed = True
        time.sleep(0.05)
    stop.set()
    for c in clients:
        c.join()
    wall = time.monotonic() - t0
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

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
    result = {
        "clients": args.clients,
        "batch": args.batch,
        "seconds": round(wall, 2),
        "server_restart_seconds": round(restart_seconds, 2),
        "killed_with_sigkill": killed,
        "acknowledged_events": len(acked),
        "events_in_store": sum(stored.values()),
        "missing_acknowledged": len(missing),
        "stored_twice": len(doubled),
        "failed_calls_retried": sum(c.failed_calls for c in clients),
        "events_per_second": round(len(acked) / wall),
        "events_per_second_excluding_restart": round(len(acked) / sending) if sending else None,
        "final_load_seconds": round(load_seconds, 2),
        "cpu_count": os.cpu_count(),
    }
    out = ROOT / "benchmarks" / "results" / "capture.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))  # noqa: T201 - a benchmark prints its table
    if missing or doubled:
        raise SystemExit("LOSS: acknowledged events missing or stored twice")


if __name__ == "__main__":
    main()
