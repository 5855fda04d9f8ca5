"""``govnet restore``: the masking round trip (device text -> masked backup in git -> references
-> the values the driver sends), unresolvable secrets named by device, line and secret with
nothing pushed, backups read by commit, and the push through deploy's own path (FAKE fleet).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rollout_support import FakeFleet
from typer.testing import CliRunner

from deploy.test_backup import AGG, CORE1, LOGIN, RUNNING, VALUES, fleet, git  # noqa: F401  (fleet: fixture)
from govnet.cli import app
from govnet.deploy.backup import commit_files, ensure_repo, masked_backup
from govnet.deploy.driver import DeployError
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.restore import Backup, read_backup, restorable_config, restore
from govnet.deploy.rollout import DeployOptions
from govnet.deploy.secrets import SecretValues
from govnet.model import Network

ROOT = Path(__file__).resolve().parents[2]
STORE = {**VALUES, "GOVNET_SSH_PASSWORD": "vty-Pa55-q1w2", "GOVNET_SNMP_AUTH_KEY": "ro-C0mm-77aa"}
INTENDED = (
    "snmp-agent community read ${secret:GOVNET_SNMP_AUTH_KEY}\n"
    "line vty\n password ${secret:GOVNET_SSH_PASSWORD}\nexit\n"
)
"""What the intended config says where the device printed values govnet does not know (the read
community it was never given, the vty password it printed encrypted)."""


def saved(repo: Path, text: str = RUNNING, device: str = CORE1) -> str:
    ensure_repo(repo)
    commit_files(repo, masked_backup(text, SecretValues(VALUES)).files(device), f"backup {device}")
    return git(repo, "rev-parse", "HEAD").strip()


def test_masking_round_trip_gives_the_device_its_own_values_back(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    sha = saved(repo)
    backup = read_backup(repo, CORE1, sha[:8])
    assert backup.commit == sha and backup.subject.endswith(f"backup {CORE1}")
    assert not any(v in backup.text for v in STORE.values())
    config = restorable_config(backup, SecretValues(STORE), lambda: INTENDED)
    assert not any(v in config for v in STORE.values()), "references only: values go into SSH alone"
    sent = SecretValues(STORE).resolve(config, CORE1)
    expected = (RUNNING
                .replace("community read public-ro-1", f"community read {STORE['GOVNET_SNMP_AUTH_KEY']}")
                .replace(" password 8 Qz9xEnCrYpTeD", f" password {STORE['GOVNET_SSH_PASSWORD']}"))
    assert sent == expected  # every known value back where it was; the rest from the intended config


def test_a_masked_value_that_cannot_be_resolved_names_device_line_and_secret(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    sha = saved(repo)[:12]
    without_bgp = SecretValues({k: v for k, v in STORE.items() if k != "GOVNET_BGP_PASSWORD"})
    with pytest.raises(DeployError) as err:
        restorable_config(read_backup(repo, CORE1), without_bgp, lambda: "hostname x\n")
    where = f"{CORE1}: backup {sha} line"
    assert str(err.value).splitlines() == [
        f"{where} 8: 'snmp-agent community read <secret hidden>': the masked snmp community cannot be "
        "resolved (no ${secret:NAME} recorded, no such line in the intended config)",
        f"{where} 15: 'neighbor 10.0.0.2 password <secret hidden>': secret GOVNET_BGP_PASSWORD has no "
        "value in the credentials store (set GOVNET_BGP_PASSWORD in the environment or the secrets file)",
        f"{where} 25: 'password 8 <secret hidden>': the masked frr password cannot be resolved "
        "(no ${secret:NAME} recorded, no such line in the intended config)",
        f"{CORE1}: nothing pushed",
    ]
    redacted = Backup(CORE1, "f" * 40, "hostname x\n description <redacted>\n")
    redacted_line = r"line 2: 'description <redacted>': the masked secret value \(redacted\)"
    with pytest.raises(DeployError, match=redacted_line):
        restorable_config(redacted, SecretValues(STORE), lambda: None)


def test_backups_are_read_by_commit_and_missing_ones_are_clear_errors(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with pytest.raises(DeployError, match=f"{repo}: not a backup repository"):
        read_backup(repo, CORE1)
    first = saved(repo, "hostname one\n")
    second = saved(repo, "hostname two\n")
    assert read_backup(repo, CORE1).text == "hostname two\n" and read_backup(repo, CORE1).commit == second
    assert read_backup(repo, CORE1, first).text == "hostname one\n"
    assert read_backup(repo, CORE1, "HEAD~1").refs == {}
    with pytest.raises(DeployError, match=f"{repo}: no commit 'nosuch'"):
        read_backup(repo, CORE1, "nosuch")
    with pytest.raises(DeployError, match=f"commit {second[:12]} has no backup of {AGG} \\({AGG}.cfg\\)"):
        read_backup(repo, AGG)


def test_restore_goes_through_deploy_dry_run_then_commit(
    fleet: FakeFleet, network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    repo = tmp_path / "repo"
    saved(repo, f"hostname {AGG}\nip forwarding\n!\nend\n", AGG)
    target = DeployTarget()
    options = DeployOptions(state_dir=tmp_path / "state")
    report = restore(network, read_backup(repo, AGG), target, options, echo=lambda _m: None)
    assert report.devices[AGG].status == "dry-run" and report.devices[AGG].commands == ["ip forwarding"]
    assert "commit" not in " ".join(fleet.actions(AGG)), "a dry run pushes nothing"
    options.commit = True
    report = restore(network, read_backup(repo, AGG), target, options, echo=lambda _m: None)
    assert report.devices[AGG].status == "changed", report.devices[AGG].reason
    pushed = [a.split()[0] for a in fleet.actions(AGG) if a.split()[0] in ("commit", "confirm")]
    assert pushed == ["commit", "confirm"]
    assert fleet.running[AGG] == f"hostname {AGG}\nip forwarding\n!\nend\n"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["restore", *args, "-i", str(ROOT / "inventory")])
    return result.exit_code, result.stdout, result.stderr


def test_cli_restore_prints_the_diff_pushes_with_commit_and_refuses_unresolvable_secrets(
    fleet: FakeFleet, tmp_path: Path  # noqa: F811
) -> None:
    repo = tmp_path / "repo"
    sha = saved(repo, f"hostname {AGG}\nip forwarding\n!\nend\n", AGG)
    state = ["--state-dir", str(tmp_path / "state"), "--repo", str(repo)]
    code, out, err = cli(AGG, *state)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith(f"restore {AGG} from backup {sha[:12]} (")
    assert lines[1:4] == [f"=== {AGG}: 1 command(s) would restore the backup", "ip forwarding",
                          "+ip forwarding"]
    assert lines[-1] == f"{AGG}: dry-run: dry run: nothing pushed (add --commit to restore)"
    code, out, err = cli(AGG, *state, "--commit", "--from", sha[:10])
    assert code == 0, out + err
    assert out.splitlines()[-1] == f"{AGG}: changed: restored, verified and confirmed"
    assert f"report: {tmp_path / 'state'}" in out
    code, out, _err = cli(AGG, *state)
    assert out.splitlines()[-1] == (f"{AGG}: unchanged: running config already matches the backup: "
                                    "nothing to restore")
    code, out, _err = cli(AGG, *state, "-f", "json")
    assert code == 0 and json.loads(out) == {
        "device": AGG, "backup": {"commit": sha, "subject": json.loads(out)["backup"]["subject"]},
        "status": "unchanged", "reason": "", "commands": [], "unified": "", "halted": "", "report": None,
    }
    # kf-core-1's backup holds masked values the store cannot give back: refused before any SSH
    saved(repo)
    opened = len(fleet.events)
    code, out, err = cli(CORE1, *state, "--commit")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == f"error: {CORE1}: nothing pushed"
    assert "line 8: 'snmp-agent community read <secret hidden>'" in err
    assert len(fleet.events) == opened, "nothing was opened, nothing pushed"
    code, _out, err = cli("kf-core-9", *state)
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_cli_restore_without_a_repository_names_option_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in LOGIN.items():
        monkeypatch.setenv(key, value)
    code, _out, err = cli(CORE1)
    assert code == 2 and "give --repo DIR or set backup_repo in" in err


def test_git_show_reads_exactly_what_backup_wrote(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    sha = saved(repo)
    shown = subprocess.run(["git", "-C", str(repo), "show", f"{sha}:{CORE1}.cfg"], capture_output=True,
                           encoding="utf-8", check=True).stdout
    assert shown == (repo / f"{CORE1}.cfg").read_text(encoding="utf-8") == read_backup(repo, CORE1).text


def test_restore_help_has_an_example_and_exit_codes() -> None:
    result = CliRunner().invoke(app, ["restore", "-h"], terminal_width=200)
    assert result.exit_code == 0
    assert "Example: govnet restore kf-core-1 --from" in result.stdout
    assert "Exit codes: 0 restored" in result.stdout


def test_a_stray_record_is_never_pushed_and_bare_references_are_checked_too() -> None:
    text = "hostname x\n neighbor 10.0.0.2 password <secret hidden>\n description ${secret:GOVNET_LDP_KEY}\n"
    stray = {2: " neighbor 10.9.9.9 password ${secret:GOVNET_BGP_PASSWORD}"}  # not this line's record
    with pytest.raises(DeployError) as err:
        restorable_config(Backup(CORE1, "a" * 40, text, stray), SecretValues(STORE), lambda: None)
    assert str(err.value).splitlines() == [
        f"{CORE1}: backup aaaaaaaaaaaa line 2: 'neighbor 10.0.0.2 password <secret hidden>': the masked frr "
        "password cannot be resolved (no ${secret:NAME} recorded, no such line in the intended config)",
        f"{CORE1}: backup aaaaaaaaaaaa line 3: 'description ${{secret:GOVNET_LDP_KEY}}': secret "
        "GOVNET_LDP_KEY has no value in the credentials store (set GOVNET_LDP_KEY in the environment or "
        "the secrets file)",
        f"{CORE1}: nothing pushed",
    ]
    intended = " neighbor 10.0.0.2 password ${secret:GOVNET_BGP_PASSWORD}\n"
    store = SecretValues({**STORE, "GOVNET_LDP_KEY": "ldp-K3y-0000"})
    config = restorable_config(Backup(CORE1, "a" * 40, text, stray), store, lambda: intended)
    assert config.split("\n")[1:3] == [
        " neighbor 10.0.0.2 password ${secret:GOVNET_BGP_PASSWORD}", " description ${secret:GOVNET_LDP_KEY}"
    ]
