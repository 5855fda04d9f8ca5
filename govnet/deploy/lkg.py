"""Last-known-good configs and pending (unconfirmed) commits, per device, in a state directory.

``<state_dir>/<device>.lkg`` holds the running config as the device printed it before the last
commit, except that any secret value govnet knows is written back as its ``${secret:NAME}``
reference (resolved again only inside the SSH session on a restore). A pending commit is
``<state_dir>/<device>.pending.json`` with its confirm deadline; it exists from the commit until
``confirm`` or a restore, so a govnet killed mid-rollout leaves a record the next run (or
``govnet deploy --recover``) acts on. Files are mode 0600 in a 0700 directory.

Lab and production never share state: every target (the lab twin or production, per network)
has its own directory, :func:`target_state_dir`, and every pending record names its target,
address and platform, so a recovery refuses a record that does not match the device it would
touch (:meth:`PendingCommit.mismatch`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from govnet.deploy.driver import DeployError, DriverTarget

STATE_ENV = "GOVNET_STATE_DIR"
LAB = "lab"
PRODUCTION = "production"


def default_state_dir() -> Path:
    """The state root: ``$GOVNET_STATE_DIR``, else ``/var/lib/govnet/deploy`` for root, else XDG
    state home; each target keeps its state below it (:func:`target_state_dir`)."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    if os.geteuid() == 0:
        return Path("/var/lib/govnet/deploy")
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "govnet" / "deploy"


def target_kind(lab: bool) -> str:
    """``lab`` for the lab twin, ``production`` for real gear."""
    return LAB if lab else PRODUCTION


def target_state_dir(root: Path, network: str, lab: bool) -> Path:
    """The state directory of one target: ``<root>/<lab|production>/<network>``.

    >>> target_state_dir(Path("/var/lib/govnet/deploy"), "kaifu", lab=True).as_posix()
    '/var/lib/govnet/deploy/lab/kaifu'
    """
    return root / target_kind(lab) / network


def address_of(hostname: str | None, port: int | None) -> str:
    """``host:port`` as a pending record names it (port 22 when unset).

    >>> address_of("10.240.0.9", None)
    '10.240.0.9:22'
    """
    return f"{hostname or '?'}:{port or 22}"


@dataclass(frozen=True, slots=True)
class PendingCommit:
    """A commit waiting for confirmation: restore the LKG after ``deadline`` (epoch seconds).

    ``target`` (lab or production) and ``address`` (host:port) say which device the record is
    about; a record without them (an older govnet's) is never acted on. ``window`` is the confirm
    window's length: the epoch deadline is for people and for another process; inside a run the
    drivers time the window on the monotonic clock, and :meth:`remaining` never reports more than
    ``window`` seconds, so a wall clock stepped back cannot stretch the window and no clock step
    ever confirms anything (only ``confirm_commit`` does).
    """

    device: str
    platform: str
    deadline: float
    run_id: str = ""
    target: str = ""
    address: str = ""
    window: float = 0.0

    @classmethod
    def for_driver(cls, target: DriverTarget, revert_in: float, run_id: str) -> PendingCommit:
        """The record a driver writes when it commits with a ``revert_in`` confirm window."""
        return cls(target.device, target.platform, time.time() + revert_in, run_id,
                   target.target_kind, address_of(target.hostname, target.port), float(revert_in))

    @property
    def expired(self) -> bool:
        return time.time() >= self.deadline

    def remaining(self, now: float | None = None) -> float:
        """Seconds left in the window by the wall clock, within ``[0, window]`` when known.

        >>> rec = PendingCommit("agg", "frr", 1000.0, window=60.0)
        >>> rec.remaining(970.0), rec.remaining(-5000.0), rec.remaining(2000.0)
        (30.0, 60.0, 0.0)
        """
        left = max(0.0, self.deadline - (time.time() if now is None else now))
        return min(left, self.window) if self.window > 0 else left

    def mismatch(self, *, target: str, address: str, platform: str) -> str:
        """Why this record must not be acted on for a device reached as given ('' when it may).

        >>> rec = PendingCommit("agg", "frr", 0.0, "r1", "lab", "127.0.0.1:2201")
        >>> print(rec.mismatch(target="production", address="10.240.0.9:22", platform="frr"))
        recorded for the lab target, not production; at 127.0.0.1:2201, not 10.240.0.9:22
        """
        if not self.target or not self.address:
            return "the record names no target or address (written by an older govnet)"
        wrong = []
        if self.target != target:
            wrong.append(f"recorded for the {self.target} target, not {target}")
        if self.address != address:
            wrong.append(f"at {self.address}, not {address}")
        if self.platform != platform:
            wrong.append(f"platform {self.platform}, not {platform}")
        return "; ".join(wrong)


class LkgStore:
    """The last-known-good config and pending-commit record of one device, on disk."""

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

    @property
    def digests_path(self) -> Path:
        return self.state_dir / f"{self.device}.secrets.json"

    def save_digests(self, digests: Mapping[str, str]) -> None:
        """The digests of the secrets the confirmed config carries (name -> digest, no value)."""
        self._write(self.digests_path, json.dumps(dict(sorted(digests.items())), indent=1) + "\n")

    def digests(self) -> dict[str, str]:
        """The kept digests ({} when none were kept or the file is unreadable)."""
        try:
            data = json.loads(self.digests_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

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
        try:
            return PendingCommit(**data)
        except TypeError as exc:
            raise DeployError(f"{self.pending_path}: unreadable pending-commit record: {exc}") from None

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)


def pending_commits(state_dir: Path) -> list[PendingCommit]:
    """Every pending commit recorded in ``state_dir`` (what ``--recover`` restores)."""
    if not state_dir.is_dir():
        return []
    found = []
    for path in sorted(state_dir.glob("*.pending.json")):
        record = LkgStore(state_dir, path.name.removesuffix(".pending.json")).pending()
        if record is not None:
            found.append(record)
    return found
