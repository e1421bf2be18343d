"""End to end in a real headless Chromium: the real `goldenrule serve` process, the dashboard and the
cooling page as a person sees them, with screenshots saved under test-artifacts/."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fixtures import build_ledger

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium found: install Debian's `chromium` package (.ci/run does)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, cfg, db):
    build_ledger(tmp_path / "mail", cfg, db)
    db.conn.close()
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "daemon", "serve", "--port", str(port), "--db", cfg.db_path],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("goldenrule serve did not start: " + (tmp_path / "serve.log").read_text())
            time.sleep(0.2)
    yield base
    proc.terminate()  # SIGTERM to goldenrule serve alone: Datasette must go with it
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
        except OSError:
            break
        assert time.monotonic() < deadline, "Datasette kept serving after goldenrule serve was stopped"
        time.sleep(0.2)


def browse(url: str, screenshot: Path, tmp_path: Path) -> str:
    """The page's DOM after rendering, and a screenshot of it."""
    args = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,1600"]
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(args + [f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True)
    dom = subprocess.run(args + ["--dump-dom", url], capture_output=True, text=True, timeout=120, check=True)
    return dom.stdout


def test_dashboard_and_cooling_page_in_chromium(server, tmp_path):
    dom = browse(server + "/dashboard", ARTIFACTS / "dashboard.png", tmp_path)
    assert "Your relationship ledger" in dom
    assert "important people helped in the last 90 days" in dom and "2 people in all" in dom
    assert "usually in touch every 2 weeks; silent for 2 months" in dom
    png = (ARTIFACTS / "dashboard.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000

    dom = browse(server + "/ledger/cooling", ARTIFACTS / "cooling.png", tmp_path)
    assert "Cooling relationships" in dom
    assert "alice@a.example" in dom and "silent for 2 months" in dom
    assert (ARTIFACTS / "cooling.png").read_bytes().startswith(b"\x89PNG")
