"""The twin's Linux edge devices (nftables firewalls, IPS, load balancer, VPN gateway, VRRP
servers) over SSH: ruleset, keepalived.conf and static routes, with a govnet-kept confirm window.

The device's SSH login runs only its edge agent (``govnet.lab.edge_agent``, reached through the
port's ``ForceCommand``); each request is one SSH exec channel carrying a verb and a payload,
answered with JSON. The config is :func:`govnet.render.linux_edge.edge_config`'s sections. The diff is
against what the device runs: ``nft list ruleset`` normalised (counters dropped, the lab's fault
table left out, tables in name order) against the intended ruleset as nft itself prints it
(``canon``: loaded in a scratch namespace on the device), the running keepalived.conf, and
``ip route`` (``proto static``). A push is checked first (``nft -c``, ``keepalived -t``); a
refusal changes nothing and raises :class:`CommitRejected` with the device's words. As for FRR,
``commit_config(revert_in=S)`` keeps the running config as last-known-good and a pending record;
unconfirmed, a timer (or the next run, or ``--recover``) applies the LKG back.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import threading
from typing import Any

from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.drivers.keptwindow import KeptConfirmWindow
from govnet.deploy.lkg import LkgStore, PendingCommit
from govnet.deploy.sshlogin import paramiko_client
from govnet.platforms.linux import LAB_FAULT_TABLE
from govnet.render.linux_edge import join_sections, split_sections

COUNTER_RE = re.compile(r"\bcounter packets \d+ bytes \d+")
TABLE_RE = re.compile(r"^table (\S+) (\S+) \{$")


def normalise_ruleset(text: str) -> str:
    """``nft list ruleset`` output made comparable: counters without values, no trailing blanks,
    the lab's fault table dropped, tables sorted by family and name."""
    tables: dict[tuple[str, str], list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = COUNTER_RE.sub("counter", raw.rstrip())
        match = TABLE_RE.match(line)
        if match:
            current = tables.setdefault((match.group(1), match.group(2)), [])
        if current is not None:
            current.append(line)
            if line == "}":
                current = None
    blocks = ["\n".join(lines) + "\n" for key, lines in sorted(tables.items()) if key[1] != LAB_FAULT_TABLE]
    return "".join(blocks)


def running_sections(show: dict[str, Any]) -> dict[str, str]:
    """The device's ``show`` reply as config sections (normalised ruleset, keepalived.conf,
    route lines)."""
    parts = {"nftables": normalise_ruleset(str(show.get("nftables", "")))}
    if show.get("keepalived") is not None:
        parts["keepalived"] = str(show["keepalived"])
    parts["routes"] = "".join(f"{line}\n" for line in sorted(show.get("routes", [])))
    return parts


def section_commands(running: dict[str, str], intended: dict[str, str], *, merge: bool) -> list[str]:
    """What a push changes, one command per change, in apply order (routes, ruleset, keepalived)."""
    commands: list[str] = []
    if "routes" in intended:
        have = _routes(running.get("routes", ""))
        want = _routes(intended["routes"])
        if not merge:
            commands += [f"ip route del {p} proto static" for p in sorted(set(have) - set(want))]
        commands += [f"ip route replace {p} proto static {line.split(' ', 1)[1]}"
                     for p, line in sorted(want.items()) if have.get(p) != line]
    if "nftables" in intended and intended["nftables"] != running.get("nftables", ""):
        tables = [f"{f} {n}" for f, n in _tables(intended["nftables"])] or ["(no table)"]
        commands.append(f"nft -f - (replace the ruleset: {', '.join(tables)})")
    if "keepalived" in intended and intended["keepalived"] != running.get("keepalived"):
        commands.append("keepalived.conf replace; kill -HUP keepalived")
    return commands


def _routes(text: str) -> dict[str, str]:
    return {line.split()[0]: line for line in text.splitlines() if line.strip()}


def _tables(ruleset: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in map(TABLE_RE.match, ruleset.splitlines()) if m]


def unified(device: str, running: dict[str, str], intended: dict[str, str]) -> str:
    """A unified diff of the sections the candidate sets ('' when they match)."""
    before = join_sections({k: v for k, v in running.items() if k in intended})
    after = join_sections(intended)
    if before == after:
        return ""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"{device} running", tofile=f"{device} intended"))


class LinuxEdgeDriver(KeptConfirmWindow):
    """The DeviceDriver for the twin's Linux edge namespaces (one SSH transport, one exec
    channel per request)."""

    def __init__(self, target: DriverTarget) -> None:
        self.target = target
        self.device = target.device
        self.state = LkgStore(target.state_dir, target.device)
        self.run_id: str = str(target.extras.get("run_id", ""))
        self._client: Any = None
        self._candidate: str | None = None
        self._replace = True
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()

    # -- session -------------------------------------------------------------------------
    def open(self) -> None:
        self._client = paramiko_client(self.target, min(self.target.timeout, 10.0))

    def close(self) -> None:
        self._cancel_timer()
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def alive(self) -> bool:
        transport = self._client.get_transport() if self._client is not None else None
        return transport is not None and bool(transport.is_active())

    def request(self, verb: str, payload: str = "") -> Any:
        """One request to the device's agent; its ``data``, or DeployError with its words."""
        with self._lock:
            if not self.alive():
                self.close()
                self.open()
            try:
                chan = self._client.get_transport().open_session(timeout=self.target.timeout)
                chan.settimeout(self.target.timeout)
                chan.exec_command("govnet-edge")  # the port's ForceCommand decides what runs
                chan.sendall(f"{verb}\n{payload}".encode())
                chan.shutdown_write()
                chunks = []
                while chunk := chan.recv(65536):
                    chunks.append(chunk)
                chan.close()
            except Exception as exc:
                self._client = None
                raise DeployError(f"{self.device}: {verb!r} failed: {type(exc).__name__}: {exc}") from None
        try:
            reply = json.loads(b"".join(chunks).decode())
        except ValueError:
            raise DeployError(f"{self.device}: {verb!r}: no answer from the device's edge agent") from None
        if not reply.get("ok"):
            raise _Refused(str(reply.get("error", "refused")))
        return reply.get("data")

    def cli(self, command: str) -> str:
        """``show`` or ``status`` as JSON text (the getters' and verify's transport)."""
        return json.dumps(self._ask(command))

    def _ask(self, verb: str, payload: str = "") -> Any:
        try:
            return self.request(verb, payload)
        except _Refused as exc:
            raise DeployError(f"{self.device}: {verb}: {exc}") from None

    def running(self) -> dict[str, str]:
        show = self._ask("show")
        return running_sections(show if isinstance(show, dict) else {})

    def get_config(self) -> str:
        return f"# {self.device}: running lab edge config\n" + join_sections(self.running())

    # -- candidate -----------------------------------------------------------------------
    def load_merge_candidate(self, config: str) -> None:
        self._candidate, self._replace = config, False

    def load_replace_candidate(self, config: str) -> None:
        self._candidate, self._replace = config, True

    def discard_config(self) -> None:
        self._candidate = None

    def _intended(self) -> dict[str, str]:
        if self._candidate is None:
            raise DeployError(f"{self.device}: no candidate loaded")
        try:
            parts = split_sections(self._candidate)
        except ValueError as exc:
            raise DeployError(f"{self.device}: {exc}") from None
        if "nftables" in parts:
            try:
                parts["nftables"] = normalise_ruleset(str(self.request("canon", parts["nftables"])))
            except _Refused:  # nft cannot load it: diff the text as given; a commit is refused
                parts["nftables"] = "".join(f"{line.rstrip()}\n" for line in parts["nftables"].splitlines()
                                            if line.strip() and not line.startswith("#"))
        if "routes" in parts:
            parts["routes"] = "".join(f"{line}\n" for line in sorted(parts["routes"].splitlines()) if line)
        return parts

    def compare_config(self) -> ConfigDiff:
        intended = self._intended()
        running = self.running()
        commands = section_commands(running, intended, merge=not self._replace)
        text = unified(self.device, running, intended) if commands else ""
        return ConfigDiff(self.device, tuple(commands), text)

    # -- commit, confirm window, rollback --------------------------------------------------
    def commit_config(self, revert_in: int | None = None) -> None:
        with self._lock:
            if self._candidate is None:
                raise DeployError(f"{self.device}: no candidate loaded")
            running = self.get_config()
            if self.state.pending() is None or self.state.lkg() is None:
                self.state.save_lkg(running)
            if revert_in is not None:
                self.state.mark_pending(
                    PendingCommit.for_driver(self.target, revert_in, self.run_id)
                )
                self._start_timer(revert_in)
            self._apply(self._candidate, merge=not self._replace)

    def _apply(self, config: str, *, merge: bool) -> None:
        verb = "apply-merge" if merge else "apply"
        try:
            self.request(verb, config)
        except _Refused as exc:
            words = str(exc)
            step = words.split(":", 1)[0] if ":" in words else verb
            raise CommitRejected(self.device, step, words) from None

    def confirm_commit(self) -> None:
        with self._lock:
            self._require_pending()
            self._cancel_timer()
            self.state.save_lkg(self.get_config())
            self.state.clear_pending()

    def rollback(self) -> None:
        """Apply the last-known-good config (replace); reopens the session until the deadline."""
        with self._lock:
            self._cancel_timer()
            lkg = self._required_lkg()
            self._reconnect()
            try:
                self._apply(lkg, merge=False)
            except CommitRejected as exc:
                raise DeployError(f"{self.device}: restoring the last-known-good config: {exc.reply}"
                                  ) from None
            self.state.clear_pending()
            self._candidate = None

class _Refused(Exception):
    """The agent refused a request (its message is the device's words)."""
