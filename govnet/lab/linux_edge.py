"""The twin's Linux edge namespaces: what ``lab up`` does for them besides the daemons.

The edge devices' configs (ruleset, keepalived.conf, routes) are rendered in
:mod:`govnet.render.linux_edge` and applied by the edge agent's code (:mod:`govnet.lab.edge_agent`),
the same path a deploy takes; ``lab up --provisioned`` runs it directly, a blank twin leaves it
to ``govnet play playbooks/provision-district.yaml --lab --commit``.
"""

from __future__ import annotations

from pathlib import Path

from govnet.lab import edge_agent
from govnet.lab.configs import templates_dir
from govnet.lab.edge_access import spec_of
from govnet.lab.errors import CommandError
from govnet.lab.procs import run
from govnet.lab.topology import LabNode
from govnet.model import Network
from govnet.render import linux_edge as render_edge

FORWARDING_ROLES = ("ips", "load_balancer")
"""Edge roles that run as forwarding namespaces with a rendered nftables ruleset."""
ROUTED_ROLES = render_edge.ROUTED_ROLES


def ruleset(network: Network, device: str) -> str:
    """The nftables ruleset of a firewall, IPS or load balancer, rendered from the model."""
    return render_edge.ruleset(network, device, templates_dir())


def route_commands(network: Network, device: str) -> list[list[str]]:
    """``ip route replace`` arguments for the device's global static routes (ECMP when several)."""
    return [["route", "replace", *line.split()] for line in render_edge.route_lines(network, device)]


def prepare(node: LabNode) -> None:
    """What holds blank or provisioned: an isolation gateway never forwards (its sides meet only
    through the listed flows)."""
    if node.role == "isolation_gateway" and not node.stub:
        run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"])


def provision(network: Network, node: LabNode, workdir: Path) -> None:
    """Apply the device's rendered edge config the way the deploy driver does (the agent's apply)."""
    config = render_edge.edge_config(network, node.name, templates_dir())
    try:
        edge_agent.apply(spec_of(node, workdir), config)
    except edge_agent.AgentError as exc:
        raise CommandError(["edge apply", node.name], 1, str(exc)) from None
