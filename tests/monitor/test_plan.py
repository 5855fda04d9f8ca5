"""The poll plan from the model: link ends, routing peers, kernel names in the lab, shards."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.model import Network
from govnet.monitor.plan import ShardError, build_plan, parse_shard, shard_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


def _go_sum64(name: str) -> int:
    """Prometheus' relabel sum64: every md5 byte shifted by (15 - i) * 8 in a uint64 (Go drops
    shifts of 64 and more, so only the last 8 bytes count)."""
    total = 0
    for i, byte in enumerate(hashlib.md5(name.encode()).digest()):
        shift = (16 - i - 1) * 8
        if shift < 64:
            total |= byte << shift
    return total


def test_shard_is_prometheus_hashmod(network: Network) -> None:
    for name in network.devices:
        for shards in (1, 2, 3, 7):
            assert shard_of(name, shards) == _go_sum64(name) % shards


def test_shards_partition_the_devices(network: Network) -> None:
    parts = [{d.name for d in build_plan(network, shard=(i, 3)).devices} for i in range(3)]
    assert set.union(*parts) == set(network.devices)
    assert sum(len(p) for p in parts) == len(network.devices)


@pytest.mark.parametrize("text", ["2/2", "x/2", "1", "0/0", "-1/3"])
def test_bad_shard_is_a_clear_error(text: str) -> None:
    with pytest.raises(ShardError, match="--shard"):
        parse_shard(text)


def test_core_plan_has_its_links_and_peers(network: Network) -> None:
    plan = build_plan(network, devices=select_devices(network), lab=True)
    core = plan.device("kf-core-1")
    assert core.host == str(network.devices["kf-core-1"].mgmt_ip.ip)
    ends = {e.link: e for e in core.links}
    assert len(ends) == len(list(network.links_of("kf-core-1")))
    end = ends["kf-core-1--kf-agg-dongfenglu"]
    assert (end.interface, end.ifname, end.peer) == ("GigabitEthernet2/0/1", "ge2-0-1", "kf-agg-dongfenglu")
    assert {p.peer for p in core.bgp} == {"kf-core-2"} | {
        d.name for d in network.devices.values() if d.role == "aggregation"
    }
    agg = network.devices["kf-agg-dongfenglu"]
    assert agg.loopback is not None
    assert {str(p.address) for p in core.ldp if p.peer == "kf-agg-dongfenglu"} == {str(agg.loopback.ip)}
    neighbour = next(p for p in core.ospf if p.peer == "kf-agg-dongfenglu")
    assert neighbour.address == network.devices["kf-agg-dongfenglu"].interface("GigabitEthernet0/0/1").ip.ip  # type: ignore[union-attr]


def test_vendor_names_outside_the_lab_and_peers_only_inside_the_subset(network: Network) -> None:
    vendor = build_plan(network).device("kf-core-1")
    assert {e.ifname for e in vendor.links} == {e.interface for e in vendor.links}
    assert "hwEntityOperStatus" in vendor.vendor_oids
    small = build_plan(network, devices=["kf-core-1", "kf-core-2", "kf-agg-dongfenglu"], lab=True)
    assert {p.peer for p in small.device("kf-core-1").bgp} == {"kf-core-2", "kf-agg-dongfenglu"}
    assert {g.name for g in small.network.groups} == {
        "kf-core-pair",
        "kf-uplinks-dongfenglu",
        "kf-upstream-pair",
    }
