"""UsgDriver against an EMULATED Huawei USG hot-standby pair (tests/emulation; not real gear)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from emulation import UsgDevice, driver_target, emulated_network, flash_dir, opened

from govnet.deploy.driver import CommitRejected, DeployError
from govnet.deploy.drivers.vrp5 import UsgDriver, hrp_synced

SHARED = """\
#
firewall zone trust
 set priority 85
 add interface GigabitEthernet1/0/1
#
security-policy
 rule name noc-management
  source-zone trust
  destination-zone local
  source-address 10.254.0.0 mask 255.255.255.0
  action permit
#
ip route-static 0.0.0.0 0.0.0.0 10.8.0.1
#
stelnet server enable
ssh user netadmin
#
return
"""


def usg_config(name: str, address: str, peer: str) -> str:
    return (
        f"#\nsysname {name}\n#\nhrp enable\nhrp interface GigabitEthernet1/0/6 remote {peer}\n"
        f"#\ninterface GigabitEthernet1/0/1\n ip address {address} 255.255.255.252\n" + SHARED
    )


@dataclass
class Pair:
    master: UsgDevice
    standby: UsgDevice
    driver: UsgDriver


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    with emulated_network() as net:
        master = UsgDevice(
            "kf-fw-1", usg_config("kf-fw-1", "10.8.0.2", "10.255.0.2"), flash_dir(tmp_path, "fw1")
        )
        standby = UsgDevice(
            "kf-fw-2", usg_config("kf-fw-2", "10.8.0.6", "10.255.0.1"), flash_dir(tmp_path, "fw2"), role="S"
        )
        master.peer = standby
        net.add(master)
        net.add(standby)
        target = driver_target(
            master,
            "kf-fw-1",
            "huawei_usg",
            hrp_standby={"host": "127.0.0.1", "port": standby.port},
            hrp_sync_timeout=1,
        )
        with opened(UsgDriver(target)) as driver:
            yield Pair(master, standby, driver)


CHANGE = """\
ip route-static 10.99.0.0 255.255.0.0 10.8.0.1
security-policy
 rule name govnet-canary
  source-zone trust
  destination-zone untrust
  action permit
"""


def test_only_the_hrp_master_is_configured(pair: Pair) -> None:
    assert pair.driver.hrp_role == "M"
    on_standby = UsgDriver(driver_target(pair.standby, "kf-fw-2", "huawei_usg"))
    with pytest.raises(DeployError, match=r"HRP standby .*HRP_M"):
        on_standby.open()


def test_confirm_keeps_the_change_and_the_standby_is_synced(pair: Pair) -> None:
    pair.driver.load_merge_candidate(CHANGE)
    pair.driver.commit_config(revert_in=300)
    assert "ip route-static 10.99.0.0 255.255.0.0 10.8.0.1" in pair.standby.running_lines()
    assert "  destination-zone untrust" in pair.standby.running_lines()
    assert not any("rule name govnet-canary" in line for line in pair.standby.log), (
        "the standby was never configured directly"
    )
    pair.driver.confirm_commit()
    assert hrp_synced(pair.master.running.render(), "vrp") == hrp_synced(pair.standby.running.render(), "vrp")
    assert " ip address 10.8.0.6 255.255.255.252" in pair.standby.running_lines(), "interfaces stay local"


def test_expired_window_rolls_back_both_members(pair: Pair) -> None:
    master_before, standby_before = pair.master.running_lines(), pair.standby.running_lines()
    pair.driver.load_merge_candidate(CHANGE)
    pair.driver.commit_config(revert_in=1)
    assert pair.driver.reverted.wait(20)
    assert pair.master.running_lines() == master_before
    assert pair.standby.running_lines() == standby_before


def test_rejected_line_leaves_both_members_as_they_were(pair: Pair) -> None:
    master_before, standby_before = pair.master.running_lines(), pair.standby.running_lines()
    pair.driver.load_merge_candidate(CHANGE + " rule name bad\n  acton permit\n")
    with pytest.raises(CommitRejected, match="acton permit"):
        pair.driver.commit_config(revert_in=300)
    assert pair.master.running_lines() == master_before
    assert pair.standby.running_lines() == standby_before


def test_a_standby_that_does_not_sync_fails_the_push_and_rolls_the_master_back(pair: Pair) -> None:
    master_before = pair.master.running_lines()
    pair.master.peer = None  # the HRP heartbeat link is down
    pair.driver.load_merge_candidate(CHANGE)
    with pytest.raises(DeployError, match="did not sync"):
        pair.driver.commit_config(revert_in=300)
    assert pair.master.running_lines() == master_before


def test_the_flows_rollback_after_a_failed_sync_is_a_no_op(pair: Pair) -> None:
    master_before = pair.master.running_lines()
    pair.master.peer = None
    pair.driver.load_merge_candidate(CHANGE)
    with pytest.raises(DeployError):
        pair.driver.commit_config(revert_in=300)
    sent = len(pair.master.log)
    pair.driver.rollback()
    assert pair.master.running_lines() == master_before
    assert not [line for line in pair.master.log[sent:] if line.startswith("undo ")]


def test_an_hrp_master_without_its_standby_address_is_not_pushed(pair: Pair) -> None:
    with opened(UsgDriver(driver_target(pair.master, "kf-fw-1", "huawei_usg"))) as blind:
        blind.load_merge_candidate(CHANGE)
        with pytest.raises(DeployError, match="hrp_standby"):
            blind.commit_config(revert_in=300)
        assert "ip route-static 10.99.0.0 255.255.0.0 10.8.0.1" not in pair.master.running_lines()


def test_an_unreachable_standby_fails_the_push_and_rolls_the_master_back(pair: Pair) -> None:
    master_before = pair.master.running_lines()
    pair.driver.standby = {"host": "127.0.0.1", "port": 1}
    pair.driver.load_merge_candidate(CHANGE)
    with pytest.raises(
        DeployError,
        match=r"HRP standby\): SSH to \w+@127\.0\.0\.1:1 failed: connection refused "
        r"\(nothing listens on that port\); the master was rolled back",
    ):
        pair.driver.commit_config(revert_in=300)
    assert pair.master.running_lines() == master_before
