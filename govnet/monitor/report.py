"""One poll cycle as a report: text for people (``--once``), JSON for scripts (``-f json``):
devices, interfaces with their state (``not_found`` included), hardware per entity, and every
group with its state and reason."""

from __future__ import annotations

import json
from typing import Any

from govnet.monitor.health import GroupHealth
from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import DeviceState, Snapshot


def _interface_state(state: DeviceState, ifname: str) -> str:
    if ifname in state.not_found:
        return "not_found"
    row = state.interfaces.get(ifname)
    if row is None:
        return "unknown"
    return "up" if row.up else "admin_down" if row.admin_status != 1 else "down"


def cycle_data(plan: Plan, snap: Snapshot, groups: list[GroupHealth]) -> dict[str, Any]:
    """The cycle as plain data (what ``-f json`` prints)."""
    devices = []
    for dev in plan.devices:
        state = snap.devices.get(dev.name) or DeviceState(dev.name)
        interfaces = []
        for end in dev.links if state.up else ():
            row = state.interfaces.get(end.ifname)
            interfaces.append(
                {
                    "interface": end.interface,
                    "link": end.link,
                    "peer": end.peer,
                    "state": _interface_state(state, end.ifname),
                    "agent_name": row.name if row else None,
                    "reason": state.not_found.get(end.ifname, ""),
                }
            )
        devices.append(
            {
                "device": dev.name,
                "up": state.up,
                "error": state.error,
                "interfaces": interfaces,
                "hardware": [
                    {
                        "object": h.object,
                        "kind": h.kind,
                        "index": h.index,
                        "entity": h.entity,
                        "value": h.value,
                        "ok": h.ok,
                    }
                    for h in state.hardware
                ],
            }
        )
    return {
        "cycle": {"started": snap.started, "duration_s": snap.duration_s, "devices": len(snap.devices)},
        "devices": devices,
        "groups": [
            {
                "group": h.group.name,
                "state": h.state,
                "healthy": h.healthy,
                "expected": h.expected,
                "members": h.members,
                "ha_checked": h.ha_checked,
                "reason": h.reason,
            }
            for h in groups
        ],
    }


def format_json(plan: Plan, snap: Snapshot, groups: list[GroupHealth]) -> str:
    """:func:`cycle_data` as indented JSON (names kept as written, Chinese included)."""
    return json.dumps(cycle_data(plan, snap, groups), indent=1, ensure_ascii=False)


def problem_lines(plan: Plan, snap: Snapshot) -> list[str]:
    """What the text report lists under the summary: planned interfaces not found, hardware
    faults."""
    lines = []
    for dev in plan.devices:
        state = snap.devices.get(dev.name)
        if state is None or not state.up:
            continue
        for end in dev.links:
            why = state.not_found.get(end.ifname)
            if why:
                lines.append(f"  not found: {dev.name} {end.interface} (link {end.link}): {why}")
        for row in state.hardware:
            if not row.ok:
                lines.append(f"  hardware: {dev.name} {row.entity} {row.object}={row.value}")
    return lines
