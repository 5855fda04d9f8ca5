"""Lab twin units that need no root: interface names, device selection, topology, errors."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import jinja2
import pytest
from typer.testing import CliRunner

from govnet.cli.lab import lab_app
from govnet.lab import netns, preflight, sshd
from govnet.lab.configs import base_config, render_lab_config, templates_dir
from govnet.lab.credentials import ensure_credentials, read_credentials
from govnet.lab.errors import MissingPackagesError, NotRootError, ResourceTakenError, TopologyError
from govnet.lab.firewall import loss_ruleset
from govnet.lab.topology import LabTopology, build_topology, select_devices
from govnet.lab.up import check_free
from govnet.model import Network
from govnet.platforms.linux import IFNAMSIZ, ifname_map, kernel_ifname
from govnet.render.filters import FILTERS

SMALL = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-agg-qingshuitang", "kf-acc-dongfenglu-c01"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GigabitEthernet0/0/1", "ge0-0-1"),
        ("XGigabitEthernet1/0/12", "xge1-0-12"),
        ("Ten-GigabitEthernet1/0/25", "te1-0-25"),
        ("GigabitEthernet1/0/1.100", "ge1-0-1.100"),
        ("GE0/0/3", "ge0-0-3"),
        ("100GE1/0/1", "hge1-0-1"),
        ("Eth-Trunk10", "et10"),
        ("eth1", "eth1"),
        ("telecom-cpe", "telecom-cpe"),
    ],
)
def test_kernel_ifname_abbreviates(name: str, expected: str) -> None:
    assert kernel_ifname(name) == expected


def test_kernel_ifname_long_names_fit_ifnamsiz() -> None:
    name = "Ten-GigabitEthernet10/10/100.4000"
    short = kernel_ifname(name)
    assert len(short) <= IFNAMSIZ
    assert "/" not in short
    assert kernel_ifname(name) == short  # deterministic


def test_ifname_map_is_unique_per_device() -> None:
    mapping = ifname_map(["GE0/0/1", "GigabitEthernet0/0/1", "mgmt0"])
    assert len(set(mapping.values())) == 3
    assert "mgmt0" not in mapping.values()  # the management port's name is reserved


def test_every_inventory_interface_maps(network: Network) -> None:
    for dev in network.devices.values():
        mapping = ifname_map(i.name for i in dev.interfaces)
        assert len(set(mapping.values())) == len(mapping), dev.name
        assert all(0 < len(k) <= IFNAMSIZ and "/" not in k for k in mapping.values()), dev.name


def test_template_macro_matches_python_mapping(network: Network) -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    template = env.from_string('{% import "frr/_macros.j2" as m with context %}{{ m.ifname(name) }}')
    names = {i.name for d in network.devices.values() for i in d.interfaces}
    for name in sorted(names):
        assert template.render(name=name) == kernel_ifname(name), name


def test_default_selection_one_access_site_per_subdistrict(network: Network) -> None:
    names = select_devices(network)
    roles = [network.devices[n].role for n in names]
    subdistricts = {d.subdistrict for d in network.devices.values() if d.role == "aggregation"}
    assert roles.count("access") == len(subdistricts) == 13
    assert roles.count("core") == 2 and roles.count("aggregation") == 13
    assert {"firewall", "ips", "load_balancer", "vpn_gateway"} <= set(roles)
    access = [n for n in names if network.devices[n].role == "access"]
    assert {network.devices[n].subdistrict for n in access} == subdistricts
    assert all(n.endswith("-c01") for n in access)  # communities (site id order) first


def test_access_count_is_spread_round_robin(network: Network) -> None:
    access = [n for n in select_devices(network, 20) if network.devices[n].role == "access"]
    assert len(access) == 20
    per_sub: dict[str | None, int] = {}
    for name in access:
        sub = network.devices[name].subdistrict
        per_sub[sub] = per_sub.get(sub, 0) + 1
    assert sorted(per_sub.values()) == [1] * 6 + [2] * 7
    assert len([n for n in select_devices(network, 102) if network.devices[n].role == "access"]) == 102
    assert not [n for n in select_devices(network, 0) if network.devices[n].role == "access"]


def test_negative_access_count_is_refused(network: Network) -> None:
    with pytest.raises(TopologyError):
        select_devices(network, -1)


def test_small_topology(network: Network) -> None:
    topo = build_topology(network, SMALL)
    assert topo.devices == tuple(SMALL)
    stubs = {n.name for n in topo.nodes if n.stub}
    assert stubs == {"kf-municipal-extranet", "kf-provincial-extranet"}
    # core-core, 2x2 core-aggregation, aggregation-access, 2 upstream links
    assert len(topo.links) == 1 + 4 + 1 + 2
    core = topo.node("kf-core-1")
    assert core.ifname("GigabitEthernet2/0/1") == "ge2-0-1"
    assert core.ifname("ge2-0-1") == "ge2-0-1"
    assert core.ssh_port is not None and core.daemons[0] == "zebra" and "snmpd" in core.daemons
    assert "ldpd" in core.daemons and "bgpd" in core.daemons
    acc = topo.node("kf-acc-dongfenglu-c01")
    assert "bgpd" not in acc.daemons and "ldpd" not in acc.daemons
    ports = [n.ssh_port for n in topo.nodes if n.ssh_port]
    assert len(ports) == len(set(ports)) == 5
    assert all(len(n.mgmt_veth) <= IFNAMSIZ for n in topo.nodes)
    assert all(n.netns.startswith("gn-") for n in topo.nodes)
    assert LabTopology.from_dict(topo.to_dict()) == topo
    with pytest.raises(TopologyError):
        core.ifname("GigabitEthernet9/9/9")


def test_unknown_device_is_refused(network: Network) -> None:
    with pytest.raises(TopologyError, match="kf-nope"):
        build_topology(network, ["kf-core-1", "kf-nope"])


def test_intended_configs_render_for_every_lab_device(network: Network) -> None:
    for dev in network.devices.values():
        if dev.lab_platform not in ("frr", "nftables"):
            continue
        text = render_lab_config(network, dev.name)
        if dev.lab_platform == "frr":
            assert f"hostname {dev.name}\n" in text and "agentx" in text
    core = render_lab_config(network, "kf-core-1")
    assert "route-reflector-client" in core and "mpls ldp" in core and "ip ospf area 0" in core
    agg = render_lab_config(network, "kf-agg-dongfenglu")
    assert "update-source lo" in agg and "rd vpn export" in agg and "rt vpn both" in agg
    fw = render_lab_config(network, "kf-fw-1")
    assert "policy drop" in fw and "@trust oifname @untrust accept" in fw


def test_base_config_is_minimal() -> None:
    text = base_config("kf-core-1")
    assert "hostname kf-core-1" in text and "router" not in text


def test_loss_ruleset() -> None:
    text = loss_ruleset({"ge0-0-1": 30})
    assert 'iifname "ge0-0-1" numgen random mod 100 < 30' in text
    assert 'oifname "ge0-0-1" numgen random mod 100 < 30' in text


def test_credentials_generated_once_with_mode_0600(tmp_path: Path) -> None:
    creds = ensure_credentials(tmp_path)
    path = tmp_path / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_credentials(tmp_path) == creds == read_credentials(tmp_path)
    keys = [line.split("=")[0] for line in path.read_text().splitlines()]
    assert keys == ["GOVNET_SSH_USER", "GOVNET_SSH_PASSWORD", "GOVNET_SNMP_USER",
                    "GOVNET_SNMP_AUTH_KEY", "GOVNET_SNMP_PRIV_KEY"]
    assert creds.ssh_password not in repr(creds) and creds.snmp_priv_key not in repr(creds)


def test_not_root_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(NotRootError, match="needs root"):
        preflight.preflight()
    result = CliRunner().invoke(lab_app, ["up", "--workdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "needs root" in result.output and "namespaces" in result.output
    assert "Traceback" not in result.output


def test_missing_packages_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_which = shutil.which
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(
        shutil, "which",
        lambda cmd, *a, **kw: None if cmd in ("snmpd", "nft") else real_which(cmd, *a, **kw),
    )
    with pytest.raises(MissingPackagesError) as info:
        preflight.require_binaries()
    message = str(info.value)
    assert "snmpd (package snmpd)" in message and "nft (package nftables)" in message
    assert "make setup" in message and "apt-get install -y nftables snmpd" in message
    result = CliRunner().invoke(lab_app, ["up", "--workdir", str(tmp_path)])
    assert result.exit_code == 2 and "make setup" in result.output and "Traceback" not in result.output


def test_foreign_namespace_is_not_touched(network: Network, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    topo = build_topology(network, SMALL)
    monkeypatch.setattr(netns, "list_netns", lambda: {"gn-kf-core-2", "other"})
    monkeypatch.setattr(netns, "root_links", lambda: {"lo", "eth0"})
    monkeypatch.setattr(sshd, "check_ports_free", lambda nodes: None)
    with pytest.raises(ResourceTakenError, match="network namespace gn-kf-core-2"):
        check_free(topo, tmp_path)


def test_status_without_a_lab_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(lab_app, ["status", "--workdir", str(tmp_path)])
    assert result.exit_code == 2 and "no lab in" in result.output


def test_lab_templates_render_the_same_through_govnet_render(network: Network) -> None:
    """`govnet render --lab` (no ifnames in its context) and the lab agree on every config."""
    from govnet.credentials import Credentials
    from govnet.render import Renderer

    renderer = Renderer(network, lab=True, credentials=Credentials())
    for dev in network.devices.values():
        if dev.lab_platform in ("frr", "nftables"):
            assert renderer.render(dev.name).text == render_lab_config(network, dev.name), dev.name
