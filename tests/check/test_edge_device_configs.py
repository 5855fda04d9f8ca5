"""The edge rules (GN-INT-012..016) on configs as the edge devices print them.

The folder is the shipped district's rendered configs with the five edge devices replaced by
their device-printed fixtures (tests/fixtures/device-configs: USG pair, NIP, two SecPaths). It
checks clean through ``govnet check --configs``; one-line edits in the printed form trip exactly
their rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from spec_support import INVENTORY, district, rendered
from typer.testing import CliRunner

from govnet.check import read_configs, run_checks
from govnet.check.context import CheckReport
from govnet.cli.check import check_cmd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "device-configs"
EDGE = {
    "kf-fw-1": "huawei_usg",
    "kf-fw-2": "huawei_usg",
    "kf-ips-1": "huawei_nip",
    "kf-lb-1": "h3c_secpath",
    "kf-vpn-1": "h3c_secpath",
}
EDGE_RULES = {"GN-INT-012", "GN-INT-013", "GN-INT-014", "GN-INT-015", "GN-INT-016"}
MORE = "  ---- More ----\x1b[42D                                          \x1b[42D"
EXTRA_RULE = (
    " rule name dmz-web-to-internet\n"
    "  source-zone dmz\n"
    "  destination-zone untrust\n"
    "  source-address 10.8.15.32 mask 255.255.255.240\n"
    "  service http\n"
    "  policy logging\n"
    "  action permit\n"
)


def fixture(device: str) -> Path:
    return FIXTURES / EDGE[device] / f"{device}.cfg"


def configs_dir(tmp_path: Path) -> Path:
    """Rendered configs for the district, the device-printed fixtures for the edge devices."""
    folder = tmp_path / "configs"
    folder.mkdir()
    for name, config in rendered().items():
        if name not in EDGE:
            (folder / f"{name}.cfg").write_text(config.text, encoding="utf-8")
    for name in EDGE:
        shutil.copyfile(fixture(name), folder / f"{name}.cfg")
    return folder


def edit(folder: Path, device: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``device``'s printed config."""
    path = folder / f"{device}.cfg"
    text = path.read_bytes().decode("utf-8")  # line ends as they are (a CRLF capture stays CRLF)
    assert text.count(old) == 1, f"{device}: {old!r} is not in its fixture exactly once"
    path.write_bytes(text.replace(old, new).encode("utf-8"))


def check_folder(folder: Path) -> CheckReport:
    net = district()
    configs = read_configs(folder, net)
    assert not configs.strays
    assert {name: configs[name].platform for name in EDGE} == EDGE
    return run_checks(net, configs)


def test_fixtures_are_printed_not_rendered() -> None:
    for device, platform in EDGE.items():
        text = fixture(device).read_text(encoding="utf-8")
        assert text.splitlines()[0].endswith(f"<{device}>display current-configuration")
        assert "${secret:" not in text and "---- More ----" in text and "\nreturn\n" in text
        if platform == "h3c_secpath":
            assert "\n version 7.1.064" in text and "\n sysname " in text  # Comware's indented globals
            assert "\nsecurity-zone name Management\n import interface GigabitEthernet1/0/0\n" in text
            assert "\nsecurity-policy ip\n rule 0 name " in text
            assert "  action drop" not in text  # the default action of the last rule is not displayed
        else:
            assert "!Software Version V500R005" in text and "\n sysname " in text
    assert fixture("kf-fw-2").read_text(encoding="utf-8").startswith("HRP_S<kf-fw-2>")
    assert "\ninterface GigabitEthernet0/0/1\n" in fixture("kf-ips-1").read_text(encoding="utf-8")


def test_edge_fixtures_check_clean(tmp_path: Path) -> None:
    report = check_folder(configs_dir(tmp_path))
    assert report.findings == [], [f"{f.rule_id} {f.device} {f.message}" for f in report.findings[:5]]
    edge = {r.rule_id for r in report.results if r.rule_id in EDGE_RULES and r.status == "pass"}
    assert edge == EDGE_RULES
    for device in EDGE:
        assert sum(r.device == device and r.status == "pass" for r in report.results) >= 20, device


def test_govnet_check_configs_on_the_edge_fixtures(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("check")(check_cmd)
    app.command("noop")(lambda: None)  # a second command keeps "check" a subcommand
    folder = configs_dir(tmp_path)
    invoke = ["check", "--inventory", str(INVENTORY), "--configs", str(folder)]
    result = CliRunner().invoke(app, invoke)
    assert result.exit_code == 0, result.output
    edit(
        folder,
        "kf-fw-2",
        "virtual-ip 10.8.15.17 255.255.255.240 standby",
        "virtual-ip 10.8.15.17 255.255.255.240 active",
    )
    result = CliRunner().invoke(app, invoke)
    assert result.exit_code == 1 and "GN-INT-013" in result.output and "kf-fw-2.cfg:" in result.output


BROKEN = [
    pytest.param(
        "kf-fw-2",
        " vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 standby\n",
        " vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 active\n",
        "GN-INT-013",
        "kf-fw-2",
        "kf-fw-outside: VRRP group 2 has 2 active members (kf-fw-1, kf-fw-2)",
        id="both-members-active",
    ),
    pytest.param(
        "kf-fw-1",
        " vrrp vrid 1 virtual-ip 10.8.15.1 255.255.255.240 active\n",
        " vrrp vrid 1 virtual-ip 10.8.15.1 255.255.255.240 standby\n",
        "GN-INT-013",
        "kf-fw-1",
        "kf-fw-inside: VRRP group 1 has 0 active members (none)",
        id="no-member-active",
    ),
    pytest.param(
        "kf-fw-2",
        " vrrp vrid 3 virtual-ip 10.8.15.33 255.255.255.240 standby\n",
        " vrrp vrid 3 virtual-ip 10.8.15.38 255.255.255.240 standby\n",
        "GN-INT-013",
        "kf-fw-2",
        "kf-fw-dmz: VRRP group 3 virtual address 10.8.15.38, the model's is 10.8.15.33",
        id="virtual-address-differs",
    ),
    pytest.param(
        "kf-fw-2",
        " rule name default-deny\n",
        EXTRA_RULE + " rule name default-deny\n",
        "GN-INT-012",
        "kf-fw-2",
        "rule dmz-web-to-internet differs from kf-fw-1's rule default-deny at position 5",
        id="policy-rule-on-one-firewall-only",
    ),
    pytest.param(
        "kf-fw-1",
        "  destination-address 10.8.15.36 mask 255.255.255.255\n",
        "  destination-address 10.8.15.37 mask 255.255.255.255\n",
        "GN-INT-012",
        "kf-fw-2",
        "rule remote-users-to-vpn-gateway at position 4 differs from kf-fw-1's rule of that name",
        id="policy-rule-body-differs",
    ),
    pytest.param(
        "kf-vpn-1",
        " sslvpn ip address-pool public-users 10.255.255.2 10.255.255.254\n",
        " sslvpn ip address-pool public-users 192.0.2.1 192.0.2.254\n",
        "GN-INT-014",
        "kf-vpn-1",
        "user pool public-users (192.0.2.1 - 192.0.2.254) lies in no zone's site pool",
        id="vpn-pool-outside-every-zone",
    ),
    pytest.param(
        "kf-lb-1",
        " import interface GigabitEthernet1/0/4\n",
        "",
        "GN-INT-015",
        "kf-lb-1",
        "interface GigabitEthernet1/0/4 has an address but is in no security zone",
        id="isp-port-in-no-zone",
    ),
    pytest.param(
        "kf-vpn-1",
        "security-zone name Untrust\n",
        "security-zone name Untrust\n import interface SSLVPN-AC1\n",
        "GN-INT-015",
        "kf-vpn-1",
        "interface SSLVPN-AC1 is imported into 2 security zones (Untrust, VPN-public)",
        id="sslvpn-access-interface-in-two-zones",
    ),
    pytest.param(
        "kf-lb-1",
        "  source-zone Trust\n",
        "",
        "GN-INT-016",
        "kf-lb-1",
        "policy rule internet-zone-to-internet passes traffic without a source-zone",
        id="pass-rule-without-source-zone",
    ),
    pytest.param(
        "kf-lb-1",
        "  source-ip-subnet 10.64.0.0 255.224.0.0\n",
        "",
        "GN-INT-016",
        "kf-lb-1",
        "policy rule internet-zone-to-internet passes any source to any destination (Trust -> Untrust)",
        id="pass-rule-any-to-any",
    ),
    pytest.param(
        "kf-vpn-1",
        " rule 4 name deny-default\n",
        " rule 4 name deny-default\n  action pass\n",
        "GN-INT-016",
        "kf-vpn-1",
        "policy rule deny-default passes traffic without a source-zone or destination-zone",
        id="last-rule-turned-to-pass",
    ),
]


@pytest.mark.parametrize(("device", "old", "new", "rule", "on", "message"), BROKEN)
def test_one_printed_line_trips_exactly_its_rule(
    device: str, old: str, new: str, rule: str, on: str, message: str, tmp_path: Path
) -> None:
    folder = configs_dir(tmp_path)
    edit(folder, device, old, new)
    report = check_folder(folder)
    assert [(f.rule_id, f.device) for f in report.findings] == [(rule, on)], [
        f"{f.rule_id} {f.device} {f.message}" for f in report.findings
    ]
    [finding] = report.findings
    assert message in finding.message
    line = finding.location.line
    printed = (folder / f"{on}.cfg").read_text(encoding="utf-8").splitlines()[line - 1]
    expected = (
        "vrrp vrid",
        "rule name",
        "sslvpn ip address-pool",
        "interface ",
        "import interface ",
        "rule ",
    )
    assert printed.lstrip().startswith(expected), printed


CLEAN = [
    pytest.param(
        "kf-fw-2",
        "  source-address 10.64.0.0 mask 255.224.0.0\n",
        "  source-address 10.64.0.0 11\n",
        id="address-as-mask-length-on-one-member",
    ),
    pytest.param(
        "kf-fw-2",
        " vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 standby\n",
        MORE + " vrrp vrid 2 virtual-ip 10.8.15.17 255.255.255.240 standby\n",
        id="paging-debris-on-a-vrrp-line",
    ),
    pytest.param(
        "kf-fw-1",
        " rule name internet-zone-to-internet\n",
        MORE + " rule name internet-zone-to-internet\n",
        id="paging-debris-on-a-policy-rule",
    ),
    pytest.param(
        "kf-vpn-1",
        " sslvpn ip address-pool public-users 10.255.255.2 10.255.255.254\n",
        MORE + " sslvpn ip address-pool public-users 10.255.255.2 10.255.255.254\n",
        id="paging-debris-on-the-pool",
    ),
    pytest.param(
        "kf-lb-1",
        " import interface GigabitEthernet1/0/3\n",
        MORE + " import interface GigabitEthernet1/0/3\n",
        id="paging-debris-on-a-zone-import",
    ),
    pytest.param(
        "kf-lb-1",
        "  source-ip-subnet 10.64.0.0 255.224.0.0\n",
        "  source-ip-subnet 10.64.0.0 11\n",
        id="policy-subnet-as-mask-length",
    ),
    pytest.param(
        "kf-vpn-1",
        " rule 4 name deny-default\n",
        " rule 4 name deny-default\n  action drop\n",
        id="drop-rule-default-action-printed",
    ),
]


@pytest.mark.parametrize(("device", "old", "new"), CLEAN)
def test_printing_variants_do_not_trip_the_edge_rules(
    device: str, old: str, new: str, tmp_path: Path
) -> None:
    folder = configs_dir(tmp_path)
    edit(folder, device, old, new)
    report = check_folder(folder)
    assert report.findings == [], [f"{f.rule_id} {f.device} {f.message}" for f in report.findings]


def test_quoted_rule_names_and_crlf_check_clean(tmp_path: Path) -> None:
    folder = configs_dir(tmp_path)
    for device in ("kf-fw-1", "kf-fw-2"):
        edit(
            folder,
            device,
            " rule name internet-zone-to-internet\n",
            ' rule name "internet zone to internet"\n',
        )
        path = folder / f"{device}.cfg"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = check_folder(folder)
    assert report.findings == [], [f"{f.rule_id} {f.device} {f.message}" for f in report.findings]
    edit(
        folder,
        "kf-fw-2",
        ' rule name "internet zone to internet"\r\n',
        ' rule name "internet zone to dmz"\r\n',
    )
    report = check_folder(folder)
    assert [f.rule_id for f in report.findings] == ["GN-INT-012"]
    assert "rule internet zone to dmz differs from kf-fw-1's rule internet zone to internet" in (
        report.findings[0].message
    )


def test_the_nip_is_read_by_the_interface_names_it_prints(tmp_path: Path) -> None:
    """The inventory says GE0/0/1; the NIP prints GigabitEthernet0/0/1: the link checks find it."""
    folder = configs_dir(tmp_path)
    edit(
        folder,
        "kf-ips-1",
        " ip address 10.8.0.198 255.255.255.252\n",
        " ip address 10.8.0.210 255.255.255.252\n",
    )
    report = check_folder(folder)
    assert {(f.rule_id, f.device) for f in report.findings} == {("GN-X-201", "kf-ips-1")}, [
        f"{f.rule_id} {f.device} {f.message}" for f in report.findings
    ]
    [finding] = report.findings
    assert "GE0/0/1" in finding.message and finding.location.line > 1
