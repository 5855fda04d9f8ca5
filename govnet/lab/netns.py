"""Network namespaces, veth pairs and the management bridge, driven through iproute2."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from govnet.lab.procs import run

NETNS_DIR = Path("/run/netns")
NETNS_PREFIX = "gn-"


def list_netns() -> set[str]:
    """Names of all network namespaces on the host."""
    if not NETNS_DIR.is_dir():
        return set()
    return {p.name for p in NETNS_DIR.iterdir()}


def add_netns(name: str) -> None:
    """Create a namespace with loopback up and IPv4 forwarding on (it is a router)."""
    run(["ip", "netns", "add", name])
    batch(["link set lo up"], netns=name)
    run(["ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])


def delete_netns(name: str) -> None:
    """Delete a namespace (its interfaces and their veth peers go with it)."""
    if name in list_netns():
        run(["ip", "netns", "delete", name], check=False)


def netns_pids(name: str) -> list[int]:
    """PIDs of processes running inside a namespace."""
    proc = run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in proc.stdout.split() if p.isdigit()]


def batch(commands: list[str], netns: str | None = None) -> None:
    """Run many `ip` commands in one process (`ip -batch`), optionally inside a namespace."""
    if not commands:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".ip", delete=True) as fh:
        fh.write("\n".join(commands) + "\n")
        fh.flush()
        argv = ["ip"] + (["-n", netns] if netns else []) + ["-batch", fh.name]
        run(argv, timeout=120)


def link_exists(ifname: str, netns: str | None = None) -> bool:
    """True if an interface exists (in the root namespace unless `netns`)."""
    argv = ["ip"] + (["-n", netns] if netns else []) + ["link", "show", "dev", ifname]
    return run(argv, check=False).returncode == 0


def root_links() -> set[str]:
    """Interface names in the root namespace."""
    out = run(["ip", "-j", "link", "show"]).stdout
    return {str(item["ifname"]) for item in json.loads(out or "[]")}


def delete_link(ifname: str) -> None:
    """Delete an interface in the root namespace if it exists."""
    if link_exists(ifname):
        run(["ip", "link", "delete", "dev", ifname], check=False)


def oper_state(ifname: str, netns: str) -> str:
    """The kernel operstate of an interface (UP, DOWN, LOWERLAYERDOWN, ...)."""
    out = run(["ip", "-n", netns, "-j", "link", "show", "dev", ifname]).stdout
    data = json.loads(out or "[]")
    return str(data[0].get("operstate", "UNKNOWN")) if data else "UNKNOWN"
