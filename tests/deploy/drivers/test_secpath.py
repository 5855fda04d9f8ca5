"""ComwareDriver against the EMULATED H3C SecPath SSL VPN gateway (tests/emulation; not real gear).

The SecPath runs Comware 7 like the switches, but keeps its files on the CF card (``cfa0:``):
the driver finds the medium with ``pwd`` and puts its candidate, archive and recovery files
there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import SecPathDevice, commit_then_die, driven, driver_target, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.comware import ComwareDriver

BASE = """\
#
version 7.1.064, Release 9333P2001
#
sysname kf-vpn-1
#
clock timezone BJ add 08:00:00
#
interface GigabitEthernet1/0/0
 description out-of-band management
 ip address 127.0.0.1 255.0.0.0
#
interface GigabitEthernet1/0/1
 port link-mode route
 description segment kf-fw-dmz [10.8.15.32/28]
 mtu 1500
 ip address 10.8.15.36 255.255.255.240
#
security-zone name Untrust
 import interface GigabitEthernet1/0/1
#
sslvpn gateway remote-access
 ip address 10.8.15.36 port 443
 service enable
#
sslvpn ip address-pool public-users 10.255.255.1 10.255.255.254
#
sslvpn context public
 gateway remote-access domain public
 ip-tunnel address-pool public-users mask 255.255.255.0
 service enable
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
POLICE_POOL = "sslvpn ip address-pool police-users 10.192.255.1 10.192.255.254\n"

Rig = tuple[SecPathDevice, ComwareDriver]


def without_archive_location(lines: list[str]) -> list[str]:
    """The running lines but the archive location the driver sets up before its first archive."""
    return [line for line in lines if not line.startswith("archive configuration location ")]


@pytest.fixture
def secpath(tmp_path: Path) -> Iterator[Rig]:
    device = SecPathDevice("kf-vpn-1", BASE, flash_dir(tmp_path, "cfa0"), time_scale=0.02)
    with driven(device, ComwareDriver, "kf-vpn-1", "h3c_secpath") as rig:
        yield rig


def test_registry_resolves_h3c_secpath_to_the_comware_driver(secpath: Rig) -> None:
    device, driver = secpath
    assert driver_class("h3c_secpath") is ComwareDriver
    assert isinstance(driver, DeviceDriver)
    assert device.sysname == "kf-vpn-1"
    assert driver.medium == "cfa0" and "pwd" in device.log
    printed = device.display("display current-configuration")
    assert printed.startswith(
        "#\n version 7.1.064, Release 9333P2001 (SecPath F1000, EMULATION)\n#\n sysname kf-vpn-1\n"
    )
    assert "\n ssh server enable\n" in printed, "one-line globals print indented after '#'"
    assert driver.get_config() == printed, "backups keep the device's own print"


def test_replace_diff_is_the_devices_display_diff_of_a_file_on_cfa0(secpath: Rig) -> None:
    device, driver = secpath
    before = device.running_lines()
    driver.load_replace_candidate(BASE.replace(" mtu 1500\n", " mtu 1400\n") + POLICE_POOL)
    assert "display diff current-configuration configfile cfa0:/govnet-t1.cfg" in device.log
    assert (device.flash / "govnet-t1.cfg").is_file(), "uploaded to the CF card's root"
    diff = driver.compare_config()
    assert diff.unified.startswith("--- Current configuration\n+++ cfa0:/govnet-t1.cfg\n")
    assert "\n- mtu 1500\n" in diff.unified and "\n+ mtu 1400\n" in diff.unified
    assert "sslvpn ip address-pool police-users 10.192.255.1 10.192.255.254" in diff.commands
    assert device.running_lines() == before
    driver.discard_config()
    assert not (device.flash / "govnet-t1.cfg").exists()


def test_commit_with_confirm_archives_on_cfa0_and_keeps_the_change(secpath: Rig) -> None:
    device, driver = secpath
    driver.load_merge_candidate(POLICE_POOL)
    assert driver.compare_config().commands == (POLICE_POOL.strip(),)
    driver.commit_config(revert_in=60)
    assert "pwd" in device.log and "mkdir cfa0:/archive" in device.log
    assert "archive configuration location cfa0:/archive filename-prefix govnet" in device.running_lines()
    assert driver.archive == "cfa0:/archive/govnet_1.cfg"
    assert (device.flash / "archive" / "govnet_1.cfg").is_file()
    assert "configuration commit delay 1" in device.log
    assert POLICE_POOL.rstrip("\n").strip() in device.running_lines()
    driver.confirm_commit()
    assert device.delay is None and not driver.has_pending_commit()
    assert "police-users" in (device.flash / "startup.cfg").read_text()


def test_a_failed_verify_rolls_back_from_the_archive_and_closes_the_window(secpath: Rig) -> None:
    device, driver = secpath
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/1\n mtu 1400\n" + POLICE_POOL)
    driver.commit_config(revert_in=60)
    assert " mtu 1400" in device.running_lines() and device.delay is not None
    driver.rollback()  # what the deploy flow does when its verify step fails
    assert "configuration replace file cfa0:/archive/govnet_1.cfg" in device.log
    assert without_archive_location(device.running_lines()) == before
    assert device.delay is None, "the rollback closed the commit delay window"
    assert not driver.has_pending_commit()


def test_the_delay_expires_and_the_device_reverts_by_itself(secpath: Rig) -> None:
    device, driver = secpath
    driver.load_merge_candidate(POLICE_POOL)
    driver.commit_config(revert_in=60)
    after_archive = device.before_delay
    assert after_archive is not None
    assert device.reverted.wait(20), "the emulator's commit-delay timer never fired"
    assert device.running == after_archive
    assert POLICE_POOL.strip() not in device.running_lines()
    with pytest.raises(DeployError, match="commit delay expired"):
        driver.confirm_commit()


def test_a_rejected_line_raises_with_the_devices_words_and_is_rolled_back(secpath: Rig) -> None:
    device, driver = secpath
    driver.load_merge_candidate(
        "sslvpn context public\n ip-tunel address-pool police-users mask 255.255.255.0\n"
    )
    before = device.running_lines()
    with pytest.raises(CommitRejected) as err:
        driver.commit_config(revert_in=60)
    assert err.value.line == "ip-tunel address-pool police-users mask 255.255.255.0"
    assert err.value.reply.strip() == "% Unrecognized command found at '^' position."
    assert "configuration replace file cfa0:/archive/govnet_1.cfg" in device.log
    assert without_archive_location(device.running_lines()) == before
    assert device.delay is None and not driver.has_pending_commit()


def test_recover_after_govnet_died_mid_delay_restores_from_cfa0(secpath: Rig) -> None:
    device, _ = secpath
    target = driver_target(device, "kf-vpn-1", "h3c_secpath")
    commit_then_die(target, POLICE_POOL)
    assert device.delay is not None and POLICE_POOL.strip() in device.running_lines()
    with opened(ComwareDriver(target)) as fresh:
        assert fresh.has_pending_commit()
        fresh.rollback()
        assert "configuration replace file cfa0:/govnet-recover.cfg" in device.log
        assert POLICE_POOL.strip() not in device.running_lines()
        assert device.delay is None and not fresh.has_pending_commit()
        assert not (device.flash / "govnet-recover.cfg").exists()
