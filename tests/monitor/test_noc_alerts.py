"""`govnet monitor --prometheus URL`: a real Prometheus scrapes the exporter, evaluates the shipped
rules, and the NOC page shows its firing alert; a Prometheus that does not answer is said so."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.monitor.exporter import make_registry, serve
from govnet.monitor.plan import build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot
from govnet.monitor.web.app import NocSite

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "govnet" / "data" / "monitor"
TWIN = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"]
UPLINK = "kf-core-1--kf-agg-dongfenglu"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_firing_alert_from_a_real_prometheus_is_on_the_page(tmp_path: Path) -> None:
    if shutil.which("prometheus") is None:
        pytest.fail("prometheus missing (package prometheus, installed by make setup)")
    plan = build_plan(load_network(ROOT / "inventory"), devices=TWIN, lab=True)
    devices = {}
    for dev in plan.devices:
        state = DeviceState(dev.name, up=True, sys_uptime=10_000_000, last_success=time.time())
        for i, end in enumerate(dev.links, start=1):
            state.interfaces[end.ifname] = InterfaceState(
                i, 1, 2 if end.link == UPLINK else 1, high_speed=1000
            )
        devices[dev.name] = state
    snap = Snapshot(started=time.time(), duration_s=0.1, devices=devices, complete=True, cycles_total=1)
    web = _port()
    site = NocSite(plan, lambda: snap, prometheus=f"http://127.0.0.1:{web}", alerts_cache_s=0)
    server = serve(make_registry(plan, lambda: snap), "127.0.0.1", 0, pages=site.page)
    (tmp_path / "rules.yml").write_text((DATA / "rules.yml").read_text())
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\n"
        "scrape_configs:\n  - job_name: govnet\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{server.server_address[1]}']}}]\n"
    )
    prometheus = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{web}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        alerts: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            alerts, _ = site.alerts.current()  # type: ignore[union-attr]
            if any(a["name"] == "GovnetRedundancyDegraded" and a["state"] == "firing" for a in alerts):
                break
            time.sleep(0.5)
        degraded = [a for a in alerts if a["name"] == "GovnetRedundancyDegraded"]
        assert degraded and degraded[0]["labels"]["group"] == "kf-uplinks-dongfenglu", alerts  # type: ignore[index]
        page = site.page("/")
        assert page is not None
        html = page[2].decode()
        assert (
            "Prometheus alerts" in html and 'class="alert a-firing"><b>GovnetRedundancyDegraded</b>' in html
        )
        assert "Redundancy group kf-uplinks-dongfenglu lost its redundancy" in html  # its summary
        state = site.api_state("kf")
        assert (
            any(a["name"] == "GovnetRedundancyDegraded" for a in state["alerts"])
            and not state["alerts_error"]
        )
    finally:
        prometheus.send_signal(signal.SIGTERM)
        try:
            prometheus.wait(15)
        except subprocess.TimeoutExpired:
            prometheus.kill()
            prometheus.wait(5)
        server.shutdown()
    html = site.page("/")[2].decode()  # type: ignore[index]
    assert f"Prometheus at http://127.0.0.1:{web} did not answer" in html
