"""Huawei VRP5 (S-series, AR) and USG firewalls: immediate mode, govnet keeps the confirm window.

VRP5 has no candidate and no commit trial (REQUIREMENTS section 8). A push therefore:

1. saves a backup file on the device (``save govnet-<run>.cfg``, answering its Y/N dialog);
2. applies the minimal remediation lines (:mod:`govnet.deploy.remediation`: hier_config plus
   govnet's safety rules), stopping at the first rejected line and undoing what went in;
3. computes the rollback lines from the device's config before and after, and with
   ``revert_in`` starts a govnet-side timer that replays them unless ``confirm_commit`` comes
   first; ``confirm_commit`` saves the startup config.

On a USG hot-standby pair only the ``HRP_M`` member is configured; after the push the driver
reads the standby (``target.extras["hrp_standby"]``) and requires the HRP-synced part of both
configs to agree.

The Netmiko session itself (:class:`CliDriver`) is shared with the VRP8 and Comware drivers and
lives in :mod:`govnet.deploy.drivers.cli`.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from typing import Any, ClassVar

from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.drivers.cli import CliDriver
from govnet.deploy.remediation import clean_config, dedent_globals, merge_config, remediate


class Vrp5Driver(CliDriver):
    """Huawei VRP5 (S-series, AR): backup file, minimal remediation, govnet-kept revert window."""

    netmiko_type: ClassVar[str] = "huawei"

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self._commands: tuple[str, ...] | None = None
        self._unified = ""
        self.held: tuple[str, ...] = ()
        """Negations the last compare withheld for safety (see govnet.deploy.remediation)."""
        self._before: str | None = None
        self._rollback: tuple[str, ...] = ()
        self._timer: threading.Timer | None = None
        self.reverted = threading.Event()
        """Set when the revert window expired and the rollback lines were replayed."""
        self.revert_error: DeployError | None = None
        """Why replaying the rollback lines at expiry failed (the device stopped answering)."""

    def _running(self) -> str:
        """The running config with its one-line globals at column 0, for the remediation (a USG
        or NIP prints `` hrp enable``, `` sysname X`` indented after ``#``)."""
        return dedent_globals(self.get_config())

    @property
    def backup_file(self) -> str:
        return f"govnet-{self.run_id}.cfg"

    def load_merge_candidate(self, config: str) -> None:
        running = self._running()
        self._plan(running, merge_config(running, config, self.dialect))

    def load_replace_candidate(self, config: str) -> None:
        self._plan(self._running(), config)

    def _plan(self, running: str, intended: str) -> None:
        self._find_mgmt_interface(running)
        plan = remediate(running, intended, self.dialect, self.guard)
        self._commands, self._unified, self.held = plan.commands, plan.unified, plan.held

    def compare_config(self) -> ConfigDiff:
        if self._commands is None:
            raise DeployError(f"{self.device}: nothing loaded to compare")
        return ConfigDiff(self.device, self._commands, self._unified, self.held)

    def discard_config(self) -> None:
        self._commands = None
        self._unified = ""

    def commit_config(self, revert_in: int | None = None) -> None:
        if self._commands is None:
            raise DeployError(f"{self.device}: nothing loaded to commit")
        if not self._commands:
            self._commands = None
            return  # no difference: nothing to save, apply or confirm
        with self._lock:
            self._rollback = ()
            self._user_view()
            out = self._dialog(f"save {self.backup_file}", "y")
            if "successfully" not in out:
                raise DeployError(f"{self.device}: backup save {self.backup_file} failed: {out.strip()}")
            self._before = self._running()
            self._record(self._before, revert_in)
            try:
                self._config_lines(self._commands)
            except CommitRejected:
                self._restore()
                self.state.clear_pending()
                raise
            finally:
                self._user_view()
            self._rollback = remediate(self._running(), self._before, self.dialect, self.guard).commands
            self._commands = None
            self.reverted.clear()
            if revert_in:
                self._timer = threading.Timer(revert_in, self._expire)
                self._timer.daemon = True
                self._timer.start()
        self._after_commit()

    def _after_commit(self) -> None:
        """Hook for platform checks after the lines went in (USG: standby in sync)."""

    def _restore(self) -> None:
        """Replay the lines that take the device back to the config saved before the push."""
        assert self._before is not None
        self._user_view()
        back = remediate(self._running(), self._before, self.dialect, self.guard).commands
        self._config_lines(back)
        self._user_view()

    def _expire(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._expire_now()

    def close(self) -> None:
        """Log out; a change still inside its revert window is rolled back first (an
        unconfirmed change never outlives govnet's session)."""
        with self._lock:
            if self._timer is not None and self._conn is not None:
                self._timer.cancel()
                self._expire_now()
        super().close()

    def _expire_now(self) -> None:
        """Replay the rollback lines; if the device is unreachable its saved config still holds."""
        self._timer = None
        try:
            self._config_lines(self._rollback)
            self._user_view()
        except DeployError as err:
            self.revert_error = err
            return
        self._rollback = ()
        self.state.clear_pending()
        self.reverted.set()

    def has_pending_commit(self) -> bool:
        """A revert window runs here, or (a new session after govnet died) one is on record."""
        if self._before is None:
            return self.state.pending() is not None
        return self._timer is not None

    def confirm_commit(self) -> None:
        with self._lock:
            if self._timer is None:
                if self.reverted.is_set():
                    raise DeployError(f"{self.device}: confirm window expired; the change was rolled back")
                raise DeployError(f"{self.device}: no pending commit to confirm")
            self._timer.cancel()
            self._timer = None
            self._user_view()
            self._dialog("save", "y")
            self._confirmed()

    def rollback(self) -> None:
        """Back to the config before the push: the lines are computed from what the device runs
        now, so a commit cut off half way (the session dropped after some lines: a partial
        config) is undone too; a dropped session is reopened first. In a new session
        (``--recover`` after govnet died) the config before is the last-known-good on record."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._reopen()
            before = self._before if self._before is not None else dedent_globals(self._lkg())
            self._rollback = remediate(self._running(), before, self.dialect, self.guard).commands
            self._config_lines(self._rollback)
            self._rollback = ()  # done: a second rollback (the flow after a failed check) is a no-op
            self._user_view()
            self.state.clear_pending()


_HRP_LOCAL = re.compile(r"^(interface |sysname |hrp |undo hrp )")


def hrp_synced(config: str) -> set[str]:
    """The part of a USG config HRP copies to the standby (all but interfaces, sysname and
    hrp lines), each line prefixed by its sections.

    >>> usg = "sysname fw1\\ninterface G1\\n ip address 10.1.1.1 24\\nsecurity-policy\\n rule name a\\n"
    >>> sorted(hrp_synced(usg + "ip route-static 0.0.0.0 0 10.1.1.2\\n"))
    ['ip route-static 0.0.0.0 0 10.1.1.2', 'security-policy', 'security-policy > rule name a']
    """
    out: set[str] = set()
    stack: list[tuple[int, str]] = []
    for line in clean_config(dedent_globals(config)).splitlines():
        depth = len(line) - len(line.lstrip(" "))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, line.strip()))
        if not _HRP_LOCAL.match(stack[0][1]):
            out.add(" > ".join(text for _, text in stack))
    return out


class UsgDriver(Vrp5Driver):
    """Huawei USG (VRP5 CLI) in an HRP pair: configure only ``HRP_M``, verify the standby.

    ``target.extras["hrp_standby"]``: ``{"host": ..., "port": ...}`` of the standby member
    (same credentials); ``target.extras["hrp_sync_timeout"]``: seconds to wait for HRP to sync
    (default 30).
    """

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self.standby: dict[str, Any] | None = target.extras.get("hrp_standby")
        self.sync_timeout = float(target.extras.get("hrp_sync_timeout", 30))
        self.hrp_role: str | None = None

    def open(self) -> None:
        super().open()
        prompt = str(self._conn.find_prompt())
        m = re.match(r"^HRP_([MS])", prompt)
        self.hrp_role = m.group(1) if m else None
        if self.hrp_role == "S":
            self.close()
            raise DeployError(
                f"{self.device}: is the HRP standby (prompt {prompt}); configure the HRP_M member"
            )

    def commit_config(self, revert_in: int | None = None) -> None:
        if self.hrp_role == "M" and self.standby is None:
            raise DeployError(
                f"{self.device}: HRP master without extras['hrp_standby']: the standby's sync "
                "cannot be verified, so nothing was pushed"
            )
        super().commit_config(revert_in)

    def _after_commit(self) -> None:
        if self.hrp_role != "M" or self.standby is None:
            return
        try:
            self._verify_standby()
        except DeployError as err:
            self.rollback()
            raise DeployError(f"{err}; the master was rolled back") from err

    def _verify_standby(self) -> None:
        """Every line the push added is on the standby and none it removed, within the timeout."""
        assert self.standby is not None and self._before is not None
        peer = CliDriver(
            replace(
                self.target,
                device=f"{self.device} (HRP standby)",
                hostname=str(self.standby["host"]),
                port=int(self.standby.get("port", 22)),
                extras={"secrets": self.secrets},
            )
        )
        before, after = hrp_synced(self._before), hrp_synced(self.get_config())
        added, removed = after - before, before - after
        deadline = time.monotonic() + self.sync_timeout
        peer.open()
        try:
            while True:
                have = hrp_synced(peer.get_config())
                if added <= have and not removed & have:
                    return
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.5)
        finally:
            peer.close()
        missing = sorted(added - have)[:3] + [f"still has {x}" for x in sorted(removed & have)[:3]]
        raise DeployError(
            f"{self.device}: HRP standby did not sync within {self.sync_timeout:.0f} s (missing: {missing})"
        )
