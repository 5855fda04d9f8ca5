"""Huawei VRP5 (S-series, AR) and USG firewalls: immediate mode, govnet keeps the confirm window.

VRP5 has no candidate and no commit trial (``change_model="immediate"``). A push therefore:

1. saves a backup file on the device (``save govnet-<run>.cfg``, answering its Y/N dialog);
2. applies the minimal remediation lines (:mod:`govnet.deploy.remediation`: hier_config plus
   govnet's safety rules), stopping at the first rejected line and undoing what went in;
3. with ``revert_in`` keeps the confirm window govnet-side
   (:class:`~govnet.deploy.drivers.keptwindow.KeptConfirmWindow`): unless ``confirm_commit``
   comes first, the lines that take the device back to the config before are computed from what
   it runs then and sent; ``confirm_commit`` saves the startup config.

On a USG hot-standby pair only the ``HRP_M`` member is configured; after the push the driver
reads the standby (``target.extras["hrp_standby"]``) and requires the HRP-synced part of both
configs to agree.

The Netmiko session itself (:class:`CliDriver`) is shared with the VRP8 and Comware drivers and
lives in :mod:`govnet.deploy.drivers.cli`.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

from govnet.deploy.driver import CommitRejected, DeployError, DriverTarget
from govnet.deploy.drivers.cli import CliDriver
from govnet.deploy.drivers.keptwindow import KeptConfirmWindow
from govnet.deploy.remediation import merge_config, remediate
from govnet.platforms.base import PrintStyle
from govnet.platforms.printed import config_text


class Vrp5Driver(CliDriver, KeptConfirmWindow):
    """Huawei VRP5 (S-series, AR): backup file, minimal remediation, govnet-kept revert window."""

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self._before: str | None = None
        """The running config before this session's commit (what a rollback returns to)."""

    @property
    def backup_file(self) -> str:
        return f"govnet-{self.run_id}.cfg"

    def load_merge_candidate(self, config: str) -> None:
        with self._lock:
            running = self._running()
            self._plan(running, merge_config(running, config, self.platform.name))

    def load_replace_candidate(self, config: str) -> None:
        with self._lock:
            self._plan(self._running(), config)

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
            self._commands = None
            if revert_in:
                self._start_timer(revert_in)
        self._after_commit()

    def _after_commit(self) -> None:
        """Hook for platform checks after the lines went in (USG: standby in sync)."""

    def _restore(self) -> None:
        """Replay the lines that take the device back to the config saved before the push."""
        assert self._before is not None
        self._user_view()
        back = remediate(self._running(), self._before, self.platform.name, self.guard).commands
        self._config_lines(back)
        self._user_view()

    def close(self) -> None:
        """Log out; a change still inside its revert window is rolled back first (an
        unconfirmed change never outlives govnet's session)."""
        with self._lock:
            if self._timer is not None and self._conn is not None:
                self._cancel_timer()
                try:
                    self.rollback()
                except DeployError as err:
                    self.revert_error = err  # the pending record stays for --recover
                else:
                    self.reverted.set()
        super().close()

    def confirm_commit(self) -> None:
        with self._lock:
            self._require_pending()
            self._cancel_timer()
            self._user_view()
            self._dialog("save", "y")
            self._confirmed()

    def rollback(self) -> None:
        """Back to the config before the push: the lines are computed from what the device runs
        now, so a commit cut off half way (the session dropped after some lines: a partial
        config) is undone too; a dropped session is reopened first. In a new session
        (``--recover`` after govnet died) the config before is the last-known-good on record."""
        with self._lock:
            self._cancel_timer()
            self._reopen()
            before = self._before if self._before is not None else self._lkg()
            back = remediate(self._running(), before, self.platform.name, self.guard).commands
            self._config_lines(back)
            self._user_view()
            self.state.clear_pending()


_HRP_LOCAL = re.compile(r"^(interface |sysname |hrp |undo hrp )")


def hrp_synced(config: str, style: PrintStyle) -> set[str]:
    """The part of a USG config HRP copies to the standby (all but interfaces, sysname and
    hrp lines), each line prefixed by its sections; ``config`` as printed in ``style``.

    >>> usg = "sysname fw1\\ninterface G1\\n ip address 10.1.1.1 24\\nsecurity-policy\\n rule name a\\n"
    >>> sorted(hrp_synced(usg + "ip route-static 0.0.0.0 0 10.1.1.2\\n", "vrp"))
    ['ip route-static 0.0.0.0 0 10.1.1.2', 'security-policy', 'security-policy > rule name a']
    """
    out: set[str] = set()
    stack: list[tuple[int, str]] = []
    for line in config_text(config, style).splitlines():
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
        peer = Vrp5Driver(  # read only: opened, read and closed
            replace(
                self.target,
                device=f"{self.device} (HRP standby)",
                hostname=str(self.standby["host"]),
                port=int(self.standby.get("port", 22)),
                extras={"secrets": self.secrets},
            )
        )
        style = self.platform.print_style
        before, after = hrp_synced(self._before, style), hrp_synced(self.get_config(), style)
        added, removed = after - before, before - after
        deadline = time.monotonic() + self.sync_timeout
        peer.open()
        try:
            while True:
                have = hrp_synced(peer.get_config(), style)
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
