"""The NOC page in a real headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by
Selenium; no browser download) against the small twin polled by ``govnet monitor --lab`` every 2 s.

Boots the twin once for the module, under the twin lock
(``flock /tmp/govnet-twin.lock .venv/bin/pytest tests/integration/test_noc_browser.py``), and always
stops the browser, the monitor and the twin. Screenshots go to ``build/noc-browser/``, with the
timeline of the link-down test (``link-down.json``).

Cycle bounds are counted from the first poll cycle that starts after the fault is observable on
the device (its SNMP agent answers the interface down, asked with the poller's own client), never
from the moment the fault is injected: how long the twin's agent takes to report a cut cable is
the twin's, not the NOC page's. The page records every live update itself (a MutationObserver), so
the cycle that first showed a state does not depend on how often the test looks.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govnet.credentials import Credentials
from govnet.lab import faults
from govnet.lab.credentials import read_credentials
from govnet.lab.down import lab_down
from govnet.lab.state import load_state
from govnet.lab.status import converged, lab_status
from govnet.lab.up import lab_up
from govnet.monitor.oids import IF_ADMIN_STATUS, IF_NAME, IF_OPER_STATUS, dotted
from govnet.monitor.transport import snmp_get, snmp_walk

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
# Every live update of the page, recorded by the page: [cycle in its header, the tile's class, when (ms)].
WATCH = """
window.govnetSeen = [];
new MutationObserver(function () {
  var cycle = document.querySelector('#status .cycle');
  var tile = document.querySelector('#groups .tile[data-group="%s"]');
  var shown = cycle ? Number(cycle.getAttribute('data-cycle')) : 0;
  window.govnetSeen.push([shown, tile ? tile.className : '', Date.now()]);
}).observe(document.body, {attributes: true, attributeFilter: ['data-cycle']});
"""


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

    def poll_cycle(self) -> tuple[int, float]:
        """The monitor's last completed poll cycle and when it started (its own clock), from
        ``/api/state``."""
        with urllib.request.urlopen(f"{self.url}api/state", timeout=10) as answer:
            cycle = json.load(answer)["cycle"]
        return int(cycle["cycles_total"]), float(cycle["started"])

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


@dataclass(frozen=True)
class LinkEnd:
    """One end of a twin link as the poller reads it: the agent and the interface's ifIndex."""

    device: str
    ifname: str
    host: str
    ifindex: str


def _link_ends(wall: Wall, creds: Credentials, a: str, b: str) -> list[LinkEnd]:
    """Both ends of every link between ``a`` and ``b``, their ifIndex found by ifName as the
    poller finds it."""
    state = load_state(wall.workdir)
    assert state is not None
    topo = state.lab_topology()
    ends = []
    for link in topo.links_between(a, b):
        for device, ifname in ((link.a, link.a_ifname), (link.b, link.b_ifname)):
            mgmt = topo.node(device).mgmt_ip
            assert mgmt is not None
            names = snmp_walk(creds, str(mgmt.ip), dotted(IF_NAME))
            found = [name.rsplit(".", 1)[1] for name, value in names.items() if value == ifname]
            assert len(found) == 1, (device, ifname, names)
            ends.append(LinkEnd(device, ifname, str(mgmt.ip), found[0]))
    assert len(ends) == 2, ends
    return ends


def _agent_view(creds: Credentials, ends: list[LinkEnd]) -> dict[str, str]:
    """What each end's agent answers now: ``up`` (admin and oper up, as the poller judges an end),
    ``down``, or ``silent``."""
    view = {}
    for end in ends:
        admin, oper = (f"{dotted(column)}.{end.ifindex}" for column in (IF_ADMIN_STATUS, IF_OPER_STATUS))
        got = snmp_get(creds, end.host, admin, oper)
        state = "silent" if len(got) != 2 else "up" if got[admin] == got[oper] == "1" else "down"
        view[f"{end.device} {end.ifname}"] = state
    return view


def test_link_down_shows_the_group_degraded_within_two_cycles_without_a_reload(wall: Wall) -> None:
    """Within two poll cycles of the poller being able to see the cut, on the same page.

    ``observable`` is a lower bound of when the first end's agent began answering the end down:
    the later of the cut and the sending of the last probe both agents answered up. The first
    cycle counted is the first that started at or after it (cycles the monitor was not seen to
    start before it are counted too, so a missed sample only makes the bound stricter)."""
    creds = read_credentials(wall.workdir)
    ends = _link_ends(wall, creds, AGG, "kf-core-1")
    wall.js("window.govnetNoReload = 'same page';")
    wall.js(WATCH % UPLINKS)
    assert wait_for(lambda: bool(wall.js("return window.govnetSeen.length;")), INTERVAL * 4, 0.5)
    starts: dict[int, float] = {}  # poll cycle -> when it started, the poller's clock
    cycle, started = wall.poll_cycle()
    starts[cycle] = started
    probed = time.time()
    before = _agent_view(creds, ends)
    assert set(before.values()) == {"up"}, before
    cut = time.time()
    faults.link_down(wall.workdir, AGG, "kf-core-1", **QUIET)
    injected = time.time()
    try:
        deadline = cut + INTERVAL * 6
        observable: float | None = None
        view: dict[str, str] = {}
        while observable is None and time.time() < deadline:  # ask the agents back to back
            cycle, started = wall.poll_cycle()
            starts[cycle] = started
            sent = time.time()
            view = _agent_view(creds, ends)
            if "down" in view.values():
                observable = max(probed, cut)
            elif set(view.values()) == {"up"}:
                probed = sent
            time.sleep(0.05)
        answered = time.time()
        shown: list[list[Any]] = []
        while observable is not None and not shown and time.time() < deadline:
            cycle, started = wall.poll_cycle()
            starts[cycle] = started
            shown = [u for u in wall.js("return window.govnetSeen;") if u[1] == "tile s-degraded"]
            time.sleep(0.1)
        timeline: dict[str, Any] = {
            "cut": cut,
            "injected": injected,
            "observable": observable,
            "answered": answered,
        }
        timeline |= {"agents": view, "cycle_started": starts, "page": wall.js("return window.govnetSeen;")}
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "link-down.json").write_text(json.dumps(timeline, indent=1), encoding="utf-8")
        assert observable is not None, timeline  # the agents never answered the end down
        assert shown, timeline  # the page never showed the group degraded
        first = 1 + max(c for c, at in starts.items() if at < observable)
        assert shown[0][0] - first + 1 <= 2, timeline  # the first cycle that could see it, and the next
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
