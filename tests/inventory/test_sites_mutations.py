"""Exact tests of the access sites (sites.py): site ids, zone attachments on both ends of the
access link, the site LAN, and every site-plan error with its file, key and line.

Expected addresses are worked out by hand from the slot formulas (docs/addressing.md): a
department site takes slot ``(district - 1) * 16 + subdistrict`` of its private pools, a
community or hand-listed site slot ``Slots.site(district, subdistrict, site)`` of the shared ones.
"""

from __future__ import annotations

from ipaddress import IPv4Interface, IPv4Network
from pathlib import Path

import pytest
from inventory_support import edited, refused

from govnet.inventory import load_network
from govnet.inventory.sites import expand_ids
from govnet.model import Attachment, Interface

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventory"
DISTRICT = "districts/kaifu.yaml"




def _sub_district(old_departments: str, extra: str) -> tuple[str, str]:
    """An edit of dongfenglu's line (line 11): its departments and anything after them."""
    line = (
        '  - {id: 1,  name: dongfenglu,   title: 东风路街道,   communities: "1-8", '
        "departments: [police, ltax]}"
    )
    return line, line.replace("departments: [police, ltax]}", f"departments: {old_departments}{extra}}}")


def _zone_ifaces(
    port: str, peer: str, peer_port: str, link: str, ends: list[tuple[str, int, str, str]], mtu: int
) -> list[Interface]:
    return [
        Interface(
            f"{port}.{vlan}",
            IPv4Interface(ip),
            peer,
            f"{peer_port}.{vlan}",
            link,
            f"{zone} zone to {peer} [{link}]",
            mtu,
            False,
            False,
            vlan,
            vrf,
        )
        for zone, vlan, vrf, ip in ends
    ]


@pytest.mark.parametrize(
    ("ranges", "ids"),
    [("", []), ("7", [7]), ("1-3,5", [1, 2, 3, 5]), (" 1 - 3 , 5,7-8 ", [1, 2, 3, 5, 7, 8]), ("24-24", [24])],
)
def test_site_id_ranges_expand_to_every_id(ranges: str, ids: list[int]) -> None:
    assert expand_ids(ranges) == ids


def test_a_community_site_is_attached_to_every_shared_zone_on_both_ends() -> None:
    network = load_network(INVENTORY)  # built here, not by a shared fixture: mutation runs trace the build
    link = "kf-agg-dongfenglu--kf-acc-dongfenglu-c01"  # site 1 of subdistrict 1: slot 129 of 1024 /30s
    acc, agg = network.devices["kf-acc-dongfenglu-c01"], network.devices["kf-agg-dongfenglu"]
    assert (acc.site, acc.subdistrict, acc.zones) == ("dongfenglu-c01", "dongfenglu", ["public", "internet"])
    assert acc.site_prefixes == {
        "public": IPv4Network("10.128.0.32/27"),
        "internet": IPv4Network("10.64.0.16/28"),
    }
    # the access link itself: no OSPF, no LDP and no VRF on either end (the zones ride its subinterfaces)
    assert acc.interfaces[0] == Interface(
        "GigabitEthernet0/0/1", IPv4Interface("10.8.2.6/30"), agg.name, "GigabitEthernet1/0/1", link,
        f"to {agg.name} GigabitEthernet1/0/1 [{link}]", 1500, False, False,
    )  # fmt: skip
    assert next(i for i in agg.interfaces if i.link_id == link) == Interface(
        "GigabitEthernet1/0/1", IPv4Interface("10.8.2.5/30"), acc.name, "GigabitEthernet0/0/1", link,
        f"to {acc.name} GigabitEthernet0/0/1 [{link}]", 1500, False, False,
    )  # fmt: skip
    assert acc.interfaces[1:] == [
        *_zone_ifaces(
            "GigabitEthernet0/0/1",
            agg.name,
            "GigabitEthernet1/0/1",
            link,
            [("public", 100, "PUBLIC", "10.32.0.6/30"), ("internet", 300, "INTERNET", "10.48.0.6/30")],
            1500,
        ),
        Interface(
            "GigabitEthernet0/0/2", None, "", "", "", "site LAN trunk of dongfenglu-c01", 1500, False, False
        ),
        Interface(
            "GigabitEthernet0/0/2.100",
            IPv4Interface("10.128.0.33/27"),
            "",
            "",
            "",
            "public zone site LAN 10.128.0.32/27",
            1500,
            False,
            False,
            100,
            "PUBLIC",
        ),
        Interface(
            "GigabitEthernet0/0/2.300",
            IPv4Interface("10.64.0.17/28"),
            "",
            "",
            "",
            "internet zone site LAN 10.64.0.16/28",
            1500,
            False,
            False,
            300,
            "INTERNET",
        ),
    ]
    assert [i for i in agg.interfaces if i.link_id == link][1:] == _zone_ifaces(
        "GigabitEthernet1/0/1",
        acc.name,
        "GigabitEthernet0/0/1",
        link,
        [("public", 100, "PUBLIC", "10.32.0.5/30"), ("internet", 300, "INTERNET", "10.48.0.5/30")],
        1500,
    )
    (access_link,) = [lk for lk in network.links if lk.id == link]
    assert (access_link.kind, access_link.ospf_area, access_link.ldp) == ("aggregation-access", 0, False)
    assert access_link.subnet == IPv4Network("10.8.2.4/30")
    assert access_link.attachments == (
        Attachment(
            "public",
            "PUBLIC",
            100,
            IPv4Network("10.32.0.4/30"),
            IPv4Interface("10.32.0.5/30"),
            IPv4Interface("10.32.0.6/30"),
            IPv4Network("10.128.0.32/27"),
        ),
        Attachment(
            "internet",
            "INTERNET",
            300,
            IPv4Network("10.48.0.4/30"),
            IPv4Interface("10.48.0.5/30"),
            IPv4Interface("10.48.0.6/30"),
            IPv4Network("10.64.0.16/28"),
        ),
    )
    # the aggregation node carries each zone once, however many sites it serves
    assert agg.zones == ["public", "internet", "police", "ltax"]
    assert network.devices["kf-agg-laodaohe"].zones == ["public", "internet", "police"]


def test_a_department_site_takes_its_zones_slot_and_a_comware_aggregation_port() -> None:
    network = load_network(INVENTORY)
    link = "kf-agg-laodaohe--kf-acc-laodaohe-police"  # subdistrict 12, police site id 25
    acc, agg = network.devices["kf-acc-laodaohe-police"], network.devices["kf-agg-laodaohe"]
    assert (acc.site, acc.zones) == ("laodaohe-police", ["public", "internet", "police"])
    # police slot (1 - 1) * 16 + 12 = 12: 192.168.0.48/30 and 172.16.0.0 + 12 * 64 = 172.16.3.0/26
    assert acc.site_prefixes["police"] == IPv4Network("172.16.3.0/26")
    assert acc.interfaces[1:4] == _zone_ifaces(
        "GigabitEthernet0/0/1",
        agg.name,
        "GigabitEthernet2/0/25",
        link,
        [
            ("public", 100, "PUBLIC", "10.32.5.230/30"),
            ("internet", 300, "INTERNET", "10.48.5.230/30"),
            ("police", 211, "POLICE", "192.168.0.50/30"),
        ],
        1500,
    )
    assert acc.interfaces[-1] == Interface(
        "GigabitEthernet0/0/2.211",
        IPv4Interface("172.16.3.1/26"),
        "",
        "",
        "",
        "police zone site LAN 172.16.3.0/26",
        1500,
        False,
        False,
        211,
        "POLICE",
    )
    assert [i for i in agg.interfaces if i.link_id == link][1:] == _zone_ifaces(
        "GigabitEthernet2/0/25",
        acc.name,
        "GigabitEthernet0/0/1",
        link,
        [
            ("public", 100, "PUBLIC", "10.32.5.229/30"),
            ("internet", 300, "INTERNET", "10.48.5.229/30"),
            ("police", 211, "POLICE", "192.168.0.49/30"),
        ],
        1500,
    )
    # every department site of police, one per subdistrict, in its compact slot
    police = {
        d.subdistrict: d.site_prefixes["police"]
        for d in network.devices.values()
        if d.site.endswith("-police")
    }
    assert police == {
        "dongfenglu": IPv4Network("172.16.0.64/26"),
        "wujialing": IPv4Network("172.16.1.128/26"),
        "sifangping": IPv4Network("172.16.2.64/26"),
        "laodaohe": IPv4Network("172.16.3.0/26"),
    }


def test_hand_listed_sites_choose_zones_parent_and_mtu(tmp_path: Path) -> None:
    old, new = _sub_district(
        "[police, ltax]",
        ", sites: [{id: 32, name: plaza, zones: [internet, court]}, "
        "{id: 20, name: depot, parent: dongfenglu}, "
        "{id: 21, name: dark, zones: []}]",
    )
    inventory = edited(tmp_path, {DISTRICT: [(old, new)], "network.yaml": [("mtu: 1500", "mtu: 9000")]})
    network = load_network(inventory)
    plaza, depot, dark = (network.devices[f"kf-acc-{n}"] for n in ("plaza", "depot", "dark"))
    assert (plaza.site, plaza.subdistrict, plaza.zones) == ("plaza", "dongfenglu", ["internet", "court"])
    assert (depot.subdistrict, depot.zones) == ("dongfenglu", ["public", "internet"])
    link = "kf-agg-dongfenglu--kf-acc-plaza"
    # site 32 (the last id) of subdistrict 1: shared slot 32 (internet /28 at 32 * 16 = 10.64.2.0, /30 at
    # 32 * 4 = 10.48.0.128); court takes dongfenglu's department slot 1 (no court site there)
    assert plaza.site_prefixes == {
        "internet": IPv4Network("10.64.2.0/28"),
        "court": IPv4Network("172.16.0.64/26"),
    }
    assert plaza.interfaces[1:] == [
        *_zone_ifaces(
            "GigabitEthernet0/0/1",
            "kf-agg-dongfenglu",
            "GigabitEthernet1/0/32",
            link,
            [("internet", 300, "INTERNET", "10.48.0.130/30"), ("court", 212, "COURT", "192.168.0.6/30")],
            9000,
        ),
        Interface("GigabitEthernet0/0/2", None, "", "", "", "site LAN trunk of plaza", 9000, False, False),
        Interface(
            "GigabitEthernet0/0/2.300",
            IPv4Interface("10.64.2.1/28"),
            "",
            "",
            "",
            "internet zone site LAN 10.64.2.0/28",
            9000,
            False,
            False,
            300,
            "INTERNET",
        ),
        Interface(
            "GigabitEthernet0/0/2.212",
            IPv4Interface("172.16.0.65/26"),
            "",
            "",
            "",
            "court zone site LAN 172.16.0.64/26",
            9000,
            False,
            False,
            212,
            "COURT",
        ),
    ]
    assert [i for i in network.devices["kf-agg-dongfenglu"].interfaces if i.link_id == link][
        1:
    ] == _zone_ifaces(
        "GigabitEthernet1/0/32",
        "kf-acc-plaza",
        "GigabitEthernet0/0/1",
        link,
        [("internet", 300, "INTERNET", "10.48.0.129/30"), ("court", 212, "COURT", "192.168.0.5/30")],
        9000,
    )
    assert network.devices["kf-agg-dongfenglu"].zones == ["public", "internet", "police", "ltax", "court"]
    assert dark.zones == [] and dark.site_prefixes == {}  # no zone: no attachment and no LAN trunk
    assert [i.name for i in dark.interfaces] == ["GigabitEthernet0/0/1"]


PRIVATE = "aic, court, ltax, ntax, police, procuratorate"
ZONES = "aic, court, internet, ltax, ntax, police, procuratorate, public"
WHERE = "INV/districts/kaifu.yaml:11: subdistricts[0]"


@pytest.mark.parametrize(
    ("departments", "extra", "errors"),
    [
        pytest.param(
            "[polic, internet, ltax]",
            "",
            [
                f"{WHERE}.departments[0]: unknown department 'polic' "
                "(fix: did you mean 'police'? use a private "
                f"zone: {PRIVATE})",
                f"{WHERE}.departments[1]: unknown department 'internet' (fix: use a private zone: {PRIVATE})",
            ],
            id="unknown-departments",
        ),
        pytest.param(
            "[police, ltax]",
            ", sites: [{id: 20, name: a, zones: [internt, nowhere]}, "
            "{id: 21, name: b, zones: [public]}, {id: 22, name: c, zones: [polce]}]",
            [
                f"{WHERE}.sites[0].zones[0]: unknown zone 'internt' "
                f"(fix: did you mean 'internet'? use one of: {ZONES})",
                f"{WHERE}.sites[0].zones[1]: unknown zone 'nowhere' (fix: use one of: {ZONES})",
                f"{WHERE}.sites[2].zones[0]: unknown zone 'polce' "
                f"(fix: did you mean 'police'? use one of: {ZONES})",
            ],
            id="unknown-site-zones",
        ),
        pytest.param(
            "[police, ltax]",
            ", sites: [{id: 3, name: dup}, {id: 25, name: dup2}, {id: 26, name: court}]",
            [
                f"{WHERE}.sites[0]: site id 3 in subdistrict dongfenglu is used by kf-acc-dongfenglu-c03 and "
                "kf-acc-dup (fix: give every access site of a subdistrict its own id)",
                f"{WHERE}.sites[1]: site id 25 in subdistrict dongfenglu is used by "
                "kf-acc-dongfenglu-police and "
                "kf-acc-dup2 (fix: give every access site of a subdistrict its own id)",
            ],
            id="duplicate-site-ids",
        ),
        pytest.param(
            "[police, ltax]",
            ", sites: [{id: 33, name: far}, {id: 40, name: farther}]",
            [
                f"{WHERE}.sites[0]: site id 33 of kf-acc-far is outside 1..32 (fix: use site ids 1..32)",
                f"{WHERE}.sites[1]: site id 40 of kf-acc-farther is outside 1..32 (fix: use site ids 1..32)",
            ],
            id="site-ids-out-of-range",
        ),
    ],
)
def test_site_plan_errors_name_the_key_of_each_bad_site(
    tmp_path: Path, departments: str, extra: str, errors: list[str]
) -> None:
    old, new = _sub_district(departments, extra)
    assert refused(edited(tmp_path, {DISTRICT: [(old, new)]})) == errors


def test_community_ids_outside_the_subdistrict_are_refused_and_the_last_one_is_kept(tmp_path: Path) -> None:
    old, new = _sub_district("[police, ltax]", "")
    new = new.replace('communities: "1-8"', 'communities: "0-2,31-33"')
    assert refused(edited(tmp_path, {DISTRICT: [(old, new)]})) == [
        f"{WHERE}.communities: site id 0 of kf-acc-dongfenglu-c00 is outside 1..32 (fix: use site ids 1..32)",
        f"{WHERE}.communities: site id 33 of kf-acc-dongfenglu-c33 is outside 1..32 "
        "(fix: use site ids 1..32)",
    ]


def test_a_zone_without_department_site_is_no_department(tmp_path: Path) -> None:
    inventory = edited(tmp_path, {"network.yaml": [("vlan: 216, department_site: 30,", "vlan: 216,")]})
    hint = "use a private zone: court, ltax, ntax, police, procuratorate"
    assert refused(inventory) == [
        f"INV/districts/kaifu.yaml:{line}: subdistricts[{i}].departments[0]: unknown department 'aic' "
        f"(fix: {hint})"
        for line, i in ((15, 4), (20, 9))
    ]


def test_a_site_homed_on_another_node_names_the_node_or_the_missing_parent(tmp_path: Path) -> None:
    old, new = _sub_district(
        "[police, ltax]",
        ", sites: [{id: 20, name: orphan, parent: nowhere}, {id: 21, name: stray, parent: tongtai}]",
    )
    fix = "(fix: attach it to its own subdistrict (dongfenglu))"
    assert refused(edited(tmp_path, {DISTRICT: [(old, new)]})) == [
        f"{WHERE}.sites[0].parent: access site kf-acc-orphan has no aggregation parent: 'nowhere' is not a "
        f"subdistrict {fix}",
        f"{WHERE}.sites[1].parent: access site kf-acc-stray of subdistrict dongfenglu is attached to another "
        f"subdistrict's node (tongtai) {fix}",
    ]


def test_the_site_lan_port_follows_the_platform_and_is_left_out_without_one(tmp_path: Path) -> None:
    lan = (
        "      lan: GigabitEthernet0/0/2         # trunk to the site switch: one dot1q "
        "subinterface per zone\n"
    )
    per_platform = edited(
        tmp_path / "a",
        {
            "roles.yaml": [
                (
                    lan,
                    lan + '    platform_ports:\n      huawei_vrp: {lan: Eth9, aggregation: "Eth0/{site}"}\n',
                )
            ]
        },
    )
    network = load_network(per_platform)
    c01 = network.devices["kf-acc-dongfenglu-c01"]
    assert [i.name for i in c01.interfaces] == [
        "Eth0/1",
        "Eth0/1.100",
        "Eth0/1.300",
        "Eth9",
        "Eth9.100",
        "Eth9.300",
    ]
    uplink = [i for i in network.devices["kf-agg-dongfenglu"].interfaces if i.peer == c01.name]
    assert [i.peer_interface for i in uplink] == ["Eth0/1", "Eth0/1.100", "Eth0/1.300"]
    other = edited(
        tmp_path / "b", {"roles.yaml": [(lan, lan + "    platform_ports:\n      frr: {lan: eth9}\n")]}
    )
    assert load_network(other).devices["kf-acc-dongfenglu-c01"].interfaces[3].name == "GigabitEthernet0/0/2"
    without = edited(tmp_path / "c", {"roles.yaml": [(lan, "")]})
    c01 = load_network(without).devices["kf-acc-dongfenglu-c01"]
    assert [i.name for i in c01.interfaces] == [
        "GigabitEthernet0/0/1",
        "GigabitEthernet0/0/1.100",
        "GigabitEthernet0/0/1.300",
    ]


@pytest.mark.parametrize(
    ("old", "new", "pool"),
    [
        ("site_pool: 10.64.0.0/11", "site_pool: 10.64.0.0/23", "site_pool (10.64.0.0/23) has no /28"),
        ("attach_pool: 10.48.0.0/12}", "attach_pool: 10.48.0.0/25}", "attach_pool (10.48.0.0/25) has no /30"),
    ],
)
def test_a_zone_pool_too_small_names_the_pool_and_the_site_that_needs_it(
    tmp_path: Path, old: str, new: str, pool: str
) -> None:
    # 32 slots (0..31) fit; dongfenglu's sites end at 29, qingshuitang's c01 is slot (2 - 1) * 32 + 1 = 33
    key = pool.split(" ", 1)[0]
    assert refused(edited(tmp_path, {"network.yaml": [(old, new)]})) == [
        f"INV/network.yaml:28: zones[1].{key}: pool zones.internet.{pool} at slot 33, needed by "
        f"kf-acc-qingshuitang-c01 zone internet (fix: enlarge pool zones.internet.{key} or lower the ids of "
        "kf-acc-qingshuitang-c01 zone internet)"
    ]
