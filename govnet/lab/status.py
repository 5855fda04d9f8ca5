"""`govnet lab status`: per device, its daemons, SSH port, management IP, SNMP and routing state."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from govnet.lab import keepalived
from govnet.lab.credentials import read_credentials, secrets_path
from govnet.lab.errors import CommandError, LabStateError
from govnet.lab.frr import vtysh
from govnet.lab.netns import list_netns
from govnet.lab.procs import pid_alive, read_pidfile
from govnet.lab.state import LabState, load_state
from govnet.lab.topology import LabNode
from govnet.monitor.transport import snmp_get, snmp_walk

SYS_NAME_OID = ".1.3.6.1.2.1.1.5.0"
__all__ = [
    "converged", "daemon_status", "format_status", "lab_status", "monitor_options", "routing_summary",
    "snmp_get", "snmp_walk",
]


def monitor_options(workdir: Path) -> dict[str, Any]:
    """What ``govnet monitor --lab`` needs from the twin in ``workdir``: the booted devices
    (management addresses are the model's) and the path of its ``secrets.env``."""
    state = load_state(workdir.resolve())
    if state is None:
        raise LabStateError(f"no lab in {workdir.resolve()}; start one with `govnet lab up`")
    return {"devices": list(state.lab_topology().devices), "secrets_file": secrets_path(state.workdir)}


def daemon_status(state: LabState, node: LabNode) -> dict[str, bool]:
    """Daemon name -> running (by recorded PID or the daemon's current pidfile)."""
    result: dict[str, bool] = {}
    for daemon in node.daemons:
        rec = state.process(node.name, daemon)
        alive = False
        if rec is not None:
            pid = read_pidfile(Path(rec.pidfile)) if rec.pidfile else None
            alive = pid_alive(rec.pid) or (pid is not None and pid_alive(pid))
        result[daemon] = alive
    return result


def routing_summary(node: LabNode) -> dict[str, int] | None:
    """OSPF neighbours Full and BGP sessions Established/configured, read through vtysh."""
    if not node.is_router:
        return None
    summary = {"ospf_full": 0, "bgp_established": 0, "bgp_peers": 0}
    try:
        if "ospfd" in node.daemons:
            ospf = json.loads(vtysh(node.name, "show ip ospf neighbor json") or "{}")
            for entries in ospf.get("neighbors", {}).values():
                full = [e for e in entries if str(e.get("nbrState", "")).startswith("Full")]
                summary["ospf_full"] += len(full)
        if "bgpd" in node.daemons:
            bgp = json.loads(vtysh(node.name, "show bgp ipv4 unicast summary json") or "{}")
            peers = bgp.get("peers", {})
            summary["bgp_peers"] = len(peers)
            summary["bgp_established"] = sum(1 for p in peers.values() if p.get("state") == "Established")
    except (ValueError, OSError, subprocess.SubprocessError, CommandError):
        return None
    return summary


def lab_status(workdir: Path, *, probe_snmp: bool = True) -> dict[str, Any]:
    """The JSON-able status of the lab in `workdir`."""
    state = load_state(workdir.resolve())
    if state is None:
        raise LabStateError(f"no lab in {workdir.resolve()}; start one with `govnet lab up`")
    topo = state.lab_topology()
    creds = None
    if probe_snmp:
        try:
            creds = read_credentials(state.workdir)
        except LabStateError:  # secrets.env is root's (0600): report SNMP as unknown
            creds = None
    live_ns = list_netns()
    nodes = [n for n in topo.nodes if not n.stub]

    def snmp_ok(node: LabNode) -> bool:
        if creds is None or node.mgmt_ip is None:
            return False
        return bool(snmp_get(creds, str(node.mgmt_ip.ip), SYS_NAME_OID))

    with ThreadPoolExecutor(8) as pool:
        snmp = list(pool.map(snmp_ok, nodes))
        routing = list(pool.map(routing_summary, nodes))
    devices = [
        {
            "name": node.name,
            "role": node.role,
            "netns": node.netns,
            "netns_up": node.netns in live_ns,
            "mgmt_ip": str(node.mgmt_ip.ip) if node.mgmt_ip else None,
            "ssh_port": node.ssh_port,
            "daemons": daemon_status(state, node),
            "snmp": ok,
            "routing": summary,
        }
        for node, ok, summary in zip(nodes, snmp, routing, strict=True)
    ]
    return {
        "workdir": str(state.workdir),
        "phase": state.phase,
        "provisioned": state.provisioned,
        "boot_seconds": state.boot_seconds,
        "faults": [vars(f) for f in state.faults],
        "devices": devices,
        "ha_pairs": keepalived.ha_pairs(topo, creds) if probe_snmp else [],
    }


def converged(status: dict[str, Any]) -> bool:
    """Every agent answers, every daemon runs and, once provisioned, every BGP session is Established."""
    for dev in status["devices"]:
        if not dev["snmp"] or not all(dev["daemons"].values()):
            return False
        routing = dev.get("routing")
        if status["provisioned"] and "bgpd" in dev["daemons"] and (
            not routing or routing["bgp_peers"] == 0 or routing["bgp_established"] < routing["bgp_peers"]
        ):
            return False
    return True


def format_status(status: dict[str, Any]) -> str:
    """A plain-text table of `lab_status`."""
    mode = "provisioned" if status["provisioned"] else "base config"
    lines = [
        f"lab in {status['workdir']}: {status['phase']} ({mode}, booted in {status['boot_seconds']}s)",
        f"{'device':<28} {'mgmt ip':<15} {'ssh':>5} {'snmp':<4} {'ospf':>4} {'bgp':>5}  daemons",
    ]
    for dev in status["devices"]:
        daemons = " ".join(f"{d}{'' if ok else '(down)'}" for d, ok in dev["daemons"].items())
        routing = dev.get("routing") or {}
        ospf = str(routing["ospf_full"]) if "ospfd" in dev["daemons"] and routing else "-"
        bgp = "-"
        if "bgpd" in dev["daemons"] and routing:
            bgp = f"{routing['bgp_established']}/{routing['bgp_peers']}"
        lines.append(
            f"{dev['name']:<28} {dev['mgmt_ip'] or '-':<15} {dev['ssh_port'] or '-':>5} "
            f"{'ok' if dev['snmp'] else 'no':<4} {ospf:>4} {bgp:>5}  {daemons}"
        )
    lines += keepalived.format_ha_pairs(status.get("ha_pairs", []))
    for fault in status["faults"]:
        lines.append(f"fault: {fault['kind']} {fault['device']} {fault['target']} {fault['peer']}".rstrip())
    return "\n".join(lines)
