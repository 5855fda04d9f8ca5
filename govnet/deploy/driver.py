"""The one device-driver contract, with NAPALM's semantics, for every platform.

A driver is a Nornir connection plugin (entry point ``nornir.plugins.connections``) whose
connection object is a :class:`DeviceDriver`; ``nr.run(task=...)`` then drives every platform
the same way. Netmiko is the SSH transport. Each platform in ``govnet.platforms`` names its
driver (``Platform.driver``, ``module:Class`` under ``govnet.deploy.drivers``) and its change
model (``Platform.change_model``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from govnet.errors import GovnetError


class DeployError(GovnetError):
    """A deploy step failed on a device; the message names the device and the step."""


class ConnectFailed(DeployError):
    """A device could not be reached or logged in to (the message names address, port and user)."""


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def ssh_failure(target: DriverTarget, exc: BaseException, conn_timeout: float) -> ConnectFailed:
    """One line for a failed SSH login: who, where, and what went wrong in plain words.

    >>> t = DriverTarget("kf-core-1", "huawei_vrpv8", "10.240.0.9", 22, "netadmin")
    >>> str(ssh_failure(t, ConnectionRefusedError(111, "Connection refused"), 15))
    'kf-core-1: SSH to netadmin@10.240.0.9:22 failed: connection refused (nothing listens on that port)'
    >>> str(ssh_failure(t, TimeoutError("timed out"), 15))
    'kf-core-1: SSH to netadmin@10.240.0.9:22 failed: no answer within 15 s (address unreachable or filtered)'
    """
    chain = _chain(exc)
    for e in list(chain):  # paramiko's NoValidConnectionsError keeps each address's own error
        errors = getattr(e, "errors", None)
        if isinstance(errors, dict):
            chain += [v for v in errors.values() if isinstance(v, BaseException)]
    words = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in words:
        why = "connection refused (nothing listens on that port)"
    elif "banner" in words:
        why = "the port answered but spoke no SSH (no protocol banner)"
    elif "authentication" in words or "auth" in type(exc).__name__.lower():
        why = f"authentication failed for user {target.username!r} (password login)"
    elif any(isinstance(e, TimeoutError) for e in chain) or "timed out" in words or "timeout" in words:
        why = f"no answer within {conn_timeout:g} s (address unreachable or filtered)"
    else:
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    where = f"{target.username or '(no user)'}@{target.hostname}:{target.port or 22}"
    return ConnectFailed(f"{target.device}: SSH to {where} failed: {why}")


class CommitRejected(DeployError):
    """The device refused a line of the candidate (the line and the device's words attached)."""

    def __init__(self, device: str, line: str, reply: str) -> None:
        self.device = device
        self.line = line
        self.reply = reply
        super().__init__(f"{device}: rejected {line!r}: {reply.strip()}")


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """What a push would change: the platform's own commands and a unified diff for people.

    ``held``: negations the driver withheld for safety (the session's own lines, VLANs still in
    use; see :mod:`govnet.deploy.remediation`), for run reports to show.
    """

    device: str
    commands: tuple[str, ...]
    unified: str
    held: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.commands


@dataclass(frozen=True, slots=True)
class DriverTarget:
    """How a driver reaches one device; every driver class is built as ``Driver(target)``.

    ``password`` never appears in ``repr``. ``state_dir`` is where the driver may keep its
    per-device last-known-good config and pending-commit record (outside the repo, mode 0700).
    """

    device: str
    platform: str
    hostname: str
    port: int | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    state_dir: Path = Path("/var/lib/govnet/deploy")
    timeout: float = 30.0
    extras: dict[str, Any] = field(default_factory=dict)
    target_kind: str = "production"
    """``lab`` (the twin) or ``production``: written into pending-commit records."""


class DeviceDriver(ABC):
    """NAPALM's configuration semantics (``napalm.base.NetworkDriver``) over one SSH session.

    Built as ``Driver(target)`` from a :class:`DriverTarget`; used as a context manager, it is
    opened on entry and closed on exit. The flow of a change::

        load_merge_candidate / load_replace_candidate -> compare_config
            -> commit_config(revert_in=S) -> (verify) -> confirm_commit, or rollback
        discard_config drops a candidate that was not committed

    With ``revert_in`` the change is on trial: unless :meth:`confirm_commit` comes within ``S``
    seconds, the previous config comes back by itself (the device's own timer where the
    platform has one, VRP8 ``commit trial`` and Comware ``configuration commit delay``; else the
    govnet-kept window of :class:`govnet.deploy.drivers.keptwindow.KeptConfirmWindow`). Every
    change first records the last-known-good config and, with a window, a pending-commit record
    in ``target.state_dir`` (what ``govnet deploy --recover`` finishes if govnet dies).

    Configs carry ``${secret:NAME}`` references; a driver resolves them only inside its session
    and turns every known value it reads back into the reference again. Every method raises
    :class:`DeployError` (or a subclass) naming the device when the device cannot do what it asks.
    """

    target: DriverTarget
    device: str
    """The device's inventory name (every error message starts with it)."""

    def __init__(self, target: DriverTarget) -> None:
        """Keep ``target``; nothing is opened until :meth:`open` (or ``with``)."""
        self.target = target
        self.device = target.device

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @abstractmethod
    def open(self) -> None:
        """Open the session to the device (log in).

        Raises :class:`ConnectFailed` naming address, port, user and why (refused, no answer,
        authentication)."""

    @abstractmethod
    def close(self) -> None:
        """Close the session; never raises (a session the device dropped is already closed).
        What happens to a commit still in its window is the driver's own rule: a govnet-kept
        window on VRP5 is rolled back first, a device-kept one runs on on the device."""

    @abstractmethod
    def get_config(self) -> str:
        """The running configuration as the device prints it (secrets as references where known).

        The text may carry the platform's print debris; :mod:`govnet.platforms.printed` reads it.
        Raises :class:`DeployError` when the config cannot be read whole."""

    @abstractmethod
    def load_merge_candidate(self, config: str) -> None:
        """Make ``config`` (a snippet) the candidate, to be merged into the running config:
        lines it sets are added or replace their single value, nothing else is removed.

        Changes nothing on the device's running config by itself. Raises
        :class:`CommitRejected` when the device refuses a line while staging it (VRP8), or
        :class:`DeployError` when the config does not parse."""

    @abstractmethod
    def load_replace_candidate(self, config: str) -> None:
        """Make ``config`` (a whole config) the candidate that replaces the running config:
        what it lacks is removed at the commit.

        Changes nothing on the running config by itself. Raises :class:`DeployError` when a
        replace would remove the lines that carry govnet's own session (they are held back in a
        merge, but a device-side replace cannot hold them), or when the config does not parse."""

    @abstractmethod
    def compare_config(self) -> ConfigDiff:
        """What committing the candidate would change, against the running config read now:
        the platform's commands, a unified diff for people, and the negations held back.

        Returns an empty :class:`ConfigDiff` when the device already runs the candidate.
        Raises :class:`DeployError` when no candidate is loaded."""

    def residual(self, config: str, replace: bool) -> ConfigDiff:
        """After a commit: what the running config still lacks of ``config`` (empty: converged).

        By default the candidate is loaded, compared and discarded; a driver whose confirm
        window forbids loading a candidate (VRP8 trial, Comware delay) computes it offline.
        Never disturbs the commit in its confirm window."""
        if replace:
            self.load_replace_candidate(config)
        else:
            self.load_merge_candidate(config)
        try:
            return self.compare_config()
        finally:
            self.discard_config()

    @abstractmethod
    def discard_config(self) -> None:
        """Drop the loaded candidate (the running config is untouched); a no-op with none."""

    @abstractmethod
    def commit_config(self, revert_in: int | None = None) -> None:
        """Apply the candidate to the running config.

        With ``revert_in`` (seconds) the commit is on trial until :meth:`confirm_commit`, and
        :meth:`has_pending_commit` answers True meanwhile; without it the change stands (and is
        saved where the platform saves at commit). An empty candidate commits nothing. Raises
        :class:`CommitRejected` naming the line the device refused, after putting back what went
        in before it; :class:`DeployError` when nothing is loaded or a step fails."""

    @abstractmethod
    def has_pending_commit(self) -> bool:
        """Whether a commit made with ``revert_in`` waits for its confirm (in this session, or
        one a killed govnet run left on record).

        Raises :class:`DeployError` when the device must be asked and cannot answer (VRP8 reads
        its commit list)."""

    @abstractmethod
    def confirm_commit(self) -> None:
        """Keep the commit on trial: stop its revert timer, save the config as startup and as
        the new last-known-good, clear the pending record; afterwards
        :meth:`has_pending_commit` is False.

        Raises :class:`DeployError` when no commit waits for a confirm, or its window expired
        and the device was rolled back."""

    @abstractmethod
    def rollback(self) -> None:
        """Return to the configuration before the last commit: while a commit is on trial it is
        cancelled and the pending record cleared; after a confirmed one (or in a new session, from
        the record) the last-known-good config comes back. A dropped session is reopened first.

        Raises :class:`DeployError` when there is nothing to return to or the device refuses."""

    @abstractmethod
    def cli(self, command: str) -> str:
        """Run one show/display command and return its text (the getters' transport).

        Raises :class:`DeployError` when the session fails."""
