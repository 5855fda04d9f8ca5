"""Huawei VRP8 (CE series): two-stage candidate with ``commit trial``, driven over Netmiko.

* merge: the lines go into the candidate (``[*H]``); replace: the config is uploaded to
  ``flash:/govnet-<run>.cfg`` over SFTP and staged with ``load configuration file F replace``
  (refused when it would remove the lines that carry govnet's session);
* compare: the device's own ``display configuration candidate changes``;
* commit: ``commit trial <s> label govnet-<run>`` (the device reverts by itself unless a plain
  ``commit`` confirms in time; 60-65535 s) or ``commit label govnet-<run>`` without a window;
* confirm: plain ``commit``, then ``save``; discard: ``clear configuration candidate``;
* rollback: ``abort trial`` while the trial runs, afterwards ``rollback configuration to label``
  (or ``commit-id``) of the commit point recorded before the push.

Netmiko's ``huawei_vrpv8`` class is the transport only: it has no trial support.
"""

from __future__ import annotations

import re

from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.drivers.cli import CLI_ERROR, CliDriver, refuse_unsafe_replace
from govnet.deploy.remediation import flatten

TRIAL_MIN_S = 60
TRIAL_MAX_S = 65535
_COMMIT_ROW = re.compile(r"^\s*\d+\s+(\d+)\s+(\S+)\s+", re.M)


class Vrp8Driver(CliDriver):
    """Huawei CE (VRP8): candidate, trial commit with label, rollback to a commit point."""

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self._loaded: tuple[str, ...] | None = None
        self._commits = 0
        self.label: str | None = None
        self._before: tuple[str, str] | None = None
        self._trial = False

    def _commit_points(self) -> list[tuple[str, str]]:
        """``(commit-id, label)`` newest first, from ``display configuration commit list``."""
        out = self._send("display configuration commit list")
        return [(m[1], m[2]) for m in _COMMIT_ROW.finditer(out)]

    def load_merge_candidate(self, config: str) -> None:
        with self._lock:
            self.discard_config()
            lines = flatten(config, self.platform.name)
            try:
                self._config_lines(lines)
            except CommitRejected:
                self._send("clear configuration candidate")
                raise
            self._loaded = lines

    def load_replace_candidate(self, config: str) -> None:
        with self._lock:
            self.discard_config()
            refuse_unsafe_replace(self.device, self._plan(self._running(), config))
            name = f"govnet-{self.run_id}.cfg"
            self._upload(name, config)
            self._system_view()
            out = self._send(f"load configuration file {name} replace", timeout=120)
            self._remove(name)
            if m := CLI_ERROR.search(out):
                self._send("clear configuration candidate")
                raise CommitRejected(self.device, f"load configuration file {name} replace", m.group(0))
            self._loaded = self._commands

    def compare_config(self) -> ConfigDiff:
        """The device's own diff of its candidate (``display configuration candidate changes``),
        with the lines govnet loaded as the commands."""
        with self._lock:
            self._system_view()
            out = self._send("display configuration candidate changes")
            unified = "" if "No configuration changes" in out else _strip_prompt(out)
            commands = self._loaded if unified else ()
            return ConfigDiff(self.device, commands or (), unified)

    def discard_config(self) -> None:
        with self._lock:
            self._system_view()
            self._send("clear configuration candidate")
            self._loaded = None

    def commit_config(self, revert_in: int | None = None) -> None:
        with self._lock:
            if self._loaded is None:
                raise DeployError(f"{self.device}: nothing loaded to commit")
            self._system_view()
            points = self._commit_points()
            self._before = points[0] if points else None
            self._record(self.get_config(), revert_in)
            self._commits += 1
            suffix = f"-{self._commits}" if self._commits > 1 else ""
            self.label = f"govnet-{self.run_id}{suffix}"
            if revert_in:
                seconds = min(max(int(revert_in), TRIAL_MIN_S), TRIAL_MAX_S)
                command = f"commit trial {seconds} label {self.label}"
            else:
                command = f"commit label {self.label}"
            out = self._send(command, timeout=300)
            if m := CLI_ERROR.search(out):
                self._send("clear configuration candidate")
                self.state.clear_pending()
                self.label = None
                raise CommitRejected(self.device, command, m.group(0))
            self._trial = bool(revert_in)
            self._loaded = None

    def has_pending_commit(self) -> bool:
        """The trial this driver started is still running; in a new session, the one a killed
        govnet run left on record (its label is still in the device's commit list)."""
        with self._lock:
            if self.label is None:
                pending = self.state.pending()
                if pending is None:
                    return False
                prefix = f"govnet-{pending.run_id}"
                return any(label.startswith(prefix) for _, label in self._commit_points())
            if not self._trial:
                return False
            self._trial = any(label == self.label for _, label in self._commit_points())
            return self._trial

    def confirm_commit(self) -> None:
        with self._lock:
            if not self.has_pending_commit():
                raise DeployError(
                    f"{self.device}: no trial {self.label} to confirm (expired and reverted, or never made)"
                )
            self._system_view()
            out = self._send("commit")
            if m := CLI_ERROR.search(out):
                raise DeployError(f"{self.device}: confirming trial {self.label} failed: {m.group(0)}")
            self._trial = False
            self._user_view()
            self._dialog("save", "y")
            self._confirmed()

    def rollback(self) -> None:
        """``abort trial`` while the trial runs; after a commit, back to the commit point before
        it; nothing when the trial already expired. In a new session (``--recover`` after govnet
        died) whatever trial the device still runs is aborted."""
        with self._lock:
            self._reopen()  # the session dropped (links cut, the confirm's reply lost): a fresh one
            if self.label is None:
                self._abort_trial(missing_ok=True)
            elif not self._abort_trial(missing_ok=True) and any(
                    label == self.label for _, label in self._commit_points()):
                self._rollback_to_before()  # no trial left but our commit is: it was confirmed
            self._trial = False
            self.state.clear_pending()

    def _abort_trial(self, missing_ok: bool) -> bool:
        """``abort trial``; False when the device had no trial running (and ``missing_ok``)."""
        self._system_view()
        out = self._send("abort trial")
        if m := CLI_ERROR.search(out):
            if missing_ok and "No trial" in out:
                return False
            raise DeployError(f"{self.device}: abort trial failed: {m.group(0)}")
        return True

    def _rollback_to_before(self) -> None:
        if self._before is None:
            raise DeployError(f"{self.device}: no commit point recorded to roll back to")
        commit_id, label = self._before
        target = f"label {label}" if label != "-" else f"commit-id {commit_id}"
        self._user_view()
        out = self._dialog(f"rollback configuration to {target}", "y")
        if m := CLI_ERROR.search(out):
            raise DeployError(f"{self.device}: rollback configuration to {target} failed: {m.group(0)}")


def _strip_prompt(out: str) -> str:
    """The device's change listing without the trailing prompt line."""
    lines = out.rstrip().splitlines()
    if lines and re.match(r"^(HRP_[MS])?[<\[]", lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines).strip("\n") + "\n"
