"""The address plan's arithmetic: slot strides pinned, pool edges, /30 and /31 link ends."""

from __future__ import annotations

import pickle
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from itertools import product

import pytest

from govnet.errors import PoolExhaustedError
from govnet.inventory import ipam
from govnet.inventory.ipam import Slots, nth_address, nth_subnet, p2p_ends

# Hand-computed slots; a changed stride or offset renumbers a live network, so each is pinned.
PINNED = [
    (Slots.loopback_core, {"district": 1, "core": 1}, 9),
    (Slots.loopback_core, {"district": 1, "core": 2}, 10),
    (Slots.loopback_core, {"district": 3, "core": 2}, 2058),
    (Slots.loopback_edge, {"district": 1, "edge": 1}, 17),
    (Slots.loopback_edge, {"district": 2, "edge": 48}, 1088),
    (Slots.loopback_aggregation, {"district": 1, "subdistrict": 1}, 65),
    (Slots.loopback_aggregation, {"district": 1, "subdistrict": 13}, 77),
    (Slots.loopback_aggregation, {"district": 2, "subdistrict": 16}, 1104),
    (Slots.loopback_access, {"district": 1, "subdistrict": 1, "site": 1}, 129),
    (Slots.loopback_access, {"district": 1, "subdistrict": 2, "site": 1}, 161),
    (Slots.loopback_access, {"district": 1, "subdistrict": 2, "site": 3}, 163),
    (Slots.loopback_access, {"district": 1, "subdistrict": 16, "site": 32}, 640),
    (Slots.loopback_access, {"district": 2, "subdistrict": 1, "site": 1}, 1153),
    (Slots.link_core_core, {"district": 1}, 1),
    (Slots.link_core_core, {"district": 3}, 2049),
    (Slots.link_core_aggregation, {"district": 1, "subdistrict": 1, "core": 1}, 9),
    (Slots.link_core_aggregation, {"district": 1, "subdistrict": 1, "core": 2}, 10),
    (Slots.link_core_aggregation, {"district": 1, "subdistrict": 2, "core": 1}, 11),
    (Slots.link_core_aggregation, {"district": 2, "subdistrict": 16, "core": 2}, 1064),
    (Slots.link_edge, {"district": 1, "edge_link": 1}, 49),
    (Slots.link_edge, {"district": 2, "edge_link": 48}, 1120),
    (Slots.link_access, {"district": 1, "subdistrict": 1, "site": 1}, 129),
    (Slots.link_access, {"district": 1, "subdistrict": 3, "site": 25}, 217),
    (Slots.link_access, {"district": 2, "subdistrict": 16, "site": 32}, 1664),
    (Slots.site, {"district": 1, "subdistrict": 1, "site": 1}, 1),
    (Slots.site, {"district": 1, "subdistrict": 2, "site": 1}, 33),
    (Slots.site, {"district": 2, "subdistrict": 1, "site": 1}, 513),
    (Slots.site, {"district": 3, "subdistrict": 16, "site": 32}, 1536),
]


@pytest.mark.parametrize(("slot", "ids", "expected"), PINNED, ids=[f"{f.__name__}-{i}" for f, i, _ in PINNED])
def test_slots_are_pinned(slot: object, ids: dict[str, int], expected: int) -> None:
    assert callable(slot)
    assert slot(**ids) == expected


def test_strides_are_the_documented_constants() -> None:
    assert (ipam.SUBDISTRICTS_PER_DISTRICT, ipam.SITES_PER_SUBDISTRICT, ipam.EDGE_IDS) == (16, 32, 48)
    assert ipam.DEVICE_SLOTS_PER_DISTRICT == ipam.LINK_SLOTS_PER_DISTRICT == 1024


def _device_slots(district: int) -> list[int]:
    return (
        [Slots.loopback_core(district, c) for c in (1, 2)]
        + [Slots.loopback_edge(district, e) for e in range(1, ipam.EDGE_IDS + 1)]
        + [Slots.loopback_aggregation(district, s) for s in range(1, ipam.SUBDISTRICTS_PER_DISTRICT + 1)]
        + [
            Slots.loopback_access(district, s, t)
            for s, t in product(range(1, ipam.SUBDISTRICTS_PER_DISTRICT + 1),
                                range(1, ipam.SITES_PER_SUBDISTRICT + 1))
        ]
    )


def _link_slots(district: int) -> list[int]:
    return (
        [Slots.link_core_core(district)]
        + [
            Slots.link_core_aggregation(district, s, c)
            for s, c in product(range(1, ipam.SUBDISTRICTS_PER_DISTRICT + 1), (1, 2))
        ]
        + [Slots.link_edge(district, e) for e in range(1, ipam.EDGE_IDS + 1)]
        + [
            Slots.link_access(district, s, t)
            for s, t in product(range(1, ipam.SUBDISTRICTS_PER_DISTRICT + 1),
                                range(1, ipam.SITES_PER_SUBDISTRICT + 1))
        ]
    )


@pytest.mark.parametrize("slots", [_device_slots, _link_slots])
def test_every_id_in_range_gets_its_own_slot_inside_its_district(slots: object) -> None:
    assert callable(slots)
    taken: set[int] = set()
    for district in (1, 2, 3):
        block = slots(district)
        assert len(block) == len(set(block)), "two ids share a slot"
        low = (district - 1) * 1024
        assert all(low < s < low + 1024 for s in block), "a slot leaves its district's block"
        assert not taken & set(block)
        taken |= set(block)


def test_site_slots_are_dense_and_unique_across_districts() -> None:
    sites = [
        Slots.site(d, s, t)
        for d, s, t in product((1, 2, 3), range(1, ipam.SUBDISTRICTS_PER_DISTRICT + 1),
                               range(1, ipam.SITES_PER_SUBDISTRICT + 1))
    ]
    assert sorted(sites) == list(range(1, 3 * 16 * 32 + 1))


POOL = IPv4Network("10.0.0.0/29")  # 8 addresses: .0 network, .1-.6 usable, .7 broadcast


@pytest.mark.parametrize(("slot", "address"), [(1, "10.0.0.1"), (2, "10.0.0.2"), (6, "10.0.0.6")])
def test_nth_address_hands_out_only_usable_addresses(slot: int, address: str) -> None:
    assert nth_address(POOL, slot, pool_name="loopback", needed_by="kf-core-1") == IPv4Address(address)


@pytest.mark.parametrize(
    "slot",
    [
        pytest.param(0, id="network-address"),
        pytest.param(7, id="broadcast-address"),
        pytest.param(8, id="past-the-end"),
        pytest.param(-1, id="negative"),
    ],
)
def test_nth_address_refuses_network_broadcast_and_outside(slot: int) -> None:
    with pytest.raises(PoolExhaustedError) as info:
        nth_address(POOL, slot, pool_name="loopback", needed_by="kf-core-1")
    err = info.value
    assert err.message == f"pool loopback (10.0.0.0/29) has no address at slot {slot}, needed by kf-core-1"
    assert err.key == "pools.loopback"
    assert err.hint == "enlarge pool loopback or lower the ids of kf-core-1"


def test_nth_address_in_a_large_pool_is_offset_from_the_network() -> None:
    pool = IPv4Network("10.0.0.0/15")
    assert nth_address(pool, 163, pool_name="l", needed_by="x") == IPv4Address("10.0.0.163")
    assert nth_address(pool, 1153, pool_name="l", needed_by="x") == IPv4Address("10.0.4.129")
    assert nth_address(pool, pool.num_addresses - 2, pool_name="l", needed_by="x") == IPv4Address(
        "10.1.255.254")


P2P = IPv4Network("10.8.0.0/28")  # 16 addresses: four /30s or eight /31s


@pytest.mark.parametrize(
    ("prefixlen", "slot", "subnet"),
    [
        (30, 0, "10.8.0.0/30"),
        (30, 1, "10.8.0.4/30"),
        (30, 3, "10.8.0.12/30"),  # the last /30 that fits
        (31, 0, "10.8.0.0/31"),
        (31, 3, "10.8.0.6/31"),
        (31, 7, "10.8.0.14/31"),  # the last /31 that fits
        (28, 0, "10.8.0.0/28"),  # the whole pool
    ],
)
def test_nth_subnet(prefixlen: int, slot: int, subnet: str) -> None:
    assert nth_subnet(P2P, prefixlen, slot, pool_name="p2p", needed_by="l1") == IPv4Network(subnet)


@pytest.mark.parametrize(
    ("prefixlen", "slot"),
    [
        pytest.param(30, 4, id="30-exhausted"),
        pytest.param(31, 8, id="31-exhausted"),
        pytest.param(30, -1, id="negative"),
        pytest.param(27, 0, id="larger-than-pool"),
        pytest.param(28, 1, id="whole-pool-twice"),
    ],
)
def test_nth_subnet_refuses_what_does_not_fit(prefixlen: int, slot: int) -> None:
    with pytest.raises(PoolExhaustedError) as info:
        nth_subnet(P2P, prefixlen, slot, pool_name="p2p", needed_by="kf-core-1|kf-core-2")
    err = info.value
    assert err.message == (
        f"pool p2p (10.8.0.0/28) has no /{prefixlen} at slot {slot}, needed by kf-core-1|kf-core-2")
    assert err.key == "pools.p2p" and err.hint == "enlarge pool p2p or lower the ids of kf-core-1|kf-core-2"


@pytest.mark.parametrize(
    ("subnet", "a", "b"),
    [
        ("10.8.0.4/30", "10.8.0.5/30", "10.8.0.6/30"),  # network .4 and broadcast .7 never used
        ("10.8.0.252/30", "10.8.0.253/30", "10.8.0.254/30"),
        ("10.8.0.6/31", "10.8.0.6/31", "10.8.0.7/31"),  # RFC 3021: both addresses are hosts
        ("10.8.1.0/31", "10.8.1.0/31", "10.8.1.1/31"),
    ],
)
def test_p2p_ends_stay_inside_their_subnet(subnet: str, a: str, b: str) -> None:
    net = IPv4Network(subnet)
    ends = p2p_ends(net)
    assert ends == (IPv4Interface(a), IPv4Interface(b))
    assert all(end.network == net for end in ends)
    if net.prefixlen == 30:
        assert {e.ip for e in ends}.isdisjoint({net.network_address, net.broadcast_address})


@pytest.mark.parametrize(
    ("subnet", "host"),
    [("10.8.0.4/30", 1), ("10.8.0.6/31", 0), ("10.8.0.6/31", 1), ("10.9.2.0/24", 1), ("10.240.0.0/14", 9),
     ("10.0.0.9/32", 0), ("0.0.0.0/0", 7)],
)  # fmt: skip
def test_interface_in_is_what_the_constructor_builds(subnet: str, host: int) -> None:
    net = IPv4Network(subnet)
    address = int(net.network_address) + host
    built, expected = ipam.interface_in(net, address), IPv4Interface((address, net.prefixlen))
    assert built.network is net  # shared, not rebuilt
    assert int(built) == int(expected) and vars(built) == vars(expected)
    for view in (hash, repr, str, lambda i: (i.ip, i.netmask, i.hostmask, i.with_prefixlen)):
        assert view(built) == view(expected)
    assert pickle.loads(pickle.dumps(built)) == expected


@pytest.mark.parametrize("prefixlen", range(33))
def test_subnet_at_is_what_the_constructor_builds(prefixlen: int) -> None:
    for first in {0, 0x0A080000 >> (32 - prefixlen) << (32 - prefixlen) if prefixlen else 0}:
        built, expected = ipam.subnet_at(first, prefixlen), IPv4Network((first, prefixlen))
        own, theirs = dict(vars(built)), dict(vars(expected))
        hosts, their_hosts = own.pop("hosts", None), theirs.pop("hosts", None)  # /31, /32 only
        assert own == theirs and list(own) == list(theirs) and built.netmask is expected.netmask
        assert (hosts is None) == (their_hosts is None) == (prefixlen < 31)
        if hosts is not None and their_hosts is not None:
            assert list(hosts()) == list(their_hosts())
        for view in (hash, repr, str, lambda n: (n.broadcast_address, n.num_addresses, n.hostmask)):
            assert view(built) == view(expected)
        assert pickle.dumps(built) == pickle.dumps(expected)


def test_address_at_and_dotted_are_the_constructors() -> None:
    for value in (0, 1, 0x0A080014, 0xC0A80001, 0xFFFFFFFF):
        assert ipam.address_at(value) == IPv4Address(value)
        assert repr(ipam.address_at(value)) == repr(IPv4Address(value))
        assert ipam.dotted(value) == str(IPv4Address(value))


@pytest.mark.parametrize(
    ("pool", "prefixlen"),
    [("10.8.0.0/28", 30), ("10.8.0.0/28", 31), ("10.8.0.0/28", 28), ("10.8.0.0/28", 27), ("10.8.0.0/30", 30)],
)
def test_subnet_slots_give_what_nth_subnet_gives(pool: str, prefixlen: int) -> None:
    net = IPv4Network(pool)
    slots = ipam.SubnetSlots(net, prefixlen, "p2p")
    for slot in range(-2, 10):
        try:
            expected = nth_subnet(net, prefixlen, slot, pool_name="p2p", needed_by="l1")
        except PoolExhaustedError as exc:
            with pytest.raises(PoolExhaustedError) as info:
                slots.nth(slot, "l1")
            assert (info.value.message, info.value.key, info.value.hint) == (exc.message, exc.key, exc.hint)
        else:
            assert slots.nth(slot, "l1") == expected and repr(slots.nth(slot, "l1")) == repr(expected)
            subnet, a, b = slots.ends(slot, "l1")
            assert (subnet, a, b) == (expected, *p2p_ends(expected))
            assert a.network is subnet and vars(a) == vars(p2p_ends(expected)[0])


@pytest.mark.parametrize("pool", ["10.240.0.0/29", "10.0.0.0/31", "10.0.0.1/32"])
def test_address_slots_give_what_nth_address_gives(pool: str) -> None:
    net = IPv4Network(pool)
    slots = ipam.AddressSlots(net, "mgmt")
    for slot in range(-1, 10):
        try:
            expected = nth_address(net, slot, pool_name="mgmt", needed_by="kf-core-1")
        except PoolExhaustedError as exc:
            with pytest.raises(PoolExhaustedError) as info:
                slots.nth(slot, "kf-core-1")
            assert (info.value.message, info.value.key, info.value.hint) == (exc.message, exc.key, exc.hint)
        else:
            assert slots.nth(slot, "kf-core-1") == int(expected)
