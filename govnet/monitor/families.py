"""Metric families beyond links and sessions: what a member end was observed as (so recording
rules judge groups across shards), HA evidence, interfaces not found, hardware, backups."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric

from govnet.monitor.health import STATE_VALUE, GroupHealth, ha_state, observations
from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import Snapshot

HARDWARE_LABELS = ["device", "entity", "index"]


def member_observations(plan: Plan, snap: Snapshot) -> Iterator[Metric]:
    """Every member end this poller sees, every member the model expects, and each hot-standby
    member's HA rows and masters: the inputs of the shipped recording rules."""
    observed = GaugeMetricFamily(
        "govnet_redundancy_member_observed",
        "A member end as this poller observed it: 1 healthy, 0 down, -1 unknown.",
        labels=["group", "member", "device"],
    )
    expected = GaugeMetricFamily(
        "govnet_redundancy_member_expected", "A member the model gives the group.", labels=["group", "member"]
    )
    rows = GaugeMetricFamily(
        "govnet_redundancy_member_ha_rows",
        "Rows a hot-standby member's HA tables (VRRP, VGMP) returned.",
        labels=["group", "member"],
    )
    master = GaugeMetricFamily(
        "govnet_redundancy_member_ha_master",
        "1 when the member is master of the HA instance (VRRP VRID, VGMP group).",
        labels=["group", "member", "instance"],
    )
    for seen in observations(plan, snap):
        observed.add_metric([seen.group, seen.member, seen.device], STATE_VALUE[seen.state])
    polled = {d.name: d for d in plan.devices}
    for group in plan.network.groups:
        ha_pair = group.kind == "devices" and any(plan.network.vrrp_groups(m) for m in group.members)
        for member in group.members:
            expected.add_metric([group.name, member], 1)
            if not ha_pair or member not in polled:
                continue
            evidence = ha_state(polled[member], snap.devices.get(member))
            if evidence is None:
                continue
            rows.add_metric([group.name, member], evidence.rows)
            for instance, is_master in sorted(evidence.masters.items()):
                master.add_metric([group.name, member, instance], int(is_master))
    yield from (observed, expected, rows, master)


def group_evidence(groups: list[GroupHealth]) -> Iterator[Metric]:
    """Whether each hot-standby group's master and split brain were checked, and why a group
    is not healthy."""
    checked = GaugeMetricFamily(
        "govnet_redundancy_group_ha_checked",
        "1 when master and split brain were checked from HA tables; 0 when no member returned HA rows.",
        labels=["group"],
    )
    reason = InfoMetricFamily(
        "govnet_redundancy_group_reason", "Why a group is not healthy, member by member.", labels=["group"]
    )
    for health in groups:
        if health.ha_checked is not None:
            checked.add_metric([health.group.name], int(health.ha_checked))
        if health.state != "healthy":
            reason.add_metric([health.group.name], {"state": health.state, "reason": health.reason})
    yield from (checked, reason)


def interfaces_found(plan: Plan, snap: Snapshot) -> Iterator[Metric]:
    """Per planned link end on an answering device: found on the agent or not, and why not."""
    found = GaugeMetricFamily(
        "govnet_interface_found",
        "1 when the planned interface was found on the agent (ifName/ifDescr, platform aliases).",
        labels=["device", "interface", "peer", "link"],
    )
    missing = InfoMetricFamily(
        "govnet_interface_not_found",
        "A planned interface the agent does not show, with the names it does show.",
        labels=["device", "interface", "peer", "link"],
    )
    for dev in plan.devices:
        state = snap.devices.get(dev.name)
        if state is None or not state.up:
            continue
        for end in dev.links:
            labels = [end.device, end.interface, end.peer, end.link]
            why = state.not_found.get(end.ifname)
            found.add_metric(labels, 0 if why else 1)
            if why:
                missing.add_metric(labels, {"reason": why})
    yield from (found, missing)


def hardware(snap: Snapshot) -> Iterator[Metric]:
    """CPU, memory, temperature, fan/power/board status and stack members per entity."""
    cpu = GaugeMetricFamily(
        "govnet_hardware_cpu_ratio", "CPU usage of a board (0-1).", labels=HARDWARE_LABELS
    )
    memory = GaugeMetricFamily(
        "govnet_hardware_memory_ratio", "Memory usage of a board (0-1).", labels=HARDWARE_LABELS
    )
    temperature = GaugeMetricFamily(
        "govnet_hardware_temperature_celsius", "Temperature of a board.", labels=HARDWARE_LABELS
    )
    ok = GaugeMetricFamily(
        "govnet_hardware_ok",
        "1 when a fan, power supply or board reports no fault, 0 on a fault.",
        labels=[*HARDWARE_LABELS, "kind", "object"],
    )
    status = GaugeMetricFamily(
        "govnet_hardware_status",
        "Raw vendor status of a fan, power supply, board or stack member.",
        labels=[*HARDWARE_LABELS, "object"],
    )
    stack = GaugeMetricFamily(
        "govnet_stack_member_present",
        "1 while a stack/IRF/CSS member seen at discovery still answers with a role, 0 when lost.",
        labels=HARDWARE_LABELS,
    )
    usage = {"cpu": cpu, "memory": memory}
    for name, dev in sorted(snap.devices.items()):
        if not dev.up:
            continue
        for row in dev.hardware:
            labels = [name, row.entity, row.index]
            if row.kind in usage and row.value is not None:
                usage[row.kind].add_metric(labels, row.value / 100)
            elif row.kind == "temperature" and row.value is not None:
                temperature.add_metric(labels, row.value)
            elif row.kind == "stack_role":
                stack.add_metric(labels, 0 if row.value is None else 1)
            elif row.kind != "standby":  # a board's standby role is a status, not health
                ok.add_metric([*labels, row.kind, row.object], int(row.ok))
            if row.kind not in ("cpu", "memory", "temperature") and row.value is not None:
                status.add_metric([*labels, row.object], row.value)
    yield from (cpu, memory, temperature, ok, status, stack)


def backups(times: Mapping[str, float]) -> Iterator[Metric]:
    """When each device's config was last committed to the backup repository."""
    family = GaugeMetricFamily(
        "govnet_config_backup_timestamp_seconds",
        "Commit time of the device's last config backup (Unix time).",
        labels=["device"],
    )
    for device, when in sorted(times.items()):
        family.add_metric([device], when)
    yield family
