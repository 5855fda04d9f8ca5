"""Real faults for tests and demos: links down, daemons killed, packet loss, a router restarted
as by a reboot; `heal` undoes all but the restart (which undoes itself)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from govnet.inventory import load_network
from govnet.lab import firewall, frr, keepalived, netns, snmpd, sshd
from govnet.lab.credentials import read_credentials
from govnet.lab.errors import LabStateError, TopologyError
from govnet.lab.preflight import require_root
from govnet.lab.procs import children, kill, pid_alive, read_pidfile, run, terminate
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
    """SIGKILL one daemon of a device (a crash). Nothing is saved first: as after a real crash,
    `heal` brings it back with the saved config, so a change never written (an unconfirmed
    commit) is not made permanent by the fault."""
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
        restart = _frr_daemons(node)
        running = [read_pidfile(frr.pidfile(node, d)) for d in restart]
        terminate([p for p in running if p is not None and pid_alive(p)])
    _start_frr(state, node, restart)


def _frr_daemons(node: LabNode) -> list[str]:
    return [d for d in node.daemons if d != "snmpd"]


def _start_frr(state: LabState, node: LabNode, daemons: list[str]) -> list[str]:
    """Start FRR daemons (zebra first, as `lab up` does) and load the saved config (frr.conf,
    what `write memory` last wrote); returns the lines FRR rejected."""
    for name in daemons:
        frr.start_daemon(node, name, state)
    return frr.apply_config(node)


RESTART_TABLE = "govnet_lab_restart"
"""nftables table (host namespace) closing a restarting router's SSH port until it is up again."""


def restart(workdir: Path, device: str, *, echo: Echo = print) -> list[str]:
    """Restart a router as a reboot does; returns the config lines FRR rejected on the way up.

    Its SSH port closes (open sessions are cut, new ones reset), every process in its namespace
    stops (FRR daemons, snmpd), its interfaces go down and lose the addresses and routes FRR
    gave them; then the interfaces come up (links cut by `link-down` stay down), snmpd and FRR
    start as `lab up` starts them and load the saved config, so a change that was never
    written (an unconfirmed commit) is gone; the SSH port opens last.
    """
    state, topo = _open(workdir)
    node = topo.node(device)
    if not node.is_router or node.stub:
        raise TopologyError(f"{device} is not a twin router (lab platform {node.lab_platform}); "
                            "`lab fault restart` restarts FRR routers")
    creds = read_credentials(state.workdir)
    with _ssh_closed(node):
        _cut_sessions(state, device)
        terminate(netns.netns_pids(node.netns))
        ifnames = ["mgmt0"] * (node.mgmt_ip is not None) + [i.ifname for i in node.interfaces]
        netns.batch([f"link set dev {i} down" for i in ifnames], netns=node.netns)
        netns.batch([*(f"addr flush dev {i.ifname} scope global" for i in node.interfaces),
                     "addr flush dev lo scope global", "route flush table main"], netns=node.netns)
        cut = _cut_ifnames(state, topo, device)
        netns.batch([f"link set dev {i} up" for i in ifnames if i not in cut], netns=node.netns)
        if node.mgmt_ip is not None:
            snmpd.start_snmpd(state.workdir, node, creds, state)
        rejected = _start_frr(state, node, _frr_daemons(node))
    state.update(faults=[f for f in state.faults if not (f.kind == "kill" and f.device == device)])
    echo(f"restarted {device}: {', '.join(node.daemons)} up with its saved config"
         + (f"; links still cut: {', '.join(sorted(cut))}" if cut else ""))
    return rejected


def _cut_ifnames(state: LabState, topo: LabTopology, device: str) -> set[str]:
    """The device's interfaces on links that a `link-down` fault keeps down."""
    down = {f.target for f in state.faults if f.kind == "link-down"}
    return {ifname for link in topo.links if link.id in down
            for end, ifname in ((link.a, link.a_ifname), (link.b, link.b_ifname)) if end == device}


@contextlib.contextmanager
def _ssh_closed(node: LabNode) -> Iterator[None]:
    """The device's SSH port answers with a reset (as a host whose sshd is stopped) meanwhile."""
    table = f"{RESTART_TABLE}_{node.index}"
    ruleset = (f"table inet {table} {{\n chain out {{\n  type filter hook output priority 0; policy accept;\n"
               f"  ip daddr {sshd.SSH_HOST} tcp dport {node.ssh_port} reject with tcp reset\n }}\n}}\n")
    run(["nft", "-f", "-"], input_text=ruleset)
    try:
        yield
    finally:
        run(["nft", "delete", "table", "inet", table], check=False)


def _cut_sessions(state: LabState, device: str) -> None:
    """End every SSH session logged in to ``device`` (its sshd children and their vtysh)."""
    listeners = [read_pidfile(Path(p.pidfile)) or p.pid for p in state.processes
                 if p.device == sshd.SSHD_DEVICE]
    for listener in listeners:
        for session in _direct_children(listener):
            tree = [session, *children(session)]
            if any(_runs_vtysh_for(pid, device) for pid in tree):
                terminate(tree, timeout=1.0)


def _direct_children(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{child}/stat").read_text(encoding="utf-8")
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(child)
    return found


def _runs_vtysh_for(pid: int, device: str) -> bool:
    """True if ``pid`` is ``vtysh -N <device>`` (the login's forced command)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False
    return Path(argv[0]).name == "vtysh" and ("-N", device) in set(itertools.pairwise(argv))
