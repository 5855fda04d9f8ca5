"""The poll plan, value by value: both ends of a link, every peer with its own device and address,
the per-device overrides, the shard bounds and the model's odd corners (an end the device does
not list, a neighbour interface without an address, an interface without LDP)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address

import pytest

from govnet.model import Network
from govnet.monitor.plan import LinkEnd, Peer, ShardError, build_plan, device_plan, parse_shard
from govnet.platforms import get_platform

# core-1, core-2, two aggregations (dongfenglu is the b end of the core links and the a end of an
# access link), one access switch without LDP on its uplink, and the VRRP firewall pair
SUBSET = [
    "kf-core-1",
    "kf-core-2",
    "kf-agg-dongfenglu",
    "kf-agg-shaping",
    "kf-acc-dongfenglu-c01",
    "kf-fw-1",
    "kf-fw-2",
]


def _ip(text: str) -> IPv4Address:
    return IPv4Address(text)


def test_every_end_and_peer_of_an_aggregation_in_the_lab(network: Network) -> None:
    plan = build_plan(network, devices=SUBSET, lab=True)
    agg = plan.device("kf-agg-dongfenglu")
    assert agg.links == (
        LinkEnd(
            "kf-agg-dongfenglu",
            "GigabitEthernet0/0/1",
            "ge0-0-1",
            "kf-core-1",
            "kf-core-1--kf-agg-dongfenglu",
        ),
        LinkEnd(
            "kf-agg-dongfenglu",
            "GigabitEthernet0/0/2",
            "ge0-0-2",
            "kf-core-2",
            "kf-core-2--kf-agg-dongfenglu",
        ),
        LinkEnd(
            "kf-agg-dongfenglu",
            "GigabitEthernet1/0/1",
            "ge1-0-1",
            "kf-acc-dongfenglu-c01",
            "kf-agg-dongfenglu--kf-acc-dongfenglu-c01",
        ),
    )
    # BGP to the cores' loopbacks, OSPF to the cores' link addresses, LDP to the loopbacks; the
    # access uplink runs neither OSPF nor LDP although the access switch has a loopback
    assert agg.bgp == (
        Peer("kf-agg-dongfenglu", "kf-core-1", _ip("10.0.0.9")),
        Peer("kf-agg-dongfenglu", "kf-core-2", _ip("10.0.0.10")),
    )
    assert agg.ospf == (
        Peer("kf-agg-dongfenglu", "kf-core-1", _ip("10.8.0.37")),
        Peer("kf-agg-dongfenglu", "kf-core-2", _ip("10.8.0.41")),
    )
    assert agg.ldp == (
        Peer("kf-agg-dongfenglu", "kf-core-1", _ip("10.0.0.9")),
        Peer("kf-agg-dongfenglu", "kf-core-2", _ip("10.0.0.10")),
    )
    assert (agg.role, agg.platform, agg.host, agg.port, agg.timeout) == (
        "aggregation",
        "frr",
        "10.240.0.65",
        161,
        None,
    )
    assert (agg.vendor_oids, agg.ha_tables, agg.hardware, agg.ha_expected) == ({}, (), (), False)
    access = plan.device("kf-acc-dongfenglu-c01")
    assert access.links == (
        LinkEnd(
            "kf-acc-dongfenglu-c01",
            "GigabitEthernet0/0/1",
            "ge0-0-1",
            "kf-agg-dongfenglu",
            "kf-agg-dongfenglu--kf-acc-dongfenglu-c01",
        ),
    )
    assert (access.role, access.bgp, access.ospf, access.ldp) == ("access", (), (), ())


def test_peers_after_an_interface_to_a_device_outside_the_subset(network: Network) -> None:
    # core-1 lists the links to dongfenglu..xiufeng before shaping's: those peers are not polled
    # here, and shaping's must still be found after them
    core = build_plan(network, devices=["kf-core-1", "kf-core-2", "kf-agg-shaping"], lab=True).device(
        "kf-core-1"
    )
    assert core.ospf == (
        Peer("kf-core-1", "kf-core-2", _ip("10.8.0.6")),
        Peer("kf-core-1", "kf-agg-shaping", _ip("10.8.0.134")),
    )
    assert core.ldp == (
        Peer("kf-core-1", "kf-core-2", _ip("10.0.0.10")),
        Peer("kf-core-1", "kf-agg-shaping", _ip("10.0.0.77")),
    )
    assert core.bgp == (
        Peer("kf-core-1", "kf-core-2", _ip("10.0.0.10")),
        Peer("kf-core-1", "kf-agg-shaping", _ip("10.0.0.77")),
    )
    assert [(e.interface, e.ifname, e.peer) for e in core.links] == [
        ("XGigabitEthernet1/0/1", "xge1-0-1", "kf-core-2"),
        ("GigabitEthernet2/0/13", "ge2-0-13", "kf-agg-shaping"),
        ("XGigabitEthernet1/0/3", "xge1-0-3", "kf-municipal-extranet"),
    ]


def test_vendor_plan_keeps_vendor_names_tables_and_hardware(network: Network) -> None:
    plan = build_plan(network, devices=SUBSET)
    core = plan.device("kf-core-2")
    vrp = get_platform("huawei_vrp")
    assert (core.platform, core.port, core.host) == ("huawei_vrp", 161, "10.240.0.10")
    assert core.ha_tables == vrp.ha_tables and core.hardware == vrp.hardware and len(core.hardware) == 9
    assert core.vendor_oids == dict(vrp.vendor_oids)
    assert core.link_end("GigabitEthernet2/0/1") == LinkEnd(
        "kf-core-2",
        "GigabitEthernet2/0/1",
        "GigabitEthernet2/0/1",
        "kf-agg-dongfenglu",
        "kf-core-2--kf-agg-dongfenglu",
    )
    assert core.link_end("XGigabitEthernet1/0/1").peer == "kf-core-1"
    with pytest.raises(StopIteration):
        core.link_end("GigabitEthernet2/0/99")
    # VRP spells GE for GigabitEthernet; FRR in the lab does not
    assert (
        core.interface_key("GE2/0/1") == core.interface_key("GigabitEthernet2/0/1") == "gigabitethernet2/0/1"
    )
    assert (
        build_plan(network, devices=SUBSET, lab=True).device("kf-core-2").interface_key("GE2/0/1")
        == "ge2/0/1"
    )
    firewall = plan.device("kf-fw-1")
    usg = get_platform("huawei_usg")
    assert (firewall.platform, firewall.ha_expected, firewall.ha_tables) == (
        "huawei_usg",
        True,
        usg.ha_tables,
    )
    assert firewall.table_oids == {
        **{k: v for k, v in usg.vendor_oids.items() if k not in {h.name for h in usg.hardware}},
        "hwVgmpGroupCfgState": "1.3.6.1.4.1.2011.5.25.122.2.1.1.10",
        "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
    }


def test_per_device_port_host_and_per_role_timeout(network: Network) -> None:
    plan = build_plan(
        network,
        devices=SUBSET,
        lab=True,
        port=10161,
        hosts={"kf-core-1": "127.0.0.5"},
        ports={"kf-core-2": 20161},
        timeouts={"core": 4.5, "firewall": 2.0},
    )
    got = {d.name: (d.host, d.port, d.timeout) for d in plan.devices}
    assert got == {
        "kf-core-1": ("127.0.0.5", 10161, 4.5),
        "kf-core-2": ("10.240.0.10", 20161, 4.5),
        "kf-agg-dongfenglu": ("10.240.0.65", 10161, None),
        "kf-agg-shaping": ("10.240.0.77", 10161, None),
        "kf-acc-dongfenglu-c01": ("10.240.0.129", 10161, None),
        "kf-fw-1": ("10.240.0.18", 10161, 2.0),
        "kf-fw-2": ("10.240.0.19", 10161, 2.0),
    }
    assert [d.name for d in plan.devices] == sorted(SUBSET)
    default = build_plan(network, devices=["kf-core-1"]).device("kf-core-1")
    assert (default.port, default.host, default.timeout) == (161, "10.240.0.9", None)
    alone = device_plan(network, network.devices["kf-fw-2"], lab=True)
    assert (alone.port, alone.host, alone.ha_expected, alone.platform) == (
        161,
        "10.240.0.19",
        True,
        "nftables",
    )
    assert [t.name for t in alone.ha_tables] == ["vrrpOperState", "vrrpv3OperationsStatus"]


def _edited(network: Network, device: str, interfaces: list[str], **changes: object) -> Network:
    """A subset whose ``device`` has ``interfaces`` changed by ``changes`` (None: dropped)."""
    small = network.subset(SUBSET)
    dev = small.devices[device]
    kept = []
    for intf in dev.interfaces:
        if intf.name not in interfaces:
            kept.append(intf)
        elif changes:
            kept.append(replace(intf, **changes))  # type: ignore[arg-type]
    small.devices[device] = replace(dev, interfaces=kept)
    return small


def test_a_link_end_the_device_does_not_list_keeps_its_inventory_name(network: Network) -> None:
    # b end (agg) and a end (core) of a link whose interface is missing from the device's list
    small = _edited(network, "kf-agg-dongfenglu", ["GigabitEthernet0/0/1"])
    small = _edited(small, "kf-core-2", ["GigabitEthernet2/0/1"])
    agg = device_plan(small, small.devices["kf-agg-dongfenglu"], lab=True)
    assert agg.links[0] == LinkEnd(
        "kf-agg-dongfenglu",
        "GigabitEthernet0/0/1",
        "GigabitEthernet0/0/1",
        "kf-core-1",
        "kf-core-1--kf-agg-dongfenglu",
    )
    assert agg.links[1].ifname == "ge0-0-2"
    core = device_plan(small, small.devices["kf-core-2"], lab=True)
    assert core.link_end("GigabitEthernet2/0/1").interface == "GigabitEthernet2/0/1"
    assert core.link_end("xge1-0-1").interface == "XGigabitEthernet1/0/1"


def test_a_neighbour_interface_without_address_gives_no_ospf_peer(network: Network) -> None:
    small = _edited(network, "kf-agg-shaping", ["GigabitEthernet0/0/1"], ip=None)
    core = device_plan(small, small.devices["kf-core-1"], lab=True)
    assert [p.peer for p in core.ospf] == ["kf-core-2", "kf-agg-dongfenglu"]
    assert [p.peer for p in core.ldp] == ["kf-core-2", "kf-agg-dongfenglu", "kf-agg-shaping"]


def test_an_interface_with_ldp_off_gives_no_ldp_peer(network: Network) -> None:
    small = _edited(network, "kf-core-1", ["GigabitEthernet2/0/1"], ldp=False)
    core = device_plan(small, small.devices["kf-core-1"], lab=False)
    assert [p.peer for p in core.ldp] == ["kf-core-2", "kf-agg-shaping"]
    assert [p.peer for p in core.ospf] == ["kf-core-2", "kf-agg-dongfenglu", "kf-agg-shaping"]


@pytest.mark.parametrize(
    ("text", "expected"), [("0/1", (0, 1)), ("0/2", (0, 2)), ("1/2", (1, 2)), ("6/7", (6, 7))]
)
def test_shard_bounds(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2/2", "--shard '2/2': expected I/N with 0 <= I < N"),
        ("-1/3", "--shard '-1/3': expected I/N with 0 <= I < N"),
        ("0/0", "--shard '0/0': expected I/N with 0 <= I < N"),
        ("1", "--shard '1': expected I/N, e.g. 0/2"),
        ("1/2/3", "--shard '1/2/3': expected I/N, e.g. 0/2"),
    ],
)
def test_shard_error_messages(text: str, message: str) -> None:
    with pytest.raises(ShardError) as caught:
        parse_shard(text)
    assert str(caught.value) == message
