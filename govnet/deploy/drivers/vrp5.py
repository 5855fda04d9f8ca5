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

:class:`CliDriver`, the Netmiko session shared with the VRP8 and Comware drivers, lives here too.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO
from typing import Any, ClassVar

from netmiko import ConnectHandler

from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.lkg import DeviceState, PendingCommit
from govnet.deploy.remediation import (
    Dialect,
    SessionGuard,
    clean_config,
    merge_config,
    remediate,
)
from govnet.deploy.secrets import SecretValues

_QUESTION = re.compile(r"(\[Y/N\]|\[Y\(yes\)/N\(no\)/C\(cancel\)\]):?\s*$")
_ERROR = re.compile(r"^\s*(Error:|% ).*$", re.M)


class CliDriver:
    """One Netmiko SSH session to a VRP or Comware device, with view tracking and dialogs.

    Built as ``Driver(target)`` (:class:`DriverTarget`). ``target.extras``: ``run_id`` (names
    labels and files; default a UTC timestamp), ``mgmt_interface`` (never negated; found from
    ``hostname`` in the running config when omitted), ``secrets`` (:class:`SecretValues`).

    ``${secret:NAME}`` references are resolved only on their way into the session (typed lines,
    uploaded files); every text read back has known values turned into references again, so
    no value reaches a diff, an error, a backup or a log.
    """

    netmiko_type: ClassVar[str] = "huawei"
    dialect: ClassVar[Dialect] = "vrp"

    def __init__(self, target: DriverTarget) -> None:
        self.target = target
        self.device: str = target.device
        self.hostname = target.hostname
        self.port = target.port or 22
        self.username = target.username or ""
        self.timeout = target.timeout
        extras = target.extras
        self.run_id: str = str(extras.get("run_id") or datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
        self.mgmt_interface: str | None = extras.get("mgmt_interface")
        secrets = extras.get("secrets")
        self.secrets = secrets if isinstance(secrets, SecretValues) else SecretValues()
        self.state = DeviceState(target.state_dir, target.device)
        self._conn: Any = None
        self._last_prompt = ""
        """The prompt the last command ended at ("" when unknown)."""
        self._in_system_view = False
        self._lock = threading.RLock()

    # ----- session
    def open(self) -> None:
        try:
            self._conn = ConnectHandler(
                device_type=self.netmiko_type,
                host=self.hostname,
                port=self.port,
                username=self.username,
                password=self.target.password,
                timeout=self.timeout,
                conn_timeout=min(self.timeout, 15),
            )
        except Exception as err:  # netmiko/paramiko raise many types; name the device
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise DeployError(f"{self.device}: SSH to {self.hostname}:{self.port} failed: {reason}") from err
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
            if m := _ERROR.search(out):
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

    def _record(self, running: str, revert_in: int | None) -> None:
        """Before a change: the last-known-good config, and with a window a pending record, in
        the state directory (what ``govnet deploy --recover`` restores if govnet dies)."""
        self.state.save_lkg(running)
        if revert_in:
            self.state.mark_pending(
                PendingCommit(self.device, self.target.platform, time.time() + revert_in, self.run_id)
            )

    def _confirmed(self) -> None:
        self.state.clear_pending()
        self.state.save_lkg(self.get_config())

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

    @property
    def backup_file(self) -> str:
        return f"govnet-{self.run_id}.cfg"

    def load_merge_candidate(self, config: str) -> None:
        running = self.get_config()
        self._plan(running, merge_config(running, config, self.dialect))

    def load_replace_candidate(self, config: str) -> None:
        self._plan(self.get_config(), config)

    def _plan(self, running: str, intended: str) -> None:
        self._find_mgmt_interface(running)
        plan = remediate(running, intended, self.dialect, self.guard)
        self._commands, self._unified, self.held = plan.commands, plan.unified, plan.held

    def compare_config(self) -> ConfigDiff:
        if self._commands is None:
            raise DeployError(f"{self.device}: nothing loaded to compare")
        return ConfigDiff(self.device, self._commands, self._unified)

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
            self._before = self.get_config()
            self._record(self._before, revert_in)
            try:
                self._config_lines(self._commands)
            except CommitRejected:
                self._restore()
                self.state.clear_pending()
                raise
            finally:
                self._user_view()
            self._rollback = remediate(self.get_config(), self._before, self.dialect, self.guard).commands
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
        back = remediate(self.get_config(), self._before, self.dialect, self.guard).commands
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
        """Replay the rollback lines; in a new session (``--recover`` after govnet died) the
        lines come from the last-known-good config on record."""
        with self._lock:
            if self._before is None:
                self._rollback = remediate(self.get_config(), self._lkg(), self.dialect, self.guard).commands
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
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
    for line in clean_config(config).splitlines():
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
