"""`renubu serve` in a real browser (Debian's Chromium, headless): sign in with a link, see the
queue, move its cursor with a key. The terminal is drawn on a canvas, so what is on screen is
read from screenshots: the queue's highlighted row is the one band of the highlight colour in
the queue's column."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest

from tests.cli.conftest import child_env, cli_env, db_file  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("RENUBU_REQUIRE_BROWSER") == "1"  # CI installs Chromium and needs this
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED, reason="no Chromium here (Debian: apt-get install chromium)"
)
SCREENSHOTS = (
    Path(os.environ.get("RENUBU_SCREENSHOTS", "")) if "RENUBU_SCREENSHOTS" in os.environ else None
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _renubu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "renubu_tui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def served(cli_env: dict[str, str]) -> Iterator[tuple[str, str]]:  # noqa: F811
    """A running `renubu serve` on a free port and Maya's sign-in link: (base URL, link)."""
    env = child_env(cli_env)
    port = _free_port()
    added = _renubu(env, "serve", "--port", str(port), "--add-user", "maya.patel@acmecloud.com")
    assert added.returncode == 0, added.stderr
    link = added.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "renubu_tui", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "renubu serve did not start listening"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", link.replace("localhost", "127.0.0.1")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _highlight_rows(png: bytes) -> list[int]:
    """The y of each pixel row, in the queue's column, drawn in the cursor's highlight blue."""
    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB")
    x = image.width // 8  # the queue is the left third of the screen; this is inside its rows
    rows = []
    for y in range(image.height // 6, image.height - 40):  # below Today's One Thing, above keys
        r, g, b = image.getpixel((x, y))  # type: ignore[misc]
        if b > 150 and r < 60 and 80 < g < 160:
            rows.append(y)
    return rows


def _wait_for(page, until, what: str, timeout: float = 90) -> bytes:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        shot: bytes = page.screenshot()
        if until(shot):
            return shot
        assert time.monotonic() < deadline, f"the browser never showed {what}"
        time.sleep(0.5)


def test_the_app_works_in_a_browser(served: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "RENUBU_REQUIRE_BROWSER=1 but no Chromium is installed"
    base, link = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            refused = page.goto(base)
            assert refused is not None and refused.status == 401
            page.goto(link)
            assert "token" not in page.url  # the link's secret is not left in the address bar
            first = _wait_for(page, lambda shot: bool(_highlight_rows(shot)), "the queue")
            page.focus(".xterm-helper-textarea")
            before = min(_highlight_rows(first))
            page.keyboard.press("ArrowDown")
            after = _wait_for(
                page,
                lambda shot: bool(_highlight_rows(shot)) and min(_highlight_rows(shot)) > before,
                "the cursor on the next row",
                timeout=30,
            )
            moved = min(_highlight_rows(after)) - before
            assert 10 <= moved <= 40, moved  # one row down, not a jump
            if SCREENSHOTS is not None:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                (SCREENSHOTS / "browser-queue.png").write_bytes(first)
                (SCREENSHOTS / "browser-after-down.png").write_bytes(after)
        finally:
            browser.close()
