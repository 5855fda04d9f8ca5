"""The live state of one district from the last completed cycle, as plain JSON-able data:
devices, links (state and traffic), shared segments with their VRRP masters, redundancy groups
with what they protect, the problems list and one overall status."""

from __future__ import annotations

from typing import Any

from govnet.model import Link, VrrpGroup
from govnet.monitor.health import ha_state, judge
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot
from govnet.monitor.web.districts import District
from govnet.monitor.web.problems import find_problems

RANK = {
    "healthy": 0,
    "up": 0,
    "unpolled": 0,
    "notice": 0,
    "unknown": 1,
    "degraded": 1,
    "down": 2,
    "split_brain": 2,
}
"""How bad a state is: 0 fine, 1 degraded or unknown, 2 down (``govnet status`` exit codes)."""
OVERALL = ("healthy", "degraded", "down")


def vrrp_masters(group: VrrpGroup, district: District, devices: dict[str, DeviceState]) -> list[str]:
    """The members that report themselves master of ``group``'s VRID in their HA tables."""
    plans = {d.name: d for d in district.plan.devices if d.name in group.members}
    found = []
    for member in group.members:
        if member not in plans:
            continue
        ha = ha_state(plans[member], devices.get(member))
        if ha is not None and ha.masters.get(f"vrrp {group.vrid}"):
            found.append(member)
    return found


def device_states(district: District, snap: Snapshot) -> dict[str, dict[str, Any]]:
    """Device name -> role, site, titles and ``state``: up, unreachable or unpolled."""
    polled = {d.name for d in district.plan.devices}
    titles = district.network.subdistrict_titles
    out: dict[str, dict[str, Any]] = {}
    for name, dev in district.network.devices.items():
        state = snap.devices.get(name)
        if name not in polled:
            value, why = "unpolled", "not polled by this monitor (another shard, or not in the twin)"
        elif state is None:
            value, why = "unknown", "no completed poll cycle yet"
        elif state.up:
            value, why = "up", ""
        else:
            value, why = "unreachable", f"SNMP {state.error or 'failed'}"
        out[name] = {
            "role": dev.role,
            "site": dev.site,
            "subdistrict": dev.subdistrict,
            "title": titles.get(dev.subdistrict or "", "") if dev.role == "aggregation" else "",
            "departments": [z for z in dev.zones if district.network.zones[z].kind == "private"],
            "department_titles": [
                district.network.zones[z].title
                for z in dev.zones
                if district.network.zones[z].kind == "private"
            ],
            "platform": dev.platform,
            "model": dev.model,
            "state": value,
            "why": why,
            "last_success": state.last_success if state else None,
            "uptime_s": state.sys_uptime / 100 if state and state.up and state.sys_uptime else None,
        }
    return out


def bit_rate(now: InterfaceState, before: InterfaceState | None, seconds: float, attr: str) -> float | None:
    """Bits/s of an octet counter between two cycles (None when unknown or the counter wrapped)."""
    new, old = getattr(now, attr), getattr(before, attr) if before else None
    if new is None or old is None or seconds <= 0 or new < old:
        return None
    return float((new - old) * 8 / seconds)


def link_state(district: District, link: Link, snap: Snapshot, previous: Snapshot | None) -> dict[str, Any]:
    """One link: ``state`` up/down/unknown/unpolled, ``why``, speed and traffic (bits/s, from the
    last two cycles, seen from its first polled end)."""
    ends = district.ends.get(link.id, [])
    result: dict[str, Any] = {
        "a": link.a,
        "b": link.b,
        "kind": link.kind,
        "a_interface": link.a_interface,
        "b_interface": link.b_interface,
        "state": "unpolled" if not ends else "unknown",
        "why": "no end polled by this monitor" if not ends else "",
        "speed_bps": None,
        "in_bps": None,
        "out_bps": None,
    }
    down: list[str] = []
    missing: list[str] = []
    silent: list[str] = []
    judged = False
    for dev_plan, end in ends:
        state = snap.devices.get(dev_plan.name)
        if state is None or not state.up:
            silent.append(dev_plan.name)
            continue
        row = state.interfaces.get(end.ifname)
        if row is None:
            missing.append(f"{end.device} {end.interface} {state.not_found.get(end.ifname, 'has no row')}")
            continue
        judged = True
        if not row.up:
            admin = "admin down" if row.admin_status != 1 else "oper down"
            down.append(f"{end.device} {end.interface} {admin}")
        if result["speed_bps"] is None and row.high_speed:
            result["speed_bps"] = row.high_speed * 1_000_000
            old = previous.devices.get(dev_plan.name) if previous else None
            before = old.interfaces.get(end.ifname) if old else None
            seconds = snap.started - previous.started if previous else 0.0
            result["in_bps"] = bit_rate(row, before, seconds, "hc_in_octets")
            result["out_bps"] = bit_rate(row, before, seconds, "hc_out_octets")
    if down:
        result["state"], result["why"] = "down", "; ".join(down)
    elif judged:
        result["state"] = "up"
    else:
        result["why"] = "; ".join(missing + [f"{name} unreachable" for name in silent])
    return result


def segment_states(district: District, snap: Snapshot, devices: dict[str, Any]) -> list[dict[str, Any]]:
    """Every shared segment of the district with its members' states and its VRRP groups'
    virtual addresses, configured active member and current master(s)."""
    out: list[dict[str, Any]] = []
    present = district.network.devices
    for seg in district.network.segments:
        vrrp = []
        for group in seg.vrrp:
            masters = vrrp_masters(group, district, snap.devices)
            vrrp.append(
                {
                    "vrid": group.vrid,
                    "virtual_ip": str(group.virtual_ip),
                    "members": list(group.members),
                    "active": group.active,
                    "masters": masters,
                    "failed_over": bool(masters) and masters != [group.active],
                    "polled": any(m in devices and devices[m]["state"] != "unpolled" for m in group.members),
                }
            )
        out.append(
            {
                "id": seg.id,
                "name": seg.name,
                "title": seg.title,
                "subnet": str(seg.subnet),
                "members": [
                    {
                        "device": m.device,
                        "interface": m.interface,
                        "ip": str(m.ip.ip),
                        "state": devices[m.device]["state"] if m.device in devices else "unpolled",
                    }
                    for m in seg.members
                    if m.device in present
                ],
                "vrrp": vrrp,
            }
        )
    return out


def group_states(district: District, snap: Snapshot) -> list[dict[str, Any]]:
    """Every redundancy group of the district judged by :func:`judge` (groups this monitor does
    not poll in full are ``unpolled``), with what it protects."""
    judged = {h.group.name: h for h in judge(district.plan, snap)} if snap.complete else {}
    out: list[dict[str, Any]] = []
    for group in district.network.groups:
        sites, peers = district.cut_off(group)
        health = judged.get(group.name)
        if health is None:
            state = "unknown" if any(d.name in group.members for d in district.plan.devices) else "unpolled"
            members = dict.fromkeys(group.members, "unknown")
            reason = "not judged yet" if state == "unknown" else "not polled by this monitor"
        else:
            state, members = health.state, dict(health.members)
            reason = health.reason
        out.append(
            {
                "name": group.name,
                "title": group.title,
                "kind": group.kind,
                "state": state,
                "members": members,
                "healthy": sum(1 for s in members.values() if s == "healthy"),
                "expected": len(group.members),
                "masters": health.masters if health else None,
                "why": reason,
                "protects": {"sites": sites, "departments": district.departments(sites), "peers": peers},
            }
        )
    return out


def overall(states: list[str]) -> str:
    """The worst of ``states`` as healthy, degraded (degraded or unknown) or down.

    >>> overall(["healthy", "unknown", "up"])
    'degraded'
    >>> overall(["up", "split_brain"])
    'down'
    """
    return OVERALL[max((RANK.get(s, 1) for s in states), default=0)]


def district_status(district: District, snap: Snapshot) -> str:
    """The district's overall status without building its whole state (the selector's figure at
    province scale): its groups, unreachable devices and down links outside any group."""
    if not snap.complete:
        return "degraded"
    states: list[str] = [h.state for h in judge(district.plan, snap)]
    grouped = district.grouped_links
    for dev_plan in district.plan.devices:
        state = snap.devices.get(dev_plan.name)
        if state is None or not state.up:
            states.append("unknown")
            continue
        for end in dev_plan.links:
            row = state.interfaces.get(end.ifname)
            if (row is None or not row.up) and end.link not in grouped:
                states.append("down")
    return overall(states)


def district_state(district: District, snap: Snapshot, previous: Snapshot | None = None) -> dict[str, Any]:
    """The whole live state of ``district`` (what ``/api/state`` serves for it)."""
    devices = device_states(district, snap)
    links = {lk.id: link_state(district, lk, snap, previous) for lk in district.network.links}
    groups = group_states(district, snap)
    segments = segment_states(district, snap, devices)
    problems = find_problems(district, devices, links, groups, segments, complete=snap.complete)
    answered = sum(1 for d in devices.values() if d["state"] == "up")
    return {
        "district": district.name,
        "status": overall([p["severity"] for p in problems]),
        "cycle": {
            "complete": snap.complete,
            "started": snap.started,
            "duration_s": round(snap.duration_s, 3),
            "cycles_total": snap.cycles_total,
            "polled": len(district.plan.devices),
            "answered": answered,
            "errors_total": dict(snap.errors_total),
        },
        "devices": devices,
        "links": links,
        "segments": segments,
        "groups": groups,
        "problems": problems,
    }
