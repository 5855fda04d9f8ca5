"""UsgDriver on a standalone NIP6000 IPS, against its EMULATION (tests/emulation; not real gear).

The NIP runs the USG6000's V500 software: the platform registry gives ``huawei_nip`` the USG
driver. Standalone (no HRP) it is pushed directly: backup file, the remediation lines, a
govnet-kept confirm window, rollback by replaying the lines that restore the backup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import NipDevice, commit_then_die, driven, driver_target, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.vrp5 import UsgDriver

BASE = """\
#
sysname kf-ips-1
#
clock timezone BJ add 08:00:00
#
interface GigabitEthernet0/0/0
 description out-of-band management
 ip address 127.0.0.1 255.0.0.0
#
interface GigabitEthernet1/0/1
 description to kf-core-1 XGigabitEthernet1/0/2 [kf-core-1--kf-ips-1]
 ip address 10.8.0.198 255.255.255.252
#
firewall zone trust
 set priority 85
 add interface GigabitEthernet1/0/1
#
profile type ips name govnet-inline
 description in-line inspection of the internet access zone
 signature-set name all-critical
  target both
  severity high
  action block
#
security-policy
 rule name internet-zone-inspect
  source-zone trust
  destination-zone untrust
  source-address 10.64.0.0 mask 255.224.0.0
  profile ips govnet-inline
  action permit
#
ip route-static 0.0.0.0 0.0.0.0 10.8.15.1
#
stelnet server enable
ssh user netadmin
ssh user netadmin service-type stelnet
#
return
"""
WEB_SET = (
    "profile type ips name govnet-inline\n"
    " signature-set name web-servers\n  target server\n  severity high\n  action block\n"
)

Rig = tuple[NipDevice, UsgDriver]


@pytest.fixture
def nip(tmp_path: Path) -> Iterator[Rig]:
    device = NipDevice("kf-ips-1", BASE, flash_dir(tmp_path, "nip"))
    with driven(device, UsgDriver, "kf-ips-1", "huawei_nip") as rig:
        yield rig


def test_registry_gives_the_nip_the_usg_driver_and_a_standalone_nip_needs_no_standby(nip: Rig) -> None:
    device, driver = nip
    assert driver_class("huawei_nip") is UsgDriver
    assert isinstance(driver, DeviceDriver)
    assert driver.hrp_role is None, "prompt <kf-ips-1>: no HRP prefix"
    printed = device.display("display current-configuration")
    assert printed.startswith(
        "!Software Version V500R005C00SPC200 (NIP6650, EMULATION)\n#\n sysname kf-ips-1\n"
    )
    assert "\n stelnet server enable\n" in printed, "one-line globals print indented after '#'"


def test_compare_shows_the_nested_profile_lines(nip: Rig) -> None:
    device, driver = nip
    before = device.running_lines()
    driver.load_merge_candidate(WEB_SET)
    diff = driver.compare_config()
    assert diff.commands == (
        "profile type ips name govnet-inline",
        "signature-set name web-servers",
        "target server",
        "severity high",
        "action block",
        "quit",
        "quit",
    )
    assert "\n+ signature-set name web-servers\n" in diff.unified
    assert device.running_lines() == before, "comparing changes nothing"


def test_commit_with_confirm_saves_a_backup_then_the_startup_config(nip: Rig) -> None:
    device, driver = nip
    driver.load_merge_candidate(WEB_SET + "ip route-static 10.254.0.0 255.255.255.0 10.240.0.1\n")
    driver.commit_config(revert_in=300)
    assert "save govnet-t1.cfg" in device.log and (device.flash / "govnet-t1.cfg").is_file()
    assert " signature-set name web-servers" in device.running_lines()
    assert driver.has_pending_commit()
    driver.confirm_commit()
    assert not driver.has_pending_commit()
    saved = (device.flash / "vrpcfg.cfg").read_text()
    assert "signature-set name web-servers" in saved and "\n ip route-static 10.254.0.0" in saved


def test_a_failed_verify_rolls_the_change_back(nip: Rig) -> None:
    device, driver = nip
    before = device.running.copy()
    driver.load_merge_candidate(
        WEB_SET + "security-policy\n rule name internet-zone-inspect\n  undo profile ips govnet-inline\n"
    )
    driver.commit_config(revert_in=300)
    assert "  profile ips govnet-inline" not in device.running_lines()
    driver.rollback()  # what the deploy flow does when its verify step fails
    assert device.running == before, "the same config (a USG prints a rule's lines in its own order)"
    assert not driver.has_pending_commit()


def test_an_expired_window_replays_the_rollback_lines(nip: Rig) -> None:
    device, driver = nip
    before = device.running_lines()
    driver.load_merge_candidate(WEB_SET)
    driver.commit_config(revert_in=1)
    assert driver.reverted.wait(20), "govnet's revert window never fired"
    assert device.running_lines() == before
    with pytest.raises(DeployError, match="confirm window expired"):
        driver.confirm_commit()


def test_a_rejected_line_raises_with_the_devices_words_and_is_undone(nip: Rig) -> None:
    device, driver = nip
    before = device.running_lines()
    driver.load_merge_candidate(
        "profile type ips name govnet-inline\n"
        " signature-set name web-servers\n  target server\n  severty high\n"
    )
    with pytest.raises(CommitRejected) as err:
        driver.commit_config(revert_in=300)
    assert err.value.line == "severty high"
    assert err.value.reply.strip() == "Error: Unrecognized command found at '^' position."
    assert "target server" in device.log, "the line before the bad one did go in"
    assert device.running_lines() == before, "and was undone"
    assert not driver.has_pending_commit()


def test_recover_after_govnet_died_mid_window(nip: Rig) -> None:
    device, _ = nip
    before = device.running_lines()
    target = driver_target(device, "kf-ips-1", "huawei_nip")
    commit_then_die(target, WEB_SET)
    assert " signature-set name web-servers" in device.running_lines(), "nobody reverted it"
    with opened(UsgDriver(target)) as fresh:
        assert fresh.has_pending_commit()
        fresh.rollback()
        assert device.running_lines() == before
        assert not fresh.has_pending_commit()
