"""Last-known-good configs and pending (unconfirmed) commits, per device, in a state directory.

``<state_dir>/<device>.lkg`` holds the running config as the device printed it before the last
commit, except that any secret value govnet knows is written back as its ``${secret:NAME}``
reference (resolved again only inside the SSH session on a restore). A pending commit is
``<state_dir>/<device>.pending.json`` with its confirm deadline; it exists from the commit until
``confirm`` or a restore, so a govnet killed mid-rollout leaves a record the next run (or
``govnet deploy --recover``) acts on. Files are mode 0600 in a 0700 directory.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from govnet.deploy.driver import DeployError

STATE_ENV = "GOVNET_STATE_DIR"


def default_state_dir() -> Path:
    """``$GOVNET_STATE_DIR``, else ``/var/lib/govnet/deploy`` for root, else XDG state home."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    if os.geteuid() == 0:
        return Path("/var/lib/govnet/deploy")
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "govnet" / "deploy"


@dataclass(frozen=True, slots=True)
class PendingCommit:
    """A commit waiting for confirmation: restore the LKG after ``deadline`` (epoch seconds)."""

    device: str
    platform: str
    deadline: float
    run_id: str = ""

    @property
    def expired(self) -> bool:
        return time.time() >= self.deadline


class DeviceState:
    """The LKG config and pending-commit record of one device."""

    def __init__(self, state_dir: Path, device: str) -> None:
        self.state_dir = state_dir
        self.device = device

    @property
    def lkg_path(self) -> Path:
        return self.state_dir / f"{self.device}.lkg"

    @property
    def pending_path(self) -> Path:
        return self.state_dir / f"{self.device}.pending.json"

    def _write(self, path: Path, text: str) -> None:
        try:
            self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            raise DeployError(f"{self.device}: cannot write {path}: {exc.strerror}") from None

    def save_lkg(self, running: str) -> None:
        self._write(self.lkg_path, running)

    def lkg(self) -> str | None:
        try:
            return self.lkg_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def mark_pending(self, pending: PendingCommit) -> None:
        self._write(self.pending_path, json.dumps(asdict(pending)))

    def pending(self) -> PendingCommit | None:
        try:
            data = json.loads(self.pending_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise DeployError(f"{self.pending_path}: unreadable pending-commit record: {exc}") from None
        return PendingCommit(**data)

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)


def pending_commits(state_dir: Path) -> list[PendingCommit]:
    """Every pending commit recorded in ``state_dir`` (what ``--recover`` restores)."""
    if not state_dir.is_dir():
        return []
    found = []
    for path in sorted(state_dir.glob("*.pending.json")):
        record = DeviceState(state_dir, path.name.removesuffix(".pending.json")).pending()
        if record is not None:
            found.append(record)
    return found
