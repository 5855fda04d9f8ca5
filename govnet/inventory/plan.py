"""The address plan as rows: what every loopback, link, attachment, site prefix, VLAN and RD is."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from govnet.model import Network


@dataclass(frozen=True, slots=True, order=True)
class PlanRow:
    """One allocation: ``kind`` (loopback, mgmt, p2p, attachment, site, vlan, rd, rt), owner, value."""

    kind: str
    owner: str
    item: str
    value: str


def address_plan(network: Network) -> list[PlanRow]:
    """Every allocation of the network, sorted; the same inventory gives the same rows."""
    rows: list[PlanRow] = []
    for dev in network.devices.values():
        rows.append(PlanRow("mgmt", dev.name, "mgmt", str(dev.mgmt_ip)))
        if dev.loopback is not None:
            rows.append(PlanRow("loopback", dev.name, "LoopBack0", str(dev.loopback)))
        for zone, prefix in dev.site_prefixes.items():
            rows.append(PlanRow("site", dev.name, zone, str(prefix)))
        for vrf in dev.vrfs:
            rows.append(PlanRow("rd", dev.name, vrf.name, vrf.rd))
    for link in network.links:
        rows.append(PlanRow("p2p", link.id, f"{link.a_interface}|{link.b_interface}", str(link.subnet)))
        for att in link.attachments:
            rows.append(PlanRow("attachment", link.id, f"{att.zone} vlan {att.vlan}", str(att.subnet)))
    for z in network.zones.values():
        rows.append(PlanRow("rt", z.name, z.vrf, z.route_target))
        rows.append(PlanRow("vlan", z.name, z.vrf, str(z.vlan)))
    return sorted(rows)


def plan_json(network: Network) -> str:
    """The plan as stable JSON text."""
    return json.dumps([asdict(r) for r in address_plan(network)], ensure_ascii=False, indent=1) + "\n"


def plan_csv(network: Network) -> str:
    """The plan as CSV text (kind,owner,item,value)."""
    lines = ["kind,owner,item,value"]
    lines += [f"{r.kind},{r.owner},{r.item},{r.value}" for r in address_plan(network)]
    return "\n".join(lines) + "\n"
