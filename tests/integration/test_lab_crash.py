"""`lab down` after a crashed or failed `lab up` still removes everything govnet made."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govnet.lab import frr, sshd
from govnet.lab.down import abandoned, lab_down
from govnet.lab.errors import CommandError, ResourceTakenError
from govnet.lab.netns import list_netns, netns_pids, root_links
from govnet.lab.procs import pid_alive, process_start, read_pidfile
from govnet.lab.state import LabState, load_state
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


def test_abandoned_lab_is_named_and_reaped(tmp_path: Path) -> None:
    """A lab whose host's processes were all killed (a CI machine stopped hard) blocks the next
    `lab up`; the refusal names it abandoned, and `lab down --abandoned` removes it, while a live
    lab and a lab still booting in this process are left alone."""
    devices = ["kf-core-1", "kf-core-2"]
    dead, other = tmp_path / "dead", tmp_path / "other"
    lab = [sys.executable, "-c", "from govnet.cli.lab import lab_app; lab_app()"]
    up = [*lab, "up", "--devices", ",".join(devices), "--inventory", str(INVENTORY)]
    subprocess.run([*up, "--workdir", str(dead)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    try:
        state = load_state(dead)
        assert state is not None and state.phase == "up" and state.booted_by > 0
        assert not pid_alive(state.booted_by)  # the CLI that booted it has exited ...
        assert not abandoned(state)  # ... but its daemons run: a live lab, not litter
        victims = {p.pid for p in state.processes} | {p for n in state.netns for p in netns_pids(n)}
        victims |= {p for f in sshd.ssh_dir(dead).glob("sshd*.pid") if (p := read_pidfile(f))}
        assert len(victims) >= 2 * 4
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # the daemons this test started, as a hard stop kills them
        deadline = time.monotonic() + 10
        while any(pid_alive(p) for p in victims) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert abandoned(state)
        assert set(state.netns) <= set(list_netns())  # the litter a hard stop leaves

        with pytest.raises(ResourceTakenError) as refused:
            lab_up(INVENTORY, other, devices=devices, echo=lambda _m: None)
        text = str(refused.value)
        assert f"network namespace gn-kf-core-1 (the govnet lab in {dead.resolve()}, abandoned)" in text
        assert f"interface {MGMT_BRIDGE} (the govnet lab in {dead.resolve()}, abandoned)" in text
        assert "govnet lab down --abandoned" in text
        assert load_state(other) is None  # refused before anything was made

        booting = LabState(workdir=tmp_path / "booting", phase="booting", booted_by=os.getpid(),
                           booted_by_started=process_start(os.getpid()))
        assert not abandoned(booting)  # its `lab up` (this process) still runs
        booting.booted_by_started += 1
        assert abandoned(booting)  # the same PID, another process: a reused PID is not the booter

        out = subprocess.run([*lab, "down", "--abandoned"], cwd=ROOT, check=True, capture_output=True,
                             text=True, timeout=120).stdout
        assert f"{dead.resolve()}: abandoned lab" in out and "abandoned lab(s) removed" in out
        assert not [n for n in state.netns if n in list_netns()]
        assert MGMT_BRIDGE not in root_links()
        assert load_state(dead) is None
    finally:
        lab_down(dead, echo=lambda _m: None)
