"""Deploy fault injection against EMULATED Huawei/H3C devices (tests/emulation; not real gear).

The real rollout (``deploy``, ``recover_network``), Nornir, connection plugin, tasks and drivers
run over SSH; the faults are the emulated device's: its SSH port closed and sessions dropped
(unreachable), its session dropped after N configuration lines (a partial config in immediate
mode), its reply lost after a confirm. Each test asserts what every device ends with (changed as
intended or as it was), what the report says, that no pending commit or lock is left, and notes
the trial for docs/reliability.md (``make faults``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from emulation import (
    PASSWORD,
    USERNAME,
    ComwareDevice,
    EmulatedDevice,
    EmulatedNetwork,
    Vrp5Device,
    Vrp8Device,
    emulated_network,
    flash_dir,
)
from fault_record import note

from govnet.deploy.drivers import cli as cli_driver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.cli import CliDriver
from govnet.deploy.lkg import pending_commits
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, RunReport, deploy, recover_network
from govnet.model import Network

CORE1, CORE2 = "kf-core-1", "kf-core-2"
AGG_VRP5, AGG_COMWARE = "kf-agg-dongfenglu", "kf-agg-laodaohe"
NET = "kaifu-extranet"

CE_BASE = """\
!Software Version V200R020C10SPC600
#
sysname {name}
#
vlan batch 10 20
#
interface MEth0/0/0
 ip address 10.240.0.9 255.252.0.0
#
stelnet server enable
ssh user netadmin
ssh user netadmin service-type stelnet
#
return
"""
VRP5_BASE = """\
!Software Version V200R019C10SPC500
#
sysname kf-agg-dongfenglu
#
vlan batch 100 211 300
#
interface Vlanif211
 description police zone
 ip address 192.168.0.1 255.255.255.252
#
interface MEth0/0/1
 description out-of-band management
 ip address 127.0.0.1 255.0.0.0
#
stelnet server enable
ssh user netadmin
ssh user netadmin service-type stelnet
#
return
"""
VRP5_CHANGE = """\
vlan batch 400
#
interface Vlanif400
 description fault drill
 ip address 192.168.4.1 255.255.255.0
#
interface Vlanif211
 description police zone gateway
#
"""
COMWARE_BASE = """\
 version 7.1.070, Release 7585P05
#
sysname kf-agg-laodaohe
#
archive configuration location flash:/archive filename-prefix govnet
#
interface GigabitEthernet1/0/1
 port link-mode route
 description to kf-core-1
 mtu 1500
 ip address 10.8.0.126 255.255.255.252
#
interface M-GigabitEthernet0/0/0
 ip address 10.240.0.76 255.252.0.0
#
ssh server enable
#
local-user netadmin class manage
 service-type ssh
 authorization-attribute user-role network-admin
#
line vty 0 63
 authentication-mode scheme
 protocol inbound ssh
#
return
"""
COMWARE_CHANGE = """\
vlan 400
#
interface GigabitEthernet1/0/1
 description to kf-core-1 (fault drill)
 mtu 9000
#
interface Vlan-interface400
 ip address 192.168.4.1 255.255.255.0
#
"""


@dataclasses.dataclass
class Fleet:
    """Emulated devices standing in for inventory devices, and how a rollout reaches them."""

    model: Network
    target: DeployTarget
    devices: dict[str, EmulatedDevice]
    net: EmulatedNetwork
    state: Path

    def lines(self, name: str) -> list[str]:
        return self.devices[name].running.lines()

    def run(self, configs: dict[str, str], **options: Any) -> RunReport:
        opts = DeployOptions(commit=True, replace=False, state_dir=self.state, verify_timeout=0.0, **options)
        return deploy(self.model, configs, self.target, opts, echo=lambda _line: None)

    def dry_run(self, name: str, config: str) -> str:
        """The status a dry run gives ``name`` for ``config`` (``unchanged``: the device runs it)."""
        opts = DeployOptions(commit=False, replace=False, state_dir=self.state)
        report = deploy(self.model, {name: config}, self.target, opts, echo=lambda _line: None)
        return report.devices[name].status

    def recover(self) -> list[str]:
        recovery = recover_network(self.model, self.target, DeployOptions(state_dir=self.state),
                                   echo=lambda _line: None)
        assert recovery.failed == {}
        return recovery.restored

    def leftovers(self) -> list[str]:
        """Pending commits and the lock a run left (none, when every device ended settled)."""
        found = [p.device for p in pending_commits(self.state)]
        return found + (["lock"] if (self.state / f"{NET}.lock").exists() else [])


PLATFORMS: dict[str, tuple[str, type[EmulatedDevice], str]] = {
    CORE1: ("huawei_vrpv8", Vrp8Device, CE_BASE.format(name=CORE1)),
    CORE2: ("huawei_vrpv8", Vrp8Device, CE_BASE.format(name=CORE2)),
    AGG_VRP5: ("huawei_vrp", Vrp5Device, VRP5_BASE),
    AGG_COMWARE: ("h3c_comware", ComwareDevice, COMWARE_BASE),
}


@pytest.fixture
def fleet(network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    monkeypatch.setenv("GOVNET_SSH_USER", USERNAME)
    monkeypatch.setenv("GOVNET_SSH_PASSWORD", PASSWORD)
    monkeypatch.setattr(cli_driver, "REOPEN_S", 0.2)
    monkeypatch.setattr(cli_driver, "REOPEN_FOR_S", 2.0)  # an unreachable device: give up soon
    devices = dict(network.devices)
    for name, (platform, _cls, _base) in PLATFORMS.items():
        devices[name] = dataclasses.replace(devices[name], lab_platform=platform)
    model = dataclasses.replace(network, devices=devices)
    with emulated_network() as net:
        emulated = {name: net.add(cls(name, base, flash_dir(tmp_path, name), time_scale=0.02))
                    for name, (_p, cls, base) in PLATFORMS.items()}
        target = DeployTarget(lab=True, lab_ports={n: d.port for n, d in emulated.items()})
        yield Fleet(model, target, emulated, net, tmp_path / "state")


def _patch_once(monkeypatch: pytest.MonkeyPatch, cls: type, method: str,
                fault: Callable[[Any], None], device: str) -> None:
    """Run ``fault(driver)`` the first time ``method`` is called on ``device``'s driver, then the
    real method."""
    real = getattr(cls, method)
    fired = threading.Event()

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.device == device and not fired.is_set():
            fired.set()
            fault(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, wrapped)


# -- a session dropped in the middle of the lines (immediate mode: a partial config) -----------


@pytest.mark.parametrize("name", [AGG_VRP5, AGG_COMWARE], ids=["vrp5", "comware"])
def test_a_session_dropped_after_each_line_is_rolled_back_to_the_config_before(
    fleet: Fleet, name: str, request: pytest.FixtureRequest
) -> None:
    change = VRP5_CHANGE if name == AGG_VRP5 else COMWARE_CHANGE
    before = fleet.lines(name)
    device = fleet.devices[name]
    tries, partial = 0, 0
    for cut in range(0, 12):
        device.drop_after = cut
        log_start = len(device.log)
        report = fleet.run({name: change})
        if device.drop_after is not None:  # the change had fewer lines than ``cut``: done
            device.drop_after = None
            assert report.devices[name].status == "changed"
            break
        tries += 1
        partial += cut > 0
        outcome = report.devices[name]
        assert outcome.status == "rolled-back", outcome.reason
        assert fleet.lines(name) == before, f"drop after {cut} line(s): {device.log[log_start:]}"
        assert fleet.leftovers() == []
    assert tries >= 4 and partial >= 3
    changed = fleet.lines(name)
    assert changed != before and fleet.leftovers() == []
    note(request.node.name, "SSH session drops after N config lines (immediate mode: partial config)",
         f"EMULATED {PLATFORMS[name][0]}", tries,
         "each partial config rolled back in the same run (rolled-back, rollout halted); the run "
         "after the last drop changed the device as intended", 0)


def test_a_partial_config_left_by_an_unreachable_device_is_restored_by_the_next_run(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = AGG_VRP5
    device = fleet.devices[name]
    before = fleet.lines(name)
    device.drop_after = 2
    # the device drops the session after two lines and stays unreachable for the rollback
    _patch_once(monkeypatch, CliDriver, "_reopen", lambda _d: fleet.net.cut(device), name)
    report = fleet.run({name: VRP5_CHANGE})
    outcome = report.devices[name]
    assert outcome.status == "failed" and "ROLLBACK FAILED" in outcome.reason, outcome.reason
    assert "pending commit kept for --recover" in outcome.reason
    partial = fleet.lines(name)
    assert partial != before  # two lines went in: half changed, and the record says so
    assert [p.device for p in pending_commits(fleet.state)] == [name]
    fleet.net.restore(device)
    again = fleet.run({name: VRP5_CHANGE})
    assert again.recovered == [name]
    assert again.devices[name].status == "changed"
    assert fleet.leftovers() == []
    fleet.run({name: VRP5_CHANGE})
    note(request.node.name,
         "session drops mid-lines, then the device stays unreachable for the rollback",
         "EMULATED huawei_vrp", 1,
         "reported failed with ROLLBACK FAILED and the pending record kept; the next deploy --commit "
         "restored the last known good first, then pushed the change", 0)


def test_recover_restores_the_last_known_good_after_a_partial_config(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = AGG_COMWARE
    device = fleet.devices[name]
    before = fleet.lines(name)
    device.drop_after = 3
    _patch_once(monkeypatch, CliDriver, "_reopen", lambda _d: fleet.net.cut(device), name)
    report = fleet.run({name: COMWARE_CHANGE})
    assert report.devices[name].status == "failed"
    fleet.net.restore(device)
    assert fleet.recover() == [name]
    assert fleet.lines(name) == before
    assert fleet.leftovers() == []
    note(request.node.name,
         "session drops mid-lines, device unreachable for the rollback, then `deploy --recover`",
         "EMULATED h3c_comware", 1, "recover restored the last known good (device as it was)", 0)


# -- the device becomes unreachable before, during and after confirm (VRP8: commit trial) ------


def _cut_for(fleet: Fleet, device: EmulatedDevice, seconds: float) -> None:
    fleet.net.cut(device)
    threading.Timer(seconds, fleet.net.restore, args=(device,)).start()


def test_unreachable_before_confirm_ends_as_it_was_and_halts(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govnet.deploy.drivers.vrp8 import Vrp8Driver

    before = {n: fleet.lines(n) for n in (CORE1, CORE2)}
    # links cut after the commit trial, back 1 s later (within the reopen budget)
    cut = fleet.devices[CORE1]
    _patch_once(monkeypatch, Vrp8Driver, "residual", lambda _d: _cut_for(fleet, cut, 1.0), CORE1)
    report = fleet.run({CORE1: "vlan batch 30\n", CORE2: "vlan batch 30\n"})
    assert report.devices[CORE1].status == "rolled-back", report.devices[CORE1].reason
    assert report.devices[CORE2].status == "untouched" and report.halted
    assert {n: fleet.lines(n) for n in (CORE1, CORE2)} == before
    assert fleet.leftovers() == []
    note(request.node.name,
         "device unreachable after commit, before confirm (links cut, back within the window)",
         "EMULATED huawei_vrpv8", 1, "rolled back by govnet when it answered again; rollout halted, "
         "its redundant peer untouched", 0)


def test_unreachable_for_good_before_confirm_the_device_reverts_itself(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govnet.deploy.drivers.vrp8 import Vrp8Driver

    device = fleet.devices[CORE1]
    assert isinstance(device, Vrp8Device)
    before = fleet.lines(CORE1)
    _patch_once(monkeypatch, Vrp8Driver, "residual", lambda _d: fleet.net.cut(device), CORE1)
    report = fleet.run({CORE1: "vlan batch 30\n", CORE2: "vlan batch 30\n"})
    outcome = report.devices[CORE1]
    assert outcome.status == "failed" and "ROLLBACK FAILED" in outcome.reason, outcome.reason
    assert report.devices[CORE2].status == "untouched"
    deadline = time.monotonic() + 20
    while device.trial is not None and time.monotonic() < deadline:
        time.sleep(0.2)  # the device's own commit-trial timer (300 s x 0.02)
    assert fleet.lines(CORE1) == before
    fleet.net.restore(device)
    assert fleet.recover() == [CORE1]
    assert fleet.lines(CORE1) == before and fleet.leftovers() == []
    note(request.node.name, "device unreachable for good after commit, before confirm",
         "EMULATED huawei_vrpv8", 1, "reported failed (rollback failed, record kept); the device's own "
         "commit trial reverted it; recover then cleared the record", 0)


def test_confirm_reply_lost_the_device_is_put_back_as_it_was(
    fleet: Fleet, request: pytest.FixtureRequest
) -> None:
    device = fleet.devices[CORE1]
    assert isinstance(device, Vrp8Device)
    before = fleet.lines(CORE1)
    device.drop_on = "commit"  # the confirm (``commit`` during the trial) runs, its reply is lost
    report = fleet.run({CORE1: "vlan batch 30\n"})
    outcome = report.devices[CORE1]
    assert outcome.status == "rolled-back", outcome.reason
    assert fleet.lines(CORE1) == before and device.trial is None
    assert fleet.leftovers() == []
    note(request.node.name, "session drops during confirm (the device confirmed, the reply was lost)",
         "EMULATED huawei_vrpv8", 1, "govnet reconnected, found its label committed and rolled back to the "
         "commit point before it: the device as it was, reported rolled-back", 0)


def test_unreachable_after_confirm_stays_changed_and_is_reported_changed(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govnet.deploy.drivers.vrp8 import Vrp8Driver

    device = fleet.devices[CORE1]

    def after_confirm(self: Any) -> None:
        real_confirm(self)
        fleet.net.cut(device)

    real_confirm = Vrp8Driver.confirm_commit
    monkeypatch.setattr(Vrp8Driver, "confirm_commit",
                        lambda self: after_confirm(self) if self.device == CORE1 else real_confirm(self))
    report = fleet.run({CORE1: "vlan batch 30\n"})
    assert report.devices[CORE1].status == "changed"
    assert "vlan batch 10 20 30" in fleet.lines(CORE1)
    assert fleet.leftovers() == []
    fleet.net.restore(device)
    note(request.node.name, "device unreachable right after confirm", "EMULATED huawei_vrpv8", 1,
         "changed as intended, reported changed, nothing pending", 0)


def test_skewed_wall_clock_neither_expires_nor_confirms_a_window(
    fleet: Fleet, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """govnet's wall clock jumps a day ahead, then a day back, inside a confirm window."""
    from govnet.deploy import lkg

    changes = {AGG_COMWARE: (COMWARE_CHANGE, COMWARE_CHANGE.replace("9000", "1500")),
               AGG_VRP5: (VRP5_CHANGE, VRP5_CHANGE.replace("gateway", "gw")),
               CORE1: ("vlan batch 30\n", "vlan batch 40\n")}
    tries = 0
    for index, skew in enumerate((86400.0, -86400.0)):
        monkeypatch.setattr(lkg, "time", SimpleNamespace(time=lambda s=skew: time.time() + s))
        for name, change in changes.items():
            before = fleet.lines(name)
            report = fleet.run({name: change[index]})
            assert report.devices[name].status == "changed", report.devices[name].reason
            assert fleet.lines(name) != before and fleet.leftovers() == []
            tries += 1
    note(request.node.name, "clock skew: govnet's wall clock a day ahead, then a day behind",
         "EMULATED huawei_vrp, h3c_comware, huawei_vrpv8", tries, "windows are timed by the device and "
         "govnet's monotonic clock: every push changed and confirmed, nothing expired early or left "
         "pending", 0)


@pytest.mark.parametrize("name", [CORE1, AGG_VRP5, AGG_COMWARE], ids=["vrp8", "vrp5", "comware"])
def test_a_device_restart_in_the_confirm_window_ends_as_it_was(
    fleet: Fleet, name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = fleet.devices[name]
    before = fleet.lines(name)
    driver_cls = driver_class(PLATFORMS[name][0])
    _patch_once(monkeypatch, driver_cls, "residual", lambda _d: fleet.net.restart(device, 1.0), name)
    change = {CORE1: "vlan batch 30\n", AGG_VRP5: VRP5_CHANGE, AGG_COMWARE: COMWARE_CHANGE}[name]
    report = fleet.run({name: change})
    outcome = report.devices[name]
    assert "(restarted)" in device.log
    assert outcome.status == "rolled-back", outcome.reason
    assert fleet.lines(name) == before and fleet.leftovers() == []
    assert fleet.dry_run(name, change) == "dry-run"  # the change is simply still to do
    note(request.node.name, "device restarts in the confirm window (back with its saved startup config)",
         f"EMULATED {PLATFORMS[name][0]}", 1, "the session dropped, govnet reconnected after the "
         "reboot and rolled back (nothing left to undo): as it was, reported rolled-back", 0)


def test_a_dead_frr_daemon_is_named_not_parsed_as_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """vtysh prints ``Warning: connecting to ospfd...failed!`` into ``show running-config`` when the
    daemon is dead (seen on the twin): the driver names the daemon instead of parsing the line."""
    from govnet.deploy.driver import DeployError, DriverTarget
    from govnet.deploy.drivers.frr import FrrDriver

    printed = "Building configuration...\n\nWarning: connecting to ospfd...failed!\nfrr version 8.4.4\n"
    monkeypatch.setattr(FrrDriver, "cli", lambda self, command: printed)
    driver = FrrDriver(DriverTarget(AGG_VRP5, "frr", "127.0.0.1", 2201, state_dir=tmp_path))
    with pytest.raises(DeployError, match=f"^{AGG_VRP5}: ospfd not running \\(vtysh could not connect"):
        driver.get_config()
