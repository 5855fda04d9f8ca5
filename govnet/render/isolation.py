"""The isolation gateway's (网闸) allowed-flow policy as a reviewed data file.

An isolation gateway is configured through its own UI, so govnet does not push a config to it:
it renders the policy to import, from the model (the gateway's two sides, its one-way flows by
service, and the routes it would carry, which must be none). ``govnet check`` holds the same
policy to "only listed one-way flows, no route between intranet and extranet"
(``govnet.check.isolation``).
"""

from __future__ import annotations

from typing import Any

import yaml

from govnet.model import Device, Network
from govnet.render.context import NetworkIndex

POLICY_VERSION = 1


def side_of(network: Network, device: Device, interface: str) -> str:
    """``intranet`` for the port toward an intranet external (the office network), else ``extranet``."""
    peer = device.interface(interface).peer
    external = network.externals.get(peer)
    return "intranet" if external is not None and external.kind == "intranet" else "extranet"


def isolation_policy(network: Network, device: str, *, index: NetworkIndex | None = None) -> dict[str, Any]:
    """The policy of isolation gateway ``device`` as plain data (the file's content)."""
    dev = network.devices[device]
    facts = (index or NetworkIndex.build(network)).facts(dev)
    sides = [
        {
            "side": side_of(network, dev, intf.name),
            "interface": intf.name,
            "address": str(intf.ip) if intf.ip else None,
            "peer": intf.peer,
        }
        for intf in dev.interfaces
    ]
    return {
        "version": POLICY_VERSION,
        "gateway": dev.name,
        "model": dev.model,
        "ip_forwarding": False,
        "sides": sorted(sides, key=lambda s: (s["side"], s["interface"])),
        "flows": [
            {
                "name": flow.name,
                "from": flow.source,
                "to": flow.destination,
                "service": flow.service,
                "protocol": flow.protocol,
                "port": flow.port,
                "title": flow.title,
            }
            for flow in dev.isolation_flows
        ],
        "routes": [
            {"prefix": str(r.prefix), "next_hop": str(r.next_hop), "description": r.description}
            for r in facts.static_routes
        ],
    }


def render_isolation_policy(network: Network, device: str, *, index: NetworkIndex | None = None) -> str:
    """The policy file (YAML, stable order) to review and import into the gateway."""
    header = (
        f"# {device}: isolation gateway (网闸) allowed flows, rendered by govnet from the inventory.\n"
        "# One-way flows by service only; no route between intranet and extranet. Import through\n"
        "# the gateway's management UI after review.\n"
    )
    body = yaml.safe_dump(
        isolation_policy(network, device, index=index), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body


def render_isolation_policies(network: Network) -> dict[str, str]:
    """Every isolation gateway's policy file text, by device name (``<device>.policy.yaml``)."""
    index = NetworkIndex.build(network)
    return {
        dev.name: render_isolation_policy(network, dev.name, index=index)
        for dev in network.by_role("isolation_gateway")
    }
