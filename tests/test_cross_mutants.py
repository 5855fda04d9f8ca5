"""Cross-device rules: the exact device, config line and message of each finding (mutation tests)."""

from __future__ import annotations

import pytest
from spec_support import check, district, edit, edit_block, port, rendered

from govnet.check import CheckReport, IntendedConfig

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
