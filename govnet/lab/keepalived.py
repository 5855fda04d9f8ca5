"""Debian's keepalived (VRRP) in the hot-standby pairs' namespaces, with its SNMP subagent on.

The config is rendered in :mod:`govnet.render.linux_edge` from the same VRRP facts the vendor
templates render (``vrrp_facts``): one
``vrrp_instance`` per group, the active member at the higher priority, the groups of a device
in one ``vrrp_sync_group`` so they move together (what Huawei's VGMP/HRP does), and every
segment port tracked (``hrp track``). keepalived registers VRRP-MIB (RFC 2787), VRRPv3-MIB
(RFC 6527) and KEEPALIVED-MIB with the namespace's own snmpd over AgentX, so the pair's state
is read over SNMP like any agent's.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from govnet.lab.credentials import LabCredentials
from govnet.lab.errors import CommandError
from govnet.lab.procs import children, kill, run, wait_pidfile
from govnet.lab.state import LabState, ProcessRecord
from govnet.lab.topology import LabNode, LabSegment, LabTopology, LabVrrp
from govnet.model import Network
from govnet.render import linux_edge as render_edge

VRRP_OPER_STATE = "1.3.6.1.2.1.68.1.3.1.3"
"""VRRP-MIB vrrpOperState, indexed ``.ifIndex.vrid``: initialize(1), backup(2), master(3)."""
VRRPV3_OPER_STATUS = "1.3.6.1.2.1.207.1.1.1.1.6"
"""VRRPv3-MIB vrrpv3OperationsStatus: initialize(1), backup(2), master(3)."""
OPER_STATES = {"1": "initialize", "2": "backup", "3": "master"}


@dataclass(frozen=True, slots=True)
class HaPairStatus:
    """One VRRP group of a hot-standby pair as its members' agents report it."""

    segment: str
    vrid: int
    virtual_ip: str
    active: str | None
    """The member configured active (the higher priority)."""
    members: dict[str, str]
    """Member -> ``master``/``backup``/``initialize``, or ``unknown`` when its agent is silent."""
    master: str | None
    """The one master, ``None`` with none or several."""
    health: str
    """``healthy``, ``down`` or ``split_brain`` (``pair_health``)."""


def keepalived_dir(workdir: Path, node: LabNode) -> Path:
    return workdir / "keepalived" / node.name


def keepalived_config(network: Network, device: str, *, instances: bool = True) -> str:
    """keepalived.conf for ``device`` (:func:`govnet.render.linux_edge.keepalived_config`, the one
    rendering); ``instances=False``: the blank twin's, SNMP on and no VRRP group."""
    return render_edge.keepalived_config(network, device, instances=instances)


def start_keepalived(workdir: Path, node: LabNode, config: str, state: LabState) -> int:
    """Write the config and start keepalived (VRRP only, SNMP on) in the node's namespace.

    ``--all``: the VRRP process runs also with no group configured yet (a blank twin), so a
    deploy's reload (SIGHUP) brings the groups up. ``config`` is written only when the node has
    none yet: a restarted keepalived (``lab fault heal``) reads the config the device runs, as
    a real box's daemon would, so it never brings back groups a deploy has not pushed."""
    base = keepalived_dir(workdir, node)
    base.mkdir(parents=True, exist_ok=True)
    conf = base / "keepalived.conf"
    if not conf.exists():
        conf.write_text(config, encoding="utf-8")
    pidfile, vrrp_pid = base / "keepalived.pid", base / "vrrp.pid"
    for path in (pidfile, vrrp_pid):
        path.unlink(missing_ok=True)
    log = base / "keepalived.log"
    argv = [
        "ip", "netns", "exec", node.netns, "keepalived", "--vrrp", "--all", "--snmp", "--log-console",
        "--log-detail", "-f", str(conf), "-p", str(pidfile), "-r", str(vrrp_pid),
        "-c", str(base / "checkers.pid"), "-b", str(base / "bfd.pid"), "-i", node.name,
    ]  # fmt: skip
    run(argv, timeout=30, log=log)  # the daemon keeps logging to the console: the log file
    pid = wait_pidfile(pidfile)
    if pid is None or wait_pidfile(vrrp_pid) is None:
        raise CommandError(argv, 1, f"keepalived on {node.name} did not start, see {log}")
    state.add_process(ProcessRecord(node.name, "keepalived", pid, str(pidfile)))
    return pid


def crash(node: LabNode, pid: int, topo: LabTopology) -> None:
    """SIGKILL keepalived and its VRRP child (a crashed firewall), and drop the virtual addresses
    it held, as the box's data plane goes down with it (no stale owner answering ARP)."""
    for victim in (*children(pid), pid):
        kill(victim)
    for segment in topo.segments:
        for group in segment.vrrp:
            if node.name in group.members:
                ifname = segment.port(node.name).ifname
                run(["ip", "-n", node.netns, "addr", "del", group.virtual_ip, "dev", ifname], check=False)


def _snmp_walk(creds: LabCredentials, host: str, oid: str) -> dict[str, str]:
    argv = [
        "snmpwalk", "-m", "", "-On", "-Oq", "-v3", "-l", "authPriv", "-u", creds.snmp_user,
        "-a", "SHA", "-A", creds.snmp_auth_key, "-x", "AES", "-X", creds.snmp_priv_key,
        "-t", "1", "-r", "1", host, oid,
    ]  # fmt: skip
    try:
        proc = run(argv, check=False, timeout=15)
    except subprocess.TimeoutExpired:
        return {}
    values: dict[str, str] = {}
    for line in proc.stdout.splitlines() if proc.returncode == 0 else []:
        name, _, value = line.partition(" ")
        if name.startswith(f".{oid}."):
            values[name] = value.strip()
    return values


def vrrp_states(creds: LabCredentials, host: str) -> dict[int, str]:
    """vrid -> VRRPv3-MIB operational status (``master``/``backup``/``initialize``) on one agent.

    Rows are ``.ifIndex.vrid.addrType``. (keepalived 2.2.7's RFC 2787 table answers a walk with
    its first row only, so the v3 table is the one read; a GET of a v2 row works.)
    """
    rows = _snmp_walk(creds, host, VRRPV3_OPER_STATUS)
    return {int(oid.split(".")[-2]): OPER_STATES.get(value, value) for oid, value in rows.items()}


def pair_health(states: dict[str, str]) -> str:
    """``healthy`` with exactly one master, ``down`` with none, ``split_brain`` with two or more."""
    masters = sum(1 for s in states.values() if s == "master")
    return "healthy" if masters == 1 else "down" if masters == 0 else "split_brain"


def ha_pairs(topo: LabTopology, creds: LabCredentials | None) -> list[HaPairStatus]:
    """Each VRRP group of the booted segments: members' states over SNMP, the master, the health.

    A member whose agent or keepalived does not answer shows as ``unknown``.
    """
    nodes = {n.name: n for n in topo.nodes}
    cache: dict[str, dict[int, str]] = {}

    def states_of(member: str) -> dict[int, str]:
        node = nodes.get(member)
        if member not in cache:
            host = str(node.mgmt_ip.ip) if node is not None and node.mgmt_ip is not None else None
            cache[member] = vrrp_states(creds, host) if creds is not None and host else {}
        return cache[member]

    pairs: list[HaPairStatus] = []
    for segment, group in _groups(topo.segments):
        states = {m: states_of(m).get(group.vrid, "unknown") for m in group.members}
        masters = [m for m, s in states.items() if s == "master"]
        pairs.append(
            HaPairStatus(
                segment=segment.id,
                vrid=group.vrid,
                virtual_ip=group.virtual_ip,
                active=group.members[0] if group.members else None,
                members=states,
                master=masters[0] if len(masters) == 1 else None,
                health=pair_health(states),
            )
        )
    return pairs


def _groups(segments: Iterable[LabSegment]) -> list[tuple[LabSegment, LabVrrp]]:
    return sorted(((s, g) for s in segments for g in s.vrrp), key=lambda sg: sg[1].vrid)


def format_ha_pairs(pairs: Sequence[HaPairStatus]) -> list[str]:
    """Plain-text lines for ``lab status``: one per VRRP group."""
    lines = []
    for pair in pairs:
        members = " ".join(f"{m}={s}" for m, s in pair.members.items())
        lines.append(
            f"ha {pair.segment} vrid {pair.vrid} {pair.virtual_ip}: "
            f"master {pair.master or '-'} ({pair.health}) {members}"
        )
    return lines
