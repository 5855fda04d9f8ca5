"""govnet.render: every device renders, deterministically, without secrets, with clear errors."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer import Typer
from typer.testing import CliRunner

from govnet.cli.render import render_cmd
from govnet.credentials import SECRET_REF_RE, Credentials
from govnet.inventory import load_network
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import (
    TEMPLATES_DIR,
    RenderError,
    render_device,
    render_network,
    renderable_names,
    template_for,
)
from govnet.render.context import NetworkIndex

INVENTORY = Path(__file__).resolve().parents[2] / "inventory"
Edit = Callable[[str, str, str], None]
CREDS = Credentials()  # account names default; secrets are never read anyway
SECRET_VALUES = {
    "GOVNET_SSH_PASSWORD": "Pl41n-ssh-S3cret!",
    "GOVNET_SNMP_AUTH_KEY": "Pl41n-auth-K3y!",
    "GOVNET_SNMP_PRIV_KEY": "Pl41n-priv-K3y!",
}
KEY_REFS = {
    "GOVNET_HWTACACS_KEY",
    "GOVNET_NTP_KEY",
    "GOVNET_OSPF_KEY",
    "GOVNET_BGP_PASSWORD",
    "GOVNET_LDP_KEY",
}
"""Keys held only in the secrets file (AAA, NTP, routing-protocol authentication): references only."""


@pytest.fixture(scope="module")
def configs(network: Network) -> dict[str, str]:
    return {n: c.text for n, c in render_network(network, credentials=CREDS).items()}


def blocks(text: str, head: str) -> list[list[str]]:
    """Top-level sections whose first line starts with ``head``, with their indented lines."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith(" "):
            current = [line] if line.startswith(head) else None
            if current is not None:
                found.append(current)
        elif current is not None:
            current.append(line)
    return found


# --- coverage of the shipped inventory ------------------------------------------------------


def test_every_renderable_device_renders(network: Network, configs: dict[str, str]) -> None:
    renderable = [d for d in network.devices.values() if get_platform(d.platform).renders]
    assert sorted(configs) == sorted(d.name for d in renderable)
    skipped = {d.platform for d in network.devices.values() if d.name not in configs}
    assert skipped == {"appliance", "linux"}
    for name, text in configs.items():
        assert f"sysname {name}\n" in text
        assert text.endswith("return\n")


def test_nornir_and_fast_path_agree(network: Network, configs: dict[str, str]) -> None:
    fast = render_network(network, credentials=CREDS, use_nornir=False)
    assert {n: c.text for n, c in fast.items()} == configs


def test_output_is_deterministic(configs: dict[str, str]) -> None:
    again = render_network(load_network(INVENTORY), credentials=CREDS)
    assert list(again) == sorted(again)
    assert {n: c.text for n, c in again.items()} == configs


def test_template_for(network: Network) -> None:
    core = network.devices["kf-core-1"]
    assert template_for(core) == TEMPLATES_DIR / "huawei_vrp" / "core.j2"
    assert template_for(core, lab=True) == TEMPLATES_DIR / "frr" / "core.j2"
    h3c = network.devices["kf-agg-laodaohe"]
    assert template_for(h3c, templates_dir=Path("/t")) == Path("/t/h3c_comware/aggregation.j2")
    config = render_device(network, "kf-agg-laodaohe", credentials=CREDS)
    assert (config.platform, config.role) == ("h3c_comware", "aggregation")
    assert config.template == TEMPLATES_DIR.resolve() / "h3c_comware" / "aggregation.j2"


def test_names_subset_and_unknown(network: Network) -> None:
    out = render_network(network, names=["kf-fw-2", "kf-core-1", "kf-isogw-1"], credentials=CREDS)
    assert list(out) == ["kf-core-1", "kf-fw-2"]  # the isolation gateway (UI-managed) is skipped
    with pytest.raises(RenderError, match="kf-nope"):
        renderable_names(network, ["kf-nope"])


def test_index_bgp_sessions_match_model(network: Network) -> None:
    index = NetworkIndex.build(network)
    for name, device in network.devices.items():
        assert list(index.bgp_sessions(device)) == network.bgp_sessions(name)


# --- no plaintext secrets ---------------------------------------------------------------------


def test_no_plaintext_secret_in_any_config(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SECRET_VALUES.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GOVNET_SSH_USER", "opsadmin")
    monkeypatch.setenv("GOVNET_SNMP_USER", "nocpoller")
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    out = render_network(network)  # credentials from the environment
    assert out
    for name, config in out.items():
        for value in SECRET_VALUES.values():
            assert value not in config.text, f"{name} leaks a secret"
        refs = {m.group("name") for m in SECRET_REF_RE.finditer(config.text)}
        assert set(SECRET_VALUES) <= refs <= set(SECRET_VALUES) | KEY_REFS, name
        assert "opsadmin" in config.text and "nocpoller" in config.text
        assert "snmp-agent community" not in config.text


def test_no_plaintext_secret_from_a_secrets_file(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file = tmp_path / "secrets.env"
    secrets_file.write_text("".join(f"{k}={v}\n" for k, v in SECRET_VALUES.items()))
    secrets_file.chmod(0o600)
    for key in (*SECRET_VALUES, "GOVNET_SSH_USER", "GOVNET_SNMP_USER"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GOVNET_SECRETS", str(secrets_file))
    out = render_network(network, names=["kf-core-1", "kf-agg-laodaohe", "kf-fw-1"])
    for config in out.values():
        assert not any(v in config.text for v in SECRET_VALUES.values())
        assert " netadmin " in config.text  # the default account name


# --- vendor coverage --------------------------------------------------------------------------


def test_binding_precedes_address_on_every_vrf_interface(configs: dict[str, str]) -> None:
    seen = 0
    for text in configs.values():
        for block in blocks(text, "interface "):
            if any("ip binding vpn-instance" in line for line in block):
                seen += 1
                binding = next(i for i, ln in enumerate(block) if "ip binding vpn-instance" in ln)
                address = next(i for i, ln in enumerate(block) if ln.startswith(" ip address"))
                assert binding < address, block[0]
    assert seen > 200


def test_ldp_on_both_ends_of_every_core_aggregation_link(network: Network, configs: dict[str, str]) -> None:
    for link in network.links:
        if link.kind not in ("core-aggregation", "core-core"):
            continue
        for end, port in ((link.a, link.a_interface), (link.b, link.b_interface)):
            (block,) = [b for b in blocks(configs[end], f"interface {port}") if b[0] == f"interface {port}"]
            assert any(ln.strip() in ("mpls ldp", "mpls ldp enable") for ln in block), (end, port)
            assert " ospf network-type p2p" in block


def test_route_reflection(network: Network, configs: dict[str, str]) -> None:
    core = configs["kf-core-1"]
    aggs = [d for d in network.by_role("aggregation")]
    for agg in aggs:
        assert f"  peer {agg.loopback.ip} reflect-client\n" in core  # type: ignore[union-attr]
        text = configs[agg.name]
        for c in network.by_role("core"):
            assert f" peer {c.loopback.ip} connect-interface LoopBack0\n" in text  # type: ignore[union-attr]
            assert f"  peer {c.loopback.ip} enable\n" in text  # type: ignore[union-attr]
    assert "undo policy vpn-target" in core


def test_site_attachment_routes(configs: dict[str, str]) -> None:
    agg, ce = configs["kf-agg-dongfenglu"], configs["kf-acc-dongfenglu-police"]
    assert (
        "ip route-static vpn-instance POLICE 172.16.0.64 255.255.255.192 192.168.0.6 "
        "description police site kf-acc-dongfenglu-police\n" in agg
    )
    assert "ip route-static vpn-instance POLICE 0.0.0.0 0.0.0.0 192.168.0.5 " in ce
    assert " dot1q termination vid 211\n" in ce
    assert " vlan-type dot1q vid 211\n" in configs["kf-agg-laodaohe"]


def test_route_exception_is_imported(inventory_copy: Path, edit: Edit) -> None:
    edit(
        "network.yaml",
        "route_exceptions: []",
        "route_exceptions:\n  - {name: police-reads-public, zone: police, imports: public,\n"
        "     reason: reviewed test exception}",
    )
    net = load_network(inventory_copy)
    huawei = render_device(net, "kf-agg-dongfenglu", credentials=CREDS).text
    (police,) = blocks(huawei, "ip vpn-instance POLICE")
    assert "  vpn-target 65010:11 export-extcommunity" in police
    assert "  vpn-target 65010:1 import-extcommunity" in police
    assert "  vpn-target 65010:1 export-extcommunity" not in police
    h3c = render_device(net, "kf-agg-laodaohe", credentials=CREDS).text
    (police,) = blocks(h3c, "ip vpn-instance POLICE")
    assert " vpn-target 65010:11 export-extcommunity" in police
    assert " vpn-target 65010:1 import-extcommunity" in police


def test_management_plane_everywhere(network: Network, configs: dict[str, str]) -> None:
    s = network.settings
    for name, text in configs.items():
        vpn = get_platform(network.devices[name].platform).management_vpn  # the USG's: default
        via = f" vpn-instance {vpn}" if vpn else ""
        assert f"info-center loghost {s.syslog_host}{via}\n" in text, name
        assert all(
            f"ntp-service unicast-server {n} authentication-keyid 1{via}\n" in text for n in s.ntp_servers
        ), name
        assert "undo telnet server enable\n" in text, name
        assert "snmp-agent sys-info version v3\n" in text, name
        assert f" rule 5 permit {via.strip() + ' ' if via else ''}source 10.254.0.0 0.0.0.255\n" in text, name
        assert f" idle-timeout {s.idle_timeout_minutes} 0\n" in text, name
        platform = network.devices[name].platform
        if platform in ("huawei_vrp", "huawei_usg", "huawei_nip"):
            assert "stelnet server enable\n" in text and " acl 2001 inbound\n" in text
            usg_family = platform in ("huawei_usg", "huawei_nip")
            lockout = "lock-authentication failed-count" if usg_family else "retry-time"
            assert f"{lockout} {s.login_attempts}" in text
        else:
            assert "ssh server enable\n" in text and "ssh server acl 2001\n" in text
            assert f"password-control login-attempt {s.login_attempts} exceed lock\n" in text


def test_firewall_policy_and_hot_standby(configs: dict[str, str]) -> None:
    fw1, fw2 = configs["kf-fw-1"], configs["kf-fw-2"]
    (policy,) = blocks(fw1, "security-policy")
    rules = [ln.split()[-1] for ln in policy if ln.startswith(" rule name")]
    assert rules[:2] == ["noc-to-firewall-management", "firewall-to-noc-services"]  # local zone first
    assert rules[2] == "internet-zone-to-internet" and rules[-1] == "default-deny"
    first = policy[policy.index(" rule name " + rules[2]) : policy.index(" rule name " + rules[3])]
    assert "  source-address 10.64.0.0 mask 255.224.0.0" in first  # the internet zone only
    assert policy[-1] == "  action deny"
    (trust,) = blocks(fw1, "firewall zone trust")
    assert " add interface GigabitEthernet1/0/1" in trust  # toward the IPS
    (untrust,) = blocks(fw1, "firewall zone untrust")
    assert untrust[-1] == " add interface GigabitEthernet1/0/2"  # toward the load balancer
    assert "hrp interface GigabitEthernet1/0/7 remote 10.8.0.214\nhrp enable\n" in fw1
    assert "hrp standby-device" not in fw1 and "hrp standby-device\n" in fw2


# --- errors -----------------------------------------------------------------------------------


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, target)
    return target


def _insert_line(path: Path, after: int, line: str) -> int:
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(after, line + "\n")
    path.write_text("".join(lines))
    return after + 1


def test_undefined_attribute_names_device_template_line_variable(
    network: Network, templates_copy: Path
) -> None:
    core = templates_copy / "huawei_vrp" / "core.j2"
    line = _insert_line(core, 4, "{{ device.uplink_speed }}")
    with pytest.raises(RenderError) as info:
        render_network(
            network, names=["kf-core-2", "kf-core-1"], templates_dir=templates_copy, credentials=CREDS
        )
    err = info.value
    assert err.device == "kf-core-1"  # the first failing device by name
    assert err.template == str(core.resolve())
    assert err.line == line
    assert err.variable == "uplink_speed"
    assert f"core.j2:{line}: kf-core-1: undefined variable 'uplink_speed'" in str(err)


def test_undefined_name_in_macro_points_at_the_macro(network: Network, templates_copy: Path) -> None:
    macros = templates_copy / "h3c_comware" / "_macros.j2"
    text = macros.read_text()
    number = text[: text.index("sysname {{ device.name }}")].count("\n") + 1
    macros.write_text(text.replace("sysname {{ device.name }}", "sysname {{ site_code }}"))
    with pytest.raises(RenderError) as info:
        render_device(network, "kf-agg-laodaohe", templates_dir=templates_copy, credentials=CREDS)
    err = info.value
    assert (Path(err.template or "").name, err.line, err.variable) == ("_macros.j2", number, "site_code")


def test_missing_template_and_syntax_error(network: Network, templates_copy: Path) -> None:
    (templates_copy / "huawei_usg" / "firewall.j2").unlink()
    with pytest.raises(RenderError, match=r"no template .*huawei_usg/firewall\.j2"):
        render_device(network, "kf-fw-1", templates_dir=templates_copy, credentials=CREDS)
    access = templates_copy / "huawei_vrp" / "access.j2"
    line = _insert_line(access, 5, "{% if device.name %}")
    with pytest.raises(RenderError) as info:
        render_device(network, "kf-acc-dongfenglu-c01", templates_dir=templates_copy, credentials=CREDS)
    assert info.value.template and info.value.template.endswith("access.j2")
    assert info.value.line is not None and info.value.line >= line
    assert "syntax" in str(info.value)


# --- CLI --------------------------------------------------------------------------------------


def _app() -> Typer:
    app = Typer()
    app.command("render")(render_cmd)
    app.command("noop")(lambda: None)
    return app


def test_cli_writes_one_file_per_device(tmp_path: Path) -> None:
    out = tmp_path / "intended"
    result = CliRunner().invoke(_app(), ["render", "-i", str(INVENTORY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "rendered 136 configs" in result.output and "skipped 2" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 137 and "kf-ips-1.cfg" in files and "kf-isogw-1.cfg" not in files
    # the isolation gateway is managed through its UI: its reviewed policy file, not a config
    policy = yaml.safe_load((out / "kf-isogw-1.policy.yaml").read_text(encoding="utf-8"))
    assert policy["gateway"] == "kf-isogw-1" and policy["routes"] == [] and not policy["ip_forwarding"]
    assert "kf-isogw-1.policy.yaml" in result.output


def test_cli_filter(tmp_path: Path, network: Network) -> None:
    out = tmp_path / "o"
    args = ["render", "-i", str(INVENTORY), "--out", str(out), "--filter", "role=core,firewall"]
    result = CliRunner().invoke(_app(), [*args, "--filter", "name=*-2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["kf-core-2.cfg", "kf-fw-2.cfg"]
    assert network.select(["zone=police", "role=access"]) == [
        "kf-acc-dongfenglu-police",
        "kf-acc-laodaohe-police",
        "kf-acc-sifangping-police",
        "kf-acc-wujialing-police",
    ]
    assert len(network.select(["subdistrict=dongfenglu"])) == 11


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "colour=red"], "bad filter"),
        (["--filter", "name=nothing-*"], "no device matches"),
        (["-i", "/nonexistent/inventory"], "nonexistent"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    base = ["render", "--out", str(tmp_path / "o")]
    if "-i" not in args:
        base += ["-i", str(INVENTORY)]
    result = CliRunner().invoke(_app(), [*base, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_render_error_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, broken)
    (broken / "huawei_vrp" / "core.j2").write_text("sysname {{ device.nope }}\n")
    result = CliRunner().invoke(
        _app(),
        ["render", "-i", str(INVENTORY), "--out", str(tmp_path / "o"), "--templates", str(broken)],
    )
    assert result.exit_code == 2
    assert re.search(r"core\.j2:1: kf-core-1: undefined variable 'nope'", result.output)


def test_lab_platforms_render(network: Network) -> None:
    out = render_network(network, lab=True, credentials=CREDS)
    assert {c.platform for c in out.values()} == {"frr", "nftables"}
    assert sorted(out) == sorted(renderable_names(network, lab=True))


def test_filter_secret_reference_and_output_doctests() -> None:
    import doctest

    from govnet import credentials
    from govnet.render import filters, output

    for module in (filters, credentials, output):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_cores_export_zone_exits_into_the_vpns(network: Network) -> None:
    """The internet VRF leaves via the IPS, the public zone via each core's upstream extranet."""
    core1 = render_device(network, "kf-core-1", credentials=Credentials()).text
    ips = network.link("kf-core-1--kf-ips-1")
    city = network.link("kf-core-1--kf-municipal-extranet")
    assert f"ip route-static vpn-instance INTERNET 0.0.0.0 0.0.0.0 {ips.b_ip.ip}" in core1
    assert f"ip route-static vpn-instance PUBLIC 0.0.0.0 0.0.0.0 {city.b_ip.ip}" in core1
    block = core1.split(" ipv4-family vpn-instance INTERNET\n", 1)[1].split(" #", 1)[0]
    assert "default-route imported" in block and "import-route static" in block
    core2 = render_device(network, "kf-core-2", credentials=Credentials()).text
    province = network.link("kf-core-2--kf-provincial-extranet")
    assert f"ip route-static vpn-instance PUBLIC 0.0.0.0 0.0.0.0 {province.b_ip.ip}" in core2
    agg = render_device(network, "kf-agg-dongfenglu", credentials=Credentials()).text
    assert "default-route imported" not in agg  # PEs learn the exits from the reflectors
    interface = core1.split("interface XGigabitEthernet1/0/2\n", 1)[1].split("#", 1)[0]
    assert "ip binding vpn-instance INTERNET" in interface
    lab = render_device(network, "kf-core-1", lab=True, credentials=Credentials()).text
    assert f"vrf INTERNET\n ip route 0.0.0.0/0 {ips.b_ip.ip}\nexit-vrf" in lab
