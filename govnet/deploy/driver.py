"""The one device-driver contract, with NAPALM's semantics, for every platform.

A driver is a Nornir connection plugin (entry point ``nornir.plugins.connections``) whose
connection object implements :class:`DeviceDriver`; ``nr.run(task=...)`` then drives every
platform the same way. Netmiko is the SSH transport. Each platform module in
``govnet.platforms`` names its driver (``Platform.driver``, ``module:Class`` under
``govnet.deploy.drivers``) and its change model (REQUIREMENTS section 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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


@runtime_checkable
class DeviceDriver(Protocol):
    """NAPALM's configuration semantics over one SSH session.

    Flow: ``load_merge_candidate``/``load_replace_candidate`` -> ``compare_config`` ->
    ``commit_config(revert_in=S)`` -> verify -> ``confirm_commit`` (or ``rollback``);
    ``discard_config`` drops an uncommitted candidate. With ``revert_in`` the device (or govnet,
    where the platform has no timer) restores the previous config unless confirmed in time.
    """

    device: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def get_config(self) -> str:
        """The running configuration as the device prints it."""
        ...

    def load_merge_candidate(self, config: str) -> None: ...

    def load_replace_candidate(self, config: str) -> None: ...

    def compare_config(self) -> ConfigDiff: ...

    def residual(self, config: str, replace: bool) -> ConfigDiff:
        """After a commit: what the running config still lacks of ``config`` (empty: converged).
        Never disturbs the commit in its confirm window."""
        ...

    def discard_config(self) -> None: ...

    def commit_config(self, revert_in: int | None = None) -> None: ...

    def has_pending_commit(self) -> bool: ...

    def confirm_commit(self) -> None: ...

    def rollback(self) -> None:
        """Return to the configuration before the last commit."""
        ...

    def cli(self, command: str) -> str:
        """Run one show/display command and return its text (the getters' transport)."""
        ...
