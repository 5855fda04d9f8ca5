"""Health against intent: member and group states, and what a group's failure cuts off."""

from __future__ import annotations

from pathlib import Path

import pytest
from monitor_support import healthy_snapshot

from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.model import Network
from govnet.monitor.health import GroupHealth, cut_off, group_state, judge
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


@pytest.fixture(scope="module")
def plan(network: Network) -> Plan:
    return build_plan(network, devices=select_devices(network), lab=True)


def _states(plan: Plan, snap: Snapshot) -> dict[str, str]:
    return {h.group.name: h.state for h in judge(plan, snap)}


@pytest.mark.parametrize(
    ("members", "masters", "state"),
    [
        (["healthy", "healthy"], None, "healthy"),
        (["healthy", "down"], None, "degraded"),
        (["down", "down"], None, "down"),
        (["healthy", "unknown"], None, "unknown"),
        (["unknown", "down"], None, "unknown"),
        (["unknown", "unknown"], None, "unknown"),
        (["healthy", "healthy"], 2, "split_brain"),
        (["healthy", "healthy"], 1, "healthy"),
    ],
)
def test_group_state_rule(members: list[str], masters: int | None, state: str) -> None:
    assert group_state(members, masters) == state  # type: ignore[arg-type]


def test_all_up_is_healthy_for_every_group(plan: Plan) -> None:
    states = _states(plan, healthy_snapshot(plan))
    assert set(states) == {g.name for g in plan.network.groups}
    assert set(states.values()) == {"healthy"}


def test_one_uplink_down_degrades_only_its_group(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    end = next(e for e in plan.device("kf-core-1").links if e.link == "kf-core-1--kf-agg-dongfenglu")
    snap.devices["kf-core-1"].interfaces[end.ifname].oper_status = 2
    states = _states(plan, snap)
    assert states["kf-uplinks-dongfenglu"] == "degraded"
    assert {s for g, s in states.items() if g != "kf-uplinks-dongfenglu"} == {"healthy"}


def test_admin_down_counts_as_down_and_both_down_is_down(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    for core in ("kf-core-1", "kf-core-2"):
        end = next(e for e in plan.device(core).links if e.link == f"{core}--kf-agg-qingshuitang")
        snap.devices[core].interfaces[end.ifname].admin_status = 2
    assert _states(plan, snap)["kf-uplinks-qingshuitang"] == "down"


def test_failed_poll_is_unknown_not_down(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    snap.devices["kf-core-1"] = DeviceState("kf-core-1", up=False, error="timeout")
    states = _states(plan, snap)
    assert states["kf-core-pair"] == "unknown"
    assert states["kf-upstream-pair"] == "unknown"  # core-1 is the only managed end of its member
    assert states["kf-uplinks-dongfenglu"] == "healthy"  # the aggregation end still answers
    snap.devices["kf-agg-dongfenglu"] = DeviceState("kf-agg-dongfenglu", up=False, error="auth")
    assert _states(plan, snap)["kf-uplinks-dongfenglu"] == "unknown"


def test_two_masters_in_a_hot_standby_pair_is_split_brain(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    snap.devices["kf-fw-1"].vendor["vrrpOperState"] = {"3.1": 3}
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = {"3.1": 2}
    assert _states(plan, snap)["kf-firewall-pair"] == "healthy"
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = {"3.1": 3}
    assert _states(plan, snap)["kf-firewall-pair"] == "split_brain"
    snap.devices["kf-fw-1"].vendor["vrrpOperState"] = {"3.1": 2}
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = {"5.1": 2}  # same VRID on another ifIndex
    assert _states(plan, snap)["kf-firewall-pair"] == "down"  # no master serves nobody
    snap.devices["kf-fw-1"].vendor["vrrpOperState"] = {"3.1": 3, "3.2": 2}
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = {"5.1": 2, "5.2": 3}
    assert _states(plan, snap)["kf-firewall-pair"] == "healthy"  # one master per VRID


def test_one_master_seen_in_both_vrrp_mibs_is_not_split_brain(plan: Plan) -> None:
    """keepalived serves VRRP-MIB and VRRPv3-MIB at once: the same master appears twice."""
    snap = healthy_snapshot(plan)
    snap.devices["kf-fw-1"].vendor["vrrpOperState"] = {"3.1": 3}
    snap.devices["kf-fw-1"].vendor["vrrpv3OperationsStatus"] = {"3.1.1": 3}
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = {"3.1": 2}
    snap.devices["kf-fw-2"].vendor["vrrpv3OperationsStatus"] = {"3.1.1": 2}
    assert _states(plan, snap)["kf-firewall-pair"] == "healthy"
    snap.devices["kf-fw-2"].vendor["vrrpv3OperationsStatus"] = {"3.1.1": 3}
    assert _states(plan, snap)["kf-firewall-pair"] == "split_brain"


def test_cut_off_names_the_sites_behind_a_group(network: Network) -> None:
    groups = {g.name: g for g in network.groups}
    sites, peers = cut_off(network, groups["kf-uplinks-dongfenglu"])
    behind = {
        d.site
        for d in network.devices.values()
        if d.subdistrict == "dongfenglu" or d.name == "kf-agg-dongfenglu"
    }
    assert set(sites) == behind and "kf-municipal-extranet" in peers
    core_sites, _ = cut_off(network, groups["kf-core-pair"])
    assert {d.site for d in network.devices.values() if d.role in ("aggregation", "access")} <= set(
        core_sites
    )


def test_a_shard_judges_only_groups_it_polls_in_full(network: Network) -> None:
    from govnet.monitor.plan import shard_of

    devices = select_devices(network)
    judged: list[set[str]] = []
    for index in range(2):
        plan = build_plan(network, devices=devices, lab=True, shard=(index, 2))
        polled = {d.name for d in plan.devices}
        assert all(shard_of(n, 2) == index for n in polled)
        names = {h.group.name for h in judge(plan, healthy_snapshot(plan))}
        for group in plan.network.groups:
            managed = (
                set(group.members)
                if group.kind == "devices"
                else {
                    e for m in group.members for e in plan.network.link(m).ends if e in plan.network.devices
                }
            )
            assert (group.name in names) == (managed <= polled), group.name
        judged.append(names)
    assert not judged[0] & judged[1]


def _health(plan: Plan, snap: Snapshot, name: str) -> GroupHealth:
    return next(h for h in judge(plan, snap) if h.group.name == name)


def test_a_pair_whose_ha_tables_are_empty_is_unknown_neverhealthy_snapshot(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    for fw in ("kf-fw-1", "kf-fw-2"):
        snap.devices[fw].vendor.clear()
    health = _health(plan, snap, "kf-firewall-pair")
    assert (health.state, health.ha_checked, health.masters) == ("unknown", False, None)
    assert health.members == {"kf-fw-1": "unknown", "kf-fw-2": "unknown"}
    assert health.reason.startswith("HA tables empty on every member: master and split brain unchecked")
    assert _health(plan, healthy_snapshot(plan), "kf-firewall-pair").ha_checked is True
    assert _health(plan, snap, "kf-core-pair").ha_checked is None  # no VRRP in the model: not an HA pair


def test_a_member_whose_ha_daemon_is_gone_is_down_for_its_group(plan: Plan) -> None:
    """keepalived killed on kf-fw-1: its VRRP rows are gone, kf-fw-2 took over as master."""
    snap = healthy_snapshot(plan)
    snap.devices["kf-fw-1"].vendor.clear()
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = dict.fromkeys(
        snap.devices["kf-fw-2"].vendor["vrrpOperState"], 3
    )
    health = _health(plan, snap, "kf-firewall-pair")
    assert health.members == {"kf-fw-1": "down", "kf-fw-2": "healthy"}
    assert (health.state, health.ha_checked, health.masters) == ("degraded", True, 1)
    assert "kf-fw-1: answers SNMP but reports no VRRP/VGMP state" in health.reason


def test_a_vrrpv3_only_member_is_judged_by_its_second_to_last_index(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    for fw, value in (("kf-fw-1", 3), ("kf-fw-2", 2)):
        snap.devices[fw].vendor = {"vrrpv3OperationsStatus": {"7.1.1": value, "7.2.1": value, "7.3.1": value}}
    assert _health(plan, snap, "kf-firewall-pair").state == "healthy"
    snap.devices["kf-fw-2"].vendor["vrrpv3OperationsStatus"]["7.2.1"] = 3
    assert _health(plan, snap, "kf-firewall-pair").state == "split_brain"


def test_an_interface_not_found_is_unknown_with_its_reason_never_down(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    for core in ("kf-core-1", "kf-core-2"):
        end = next(e for e in plan.device(core).links if e.link == f"{core}--kf-agg-dongfenglu")
        del snap.devices[core].interfaces[end.ifname]
        snap.devices[core].not_found[end.ifname] = "not found in ifName/ifDescr (the agent reports 1 name: a)"
    agg = plan.device("kf-agg-dongfenglu")
    for end in agg.links:
        if end.link.startswith("kf-core-"):
            del snap.devices[agg.name].interfaces[end.ifname]
            snap.devices[agg.name].not_found[end.ifname] = "not found in ifName/ifDescr (x)"
    health = _health(plan, snap, "kf-uplinks-dongfenglu")
    assert health.state == "unknown" and set(health.members.values()) == {"unknown"}
    assert "kf-core-1 GigabitEthernet2/0/1 not found in ifName/ifDescr" in health.reason
    # one end found and up judges the link, as a failed poll of the other end does
    agg_state = snap.devices[agg.name]
    for i, end in enumerate(agg.links):
        agg_state.not_found.pop(end.ifname, None)
        agg_state.interfaces[end.ifname] = InterfaceState(ifindex=i + 2, admin_status=1, oper_status=1)
    assert _health(plan, snap, "kf-uplinks-dongfenglu").state == "healthy"
