"""`lab down` after a crashed or failed `lab up` still removes everything govnet made."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govnet.lab import frr
from govnet.lab.down import lab_down
from govnet.lab.errors import CommandError
from govnet.lab.netns import list_netns, root_links
from govnet.lab.procs import pid_alive
from govnet.lab.state import LabState
from govnet.lab.topology import MGMT_BRIDGE, LabNode
from govnet.lab.up import lab_up

from .lab_helpers import INVENTORY, ROOT, SMALL_TWIN, lab_processes, require_lab

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _prerequisites() -> None:
    require_lab()  # in CI a missing prerequisite fails, never skips


def _assert_clean(recorded_pids: list[int], workdir: Path) -> None:
    time.sleep(1)  # anything a killed `up` left in flight would have daemonized by now
    assert not lab_processes(workdir)
    assert not [n for n in list_netns() if n.startswith("gn-")]
    assert MGMT_BRIDGE not in root_links()
    assert not [n for n in root_links() if n.startswith("gn-m")]
    assert not [p for p in recorded_pids if pid_alive(p)]
    assert not [d for d in SMALL_TWIN if (frr.FRR_ETC / d).exists() or (frr.FRR_RUN / d).exists()]


def test_down_after_up_was_killed_midway(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "from govnet.cli.lab import lab_app; lab_app()", "up", "--provisioned",
            "--devices", ",".join(SMALL_TWIN), "--workdir", str(tmp_path), "--inventory", str(INVENTORY)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    state_file = tmp_path / "state.json"
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                state = json.loads(state_file.read_text())
            except (OSError, ValueError):
                state = {}
            pids = [p["pid"] for p in state.get("processes", [])]
            if len(pids) >= 4:  # some daemons running, the boot far from done
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        state = json.loads(state_file.read_text())
        pids = [p["pid"] for p in state["processes"]]
        assert state["phase"] == "booting" and state["netns"]
    finally:
        lab_down(tmp_path, echo=lambda _m: None)
    _assert_clean(pids, tmp_path)


def test_failed_up_cleans_up_after_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = frr.start_daemon

    def flaky_start(node: LabNode, daemon: str, state: LabState) -> int:
        if node.name == "kf-agg-qingshuitang" and daemon == "bgpd":
            raise CommandError(["bgpd"], 1, "simulated daemon failure")
        return real_start(node, daemon, state)

    monkeypatch.setattr(frr, "start_daemon", flaky_start)
    messages: list[str] = []
    with pytest.raises(CommandError, match="simulated"):
        lab_up(INVENTORY, tmp_path, provisioned=True, devices=SMALL_TWIN, echo=messages.append)
    assert any("removing what was started" in m for m in messages)
    assert not (tmp_path / "state.json").exists()
    _assert_clean([], tmp_path)
