"""Rollout batches, exactly: which devices conflict and the batches that follow (no lab needed)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from govnet.deploy.batches import (
    CRITICAL_ROLES,
    WaveSchedule,
    conflicts_of,
    impact,
    plan_batches,
    risk_order,
    safe_order,
)
from govnet.model import Link, Network, RedundancyGroup

CORES = ["kf-core-1", "kf-core-2"]


def links_of(network: Network) -> dict[str, Link]:
    return {link.id: link for link in network.links}


def test_an_uplink_pair_makes_its_far_ends_conflict_and_nothing_else(network: Network) -> None:
    group = next(g for g in network.groups if g.name == "kf-uplinks-dongfenglu")
    assert conflicts_of([group], links_of(network)) == {
        "kf-core-1": {"kf-core-2"},
        "kf-core-2": {"kf-core-1"},
    }


def test_three_uplinks_make_all_three_far_ends_conflict(network: Network) -> None:
    links = links_of(network)
    first = links["kf-core-1--kf-agg-dongfenglu"]
    third = replace(first, id="kf-core-3--kf-agg-dongfenglu", a="kf-core-3")
    links[third.id] = third
    group = RedundancyGroup("triple", "links", (first.id, "kf-core-2--kf-agg-dongfenglu", third.id))
    assert conflicts_of([group], links) == {
        "kf-core-1": {"kf-core-2", "kf-core-3"},
        "kf-core-2": {"kf-core-1", "kf-core-3"},
        "kf-core-3": {"kf-core-1", "kf-core-2"},
    }


def test_a_links_group_with_one_known_link_is_skipped_and_later_groups_still_count(network: Network) -> None:
    lonely = RedundancyGroup("lonely", "links", ("kf-core-1--kf-agg-dongfenglu", "no-such-link"))
    pair = RedundancyGroup("pair", "devices", ("kf-fw-1", "kf-fw-2"))
    assert conflicts_of([lonely, pair], links_of(network)) == {"kf-fw-1": {"kf-fw-2"}, "kf-fw-2": {"kf-fw-1"}}


def test_a_three_member_device_group_pairs_every_member() -> None:
    group = RedundancyGroup("trio", "devices", ("a", "b", "c"))
    assert conflicts_of([group], {}) == {"a": {"b", "c"}, "b": {"a", "c"}, "c": {"a", "b"}}


def test_safe_order_is_cores_then_aggregation_then_access_then_edge(network: Network) -> None:
    names = ["kf-fw-1", "kf-acc-dongfenglu-c01", "kf-agg-hongshan", "kf-core-2", "kf-agg-dongfenglu",
             "kf-core-1"]
    assert safe_order(network, names) == [
        "kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-agg-hongshan", "kf-acc-dongfenglu-c01", "kf-fw-1",
    ]


def test_a_role_outside_the_model_order_goes_last(network: Network) -> None:
    odd = replace(network.devices["kf-fw-1"], name="kf-odd", role="lab-only")  # type: ignore[arg-type]
    devices = {**network.devices, "kf-odd": odd}
    assert safe_order(replace(network, devices=devices), ["kf-odd", "kf-core-1"]) == ["kf-core-1", "kf-odd"]


def test_without_a_canary_the_first_batch_fills_up(network: Network) -> None:
    names = ["kf-agg-furongbeilu", "kf-core-1", "kf-agg-dongfenglu"]
    filled = [["kf-agg-furongbeilu", "kf-agg-dongfenglu"], ["kf-core-1"]]
    assert plan_batches(network, names, 4, canary=False) == filled
    assert plan_batches(network, names, 4) == [["kf-agg-furongbeilu"], ["kf-agg-dongfenglu"], ["kf-core-1"]]


def test_conflicting_devices_go_to_later_batches_even_with_room_left(network: Network) -> None:
    """Two aggregation nodes share no group; their access sites hang off one each; the firewall
    pair and the cores are critical: one each, last."""
    names = [*CORES, "kf-agg-dongfenglu", "kf-agg-xinhe", "kf-acc-dongfenglu-c01", "kf-fw-1", "kf-fw-2"]
    assert plan_batches(network, names, 4, canary=False) == [
        ["kf-acc-dongfenglu-c01", "kf-agg-xinhe", "kf-agg-dongfenglu"],
        ["kf-core-1"], ["kf-core-2"], ["kf-fw-1"], ["kf-fw-2"],
    ]


def test_batches_of_one_are_allowed(network: Network) -> None:
    assert plan_batches(network, [*CORES, "kf-agg-dongfenglu"], 1) == [
        ["kf-agg-dongfenglu"], ["kf-core-1"], ["kf-core-2"],
    ]


def test_the_canary_is_the_least_critical_device_never_a_core(network: Network) -> None:
    """The reported case: a 5-device change had kf-core-1 as canary and kf-core-2 batched with
    three aggregation nodes."""
    aggs = ["kf-agg-dongfenglu", "kf-agg-xinhe", "kf-agg-furongbeilu"]
    batches = plan_batches(network, [*CORES, *aggs], 4)
    assert batches == [
        ["kf-agg-furongbeilu"], ["kf-agg-xinhe", "kf-agg-dongfenglu"], ["kf-core-1"], ["kf-core-2"],
    ]
    with_site = plan_batches(network, [*CORES, *aggs, "kf-acc-xinhe-c01"], 4)
    assert with_site[0] == ["kf-acc-xinhe-c01"]
    for batch in batches + with_site:
        assert len(batch) == 1 or not set(batch) & {*CORES, "kf-fw-1", "kf-fw-2", "kf-ips-1", "kf-lb-1"}


def test_only_cores_changed_go_one_at_a_time(network: Network) -> None:
    assert plan_batches(network, CORES, 8) == [["kf-core-1"], ["kf-core-2"]]
    assert plan_batches(network, CORES, 8, canary=False) == [["kf-core-1"], ["kf-core-2"]]


def test_impact_counts_what_a_loss_cuts_off(network: Network) -> None:
    """Counted from the site names (the inventory's own naming), not from the loader's links."""
    everything = len(network.devices)
    sites = {agg: sum(1 for n in network.devices if n.startswith(agg.replace("-agg-", "-acc-") + "-"))
             for agg in ("kf-agg-dongfenglu", "kf-agg-furongbeilu")}
    assert sites == {"kf-agg-dongfenglu": 10, "kf-agg-furongbeilu": 9}
    assert impact(network, "kf-agg-dongfenglu") == 11 and impact(network, "kf-agg-furongbeilu") == 10
    assert [impact(network, n) for n in ("kf-core-2", "kf-fw-1", "kf-ips-1", "kf-lb-1")] == [everything] * 4
    assert impact(network, "kf-acc-dongfenglu-c01") == 1 and impact(network, "kf-vpn-1") == 1
    names = ["kf-core-1", "kf-agg-dongfenglu", "kf-acc-xinhe-c01", "kf-agg-furongbeilu"]
    assert risk_order(network, names) == [
        "kf-acc-xinhe-c01", "kf-agg-furongbeilu", "kf-agg-dongfenglu", "kf-core-1"]


def test_nothing_selected_means_no_batches(network: Network) -> None:
    assert plan_batches(network, [], 4) == []
    assert plan_batches(network, [], 4, canary=False) == []


@pytest.mark.parametrize("size", [0, -3])
def test_batch_size_below_one_is_refused_with_a_plain_message(network: Network, size: int) -> None:
    with pytest.raises(ValueError, match=r"^batch size must be at least 1$"):
        plan_batches(network, CORES, size)


# -- waves: the batches overlapping where the model allows ------------------------------------


def _simulate(network: Network, names: list[str], size: int, seed: int) -> list[tuple[str, frozenset[str]]]:
    """Run a WaveSchedule over ``names`` finishing in-flight devices in a random order; returns
    each start with what was in flight then, after checking every safety rule at that moment."""
    rng = random.Random(seed)
    batches = plan_batches(network, names, size)
    schedule = WaveSchedule.of(network, batches, size)
    conflicts = conflicts_of(network.groups, links_of(network))
    critical = {n for n in names if network.devices[n].role in CRITICAL_ROLES}
    starts: list[tuple[str, frozenset[str]]] = []
    while True:
        for name in schedule.ready():
            flying = frozenset(schedule.in_flight)
            assert len(flying) < size, (name, flying)
            assert not conflicts.get(name, set()) & flying, f"{name} started while its peer flies"
            assert not flying & critical and (name not in critical or not flying), (name, flying)
            assert name == batches[0][0] or batches[0][0] in schedule.finished  # the canary first
            earlier = {n for n in names if schedule.wave[n] < schedule.wave[name]}
            waits = (network.neighbours(name) | conflicts.get(name, set())) & earlier
            assert waits <= schedule.finished, f"{name} started before {waits - schedule.finished}"
            if name in critical:
                assert set(schedule.order[: schedule.order.index(name)]) <= schedule.finished
            schedule.start([name])
            starts.append((name, flying))
        if not schedule.in_flight:
            break
        schedule.finish(rng.choice(schedule.in_flight))
    assert schedule.waiting == [] and [n for n, _ in starts] != [] and len(starts) == len(names)
    return starts


@pytest.mark.parametrize("size", [1, 2, 4, 8])
def test_waves_keep_every_safety_rule_and_overlap_batches(network: Network, size: int) -> None:
    """Every device of the district in random finishing orders: the canary alone first, pairs
    never in flight together, critical devices alone after everything planned before them, each
    device after its earlier-batch neighbours; and devices of different batches do fly together."""
    names = sorted(network.devices)
    overlapped = 0
    for seed in range(12):
        starts = _simulate(network, names, size, seed)
        schedule = WaveSchedule.of(network, plan_batches(network, names, size), size)
        overlapped += sum(1 for name, flying in starts if any(schedule.wave[n] != schedule.wave[name]
                                                              for n in flying))
    assert overlapped > 0 if size > 1 else overlapped == 0


def test_a_site_starts_once_its_node_is_done_while_the_rest_of_the_batch_flies(network: Network) -> None:
    batches = [["kf-acc-xinhe-c01"], ["kf-agg-dongfenglu", "kf-agg-xinhe"],
               ["kf-acc-dongfenglu-c01", "kf-acc-xinhe-c02"], ["kf-core-1"], ["kf-core-2"]]
    schedule = WaveSchedule.of(network, batches, 4)
    assert schedule.ready() == ["kf-acc-xinhe-c01"]  # the canary alone
    schedule.start(["kf-acc-xinhe-c01"])
    assert schedule.ready() == []
    schedule.finish("kf-acc-xinhe-c01")
    assert schedule.ready() == ["kf-agg-dongfenglu", "kf-agg-xinhe"]
    schedule.start(["kf-agg-dongfenglu", "kf-agg-xinhe"])
    assert schedule.ready() == []  # both sites wait for their own node
    schedule.finish("kf-agg-xinhe")
    assert schedule.ready() == ["kf-acc-xinhe-c02"]  # the batch before is still in flight
    schedule.start(["kf-acc-xinhe-c02"])
    schedule.finish("kf-acc-xinhe-c02")
    assert schedule.ready() == []  # kf-core-1 waits for everything planned before it
    schedule.finish("kf-agg-dongfenglu")
    assert schedule.ready() == ["kf-acc-dongfenglu-c01"]
    schedule.start(["kf-acc-dongfenglu-c01"])
    assert schedule.ready() == []
    schedule.finish("kf-acc-dongfenglu-c01")
    assert schedule.ready() == ["kf-core-1"]
    schedule.start(["kf-core-1"])
    assert (schedule.ready(), schedule.in_flight, schedule.waiting) == ([], ["kf-core-1"], ["kf-core-2"])
    schedule.finish("kf-core-1")
    assert schedule.ready() == ["kf-core-2"]


def test_a_redundancy_pair_never_flies_together_even_across_batches(network: Network) -> None:
    """kf-srv-1/kf-srv-2 (a devices group, not critical) in later batches than free devices."""
    batches = [["kf-acc-xinhe-c01"], ["kf-srv-1", "kf-acc-xinhe-c02"], ["kf-srv-2", "kf-acc-xinhe-c03"]]
    schedule = WaveSchedule.of(network, batches, 8)
    schedule.start(schedule.ready())
    schedule.finish("kf-acc-xinhe-c01")
    assert schedule.ready() == ["kf-srv-1", "kf-acc-xinhe-c02", "kf-acc-xinhe-c03"]
    schedule.start(["kf-srv-1", "kf-acc-xinhe-c02", "kf-acc-xinhe-c03"])
    assert schedule.ready() == []
    schedule.finish("kf-acc-xinhe-c02")
    assert schedule.ready() == []  # kf-srv-2 waits while kf-srv-1 is in flight
    schedule.finish("kf-srv-1")
    assert schedule.ready() == ["kf-srv-2"]


def test_without_a_canary_nothing_waits_for_a_first_device(network: Network) -> None:
    batches = plan_batches(network, ["kf-agg-furongbeilu", "kf-agg-dongfenglu", "kf-core-1"], 4, canary=False)
    schedule = WaveSchedule.of(network, batches, 4, canary=False)
    assert schedule.canary is None and schedule.ready() == ["kf-agg-furongbeilu", "kf-agg-dongfenglu"]
