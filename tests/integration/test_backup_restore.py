"""Backup and restore on the lab twin, end to end through the CLI: real SSH into real FRR.

A provisioned core is backed up, changed by hand, restored from the backup (dry run, then
``--commit`` through deploy's confirm/verify path) and ``govnet diff`` shows no drift. A BGP
password is backed up masked, removed from the device, and restored from the backup: the device
gets the value back from the twin's secrets.env, and no value is ever in the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli import app
from govnet.cli.deploy import prepare_target
from govnet.credentials import parse_secrets_file
from govnet.deploy.rollout import DeployOptions, RunReport, deploy
from govnet.lab.frr import vtysh

from .lab_helpers import INVENTORY, Lab

pytestmark = pytest.mark.integration

CORE = "kf-core-1"
PEER = "192.0.2.1"


def govnet(lab: Lab, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "-i", str(INVENTORY), "--lab", "--workdir", str(lab.workdir)])
    return result.exit_code, result.stdout, result.stderr


def drift(lab: Lab, tmp_path: Path, commit: bool = False) -> RunReport:
    """``govnet diff`` (or with ``commit`` a deploy) of CORE against its intended config."""
    network, _names, target, configs = prepare_target(INVENTORY, True, lab.workdir, [f"name={CORE}"])
    options = DeployOptions(commit=commit, state_dir=tmp_path / "state", verify_timeout=90.0)
    return deploy(network, configs(), target, options, echo=lambda _m: None)


def configure(*lines: str) -> None:
    vtysh(CORE, "configure terminal", *lines, "end")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, encoding="utf-8",
                          check=True).stdout


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_backup_change_restore_leaves_no_drift_and_secrets_come_back(lab: Lab, tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    push = ["--repo", str(repo), "--state-dir", str(tmp_path / "state"), "--verify-timeout", "90"]
    provision = drift(lab, tmp_path, commit=True)  # the booted twin differs in FRR defaults
    assert provision.devices[CORE].status in ("changed", "unchanged"), provision.devices[CORE].reason
    assert not drift(lab, tmp_path).drift
    code, out, err = govnet(lab, "backup", "--repo", str(repo), "--filter", f"name={CORE},kf-core-2")
    assert code == 0, out + err
    printed = vtysh(CORE, "show running-config").splitlines()
    times = printed.count("service password-encryption")  # FRR 8.4's vtysh prints it once per daemon
    assert times > 1
    line = f"{CORE}: duplicate line 'service password-encryption' printed {times} times (kept as printed)"
    assert line in out.splitlines()
    saved = (repo / f"{CORE}.cfg").read_text(encoding="utf-8").splitlines()
    assert saved.count("service password-encryption") == times
    assert out.splitlines()[-1].startswith(f"backup {repo}: 2 of 2 device(s) read, 2 changed")
    provisioned = head(repo)

    configure("interface lo", "description changed by hand", "exit", "ip route 198.51.100.0/24 Null0")
    assert drift(lab, tmp_path).devices[CORE].status == "dry-run"
    code, out, err = govnet(lab, "restore", CORE, *push)
    assert code == 0, out + err
    assert "no ip route 198.51.100.0/24 Null0" in out and "dry run: nothing pushed" in out
    assert "198.51.100.0/24" in vtysh(CORE, "show running-config"), "a dry run touches nothing"
    code, out, err = govnet(lab, "restore", CORE, *push, "--commit")
    assert code == 0, out + err
    assert out.splitlines()[-1] == f"{CORE}: changed: restored, verified and confirmed"
    assert not drift(lab, tmp_path).drift  # restored to the backup of the provisioned config

    # a BGP password: masked in the backup, given back by the store on restore
    value = parse_secrets_file(lab.workdir / "secrets.env")["GOVNET_SNMP_AUTH_KEY"]
    configure("router bgp 65010", f"neighbor {PEER} remote-as 65010", f"neighbor {PEER} password {value}")
    code, out, err = govnet(lab, "backup", "--repo", str(repo), "--filter", f"name={CORE}")
    assert code == 0 and "1 changed" in out, out + err
    with_password = head(repo)
    history = git(repo, "log", "-p", "--all")
    assert value not in history and f"neighbor {PEER} password <secret hidden>" in history
    assert "${secret:GOVNET_SNMP_AUTH_KEY}" in history  # the name, recorded for the restore
    configure("router bgp 65010", f"no neighbor {PEER}")
    assert value not in vtysh(CORE, "show running-config")
    code, out, err = govnet(lab, "restore", CORE, *push, "--from", with_password[:10], "--commit")
    assert code == 0, out + err
    assert f"neighbor {PEER} password {value}" in vtysh(CORE, "show running-config")
    assert value not in out + err
    kept = [p.read_text(encoding="utf-8", errors="replace")
            for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert kept and not any(value in text for text in kept), "no value in LKG files or reports"

    code, out, err = govnet(lab, "restore", CORE, *push, "--from", provisioned[:10], "--commit")
    assert code == 0, out + err
    assert PEER not in vtysh(CORE, "show running-config")
    assert not drift(lab, tmp_path).drift
