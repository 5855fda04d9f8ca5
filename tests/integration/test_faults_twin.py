"""Deploy faults on the lab twin (root; run under ``flock /tmp/govnet-twin.lock``): FRR routers
with govnet's own confirm window, reached over the twin's real sshd with host keys verified.

One provisioned small twin per module, always torn down. Faults are real: the device's SSH port
rejected by nftables in the root namespace (a table this test owns and removes), a daemon killed
with ``govnet lab fault kill``. Each test notes its trial for docs/reliability.md.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fault_record import note
from typer.testing import CliRunner

from govnet.cli import app
from govnet.cli.deploy import lab_facts
from govnet.deploy.drivers.frr import FrrDriver
from govnet.deploy.hostkeys import TWIN_PUBLISHED, host_entry, read_known_hosts
from govnet.deploy.intended import intended_configs, scope
from govnet.deploy.lkg import pending_commits
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, RunReport, deploy, recover_network
from govnet.inventory import load_network
from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.up import lab_up
from govnet.model import Network

from .lab_helpers import INVENTORY, SMALL_TWIN, require_lab, wait_for

pytestmark = pytest.mark.integration
ACC, AGG = "kf-acc-dongfenglu-c01", "kf-agg-dongfenglu"
ROUTE = "ip route 10.250.99.0/24 blackhole\n"
FAULT_TABLE = "govnet_faulttest"


@dataclass
class Twin:
    workdir: Path
    network: Network
    target: DeployTarget
    state: Path
    configs: dict[str, str]

    def run(self, name: str, extra: str = ROUTE) -> RunReport:
        opts = DeployOptions(commit=True, state_dir=self.state, verify_timeout=20.0)
        configs = {name: self.configs[name] + extra}
        return deploy(self.network, configs, self.target, opts, echo=lambda _m: None)

    def status(self, name: str) -> tuple[str, str]:
        """A dry run's (status, reason): ``unchanged`` when the device runs the intended config."""
        opts = DeployOptions(commit=False, state_dir=self.state)
        report = deploy(self.network, {name: self.configs[name]}, self.target, opts, echo=lambda _m: None)
        return report.devices[name].status, report.devices[name].reason

    def running(self, name: str) -> str:
        return self.status(name)[0]

    def leftovers(self) -> list[str]:
        net = self.network.settings.name
        return [p.device for p in pending_commits(self.state)] + (
            ["lock"] if (self.state / f"{net}.lock").exists() else [])


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twin]:
    require_lab("nft")
    workdir = tmp_path_factory.mktemp("lab")
    try:
        lab_up(INVENTORY, workdir, provisioned=False, devices=SMALL_TWIN, echo=lambda _m: None)
        options, booted = lab_facts(True, workdir)
        target = DeployTarget.from_options(options)
        network = scope(load_network(INVENTORY), booted)
        names = [n for n in network.devices if n in target.lab_ports]
        configs = intended_configs(network, names, lab=True, credentials=target.credentials())
        twin = Twin(workdir, network, target, tmp_path_factory.mktemp("state"), configs)
        routers = {n: c for n, c in configs.items() if n not in ("kf-fw-1", "kf-fw-2")}
        opts = DeployOptions(commit=True, state_dir=twin.state, batch_size=8, verify_timeout=60.0)
        report = deploy(network, routers, target, opts, echo=lambda _m: None)
        assert not report.failed, {n: (d.status, d.reason) for n, d in report.devices.items()}
        assert wait_for(lambda: twin.running(AGG) == "unchanged", 60), twin.status(AGG)
        yield twin
    finally:
        _unblock()
        lab_down(workdir, echo=lambda _m: None)


def _nft(*args: str) -> None:
    subprocess.run(["nft", *args], check=True, capture_output=True, text=True, encoding="utf-8")


def _block(port: int) -> None:
    """The device's SSH port answers nothing but resets (new and established sessions alike)."""
    _nft("add", "table", "inet", FAULT_TABLE)
    _nft("add", "chain", "inet", FAULT_TABLE, "out", "{ type filter hook output priority 0 ; }")
    _nft("add", "rule", "inet", FAULT_TABLE, "out", "ip", "daddr", "127.0.0.1", "tcp", "dport", str(port),
         "reject", "with", "tcp", "reset")


def _unblock() -> None:
    subprocess.run(["nft", "delete", "table", "inet", FAULT_TABLE], capture_output=True, check=False)


def _once(monkeypatch: pytest.MonkeyPatch, method: str, device: str, fault: Callable[[], None]) -> None:
    real = getattr(FrrDriver, method)
    fired = threading.Event()

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.device == device and not fired.is_set():
            fired.set()
            fault()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FrrDriver, method, wrapped)


def test_the_twin_records_its_host_keys_and_lab_commands_need_no_trust_step(twin: Twin) -> None:
    recorded = read_known_hosts(twin.workdir / "known_hosts")
    ports = {host_entry("127.0.0.1", p) for p in twin.target.lab_ports.values()}
    assert ports <= {k.address for k in recorded}
    assert ports <= {k.address for k in read_known_hosts(TWIN_PUBLISHED)}
    result = CliRunner().invoke(app, ["hostkeys", "list", "--lab", "--workdir", str(twin.workdir),
                                      "--state-dir", str(twin.state)])
    assert result.exit_code == 0, result.output
    assert result.output.count("already trusted") == len(twin.target.lab_ports)


def test_ssh_port_closed_before_confirm_is_rolled_back_when_it_answers_again(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    port = twin.target.lab_ports[ACC]

    def close_port() -> None:
        _block(port)
        threading.Timer(4.0, _unblock).start()

    _once(monkeypatch, "residual", ACC, close_port)  # after the commit, before verify and confirm
    try:
        report = twin.run(ACC)
    finally:
        _unblock()
    outcome = report.devices[ACC]
    assert outcome.status == "rolled-back", outcome.reason
    assert twin.running(ACC) == "unchanged" and twin.leftovers() == []
    note(request.node.name, "SSH port closed after commit, before confirm (nftables reset), back 4 s later",
         "TWIN frr (govnet-kept window)", 1, "govnet reopened the session within the window and restored "
         "the last known good: as it was, reported rolled-back", 0)


def test_a_daemon_killed_during_verify_fails_the_push_and_nothing_stays_unconfirmed(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    _once(monkeypatch, "residual", AGG,
          lambda: faults.kill_daemon(twin.workdir, AGG, "ospfd", echo=lambda _m: None))
    report = twin.run(AGG)
    outcome = report.devices[AGG]
    assert outcome.status in ("rolled-back", "failed"), outcome.reason
    assert f"{AGG}: ospfd not running" in outcome.reason, outcome.reason
    faults.heal(twin.workdir, echo=lambda _m: None)
    recovered = recover_network(twin.network, twin.target, DeployOptions(state_dir=twin.state),
                                echo=lambda _m: None)
    assert recovered.failed == {}
    assert twin.leftovers() == []
    again = twin.run(AGG, extra="")  # the intended config, pushed again if anything is missing
    assert again.devices[AGG].status in ("changed", "unchanged"), again.devices[AGG].reason
    assert wait_for(lambda: twin.running(AGG) == "unchanged", 60)
    note(request.node.name, "ospfd killed during verify", "TWIN frr", 1,
         f"the push {outcome.status}, naming the dead daemon ({outcome.reason[:160]}...); after heal and "
         "recover nothing "
         "was pending and the device ran the intended config", 0)
