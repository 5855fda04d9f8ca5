"""Two operators, one network: the deploy lock names its holder, a live holder keeps it fresh, a
silent lock from another host is reported stale and is broken only by naming its holder."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_record import note
from typer.testing import CliRunner

from govnet.cli import app
from govnet.deploy import lock
from govnet.deploy.driver import DeployError
from govnet.deploy.lock import LockHeld, break_lock, holder_id, network_lock

ROOT = Path(__file__).resolve().parents[2]
NET = "kaifu-extranet"
FOREIGN = "ops@noc-old pid 4711 since 2026-12-06T20:00:00Z"


def _foreign_lock(state: Path, age: float) -> Path:
    state.mkdir(parents=True, exist_ok=True)
    path = state / f"{NET}.lock"
    path.write_text(FOREIGN + "\n", encoding="utf-8")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_a_second_commit_is_refused_naming_the_live_holder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    state_root = tmp_path / "state"
    state = state_root / "production" / NET
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from govnet.deploy.lock import network_lock\n"
         f"with network_lock(Path({str(state)!r}), {NET!r}):\n print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, encoding="utf-8", env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("GOVNET_SSH_USER", "netadmin")
        monkeypatch.setenv("GOVNET_SSH_PASSWORD", "lock-test-only")
        monkeypatch.delenv("GOVNET_SECRETS", raising=False)
        args = ["deploy", "-i", str(ROOT / "inventory"), "--filter", "name=kf-core-1", "--commit",
                "--state-dir", str(state_root)]
        result = CliRunner().invoke(app, args)
        who = f"{getpass.getuser()}@{socket.gethostname()} pid {holder.pid} since "
        assert result.exit_code == 2, result.output
        assert f"a deploy to {NET} is already running ({who}" in result.output
        assert "STALE" not in result.output
        assert not list(state.glob("*.pending.json")) and not (state / "reports").exists()
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    note(request.node.name, "two operators: a second `deploy --commit` while a deploy runs", "any target", 1,
         "refused (exit 2) naming user@host pid and start time; nothing contacted or written", 0)


def test_a_silent_lock_from_another_host_is_reported_stale_and_only_broken_by_name(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = _foreign_lock(tmp_path, age=7200.0)
    with pytest.raises(LockHeld) as err, network_lock(tmp_path, NET):
        pass
    text = str(err.value)
    assert text.startswith(f"a deploy to {NET} is already running ({FOREIGN}); lock file {path}: "
                           "it looks STALE")
    assert "no heartbeat from noc-old for 2 h 0 min" in text and "'ops@noc-old pid 4711'" in text
    assert path.read_text(encoding="utf-8").strip() == FOREIGN  # detected, never taken by itself
    with pytest.raises(LockHeld, match="held by 'ops@noc-old pid 4711', not 'ops@noc-old pid 4712'"):
        break_lock(tmp_path, NET, "ops@noc-old pid 4712")
    assert path.exists()
    assert break_lock(tmp_path, NET, "ops@noc-old pid 4711") == f"broke the deploy lock of {NET} ({FOREIGN})"
    with network_lock(tmp_path, NET) as taken:
        me = f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()}"
        assert holder_id(taken.read_text(encoding="utf-8")) == me
    with pytest.raises(DeployError, match="nothing to break"):
        break_lock(tmp_path, NET, "ops@noc-old pid 4711")
    note(request.node.name, "stale lock from a dead host (no heartbeat for 2 h)", "any target", 1,
         "refused and reported STALE with the holder and how long it has been silent; broken only "
         "when the operator names that holder; then taken", 0)


@pytest.mark.parametrize("age", [60.0, lock.STALE_AFTER_S - 30, -86400.0],
                         ids=["1min", "just-fresh", "future"])
def test_a_recent_or_future_heartbeat_is_never_called_stale(tmp_path: Path, age: float) -> None:
    _foreign_lock(tmp_path, age=age)
    with pytest.raises(LockHeld) as err, network_lock(tmp_path, NET):
        pass
    assert "STALE" not in str(err.value)
    assert str(err.value).endswith(f"lock file {tmp_path / (NET + '.lock')}")


def test_a_live_local_holder_cannot_be_broken(tmp_path: Path) -> None:
    with network_lock(tmp_path, NET) as path:
        me = holder_id(path.read_text(encoding="utf-8"))
        with pytest.raises(LockHeld, match="held by a running process of this host"):
            break_lock(tmp_path, NET, me)
        assert path.exists()
    assert not path.exists()


def test_a_held_lock_keeps_its_heartbeat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "HEARTBEAT_S", 0.05)
    with network_lock(tmp_path, NET) as path:
        old = time.time() - 3600
        os.utime(path, (old, old))
        deadline = time.monotonic() + 5
        while lock.heartbeat_age(path) > 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.heartbeat_age(path) < 60
