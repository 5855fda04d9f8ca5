"""EMULATION (not real gear): stateful CLI shells of Huawei VRP8, VRP5/USG/NIP and H3C Comware 7/SecPath.

Behaviour follows the vendors' configuration guides; it is a test
double for govnet's drivers, not a device. What is emulated:

* VRP8 (CE): ``<H>`` -> ``system-view`` -> ``[~H]``; ``[*H]`` once the candidate differs;
  ``commit [trial <60-65535>] [label L]`` (a trial reverts by itself on expiry unless a plain
  ``commit`` follows), ``abort trial``, no edits while a trial runs, ``display configuration
  candidate changes``, ``clear configuration candidate``, ``display configuration commit
  list``, ``rollback configuration to {label L | commit-id N}`` (Y/N), ``load configuration file
  F {replace | merge}``.
* VRP5 and USG: immediate mode ``<H>``/``[H]``, ``save [F]`` with its Y/N dialog; on a USG pair
  the ``HRP_M``/``HRP_S`` prompt prefix, the standby refusing edits, and HRP syncing the master's
  configuration (everything but interfaces, ``sysname`` and ``hrp`` lines) to the standby.
* NIP6000 (USG6000 V500 software, standalone): ``<H>`` with no ``HRP_`` prefix, the
  ``profile type ips`` view, ``%@%@`` cipher text; otherwise the VRP5 immediate mode.
* SecPath (Comware 7 firewall / SSL VPN / load balancer): files on the CF card ``cfa0:``
  (``pwd``, SFTP root; a ``flash:/`` path refused), the security-zone, SSL VPN and SLB views.
* As printed: Comware 7, the USG and the NIP show one-line global commands indented by one space
  in a block after ``#`` (`` sysname X``), as the real devices do.
* Comware 7: ``<H>``/``[H]``, ``configuration commit delay <min>`` (one-shot; changes after it
  revert unless ``configuration commit`` comes in time), ``archive configuration`` (with
  ``archive configuration location``), ``configuration replace file F``, ``display diff
  current-configuration configfile F``, ``save force``.

The candidate is device-wide (a real CE keeps one per session). Timers run ``time_scale`` times
faster than the vendor's unit so tests see an expiry in about a second; ``reverted`` is set each
time a timer restores the configuration, so tests wait on the emulator's own event.
"""

from __future__ import annotations

import asyncio
import difflib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import COMWARE, NIP, SECPATH, USG, VRP, VRP5, VRP8, ConfigTree, Dialect, Node, Rejected
from .protocols import Protocols, h3c, huawei


@dataclass
class Commit:
    """One VRP8 commit point."""

    commit_id: int
    label: str
    config: ConfigTree
    user: str = "netadmin"


class Io:
    """One SSH session's terminal: write text, ask a Y/N question."""


    def __init__(self, process: Any) -> None:
        self.process = process

    def write(self, text: str) -> None:
        self.process.stdout.write(text)

    async def readline(self) -> str | None:
        try:
            line: str = await self.process.stdin.readline()
        except Exception:  # asyncssh raises on a broken/terminated session
            return None
        return line if line else None

    async def ask(self, question: str) -> str:
        self.write(question)
        answer = await self.readline()
        return (answer or "").strip().lower()


class _Mute(Io):
    """A terminal whose output is lost (the session is about to drop); questions answer no."""

    def write(self, text: str) -> None:
        return None

    async def ask(self, question: str) -> str:
        return "n"


class EmulatedDevice:
    """State and shell shared by all emulated platforms (subclasses add their commands)."""

    dialect: Dialect = VRP
    os_header = "!Software Version V200R019C10SPC500 (EMULATION)"
    medium = "flash"
    """The storage medium a session starts in (``pwd``); SFTP serves its root."""
    indent_globals = False
    """Print one-line global commands indented after ``#`` (Comware 7, USG, NIP do)."""

    def __init__(self, name: str, config: str, flash: Path, time_scale: float = 1.0) -> None:
        self.name = name
        self.boot_config = config
        """What the device runs after a restart when nothing was saved."""
        self.running = ConfigTree.parse(self.dialect, config)
        self.flash = flash
        self.flash.mkdir(parents=True, exist_ok=True)
        self.time_scale = time_scale
        self.lock = threading.RLock()
        self.reverted = threading.Event()
        self.log: list[str] = []
        """Every command received, in order (for tests)."""
        self.port = 0
        self.connections: list[Any] = []
        """The open SSH connections (a cut aborts them)."""
        self.drop_after: int | None = None
        """Fault: abort the SSH session after this many more configuration lines (the lines
        before it are applied, as in immediate mode: a partial config)."""
        self.drop_on: str | None = None
        """Fault: run the next line equal to this, then abort the session before its reply."""
        self.protocols = Protocols()
        """What the post-change ``display`` commands print (see :mod:`.protocols`)."""

    # ----- views and prompts
    @property
    def sysname(self) -> str:
        node = next((c for c in self.running.root.children if c.text.startswith("sysname ")), None)
        return node.text.split()[1] if node else self.name

    def prompt(self, path: tuple[str, ...] | None) -> str:
        if path is None:
            return f"<{self.sysname}>"
        view = (
            f"-{path[-1].split()[-1] if path[-1].startswith('interface') else path[-1].replace(' ', '-')}"
            if path
            else ""
        )
        return f"[{self.sysname}{view}]"

    def printed(self) -> str:
        """The running configuration as ``display current-configuration`` shows it."""
        return self.running.render(self.os_header, self.indent_globals)

    def running_lines(self) -> list[str]:
        with self.lock:
            return self.running.lines()

    def file(self, name: str) -> Path:
        return self.flash / name.removeprefix(f"{self.medium}:/").lstrip("/")

    def on_medium(self, name: str) -> bool:
        """``name`` is on this device's storage (no medium prefix, or its own)."""
        return ":" not in name or name.startswith(f"{self.medium}:/")

    # ----- the shell
    async def session(self, process: Any) -> None:
        io = Io(process)
        path: tuple[str, ...] | None = None
        conn = process.get_extra_info("connection")
        self.connections.append(conn)
        io.write("Info: The max number of VTY users is 5. (EMULATED DEVICE, not real gear)\n")
        try:
            while True:
                io.write(self.prompt(path))
                raw = await io.readline()
                if raw is None:
                    break
                line = raw.strip()
                if not line:
                    continue
                self.log.append(line)
                if path is not None and self._dropped_at(line):
                    conn.abort()  # the session dies mid-change: no reply, no clean logout
                    return
                if line == self.drop_on:
                    self.drop_on = None
                    await self.command(_Mute(process), path, line)
                    conn.abort()  # done on the device; the reply is lost
                    return
                out = await self.command(io, path, line)
                if isinstance(out, str):
                    break  # "close": the user logged out
                path = out
        finally:
            self.connections.remove(conn)
            process.exit(0)

    STARTUP_FILES = ("startup.cfg", "vrpcfg.cfg")
    """Where ``save`` writes the startup config (Comware, VRP)."""

    def restarted(self) -> None:
        """The device reboots (call while it is cut off): timers and uncommitted state are lost
        and it runs its saved startup config (or the config it first booted with)."""
        with self.lock:
            for name in ("trial", "delay"):
                timer = getattr(self, name, None)
                if timer is not None:
                    timer.cancel()
                    setattr(self, name, None)
            for name in ("candidate", "before_trial", "before_delay"):
                if hasattr(self, name):
                    setattr(self, name, None)
            saved = next((self.file(f) for f in self.STARTUP_FILES if self.file(f).exists()), None)
            text = saved.read_text(encoding="utf-8") if saved else self.boot_config
            self.running = ConfigTree.parse(self.dialect, text)
            self.log.append("(restarted)")

    def _dropped_at(self, line: str) -> bool:
        """Count a configuration line against :attr:`drop_after`; True when the session drops."""
        if self.drop_after is None or line.startswith(("display ", "quit", "return", "system-view")):
            return False
        if self.drop_after <= 0:
            self.drop_after = None
            return True
        self.drop_after -= 1
        return False

    async def command(self, io: Io, path: tuple[str, ...] | None, line: str) -> tuple[str, ...] | str | None:
        """Run one line; the new view (None = user view, "close" = log out)."""
        if line.startswith("display "):
            io.write(self.display(line))
            return path
        if re.match(r"^screen-length (0 temporary|disable)$", line):
            return path
        if path is None:
            if line == "system-view":
                io.write("Enter system view, return user view with return command.\n")
                return ()
            if line == "quit":
                return "close"
            handled = await self.user_command(io, line)
            if not handled:
                self.reject(io, path, self.dialect.unrecognized, 0)
            return None
        if line == "return":
            return await self.leave_system_view(io)
        if line == "quit":
            return path[:-1] if path else await self.leave_system_view(io)
        if await self.system_command(io, path, line):
            return path
        try:
            with self.lock:
                return self.configure(path, line)
        except Rejected as err:
            self.reject(io, path, err.message, err.column)
            return path

    def reject(self, io: Io, path: tuple[str, ...] | None, message: str, column: int) -> None:
        io.write(" " * (len(self.prompt(path)) + column) + "^\n" + message + "\n")

    async def leave_system_view(self, io: Io) -> tuple[str, ...] | None:
        return None

    async def user_command(self, io: Io, line: str) -> bool:
        return False

    async def system_command(self, io: Io, path: tuple[str, ...], line: str) -> bool:
        return False

    def configure(self, path: tuple[str, ...], line: str) -> tuple[str, ...]:
        return self.running.apply(path, line)

    def display(self, line: str) -> str:
        if line == "display current-configuration":
            with self.lock:
                return self.printed()
        shown = (h3c if self.dialect in (COMWARE, SECPATH) else huawei)(self.protocols, line)
        return shown if shown is not None else self.dialect.unrecognized + "\n"

    def later(self, seconds: float, callback: Any) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(seconds * self.time_scale, callback)


class Vrp8Device(EmulatedDevice):
    """Huawei CE (VRP8): two-stage configuration with commit trial. EMULATION."""

    dialect = VRP8
    os_header = "!Software Version V200R020C10SPC600 (CE6881, EMULATION)"
    indent_globals = True  # one-line global commands print indented after '#', as the CE does

    def __init__(self, name: str, config: str, flash: Path, time_scale: float = 1.0) -> None:
        super().__init__(name, config, flash, time_scale)
        self.candidate: ConfigTree | None = None
        self.commits: list[Commit] = [Commit(1000000001, "-", self.running.copy())]
        self.trial: asyncio.TimerHandle | None = None
        self.before_trial: ConfigTree | None = None

    def prompt(self, path: tuple[str, ...] | None) -> str:
        base = super().prompt(path)
        if path is None:
            return base
        mark = "*" if self.candidate is not None and self.candidate != self.running else "~"
        return f"[{mark}{base[1:]}"

    def candidate_lines(self) -> list[str]:
        with self.lock:
            return (self.candidate or self.running).lines()

    def configure(self, path: tuple[str, ...], line: str) -> tuple[str, ...]:
        if self.trial is not None:
            raise Rejected("Error: The configuration cannot be modified during a trial commit.")
        if self.candidate is None:
            self.candidate = self.running.copy()
        return self.candidate.apply(path, line)

    async def leave_system_view(self, io: Io) -> tuple[str, ...] | None:
        if self.candidate is not None and self.candidate != self.running:
            answer = await io.ask(
                "Warning: Uncommitted configurations found. Are you sure to commit them before "
                "exiting? [Y(yes)/N(no)/C(cancel)]:"
            )
            if answer.startswith("c"):
                return ()
            if answer.startswith("y"):
                self._commit("-")
            self.candidate = None
        return None

    def _commit(self, label: str) -> Commit:
        assert self.candidate is not None
        self.running = self.candidate
        self.candidate = None
        commit = Commit(self.commits[-1].commit_id + 1, label, self.running.copy())
        self.commits.append(commit)
        return commit

    async def user_command(self, io: Io, line: str) -> bool:
        if line.startswith("rollback configuration"):
            await self._rollback(io, line)
            return True
        if line.startswith("save"):
            answer = await io.ask(
                "Warning: The current configuration will be written to the device. Continue? [Y/N]:"
            )
            if answer.startswith("y"):
                with self.lock:
                    self.file("vrpcfg.cfg").write_text(self.printed(), encoding="utf-8")
                io.write("Info: Save the configuration successfully.\n")
            return True
        return False

    async def _rollback(self, io: Io, line: str) -> None:
        m = re.match(r"^rollback configuration to (label (\S+)|commit-id (\d+))$", line)
        with self.lock:
            target = None
            if m:
                target = next((c for c in self.commits if c.label == m[2] or str(c.commit_id) == m[3]), None)
        if target is None:
            io.write("Error: The specified commit point does not exist.\n" if m else VRP.unrecognized + "\n")
            return
        if self.trial is not None:
            io.write("Error: A trial commit is in progress. Run abort trial or commit first.\n")
            return
        answer = await io.ask("Warning: The system will roll back the configuration. Continue? [Y/N]:")
        if not answer.startswith("y"):
            return
        with self.lock:
            self.candidate = target.config.copy()
            self._commit("-")
        io.write("Info: The configuration has been rolled back successfully.\n")

    async def system_command(self, io: Io, path: tuple[str, ...], line: str) -> bool:
        if line.startswith("rollback configuration"):
            await self._rollback(io, line)
            return True
        with self.lock:
            if m := re.match(r"^commit(?: trial (\S+))?(?: label (\S+))?$", line):
                io.write(self._commit_command(m[1], m[2]))
                return True
            if line == "abort trial":
                if self.trial is None:
                    io.write("Error: No trial commit is in progress.\n")
                else:
                    self.trial.cancel()
                    self._revert_trial()
                    io.write("Info: The trial commit has been aborted.\n")
                return True
            if line == "clear configuration candidate":
                self.candidate = None
                return True
            if m := re.match(r"^load configuration file (\S+) (replace|merge)$", line):
                source = self.file(m[1])
                if not source.exists():
                    io.write(f"Error: The file {m[1]} does not exist.\n")
                    return True
                if self.trial is not None:
                    io.write("Error: The configuration cannot be modified during a trial commit.\n")
                    return True
                loaded = ConfigTree.parse(VRP, source.read_text(encoding="utf-8"))
                if m[2] == "replace":
                    self.candidate = loaded
                else:
                    self.candidate = self.candidate or self.running.copy()
                    _merge(self.candidate, loaded.root, ())
                io.write("Info: The configuration file has been loaded to the candidate.\n")
                return True
        return False

    def _commit_command(self, trial: str | None, label: str | None) -> str:
        if self.trial is not None:
            if trial is None and label is None:
                self.trial.cancel()
                self.trial = None
                self.before_trial = None
                return "Info: The trial commit has been confirmed.\n"
            return "Error: A trial commit is in progress. Run commit or abort trial first.\n"
        seconds = 0
        if trial is not None:
            if not trial.isdigit() or not 60 <= int(trial) <= 65535:
                return VRP.wrong_parameter + "\n"
            seconds = int(trial)
        if label and any(c.label == label for c in self.commits):
            return f"Error: The label {label} already exists.\n"
        if self.candidate is None or self.candidate == self.running:
            self.candidate = None
            return "Info: No configuration changes to commit.\n"
        before = self.running.copy()
        self._commit(label or "-")
        if seconds:
            self.before_trial = before
            self.reverted.clear()
            self.trial = self.later(seconds, self._expire)
        return ""

    def _revert_trial(self) -> None:
        assert self.before_trial is not None
        self.running = self.before_trial
        self.commits.pop()
        self.trial = None
        self.before_trial = None
        self.reverted.set()

    def _expire(self) -> None:
        with self.lock:
            if self.trial is not None:
                self._revert_trial()

    def display(self, line: str) -> str:
        with self.lock:
            if line == "display configuration candidate changes":
                return self._candidate_changes()
            if line == "display configuration commit list":
                rows = [
                    f"{i:<6}{c.commit_id:<16}{c.label:<21}{c.user:<17}2026-11-28 00:00:00"
                    for i, c in enumerate(reversed(self.commits), 1)
                ]
                rule = "-" * 80
                return (
                    "\n".join(
                        [
                            rule,
                            "No.   CommitId        Label                User             Date(UTC)",
                            rule,
                            *rows,
                        ]
                    )
                    + "\n"
                )
        return super().display(line)

    def _candidate_changes(self) -> str:
        if self.candidate is None or self.candidate == self.running:
            return "Info: No configuration changes.\n"
        out = ["Building configuration"]
        for tag, a, b in _section_diff(self.running, self.candidate):
            out.append("#")
            out.append(tag)
            out.extend(f"- {x}" for x in a)
            out.extend(f"+ {x}" for x in b)
        return "\n".join(out) + "\n#\n"


def _merge(tree: ConfigTree, node: Node, path: tuple[str, ...]) -> None:
    for child in node.children:
        _merge(tree, child, tree.apply(path, child.text))


def _section_diff(old: ConfigTree, new: ConfigTree) -> list[tuple[str, list[str], list[str]]]:
    """Per top-level block: its header and the lines removed and added (VRP8's change view)."""

    def blocks(tree: ConfigTree) -> dict[str, list[str]]:
        return {c.text: [ln for ln in ConfigTree(tree.dialect, c).lines()] for c in tree.root.children}

    a, b = blocks(old), blocks(new)
    out: list[tuple[str, list[str], list[str]]] = []
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key) == b.get(key):
            continue
        if key not in b:
            out.append((key, [key, *a[key]], []))
        elif key not in a:
            out.append((key, [], [key, *b[key]]))
        else:
            removed = [x for x in a[key] if x not in b[key]]
            added = [x for x in b[key] if x not in a[key]]
            out.append((key, removed, added))
    return out


class Vrp5Device(EmulatedDevice):
    """Huawei S-series/AR (VRP5): immediate mode, ``save`` with Y/N dialog. EMULATION."""

    dialect = VRP5
    async def user_command(self, io: Io, line: str) -> bool:
        m = re.match(r"^save(?: (\S+))?$", line)
        if not m:
            return False
        name = m[1] or "vrpcfg.cfg"
        if m[1]:
            if not name.endswith((".cfg", ".zip")):
                io.write("Error: The file name is invalid. The extension must be .cfg or .zip.\n")
                return True
            answer = await io.ask(f"Are you sure to save the configuration to {self.medium}:/{name}?[Y/N]:")
            if answer.startswith("y") and self.file(name).exists():
                answer = await io.ask(f"{self.medium}:/{name} exists, overwrite?[Y/N]:")
        else:
            answer = await io.ask(
                "The current configuration will be written to the device. Are you sure to continue?[Y/N]:"
            )
        if answer.startswith("y"):
            with self.lock:
                self.file(name).write_text(self.printed(), encoding="utf-8")
            io.write(
                "Now saving the current configuration to the slot 0.\nSave the configuration successfully.\n"
            )
        return True


class UsgDevice(Vrp5Device):
    """Huawei USG firewall (VRP5 CLI) in an HRP hot-standby pair. EMULATION."""

    dialect = USG
    os_header = "!Software Version V500R005C10SPC300 (USG6650, EMULATION)"
    indent_globals = True

    def __init__(self, name: str, config: str, flash: Path, time_scale: float = 1.0, role: str = "M") -> None:
        super().__init__(name, config, flash, time_scale)
        self.role = role
        self.peer: UsgDevice | None = None

    def prompt(self, path: tuple[str, ...] | None) -> str:
        return f"HRP_{self.role}{super().prompt(path)}"

    def configure(self, path: tuple[str, ...], line: str) -> tuple[str, ...]:
        if self.role != "M":
            raise Rejected(
                "Error: The standby device does not allow configuration. Configure the master device."
            )
        new_path = super().configure(path, line)
        synced = not (new_path and new_path[0].startswith("interface")) and not re.match(
            r"^(undo )?(sysname|hrp|interface)\b", line
        )
        if synced and self.peer is not None:
            with self.peer.lock:
                self.peer.running.apply(path, line)
        return new_path


class ComwareDevice(EmulatedDevice):
    """H3C Comware 7: immediate mode with ``configuration commit delay``. EMULATION."""

    dialect = COMWARE
    os_header = "#\n version 7.1.070, Release 7585P05 (EMULATION)"
    indent_globals = True

    def __init__(self, name: str, config: str, flash: Path, time_scale: float = 1.0) -> None:
        super().__init__(name, config, flash, time_scale)
        self.delay: asyncio.TimerHandle | None = None
        self.before_delay: ConfigTree | None = None

    def reject(self, io: Io, path: tuple[str, ...] | None, message: str, column: int) -> None:
        io.write(" " * (len(self.prompt(path)) + column) + "^\n" + message + "\n")

    def _archive_setting(self) -> tuple[str, str] | None:
        for c in self.running.root.children:
            pattern = rf"^archive configuration location {self.medium}:/(\S+) filename-prefix (\S+)$"
            if m := re.match(pattern, c.text):
                return m[1], m[2]
        return None

    async def user_command(self, io: Io, line: str) -> bool:
        if line == "pwd":
            io.write(f"{self.medium}:\n")
            return True
        if m := re.match(r"^mkdir (\S+)$", line):
            if not self.on_medium(m[1]):
                io.write(self.no_medium(m[1]))
                return True
            folder = self.file(m[1])
            if folder.exists():
                io.write(f" % The directory {m[1]} already exists.\n")
            else:
                folder.mkdir(parents=True)
                io.write(f"Creating directory {m[1]}... Done.\n")
            return True
        if line == "archive configuration":
            await self._archive(io)
            return True
        if line == "save force":
            self._save()
            io.write(
                "Validating file. Please wait...\n"
                "Saved the current configuration to mainboard device successfully.\n"
            )
            return True
        return False

    def _save(self) -> None:
        with self.lock:
            self.file("startup.cfg").write_text(self.printed(), encoding="utf-8")

    def no_medium(self, name: str) -> str:
        """The reply to a path on a storage medium this device lacks (the emulation's wording)."""
        return f" % The file system {name.split(':', 1)[0]}: does not exist.\n"

    async def _archive(self, io: Io) -> None:
        setting = self._archive_setting()
        if setting is None:
            io.write(" % Please specify the archive directory and file name prefix first.\n")
            return
        answer = await io.ask("Save the running configuration to an archive file. Continue? [Y/N]:")
        if not answer.startswith("y"):
            return
        folder, prefix = setting
        (self.flash / folder).mkdir(exist_ok=True)
        number = 1 + len(list((self.flash / folder).glob(f"{prefix}_*.cfg")))
        name = f"{prefix}_{number}.cfg"
        with self.lock:
            (self.flash / folder / name).write_text(self.printed(), encoding="utf-8")
        io.write(f"Please wait...\nThe archive configuration file {self.medium}:/{folder}/{name} is saved.\n")

    async def system_command(self, io: Io, path: tuple[str, ...], line: str) -> bool:
        if line == "save force":
            self._save()
            io.write("Saved the current configuration to mainboard device successfully.\n")
            return True
        if m := re.match(r"^configuration replace file (\S+)$", line):
            if not self.on_medium(m[1]):
                io.write(self.no_medium(m[1]))
                return True
            await self._replace(io, m[1])
            return True
        if m := re.match(r"^archive configuration location (\S+) filename-prefix \S+$", line):
            if not self.on_medium(m[1]):
                io.write(self.no_medium(m[1]))
                return True
            if not self.file(m[1]).is_dir():
                io.write(f" % The directory {m[1]} does not exist.\n")
                return True
            return False  # a plain config line from here on
        with self.lock:
            if m := re.match(r"^configuration commit delay (\S+)$", line):
                if not m[1].isdigit() or not 1 <= int(m[1]) <= 65535:
                    self.reject(io, path, COMWARE.wrong_parameter, len(line) - len(m[1]))
                elif self.delay is not None:
                    io.write(" % A configuration commit delay is already in progress.\n")
                else:
                    self.before_delay = self.running.copy()
                    self.reverted.clear()
                    self.delay = self.later(int(m[1]) * 60, self._expire)
                return True
            if line == "configuration commit":
                if self.delay is not None:
                    self.delay.cancel()
                    self.delay = None
                    self.before_delay = None
                return True
        return False

    async def _replace(self, io: Io, name: str) -> None:
        if self._archive_setting() is None:
            io.write(" % Please configure archive configuration location first.\n")
            return
        source = self.file(name)
        if not source.is_file():
            io.write(f" % File {name} does not exist.\n")
            return
        answer = await io.ask("Current configuration will be lost, save current configuration? [Y/N]:")
        if answer.startswith("y"):
            self._save()
        io.write("Now replacing the current configuration. Please wait ...\n")
        with self.lock:
            self.running = ConfigTree.parse(COMWARE, source.read_text(encoding="utf-8"))
        io.write(f"Succeeded in replacing current configuration with the file {name}.\n")

    def _expire(self) -> None:
        with self.lock:
            if self.delay is not None and self.before_delay is not None:
                self.running = self.before_delay
                self.delay = None
                self.before_delay = None
                self.reverted.set()

    def display(self, line: str) -> str:
        if m := re.match(r"^display diff current-configuration configfile (\S+)$", line):
            if not self.on_medium(m[1]):
                return self.no_medium(m[1])
            source = self.file(m[1])
            if not source.is_file():
                return f" % File {m[1]} does not exist.\n"
            with self.lock:
                current = self.running.lines()
            target = ConfigTree.parse(COMWARE, source.read_text(encoding="utf-8")).lines()
            diff = list(difflib.unified_diff(current, target, "Current configuration", m[1], lineterm=""))
            return ("\n".join(diff) + "\n") if diff else ""
        if line == "display archive configuration":
            setting = self._archive_setting()
            files = sorted((self.flash / setting[0]).glob("*.cfg")) if setting else []
            return "\n".join(f"{self.medium}:/{setting[0]}/{f.name}" for f in files if setting) + "\n"
        return super().display(line)


class NipDevice(Vrp5Device):
    """Huawei NIP6000 IPS in-line and standalone (USG6000 V500 software). EMULATION.

    What differs from the VRP5 switch: the V500 ``!Software Version`` header, no ``HRP_`` prompt
    prefix (one box, no hot standby), the ``profile type ips name X`` view with its
    ``signature-set`` sub-view and ``profile ips X`` in policy rules, secrets printed as
    ``%@%@...%@%@``. The ``save`` dialog and the error texts are the VRP5 family's.
    """

    dialect = NIP
    os_header = "!Software Version V500R005C00SPC200 (NIP6650, EMULATION)"
    indent_globals = True


class SecPathDevice(ComwareDevice):
    """H3C SecPath firewall / SSL VPN gateway / load balancer on Comware 7. EMULATION.

    What differs from the Comware switch: the storage is the CF card ``cfa0:`` (H3C's security
    products keep their configuration files there), so ``pwd`` answers ``cfa0:``, SFTP lands in
    ``cfa0:/`` and a ``flash:/`` path is refused; the ``security-zone``, ``sslvpn gateway``/
    ``sslvpn context`` and ``server-farm``/``real-server``/``virtual-server`` views; the 7.1.064
    release header. Commit delay, archive and replace behave as on the switch.
    """

    dialect = SECPATH
    os_header = "#\n version 7.1.064, Release 9333P2001 (SecPath F1000, EMULATION)"
    medium = "cfa0"
