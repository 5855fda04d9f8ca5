"""Helpers for the lab twin integration tests: the small twin, convergence waits, vtysh JSON,
measurements from inside the namespaces (ping, nft, processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from govnet.lab.credentials import LabCredentials
from govnet.lab.frr import vtysh
from govnet.lab.netns import NETNS_PREFIX, list_netns, netns_pids
from govnet.lab.procs import pid_alive
from govnet.lab.state import LabState
from govnet.lab.topology import LabTopology

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventory"
CORES = ["kf-core-1", "kf-core-2"]
AGGREGATION = ["kf-agg-dongfenglu", "kf-agg-qingshuitang"]
ACCESS = ["kf-acc-dongfenglu-c01"]
FIREWALL = ["kf-fw-1", "kf-fw-2"]  # the hot-standby pair: keepalived needs both
SMALL_TWIN = CORES + AGGREGATION + FIREWALL + ACCESS  # the lab's own (topology) order


@dataclass
class Lab:
    """A booted twin: where it lives, what it is, how to log in."""

    workdir: Path
    state: LabState
    topology: LabTopology
    creds: LabCredentials


def require_lab(*binaries: str) -> None:
    """Root and the system packages (plus ``binaries``), or the test fails in CI and skips elsewhere."""
    import os
    import shutil

    import pytest

    from govnet.lab.preflight import missing_binaries

    give_up = pytest.fail if os.environ.get("CI") else pytest.skip
    if os.geteuid() != 0:
        give_up("the lab twin needs root")
    missing = sorted({*missing_binaries(), *(b for b in binaries if shutil.which(b) is None)})
    if missing:
        give_up(f"system packages missing: {', '.join(missing)} (run make setup)")


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 1.0) -> bool:
    """Poll `check` until it is true or the deadline passes (a convergence wait)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def vtysh_json(device: str, command: str) -> dict[str, object]:
    """Run a `show ... json` command through vtysh in the device's pathspace."""
    out = vtysh(device, command)
    data = json.loads(out or "{}")
    assert isinstance(data, dict)
    return data


def lab_processes(workdir: Path) -> list[int]:
    """Live processes that belong to this lab (by pathspace name or workdir in their command line)."""
    marks = [f"-N {name}" for name in SMALL_TWIN] + [str(workdir)]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(mark in cmdline for mark in marks) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def in_netns(netns: str, argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a command inside a lab namespace (no check: the caller asserts on the result)."""
    return subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True, text=True,
                          timeout=timeout, check=False)


# ICMP echo over a raw socket (the namespaces have python but the host may lack iputils-ping):
# argv = address, count, interval; prints "sent received".
_PINGER = """
import os, select, socket, struct, sys, time
address, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ident = os.getpid() & 0xFFFF
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF
def drain(until):
    while True:
        left = until - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return
        packet = sock.recv(2048)
        icmp = packet[(packet[0] & 0x0F) * 4:]
        kind, _, _, rid, seq = struct.unpack("!BBHHH", icmp[:8])
        if kind == 0 and rid == ident:
            replies.add(seq)
replies = set()
for seq in range(count):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"govnet-lab-ping!"
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    try:
        sock.sendto(body, (address, 0))
    except PermissionError:  # dropped by a local nftables rule on the way out: lost, as in ping
        pass
    drain(time.monotonic() + interval)
drain(time.monotonic() + 1.0)
print(count, len(replies))
"""


def ping_loss(netns: str, address: str, count: int) -> float:
    """Measured loss (0..1) of ``count`` ICMP echoes from ``netns`` to ``address`` (10 ms apart)."""
    proc = in_netns(netns, [sys.executable, "-c", _PINGER, address, str(count), "0.01"])
    assert proc.returncode == 0, proc.stderr
    sent, received = (int(x) for x in proc.stdout.split())
    assert sent == count
    return 1 - received / sent


def lab_namespaces() -> set[str]:
    """Every govnet lab namespace on the host."""
    return {n for n in list_netns() if n.startswith(NETNS_PREFIX)}


def namespace_processes() -> dict[str, set[int]]:
    """The processes running inside each lab namespace."""
    return {name: set(netns_pids(name)) for name in sorted(lab_namespaces())}
