"""govnet monitor against the default twin, scraped by a real Prometheus evaluating the shipped rules.

Boots the default twin (36 devices) provisioned, starts `govnet monitor --lab` (2 s cycles) and
Debian's `prometheus` (scrape and evaluation every 1 s, tmp storage) on loopback ports, and
always tears all three down. Run under the lab lock:
`flock /tmp/govnet-lab.lock .venv/bin/pytest -m integration tests/integration/test_monitor.py`.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.status import converged, lab_status
from govnet.lab.up import lab_up

from .lab_helpers import INVENTORY, ROOT, require_lab, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

DATA = ROOT / "govnet" / "data" / "monitor"
INTERVAL = 2
AGG = "kf-agg-dongfenglu"
UPLINKS = "kf-uplinks-dongfenglu"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode())


@dataclass
class Stack:
    """The twin, the exporter and Prometheus."""

    workdir: Path
    metrics_url: str
    prom_url: str
    groups: list[str]
    devices: list[str]

    def metrics(self) -> str:
        return _get(self.metrics_url)

    def sample(self, name: str, **labels: str) -> float | None:
        """The value of the first series of ``name`` with ``labels`` in the exporter's output."""
        for line in self.metrics().splitlines():
            series, _, value = line.rpartition(" ")
            metric, _, rest = series.partition("{")
            if metric != name:
                continue
            got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', rest))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(value)
        return None

    def state(self, group: str) -> str | None:
        text = self.metrics()
        match = re.search(
            rf'govnet_redundancy_group_state{{group="{re.escape(group)}",state="(\w+)"}} 1\b', text
        )
        return match.group(1) if match else None

    def cycles(self) -> int:
        value = self.sample("govnet_poller_cycles_total")
        return int(value or 0)

    def query(self, promql: str) -> list[dict[str, object]]:
        url = f"{self.prom_url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        data = json.loads(_get(url))
        assert data["status"] == "success", data
        result: list[dict[str, object]] = data["data"]["result"]
        return result

    def alerts(self, name: str) -> list[dict[str, object]]:
        data = json.loads(_get(f"{self.prom_url}/api/v1/alerts"))
        return [a for a in data["data"]["alerts"] if a["labels"]["alertname"] == name]


def _start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


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
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_lab("prometheus")
    base = tmp_path_factory.mktemp("monitor")
    workdir = base / "lab"
    monitor = prometheus = None
    try:
        state = lab_up(INVENTORY, workdir, provisioned=True, echo=lambda _m: None)
        assert wait_for(lambda: converged(lab_status(workdir)), 90, 2), "the twin did not converge"
        mport, pport = _port(), _port()
        monitor = _start(
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
                f"127.0.0.1:{mport}",
                "--timeout",
                "0.5",
            ],
            base / "monitor.log",
        )
        (base / "rules.yml").write_text((DATA / "rules.yml").read_text())
        (base / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "rule_files: [rules.yml]\n"
            "scrape_configs:\n  - job_name: govnet\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{mport}']}}]\n"
        )
        prometheus = _start(
            [
                "prometheus",
                f"--config.file={base / 'prometheus.yml'}",
                f"--storage.tsdb.path={base / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{pport}",
            ],
            base / "prometheus.log",
        )
        network = load_network(INVENTORY).subset(state.lab_topology().devices)
        running = Stack(
            workdir,
            f"http://127.0.0.1:{mport}/metrics",
            f"http://127.0.0.1:{pport}",
            [g.name for g in network.groups],
            list(state.lab_topology().devices),
        )

        def ready() -> bool:
            try:
                return running.cycles() >= 1 and bool(running.query("govnet_device_up"))
            except OSError:
                return False

        assert wait_for(ready, 30, 0.5), (base / "monitor.log").read_text()[-2000:]
        yield running
    finally:
        _stop(monitor)
        _stop(prometheus)
        lab_down(workdir, echo=lambda _m: None)


def _wait_cycles(stack: Stack, count: int) -> None:
    target = stack.cycles() + count
    assert wait_for(lambda: stack.cycles() >= target, count * INTERVAL * 3 + 5, 0.2)


def test_every_group_healthy_and_every_device_polled(stack: Stack) -> None:
    assert wait_for(lambda: all(stack.state(g) == "healthy" for g in stack.groups), 30, 1), {
        g: stack.state(g) for g in stack.groups
    }
    assert {
        "kf-core-pair",
        UPLINKS,
        "kf-firewall-pair",
        "kf-isp-pair",
        "kf-upstream-pair",
        "kf-dc-pair",
    } <= set(stack.groups)
    for device in stack.devices:
        assert stack.sample("govnet_device_up", device=device) == 1, device
    text = stack.metrics()
    assert 'govnet_bgp_peer_state{device="kf-core-1",peer="kf-agg-dongfenglu"' in text
    for line in text.splitlines():
        if line.startswith(("govnet_bgp_peer_state{", "govnet_ospf_neighbor_state{")):
            assert line.endswith((" 6", " 8")), line
    info = re.search(rf'govnet_redundancy_group_info{{group="{UPLINKS}".*cut_off_sites="([^"]*)"', text)
    assert info and "dongfenglu" in info.group(1).split(","), info


def _once(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "govnet"),
            "monitor",
            "--lab",
            "--once",
            "--workdir",
            str(stack.workdir),
            "-i",
            str(INVENTORY),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_once_prints_the_health_of_every_group(stack: Stack) -> None:
    proc = _once(stack)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert (
        lines[0].startswith(f"polled {len(stack.devices)} devices")
        and f"({len(stack.devices)} answered)" in lines[0]
    )
    for group in stack.groups:
        row = next(line for line in lines if line.startswith(group + " "))
        assert row.split()[1] == "healthy", row


def test_ldp_sessions_polled_from_ldpd_over_agentx(stack: Stack) -> None:
    def operational() -> bool:
        text = stack.metrics()
        rows = [ln for ln in text.splitlines() if ln.startswith("govnet_ldp_session_state{")]
        return bool(rows) and all(ln.endswith(" 5") for ln in rows)

    assert wait_for(operational, 60, 1), [
        ln for ln in stack.metrics().splitlines() if ln.startswith("govnet_ldp_session_state{")
    ]
    assert stack.sample("govnet_ldp_session_state", device="kf-core-1", peer=AGG) == 5


def test_dashboard_queries_use_only_metrics_the_exporter_serves(stack: Stack) -> None:
    dashboard = json.loads((DATA / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    used = {name for expr in exprs for name in re.findall(r"\bgovnet_[a-z0-9_]+", expr)}
    served = {
        line.split("{")[0].split(" ")[0]
        for line in stack.metrics().splitlines()
        if line.startswith("govnet_")
    }
    assert used and used <= served, used - served


def test_uplink_down_degrades_the_group_within_two_cycles_and_alerts(stack: Stack) -> None:
    _wait_cycles(stack, 1)
    start = stack.cycles()
    faults.link_down(stack.workdir, AGG, "kf-core-1", echo=lambda _m: None)
    try:
        assert wait_for(lambda: stack.state(UPLINKS) == "degraded", INTERVAL * 6, 0.2), stack.state(UPLINKS)
        assert stack.cycles() - start <= 2
        assert stack.sample("govnet_redundancy_group_members_healthy", group=UPLINKS) == 1
        assert wait_for(lambda: bool(stack.alerts("GovnetRedundancyDegraded")), 20, 0.5)
        alert = stack.alerts("GovnetRedundancyDegraded")[0]
        assert alert["labels"]["group"] == UPLINKS and alert["state"] in ("pending", "firing")  # type: ignore[index]
        def ends_down() -> set[str]:
            down = stack.query('govnet_interface_oper_up{link="kf-core-1--kf-agg-dongfenglu"} == 0')
            return {r["metric"]["device"] for r in down}  # type: ignore[index]

        # both ends report it down (the far end's carrier may drop a cycle later)
        assert wait_for(lambda: ends_down() == {"kf-core-1", AGG}, INTERVAL * 4, 0.5), ends_down()
    finally:
        faults.heal(stack.workdir, echo=lambda _m: None)
    assert wait_for(lambda: stack.state(UPLINKS) == "healthy", INTERVAL * 6, 0.5), stack.state(UPLINKS)


def test_dead_keepalived_makes_its_firewall_down_for_the_pair_and_alerts(stack: Stack) -> None:
    """keepalived killed on kf-fw-1: its VRRP rows go with it, kf-fw-2 takes over; kf-fw-1 is down
    for kf-firewall-pair (not healthy because snmpd still answers), in --once, /metrics, the
    recording rules and an alert, and the monitor logs the change."""
    pair = "kf-firewall-pair"
    faults.kill_daemon(stack.workdir, "kf-fw-1", "keepalived", echo=lambda _m: None)
    try:
        # kf-fw-1 was master: until kf-fw-2 takes over (VRRP's master-down interval, ~3 s) no
        # member is master and the pair is down; then kf-fw-1 alone is down
        assert wait_for(lambda: stack.state(pair) == "degraded", INTERVAL * 10, 0.2), stack.state(pair)
        assert stack.sample("govnet_redundancy_member_healthy", group=pair, member="kf-fw-1") == 0
        assert stack.sample("govnet_redundancy_member_healthy", group=pair, member="kf-fw-2") == 1
        assert stack.sample("govnet_device_up", device="kf-fw-1") == 1  # the agent answers
        assert stack.sample("govnet_redundancy_member_ha_rows", group=pair, member="kf-fw-1") == 0
        assert stack.sample("govnet_redundancy_group_ha_checked", group=pair) == 1
        once = _once(stack)
        assert once.returncode == 0, once.stderr
        row = next(line for line in once.stdout.splitlines() if line.startswith(pair + " "))
        assert row.split()[1:3] == ["degraded", "1/2"] and "kf-fw-1=down" in row, row
        assert "kf-fw-1: answers SNMP but reports no VRRP/VGMP state" in row, row
        assert wait_for(
            lambda: any(a["labels"]["group"] == pair for a in stack.alerts("GovnetRedundancyDegraded")),  # type: ignore[index]
            20,
            0.5,
        )
        recorded = stack.query(f'govnet:redundancy_member_state{{group="{pair}"}}')
        assert {r["metric"]["member"]: r["value"][1] for r in recorded} == {"kf-fw-1": "0", "kf-fw-2": "1"}  # type: ignore[index]
        log = (stack.workdir.parent / "monitor.log").read_text()
        # healthy -> down (no master yet) -> degraded, or straight to degraded if kf-fw-2 took over
        # within one cycle
        became = rf"group {pair}: (healthy|down) -> degraded \(1/2 healthy\): kf-fw-1: answers SNMP"
        assert re.search(became, log), log[-2000:]
    finally:
        faults.heal(stack.workdir, echo=lambda _m: None)
    assert wait_for(lambda: stack.state(pair) == "healthy", INTERVAL * 10, 0.5), stack.state(pair)


def test_once_prints_the_cycle_as_json(stack: Stack) -> None:
    proc = _once(stack, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {g["group"]: g["state"] for g in data["groups"]} == dict.fromkeys(stack.groups, "healthy")
    pair = next(g for g in data["groups"] if g["group"] == "kf-firewall-pair")
    assert (pair["ha_checked"], pair["reason"]) == (True, "")
    devices = {d["device"]: d for d in data["devices"]}
    assert set(devices) == set(stack.devices) and all(d["up"] for d in devices.values())
    core = devices["kf-core-1"]
    assert {i["state"] for i in core["interfaces"]} == {"up"}
    uplink = next(i for i in core["interfaces"] if i["link"] == f"kf-core-1--{AGG}")
    assert (uplink["interface"], uplink["agent_name"]) == ("GigabitEthernet2/0/1", "ge2-0-1")


def test_dead_agent_makes_its_device_down_and_groups_unknown_others_polled(stack: Stack) -> None:
    faults.kill_daemon(stack.workdir, "kf-core-1", "snmpd", echo=lambda _m: None)
    try:
        assert wait_for(lambda: stack.sample("govnet_device_up", device="kf-core-1") == 0, INTERVAL * 6, 0.2)
        _wait_cycles(stack, 2)
        assert stack.state("kf-core-pair") == "unknown"
        assert stack.state("kf-upstream-pair") == "unknown"  # kf-core-1 is its only managed end
        assert stack.state(UPLINKS) == "healthy"  # the aggregation ends still answer
        cycle_start = stack.sample("govnet_poller_last_cycle_timestamp_seconds")
        assert cycle_start is not None
        for device in stack.devices:
            if device == "kf-core-1":
                continue
            assert stack.sample("govnet_device_up", device=device) == 1, device
            last = stack.sample("govnet_device_last_success_timestamp_seconds", device=device)
            assert last is not None and last >= cycle_start, device  # answered in the last cycle
        assert (stack.sample("govnet_poller_errors_total", kind="timeout") or 0) >= 1
    finally:
        faults.heal(stack.workdir, echo=lambda _m: None)
    assert wait_for(lambda: stack.sample("govnet_device_up", device="kf-core-1") == 1, INTERVAL * 8, 0.5)
    assert wait_for(lambda: stack.state("kf-core-pair") == "healthy", INTERVAL * 4, 0.5)
