"""Cross-device rules: the exact device, config line and message of each finding (mutation tests)."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from spec_support import check, district, edit, edit_block, port, rendered

from govnet.check import CheckReport, Finding, IntendedConfig, run_checks
from govnet.check.rules import RuleSet, parse_rules
from govnet.model import Network

CORE, AGG, ACC = "kf-core-1", "kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"


def _line(report: CheckReport, configs: dict[str, IntendedConfig]) -> str:
    [finding] = report.findings
    location = finding.config_location or finding.location
    text = configs[finding.device].text
    return text.splitlines()[location.line - 1]


@pytest.mark.parametrize(("device", "lacking"), [(CORE, CORE), (AGG, AGG)])
def test_gn_x_203_points_at_the_end_without_ospf(device: str, lacking: str) -> None:
    configs = rendered()
    edit(configs, device, "  network 10.8.0.36 0.0.0.3\n", "")
    report = check(configs=configs, rules=["GN-X-203"])
    [finding] = report.findings
    assert finding.device == lacking
    location = finding.config_location or finding.location
    assert location.line == 1, "the end without OSPF has no line to point at: its config's first"
    a_side = "no OSPF" if lacking == CORE else "OSPF area 0"
    b_side = "OSPF area 0" if lacking == CORE else "no OSPF"
    assert finding.message == f"kf-core-1--kf-agg-dongfenglu: {a_side} on {CORE} but {b_side} on {AGG}"


def test_gn_x_202_points_at_the_far_ends_mtu_line() -> None:
    configs = rendered()
    edit_block(configs, AGG, f"interface {port(AGG, ACC)}", " mtu 1500", " mtu 9000")
    report = check(configs=configs, rules=["GN-X-202"])
    [finding] = report.findings
    assert finding.device == ACC and _line(report, configs) == " mtu 1500"
    assert finding.message == (
        f"{AGG}--{ACC}: MTU 9000 on {AGG} {port(AGG, ACC)} but 1500 on {ACC} {port(ACC, AGG)}"
    )


def test_gn_x_201_points_at_the_address_line() -> None:
    configs = rendered()
    edit_block(configs, ACC, f"interface {port(ACC, AGG)}", "ip address 10.8.2.6 ", "ip address 10.8.3.6 ")
    report = check(configs=configs, rules=["GN-X-201"])
    assert _line(report, configs).startswith(" ip address 10.8.3.6 ")


@pytest.mark.parametrize("ldp_at_a", [True, False])
def test_gn_x_205_on_a_link_listed_after_zone_attachments(ldp_at_a: bool) -> None:
    network = district()
    first = next(i for i, link in enumerate(network.links) if link.attachments)
    link = next(
        lk for lk in network.links[first + 1 :] if lk.a.startswith("kf-agg-") and lk.b.startswith("kf-acc-")
    )
    on, on_if, off, off_if = (link.a, link.a_interface, link.b, link.b_interface)
    if not ldp_at_a:
        on, on_if, off, off_if = off, off_if, on, on_if
    configs = rendered()
    edit_block(configs, on, f"interface {on_if}", " mtu 1500\n", " mtu 1500\n mpls\n mpls ldp\n")
    report = check(configs=configs, rules=["GN-X-205"])
    [finding] = report.findings
    assert finding.device == off
    assert finding.message == f"{link.id}: LDP on {on} {on_if} but not on {off} {off_if}"
    assert _line(report, configs) == f"interface {off_if}"


# -- GN-X-204 on two small hand-written configs (only kf-core-1 and kf-agg-dongfenglu configured) --


def _bgp(loopback: str, peer: str) -> str:
    return (
        f"#\ninterface LoopBack0\n ip address {loopback} 255.255.255.255\n#\nbgp 65010\n"  # bgp: line 5
        f" peer {peer} as-number 65010\n peer {peer} connect-interface LoopBack0\n"  # peer: line 6
        f" #\n ipv4-family vpnv4\n  peer {peer} enable\n#\n"
    )


CORE_BGP, AGG_BGP = _bgp("10.0.0.9", "10.0.0.65"), _bgp("10.0.0.65", "10.0.0.9")


def _sessions(core: str, agg: str, agg_platform: str = "huawei_vrp") -> list[tuple[str, int, str]]:
    configs = {
        CORE: IntendedConfig(CORE, "huawei_vrpv8", core, f"hand/{CORE}.cfg"),
        AGG: IntendedConfig(AGG, agg_platform, agg, f"hand/{AGG}.cfg"),
    }
    report = check(district(), configs, ["GN-X-204"])
    return [(f.device, (f.config_location or f.location).line, f.message) for f in report.findings]


def test_gn_x_204_both_halves_configured_pass() -> None:
    assert _sessions(CORE_BGP, AGG_BGP) == []


def test_gn_x_204_a_loopback_missing_from_the_config_falls_back_to_the_models() -> None:
    core = CORE_BGP.replace("interface LoopBack0\n ip address 10.0.0.9 255.255.255.255\n", "")
    assert _sessions(core, AGG_BGP) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        (AGG_BGP, "#\nsysname x\n", 1, "no BGP instance on kf-agg-dongfenglu"),
        (
            " as-number 65010",
            " as-number 65011",
            6,
            "peer 10.0.0.9 as-number 65011 but kf-core-1 runs AS 65010",
        ),
        ("  peer 10.0.0.9 enable\n", "", 6, "peer 10.0.0.9 not enabled for VPNv4"),
        (
            " peer 10.0.0.9 connect-interface LoopBack0\n",
            "",
            6,
            "peer 10.0.0.9 not sourced from the loopback",
        ),
        ("10.0.0.9", "10.0.0.8", 5, "kf-agg-dongfenglu has no peer 10.0.0.9 (kf-core-1's loopback)"),
    ],
)
def test_gn_x_204_one_finding_at_the_agg_half(old: str, new: str, line: int, problem: str) -> None:
    assert _sessions(CORE_BGP, AGG_BGP.replace(old, new)) == [(AGG, line, f"session with {CORE}: {problem}")]


def test_gn_x_204_the_peer_address_is_the_loopback_the_far_config_has() -> None:
    core = CORE_BGP.replace("ip address 10.0.0.9 ", "ip address 10.0.0.99 ")
    assert _sessions(core, AGG_BGP) == [
        (AGG, 5, f"session with {CORE}: {AGG} has no peer 10.0.0.99 ({CORE}'s loopback)")
    ]


def test_gn_x_204_as_mismatch_blames_the_half_with_the_wrong_peer_as() -> None:
    assert _sessions(CORE_BGP.replace("bgp 65010", "bgp 65011"), AGG_BGP) == [
        (AGG, 6, f"session with {CORE}: peer 10.0.0.9 as-number 65010 but {CORE} runs AS 65011")
    ]
    assert _sessions(CORE_BGP.replace(" as-number 65010", " as-number 1"), AGG_BGP) == [
        (CORE, 6, f"session with {AGG}: peer 10.0.0.65 as-number 1 but {AGG} runs AS 65010")
    ]


def test_gn_x_204_no_bgp_instance_on_the_core_half() -> None:
    assert _sessions("#\nsysname x\n", AGG_BGP) == [
        (CORE, 1, f"session with {AGG}: no BGP instance on {CORE}")
    ]


# -- GN-X-203 on hand-written configs of one aggregation node and two access sites --------------
# (kf-agg-dongfenglu's links to c01 and c02, each with zone attachments .100/.300)

C01, C02 = "kf-acc-dongfenglu-c01", "kf-acc-dongfenglu-c02"


def _routed(ifname: str, address: str, ospf: str = "") -> str:
    sub = "".join(f"interface {ifname}.{vlan}\n dot1q termination vid {vlan}\n#\n" for vlan in (100, 300))
    return f"#\ninterface {ifname}\n ip address {address} 255.255.255.252\n#\n{sub}{ospf}"


def _ospf(*networks: tuple[str, str]) -> str:
    areas = "".join(f" area 0.0.0.{area}\n  network {net} 0.0.0.3\n" for net, area in networks)
    return f"ospf 1\n{areas}#\n"


def _areas(agg: str, c01: str, c02: str) -> list[tuple[str, int, str]]:
    configs = {
        name: IntendedConfig(name, "huawei_vrp", text, f"hand/{name}.cfg")
        for name, text in ((AGG, agg), (C01, c01), (C02, c02))
    }
    report = check(district(), configs, ["GN-X-203"])
    return [(f.device, (f.config_location or f.location).line, f.message) for f in report.findings]


AGG_IFS = _routed("GigabitEthernet1/0/1", "10.8.2.5") + _routed("GigabitEthernet1/0/2", "10.8.2.9")[2:]
C01_IF, C02_IF = _routed("GigabitEthernet0/0/1", "10.8.2.6"), _routed("GigabitEthernet0/0/1", "10.8.2.10")
LINK2 = "kf-agg-dongfenglu--kf-acc-dongfenglu-c02"


def test_gn_x_203_links_without_ospf_at_either_end_pass() -> None:
    assert _areas(AGG_IFS, C01_IF, C02_IF) == []


def test_gn_x_203_a_link_after_another_links_zone_attachments_is_checked() -> None:
    agg = AGG_IFS + _ospf(("10.8.2.8", "0"))  # the c02 link, listed after c01's .100/.300
    assert _areas(agg, C01_IF, C02_IF) == [(C02, 1, f"{LINK2}: OSPF area 0 on {AGG} but no OSPF on {C02}")]


def test_gn_x_203_two_areas_point_at_the_b_end() -> None:
    agg = AGG_IFS + _ospf(("10.8.2.8", "0"))
    c02 = C02_IF + _ospf(("10.8.2.8", "1"))  # network line: 13
    assert _areas(agg, C01_IF, c02) == [(C02, 13, f"{LINK2}: OSPF area 0 on {AGG} but OSPF area 1 on {C02}")]


def test_gn_x_203_only_the_b_end_with_ospf_points_at_the_a_end() -> None:
    c02 = C02_IF + _ospf(("10.8.2.8", "0"))
    assert _areas(AGG_IFS, C01_IF, c02) == [(AGG, 1, f"{LINK2}: no OSPF on {AGG} but OSPF area 0 on {C02}")]


# -- which links are checked: scope from the spec, order of links and devices --------------------


def _spec_with(rule_id: str, **fields: object) -> RuleSet:
    """The shipped spec with one rule's fields replaced (a site's own narrower spec)."""
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    [rule] = [r for r in data["rules"] if r["id"] == rule_id]
    rule.update(fields)
    return parse_rules(yaml.safe_dump(data), "test-rules.yaml")


def _c01_in_another_subnet() -> dict[str, IntendedConfig]:
    configs = rendered()
    edit_block(configs, ACC, f"interface {port(ACC, AGG)}", "ip address 10.8.2.6 ", "ip address 10.8.3.6 ")
    return configs


SUBNETS = (
    f"{AGG}--{ACC}: {AGG} GigabitEthernet1/0/1 is 10.8.2.5/30 but "
    f"{ACC} GigabitEthernet0/0/1 is 10.8.3.6/30 (different subnets)"
)


def test_gn_x_201_exact_finding_with_the_shipped_scope() -> None:
    report = run_checks(district(), _c01_in_another_subnet(), ["GN-X-201"], spec=_spec_with("GN-X-201"))
    assert [(f.device, f.message) for f in report.findings] == [(ACC, SUBNETS)]


@pytest.mark.parametrize(
    "scope",
    [
        {"roles": ["core", "aggregation"]},  # the access end is out of scope
        {"platforms": ["huawei_vrpv8", "h3c_comware"]},  # neither end's platform (both huawei_vrp)
        {"not_applicable": {"huawei_vrp": "checked by hand at this site"}},
    ],
)
def test_links_with_an_end_out_of_the_rules_scope_are_not_checked(scope: dict[str, object]) -> None:
    report = run_checks(
        district(), _c01_in_another_subnet(), ["GN-X-201"], spec=_spec_with("GN-X-201", **scope)
    )
    assert report.findings == []


def test_a_link_listed_after_the_external_links_is_checked() -> None:
    network = district()
    network.links.sort(key=lambda link: not link.external)  # externals first: order must not matter
    network.reindex()
    report = check(network, _c01_in_another_subnet(), ["GN-X-201"])
    assert [(f.device, f.message) for f in report.findings] == [(ACC, SUBNETS)]


def test_gn_x_201_every_link_is_checked_after_an_end_without_address() -> None:
    configs = _c01_in_another_subnet()
    c02 = "kf-acc-dongfenglu-c02"
    edit_block(configs, c02, f"interface {port(c02, AGG)}", " ip address 10.8.2.10 255.255.255.252\n", "")
    report = check(configs=configs, rules=["GN-X-201"])
    assert [(f.device, f.message) for f in report.findings] == [
        (ACC, SUBNETS),
        (c02, f"{AGG}--{c02}: GigabitEthernet0/0/1 has no IPv4 address"),
    ]


def test_gn_x_201_zone_attachment_exact_findings() -> None:
    configs = rendered()
    edit_block(
        configs, AGG, "interface GigabitEthernet1/0/1.100", " ip address 10.32.0.5 255.255.255.252\n", ""
    )
    edit_block(configs, ACC, "interface GigabitEthernet0/0/1.300", "ip address 10.", "ip address 11.")
    report = check(configs=configs, rules=["GN-X-201"])
    [subnets, missing] = report.findings
    assert (subnets.device, subnets.message) == (
        ACC,
        f"{AGG}--{ACC} zone internet: {AGG} GigabitEthernet1/0/1.300 is 10.48.0.5/30 but "
        f"{ACC} GigabitEthernet0/0/1.300 is 11.48.0.6/30 (different subnets)",
    )
    assert _line_of(subnets, configs) == " ip address 11.48.0.6 255.255.255.252"
    assert (missing.device, missing.message) == (
        AGG,
        f"{AGG}--{ACC} zone public: GigabitEthernet1/0/1.100 has no IPv4 address",
    )
    assert _line_of(missing, configs) == "interface GigabitEthernet1/0/1.100"


def _line_of(finding: Finding, configs: dict[str, IntendedConfig]) -> str:
    location = finding.config_location or finding.location
    return configs[finding.device].text.splitlines()[location.line - 1]


def test_gn_x_205_ldp_on_a_zone_attachment_is_not_the_underlay() -> None:
    configs = rendered()
    edit_block(
        configs, AGG, "interface GigabitEthernet1/0/1.100", " mtu 1500\n", " mtu 1500\n mpls\n mpls ldp\n"
    )
    assert check(configs=configs, rules=["GN-X-205", "GN-X-203"]).findings == []


def test_gn_x_205_an_end_without_the_interface_points_at_line_1() -> None:
    configs = rendered()
    edit_block(configs, AGG, f"interface {port(AGG, ACC)}", " mtu 1500\n", " mtu 1500\n mpls\n mpls ldp\n")
    edit(configs, ACC, f"interface {port(ACC, AGG)}\n", "interface GigabitEthernet0/0/9\n")
    report = check(configs=configs, rules=["GN-X-205"])
    [finding] = report.findings
    assert finding.device == ACC
    assert (finding.config_location or finding.location).line == 1
    assert finding.message == (
        f"{AGG}--{ACC}: LDP on {AGG} {port(AGG, ACC)} but not on {ACC} {port(ACC, AGG)}"
    )


# -- GN-X-204: the core-core session, and sessions after one whose far end has no config ----------

CORE2 = "kf-core-2"


def _halves(texts: dict[str, str], network: Network | None = None) -> list[tuple[str, int, str]]:
    configs = {
        name: IntendedConfig(name, "huawei_vrp", text, f"hand/{name}.cfg") for name, text in texts.items()
    }
    report = check(network or district(), configs, ["GN-X-204"])
    return [(f.device, (f.config_location or f.location).line, f.message) for f in report.findings]


def test_gn_x_204_the_core_pair_session() -> None:
    core1, core2 = _bgp("10.0.0.9", "10.0.0.10"), _bgp("10.0.0.10", "10.0.0.9")
    assert _halves({CORE: core1, CORE2: core2}) == []
    assert _halves({CORE: core1, CORE2: core2.replace("  peer 10.0.0.9 enable\n", "")}) == [
        (CORE2, 6, f"session with {CORE}: peer 10.0.0.9 not enabled for VPNv4")
    ]


FURONG = "kf-agg-furongbeilu"  # the second aggregation node by name: kf-core-2 lists it after dongfenglu
AGG_TO_CORE2 = {
    CORE2: _bgp("10.0.0.10", "10.0.0.69"),
    FURONG: _bgp("10.0.0.69", "10.0.0.10").replace(" as-number 65010", " as-number 65011"),
}
AS_WRONG = [(FURONG, 6, f"session with {CORE2}: peer 10.0.0.10 as-number 65011 but {CORE2} runs AS 65010")]


def test_gn_x_204_a_session_after_ones_with_an_unconfigured_end() -> None:
    # unconfigured ends come first: kf-core-1 for the aggregation node, kf-agg-dongfenglu for kf-core-2
    assert _halves(AGG_TO_CORE2) == AS_WRONG


def test_gn_x_204_device_order_does_not_matter() -> None:
    network = district()
    network.devices = dict(sorted(network.devices.items(), key=lambda item: item[1].role != "core"))
    network.reindex()
    assert list(network.devices)[:2] == [CORE, CORE2]
    assert _halves(AGG_TO_CORE2, network) == AS_WRONG
