"""Shared monitor test data: the twin's plan and a snapshot of it with everything healthy."""

from __future__ import annotations

from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot


def healthy_snapshot(plan: Plan, down_link: str = "") -> Snapshot:
    """Every device answering, every link end admin and oper up (but ``down_link``'s ends, oper
    down), every VRRP group of the model with its active member master (VRRP-MIB rows
    ifIndex.vrid as keepalived serves them)."""
    devices = {}
    for dev in plan.devices:
        state = DeviceState(dev.name, up=True, sys_uptime=100_000, last_success=1.0)
        for i, end in enumerate(dev.links, start=2):
            oper = 2 if end.link == down_link else 1
            state.interfaces[end.ifname] = InterfaceState(
                ifindex=i, admin_status=1, oper_status=oper, name=end.ifname
            )
        for ifindex, (_seg, group) in enumerate(plan.network.vrrp_groups(dev.name), start=20):
            rows = state.vendor.setdefault("vrrpOperState", {})
            rows[f"{ifindex}.{group.vrid}"] = 3 if group.role_of(dev.name) == "active" else 2
        devices[dev.name] = state
    return Snapshot(started=1.0, duration_s=0.1, devices=devices, complete=True, cycles_total=1)
