"""Deploy faults on the lab twin (root; run under ``flock /tmp/govnet-twin.lock``): FRR routers
with govnet's own confirm window, reached over the twin's real sshd with host keys verified.

One provisioned small twin per module, always torn down. Faults are real: the device's SSH port
rejected by nftables in the root namespace (a table this test owns and removes), a daemon killed
with ``govnet lab fault kill``, a device's links cut (``lab fault link-down``), a router
restarted as by a reboot (``lab fault restart``), and govnet itself SIGKILLed as a real
``govnet deploy`` process. Each test notes its trial for docs/reliability.md.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fault_record import note
from kill_support import sigkill_at
from typer.testing import CliRunner

from govnet.cli import app
from govnet.cli.deploy import lab_facts
from govnet.deploy.drivers.frr import FrrDriver
from govnet.deploy.hostkeys import TWIN_PUBLISHED, host_entry, read_known_hosts
from govnet.deploy.intended import intended_configs, scope
from govnet.deploy.lkg import pending_commits, target_state_dir
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, RunReport, deploy, recover_network
from govnet.inventory import load_network
from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.frr import pidfile, vtysh
from govnet.lab.procs import read_pidfile
from govnet.lab.state import load_state
from govnet.lab.topology import LabNode, build_topology
from govnet.lab.up import lab_up
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.platforms.base import Observed

from .lab_helpers import INVENTORY, ROOT, SMALL_TWIN, require_lab, wait_for

pytestmark = pytest.mark.integration
ACC, AGG, CORE = "kf-acc-dongfenglu-c01", "kf-agg-dongfenglu", "kf-core-1"
ROUTE = "ip route 10.250.99.0/24 blackhole\n"
FAULT_TABLE = "govnet_faulttest"


@dataclass
class Twin:
    workdir: Path
    network: Network
    target: DeployTarget
    root: Path
    """The state root (``--state-dir``); this target's state is :attr:`state` below it."""
    state: Path
    configs: dict[str, str]

    def run(self, name: str, extra: str = ROUTE) -> RunReport:
        return self.push({name: extra})

    def push(self, extras: dict[str, str], verify_timeout: float = 20.0) -> RunReport:
        """A committed rollout of each device's intended config plus its extra lines."""
        opts = DeployOptions(commit=True, state_dir=self.state, verify_timeout=verify_timeout)
        configs = {name: self.configs[name] + extra for name, extra in extras.items()}
        return deploy(self.network, configs, self.target, opts, echo=lambda _m: None)

    def status(self, name: str, config: str | None = None) -> tuple[str, str]:
        """A dry run's (status, reason): ``unchanged`` when the device runs ``config`` (default:
        the intended config)."""
        opts = DeployOptions(commit=False, state_dir=self.state)
        wanted = {name: self.configs[name] if config is None else config}
        report = deploy(self.network, wanted, self.target, opts, echo=lambda _m: None)
        return report.devices[name].status, report.devices[name].reason

    def running(self, name: str, config: str | None = None) -> str:
        return self.status(name, config)[0]

    def state_node(self, name: str) -> LabNode:
        state = load_state(self.workdir)
        assert state is not None
        return state.lab_topology().node(name)

    def peers(self, name: str) -> list[str]:
        """The devices ``name`` has a link to in the booted twin."""
        state = load_state(self.workdir)
        assert state is not None
        return sorted({lk.b if lk.a == name else lk.a for lk in state.lab_topology().links
                       if name in (lk.a, lk.b)})

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
        root = tmp_path_factory.mktemp("state")
        state = target_state_dir(root, network.settings.name, lab=True)  # where `govnet deploy` keeps it
        twin = Twin(workdir, network, target, root, state, configs)
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


def _once(monkeypatch: pytest.MonkeyPatch, method: str, device: str, fault: Callable[[], None],
          after: bool = False) -> None:
    """Inject ``fault`` once, as ``device``'s driver enters ``method`` (or returns from it)."""
    real = getattr(FrrDriver, method)
    fired = threading.Event()

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        mine = self.device == device and not fired.is_set()
        if mine:
            fired.set()
        if mine and not after:
            fault()
        out = real(self, *args, **kwargs)
        if mine and after:
            fault()
        return out

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


def _seen(device: str) -> Observed:
    """What verify would see on ``device`` now (OSPF Full, BGP Established, links up)."""
    entry = get_platform("frr")
    return entry.observe({command: vtysh(device, command) for command in entry.verify_commands})


def _back(device: str, before: Observed) -> bool:
    now = _seen(device)
    return before.ospf <= now.ospf and before.bgp <= now.bgp and before.links <= now.links


@pytest.mark.parametrize("method", ["commit_config", "residual"], ids=["before-commit", "in-window"])
def test_links_cut_mid_rollout_halt_it_and_the_device_ends_as_it_was(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, method: str
) -> None:
    peers = twin.peers(ACC)
    assert AGG in peers

    def cut() -> None:
        for peer in peers:
            faults.link_down(twin.workdir, ACC, peer, echo=lambda _m: None)

    _once(monkeypatch, method, ACC, cut)
    try:
        report = twin.push({ACC: ROUTE, AGG: ROUTE}, verify_timeout=6.0)
    finally:
        for peer in peers:
            faults.link_up(twin.workdir, ACC, peer, echo=lambda _m: None)
    acc = report.devices[ACC]
    assert report.batches[0] == [ACC], report.batches  # the canary
    assert acc.status == "rolled-back", acc.reason
    assert acc.reason.startswith("verify failed: links not up:"), acc.reason
    assert any("10.250.99.0/24" in line for line in acc.commands), acc.commands  # what it tried
    assert report.halted == "1 failure(s) reached --max-failures 1", report.halted
    assert report.devices[AGG].status == "untouched"
    assert report.by_status("changed") == []  # the report: nothing changed anywhere
    assert twin.running(ACC) == "unchanged" and twin.running(AGG) == "unchanged"  # both as they were
    assert twin.leftovers() == []
    when = "before its commit" if method == "commit_config" else "after its commit, in the confirm window"
    note(request.node.name, f"a device's links cut (lab fault link-down, every link) {when}",
         "TWIN frr (govnet-kept window)", 1, "verify found the links down and the device was rolled back "
         "(as it was); the rollout halted with the next device untouched; the report named the device "
         "rolled-back and nothing changed", 0)


def test_links_cut_after_the_confirm_keep_the_change_and_halt_the_rollout_at_the_next_device(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    peers = twin.peers(ACC)

    def cut() -> None:
        for peer in peers:
            faults.link_down(twin.workdir, ACC, peer, echo=lambda _m: None)

    _once(monkeypatch, "confirm_commit", ACC, cut, after=True)
    try:  # the plan: ACC (canary), AGG, then the core alone
        report = twin.push({ACC: ROUTE, AGG: ROUTE, CORE: ROUTE}, verify_timeout=6.0)
    finally:
        for peer in peers:
            faults.link_up(twin.workdir, ACC, peer, echo=lambda _m: None)
    acc, agg = report.devices[ACC], report.devices[AGG]
    assert acc.status == "changed", acc.reason  # confirmed before the cut: changed as intended
    assert agg.status == "rolled-back", agg.reason  # its verify expects the (now cut) link to ACC
    assert agg.reason.startswith("verify failed:") and "links not up" in agg.reason, agg.reason
    assert report.halted == "1 failure(s) reached --max-failures 1", report.halted
    assert report.devices[CORE].status == "untouched"
    assert report.by_status("changed") == [ACC]  # the report names exactly what changed
    assert twin.running(ACC, twin.configs[ACC] + ROUTE) == "unchanged"
    assert twin.running(AGG) == "unchanged" and twin.running(CORE) == "unchanged"
    assert twin.leftovers() == []
    back = twin.run(ACC, extra="")  # the intended config again, for the tests after this one
    assert back.devices[ACC].status == "changed", back.devices[ACC].reason
    note(request.node.name, "a device's links cut (lab fault link-down, every link) right after its confirm",
         "TWIN frr (govnet-kept window)", 1, "the device kept its confirmed change (changed as intended); "
         "the next device's verify saw the cut link and was rolled back (as it was); the rollout halted; "
         "the report named the one device changed", 0)


def test_a_restarting_router_resets_ssh_logins_until_it_is_up() -> None:
    """The SSH port of a restarting router resets connections (a stopped sshd), then answers again;
    other ports are untouched. Real nftables in the host namespace, a listener on loopback."""
    require_lab("nft")
    node = build_topology(load_network(INVENTORY), SMALL_TWIN).node(AGG)
    with socket.socket() as listener, socket.socket() as other:
        listener.bind(("127.0.0.1", 0))
        other.bind(("127.0.0.1", 0))
        for sock in (listener, other):
            sock.listen(4)
        node = dataclasses.replace(node, ssh_port=listener.getsockname()[1])
        with faults._ssh_closed(node):
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(listener.getsockname(), timeout=5).close()
            socket.create_connection(other.getsockname(), timeout=5).close()
        socket.create_connection(listener.getsockname(), timeout=5).close()
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, check=True).stdout
    assert faults.RESTART_TABLE not in tables


def test_a_router_restarted_in_the_confirm_window_ends_as_it_was_and_nothing_is_pending(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    before = _seen(AGG)
    seen: dict[str, bool] = {}

    def reboot() -> None:
        zebra = read_pidfile(pidfile(twin.state_node(AGG), "zebra"))
        faults.restart(twin.workdir, AGG, echo=lambda _m: None)
        seen["restarted"] = read_pidfile(pidfile(twin.state_node(AGG), "zebra")) not in (None, zebra)
        seen["change lost"] = "10.250.99.0/24" not in vtysh(AGG, "show running-config")

    _once(monkeypatch, "residual", AGG, reboot)  # after the commit, before verify and confirm
    report = twin.run(AGG)
    outcome = report.devices[AGG]
    assert seen == {"restarted": True, "change lost": True}
    assert outcome.status == "rolled-back", outcome.reason
    recovered = recover_network(twin.network, twin.target, DeployOptions(state_dir=twin.state),
                                echo=lambda _m: None)
    assert (recovered.restored, recovered.failed) == ([], {})
    assert twin.leftovers() == []
    lkg = (twin.state / f"{AGG}.lkg").read_text(encoding="utf-8")  # the state dir's documented LKG file
    assert twin.running(AGG, lkg) == "unchanged"  # runs its last known good
    assert twin.running(AGG) == "unchanged"  # which is the intended config it ran before
    assert wait_for(lambda: _back(AGG, before), 60), (before, _seen(AGG))
    note(request.node.name, "router restarted in the confirm window (lab fault restart)",
         "TWIN frr (govnet-kept window)", 1, "the restart came up with the saved config (the unconfirmed "
         f"change gone); govnet reconnected and reported it {outcome.status}; nothing pending after "
         "--recover, running config = last known good", 0)


_CHILD = """
import sys, time
from govnet.cli import main
from govnet.deploy.drivers.frr import FrrDriver

method, when, step = sys.argv[1:4]
real = getattr(FrrDriver, method)

def hold():
    print("at " + step, flush=True)
    time.sleep(600)

def wrapped(self, *args, **kwargs):
    if when == "before":
        hold()
    out = real(self, *args, **kwargs)
    hold()
    return out

setattr(FrrDriver, method, wrapped)
sys.argv = ["govnet", *sys.argv[4:]]
main()
"""
KILL_STEPS = {  # as tests/deploy/test_faults_kill.py, at the FRR driver's methods
    "before-commit": ("commit_config", "before"),
    "in-window": ("residual", "before"),
    "after-confirm": ("confirm_commit", "after"),
}


def _cli_args(twin: Twin, *args: str) -> list[str]:
    return [*args, "-i", str(INVENTORY), "--lab", "--workdir", str(twin.workdir),
            "--state-dir", str(twin.root)]


def _killed_at(twin: Twin, step: str) -> None:
    """``govnet deploy --lab --commit`` of ACC as a real process, SIGKILLed at ``step``."""
    method, when = KILL_STEPS[step]
    argv = [sys.executable, "-c", _CHILD, method, when, step,
            *_cli_args(twin, "deploy", "--commit", "--filter", f"name={ACC}", "--verify-timeout", "20")]
    sigkill_at(argv, step, {"PYTHONPATH": str(ROOT)})


def test_govnet_killed_at_each_step_then_recover_leaves_nothing_unconfirmed(
    twin: Twin, request: pytest.FixtureRequest
) -> None:
    govnet = Path(sys.executable).with_name("govnet")  # the console script
    outcomes = []
    for index, step in enumerate(KILL_STEPS):
        route = f"ip route 10.250.{100 + index}.0/24 blackhole\n"
        assert twin.run(ACC, extra=route).devices[ACC].status == "changed"  # drift the deploy removes
        was = twin.configs[ACC] + route
        _killed_at(twin, step)
        assert (twin.state / f"{twin.network.settings.name}.lock").exists(), "the dead run's lock is left"
        left = [p.device for p in pending_commits(twin.state)]
        assert left == ([] if step == "before-commit" else [ACC] if step == "in-window" else [])
        done = subprocess.run([str(govnet), *_cli_args(twin, "deploy", "--recover")], capture_output=True,
                              text=True, encoding="utf-8", timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"restored {len(left)} device(s)" in done.stdout, done.stdout
        assert twin.leftovers() == [], f"killed {step}: something unconfirmed or the lock is left"
        as_was, as_intended = twin.running(ACC, was) == "unchanged", twin.running(ACC) == "unchanged"
        assert as_was or as_intended, f"killed {step}: neither as it was nor changed as intended"
        assert as_was if step != "after-confirm" else as_intended, step
        outcomes.append(f"{step}: {'as it was' if as_was else 'changed as intended'}")
    note(request.node.name, "govnet (a real `govnet deploy --commit` process) SIGKILLed at each step, then "
         "`govnet deploy --recover`", "TWIN frr (govnet-kept window)", len(KILL_STEPS),
         "; ".join(outcomes) + "; the dead run's lock taken over, nothing pending", 0)
