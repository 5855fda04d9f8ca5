"""Backup and restore through the Vrp8Driver against the EMULATED Huawei CE (tests/emulation; not
real gear): the config as VRP prints it (version banner, ``#``, ``return``) restores by replace, and
a cipher the device printed comes back from the credentials store through the intended config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import Vrp8Device, driven, flash_dir

from deploy.drivers.test_vrp8 import BASE
from govnet.deploy.backup import masked_backup
from govnet.deploy.drivers.vrp8 import Vrp8Driver
from govnet.deploy.restore import Backup, restorable_config
from govnet.deploy.secrets import SecretValues
from govnet.platforms.printed import config_text

COMMUNITY = "wr1te-C0mm-x8"
BLOB = "%^%#Ym9ndXMtY2lwaGVyLWJsb2I=%^%#"
PRINTED = BASE.replace("#\nreturn\n", f"#\nsnmp-agent community write cipher {BLOB}\n#\nreturn\n")
SECRETS = SecretValues({"GOVNET_SNMP_COMMUNITY": COMMUNITY})
INTENDED = "#\nsnmp-agent community write cipher ${secret:GOVNET_SNMP_COMMUNITY}\n#\n"

Rig = tuple[Vrp8Device, Vrp8Driver]


@pytest.fixture
def ce(tmp_path: Path) -> Iterator[Rig]:
    device = Vrp8Device("ce-lab-1", PRINTED, flash_dir(tmp_path, "ce"), time_scale=0.02)
    with driven(device, Vrp8Driver, "kf-core-1", "huawei_vrpv8", secrets=SECRETS) as rig:
        yield rig


def test_a_vrp_backup_restores_by_replace_with_its_secret_from_the_store(ce: Rig) -> None:
    device, driver = ce
    saved = masked_backup(driver.get_config(), SECRETS)
    assert "snmp-agent community write cipher <secret hidden>" in saved.text and BLOB not in saved.text
    assert saved.refs == {}, "the device's own cipher is not a value of the store"
    before = device.running_lines()

    driver.load_merge_candidate("vlan batch 30\ninterface 10GE1/0/1\n description changed by hand\n")
    driver.commit_config()
    assert "vlan batch 10 20 30" in device.running_lines()

    backup = Backup("kf-core-1", "c" * 40, saved.text, saved.refs)
    config = restorable_config(backup, SECRETS, lambda: INTENDED, "vrp")
    line = "snmp-agent community write cipher ${secret:GOVNET_SNMP_COMMUNITY}"
    assert f" {line}" in config.splitlines(), "kept as the device printed it (a global indented after #)"
    assert line in config_text(config, "vrp").splitlines(), "and read as a global, at column 0"
    driver.load_replace_candidate(config)
    diff = driver.compare_config()
    assert "+ description to kf-core-2 10GE1/0/1 [kf-core-1--kf-core-2]" in diff.unified
    driver.commit_config()
    restored = device.running_lines()
    assert f"snmp-agent community write cipher {COMMUNITY}" in restored, "the store's value went in"
    assert [line for line in restored if "snmp-agent" not in line] == [
        line for line in before if "snmp-agent" not in line
    ], "everything else exactly as backed up"
    assert not list(device.flash.glob("govnet-*.cfg")), "the uploaded file (with the value) is gone"
    assert COMMUNITY not in masked_backup(driver.get_config(), SECRETS).text
