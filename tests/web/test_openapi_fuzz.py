"""Fuzz every operation of the OpenAPI document with schemathesis: no request may get a 5xx.

The fuzzed app is built like the ``app`` fixture of ``tests/conftest.py``, on SQLite only. Requests
carry the bearer token of the owner of workspace ``acme`` and the ``ws`` path parameter is
pinned to it, so generated requests get past authentication and reach the route bodies. A
fresh token is minted for every example, because the fuzzer may revoke the one it holds.

What the fuzzer found is pinned by a deterministic test below, on both engines (the ``app``
fixture itself): out-of-range integers in paths and queries.
"""

import shutil
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_asgi
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send
from tests.factories import add_member, make_user, make_workspace

from producthq.accounts import service
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.db import make_engine, make_session_factory
from producthq.settings import Settings
from producthq.web.app import create_app

WS = "acme"
MAX_EXAMPLES = 30


@pytest.fixture
def fuzz_settings(sqlite_template: Path, tmp_path: Path) -> Settings:
    """Settings as in ``tests/conftest.py``, on a copy of the migrated SQLite template."""
    target = tmp_path / "app.db"
    shutil.copy(sqlite_template, target)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{target}",
        secret_key="test-secret-key-" + "x" * 32,
        run_jobs_in_server=False,
        base_url="http://testserver",
        login_max_attempts=5,
    )


@pytest.fixture
def fuzz_factory(fuzz_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fuzz_settings.resolved_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _make_owner(factory: sessionmaker[Session]) -> Actor:
    """The owner of workspace ``acme`` (and a second member, so member routes have a target)."""
    with factory() as s:
        owner = make_user(s)
        ws = make_workspace(s, owner, WS, "Acme")
        other = make_user(s, "member@example.com", "Member")
        add_member(s, ws, other, Role.editor)
        s.commit()
        return Actor(owner.id, owner.email, ws.id, Role.owner.value)


def _token_minter(factory: sessionmaker[Session], owner: Actor) -> Callable[[], str]:
    """Return a function that creates a fresh owner token and returns its secret."""

    def mint() -> str:
        with factory() as s:
            new = service.create_token(s, actor=owner, name="fuzz", role=Role.owner)
            s.commit()
            return new.secret

    return mint


@pytest.fixture
def mint_token(fuzz_factory: sessionmaker[Session]) -> Callable[[], str]:
    return _token_minter(fuzz_factory, _make_owner(fuzz_factory))


@pytest.fixture
def fuzz_app(fuzz_settings: Settings) -> FastAPI:
    return create_app(fuzz_settings, run_jobs=False)


class ServerErrorsAsResponses:
    """Let the 500 that Starlette already sent reach the client, and keep the traceback.

    Starlette's ``ServerErrorMiddleware`` answers 500 and then re-raises for the server to log;
    schemathesis' in-process ASGI client would turn that into an exception instead of a
    response that ``not_a_server_error`` can report with its reproduction.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.tracebacks: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if scope["type"] != "http":
                raise
            ours = [
                f
                for f in traceback.extract_tb(exc.__traceback__)
                if "producthq" in f.filename and not f.filename.endswith("web/app.py")
            ]
            self.tracebacks.append(
                "".join(traceback.format_list(ours) + traceback.format_exception_only(exc))
            )


def _fuzz_operation(
    operation: APIOperation, mint_token: Callable[[], str], statuses: set[int]
) -> None:
    """Send up to MAX_EXAMPLES valid and invalid requests to one operation."""
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        if case.path_parameters and "ws" in case.path_parameters:
            case.path_parameters["ws"] = WS
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {mint_token()}"}, checks=[not_a_server_error]
        )
        statuses.add(response.status_code)

    run()


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error(
    fuzz_app: FastAPI, mint_token: Callable[[], str]
) -> None:
    # schemathesis.pytest.from_fixture() needs Node._nodeid, which pytest 9 removed: so the
    # operations are walked here, each with its own Hypothesis run, and every failure reported.
    app = ServerErrorsAsResponses(fuzz_app)
    schema = from_asgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    statuses: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        statuses[operation.label] = set()
        app.tracebacks.clear()
        try:
            _fuzz_operation(operation, mint_token, statuses[operation.label])
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report every operation
            server_side = app.tracebacks[-1] if app.tracebacks else "(no server traceback)"
            failures[operation.label] = f"{type(exc).__name__}: {exc}\n{server_side}"
    # The token and the pinned workspace got requests past authentication into the routes.
    assert len(statuses) >= 15, sorted(statuses)
    answered_ok = [label for label, seen in statuses.items() if any(200 <= c < 300 for c in seen)]
    assert len(answered_ok) >= 10, statuses
    # Hooks and capture authenticate with their own secret (webhook secret, write key), not the
    # bearer token, so 401 is their answer.
    own_auth = ("/api/v1/hooks/", "/api/v1/capture/")
    got_401 = [
        k for k, seen in statuses.items() if 401 in seen and not any(p in k for p in own_auth)
    ]
    assert got_401 == [], statuses
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


# Integers just past a 32-bit INTEGER column (PostgreSQL ids), past SQLite's 64-bit INTEGER,
# and far past both. The fuzzer above finds these only when its random draw is that large.
OUT_OF_RANGE = (2**31, 2**63, 10**30)
VALID_BODIES = {("PATCH", "/api/v1/workspaces/{ws}/members/{member_id}"): {"role": "viewer"}}


def test_out_of_range_integers_are_refused_not_server_errors(
    app: FastAPI, factory: sessionmaker[Session]
) -> None:
    """Every integer path or query parameter, given a huge value, gets a 4xx (both engines)."""
    token = _token_minter(factory, _make_owner(factory))()
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    probed = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        spec = client.get("/api/v1/openapi.json").json()
        for path, item in spec["paths"].items():
            for method, op in item.items():
                params = op.get("parameters", [])
                for probe in (p for p in params if p.get("schema", {}).get("type") == "integer"):
                    for value in OUT_OF_RANGE:
                        filled = {
                            p["name"]: WS if p["name"] == "ws" else 1
                            for p in params
                            if p["in"] == "path"
                        }
                        query = {}
                        if probe["in"] == "path":
                            filled[probe["name"]] = value
                        else:
                            query[probe["name"]] = value
                        url = path.format(**filled)
                        body = VALID_BODIES.get((method.upper(), path))
                        r = client.request(method, url, params=query, json=body, headers=headers)
                        probed += 1
                        if r.status_code >= 500:
                            failures.append(f"{r.status_code} {method.upper()} {r.url}")
    assert probed >= 15
    assert not failures, "\n".join(failures)
