"""FRR over SSH into vtysh: frr-reload's diff and two-pass apply, govnet-kept confirm window.

vtysh applies every line at once and FRR 8.4 has no confirmed commit for bgpd/ospfd, so:
``commit_config(revert_in=S)`` saves the running config as last-known-good (LKG) and records a
pending commit with its deadline, then applies the plan (pass 1 deletes, re-read, pass 2 adds).
Until ``confirm_commit`` a timer in this process, the next govnet run or ``govnet deploy
--recover`` reloads the LKG the same way; a dead session is reopened for that.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import threading
from typing import Any

from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.drivers.keptwindow import KeptConfirmWindow
from govnet.deploy.frr_reload import Block, ReloadPlan, plan_reload
from govnet.deploy.lkg import LkgStore, PendingCommit
from govnet.deploy.mask import mask_config
from govnet.deploy.secrets import SecretValues
from govnet.deploy.sshlogin import netmiko_session
from govnet.platforms import get_platform

DAEMON_DOWN = re.compile(r"^Warning: connecting to (\S+)\.\.\.failed!?\s*$", re.M)
"""What vtysh prints into a command's output for a daemon it cannot reach."""
DELETE_RETRIES = 4
"""frr-reload drops the last word of a refused ``no`` line and retries (OSPF needs that)."""


class FrrDriver(KeptConfirmWindow):
    """The DeviceDriver for FRR (the lab twin's routers), one SSH vtysh session."""

    def __init__(self, target: DriverTarget) -> None:
        self.target = target
        self.device = target.device
        self.state = LkgStore(target.state_dir, target.device)
        secrets = target.extras.get("secrets")
        self.secrets = secrets if isinstance(secrets, SecretValues) else SecretValues()
        self.run_id: str = str(target.extras.get("run_id", ""))
        self._conn: Any = None
        self._candidate: str | None = None
        self._replace = False
        self.refused: list[tuple[str, str]] = []
        """(line, FRR's words) for every line FRR refused during the last commit."""
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()

    # -- session -------------------------------------------------------------------------
    def open(self) -> None:
        platform = get_platform(self.target.platform)
        if not platform.netmiko:
            raise DeployError(f"{self.device}: platform {platform.name} names no Netmiko device type")
        self._conn = netmiko_session(self.target, platform.netmiko,
                                     min(self.target.timeout, 10.0), fast_cli=False)

    def close(self) -> None:
        self._cancel_timer()
        if self._conn is not None:
            with contextlib.suppress(Exception):  # a dead session is already closed
                self._conn.disconnect()
            self._conn = None

    def alive(self) -> bool:
        return self._conn is not None and bool(self._conn.is_alive())

    def _session(self) -> Any:
        if self._conn is None:
            self.open()
        return self._conn

    def cli(self, command: str) -> str:
        """One exec-mode command's output, read up to vtysh's prompt (no prompt probing: netmiko's
        ``find_prompt`` would sleep 0.25 s before every command; its ``base_prompt`` keeps only 16
        characters of the hostname, so the prompt is matched as the lockstep apply matches it)."""
        with self._lock:  # the confirm-window timer may use the session from its own thread
            try:
                out: str = self._session().send_command(
                    command, read_timeout=self.target.timeout, auto_find_prompt=False,
                    expect_string=PROMPT_END_RE.pattern)
            except Exception as exc:
                self._conn = None
                raise DeployError(f"{self.device}: {command!r} failed: {type(exc).__name__}: {exc}") from None
            return out

    def get_config(self) -> str:
        """The running config; a daemon vtysh cannot reach is an error naming it (its part of the
        config is missing, so the text is no base for a diff, a rollback or a backup)."""
        text = self.cli("show running-config")
        if down := DAEMON_DOWN.findall(text):
            raise DeployError(
                f"{self.device}: {', '.join(down)} not running (vtysh could not connect to it): the running "
                "config cannot be read whole; start it again, then run govnet deploy --recover")
        return text

    # -- candidate -----------------------------------------------------------------------
    def load_merge_candidate(self, config: str) -> None:
        self._candidate, self._replace = config, False

    def load_replace_candidate(self, config: str) -> None:
        self._candidate, self._replace = config, True

    def discard_config(self) -> None:
        self._candidate = None

    def _plan(self, running: str) -> ReloadPlan:
        if self._candidate is None:
            raise DeployError(f"{self.device}: no candidate loaded")
        try:
            plan = plan_reload(self.secrets.unresolve(running), self._candidate)
        except DeployError as exc:
            raise DeployError(f"{self.device}: {exc}") from None
        if self._replace:
            return plan
        return ReloadPlan(deletes=(), adds=plan.adds, running=plan.running, target=plan.target)

    def compare_config(self) -> ConfigDiff:
        running = self.get_config()
        plan = self._plan(running)
        before, after = mask_config(plan.running), mask_config(plan.target)
        unified = (
            "".join(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    fromfile=f"{self.device} running",
                    tofile=f"{self.device} intended",
                )
            )
            if not plan.empty
            else ""
        )
        commands = tuple(mask_config(c) for c in plan.commands())
        return ConfigDiff(self.device, commands, unified)

    # -- commit, confirm window, rollback --------------------------------------------------
    def commit_config(self, revert_in: int | None = None) -> None:
        with self._lock:
            running = self.get_config()
            self.refused = []
            if self.state.pending() is None or self.state.lkg() is None:
                self.state.save_lkg(self.secrets.unresolve(running))  # else keep the older good one
            if revert_in is not None:
                self.state.mark_pending(
                    PendingCommit.for_driver(self.target, revert_in, self.run_id)
                )
                self._start_timer(revert_in)
            self._apply_two_pass(running)
            if revert_in is None:
                self._persist()

    def confirm_commit(self) -> None:
        with self._lock:
            self._require_pending()
            self._cancel_timer()
            self._persist()
            self.state.save_lkg(self.secrets.unresolve(self.get_config()))
            self.state.clear_pending()

    def rollback(self) -> None:
        """Reload the LKG (two passes, replace); reopens the session until the deadline."""
        with self._lock:
            self._cancel_timer()
            lkg = self._required_lkg()
            self._reconnect()
            self._candidate, self._replace = lkg, True  # plan_reload reads it as vtysh prints
            self._apply_two_pass(self.get_config())
            self._persist()
            self.state.clear_pending()
            self._candidate = None

    def _before_expiry_rollback(self) -> None:
        self._conn = None  # the timer thread opens its own session for the rollback

    def _persist(self) -> None:
        self.cli("write memory")

    # -- two-pass apply ------------------------------------------------------------------
    def _apply_two_pass(self, running: str) -> None:
        first = self._plan(running)
        if first.deletes:  # re-read only when pass 1 changed something
            self._delete(first.deletes)
            second = self._plan(self.get_config())
        else:
            second = first
        adds = list(second.adds)
        adds += [b for b in first.adds if b not in second.adds and not b[0].startswith("no ")]
        complaints = self._configure(adds)
        if complaints:  # a warning leaves the line in place; a refusal leaves it missing
            missing = {block[-1].strip() for block in self._plan(self.get_config()).adds}
            refused = [(line, reply) for line, reply in complaints if line in missing]
            if refused:
                line, reply = refused[0]
                raise CommitRejected(self.device, self.secrets.redact(line), reply)

    def _delete(self, blocks: tuple[Block, ...]) -> None:
        todo = [list(b) for b in blocks]
        for _ in range(DELETE_RETRIES):
            if not todo:
                return
            failed = {line.strip() for line, _reply in self._configure([tuple(b) for b in todo])}
            retry = []
            for block in todo:
                if block[-1].strip() in failed:
                    words = block[-1].split(" ")
                    if len(words) > 2 or (len(words) == 2 and not block[-1].startswith(" ")):
                        retry.append([*block[:-1], " ".join(words[:-1])])
            todo = [b for b in retry if b[-1].strip() != "no"]
        # lines FRR still refuses to remove surface as drift in the second pass / verify

    def _configure(self, blocks: list[Block]) -> list[tuple[str, str]]:
        """Send blocks line by line in step with vtysh's prompt; returns (line, FRR's complaint)
        for each refused line. Lockstep, because vtysh echoes type-ahead while it executes. The
        prompt after each line names vtysh's node, so a block re-enters its context (``end``,
        ``configure terminal``, its keys) only when vtysh is not known to be in it already."""
        if not blocks:
            return []
        contexts = {tuple(b[:i]) for b in blocks for i in range(1, len(b))}
        chan = self._session().remote_conn
        errors: list[tuple[str, str]] = []

        def send(command: str) -> str:
            chan.sendall((self.secrets.resolve(command, self.device) + "\n").encode())
            output = _read_prompt(chan)
            reply = _reply(output)
            if reply:
                errors.append((command.strip(), self.secrets.redact(reply)))
            return _node(output)

        try:
            chan.settimeout(self.target.timeout)
            node = send("configure terminal")
            context: tuple[str, ...] | None = () if node == "config" else None
            for block in blocks:
                keys, line = tuple(block[:-1]), block[-1]
                if keys != context:
                    for command in ("end", "configure terminal", *keys):
                        node = send(command)
                    context = keys
                before, node = node, send(line)
                if node == "config":  # at the top level (the line opened nothing, or left its node)
                    context = ()
                elif node != before:  # the line entered a node: its own context, or unknown
                    context = (*keys, line) if (*keys, line) in contexts else None
            send("end")
        except Exception as exc:
            self._conn = None
            raise DeployError(
                f"{self.device}: session lost while configuring: {type(exc).__name__}"
            ) from None
        self.refused.extend(errors)
        return errors


ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
PROMPT_END_RE = re.compile(r"(?:^|\n)[\w.-]+(?:\([\w-]+\))?# $")
NODE_RE = re.compile(r"\(([\w-]+)\)# $")


def _node(output: str) -> str:
    """vtysh's node from the prompt ending ``output``: ``config``, ``config-if``, ... ('' in exec).

    >>> _node("r1(config-router)# "), _node(" agentx\\nr1(config)# "), _node("r1# ")
    ('config-router', 'config', '')
    """
    found = NODE_RE.search(output)
    return found.group(1) if found else ""


def _read_prompt(chan: Any) -> str:
    """Read until vtysh shows its prompt again (the command finished)."""
    buf = ""
    while True:
        data = chan.recv(65536)
        if not data:
            raise EOFError("session closed")
        buf += ANSI_RE.sub("", data.decode("utf-8", errors="replace")).replace("\r", "")
        if PROMPT_END_RE.search(buf):
            return buf


def _reply(output: str) -> str:
    """What vtysh printed for one command: the text between its echo and the next prompt.

    A config command that works prints nothing; anything else (``% Unknown command``, ``BGP is
    already running; AS is 65010``) is FRR refusing that line.
    """
    body = PROMPT_END_RE.sub("", output)
    _echo, _sep, rest = body.partition("\n")
    return rest.strip()
