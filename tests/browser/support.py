"""What the browser tests share: the server handle, the console watcher and small helpers."""

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
OWNER = "owner@example.com"
ADMIN = "admin@example.com"
WORKSPACE = "acme"
VIEWPORT = {"width": 1280, "height": 800}
STARTUP_SECONDS = 60.0


@dataclass
class Server:
    """A running server: its base URL, data folder, environment and log file."""

    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path

    def cli(self, *args: str) -> str:
        """Run a ``producthq`` command against the server's data folder; return its stdout."""
        exe = Path(sys.executable).parent / "producthq"
        done = subprocess.run(
            [str(exe), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"producthq {' '.join(args)}: {done.stderr}{done.stdout}"
        return done.stdout

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Console:
    """Every console message of the pages of one context (CSP violations land here)."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def record(msg: ConsoleMessage) -> None:
            self.messages.append(f"{msg.type}: {msg.text}")

        page.on("console", record)
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        return page

    @property
    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith(("error", "pageerror"))]

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Refused to" in m]


def new_context(browser: Browser, server: Server) -> BrowserContext:
    """A fresh context (no cookies) at the test viewport."""
    ctx = browser.new_context(base_url=server.url, viewport=VIEWPORT, device_scale_factor=1)
    ctx.set_default_timeout(15_000)
    return ctx


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait for the workspace (or workspace list)."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda u: "/login" not in u)
