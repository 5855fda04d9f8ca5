"""ComwareDriver against the EMULATED H3C Comware 7 switch (tests/emulation; not real gear)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import ComwareDevice, ConfigTree, commit_then_die, driven, driver_target, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.comware import ComwareDriver

BASE = """\
 version 7.1.070, Release 7585P05
#
sysname kf-agg-laodaohe
#
clock timezone BJ add 08:00:00
#
archive configuration location flash:/archive filename-prefix govnet
#
interface GigabitEthernet1/0/1
 port link-mode route
 description to kf-core-1 GigabitEthernet2/0/12 [kf-core-1--kf-agg-laodaohe]
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

Rig = tuple[ComwareDevice, ComwareDriver]


@pytest.fixture
def comware(tmp_path: Path) -> Iterator[Rig]:
    device = ComwareDevice("kf-agg-laodaohe", BASE, flash_dir(tmp_path, "agg"), time_scale=0.02)
    with driven(device, ComwareDriver, "kf-agg-laodaohe", "h3c_comware") as rig:
        yield rig


INTENDED = BASE.replace(
    " description to kf-core-1 GigabitEthernet2/0/12 [kf-core-1--kf-agg-laodaohe]",
    " description to kf-core-1 GigabitEthernet2/0/12 (moved)",
).replace(" mtu 1500", " mtu 9000")


def test_registry_resolves_h3c_comware_to_this_driver(comware: Rig) -> None:
    assert driver_class("h3c_comware") is ComwareDriver
    assert isinstance(comware[1], DeviceDriver)


def test_replace_diff_is_the_devices_display_diff(comware: Rig) -> None:
    device, driver = comware
    before = device.running_lines()
    driver.load_replace_candidate(INTENDED)
    assert "display diff current-configuration configfile flash:/govnet-t1.cfg" in device.log
    diff = driver.compare_config()
    assert diff.unified.startswith("--- Current configuration\n+++ flash:/govnet-t1.cfg\n")
    assert "\n- mtu 1500\n" in diff.unified
    assert "\n+ mtu 9000\n" in diff.unified
    assert "+ description to kf-core-1 GigabitEthernet2/0/12 (moved)" in diff.unified
    assert diff.commands == (
        "interface GigabitEthernet1/0/1",
        "description to kf-core-1 GigabitEthernet2/0/12 (moved)",
        "mtu 9000",
        "quit",
    )
    assert device.running_lines() == before
    driver.discard_config()
    assert not (device.flash / "govnet-t1.cfg").exists()


def test_confirm_within_the_delay_keeps_the_replace(comware: Rig) -> None:
    device, driver = comware
    driver.load_replace_candidate(INTENDED)
    driver.commit_config(revert_in=60)
    assert "configuration commit delay 1" in device.log
    assert driver.archive == "flash:/archive/govnet_1.cfg"
    assert device.running == ConfigTree.parse(device.dialect, INTENDED)
    assert driver.has_pending_commit()
    driver.confirm_commit()
    assert device.delay is None, "configuration commit ended the window"
    assert not driver.has_pending_commit()
    assert "mtu 9000" in (device.flash / "startup.cfg").read_text()


def test_delay_expiry_reverts_and_a_late_confirm_is_refused(comware: Rig) -> None:
    device, driver = comware
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/1\n mtu 9000\n")
    driver.commit_config(revert_in=60)
    assert " mtu 9000" in device.running_lines()
    assert device.reverted.wait(20), "the emulator's commit-delay timer never fired"
    assert device.running_lines() == before
    with pytest.raises(DeployError, match="commit delay expired"):
        driver.confirm_commit()


def test_rejected_line_is_rolled_back_from_the_archive(comware: Rig) -> None:
    device, driver = comware
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/1\n mtu 9000\n ip adress 10.9.9.9 24\n")
    with pytest.raises(CommitRejected) as err:
        driver.commit_config(revert_in=60)
    assert err.value.line == "ip adress 10.9.9.9 24"
    assert err.value.reply.strip() == "% Unrecognized command found at '^' position."
    assert "mtu 9000" in device.log, "the line before the bad one did go in"
    assert "configuration replace file flash:/archive/govnet_1.cfg" in device.log
    assert device.running_lines() == before
    assert device.delay is None
    assert not driver.has_pending_commit()


def test_rollback_after_confirm_replaces_from_the_archive(comware: Rig) -> None:
    device, driver = comware
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/1\n mtu 9000\n")
    driver.commit_config()
    assert " mtu 9000" in device.running_lines()
    driver.rollback()
    assert device.running_lines() == before


def test_archive_location_is_set_up_when_the_device_has_none(tmp_path: Path) -> None:
    bare = BASE.replace("archive configuration location flash:/archive filename-prefix govnet\n", "")
    device = ComwareDevice("kf-agg-laodaohe", bare, flash_dir(tmp_path, "bare"), time_scale=0.02)
    with driven(device, ComwareDriver, "kf-agg-laodaohe", "h3c_comware") as (_, driver):
        driver.load_merge_candidate("interface GigabitEthernet1/0/1\n mtu 9000\n")
        driver.commit_config()
        assert "mkdir flash:/archive" in device.log
        assert (
            "archive configuration location flash:/archive filename-prefix govnet" in device.running_lines()
        )
        assert (device.flash / "archive" / "govnet_1.cfg").is_file()
        driver.rollback()
        assert " mtu 1500" in device.running_lines()


def test_a_replace_keeps_the_archive_location_its_rollback_needs(comware: Rig) -> None:
    device, driver = comware
    before = device.running_lines()
    intended = INTENDED.replace("archive configuration location flash:/archive filename-prefix govnet\n", "")
    driver.load_replace_candidate(intended)
    assert not any("archive" in command for command in driver.compare_config().commands)
    driver.commit_config(revert_in=60)
    assert "archive configuration location flash:/archive filename-prefix govnet" in device.running_lines()
    driver.rollback()
    assert device.running_lines() == before


def test_recover_after_govnet_died_mid_delay_restores_and_closes_the_window(comware: Rig) -> None:
    device, _ = comware
    before = device.running_lines()
    target = driver_target(device, "kf-agg-laodaohe", "h3c_comware")
    commit_then_die(target, "interface GigabitEthernet1/0/1\n mtu 9000\n")
    assert device.delay is not None and " mtu 9000" in device.running_lines()
    with opened(ComwareDriver(target)) as fresh:
        assert fresh.has_pending_commit()
        fresh.rollback()
        assert not fresh.has_pending_commit()
        assert device.running_lines() == before
        assert device.delay is None
        assert not (device.flash / "govnet-recover.cfg").exists()
