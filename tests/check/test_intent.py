"""Intent rules: the exact device, inventory line and message of each finding (mutation tests).

Expected lines were read off ``inventory/districts/kaifu.yaml`` by eye: the cores are listed on
lines 7-8, the subdistrict dongfenglu on line 11, ips-1 and fw-1 on lines 27-28, the group
``firewall-pair`` on line 116.
"""

from __future__ import annotations

import dataclasses
from importlib import resources

import yaml
from spec_support import INVENTORY, check, district

from govnet.check import run_checks
from govnet.check.rules import RuleSet, parse_rules
from govnet.model import Device, Network

KAIFU = f"{INVENTORY / 'districts' / 'kaifu.yaml'}"
CHAIN = "(chain IPS -> firewall -> load balancer)"


def found(net: Network, rule: str) -> list[tuple[str, str, str]]:
    """(device, location, message) of every finding of one rule."""
    return [(f.device, str(f.location), f.message) for f in check(net, {}, [rule]).findings]


def _lone_district(net: Network) -> Device:
    """Add a district 'aa' holding one access switch declared in another file (line 3)."""
    acc = net.devices["kf-acc-dongfenglu-c01"]
    lone = dataclasses.replace(
        acc, name="aa-acc-1", district="aa", source="inventory/districts/aa.yaml:3", interfaces=[], vrfs=[]
    )
    net.devices[lone.name] = lone
    net.reindex()
    return lone


def test_gn_int_001_points_at_the_last_core_declared() -> None:
    net = district()
    extra = dataclasses.replace(
        net.devices["kf-core-2"], name="kf-core-3", interfaces=[], vrfs=[], source=f"{KAIFU}:9"
    )
    net.devices[extra.name] = extra
    assert found(net, "GN-INT-001") == [
        ("kf", f"{KAIFU}:9", "district kf has 3 core(s) (kf-core-1, kf-core-2, kf-core-3), needs exactly 2")
    ]


def test_gn_int_001_without_cores_points_at_the_district_file() -> None:
    net = district()
    for name in ("kf-core-1", "kf-core-2"):
        del net.devices[name]
    assert found(net, "GN-INT-001") == [
        ("kf", f"{KAIFU}:1", "district kf has 0 core(s) (none), needs exactly 2")
    ]


def test_gn_int_001_one_device_district_in_its_own_file() -> None:
    net = district()
    _lone_district(net)
    assert found(net, "GN-INT-001") == [
        ("aa", "inventory/districts/aa.yaml:1", "district aa has 0 core(s) (none), needs exactly 2")
    ]


def test_gn_int_004_every_district_is_checked_after_one_lacking_its_exit() -> None:
    net = district()
    _lone_district(net)  # 'aa' sorts first and has no exit at all
    fw = net.devices["kf-fw-1"]
    fw.interfaces = [i for i in fw.interfaces if not (i.segment and i.segment.name.endswith("fw-inside"))]
    net.reindex()
    assert found(net, "GN-INT-004") == [
        (
            "aa",
            "inventory/districts/aa.yaml:1",
            f"district aa internet exit lacks ips, firewall, load_balancer {CHAIN}",
        ),
        ("kf-fw-1", f"{KAIFU}:28", f"firewall kf-fw-1 has no link to an IPS {CHAIN}"),
    ]


def test_gn_int_004_missing_ips_named_at_the_district_file() -> None:
    net = district()
    del net.devices["kf-ips-1"]
    net.links = [lk for lk in net.links if "kf-ips-1" not in lk.ends]
    assert found(net, "GN-INT-004") == [("kf", f"{KAIFU}:1", f"district kf internet exit lacks ips {CHAIN}")]


def test_gn_int_004_ips_without_a_core_link() -> None:
    net = district()
    net.links = [lk for lk in net.links if lk.id not in ("kf-core-1--kf-ips-1", "kf-core-2--kf-ips-1")]
    net.reindex()
    assert found(net, "GN-INT-004") == [("kf-ips-1", f"{KAIFU}:27", "IPS kf-ips-1 has no link to a core")]


def test_gn_int_003_access_site_without_aggregation() -> None:
    net = district()
    net.links = [lk for lk in net.links if "kf-acc-dongfenglu-c01" not in lk.ends]
    net.reindex()
    assert found(net, "GN-INT-003") == [
        ("kf-acc-dongfenglu-c01", f"{KAIFU}:11", "access site kf-acc-dongfenglu-c01 has no aggregation node")
    ]


def test_gn_int_003_wrong_parent_blames_the_access_site() -> None:
    net = district()
    link = next(lk for lk in net.links if lk.id == "kf-agg-dongfenglu--kf-acc-dongfenglu-c01")
    net.links[net.links.index(link)] = dataclasses.replace(link, a="kf-agg-qingshuitang")
    net.reindex()
    assert found(net, "GN-INT-003") == [
        (
            "kf-acc-dongfenglu-c01",
            f"{KAIFU}:11",
            "access site kf-acc-dongfenglu-c01 of subdistrict dongfenglu is attached to "
            "kf-agg-qingshuitang of subdistrict qingshuitang",
        )
    ]


def test_gn_int_003_a_second_link_to_a_core_or_an_external_is_no_parent() -> None:
    net = district()
    link = next(lk for lk in net.links if lk.id == "kf-agg-dongfenglu--kf-acc-dongfenglu-c01")
    net.links += [
        dataclasses.replace(link, id="kf-core-1--kf-acc-dongfenglu-c01", a="kf-core-1"),
        dataclasses.replace(link, id="kf-isp-telecom--kf-acc-dongfenglu-c01", a="kf-isp-telecom"),
    ]
    net.reindex()
    assert found(net, "GN-INT-003") == []


def test_gn_int_005_blames_the_device_the_isp_is_on() -> None:
    net = district()
    link = next(lk for lk in net.links if lk.id == "kf-lb-1--kf-isp-unicom")
    net.links[net.links.index(link)] = dataclasses.replace(link, a="kf-fw-2")
    net.reindex()
    [(device, _, message)] = found(net, "GN-INT-005")
    assert (device, message) == (
        "kf-fw-2",
        "ISP kf-isp-unicom is connected to kf-fw-2 (firewall), bypassing the exit chain",
    )


def test_gn_int_006_names_every_expected_group_that_is_missing() -> None:
    net = district()
    net.groups = [g for g in net.groups if g.name.startswith("kf-uplinks-")]
    assert found(net, "GN-INT-006") == [
        ("kf", f"{KAIFU}:1", f"no redundancy group for the {what}")
        for what in (
            "core pair (kf-core-1, kf-core-2)",
            "firewall hot-standby pair (kf-fw-1, kf-fw-2)",
            "dual ISP (kf-lb-1--kf-isp-telecom, kf-lb-1--kf-isp-unicom)",
            "municipal/provincial upstream pair (kf-core-1--kf-municipal-extranet, "
            "kf-core-2--kf-provincial-extranet)",
            "data-centre hot-standby pair (kf-srv-1, kf-srv-2)",
        )
    ]


def test_gn_int_006_group_finding_points_at_the_groups_line() -> None:
    net = district()
    fw_pair = next(g for g in net.groups if g.name == "kf-firewall-pair")
    net.groups[net.groups.index(fw_pair)] = dataclasses.replace(fw_pair, members=("kf-fw-1",))
    assert found(net, "GN-INT-006") == [
        ("kf", f"{KAIFU}:116", "group kf-firewall-pair has 1 member(s), needs at least 2"),
        ("kf", f"{KAIFU}:1", "no redundancy group for the firewall hot-standby pair (kf-fw-1, kf-fw-2)"),
    ]


def test_gn_int_006_a_group_named_nowhere_in_the_file_points_at_line_1() -> None:
    net = district()
    fw_pair = next(g for g in net.groups if g.name == "kf-firewall-pair")
    net.groups[net.groups.index(fw_pair)] = dataclasses.replace(
        fw_pair, name="kf-fw-duo", members=("kf-fw-1",)
    )
    assert found(net, "GN-INT-006")[0] == (
        "kf",
        f"{KAIFU}:1",
        "group kf-fw-duo has 1 member(s), needs at least 2",
    )


NETWORK = f"{INVENTORY / 'network.yaml'}"  # zones: public on line 25, police 30, court 32 (read by eye)


def _spec_expecting(*kinds: str) -> RuleSet:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    [rule] = [r for r in data["rules"] if r["id"] == "GN-INT-006"]
    rule["params"]["expected"] = list(kinds)
    return parse_rules(yaml.safe_dump(data), "test-rules.yaml")


def test_gn_int_006_only_the_expected_kinds_are_required() -> None:
    net = district()
    net.groups = [g for g in net.groups if g.name not in ("kf-core-pair", "kf-firewall-pair", "kf-dc-pair")]
    report = run_checks(net, {}, ["GN-INT-006"], spec=_spec_expecting("uplinks", "firewall-pair"))
    assert [f.message for f in report.findings] == [
        "no redundancy group for the firewall hot-standby pair (kf-fw-1, kf-fw-2)"
    ]


def test_gn_int_006_a_larger_group_covers_the_pair() -> None:
    net = district()
    fw_pair = next(g for g in net.groups if g.name == "kf-firewall-pair")
    net.groups[net.groups.index(fw_pair)] = dataclasses.replace(
        fw_pair, members=("kf-fw-1", "kf-fw-2", "kf-srv-1")
    )
    assert found(net, "GN-INT-006") == []


def test_gn_int_006_member_that_does_not_exist_points_at_the_group() -> None:
    net = district()
    fw_pair = next(g for g in net.groups if g.name == "kf-firewall-pair")
    net.groups[net.groups.index(fw_pair)] = dataclasses.replace(
        fw_pair, members=("kf-fw-1", "kf-fw-2", "kf-fw-9")
    )
    assert found(net, "GN-INT-006") == [
        ("kf", f"{KAIFU}:116", "group kf-firewall-pair: member kf-fw-9 does not exist")
    ]


def test_gn_int_007_exact_findings() -> None:
    net = district()
    police = net.zones["police"]
    net.zones["court"] = dataclasses.replace(net.zones["court"], route_target=police.route_target)
    vrf = next(v for v in net.devices["kf-agg-dongfenglu"].vrfs if v.zone == "public")
    vrf.rt_export = ("65010:2", "65010:1", "65010:99")
    court_vrfs = [v for d in net.devices.values() for v in d.vrfs if v.zone == "court"]
    for v in court_vrfs:
        v.rt_export = (police.route_target,)
    assert found(net, "GN-INT-007") == [
        ("court", f"{NETWORK}:32", "zones police and court share route target 65010:11"),
        (
            "kf-agg-dongfenglu",
            f"{KAIFU}:11",
            "VRF PUBLIC on kf-agg-dongfenglu exports 65010:2, 65010:99, not zone public's target",
        ),
    ]


def test_gn_int_008_zone_import_of_shared_and_unknown_targets() -> None:
    net = district()
    net.zones["court"] = dataclasses.replace(net.zones["court"], route_target="65010:11")  # police's too
    net.zones["public"] = dataclasses.replace(
        net.zones["public"], imports=("65010:1", "65010:11", "65010:77")
    )
    rules = found(net, "GN-INT-008")
    assert rules[0] == (
        "public",
        f"{NETWORK}:25",
        "zone public imports 65010:11 (court, police), 65010:77 (unknown zone) without a route exception",
    )
    assert all(device != "kf-core-1" or "VRF PUBLIC" not in message for device, _, message in rules)


def test_gn_int_008_a_vrf_leaking_exactly_as_its_zone_is_reported_once() -> None:
    net = district()
    net.zones["public"] = dataclasses.replace(net.zones["public"], imports=("65010:1", "65010:2"))
    assert found(net, "GN-INT-008") == [
        ("public", f"{NETWORK}:25", "zone public imports 65010:2 (internet) without a route exception")
    ]


def test_gn_int_008_an_exception_for_one_owner_of_a_shared_target_allows_it() -> None:
    net = district()
    net.zones["court"] = dataclasses.replace(net.zones["court"], route_target="65010:11")
    net.zones["public"] = dataclasses.replace(net.zones["public"], imports=("65010:1", "65010:11"))
    net.route_exceptions = [("shared-services", "public", "police")]
    assert [r for r in found(net, "GN-INT-008") if r[0] == "public"] == []


def _swap(net: Network, link_id: str) -> None:
    """Write a link the other way round (b first): no check may depend on the order."""
    link = next(lk for lk in net.links if lk.id == link_id)
    net.links[net.links.index(link)] = dataclasses.replace(
        link,
        a=link.b,
        a_interface=link.b_interface,
        a_ip=link.b_ip,
        b=link.a,
        b_interface=link.a_interface,
        b_ip=link.a_ip,
    )
    net.reindex()


def test_links_written_either_way_round_pass() -> None:
    net = district()
    for link_id in (
        "kf-core-1--kf-agg-dongfenglu",
        "kf-core-2--kf-agg-dongfenglu",
        "kf-agg-dongfenglu--kf-acc-dongfenglu-c01",
        "kf-core-2--kf-ips-1",
    ):
        _swap(net, link_id)
    for rule in ("GN-INT-002", "GN-INT-003", "GN-INT-010"):
        assert found(net, rule) == [], rule


def test_gn_int_002_exact_finding() -> None:
    net = district()
    link = next(lk for lk in net.links if lk.id == "kf-core-2--kf-agg-dongfenglu")
    net.links[net.links.index(link)] = dataclasses.replace(link, a="kf-core-1")
    net.reindex()
    assert found(net, "GN-INT-002") == [
        (
            "kf-agg-dongfenglu",
            f"{KAIFU}:11",
            "aggregation node kf-agg-dongfenglu has uplinks to 1 distinct core(s) (kf-core-1), needs two",
        )
    ]
    net.links = [lk for lk in net.links if lk.id != "kf-core-1--kf-agg-dongfenglu" and lk is not link]
    net.links = [lk for lk in net.links if not (lk.a == "kf-core-1" and lk.b == "kf-agg-dongfenglu")]
    net.reindex()
    assert found(net, "GN-INT-002") == [
        (
            "kf-agg-dongfenglu",
            f"{KAIFU}:11",
            "aggregation node kf-agg-dongfenglu has uplinks to 0 distinct core(s) (none), needs two",
        )
    ]


def test_gn_int_009_exact_findings() -> None:
    net = district()
    link = next(lk for lk in net.links if lk.id == "kf-isogw-1--kf-office-intranet")
    net.links[net.links.index(link)] = dataclasses.replace(link, a="kf-core-1")
    net.links.append(dataclasses.replace(link, id="kf-isp-telecom--kf-office-intranet", a="kf-isp-telecom"))
    net.reindex()
    assert found(net, "GN-INT-009") == [
        (
            "kf-core-1",
            f"{KAIFU}:55",
            "intranet kf-office-intranet is linked to kf-core-1 (core), not through the isolation gateway",
        ),
        (
            "kf-isp-telecom",
            f"{KAIFU}:55",
            "intranet kf-office-intranet is linked to kf-isp-telecom (external), "
            "not through the isolation gateway",
        ),
    ]


def test_gn_int_010_exact_findings_after_a_link_without_an_interface() -> None:
    net = district()
    core1, core2 = net.devices["kf-core-1"], net.devices["kf-core-2"]
    stray = next(lk for lk in net.links if lk.id == "kf-core-1--kf-municipal-extranet")
    net.links.insert(
        0,
        dataclasses.replace(
            stray, id="kf-core-2--kf-stray", a="kf-core-2", a_interface="XGigabitEthernet9/9/9"
        ),
    )
    _swap(net, "kf-core-2--kf-ips-1")
    core2.interface("XGigabitEthernet1/0/2").vrf = None
    core1.interface("XGigabitEthernet1/0/2").vrf = "PUBLIC"
    core1.interface("XGigabitEthernet1/0/3").vrf = "INTERNET"
    net.reindex()
    assert found(net, "GN-INT-010") == [
        (
            "kf-core-1",
            f"{KAIFU}:47",
            "XGigabitEthernet1/0/2 toward the IPS kf-ips-1 is in PUBLIC, not the internet VPN",
        ),
        (
            "kf-core-1",
            f"{KAIFU}:52",
            "XGigabitEthernet1/0/3 toward kf-municipal-extranet in internet VPN INTERNET: "
            "exit only via the IPS",
        ),
        (
            "kf-core-2",
            f"{KAIFU}:48",
            "XGigabitEthernet1/0/2 toward the IPS kf-ips-1 is in the global table, not the internet VPN",
        ),
    ]


def test_gn_int_006_an_aggregation_node_without_its_uplink_group() -> None:
    net = district()
    net.groups = [g for g in net.groups if g.name != "kf-uplinks-dongfenglu"]
    assert found(net, "GN-INT-006") == [
        (
            "kf",
            f"{KAIFU}:1",
            "no redundancy group for the kf-agg-dongfenglu dual uplinks "
            "(kf-core-1--kf-agg-dongfenglu, kf-core-2--kf-agg-dongfenglu)",
        )
    ]


def test_gn_int_008_vrfs_importing_exactly_their_zones_leak_are_not_reported_again() -> None:
    net = district()
    net.zones["public"] = dataclasses.replace(net.zones["public"], imports=("65010:1", "65010:2"))
    for dev in net.devices.values():
        for vrf in dev.vrfs:
            if vrf.zone == "public":
                vrf.rt_import = ("65010:1", "65010:2")
    assert found(net, "GN-INT-008") == [
        ("public", f"{NETWORK}:25", "zone public imports 65010:2 (internet) without a route exception")
    ]


def test_gn_int_008_vrf_findings_exact() -> None:
    net = district()
    c01, c02 = net.devices["kf-acc-dongfenglu-c01"], net.devices["kf-acc-dongfenglu-c02"]
    public = next(v for v in c02.vrfs if v.zone == "public")
    public.rt_import = ("65010:1", "65010:11", "65010:2")  # the zone public imports only 65010:1
    c01.vrfs.append(dataclasses.replace(public, name="GHOST", zone="ghost", rt_import=("65010:1",)))
    assert found(net, "GN-INT-008") == [
        (
            "kf-acc-dongfenglu-c01",
            f"{KAIFU}:11",
            "VRF GHOST on kf-acc-dongfenglu-c01 imports 65010:1 (public) without a route exception",
        ),
        (
            "kf-acc-dongfenglu-c02",
            f"{KAIFU}:11",
            "VRF PUBLIC on kf-acc-dongfenglu-c02 imports 65010:11 (police), 65010:2 (internet) "
            "without a route exception",
        ),
    ]
