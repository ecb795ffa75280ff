"""A real ProductHQ server in a subprocess, and Debian's chromium driven by Playwright.

The server is the one users run (uvicorn with the app factory, SQLite in a temporary data
folder, the in-server job worker on); the users and the workspace are made with the CLI, as an
administrator would. Nothing is downloaded: the browser is ``/usr/bin/chromium``.
"""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from tests.browser.support import (
    ADMIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    OWNER,
    PASSWORD,
    STARTUP_SECONDS,
    WORKSPACE,
    Console,
    Server,
    new_context,
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"the server did not answer /healthz in {STARTUP_SECONDS:.0f} s:\n{server.log_tail()}"
    )


def _accept_invitation(link: str, name: str) -> None:
    """Create the invited account through the invitation form (no browser needed)."""
    r = httpx.post(link, data={"name": name, "password": PASSWORD}, timeout=10)
    assert r.status_code == 303, r.text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh server with an owner and an admin of workspace ``acme``."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    root = tmp_path_factory.mktemp("server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUCTHQ_")}
    env |= {
        "PRODUCTHQ_DATA_DIR": str(root / "data"),
        "PRODUCTHQ_SECRET_KEY": "browser-test-secret-" + "x" * 32,
        "PRODUCTHQ_BASE_URL": url,
        "PRODUCTHQ_RUN_JOBS_IN_SERVER": "true",
    }
    srv = Server(url, root / "data", env, root / "server.log")
    srv.cli("init")
    srv.cli("user", "create", "--email", OWNER, "--password", PASSWORD, "--name", "Olivia Owner")
    srv.cli("workspace", "create", WORKSPACE, "--owner", OWNER, "--name", "Acme")
    printed = srv.cli("member", "invite", ADMIN, "--role", "admin", "--workspace", WORKSPACE)
    admin_link = re.search(r"http://\S+/invite/\S+", printed)
    assert admin_link, f"no invitation link in: {printed!r}"

    with srv.log.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "producthq.web.asgi:create_app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(url, proc, srv)
            _accept_invitation(admin_link.group(0), "Adam Admin")
            yield srv
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    ctx = new_context(browser, server)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext, console: Console) -> Page:
    return console.watch(context.new_page())
