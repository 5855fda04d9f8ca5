"""``govnet backup`` pinned exactly, for mutation testing: the reference file's bytes, the JSON
report, git's error line and the failing verb, the kept-backup message, the private index, the
swap that puts old files back, the read-time record behind the backup-age metric, and one line
per unreadable device.

Real git in ``tmp_path``; devices: the in-process FAKE fleet of ``rollout_support`` (not an
emulation of any vendor) and a loopback port that refuses.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rollout_support import FakeFleet

from deploy.test_backup import AGG, CORE1, CORE2, LOGIN, VALUES, fleet, git  # noqa: F401  (fleet: fixture)
from govnet.deploy.backup import (
    AUTHOR,
    LAST_READ,
    REFS_DIR,
    BackupError,
    BackupReport,
    DeviceBackup,
    Duplicate,
    _git,
    _git_error,
    _one_line,
    backup,
    backup_repository,
    commit_files,
    duplicate_lines,
    ensure_repo,
    fetch_backups,
    head,
    masked_backup,
    record_reads,
)
from govnet.deploy.driver import DeployError
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.secrets import SecretValues
from govnet.model import Network


def new_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "backups"
    ensure_repo(repo)
    return repo


def leftovers(repo: Path) -> list[str]:
    """Temporary files a run must never leave (``.new``/``.old`` swaps, private index, probes)."""
    return sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".govnet-" in p.name)


def branch_lock(repo: Path) -> Path:
    """Hold the branch's ref lock as a concurrent git would: the next commit fails."""
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    lock = repo / ".git" / "refs" / "heads" / f"{branch}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("", encoding="utf-8")
    return lock


# -- what a device printed ---------------------------------------------------------------------

def test_a_duplicate_says_where_it_was_printed() -> None:
    assert Duplicate(" shutdown", 3, "interface GE0/0/1").describe() == (
        "'shutdown' printed 3 times in 'interface GE0/0/1'")
    assert Duplicate("ntp server 10.0.0.1  ", 2).describe() == "'ntp server 10.0.0.1' printed 2 times"


def test_an_indented_separator_does_not_close_the_block_but_one_at_column_0_does() -> None:
    text = "interface a\n description x\n !\n description x\n!\n description x\n"
    assert duplicate_lines(text) == [Duplicate(" description x", 2, "interface a")]
    # the header's next line is a separator: the next real line decides it is a block
    assert duplicate_lines("interface b\n!\n shutdown\n shutdown\n") == [Duplicate(" shutdown", 2)]
    assert duplicate_lines("a\nb\na\n") == [Duplicate("a", 2)]
    assert duplicate_lines("a\nb\n") == []
    # a deeper line pops back to its own level: siblings at the same indent are not nested
    assert duplicate_lines("x\n y\n z\n y\n") == [Duplicate(" y", 2, "x")]
    # a block printed twice in a row, with no separator: the second header closes the first
    twice = "router bgp 1\n address-family ipv4\n  network n\n address-family ipv4\n  network n\n"
    assert duplicate_lines(twice) == [Duplicate("  network n", 2, "router bgp 1 / address-family ipv4")]
    # a blank line between a header and its lines does not make the header a plain line
    assert duplicate_lines("interface a\n\n x\n x\n") == [Duplicate(" x", 2, "interface a")]


def test_each_line_that_held_a_secret_is_numbered_from_1() -> None:
    saved = masked_backup("hostname a\nsnmp-agent community write s3cr3t-w\n",
                          SecretValues({"GOVNET_SNMP_COMMUNITY": "s3cr3t-w"}))
    assert saved.refs == {2: "snmp-agent community write ${secret:GOVNET_SNMP_COMMUNITY}"}
    assert saved.text == "hostname a\nsnmp-agent community write <secret hidden>\n"


def test_the_reference_file_is_exact_json_ordered_by_line_number() -> None:
    files = DeviceBackup("x\n", {10: " key ${secret:GOVNET_A} 密", 2: " a ${secret:GOVNET_B}"}).files("dev")
    assert list(files) == ["dev.cfg", "secret-refs/dev.json"]
    assert files["dev.cfg"] == "x\n"
    assert files["secret-refs/dev.json"] == (
        '{\n "device": "dev",\n "lines": {\n  "2": " a ${secret:GOVNET_B}",\n'
        '  "10": " key ${secret:GOVNET_A} 密"\n }\n}\n'
    )
    assert DeviceBackup("x\n").files("dev") == {"dev.cfg": "x\n", "secret-refs/dev.json": None}


def test_the_json_report_names_every_field_and_splits_address_from_reason() -> None:
    report = BackupReport(
        Path("/srv/b"), commit="c2", previous="c1", changed=["a"], unchanged=["b"],
        failed={"z": "10.0.0.2:22: cannot open SSH to 10.0.0.2: refused", "m": "no-colon-here"},
        duplicates={"y": [Duplicate("l", 2)], "d": [Duplicate(" s", 3, "i")]},
    )
    doc = report.to_dict()
    assert doc == {
        "repo": "/srv/b", "commit": "c2", "previous": "c1", "changed": ["a"], "unchanged": ["b"],
        "unreachable": {"m": {"address": "no-colon-here"},
                        "z": {"address": "10.0.0.2:22", "reason": "cannot open SSH to 10.0.0.2: refused"}},
        "duplicates": {"d": [{"line": " s", "count": 3, "context": "i"}],
                       "y": [{"line": "l", "count": 2, "context": ""}]},
    }
    assert list(doc["unreachable"]) == ["m", "z"] and list(doc["duplicates"]) == ["d", "y"]


# -- one line per device that could not be read -----------------------------------------------------

def test_a_device_error_is_one_line_without_its_own_name_and_other_errors_name_their_type() -> None:
    assert _one_line(DeployError(f"{CORE1}: cannot open SSH\n   to  x"), CORE1) == "cannot open SSH to x"
    assert _one_line(RuntimeError(f"{CORE1}: bad\tframe"), CORE1) == "RuntimeError: bad frame"
    assert _one_line(RuntimeError(f"{CORE2}: bad"), CORE1) == f"RuntimeError: {CORE2}: bad"
    assert _one_line(TimeoutError(), CORE1) == "TimeoutError"
    long = _one_line(DeployError("x" * 400), CORE1)
    assert long == "x" * 300


def test_only_the_named_devices_are_read_and_every_session_is_closed(
    network: Network, fleet: FakeFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.chdir(tmp_path)  # the model given is used: no ./inventory to fall back on
    fleet.running[AGG] = f"hostname {AGG}\n!\nend\n"
    fleet.running[CORE1] = None  # type: ignore[assignment]  # the read fails after the session opened
    names = [AGG, CORE1, CORE2, "kf-no-such-device"]
    fetched, failed = fetch_backups(network, names, DeployTarget(), workers=1)
    assert sorted(fetched) == [AGG] and fetched[AGG].text == f"hostname {AGG}\n!\nend\n"
    assert sorted(failed) == [CORE1, CORE2]
    assert failed[CORE2] == "10.240.0.10:22: cannot open SSH to 10.240.0.10: refused"
    assert failed[CORE1].startswith("10.240.0.9:22: AttributeError: ")
    assert sorted(set(fleet.order("open"))) == [AGG, CORE1, CORE2], "no other device is contacted"
    assert fleet.actions(CORE1) == ["open", "close"] and fleet.actions(AGG) == ["open", "close"]


def test_a_port_that_refuses_is_one_line_with_the_lab_address_and_no_commit(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {**VALUES, **LOGIN}.items():
        monkeypatch.setenv(key, value)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    refused = probe.getsockname()[1]
    probe.close()
    repo = tmp_path / "backups"
    report = backup(network, [CORE1], repo, DeployTarget(lab=True, lab_ports={CORE1: refused}))
    reason = report.failed[CORE1]
    assert reason.startswith(f"127.0.0.1:{refused}: ") and "refused" in reason and "\n" not in reason
    assert not reason.removeprefix(f"127.0.0.1:{refused}: ").startswith(f"{CORE1}: ")
    assert (report.commit, report.changed, report.unchanged, head(repo)) == (None, [], [], None)
    assert not (repo / LAST_READ).exists() or json.loads((repo / LAST_READ).read_text(encoding="utf-8")) == {}


@pytest.fixture
def east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local time 8 hours ahead of UTC (POSIX TZ rule: no time zone data needed)."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_backup_commits_what_changed_records_reads_and_reports_duplicates(
    network: Network, fleet: FakeFleet, tmp_path: Path, east_of_utc: None  # noqa: F811
) -> None:
    repo = tmp_path / "backups"
    started = time.time()
    fleet.running[AGG] = f"hostname {AGG}\n!\nend\n"
    report = backup(network, [CORE1, AGG, CORE2], repo, DeployTarget(), workers=2)
    assert report.repo == repo and report.previous is None
    assert report.commit == head(repo) and report.commit is not None
    assert (report.changed, report.unchanged) == ([AGG, CORE1], [])
    assert report.failed == {CORE2: "10.240.0.10:22: cannot open SSH to 10.240.0.10: refused"}
    assert report.duplicates == {CORE1: [Duplicate("service password-encryption", 5)]}
    message = git(repo, "log", "-1", "--format=%B")
    first, blank, *names = message.rstrip("\n").split("\n")
    assert first.startswith("backup ") and first.endswith("Z: 2 device(s) changed") and blank == ""
    stamp = datetime.strptime(first[len("backup "):-len(": 2 device(s) changed")], "%Y-%m-%d %H:%M:%SZ")
    assert abs(stamp.replace(tzinfo=UTC).timestamp() - started) < 30, "the stamp is UTC, not local time"
    assert names == [AGG, CORE1]
    files = sorted(git(repo, "ls-files").split())
    assert files == [f"{AGG}.cfg", f"{CORE1}.cfg", f"secret-refs/{CORE1}.json"]
    reads = json.loads((repo / LAST_READ).read_text(encoding="utf-8"))
    assert sorted(reads) == [AGG, CORE1]
    fleet.running[AGG] = f"hostname {AGG}\nip forwarding\n!\nend\n"
    again = backup(network, [CORE1, AGG], repo, DeployTarget())
    assert (again.changed, again.unchanged, again.previous) == ([AGG], [CORE1], report.commit)
    assert git(repo, "log", "-1", "--format=%B").rstrip("\n").split("\n")[1:] == ["", AGG]
    assert not any(v in git(repo, "log", "-p") for v in VALUES.values())


# -- git's answer -------------------------------------------------------------------------------

def test_an_inventory_without_network_yaml_is_named_in_the_error(network: Network, tmp_path: Path) -> None:
    with pytest.raises(DeployError) as err:
        backup_repository(None, replace(network, source_dir=tmp_path))
    assert str(err.value) == (f"no backup repository: give --repo DIR or set backup_repo in "
                              f"{tmp_path / 'network.yaml'}")


def test_the_setting_is_read_from_network_yml_too(network: Network, inventory_copy: Path) -> None:
    text = (inventory_copy / "network.yaml").read_text(encoding="utf-8")
    (inventory_copy / "network.yaml").unlink()
    (inventory_copy / "network.yml").write_text(text + "backup_repo: saved\n", encoding="utf-8")
    assert backup_repository(None, replace(network, source_dir=inventory_copy)) == inventory_copy / "saved"


def test_git_error_prefers_the_fatal_or_error_line_and_strips_its_label() -> None:
    assert _git_error("hint: a\nfatal: Unable to create '/r/.git/index.lock': File exists.\n") == (
        "Unable to create '/r/.git/index.lock': File exists")
    assert _git_error("warning: w\n  error: could not write.  \nfatal: later\n") == "could not write"
    assert _git_error("\n   \n  first line.\nsecond\n") == "first line"
    assert _git_error("fatal: error: both.\n") == "both"
    assert _git_error("fatal: not a git repository: /srv/BOX.\n") == "not a git repository: /srv/BOX"
    assert _git_error("") == ""
    assert _git_error("fatal: " + "y" * 400) == "y" * 300


def test_git_names_the_verb_after_the_config_options(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    with pytest.raises(BackupError) as err:
        _git(repo, "-c", "user.name=x", "-c", "user.email=y", "frobnicate", "-q")
    assert str(err.value) == (f"backup repository {repo}: git frobnicate failed: "
                              "git: 'frobnicate' is not a git command. See 'git --help'")
    with pytest.raises(BackupError) as err:
        _git(repo, "--no-pager", "cat-file", "-t", "0" * 40)
    assert str(err.value).startswith(f"backup repository {repo}: git cat-file failed: ")


def test_git_runs_with_the_callers_environment_and_the_extra_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_repo(tmp_path)
    index = tmp_path / "private-index"
    assert _git(repo, "rev-parse", "--git-path", "index", env={"GIT_INDEX_FILE": str(index)}) == f"{index}\n"
    assert _git(repo, "rev-parse", "--git-path", "index") == ".git/index\n"
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "govnet.probe")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "from-environ")
    assert _git(repo, "config", "govnet.probe", env={"GIT_INDEX_FILE": str(index)}) == "from-environ\n"


def test_head_is_none_before_the_first_backup(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    assert head(repo) is None
    _paths, commit = commit_files(repo, {"a.cfg": "a\n"}, "m")
    assert commit == head(repo) == git(repo, "rev-parse", "HEAD").strip() and len(commit or "") == 40


# -- the repository ------------------------------------------------------------------------------

def test_ensure_repo_creates_nested_directories_and_leaves_no_probe(tmp_path: Path) -> None:
    repo = tmp_path / "a" / "b" / "backups"
    ensure_repo(repo)
    assert git(repo, "rev-parse", "--show-toplevel").strip() == str(repo)
    assert sorted(p.name for p in repo.iterdir()) == [".git"] and leftovers(repo) == []
    ensure_repo(repo)  # an existing repository is taken as it is
    assert head(repo) is None


def test_a_path_under_a_file_cannot_be_a_repository(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    repo = tmp_path / "file" / "backups"
    with pytest.raises(BackupError) as err:
        ensure_repo(repo)
    assert str(err.value) == f"backup repository {repo}: cannot create it: Not a directory"


def test_a_folder_that_cannot_take_a_file_is_named(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    probe = repo / ".git" / f".govnet-probe-{os.getpid()}"
    probe.mkdir()  # the probe cannot be created and removed as a file there
    with pytest.raises(BackupError) as err:
        ensure_repo(repo)
    assert str(err.value) == (f"backup repository {repo}: cannot write in {repo / '.git'}: Is a directory; "
                              "nothing written")
    assert not (repo / f".govnet-probe-{os.getpid()}").exists(), "the repository folder's probe is removed"


def test_a_held_index_lock_is_named_and_refused(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    lock = repo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    with pytest.raises(BackupError) as err:
        ensure_repo(repo)
    assert str(err.value) == (
        f"backup repository {repo} is locked: {lock} exists (a git command is running there, or "
        "one crashed: remove the file once no git runs); nothing written")


def test_a_commit_writes_adds_and_removes_only_the_given_files_with_the_backup_author(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)  # a hook that refuses: a backup does not run hooks
    (repo / "notes.txt").write_text("the operator's own file\n", encoding="utf-8")
    files = {"b.cfg": "b\n", "a.cfg": "a\n", "secret-refs/a.json": "{}\n", "gone.cfg": None}
    changed, first = commit_files(repo, files, "run 1\n\nbody")
    assert changed == ["a.cfg", "b.cfg", "secret-refs/a.json"] and first == head(repo)
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B").rstrip("\n") == (
        f"{AUTHOR}|govnet backup <govnet@localhost>|run 1\n\nbody")
    assert sorted(git(repo, "ls-files").split()) == ["a.cfg", "b.cfg", "secret-refs/a.json"]
    assert git(repo, "status", "--porcelain") == "?? notes.txt\n", "the real index matches the commit"
    changed, second = commit_files(repo, {"a.cfg": None, "b.cfg": "b\n", "c.cfg": None}, "run 2")
    assert changed == ["a.cfg"] and second == head(repo) != first
    assert not (repo / "a.cfg").exists() and git(repo, "ls-files").split() == ["b.cfg", "secret-refs/a.json"]
    assert git(repo, "status", "--porcelain") == "?? notes.txt\n"
    assert commit_files(repo, {"b.cfg": "b\n", "c.cfg": None}, "run 3") == ([], None)
    assert leftovers(repo) == []


def test_a_failed_commit_puts_every_old_file_back_and_keeps_the_previous_backup(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    _c, first = commit_files(repo, {"a.cfg": "a1\n", "b.cfg": "b1\n"}, "run 1")
    index = (repo / ".git" / "index").read_bytes()
    lock = branch_lock(repo)
    with pytest.raises(BackupError) as err:
        commit_files(repo, {"a.cfg": "a2\n", "b.cfg": None, "new.cfg": "n\n"}, "run 2")
    text = str(err.value)
    assert text.startswith(f"backup repository {repo}: git commit failed: ")
    assert text.endswith(f"; nothing committed, the previous backup ({(first or '')[:12]}) is intact")
    assert (repo / "a.cfg").read_text(encoding="utf-8") == "a1\n"
    assert (repo / "b.cfg").read_text(encoding="utf-8") == "b1\n"
    assert not (repo / "new.cfg").exists() and leftovers(repo) == []
    assert (repo / ".git" / "index").read_bytes() == index and head(repo) == first
    lock.unlink()
    assert commit_files(repo, {"a.cfg": "a2\n"}, "run 2")[0] == ["a.cfg"]


def test_a_file_name_that_looks_like_an_option_is_committed_as_a_file(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    assert commit_files(repo, {"-v.cfg": "x\n", "--all.cfg": "y\n"}, "m")[0] == ["--all.cfg", "-v.cfg"]
    assert sorted(git(repo, "ls-files").split()) == ["--all.cfg", "-v.cfg"]


def test_a_failed_add_on_the_first_run_is_one_error_and_leaves_no_file(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    held = repo / ".git" / f"index.govnet-{os.getpid()}.lock"  # the private index's lock, held
    held.write_text("", encoding="utf-8")
    with pytest.raises(BackupError) as err:
        commit_files(repo, {"a.cfg": "a\n"}, "run 1")
    assert str(err.value).startswith(f"backup repository {repo}: git add failed: Unable to create '{held}': ")
    assert str(err.value).endswith("; nothing committed, the previous backup (none) is intact")
    held.unlink()
    assert sorted(p.name for p in repo.iterdir()) == [".git"] and leftovers(repo) == []


def test_an_os_error_while_committing_is_named_by_its_reason(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    _c, first = commit_files(repo, {"a.cfg": "a1\n"}, "run 1")
    index = repo / ".git" / "index"
    index.unlink()
    index.mkdir()  # a damaged repository: its index a folder
    with pytest.raises(BackupError) as err:
        commit_files(repo, {"a.cfg": "a2\n"}, "run 2")
    assert str(err.value) == (f"backup repository {repo}: Is a directory; nothing committed, "
                              f"the previous backup ({(first or '')[:12]}) is intact")
    assert (repo / "a.cfg").read_text(encoding="utf-8") == "a1\n" and leftovers(repo) == []


def test_a_failed_first_commit_says_there_was_no_previous_backup(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    branch_lock(repo)
    with pytest.raises(BackupError) as err:
        commit_files(repo, {"a.cfg": "a\n"}, "run 1")
    assert str(err.value).endswith("; nothing committed, the previous backup (none) is intact")
    assert sorted(p.name for p in repo.iterdir()) == [".git"] and leftovers(repo) == []
    assert not (repo / ".git" / "index").exists()


def test_a_file_that_cannot_be_written_is_named_and_nothing_is_left(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    _c, first = commit_files(repo, {"a.cfg": "a1\n"}, "run 1")
    (repo / REFS_DIR).write_text("a file where the references' folder goes\n", encoding="utf-8")
    with pytest.raises(BackupError) as err:
        commit_files(repo, {"a.cfg": "a2\n", f"{REFS_DIR}/a.json": "{}\n"}, "run 2")
    assert str(err.value) == (f"backup repository {repo}: cannot write {REFS_DIR}/a.json: File exists; "
                              f"nothing committed, the previous backup ({(first or '')[:12]}) is intact")
    assert (repo / "a.cfg").read_text(encoding="utf-8") == "a1\n" and leftovers(repo) == []


# -- when each device was last read (the backup-age metric) ----------------------------------------

def test_read_times_are_merged_rounded_and_kept_out_of_git(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    exclude = repo / ".git" / "info" / "exclude"
    exclude.unlink()
    exclude.parent.rmdir()
    record_reads(repo, ["b", "a"], 1000.12345)
    path = repo / LAST_READ
    assert path.read_text(encoding="utf-8") == '{\n "a": 1000.123,\n "b": 1000.123\n}\n'
    assert exclude.read_text(encoding="utf-8") == "/.govnet/\n"
    record_reads(repo, ["a"], 2000.5)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 2000.5, "b": 1000.123}
    assert exclude.read_text(encoding="utf-8") == "/.govnet/\n", "listed once"
    assert sorted(p.name for p in path.parent.iterdir()) == ["last-read.json"]
    exclude.write_text("*.swp\n", encoding="utf-8")
    path.write_text("{not json", encoding="utf-8")
    record_reads(repo, ["c"], 3.0)
    assert json.loads(path.read_text(encoding="utf-8")) == {"c": 3.0}
    assert exclude.read_text(encoding="utf-8") == "*.swp\n/.govnet/\n"
    assert git(repo, "status", "--porcelain", "--ignored") == "!! .govnet/\n"


def test_read_times_that_cannot_be_written_are_one_error(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    (repo / ".govnet").write_text("", encoding="utf-8")
    with pytest.raises(BackupError) as err:
        record_reads(repo, ["a"], 1.0)
    assert str(err.value) == (f"backup repository {repo}: cannot record the read times in "
                              f"{repo / LAST_READ}: File exists (the backup itself is committed)")
    assert os.path.isfile(repo / ".govnet")

