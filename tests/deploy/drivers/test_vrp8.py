"""Vrp8Driver against the EMULATED Huawei CE (tests/emulation; not real gear)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import ConfigTree, Vrp8Device, commit_then_die, driven, driver_target, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.vrp8 import Vrp8Driver

BASE = """\
!Software Version V200R020C10SPC600
#
sysname ce-lab-1
#
vlan batch 10 20
#
interface 10GE1/0/1
 description to kf-core-2 10GE1/0/1 [kf-core-1--kf-core-2]
 undo portswitch
 ip address 10.8.0.5 255.255.255.252
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

Rig = tuple[Vrp8Device, Vrp8Driver]


@pytest.fixture
def ce(tmp_path: Path) -> Iterator[Rig]:
    device = Vrp8Device("ce-lab-1", BASE, flash_dir(tmp_path, "ce"), time_scale=0.02)
    with driven(device, Vrp8Driver, "kf-core-1", "huawei_vrpv8") as rig:
        yield rig


def test_the_platform_registry_names_this_driver_class_and_it_meets_the_contract(ce: Rig) -> None:
    _, driver = ce
    assert isinstance(driver, DeviceDriver)
    assert driver.platform.netmiko == "huawei_vrpv8"  # Netmiko's CE class, from the registry
    assert driver_class("huawei_vrp").__name__ == "Vrp5Driver"


def test_confirmed_trial_keeps_the_change_and_the_diff_is_the_devices_own(ce: Rig) -> None:
    device, driver = ce
    before = device.running_lines()
    driver.load_merge_candidate("interface 10GE1/0/1\n description to kf-core-2 (renumbered)\n")
    diff = driver.compare_config()
    assert "- description to kf-core-2 10GE1/0/1 [kf-core-1--kf-core-2]" in diff.unified
    assert "+ description to kf-core-2 (renumbered)" in diff.unified
    assert diff.commands == ("interface 10GE1/0/1", "description to kf-core-2 (renumbered)", "quit")
    assert device.running_lines() == before, "a candidate is not running config"

    driver.commit_config(revert_in=60)
    assert " description to kf-core-2 (renumbered)" in device.running_lines()
    assert driver.has_pending_commit()
    assert "commit trial 60 label govnet-t1" in device.log
    driver.confirm_commit()
    assert not driver.has_pending_commit()
    assert device.trial is None
    assert [c.label for c in device.commits][-1] == "govnet-t1"
    assert "(renumbered)" in (device.flash / "vrpcfg.cfg").read_text()


def test_trial_expiry_reverts_and_a_late_confirm_is_refused(ce: Rig) -> None:
    device, driver = ce
    before = device.running_lines()
    driver.load_merge_candidate("vlan batch 30\n")
    driver.commit_config(revert_in=60)
    assert "vlan batch 10 20 30" in device.running_lines()
    assert device.reverted.wait(20), "the emulator's trial timer never fired"
    assert device.running_lines() == before
    assert not driver.has_pending_commit()
    with pytest.raises(DeployError, match="no trial govnet-t1 to confirm"):
        driver.confirm_commit()


def test_rejected_line_names_the_line_and_leaves_running_and_candidate_clean(ce: Rig) -> None:
    device, driver = ce
    before = device.running_lines()
    with pytest.raises(CommitRejected) as err:
        driver.load_merge_candidate("interface 10GE1/0/1\n descripton typo\n")
    assert err.value.line == "descripton typo"
    assert "Error: Unrecognized command found at '^' position." in err.value.reply
    assert device.running_lines() == before
    assert device.candidate_lines() == before
    assert driver.compare_config().empty


def test_no_edit_during_a_trial_and_rollback_aborts_it(ce: Rig) -> None:
    device, driver = ce
    before = device.running_lines()
    driver.load_merge_candidate("interface 10GE1/0/1\n mtu 9000\n")
    driver.commit_config(revert_in=600)
    with pytest.raises(CommitRejected, match="trial commit"):
        driver.load_merge_candidate("vlan batch 99\n")
    driver.rollback()
    assert "abort trial" in device.log
    assert device.running_lines() == before
    assert not device.reverted.is_set() or device.trial is None


def test_replace_loads_a_file_and_rollback_returns_to_the_previous_commit_point(ce: Rig) -> None:
    device, driver = ce
    before = device.running_lines()
    intended = BASE.replace("vlan batch 10 20", "vlan batch 10 20 30").replace(
        " ip address 10.8.0.5 255.255.255.252", " ip address 10.8.0.5 255.255.255.252\n mtu 9000"
    )
    driver.load_replace_candidate(intended)
    assert "load configuration file govnet-t1.cfg replace" in device.log
    assert not (device.flash / "govnet-t1.cfg").exists(), "the uploaded file is removed after loading"
    diff = driver.compare_config()
    assert "+ mtu 9000" in diff.unified
    assert "vlan batch 30" in diff.commands
    driver.commit_config()
    assert device.running == ConfigTree.parse(device.dialect, intended)
    driver.rollback()
    assert "rollback configuration to commit-id 1000000001" in device.log
    assert device.running_lines() == before


def test_a_replace_that_would_cut_the_session_is_refused_before_it_is_staged(ce: Rig) -> None:
    device, driver = ce
    intended = BASE.replace("stelnet server enable\n", "")
    with pytest.raises(DeployError, match="would remove undo stelnet server enable"):
        driver.load_replace_candidate(intended)
    assert not any(line.startswith("load configuration") for line in device.log)
    assert device.candidate_lines() == device.running_lines()


def test_recover_after_govnet_died_mid_trial_aborts_the_trial(ce: Rig) -> None:
    device, _ = ce
    before = device.running_lines()
    target = driver_target(device, "kf-core-1", "huawei_vrpv8", run_id="t2")
    commit_then_die(target, "interface 10GE1/0/1\n mtu 9000\n")
    assert device.trial is not None
    with opened(Vrp8Driver(target)) as fresh:
        assert fresh.has_pending_commit(), "the record names the trial's label, still on the device"
        fresh.rollback()
        assert device.trial is None
        assert device.running_lines() == before
        assert not fresh.has_pending_commit()
