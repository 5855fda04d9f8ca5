"""The management path is never cut: the management port keeps its VPN and address, the ACLs
guarding VTY/SSH/SNMP admit the NOC in that VPN, the servers are reached through it and
USG/NIP service-manage admits SSH and SNMP; on govnet's renders and on configs read back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from spec_support import district, rendered

from govnet.check import IntendedConfig, read_configs, run_checks
from govnet.check.configtree import ConfigTree
from govnet.check.engine import known_checks
from govnet.check.management import held_reason, management_path, path_problems
from govnet.check.rules import load_rules
from govnet.inventory import load_network
from govnet.model import Network
from govnet.platforms import get_platform

CORE, FW, IPS, H3C, ACC = "kf-core-1", "kf-fw-1", "kf-ips-1", "kf-agg-laodaohe", "kf-acc-dongfenglu-police"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "device-configs"
VENDOR = ["huawei_vrp", "huawei_vrpv8", "huawei_usg", "huawei_nip", "h3c_comware", "h3c_secpath"]
MANAGEMENT_RULES = {
    "GN-CFG-132": "management_port",
    "GN-CFG-133": "management_acls",
    "GN-CFG-134": "management_servers",
    "GN-CFG-135": "management_services",
}

SPEC = load_rules()
Edit = Callable[[str, str, str], None]
"""conftest's ``edit`` fixture: replace one occurrence in a file of the inventory copy."""



def _ce_district(inventory: Path, edit: Edit) -> Network:
    """The shipped district with core 1 a CloudEngine (huawei_vrpv8), from conftest's copy."""
    edit("districts/kaifu.yaml", "  - {id: 1}\n", "  - {id: 1, platform: huawei_vrpv8}\n")
    return load_network(inventory)


def _rendered(net: Network) -> dict[str, IntendedConfig]:
    from govnet.check import intended_from_rendered
    from govnet.render import render_network

    return dict(intended_from_rendered(render_network(net, use_nornir=False)))


def _findings(
    net: Network, configs: dict[str, IntendedConfig], device: str | None = None
) -> set[tuple[str, str]]:
    report = run_checks(net, configs, list(MANAGEMENT_RULES), spec=SPEC)
    return {(f.rule_id, f.message) for f in report.findings if device is None or f.device == device}


def _edited(configs: dict[str, IntendedConfig], device: str, old: str, new: str) -> dict[str, IntendedConfig]:
    config = configs[device]
    assert old in config.text, f"{device}: {old!r} not in its config"
    return {**configs, device: dataclasses.replace(config, text=config.text.replace(old, new, 1))}


def test_the_rules_are_well_formed_and_implemented() -> None:
    for rule_id, check in MANAGEMENT_RULES.items():
        rule = SPEC.rule(rule_id)
        assert (rule.kind, rule.check) == ("config", check)
        assert check in known_checks()["config"]
        assert set(rule.platforms) <= set(VENDOR)


@pytest.mark.parametrize(
    ("platform", "vpn", "services"),
    [
        ("huawei_vrp", None, ()),
        ("huawei_vrpv8", "_management_vpn_", ()),
        ("huawei_usg", "default", ("ssh", "snmp")),
        ("huawei_nip", None, ("ssh", "snmp")),
        ("h3c_comware", None, ()),
        ("h3c_secpath", None, ()),
    ],
)
def test_each_platform_states_its_management_facts(
    platform: str, vpn: str | None, services: tuple[str, ...]
) -> None:
    module = get_platform(platform).submodule("management")
    assert module is not None
    assert (vpn, services) == (module.MANAGEMENT_VPN, module.SERVICE_MANAGE)


# ---------------------------------------------------------------- govnet's own renders


@pytest.mark.parametrize("platform", VENDOR)
def test_renders_keep_the_management_path(platform: str, inventory_copy: Path, edit: Edit) -> None:
    net = _ce_district(inventory_copy, edit) if platform == "huawei_vrpv8" else district()
    configs = _rendered(net) if platform == "huawei_vrpv8" else rendered()
    mine = {n: c for n, c in configs.items() if c.platform == platform}
    assert mine, platform
    report = run_checks(net, configs, list(MANAGEMENT_RULES), spec=SPEC)
    found = [f"{f.device} {f.rule_id} {f.location}: {f.message}" for f in report.findings if f.device in mine]
    assert found == []
    passed = {(r.rule_id, r.device) for r in report.results if r.status == "pass" and r.device in mine}
    expected_rules = {"GN-CFG-132", "GN-CFG-133", "GN-CFG-134"} | (
        {"GN-CFG-135"} if platform in ("huawei_usg", "huawei_nip") else set()
    )
    assert {rule for rule, _ in passed} == expected_rules


# ---------------------------------------------------------------- each break, exactly its finding


@pytest.fixture
def ce(inventory_copy: Path, edit: Edit) -> tuple[Network, dict[str, IntendedConfig]]:
    net = _ce_district(inventory_copy, edit)
    return net, _rendered(net)


def _mgmt(net: Network, device: str) -> str:
    address = net.devices[device].mgmt_ip
    return f"ip address {address.ip} {address.netmask}"


def test_ce_without_the_management_vpn_binding(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    edited = _edited(configs, CORE, " ip binding vpn-instance _management_vpn_\n", "")
    added = _findings(net, edited, CORE) - _findings(net, configs, CORE)
    assert added == {
        (
            "GN-CFG-132",
            "the management port MEth0/0/0 is in the public network, it belongs in VPN _management_vpn_ "
            "(a binding change clears its address); fix: interface MEth0/0/0 / "
            f"ip binding vpn-instance _management_vpn_ / {_mgmt(net, CORE)}",
        )
    }
    assert _findings(net, configs, CORE) <= _findings(net, edited, CORE)


def test_ce_acl_rule_without_vpn_instance(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    old = " rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255\n"
    edited = _edited(configs, CORE, old, " rule 5 permit source 10.254.0.0 0.0.0.255\n")
    report = run_checks(net, edited, ["GN-CFG-133"], spec=SPEC)
    [finding] = [f for f in report.findings if f.device == CORE]
    assert finding.message.endswith(
        "permits the NOC prefix 10.254.0.0/24 in the public network ('rule 5 permit source 10.254.0.0 "
        "0.0.0.255'), but the management port MEth0/0/0 is in VPN _management_vpn_; fix: acl number 2001 / "
        "undo rule 5 / rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255"
    )
    assert (
        "user-interface vty 0 4 / acl 2001 inbound" in finding.message
        and "snmp-agent group" in finding.message
    )
    line = (finding.config_location or finding.location).line
    assert edited[CORE].text.splitlines()[line - 1] == " rule 5 permit source 10.254.0.0 0.0.0.255"
    assert _findings(net, edited, CORE) - _findings(net, configs, CORE) == {("GN-CFG-133", finding.message)}


def test_ce_deny_before_the_noc_permit(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    old = " rule 5 permit vpn-instance _management_vpn_"
    edited = _edited(configs, CORE, old, " rule 2 deny source 10.254.0.128 0.0.0.127\n" + old)
    [(rule_id, message)] = _findings(net, edited, CORE) - _findings(net, configs, CORE)
    assert rule_id == "GN-CFG-133"
    assert "'rule 2 deny source 10.254.0.128 0.0.0.127' denies it first" in message
    assert message.endswith(
        "fix: acl number 2001 / rule 1 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255"
    )


def test_ce_loghost_without_vpn_instance(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    old = "info-center loghost 10.254.0.10 vpn-instance _management_vpn_\n"
    edited = _edited(configs, CORE, old, "info-center loghost 10.254.0.10\n")
    assert _findings(net, edited, CORE) - _findings(net, configs, CORE) == {
        (
            "GN-CFG-134",
            "syslog server 10.254.0.10 ('info-center loghost 10.254.0.10') is reached in the public network, "
            "but the management port MEth0/0/0 is in VPN _management_vpn_; fix: undo info-center loghost "
            "10.254.0.10 / info-center loghost 10.254.0.10 vpn-instance _management_vpn_",
        )
    }


def test_ce_hwtacacs_server_without_vpn_instance(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    old = " hwtacacs-server authentication 10.254.0.22 vpn-instance _management_vpn_ secondary\n"
    edited = _edited(configs, CORE, old, " hwtacacs-server authentication 10.254.0.22 secondary\n")
    [(rule_id, message)] = _findings(net, edited, CORE) - _findings(net, configs, CORE)
    assert rule_id == "GN-CFG-134" and message.startswith("AAA server 10.254.0.22")
    assert message.endswith(
        "fix: hwtacacs-server template NOC / undo hwtacacs-server authentication 10.254.0.22 / "
        "hwtacacs-server authentication 10.254.0.22 vpn-instance _management_vpn_ secondary"
    )


def test_ce_wrong_management_address(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    edited = _edited(configs, CORE, _mgmt(net, CORE), "ip address 10.240.9.9 255.252.0.0")
    assert _findings(net, edited, CORE) - _findings(net, configs, CORE) == {
        (
            "GN-CFG-132",
            f"the management port MEth0/0/0 has 10.240.9.9/14, the model gives {net.devices[CORE].mgmt_ip}; "
            f"fix: interface MEth0/0/0 / {_mgmt(net, CORE)}",
        )
    }


def test_ce_binding_typed_after_the_address(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    bind, address = " ip binding vpn-instance _management_vpn_\n", f" {_mgmt(net, CORE)}\n"
    edited = _edited(configs, CORE, bind + address, address + bind)
    [(rule_id, message)] = _findings(net, edited, CORE) - _findings(net, configs, CORE)
    assert rule_id == "GN-CFG-132" and "after its address is set (the binding clears the address)" in message


@pytest.mark.parametrize(("device", "service"), [(FW, "snmp"), (IPS, "ssh")])
def test_service_manage_without_a_service(device: str, service: str) -> None:
    net, configs = district(), rendered()
    edited = _edited(configs, device, f" service-manage {service} permit\n", "")
    before, after = _findings(net, configs, device), _findings(net, edited, device)
    assert before <= after
    assert after - before == {
        (
            "GN-CFG-135",
            f"the management port GigabitEthernet0/0/0 does not permit {service.upper()} (service-manage); "
            f"fix: interface GigabitEthernet0/0/0 / service-manage {service} permit",
        )
    }


def test_public_management_port_bound_to_a_vpn_is_found() -> None:
    net, configs = district(), rendered()
    old = "interface M-GigabitEthernet0/0/0\n"
    edited = _edited(configs, H3C, old, old + " ip binding vpn-instance PUBLIC\n")
    [(rule_id, message)] = _findings(net, edited, H3C) - _findings(net, configs, H3C)
    assert rule_id == "GN-CFG-132"
    assert message.startswith(
        "the management port M-GigabitEthernet0/0/0 is in VPN PUBLIC, it belongs in the public network"
    )
    assert (
        "fix: interface M-GigabitEthernet0/0/0 / undo ip binding vpn-instance PUBLIC / ip address" in message
    )


# ---------------------------------------------------------------- configs read back from devices


EXTRA_LINES = (
    "#\nacl number 3999\n rule 5 permit source 192.0.2.0 0.0.0.255\n"
    "#\ninfo-center loghost 192.0.2.50 vpn-instance PUBLIC\n"
    "#\nip route-static vpn-instance _management_vpn_ 192.0.2.0 255.255.255.0 10.240.0.1\n#\n"
)


def _as_the_ce_prints_it(text: str) -> str:
    """A CE's ``display current-configuration`` in a captured session: the candidate-view prompt,
    the software and commit stamps, govnet's own comment lines gone (the shape of
    tests/fixtures/device-configs/huawei_vrpv8/kf-core-1.cfg)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("!"))
    head = "[~kf-core-1]display current-configuration\n!Software Version V200R005C10SPC800\n"
    stamp = "!Last configuration was committed at 2026-11-20 10:12:33+08:00 by netadmin\n"
    return head + stamp + body + "\n[~kf-core-1]\n"


def test_read_back_ce_with_extra_lines_passes(
    ce: tuple[Network, dict[str, IntendedConfig]], tmp_path: Path
) -> None:
    net, configs = ce
    printed = _as_the_ce_prints_it(configs[CORE].text)
    assert "\nreturn\n" in printed
    for name, text in [
        ("plain", printed),
        ("extra", printed.replace("\nreturn\n", "\n" + EXTRA_LINES + "return\n", 1)),
    ]:
        folder_dir = tmp_path / name
        folder_dir.mkdir()
        (folder_dir / f"{CORE}.cfg").write_text(text, encoding="utf-8")
        folder = read_configs(folder_dir, net)
        assert folder[CORE].platform == "huawei_vrpv8" and (
            name == "plain" or "192.0.2.50" in folder[CORE].text
        )
        report = run_checks(net, folder, list(MANAGEMENT_RULES), spec=SPEC)
        results = {r.rule_id: r.status for r in report.results if r.device == CORE}
        assert results == {
            "GN-CFG-132": "pass",
            "GN-CFG-133": "pass",
            "GN-CFG-134": "pass",
        }  # GN-CFG-135 (service-manage) is for the firewall and IPS roles only: no result on a core


@pytest.mark.parametrize(
    ("platform", "device"), [("huawei_vrp", ACC), ("h3c_comware", H3C), ("huawei_nip", IPS)]
)
def test_read_back_public_management_configs_pass(platform: str, device: str) -> None:
    net = district()
    folder = read_configs(FIXTURES / platform, net)
    report = run_checks(net, folder, list(MANAGEMENT_RULES), spec=SPEC)
    assert [f.message for f in report.findings if f.device == device] == []
    assert {r.rule_id for r in report.results if r.device == device and r.status == "pass"} >= {
        "GN-CFG-132",
        "GN-CFG-133",
        "GN-CFG-134",
    }


# ---------------------------------------------------------------- what deploy holds


def test_held_reason_names_the_lines_that_cut_the_path(ce: tuple[Network, dict[str, IntendedConfig]]) -> None:
    net, configs = ce
    tree = ConfigTree(configs[CORE].text, SPEC.readers["huawei_vrpv8"])
    path = management_path(net, net.devices[CORE], "huawei_vrpv8")
    assert path_problems(tree, path) == []
    port = ("interface MEth0/0/0",)
    held = {
        (port, "undo ip binding vpn-instance _management_vpn_"): "VPN binding or address",
        (port, "ip binding vpn-instance PUBLIC"): "VPN binding or address",
        (port, "undo ip address"): "VPN binding or address",
        (port, "shutdown"): "shuts the management port",
        (("acl number 2001",), "undo rule 5"): "removes the NOC permit",
        ((), "undo acl number 2001"): "deletes ACL 2001",
        (
            (),
            "undo info-center loghost 10.254.0.10 vpn-instance _management_vpn_",
        ): "syslog server 10.254.0.10",
        (("hwtacacs-server template NOC",), "undo hwtacacs-server authentication 10.254.0.21"): "AAA server",
    }
    for (parents, line), reason in held.items():
        got = held_reason(path, tree, parents, line)
        assert got is not None and reason in got, (parents, line, got)
    for parents, line in [
        (port, "description out-of-band management"),
        (("interface XGigabitEthernet1/0/3",), "undo ip binding vpn-instance PUBLIC"),
        (("acl number 2001",), "undo rule 10"),
        ((), "undo info-center loghost 192.0.2.50"),
    ]:
        assert held_reason(path, tree, parents, line) is None, (parents, line)
