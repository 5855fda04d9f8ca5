"""Helpers for the lab twin integration tests: the small twin, convergence waits, vtysh JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from govnet.lab.credentials import LabCredentials
from govnet.lab.frr import vtysh
from govnet.lab.procs import pid_alive
from govnet.lab.state import LabState
from govnet.lab.topology import LabTopology

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventory"
CORES = ["kf-core-1", "kf-core-2"]
AGGREGATION = ["kf-agg-dongfenglu", "kf-agg-qingshuitang"]
ACCESS = ["kf-acc-dongfenglu-c01"]
SMALL_TWIN = CORES + AGGREGATION + ACCESS


@dataclass
class Lab:
    """A booted twin: where it lives, what it is, how to log in."""

    workdir: Path
    state: LabState
    topology: LabTopology
    creds: LabCredentials


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 1.0) -> bool:
    """Poll `check` until it is true or the deadline passes (a convergence wait)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def vtysh_json(device: str, command: str) -> dict[str, object]:
    """Run a `show ... json` command through vtysh in the device's pathspace."""
    out = vtysh(device, command)
    data = json.loads(out or "{}")
    assert isinstance(data, dict)
    return data


def lab_processes(workdir: Path) -> list[int]:
    """Live processes that belong to this lab (by pathspace name or workdir in their command line)."""
    marks = [f"-N {name}" for name in SMALL_TWIN] + [str(workdir)]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(mark in cmdline for mark in marks) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found
