"""Health reasons and HA evidence pinned exactly (mutation survivors of govnet/monitor/health.py):
every way an end is unknown or down says why in words the NOC reads, observations of device
members, VRRP rows counted, no master at all, and what a group's failure cuts off by kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from monitor_support import healthy_snapshot

from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.monitor.health import GroupHealth, ha_state, judge, observations
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot

ROOT = Path(__file__).resolve().parents[2]
AGG, UPLINKS = "kf-agg-dongfenglu", "kf-uplinks-dongfenglu"
LINK1, LINK2 = "kf-core-1--kf-agg-dongfenglu", "kf-core-2--kf-agg-dongfenglu"


@pytest.fixture(scope="module")
def plan() -> Plan:
    network = load_network(ROOT / "inventory")
    return build_plan(network, devices=select_devices(network), lab=True)


def _group(plan: Plan, snap: Snapshot, name: str) -> GroupHealth:
    return next(h for h in judge(plan, snap) if h.group.name == name)


def test_every_unknown_or_down_end_says_why(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    core1 = plan.device("kf-core-1")
    end1 = next(e for e in core1.links if e.link == LINK1)
    snap.devices["kf-core-1"].interfaces[end1.ifname] = InterfaceState(
        ifindex=2, admin_status=2, oper_status=2
    )
    agg_ends = {e.link: e for e in plan.device(AGG).links}
    snap.devices[AGG].interfaces[agg_ends[LINK1].ifname] = InterfaceState(
        ifindex=2, admin_status=1, oper_status=7
    )
    del snap.devices["kf-core-2"]  # not polled yet
    core2_end = next(o for o in observations(plan, snap) if o.member == LINK2 and o.device == "kf-core-2")
    assert (core2_end.state, core2_end.reason) == ("unknown", "kf-core-2 does not answer (not polled yet)")
    health = _group(plan, snap, UPLINKS)
    assert health.members == {LINK1: "down", LINK2: "healthy"} and health.state == "degraded"
    assert health.reasons == {
        LINK1: f"kf-core-1 {end1.interface} admin down; {AGG} {agg_ends[LINK1].interface} oper status 7",
        LINK2: "",
    }
    snap.devices["kf-core-2"] = DeviceState("kf-core-2", up=False, error="auth")
    del snap.devices[AGG].interfaces[agg_ends[LINK2].ifname]
    health = _group(plan, snap, UPLINKS)
    assert health.members[LINK2] == "unknown" and health.state == "unknown"
    assert health.reasons[LINK2] == (
        f"kf-core-2 does not answer (auth); {AGG} {agg_ends[LINK2].interface} has no row"
    )
    by_end = {(o.member, o.device): o for o in observations(plan, snap) if o.group == UPLINKS}
    assert (by_end[(LINK2, "kf-core-2")].state, by_end[(LINK2, AGG)].state) == ("unknown", "unknown")
    assert by_end[(LINK1, AGG)].reason.endswith("oper status 7") and by_end[(LINK1, AGG)].state == "down"


def test_a_device_member_not_answering_or_not_polled_is_unknown_with_its_reason(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    snap.devices["kf-core-1"] = DeviceState("kf-core-1", up=False, error="timeout")
    del snap.devices["kf-core-2"]
    seen = {o.member: o for o in observations(plan, snap) if o.group == "kf-core-pair"}
    assert (seen["kf-core-1"].state, seen["kf-core-1"].reason) == (
        "unknown",
        "kf-core-1 does not answer (timeout)",
    )
    assert (seen["kf-core-2"].state, seen["kf-core-2"].reason) == (
        "unknown", "kf-core-2 does not answer (not polled yet)"
    )  # fmt: skip
    fine = {o.member: o for o in observations(plan, healthy_snapshot(plan)) if o.group == "kf-core-pair"}
    assert [(o.device, o.state, o.reason) for o in fine.values()] == [
        ("kf-core-1", "healthy", ""), ("kf-core-2", "healthy", "")
    ]  # fmt: skip
    assert _group(plan, snap, "kf-core-pair").reason == (
        "kf-core-1: kf-core-1 does not answer (timeout); "
        "kf-core-2: kf-core-2 does not answer (not polled yet)"
    )
    for o in observations(plan, healthy_snapshot(plan)):
        assert o.state == "healthy" and o.reason == "", o


def test_ha_rows_are_counted_and_short_indexes_skipped(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    fw = plan.device("kf-fw-1")
    snap.devices["kf-fw-1"].vendor = {
        "vrrpOperState": {"7.10": 3, "7.20": 2},
        "vrrpv3OperationsStatus": {"9": 3, "7.10.1": 2, "7.20.1": 2, "7.30": 2},  # "9": no VRID, skipped
    }
    ha = ha_state(fw, snap.devices["kf-fw-1"])
    assert ha is not None and ha.rows == 5
    assert ha.masters == {"vrrp 10": True, "vrrp 20": False, "vrrp 7": False}  # master in either MIB
    assert ha_state(fw, DeviceState("kf-fw-1", up=False)) is None and ha_state(fw, None) is None


def test_no_master_at_all_makes_every_member_down_saying_so(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    for fw in ("kf-fw-1", "kf-fw-2"):
        snap.devices[fw].vendor = {"vrrpOperState": {"3.1": 2, "3.2": 2}}
    health = _group(plan, snap, "kf-firewall-pair")
    assert (health.state, health.masters, health.ha_checked) == ("down", 0, True)
    assert health.members == {"kf-fw-1": "down", "kf-fw-2": "down"}
    assert health.reasons == {
        "kf-fw-1": "no member is VRRP/VGMP master",
        "kf-fw-2": "no member is VRRP/VGMP master",
    }


def test_a_shard_observes_the_ends_it_polls_and_judges_a_group_it_polls_exactly(plan: Plan) -> None:
    network = plan.network
    without_core1 = Plan(network=network, devices=tuple(d for d in plan.devices if d.name != "kf-core-1"))
    ends = {(o.member, o.device) for o in observations(without_core1, healthy_snapshot(without_core1))}
    assert (LINK1, AGG) in ends and (LINK1, "kf-core-1") not in ends  # the far end unpolled, this one kept
    just_the_pair = build_plan(network, devices=["kf-core-1", "kf-core-2"], lab=True)
    judged = {h.group.name: h.state for h in judge(just_the_pair, healthy_snapshot(just_the_pair))}
    assert judged == {"kf-core-pair": "healthy", "kf-upstream-pair": "healthy"}
