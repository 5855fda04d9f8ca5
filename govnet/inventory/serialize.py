"""The inventory as plain data (JSON-ready dicts, stable order): what ``govnet inventory show`` and
``validate -f json`` print, and what a script reading the source of truth gets."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from govnet.errors import LocatedError
from govnet.model import ROLES, Device, Network


def role_order(device: Device) -> tuple[int, str]:
    """Sort key: role in :data:`govnet.model.ROLES` order (cores first), then name."""
    return (ROLES.index(device.role) if device.role in ROLES else len(ROLES), device.name)


def device_row(network: Network, d: Device) -> dict[str, Any]:
    """One device as the stable JSON/table row of ``inventory show``."""
    return {
        "name": d.name,
        "role": d.role,
        "platform": d.platform,
        "model": d.model,
        "site": d.site,
        "subdistrict": d.subdistrict,
        "title": network.subdistrict_titles.get(d.subdistrict or "", ""),
        "mgmt_ip": str(d.mgmt_ip.ip),
        "loopback": str(d.loopback.ip) if d.loopback else None,
    }


def inventory_json(network: Network, names: list[str] | None = None) -> dict[str, Any]:
    """The stable JSON shape of ``inventory show``: devices (role, then name), links, groups."""
    chosen = set(network.devices if names is None else names)
    devices = sorted((network.devices[n] for n in chosen), key=role_order)
    return {
        "devices": [device_row(network, d) for d in devices],
        "links": [
            {
                "id": lk.id,
                "a": lk.a,
                "a_interface": lk.a_interface,
                "b": lk.b,
                "b_interface": lk.b_interface,
                "subnet": str(lk.subnet),
            }
            for lk in network.links
            if lk.a in chosen or lk.b in chosen
        ],
        "groups": [
            {"name": g.name, "kind": g.kind, "members": list(g.members)}
            for g in network.groups
            if names is None or g.kind == "links" or chosen & set(g.members)
        ],
    }


def plain(value: Any) -> Any:
    """``value`` with dicts, lists and tuples kept and every other non-JSON value as its string.

    >>> from ipaddress import IPv4Interface
    >>> plain({"ip": IPv4Interface("10.0.0.1/30"), "vlans": (10, 20), "vrf": None})
    {'ip': '10.0.0.1/30', 'vlans': [10, 20], 'vrf': None}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def device_json(network: Network, device: Device) -> dict[str, Any]:
    """One device in full, as ``inventory show DEVICE`` prints it: its row, interfaces, VRFs, site
    prefixes, BGP sessions, links and redundancy groups."""
    links = [lk.id for lk in network.links_of(device.name)]
    return {
        **device_row(network, device),
        "lab_platform": device.lab_platform,
        "district": device.district,
        "zones": list(device.zones),
        "mgmt_port": device.mgmt_port,
        "source": device.source,
        "interfaces": [plain(asdict(i)) for i in device.interfaces],
        "vrfs": [plain(asdict(v)) for v in device.vrfs],
        "site_prefixes": plain(device.site_prefixes),
        "bgp_sessions": [plain(asdict(s)) for s in network.bgp_sessions(device.name)],
        "links": links,
        "groups": [g.name for g in network.groups if {device.name, *links} & set(g.members)],
    }


def summary_json(network: Network) -> dict[str, Any]:
    """What ``inventory validate -f json`` prints for a valid inventory: devices by role, counts."""
    roles = Counter(d.role for d in network.devices.values())
    return {
        "ok": True,
        "network": network.settings.name,
        "devices": dict(sorted(roles.items())),
        "links": len(network.links),
        "zones": len(network.zones),
        "groups": len(network.groups),
    }


def errors_json(errors: list[LocatedError]) -> dict[str, Any]:
    """What ``inventory validate -f json`` prints for an invalid inventory: every problem located."""
    return {
        "ok": False,
        "errors": [
            {"file": e.file, "line": e.line, "key": e.key, "message": e.message, "fix": e.hint}
            for e in errors
        ],
    }
