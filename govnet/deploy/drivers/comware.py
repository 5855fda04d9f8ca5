"""H3C Comware 7: immediate mode with the device's ``configuration commit delay`` window.

* storage: ``pwd`` names the medium the session starts in (``flash:`` on a switch, ``cfa0:`` on a
  SecPath); the candidate, archive and recovery files go there;
* compare: a replace uploads the intended config to ``<medium>:/govnet-<run>.cfg`` (SFTP) and reads
  ``display diff current-configuration configfile`` from the device; a merge shows govnet's
  minimal remediation and its unified diff;
* commit: ``archive configuration`` first (the rollback point; ``archive configuration location
  <medium>:/archive filename-prefix govnet`` is set if the device has none, and kept in a replace
  file that lacks it), then ``configuration
  commit delay <min>`` when a window is asked for (rounded up to whole minutes), then the
  remediation lines or ``configuration replace file``;
* confirm: ``configuration commit`` then ``save force``;
* rollback: ``configuration replace file <archive>`` (and ``configuration commit`` to close a
  running window); a rejected line is rolled back the same way before the error is raised.
"""

from __future__ import annotations

import math
import re
import time

from govnet.deploy.driver import CommitRejected, DeployError, DriverTarget
from govnet.deploy.drivers.cli import CLI_ERROR, CliDriver, refuse_unsafe_replace
from govnet.deploy.remediation import merge_config

RECOVER_FILE = "govnet-recover.cfg"
_ARCHIVE_SAVED = re.compile(r"(\S+:/\S+\.cfg) is saved")
_MEDIUM = re.compile(r"^\s*([A-Za-z][\w-]*):", re.M)


def archive_location(medium: str) -> str:
    """The ``archive configuration location`` line on storage ``medium`` (``flash``, ``cfa0``).

    >>> archive_location("cfa0")
    'archive configuration location cfa0:/archive filename-prefix govnet'
    """
    return f"archive configuration location {medium}:/archive filename-prefix govnet"


class ComwareDriver(CliDriver):
    """H3C Comware 7 over Netmiko ``hp_comware``."""

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self._replace_file: str | None = None
        self.archive: str | None = None
        """The archive file saved before the last commit (the rollback point)."""
        self._deadline: float | None = None
        self._after: str | None = None
        self.medium = "flash"
        """The storage medium of the device's files (from ``pwd`` at open)."""

    def open(self) -> None:
        """Log in, then ask ``pwd`` for the storage the session starts in: ``flash`` on the
        switches, ``cfa0`` (the CF card) on SecPath firewalls. SFTP uploads land there, so the
        candidate, archive and recovery paths all name it."""
        super().open()
        m = _MEDIUM.search(self.cli("pwd"))
        self.medium = m.group(1) if m else "flash"

    @property
    def candidate_file(self) -> str:
        return f"govnet-{self.run_id}.cfg"

    def _replace_intended(self, config: str) -> str:
        """``config`` with the archive location a rollback needs (added when missing)."""
        if "archive configuration location " in config:
            return config
        location = archive_location(self.medium)
        return config.rstrip("\n").removesuffix("return").rstrip("\n") + f"\n{location}\n"

    def load_merge_candidate(self, config: str) -> None:
        with self._lock:
            running = self._running()
            self._plan(running, merge_config(running, config, self.platform.name))
            self._replace_file = None

    def load_replace_candidate(self, config: str) -> None:
        with self._lock:
            config = self._replace_intended(config)
            refuse_unsafe_replace(self.device, self._plan(self._running(), config))
            self._upload(self.candidate_file, config)
            self._replace_file = self.candidate_file
            out = self.cli(
                f"display diff current-configuration configfile {self.medium}:/{self.candidate_file}"
            )
            if m := CLI_ERROR.search(out):
                raise DeployError(f"{self.device}: display diff failed: {m.group(0)}")
            self._unified = out if out.strip() else ""

    def discard_config(self) -> None:
        with self._lock:
            if self._replace_file:
                self._remove(self._replace_file)
            self._commands = None
            self._replace_file = None
            self._unified = ""

    def _archive(self) -> str:
        if "archive configuration location " not in self.get_config():
            self._user_view()
            self._send(f"mkdir {self.medium}:/archive")  # an existing directory is fine
            self._config_lines([archive_location(self.medium)])
        self._user_view()
        out = self._dialog("archive configuration", "y")
        m = _ARCHIVE_SAVED.search(out)
        if not m:
            raise DeployError(f"{self.device}: archive configuration failed: {out.strip()}")
        return m.group(1)

    def commit_config(self, revert_in: int | None = None) -> None:
        with self._lock:
            if self._commands is None:
                raise DeployError(f"{self.device}: nothing loaded to commit")
            if not self._commands:
                self.discard_config()
                return  # no difference: nothing to archive, apply or confirm
            self.archive = self._archive()
            self._record(self.get_config(), revert_in)
            self._system_view()
            if revert_in:
                minutes = max(1, math.ceil(revert_in / 60))
                out = self._send(f"configuration commit delay {minutes}")
                if m := CLI_ERROR.search(out):
                    raise DeployError(f"{self.device}: configuration commit delay failed: {m.group(0)}")
                self._deadline = time.monotonic() + minutes * 60
            try:
                if self._replace_file:
                    line = f"configuration replace file {self.medium}:/{self._replace_file}"
                    out = self._dialog(line, "n")
                    self._remove(self._replace_file)
                    if m := CLI_ERROR.search(out):
                        raise CommitRejected(self.device, line, m.group(0))
                else:
                    self._config_lines(self._commands)
            except CommitRejected:
                self.rollback()
                raise
            finally:
                self._commands = None
                self._replace_file = None
            self._after = self._running()

    def has_pending_commit(self) -> bool:
        """A delay window is running (govnet's monotonic clock; the device keeps its own); in a
        new session, any commit a killed govnet run left on record (its epoch deadline is not
        trusted: with clock skew it could read as expired while the device still waits)."""
        if self.archive is None:
            return self.state.pending() is not None
        return self._deadline is not None and time.monotonic() < self._deadline

    def confirm_commit(self) -> None:
        with self._lock:
            if not self.has_pending_commit():
                raise DeployError(
                    f"{self.device}: no commit delay window to confirm (expired and reverted, or never set)"
                )
            self._system_view()
            if self._running() != self._after:
                self._deadline = None
                raise DeployError(f"{self.device}: the commit delay expired; the device reverted the change")
            self._send("configuration commit")
            self._deadline = None
            if self._running() != self._after:
                raise DeployError(f"{self.device}: the commit delay expired before the confirm")
            self._user_view()
            self._send("save force")
            self._confirmed()

    def rollback(self) -> None:
        """Replace from the archive taken before the commit; in a new session (``--recover``
        after govnet died) from the last-known-good config on record, closing any window."""
        with self._lock:
            self._reopen()  # a session dropped mid-change (partial config): a fresh one
            source, window_open = self.archive, self._deadline is not None
            if source is None:  # a new session: the window (if any) is unknown here, close it
                lkg = self.state.lkg()
                if lkg is None:
                    raise DeployError(f"{self.device}: no archive and no last-known-good to roll back to")
                self._upload(RECOVER_FILE, lkg)
                source, window_open = f"{self.medium}:/{RECOVER_FILE}", True
            self._system_view()
            line = f"configuration replace file {source}"
            out = self._dialog(line, "n")
            if source == f"{self.medium}:/{RECOVER_FILE}":
                self._remove(RECOVER_FILE)
            if m := CLI_ERROR.search(out):
                raise DeployError(f"{self.device}: rollback ({line}) failed: {m.group(0)}")
            if window_open:
                self._send("configuration commit")
                self._deadline = None
            self._user_view()
            self.state.clear_pending()
