"""The edge namespaces of a provisioned twin: static routes toward the pairs' virtual addresses,
and the IPS's and load balancer's forwarding rulesets (``templates/nftables/<role>.j2``)."""

from __future__ import annotations

from collections import defaultdict
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from govnet.credentials import Credentials
from govnet.lab import firewall
from govnet.lab.configs import templates_dir
from govnet.lab.procs import run
from govnet.lab.topology import LabNode
from govnet.model import Network
from govnet.render import Renderer

FORWARDING_ROLES = ("ips", "load_balancer")
"""Edge roles that run as forwarding namespaces with a rendered nftables ruleset."""
ROUTED_ROLES = ("ips", "load_balancer", "vpn_gateway")


def ruleset(network: Network, device: str) -> str:
    """The forwarding ruleset of an IPS or load balancer, rendered from the model."""
    renderer = Renderer(network, lab=True, templates_dir=templates_dir(), credentials=Credentials())
    dev = network.devices[device]
    return renderer.env.get_template(f"nftables/{dev.role}.j2").render(**renderer.context(dev))


def route_commands(network: Network, device: str) -> list[list[str]]:
    """``ip route replace`` arguments for the device's global static routes (ECMP when several)."""
    renderer = Renderer(network, lab=True, templates_dir=templates_dir(), credentials=Credentials())
    facts = renderer.index.facts(network.devices[device])
    hops: dict[IPv4Network, list[IPv4Address]] = defaultdict(list)
    for route in facts.static_routes:
        if route.vrf is None and route.next_hop not in hops[route.prefix]:
            hops[route.prefix].append(route.next_hop)
    lines: list[list[str]] = []
    for prefix, via in sorted(hops.items(), key=lambda kv: (kv[0].prefixlen, kv[0])):
        if len(via) == 1:
            lines.append(["route", "replace", str(prefix), "via", str(via[0])])
        else:
            lines.append(
                ["route", "replace", str(prefix), *(w for h in via for w in ("nexthop", "via", str(h)))]
            )
    return lines


def provision(network: Network, node: LabNode, workdir: Path) -> None:
    """Routes on the IPS, load balancer and VPN gateway; rulesets on the IPS and load balancer;
    no IP forwarding on an isolation gateway (its sides meet only through the listed flows)."""
    if node.role == "isolation_gateway" and not node.stub:
        run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"])
    if node.stub or node.role not in ROUTED_ROLES:
        return
    for argv in route_commands(network, node.name):  # a neighbour outside the booted subset: skipped
        run(["ip", "-n", node.netns, *argv], check=False)
    if node.role in FORWARDING_ROLES:
        firewall.load_ruleset(node, ruleset(network, node.name), workdir)
