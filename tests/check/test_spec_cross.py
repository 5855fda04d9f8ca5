"""Cross-device rules: each broken link end or BGP half triggers exactly its rule."""

from __future__ import annotations

from spec_support import check, edit, edit_block, failing, port, rendered

from govnet.platforms.linux import kernel_ifname

CORE, CORE2, AGG, H3C, ACC = (
    "kf-core-1",
    "kf-core-2",
    "kf-agg-dongfenglu",
    "kf-agg-laodaohe",
    "kf-acc-dongfenglu-c01",
)


def test_shipped_links_and_sessions_agree() -> None:
    report = check(rules=["GN-X-201", "GN-X-202", "GN-X-203", "GN-X-204", "GN-X-205"])
    assert report.findings == []
    assert report.status_count("pass") > 100


def test_gn_x_201_ends_in_different_subnets() -> None:
    configs = rendered()
    edit_block(configs, ACC, f"interface {port(ACC, AGG)}", "ip address 10.8.2.6 ", "ip address 10.8.3.6 ")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-201"}
    [finding] = report.findings
    assert "different subnets" in finding.message and finding.device == ACC


def test_gn_x_201_both_ends_same_address() -> None:
    configs = rendered()
    edit_block(
        configs, ACC, f"interface {port(ACC, AGG)}.100", "ip address 10.32.0.6 ", "ip address 10.32.0.5 "
    )
    report = check(configs=configs)
    assert failing(report) == {"GN-X-201"}
    assert "zone public: both ends use 10.32.0.5" in report.findings[0].message


def test_gn_x_201_end_without_address() -> None:
    configs = rendered()
    edit_block(configs, ACC, f"interface {port(ACC, AGG)}", " ip address 10.8.2.6 255.255.255.252\n", "")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-201"}
    assert "has no IPv4 address" in report.findings[0].message


def test_gn_x_202_mtu_mismatch() -> None:
    configs = rendered()
    edit_block(configs, AGG, f"interface {port(AGG, ACC)}", " mtu 1500", " mtu 9000")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-202"}
    assert "MTU 9000 on kf-agg-dongfenglu" in report.findings[0].message


def test_gn_x_202_default_mtu_counts() -> None:
    configs = rendered()
    edit_block(configs, ACC, f"interface {port(ACC, AGG)}", " mtu 1500\n", "")
    assert failing(check(configs=configs)) == set()
    edit_block(configs, AGG, f"interface {port(AGG, ACC)}", " mtu 1500", " mtu 1400")
    assert failing(check(configs=configs)) == {"GN-X-202"}


def test_gn_x_203_ospf_on_one_end_only() -> None:
    configs = rendered()
    edit(
        configs,
        AGG,
        "  network 10.8.0.36 0.0.0.3\n",
        "  network 10.8.0.36 0.0.0.3\n  network 10.8.2.4 0.0.0.3\n",
    )
    report = check(configs=configs)
    assert failing(report) == {"GN-X-203"}
    assert (
        "OSPF area 0 on kf-agg-dongfenglu but no OSPF on kf-acc-dongfenglu-c01" in report.findings[0].message
    )


def test_gn_x_204_as_mismatch() -> None:
    configs = rendered()
    edit(configs, CORE, " peer 10.0.0.65 as-number 65010", " peer 10.0.0.65 as-number 65011")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-204"}
    [finding] = report.findings
    assert finding.device == CORE and "as-number 65011 but kf-agg-dongfenglu runs AS 65010" in finding.message
    in_config = finding.config_location or finding.location
    assert configs[CORE].text.splitlines()[in_config.line - 1].endswith("as-number 65011")


def test_gn_x_204_session_on_one_side_only() -> None:
    configs = rendered()
    for line in (
        "peer 10.0.0.65 as-number 65010",
        "peer 10.0.0.65 description kf-agg-dongfenglu",
        "peer 10.0.0.65 connect-interface LoopBack0",
        "undo peer 10.0.0.65 enable",
        "peer 10.0.0.65 enable",
        "peer 10.0.0.65 reflect-client",
    ):
        edit(configs, CORE, f" {line}\n", "\n")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-204"}
    assert "kf-core-1 has no peer 10.0.0.65 (kf-agg-dongfenglu's loopback)" in report.findings[0].message


def test_gn_x_204_vpnv4_not_enabled() -> None:
    configs = rendered()
    edit(configs, AGG, "\n  peer 10.0.0.9 enable\n", "\n")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-204"}
    assert "not enabled for VPNv4" in report.findings[0].message


def test_gn_x_204_not_sourced_from_loopback() -> None:
    configs = rendered()
    edit(configs, H3C, " peer 10.0.0.9 connect-interface LoopBack0\n", "")
    assert failing(check(configs=configs)) == {"GN-X-204"}


def test_gn_x_205_ldp_on_one_end() -> None:
    configs = rendered()
    edit_block(configs, AGG, f"interface {port(AGG, ACC)}", " mtu 1500\n", " mtu 1500\n mpls\n mpls ldp\n")
    report = check(configs=configs)
    assert failing(report) == {"GN-X-205"}
    assert report.findings[0].device == ACC and "LDP on kf-agg-dongfenglu" in report.findings[0].message


def test_lab_gn_x_201_and_x_204() -> None:
    configs = rendered(lab=True)
    name = kernel_ifname(port(ACC, AGG))
    edit(configs, ACC, f"interface {name}\n", f"interface {name}\n ip address 10.9.9.9/30\n")
    edit(configs, ACC, " ip address 10.8.2.6/30\n", "")
    assert failing(check(configs=configs, lab=True)) == {"GN-X-201"}
    configs = rendered(lab=True)
    edit(configs, CORE2, " neighbor 10.0.0.65 remote-as 65010", " neighbor 10.0.0.65 remote-as 65099")
    assert failing(check(configs=configs, lab=True)) == {"GN-X-204"}


def test_cross_rules_skip_links_to_appliances_explicitly() -> None:
    report = check(rules=["GN-X-201"])
    gateway = [r for r in report.results if r.device == "kf-isogw-1"]
    assert gateway[0].status == "not_applicable" and "appliance renders no config" in gateway[0].reason
    ips = [r for r in report.results if r.device == "kf-ips-1"]  # now rendered (huawei_nip): checked
    assert ips[0].status == "pass"
