"""The workdir state file: every resource `lab up` creates, recorded before or as it is made.

`lab down` reads it to remove exactly what govnet made, also after a crash or a half-finished up.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from govnet.lab.errors import LabStateError
from govnet.lab.topology import LabTopology

DEFAULT_WORKDIR = Path("/var/tmp/govnet-lab")
STATE_FILE = "state.json"


@dataclass
class ProcessRecord:
    """A daemon started by the lab."""

    device: str
    daemon: str
    pid: int
    pidfile: str = ""


@dataclass
class FaultRecord:
    """An injected fault, kept so `heal` can undo it."""

    kind: str
    device: str
    target: str = ""
    peer: str = ""
    value: int = 0


@dataclass
class LabState:
    """Everything the lab made, persisted to `<workdir>/state.json` after every change."""

    workdir: Path
    phase: str = "new"
    inventory: str = ""
    provisioned: bool = False
    netns: list[str] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    user_created: str = ""
    processes: list[ProcessRecord] = field(default_factory=list)
    faults: list[FaultRecord] = field(default_factory=list)
    topology: dict[str, Any] = field(default_factory=dict)
    edge_ports: dict[str, int] = field(default_factory=dict)
    """SSH port of each Linux edge device (its ForceCommand relays to the edge agent)."""
    boot_seconds: float = 0.0
    booted_by: int = 0
    """PID of the `lab up` that made this lab (0 in states written before it was recorded)."""
    booted_by_started: int = 0
    """That process's start time (clock ticks since boot), so a reused PID is not taken for it."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def path(self) -> Path:
        return self.workdir / STATE_FILE

    def lab_topology(self) -> LabTopology:
        if not self.topology:
            raise LabStateError(f"the lab state in {self.workdir} has no topology; run `govnet lab up`")
        return LabTopology.from_dict(self.topology)

    def add_netns(self, name: str) -> None:
        self._add(self.netns, name)

    def add_root_link(self, name: str) -> None:
        self._add(self.root_links, name)

    def add_dir(self, path: Path | str) -> None:
        self._add(self.dirs, str(path))

    def add_process(self, record: ProcessRecord) -> None:
        with self._lock:
            self.processes = [
                p for p in self.processes if (p.device, p.daemon) != (record.device, record.daemon)
            ]
            self.processes.append(record)
            self._save()

    def process(self, device: str, daemon: str) -> ProcessRecord | None:
        for proc in self.processes:
            if (proc.device, proc.daemon) == (device, daemon):
                return proc
        return None

    def update(self, **values: Any) -> None:
        with self._lock:
            for key, value in values.items():
                setattr(self, key, value)
            self._save()

    def save(self) -> None:
        with self._lock:
            self._save()

    def _add(self, items: list[str], value: str) -> None:
        with self._lock:
            if value not in items:
                items.append(value)
            self._save()

    def _save(self) -> None:
        data: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")
        }
        data["workdir"] = str(self.workdir)
        data["processes"] = [asdict(p) for p in self.processes]
        data["faults"] = [asdict(f) for f in self.faults]
        self.workdir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, self.path)


def load_state(workdir: Path) -> LabState | None:
    """The recorded state in `workdir`, or None if the lab was never started there."""
    path = workdir / STATE_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LabStateError(f"cannot read the lab state {path}: {exc}") from exc
    data.pop("workdir", None)
    procs = [ProcessRecord(**p) for p in data.pop("processes", [])]
    faults = [FaultRecord(**f) for f in data.pop("faults", [])]
    return LabState(workdir=workdir, processes=procs, faults=faults, **data)


def nornir_options(workdir: Path) -> dict[str, Any]:
    """``GovnetInventory`` options that point Nornir at the twin in ``workdir``: each routing
    and Linux edge device's SSH port on loopback and the twin's ``secrets.env``."""
    state = load_state(workdir)
    if state is None:
        raise LabStateError(f"{workdir}: no lab twin here; run 'govnet lab up --workdir {workdir}'")
    ports = {
        node.name: node.ssh_port
        for node in state.lab_topology().nodes
        if node.ssh_port is not None and not node.stub
    } | {name: int(port) for name, port in state.edge_ports.items()}
    return {"lab": True, "lab_ports": ports, "secrets_file": str(workdir / "secrets.env")}


def all_states(default: Path = DEFAULT_WORKDIR) -> list[LabState]:
    """States of every lab known on this host (registered in /run/govnet-lab)."""
    found: list[LabState] = []
    for workdir in registered_workdirs() | {default}:
        state = load_state(workdir)
        if state is not None:
            found.append(state)
    return found


REGISTRY = Path("/run/govnet-lab/workdirs")


def register_workdir(workdir: Path) -> None:
    """Remember a workdir so another lab's `up` can tell govnet's resources from foreign ones."""
    REGISTRY.parent.mkdir(parents=True, exist_ok=True)
    known = registered_workdirs()
    known.add(workdir.resolve())
    REGISTRY.write_text("".join(f"{p}\n" for p in sorted(known)), encoding="utf-8")


def unregister_workdir(workdir: Path) -> None:
    known = registered_workdirs() - {workdir.resolve()}
    if known:
        REGISTRY.write_text("".join(f"{p}\n" for p in sorted(known)), encoding="utf-8")
    elif REGISTRY.exists():
        REGISTRY.unlink()
        with contextlib.suppress(OSError):
            REGISTRY.parent.rmdir()


def registered_workdirs() -> set[Path]:
    if not REGISTRY.exists():
        return set()
    return {Path(line) for line in REGISTRY.read_text(encoding="utf-8").split() if line}
