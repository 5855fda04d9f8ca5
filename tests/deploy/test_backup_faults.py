"""Backup repository faults: locked, read-only, disk full. Each run fails loudly with
one ``error:`` line, exits non-zero, and keeps what it had: the previous files, index and commits
(``git fsck`` clean, same HEAD, same bytes, no stray temporary file).

Real git on real filesystems: a read-only bind mount and a small tmpfs this test mounts and
unmounts (root; in CI a missing root fails, elsewhere it skips). Devices: the FAKE fleet.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_record import note
from rollout_support import FakeFleet

from deploy.test_backup import AGG, CORE1, RUNNING, fleet, git, run_backup  # noqa: F401  (fleet: fixture)
from govnet.monitor.backups import backup_times

TMPFS_BYTES = 1 << 20


def need_root() -> None:
    if os.geteuid() != 0:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("mounting a tmpfs needs root")


def snapshot(repo: Path) -> dict[str, object]:
    """Everything a failed run must leave as it was."""
    files = {p.relative_to(repo).as_posix(): p.read_bytes()
             for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    return {
        "head": git(repo, "rev-parse", "HEAD"),
        "commits": git(repo, "rev-list", "--count", "HEAD"),
        "files": files,
        "index": (repo / ".git" / "index").read_bytes(),
        "status": git(repo, "--no-optional-locks", "status", "--porcelain"),
        "backup_times": backup_times(repo),
    }


def assert_kept(repo: Path, before: dict[str, object]) -> None:
    """Nothing changed, and the NOC's backup age did not move: ``govnet_config_backup_timestamp_seconds``
    (from :func:`backup_times`) keeps each device's last real backup, so the stale-backup alert
    (GovnetConfigBackupStale, 26 h) fires if the failures go on."""
    assert snapshot(repo) == before
    assert backup_times(repo) == before["backup_times"]
    fsck = subprocess.run(["git", "-C", str(repo), "fsck", "--no-dangling"], capture_output=True,
                          encoding="utf-8")
    assert fsck.returncode == 0, fsck.stderr


def fails_loudly(repo: Path, *words: str) -> str:
    code, out, err = run_backup(repo)
    assert code == 2, out + err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: backup repository {repo}"), err
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


@pytest.fixture
def repo(fleet: FakeFleet, tmp_path: Path) -> Path:  # noqa: F811  (the imported fixture)
    """A backup repository with one backup commit, the devices since changed."""
    repo = tmp_path / "backups"
    assert run_backup(repo)[0] == 1  # kf-core-2 is unreachable (the fleet's "open" fault)
    fleet.running[CORE1] = RUNNING.replace("hostname", "hostname  ")
    fleet.running[AGG] = f"hostname {AGG}\nip forwarding\n!\nend\n"
    return repo


def test_a_held_index_lock_stops_the_run_before_any_device_is_read(
    repo: Path, fleet: FakeFleet, request: pytest.FixtureRequest  # noqa: F811
) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    before = snapshot(repo)
    opened = len(fleet.order("open"))
    line = fails_loudly(repo, f"is locked: {lock} exists", "nothing written")
    assert "Traceback" not in line
    assert len(fleet.order("open")) == opened, "no device read while the repository is locked"
    assert_kept(repo, before)
    lock.unlink()
    assert "2 changed" in run_backup(repo)[1]
    note(request.node.name, "backup repository locked (git index.lock held)", "FAKE fleet, real git", 1,
         "failed in one error line before any device was read; files, index, commits and backup age "
         "kept; the next run backed up", 0)


def test_a_branch_locked_at_commit_time_puts_the_old_files_back(
    repo: Path, request: pytest.FixtureRequest
) -> None:
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    ref_lock = repo / ".git" / "refs" / "heads" / f"{branch}.lock"
    ref_lock.write_text("", encoding="utf-8")
    before = snapshot(repo)
    fails_loudly(repo, "git commit failed", "cannot lock ref", "nothing committed, the previous backup")
    assert_kept(repo, before)
    assert not [p for p in repo.rglob("*.govnet-*") if p.is_file()], "no temporary file left"
    ref_lock.unlink()
    assert "2 changed" in run_backup(repo)[1]
    note(request.node.name, "backup repository locked at commit time (branch ref lock held)",
         "FAKE fleet, real git", 1, "failed in one error line; the swapped files put back, no temporary "
         "file, HEAD and backup age kept (git fsck clean); the next run backed up", 0)


@pytest.fixture
def read_only(repo: Path, tmp_path: Path) -> Iterator[Path]:
    """``repo`` bind-mounted read-only (unmounted even when the test fails)."""
    need_root()
    view = tmp_path / "read-only"
    view.mkdir()
    subprocess.run(["mount", "--bind", str(repo), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True)


def test_a_read_only_repository_fails_in_one_line_and_keeps_everything(
    read_only: Path, repo: Path, request: pytest.FixtureRequest
) -> None:
    before = snapshot(repo)
    fails_loudly(read_only, "Read-only file system", "nothing written")
    assert_kept(repo, before)
    note(request.node.name, "backup repository read-only (read-only bind mount)", "FAKE fleet, real git", 1,
         "failed in one error line naming the file system; files, commits and backup age kept", 0)


@pytest.fixture
def small_disk(fleet: FakeFleet, tmp_path: Path) -> Iterator[Path]:  # noqa: F811
    """A 1 MiB tmpfs holding a backup repository with one commit (unmounted at the end)."""
    need_root()
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "govnet-test", str(disk)],
                   check=True)
    try:
        assert run_backup(disk / "backups")[0] == 1
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def fill(disk: Path, leave_pages: int) -> Path:
    """Fill ``disk`` up, then free ``leave_pages`` pages: 0 and the new files cannot be written;
    3 and they can, but git's copy of them cannot (the run fails after the swap, which is undone)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\1" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave_pages * 4096))
    return filler


@pytest.mark.parametrize(("leave_pages", "phase"), [(0, f"cannot write {AGG}.cfg"), (3, "git add failed")],
                         ids=["full-at-write", "full-at-git"])
def test_a_full_disk_fails_in_one_line_and_keeps_everything(
    small_disk: Path, fleet: FakeFleet, leave_pages: int, phase: str, request: pytest.FixtureRequest  # noqa: F811
) -> None:
    repo = small_disk / "backups"
    noise = os.urandom(3000).hex()  # incompressible: git needs as much room as the file
    fleet.running[AGG] = f"hostname {AGG}\n! {noise}\n!\nend\n"
    before = snapshot(repo)
    filler = fill(small_disk, leave_pages)
    fails_loudly(repo, phase, "No space left on device", "nothing committed, the previous backup")
    assert_kept(repo, before)
    assert not [p for p in repo.rglob("*.govnet-*") if p.is_file()], "no temporary file left"
    filler.unlink()
    assert "1 changed" in run_backup(repo)[1], "the next run with room backs up"
    assert noise in (repo / f"{AGG}.cfg").read_text(encoding="utf-8")
    note(request.node.name, f"backup repository disk full ({request.node.callspec.id}: 1 MiB tmpfs)",
         "FAKE fleet, real git", 1, f"failed in one error line ({phase}: No space left on device); "
         "files, commits and backup age kept, no temporary file; the next run with room backed up", 0)
