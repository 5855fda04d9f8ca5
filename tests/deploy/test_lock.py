"""The deploy lock's small parts pinned exactly (mutation survivors of govnet/deploy/lock.py): the
holder line in UTC, who counts as alive, heartbeat age, and every refusal's words."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govnet.deploy import lock
from govnet.deploy.driver import DeployError
from govnet.deploy.lock import LockHeld, break_lock, heartbeat_age, network_lock, refusal


@pytest.fixture
def dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_holder_line_names_user_host_pid_and_a_utc_start(tmp_path: Path, shanghai: None) -> None:
    with network_lock(tmp_path, "kaifu") as path:
        text = path.read_text(encoding="utf-8")
    found = re.fullmatch(r"(\S+)@(\S+) pid (\d+) since (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\n", text)
    assert found and found[2] == socket.gethostname() and int(found[3]) == os.getpid()
    started = time.mktime(time.strptime(found[4], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone  # read as UTC
    assert abs(started - time.time()) < 60  # UTC, not Shanghai's local time (8 h off)


def test_a_live_process_is_alive_and_not_signalled(dead_pid: int) -> None:
    # SIGHUP back to its default (a nohup'd parent would pass it on ignored): any signal but 0 kills it
    sleeper = subprocess.Popen(
        ["sleep", "30"], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL)
    )
    try:
        assert lock._alive_here(sleeper.pid) is True
        time.sleep(0.1)
        assert sleeper.poll() is None  # signal 0 only asks; the process still runs
    finally:
        sleeper.kill()
        sleeper.wait()
    assert lock._alive_here(dead_pid) is False


def test_heartbeat_age_is_measured_from_the_files_mtime(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    path.write_text("x\n", encoding="utf-8")
    os.utime(path, (1_000_000.0, 1_000_000.0))
    assert heartbeat_age(path, now=1_000_000.0) == 0.0
    assert heartbeat_age(path, now=1_000_100.5) == 100.5
    assert heartbeat_age(path, now=999_000.0) == 0.0  # a heartbeat from the future: skew, not age
    assert heartbeat_age(path) > 1e9


def test_this_hosts_old_lock_is_never_called_stale_by_its_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "kaifu.lock"
    text = f"ops@{socket.gethostname()} pid {os.getpid()} since 2026-12-07T04:00:00Z"
    path.write_text(text + "\n", encoding="utf-8")
    os.utime(path, (1.0, 1.0))
    assert refusal(path, "kaifu", text) == f"a deploy to kaifu is already running ({text}); lock file {path}"


def test_another_hosts_silent_lock_is_explained_in_full(tmp_path: Path) -> None:
    path = tmp_path / "kaifu.lock"
    text = "ops@noc-9 pid 4711 since 2026-12-07T01:00:00Z"
    path.write_text(text + "\n", encoding="utf-8")
    os.utime(path, (time.time() - 7380, time.time() - 7380))
    assert refusal(path, "kaifu", text) == (
        f"a deploy to kaifu is already running ({text}); lock file {path}: it looks STALE: no heartbeat "
        f"from noc-9 for 2 h 3 min (a live deploy refreshes it every {lock.HEARTBEAT_S:g} s). If no govnet "
        "runs on noc-9 any more, break it naming its holder ('ops@noc-9 pid 4711'); the next deploy "
        "recovers any commit it left unconfirmed first"
    )


def test_break_lock_words_and_whose_process_counts(tmp_path: Path, dead_pid: int) -> None:
    path = tmp_path / "kaifu.lock"
    here = f"ops@{socket.gethostname()} pid {os.getpid()} since 2026-12-07T04:00:00Z"
    path.write_text(here + "\n", encoding="utf-8")
    with pytest.raises(LockHeld) as caught:
        break_lock(tmp_path, "kaifu", "ops@noc-9 pid 1")
    assert str(caught.value) == (
        f"the lock {path} is held by 'ops@{socket.gethostname()} pid {os.getpid()}', not 'ops@noc-9 pid 1'; "
        "nothing broken"
    )
    with pytest.raises(LockHeld) as caught:
        break_lock(tmp_path, "kaifu", f" ops@{socket.gethostname()} pid {os.getpid()} ")
    assert str(caught.value) == (
        f"the lock {path} is held by a running process of this host ({here}); stop that deploy instead"
    )
    # another host's lock whose pid happens to be alive here is still another host's: broken by name
    other = f"ops@noc-9 pid {os.getpid()} since 2026-12-07T04:00:00Z"
    path.write_bytes(other.encode() + b" \xff\n")  # a damaged byte does not stop the operator
    assert break_lock(tmp_path, "kaifu", f"ops@noc-9 pid {os.getpid()}").startswith(
        "broke the deploy lock of kaifu (ops@noc-9 pid"
    )
    assert not path.exists()
    with pytest.raises(DeployError, match=f"no deploy lock for kaifu in {tmp_path}: nothing to break"):
        break_lock(tmp_path, "kaifu", "x")


def test_a_damaged_lock_without_a_holder_is_refused_never_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "kaifu.lock"
    path.write_bytes(b"\x00garbled\n")
    with pytest.raises(LockHeld, match="already running"), network_lock(tmp_path, "kaifu"):
        pass
    assert path.read_bytes() == b"\x00garbled\n"


def test_a_process_of_another_user_counts_as_alive(tmp_path: Path) -> None:
    """``kill(pid, 0)`` on another user's live process raises EPERM: that process is alive (its
    lock is never taken over). Checked for real: a child dropped to ``nobody`` asks about this
    (root's) process; as a plain user, about PID 1."""
    if os.geteuid() != 0:
        assert lock._alive_here(1) is True
        return
    parent = os.getpid()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child
        code = 4
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                os.kill(parent, 0)
                code = 3  # not the EPERM this test is about
            except PermissionError:
                code = 0 if lock._alive_here(parent) is True else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 0


def test_a_heartbeat_exactly_stale_after_s_old_is_called_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The boundary second: a lock silent for exactly STALE_AFTER_S looks stale, a tenth less does not."""
    path = tmp_path / "kaifu.lock"
    text = "ops@far-host pid 4242 since 2026-12-07T01:00:00Z"
    path.write_text(text + "\n", encoding="utf-8")
    mtime = path.stat().st_mtime
    monkeypatch.setattr("govnet.deploy.lock.time.time", lambda: mtime + lock.STALE_AFTER_S)
    assert "looks STALE: no heartbeat from far-host for 10 min" in refusal(path, "kaifu", text)
    monkeypatch.setattr("govnet.deploy.lock.time.time", lambda: mtime + lock.STALE_AFTER_S - 0.1)
    assert refusal(path, "kaifu", text) == f"a deploy to kaifu is already running ({text}); lock file {path}"


def test_the_heartbeat_keeps_beating_after_a_passing_storage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One failed refresh (EIO on a flaky share) does not stop the heartbeat: the next beat
    refreshes the lock again, so a live deploy is not made to look stale by one error."""
    monkeypatch.setattr(lock, "HEARTBEAT_S", 0.05)
    real_utime = os.utime
    calls: list[str] = []

    def flaky_utime(target: Path) -> None:
        calls.append("fail" if not calls else "ok")
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        real_utime(target)

    monkeypatch.setattr("govnet.deploy.lock.os.utime", flaky_utime)
    with network_lock(tmp_path, "kaifu") as path:
        real_utime(path, (1.0, 1.0))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and path.stat().st_mtime == 1.0:
            time.sleep(0.02)
        refreshed = path.stat().st_mtime
    assert calls[0] == "fail" and "ok" in calls
    assert refreshed > 1.0
