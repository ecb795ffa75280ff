"""The capture benchmark's baseline: the same web stack answering without doing the work.

FastAPI on uvicorn, one process, access log on, as ``producthq serve`` runs. The endpoint
reads and parses the JSON body and answers as capture does, but checks no write key,
validates nothing and writes nothing. Its events per second are the ceiling of one Python web
process on this machine under the same clients; capture's figure over it is the cost of the
work that makes a 200 mean "durable, valid, deduplicated".

    python -m uvicorn capture_baseline_app:app --app-dir benchmarks --port 8100
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer the benchmark's start-up probe."""
    return {"status": "ok"}


@app.post("/api/v1/capture/batch")
async def batch(request: Request) -> JSONResponse:
    """Parse a Segment batch and acknowledge every message, keeping none."""
    body = json.loads(await request.body())
    n = len(body.get("batch", []))
    return JSONResponse({"success": True, "accepted": n, "duplicates": 0, "rejected": []})
