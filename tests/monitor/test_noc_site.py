"""The NOC site over real HTTP (the exporter's server) from hand-made cycles of the whole district:
states, what one more failure cuts off, VRRP masters, escaping, assets, `govnet status` exit codes,
and the shared segments in `govnet inventory graph`."""

from __future__ import annotations

import dataclasses
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli import app
from govnet.inventory import load_network
from govnet.inventory.graph import build_graph
from govnet.model import Network
from govnet.monitor.exporter import make_registry, serve
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot
from govnet.monitor.web.app import NocSite
from govnet.monitor.web.summary import exit_code, format_status

ROOT = Path(__file__).resolve().parents[2]
UPLINK = "kf-core-1--kf-agg-dongfenglu"
SITE_LINK = "kf-agg-xinhe--kf-acc-xinhe-c03"


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


def _cycle(
    plan: Plan,
    n: int,
    *,
    down: set[str] = frozenset(),
    master: str = "-fw-1",
    silent: set[str] = frozenset(),  # type: ignore[assignment]
) -> Snapshot:
    devices = {}
    for dev in plan.devices:
        if dev.name in silent:
            devices[dev.name] = DeviceState(dev.name, up=False, error="timeout", last_success=1.0)
            continue
        state = DeviceState(dev.name, up=True, sys_uptime=100_000, last_success=1_800_000_000.0 + n)
        for i, end in enumerate(dev.links, start=1):
            state.interfaces[end.ifname] = InterfaceState(
                i,
                1,
                2 if end.link in down else 1,
                high_speed=1000,
                hc_in_octets=n * 1_000_000,
                hc_out_octets=n * 2_000_000,
            )
        if dev.role in ("firewall", "server"):
            vrids = (1, 2, 3) if dev.role == "firewall" else (10,)
            mine = dev.name.endswith(master if dev.role == "firewall" else "-srv-1")
            state.vendor["vrrpv3OperationsStatus"] = {f"4.{v}.1": 3 if mine else 2 for v in vrids}
        devices[dev.name] = state
    return Snapshot(
        started=1_800_000_000.0 + 10 * n, duration_s=0.2, devices=devices, complete=True, cycles_total=n
    )


class Served:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.snap = _cycle(plan, 1)
        self.site = NocSite(plan, lambda: self.snap, interval=2)
        self.server = serve(make_registry(plan, lambda: self.snap), "127.0.0.1", 0, pages=self.site.page)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as resp:
                return resp.status, resp.headers["Content-Type"], resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode()

    def state(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.get("/api/state")[2])
        return data


@pytest.fixture
def served(network: Network) -> Iterator[Served]:
    running = Served(build_plan(network, lab=True))
    try:
        yield running
    finally:
        running.server.shutdown()


def _problem(state: dict[str, object], subject: str) -> dict[str, object]:
    problems = state["problems"]
    assert isinstance(problems, list)
    return next(p for p in problems if p["subject"] == subject)


def test_healthy_district_page_map_and_metrics_beside_it(served: Served) -> None:
    status, ctype, html = served.get("/")
    assert status == 200 and ctype.startswith("text/html")
    assert "开福区电子政务外网" in html and "东风路街道" in html and "防火墙双机热备" in html
    assert html.count('data-device="') == 139 and 'data-segment="fw-inside"' in html
    assert "VIP 10.8.15.1 · master fw-1" in html  # the firewall pair's inside virtual address and its master
    assert "nothing down, degraded or unknown" in html
    assert 'src="/static/noc.js"' in html and 'src="http' not in html and 'href="http' not in html  # no CDN
    state = served.state()
    assert state["status"] == "healthy" and state["district"] == "kf"
    groups = state["groups"]
    assert isinstance(groups, list) and len(groups) == 18 and all(g["state"] == "healthy" for g in groups)
    firewall = next(g for g in groups if g["name"] == "kf-firewall-pair")["protects"]
    assert {"kf-isp-telecom", "kf-isp-unicom"} <= set(firewall["peers"])  # the exit crosses the segments
    assert {"dongfenglu-c01", "shaping-procuratorate"} <= set(firewall["sites"])
    assert served.get("/metrics")[2].startswith("# HELP")
    assert served.get("/nowhere")[0] == 404


def test_uplink_down_degrades_its_group_and_names_the_sites_one_more_failure_cuts_off(served: Served) -> None:
    assert served.state()["status"] == "healthy"  # cycle 1 seen: traffic is the difference to it
    served.snap = _cycle(served.plan, 2, down={UPLINK, SITE_LINK})
    state = served.state()
    assert state["status"] == "down"  # the access site link is not redundant
    uplinks = _problem(state, "kf-uplinks-dongfenglu")
    assert uplinks["severity"] == "degraded" and uplinks["cut_off_when"] == "next"
    assert str(uplinks["why"]).startswith(f"{UPLINK}: ")
    assert "kf-core-1 GigabitEthernet2/0/1 oper status 2" in str(uplinks["why"])
    cut = uplinks["cut_off"]
    assert isinstance(cut, dict)
    assert {"dongfenglu-c01", "dongfenglu-police", "dongfenglu-ltax"} <= set(cut["sites"])
    assert not any(s.startswith("xinhe") for s in cut["sites"])
    assert cut["departments"] == ["ltax", "police"]
    site = _problem(state, SITE_LINK)
    assert site["severity"] == "down" and site["cut_off_when"] == "now"
    assert site["cut_off"] == {"sites": ["xinhe-c03"], "departments": [], "peers": site["cut_off"]["peers"]}  # type: ignore[index]
    links = state["links"]
    assert isinstance(links, dict) and links[UPLINK]["state"] == "down"
    assert "oper down" in links[UPLINK]["why"]
    assert links["kf-core-2--kf-agg-dongfenglu"]["in_bps"] == pytest.approx(800_000.0)  # 1 MB in 10 s
    live = json.loads(served.get("/api/live?district=kf")[2])
    assert live["cycle"] == 2
    assert (
        "▲ degraded" in live["parts"]["problems"] and "one more failure cuts off" in live["parts"]["problems"]
    )
    assert f'class="link s-down k-core-aggregation" data-link="{UPLINK}"' in live["parts"]["map"]
    assert exit_code(state) == 2
    text = format_status(state, "test")
    assert "▲ degraded: kf-uplinks-dongfenglu" in text and "departments ltax, police" in text


def test_firewall_failover_shows_the_new_master_and_an_unreachable_device_is_unknown(served: Served) -> None:
    served.snap = _cycle(served.plan, 2, master="-fw-2", silent={"kf-agg-xinhe"})
    state = served.state()
    segments = {s["name"]: s for s in state["segments"]}  # type: ignore[attr-defined]
    vrrp = segments["fw-inside"]["vrrp"][0]
    assert vrrp["masters"] == ["kf-fw-2"] and vrrp["active"] == "kf-fw-1" and vrrp["failed_over"]
    assert _problem(state, "fw-outside")["severity"] == "notice"
    assert _problem(state, "kf-agg-xinhe")["severity"] == "unknown"
    assert state["status"] == "degraded" and exit_code(state) == 1
    page = served.get("/")[2]
    assert "VIP 10.8.15.1 · master fw-2" in page
    device = served.get("/device/kf-fw-2")[2]
    assert "VRID 1 VIP 10.8.15.1: master" in device and "vrrpv3OperationsStatus" in device


def test_inventory_names_are_escaped(network: Network) -> None:
    evil = "<script>alert(1)</script>"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    groups = [
        dataclasses.replace(g, title=evil) if g.name == "kf-firewall-pair" else g for g in network.groups
    ]
    hostile = dataclasses.replace(network, groups=groups, subdistrict_titles={"dongfenglu": evil})
    plan = build_plan(hostile, lab=True)
    snap = _cycle(plan, 1, down={UPLINK})
    site = NocSite(plan, lambda: snap)
    for path in ("/", "/device/kf-agg-dongfenglu"):
        page = site.page(path)
        assert page is not None
        body = page[2].decode()
        assert "<script>alert" not in body and escaped in body, path
    live = site.page("/api/live")
    assert live is not None
    parts = json.loads(live[2])["parts"]
    for name in ("map", "groups"):
        assert "<script>" not in parts[name] and escaped in parts[name], name
    assert "<script>" not in parts["problems"]
    assert json.loads(site.page("/api/state")[2])["groups"][14]["title"] == evil  # type: ignore[index]  # JSON: raw


def test_assets_ship_in_the_package_and_unknown_names_are_404(served: Served) -> None:
    status, ctype, script = served.get("/static/noc.js")
    assert status == 200 and ctype.startswith("text/javascript") and "/api/live" in script
    assert served.get("/static/noc.css")[0] == 200
    assert served.get("/static/../pyproject.toml")[0] == 404
    assert served.get("/device/kf-nope")[0] == 404
    assert served.get("/?district=%3Cb%3E")[0] == 404 and "<b>" not in served.get("/?district=%3Cb%3E")[2]


def test_status_reads_a_running_monitor_and_exits_by_the_worst_state(served: Served) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["status", "--url", served.base])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("开福区电子政务外网: ✔ healthy (from http://127.0.0.1:")
    served.snap = _cycle(served.plan, 3, down={UPLINK})
    degraded = runner.invoke(app, ["status", "--url", served.base, "-f", "json"])
    assert degraded.exit_code == 1 and json.loads(degraded.output)["status"] == "degraded"
    served.snap = _cycle(served.plan, 4, down={UPLINK, "kf-core-2--kf-agg-dongfenglu"})
    down = runner.invoke(app, ["status", "--url", served.base])
    assert down.exit_code == 2 and "✖ down: kf-uplinks-dongfenglu" in down.output


def test_province_selector_lists_every_district(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    network = load_network(generate(3, tmp_path / "province"))
    plan = build_plan(network)
    snap = _cycle(plan, 1)
    site = NocSite(plan, lambda: snap)
    assert list(site.districts) == ["d001", "d002", "d003"]
    assert len(site.districts["d002"].network.devices) == len(network.devices) // 3
    html = site.page("/?district=d002")[2].decode()  # type: ignore[index]
    status = site.state("d002")["status"]  # the USG pair without VGMP rows in this hand-made cycle
    icon = {"healthy": "✔", "degraded": "▲", "down": "✖"}[status]
    assert f'<option value="d002" selected>{icon} d002</option>' in html
    bad = sum(site.state(d)["status"] != "healthy" for d in site.districts)
    assert f"{bad} of 3 districts not healthy" in html
    assert 'data-device="d002-core-1"' in html and "d001-core-1" not in html.split("</header>")[1]


def test_graph_draws_the_shared_segments_and_virtual_addresses(network: Network) -> None:
    source = build_graph(network).source
    assert "VRRP 1 VIP 10.8.15.1 (active kf-fw-1)" in source
    for device in ("kf-fw-1", "kf-fw-2", "kf-ips-1"):
        assert f'"{device}" -- "segment_kf-fw-inside"' in source
    assert '"kf-lb-1" -- "segment_kf-fw-outside"' in source


def test_page_timestamps_are_the_cycle_start(served: Served) -> None:
    served.site.clock = lambda: served.snap.started + 7
    html = served.get("/")[2]
    assert time.strftime("%H:%M:%S", time.localtime(served.snap.started)) in html and "(7 s ago)" in html


def test_device_page_shows_the_last_config_backup_from_the_backup_repository(
    network: Network, tmp_path: Path
) -> None:
    import subprocess

    from govnet.monitor.backups import BackupTimes

    repo = tmp_path / "backups"
    repo.mkdir()
    (repo / "kf-core-1.cfg").write_text("sysname kf-core-1\n")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_COMMITTER_DATE": "1800000000 +0000",
        "GIT_AUTHOR_DATE": "1800000000 +0000",
        "PATH": "/usr/bin:/bin",
    }
    for argv in (["init", "-q"], ["add", "kf-core-1.cfg"], ["commit", "-qm", "backup"]):
        subprocess.run(["git", "-C", str(repo), *argv], check=True, env=env)
    plan = build_plan(network, lab=True)
    snap = _cycle(plan, 1)
    backups = BackupTimes(repo, frozenset(d.name for d in plan.devices))
    site = NocSite(plan, lambda: snap, backups=backups, clock=lambda: 1_800_000_000.0 + 3 * 3600)
    core = site.page("/device/kf-core-1")[2].decode()  # type: ignore[index]
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_800_000_000))
    assert f"last config backup {when} (3.0 h ago)" in core
    assert "last config backup no commit of this device" in site.page("/device/kf-core-2")[2].decode()  # type: ignore[index]


def test_api_live_names_the_cycle_its_parts_show_when_a_cycle_completes_meanwhile(network: Network) -> None:
    """A cycle that completes while ``/api/live`` is answered must not make the reply name a newer
    cycle than its tiles show (the page's ``data-cycle`` and a test counting cycles rely on it)."""
    plan = build_plan(network, lab=True)
    cycles = iter(range(1, 100))
    site = NocSite(plan, lambda: _cycle(plan, next(cycles), down={UPLINK}))
    for _ in range(3):
        live = site.page("/api/live")
        assert live is not None
        reply = json.loads(live[2])
        shown = re.search(r'data-cycle="(\d+)"', reply["parts"]["status"])
        assert shown is not None and int(shown.group(1)) == reply["cycle"]
