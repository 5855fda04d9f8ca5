"""`govnet lab status`: per device, its daemons, SSH port, management IP, SNMP and routing state.

``lab_status`` returns a typed ``LabStatus``; ``LabStatus.as_dict()`` is the ``-f json`` document.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govnet.lab import keepalived
from govnet.lab.credentials import read_credentials, secrets_path
from govnet.lab.errors import CommandError, LabStateError
from govnet.lab.frr import vtysh
from govnet.lab.keepalived import HaPairStatus
from govnet.lab.netns import list_netns
from govnet.lab.procs import pid_alive, read_pidfile
from govnet.lab.state import FaultRecord, LabState, load_state
from govnet.lab.topology import LabNode
from govnet.monitor.transport import snmp_get, snmp_walk

SYS_NAME_OID = ".1.3.6.1.2.1.1.5.0"
__all__ = [
    "DeviceStatus", "HaPairStatus", "LabStatus", "RoutingSummary",
    "converged", "daemon_status", "format_status", "lab_status", "monitor_options", "routing_summary",
    "snmp_get", "snmp_walk",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RoutingSummary:
    """A router's OSPF neighbours in Full and its BGP sessions Established out of those configured."""

    ospf_full: int = 0
    bgp_established: int = 0
    bgp_peers: int = 0


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """One booted device: its namespace, management address, daemons, SNMP agent and routing."""

    name: str
    role: str
    netns: str
    netns_up: bool
    mgmt_ip: str | None
    ssh_port: int | None
    daemons: dict[str, bool]
    """Daemon name -> running."""
    snmp: bool
    """The agent answered a GET of sysName."""
    routing: RoutingSummary | None
    """``None`` for a device that routes nothing, or when vtysh did not answer."""


@dataclass(frozen=True, slots=True)
class LabStatus:
    """The twin in ``workdir``: its phase, devices, injected faults and hot-standby pairs.

    >>> LabStatus("/x", "up", False, 1.5, (), ()).as_dict()["ha_pairs"]
    []
    """

    workdir: str
    phase: str
    provisioned: bool
    boot_seconds: float
    faults: tuple[FaultRecord, ...]
    devices: tuple[DeviceStatus, ...]
    ha_pairs: tuple[HaPairStatus, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``govnet lab status -f json`` (keys in the order printed)."""
        doc = asdict(self)
        for key in ("faults", "devices", "ha_pairs"):
            doc[key] = list(doc[key])
        return doc

    def to_json(self) -> str:
        """What ``govnet lab status -f json`` prints."""
        return json.dumps(self.as_dict(), indent=1)


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


def routing_summary(node: LabNode) -> RoutingSummary | None:
    """OSPF neighbours Full and BGP sessions Established/configured, read through vtysh."""
    if not node.is_router:
        return None
    ospf_full = bgp_established = bgp_peers = 0
    try:
        if "ospfd" in node.daemons:
            ospf = json.loads(vtysh(node.name, "show ip ospf neighbor json") or "{}")
            for entries in ospf.get("neighbors", {}).values():
                ospf_full += sum(1 for e in entries if str(e.get("nbrState", "")).startswith("Full"))
        if "bgpd" in node.daemons:
            bgp = json.loads(vtysh(node.name, "show bgp ipv4 unicast summary json") or "{}")
            peers = bgp.get("peers", {})
            bgp_peers = len(peers)
            bgp_established = sum(1 for p in peers.values() if p.get("state") == "Established")
    except (ValueError, OSError, subprocess.SubprocessError, CommandError):
        return None
    return RoutingSummary(ospf_full, bgp_established, bgp_peers)


def lab_status(workdir: Path, *, probe_snmp: bool = True) -> LabStatus:
    """The status of the lab in `workdir`."""
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
    devices = tuple(
        DeviceStatus(
            name=node.name,
            role=node.role,
            netns=node.netns,
            netns_up=node.netns in live_ns,
            mgmt_ip=str(node.mgmt_ip.ip) if node.mgmt_ip else None,
            ssh_port=node.ssh_port or state.edge_ports.get(node.name),
            daemons=daemon_status(state, node),
            snmp=ok,
            routing=summary,
        )
        for node, ok, summary in zip(nodes, snmp, routing, strict=True)
    )
    return LabStatus(
        workdir=str(state.workdir),
        phase=state.phase,
        provisioned=state.provisioned,
        boot_seconds=state.boot_seconds,
        faults=tuple(state.faults),
        devices=devices,
        ha_pairs=tuple(keepalived.ha_pairs(topo, creds)) if probe_snmp else (),
    )


def converged(status: LabStatus) -> bool:
    """Every agent answers, every daemon runs and, once provisioned, every BGP session is Established."""
    for dev in status.devices:
        if not dev.snmp or not all(dev.daemons.values()):
            return False
        routing = dev.routing
        if (
            status.provisioned
            and "bgpd" in dev.daemons
            and (not routing or routing.bgp_peers == 0 or routing.bgp_established < routing.bgp_peers)
        ):
            return False
    return True


def format_status(status: LabStatus) -> str:
    """A plain-text table of `lab_status`."""
    mode = "provisioned" if status.provisioned else "base config"
    lines = [
        f"lab in {status.workdir}: {status.phase} ({mode}, booted in {status.boot_seconds}s)",
        f"{'device':<28} {'mgmt ip':<15} {'ssh':>5} {'snmp':<4} {'ospf':>4} {'bgp':>5}  daemons",
    ]
    for dev in status.devices:
        daemons = " ".join(f"{d}{'' if ok else '(down)'}" for d, ok in dev.daemons.items())
        routing = dev.routing
        ospf = str(routing.ospf_full) if "ospfd" in dev.daemons and routing else "-"
        bgp = "-"
        if "bgpd" in dev.daemons and routing:
            bgp = f"{routing.bgp_established}/{routing.bgp_peers}"
        lines.append(
            f"{dev.name:<28} {dev.mgmt_ip or '-':<15} {dev.ssh_port or '-':>5} "
            f"{'ok' if dev.snmp else 'no':<4} {ospf:>4} {bgp:>5}  {daemons}"
        )
    lines += keepalived.format_ha_pairs(status.ha_pairs)
    for fault in status.faults:
        lines.append(f"fault: {fault.kind} {fault.device} {fault.target} {fault.peer}".rstrip())
    return "\n".join(lines)
