"""Deploy to the twin's edge: from a blank twin the provisioning playbook configures the firewall
pair, IPS, load balancer, VPN gateway and the data-centre pair over their SSH ports.

Boots the small twin plus the rest of the edge, blank (no ruleset, no VRRP group, no route on
the edge), once for the module under the shared lab lock (``flock /tmp/govnet-lab.lock``), and
always tears it down. Everything is asserted over real means: ``nft`` and ``ip route`` inside
the namespaces, VRRP over SNMP (VRRPv3-MIB through each namespace's snmpd), ``govnet diff``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govnet.cli import app
from govnet.cli.deploy import lab_facts
from govnet.deploy.driver import DriverTarget
from govnet.deploy.drivers.linux_edge import LinuxEdgeDriver
from govnet.deploy.intended import intended_configs, scope, select
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.playbook import PlayResult, load_playbook, run_playbook
from govnet.deploy.rollout import DeployOptions, RunReport, deploy
from govnet.inventory import load_network
from govnet.lab.credentials import read_credentials
from govnet.lab.down import lab_down
from govnet.lab.edge_access import EDGE_RUN, is_agent
from govnet.lab.frr import vtysh
from govnet.lab.keepalived import HaPairStatus, ha_pairs
from govnet.lab.up import lab_up
from govnet.model import Network
from govnet.render.linux_edge import ruleset

from .lab_helpers import (
    ACCESS,
    AGGREGATION,
    CORES,
    FIREWALL,
    INVENTORY,
    Lab,
    in_netns,
    ping_loss,
    require_lab,
    wait_for,
)

pytestmark = pytest.mark.integration

EDGE = [*FIREWALL, "kf-ips-1", "kf-lb-1", "kf-vpn-1", "kf-srv-1", "kf-srv-2"]
TWIN = CORES + AGGREGATION + ACCESS + EDGE[2:] + FIREWALL
PLAYBOOK = INVENTORY.parent / "playbooks" / "provision-district.yaml"
QUIET: dict[str, Any] = {"echo": lambda _m: None}
COUNTERS = re.compile(r"counter packets \d+ bytes \d+")
VRRP_S = 20.0


@dataclass
class EdgeTwin:
    lab: Lab
    network: Network
    target: DeployTarget
    state_dir: Path

    def node(self, name: str) -> Any:
        return self.lab.topology.node(name)

    def nft(self, device: str) -> str:
        proc = in_netns(self.node(device).netns, ["nft", "list", "ruleset"])
        assert proc.returncode == 0, proc.stderr
        return COUNTERS.sub("counter", proc.stdout)

    def play(self) -> PlayResult:
        book = load_playbook(PLAYBOOK)
        return run_playbook(book, self.network, self.target, commit=True, lab=True,
                            state_dir=self.state_dir, **QUIET)

    def deploy(self, configs: dict[str, str], **values: Any) -> RunReport:
        options = DeployOptions(**{"state_dir": self.state_dir, "verify_timeout": 30.0, **values})
        return deploy(self.network, configs, self.target, options, **QUIET)

    def configs(self, *names: str) -> dict[str, str]:
        return intended_configs(self.network, list(names), lab=True, credentials=self.target.credentials())

    def cli(self, *argv: str) -> Any:
        common = ["--lab", "--workdir", str(self.lab.workdir), "--state-dir", str(self.state_dir)]
        return CliRunner().invoke(app, [argv[0], *common, *argv[1:]])


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeTwin]:
    require_lab()
    workdir = tmp_path_factory.mktemp("edge-deploy")
    try:
        state = lab_up(INVENTORY, workdir, provisioned=False, devices=TWIN, **QUIET)
        options, booted = lab_facts(True, workdir)
        lab = Lab(workdir, state, state.lab_topology(), read_credentials(workdir))
        yield EdgeTwin(lab, scope(load_network(INVENTORY), booted), DeployTarget.from_options(options),
                       tmp_path_factory.mktemp("edge-state"))
    finally:
        lab_down(workdir, **QUIET)


def _pairs(twin: EdgeTwin) -> dict[int, HaPairStatus]:
    return {p.vrid: p for p in ha_pairs(twin.lab.topology, twin.lab.creds)}


def _one_master_each(twin: EdgeTwin) -> bool:
    pairs = _pairs(twin)
    return bool(pairs) and all(p.health == "healthy" and p.master == p.active for p in pairs.values())


def _static_routes(twin: EdgeTwin, device: str) -> str:
    proc = in_netns(twin.node(device).netns, ["ip", "route", "show", "proto", "static"])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _brief(result: PlayResult) -> str:
    return "\n".join(f"{title}: {d.device} {d.status} {d.reason}"
                     for title, report in result.reports for d in report.devices.values())


def test_blank_edge_is_provisioned_by_the_playbook(edge: EdgeTwin) -> None:
    assert edge.nft("kf-fw-1") == "" and edge.nft("kf-ips-1") == ""
    assert _static_routes(edge, "kf-ips-1") == ""
    assert not any(p.master for p in _pairs(edge).values())  # no VRRP group runs yet

    result = edge.play()

    assert result.exit_code == 0, _brief(result)
    changed = {d for _t, r in result.reports for d in r.by_status("changed")}
    assert set(EDGE) <= changed, _brief(result)
    fw_step = next(r for t, r in result.reports if t == "firewall pair")
    assert fw_step.batches == [["kf-fw-1"], ["kf-fw-2"]]  # one member of the pair at a time
    rendered = ruleset(edge.network, "kf-fw-1")
    scratch = subprocess.run(["unshare", "--net", "sh", "-c", "nft -f - && nft list ruleset"], input=rendered,
                             capture_output=True, text=True, timeout=60, check=False)
    assert scratch.returncode == 0, scratch.stderr
    assert edge.nft("kf-fw-1") == COUNTERS.sub("counter", scratch.stdout)
    policy = 'iifname @trust oifname @untrust accept comment "internet access zone: IPS -> FW -> LB"'
    assert policy in edge.nft("kf-fw-2")
    assert "default via 10.8.15.1" in _static_routes(edge, "kf-ips-1")  # the pair's virtual address
    assert wait_for(lambda: _one_master_each(edge), VRRP_S), _pairs(edge)
    assert {1, 2, 3, 10} <= set(_pairs(edge))


def test_the_vpn_gateways_leg_into_the_public_zone_after_provisioning(edge: EdgeTwin) -> None:
    """The VPN gateway's inner leg after provisioning, on real FRR and the real kernel.

    The twin's kernel has no VRF devices (docs/lab.md, Limits: ``ip link add ... type vrf`` is an
    unknown device type), so FRR keeps VRF PUBLIC inactive and exchanges no VPNv4 route there:
    core-1 learning the pool over VPNv4 from core-2 holds on gear only (its render is unit-tested).
    What holds here: core-2's FRR runs the static route to the user pool in VRF PUBLIC via the
    gateway's end of the leg, with the VPN's statics redistributed into BGP; the leg forwards; the
    gateway's kernel routes the public zone's prefixes over it."""
    network = edge.network
    pool = network.devices["kf-vpn-1"].user_pools["public"]
    vrf = network.zones["public"].vrf
    leg = network.link("kf-core-2--kf-vpn-1")
    running = vtysh("kf-core-2", "show running-config")
    assert f"\nvrf {vrf}\n" in running, running
    statics = running.split(f"\nvrf {vrf}\n", 1)[1].split("exit-vrf", 1)[0]
    assert f" ip route {pool} {leg.b_ip.ip}\n" in statics, statics
    bgp = running.split(f"router bgp {network.settings.asn} vrf {vrf}\n", 1)[1].split("\nexit\n", 1)[0]
    assert "  redistribute static\n" in bgp and "  export vpn\n" in bgp, bgp
    assert ping_loss(edge.node("kf-vpn-1").netns, str(leg.a_ip.ip), 5) == 0.0
    zone = network.zones["public"].site_pool
    assert f"{zone} via {leg.a_ip.ip}" in _static_routes(edge, "kf-vpn-1")


def test_second_run_changes_nothing(edge: EdgeTwin) -> None:
    result = edge.play()
    assert result.exit_code == 0, _brief(result)
    assert not [d for _t, r in result.reports for d in r.by_status("changed")], _brief(result)
    assert all(set(EDGE) & set(r.devices) <= set(r.by_status("unchanged")) for _t, r in result.reports)
    diff = edge.cli("diff", "--filter", "role=firewall,ips,load_balancer,vpn_gateway,server")
    assert diff.exit_code == 0, diff.output


def test_hand_added_rule_is_drift_and_the_next_deploy_removes_it(edge: EdgeTwin) -> None:
    netns = edge.node("kf-fw-1").netns
    rule = ["nft", "add", "rule", "inet", "govnet_fw", "forward", "tcp", "dport", "23", "accept"]
    added = in_netns(netns, rule)
    assert added.returncode == 0, added.stderr
    diff = edge.cli("diff", "--filter", "name=kf-fw-1")
    assert diff.exit_code == 1, diff.output
    assert "tcp dport 23 accept" in diff.output
    report = edge.deploy(edge.configs("kf-fw-1"), commit=True)
    assert report.by_status("changed") == ["kf-fw-1"], report.devices
    assert "dport 23" not in edge.nft("kf-fw-1")
    assert edge.cli("diff", "--filter", "name=kf-fw-1").exit_code == 0


def test_bad_ruleset_is_refused_with_nfts_words_and_changes_nothing(edge: EdgeTwin) -> None:
    before = edge.nft("kf-fw-2")
    config = edge.configs("kf-fw-2")["kf-fw-2"]
    bad = config.replace('counter drop comment "default drop"', 'counter dropp comment "default drop"')
    assert bad != config
    report = edge.deploy({"kf-fw-2": bad}, commit=True)
    outcome = report.devices["kf-fw-2"]
    assert outcome.status in ("failed", "rolled-back"), outcome
    assert "rejected 'nft -c'" in outcome.reason and "Error" in outcome.reason, outcome.reason
    assert edge.nft("kf-fw-2") == before
    assert wait_for(lambda: _one_master_each(edge), VRRP_S), _pairs(edge)


def test_failed_verify_rolls_the_device_back(edge: EdgeTwin) -> None:
    before = edge.nft("kf-fw-2")
    config = edge.configs("kf-fw-2")["kf-fw-2"]
    changed = config.replace('comment "default drop"', 'comment "default drop, changed"')
    netns = edge.node("kf-fw-2").netns
    upstream = edge.node("kf-fw-2").ifname("GigabitEthernet1/0/1")  # VRRP group 1's port
    assert in_netns(netns, ["ip", "link", "set", upstream, "down"]).returncode == 0
    try:  # keepalived puts the pair's groups in FAULT: verify must not pass
        report = edge.deploy({"kf-fw-2": changed}, commit=True, verify_timeout=5.0)
    finally:
        in_netns(netns, ["ip", "link", "set", upstream, "up"])
    outcome = report.devices["kf-fw-2"]
    assert outcome.status == "rolled-back", outcome
    reason = outcome.reason
    assert "verify failed" in reason and "vrrp groups not up: 1, 2, 3" in reason, reason
    assert edge.nft("kf-fw-2") == before
    assert "default drop, changed" not in before
    assert wait_for(lambda: _one_master_each(edge), VRRP_S), _pairs(edge)


def test_unconfirmed_commit_is_reverted_when_the_confirm_window_closes(edge: EdgeTwin) -> None:
    creds = edge.target.credentials()
    driver = LinuxEdgeDriver(DriverTarget(
        "kf-vpn-1", "linux", "127.0.0.1", edge.target.lab_ports["kf-vpn-1"], creds.ssh_user,
        creds.ssh_password, state_dir=edge.state_dir,
    ))
    config = edge.configs("kf-vpn-1")["kf-vpn-1"] + "10.250.0.0/16 via 10.8.15.33\n"
    driver.open()
    try:
        driver.load_replace_candidate(config)
        added = "ip route replace 10.250.0.0/16 proto static via 10.8.15.33"
        assert driver.compare_config().commands == (added,)
        driver.commit_config(revert_in=3)
        assert "10.250.0.0/16 via 10.8.15.33" in _static_routes(edge, "kf-vpn-1")
        assert driver.has_pending_commit()
        assert wait_for(lambda: "10.250.0.0/16" not in _static_routes(edge, "kf-vpn-1"), 20)
        assert wait_for(lambda: not driver.has_pending_commit(), 5)
    finally:
        driver.close()
    assert "default via 10.8.15.33" in _static_routes(edge, "kf-vpn-1")


def test_only_the_twins_edge_devices_are_deploy_targets(edge: EdgeTwin) -> None:
    assert set(EDGE) <= set(edge.target.lab_ports)
    assert select(edge.network, ["role=server"], lab=False) == []  # real servers: not govnet's
    assert select(edge.network, ["role=server"], lab=True) == ["kf-srv-1", "kf-srv-2"]


def test_down_removes_the_edge_agent_and_its_directory(edge: EdgeTwin) -> None:
    """Last on purpose: tears the twin down (the fixture's down is then a no-op)."""
    assert EDGE_RUN.is_dir() and _agents()
    assert lab_down(edge.lab.workdir, **QUIET)
    assert not EDGE_RUN.exists()
    assert not _agents()


def _agents() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if is_agent(argv):
                found.append(int(entry.name))
    return found
