"""`govnet lab up`: boot the twin; every resource is recorded in the state before it is made."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Network
from pathlib import Path

from govnet.inventory import load_network
from govnet.lab import edge_access, frr, keepalived, linux_edge, netns, snmpd, sshd
from govnet.lab.configs import base_config, render_lab_config
from govnet.lab.credentials import LabCredentials, ensure_credentials
from govnet.lab.down import abandoned, lab_down
from govnet.lab.errors import ResourceTakenError
from govnet.lab.preflight import preflight
from govnet.lab.procs import pid_alive, process_start, run
from govnet.lab.state import LabState, all_states, load_state, register_workdir
from govnet.lab.topology import LabNode, LabTopology, build_topology, select_devices
from govnet.model import Network
from govnet.render.linux_edge import driven

Echo = Callable[[str], None]
WORKERS = 6


def lab_up(
    inventory: Path,
    workdir: Path,
    *,
    access: int | None = None,
    provisioned: bool = False,
    devices: list[str] | None = None,
    echo: Echo = print,
) -> LabState:
    """Boot the lab twin (or leave a healthy identical one alone) and return its state."""
    preflight("boot the lab twin")
    network = load_network(inventory)
    topo = build_topology(network, devices or select_devices(network, access))
    workdir = workdir.resolve()
    previous = load_state(workdir)
    if previous is not None and previous.phase != "down":
        if _same_and_healthy(previous, topo, provisioned):
            echo(f"lab already up in {workdir} ({len(topo.devices)} devices); nothing to do")
            return previous
        echo(f"a previous lab in {workdir} is incomplete or different: tearing it down first")
        lab_down(workdir, echo=echo)
    check_free(topo, workdir)
    creds = ensure_credentials(workdir)
    state = LabState(workdir=workdir, phase="booting", inventory=str(inventory.resolve()),
                     provisioned=provisioned, topology=topo.to_dict(),
                     booted_by=os.getpid(), booted_by_started=process_start(os.getpid()))
    state.save()
    register_workdir(workdir)
    start = time.monotonic()
    echo(f"booting {len(topo.devices)} devices ({'provisioned' if provisioned else 'base config'})")
    try:
        warnings = _boot(network, topo, state, creds)
    except BaseException:
        echo("boot failed: removing what was started")
        lab_down(workdir, echo=echo)
        raise
    state.update(phase="up", boot_seconds=round(time.monotonic() - start, 1))
    for line in warnings:
        echo(f"warning: {line}")
    echo(f"lab up in {state.boot_seconds}s; credentials in {workdir / 'secrets.env'}")
    return state


def _boot(network: Network, topo: LabTopology, state: LabState, creds: LabCredentials) -> list[str]:
    """Plumb the topology, start every daemon and sshd; returns config lines FRR rejected."""
    _plumb(topo, state)
    sshd.ensure_user(creds, state)
    for path in _new_frr_run_files():
        state.add_dir(path)  # ospfd writes it on start or stop; ours if absent before the boot
    booted = network.subset(topo.devices)
    warnings = _boot_nodes(booted, topo, state, creds, state.provisioned)
    listeners = [sshd.router_listener(n) for n in topo.nodes if n.ssh_port is not None]
    edges = edge_nodes(booted, topo)
    if edges:
        edge_access.start_agent(edges, creds.ssh_user, state)
        listeners += [edge_access.listener(n) for n in edges]
        state.update(edge_ports={n.name: edge_access.edge_port(n) for n in edges})
    if listeners:
        sshd.start_sshd(state.workdir, listeners, creds, state)
    _write_ifmap(topo, state.workdir)
    return warnings


def edge_nodes(network: Network, topo: LabTopology) -> list[LabNode]:
    """The booted Linux edge devices a deploy configures (:func:`govnet.render.linux_edge.driven`)."""
    return [n for n in topo.nodes if not n.stub and n.name in network.devices and driven(network, n.name)]


def _same_and_healthy(state: LabState, topo: LabTopology, provisioned: bool) -> bool:
    if state.phase != "up" or state.topology != topo.to_dict() or state.provisioned != provisioned:
        return False
    live = set(netns.list_netns())
    return all(n in live for n in state.netns) and all(pid_alive(p.pid) for p in state.processes)


def check_free(topo: LabTopology, workdir: Path) -> None:
    """Refuse to touch namespaces, interfaces, directories or ports that are not govnet's."""
    others = [s for s in all_states() if s.workdir.resolve() != workdir]
    dead: dict[Path, bool] = {}  # judged only for a lab that holds something this one needs

    def owner(kind: str, name: str) -> str:
        lab = next((s for s in others if name in (s.netns if kind == "netns" else s.root_links)), None)
        if lab is None:
            return ""
        if lab.workdir not in dead:
            dead[lab.workdir] = abandoned(lab)
        return f" (the govnet lab in {lab.workdir}" + (", abandoned)" if dead[lab.workdir] else ")")

    taken: list[str] = []
    existing = netns.list_netns()
    for node in topo.nodes:
        if node.netns in existing:
            taken.append(f"network namespace {node.netns}{owner('netns', node.netns)}")
    root = netns.root_links()
    segment_links = [name for s in topo.segments for name in (s.bridge, *(p.host_veth for p in s.ports))]
    for name in [topo.bridge, *(n.mgmt_veth for n in topo.nodes if n.mgmt_ip), *segment_links]:
        if name in root:
            taken.append(f"interface {name}{owner('link', name)}")
    mgmt_net = IPv4Network(topo.mgmt_gateway.network)
    for route in json.loads(run(["ip", "-j", "-4", "route", "show"]).stdout or "[]"):
        dst = route.get("dst", "")
        if not dst or dst == "default" or route.get("dev") == topo.bridge:
            continue
        if IPv4Network(dst if "/" in dst else f"{dst}/32").overlaps(mgmt_net):
            taken.append(f"route {dst} dev {route.get('dev')} overlaps the management prefix {mgmt_net}")
    if taken:
        raise ResourceTakenError(
            "these already exist and are not part of this lab, so govnet touches nothing:\n  - "
            + "\n  - ".join(taken)
            + "\nRemove them, or run `govnet lab down --workdir DIR` for the lab that owns them."
            + ("\nAn abandoned lab (nothing of it runs; its host's processes were killed) is removed by"
               " `govnet lab down --abandoned`." if any(dead.values()) else "")
        )
    for node in topo.nodes:
        if node.is_router:
            frr.check_pathspace_free(node, owned=set())
    sshd.check_ports_free(  # routers' ports and the ports edge devices may get
        {n.name: n.ssh_port or edge_access.edge_port(n) for n in topo.nodes if not n.stub}
    )


def _plumb(topo: LabTopology, state: LabState) -> None:
    """Bridge, namespaces, management veths and one veth pair per link."""
    state.add_root_link(topo.bridge)
    netns.batch([
        f"link add {topo.bridge} type bridge",
        f"addr add {topo.mgmt_gateway} dev {topo.bridge}",
        f"link set {topo.bridge} up",
    ])
    for node in topo.nodes:
        state.add_netns(node.netns)
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda n: netns.add_netns(n.netns), topo.nodes))
    root_cmds: list[str] = []
    for node in topo.nodes:
        if node.mgmt_ip is None:
            continue
        state.add_root_link(node.mgmt_veth)
        root_cmds += [
            f"link add {node.mgmt_veth} type veth peer name mgmt0 netns {node.netns}",
            f"link set {node.mgmt_veth} master {topo.bridge} up",
        ]
    nodes = {n.name: n for n in topo.nodes}
    for link in topo.links:
        root_cmds.append(
            f"link add name {link.a_ifname} netns {nodes[link.a].netns} type veth "
            f"peer name {link.b_ifname} netns {nodes[link.b].netns}"
        )
    for segment in topo.segments:  # a bridge per shared segment, a veth per member
        state.add_root_link(segment.bridge)
        root_cmds += [f"link add {segment.bridge} type bridge", f"link set {segment.bridge} up"]
        for port in segment.ports:
            state.add_root_link(port.host_veth)
            root_cmds += [
                f"link add {port.host_veth} type veth peer name {port.ifname} netns {nodes[port.node].netns}",
                f"link set {port.host_veth} master {segment.bridge} up",
            ]
    netns.batch(root_cmds)
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda n: netns.batch(_node_ip_commands(n), netns=n.netns),
                      topo.nodes))


def _node_ip_commands(node: LabNode) -> list[str]:
    """Per-namespace iproute2 commands: management address, link MTU/alias/state.

    Routers get their link addresses from FRR (provisioning); hosts and stubs get them here.
    """
    cmds: list[str] = []
    if node.mgmt_ip is not None:
        cmds += [f"addr add {node.mgmt_ip} dev mgmt0", "link set mgmt0 up"]
    for intf in node.interfaces:
        alias = intf.name.replace('"', "")
        cmds.append(f'link set {intf.ifname} mtu {intf.mtu} alias "{alias}" up')
        if intf.ip is not None and not node.is_router:
            cmds.append(f"addr add {intf.ip} dev {intf.ifname}")
    if node.loopback is not None and not node.is_router:
        cmds.append(f"addr add {node.loopback} dev lo")
    return cmds


def _boot_nodes(
    network: Network, topo: LabTopology, state: LabState, creds: LabCredentials, provisioned: bool
) -> list[str]:
    """Start snmpd, FRR and nftables per node, several nodes in parallel."""

    def boot(node: LabNode) -> list[str]:
        if node.stub:
            return []
        if node.mgmt_ip is not None:
            snmpd.start_snmpd(state.workdir, node, creds, state)
        if "keepalived" in node.daemons:  # after snmpd: its AgentX master; no VRRP group yet
            keepalived.start_keepalived(
                state.workdir, node, keepalived.keepalived_config(network, node.name, instances=False),
                state,
            )
        if node.is_router:
            config = render_lab_config(network, node.name) if provisioned else base_config(node.name)
            frr.prepare_pathspace(node, config, state)
            for daemon in node.daemons:
                if daemon != "snmpd":
                    frr.start_daemon(node, daemon, state)
            return [f"{node.name}: {line}" for line in frr.apply_config(node)]
        linux_edge.prepare(node)
        if provisioned and node.name in network.devices and driven(network, node.name):
            linux_edge.provision(network, node, state.workdir)
        return []

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(boot, topo.nodes))
    return [line for lines in results for line in lines]


def _new_frr_run_files() -> list[Path]:
    """Shared files FRR writes outside the pathspace (ospfd's GR state) that do not exist yet."""
    return [p for p in (frr.FRR_RUN / "ospfd-gr.json", frr.FRR_RUN / "ospf6d-gr.json") if not p.exists()]


def _write_ifmap(topo: LabTopology, workdir: Path) -> None:
    """`<workdir>/ifmap.json`: {device: {inventory interface: kernel ifname}} for other tools."""
    data = {n.name: n.ifnames for n in topo.nodes if not n.stub}
    (workdir / "ifmap.json").write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
