"""The shipped Prometheus rules, their unit tests and the scrape config, checked by promtool."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from monitor_support import healthy_snapshot

from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.monitor.exporter import make_registry, serve
from govnet.monitor.health import judge
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "govnet" / "data" / "monitor"
ALERTS = {
    "GovnetLinkDown",
    "GovnetRedundancyDegraded",
    "GovnetRedundancyDown",
    "GovnetSplitBrain",
    "GovnetBgpSessionDown",
    "GovnetOspfNeighborDown",
    "GovnetLdpSessionDown",
    "GovnetDeviceUnreachable",
    "GovnetDeviceRebooted",
    "GovnetConfigBackupStale",
    "GovnetHaStateUnchecked",
    "GovnetInterfaceNotFound",
    "GovnetCpuHigh",
    "GovnetMemoryHigh",
    "GovnetTemperatureHigh",
    "GovnetFanFault",
    "GovnetPowerFault",
    "GovnetBoardFault",
    "GovnetStackMemberLost",
}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("promtool") is None:
        pytest.fail("promtool missing (package prometheus, installed by make setup)")
    return subprocess.run(["promtool", *args], cwd=DATA, capture_output=True, text=True, timeout=120)


def test_rules_are_valid() -> None:
    proc = _promtool("check", "rules", "rules.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_unit_tests_pass() -> None:
    proc = _promtool("test", "rules", "rules_test.yml")
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-shards.yml"])
def test_scrape_config_is_valid(config: str) -> None:
    proc = _promtool("check", "config", config)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_required_alert_exists_and_is_unit_tested() -> None:
    rules = yaml.safe_load((DATA / "rules.yml").read_text())
    names = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert names >= ALERTS
    tests = yaml.safe_load((DATA / "rules_test.yml").read_text())
    tested = {t["alertname"] for case in tests["tests"] for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert tested >= ALERTS


def test_single_poller_config_keeps_every_device_and_the_shard_config_partitions() -> None:
    single = yaml.safe_load((DATA / "prometheus.yml").read_text())
    assert [j.get("metric_relabel_configs") for j in single["scrape_configs"]] == [None]
    shards = yaml.safe_load((DATA / "prometheus-shards.yml").read_text())
    jobs = shards["scrape_configs"]
    assert len(jobs) == 2
    for index, job in enumerate(jobs):
        hashmod, keep = job["metric_relabel_configs"]
        assert (hashmod["action"], hashmod["modulus"]) == ("hashmod", len(jobs))
        assert (keep["action"], keep["regex"]) == ("keep", f";.*|.+;{index}")


def test_sharded_pollers_behind_the_shipped_config_judge_every_group(tmp_path: Path) -> None:
    """Two pollers (shards 0/2 and 1/2 of the default twin) behind a real Prometheus running the
    shipped prometheus-shards.yml and rules.yml: every device is kept exactly once, a group whose
    ends fall into both shards (judged by neither poller in-process) is judged degraded by the
    recording rules when one of its links goes down, and every recorded group state equals what
    one poller of the whole twin judges in-process (kf-fw-1's keepalived gone included)."""
    if shutil.which("prometheus") is None:
        pytest.fail("prometheus missing (package prometheus, installed by make setup)")
    network = load_network(ROOT / "inventory")
    devices = select_devices(network)
    plans = [build_plan(network, devices=devices, lab=True, shard=(i, 2)) for i in range(2)]
    split = next(
        g
        for g in plans[0].network.groups
        if g.kind == "links"
        and all(g.name not in {h.group.name for h in judge(p, healthy_snapshot(p))} for p in plans)
    )
    down = split.members[0]

    def scenario(plan: Plan) -> Snapshot:
        snap = healthy_snapshot(plan, down)
        if "kf-fw-1" in snap.devices:
            snap.devices["kf-fw-1"].vendor.clear()  # keepalived gone; kf-fw-2 took over
        if "kf-fw-2" in snap.devices:
            rows = snap.devices["kf-fw-2"].vendor["vrrpOperState"]
            snap.devices["kf-fw-2"].vendor["vrrpOperState"] = dict.fromkeys(rows, 3)
        return snap

    whole = build_plan(network, devices=devices, lab=True)
    expected = {h.group.name: h.state for h in judge(whole, scenario(whole))}
    assert expected[split.name] == "degraded" and expected["kf-firewall-pair"] == "degraded"
    servers = [serve(make_registry(p, lambda p=p: scenario(p)), "127.0.0.1", 0) for p in plans]  # type: ignore[misc]
    ports = [s.server_address[1] for s in servers]
    config = (DATA / "prometheus-shards.yml").read_text().replace("127.0.0.1:9469", f"127.0.0.1:{ports[0]}")
    config = (
        config.replace("127.0.0.1:9470", f"127.0.0.1:{ports[1]}").replace("30s", "1s").replace("10s", "1s")
    )
    (tmp_path / "prometheus.yml").write_text(config)
    (tmp_path / "rules.yml").write_text((DATA / "rules.yml").read_text())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        web = sock.getsockname()[1]
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

    def query(promql: str) -> list[dict[str, Any]]:
        url = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                result: list[dict[str, Any]] = json.loads(resp.read())["data"]["result"]
                return result
        except OSError:
            return []

    try:
        deadline = time.monotonic() + 60
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            states = {
                r["metric"]["group"]: r["metric"]["state"]
                for r in query("govnet:redundancy_group_state == 1")
            }
            if states == expected:
                break  # both shards scraped and the rules evaluated over both
            time.sleep(0.5)
        assert states == expected
        assert {s for g, s in states.items() if g not in (split.name, "kf-firewall-pair")} == {"healthy"}
        up = query("govnet_device_up")
        assert sorted(r["metric"]["device"] for r in up) == sorted(devices)  # each device once
        healthy = query(f'govnet:redundancy_group_members_healthy{{group="{split.name}"}}')
        assert healthy[0]["value"][1] == "1"
    finally:
        prometheus.terminate()
        prometheus.wait(10)
        for server in servers:
            server.shutdown()
