"""Real faults for tests and demos: links down, daemons killed, packet loss; `heal` undoes all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govnet.inventory import load_network
from govnet.lab import firewall, frr, keepalived, snmpd
from govnet.lab.credentials import read_credentials
from govnet.lab.errors import LabStateError, TopologyError
from govnet.lab.preflight import require_root
from govnet.lab.procs import kill, pid_alive, read_pidfile, run, terminate
from govnet.lab.state import FaultRecord, LabState, load_state
from govnet.lab.topology import LabLink, LabNode, LabSegment, LabTopology

Echo = Callable[[str], None]


def _open(workdir: Path) -> tuple[LabState, LabTopology]:
    require_root("inject faults into the lab twin")
    state = load_state(workdir.resolve())
    if state is None or state.phase != "up":
        raise LabStateError(f"no running lab in {workdir.resolve()}; start one with `govnet lab up`")
    return state, state.lab_topology()


def _links(topo: LabTopology, a: str, b: str) -> list[LabLink]:
    topo.node(a)
    topo.node(b)
    links = topo.links_between(a, b)
    if not links:
        raise TopologyError(f"no link between {a} and {b} in the lab")
    return links


def _set_link(topo: LabTopology, link: LabLink, up: bool) -> None:
    for end, ifname in ((link.a, link.a_ifname), (link.b, link.b_ifname)):
        run(["ip", "-n", topo.node(end).netns, "link", "set", "dev", ifname, "up" if up else "down"])


def _set_port(topo: LabTopology, segment: LabSegment, device: str, up: bool) -> None:
    port = segment.port(device)
    run(["ip", "-n", topo.node(device).netns, "link", "set", "dev", port.ifname, "up" if up else "down"])


def link_down(workdir: Path, a: str, b: str, *, echo: Echo = print) -> None:
    """Take every link between A and B down at both ends (a cut cable); where A and B share a
    segment instead, A's port on it (A's cable to the segment's switch)."""
    state, topo = _open(workdir)
    segments = topo.segments_between(a, b) if not topo.links_between(a, b) else []
    for segment in segments:
        _set_port(topo, segment, a, up=False)
        if not any(f.kind == "link-down" and (f.device, f.target) == (a, segment.id) for f in state.faults):
            state.faults.append(FaultRecord("link-down", a, segment.id, b))
        echo(f"{a} {segment.port(a).ifname} on segment {segment.id} down")
    if segments:
        state.save()
        return
    for link in _links(topo, a, b):
        _set_link(topo, link, up=False)
        if not any(f.kind == "link-down" and f.target == link.id for f in state.faults):
            state.faults.append(FaultRecord("link-down", a, link.id, b))
        echo(f"link {link.id} down ({link.a} {link.a_ifname} <-> {link.b} {link.b_ifname})")
    state.save()


def link_up(workdir: Path, a: str, b: str, *, echo: Echo = print) -> None:
    """Bring the links between A and B back up."""
    state, topo = _open(workdir)
    segments = topo.segments_between(a, b) if not topo.links_between(a, b) else []
    if segments:
        for segment in segments:
            _set_port(topo, segment, a, up=True)
            echo(f"{a} {segment.port(a).ifname} on segment {segment.id} up")
        ports = {(a, s.id) for s in segments}
        kept = [f for f in state.faults if not (f.kind == "link-down" and (f.device, f.target) in ports)]
        state.update(faults=kept)
        return
    ids = set()
    for link in _links(topo, a, b):
        _set_link(topo, link, up=True)
        ids.add(link.id)
        echo(f"link {link.id} up")
    state.update(faults=[f for f in state.faults if not (f.kind == "link-down" and f.target in ids)])


def kill_daemon(workdir: Path, device: str, daemon: str, *, echo: Echo = print) -> None:
    """SIGKILL one daemon of a device (a crash); its running config is saved first for `heal`."""
    state, topo = _open(workdir)
    node = topo.node(device)
    rec = state.process(device, daemon)
    if rec is None or daemon not in node.daemons:
        raise TopologyError(f"{device} runs no {daemon} (it runs: {', '.join(node.daemons) or 'nothing'})")
    pid = read_pidfile(Path(rec.pidfile)) if rec.pidfile else rec.pid
    if pid is None or not pid_alive(pid):
        echo(f"{daemon} on {device} is not running")
        return
    if daemon == "keepalived":
        keepalived.crash(node, pid, topo)
    else:
        if node.is_router and daemon != "snmpd":
            frr.save_config(device)
        kill(pid)
    state.faults.append(FaultRecord("kill", device, daemon))
    state.save()
    echo(f"killed {daemon} on {device} (pid {pid})")


def packet_loss(workdir: Path, device: str, interface: str, percent: int, *, echo: Echo = print) -> None:
    """Drop `percent` % of packets in and out of an interface (nftables; netem is absent)."""
    if not 0 <= percent <= 100:
        raise TopologyError("loss PERCENT must be between 0 and 100")
    state, topo = _open(workdir)
    node = topo.node(device)
    ifname = node.ifname(interface)
    faults = [f for f in state.faults if not (f.kind == "loss" and f.device == device and f.target == ifname)]
    if percent:
        faults.append(FaultRecord("loss", device, ifname, value=percent))
    firewall.apply_losses(node, _losses(faults, device))
    state.update(faults=faults)
    echo(f"{device} {ifname}: {percent}% loss")


def _losses(faults: list[FaultRecord], device: str) -> dict[str, int]:
    return {f.target: f.value for f in faults if f.kind == "loss" and f.device == device}


def heal(workdir: Path, *, echo: Echo = print) -> None:
    """Undo every recorded fault: links up, daemons restarted with their config, loss removed."""
    state, topo = _open(workdir)
    for fault in list(state.faults):
        node = topo.node(fault.device)
        if fault.kind == "link-down":
            for link in topo.links:
                if link.id == fault.target:
                    _set_link(topo, link, up=True)
            for segment in topo.segments:
                if segment.id == fault.target:
                    _set_port(topo, segment, fault.device, up=True)
        elif fault.kind == "kill":
            _restart(state, node, fault.target)
        elif fault.kind == "loss":
            firewall.apply_losses(node, {})
        echo(f"healed: {fault.kind} {fault.device} {fault.target}")
    state.update(faults=[])


def _restart(state: LabState, node: LabNode, daemon: str) -> None:
    """Restart a killed daemon; after zebra, restart every FRR daemon (as watchfrr does)."""
    rec = state.process(node.name, daemon)
    pid = read_pidfile(Path(rec.pidfile)) if rec and rec.pidfile else None
    if pid is not None and pid_alive(pid):
        return
    if daemon == "snmpd":
        snmpd.start_snmpd(state.workdir, node, read_credentials(state.workdir), state)
        return
    if daemon == "keepalived":
        config = keepalived.keepalived_config(load_network(Path(state.inventory)), node.name)
        keepalived.start_keepalived(state.workdir, node, config, state)
        return
    restart = [daemon]
    if daemon == "zebra":
        restart = [d for d in node.daemons if d != "snmpd"]
        running = [read_pidfile(frr.pidfile(node, d)) for d in restart]
        terminate([p for p in running if p is not None and pid_alive(p)])
    for name in restart:
        frr.start_daemon(node, name, state)
    frr.apply_config(node)
