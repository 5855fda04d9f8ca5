"""Intent rules on the model: each broken network triggers exactly its rule; the district is clean."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from conftest import Edit
from spec_support import INTENT_RULES, check, district, edit, failing, rendered, replace_in

from govnet.model import Device, Link, Network, RedundancyGroup, Zone


def intent(network: Network) -> set[str]:
    return failing(check(network, {}, INTENT_RULES))


def test_shipped_district_meets_every_intent_rule() -> None:
    report = check(district(), {}, INTENT_RULES)
    assert report.findings == []
    assert {r.status for r in report.results} == {"pass"}


def test_gn_int_001_three_cores() -> None:
    net = district()
    core = net.devices["kf-core-2"]
    net.devices["kf-core-3"] = dataclasses.replace(core, name="kf-core-3", interfaces=[], vrfs=[])
    replace_in(
        net.groups, lambda g: g.name == "kf-core-pair", members=("kf-core-1", "kf-core-2", "kf-core-3")
    )
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-001"}
    [finding] = report.findings
    assert "3 core(s)" in finding.message and finding.location.line >= 1


def test_gn_int_002_both_uplinks_to_one_core() -> None:
    net = district()
    replace_in(net.links, lambda lk: lk.id == "kf-core-2--kf-agg-dongfenglu", a="kf-core-1")
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-002"}
    assert report.findings[0].device == "kf-agg-dongfenglu"
    assert report.findings[0].location.path.endswith("kaifu.yaml")


def test_gn_int_003_access_site_on_another_subdistrict() -> None:
    net = district()
    link_id = "kf-agg-dongfenglu--kf-acc-dongfenglu-c01"
    replace_in(net.links, lambda lk: lk.id == link_id, a="kf-agg-qingshuitang")
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-003"}
    assert "kf-agg-qingshuitang of subdistrict qingshuitang" in report.findings[0].message


def test_gn_int_004_firewall_not_linked_to_load_balancer() -> None:
    net = district()  # the firewall pair reaches the load balancer over the fw-outside segment
    fw = net.devices["kf-fw-1"]
    fw.interfaces = [i for i in fw.interfaces if not (i.segment and i.segment.name.endswith("fw-outside"))]
    net.reindex()
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-004"}
    assert "kf-fw-1 has no link to a load balancer" in report.findings[0].message


def test_gn_int_004_no_ips() -> None:
    net = district()
    del net.devices["kf-ips-1"]
    net.links = [lk for lk in net.links if "kf-ips-1" not in lk.ends]
    assert intent(net) == {"GN-INT-004"}


def test_gn_int_005_isp_on_a_firewall() -> None:
    net = district()
    replace_in(net.links, lambda lk: lk.id == "kf-lb-1--kf-isp-unicom", a="kf-fw-2")
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-005"}
    assert "bypassing the exit chain" in report.findings[0].message


def test_gn_int_006_firewall_pair_with_one_member() -> None:
    net = district()
    replace_in(net.groups, lambda g: g.name == "kf-firewall-pair", members=("kf-fw-1",))
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-006"}
    messages = " ".join(f.message for f in report.findings)
    assert "1 member(s)" in messages and "firewall hot-standby pair" in messages


def test_gn_int_006_missing_dc_pair_group() -> None:
    net = district()
    net.groups = [g for g in net.groups if g.name != "kf-dc-pair"]
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-006"}
    assert "data-centre hot-standby pair" in report.findings[0].message


def test_gn_int_006_member_that_does_not_exist() -> None:
    net = district()
    net.groups.append(RedundancyGroup("kf-extra", "links", ("kf-core-1--kf-nowhere", "kf-core-1--kf-core-2")))
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-006"}
    assert "member kf-core-1--kf-nowhere does not exist" in report.findings[0].message


def _set_zone(net: Network, name: str, **changes: object) -> None:
    net.zones[name] = dataclasses.replace(net.zones[name], **changes)  # type: ignore[arg-type]


def test_gn_int_007_two_zones_share_a_route_target() -> None:
    net = district()
    rt = net.zones["police"].route_target
    _set_zone(net, "court", route_target=rt, imports=(rt,))
    for dev in net.devices.values():
        for vrf in dev.vrfs:
            if vrf.zone == "court":
                vrf.rt_export, vrf.rt_import = (rt,), (rt,)
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-007"}
    assert "zones police and court share route target" in report.findings[0].message
    assert report.findings[0].location.path.endswith("network.yaml") and report.findings[0].location.line > 1


def test_gn_int_007_vrf_exports_another_zones_target() -> None:
    net = district()
    dev: Device = net.devices["kf-agg-dongfenglu"]
    vrf = next(v for v in dev.vrfs if v.zone == "police")
    vrf.rt_export = (net.zones["public"].route_target,)
    assert intent(net) == {"GN-INT-007"}


def test_gn_int_008_zone_imports_another_zone_without_exception() -> None:
    net = district()
    public, internet = net.zones["public"], net.zones["internet"]
    _set_zone(net, "public", imports=(*public.imports, internet.route_target))
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-008"}
    assert "zone public imports 65010:2 (internet)" in report.findings[0].message


def test_gn_int_008_named_exception_allows_the_import() -> None:
    net = district()
    public, internet = net.zones["public"], net.zones["internet"]
    _set_zone(net, "public", imports=(*public.imports, internet.route_target))
    net.route_exceptions = [("shared-services", "public", "internet")]
    assert intent(net) == set()


def test_gn_int_008_vrf_leaks_on_one_device() -> None:
    net = district()
    vrf = next(v for v in net.devices["kf-core-1"].vrfs if v.zone == "court")
    vrf.rt_import = (*vrf.rt_import, net.zones["police"].route_target)
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-008"}
    assert report.findings[0].device == "kf-core-1"


def test_gn_int_009_intranet_linked_to_a_core() -> None:
    net = district()
    replace_in(net.links, lambda lk: lk.id == "kf-isogw-1--kf-office-intranet", a="kf-core-1")
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-009"}
    assert "not through the isolation gateway" in report.findings[0].message


def test_intent_findings_point_at_the_inventory() -> None:
    net = district()
    replace_in(net.links, lambda lk: lk.id == "kf-core-2--kf-agg-dongfenglu", a="kf-core-1")
    [finding] = check(net, {}, ["GN-INT-002"]).findings
    assert finding.location == type(finding.location).parse(net.devices["kf-agg-dongfenglu"].source)


def test_types_used_are_the_models() -> None:
    assert isinstance(district().links[0], Link) and isinstance(district().zones["public"], Zone)


def test_gn_int_010_internet_vpn_bound_to_an_upstream_link() -> None:
    net = district()
    net.devices["kf-core-1"].interface("XGigabitEthernet1/0/3").vrf = "INTERNET"  # municipal extranet
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-010"}
    [finding] = report.findings
    assert finding.device == "kf-core-1" and "kf-municipal-extranet" in finding.message
    assert finding.location.path.endswith("kaifu.yaml") and finding.location.line > 1


def test_gn_int_010_ips_link_left_in_the_global_table() -> None:
    net = district()
    net.devices["kf-core-2"].interface("XGigabitEthernet1/0/2").vrf = None  # toward kf-ips-1
    report = check(net, {}, INTENT_RULES)
    assert failing(report) == {"GN-INT-010"}
    assert "not the internet VPN" in report.findings[0].message


def test_gn_int_011_two_way_isolation_flow(inventory_copy: Path, edit: Edit) -> None:
    """The rule is wired into the spec: the full check run fails GN-INT-011 and nothing else."""
    from govnet.check import intended_from_rendered, run_checks
    from govnet.credentials import Credentials
    from govnet.inventory import load_network
    from govnet.render import render_network

    clean = load_network(inventory_copy)
    configs = intended_from_rendered(render_network(clean, credentials=Credentials()))
    assert "GN-INT-011" not in run_checks(clean, configs).failed_rule_ids
    edit(
        "districts/kaifu.yaml",
        "service: mail-relay,\n     protocol: tcp, port: 25",
        "service: file-ferry,\n     protocol: tcp, port: 21",
    )
    broken = load_network(inventory_copy)
    assert run_checks(broken, configs).failed_rule_ids == {"GN-INT-011"}


def test_edge_rules_pass_on_the_rendered_district() -> None:
    report = check(configs=rendered(), rules=["GN-INT-012", "GN-INT-013", "GN-INT-014"])
    assert report.findings == []
    assert {r.status for r in report.results} == {"pass"}


def test_gn_int_012_firewall_pair_policy_differs() -> None:
    configs = rendered()
    edit(configs, "kf-fw-2", " rule name firewall-to-noc-services", " rule name firewall-to-noc-other")
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-012"}
    [finding] = report.findings
    assert finding.device == "kf-fw-2"
    assert (
        "rule firewall-to-noc-other differs from kf-fw-1's rule firewall-to-noc-services" in finding.message
    )


def test_gn_int_013_both_firewalls_active() -> None:
    configs = rendered()
    edit(
        configs,
        "kf-fw-2",
        "vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 standby",
        "vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 active",
    )
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-013"}
    [finding] = report.findings
    assert "kf-fw-outside: VRRP group 2 has 2 active members" in finding.message


def test_gn_int_013_virtual_address_differs() -> None:
    configs = rendered()
    edit(configs, "kf-fw-1", "vrrp vrid 1 virtual-ip 10.8.15.1 ", "vrrp vrid 1 virtual-ip 10.8.15.5 ")
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-013"}
    [finding] = report.findings
    assert (
        finding.device == "kf-fw-1"
        and "virtual address 10.8.15.5, the model's is 10.8.15.1" in finding.message
    )


def test_gn_int_014_vpn_pool_outside_every_zone() -> None:
    configs = rendered()
    edit(
        configs,
        "kf-vpn-1",
        "sslvpn ip address-pool public-users 10.255.255.2 10.255.255.254",
        "sslvpn ip address-pool public-users 192.0.2.1 192.0.2.254",
    )
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-014"}
    [finding] = report.findings
    assert finding.device == "kf-vpn-1" and "lies in no zone's site pool" in finding.message


def test_gn_int_014_vpn_users_without_a_link_into_their_zone(inventory_copy: Path, edit: Edit) -> None:
    """A district whose VPN gateway has users in the public zone but no leg into it: the whole
    check run fails GN-INT-014 alone (its configs rendered from that district, so nothing else
    disagrees), and the gateway's policy passes its users nowhere."""
    from govnet.check import intended_from_rendered, run_checks
    from govnet.credentials import Credentials
    from govnet.inventory import load_network
    from govnet.render import render_network

    edit(
        "districts/kaifu.yaml",
        "  - {id: 18, a: core-2, a_interface: XGigabitEthernet1/0/4, b: vpn-1,",
        "  # ",
    )
    broken = load_network(inventory_copy)
    configs = intended_from_rendered(render_network(broken, credentials=Credentials()))
    report = run_checks(broken, configs)
    assert report.failed_rule_ids == {"GN-INT-014"}
    [finding] = report.findings
    assert finding.device == "kf-vpn-1" and finding.config_location is not None
    assert "user pool public-users lies in zone public, but kf-vpn-1 has no link into zone public" in (
        finding.message
    )
    text = configs["kf-vpn-1"].text
    assert "source-zone VPN-public" not in text and "Trust-public" not in text


def test_gn_int_015_secpath_port_in_no_zone() -> None:
    configs = rendered()
    edit(configs, "kf-lb-1", " import interface GigabitEthernet1/0/4\n", "")
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-015"}
    [finding] = report.findings
    assert finding.device == "kf-lb-1"
    assert "interface GigabitEthernet1/0/4 has an address but is in no security zone" in finding.message


def test_gn_int_016_secpath_pass_any_to_any() -> None:
    configs = rendered()
    edit(configs, "kf-lb-1", "  source-ip-subnet 10.64.0.0 255.224.0.0\n", "")
    report = check(configs=configs)
    assert failing(report) == {"GN-INT-016"}
    [finding] = report.findings
    assert finding.device == "kf-lb-1"
    assert "policy rule internet-zone-to-internet passes any source to any destination" in finding.message
