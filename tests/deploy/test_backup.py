"""``govnet backup``: masking with recorded secret references, duplicate lines reported and kept,
the repository option, one line per unreachable device (no traceback), one commit per change.

Devices are real FRR drivers against loopback ports that refuse or never greet (unreachable),
or the in-process FAKE fleet (:mod:`rollout_support`) where a device must answer; the repository
is real git.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rollout_support import FakeFleet
from typer.testing import CliRunner

from govnet.cli import app
from govnet.deploy import connection
from govnet.deploy.backup import (
    REFS_DIR,
    Duplicate,
    backup,
    backup_repository,
    commit_files,
    duplicate_lines,
    masked_backup,
)
from govnet.deploy.driver import DeployError
from govnet.deploy.mask import HIDDEN
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.secrets import REDACTED, SecretValues
from govnet.model import Network

ROOT = Path(__file__).resolve().parents[2]
CORE1, CORE2, AGG = "kf-core-1", "kf-core-2", "kf-agg-dongfenglu"
VALUES = {
    "GOVNET_BGP_PASSWORD": "bgp-Pa55-7f3k",
    "GOVNET_OSPF_KEY": "ospf-K3y-9q2w",
    "GOVNET_SNMP_COMMUNITY": "wr1te-C0mm-x8",
    "GOVNET_NTP_KEY": "ntp-K3y-55zz",
}
LOGIN = {"GOVNET_SSH_USER": "netadmin", "GOVNET_SSH_PASSWORD": "ssh-Pa55-k2k2"}
RUNNING = f"""hostname {CORE1}
service password-encryption
service password-encryption
service password-encryption
service password-encryption
service password-encryption
snmp-agent community write {VALUES["GOVNET_SNMP_COMMUNITY"]}
snmp-agent community read public-ro-1
interface eth1
 description to core-2 (key {VALUES["GOVNET_NTP_KEY"]})
 ip ospf message-digest-key 1 md5 {VALUES["GOVNET_OSPF_KEY"]}
exit
!
router bgp 65010
 neighbor 10.0.0.2 password {VALUES["GOVNET_BGP_PASSWORD"]}
 address-family ipv4 unicast
  neighbor 10.0.0.2 activate
 exit-address-family
 address-family ipv4 vpn
  neighbor 10.0.0.2 activate
 exit-address-family
exit
!
line vty
 password 8 Qz9xEnCrYpTeD
exit
!
end
"""


def secrets() -> SecretValues:
    return SecretValues(VALUES)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, encoding="utf-8", check=True)
    return proc.stdout


# -- masking with recorded references ----------------------------------------------------------

def test_masked_backup_holds_no_value_and_records_each_known_secret_by_name() -> None:
    saved = masked_backup(RUNNING, secrets())
    lines = saved.text.split("\n")
    assert not any(value in saved.text or value in json.dumps(saved.refs) for value in VALUES.values())
    assert lines[6] == f"snmp-agent community write {HIDDEN}"  # the write community too
    assert lines[7] == f"snmp-agent community read {HIDDEN}"  # not in the store: hidden, no reference
    assert lines[9] == f" description to core-2 (key {REDACTED})"  # only the second guard sees it
    assert lines[24] == f" password 8 {HIDDEN}"  # the device's own ciphertext: hidden, no reference
    assert saved.refs == {
        7: "snmp-agent community write ${secret:GOVNET_SNMP_COMMUNITY}",
        10: " description to core-2 (key ${secret:GOVNET_NTP_KEY})",
        11: " ip ospf message-digest-key 1 md5 ${secret:GOVNET_OSPF_KEY}",
        15: " neighbor 10.0.0.2 password ${secret:GOVNET_BGP_PASSWORD}",
    }
    unmasked = [n for n, (a, b) in enumerate(zip(RUNNING.split("\n"), lines, strict=True), 1) if a != b]
    assert unmasked == [7, 8, 10, 11, 15, 25], "every other line is kept exactly as printed"
    assert saved.files(CORE1)[f"{REFS_DIR}/{CORE1}.json"] is not None
    assert masked_backup("hostname x\n", secrets()).files("x") == {"x.cfg": "hostname x\n",
                                                                  f"{REFS_DIR}/x.json": None}


# -- duplicate lines -----------------------------------------------------------------------------

def test_duplicates_are_counted_per_block_and_separators_and_headers_never_count() -> None:
    assert duplicate_lines(RUNNING) == [Duplicate("service password-encryption", 5)]
    text = (
        "#\ninterface GE0/0/1\n description up\n shutdown\n description up\n#\n"
        "interface GE0/0/2\n description up\n#\n"
        "interface GE0/0/1\n shutdown\n#\n"
        "ip route-static 0.0.0.0 0 10.0.0.1\nip route-static 0.0.0.0 0 10.0.0.1\n"
        "#\nreturn\n"
    )
    assert sorted(duplicate_lines(text), key=lambda d: d.line) == [
        Duplicate(" description up", 2, "interface GE0/0/1"),
        Duplicate(" shutdown", 2, "interface GE0/0/1"),  # the block printed twice: one list
        Duplicate("ip route-static 0.0.0.0 0 10.0.0.1", 2),
    ]
    ce = "#\ninterface 10GE1/0/1\n undo portswitch\n#\n stelnet server enable\n stelnet server enable\n#\n"
    assert [d.describe() for d in duplicate_lines(ce)] == ["'stelnet server enable' printed 2 times"]
    nested = "router bgp 1\n address-family ipv4\n  network 10.0.0.0/8\n  network 10.0.0.0/8\n"
    assert [d.describe() for d in duplicate_lines(nested)] == [
        "'network 10.0.0.0/8' printed 2 times in 'router bgp 1 / address-family ipv4'"
    ]


# -- where the repository is ---------------------------------------------------------------------

def test_repository_from_the_option_or_the_inventory_never_a_silent_default(
    network: Network, inventory_copy: Path, tmp_path: Path
) -> None:
    from govnet.inventory import load_network

    assert backup_repository(tmp_path / "given", network) == tmp_path / "given"
    with pytest.raises(DeployError) as err:
        backup_repository(None, network)
    assert str(err.value) == (f"no backup repository: give --repo DIR or set backup_repo in "
                              f"{ROOT / 'inventory' / 'network.yaml'}")
    path = inventory_copy / "network.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "backup_repo: ../state/backups\n", encoding="utf-8")
    assert backup_repository(None, load_network(inventory_copy)) == inventory_copy / "../state/backups"
    path.write_text(text + "backup_repo: /srv/backups\n", encoding="utf-8")
    copy = load_network(inventory_copy)
    assert backup_repository(None, copy) == Path("/srv/backups")
    assert backup_repository(tmp_path, copy) == tmp_path, "--repo wins over the inventory"


def test_cli_without_repo_names_the_option_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in LOGIN.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["backup", "-i", str(ROOT / "inventory"), "--filter", f"name={CORE1}"])
    assert result.exit_code == 2
    assert result.output == (f"error: no backup repository: give --repo DIR or set backup_repo in "
                             f"{ROOT / 'inventory' / 'network.yaml'}\n")
    assert list(tmp_path.iterdir()) == [], "no ./backups made behind the user's back"


# -- unreachable devices: one line each, no traceback ----------------------------------------------

@pytest.fixture
def silent_ports() -> Iterator[tuple[int, int]]:
    """(a loopback port that refuses, one that accepts and closes without an SSH banner)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    refused = probe.getsockname()[1]
    probe.close()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except OSError:
                return
            peer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield refused, server.getsockname()[1]
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        server.close()
        thread.join(5)
        assert not thread.is_alive()


def test_unreachable_devices_are_one_line_each_with_address_and_keep_their_backup(
    network: Network, tmp_path: Path, silent_ports: tuple[int, int], capfd: pytest.CaptureFixture[str]
) -> None:
    refused, mute = silent_ports
    repo = tmp_path / "repo"
    commit_files(repo_init(repo), {f"{CORE1}.cfg": "hostname old\n"}, "first")
    before = git(repo, "rev-parse", "HEAD")
    target = DeployTarget(lab=True, lab_ports={CORE1: refused, CORE2: mute})
    report = backup(network, [CORE1, CORE2], repo, target)
    assert sorted(report.failed) == [CORE1, CORE2]
    assert report.failed[CORE1].startswith(f"127.0.0.1:{refused}: ")
    assert report.failed[CORE2].startswith(f"127.0.0.1:{mute}: ")
    assert all("\n" not in reason and len(reason) > 20 for reason in report.failed.values())
    assert "refused" in report.failed[CORE1], "the reason says what happened"
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "failed with traceback" not in out + err
    assert report.commit is None and not report.changed
    assert git(repo, "rev-parse", "HEAD") == before
    assert (repo / f"{CORE1}.cfg").read_text(encoding="utf-8") == "hostname old\n"


def repo_init(repo: Path) -> Path:
    from govnet.deploy.backup import ensure_repo

    ensure_repo(repo)
    return repo


# -- the whole command over the fake fleet ----------------------------------------------------------

@pytest.fixture
def fleet(network: Network, monkeypatch: pytest.MonkeyPatch) -> FakeFleet:
    fleet = FakeFleet(network)
    fleet.running[CORE1] = RUNNING
    fleet.running[AGG] = f"hostname {AGG}\n!\nend\n"
    fleet.fault(CORE2, "open")
    monkeypatch.setattr(connection, "driver_class", fleet.driver_class)
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    for key, value in {**VALUES, **LOGIN}.items():
        monkeypatch.setenv(key, value)
    return fleet


def run_backup(repo: Path) -> tuple[int, str, str]:
    args = ["backup", "-i", str(ROOT / "inventory"), "--repo", str(repo),
            "--filter", f"name={CORE1},{CORE2},{AGG}"]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_backup_reports_unreachable_and_duplicates_and_commits_once_per_change(
    fleet: FakeFleet, tmp_path: Path
) -> None:
    repo = tmp_path / "backups"
    code, out, err = run_backup(repo)
    assert code == 1, out + err
    assert err.splitlines() == [
        f"{CORE2}: unreachable at 10.240.0.10:22: cannot open SSH to 10.240.0.10: refused"
    ]
    assert out.splitlines() == [
        f"{CORE1}: duplicate line 'service password-encryption' printed 5 times (kept as printed)",
        f"backup {repo}: 2 of 3 device(s) read, 2 changed, 0 unchanged, 1 unreachable, "
        f"1 with duplicate lines; commit {git(repo, 'rev-parse', 'HEAD')[:12]}",
    ]
    saved = (repo / f"{CORE1}.cfg").read_text(encoding="utf-8")
    assert saved.count("service password-encryption\n") == 5, "kept as the device printed it"
    refs = json.loads((repo / REFS_DIR / f"{CORE1}.json").read_text(encoding="utf-8"))
    assert refs["lines"]["15"] == " neighbor 10.0.0.2 password ${secret:GOVNET_BGP_PASSWORD}"
    assert not (repo / REFS_DIR / f"{AGG}.json").exists()
    assert sorted(git(repo, "ls-files").split()) == [f"{AGG}.cfg", f"{CORE1}.cfg", f"{REFS_DIR}/{CORE1}.json"]
    history = git(repo, "log", "-p")
    assert not any(value in history for value in VALUES.values())
    # a second run changes nothing: no commit; a device that changed: one more commit
    code, out, _err = run_backup(repo)
    assert "0 changed, 2 unchanged" in out and "commit none (nothing changed)" in out
    fleet.running[CORE1] = RUNNING.replace(" neighbor 10.0.0.2 password", " neighbor 10.0.0.3 password")
    fleet.running[AGG] = f"hostname {AGG}\nip forwarding\n!\nend\n"
    code, out, _err = run_backup(repo)
    assert "2 changed, 0 unchanged" in out
    assert len(git(repo, "log", "--format=%H").split()) == 2
    assert git(repo, "show", "--stat", "--format=%s", "HEAD").splitlines()[0].endswith("2 device(s) changed")
    refs = json.loads((repo / REFS_DIR / f"{CORE1}.json").read_text(encoding="utf-8"))
    assert refs["lines"]["15"] == " neighbor 10.0.0.3 password ${secret:GOVNET_BGP_PASSWORD}"
    # the secret gone from the device: its reference file goes too
    fleet.running[CORE1] = "hostname kf-core-1\n!\nend\n"
    run_backup(repo)
    assert sorted(git(repo, "ls-files").split()) == [f"{AGG}.cfg", f"{CORE1}.cfg"]
    assert git(repo, "status", "--porcelain") == ""


def test_json_report_splits_address_and_reason(fleet: FakeFleet, tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    args = ["backup", "-i", str(ROOT / "inventory"), "--repo", str(repo), "--filter", f"name={CORE1},{CORE2}"]
    result = CliRunner().invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report == {
        "repo": str(repo), "commit": git(repo, "rev-parse", "HEAD").strip(), "previous": None,
        "changed": [CORE1], "unchanged": [],
        "unreachable": {CORE2: {"address": "10.240.0.10:22",
                                "reason": "cannot open SSH to 10.240.0.10: refused"}},
        "duplicates": {CORE1: [{"line": "service password-encryption", "count": 5, "context": ""}]},
    }
    again = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert again["previous"] == report["commit"] and again["commit"] is None and again["unchanged"] == [CORE1]


def test_every_run_records_when_each_device_was_read_so_the_age_metric_stays_true(
    fleet: FakeFleet, tmp_path: Path
) -> None:
    """A run that changes nothing commits nothing but still notes the read: the backup-age metric
    (newest of commit and read) must not call an unchanged device's backup stale."""
    from govnet.monitor.backups import backup_times, commit_times, read_times

    repo = tmp_path / "backups"
    run_backup(repo)
    committed = commit_times(repo)
    first = read_times(repo)
    assert sorted(first) == [AGG, CORE1] and CORE2 not in first  # the unreachable one: not read
    time.sleep(1.1)
    _code, out, _err = run_backup(repo)
    assert "commit none (nothing changed)" in out
    again = read_times(repo)
    assert again[CORE1] > first[CORE1] + 1 and again[AGG] > first[AGG] + 1
    assert commit_times(repo) == committed  # no new commit
    ages = backup_times(repo)
    assert ages[CORE1] == again[CORE1] > committed[CORE1]
    assert git(repo, "status", "--porcelain") == ""  # the record is kept out of git
