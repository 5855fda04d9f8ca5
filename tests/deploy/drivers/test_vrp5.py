"""Vrp5Driver against the EMULATED Huawei S-series switch (tests/emulation; not real gear)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import ConfigTree, Vrp5Device, commit_then_die, driven, driver_target, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.vrp5 import Vrp5Driver
from govnet.deploy.secrets import SecretValues

BASE = """\
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
interface GigabitEthernet1/0/25
 description to kf-acc-dongfenglu-police GigabitEthernet0/0/1
 port link-type trunk
 port trunk allow-pass vlan 100 211 300
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

Rig = tuple[Vrp5Device, Vrp5Driver]


@pytest.fixture
def s_switch(tmp_path: Path) -> Iterator[Rig]:
    device = Vrp5Device("kf-agg-dongfenglu", BASE, flash_dir(tmp_path, "agg"))
    with driven(device, Vrp5Driver, "kf-agg-dongfenglu", "huawei_vrp") as rig:
        yield rig


def test_registry_resolves_huawei_vrp_to_this_driver(s_switch: Rig) -> None:
    assert driver_class("huawei_vrp") is Vrp5Driver
    assert isinstance(s_switch[1], DeviceDriver)


def test_diff_is_minimal_and_never_drops_a_vlan_still_in_use(s_switch: Rig) -> None:
    _, driver = s_switch
    intended = BASE.replace("vlan batch 100 211 300", "vlan batch 100 211 400").replace(
        "allow-pass vlan 100 211 300", "allow-pass vlan 100 211 400"
    )
    driver.load_replace_candidate(intended)
    diff = driver.compare_config()
    assert diff.commands == (
        "vlan batch 400",
        "interface GigabitEthernet1/0/25",
        "port trunk allow-pass vlan 400",
        "undo port trunk allow-pass vlan 300",
        "quit",
        "undo vlan batch 300",
    )
    assert "-vlan batch 100 211 300\n+vlan batch 100 211 400\n" in diff.unified
    assert driver.mgmt_interface == "MEth0/0/1", "found from the address govnet connects to"


def test_confirm_keeps_the_change_after_saving_a_backup(s_switch: Rig) -> None:
    device, driver = s_switch
    intended = BASE.replace(" description police zone", " description police zone gateway")
    driver.load_replace_candidate(intended)
    driver.commit_config(revert_in=300)
    assert (device.flash / "govnet-t1.cfg").read_text() == ConfigTree.parse(device.dialect, BASE).render(
        device.os_header
    ), "the backup file holds the config from before the push"
    assert " description police zone gateway" in device.running_lines()
    assert driver.has_pending_commit()
    driver.confirm_commit()
    assert not driver.has_pending_commit()
    assert "gateway" in (device.flash / "vrpcfg.cfg").read_text()
    assert device.running == ConfigTree.parse(device.dialect, intended)


def test_expired_window_replays_the_rollback_lines(s_switch: Rig) -> None:
    device, driver = s_switch
    before = device.running_lines()
    intended = BASE.replace("vlan batch 100 211 300", "vlan batch 100 211 300 500") + (
        "interface Vlanif500\n ip address 10.50.0.1 255.255.255.0\n"
    )
    driver.load_replace_candidate(intended)
    driver.commit_config(revert_in=1)
    assert "interface Vlanif500" in device.running_lines()
    assert driver.reverted.wait(20), "govnet's revert window never fired"
    assert device.running_lines() == before
    with pytest.raises(DeployError, match="confirm window expired"):
        driver.confirm_commit()


def test_rejected_line_is_undone_and_named(s_switch: Rig) -> None:
    device, driver = s_switch
    before = device.running_lines()
    intended = BASE.replace(
        " description police zone", " description police zone\n mtu 1500\n ip adress 10.9.9.9"
    )
    driver.load_replace_candidate(intended)
    with pytest.raises(CommitRejected) as err:
        driver.commit_config(revert_in=300)
    assert err.value.line == "ip adress 10.9.9.9"
    assert "Error:" in err.value.reply
    assert "mtu 1500" in device.log, "the line before the bad one did go in"
    assert device.running_lines() == before, "and was undone"
    assert not driver.has_pending_commit()


def test_explicit_rollback_before_confirm(s_switch: Rig) -> None:
    device, driver = s_switch
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/25\n description renamed\n")
    assert driver.compare_config().commands == (
        "interface GigabitEthernet1/0/25",
        "description renamed",
        "quit",
    )
    driver.commit_config(revert_in=300)
    driver.rollback()
    assert device.running_lines() == before
    assert not driver.has_pending_commit()


def test_closing_the_session_with_an_unconfirmed_change_rolls_it_back(s_switch: Rig) -> None:
    device, driver = s_switch
    before = device.running_lines()
    driver.load_merge_candidate("interface GigabitEthernet1/0/25\n description renamed\n")
    driver.commit_config(revert_in=300)
    driver.close()
    assert driver.reverted.is_set()
    assert device.running_lines() == before


def test_no_difference_commits_nothing(s_switch: Rig) -> None:
    device, driver = s_switch
    driver.load_replace_candidate(BASE)
    assert driver.compare_config().empty
    driver.commit_config(revert_in=300)
    assert not driver.has_pending_commit()
    assert not any(line.startswith("save") for line in device.log)


AUTH_KEY = "Auth-Key-Never-Shown-1"
PRIV_KEY = "Priv-Key-Never-Shown-2"
SNMP = "snmp-agent usm-user v3 noc authentication-mode sha cipher ${secret:GOVNET_SNMP_AUTH_KEY}\n"


def test_a_rotated_secret_is_pushed_again_and_only_its_digest_is_kept(s_switch: Rig) -> None:
    device, _ = s_switch
    first = SecretValues({"GOVNET_SNMP_AUTH_KEY": AUTH_KEY})
    target = driver_target(device, "kf-agg-dongfenglu", "huawei_vrp", secrets=first)
    with opened(Vrp5Driver(target)) as driver:
        driver.load_replace_candidate(BASE + SNMP)
        driver.commit_config(revert_in=300)
        driver.confirm_commit()
    kept = (target.state_dir / "kf-agg-dongfenglu.secrets.json").read_text(encoding="utf-8")
    assert "GOVNET_SNMP_AUTH_KEY" in kept and AUTH_KEY not in kept  # a digest, never the value
    with opened(Vrp5Driver(target)) as driver:  # same value: the device's cipher is "set"
        driver.load_replace_candidate(BASE + SNMP)
        assert driver.compare_config().empty
    rotated = SecretValues({"GOVNET_SNMP_AUTH_KEY": "Auth-Key-Rotated-3"})
    target = driver_target(device, "kf-agg-dongfenglu", "huawei_vrp", secrets=rotated)
    with opened(Vrp5Driver(target)) as driver:  # a new value behind the same reference: pushed again
        driver.load_replace_candidate(BASE + SNMP)
        assert driver.compare_config().commands == (SNMP.strip(),)
        driver.commit_config(revert_in=300)
        driver.confirm_commit()
        assert any("Auth-Key-Rotated-3" in line for line in device.log)
        driver.load_replace_candidate(BASE + SNMP)
        assert driver.compare_config().empty, "once confirmed, the new digest is the kept one"


def test_secrets_are_resolved_only_inside_the_session_and_never_drift(s_switch: Rig) -> None:
    device, _ = s_switch
    secrets = SecretValues({"GOVNET_SNMP_AUTH_KEY": AUTH_KEY, "GOVNET_SNMP_PRIV_KEY": PRIV_KEY})
    target = driver_target(device, "kf-agg-dongfenglu", "huawei_vrp", secrets=secrets)
    with opened(Vrp5Driver(target)) as driver:
        intended = BASE + SNMP
        driver.load_replace_candidate(intended)
        diff = driver.compare_config()
        assert diff.commands == (SNMP.strip(),)
        assert AUTH_KEY not in diff.unified
        driver.commit_config(revert_in=300)
        driver.confirm_commit()
        assert any(AUTH_KEY in line for line in device.log), "the value was typed into the session"
        shown = "\n".join(device.running_lines())
        assert "authentication-mode sha cipher %^%#" in shown
        assert AUTH_KEY not in shown and AUTH_KEY not in driver.get_config()

        driver.load_replace_candidate(intended)
        assert driver.compare_config().empty, "a ciphered secret is not a perpetual diff"

        bad = (
            intended
            + "snmp-agnet usm-user v3 noc privacy-mode aes128 cipher ${secret:GOVNET_SNMP_PRIV_KEY}\n"
        )
        driver.load_replace_candidate(bad)
        with pytest.raises(CommitRejected) as err:
            driver.commit_config(revert_in=300)
        assert "${secret:GOVNET_SNMP_PRIV_KEY}" in str(err.value)
        assert PRIV_KEY not in str(err.value) and PRIV_KEY not in err.value.reply


def test_recover_after_govnet_died_mid_window_restores_the_last_known_good(s_switch: Rig) -> None:
    device, _ = s_switch
    before = device.running_lines()
    target = driver_target(device, "kf-agg-dongfenglu", "huawei_vrp")
    commit_then_die(target, "interface GigabitEthernet1/0/25\n description changed then govnet died\n")
    assert " description changed then govnet died" in device.running_lines(), "nobody reverted it"
    with opened(Vrp5Driver(target)) as fresh:
        assert fresh.has_pending_commit(), "the pending record survived the kill"
        fresh.rollback()
        assert device.running_lines() == before
        assert not fresh.has_pending_commit()


def test_lines_that_would_cut_the_session_are_held_and_reported_in_the_diff(s_switch: Rig) -> None:
    _, driver = s_switch
    intended = BASE.replace("stelnet server enable\n", "")
    intended = intended.replace(" description police zone", " description gw")
    driver.load_replace_candidate(intended)
    diff = driver.compare_config()
    assert diff.commands == ("interface Vlanif211", "description gw", "quit")
    assert diff.held == driver.held == ("undo stelnet server enable",)  # never sent, but reported
