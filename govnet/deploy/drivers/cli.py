"""The Netmiko SSH session shared by the VRP5, VRP8 and Comware drivers (:class:`CliDriver`).

View tracking, Y/N dialogs, secret resolution on the way in and masking on the way out, SFTP
uploads, the last-known-good record, and the remediation-planned candidate (read by the
platform's reader of printed configs); each vendor driver adds its change model on top.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from govnet.credentials import SECRET_REF_RE
from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DeviceDriver, DriverTarget
from govnet.deploy.lkg import LkgStore, PendingCommit
from govnet.deploy.remediation import SessionGuard, merge_config, remediate
from govnet.deploy.secrets import SecretValues
from govnet.deploy.sshlogin import netmiko_session
from govnet.platforms import get_platform
from govnet.platforms.printed import config_text

REOPEN_S = 1.0
"""Pause between attempts to reopen a dropped session for a rollback."""
REOPEN_FOR_S: float | None = None
"""How long a dropped session is retried (None: the driver's timeout)."""
_QUESTION = re.compile(r"(\[Y/N\]|\[Y\(yes\)/N\(no\)/C\(cancel\)\]):?\s*$")
CLI_ERROR = re.compile(r"^\s*(Error:|% ).*$", re.M)
"""A refusal in a VRP or Comware command's output (``Error: ...``, ``% Unrecognized command``)."""


class CliDriver(DeviceDriver):
    """One Netmiko SSH session to a VRP or Comware device, with view tracking and dialogs.

    Built as ``Driver(target)`` (:class:`DriverTarget`). ``target.extras``: ``run_id`` (names
    labels and files; default a UTC timestamp), ``mgmt_interface`` (never negated; found from
    ``hostname`` in the running config when omitted), ``secrets`` (:class:`SecretValues`).

    ``${secret:NAME}`` references are resolved only on their way into the session (typed lines,
    uploaded files); every text read back has known values turned into references again, so
    no value reaches a diff, an error, a backup or a log.
    """


    def __init__(self, target: DriverTarget) -> None:
        self.target = target
        self.device = target.device
        self.platform = get_platform(target.platform)
        self.hostname = target.hostname
        self.port = target.port or 22
        self.username = target.username or ""
        self.timeout = target.timeout
        extras = target.extras
        self.run_id: str = str(extras.get("run_id") or datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
        self.mgmt_interface: str | None = extras.get("mgmt_interface")
        secrets = extras.get("secrets")
        self.secrets = secrets if isinstance(secrets, SecretValues) else SecretValues()
        self.state = LkgStore(target.state_dir, target.device)
        self._conn: Any = None
        self._last_prompt = ""
        """The prompt the last command ended at ("" when unknown)."""
        self._in_system_view = False
        self._lock = threading.RLock()
        self._commands: tuple[str, ...] | None = None
        """The remediation lines of the loaded candidate (None: nothing loaded)."""
        self._unified = ""
        self._intended = ""
        """The intended config of the last load (its secret references: the digests kept at confirm)."""
        self.held: tuple[str, ...] = ()
        """Negations the last compare withheld for safety (see govnet.deploy.remediation)."""

    # ----- session
    def open(self) -> None:
        conn_timeout = min(self.timeout, 15)
        if not self.platform.netmiko:
            raise DeployError(f"{self.device}: platform {self.platform.name} names no Netmiko device type")
        self._conn = netmiko_session(self.target, self.platform.netmiko, conn_timeout)
        self._in_system_view = False
        self._prompt = re.compile(
            rf"(?:^|\n)(?:HRP_[MS])?[<\[][~*]?{re.escape(self._conn.base_prompt)}[^\n]*[>\]]\s*$"
        )

    def close(self) -> None:
        """Log out. Netmiko's own cleanup probes the view with a 2 s timing read; the driver
        knows its view, so it returns to user view and logs out itself."""
        if self._conn is None:
            return
        try:
            self._user_view()
            self._conn.write_channel("quit" + self._conn.RETURN)
        except Exception:  # the session may already be gone; closing must not fail
            pass
        self._conn.paramiko_cleanup()
        self._conn = None

    def alive(self) -> bool:
        """The SSH session still answers (False once the device dropped it)."""
        try:
            return self._conn is not None and bool(self._conn.is_alive())
        except Exception:  # a dead transport may raise instead of answering False
            return False

    def _reopen(self) -> None:
        """A fresh session when the old one died (a dropped session, a restarted device):
        retried every :data:`REOPEN_S` seconds for :data:`REOPEN_FOR_S` (the driver's timeout),
        then ConnectFailed."""
        if self.alive():
            return
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.paramiko_cleanup()
            self._conn = None
        until = time.monotonic() + (self.timeout if REOPEN_FOR_S is None else REOPEN_FOR_S)
        while True:
            try:
                self.open()
                return
            except DeployError:
                if time.monotonic() >= until:
                    raise
                time.sleep(REOPEN_S)

    @property
    def guard(self) -> SessionGuard:
        return SessionGuard(mgmt_interface=self.mgmt_interface, ssh_users=(self.username,))

    def _send(self, command: str, timeout: float = 30.0) -> str:
        """Send one line and read up to the next prompt or Y/N question."""
        if self._conn is None:
            raise DeployError(f"{self.device}: not connected (call open first)")
        pattern = rf"{self._prompt.pattern}|{_QUESTION.pattern}"
        try:
            out: str = self._conn.send_command(
                command,
                expect_string=pattern,
                strip_prompt=False,
                strip_command=True,
                read_timeout=timeout,
            )
        except Exception as err:
            shown = self.secrets.unresolve(command)
            reason = self.secrets.redact(str(err))
            raise DeployError(f"{self.device}: {shown!r} got no prompt back: {reason}") from err
        last = out.rstrip().rsplit("\n", 1)[-1].strip()
        self._last_prompt = last if self._prompt.search("\n" + last) else ""
        return self.secrets.unresolve(out)

    def _dialog(self, command: str, *answers: str) -> str:
        """Send ``command`` and answer its Y/N questions in order (the last answer repeats)."""
        out = self._send(command)
        transcript = out
        i = 0
        while _QUESTION.search(out.rstrip()):
            answer = answers[min(i, len(answers) - 1)] if answers else "y"
            out = self._send(answer)
            transcript += out
            i += 1
        return transcript

    def _system_view(self) -> None:
        if not self._in_system_view:
            self._send("system-view")
            self._in_system_view = True

    def _user_view(self) -> None:
        if self._in_system_view:
            self._dialog("return", "n")
            self._in_system_view = False

    def _config_lines(self, lines: tuple[str, ...] | list[str]) -> None:
        """Send lines in system view; the first rejected one raises :class:`CommitRejected`."""
        self._system_view()
        for line in lines:
            out = self._send(self.secrets.resolve(line, self.device))
            if m := CLI_ERROR.search(out):
                self._top_of_system_view()
                raise CommitRejected(self.device, line, m.group(0))
        self._top_of_system_view()

    def _top_of_system_view(self) -> None:
        """Back to ``[H]`` whatever section the last line entered (``quit`` per level)."""
        top = re.compile(rf"^(HRP_[MS])?\[[~*]?{re.escape(self._conn.base_prompt)}\]$")
        prompt = ""
        for _ in range(8):
            prompt = self._last_prompt
            if not prompt:
                try:
                    prompt = str(self._conn.find_prompt()).strip()
                except Exception as err:  # the session died under us
                    raise DeployError(f"{self.device}: no prompt: {err}") from err
            if top.match(prompt):
                self._in_system_view = True
                return
            self._send("system-view" if prompt.endswith(">") else "quit")
        raise DeployError(f"{self.device}: could not return to system view (prompt {prompt})")

    def _upload(self, name: str, text: str) -> None:
        """Put ``text`` into ``flash:/name`` over SFTP on the same SSH connection."""
        if self._conn is None:
            raise DeployError(f"{self.device}: not connected (call open first)")
        payload = self.secrets.resolve(text, self.device).encode()
        try:
            sftp = self._conn.remote_conn_pre.open_sftp()
            try:
                sftp.putfo(BytesIO(payload), name)
            finally:
                sftp.close()
        except Exception as err:
            raise DeployError(f"{self.device}: SFTP upload of {name} failed: {err}") from err

    def _remove(self, name: str) -> None:
        if self._conn is None:
            return
        try:
            sftp = self._conn.remote_conn_pre.open_sftp()
            try:
                sftp.remove(name)
            finally:
                sftp.close()
        except Exception:  # best effort: a missing file is already gone
            pass

    def get_config(self) -> str:
        with self._lock:
            return self.cli("display current-configuration")

    def _running(self) -> str:
        """The running config's lines as the platform's reader gives them to the diff."""
        return config_text(self.get_config(), self.platform.print_style)

    def _plan(self, running: str, intended: str) -> tuple[str, ...]:
        """Load the remediation from ``running`` to ``intended`` as the candidate; its held lines."""
        self._find_mgmt_interface(running)
        self._intended = intended
        plan = remediate(running, intended, self.platform.name, self.guard, self.rotated(intended))
        self._commands, self._unified, self.held = plan.commands, plan.unified, plan.held
        return plan.held

    def compare_config(self) -> ConfigDiff:
        """The loaded candidate's remediation lines and unified diff (planned at load time)."""
        if self._commands is None:
            raise DeployError(f"{self.device}: nothing loaded to compare")
        return ConfigDiff(self.device, self._commands, self._unified, self.held)

    def _replace_intended(self, config: str) -> str:
        """Hook: the full config a replace pushes for ``config`` (Comware adds its archive line)."""
        return config

    def residual(self, config: str, replace: bool) -> ConfigDiff:
        """What the running config still lacks of ``config``, computed offline from the running
        text: no candidate is loaded, so it works inside a ``commit trial`` or commit delay."""
        with self._lock:
            running = self._running()
            intended = (self._replace_intended(config) if replace
                        else merge_config(running, config, self.platform.name))
            plan = remediate(running, intended, self.platform.name, self.guard, self.rotated(intended))
            return ConfigDiff(self.device, plan.commands, plan.unified, plan.held)

    def rotated(self, intended: str) -> frozenset[str]:
        """The secrets ``intended`` names whose value is not the one last confirmed here (by the
        kept digest): their lines are pushed again. A secret with no kept digest is taken as set."""
        kept = self.state.digests()
        names = {m.group("name") for m in SECRET_REF_RE.finditer(intended)}
        return frozenset(n for n in names if n in kept and kept[n] != self.secrets.digest(n, self.device))

    def _keep_digests(self) -> None:
        """After a confirm: the digests of the secrets the confirmed intent carries."""
        names = {m.group("name") for m in SECRET_REF_RE.finditer(self._intended)}
        digests = {n: d for n in names if (d := self.secrets.digest(n, self.device)) is not None}
        if digests:
            self.state.save_digests({**self.state.digests(), **digests})

    def _record(self, running: str, revert_in: int | None) -> None:
        """Before a change: the last-known-good config, and with a window a pending record, in
        the state directory (what ``govnet deploy --recover`` restores if govnet dies)."""
        self.state.save_lkg(running)
        if revert_in:
            self.state.mark_pending(
                PendingCommit.for_driver(self.target, revert_in, self.run_id)
            )

    def _confirmed(self) -> None:
        self.state.clear_pending()
        self.state.save_lkg(self.get_config())
        self._keep_digests()

    def _lkg(self) -> str:
        lkg = self.state.lkg()
        if lkg is None:
            raise DeployError(
                f"{self.device}: no commit to roll back and no last-known-good in {self.state.state_dir}"
            )
        return lkg

    def cli(self, command: str) -> str:
        """One ``display`` command's text (the trailing prompt removed)."""
        with self._lock:
            out = self._send(command, timeout=120)
        lines = out.rstrip().splitlines()
        if lines and self._prompt.search("\n" + lines[-1]):
            lines = lines[:-1]
        while lines and (not lines[0].strip() or lines[0].rstrip().endswith(command)):
            lines = lines[1:]  # a command echo Netmiko left in (Comware runs without cmd_verify)
        return "\n".join(lines) + "\n"

    def _find_mgmt_interface(self, running: str) -> None:
        """The interface holding the address govnet connects to, kept off every negation."""
        if self.mgmt_interface:
            return
        section = None
        for line in running.splitlines():
            if not line.startswith(" "):
                section = line.strip()
            elif (
                section
                and section.startswith("interface ")
                and re.match(rf"^\s*ip address {re.escape(self.hostname)} ", line)
            ):
                self.mgmt_interface = section.removeprefix("interface ")
                return


def refuse_unsafe_replace(device: str, held: tuple[str, ...]) -> None:
    """A device-side replace applies the whole file: refuse one that would remove what the
    remediation holds back (the session's lines, VLANs still in use)."""
    if held:
        raise DeployError(
            f"{device}: the intended config would remove {', '.join(held)}; a replace cannot hold "
            "these back - add them to the intended config"
        )
