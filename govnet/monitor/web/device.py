"""What a device page shows, from the district's live state and the last snapshot."""

from __future__ import annotations

from typing import Any

from govnet.monitor.snapshot import Snapshot
from govnet.monitor.web.districts import District
from govnet.monitor.web.state import bit_rate
from govnet.monitor.web.svg import label

BGP_STATES = {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm", 6: "established"}
OSPF_STATES = {
    1: "down",
    2: "attempt",
    3: "init",
    4: "two-way",
    5: "exstart",
    6: "exchange",
    7: "loading",
    8: "full",
}
LDP_STATES = {1: "nonexistent", 2: "initialized", 3: "openrec", 4: "opensent", 5: "operational"}


def _speed(bps: int | None) -> str:
    if not bps:
        return "-"
    return f"{bps / 1e9:g}G" if bps >= 1e9 else f"{bps / 1e6:g}M"


def _rate(bps: float | None) -> str:
    return "-" if bps is None else f"{bps / 1e6:.2f} Mbit/s"


def _count(a: int | None, b: int | None) -> str:
    return f"{'-' if a is None else a}/{'-' if b is None else b}"


def _interfaces(
    district: District, name: str, state: dict[str, Any], snap: Snapshot, previous: Snapshot | None
) -> list[list[Any]]:
    """This device's link ends: state, speed, its own traffic (last two cycles), errors, discards."""
    dev = snap.devices.get(name)
    old = previous.devices.get(name) if previous else None
    seconds = snap.started - previous.started if previous else 0.0
    rows = []
    for link in district.network.links_of(name):
        live = state["links"][link.id]
        end = next((e for p, e in district.ends.get(link.id, []) if p.name == name), None)
        row = dev.interfaces.get(end.ifname) if dev and dev.up and end else None
        before = old.interfaces.get(end.ifname) if old and end else None
        why = f" ({live['why']})" if live["why"] else ""
        rows.append(
            [
                link.interface_of(name),
                link.far_end(name)[0],
                link.id,
                label(live["state"]) + why,
                _speed(row.high_speed * 1_000_000 if row and row.high_speed else None),
                _rate(bit_rate(row, before, seconds, "hc_in_octets") if row else None),
                _rate(bit_rate(row, before, seconds, "hc_out_octets") if row else None),
                _count(row.in_errors, row.out_errors) if row else "-",
                _count(row.in_discards, row.out_discards) if row else "-",
                row.alias if row else "",
            ]
        )
    return rows


def _sessions(district: District, name: str, snap: Snapshot) -> list[list[str]]:
    plan = next((d for d in district.plan.devices if d.name == name), None)
    dev = snap.devices.get(name)
    if plan is None or dev is None:
        return []
    rows = []
    for peer in plan.bgp:
        value = dev.bgp.get(str(peer.address), (None, None))[0]
        rows.append(["BGP", peer.peer, str(peer.address), BGP_STATES.get(value or 0, "no row")])
    for peer in plan.ospf:
        value = dev.ospf.get(str(peer.address))
        rows.append(["OSPF", peer.peer, str(peer.address), OSPF_STATES.get(value or 0, "no row")])
    for peer in plan.ldp:
        value = dev.ldp.get(str(peer.address))
        rows.append(["LDP", peer.peer, str(peer.address), LDP_STATES.get(value or 0, "no row")])
    return rows


def device_info(
    district: District, name: str, state: dict[str, Any], snap: Snapshot, previous: Snapshot | None = None
) -> dict[str, Any]:
    """Everything the device page of ``name`` shows (backup fields are filled by the caller)."""
    links = {lk.id for lk in district.network.links_of(name)}
    groups = []
    for g in state["groups"]:
        mine = [m for m in g["members"] if m == name or m in links]
        if mine:
            groups.append(
                {
                    "name": g["name"],
                    "title": g["title"],
                    "state": g["state"],
                    "member": ", ".join(f"{m} {g['members'][m]}" for m in mine),
                }
            )
    segments = []
    for seg in state["segments"]:
        member = next((m for m in seg["members"] if m["device"] == name), None)
        if member is None:
            continue
        vrrp = "; ".join(
            f"VRID {v['vrid']} VIP {v['virtual_ip']}: "
            + ("master" if name in v["masters"] else "not master")
            + (" (configured active)" if v["active"] == name else "")
            for v in seg["vrrp"]
            if name in v["members"]
        )
        segments.append([seg["name"], seg["title"], f"{member['interface']} {member['ip']}", vrrp or "-"])
    dev = snap.devices.get(name)
    hardware = [
        [row.kind, row.entity, "lost" if row.value is None else row.value, "ok" if row.ok else "FAULT"]
        for row in (dev.hardware if dev else [])
    ]
    hardware += [
        [obj, index, value, ""]
        for obj, rows in sorted((dev.vendor if dev else {}).items())
        for index, value in sorted(rows.items())
    ]
    return {
        "name": name,
        "district": district.name,
        "device": state["devices"][name],
        "polled_at": snap.started if snap.complete else None,
        "interfaces": _interfaces(district, name, state, snap, previous),
        "sessions": _sessions(district, name, snap),
        "groups": groups,
        "segments": segments,
        "hardware": hardware,
        "backup_at": None,
        "backup_note": "not known: no backup repository (network.yaml backup_repo) and no --prometheus",
    }
