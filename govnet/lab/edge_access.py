"""Management access to the twin's Linux edge devices: SSH port, relay, edge agent.

Each edge device gets a port on the lab's host sshd (``SSH_PORT_BASE + index``, as routers do)
whose ``ForceCommand`` runs, as the lab login, a stdlib relay (``/run/govnet-lab/edge/relay.py``,
root-owned) that passes the session to the device's socket of the edge agent
(:mod:`govnet.lab.edge_agent`), the one root process allowed to change the namespace. The run
directory is ``root:<lab login's group>`` 0750, the sockets 0660: only the lab login (and root)
reach them. ``lab down`` stops the agent and removes the directory. No sudo, no root login.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

from govnet.lab.edge_agent import EdgeSpec, write_config
from govnet.lab.errors import CommandError
from govnet.lab.keepalived import keepalived_dir
from govnet.lab.procs import read_pidfile
from govnet.lab.sshd import Listener
from govnet.lab.state import REGISTRY, LabState, ProcessRecord
from govnet.lab.topology import SSH_PORT_BASE, LabNode

EDGE_RUN = REGISTRY.parent / "edge"
AGENT_MODULE = "govnet.lab.edge_agent"
AGENT_DEVICE = "_edge"
PYTHON = "/usr/bin/python3"
RELAY = '''"""govnet lab: relay an SSH session to one edge device's agent socket (argv[1])."""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read((1 << 20) + 1))
s.shutdown(socket.SHUT_WR)
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    sys.stdout.buffer.write(chunk)
'''


def edge_port(node: LabNode) -> int:
    return SSH_PORT_BASE + node.index


def spec_of(node: LabNode, workdir: Path) -> EdgeSpec:
    ka = keepalived_dir(workdir, node) if "keepalived" in node.daemons else None
    return EdgeSpec(
        device=node.name,
        netns=node.netns,
        socket=str(EDGE_RUN / f"{node.netns}.sock"),
        keepalived_conf=str(ka / "keepalived.conf") if ka else "",
        keepalived_pidfile=str(ka / "keepalived.pid") if ka else "",
    )


def listener(node: LabNode) -> Listener:
    sock = EDGE_RUN / f"{node.netns}.sock"
    return Listener(node.name, edge_port(node), f"{PYTHON} -I {EDGE_RUN / 'relay.py'} {sock}")


def start_agent(nodes: list[LabNode], user: str, state: LabState) -> int:
    """Create the run directory and relay, start the agent for ``nodes``; returns its PID."""
    entry = pwd.getpwnam(user)
    state.add_dir(EDGE_RUN)
    EDGE_RUN.mkdir(parents=True, exist_ok=True)
    os.chown(EDGE_RUN, 0, entry.pw_gid)
    EDGE_RUN.chmod(0o750)
    relay = EDGE_RUN / "relay.py"
    relay.write_text(RELAY, encoding="utf-8")
    relay.chmod(0o644)
    base = state.workdir / "edge"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    ready, log = base / "agent.pid", base / "agent.log"
    ready.unlink(missing_ok=True)
    config = base / "agent.json"
    write_config(config, [spec_of(n, state.workdir) for n in nodes], {0, entry.pw_uid}, entry.pw_gid, ready)
    argv = [sys.executable, "-m", AGENT_MODULE, str(config)]
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd="/")
    state.add_process(ProcessRecord(AGENT_DEVICE, "edge-agent", proc.pid, str(ready)))
    deadline = time.monotonic() + 15
    while read_pidfile(ready) != proc.pid:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise CommandError(argv, proc.returncode or 1, f"the edge agent did not start, see {log}")
        time.sleep(0.05)
    return proc.pid


def is_agent(argv: list[str]) -> bool:
    """The command line of a lab edge agent (``python -m govnet.lab.edge_agent ...``)."""
    return len(argv) >= 3 and argv[1:3] == ["-m", AGENT_MODULE]


def remove_run_dir(path: Path) -> None:
    """Delete the edge run directory (only that one)."""
    if path == EDGE_RUN and path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
