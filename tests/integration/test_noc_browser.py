"""The NOC page in a real headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by
Selenium; no browser download) against the small twin polled by ``govnet monitor --lab`` every 2 s.

Boots the twin once for the module, under the twin lock
(``flock /tmp/govnet-twin.lock .venv/bin/pytest tests/integration/test_noc_browser.py``), and always
stops the browser, the monitor and the twin. Screenshots go to ``build/noc-browser/``.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.status import converged, lab_status
from govnet.lab.up import lab_up

from .lab_helpers import INVENTORY, ROOT, SMALL_TWIN, require_lab, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

INTERVAL = 2
AGG = "kf-agg-dongfenglu"
UPLINKS = "kf-uplinks-dongfenglu"
SHOTS = ROOT / "build" / "noc-browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1080",
]
QUIET: dict[str, Any] = {"echo": lambda _m: None}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@dataclass
class Wall:
    """The twin, the monitor and a browser on its page."""

    workdir: Path
    url: str
    driver: Any

    def js(self, script: str) -> Any:
        return self.driver.execute_script(script)

    def group_state(self, group: str) -> str:
        found = self.js(
            f"var t = document.querySelector('#groups .tile[data-group=\"{group}\"]');"
            "return t ? t.className : '';"
        )
        return str(found).replace("tile ", "")

    def cycle(self) -> int:
        return int(self.js("return document.body.getAttribute('data-cycle') || '0';"))

    def text(self, selector: str) -> str:
        return str(self.js(f"var e = document.querySelector('{selector}'); return e ? e.textContent : '';"))

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def _status(wall: Wall) -> subprocess.CompletedProcess[str]:
    """``govnet status`` against the running monitor."""
    argv = [str(Path(sys.executable).parent / "govnet"), "status", "--url", wall.url.rstrip("/")]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wall]:
    require_lab(CHROMIUM, CHROMEDRIVER)
    base = tmp_path_factory.mktemp("noc")
    workdir = base / "lab"
    monitor = driver = None
    try:
        lab_up(INVENTORY, workdir, provisioned=True, devices=SMALL_TWIN, **QUIET)
        assert wait_for(lambda: converged(lab_status(workdir)), 90, 2), "the twin did not converge"
        port = _port()
        with (base / "monitor.log").open("wb") as log:
            monitor = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "govnet"),
                    "monitor",
                    "--lab",
                    "--workdir",
                    str(workdir),
                    "-i",
                    str(INVENTORY),
                    "--interval",
                    str(INTERVAL),
                    "--listen",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "0.5",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        driver = _browser(Path(tempfile.mkdtemp(prefix="noc-chromium-", dir=base)))
        running = Wall(workdir, f"http://127.0.0.1:{port}/", driver)

        def loaded() -> bool:
            try:
                driver.get(running.url)
            except Exception:  # the monitor is not listening yet
                return False
            return bool(running.group_state(UPLINKS))

        assert wait_for(loaded, 30, 1), (base / "monitor.log").read_text()[-2000:]
        yield running
    finally:
        if driver is not None:
            driver.quit()
        _stop(monitor)
        lab_down(workdir, **QUIET)


def test_page_shows_every_group_healthy(wall: Wall) -> None:
    groups = {"kf-core-pair", UPLINKS, "kf-uplinks-qingshuitang", "kf-firewall-pair", "kf-upstream-pair"}

    def healthy() -> bool:
        return all(wall.group_state(g) == "s-healthy" for g in groups)

    assert wait_for(healthy, 30, 1), {g: wall.group_state(g) for g in groups}
    assert "✔ healthy" in wall.text("#status .overall")
    assert "开福区电子政务外网" in wall.text("#status h1") and "东风路街道" in wall.text("#map")
    assert "nothing down, degraded or unknown" in wall.text("#problems")
    assert "VIP 10.8.15.1 · master fw-1" in wall.text("#map")
    assert wall.shot("healthy").stat().st_size > 20_000
    assert _status(wall).returncode == 0
    polled = subprocess.run(  # no monitor asked: one poll cycle of the twin
        [
            str(Path(sys.executable).parent / "govnet"),
            "status",
            "--poll",
            "--lab",
            "--workdir",
            str(wall.workdir),
            "-i",
            str(INVENTORY),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert polled.returncode == 0, polled.stdout[-2000:] + polled.stderr
    report = json.loads(polled.stdout)
    assert report["status"] == "healthy" and report["cycle"]["answered"] == len(SMALL_TWIN)
    wall.driver.set_window_size(1366, 768)  # a laptop: one column, nothing wider than the window
    try:
        assert wait_for(
            lambda: wall.js("return document.documentElement.scrollWidth <= window.innerWidth;"), 5
        )
        wall.shot("laptop")
    finally:
        wall.driver.set_window_size(1920, 1080)


def test_link_down_shows_the_group_degraded_within_two_cycles_without_a_reload(wall: Wall) -> None:
    wall.js("window.govnetNoReload = 'same page';")
    assert wait_for(lambda: wall.cycle() > 0, INTERVAL * 4, 0.5)
    start = wall.cycle()
    faults.link_down(wall.workdir, AGG, "kf-core-1", **QUIET)
    try:
        assert wait_for(lambda: wall.group_state(UPLINKS) == "s-degraded", INTERVAL * 6, 0.3), (
            wall.group_state(UPLINKS)
        )
        assert wall.cycle() - start <= 2 + 1  # two poll cycles, plus the one in flight at the fault
        assert wall.js("return window.govnetNoReload;") == "same page"
        problems = wall.text("#problems")
        assert UPLINKS in problems and "one more failure cuts off" in problems
        assert "dongfenglu-c01" in problems  # the site at risk, named
        assert "✖ down" in wall.text(f'#map g[data-link="kf-core-1--{AGG}"]')
        wall.shot("degraded")
        status = _status(wall)
        assert status.returncode == 1 and f"▲ degraded: {UPLINKS}" in status.stdout, status.stdout
    finally:
        faults.heal(wall.workdir, **QUIET)
    assert wait_for(lambda: wall.group_state(UPLINKS) == "s-healthy", INTERVAL * 8, 0.5)
    assert "nothing down, degraded or unknown" in wall.text("#problems")


def test_killed_keepalived_shows_the_firewall_pairs_new_master(wall: Wall) -> None:
    assert wait_for(lambda: "master fw-1" in wall.text('#map g[data-segment="fw-inside"]'), 20, 0.5)
    faults.kill_daemon(wall.workdir, "kf-fw-1", "keepalived", **QUIET)
    try:
        assert wait_for(lambda: "master fw-2" in wall.text('#map g[data-segment="fw-inside"]'), 30, 0.5), (
            wall.text('#map g[data-segment="fw-inside"]')
        )
        problems = wall.text("#problems")
        assert "failed over from the configured active kf-fw-1" in problems
        assert wall.group_state("kf-firewall-pair") == "s-degraded"  # kf-fw-1 reports no VRRP state
        assert "kf-firewall-pair" in problems and "one more failure cuts off" in problems
        wall.shot("failover")
    finally:
        faults.heal(wall.workdir, **QUIET)
