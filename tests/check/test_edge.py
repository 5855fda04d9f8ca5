"""Edge rules (GN-INT-012..016) on small hand-written configs: the exact device, config line and
message of each finding, and the look-alikes that must not fire (mutation tests of
``govnet.check.edge``).

Each config is a list of lines, so a finding's line is its index in the list plus one. The
network is the shipped district: firewall pair kf-fw-1/kf-fw-2 (VRRP groups 1, 2, 3 with virtual
addresses 10.8.15.1, .17, .33), SecPaths kf-lb-1 (load balancer) and kf-vpn-1 (VPN gateway, with a
link into zone public only); the department zones share the site pool 172.16.0.0/12.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from ipaddress import IPv4Address, IPv4Network

from spec_support import district

from govnet.check.configtree import ConfigTree
from govnet.check.context import CheckContext, IntendedConfig
from govnet.check.edge import (
    PolicyRuleText,
    VrrpGroup,
    _canonical,
    firewall_pair_policy,
    firewall_vrrp,
    interface_zones,
    pool_contexts,
    secpath_interfaces_zoned,
    secpath_policy_bounded,
    security_policy_rules,
    vpn_pools_in_zones,
    vrrp_configured,
)
from govnet.check.rules import Rule, RuleSet, load_rules
from govnet.model import Network, RedundancyGroup
from govnet.model import VrrpGroup as VrrpModel

USG, SECPATH = "huawei_usg", "h3c_secpath"
PLATFORM = {"kf-fw-1": USG, "kf-fw-2": USG, "kf-lb-1": SECPATH, "kf-vpn-1": SECPATH}
Found = list[tuple[str, str, str, str]]


@cache
def _spec() -> RuleSet:
    return load_rules()


def _rule(rule_id: str) -> Rule:
    return next(r for r in _spec().rules if r.id == rule_id)


def _tree(platform: str, lines: list[str]) -> ConfigTree:
    return ConfigTree("\n".join(lines) + "\n", _spec().readers[platform])


def run(
    rule_id: str,
    configs: dict[str, list[str]],
    net: Network | None = None,
    platforms: dict[str, str] | None = None,
) -> Found:
    """(rule id, device, location, message) of every finding of one edge rule on these configs."""
    check = {
        "GN-INT-012": firewall_pair_policy,
        "GN-INT-013": firewall_vrrp,
        "GN-INT-014": vpn_pools_in_zones,
        "GN-INT-015": secpath_interfaces_zoned,
        "GN-INT-016": secpath_policy_bounded,
    }[rule_id]
    chosen = {**PLATFORM, **(platforms or {})}
    intended = {
        name: IntendedConfig(name, chosen[name], "\n".join(lines) + "\n", f"{name}.cfg")
        for name, lines in configs.items()
    }
    ctx = CheckContext(net if net is not None else district(), _spec(), intended)
    return [(f.rule_id, f.device, str(f.location), f.message) for f in check(_rule(rule_id), ctx)]


# ---------------------------------------------------------------- GN-INT-012: the pair's policy


def policy(*rules: str) -> list[str]:
    """A USG config: 'security-policy' with the rules given as 'name:line;line'."""
    lines = ["#", "sysname fw", "#", "security-policy"]
    for rule in rules:
        name, _, body = rule.partition(":")
        lines.append(f" rule name {name}")
        lines += [f"  {b}" for b in body.split(";") if b]
    return [*lines, "#", "return"]


WEB = "web:source-zone trust;destination-address 10.8.15.32 mask 255.255.255.240;action permit"
DNS = "dns:source-zone trust;service dns;action permit"
NTP = "ntp:source-zone trust;service ntp;action permit"


def test_canonical_address_forms() -> None:
    assert _canonical("source-address 10.64.0.0 mask 255.224.0.0") == "source-address 10.64.0.0/11"
    assert _canonical("destination-address 10.64.0.0 11") == "destination-address 10.64.0.0/11"
    assert _canonical("source-address 10.64.0.1 mask 255.224.0.0") == "source-address 10.64.0.0/11"
    assert _canonical("destination-address 10.8.15.33 32") == "destination-address 10.8.15.33/32"
    assert _canonical("source-address any mask x") == "source-address any mask x"
    assert _canonical("source-address 10.64.0.0 99") == "source-address 10.64.0.0 99"
    assert _canonical("xsource-address 10.64.0.0 11") == "xsource-address 10.64.0.0 11"
    assert _canonical("source-address 10.64.0.0 11 x") == "source-address 10.64.0.0 11 x"
    assert _canonical("service-address 10.64.0.0 11") == "service-address 10.64.0.0 11"
    assert _canonical("action permit") == "action permit"


def test_security_policy_rules_names_bodies_and_lines() -> None:
    tree = _tree(
        USG,
        [
            "#",
            "security-policy ip",
            " rule name not-this-one",
            "  action permit",
            "security-policy",
            ' rule name "Xto webX"',
            "  source-address 10.64.0.0 mask 255.224.0.0",
            "  action permit",
            " default action deny",
            " rule name  dns ",
            "  action permit",
            "#",
            "return",
        ],
    )
    assert security_policy_rules(tree) == [
        PolicyRuleText("Xto webX", ("source-address 10.64.0.0/11", "action permit"), 6),
        PolicyRuleText("dns", ("action permit",), 10),
    ]


def test_gn_int_012_the_same_policy_in_both_address_forms_is_clean() -> None:
    fw1 = policy("web:source-address 10.64.0.0 mask 255.224.0.0;action permit", DNS)
    fw2 = policy("web:source-address 10.64.0.0 11;action permit", DNS)
    assert run("GN-INT-012", {"kf-fw-1": fw1, "kf-fw-2": fw2}) == []


def test_gn_int_012_rule_missing_on_the_second_member() -> None:
    fw1 = policy(WEB, DNS, NTP)
    fw2 = policy(WEB, DNS)
    assert run("GN-INT-012", {"kf-fw-1": fw1, "kf-fw-2": fw2}) == [
        (
            "GN-INT-012",
            "kf-fw-1",
            "kf-fw-1.cfg:13",
            "security-policy of the pair with kf-fw-2: rule ntp at position 3 is missing on kf-fw-2",
        )
    ]


def test_gn_int_012_rule_missing_on_the_first_member() -> None:
    fw1 = policy(WEB)
    fw2 = policy(WEB, DNS, NTP)
    assert run("GN-INT-012", {"kf-fw-1": fw1, "kf-fw-2": fw2}) == [
        (
            "GN-INT-012",
            "kf-fw-2",
            "kf-fw-2.cfg:9",
            "security-policy of the pair with kf-fw-1: rule dns at position 2 is missing on kf-fw-1",
        )
    ]


def test_gn_int_012_same_name_different_body_blames_the_second_member() -> None:
    fw1 = policy(DNS, WEB)
    fw2 = policy(DNS, "web:source-zone trust;action permit")
    assert run("GN-INT-012", {"kf-fw-1": fw1, "kf-fw-2": fw2}) == [
        (
            "GN-INT-012",
            "kf-fw-2",
            "kf-fw-2.cfg:9",
            "security-policy of the pair with kf-fw-1: rule web at position 2 differs from "
            "kf-fw-1's rule of that name",
        )
    ]


def test_gn_int_012_rules_in_another_order_report_the_first_difference_only() -> None:
    fw1 = policy(WEB, DNS, NTP)
    fw2 = policy(DNS, WEB, NTP)
    assert run("GN-INT-012", {"kf-fw-1": fw1, "kf-fw-2": fw2}) == [
        (
            "GN-INT-012",
            "kf-fw-2",
            "kf-fw-2.cfg:5",
            "security-policy of the pair with kf-fw-1: "
            "rule dns differs from kf-fw-1's rule web at position 1",
        )
    ]


def _pairs(net: Network, *groups: RedundancyGroup) -> Network:
    net.groups = [g for g in net.groups if g.name != "kf-firewall-pair"] + list(groups)
    return net


def test_gn_int_012_only_two_member_device_groups_of_firewalls_are_pairs() -> None:
    configs = {"kf-fw-1": policy(WEB), "kf-fw-2": policy(DNS)}
    looks_alike = [
        RedundancyGroup("as-links", "links", ("kf-fw-1", "kf-fw-2")),
        RedundancyGroup("three", "devices", ("kf-fw-1", "kf-fw-2", "kf-fw-1")),
        RedundancyGroup("one", "devices", ("kf-fw-1",)),
        RedundancyGroup("lb", "devices", ("kf-fw-1", "kf-lb-1")),
        RedundancyGroup("lb2", "devices", ("kf-lb-1", "kf-fw-2")),
        RedundancyGroup("ghost", "devices", ("kf-fw-1", "kf-fw-9")),
    ]
    configs["kf-fw-9"] = policy(NTP)  # a config for a device the model lacks
    platforms = {"kf-lb-1": SECPATH, "kf-fw-9": USG}
    assert run("GN-INT-012", configs, _pairs(district(), *looks_alike), platforms) == []
    configs["kf-lb-1"] = policy(NTP)
    assert run("GN-INT-012", configs, _pairs(district(), *looks_alike), {"kf-fw-9": USG}) == []


def test_gn_int_012_every_pair_is_checked() -> None:
    net = _pairs(
        district(),
        RedundancyGroup("p1", "devices", ("kf-fw-1", "kf-fw-2")),
        RedundancyGroup("p2", "devices", ("kf-fw-2", "kf-fw-1")),
    )
    found = run("GN-INT-012", {"kf-fw-1": policy(WEB), "kf-fw-2": policy(DNS)}, net)
    assert found == [
        (
            "GN-INT-012",
            "kf-fw-2",
            "kf-fw-2.cfg:5",
            "security-policy of the pair with kf-fw-1: "
            "rule dns differs from kf-fw-1's rule web at position 1",
        ),
        (
            "GN-INT-012",
            "kf-fw-1",
            "kf-fw-1.cfg:5",
            "security-policy of the pair with kf-fw-2: "
            "rule web differs from kf-fw-2's rule dns at position 1",
        ),
    ]


def test_gn_int_012_a_member_rendered_for_another_platform_is_skipped() -> None:
    configs = {"kf-fw-1": policy(WEB), "kf-fw-2": policy(DNS)}
    assert run("GN-INT-012", configs, platforms={"kf-fw-2": "huawei_vrp"}) == []
    assert run("GN-INT-012", configs, platforms={"kf-fw-1": "huawei_vrp"}) == []
    assert run("GN-INT-012", {"kf-fw-1": policy(WEB)}) == []


# ---------------------------------------------------------------- GN-INT-013: VRRP


def vrrp(*groups: tuple[int, str, str], interface: str = "GigabitEthernet1/0/1") -> list[str]:
    """A USG config with one interface holding the given (vrid, virtual-ip words, role) lines."""
    lines = ["#", "sysname fw", "#", f"interface {interface}", " ip address 10.8.15.2 255.255.255.240"]
    lines += [f" vrrp vrid {vrid} virtual-ip {words} {role}" for vrid, words, role in groups]
    return [*lines, "#", "return"]


GOOD_1 = [
    (1, "10.8.15.1 255.255.255.240", "active"),
    (2, "10.8.15.17", "active"),
    (3, "10.8.15.33", "active"),
]
GOOD_2 = [(v, w, "standby") for v, w, _ in GOOD_1]


def test_vrrp_configured_keeps_every_address_and_the_first_line() -> None:
    tree = _tree(
        USG,
        [
            "#",
            "interface Vlanif 10",
            " vrrp vrid 7 virtual-ip 10.0.0.1 255.255.255.0 active",
            " vrrp vrid 7 virtual-ip 10.0.0.2 standby",
            " vrrp vrid 8 virtual-ip nonsense active",
            " vrrp vrid 9 virtual-ip 10.0.0.9 master",
            " vrrp vrid 10 virtual-ip 10.0.0.10 255.255.255.0 24 standby",
            " vrrp vrid x virtual-ip 10.0.0.11 standby",
            " vrrp vrid 13 virtual-ip 10.0.0.13 standby",
            "vlan 10",
            " vrrp vrid 12 virtual-ip 10.0.0.14 active",
            "interface GigabitEthernet1/0/2",
            " vrrp vrid 11 virtual-ip 10.0.0.12 standby",
            "#",
        ],
    )
    assert vrrp_configured(tree) == {
        7: VrrpGroup("Vlanif 10", (IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2")), "active", 3),
        13: VrrpGroup("Vlanif 10", (IPv4Address("10.0.0.13"),), "standby", 9),
        11: VrrpGroup("GigabitEthernet1/0/2", (IPv4Address("10.0.0.12"),), "standby", 13),
    }


def test_gn_int_013_one_active_member_and_the_models_addresses_is_clean() -> None:
    assert run("GN-INT-013", {"kf-fw-1": vrrp(*GOOD_1), "kf-fw-2": vrrp(*GOOD_2)}) == []


def test_gn_int_013_group_missing_on_one_member() -> None:
    found = run("GN-INT-013", {"kf-fw-1": vrrp(*GOOD_1), "kf-fw-2": vrrp(*GOOD_2[:2])})
    assert found == [("GN-INT-013", "kf-fw-2", "kf-fw-2.cfg:1", "kf-fw-dmz: VRRP group 3 not configured")]


def test_gn_int_013_wrong_virtual_address_names_every_configured_one() -> None:
    fw2 = vrrp(*GOOD_2[:2], (3, "10.8.15.34", "standby"), (3, "10.8.15.35", "standby"))
    assert run("GN-INT-013", {"kf-fw-1": vrrp(*GOOD_1), "kf-fw-2": fw2}) == [
        (
            "GN-INT-013",
            "kf-fw-2",
            "kf-fw-2.cfg:8",
            "kf-fw-dmz: VRRP group 3 virtual address 10.8.15.34, 10.8.15.35, the model's is 10.8.15.33",
        )
    ]


def test_gn_int_013_group_missing_on_the_first_member_does_not_hide_the_second() -> None:
    fw2 = vrrp(*GOOD_2[:2], (3, "10.8.15.34", "standby"))
    assert run("GN-INT-013", {"kf-fw-1": vrrp(*GOOD_1[:2]), "kf-fw-2": fw2}) == [
        ("GN-INT-013", "kf-fw-1", "kf-fw-1.cfg:1", "kf-fw-dmz: VRRP group 3 not configured"),
        (
            "GN-INT-013",
            "kf-fw-2",
            "kf-fw-2.cfg:8",
            "kf-fw-dmz: VRRP group 3 virtual address 10.8.15.34, the model's is 10.8.15.33",
        ),
    ]


def test_gn_int_013_three_active_members_blame_the_last_by_name() -> None:
    net = district()
    dmz = net.segment("kf-fw-dmz")
    three = VrrpModel(3, IPv4Address("10.8.15.33"), ("kf-fw-1", "kf-lb-1", "kf-fw-2"))
    net.index.segments["kf-fw-dmz"] = dataclasses.replace(dmz, vrrp=(three,))
    dmz_active = (3, "10.8.15.33", "active")
    configs = {
        "kf-fw-1": vrrp(*GOOD_1),
        "kf-fw-2": vrrp(*GOOD_2[:2], dmz_active),
        "kf-lb-1": vrrp(dmz_active),
    }
    assert run("GN-INT-013", configs, net, {"kf-lb-1": USG}) == [
        (
            "GN-INT-013",
            "kf-lb-1",
            "kf-lb-1.cfg:6",
            "kf-fw-dmz: VRRP group 3 has 3 active members (kf-fw-1, kf-fw-2, kf-lb-1): "
            "exactly one is active by configuration",
        )
    ]


def test_gn_int_013_two_active_members_blame_the_last_by_name() -> None:
    fw2 = vrrp(*GOOD_2[:1], (2, "10.8.15.17", "active"), *GOOD_2[2:])
    assert run("GN-INT-013", {"kf-fw-1": vrrp(*GOOD_1), "kf-fw-2": fw2}) == [
        (
            "GN-INT-013",
            "kf-fw-2",
            "kf-fw-2.cfg:7",
            "kf-fw-outside: VRRP group 2 has 2 active members (kf-fw-1, kf-fw-2): "
            "exactly one is active by configuration",
        )
    ]


def test_gn_int_013_no_active_member_blames_the_models_active_one() -> None:
    fw1 = vrrp(*GOOD_1[:2], (3, "10.8.15.33", "standby"))
    assert run("GN-INT-013", {"kf-fw-1": fw1, "kf-fw-2": vrrp(*GOOD_2)}) == [
        (
            "GN-INT-013",
            "kf-fw-1",
            "kf-fw-1.cfg:8",
            "kf-fw-dmz: VRRP group 3 has 0 active members (none): exactly one is active by configuration",
        )
    ]


def test_gn_int_013_active_count_is_judged_only_when_both_members_have_the_group() -> None:
    fw1 = vrrp(*GOOD_1[:2], (3, "10.8.15.33", "standby"))
    found = run("GN-INT-013", {"kf-fw-1": fw1, "kf-fw-2": vrrp(*GOOD_2[:2])})
    assert found == [("GN-INT-013", "kf-fw-2", "kf-fw-2.cfg:1", "kf-fw-dmz: VRRP group 3 not configured")]


def test_gn_int_013_wrong_address_and_no_active_member_both_reported() -> None:
    fw1 = vrrp(*GOOD_1[:2], (3, "10.8.15.34", "standby"))
    assert run("GN-INT-013", {"kf-fw-1": fw1, "kf-fw-2": vrrp(*GOOD_2)}) == [
        (
            "GN-INT-013",
            "kf-fw-1",
            "kf-fw-1.cfg:8",
            "kf-fw-dmz: VRRP group 3 virtual address 10.8.15.34, the model's is 10.8.15.33",
        ),
        (
            "GN-INT-013",
            "kf-fw-1",
            "kf-fw-1.cfg:8",
            "kf-fw-dmz: VRRP group 3 has 0 active members (none): exactly one is active by configuration",
        ),
    ]


def test_gn_int_013_members_not_rendered_as_firewalls_are_skipped() -> None:
    configs = {"kf-fw-1": vrrp(), "kf-fw-2": vrrp()}
    assert run("GN-INT-013", configs, platforms={"kf-fw-2": "huawei_vrp"}) == []
    assert run("GN-INT-013", configs, platforms={"kf-fw-1": "huawei_vrp"}) == []
    assert run("GN-INT-013", {"kf-fw-1": vrrp()}) == []


# ---------------------------------------------------------------- GN-INT-014: VPN user pools


def gateway(*pools: str, contexts: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """A SecPath VPN gateway config: 'sslvpn ip address-pool' lines, then contexts (name, pool line)."""
    lines = ["#", " sysname kf-vpn-1", "#"]
    lines += [f"sslvpn ip address-pool {p}" for p in pools]
    for name, line in contexts:
        lines += ["#", f"sslvpn context {name}", f" {line}"]
    return [*lines, "#", "return"]


def test_pool_contexts_reads_context_pools_only() -> None:
    tree = _tree(
        SECPATH,
        [
            "#",
            "sslvpn context police",
            " ip-tunnel address-pool police-users mask 255.255.255.0",
            "sslvpn context court",
            " ip-tunnel address-pool court-users",
            " ip-tunnel address-pool court-users mask 255.255.255.0 extra",
            "sslvpn context x y",
            " ip-tunnel address-pool xy-users",
            "sslvpn gateway ntax",
            " ip-tunnel address-pool ntax-users",
            "ssl context aic",
            " ip-tunnel address-pool aic-users",
            "sslvpn",
            "#",
        ],
    )
    assert pool_contexts(tree) == {"police-users": "police", "court-users": "court"}


def test_gn_int_014_pool_in_a_zone_the_gateway_reaches_is_clean() -> None:
    assert run("GN-INT-014", {"kf-vpn-1": gateway("public-users 10.128.9.1 10.128.9.254")}) == []


def test_gn_int_014_pool_in_a_zone_without_a_link() -> None:
    found = run("GN-INT-014", {"kf-vpn-1": gateway("inet 10.64.9.1 10.64.9.254")})
    assert found == [
        (
            "GN-INT-014",
            "kf-vpn-1",
            "kf-vpn-1.cfg:4",
            "user pool inet lies in zone internet, but kf-vpn-1 has no link into zone internet "
            "(a PE port in its VPN): its users reach nothing",
        )
    ]


def test_gn_int_014_pool_outside_every_zone_or_straddling_one() -> None:
    pools = (
        "outside 192.168.1.1 192.168.1.9",
        "straddle 10.127.255.1 10.128.0.9",
        "tail 10.128.0.1 10.127.255.9",
        "bad 10.128.0.1 nonsense",
        "bad-first nonsense 10.128.0.9",
        "four words 10.128.0.1 10.128.0.9",
    )
    assert run("GN-INT-014", {"kf-vpn-1": gateway(*pools)}) == [
        ("GN-INT-014", "kf-vpn-1", f"kf-vpn-1.cfg:{line}", f"user pool {what} lies in no zone's site pool")
        for line, what in (
            (4, "outside (192.168.1.1 - 192.168.1.9)"),
            (5, "straddle (10.127.255.1 - 10.128.0.9)"),
            (6, "tail (10.128.0.1 - 10.127.255.9)"),
            (7, "bad (10.128.0.1 - None)"),
            (8, "bad-first (None - 10.128.0.9)"),
        )
    ]


def test_gn_int_014_shared_site_pool_needs_the_context_naming_its_zone() -> None:
    pools = ("police-users 172.16.1.1 172.16.1.254", "guests 172.16.2.1 172.16.2.254")
    contexts = (("police", "ip-tunnel address-pool police-users mask 255.255.255.0"),)
    found = run("GN-INT-014", {"kf-vpn-1": gateway(*pools, contexts=contexts)})
    assert found == [
        (
            "GN-INT-014",
            "kf-vpn-1",
            "kf-vpn-1.cfg:4",
            "user pool police-users lies in zone police, but kf-vpn-1 has no link into zone police "
            "(a PE port in its VPN): its users reach nothing",
        ),
        (
            "GN-INT-014",
            "kf-vpn-1",
            "kf-vpn-1.cfg:5",
            "user pool guests (172.16.2.1 - 172.16.2.254) lies in zones police, court, procuratorate, "
            "ntax, ltax, aic's site pool",
        ),
    ]


def test_gn_int_014_a_context_named_for_no_sharing_zone_does_not_choose() -> None:
    contexts = (("public", "ip-tunnel address-pool dept"),)
    found = run("GN-INT-014", {"kf-vpn-1": gateway("dept 172.16.1.1 172.16.1.9", contexts=contexts)})
    assert [f[2:] for f in found] == [
        (
            "kf-vpn-1.cfg:4",
            "user pool dept (172.16.1.1 - 172.16.1.9) lies in zones police, court, procuratorate, "
            "ntax, ltax, aic's site pool",
        )
    ]


def test_gn_int_014_pools_after_other_sslvpn_lines_are_read() -> None:
    lines = [
        "#",
        "sslvpn gateway gw",
        " ip address 10.8.15.60 port 443",
        "sslvpn ip address-pool x 192.168.1.1 192.168.1.9",
    ]
    assert run("GN-INT-014", {"kf-vpn-1": lines}) == [
        (
            "GN-INT-014",
            "kf-vpn-1",
            "kf-vpn-1.cfg:4",
            "user pool x (192.168.1.1 - 192.168.1.9) lies in no zone's site pool",
        )
    ]


def test_gn_int_014_two_zones_sharing_a_site_pool_are_told_apart_by_the_context() -> None:
    net = district()
    for n, name in enumerate(("procuratorate", "ntax", "ltax", "aic")):
        net.zones[name] = dataclasses.replace(net.zones[name], site_pool=IPv4Network(f"192.0.2.{16 * n}/28"))
    contexts = (("court", "ip-tunnel address-pool dept"),)
    found = run("GN-INT-014", {"kf-vpn-1": gateway("dept 172.16.1.1 172.16.1.9", contexts=contexts)}, net)
    assert [f[2:] for f in found] == [
        (
            "kf-vpn-1.cfg:4",
            "user pool dept lies in zone court, but kf-vpn-1 has no link into zone court "
            "(a PE port in its VPN): its users reach nothing",
        )
    ]


def test_gn_int_014_only_vpn_gateways_rendered_as_secpath_are_read() -> None:
    pool = gateway("outside 192.168.1.1 192.168.1.9")
    assert run("GN-INT-014", {"kf-vpn-1": pool}, platforms={"kf-vpn-1": "frr"}) == []
    assert run("GN-INT-014", {"kf-lb-1": pool}) == []


# ---------------------------------------------------------------- GN-INT-015: SecPath zones


def zoned(*lines: str) -> list[str]:
    return ["#", " sysname lb", "#", *lines, "#", "return"]


def test_zone_imports_by_lower_cased_interface() -> None:
    tree = _tree(
        SECPATH,
        zoned(
            "security-zone name Trust",
            " import interface GigabitEthernet1/0/1",
            " import interface GigabitEthernet1/0/2 vlan 10",
            " import GigabitEthernet1/0/3",
            " import interface",
            "security-zone name",
            " import interface GigabitEthernet1/0/4",
            "security-zone id 5",
            " import interface GigabitEthernet1/0/5",
            "security-zone name DMZ",
            " import interface gigabitethernet1/0/1",
            " description interface GigabitEthernet1/0/7",
            "object-group name Trust",
            " import interface GigabitEthernet1/0/6",
        ),
    )
    found = {i: [(z, n.line) for z, n in zs] for i, zs in interface_zones(tree).items()}
    assert found == {
        "gigabitethernet1/0/1": [("Trust", 5), ("DMZ", 14)],
        "gigabitethernet1/0/2": [("Trust", 6)],
    }


def test_gn_int_015_every_addressed_interface_in_exactly_one_zone() -> None:
    lb = zoned(
        "interface GigabitEthernet1/0/1",
        " ip address 10.8.15.40 255.255.255.240",
        "interface GigabitEthernet1/0/2",
        " ip address 10.8.15.41 255.255.255.240",
        "interface GigabitEthernet1/0/3",
        " ip address 10.8.15.42 255.255.255.240",
        "interface GigabitEthernet1/0/4",
        " description no address",
        " ip addresses",
        "interface LoopBack0",
        " ip address 10.8.0.9 255.255.255.255",
        "interface NULL0",
        " ip address 10.8.0.10 255.255.255.255",
        "interface InLoopBack0",
        " ip address 127.0.0.1 255.0.0.0",
        "interface Register-Tunnel0",
        " ip address 10.8.0.11 255.255.255.255",
        "security-zone name Trust",
        " import interface GigabitEthernet1/0/1",
        " import interface GigabitEthernet1/0/3",
        "security-zone name DMZ",
        " import interface GigabitEthernet1/0/3",
        "security-zone name Untrust",
        " import interface GigabitEthernet1/0/3",
    )
    assert run("GN-INT-015", {"kf-lb-1": lb}) == [
        (
            "GN-INT-015",
            "kf-lb-1",
            "kf-lb-1.cfg:6",
            "interface GigabitEthernet1/0/2 has an address but is in no security zone: "
            "its traffic is dropped",
        ),
        (
            "GN-INT-015",
            "kf-lb-1",
            "kf-lb-1.cfg:25",
            "interface GigabitEthernet1/0/3 is imported into 3 security zones (Trust, DMZ, Untrust)",
        ),
    ]


def test_gn_int_015_both_secpath_roles_are_checked_and_nothing_else() -> None:
    bad = zoned(
        "interface LoopBack0",
        " ip address 10.8.0.9 255.255.255.255",
        "interface GigabitEthernet 1/0/9",
        " ip address 10.0.0.1 255.255.255.0",
    )
    what = "interface GigabitEthernet 1/0/9 has an address but is in no security zone: its traffic is dropped"
    found = run(
        "GN-INT-015", {"kf-lb-1": bad, "kf-vpn-1": bad, "kf-fw-1": bad}, platforms={"kf-fw-1": SECPATH}
    )
    assert found == [
        ("GN-INT-015", "kf-lb-1", "kf-lb-1.cfg:6", what),
        ("GN-INT-015", "kf-vpn-1", "kf-vpn-1.cfg:6", what),
    ]
    assert run("GN-INT-015", {"kf-lb-1": bad}, platforms={"kf-lb-1": USG}) == []


def test_gn_int_015_a_device_in_another_role_is_skipped() -> None:
    net = district()
    lb = net.devices["kf-lb-1"]
    net.devices["kf-lb-1"] = dataclasses.replace(lb, role="firewall")
    bad = zoned("interface GigabitEthernet1/0/9", " ip address 10.0.0.1 255.255.255.0")
    assert run("GN-INT-015", {"kf-lb-1": bad}, net) == []


# ---------------------------------------------------------------- GN-INT-016: SecPath pass rules


def secpolicy(*rules: str, header: str = "security-policy ip") -> list[str]:
    """A SecPath config: the rules given as 'rule 0 name x:line;line' under ``header``."""
    lines = ["#", " sysname lb", "#", header]
    for rule in rules:
        head, _, body = rule.partition(":")
        lines.append(f" {head}")
        lines += [f"  {b}" for b in body.split(";") if b]
    return [*lines, "#", "return"]


def test_gn_int_016_bounded_pass_rules_and_drops_are_clean() -> None:
    lb = secpolicy(
        "rule 0 name a:action pass;source-zone Trust;destination-zone Untrust;source-ip-subnet 10.8.0.0 16",
        "rule 1 name b:action pass;source-zone Trust;destination-zone DMZ;destination-ip-host 10.8.15.33",
        "rule 2 name c:action drop;source-zone Trust",
        "rule 3 name d:source-zone Trust",
    )
    assert run("GN-INT-016", {"kf-lb-1": lb}) == []


def test_gn_int_016_zone_less_and_any_to_any_passes() -> None:
    lb = secpolicy(
        'rule 0 name "no zones":action pass;source-ip-subnet 10.8.0.0 16',
        "rule 1 name half:action pass;source-zone Trust;destination-ip-host 10.8.15.33",
        "rule 2 name other-half:action pass;destination-zone DMZ;source-zone-x Trust",
        "rule 3 name wide:source-zone Trust;destination-zone Untrust;action pass;service http",
    )
    assert run("GN-INT-016", {"kf-lb-1": lb}) == [
        (
            "GN-INT-016",
            "kf-lb-1",
            "kf-lb-1.cfg:5",
            "policy rule no zones passes traffic without a source-zone or destination-zone",
        ),
        (
            "GN-INT-016",
            "kf-lb-1",
            "kf-lb-1.cfg:8",
            "policy rule half passes traffic without a destination-zone",
        ),
        (
            "GN-INT-016",
            "kf-lb-1",
            "kf-lb-1.cfg:12",
            "policy rule other-half passes traffic without a source-zone",
        ),
        (
            "GN-INT-016",
            "kf-lb-1",
            "kf-lb-1.cfg:16",
            "policy rule wide passes any source to any destination (Trust -> Untrust)",
        ),
    ]


def test_gn_int_016_reads_only_named_rules_of_security_policy_ip_on_both_secpaths() -> None:
    wide = "rule 0 name wide:action pass;source-zone Trust;destination-zone Untrust"
    what = "policy rule wide passes any source to any destination (Trust -> Untrust)"
    assert run("GN-INT-016", {"kf-lb-1": secpolicy(wide, header="security-policy ipv6")}) == []
    assert run("GN-INT-016", {"kf-lb-1": secpolicy(wide, header="security-policy")}) == []
    assert run("GN-INT-016", {"kf-lb-1": secpolicy("rule 0:action pass;source-zone Trust")}) == []
    assert run("GN-INT-016", {"kf-lb-1": secpolicy("ruleset name x:action pass")}) == []
    found = run("GN-INT-016", {"kf-lb-1": secpolicy(wide), "kf-vpn-1": secpolicy(wide)})
    assert found == [
        ("GN-INT-016", "kf-lb-1", "kf-lb-1.cfg:5", what),
        ("GN-INT-016", "kf-vpn-1", "kf-vpn-1.cfg:5", what),
    ]


def test_gn_int_016_label_and_zones_are_shown_whole_after_a_drop_rule() -> None:
    lb = secpolicy(
        "rule 0 name drop:action drop;source-zone Trust",
        'rule 1 name "Xa name bX":action pass;source-zone Trust;destination-zone VPN police x',
    )
    assert run("GN-INT-016", {"kf-lb-1": lb}) == [
        (
            "GN-INT-016",
            "kf-lb-1",
            "kf-lb-1.cfg:8",
            "policy rule Xa name bX passes any source to any destination (Trust -> VPN police x)",
        )
    ]


def test_gn_int_014_a_gateway_without_a_config_does_not_hide_the_next() -> None:
    net = district()
    second = dataclasses.replace(net.devices["kf-vpn-1"], name="kf-vpn-2", interfaces=[], vrfs=[])
    net.devices[second.name] = second
    net.reindex()
    pool = gateway("outside 192.168.1.1 192.168.1.9")
    assert run("GN-INT-014", {"kf-vpn-2": pool}, net, {"kf-vpn-2": SECPATH}) == [
        (
            "GN-INT-014",
            "kf-vpn-2",
            "kf-vpn-2.cfg:4",
            "user pool outside (192.168.1.1 - 192.168.1.9) lies in no zone's site pool",
        )
    ]
