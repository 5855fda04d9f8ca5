"""The twin's edge agent: the one root process that changes a Linux edge namespace for deploy.

``lab up`` starts it (``python -m govnet.lab.edge_agent CONFIG``); it listens on one Unix socket
per edge device (``/run/govnet-lab/edge/<netns>.sock``, mode 0660, group of the lab login) and
serves only that device. The device's SSH port on the host sshd has ``ForceCommand`` relaying
the session to that socket (:mod:`govnet.lab.edge_access`), so a deploy reaches it over a real
SSH login; the agent also checks the peer's uid (``SO_PEERCRED``: the lab login or root).

A request is one verb on the first line, then its payload; the reply is one JSON object
``{"ok": bool, "data": ..., "error": "..."}``. Verbs, and nothing else:

* ``show``: ``nft list ruleset``, the running keepalived.conf, ``ip -j route show proto static``.
* ``canon`` RULESET: the ruleset loaded in a scratch network namespace and listed back, as nft
  prints it (what the device would show after loading it).
* ``check`` CONFIG: ``nft -c`` in the device's namespace and ``keepalived -t``; nothing changes.
* ``apply`` / ``apply-merge`` CONFIG: check, then routes (``proto static``), the ruleset (one nft
  transaction replacing every table but the lab's fault table) and keepalived.conf + SIGHUP.
* ``status``: nft tables, interfaces up, keepalived running and its VRRP instances' states.

Payloads are checked before use: a ruleset may not ``include`` files, keepalived.conf may carry
no scripts, notifies or includes, and routes must parse as addresses.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from govnet.platforms.linux import LAB_FAULT_TABLE, route_line
from govnet.render.linux_edge import split_sections

MAX_REQUEST = 1 << 20
KEEPALIVED_DATA = Path("/tmp/keepalived.data")
"""Where keepalived's VRRP process dumps its state on SIGUSR1 (fixed by keepalived)."""
KEEPALIVED_FORBIDDEN = re.compile(r"script|notify|include|exec|fifo|user|^[@$]", re.IGNORECASE)
_dump_lock = threading.Lock()


class AgentError(Exception):
    """A request the agent refuses, or a component's error (its words in the message)."""


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    """One edge device the agent serves."""

    device: str
    netns: str
    socket: str
    keepalived_conf: str = ""
    keepalived_pidfile: str = ""


def _run(
    argv: list[str], stdin: str | None = None, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False,
                          encoding="utf-8")


def _in_ns(spec: EdgeSpec, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", spec.netns, *argv]


# -- show ---------------------------------------------------------------------------------
def show(spec: EdgeSpec) -> dict[str, Any]:
    nft = _run(_in_ns(spec, "nft", "list", "ruleset"))
    if nft.returncode != 0:
        raise AgentError(f"nft list ruleset: {nft.stderr.strip()}")
    routes = static_routes(spec)
    keepalived = Path(spec.keepalived_conf).read_text(encoding="utf-8") if spec.keepalived_conf else None
    return {"nftables": nft.stdout, "keepalived": keepalived, "routes": routes}


def static_routes(spec: EdgeSpec) -> list[str]:
    """The namespace's static routes as config lines, sorted."""
    routes = _run(["ip", "-n", spec.netns, "-j", "-4", "route", "show", "proto", "static"])
    if routes.returncode != 0:
        raise AgentError(f"ip route: {routes.stderr.strip()}")
    return sorted(route_line(r) for r in json.loads(routes.stdout or "[]"))


def canon(ruleset: str) -> str:
    """``ruleset`` as nft lists it after loading it into an empty, throwaway namespace."""
    _check_ruleset(ruleset)
    proc = _run(["unshare", "--net", "--", "sh", "-c", "nft -f - && nft list ruleset"], stdin=ruleset)
    if proc.returncode != 0:
        raise AgentError(f"nft: {proc.stderr.strip()}")
    return proc.stdout


# -- check and apply ----------------------------------------------------------------------
def _check_ruleset(ruleset: str) -> None:
    for number, line in enumerate(ruleset.splitlines(), start=1):
        if line.split()[:1] == ["include"]:
            raise AgentError(f"ruleset line {number}: include is not allowed")


def _check_keepalived(spec: EdgeSpec, conf: str) -> None:
    if not spec.keepalived_conf:
        raise AgentError(f"{spec.device} runs no keepalived")
    for number, line in enumerate(conf.splitlines(), start=1):
        words = line.split()
        if words and not words[0].startswith("#") and KEEPALIVED_FORBIDDEN.search(words[0]):
            raise AgentError(f"keepalived.conf line {number}: {words[0]!r} is not allowed")
    with tempfile.NamedTemporaryFile("w", suffix=".conf", dir=Path(spec.keepalived_conf).parent) as tmp:
        tmp.write(conf)
        tmp.flush()
        proc = _run(_in_ns(spec, "keepalived", "--config-test", "-f", tmp.name))
    if proc.returncode != 0:
        words = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise AgentError("keepalived -t: " + " / ".join(words[-5:]))


def route_lines(section: str) -> list[str]:
    """The lines of a routes section that are routes (blank lines are layout).

    >>> route_lines("10.0.0.0/8 via 192.0.2.1\\n\\n  \\n0.0.0.0/0 via 192.0.2.9\\n")
    ['10.0.0.0/8 via 192.0.2.1', '0.0.0.0/0 via 192.0.2.9']
    """
    return [line for line in section.splitlines() if line.strip()]


def parse_route(line: str) -> tuple[str, list[str]]:
    """``(prefix, ip route words after it)`` of one route line; ValueError if it is not one."""
    words = line.split()
    if not words:
        raise ValueError(f"not a route: {line!r}")
    prefix = str(IPv4Network(words[0]))
    rest = words[1:]
    if len(rest) == 2 and rest[0] == "via":
        return prefix, ["via", str(IPv4Address(rest[1]))]
    hops = [rest[i : i + 3] for i in range(0, len(rest), 3)]
    if rest and all(len(h) == 3 and h[:2] == ["nexthop", "via"] for h in hops):
        return prefix, [w for h in hops for w in ("nexthop", "via", str(IPv4Address(h[2])))]
    raise ValueError(f"not a route: {line!r}")


def _table_deletes(spec: EdgeSpec) -> str:
    proc = _run(_in_ns(spec, "nft", "-j", "list", "tables"))
    if proc.returncode != 0:
        raise AgentError(f"nft list tables: {proc.stderr.strip()}")
    deletes = []
    for item in json.loads(proc.stdout or "{}").get("nftables", []):
        table = item.get("table")
        if table and table["name"] != LAB_FAULT_TABLE:
            deletes.append(f"delete table {table['family']} {table['name']}\n")
    return "".join(deletes)


def check(spec: EdgeSpec, config: str) -> dict[str, str]:
    """Every section validated; returns them. Raises AgentError naming the section."""
    try:
        parts = split_sections(config)
    except ValueError as exc:
        raise AgentError(str(exc)) from None
    if "nftables" in parts:
        _check_ruleset(parts["nftables"])
        proc = _run(_in_ns(spec, "nft", "-c", "-f", "-"), stdin=_table_deletes(spec) + parts["nftables"])
        if proc.returncode != 0:
            raise AgentError(f"nft -c: {proc.stderr.strip()}")
    if "keepalived" in parts:
        _check_keepalived(spec, parts["keepalived"])
    for line in route_lines(parts.get("routes", "")):
        try:
            parse_route(line)
        except ValueError as exc:
            raise AgentError(f"routes: {exc}") from None
    return parts


def apply(spec: EdgeSpec, config: str, *, merge: bool = False) -> dict[str, Any]:
    """Check, then routes, ruleset, keepalived; the first refusal stops with its words."""
    parts = check(spec, config)
    if "routes" in parts:
        _apply_routes(spec, parts["routes"], merge=merge)
    if "nftables" in parts:
        proc = _run(_in_ns(spec, "nft", "-f", "-"), stdin=_table_deletes(spec) + parts["nftables"])
        if proc.returncode != 0:
            raise AgentError(f"nft: {proc.stderr.strip()}")
    if "keepalived" in parts:
        _apply_keepalived(spec, parts["keepalived"])
    return {"applied": sorted(parts)}


def _apply_routes(spec: EdgeSpec, text: str, *, merge: bool) -> None:
    wanted = {parse_route(line)[0]: line for line in route_lines(text)}
    running = static_routes(spec)  # routes only: a keepalived.conf not written yet is no concern here
    for line in running:
        prefix = parse_route(line)[0]
        if not merge and prefix not in wanted:
            _route(spec, ["del", prefix, "proto", "static"])
    for prefix, line in wanted.items():
        if line not in running:
            _route(spec, ["replace", prefix, "proto", "static", *parse_route(line)[1]])


def _route(spec: EdgeSpec, words: list[str]) -> None:
    proc = _run(["ip", "-n", spec.netns, "route", *words])
    if proc.returncode != 0:
        raise AgentError(f"ip route {' '.join(words)}: {proc.stderr.strip()}")


def _keepalived_pid(spec: EdgeSpec) -> int | None:
    """keepalived's pid while it runs; None when gone or dead but not yet reaped (a zombie)."""
    try:
        pid = int(Path(spec.keepalived_pidfile).read_text(encoding="utf-8").split()[0])
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except (OSError, ValueError, IndexError):
        return None
    state = stat.rpartition(")")[2].split()[:1]  # the field after "(comm)"
    return None if state in (["Z"], ["X"]) else pid


def _apply_keepalived(spec: EdgeSpec, conf: str) -> None:
    path = Path(spec.keepalived_conf)
    if path.exists() and path.read_text(encoding="utf-8") == conf:
        return
    pid = _keepalived_pid(spec)
    if pid is None:
        raise AgentError(f"keepalived is not running on {spec.device}")
    tmp = path.with_suffix(".new")
    tmp.write_text(conf, encoding="utf-8")
    os.replace(tmp, path)
    os.kill(pid, signal.SIGHUP)


# -- status -------------------------------------------------------------------------------
def status(spec: EdgeSpec) -> dict[str, Any]:
    tables = _run(_in_ns(spec, "nft", "-j", "list", "tables"))
    names = [f"{t['table']['family']} {t['table']['name']}"
             for t in json.loads(tables.stdout or "{}").get("nftables", []) if "table" in t]
    links = json.loads(_run(["ip", "-n", spec.netns, "-j", "link", "show"]).stdout or "[]")
    up = sorted(str(link["ifname"]) for link in links if link.get("operstate") == "UP")
    result: dict[str, Any] = {"tables": sorted(names), "links_up": up, "keepalived": None}
    if spec.keepalived_conf:
        pid = _keepalived_pid(spec)
        result["keepalived"] = {"running": pid is not None, "states": vrrp_states(pid) if pid else {}}
    return result


def vrrp_states(pid: int) -> dict[str, str]:
    """``vrid`` -> MASTER/BACKUP/FAULT from keepalived's state dump (SIGUSR1), one at a time."""
    with _dump_lock:
        KEEPALIVED_DATA.unlink(missing_ok=True)
        os.kill(pid, signal.SIGUSR1)
        deadline, size = time.monotonic() + 3.0, -1
        while time.monotonic() < deadline:
            time.sleep(0.2)
            current = KEEPALIVED_DATA.stat().st_size if KEEPALIVED_DATA.exists() else -1
            if current > 0 and current == size:
                break
            size = current
        text = (KEEPALIVED_DATA.read_text(encoding="utf-8", errors="replace")
                if KEEPALIVED_DATA.exists() else "")
    return parse_vrrp_dump(text)


def parse_vrrp_dump(text: str) -> dict[str, str]:
    """``{"1": "MASTER", ...}`` from keepalived's data dump (``VRRP Instance = vridN``, ``State =``)."""
    states: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("VRRP Instance = vrid"):
            current = stripped.removeprefix("VRRP Instance = vrid")
        elif current is not None and stripped.startswith("State = "):
            states[current] = stripped.removeprefix("State = ")
            current = None
    return states


# -- serving ------------------------------------------------------------------------------
def answer(spec: EdgeSpec, request: str) -> dict[str, Any]:
    verb, _, payload = request.partition("\n")
    verb = verb.strip()
    try:
        if verb == "show":
            data: Any = show(spec)
        elif verb == "canon":
            data = canon(payload)
        elif verb == "check":
            data = sorted(check(spec, payload))
        elif verb in ("apply", "apply-merge"):
            data = apply(spec, payload, merge=verb == "apply-merge")
        elif verb == "status":
            data = status(spec)
        else:
            raise AgentError(f"unknown request {verb[:40]!r}")
    except AgentError as exc:
        return {"ok": False, "error": str(exc)}
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "data": data}


def _peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def serve(specs: list[EdgeSpec], allowed_uids: set[int]) -> list[socketserver.BaseServer]:
    """One threaded Unix-socket server per device (started in threads); returns them."""
    servers: list[socketserver.BaseServer] = []
    for spec in specs:

        class Handler(socketserver.StreamRequestHandler):
            device = spec

            def handle(self) -> None:
                if _peer_uid(self.connection) not in allowed_uids:
                    return
                data = self.rfile.read(MAX_REQUEST + 1)
                reply = (answer(self.device, data.decode(errors="replace")) if len(data) <= MAX_REQUEST
                         else {"ok": False, "error": "request too large"})
                self.wfile.write(json.dumps(reply).encode() + b"\n")

        Path(spec.socket).unlink(missing_ok=True)
        server = socketserver.ThreadingUnixStreamServer(spec.socket, Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def write_config(path: Path, specs: list[EdgeSpec], allowed_uids: set[int], gid: int, ready: Path) -> None:
    """The agent's config (root only): devices, the uids it serves, the sockets' group."""
    path.write_text(json.dumps({"specs": [asdict(s) for s in specs], "uids": sorted(allowed_uids),
                                "gid": gid, "ready": str(ready)}, indent=1), encoding="utf-8")
    path.chmod(0o600)


def main(argv: list[str]) -> int:
    """``python -m govnet.lab.edge_agent CONFIG``: serve until SIGTERM."""
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    specs = [EdgeSpec(**s) for s in config["specs"]]
    uids = {int(u) for u in config["uids"]}
    gid = int(config.get("gid", 0))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    signal.signal(signal.SIGINT, lambda *_a: stop.set())
    old = os.umask(0o117)
    try:
        servers = serve(specs, uids)
    finally:
        os.umask(old)
    for spec in specs:
        with contextlib.suppress(OSError):
            os.chown(spec.socket, 0, gid)
    Path(config["ready"]).write_text(f"{os.getpid()}\n", encoding="utf-8")
    stop.wait()
    for server in servers:
        server.shutdown()
    for spec in specs:
        Path(spec.socket).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
