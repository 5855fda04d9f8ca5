"""Shared segments: the address plan of their /28s, member and virtual addresses, the model's
queries, and the inventory errors that name the file and key."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path

import pytest
from conftest import Edit

from govnet.errors import InventoryError
from govnet.inventory import ipam, load_network
from govnet.inventory.segments import SEGMENT_IDS, SEGMENT_LINK_SLOT, segment_subnet
from govnet.model import Network

P2P = IPv4Network("10.8.0.0/13")


def test_segment_subnets_sit_above_every_link_slot_of_their_district() -> None:
    highest_link = ipam.Slots.link_access(1, ipam.SUBDISTRICTS_PER_DISTRICT, ipam.SITES_PER_SUBDISTRICT)
    assert highest_link < SEGMENT_LINK_SLOT
    for prefixlen in (30, 31):
        size = 1 << (32 - prefixlen)
        block_bits = (ipam.LINK_SLOTS_PER_DISTRICT * size).bit_length() - 1
        district_block = IPv4Network((P2P.network_address, 32 - block_bits))  # district 1's link block
        last_link = ipam.nth_subnet(P2P, prefixlen, highest_link, pool_name="p2p", needed_by="t")
        subnets = [segment_subnet(P2P, prefixlen, district=1, segment=s) for s in range(1, SEGMENT_IDS + 1)]
        assert all(s.prefixlen == 28 and s.subnet_of(district_block) for s in subnets)
        assert all(s.network_address > last_link.broadcast_address for s in subnets)
        assert len(set(subnets)) == SEGMENT_IDS


def test_segment_subnets_are_keyed_by_district_and_id() -> None:
    assert segment_subnet(P2P, 30, district=1, segment=1) == IPv4Network("10.8.15.0/28")
    assert segment_subnet(P2P, 30, district=1, segment=4) == IPv4Network("10.8.15.48/28")
    assert segment_subnet(P2P, 30, district=2, segment=1) == IPv4Network("10.8.31.0/28")
    assert segment_subnet(P2P, 31, district=2, segment=1) == IPv4Network("10.8.15.128/28")


def test_shipped_segments_members_and_virtual_addresses(network: Network) -> None:
    inside = network.segment("kf-fw-inside")
    assert inside.subnet == IPv4Network("10.8.15.0/28")
    assert inside.devices == ("kf-fw-1", "kf-fw-2", "kf-ips-1")
    assert inside.member("kf-fw-2").ip == IPv4Interface("10.8.15.3/28")
    (group,) = inside.vrrp
    assert (group.vrid, group.virtual_ip, group.members) == (
        1,
        IPv4Address("10.8.15.1"),
        ("kf-fw-1", "kf-fw-2"),
    )
    assert group.role_of("kf-fw-1") == "active" and group.role_of("kf-fw-2") == "standby"
    with pytest.raises(KeyError):
        group.role_of("kf-ips-1")
    assert inside.next_hop("kf-fw-2") == IPv4Address("10.8.15.1")  # toward the pair: its virtual address
    assert inside.next_hop("kf-ips-1") == IPv4Address("10.8.15.4")
    dc = network.segment("kf-dc-servers")
    assert dc.zone == "public" and [g.vrid for g in dc.vrrp] == [10]
    assert [s.id for s in network.segments] == ["kf-dc-servers", "kf-fw-dmz", "kf-fw-inside", "kf-fw-outside"]


def test_every_address_on_a_segment_is_distinct_and_inside_its_subnet(network: Network) -> None:
    for seg in network.segments:
        addresses = [m.ip.ip for m in seg.members] + [g.virtual_ip for g in seg.vrrp]
        assert len(set(addresses)) == len(addresses)
        assert all(
            a in seg.subnet and a not in (seg.subnet.network_address, seg.subnet.broadcast_address)
            for a in addresses
        )
    subnets = [s.subnet for s in network.segments] + [lk.subnet for lk in network.links]
    assert not any(a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])


def test_segment_ports_are_interfaces_of_their_devices(network: Network) -> None:
    fw = network.devices["kf-fw-1"]
    port = fw.interface("GigabitEthernet1/0/2")
    assert port.segment is not None and port.segment.id == "kf-fw-outside" and port.peer == "kf-fw-outside"
    core = network.devices["kf-core-1"].interface("XGigabitEthernet1/0/5")
    assert core.vrf == "PUBLIC" and core.ip == IPv4Interface("10.8.15.50/28")
    assert network.neighbours("kf-fw-1") == {"kf-fw-2", "kf-ips-1", "kf-lb-1", "kf-vpn-1"}
    assert [(s.id, g.vrid) for s, g in network.vrrp_groups("kf-fw-2")] == [
        ("kf-fw-dmz", 3),
        ("kf-fw-inside", 1),
        ("kf-fw-outside", 2),
    ]
    assert len(network.vrrp_groups()) == 4


def test_links_outside_the_re_plumb_keep_their_addresses(network: Network) -> None:
    assert network.link("kf-core-1--kf-ips-1").subnet == IPv4Network("10.8.0.196/30")
    assert network.link("kf-fw-1--kf-fw-2").subnet == IPv4Network("10.8.0.212/30")
    assert network.link("kf-lb-1--kf-isp-telecom").subnet == IPv4Network("10.8.0.224/30")


def test_a_subset_keeps_the_segments_of_its_devices(network: Network) -> None:
    sub = network.subset(["kf-fw-1", "kf-fw-2"])
    assert [s.id for s in sub.segments] == ["kf-fw-dmz", "kf-fw-inside", "kf-fw-outside"]


SEG = "      - {device: fw-2,  interface: GigabitEthernet1/0/1, host: 3}"


@pytest.mark.parametrize(
    ("old", "new", "message", "key"),
    [
        (
            SEG,
            SEG.replace("fw-2,  ", "fw-9,  "),
            "segment fw-inside: unknown device 'fw-9'",
            "segments[0].members[1].device",
        ),
        (SEG, SEG.replace("host: 3", "host: 2"), "host 2 is taken by kf-fw-1", "segments[0].members[1].host"),
        (
            "vrrp: [{vrid: 1, host: 1, members: [fw-1, fw-2]}]",
            "vrrp: [{vrid: 1, host: 1, members: [fw-1, lb-1]}]",
            "VRRP group 1 members lb-1 are not distinct members of the segment",
            "segments[0].vrrp[0].members",
        ),
        (
            "  - id: 4\n    name: dc-servers",
            "  - id: 9\n    name: dc-servers",
            "segment id 9 is above 8",
            "segments[3].id",
        ),
        (
            "    zone: public\n    members:",
            "    zone: pubilc\n    members:",
            "unknown zone 'pubilc'",
            "segments[3].zone",
        ),
    ],
)
def test_bad_segments_name_the_file_and_key(
    inventory_copy: Path, edit: Edit, old: str, new: str, message: str, key: str
) -> None:
    edit("districts/kaifu.yaml", old, new)
    with pytest.raises(InventoryError) as err:
        load_network(inventory_copy)
    text = str(err.value)
    assert message in text and key in text and "kaifu.yaml" in text


def test_a_port_used_by_a_link_and_a_segment_is_an_error(inventory_copy: Path, edit: Edit) -> None:
    edit(
        "districts/kaifu.yaml",
        "{device: lb-1, interface: GigabitEthernet1/0/1, host: 4}",
        "{device: lb-1, interface: GigabitEthernet1/0/3, host: 4}",
    )
    with pytest.raises(InventoryError, match="kf-lb-1 interface GigabitEthernet1/0/3 is used twice"):
        load_network(inventory_copy)
